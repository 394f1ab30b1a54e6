//! Dispatch of the library built-ins (`ExprKind::Library`) to their implementations, one
//! module per group: `shape.rs`, `random.rs`, `npy.rs`, `linalg.rs`, `order.rs`.

use super::{ExecResult, Executor, Value};
use crate::types::hir::{Expr, LibraryOp};

impl Executor {
    pub(super) fn eval_library(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        args: &[Expr],
    ) -> ExecResult<Value> {
        match op {
            LibraryOp::Reshape
            | LibraryOp::Ravel
            | LibraryOp::Transpose { .. }
            | LibraryOp::Concat { .. }
            | LibraryOp::Stack { .. }
            | LibraryOp::BroadcastTo => self.eval_shape_op(expr, op, args),
            LibraryOp::Rand | LibraryOp::Randn | LibraryOp::Randint => {
                self.eval_random(expr, op, args)
            }
            LibraryOp::Load { .. } | LibraryOp::Save { .. } => self.eval_npy(expr, op, args),
            LibraryOp::MatMul | LibraryOp::Dot | LibraryOp::Outer | LibraryOp::Norm => {
                self.eval_linalg(expr, op, args)
            }
            LibraryOp::Cumsum { .. }
            | LibraryOp::Cumprod { .. }
            | LibraryOp::Sort { .. }
            | LibraryOp::Argsort { .. }
            | LibraryOp::Allclose
            | LibraryOp::ArrayEqual => self.eval_order(expr, op, args),
        }
    }
}

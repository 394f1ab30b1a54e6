//! The executor's rand, randn, randint (Philox4x32-10, spec §8). Placeholder: each reports "not supported yet" until implemented.

use super::{ExecResult, Executor, RuntimeError, Value};
use crate::types::hir::{Expr, LibraryOp};

impl Executor {
    pub(super) fn eval_random(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        _args: &[Expr],
    ) -> ExecResult<Value> {
        Err(RuntimeError::new(
            expr.span,
            format!("{} is not supported yet", op.name()),
        ))
    }
}

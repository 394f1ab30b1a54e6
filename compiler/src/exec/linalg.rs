//! The executor's `matmul` (`@`), `dot`, `outer` and `norm`, computed by `nx_runtime::linalg`.
//! The checker has converted the operands to the result dtype and checked what it can of the
//! shapes statically; lengths known only at run time are checked here.

use super::{ExecResult, Executor, RuntimeError, Value};
use crate::types::hir::{Expr, LibraryOp};
use nx_runtime::linalg::{self, LinalgError};

impl Executor {
    pub(super) fn eval_linalg(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        args: &[Expr],
    ) -> ExecResult<Value> {
        let span = expr.span;
        let error = |err: LinalgError| match err {
            LinalgError::Shape(message) => RuntimeError::new(
                span,
                format!("cannot multiply these arrays as matrices: {message}"),
            ),
            LinalgError::Alloc(err) => RuntimeError::new(span, err.to_string()),
        };
        match op {
            LibraryOp::MatMul | LibraryOp::Dot | LibraryOp::Outer => {
                let lhs = self.eval(&args[0])?.to_array();
                let rhs = self.eval(&args[1])?.to_array();
                let workers = self.workers();
                let result = if *op == LibraryOp::Outer {
                    linalg::outer(&lhs, &rhs, workers)
                } else {
                    linalg::matmul(&lhs, &rhs, workers)
                };
                Ok(Value::from_array(result.map_err(error)?))
            }
            LibraryOp::Norm => {
                let x = self.eval(&args[0])?.to_array();
                Ok(Value::Scalar(linalg::norm(&x)))
            }
            _ => Err(RuntimeError::internal(
                span,
                format!("{} dispatched to the linear-algebra executor", op.name()),
            )),
        }
    }
}

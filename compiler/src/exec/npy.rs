//! The executor's `load` and `save` of `.npy` files (`nx_runtime::npy` does the file work).
//! A loaded file is checked against the type the checker gave the `load`; every error names
//! the file.

use std::path::Path;

use super::{ExecResult, Executor, RuntimeError, Value};
use crate::types::hir::{Dim, Expr, LibraryOp};
use nx_runtime::npy;

impl Executor {
    pub(super) fn eval_npy(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        args: &[Expr],
    ) -> ExecResult<Value> {
        match op {
            LibraryOp::Load { path } => self.load_npy(expr, path),
            LibraryOp::Save { path } => {
                self.save_npy(expr, path, args)?;
                // `save` is a statement; this value is never used.
                Ok(Value::Scalar(nx_runtime::Scalar::Bool(true)))
            }
            _ => Err(RuntimeError::internal(
                expr.span,
                format!("{} dispatched to the .npy executor", op.name()),
            )),
        }
    }

    fn load_npy(&mut self, expr: &Expr, path: &str) -> ExecResult<Value> {
        let array = npy::load(Path::new(path))
            .map_err(|err| RuntimeError::new(expr.span, format!("cannot load `{path}`: {err}")))?;
        let expected = &expr.ty;
        let dims_fit = array.ndim() == expected.rank()
            && array
                .shape()
                .iter()
                .zip(&expected.dims)
                .all(|(&len, dim)| match dim {
                    Dim::Known(known) => len as u64 == *known,
                    Dim::Unknown => true,
                });
        if array.dtype() != expected.dtype || !dims_fit {
            let found = nx_runtime::format_type(array.dtype(), array.shape());
            let wanted = if expected.dims.iter().all(|dim| *dim == Dim::Unknown) {
                format!(
                    "{} with {} {}",
                    expected.dtype.name(),
                    expected.rank(),
                    if expected.rank() == 1 { "axis" } else { "axes" }
                )
            } else {
                expected.to_string()
            };
            return Err(RuntimeError::new(
                expr.span,
                format!("`{path}` holds {found}, but the program expects {wanted}"),
            ));
        }
        Ok(Value::from_array(array))
    }

    pub(super) fn save_npy(&mut self, expr: &Expr, path: &str, args: &[Expr]) -> ExecResult<()> {
        let value = self.eval(&args[0])?;
        npy::save(Path::new(path), &value.to_array())
            .map_err(|err| RuntimeError::new(expr.span, format!("cannot save `{path}`: {err}")))
    }
}

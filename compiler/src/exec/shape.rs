//! The executor's shape built-ins: `reshape`, `ravel`, `transpose(x, axes)`, `concat`,
//! `stack` and `broadcast_to` (spec §8). `transpose` and `broadcast_to` are always views, and
//! `reshape`/`ravel` are views of C-contiguous data (a copy otherwise); `concat` and `stack`
//! copy their items into one fresh array. (`x.T` and `transpose(x)` are
//! `ExprKind::Transpose`, also a view.)

use nx_runtime::{Array, DType, format_type};

use super::{ExecResult, Executor, RuntimeError, Value, alloc_error, checked_elements};
use crate::diagnostics::Span;
use crate::types::hir::{Expr, LibraryOp};

impl Executor {
    pub(super) fn eval_shape_op(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        args: &[Expr],
    ) -> ExecResult<Value> {
        let span = expr.span;
        let array = match op {
            LibraryOp::Reshape => {
                let x = self.eval(&args[0])?.to_array();
                let requested = self.eval_signed_shape(&args[1])?;
                let shape = resolve_reshape(&x, &requested, span)?;
                x.reshaped(&shape).map_err(alloc_error(span))?
            }
            LibraryOp::Ravel => {
                let x = self.eval(&args[0])?.to_array();
                x.reshaped(&[x.size()]).map_err(alloc_error(span))?
            }
            LibraryOp::Transpose { axes } => self.eval(&args[0])?.to_array().permuted(axes),
            LibraryOp::BroadcastTo => {
                let x = self.eval(&args[0])?.to_array();
                let shape = self.eval_shape(&args[1])?;
                x.broadcast_to(&shape).ok_or_else(|| {
                    RuntimeError::new(
                        span,
                        format!(
                            "cannot broadcast {} to {}",
                            format_type(x.dtype(), x.shape()),
                            format_type(x.dtype(), &shape)
                        ),
                    )
                })?
            }
            LibraryOp::Concat { axis } | LibraryOp::Stack { axis } => {
                let stack = matches!(op, LibraryOp::Stack { .. });
                let mut items = Vec::with_capacity(args.len());
                for arg in args {
                    items.push(self.eval(arg)?.to_array());
                }
                join(&items, args, *axis, stack, expr.ty.dtype, span)?
            }
            _ => unreachable!("{} is not a shape built-in", op.name()),
        };
        Ok(Value::from_array(array))
    }

    /// A shape argument whose lengths may be negative (`reshape`'s `-1`).
    fn eval_signed_shape(&mut self, shape: &Expr) -> ExecResult<Vec<i64>> {
        Ok(match self.eval(shape)? {
            Value::Scalar(s) => vec![s.as_i128().unwrap_or(0) as i64],
            Value::Array(a) => a.iter().map(|s| s.as_i128().unwrap_or(0) as i64).collect(),
        })
    }
}

/// The shape `reshape` gives `x` for `requested`, with its one `-1` inferred.
fn resolve_reshape(x: &Array, requested: &[i64], span: Span) -> ExecResult<Vec<usize>> {
    let shown: Vec<String> = requested.iter().map(i64::to_string).collect();
    let cannot = || {
        RuntimeError::new(
            span,
            format!(
                "cannot reshape {} ({} elements) into shape [{}]",
                format_type(x.dtype(), x.shape()),
                x.size(),
                shown.join(", ")
            ),
        )
    };
    let mut unknown_axis = None;
    let mut known_size: u128 = 1;
    for (axis, &length) in requested.iter().enumerate() {
        match length {
            -1 if unknown_axis.is_none() => unknown_axis = Some(axis),
            -1 => {
                return Err(RuntimeError::new(
                    span,
                    format!(
                        "`reshape` can infer only one length, found two `-1` in [{}]",
                        shown.join(", ")
                    ),
                ));
            }
            length if length < 0 => {
                return Err(RuntimeError::new(
                    span,
                    super::negative_dimension(i128::from(length)),
                ));
            }
            length => known_size = known_size.saturating_mul(length as u128),
        }
    }
    let size = x.size() as u128;
    let mut shape: Vec<usize> = requested.iter().map(|&n| n.max(0) as usize).collect();
    match unknown_axis {
        Some(axis) => {
            if known_size == 0 || !size.is_multiple_of(known_size) {
                return Err(cannot());
            }
            shape[axis] = (size / known_size) as usize;
        }
        None if known_size != size => return Err(cannot()),
        None => {}
    }
    Ok(shape)
}

/// `concat` (`stack == false`) or `stack` of `items` (already of the result `dtype`) along
/// `axis`; `args` give the items' spans for errors.
fn join(
    items: &[Array],
    args: &[Expr],
    axis: usize,
    stack: bool,
    dtype: DType,
    span: Span,
) -> ExecResult<Array> {
    let name = if stack { "stack" } else { "concat" };
    let first_shape = items[0].shape().to_vec();
    for (item, arg) in items.iter().zip(args).skip(1) {
        let matches = item.shape().len() == first_shape.len()
            && item
                .shape()
                .iter()
                .zip(&first_shape)
                .enumerate()
                .all(|(k, (a, b))| a == b || (!stack && k == axis));
        if !matches {
            return Err(RuntimeError::new(
                arg.span,
                format!(
                    "`{name}` needs matching shapes: {} and {}",
                    format_type(dtype, &first_shape),
                    format_type(dtype, item.shape())
                ),
            ));
        }
    }
    // `stack` is `concat` of the items with a length-1 axis inserted at `axis`.
    let mut pieces = Vec::with_capacity(items.len());
    for item in items {
        let piece = if stack {
            let mut shape = item.shape().to_vec();
            shape.insert(axis, 1);
            item.reshaped(&shape).map_err(alloc_error(span))?
        } else {
            item.to_contiguous().map_err(alloc_error(span))?
        };
        pieces.push(piece);
    }
    let mut shape = pieces[0].shape().to_vec();
    shape[axis] = pieces.iter().map(|piece| piece.shape()[axis]).sum();
    checked_elements(&shape, dtype, span)?;
    let mut result = Array::zeros(dtype, &shape).map_err(alloc_error(span))?;
    if result.size() == 0 {
        return Ok(result);
    }
    // Row-major: the result is `outer` runs, each the concatenation of one run of every
    // piece, of `piece.shape()[axis] * inner` elements.
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    let element_size = dtype.size();
    let result_run = shape[axis] * inner * element_size;
    let target = result.make_mut().map_err(alloc_error(span))?;
    let mut start_in_run = 0;
    for piece in &pieces {
        let piece_run = piece.shape()[axis] * inner * element_size;
        if piece_run > 0 {
            let source = piece.data_ptr();
            for run in 0..outer {
                // SAFETY: `piece` is C-contiguous (to_contiguous/reshaped) and non-empty, so
                // its `outer * piece_run` bytes follow `data_ptr()` inside its buffer; the
                // target is the fresh result of `outer * result_run` bytes, where this run
                // ends at `run * result_run + start_in_run + piece_run <= (run + 1) *
                // result_run`; the two are different allocations.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        source.add(run * piece_run),
                        target.add(run * result_run + start_in_run),
                        piece_run,
                    );
                }
            }
        }
        start_in_run += piece_run;
    }
    Ok(result)
}

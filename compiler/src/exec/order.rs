//! The executor's scans, sorting and comparison helpers: `cumsum`, `cumprod` (sequential
//! accumulation along an axis, or over the flattened array), `sort`, `argsort` (stable, `nan`
//! last; `nx_runtime::sort`), `allclose` and `array_equal` (rank-0 bool results).

use super::{ExecResult, Executor, RuntimeError, Value, alloc_error};
use crate::types::hir::{Expr, LibraryOp};
use nx_runtime::sort::{argsort_axis, axis_lines, sort_axis};
use nx_runtime::{Array, DType, Element, Scalar, broadcast_shapes, format_type};

impl Executor {
    pub(super) fn eval_order(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        args: &[Expr],
    ) -> ExecResult<Value> {
        let span = expr.span;
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval(arg)?);
        }
        let array = match op {
            LibraryOp::Cumsum { axis } | LibraryOp::Cumprod { axis } => {
                let x = values[0].to_array();
                // Without an axis the scan runs over the flattened array (NumPy).
                let (x, axis) = match axis {
                    Some(axis) => (x, *axis),
                    None => {
                        let flat = x.reshaped(&[x.size()]).map_err(alloc_error(span))?;
                        (flat, 0)
                    }
                };
                let product = matches!(op, LibraryOp::Cumprod { .. });
                scan(&x, axis, product).map_err(alloc_error(span))?
            }
            LibraryOp::Sort { axis } => {
                sort_axis(&values[0].to_array(), *axis).map_err(alloc_error(span))?
            }
            LibraryOp::Argsort { axis } => {
                argsort_axis(&values[0].to_array(), *axis).map_err(alloc_error(span))?
            }
            LibraryOp::Allclose => {
                let a = values[0].to_array();
                let b = values[1].to_array();
                let rtol = values[2].scalar().as_f64();
                let atol = values[3].scalar().as_f64();
                let shape = broadcast_shapes(a.shape(), b.shape()).ok_or_else(|| {
                    RuntimeError::new(
                        span,
                        format!(
                            "cannot broadcast {} with {}",
                            format_type(a.dtype(), a.shape()),
                            format_type(b.dtype(), b.shape())
                        ),
                    )
                })?;
                let (a, b) = (broadcast(&a, &shape), broadcast(&b, &shape));
                let close = a
                    .iter()
                    .zip(b.iter())
                    .all(|(x, y)| is_close(x.as_f64(), y.as_f64(), rtol, atol));
                return Ok(Value::Scalar(Scalar::Bool(close)));
            }
            LibraryOp::ArrayEqual => {
                let (a, b) = (&values[0], &values[1]);
                let equal = a.shape() == b.shape() && {
                    let (a, b) = (a.to_array(), b.to_array());
                    a.iter().zip(b.iter()).all(|(x, y)| scalars_equal(x, y))
                };
                return Ok(Value::Scalar(Scalar::Bool(equal)));
            }
            _ => {
                return Err(RuntimeError::internal(
                    span,
                    format!("{} is not an order built-in", op.name()),
                ));
            }
        };
        Ok(Value::from_array(array))
    }
}

fn broadcast(array: &Array, shape: &[usize]) -> Array {
    array
        .broadcast_to(shape)
        .expect("broadcast_shapes accepted this shape")
}

/// NumPy's `isclose` (equal_nan=False): infinities are close only to themselves, `nan` to
/// nothing; otherwise `|a - b| <= atol + rtol * |b|`, computed in f64.
fn is_close(a: f64, b: f64, rtol: f64, atol: f64) -> bool {
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    (a - b).abs() <= atol + rtol * b.abs()
}

/// `==` as NumPy compares two elements: integers (and bools) exactly, anything with a float
/// as f64 (`nan` equals nothing).
fn scalars_equal(x: Scalar, y: Scalar) -> bool {
    if x.dtype().is_float() || y.dtype().is_float() {
        x.as_f64() == y.as_f64()
    } else {
        x.as_i128() == y.as_i128()
    }
}

/// The running sum or product of `x` along `axis`, in `x`'s dtype (f32, f64, i64 or u64 as
/// the checker arranged: integers wrap around), accumulated sequentially as NumPy does.
fn scan(x: &Array, axis: usize, product: bool) -> Result<Array, nx_runtime::AllocError> {
    match x.dtype() {
        DType::F64 => Ok(scan_typed::<f64>(
            x,
            axis,
            product,
            |a, b| a + b,
            |a, b| a * b,
        )),
        DType::F32 => Ok(scan_typed::<f32>(
            x,
            axis,
            product,
            |a, b| a + b,
            |a, b| a * b,
        )),
        DType::U64 => Ok(scan_typed::<u64>(
            x,
            axis,
            product,
            u64::wrapping_add,
            u64::wrapping_mul,
        )),
        // The checker converts other dtypes to i64 first; converting here keeps this total.
        _ => {
            let x = x.cast(DType::I64)?;
            Ok(scan_typed::<i64>(
                &x,
                axis,
                product,
                i64::wrapping_add,
                i64::wrapping_mul,
            ))
        }
    }
}

fn scan_typed<T: Element>(
    x: &Array,
    axis: usize,
    product: bool,
    add: fn(T, T) -> T,
    mul: fn(T, T) -> T,
) -> Array {
    let mut values: Vec<T> = x.to_vec();
    let combine = if product { mul } else { add };
    let (starts, stride, len) = axis_lines(x.shape(), axis);
    for start in starts {
        for k in 1..len {
            let previous = values[start + (k - 1) * stride];
            let current = &mut values[start + k * stride];
            *current = combine(previous, *current);
        }
    }
    Array::from_vec(x.shape(), values)
}

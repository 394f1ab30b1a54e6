//! `arange` and `linspace`, computed exactly as NumPy computes them so that results agree bit
//! for bit (spec §8 ties creation functions to NumPy).

use super::{ExecResult, RuntimeError, alloc_error, checked_elements};
use crate::diagnostics::Span;
use crate::ir::BinaryOp;
use crate::ir::interp::eval_binary;
use nx_runtime::{Array, DType, Scalar};

/// `arange(start, stop, step)` of `dtype`. `start`, `stop` and `step` share one computation
/// domain (`f64` if any was a float, else `i64`), in which the length is computed. The values
/// follow NumPy's fill rule in the result dtype: `a[0] = start`, `a[1] = start + step`, and
/// `a[i] = a[0] + i * (a[1] - a[0])` for the rest (integers wrap).
pub(super) fn arange(
    start: Scalar,
    stop: Scalar,
    step: Scalar,
    dtype: DType,
    span: Span,
) -> ExecResult<Array> {
    let zero_step = || RuntimeError::new(span, "the step of `arange` cannot be zero");
    let (len, second) = if start.dtype().is_float() {
        let (start, stop, step) = (start.as_f64(), stop.as_f64(), step.as_f64());
        if step == 0.0 || step.is_nan() {
            return Err(zero_step());
        }
        let len = ((stop - start) / step).ceil();
        let len = if len.is_finite() && len > 0.0 {
            len as u128
        } else {
            0
        };
        (len, Scalar::F64(start + step))
    } else {
        let (start, stop, step) = (
            start.as_i128().unwrap_or(0),
            stop.as_i128().unwrap_or(0),
            step.as_i128().unwrap_or(0),
        );
        if step == 0 {
            return Err(zero_step());
        }
        // Ceiling division of the distance by the step, clamped at zero.
        let distance = stop - start;
        let len = if (distance > 0) == (step > 0) && distance != 0 {
            ((distance.abs() + step.abs() - 1) / step.abs()) as u128
        } else {
            0
        };
        (len, Scalar::I64((start + step) as i64))
    };
    let len = usize::try_from(len)
        .map_err(|_| RuntimeError::new(span, "memory exhausted: array too large"))?;
    checked_elements(&[len], dtype, span)?;
    if dtype == DType::Bool && len > 2 {
        return Err(RuntimeError::new(
            span,
            format!("`arange` of bool has at most 2 values, not {len}"),
        ));
    }
    let first = start.cast(dtype);
    let second = second.cast(dtype);
    let values: Vec<Scalar> = match (dtype, first, second) {
        (DType::F64, Scalar::F64(first), Scalar::F64(second)) => {
            let delta = second - first;
            return Ok(Array::from_vec(
                &[len],
                fill(len, first, second, |i| first + i as f64 * delta),
            ));
        }
        (DType::I64, Scalar::I64(first), Scalar::I64(second)) => {
            let delta = second.wrapping_sub(first);
            let values = fill(len, first, second, |i| {
                first.wrapping_add((i as i64).wrapping_mul(delta))
            });
            return Ok(Array::from_vec(&[len], values));
        }
        _ => {
            // Only needed from the third value on (bool, which has no subtraction, stops at two).
            let delta = if len > 2 {
                eval_binary(BinaryOp::Sub, second, first).unwrap_or(first)
            } else {
                first
            };
            fill(len, first, second, |i| {
                let index = if dtype.is_float() {
                    Scalar::from_f64(dtype, i as f64)
                } else {
                    Scalar::from_i128_wrapping(dtype, i as i128)
                };
                let offset = eval_binary(BinaryOp::Mul, index, delta).unwrap_or(first);
                eval_binary(BinaryOp::Add, first, offset).unwrap_or(first)
            })
        }
    };
    Array::from_scalars(dtype, &[len], &values).map_err(alloc_error(span))
}

/// `len` values: `first`, `second`, then `rest(i)` for `i >= 2`.
fn fill<T: Copy>(len: usize, first: T, second: T, rest: impl Fn(usize) -> T) -> Vec<T> {
    (0..len)
        .map(|i| match i {
            0 => first,
            1 => second,
            _ => rest(i),
        })
        .collect()
}

/// The float types `linspace` computes in (NumPy computes in the result dtype).
trait LinspaceFloat:
    Copy
    + PartialEq
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
{
    const ZERO: Self;
    fn from_index(index: usize) -> Self;
}

impl LinspaceFloat for f64 {
    const ZERO: f64 = 0.0;
    fn from_index(index: usize) -> f64 {
        index as f64
    }
}

impl LinspaceFloat for f32 {
    const ZERO: f32 = 0.0;
    fn from_index(index: usize) -> f32 {
        index as f32
    }
}

/// NumPy's `linspace` formula: `i * step + start` with `step = (stop - start) / div`, or
/// `(i / div) * delta + start` when that step underflows to zero; the endpoint is exact.
fn linspace_values<T: LinspaceFloat>(start: T, stop: T, num: usize, endpoint: bool) -> Vec<T> {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let mut values: Vec<T> = if div > 0 {
        let div_t = T::from_index(div);
        let step = delta / div_t;
        if step == T::ZERO {
            (0..num)
                .map(|i| (T::from_index(i) / div_t) * delta + start)
                .collect()
        } else {
            (0..num).map(|i| T::from_index(i) * step + start).collect()
        }
    } else {
        (0..num).map(|i| T::from_index(i) * delta + start).collect()
    };
    if endpoint && num > 1 {
        values[num - 1] = stop;
    }
    values
}

/// `linspace` in `dtype` (f32 or f64; the checker gives the computation dtype).
pub(super) fn linspace(
    start: Scalar,
    stop: Scalar,
    num: usize,
    endpoint: bool,
    dtype: DType,
    span: Span,
) -> ExecResult<Array> {
    checked_elements(&[num], dtype, span)?;
    Ok(match dtype {
        DType::F32 => {
            let (start, stop) = (start.cast(DType::F32), stop.cast(DType::F32));
            let (Scalar::F32(start), Scalar::F32(stop)) = (start, stop) else {
                unreachable!("cast to f32")
            };
            Array::from_vec(&[num], linspace_values(start, stop, num, endpoint))
        }
        _ => {
            let values = linspace_values(start.as_f64(), stop.as_f64(), num, endpoint);
            Array::from_vec(&[num], values)
                .cast(dtype)
                .map_err(alloc_error(span))?
        }
    })
}

//! Sorting along one axis (`sort`, `argsort`), stable, with NumPy's order: numbers ascending,
//! `nan` after everything (`-0.0` and `0.0` compare equal, so they keep their order), and
//! the walk over the 1-D lines of an array along one axis that scans share.

use std::cmp::Ordering;

use crate::array::{Array, Element};
use crate::buffer::AllocError;
use crate::dtype::DType;

/// An element type with NumPy's sort order.
pub trait SortKey: Element {
    fn sort_cmp(&self, other: &Self) -> Ordering;
}

macro_rules! ordered_sort_key {
    ($($rust_type:ty),*) => {
        $(impl SortKey for $rust_type {
            fn sort_cmp(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
        })*
    };
}

macro_rules! float_sort_key {
    ($($rust_type:ty),*) => {
        $(impl SortKey for $rust_type {
            fn sort_cmp(&self, other: &Self) -> Ordering {
                match (self.is_nan(), other.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    (false, false) => self.partial_cmp(other).unwrap_or(Ordering::Equal),
                }
            }
        })*
    };
}

ordered_sort_key!(bool, i8, i16, i32, i64, u8, u16, u32, u64);
float_sort_key!(f32, f64);

/// The 1-D lines of a C-contiguous array of `shape` along `axis`: for each line, the element
/// index of its first element; consecutive elements of a line are `stride` apart. Returns
/// (starts, stride, line length).
pub fn axis_lines(shape: &[usize], axis: usize) -> (Vec<usize>, usize, usize) {
    let len = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    let mut starts = Vec::with_capacity(if len == 0 { 0 } else { outer * inner });
    if len > 0 {
        for outer_index in 0..outer {
            for inner_index in 0..inner {
                starts.push(outer_index * len * inner + inner_index);
            }
        }
    }
    (starts, inner, len)
}

/// `array` sorted along `axis` (stable), a new C-contiguous array of the same dtype and shape.
pub fn sort_axis(array: &Array, axis: usize) -> Result<Array, AllocError> {
    match array.dtype() {
        DType::Bool => sort_typed::<bool>(array, axis),
        DType::I8 => sort_typed::<i8>(array, axis),
        DType::I16 => sort_typed::<i16>(array, axis),
        DType::I32 => sort_typed::<i32>(array, axis),
        DType::I64 => sort_typed::<i64>(array, axis),
        DType::U8 => sort_typed::<u8>(array, axis),
        DType::U16 => sort_typed::<u16>(array, axis),
        DType::U32 => sort_typed::<u32>(array, axis),
        DType::U64 => sort_typed::<u64>(array, axis),
        DType::F32 => sort_typed::<f32>(array, axis),
        DType::F64 => sort_typed::<f64>(array, axis),
    }
}

/// The indices that sort `array` along `axis` (stable; equal elements keep their order),
/// an i64 array of the same shape.
pub fn argsort_axis(array: &Array, axis: usize) -> Result<Array, AllocError> {
    match array.dtype() {
        DType::Bool => argsort_typed::<bool>(array, axis),
        DType::I8 => argsort_typed::<i8>(array, axis),
        DType::I16 => argsort_typed::<i16>(array, axis),
        DType::I32 => argsort_typed::<i32>(array, axis),
        DType::I64 => argsort_typed::<i64>(array, axis),
        DType::U8 => argsort_typed::<u8>(array, axis),
        DType::U16 => argsort_typed::<u16>(array, axis),
        DType::U32 => argsort_typed::<u32>(array, axis),
        DType::U64 => argsort_typed::<u64>(array, axis),
        DType::F32 => argsort_typed::<f32>(array, axis),
        DType::F64 => argsort_typed::<f64>(array, axis),
    }
}

fn sort_typed<T: SortKey>(array: &Array, axis: usize) -> Result<Array, AllocError> {
    let mut values: Vec<T> = array.to_vec();
    let (starts, stride, len) = axis_lines(array.shape(), axis);
    let mut line: Vec<T> = Vec::with_capacity(len);
    for start in starts {
        line.clear();
        line.extend((0..len).map(|k| values[start + k * stride]));
        line.sort_by(T::sort_cmp);
        for (k, &value) in line.iter().enumerate() {
            values[start + k * stride] = value;
        }
    }
    Ok(Array::from_vec(array.shape(), values))
}

fn argsort_typed<T: SortKey>(array: &Array, axis: usize) -> Result<Array, AllocError> {
    let values: Vec<T> = array.to_vec();
    let mut indices = vec![0i64; values.len()];
    let (starts, stride, len) = axis_lines(array.shape(), axis);
    let mut order: Vec<usize> = Vec::with_capacity(len);
    for start in starts {
        order.clear();
        order.extend(0..len);
        order.sort_by(|&i, &j| values[start + i * stride].sort_cmp(&values[start + j * stride]));
        for (k, &position) in order.iter().enumerate() {
            indices[start + k * stride] = position as i64;
        }
    }
    Ok(Array::from_vec(array.shape(), indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_sorts_last_and_argsort_is_stable() {
        let array = Array::from_vec(&[5], vec![3.0, f64::NAN, 1.0, 3.0, -1.0]);
        let sorted = sort_axis(&array, 0).unwrap().to_vec::<f64>();
        assert_eq!(&sorted[..4], &[-1.0, 1.0, 3.0, 3.0]);
        assert!(sorted[4].is_nan());
        let order = argsort_axis(&array, 0).unwrap().to_vec::<i64>();
        assert_eq!(order, vec![4, 2, 0, 3, 1]);
    }

    #[test]
    fn sorts_along_the_first_axis() {
        let array = Array::from_vec(&[2, 3], vec![4i32, 1, 6, 2, 5, 3]);
        let sorted = sort_axis(&array, 0).unwrap().to_vec::<i32>();
        assert_eq!(sorted, vec![2, 1, 3, 4, 5, 6]);
        let order = argsort_axis(&array, 0).unwrap().to_vec::<i64>();
        assert_eq!(order, vec![1, 0, 1, 0, 1, 0]);
    }
}

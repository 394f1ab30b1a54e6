//! `Array`: an n-dimensional array or view with value semantics. Owns the view arithmetic
//! (slicing, indexing, new axes, broadcasting, transposition, reshaping), copy-on-write,
//! element conversion between dtypes, and the `Element` bridge to Rust's number types.
//!
//! An array is a dtype, a shape, strides and an offset (both counted in elements, strides
//! may be zero or negative) into a shared `Buffer`. Views share the buffer; anyone about to
//! write calls `make_mut`, which copies first unless this array is the buffer's only user
//! and covers it exactly. That is how "arrays have value semantics" (spec §2) survives
//! buffer sharing.

use std::sync::Arc;

use crate::buffer::{AllocError, Buffer};
use crate::dtype::DType;
use crate::scalar::Scalar;

/// A Rust type that is the element type of one nx dtype.
pub trait Element: Copy + Send + Sync + 'static {
    const DTYPE: DType;
    fn to_scalar(self) -> Scalar;
    /// Converts with `Scalar::cast` semantics if `scalar` has another dtype.
    fn from_scalar(scalar: Scalar) -> Self;
}

/// Implements `Element` for one Rust type and its `Scalar` variant.
macro_rules! impl_element {
    ($rust_type:ty, $variant:ident) => {
        impl Element for $rust_type {
            const DTYPE: DType = DType::$variant;
            fn to_scalar(self) -> Scalar {
                Scalar::$variant(self)
            }
            fn from_scalar(scalar: Scalar) -> Self {
                match scalar.cast(DType::$variant) {
                    Scalar::$variant(value) => value,
                    _ => unreachable!("Scalar::cast returns the requested dtype"),
                }
            }
        }
    };
}

impl_element!(bool, Bool);
impl_element!(i8, I8);
impl_element!(i16, I16);
impl_element!(i32, I32);
impl_element!(i64, I64);
impl_element!(u8, U8);
impl_element!(u16, U16);
impl_element!(u32, U32);
impl_element!(u64, U64);
impl_element!(f32, F32);
impl_element!(f64, F64);

/// A normalized Python slice on one axis: the first index, the number of elements, and
/// the step (nonzero, possibly negative). `start` is meaningful only when `len > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SliceRange {
    pub start: usize,
    pub len: usize,
    pub step: isize,
}

impl SliceRange {
    /// Python's `slice(start, stop, step).indices(axis_len)` followed by the element count:
    /// negative bounds count from the end, out-of-range bounds clamp, and a negative step
    /// defaults to running from the last element down to the first.
    ///
    /// `step != 0` is the caller's job (the language reports a zero step as an error).
    pub fn normalize(
        axis_len: usize,
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    ) -> SliceRange {
        assert!(step != 0, "slice step must be nonzero");
        // i128 throughout: no bound or step, however extreme, can overflow.
        let length = axis_len as i128;
        let step_wide = i128::from(step);
        let (lower, upper) = if step < 0 {
            (-1, length - 1)
        } else {
            (0, length)
        };
        let clamp_bound = |bound: i64| -> i128 {
            let mut bound = i128::from(bound);
            if bound < 0 {
                bound += length;
                bound.max(lower)
            } else {
                bound.min(upper)
            }
        };
        let first = match start {
            Some(bound) => clamp_bound(bound),
            None if step < 0 => upper,
            None => lower,
        };
        let end = match stop {
            Some(bound) => clamp_bound(bound),
            None if step < 0 => lower,
            None => upper,
        };
        let count = if step > 0 && first < end {
            (end - first - 1) / step_wide + 1
        } else if step < 0 && end < first {
            (first - end - 1) / (-step_wide) + 1
        } else {
            0
        };
        SliceRange {
            // An empty slice may have `first == -1` or `first == axis_len`; pin it to 0
            // so that it is never used to move a view's offset out of its buffer.
            start: if count == 0 { 0 } else { first as usize },
            len: count as usize,
            // An i64 step fits isize on the 64-bit targets nx supports.
            step: step as isize,
        }
    }
}

/// An n-dimensional array or view; see the module documentation.
#[derive(Clone, Debug)]
pub struct Array {
    dtype: DType,
    shape: Vec<usize>,
    /// Distance between neighbours along each axis, in elements.
    strides: Vec<isize>,
    /// Elements from the buffer start to element `[0, …, 0]`.
    offset: usize,
    buffer: Arc<Buffer>,
}

/// Row-major (C) strides, in elements, for `shape`.
fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut step = 1isize;
    for axis in (0..shape.len()).rev() {
        strides[axis] = step;
        // Saturate: only reachable for shapes whose size overflows, which fail to allocate.
        step = step.saturating_mul(shape[axis].max(1) as isize);
    }
    strides
}

/// The number of bytes `shape` of `dtype` needs, or an error if that overflows.
fn checked_n_bytes(dtype: DType, shape: &[usize]) -> Result<usize, AllocError> {
    shape
        .iter()
        .try_fold(dtype.size(), |bytes, &axis_len| bytes.checked_mul(axis_len))
        .ok_or(AllocError { bytes: usize::MAX })
}

impl Array {
    /// A C-contiguous array of zeros (false for bool).
    pub fn zeros(dtype: DType, shape: &[usize]) -> Result<Array, AllocError> {
        Array::c_order_in(dtype, shape, Buffer::zeroed)
    }

    /// A C-contiguous array over a new buffer from `allocate` (given the byte count).
    fn c_order_in(
        dtype: DType,
        shape: &[usize],
        allocate: impl FnOnce(usize) -> Result<Buffer, AllocError>,
    ) -> Result<Array, AllocError> {
        let buffer = allocate(checked_n_bytes(dtype, shape)?)?;
        Ok(Array {
            dtype,
            shape: shape.to_vec(),
            strides: c_strides(shape),
            offset: 0,
            buffer: Arc::new(buffer),
        })
    }

    /// A C-contiguous array whose elements are unspecified, for a kernel output that is
    /// written completely before it is read (see `Buffer::for_overwrite`).
    pub fn for_overwrite(dtype: DType, shape: &[usize]) -> Result<Array, AllocError> {
        Array::c_order_in(dtype, shape, Buffer::for_overwrite)
    }

    /// A C-contiguous array with every element `value` (of `value`'s dtype).
    pub fn full(shape: &[usize], value: Scalar) -> Result<Array, AllocError> {
        let array = Array::zeros(value.dtype(), shape)?;
        let is_zero_bits = value.bits_eq(Scalar::zero(value.dtype()));
        if !is_zero_bits {
            let element_size = value.dtype().size();
            let base = array.buffer.as_mut_ptr();
            for element_index in 0..array.size() {
                // SAFETY: the fresh buffer holds `size()` elements and nobody else sees it.
                unsafe { value.write(base.add(element_index * element_size)) };
            }
        }
        Ok(array)
    }

    /// A rank-0 array holding `value`.
    pub fn from_scalar(value: Scalar) -> Array {
        // Eight bytes cannot fail to allocate in any state the process can continue in;
        // `handle_alloc_error` is what Rust's own allocations do there.
        match Array::full(&[], value) {
            Ok(array) => array,
            Err(_) => std::alloc::handle_alloc_error(
                std::alloc::Layout::from_size_align(value.dtype().size(), 64)
                    .expect("a scalar layout is valid"),
            ),
        }
    }

    /// A C-contiguous array with `data` in row-major order.
    ///
    /// Panics if `data.len()` is not the product of `shape` (a programmer error).
    pub fn from_vec<T: Element>(shape: &[usize], data: Vec<T>) -> Array {
        let expected_len: usize = shape.iter().product();
        assert_eq!(
            data.len(),
            expected_len,
            "Array::from_vec: {} elements for shape {:?}",
            data.len(),
            shape
        );
        match Array::zeros(T::DTYPE, shape) {
            Ok(array) => {
                let base = array.buffer.as_mut_ptr();
                for (element_index, value) in data.into_iter().enumerate() {
                    // SAFETY: the fresh buffer holds `data.len()` elements of T's dtype.
                    unsafe {
                        value
                            .to_scalar()
                            .write(base.add(element_index * T::DTYPE.size()))
                    };
                }
                array
            }
            // No memory for a copy: keep the Vec itself as external storage instead.
            Err(_) => Array::wrap_vec(shape, data),
        }
    }

    /// Wraps a Vec's memory without copying it.
    fn wrap_vec<T: Element>(shape: &[usize], mut data: Vec<T>) -> Array {
        let n_bytes = std::mem::size_of_val(data.as_slice());
        let ptr = data.as_mut_ptr().cast::<u8>();
        // SAFETY: a Vec's heap memory stays put when the Vec is moved into the owner box,
        // and stays valid until that box is dropped with the buffer. T is one of nx's
        // element types, whose size and byte representation are the dtype's (bool is a
        // byte holding 0 or 1).
        let buffer = unsafe { Buffer::from_external(ptr, n_bytes, Box::new(data)) };
        Array {
            dtype: T::DTYPE,
            shape: shape.to_vec(),
            strides: c_strides(shape),
            offset: 0,
            buffer: Arc::new(buffer),
        }
    }

    /// A C-contiguous array of `values` (row-major), each cast to `dtype`.
    ///
    /// Panics if `values.len()` is not the product of `shape` (a programmer error).
    pub fn from_scalars(
        dtype: DType,
        shape: &[usize],
        values: &[Scalar],
    ) -> Result<Array, AllocError> {
        let expected_len: usize = shape.iter().product();
        assert_eq!(
            values.len(),
            expected_len,
            "Array::from_scalars: {} values for shape {:?}",
            values.len(),
            shape
        );
        Array::collect_cast(dtype, shape, values.iter().copied())
    }

    /// Assembles an array from its parts. The caller guarantees every element lies inside
    /// the buffer (checked in debug builds).
    pub fn from_parts(
        dtype: DType,
        shape: Vec<usize>,
        strides: Vec<isize>,
        offset: usize,
        buffer: Arc<Buffer>,
    ) -> Array {
        assert_eq!(shape.len(), strides.len(), "one stride per axis");
        let array = Array {
            dtype,
            shape,
            strides,
            offset,
            buffer,
        };
        debug_assert!(
            array.elements_in_bounds(),
            "view outside its buffer: {array:?}"
        );
        array
    }

    /// Whether the lowest and highest element this view touches lie in its buffer.
    fn elements_in_bounds(&self) -> bool {
        if self.size() == 0 {
            return true;
        }
        let mut lowest = self.offset as i128;
        let mut highest = self.offset as i128;
        for (&axis_len, &stride) in self.shape.iter().zip(&self.strides) {
            let reach = (axis_len as i128 - 1) * stride as i128;
            if reach < 0 {
                lowest += reach;
            } else {
                highest += reach;
            }
        }
        let capacity = (self.buffer.len_bytes() / self.dtype.size()) as i128;
        lowest >= 0 && highest < capacity
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Strides in elements.
    pub fn strides(&self) -> &[isize] {
        &self.strides
    }

    /// Elements from the buffer start to element `[0, …, 0]`.
    pub fn offset(&self) -> usize {
        self.offset
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn buffer(&self) -> &Arc<Buffer> {
        &self.buffer
    }

    /// Address of element `[0, …, 0]` (the buffer start when the array is empty).
    pub fn data_ptr(&self) -> *const u8 {
        if self.size() == 0 {
            return self.buffer.as_ptr();
        }
        // SAFETY: a non-empty view's offset lies inside its buffer (from_parts invariant).
        unsafe { self.buffer.as_ptr().add(self.offset * self.dtype.size()) }
    }

    /// Strides in bytes, as kernels take them.
    pub fn byte_strides(&self) -> Vec<isize> {
        let element_size = self.dtype.size() as isize;
        self.strides
            .iter()
            .map(|&stride| stride * element_size)
            .collect()
    }

    /// Row-major with no gaps. Axes of length 1 may have any stride; empty arrays are
    /// contiguous.
    pub fn is_c_contiguous(&self) -> bool {
        if self.size() == 0 {
            return true;
        }
        let mut expected_stride = 1isize;
        for axis in (0..self.ndim()).rev() {
            let axis_len = self.shape[axis];
            if axis_len != 1 {
                if self.strides[axis] != expected_stride {
                    return false;
                }
                expected_stride *= axis_len as isize;
            }
        }
        true
    }

    /// Element offset (from the buffer start) of a multi-index, which must be in bounds.
    fn element_offset(&self, index: &[usize]) -> usize {
        let mut position = self.offset as isize;
        for (&coordinate, &stride) in index.iter().zip(&self.strides) {
            position += coordinate as isize * stride;
        }
        position as usize
    }

    /// The element at `index`. Panics unless `index` has one in-bounds entry per axis:
    /// checking user indices is the caller's job.
    pub fn get(&self, index: &[usize]) -> Scalar {
        assert_eq!(
            index.len(),
            self.ndim(),
            "Array::get: wrong number of indices"
        );
        for (axis, (&coordinate, &axis_len)) in index.iter().zip(&self.shape).enumerate() {
            assert!(
                coordinate < axis_len,
                "Array::get: index {coordinate} out of bounds for axis {axis} with size {axis_len}"
            );
        }
        let byte_offset = self.element_offset(index) * self.dtype.size();
        // SAFETY: the index is in bounds, so the element lies in the buffer.
        unsafe { Scalar::read(self.dtype, self.buffer.as_ptr().add(byte_offset)) }
    }

    /// The single element of a rank-0 or size-1 array. Panics otherwise.
    pub fn scalar_value(&self) -> Scalar {
        assert_eq!(
            self.size(),
            1,
            "Array::scalar_value on an array of size {}",
            self.size()
        );
        // SAFETY: a size-1 view's element [0, …, 0] lies in the buffer.
        unsafe { Scalar::read(self.dtype, self.data_ptr()) }
    }

    /// The elements in row-major order, whatever the strides.
    pub fn iter(&self) -> impl Iterator<Item = Scalar> + '_ {
        let element_size = self.dtype.size();
        let base = self.buffer.as_ptr();
        self.element_offsets().map(move |element_offset| {
            // SAFETY: `element_offsets` yields only offsets of this view's elements, which
            // lie inside the buffer.
            unsafe { Scalar::read(self.dtype, base.add(element_offset * element_size)) }
        })
    }

    /// Buffer offsets (in elements) of every element, in row-major order.
    fn element_offsets(&self) -> ElementOffsets<'_> {
        ElementOffsets {
            shape: &self.shape,
            strides: &self.strides,
            index: vec![0; self.ndim()],
            position: self.offset as isize,
            remaining: self.size(),
        }
    }

    /// The elements in row-major order. Panics if `T` is not this array's element type.
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        assert_eq!(
            T::DTYPE,
            self.dtype,
            "Array::to_vec: element type does not match the array's dtype"
        );
        self.iter().map(T::from_scalar).collect()
    }

    /// A C-contiguous array with the same elements; a cheap clone if already contiguous.
    pub fn to_contiguous(&self) -> Result<Array, AllocError> {
        if self.is_c_contiguous() {
            return Ok(self.clone());
        }
        self.copy_to_fresh()
    }

    /// Copies the elements into a new, owned, C-contiguous buffer of exactly their size.
    fn copy_to_fresh(&self) -> Result<Array, AllocError> {
        let fresh = Array::zeros(self.dtype, &self.shape)?;
        let element_size = self.dtype.size();
        let source_base = self.buffer.as_ptr();
        let target_base = fresh.buffer.as_mut_ptr();
        if self.is_c_contiguous() && self.size() > 0 {
            // SAFETY: a non-empty C-contiguous view's elements are the `size()` consecutive
            // elements from `data_ptr()`, all inside its buffer; the target is a different,
            // fresh allocation of exactly that many bytes.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    self.data_ptr(),
                    target_base,
                    self.size() * element_size,
                );
            }
            return Ok(fresh);
        }
        for (target_index, source_offset) in self.element_offsets().enumerate() {
            // SAFETY: the source element lies in this view's buffer; the target buffer is
            // fresh, holds `size()` elements and is a different allocation.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    source_base.add(source_offset * element_size),
                    target_base.add(target_index * element_size),
                    element_size,
                );
            }
        }
        Ok(fresh)
    }

    /// Copy-on-write: makes this array the sole owner of a C-contiguous owned buffer that
    /// it covers exactly, copying first if the buffer is shared, external, or this view is
    /// not all of it in row-major order. Returns a pointer to element 0, writable for
    /// `size() * dtype().size()` bytes until this array is next cloned or changed.
    pub fn make_mut(&mut self) -> Result<*mut u8, AllocError> {
        let is_unique = Arc::get_mut(&mut self.buffer).is_some();
        if !(is_unique && self.covers_whole_owned_buffer()) {
            *self = self.copy_to_fresh()?;
        }
        // Normalize the strides of length-1 axes so that the array is plainly row-major.
        self.strides = c_strides(&self.shape);
        Ok(self.buffer.as_mut_ptr())
    }

    /// Whether this array is its whole buffer in C order and the buffer is nx's own (not a
    /// host's or a file's memory): the condition for writing the buffer as this array.
    pub fn covers_whole_owned_buffer(&self) -> bool {
        self.offset == 0
            && self.is_c_contiguous()
            && self.size() * self.dtype.size() == self.buffer.len_bytes()
            && !self.buffer.is_external()
    }

    /// Elementwise `Scalar::cast` to `dtype` into a new contiguous array (a cheap clone
    /// when the dtype is already `dtype`).
    pub fn cast(&self, dtype: DType) -> Result<Array, AllocError> {
        if dtype == self.dtype {
            return Ok(self.clone());
        }
        Array::collect_cast(dtype, &self.shape, self.iter())
    }

    /// A new contiguous array of `shape` whose elements, in row-major order, are `values`
    /// cast to `dtype` (values beyond the shape's element count are ignored).
    fn collect_cast(
        dtype: DType,
        shape: &[usize],
        values: impl Iterator<Item = Scalar>,
    ) -> Result<Array, AllocError> {
        let array = Array::zeros(dtype, shape)?;
        let n_elems: usize = shape.iter().product();
        let base = array.buffer.as_mut_ptr();
        for (element_index, value) in values.take(n_elems).enumerate() {
            // SAFETY: the fresh buffer holds `n_elems` elements of `dtype`.
            unsafe {
                value
                    .cast(dtype)
                    .write(base.add(element_index * dtype.size()))
            };
        }
        Ok(array)
    }

    /// The view `slice` along `axis` (no copy).
    pub fn slice_axis(&self, axis: usize, slice: SliceRange) -> Array {
        assert!(
            axis < self.ndim(),
            "slice_axis: axis {axis} of rank {}",
            self.ndim()
        );
        let mut view = self.clone();
        if slice.len > 0 {
            let last = slice.start as i128 + (slice.len as i128 - 1) * slice.step as i128;
            let axis_len = self.shape[axis] as i128;
            assert!(
                (slice.start as i128) < axis_len && (0..axis_len).contains(&last),
                "slice_axis: {slice:?} outside an axis of length {axis_len}"
            );
            // Moving the offset only for non-empty slices keeps it inside the buffer.
            let shift = slice.start as isize * self.strides[axis];
            view.offset = (self.offset as isize + shift) as usize;
        }
        view.shape[axis] = slice.len;
        view.strides[axis] = self.strides[axis] * slice.step;
        view
    }

    /// The view at `index` along `axis`, which disappears (no copy).
    pub fn index_axis(&self, axis: usize, index: usize) -> Array {
        assert!(
            axis < self.ndim(),
            "index_axis: axis {axis} of rank {}",
            self.ndim()
        );
        assert!(
            index < self.shape[axis],
            "index_axis: index {index} out of bounds for axis {axis} with size {}",
            self.shape[axis]
        );
        let mut view = self.clone();
        view.offset = (self.offset as isize + index as isize * self.strides[axis]) as usize;
        view.shape.remove(axis);
        view.strides.remove(axis);
        view
    }

    /// The view with a new axis of length 1 at position `axis` (0..=ndim).
    pub fn insert_axis(&self, axis: usize) -> Array {
        assert!(
            axis <= self.ndim(),
            "insert_axis: axis {axis} of rank {}",
            self.ndim()
        );
        let mut view = self.clone();
        view.shape.insert(axis, 1);
        view.strides.insert(axis, 0);
        view
    }

    /// The view broadcast to `shape` by NumPy's rules (stride 0 on stretched axes), or
    /// `None` if this shape does not broadcast to it.
    pub fn broadcast_to(&self, shape: &[usize]) -> Option<Array> {
        if shape.len() < self.ndim() {
            return None;
        }
        let n_new_axes = shape.len() - self.ndim();
        let mut strides = vec![0isize; shape.len()];
        for axis in 0..self.ndim() {
            let target_len = shape[n_new_axes + axis];
            if self.shape[axis] == target_len {
                strides[n_new_axes + axis] = self.strides[axis];
            } else if self.shape[axis] != 1 {
                return None;
            }
        }
        Some(Array {
            dtype: self.dtype,
            shape: shape.to_vec(),
            strides,
            offset: self.offset,
            buffer: self.buffer.clone(),
        })
    }

    /// The view with axes reordered: axis `i` of the result is axis `axes[i]` of this
    /// array. Panics unless `axes` is a permutation of `0..ndim`.
    pub fn permuted(&self, axes: &[usize]) -> Array {
        assert_eq!(axes.len(), self.ndim(), "permuted: wrong number of axes");
        let mut seen = vec![false; self.ndim()];
        for &axis in axes {
            assert!(
                axis < self.ndim() && !seen[axis],
                "permuted: {axes:?} is not a permutation"
            );
            seen[axis] = true;
        }
        let mut view = self.clone();
        view.shape = axes.iter().map(|&axis| self.shape[axis]).collect();
        view.strides = axes.iter().map(|&axis| self.strides[axis]).collect();
        view
    }

    /// The same elements in row-major order with a new shape of the same size: a view when
    /// this array is C-contiguous, else a copy. Panics if the sizes differ (the caller
    /// checks user shapes).
    pub fn reshaped(&self, shape: &[usize]) -> Result<Array, AllocError> {
        let new_size: usize = shape.iter().product();
        assert_eq!(
            new_size,
            self.size(),
            "reshaped: size {} to shape {shape:?}",
            self.size()
        );
        let mut contiguous = self.to_contiguous()?;
        contiguous.shape = shape.to_vec();
        contiguous.strides = c_strides(shape);
        Ok(contiguous)
    }
}

/// Row-major walk over the buffer offsets of a strided view, as an odometer.
struct ElementOffsets<'a> {
    shape: &'a [usize],
    strides: &'a [isize],
    index: Vec<usize>,
    position: isize,
    remaining: usize,
}

impl Iterator for ElementOffsets<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.remaining == 0 {
            return None;
        }
        let current = self.position as usize;
        self.remaining -= 1;
        if self.remaining > 0 {
            // Advance the last axis; on wrap-around carry into the axis before it.
            for axis in (0..self.shape.len()).rev() {
                self.index[axis] += 1;
                self.position += self.strides[axis];
                if self.index[axis] < self.shape[axis] {
                    break;
                }
                self.position -= self.strides[axis] * self.shape[axis] as isize;
                self.index[axis] = 0;
            }
        }
        Some(current)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// NumPy's broadcast of two shapes, or `None` if they are incompatible.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut shape = vec![0; rank];
    for (axis, axis_len) in shape.iter_mut().enumerate() {
        // Align on the last axes; a missing axis counts as length 1.
        let a_len = (axis + a.len()).checked_sub(rank).map_or(1, |i| a[i]);
        let b_len = (axis + b.len()).checked_sub(rank).map_or(1, |i| b[i]);
        *axis_len = if a_len == b_len || b_len == 1 {
            a_len
        } else if a_len == 1 {
            b_len
        } else {
            return None;
        };
    }
    Some(shape)
}

/// The type notation of spec §2 for a concrete shape: `"f64[3]"`, `"f32[2, 3]"`, `"i64"`.
pub fn format_type(dtype: DType, shape: &[usize]) -> String {
    if shape.is_empty() {
        return dtype.name().to_string();
    }
    let sizes: Vec<String> = shape.iter().map(|axis_len| axis_len.to_string()).collect();
    format!("{}[{}]", dtype.name(), sizes.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn arange_f64(n: usize) -> Array {
        Array::from_vec(&[n], (0..n).map(|i| i as f64).collect())
    }

    fn slice(array: &Array, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<f64> {
        let range = SliceRange::normalize(array.shape()[0], start, stop, step);
        array.slice_axis(0, range).to_vec::<f64>()
    }

    /// Python's `list(range(10))[start:stop:step]`, for comparison.
    fn python_slice(start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<f64> {
        let items: Vec<i64> = (0..10).collect();
        let len = 10i64;
        let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
        let fix = |bound: i64| {
            if bound < 0 {
                (bound + len).max(lower)
            } else {
                bound.min(upper)
            }
        };
        let mut position = start.map_or(if step < 0 { upper } else { lower }, fix);
        let end = stop.map_or(if step < 0 { lower } else { upper }, fix);
        let mut result = Vec::new();
        while (step > 0 && position < end) || (step < 0 && position > end) {
            result.push(items[position as usize] as f64);
            position += step;
        }
        result
    }

    #[test]
    fn python_slices() {
        let a = arange_f64(10);
        assert_eq!(
            slice(&a, None, None, -1),
            vec![9.0, 8.0, 7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
        );
        assert_eq!(slice(&a, Some(5), Some(1), -2), vec![5.0, 3.0]);
        assert_eq!(slice(&a, Some(-3), None, 1), vec![7.0, 8.0, 9.0]);
        assert_eq!(slice(&a, Some(2), Some(100), 3), vec![2.0, 5.0, 8.0]);
        assert_eq!(slice(&a, Some(-100), Some(2), 1), vec![0.0, 1.0]);
        assert_eq!(slice(&a, Some(100), None, -1), slice(&a, None, None, -1));
        assert!(slice(&a, Some(5), Some(5), 1).is_empty());
        assert!(slice(&a, Some(1), Some(5), -1).is_empty());
        assert!(slice(&a, Some(-1), Some(-100), 1).is_empty());
        assert_eq!(slice(&a, None, Some(-1), 1).len(), 9);
        assert_eq!(
            slice(&a, Some(i64::MIN), Some(i64::MAX), i64::MAX),
            vec![0.0]
        );
        assert_eq!(
            slice(&a, Some(i64::MAX), Some(i64::MIN), i64::MIN),
            vec![9.0]
        );
        let bounds = [
            None,
            Some(-12),
            Some(-10),
            Some(-3),
            Some(-1),
            Some(0),
            Some(3),
            Some(9),
            Some(10),
            Some(15),
        ];
        for start in bounds {
            for stop in bounds {
                for step in [-11, -3, -2, -1, 1, 2, 3, 11] {
                    assert_eq!(
                        slice(&a, start, stop, step),
                        python_slice(start, stop, step),
                        "{start:?}:{stop:?}:{step}"
                    );
                }
            }
        }
    }

    #[test]
    fn slice_of_empty_axis() {
        let empty = arange_f64(0);
        let range = SliceRange::normalize(0, None, None, -1);
        assert_eq!(
            range,
            SliceRange {
                start: 0,
                len: 0,
                step: -1
            }
        );
        assert!(empty.slice_axis(0, range).to_vec::<f64>().is_empty());
    }

    #[test]
    fn slice_of_slice_and_index() {
        let matrix = Array::from_vec(&[3, 4], (0..12i32).collect());
        let reversed_columns = matrix.slice_axis(1, SliceRange::normalize(4, None, None, -2));
        assert_eq!(reversed_columns.shape(), &[3, 2]);
        assert_eq!(reversed_columns.to_vec::<i32>(), vec![3, 1, 7, 5, 11, 9]);
        let row = reversed_columns.index_axis(0, 2);
        assert_eq!(row.to_vec::<i32>(), vec![11, 9]);
        let column = matrix.index_axis(1, 3);
        assert_eq!(column.to_vec::<i32>(), vec![3, 7, 11]);
        assert_eq!(matrix.get(&[2, 1]).as_i128(), Some(9));
        assert_eq!(column.get(&[1]).as_i128(), Some(7));
        assert_eq!(
            matrix
                .index_axis(0, 1)
                .index_axis(0, 2)
                .scalar_value()
                .as_i128(),
            Some(6)
        );
        assert!(!reversed_columns.is_c_contiguous());
        assert_eq!(reversed_columns.byte_strides(), vec![16, -8]);
    }

    #[test]
    fn broadcasting() {
        assert_eq!(broadcast_shapes(&[3], &[4]), None);
        assert_eq!(broadcast_shapes(&[2, 1], &[3]), Some(vec![2, 3]));
        assert_eq!(broadcast_shapes(&[], &[5, 2]), Some(vec![5, 2]));
        assert_eq!(broadcast_shapes(&[4, 1, 3], &[2, 1]), Some(vec![4, 2, 3]));
        assert_eq!(broadcast_shapes(&[0], &[1]), Some(vec![0]));
        assert_eq!(broadcast_shapes(&[0], &[2]), None);
        let column = Array::from_vec(&[2, 1], vec![1i64, 2]);
        let stretched = column.broadcast_to(&[3, 2, 3]).unwrap();
        assert_eq!(stretched.strides(), &[0, 1, 0]);
        assert_eq!(stretched.to_vec::<i64>(), [1, 1, 1, 2, 2, 2].repeat(3));
        assert!(column.broadcast_to(&[2, 2]).is_some());
        assert!(column.broadcast_to(&[3, 3]).is_none());
        assert!(column.broadcast_to(&[1]).is_none());
        let scalar = Array::from_scalar(Scalar::F32(2.5));
        assert_eq!(
            scalar.broadcast_to(&[2]).unwrap().to_vec::<f32>(),
            vec![2.5, 2.5]
        );
    }

    #[test]
    fn copy_on_write_keeps_values() {
        let a = arange_f64(4);
        let mut b = a.clone();
        let ptr = b.make_mut().unwrap();
        // SAFETY: make_mut makes b's 4 elements writable.
        unsafe { Scalar::F64(100.0).write(ptr) };
        assert_eq!(a.to_vec::<f64>(), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(b.to_vec::<f64>(), vec![100.0, 1.0, 2.0, 3.0]);

        // A sole owner writes in place, without copying.
        let mut unique = arange_f64(4);
        let before = unique.data_ptr();
        assert_eq!(unique.make_mut().unwrap() as *const u8, before);

        // A view of a dead parent still copies: it does not cover its whole buffer.
        let mut tail = arange_f64(4).slice_axis(0, SliceRange::normalize(4, Some(2), None, 1));
        let ptr = tail.make_mut().unwrap();
        assert_eq!(tail.offset(), 0);
        assert_eq!(tail.buffer().len_bytes(), 16);
        // SAFETY: 2 writable elements.
        unsafe { Scalar::F64(-1.0).write(ptr.add(8)) };
        assert_eq!(tail.to_vec::<f64>(), vec![2.0, -1.0]);

        // A broadcast view copies into its full size.
        let mut stretched = Array::from_scalar(Scalar::I8(3))
            .broadcast_to(&[2, 2])
            .unwrap();
        stretched.make_mut().unwrap();
        assert_eq!(stretched.buffer().len_bytes(), 4);
        assert!(stretched.is_c_contiguous());

        // A transposed view of a shared array copies in row-major order.
        let matrix = Array::from_vec(&[2, 2], vec![1u8, 2, 3, 4]);
        let mut transposed = matrix.permuted(&[1, 0]);
        transposed.make_mut().unwrap();
        assert_eq!(transposed.to_vec::<u8>(), vec![1, 3, 2, 4]);
        assert_eq!(transposed.strides(), &[2, 1]);
        assert_eq!(matrix.to_vec::<u8>(), vec![1, 2, 3, 4]);
    }

    #[test]
    fn external_buffers_copy_on_write() {
        let data = vec![1.0f64, 2.0];
        let mut array = Array::wrap_vec(&[2], data);
        assert!(array.buffer().is_external());
        array.make_mut().unwrap();
        assert!(!array.buffer().is_external());
        assert_eq!(array.to_vec::<f64>(), vec![1.0, 2.0]);
    }

    #[test]
    fn creation() {
        let zeros = Array::zeros(DType::I16, &[2, 3]).unwrap();
        assert_eq!(zeros.strides(), &[3, 1]);
        assert_eq!(zeros.to_vec::<i16>(), vec![0; 6]);
        let full = Array::full(&[3], Scalar::Bool(true)).unwrap();
        assert_eq!(full.to_vec::<bool>(), vec![true; 3]);
        let scalar = Array::from_scalar(Scalar::U64(7));
        assert_eq!(scalar.ndim(), 0);
        assert_eq!(scalar.size(), 1);
        assert!(scalar.scalar_value().bits_eq(Scalar::U64(7)));
        let converted = Array::from_scalars(
            DType::U8,
            &[3],
            &[Scalar::F64(-2.5), Scalar::I64(300), Scalar::Bool(true)],
        )
        .unwrap();
        assert_eq!(converted.to_vec::<u8>(), vec![0, 44, 1]);
        assert!(Array::zeros(DType::F64, &[usize::MAX, 2]).is_err());
        assert!(Array::zeros(DType::F64, &[1 << 60]).is_err());
        let empty = Array::zeros(DType::F32, &[0, 5]).unwrap();
        assert_eq!(empty.size(), 0);
        assert!(empty.is_c_contiguous());
        assert_eq!(empty.data_ptr(), empty.buffer().as_ptr());
    }

    #[test]
    fn casting_arrays() {
        let values = Array::from_vec(&[4], vec![-1.5f64, 0.0, f64::NAN, 1e10]);
        let reversed = values.slice_axis(0, SliceRange::normalize(4, None, None, -1));
        assert_eq!(
            reversed.cast(DType::I32).unwrap().to_vec::<i32>(),
            vec![i32::MAX, 0, 0, -1]
        );
        assert_eq!(
            values.cast(DType::Bool).unwrap().to_vec::<bool>(),
            vec![true, false, true, true]
        );
        assert_eq!(
            values.cast(DType::F64).unwrap().buffer().as_ptr(),
            values.buffer().as_ptr()
        );
    }

    #[test]
    fn views() {
        let a = Array::from_vec(&[2, 3], (0..6).map(|i| i as f32).collect());
        let transposed = a.permuted(&[1, 0]);
        assert_eq!(transposed.shape(), &[3, 2]);
        assert_eq!(
            transposed.to_vec::<f32>(),
            vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
        let reshaped_view = a.reshaped(&[3, 2]).unwrap();
        assert_eq!(reshaped_view.buffer().as_ptr(), a.buffer().as_ptr());
        assert_eq!(reshaped_view.to_vec::<f32>(), a.to_vec::<f32>());
        let reshaped_copy = transposed.reshaped(&[6]).unwrap();
        assert_ne!(reshaped_copy.buffer().as_ptr(), a.buffer().as_ptr());
        assert_eq!(
            reshaped_copy.to_vec::<f32>(),
            vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
        );
        let with_axis = a.insert_axis(1);
        assert_eq!(with_axis.shape(), &[2, 1, 3]);
        assert!(with_axis.is_c_contiguous());
        assert_eq!(a.insert_axis(2).shape(), &[2, 3, 1]);
        let row = a.index_axis(0, 1);
        assert_eq!(row.offset(), 3);
        // SAFETY: reading element 0 of a non-empty view.
        assert_eq!(
            unsafe { Scalar::read(DType::F32, row.data_ptr()) }.as_f64(),
            3.0
        );
        let contiguous_row = row.to_contiguous().unwrap();
        assert_eq!(contiguous_row.buffer().as_ptr(), a.buffer().as_ptr());
        let column = a.index_axis(1, 0).to_contiguous().unwrap();
        assert_eq!(column.to_vec::<f32>(), vec![0.0, 3.0]);
        assert_eq!(column.offset(), 0);
    }

    proptest::proptest! {
        #[test]
        fn slices_follow_python(
            axis_len in 0usize..20,
            start in proptest::option::of(-30i64..30),
            stop in proptest::option::of(-30i64..30),
            step in (-25i64..25).prop_filter("nonzero", |&step| step != 0),
        ) {
            // Reference model: walk Python's `slice.indices` result one step at a time.
            let length = axis_len as i64;
            let (lower, upper) = if step < 0 { (-1, length - 1) } else { (0, length) };
            let fix = |bound: i64| if bound < 0 { (bound + length).max(lower) } else { bound.min(upper) };
            let mut position = start.map_or(if step < 0 { upper } else { lower }, fix);
            let end = stop.map_or(if step < 0 { lower } else { upper }, fix);
            let mut expected = Vec::new();
            while (step > 0 && position < end) || (step < 0 && position > end) {
                expected.push(position as f64);
                position += step;
            }
            let array = arange_f64(axis_len);
            let range = SliceRange::normalize(axis_len, start, stop, step);
            proptest::prop_assert_eq!(array.slice_axis(0, range).to_vec::<f64>(), expected);
        }

        #[test]
        fn views_copy_to_the_same_elements(
            rows in 1usize..5,
            columns in 1usize..5,
            row_step in (-3i64..4).prop_filter("nonzero", |&step| step != 0),
            column_step in (-3i64..4).prop_filter("nonzero", |&step| step != 0),
            transpose in proptest::bool::ANY,
        ) {
            let matrix = Array::from_vec(&[rows, columns], (0..(rows * columns) as i64).collect());
            let mut view = matrix
                .slice_axis(0, SliceRange::normalize(rows, None, None, row_step))
                .slice_axis(1, SliceRange::normalize(columns, None, None, column_step));
            if transpose {
                view = view.permuted(&[1, 0]);
            }
            let mut expected = Vec::new();
            for i in 0..view.shape()[0] {
                for j in 0..view.shape()[1] {
                    expected.push(view.get(&[i, j]).as_i128().unwrap() as i64);
                }
            }
            proptest::prop_assert_eq!(view.to_vec::<i64>(), expected.clone());
            proptest::prop_assert_eq!(view.to_contiguous().unwrap().to_vec::<i64>(), expected.clone());
            proptest::prop_assert_eq!(view.reshaped(&[view.size()]).unwrap().to_vec::<i64>(), expected.clone());
            let mut written = view.clone();
            let ptr = written.make_mut().unwrap();
            // SAFETY: make_mut makes the first element writable.
            unsafe { Scalar::I64(-1).write(ptr) };
            proptest::prop_assert_eq!(view.to_vec::<i64>(), expected);
            proptest::prop_assert_eq!(matrix.to_vec::<i64>(), (0..(rows * columns) as i64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn from_parts_builds_views() {
        let base = arange_f64(6);
        // Every other element, backwards: 5, 3, 1.
        let view = Array::from_parts(DType::F64, vec![3], vec![-2], 5, base.buffer().clone());
        assert_eq!(view.to_vec::<f64>(), vec![5.0, 3.0, 1.0]);
        assert_eq!(view.byte_strides(), vec![-16]);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "view outside its buffer")]
    fn from_parts_checks_bounds_in_debug_builds() {
        let base = arange_f64(6);
        Array::from_parts(DType::F64, vec![3], vec![-2], 3, base.buffer().clone());
    }

    #[test]
    fn type_notation() {
        assert_eq!(format_type(DType::F64, &[3]), "f64[3]");
        assert_eq!(format_type(DType::F32, &[2, 3]), "f32[2, 3]");
        assert_eq!(format_type(DType::I64, &[]), "i64");
    }

    #[test]
    fn elements_convert() {
        assert_eq!(u8::from_scalar(Scalar::F64(300.0)), 255);
        assert!(bool::from_scalar(Scalar::I32(2)));
        assert_eq!(f32::DTYPE, DType::F32);
        assert!(7i16.to_scalar().bits_eq(Scalar::I16(7)));
    }
}

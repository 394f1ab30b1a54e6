//! Indexing (spec §5): reading `a[items]` and assigning through it. Integers, slices,
//! `newaxis` and `...` make a view of the base (no copy). A bool mask or an integer array
//! (at most one per expression) then selects along some axes of that view: reading copies
//! the selected elements into a fresh array, assigning writes them in row-major order of
//! the selection, so with repeated indices the last write wins, as NumPy.

use super::{ExecResult, Executor, RuntimeError, Value, alloc_error};
use crate::diagnostics::Span;
use crate::types::hir::{Expr, IndexItem, VarRef};
use nx_runtime::{Array, DType, Scalar, SliceRange, format_scalar, format_type};

/// The array index of an indexing expression, evaluated, and where it applies in the view
/// made by the other items.
struct ArrayIndex {
    /// The first axis of the view that the array index selects along.
    view_axis: usize,
    /// The base's axis number of `view_axis` (for messages).
    source_axis: usize,
    kind: ArrayIndexKind,
    span: Span,
}

enum ArrayIndexKind {
    /// Integer positions along one axis.
    Gather(Array),
    /// A bool array over as many axes as its rank.
    Mask(Array),
}

/// The elements an array index selects: the selection's shape and, in its row-major order,
/// each element's offset (in elements) from the start of the view's buffer.
struct Selection {
    shape: Vec<usize>,
    offsets: Vec<usize>,
}

impl Executor {
    /// The value of `base[items]`: a view for integers, slices, `newaxis` and `...`; a fresh
    /// array when a mask or an integer array selects elements.
    pub(super) fn eval_index(
        &mut self,
        base: &Array,
        items: &[IndexItem],
        span: Span,
    ) -> ExecResult<Value> {
        let (view, array_index) = self.index_view(base, items, span)?;
        let Some(array_index) = array_index else {
            return Ok(Value::from_array(view));
        };
        if let Some(selected) = select_by_whole_mask(&view, &array_index, span)? {
            return Ok(Value::from_array(selected));
        }
        let selection = select(&view, &array_index)?;
        let dtype = view.dtype();
        let mut result = Array::zeros(dtype, &selection.shape).map_err(alloc_error(span))?;
        let target = result.make_mut().map_err(alloc_error(span))?;
        let source = view.buffer().as_ptr();
        let element_size = dtype.size();
        for (position, &offset) in selection.offsets.iter().enumerate() {
            // SAFETY: every offset is that of an element of `view` (bounds were checked by
            // `select`), so it lies inside the view's buffer; `result` is a fresh C-contiguous
            // array with one element per offset.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    source.add(offset * element_size),
                    target.add(position * element_size),
                    element_size,
                );
            }
        }
        Ok(Value::from_array(result))
    }

    /// The view `base[items]` of the integer indices, slices, `newaxis` and `...`, with the
    /// axes of an array index (mask or gather) left whole; the array index evaluated, if any.
    /// Items are evaluated left to right.
    fn index_view(
        &mut self,
        base: &Array,
        items: &[IndexItem],
        span: Span,
    ) -> ExecResult<(Array, Option<ArrayIndex>)> {
        let consumed: usize = items
            .iter()
            .map(|item| match item {
                IndexItem::Int(_) | IndexItem::Slice { .. } | IndexItem::Gather(_) => 1,
                IndexItem::Mask(mask) => mask.ty.rank(),
                IndexItem::NewAxis | IndexItem::Ellipsis => 0,
            })
            .sum();
        let mut view = base.clone();
        let mut array_index = None;
        // `axis` walks the view being built; `source_axis` counts axes of `base` for messages.
        let mut axis = 0usize;
        let mut source_axis = 0usize;
        for item in items {
            match item {
                IndexItem::Int(index_expr) => {
                    let index = self.eval(index_expr)?.scalar();
                    let len = view.shape()[axis];
                    let index = normalize_index(index, len)
                        .ok_or_else(|| out_of_bounds(index_expr.span, index, source_axis, len))?;
                    view = view.index_axis(axis, index);
                    source_axis += 1;
                }
                IndexItem::Slice { start, stop, step } => {
                    let start = self.eval_opt_i64(start.as_deref())?;
                    let stop = self.eval_opt_i64(stop.as_deref())?;
                    let step_value = self.eval_opt_i64(step.as_deref())?.unwrap_or(1);
                    if step_value == 0 {
                        let step_span = step.as_ref().map(|s| s.span).unwrap_or(span);
                        return Err(RuntimeError::new(step_span, "slice step cannot be zero"));
                    }
                    let len = view.shape()[axis];
                    let range = SliceRange::normalize(len, start, stop, step_value);
                    view = view.slice_axis(axis, range);
                    axis += 1;
                    source_axis += 1;
                }
                IndexItem::NewAxis => {
                    view = view.insert_axis(axis);
                    axis += 1;
                }
                IndexItem::Ellipsis => {
                    let whole = base.ndim().saturating_sub(consumed);
                    axis += whole;
                    source_axis += whole;
                }
                IndexItem::Gather(index_expr) | IndexItem::Mask(index_expr) => {
                    let value = self.eval(index_expr)?.to_array();
                    let n_axes = if matches!(item, IndexItem::Gather(_)) {
                        1
                    } else {
                        value.ndim()
                    };
                    let kind = if matches!(item, IndexItem::Gather(_)) {
                        ArrayIndexKind::Gather(value)
                    } else {
                        ArrayIndexKind::Mask(value)
                    };
                    array_index = Some(ArrayIndex {
                        view_axis: axis,
                        source_axis,
                        kind,
                        span: index_expr.span,
                    });
                    axis += n_axes;
                    source_axis += n_axes;
                }
            }
        }
        Ok((view, array_index))
    }

    fn eval_opt_i64(&mut self, expr: Option<&Expr>) -> ExecResult<Option<i64>> {
        match expr {
            Some(expr) => Ok(Some(
                self.eval(expr)?
                    .scalar()
                    .cast(DType::I64)
                    .as_i128()
                    .unwrap_or(0) as i64,
            )),
            None => Ok(None),
        }
    }

    /// `var[items] = value`, with `value` evaluated in full beforehand (and already of the
    /// target's dtype, or converted here as `as` would).
    /// The variable's array, made unique (copy-on-write) so that views of it address its own
    /// buffer, and that buffer's data pointer. The slot's own reference must not count as
    /// sharing (else every element write would copy the whole array), so it is dropped for the
    /// check and put back for the index expressions, which may read the variable.
    pub(super) fn unique_target(
        &mut self,
        var: VarRef,
        span: Span,
    ) -> ExecResult<(Array, *mut u8)> {
        let mut target = self.load(var, span)?.to_array();
        self.take(var);
        let made_unique = target.make_mut();
        self.store(var, Value::from_array(target.clone()));
        let target_ptr = made_unique.map_err(alloc_error(span))?;
        Ok((target, target_ptr))
    }

    /// The view that basic items (ints, slices, `newaxis`, `...`) select from `base`.
    pub(super) fn basic_index_view(
        &mut self,
        base: &Array,
        items: &[IndexItem],
        span: Span,
    ) -> ExecResult<Array> {
        let (view, array_index) = self.index_view(base, items, span)?;
        debug_assert!(array_index.is_none(), "basic items select a view");
        Ok(view)
    }

    pub(super) fn assign_index(
        &mut self,
        var: VarRef,
        items: &[IndexItem],
        value: Value,
        span: Span,
    ) -> ExecResult<()> {
        let (target, target_ptr) = self.unique_target(var, span)?;
        let (region, array_index) = self.index_view(&target, items, span)?;
        let source = value.to_array();
        match array_index {
            None => {
                let source = broadcast_source(&source, region.dtype(), region.shape(), span)?;
                self.copy_into(&region, &source, span)?;
            }
            Some(array_index) => {
                let selection = select(&region, &array_index)?;
                let dtype = region.dtype();
                let source = broadcast_source(&source, dtype, &selection.shape, span)?;
                for (value, &offset) in source.iter().zip(&selection.offsets) {
                    // SAFETY: every offset is that of an element of `region`, a view of
                    // `target`'s buffer, which `make_mut` made unique and C-contiguous from
                    // `target_ptr`; nothing else observes the write.
                    unsafe {
                        value
                            .cast(dtype)
                            .write(target_ptr.add(offset * dtype.size()))
                    };
                }
            }
        }
        self.store(var, Value::from_array(target));
        Ok(())
    }
}

/// `x[mask]` with a mask shaped like `x`, both C-contiguous (the common case): one pass over
/// the mask's bytes copying selected elements, instead of a list of offsets. `None` when the
/// fast path does not apply.
fn select_by_whole_mask(
    view: &Array,
    array_index: &ArrayIndex,
    span: Span,
) -> ExecResult<Option<Array>> {
    let ArrayIndexKind::Mask(mask) = &array_index.kind else {
        return Ok(None);
    };
    if array_index.view_axis != 0
        || mask.shape() != view.shape()
        || !view.is_c_contiguous()
        || !mask.is_c_contiguous()
    {
        return Ok(None);
    }
    // SAFETY: a C-contiguous bool array holds `size()` bytes, each 0 or 1, from `data_ptr()`.
    let mask_bytes = unsafe { std::slice::from_raw_parts(mask.data_ptr(), mask.size()) };
    let count = mask_bytes.iter().filter(|&&byte| byte != 0).count();
    // Every one of the `count` elements is written below.
    let mut result = Array::for_overwrite(view.dtype(), &[count]).map_err(alloc_error(span))?;
    let target = result.make_mut().map_err(alloc_error(span))?;
    let source = view.data_ptr();
    // SAFETY: `view` is C-contiguous with one element per mask byte, and `result` is fresh with
    // room for exactly the `count` selected elements.
    unsafe {
        match view.dtype().size() {
            8 => copy_selected_8(
                source.cast::<u64>(),
                mask_bytes,
                target.cast::<u64>(),
                count,
            ),
            4 => copy_selected(
                source.cast::<u32>(),
                mask_bytes,
                target.cast::<u32>(),
                count,
            ),
            2 => copy_selected(
                source.cast::<u16>(),
                mask_bytes,
                target.cast::<u16>(),
                count,
            ),
            _ => copy_selected(source, mask_bytes, target, count),
        }
    }
    Ok(Some(result))
}

/// `copy_selected` for 8-byte elements, with AVX-512's compress-store where the CPU has it:
/// it writes the selected ones of 8 elements contiguously in one instruction, so compaction
/// runs near memory speed.
///
/// # Safety
/// As `copy_selected`.
unsafe fn copy_selected_8(source: *const u64, mask: &[u8], target: *mut u64, count: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("bmi2")
    {
        // SAFETY: the features are present; the caller's contract covers the pointers.
        let (read, written) = unsafe { compress_8_avx512(source, mask, target) };
        // SAFETY: the rest of the mask selects the rest of the `count` elements.
        unsafe {
            copy_selected(
                source.add(read),
                &mask[read..],
                target.add(written),
                count - written,
            )
        };
        return;
    }
    // SAFETY: the caller's contract.
    unsafe { copy_selected(source, mask, target, count) }
}

/// Compress-stores the selected elements of whole groups of 8; returns how many elements it
/// read and how many it wrote.
///
/// # Safety
/// AVX-512F and BMI2 are available, and the pointers are as for `copy_selected`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,bmi2")]
unsafe fn compress_8_avx512(source: *const u64, mask: &[u8], target: *mut u64) -> (usize, usize) {
    use std::arch::x86_64::{_mm512_loadu_si512, _mm512_mask_compressstoreu_epi64, _pext_u64};
    let groups = mask.len() / 8;
    let mut written = 0;
    for group in 0..groups {
        let bytes = u64::from_le_bytes(mask[group * 8..group * 8 + 8].try_into().expect("8 bytes"));
        // The high bit of each byte is set where the byte is nonzero; pext gathers them.
        let nonzero = (((bytes & 0x7f7f_7f7f_7f7f_7f7f) + 0x7f7f_7f7f_7f7f_7f7f) | bytes)
            & 0x8080_8080_8080_8080;
        let lanes = _pext_u64(nonzero, 0x8080_8080_8080_8080) as u8;
        // SAFETY: the group's 8 elements are readable; the selected ones (`lanes.count_ones()`
        // of them) fit in the target, which holds every selected element.
        unsafe {
            let values = _mm512_loadu_si512(source.add(group * 8).cast());
            _mm512_mask_compressstoreu_epi64(target.add(written).cast(), lanes, values);
        }
        written += lanes.count_ones() as usize;
    }
    (groups * 8, written)
}

/// Copies `source[i]` for every nonzero `mask[i]`, in order, to consecutive `target` slots.
///
/// # Safety
/// `source` is valid for `mask.len()` reads of `T`, `count` is the number of nonzero bytes of
/// `mask`, and `target` is valid for `count` writes.
unsafe fn copy_selected<T: Copy>(source: *const T, mask: &[u8], target: *mut T, count: usize) {
    // Branch-free: every element is written at the next free place, which advances only past
    // selected ones (a random mask would mispredict half of the branches otherwise). Once all
    // `count` are placed the rest of the mask is zeros, and writing on would run past the end.
    let mut written = 0;
    for (index, &selected) in mask.iter().enumerate() {
        if written == count {
            break;
        }
        // SAFETY: the caller's contract; `written < count` here.
        unsafe {
            target
                .add(written)
                .write_unaligned(source.add(index).read_unaligned())
        };
        written += usize::from(selected != 0);
    }
}

/// The right side of an assignment broadcast to the selection's shape.
fn broadcast_source(
    source: &Array,
    target_dtype: DType,
    shape: &[usize],
    span: Span,
) -> ExecResult<Array> {
    source.broadcast_to(shape).ok_or_else(|| {
        cannot_broadcast_to(source.dtype(), source.shape(), target_dtype, shape, span)
    })
}

/// The error of an assigned value that does not broadcast to its target's shape.
pub(super) fn cannot_broadcast_to(
    dtype: DType,
    shape: &[usize],
    target_dtype: DType,
    target_shape: &[usize],
    span: Span,
) -> RuntimeError {
    RuntimeError::new(
        span,
        format!(
            "cannot broadcast {} to {}",
            format_type(dtype, shape),
            format_type(target_dtype, target_shape)
        ),
    )
}

/// The elements of `view` that the array index selects, checked against the view's shape.
fn select(view: &Array, array_index: &ArrayIndex) -> ExecResult<Selection> {
    let axis = array_index.view_axis;
    let strides = view.strides();
    // Positions inside the selected axes as element offsets, and the axes replacing them.
    let (positions, index_shape, n_axes): (Vec<isize>, Vec<usize>, usize) = match &array_index.kind
    {
        ArrayIndexKind::Gather(indices) => {
            let len = view.shape()[axis];
            let positions = indices
                .iter()
                .map(|index| {
                    normalize_index(index, len)
                        .map(|position| position as isize * strides[axis])
                        .ok_or_else(|| {
                            out_of_bounds(array_index.span, index, array_index.source_axis, len)
                        })
                })
                .collect::<ExecResult<Vec<isize>>>()?;
            (positions, indices.shape().to_vec(), 1)
        }
        ArrayIndexKind::Mask(mask) => {
            let n_axes = mask.ndim();
            for (k, (&mask_len, &axis_len)) in mask
                .shape()
                .iter()
                .zip(&view.shape()[axis..axis + n_axes])
                .enumerate()
            {
                if mask_len != axis_len {
                    return Err(RuntimeError::new(
                        array_index.span,
                        format!(
                            "boolean index did not match indexed array along axis {}; \
                                 size of axis is {axis_len} but size of corresponding boolean \
                                 axis is {mask_len}",
                            array_index.source_axis + k
                        ),
                    ));
                }
            }
            let mask_strides = &strides[axis..axis + n_axes];
            let positions: Vec<isize> = row_major_offsets(mask.shape(), mask_strides, 0)
                .zip(mask.iter())
                .filter(|(_, selected)| selected.as_bool())
                .map(|(offset, _)| offset)
                .collect();
            let count = positions.len();
            (positions, vec![count], n_axes)
        }
    };
    let outer_shape = &view.shape()[..axis];
    let outer_strides = &strides[..axis];
    let inner_shape = &view.shape()[axis + n_axes..];
    let inner_strides = &strides[axis + n_axes..];
    let mut shape = outer_shape.to_vec();
    shape.extend_from_slice(&index_shape);
    shape.extend_from_slice(inner_shape);
    let n_elements = shape
        .iter()
        .try_fold(1usize, |acc, &len| acc.checked_mul(len))
        .filter(|&n| n.checked_mul(std::mem::size_of::<usize>()).is_some())
        .ok_or_else(|| RuntimeError::new(array_index.span, "memory exhausted: array too large"))?;
    let mut offsets = Vec::new();
    offsets.try_reserve_exact(n_elements).map_err(|_| {
        RuntimeError::new(array_index.span, "memory exhausted: selection too large")
    })?;
    if n_elements > 0 {
        let start = view.offset() as isize;
        for outer in row_major_offsets(outer_shape, outer_strides, start) {
            for &position in &positions {
                for inner in row_major_offsets(inner_shape, inner_strides, outer + position) {
                    offsets.push(inner as usize);
                }
            }
        }
    }
    Ok(Selection { shape, offsets })
}

/// `start` plus the offset of every multi-index of `shape` under `strides`, in row-major
/// order (one item for rank 0, none when an axis is empty).
fn row_major_offsets(
    shape: &[usize],
    strides: &[isize],
    start: isize,
) -> impl Iterator<Item = isize> {
    let n_elements: usize = shape.iter().product();
    let shape = shape.to_vec();
    let strides = strides.to_vec();
    let mut index = vec![0usize; shape.len()];
    let mut position = start;
    (0..n_elements).map(move |_| {
        let current = position;
        // Advance the row-major index, carrying into earlier axes.
        for axis in (0..shape.len()).rev() {
            index[axis] += 1;
            position += strides[axis];
            if index[axis] < shape[axis] {
                break;
            }
            position -= strides[axis] * shape[axis] as isize;
            index[axis] = 0;
        }
        current
    })
}

fn out_of_bounds(span: Span, index: Scalar, axis: usize, len: usize) -> RuntimeError {
    RuntimeError::new(
        span,
        format!(
            "index {} is out of bounds for axis {axis} with size {len}",
            format_scalar(index)
        ),
    )
}

/// `index` (any integer dtype, negative from the end) as a position in an axis of `len`.
pub(super) fn normalize_index(index: Scalar, len: usize) -> Option<usize> {
    let index = index.as_i128()?;
    let len = len as i128;
    let position = if index < 0 { index + len } else { index };
    (0..len).contains(&position).then_some(position as usize)
}

#[cfg(test)]
mod tests {
    use super::copy_selected_8;

    /// The compaction (AVX-512 groups of 8 where the CPU has them, then the scalar tail) keeps
    /// exactly the selected elements in order, for every length around the group size and
    /// masks of any nonzero byte values.
    #[test]
    fn compaction_keeps_the_selected_elements_in_order() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..70usize {
            for _ in 0..8 {
                let source: Vec<u64> = (0..len as u64).map(|i| i * 1000 + 7).collect();
                let mask: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly 0 or 1, sometimes another nonzero byte.
                        [0, 1, 0, 1, 0, 0xff, 1, 0x80][(seed % 8) as usize]
                    })
                    .collect();
                let expected: Vec<u64> = source
                    .iter()
                    .zip(&mask)
                    .filter(|(_, selected)| **selected != 0)
                    .map(|(value, _)| *value)
                    .collect();
                let mut target = vec![0u64; expected.len()];
                // SAFETY: `source` has one element per mask byte and `target` room for every
                // selected one.
                unsafe {
                    copy_selected_8(source.as_ptr(), &mask, target.as_mut_ptr(), expected.len())
                };
                assert_eq!(target, expected, "mask {mask:?}");
            }
        }
    }
}

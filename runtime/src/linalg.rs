//! Linear algebra on arrays: `matmul` (NumPy's rules: 1-D operands promoted, stacks of
//! matrices broadcast), `outer` and the 2-norm.
//!
//! Float matrix products go to the `gemm` crate's packed kernels (AVX-512 where the machine
//! has it), split over the session's `Workers` when a product is large. The result does not
//! depend on the thread count, bit for bit (spec §11): `gemm` splits the work only along
//! rows and columns of the result, in tiles of a fixed grid, and walks the inner dimension
//! in the same blocks (a size fixed by the shapes and the cache sizes, never by the thread
//! count) one after the other, each element accumulated by one fused multiply-add chain;
//! `tests::products_do_not_depend_on_the_thread_count` checks it. Integer products use a plain
//! triple loop with wrapping arithmetic (NumPy's integer overflow behaviour); bool products
//! are "any of the ands", as NumPy's; float products with an inner length of 2 use the same
//! loop with fused multiply-adds (`MatrixProduct::uses_gemm` says why).

use crate::array::Array;
use crate::buffer::AllocError;
use crate::dtype::DType;
use crate::scalar::Scalar;
use crate::workers::Workers;

/// Why a linear-algebra operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinalgError {
    /// The operands' shapes do not fit; the message says how.
    Shape(String),
    Alloc(AllocError),
}

impl std::fmt::Display for LinalgError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinalgError::Shape(message) => write!(formatter, "{message}"),
            LinalgError::Alloc(err) => write!(formatter, "{err}"),
        }
    }
}

impl From<AllocError> for LinalgError {
    fn from(err: AllocError) -> LinalgError {
        LinalgError::Alloc(err)
    }
}

fn shape_text(shape: &[usize]) -> String {
    let items: Vec<String> = shape.iter().map(|len| len.to_string()).collect();
    format!("({})", items.join(", "))
}

/// One matrix of a stack, as a pointer to its element [0, 0] and element strides.
#[derive(Clone, Copy)]
struct MatrixView {
    ptr: *const u8,
    row_stride: isize,
    col_stride: isize,
}

/// `a @ b` with NumPy's `matmul` semantics. Both operands must have the same dtype (the
/// checker converts them) and rank ≥ 1. Large float products are split over `workers`.
pub fn matmul(a: &Array, b: &Array, workers: &Workers) -> Result<Array, LinalgError> {
    assert_eq!(a.dtype(), b.dtype(), "matmul: operands of different dtypes");
    assert!(a.ndim() >= 1 && b.ndim() >= 1, "matmul: rank-0 operand");
    // Promote 1-D operands to matrices: (k) @ … is (1, k) @ …, … @ (k) is … @ (k, 1).
    let a_matrix = if a.ndim() == 1 {
        a.insert_axis(0)
    } else {
        a.clone()
    };
    let b_matrix = if b.ndim() == 1 {
        b.insert_axis(1)
    } else {
        b.clone()
    };
    let (a_rank, b_rank) = (a_matrix.ndim(), b_matrix.ndim());
    let (n_rows, inner) = (a_matrix.shape()[a_rank - 2], a_matrix.shape()[a_rank - 1]);
    let (b_inner, n_cols) = (b_matrix.shape()[b_rank - 2], b_matrix.shape()[b_rank - 1]);
    if inner != b_inner {
        return Err(LinalgError::Shape(format!(
            "shapes {} and {} do not fit: {} columns against {} rows",
            shape_text(a.shape()),
            shape_text(b.shape()),
            inner,
            b_inner
        )));
    }
    let a_batch = &a_matrix.shape()[..a_rank - 2];
    let b_batch = &b_matrix.shape()[..b_rank - 2];
    let Some(batch) = crate::array::broadcast_shapes(a_batch, b_batch) else {
        return Err(LinalgError::Shape(format!(
            "shapes {} and {} do not fit: their stacks {} and {} do not broadcast",
            shape_text(a.shape()),
            shape_text(b.shape()),
            shape_text(a_batch),
            shape_text(b_batch)
        )));
    };
    let mut a_shape = batch.clone();
    a_shape.extend([n_rows, inner]);
    let mut b_shape = batch.clone();
    b_shape.extend([inner, n_cols]);
    let a_full = a_matrix
        .broadcast_to(&a_shape)
        .expect("broadcast of a matmul operand to its checked batch shape");
    let b_full = b_matrix
        .broadcast_to(&b_shape)
        .expect("broadcast of a matmul operand to its checked batch shape");

    let mut out_shape = batch.clone();
    out_shape.extend([n_rows, n_cols]);
    let out = Array::zeros(a.dtype(), &out_shape)?;
    let n_batch: usize = batch.iter().product();
    if n_batch > 0 && n_rows > 0 && n_cols > 0 && inner > 0 {
        let element_size = a.dtype().size() as isize;
        let out_ptr = out.buffer().as_mut_ptr();
        let mut index = vec![0usize; batch.len()];
        for batch_item in 0..n_batch {
            let view = |array: &Array| {
                let strides = array.strides();
                let rank = strides.len();
                let offset: isize = index
                    .iter()
                    .zip(strides)
                    .map(|(&i, &stride)| i as isize * stride)
                    .sum();
                MatrixView {
                    ptr: array.data_ptr().wrapping_offset(offset * element_size),
                    row_stride: strides[rank - 2],
                    col_stride: strides[rank - 1],
                }
            };
            let product = MatrixProduct {
                dtype: a.dtype(),
                lhs: view(&a_full),
                rhs: view(&b_full),
                target: out_ptr.wrapping_add(batch_item * n_rows * n_cols * element_size as usize),
                n_rows,
                inner,
                n_cols,
            };
            // SAFETY: `lhs` and `rhs` address elements of the (broadcast) operands, whose every
            // element lies inside their buffers; `target` is this item's n_rows × n_cols block
            // of the fresh, unshared output buffer, which no operand aliases.
            unsafe { product.run(workers) };
            // Advance the batch multi-index in row-major order.
            for axis in (0..batch.len()).rev() {
                index[axis] += 1;
                if index[axis] < batch[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
    }
    // Drop the promoted axes again.
    let mut result = out;
    if b.ndim() == 1 {
        result = result.index_axis(result.ndim() - 1, 0);
    }
    if a.ndim() == 1 {
        result = result.index_axis(result.ndim() - if b.ndim() == 1 { 1 } else { 2 }, 0);
    }
    Ok(result)
}

/// One matrix product `target[i, j] = Σ_k lhs[i, k] · rhs[k, j]`, into a row-major
/// `n_rows × n_cols` block.
#[derive(Clone, Copy)]
struct MatrixProduct {
    dtype: DType,
    lhs: MatrixView,
    rhs: MatrixView,
    target: *mut u8,
    n_rows: usize,
    inner: usize,
    n_cols: usize,
}

// SAFETY: a product is handed to a worker thread only by `MatrixProduct::run`, which waits
// for it to finish, so the memory its pointers address outlives its use there; the target
// is written by this product alone.
unsafe impl Send for MatrixProduct {}

impl MatrixProduct {
    /// Computes the product, on several of `workers`' threads if it is a float product large
    /// enough for `gemm` to split (smaller ones run here and start no thread).
    ///
    /// # Safety
    /// `lhs` must address an `n_rows × inner` matrix and `rhs` an `inner × n_cols` matrix of
    /// `dtype` through their strides; `target` must be writable for the block and alias
    /// neither.
    unsafe fn run(self, workers: &Workers) {
        let n_multiplies = self
            .n_rows
            .saturating_mul(self.n_cols)
            .saturating_mul(self.inner);
        if self.uses_gemm()
            && workers.count().get() > 1
            && n_multiplies >= gemm::get_threading_threshold()
        {
            // SAFETY: the caller's contract.
            workers
                .run(move |n_threads| unsafe { self.compute(gemm::Parallelism::Rayon(n_threads)) });
        } else {
            // SAFETY: the caller's contract.
            unsafe { self.compute(gemm::Parallelism::None) };
        }
    }

    /// Whether `gemm` computes this product. For an inner length of 2 it would round both
    /// products separately (its `gevv` shortcut), where its own kernels and NumPy's BLAS
    /// round `fma(x1, y1, x0 * y0)`; nx computes that itself.
    fn uses_gemm(&self) -> bool {
        matches!(self.dtype, DType::F32 | DType::F64) && self.inner != 2
    }

    /// # Safety
    /// As `run`; with `Parallelism::Rayon`, called inside the rayon pool to split over.
    unsafe fn compute(&self, parallelism: gemm::Parallelism) {
        let MatrixProduct {
            dtype,
            lhs,
            rhs,
            target,
            n_rows,
            inner,
            n_cols,
        } = *self;
        // SAFETY (every arm): the caller's contract, with strides in elements as `gemm` and
        // `generic_product` take them. `gemm` names strides by what they step over: a
        // "column stride" steps from one column to the next, i.e. along a row.
        unsafe {
            match dtype {
                DType::F64 if self.uses_gemm() => float_product::<f64>(self, 0.0, 1.0, parallelism),
                DType::F32 if self.uses_gemm() => float_product::<f32>(self, 0.0, 1.0, parallelism),
                DType::F64 => generic_product::<f64>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::F32 => generic_product::<f32>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::Bool => generic_product::<bool>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::I8 => generic_product::<i8>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::I16 => generic_product::<i16>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::I32 => generic_product::<i32>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::I64 => generic_product::<i64>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::U8 => generic_product::<u8>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::U16 => generic_product::<u16>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::U32 => generic_product::<u32>(lhs, rhs, target, n_rows, inner, n_cols),
                DType::U64 => generic_product::<u64>(lhs, rhs, target, n_rows, inner, n_cols),
            }
        }
    }
}

/// A float product through `gemm`: `target = one · lhs · rhs`, the target not read (`gemm`
/// then ignores its factor, `zero` here).
///
/// # Safety
/// As `MatrixProduct::run`, with `T` the element type of `product.dtype`.
unsafe fn float_product<T: Copy + 'static>(
    product: &MatrixProduct,
    zero: T,
    one: T,
    parallelism: gemm::Parallelism,
) {
    // SAFETY: the caller's contract; `gemm` reads `lhs` and `rhs` through any strides
    // (negative, zero, unaligned rows) and writes only the `n_rows × n_cols` target.
    unsafe {
        gemm::gemm(
            product.n_rows,
            product.n_cols,
            product.inner,
            product.target.cast::<T>(),
            1,
            product.n_cols as isize,
            false,
            product.lhs.ptr.cast::<T>(),
            product.lhs.col_stride,
            product.lhs.row_stride,
            product.rhs.ptr.cast::<T>(),
            product.rhs.col_stride,
            product.rhs.row_stride,
            zero,
            one,
            false,
            false,
            false,
            parallelism,
        )
    }
}

/// Multiply-accumulate of the products nx computes itself: wrapping for integers, and/or for
/// bool, a fused multiply-add for floats (as `gemm`'s and BLAS's kernels do).
trait ProductElement: Copy + Default {
    fn mul_add(acc: Self, x: Self, y: Self) -> Self;
}

macro_rules! impl_int_product {
    ($($t:ty),*) => {$(
        impl ProductElement for $t {
            fn mul_add(acc: Self, x: Self, y: Self) -> Self {
                acc.wrapping_add(x.wrapping_mul(y))
            }
        }
    )*};
}
impl_int_product!(i8, i16, i32, i64, u8, u16, u32, u64);

impl ProductElement for f32 {
    fn mul_add(acc: f32, x: f32, y: f32) -> f32 {
        x.mul_add(y, acc)
    }
}

impl ProductElement for f64 {
    fn mul_add(acc: f64, x: f64, y: f64) -> f64 {
        x.mul_add(y, acc)
    }
}

impl ProductElement for bool {
    fn mul_add(acc: bool, x: bool, y: bool) -> bool {
        acc || (x && y)
    }
}

/// The i-k-j loop: the inner loop runs along a row of `rhs` and of the target.
///
/// # Safety
/// As `MatrixProduct::run`, with `T` the element type of the operands.
unsafe fn generic_product<T: ProductElement>(
    lhs: MatrixView,
    rhs: MatrixView,
    target: *mut u8,
    n_rows: usize,
    inner: usize,
    n_cols: usize,
) {
    let lhs_ptr = lhs.ptr.cast::<T>();
    let rhs_ptr = rhs.ptr.cast::<T>();
    let target = target.cast::<T>();
    for row in 0..n_rows {
        // SAFETY: the caller's contract; every offset below addresses an element of one of
        // the three matrices, read and written unaligned (mapped files need not be aligned).
        unsafe {
            let target_row = target.add(row * n_cols);
            for col in 0..n_cols {
                target_row.add(col).write_unaligned(T::default());
            }
            for k in 0..inner {
                let x = lhs_ptr
                    .offset(row as isize * lhs.row_stride + k as isize * lhs.col_stride)
                    .read_unaligned();
                let rhs_row = rhs_ptr.offset(k as isize * rhs.row_stride);
                for col in 0..n_cols {
                    let y = rhs_row
                        .offset(col as isize * rhs.col_stride)
                        .read_unaligned();
                    let cell = target_row.add(col);
                    cell.write_unaligned(T::mul_add(cell.read_unaligned(), x, y));
                }
            }
        }
    }
}

/// `outer(a, b)[i, j] = a.flat[i] · b.flat[j]`, of the operands' common dtype (wrapping for
/// integers, `and` for bool).
pub fn outer(a: &Array, b: &Array, workers: &Workers) -> Result<Array, LinalgError> {
    assert_eq!(a.dtype(), b.dtype(), "outer: operands of different dtypes");
    let a_flat = a.to_contiguous()?.reshaped(&[a.size()])?;
    let b_flat = b.to_contiguous()?.reshaped(&[b.size()])?;
    let column = a_flat.insert_axis(1);
    let row = b_flat.insert_axis(0);
    // The outer product is the matrix product of a column and a row (inner length 1), which
    // computes each element as one exact product.
    matmul(&column, &row, workers)
}

/// The 2-norm of all elements of a float array: √(Σ x²), accumulated pairwise in `f64` (for
/// `f32` too) in row-major order, and rounded to the array's dtype.
pub fn norm(x: &Array) -> Scalar {
    let squares: Vec<f64> = x
        .iter()
        .map(|value| {
            let value = value.as_f64();
            value * value
        })
        .collect();
    let total = pairwise_sum(&squares).sqrt();
    match x.dtype() {
        DType::F32 => Scalar::F32(total as f32),
        _ => Scalar::F64(total),
    }
}

/// Pairwise summation in a fixed order (blocks of 128 summed left to right).
fn pairwise_sum(values: &[f64]) -> f64 {
    if values.len() <= 128 {
        return values.iter().fold(0.0, |total, value| total + value);
    }
    let middle = values.len() / 2;
    pairwise_sum(&values[..middle]) + pairwise_sum(&values[middle..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::array::SliceRange;
    use std::num::NonZeroUsize;

    fn workers(count: usize) -> Workers {
        Workers::new(NonZeroUsize::new(count).unwrap())
    }

    #[test]
    fn small_products_of_every_kind() {
        let one = workers(1);
        let a = Array::from_vec(&[2, 3], vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = Array::from_vec(&[3, 2], vec![7.0f64, 8.0, 9.0, 10.0, 11.0, 12.0]);
        let c = matmul(&a, &b, &one).unwrap();
        assert_eq!(c.shape(), &[2, 2]);
        assert_eq!(c.to_vec::<f64>(), vec![58.0, 64.0, 139.0, 154.0]);
        let ai = Array::from_vec(&[2, 3], vec![1i32, 2, 3, 4, 5, 6]);
        let bi = Array::from_vec(&[3], vec![1i32, 0, -1]);
        let ci = matmul(&ai, &bi, &one).unwrap();
        assert_eq!(ci.shape(), &[2]);
        assert_eq!(ci.to_vec::<i32>(), vec![-2, -2]);
        let v = matmul(&bi, &bi, &one).unwrap();
        assert_eq!(v.shape(), &[] as &[usize]);
        assert_eq!(v.scalar_value(), Scalar::I32(2));
        let transposed = a.permuted(&[1, 0]);
        let gram = matmul(&a, &transposed, &one).unwrap();
        assert_eq!(gram.to_vec::<f64>(), vec![14.0, 32.0, 32.0, 77.0]);
        // An inner length of 2 rounds fma(x1, y1, x0 * y0), as NumPy's BLAS does:
        // (1/3)·1 + (2/3)·3 is 2.3333335 so, 2.3333333 with both products rounded first.
        // (NumPy: `(a / 3) @ a` for `a = [[1, 2], [3, 4]]` as f32.)
        let a32 = Array::from_vec(&[2, 2], vec![1.0f32, 2.0, 3.0, 4.0]);
        let thirds = Array::from_vec(&[2, 2], vec![1.0f32 / 3.0, 2.0 / 3.0, 1.0, 4.0 / 3.0]);
        let product = matmul(&thirds, &a32, &one).unwrap();
        assert_eq!(
            product.to_vec::<f32>(),
            vec![2.3333335, 3.3333335, 5.0, 7.3333335]
        );
    }

    #[test]
    fn mismatched_shapes_are_errors() {
        let a = Array::zeros(DType::F64, &[2, 3]).unwrap();
        assert!(matches!(
            matmul(&a, &a, &workers(1)),
            Err(LinalgError::Shape(_))
        ));
    }

    #[test]
    fn outer_and_norm() {
        let a = Array::from_vec(&[2], vec![1i64, 2]);
        let b = Array::from_vec(&[3], vec![3i64, 4, 5]);
        assert_eq!(
            outer(&a, &b, &workers(1)).unwrap().to_vec::<i64>(),
            vec![3, 4, 5, 6, 8, 10]
        );
        let x = Array::from_vec(&[2], vec![3.0f32, 4.0]);
        assert_eq!(norm(&x), Scalar::F32(5.0));
    }

    /// A `rows × cols` f64 matrix of scrambled values in [-1, 1), whose products round (so
    /// the summation order shows in the bits).
    fn scrambled(rows: usize, cols: usize, seed: u64) -> Array {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let values = (0..rows * cols)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 * 2f64.powi(-52) - 1.0
            })
            .collect();
        Array::from_vec(&[rows, cols], values)
    }

    /// The operand pairs the float tests multiply: shapes around `gemm`'s tile and block
    /// edges, big enough to be split over threads, as contiguous, transposed, strided,
    /// reversed and broadcast views.
    fn operand_pairs() -> Vec<(&'static str, Array, Array)> {
        let reversed = |x: &Array, axis: usize| {
            let len = x.shape()[axis];
            x.slice_axis(
                axis,
                SliceRange {
                    start: len - 1,
                    len,
                    step: -1,
                },
            )
        };
        let every_other = |x: &Array, axis: usize| {
            let len = x.shape()[axis];
            x.slice_axis(
                axis,
                SliceRange {
                    start: 1,
                    len: len / 2,
                    step: 2,
                },
            )
        };
        let mut pairs = vec![
            ("contiguous", scrambled(203, 517, 1), scrambled(517, 131, 2)),
            ("square", scrambled(260, 260, 3), scrambled(260, 260, 4)),
            ("long inner", scrambled(37, 3001, 5), scrambled(3001, 45, 6)),
            (
                "row times matrix",
                scrambled(1, 1500, 7),
                scrambled(1500, 700, 8),
            ),
            (
                "matrix times column",
                scrambled(700, 1500, 9),
                scrambled(1500, 1, 10),
            ),
            ("inner of one", scrambled(900, 1, 11), scrambled(1, 800, 12)),
        ];
        let a = scrambled(310, 290, 13);
        let b = scrambled(290, 150, 14);
        pairs.push(("transposed", a.permuted(&[1, 0]), scrambled(310, 170, 15)));
        pairs.push(("every other row", every_other(&a, 0), b.clone()));
        pairs.push(("reversed", reversed(&a, 1), reversed(&b, 0)));
        let row = scrambled(1, 290, 16);
        let broadcast = row.broadcast_to(&[300, 290]).unwrap();
        pairs.push(("broadcast", broadcast, b));
        pairs
    }

    fn bits(x: &Array) -> Vec<u64> {
        match x.dtype() {
            DType::F64 => x.to_vec::<f64>().iter().map(|v| v.to_bits()).collect(),
            _ => x
                .to_vec::<f32>()
                .iter()
                .map(|v| v.to_bits() as u64)
                .collect(),
        }
    }

    #[test]
    fn products_do_not_depend_on_the_thread_count() {
        let pools = [workers(1), workers(2), workers(3)];
        for dtype in [DType::F64, DType::F32] {
            for (name, a, b) in operand_pairs() {
                let (a, b) = (a.cast(dtype).unwrap(), b.cast(dtype).unwrap());
                let products: Vec<Vec<u64>> = pools
                    .iter()
                    .map(|pool| bits(&matmul(&a, &b, pool).unwrap()))
                    .collect();
                assert!(
                    products.iter().all(|product| *product == products[0]),
                    "{dtype:?} {name}: the bits depend on the thread count"
                );
                let again = bits(&matmul(&a, &b, &pools[1]).unwrap());
                assert_eq!(again, products[1], "{dtype:?} {name}: not deterministic");
            }
        }
        assert!(
            pools[1].is_started() && pools[2].is_started(),
            "the large products ran on the pools"
        );
    }

    /// The inputs above are sensitive to the summation order, so the test above would catch a
    /// split of the inner dimension: summing two halves of it changes bits.
    #[test]
    fn splitting_the_inner_dimension_would_show() {
        let one = workers(1);
        let (a, b) = (scrambled(203, 517, 1), scrambled(517, 131, 2));
        let half = |x: &Array, axis: usize, first: bool| {
            let len = x.shape()[axis] / 2;
            let start = if first { 0 } else { len };
            let len = if first { len } else { x.shape()[axis] - len };
            x.slice_axis(
                axis,
                SliceRange {
                    start,
                    len,
                    step: 1,
                },
            )
        };
        let first = matmul(&half(&a, 1, true), &half(&b, 0, true), &one).unwrap();
        let second = matmul(&half(&a, 1, false), &half(&b, 0, false), &one).unwrap();
        let split: Vec<u64> = (first.to_vec::<f64>().iter())
            .zip(second.to_vec::<f64>())
            .map(|(x, y)| (x + y).to_bits())
            .collect();
        assert_ne!(split, bits(&matmul(&a, &b, &one).unwrap()));
    }

    #[test]
    fn float_products_match_a_plain_loop() {
        for dtype in [DType::F64, DType::F32] {
            let tolerance = if dtype == DType::F64 { 1e-12 } else { 1e-4 };
            for (name, a, b) in operand_pairs() {
                let product = matmul(
                    &a.cast(dtype).unwrap(),
                    &b.cast(dtype).unwrap(),
                    &workers(2),
                )
                .unwrap()
                .cast(DType::F64)
                .unwrap();
                let (n_rows, inner, n_cols) = (a.shape()[0], a.shape()[1], b.shape()[1]);
                assert_eq!(product.shape(), &[n_rows, n_cols]);
                let values = |x: &Array| {
                    x.cast(dtype)
                        .unwrap()
                        .cast(DType::F64)
                        .unwrap()
                        .to_vec::<f64>()
                };
                let (a, b) = (values(&a), values(&b));
                let product = product.to_vec::<f64>();
                for row in 0..n_rows {
                    for col in 0..n_cols {
                        let (mut expected, mut magnitude) = (0.0, 0.0);
                        for k in 0..inner {
                            let term = a[row * inner + k] * b[k * n_cols + col];
                            expected += term;
                            magnitude += term.abs();
                        }
                        let got = product[row * n_cols + col];
                        assert!(
                            (got - expected).abs() <= tolerance * magnitude,
                            "{dtype:?} {name} [{row}, {col}]: {got} against {expected}"
                        );
                    }
                }
            }
        }
    }
}

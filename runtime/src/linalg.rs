//! Linear algebra on arrays: `matmul` (NumPy's rules: 1-D operands promoted, stacks of
//! matrices broadcast), `outer` and the 2-norm.
//!
//! Float matrix products go to `matrixmultiply`'s packed GEMM kernels, single-threaded, so a
//! result depends only on the operands and the machine's instruction set, never on a thread
//! count. Integer products use a plain triple loop with wrapping arithmetic (NumPy's integer
//! overflow behaviour); bool products are "any of the ands", as NumPy's.

use crate::array::Array;
use crate::buffer::AllocError;
use crate::dtype::DType;
use crate::scalar::Scalar;

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
/// checker converts them) and rank ≥ 1.
pub fn matmul(a: &Array, b: &Array) -> Result<Array, LinalgError> {
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
            let (lhs, rhs) = (view(&a_full), view(&b_full));
            let target = out_ptr.wrapping_add(batch_item * n_rows * n_cols * element_size as usize);
            // SAFETY: `lhs` and `rhs` address elements of the (broadcast) operands, whose every
            // element lies inside their buffers; `target` is this item's n_rows × n_cols block
            // of the fresh, unshared output buffer, which no operand aliases.
            unsafe { matrix_product(a.dtype(), lhs, rhs, target, n_rows, inner, n_cols) };
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

/// `target[i, j] = Σ_k lhs[i, k] · rhs[k, j]` into a row-major `n_rows × n_cols` block.
///
/// # Safety
/// `lhs` must address an `n_rows × inner` matrix and `rhs` an `inner × n_cols` matrix of
/// `dtype` through their strides; `target` must be writable for the block and alias neither.
unsafe fn matrix_product(
    dtype: DType,
    lhs: MatrixView,
    rhs: MatrixView,
    target: *mut u8,
    n_rows: usize,
    inner: usize,
    n_cols: usize,
) {
    // SAFETY (every arm): the caller's contract, with strides in elements as both GEMM
    // routines and `int_product` take them.
    unsafe {
        match dtype {
            DType::F64 => matrixmultiply::dgemm(
                n_rows,
                inner,
                n_cols,
                1.0,
                lhs.ptr.cast::<f64>(),
                lhs.row_stride,
                lhs.col_stride,
                rhs.ptr.cast::<f64>(),
                rhs.row_stride,
                rhs.col_stride,
                0.0,
                target.cast::<f64>(),
                n_cols as isize,
                1,
            ),
            DType::F32 => matrixmultiply::sgemm(
                n_rows,
                inner,
                n_cols,
                1.0,
                lhs.ptr.cast::<f32>(),
                lhs.row_stride,
                lhs.col_stride,
                rhs.ptr.cast::<f32>(),
                rhs.row_stride,
                rhs.col_stride,
                0.0,
                target.cast::<f32>(),
                n_cols as isize,
                1,
            ),
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

/// Multiply-accumulate of the non-GEMM element types: wrapping for integers, and/or for bool.
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

impl ProductElement for bool {
    fn mul_add(acc: bool, x: bool, y: bool) -> bool {
        acc || (x && y)
    }
}

/// The i-k-j loop: the inner loop runs along a row of `rhs` and of the target.
///
/// # Safety
/// As `matrix_product`, with `T` the element type of the operands.
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
pub fn outer(a: &Array, b: &Array) -> Result<Array, LinalgError> {
    assert_eq!(a.dtype(), b.dtype(), "outer: operands of different dtypes");
    let a_flat = a.to_contiguous()?.reshaped(&[a.size()])?;
    let b_flat = b.to_contiguous()?.reshaped(&[b.size()])?;
    let column = a_flat.insert_axis(1);
    let row = b_flat.insert_axis(0);
    // The outer product is the matrix product of a column and a row (inner length 1), which
    // computes each element as one exact product.
    matmul(&column, &row)
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

    #[test]
    fn small_products_of_every_kind() {
        let a = Array::from_vec(&[2, 3], vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let b = Array::from_vec(&[3, 2], vec![7.0f64, 8.0, 9.0, 10.0, 11.0, 12.0]);
        let c = matmul(&a, &b).unwrap();
        assert_eq!(c.shape(), &[2, 2]);
        assert_eq!(c.to_vec::<f64>(), vec![58.0, 64.0, 139.0, 154.0]);
        let ai = Array::from_vec(&[2, 3], vec![1i32, 2, 3, 4, 5, 6]);
        let bi = Array::from_vec(&[3], vec![1i32, 0, -1]);
        let ci = matmul(&ai, &bi).unwrap();
        assert_eq!(ci.shape(), &[2]);
        assert_eq!(ci.to_vec::<i32>(), vec![-2, -2]);
        let v = matmul(&bi, &bi).unwrap();
        assert_eq!(v.shape(), &[] as &[usize]);
        assert_eq!(v.scalar_value(), Scalar::I32(2));
        let transposed = a.permuted(&[1, 0]);
        let gram = matmul(&a, &transposed).unwrap();
        assert_eq!(gram.to_vec::<f64>(), vec![14.0, 32.0, 32.0, 77.0]);
    }

    #[test]
    fn mismatched_shapes_are_errors() {
        let a = Array::zeros(DType::F64, &[2, 3]).unwrap();
        assert!(matches!(matmul(&a, &a), Err(LinalgError::Shape(_))));
    }

    #[test]
    fn outer_and_norm() {
        let a = Array::from_vec(&[2], vec![1i64, 2]);
        let b = Array::from_vec(&[3], vec![3i64, 4, 5]);
        assert_eq!(
            outer(&a, &b).unwrap().to_vec::<i64>(),
            vec![3, 4, 5, 6, 8, 10]
        );
        let x = Array::from_vec(&[2], vec![3.0f32, 4.0]);
        assert_eq!(norm(&x), Scalar::F32(5.0));
    }
}

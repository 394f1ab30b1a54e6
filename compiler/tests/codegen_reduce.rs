//! Reductions: the JIT agrees bit for bit with the reference interpreter for every reduction,
//! dtype, number of reduced axes and layout, and float sums follow the documented fixed order
//! (checked against an independent implementation).

mod codegen_common;

use codegen_common::{ALL_REDUCE_OPS, Layout, Rng, TestBuffer, check_against_interpreter};
use nx_compiler::codegen::Jit;
use nx_compiler::ir::verify::verify;
use nx_compiler::ir::{
    BinaryOp, BufRole, BufView, Effect, Inst, Kernel, KernelStatus, ReduceOp, UnaryOp,
};
use nx_runtime::DType;
use std::ops::Add;

fn reduce_kernel(op: ReduceOp, dtype: DType, rank: usize, reduce_axes: usize) -> Kernel {
    let result = match op {
        ReduceOp::ArgMin | ReduceOp::ArgMax => DType::I64,
        _ => dtype,
    };
    let mut kernel = Kernel::new("reduce", rank);
    kernel.reduce_axes = reduce_axes;
    let input = kernel.add_buf(dtype, BufRole::Input, false);
    let output = kernel.add_buf(result, BufRole::Output, false);
    let value = kernel.add_value(Inst::Load(input), dtype);
    kernel.effects.push(Effect::Reduce {
        op,
        buf: output,
        value,
    });
    kernel
}

fn shapes(rank: usize, reduce_axes: usize) -> Vec<Vec<usize>> {
    match (rank, reduce_axes) {
        (1, _) => [0, 1, 3, 9, 255, 256, 257, 1000, 3000]
            .iter()
            .map(|&length| vec![length])
            .collect(),
        (2, 1) => vec![vec![3, 0], vec![3, 7], vec![2, 1000], vec![0, 5]],
        (2, _) => vec![vec![3, 101], vec![7, 300], vec![1, 0]],
        (3, 1) => vec![vec![2, 3, 37], vec![2, 2, 600]],
        (3, 2) => vec![vec![2, 3, 37], vec![2, 5, 131]],
        _ => vec![vec![2, 3, 37], vec![3, 4, 99]],
    }
}

#[test]
fn every_reduction_agrees_with_the_interpreter() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(0xfeed_beef_1234_5678);
    let mut checked = 0;
    for dtype in DType::ALL {
        for op in ALL_REDUCE_OPS {
            for (rank, reduce_axes) in [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)] {
                let kernel = reduce_kernel(op, dtype, rank, reduce_axes);
                if verify(&kernel).is_err() {
                    continue;
                }
                let compiled = jit
                    .compile(&kernel)
                    .unwrap_or_else(|error| panic!("{error}\n{kernel}"));
                for shape in shapes(rank, reduce_axes) {
                    for layout in [Layout::Contiguous, Layout::Strided(2), Layout::Reversed] {
                        check_against_interpreter(
                            &kernel,
                            &compiled,
                            &shape,
                            &[layout],
                            Layout::Contiguous,
                            &mut rng,
                        );
                    }
                }
                let shape = shapes(rank, reduce_axes).pop().unwrap();
                for layout in [Layout::Transposed, Layout::Broadcast] {
                    check_against_interpreter(
                        &kernel,
                        &compiled,
                        &shape,
                        &[layout],
                        Layout::Strided(2),
                        &mut rng,
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "{checked}");
}

#[test]
fn float_sums_and_products_are_vectorized() {
    let mut jit = Jit::new().unwrap();
    for dtype in [DType::F64, DType::F32, DType::I64, DType::I32] {
        for op in [ReduceOp::Sum, ReduceOp::Min, ReduceOp::Max] {
            let compiled = jit.compile(&reduce_kernel(op, dtype, 2, 1)).unwrap();
            assert!(compiled.is_vectorized(), "{op:?} {dtype}");
        }
    }
}

/// `sum(x)`, `sum(x * x)`, `max(x)` and `argmax(x)` in one pass; then the vectorizable trio.
#[test]
fn sibling_reductions_in_one_kernel() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(42);
    for dtype in [DType::F64, DType::F32, DType::I32] {
        for with_argmax in [true, false] {
            let mut kernel = Kernel::new("siblings", 2);
            kernel.reduce_axes = 1;
            let input = kernel.add_buf(dtype, BufRole::Input, false);
            let x = kernel.add_value(Inst::Load(input), dtype);
            let square = kernel.add_value(Inst::Binary(BinaryOp::Mul, x, x), dtype);
            let negated = kernel.add_value(Inst::Unary(UnaryOp::Neg, x), dtype);
            let mut outputs = vec![
                (ReduceOp::Sum, x),
                (ReduceOp::Sum, square),
                (ReduceOp::Max, negated),
            ];
            if with_argmax {
                outputs.push((ReduceOp::ArgMax, x));
            }
            for (op, value) in outputs {
                let out_dtype = if op == ReduceOp::ArgMax {
                    DType::I64
                } else {
                    dtype
                };
                let buf = kernel.add_buf(out_dtype, BufRole::Output, false);
                kernel.effects.push(Effect::Reduce { op, buf, value });
            }
            verify(&kernel).unwrap();
            let compiled = jit.compile(&kernel).unwrap();
            assert_eq!(compiled.is_vectorized(), !with_argmax);
            for shape in [[3usize, 0], [3, 5], [2, 1000], [2, 4097]] {
                for layout in [Layout::Contiguous, Layout::Strided(3)] {
                    check_against_interpreter(
                        &kernel,
                        &compiled,
                        &shape,
                        &[layout],
                        Layout::Contiguous,
                        &mut rng,
                    );
                }
            }
        }
    }
}

// `below + result` spells the documented order; `+=` would read as the other one.
#[allow(clippy::assign_op_pattern)]
/// The documented cascade over the block values, in order: after each push, a binary
/// counter merges the top two entries once per trailing zero of the block count; at the end
/// the stack folds from the top, `s_0 + (s_1 + (...))`. No blocks give `zero`.
fn documented_cascade<T: Copy + Add<Output = T>>(
    block_values: impl IntoIterator<Item = T>,
    zero: T,
) -> T {
    let mut stack: Vec<T> = Vec::new();
    let mut blocks = 0u64;
    for block_value in block_values {
        stack.push(block_value);
        blocks += 1;
        for _ in 0..blocks.trailing_zeros() {
            let upper = stack.pop().unwrap();
            let lower = stack.pop().unwrap();
            stack.push(lower + upper);
        }
    }
    let mut result = match stack.pop() {
        Some(top) => top,
        None => return zero,
    };
    while let Some(below) = stack.pop() {
        result = below + result;
    }
    result
}

/// The documented order, written independently of the interpreter: blocks of 128, lanes
/// `j % 8`, pairwise lanes, binary-counter cascade, fold from the top.
fn documented_f64_sum(values: &[f64]) -> f64 {
    let block_values = values.chunks(128).map(|block| {
        let mut lanes = [0.0f64; 8];
        for (j, value) in block.iter().enumerate() {
            lanes[j % 8] += value;
        }
        let pair = |a: usize| lanes[a] + lanes[a + 1];
        (pair(0) + pair(2)) + (pair(4) + pair(6))
    });
    documented_cascade(block_values, 0.0)
}

/// As `documented_f64_sum` with blocks of 256 and 16 lanes.
fn documented_f32_sum(values: &[f32]) -> f32 {
    let block_values = values.chunks(256).map(|block| {
        let mut lanes = [0.0f32; 16];
        for (j, value) in block.iter().enumerate() {
            lanes[j % 16] += value;
        }
        let pair = |a: usize| lanes[a] + lanes[a + 1];
        let quad = |a: usize| pair(a) + pair(a + 2);
        (quad(0) + quad(4)) + (quad(8) + quad(12))
    });
    documented_cascade(block_values, 0.0)
}

fn run_sum(jit: &mut Jit, dtype: DType, shape: &[usize], data: &mut TestBuffer) -> Vec<u64> {
    let kernel = reduce_kernel(ReduceOp::Sum, dtype, shape.len(), shape.len());
    let compiled = jit.compile(&kernel).unwrap();
    let mut output = TestBuffer::new(dtype, shape, Layout::Contiguous, &vec![true; shape.len()]);
    let views: Vec<BufView> = vec![data.view(), output.view()];
    // SAFETY: the buffers cover the domain; the output has zero strides.
    let status = unsafe { compiled.run(shape, &views) };
    assert_eq!(status, KernelStatus::Ok);
    output.storage
}

#[test]
fn fixed_order_sum_of_a_million_values() {
    let mut jit = Jit::new().unwrap();
    let count = 1_000_003;
    // Values of wildly different magnitudes, so any other order gives other bits.
    let values: Vec<f64> = (0..count)
        .map(|i| {
            let i = i as f64;
            (i * 0.618_033_988_75).sin() * 10f64.powi((i as i64 % 17) as i32 - 8)
        })
        .collect();
    let expected = documented_f64_sum(&values);
    let naive: f64 = values.iter().sum();
    assert_ne!(
        expected.to_bits(),
        naive.to_bits(),
        "the test needs order-sensitive data"
    );
    for shape in [vec![count], vec![1, count]] {
        let mut data = TestBuffer::new(
            DType::F64,
            &shape,
            Layout::Contiguous,
            &vec![false; shape.len()],
        );
        for (index, value) in values.iter().enumerate() {
            data.storage[index] = value.to_bits();
        }
        let result = run_sum(&mut jit, DType::F64, &shape, &mut data);
        assert_eq!(f64::from_bits(result[0]).to_bits(), expected.to_bits());
    }
    // As a 2-d reduction whose rows (1009 elements) cut blocks and lane phases anywhere.
    let rows = 991;
    let shape = [rows, 1009];
    let mut data = TestBuffer::new(DType::F64, &shape, Layout::Contiguous, &[false, false]);
    for (slot, value) in data.storage.iter_mut().zip(&values[..rows * 1009]) {
        *slot = value.to_bits();
    }
    let result = run_sum(&mut jit, DType::F64, &shape, &mut data);
    let expected = documented_f64_sum(&values[..rows * 1009]);
    assert_eq!(f64::from_bits(result[0]).to_bits(), expected.to_bits());

    let values: Vec<f32> = values.iter().map(|&value| value as f32).collect();
    let mut data = TestBuffer::new(DType::F32, &[count], Layout::Contiguous, &[false]);
    for (index, value) in values.iter().enumerate() {
        // SAFETY: `count` f32 elements fit.
        unsafe { data.view().ptr.cast::<f32>().add(index).write(*value) };
    }
    let result = run_sum(&mut jit, DType::F32, &[count], &mut data);
    let result = f32::from_bits(result[0] as u32);
    assert_eq!(result.to_bits(), documented_f32_sum(&values).to_bits());
}

/// `sum((x - m) * (x - m))` over the innermost axis with `m` broadcast along it (the variance
/// kernel of `var(x, axis=1)`), and `sum(x - m)`: the input with innermost stride 0 is splatted
/// on the vector path and the result matches the interpreter bit for bit.
fn centered_kernel(dtype: DType, op: ReduceOp, squared: bool, rank: usize) -> Kernel {
    let mut kernel = Kernel::new("centered", rank);
    kernel.reduce_axes = 1;
    let input = kernel.add_buf(dtype, BufRole::Input, false);
    let mean = kernel.add_buf(dtype, BufRole::Input, false);
    let output = kernel.add_buf(dtype, BufRole::Output, false);
    let x = kernel.add_value(Inst::Load(input), dtype);
    let m = kernel.add_value(Inst::Load(mean), dtype);
    let centered = kernel.add_value(Inst::Binary(BinaryOp::Sub, x, m), dtype);
    let value = if squared {
        kernel.add_value(Inst::Binary(BinaryOp::Mul, centered, centered), dtype)
    } else {
        centered
    };
    kernel.effects.push(Effect::Reduce {
        op,
        buf: output,
        value,
    });
    kernel
}

#[test]
fn reductions_with_an_input_broadcast_along_the_innermost_axis() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(0x0a1b_2c3d_4e5f_6071);
    for dtype in [DType::F64, DType::F32, DType::I32, DType::U8] {
        for op in [ReduceOp::Sum, ReduceOp::Max] {
            for squared in [false, true] {
                for rank in [1, 2, 3] {
                    let kernel = centered_kernel(dtype, op, squared, rank);
                    verify(&kernel).unwrap_or_else(|error| panic!("{error:?}\n{kernel}"));
                    let compiled = jit.compile(&kernel).unwrap();
                    assert!(compiled.is_vectorized(), "{kernel}");
                    for length in [0, 1, 3, 8, 1000, 4097] {
                        let mut shape = vec![2; rank - 1];
                        shape.push(length);
                        for layouts in [
                            [Layout::Contiguous, Layout::InnerBroadcast],
                            [Layout::InnerBroadcast, Layout::Contiguous],
                            [Layout::InnerBroadcast, Layout::InnerBroadcast],
                            [Layout::Strided(2), Layout::InnerBroadcast],
                        ] {
                            check_against_interpreter(
                                &kernel,
                                &compiled,
                                &shape,
                                &layouts,
                                Layout::Contiguous,
                                &mut rng,
                            );
                        }
                    }
                }
            }
        }
    }
}

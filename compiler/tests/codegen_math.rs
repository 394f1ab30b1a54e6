//! The math functions nx implements itself (`exp`, `log`, ...) run in JIT kernels as the
//! runtime's block routines on the host's widest vectors (`codegen/staged.rs`) or as inline
//! 128-bit vector code, and are called through the runtime by scalar code and the interpreter:
//! all must give the same bits, nan payloads included, on random inputs over the whole float
//! range, the interesting range of each function, its thresholds and the special values, for
//! f32 and f64; two-operand functions on pairs of such inputs; staged kernels also at block
//! boundaries, layouts and chains of functions.

mod codegen_common;

use codegen_common::{Layout, Rng, check_against_interpreter};
use nx_compiler::codegen::Jit;
use nx_compiler::ir::interp::interpret;
use nx_compiler::ir::{
    BinaryOp, BufRole, BufView, Effect, Inst, Kernel, KernelStatus, MathFn, ReduceOp,
};
use nx_runtime::DType;

const POINTS: usize = 100_000;

/// `output = function(inputs...)` with `arity` input buffers.
fn math_kernel(function: MathFn, dtype: DType, arity: usize) -> Kernel {
    let mut kernel = Kernel::new("math", 1);
    let inputs: Vec<_> = (0..arity)
        .map(|_| kernel.add_buf(dtype, BufRole::Input, false))
        .collect();
    let output = kernel.add_buf(dtype, BufRole::Output, false);
    let operands = inputs
        .into_iter()
        .map(|input| kernel.add_value(Inst::Load(input), dtype))
        .collect();
    let value = kernel.add_value(Inst::Math(function, operands), dtype);
    kernel.effects.push(Effect::Store { buf: output, value });
    kernel
}

/// Inputs as f64: specials, runs around `edges`, random bit patterns and uniform points in
/// `[low, high]`.
fn inputs(rng: &mut Rng, low: f64, high: f64, edges: &[f64]) -> Vec<f64> {
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::from_bits(0x7ff0_0000_0000_0001),
        f64::from_bits(0xfff8_0000_dead_beef),
        f64::MIN_POSITIVE,
        5e-324,
        1e-310,
        f64::MAX,
        f64::MIN,
        f32::MIN_POSITIVE as f64,
        1e-40,
    ];
    for edge in edges {
        for step in -300i64..300 {
            values.push(f64::from_bits(
                (edge.to_bits() as i64 + step * 1_000_000_000) as u64,
            ));
        }
    }
    while values.len() < POINTS {
        let bits = rng.next_u64();
        let unit = (bits >> 11) as f64 / (1u64 << 53) as f64;
        values.push(match rng.below(3) {
            0 => f64::from_bits(bits),
            _ => low + (high - low) * unit,
        });
    }
    values
}

/// `values` as elements of `dtype`, in bytes.
fn to_bytes(values: &[f64], dtype: DType) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(values.len() * dtype.size());
    for value in values {
        if dtype == DType::F64 {
            bytes.extend_from_slice(&value.to_ne_bytes());
        } else {
            bytes.extend_from_slice(&(*value as f32).to_ne_bytes());
        }
    }
    bytes
}

/// Runs `kernel` on `columns` (one per input buffer, converted to `dtype`) through the JIT's
/// vector path and the interpreter, and returns both outputs as bits.
fn run_both(
    jit: &mut Jit,
    kernel: &Kernel,
    dtype: DType,
    columns: &[Vec<f64>],
) -> (Vec<u64>, Vec<u64>) {
    let compiled = jit.compile(kernel).unwrap();
    assert!(compiled.is_vectorized());
    let size = dtype.size();
    let count = columns[0].len();
    let mut inputs: Vec<Vec<u8>> = columns
        .iter()
        .map(|values| to_bytes(values, dtype))
        .collect();
    let mut outputs = Vec::new();
    for use_jit in [true, false] {
        let mut output = vec![0u8; count * size];
        let mut views: Vec<BufView> = inputs
            .iter_mut()
            .map(|input| BufView {
                ptr: input.as_mut_ptr(),
                byte_strides: vec![size as isize],
            })
            .collect();
        views.push(BufView {
            ptr: output.as_mut_ptr(),
            byte_strides: vec![size as isize],
        });
        let sizes = [count];
        // SAFETY: every buffer holds `count` contiguous elements of `dtype`.
        let status = unsafe {
            if use_jit {
                compiled.run(&sizes, &views)
            } else {
                interpret(kernel, &sizes, &views)
            }
        };
        assert_eq!(status, KernelStatus::Ok);
        let bits: Vec<u64> = output
            .chunks(size)
            .map(|chunk| {
                if dtype == DType::F64 {
                    u64::from_ne_bytes(chunk.try_into().unwrap())
                } else {
                    u64::from(u32::from_ne_bytes(chunk.try_into().unwrap()))
                }
            })
            .collect();
        outputs.push(bits);
    }
    let interpreted = outputs.pop().unwrap();
    (outputs.pop().unwrap(), interpreted)
}

/// Checks that the JIT and the interpreter agree bit for bit on `columns` for both dtypes.
fn check_columns(function: MathFn, dtype: DType, jit: &mut Jit, columns: &[Vec<f64>]) {
    let kernel = math_kernel(function, dtype, columns.len());
    let (compiled, interpreted) = run_both(jit, &kernel, dtype, columns);
    for (index, (got, want)) in compiled.iter().zip(&interpreted).enumerate() {
        let arguments: Vec<f64> = columns.iter().map(|column| column[index]).collect();
        assert_eq!(
            got, want,
            "{function:?} {dtype} at {arguments:?}: JIT bits {got:#x}, interpreter {want:#x}"
        );
    }
}

/// Checks `function` with block routines (where the host has them) and with inline code.
fn check(function: MathFn, low: f64, high: f64, edges: &[f64], seed: u64) {
    for block_math in [true, false] {
        let mut jit = Jit::new().unwrap();
        jit.set_block_math(block_math);
        let mut rng = Rng(seed);
        for dtype in [DType::F64, DType::F32] {
            let values = inputs(&mut rng, low, high, edges);
            check_columns(function, dtype, &mut jit, &[values]);
        }
    }
}

/// `check` for a two-operand function: `x` and `y` each from `inputs`, shuffled against each
/// other, plus every pair of the leading special inputs.
fn check_binary(function: MathFn, low: f64, high: f64, edges: &[f64], seed: u64) {
    for block_math in [true, false] {
        check_binary_with(function, (low, high), edges, seed, block_math);
    }
}

fn check_binary_with(
    function: MathFn,
    (low, high): (f64, f64),
    edges: &[f64],
    seed: u64,
    block_math: bool,
) {
    let mut jit = Jit::new().unwrap();
    jit.set_block_math(block_math);
    let mut rng = Rng(seed);
    for dtype in [DType::F64, DType::F32] {
        let mut xs = inputs(&mut rng, low, high, edges);
        let mut ys = inputs(&mut rng, low, high, edges);
        for index in (1..ys.len()).rev() {
            ys.swap(index, rng.below(index + 1));
        }
        let specials = xs[..17].to_vec();
        for &x in &specials {
            for &y in &specials {
                xs.push(x);
                ys.push(y);
            }
        }
        check_columns(function, dtype, &mut jit, &[xs, ys]);
    }
}

/// `out0 = pow(log1p(exp(x * y) + y) * tanh(x), y) - y`, `out1 = exp(x * y)`: a staged value
/// that feeds others (a two-operand one among them), one stored directly, and inputs read by
/// several stages.
fn chained_kernel(rank: usize, dtype: DType) -> Kernel {
    let mut kernel = Kernel::new("chained", rank);
    let x_buf = kernel.add_buf(dtype, BufRole::Input, false);
    let y_buf = kernel.add_buf(dtype, BufRole::Input, false);
    let out0 = kernel.add_buf(dtype, BufRole::Output, false);
    let out1 = kernel.add_buf(dtype, BufRole::Output, false);
    let x = kernel.add_value(Inst::Load(x_buf), dtype);
    let y = kernel.add_value(Inst::Load(y_buf), dtype);
    let product = kernel.add_value(Inst::Binary(BinaryOp::Mul, x, y), dtype);
    let exp = kernel.add_value(Inst::Math(MathFn::Exp, vec![product]), dtype);
    let shifted = kernel.add_value(Inst::Binary(BinaryOp::Add, exp, y), dtype);
    let log1p = kernel.add_value(Inst::Math(MathFn::Log1p, vec![shifted]), dtype);
    let tanh = kernel.add_value(Inst::Math(MathFn::Tanh, vec![x]), dtype);
    let scaled = kernel.add_value(Inst::Binary(BinaryOp::Mul, log1p, tanh), dtype);
    let power = kernel.add_value(Inst::Math(MathFn::Pow, vec![scaled, y]), dtype);
    let result = kernel.add_value(Inst::Binary(BinaryOp::Sub, power, y), dtype);
    kernel.effects.push(Effect::Store {
        buf: out0,
        value: result,
    });
    kernel.effects.push(Effect::Store {
        buf: out1,
        value: exp,
    });
    kernel
}

/// `sum(pow(log1p(exp(x * y) + y) * tanh(x), y) - y)` and `max(exp(x * y))` over the innermost axis: staged
/// values inside the fixed summation order's vector chunks, one feeding another.
fn chained_reduction_kernel(rank: usize, dtype: DType) -> Kernel {
    let mut kernel = chained_kernel(rank, dtype);
    kernel.reduce_axes = 1;
    let stores: Vec<_> = kernel.effects.drain(..).collect();
    for (effect, op) in stores.into_iter().zip([ReduceOp::Sum, ReduceOp::Max]) {
        let Effect::Store { buf, value } = effect else {
            unreachable!("chained_kernel stores")
        };
        kernel.effects.push(Effect::Reduce { op, buf, value });
    }
    kernel
}

/// Checks the kernels `make(rank, dtype)` (rank 1 and 2, rows of each of `lengths`) against
/// the interpreter with contiguous, broadcast and strided inputs and each of `output_layouts`.
fn check_staged(
    make: fn(usize, DType) -> Kernel,
    lengths: &[usize],
    output_layouts: &[Layout],
    seed: u64,
) {
    let mut rng = Rng(seed);
    let mut jit = Jit::new().unwrap();
    let layouts = [
        [Layout::Contiguous, Layout::Contiguous],
        [Layout::Contiguous, Layout::Broadcast],
        [Layout::Strided(2), Layout::Contiguous],
    ];
    for dtype in [DType::F64, DType::F32] {
        for rank in [1, 2] {
            let kernel = make(rank, dtype);
            let compiled = jit.compile(&kernel).unwrap();
            assert!(compiled.is_vectorized());
            for &length in lengths {
                let sizes: Vec<usize> = if rank == 1 {
                    vec![length]
                } else {
                    vec![3, length]
                };
                for input_layouts in &layouts {
                    for &output_layout in output_layouts {
                        check_against_interpreter(
                            &kernel,
                            &compiled,
                            &sizes,
                            input_layouts,
                            output_layout,
                            &mut rng,
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn staged_math_in_reductions_matches_the_interpreter() {
    // Around a vector chunk and the 128 f64 / 256 f32 elements of a summation block.
    let lengths = [0, 1, 3, 8, 15, 127, 128, 129, 255, 256, 257, 1000, 2600];
    check_staged(
        chained_reduction_kernel,
        &lengths,
        &[Layout::Contiguous],
        22,
    );
}

#[test]
fn staged_math_matches_the_interpreter_across_blocks_and_layouts() {
    // Around one vector iteration and around the 512 f64 / 1024 f32 elements of a block.
    let lengths = [0, 1, 3, 4, 5, 511, 512, 513, 1023, 1024, 1029, 2600];
    let outputs = [Layout::Contiguous, Layout::Strided(3)];
    check_staged(chained_kernel, &lengths, &outputs, 21);
}

#[test]
fn exp_matches_the_runtime_bit_for_bit() {
    let edges = [
        709.782712893384,
        -745.1332191019412,
        88.72283935546875,
        -103.97207641601562,
    ];
    check(MathFn::Exp, -800.0, 800.0, &edges, 1);
    check(MathFn::Exp, -2.0, 2.0, &[0.0], 2);
}

#[test]
fn exp2_matches_the_runtime_bit_for_bit() {
    let edges = [1024.0, -1075.0, -1074.0, 128.0, -150.0, -149.0];
    check(MathFn::Exp2, -1100.0, 1100.0, &edges, 5);
    check(MathFn::Exp2, -2.0, 2.0, &[0.0, 0.5, -0.5], 6);
}

#[test]
fn expm1_matches_the_runtime_bit_for_bit() {
    let edges = [0.0, 709.782712893384, -745.1332191019412, 41.0, -41.0];
    check(MathFn::Expm1, -800.0, 800.0, &edges, 7);
    check(MathFn::Expm1, -1e-3, 1e-3, &[0.0], 8);
}

#[test]
fn sinh_and_cosh_match_the_runtime_bit_for_bit() {
    let edges = [0.0, 22.0, -22.0, 10.0, -10.0, 710.0, -710.0, 89.0];
    check(MathFn::Sinh, -720.0, 720.0, &edges, 11);
    check(MathFn::Sinh, -1e-2, 1e-2, &[0.0], 12);
    check(MathFn::Cosh, -720.0, 720.0, &edges, 13);
}

#[test]
fn tanh_matches_the_runtime_bit_for_bit() {
    let edges = [0.0, 22.0, -22.0, 10.0, -10.0, 1e-8];
    check(MathFn::Tanh, -40.0, 40.0, &edges, 9);
    check(MathFn::Tanh, -1e-2, 1e-2, &[0.0], 10);
}

#[test]
fn log1p_matches_the_runtime_bit_for_bit() {
    let edges = [-1.0, -0.5, 1e-10, 9007199254740992.0, 16777216.0];
    check(MathFn::Log1p, -1.0, 1e10, &edges, 14);
    check(MathFn::Log1p, -1e-3, 1e-3, &[0.0], 15);
}

#[test]
fn log_matches_the_runtime_bit_for_bit() {
    let edges = [
        1.0,
        std::f64::consts::FRAC_1_SQRT_2,
        f64::MIN_POSITIVE,
        f32::MIN_POSITIVE as f64,
    ];
    check(MathFn::Log, 0.0, 1e10, &edges, 3);
    check(MathFn::Log, 0.5, 2.0, &[1.0], 4);
}

#[test]
fn log2_and_log10_match_the_runtime_bit_for_bit() {
    let edges = [
        1.0,
        std::f64::consts::FRAC_1_SQRT_2,
        f64::MIN_POSITIVE,
        f32::MIN_POSITIVE as f64,
        1024.0,
        1000.0,
    ];
    check(MathFn::Log2, 0.0, 1e10, &edges, 16);
    check(MathFn::Log2, 0.5, 2.0, &[1.0], 17);
    check(MathFn::Log10, 0.0, 1e10, &edges, 18);
    check(MathFn::Log10, 0.5, 2.0, &[1.0], 19);
}

#[test]
fn cbrt_matches_the_runtime_bit_for_bit() {
    let edges = [
        0.0,
        1.0,
        -8.0,
        f64::MIN_POSITIVE,
        -(f32::MIN_POSITIVE as f64),
        f64::MAX,
    ];
    check(MathFn::Cbrt, -1e10, 1e10, &edges, 20);
    check(MathFn::Cbrt, -2.0, 2.0, &[0.125], 21);
}

#[test]
fn sin_cos_tan_match_the_runtime_bit_for_bit() {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};
    let edges = [
        FRAC_PI_4,
        FRAC_PI_2,
        3.0 * FRAC_PI_2,
        1e22,
        1e6,
        // The Cody-Waite bounds (f64, f32): the runs of floats around them cross them.
        2097152.0,
        4096.0,
        f32::MAX as f64,
        f64::MAX,
    ];
    for (function, seed) in [(MathFn::Sin, 16), (MathFn::Cos, 18), (MathFn::Tan, 20)] {
        check(function, -100.0, 100.0, &edges, seed);
        check(function, -1e30, 1e30, &[0.0], seed + 1);
    }
}

#[test]
fn asin_and_acos_match_the_runtime_bit_for_bit() {
    let edges = [0.5, -0.5, 1.0, -1.0, 0.0];
    check(MathFn::Asin, -1.0, 1.0, &edges, 16);
    check(MathFn::Acos, -1.0, 1.0, &edges, 17);
    check(MathFn::Asin, -1e-3, 1e-3, &[0.0], 18);
}

#[test]
fn atan_matches_the_runtime_bit_for_bit() {
    let edges = [0.41421356237309503, 2.414213562373095, 1.0, -1.0, 0.0];
    check(MathFn::Atan, -10.0, 10.0, &edges, 19);
    check(MathFn::Atan, -1e300, 1e300, &[], 20);
}

#[test]
fn atan2_matches_the_runtime_bit_for_bit() {
    let edges = [1.0, -1.0, 0.41421356237309503, f64::MIN_POSITIVE, 1e300];
    check_binary(MathFn::Atan2, -4.0, 4.0, &edges, 21);
}

#[test]
fn hypot_matches_the_runtime_bit_for_bit() {
    let edges = [1.0, f64::MIN_POSITIVE, 1e150, 1e-150, 1e15, 1e-15];
    check_binary(MathFn::Hypot, -4.0, 4.0, &edges, 22);
}

#[test]
fn pow_matches_the_runtime_bit_for_bit() {
    let edges = [1.0, -1.0, 0.5, 2.0, 1e-300, 1e300, 9007199254740992.0];
    check_binary(MathFn::Pow, -4.0, 4.0, &edges, 23);
    check_binary(MathFn::Pow, 0.0, 1e3, &[1.0, 700.0], 24);
}

/// Float `**` in vector code is the inline `pow`, with the bits of the scalar call.
#[test]
fn float_power_operator_matches_the_interpreter() {
    let mut rng = Rng(25);
    let mut jit = Jit::new().unwrap();
    for dtype in [DType::F64, DType::F32] {
        let mut kernel = Kernel::new("power", 1);
        let base = kernel.add_buf(dtype, BufRole::Input, false);
        let exponent = kernel.add_buf(dtype, BufRole::Input, false);
        let out = kernel.add_buf(dtype, BufRole::Output, false);
        let x = kernel.add_value(Inst::Load(base), dtype);
        let y = kernel.add_value(Inst::Load(exponent), dtype);
        let value = kernel.add_value(Inst::Binary(BinaryOp::Pow, x, y), dtype);
        kernel.effects.push(Effect::Store { buf: out, value });
        let compiled = jit.compile(&kernel).unwrap();
        assert!(compiled.is_vectorized());
        for length in [0, 1, 5, 1000] {
            check_against_interpreter(
                &kernel,
                &compiled,
                &[length],
                &[Layout::Contiguous, Layout::Contiguous],
                Layout::Contiguous,
                &mut rng,
            );
        }
    }
}

//! The math functions nx implements itself (`exp`, `log`, `sin`, ...) are emitted inline by the vector path
//! and called through the runtime by scalar code and the interpreter: both must give the same
//! bits, nan payloads included, on random inputs over the whole float range, the interesting
//! range of each function, its thresholds and the special values, for f32 and f64.

mod codegen_common;

use codegen_common::Rng;
use nx_compiler::codegen::Jit;
use nx_compiler::ir::interp::interpret;
use nx_compiler::ir::{BufRole, BufView, Effect, Inst, Kernel, KernelStatus, MathFn};
use nx_runtime::DType;

const POINTS: usize = 100_000;

fn math_kernel(function: MathFn, dtype: DType) -> Kernel {
    let mut kernel = Kernel::new("math", 1);
    let input = kernel.add_buf(dtype, BufRole::Input, false);
    let output = kernel.add_buf(dtype, BufRole::Output, false);
    let x = kernel.add_value(Inst::Load(input), dtype);
    let value = kernel.add_value(Inst::Math(function, vec![x]), dtype);
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

/// Runs `kernel` on `values` (converted to `dtype`) through the JIT's vector path and the
/// interpreter, and returns both outputs as bits.
fn run_both(jit: &mut Jit, kernel: &Kernel, dtype: DType, values: &[f64]) -> (Vec<u64>, Vec<u64>) {
    let compiled = jit.compile(kernel).unwrap();
    assert!(compiled.is_vectorized());
    let size = dtype.size();
    let mut input = Vec::with_capacity(values.len() * size);
    for value in values {
        if dtype == DType::F64 {
            input.extend_from_slice(&value.to_ne_bytes());
        } else {
            input.extend_from_slice(&(*value as f32).to_ne_bytes());
        }
    }
    let mut outputs = Vec::new();
    for use_jit in [true, false] {
        let mut output = vec![0u8; input.len()];
        let views = [
            BufView {
                ptr: input.as_mut_ptr(),
                byte_strides: vec![size as isize],
            },
            BufView {
                ptr: output.as_mut_ptr(),
                byte_strides: vec![size as isize],
            },
        ];
        let sizes = [values.len()];
        // SAFETY: both buffers hold `values.len()` contiguous elements of `dtype`.
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

fn check(function: MathFn, low: f64, high: f64, edges: &[f64], seed: u64) {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(seed);
    for dtype in [DType::F64, DType::F32] {
        let values = inputs(&mut rng, low, high, edges);
        let kernel = math_kernel(function, dtype);
        let (compiled, interpreted) = run_both(&mut jit, &kernel, dtype, &values);
        for (index, (got, want)) in compiled.iter().zip(&interpreted).enumerate() {
            assert_eq!(
                got, want,
                "{function:?} {dtype} at x = {:e}: JIT bits {got:#x}, interpreter {want:#x}",
                values[index]
            );
        }
    }
}

#[test]
fn inline_exp_matches_the_runtime_bit_for_bit() {
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
fn inline_exp2_matches_the_runtime_bit_for_bit() {
    let edges = [1024.0, -1075.0, -1074.0, 128.0, -150.0, -149.0];
    check(MathFn::Exp2, -1100.0, 1100.0, &edges, 5);
    check(MathFn::Exp2, -2.0, 2.0, &[0.0, 0.5, -0.5], 6);
}

#[test]
fn inline_expm1_matches_the_runtime_bit_for_bit() {
    let edges = [0.0, 709.782712893384, -745.1332191019412, 41.0, -41.0];
    check(MathFn::Expm1, -800.0, 800.0, &edges, 7);
    check(MathFn::Expm1, -1e-3, 1e-3, &[0.0], 8);
}

#[test]
fn inline_sinh_and_cosh_match_the_runtime_bit_for_bit() {
    let edges = [0.0, 22.0, -22.0, 10.0, -10.0, 710.0, -710.0, 89.0];
    check(MathFn::Sinh, -720.0, 720.0, &edges, 11);
    check(MathFn::Sinh, -1e-2, 1e-2, &[0.0], 12);
    check(MathFn::Cosh, -720.0, 720.0, &edges, 13);
}

#[test]
fn inline_tanh_matches_the_runtime_bit_for_bit() {
    let edges = [0.0, 22.0, -22.0, 10.0, -10.0, 1e-8];
    check(MathFn::Tanh, -40.0, 40.0, &edges, 9);
    check(MathFn::Tanh, -1e-2, 1e-2, &[0.0], 10);
}

#[test]
fn inline_log1p_matches_the_runtime_bit_for_bit() {
    let edges = [-1.0, -0.5, 1e-10, 9007199254740992.0, 16777216.0];
    check(MathFn::Log1p, -1.0, 1e10, &edges, 14);
    check(MathFn::Log1p, -1e-3, 1e-3, &[0.0], 15);
}

#[test]
fn inline_log_matches_the_runtime_bit_for_bit() {
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
fn inline_sin_cos_tan_match_the_runtime_bit_for_bit() {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};
    let edges = [
        FRAC_PI_4,
        FRAC_PI_2,
        3.0 * FRAC_PI_2,
        1e22,
        1e6,
        1048576.0,
        512.0,
        f32::MAX as f64,
        f64::MAX,
    ];
    for (function, seed) in [(MathFn::Sin, 16), (MathFn::Cos, 18), (MathFn::Tan, 20)] {
        check(function, -100.0, 100.0, &edges, seed);
        check(function, -1e30, 1e30, &[0.0], seed + 1);
    }
}

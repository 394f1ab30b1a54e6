//! Quick kernel measurements, run with `cargo bench -p nx-compiler --bench kernels`:
//! compile latency per kernel, and ns/element of a contiguous f64 `a + 3.0 * b` and of a sum
//! at 10^7, beside the same loop in Rust. The side-by-side comparison with NumPy and its peers
//! is the benchmark harness's job; this is the codegen engineer's quick check.
//!
//! Math functions: ns/element of each of nx's own functions (f64 and f32, 2^16 elements,
//! L2-resident, best of several rounds, variants alternated) as the vector path's block
//! routines on the host's widest vectors (`codegen/staged.rs`), as its inline 128-bit code, as
//! the scalar path's per-element calls into the runtime, and as a Rust loop calling libm per
//! element (what kernels did before nx had its own).

use std::time::Instant;

use nx_compiler::codegen::CompiledKernel;
use nx_compiler::codegen::Jit;
use nx_compiler::ir::print::math_fn_name;
use nx_compiler::ir::{
    BinaryOp, BufRole, BufView, Effect, Inst, Kernel, KernelStatus, MathFn, ReduceOp,
};
use nx_runtime::mathlib::blocks::Isa;
use nx_runtime::mathlib::kernels::Function;
use nx_runtime::{DType, Scalar};

fn axpy_kernel(constant: f64) -> Kernel {
    let mut kernel = Kernel::new("axpy", 1);
    let a_buf = kernel.add_buf(DType::F64, BufRole::Input, false);
    let b_buf = kernel.add_buf(DType::F64, BufRole::Input, false);
    let out = kernel.add_buf(DType::F64, BufRole::Output, false);
    let a = kernel.add_value(Inst::Load(a_buf), DType::F64);
    let b = kernel.add_value(Inst::Load(b_buf), DType::F64);
    let three = kernel.add_value(Inst::Const(Scalar::F64(constant)), DType::F64);
    let product = kernel.add_value(Inst::Binary(BinaryOp::Mul, three, b), DType::F64);
    let sum = kernel.add_value(Inst::Binary(BinaryOp::Add, a, product), DType::F64);
    kernel.effects.push(Effect::Store {
        buf: out,
        value: sum,
    });
    kernel
}

/// About 20 operations: a polynomial with a select and a sqrt.
fn twenty_op_kernel(constant: f64) -> Kernel {
    let mut kernel = Kernel::new("poly", 2);
    let x_buf = kernel.add_buf(DType::F64, BufRole::Input, false);
    let out = kernel.add_buf(DType::F64, BufRole::Output, false);
    let x = kernel.add_value(Inst::Load(x_buf), DType::F64);
    let mut accumulator = kernel.add_value(Inst::Const(Scalar::F64(constant)), DType::F64);
    for degree in 0..8 {
        let coefficient =
            kernel.add_value(Inst::Const(Scalar::F64(degree as f64 + 0.5)), DType::F64);
        let product = kernel.add_value(Inst::Binary(BinaryOp::Mul, accumulator, x), DType::F64);
        accumulator = kernel.add_value(
            Inst::Binary(BinaryOp::Add, product, coefficient),
            DType::F64,
        );
    }
    let zero = kernel.add_value(Inst::Const(Scalar::F64(0.0)), DType::F64);
    let positive = kernel.add_value(Inst::Binary(BinaryOp::Gt, accumulator, zero), DType::Bool);
    let root = kernel.add_value(
        Inst::Unary(nx_compiler::ir::UnaryOp::Sqrt, accumulator),
        DType::F64,
    );
    let value = kernel.add_value(Inst::Select(positive, root, zero), DType::F64);
    kernel.effects.push(Effect::Store { buf: out, value });
    kernel
}

fn math_kernel(function: MathFn, dtype: DType) -> Kernel {
    let mut kernel = Kernel::new("math", 1);
    let input = kernel.add_buf(dtype, BufRole::Input, false);
    let output = kernel.add_buf(dtype, BufRole::Output, false);
    let x = kernel.add_value(Inst::Load(input), dtype);
    let value = kernel.add_value(Inst::Math(function, vec![x]), dtype);
    kernel.effects.push(Effect::Store { buf: output, value });
    kernel
}

/// One element type's inputs and output for the math measurements.
trait MathElement: Copy + Default {
    const DTYPE: DType;
    fn from_f64(value: f64) -> Self;
    /// The `libm` crate's function called `name` (what kernels called per element before nx
    /// had its own), if the bench knows it.
    fn libm(name: &str) -> Option<fn(Self) -> Self>;
}

impl MathElement for f64 {
    const DTYPE: DType = DType::F64;
    fn from_f64(value: f64) -> f64 {
        value
    }
    fn libm(name: &str) -> Option<fn(f64) -> f64> {
        Some(match name {
            "exp" => libm::exp,
            "exp2" => libm::exp2,
            "expm1" => libm::expm1,
            "sinh" => libm::sinh,
            "cosh" => libm::cosh,
            "tanh" => libm::tanh,
            "log" => libm::log,
            "log1p" => libm::log1p,
            "log2" => libm::log2,
            "log10" => libm::log10,
            "cbrt" => libm::cbrt,
            "sin" => libm::sin,
            "cos" => libm::cos,
            "tan" => libm::tan,
            "asin" => libm::asin,
            "acos" => libm::acos,
            "atan" => libm::atan,
            _ => return None,
        })
    }
}

impl MathElement for f32 {
    const DTYPE: DType = DType::F32;
    fn from_f64(value: f64) -> f32 {
        value as f32
    }
    fn libm(name: &str) -> Option<fn(f32) -> f32> {
        Some(match name {
            "exp" => libm::expf,
            "exp2" => libm::exp2f,
            "expm1" => libm::expm1f,
            "sinh" => libm::sinhf,
            "cosh" => libm::coshf,
            "tanh" => libm::tanhf,
            "log" => libm::logf,
            "log1p" => libm::log1pf,
            "log2" => libm::log2f,
            "log10" => libm::log10f,
            "cbrt" => libm::cbrtf,
            "sin" => libm::sinf,
            "cos" => libm::cosf,
            "tan" => libm::tanf,
            "asin" => libm::asinf,
            "acos" => libm::acosf,
            "atan" => libm::atanf,
            _ => return None,
        })
    }
}

fn run_math(compiled: &CompiledKernel, input: &[u8], output: &mut [u8], size: usize) {
    let views = [
        BufView {
            ptr: input.as_ptr() as *mut u8,
            byte_strides: vec![size as isize],
        },
        BufView {
            ptr: output.as_mut_ptr(),
            byte_strides: vec![size as isize],
        },
    ];
    // SAFETY: both buffers hold `input.len() / size` contiguous elements of the kernel's dtype.
    let status = unsafe { compiled.run(&[input.len() / size], &views) };
    assert_eq!(status, KernelStatus::Ok);
}

/// The inputs' range for `function`: its domain's interesting part.
fn input_range(function: Function) -> (f64, f64) {
    match function.name() {
        "log" | "log2" | "log10" => (1e-3, 1e3),
        "log1p" => (-0.5, 1e3),
        "asin" | "acos" => (-1.0, 1.0),
        _ => (-10.0, 10.0),
    }
}

/// Prints ns/element of each way to compute `function` on `T`, alternating the variants over
/// rounds and keeping each one's best.
fn measure_math<T: MathElement>(staged_jit: &mut Jit, inline_jit: &mut Jit, function: Function) {
    let (low, high) = input_range(function);
    let n = 1 << 16;
    let input: Vec<T> = (0..n)
        .map(|i| T::from_f64(low + (high - low) * ((i * 7919) % n) as f64 / n as f64))
        .collect();
    let mut output = vec![T::default(); n];
    let size = std::mem::size_of::<T>();
    let math_fn = MathFn::ALL
        .into_iter()
        .find(|math_fn| math_fn_name(*math_fn) == function.name())
        .expect("every own function is a math function of the IR");
    let kernel = math_kernel(math_fn, T::DTYPE);
    let staged = staged_jit.compile(&kernel).unwrap();
    let inline = inline_jit.compile(&kernel).unwrap();
    let scalar = inline_jit.compile_scalar(&kernel).unwrap();
    // SAFETY: plain-old-data views of the same memory.
    let input_bytes = unsafe { std::slice::from_raw_parts(input.as_ptr().cast::<u8>(), n * size) };
    let output_bytes =
        unsafe { std::slice::from_raw_parts_mut(output.as_mut_ptr().cast::<u8>(), n * size) };
    let libm = T::libm(function.name());
    let names = [
        "JIT staged (block routines)",
        "JIT inline vector",
        "JIT scalar calls",
        "Rust loop, libm",
    ];
    let mut best = [f64::INFINITY; 4];
    for _ in 0..30 {
        for (variant, slot) in best.iter_mut().enumerate() {
            let start = Instant::now();
            match variant {
                0 => run_math(&staged, input_bytes, output_bytes, size),
                1 => run_math(&inline, input_bytes, output_bytes, size),
                2 => run_math(&scalar, input_bytes, output_bytes, size),
                _ => {
                    let Some(libm) = libm else { continue };
                    for (x, y) in input.iter().zip(output_bytes.chunks_mut(size)) {
                        let value = libm(std::hint::black_box(*x));
                        // SAFETY: each chunk is one element of T.
                        unsafe { std::ptr::write_unaligned(y.as_mut_ptr().cast::<T>(), value) };
                    }
                }
            }
            *slot = slot.min(start.elapsed().as_secs_f64() * 1e9 / n as f64);
        }
    }
    let line: Vec<String> = names
        .iter()
        .zip(best)
        .filter(|(_, time)| time.is_finite())
        .map(|(name, time)| format!("{name} {time:.3}"))
        .collect();
    eprintln!(
        "{function:?} {} ({:?}), ns/element: {} (staged is {:.1}x inline)",
        T::DTYPE,
        Isa::host(),
        line.join(", "),
        best[1] / best[0]
    );
}

fn main() {
    let mut jit = Jit::new().unwrap();
    let mut inline_jit = Jit::new().unwrap();
    inline_jit.set_block_math(false);
    for function in Function::ALL {
        measure_math::<f64>(&mut jit, &mut inline_jit, function);
        measure_math::<f32>(&mut jit, &mut inline_jit, function);
    }
    // Warm up the first compile in the process.
    jit.compile(&axpy_kernel(-1.0)).unwrap();
    let count = 200;
    let start = Instant::now();
    for index in 0..count {
        jit.compile(&twenty_op_kernel(index as f64)).unwrap();
    }
    let per_kernel = start.elapsed().as_secs_f64() / count as f64;
    eprintln!(
        "compile ~20-op elementwise kernel: {:.0} us",
        per_kernel * 1e6
    );
    let start = Instant::now();
    for index in 0..count {
        let mut kernel = Kernel::new("sum", 2);
        kernel.reduce_axes = 1;
        let input = kernel.add_buf(DType::F64, BufRole::Input, false);
        let output = kernel.add_buf(DType::F64, BufRole::Output, false);
        let x = kernel.add_value(Inst::Load(input), DType::F64);
        let c = kernel.add_value(Inst::Const(Scalar::F64(index as f64)), DType::F64);
        let value = kernel.add_value(Inst::Binary(BinaryOp::Mul, x, c), DType::F64);
        kernel.effects.push(Effect::Reduce {
            op: ReduceOp::Sum,
            buf: output,
            value,
        });
        jit.compile(&kernel).unwrap();
    }
    let per_kernel = start.elapsed().as_secs_f64() / count as f64;
    eprintln!("compile sum reduction kernel: {:.0} us", per_kernel * 1e6);

    let n = 10_000_000;
    let a: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let b: Vec<f64> = (0..n).map(|i| (i % 7) as f64).collect();
    let mut out = vec![0.0f64; n];
    let compiled = jit.compile(&axpy_kernel(3.0)).unwrap();
    assert!(compiled.is_vectorized());
    let views = [
        BufView {
            ptr: a.as_ptr() as *mut u8,
            byte_strides: vec![8],
        },
        BufView {
            ptr: b.as_ptr() as *mut u8,
            byte_strides: vec![8],
        },
        BufView {
            ptr: out.as_mut_ptr().cast::<u8>(),
            byte_strides: vec![8],
        },
    ];
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        // SAFETY: three buffers of n f64 each; the output is separate.
        let status = unsafe { compiled.run(&[n], &views) };
        best = best.min(start.elapsed().as_secs_f64());
        assert_eq!(status, KernelStatus::Ok);
    }
    assert_eq!(out[n - 1], (n - 1) as f64 + 3.0 * ((n - 1) % 7) as f64);
    eprintln!(
        "a + 3.0*b, f64, 10^7 contiguous: {:.3} ns/element (best of 5)",
        best * 1e9 / n as f64
    );

    let start = Instant::now();
    let mut reference = vec![0.0f64; n];
    for index in 0..n {
        reference[index] = a[index] + 3.0 * b[index];
    }
    eprintln!(
        "same loop in Rust: {:.3} ns/element",
        start.elapsed().as_secs_f64() * 1e9 / n as f64
    );
    assert_eq!(reference, out);

    let mut kernel = Kernel::new("sum", 1);
    kernel.reduce_axes = 1;
    let input = kernel.add_buf(DType::F64, BufRole::Input, false);
    let output = kernel.add_buf(DType::F64, BufRole::Output, false);
    let x = kernel.add_value(Inst::Load(input), DType::F64);
    kernel.effects.push(Effect::Reduce {
        op: ReduceOp::Sum,
        buf: output,
        value: x,
    });
    let compiled = jit.compile(&kernel).unwrap();
    let mut result = 0.0f64;
    let views = [
        BufView {
            ptr: a.as_ptr() as *mut u8,
            byte_strides: vec![8],
        },
        BufView {
            ptr: (&mut result as *mut f64).cast::<u8>(),
            byte_strides: vec![0],
        },
    ];
    let start = Instant::now();
    // SAFETY: n f64 input, one f64 output with stride 0.
    let status = unsafe { compiled.run(&[n], &views) };
    assert_eq!(status, KernelStatus::Ok);
    eprintln!(
        "sum, f64, 10^7: {:.3} ns/element (result {result})",
        start.elapsed().as_secs_f64() * 1e9 / n as f64
    );
}

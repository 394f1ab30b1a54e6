//! Quick kernel measurements, run with `cargo bench -p nx-compiler --bench kernels`:
//! compile latency per kernel, and ns/element of a contiguous f64 `a + 3.0 * b` and of a sum
//! at 10^7, beside the same loop in Rust. The side-by-side comparison with NumPy and its peers
//! is the benchmark harness's job; this is the codegen engineer's quick check.

use std::time::Instant;

use nx_compiler::codegen::Jit;
use nx_compiler::ir::{BinaryOp, BufRole, BufView, Effect, Inst, Kernel, KernelStatus, ReduceOp};
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

fn main() {
    let mut jit = Jit::new().unwrap();
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

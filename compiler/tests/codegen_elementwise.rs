//! Elementwise kernels: the JIT agrees bit for bit with the reference interpreter for every
//! operation, dtype, cast pair and math function, over ranks 0..3, contiguous, strided,
//! broadcast, reversed and transposed views, and lengths that exercise the vector tails.

mod codegen_common;

use codegen_common::{
    ALL_BINARY_OPS, ALL_UNARY_OPS, Layout, Rng, check_against_interpreter, check_kernel_thoroughly,
};
use nx_compiler::codegen::Jit;
use nx_compiler::ir::verify::verify;
use nx_compiler::ir::{BinaryOp, BufRole, Effect, Inst, Kernel, KernelStatus, MathFn, UnaryOp};
use nx_runtime::{DType, Scalar};

fn is_bool_result(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

fn unary_kernel(op: UnaryOp, dtype: DType, rank: usize) -> Kernel {
    let result = if matches!(op, UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite) {
        DType::Bool
    } else {
        dtype
    };
    let mut kernel = Kernel::new("unary", rank);
    let input = kernel.add_buf(dtype, BufRole::Input, false);
    let output = kernel.add_buf(result, BufRole::Output, false);
    let loaded = kernel.add_value(Inst::Load(input), dtype);
    let value = kernel.add_value(Inst::Unary(op, loaded), result);
    kernel.effects.push(Effect::Store { buf: output, value });
    kernel
}

fn binary_kernel(op: BinaryOp, dtype: DType, rank: usize) -> Kernel {
    let result = if is_bool_result(op) {
        DType::Bool
    } else {
        dtype
    };
    let mut kernel = Kernel::new("binary", rank);
    let lhs_buf = kernel.add_buf(dtype, BufRole::Input, false);
    let rhs_buf = kernel.add_buf(dtype, BufRole::Input, false);
    let output = kernel.add_buf(result, BufRole::Output, false);
    let lhs = kernel.add_value(Inst::Load(lhs_buf), dtype);
    let rhs = kernel.add_value(Inst::Load(rhs_buf), dtype);
    let value = kernel.add_value(Inst::Binary(op, lhs, rhs), result);
    kernel.effects.push(Effect::Store { buf: output, value });
    kernel
}

fn cast_kernel(from: DType, to: DType, rank: usize) -> Kernel {
    let mut kernel = Kernel::new("cast", rank);
    let input = kernel.add_buf(from, BufRole::Input, false);
    let output = kernel.add_buf(to, BufRole::Output, false);
    let loaded = kernel.add_value(Inst::Load(input), from);
    let value = kernel.add_value(Inst::Cast(loaded), to);
    kernel.effects.push(Effect::Store { buf: output, value });
    kernel
}

/// Checks `make_kernel(op, dtype)` thoroughly for every dtype and op the verifier accepts;
/// returns how many kernels were checked.
fn check_every_op_on_every_dtype<Op: Copy>(
    ops: &[Op],
    seed: u64,
    make_kernel: impl Fn(Op, DType) -> Kernel,
) -> usize {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(seed);
    let mut checked = 0;
    for dtype in DType::ALL {
        for &op in ops {
            let kernel = make_kernel(op, dtype);
            if verify(&kernel).is_err() {
                continue;
            }
            check_kernel_thoroughly(&mut jit, &kernel, &mut rng);
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_unary_op_on_every_dtype() {
    let checked =
        check_every_op_on_every_dtype(&ALL_UNARY_OPS, 0x1234_5678_9abc_def1, |op, dtype| {
            unary_kernel(op, dtype, 1)
        });
    assert!(checked > 80, "{checked}");
}

#[test]
fn every_binary_op_on_every_dtype() {
    let checked =
        check_every_op_on_every_dtype(&ALL_BINARY_OPS, 0x2545_f491_4f6c_dd1d, |op, dtype| {
            binary_kernel(op, dtype, 1)
        });
    assert!(checked > 150, "{checked}");
}

#[test]
fn every_cast_pair() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for from in DType::ALL {
        for to in DType::ALL {
            check_kernel_thoroughly(&mut jit, &cast_kernel(from, to, 1), &mut rng);
        }
    }
}

#[test]
fn every_math_function() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(77);
    for dtype in [DType::F32, DType::F64] {
        for function in MathFn::ALL {
            let mut kernel = Kernel::new("math", 1);
            let arity = nx_compiler::ir::verify::math_fn_arity(function);
            let mut operands = Vec::new();
            for _ in 0..arity {
                let buf = kernel.add_buf(dtype, BufRole::Input, false);
                operands.push(kernel.add_value(Inst::Load(buf), dtype));
            }
            let output = kernel.add_buf(dtype, BufRole::Output, false);
            let value = kernel.add_value(Inst::Math(function, operands), dtype);
            kernel.effects.push(Effect::Store { buf: output, value });
            check_kernel_thoroughly(&mut jit, &kernel, &mut rng);
        }
    }
}

/// `where(a > b, a * 2, b - a)` with a uniform constant and an axis index, over ranks 0..3.
fn mixed_kernel(dtype: DType, rank: usize) -> Kernel {
    let mut kernel = Kernel::new("mixed", rank);
    let a_buf = kernel.add_buf(dtype, BufRole::Input, false);
    let b_buf = kernel.add_buf(dtype, BufRole::Input, false);
    let uniform_buf = kernel.add_buf(dtype, BufRole::Input, true);
    let output = kernel.add_buf(dtype, BufRole::Output, false);
    let flag_output = kernel.add_buf(DType::Bool, BufRole::Output, false);
    let a = kernel.add_value(Inst::Load(a_buf), dtype);
    let b = kernel.add_value(Inst::Load(b_buf), dtype);
    let uniform = kernel.add_value(Inst::Load(uniform_buf), dtype);
    let two = kernel.add_value(Inst::Const(Scalar::from_f64(dtype, 2.0)), dtype);
    let greater = kernel.add_value(Inst::Binary(BinaryOp::Gt, a, b), DType::Bool);
    let doubled = kernel.add_value(Inst::Binary(BinaryOp::Mul, a, two), dtype);
    let difference = kernel.add_value(Inst::Binary(BinaryOp::Sub, b, uniform), dtype);
    let mut selected = kernel.add_value(Inst::Select(greater, doubled, difference), dtype);
    if rank > 0 && dtype.size() == 8 {
        let index = kernel.add_value(Inst::AxisIndex(rank - 1), DType::I64);
        let index = kernel.add_value(Inst::Cast(index), dtype);
        selected = kernel.add_value(Inst::Binary(BinaryOp::Add, selected, index), dtype);
    }
    if rank > 1 && dtype.size() == 8 {
        let index = kernel.add_value(Inst::AxisIndex(0), DType::I64);
        let index = kernel.add_value(Inst::Cast(index), dtype);
        selected = kernel.add_value(Inst::Binary(BinaryOp::Sub, selected, index), dtype);
    }
    let not_greater = kernel.add_value(Inst::Unary(UnaryOp::Not, greater), DType::Bool);
    kernel.effects.push(Effect::Store {
        buf: output,
        value: selected,
    });
    kernel.effects.push(Effect::Store {
        buf: flag_output,
        value: not_greater,
    });
    kernel
}

#[test]
fn select_axis_index_and_uniform_over_ranks() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(5);
    for dtype in DType::ALL {
        if dtype == DType::Bool {
            continue;
        }
        for rank in 0..=3 {
            let kernel = mixed_kernel(dtype, rank);
            verify(&kernel).unwrap();
            check_kernel_thoroughly(&mut jit, &kernel, &mut rng);
        }
    }
}

#[test]
fn vector_paths_are_taken_and_long_tails_agree() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(99);
    for dtype in [
        DType::F64,
        DType::F32,
        DType::I32,
        DType::I16,
        DType::U8,
        DType::I64,
    ] {
        let kernel = mixed_kernel(dtype, 1);
        let compiled = jit.compile(&kernel).unwrap();
        assert!(compiled.is_vectorized(), "{kernel}");
        for length in [4095, 4096, 4097] {
            check_against_interpreter(
                &kernel,
                &compiled,
                &[length],
                &[Layout::Contiguous],
                Layout::Contiguous,
                &mut rng,
            );
        }
        let kernel = binary_kernel(BinaryOp::Add, dtype, 2);
        let compiled = jit.compile(&kernel).unwrap();
        assert!(compiled.is_vectorized(), "{kernel}");
        check_against_interpreter(
            &kernel,
            &compiled,
            &[3, 4097],
            &[Layout::Contiguous],
            Layout::Contiguous,
            &mut rng,
        );
    }
}

#[test]
fn chunks_of_the_outer_axis() {
    let mut jit = Jit::new().unwrap();
    let kernel = mixed_kernel(DType::F64, 2);
    let compiled = jit.compile(&kernel).unwrap();
    let mut rng = Rng(3);
    let shape = [5usize, 9];
    let mut whole = codegen_common::make_buffers(
        &kernel,
        &shape,
        &[Layout::Contiguous],
        Layout::Contiguous,
        &mut rng,
    );
    let mut chunked = whole.clone();
    let whole_views: Vec<_> = whole.iter_mut().map(|buffer| buffer.view()).collect();
    let chunked_views: Vec<_> = chunked.iter_mut().map(|buffer| buffer.view()).collect();
    // SAFETY: buffers cover the domain.
    unsafe {
        assert_eq!(compiled.run(&shape, &whole_views), KernelStatus::Ok);
        assert_eq!(
            compiled.run_chunk(&shape, &chunked_views, 0, 2),
            KernelStatus::Ok
        );
        assert_eq!(
            compiled.run_chunk(&shape, &chunked_views, 2, 5),
            KernelStatus::Ok
        );
    }
    for (whole, chunked) in whole.iter().zip(&chunked) {
        assert_eq!(whole.storage, chunked.storage);
    }
}

fn run_scalar_pair(
    jit: &mut Jit,
    op: BinaryOp,
    lhs: Scalar,
    rhs: Scalar,
) -> (KernelStatus, Scalar) {
    let dtype = lhs.dtype();
    let kernel = binary_kernel(op, dtype, 1);
    let compiled = jit.compile(&kernel).unwrap();
    let mut a = codegen_common::TestBuffer::new(dtype, &[9], Layout::Contiguous, &[false]);
    let mut b = codegen_common::TestBuffer::new(dtype, &[9], Layout::Contiguous, &[false]);
    let mut out = codegen_common::TestBuffer::new(dtype, &[9], Layout::Contiguous, &[false]);
    for index in 0..9 {
        // SAFETY: 9 elements fit.
        unsafe {
            lhs.write(a.view().ptr.add(index * dtype.size()));
            rhs.write(b.view().ptr.add(index * dtype.size()));
        }
    }
    let views = [a.view(), b.view(), out.view()];
    // SAFETY: buffers cover the domain.
    let status = unsafe { compiled.run(&[9], &views) };
    (status, out.read(&[8]))
}

#[test]
fn integer_division_never_traps() {
    let mut jit = Jit::new().unwrap();
    for op in [BinaryOp::FloorDiv, BinaryOp::Mod] {
        for (lhs, rhs) in [
            (Scalar::I64(5), Scalar::I64(0)),
            (Scalar::I8(-128), Scalar::I8(0)),
            (Scalar::U32(7), Scalar::U32(0)),
            (Scalar::I32(i32::MIN), Scalar::I32(0)),
        ] {
            let (status, _) = run_scalar_pair(&mut jit, op, lhs, rhs);
            assert_eq!(status, KernelStatus::IntegerDivisionByZero);
        }
    }
    for (lhs, rhs, quotient, remainder) in [
        (
            Scalar::I64(i64::MIN),
            Scalar::I64(-1),
            Scalar::I64(i64::MIN),
            Scalar::I64(0),
        ),
        (
            Scalar::I32(i32::MIN),
            Scalar::I32(-1),
            Scalar::I32(i32::MIN),
            Scalar::I32(0),
        ),
        (
            Scalar::I16(i16::MIN),
            Scalar::I16(-1),
            Scalar::I16(i16::MIN),
            Scalar::I16(0),
        ),
        (
            Scalar::I8(i8::MIN),
            Scalar::I8(-1),
            Scalar::I8(i8::MIN),
            Scalar::I8(0),
        ),
        (
            Scalar::I64(-7),
            Scalar::I64(2),
            Scalar::I64(-4),
            Scalar::I64(1),
        ),
        (
            Scalar::I64(7),
            Scalar::I64(-2),
            Scalar::I64(-4),
            Scalar::I64(-1),
        ),
        (
            Scalar::U8(250),
            Scalar::U8(7),
            Scalar::U8(35),
            Scalar::U8(5),
        ),
    ] {
        let (status, value) = run_scalar_pair(&mut jit, BinaryOp::FloorDiv, lhs, rhs);
        assert_eq!(status, KernelStatus::Ok);
        assert!(value.bits_eq(quotient), "{lhs:?} // {rhs:?} = {value:?}");
        let (status, value) = run_scalar_pair(&mut jit, BinaryOp::Mod, lhs, rhs);
        assert_eq!(status, KernelStatus::Ok);
        assert!(value.bits_eq(remainder), "{lhs:?} % {rhs:?} = {value:?}");
    }
    let (status, _) = run_scalar_pair(&mut jit, BinaryOp::Pow, Scalar::I32(2), Scalar::I32(-1));
    assert_eq!(status, KernelStatus::NegativeIntegerPower);
    let (status, value) = run_scalar_pair(&mut jit, BinaryOp::Pow, Scalar::I8(3), Scalar::I8(5));
    assert_eq!(status, KernelStatus::Ok);
    assert!(value.bits_eq(Scalar::I8(-13)), "{value:?}");
}

#[test]
fn the_cache_returns_the_same_code_and_clif_prints() {
    let mut jit = Jit::new().unwrap();
    let kernel = mixed_kernel(DType::F64, 2);
    let first = jit.compile(&kernel).unwrap();
    let mut renamed = kernel.clone();
    renamed.name = "another".into();
    let second = jit.compile(&renamed).unwrap();
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
    let text = jit.clif_text(&kernel).unwrap();
    assert!(text.contains("f64x2"), "{text}");
}

/// Every single-operation kernel that gets a vector plan compiles with it (no silent fallback
/// to scalar loops on this machine).
#[test]
fn no_vector_plan_falls_back() {
    let mut jit = Jit::new().unwrap();
    let mut kernels = Vec::new();
    for dtype in DType::ALL {
        for op in ALL_UNARY_OPS {
            kernels.push(unary_kernel(op, dtype, 1));
        }
        for op in ALL_BINARY_OPS {
            kernels.push(binary_kernel(op, dtype, 1));
        }
        for to in DType::ALL {
            kernels.push(cast_kernel(dtype, to, 1));
        }
    }
    for kernel in kernels {
        if verify(&kernel).is_err() || nx_compiler::codegen::plan(&kernel).is_none() {
            continue;
        }
        let compiled = jit.compile(&kernel).unwrap();
        assert!(
            compiled.is_vectorized(),
            "fell back to scalar loops:\n{kernel}"
        );
    }
}

#[test]
fn compiled_kernels_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<nx_compiler::codegen::CompiledKernel>();
}

/// An input broadcast along the innermost axis (byte stride 0 there, e.g. a row mean `[n, 1]`
/// against `[n, m]`) takes the vector path with the element splatted; either operand, and
/// both, at lengths around the vector width and the tails.
#[test]
fn inputs_broadcast_along_the_innermost_axis() {
    let mut jit = Jit::new().unwrap();
    let mut rng = Rng(0x05ee_d0f5_a1a7);
    for dtype in [DType::F64, DType::F32, DType::I32, DType::U8] {
        for op in [BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Lt] {
            for rank in [1, 2, 3] {
                let kernel = binary_kernel(op, dtype, rank);
                if verify(&kernel).is_err() {
                    continue;
                }
                let compiled = jit.compile(&kernel).unwrap();
                let all_same_width = !is_bool_result(op);
                if all_same_width {
                    assert!(compiled.is_vectorized(), "{kernel}");
                }
                for length in [0, 1, 3, 8, 1000, 4097] {
                    let mut shape = vec![3; rank - 1];
                    shape.push(length);
                    for layouts in [
                        [Layout::Contiguous, Layout::InnerBroadcast],
                        [Layout::InnerBroadcast, Layout::Contiguous],
                        [Layout::InnerBroadcast, Layout::InnerBroadcast],
                        [Layout::InnerBroadcast, Layout::Strided(2)],
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
        // A bool condition broadcast along the innermost axis selecting between `dtype`s.
        let mut kernel = Kernel::new("select", 2);
        let cond_buf = kernel.add_buf(DType::Bool, BufRole::Input, false);
        let a_buf = kernel.add_buf(dtype, BufRole::Input, false);
        let output = kernel.add_buf(dtype, BufRole::Output, false);
        let cond = kernel.add_value(Inst::Load(cond_buf), DType::Bool);
        let a = kernel.add_value(Inst::Load(a_buf), dtype);
        let zero = kernel.add_value(Inst::Const(Scalar::zero(dtype)), dtype);
        let value = kernel.add_value(Inst::Select(cond, a, zero), dtype);
        kernel.effects.push(Effect::Store { buf: output, value });
        verify(&kernel).unwrap();
        let compiled = jit.compile(&kernel).unwrap();
        assert!(compiled.is_vectorized(), "{kernel}");
        for length in [0, 1, 3, 8, 1000, 4097] {
            check_against_interpreter(
                &kernel,
                &compiled,
                &[3, length],
                &[Layout::InnerBroadcast, Layout::Contiguous],
                Layout::Contiguous,
                &mut rng,
            );
        }
        // Select, axis index and a uniform alongside an innermost broadcast.
        let kernel = mixed_kernel(dtype, 2);
        let compiled = jit.compile(&kernel).unwrap();
        for length in [0, 1, 3, 8, 1000, 4097] {
            check_against_interpreter(
                &kernel,
                &compiled,
                &[3, length],
                &[Layout::InnerBroadcast, Layout::Contiguous],
                Layout::Contiguous,
                &mut rng,
            );
        }
    }
}

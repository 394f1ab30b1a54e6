//! Property test: random kernels (random DAGs of operations over random dtypes, elementwise or
//! reducing) on random shapes and layouts give bit-identical results (nan == nan) and statuses
//! in the JIT and the reference interpreter.

mod codegen_common;

use codegen_common::{
    ALL_BINARY_OPS, ALL_REDUCE_OPS, ALL_UNARY_OPS, Layout, Rng, check_against_interpreter,
    random_scalar,
};
use nx_compiler::codegen::Jit;
use nx_compiler::ir::verify::verify;
use nx_compiler::ir::{
    BinaryOp, BufRole, Effect, Inst, Kernel, MathFn, ReduceOp, UnaryOp, ValueId,
};
use nx_runtime::DType;
use proptest::prelude::*;

const MATH: [MathFn; 6] = [
    MathFn::Exp,
    MathFn::Log1p,
    MathFn::Sin,
    MathFn::Tanh,
    MathFn::Atan2,
    MathFn::Pow,
];

/// Adds `inst` if the kernel stays valid; returns the new value.
fn try_add(kernel: &mut Kernel, inst: Inst, dtype: DType) -> Option<ValueId> {
    let mut candidate = kernel.clone();
    let value = candidate.add_value(inst, dtype);
    if verify(&candidate).is_ok() {
        *kernel = candidate;
        Some(value)
    } else {
        None
    }
}

fn random_dtype(rng: &mut Rng, family: DType) -> DType {
    // Mostly one dtype, so that many kernels get the vector path.
    if rng.below(5) == 0 {
        DType::ALL[rng.below(DType::ALL.len())]
    } else {
        family
    }
}

/// `value` as `dtype` (a cast unless it already is).
fn as_dtype(kernel: &mut Kernel, value: ValueId, dtype: DType) -> ValueId {
    if kernel.dtype(value) == dtype {
        value
    } else {
        kernel.add_value(Inst::Cast(value), dtype)
    }
}

fn random_kernel(rng: &mut Rng) -> Kernel {
    let rank = rng.below(4);
    let mut kernel = Kernel::new("random", rank);
    let reducing = rank > 0 && rng.below(3) == 0;
    if reducing {
        kernel.reduce_axes = 1 + rng.below(rank);
    }
    let family = DType::ALL[rng.below(DType::ALL.len())];
    let mut values: Vec<ValueId> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let dtype = random_dtype(rng, family);
        let uniform = rng.below(4) == 0;
        let buf = kernel.add_buf(dtype, BufRole::Input, uniform);
        values.push(kernel.add_value(Inst::Load(buf), dtype));
    }
    for _ in 0..1 + rng.below(10) {
        let pick = |rng: &mut Rng, values: &[ValueId]| values[rng.below(values.len())];
        let a = pick(rng, &values);
        let b = pick(rng, &values);
        let a_dtype = kernel.dtype(a);
        let added = match rng.below(8) {
            0 => {
                let op = ALL_UNARY_OPS[rng.below(ALL_UNARY_OPS.len())];
                let result = if matches!(op, UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite) {
                    DType::Bool
                } else {
                    a_dtype
                };
                try_add(&mut kernel, Inst::Unary(op, a), result)
            }
            1..=3 => {
                let op = ALL_BINARY_OPS[rng.below(ALL_BINARY_OPS.len())];
                let b = as_dtype(&mut kernel, b, a_dtype);
                let result = if matches!(
                    op,
                    BinaryOp::Eq
                        | BinaryOp::Ne
                        | BinaryOp::Lt
                        | BinaryOp::Le
                        | BinaryOp::Gt
                        | BinaryOp::Ge
                ) {
                    DType::Bool
                } else {
                    a_dtype
                };
                try_add(&mut kernel, Inst::Binary(op, a, b), result)
            }
            4 => {
                let cond = as_dtype(&mut kernel, b, DType::Bool);
                let c = pick(rng, &values);
                let c = as_dtype(&mut kernel, c, a_dtype);
                try_add(&mut kernel, Inst::Select(cond, a, c), a_dtype)
            }
            5 => {
                let to = random_dtype(rng, family);
                try_add(&mut kernel, Inst::Cast(a), to)
            }
            6 => {
                let float = if a_dtype == DType::F32 {
                    DType::F32
                } else {
                    DType::F64
                };
                let x = as_dtype(&mut kernel, a, float);
                let function = MATH[rng.below(MATH.len())];
                let operands = if nx_compiler::ir::verify::math_fn_arity(function) == 2 {
                    vec![x, as_dtype(&mut kernel, b, float)]
                } else {
                    vec![x]
                };
                try_add(&mut kernel, Inst::Math(function, operands), float)
            }
            _ => {
                if rank > 0 && rng.below(2) == 0 {
                    try_add(&mut kernel, Inst::AxisIndex(rng.below(rank)), DType::I64)
                } else {
                    let dtype = random_dtype(rng, family);
                    try_add(&mut kernel, Inst::Const(random_scalar(rng, dtype)), dtype)
                }
            }
        };
        if let Some(value) = added {
            values.push(value);
        }
    }
    let last = *values.last().expect("at least one load");
    let mut outputs = vec![last];
    if rng.below(2) == 0 {
        outputs.push(values[rng.below(values.len())]);
    }
    for value in outputs {
        if reducing {
            let op = ALL_REDUCE_OPS[rng.below(ALL_REDUCE_OPS.len())];
            let value = match op {
                ReduceOp::Any | ReduceOp::All => as_dtype(&mut kernel, value, DType::Bool),
                ReduceOp::Sum | ReduceOp::Prod if kernel.dtype(value) == DType::Bool => {
                    as_dtype(&mut kernel, value, DType::I64)
                }
                _ => value,
            };
            let dtype = match op {
                ReduceOp::ArgMin | ReduceOp::ArgMax => DType::I64,
                _ => kernel.dtype(value),
            };
            let buf = kernel.add_buf(dtype, BufRole::Output, false);
            kernel.effects.push(Effect::Reduce { op, buf, value });
        } else {
            let buf = kernel.add_buf(kernel.dtype(value), BufRole::Output, false);
            kernel.effects.push(Effect::Store { buf, value });
        }
    }
    kernel
}

fn random_layout(rng: &mut Rng) -> Layout {
    match rng.below(6) {
        0 => Layout::Strided(2),
        1 => Layout::Reversed,
        2 => Layout::Broadcast,
        3 => Layout::Transposed,
        _ => Layout::Contiguous,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_kernels_agree_with_the_interpreter(seed in any::<u64>()) {
        let mut rng = Rng(seed | 1);
        let kernel = random_kernel(&mut rng);
        verify(&kernel).unwrap();
        let mut jit = Jit::new().unwrap();
        let compiled = jit.compile(&kernel).unwrap_or_else(|error| panic!("{error}\n{kernel}"));
        for _ in 0..3 {
            let mut sizes: Vec<usize> = (0..kernel.rank).map(|_| rng.below(5)).collect();
            if let Some(innermost) = sizes.last_mut() {
                *innermost = rng.below(41);
            }
            let layouts = [random_layout(&mut rng), random_layout(&mut rng), random_layout(&mut rng)];
            let output_layout = if rng.below(3) == 0 { Layout::Strided(2) } else { Layout::Contiguous };
            check_against_interpreter(&kernel, &compiled, &sizes, &layouts, output_layout, &mut rng);
        }
    }
}

#[test]
fn generator_produces_varied_kernels() {
    let mut rng = Rng(12345);
    let mut total_values = 0;
    let mut reducing = 0;
    let mut vectorized = 0;
    for index in 0..200 {
        let kernel = random_kernel(&mut rng);
        total_values += kernel.values.len();
        reducing += usize::from(kernel.reduce_axes > 0);
        vectorized += usize::from(nx_compiler::codegen::plan(&kernel).is_some());
        if index < 3 {
            eprintln!("{kernel}");
        }
    }
    eprintln!("values {total_values} reducing {reducing} vectorized {vectorized}");
    assert!(total_values > 200 * 4 && reducing > 20 && vectorized > 20);
}

//! The loop IR verifier: checks that a `Kernel` is well formed before it is interpreted or
//! compiled. Run between passes in tests and by the JIT before every compile.
//!
//! The rules, beyond those written in `ir/mod.rs`:
//! - `reduce_axes <= rank`. A kernel with `reduce_axes == 0` has only `Store` effects; one with
//!   `reduce_axes > 0` has only `Reduce` effects (a kernel that both stores per point and reduces
//!   is two kernels). Every output buffer is written by exactly one effect; `uniform` is for
//!   inputs only.
//! - Which dtypes each operation accepts (bool is not a number here):
//!   `neg abs sign` numbers; `not` integers and bool; `sqrt` floats; `floor ceil trunc round`
//!   numbers (the identity on integers); `isnan isinf isfinite` numbers, bool result.
//!   `add sub mul floordiv mod pow` numbers; `div copysign` floats; `min max` any dtype;
//!   `and or xor` integers and bool; `shl shr` integers; comparisons any dtype, both operands
//!   alike, bool result. `math` floats, with the function's arity.
//! - `reduce sum/prod` numbers; `min/max` any dtype; `any/all` bool; for all of these the value
//!   has the output's dtype. `argmin/argmax` take any dtype and write an `i64` output.

use cranelift_entity::EntityRef;
use nx_runtime::DType;

use super::{BinaryOp, BufRole, Effect, Inst, Kernel, MathFn, ReduceOp, UnaryOp, ValueId};

/// How many operands a math function takes.
pub fn math_fn_arity(function: MathFn) -> usize {
    match function {
        MathFn::Atan2 | MathFn::Hypot | MathFn::Pow => 2,
        _ => 1,
    }
}

fn is_number(dtype: DType) -> bool {
    dtype.is_int() || dtype.is_float()
}

/// Checks every rule above; the error names the first offending value, buffer or effect.
pub fn verify(kernel: &Kernel) -> Result<(), String> {
    if kernel.reduce_axes > kernel.rank {
        return Err(format!(
            "reduce_axes {} exceeds rank {}",
            kernel.reduce_axes, kernel.rank
        ));
    }
    for (buf, decl) in kernel.bufs.iter() {
        if decl.role == BufRole::Output && decl.uniform {
            return Err(format!("{buf}: an output buffer cannot be uniform"));
        }
    }
    for (value, data) in kernel.values.iter() {
        verify_value(kernel, value, &data.inst, data.dtype)
            .map_err(|message| format!("{value}: {message}"))?;
    }
    let mut written = vec![false; kernel.bufs.len()];
    for (index, effect) in kernel.effects.iter().enumerate() {
        verify_effect(kernel, effect, &mut written)
            .map_err(|message| format!("effect {index}: {message}"))?;
    }
    Ok(())
}

fn verify_operand(kernel: &Kernel, user: ValueId, operand: ValueId) -> Result<DType, String> {
    if operand >= user {
        return Err(format!("operand {operand} is not defined before its use"));
    }
    Ok(kernel.values[operand].dtype)
}

fn verify_value(kernel: &Kernel, value: ValueId, inst: &Inst, dtype: DType) -> Result<(), String> {
    let operand_dtype = |operand: ValueId| verify_operand(kernel, value, operand);
    match inst {
        Inst::Load(buf) => {
            let decl = kernel
                .bufs
                .get(*buf)
                .ok_or_else(|| format!("load of undeclared {buf}"))?;
            if decl.role != BufRole::Input {
                return Err(format!("load of {buf}, which is not an input"));
            }
            if decl.dtype != dtype {
                return Err(format!("load of {buf} ({}) typed {dtype}", decl.dtype));
            }
        }
        Inst::Const(scalar) => {
            if scalar.dtype() != dtype {
                return Err(format!("constant of {} typed {dtype}", scalar.dtype()));
            }
        }
        Inst::AxisIndex(axis) => {
            if *axis >= kernel.rank {
                return Err(format!("axis {axis} out of rank {}", kernel.rank));
            }
            if dtype != DType::I64 {
                return Err(format!("axis index typed {dtype}, not i64"));
            }
        }
        Inst::Unary(op, operand) => {
            let input = operand_dtype(*operand)?;
            let (accepted, result) = match op {
                UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => (is_number(input), input),
                UnaryOp::Not => (input.is_int() || input.is_bool(), input),
                UnaryOp::Sqrt => (input.is_float(), input),
                UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => {
                    (is_number(input), input)
                }
                UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => {
                    (is_number(input), DType::Bool)
                }
            };
            if !accepted {
                return Err(format!("{op:?} does not apply to {input}"));
            }
            if result != dtype {
                return Err(format!("{op:?} of {input} gives {result}, typed {dtype}"));
            }
        }
        Inst::Binary(op, lhs, rhs) => {
            let left = operand_dtype(*lhs)?;
            let right = operand_dtype(*rhs)?;
            if left != right {
                return Err(format!("{op:?} operands differ: {left} and {right}"));
            }
            let (accepted, result) = match op {
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::FloorDiv
                | BinaryOp::Mod
                | BinaryOp::Pow => (is_number(left), left),
                BinaryOp::Div | BinaryOp::Copysign => (left.is_float(), left),
                BinaryOp::Min | BinaryOp::Max => (true, left),
                BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
                    (left.is_int() || left.is_bool(), left)
                }
                BinaryOp::Shl | BinaryOp::Shr => (left.is_int(), left),
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => (true, DType::Bool),
            };
            if !accepted {
                return Err(format!("{op:?} does not apply to {left}"));
            }
            if result != dtype {
                return Err(format!("{op:?} of {left} gives {result}, typed {dtype}"));
            }
        }
        Inst::Select(cond, if_true, if_false) => {
            if operand_dtype(*cond)? != DType::Bool {
                return Err("select condition is not bool".to_string());
            }
            if operand_dtype(*if_true)? != dtype || operand_dtype(*if_false)? != dtype {
                return Err(format!("select branches are not both {dtype}"));
            }
        }
        Inst::Cast(operand) => {
            operand_dtype(*operand)?;
        }
        Inst::Math(function, operands) => {
            if !dtype.is_float() {
                return Err(format!("math {function:?} typed {dtype}, not a float"));
            }
            if operands.len() != math_fn_arity(*function) {
                return Err(format!(
                    "math {function:?} takes {} operands, has {}",
                    math_fn_arity(*function),
                    operands.len()
                ));
            }
            for operand in operands {
                if operand_dtype(*operand)? != dtype {
                    return Err(format!(
                        "math {function:?} operand {operand} is not {dtype}"
                    ));
                }
            }
        }
    }
    Ok(())
}

fn verify_effect(kernel: &Kernel, effect: &Effect, written: &mut [bool]) -> Result<(), String> {
    let (buf, value) = match effect {
        Effect::Store { buf, value } | Effect::Reduce { buf, value, .. } => (*buf, *value),
    };
    let decl = kernel
        .bufs
        .get(buf)
        .ok_or_else(|| format!("writes undeclared {buf}"))?;
    if decl.role != BufRole::Output {
        return Err(format!("writes {buf}, which is not an output"));
    }
    if written[buf.index()] {
        return Err(format!("{buf} is written by more than one effect"));
    }
    written[buf.index()] = true;
    let value_dtype = kernel
        .values
        .get(value)
        .ok_or_else(|| format!("undefined value {value}"))?
        .dtype;
    match effect {
        Effect::Store { .. } => {
            if kernel.reduce_axes != 0 {
                return Err("store in a reducing kernel".to_string());
            }
            if value_dtype != decl.dtype {
                return Err(format!("stores {value_dtype} into {} {buf}", decl.dtype));
            }
        }
        Effect::Reduce { op, .. } => {
            if kernel.reduce_axes == 0 {
                return Err("reduce in a kernel without reduced axes".to_string());
            }
            let (accepted, result) = match op {
                ReduceOp::Sum | ReduceOp::Prod => (is_number(value_dtype), value_dtype),
                ReduceOp::Min | ReduceOp::Max => (true, value_dtype),
                ReduceOp::Any | ReduceOp::All => (value_dtype.is_bool(), value_dtype),
                ReduceOp::ArgMin | ReduceOp::ArgMax => (true, DType::I64),
            };
            if !accepted {
                return Err(format!("reduce {op:?} does not apply to {value_dtype}"));
            }
            if result != decl.dtype {
                return Err(format!(
                    "reduce {op:?} of {value_dtype} gives {result}, {buf} is {}",
                    decl.dtype
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use nx_runtime::Scalar;

    use super::super::{BufRole, Effect, Inst, Kernel};
    use super::*;

    fn simple_kernel() -> Kernel {
        let mut kernel = Kernel::new("k", 1);
        let input = kernel.add_buf(DType::F64, BufRole::Input, false);
        let output = kernel.add_buf(DType::F64, BufRole::Output, false);
        let loaded = kernel.add_value(Inst::Load(input), DType::F64);
        let three = kernel.add_value(Inst::Const(Scalar::F64(3.0)), DType::F64);
        let sum = kernel.add_value(Inst::Binary(BinaryOp::Add, loaded, three), DType::F64);
        kernel.effects.push(Effect::Store {
            buf: output,
            value: sum,
        });
        kernel
    }

    #[test]
    fn accepts_a_well_formed_kernel() {
        assert_eq!(verify(&simple_kernel()), Ok(()));
    }

    #[test]
    fn rejects_malformed_kernels() {
        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(2)].dtype = DType::F32;
        assert!(verify(&kernel).is_err());

        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(0)].inst = Inst::Load(super::super::BufId::from_u32(1));
        assert!(verify(&kernel).unwrap_err().contains("not an input"));

        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(2)].inst =
            Inst::Binary(BinaryOp::Shl, ValueId::from_u32(0), ValueId::from_u32(1));
        assert!(verify(&kernel).is_err());

        let mut kernel = simple_kernel();
        kernel.values[ValueId::from_u32(1)].inst = Inst::Unary(UnaryOp::Neg, ValueId::from_u32(2));
        assert!(verify(&kernel).unwrap_err().contains("before its use"));

        let mut kernel = simple_kernel();
        kernel.reduce_axes = 1;
        assert!(verify(&kernel).unwrap_err().contains("store in a reducing"));

        let mut kernel = simple_kernel();
        kernel.reduce_axes = 2;
        assert!(verify(&kernel).is_err());
    }
}

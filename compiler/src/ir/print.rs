//! The loop IR's text form: `impl Display for Kernel`, the JIT cache key, and the names of
//! operations (which are also the math library's symbol stems).
//!
//! The text is deterministic and exact (float constants round-trip, nans print their bits),
//! so two kernels print alike exactly when they compute alike: the JIT caches compiled code
//! by `cache_key`, which is the text without the name line.

use std::fmt::{self, Write};

use nx_runtime::Scalar;

use super::{
    BinaryOp, BufRole, Effect, FuncId, Inst, Kernel, MathFn, ReduceOp, ScalarFunc, Stmt, UnaryOp,
    ValueData, ValueId,
};

pub fn unary_op_name(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Neg => "neg",
        UnaryOp::Not => "not",
        UnaryOp::Abs => "abs",
        UnaryOp::Sign => "sign",
        UnaryOp::Sqrt => "sqrt",
        UnaryOp::Floor => "floor",
        UnaryOp::Ceil => "ceil",
        UnaryOp::Trunc => "trunc",
        UnaryOp::Round => "round",
        UnaryOp::IsNan => "isnan",
        UnaryOp::IsInf => "isinf",
        UnaryOp::IsFinite => "isfinite",
    }
}

pub fn binary_op_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "add",
        BinaryOp::Sub => "sub",
        BinaryOp::Mul => "mul",
        BinaryOp::Div => "div",
        BinaryOp::FloorDiv => "floordiv",
        BinaryOp::Mod => "mod",
        BinaryOp::Pow => "pow",
        BinaryOp::Min => "min",
        BinaryOp::Max => "max",
        BinaryOp::And => "and",
        BinaryOp::Or => "or",
        BinaryOp::Xor => "xor",
        BinaryOp::Shl => "shl",
        BinaryOp::Shr => "shr",
        BinaryOp::Copysign => "copysign",
        BinaryOp::Eq => "eq",
        BinaryOp::Ne => "ne",
        BinaryOp::Lt => "lt",
        BinaryOp::Le => "le",
        BinaryOp::Gt => "gt",
        BinaryOp::Ge => "ge",
    }
}

/// The function's name, which is also its stem in `nx_runtime::mathlib` (`exp` is
/// `nx_exp_f64` / `nx_exp_f32`).
pub fn math_fn_name(function: MathFn) -> &'static str {
    match function {
        MathFn::Exp => "exp",
        MathFn::Exp2 => "exp2",
        MathFn::Expm1 => "expm1",
        MathFn::Log => "log",
        MathFn::Log2 => "log2",
        MathFn::Log10 => "log10",
        MathFn::Log1p => "log1p",
        MathFn::Sin => "sin",
        MathFn::Cos => "cos",
        MathFn::Tan => "tan",
        MathFn::Asin => "asin",
        MathFn::Acos => "acos",
        MathFn::Atan => "atan",
        MathFn::Sinh => "sinh",
        MathFn::Cosh => "cosh",
        MathFn::Tanh => "tanh",
        MathFn::Erf => "erf",
        MathFn::Erfc => "erfc",
        MathFn::Cbrt => "cbrt",
        MathFn::Atan2 => "atan2",
        MathFn::Hypot => "hypot",
        MathFn::Pow => "pow",
    }
}

pub fn reduce_op_name(op: ReduceOp) -> &'static str {
    match op {
        ReduceOp::Sum => "sum",
        ReduceOp::Prod => "prod",
        ReduceOp::Min => "min",
        ReduceOp::Max => "max",
        ReduceOp::Any => "any",
        ReduceOp::All => "all",
        ReduceOp::ArgMin => "argmin",
        ReduceOp::ArgMax => "argmax",
    }
}

/// A constant's exact text: integers in decimal, floats in Rust's shortest round-trip form
/// (`-0.0` keeps its sign), nans with their bits so distinct payloads stay distinct.
pub fn format_constant(value: Scalar) -> String {
    match value {
        Scalar::Bool(value) => value.to_string(),
        Scalar::F32(value) if value.is_nan() => format!("nan(0x{:08x})", value.to_bits()),
        Scalar::F64(value) if value.is_nan() => format!("nan(0x{:016x})", value.to_bits()),
        Scalar::F32(value) => format!("{value:?}"),
        Scalar::F64(value) => format!("{value:?}"),
        other => other.as_i128().unwrap_or_default().to_string(),
    }
}

/// The kernel's text without its name line: what the JIT cache is keyed by.
pub fn cache_key(kernel: &Kernel) -> String {
    let mut text = String::new();
    write_header(&mut text, kernel, false).expect("writing to a String cannot fail");
    write_body(&mut text, kernel).expect("writing to a String cannot fail");
    text
}

fn write_header(out: &mut impl Write, kernel: &Kernel, with_name: bool) -> fmt::Result {
    if with_name {
        write!(out, "kernel {} ", kernel.name)?;
    } else {
        write!(out, "kernel ")?;
    }
    writeln!(out, "rank={} reduce={}", kernel.rank, kernel.reduce_axes)
}

fn write_body(out: &mut impl Write, kernel: &Kernel) -> fmt::Result {
    for (buf, decl) in kernel.bufs.iter() {
        let role = match decl.role {
            BufRole::Input => "in",
            BufRole::Output => "out",
        };
        let uniform = if decl.uniform { " uniform" } else { "" };
        writeln!(out, "  {buf}: {role} {}{uniform}", decl.dtype)?;
    }
    for (value, data) in kernel.values.iter() {
        write_value(out, "  ", value, data)?;
    }
    for effect in &kernel.effects {
        match effect {
            Effect::Store { buf, value } => writeln!(out, "  store {buf} <- {value}")?,
            Effect::Reduce { op, buf, value } => {
                writeln!(out, "  reduce {} {buf} <- {value}", reduce_op_name(*op))?
            }
        }
    }
    for (id, func) in kernel.funcs.iter() {
        write_func(out, id, func)?;
    }
    Ok(())
}

/// `  v3 = add v1 v2 : f64`.
fn write_value(
    out: &mut impl Write,
    indent: &str,
    value: ValueId,
    data: &ValueData,
) -> fmt::Result {
    write!(out, "{indent}{value} = ")?;
    match &data.inst {
        Inst::Load(buf) => write!(out, "load {buf}")?,
        Inst::Const(scalar) => write!(out, "const {}", format_constant(*scalar))?,
        Inst::AxisIndex(axis) => write!(out, "axis {axis}")?,
        Inst::Unary(op, operand) => write!(out, "{} {operand}", unary_op_name(*op))?,
        Inst::Binary(op, lhs, rhs) => write!(out, "{} {lhs} {rhs}", binary_op_name(*op))?,
        Inst::Select(cond, if_true, if_false) => write!(out, "select {cond} {if_true} {if_false}")?,
        Inst::Cast(operand) => write!(out, "cast {operand}")?,
        Inst::Math(function, operands) => {
            write!(out, "math {}", math_fn_name(*function))?;
            for operand in operands {
                write!(out, " {operand}")?;
            }
        }
        Inst::Call(func, operands) => {
            write!(out, "call {func}")?;
            for operand in operands {
                write!(out, " {operand}")?;
            }
        }
        Inst::Param(index) => write!(out, "param {index}")?,
        Inst::ReadVar(var) => write!(out, "read {var}")?,
    }
    writeln!(out, " : {}", data.dtype)
}

/// A scalar function: its signature and variables, then its statements, each value printed
/// where it is computed.
fn write_func(out: &mut impl Write, id: FuncId, func: &ScalarFunc) -> fmt::Result {
    write!(out, "  {id} {}(", func.name)?;
    for (index, param) in func.params.iter().enumerate() {
        let separator = if index == 0 { "" } else { ", " };
        write!(out, "{separator}{param}")?;
    }
    writeln!(out, ") -> {}", func.result)?;
    for (var, dtype) in func.vars.iter() {
        writeln!(out, "    {var}: {dtype}")?;
    }
    write_stmts(out, func, &func.body, 2)
}

fn write_stmts(
    out: &mut impl Write,
    func: &ScalarFunc,
    stmts: &[Stmt],
    depth: usize,
) -> fmt::Result {
    let indent = "  ".repeat(depth);
    for stmt in stmts {
        match stmt {
            Stmt::Eval(value) => write_value(out, &indent, *value, &func.values[*value])?,
            Stmt::Assign(var, value) => writeln!(out, "{indent}{var} = {value}")?,
            Stmt::If { cond, then, else_ } => {
                writeln!(out, "{indent}if {cond} {{")?;
                write_stmts(out, func, then, depth + 1)?;
                if !else_.is_empty() {
                    writeln!(out, "{indent}}} else {{")?;
                    write_stmts(out, func, else_, depth + 1)?;
                }
                writeln!(out, "{indent}}}")?;
            }
            Stmt::Loop { body, latch } => {
                writeln!(out, "{indent}loop {{")?;
                write_stmts(out, func, body, depth + 1)?;
                if !latch.is_empty() {
                    writeln!(out, "{indent}}} latch {{")?;
                    write_stmts(out, func, latch, depth + 1)?;
                }
                writeln!(out, "{indent}}}")?;
            }
            Stmt::Break => writeln!(out, "{indent}break")?,
            Stmt::Continue => writeln!(out, "{indent}continue")?,
            Stmt::Return(value) => writeln!(out, "{indent}return {value}")?,
        }
    }
    Ok(())
}

impl fmt::Display for Kernel {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_header(formatter, self, true)?;
        write_body(formatter, self)
    }
}

#[cfg(test)]
mod tests {
    use nx_runtime::DType;

    use super::super::{BufRole, Effect, Inst, Kernel, ReduceOp};
    use super::*;

    #[test]
    fn prints_the_documented_form() {
        let mut kernel = Kernel::new("k0", 2);
        kernel.reduce_axes = 1;
        let input = kernel.add_buf(DType::F64, BufRole::Input, false);
        kernel.add_buf(DType::F64, BufRole::Input, true);
        let output = kernel.add_buf(DType::F64, BufRole::Output, false);
        let loaded = kernel.add_value(Inst::Load(input), DType::F64);
        let two = kernel.add_value(Inst::Const(Scalar::F64(2.0)), DType::F64);
        let product = kernel.add_value(Inst::Binary(BinaryOp::Mul, loaded, two), DType::F64);
        kernel.effects.push(Effect::Reduce {
            op: ReduceOp::Sum,
            buf: output,
            value: product,
        });
        let expected = "\
kernel k0 rank=2 reduce=1
  buf0: in f64
  buf1: in f64 uniform
  buf2: out f64
  v0 = load buf0 : f64
  v1 = const 2.0 : f64
  v2 = mul v0 v2 : f64
  reduce sum buf2 <- v2
"
        .replace("mul v0 v2", "mul v0 v1");
        assert_eq!(kernel.to_string(), expected);
        assert!(!cache_key(&kernel).contains("k0"));
        kernel.name = "other".into();
        assert_eq!(
            cache_key(&kernel),
            expected.replace("kernel k0 ", "kernel ")
        );
    }

    #[test]
    fn constants_are_exact() {
        assert_eq!(format_constant(Scalar::F64(-0.0)), "-0.0");
        assert_eq!(format_constant(Scalar::F64(0.1)), "0.1");
        assert_eq!(format_constant(Scalar::F32(1e30)), "1e30");
        assert_eq!(format_constant(Scalar::U64(u64::MAX)), u64::MAX.to_string());
        assert_eq!(format_constant(Scalar::Bool(true)), "true");
        assert_ne!(
            format_constant(Scalar::F64(f64::NAN)),
            format_constant(Scalar::F64(-f64::NAN))
        );
    }
}

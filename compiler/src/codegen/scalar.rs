//! Scalar code for every body operation, matching `ir::interp`'s `eval_*` bit for bit:
//! wrapping integers, guarded integer division and power (status instead of a trap), NumPy
//! shifts, nan-propagating min/max, the spec's saturating casts, and calls into the runtime's
//! math library for math functions and float `//`, `%`, `**`.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, Type, Value, types};
use cranelift_module::Module;
use nx_runtime::{DType, Scalar, mathlib};

use super::function::{Emitter, scalar_type};
use crate::ir::print::math_fn_name;
use crate::ir::{BinaryOp, Inst, KernelStatus, UnaryOp};

impl Emitter<'_> {
    /// Sets the status to `max(status, code)` where `condition` (an i8 0/1) holds.
    pub(super) fn raise_status_if(&mut self, condition: Value, code: KernelStatus) {
        let current = self.builder.use_var(self.status);
        let code = self.iconst(types::I32, code as i64);
        let raised = self.builder.ins().umax(current, code);
        let next = self.builder.ins().select(condition, raised, current);
        self.builder.def_var(self.status, next);
    }

    /// Calls the runtime function `symbol` (declared in `Jit::new`) and returns its result.
    pub(super) fn call_runtime(&mut self, symbol: &str, args: &[Value]) -> Value {
        let call = self.call_runtime_void(symbol, args);
        self.builder.inst_results(call)[0]
    }

    /// Calls the runtime function `symbol`; returns the call instruction.
    pub(super) fn call_runtime_void(
        &mut self,
        symbol: &str,
        args: &[Value],
    ) -> cranelift_codegen::ir::Inst {
        let func_ref = match self.func_refs.get(symbol) {
            Some(func_ref) => *func_ref,
            None => {
                let id = self.imports.functions[symbol];
                let func_ref = self.module.declare_func_in_func(id, self.builder.func);
                self.func_refs.insert(symbol.to_string(), func_ref);
                func_ref
            }
        };
        self.builder.ins().call(func_ref, args)
    }

    fn float_call(&mut self, name: &str, dtype: DType, args: &[Value]) -> Value {
        let symbol = mathlib::symbol_name(name, dtype == DType::F64);
        self.call_runtime(&symbol, args)
    }

    /// `0/1` (i8) widened to `ty` (an integer type).
    fn bool_to_int(&mut self, flag: Value, ty: Type) -> Value {
        if ty == types::I8 {
            flag
        } else {
            self.builder.ins().uextend(ty, flag)
        }
    }

    fn float_const(&mut self, dtype: DType, value: f64) -> Value {
        if dtype == DType::F64 {
            self.builder.ins().f64const(value)
        } else {
            self.builder.ins().f32const(value as f32)
        }
    }

    /// One arithmetic operation (not a constant, nor an instruction that reads buffers,
    /// arguments or variables, nor a call) on scalar operands of `operand_dtypes`.
    pub(super) fn scalar_op(
        &mut self,
        inst: &Inst,
        dtype: DType,
        operand_dtypes: &[DType],
        operands: &[Value],
    ) -> Value {
        match inst {
            Inst::Unary(op, _) => self.scalar_unary(*op, operand_dtypes[0], operands[0]),
            Inst::Binary(op, ..) => {
                self.scalar_binary(*op, operand_dtypes[0], operands[0], operands[1])
            }
            Inst::Select(..) => self
                .builder
                .ins()
                .select(operands[0], operands[1], operands[2]),
            Inst::Cast(_) => self.scalar_cast(operands[0], operand_dtypes[0], dtype),
            Inst::Math(function, _) => self.float_call(math_fn_name(*function), dtype, operands),
            Inst::Load(_)
            | Inst::Const(_)
            | Inst::AxisIndex(_)
            | Inst::Call(..)
            | Inst::Param(_)
            | Inst::ReadVar(_) => {
                unreachable!("{inst:?} is emitted by its context")
            }
        }
    }

    /// A float constant of `x`'s kind: a scalar, or splat across a vector like `x`.
    fn float_const_like(&mut self, x: Value, dtype: DType, value: f64) -> Value {
        let scalar = Scalar::from_f64(dtype, value);
        if self.builder.func.dfg.value_type(x).is_vector() {
            self.vector_const(scalar)
        } else {
            self.scalar_const(scalar)
        }
    }

    /// `condition ? if_true : if_false` on floats: `select` on scalars, `bitselect` with the
    /// mask on vectors.
    fn float_select_like(&mut self, condition: Value, if_true: Value, if_false: Value) -> Value {
        if self.builder.func.dfg.value_type(if_true).is_vector() {
            self.float_select(condition, if_true, if_false)
        } else {
            self.builder.ins().select(condition, if_true, if_false)
        }
    }

    /// A unary operation on floats, the same code on scalars and vectors; `None` for `not`.
    pub(super) fn float_unary(&mut self, op: UnaryOp, dtype: DType, x: Value) -> Option<Value> {
        let value = match op {
            UnaryOp::Neg => self.builder.ins().fneg(x),
            UnaryOp::Abs => self.builder.ins().fabs(x),
            UnaryOp::Sign => {
                // NumPy: 1 if x > 0, -1 if x < 0, 0 if x == 0 (so -0.0 gives 0.0), else x.
                let zero = self.float_const_like(x, dtype, 0.0);
                let one = self.float_const_like(x, dtype, 1.0);
                let minus_one = self.float_const_like(x, dtype, -1.0);
                let is_zero = self.builder.ins().fcmp(FloatCC::Equal, x, zero);
                let zero_or_x = self.float_select_like(is_zero, zero, x);
                let is_negative = self.builder.ins().fcmp(FloatCC::LessThan, x, zero);
                let below = self.float_select_like(is_negative, minus_one, zero_or_x);
                let is_positive = self.builder.ins().fcmp(FloatCC::GreaterThan, x, zero);
                self.float_select_like(is_positive, one, below)
            }
            UnaryOp::Sqrt => self.builder.ins().sqrt(x),
            UnaryOp::Floor => self.builder.ins().floor(x),
            UnaryOp::Ceil => self.builder.ins().ceil(x),
            UnaryOp::Trunc => self.builder.ins().trunc(x),
            UnaryOp::Round => self.builder.ins().nearest(x),
            UnaryOp::IsNan => self.builder.ins().fcmp(FloatCC::Unordered, x, x),
            UnaryOp::IsInf | UnaryOp::IsFinite => {
                let magnitude = self.builder.ins().fabs(x);
                let infinity = self.float_const_like(x, dtype, f64::INFINITY);
                let condition = if op == UnaryOp::IsInf {
                    FloatCC::Equal
                } else {
                    FloatCC::LessThan
                };
                self.builder.ins().fcmp(condition, magnitude, infinity)
            }
            UnaryOp::Not => return None,
        };
        Some(value)
    }

    pub(super) fn scalar_unary(&mut self, op: UnaryOp, dtype: DType, x: Value) -> Value {
        let ty = scalar_type(dtype);
        if dtype.is_float() {
            return self
                .float_unary(op, dtype, x)
                .expect("the verifier rejects not on floats");
        }
        match op {
            UnaryOp::Neg => self.builder.ins().ineg(x),
            UnaryOp::Not if dtype == DType::Bool => {
                let one = self.iconst(types::I8, 1);
                self.builder.ins().bxor(x, one)
            }
            UnaryOp::Not => self.builder.ins().bnot(x),
            UnaryOp::Abs if dtype.is_signed() => self.builder.ins().iabs(x),
            UnaryOp::Abs => x,
            UnaryOp::Sign => {
                let zero = self.iconst(ty, 0);
                if dtype.is_signed() {
                    let positive = self.builder.ins().icmp(IntCC::SignedGreaterThan, x, zero);
                    let negative = self.builder.ins().icmp(IntCC::SignedLessThan, x, zero);
                    let positive = self.bool_to_int(positive, ty);
                    let negative = self.bool_to_int(negative, ty);
                    self.builder.ins().isub(positive, negative)
                } else {
                    let nonzero = self.builder.ins().icmp(IntCC::NotEqual, x, zero);
                    self.bool_to_int(nonzero, ty)
                }
            }
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => x,
            UnaryOp::IsNan | UnaryOp::IsInf => self.iconst(types::I8, 0),
            UnaryOp::IsFinite => self.iconst(types::I8, 1),
            UnaryOp::Sqrt => unreachable!("the verifier rejects sqrt on integers"),
        }
    }

    /// A binary operation on two operands of `dtype` (the result dtype, or bool for
    /// comparisons).
    pub(super) fn scalar_binary(
        &mut self,
        op: BinaryOp,
        dtype: DType,
        a: Value,
        b: Value,
    ) -> Value {
        if let Some(condition) = comparison(op) {
            return self.compare(condition, dtype, a, b);
        }
        if let Some(value) = self.one_instruction_binary(op, dtype, a, b) {
            return value;
        }
        if dtype.is_float() {
            return match op {
                BinaryOp::FloorDiv => self.float_call("floordiv", dtype, &[a, b]),
                BinaryOp::Mod => self.float_call("mod", dtype, &[a, b]),
                BinaryOp::Pow => self.float_call("pow", dtype, &[a, b]),
                BinaryOp::Copysign => self.builder.ins().fcopysign(a, b),
                _ => unreachable!("the verifier rejects {op:?} on floats"),
            };
        }
        match op {
            BinaryOp::FloorDiv | BinaryOp::Mod => self.integer_divmod(op, dtype, a, b),
            BinaryOp::Pow => self.integer_pow(dtype, a, b),
            BinaryOp::Shl | BinaryOp::Shr => self.integer_shift(op, dtype, a, b),
            _ => unreachable!("the verifier rejects {op:?} on {dtype}"),
        }
    }

    /// The arithmetic, min/max and bitwise operations that are one Cranelift instruction on
    /// scalars and vectors alike (`None` for the others). Bool operands take the integer
    /// instructions, which scalar 0/1 bools need but vector masks do not.
    pub(super) fn one_instruction_binary(
        &mut self,
        op: BinaryOp,
        dtype: DType,
        a: Value,
        b: Value,
    ) -> Option<Value> {
        let ins = self.builder.ins();
        let value = if dtype.is_float() {
            match op {
                BinaryOp::Add => ins.fadd(a, b),
                BinaryOp::Sub => ins.fsub(a, b),
                BinaryOp::Mul => ins.fmul(a, b),
                BinaryOp::Div => ins.fdiv(a, b),
                // Cranelift's fmin/fmax propagate nan and order -0.0 below 0.0, as the spec.
                BinaryOp::Min => ins.fmin(a, b),
                BinaryOp::Max => ins.fmax(a, b),
                _ => return None,
            }
        } else {
            let signed = dtype.is_signed();
            match op {
                BinaryOp::Add => ins.iadd(a, b),
                BinaryOp::Sub => ins.isub(a, b),
                BinaryOp::Mul => ins.imul(a, b),
                BinaryOp::Min if signed => ins.smin(a, b),
                BinaryOp::Min => ins.umin(a, b),
                BinaryOp::Max if signed => ins.smax(a, b),
                BinaryOp::Max => ins.umax(a, b),
                BinaryOp::And => ins.band(a, b),
                BinaryOp::Or => ins.bor(a, b),
                BinaryOp::Xor => ins.bxor(a, b),
                _ => return None,
            }
        };
        Some(value)
    }

    /// A comparison on scalars or vectors; the result is a 0/1 bool or a lane mask.
    pub(super) fn compare(
        &mut self,
        condition: Comparison,
        dtype: DType,
        a: Value,
        b: Value,
    ) -> Value {
        if dtype.is_float() {
            self.builder.ins().fcmp(condition.float(), a, b)
        } else {
            // Bool compares unsigned: false (0) < true (1, or all ones in a mask).
            self.builder
                .ins()
                .icmp(condition.int(dtype.is_signed()), a, b)
        }
    }

    /// Python floor division and modulo without ever trapping: a zero divisor raises the
    /// status and gives 0 (the loop IR's value of a failed operation, as the interpreter's, so
    /// that what follows computes the same in both), `MIN // -1` is computed as `-MIN`
    /// (wrapping to MIN) and the remainder as `a - q * b`.
    fn integer_divmod(&mut self, op: BinaryOp, dtype: DType, a: Value, b: Value) -> Value {
        let ty = scalar_type(dtype);
        let zero = self.iconst(ty, 0);
        let is_zero = self.builder.ins().icmp(IntCC::Equal, b, zero);
        let result = self.integer_divmod_by_nonzero(op, dtype, a, b, is_zero);
        self.builder.ins().select(is_zero, zero, result)
    }

    /// `integer_divmod` where `is_zero` says whether `b` is 0 (raising the status then).
    fn integer_divmod_by_nonzero(
        &mut self,
        op: BinaryOp,
        dtype: DType,
        a: Value,
        b: Value,
        is_zero: Value,
    ) -> Value {
        let ty = scalar_type(dtype);
        let zero = self.iconst(ty, 0);
        let one = self.iconst(ty, 1);
        self.raise_status_if(is_zero, KernelStatus::IntegerDivisionByZero);
        let safe_divisor = self.builder.ins().select(is_zero, one, b);
        let quotient = if dtype.is_signed() {
            let minus_one = self.iconst(ty, -1);
            let is_minus_one = self.builder.ins().icmp(IntCC::Equal, b, minus_one);
            let divisor = self.builder.ins().select(is_minus_one, one, safe_divisor);
            let truncated = self.builder.ins().sdiv(a, divisor);
            let negated = self.builder.ins().ineg(a);
            self.builder.ins().select(is_minus_one, negated, truncated)
        } else {
            self.builder.ins().udiv(a, safe_divisor)
        };
        let product = self.builder.ins().imul(quotient, b);
        let remainder = self.builder.ins().isub(a, product);
        if !dtype.is_signed() {
            return if op == BinaryOp::FloorDiv {
                quotient
            } else {
                remainder
            };
        }
        // Truncation rounded toward zero; floor differs when the remainder is nonzero and its
        // sign differs from the divisor's.
        let remainder_nonzero = self.builder.ins().icmp(IntCC::NotEqual, remainder, zero);
        let signs = self.builder.ins().bxor(remainder, b);
        let signs_differ = self.builder.ins().icmp(IntCC::SignedLessThan, signs, zero);
        let adjust = self.builder.ins().band(remainder_nonzero, signs_differ);
        if op == BinaryOp::FloorDiv {
            let adjust = self.bool_to_int(adjust, ty);
            self.builder.ins().isub(quotient, adjust)
        } else {
            let adjusted = self.builder.ins().iadd(remainder, b);
            self.builder.ins().select(adjust, adjusted, remainder)
        }
    }

    /// Integer power through the runtime's `nx_ipow` (wrapping modulo 2^64, then truncated);
    /// a negative signed exponent raises the status and gives 0 (as a failed division).
    fn integer_pow(&mut self, dtype: DType, base: Value, exponent: Value) -> Value {
        let ty = scalar_type(dtype);
        let power = self.integer_pow_unchecked(dtype, base, exponent);
        if !dtype.is_signed() {
            return power;
        }
        let zero = self.iconst(ty, 0);
        let negative = self
            .builder
            .ins()
            .icmp(IntCC::SignedLessThan, exponent, zero);
        self.raise_status_if(negative, KernelStatus::NegativeIntegerPower);
        self.builder.ins().select(negative, zero, power)
    }

    /// `integer_pow` without the check of the exponent's sign.
    fn integer_pow_unchecked(&mut self, dtype: DType, base: Value, exponent: Value) -> Value {
        let ty = scalar_type(dtype);
        let widen = |this: &mut Self, value: Value| {
            if ty == types::I64 {
                value
            } else if dtype.is_signed() {
                this.builder.ins().sextend(types::I64, value)
            } else {
                this.builder.ins().uextend(types::I64, value)
            }
        };
        let base = widen(self, base);
        let exponent = widen(self, exponent);
        let result = self.call_runtime("nx_ipow", &[base, exponent]);
        if ty == types::I64 {
            result
        } else {
            self.builder.ins().ireduce(ty, result)
        }
    }

    /// NumPy shifts: a count outside `0..bits` gives 0 for `<<` and 0 or -1 (by sign) for
    /// `>>`. Cranelift masks shift counts, so the in-range test is explicit.
    fn integer_shift(&mut self, op: BinaryOp, dtype: DType, a: Value, count: Value) -> Value {
        let ty = scalar_type(dtype);
        let bits = self.iconst(ty, i64::from(dtype.bits()));
        // Unsigned compare: a negative count is huge.
        let in_range = self
            .builder
            .ins()
            .icmp(IntCC::UnsignedLessThan, count, bits);
        let (shifted, out_of_range) = match (op, dtype.is_signed()) {
            (BinaryOp::Shl, _) => (self.builder.ins().ishl(a, count), self.iconst(ty, 0)),
            (_, true) => {
                let sign_shift = self.iconst(ty, i64::from(dtype.bits()) - 1);
                (
                    self.builder.ins().sshr(a, count),
                    self.builder.ins().sshr(a, sign_shift),
                )
            }
            (_, false) => (self.builder.ins().ushr(a, count), self.iconst(ty, 0)),
        };
        self.builder.ins().select(in_range, shifted, out_of_range)
    }

    /// The spec's `as` (`Scalar::cast`).
    pub(super) fn scalar_cast(&mut self, x: Value, from: DType, to: DType) -> Value {
        if from == to {
            return x;
        }
        let to_ty = scalar_type(to);
        let from_ty = scalar_type(from);
        if to == DType::Bool {
            return if from.is_float() {
                // Unordered-or-not-equal: nan is true.
                let zero = self.float_const(from, 0.0);
                self.builder.ins().fcmp(FloatCC::NotEqual, x, zero)
            } else {
                let zero = self.iconst(from_ty, 0);
                self.builder.ins().icmp(IntCC::NotEqual, x, zero)
            };
        }
        match (from.is_float(), to.is_float()) {
            (true, true) => {
                if to == DType::F64 {
                    self.builder.ins().fpromote(types::F64, x)
                } else {
                    self.builder.ins().fdemote(types::F32, x)
                }
            }
            (false, true) => {
                // Bool and narrow integers are widened to i32 first (exactly), then converted
                // with one rounding.
                let signed = from.is_signed();
                let wide = if from_ty.bits() < 32 {
                    if signed {
                        self.builder.ins().sextend(types::I32, x)
                    } else {
                        self.builder.ins().uextend(types::I32, x)
                    }
                } else {
                    x
                };
                if signed || from_ty.bits() < 32 {
                    self.builder.ins().fcvt_from_sint(to_ty, wide)
                } else {
                    self.builder.ins().fcvt_from_uint(to_ty, wide)
                }
            }
            (true, false) => self.float_to_int(x, to),
            (false, false) => {
                if to_ty.bits() == from_ty.bits() {
                    x
                } else if to_ty.bits() < from_ty.bits() {
                    self.builder.ins().ireduce(to_ty, x)
                } else if from.is_signed() {
                    self.builder.ins().sextend(to_ty, x)
                } else {
                    // Unsigned and bool (0/1) zero-extend.
                    self.builder.ins().uextend(to_ty, x)
                }
            }
        }
    }

    /// Truncation toward zero, saturating at the target's bounds, nan to 0: Cranelift's
    /// saturating conversions do exactly this for 32- and 64-bit targets; narrower targets
    /// convert to i32 and clamp.
    fn float_to_int(&mut self, x: Value, to: DType) -> Value {
        let to_ty = scalar_type(to);
        if to_ty.bits() >= 32 {
            return if to.is_signed() {
                self.builder.ins().fcvt_to_sint_sat(to_ty, x)
            } else {
                self.builder.ins().fcvt_to_uint_sat(to_ty, x)
            };
        }
        let wide = self.builder.ins().fcvt_to_sint_sat(types::I32, x);
        let low = self.iconst(types::I32, to.min_int() as i64);
        let high = self.iconst(types::I32, to.max_int() as i64);
        let clamped_high = self.builder.ins().smin(wide, high);
        let clamped = self.builder.ins().smax(clamped_high, low);
        self.builder.ins().ireduce(to_ty, clamped)
    }
}

/// A comparison operator, with its float and integer condition codes.
#[derive(Clone, Copy)]
pub(super) struct Comparison(BinaryOp);

pub(super) fn comparison(op: BinaryOp) -> Option<Comparison> {
    match op {
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            Some(Comparison(op))
        }
        _ => None,
    }
}

impl Comparison {
    /// Ordered comparisons (false with nan), except `!=`, which is true with nan.
    pub(super) fn float(self) -> FloatCC {
        match self.0 {
            BinaryOp::Eq => FloatCC::Equal,
            BinaryOp::Ne => FloatCC::NotEqual,
            BinaryOp::Lt => FloatCC::LessThan,
            BinaryOp::Le => FloatCC::LessThanOrEqual,
            BinaryOp::Gt => FloatCC::GreaterThan,
            _ => FloatCC::GreaterThanOrEqual,
        }
    }

    pub(super) fn int(self, signed: bool) -> IntCC {
        match (self.0, signed) {
            (BinaryOp::Eq, _) => IntCC::Equal,
            (BinaryOp::Ne, _) => IntCC::NotEqual,
            (BinaryOp::Lt, true) => IntCC::SignedLessThan,
            (BinaryOp::Lt, false) => IntCC::UnsignedLessThan,
            (BinaryOp::Le, true) => IntCC::SignedLessThanOrEqual,
            (BinaryOp::Le, false) => IntCC::UnsignedLessThanOrEqual,
            (BinaryOp::Gt, true) => IntCC::SignedGreaterThan,
            (BinaryOp::Gt, false) => IntCC::UnsignedGreaterThan,
            (_, true) => IntCC::SignedGreaterThanOrEqual,
            (_, false) => IntCC::UnsignedGreaterThanOrEqual,
        }
    }
}

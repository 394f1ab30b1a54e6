//! The innermost loop's vector path: which kernels get one (`plan`), and vector code for the
//! body on `lanes` consecutive points at a time in 128-bit vectors.
//!
//! The widest non-bool value or moving buffer of a vectorized kernel has element size `width`;
//! a vector step covers `lanes = 16 / width` points. Values of that width fill a 128-bit
//! vector; narrower integer values (mixed widths are allowed for integer elementwise kernels,
//! e.g. after `ir::narrow`) live in the low `lanes` lanes of a 128-bit vector of their own lane
//! type (the other lanes are don't-care), and narrower buffers are read and written `lanes`
//! elements at a time through one scalar load or store. Integer casts between widths are
//! lane widenings (`swiden_low`/`uwiden_low`) or byte shuffles (truncation). Bool values are
//! lane masks of `width` (all ones for true), converted to and from narrower masks where a
//! narrower comparison or select meets them. Operations Cranelift cannot
//! lower on 128-bit vectors (integer division, calls, 64-bit float conversions, ...) run per
//! lane with the scalar code (`scalar.rs`) inside the vector loop; so do the math functions
//! that stay libm calls, while nx's own (`exp`, `log`, ...) are inline vector code (`math.rs`)
//! or, in elementwise kernels, block routine calls on staged blocks (`staged.rs`).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    ConstantData, Endianness, InstBuilder, MemFlagsData, Type, Value, types,
};
use cranelift_entity::EntityRef;
use cranelift_entity::packed_option::ReservedValue;
use nx_runtime::{DType, Scalar};

use super::function::{Emitter, buffer_flags, scalar_type};
use super::scalar::comparison;
use crate::ir::{BinaryOp, Effect, Inst, Kernel, MathFn, ReduceOp, UnaryOp, ValueId};

/// How a kernel's innermost loop is vectorized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VectorPlan {
    /// The element size in bytes of every non-bool value.
    pub width: usize,
    /// Elements per 128-bit vector.
    pub lanes: usize,
}

/// The vector plan of a kernel, or `None` when it gets scalar loops only: rank 0, mixed
/// element sizes, or (for reductions) reductions the vector path does not cover.
pub fn plan(kernel: &Kernel) -> Option<VectorPlan> {
    // Scalar functions have control flow per point: their kernels run the scalar loops.
    if kernel.rank == 0 || !kernel.funcs.is_empty() {
        return None;
    }
    let mut sizes: Vec<usize> = Vec::new();
    for data in kernel.values.values() {
        if data.dtype != DType::Bool {
            sizes.push(data.dtype.size());
        }
    }
    for decl in kernel.bufs.values() {
        if decl.dtype != DType::Bool && !decl.uniform {
            sizes.push(decl.dtype.size());
        }
    }
    sizes.sort_unstable();
    sizes.dedup();
    let width = match sizes.as_slice() {
        [] => 1,
        [width] => *width,
        // Mixed widths: integer (and bool) elementwise kernels only.
        [.., widest] => {
            let all_integer = kernel.values.values().all(|data| !data.dtype.is_float())
                && kernel.bufs.values().all(|decl| !decl.dtype.is_float());
            if kernel.reduce_axes > 0 || !all_integer {
                return None;
            }
            *widest
        }
    };
    if kernel.reduce_axes > 0 {
        for effect in &kernel.effects {
            let Effect::Reduce { op, value, .. } = effect else {
                return None;
            };
            let dtype = kernel.dtype(*value);
            let covered = match op {
                ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Min | ReduceOp::Max => {
                    dtype != DType::Bool
                        && binary_is_native(super::super::ir::interp::reduce_combine_op(*op), dtype)
                }
                _ => false,
            };
            if !covered {
                return None;
            }
        }
    }
    Some(VectorPlan {
        width,
        lanes: 16 / width,
    })
}

/// Whether Cranelift lowers this binary operation on 128-bit vectors of `dtype` (x86-64).
/// Measured with the host flags `cranelift_native` sets on this machine (AVX-512 VL/DQ give
/// 64-bit lane multiply, min/max and abs); where a lowering is missing elsewhere, compilation
/// fails and `Jit::compile` retries without vectors. Integer division, power and per-lane
/// variable shifts have no vector instructions at all and run per lane.
pub(super) fn binary_is_native(op: BinaryOp, dtype: DType) -> bool {
    let is_float = dtype.is_float();
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => true,
        // x86 has no 8-bit lane multiply.
        BinaryOp::Mul => is_float || dtype.size() >= 2,
        BinaryOp::Div | BinaryOp::Copysign => is_float,
        BinaryOp::Min | BinaryOp::Max => true,
        BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow | BinaryOp::Shl | BinaryOp::Shr => false,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            true
        }
    }
}

fn little_endian() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

impl Emitter<'_> {
    fn plan_or_panic(&self) -> VectorPlan {
        self.plan
            .expect("vector code is emitted only for vectorized kernels")
    }

    /// The integer lane type of the kernel's width (the type of masks).
    fn mask_lane_type(&self) -> Type {
        Type::int_with_byte_size(self.plan_or_panic().width as u16).expect("1, 2, 4 or 8")
    }

    fn mask_type(&self) -> Type {
        let plan = self.plan_or_panic();
        self.mask_lane_type()
            .by(plan.lanes as u32)
            .expect("128 bits")
    }

    /// The vector type of a value of `dtype`: masks for bool.
    pub(super) fn vector_type(&self, dtype: DType) -> Type {
        if dtype == DType::Bool {
            return self.mask_type();
        }
        scalar_type(dtype)
            .by((16 / dtype.size()) as u32)
            .expect("128 bits")
    }

    /// The byte shuffle keeping the low `to` bytes of each `from`-byte lane (truncation of
    /// each lane, packed into the low lanes; the rest repeat byte 0).
    fn truncate_lanes(&mut self, x: Value, from: usize, to: usize) -> Value {
        let bytes = self.bitcast(types::I8X16, x);
        let mut mask = [0u8; 16];
        for lane in 0..16 / from {
            for byte in 0..to {
                mask[lane * to + byte] = (lane * from + byte) as u8;
            }
        }
        let mask = self
            .builder
            .func
            .dfg
            .immediates
            .push(ConstantData::from(&mask[..]));
        self.builder.ins().shuffle(bytes, bytes, mask)
    }

    /// Integer lanes of `from` bytes widened to `to` bytes (sign- or zero-extending).
    fn widen_lanes(&mut self, x: Value, from: usize, to: usize, signed: bool) -> Value {
        let mut value = self.bitcast(
            Type::int_with_byte_size(from as u16)
                .expect("1, 2 or 4")
                .by((16 / from) as u32)
                .expect("128 bits"),
            x,
        );
        let mut size = from;
        while size < to {
            value = if signed {
                self.builder.ins().swiden_low(value)
            } else {
                self.builder.ins().uwiden_low(value)
            };
            size *= 2;
        }
        value
    }

    /// A mask of the kernel's width as a mask of `size`-byte lanes.
    fn mask_to_size(&mut self, mask: Value, size: usize) -> Value {
        let width = self.plan_or_panic().width;
        if size == width {
            return mask;
        }
        let bytes = self.truncate_lanes(mask, width, size);
        let ty = Type::int_with_byte_size(size as u16)
            .expect("1, 2 or 4")
            .by((16 / size) as u32)
            .expect("128 bits");
        self.bitcast(ty, bytes)
    }

    /// A mask of `size`-byte lanes as a mask of the kernel's width.
    fn mask_from_size(&mut self, mask: Value, size: usize) -> Value {
        let width = self.plan_or_panic().width;
        if size == width {
            return mask;
        }
        self.widen_lanes(mask, size, width, true)
    }

    /// The integer type of `lanes` elements of `dtype` (a narrower buffer's one load).
    fn packed_type(&self, dtype: DType) -> Type {
        let bytes = self.plan_or_panic().lanes * dtype.size();
        Type::int_with_byte_size(bytes as u16).expect("2, 4 or 8 bytes")
    }

    pub(super) fn bitcast(&mut self, ty: Type, value: Value) -> Value {
        if self.builder.func.dfg.value_type(value) == ty {
            value
        } else {
            self.builder.ins().bitcast(ty, little_endian(), value)
        }
    }

    /// A scalar bool (0/1) as a mask lane (0 or all ones).
    fn bool_to_mask_lane(&mut self, flag: Value) -> Value {
        let lane_type = self.mask_lane_type();
        let wide = if lane_type == types::I8 {
            flag
        } else {
            self.builder.ins().uextend(lane_type, flag)
        };
        self.builder.ins().ineg(wide)
    }

    fn splat_scalar(&mut self, dtype: DType, scalar: Value) -> Value {
        let ty = self.vector_type(dtype);
        let lane = if dtype == DType::Bool {
            self.bool_to_mask_lane(scalar)
        } else {
            scalar
        };
        self.builder.ins().splat(ty, lane)
    }

    pub(super) fn vector_const(&mut self, scalar: Scalar) -> Value {
        let lane = self.scalar_const(scalar);
        self.splat_scalar(scalar.dtype(), lane)
    }

    /// Lane `lane` of a vector value as a scalar (bool as 0/1).
    fn extract_scalar(&mut self, vector: Value, dtype: DType, lane: usize) -> Value {
        let element = self.builder.ins().extractlane(vector, lane as u8);
        if dtype == DType::Bool {
            let zero = self.iconst(self.mask_lane_type(), 0);
            self.builder.ins().icmp(IntCC::NotEqual, element, zero)
        } else {
            element
        }
    }

    /// A vector from one scalar per lane (bool lanes given as 0/1).
    fn gather_lanes(&mut self, dtype: DType, scalars: &[Value]) -> Value {
        let ty = self.vector_type(dtype);
        let mut lanes = Vec::with_capacity(scalars.len());
        for scalar in scalars {
            let lane = if dtype == DType::Bool {
                self.bool_to_mask_lane(*scalar)
            } else {
                *scalar
            };
            lanes.push(lane);
        }
        let mut vector = self.builder.ins().splat(ty, lanes[0]);
        for (index, lane) in lanes.iter().enumerate().skip(1) {
            vector = self.builder.ins().insertlane(vector, *lane, index as u8);
        }
        vector
    }

    /// Loads `lanes` consecutive elements of a buffer starting `part` vectors in.
    fn load_vector(&mut self, dtype: DType, address: Value, part: usize) -> Value {
        let plan = self.plan_or_panic();
        let offset = (part * plan.lanes * dtype.size()) as i32;
        if dtype != DType::Bool && dtype.size() < plan.width {
            let packed = self.packed_type(dtype);
            let scalar = self
                .builder
                .ins()
                .load(packed, buffer_flags(), address, offset);
            let vector_type = packed.by(16 / packed.bytes()).expect("128 bits");
            let vector = self.builder.ins().scalar_to_vector(vector_type, scalar);
            let ty = self.vector_type(dtype);
            return self.bitcast(ty, vector);
        }
        if dtype != DType::Bool {
            let ty = self.vector_type(dtype);
            return self.builder.ins().load(ty, buffer_flags(), address, offset);
        }
        if plan.width == 1 {
            let bytes = self
                .builder
                .ins()
                .load(types::I8X16, buffer_flags(), address, offset);
            let zero = self.vector_const(Scalar::I8(0));
            return self.builder.ins().icmp(IntCC::NotEqual, bytes, zero);
        }
        let mut flags = Vec::with_capacity(plan.lanes);
        for lane in 0..plan.lanes {
            flags.push(self.load_scalar(DType::Bool, address, offset + lane as i32));
        }
        self.gather_lanes(DType::Bool, &flags)
    }

    pub(super) fn store_vector(
        &mut self,
        dtype: DType,
        vector: Value,
        address: Value,
        part: usize,
    ) {
        let plan = self.plan_or_panic();
        let offset = (part * plan.lanes * dtype.size()) as i32;
        if dtype != DType::Bool && dtype.size() < plan.width {
            let packed = self.packed_type(dtype);
            let vector_type = packed.by(16 / packed.bytes()).expect("128 bits");
            let vector = self.bitcast(vector_type, vector);
            let scalar = self.builder.ins().extractlane(vector, 0);
            self.builder
                .ins()
                .store(buffer_flags(), scalar, address, offset);
            return;
        }
        if dtype != DType::Bool {
            self.builder
                .ins()
                .store(buffer_flags(), vector, address, offset);
            return;
        }
        if plan.width == 1 {
            let one = self.vector_const(Scalar::I8(1));
            let bytes = self.builder.ins().band(vector, one);
            self.builder
                .ins()
                .store(buffer_flags(), bytes, address, offset);
            return;
        }
        if plan.width >= 4 {
            // The lanes' sign bits in one register (movmsk), spread to one byte per lane by
            // a multiply whose shifted copies do not overlap, stored at once: far fewer
            // instructions than extracting and storing each lane (f64 and f32 masks).
            let (spread, keep, stored) = match plan.lanes {
                2 => (0x81, 0x0101, types::I16),
                _ => (0x0020_4081, 0x0101_0101, types::I32),
            };
            let bits = self.builder.ins().vhigh_bits(types::I32, vector);
            let spread = self.iconst(types::I32, spread);
            let spread = self.builder.ins().imul(bits, spread);
            let keep = self.iconst(types::I32, keep);
            let bytes = self.builder.ins().band(spread, keep);
            let bytes = if stored == types::I32 {
                bytes
            } else {
                self.builder.ins().ireduce(stored, bytes)
            };
            self.builder
                .ins()
                .store(buffer_flags(), bytes, address, offset);
            return;
        }
        for lane in 0..plan.lanes {
            let flag = self.extract_scalar(vector, DType::Bool, lane);
            self.builder
                .ins()
                .store(buffer_flags(), flag, address, offset + lane as i32);
        }
    }

    /// The body at `lanes` consecutive points, `part` vectors into the current iteration.
    pub(super) fn eval_vector_body(&mut self, pointers: &[Value], part: usize) -> Vec<Value> {
        let needed = vec![true; self.kernel.values.len()];
        self.eval_vector_values(pointers, part, &needed, &[])
    }

    /// The `needed` values of the body on `lanes` points (a placeholder for the others), the
    /// `staged` ones loaded from their stage address (`staged.rs`).
    pub(super) fn eval_vector_values(
        &mut self,
        pointers: &[Value],
        part: usize,
        needed: &[bool],
        staged: &[(ValueId, Value)],
    ) -> Vec<Value> {
        let kernel = self.kernel;
        let plan = self.plan_or_panic();
        let innermost = kernel.rank - 1;
        let mut values: Vec<Value> = Vec::with_capacity(kernel.values.len());
        for (id, data) in kernel.values.iter() {
            if !needed[id.index()] {
                values.push(Value::reserved_value());
                continue;
            }
            if let Some(&(_, address)) = staged.iter().find(|(value, _)| *value == id) {
                let value = self.load_vector(data.dtype, address, part);
                values.push(value);
                continue;
            }
            let value = match &data.inst {
                Inst::Load(buf) => match self.uniform_values[buf.index()] {
                    Some(scalar) => self.splat_scalar(data.dtype, scalar),
                    None => {
                        let slot = self.moving_slot(*buf).expect("non-uniform bufs move");
                        self.load_vector(data.dtype, pointers[slot], part)
                    }
                },
                Inst::Const(scalar) => self.vector_const(*scalar),
                Inst::AxisIndex(axis) => {
                    let variable = self.axis_index[*axis].expect("declared in the entry");
                    let index = self.builder.use_var(variable);
                    let splat = self.builder.ins().splat(types::I64X2, index);
                    if *axis == innermost {
                        // Lanes are consecutive indices; `part` is lanes further on.
                        let first = (part * plan.lanes) as i64;
                        let offsets = [first, first + 1];
                        let lane0 = self.iconst(types::I64, offsets[0]);
                        let lane1 = self.iconst(types::I64, offsets[1]);
                        let step = self.builder.ins().splat(types::I64X2, lane0);
                        let step = self.builder.ins().insertlane(step, lane1, 1);
                        self.builder.ins().iadd(splat, step)
                    } else {
                        splat
                    }
                }
                inst => {
                    let operands: Vec<Value> = inst
                        .operands()
                        .iter()
                        .map(|operand| values[operand.index()])
                        .collect();
                    match self.vector_op(inst, data.dtype, &operands) {
                        Some(value) => value,
                        None => self.vector_op_per_lane(inst, data.dtype, &operands),
                    }
                }
            };
            values.push(value);
        }
        values
    }

    pub(super) fn emit_vector_stores(&mut self, values: &[Value], pointers: &[Value], part: usize) {
        for effect in &self.kernel.effects {
            if let Effect::Store { buf, value } = effect {
                let slot = self.moving_slot(*buf).expect("outputs are never uniform");
                let dtype = self.kernel.bufs[*buf].dtype;
                self.store_vector(dtype, values[value.index()], pointers[slot], part);
            }
        }
    }

    /// Scalar code per lane, for operations without a vector lowering.
    fn vector_op_per_lane(&mut self, inst: &Inst, dtype: DType, operands: &[Value]) -> Value {
        let plan = self.plan_or_panic();
        let operand_dtypes: Vec<DType> = inst
            .operands()
            .iter()
            .map(|operand| self.kernel.dtype(*operand))
            .collect();
        let mut results = Vec::with_capacity(plan.lanes);
        for lane in 0..plan.lanes {
            let scalars: Vec<Value> = operands
                .iter()
                .zip(&operand_dtypes)
                .map(|(vector, operand_dtype)| self.extract_scalar(*vector, *operand_dtype, lane))
                .collect();
            results.push(self.scalar_op(inst, dtype, &operand_dtypes, &scalars));
        }
        self.gather_lanes(dtype, &results)
    }

    /// Native vector code for an operation, or `None` to fall back to per-lane scalar code.
    fn vector_op(&mut self, inst: &Inst, dtype: DType, operands: &[Value]) -> Option<Value> {
        match inst {
            Inst::Unary(op, operand) => {
                let operand_dtype = self.kernel.dtype(*operand);
                self.vector_unary(*op, operand_dtype, operands[0])
            }
            Inst::Binary(op, lhs, rhs) => {
                let operand_dtype = self.kernel.dtype(*lhs);
                if let Some(value) = self.constant_shift(*op, operand_dtype, operands[0], *rhs) {
                    return Some(value);
                }
                if *op == BinaryOp::Pow && operand_dtype.is_float() {
                    // Float `**` is the math library's `pow` (as the scalar code calls it).
                    return self.inline_math(MathFn::Pow, dtype, operands);
                }
                if !binary_is_native(*op, operand_dtype) && operand_dtype != DType::Bool {
                    return None;
                }
                let value = self.vector_binary(*op, operand_dtype, operands[0], operands[1]);
                Some(if dtype == DType::Bool && operand_dtype != DType::Bool {
                    // A comparison: its mask has the operands' lane size.
                    self.mask_from_size(value, operand_dtype.size())
                } else {
                    value
                })
            }
            Inst::Select(..) => {
                let ty = self.vector_type(dtype);
                let mask = if dtype == DType::Bool {
                    operands[0]
                } else {
                    self.mask_to_size(operands[0], dtype.size())
                };
                let mask = self.bitcast(ty, mask);
                Some(self.builder.ins().bitselect(mask, operands[1], operands[2]))
            }
            Inst::Cast(operand) => {
                let from = self.kernel.dtype(*operand);
                self.vector_cast(operands[0], from, dtype)
            }
            Inst::Math(function, _) => self.inline_math(*function, dtype, operands),
            Inst::Load(_)
            | Inst::Const(_)
            | Inst::AxisIndex(_)
            | Inst::Call(..)
            | Inst::Param(_)
            | Inst::ReadVar(_) => None,
        }
    }

    /// A mask (of the kernel's width) as a vector of `ty`'s lane type, for `bitselect`.
    pub(super) fn float_select(&mut self, mask: Value, if_true: Value, if_false: Value) -> Value {
        let ty = self.builder.func.dfg.value_type(if_true);
        let mask = self.bitcast(ty, mask);
        self.builder.ins().bitselect(mask, if_true, if_false)
    }

    fn vector_unary(&mut self, op: UnaryOp, dtype: DType, x: Value) -> Option<Value> {
        if dtype.is_float() {
            return self.float_unary(op, dtype, x);
        }
        let value = match op {
            UnaryOp::Neg => self.builder.ins().ineg(x),
            // Masks and integers alike: all bits flip.
            UnaryOp::Not => self.builder.ins().bnot(x),
            UnaryOp::Abs if dtype.is_signed() => self.builder.ins().iabs(x),
            UnaryOp::Abs => x,
            UnaryOp::Sign => {
                let zero = self.vector_const(Scalar::zero(dtype));
                if dtype.is_signed() {
                    // Comparison masks are -1 where true: sign = (x < 0) - (x > 0) as masks.
                    let positive = self.builder.ins().icmp(IntCC::SignedGreaterThan, x, zero);
                    let negative = self.builder.ins().icmp(IntCC::SignedLessThan, x, zero);
                    self.builder.ins().isub(negative, positive)
                } else {
                    let nonzero = self.builder.ins().icmp(IntCC::NotEqual, x, zero);
                    self.builder.ins().ineg(nonzero)
                }
            }
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => x,
            UnaryOp::IsNan | UnaryOp::IsInf => self.vector_const(Scalar::Bool(false)),
            UnaryOp::IsFinite => self.vector_const(Scalar::Bool(true)),
            UnaryOp::Sqrt => return None,
        };
        Some(value)
    }

    /// A binary operation that `binary_is_native` accepts (or any on bool masks).
    pub(super) fn vector_binary(
        &mut self,
        op: BinaryOp,
        dtype: DType,
        a: Value,
        b: Value,
    ) -> Value {
        if let Some(condition) = comparison(op) {
            return self.compare(condition, dtype, a, b);
        }
        if dtype == DType::Bool {
            return match op {
                BinaryOp::And | BinaryOp::Min => self.builder.ins().band(a, b),
                BinaryOp::Or | BinaryOp::Max => self.builder.ins().bor(a, b),
                _ => self.builder.ins().bxor(a, b),
            };
        }
        if let Some(value) = self.one_instruction_binary(op, dtype, a, b) {
            return value;
        }
        // What is left is float copysign: the magnitude's bits with the sign bit of `b`.
        assert!(
            dtype.is_float() && op == BinaryOp::Copysign,
            "binary_is_native rejects {op:?} on {dtype}"
        );
        let ty = self.builder.func.dfg.value_type(a);
        let int_type = self.mask_type();
        let sign_bit = 1i64 << (dtype.bits() - 1);
        let lane = self.iconst(self.mask_lane_type(), sign_bit);
        let sign_mask = self.builder.ins().splat(int_type, lane);
        let a_bits = self.bitcast(int_type, a);
        let b_bits = self.bitcast(int_type, b);
        let magnitude = self.builder.ins().band_not(a_bits, sign_mask);
        let sign = self.builder.ins().band(b_bits, sign_mask);
        let bits = self.builder.ins().bor(magnitude, sign);
        self.bitcast(ty, bits)
    }

    /// Integer `<<`/`>>` by a constant count in `0..bits` (one shift of every lane by the same
    /// amount), and `//`/`%` by a constant power of two `2^k`: floor division is an
    /// arithmetic (unsigned: logical) shift by `k` and Python's modulo the low `k` bits, for
    /// negative dividends too. Other counts and divisors run per lane.
    fn constant_shift(
        &mut self,
        op: BinaryOp,
        dtype: DType,
        x: Value,
        rhs: crate::ir::ValueId,
    ) -> Option<Value> {
        if !dtype.is_int() {
            return None;
        }
        let Inst::Const(constant) = &self.kernel.values[rhs].inst else {
            return None;
        };
        let amount = constant.as_i128()?;
        let bits = i128::from(dtype.bits());
        let (op, amount) = match op {
            BinaryOp::Shl | BinaryOp::Shr if (0..bits).contains(&amount) => (op, amount),
            BinaryOp::FloorDiv | BinaryOp::Mod
                if amount > 0 && (amount as u128).is_power_of_two() && amount < (1 << 62) =>
            {
                (op, amount)
            }
            _ => return None,
        };
        let value = match op {
            BinaryOp::Shl => {
                let count = self.iconst(types::I32, amount as i64);
                self.builder.ins().ishl(x, count)
            }
            BinaryOp::Shr | BinaryOp::FloorDiv => {
                let shift = if op == BinaryOp::Shr {
                    amount
                } else {
                    i128::from(amount.trailing_zeros())
                };
                let count = self.iconst(types::I32, shift as i64);
                if dtype.is_signed() {
                    self.builder.ins().sshr(x, count)
                } else {
                    self.builder.ins().ushr(x, count)
                }
            }
            _ => {
                let low_bits = self.vector_const(Scalar::from_i128_wrapping(dtype, amount - 1));
                self.builder.ins().band(x, low_bits)
            }
        };
        Some(value)
    }

    /// Casts between dtypes of the kernel's width (or bool), where a vector lowering exists.
    fn vector_cast(&mut self, x: Value, from: DType, to: DType) -> Option<Value> {
        if from == to {
            return Some(x);
        }
        let to_type = self.vector_type(to);
        if to == DType::Bool {
            let zero = self.vector_const(Scalar::zero(from));
            return Some(if from.is_float() {
                self.builder.ins().fcmp(FloatCC::NotEqual, x, zero)
            } else {
                let mask = self.builder.ins().icmp(IntCC::NotEqual, x, zero);
                self.mask_from_size(mask, from.size())
            });
        }
        if from == DType::Bool {
            return Some(if to.is_float() {
                // All ones & bits(1.0) = 1.0; zero stays 0.0.
                let one = self.vector_const(Scalar::one(to));
                let mask = self.bitcast(to_type, x);
                self.builder.ins().band(mask, one)
            } else {
                let mask = self.mask_to_size(x, to.size());
                let mask = self.bitcast(to_type, mask);
                self.builder.ins().ineg(mask)
            });
        }
        if !from.is_float() && !to.is_float() && from.size() != to.size() {
            let value = if from.size() < to.size() {
                self.widen_lanes(x, from.size(), to.size(), from.is_signed())
            } else {
                self.truncate_lanes(x, from.size(), to.size())
            };
            return Some(self.bitcast(to_type, value));
        }
        match (from.is_float(), to.is_float()) {
            // Same width: i64 <-> u64 and the like keep their bits.
            (false, false) => Some(x),
            (false, true) if from == DType::I32 => {
                Some(self.builder.ins().fcvt_from_sint(to_type, x))
            }
            (true, false) if from == DType::F32 && to == DType::I32 => {
                Some(self.builder.ins().fcvt_to_sint_sat(to_type, x))
            }
            (true, false) if from == DType::F32 && to == DType::U32 => {
                Some(self.builder.ins().fcvt_to_uint_sat(to_type, x))
            }
            _ => None,
        }
    }
}

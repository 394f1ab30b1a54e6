//! Math functions emitted inline: the runtime's algorithms (`mathlib::kernels`) instantiated on
//! Cranelift values. The vector path computes nx's own functions (`kernels::Function`) on whole
//! 128-bit vectors with exactly the operations, in the same order, of the runtime's `nx_exp_f64` and friends, which
//! the interpreter and scalar code call, so every path gives the same bits.

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{
    BlockArg, ConstantData, InstBuilder, MemFlagsData, Type, Value, types,
};
use nx_runtime::DType;
use nx_runtime::mathlib::kernels::{self, BinaryFunction, FloatOps, Function, Table};

use super::function::Emitter;
use crate::ir::MathFn;
use crate::ir::print::math_fn_name;

/// `FloatOps` on Cranelift values of one float type (scalar or vector) and its same-width
/// integer type.
struct ClifOps<'e, 'a> {
    emitter: &'e mut Emitter<'a>,
    float_type: Type,
    int_type: Type,
}

impl ClifOps<'_, '_> {
    /// A vector constant with `lane_bytes` (little-endian) in every lane: a constant-pool
    /// load, which x86 folds into the arithmetic instruction. (A `splat` of a scalar constant
    /// is rematerialized in the loop body, three instructions per constant per iteration.)
    fn vector_constant(&mut self, ty: Type, lane_bytes: &[u8]) -> Value {
        let mut bytes = Vec::with_capacity(16);
        for _ in 0..ty.lane_count() {
            bytes.extend_from_slice(lane_bytes);
        }
        let handle = self
            .emitter
            .builder
            .func
            .dfg
            .constants
            .insert(ConstantData::from(bytes));
        self.emitter.builder.ins().vconst(ty, handle)
    }

    fn compare(&mut self, condition: FloatCC, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().fcmp(condition, a, b)
    }

    /// `table[min(index + offset, len - 1)]` for a scalar integer `index`: a load from the
    /// runtime's static table, whose address is a constant of the process.
    fn table_entry(&mut self, table: Table, index: Value, offset: u32) -> Value {
        let (address, len, lane_type) = match table {
            Table::F64(values) => (values.as_ptr() as i64, values.len(), types::F64),
            Table::F32(values) => (values.as_ptr() as i64, values.len(), types::F32),
        };
        let int_lane = self.int_type.lane_type();
        let offset = self.emitter.iconst(int_lane, i64::from(offset));
        // The addition wraps at the lane width, as on the runtime's scalars.
        let index = self.emitter.builder.ins().iadd(index, offset);
        let index = if int_lane == types::I64 {
            index
        } else {
            self.emitter.builder.ins().uextend(types::I64, index)
        };
        let last = self.emitter.iconst(types::I64, len as i64 - 1);
        let index = self.emitter.builder.ins().umin(index, last);
        let shift = self
            .emitter
            .iconst(types::I32, i64::from(lane_type.bytes().trailing_zeros()));
        let byte_offset = self.emitter.builder.ins().ishl(index, shift);
        let base = self.emitter.iconst(types::I64, address);
        let entry = self.emitter.builder.ins().iadd(base, byte_offset);
        let flags = MemFlagsData::trusted().with_readonly();
        self.emitter.builder.ins().load(lane_type, flags, entry, 0)
    }
}

impl FloatOps for ClifOps<'_, '_> {
    type Float = Value;
    type Int = Value;
    type Mask = Value;

    fn float(&mut self, value: f64) -> Value {
        let is_f64 = self.float_type.lane_type() == types::F64;
        if self.float_type.is_vector() {
            let lane_bytes = if is_f64 {
                value.to_le_bytes().to_vec()
            } else {
                (value as f32).to_le_bytes().to_vec()
            };
            self.vector_constant(self.float_type, &lane_bytes)
        } else if is_f64 {
            self.emitter.builder.ins().f64const(value)
        } else {
            self.emitter.builder.ins().f32const(value as f32)
        }
    }

    fn int(&mut self, value: u64) -> Value {
        let lane_type = self.int_type.lane_type();
        if self.int_type.is_vector() {
            let lane_bytes = value.to_le_bytes();
            let width = lane_type.bytes() as usize;
            self.vector_constant(self.int_type, &lane_bytes[..width])
        } else {
            self.emitter.iconst(lane_type, value as i64)
        }
    }

    fn add(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().fadd(a, b)
    }

    fn sub(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().fsub(a, b)
    }

    fn mul(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().fmul(a, b)
    }

    fn div(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().fdiv(a, b)
    }

    fn sqrt(&mut self, a: Value) -> Value {
        self.emitter.builder.ins().sqrt(a)
    }

    fn less(&mut self, a: Value, b: Value) -> Value {
        self.compare(FloatCC::LessThan, a, b)
    }

    fn greater(&mut self, a: Value, b: Value) -> Value {
        self.compare(FloatCC::GreaterThan, a, b)
    }

    fn equal(&mut self, a: Value, b: Value) -> Value {
        self.compare(FloatCC::Equal, a, b)
    }

    fn is_nan(&mut self, a: Value) -> Value {
        self.compare(FloatCC::Unordered, a, a)
    }

    fn select(&mut self, mask: Value, if_true: Value, if_false: Value) -> Value {
        if self.float_type.is_vector() {
            self.emitter.float_select(mask, if_true, if_false)
        } else {
            self.emitter.builder.ins().select(mask, if_true, if_false)
        }
    }

    fn to_bits(&mut self, a: Value) -> Value {
        self.emitter.bitcast(self.int_type, a)
    }

    fn float_with_bits(&mut self, a: Value) -> Value {
        self.emitter.bitcast(self.float_type, a)
    }

    fn int_add(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().iadd(a, b)
    }

    fn int_and(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().band(a, b)
    }

    fn int_or(&mut self, a: Value, b: Value) -> Value {
        self.emitter.builder.ins().bor(a, b)
    }

    fn shift_left(&mut self, a: Value, amount: u32) -> Value {
        let amount = self.emitter.iconst(types::I32, i64::from(amount));
        self.emitter.builder.ins().ishl(a, amount)
    }

    fn shift_right(&mut self, a: Value, amount: u32) -> Value {
        let amount = self.emitter.iconst(types::I32, i64::from(amount));
        self.emitter.builder.ins().ushr(a, amount)
    }

    /// On vectors, one scalar load per lane (SSE/AVX have no gather on 128-bit lanes that
    /// Cranelift emits).
    fn lookup(&mut self, table: Table, index: Value, offset: u32) -> Value {
        if !self.float_type.is_vector() {
            return self.table_entry(table, index, offset);
        }
        let mut vector = self.float(0.0);
        for lane in 0..self.float_type.lane_count() as u8 {
            let lane_index = self.emitter.builder.ins().extractlane(index, lane);
            let entry = self.table_entry(table, lane_index, offset);
            vector = self.emitter.builder.ins().insertlane(vector, entry, lane);
        }
        vector
    }

    /// A branch on whether any lane is set (`vany_true` on vectors) to a block computing
    /// `if_any`, joining `otherwise` in a block with the results as parameters.
    fn unless_none<const N: usize>(
        &mut self,
        mask: Value,
        otherwise: [Value; N],
        if_any: impl FnOnce(&mut Self) -> [Value; N],
    ) -> [Value; N] {
        let any = if self.float_type.is_vector() {
            self.emitter.builder.ins().vany_true(mask)
        } else {
            mask
        };
        let any_block = self.emitter.builder.create_block();
        let merge_block = self.emitter.builder.create_block();
        for _ in 0..N {
            self.emitter
                .builder
                .append_block_param(merge_block, self.float_type);
        }
        let otherwise = otherwise.map(BlockArg::Value);
        self.emitter
            .builder
            .ins()
            .brif(any, any_block, &[], merge_block, &otherwise);
        self.emitter.builder.switch_to_block(any_block);
        let values = if_any(self).map(BlockArg::Value);
        self.emitter.builder.ins().jump(merge_block, &values);
        self.emitter.builder.switch_to_block(merge_block);
        let params = self.emitter.builder.block_params(merge_block);
        std::array::from_fn(|index| params[index])
    }
}

impl Emitter<'_> {
    /// `function` of `operands` (f32/f64 scalars or vectors of `dtype`, one or two) as inline
    /// code, when the runtime implements it itself (`kernels::Function`,
    /// `kernels::BinaryFunction`); `None` for the functions that stay calls into libm.
    pub(super) fn inline_math(
        &mut self,
        function: MathFn,
        dtype: DType,
        operands: &[Value],
    ) -> Option<Value> {
        let name = math_fn_name(function);
        let float_type = self.builder.func.dfg.value_type(operands[0]);
        let int_lane = if dtype == DType::F64 {
            types::I64
        } else {
            types::I32
        };
        let int_type = int_lane
            .by(float_type.lane_count())
            .expect("128 bits at most");
        let format = if dtype == DType::F64 {
            &kernels::F64
        } else {
            &kernels::F32
        };
        let mut ops = ClifOps {
            emitter: self,
            float_type,
            int_type,
        };
        match *operands {
            [x] => Some(Function::from_name(name)?.apply(&mut ops, format, x)),
            [x, y] => Some(BinaryFunction::from_name(name)?.apply(&mut ops, format, x, y)),
            _ => None,
        }
    }
}

//! Staged math: in elementwise kernels, nx's own math functions run as the runtime's block
//! routines (`mathlib::blocks`: AVX-512 or AVX2 code) instead of inline 128-bit vector code.
//!
//! The contiguous vector path then walks the innermost axis in blocks of `STAGE_BYTES`. For
//! each staged math value, in body order, one vector loop over the block computes its
//! operand into a stage buffer on the stack, and one call applies the function to that
//! buffer in place. A last vector loop computes the body, reading the staged values from
//! their buffers, and stores the results. Each loop computes only the values its result needs.
//! The blocks stay in L1, so each input element is read from memory once.
//!
//! The block routines give the bits of the scalar functions (the scalar tail and the
//! interpreter call those), so staging changes speed only. The JIT stages only where the
//! host has AVX2 or AVX-512 (only then are the routines registered): on a baseline x86-64
//! the inline code is as fast.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value, types};
use cranelift_entity::EntityRef;
use nx_runtime::DType;
use nx_runtime::mathlib::blocks;
use nx_runtime::mathlib::kernels::Function;

use super::Imports;
use super::function::Emitter;
use super::vector::VectorPlan;
use crate::ir::print::math_fn_name;
use crate::ir::{Effect, Inst, Kernel, ValueId};

/// Bytes per stage buffer: 512 f64 or 1024 f32. A few stages and the inputs' share of a block
/// fit in a 32 KiB L1 data cache, and a block routine call (a few ns) is amortized over
/// hundreds of elements.
const STAGE_BYTES: usize = 4096;

/// The values of `kernel` that run as block routines (when `imports.block_math`): math
/// functions with a block routine, in an elementwise kernel with a vector path whose lanes have the math
/// value's width. Kernels that read an axis index stay inline (a block loop would have to
/// replay the index per stage).
pub(super) fn staged_values(
    kernel: &Kernel,
    plan: Option<VectorPlan>,
    imports: &Imports,
) -> Vec<ValueId> {
    let Some(plan) = plan.filter(|_| imports.block_math) else {
        return Vec::new();
    };
    if kernel.reduce_axes > 0
        || kernel
            .values
            .values()
            .any(|data| matches!(data.inst, Inst::AxisIndex(_)))
    {
        return Vec::new();
    }
    kernel
        .values
        .iter()
        .filter(|(_, data)| {
            let Inst::Math(function, operands) = &data.inst else {
                return false;
            };
            let is_float = matches!(data.dtype, DType::F32 | DType::F64);
            is_float
                && operands.len() == 1
                && data.dtype.size() == plan.width
                && Function::from_name(math_fn_name(*function)).is_some()
                && imports
                    .functions
                    .contains_key(&block_symbol(kernel, data.inst.clone()))
        })
        .map(|(value, _)| value)
        .collect()
}

/// The block routine symbol a staged math value calls.
fn block_symbol(kernel: &Kernel, inst: Inst) -> String {
    let Inst::Math(function, operands) = inst else {
        unreachable!("only math values are staged")
    };
    let is_f64 = kernel.dtype(operands[0]) == DType::F64;
    blocks::symbol_name(math_fn_name(function), is_f64)
}

/// Which values computing `roots` needs, given that the `leaves` are read from their stages.
fn needed_values(kernel: &Kernel, roots: &[ValueId], leaves: &[ValueId]) -> Vec<bool> {
    let mut needed = vec![false; kernel.values.len()];
    for root in roots {
        needed[root.index()] = true;
    }
    for (value, data) in kernel.values.iter().rev() {
        if needed[value.index()] && !leaves.contains(&value) {
            for operand in data.inst.operands() {
                needed[operand.index()] = true;
            }
        }
    }
    needed
}

impl Emitter<'_> {
    /// The vector path of the innermost elementwise `axis` over the first `count` rounded
    /// down to whole vector iterations, by blocks, with `self.staged` computed by block
    /// routines. Leaves the pointers after the last element done.
    pub(super) fn emit_staged_vector_path(&mut self, axis: usize, count: Value) {
        let plan = self.plan.expect("staging needs a vector plan");
        let kernel = self.kernel;
        let staged = self.staged.clone();
        let per_iteration = 2 * plan.lanes;
        let step_bytes = (per_iteration * plan.width) as i64;
        let block_elements = STAGE_BYTES / plan.width;
        let stages: Vec<Value> = staged
            .iter()
            .map(|_| {
                let slot = self.stack_slot(STAGE_BYTES);
                self.builder.ins().stack_addr(self.pointer_type, slot, 0)
            })
            .collect();
        let vector_count = self
            .builder
            .ins()
            .band_imm_s(count, -(per_iteration as i64));
        let left = self.builder.declare_var(types::I64);
        self.builder.def_var(left, vector_count);
        let rounded_up = self
            .builder
            .ins()
            .iadd_imm_s(vector_count, block_elements as i64 - 1);
        let blocks = self
            .builder
            .ins()
            .ushr_imm_u(rounded_up, i64::from(block_elements.trailing_zeros()));
        let cursor = self.builder.declare_var(types::I64);
        let effect_values: Vec<ValueId> = kernel
            .effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Store { value, .. } => Some(*value),
                _ => None,
            })
            .collect();
        self.emit_counted_loop(blocks, |this, _| {
            let left_now = this.builder.use_var(left);
            let full = this.iconst(types::I64, block_elements as i64);
            let is_last = this
                .builder
                .ins()
                .icmp(IntCC::UnsignedLessThan, left_now, full);
            let length = this.builder.ins().select(is_last, left_now, full);
            let iterations = this
                .builder
                .ins()
                .ushr_imm_u(length, i64::from(per_iteration.trailing_zeros()));
            let block_start = this.current_pointers(axis);
            for (index, &value) in staged.iter().enumerate() {
                let Inst::Math(_, operands) = &kernel.values[value].inst else {
                    unreachable!("only math values are staged")
                };
                let operand = operands[0];
                let needed = needed_values(kernel, &[operand], &staged[..index]);
                let dtype = kernel.dtype(operand);
                let zero = this.iconst(types::I64, 0);
                this.builder.def_var(cursor, zero);
                this.emit_vector_loop(axis, iterations, per_iteration, |this, pointers| {
                    let offset = this.builder.use_var(cursor);
                    let loads = this.stage_addresses(&staged[..index], &stages, offset);
                    for part in 0..2 {
                        let values = this.eval_vector_values(pointers, part, &needed, &loads);
                        let target = this.builder.ins().iadd(stages[index], offset);
                        this.store_vector(dtype, values[operand.index()], target, part);
                    }
                    let next = this.builder.ins().iadd_imm_s(offset, step_bytes);
                    this.builder.def_var(cursor, next);
                });
                for (slot, &pointer) in block_start.iter().enumerate() {
                    this.builder.def_var(this.level_ptrs[axis][slot], pointer);
                }
                let symbol = block_symbol(kernel, kernel.values[value].inst.clone());
                this.call_runtime_void(&symbol, &[stages[index], length]);
            }
            let needed = needed_values(kernel, &effect_values, &staged);
            let zero = this.iconst(types::I64, 0);
            this.builder.def_var(cursor, zero);
            this.emit_vector_loop(axis, iterations, per_iteration, |this, pointers| {
                let offset = this.builder.use_var(cursor);
                let loads = this.stage_addresses(&staged, &stages, offset);
                for part in 0..2 {
                    let values = this.eval_vector_values(pointers, part, &needed, &loads);
                    this.emit_vector_stores(&values, pointers, part);
                }
                let next = this.builder.ins().iadd_imm_s(offset, step_bytes);
                this.builder.def_var(cursor, next);
            });
            let remaining = this.builder.ins().isub(left_now, length);
            this.builder.def_var(left, remaining);
        });
    }

    /// Each staged value's current address in its stage buffer: `(value, stage + offset)`.
    fn stage_addresses(
        &mut self,
        staged: &[ValueId],
        stages: &[Value],
        offset: Value,
    ) -> Vec<(ValueId, Value)> {
        staged
            .iter()
            .zip(stages)
            .map(|(&value, &stage)| (value, self.builder.ins().iadd(stage, offset)))
            .collect()
    }
}

//! Staged math: nx's own math functions run as the runtime's block routines
//! (`mathlib::blocks`: AVX-512 or AVX2 code) instead of inline 128-bit vector code.
//!
//! The contiguous vector path then walks the innermost axis by blocks: `STAGE_BYTES` in
//! elementwise kernels, each vector chunk of the fixed summation order (up to the end of its
//! block, `reduce.rs`) in reductions. For each staged math value, in body order, one vector
//! loop over the block computes its operands (one or two) into stage buffers on the stack, and
//! one call applies the function, leaving the result in the first buffer. The block's last vector loop computes the
//! body, reading the staged values from their buffers, and stores or accumulates the results.
//! Each loop computes only the values its result needs. The blocks stay in L1, so each input
//! element is read from memory once.
//!
//! The block routines give the bits of the scalar functions (the scalar tail and the
//! interpreter call those), so staging changes speed only. The JIT stages only where the
//! host has AVX2 or AVX-512 (only then are the routines registered): on a baseline x86-64
//! the inline code is as fast.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, Value, types};
use cranelift_entity::EntityRef;
use cranelift_frontend::Variable;
use nx_runtime::DType;
use nx_runtime::mathlib::blocks;
use nx_runtime::mathlib::kernels::{BinaryFunction, Function};

use super::Imports;
use super::function::Emitter;
use super::vector::VectorPlan;
use crate::ir::print::math_fn_name;
use crate::ir::{BinaryOp, Effect, Inst, Kernel, ValueId};

/// Bytes per stage buffer: 512 f64 or 1024 f32. A few stages and the inputs' share of a block
/// fit in a 32 KiB L1 data cache, and a block routine call (a few ns) is amortized over
/// hundreds of elements.
const STAGE_BYTES: usize = 4096;

/// The values of `kernel` that run as block routines (when `imports.block_math`): math
/// functions with a block routine, in a kernel with a vector path whose lanes have the math
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
    if kernel
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
            let Some(name) = math_name(kernel, &data.inst) else {
                return false;
            };
            let operands = data.inst.operands();
            let is_float = matches!(data.dtype, DType::F32 | DType::F64);
            let has_routine = match operands.len() {
                1 => Function::from_name(name).is_some(),
                2 => BinaryFunction::from_name(name).is_some(),
                _ => false,
            };
            is_float
                && has_routine
                && operands
                    .iter()
                    .all(|operand| kernel.dtype(*operand) == data.dtype)
                && data.dtype.size() == plan.width
                && imports
                    .functions
                    .contains_key(&block_symbol(kernel, &data.inst))
        })
        .map(|(value, _)| value)
        .collect()
}

/// The math library function an instruction computes: a math function, or float `**`
/// (which is `pow`, as in scalar code).
fn math_name(kernel: &Kernel, inst: &Inst) -> Option<&'static str> {
    match inst {
        Inst::Math(function, _) => Some(math_fn_name(*function)),
        Inst::Binary(BinaryOp::Pow, base, _) if kernel.dtype(*base).is_float() => Some("pow"),
        _ => None,
    }
}

/// The block routine symbol a staged math value calls.
fn block_symbol(kernel: &Kernel, inst: &Inst) -> String {
    let name = math_name(kernel, inst).expect("only math values are staged");
    let is_f64 = kernel.dtype(inst.operands()[0]) == DType::F64;
    blocks::symbol_name(name, is_f64)
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

/// The staging state of a kernel: a stack buffer per staged value and a byte cursor that
/// walks them in step with the vector loops.
pub(super) struct Stages {
    values: Vec<ValueId>,
    /// Per staged value, a buffer per operand; the routine leaves its result in the first.
    buffers: Vec<Vec<Value>>,
    cursor: Variable,
}

impl Emitter<'_> {
    /// Stage buffers of `bytes` each for `self.staged`.
    pub(super) fn declare_stages(&mut self, bytes: usize) -> Stages {
        let values = self.staged.clone();
        let buffers = values
            .iter()
            .map(|&value| {
                let operands = self.kernel.values[value].inst.operands().len();
                (0..operands)
                    .map(|_| {
                        let slot = self.stack_slot(bytes);
                        self.builder.ins().stack_addr(self.pointer_type, slot, 0)
                    })
                    .collect()
            })
            .collect();
        let cursor = self.builder.declare_var(types::I64);
        Stages {
            values,
            buffers,
            cursor,
        }
    }

    /// For each staged value in order, a vector loop over the `length` elements ahead
    /// (`iterations` of `parts` vectors) writing its operand into its stage, then the block
    /// routine's call on that stage. Leaves the pointers where they were, and the cursor at 0
    /// for the loop that consumes the stages.
    pub(super) fn emit_stage_phases(
        &mut self,
        stages: &Stages,
        axis: usize,
        iterations: Value,
        parts: usize,
        length: Value,
    ) {
        let kernel = self.kernel;
        let plan = self.plan.expect("staging needs a vector plan");
        let per_iteration = parts * plan.lanes;
        let block_start = self.current_pointers(axis);
        for (index, &value) in stages.values.iter().enumerate() {
            let operands = kernel.values[value].inst.operands();
            let needed = needed_values(kernel, &operands, &stages.values[..index]);
            let dtype = kernel.dtype(operands[0]);
            let zero = self.iconst(types::I64, 0);
            self.builder.def_var(stages.cursor, zero);
            self.emit_vector_loop(axis, iterations, per_iteration, |this, pointers| {
                let offset = this.builder.use_var(stages.cursor);
                let loads = this.stage_addresses(stages, index, offset);
                let targets: Vec<Value> = stages.buffers[index]
                    .iter()
                    .map(|&buffer| this.builder.ins().iadd(buffer, offset))
                    .collect();
                for part in 0..parts {
                    let values = this.eval_vector_values(pointers, part, &needed, &loads);
                    for (operand, &target) in operands.iter().zip(&targets) {
                        this.store_vector(dtype, values[operand.index()], target, part);
                    }
                }
                this.advance_stage_cursor(stages, per_iteration);
            });
            for (slot, &pointer) in block_start.iter().enumerate() {
                self.builder.def_var(self.level_ptrs[axis][slot], pointer);
            }
            let symbol = block_symbol(kernel, &kernel.values[value].inst);
            let mut arguments = stages.buffers[index].clone();
            arguments.push(length);
            self.call_runtime_void(&symbol, &arguments);
        }
        let zero = self.iconst(types::I64, 0);
        self.builder.def_var(stages.cursor, zero);
    }

    /// The values computing `roots` needs, with every staged value read from its stage.
    pub(super) fn needed_after_stages(&self, roots: &[ValueId]) -> Vec<bool> {
        needed_values(self.kernel, roots, &self.staged)
    }

    /// Every staged value's address at the cursor, for the loop that consumes the stages.
    pub(super) fn staged_loads(&mut self, stages: &Stages) -> Vec<(ValueId, Value)> {
        let offset = self.builder.use_var(stages.cursor);
        self.stage_addresses(stages, stages.values.len(), offset)
    }

    /// The first `count` staged values' addresses at the cursor's `offset`.
    fn stage_addresses(
        &mut self,
        stages: &Stages,
        count: usize,
        offset: Value,
    ) -> Vec<(ValueId, Value)> {
        stages.values[..count]
            .iter()
            .zip(&stages.buffers)
            .map(|(&value, buffers)| (value, self.builder.ins().iadd(buffers[0], offset)))
            .collect()
    }

    /// Moves the cursor past one vector iteration of `elements`.
    pub(super) fn advance_stage_cursor(&mut self, stages: &Stages, elements: usize) {
        let plan = self.plan.expect("staging needs a vector plan");
        let offset = self.builder.use_var(stages.cursor);
        let next = self
            .builder
            .ins()
            .iadd_imm_s(offset, (elements * plan.width) as i64);
        self.builder.def_var(stages.cursor, next);
    }

    /// The vector path of the innermost elementwise `axis` over the first `count` rounded
    /// down to whole vector iterations, by blocks of `STAGE_BYTES`, with `self.staged`
    /// computed by block routines. Leaves the pointers after the last element done.
    pub(super) fn emit_staged_vector_path(&mut self, axis: usize, count: Value) {
        let plan = self.plan.expect("staging needs a vector plan");
        let kernel = self.kernel;
        let per_iteration = 2 * plan.lanes;
        let block_elements = STAGE_BYTES / plan.width;
        let stages = self.declare_stages(STAGE_BYTES);
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
        let stored: Vec<ValueId> = kernel
            .effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Store { value, .. } => Some(*value),
                _ => None,
            })
            .collect();
        let needed = self.needed_after_stages(&stored);
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
            this.emit_stage_phases(&stages, axis, iterations, 2, length);
            this.emit_vector_loop(axis, iterations, per_iteration, |this, pointers| {
                let loads = this.staged_loads(&stages);
                for part in 0..2 {
                    let values = this.eval_vector_values(pointers, part, &needed, &loads);
                    this.emit_vector_stores(&values, pointers, part);
                }
                this.advance_stage_cursor(&stages, per_iteration);
            });
            let remaining = this.builder.ins().isub(left_now, length);
            this.builder.def_var(left, remaining);
        });
    }
}

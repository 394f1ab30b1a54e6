//! Reductions: per-output-element state in stack slots and variables, updated one element at
//! a time (scalar path) or four vectors at a time (vector path), following the fixed order of
//! `ReduceOp::Sum` exactly: element `j` of a block goes to lane `j % lanes`; a full block is
//! summed pairwise over its lanes and pushed on a stack with the binary-counter cascade; at the
//! end a partial block is pushed too and the stack is folded from the top.
//!
//! Every reduction except argmin/argmax uses this one mechanism (for the order-free ones it is
//! merely deterministic). The vector path keeps the lane accumulators in four vectors while it
//! runs up to the end of a block, and is taken only at positions that are a multiple of the
//! lane count, so lanes of the vectors are lanes of the order.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, StackSlot, Type, Value, types};
use cranelift_entity::EntityRef;
use cranelift_frontend::Variable;
use nx_runtime::DType;

use super::function::{Emitter, scalar_type};
use crate::ir::interp::{reduce_combine_op, reduce_identity};
use crate::ir::{BufId, Effect, ReduceOp, ValueId, reduce_block, reduce_lanes};

pub(super) enum ReduceKind {
    /// Lanes, blocks and the cascade.
    Fold {
        /// `lanes` accumulators.
        lane_slot: StackSlot,
        /// The cascade's stack: at most 64 entries for any count of blocks below 2^64.
        stack_slot: StackSlot,
        /// Position within the current block.
        position: Variable,
        /// Entries on the stack.
        depth: Variable,
        /// Blocks pushed so far.
        blocks: Variable,
    },
    /// The first extreme so far and its position.
    Arg {
        best: Variable,
        best_index: Variable,
        is_max: bool,
    },
}

pub(super) struct ReduceState {
    op: ReduceOp,
    buf: BufId,
    value: ValueId,
    dtype: DType,
    lanes: usize,
    block: usize,
    kind: ReduceKind,
}

/// The cascade's stack as addressed in code: its base and log2 of its entry size.
#[derive(Clone, Copy)]
struct BlockStack {
    base: Value,
    size_shift: Value,
}

fn slot_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl Emitter<'_> {
    /// The reductions of the kernel at one point of the kept axes: `axis` is the first reduced
    /// axis, and the output pointers at `level_ptrs[axis]` address the output elements.
    pub(super) fn emit_reduction(&mut self, axis: usize) {
        if self.reductions.is_empty() {
            self.declare_reductions();
        }
        for index in 0..self.reductions.len() {
            self.init_reduction(index);
        }
        if let Some(position) = self.reduce_position {
            let zero = self.iconst(types::I64, 0);
            self.builder.def_var(position, zero);
        }
        self.emit_reduced_axis(axis, true);
        for index in 0..self.reductions.len() {
            let buf = self.reductions[index].buf;
            let slot = self.moving_slot(buf).expect("outputs are never uniform");
            let output = self.builder.use_var(self.level_ptrs[axis][slot]);
            self.finish_reduction(index, output);
        }
    }

    fn declare_reductions(&mut self) {
        let kernel = self.kernel;
        for effect in &kernel.effects {
            let Effect::Reduce { op, buf, value } = effect else {
                continue;
            };
            let dtype = kernel.dtype(*value);
            let ty = scalar_type(dtype);
            let kind = match op {
                ReduceOp::ArgMin | ReduceOp::ArgMax => {
                    if self.reduce_position.is_none() {
                        self.reduce_position = Some(self.builder.declare_var(types::I64));
                    }
                    ReduceKind::Arg {
                        best: self.builder.declare_var(ty),
                        best_index: self.builder.declare_var(types::I64),
                        is_max: *op == ReduceOp::ArgMax,
                    }
                }
                _ => ReduceKind::Fold {
                    lane_slot: self.stack_slot(reduce_lanes(dtype) * dtype.size()),
                    stack_slot: self.stack_slot(64 * dtype.size()),
                    position: self.builder.declare_var(types::I64),
                    depth: self.builder.declare_var(types::I64),
                    blocks: self.builder.declare_var(types::I64),
                },
            };
            self.reductions.push(ReduceState {
                op: *op,
                buf: *buf,
                value: *value,
                dtype,
                lanes: reduce_lanes(dtype),
                block: reduce_block(dtype),
                kind,
            });
        }
    }

    fn identity(&mut self, index: usize) -> Value {
        let state = &self.reductions[index];
        let identity = reduce_identity(state.op, state.dtype);
        self.scalar_const(identity)
    }

    fn reset_lanes(&mut self, index: usize) {
        let identity = self.identity(index);
        let state = &self.reductions[index];
        let ReduceKind::Fold { lane_slot, .. } = state.kind else {
            return;
        };
        let size = state.dtype.size();
        for lane in 0..state.lanes {
            self.builder.ins().stack_store(
                self.pointer_type,
                identity,
                lane_slot,
                (lane * size) as i32,
            );
        }
    }

    fn init_reduction(&mut self, index: usize) {
        let zero = self.iconst(types::I64, 0);
        match self.reductions[index].kind {
            ReduceKind::Fold {
                position,
                depth,
                blocks,
                ..
            } => {
                self.builder.def_var(position, zero);
                self.builder.def_var(depth, zero);
                self.builder.def_var(blocks, zero);
                self.reset_lanes(index);
            }
            ReduceKind::Arg {
                best, best_index, ..
            } => {
                let dtype = self.reductions[index].dtype;
                let first = self.scalar_const(nx_runtime::Scalar::zero(dtype));
                self.builder.def_var(best, first);
                self.builder.def_var(best_index, zero);
            }
        }
    }

    fn emit_reduced_axis(&mut self, axis: usize, is_first: bool) {
        if is_first {
            self.init_axis_index_public(axis);
        }
        if axis == self.kernel.rank - 1 {
            self.emit_reduce_row(axis);
            return;
        }
        let count = self.axis_count(axis);
        self.emit_counted_loop(count, |this, _| {
            this.copy_pointers_inward(axis);
            this.emit_reduced_axis(axis + 1, false);
            this.bump_pointers_by_stride(axis);
            this.advance_axis_index(axis, 1);
        });
    }

    /// One row along the innermost axis: a loop that takes a vector chunk (up to the end of
    /// the current block) when the position allows it, else one scalar element, and flushes
    /// full blocks.
    fn emit_reduce_row(&mut self, axis: usize) {
        let count = self.axis_count(axis);
        let remaining = self.builder.declare_var(types::I64);
        self.builder.def_var(remaining, count);
        let header = self.builder.create_block();
        let dispatch = self.builder.create_block();
        let scalar_block = self.builder.create_block();
        let flush_check = self.builder.create_block();
        let done = self.builder.create_block();
        self.builder.ins().jump(header, &[]);

        self.builder.switch_to_block(header);
        let left = self.builder.use_var(remaining);
        self.builder.ins().brif(left, dispatch, &[], done, &[]);

        self.builder.switch_to_block(dispatch);
        if self.plan.is_some() {
            let vector_block = self.builder.create_block();
            let ReduceKind::Fold { position, .. } = self.reductions[0].kind else {
                unreachable!("vector plans exclude argmin/argmax");
            };
            let lanes = self.reductions[0].lanes as i64;
            let position = self.builder.use_var(position);
            let lane_mask = self.iconst(types::I64, lanes - 1);
            let phase = self.builder.ins().band(position, lane_mask);
            let at_lane_zero = self.builder.ins().icmp_imm_s(IntCC::Equal, phase, 0);
            let left = self.builder.use_var(remaining);
            let lanes_value = self.iconst(types::I64, lanes);
            let enough =
                self.builder
                    .ins()
                    .icmp(IntCC::UnsignedGreaterThanOrEqual, left, lanes_value);
            let contiguous = self.contiguous.expect("rank >= 1 has a contiguity flag");
            let ready = self.builder.ins().band(at_lane_zero, enough);
            let ready = self.builder.ins().band(ready, contiguous);
            self.builder
                .ins()
                .brif(ready, vector_block, &[], scalar_block, &[]);
            self.builder.switch_to_block(vector_block);
            self.emit_vector_chunk(axis, remaining);
            self.builder.ins().jump(flush_check, &[]);
        } else {
            self.builder.ins().jump(scalar_block, &[]);
        }

        self.builder.switch_to_block(scalar_block);
        let pointers = self.current_pointers(axis);
        let values = self.eval_scalar_body(&pointers);
        for index in 0..self.reductions.len() {
            let value = values[self.reductions[index].value.index()];
            self.scalar_step(index, value);
        }
        if let Some(position) = self.reduce_position {
            let current = self.builder.use_var(position);
            let one = self.iconst(types::I64, 1);
            let next = self.builder.ins().iadd(current, one);
            self.builder.def_var(position, next);
        }
        self.bump_pointers_by_stride(axis);
        self.advance_axis_index(axis, 1);
        let left = self.builder.use_var(remaining);
        let one = self.iconst(types::I64, 1);
        let next = self.builder.ins().isub(left, one);
        self.builder.def_var(remaining, next);
        self.builder.ins().jump(flush_check, &[]);

        self.builder.switch_to_block(flush_check);
        for index in 0..self.reductions.len() {
            let ReduceKind::Fold { position, .. } = self.reductions[index].kind else {
                continue;
            };
            let block = self.reductions[index].block as i64;
            let current = self.builder.use_var(position);
            let full = self.builder.ins().icmp_imm_s(IntCC::Equal, current, block);
            self.emit_if_nonzero(full, |this| this.flush_block(index));
        }
        self.builder.ins().jump(header, &[]);

        self.builder.switch_to_block(done);
    }

    /// Up to the end of the current block (and of the row), four vectors per iteration into
    /// vector accumulators that mirror the lane slot.
    // Indices, not iterators: the loops call `&mut self` methods.
    #[allow(clippy::needless_range_loop)]
    fn emit_vector_chunk(&mut self, axis: usize, remaining: Variable) {
        let plan = self.plan.expect("vector chunks only with a vector plan");
        let lanes = self.reductions[0].lanes;
        let block = self.reductions[0].block as i64;
        let shift = lanes.trailing_zeros() as i64;
        let ReduceKind::Fold { position, .. } = self.reductions[0].kind else {
            unreachable!("vector plans exclude argmin/argmax");
        };
        let position_now = self.builder.use_var(position);
        let left = self.builder.use_var(remaining);
        let shift_value = self.iconst(types::I64, shift);
        let row_groups = self.builder.ins().ushr(left, shift_value);
        let block_value = self.iconst(types::I64, block);
        let block_left = self.builder.ins().isub(block_value, position_now);
        let block_groups = self.builder.ins().ushr(block_left, shift_value);
        let groups = self.builder.ins().umin(row_groups, block_groups);

        // The lane slot holds `parts` vectors; each becomes an accumulator, so `parts`
        // independent add chains overlap (four for every dtype: `reduce_lanes`).
        let parts = lanes / plan.lanes;
        let mut accumulators: Vec<Vec<Variable>> = Vec::new();
        for index in 0..self.reductions.len() {
            let dtype = self.reductions[index].dtype;
            let ty: Type = self.vector_type(dtype);
            let ReduceKind::Fold { lane_slot, .. } = self.reductions[index].kind else {
                unreachable!("vector plans exclude argmin/argmax");
            };
            let mut vectors = Vec::with_capacity(parts);
            for part in 0..parts {
                let variable = self.builder.declare_var(ty);
                let base = self
                    .builder
                    .ins()
                    .stack_addr(self.pointer_type, lane_slot, 0);
                let loaded = self
                    .builder
                    .ins()
                    .load(ty, slot_flags(), base, (part * 16) as i32);
                self.builder.def_var(variable, loaded);
                vectors.push(variable);
            }
            accumulators.push(vectors);
        }
        // Staged math values are computed for the whole chunk first (`staged.rs`).
        let stages = (!self.staged.is_empty()).then(|| {
            let block = self.reductions[0].block;
            let stages = self.declare_stages(block * plan.width);
            let length = self.builder.ins().ishl(groups, shift_value);
            self.emit_stage_phases(&stages, axis, groups, parts, length);
            stages
        });
        let reduced: Vec<ValueId> = self.reductions.iter().map(|state| state.value).collect();
        let needed = self.needed_after_stages(&reduced);
        // One iteration: `parts` vectors, vector `part` folded into accumulator `part`.
        self.emit_vector_loop(axis, groups, lanes, |this, pointers| {
            let loads = match &stages {
                Some(stages) => this.staged_loads(stages),
                None => Vec::new(),
            };
            for part in 0..parts {
                let values = this.eval_vector_values(pointers, part, &needed, &loads);
                for index in 0..this.reductions.len() {
                    let state = &this.reductions[index];
                    let (op, dtype) = (reduce_combine_op(state.op), state.dtype);
                    let value = values[state.value.index()];
                    let accumulator = this.builder.use_var(accumulators[index][part]);
                    let combined = this.vector_binary(op, dtype, accumulator, value);
                    this.builder.def_var(accumulators[index][part], combined);
                }
            }
            if let Some(stages) = &stages {
                this.advance_stage_cursor(stages, lanes);
            }
        });
        for index in 0..self.reductions.len() {
            let ReduceKind::Fold {
                lane_slot,
                position,
                ..
            } = self.reductions[index].kind
            else {
                unreachable!("vector plans exclude argmin/argmax");
            };
            for part in 0..parts {
                let accumulator = self.builder.use_var(accumulators[index][part]);
                let base = self
                    .builder
                    .ins()
                    .stack_addr(self.pointer_type, lane_slot, 0);
                self.builder
                    .ins()
                    .store(slot_flags(), accumulator, base, (part * 16) as i32);
            }
            let elements = self.builder.ins().ishl(groups, shift_value);
            let current = self.builder.use_var(position);
            let next = self.builder.ins().iadd(current, elements);
            self.builder.def_var(position, next);
        }
        let elements = self.builder.ins().ishl(groups, shift_value);
        let left = self.builder.use_var(remaining);
        let next = self.builder.ins().isub(left, elements);
        self.builder.def_var(remaining, next);
    }

    /// Folds one element into reduction `index`.
    fn scalar_step(&mut self, index: usize, value: Value) {
        let (op, dtype, lanes) = {
            let state = &self.reductions[index];
            (state.op, state.dtype, state.lanes)
        };
        let ty = scalar_type(dtype);
        match self.reductions[index].kind {
            ReduceKind::Fold {
                lane_slot,
                position,
                ..
            } => {
                let current = self.builder.use_var(position);
                let lane_mask = self.iconst(types::I64, lanes as i64 - 1);
                let lane = self.builder.ins().band(current, lane_mask);
                let size_shift = self.iconst(types::I64, dtype.size().trailing_zeros() as i64);
                let offset = self.builder.ins().ishl(lane, size_shift);
                let base = self
                    .builder
                    .ins()
                    .stack_addr(self.pointer_type, lane_slot, 0);
                let address = self.builder.ins().iadd(base, offset);
                let accumulator = self.builder.ins().load(ty, slot_flags(), address, 0);
                let combined = self.scalar_binary(reduce_combine_op(op), dtype, accumulator, value);
                self.builder.ins().store(slot_flags(), combined, address, 0);
                let one = self.iconst(types::I64, 1);
                let next = self.builder.ins().iadd(current, one);
                self.builder.def_var(position, next);
            }
            ReduceKind::Arg {
                best,
                best_index,
                is_max,
            } => {
                let position = self.reduce_position.expect("declared with argmin/argmax");
                let position = self.builder.use_var(position);
                let is_first = self.builder.ins().icmp_imm_s(IntCC::Equal, position, 0);
                let current = self.builder.use_var(best);
                let better = if dtype.is_float() {
                    let condition = if is_max {
                        FloatCC::GreaterThan
                    } else {
                        FloatCC::LessThan
                    };
                    let strictly = self.builder.ins().fcmp(condition, value, current);
                    // The first nan wins: a nan value replaces a non-nan best, and nothing
                    // replaces a nan best.
                    let value_is_nan = self.builder.ins().fcmp(FloatCC::Unordered, value, value);
                    let best_is_nan = self
                        .builder
                        .ins()
                        .fcmp(FloatCC::Unordered, current, current);
                    let candidate = self.builder.ins().bor(strictly, value_is_nan);
                    let one = self.iconst(types::I8, 1);
                    let best_is_number = self.builder.ins().bxor(best_is_nan, one);
                    self.builder.ins().band(candidate, best_is_number)
                } else {
                    let condition = match (is_max, dtype.is_signed()) {
                        (true, true) => IntCC::SignedGreaterThan,
                        (true, false) => IntCC::UnsignedGreaterThan,
                        (false, true) => IntCC::SignedLessThan,
                        (false, false) => IntCC::UnsignedLessThan,
                    };
                    self.builder.ins().icmp(condition, value, current)
                };
                let take = self.builder.ins().bor(is_first, better);
                let next_best = self.builder.ins().select(take, value, current);
                self.builder.def_var(best, next_best);
                let current_index = self.builder.use_var(best_index);
                let next_index = self.builder.ins().select(take, position, current_index);
                self.builder.def_var(best_index, next_index);
            }
        }
    }

    /// The address of the block stack in `stack_slot`, whose entries are `size` bytes.
    fn block_stack(&mut self, stack_slot: StackSlot, size: usize) -> BlockStack {
        let base = self
            .builder
            .ins()
            .stack_addr(self.pointer_type, stack_slot, 0);
        let size_shift = self.iconst(types::I64, size.trailing_zeros() as i64);
        BlockStack { base, size_shift }
    }

    /// The address of entry `entry` of a block stack (the top of a stack of `entry` entries).
    fn stack_entry_address(&mut self, stack: BlockStack, entry: Value) -> Value {
        let offset = self.builder.ins().ishl(entry, stack.size_shift);
        self.builder.ins().iadd(stack.base, offset)
    }

    /// Sums the lanes pairwise, pushes the block value and runs the cascade; resets the lanes.
    fn flush_block(&mut self, index: usize) {
        let (op, dtype, lanes) = {
            let state = &self.reductions[index];
            (state.op, state.dtype, state.lanes)
        };
        let ReduceKind::Fold {
            lane_slot,
            stack_slot,
            position,
            depth,
            blocks,
        } = self.reductions[index].kind
        else {
            return;
        };
        let combine = reduce_combine_op(op);
        let ty = scalar_type(dtype);
        let size = dtype.size();
        let mut level: Vec<Value> = (0..lanes)
            .map(|lane| {
                self.builder.ins().stack_load(
                    self.pointer_type,
                    ty,
                    lane_slot,
                    (lane * size) as i32,
                )
            })
            .collect();
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len() / 2);
            for pair in level.chunks(2) {
                next.push(self.scalar_binary(combine, dtype, pair[0], pair[1]));
            }
            level = next;
        }
        let block_value = level[0];
        let stack = self.block_stack(stack_slot, size);
        let entries = self.builder.use_var(depth);
        let address = self.stack_entry_address(stack, entries);
        self.builder
            .ins()
            .store(slot_flags(), block_value, address, 0);
        let one = self.iconst(types::I64, 1);
        let entries = self.builder.ins().iadd(entries, one);
        self.builder.def_var(depth, entries);
        let pushed = self.builder.use_var(blocks);
        let pushed = self.builder.ins().iadd(pushed, one);
        self.builder.def_var(blocks, pushed);
        let merges = self.builder.ins().ctz(pushed);
        self.emit_counted_loop(merges, |this, _| {
            let entries = this.builder.use_var(depth);
            let top = this.stack_entry_address(stack, entries);
            let upper = this
                .builder
                .ins()
                .load(ty, slot_flags(), top, -(size as i32));
            let lower = this
                .builder
                .ins()
                .load(ty, slot_flags(), top, -2 * size as i32);
            let merged = this.scalar_binary(combine, dtype, lower, upper);
            this.builder
                .ins()
                .store(slot_flags(), merged, top, -2 * size as i32);
            let one = this.iconst(types::I64, 1);
            let entries = this.builder.ins().isub(entries, one);
            this.builder.def_var(depth, entries);
        });
        self.reset_lanes(index);
        let zero = self.iconst(types::I64, 0);
        self.builder.def_var(position, zero);
    }

    /// Pushes a partial block, folds the stack from the top and stores the result.
    fn finish_reduction(&mut self, index: usize, output: Value) {
        let (op, dtype) = {
            let state = &self.reductions[index];
            (state.op, state.dtype)
        };
        match self.reductions[index].kind {
            ReduceKind::Arg { best_index, .. } => {
                let result = self.builder.use_var(best_index);
                self.builder
                    .ins()
                    .store(super::function::buffer_flags(), result, output, 0);
            }
            ReduceKind::Fold {
                stack_slot,
                position,
                depth,
                ..
            } => {
                let combine = reduce_combine_op(op);
                let ty = scalar_type(dtype);
                let size = dtype.size();
                let partial = self.builder.use_var(position);
                self.emit_if_nonzero(partial, |this| this.flush_block(index));

                let result = self.builder.declare_var(ty);
                let identity = self.identity(index);
                self.builder.def_var(result, identity);
                let entries = self.builder.use_var(depth);
                self.emit_if_nonzero(entries, |this| {
                    let stack = this.block_stack(stack_slot, size);
                    let top = this.stack_entry_address(stack, entries);
                    let top_value = this
                        .builder
                        .ins()
                        .load(ty, slot_flags(), top, -(size as i32));
                    this.builder.def_var(result, top_value);
                    let one = this.iconst(types::I64, 1);
                    let below = this.builder.ins().isub(entries, one);
                    // Entries below the top, from the top down: s_k + (s_{k+1} + ...).
                    this.emit_counted_loop(below, |this, counter| {
                        let one = this.iconst(types::I64, 1);
                        let entry = this.builder.ins().isub(counter, one);
                        let address = this.stack_entry_address(stack, entry);
                        let lower = this.builder.ins().load(ty, slot_flags(), address, 0);
                        let upper = this.builder.use_var(result);
                        let merged = this.scalar_binary(combine, dtype, lower, upper);
                        this.builder.def_var(result, merged);
                    });
                });
                let value = self.builder.use_var(result);
                self.builder
                    .ins()
                    .store(super::function::buffer_flags(), value, output, 0);
            }
        }
    }
}

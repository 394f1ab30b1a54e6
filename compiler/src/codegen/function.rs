//! Builds one kernel's Cranelift function: the entry (reading `KernelArgs`), the loop nest over
//! the domain with pointer bumping, the innermost vector and scalar paths, and the evaluation
//! of the body at a point (scalar) or at `lanes` consecutive points (vector).

use cranelift_entity::EntityRef;
use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    Function, InstBuilder, MemFlagsData, StackSlotData, StackSlotKind, Type, Value, types,
};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use nx_runtime::{DType, Scalar};

use super::Imports;
use super::reduce::ReduceState;
use super::vector::VectorPlan;
use crate::ir::{BufId, BufRole, Effect, Inst, Kernel, KernelArgs, ValueId};

/// Points per iteration of a kernel calling scalar functions: their loops are latency-bound,
/// and two interleaved dependency chains keep the machine busier than one (see `call.rs`).
const FUNCTION_LANES: usize = 2;

/// Memory flags of buffer accesses: they never trap (the caller guarantees valid views) but
/// may be misaligned, so no `aligned` flag (it crashes on misaligned addresses without AVX).
pub(super) fn buffer_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// The Cranelift type of one element of `dtype`; bool is an `i8` holding 0 or 1.
pub(super) fn scalar_type(dtype: DType) -> Type {
    match dtype {
        DType::Bool | DType::I8 | DType::U8 => types::I8,
        DType::I16 | DType::U16 => types::I16,
        DType::I32 | DType::U32 => types::I32,
        DType::I64 | DType::U64 => types::I64,
        DType::F32 => types::F32,
        DType::F64 => types::F64,
    }
}

pub(super) struct Emitter<'a> {
    pub(super) builder: FunctionBuilder<'a>,
    pub(super) module: &'a mut JITModule,
    pub(super) imports: &'a Imports,
    pub(super) func_refs: HashMap<String, cranelift_codegen::ir::FuncRef>,
    pub(super) kernel: &'a Kernel,
    pub(super) plan: Option<VectorPlan>,
    pub(super) pointer_type: Type,
    /// The kernel's status code so far (i32), the largest error code seen.
    pub(super) status: Variable,
    pub(super) sizes: Vec<Value>,
    /// `strides[buf][axis]`, in bytes.
    pub(super) strides: Vec<Vec<Value>>,
    pub(super) outer_begin: Value,
    pub(super) outer_end: Value,
    /// Buffers whose pointer moves through the loops: every non-uniform buffer.
    pub(super) moving_bufs: Vec<BufId>,
    /// `level_ptrs[axis][slot]`: the address of `moving_bufs[slot]`'s element at the current
    /// indices of axes `..=axis` (and index 0 on the axes inside).
    pub(super) level_ptrs: Vec<Vec<Variable>>,
    /// The current index of each axis that an `AxisIndex` reads.
    pub(super) axis_index: Vec<Option<Variable>>,
    /// Uniform inputs, loaded once in the entry block (bool as 0/1).
    pub(super) uniform_values: Vec<Option<Value>>,
    /// Whether every moving buffer that the innermost loop walks is contiguous along it (i8).
    pub(super) contiguous: Option<Value>,
    /// Per moving slot: for inputs, whether the innermost byte stride is 0 (i8); such an input
    /// is constant along the innermost loop and the vector path splats its element.
    pub(super) inner_splat: Vec<Option<Value>>,
    pub(super) reductions: Vec<ReduceState>,
    /// The position within the reduced sequence, for argmin/argmax.
    pub(super) reduce_position: Option<Variable>,
    /// The math values computed by block routines on the vector path (`staged.rs`).
    pub(super) staged: Vec<ValueId>,
}

/// Builds the function for `kernel` into `func` (whose signature is the kernel ABI's).
pub(super) fn build_function(
    func: &mut Function,
    builder_context: &mut FunctionBuilderContext,
    frontend_config: TargetFrontendConfig,
    module: &mut JITModule,
    imports: &Imports,
    kernel: &Kernel,
    plan: Option<VectorPlan>,
) {
    let pointer_type = frontend_config.pointer_type();
    let builder = FunctionBuilder::new(func, builder_context);
    let mut emitter = Emitter {
        builder,
        module,
        imports,
        func_refs: HashMap::new(),
        kernel,
        plan,
        pointer_type,
        status: Variable::from_u32(0),
        sizes: Vec::new(),
        strides: Vec::new(),
        outer_begin: Value::from_u32(0),
        outer_end: Value::from_u32(0),
        moving_bufs: Vec::new(),
        level_ptrs: Vec::new(),
        axis_index: vec![None; kernel.rank],
        uniform_values: vec![None; kernel.bufs.len()],
        contiguous: None,
        inner_splat: Vec::new(),
        reductions: Vec::new(),
        reduce_position: None,
        staged: super::staged::staged_values(kernel, plan, imports),
    };
    emitter.emit_entry();
    emitter.builder.seal_all_blocks();
    emitter.builder.finalize(frontend_config);
}

impl Emitter<'_> {
    pub(super) fn iconst(&mut self, ty: Type, value: i64) -> Value {
        // Cranelift wants narrow immediates zero-extended to 64 bits.
        let masked = if ty.bits() < 64 {
            value & ((1i64 << ty.bits()) - 1)
        } else {
            value
        };
        self.builder.ins().iconst(ty, masked)
    }

    pub(super) fn moving_slot(&self, buf: BufId) -> Option<usize> {
        self.moving_bufs.iter().position(|&moving| moving == buf)
    }

    fn emit_entry(&mut self) {
        let kernel = self.kernel;
        let entry = self.builder.create_block();
        self.builder.append_block_params_for_function_params(entry);
        self.builder.switch_to_block(entry);
        let args = self.builder.block_params(entry)[0];
        let flags = MemFlagsData::trusted().with_readonly();
        let field = |offset: usize| offset as i32;
        let pointer_type = self.pointer_type;
        let sizes_ptr = self.builder.ins().load(
            pointer_type,
            flags,
            args,
            field(std::mem::offset_of!(KernelArgs, sizes)),
        );
        let buf_ptrs = self.builder.ins().load(
            pointer_type,
            flags,
            args,
            field(std::mem::offset_of!(KernelArgs, buf_ptrs)),
        );
        let strides_ptr = self.builder.ins().load(
            pointer_type,
            flags,
            args,
            field(std::mem::offset_of!(KernelArgs, buf_strides)),
        );
        self.outer_begin = self.builder.ins().load(
            types::I64,
            flags,
            args,
            field(std::mem::offset_of!(KernelArgs, outer_begin)),
        );
        self.outer_end = self.builder.ins().load(
            types::I64,
            flags,
            args,
            field(std::mem::offset_of!(KernelArgs, outer_end)),
        );
        let rank = kernel.rank;
        for axis in 0..rank {
            let size = self
                .builder
                .ins()
                .load(types::I64, flags, sizes_ptr, (axis * 8) as i32);
            self.sizes.push(size);
        }
        let mut base_ptrs = Vec::new();
        for (buf, _) in kernel.bufs.iter() {
            let base =
                self.builder
                    .ins()
                    .load(pointer_type, flags, buf_ptrs, (buf.index() * 8) as i32);
            base_ptrs.push(base);
            let mut buf_strides = Vec::new();
            for axis in 0..rank {
                let offset = ((buf.index() * rank + axis) * 8) as i32;
                let stride = self
                    .builder
                    .ins()
                    .load(types::I64, flags, strides_ptr, offset);
                buf_strides.push(stride);
            }
            self.strides.push(buf_strides);
        }

        self.status = self.builder.declare_var(types::I32);
        let zero = self.iconst(types::I32, 0);
        self.builder.def_var(self.status, zero);

        for (buf, decl) in kernel.bufs.iter() {
            if decl.uniform {
                let value = self.load_scalar(decl.dtype, base_ptrs[buf.index()], 0);
                self.uniform_values[buf.index()] = Some(value);
            } else {
                self.moving_bufs.push(buf);
            }
        }
        for value in kernel.values.values() {
            if let Inst::AxisIndex(axis) = value.inst
                && self.axis_index[axis].is_none()
            {
                self.axis_index[axis] = Some(self.builder.declare_var(types::I64));
            }
        }

        if rank == 0 {
            // A single point: the base pointers are the element addresses.
            let values = self.eval_scalar_body(&base_ptrs_by_slot(&self.moving_bufs, &base_ptrs));
            self.emit_scalar_stores(&values, &base_ptrs_by_slot(&self.moving_bufs, &base_ptrs));
        } else {
            self.level_ptrs = (0..rank)
                .map(|_| {
                    (0..self.moving_bufs.len())
                        .map(|_| self.builder.declare_var(pointer_type))
                        .collect()
                })
                .collect();
            for slot in 0..self.moving_bufs.len() {
                // Start at the first outer index of this chunk.
                let buf = self.moving_bufs[slot];
                let offset = self
                    .builder
                    .ins()
                    .imul(self.outer_begin, self.strides[buf.index()][0]);
                let start = self.builder.ins().iadd(base_ptrs[buf.index()], offset);
                self.builder.def_var(self.level_ptrs[0][slot], start);
            }
            self.contiguous = Some(self.emit_contiguity_check());
            self.emit_axis(0);
        }
        let status = self.builder.use_var(self.status);
        self.builder.ins().return_(&[status]);
    }

    /// Whether the vector path may run: every buffer walked by the innermost loop has a byte
    /// stride equal to its element size along it, or (inputs only) a stride of 0, which the
    /// vector path handles by splatting the element. Inputs are always walked, outputs only in
    /// elementwise kernels (a reduction's outputs do not move along reduced axes). Also records
    /// each input's stride-0 flag in `inner_splat`.
    fn emit_contiguity_check(&mut self) -> Value {
        let innermost = self.kernel.rank - 1;
        let mut all = self.iconst(types::I8, 1);
        self.inner_splat = vec![None; self.moving_bufs.len()];
        for slot in 0..self.moving_bufs.len() {
            let buf = self.moving_bufs[slot];
            let is_input = self.moves_in_reduced_axes(buf);
            if !is_input && self.kernel.reduce_axes > 0 {
                continue;
            }
            let decl = self.kernel.bufs[buf];
            let size = self.iconst(types::I64, decl.dtype.size() as i64);
            let stride = self.strides[buf.index()][innermost];
            let mut ok = self.builder.ins().icmp(IntCC::Equal, stride, size);
            if is_input {
                let zero = self.builder.ins().icmp_imm_s(IntCC::Equal, stride, 0);
                self.inner_splat[slot] = Some(zero);
                ok = self.builder.ins().bor(ok, zero);
            }
            all = self.builder.ins().band(all, ok);
        }
        all
    }

    /// The vector loop over the innermost `axis`: `iterations` times, `per_iteration` elements
    /// each, `body` getting the buffers' vector addresses. Runs only where the contiguity check
    /// passed. Inputs with innermost stride 0 are read from a stack slot holding their element
    /// repeated (filled once before the loop) and their pointers do not move; they get their
    /// own pointers back after the loop, for the scalar code that follows.
    // Indices, not iterators: the loops call `&mut self` methods.
    #[allow(clippy::needless_range_loop)]
    pub(super) fn emit_vector_loop(
        &mut self,
        axis: usize,
        iterations: Value,
        per_iteration: usize,
        mut body: impl FnMut(&mut Self, &[Value]),
    ) {
        self.emit_if_nonzero(iterations, |this| {
            // Only now is the current element known to exist (at least one iteration).
            let mut saved: Vec<Option<(Value, Value)>> = vec![None; this.moving_bufs.len()];
            let mut steps: Vec<Value> = Vec::with_capacity(this.moving_bufs.len());
            for slot in 0..this.moving_bufs.len() {
                let size = this.kernel.bufs[this.moving_bufs[slot]].dtype.size();
                let full_step = this.iconst(this.pointer_type, (per_iteration * size) as i64);
                let Some(is_splat) = this.inner_splat[slot] else {
                    steps.push(full_step);
                    continue;
                };
                let current = this.builder.use_var(this.level_ptrs[axis][slot]);
                let lane_type = Type::int_with_byte_size(size as u16).expect("1, 2, 4 or 8");
                let vector_type = lane_type.by((16 / size) as u32).expect("128 bits");
                // The element repeated over every vector one iteration reads.
                let slot_bytes = (per_iteration * size).max(32);
                let splat_slot = this.stack_slot(slot_bytes);
                let splat_base = this
                    .builder
                    .ins()
                    .stack_addr(this.pointer_type, splat_slot, 0);
                // Fill the slot only when this launch really broadcasts the input: contiguous
                // inputs skip the load and stores on every entry to the loop.
                this.emit_if_nonzero(is_splat, |this| {
                    let element = this
                        .builder
                        .ins()
                        .load(lane_type, buffer_flags(), current, 0);
                    let repeated = this.builder.ins().splat(vector_type, element);
                    for offset in (0..slot_bytes).step_by(16) {
                        this.builder.ins().store(
                            MemFlagsData::trusted(),
                            repeated,
                            splat_base,
                            offset as i32,
                        );
                    }
                });
                let address = this.builder.ins().select(is_splat, splat_base, current);
                this.builder.def_var(this.level_ptrs[axis][slot], address);
                let zero = this.iconst(this.pointer_type, 0);
                steps.push(this.builder.ins().select(is_splat, zero, full_step));
                saved[slot] = Some((is_splat, current));
            }
            this.emit_counted_loop(iterations, |this, _| {
                let pointers = this.current_pointers(axis);
                body(this, &pointers);
                for (slot, step) in steps.iter().enumerate() {
                    if !this.moves_along(slot, axis) {
                        continue;
                    }
                    let current = this.builder.use_var(this.level_ptrs[axis][slot]);
                    let next = this.builder.ins().iadd(current, *step);
                    this.builder.def_var(this.level_ptrs[axis][slot], next);
                }
                this.advance_axis_index(axis, per_iteration as i64);
            });
            for (slot, entry) in saved.iter().enumerate() {
                if let Some((is_splat, original)) = *entry {
                    let current = this.builder.use_var(this.level_ptrs[axis][slot]);
                    let restored = this.builder.ins().select(is_splat, original, current);
                    this.builder.def_var(this.level_ptrs[axis][slot], restored);
                }
            }
        });
    }

    /// Inputs move along reduced axes; outputs do not (their strides there are 0).
    pub(super) fn moves_in_reduced_axes(&self, buf: BufId) -> bool {
        self.kernel.bufs[buf].role == BufRole::Input
    }

    /// How many indices axis `axis` runs over: the chunk's range for axis 0.
    pub(super) fn axis_count(&mut self, axis: usize) -> Value {
        if axis == 0 {
            self.builder.ins().isub(self.outer_end, self.outer_begin)
        } else {
            self.sizes[axis]
        }
    }

    pub(super) fn init_axis_index_public(&mut self, axis: usize) {
        self.init_axis_index(axis);
    }

    fn init_axis_index(&mut self, axis: usize) {
        if let Some(variable) = self.axis_index[axis] {
            let start = if axis == 0 {
                self.outer_begin
            } else {
                self.iconst(types::I64, 0)
            };
            self.builder.def_var(variable, start);
        }
    }

    pub(super) fn advance_axis_index(&mut self, axis: usize, step: i64) {
        if let Some(variable) = self.axis_index[axis] {
            let current = self.builder.use_var(variable);
            let step = self.iconst(types::I64, step);
            let next = self.builder.ins().iadd(current, step);
            self.builder.def_var(variable, next);
        }
    }

    /// Whether `slot`'s pointer is bumped along `axis`.
    pub(super) fn moves_along(&self, slot: usize, axis: usize) -> bool {
        let kept_rank = self.kernel.rank - self.kernel.reduce_axes;
        axis < kept_rank || self.moves_in_reduced_axes(self.moving_bufs[slot])
    }

    /// `level_ptrs[axis][slot] += strides[slot][axis]` for the buffers moving along `axis`.
    pub(super) fn bump_pointers_by_stride(&mut self, axis: usize) {
        for slot in 0..self.moving_bufs.len() {
            if !self.moves_along(slot, axis) {
                continue;
            }
            let buf = self.moving_bufs[slot];
            let current = self.builder.use_var(self.level_ptrs[axis][slot]);
            let next = self
                .builder
                .ins()
                .iadd(current, self.strides[buf.index()][axis]);
            self.builder.def_var(self.level_ptrs[axis][slot], next);
        }
    }

    pub(super) fn current_pointers(&mut self, axis: usize) -> Vec<Value> {
        (0..self.moving_bufs.len())
            .map(|slot| self.builder.use_var(self.level_ptrs[axis][slot]))
            .collect()
    }

    /// Runs `body` only where `condition` (an integer) is nonzero, then continues after it.
    pub(super) fn emit_if_nonzero(&mut self, condition: Value, body: impl FnOnce(&mut Self)) {
        let then_block = self.builder.create_block();
        let after_block = self.builder.create_block();
        self.builder
            .ins()
            .brif(condition, then_block, &[], after_block, &[]);
        self.builder.switch_to_block(then_block);
        body(self);
        self.builder.ins().jump(after_block, &[]);
        self.builder.switch_to_block(after_block);
    }

    /// A do-while loop run `count` times (nothing when 0), counting down so that no loop bound
    /// has to stay live (Cranelift would rematerialize it inside the loop). The body gets the
    /// counter, from `count` down to 1.
    pub(super) fn emit_counted_loop(
        &mut self,
        count: Value,
        mut body: impl FnMut(&mut Self, Value),
    ) {
        let counter = self.builder.declare_var(types::I64);
        self.builder.def_var(counter, count);
        let body_block = self.builder.create_block();
        let exit_block = self.builder.create_block();
        self.builder
            .ins()
            .brif(count, body_block, &[], exit_block, &[]);
        self.builder.switch_to_block(body_block);
        let current = self.builder.use_var(counter);
        body(self, current);
        let current = self.builder.use_var(counter);
        let one = self.iconst(types::I64, 1);
        let next = self.builder.ins().isub(current, one);
        self.builder.def_var(counter, next);
        self.builder
            .ins()
            .brif(next, body_block, &[], exit_block, &[]);
        self.builder.switch_to_block(exit_block);
    }

    /// The loop over `axis` and everything inside it.
    fn emit_axis(&mut self, axis: usize) {
        let kernel = self.kernel;
        let kept_rank = kernel.rank - kernel.reduce_axes;
        if kernel.reduce_axes > 0 && axis == kept_rank {
            self.emit_reduction(axis);
            return;
        }
        if kernel.reduce_axes == 0 && axis == kernel.rank - 1 {
            self.emit_innermost_elementwise(axis);
            return;
        }
        let count = self.axis_count(axis);
        self.init_axis_index(axis);
        self.emit_counted_loop(count, |this, _| {
            this.copy_pointers_inward(axis);
            this.emit_axis(axis + 1);
            this.bump_pointers_by_stride(axis);
            this.advance_axis_index(axis, 1);
        });
    }

    /// `level_ptrs[axis + 1] = level_ptrs[axis]`: an inner loop starts where the outer one is.
    pub(super) fn copy_pointers_inward(&mut self, axis: usize) {
        for slot in 0..self.moving_bufs.len() {
            let current = self.builder.use_var(self.level_ptrs[axis][slot]);
            self.builder
                .def_var(self.level_ptrs[axis + 1][slot], current);
        }
        let inner = axis + 1;
        self.init_axis_index(inner);
    }

    /// The innermost loop of an elementwise kernel: a vector path (two vectors per iteration)
    /// when the buffers are contiguous, then a scalar strided loop for the rest.
    fn emit_innermost_elementwise(&mut self, axis: usize) {
        let count = self.axis_count(axis);
        if axis == 0 {
            self.init_axis_index(axis);
        }
        let remaining = self.builder.declare_var(types::I64);
        self.builder.def_var(remaining, count);
        if let Some(plan) = self.plan {
            let per_iteration = 2 * plan.lanes;
            let vector_block = self.builder.create_block();
            let scalar_block = self.builder.create_block();
            let contiguous = self.contiguous.expect("rank >= 1 has a contiguity flag");
            self.builder
                .ins()
                .brif(contiguous, vector_block, &[], scalar_block, &[]);
            self.builder.switch_to_block(vector_block);
            if self.staged.is_empty() {
                let shift = self.iconst(types::I64, per_iteration.trailing_zeros() as i64);
                let iterations = self.builder.ins().ushr(count, shift);
                self.emit_vector_loop(axis, iterations, per_iteration, |this, pointers| {
                    for part in 0..2 {
                        let values = this.eval_vector_body(pointers, part);
                        this.emit_vector_stores(&values, pointers, part);
                    }
                });
            } else {
                self.emit_staged_vector_path(axis, count);
            }
            let mask = self.iconst(types::I64, per_iteration as i64 - 1);
            let tail = self.builder.ins().band(count, mask);
            self.builder.def_var(remaining, tail);
            self.builder.ins().jump(scalar_block, &[]);
            self.builder.switch_to_block(scalar_block);
        }
        if !self.kernel.funcs.is_empty() {
            self.emit_function_lanes_loop(axis, count, remaining);
        }
        let tail_count = self.builder.use_var(remaining);
        self.emit_counted_loop(tail_count, |this, _| {
            let pointers = this.current_pointers(axis);
            let values = this.eval_scalar_body(&pointers);
            this.emit_scalar_stores(&values, &pointers);
            this.bump_pointers_by_stride(axis);
            this.advance_axis_index(axis, 1);
        });
    }

    /// The main loop of a kernel that calls scalar functions: `FUNCTION_LANES` points per
    /// iteration, applied in lockstep (see `call.rs`), at any strides; leaves the rest of
    /// `count` in `remaining` for the one-point loop.
    fn emit_function_lanes_loop(&mut self, axis: usize, count: Value, remaining: Variable) {
        let shift = self.iconst(types::I64, FUNCTION_LANES.trailing_zeros() as i64);
        let groups = self.builder.ins().ushr(count, shift);
        self.emit_counted_loop(groups, |this, _| {
            let first = this.current_pointers(axis);
            let pointers: Vec<Vec<Value>> = (0..FUNCTION_LANES)
                .map(|lane| {
                    first
                        .iter()
                        .enumerate()
                        .map(|(slot, &pointer)| {
                            let buf = this.moving_bufs[slot];
                            let stride = this.strides[buf.index()][axis];
                            let offset = this.builder.ins().imul_imm_s(stride, lane as i64);
                            this.builder.ins().iadd(pointer, offset)
                        })
                        .collect()
                })
                .collect();
            let values = this.eval_body_lanes(&pointers);
            for (lane, lane_pointers) in pointers.iter().enumerate() {
                let lane_values: Vec<Value> = values.iter().map(|value| value[lane]).collect();
                this.emit_scalar_stores(&lane_values, lane_pointers);
            }
            for _ in 0..FUNCTION_LANES {
                this.bump_pointers_by_stride(axis);
            }
            this.advance_axis_index(axis, FUNCTION_LANES as i64);
        });
        let mask = self.iconst(types::I64, FUNCTION_LANES as i64 - 1);
        let tail = self.builder.ins().band(count, mask);
        self.builder.def_var(remaining, tail);
    }

    pub(super) fn load_scalar(&mut self, dtype: DType, address: Value, offset: i32) -> Value {
        let flags = buffer_flags();
        let loaded = self
            .builder
            .ins()
            .load(scalar_type(dtype), flags, address, offset);
        if dtype == DType::Bool {
            // Any nonzero byte reads as true (as `Scalar::read`).
            let zero = self.iconst(types::I8, 0);
            self.builder.ins().icmp(
                cranelift_codegen::ir::condcodes::IntCC::NotEqual,
                loaded,
                zero,
            )
        } else {
            loaded
        }
    }

    pub(super) fn scalar_const(&mut self, scalar: Scalar) -> Value {
        match scalar {
            Scalar::F32(value) => self.builder.ins().f32const(value),
            Scalar::F64(value) => self.builder.ins().f64const(value),
            other => {
                let bits = other.as_i128().unwrap_or_default() as i64;
                self.iconst(scalar_type(other.dtype()), bits)
            }
        }
    }

    /// The body at one point: one Cranelift value per IR value. `pointers` are the moving
    /// buffers' element addresses (by slot).
    pub(super) fn eval_scalar_body(&mut self, pointers: &[Value]) -> Vec<Value> {
        self.eval_body_lanes(&[pointers.to_vec()])
            .into_iter()
            .map(|lanes| lanes[0])
            .collect()
    }

    /// The body at consecutive points of the innermost axis ("lanes"), computed side by side:
    /// `values[value][lane]`. `pointers[lane]` are the moving buffers' addresses at each point.
    pub(super) fn eval_body_lanes(&mut self, pointers: &[Vec<Value>]) -> Vec<Vec<Value>> {
        let kernel = self.kernel;
        let lanes = pointers.len();
        let mut values: Vec<Vec<Value>> = Vec::with_capacity(kernel.values.len());
        for data in kernel.values.values() {
            let lane_values: Vec<Value> = match &data.inst {
                Inst::Load(buf) => match self.uniform_values[buf.index()] {
                    Some(value) => vec![value; lanes],
                    None => {
                        let slot = self.moving_slot(*buf).expect("non-uniform bufs move");
                        (0..lanes)
                            .map(|lane| self.load_scalar(data.dtype, pointers[lane][slot], 0))
                            .collect()
                    }
                },
                Inst::Const(scalar) => vec![self.scalar_const(*scalar); lanes],
                Inst::AxisIndex(axis) => {
                    let variable = self.axis_index[*axis].expect("declared in the entry");
                    let index = self.builder.use_var(variable);
                    let innermost = *axis == kernel.rank - 1;
                    (0..lanes)
                        .map(|lane| match lane {
                            lane if lane > 0 && innermost => {
                                self.builder.ins().iadd_imm_s(index, lane as i64)
                            }
                            _ => index,
                        })
                        .collect()
                }
                Inst::Call(func, operands) => {
                    let arguments: Vec<Vec<Value>> = (0..lanes)
                        .map(|lane| {
                            operands
                                .iter()
                                .map(|operand| values[operand.index()][lane])
                                .collect()
                        })
                        .collect();
                    self.emit_call(&kernel.funcs[*func], &arguments, None)
                }
                inst => {
                    let operands = inst.operands();
                    let operand_dtypes: Vec<DType> = operands
                        .iter()
                        .map(|operand| kernel.dtype(*operand))
                        .collect();
                    (0..lanes)
                        .map(|lane| {
                            let lane_operands: Vec<Value> = operands
                                .iter()
                                .map(|operand| values[operand.index()][lane])
                                .collect();
                            self.scalar_op(inst, data.dtype, &operand_dtypes, &lane_operands)
                        })
                        .collect()
                }
            };
            values.push(lane_values);
        }
        values
    }

    fn emit_scalar_stores(&mut self, values: &[Value], pointers: &[Value]) {
        for effect in &self.kernel.effects {
            if let Effect::Store { buf, value } = effect {
                let slot = self.moving_slot(*buf).expect("outputs are never uniform");
                self.builder
                    .ins()
                    .store(buffer_flags(), values[value.index()], pointers[slot], 0);
            }
        }
    }

    /// A fresh stack slot of `size` bytes aligned to 16.
    pub(super) fn stack_slot(&mut self, size: usize) -> cranelift_codegen::ir::StackSlot {
        self.builder.create_sized_stack_slot(StackSlotData::new(
            StackSlotKind::ExplicitSlot,
            size as u32,
            4,
        ))
    }
}

fn base_ptrs_by_slot(moving_bufs: &[BufId], base_ptrs: &[Value]) -> Vec<Value> {
    moving_bufs
        .iter()
        .map(|buf| base_ptrs[buf.index()])
        .collect()
}

//! Scalar functions (`ir::ScalarFunc`) inlined at their call, applied to several points
//! ("lanes") at once in lockstep: each IR value becomes one Cranelift value per lane, and the
//! lanes' dependency chains interleave, which is what latency-bound loops (Mandelbrot's) need.
//!
//! Control flow is shared by the lanes and steered by per-lane masks (i8 0/1), as in SPMD code:
//! - `alive`: the lane has not returned; each loop keeps `running` (not broken out) and
//!   `iterating` (not broken, not continued in this iteration); an `if` adds its condition (or
//!   its negation) while its branch is emitted. A lane's mask is the conjunction of these.
//! - Returns write only the lanes of the mask; `break`, `continue` and `return` clear mask
//!   bits; a branch whose mask is empty in every lane is skipped, and a loop ends when no lane
//!   still iterates.
//! - Assignments write only the lanes of the mask where some lane of the current loop iteration
//!   may sit out (inside an `if`, after a `continue`). Elsewhere they write every lane, which
//!   keeps the hot path of loops free of selects: lanes that have returned are dead, and lanes
//!   that have left a loop get the values they had when they left it back after the loop.
//! - Values are computed for every lane, masked or not: operations never trap, and a fallible
//!   operation's status is kept only for the lanes of the mask. After one, if the kernel's
//!   status is not `Ok`, the application ends for all lanes with result 0 (the `ScalarFunc`
//!   rule, applied to the group of points).
//!
//! Code after a statement that ends its list for every lane (`break`, `continue`, `return`,
//! an `if` whose branches all do) is dead and not emitted; there are no jumps out of lists,
//! only mask updates, so every list ends where the next code begins.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, InstBuilder, Value, types};
use cranelift_entity::EntityRef;
use cranelift_frontend::Variable;
use nx_runtime::{DType, Scalar};

use super::function::{Emitter, scalar_type};
use crate::ir::{Inst, ScalarFunc, Stmt, ValueId};

/// The masks of one enclosing loop, per lane, and what it needs to undo for lanes that left it.
struct LoopMasks {
    running: Vec<Variable>,
    iterating: Vec<Variable>,
    /// For each variable the loop assigns: its value per lane when the lane left the loop (or
    /// at the loop's entry, for lanes that never ran it), restored after the loop.
    exit_values: Vec<(usize, Vec<Variable>)>,
    /// Whether a `continue` has been emitted in the body so far: from there on a lane may sit
    /// out the rest of the iteration, and assignments must be masked.
    continued: bool,
}

/// The state of one inlined application to `lanes` points.
struct Inlined<'f> {
    func: &'f ScalarFunc,
    lanes: usize,
    /// `arguments[param][lane]`.
    arguments: Vec<Vec<Value>>,
    /// `values[value][lane]`, once computed.
    values: Vec<Option<Vec<Value>>>,
    /// `vars[var][lane]`.
    vars: Vec<Vec<Variable>>,
    results: Vec<Variable>,
    alive: Vec<Variable>,
    /// How often the body reads each variable.
    reads: Vec<usize>,
    /// Enclosing loops, innermost last.
    loops: Vec<LoopMasks>,
    /// Conditions of the `if` branches entered since the innermost loop (or the body) began.
    conditions: Vec<Vec<Value>>,
    /// In a latch, lanes that continued take part again: the mask uses `running`.
    in_latch: bool,
    /// Where a failed operation goes (created on first use): results 0, then `exit`.
    abort: Option<Block>,
    exit: Block,
}

impl Emitter<'_> {
    /// Emits `func` applied to each lane's arguments (`arguments[lane][param]`) and returns
    /// each lane's result; code generation continues in the block after the application.
    /// Only the lanes of `mask` (i8 0/1 per lane; all of them when `None`) run it: a call
    /// inside a function runs under the caller's mask.
    pub(super) fn emit_call(
        &mut self,
        func: &ScalarFunc,
        arguments: &[Vec<Value>],
        mask: Option<Vec<Value>>,
    ) -> Vec<Value> {
        let lanes = arguments.len();
        let zeroed_lane_vars = |this: &mut Self, dtype: DType| {
            let zero = this.scalar_const(Scalar::zero(dtype));
            (0..lanes)
                .map(|_| {
                    let var = this.builder.declare_var(scalar_type(dtype));
                    this.builder.def_var(var, zero);
                    var
                })
                .collect::<Vec<Variable>>()
        };
        let vars = func
            .vars
            .values()
            .map(|&dtype| zeroed_lane_vars(self, dtype))
            .collect();
        let results = zeroed_lane_vars(self, func.result);
        let one = self.iconst(types::I8, 1);
        let alive = (0..lanes)
            .map(|lane| {
                let var = self.builder.declare_var(types::I8);
                let bit = mask.as_ref().map_or(one, |mask| mask[lane]);
                self.builder.def_var(var, bit);
                var
            })
            .collect();
        let mut reads = vec![0; func.vars.len()];
        read_vars(func, &func.body, &mut reads);
        let mut inlined = Inlined {
            func,
            reads,
            lanes,
            arguments: (0..func.params.len())
                .map(|param| arguments.iter().map(|lane| lane[param]).collect())
                .collect(),
            values: vec![None; func.values.len()],
            vars,
            results,
            alive,
            loops: Vec::new(),
            conditions: Vec::new(),
            in_latch: false,
            abort: None,
            exit: self.builder.create_block(),
        };
        // Control flow is shared by the lanes: whatever ends the body for all of them, the
        // code goes on to the exit here.
        let falls_through = self.emit_stmts(&mut inlined, &func.body);
        debug_assert!(!falls_through, "a verified body ends in a return");
        self.builder.ins().jump(inlined.exit, &[]);
        if let Some(abort) = inlined.abort {
            self.builder.switch_to_block(abort);
            let zero = self.scalar_const(Scalar::zero(func.result));
            for &result in &inlined.results {
                self.builder.def_var(result, zero);
            }
            self.builder.ins().jump(inlined.exit, &[]);
        }
        self.builder.switch_to_block(inlined.exit);
        inlined
            .results
            .iter()
            .map(|&result| self.builder.use_var(result))
            .collect()
    }

    /// Emits a statement list; false when no lane can reach its end.
    fn emit_stmts(&mut self, inlined: &mut Inlined, stmts: &[Stmt]) -> bool {
        for stmt in stmts {
            if !self.emit_stmt(inlined, stmt) {
                return false;
            }
        }
        true
    }

    fn emit_stmt(&mut self, inlined: &mut Inlined, stmt: &Stmt) -> bool {
        match stmt {
            Stmt::Eval(value) => {
                self.emit_func_value(inlined, *value);
                true
            }
            Stmt::Assign(var, value) => {
                let values = inlined.value(*value).to_vec();
                let lane_vars = inlined.vars[var.index()].clone();
                let continued = inlined.loops.last().is_some_and(|masks| masks.continued);
                if inlined.conditions.is_empty() && (inlined.in_latch || !continued) {
                    for (var, value) in lane_vars.into_iter().zip(values) {
                        self.builder.def_var(var, value);
                    }
                } else {
                    let mask = self.lane_mask(inlined);
                    for lane in 0..inlined.lanes {
                        self.assign_masked(lane_vars[lane], mask[lane], values[lane]);
                    }
                }
                true
            }
            Stmt::If { cond, then, else_ } => {
                let cond = inlined.value(*cond).to_vec();
                let negated: Vec<Value> = cond
                    .iter()
                    .map(|&flag| self.builder.ins().bxor_imm_u(flag, 1))
                    .collect();
                let mut falls_through = false;
                for (condition, stmts) in [(cond, then), (negated, else_)] {
                    if stmts.is_empty() {
                        falls_through = true;
                        continue;
                    }
                    inlined.conditions.push(condition);
                    let mask = self.lane_mask(inlined);
                    let any = self.any_lane(&mask);
                    let mut branch_falls_through = true;
                    self.emit_if_nonzero(any, |this| {
                        branch_falls_through = this.emit_stmts(inlined, stmts);
                    });
                    inlined.conditions.pop();
                    falls_through |= branch_falls_through;
                }
                falls_through
            }
            Stmt::Loop { body, latch } => {
                let mask = self.lane_mask(inlined);
                let running: Vec<Variable> = mask
                    .iter()
                    .map(|&bit| {
                        let var = self.builder.declare_var(types::I8);
                        self.builder.def_var(var, bit);
                        var
                    })
                    .collect();
                let iterating: Vec<Variable> = (0..inlined.lanes)
                    .map(|_| self.builder.declare_var(types::I8))
                    .collect();
                // Only variables whose values can be read once a lane has left the loop need
                // them back: those read outside it, or, in a nested loop, read at all (the
                // lane may come back to this loop in the enclosing one's next iteration).
                let mut assigned = Vec::new();
                assigned_vars(body, &mut assigned);
                assigned_vars(latch, &mut assigned);
                let mut read_inside = vec![0usize; inlined.func.vars.len()];
                read_vars(inlined.func, body, &mut read_inside);
                read_vars(inlined.func, latch, &mut read_inside);
                let nested = !inlined.loops.is_empty();
                let exit_values = assigned
                    .into_iter()
                    .filter(|&var| {
                        let reads = inlined.reads[var];
                        reads > 0 && (nested || reads > read_inside[var])
                    })
                    .map(|var| {
                        let copies = (0..inlined.lanes)
                            .map(|lane| {
                                let current = self.builder.use_var(inlined.vars[var][lane]);
                                let dtype = inlined.func.vars.values().nth(var).copied();
                                let copy = self
                                    .builder
                                    .declare_var(scalar_type(dtype.expect("a declared variable")));
                                self.builder.def_var(copy, current);
                                copy
                            })
                            .collect();
                        (var, copies)
                    })
                    .collect();
                let outer_conditions = std::mem::take(&mut inlined.conditions);
                inlined.loops.push(LoopMasks {
                    running,
                    iterating,
                    exit_values,
                    continued: false,
                });
                let header = self.builder.create_block();
                let after = self.builder.create_block();
                self.builder.ins().jump(header, &[]);
                self.builder.switch_to_block(header);
                // A lane iterates while it is running and alive (a return inside ends it).
                let mut iterating_bits = Vec::with_capacity(inlined.lanes);
                for lane in 0..inlined.lanes {
                    let masks = inlined.loops.last().expect("pushed above");
                    let running = self.builder.use_var(masks.running[lane]);
                    let alive = self.builder.use_var(inlined.alive[lane]);
                    let bit = self.builder.ins().band(running, alive);
                    self.builder.def_var(masks.running[lane], bit);
                    self.builder.def_var(masks.iterating[lane], bit);
                    iterating_bits.push(bit);
                }
                let any = self.any_lane(&iterating_bits);
                let body_block = self.builder.create_block();
                self.builder.ins().brif(any, body_block, &[], after, &[]);
                self.builder.switch_to_block(body_block);
                self.emit_stmts(inlined, body);
                inlined.in_latch = true;
                let latch_falls_through = self.emit_stmts(inlined, latch);
                debug_assert!(
                    latch_falls_through,
                    "a latch has no break, continue or return"
                );
                inlined.in_latch = false;
                self.builder.ins().jump(header, &[]);
                self.builder.switch_to_block(after);
                let masks = inlined.loops.pop().expect("pushed above");
                for (var, copies) in masks.exit_values {
                    for (lane, copy) in copies.into_iter().enumerate() {
                        let value = self.builder.use_var(copy);
                        self.builder.def_var(inlined.vars[var][lane], value);
                    }
                }
                inlined.conditions = outer_conditions;
                true
            }
            Stmt::Break | Stmt::Continue => {
                let mask = self.lane_mask(inlined);
                let masks = inlined
                    .loops
                    .last_mut()
                    .expect("break or continue inside a loop");
                let mut cleared = vec![&masks.iterating];
                if matches!(stmt, Stmt::Break) {
                    cleared.push(&masks.running);
                    for (var, copies) in &masks.exit_values {
                        for lane in 0..inlined.lanes {
                            let current = self.builder.use_var(inlined.vars[*var][lane]);
                            self.assign_masked(copies[lane], mask[lane], current);
                        }
                    }
                } else {
                    masks.continued = true;
                }
                for vars in cleared {
                    for lane in 0..inlined.lanes {
                        self.clear_masked(vars[lane], mask[lane]);
                    }
                }
                false
            }
            Stmt::Return(value) => {
                let mask = self.lane_mask(inlined);
                let values = inlined.value(*value).to_vec();
                for lane in 0..inlined.lanes {
                    self.assign_masked(inlined.results[lane], mask[lane], values[lane]);
                    self.clear_masked(inlined.alive[lane], mask[lane]);
                }
                false
            }
        }
    }

    /// Each lane's mask at the current statement.
    fn lane_mask(&mut self, inlined: &Inlined) -> Vec<Value> {
        (0..inlined.lanes)
            .map(|lane| {
                let mut mask = self.builder.use_var(inlined.alive[lane]);
                if let Some(masks) = inlined.loops.last() {
                    let innermost = if inlined.in_latch {
                        masks.running[lane]
                    } else {
                        masks.iterating[lane]
                    };
                    let bit = self.builder.use_var(innermost);
                    mask = self.builder.ins().band(mask, bit);
                }
                for condition in &inlined.conditions {
                    mask = self.builder.ins().band(mask, condition[lane]);
                }
                mask
            })
            .collect()
    }

    /// Nonzero when some lane's bit is set.
    fn any_lane(&mut self, bits: &[Value]) -> Value {
        let mut any = bits[0];
        for &bit in &bits[1..] {
            any = self.builder.ins().bor(any, bit);
        }
        any
    }

    /// `var = mask ? value : var`.
    fn assign_masked(&mut self, var: Variable, mask: Value, value: Value) {
        let current = self.builder.use_var(var);
        let chosen = self.builder.ins().select(mask, value, current);
        self.builder.def_var(var, chosen);
    }

    /// `var &= !mask` on an i8 mask variable.
    fn clear_masked(&mut self, var: Variable, mask: Value) {
        let current = self.builder.use_var(var);
        let kept = self.builder.ins().bxor_imm_u(mask, 1);
        let cleared = self.builder.ins().band(current, kept);
        self.builder.def_var(var, cleared);
    }

    /// Computes one value of the function in every lane.
    fn emit_func_value(&mut self, inlined: &mut Inlined, value: ValueId) {
        let data = &inlined.func.values[value];
        let lanes = inlined.lanes;
        let computed: Vec<Value> = match &data.inst {
            Inst::Param(index) => inlined.arguments[*index].clone(),
            Inst::ReadVar(var) => inlined.vars[var.index()]
                .iter()
                .map(|&lane_var| self.builder.use_var(lane_var))
                .collect(),
            Inst::Const(scalar) => {
                let constant = self.scalar_const(*scalar);
                vec![constant; lanes]
            }
            Inst::Load(buf) => {
                let uniform = self.uniform_values[buf.index()]
                    .expect("a verified function loads uniform inputs only");
                vec![uniform; lanes]
            }
            Inst::Call(func, operands) => {
                let arguments: Vec<Vec<Value>> = (0..lanes)
                    .map(|lane| {
                        operands
                            .iter()
                            .map(|operand| inlined.value(*operand)[lane])
                            .collect()
                    })
                    .collect();
                let kernel = self.kernel;
                let mask = self.lane_mask(inlined);
                self.emit_call(&kernel.funcs[*func], &arguments, Some(mask))
            }
            inst => {
                let operands = inst.operands();
                let operand_dtypes: Vec<DType> = operands
                    .iter()
                    .map(|operand| inlined.func.values[*operand].dtype)
                    .collect();
                let fallible = inst.is_fallible(operand_dtypes[0]);
                let lane_masks: Vec<Option<Value>> = if fallible {
                    self.lane_mask(inlined).into_iter().map(Some).collect()
                } else {
                    vec![None; lanes]
                };
                let mut results = Vec::with_capacity(lanes);
                for (lane, lane_mask) in lane_masks.into_iter().enumerate() {
                    let lane_operands: Vec<Value> = operands
                        .iter()
                        .map(|operand| inlined.value(*operand)[lane])
                        .collect();
                    let before = self.builder.use_var(self.status);
                    results.push(self.scalar_op(inst, data.dtype, &operand_dtypes, &lane_operands));
                    if let Some(lane_mask) = lane_mask {
                        // A lane outside the mask does not run this operation: keep its status.
                        let after = self.builder.use_var(self.status);
                        let kept = self.builder.ins().select(lane_mask, after, before);
                        self.builder.def_var(self.status, kept);
                    }
                }
                if fallible {
                    let status = self.builder.use_var(self.status);
                    let failed = self.builder.ins().icmp_imm_s(IntCC::NotEqual, status, 0);
                    let abort = *inlined
                        .abort
                        .get_or_insert_with(|| self.builder.create_block());
                    let next = self.builder.create_block();
                    self.builder.ins().brif(failed, abort, &[], next, &[]);
                    self.builder.switch_to_block(next);
                }
                results
            }
        };
        inlined.values[value.index()] = Some(computed);
    }
}

/// Counts the variable reads (`ReadVar` values computed) in a statement list, nested
/// statements included.
fn read_vars(func: &ScalarFunc, stmts: &[Stmt], counts: &mut [usize]) {
    for stmt in stmts {
        match stmt {
            Stmt::Eval(value) => {
                if let Inst::ReadVar(var) = func.values[*value].inst {
                    counts[var.index()] += 1;
                }
            }
            Stmt::If { then, else_, .. } => {
                read_vars(func, then, counts);
                read_vars(func, else_, counts);
            }
            Stmt::Loop { body, latch } => {
                read_vars(func, body, counts);
                read_vars(func, latch, counts);
            }
            _ => {}
        }
    }
}

/// The variables a statement list assigns, nested statements included (each once).
fn assigned_vars(stmts: &[Stmt], vars: &mut Vec<usize>) {
    for stmt in stmts {
        match stmt {
            Stmt::Assign(var, _) if !vars.contains(&var.index()) => vars.push(var.index()),
            Stmt::If { then, else_, .. } => {
                assigned_vars(then, vars);
                assigned_vars(else_, vars);
            }
            Stmt::Loop { body, latch } => {
                assigned_vars(body, vars);
                assigned_vars(latch, vars);
            }
            _ => {}
        }
    }
}

impl Inlined<'_> {
    fn value(&self, value: ValueId) -> &[Value] {
        self.values[value.index()]
            .as_deref()
            .expect("a verified function computes values before use")
    }
}

//! Elementwise function calls (spec §7) to loop IR: the called function's body becomes a
//! `ScalarFunc` with structured control flow, applied per point by one kernel over the
//! broadcast of the arguments. Functions it calls on scalars become scalar functions too;
//! rank-0 globals it reads become uniform inputs of the kernel.
//!
//! Bodies that use what a scalar function cannot express (arrays, printing, asserts, indexing,
//! run-time checked conversions of weak integers, a `for` with a run-time step) are not
//! lowered: `elementwise_call_kernel` says why, and the executor applies the function per
//! element with the reference semantics instead.

use std::borrow::Borrow;
use std::collections::HashMap;

use cranelift_entity::PrimaryMap;
use nx_runtime::{DType, Scalar};

use super::{KernelBuilder, Leaf, ValueSink, is_elementwise, lower_elementwise};
use crate::ir::{
    BinaryOp, BufId, FuncId, Inst, Kernel, ScalarFunc, Stmt, ValueData, ValueId, VarId,
};
use crate::types::hir::{self, Block, Expr, ExprKind, FnInstId, FnInstance, StmtKind, VarRef};

/// The kernel applying an `ExprKind::ElementwiseCall` to every point of the broadcast of its
/// arguments, whose leaves are the call's arguments (in order) and the globals the function
/// reads; or why the function cannot be compiled.
pub fn elementwise_call_kernel<'e, F: Borrow<FnInstance>>(
    name: &str,
    expr: &'e Expr,
    functions: &'e [F],
) -> Result<(Kernel, Vec<Leaf<'e>>), String> {
    let ExprKind::ElementwiseCall { func, args, .. } = &expr.kind else {
        unreachable!("elementwise_call_kernel takes an elementwise call");
    };
    let mut builder = KernelBuilder::new(name, expr.ty.rank(), true);
    let instance = functions[func.0 as usize].borrow();
    let mut operands = Vec::with_capacity(args.len());
    for (arg, param) in args.iter().zip(&instance.params) {
        if !param.is_scalar() {
            return Err(format!(
                "`{}` takes an array argument ({param})",
                instance.name
            ));
        }
        let loaded = builder.input(Leaf::Expr(arg));
        operands.push(builder.cast(loaded, param.dtype));
    }
    let mut lowering = Lowering {
        functions,
        builder,
        lowered: HashMap::new(),
        globals: HashMap::new(),
    };
    let callee = lowering.function(*func)?;
    let result = lowering.kernel().funcs[callee].result;
    let value = lowering.builder.push(Inst::Call(callee, operands), result);
    Ok(lowering.builder.finish_store(value, expr.ty.dtype))
}

struct Lowering<'e, F> {
    functions: &'e [F],
    builder: KernelBuilder<'e>,
    /// Function instances already lowered (`None` while being lowered: a cycle).
    lowered: HashMap<u32, Option<FuncId>>,
    /// Global slots read, as uniform input buffers.
    globals: HashMap<u32, BufId>,
}

impl<'e, F: Borrow<FnInstance>> Lowering<'e, F> {
    fn kernel(&mut self) -> &mut Kernel {
        &mut self.builder.kernel
    }

    /// The scalar function of an instance, lowering it (and what it calls) on first use.
    fn function(&mut self, id: FnInstId) -> Result<FuncId, String> {
        match self.lowered.get(&id.0) {
            Some(Some(func)) => return Ok(*func),
            Some(None) => return Err("the function is recursive".to_string()),
            None => {}
        }
        self.lowered.insert(id.0, None);
        let functions = self.functions;
        let instance: &'e FnInstance = functions[id.0 as usize].borrow();
        let Some(result) = &instance.result else {
            return Err(format!("`{}` returns nothing", instance.name));
        };
        let mut params = Vec::with_capacity(instance.params.len());
        for param in &instance.params {
            if !param.is_scalar() {
                return Err(format!("`{}` takes an array ({param})", instance.name));
            }
            params.push(param.dtype);
        }
        let mut body = FuncBody {
            lowering: self,
            func: ScalarFunc {
                name: instance.name.clone(),
                params: params.clone(),
                result: result.dtype,
                vars: PrimaryMap::new(),
                values: PrimaryMap::new(),
                body: Vec::new(),
            },
            lists: vec![Vec::new()],
            locals: HashMap::new(),
        };
        for (index, dtype) in params.iter().enumerate() {
            let argument = body.push(Inst::Param(index), *dtype);
            let var = body.local(index as u32, *dtype);
            body.emit(Stmt::Assign(var, argument));
        }
        let value = body.block(&instance.body)?;
        let returned = match value {
            Some(value) => body.cast(value, result.dtype),
            // Only reachable when every path returned early; keeps the body well formed.
            None => body.constant(Scalar::zero(result.dtype)),
        };
        body.emit(Stmt::Return(returned));
        let mut func = body.func;
        func.body = body.lists.pop().expect("the body's list");
        let id_in_kernel = self.kernel().funcs.push(func);
        self.lowered.insert(id.0, Some(id_in_kernel));
        Ok(id_in_kernel)
    }

    /// The uniform input buffer holding a rank-0 global.
    fn global(&mut self, slot: u32, expr: &'e Expr) -> BufId {
        if let Some(buf) = self.globals.get(&slot) {
            return *buf;
        }
        let loaded = self.builder.input(Leaf::Expr(expr));
        let Inst::Load(buf) = self.builder.kernel.values[loaded].inst else {
            unreachable!("an input is a load");
        };
        self.globals.insert(slot, buf);
        buf
    }
}

/// One function body being lowered: its values and variables, and the statement lists being
/// filled (innermost last).
struct FuncBody<'l, 'e, F> {
    lowering: &'l mut Lowering<'e, F>,
    func: ScalarFunc,
    lists: Vec<Vec<Stmt>>,
    /// Local slots of the HIR function and their variables.
    locals: HashMap<u32, VarId>,
}

impl<F: Borrow<FnInstance>> ValueSink for FuncBody<'_, '_, F> {
    /// Values are computed where they are created.
    fn push(&mut self, inst: Inst, dtype: DType) -> ValueId {
        let value = self.func.values.push(ValueData { inst, dtype });
        self.emit(Stmt::Eval(value));
        value
    }

    fn value_dtype(&self, value: ValueId) -> DType {
        self.func.values[value].dtype
    }

    fn inst(&self, value: ValueId) -> &Inst {
        &self.func.values[value].inst
    }
}

type Lowered<T> = Result<T, String>;

impl<'e, F: Borrow<FnInstance>> FuncBody<'_, 'e, F> {
    fn emit(&mut self, stmt: Stmt) {
        self.lists.last_mut().expect("a list is open").push(stmt);
    }

    /// Lowers `fill` into a fresh statement list and returns it.
    fn nested(&mut self, fill: impl FnOnce(&mut Self) -> Lowered<()>) -> Lowered<Vec<Stmt>> {
        self.lists.push(Vec::new());
        let filled = fill(self);
        let list = self.lists.pop().expect("pushed above");
        filled.map(|()| list)
    }

    fn local(&mut self, slot: u32, dtype: DType) -> VarId {
        *self
            .locals
            .entry(slot)
            .or_insert_with(|| self.func.vars.push(dtype))
    }

    fn temporary(&mut self, dtype: DType) -> VarId {
        self.func.vars.push(dtype)
    }

    fn read(&mut self, var: VarId) -> ValueId {
        let dtype = self.func.vars[var];
        self.push(Inst::ReadVar(var), dtype)
    }

    /// Lowers a block's statements; its value, if it has one.
    fn block(&mut self, block: &'e Block) -> Lowered<Option<ValueId>> {
        for stmt in &block.stmts {
            self.stmt(stmt)?;
        }
        block
            .value
            .as_deref()
            .map(|value| self.expr(value))
            .transpose()
    }

    /// A block whose value is assigned to `target` (converted to its dtype) at its end.
    fn block_into(&mut self, block: &'e Block, target: VarId) -> Lowered<Vec<Stmt>> {
        self.nested(|this| {
            if let Some(value) = this.block(block)? {
                let value = this.cast(value, this.func.vars[target]);
                this.emit(Stmt::Assign(target, value));
            }
            Ok(())
        })
    }

    fn stmt(&mut self, stmt: &'e hir::Stmt) -> Lowered<()> {
        match &stmt.kind {
            StmtKind::Assign {
                var: VarRef::Local(slot),
                value,
            } => {
                let lowered = self.expr(value)?;
                let var = self.local(*slot, value.ty.dtype);
                let lowered = self.cast(lowered, self.func.vars[var]);
                self.emit(Stmt::Assign(var, lowered));
            }
            StmtKind::Expr { value, .. } => {
                self.expr(value)?;
            }
            StmtKind::ForRange {
                var: VarRef::Local(slot),
                start,
                end,
                step,
                body,
            } => self.for_range(*slot, start, end, step.as_deref(), body)?,
            StmtKind::While { cond, body } => {
                let body = self.nested(|this| {
                    let cond = this.expr(cond)?;
                    this.emit(Stmt::If {
                        cond,
                        then: Vec::new(),
                        else_: vec![Stmt::Break],
                    });
                    this.block(body).map(|_| ())
                })?;
                self.emit(Stmt::Loop {
                    body,
                    latch: Vec::new(),
                });
            }
            StmtKind::If { cond, then, else_ } => {
                let cond = self.expr(cond)?;
                let then = self.nested(|this| this.block(then).map(|_| ()))?;
                let else_ = match else_ {
                    Some(block) => self.nested(|this| this.block(block).map(|_| ()))?,
                    None => Vec::new(),
                };
                self.emit(Stmt::If { cond, then, else_ });
            }
            StmtKind::Break => self.emit(Stmt::Break),
            StmtKind::Continue => self.emit(Stmt::Continue),
            StmtKind::Return(Some(value)) => {
                let lowered = self.expr(value)?;
                let lowered = self.cast(lowered, self.func.result);
                self.emit(Stmt::Return(lowered));
            }
            StmtKind::Block(block) => {
                self.block(block)?;
            }
            StmtKind::Assign { .. } | StmtKind::ForRange { .. } => {
                return Err("it assigns a global".to_string());
            }
            StmtKind::AssignIndex { .. } => return Err("it assigns into an array".to_string()),
            StmtKind::RowBlocked(_) | StmtKind::SiblingReductions(_) => {
                return Err("it computes arrays".to_string());
            }
            StmtKind::ForArray { .. } => return Err("it iterates over an array".to_string()),
            StmtKind::Return(None) => return Err("it returns nothing".to_string()),
            StmtKind::Assert { .. } => return Err("it asserts".to_string()),
            StmtKind::Print(_) => return Err("it prints".to_string()),
            StmtKind::Call { .. } => {
                return Err("it calls a function that returns nothing".to_string());
            }
        }
        Ok(())
    }

    /// `for i in start..end..step` with a constant step: a hidden counter runs from `start`
    /// while it has not passed `end` (both evaluated once), `i` takes its value at the top of
    /// each iteration, and the latch advances it, stopping (as the executor does) rather than
    /// wrapping around when the addition overflows.
    fn for_range(
        &mut self,
        slot: u32,
        start: &'e Expr,
        end: &'e Expr,
        step: Option<&'e Expr>,
        body: &'e Block,
    ) -> Lowered<()> {
        let step = match step {
            None => 1,
            Some(step) => match constant_i64(step) {
                Some(step) if step != 0 => step,
                _ => return Err("its `for` step is not a nonzero constant".to_string()),
            },
        };
        let start = self.expr(start)?;
        let start = self.cast(start, DType::I64);
        let end = self.expr(end)?;
        let end = self.cast(end, DType::I64);
        let counter = self.temporary(DType::I64);
        self.emit(Stmt::Assign(counter, start));
        let (continues, wrapped) = if step > 0 {
            (BinaryOp::Lt, BinaryOp::Lt)
        } else {
            (BinaryOp::Gt, BinaryOp::Gt)
        };
        let loop_var = self.local(slot, DType::I64);
        let body = self.nested(|this| {
            let current = this.read(counter);
            let more = this.binary(continues, current, end, DType::Bool);
            this.emit(Stmt::If {
                cond: more,
                then: Vec::new(),
                else_: vec![Stmt::Break],
            });
            this.emit(Stmt::Assign(loop_var, current));
            this.block(body).map(|_| ())
        })?;
        let latch = self.nested(|this| {
            let current = this.read(counter);
            let step = this.constant(Scalar::I64(step));
            let next = this.binary(BinaryOp::Add, current, step, DType::I64);
            let overflowed = this.binary(wrapped, next, current, DType::Bool);
            let next = this.push(Inst::Select(overflowed, end, next), DType::I64);
            this.emit(Stmt::Assign(counter, next));
            Ok(())
        })?;
        self.emit(Stmt::Loop { body, latch });
        Ok(())
    }

    fn expr(&mut self, expr: &'e Expr) -> Lowered<ValueId> {
        if !expr.ty.is_scalar() {
            return Err(format!("it computes an array ({})", expr.ty));
        }
        if is_elementwise(expr) {
            return lower_elementwise(self, expr, |this, operand| this.expr(operand));
        }
        match &expr.kind {
            ExprKind::Var(VarRef::Local(slot)) => {
                let var = self.local(*slot, expr.ty.dtype);
                Ok(self.read(var))
            }
            ExprKind::Var(VarRef::Global(slot)) => {
                let buf = self.lowering.global(*slot, expr);
                Ok(self.push(Inst::Load(buf), expr.ty.dtype))
            }
            ExprKind::Logical { and, lhs, rhs } => self.short_circuit(*and, lhs, rhs),
            ExprKind::Call { func, args } => {
                let callee = self.lowering.function(*func)?;
                let params = self.lowering.kernel().funcs[callee].params.clone();
                let mut operands = Vec::with_capacity(args.len());
                for (arg, dtype) in args.iter().zip(params) {
                    let value = self.expr(arg)?;
                    operands.push(self.cast(value, dtype));
                }
                let result = self.lowering.kernel().funcs[callee].result;
                let value = self.push(Inst::Call(callee, operands), result);
                Ok(self.cast(value, expr.ty.dtype))
            }
            ExprKind::If { cond, then, else_ } => {
                let cond = self.expr(cond)?;
                let target = self.temporary(expr.ty.dtype);
                let then = self.block_into(then, target)?;
                let else_ = self.block_into(else_, target)?;
                self.emit(Stmt::If { cond, then, else_ });
                Ok(self.read(target))
            }
            ExprKind::Block(block) => {
                let target = self.temporary(expr.ty.dtype);
                let list = self.block_into(block, target)?;
                self.lists.last_mut().expect("a list is open").extend(list);
                Ok(self.read(target))
            }
            ExprKind::AdoptWeak(_) => {
                Err("it converts a weak integer with a run-time range check".to_string())
            }
            _ => Err("it uses an operation that needs arrays or the executor".to_string()),
        }
    }

    /// Rank-0 `and`/`or`. A right side that cannot fail is computed unconditionally (a plain
    /// bool operation, no branch); otherwise it runs only when the left side does not decide.
    fn short_circuit(&mut self, and: bool, lhs: &'e Expr, rhs: &'e Expr) -> Lowered<ValueId> {
        let op = if and { BinaryOp::And } else { BinaryOp::Or };
        let left = self.expr(lhs)?;
        if cannot_fail(rhs) {
            let right = self.expr(rhs)?;
            return Ok(self.binary(op, left, right, DType::Bool));
        }
        let target = self.temporary(DType::Bool);
        self.emit(Stmt::Assign(target, left));
        let evaluate_right = self.nested(|this| {
            let right = this.expr(rhs)?;
            this.emit(Stmt::Assign(target, right));
            Ok(())
        })?;
        let (then, else_) = if and {
            (evaluate_right, Vec::new())
        } else {
            (Vec::new(), evaluate_right)
        };
        self.emit(Stmt::If {
            cond: left,
            then,
            else_,
        });
        Ok(self.read(target))
    }
}

/// An expression made only of reads and elementwise operations that cannot fail (no integer
/// `//`, `%`, `**`, no calls): computing it needlessly changes nothing.
fn cannot_fail(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Const(_) | ExprKind::Var(_) => true,
        ExprKind::Unary(_, a) | ExprKind::Cast(a) => cannot_fail(a),
        ExprKind::Binary(op, a, b) => {
            let fallible = matches!(op, BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow)
                && !a.ty.dtype.is_float();
            !fallible && cannot_fail(a) && cannot_fail(b)
        }
        ExprKind::Logical { lhs, rhs, .. } => cannot_fail(lhs) && cannot_fail(rhs),
        ExprKind::Math(_, args) => args.iter().all(cannot_fail),
        ExprKind::Where(c, a, b) => cannot_fail(c) && cannot_fail(a) && cannot_fail(b),
        _ => false,
    }
}

/// The value of an integer constant expression (a literal, possibly negated).
fn constant_i64(expr: &Expr) -> Option<i64> {
    match &expr.kind {
        ExprKind::Const(value) => value.as_i128().and_then(|v| i64::try_from(v).ok()),
        ExprKind::Unary(crate::ir::UnaryOp::Neg, inner) => constant_i64(inner)?.checked_neg(),
        ExprKind::Cast(inner) => constant_i64(inner),
        _ => None,
    }
}

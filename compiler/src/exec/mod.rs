//! The executor: runs a typed program statement by statement. Rank-0 work is evaluated directly
//! with the scalar semantics of `ir::interp`; array work is lowered (`lower/`) to kernels that
//! the JIT (`codegen/`) compiles once and caches. This module is the one place that turns
//! arrays into `BufView`s for kernel launches, so it owns the bounds invariant of every launch.

mod creation;
mod in_place;
mod indexing;
mod launch;
mod library;
mod linalg;
mod npy;
mod order;
mod parallel;
mod random;
mod row_blocks;
mod shape;
mod sibling_reductions;
pub mod timing;
pub mod value;

use std::io::Write;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Instant;

use crate::codegen::Jit;
use crate::diagnostics::{Diagnostic, Span};
use crate::ir::BinaryOp;
use crate::ir::interp;
use crate::lower;
use crate::types::hir::{
    Block, Creation, Expr, ExprKind, FnInstId, FnInstance, IndexItem, Program, Reduction, Stmt,
    StmtKind, VarRef,
};
use nx_runtime::{AllocError, Array, DType, Scalar, Workers};
pub use value::Value;

/// A run-time failure at a span of the program (spec §10).
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeError {
    pub span: Span,
    pub message: String,
    /// A failure of nx itself (e.g. code generation), not of the program.
    pub internal: bool,
}

impl RuntimeError {
    pub fn new(span: Span, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            span,
            message: message.into(),
            internal: false,
        }
    }

    pub fn internal(span: Span, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            span,
            message: format!("internal compiler error: {}", message.into()),
            internal: true,
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::runtime(self.span, self.message.clone())
    }
}

pub type ExecResult<T> = Result<T, RuntimeError>;

fn alloc_error(span: Span) -> impl Fn(AllocError) -> RuntimeError {
    move |err| RuntimeError::new(span, err.to_string())
}

/// How a statement ended.
enum Flow {
    Normal,
    Break,
    Continue,
    Return(Option<Value>),
}

/// Options of one executor, passed as values (no globals).
#[derive(Clone, Debug)]
pub struct ExecOptions {
    /// Fuse elementwise trees and reductions into single kernels (off: `--no-fuse`).
    pub fuse: bool,
    /// Run kernels in the reference interpreter instead of JIT-compiling them: slow, and the
    /// oracle that differential tests compare the JIT against.
    pub reference_interpreter: bool,
    /// Restore every global when a top-level statement fails (the REPL's guarantee).
    pub rollback: bool,
    /// Run an elementwise function call as one kernel with the function inlined (off: one
    /// reference-semantics call per element, the oracle the kernels are tested against).
    pub function_kernels: bool,
    /// Threads that large kernel launches (`exec/parallel.rs`) and library kernels (the float
    /// matrix products) split their work over (`--threads`, default one per core). Results do
    /// not depend on it.
    pub threads: NonZeroUsize,
    /// The size of one block of the widest input, per thread, when a row group
    /// (`lower::block_rows`) runs by blocks of rows.
    pub row_block_bytes: NonZeroUsize,
}

impl Default for ExecOptions {
    fn default() -> ExecOptions {
        ExecOptions {
            fuse: true,
            reference_interpreter: false,
            rollback: true,
            function_kernels: true,
            threads: Workers::default_count(),
            row_block_bytes: row_blocks::DEFAULT_BLOCK_BYTES,
        }
    }
}

pub struct Executor {
    globals: Vec<Option<Value>>,
    /// Local frames of the function instances being run, innermost last.
    frames: Vec<Vec<Option<Value>>>,
    /// Shared, so a call does not copy the function's body.
    functions: Vec<Arc<FnInstance>>,
    pub(crate) jit: Jit,
    pub options: ExecOptions,
    /// The threads of `options.threads`, started on first use; see `Executor::workers`.
    workers: Workers,
    /// Per-kernel timings, collected when enabled (`--time`).
    pub timings: timing::Timings,
    /// Scratch arrays kernels overwrite, reused (`Executor::scratch`).
    scratch: std::collections::HashMap<(DType, Vec<usize>), Array>,
    out: Box<dyn Write + Send>,
    epoch: Instant,
}

impl Executor {
    pub fn new(out: Box<dyn Write + Send>) -> Result<Executor, String> {
        let jit = Jit::new().map_err(|err| err.to_string())?;
        Ok(Executor {
            globals: Vec::new(),
            frames: Vec::new(),
            functions: Vec::new(),
            jit,
            options: ExecOptions::default(),
            workers: Workers::new(NonZeroUsize::MIN),
            timings: timing::Timings::default(),
            scratch: std::collections::HashMap::new(),
            out,
            epoch: Instant::now(),
        })
    }

    /// Runs the work that is split over threads on the host's `pool` from now on, with as
    /// many threads as it has (until `options.threads` is set to another count).
    pub fn use_thread_pool(&mut self, pool: std::sync::Arc<rayon::ThreadPool>) {
        self.workers = Workers::with_pool(pool);
        self.options.threads = self.workers.count();
    }

    /// The worker threads for library kernels: `options.threads` of them, a fresh set (whose
    /// pool starts on first use) if that count changed since the last call.
    pub(super) fn workers(&mut self) -> &Workers {
        if self.workers.count() != self.options.threads {
            self.workers = Workers::new(self.options.threads);
        }
        &self.workers
    }

    /// The value of a global slot, if it has been set.
    pub fn global(&self, slot: u32) -> Option<&Value> {
        self.globals.get(slot as usize).and_then(|v| v.as_ref())
    }

    pub fn set_global(&mut self, slot: u32, value: Value) {
        let slot = slot as usize;
        if self.globals.len() <= slot {
            self.globals.resize(slot + 1, None);
        }
        self.globals[slot] = Some(value);
    }

    /// The Cranelift IR the JIT generates for a kernel (`nx ir --clif`).
    pub fn clif_text(&mut self, kernel: &crate::ir::Kernel) -> Result<String, String> {
        self.jit.clif_text(kernel).map_err(|err| err.to_string())
    }

    /// JIT-compiles a kernel into this executor's cache without running it, so that a later
    /// launch of the same kernel finds it compiled (the embedding API's compile-only entry).
    pub fn compile_kernel(&mut self, kernel: &crate::ir::Kernel) -> Result<(), String> {
        self.jit
            .compile(kernel)
            .map(|_| ())
            .map_err(|err| err.to_string())
    }

    /// Snapshot of all global values, for rolling back a failed REPL statement.
    pub fn snapshot(&self) -> Vec<Option<Value>> {
        self.globals.clone()
    }

    pub fn restore(&mut self, snapshot: Vec<Option<Value>>) {
        self.globals = snapshot;
    }

    /// Runs a checked program. Top-level expression statements marked `show` are written to
    /// the output as `value : type`. A failing statement leaves the globals as they were before
    /// it; the error comes with the index of that top-level statement.
    pub fn run(&mut self, program: &Program) -> Result<(), (usize, RuntimeError)> {
        self.functions = program.functions.iter().cloned().map(Arc::new).collect();
        if self.globals.len() < program.n_globals as usize {
            self.globals.resize(program.n_globals as usize, None);
        }
        for (index, stmt) in program.stmts.iter().enumerate() {
            // The snapshot holds a reference to every buffer, which makes the statement's first
            // in-place write copy; only the REPL needs it (a script stops at its first error).
            let before = self.options.rollback.then(|| self.snapshot());
            self.frames.clear();
            if let Err(err) = self.exec_stmt(stmt) {
                if let Some(before) = before {
                    self.restore(before);
                }
                let _ = self.out.flush();
                return Err((index, err));
            }
        }
        let _ = self.out.flush();
        Ok(())
    }

    /// Evaluates one expression of a checked program fragment (for the embedding API).
    pub fn eval_expr(&mut self, program: &Program, expr: &Expr) -> ExecResult<Value> {
        self.functions = program.functions.iter().cloned().map(Arc::new).collect();
        if self.globals.len() < program.n_globals as usize {
            self.globals.resize(program.n_globals as usize, None);
        }
        self.frames.clear();
        self.eval(expr)
    }

    fn write_line(&mut self, span: Span, line: &str) -> ExecResult<()> {
        writeln!(self.out, "{line}")
            .map_err(|err| RuntimeError::new(span, format!("cannot write output: {err}")))
    }

    // ---- statements -------------------------------------------------------------------------

    fn exec_block(&mut self, block: &Block) -> ExecResult<(Flow, Option<Value>)> {
        for stmt in &block.stmts {
            match self.exec_stmt(stmt)? {
                Flow::Normal => {}
                flow => return Ok((flow, None)),
            }
        }
        match &block.value {
            Some(expr) => Ok((Flow::Normal, Some(self.eval(expr)?))),
            None => Ok((Flow::Normal, None)),
        }
    }

    fn exec_stmt(&mut self, stmt: &Stmt) -> ExecResult<Flow> {
        match &stmt.kind {
            StmtKind::Assign { var, value } => {
                let value = if lower::is_elementwise(value) && !value.ty.is_scalar() {
                    self.launch_elementwise_reusing(value, Some(*var))?
                } else {
                    self.eval(value)?
                };
                self.store(*var, value);
            }
            StmtKind::AssignIndex { var, items, value } => {
                let basic = items
                    .iter()
                    .all(|item| !matches!(item, IndexItem::Mask(_) | IndexItem::Gather(_)));
                if basic && lower::is_elementwise(value) && !value.ty.is_scalar() {
                    self.assign_elementwise(*var, items, value, stmt.span)?;
                } else {
                    let value = self.eval(value)?;
                    self.assign_index(*var, items, value, stmt.span)?;
                }
            }
            StmtKind::Expr { value, show } => {
                let result = self.eval_for_effect(value)?;
                if *show && let Some(result) = result {
                    let line = format!("{} : {}", result.format(), result.type_name());
                    self.write_line(stmt.span, &line)?;
                }
            }
            StmtKind::Print(args) => {
                let mut parts = Vec::with_capacity(args.len());
                for arg in args {
                    match &arg.kind {
                        ExprKind::Str(text) => parts.push(text.clone()),
                        _ => parts.push(self.eval(arg)?.format()),
                    }
                }
                self.write_line(stmt.span, &parts.join(" "))?;
            }
            StmtKind::ForRange {
                var,
                start,
                end,
                step,
                body,
            } => {
                let start = self.eval(start)?.scalar().as_i128().unwrap_or(0) as i64;
                let end = self.eval(end)?.scalar().as_i128().unwrap_or(0) as i64;
                let step = match step {
                    Some(step_expr) => {
                        let step = self.eval(step_expr)?.scalar().as_i128().unwrap_or(0) as i64;
                        if step == 0 {
                            return Err(RuntimeError::new(
                                step_expr.span,
                                "range step must not be zero",
                            ));
                        }
                        step
                    }
                    None => 1,
                };
                let mut i = start;
                while (step > 0 && i < end) || (step < 0 && i > end) {
                    self.store(*var, Value::Scalar(Scalar::I64(i)));
                    match self.exec_block(body)?.0 {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                    match i.checked_add(step) {
                        Some(next) => i = next,
                        None => break,
                    }
                }
            }
            StmtKind::ForArray { var, array, body } => {
                let array = self.eval(array)?.to_array();
                let n = array.shape().first().copied().unwrap_or(0);
                for i in 0..n {
                    self.store(*var, Value::from_array(array.index_axis(0, i)));
                    match self.exec_block(body)?.0 {
                        Flow::Break => break,
                        Flow::Return(v) => return Ok(Flow::Return(v)),
                        Flow::Normal | Flow::Continue => {}
                    }
                }
            }
            StmtKind::While { cond, body } => loop {
                if !self.eval(cond)?.scalar().as_bool() {
                    break;
                }
                match self.exec_block(body)?.0 {
                    Flow::Break => break,
                    Flow::Return(v) => return Ok(Flow::Return(v)),
                    Flow::Normal | Flow::Continue => {}
                }
            },
            StmtKind::If { cond, then, else_ } => {
                let branch = if self.eval(cond)?.scalar().as_bool() {
                    Some(then)
                } else {
                    else_.as_ref()
                };
                if let Some(branch) = branch {
                    return Ok(self.exec_block(branch)?.0);
                }
            }
            StmtKind::Call { func, args } => {
                self.call(*func, args, stmt.span)?;
            }
            StmtKind::Block(block) => return Ok(self.exec_block(block)?.0),
            StmtKind::RowBlocked(group) => self.exec_row_group(group)?,
            StmtKind::SiblingReductions(block) => self.exec_sibling_reductions(block)?,
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::Return(value) => {
                let value = match value {
                    Some(expr) => Some(self.eval(expr)?),
                    None => None,
                };
                return Ok(Flow::Return(value));
            }
            StmtKind::Assert { cond, message } => {
                if !self.eval(cond)?.scalar().as_bool() {
                    let message = match message {
                        Some(text) => format!("assertion failed: {text}"),
                        None => "assertion failed".to_string(),
                    };
                    return Err(RuntimeError::new(stmt.span, message));
                }
            }
        }
        Ok(Flow::Normal)
    }

    /// Evaluates an expression statement; blocks and `if`s without a value give `None`.
    fn eval_for_effect(&mut self, expr: &Expr) -> ExecResult<Option<Value>> {
        match &expr.kind {
            ExprKind::Block(block) => Ok(self.exec_block(block)?.1),
            ExprKind::Call { func, args } => self.call(*func, args, expr.span),
            ExprKind::Library {
                op: crate::types::hir::LibraryOp::Save { path },
                args,
            } => self.save_npy(expr, path, args).map(|()| None),
            _ => self.eval(expr).map(Some),
        }
    }

    fn store(&mut self, var: VarRef, value: Value) {
        match var {
            VarRef::Global(slot) => self.set_global(slot, value),
            VarRef::Local(slot) => {
                let frame = self
                    .frames
                    .last_mut()
                    .expect("local variable outside a function frame");
                let slot = slot as usize;
                if frame.len() <= slot {
                    frame.resize(slot + 1, None);
                }
                frame[slot] = Some(value);
            }
        }
    }

    /// Takes a variable's value out of its slot, leaving it without one.
    pub(super) fn take(&mut self, var: VarRef) -> Option<Value> {
        let slot = match var {
            VarRef::Global(slot) => self.globals.get_mut(slot as usize),
            VarRef::Local(slot) => self
                .frames
                .last_mut()
                .and_then(|frame| frame.get_mut(slot as usize)),
        };
        slot.and_then(Option::take)
    }

    /// A variable's value, if it has one.
    fn peek(&self, var: VarRef) -> Option<Value> {
        match var {
            VarRef::Global(slot) => self.globals.get(slot as usize).and_then(|v| v.clone()),
            VarRef::Local(slot) => self
                .frames
                .last()
                .and_then(|frame| frame.get(slot as usize))
                .and_then(|v| v.clone()),
        }
    }

    fn load(&self, var: VarRef, span: Span) -> ExecResult<Value> {
        // A binding whose statement failed in the REPL has no value; reading it is an error.
        self.peek(var).ok_or_else(|| {
            RuntimeError::new(span, "this variable has no value (its definition failed)")
        })
    }

    // ---- expressions ------------------------------------------------------------------------

    pub(crate) fn eval(&mut self, expr: &Expr) -> ExecResult<Value> {
        if lower::is_elementwise(expr) {
            return if expr.ty.is_scalar() {
                self.eval_scalar_op(expr)
            } else {
                self.launch_elementwise(expr)
            };
        }
        let span = expr.span;
        match &expr.kind {
            ExprKind::Var(var) => self.load(*var, span),
            ExprKind::Logical { and, lhs, rhs } => {
                // Both rank 0 (otherwise `is_elementwise` took it): short-circuit.
                let lhs = self.eval(lhs)?.scalar().as_bool();
                if lhs != *and {
                    return Ok(Value::Scalar(Scalar::Bool(lhs)));
                }
                Ok(Value::Scalar(Scalar::Bool(
                    self.eval(rhs)?.scalar().as_bool(),
                )))
            }
            ExprKind::AdoptWeak(inner) => {
                let value = self.eval(inner)?.scalar();
                let target = expr.ty.dtype;
                if let Some(v) = value.as_i128()
                    && target.is_int()
                    && (v < target.min_int() || v > target.max_int())
                {
                    return Err(RuntimeError::new(
                        span,
                        format!(
                            "integer {v} does not fit in {} (out of bounds for the operand's dtype)",
                            target.name()
                        ),
                    ));
                }
                Ok(Value::Scalar(value.cast(target)))
            }
            ExprKind::Reduce {
                op,
                arg,
                axes,
                keepdims,
                ddof,
                mean,
            } => {
                let ddof = match ddof {
                    Some(d) => self.eval(d)?.scalar().as_f64(),
                    None => 0.0,
                };
                let mean = match mean {
                    Some(var) => Some(self.load(*var, span)?.to_array()),
                    None => None,
                };
                let reduce = ReduceArgs {
                    axes: axes.as_deref(),
                    keepdims: *keepdims,
                    ddof,
                    mean,
                };
                self.eval_reduce(expr, *op, arg, reduce)
            }
            ExprKind::Creation(creation) => self.eval_creation(expr, creation),
            ExprKind::Call { func, args } => self
                .call(*func, args, span)?
                .ok_or_else(|| RuntimeError::new(span, "this function returns no value")),
            ExprKind::Library { op, args } => self.eval_library(expr, op, args),
            ExprKind::ElementwiseCall {
                func,
                args,
                elementwise,
            } => self.elementwise_call(expr, *func, args, elementwise),
            ExprKind::Index { base, items } => {
                let base = self.eval(base)?;
                self.eval_index(&base.to_array(), items, span)
            }
            ExprKind::List(items) => self.eval_list(expr, items),
            ExprKind::If { cond, then, else_ } => {
                let branch = if self.eval(cond)?.scalar().as_bool() {
                    then
                } else {
                    else_
                };
                let (flow, value) = self.exec_block(branch)?;
                self.value_of_block(flow, value, span)
            }
            ExprKind::Block(block) => {
                let (flow, value) = self.exec_block(block)?;
                self.value_of_block(flow, value, span)
            }
            ExprKind::Shape(inner) => {
                let shape: Vec<i64> = self
                    .eval(inner)?
                    .shape()
                    .iter()
                    .map(|&d| d as i64)
                    .collect();
                Ok(Value::Array(Array::from_vec(&[shape.len()], shape)))
            }
            ExprKind::Transpose(inner) => {
                let array = self.eval(inner)?.to_array();
                let axes: Vec<usize> = (0..array.ndim()).rev().collect();
                Ok(Value::from_array(array.permuted(&axes)))
            }
            ExprKind::Len(inner) => {
                let value = self.eval(inner)?;
                Ok(Value::Scalar(Scalar::I64(
                    value.shape().first().copied().unwrap_or(0) as i64,
                )))
            }
            ExprKind::Size(inner) => {
                let value = self.eval(inner)?;
                Ok(Value::Scalar(Scalar::I64(
                    value.shape().iter().product::<usize>() as i64,
                )))
            }
            ExprKind::Clock => {
                let _ = self.out.flush();
                Ok(Value::Scalar(Scalar::F64(
                    self.epoch.elapsed().as_secs_f64(),
                )))
            }
            ExprKind::Unsupported(what) => Err(RuntimeError::new(
                span,
                format!("{what} is not supported yet"),
            )),
            ExprKind::Str(_) => Err(RuntimeError::new(span, "a string is not a value")),
            ExprKind::Const(_)
            | ExprKind::Unary(..)
            | ExprKind::Binary(..)
            | ExprKind::Cast(_)
            | ExprKind::Math(..)
            | ExprKind::Where(..) => unreachable!("elementwise nodes are evaluated above"),
        }
    }

    fn value_of_block(
        &mut self,
        flow: Flow,
        value: Option<Value>,
        span: Span,
    ) -> ExecResult<Value> {
        match (flow, value) {
            (Flow::Return(Some(v)), _) => Ok(v),
            (_, Some(v)) => Ok(v),
            _ => Err(RuntimeError::new(span, "this block has no value")),
        }
    }

    /// Rank-0 elementwise operations, evaluated directly with the reference semantics.
    fn eval_scalar_op(&mut self, expr: &Expr) -> ExecResult<Value> {
        let span = expr.span;
        let dtype = expr.ty.dtype;
        let status_error =
            |status: crate::ir::KernelStatus| RuntimeError::new(span, status.message());
        let result = match &expr.kind {
            ExprKind::Const(value) => *value,
            ExprKind::Unary(op, arg) => {
                let arg = self.eval(arg)?.scalar();
                interp::eval_unary(*op, arg).map_err(status_error)?
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let lhs = self.eval(lhs)?.scalar();
                let rhs = self.eval(rhs)?.scalar();
                if lhs.dtype() != rhs.dtype() {
                    Scalar::Bool(mixed_sign_compare(*op, lhs, rhs))
                } else {
                    interp::eval_binary(*op, lhs, rhs).map_err(status_error)?
                }
            }
            ExprKind::Logical { and, lhs, rhs } => {
                let lhs = self.eval(lhs)?.scalar().as_bool();
                let rhs = self.eval(rhs)?.scalar().as_bool();
                Scalar::Bool(if *and { lhs && rhs } else { lhs || rhs })
            }
            ExprKind::Cast(arg) => self.eval(arg)?.scalar().cast(dtype),
            ExprKind::Math(func, args) => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(self.eval(arg)?.scalar());
                }
                interp::eval_math(*func, &values).map_err(status_error)?
            }
            ExprKind::Where(cond, then, otherwise) => {
                let cond = self.eval(cond)?.scalar().as_bool();
                let then = self.eval(then)?.scalar();
                let otherwise = self.eval(otherwise)?.scalar();
                if cond { then } else { otherwise }
            }
            _ => unreachable!("eval_scalar_op called on a non-elementwise node"),
        };
        Ok(Value::Scalar(result))
    }

    fn call(&mut self, func: FnInstId, args: &[Expr], span: Span) -> ExecResult<Option<Value>> {
        let mut values = Vec::with_capacity(args.len());
        for arg in args {
            values.push(self.eval(arg)?);
        }
        self.call_with(func, values, args, span)
    }

    /// Applies a function with rank-0 parameters to every element of its mapped arguments:
    /// one kernel with the function's body inlined when it lowers to a scalar function, else
    /// (`lower::elementwise_call_kernel` says why) one reference-semantics call per element.
    fn elementwise_call(
        &mut self,
        expr: &Expr,
        func: FnInstId,
        args: &[Expr],
        elementwise: &[bool],
    ) -> ExecResult<Value> {
        let functions = self.functions.clone();
        let lowered = if self.options.function_kernels {
            lower::elementwise_call_kernel("call", expr, &functions).ok()
        } else {
            None
        };
        let Some((kernel, leaves)) = lowered else {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(self.eval(arg)?);
            }
            return self.apply_per_element(expr, func, args, elementwise, values);
        };
        let arrays = self.evaluate_leaves(&leaves, &[])?;
        // The call's arguments are the kernel's first leaves.
        let values: Vec<Value> = arrays[..args.len()]
            .iter()
            .map(|array| Value::from_array(array.clone()))
            .collect();
        let shape = elementwise_shape(args, &values, elementwise)?;
        match self.run_elementwise(expr, &kernel, &arrays, &shape) {
            Ok(array) => Ok(Value::from_array(array)),
            // A kernel says only that some application failed: the reference semantics find
            // the first one in row-major order and the operation in the body that failed.
            Err(error) if !error.internal => self
                .apply_per_element(expr, func, args, elementwise, values)
                .and(Err(error)),
            Err(error) => Err(error),
        }
    }

    /// The reference path of `elementwise_call`: runs the body once per element.
    fn apply_per_element(
        &mut self,
        expr: &Expr,
        func: FnInstId,
        args: &[Expr],
        elementwise: &[bool],
        values: Vec<Value>,
    ) -> ExecResult<Value> {
        let span = expr.span;
        let shape = elementwise_shape(args, &values, elementwise)?;
        let dtype = expr.ty.dtype;
        let n_elements = checked_elements(&shape, dtype, span)?;
        let mapped_arrays: Vec<Option<Array>> = values
            .iter()
            .zip(elementwise)
            .map(|(value, &mapped)| {
                if mapped {
                    value.to_array().broadcast_to(&shape)
                } else {
                    None
                }
            })
            .collect();
        let mut results = Vec::with_capacity(n_elements);
        let mut index = vec![0usize; shape.len()];
        for _ in 0..n_elements {
            let point_values = values
                .iter()
                .zip(&mapped_arrays)
                .map(|(value, mapped)| match mapped {
                    Some(array) => Value::Scalar(array.get(&index)),
                    None => value.clone(),
                })
                .collect();
            let result = self
                .call_with(func, point_values, args, span)?
                .ok_or_else(|| RuntimeError::new(span, "this function returns no value"))?;
            results.push(result.scalar().cast(dtype));
            // Advance the row-major index.
            for axis in (0..shape.len()).rev() {
                index[axis] += 1;
                if index[axis] < shape[axis] {
                    break;
                }
                index[axis] = 0;
            }
        }
        let array = Array::from_scalars(dtype, &shape, &results).map_err(alloc_error(span))?;
        Ok(Value::from_array(array))
    }

    /// Runs a function instance on already evaluated arguments (`args` give their spans).
    fn call_with(
        &mut self,
        func: FnInstId,
        values: Vec<Value>,
        args: &[Expr],
        span: Span,
    ) -> ExecResult<Option<Value>> {
        let instance = Arc::clone(&self.functions[func.0 as usize]);
        let mut frame: Vec<Option<Value>> = vec![None; instance.n_locals as usize];
        for (i, value) in values.into_iter().enumerate() {
            frame[i] = Some(value);
        }
        for &(param, axis, expected) in &instance.fixed_sizes {
            let actual = frame[param]
                .as_ref()
                .and_then(|v| v.shape().get(axis).copied())
                .unwrap_or(0);
            if actual as u64 != expected {
                return Err(RuntimeError::new(
                    args[param].span,
                    format!(
                        "`{}` expects length {expected} on axis {axis} of this argument, got {actual}",
                        instance.name
                    ),
                ));
            }
        }
        for binding in &instance.size_bindings {
            let mut length: Option<(usize, usize)> = None;
            for &(param, axis) in &binding.uses {
                let value = frame[param].as_ref().expect("parameters are bound");
                let this = value.shape().get(axis).copied().unwrap_or(0);
                match length {
                    None => length = Some((this, param)),
                    Some((first, _)) if first != this => {
                        return Err(RuntimeError::new(
                            span,
                            format!(
                                "size `{}` of `{}` is {first} in one argument and {this} in another",
                                binding.name, instance.name
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            let length = length.map(|(n, _)| n).unwrap_or(0);
            frame[binding.slot as usize] = Some(Value::Scalar(Scalar::I64(length as i64)));
        }
        if self.frames.len() > 10_000 {
            return Err(RuntimeError::new(span, "call stack too deep"));
        }
        self.frames.push(frame);
        let result = self.exec_block(&instance.body);
        self.frames.pop();
        let (flow, value) = result?;
        Ok(match flow {
            Flow::Return(value) => value,
            _ => value,
        })
    }

    // ---- creation and lists -----------------------------------------------------------------

    fn eval_shape(&mut self, shape: &Expr) -> ExecResult<Vec<usize>> {
        let value = self.eval(shape)?;
        let dims: Vec<i128> = match &value {
            Value::Scalar(s) => vec![s.as_i128().unwrap_or(0)],
            Value::Array(a) => a.iter().map(|s| s.as_i128().unwrap_or(0)).collect(),
        };
        dims.into_iter()
            .map(|d| {
                usize::try_from(d).map_err(|_| RuntimeError::new(shape.span, negative_dimension(d)))
            })
            .collect()
    }

    /// A rank-0 integer argument that must be a non-negative length.
    fn eval_length(&mut self, expr: &Expr, message: impl Fn(i128) -> String) -> ExecResult<usize> {
        let value = self.eval(expr)?.scalar().as_i128().unwrap_or(0);
        usize::try_from(value).map_err(|_| RuntimeError::new(expr.span, message(value)))
    }

    fn eval_creation(&mut self, expr: &Expr, creation: &Creation) -> ExecResult<Value> {
        let span = expr.span;
        let dtype = expr.ty.dtype;
        let array = match creation {
            Creation::Full { shape, value } => {
                let shape = self.eval_shape(shape)?;
                let value = self.eval(value)?.scalar().cast(dtype);
                checked_elements(&shape, dtype, span)?;
                Array::full(&shape, value).map_err(alloc_error(span))?
            }
            Creation::Arange { start, stop, step } => {
                let start = self.eval(start)?.scalar();
                let stop = self.eval(stop)?.scalar();
                let step = self.eval(step)?.scalar();
                creation::arange(start, stop, step, dtype, span)?
            }
            Creation::Linspace {
                start,
                stop,
                num,
                endpoint,
            } => {
                let start = self.eval(start)?.scalar();
                let stop = self.eval(stop)?.scalar();
                let num = self.eval_length(num, |n| {
                    format!("number of samples, {n}, must be non-negative")
                })?;
                creation::linspace(start, stop, num, *endpoint, dtype, span)?
            }
            Creation::Eye { n } => {
                let n = self.eval_length(n, negative_dimension)?;
                checked_elements(&[n, n], dtype, span)?;
                let mut array = Array::zeros(dtype, &[n, n]).map_err(alloc_error(span))?;
                let ptr = array.make_mut().map_err(alloc_error(span))?;
                let one = Scalar::one(dtype);
                for i in 0..n {
                    // SAFETY: `array` is a fresh, C-contiguous n×n buffer of `dtype`, and
                    // i*(n+1) < n*n is the diagonal element's index.
                    unsafe { one.write(ptr.add((i * (n + 1)) * dtype.size())) };
                }
                array
            }
        };
        Ok(Value::from_array(array))
    }

    fn eval_list(&mut self, expr: &Expr, items: &[Expr]) -> ExecResult<Value> {
        let span = expr.span;
        let dtype = expr.ty.dtype;
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            values.push(self.eval(item)?);
        }
        let item_shape: Vec<usize> = values
            .first()
            .map(|v| v.shape().to_vec())
            .unwrap_or_default();
        for (value, item) in values.iter().zip(items) {
            if value.shape() != item_shape.as_slice() {
                return Err(RuntimeError::new(
                    item.span,
                    format!(
                        "list items must have the same shape: {} and {}",
                        nx_runtime::format_type(dtype, &item_shape),
                        nx_runtime::format_type(dtype, value.shape())
                    ),
                ));
            }
        }
        let mut shape = vec![values.len()];
        shape.extend_from_slice(&item_shape);
        let mut scalars = Vec::with_capacity(shape.iter().product());
        for value in &values {
            match value {
                Value::Scalar(s) => scalars.push(s.cast(dtype)),
                Value::Array(a) => scalars.extend(a.iter().map(|s| s.cast(dtype))),
            }
        }
        let array = Array::from_scalars(dtype, &shape, &scalars).map_err(alloc_error(span))?;
        Ok(Value::Array(array))
    }

    // ---- reductions -------------------------------------------------------------------------

    fn eval_reduce(
        &mut self,
        expr: &Expr,
        reduction: Reduction,
        arg: &Expr,
        ReduceArgs {
            axes,
            keepdims,
            ddof,
            mean: known_mean,
        }: ReduceArgs,
    ) -> ExecResult<Value> {
        let span = expr.span;
        let rank = arg.ty.rank();
        let all_axes: Vec<usize> = (0..rank).collect();
        let axes = axes.unwrap_or(&all_axes);
        let out_dtype = expr.ty.dtype;
        let mut kernels =
            lower::reduction_kernels(reduction, arg, out_dtype, axes.len(), self.options.fuse)
                .into_iter();
        let mut next_kernel = || {
            kernels
                .next()
                .expect("reduction_kernels gives each step a kernel")
        };
        let first_kernel = next_kernel();
        let (first, arg_shape) = match known_mean {
            // The mean of these very values: the sum of `first_kernel` is not needed.
            Some(mean) => (mean, None),
            None => {
                let (first, shape) = self.launch_reduce(arg, first_kernel, axes, &[], span)?;
                (first, Some(shape))
            }
        };
        let result = match reduction {
            Reduction::Plain(_) | Reduction::CountNonzero => first,
            Reduction::Mean | Reduction::Var | Reduction::Std => {
                let mean = match &arg_shape {
                    Some(shape) => {
                        let count: usize = axes.iter().map(|&axis| shape[axis]).product();
                        divide_all(&first, count as f64, out_dtype, span)?
                    }
                    None => first,
                };
                if reduction == Reduction::Mean {
                    mean
                } else {
                    let mean_kept = keep_dims(&mean, rank, axes, span)?;
                    let (deviations, arg_shape) =
                        self.launch_reduce(arg, next_kernel(), axes, &[mean_kept], span)?;
                    let count: usize = axes.iter().map(|&axis| arg_shape[axis]).product();
                    // NumPy divides by max(n - ddof, 0), giving inf or nan when that is 0.
                    let divisor = (count as f64 - ddof).max(0.0);
                    let variance = divide_all(&deviations, divisor, out_dtype, span)?;
                    if reduction == Reduction::Std {
                        map_f64(&variance, f64::sqrt, span)?
                    } else {
                        variance
                    }
                }
            }
        };
        let result = if keepdims {
            keep_dims(&result, rank, axes, span)?
        } else {
            result
        };
        Ok(Value::from_array(result))
    }
}

/// The options of a reduction call, evaluated.
struct ReduceArgs<'a> {
    axes: Option<&'a [usize]>,
    keepdims: bool,
    ddof: f64,
    /// A mean of the same values `var`/`std` may use (`ExprKind::Reduce::mean`).
    mean: Option<Array>,
}

/// Exact comparison of two integers of different dtypes (spec §3.1).
fn mixed_sign_compare(op: BinaryOp, lhs: Scalar, rhs: Scalar) -> bool {
    match (lhs.as_i128(), rhs.as_i128()) {
        (Some(a), Some(b)) => interp::compare(op, a, b),
        _ => false,
    }
}

fn negative_dimension(length: i128) -> String {
    format!("negative dimensions are not allowed (got {length})")
}

/// Rejects shapes whose byte size overflows before trying to allocate them.
fn checked_elements(shape: &[usize], dtype: DType, span: Span) -> ExecResult<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .and_then(|n| n.checked_mul(dtype.size()).map(|_| n))
        .ok_or_else(|| RuntimeError::new(span, "memory exhausted: array too large"))
}

/// `array / divisor` elementwise in `dtype` (used for means and variances).
pub(super) fn divide_all(
    array: &Array,
    divisor: f64,
    dtype: DType,
    span: Span,
) -> ExecResult<Array> {
    let divisor = Scalar::F64(divisor).cast(dtype);
    let values: Vec<Scalar> = array
        .iter()
        .map(|s| interp::eval_binary(BinaryOp::Div, s.cast(dtype), divisor).unwrap_or(s))
        .collect();
    Array::from_scalars(dtype, array.shape(), &values).map_err(alloc_error(span))
}

fn map_f64(array: &Array, f: fn(f64) -> f64, span: Span) -> ExecResult<Array> {
    let dtype = array.dtype();
    let values: Vec<Scalar> = array
        .iter()
        .map(|s| match s {
            Scalar::F32(x) => Scalar::F32(f(x as f64) as f32),
            other => Scalar::from_f64(dtype, f(other.as_f64())),
        })
        .collect();
    Array::from_scalars(dtype, array.shape(), &values).map_err(alloc_error(span))
}

/// Re-inserts the reduced axes as length-1 axes (`keepdims=true`).
fn keep_dims(array: &Array, rank: usize, axes: &[usize], span: Span) -> ExecResult<Array> {
    let mut shape = Vec::with_capacity(rank);
    let mut kept = array.shape().iter();
    for axis in 0..rank {
        if axes.contains(&axis) {
            shape.push(1);
        } else {
            shape.push(*kept.next().unwrap_or(&1));
        }
    }
    array.reshaped(&shape).map_err(alloc_error(span))
}

/// The broadcast shape of an elementwise call's mapped arguments.
fn elementwise_shape(
    args: &[Expr],
    values: &[Value],
    elementwise: &[bool],
) -> ExecResult<Vec<usize>> {
    let mut shape: Vec<usize> = Vec::new();
    for ((value, arg), &mapped) in values.iter().zip(args).zip(elementwise) {
        if !mapped {
            continue;
        }
        shape = nx_runtime::broadcast_shapes(&shape, value.shape()).ok_or_else(|| {
            RuntimeError::new(
                arg.span,
                format!(
                    "cannot broadcast {} with the other elementwise arguments ({})",
                    value.type_name(),
                    nx_runtime::format_type(arg.ty.dtype, &shape)
                ),
            )
        })?;
    }
    Ok(shape)
}

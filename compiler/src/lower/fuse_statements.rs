//! Statement fusion, a pass on the typed program before it runs: an array temporary
//!
//! ```nx
//! let d = x - mu          # A: an elementwise tree
//! let z = d / sigma       # B: reads `d` once, where B's kernel would load it
//! ```
//!
//! becomes `let z = (x - mu) / sigma`, one kernel with no `d` array, when nothing can tell:
//! - A binds `t` to an array-valued elementwise tree whose leaves are variables, constants and
//!   reductions that cannot fail, and which has no operation that can fail (integer `//`, `%`,
//!   `**`): computing it later, in B's kernel, reads the same values (expressions assign
//!   nothing) and raises no error A would have raised first;
//! - B, the very next statement (or the block's value), reads `t` exactly once, at a place its
//!   kernel loads from (through elementwise operations and reduction arguments), and `t` is read
//!   nowhere else: in a function, in that function; for a global, in the whole program, which
//!   the caller must vouch is all there is (a script: no later input or host reads globals).
//!
//! Chains fuse too (`let a = …; let b = f(a); let c = g(b)`), left to right. With fusion off
//! (`--no-fuse`) the pass does not run.

use std::cell::RefCell;
use std::collections::HashMap;

use super::is_elementwise;
use crate::diagnostics::Span;
use crate::ir::ReduceOp;
use crate::types::hir::{
    Block, Expr, ExprKind, FusionNote, Part, Program, Reduction, Stmt, StmtKind, VarRef,
};

/// Fuses array temporaries into the statement that uses them, in the program's top level
/// (globals only if `globals_are_private`) and in every function instance (locals).
pub fn fuse_statements(program: &mut Program, globals_are_private: bool) {
    let reads = ReadCounts::of_program(program);
    let notes = RefCell::new(Vec::new());
    let top = Scope {
        function: None,
        reads: &reads,
        globals_are_private,
        notes: &notes,
    };
    fuse_list(&top, &mut program.stmts, None);
    for (index, function) in program.functions.iter_mut().enumerate() {
        let scope = Scope {
            function: Some(index),
            reads: &reads,
            globals_are_private,
            notes: &notes,
        };
        fuse_block(&scope, &mut function.body);
    }
    // A later round decides again about temporaries an earlier round kept.
    let notes = notes.into_inner();
    program
        .fusion_notes
        .retain(|(span, _)| notes.iter().all(|(noted, _)| noted != span));
    program.fusion_notes.extend(notes);
}

/// How often each variable is read: globals program-wide, locals per function instance.
#[derive(Default)]
pub(super) struct ReadCounts {
    counts: HashMap<(Option<usize>, VarRef), usize>,
}

impl ReadCounts {
    pub(super) fn of_program(program: &Program) -> ReadCounts {
        let mut reads = ReadCounts::default();
        for stmt in &program.stmts {
            reads.stmt(None, stmt);
        }
        for (index, function) in program.functions.iter().enumerate() {
            reads.block(Some(index), &function.body);
        }
        reads
    }

    /// Globals are counted program-wide, locals per function instance.
    fn key(function: Option<usize>, var: VarRef) -> (Option<usize>, VarRef) {
        match var {
            VarRef::Global(_) => (None, var),
            VarRef::Local(_) => (function, var),
        }
    }

    pub(super) fn count(&self, function: Option<usize>, var: VarRef) -> usize {
        let key = ReadCounts::key(function, var);
        self.counts.get(&key).copied().unwrap_or(0)
    }

    pub(super) fn block(&mut self, function: Option<usize>, block: &Block) {
        for stmt in &block.stmts {
            self.stmt(function, stmt);
        }
        if let Some(value) = &block.value {
            self.expr(function, value);
        }
    }

    pub(super) fn stmt(&mut self, function: Option<usize>, stmt: &Stmt) {
        stmt.for_each_part(&mut |part| match part {
            Part::Expr(expr) => self.expr(function, expr),
            Part::Block(block) => self.block(function, block),
        });
    }

    pub(super) fn expr(&mut self, function: Option<usize>, expr: &Expr) {
        if let ExprKind::Var(var) = &expr.kind {
            *self
                .counts
                .entry(ReadCounts::key(function, *var))
                .or_default() += 1;
        }
        expr.for_each_child(&mut |part| match part {
            Part::Expr(child) => self.expr(function, child),
            Part::Block(block) => self.block(function, block),
        });
    }
}

struct Scope<'a> {
    function: Option<usize>,
    reads: &'a ReadCounts,
    globals_are_private: bool,
    /// The decisions taken, for `nx ir`.
    notes: &'a RefCell<Vec<(Span, FusionNote)>>,
}

impl Scope<'_> {
    /// How often `var` is read in everything that could read it; `None` when something
    /// outside the program could (a global of an interactive session).
    fn reads_of(&self, var: VarRef) -> Option<usize> {
        let private = match var {
            VarRef::Global(_) => self.globals_are_private,
            VarRef::Local(_) => self.function.is_some(),
        };
        private.then(|| self.reads.count(self.function, var))
    }

    fn note(&self, span: Span, note: FusionNote) {
        self.notes.borrow_mut().push((span, note));
    }
}

fn fuse_block(scope: &Scope, block: &mut Block) {
    fuse_list(scope, &mut block.stmts, block.value.as_deref_mut());
}

/// Fuses adjacent pairs of a statement list (the block's value counting as a last statement),
/// then recurses into nested blocks.
fn fuse_list(scope: &Scope, stmts: &mut Vec<Stmt>, mut value: Option<&mut Expr>) {
    let mut index = 0;
    while index < stmts.len() {
        let span = stmts[index].span;
        let reader = match temporary(scope, &stmts[index]) {
            Ok(var) if index + 1 < stmts.len() => {
                let (head, tail) = stmts.split_at_mut(index + 1);
                let reader = tail[0].span;
                substitute_in_stmt(&mut tail[0], var, &head[index]).then_some(reader)
            }
            Ok(var) => value.as_deref_mut().and_then(|value| {
                let reader = value.span;
                substitute_in_kernel(value, var, &stmts[index]).then_some(reader)
            }),
            Err(None) => {
                index += 1;
                continue;
            }
            Err(Some(reason)) => {
                scope.note(span, FusionNote::Kept(reason));
                index += 1;
                continue;
            }
        };
        match reader {
            Some(reader) => {
                scope.note(span, FusionNote::FusedInto(reader));
                stmts.remove(index);
            }
            None => {
                let reason = "kept: its one read is not in the next statement's kernel";
                scope.note(span, FusionNote::Kept(reason.to_string()));
                index += 1;
            }
        }
    }
    for stmt in stmts.iter_mut() {
        for_each_part_mut(stmt, &mut |block| fuse_block(scope, block));
    }
    if let Some(value) = value {
        for_each_block_in_expr(value, &mut |block| fuse_block(scope, block));
    }
}

/// The variable of `let t = tree` (or `t = tree`) when it may be fused into its one reader;
/// else why an array temporary is kept (`None` for statements that are no array temporary).
fn temporary(scope: &Scope, stmt: &Stmt) -> Result<VarRef, Option<String>> {
    let StmtKind::Assign { var, value } = &stmt.kind else {
        return Err(None);
    };
    if !is_elementwise(value) || value.ty.is_scalar() {
        return Err(None);
    }
    if !pure_infallible_tree(value) {
        return Err(Some(
            "kept: its value can fail, or reads more than variables, constants and reductions \
             that cannot fail"
                .to_string(),
        ));
    }
    match scope.reads_of(*var) {
        Some(1) => Ok(*var),
        Some(reads) => Err(Some(format!("kept: read {reads} times"))),
        None => Err(Some(
            "kept: a global that later input may read (not a whole program)".to_string(),
        )),
    }
}

/// An elementwise tree over variables, constants and reductions that cannot fail (not
/// `min`/`max`/`argmin`/`argmax`, which fail when empty), with no operation that can fail.
pub(super) fn pure_infallible_tree(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Var(_) | ExprKind::Const(_) => true,
        ExprKind::Reduce { op, arg, ddof, .. } => {
            let never_fails = !matches!(
                op,
                Reduction::Plain(
                    ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax
                )
            );
            never_fails
                && pure_infallible_tree(arg)
                && ddof.as_deref().is_none_or(pure_infallible_tree)
        }
        ExprKind::Binary(op, lhs, _) if is_fallible(*op, lhs) => false,
        _ if is_elementwise(expr) => {
            let mut all = true;
            expr.for_each_child(&mut |part| match part {
                Part::Expr(child) => all &= pure_infallible_tree(child),
                Part::Block(_) => all = false,
            });
            all
        }
        _ => false,
    }
}

fn is_fallible(op: crate::ir::BinaryOp, lhs: &Expr) -> bool {
    use crate::ir::BinaryOp;
    matches!(op, BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow) && !lhs.ty.dtype.is_float()
}

/// Puts `definition`'s tree in place of the read of `var` in `stmt`'s kernel, if it is there.
fn substitute_in_stmt(stmt: &mut Stmt, var: VarRef, definition: &Stmt) -> bool {
    match &mut stmt.kind {
        StmtKind::Assign { value, .. }
        | StmtKind::AssignIndex { value, .. }
        | StmtKind::Expr { value, .. }
        | StmtKind::Return(Some(value)) => substitute_in_kernel(value, var, definition),
        StmtKind::Print(args) => args
            .iter_mut()
            .any(|arg| substitute_in_kernel(arg, var, definition)),
        _ => false,
    }
}

/// Replaces the read of `var` reachable from `expr` through kernel positions (elementwise
/// operands, reduction arguments) by the tree `definition` binds.
fn substitute_in_kernel(expr: &mut Expr, var: VarRef, definition: &Stmt) -> bool {
    if matches!(&expr.kind, ExprKind::Var(read) if *read == var) {
        let StmtKind::Assign { value, .. } = &definition.kind else {
            unreachable!("a temporary is an assignment");
        };
        *expr = value.clone();
        return true;
    }
    let elementwise = is_elementwise(expr);
    let operands: Vec<&mut Expr> = match &mut expr.kind {
        ExprKind::Reduce { arg, .. } => vec![arg.as_mut()],
        _ if elementwise => elementwise_operands(expr),
        _ => Vec::new(),
    };
    operands
        .into_iter()
        .any(|operand| substitute_in_kernel(operand, var, definition))
}

fn elementwise_operands(expr: &mut Expr) -> Vec<&mut Expr> {
    match &mut expr.kind {
        ExprKind::Unary(_, a) | ExprKind::Cast(a) => vec![a.as_mut()],
        ExprKind::Binary(_, a, b) | ExprKind::Logical { lhs: a, rhs: b, .. } => {
            vec![a.as_mut(), b.as_mut()]
        }
        ExprKind::Math(_, args) => args.iter_mut().collect(),
        ExprKind::Where(c, a, b) => vec![c.as_mut(), a.as_mut(), b.as_mut()],
        _ => Vec::new(),
    }
}

/// Every nested block of a statement, mutably (blocks inside its expressions included).
pub(super) fn for_each_part_mut(stmt: &mut Stmt, visit: &mut impl FnMut(&mut Block)) {
    match &mut stmt.kind {
        StmtKind::ForRange { body, .. }
        | StmtKind::ForArray { body, .. }
        | StmtKind::While { body, .. } => visit(body),
        StmtKind::If { then, else_, .. } => {
            visit(then);
            if let Some(else_) = else_ {
                visit(else_);
            }
        }
        StmtKind::Block(block) => visit(block),
        StmtKind::RowBlocked(group) => visit(&mut group.body),
        StmtKind::SiblingReductions(block) => visit(block),
        _ => {}
    }
}

/// Every block inside an expression (`if` and block expressions), mutably.
pub(super) fn for_each_block_in_expr(expr: &mut Expr, visit: &mut impl FnMut(&mut Block)) {
    match &mut expr.kind {
        ExprKind::If { then, else_, .. } => {
            visit(then);
            visit(else_);
        }
        ExprKind::Block(block) => visit(block),
        _ => {}
    }
}

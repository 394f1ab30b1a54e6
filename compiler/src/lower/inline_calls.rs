//! Call inlining, a pass on the typed program between two rounds of statement fusion: a call
//! of a function whose body (after its own statement fusion) is a single expression is
//! replaced by that expression with the arguments in place of the parameters, so
//!
//! ```nx
//! fn standardize(v: f64[_]) -> f64[_] { (v - mean(v)) / std(v) }
//! let z = standardize(x) * 10.0
//! ```
//!
//! runs as the caller's kernels (`(x - mean(x)) / std(x) * 10.0`, one elementwise kernel)
//! instead of a call whose result is a separate array.
//!
//! A call is inlined when nothing can tell: the body is a tree of variables, constants,
//! elementwise operations and reductions with no operation that can fail (statement fusion's
//! rule), reading only its parameters and globals; the function checks no sizes at the call
//! (no named or fixed lengths); every argument is such a tree too, and has its parameter's
//! type; an argument named more than once in the body is a variable or a constant (so nothing
//! is computed twice); and the body's value has the call's type.

use super::fuse_statements::{for_each_block_in_expr, for_each_part_mut, pure_infallible_tree};
use crate::diagnostics::Span;
use crate::types::hir::{
    Block, Expr, ExprKind, FnInstance, FusionNote, Part, Program, Stmt, StmtKind, Type, VarRef,
};

/// Inlines every call that qualifies, in the top level and in every function body.
pub fn inline_calls(program: &mut Program) {
    let candidates: Vec<Option<Candidate>> = program.functions.iter().map(Candidate::of).collect();
    let mut notes = Vec::new();
    let mut inliner = Inliner {
        candidates: &candidates,
        notes: &mut notes,
    };
    for stmt in &mut program.stmts {
        inliner.stmt(stmt);
    }
    for function in &mut program.functions {
        inliner.block(&mut function.body);
    }
    program.fusion_notes.extend(notes);
}

/// A function whose calls may be inlined, whatever their arguments: its body is one
/// expression that cannot fail, reading only its parameters and globals, and the call checks
/// no sizes.
struct Candidate {
    name: String,
    params: Vec<Type>,
    body: Expr,
}

impl Candidate {
    fn of(function: &FnInstance) -> Option<Candidate> {
        let body = function.body.value.as_deref()?;
        let simple = function.body.stmts.is_empty()
            && function.size_bindings.is_empty()
            && function.fixed_sizes.is_empty()
            && pure_infallible_tree(body)
            && reads_only_parameters(body, function.params.len());
        simple.then(|| Candidate {
            name: function.name.clone(),
            params: function.params.clone(),
            body: body.clone(),
        })
    }

    /// Whether a call with `args` may be replaced by the body.
    fn fits(&self, args: &[Expr], call: &Expr) -> bool {
        let body = &self.body;
        let same_type = body.ty.dtype == call.ty.dtype && body.ty.rank() == call.ty.rank();
        same_type
            && args
                .iter()
                .zip(&self.params)
                .enumerate()
                .all(|(index, (arg, param))| {
                    let cheap = matches!(arg.kind, ExprKind::Var(_) | ExprKind::Const(_));
                    arg.ty.dtype == param.dtype
                        && arg.ty.rank() == param.rank()
                        && pure_infallible_tree(arg)
                        && (cheap || uses(body, index) <= 1)
                })
    }
}

struct Inliner<'a> {
    candidates: &'a [Option<Candidate>],
    notes: &'a mut Vec<(Span, FusionNote)>,
}

impl Inliner<'_> {
    fn block(&mut self, block: &mut Block) {
        for stmt in &mut block.stmts {
            self.stmt(stmt);
        }
        if let Some(value) = block.value.as_deref_mut() {
            self.expr(value);
        }
    }

    fn stmt(&mut self, stmt: &mut Stmt) {
        match &mut stmt.kind {
            StmtKind::Assign { value, .. }
            | StmtKind::AssignIndex { value, .. }
            | StmtKind::Expr { value, .. }
            | StmtKind::Return(Some(value)) => self.expr(value),
            StmtKind::Print(args) => args.iter_mut().for_each(|arg| self.expr(arg)),
            _ => for_each_part_mut(stmt, &mut |block| self.block(block)),
        }
    }

    /// Inlines calls inside `expr`, innermost first.
    fn expr(&mut self, expr: &mut Expr) {
        for_each_child_mut(expr, &mut |child| self.expr(child));
        for_each_block_in_expr(expr, &mut |block| self.block(block));
        let ExprKind::Call { func, args } = &expr.kind else {
            return;
        };
        let Some(candidate) = &self.candidates[func.0 as usize] else {
            return;
        };
        if !candidate.fits(args, expr) {
            return;
        }
        let mut inlined = candidate.body.clone();
        substitute_parameters(&mut inlined, args);
        self.notes
            .push((expr.span, FusionNote::Inlined(candidate.name.clone())));
        *expr = inlined;
    }
}

fn reads_only_parameters(expr: &Expr, params: usize) -> bool {
    if let ExprKind::Var(VarRef::Local(slot)) = expr.kind {
        return (slot as usize) < params;
    }
    let mut only = true;
    expr.for_each_child(&mut |part| match part {
        Part::Expr(child) => only &= reads_only_parameters(child, params),
        Part::Block(_) => only = false,
    });
    only
}

/// How often the body reads parameter `index`.
fn uses(expr: &Expr, index: usize) -> usize {
    let own = usize::from(
        matches!(expr.kind, ExprKind::Var(VarRef::Local(slot)) if slot as usize == index),
    );
    let mut count = own;
    expr.for_each_child(&mut |part| {
        if let Part::Expr(child) = part {
            count += uses(child, index);
        }
    });
    count
}

fn substitute_parameters(expr: &mut Expr, args: &[Expr]) {
    if let ExprKind::Var(VarRef::Local(slot)) = expr.kind {
        *expr = args[slot as usize].clone();
        return;
    }
    for_each_child_mut(expr, &mut |child| substitute_parameters(child, args));
}

/// Every direct subexpression of a tree that `pure_infallible_tree` accepts, or of a call's
/// arguments, mutably (other kinds: none).
fn for_each_child_mut(expr: &mut Expr, visit: &mut impl FnMut(&mut Expr)) {
    match &mut expr.kind {
        ExprKind::Unary(_, a) | ExprKind::Cast(a) | ExprKind::AdoptWeak(a) => visit(a),
        ExprKind::Binary(_, a, b) | ExprKind::Logical { lhs: a, rhs: b, .. } => {
            visit(a);
            visit(b);
        }
        ExprKind::Where(a, b, c) => {
            visit(a);
            visit(b);
            visit(c);
        }
        ExprKind::Math(_, args) | ExprKind::Call { args, .. } | ExprKind::List(args) => {
            args.iter_mut().for_each(visit)
        }
        ExprKind::ElementwiseCall { args, .. } | ExprKind::Library { args, .. } => {
            args.iter_mut().for_each(visit)
        }
        ExprKind::Reduce { arg, ddof, .. } => {
            visit(arg);
            if let Some(ddof) = ddof {
                visit(ddof);
            }
        }
        _ => {}
    }
}

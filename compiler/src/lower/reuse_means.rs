//! Mean reuse, the last pass on the typed program: in
//!
//! ```nx
//! mu = mean(m, axis=1)
//! v = var(m, axis=1)
//! ```
//!
//! `var` starts by computing `mean(m, axis=1)` again. When a statement list has just bound a
//! variable to exactly that mean, `var`/`std` of the same tree over the same axes, with the same
//! result dtype, is marked to use it (`ExprKind::Reduce::mean`) and skips a pass over `m`. The
//! mean is the same bits either way: the same sum kernel divided by the same count in the same
//! dtype.
//!
//! "Just bound" is deliberately narrow: the variable is bound by `v = mean(tree, axis=…)`
//! earlier in the same statement list, and every statement since is a plain assignment
//! without calls that rebinds neither the variable nor any variable the tree reads (anything
//! else — a loop, an `if`, an indexed assignment, a call that might assign globals — forgets
//! every known mean).

use crate::diagnostics::Span;
use crate::types::hir::{
    Block, Expr, ExprKind, FusionNote, Part, Program, Reduction, Stmt, StmtKind, VarRef,
};
use nx_runtime::DType;

/// Marks `var`/`std` reductions that can use a mean bound just before.
pub fn reuse_means(program: &mut Program) {
    let mut notes = Vec::new();
    reuse_in_list(&mut program.stmts, &mut notes);
    for function in &mut program.functions {
        reuse_in_block(&mut function.body, &mut notes);
    }
    program.fusion_notes.extend(notes);
}

fn reuse_in_block(block: &mut Block, notes: &mut Vec<(Span, FusionNote)>) {
    reuse_in_list(&mut block.stmts, notes);
}

/// A mean bound to `var` by the statement at `span`: the tree it averages, over `axes`, in
/// `dtype`.
struct KnownMean {
    var: VarRef,
    span: Span,
    arg: Expr,
    axes: Option<Vec<usize>>,
    dtype: DType,
}

fn reuse_in_list(stmts: &mut [Stmt], notes: &mut Vec<(Span, FusionNote)>) {
    let mut known: Vec<KnownMean> = Vec::new();
    for stmt in stmts.iter_mut() {
        let span = stmt.span;
        let StmtKind::Assign { var, value } = &mut stmt.kind else {
            known.clear();
            super::fuse_statements::for_each_part_mut(stmt, &mut |block| {
                reuse_in_block(block, notes)
            });
            continue;
        };
        if has_call(value) {
            known.clear();
            continue;
        }
        mark(value, &known, &mut |mean| {
            notes.push((span, FusionNote::ReusesMean(mean)));
        });
        let var = *var;
        known.retain(|mean| mean.var != var && !mean.arg.reads(var));
        let dtype = value.ty.dtype;
        if let ExprKind::Reduce {
            op: Reduction::Mean,
            arg,
            axes,
            keepdims: false,
            ddof: None,
            ..
        } = &value.kind
            && !arg.reads(var)
        {
            known.push(KnownMean {
                var,
                span,
                arg: (**arg).clone(),
                axes: axes.clone(),
                dtype,
            });
        }
    }
}

/// Points every `var`/`std` in `expr` whose mean is known at it, and reports the span of the
/// statement that bound the mean.
fn mark(expr: &mut Expr, known: &[KnownMean], reused: &mut impl FnMut(Span)) {
    let dtype = expr.ty.dtype;
    if let ExprKind::Reduce {
        op: Reduction::Var | Reduction::Std,
        arg,
        axes,
        mean,
        ..
    } = &mut expr.kind
    {
        let found = known.iter().find(|known| {
            known.axes == *axes && known.dtype == dtype && same_tree(&known.arg, arg)
        });
        *mean = found.map(|known| known.var);
        if let Some(known) = found {
            reused(known.span);
        }
    }
    match &mut expr.kind {
        ExprKind::Reduce { arg, .. } => mark(arg, known, reused),
        ExprKind::Unary(_, a) | ExprKind::Cast(a) => mark(a, known, reused),
        ExprKind::Binary(_, a, b) => {
            mark(a, known, reused);
            mark(b, known, reused);
        }
        _ => {}
    }
}

/// Whether two trees of variables, constants, casts and arithmetic compute the same values.
fn same_tree(a: &Expr, b: &Expr) -> bool {
    if a.ty != b.ty {
        return false;
    }
    match (&a.kind, &b.kind) {
        (ExprKind::Var(x), ExprKind::Var(y)) => x == y,
        // By bits (`Debug` tells -0.0 from 0.0), not by `==`.
        (ExprKind::Const(x), ExprKind::Const(y)) => format!("{x:?}") == format!("{y:?}"),
        (ExprKind::Cast(x), ExprKind::Cast(y)) => same_tree(x, y),
        (ExprKind::Unary(f, x), ExprKind::Unary(g, y)) => f == g && same_tree(x, y),
        (ExprKind::Binary(f, x1, x2), ExprKind::Binary(g, y1, y2)) => {
            f == g && same_tree(x1, y1) && same_tree(x2, y2)
        }
        _ => false,
    }
}

fn has_call(expr: &Expr) -> bool {
    if matches!(
        expr.kind,
        ExprKind::Call { .. } | ExprKind::ElementwiseCall { .. }
    ) {
        return true;
    }
    let mut found = false;
    expr.for_each_child(&mut |part| match part {
        Part::Expr(child) => found |= has_call(child),
        Part::Block(_) => found = true,
    });
    found
}

//! Row blocking, a pass on the typed program after statement fusion: consecutive statements
//!
//! ```nx
//! e = exp(x - max(x, axis=-1, keepdims=true))
//! r = e / sum(e, axis=-1, keepdims=true)
//! ```
//!
//! whose kernels read each other's results row by row become a `StmtKind::RowBlocked` group,
//! which the executor runs on one block of rows (first-axis positions) at a time: the four
//! kernels above then pass over an L2-sized block instead of four times over memory, and `e`,
//! read only inside the group, never exists whole.
//!
//! A statement joins a group when it is `v = value` with an array `value` that is *row-local*:
//! built from variables, constants, elementwise operations whose array operands all have the
//! result's rank (a lower-rank operand would broadcast along other axes than the rows), and
//! reductions over axes that exclude axis 0. Nothing in it can fail (integer `//`, `%`, `**`,
//! weak-integer adoption, calls), so a block cannot raise an error that running the
//! statements whole would not raise first. A maximal run of such statements becomes a group if
//! some array in it is read by two of its kernels (else blocking would save no memory pass).
//! A variable the group assigns is block-only when every read of it in the program is inside
//! the group after its assignment (in a function, in that function; for a global only in a
//! whole program, as statement fusion); otherwise the executor assembles it whole.

use std::collections::HashMap;

use super::fuse_statements::{ReadCounts, for_each_block_in_expr, for_each_part_mut};
use super::is_elementwise;
use crate::diagnostics::Span;
use crate::ir::BinaryOp;
use crate::types::hir::{
    Block, Expr, ExprKind, FusionNote, Part, Program, Reduction, RowGroup, Stmt, StmtKind, VarRef,
};

/// Groups row-local statements of the program's top level and of every function instance.
pub fn block_rows(program: &mut Program, globals_are_private: bool) {
    let mut notes = Vec::new();
    let all_reads = ReadCounts::of_program(program);
    let none = ReadCounts::default();
    for (index, function) in program.functions.iter_mut().enumerate() {
        let mut scope = Scope {
            function: Some(index),
            reads: &all_reads,
            earlier: &none,
            globals_are_private,
            notes: &mut notes,
        };
        group_block(&mut scope, &mut function.body);
    }
    // The top level runs once, in order: a global read only by earlier top-level statements
    // is dead after a group, so each statement sees the program's reads minus those of the
    // statements before it.
    let mut earlier = ReadCounts::default();
    let stmts = &mut program.stmts;
    let mut index = 0;
    while index < stmts.len() {
        let mut scope = Scope {
            function: None,
            reads: &all_reads,
            earlier: &earlier,
            globals_are_private,
            notes: &mut notes,
        };
        group_run_at(&mut scope, stmts, index);
        recurse(&mut stmts[index], &mut |block| {
            group_block(&mut scope, block)
        });
        earlier.stmt(None, &stmts[index]);
        index += 1;
    }
    program.fusion_notes.extend(notes);
}

struct Scope<'a> {
    function: Option<usize>,
    reads: &'a ReadCounts,
    /// Reads that can no longer happen (top-level statements before this one).
    earlier: &'a ReadCounts,
    globals_are_private: bool,
    notes: &'a mut Vec<(Span, FusionNote)>,
}

fn group_block(scope: &mut Scope, block: &mut Block) {
    for index in 0.. {
        if index >= block.stmts.len() {
            break;
        }
        group_run_at(scope, &mut block.stmts, index);
        recurse(&mut block.stmts[index], &mut |inner| {
            group_block(scope, inner)
        });
    }
    if let Some(value) = block.value.as_deref_mut() {
        for_each_block_in_expr(value, &mut |inner| group_block(scope, inner));
    }
}

/// The blocks nested in a statement, except a group's own (which holds no further group).
fn recurse(stmt: &mut Stmt, visit: &mut impl FnMut(&mut Block)) {
    if !matches!(stmt.kind, StmtKind::RowBlocked(_)) {
        for_each_part_mut(stmt, visit);
    }
}

/// Replaces the run of row-local statements starting at `index`, if worthwhile, by a group.
fn group_run_at(scope: &mut Scope, stmts: &mut Vec<Stmt>, index: usize) {
    let run = stmts[index..]
        .iter()
        .take_while(|stmt| row_local_stmt(stmt).is_ok())
        .count();
    if run == 0 {
        if let Err(Some(reason)) = row_local_stmt(&stmts[index]) {
            let note = FusionNote::NotRowBlocked(reason);
            scope.notes.push((stmts[index].span, note));
        }
        return;
    }
    if !worth_blocking(&stmts[index..index + run]) {
        return;
    }
    let group = make_group(scope, stmts.drain(index..index + run).collect());
    let first = group.body.stmts[0].span;
    let last = group.body.stmts[run - 1].span;
    scope.notes.push((
        first,
        FusionNote::RowBlocked {
            last,
            statements: run,
            block_only: group.locals.len(),
        },
    ));
    stmts.insert(
        index,
        Stmt {
            kind: StmtKind::RowBlocked(Box::new(group)),
            // The first member's span: the REPL finds a failed top-level statement by it.
            span: first,
        },
    );
}

/// `Ok` for `v = value` with a row-local array value; `Err(Some(reason))` for an assignment
/// with an axis reduction that is not (worth a note in `nx ir`); `Err(None)` otherwise.
fn row_local_stmt(stmt: &Stmt) -> Result<(), Option<&'static str>> {
    let StmtKind::Assign { value, .. } = &stmt.kind else {
        return Err(None);
    };
    if value.ty.is_scalar() {
        return Err(None);
    }
    row_local(value).map_err(|reason| has_axis_reduction(value).then_some(reason))
}

fn has_axis_reduction(expr: &Expr) -> bool {
    if let ExprKind::Reduce { axes: Some(_), .. } = &expr.kind {
        return true;
    }
    let mut found = false;
    expr.for_each_child(&mut |part| {
        if let Part::Expr(child) = part {
            found |= has_axis_reduction(child);
        }
    });
    found
}

/// Whether every element of `expr` in row `i` depends only on row `i` of its array variables
/// (and on rank-0 values), with no operation that can fail.
fn row_local(expr: &Expr) -> Result<(), &'static str> {
    match &expr.kind {
        ExprKind::Var(_) | ExprKind::Const(_) => Ok(()),
        ExprKind::Reduce {
            arg, axes, ddof, ..
        } => {
            match axes {
                Some(axes) if !axes.contains(&0) && !axes.is_empty() => {}
                _ => return Err("it reduces axis 0, which mixes rows"),
            }
            row_local(arg)?;
            ddof.as_deref().map_or(Ok(()), row_local)
        }
        ExprKind::Binary(op, lhs, _)
            if matches!(op, BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow)
                && !lhs.ty.dtype.is_float() =>
        {
            Err("it has an integer operation that can fail")
        }
        _ if is_elementwise(expr) && !matches!(expr.kind, ExprKind::AdoptWeak(_)) => {
            let mut result = Ok(());
            expr.for_each_child(&mut |part| {
                let Part::Expr(child) = part else {
                    result = Err("it contains a block");
                    return;
                };
                let rank = child.ty.rank();
                if rank != 0 && rank != expr.ty.rank() {
                    result = result.and(Err("an operand of lower rank broadcasts along rows"));
                }
                result = result.and(row_local(child));
            });
            result
        }
        _ => Err("it has an operation other than elementwise ones and axis reductions"),
    }
}

/// Whether some variable is read by two kernels of the run (a reduction's argument is a
/// kernel of its own, `var`/`std` two): only then does a block stay in cache for a reuse.
fn worth_blocking(stmts: &[Stmt]) -> bool {
    let mut kernel_reads: HashMap<VarRef, usize> = HashMap::new();
    for stmt in stmts {
        let StmtKind::Assign { value, .. } = &stmt.kind else {
            continue;
        };
        count_kernel_reads(value, 1, &mut kernel_reads);
    }
    kernel_reads.values().any(|&count| count >= 2)
}

/// Adds `kernels` (how many kernels evaluate the tree rooted at `expr`) to every array variable
/// the tree reads, once per variable; nested reductions are kernels of their own.
fn count_kernel_reads(expr: &Expr, kernels: usize, counts: &mut HashMap<VarRef, usize>) {
    let mut read = Vec::new();
    tree_reads(expr, &mut read, counts);
    for var in read {
        *counts.entry(var).or_default() += kernels;
    }
}

/// Collects the array variables of `expr`'s kernel tree into `read`, counting the kernels of
/// the reductions inside it into `counts`.
fn tree_reads(expr: &Expr, read: &mut Vec<VarRef>, counts: &mut HashMap<VarRef, usize>) {
    match &expr.kind {
        ExprKind::Var(var) if !expr.ty.is_scalar() && !read.contains(var) => read.push(*var),
        ExprKind::Reduce { op, arg, .. } => {
            let passes = match op {
                Reduction::Var | Reduction::Std => 2,
                _ => 1,
            };
            count_kernel_reads(arg, passes, counts);
        }
        _ => expr.for_each_child(&mut |part| {
            if let Part::Expr(child) = part {
                tree_reads(child, read, counts);
            }
        }),
    }
}

/// Sorts the run's variables into inputs, outputs and block-only locals.
fn make_group(scope: &Scope, stmts: Vec<Stmt>) -> RowGroup {
    let mut inputs = Vec::new();
    let mut assigned: Vec<VarRef> = Vec::new();
    let mut group_reads = ReadCounts::default();
    let mut read_before_assigned = Vec::new();
    for stmt in &stmts {
        let StmtKind::Assign { var, value } = &stmt.kind else {
            unreachable!("a row group holds assignments only");
        };
        visit_var_reads(value, &mut |read, is_array| {
            if assigned.contains(&read) {
                return;
            }
            if is_array && !inputs.contains(&read) {
                inputs.push(read);
            }
            read_before_assigned.push(read);
        });
        group_reads.expr(scope.function, value);
        if !assigned.contains(var) {
            assigned.push(*var);
        }
    }
    let (mut outputs, mut locals) = (Vec::new(), Vec::new());
    for var in assigned {
        let private = match var {
            VarRef::Global(_) => scope.globals_are_private,
            VarRef::Local(_) => scope.function.is_some(),
        };
        let read_outside = scope.reads.count(scope.function, var)
            - scope.earlier.count(scope.function, var)
            != group_reads.count(scope.function, var);
        if private && !read_outside && !read_before_assigned.contains(&var) {
            locals.push(var);
        } else {
            outputs.push(var);
        }
    }
    let span = stmts[0].span;
    RowGroup {
        body: Block {
            stmts,
            value: None,
            span,
        },
        inputs,
        outputs,
        locals,
    }
}

/// Calls `visit(var, is_array)` for every variable read in `expr`.
fn visit_var_reads(expr: &Expr, visit: &mut impl FnMut(VarRef, bool)) {
    if let ExprKind::Var(var) = &expr.kind {
        visit(*var, !expr.ty.is_scalar());
    }
    expr.for_each_child(&mut |part| {
        if let Part::Expr(child) = part {
            visit_var_reads(child, visit);
        }
    });
}

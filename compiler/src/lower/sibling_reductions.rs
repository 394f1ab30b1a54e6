//! Sibling reductions, a pass on the typed program after row blocking: consecutive statements
//!
//! ```nx
//! let total = sum(x)
//! let squares = sum(x * x)
//! ```
//!
//! that reduce every axis of arguments of one rank become one `StmtKind::SiblingReductions`,
//! which the executor computes as one kernel with an output per reduction: one pass over `x`
//! instead of two.
//!
//! A run has at most `MAX_SIBLINGS` statements. A statement joins a run when it is `v = r(arg)` with `r` one of `sum`, `prod`, `min`, `max`,
//! `any`, `all`, `count_nonzero` or `mean` over all axes without `keepdims`, `arg` an array tree
//! with no operation that can fail (as statement fusion requires), reading no variable that an
//! earlier statement of the run assigns. Each output is folded exactly as its own kernel would
//! fold it (same values, same fixed order), so fusing changes no bit. At run time the arguments
//! must have one shape with at least one element; otherwise the statements run one by one,
//! which reports any error as they would.

use super::fuse_statements::{for_each_block_in_expr, for_each_part_mut, pure_infallible_tree};
use crate::diagnostics::Span;
use crate::ir::ReduceOp;
use crate::types::hir::{
    Block, Expr, ExprKind, FusionNote, Program, Reduction, Stmt, StmtKind, VarRef,
};
use nx_runtime::DType;

/// Groups sibling reductions in every statement list of the program.
pub fn fuse_sibling_reductions(program: &mut Program) {
    let mut notes = Vec::new();
    fuse_list(&mut program.stmts, &mut notes);
    for function in &mut program.functions {
        fuse_block(&mut function.body, &mut notes);
    }
    program.fusion_notes.extend(notes);
}

fn fuse_block(block: &mut Block, notes: &mut Vec<(Span, FusionNote)>) {
    fuse_list(&mut block.stmts, notes);
    if let Some(value) = block.value.as_deref_mut() {
        for_each_block_in_expr(value, &mut |inner| fuse_block(inner, notes));
    }
}

fn fuse_list(stmts: &mut Vec<Stmt>, notes: &mut Vec<(Span, FusionNote)>) {
    let mut index = 0;
    while index < stmts.len() {
        let run = sibling_run(&stmts[index..]);
        if run >= 2 {
            let members: Vec<Stmt> = stmts.drain(index..index + run).collect();
            let (first, last) = (members[0].span, members[run - 1].span);
            notes.push((first, FusionNote::SiblingReductions { last, count: run }));
            let block = Block {
                stmts: members,
                value: None,
                span: first,
            };
            stmts.insert(
                index,
                Stmt {
                    kind: StmtKind::SiblingReductions(Box::new(block)),
                    // The first member's span: the REPL finds a failed top-level statement by it.
                    span: first,
                },
            );
        } else if !matches!(
            stmts[index].kind,
            StmtKind::RowBlocked(_) | StmtKind::SiblingReductions(_)
        ) {
            for_each_part_mut(&mut stmts[index], &mut |block| fuse_block(block, notes));
        }
        index += 1;
    }
}

/// Reductions per pass: each keeps four vector accumulators (the fixed order's lanes), and
/// more than twelve spill the sixteen vector registers Cranelift allocates on x86-64 (measured:
/// four sums of one array in one kernel ran three times slower than three).
const MAX_SIBLINGS: usize = 3;

/// How many statements from the first form a run of sibling reductions.
fn sibling_run(stmts: &[Stmt]) -> usize {
    let mut assigned: Vec<VarRef> = Vec::new();
    let mut rank = None;
    for (count, stmt) in stmts.iter().take(MAX_SIBLINGS).enumerate() {
        let Some((var, arg_rank)) = full_reduction(stmt) else {
            return count;
        };
        let StmtKind::Assign { value, .. } = &stmt.kind else {
            unreachable!("checked by full_reduction");
        };
        let reads_earlier = assigned.iter().any(|&earlier| value.reads(earlier));
        if reads_earlier || rank.is_some_and(|rank| rank != arg_rank) {
            return count;
        }
        rank = Some(arg_rank);
        assigned.push(var);
    }
    stmts.len().min(MAX_SIBLINGS)
}

/// `v = r(arg)` reducing every axis of an array `arg` that cannot fail: `v` and `arg`'s rank.
fn full_reduction(stmt: &Stmt) -> Option<(VarRef, usize)> {
    let StmtKind::Assign { var, value } = &stmt.kind else {
        return None;
    };
    let ExprKind::Reduce {
        op,
        arg,
        axes,
        keepdims: false,
        ddof: None,
        ..
    } = &value.kind
    else {
        return None;
    };
    let rank = arg.ty.rank();
    let supported = match op {
        Reduction::Plain(op) => !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax),
        Reduction::CountNonzero | Reduction::Mean => true,
        Reduction::Var | Reduction::Std => false,
    };
    let every_axis = axes.as_ref().is_none_or(|axes| axes.len() == rank);
    (supported && every_axis && rank > 0 && pure_infallible_tree(arg)).then_some((*var, rank))
}

/// The reductions of a `StmtKind::SiblingReductions` block, for `sibling_reduction_kernel`:
/// each statement's reduction, argument and result dtype.
pub fn sibling_reductions(block: &Block) -> Vec<(Reduction, &Expr, DType)> {
    block
        .stmts
        .iter()
        .map(|stmt| match &stmt.kind {
            StmtKind::Assign { value, .. } => match &value.kind {
                ExprKind::Reduce { op, arg, .. } => (*op, arg.as_ref(), value.ty.dtype),
                _ => unreachable!("sibling reductions assign reductions"),
            },
            _ => unreachable!("sibling reductions are assignments"),
        })
        .collect()
}

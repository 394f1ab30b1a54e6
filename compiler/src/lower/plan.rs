//! The kernels a whole typed program would launch, without running it: what `nx ir` prints.
//! It walks the program the way the executor does and lowers the same trees the same way.

use super::{
    Leaf, elementwise_call_kernel, elementwise_kernel, is_elementwise, reduction_kernels,
    sibling_reduction_kernel, sibling_reductions,
};
use crate::diagnostics::Span;
use crate::ir::Kernel;
use crate::types::hir::{
    Block, Expr, ExprKind, FnInstance, FusionNote, IndexItem, Part, Stmt, StmtKind,
};

/// The kernels a program launches, each with the span that launches it, and the notes on
/// buffers its statements reuse.
pub type ProgramPlan = (Vec<(Kernel, Span)>, Vec<(Span, FusionNote)>);

/// The kernels a typed program launches, in program order, for `nx ir`. Each array-valued
/// elementwise tree is one kernel and each reduction one kernel with its producer fused. Also
/// where the executor writes results into buffers that already exist (notes by statement).
pub fn program_kernels(stmts: &[Stmt], functions: &[FnInstance], fuse: bool) -> ProgramPlan {
    let mut collector = KernelCollector {
        kernels: Vec::new(),
        notes: Vec::new(),
        functions,
        visited_functions: Vec::new(),
        fuse,
    };
    for stmt in stmts {
        collector.stmt(stmt);
    }
    (collector.kernels, collector.notes)
}

struct KernelCollector<'p> {
    /// Each kernel with the span of the expression that launches it.
    kernels: Vec<(Kernel, Span)>,
    /// Buffer reuse the executor will attempt, by statement.
    notes: Vec<(Span, FusionNote)>,
    functions: &'p [FnInstance],
    visited_functions: Vec<u32>,
    fuse: bool,
}

impl KernelCollector<'_> {
    fn push(&mut self, mut kernel: Kernel, span: Span) {
        kernel.name = format!("k{}", self.kernels.len());
        self.kernels.push((kernel, span));
    }

    fn block(&mut self, block: &Block) {
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
        if let Some(value) = &block.value {
            self.expr(value);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        if let Some(reuse) = buffer_reuse(stmt) {
            self.notes.push((stmt.span, FusionNote::Buffer(reuse)));
        }
        let StmtKind::SiblingReductions(block) = &stmt.kind else {
            stmt.for_each_part(&mut |part| self.part(part));
            return;
        };
        let reductions = sibling_reductions(block);
        let (kernel, leaves, _) = sibling_reduction_kernel(&reductions, self.fuse);
        self.push(kernel, stmt.span);
        self.leaves(leaves);
    }

    fn part(&mut self, part: Part<'_>) {
        match part {
            Part::Expr(expr) => self.expr(expr),
            Part::Block(block) => self.block(block),
        }
    }

    /// Visits the leaves of a kernel built from `leaves`.
    fn leaves(&mut self, leaves: Vec<Leaf<'_>>) {
        for leaf in leaves {
            if let Leaf::Expr(expr) = leaf {
                self.expr(expr);
            }
        }
    }

    fn expr(&mut self, expr: &Expr) {
        if is_elementwise(expr) {
            if expr.ty.is_scalar() {
                self.children(expr);
            } else {
                let (kernel, leaves) = elementwise_kernel("", expr, self.fuse);
                self.push(kernel, expr.span);
                self.leaves(leaves);
            }
            return;
        }
        match &expr.kind {
            ExprKind::Reduce {
                op,
                arg,
                axes,
                mean,
                ..
            } => {
                let reduce_axes = axes.as_ref().map_or(arg.ty.rank(), |a| a.len());
                let mut shared_leaves = None;
                let kernels = reduction_kernels(*op, arg, expr.ty.dtype, reduce_axes, self.fuse);
                // A reused mean skips the first kernel (the sum), as the executor does.
                let skip = usize::from(mean.is_some());
                for (kernel, leaves) in kernels.into_iter().skip(skip) {
                    self.push(kernel, expr.span);
                    shared_leaves.get_or_insert(leaves);
                }
                self.leaves(shared_leaves.unwrap_or_default());
            }
            ExprKind::ElementwiseCall { .. } => {
                match elementwise_call_kernel("", expr, self.functions) {
                    Ok((kernel, leaves)) => {
                        self.push(kernel, expr.span);
                        self.leaves(leaves);
                    }
                    // Applied per element by the executor: no kernel of its own.
                    Err(_) => self.children(expr),
                }
            }
            ExprKind::Call { func, args } => {
                for arg in args {
                    self.expr(arg);
                }
                if !self.visited_functions.contains(&func.0) {
                    self.visited_functions.push(func.0);
                    if let Some(function) = self.functions.get(func.0 as usize) {
                        self.block(&function.body);
                    }
                }
            }
            _ => self.children(expr),
        }
    }

    fn children(&mut self, expr: &Expr) {
        expr.for_each_child(&mut |part| self.part(part));
    }
}

/// Where the executor writes a statement's elementwise result into an existing buffer
/// (`exec/launch.rs`, `exec/in_place.rs`), as `nx ir` says it.
fn buffer_reuse(stmt: &Stmt) -> Option<&'static str> {
    match &stmt.kind {
        StmtKind::Assign { var, value }
            if is_elementwise(value) && !value.ty.is_scalar() && value.reads(*var) =>
        {
            Some("the result overwrites the variable's old buffer when nothing else holds it")
        }
        StmtKind::AssignIndex { var, items, value }
            if is_elementwise(value) && !value.ty.is_scalar() =>
        {
            let basic = items
                .iter()
                .all(|item| !matches!(item, IndexItem::Mask(_) | IndexItem::Gather(_)));
            match (basic, value.reads(*var)) {
                (false, _) => None,
                (true, false) => Some("the kernel writes straight into the target's buffer"),
                (true, true) => Some(
                    "reads its own target: written in place by blocks of rows, each block \
                     after the next is computed, when the reads stay within reach (else \
                     through one temporary)",
                ),
            }
        }
        _ => None,
    }
}

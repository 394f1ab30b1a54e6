//! The kernels a whole typed program would launch, without running it: what `nx ir` prints.
//! It walks the program the way the executor does and lowers the same trees the same way.

use super::{Leaf, elementwise_call_kernel, elementwise_kernel, is_elementwise, reduction_kernels};
use crate::diagnostics::Span;
use crate::ir::Kernel;
use crate::types::hir::{Block, Creation, Expr, ExprKind, FnInstance, IndexItem, Stmt, StmtKind};

/// The kernels a typed program launches, in program order, for `nx ir`. Each array-valued
/// elementwise tree is one kernel and each reduction one kernel with its producer fused.
pub fn program_kernels(
    stmts: &[Stmt],
    functions: &[FnInstance],
    fuse: bool,
) -> Vec<(Kernel, Span)> {
    let mut collector = KernelCollector {
        kernels: Vec::new(),
        functions,
        visited_functions: Vec::new(),
        fuse,
    };
    for stmt in stmts {
        collector.stmt(stmt);
    }
    collector.kernels
}

struct KernelCollector<'p> {
    /// Each kernel with the span of the expression that launches it.
    kernels: Vec<(Kernel, Span)>,
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
        match &stmt.kind {
            StmtKind::Assign { value, .. } | StmtKind::Expr { value, .. } => self.expr(value),
            StmtKind::AssignIndex { items, value, .. } => {
                self.index_items(items);
                self.expr(value);
            }
            StmtKind::ForRange {
                start,
                end,
                step,
                body,
                ..
            } => {
                self.expr(start);
                self.expr(end);
                if let Some(step) = step {
                    self.expr(step);
                }
                self.block(body);
            }
            StmtKind::ForArray { array, body, .. } => {
                self.expr(array);
                self.block(body);
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.block(then);
                if let Some(else_) = else_ {
                    self.block(else_);
                }
            }
            StmtKind::Return(Some(value)) => self.expr(value),
            StmtKind::Assert { cond, .. } => self.expr(cond),
            StmtKind::Print(args) | StmtKind::Call { args, .. } => {
                for arg in args {
                    self.expr(arg);
                }
            }
            StmtKind::Block(block) => self.block(block),
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
        }
    }

    fn index_items(&mut self, items: &[IndexItem]) {
        for item in items {
            match item {
                IndexItem::Int(e) | IndexItem::Mask(e) | IndexItem::Gather(e) => self.expr(e),
                IndexItem::Slice { start, stop, step } => {
                    for part in [start, stop, step].into_iter().flatten() {
                        self.expr(part);
                    }
                }
                IndexItem::NewAxis | IndexItem::Ellipsis => {}
            }
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
            ExprKind::Reduce { op, arg, axes, .. } => {
                let reduce_axes = axes.as_ref().map_or(arg.ty.rank(), |a| a.len());
                let mut shared_leaves = None;
                for (kernel, leaves) in
                    reduction_kernels(*op, arg, expr.ty.dtype, reduce_axes, self.fuse)
                {
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
        match &expr.kind {
            ExprKind::Unary(_, a)
            | ExprKind::Cast(a)
            | ExprKind::AdoptWeak(a)
            | ExprKind::Shape(a)
            | ExprKind::Transpose(a)
            | ExprKind::Len(a)
            | ExprKind::Size(a) => self.expr(a),
            ExprKind::Binary(_, a, b) | ExprKind::Logical { lhs: a, rhs: b, .. } => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Where(a, b, c) => {
                self.expr(a);
                self.expr(b);
                self.expr(c);
            }
            ExprKind::Math(_, args)
            | ExprKind::List(args)
            | ExprKind::Call { args, .. }
            | ExprKind::ElementwiseCall { args, .. }
            | ExprKind::Library { args, .. } => {
                for arg in args {
                    self.expr(arg);
                }
            }
            ExprKind::Reduce { arg, ddof, .. } => {
                self.expr(arg);
                if let Some(ddof) = ddof {
                    self.expr(ddof);
                }
            }
            ExprKind::Creation(creation) => match creation {
                Creation::Full { shape, value } => {
                    self.expr(shape);
                    self.expr(value);
                }
                Creation::Arange { start, stop, step } => {
                    self.expr(start);
                    self.expr(stop);
                    self.expr(step);
                }
                Creation::Linspace {
                    start, stop, num, ..
                } => {
                    self.expr(start);
                    self.expr(stop);
                    self.expr(num);
                }
                Creation::Eye { n } => self.expr(n),
            },
            ExprKind::Index { base, items } => {
                self.expr(base);
                self.index_items(items);
            }
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.block(then);
                self.block(else_);
            }
            ExprKind::Block(block) => self.block(block),
            ExprKind::Const(_)
            | ExprKind::Var(_)
            | ExprKind::Clock
            | ExprKind::Unsupported(_)
            | ExprKind::Str(_) => {}
        }
    }
}

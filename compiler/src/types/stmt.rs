//! Statements: `let`, rebinding and indexed assignment (§5, §6), blocks and their values,
//! `if`/`for`/`while`, `break`/`continue`, `return`, `assert`, and the top level of a module.

use std::collections::HashSet;

use nx_runtime::DType;

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::ast;

use super::context::BindingKind;
use super::context::Cx;
use super::expr::{BlockValue, Checked, Want};
use super::hir::{Block, Dim, Expr, ExprKind, Stmt, StmtKind, Type, VarRef};
use super::promote::{join_dims, mk};

impl Cx<'_> {
    /// The top level of a file or REPL input: hoists its functions, then checks its statements
    /// in order (imports inline the imported file's statements).
    pub(crate) fn check_module(
        &mut self,
        module: &ast::Module,
        file: FileId,
        repl: bool,
    ) -> Vec<Stmt> {
        let defs = self.hoist_functions(module);
        let mut out = Vec::new();
        let mut fn_index = 0usize;
        for stmt in &module.stmts {
            match &stmt.kind {
                ast::StmtKind::Fn(def) => {
                    // A definition shadows from its position on whatever an import brought in
                    // under the same name (it was hoisted to the start as well).
                    if let Some(id) = defs.get(fn_index) {
                        self.ck.fns.insert(def.name.name.clone(), *id);
                    }
                    fn_index += 1;
                }
                ast::StmtKind::Import { path, path_span } => {
                    self.import(file, path, *path_span, &mut out);
                }
                ast::StmtKind::Expr(e) => {
                    let want = if repl { Want::Optional } else { Want::Discard };
                    match self.expr_or_void(e, want) {
                        Checked::Value(value) => out.push(Stmt {
                            kind: StmtKind::Expr { value, show: repl },
                            span: stmt.span,
                        }),
                        Checked::Void(stmt) => out.push(*stmt),
                        Checked::Error => {}
                    }
                }
                _ => self.stmt(stmt, &mut out),
            }
        }
        self.check_uncalled(&defs);
        out
    }

    pub(crate) fn type_of_expr(&mut self, e: &ast::Expr) -> Option<Type> {
        self.expr(e).map(|e| e.ty)
    }

    /// A block: its statements, and its value when `want` asks for one and the last statement
    /// is an expression with a value.
    pub(crate) fn block(
        &mut self,
        block: &ast::Block,
        want: Want,
        new_scope: bool,
    ) -> (Block, BlockValue) {
        if new_scope {
            self.push_scope();
        }
        let mut stmts = Vec::new();
        let mut value = None;
        let mut state = BlockValue::Void;
        let n = block.stmts.len();
        for (i, stmt) in block.stmts.iter().enumerate() {
            if i + 1 == n
                && want != Want::Discard
                && let ast::StmtKind::Expr(e) = &stmt.kind
            {
                match self.expr_or_void(e, want) {
                    Checked::Value(v) => {
                        value = Some(Box::new(v));
                        state = BlockValue::Value;
                    }
                    Checked::Void(s) => stmts.push(*s),
                    Checked::Error => state = BlockValue::Error,
                }
            } else {
                self.stmt(stmt, &mut stmts);
            }
        }
        if new_scope {
            self.pop_scope();
        }
        (
            Block {
                stmts,
                value,
                span: block.span,
            },
            state,
        )
    }

    /// One statement inside a block (or at the top level, for the kinds that are the same).
    pub(crate) fn stmt(&mut self, stmt: &ast::Stmt, out: &mut Vec<Stmt>) {
        let span = stmt.span;
        match &stmt.kind {
            ast::StmtKind::Let {
                name,
                annotation,
                value,
            } => self.let_stmt(name, annotation.as_ref(), value, span, out),
            ast::StmtKind::Assign { target, op, value } => {
                self.assign(target, *op, value, span, out)
            }
            ast::StmtKind::Expr(e) => match self.expr_or_void(e, Want::Discard) {
                Checked::Value(value) => out.push(Stmt {
                    kind: StmtKind::Expr { value, show: false },
                    span,
                }),
                Checked::Void(s) => out.push(*s),
                Checked::Error => {}
            },
            ast::StmtKind::For { var, iter, body } => self.for_stmt(var, iter, body, span, out),
            ast::StmtKind::While { cond, body } => {
                self.widen_assigned(&body.stmts, Some(cond));
                let cond = self.condition(cond, "while");
                self.frame().loop_depth += 1;
                let (body, _) = self.block(body, Want::Discard, true);
                self.frame().loop_depth -= 1;
                if let Some(cond) = cond {
                    out.push(Stmt {
                        kind: StmtKind::While { cond, body },
                        span,
                    });
                }
            }
            ast::StmtKind::Break | ast::StmtKind::Continue => {
                let is_break = matches!(stmt.kind, ast::StmtKind::Break);
                if self.frame_ref().loop_depth == 0 {
                    let word = if is_break { "break" } else { "continue" };
                    self.error(span, format!("`{word}` outside of a loop"));
                    return;
                }
                out.push(Stmt {
                    kind: if is_break {
                        StmtKind::Break
                    } else {
                        StmtKind::Continue
                    },
                    span,
                });
            }
            ast::StmtKind::Return(value) => {
                if let Some(stmt) = self.return_stmt(value.as_ref(), span) {
                    out.push(stmt);
                }
            }
            ast::StmtKind::Fn(def) => {
                self.report(
                    Diagnostic::type_error(
                        def.name.span,
                        "functions can only be defined at the top level",
                    )
                    .with_hint("move this `fn` out of the block"),
                );
            }
            ast::StmtKind::Import { .. } => {
                self.error(span, "`import` is only allowed at the top level of a file");
            }
            ast::StmtKind::Assert { cond, message } => {
                if let Some(cond) = self.condition(cond, "assert") {
                    out.push(Stmt {
                        kind: StmtKind::Assert {
                            cond,
                            message: message.clone(),
                        },
                        span,
                    });
                }
            }
        }
    }

    fn let_stmt(
        &mut self,
        name: &ast::Ident,
        annotation: Option<&ast::TypeExpr>,
        value: &ast::Expr,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let checked = self.expr_with_annotation(value, annotation);
        let converted = match (checked, annotation) {
            (Some(value), Some(annotation)) => {
                self.convert_to_annotation(value, annotation, &name.name)
            }
            (value, _) => value,
        };
        let ty = converted.as_ref().map(|v| v.ty.clone());
        let var = self.declare(&name.name, ty, name.span);
        if let Some(value) = converted {
            out.push(Stmt {
                kind: StmtKind::Assign { var, value },
                span,
            });
        }
    }

    /// The annotation's type with named and `_` sizes unknown.
    pub(crate) fn annotation_type(&self, annotation: &ast::TypeExpr) -> Type {
        let dims = annotation
            .dims
            .as_ref()
            .map(|dims| {
                dims.iter()
                    .map(|d| match d {
                        ast::DimExpr::Known(n) => Dim::Known(*n),
                        _ => Dim::Unknown,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Type::array(annotation.dtype, dims)
    }

    /// `let x: T = value`: same rank, known sizes agree, same-kind conversion (§6).
    fn convert_to_annotation(
        &mut self,
        value: Expr,
        annotation: &ast::TypeExpr,
        name: &str,
    ) -> Option<Expr> {
        let expected = self.annotation_type(annotation);
        if value.ty.rank() != expected.rank() || !dims_agree(&value.ty.dims, &expected.dims) {
            self.report(
                Diagnostic::type_error(
                    value.span,
                    format!("expected {expected}, found {}", value.ty),
                )
                .with_note(
                    annotation.span,
                    format!("`{name}` is declared {expected} here"),
                ),
            );
            return None;
        }
        let value_dims = value.ty.dims.clone();
        let mut converted = self.convert_same_kind(value, expected.dtype, |ty| {
            format!("cannot convert {ty} to {expected} for `{name}`")
        })?;
        converted.ty = Type {
            dtype: expected.dtype,
            dims: value_dims,
            weak: false,
        };
        Some(converted)
    }

    fn assign(
        &mut self,
        target: &ast::Expr,
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        match &target.kind {
            ast::ExprKind::Name(ident) => {
                self.assign_name(ident, target.span, op, value, span, out)
            }
            ast::ExprKind::Index { base, items } => {
                let ast::ExprKind::Name(ident) = &base.kind else {
                    let _ = self.expr(value);
                    let mut diagnostic = Diagnostic::type_error(
                        target.span,
                        "cannot assign to an index of an index",
                    );
                    if let ast::ExprKind::Index {
                        base: inner,
                        items: inner_items,
                    } = &base.kind
                    {
                        if let Some(text) = render_index(inner, inner_items, items) {
                            diagnostic = diagnostic
                                .with_hint(format!("use one index expression: `{text} = ...`"));
                        } else {
                            diagnostic = diagnostic
                                .with_hint("use one index expression, e.g. `a[0, 1] = ...`");
                        }
                    } else {
                        diagnostic = Diagnostic::type_error(
                            target.span,
                            "cannot assign into this expression",
                        )
                        .with_hint(
                            "the target of an indexed assignment is a variable, e.g. `a[i] = ...`",
                        );
                    }
                    self.report(diagnostic);
                    return;
                };
                self.assign_index(ident, items, target.span, op, value, span, out);
            }
            ast::ExprKind::Error => {
                let _ = self.expr(value);
            }
            _ => {
                let _ = self.expr(value);
                self.report(
                    Diagnostic::type_error(target.span, "cannot assign to this expression")
                        .with_hint(
                            "an assignment target is a variable `x` or an indexed variable `x[i]`",
                        ),
                );
            }
        }
    }

    /// Resolves the variable of an assignment target, reporting why it cannot be assigned.
    /// `Err(())` after an error; `Ok(None)` when the binding has the error type.
    fn assignable(&mut self, ident: &ast::Ident, into: bool) -> Result<Option<(VarRef, Type)>, ()> {
        let Some((binding, in_frame)) = self.lookup_for_assignment(&ident.name) else {
            let mut diagnostic = Diagnostic::type_error(
                ident.span,
                format!("cannot find `{}` in this scope", ident.name),
            );
            if into {
                diagnostic = diagnostic.with_hint("declare the array first with `let`");
            } else {
                diagnostic = diagnostic.with_hint(format!(
                    "to declare a new variable write `let {} = ...`",
                    ident.name
                ));
            }
            self.report(diagnostic);
            return Err(());
        };
        if !matches!(binding.kind, BindingKind::Var) {
            self.report(
                Diagnostic::type_error(
                    ident.span,
                    format!("cannot assign to the predeclared constant `{}`", ident.name),
                )
                .with_hint(format!("to shadow it write `let {} = ...`", ident.name)),
            );
            return Err(());
        }
        if !in_frame {
            let what = if into { "assign into" } else { "assign to" };
            self.report(
                Diagnostic::type_error(
                    ident.span,
                    format!(
                        "cannot {what} the global variable `{}` inside a function",
                        ident.name
                    ),
                )
                .with_note(binding.span, "the global is defined here")
                .with_hint("pass it as an argument and return the new value"),
            );
            return Err(());
        }
        Ok(binding.ty.map(|ty| (binding.var, ty)))
    }

    fn assign_name(
        &mut self,
        ident: &ast::Ident,
        target_span: Span,
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let resolved = self.assignable(ident, false);
        let rhs = self.expr(value);
        let Ok(Some((var, ty))) = resolved else {
            return;
        };
        let Some(rhs) = rhs else { return };
        let new_value = match op {
            Some(op) => {
                let current = mk(ExprKind::Var(var), ty.clone(), target_span);
                let Some(v) = self.binary(op, current, rhs, span, target_span, value.span) else {
                    return;
                };
                v
            }
            None => rhs,
        };
        if new_value.ty.rank() != ty.rank() {
            self.report(
                Diagnostic::type_error(
                    value.span,
                    format!(
                        "cannot assign {} to `{}` of type {ty}: the rank must stay {}",
                        new_value.ty,
                        ident.name,
                        ty.rank()
                    ),
                )
                .with_hint(format!(
                    "to make a new binding write `let {} = ...`",
                    ident.name
                )),
            );
            return;
        }
        let new_dims = join_dims(&ty.dims, &new_value.ty.dims);
        let name = ident.name.clone();
        let target_ty = ty.clone();
        let Some(mut converted) = self.convert_same_kind(new_value, ty.dtype, |from| {
            format!("cannot assign {from} to `{name}` of type {target_ty}")
        }) else {
            return;
        };
        converted.ty.weak = ty.weak;
        let new_ty = Type {
            dtype: ty.dtype,
            dims: new_dims,
            weak: ty.weak,
        };
        self.update_binding_type(&ident.name, var, new_ty);
        out.push(Stmt {
            kind: StmtKind::Assign {
                var,
                value: converted,
            },
            span,
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn assign_index(
        &mut self,
        ident: &ast::Ident,
        items: &[ast::IndexItem],
        target_span: Span,
        op: Option<ast::BinaryOp>,
        value: &ast::Expr,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let resolved = self.assignable(ident, true);
        let (var, ty) = match resolved {
            Ok(Some(found)) => found,
            _ => {
                let _ = self.expr(value);
                return;
            }
        };
        let indexed = self.index_items(&ty, items, target_span);
        let rhs = self.expr(value);
        let (Some((items, dims)), Some(rhs)) = (indexed, rhs) else {
            return;
        };
        let selection = Type::array(ty.dtype, dims);
        let new_value = match op {
            Some(op) => {
                let base = mk(ExprKind::Var(var), ty.clone(), ident.span);
                let read_kind = ExprKind::Index {
                    base: Box::new(base),
                    items: items.clone(),
                };
                let read = mk(read_kind, selection.clone(), target_span);
                let Some(v) = self.binary(op, read, rhs, span, target_span, value.span) else {
                    return;
                };
                v
            }
            None => rhs,
        };
        if !fits_selection(&new_value.ty.dims, &selection.dims) {
            self.report(
                Diagnostic::type_error(
                    value.span,
                    format!(
                        "cannot assign {} to a selection of type {selection}",
                        new_value.ty
                    ),
                )
                .with_note(target_span, format!("this selects {selection}"))
                .with_hint("the value must broadcast to the selection's shape"),
            );
            return;
        }
        let name = ident.name.clone();
        let target_dtype = ty.dtype;
        let Some(converted) = self.convert_same_kind(new_value, ty.dtype, |from| {
            format!("cannot assign {from} into `{name}` of dtype {target_dtype}")
        }) else {
            return;
        };
        out.push(Stmt {
            kind: StmtKind::AssignIndex {
                var,
                items,
                value: converted,
            },
            span,
        });
    }

    fn for_stmt(
        &mut self,
        var: &ast::Ident,
        iter: &ast::ForIter,
        body: &ast::Block,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        self.widen_assigned(&body.stmts, None);
        match iter {
            ast::ForIter::Range { start, end, step } => {
                let bound = |cx: &mut Self, e: &ast::Expr| {
                    cx.expr(e).and_then(|v| cx.index_int(v, "a range bound"))
                };
                let start = bound(self, start);
                let end = bound(self, end);
                let step = step.as_ref().map(|s| bound(self, s));
                self.push_scope();
                let slot = self.declare(&var.name, Some(Type::weak_scalar(DType::I64)), var.span);
                self.frame().loop_depth += 1;
                let (body, _) = self.block(body, Want::Discard, true);
                self.frame().loop_depth -= 1;
                self.pop_scope();
                let (Some(start), Some(end)) = (start, end) else {
                    return;
                };
                let step = match step {
                    None => None,
                    Some(Some(step)) => Some(Box::new(step)),
                    Some(None) => return,
                };
                out.push(Stmt {
                    kind: StmtKind::ForRange {
                        var: slot,
                        start,
                        end,
                        step,
                        body,
                    },
                    span,
                });
            }
            ast::ForIter::Array(array) => {
                let array_value = self.expr(array);
                let element = match &array_value {
                    Some(a) if a.ty.rank() == 0 => {
                        self.report(
                            Diagnostic::type_error(
                                array.span,
                                format!("cannot iterate over a rank-0 value ({})", a.ty),
                            )
                            .with_hint("to count, use a range: `for i in 0..n`"),
                        );
                        None
                    }
                    Some(a) => Some(Type::array(a.ty.dtype, a.ty.dims[1..].to_vec())),
                    None => None,
                };
                self.push_scope();
                let slot = self.declare(&var.name, element.clone(), var.span);
                self.frame().loop_depth += 1;
                let (body, _) = self.block(body, Want::Discard, true);
                self.frame().loop_depth -= 1;
                self.pop_scope();
                if let (Some(array), Some(_)) = (array_value, element) {
                    out.push(Stmt {
                        kind: StmtKind::ForArray {
                            var: slot,
                            array,
                            body,
                        },
                        span,
                    });
                }
            }
        }
    }

    /// Before a loop: variables the loop rebinds lose their static sizes (they may change from
    /// one iteration to the next).
    fn widen_assigned(&mut self, stmts: &[ast::Stmt], extra: Option<&ast::Expr>) {
        let names = assigned_names(stmts, extra);
        for name in names {
            if let Some((binding, true)) = self.lookup_for_assignment(&name)
                && let Some(ty) = binding.ty.clone()
                && ty.dims.iter().any(|d| matches!(d, Dim::Known(_)))
            {
                let widened = Type {
                    dims: vec![Dim::Unknown; ty.rank()],
                    ..ty
                };
                self.update_binding_type(&name, binding.var, widened);
            }
        }
    }
}

/// Whether known sizes agree axis by axis (equal ranks assumed).
pub(crate) fn dims_agree(a: &[Dim], b: &[Dim]) -> bool {
    a.iter().zip(b).all(|(x, y)| match (x, y) {
        (Dim::Known(p), Dim::Known(q)) => p == q,
        _ => true,
    })
}

/// Whether a value of dims `value` broadcasts to a selection of dims `selection`.
fn fits_selection(value: &[Dim], selection: &[Dim]) -> bool {
    if value.len() > selection.len() {
        return false;
    }
    let offset = selection.len() - value.len();
    value
        .iter()
        .enumerate()
        .all(|(i, v)| match (v, selection[offset + i]) {
            (Dim::Known(p), Dim::Known(q)) => *p == q || *p == 1,
            _ => true,
        })
}

/// Names assigned (`x = …`, `x op= …`) anywhere in these statements, walked iteratively.
fn assigned_names(stmts: &[ast::Stmt], extra: Option<&ast::Expr>) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut stmt_work: Vec<&ast::Stmt> = stmts.iter().collect();
    let mut expr_work: Vec<&ast::Expr> = extra.into_iter().collect();
    loop {
        if let Some(stmt) = stmt_work.pop() {
            match &stmt.kind {
                ast::StmtKind::Let { value, .. } => expr_work.push(value),
                ast::StmtKind::Assign { target, value, .. } => {
                    if let ast::ExprKind::Name(ident) = &target.kind {
                        names.insert(ident.name.clone());
                    }
                    expr_work.push(value);
                }
                ast::StmtKind::Expr(e) => expr_work.push(e),
                ast::StmtKind::For { iter, body, .. } => {
                    match iter {
                        ast::ForIter::Range { start, end, step } => {
                            expr_work.push(start);
                            expr_work.push(end);
                            expr_work.extend(step.iter());
                        }
                        ast::ForIter::Array(a) => expr_work.push(a),
                    }
                    stmt_work.extend(body.stmts.iter());
                }
                ast::StmtKind::While { cond, body } => {
                    expr_work.push(cond);
                    stmt_work.extend(body.stmts.iter());
                }
                ast::StmtKind::Return(Some(e)) => expr_work.push(e),
                ast::StmtKind::Assert { cond, .. } => expr_work.push(cond),
                _ => {}
            }
            continue;
        }
        let Some(expr) = expr_work.pop() else { break };
        match &expr.kind {
            ast::ExprKind::Unary { operand, .. } => expr_work.push(operand),
            ast::ExprKind::Binary { lhs, rhs, .. } => {
                expr_work.push(lhs);
                expr_work.push(rhs);
            }
            ast::ExprKind::Cast { value, .. } => expr_work.push(value),
            ast::ExprKind::Call { args, .. } => expr_work.extend(args.iter().map(|a| &a.value)),
            ast::ExprKind::MethodCall { receiver, args, .. } => {
                expr_work.push(receiver);
                expr_work.extend(args.iter().map(|a| &a.value));
            }
            ast::ExprKind::Property { receiver, .. } => expr_work.push(receiver),
            ast::ExprKind::Index { base, items } => {
                expr_work.push(base);
                for item in items {
                    match item {
                        ast::IndexItem::Expr(e) => expr_work.push(e),
                        ast::IndexItem::Slice {
                            start, stop, step, ..
                        } => {
                            expr_work.extend(start.as_deref());
                            expr_work.extend(stop.as_deref());
                            expr_work.extend(step.as_deref());
                        }
                        ast::IndexItem::Ellipsis(_) => {}
                    }
                }
            }
            ast::ExprKind::List(items) => expr_work.extend(items.iter()),
            ast::ExprKind::If { cond, then, else_ } => {
                expr_work.push(cond);
                stmt_work.extend(then.stmts.iter());
                expr_work.extend(else_.iter().map(|e| &**e));
            }
            ast::ExprKind::Block(block) => stmt_work.extend(block.stmts.iter()),
            _ => {}
        }
    }
    names
}

/// `a[0][1]` rendered as `a[0, 1]` when every part is simple enough to print.
fn render_index(
    base: &ast::Expr,
    first: &[ast::IndexItem],
    second: &[ast::IndexItem],
) -> Option<String> {
    let ast::ExprKind::Name(ident) = &base.kind else {
        return None;
    };
    let mut parts = Vec::new();
    for item in first.iter().chain(second) {
        parts.push(render_item(item)?);
    }
    Some(format!("{}[{}]", ident.name, parts.join(", ")))
}

fn render_item(item: &ast::IndexItem) -> Option<String> {
    match item {
        ast::IndexItem::Expr(e) => render_simple(e),
        ast::IndexItem::Ellipsis(_) => Some("...".to_string()),
        ast::IndexItem::Slice {
            start, stop, step, ..
        } => {
            let part = |e: &Option<Box<ast::Expr>>| match e {
                None => Some(String::new()),
                Some(e) => render_simple(e),
            };
            let mut text = format!("{}:{}", part(start)?, part(stop)?);
            if step.is_some() {
                text.push(':');
                text.push_str(&part(step)?);
            }
            Some(text)
        }
    }
}

fn render_simple(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ast::ExprKind::Int {
            value,
            suffix: None,
        } => Some(value.to_string()),
        ast::ExprKind::Name(ident) => Some(ident.name.clone()),
        ast::ExprKind::Unary {
            op: ast::UnaryOp::Neg,
            operand,
        } => render_simple(operand).map(|s| format!("-{s}")),
        _ => None,
    }
}

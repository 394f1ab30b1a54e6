//! Parser tests. Trees are compared through a compact S-expression printer:
//! `(+ 1 (* 2 3))`, `(index a (: 1 -1 _))`, `(let x: f64[n] e)`.

use super::ast::*;
use super::{needs_more_input, parse};
use crate::diagnostics::Diagnostic;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// The S-expression printer.

fn opt(expr: &Option<Expr>) -> String {
    expr.as_ref().map_or("_".to_string(), show_expr)
}

fn show_type(ty: &TypeExpr) -> String {
    let mut out = ty.dtype.name().to_string();
    if let Some(dims) = &ty.dims {
        let dims: Vec<String> = dims
            .iter()
            .map(|dim| match dim {
                DimExpr::Known(size) => size.to_string(),
                DimExpr::Named(name) => name.name.clone(),
                DimExpr::Any(_) => "_".to_string(),
            })
            .collect();
        out.push_str(&format!("[{}]", dims.join(", ")));
    }
    out
}

fn show_args(args: &[Arg]) -> String {
    args.iter()
        .map(|arg| match &arg.name {
            Some(name) => format!(" (= {} {})", name.name, show_expr(&arg.value)),
            None => format!(" {}", show_expr(&arg.value)),
        })
        .collect()
}

fn show_block(block: &Block) -> String {
    let stmts: Vec<String> = block.stmts.iter().map(show_stmt).collect();
    if stmts.is_empty() {
        "{}".to_string()
    } else {
        format!("{{{}}}", stmts.join("; "))
    }
}

fn show_expr(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Int { value, suffix } => {
            format!("{value}{}", suffix.map_or("", |s| s.name()))
        }
        ExprKind::Float { text, suffix } => {
            format!("{text}{}", suffix.map_or("", |s| s.name()))
        }
        ExprKind::Bool(value) => value.to_string(),
        ExprKind::Str(text) => format!("{text:?}"),
        ExprKind::DType(dtype) => dtype.name().to_string(),
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Unary { op, operand } => format!("({} {})", op.symbol(), show_expr(operand)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), show_expr(lhs), show_expr(rhs))
        }
        ExprKind::Cast { value, to, .. } => format!("(as {} {})", show_expr(value), to.name()),
        ExprKind::Call { func, args } => format!("(call {}{})", func.name, show_args(args)),
        ExprKind::MethodCall {
            receiver,
            method,
            args,
        } => format!(
            "(.{} {}{})",
            method.name,
            show_expr(receiver),
            show_args(args)
        ),
        ExprKind::Property { receiver, name } => {
            format!("(. {} {})", show_expr(receiver), name.name)
        }
        ExprKind::Index { base, items } => {
            let items: String = items
                .iter()
                .map(|item| match item {
                    IndexItem::Expr(e) => format!(" {}", show_expr(e)),
                    IndexItem::Slice {
                        start, stop, step, ..
                    } => format!(" (: {} {} {})", opt(start), opt(stop), opt(step)),
                    IndexItem::Ellipsis(_) => " ...".to_string(),
                })
                .collect();
            format!("(index {}{items})", show_expr(base))
        }
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(show_expr).collect();
            format!("[{}]", items.join(" "))
        }
        ExprKind::If { cond, then, else_ } => match else_ {
            Some(else_) => format!(
                "(if {} {} {})",
                show_expr(cond),
                show_block(then),
                show_expr(else_)
            ),
            None => format!("(if {} {})", show_expr(cond), show_block(then)),
        },
        ExprKind::Block(block) => show_block(block),
        ExprKind::Error => "<error>".to_string(),
    }
}

fn show_stmt(stmt: &Stmt) -> String {
    match &stmt.kind {
        StmtKind::Let {
            name,
            annotation,
            value,
        } => match annotation {
            Some(ty) => format!("(let {}: {} {})", name.name, show_type(ty), show_expr(value)),
            None => format!("(let {} {})", name.name, show_expr(value)),
        },
        StmtKind::Assign { target, op, value } => format!(
            "({}= {} {})",
            op.map_or("", |op| op.symbol()),
            show_expr(target),
            show_expr(value)
        ),
        StmtKind::Expr(expr) => show_expr(expr),
        StmtKind::For { var, iter, body } => {
            let iter = match iter {
                ForIter::Range { start, end, step } => format!(
                    "(range {} {}{})",
                    show_expr(start),
                    show_expr(end),
                    step.as_ref()
                        .map_or(String::new(), |s| format!(" {}", show_expr(s)))
                ),
                ForIter::Array(expr) => show_expr(expr),
            };
            format!("(for {} {iter} {})", var.name, show_block(body))
        }
        StmtKind::While { cond, body } => {
            format!("(while {} {})", show_expr(cond), show_block(body))
        }
        StmtKind::Break => "break".to_string(),
        StmtKind::Continue => "continue".to_string(),
        StmtKind::Return(None) => "return".to_string(),
        StmtKind::Return(Some(value)) => format!("(return {})", show_expr(value)),
        StmtKind::Fn(def) => {
            let params: Vec<String> = def
                .params
                .iter()
                .map(|p| {
                    let mut out = p.name.name.clone();
                    if let Some(ty) = &p.annotation {
                        out = format!("{out}: {}", show_type(ty));
                    }
                    if let Some(default) = &p.default {
                        out = format!("{out} = {}", show_expr(default));
                    }
                    if out.contains(' ') { format!("({out})") } else { out }
                })
                .collect();
            let ret = def
                .ret
                .as_ref()
                .map_or(String::new(), |t| format!(" -> {}", show_type(t)));
            format!(
                "(fn {} ({}){ret} {})",
                def.name.name,
                params.join(" "),
                show_expr(&def.body)
            )
        }
        StmtKind::Import { path, .. } => format!("(import {path:?})"),
        StmtKind::Assert { cond, message } => match message {
            Some(message) => format!("(assert {} {message:?})", show_expr(cond)),
            None => format!("(assert {})", show_expr(cond)),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn parse_ok(source: &str) -> Module {
    let (module, diagnostics) = parse(0, source);
    assert!(
        diagnostics.is_empty(),
        "unexpected errors for {source:?}: {:#?}",
        diagnostics
    );
    module
}

/// The statements of `source`, printed and joined with `; `.
fn sx(source: &str) -> String {
    let module = parse_ok(source);
    let stmts: Vec<String> = module.stmts.iter().map(show_stmt).collect();
    stmts.join("; ")
}

fn errors(source: &str) -> Vec<Diagnostic> {
    let (_, diagnostics) = parse(0, source);
    assert!(!diagnostics.is_empty(), "expected errors for {source:?}");
    diagnostics
}

fn messages(source: &str) -> Vec<String> {
    errors(source).into_iter().map(|d| d.message).collect()
}

fn first_error(source: &str) -> Diagnostic {
    errors(source).remove(0)
}

// ---------------------------------------------------------------------------------------
// Smoke.

#[test]
fn smoke() {
    assert_eq!(sx("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(sx("let x = 1\nlet y = 2"), "(let x 1); (let y 2)");
}

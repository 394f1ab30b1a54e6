//! Small constructors used by the grammar's actions, kept here so that the grammar reads
//! as grammar.

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::ast::{BinaryOp, DimExpr, Expr, ExprKind, UnaryOp};
use crate::syntax::lexer::{NumLit, Tok};
use lalrpop_util::{ErrorRecovery, ParseError};

pub fn span(file: FileId, start: usize, end: usize) -> Span {
    Span::new(file, start, end)
}

pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

pub fn unary(op: UnaryOp, operand: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Unary {
            op,
            operand: Box::new(operand),
        },
        span,
    }
}

pub fn number_expr(number: NumLit) -> ExprKind {
    match number {
        NumLit::Int { value, suffix } => ExprKind::Int { value, suffix },
        NumLit::Float { text, suffix } => ExprKind::Float { text, suffix },
    }
}

fn user_error(diagnostic: Diagnostic) -> ErrorRecovery<usize, Tok, Diagnostic> {
    ErrorRecovery {
        error: ParseError::User { error: diagnostic },
        dropped_tokens: Vec::new(),
    }
}

/// A size in a type annotation must be a plain, unsuffixed integer.
pub fn known_dim(
    number: NumLit,
    span: Span,
    errors: &mut Vec<ErrorRecovery<usize, Tok, Diagnostic>>,
) -> DimExpr {
    match number {
        NumLit::Int {
            value,
            suffix: None,
        } => match u64::try_from(value) {
            Ok(size) => DimExpr::Known(size),
            Err(_) => {
                errors.push(user_error(Diagnostic::syntax(
                    span,
                    "size in type annotation is too large",
                )));
                DimExpr::Any(span)
            }
        },
        _ => {
            errors.push(user_error(
                Diagnostic::syntax(span, "a size in a type annotation must be a plain integer")
                    .with_hint("write a size as `3`, a name as `n`, or any size as `_`"),
            ));
            DimExpr::Any(span)
        }
    }
}

/// The error for `a < b < c`, found when the grammar compares a comparison again.
pub fn chained_comparison(
    lhs: &Expr,
    op: BinaryOp,
    span: Span,
) -> ErrorRecovery<usize, Tok, Diagnostic> {
    let hint = match &lhs.kind {
        ExprKind::Binary { op: first, .. } => format!(
            "comparisons cannot be chained; use `a {} b and b {} c`",
            first.symbol(),
            op.symbol()
        ),
        _ => "comparisons cannot be chained; use `a < b and b < c`".to_string(),
    };
    user_error(
        Diagnostic::syntax(span, "comparison operators cannot be chained")
            .with_label(format!("second comparison `{}`", op.symbol()))
            .with_hint(hint),
    )
}

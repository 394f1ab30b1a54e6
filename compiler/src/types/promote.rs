//! NEP 50 promotion (spec §3.2), the implicit conversions of operands, assignments (§5) and
//! annotated parameters (§7), static broadcasting (§4), and constant folding of literals.

use nx_runtime::{DType, Scalar};

use crate::diagnostics::{Diagnostic, Span};
use crate::ir::BinaryOp;

use super::context::Cx;
use super::hir::{Block, Dim, Expr, ExprKind, Stmt, Type};

pub(crate) fn mk(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

/// The computation dtype of two operands and whether the result is weak (§3.2).
pub(crate) fn promote(a: &Type, b: &Type) -> (DType, bool) {
    match (a.weak, b.weak) {
        (false, false) => (DType::result_type(a.dtype, b.dtype), false),
        (true, true) => {
            if a.dtype.is_float() || b.dtype.is_float() {
                (DType::F64, true)
            } else if a.dtype.is_bool() && b.dtype.is_bool() {
                (DType::Bool, true)
            } else {
                (DType::I64, true)
            }
        }
        (true, false) => (adopt(a.dtype, b.dtype), false),
        (false, true) => (adopt(b.dtype, a.dtype), false),
    }
}

/// The dtype a weak value of dtype `weak` takes next to a strong operand of dtype `strong`.
pub(crate) fn adopt(weak: DType, strong: DType) -> DType {
    if weak.is_float() {
        if strong.is_float() {
            strong
        } else {
            DType::F64
        }
    } else if weak.is_bool() {
        strong
    } else if strong.is_bool() {
        DType::I64
    } else {
        strong
    }
}

/// NumPy broadcasting of static dims; `Err` when two known sizes differ and neither is 1.
pub(crate) fn broadcast(a: &[Dim], b: &[Dim]) -> Result<Vec<Dim>, ()> {
    let rank = a.len().max(b.len());
    let mut out = Vec::with_capacity(rank);
    for axis in 0..rank {
        let da = if axis + a.len() >= rank {
            a[axis + a.len() - rank]
        } else {
            Dim::Known(1)
        };
        let db = if axis + b.len() >= rank {
            b[axis + b.len() - rank]
        } else {
            Dim::Known(1)
        };
        let dim = match (da, db) {
            (Dim::Known(1), other) | (other, Dim::Known(1)) => other,
            (Dim::Known(x), Dim::Known(y)) => {
                if x == y {
                    Dim::Known(x)
                } else {
                    return Err(());
                }
            }
            (Dim::Known(x), Dim::Unknown) | (Dim::Unknown, Dim::Known(x)) => Dim::Known(x),
            (Dim::Unknown, Dim::Unknown) => Dim::Unknown,
        };
        out.push(dim);
    }
    Ok(out)
}

/// Dims of two values that may be either (branches of an `if`, rebindings): known where they
/// agree, else unknown. Ranks must be equal.
pub(crate) fn join_dims(a: &[Dim], b: &[Dim]) -> Vec<Dim> {
    a.iter()
        .zip(b)
        .map(|(x, y)| if x == y { *x } else { Dim::Unknown })
        .collect()
}

/// `{ stmt; value }`: a block expression of the value's type.
pub(crate) fn stmt_then_value(stmt: Stmt, value: Expr, span: Span) -> Expr {
    let ty = value.ty.clone();
    let block = Block {
        stmts: vec![stmt],
        value: Some(Box::new(value)),
        span,
    };
    mk(ExprKind::Block(block), ty, span)
}

/// Two static lengths that must agree: the known one of them, or `None` when both are known
/// and differ.
pub(crate) fn unify_dim(a: Dim, b: Dim) -> Option<Dim> {
    match (a, b) {
        (Dim::Known(x), Dim::Known(y)) if x != y => None,
        (Dim::Unknown, b) => Some(b),
        (a, _) => Some(a),
    }
}

/// The promotion of two types as a rank-0 type: the running dtype while joining many values.
pub(crate) fn promote_to_scalar(a: &Type, b: &Type) -> Type {
    let (dtype, weak) = promote(a, b);
    Type {
        dtype,
        dims: Vec::new(),
        weak,
    }
}

pub(crate) fn const_value(expr: &Expr) -> Option<Scalar> {
    match &expr.kind {
        ExprKind::Const(value) if expr.ty.is_scalar() => Some(*value),
        _ => None,
    }
}

/// The value of an integer (or bool) constant.
pub(crate) fn const_int(expr: &Expr) -> Option<i128> {
    const_value(expr).and_then(|value| value.as_i128())
}

pub(crate) fn fits(value: i128, dtype: DType) -> bool {
    value >= dtype.min_int() && value <= dtype.max_int()
}

pub(crate) fn fold_neg(value: Scalar) -> Option<Scalar> {
    match value {
        Scalar::F32(x) => Some(Scalar::F32(-x)),
        Scalar::F64(x) => Some(Scalar::F64(-x)),
        Scalar::Bool(_) => None,
        _ => value
            .as_i128()
            .map(|x| Scalar::from_i128_wrapping(value.dtype(), -x)),
    }
}

/// Folds an arithmetic operation on two constants of one dtype, where the result is exactly
/// what the run time would compute.
pub(crate) fn fold_binary(op: BinaryOp, a: Scalar, b: Scalar) -> Option<Scalar> {
    let dtype = a.dtype();
    if dtype != b.dtype() || dtype.is_bool() {
        return None;
    }
    match (a, b) {
        (Scalar::F64(x), Scalar::F64(y)) => match op {
            BinaryOp::Add => Some(Scalar::F64(x + y)),
            BinaryOp::Sub => Some(Scalar::F64(x - y)),
            BinaryOp::Mul => Some(Scalar::F64(x * y)),
            BinaryOp::Div => Some(Scalar::F64(x / y)),
            _ => None,
        },
        (Scalar::F32(x), Scalar::F32(y)) => match op {
            BinaryOp::Add => Some(Scalar::F32(x + y)),
            BinaryOp::Sub => Some(Scalar::F32(x - y)),
            BinaryOp::Mul => Some(Scalar::F32(x * y)),
            BinaryOp::Div => Some(Scalar::F32(x / y)),
            _ => None,
        },
        _ => {
            let x = a.as_i128()?;
            let y = b.as_i128()?;
            let value = match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x.checked_mul(y)?,
                BinaryOp::FloorDiv if y != 0 => {
                    let quotient = x / y;
                    if x % y != 0 && ((x < 0) != (y < 0)) {
                        quotient - 1
                    } else {
                        quotient
                    }
                }
                BinaryOp::Mod if y != 0 => {
                    let remainder = x % y;
                    if remainder != 0 && ((remainder < 0) != (y < 0)) {
                        remainder + y
                    } else {
                        remainder
                    }
                }
                _ => return None,
            };
            Some(Scalar::from_i128_wrapping(dtype, value))
        }
    }
}

fn int_text(value: i128) -> String {
    value.to_string()
}

impl Cx<'_> {
    /// Converts an operand to the computation dtype `to` of an operation: a weak constant
    /// becomes a constant of `to` (an error if an integer does not fit), a weak non-constant
    /// integer adopting a narrower dtype becomes `AdoptWeak`, anything else a `Cast`.
    pub(crate) fn coerce(&mut self, expr: Expr, to: DType) -> Option<Expr> {
        if expr.ty.dtype == to {
            return Some(expr);
        }
        let dims = expr.ty.dims.clone();
        let weak = expr.ty.weak;
        let span = expr.span;
        let ty = Type {
            dtype: to,
            dims,
            weak: weak && (to == DType::I64 || to == DType::F64),
        };
        if let Some(value) = const_value(&expr) {
            if weak && value.dtype().is_int() && to.is_int() {
                let exact = value.as_i128().unwrap_or_default();
                if !fits(exact, to) {
                    self.report(
                        Diagnostic::type_error(
                            span,
                            format!("integer {} does not fit in {to}", int_text(exact)),
                        )
                        .with_label(format!("this value would have to be {to}"))
                        .with_hint(format!(
                            "the other operand is {to}; convert it first (e.g. `x as i64`) or use a value in {}..={}",
                            to.min_int(),
                            to.max_int()
                        )),
                    );
                    return None;
                }
            }
            return Some(mk(ExprKind::Const(value.cast(to)), ty, span));
        }
        if weak && expr.ty.dtype.is_int() && to.is_int() {
            return Some(mk(ExprKind::AdoptWeak(Box::new(expr)), ty, span));
        }
        Some(mk(ExprKind::Cast(Box::new(expr)), ty, span))
    }

    /// Converts a value to the dtype of an assignment target or annotation: NumPy's
    /// `can_cast(src, dst, "same_kind")`; a weak value converts if the target is of its kind,
    /// or a float target for a weak integer (§5). `describe` gives the error message from the
    /// value's type.
    pub(crate) fn convert_same_kind(
        &mut self,
        expr: Expr,
        to: DType,
        describe: impl FnOnce(&Type) -> String,
    ) -> Option<Expr> {
        self.convert_if(expr, to, DType::can_cast_same_kind, describe)
    }

    /// Converts an argument to an annotated parameter's dtype: NumPy's `can_cast(src, dst,
    /// "safe")`, a weak value adapting to its kind (§7).
    pub(crate) fn convert_safe(
        &mut self,
        expr: Expr,
        to: DType,
        describe: impl FnOnce(&Type) -> String,
    ) -> Option<Expr> {
        self.convert_if(expr, to, DType::can_cast_safe, describe)
    }

    /// Converts a value when `strong_casts` allows it from a strong dtype (a weak value
    /// adapts to its kind), or reports the message `describe` gives with a hint to cast.
    fn convert_if(
        &mut self,
        expr: Expr,
        to: DType,
        strong_casts: fn(DType, DType) -> bool,
        describe: impl FnOnce(&Type) -> String,
    ) -> Option<Expr> {
        let allowed = if expr.ty.weak {
            weak_converts(expr.ty.dtype, to)
        } else {
            strong_casts(expr.ty.dtype, to)
        };
        if !allowed {
            let message = describe(&expr.ty);
            self.report(
                Diagnostic::type_error(expr.span, message)
                    .with_hint(format!("convert explicitly with `as {to}`")),
            );
            return None;
        }
        self.coerce(expr, to)
    }

    /// Explicit `as` conversion (also used where a built-in converts its argument).
    pub(crate) fn cast_to(&mut self, expr: Expr, to: DType) -> Expr {
        if expr.ty.dtype == to {
            let mut expr = expr;
            expr.ty.weak = false;
            return expr;
        }
        let ty = Type {
            dtype: to,
            dims: expr.ty.dims.clone(),
            weak: false,
        };
        let span = expr.span;
        if let Some(value) = const_value(&expr) {
            return mk(ExprKind::Const(value.cast(to)), ty, span);
        }
        mk(ExprKind::Cast(Box::new(expr)), ty, span)
    }

    /// Converts a rank-0 integer (index, size, count, bound) to i64. `what` names it.
    pub(crate) fn index_int(&mut self, expr: Expr, what: &str) -> Option<Expr> {
        if !expr.ty.is_scalar() || !expr.ty.dtype.is_int() {
            let mut diagnostic = Diagnostic::type_error(
                expr.span,
                format!("{what} must be a rank-0 integer, found {}", expr.ty),
            );
            if expr.ty.is_scalar() && expr.ty.dtype.is_float() {
                diagnostic = diagnostic.with_hint("convert it with `as i64`");
            }
            self.report(diagnostic);
            return None;
        }
        Some(self.cast_to(expr, DType::I64))
    }
}

/// Whether a weak value of dtype `weak` may implicitly become `to` (§5).
pub(crate) fn weak_converts(weak: DType, to: DType) -> bool {
    if weak.is_float() {
        to.is_float()
    } else if weak.is_int() {
        to.is_int() || to.is_float()
    } else {
        true
    }
}

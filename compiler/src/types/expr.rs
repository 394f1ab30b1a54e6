//! Expressions: literals, names, operators, conversions, indexing, properties, list literals,
//! `if` expressions and blocks. Calls are dispatched to `builtins.rs` and `functions.rs`.

use nx_runtime::{DType, Scalar};

use crate::diagnostics::{Diagnostic, Span};
use crate::ir::{BinaryOp, UnaryOp};
use crate::syntax::ast;

use super::context::{BindingKind, Cx, closest};
use super::hir::{Dim, Expr, ExprKind, IndexItem, Stmt, StmtKind, Type};
use super::promote::{
    broadcast, const_int, const_value, fits, fold_binary, fold_neg, join_dims, mk, promote,
    promote_to_scalar, stmt_then_value, unify_dim,
};

/// How much a construct that may have no value (a call, an `if`, a block) is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Want {
    /// Its value is used: having none is an error.
    Value,
    /// Its value is used if it has one (the last statement of a block whose value counts).
    Optional,
    /// It is a statement; any value is discarded.
    Discard,
}

/// The result of checking a construct that may have no value.
pub(crate) enum Checked {
    Value(Expr),
    /// Boxed: a statement is much larger than an expression, and `Checked` is returned on
    /// every level of the recursion.
    Void(Box<Stmt>),
    Error,
}

impl Checked {
    pub(crate) fn void(stmt: Stmt) -> Checked {
        Checked::Void(Box::new(stmt))
    }

    pub(crate) fn from_option(expr: Option<Expr>) -> Checked {
        match expr {
            Some(expr) => Checked::Value(expr),
            None => Checked::Error,
        }
    }
}

pub(crate) fn ir_binary_op(op: ast::BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        ast::BinaryOp::Add => BinaryOp::Add,
        ast::BinaryOp::Sub => BinaryOp::Sub,
        ast::BinaryOp::Mul => BinaryOp::Mul,
        ast::BinaryOp::Div => BinaryOp::Div,
        ast::BinaryOp::FloorDiv => BinaryOp::FloorDiv,
        ast::BinaryOp::Mod => BinaryOp::Mod,
        ast::BinaryOp::Pow => BinaryOp::Pow,
        ast::BinaryOp::BitAnd => BinaryOp::And,
        ast::BinaryOp::BitOr => BinaryOp::Or,
        ast::BinaryOp::BitXor => BinaryOp::Xor,
        ast::BinaryOp::Shl => BinaryOp::Shl,
        ast::BinaryOp::Shr => BinaryOp::Shr,
        ast::BinaryOp::Eq => BinaryOp::Eq,
        ast::BinaryOp::Ne => BinaryOp::Ne,
        ast::BinaryOp::Lt => BinaryOp::Lt,
        ast::BinaryOp::Le => BinaryOp::Le,
        ast::BinaryOp::Gt => BinaryOp::Gt,
        ast::BinaryOp::Ge => BinaryOp::Ge,
        ast::BinaryOp::Or | ast::BinaryOp::And | ast::BinaryOp::MatMul => return None,
    })
}

fn is_arithmetic(op: ast::BinaryOp) -> bool {
    matches!(
        op,
        ast::BinaryOp::Add
            | ast::BinaryOp::Sub
            | ast::BinaryOp::Mul
            | ast::BinaryOp::Div
            | ast::BinaryOp::FloorDiv
            | ast::BinaryOp::Mod
            | ast::BinaryOp::Pow
    )
}

/// The span between two operands (where the operator is), or the whole expression's.
pub(crate) fn operator_span(whole: Span, lhs: Span, rhs: Span) -> Span {
    if lhs.file == rhs.file && lhs.end < rhs.start {
        Span {
            file: lhs.file,
            start: lhs.end,
            end: rhs.start,
        }
    } else {
        whole
    }
}

impl Cx<'_> {
    /// Checks an expression whose value is used. `None` is the error type (already reported).
    pub(crate) fn expr(&mut self, e: &ast::Expr) -> Option<Expr> {
        match &e.kind {
            ast::ExprKind::Int { .. } | ast::ExprKind::Float { .. } | ast::ExprKind::Bool(_) => {
                self.literal(e, false, e.span)
            }
            ast::ExprKind::Str(_) => {
                self.report(
                    Diagnostic::type_error(e.span, "strings are not values")
                        .with_hint("a string can only be an argument of `print`, `assert`, `load`, `save` or `import`"),
                );
                None
            }
            ast::ExprKind::DType(dtype) => {
                self.report(
                    Diagnostic::type_error(e.span, format!("the dtype name `{dtype}` is not a value"))
                        .with_hint(format!(
                            "dtype names are allowed as `dtype=` arguments; to convert a value write `x as {dtype}`"
                        )),
                );
                None
            }
            ast::ExprKind::Name(ident) => self.name(ident),
            ast::ExprKind::Unary { .. } => self.unary_chain(e),
            ast::ExprKind::Binary { .. } => self.binary_chain(e),
            ast::ExprKind::Cast { value, to, .. } => {
                let value = self.expr(value)?;
                let mut out = self.cast_to(value, *to);
                out.span = e.span;
                Some(out)
            }
            ast::ExprKind::Call { .. }
            | ast::ExprKind::MethodCall { .. }
            | ast::ExprKind::If { .. }
            | ast::ExprKind::Block(_) => match self.expr_or_void(e, Want::Value) {
                Checked::Value(expr) => Some(expr),
                _ => None,
            },
            ast::ExprKind::Property { receiver, name } => self.property(receiver, name, e.span),
            ast::ExprKind::Index { base, items } => self.index_expr(base, items, e.span),
            ast::ExprKind::List(items) => self.list(items, e.span),
            ast::ExprKind::Error => None,
        }
    }

    /// Checks an expression that may have no value (calls, `if`, blocks; others always have one).
    pub(crate) fn expr_or_void(&mut self, e: &ast::Expr, want: Want) -> Checked {
        match &e.kind {
            ast::ExprKind::Call { func, args } => self.call(func, None, args, e.span, want),
            ast::ExprKind::MethodCall {
                receiver,
                method,
                args,
            } => self.call(method, Some(receiver), args, e.span, want),
            ast::ExprKind::If { cond, then, else_ } => {
                self.if_expr(cond, then, else_.as_deref(), e.span, want)
            }
            ast::ExprKind::Block(block) => {
                let (block, value) = self.block(block, want, true);
                match value {
                    BlockValue::Error => Checked::Error,
                    BlockValue::Value => {
                        let ty = block.value.as_ref().map(|v| v.ty.clone());
                        match ty {
                            Some(ty) => Checked::Value(mk(ExprKind::Block(block), ty, e.span)),
                            None => Checked::Error,
                        }
                    }
                    BlockValue::Void => {
                        if want == Want::Value {
                            self.report(
                                Diagnostic::type_error(e.span, "this block has no value")
                                    .with_hint("end the block with an expression"),
                            );
                            Checked::Error
                        } else {
                            Checked::void(Stmt {
                                kind: StmtKind::Block(block),
                                span: e.span,
                            })
                        }
                    }
                }
            }
            _ => Checked::from_option(self.expr(e)),
        }
    }

    /// A literal; `negate` when it is the operand of a unary minus (spec §1: the sign is part
    /// of the literal for the fits-in-dtype check).
    pub(crate) fn literal(&mut self, e: &ast::Expr, negate: bool, span: Span) -> Option<Expr> {
        match &e.kind {
            ast::ExprKind::Bool(value) => {
                if negate {
                    self.report(
                        Diagnostic::type_error(span, "cannot negate a bool")
                            .with_hint("use `not` for logical negation"),
                    );
                    return None;
                }
                Some(mk(
                    ExprKind::Const(Scalar::Bool(*value)),
                    Type::scalar(DType::Bool),
                    span,
                ))
            }
            ast::ExprKind::Int { value, suffix } => self.int_literal(*value, *suffix, negate, span),
            ast::ExprKind::Float { text, suffix } => {
                self.float_literal(text, *suffix, negate, span)
            }
            _ => None,
        }
    }

    fn int_literal(
        &mut self,
        value: u128,
        suffix: Option<DType>,
        negate: bool,
        span: Span,
    ) -> Option<Expr> {
        let magnitude = i128::try_from(value).unwrap_or(i128::MAX);
        let signed = if negate { -magnitude } else { magnitude };
        match suffix {
            None => {
                if !fits(signed, DType::I64) {
                    let mut diagnostic = Diagnostic::type_error(
                        span,
                        format!("integer literal {signed} does not fit in i64"),
                    );
                    if fits(signed, DType::U64) {
                        diagnostic = diagnostic.with_hint(format!(
                            "for an unsigned value add a suffix: `{signed}u64`"
                        ));
                    }
                    self.report(diagnostic);
                    return None;
                }
                Some(mk(
                    ExprKind::Const(Scalar::I64(signed as i64)),
                    Type::weak_scalar(DType::I64),
                    span,
                ))
            }
            Some(dtype) if dtype.is_float() => {
                let value = Scalar::from_i128_wrapping(dtype, signed);
                Some(mk(ExprKind::Const(value), Type::scalar(dtype), span))
            }
            Some(dtype) if dtype.is_int() => {
                if !fits(signed, dtype) {
                    self.report(
                        Diagnostic::type_error(
                            span,
                            format!("integer literal {signed} does not fit in {dtype}"),
                        )
                        .with_hint(format!(
                            "{dtype} holds {}..={}",
                            dtype.min_int(),
                            dtype.max_int()
                        )),
                    );
                    return None;
                }
                Some(mk(
                    ExprKind::Const(Scalar::from_i128_wrapping(dtype, signed)),
                    Type::scalar(dtype),
                    span,
                ))
            }
            Some(dtype) => {
                self.error(
                    span,
                    format!("an integer literal cannot have the suffix `{dtype}`"),
                );
                None
            }
        }
    }

    fn float_literal(
        &mut self,
        text: &str,
        suffix: Option<DType>,
        negate: bool,
        span: Span,
    ) -> Option<Expr> {
        let dtype = suffix.unwrap_or(DType::F64);
        if !dtype.is_float() {
            self.report(
                Diagnostic::type_error(
                    span,
                    format!("a float literal cannot have the integer suffix `{dtype}`"),
                )
                .with_hint(format!("convert explicitly: `{text} as {dtype}`")),
            );
            return None;
        }
        let value = if dtype == DType::F32 {
            text.parse::<f32>()
                .ok()
                .map(|x| Scalar::F32(if negate { -x } else { x }))
        } else {
            text.parse::<f64>()
                .ok()
                .map(|x| Scalar::F64(if negate { -x } else { x }))
        };
        let Some(value) = value else {
            self.error(span, format!("invalid float literal `{text}`"));
            return None;
        };
        if value.as_f64().is_infinite() {
            self.error(
                span,
                format!("float literal `{text}` is out of range for {dtype}"),
            );
            return None;
        }
        let ty = if suffix.is_some() {
            Type::scalar(dtype)
        } else {
            Type::weak_scalar(dtype)
        };
        Some(mk(ExprKind::Const(value), ty, span))
    }

    pub(crate) fn name(&mut self, ident: &ast::Ident) -> Option<Expr> {
        let Some(binding) = self.lookup(&ident.name) else {
            self.unknown_name(ident);
            return None;
        };
        match binding.kind {
            BindingKind::Var => {
                let ty = binding.ty?;
                Some(mk(ExprKind::Var(binding.var), ty, ident.span))
            }
            BindingKind::Constant(value) => Some(mk(
                ExprKind::Const(Scalar::F64(value)),
                Type::weak_scalar(DType::F64),
                ident.span,
            )),
            BindingKind::NewAxis => {
                self.report(
                    Diagnostic::type_error(
                        ident.span,
                        "`newaxis` can only be used inside an index",
                    )
                    .with_hint("e.g. `a[:, newaxis]` inserts an axis of length 1"),
                );
                None
            }
        }
    }

    pub(crate) fn unknown_name(&mut self, ident: &ast::Ident) {
        let mut diagnostic = Diagnostic::type_error(
            ident.span,
            format!("cannot find `{}` in this scope", ident.name),
        );
        if self.lookup_fn(&ident.name).is_some() || super::builtins::is_builtin(&ident.name) {
            diagnostic = diagnostic.with_hint(format!(
                "`{}` is a function, not a value; call it: `{}(...)`",
                ident.name, ident.name
            ));
        } else {
            let names = self.visible_names();
            if let Some(best) = closest(&ident.name, names.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_hint(format!("did you mean `{best}`?"));
            }
        }
        self.report(diagnostic);
    }

    /// A chain of prefix operators, checked iteratively (`- - - x` can be deep).
    fn unary_chain(&mut self, e: &ast::Expr) -> Option<Expr> {
        let mut chain: Vec<(ast::UnaryOp, Span)> = Vec::new();
        let mut current = e;
        while let ast::ExprKind::Unary { op, operand } = &current.kind {
            chain.push((*op, current.span));
            current = operand;
        }
        let is_literal = matches!(
            current.kind,
            ast::ExprKind::Int { .. } | ast::ExprKind::Float { .. }
        );
        let mut value =
            if is_literal && chain.last().is_some_and(|(op, _)| *op == ast::UnaryOp::Neg) {
                let (_, span) = chain.pop().unwrap_or((ast::UnaryOp::Neg, current.span));
                self.literal(current, true, span)
            } else {
                self.expr(current)
            };
        while let Some((op, span)) = chain.pop() {
            value = self.unary(op, value?, span);
        }
        value
    }

    pub(crate) fn unary(&mut self, op: ast::UnaryOp, operand: Expr, span: Span) -> Option<Expr> {
        let dtype = operand.ty.dtype;
        match op {
            ast::UnaryOp::Neg | ast::UnaryOp::Plus => {
                if dtype.is_bool() {
                    let verb = if op == ast::UnaryOp::Neg {
                        "negate"
                    } else {
                        "apply unary `+` to"
                    };
                    self.report(
                        Diagnostic::type_error(span, format!("cannot {verb} a bool value"))
                            .with_hint(
                                "use `not x` for logical negation, or convert first: `x as i64`",
                            ),
                    );
                    return None;
                }
                if op == ast::UnaryOp::Plus {
                    let mut operand = operand;
                    operand.span = span;
                    return Some(operand);
                }
                let ty = operand.ty.clone();
                let folded = const_value(&operand).and_then(fold_neg);
                Some(unary_node(UnaryOp::Neg, operand, folded, ty, span))
            }
            ast::UnaryOp::BitNot => {
                if dtype.is_float() {
                    self.report(
                        Diagnostic::type_error(
                            span,
                            format!("`~` needs an integer or bool operand, found {}", operand.ty),
                        )
                        .with_hint("bitwise operators work on integers and bools"),
                    );
                    return None;
                }
                let ty = operand.ty.clone();
                let folded = const_value(&operand).map(|value| match value {
                    Scalar::Bool(b) => Scalar::Bool(!b),
                    other => {
                        Scalar::from_i128_wrapping(dtype, !other.as_i128().unwrap_or_default())
                    }
                });
                Some(unary_node(UnaryOp::Not, operand, folded, ty, span))
            }
            ast::UnaryOp::Not => {
                if !dtype.is_bool() {
                    self.report(
                        Diagnostic::type_error(
                            span,
                            format!("`not` needs a bool operand, found {}", operand.ty),
                        )
                        .with_hint("compare explicitly, e.g. `x == 0`"),
                    );
                    return None;
                }
                let ty = Type {
                    dtype: DType::Bool,
                    dims: operand.ty.dims.clone(),
                    weak: false,
                };
                let folded = match const_value(&operand) {
                    Some(Scalar::Bool(b)) => Some(Scalar::Bool(!b)),
                    _ => None,
                };
                Some(unary_node(UnaryOp::Not, operand, folded, ty, span))
            }
        }
    }

    /// A left-nested chain of binary operators (`1 + 1 + …`), checked iteratively so that its
    /// depth does not use stack.
    fn binary_chain(&mut self, e: &ast::Expr) -> Option<Expr> {
        let mut spine: Vec<&ast::Expr> = Vec::new();
        let mut current = e;
        while let ast::ExprKind::Binary { lhs, .. } = &current.kind {
            spine.push(current);
            current = lhs;
        }
        let mut acc = self.expr(current);
        while let Some(node) = spine.pop() {
            let ast::ExprKind::Binary { op, lhs, rhs } = &node.kind else {
                continue;
            };
            let rhs_value = self.expr(rhs);
            acc = match (acc, rhs_value) {
                (Some(l), Some(r)) => self.binary(*op, l, r, node.span, lhs.span, rhs.span),
                _ => None,
            };
        }
        acc
    }

    /// A binary operator on two checked operands (also used by compound assignment).
    pub(crate) fn binary(
        &mut self,
        op: ast::BinaryOp,
        lhs: Expr,
        rhs: Expr,
        span: Span,
        lhs_span: Span,
        rhs_span: Span,
    ) -> Option<Expr> {
        if op == ast::BinaryOp::MatMul {
            return self.matmul(lhs, rhs, span, "matmul");
        }
        let op_span = operator_span(span, lhs_span, rhs_span);
        let dims = self.broadcast_or_report(&lhs.ty, &rhs.ty, op_span, lhs_span, rhs_span)?;
        let (ldt, rdt) = (lhs.ty.dtype, rhs.ty.dtype);
        match op {
            ast::BinaryOp::And | ast::BinaryOp::Or => {
                for (side, side_span) in [(&lhs, lhs_span), (&rhs, rhs_span)] {
                    if !side.ty.dtype.is_bool() {
                        self.report(
                            Diagnostic::type_error(
                                side_span,
                                format!("`{}` needs bool operands, found {}", op.symbol(), side.ty),
                            )
                            .with_hint("compare explicitly, e.g. `x != 0`"),
                        );
                        return None;
                    }
                }
                let ty = Type {
                    dtype: DType::Bool,
                    dims,
                    weak: false,
                };
                return Some(mk(
                    ExprKind::Logical {
                        and: op == ast::BinaryOp::And,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                    },
                    ty,
                    span,
                ));
            }
            _ => {}
        }
        let ir_op = ir_binary_op(op)?;
        if op.is_comparison() {
            return self.comparison(ir_op, lhs, rhs, dims, span);
        }
        if is_arithmetic(op) && ldt.is_bool() && rdt.is_bool() {
            self.report(
                Diagnostic::type_error(
                    span,
                    format!("cannot apply `{}` to two bool values", op.symbol()),
                )
                .with_label("both operands are bool")
                .with_hint("convert to a number first, e.g. `x as i64`"),
            );
            return None;
        }
        let bitwise = matches!(
            op,
            ast::BinaryOp::BitAnd | ast::BinaryOp::BitOr | ast::BinaryOp::BitXor
        );
        let shift = matches!(op, ast::BinaryOp::Shl | ast::BinaryOp::Shr);
        if bitwise || shift {
            for side in [&lhs, &rhs] {
                let bad = side.ty.dtype.is_float() || (shift && side.ty.dtype.is_bool());
                if bad {
                    let needs = if shift {
                        "integer operands"
                    } else {
                        "integer or bool operands"
                    };
                    self.report(
                        Diagnostic::type_error(
                            side.span,
                            format!("`{}` needs {needs}, found {}", op.symbol(), side.ty),
                        )
                        .with_hint("convert explicitly, e.g. `x as i64`"),
                    );
                    return None;
                }
            }
        }
        let (mut dtype, weak) = promote(&lhs.ty, &rhs.ty);
        if (bitwise || shift) && dtype.is_float() {
            // i64 with u64 promotes to f64, where bits mean nothing (NumPy refuses it too).
            self.report(
                Diagnostic::type_error(
                    span,
                    format!(
                        "`{}` is not defined between {} and {}: their common dtype is {dtype}",
                        op.symbol(),
                        lhs.ty,
                        rhs.ty
                    ),
                )
                .with_hint("convert one operand, e.g. `y as i64`"),
            );
            return None;
        }
        if op == ast::BinaryOp::Div && !dtype.is_float() {
            dtype = DType::F64;
        }
        let lhs = self.coerce(lhs, dtype);
        let rhs = self.coerce(rhs, dtype);
        let (lhs, rhs) = (lhs?, rhs?);
        if op == ast::BinaryOp::Pow && dtype.is_int() && const_int(&rhs).is_some_and(|x| x < 0) {
            self.report(
                Diagnostic::type_error(
                    rhs.span,
                    "integers to negative integer powers are not allowed",
                )
                .with_hint("use a float base, e.g. `2.0 ** -1`"),
            );
            return None;
        }
        let ty = Type { dtype, dims, weak };
        if let (Some(a), Some(b)) = (const_value(&lhs), const_value(&rhs))
            && let Some(folded) = fold_binary(ir_op, a, b)
        {
            return Some(mk(ExprKind::Const(folded), ty, span));
        }
        Some(mk(
            ExprKind::Binary(ir_op, Box::new(lhs), Box::new(rhs)),
            ty,
            span,
        ))
    }

    pub(crate) fn broadcast_or_report(
        &mut self,
        a: &Type,
        b: &Type,
        span: Span,
        a_span: Span,
        b_span: Span,
    ) -> Option<Vec<Dim>> {
        match broadcast(&a.dims, &b.dims) {
            Ok(dims) => Some(dims),
            Err(()) => {
                self.report(
                    Diagnostic::type_error(span, format!("cannot broadcast {a} with {b}"))
                        .with_note(a_span, format!("this is {a}"))
                        .with_note(b_span, format!("this is {b}"))
                        .with_hint("axes are aligned from the last; each pair of lengths must be equal or one of them 1"),
                );
                None
            }
        }
    }

    /// Comparisons compare integers exactly whatever their dtypes (spec §3.1).
    fn comparison(
        &mut self,
        op: BinaryOp,
        lhs: Expr,
        rhs: Expr,
        dims: Vec<Dim>,
        span: Span,
    ) -> Option<Expr> {
        let ty = Type {
            dtype: DType::Bool,
            dims,
            weak: false,
        };
        let (l, r) = (&lhs.ty, &rhs.ty);
        let both_int = l.dtype.is_int() && r.dtype.is_int();
        let (lhs, rhs) = if both_int && l.weak != r.weak {
            // A weak integer next to a strong one: adopt the strong dtype when a constant fits,
            // else compare in i64 (or u64 against i64, which the executor compares exactly).
            let (weak_side, strong_dtype) = if l.weak {
                (&lhs, r.dtype)
            } else {
                (&rhs, l.dtype)
            };
            let fits_strong = const_int(weak_side).is_some_and(|v| fits(v, strong_dtype));
            if fits_strong {
                (
                    self.coerce(lhs, strong_dtype)?,
                    self.coerce(rhs, strong_dtype)?,
                )
            } else if strong_dtype == DType::U64 {
                (lhs, rhs)
            } else {
                (
                    self.cast_keep_weak(lhs, DType::I64),
                    self.cast_keep_weak(rhs, DType::I64),
                )
            }
        } else if both_int
            && !l.weak
            && !r.weak
            && DType::result_type(l.dtype, r.dtype) == DType::F64
        {
            // u64 against a signed integer: keep u64, widen the signed side to i64.
            let to_i64 = |cx: &mut Self, e: Expr| {
                if e.ty.dtype.is_signed() {
                    cx.cast_to(e, DType::I64)
                } else {
                    e
                }
            };
            let lhs = to_i64(self, lhs);
            let rhs = to_i64(self, rhs);
            (lhs, rhs)
        } else {
            let (dtype, _) = promote(l, r);
            let lhs = self.coerce(lhs, dtype);
            let rhs = self.coerce(rhs, dtype);
            (lhs?, rhs?)
        };
        Some(mk(
            ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
            ty,
            span,
        ))
    }

    fn cast_keep_weak(&mut self, expr: Expr, to: DType) -> Expr {
        if expr.ty.dtype == to {
            expr
        } else {
            self.cast_to(expr, to)
        }
    }

    /// `a.T`, `a.shape`, `a.ndim`, `a.size`.
    fn property(&mut self, receiver: &ast::Expr, name: &ast::Ident, span: Span) -> Option<Expr> {
        let value = self.expr(receiver)?;
        match name.name.as_str() {
            "T" => Some(self.transpose(value, span)),
            "shape" => {
                let ty = Type::array(DType::I64, vec![Dim::Known(value.ty.rank() as u64)]);
                Some(mk(ExprKind::Shape(Box::new(value)), ty, span))
            }
            "ndim" => {
                let rank = value.ty.rank() as i64;
                Some(self.constant_after(value, Scalar::I64(rank), span))
            }
            "size" => {
                let known: Option<u64> = value.ty.dims.iter().try_fold(1u64, |acc, d| match d {
                    Dim::Known(n) => acc.checked_mul(*n),
                    Dim::Unknown => None,
                });
                match known.and_then(|n| i64::try_from(n).ok()) {
                    Some(n) => Some(self.constant_after(value, Scalar::I64(n), span)),
                    None => Some(mk(
                        ExprKind::Size(Box::new(value)),
                        Type::weak_scalar(DType::I64),
                        span,
                    )),
                }
            }
            other => {
                let mut diagnostic = Diagnostic::type_error(
                    name.span,
                    format!("no property `{other}` on {}", value.ty),
                )
                .with_hint("the properties are `.T`, `.shape`, `.ndim` and `.size`");
                if self.lookup_fn(other).is_some() || super::builtins::is_builtin(other) {
                    diagnostic =
                        diagnostic.with_hint(format!("to call the function write `.{other}()`"));
                }
                self.report(diagnostic);
                None
            }
        }
    }

    pub(crate) fn transpose(&mut self, value: Expr, span: Span) -> Expr {
        let mut dims = value.ty.dims.clone();
        dims.reverse();
        let ty = Type {
            dtype: value.ty.dtype,
            dims,
            weak: false,
        };
        if value.ty.rank() < 2 {
            let mut value = value;
            value.ty = ty;
            value.span = span;
            return value;
        }
        mk(ExprKind::Transpose(Box::new(value)), ty, span)
    }

    /// A weak i64 constant known statically, keeping the evaluation of `value` when that could
    /// have effects (a call).
    pub(crate) fn constant_after(&mut self, value: Expr, constant: Scalar, span: Span) -> Expr {
        let ty = Type::weak_scalar(DType::I64);
        let constant = mk(ExprKind::Const(constant), ty, span);
        if matches!(value.kind, ExprKind::Var(_) | ExprKind::Const(_)) {
            return constant;
        }
        let value_span = value.span;
        let evaluate = Stmt {
            kind: StmtKind::Expr { value, show: false },
            span: value_span,
        };
        stmt_then_value(evaluate, constant, span)
    }

    /// `[a, b, c]`: stacks equal-shaped items, dtypes promoted (§8).
    fn list(&mut self, items: &[ast::Expr], span: Span) -> Option<Expr> {
        if items.is_empty() {
            let ty = Type::array(DType::F64, vec![Dim::Known(0)]);
            return Some(mk(ExprKind::List(Vec::new()), ty, span));
        }
        let checked: Vec<Option<Expr>> = items.iter().map(|item| self.expr(item)).collect();
        let checked: Vec<Expr> = checked.into_iter().collect::<Option<Vec<Expr>>>()?;
        let first = checked[0].ty.clone();
        let mut dims = first.dims.clone();
        let mut acc = first.clone();
        for item in &checked[1..] {
            if item.ty.rank() != first.rank() {
                self.report(
                    Diagnostic::type_error(
                        item.span,
                        format!(
                            "list items must have the same rank: this is {}, the first item is {}",
                            item.ty, first
                        ),
                    )
                    .with_note(checked[0].span, format!("this is {first}")),
                );
                return None;
            }
            for (axis, (a, b)) in dims.clone().iter().zip(&item.ty.dims).enumerate() {
                let Some(dim) = unify_dim(*a, *b) else {
                    self.report(
                        Diagnostic::type_error(
                            item.span,
                            format!("list items must have the same shape: this is {}, the first item is {}", item.ty, first),
                        )
                        .with_note(checked[0].span, format!("this is {first}")),
                    );
                    return None;
                };
                dims[axis] = dim;
            }
            acc = promote_to_scalar(&acc, &item.ty);
        }
        let dtype = acc.dtype;
        let mut converted = Vec::with_capacity(checked.len());
        let mut failed = false;
        for item in checked {
            match self.coerce(item, dtype) {
                Some(item) => converted.push(item),
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        let mut out_dims = vec![Dim::Known(converted.len() as u64)];
        out_dims.extend(dims);
        Some(mk(
            ExprKind::List(converted),
            Type::array(dtype, out_dims),
            span,
        ))
    }

    /// Checks the condition of `if`/`while`/`assert`: a rank-0 bool.
    pub(crate) fn condition(&mut self, cond: &ast::Expr, what: &str) -> Option<Expr> {
        let value = self.expr(cond)?;
        if value.ty.dtype.is_bool() && value.ty.is_scalar() {
            return Some(value);
        }
        let mut diagnostic = Diagnostic::type_error(
            cond.span,
            format!(
                "the condition of `{what}` must be a rank-0 bool, found {}",
                value.ty
            ),
        );
        if !value.ty.is_scalar() {
            diagnostic = diagnostic
                .with_hint("to test every element or any element use `all(...)` or `any(...)`");
        } else {
            diagnostic = diagnostic.with_hint("compare explicitly, e.g. `x != 0`");
        }
        self.report(diagnostic);
        None
    }

    fn if_expr(
        &mut self,
        cond: &ast::Expr,
        then: &ast::Block,
        else_: Option<&ast::Expr>,
        span: Span,
        want: Want,
    ) -> Checked {
        let cond = self.condition(cond, "if");
        let (then_block, then_value) = self.block(then, want, true);
        let Some(else_expr) = else_ else {
            if want == Want::Value {
                self.report(
                    Diagnostic::type_error(span, "`if` without `else` has no value")
                        .with_hint("add an `else` branch"),
                );
                return Checked::Error;
            }
            let Some(cond) = cond else {
                return Checked::Error;
            };
            let then_block = discard_value(then_block);
            return Checked::void(Stmt {
                kind: StmtKind::If {
                    cond,
                    then: then_block,
                    else_: None,
                },
                span,
            });
        };
        let (else_block, else_value) = match &else_expr.kind {
            ast::ExprKind::Block(block) => self.block(block, want, true),
            _ => {
                // `else if`: a block holding the inner `if`.
                let inner = self.expr_or_void(else_expr, want);
                let (stmts, value, state) = match inner {
                    Checked::Value(expr) => (Vec::new(), Some(Box::new(expr)), BlockValue::Value),
                    Checked::Void(stmt) => (vec![*stmt], None, BlockValue::Void),
                    Checked::Error => (Vec::new(), None, BlockValue::Error),
                };
                (
                    super::hir::Block {
                        stmts,
                        value,
                        span: else_expr.span,
                    },
                    state,
                )
            }
        };
        let Some(cond) = cond else {
            return Checked::Error;
        };
        let both_values = then_value == BlockValue::Value && else_value == BlockValue::Value;
        if want == Want::Discard
            || (!both_values
                && want == Want::Optional
                && then_value != BlockValue::Error
                && else_value != BlockValue::Error)
        {
            return Checked::void(Stmt {
                kind: StmtKind::If {
                    cond,
                    then: discard_value(then_block),
                    else_: Some(discard_value(else_block)),
                },
                span,
            });
        }
        if then_value == BlockValue::Error || else_value == BlockValue::Error {
            return Checked::Error;
        }
        if !both_values {
            let which = if then_value != BlockValue::Value {
                then.span
            } else {
                else_expr.span
            };
            self.report(
                Diagnostic::type_error(
                    which,
                    "this branch has no value, but the `if` is used as a value",
                )
                .with_hint("end each branch with an expression"),
            );
            return Checked::Error;
        }
        match self.join_branches(then_block, else_block, "`if` branches") {
            Some((then_block, else_block, ty)) => Checked::Value(mk(
                ExprKind::If {
                    cond: Box::new(cond),
                    then: then_block,
                    else_: else_block,
                },
                ty,
                span,
            )),
            None => Checked::Error,
        }
    }

    /// Two blocks with values whose dtypes combine as a binary operator's; same rank.
    pub(crate) fn join_branches(
        &mut self,
        mut a: super::hir::Block,
        mut b: super::hir::Block,
        what: &str,
    ) -> Option<(super::hir::Block, super::hir::Block, Type)> {
        let av = a.value.take()?;
        let bv = b.value.take()?;
        if av.ty.rank() != bv.ty.rank() {
            self.report(
                Diagnostic::type_error(
                    bv.span,
                    format!("{what} must have the same rank: {} and {}", av.ty, bv.ty),
                )
                .with_note(av.span, format!("this is {}", av.ty))
                .with_note(bv.span, format!("this is {}", bv.ty)),
            );
            return None;
        }
        let dims = join_dims(&av.ty.dims, &bv.ty.dims);
        let (dtype, weak) = promote(&av.ty, &bv.ty);
        let av = self.coerce(*av, dtype);
        let bv = self.coerce(*bv, dtype);
        let (av, bv) = (av?, bv?);
        a.value = Some(Box::new(av));
        b.value = Some(Box::new(bv));
        Some((a, b, Type { dtype, dims, weak }))
    }
}

/// Whether a block produced a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BlockValue {
    Value,
    Void,
    Error,
}

/// Turns a block's value into a discarded expression statement.
pub(crate) fn discard_value(mut block: super::hir::Block) -> super::hir::Block {
    if let Some(value) = block.value.take() {
        let span = value.span;
        block.stmts.push(Stmt {
            kind: StmtKind::Expr {
                value: *value,
                show: false,
            },
            span,
        });
    }
    block
}

/// Helper for index items: the static length of a slice of an axis of length `n`.
pub(crate) fn slice_len(n: u64, start: Option<i128>, stop: Option<i128>, step: i128) -> u64 {
    let n = n as i128;
    let (lower, upper) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let clamp = |v: i128| {
        if v < 0 {
            (v + n).max(lower)
        } else {
            v.min(upper)
        }
    };
    let start = start
        .map(clamp)
        .unwrap_or(if step > 0 { lower } else { upper });
    let stop = stop
        .map(clamp)
        .unwrap_or(if step > 0 { upper } else { lower });
    let len = if step > 0 {
        if stop > start {
            (stop - start + step - 1) / step
        } else {
            0
        }
    } else if start > stop {
        (start - stop - step - 1) / (-step)
    } else {
        0
    };
    len as u64
}

/// What an index item turned out to be, before dims are computed.
pub(crate) enum ItemKind {
    Int(Expr),
    Slice {
        start: Option<Box<Expr>>,
        stop: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
        span: Span,
    },
    NewAxis,
    Ellipsis(Span),
    IntArray(Expr),
    BoolMask(Expr),
}

impl Cx<'_> {
    /// Checks index items against a base type: the typed items and the result dims.
    pub(crate) fn index_items(
        &mut self,
        base_ty: &Type,
        items: &[ast::IndexItem],
        span: Span,
    ) -> Option<(Vec<IndexItem>, Vec<Dim>)> {
        let mut kinds = Vec::with_capacity(items.len());
        let mut failed = false;
        for item in items {
            match self.index_item(item) {
                Some(kind) => kinds.push(kind),
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        let rank = base_ty.rank();
        let mut consumed = 0usize;
        let mut ellipses = 0usize;
        let mut arrays = 0usize;
        for kind in &kinds {
            match kind {
                ItemKind::Int(_) | ItemKind::Slice { .. } | ItemKind::IntArray(_) => consumed += 1,
                ItemKind::BoolMask(mask) => consumed += mask.ty.rank(),
                ItemKind::NewAxis => {}
                ItemKind::Ellipsis(item_span) => {
                    ellipses += 1;
                    if ellipses > 1 {
                        self.error(*item_span, "an index can only have one `...`");
                        return None;
                    }
                }
            }
            if matches!(kind, ItemKind::IntArray(_) | ItemKind::BoolMask(_)) {
                arrays += 1;
            }
        }
        if arrays > 1 {
            self.report(
                Diagnostic::type_error(
                    span,
                    "at most one array index is allowed per indexing expression",
                )
                .with_hint("index in two steps, e.g. `a[i][:, j]`"),
            );
            return None;
        }
        if consumed > rank {
            self.report(Diagnostic::type_error(
                span,
                format!("too many indices for {base_ty}: {consumed} given, but it has rank {rank}"),
            ));
            return None;
        }
        let mut axis = 0usize;
        let mut dims = Vec::new();
        let mut out = Vec::with_capacity(kinds.len());
        for kind in kinds {
            match kind {
                ItemKind::Int(index) => {
                    axis += 1;
                    out.push(IndexItem::Int(index));
                }
                ItemKind::Slice {
                    start,
                    stop,
                    step,
                    span: slice_span,
                } => {
                    let step_value = match &step {
                        Some(step) => const_int(step),
                        None => Some(1),
                    };
                    if step_value == Some(0) {
                        self.error(slice_span, "slice step cannot be zero");
                        return None;
                    }
                    let start_value = start.as_deref().map(const_int);
                    let stop_value = stop.as_deref().map(const_int);
                    let whole = start.is_none() && stop.is_none() && step_value == Some(1);
                    let dim = match (base_ty.dims[axis], step_value) {
                        (Dim::Known(n), Some(step_value))
                            if start_value.is_none_or(|v| v.is_some())
                                && stop_value.is_none_or(|v| v.is_some()) =>
                        {
                            Dim::Known(slice_len(
                                n,
                                start_value.flatten(),
                                stop_value.flatten(),
                                step_value,
                            ))
                        }
                        (dim, _) if whole => dim,
                        _ => Dim::Unknown,
                    };
                    dims.push(dim);
                    axis += 1;
                    out.push(IndexItem::Slice { start, stop, step });
                }
                ItemKind::NewAxis => {
                    dims.push(Dim::Known(1));
                    out.push(IndexItem::NewAxis);
                }
                ItemKind::Ellipsis(_) => {
                    let n = rank - consumed;
                    dims.extend_from_slice(&base_ty.dims[axis..axis + n]);
                    axis += n;
                    out.push(IndexItem::Ellipsis);
                }
                ItemKind::IntArray(index) => {
                    dims.extend_from_slice(&index.ty.dims);
                    axis += 1;
                    out.push(IndexItem::Gather(index));
                }
                ItemKind::BoolMask(mask) => {
                    let r = mask.ty.rank();
                    for (k, mask_dim) in mask.ty.dims.iter().enumerate() {
                        if let (Dim::Known(a), Dim::Known(b)) = (base_ty.dims[axis + k], mask_dim)
                            && a != *b
                        {
                            self.report(Diagnostic::type_error(
                                mask.span,
                                format!(
                                    "boolean index {} does not match axis {} of {base_ty} (length {a})",
                                    mask.ty,
                                    axis + k
                                ),
                            ));
                            return None;
                        }
                    }
                    // The number of selected elements is only known at run time.
                    dims.push(Dim::Unknown);
                    axis += r;
                    out.push(IndexItem::Mask(mask));
                }
            }
        }
        dims.extend_from_slice(&base_ty.dims[axis..]);
        Some((out, dims))
    }

    fn index_item(&mut self, item: &ast::IndexItem) -> Option<ItemKind> {
        match item {
            ast::IndexItem::Ellipsis(span) => Some(ItemKind::Ellipsis(*span)),
            ast::IndexItem::Slice {
                start,
                stop,
                step,
                span,
            } => {
                let part =
                    |cx: &mut Self, e: &Option<Box<ast::Expr>>| -> Result<Option<Box<Expr>>, ()> {
                        match e {
                            None => Ok(None),
                            Some(e) => {
                                let value = cx.expr(e).ok_or(())?;
                                let index = cx.index_int(value, "a slice bound").ok_or(())?;
                                Ok(Some(Box::new(index)))
                            }
                        }
                    };
                let start = part(self, start);
                let stop = part(self, stop);
                let step = part(self, step);
                Some(ItemKind::Slice {
                    start: start.ok()?,
                    stop: stop.ok()?,
                    step: step.ok()?,
                    span: *span,
                })
            }
            ast::IndexItem::Expr(e) => {
                if let ast::ExprKind::Name(ident) = &e.kind
                    && let Some(binding) = self.lookup(&ident.name)
                    && matches!(binding.kind, BindingKind::NewAxis)
                {
                    return Some(ItemKind::NewAxis);
                }
                let value = self.expr(e)?;
                let dtype = value.ty.dtype;
                if value.ty.is_scalar() {
                    if dtype.is_int() {
                        return Some(ItemKind::Int(self.cast_to(value, DType::I64)));
                    }
                    let hint = if dtype.is_float() {
                        "convert it with `as i64`"
                    } else {
                        "use an integer, a slice, or a bool array"
                    };
                    self.report(
                        Diagnostic::type_error(
                            e.span,
                            format!("an index must be an integer, found {}", value.ty),
                        )
                        .with_hint(hint),
                    );
                    return None;
                }
                if dtype.is_bool() {
                    return Some(ItemKind::BoolMask(value));
                }
                if dtype.is_int() {
                    return Some(ItemKind::IntArray(value));
                }
                self.report(
                    Diagnostic::type_error(
                        e.span,
                        format!(
                            "an index array must hold integers or bools, found {}",
                            value.ty
                        ),
                    )
                    .with_hint("convert it with `as i64`"),
                );
                None
            }
        }
    }

    fn index_expr(
        &mut self,
        base: &ast::Expr,
        items: &[ast::IndexItem],
        span: Span,
    ) -> Option<Expr> {
        let base = self.expr(base);
        let base = base?;
        let (items, dims) = self.index_items(&base.ty, items, span)?;
        let ty = Type::array(base.ty.dtype, dims);
        Some(mk(
            ExprKind::Index {
                base: Box::new(base),
                items,
            },
            ty,
            span,
        ))
    }
}

/// Matmul result dims (NumPy `matmul` rules), or a message.
pub(crate) fn matmul_dims(a: &[Dim], b: &[Dim]) -> Result<Vec<Dim>, String> {
    if a.is_empty() || b.is_empty() {
        return Err("matrix product of a rank-0 value; use `*`".to_string());
    }
    let a2: Vec<Dim> = if a.len() == 1 {
        vec![Dim::Known(1), a[0]]
    } else {
        a.to_vec()
    };
    let b2: Vec<Dim> = if b.len() == 1 {
        vec![b[0], Dim::Known(1)]
    } else {
        b.to_vec()
    };
    let k_a = a2[a2.len() - 1];
    let k_b = b2[b2.len() - 2];
    if let (Dim::Known(x), Dim::Known(y)) = (k_a, k_b)
        && x != y
    {
        return Err(format!("inner dimensions differ: {x} and {y}"));
    }
    let batch = broadcast(&a2[..a2.len() - 2], &b2[..b2.len() - 2])
        .map_err(|_| "batch dimensions do not broadcast".to_string())?;
    let mut dims = batch;
    if a.len() > 1 {
        dims.push(a2[a2.len() - 2]);
    }
    if b.len() > 1 {
        dims.push(b2[b2.len() - 1]);
    }
    Ok(dims)
}

/// A unary operation node, or the constant `folded` when the operand folded to one.
fn unary_node(op: UnaryOp, operand: Expr, folded: Option<Scalar>, ty: Type, span: Span) -> Expr {
    match folded {
        Some(value) => mk(ExprKind::Const(value), ty, span),
        None => mk(ExprKind::Unary(op, Box::new(operand)), ty, span),
    }
}

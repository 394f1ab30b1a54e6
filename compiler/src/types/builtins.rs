//! The built-in functions of spec §8: argument binding by position and name, result types
//! (NumPy's result dtypes), and lowering to HIR nodes. Built-ins the executor does not run yet
//! are fully type-checked and lowered to `ExprKind::Unsupported`.

use nx_runtime::{DType, Scalar};

use crate::diagnostics::{Diagnostic, Span};
use crate::ir::{BinaryOp, MathFn, ReduceOp, UnaryOp};
use crate::syntax::ast;

use super::context::{Cx, positional_args};
use super::expr::{Checked, Want, matmul_dims};
use super::hir::{Creation, Dim, Expr, ExprKind, LibraryOp, Reduction, Stmt, StmtKind, Type};
use super::promote::{
    broadcast, const_int, const_value, mk, promote, promote_to_scalar, stmt_then_value, unify_dim,
};

pub(crate) const BUILTIN_NAMES: &[&str] = &[
    "zeros",
    "ones",
    "full",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "abs",
    "sign",
    "sqrt",
    "cbrt",
    "square",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log2",
    "log10",
    "log1p",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "erf",
    "erfc",
    "floor",
    "ceil",
    "trunc",
    "round",
    "atan2",
    "hypot",
    "pow",
    "minimum",
    "maximum",
    "copysign",
    "clip",
    "where",
    "isnan",
    "isinf",
    "isfinite",
    "sum",
    "prod",
    "mean",
    "var",
    "std",
    "min",
    "max",
    "argmin",
    "argmax",
    "any",
    "all",
    "count_nonzero",
    "cumsum",
    "cumprod",
    "sort",
    "argsort",
    "reshape",
    "ravel",
    "transpose",
    "concat",
    "stack",
    "broadcast_to",
    "len",
    "matmul",
    "dot",
    "outer",
    "norm",
    "allclose",
    "array_equal",
    "print",
    "load",
    "save",
    "clock",
];

pub(crate) fn is_builtin(name: &str) -> bool {
    BUILTIN_NAMES.contains(&name)
}

/// Parameters of a built-in: positional-or-keyword names (the first `required` are required),
/// then keyword-only names.
struct Sig {
    positional: &'static [&'static str],
    required: usize,
    keyword: &'static [&'static str],
}

fn signature(name: &str) -> Sig {
    let sig = |positional, required, keyword| Sig {
        positional,
        required,
        keyword,
    };
    match name {
        "zeros" | "ones" | "eye" => sig(
            if name == "eye" { &["n"] } else { &["shape"] },
            1,
            &["dtype"],
        ),
        "full" => sig(&["shape", "value"], 2, &["dtype"]),
        "arange" => sig(&["start", "stop", "step"], 1, &["dtype"]),
        "linspace" => sig(&["start", "stop", "num"], 2, &["endpoint", "dtype"]),
        "rand" | "randn" => sig(&["shape"], 1, &["seed"]),
        "randint" => sig(&["low", "high", "shape"], 3, &["seed"]),
        "atan2" | "hypot" | "pow" | "minimum" | "maximum" | "copysign" => sig(&["x", "y"], 2, &[]),
        "clip" => sig(&["x", "lo", "hi"], 3, &[]),
        "where" => sig(&["c", "a", "b"], 3, &[]),
        "sum" | "prod" | "mean" | "min" | "max" | "any" | "all" | "count_nonzero" => {
            sig(&["x"], 1, &["axis", "keepdims"])
        }
        "var" | "std" => sig(&["x"], 1, &["axis", "keepdims", "ddof"]),
        "argmin" | "argmax" => sig(&["x"], 1, &["axis", "keepdims"]),
        "cumsum" | "cumprod" | "sort" | "argsort" => sig(&["x"], 1, &["axis"]),
        "reshape" | "broadcast_to" => sig(&["x", "shape"], 2, &[]),
        "transpose" => sig(&["x", "axes"], 1, &[]),
        "concat" | "stack" => sig(&["arrays"], 1, &["axis"]),
        "matmul" | "dot" | "outer" | "array_equal" => sig(&["a", "b"], 2, &[]),
        "allclose" => sig(&["a", "b", "rtol", "atol"], 2, &[]),
        "load" => sig(&["path"], 1, &["dtype", "ndim"]),
        "save" => sig(&["path", "x"], 2, &[]),
        "clock" => sig(&[], 0, &[]),
        _ => sig(&["x"], 1, &[]),
    }
}

fn float_fn(name: &str) -> Option<MathFn> {
    Some(match name {
        "cbrt" => MathFn::Cbrt,
        "exp" => MathFn::Exp,
        "exp2" => MathFn::Exp2,
        "expm1" => MathFn::Expm1,
        "log" => MathFn::Log,
        "log2" => MathFn::Log2,
        "log10" => MathFn::Log10,
        "log1p" => MathFn::Log1p,
        "sin" => MathFn::Sin,
        "cos" => MathFn::Cos,
        "tan" => MathFn::Tan,
        "asin" => MathFn::Asin,
        "acos" => MathFn::Acos,
        "atan" => MathFn::Atan,
        "sinh" => MathFn::Sinh,
        "cosh" => MathFn::Cosh,
        "tanh" => MathFn::Tanh,
        "erf" => MathFn::Erf,
        "erfc" => MathFn::Erfc,
        _ => return None,
    })
}

/// Normalizes a possibly negative axis against a rank.
fn normalize_axis(axis: i128, rank: usize) -> Option<usize> {
    let rank = rank as i128;
    let normalized = if axis < 0 { axis + rank } else { axis };
    if (0..rank).contains(&normalized) {
        Some(normalized as usize)
    } else {
        None
    }
}

/// A library built-in run by the executor (`exec/library.rs`).
fn library(op: LibraryOp, args: Vec<Expr>, ty: Type, span: Span) -> Expr {
    mk(ExprKind::Library { op, args }, ty, span)
}

/// An array of the shape `shape` (with static lengths `dims`) filled with the rank-0 `value`,
/// of the value's dtype.
fn full_node(shape: Expr, value: Expr, dims: Vec<Dim>, span: Span) -> Expr {
    let dtype = value.ty.dtype;
    mk(
        ExprKind::Creation(Creation::Full {
            shape: Box::new(shape),
            value: Box::new(value),
        }),
        Type::array(dtype, dims),
        span,
    )
}

fn total_size(dims: &[Dim]) -> Dim {
    dims.iter()
        .try_fold(1u64, |acc, d| match d {
            Dim::Known(n) => acc.checked_mul(*n),
            Dim::Unknown => None,
        })
        .map(Dim::Known)
        .unwrap_or(Dim::Unknown)
}

impl Cx<'_> {
    pub(crate) fn call_builtin(
        &mut self,
        func: &ast::Ident,
        receiver: Option<&ast::Expr>,
        args: &[ast::Arg],
        span: Span,
        want: Want,
    ) -> Checked {
        let name = func.name.as_str();
        if name == "print" {
            return self.print(func, receiver, args, span, want);
        }
        let sig = signature(name);
        let Some(bound) = self.bind_builtin(name, &sig, receiver, args, span) else {
            return Checked::Error;
        };
        if name == "save" {
            return self.save(&bound, span, want);
        }
        Checked::from_option(self.builtin_value(name, &bound, span))
    }

    /// Binds arguments to a built-in's parameters; reports unknown, repeated and missing ones.
    fn bind_builtin<'e>(
        &mut self,
        name: &str,
        sig: &Sig,
        receiver: Option<&'e ast::Expr>,
        args: &'e [ast::Arg],
        span: Span,
    ) -> Option<Vec<Option<&'e ast::Expr>>> {
        let n_positional = sig.positional.len();
        let mut slots: Vec<Option<&'e ast::Expr>> = vec![None; n_positional + sig.keyword.len()];
        let mut ok = true;
        let positional = positional_args(receiver, args);
        if positional.len() > n_positional {
            let extra = positional[n_positional];
            let mut diagnostic = Diagnostic::type_error(
                extra.span,
                format!(
                    "`{name}` takes {n_positional} positional argument{} but {} were given",
                    if n_positional == 1 { "" } else { "s" },
                    positional.len()
                ),
            );
            if !sig.keyword.is_empty() {
                let keywords: Vec<String> = sig.keyword.iter().map(|k| format!("`{k}=`")).collect();
                diagnostic =
                    diagnostic.with_hint(format!("{} must be given by name", keywords.join(", ")));
            }
            self.report(diagnostic);
            ok = false;
        }
        for (i, value) in positional.into_iter().enumerate().take(n_positional) {
            slots[i] = Some(value);
        }
        let params: Vec<&str> = sig.positional.iter().chain(sig.keyword).copied().collect();
        ok &= self.bind_keywords(args, &params, &mut slots, |keyword| {
            format!("`{name}` has no argument `{keyword}`")
        });
        for (i, param) in sig.positional.iter().enumerate().take(sig.required) {
            // `arange(stop=5)` is fine: the one required argument may come as `stop`.
            if ok && slots[i].is_none() && !(name == "arange" && slots[1].is_some()) {
                self.error(
                    span,
                    format!("missing argument `{param}` in the call of `{name}`"),
                );
                ok = false;
            }
        }
        if ok { Some(slots) } else { None }
    }

    fn print(
        &mut self,
        func: &ast::Ident,
        receiver: Option<&ast::Expr>,
        args: &[ast::Arg],
        span: Span,
        want: Want,
    ) -> Checked {
        let mut values = Vec::new();
        let mut failed = false;
        let all = receiver.into_iter().chain(args.iter().map(|a| &a.value));
        for value in all {
            if let ast::ExprKind::Str(text) = &value.kind {
                values.push(mk(
                    ExprKind::Str(text.clone()),
                    Type::scalar(DType::Bool),
                    value.span,
                ));
                continue;
            }
            match self.expr(value) {
                Some(v) => values.push(v),
                None => failed = true,
            }
        }
        for arg in args {
            if let Some(name) = &arg.name {
                self.error(name.span, "`print` takes no keyword arguments");
                failed = true;
            }
        }
        if want == Want::Value {
            self.report(
                Diagnostic::type_error(
                    func.span,
                    "`print` returns nothing; its result cannot be used",
                )
                .with_hint("call `print` as a statement"),
            );
            return Checked::Error;
        }
        if failed {
            return Checked::Error;
        }
        Checked::void(Stmt {
            kind: StmtKind::Print(values),
            span,
        })
    }

    fn save(&mut self, bound: &[Option<&ast::Expr>], span: Span, want: Want) -> Checked {
        let path_ok = self.string_arg(bound[0], "save");
        let path = match bound[0] {
            Some(ast::Expr {
                kind: ast::ExprKind::Str(path),
                ..
            }) => path.clone(),
            _ => String::new(),
        };
        let value = bound[1].and_then(|e| self.expr(e));
        if want == Want::Value {
            self.report(Diagnostic::type_error(
                span,
                "`save` returns nothing; its result cannot be used",
            ));
            return Checked::Error;
        }
        let (true, Some(value)) = (path_ok, value) else {
            return Checked::Error;
        };
        // `save` has no value: the executor runs it for its effect only (`eval_for_effect`).
        let stmt_value = library(
            LibraryOp::Save { path },
            vec![value],
            Type::scalar(DType::Bool),
            span,
        );
        Checked::void(Stmt {
            kind: StmtKind::Expr {
                value: stmt_value,
                show: false,
            },
            span,
        })
    }

    fn string_arg(&mut self, arg: Option<&ast::Expr>, fname: &str) -> bool {
        match arg {
            Some(ast::Expr {
                kind: ast::ExprKind::Str(_),
                ..
            }) => true,
            Some(other) => {
                self.error(
                    other.span,
                    format!("the path of `{fname}` must be a string literal"),
                );
                false
            }
            None => false,
        }
    }

    /// Dispatches to one group of built-ins (kept apart so that each stack frame on the
    /// recursion through nested calls stays small).
    fn builtin_value(
        &mut self,
        name: &str,
        bound: &[Option<&ast::Expr>],
        span: Span,
    ) -> Option<Expr> {
        match name {
            "zeros" | "ones" | "full" | "arange" | "linspace" | "eye" | "rand" | "randn"
            | "randint" => self.builtin_creation(name, bound, span),
            "sum" | "prod" | "mean" | "var" | "std" | "min" | "max" | "argmin" | "argmax"
            | "any" | "all" | "count_nonzero" => self.reduction(name, bound, span),
            "cumsum" | "cumprod" | "sort" | "argsort" | "reshape" | "ravel" | "transpose"
            | "concat" | "stack" | "broadcast_to" | "len" => self.builtin_shape(name, bound, span),
            "matmul" | "dot" | "outer" | "norm" | "allclose" | "array_equal" | "load" | "clock" => {
                self.builtin_other(name, bound, span)
            }
            _ => self.builtin_elementwise(name, bound, span),
        }
    }

    #[inline(never)]
    fn builtin_creation(
        &mut self,
        name: &str,
        bound: &[Option<&ast::Expr>],
        span: Span,
    ) -> Option<Expr> {
        match name {
            "zeros" | "ones" => {
                let shape = self.shape_arg(bound[0]?, false);
                let dtype = self.optional_dtype(bound[1]);
                let (shape, dims) = shape?;
                let dtype = dtype?.unwrap_or(DType::F64);
                let value = if name == "zeros" {
                    Scalar::zero(dtype)
                } else {
                    Scalar::one(dtype)
                };
                let value = mk(ExprKind::Const(value), Type::scalar(dtype), span);
                Some(full_node(shape, value, dims, span))
            }
            "full" => self.full(bound, span),
            "arange" => self.arange(bound, span),
            "linspace" => self.linspace(bound, span),
            "eye" => {
                let n = self
                    .expr(bound[0]?)
                    .and_then(|n| self.index_int(n, "the size of `eye`"));
                let dtype = self.optional_dtype(bound[1]);
                let n = n?;
                let dtype = dtype?.unwrap_or(DType::F64);
                let dim = self.size_dim(&n)?;
                Some(mk(
                    ExprKind::Creation(Creation::Eye { n: Box::new(n) }),
                    Type::array(dtype, vec![dim, dim]),
                    span,
                ))
            }
            "rand" | "randn" => {
                let shape = self.shape_arg(bound[0]?, false);
                let seed = self.seed_arg(bound[1]);
                let ((shape, dims), seed) = (shape?, seed?);
                let op = if name == "rand" {
                    super::hir::LibraryOp::Rand
                } else {
                    super::hir::LibraryOp::Randn
                };
                // args: shape, then the seed when given.
                let args = std::iter::once(shape).chain(seed).collect();
                Some(library(op, args, Type::array(DType::F64, dims), span))
            }
            "randint" => {
                let low = self
                    .expr(bound[0]?)
                    .and_then(|v| self.index_int(v, "`low`"));
                let high = self
                    .expr(bound[1]?)
                    .and_then(|v| self.index_int(v, "`high`"));
                let shape = self.shape_arg(bound[2]?, false);
                let seed = self.seed_arg(bound[3]);
                let ((shape, dims), low, high, seed) = (shape?, low?, high?, seed?);
                // args: low, high, shape, then the seed when given.
                let args = [low, high, shape].into_iter().chain(seed).collect();
                Some(library(
                    super::hir::LibraryOp::Randint,
                    args,
                    Type::array(DType::I64, dims),
                    span,
                ))
            }
            _ => self.not_in_group(name, span),
        }
    }

    #[inline(never)]
    fn builtin_elementwise(
        &mut self,
        name: &str,
        bound: &[Option<&ast::Expr>],
        span: Span,
    ) -> Option<Expr> {
        if let Some(math) = float_fn(name) {
            let x = self.expr(bound[0]?)?;
            return self.float_unary(x, UnaryOrMath::Math(math), name, span);
        }
        match name {
            "sqrt" => {
                let x = self.expr(bound[0]?)?;
                self.float_unary(x, UnaryOrMath::Unary(UnaryOp::Sqrt), name, span)
            }
            "abs" | "sign" | "floor" | "ceil" | "trunc" | "round" => {
                let x = self.expr(bound[0]?)?;
                self.int_keeping_unary(x, name, span)
            }
            "square" => {
                let x = self.expr(bound[0]?)?;
                self.square(x, span)
            }
            "isnan" | "isinf" | "isfinite" => {
                let x = self.expr(bound[0]?)?;
                if x.ty.dtype.is_bool() {
                    self.report(Diagnostic::type_error(
                        x.span,
                        format!("`{name}` needs a number, found {}", x.ty),
                    ));
                    return None;
                }
                let op = match name {
                    "isnan" => UnaryOp::IsNan,
                    "isinf" => UnaryOp::IsInf,
                    _ => UnaryOp::IsFinite,
                };
                let x = if x.ty.dtype.is_float() {
                    x
                } else {
                    self.cast_to(x, DType::F64)
                };
                let ty = Type::array(DType::Bool, x.ty.dims.clone());
                Some(mk(ExprKind::Unary(op, Box::new(x)), ty, span))
            }
            "atan2" | "hypot" | "copysign" => {
                let (x, y) = self.two_values(bound)?;
                self.float_binary(x, y, name, span)
            }
            "pow" | "minimum" | "maximum" => {
                let (x, y) = self.two_values(bound)?;
                let (xs, ys) = (x.span, y.span);
                let mut out = if name == "pow" {
                    self.binary(ast::BinaryOp::Pow, x, y, span, xs, ys)?
                } else {
                    self.min_max(x, y, name == "minimum", span)?
                };
                out.ty.weak = false;
                out.span = span;
                Some(out)
            }
            "clip" => {
                let x = self.expr(bound[0]?);
                let lo = self.expr(bound[1]?);
                let hi = self.expr(bound[2]?);
                self.clip(x?, lo?, hi?, span)
            }
            "where" => {
                let c = self.expr(bound[0]?);
                let a = self.expr(bound[1]?);
                let b = self.expr(bound[2]?);
                self.where_(c?, a?, b?, span)
            }
            _ => self.not_in_group(name, span),
        }
    }

    #[inline(never)]
    fn builtin_shape(
        &mut self,
        name: &str,
        bound: &[Option<&ast::Expr>],
        span: Span,
    ) -> Option<Expr> {
        match name {
            "cumsum" | "cumprod" => {
                use super::hir::LibraryOp;
                let x = self.expr(bound[0]?)?;
                let dtype = sum_dtype(x.ty.dtype);
                let (axis, dims) = match bound[1] {
                    Some(axis) => (Some(self.single_axis(axis, &x.ty)?), x.ty.dims.clone()),
                    None => (None, vec![total_size(&x.ty.dims)]),
                };
                // The executor accumulates in the result dtype (NumPy's `cumsum` of integers
                // in i64, or u64 for unsigned ones).
                let x = self.cast_to(x, dtype);
                let op = if name == "cumsum" {
                    LibraryOp::Cumsum { axis }
                } else {
                    LibraryOp::Cumprod { axis }
                };
                Some(mk(
                    ExprKind::Library { op, args: vec![x] },
                    Type::array(dtype, dims),
                    span,
                ))
            }
            "sort" | "argsort" => {
                use super::hir::LibraryOp;
                let x = self.expr(bound[0]?)?;
                let axis = match bound[1] {
                    Some(axis) => self.single_axis(axis, &x.ty)?,
                    None if x.ty.rank() == 0 => {
                        self.error(
                            x.span,
                            format!("`{name}` needs an array of rank at least 1, found {}", x.ty),
                        );
                        return None;
                    }
                    None => x.ty.rank() - 1,
                };
                let (dtype, op) = if name == "sort" {
                    (x.ty.dtype, LibraryOp::Sort { axis })
                } else {
                    (DType::I64, LibraryOp::Argsort { axis })
                };
                let dims = x.ty.dims.clone();
                Some(mk(
                    ExprKind::Library {
                        op,
                        args: vec![Type::strong(x)],
                    },
                    Type::array(dtype, dims),
                    span,
                ))
            }
            "reshape" => {
                let x = self.expr(bound[0]?);
                let shape = self.shape_arg(bound[1]?, true);
                let (x, (shape, mut dims)) = (x?, shape?);
                if let ExprKind::List(items) = &shape.kind {
                    let minus_ones: Vec<&Expr> = items
                        .iter()
                        .filter(|item| const_int(item) == Some(-1))
                        .collect();
                    if let [_, second, ..] = minus_ones.as_slice() {
                        self.report(
                            Diagnostic::type_error(
                                second.span,
                                "`reshape` can infer only one length: a second `-1`",
                            )
                            .with_hint("give every length but one"),
                        );
                        return None;
                    }
                }
                // One `-1` (an unknown here) is inferred when everything else is known.
                let unknown: Vec<usize> = (0..dims.len())
                    .filter(|i| dims[*i] == Dim::Unknown)
                    .collect();
                if let (Dim::Known(total), [one]) = (total_size(&x.ty.dims), unknown.as_slice()) {
                    let rest: u64 = dims
                        .iter()
                        .map(|d| if let Dim::Known(n) = d { *n } else { 1 })
                        .product();
                    if rest != 0 && total % rest == 0 {
                        dims[*one] = Dim::Known(total / rest);
                    }
                }
                if let (Dim::Known(total), Dim::Known(new_total)) =
                    (total_size(&x.ty.dims), total_size(&dims))
                    && total != new_total
                {
                    self.error(
                        span,
                        format!(
                            "cannot reshape {} ({total} elements) into {}",
                            x.ty,
                            Type::array(x.ty.dtype, dims)
                        ),
                    );
                    return None;
                }
                let ty = Type::array(x.ty.dtype, dims);
                Some(library(
                    super::hir::LibraryOp::Reshape,
                    vec![x, shape],
                    ty,
                    span,
                ))
            }
            "ravel" => {
                let x = self.expr(bound[0]?)?;
                let ty = Type::array(x.ty.dtype, vec![total_size(&x.ty.dims)]);
                Some(library(super::hir::LibraryOp::Ravel, vec![x], ty, span))
            }
            "transpose" => {
                let x = self.expr(bound[0]?)?;
                match bound[1] {
                    None => Some(self.transpose(x, span)),
                    Some(axes) => {
                        let perm = self.permutation(axes, &x.ty)?;
                        let dims = perm.iter().map(|a| x.ty.dims[*a]).collect();
                        let ty = Type::array(x.ty.dtype, dims);
                        let op = super::hir::LibraryOp::Transpose { axes: perm };
                        Some(library(op, vec![x], ty, span))
                    }
                }
            }
            "concat" | "stack" => self.concat_stack(name, bound, span),
            "broadcast_to" => {
                let x = self.expr(bound[0]?);
                let shape = self.shape_arg(bound[1]?, false);
                let (x, (shape, dims)) = (x?, shape?);
                let ok = x.ty.rank() <= dims.len()
                    && broadcast(&x.ty.dims, &dims).is_ok_and(|b| {
                        b.iter()
                            .zip(&dims)
                            .all(|(a, d)| *d == Dim::Unknown || a == d)
                    });
                if !ok {
                    let target = Type::array(x.ty.dtype, dims);
                    self.error(span, format!("cannot broadcast {} to {target}", x.ty));
                    return None;
                }
                let ty = Type::array(x.ty.dtype, dims);
                Some(library(
                    super::hir::LibraryOp::BroadcastTo,
                    vec![x, shape],
                    ty,
                    span,
                ))
            }
            "len" => {
                let x = self.expr(bound[0]?)?;
                match x.ty.dims.first().copied() {
                    None => {
                        self.report(
                            Diagnostic::type_error(
                                x.span,
                                format!("`len` of a rank-0 value ({})", x.ty),
                            )
                            .with_hint("`len` is the length of the first axis"),
                        );
                        None
                    }
                    Some(Dim::Known(n)) => {
                        Some(self.constant_after(x, Scalar::I64(n as i64), span))
                    }
                    Some(Dim::Unknown) => Some(mk(
                        ExprKind::Len(Box::new(x)),
                        Type::weak_scalar(DType::I64),
                        span,
                    )),
                }
            }
            _ => self.not_in_group(name, span),
        }
    }

    #[inline(never)]
    fn builtin_other(
        &mut self,
        name: &str,
        bound: &[Option<&ast::Expr>],
        span: Span,
    ) -> Option<Expr> {
        match name {
            "matmul" => {
                let (a, b) = self.two_values(bound)?;
                self.matmul(a, b, span, "matmul")
            }
            "dot" => {
                let (a, b) = self.two_values(bound)?;
                if a.ty.rank() > 2 || b.ty.rank() > 2 {
                    self.report(
                        Diagnostic::type_error(
                            span,
                            format!(
                                "`dot` takes arrays of rank at most 2, found {} and {}",
                                a.ty, b.ty
                            ),
                        )
                        .with_hint("use `matmul` (or `@`) for stacks of matrices"),
                    );
                    return None;
                }
                if a.ty.rank() == 0 || b.ty.rank() == 0 {
                    // NumPy: `dot` with a scalar is the elementwise product (a strong result).
                    let (sa, sb) = (a.span, b.span);
                    let mut product = self.binary(ast::BinaryOp::Mul, a, b, span, sa, sb)?;
                    product.ty.weak = false;
                    return Some(product);
                }
                self.matmul(a, b, span, "dot")
            }
            "outer" => {
                let (a, b) = self.two_values(bound)?;
                let dtype = self.arith_dtype(&a, &b, "outer", span)?;
                let dims = vec![total_size(&a.ty.dims), total_size(&b.ty.dims)];
                let (a, b) = (self.coerce(a, dtype)?, self.coerce(b, dtype)?);
                let ty = Type::array(dtype, dims);
                Some(library(LibraryOp::Outer, vec![a, b], ty, span))
            }
            "norm" => {
                let x = self.expr(bound[0]?)?;
                let dtype = if x.ty.dtype.is_float() {
                    x.ty.dtype
                } else {
                    DType::F64
                };
                let x = self.coerce(x, dtype)?;
                Some(library(LibraryOp::Norm, vec![x], Type::scalar(dtype), span))
            }
            "allclose" => {
                use super::hir::LibraryOp;
                let a = self.expr(bound[0]?);
                let b = self.expr(bound[1]?);
                let rtol = bound[2].map(|e| self.expr(e));
                let atol = bound[3].map(|e| self.expr(e));
                let (a, b) = (a?, b?);
                // The tolerances as f64 (NumPy's defaults when absent).
                let mut tolerances = Vec::with_capacity(2);
                for (tol, default) in [(rtol, 1e-5), (atol, 1e-8)] {
                    let tol = match tol {
                        Some(tol) => tol?,
                        None => mk(
                            ExprKind::Const(Scalar::F64(default)),
                            Type::scalar(DType::F64),
                            span,
                        ),
                    };
                    if !tol.ty.is_scalar() || tol.ty.dtype.is_bool() {
                        self.error(
                            tol.span,
                            format!("a tolerance must be a rank-0 number, found {}", tol.ty),
                        );
                        return None;
                    }
                    tolerances.push(self.cast_to(tol, DType::F64));
                }
                self.broadcast_or_report(&a.ty, &b.ty, span, a.span, b.span)?;
                let mut args = vec![Type::strong(a), Type::strong(b)];
                args.extend(tolerances);
                Some(mk(
                    ExprKind::Library {
                        op: LibraryOp::Allclose,
                        args,
                    },
                    Type::scalar(DType::Bool),
                    span,
                ))
            }
            "array_equal" => {
                use super::hir::LibraryOp;
                let (a, b) = self.two_values(bound)?;
                Some(mk(
                    ExprKind::Library {
                        op: LibraryOp::ArrayEqual,
                        args: vec![Type::strong(a), Type::strong(b)],
                    },
                    Type::scalar(DType::Bool),
                    span,
                ))
            }
            "load" => self.load(bound, span),
            "clock" => Some(mk(ExprKind::Clock, Type::scalar(DType::F64), span)),
            _ => self.not_in_group(name, span),
        }
    }

    /// The fallback of a group of built-ins, for a name `builtin_value` does not send to it.
    fn not_in_group(&mut self, name: &str, span: Span) -> Option<Expr> {
        self.error(span, format!("`{name}` cannot be used here"));
        None
    }

    /// Checks the first two arguments; the second even when the first failed, so that both
    /// report their errors.
    fn two_values(&mut self, bound: &[Option<&ast::Expr>]) -> Option<(Expr, Expr)> {
        let first = self.expr(bound[0]?);
        let second = self.expr(bound[1]?);
        Some((first?, second?))
    }

    fn optional_dtype(&mut self, arg: Option<&ast::Expr>) -> Option<Option<DType>> {
        match arg {
            None => Some(None),
            Some(ast::Expr {
                kind: ast::ExprKind::DType(dtype),
                ..
            }) => Some(Some(*dtype)),
            Some(other) => {
                self.report(
                    Diagnostic::type_error(other.span, "`dtype=` expects a dtype name")
                        .with_hint("e.g. `dtype=f32`; the dtypes are bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64"),
                );
                None
            }
        }
    }

    /// The `seed=` of a random built-in as an i64 expression (`Some(None)` when absent).
    fn seed_arg(&mut self, arg: Option<&ast::Expr>) -> Option<Option<Expr>> {
        match arg {
            Some(seed) => {
                let value = self.expr(seed)?;
                Some(Some(self.index_int(value, "`seed=`")?))
            }
            None => Some(None),
        }
    }

    fn const_bool_arg(
        &mut self,
        arg: Option<&ast::Expr>,
        what: &str,
        default: bool,
    ) -> Option<bool> {
        let Some(arg) = arg else { return Some(default) };
        let value = self.expr(arg)?;
        match self.known_value(&value) {
            Some(Scalar::Bool(b)) => Some(b),
            _ => {
                self.error(
                    arg.span,
                    format!("`{what}=` must be the constant `true` or `false`"),
                );
                None
            }
        }
    }

    /// A static length from a rank-0 i64 size expression: known when constant.
    fn size_dim(&mut self, size: &Expr) -> Option<Dim> {
        match const_int(size) {
            Some(n) if n < 0 => {
                self.error(size.span, format!("a size cannot be negative, found {n}"));
                None
            }
            Some(n) => Some(Dim::Known(n as u64)),
            None => Some(Dim::Unknown),
        }
    }

    /// A shape argument: an integer, a list of integers, or a `.shape` value (§8). Returns the
    /// i64 shape expression (rank 0 or 1) and the static dims it gives. With `allow_minus_one`
    /// (reshape), a constant `-1` is an unknown length.
    fn shape_arg(&mut self, arg: &ast::Expr, allow_minus_one: bool) -> Option<(Expr, Vec<Dim>)> {
        let value = self.expr(arg)?;
        if !value.ty.dtype.is_int() || value.ty.rank() > 1 {
            self.report(
                Diagnostic::type_error(
                    arg.span,
                    format!(
                        "a shape must be an integer or a list of integers, found {}",
                        value.ty
                    ),
                )
                .with_hint("e.g. `zeros(5)`, `zeros([2, 3])` or `zeros(a.shape)`"),
            );
            return None;
        }
        let size_of = |cx: &mut Self, item: &Expr| -> Option<Dim> {
            match const_int(item) {
                Some(-1) if allow_minus_one => Some(Dim::Unknown),
                Some(n) if n < 0 => {
                    cx.error(item.span, format!("a size cannot be negative, found {n}"));
                    None
                }
                Some(n) => Some(Dim::Known(n as u64)),
                None => Some(Dim::Unknown),
            }
        };
        if value.ty.is_scalar() {
            let dim = size_of(self, &value)?;
            let shape = self.cast_to(value, DType::I64);
            return Some((shape, vec![dim]));
        }
        let Dim::Known(rank) = value.ty.dims[0] else {
            self.report(
                Diagnostic::type_error(
                    arg.span,
                    format!(
                        "the number of axes of a shape must be known statically, found {}",
                        value.ty
                    ),
                )
                .with_hint("write the shape as a list literal `[n, m]` or use `x.shape`"),
            );
            return None;
        };
        let dims = match &value.kind {
            ExprKind::List(items) => {
                let mut dims = Vec::with_capacity(items.len());
                for item in items {
                    dims.push(size_of(self, item)?);
                }
                dims
            }
            ExprKind::Shape(base) => base.ty.dims.clone(),
            _ => vec![Dim::Unknown; rank as usize],
        };
        let shape = self.cast_to(value, DType::I64);
        Some((shape, dims))
    }

    fn full(&mut self, bound: &[Option<&ast::Expr>], span: Span) -> Option<Expr> {
        let shape = self.shape_arg(bound[0]?, false);
        let value = self.expr(bound[1]?);
        let dtype = self.optional_dtype(bound[2]);
        let ((shape, dims), value, dtype) = (shape?, value?, dtype?);
        if !value.ty.is_scalar() {
            self.report(
                Diagnostic::type_error(
                    value.span,
                    format!(
                        "the fill value of `full` must be rank 0, found {}",
                        value.ty
                    ),
                )
                .with_hint("to repeat an array use `broadcast_to(x, shape)`"),
            );
            return None;
        }
        let value = match dtype {
            Some(dtype)
                if value.ty.weak
                    && (dtype.is_int() || dtype.is_float())
                    && value.ty.dtype.is_int() =>
            {
                self.coerce(value, dtype)?
            }
            Some(dtype) => self.cast_to(value, dtype),
            None => value,
        };
        let mut value = value;
        value.ty.weak = false;
        Some(full_node(shape, value, dims, span))
    }

    fn arange(&mut self, bound: &[Option<&ast::Expr>], span: Span) -> Option<Expr> {
        // arange(stop) or arange(start, stop, step=1).
        let (start, stop) = match (bound[0], bound[1]) {
            (Some(only), None) => (None, Some(only)),
            (start, stop) => (start, stop),
        };
        let check = |cx: &mut Self, e: Option<&ast::Expr>| -> Result<Option<Expr>, ()> {
            let Some(e) = e else { return Ok(None) };
            let v = cx.expr(e).ok_or(())?;
            if !v.ty.is_scalar() || v.ty.dtype.is_bool() {
                cx.error(
                    v.span,
                    format!("`arange` takes rank-0 numbers, found {}", v.ty),
                );
                return Err(());
            }
            Ok(Some(v))
        };
        let start = check(self, start);
        let stop = check(self, stop);
        let step = check(self, bound[2]);
        let dtype = self.optional_dtype(bound[3]);
        let (start, stop, step, dtype) = (start.ok()?, stop.ok()?, step.ok()?, dtype?);
        let stop = stop?;
        let any_float = [&start, &Some(stop.clone()), &step]
            .iter()
            .any(|v| v.as_ref().is_some_and(|v| v.ty.dtype.is_float()));
        let default_dtype = if any_float { DType::F64 } else { DType::I64 };
        let dtype = dtype.unwrap_or(default_dtype);
        let zero = mk(
            ExprKind::Const(Scalar::I64(0)),
            Type::weak_scalar(DType::I64),
            span,
        );
        let one = mk(
            ExprKind::Const(Scalar::I64(1)),
            Type::weak_scalar(DType::I64),
            span,
        );
        let start = start.unwrap_or(zero);
        let step = step.unwrap_or(one);
        // The static length, from the values as written.
        let len = match (const_value(&start), const_value(&stop), const_value(&step)) {
            (Some(a), Some(b), Some(s)) => {
                if s.as_f64() == 0.0 {
                    self.error(step.span, "the step of `arange` cannot be zero");
                    return None;
                }
                match (a.as_i128(), b.as_i128(), s.as_i128()) {
                    (Some(a), Some(b), Some(s)) => {
                        let n = if s > 0 {
                            (b - a + s - 1).div_euclid(s)
                        } else {
                            (a - b - s - 1).div_euclid(-s)
                        };
                        Dim::Known(n.max(0) as u64)
                    }
                    _ => {
                        let n = ((b.as_f64() - a.as_f64()) / s.as_f64()).ceil();
                        if n.is_finite() {
                            Dim::Known(n.max(0.0) as u64)
                        } else {
                            Dim::Unknown
                        }
                    }
                }
            }
            _ => Dim::Unknown,
        };
        // The executor computes the length and values from these, NumPy's way.
        let start = self.cast_to(start, default_dtype);
        let stop = self.cast_to(stop, default_dtype);
        let step = self.cast_to(step, default_dtype);
        Some(mk(
            ExprKind::Creation(Creation::Arange {
                start: Box::new(start),
                stop: Box::new(stop),
                step: Box::new(step),
            }),
            Type::array(dtype, vec![len]),
            span,
        ))
    }

    fn linspace(&mut self, bound: &[Option<&ast::Expr>], span: Span) -> Option<Expr> {
        let number = |cx: &mut Self, e: &ast::Expr| -> Option<Expr> {
            let v = cx.expr(e)?;
            if !v.ty.is_scalar() || v.ty.dtype.is_bool() {
                cx.error(
                    v.span,
                    format!("`linspace` takes rank-0 numbers, found {}", v.ty),
                );
                return None;
            }
            Some(v)
        };
        let start = number(self, bound[0]?);
        let stop = number(self, bound[1]?);
        // NumPy computes in result_type(start, stop, float(num)): f32 when a strong f32 meets
        // only f32 or weak values, else f64.
        let compute_dtype = match (&start, &stop) {
            (Some(a), Some(b))
                if [a, b]
                    .iter()
                    .any(|v| v.ty.dtype == DType::F32 && !v.ty.weak)
                    && [a, b].iter().all(|v| v.ty.dtype == DType::F32 || v.ty.weak) =>
            {
                DType::F32
            }
            _ => DType::F64,
        };
        let start = start.map(|v| self.cast_to(v, compute_dtype));
        let stop = stop.map(|v| self.cast_to(v, compute_dtype));
        let num = match bound[2] {
            Some(num) => self.expr(num).and_then(|n| self.index_int(n, "`num`")),
            None => Some(mk(
                ExprKind::Const(Scalar::I64(50)),
                Type::scalar(DType::I64),
                span,
            )),
        };
        let endpoint = self.const_bool_arg(bound[3], "endpoint", true);
        let dtype = self.optional_dtype(bound[4]);
        let (start, stop, num, endpoint, dtype) = (start?, stop?, num?, endpoint?, dtype?);
        let dim = self.size_dim(&num)?;
        let result = mk(
            ExprKind::Creation(Creation::Linspace {
                start: Box::new(start),
                stop: Box::new(stop),
                num: Box::new(num),
                endpoint,
            }),
            Type::array(compute_dtype, vec![dim]),
            span,
        );
        match dtype {
            Some(dtype) if dtype != compute_dtype => Some(self.cast_to(result, dtype)),
            _ => Some(result),
        }
    }

    /// Float-valued functions: integers and bools give f64 (§3.1).
    fn float_unary(&mut self, x: Expr, op: UnaryOrMath, name: &str, span: Span) -> Option<Expr> {
        let dtype = if x.ty.dtype.is_float() {
            x.ty.dtype
        } else {
            DType::F64
        };
        let _ = name;
        let x = self.cast_to(x, dtype);
        let ty = Type::array(dtype, x.ty.dims.clone());
        let kind = match op {
            UnaryOrMath::Unary(op) => ExprKind::Unary(op, Box::new(x)),
            UnaryOrMath::Math(f) => ExprKind::Math(f, vec![x]),
        };
        Some(mk(kind, ty, span))
    }

    /// `abs sign floor ceil trunc round`: integer dtypes are kept (NumPy 2).
    fn int_keeping_unary(&mut self, x: Expr, name: &str, span: Span) -> Option<Expr> {
        let dtype = x.ty.dtype;
        let ty = Type::array(dtype, x.ty.dims.clone());
        if dtype.is_bool() {
            if name == "abs" {
                let mut x = x;
                x.ty = ty;
                x.span = span;
                return Some(x);
            }
            self.report(
                Diagnostic::type_error(x.span, format!("`{name}` needs a number, found {}", x.ty))
                    .with_hint("convert first, e.g. `x as i64`"),
            );
            return None;
        }
        let op = match name {
            "abs" => UnaryOp::Abs,
            "sign" => UnaryOp::Sign,
            "floor" => UnaryOp::Floor,
            "ceil" => UnaryOp::Ceil,
            "trunc" => UnaryOp::Trunc,
            _ => UnaryOp::Round,
        };
        if dtype.is_int()
            && matches!(
                op,
                UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round
            )
        {
            let mut x = x;
            x.ty = ty;
            x.span = span;
            return Some(x);
        }
        Some(mk(ExprKind::Unary(op, Box::new(x)), ty, span))
    }

    /// `square(x)` is `x * x`; a non-trivial `x` is evaluated once into a temporary.
    fn square(&mut self, x: Expr, span: Span) -> Option<Expr> {
        if x.ty.dtype.is_bool() {
            self.report(
                Diagnostic::type_error(x.span, format!("`square` needs a number, found {}", x.ty))
                    .with_hint("convert first, e.g. `x as i64`"),
            );
            return None;
        }
        let ty = Type {
            weak: false,
            ..x.ty.clone()
        };
        if matches!(x.kind, ExprKind::Var(_) | ExprKind::Const(_)) {
            let y = x.clone();
            return Some(mk(
                ExprKind::Binary(BinaryOp::Mul, Box::new(x), Box::new(y)),
                ty,
                span,
            ));
        }
        let var = self.new_slot();
        let x_ty = x.ty.clone();
        let x_span = x.span;
        let read = || mk(ExprKind::Var(var), x_ty.clone(), x_span);
        let product = mk(
            ExprKind::Binary(BinaryOp::Mul, Box::new(read()), Box::new(read())),
            ty,
            span,
        );
        let assign = Stmt {
            kind: StmtKind::Assign { var, value: x },
            span: x_span,
        };
        Some(stmt_then_value(assign, product, span))
    }

    /// The dtype of arithmetic on two values (bool with bool is an error), for built-ins.
    fn arith_dtype(&mut self, a: &Expr, b: &Expr, name: &str, span: Span) -> Option<DType> {
        if a.ty.dtype.is_bool() && b.ty.dtype.is_bool() {
            self.report(
                Diagnostic::type_error(span, format!("`{name}` of two bool values"))
                    .with_hint("convert to a number first, e.g. `x as i64`"),
            );
            return None;
        }
        Some(promote(&a.ty, &b.ty).0)
    }

    fn float_binary(&mut self, x: Expr, y: Expr, name: &str, span: Span) -> Option<Expr> {
        let dims = self.broadcast_or_report(&x.ty, &y.ty, span, x.span, y.span)?;
        let (mut dtype, _) = promote(&x.ty, &y.ty);
        if !dtype.is_float() {
            dtype = DType::F64;
        }
        let x = self.coerce(x, dtype);
        let y = self.coerce(y, dtype);
        let (x, y) = (x?, y?);
        let ty = Type::array(dtype, dims);
        let kind = match name {
            "atan2" => ExprKind::Math(MathFn::Atan2, vec![x, y]),
            "hypot" => ExprKind::Math(MathFn::Hypot, vec![x, y]),
            _ => ExprKind::Binary(BinaryOp::Copysign, Box::new(x), Box::new(y)),
        };
        Some(mk(kind, ty, span))
    }

    fn min_max(&mut self, x: Expr, y: Expr, minimum: bool, span: Span) -> Option<Expr> {
        let dims = self.broadcast_or_report(&x.ty, &y.ty, span, x.span, y.span)?;
        let (dtype, _) = promote(&x.ty, &y.ty);
        let x = self.coerce(x, dtype);
        let y = self.coerce(y, dtype);
        let (x, y) = (x?, y?);
        let op = if minimum {
            BinaryOp::Min
        } else {
            BinaryOp::Max
        };
        Some(mk(
            ExprKind::Binary(op, Box::new(x), Box::new(y)),
            Type::array(dtype, dims),
            span,
        ))
    }

    /// `clip(x, lo, hi)` = `minimum(maximum(x, lo), hi)` in the dtype of all three.
    fn clip(&mut self, x: Expr, lo: Expr, hi: Expr, span: Span) -> Option<Expr> {
        let dims = self.broadcast_or_report(&x.ty, &lo.ty, span, x.span, lo.span)?;
        let partial = Type::array(x.ty.dtype, dims);
        let dims = self.broadcast_or_report(&partial, &hi.ty, span, x.span, hi.span)?;
        let (dtype, _) = promote(&promote_to_scalar(&x.ty, &lo.ty), &hi.ty);
        let x = self.coerce(x, dtype);
        let lo = self.coerce(lo, dtype);
        let hi = self.coerce(hi, dtype);
        let (x, lo, hi) = (x?, lo?, hi?);
        let lower_dims = broadcast(&x.ty.dims, &lo.ty.dims).unwrap_or_default();
        let lower = mk(
            ExprKind::Binary(BinaryOp::Max, Box::new(x), Box::new(lo)),
            Type::array(dtype, lower_dims),
            span,
        );
        Some(mk(
            ExprKind::Binary(BinaryOp::Min, Box::new(lower), Box::new(hi)),
            Type::array(dtype, dims),
            span,
        ))
    }

    fn where_(&mut self, c: Expr, a: Expr, b: Expr, span: Span) -> Option<Expr> {
        if !c.ty.dtype.is_bool() {
            self.report(
                Diagnostic::type_error(
                    c.span,
                    format!("the condition of `where` must be bool, found {}", c.ty),
                )
                .with_hint("compare explicitly, e.g. `x > 0`"),
            );
            return None;
        }
        let dims = self.broadcast_or_report(&a.ty, &b.ty, span, a.span, b.span)?;
        let ab = Type::array(a.ty.dtype, dims);
        let dims = self.broadcast_or_report(&c.ty, &ab, span, c.span, a.span.to(b.span))?;
        let (dtype, _) = promote(&a.ty, &b.ty);
        let a = self.coerce(a, dtype);
        let b = self.coerce(b, dtype);
        let (a, b) = (a?, b?);
        Some(mk(
            ExprKind::Where(Box::new(c), Box::new(a), Box::new(b)),
            Type::array(dtype, dims),
            span,
        ))
    }

    pub(crate) fn matmul(&mut self, a: Expr, b: Expr, span: Span, name: &str) -> Option<Expr> {
        let dtype = self.arith_dtype(&a, &b, if name == "matmul" { "@" } else { name }, span)?;
        match matmul_dims(&a.ty.dims, &b.ty.dims) {
            Ok(dims) => {
                let op = if name == "dot" {
                    LibraryOp::Dot
                } else {
                    LibraryOp::MatMul
                };
                let (a, b) = (self.coerce(a, dtype)?, self.coerce(b, dtype)?);
                Some(library(op, vec![a, b], Type::array(dtype, dims), span))
            }
            Err(reason) => {
                self.report(
                    Diagnostic::type_error(
                        span,
                        format!(
                            "cannot multiply {} and {} as matrices: {reason}",
                            a.ty, b.ty
                        ),
                    )
                    .with_note(a.span, format!("this is {}", a.ty))
                    .with_note(b.span, format!("this is {}", b.ty)),
                );
                None
            }
        }
    }

    /// A constant axis (negative from the end), normalized.
    fn single_axis(&mut self, arg: &ast::Expr, ty: &Type) -> Option<usize> {
        let value = self.expr(arg)?;
        let known = self.known_value(&value).and_then(|v| v.as_i128());
        let Some(axis) = known.filter(|_| value.ty.dtype.is_int()) else {
            let mut diagnostic =
                Diagnostic::type_error(arg.span, "`axis=` must be a constant integer");
            if matches!(value.kind, ExprKind::Var(_)) {
                diagnostic = diagnostic.with_hint(
                    "constants are literals, arithmetic on them, and parameters whose call passes one",
                );
            }
            self.report(diagnostic);
            return None;
        };
        match normalize_axis(axis, ty.rank()) {
            Some(axis) => Some(axis),
            None => {
                self.report(Diagnostic::type_error(
                    arg.span,
                    format!("axis {axis} is out of range for {ty} (rank {})", ty.rank()),
                ));
                None
            }
        }
    }

    /// `axis=` of a reduction: one constant integer or a list of them; sorted, no duplicates.
    fn axes_arg(&mut self, arg: &ast::Expr, ty: &Type) -> Option<Vec<usize>> {
        if let ast::ExprKind::List(items) = &arg.kind {
            let mut axes = Vec::new();
            for item in items {
                let axis = self.single_axis(item, ty)?;
                if axes.contains(&axis) {
                    self.error(item.span, format!("axis {axis} is repeated"));
                    return None;
                }
                axes.push(axis);
            }
            axes.sort_unstable();
            return Some(axes);
        }
        Some(vec![self.single_axis(arg, ty)?])
    }

    #[inline(never)]
    fn reduction(&mut self, name: &str, bound: &[Option<&ast::Expr>], span: Span) -> Option<Expr> {
        let x = self.expr(bound[0]?)?;
        let axes = match bound[1] {
            Some(axis) if matches!(name, "argmin" | "argmax") => {
                Some(vec![self.single_axis(axis, &x.ty)?])
            }
            Some(axis) => Some(self.axes_arg(axis, &x.ty)?),
            None => None,
        };
        let keepdims = self.const_bool_arg(bound[2], "keepdims", false)?;
        let ddof = match bound.get(3).copied().flatten() {
            Some(ddof) => {
                let value = self.expr(ddof)?;
                Some(Box::new(self.index_int(value, "`ddof=`")?))
            }
            None => None,
        };
        let dtype = x.ty.dtype;
        let (op, arg_dtype, result_dtype) = match name {
            "sum" => (
                Reduction::Plain(ReduceOp::Sum),
                Some(sum_dtype(dtype)),
                sum_dtype(dtype),
            ),
            "prod" => (
                Reduction::Plain(ReduceOp::Prod),
                Some(sum_dtype(dtype)),
                sum_dtype(dtype),
            ),
            "mean" | "var" | "std" => {
                let float = if dtype.is_float() { dtype } else { DType::F64 };
                let op = match name {
                    "mean" => Reduction::Mean,
                    "var" => Reduction::Var,
                    _ => Reduction::Std,
                };
                (op, Some(float), float)
            }
            "min" => (Reduction::Plain(ReduceOp::Min), None, dtype),
            "max" => (Reduction::Plain(ReduceOp::Max), None, dtype),
            "argmin" => (Reduction::Plain(ReduceOp::ArgMin), None, DType::I64),
            "argmax" => (Reduction::Plain(ReduceOp::ArgMax), None, DType::I64),
            "any" => (
                Reduction::Plain(ReduceOp::Any),
                Some(DType::Bool),
                DType::Bool,
            ),
            "all" => (
                Reduction::Plain(ReduceOp::All),
                Some(DType::Bool),
                DType::Bool,
            ),
            _ => (Reduction::CountNonzero, None, DType::I64),
        };
        let mut dims = Vec::new();
        for (axis, dim) in x.ty.dims.iter().enumerate() {
            let reduced = axes.as_ref().is_none_or(|axes| axes.contains(&axis));
            if !reduced {
                dims.push(*dim);
            } else if keepdims {
                dims.push(Dim::Known(1));
            }
        }
        let arg = match arg_dtype {
            Some(to) => self.cast_to(x, to),
            None => Type::strong(x),
        };
        Some(mk(
            ExprKind::Reduce {
                op,
                arg: Box::new(arg),
                axes,
                keepdims,
                ddof,
                mean: None,
            },
            Type::array(result_dtype, dims),
            span,
        ))
    }

    fn permutation(&mut self, arg: &ast::Expr, ty: &Type) -> Option<Vec<usize>> {
        let ast::ExprKind::List(items) = &arg.kind else {
            self.error(
                arg.span,
                "`axes` must be a list of constant integers, e.g. `[1, 0]`",
            );
            return None;
        };
        if items.len() != ty.rank() {
            self.error(
                arg.span,
                format!("`axes` must list all {} axes of {ty}", ty.rank()),
            );
            return None;
        }
        let mut perm = Vec::new();
        for item in items {
            let axis = self.single_axis(item, ty)?;
            if perm.contains(&axis) {
                self.error(item.span, format!("axis {axis} is repeated"));
                return None;
            }
            perm.push(axis);
        }
        Some(perm)
    }

    fn concat_stack(
        &mut self,
        name: &str,
        bound: &[Option<&ast::Expr>],
        span: Span,
    ) -> Option<Expr> {
        let arrays = bound[0]?;
        let ast::ExprKind::List(items) = &arrays.kind else {
            let _ = self.expr(arrays);
            self.report(
                Diagnostic::type_error(
                    arrays.span,
                    format!("the argument of `{name}` must be a bracketed list of arrays"),
                )
                .with_hint(format!("e.g. `{name}([a, b])`")),
            );
            return None;
        };
        let checked: Vec<Option<Expr>> = items.iter().map(|item| self.expr(item)).collect();
        let checked: Vec<Expr> = checked.into_iter().collect::<Option<Vec<Expr>>>()?;
        let Some(first) = checked.first() else {
            self.error(arrays.span, format!("`{name}` needs at least one array"));
            return None;
        };
        let first_ty = first.ty.clone();
        let rank = first_ty.rank();
        if name == "concat" && rank == 0 {
            self.error(
                first.span,
                "`concat` needs arrays of rank at least 1; use `stack` for scalars",
            );
            return None;
        }
        let out_rank = if name == "stack" { rank + 1 } else { rank };
        let axis = match bound[1] {
            Some(axis) => self.single_axis(
                axis,
                &Type::array(first_ty.dtype, vec![Dim::Unknown; out_rank]),
            )?,
            None => 0,
        };
        let mut acc = first_ty.clone();
        let mut dims = first_ty.dims.clone();
        let mut concat_len = first_ty.dims.get(axis).copied().unwrap_or(Dim::Unknown);
        for item in &checked[1..] {
            if item.ty.rank() != rank {
                self.error(
                    item.span,
                    format!(
                        "`{name}` needs arrays of one rank: {} and {}",
                        first_ty, item.ty
                    ),
                );
                return None;
            }
            for (k, (a, b)) in dims.clone().iter().zip(&item.ty.dims).enumerate() {
                if name == "concat" && k == axis {
                    concat_len = match (concat_len, b) {
                        (Dim::Known(x), Dim::Known(y)) => Dim::Known(x + y),
                        _ => Dim::Unknown,
                    };
                    continue;
                }
                let Some(dim) = unify_dim(*a, *b) else {
                    self.error(
                        item.span,
                        format!(
                            "`{name}` needs matching shapes: {} and {}",
                            first_ty, item.ty
                        ),
                    );
                    return None;
                };
                dims[k] = dim;
            }
            acc = promote_to_scalar(&acc, &item.ty);
        }
        let out_dims = if name == "concat" {
            dims[axis] = concat_len;
            dims
        } else {
            let mut d = dims;
            d.insert(axis, Dim::Known(checked.len() as u64));
            d
        };
        // The items converted to the result dtype, in order.
        let items = checked
            .into_iter()
            .map(|item| self.cast_to(item, acc.dtype))
            .collect();
        let op = if name == "concat" {
            super::hir::LibraryOp::Concat { axis }
        } else {
            super::hir::LibraryOp::Stack { axis }
        };
        Some(library(op, items, Type::array(acc.dtype, out_dims), span))
    }

    /// The value of a `let` with an annotation: `load` takes its type from it (§8).
    pub(crate) fn expr_with_annotation(
        &mut self,
        value: &ast::Expr,
        annotation: Option<&ast::TypeExpr>,
    ) -> Option<Expr> {
        if let (Some(annotation), ast::ExprKind::Call { func, args }) = (annotation, &value.kind)
            && func.name == "load"
            && self.lookup_fn("load").is_none()
        {
            let sig = signature("load");
            let bound = self.bind_builtin("load", &sig, None, args, value.span)?;
            let expected = self.annotation_type(annotation);
            return self.load_typed(&bound, value.span, Some(expected));
        }
        self.expr(value)
    }

    fn load(&mut self, bound: &[Option<&ast::Expr>], span: Span) -> Option<Expr> {
        self.load_typed(bound, span, None)
    }

    fn load_typed(
        &mut self,
        bound: &[Option<&ast::Expr>],
        span: Span,
        expected: Option<Type>,
    ) -> Option<Expr> {
        let path = match bound[0] {
            Some(ast::Expr {
                kind: ast::ExprKind::Str(path),
                ..
            }) => Some(path.clone()),
            Some(other) => {
                self.error(other.span, "the path of `load` must be a string literal");
                return None;
            }
            None => None,
        };
        let dtype = self.optional_dtype(bound[1])?;
        let ndim = match bound[2] {
            Some(ndim) => {
                let value = self.expr(ndim)?;
                match const_int(&value).filter(|n| *n >= 0 && value.ty.dtype.is_int()) {
                    Some(n) => Some(n as usize),
                    None => {
                        self.error(ndim.span, "`ndim=` must be a constant non-negative integer");
                        return None;
                    }
                }
            }
            None => None,
        };
        let from_file = path.as_deref().and_then(read_npy_type);
        let dtype = dtype
            .or(expected.as_ref().map(|t| t.dtype))
            .or(from_file.map(|(d, _)| d));
        let ndim = ndim
            .or(expected.as_ref().map(|t| t.rank()))
            .or(from_file.map(|(_, n)| n));
        match (dtype, ndim) {
            (Some(dtype), Some(ndim)) => {
                // Lengths an annotation states are checked against the file when it loads.
                let dims = match expected {
                    Some(expected) if expected.rank() == ndim => expected.dims,
                    _ => vec![Dim::Unknown; ndim],
                };
                let path = path.unwrap_or_default();
                let ty = Type::array(dtype, dims);
                Some(library(LibraryOp::Load { path }, Vec::new(), ty, span))
            }
            _ => {
                self.report(
                    Diagnostic::type_error(
                        span,
                        "cannot tell the type of this `load` when the program is checked",
                    )
                    .with_hint("give it: `load(path, dtype=f64, ndim=2)`, or annotate the `let`"),
                );
                None
            }
        }
    }
}

enum UnaryOrMath {
    Unary(UnaryOp),
    Math(MathFn),
}

/// The accumulation dtype of `sum`/`prod`/`cumsum` (NumPy: i64 for signed and bool, u64 for
/// unsigned, floats keep theirs).
fn sum_dtype(dtype: DType) -> DType {
    if dtype.is_float() {
        dtype
    } else if dtype.is_unsigned() {
        DType::U64
    } else {
        DType::I64
    }
}

impl Type {
    /// The expression with its weakness dropped (a function argument as the function sees it).
    fn strong(mut expr: Expr) -> Expr {
        expr.ty.weak = false;
        expr
    }
}

/// The dtype and rank in the header of a `.npy` file, if it can be read now (the runtime's
/// reader, so checking and loading agree on what a header says).
fn read_npy_type(path: &str) -> Option<(DType, usize)> {
    let header = nx_runtime::npy::read_header(std::path::Path::new(path)).ok()?;
    Some((header.dtype, header.shape.len()))
}

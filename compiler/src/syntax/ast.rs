//! The abstract syntax tree: exactly what the source says, with a byte span on every node.
//! Names are not resolved and types are not known here; that is `types/`' job.

use crate::diagnostics::Span;
use nx_runtime::DType;

/// One parsed file (or one REPL input): its top-level statements in order,
/// including `fn` definitions and `import`s.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    pub stmts: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `let name = value` or `let name: T = value`.
    Let {
        name: Ident,
        annotation: Option<TypeExpr>,
        value: Expr,
    },
    /// `target = value` or `target op= value`; `target` is a `Name` or an `Index` expression
    /// (anything else is reported by the type checker, which has the better message).
    Assign {
        target: Expr,
        op: Option<BinaryOp>,
        value: Expr,
    },
    /// An expression statement; `if` statements are `If` expressions here.
    Expr(Expr),
    For {
        var: Ident,
        iter: ForIter,
        body: Block,
    },
    While {
        cond: Expr,
        body: Block,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Fn(FnDef),
    /// `import "path"`.
    Import {
        path: String,
        path_span: Span,
    },
    /// `assert cond` or `assert cond, "message"`.
    Assert {
        cond: Expr,
        message: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ForIter {
    /// `start..end` or `start..end..step`.
    Range {
        start: Expr,
        end: Expr,
        step: Option<Expr>,
    },
    /// `for row in m`: iterates over the first axis.
    Array(Expr),
}

/// `{ stmts }`; its value is the last statement if that is an expression statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    /// `= expr` bodies are the expression itself; `{ ... }` bodies are a `Block` expression.
    pub body: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub annotation: Option<TypeExpr>,
    pub default: Option<Expr>,
    pub span: Span,
}

/// A type as written: `f64`, `f32[3]`, `f64[n, m]`, `i64[_]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub dtype: DType,
    /// `None` for a rank-0 type (no brackets).
    pub dims: Option<Vec<DimExpr>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DimExpr {
    Known(u64),
    Named(Ident),
    Any(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal's magnitude (a leading `-` is a `Unary::Neg` around it; the checker
    /// treats `-literal` as one literal for the fits-in-dtype check, spec §1).
    Int {
        value: u128,
        suffix: Option<DType>,
    },
    /// A float literal, kept as its digits (underscores removed) so that a suffixed literal
    /// is rounded once, directly to its dtype.
    Float {
        text: String,
        suffix: Option<DType>,
    },
    Bool(bool),
    /// Only valid as an argument of `print`, `assert`, `load`, `save`.
    Str(String),
    /// A dtype name used as a value, e.g. `dtype=f32`.
    DType(DType),
    Name(Ident),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Cast {
        value: Box<Expr>,
        to: DType,
        to_span: Span,
    },
    /// `f(args)`: callees are always names (functions are not values).
    Call {
        func: Ident,
        args: Vec<Arg>,
    },
    /// `receiver.method(args)`: sugar for `method(receiver, args)`.
    MethodCall {
        receiver: Box<Expr>,
        method: Ident,
        args: Vec<Arg>,
    },
    /// `a.T`, `a.shape`, `a.ndim`, `a.size`.
    Property {
        receiver: Box<Expr>,
        name: Ident,
    },
    Index {
        base: Box<Expr>,
        items: Vec<IndexItem>,
    },
    /// `[a, b, c]`.
    List(Vec<Expr>),
    /// `if cond { } else ...`; `else_` is a `Block` or another `If`.
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    Block(Block),
    /// Placeholder left by error recovery; its error has been reported already.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `Some` for a keyword argument `name=value`.
    pub name: Option<Ident>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    /// An integer, an integer array or a bool mask (the checker decides by type).
    /// `newaxis` is a plain name here, since a `let` may shadow it.
    Expr(Expr),
    /// `start:stop:step`, each part optional.
    /// The bounds are boxed so that a slice costs no more than an `Expr` item.
    Slice {
        start: Option<Box<Expr>>,
        stop: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
        span: Span,
    },
    /// `...`
    Ellipsis(Span),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
    /// `~x`
    BitNot,
    /// `not x`
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    MatMul,
    Pow,
}

impl BinaryOp {
    /// The operator as written in source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::BitAnd => "&",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::FloorDiv => "//",
            BinaryOp::Mod => "%",
            BinaryOp::MatMul => "@",
            BinaryOp::Pow => "**",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

impl UnaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Plus => "+",
            UnaryOp::BitNot => "~",
            UnaryOp::Not => "not",
        }
    }
}

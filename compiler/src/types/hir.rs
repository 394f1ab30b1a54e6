//! The typed program (HIR): what the checker produces and the executor runs. Names are resolved
//! to slots, every expression carries its type, implicit conversions are explicit `Cast` nodes,
//! keyword arguments are in positional order, and generic functions are instantiated per
//! argument types. Nothing in here can fail to type-check.

use crate::diagnostics::Span;
use crate::ir::{BinaryOp, MathFn, ReduceOp, UnaryOp};
use nx_runtime::{DType, Scalar};

/// One axis length of a static type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dim {
    /// Known statically (spec §2): from literals in a shape, a list literal or an annotation.
    Known(u64),
    Unknown,
}

/// A static type: dtype, rank (and what is known of each axis length), and weakness (rank 0 only).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Type {
    pub dtype: DType,
    pub dims: Vec<Dim>,
    pub weak: bool,
}

impl Type {
    pub fn scalar(dtype: DType) -> Type {
        Type {
            dtype,
            dims: Vec::new(),
            weak: false,
        }
    }

    pub fn weak_scalar(dtype: DType) -> Type {
        Type {
            dtype,
            dims: Vec::new(),
            weak: true,
        }
    }

    pub fn array(dtype: DType, dims: Vec<Dim>) -> Type {
        Type {
            dtype,
            dims,
            weak: false,
        }
    }

    pub fn rank(&self) -> usize {
        self.dims.len()
    }

    pub fn is_scalar(&self) -> bool {
        self.dims.is_empty()
    }
}

/// `f64`, `f32[3]`, `i64[_]` (spec §2 notation; unknown lengths print as `_`).
impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.dtype.name())?;
        if !self.dims.is_empty() {
            write!(f, "[")?;
            for (i, dim) in self.dims.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                match dim {
                    Dim::Known(n) => write!(f, "{n}")?,
                    Dim::Unknown => write!(f, "_")?,
                }
            }
            write!(f, "]")?;
        }
        Ok(())
    }
}

/// Where a variable lives. Every `let` (and parameter, and `for` variable) creates a new slot,
/// so shadowing never overwrites: `let x = 1; let x = 2.0` uses two slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VarRef {
    /// A top-level binding of the session; slots persist across REPL inputs.
    Global(u32),
    /// A slot in the current function instance's frame.
    Local(u32),
}

/// A typed program fragment: one script, or one REPL input (checked against the session's
/// earlier bindings).
#[derive(Clone, Debug)]
pub struct Program {
    pub stmts: Vec<Stmt>,
    /// How many global slots the session has after this fragment (the executor grows its frame).
    pub n_globals: u32,
    /// Function instances, indexed by `FnInstId`; a fragment may refer to instances of earlier
    /// fragments, so this is the session's whole list so far.
    pub functions: Vec<FnInstance>,
    /// What statement fusion (`lower::fuse_statements`) decided about each array temporary,
    /// and row blocking (`lower::block_rows`) about statements, by the span of the statement;
    /// `nx ir` prints them.
    pub fusion_notes: Vec<(Span, FusionNote)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FusionNote {
    /// Computed inside the kernel of the statement at this span.
    FusedInto(Span),
    /// Kept as an array, for this reason.
    Kept(String),
    /// The statements from this one to the one at `last` run one block of rows at a time
    /// (`lower::block_rows`); `block_only` of the arrays they assign never exist whole.
    RowBlocked {
        last: Span,
        statements: usize,
        block_only: usize,
    },
    /// An assignment with an axis reduction that cannot run by blocks of rows, and why.
    NotRowBlocked(&'static str),
    /// A `var`/`std` in this statement uses the mean bound by the statement at this span.
    ReusesMean(Span),
    /// The call at this span was replaced by the body of the function of this name.
    Inlined(String),
    /// How the statement's result reuses a buffer (`nx ir` only; decided at run time).
    Buffer(&'static str),
    /// The reductions assigned from this statement to the one at `last` run as one kernel.
    SiblingReductions { last: Span, count: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FnInstId(pub u32);

/// One function specialized to one combination of argument types.
#[derive(Clone, Debug)]
pub struct FnInstance {
    pub name: String,
    /// Parameter slots `Local(0..n_params)`, in declaration order.
    pub params: Vec<Type>,
    /// For annotated parameters with named sizes: which axis of which parameter binds which
    /// local slot (a weak i64), checked for agreement at the call (spec §7).
    pub size_bindings: Vec<SizeBinding>,
    /// Lengths fixed by annotations (`x: f64[3]`): (parameter index, axis, length), to check at
    /// the call at run time when the argument's length is not known statically.
    pub fixed_sizes: Vec<(usize, usize, u64)>,
    /// `None` when the function returns nothing.
    pub result: Option<Type>,
    pub body: Block,
    pub n_locals: u32,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct SizeBinding {
    pub name: String,
    pub slot: u32,
    /// (parameter index, axis) pairs that must all have this length.
    pub uses: Vec<(usize, usize)>,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The block's value (its last statement, when that is an expression).
    pub value: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    /// `let` (value already converted to the slot's type), or a rebinding `x = e`, `x += e`
    /// (lowered to `x = x op e` with the conversion explicit).
    Assign {
        var: VarRef,
        value: Expr,
    },
    /// `x[items] = value` / `x[items] op= value`: the value is converted to the target dtype
    /// (and for compound forms already computed from a read of `x[items]`).
    AssignIndex {
        var: VarRef,
        items: Vec<IndexItem>,
        value: Expr,
    },
    /// An expression statement; `show` is true for top-level REPL expressions whose value the
    /// REPL displays.
    Expr {
        value: Expr,
        show: bool,
    },
    /// `for var in start..end..step` (weak i64 range). The rarely given step is boxed to keep
    /// the variant near the size of the others.
    ForRange {
        var: VarRef,
        start: Expr,
        end: Expr,
        step: Option<Box<Expr>>,
        body: Block,
    },
    /// `for var in array`: iterates over the first axis.
    ForArray {
        var: VarRef,
        array: Expr,
        body: Block,
    },
    While {
        cond: Expr,
        body: Block,
    },
    If {
        cond: Expr,
        then: Block,
        else_: Option<Block>,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Assert {
        cond: Expr,
        message: Option<String>,
    },
    /// `print(args…)`; an argument may be `ExprKind::Str`.
    Print(Vec<Expr>),
    /// A call of a user function instance that returns nothing (`result: None`), as a statement.
    Call {
        func: FnInstId,
        args: Vec<Expr>,
    },
    /// A block used as a statement (its scope ends with it; it has no value).
    Block(Block),
    /// Statements that the optimizer (`lower::block_rows`) runs one block of rows at a time.
    RowBlocked(Box<RowGroup>),
    /// Consecutive `v = reduction(arg)` over every axis of arguments of one rank, none reading
    /// another's result, that the optimizer (`lower::fuse_sibling_reductions`) computes in one
    /// pass (a block of such assignments, without a value).
    SiblingReductions(Box<Block>),
}

/// Consecutive statements `v = e` whose arrays all share their first axis ("rows") and never
/// mix rows: every operation is elementwise over operands of equal rank (or rank 0), or a
/// reduction that keeps axis 0. Running them on each block of rows in turn gives every
/// element exactly the value running them whole would (a row's reductions see the same row),
/// while a block's intermediate arrays stay in cache. The executor checks at run time that
/// every array input has the same first length and runs the statements whole otherwise.
#[derive(Clone, Debug)]
pub struct RowGroup {
    /// The statements, in order (no value).
    pub body: Block,
    /// Array variables read before the group assigns them: split into blocks of rows.
    pub inputs: Vec<VarRef>,
    /// Variables assigned in the group and possibly read after it: assembled whole.
    pub outputs: Vec<VarRef>,
    /// Variables assigned in the group that only the group reads: never whole.
    pub locals: Vec<VarRef>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Type,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal or constant (weak literals already carry the dtype they adopted).
    Const(Scalar),
    Var(VarRef),
    /// Operand has the result dtype (bool for `Not` on bools).
    Unary(UnaryOp, Box<Expr>),
    /// Operands have the same dtype (the op's computation dtype; comparisons give bool), except
    /// comparisons between a signed and an unsigned 64-bit integer, which keep their own
    /// dtypes and compare exactly.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `and`/`or` on bools: short-circuit when both sides are rank 0, elementwise otherwise.
    Logical {
        and: bool,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// Elementwise conversion to `ty.dtype` with `as` semantics.
    Cast(Box<Expr>),
    /// A weak integer adopting `ty.dtype`: a run-time error (OverflowError in NumPy) when the
    /// value does not fit (spec §3.2).
    AdoptWeak(Box<Expr>),
    Math(MathFn, Vec<Expr>),
    /// `where(c, a, b)`; `a` and `b` have the result dtype.
    Where(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Reductions of spec §8 (`mean`, `var`, `std`, `count_nonzero` included); `axes` are
    /// normalized (non-negative, sorted) or `None` for all. The checker converts `arg` first:
    /// `sum`/`prod` to the accumulation dtype (= the result dtype), `mean`/`var`/`std` of
    /// integers or bools to f64, `any`/`all` to bool; `min`/`max`/`argmin`/`argmax`/
    /// `count_nonzero` take it as it is. `ddof` is an i64 expression (var/std only).
    Reduce {
        op: Reduction,
        arg: Box<Expr>,
        axes: Option<Vec<usize>>,
        keepdims: bool,
        ddof: Option<Box<Expr>>,
        /// `var`/`std` only: a variable that already holds `mean(arg, axis=axes)` in the
        /// result dtype, computed from the same values (`lower::reuse_means`), which the
        /// executor uses instead of summing `arg` again.
        mean: Option<VarRef>,
    },
    /// Creation functions; `shape` is an i64 array of rank 0 or 1 (an int or a list of ints).
    Creation(Creation),
    /// A function call of a user function instance.
    Call {
        func: FnInstId,
        args: Vec<Expr>,
    },
    /// A call of a function with rank-0 annotated parameters given arrays (spec §7): applied to
    /// every element of the broadcast of the arguments marked in `elementwise`; the others are
    /// passed whole to every application. The instance's parameters are the per-element types.
    ElementwiseCall {
        func: FnInstId,
        args: Vec<Expr>,
        elementwise: Vec<bool>,
    },
    /// Reading `base[items]`.
    Index {
        base: Box<Expr>,
        items: Vec<IndexItem>,
    },
    /// `[a, b, c]`: items converted to the result dtype, stacked along a new first axis.
    List(Vec<Expr>),
    /// `if` expression with a rank-0 bool condition.
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Block,
    },
    Block(Block),
    /// `a.shape` (i64[rank]).
    Shape(Box<Expr>),
    /// `a.T` / `transpose(a)`: axes reversed.
    Transpose(Box<Expr>),
    /// `len(a)`, `a.size`, `a.ndim` when not known statically (weak i64).
    Len(Box<Expr>),
    Size(Box<Expr>),
    /// `clock()`: a barrier; monotonic seconds.
    Clock,
    /// A library built-in that the executor implements in Rust (`exec/library.rs`): shapes,
    /// random numbers, `.npy` files, linear algebra, scans and sorting, comparison helpers.
    /// `args` are the checked arguments in the built-in's positional order (keywords resolved,
    /// defaults filled in); static options live in the op.
    Library {
        op: LibraryOp,
        args: Vec<Expr>,
    },
    /// A construct that parses and type-checks but is not executed yet: running it is a
    /// run-time error "`what` is not supported yet" at its span.
    Unsupported(String),
    /// A string literal; appears only as a direct argument of `StmtKind::Print` (its `ty` is a
    /// meaningless rank-0 bool).
    Str(String),
}

/// A direct part of a statement or expression, for walks over the program: a subexpression or
/// a nested block.
pub enum Part<'a> {
    Expr(&'a Expr),
    Block(&'a Block),
}

impl IndexItem {
    /// The item's expressions, in evaluation order.
    pub fn for_each_expr<'a>(&'a self, visit: &mut impl FnMut(Part<'a>)) {
        match self {
            IndexItem::Int(e) | IndexItem::Mask(e) | IndexItem::Gather(e) => visit(Part::Expr(e)),
            IndexItem::Slice { start, stop, step } => {
                for part in [start, stop, step].into_iter().flatten() {
                    visit(Part::Expr(part));
                }
            }
            IndexItem::NewAxis | IndexItem::Ellipsis => {}
        }
    }
}

impl Block {
    /// Whether a statement or the value of the block reads `var`.
    pub fn reads(&self, var: VarRef) -> bool {
        self.stmts.iter().any(|stmt| stmt.reads(var))
            || self.value.as_ref().is_some_and(|value| value.reads(var))
    }
}

impl Stmt {
    /// Whether the statement reads `var` anywhere in it.
    pub fn reads(&self, var: VarRef) -> bool {
        let mut found = false;
        self.for_each_part(&mut |part| match part {
            Part::Expr(expr) => found |= expr.reads(var),
            Part::Block(block) => found |= block.reads(var),
        });
        found
    }

    /// Every direct subexpression and block of the statement, in evaluation order.
    pub fn for_each_part<'a>(&'a self, visit: &mut impl FnMut(Part<'a>)) {
        match &self.kind {
            StmtKind::Assign { value, .. } | StmtKind::Expr { value, .. } => {
                visit(Part::Expr(value))
            }
            StmtKind::AssignIndex { items, value, .. } => {
                for item in items {
                    item.for_each_expr(visit);
                }
                visit(Part::Expr(value));
            }
            StmtKind::ForRange {
                start,
                end,
                step,
                body,
                ..
            } => {
                visit(Part::Expr(start));
                visit(Part::Expr(end));
                if let Some(step) = step {
                    visit(Part::Expr(step));
                }
                visit(Part::Block(body));
            }
            StmtKind::ForArray { array, body, .. } => {
                visit(Part::Expr(array));
                visit(Part::Block(body));
            }
            StmtKind::While { cond, body } => {
                visit(Part::Expr(cond));
                visit(Part::Block(body));
            }
            StmtKind::If { cond, then, else_ } => {
                visit(Part::Expr(cond));
                visit(Part::Block(then));
                if let Some(else_) = else_ {
                    visit(Part::Block(else_));
                }
            }
            StmtKind::Return(Some(value)) => visit(Part::Expr(value)),
            StmtKind::Assert { cond, .. } => visit(Part::Expr(cond)),
            StmtKind::Print(args) | StmtKind::Call { args, .. } => {
                for arg in args {
                    visit(Part::Expr(arg));
                }
            }
            StmtKind::Block(block) => visit(Part::Block(block)),
            StmtKind::RowBlocked(group) => visit(Part::Block(&group.body)),
            StmtKind::SiblingReductions(block) => visit(Part::Block(block)),
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
        }
    }
}

impl Expr {
    /// Whether the expression (blocks inside it included) reads `var`.
    pub fn reads(&self, var: VarRef) -> bool {
        if matches!(self.kind, ExprKind::Var(read) if read == var) {
            return true;
        }
        let mut found = false;
        self.for_each_child(&mut |part| match part {
            Part::Expr(child) => found |= child.reads(var),
            Part::Block(block) => found |= block.reads(var),
        });
        found
    }

    /// Every direct subexpression and block of the expression, in evaluation order.
    pub fn for_each_child<'a>(&'a self, visit: &mut impl FnMut(Part<'a>)) {
        match &self.kind {
            ExprKind::Unary(_, a)
            | ExprKind::Cast(a)
            | ExprKind::AdoptWeak(a)
            | ExprKind::Shape(a)
            | ExprKind::Transpose(a)
            | ExprKind::Len(a)
            | ExprKind::Size(a) => visit(Part::Expr(a)),
            ExprKind::Binary(_, a, b) | ExprKind::Logical { lhs: a, rhs: b, .. } => {
                visit(Part::Expr(a));
                visit(Part::Expr(b));
            }
            ExprKind::Where(a, b, c) => {
                visit(Part::Expr(a));
                visit(Part::Expr(b));
                visit(Part::Expr(c));
            }
            ExprKind::Math(_, args)
            | ExprKind::List(args)
            | ExprKind::Call { args, .. }
            | ExprKind::ElementwiseCall { args, .. }
            | ExprKind::Library { args, .. } => {
                for arg in args {
                    visit(Part::Expr(arg));
                }
            }
            ExprKind::Reduce { arg, ddof, .. } => {
                visit(Part::Expr(arg));
                if let Some(ddof) = ddof {
                    visit(Part::Expr(ddof));
                }
            }
            ExprKind::Creation(creation) => match creation {
                Creation::Full { shape, value } => {
                    visit(Part::Expr(shape));
                    visit(Part::Expr(value));
                }
                Creation::Arange { start, stop, step } => {
                    visit(Part::Expr(start));
                    visit(Part::Expr(stop));
                    visit(Part::Expr(step));
                }
                Creation::Linspace {
                    start, stop, num, ..
                } => {
                    visit(Part::Expr(start));
                    visit(Part::Expr(stop));
                    visit(Part::Expr(num));
                }
                Creation::Eye { n } => visit(Part::Expr(n)),
            },
            ExprKind::Index { base, items } => {
                visit(Part::Expr(base));
                for item in items {
                    item.for_each_expr(visit);
                }
            }
            ExprKind::If { cond, then, else_ } => {
                visit(Part::Expr(cond));
                visit(Part::Block(then));
                visit(Part::Block(else_));
            }
            ExprKind::Block(block) => visit(Part::Block(block)),
            ExprKind::Const(_)
            | ExprKind::Var(_)
            | ExprKind::Clock
            | ExprKind::Unsupported(_)
            | ExprKind::Str(_) => {}
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reduction {
    Plain(ReduceOp),
    Mean,
    Var,
    Std,
    CountNonzero,
}

#[derive(Clone, Debug)]
pub enum Creation {
    /// `zeros`, `ones`, `full`: `ty.dtype`; value already converted.
    Full { shape: Box<Expr>, value: Box<Expr> },
    /// `arange(start, stop, step)` of the result dtype `ty.dtype`; the three are in the
    /// computation domain (`f64` if any was a float, else `i64`), from which the executor
    /// computes length and values NumPy's way.
    Arange {
        start: Box<Expr>,
        stop: Box<Expr>,
        step: Box<Expr>,
    },
    /// `linspace(start, stop, num, endpoint=)`: start/stop in the result dtype (f32 or f64;
    /// a `dtype=` conversion wraps the node), num i64.
    Linspace {
        start: Box<Expr>,
        stop: Box<Expr>,
        num: Box<Expr>,
        endpoint: bool,
    },
    /// `eye(n)`.
    Eye { n: Box<Expr> },
}

#[derive(Clone, Debug)]
pub enum IndexItem {
    /// An integer index: removes the axis (negative counts from the end; bounds checked).
    Int(Expr),
    /// A slice; each part an i64 expression or absent (Python semantics).
    /// The bounds are boxed so that a slice costs no more than an `Int` item.
    Slice {
        start: Option<Box<Expr>>,
        stop: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    /// `newaxis`: inserts a length-1 axis.
    NewAxis,
    /// `...`: as many whole axes as needed.
    Ellipsis,
    /// A bool array selecting along as many axes as its rank (spec §5): those axes become one
    /// axis of the selected positions, in row-major order.
    Mask(Expr),
    /// An integer array gathering along one axis, which is replaced in place by the index
    /// array's axes (negative indices count from the end; bounds checked).
    Gather(Expr),
}

/// The built-ins behind `ExprKind::Library`, with their static options.
#[derive(Clone, Debug, PartialEq)]
pub enum LibraryOp {
    // Shapes (`exec/shape.rs`).
    Reshape,
    Ravel,
    Transpose { axes: Vec<usize> },
    Concat { axis: usize },
    Stack { axis: usize },
    BroadcastTo,
    // Random numbers (`exec/random.rs`).
    Rand,
    Randn,
    Randint,
    // `.npy` files (`exec/npy.rs`).
    Load { path: String },
    Save { path: String },
    // Linear algebra (`exec/linalg.rs`).
    MatMul,
    Dot,
    Outer,
    Norm,
    // Scans, sorting and comparison helpers (`exec/order.rs`).
    Cumsum { axis: Option<usize> },
    Cumprod { axis: Option<usize> },
    Sort { axis: usize },
    Argsort { axis: usize },
    Allclose,
    ArrayEqual,
}

impl LibraryOp {
    /// The built-in's name as users write it.
    pub fn name(&self) -> &'static str {
        match self {
            LibraryOp::Reshape => "reshape",
            LibraryOp::Ravel => "ravel",
            LibraryOp::Transpose { .. } => "transpose",
            LibraryOp::Concat { .. } => "concat",
            LibraryOp::Stack { .. } => "stack",
            LibraryOp::BroadcastTo => "broadcast_to",
            LibraryOp::Rand => "rand",
            LibraryOp::Randn => "randn",
            LibraryOp::Randint => "randint",
            LibraryOp::Load { .. } => "load",
            LibraryOp::Save { .. } => "save",
            LibraryOp::MatMul => "matmul",
            LibraryOp::Dot => "dot",
            LibraryOp::Outer => "outer",
            LibraryOp::Norm => "norm",
            LibraryOp::Cumsum { .. } => "cumsum",
            LibraryOp::Cumprod { .. } => "cumprod",
            LibraryOp::Sort { .. } => "sort",
            LibraryOp::Argsort { .. } => "argsort",
            LibraryOp::Allclose => "allclose",
            LibraryOp::ArrayEqual => "array_equal",
        }
    }
}

//! The loop IR: the centre of nx. A `Kernel` is one loop nest over a rank-`rank` iteration
//! domain whose sizes are run-time parameters, reading and writing buffers through per-axis
//! byte strides (broadcasting is a zero stride; slices, steps and transposes are stride and
//! offset changes). Its body is a small dataflow graph of scalar operations evaluated once per
//! domain point; its effects store values or fold them into reductions.
//!
//! Semantics, which the Cranelift backend (`codegen/`) and the reference interpreter
//! (`interp.rs`) must both follow bit for bit:
//! - The domain is `sizes[0] × … × sizes[rank-1]`, iterated row-major (last axis fastest).
//!   Rank 0 is a single point. A buffer's element at point `(i0, …)` lives at
//!   `ptr + Σ ik * byte_stride[k]`.
//! - `Inst::Load(buf)` reads the current point's element of an input buffer.
//! - Integer arithmetic wraps (two's complement). Float ops are IEEE, never contracted into FMA.
//! - Ops that could trap in machine code never do: integer `FloorDiv`/`Mod` by zero and integer
//!   `Pow` with a negative exponent produce 0 and make the kernel return the matching
//!   `KernelStatus` (the largest code, when several points or operations fail); `MIN // -1`
//!   is `MIN` and `MIN % -1` is 0 (spec §3.1).
//! - Reductions: the innermost `reduce_axes` domain axes are reduced. For each point of the outer
//!   (kept) axes, the reduced points are taken in row-major order as a sequence of length L and
//!   folded into the output buffer element (whose strides along the reduced axes are 0), which
//!   the kernel overwrites (its old value is not read). For float `Sum`/`Prod` the order is fixed
//!   (see `ReduceOp::Sum`) so results never depend on vector width or thread count.
//! - `Inst::Call(f, args)` applies the kernel's scalar function `f` (the compiled body of an
//!   elementwise function, spec §7) to the point's `args`; see `ScalarFunc` for its semantics.

pub mod interp;
pub mod narrow;
pub mod print;
pub mod verify;

use cranelift_entity::{PrimaryMap, entity_impl};
use nx_runtime::{DType, Scalar};

/// A buffer parameter of a kernel, numbered in the order the caller passes them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BufId(u32);
entity_impl!(BufId, "buf");

/// An SSA value of the kernel body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ValueId(u32);
entity_impl!(ValueId, "v");

/// A scalar function of a kernel.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(u32);
entity_impl!(FuncId, "fn");

/// A mutable local variable of a scalar function.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VarId(u32);
entity_impl!(VarId, "var");

#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    /// A readable name for printing and profiles, e.g. `k0`.
    pub name: String,
    /// Depth of the loop nest.
    pub rank: usize,
    /// How many of the innermost axes are reduced (0 for a purely elementwise kernel).
    pub reduce_axes: usize,
    pub bufs: PrimaryMap<BufId, BufDecl>,
    /// The body, operands before users.
    pub values: PrimaryMap<ValueId, ValueData>,
    /// What each iteration does with the body's values, in order.
    pub effects: Vec<Effect>,
    /// The scalar functions that `Inst::Call` values apply.
    pub funcs: PrimaryMap<FuncId, ScalarFunc>,
}

/// A function from scalars to a scalar with structured control flow: the body of an
/// elementwise function (spec §7), applied per point by `Inst::Call`.
///
/// Semantics (the JIT inlines it; `interp.rs` runs it):
/// - Its values live in its own arena and use the same instructions as kernel bodies, plus
///   `Param(i)`, the `i`-th argument, and `ReadVar(v)`, a variable's current value. `Load`
///   reads uniform inputs only (a global the function reads), `AxisIndex` does not occur, and
///   `Call` calls only functions with smaller ids (so there is no recursion). A value is computed where its
///   `Stmt::Eval` stands (exactly one per value) and may be used after that point in the same
///   statement list and inside statements nested there.
/// - Variables start at zero; `Assign` writes one.
/// - `If` runs one branch; `Loop` repeats `body` then `latch` until a `Break`; `Continue`
///   skips to the latch (a `for` loop's increment lives there). `Break` and `Continue` apply to
///   the innermost loop and do not occur in a latch. `Return` ends the application with its
///   value; the body's last statement is a `Return`.
/// - An integer `//`, `%` or `**` that fails sets the kernel's status as in a kernel body; after
///   any such operation, if the status is not `Ok` (this point's failure or an earlier one's),
///   the application ends at once with result 0. So no failed value can steer a loop forever,
///   and a launch's status tells only *that* something failed: the executor finds which point
///   failed, and where, by running the reference semantics.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarFunc {
    /// The source function's name, for printing.
    pub name: String,
    pub params: Vec<DType>,
    pub result: DType,
    pub vars: PrimaryMap<VarId, DType>,
    pub values: PrimaryMap<ValueId, ValueData>,
    pub body: Vec<Stmt>,
}

/// A statement of a `ScalarFunc` body.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// Computes the value here.
    Eval(ValueId),
    Assign(VarId, ValueId),
    /// `cond` is bool.
    If {
        cond: ValueId,
        then: Vec<Stmt>,
        else_: Vec<Stmt>,
    },
    Loop {
        body: Vec<Stmt>,
        latch: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(ValueId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BufRole {
    Input,
    Output,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BufDecl {
    pub dtype: DType,
    pub role: BufRole,
    /// All strides are zero (a rank-0 value broadcast over the domain): load it once, outside
    /// the loops.
    pub uniform: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValueData {
    pub inst: Inst,
    pub dtype: DType,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Inst {
    /// The current point's element of an input buffer; `dtype` is the buffer's.
    Load(BufId),
    /// A constant; `dtype` is the scalar's.
    Const(Scalar),
    /// The current index along a domain axis, as `i64` (for `arange`, `linspace`, `eye`).
    AxisIndex(usize),
    Unary(UnaryOp, ValueId),
    /// Operands have the result dtype, except comparisons (bool result, operands share a dtype).
    Binary(BinaryOp, ValueId, ValueId),
    /// `if cond { a } else { b }` per element; `cond` is bool, `a` and `b` have the result dtype.
    Select(ValueId, ValueId, ValueId),
    /// Conversion with the spec's `as` rules (float→int truncates and saturates, nan→0;
    /// int→int wraps; →bool is `!= 0`).
    Cast(ValueId),
    /// A float math-library function on operands of the result dtype (f32 or f64).
    Math(MathFn, Vec<ValueId>),
    /// Applies a scalar function to operands of its parameter dtypes; `dtype` is its result's.
    Call(FuncId, Vec<ValueId>),
    /// Scalar functions only: the function's `i`-th argument.
    Param(usize),
    /// Scalar functions only: a variable's current value.
    ReadVar(VarId),
}

impl Inst {
    /// The value operands, in order.
    pub fn operands(&self) -> Vec<ValueId> {
        match self {
            Inst::Load(_)
            | Inst::Const(_)
            | Inst::AxisIndex(_)
            | Inst::Param(_)
            | Inst::ReadVar(_) => Vec::new(),
            Inst::Unary(_, operand) | Inst::Cast(operand) => vec![*operand],
            Inst::Binary(_, lhs, rhs) => vec![*lhs, *rhs],
            Inst::Select(cond, if_true, if_false) => vec![*cond, *if_true, *if_false],
            Inst::Math(_, operands) | Inst::Call(_, operands) => operands.clone(),
        }
    }

    /// Integer `//`, `%` and `**` on operands of `operand_dtype`: the operations that may fail.
    pub fn is_fallible(&self, operand_dtype: DType) -> bool {
        matches!(
            self,
            Inst::Binary(BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow, ..)
        ) && !operand_dtype.is_float()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// Wrapping for integers.
    Neg,
    /// Bitwise not for integers, logical not for bool.
    Not,
    /// Wrapping for integers (`abs(MIN)` is `MIN`, as NumPy).
    Abs,
    /// -1, 0 or 1 as NumPy (nan for nan; what ±0.0 give: as NumPy).
    Sign,
    Sqrt,
    Floor,
    Ceil,
    Trunc,
    /// Round half to even.
    Round,
    /// bool results:
    IsNan,
    IsInf,
    IsFinite,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    /// Floats only (the lowering converts integer operands to f64).
    Div,
    /// Python floor division; floats follow Python's `divmod` as NumPy does.
    FloorDiv,
    /// Python modulo (sign of the divisor); floats as NumPy's `fmod`-based `remainder`.
    Mod,
    /// Integers: repeated multiplication with wrapping; negative exponent is an error status.
    /// Floats: C `pow`.
    Pow,
    /// NaN-propagating, as NumPy's `minimum`/`maximum`.
    Min,
    Max,
    /// Bitwise for integers, logical for bool.
    And,
    Or,
    Xor,
    /// NumPy semantics for counts < 0 or ≥ bit width: `<<` gives 0, `>>` gives 0 or -1 by sign.
    Shl,
    Shr,
    /// Float only.
    Copysign,
    /// Comparisons (bool result). Integer operands compare exactly (same dtype here; the lowering
    /// handles mixed signedness).
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Math-library functions: each has one f32 and one f64 implementation in the runtime
/// (`nx_runtime::mathlib`), which the interpreter and the JIT call alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MathFn {
    Exp,
    Exp2,
    Expm1,
    Log,
    Log2,
    Log10,
    Log1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Erf,
    Erfc,
    Cbrt,
    /// Two operands:
    Atan2,
    Hypot,
    Pow,
}

impl MathFn {
    pub const ALL: [MathFn; 22] = [
        MathFn::Exp,
        MathFn::Exp2,
        MathFn::Expm1,
        MathFn::Log,
        MathFn::Log2,
        MathFn::Log10,
        MathFn::Log1p,
        MathFn::Sin,
        MathFn::Cos,
        MathFn::Tan,
        MathFn::Asin,
        MathFn::Acos,
        MathFn::Atan,
        MathFn::Sinh,
        MathFn::Cosh,
        MathFn::Tanh,
        MathFn::Erf,
        MathFn::Erfc,
        MathFn::Cbrt,
        MathFn::Atan2,
        MathFn::Hypot,
        MathFn::Pow,
    ];
}

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Writes the value (of the output buffer's dtype) at the current point.
    Store { buf: BufId, value: ValueId },
    /// Folds the value over the reduced axes into the output buffer.
    Reduce {
        op: ReduceOp,
        buf: BufId,
        value: ValueId,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Wrapping for integers. For floats the fixed order is: the L reduced elements are cut
    /// into blocks of `reduce_block(dtype)` elements; inside a block element `j` is added to
    /// lane `j % reduce_lanes(dtype)` (lanes start at 0), and the block's value is the pairwise
    /// sum of its lanes (`((l0+l1)+(l2+l3))` for 4 lanes, and so on for 8 and 16). Block values are combined
    /// by a binary-counter cascade: after block number `c` (1-based) is pushed on a stack, for
    /// each trailing zero bit of `c` the top two entries `a` (lower) and `b` (upper) are replaced
    /// by `a + b`; at the end the stack `s0..sn` is folded from the top: `s0 + (s1 + (… + sn))`.
    /// An empty reduction gives 0.
    Sum,
    /// As `Sum`, with `*` and 1.
    Prod,
    /// NaN-propagating. Empty: the caller never launches it (a run-time error).
    Min,
    Max,
    /// bool values.
    Any,
    All,
    /// `i64` result: the row-major position (within the reduced axes) of the first minimum or
    /// maximum; the first nan wins, as NumPy.
    ArgMin,
    ArgMax,
}

/// Lanes of the fixed float summation order: 8 for f64, 16 for f32 (four 128-bit vectors,
/// whose four chains of adds overlap in the pipeline).
pub fn reduce_lanes(dtype: DType) -> usize {
    64 / dtype.size()
}

/// Elements per block of the fixed float summation order: 16 per lane (128 for f64, 256 for
/// f32), so an element passes through at most 16 sequential additions in its lane and then
/// pairwise ones, the error bound of NumPy's blocked pairwise summation (spec §8).
pub fn reduce_block(dtype: DType) -> usize {
    16 * reduce_lanes(dtype)
}

/// What a kernel returns: 0 is success. The values are the kernel ABI (`i32` return).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum KernelStatus {
    Ok = 0,
    IntegerDivisionByZero = 1,
    NegativeIntegerPower = 2,
}

impl KernelStatus {
    pub fn from_code(code: i32) -> KernelStatus {
        match code {
            1 => KernelStatus::IntegerDivisionByZero,
            2 => KernelStatus::NegativeIntegerPower,
            _ => KernelStatus::Ok,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            KernelStatus::Ok => "ok",
            KernelStatus::IntegerDivisionByZero => "integer division by zero",
            KernelStatus::NegativeIntegerPower => {
                "integers to negative integer powers are not allowed"
            }
        }
    }
}

/// A buffer as one kernel launch sees it: the address of its element at the domain origin and
/// one byte stride per domain axis.
#[derive(Clone, Debug)]
pub struct BufView {
    pub ptr: *mut u8,
    pub byte_strides: Vec<isize>,
}

/// The kernel ABI, shared by the JIT and its caller:
/// `extern "C" fn(args: *const KernelArgs) -> i32` returning a `KernelStatus` code.
/// The kernel runs the outermost axis from `outer_begin` to `outer_end` (so a scheduler can
/// split work into chunks); for rank 0 both are ignored.
#[repr(C)]
pub struct KernelArgs {
    /// `rank` domain sizes.
    pub sizes: *const i64,
    /// One pointer per buffer, in `BufId` order.
    pub buf_ptrs: *const *mut u8,
    /// `rank` byte strides per buffer, buffer-major (`buf_strides[b * rank + axis]`).
    pub buf_strides: *const i64,
    pub outer_begin: i64,
    pub outer_end: i64,
}

pub type KernelFn = unsafe extern "C" fn(args: *const KernelArgs) -> i32;

impl Kernel {
    pub fn new(name: impl Into<String>, rank: usize) -> Kernel {
        Kernel {
            name: name.into(),
            rank,
            reduce_axes: 0,
            bufs: PrimaryMap::new(),
            values: PrimaryMap::new(),
            effects: Vec::new(),
            funcs: PrimaryMap::new(),
        }
    }

    pub fn add_buf(&mut self, dtype: DType, role: BufRole, uniform: bool) -> BufId {
        self.bufs.push(BufDecl {
            dtype,
            role,
            uniform,
        })
    }

    pub fn add_value(&mut self, inst: Inst, dtype: DType) -> ValueId {
        self.values.push(ValueData { inst, dtype })
    }

    pub fn dtype(&self, value: ValueId) -> DType {
        self.values[value].dtype
    }
}

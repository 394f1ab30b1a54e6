//! The reference interpreter of the loop IR, and the scalar semantics of every operation.
//!
//! `interpret` runs a kernel one domain point at a time on `Scalar` values: slow, and written
//! to be obviously correct. The JIT is tested against it bit for bit. The `eval_*` functions
//! are the exact scalar semantics of the spec (§3.1); the program executor uses them for rank-0
//! arithmetic, so constant folding, the interpreter and compiled kernels all agree.
//!
//! Errors: an operation that fails (integer `//` or `%` by zero, integer `**` with a negative
//! exponent) returns the matching `KernelStatus`; inside a kernel its value is then arbitrary
//! (the interpreter uses 0) and the kernel goes on. **When several errors occur in one launch
//! the kernel returns the largest status code**, so the status does not depend on the order
//! in which points or lanes are evaluated.
//!
//! The `eval_*` functions expect operands of the dtypes the verifier accepts (`verify.rs`);
//! anything else is a compiler bug and panics.

use cranelift_entity::EntityRef;
use nx_runtime::{DType, Scalar, mathlib};

use super::print::math_fn_name;
use super::{
    BinaryOp, BufRole, BufView, Effect, FuncId, Inst, Kernel, KernelStatus, MathFn, ReduceOp,
    ScalarFunc, Stmt, UnaryOp, ValueId, reduce_block, reduce_lanes,
};

/// The worse of two statuses: the larger code (see the module doc).
pub fn combine_status(first: KernelStatus, second: KernelStatus) -> KernelStatus {
    if (second as i32) > (first as i32) {
        second
    } else {
        first
    }
}

fn ill_typed(what: &str, operand: Scalar) -> ! {
    panic!(
        "ill-typed loop IR: {what} on {} (the verifier rejects this)",
        operand.dtype()
    )
}

/// The exact value of a bool or integer scalar.
fn exact(value: Scalar) -> i128 {
    value
        .as_i128()
        .unwrap_or_else(|| ill_typed("integer operation", value))
}

/// A unary operation (§3.1): integer `neg` and `abs` wrap; `not` is bitwise on integers and
/// logical on bool; `sign` is NumPy's (`sign(nan)` is nan, `sign(-0.0)` is `0.0`);
/// `floor ceil trunc round` are the identity on integers and `round` is half to even;
/// `isnan isinf isfinite` of an integer are false, false, true.
pub fn eval_unary(op: UnaryOp, value: Scalar) -> Result<Scalar, KernelStatus> {
    let result = match value {
        Scalar::F64(x) => float_unary_f64(op, x),
        Scalar::F32(x) => float_unary_f32(op, x),
        Scalar::Bool(flag) => match op {
            UnaryOp::Not => Scalar::Bool(!flag),
            _ => ill_typed(super::print::unary_op_name(op), value),
        },
        _ => {
            let dtype = value.dtype();
            let x = exact(value);
            let wrap = |result: i128| Scalar::from_i128_wrapping(dtype, result);
            match op {
                UnaryOp::Neg => wrap(x.wrapping_neg()),
                UnaryOp::Not => wrap(!x),
                UnaryOp::Abs => wrap(x.abs()),
                UnaryOp::Sign => wrap(x.signum()),
                UnaryOp::Sqrt => ill_typed("sqrt", value),
                UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => value,
                UnaryOp::IsNan | UnaryOp::IsInf => Scalar::Bool(false),
                UnaryOp::IsFinite => Scalar::Bool(true),
            }
        }
    };
    Ok(result)
}

/// A binary operation (§3.1) on two operands of one dtype. Integers: `+ - * **` wrap,
/// `//` and `%` are Python's (`MIN // -1` is `MIN`, `MIN % -1` is 0, division by zero is an
/// error), `**` is repeated multiplication and a negative exponent is an error, shifts by a
/// count `< 0` or `>=` the width give 0 (`<<`) or 0/-1 by sign (`>>`), comparisons are exact.
/// Floats: IEEE, `//` and `%` as Python's `divmod` (see `mathlib`), `**` is C `pow`, `min` and
/// `max` propagate nan and order `-0.0` below `0.0`. Bool: logical `and or xor`, `min` is
/// `and`, `max` is `or`, comparisons with `false < true`.
pub fn eval_binary(op: BinaryOp, lhs: Scalar, rhs: Scalar) -> Result<Scalar, KernelStatus> {
    if lhs.dtype() != rhs.dtype() {
        panic!(
            "ill-typed loop IR: {} on {} and {}",
            super::print::binary_op_name(op),
            lhs.dtype(),
            rhs.dtype()
        );
    }
    match (lhs, rhs) {
        (Scalar::F64(a), Scalar::F64(b)) => Ok(float_binary_f64(op, a, b)),
        (Scalar::F32(a), Scalar::F32(b)) => Ok(float_binary_f32(op, a, b)),
        _ => integer_binary(op, lhs.dtype(), exact(lhs), exact(rhs)),
    }
}

/// Integer and bool binary operations on exact values (bool is 0 or 1).
fn integer_binary(op: BinaryOp, dtype: DType, a: i128, b: i128) -> Result<Scalar, KernelStatus> {
    let wrap = |result: i128| Scalar::from_i128_wrapping(dtype, result);
    let is_arithmetic = !matches!(
        op,
        BinaryOp::Min
            | BinaryOp::Max
            | BinaryOp::And
            | BinaryOp::Or
            | BinaryOp::Xor
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
    );
    if dtype.is_bool() && is_arithmetic {
        ill_typed(super::print::binary_op_name(op), Scalar::Bool(false));
    }
    let result = match op {
        // i128 holds every sum and difference exactly; products wrap modulo 2^128, whose low
        // bits are the dtype's wrapping product.
        BinaryOp::Add => wrap(a + b),
        BinaryOp::Sub => wrap(a - b),
        BinaryOp::Mul => wrap(a.wrapping_mul(b)),
        BinaryOp::FloorDiv | BinaryOp::Mod => {
            if b == 0 {
                return Err(KernelStatus::IntegerDivisionByZero);
            }
            // Exact in i128: MIN / -1 is 2^(bits-1), which wraps back to MIN.
            let mut quotient = a / b;
            if a % b != 0 && ((a < 0) != (b < 0)) {
                quotient -= 1;
            }
            if op == BinaryOp::FloorDiv {
                wrap(quotient)
            } else {
                wrap(a - quotient * b)
            }
        }
        BinaryOp::Pow => {
            if b < 0 {
                return Err(KernelStatus::NegativeIntegerPower);
            }
            wrap(i128::from(mathlib::nx_ipow(a as u64, b as u64)))
        }
        BinaryOp::Min => wrap(a.min(b)),
        BinaryOp::Max => wrap(a.max(b)),
        BinaryOp::And => wrap(a & b),
        BinaryOp::Or => wrap(a | b),
        BinaryOp::Xor => wrap(a ^ b),
        BinaryOp::Shl | BinaryOp::Shr => {
            let bits = i128::from(dtype.bits());
            let in_range = (0..bits).contains(&b);
            match (op, in_range) {
                (BinaryOp::Shl, true) => wrap(a.wrapping_shl(b as u32)),
                (BinaryOp::Shl, false) => wrap(0),
                (_, true) => wrap(a >> b),
                (_, false) => wrap(if a < 0 { -1 } else { 0 }),
            }
        }
        BinaryOp::Div | BinaryOp::Copysign => ill_typed(super::print::binary_op_name(op), wrap(a)),
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            Scalar::Bool(compare(op, a, b))
        }
    };
    Ok(result)
}

/// A comparison operator on two values of one type. On floats, `PartialOrd` gives the spec's
/// rule: every comparison with nan is false except `!=`.
pub fn compare<T: PartialOrd>(op: BinaryOp, a: T, b: T) -> bool {
    match op {
        BinaryOp::Eq => a == b,
        BinaryOp::Ne => a != b,
        BinaryOp::Lt => a < b,
        BinaryOp::Le => a <= b,
        BinaryOp::Gt => a > b,
        BinaryOp::Ge => a >= b,
        _ => unreachable!("{op:?} is not a comparison"),
    }
}

/// Float unary and binary semantics, once per float type.
macro_rules! float_semantics {
    ($unary:ident, $binary:ident, $float:ty, $variant:ident, $is_f64:expr) => {
        fn $unary(op: UnaryOp, x: $float) -> Scalar {
            match op {
                UnaryOp::Neg => Scalar::$variant(-x),
                UnaryOp::Not => ill_typed("not", Scalar::$variant(x)),
                UnaryOp::Abs => Scalar::$variant(x.abs()),
                UnaryOp::Sign => Scalar::$variant(if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else if x == 0.0 {
                    0.0
                } else {
                    x
                }),
                UnaryOp::Sqrt => Scalar::$variant(x.sqrt()),
                UnaryOp::Floor => Scalar::$variant(x.floor()),
                UnaryOp::Ceil => Scalar::$variant(x.ceil()),
                UnaryOp::Trunc => Scalar::$variant(x.trunc()),
                UnaryOp::Round => Scalar::$variant(x.round_ties_even()),
                UnaryOp::IsNan => Scalar::Bool(x.is_nan()),
                UnaryOp::IsInf => Scalar::Bool(x.is_infinite()),
                UnaryOp::IsFinite => Scalar::Bool(x.is_finite()),
            }
        }

        fn $binary(op: BinaryOp, a: $float, b: $float) -> Scalar {
            let library = |name: &str| -> $float {
                let symbol = if $is_f64 {
                    mathlib::binary_f64(name).map(|function| function(a as f64, b as f64) as $float)
                } else {
                    mathlib::binary_f32(name).map(|function| function(a as f32, b as f32) as $float)
                };
                symbol.expect("every binary math function is in the runtime's table")
            };
            match op {
                BinaryOp::Add => Scalar::$variant(a + b),
                BinaryOp::Sub => Scalar::$variant(a - b),
                BinaryOp::Mul => Scalar::$variant(a * b),
                BinaryOp::Div => Scalar::$variant(a / b),
                BinaryOp::FloorDiv => Scalar::$variant(library("floordiv")),
                BinaryOp::Mod => Scalar::$variant(library("mod")),
                BinaryOp::Pow => Scalar::$variant(library("pow")),
                BinaryOp::Min => Scalar::$variant(if a.is_nan() {
                    a
                } else if b.is_nan() {
                    b
                } else if a < b || (a == b && a.is_sign_negative()) {
                    a
                } else {
                    b
                }),
                BinaryOp::Max => Scalar::$variant(if a.is_nan() {
                    a
                } else if b.is_nan() {
                    b
                } else if a > b || (a == b && a.is_sign_positive()) {
                    a
                } else {
                    b
                }),
                BinaryOp::Copysign => Scalar::$variant(a.copysign(b)),
                BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge => Scalar::Bool(compare(op, a, b)),
                BinaryOp::And | BinaryOp::Or | BinaryOp::Xor | BinaryOp::Shl | BinaryOp::Shr => {
                    ill_typed(super::print::binary_op_name(op), Scalar::$variant(a))
                }
            }
        }
    };
}

float_semantics!(float_unary_f64, float_binary_f64, f64, F64, true);
float_semantics!(float_unary_f32, float_binary_f32, f32, F32, false);

/// The spec's `as` conversion (`Scalar::cast`): float to int truncates and saturates with nan
/// to 0, int to int wraps, anything to bool is `!= 0`. Never fails.
pub fn eval_cast(value: Scalar, to: DType) -> Result<Scalar, KernelStatus> {
    Ok(value.cast(to))
}

/// `if cond { if_true } else { if_false }`.
pub fn eval_select(cond: Scalar, if_true: Scalar, if_false: Scalar) -> Scalar {
    match cond {
        Scalar::Bool(true) => if_true,
        Scalar::Bool(false) => if_false,
        other => ill_typed("select condition", other),
    }
}

/// A math-library function, through the runtime's `extern "C"` implementation (the very
/// function compiled kernels call). Operands are all f32 or all f64.
pub fn eval_math(function: MathFn, operands: &[Scalar]) -> Result<Scalar, KernelStatus> {
    let name = math_fn_name(function);
    let missing = "every math function is in the runtime's table";
    let result = match operands {
        [Scalar::F64(x)] => Scalar::F64(mathlib::unary_f64(name).expect(missing)(*x)),
        [Scalar::F32(x)] => Scalar::F32(mathlib::unary_f32(name).expect(missing)(*x)),
        [Scalar::F64(x), Scalar::F64(y)] => {
            Scalar::F64(mathlib::binary_f64(name).expect(missing)(*x, *y))
        }
        [Scalar::F32(x), Scalar::F32(y)] => {
            Scalar::F32(mathlib::binary_f32(name).expect(missing)(*x, *y))
        }
        _ => panic!("ill-typed loop IR: math {name} on {operands:?}"),
    };
    Ok(result)
}

/// The value a reduction starts from and gives when empty: 0 for sum, 1 for prod, the
/// largest value for min (inf for floats, true for bool), the smallest for max, false for
/// any, true for all. (Argmin/argmax have no identity; they use 0.)
pub fn reduce_identity(op: ReduceOp, dtype: DType) -> Scalar {
    match op {
        ReduceOp::Sum | ReduceOp::Any | ReduceOp::ArgMin | ReduceOp::ArgMax => Scalar::zero(dtype),
        ReduceOp::Prod | ReduceOp::All => Scalar::one(dtype),
        ReduceOp::Min => match dtype {
            DType::F64 => Scalar::F64(f64::INFINITY),
            DType::F32 => Scalar::F32(f32::INFINITY),
            _ => Scalar::from_i128_wrapping(dtype, dtype.max_int()),
        },
        ReduceOp::Max => match dtype {
            DType::F64 => Scalar::F64(f64::NEG_INFINITY),
            DType::F32 => Scalar::F32(f32::NEG_INFINITY),
            _ => Scalar::from_i128_wrapping(dtype, dtype.min_int()),
        },
    }
}

/// The binary operation a reduction folds with (not for argmin/argmax).
pub fn reduce_combine_op(op: ReduceOp) -> BinaryOp {
    match op {
        ReduceOp::Sum => BinaryOp::Add,
        ReduceOp::Prod => BinaryOp::Mul,
        ReduceOp::Min | ReduceOp::All => BinaryOp::Min,
        ReduceOp::Max | ReduceOp::Any => BinaryOp::Max,
        ReduceOp::ArgMin | ReduceOp::ArgMax => {
            panic!("argmin/argmax do not fold with a binary operation")
        }
    }
}

/// Float `Sum` or `Prod` of `values` in the fixed order documented on `ReduceOp::Sum`: blocks
/// of `reduce_block` elements, element `j` of a block into lane `j % reduce_lanes`, the lanes
/// summed pairwise, block values combined by the binary-counter cascade, the stack folded from
/// the top. Also correct (if needlessly elaborate) for every other combinable reduction.
pub fn fold_fixed_order(op: ReduceOp, dtype: DType, values: &[Scalar]) -> Scalar {
    let identity = reduce_identity(op, dtype);
    let lane_count = reduce_lanes(dtype);
    let mut stack = FixedOrderStack::new(op);
    for block in values.chunks(reduce_block(dtype)) {
        let mut lanes = vec![identity; lane_count];
        for (position, value) in block.iter().enumerate() {
            let lane = position % lane_count;
            lanes[lane] = FixedOrderStack::combine(op, lanes[lane], *value);
        }
        // Pairwise: ((l0+l1)+(l2+l3)) and so on, adjacent pairs level by level.
        while lanes.len() > 1 {
            lanes = lanes
                .chunks(2)
                .map(|pair| FixedOrderStack::combine(op, pair[0], pair[1]))
                .collect();
        }
        stack.push(lanes[0]);
    }
    stack.finish(identity)
}

/// The cascade of the fixed order (see `ReduceOp::Sum`): block values pushed in order, the top
/// two entries merged per trailing zero bit of each value's 1-based number, and the entries
/// folded from the top at the end. A value may also stand for an aligned group of `2^k`
/// blocks (the value the cascade would merge them into), which is how a reduction split into
/// such chunks gets the same bits.
pub struct FixedOrderStack {
    op: ReduceOp,
    entries: Vec<Scalar>,
    pushed: usize,
}

impl FixedOrderStack {
    pub fn new(op: ReduceOp) -> FixedOrderStack {
        FixedOrderStack {
            op,
            entries: Vec::new(),
            pushed: 0,
        }
    }

    /// The reduction's binary operation (`+` for sum, `*` for prod, min, max, or, and).
    pub fn combine(op: ReduceOp, a: Scalar, b: Scalar) -> Scalar {
        eval_binary(reduce_combine_op(op), a, b).expect("reductions' combinations never fail")
    }

    pub fn push(&mut self, value: Scalar) {
        self.entries.push(value);
        self.pushed += 1;
        for _ in 0..self.pushed.trailing_zeros() {
            let upper = self
                .entries
                .pop()
                .expect("the cascade keeps two entries to merge");
            let lower = self
                .entries
                .pop()
                .expect("the cascade keeps two entries to merge");
            self.entries
                .push(FixedOrderStack::combine(self.op, lower, upper));
        }
    }

    /// The final fold; `identity` when nothing was pushed.
    pub fn finish(mut self, identity: Scalar) -> Scalar {
        match self.entries.pop() {
            Some(top) => self.fold_below(top),
            None => identity,
        }
    }

    /// The final fold with `tail` on top: the fold of a last group of fewer than `2^k`
    /// blocks, whose own stack entries would sit above every entry pushed here.
    pub fn finish_with(mut self, tail: Scalar) -> Scalar {
        self.fold_below(tail)
    }

    fn fold_below(&mut self, mut result: Scalar) -> Scalar {
        while let Some(below) = self.entries.pop() {
            result = FixedOrderStack::combine(self.op, below, result);
        }
        result
    }
}

/// First minimum (`is_max == false`) or maximum of `values` by row-major position; the first
/// nan wins, as NumPy. 0 when empty (the caller never launches an empty argmin).
pub fn arg_extreme(values: &[Scalar], is_max: bool) -> i64 {
    let mut best_index = 0usize;
    let Some(mut best) = values.first().copied() else {
        return 0;
    };
    let is_nan = |value: Scalar| match value {
        Scalar::F64(x) => x.is_nan(),
        Scalar::F32(x) => x.is_nan(),
        _ => false,
    };
    for (index, value) in values.iter().enumerate().skip(1) {
        if is_nan(best) {
            break;
        }
        let better_op = if is_max { BinaryOp::Gt } else { BinaryOp::Lt };
        let better = matches!(eval_binary(better_op, *value, best), Ok(Scalar::Bool(true)));
        if is_nan(*value) || better {
            best = *value;
            best_index = index;
        }
    }
    best_index as i64
}

/// The fold of one reduction over the values of one output element.
fn fold(op: ReduceOp, dtype: DType, values: &[Scalar]) -> Scalar {
    match op {
        ReduceOp::ArgMin => Scalar::I64(arg_extreme(values, false)),
        ReduceOp::ArgMax => Scalar::I64(arg_extreme(values, true)),
        _ => fold_fixed_order(op, dtype, values),
    }
}

/// Evaluates the body at one point. `values` is cleared and refilled; the status combines any
/// errors of this point into `status`.
///
/// # Safety
/// Every input view must address a readable element of its dtype at `point`.
unsafe fn eval_point(
    kernel: &Kernel,
    views: &[BufView],
    point: &[usize],
    values: &mut Vec<Scalar>,
    status: &mut KernelStatus,
) {
    values.clear();
    for data in kernel.values.values() {
        let result = match &data.inst {
            Inst::Load(buf) => {
                let address = element_address(&views[buf.index()], point);
                // SAFETY: the caller guarantees this input element is readable.
                Ok(unsafe { Scalar::read(data.dtype, address) })
            }
            Inst::AxisIndex(axis) => Ok(Scalar::I64(point[*axis] as i64)),
            Inst::Call(func, operands) => {
                let arguments: Vec<Scalar> = operands
                    .iter()
                    .map(|operand| values[operand.index()])
                    .collect();
                // SAFETY: the caller guarantees the uniform inputs' elements are readable.
                Ok(unsafe { apply(kernel, views, *func, &arguments, status) })
            }
            inst => eval_op(inst, data.dtype, values),
        };
        let value = result.unwrap_or_else(|error| {
            *status = combine_status(*status, error);
            Scalar::zero(data.dtype)
        });
        values.push(value);
    }
}

/// One operation on computed operands (`values` indexed by `ValueId`): constants and the
/// arithmetic of `eval_*`, not the instructions that read buffers, arguments or variables.
fn eval_op(inst: &Inst, dtype: DType, values: &[Scalar]) -> Result<Scalar, KernelStatus> {
    match inst {
        Inst::Const(scalar) => Ok(*scalar),
        Inst::Unary(op, operand) => eval_unary(*op, values[operand.index()]),
        Inst::Binary(op, lhs, rhs) => eval_binary(*op, values[lhs.index()], values[rhs.index()]),
        Inst::Select(cond, if_true, if_false) => Ok(eval_select(
            values[cond.index()],
            values[if_true.index()],
            values[if_false.index()],
        )),
        Inst::Cast(operand) => eval_cast(values[operand.index()], dtype),
        Inst::Math(function, operands) => {
            let arguments: Vec<Scalar> = operands
                .iter()
                .map(|operand| values[operand.index()])
                .collect();
            eval_math(*function, &arguments)
        }
        Inst::Load(_) | Inst::AxisIndex(_) | Inst::Call(..) | Inst::Param(_) | Inst::ReadVar(_) => {
            unreachable!("{inst:?} is evaluated by its context")
        }
    }
}

/// Applies one of the kernel's scalar functions to its arguments (see `ScalarFunc` for the
/// semantics).
///
/// # Safety
/// Every uniform input view must address a readable element of its dtype.
unsafe fn apply(
    kernel: &Kernel,
    views: &[BufView],
    func: FuncId,
    arguments: &[Scalar],
    status: &mut KernelStatus,
) -> Scalar {
    let func = &kernel.funcs[func];
    let mut application = Application {
        kernel,
        views,
        func,
        arguments,
        values: func
            .values
            .values()
            .map(|data| Scalar::zero(data.dtype))
            .collect(),
        vars: func
            .vars
            .values()
            .map(|&dtype| Scalar::zero(dtype))
            .collect(),
        status,
    };
    match application.run(&func.body) {
        Exit::Return(value) => value,
        _ => unreachable!("a verified function body ends in a return"),
    }
}

/// How a statement list ended.
enum Exit {
    Normal,
    Break,
    Continue,
    Return(Scalar),
}

struct Application<'a> {
    kernel: &'a Kernel,
    views: &'a [BufView],
    func: &'a ScalarFunc,
    arguments: &'a [Scalar],
    values: Vec<Scalar>,
    vars: Vec<Scalar>,
    status: &'a mut KernelStatus,
}

impl Application<'_> {
    fn run(&mut self, stmts: &[Stmt]) -> Exit {
        for stmt in stmts {
            let exit = match stmt {
                Stmt::Eval(value) => self.eval(*value),
                Stmt::Assign(var, value) => {
                    self.vars[var.index()] = self.values[value.index()];
                    Exit::Normal
                }
                Stmt::If { cond, then, else_ } => {
                    if self.values[cond.index()].as_bool() {
                        self.run(then)
                    } else {
                        self.run(else_)
                    }
                }
                Stmt::Loop { body, latch } => loop {
                    match self.run(body) {
                        Exit::Break => break Exit::Normal,
                        Exit::Return(value) => break Exit::Return(value),
                        Exit::Normal | Exit::Continue => {}
                    }
                    if let Exit::Return(value) = self.run(latch) {
                        break Exit::Return(value);
                    }
                },
                Stmt::Break => Exit::Break,
                Stmt::Continue => Exit::Continue,
                Stmt::Return(value) => Exit::Return(self.values[value.index()]),
            };
            if !matches!(exit, Exit::Normal) {
                return exit;
            }
        }
        Exit::Normal
    }

    fn eval(&mut self, value: ValueId) -> Exit {
        let data = &self.func.values[value];
        let result = match &data.inst {
            Inst::Param(index) => Ok(self.arguments[*index]),
            Inst::ReadVar(var) => Ok(self.vars[var.index()]),
            Inst::Load(buf) => {
                // SAFETY: `apply`'s caller guarantees that uniform inputs (the only buffers a
                // verified function loads) are readable at their origin.
                Ok(unsafe { Scalar::read(data.dtype, self.views[buf.index()].ptr) })
            }
            Inst::Call(func, operands) => {
                let arguments: Vec<Scalar> = operands
                    .iter()
                    .map(|operand| self.values[operand.index()])
                    .collect();
                // SAFETY: as above.
                Ok(unsafe { apply(self.kernel, self.views, *func, &arguments, self.status) })
            }
            inst => eval_op(inst, data.dtype, &self.values),
        };
        match result {
            Ok(scalar) => self.values[value.index()] = scalar,
            Err(error) => *self.status = combine_status(*self.status, error),
        }
        let operand_dtype = match data.inst.operands().first() {
            Some(operand) => self.func.values[*operand].dtype,
            None => data.dtype,
        };
        // As compiled code: after a fallible operation, a failed launch ends the application.
        if data.inst.is_fallible(operand_dtype) && *self.status != KernelStatus::Ok {
            return Exit::Return(Scalar::zero(self.func.result));
        }
        Exit::Normal
    }
}

/// `ptr + Σ point[k] * byte_strides[k]`, with wrapping pointer arithmetic (negative strides).
fn element_address(view: &BufView, point: &[usize]) -> *mut u8 {
    let mut offset: isize = 0;
    for (index, stride) in point.iter().zip(&view.byte_strides) {
        offset = offset.wrapping_add((*index as isize).wrapping_mul(*stride));
    }
    view.ptr.wrapping_offset(offset)
}

/// Advances a row-major index over `sizes`; false when it wraps around (or there are none).
fn next_point(point: &mut [usize], sizes: &[usize]) -> bool {
    for axis in (0..point.len()).rev() {
        point[axis] += 1;
        if point[axis] < sizes[axis] {
            return true;
        }
        point[axis] = 0;
    }
    false
}

/// Runs `kernel` over the whole domain `sizes`, one point at a time, and returns its status.
///
/// # Safety
/// As `CompiledKernel::run`: `sizes.len() == kernel.rank`, one view per buffer with `rank`
/// strides, every view addresses valid memory of its buffer's dtype at every point of the
/// domain, and outputs do not overlap inputs except where they alias element for element.
pub unsafe fn interpret(kernel: &Kernel, sizes: &[usize], views: &[BufView]) -> KernelStatus {
    assert_eq!(sizes.len(), kernel.rank, "one size per domain axis");
    assert_eq!(views.len(), kernel.bufs.len(), "one view per buffer");
    let mut status = KernelStatus::Ok;
    let mut values = Vec::with_capacity(kernel.values.len());
    let kept_rank = kernel.rank - kernel.reduce_axes;
    let (kept_sizes, reduced_sizes) = sizes.split_at(kept_rank);
    if kept_sizes.contains(&0) {
        return status;
    }
    let mut kept_point = vec![0usize; kept_rank];
    loop {
        if kernel.reduce_axes == 0 {
            // SAFETY: the caller guarantees every view is valid at every point.
            unsafe { eval_point(kernel, views, &kept_point, &mut values, &mut status) };
            for effect in &kernel.effects {
                if let Effect::Store { buf, value } = effect {
                    let address = element_address(&views[buf.index()], &kept_point);
                    // SAFETY: as above; the output element is writable.
                    unsafe { values[value.index()].write(address) };
                }
            }
        } else {
            // SAFETY: as above.
            unsafe {
                reduce_at(
                    kernel,
                    views,
                    &kept_point,
                    reduced_sizes,
                    &mut values,
                    &mut status,
                )
            };
        }
        if !next_point(&mut kept_point, kept_sizes) {
            break;
        }
    }
    status
}

/// Folds every reduction of the kernel over the reduced axes at one point of the kept axes and
/// writes the results.
///
/// # Safety
/// As `interpret`.
unsafe fn reduce_at(
    kernel: &Kernel,
    views: &[BufView],
    kept_point: &[usize],
    reduced_sizes: &[usize],
    values: &mut Vec<Scalar>,
    status: &mut KernelStatus,
) {
    let mut sequences: Vec<Vec<Scalar>> = vec![Vec::new(); kernel.effects.len()];
    let mut point: Vec<usize> = kept_point.to_vec();
    point.resize(kernel.rank, 0);
    if !reduced_sizes.contains(&0) {
        loop {
            // SAFETY: the caller guarantees every view is valid at every point.
            unsafe { eval_point(kernel, views, &point, values, status) };
            for (effect, sequence) in kernel.effects.iter().zip(&mut sequences) {
                if let Effect::Reduce { value, .. } = effect {
                    sequence.push(values[value.index()]);
                }
            }
            if !next_point(&mut point[kept_point.len()..], reduced_sizes) {
                break;
            }
        }
    }
    for (effect, sequence) in kernel.effects.iter().zip(&sequences) {
        if let Effect::Reduce { op, buf, value } = effect {
            let result = fold(*op, kernel.dtype(*value), sequence);
            debug_assert_eq!(kernel.bufs[*buf].role, BufRole::Output);
            let address = element_address(&views[buf.index()], &point);
            // SAFETY: as above; the output element (strides 0 along reduced axes) is writable.
            unsafe { result.write(address) };
        }
    }
}

//! Integer dtype narrowing: recompute a kernel's wide integer arithmetic in a narrower integer
//! dtype when an interval range analysis proves that no intermediate value leaves it, so that
//! the vector code holds more lanes per 128-bit register (NumPy promotion computes
//! `(a as i32) * 3 + (b as i32)` on `u8` images in 32 bits; every value fits 16).
//!
//! **Range analysis.** Every bool or integer value gets an interval `[lo, hi]` (in `i128`) that
//! contains its value at every point: a `Load` (or anything opaque: calls, axis indices, `**`)
//! its dtype's full range, a `Const` its value, and each operation the interval of its *exact*
//! mathematical result computed from its operands' intervals (corners for `+ - *`, shifts and
//! floor division, which are monotone in each operand separately). When that exact interval
//! does not fit the value's dtype, the operation may wrap there, and the value gets the
//! dtype's full range instead. So: if a value's interval fits its dtype, the value *is* the
//! exact result of its operation on its operands' values.
//!
//! **Rewrite rule and its proof.** Pick a narrower integer dtype `W`. A value of a wider integer
//! dtype `T` is recomputed in `W` when its operation is one whose result on exact integers does
//! not depend on the width (`+ - * min max & | ^`, `neg abs sign`, `not` on signed `T`, floor,
//! ceil, trunc, round (the identity), `<<`/`>>` by a count in `[0, bits(T))`, `//` and `%` by a
//! divisor whose interval excludes 0, `select`, int and bool casts) and its interval and those of
//! all its integer operands fit `W`. Operands are converted to `W` (exact: they fit) and the
//! value is converted back where a consumer needs `T` (exact: it fits). By induction along the
//! body every narrowed value equals the original one: its operands are equal, the exact result
//! lies in `T`'s range (so `T` did not wrap) and in `W`'s range (so `W` does not wrap), hence
//! both compute the exact result. Comparisons whose operands both fit `W` compare in `W`
//! (exact values compare alike in any dtype that holds them). `//` and `%` narrowed this way
//! can never fail (the divisor is never 0) and `MIN // -1` cannot occur (its exact result
//! does not fit), so no kernel status changes; `**` and divisions whose divisor may be 0 keep
//! their dtype. Nothing is narrowed to 8 bits when the narrowed values include a multiply
//! (x86 has no 8-bit lane multiply, so it would run per lane).
//!
//! **When.** The pass tries `i8 u8 i16 u16 i32 u32` and keeps the rewrite that makes the
//! kernel's widest non-bool element (values and moving buffers; what sets the vector lane
//! count) smallest, and only when that is narrower than before. Reductions fold into `i64`/
//! `u64` accumulators, so they are never narrowed by this rule.

use std::collections::HashMap;

use cranelift_entity::{EntityRef, PrimaryMap};
use nx_runtime::{DType, Scalar};

use super::{BinaryOp, Effect, Inst, Kernel, UnaryOp, ValueData, ValueId};

/// A closed interval of exact integer values (bools are 0 and 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub lo: i128,
    pub hi: i128,
}

impl Interval {
    pub fn new(lo: i128, hi: i128) -> Interval {
        Interval { lo, hi }
    }

    pub fn of_dtype(dtype: DType) -> Interval {
        Interval::new(dtype.min_int(), dtype.max_int())
    }

    pub fn fits(self, dtype: DType) -> bool {
        (dtype.is_int() || dtype.is_bool())
            && dtype.min_int() <= self.lo
            && self.hi <= dtype.max_int()
    }

    /// The smallest interval holding `f` at the four corners (`None` if any overflows `i128`).
    fn corners(a: Interval, b: Interval, f: impl Fn(i128, i128) -> Option<i128>) -> Option<Self> {
        let values = [
            f(a.lo, b.lo)?,
            f(a.lo, b.hi)?,
            f(a.hi, b.lo)?,
            f(a.hi, b.hi)?,
        ];
        Some(Interval::new(
            *values.iter().min().expect("four"),
            *values.iter().max().expect("four"),
        ))
    }

    fn contains(self, value: i128) -> bool {
        self.lo <= value && value <= self.hi
    }
}

/// Python floor division on exact integers (`divisor != 0`).
fn floor_div(x: i128, divisor: i128) -> Option<i128> {
    let quotient = x.checked_div(divisor)?;
    let adjust = x % divisor != 0 && ((x < 0) != (divisor < 0));
    Some(quotient - i128::from(adjust))
}

/// Smallest `k` with `-2^k <= value < 2^k`.
fn signed_bits(value: i128) -> u32 {
    let magnitude = if value < 0 { !value } else { value };
    128 - magnitude.leading_zeros()
}

/// The interval of every value of `kernel` (see the module comment); `None` for floats.
pub fn ranges(kernel: &Kernel) -> Vec<Option<Interval>> {
    let mut ranges: Vec<Option<Interval>> = Vec::with_capacity(kernel.values.len());
    for data in kernel.values.values() {
        let range = value_range(kernel, &ranges, &data.inst, data.dtype);
        ranges.push(range);
    }
    ranges
}

fn value_range(
    kernel: &Kernel,
    ranges: &[Option<Interval>],
    inst: &Inst,
    dtype: DType,
) -> Option<Interval> {
    if dtype.is_float() {
        return None;
    }
    let of = |value: ValueId| ranges[value.index()];
    let exact = match inst {
        Inst::Const(scalar) => scalar.as_i128().map(|value| Interval::new(value, value)),
        // Integers and bools keep their value when it fits; floats saturate (full range).
        Inst::Cast(operand) => of(*operand),
        Inst::Unary(op, operand) => of(*operand).and_then(|x| unary_range(*op, x, dtype)),
        Inst::Binary(op, lhs, rhs) => match (of(*lhs), of(*rhs)) {
            (Some(a), Some(b)) => {
                binary_range(*op, a, b, kernel.dtype(*lhs), dtype).unwrap_or(None)
            }
            _ => None,
        },
        Inst::Select(_, if_true, if_false) => match (of(*if_true), of(*if_false)) {
            (Some(a), Some(b)) => Some(Interval::new(a.lo.min(b.lo), a.hi.max(b.hi))),
            _ => None,
        },
        Inst::Load(_)
        | Inst::AxisIndex(_)
        | Inst::Math(..)
        | Inst::Call(..)
        | Inst::Param(_)
        | Inst::ReadVar(_) => None,
    };
    match exact {
        Some(interval) if interval.fits(dtype) => Some(interval),
        // The operation may wrap (or is opaque): anything of its dtype.
        _ => Some(Interval::of_dtype(dtype)),
    }
}

fn unary_range(op: UnaryOp, x: Interval, dtype: DType) -> Option<Interval> {
    match op {
        UnaryOp::Neg => Some(Interval::new(-x.hi, -x.lo)),
        UnaryOp::Abs if x.lo >= 0 => Some(x),
        UnaryOp::Abs if x.hi <= 0 => Some(Interval::new(-x.hi, -x.lo)),
        UnaryOp::Abs => Some(Interval::new(0, x.hi.max(-x.lo))),
        UnaryOp::Sign => Some(Interval::new(x.lo.signum(), x.hi.signum())),
        // `!x == -x - 1` in two's complement; unsigned `not` depends on the width.
        UnaryOp::Not if dtype.is_signed() => Some(Interval::new(-x.hi - 1, -x.lo - 1)),
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => Some(x),
        UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => Some(Interval::new(0, 1)),
        UnaryOp::Not | UnaryOp::Sqrt => None,
    }
}

/// The exact result interval of `a op b` (operands of `operand_dtype`, result of `dtype`):
/// `Some(None)` when unknown, `None` when an `i128` bound overflowed (also unknown).
fn binary_range(
    op: BinaryOp,
    a: Interval,
    b: Interval,
    operand_dtype: DType,
    dtype: DType,
) -> Option<Option<Interval>> {
    if dtype == DType::Bool {
        return Some(Some(Interval::new(0, 1)));
    }
    let range = match op {
        BinaryOp::Add => Some(Interval::new(
            a.lo.checked_add(b.lo)?,
            a.hi.checked_add(b.hi)?,
        )),
        BinaryOp::Sub => Some(Interval::new(
            a.lo.checked_sub(b.hi)?,
            a.hi.checked_sub(b.lo)?,
        )),
        BinaryOp::Mul => Some(Interval::corners(a, b, i128::checked_mul)?),
        BinaryOp::Min => Some(Interval::new(a.lo.min(b.lo), a.hi.min(b.hi))),
        BinaryOp::Max => Some(Interval::new(a.lo.max(b.lo), a.hi.max(b.hi))),
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => Some(bitwise_range(op, a, b)),
        // `x << c` is `x * 2^c` when it fits (NumPy gives 0 for counts past the width).
        BinaryOp::Shl if b.lo >= 0 && b.hi < i128::from(operand_dtype.bits()) => {
            Some(Interval::corners(a, b, |x, c| {
                x.checked_mul(1i128.checked_shl(c as u32)?)
            })?)
        }
        // `x >> c` is `floor(x / 2^c)` for every count >= 0, past the width too (0 or -1).
        BinaryOp::Shr if b.lo >= 0 => Some(Interval::corners(a, b, |x, c| {
            Some(x >> c.min(127) as u32)
        })?),
        BinaryOp::FloorDiv if !b.contains(0) => Some(Interval::corners(a, b, floor_div)?),
        BinaryOp::Mod if b.lo > 0 => Some(if a.lo >= 0 {
            Interval::new(0, a.hi.min(b.hi - 1))
        } else {
            Interval::new(0, b.hi - 1)
        }),
        BinaryOp::Mod if b.hi < 0 => Some(if a.hi <= 0 {
            Interval::new(a.lo.max(b.lo + 1), 0)
        } else {
            Interval::new(b.lo + 1, 0)
        }),
        _ => None,
    };
    Some(range)
}

/// Bitwise operations on two's complement integers: nonnegative operands below `2^k` give
/// results below `2^k` (`&` at most the smaller operand, `|` at least the larger); operands in `[-2^k, 2^k)` give
/// results there too.
fn bitwise_range(op: BinaryOp, a: Interval, b: Interval) -> Interval {
    if a.lo >= 0 && b.lo >= 0 {
        if op == BinaryOp::And {
            return Interval::new(0, a.hi.min(b.hi));
        }
        let bits = signed_bits(a.hi.max(b.hi));
        // `x | y` keeps every bit of both, so it is at least the larger lower bound.
        let lo = if op == BinaryOp::Or {
            a.lo.max(b.lo)
        } else {
            0
        };
        return Interval::new(lo, (1i128 << bits) - 1);
    }
    let bits = [a.lo, a.hi, b.lo, b.hi]
        .into_iter()
        .map(signed_bits)
        .max()
        .expect("four");
    Interval::new(-(1i128 << bits), (1i128 << bits) - 1)
}

/// Whether the operation of `inst` (a value of integer dtype `dtype`) computes the same
/// exact result in any integer dtype holding its operands and result (see the module comment).
fn width_independent(
    kernel: &Kernel,
    ranges: &[Option<Interval>],
    inst: &Inst,
    dtype: DType,
) -> bool {
    match inst {
        Inst::Const(_) | Inst::Select(..) => true,
        Inst::Cast(operand) => !kernel.dtype(*operand).is_float(),
        Inst::Unary(op, _) => match op {
            UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => true,
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Round => true,
            UnaryOp::Not => dtype.is_signed(),
            _ => false,
        },
        Inst::Binary(op, _, rhs) => {
            let count = ranges[rhs.index()].expect("integer operand");
            match op {
                BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Min
                | BinaryOp::Max
                | BinaryOp::And
                | BinaryOp::Or
                | BinaryOp::Xor => true,
                BinaryOp::Shl => count.lo >= 0 && count.hi < i128::from(dtype.bits()),
                BinaryOp::Shr => count.lo >= 0,
                BinaryOp::FloorDiv | BinaryOp::Mod => !count.contains(0),
                _ => false,
            }
        }
        _ => false,
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

/// The integer operands of `inst` that a narrowed value converts to its dtype (not a select's
/// condition, not a cast's operand).
fn converted_operands(inst: &Inst) -> Vec<ValueId> {
    match inst {
        Inst::Select(_, if_true, if_false) => vec![*if_true, *if_false],
        Inst::Cast(_) => Vec::new(),
        inst => inst.operands(),
    }
}

/// How each value is rewritten for a target `W`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    Keep,
    /// Recomputed in `W`.
    Narrow,
    /// A comparison whose operands are compared in `W`.
    CompareNarrow,
}

fn plan_for(kernel: &Kernel, ranges: &[Option<Interval>], target: DType) -> Vec<Plan> {
    let fits = |value: ValueId| ranges[value.index()].is_some_and(|range| range.fits(target));
    kernel
        .values
        .iter()
        .map(|(value, data)| {
            let dtype = data.dtype;
            if let Inst::Binary(op, lhs, rhs) = &data.inst {
                let operand_dtype = kernel.dtype(*lhs);
                if is_comparison(*op)
                    && operand_dtype.is_int()
                    && operand_dtype.size() > target.size()
                    && fits(*lhs)
                    && fits(*rhs)
                {
                    return Plan::CompareNarrow;
                }
            }
            let narrow = dtype.is_int()
                && dtype.size() > target.size()
                && fits(value)
                && converted_operands(&data.inst).into_iter().all(fits)
                && width_independent(kernel, ranges, &data.inst, dtype);
            if narrow { Plan::Narrow } else { Plan::Keep }
        })
        .collect()
}

/// The kernel with the values `plans` marks recomputed in `target`, converting at the edges.
fn rewrite(kernel: &Kernel, plans: &[Plan], target: DType) -> Kernel {
    struct Builder {
        values: PrimaryMap<ValueId, ValueData>,
        casts: HashMap<(ValueId, DType), ValueId>,
    }
    impl Builder {
        fn push(&mut self, inst: Inst, dtype: DType) -> ValueId {
            self.values.push(ValueData { inst, dtype })
        }
        fn convert(&mut self, value: ValueId, to: DType) -> ValueId {
            if self.values[value].dtype == to {
                return value;
            }
            if let Some(cast) = self.casts.get(&(value, to)) {
                return *cast;
            }
            let cast = self.push(Inst::Cast(value), to);
            self.casts.insert((value, to), cast);
            cast
        }
    }
    let mut builder = Builder {
        values: PrimaryMap::new(),
        casts: HashMap::new(),
    };
    let mut map: Vec<ValueId> = Vec::with_capacity(kernel.values.len());
    for (value, data) in kernel.values.iter() {
        let plan = plans[value.index()];
        let new = match (&data.inst, plan) {
            (Inst::Const(scalar), Plan::Narrow) => {
                let exact = scalar.as_i128().expect("integer constant");
                builder.push(
                    Inst::Const(Scalar::from_i128_wrapping(target, exact)),
                    target,
                )
            }
            (Inst::Cast(operand), Plan::Narrow) => builder.convert(map[operand.index()], target),
            // A cast of a narrowed value casts the same exact integer from its new dtype.
            (Inst::Cast(operand), Plan::Keep) => builder.convert(map[operand.index()], data.dtype),
            (Inst::Select(cond, if_true, if_false), Plan::Narrow) => {
                let if_true = builder.convert(map[if_true.index()], target);
                let if_false = builder.convert(map[if_false.index()], target);
                builder.push(Inst::Select(map[cond.index()], if_true, if_false), target)
            }
            (Inst::Unary(op, operand), Plan::Narrow) => {
                let operand = builder.convert(map[operand.index()], target);
                builder.push(Inst::Unary(*op, operand), target)
            }
            (Inst::Binary(op, lhs, rhs), Plan::Narrow | Plan::CompareNarrow) => {
                let lhs = builder.convert(map[lhs.index()], target);
                let rhs = builder.convert(map[rhs.index()], target);
                let dtype = if plan == Plan::Narrow {
                    target
                } else {
                    DType::Bool
                };
                builder.push(Inst::Binary(*op, lhs, rhs), dtype)
            }
            (inst, _) => {
                let inst = remap(inst, |operand| {
                    builder.convert(map[operand.index()], kernel.dtype(operand))
                });
                builder.push(inst, data.dtype)
            }
        };
        map.push(new);
    }
    let effects = kernel
        .effects
        .iter()
        .map(|effect| match effect {
            Effect::Store { buf, value } => Effect::Store {
                buf: *buf,
                value: builder.convert(map[value.index()], kernel.bufs[*buf].dtype),
            },
            Effect::Reduce { op, buf, value } => Effect::Reduce {
                op: *op,
                buf: *buf,
                value: builder.convert(map[value.index()], kernel.dtype(*value)),
            },
        })
        .collect();
    Kernel {
        values: builder.values,
        effects,
        ..kernel.clone()
    }
}

/// `inst` with each operand replaced by `f(operand)`, in operand order.
fn remap(inst: &Inst, mut f: impl FnMut(ValueId) -> ValueId) -> Inst {
    match inst {
        Inst::Load(_) | Inst::Const(_) | Inst::AxisIndex(_) | Inst::Param(_) | Inst::ReadVar(_) => {
            inst.clone()
        }
        Inst::Unary(op, operand) => Inst::Unary(*op, f(*operand)),
        Inst::Cast(operand) => Inst::Cast(f(*operand)),
        Inst::Binary(op, lhs, rhs) => {
            let lhs = f(*lhs);
            Inst::Binary(*op, lhs, f(*rhs))
        }
        Inst::Select(cond, if_true, if_false) => {
            let cond = f(*cond);
            let if_true = f(*if_true);
            Inst::Select(cond, if_true, f(*if_false))
        }
        Inst::Math(function, operands) => Inst::Math(
            *function,
            operands.iter().map(|operand| f(*operand)).collect(),
        ),
        Inst::Call(function, operands) => Inst::Call(
            *function,
            operands.iter().map(|operand| f(*operand)).collect(),
        ),
    }
}

/// The element size that sets a kernel's vector lane count: its widest non-bool value or
/// moving (non-uniform) buffer.
fn widest_element(kernel: &Kernel) -> usize {
    let values = kernel.values.values().map(|data| data.dtype);
    let bufs = kernel
        .bufs
        .values()
        .filter(|decl| !decl.uniform)
        .map(|decl| decl.dtype);
    values
        .chain(bufs)
        .filter(|dtype| *dtype != DType::Bool)
        .map(DType::size)
        .max()
        .unwrap_or(1)
}

/// Narrows `kernel` as the module comment describes; returns the dtype its arithmetic now
/// runs in, or `None` (kernel unchanged) when no narrowing shrinks its widest element.
/// Kernels with scalar functions are left alone.
pub fn narrow(kernel: &mut Kernel) -> Option<DType> {
    if !kernel.funcs.is_empty() {
        return None;
    }
    let ranges = ranges(kernel);
    let mut best: Option<(usize, DType, Kernel)> = None;
    let mut widest = widest_element(kernel);
    for target in [
        DType::I8,
        DType::U8,
        DType::I16,
        DType::U16,
        DType::I32,
        DType::U32,
    ] {
        if target.size() >= widest {
            break;
        }
        let plans = plan_for(kernel, &ranges, target);
        let multiplies = kernel.values.iter().any(|(value, data)| {
            plans[value.index()] == Plan::Narrow
                && matches!(data.inst, Inst::Binary(BinaryOp::Mul, ..))
        });
        if target.size() == 1 && multiplies {
            continue;
        }
        if !plans.contains(&Plan::Narrow) {
            continue;
        }
        let narrowed = rewrite(kernel, &plans, target);
        let size = widest_element(&narrowed);
        if size < widest {
            widest = size;
            best = Some((size, target, narrowed));
        }
    }
    let (_, target, narrowed) = best?;
    *kernel = narrowed;
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::super::verify::verify;
    use super::super::{BufRole, Effect, Inst, Kernel};
    use super::*;

    /// A kernel from `(dtype, inst)` lines whose `Load`s name input buffers of their dtype,
    /// storing the last value into an output of `out`.
    fn kernel(values: &[(DType, Inst)], out: DType) -> Kernel {
        let mut kernel = Kernel::new("k", 1);
        for (dtype, inst) in values {
            if let Inst::Load(buf) = inst {
                assert_eq!(kernel.add_buf(*dtype, BufRole::Input, false), *buf);
            }
            kernel.add_value(inst.clone(), *dtype);
        }
        let buf = kernel.add_buf(out, BufRole::Output, false);
        let value = ValueId::new(values.len() - 1);
        kernel.effects.push(Effect::Store { buf, value });
        verify(&kernel).unwrap();
        kernel
    }

    fn v(index: usize) -> ValueId {
        ValueId::new(index)
    }

    fn buf(index: u32) -> super::super::BufId {
        super::super::BufId::from_u32(index)
    }

    fn blend() -> Kernel {
        kernel(
            &[
                (DType::U8, Inst::Load(buf(0))),
                (DType::I32, Inst::Cast(v(0))),
                (DType::I32, Inst::Const(Scalar::I32(3))),
                (DType::I32, Inst::Binary(BinaryOp::Mul, v(1), v(2))),
                (DType::U8, Inst::Load(buf(1))),
                (DType::I32, Inst::Cast(v(4))),
                (DType::I32, Inst::Binary(BinaryOp::Add, v(3), v(5))),
                (DType::I32, Inst::Const(Scalar::I32(4))),
                (DType::I32, Inst::Binary(BinaryOp::FloorDiv, v(6), v(7))),
                (DType::U8, Inst::Cast(v(8))),
            ],
            DType::U8,
        )
    }

    #[test]
    fn ranges_follow_exact_results() {
        let ranges = ranges(&blend());
        let expected = [
            (0, 255),
            (0, 255),
            (3, 3),
            (0, 765),
            (0, 255),
            (0, 255),
            (0, 1020),
            (4, 4),
            (0, 255),
            (0, 255),
        ];
        for (range, (lo, hi)) in ranges.iter().zip(expected) {
            assert_eq!(*range, Some(Interval::new(lo, hi)));
        }
    }

    #[test]
    fn wrapping_operations_get_their_dtype_range() {
        // u8 * u8 in u8 may wrap; i64 negation of a u64-sized value too.
        let k = kernel(
            &[
                (DType::U8, Inst::Load(buf(0))),
                (DType::U8, Inst::Binary(BinaryOp::Mul, v(0), v(0))),
                (DType::I16, Inst::Cast(v(1))),
                (DType::I16, Inst::Binary(BinaryOp::Shl, v(2), v(2))),
                (DType::I16, Inst::Binary(BinaryOp::Mod, v(3), v(2))),
            ],
            DType::I16,
        );
        let ranges = ranges(&k);
        assert_eq!(ranges[1], Some(Interval::new(0, 255)));
        assert_eq!(ranges[2], Some(Interval::new(0, 255)));
        // Counts up to 255 exceed 16 bits: NumPy gives 0 there, so no exact interval.
        assert_eq!(ranges[3], Some(Interval::of_dtype(DType::I16)));
        // The divisor may be 0.
        assert_eq!(ranges[4], Some(Interval::of_dtype(DType::I16)));
    }

    #[test]
    fn interval_rules() {
        let i = Interval::new;
        let bin = |op, a, b| binary_range(op, a, b, DType::I64, DType::I64).unwrap();
        assert_eq!(bin(BinaryOp::Sub, i(0, 10), i(-3, 5)), Some(i(-5, 13)));
        assert_eq!(bin(BinaryOp::Mul, i(-2, 3), i(-7, 5)), Some(i(-21, 15)));
        assert_eq!(bin(BinaryOp::FloorDiv, i(-7, 7), i(2, 2)), Some(i(-4, 3)));
        assert_eq!(bin(BinaryOp::FloorDiv, i(-7, 7), i(-2, 3)), None);
        assert_eq!(bin(BinaryOp::Mod, i(-7, 7), i(4, 4)), Some(i(0, 3)));
        assert_eq!(bin(BinaryOp::Mod, i(0, 2), i(4, 9)), Some(i(0, 2)));
        assert_eq!(bin(BinaryOp::Mod, i(-7, 7), i(-4, -3)), Some(i(-3, 0)));
        assert_eq!(bin(BinaryOp::Shr, i(-8, 8), i(1, 70)), Some(i(-4, 4)));
        assert_eq!(bin(BinaryOp::Shl, i(-1, 3), i(0, 2)), Some(i(-4, 12)));
        assert_eq!(bin(BinaryOp::And, i(0, 12), i(0, 300)), Some(i(0, 12)));
        assert_eq!(bin(BinaryOp::Or, i(0, 12), i(1, 300)), Some(i(1, 511)));
        assert_eq!(bin(BinaryOp::Xor, i(-3, 12), i(0, 3)), Some(i(-16, 15)));
        assert_eq!(bin(BinaryOp::Pow, i(0, 2), i(0, 2)), None);
        // i128 overflow of a bound is "unknown", not a panic.
        let huge = i(0, u64::MAX as i128);
        assert_eq!(
            binary_range(BinaryOp::Mul, huge, huge, DType::U64, DType::U64),
            None
        );
        assert_eq!(
            unary_range(UnaryOp::Abs, i(-9, 4), DType::I64),
            Some(i(0, 9))
        );
        assert_eq!(
            unary_range(UnaryOp::Not, i(-9, 4), DType::I64),
            Some(i(-5, 8))
        );
        assert_eq!(unary_range(UnaryOp::Not, i(0, 4), DType::U64), None);
    }

    #[test]
    fn narrows_u8_blend_to_i16() {
        let mut k = blend();
        assert_eq!(narrow(&mut k), Some(DType::I16));
        verify(&k).unwrap();
        assert_eq!(
            k.to_string(),
            "kernel k rank=1 reduce=0
  buf0: in u8
  buf1: in u8
  buf2: out u8
  v0 = load buf0 : u8
  v1 = cast v0 : i16
  v2 = const 3 : i16
  v3 = mul v1 v2 : i16
  v4 = load buf1 : u8
  v5 = cast v4 : i16
  v6 = add v3 v5 : i16
  v7 = const 4 : i16
  v8 = floordiv v6 v7 : i16
  v9 = cast v8 : u8
  store buf2 <- v9
"
        );
    }

    #[test]
    fn keeps_what_does_not_fit() {
        // (a as i32) * 300 + b needs more than 16 bits, and the kernel's widest element is
        // the i32 store anyway.
        let mut k = kernel(
            &[
                (DType::U8, Inst::Load(buf(0))),
                (DType::I32, Inst::Cast(v(0))),
                (DType::I32, Inst::Const(Scalar::I32(300))),
                (DType::I32, Inst::Binary(BinaryOp::Mul, v(1), v(2))),
            ],
            DType::I32,
        );
        let before = k.clone();
        assert_eq!(narrow(&mut k), None);
        assert_eq!(k, before);
        // No 8-bit multiply: u8 * 2 computed in i16 stays there even though it fits u8.
        let mut k = kernel(
            &[
                (DType::U8, Inst::Load(buf(0))),
                (DType::I16, Inst::Cast(v(0))),
                (DType::I16, Inst::Const(Scalar::I16(2))),
                (DType::I16, Inst::Binary(BinaryOp::FloorDiv, v(1), v(2))),
                (DType::I16, Inst::Binary(BinaryOp::Mul, v(3), v(2))),
                (DType::U8, Inst::Cast(v(4))),
            ],
            DType::U8,
        );
        assert_eq!(narrow(&mut k), None);
        // A divisor that may be 0 keeps its division wide (the whole kernel, here).
        let mut k = kernel(
            &[
                (DType::U8, Inst::Load(buf(0))),
                (DType::I32, Inst::Cast(v(0))),
                (DType::U8, Inst::Load(buf(1))),
                (DType::I32, Inst::Cast(v(2))),
                (DType::I32, Inst::Binary(BinaryOp::FloorDiv, v(1), v(3))),
                (DType::U8, Inst::Cast(v(4))),
            ],
            DType::U8,
        );
        assert_eq!(narrow(&mut k), None);
    }

    #[test]
    fn comparisons_and_selects_narrow_with_their_operands() {
        let mut k = kernel(
            &[
                (DType::I16, Inst::Load(buf(0))),
                (DType::I64, Inst::Cast(v(0))),
                (DType::I64, Inst::Const(Scalar::I64(100))),
                (DType::Bool, Inst::Binary(BinaryOp::Gt, v(1), v(2))),
                (DType::I64, Inst::Binary(BinaryOp::Sub, v(1), v(2))),
                (DType::I64, Inst::Select(v(3), v(4), v(1))),
                (DType::I16, Inst::Cast(v(5))),
            ],
            DType::I16,
        );
        assert_eq!(narrow(&mut k), Some(DType::I32));
        verify(&k).unwrap();
        assert_eq!(
            k.to_string(),
            "kernel k rank=1 reduce=0
  buf0: in i16
  buf1: out i16
  v0 = load buf0 : i16
  v1 = cast v0 : i32
  v2 = const 100 : i32
  v3 = gt v1 v2 : bool
  v4 = sub v1 v2 : i32
  v5 = select v3 v4 v1 : i32
  v6 = cast v5 : i16
  store buf1 <- v6
"
        );
    }
}

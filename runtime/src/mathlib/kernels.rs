//! The math functions nx implements itself, written once as algorithms over `FloatOps`: plain
//! IEEE operations (add, sub, mul, div, sqrt, comparisons, selects) and integer bit manipulation of
//! the exponent, never a fused multiply-add and never a per-lane branch (only
//! `FloatOps::unless_none`, which skips work no lane needs). The runtime instantiates them
//! on `f64`/`f32` (`ScalarF64`, `ScalarF32`: the `nx_exp_f64` the interpreter and scalar JIT
//! code call); the JIT instantiates them on Cranelift values, scalar or 128-bit vectors, and so
//! emits the very same operations in the same order. Both give the same bits by construction.
//!
//! The algorithms (all classical, error bounds measured by `runtime/tests/accuracy/`, recorded in
//! `docs/ACCURACY.md`):
//! - `exp`: `x = k ln2 + r`, `|r| <= ln2/2` (Cody-Waite: `k ln2_hi` is exact, `r = r_hi - r_lo`
//!   is carried in two parts), `e^r = 1 + (r_hi - (r_lo - r^2 P(r)))`, then `2^k` applied as two
//!   exact powers of two so that results overflow to inf and underflow gradually to subnormals.
//! - `expm1`: `exp`'s reduction, `e^r - 1` without the polynomial's leading 1, then
//!   `2^k (e^r - 1) + (2^k - 1)`; far from 0, `exp` or -1.
//! - `sinh`: `(t + t/(t+1)) / 2`, `t = e^|x| - 1`; `cosh`: `(e + 1/e) / 2`, `e = e^|x|`; both
//!   `e^|x| / 2` scaled by `2^(k-1)` far out; one reduction and polynomial for all of it.
//! - `tanh`: `t / (t + 2)` with `t = expm1(2|x|)`, the sign put back; ±1 far out.
//! - `exp2`: `x = k + f`, `k = round(x)`, then `e^(f ln2)` by `exp`'s polynomial and scaling.
//! - `log1p`: `log(1 + x)` rounded, plus the first-order correction for that rounding.
//! - `log`: `x = 2^k m`, `m` in `[sqrt(1/2), sqrt(2))` read off the bits, `f = m - 1`,
//!   `s = f / (2 + f)`, `log(1 + f) = f - f^2/2 + s (f^2/2 + s^2 Q(s^2))`, plus `k ln2` in two
//!   parts; subnormal inputs are scaled by a power of two first.
//! - `log2`, `log10`: `log`'s reduction and polynomial, `log(m)` split as `hi + lo` so that
//!   `hi / ln b` is exact, plus `k log_b(2)` exact and the low-order terms (fdlibm's scheme):
//!   exactly `k` at `2^k`, exactly `j` at `10^j`.
//! - `cbrt`: `|x| = 2^(3q) a`, a polynomial estimate of `cbrt(a)` rounded short, one Halley
//!   step; the sign put back.
//! - `sin`, `cos`, `tan` (`trig.rs`): `|x| = (k + u) pi/2` by Cody-Waite up to `2^21` (f32:
//!   `2^12`), beyond by a straight-line Payne-Hanek reduction (a table of the digits of `2/pi`
//!   indexed by the exponent) exact enough for every float, run only when some lane needs it; `sin` and `cos` polynomials of `r = u pi/2` chosen
//!   and signed by `k mod 4`, `tan` their quotient.
//! - `atan`, `atan2`, `asin`, `acos` (`kernels/inverse_trig.rs`): one octant reduction to
//!   `|t| <= tan(pi/8)` and polynomial for `atan` and `atan2`; `asin(v) = v + v u R(u)`,
//!   `u = v^2 <= 1/4`, with `v = sqrt((1 - |x|)/2)` above 1/2, for `asin` and `acos`.
//! - `hypot` (`kernels/hypot.rs`): `sqrt(x^2 + y^2)` scaled by powers of two.
//!
//! The polynomial coefficients are near-minimax fits made by `fit.py` beside this file.
//!
//! Everything is `#[inline(always)]`: instantiated with a constant `Format`, the scalar
//! functions fold every constant and unroll every polynomial.

mod trig;
pub use trig::*;
mod hypot;
mod inverse_trig;

pub use hypot::hypot;
pub use inverse_trig::{acos, asin, atan, atan2};
mod pow;
pub use pow::*;

/// The operations the algorithms are written in. `Float` is a float (or a vector of floats),
/// `Int` an integer of the same width (unsigned, wrapping), `Mask` a per-lane condition.
pub trait FloatOps {
    type Float: Copy;
    type Int: Copy;
    type Mask: Copy;

    /// A float constant; `value` is exactly representable in the float type.
    fn float(&mut self, value: f64) -> Self::Float;
    /// An integer constant, truncated to the integer width.
    fn int(&mut self, value: u64) -> Self::Int;

    fn add(&mut self, a: Self::Float, b: Self::Float) -> Self::Float;
    fn sub(&mut self, a: Self::Float, b: Self::Float) -> Self::Float;
    fn mul(&mut self, a: Self::Float, b: Self::Float) -> Self::Float;
    fn div(&mut self, a: Self::Float, b: Self::Float) -> Self::Float;
    /// The square root, correctly rounded (IEEE); nan below 0.
    fn sqrt(&mut self, a: Self::Float) -> Self::Float;

    /// `a < b` (false with nan).
    fn less(&mut self, a: Self::Float, b: Self::Float) -> Self::Mask;
    /// `a > b` (false with nan).
    fn greater(&mut self, a: Self::Float, b: Self::Float) -> Self::Mask;
    /// `a == b` (false with nan).
    fn equal(&mut self, a: Self::Float, b: Self::Float) -> Self::Mask;
    /// Whether `a` is nan.
    fn is_nan(&mut self, a: Self::Float) -> Self::Mask;
    /// `if mask { if_true } else { if_false }`.
    fn select(
        &mut self,
        mask: Self::Mask,
        if_true: Self::Float,
        if_false: Self::Float,
    ) -> Self::Float;

    fn to_bits(&mut self, a: Self::Float) -> Self::Int;
    fn float_with_bits(&mut self, a: Self::Int) -> Self::Float;
    /// Wrapping.
    fn int_add(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    fn int_and(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    fn int_or(&mut self, a: Self::Int, b: Self::Int) -> Self::Int;
    /// Shift left by a constant amount below the width.
    fn shift_left(&mut self, a: Self::Int, amount: u32) -> Self::Int;
    /// Logical shift right by a constant amount below the width.
    fn shift_right(&mut self, a: Self::Int, amount: u32) -> Self::Int;
    /// `table[min(index + offset, len - 1)]` in each lane (`index + offset` wrapping at the
    /// integer width): an indexed load (a gather on vectors), clamped so that any index is safe.
    fn lookup(&mut self, table: Table, index: Self::Int, offset: u32) -> Self::Float;
    /// `if_any(self)` if any lane of `mask` is set, else `otherwise`: skips work that no lane
    /// needs without a per-lane branch (JIT code branches once per vector). `if_any` must give
    /// `otherwise` on the lanes where `mask` is clear.
    fn unless_none<const N: usize>(
        &mut self,
        mask: Self::Mask,
        otherwise: [Self::Float; N],
        if_any: impl FnOnce(&mut Self) -> [Self::Float; N],
    ) -> [Self::Float; N];
}

/// Constants the algorithms read at computed indices, in the float type of the one
/// instantiation that reads them (each format has its own tables).
#[derive(Clone, Copy, Debug)]
pub enum Table {
    F64(&'static [f64]),
    F32(&'static [f32]),
}

/// The functions implemented here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Exp,
    Exp2,
    Expm1,
    Sinh,
    Cosh,
    Tanh,
    Log,
    Log1p,
    Log2,
    Log10,
    Cbrt,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
}

impl Function {
    /// Every function, in declaration order (`index`).
    pub const ALL: [Function; 17] = [
        Function::Exp,
        Function::Exp2,
        Function::Expm1,
        Function::Sinh,
        Function::Cosh,
        Function::Tanh,
        Function::Log,
        Function::Log1p,
        Function::Log2,
        Function::Log10,
        Function::Cbrt,
        Function::Sin,
        Function::Cos,
        Function::Tan,
        Function::Asin,
        Function::Acos,
        Function::Atan,
    ];

    /// The function's position in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name in the math library: `"exp"`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Exp => "exp",
            Function::Exp2 => "exp2",
            Function::Expm1 => "expm1",
            Function::Sinh => "sinh",
            Function::Cosh => "cosh",
            Function::Tanh => "tanh",
            Function::Log => "log",
            Function::Log1p => "log1p",
            Function::Log2 => "log2",
            Function::Log10 => "log10",
            Function::Cbrt => "cbrt",
            Function::Sin => "sin",
            Function::Cos => "cos",
            Function::Tan => "tan",
            Function::Asin => "asin",
            Function::Acos => "acos",
            Function::Atan => "atan",
        }
    }

    /// The function called `name` in the math library (`"exp"`), if implemented here.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|function| function.name() == name)
    }

    /// The bound on `|x|` below which (inclusive) the function takes its cheap path, when it
    /// has one: with `Format::in_cheap_domain`, the algorithm computes only that path, which
    /// then gives the same bits as the general code for every such `x` (`blocks.rs` checks a
    /// block's arguments first, so that its loop has no branch and vectorizes).
    #[inline(always)]
    pub fn cheap_domain_bound(self, format: &Format) -> Option<f64> {
        match self {
            Function::Sin | Function::Cos | Function::Tan => Some(trig::cheap_bound(format)),
            _ => None,
        }
    }

    #[inline(always)]
    pub fn apply<O: FloatOps>(self, ops: &mut O, format: &Format, x: O::Float) -> O::Float {
        match self {
            Function::Exp => exp(ops, format, x),
            Function::Exp2 => exp2(ops, format, x),
            Function::Expm1 => expm1(ops, format, x),
            Function::Sinh => sinh(ops, format, x),
            Function::Cosh => cosh(ops, format, x),
            Function::Tanh => tanh(ops, format, x),
            Function::Log => log(ops, format, x),
            Function::Log1p => log1p(ops, format, x),
            Function::Log2 => log2(ops, format, x),
            Function::Log10 => log10(ops, format, x),
            Function::Cbrt => cbrt(ops, format, x),
            Function::Sin => sin(ops, format, x),
            Function::Cos => cos(ops, format, x),
            Function::Tan => tan(ops, format, x),
            Function::Asin => asin(ops, format, x),
            Function::Acos => acos(ops, format, x),
            Function::Atan => atan(ops, format, x),
        }
    }
}

/// The two-operand functions implemented here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryFunction {
    Atan2,
    Hypot,
    Pow,
}

impl BinaryFunction {
    /// Every two-operand function, in declaration order (`index`).
    pub const ALL: [BinaryFunction; 3] = [
        BinaryFunction::Atan2,
        BinaryFunction::Hypot,
        BinaryFunction::Pow,
    ];

    /// The function's position in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Its name in the math library: `"pow"`.
    pub fn name(self) -> &'static str {
        match self {
            BinaryFunction::Atan2 => "atan2",
            BinaryFunction::Hypot => "hypot",
            BinaryFunction::Pow => "pow",
        }
    }

    /// The function called `name` in the math library (`"atan2"`), if implemented here.
    pub fn from_name(name: &str) -> Option<BinaryFunction> {
        BinaryFunction::ALL
            .into_iter()
            .find(|function| function.name() == name)
    }

    /// The function of `(x, y)` in the math library's argument order (`atan2(y, x)` is the
    /// library's `atan2(x, y)` here).
    #[inline(always)]
    pub fn apply<O: FloatOps>(
        self,
        ops: &mut O,
        format: &Format,
        x: O::Float,
        y: O::Float,
    ) -> O::Float {
        match self {
            BinaryFunction::Atan2 => atan2(ops, format, x, y),
            BinaryFunction::Hypot => hypot(ops, format, x, y),
            BinaryFunction::Pow => pow(ops, format, x, y),
        }
    }
}

/// What the algorithms need to know of a float format, and its constants.
pub struct Format {
    /// Every argument lies within its function's `Function::cheap_domain_bound`: the
    /// algorithms compute only their cheap path (`in_cheap_domain`).
    cheap_domain_only: bool,
    /// Explicit mantissa bits: 52 or 23.
    mantissa_bits: u32,
    /// 1023 or 127.
    exponent_bias: u64,
    /// `1.5 * 2^mantissa_bits`: adding it rounds a float of magnitude below
    /// `2^(mantissa_bits - 1)` to an integer, which then sits in the low mantissa bits.
    round_shift: f64,
    /// `ln 2` as `ln2_hi + ln2_lo`, `ln2_hi` with enough trailing zero bits that `k * ln2_hi`
    /// is exact for every `k` the algorithms meet.
    ln2_hi: f64,
    ln2_lo: f64,
    inv_ln2: f64,
    /// `exp(x)` is inf above this (the largest float whose exp is finite).
    exp_overflow: f64,
    /// `exp(x)` is 0 below this.
    exp_underflow: f64,
    /// `exp2(x)` is inf above this (the float below `2^(max exponent + 1)`'s exponent), and 0
    /// below this (the float above the exponent of half the smallest subnormal, whose power
    /// of two rounds to 0).
    exp2_overflow: f64,
    exp2_underflow: f64,
    /// `tanh(x)` rounds to 1 for `|x|` above this (and `expm1(2|x|)` stays finite below).
    tanh_saturation: f64,
    /// Above this `|x|`, `sinh` and `cosh` are `e^|x| / 2` to within half an ulp; above the
    /// second they overflow.
    hyperbolic_large: f64,
    hyperbolic_overflow: f64,
    /// `P` of `exp`, lowest degree first.
    exp_coefficients: &'static [f64],
    /// `Q` of `log`, lowest degree first.
    log_coefficients: &'static [f64],
    /// The smallest normal number, and a power of two that makes any subnormal normal.
    min_normal: f64,
    subnormal_scale: f64,
    subnormal_scale_log2: f64,
    /// The bits of `sqrt(1/2)` rounded.
    sqrt_half_bits: u64,
    /// The bits of `2^mantissa_bits`: or-ing a small integer into them gives
    /// `2^mantissa_bits + integer` exactly.
    integer_magic_bits: u64,
    /// The sign bit.
    sign_bit: u64,
    /// Clears the low mantissa bits of `log2`'s and `log10`'s `hi = f - f^2/2` (32 of f64's,
    /// 12 of f32's), so that `hi` times the `_hi` constants below is exact.
    log_split_mask: u64,
    /// `1/ln 2`, `1/ln 10` and `log10 2` as `hi + lo`, each `hi` with few enough bits that its
    /// products with `hi` above (the first two) or with any exponent `k` (the third) are exact.
    inv_ln2_split: (f64, f64),
    inv_ln10_split: (f64, f64),
    log10_2_split: (f64, f64),
    /// `P` of `cbrt(1 + f)` for `1 + f` in `[sqrt(1/2), sqrt(2))`, lowest degree first.
    cbrt_coefficients: &'static [f64],
    /// `2^(1/3)` and `2^(-1/3)` rounded.
    cbrt_2: f64,
    cbrt_half: f64,
    /// Clears the low mantissa bits of `cbrt`'s estimate before its last step (28 of f64's,
    /// 12 of f32's), so that the estimate squared is exact; `cbrt_round_bit` (half the
    /// cleared range) is added first, rounding to nearest.
    cbrt_round_mask: u64,
    cbrt_round_bit: u64,
}

impl Format {
    /// The format for arguments that all lie within their function's cheap domain
    /// (`Function::cheap_domain_bound`, nan excluded): other arguments give wrong results.
    pub const fn in_cheap_domain(self) -> Format {
        Format {
            cheap_domain_only: true,
            ..self
        }
    }
}

pub const F64: Format = Format {
    cheap_domain_only: false,
    mantissa_bits: 52,
    exponent_bias: 1023,
    round_shift: 6755399441055744.0,
    ln2_hi: 0.6931467056274414,
    ln2_lo: 4.7493250390316726e-07,
    inv_ln2: std::f64::consts::LOG2_E,
    exp_overflow: 709.782712893384,
    exp_underflow: -745.1332191019412,
    exp2_overflow: 1023.9999999999999,
    exp2_underflow: -1074.9999999999998,
    tanh_saturation: 22.0,
    hyperbolic_large: 22.0,
    hyperbolic_overflow: 710.4758600739439,
    exp_coefficients: &[
        0.5,
        0.16666666666666433,
        0.04166666666660399,
        0.008333333333499927,
        0.0013888888926780044,
        0.0001984126946641069,
        2.4801508705163346e-05,
        2.7557640750843134e-06,
        2.762517703523429e-07,
        2.497839604215026e-08,
    ],
    log_coefficients: &[
        0.6666666666666734,
        0.3999999999941466,
        0.2857142874239106,
        0.2222219857287634,
        0.18183564340485855,
        0.15314050216476033,
        0.14795952807829316,
    ],
    min_normal: f64::MIN_POSITIVE,
    subnormal_scale: 18014398509481984.0,
    subnormal_scale_log2: 54.0,
    sqrt_half_bits: 0x3fe6_a09e_667f_3bcd,
    integer_magic_bits: 0x4330_0000_0000_0000,
    sign_bit: 1 << 63,
    log_split_mask: !0 << 32,
    inv_ln2_split: (1.4426950407214463, 1.6751713164886512e-10),
    inv_ln10_split: (0.4342944818781689, 2.5082946711645275e-11),
    log10_2_split: (0.3010299956640665, -8.532344317057107e-14),
    cbrt_coefficients: &[
        1.0000000138302472,
        0.33333380296495624,
        -0.11111476211955157,
        0.06168922871937704,
        -0.040976428208515187,
        0.03093273473170452,
        -0.026460461553631732,
        0.01603403303138764,
    ],
    cbrt_2: 1.2599210498948732,
    cbrt_half: 0.7937005259840998,
    cbrt_round_mask: !0 << 28,
    cbrt_round_bit: 1 << 27,
};

pub const F32: Format = Format {
    cheap_domain_only: false,
    mantissa_bits: 23,
    exponent_bias: 127,
    round_shift: 12582912.0,
    ln2_hi: 0.693115234375,
    ln2_lo: 3.194618329871446e-05,
    inv_ln2: std::f32::consts::LOG2_E as f64,
    exp_overflow: 88.72283172607422,
    exp_underflow: -103.97207641601562,
    exp2_overflow: 127.99999237060547,
    exp2_underflow: -149.99998474121094,
    tanh_saturation: 10.0,
    hyperbolic_large: 10.0,
    hyperbolic_overflow: 89.41598510742188,
    exp_coefficients: &[
        0.5,
        0.16666534543037415,
        0.041667237877845764,
        0.008367476984858513,
        0.001386379823088646,
    ],
    log_coefficients: &[
        0.6666666269302368,
        0.4000033438205719,
        0.28537309169769287,
        0.23582157492637634,
    ],
    min_normal: f32::MIN_POSITIVE as f64,
    subnormal_scale: 33554432.0,
    subnormal_scale_log2: 25.0,
    sqrt_half_bits: 0x3f35_04f3,
    integer_magic_bits: 0x4b00_0000,
    sign_bit: 1 << 31,
    log_split_mask: !0 << 12,
    inv_ln2_split: (1.44287109375, -0.00017605285393074155),
    inv_ln10_split: (0.434326171875, -3.168997136526741e-05),
    log10_2_split: (0.30103302001953125, -3.024355464731343e-06),
    cbrt_coefficients: &[
        1.000069260597229,
        0.33362245559692383,
        -0.11571621149778366,
        0.058219823986291885,
    ],
    cbrt_2: 1.2599210739135742,
    cbrt_half: 0.7937005162239075,
    cbrt_round_mask: !0 << 12,
    cbrt_round_bit: 1 << 11,
};

/// `c[first] + c[first + 2] u + c[first + 4] u^2 + ...` by Horner's rule.
#[inline(always)]
fn horner_every_other<O: FloatOps>(
    ops: &mut O,
    u: O::Float,
    coefficients: &[f64],
    first: usize,
) -> O::Float {
    let last = first + (coefficients.len() - 1 - first) / 2 * 2;
    let mut accumulator = ops.float(coefficients[last]);
    let mut index = last;
    while index > first {
        index -= 2;
        let product = ops.mul(accumulator, u);
        let constant = ops.float(coefficients[index]);
        accumulator = ops.add(product, constant);
    }
    accumulator
}

/// `c[0] + c[1] t + c[2] t^2 + ...` as `E(t^2) + t O(t^2)`: the even and odd coefficients by
/// Horner's rule in `t^2`, two independent dependency chains of half the length of one
/// Horner chain, whose latency is what bounds a 128-bit vector loop's throughput.
#[inline(always)]
fn polynomial<O: FloatOps>(ops: &mut O, t: O::Float, coefficients: &[f64]) -> O::Float {
    let t2 = ops.mul(t, t);
    let even = horner_every_other(ops, t2, coefficients, 0);
    let odd = horner_every_other(ops, t2, coefficients, 1);
    let odd_t = ops.mul(odd, t);
    ops.add(even, odd_t)
}

/// `2^k` for an integer-valued float `k` with `|k| < 2^(mantissa_bits - 1)` whose power is a
/// normal number: the rounding shift puts `k` in the low bits; adding the bias and shifting
/// into the exponent field drops everything above.
#[inline(always)]
fn power_of_two<O: FloatOps>(ops: &mut O, format: &Format, k: O::Float) -> O::Float {
    let shift = ops.float(format.round_shift);
    let shifted = ops.add(k, shift);
    let bits = ops.to_bits(shifted);
    let bias = ops.int(format.exponent_bias);
    let biased = ops.int_add(bits, bias);
    let exponent = ops.shift_left(biased, format.mantissa_bits);
    ops.float_with_bits(exponent)
}

/// `e^x`.
#[inline(always)]
pub fn exp<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (k, r_hi, r_lo) = reduce_by_ln2(ops, format, x);
    let limits = (format.exp_overflow, format.exp_underflow);
    exp_reduced(ops, format, x, k, r_hi, r_lo, limits)
}

/// `x = k ln2 + (r_hi - r_lo)` with `k = round(x / ln2)` (a float) and `r_hi` exact
/// (Cody-Waite: `k ln2_hi` is exact).
#[inline(always)]
fn reduce_by_ln2<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    x: O::Float,
) -> (O::Float, O::Float, O::Float) {
    let inv_ln2 = ops.float(format.inv_ln2);
    let shift = ops.float(format.round_shift);
    let scaled = ops.mul(x, inv_ln2);
    let shifted = ops.add(scaled, shift);
    let k = ops.sub(shifted, shift);
    let ln2_hi = ops.float(format.ln2_hi);
    let ln2_lo = ops.float(format.ln2_lo);
    let k_ln2_hi = ops.mul(k, ln2_hi);
    let r_hi = ops.sub(x, k_ln2_hi);
    let r_lo = ops.mul(k, ln2_lo);
    (k, r_hi, r_lo)
}

/// `e^r - 1` for `r = r_hi - r_lo`, `|r| <= ln2/2`: `r_hi - (r_lo - r^2 P(r))`, as accurate
/// relative to itself as `r` is.
#[inline(always)]
fn exp_minus_one_reduced<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    r_hi: O::Float,
    r_lo: O::Float,
) -> O::Float {
    let r = ops.sub(r_hi, r_lo);
    let r2 = ops.mul(r, r);
    let p = polynomial(ops, r, format.exp_coefficients);
    let tail = ops.mul(r2, p);
    let low = ops.sub(r_lo, tail);
    ops.sub(r_hi, low)
}

/// `value 2^k` for integral `k` up to the exponent range plus one, as `2^k1 * 2^k2`,
/// `k1 = round(k / 2)`: each factor is normal, so the first product is exact and the second
/// rounds once (overflowing to inf, or gradually underflowing).
#[inline(always)]
fn scale_by_power_of_two<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    value: O::Float,
    k: O::Float,
) -> O::Float {
    let shift = ops.float(format.round_shift);
    let half = ops.float(0.5);
    let half_k = ops.mul(k, half);
    let half_k_shifted = ops.add(half_k, shift);
    let k1 = ops.sub(half_k_shifted, shift);
    let k2 = ops.sub(k, k1);
    let scale1 = power_of_two(ops, format, k1);
    let scale2 = power_of_two(ops, format, k2);
    let scaled_once = ops.mul(value, scale1);
    ops.mul(scaled_once, scale2)
}

/// `e^x - 1`, accurate near 0: with `exp`'s reduction `x = k ln2 + r` and `s = e^r - 1`
/// (the polynomial without its leading 1, so `s` is as accurate relative to itself as `r`
/// is), `e^x - 1 = 2^k s + (2^k - 1)`, where `2^k - 1` is exact for `|k| <= 53` and off by less
/// than half an ulp of the result up to the `|k| <= 60` used here. Beyond, `e^x - 1` is `e^x`
/// rounded (`k > 60`) or `-1` (`k < -60`).
#[inline(always)]
pub fn expm1<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (k, r_hi, r_lo) = reduce_by_ln2(ops, format, x);
    let s = exp_minus_one_reduced(ops, format, r_hi, r_lo);
    let near = expm1_near(ops, format, k, s);
    // Far from 0 the answer is `e^x` (the same bits as `exp`), or -1.
    let one = ops.float(1.0);
    let exp_r = ops.add(one, s);
    let far = scale_by_power_of_two(ops, format, exp_r, k);
    let limit = ops.float(60.0);
    let neg_limit = ops.float(-60.0);
    let big = ops.greater(k, limit);
    let result = ops.select(big, far, near);
    let minus_one = ops.float(-1.0);
    let small = ops.less(k, neg_limit);
    let result = ops.select(small, minus_one, result);
    // Nan flows through; +inf overflows; -inf is below every `k` limit.
    let infinity = ops.float(f64::INFINITY);
    let overflow = ops.float(format.exp_overflow);
    let too_big = ops.greater(x, overflow);
    ops.select(too_big, infinity, result)
}

/// `2^k (1 + s) - 1 = 2^k s + (2^k - 1)` for `s = e^r - 1`, meaningful for `|k| <= 60` (`k` is
/// clamped there so that `2^k` is a normal power of two; other lanes get a value to replace).
#[inline(always)]
fn expm1_near<O: FloatOps>(ops: &mut O, format: &Format, k: O::Float, s: O::Float) -> O::Float {
    let limit = ops.float(60.0);
    let neg_limit = ops.float(-60.0);
    let big = ops.greater(k, limit);
    let clamped = ops.select(big, limit, k);
    let small = ops.less(clamped, neg_limit);
    let clamped = ops.select(small, neg_limit, clamped);
    let scale = power_of_two(ops, format, clamped);
    let one = ops.float(1.0);
    let scale_minus_one = ops.sub(scale, one);
    let scaled_s = ops.mul(scale, s);
    let near = ops.add(scaled_s, scale_minus_one);
    // At k = 0 that is `s + 0`, which would lose the sign of `expm1(-0.0)`.
    let zero = ops.float(0.0);
    let k_is_zero = ops.equal(k, zero);
    ops.select(k_is_zero, s, near)
}

/// `sinh x`: with `t = e^|x| - 1`, `(t + t / (t + 1)) / 2` (no cancellation: `t >= 0`) up to
/// `format.hyperbolic_large`; above, `e^|x| / 2`, scaled by `2^(k-1)` so that it stays finite
/// past `exp`'s overflow threshold. One reduction and one polynomial serve both. The sign is
/// put back; zeros return themselves.
#[inline(always)]
pub fn sinh<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (negative, magnitude) = sign_and_magnitude(ops, x);
    let (k, s) = exp_of_magnitude(ops, format, magnitude);
    let t = expm1_near(ops, format, k, s);
    let one = ops.float(1.0);
    let t_plus_one = ops.add(t, one);
    let ratio = ops.div(t, t_plus_one);
    let sum = ops.add(t, ratio);
    let half = ops.float(0.5);
    let near = ops.mul(sum, half);
    let far = half_exp_reduced(ops, format, k, s);
    let positive = hyperbolic_select(ops, format, magnitude, near, far);
    odd_result(ops, x, negative, positive)
}

/// `cosh x`: with `e = e^|x|`, `(e + 1/e) / 2` up to `format.hyperbolic_large` (both terms
/// positive: no cancellation); above, `e^|x| / 2` as for `sinh`. `cosh` is even.
#[inline(always)]
pub fn cosh<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (_, magnitude) = sign_and_magnitude(ops, x);
    let (k, s) = exp_of_magnitude(ops, format, magnitude);
    let one = ops.float(1.0);
    let exp_r = ops.add(one, s);
    let e = scale_by_power_of_two(ops, format, exp_r, k);
    let inverse = ops.div(one, e);
    let sum = ops.add(e, inverse);
    let half = ops.float(0.5);
    let near = ops.mul(sum, half);
    let far = half_exp_reduced(ops, format, k, s);
    hyperbolic_select(ops, format, magnitude, near, far)
}

/// Whether `x < 0`, and `|x|` (nan stays nan).
#[inline(always)]
fn sign_and_magnitude<O: FloatOps>(ops: &mut O, x: O::Float) -> (O::Mask, O::Float) {
    let zero = ops.float(0.0);
    let negative = ops.less(x, zero);
    let negated = ops.sub(zero, x);
    (negative, ops.select(negative, negated, x))
}

/// An odd function's value at `x` from its value at `|x|`: negated for negative `x`, and `x`
/// itself at ±0 (keeping the sign of `-0.0`).
#[inline(always)]
fn odd_result<O: FloatOps>(
    ops: &mut O,
    x: O::Float,
    negative: O::Mask,
    positive: O::Float,
) -> O::Float {
    let zero = ops.float(0.0);
    let flipped = ops.sub(zero, positive);
    let signed = ops.select(negative, flipped, positive);
    let is_zero = ops.equal(x, zero);
    ops.select(is_zero, x, signed)
}

/// `k` and `s = e^r - 1` with `m = k ln2 + r`: the pieces `sinh` and `cosh` build on.
#[inline(always)]
fn exp_of_magnitude<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    magnitude: O::Float,
) -> (O::Float, O::Float) {
    let (k, r_hi, r_lo) = reduce_by_ln2(ops, format, magnitude);
    (k, exp_minus_one_reduced(ops, format, r_hi, r_lo))
}

/// `e^m / 2 = (1 + s) 2^(k-1)` from `m`'s reduction: finite wherever the result is.
#[inline(always)]
fn half_exp_reduced<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    k: O::Float,
    s: O::Float,
) -> O::Float {
    let one = ops.float(1.0);
    let exp_r = ops.add(one, s);
    let k_minus_one = ops.sub(k, one);
    scale_by_power_of_two(ops, format, exp_r, k_minus_one)
}

/// `near` up to `format.hyperbolic_large`, then `far`, then inf past the overflow threshold
/// (where the reduction is meaningless) for a magnitude `m >= 0` (nan flows through).
#[inline(always)]
fn hyperbolic_select<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    magnitude: O::Float,
    near: O::Float,
    far: O::Float,
) -> O::Float {
    let large = ops.float(format.hyperbolic_large);
    let is_large = ops.greater(magnitude, large);
    let result = ops.select(is_large, far, near);
    let overflow = ops.float(format.hyperbolic_overflow);
    let too_big = ops.greater(magnitude, overflow);
    let infinity = ops.float(f64::INFINITY);
    ops.select(too_big, infinity, result)
}

/// `tanh x = t / (t + 2)` with `t = expm1(2|x|)` (no cancellation anywhere: `t >= 0`), the
/// sign of `x` put back, and `±1` once `|x|` passes `format.tanh_saturation` (where the
/// quotient rounds to 1). Zeros return themselves (keeping the sign of `-0.0`).
#[inline(always)]
pub fn tanh<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (negative, magnitude) = sign_and_magnitude(ops, x);
    let twice = ops.add(magnitude, magnitude);
    let t = expm1(ops, format, twice);
    let two = ops.float(2.0);
    let denominator = ops.add(t, two);
    let quotient = ops.div(t, denominator);
    let one = ops.float(1.0);
    let saturation = ops.float(format.tanh_saturation);
    let saturated = ops.greater(magnitude, saturation);
    let positive = ops.select(saturated, one, quotient);
    odd_result(ops, x, negative, positive)
}

/// `2^x`: `x = k + f`, `k = round(x)` and `f = x - k` exact (`|f| <= 1/2`), then
/// `2^f = e^(f ln2)` with `r = f ln2` rounded once (`|r| <= ln2/2`, the range of `exp`'s
/// polynomial; the rounding moves the result by at most `|r| 2^-p`, well under 0.1 ulp).
#[inline(always)]
pub fn exp2<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let shift = ops.float(format.round_shift);
    let shifted = ops.add(x, shift);
    let k = ops.sub(shifted, shift);
    let f = ops.sub(x, k);
    let ln2 = ops.float(std::f64::consts::LN_2);
    let r_hi = ops.mul(f, ln2);
    let r_lo = ops.float(0.0);
    let limits = (format.exp2_overflow, format.exp2_underflow);
    exp_reduced(ops, format, x, k, r_hi, r_lo, limits)
}

/// `e^(r_hi - r_lo) 2^k` for the reduction of `x` (`|r_hi - r_lo| <= ln2/2`), inf above
/// `limits.0` and 0 below `limits.1`.
#[inline(always)]
fn exp_reduced<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    x: O::Float,
    k: O::Float,
    r_hi: O::Float,
    r_lo: O::Float,
    (overflow, underflow): (f64, f64),
) -> O::Float {
    let sum = exp_minus_one_reduced(ops, format, r_hi, r_lo);
    let one = ops.float(1.0);
    let exp_r = ops.add(one, sum);
    let result = scale_by_power_of_two(ops, format, exp_r, k);
    // Out of range (and ±inf) the reduction above is meaningless: select the limits. Nan
    // flows through the arithmetic and comes out quieted, as `x + x`.
    let overflow = ops.float(overflow);
    let underflow = ops.float(underflow);
    let infinity = ops.float(f64::INFINITY);
    let zero = ops.float(0.0);
    let too_big = ops.greater(x, overflow);
    let result = ops.select(too_big, infinity, result);
    let too_small = ops.less(x, underflow);
    ops.select(too_small, zero, result)
}

/// The natural logarithm.
#[inline(always)]
pub fn log<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (k, m) = exponent_and_mantissa(ops, format, x);
    // log(m) = log(1 + f) = f - hfsq + s (hfsq + R), R = z Q(z), z = s^2, s = f / (2 + f).
    let one = ops.float(1.0);
    let f = ops.sub(m, one);
    let (hfsq, s_term) = log_tail(ops, format, f);
    let ln2_lo = ops.float(format.ln2_lo);
    let ln2_hi = ops.float(format.ln2_hi);
    let k_ln2_lo = ops.mul(k, ln2_lo);
    let low = ops.add(s_term, k_ln2_lo);
    let correction = ops.sub(hfsq, low);
    let log_m = ops.sub(f, correction);
    let k_ln2_hi = ops.mul(k, ln2_hi);
    let result = ops.add(k_ln2_hi, log_m);
    log_special_values(ops, x, result)
}

/// `x = 2^k m` for finite `x > 0`, with `m` in `[sqrt(1/2), sqrt(2))` and `k` an integer,
/// both floats (subnormals included); meaningless for other `x`.
#[inline(always)]
fn exponent_and_mantissa<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    x: O::Float,
) -> (O::Float, O::Float) {
    // Subnormals are scaled into the normal range; `k` is corrected below.
    let min_normal = ops.float(format.min_normal);
    let is_subnormal = ops.less(x, min_normal);
    let subnormal_scale = ops.float(format.subnormal_scale);
    let scaled_x = ops.mul(x, subnormal_scale);
    let normal_x = ops.select(is_subnormal, scaled_x, x);
    // x = 2^k m with m in [sqrt(1/2), sqrt(2)): adding `bits(1) - bits(sqrt(1/2))` to the bits
    // of x makes the exponent field `k + bias`, and the mantissa field plus `bits(sqrt(1/2))`
    // is the bits of m.
    let bits = ops.to_bits(normal_x);
    let one_bits = format.exponent_bias << format.mantissa_bits;
    let offset = ops.int(one_bits.wrapping_sub(format.sqrt_half_bits));
    let offset_bits = ops.int_add(bits, offset);
    let biased_exponent = ops.shift_right(offset_bits, format.mantissa_bits);
    let mantissa_mask = ops.int((1u64 << format.mantissa_bits) - 1);
    let mantissa = ops.int_and(offset_bits, mantissa_mask);
    let sqrt_half = ops.int(format.sqrt_half_bits);
    let m_bits = ops.int_add(mantissa, sqrt_half);
    let m = ops.float_with_bits(m_bits);
    // k as a float: the biased exponent in the low bits of 2^mantissa_bits, minus
    // 2^mantissa_bits and the bias (and the subnormal scaling), all exact.
    let two_pow_mantissa = (1u64 << format.mantissa_bits) as f64;
    let magic = ops.int(format.integer_magic_bits);
    let k_bits = ops.int_or(magic, biased_exponent);
    let k_plus_magic = ops.float_with_bits(k_bits);
    let normal_bias = ops.float(two_pow_mantissa + format.exponent_bias as f64);
    let subnormal_bias =
        ops.float(two_pow_mantissa + format.exponent_bias as f64 + format.subnormal_scale_log2);
    let bias = ops.select(is_subnormal, subnormal_bias, normal_bias);
    let k = ops.sub(k_plus_magic, bias);
    (k, m)
}

/// For `log(1 + f) = f - hfsq + s (hfsq + R)` (`s = f / (2 + f)`, `z = s^2`, `R = z Q(z)`):
/// `hfsq = f^2 / 2` and `s (hfsq + R)`.
#[inline(always)]
fn log_tail<O: FloatOps>(ops: &mut O, format: &Format, f: O::Float) -> (O::Float, O::Float) {
    let two = ops.float(2.0);
    let half = ops.float(0.5);
    let two_plus_f = ops.add(two, f);
    let s = ops.div(f, two_plus_f);
    let z = ops.mul(s, s);
    let q = polynomial(ops, z, format.log_coefficients);
    let r = ops.mul(z, q);
    let half_f = ops.mul(half, f);
    let hfsq = ops.mul(half_f, f);
    let hfsq_plus_r = ops.add(hfsq, r);
    let s_term = ops.mul(s, hfsq_plus_r);
    (hfsq, s_term)
}

/// A logarithm's special values, as libm: -inf at ±0, nan below 0, inf at inf, nan stays
/// (quieted); `result` elsewhere.
#[inline(always)]
fn log_special_values<O: FloatOps>(ops: &mut O, x: O::Float, result: O::Float) -> O::Float {
    let zero = ops.float(0.0);
    let infinity = ops.float(f64::INFINITY);
    let minus_infinity = ops.float(f64::NEG_INFINITY);
    let nan = ops.float(f64::NAN);
    let is_zero = ops.equal(x, zero);
    let result = ops.select(is_zero, minus_infinity, result);
    let is_negative = ops.less(x, zero);
    let result = ops.select(is_negative, nan, result);
    let is_infinite = ops.equal(x, infinity);
    let result = ops.select(is_infinite, infinity, result);
    let is_nan = ops.is_nan(x);
    let quiet = ops.add(x, x);
    ops.select(is_nan, quiet, result)
}

/// `log2 x = k + log(m) / ln 2`: exactly `k` at `x = 2^k`.
#[inline(always)]
pub fn log2<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    log_in_base(ops, format, x, format.inv_ln2_split, None)
}

/// `log10 x = k log10(2) + log(m) / ln 10`: exactly `j` at `x = 10^j` (for every `10^j` the
/// format holds exactly).
#[inline(always)]
pub fn log10<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    log_in_base(
        ops,
        format,
        x,
        format.inv_ln10_split,
        Some(format.log10_2_split),
    )
}

/// `k log_b(2) + log(m) / ln b` (fdlibm's `log2`/`log10` scheme): `log(m)` as `hi + lo`, `hi`
/// the leading bits of `f - f^2/2` so that `hi * inv_ln_hi` is exact, the rest in `lo`; then
/// `k log_b(2)` (exact: `k` itself, or `k * log_b2_hi`) plus that product in extra precision,
/// all the low-order terms added last. Without `k_scale`, `log_b(2)` is 1.
#[inline(always)]
fn log_in_base<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    x: O::Float,
    (inv_ln_hi, inv_ln_lo): (f64, f64),
    k_scale: Option<(f64, f64)>,
) -> O::Float {
    let (k, m) = exponent_and_mantissa(ops, format, x);
    let one = ops.float(1.0);
    let f = ops.sub(m, one);
    let (hfsq, s_term) = log_tail(ops, format, f);
    // hi + lo = f - hfsq + s (hfsq + R) = log(m), hi with its low bits cleared.
    let f_minus_hfsq = ops.sub(f, hfsq);
    let f_minus_hfsq_bits = ops.to_bits(f_minus_hfsq);
    let split_mask = ops.int(format.log_split_mask);
    let hi_bits = ops.int_and(f_minus_hfsq_bits, split_mask);
    let hi = ops.float_with_bits(hi_bits);
    let f_minus_hi = ops.sub(f, hi);
    let lo_head = ops.sub(f_minus_hi, hfsq);
    let lo = ops.add(lo_head, s_term);
    // (hi + lo) / ln b = val_hi + val_lo, val_hi exact.
    let inv_ln_hi = ops.float(inv_ln_hi);
    let inv_ln_lo = ops.float(inv_ln_lo);
    let val_hi = ops.mul(hi, inv_ln_hi);
    let log_m = ops.add(lo, hi);
    let cross = ops.mul(log_m, inv_ln_lo);
    let lo_scaled = ops.mul(lo, inv_ln_hi);
    let val_lo = ops.add(cross, lo_scaled);
    // k log_b(2) = y (exact) + k log_b2_lo.
    let (y, val_lo) = match k_scale {
        None => (k, val_lo),
        Some((scale_hi, scale_lo)) => {
            let scale_hi = ops.float(scale_hi);
            let scale_lo = ops.float(scale_lo);
            let y = ops.mul(k, scale_hi);
            let k_lo = ops.mul(k, scale_lo);
            (y, ops.add(k_lo, val_lo))
        }
    };
    // y + val_hi with its rounding error carried into val_lo (|y| >= |val_hi| unless y is 0).
    let w = ops.add(y, val_hi);
    let y_minus_w = ops.sub(y, w);
    let rounding = ops.add(y_minus_w, val_hi);
    let val_lo = ops.add(val_lo, rounding);
    let result = ops.add(val_lo, w);
    log_special_values(ops, x, result)
}

/// `cbrt x`: with `|x| = 2^k m` as for `log` and `k = 3q + r` (`r` in {-1, 0, 1}), `cbrt |x| =
/// 2^q cbrt(a)` for `a = 2^r m` (exact, in [0.35, 2.9)). `t ~ cbrt(a)` from a polynomial in
/// `m - 1` (within 2^-25, f32: 2^-13.7) times `2^(r/3)`, rounded to 25 bits (f32: 12) so that
/// `t^2` is exact, then one Halley step `t + t (a/t^2 - t) / (2t + a/t^2)` (cubic: the
/// estimate's error, about 2^-24 (f32: 2^-11.5), cubed), where only `a/t^2` rounds to first
/// order: within 2/3 ulp, and exact when `cbrt(a)` is a float. The sign is put back; ±0, ±inf
/// and nan return themselves (nan quieted).
#[inline(always)]
pub fn cbrt<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let bits = ops.to_bits(x);
    let magnitude_mask = ops.int(!format.sign_bit);
    let magnitude_bits = ops.int_and(bits, magnitude_mask);
    let magnitude = ops.float_with_bits(magnitude_bits);
    let sign_mask = ops.int(format.sign_bit);
    let sign = ops.int_and(bits, sign_mask);
    let (k, m) = exponent_and_mantissa(ops, format, magnitude);
    // q = round(k / 3) (k / 3 is never a half-integer: the product's rounding cannot matter).
    let third = ops.float(1.0 / 3.0);
    let shift = ops.float(format.round_shift);
    let k_third = ops.mul(k, third);
    let shifted = ops.add(k_third, shift);
    let q = ops.sub(shifted, shift);
    let three = ops.float(3.0);
    let three_q = ops.mul(q, three);
    let r = ops.sub(k, three_q);
    let zero = ops.float(0.0);
    let r_negative = ops.less(r, zero);
    let r_positive = ops.greater(r, zero);
    let one = ops.float(1.0);
    let half = ops.float(0.5);
    let two = ops.float(2.0);
    let power = ops.select(r_negative, half, one);
    let power = ops.select(r_positive, two, power);
    let a = ops.mul(m, power);
    let cbrt_half = ops.float(format.cbrt_half);
    let cbrt_2 = ops.float(format.cbrt_2);
    let cbrt_power = ops.select(r_negative, cbrt_half, one);
    let cbrt_power = ops.select(r_positive, cbrt_2, cbrt_power);
    let f = ops.sub(m, one);
    let estimate = polynomial(ops, f, format.cbrt_coefficients);
    let estimate = ops.mul(estimate, cbrt_power);
    // Round to nearest on the kept bits (t > 0).
    let estimate_bits = ops.to_bits(estimate);
    let round_bit = ops.int(format.cbrt_round_bit);
    let round_mask = ops.int(format.cbrt_round_mask);
    let rounded_bits = ops.int_add(estimate_bits, round_bit);
    let t_bits = ops.int_and(rounded_bits, round_mask);
    let t = ops.float_with_bits(t_bits);
    // Halley: t^2 exact, a / t^2 within half an ulp, a / t^2 - t exact (Sterbenz).
    let t_squared = ops.mul(t, t);
    let ratio = ops.div(a, t_squared);
    let difference = ops.sub(ratio, t);
    let twice_t = ops.add(t, t);
    let denominator = ops.add(twice_t, ratio);
    let step = ops.div(difference, denominator);
    let correction = ops.mul(t, step);
    let root = ops.add(t, correction);
    // 2^q is normal, and so is the result: the product is exact.
    let scale = power_of_two(ops, format, q);
    let root = ops.mul(root, scale);
    let root_bits = ops.to_bits(root);
    let signed_bits = ops.int_or(root_bits, sign);
    let signed = ops.float_with_bits(signed_bits);
    // ±0 and ±inf return themselves; nan comes out quieted.
    let is_zero = ops.equal(x, zero);
    let result = ops.select(is_zero, x, signed);
    let infinity = ops.float(f64::INFINITY);
    let is_infinite = ops.equal(magnitude, infinity);
    let result = ops.select(is_infinite, x, result);
    let is_nan = ops.is_nan(x);
    let quiet = ops.add(x, x);
    ops.select(is_nan, quiet, result)
}

/// `ln(1 + x)`, accurate near 0: `u = 1 + x` rounded, then `log(u) + (x - (u - 1)) / u`, the
/// second term the first-order correction for the rounding of `u` (exact: `u - 1` is, and the
/// difference is the rounding error). -1 gives -inf, inf gives inf, ±0 themselves.
#[inline(always)]
pub fn log1p<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let one = ops.float(1.0);
    let u = ops.add(one, x);
    let log_u = log(ops, format, u);
    let u_minus_one = ops.sub(u, one);
    let rounding = ops.sub(x, u_minus_one);
    let correction = ops.div(rounding, u);
    let result = ops.add(log_u, correction);
    let minus_one = ops.float(-1.0);
    let minus_infinity = ops.float(f64::NEG_INFINITY);
    let is_minus_one = ops.equal(x, minus_one);
    let result = ops.select(is_minus_one, minus_infinity, result);
    let infinity = ops.float(f64::INFINITY);
    let is_infinite = ops.equal(x, infinity);
    let result = ops.select(is_infinite, infinity, result);
    let zero = ops.float(0.0);
    let is_zero = ops.equal(x, zero);
    ops.select(is_zero, x, result)
}

/// `FloatOps` on `f64` scalars: the runtime's own instance, called by the interpreter and by
/// scalar JIT code through `nx_exp_f64` and friends.
pub struct ScalarF64;

/// `FloatOps` on `f32` scalars.
pub struct ScalarF32;

/// Implements `FloatOps` for a scalar float type with its same-width unsigned integer.
macro_rules! scalar_ops {
    ($ops:ty, $float:ty, $int:ty, $table:ident) => {
        impl FloatOps for $ops {
            type Float = $float;
            type Int = $int;
            type Mask = bool;

            #[inline(always)]
            fn float(&mut self, value: f64) -> $float {
                value as $float
            }
            #[inline(always)]
            fn int(&mut self, value: u64) -> $int {
                value as $int
            }
            #[inline(always)]
            fn add(&mut self, a: $float, b: $float) -> $float {
                a + b
            }
            #[inline(always)]
            fn sub(&mut self, a: $float, b: $float) -> $float {
                a - b
            }
            #[inline(always)]
            fn mul(&mut self, a: $float, b: $float) -> $float {
                a * b
            }
            #[inline(always)]
            fn div(&mut self, a: $float, b: $float) -> $float {
                a / b
            }
            #[inline(always)]
            fn sqrt(&mut self, a: $float) -> $float {
                a.sqrt()
            }
            #[inline(always)]
            fn less(&mut self, a: $float, b: $float) -> bool {
                a < b
            }
            #[inline(always)]
            fn greater(&mut self, a: $float, b: $float) -> bool {
                a > b
            }
            #[inline(always)]
            fn equal(&mut self, a: $float, b: $float) -> bool {
                a == b
            }
            #[inline(always)]
            fn is_nan(&mut self, a: $float) -> bool {
                a.is_nan()
            }
            #[inline(always)]
            fn select(&mut self, mask: bool, if_true: $float, if_false: $float) -> $float {
                if mask { if_true } else { if_false }
            }
            #[inline(always)]
            fn to_bits(&mut self, a: $float) -> $int {
                a.to_bits()
            }
            #[inline(always)]
            fn float_with_bits(&mut self, a: $int) -> $float {
                <$float>::from_bits(a)
            }
            #[inline(always)]
            fn int_add(&mut self, a: $int, b: $int) -> $int {
                a.wrapping_add(b)
            }
            #[inline(always)]
            fn int_and(&mut self, a: $int, b: $int) -> $int {
                a & b
            }
            #[inline(always)]
            fn int_or(&mut self, a: $int, b: $int) -> $int {
                a | b
            }
            #[inline(always)]
            fn shift_left(&mut self, a: $int, amount: u32) -> $int {
                a << amount
            }
            #[inline(always)]
            fn shift_right(&mut self, a: $int, amount: u32) -> $int {
                a >> amount
            }
            #[inline(always)]
            fn lookup(&mut self, table: Table, index: $int, offset: u32) -> $float {
                let Table::$table(values) = table else {
                    unreachable!("a table of the other width")
                };
                let index = index.wrapping_add(offset as $int) as usize;
                values[index.min(values.len() - 1)]
            }
            #[inline(always)]
            fn unless_none<const N: usize>(
                &mut self,
                mask: bool,
                otherwise: [$float; N],
                if_any: impl FnOnce(&mut Self) -> [$float; N],
            ) -> [$float; N] {
                if mask { if_any(self) } else { otherwise }
            }
        }
    };
}

scalar_ops!(ScalarF64, f64, u64, F64);
scalar_ops!(ScalarF32, f32, u32, F32);

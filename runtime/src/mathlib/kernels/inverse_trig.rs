//! `atan`, `atan2`, `asin` and `acos`.
//!
//! - `atan` and `atan2` share one octant reduction of the angle of a point `(b, a)`, `a, b >= 0`:
//!   `atan(a/b) = k pi/4 + atan(t)` with `t = a/b` below `tan(pi/8)`, `(a - b)/(a + b)` up to
//!   `tan(3pi/8)` and `-b/a` above, so `|t| <= tan(pi/8)`; one division whatever the octant. Then
//!   `atan(t) = t + t z P(z)`, `z = t^2`, and the angle is `k (pi/4)_hi + (atan(t) + k (pi/4)_lo)`,
//!   `k (pi/4)_hi` exact. `atan(x)` is the angle of `(1, |x|)`; `atan2(y, x)` that of
//!   `(|x|, |y|)`, taken from `pi` (`k -> 4 - k`, `atan(t) -> -atan(t)`) when `x` is negative.
//!   The sign of `x` (`y`) is put back last.
//! - `asin` and `acos` share `asin(v) = v + v u R(u)` for `u = v^2 <= 1/4`: `v = x` for
//!   `|x| <= 1/2`, else `v = sqrt((1 - |x|)/2)` (exact but for the root), with
//!   `asin(|x|) = pi/2 - 2 asin(v)` and `acos(x) = 2 asin(v)` or `pi - 2 asin(v)`.
//!   `|x| > 1` takes the root of a negative number: nan, as libm.

use super::{FloatOps, Format, polynomial};

/// The constants of this file for one float format.
struct Constants {
    /// `pi/4` as `hi + lo`, `hi` with at least two trailing zero bits so that `k hi` is exact
    /// for `k <= 4` (in f64, `pi/4` rounded already has three).
    quarter_pi_hi: f64,
    quarter_pi_lo: f64,
    /// `tan(pi/8)` and `tan(3pi/8)`, the octant bounds.
    tan_eighth_pi: f64,
    tan_three_eighths_pi: f64,
    /// `P` of `atan` on `z <= (1.01 tan(pi/8))^2` and `R` of `asin` on `u <= 1/4`, lowest
    /// degree first (`fit.py`).
    atan_coefficients: &'static [f64],
    asin_coefficients: &'static [f64],
    /// `2^(max exponent - 1)`: above, `a + b` or `tan(3pi/8) b` may overflow, so `atan2`
    /// quarters both first.
    half_max_power: f64,
}

const F64_CONSTANTS: Constants = Constants {
    quarter_pi_hi: std::f64::consts::FRAC_PI_4,
    quarter_pi_lo: 3.061616997868383e-17,
    tan_eighth_pi: 0.41421356237309503,
    tan_three_eighths_pi: 2.414213562373095,
    atan_coefficients: &[
        -0.33333333333333165,
        0.1999999999994393,
        -0.1428571427919106,
        0.11111110731851871,
        -0.09090896241814009,
        0.07692032772759212,
        -0.06662787507141472,
        0.05845557407122086,
        -0.05028686741660338,
        0.037792372565273534,
        -0.0176068624712401,
    ],
    asin_coefficients: &[
        0.16666666666665408,
        0.07500000000336995,
        0.04464285682834807,
        0.030381959136043486,
        0.0223717580742076,
        0.01735970438861306,
        0.013885239279669304,
        0.012169186081413508,
        0.006528087227309764,
        0.01952795692689069,
        -0.016223768546699182,
        0.031911938803921465,
    ],
    half_max_power: 4.49423283715579e307,
};

const F32_CONSTANTS: Constants = Constants {
    // 0x3f490fd8: pi/4 (0x3f490fdb rounded) with its last two bits cleared.
    quarter_pi_hi: 0.785398006439209,
    quarter_pi_lo: 1.5695823663008923e-07,
    tan_eighth_pi: 0.4142135679721832,
    tan_three_eighths_pi: 2.4142136573791504,
    atan_coefficients: &[
        -0.3333331346511841,
        0.19998358190059662,
        -0.14241266250610352,
        0.10576280206441879,
        -0.06032060831785202,
    ],
    asin_coefficients: &[
        0.16666752099990845,
        0.07495297491550446,
        0.04547036439180374,
        0.02417958341538906,
        0.04216618090867996,
    ],
    half_max_power: 8.507059173023462e37,
};

#[inline(always)]
fn constants(format: &Format) -> &'static Constants {
    if format.mantissa_bits == 52 {
        &F64_CONSTANTS
    } else {
        &F32_CONSTANTS
    }
}

/// `|x|` and the sign bit of `x` (as an integer), signed zeros and nan included.
#[inline(always)]
pub(super) fn magnitude_and_sign_bit<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    x: O::Float,
) -> (O::Float, O::Int) {
    let sign_bit = if format.mantissa_bits == 52 { 63 } else { 31 };
    let bits = ops.to_bits(x);
    let sign_mask = ops.int(1 << sign_bit);
    let magnitude_mask = ops.int(!(1 << sign_bit));
    let sign = ops.int_and(bits, sign_mask);
    let magnitude_bits = ops.int_and(bits, magnitude_mask);
    (ops.float_with_bits(magnitude_bits), sign)
}

/// A nonnegative `value` with the sign bit `sign` put in.
#[inline(always)]
fn with_sign_bit<O: FloatOps>(ops: &mut O, value: O::Float, sign: O::Int) -> O::Float {
    let bits = ops.to_bits(value);
    let signed = ops.int_or(bits, sign);
    ops.float_with_bits(signed)
}

/// The octant reduction of the angle of `(b, a)`, `a, b >= 0`: `k` (0, 1 or 2, as a float)
/// and `t`, `|t| <= tan(pi/8)`, with `atan(a/b) = k pi/4 + atan(t)`. Nan flows into `t`.
#[inline(always)]
fn reduce_to_octant<O: FloatOps>(
    ops: &mut O,
    constants: &Constants,
    a: O::Float,
    b: O::Float,
) -> (O::Float, O::Float) {
    let tan_eighth = ops.float(constants.tan_eighth_pi);
    let tan_three_eighths = ops.float(constants.tan_three_eighths_pi);
    let low_bound = ops.mul(tan_eighth, b);
    let high_bound = ops.mul(tan_three_eighths, b);
    let past_low = ops.greater(a, low_bound);
    let past_high = ops.greater(a, high_bound);
    // atan(a/b) - pi/4 = atan((a - b)/(a + b)); atan(a/b) - pi/2 = atan(-b/a).
    let difference = ops.sub(a, b);
    let sum = ops.add(a, b);
    let zero = ops.float(0.0);
    let minus_b = ops.sub(zero, b);
    let middle_numerator = ops.select(past_low, difference, a);
    let numerator = ops.select(past_high, minus_b, middle_numerator);
    let middle_denominator = ops.select(past_low, sum, b);
    let denominator = ops.select(past_high, a, middle_denominator);
    let t = ops.div(numerator, denominator);
    let one = ops.float(1.0);
    let two = ops.float(2.0);
    let middle_k = ops.select(past_low, one, zero);
    let k = ops.select(past_high, two, middle_k);
    (k, t)
}

/// `k pi/4 + atan(t)` for `|t| <= tan(pi/8)` and integral `0 <= k <= 4`: `t + t z P(z)`, then
/// `k (pi/4)_hi + (atan(t) + k (pi/4)_lo)` (`k (pi/4)_hi` exact, one rounding at the end).
#[inline(always)]
fn octant_angle<O: FloatOps>(
    ops: &mut O,
    constants: &Constants,
    k: O::Float,
    t: O::Float,
    negate: Option<O::Mask>,
) -> O::Float {
    let z = ops.mul(t, t);
    let p = polynomial(ops, z, constants.atan_coefficients);
    let tz = ops.mul(t, z);
    let tail = ops.mul(tz, p);
    let atan_t = ops.add(t, tail);
    // `pi - (k pi/4 + atan(t)) = (4 - k) pi/4 - atan(t)`.
    let (k, atan_t) = match negate {
        Some(negate) => {
            let four = ops.float(4.0);
            let zero = ops.float(0.0);
            let k_complement = ops.sub(four, k);
            let minus_atan_t = ops.sub(zero, atan_t);
            (
                ops.select(negate, k_complement, k),
                ops.select(negate, minus_atan_t, atan_t),
            )
        }
        None => (k, atan_t),
    };
    let quarter_pi_hi = ops.float(constants.quarter_pi_hi);
    let quarter_pi_lo = ops.float(constants.quarter_pi_lo);
    let offset_hi = ops.mul(k, quarter_pi_hi);
    let offset_lo = ops.mul(k, quarter_pi_lo);
    let low = ops.add(atan_t, offset_lo);
    ops.add(offset_hi, low)
}

/// `atan x`: the angle of `(1, |x|)`, with the sign of `x`.
#[inline(always)]
pub fn atan<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let constants = constants(format);
    let (magnitude, sign) = magnitude_and_sign_bit(ops, format, x);
    let one = ops.float(1.0);
    let (k, t) = reduce_to_octant(ops, constants, magnitude, one);
    let angle = octant_angle(ops, constants, k, t, None);
    with_sign_bit(ops, angle, sign)
}

/// `atan2(y, x)`, the angle of the point `(x, y)` in `[-pi, pi]`, with libm's special values:
/// the angle of `(|x|, |y|)` (from `pi` when `x`'s sign bit is set, so `-0` counts as
/// negative), with `y`'s sign bit. `(0, 0)` is angle 0 and `(inf, inf)` pi/4, where the
/// reduction's quotient would be nan. Both coordinates are scaled by the same power of two
/// first when the larger is huge (by 1/4, so that neither `a + b` nor `tan(3pi/8) b` overflows;
/// a coordinate that then loses bits to underflow is below 2^-2000 of the other, where the
/// quotient is 0 anyway) or subnormal (by `2^(mantissa bits + 2)`, so that the octant bounds
/// `tan(pi/8) b` keep their precision).
#[inline(always)]
pub fn atan2<O: FloatOps>(ops: &mut O, format: &Format, y: O::Float, x: O::Float) -> O::Float {
    let constants = constants(format);
    let (a, y_sign) = magnitude_and_sign_bit(ops, format, y);
    let (b, x_sign) = magnitude_and_sign_bit(ops, format, x);
    let a_greater = ops.greater(a, b);
    let larger = ops.select(a_greater, a, b);
    let half_max_power = ops.float(constants.half_max_power);
    let min_normal = ops.float(format.min_normal);
    let huge = ops.greater(larger, half_max_power);
    let tiny = ops.less(larger, min_normal);
    let one = ops.float(1.0);
    let quarter = ops.float(0.25);
    let subnormal_scale = ops.float(format.subnormal_scale);
    let unless_huge = ops.select(tiny, subnormal_scale, one);
    let scale = ops.select(huge, quarter, unless_huge);
    let scaled_a = ops.mul(a, scale);
    let scaled_b = ops.mul(b, scale);
    let (k, t) = reduce_to_octant(ops, constants, scaled_a, scaled_b);
    // (0, 0) and (inf, inf): 0/0 and inf/inf above. Nan coordinates stay nan.
    let zero = ops.float(0.0);
    let infinity = ops.float(f64::INFINITY);
    let sum = ops.add(a, b);
    let both_zero = ops.equal(sum, zero);
    let b_infinite = ops.equal(b, infinity);
    let a_if_b_infinite = ops.select(b_infinite, a, zero);
    let both_infinite = ops.equal(a_if_b_infinite, infinity);
    let t = ops.select(both_zero, zero, t);
    let t = ops.select(both_infinite, zero, t);
    let k = ops.select(both_infinite, one, k);
    // ±1 with the sign of x: negative for -0 too.
    let one_bits = ops.to_bits(one);
    let signed_one_bits = ops.int_or(one_bits, x_sign);
    let signed_one = ops.float_with_bits(signed_one_bits);
    let x_negative = ops.less(signed_one, zero);
    let angle = octant_angle(ops, constants, k, t, Some(x_negative));
    with_sign_bit(ops, angle, y_sign)
}

/// The pieces `asin` and `acos` build on: whether `|x| > 1/2`, and `v`, `q` with
/// `asin(v) = v + q`: `v = x` (`|x| <= 1/2`) or `sqrt((1 - |x|)/2)` (`1 - |x|` and the halving
/// are exact), `q = v u R(u)`, `u = v^2`.
#[inline(always)]
fn arcsine_parts<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    x: O::Float,
) -> (O::Mask, O::Float, O::Float) {
    let (magnitude, _) = magnitude_and_sign_bit(ops, format, x);
    let half = ops.float(0.5);
    let one = ops.float(1.0);
    let large = ops.greater(magnitude, half);
    let complement = ops.sub(one, magnitude);
    let w = ops.mul(complement, half);
    let square = ops.mul(x, x);
    let u = ops.select(large, w, square);
    let root = ops.sqrt(w);
    let v = ops.select(large, root, x);
    let r = polynomial(ops, u, constants(format).asin_coefficients);
    let vu = ops.mul(v, u);
    let q = ops.mul(vu, r);
    (large, v, q)
}

/// `asin x`: `v + q` for `|x| <= 1/2`; else `pi/2 - 2 asin(v)` as
/// `(pi/2_hi - 2v) + (pi/2_lo - 2q)` (the first difference exact for `|x|` up to about 0.7,
/// where the result is smallest), with the sign of `x`.
#[inline(always)]
pub fn asin<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let constants = constants(format);
    let (large, v, q) = arcsine_parts(ops, format, x);
    let near = ops.add(v, q);
    let half_pi_hi = ops.float(2.0 * constants.quarter_pi_hi);
    let half_pi_lo = ops.float(2.0 * constants.quarter_pi_lo);
    let two_v = ops.add(v, v);
    let two_q = ops.add(q, q);
    let head = ops.sub(half_pi_hi, two_v);
    let tail = ops.sub(half_pi_lo, two_q);
    let far = ops.add(head, tail);
    let zero = ops.float(0.0);
    let negative = ops.less(x, zero);
    let minus_far = ops.sub(zero, far);
    let far = ops.select(negative, minus_far, far);
    ops.select(large, far, near)
}

/// `acos x`: `pi/2_hi - (v + (q - pi/2_lo))` for `|x| <= 1/2`; else `2 asin(v)`, or
/// `pi_hi - (2 asin(v) - pi_lo)` for negative `x`.
#[inline(always)]
pub fn acos<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let constants = constants(format);
    let (large, v, q) = arcsine_parts(ops, format, x);
    let half_pi_hi = ops.float(2.0 * constants.quarter_pi_hi);
    let half_pi_lo = ops.float(2.0 * constants.quarter_pi_lo);
    let low = ops.sub(q, half_pi_lo);
    let asin_x = ops.add(v, low);
    let near = ops.sub(half_pi_hi, asin_x);
    let asin_v = ops.add(v, q);
    let twice = ops.add(asin_v, asin_v);
    let pi_hi = ops.float(4.0 * constants.quarter_pi_hi);
    let pi_lo = ops.float(4.0 * constants.quarter_pi_lo);
    let twice_minus_lo = ops.sub(twice, pi_lo);
    let from_pi = ops.sub(pi_hi, twice_minus_lo);
    let zero = ops.float(0.0);
    let negative = ops.less(x, zero);
    let far = ops.select(negative, from_pi, twice);
    ops.select(large, far, near)
}

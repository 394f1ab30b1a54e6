//! `pow(x, y) = e^(y ln|x|)` with `ln|x|` and the product carried in two parts (fdlibm's
//! `e_pow.c` scheme, in natural-log units): `|y ln|x||` reaches ~745 (f32: ~104), so the
//! exponent needs about 12 (f32: 7) bits beyond the format's precision to keep the result
//! within an ulp. Products of the leading parts are exact because each of those parts is
//! truncated to half the format's precision (`split`), so no fused multiply-add or Dekker
//! product is needed.

use super::{FloatOps, Format, exp_reduced, exponent_and_mantissa, polynomial, reduce_by_ln2};

/// What `pow` needs beyond `Format`, kept beside the algorithm.
struct PowConstants {
    /// `R` of `(3/2) ln((1+s)/(1-s)) / s = 3 + z + z^2 R(z)`, `z = s^2`, `|s| <= 3 - 2 sqrt(2)`
    /// (`fit.py`: the error of `z^2 R` relative to 3 is 2^-66, f32: 2^-36.5).
    tail_coefficients: &'static [f64],
    /// `2/3` rounded, and as `hi + lo` with `hi` truncated to half the precision.
    two_thirds: f64,
    two_thirds_split: (f64, f64),
    /// `e^z` is inf above the first (past `exp`'s overflow threshold) and 0 below the second
    /// (under half the smallest subnormal); in between, `exp_reduced`'s scaling rounds right.
    limits: (f64, f64),
}

const POW_F64: PowConstants = PowConstants {
    tail_coefficients: &[
        0.6000000000000338,
        0.42857142855149954,
        0.3333333377975959,
        0.27272676563066606,
        0.23080135367354582,
        0.1988524249687601,
        0.19794335579948297,
    ],
    two_thirds: 0.6666666666666666,
    two_thirds_split: (0.6666666567325592, 9.934107462565104e-09),
    limits: (710.0, -746.0),
};

const POW_F32: PowConstants = PowConstants {
    tail_coefficients: &[0.6000022888183594, 0.42820701003074646, 0.3512788414955139],
    two_thirds: 0.6666666865348816,
    two_thirds_split: (0.66650390625, 0.00016276042151730508),
    limits: (89.0, -104.0),
};

impl Format {
    fn pow_constants(&self) -> &'static PowConstants {
        if self.mantissa_bits == super::F64.mantissa_bits {
            &POW_F64
        } else {
            &POW_F32
        }
    }
}

/// `x^y` with C99's special values (libm's `pow`): `x^±0 = 1` and `1^y = 1` even for nan,
/// `(-1)^±inf = 1`, a negative finite `x` to a non-integer finite `y` is nan, the sign of a
/// negative `x` (-0 and -inf included) is kept for odd integer `y`, and ±0, ±inf and infinite
/// `y` give 0 or inf as the sign of `y ln|x|` says.
///
/// `|x| = 2^k m` as for `log`, `s = (m - 1) / (m + 1)`, `ln m = (2/3) s (3 + s^2 + s^4 R(s^2))`
/// with `s` and the bracket each as `hi + lo`; `ln|x| = k ln2 + ln m = L_hi + L_lo` and
/// `y = y_hi + y_lo`, the `_hi` parts truncated, so `z = y ln|x| = y_hi L_hi + (y_lo L_hi + y
/// L_lo)` with the first product exact. `e^z` is `exp`'s: `z`'s head reduced by `k' ln2`, its
/// tail folded into the reduced argument, `2^k'` applied in two factors (so that the result
/// overflows to inf and underflows gradually through the subnormals).
#[inline(always)]
pub fn pow<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float, y: O::Float) -> O::Float {
    let constants = format.pow_constants();
    let magnitude_mask = ops.int(!format.sign_bit);
    let x_bits = ops.to_bits(x);
    let x_magnitude_bits = ops.int_and(x_bits, magnitude_mask);
    let ax = ops.float_with_bits(x_magnitude_bits);
    let (log_hi, log_lo) = log_parts(ops, format, constants, ax);
    // z = y ln|x| = z_hi + z_lo, renormalized so that z_hi is z rounded.
    let (y_hi, y_lo) = split(ops, format, y);
    let head = ops.mul(y_hi, log_hi);
    let y_lo_log_hi = ops.mul(y_lo, log_hi);
    let y_log_lo = ops.mul(y, log_lo);
    let tail = ops.add(y_lo_log_hi, y_log_lo);
    let z_hi = ops.add(head, tail);
    let head_error = ops.sub(z_hi, head);
    let z_lo = ops.sub(tail, head_error);
    // ±0 and ±inf bases, and infinite exponents, only decide between 0 and inf: the plain
    // product with ln 0 = -inf and ln inf = inf has the right sign (nan for 1^±inf, replaced
    // below); finite products that overflow are the same as z_hi's.
    let zero = ops.float(0.0);
    let infinity = ops.float(f64::INFINITY);
    let minus_infinity = ops.float(f64::NEG_INFINITY);
    let is_zero = ops.equal(ax, zero);
    let is_infinite = ops.equal(ax, infinity);
    let log_extended = ops.select(is_zero, minus_infinity, log_hi);
    let log_extended = ops.select(is_infinite, infinity, log_extended);
    let product = ops.mul(y, log_extended);
    let product_is_inf = ops.equal(product, infinity);
    let product_is_minus_inf = ops.equal(product, minus_infinity);
    let limit_argument = ops.select(product_is_inf, product, z_hi);
    let limit_argument = ops.select(product_is_minus_inf, product, limit_argument);
    let (k, r_hi, r_lo) = reduce_by_ln2(ops, format, z_hi);
    let r_lo = ops.sub(r_lo, z_lo);
    let magnitude = exp_reduced(ops, format, limit_argument, k, r_hi, r_lo, constants.limits);
    // A negative x (by its sign bit: -0 too): times -1 for odd integer y, nan for non-integer
    // y unless |x| is 0 or inf (whose powers are then ±0 or ±inf without a sign flip).
    let one = ops.float(1.0);
    let minus_one = ops.float(-1.0);
    let nan = ops.float(f64::NAN);
    let y_bits = ops.to_bits(y);
    let y_magnitude_bits = ops.int_and(y_bits, magnitude_mask);
    let ay = ops.float_with_bits(y_magnitude_bits);
    let half = ops.float(0.5);
    let half_ay = ops.mul(ay, half);
    let y_is_integer = is_integer(ops, format, ay);
    let y_is_even = is_integer(ops, format, half_ay);
    let non_integer_factor = ops.select(is_zero, one, nan);
    let non_integer_factor = ops.select(is_infinite, one, non_integer_factor);
    let integer_factor = ops.select(y_is_even, one, minus_one);
    let factor = ops.select(y_is_integer, integer_factor, non_integer_factor);
    let sign_mask = ops.int(format.sign_bit);
    let x_sign = ops.int_and(x_bits, sign_mask);
    let one_bits = ops.to_bits(one);
    let signed_one_bits = ops.int_or(one_bits, x_sign);
    let signed_one = ops.float_with_bits(signed_one_bits);
    let x_is_negative = ops.less(signed_one, zero);
    let signed = ops.mul(magnitude, factor);
    let result = ops.select(x_is_negative, signed, magnitude);
    // Nan operands give nan, except that x^±0 = 1 and 1^y = 1 whatever the other operand,
    // and (-1)^±inf = 1.
    let quiet = ops.add(x, y);
    let x_is_nan = ops.is_nan(x);
    let result = ops.select(x_is_nan, quiet, result);
    let y_is_nan = ops.is_nan(y);
    let result = ops.select(y_is_nan, quiet, result);
    let x_is_minus_one = ops.equal(x, minus_one);
    let y_is_infinite = ops.equal(ay, infinity);
    let minus_one_result = ops.select(y_is_infinite, one, result);
    let result = ops.select(x_is_minus_one, minus_one_result, result);
    let x_is_one = ops.equal(x, one);
    let result = ops.select(x_is_one, one, result);
    let y_is_zero = ops.equal(y, zero);
    ops.select(y_is_zero, one, result)
}

/// `a = hi + lo` (exact), `hi` with the low half of the mantissa bits cleared (f64 keeps 26
/// significant bits, f32 12), so that products of two such `hi` parts are exact.
#[inline(always)]
fn split<O: FloatOps>(ops: &mut O, format: &Format, a: O::Float) -> (O::Float, O::Float) {
    let bits = ops.to_bits(a);
    let mask = ops.int(!0 << (format.mantissa_bits / 2 + 1));
    let hi_bits = ops.int_and(bits, mask);
    let hi = ops.float_with_bits(hi_bits);
    (hi, ops.sub(a, hi))
}

/// Whether `a >= 0` is an integer (inf is, nan is not): below `2^mantissa_bits`, adding that
/// power rounds `a` to an integer; above, every float is one.
#[inline(always)]
fn is_integer<O: FloatOps>(ops: &mut O, format: &Format, a: O::Float) -> O::Mask {
    let integer_limit = ops.float((1u64 << format.mantissa_bits) as f64);
    let shifted = ops.add(a, integer_limit);
    let rounded = ops.sub(shifted, integer_limit);
    let small = ops.less(a, integer_limit);
    let rounded = ops.select(small, rounded, a);
    ops.equal(rounded, a)
}

/// `ln a = hi + lo` for finite `a > 0`, to about 2^-64 relative (f32: 2^-35), `hi` split as
/// by `split`; meaningless for other `a`.
#[inline(always)]
fn log_parts<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    constants: &PowConstants,
    a: O::Float,
) -> (O::Float, O::Float) {
    let (k, m) = exponent_and_mantissa(ops, format, a);
    let one = ops.float(1.0);
    let two = ops.float(2.0);
    let three = ops.float(3.0);
    // s = f / (2 + f) = s_hi + s_lo, f = m - 1 exact: with d = 2 + f = d_hi + d_lo (d_lo
    // exact), s_lo = (f - s_hi d_hi - s_hi d_lo) / d, where s_hi d_hi is exact and so is its
    // difference from f (Sterbenz). One division, by d: f / d, within an ulp, gives s_hi, and
    // s_hi + s_lo gives s rounded for the terms that take s whole.
    let f = ops.sub(m, one);
    let d = ops.add(two, f);
    let inverse = ops.div(one, d);
    let quotient = ops.mul(f, inverse);
    let (s_hi, _) = split(ops, format, quotient);
    let (d_hi, _) = split(ops, format, d);
    let d_hi_minus_two = ops.sub(d_hi, two);
    let d_lo = ops.sub(f, d_hi_minus_two);
    let s_hi_d_hi = ops.mul(s_hi, d_hi);
    let remainder = ops.sub(f, s_hi_d_hi);
    let s_hi_d_lo = ops.mul(s_hi, d_lo);
    let remainder = ops.sub(remainder, s_hi_d_lo);
    let s_lo = ops.mul(remainder, inverse);
    let s = ops.add(s_hi, s_lo);
    // t = 3 + s^2 + s^4 R(s^2) = t_hi + t_lo with s^2 = s_hi^2 (exact) + s_lo (s_hi + s).
    let z = ops.mul(s, s);
    let z2 = ops.mul(z, z);
    let tail = polynomial(ops, z, constants.tail_coefficients);
    let tail = ops.mul(z2, tail);
    let s_hi_plus_s = ops.add(s_hi, s);
    let square_correction = ops.mul(s_lo, s_hi_plus_s);
    let tail = ops.add(tail, square_correction);
    let s_hi_squared = ops.mul(s_hi, s_hi);
    let three_plus = ops.add(three, s_hi_squared);
    let t = ops.add(three_plus, tail);
    let (t_hi, _) = split(ops, format, t);
    let t_hi_minus_three = ops.sub(t_hi, three);
    let t_hi_excess = ops.sub(t_hi_minus_three, s_hi_squared);
    let t_lo = ops.sub(tail, t_hi_excess);
    // s t = p_hi + p_lo: s_hi t_hi exact, plus s_lo t_hi + t_lo s.
    let u = ops.mul(s_hi, t_hi);
    let s_lo_t_hi = ops.mul(s_lo, t_hi);
    let t_lo_s = ops.mul(t_lo, s);
    let v = ops.add(s_lo_t_hi, t_lo_s);
    let p = ops.add(u, v);
    let (p_hi, _) = split(ops, format, p);
    let p_hi_minus_u = ops.sub(p_hi, u);
    let p_lo = ops.sub(v, p_hi_minus_u);
    // ln m = (2/3) s t = c_hi p_hi (exact) + (c_lo p_hi + c p_lo), c = 2/3.
    let (c_hi, c_lo) = constants.two_thirds_split;
    let c_hi = ops.float(c_hi);
    let c_lo = ops.float(c_lo);
    let c = ops.float(constants.two_thirds);
    let log_m_hi = ops.mul(c_hi, p_hi);
    let c_lo_p_hi = ops.mul(c_lo, p_hi);
    let c_p_lo = ops.mul(c, p_lo);
    let log_m_lo = ops.add(c_lo_p_hi, c_p_lo);
    // ln a = k ln2_hi (exact) + ln m + k ln2_lo, its head split: `k ln2_hi - hi` and its sum
    // with ln m's head are exact or nearly (the operands are close), so lo keeps the rest.
    let ln2_hi = ops.float(format.ln2_hi);
    let ln2_lo = ops.float(format.ln2_lo);
    let k_ln2_hi = ops.mul(k, ln2_hi);
    let k_ln2_lo = ops.mul(k, ln2_lo);
    let low = ops.add(k_ln2_lo, log_m_lo);
    let head = ops.add(k_ln2_hi, log_m_hi);
    let sum = ops.add(head, low);
    let (hi, _) = split(ops, format, sum);
    let k_ln2_hi_minus_hi = ops.sub(k_ln2_hi, hi);
    let rest = ops.add(k_ln2_hi_minus_hi, log_m_hi);
    let lo = ops.add(rest, low);
    (hi, lo)
}

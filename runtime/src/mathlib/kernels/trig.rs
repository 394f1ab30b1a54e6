//! `sin`, `cos` and `tan`: one argument reduction and one pair of polynomials serve all three.
//!
//! **Reduction.** `|x| = (k + u) pi/2` with `k` integral and `|u| <= 1/2` (a hair more: `k` is
//! rounded from an approximate sum). Below `2^20` (f32: 512), Cody-Waite: `pi/2` in four
//! parts, `k` times the first three exact, their subtractions error-free. Above (and for inf and
//! nan), a Payne-Hanek reduction valid for every finite `|x|` up to the largest float,
//! straight-line:
//! `|x| = X 2^E` (`X` the integer significand), and `|x| 2/pi mod 4` needs only the bits of `2/pi`
//! from about `2^-E` on (the earlier ones give multiples of 4). A table indexed by the exponent
//! holds them as balanced digits `d_c` of `b` bits (`|d_c| <= 2^(b-1)`, `b <= p/2`); with
//! `X = X_1 2^b + X_0`,
//! `|x| 2/pi = sum_c 2^(2 - b(c+1)) (X_0 d_c + X_1 d_(c+1))  (mod 4)`,
//! each column's products and sum exact integers. The two leading columns are reduced mod 4
//! exactly; `k` is the nearest integer to their sum plus the third column; `u` is the rest,
//! summed in double-word (the columns are exact, so only the additions round), accurate to
//! about `2^-125` (f64) or `2^-68` (f32) absolutely: enough for the `u` closest to 0 that any
//! float has (`2^-61` in f64 at `6381956970095103 2^797`; `2^-29.9` in f32 at `16367173 2^72`, by
//! exhaustive search). Then `r = u pi/2` in double-word.
//!
//! The table reduction costs about twice the rest of the function (seven gathers and a dozen
//! double-word steps), so it sits behind `FloatOps::unless_all`: vector code runs it only when a
//! lane of the vector needs it (arguments at or above the limit, inf or nan), and the common
//! range pays for Cody-Waite alone. The result is the same whichever lanes share a vector.
//!
//! **Polynomials.** `sin r = r + r^3 S(r^2)`, `cos r = 1 - r^2/2 + r^4 C(r^2)` on
//! `|r| <= pi/4`, both with the low word of `r`'s first-order term, `cos` with `1 - r^2/2`'s
//! rounding error added back (fdlibm's `__sin`/`__cos`). `k mod 4` selects and signs them;
//! `tan` is `sin r / cos r` (`k` even) or `-cos r / sin r` (`k` odd), one division: near the
//! poles `sin r` is as accurate relative to itself as `r` is.

use super::{FloatOps, Format, Table, odd_result, polynomial, sign_and_magnitude};

/// What the trigonometric functions need beyond `Format`.
struct Trig {
    /// The width `b` of the digits of `2/pi`; `X_1` gets the other `p - b` bits.
    digit_bits: u32,
    /// Columns summed (the rest lies below `2^(p + 2 - b(columns + 1))`).
    columns: usize,
    /// `DIGITS_PER_ROW` digits of `2/pi` per biased exponent from `pi/4`'s up.
    digits: Table,
    /// `pi/2` in four parts, the first three with trailing zeros enough that `k` times them is
    /// exact for every `k` below `medium_limit` (Cody-Waite).
    half_pi_parts: [f64; 4],
    /// Magnitudes below this are reduced by `half_pi_parts`, the others by the table.
    medium_limit: f64,
    /// `pi/2` as `hi + lo`, and `hi` split into two halves of at most `p/2` bits.
    half_pi: f64,
    half_pi_lo: f64,
    half_pi_high: f64,
    half_pi_low: f64,
    /// `2^ceil(p/2) + 1`: Veltkamp's splitting factor.
    split_factor: f64,
    /// `S` and `C`, lowest degree first (`fit.py`).
    sin_coefficients: &'static [f64],
    cos_coefficients: &'static [f64],
}

const DIGITS_PER_ROW: usize = 8;

const F64_ROWS: usize = 2047 - 1022 + 1;
const F32_ROWS: usize = 255 - 126 + 1;

static F64_DIGITS: [f64; F64_ROWS * DIGITS_PER_ROW] = {
    let digits = digit_table::<{ F64_ROWS * DIGITS_PER_ROW }>(53, 26);
    let mut table = [0.0; F64_ROWS * DIGITS_PER_ROW];
    let mut index = 0;
    while index < table.len() {
        table[index] = digits[index] as f64;
        index += 1;
    }
    table
};

static F32_DIGITS: [f32; F32_ROWS * DIGITS_PER_ROW] = {
    let digits = digit_table::<{ F32_ROWS * DIGITS_PER_ROW }>(24, 12);
    let mut table = [0.0; F32_ROWS * DIGITS_PER_ROW];
    let mut index = 0;
    while index < table.len() {
        table[index] = digits[index] as f32;
        index += 1;
    }
    table
};

const TRIG_F64: Trig = Trig {
    digit_bits: 26,
    columns: 6,
    digits: Table::F64(&F64_DIGITS),
    half_pi_parts: [
        1.5707963267341256,
        6.077100506303966e-11,
        2.0222662487111665e-21,
        8.4784276603689e-32,
    ],
    medium_limit: 1048576.0,
    half_pi: std::f64::consts::FRAC_PI_2,
    half_pi_lo: 6.123233995736766e-17,
    half_pi_high: 1.5707963407039642,
    half_pi_low: -1.3909067675399456e-08,
    split_factor: 134217729.0,
    sin_coefficients: &[
        -0.1666666666666663,
        0.008333333333322116,
        -0.00019841269829587858,
        2.755731362079733e-06,
        -2.505074766950945e-08,
        1.5896224662773566e-10,
    ],
    cos_coefficients: &[
        0.041666666666666595,
        -0.0013888888888873054,
        2.4801587288849637e-05,
        -2.7557314178703076e-07,
        2.08757007613032e-09,
        -1.1358532331765866e-11,
    ],
};

const TRIG_F32: Trig = Trig {
    digit_bits: 12,
    columns: 7,
    digits: Table::F32(&F32_DIGITS),
    half_pi_parts: [
        1.57073974609375,
        5.657970905303955e-05,
        9.920881893776823e-10,
        5.390302953474238e-15,
    ],
    medium_limit: 512.0,
    half_pi: 1.5707963705062866,
    half_pi_lo: -4.371138828673793e-08,
    half_pi_high: 1.57080078125,
    half_pi_low: -4.410743713378906e-06,
    split_factor: 4097.0,
    sin_coefficients: &[
        -0.16666655242443085,
        0.00833216030150652,
        -0.00019515270832926035,
    ],
    cos_coefficients: &[
        0.04166664555668831,
        -0.0013887316454201937,
        2.4433142243651673e-05,
    ],
};

fn trig(format: &Format) -> &'static Trig {
    if format.mantissa_bits == 52 {
        &TRIG_F64
    } else {
        &TRIG_F32
    }
}

/// `2/pi` to 1280 bits, most significant first (`0.a2f9836e...`).
const TWO_OVER_PI: [u32; 40] = [
    0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561,
    0xb7246e3a, 0x424dd2e0, 0x06492eea, 0x09d1921c, 0xfe1deb1c, 0xb129a73e, 0xe88235f5, 0x2ebb4484,
    0xe99c7026, 0xb45f7e41, 0x3991d639, 0x835339f4, 0x9c845f8b, 0xbdf9283b, 0x1ff897ff, 0xde05980f,
    0xef2f118b, 0x5a0a6d1f, 0x6d367ecf, 0x27cb09b7, 0x4f463f66, 0x9e5fea2d, 0x7527bac7, 0xebe5f17b,
    0x3d0739f7, 0x8a5292ea, 0x6bfb5fb1, 0x1f8d5d08, 0x56033046, 0xfc7b6bab, 0xf0cfbc20, 0x9af4361d,
];

/// Bit `i` of `2/pi`, of weight `2^-i` (0 for `i <= 0`).
const fn two_over_pi_bit(i: i64) -> i64 {
    if i <= 0 {
        return 0;
    }
    let position = (i - 1) as usize;
    ((TWO_OVER_PI[position / 32] >> (31 - position % 32)) & 1) as i64
}

/// The balanced digit `d(s) = round(2^b psi(s))`, where `psi(s)` is `2^s 2/pi` minus its
/// nearest integer: `2^b psi(s) = d(s) + psi(s + b)`, so the digits from any `s` on, each in
/// `[-2^(b-1), 2^(b-1)]`, sum to `psi(s)`. From the bits: the next `b` bits as an integer, less
/// `2^b` if the first is set (`psi(s) < 0`), plus one if the bit after them is set.
const fn digit(s: i64, b: i64) -> i64 {
    let mut value = 0;
    let mut t = 1;
    while t <= b {
        value = value * 2 + two_over_pi_bit(s + t);
        t += 1;
    }
    value - (two_over_pi_bit(s + 1) << b) + two_over_pi_bit(s + b + 1)
}

/// Row `r` serves the biased exponent `bias - 1 + r` (`pi/4`'s is `bias - 1`), whose floats are
/// `X 2^E` with `E = r - 1 - (p - 1)`: `|x| 2/pi = 4 X 2^(E-2) 2/pi = 4 X psi(E - 2) (mod 4)`, so
/// the row holds `d(E - 2 + c b)` for `c < DIGITS_PER_ROW`.
const fn digit_table<const N: usize>(precision: i64, b: i64) -> [i64; N] {
    let mut table = [0; N];
    let mut index = 0;
    while index < N {
        let row = (index / DIGITS_PER_ROW) as i64;
        let column = (index % DIGITS_PER_ROW) as i64;
        let exponent = row - 1 - (precision - 1);
        table[index] = digit(exponent - 2 + column * b, b);
        index += 1;
    }
    table
}

/// `sin x`.
#[inline(always)]
pub fn sin<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (negative, magnitude) = sign_and_magnitude(ops, x);
    let (k, sin_r, cos_r) = reduce_and_evaluate(ops, format, magnitude);
    let positive = sine_of_quadrant(ops, format, k, sin_r, cos_r);
    let result = odd_result(ops, x, negative, positive);
    nan_unless_finite(ops, x, magnitude, result)
}

/// `cos x = sin(x + pi/2)`: the quadrant one further on.
#[inline(always)]
pub fn cos<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (_, magnitude) = sign_and_magnitude(ops, x);
    let (k, sin_r, cos_r) = reduce_and_evaluate(ops, format, magnitude);
    let one = ops.float(1.0);
    let next = ops.add(k, one);
    let result = sine_of_quadrant(ops, format, next, sin_r, cos_r);
    nan_unless_finite(ops, x, magnitude, result)
}

/// `tan x`.
#[inline(always)]
pub fn tan<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (negative, magnitude) = sign_and_magnitude(ops, x);
    let (k, sin_r, cos_r) = reduce_and_evaluate(ops, format, magnitude);
    let (even, _) = quadrant(ops, format, k);
    let numerator = ops.select(even, sin_r, cos_r);
    let denominator = ops.select(even, cos_r, sin_r);
    let quotient = ops.div(numerator, denominator);
    let zero = ops.float(0.0);
    let negated = ops.sub(zero, quotient);
    let positive = ops.select(even, quotient, negated);
    let result = odd_result(ops, x, negative, positive);
    nan_unless_finite(ops, x, magnitude, result)
}

/// `result` for finite `x`, nan (`x - x`, as libm) for ±inf and nan.
#[inline(always)]
fn nan_unless_finite<O: FloatOps>(
    ops: &mut O,
    x: O::Float,
    magnitude: O::Float,
    result: O::Float,
) -> O::Float {
    let infinity = ops.float(f64::INFINITY);
    let finite = ops.less(magnitude, infinity);
    let nan = ops.sub(x, x);
    ops.select(finite, result, nan)
}

/// `k`, `sin r` and `cos r` for `m = (k + u) pi/2`, `r = u pi/2`, `m >= 0`.
#[inline(always)]
fn reduce_and_evaluate<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    magnitude: O::Float,
) -> (O::Float, O::Float, O::Float) {
    let trig = trig(format);
    let (k, r_hi, r_lo) = reduce_medium(ops, format, trig, magnitude);
    let limit = ops.float(trig.medium_limit);
    let medium = ops.less(magnitude, limit);
    let [k, r_hi, r_lo] = ops.unless_all(medium, [k, r_hi, r_lo], |ops| {
        let (huge_k, huge_hi, huge_lo) = reduce_huge(ops, format, trig, magnitude);
        [
            ops.select(medium, k, huge_k),
            ops.select(medium, r_hi, huge_hi),
            ops.select(medium, r_lo, huge_lo),
        ]
    });
    let (sin_r, cos_r) = sin_cos_reduced(ops, trig, r_hi, r_lo);
    (k, sin_r, cos_r)
}

/// `(k, r_hi, r_lo)` with `m = k pi/2 + r_hi + r_lo` for `0 <= m < medium_limit` (Cody-Waite):
/// `k = round(m 2/pi)`, `m - k C1` exact, `k C2` and `k C3` exact and subtracted in error-free
/// sums (they may cancel `m - k C1` down to about `2^-60`), `k C4` rounded. Below `pi/4`,
/// `k = 0` and `r_hi = m` exactly.
#[inline(always)]
fn reduce_medium<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    trig: &Trig,
    magnitude: O::Float,
) -> (O::Float, O::Float, O::Float) {
    let two_over_pi = ops.float(std::f64::consts::FRAC_2_PI);
    let scaled = ops.mul(magnitude, two_over_pi);
    let k = round(ops, format, scaled);
    let [c1, c2, c3, c4] = trig.half_pi_parts.map(|part| ops.float(part));
    let k_c1 = ops.mul(k, c1);
    let first = ops.sub(magnitude, k_c1);
    let k_c2 = ops.mul(k, c2);
    let zero = ops.float(0.0);
    let minus_k_c2 = ops.sub(zero, k_c2);
    let (second, error_2) = two_sum(ops, first, minus_k_c2);
    let k_c3 = ops.mul(k, c3);
    let minus_k_c3 = ops.sub(zero, k_c3);
    let (third, error_3) = two_sum(ops, second, minus_k_c3);
    let k_c4 = ops.mul(k, c4);
    let errors = ops.add(error_2, error_3);
    let low = ops.sub(errors, k_c4);
    let (r_hi, r_lo) = fast_two_sum(ops, third, low);
    (k, r_hi, r_lo)
}

/// `(k, r_hi, r_lo)` with `m = k pi/2 + r_hi + r_lo` for a finite `m >= pi/4` (the table
/// reduction; other inputs give garbage, which the callers do not select).
#[inline(always)]
fn reduce_huge<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    trig: &Trig,
    magnitude: O::Float,
) -> (O::Float, O::Float, O::Float) {
    let b = trig.digit_bits;
    let mantissa_bits = format.mantissa_bits;
    // X = the significand as an integer-valued float, X_1 2^b its high part, X_0 the rest.
    let bits = ops.to_bits(magnitude);
    let mantissa_mask = ops.int((1u64 << mantissa_bits) - 1);
    let mantissa = ops.int_and(bits, mantissa_mask);
    let integer_exponent =
        ops.int((format.exponent_bias + u64::from(mantissa_bits)) << mantissa_bits);
    let whole_bits = ops.int_or(mantissa, integer_exponent);
    let whole = ops.float_with_bits(whole_bits);
    let high_mask = ops.int(!((1u64 << b) - 1));
    let high_bits = ops.int_and(whole_bits, high_mask);
    let high_scaled = ops.float_with_bits(high_bits);
    let low = ops.sub(whole, high_scaled);
    let inverse_digit_scale = ops.float(2f64.powi(-(b as i32)));
    let high = ops.mul(high_scaled, inverse_digit_scale);
    // The row of the exponent's digits.
    let biased_exponent = ops.shift_right(bits, mantissa_bits);
    let first_row = ops.int((format.exponent_bias - 1).wrapping_neg());
    let row = ops.int_add(biased_exponent, first_row);
    let index = ops.shift_left(row, DIGITS_PER_ROW.trailing_zeros());
    let zero = ops.float(0.0);
    let mut digits = [zero; DIGITS_PER_ROW];
    for (c, digit) in digits.iter_mut().enumerate().take(trig.columns + 1) {
        *digit = ops.lookup(trig.digits, index, c as u32);
    }
    // Column c: 2^(2 - b(c+1)) (X_0 d_c + X_1 d_(c+1)), the sum exact.
    let mut columns = [zero; DIGITS_PER_ROW];
    for (c, column) in columns.iter_mut().enumerate().take(trig.columns) {
        let low_product = ops.mul(low, digits[c]);
        let high_product = ops.mul(high, digits[c + 1]);
        let sum = ops.add(low_product, high_product);
        let weight = ops.float(2f64.powi(2 - (b as i32) * (c as i32 + 1)));
        *column = ops.mul(sum, weight);
    }
    // The two leading columns mod 4 (exact); their sum H (exact: |H| <= 4 on their grid).
    let first = modulo_four(ops, format, columns[0]);
    let second = modulo_four(ops, format, columns[1]);
    let leading = ops.add(first, second);
    let estimate = ops.add(leading, columns[2]);
    let k = round(ops, format, estimate);
    let fraction = ops.sub(leading, k);
    // u = fraction + the other columns, as hi + lo: the next three in error-free sums (they may
    // cancel the fraction down to 2^-61), the smallest plainly.
    let (mut u_hi, mut u_lo) = two_sum(ops, fraction, columns[2]);
    for column in &columns[3..5] {
        let (sum, error) = two_sum(ops, u_hi, *column);
        u_hi = sum;
        u_lo = ops.add(u_lo, error);
    }
    let mut tail = columns[trig.columns - 1];
    for column in columns[5..trig.columns - 1].iter().rev() {
        tail = ops.add(tail, *column);
    }
    let u_lo = ops.add(u_lo, tail);
    let (u_hi, u_lo) = fast_two_sum(ops, u_hi, u_lo);
    // r = u pi/2: the leading product exact (Dekker), the cross terms rounded.
    let (high_product, error) = product_with_half_pi(ops, trig, u_hi);
    let half_pi_lo = ops.float(trig.half_pi_lo);
    let half_pi = ops.float(trig.half_pi);
    let cross_lo = ops.mul(u_hi, half_pi_lo);
    let cross_hi = ops.mul(u_lo, half_pi);
    let cross = ops.add(cross_lo, cross_hi);
    let low_part = ops.add(error, cross);
    let (r_hi, r_lo) = fast_two_sum(ops, high_product, low_part);
    (k, r_hi, r_lo)
}

/// The nearest integer to `v` (`|v| < 2^(p-2)`).
#[inline(always)]
fn round<O: FloatOps>(ops: &mut O, format: &Format, v: O::Float) -> O::Float {
    let shift = ops.float(format.round_shift);
    let shifted = ops.add(v, shift);
    ops.sub(shifted, shift)
}

/// `v - 4 round(v/4)`, in `[-2, 2]`, exact.
#[inline(always)]
fn modulo_four<O: FloatOps>(ops: &mut O, format: &Format, v: O::Float) -> O::Float {
    let quarter = ops.float(0.25);
    let four = ops.float(4.0);
    let scaled = ops.mul(v, quarter);
    let rounded = round(ops, format, scaled);
    let multiple = ops.mul(rounded, four);
    ops.sub(v, multiple)
}

/// `a + b` as `(sum, error)` exactly (Knuth).
#[inline(always)]
fn two_sum<O: FloatOps>(ops: &mut O, a: O::Float, b: O::Float) -> (O::Float, O::Float) {
    let sum = ops.add(a, b);
    let b_virtual = ops.sub(sum, a);
    let a_virtual = ops.sub(sum, b_virtual);
    let b_error = ops.sub(b, b_virtual);
    let a_error = ops.sub(a, a_virtual);
    (sum, ops.add(a_error, b_error))
}

/// `a + b` as `(sum, error)` exactly, for `|a| >= |b|` (or `a` 0).
#[inline(always)]
fn fast_two_sum<O: FloatOps>(ops: &mut O, a: O::Float, b: O::Float) -> (O::Float, O::Float) {
    let sum = ops.add(a, b);
    let b_virtual = ops.sub(sum, a);
    (sum, ops.sub(b, b_virtual))
}

/// `u * half_pi` as `(product, error)` exactly: Veltkamp's split of `u`, Dekker's product.
#[inline(always)]
fn product_with_half_pi<O: FloatOps>(
    ops: &mut O,
    trig: &Trig,
    u: O::Float,
) -> (O::Float, O::Float) {
    let half_pi = ops.float(trig.half_pi);
    let product = ops.mul(u, half_pi);
    let factor = ops.float(trig.split_factor);
    let scaled = ops.mul(u, factor);
    let difference = ops.sub(scaled, u);
    let u_high = ops.sub(scaled, difference);
    let u_low = ops.sub(u, u_high);
    let pi_high = ops.float(trig.half_pi_high);
    let pi_low = ops.float(trig.half_pi_low);
    let high_high = ops.mul(u_high, pi_high);
    let high_low = ops.mul(u_high, pi_low);
    let low_high = ops.mul(u_low, pi_high);
    let low_low = ops.mul(u_low, pi_low);
    let error = ops.sub(high_high, product);
    let error = ops.add(error, high_low);
    let error = ops.add(error, low_high);
    (product, ops.add(error, low_low))
}

/// `sin r` and `cos r` for `r = r_hi + r_lo`, `|r| <= pi/4` (fdlibm's `__sin` and `__cos`):
/// `r_hi + (r_hi z S(z) + r_lo (1 - z/2))` and `w + (((1 - w) - z/2) + (z^2 C(z) - r_hi r_lo))`
/// with `z = r_hi^2`, `w = 1 - z/2` (the second term recovers `w`'s rounding error).
#[inline(always)]
fn sin_cos_reduced<O: FloatOps>(
    ops: &mut O,
    trig: &Trig,
    r_hi: O::Float,
    r_lo: O::Float,
) -> (O::Float, O::Float) {
    let z = ops.mul(r_hi, r_hi);
    let half = ops.float(0.5);
    let half_z = ops.mul(z, half);
    // sin
    let s = polynomial(ops, z, trig.sin_coefficients);
    let cube = ops.mul(z, r_hi);
    let odd_terms = ops.mul(cube, s);
    let low_times_half_z = ops.mul(half_z, r_lo);
    let low_term = ops.sub(r_lo, low_times_half_z);
    let sin_tail = ops.add(odd_terms, low_term);
    let sin_r = ops.add(r_hi, sin_tail);
    // cos
    let one = ops.float(1.0);
    let w = ops.sub(one, half_z);
    let c = polynomial(ops, z, trig.cos_coefficients);
    let z2 = ops.mul(z, z);
    let even_terms = ops.mul(z2, c);
    let cross = ops.mul(r_hi, r_lo);
    let terms = ops.sub(even_terms, cross);
    let one_minus_w = ops.sub(one, w);
    let w_error = ops.sub(one_minus_w, half_z);
    let cos_tail = ops.add(w_error, terms);
    let cos_r = ops.add(w, cos_tail);
    (sin_r, cos_r)
}

/// For integral `k`: whether `k` is even, and whether `k mod 4` is 2 or 3.
#[inline(always)]
fn quadrant<O: FloatOps>(ops: &mut O, format: &Format, k: O::Float) -> (O::Mask, O::Mask) {
    let half = ops.float(0.5);
    let half_k = ops.mul(k, half);
    let rounded_half = round(ops, format, half_k);
    let twice = ops.add(rounded_half, rounded_half);
    let even = ops.equal(twice, k);
    // k/4 minus its floor (`round(k/4 - 3/8)`): 0, 1/4, 1/2 or 3/4.
    let quarter = ops.float(0.25);
    let three_eighths = ops.float(0.375);
    let quarter_k = ops.mul(k, quarter);
    let lowered = ops.sub(quarter_k, three_eighths);
    let floor = round(ops, format, lowered);
    let fraction = ops.sub(quarter_k, floor);
    let upper = ops.greater(fraction, three_eighths);
    (even, upper)
}

/// `sin((k + u) pi/2)` from `sin r` and `cos r`, `r = u pi/2`.
#[inline(always)]
fn sine_of_quadrant<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    k: O::Float,
    sin_r: O::Float,
    cos_r: O::Float,
) -> O::Float {
    let (even, upper) = quadrant(ops, format, k);
    let value = ops.select(even, sin_r, cos_r);
    let zero = ops.float(0.0);
    let negated = ops.sub(zero, value);
    ops.select(upper, negated, value)
}

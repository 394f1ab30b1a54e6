//! `sin`, `cos` and `tan`: one argument reduction and one pair of polynomials serve all three.
//!
//! **Reduction.** `|x| = (k + u) pi/2` with `k` integral and `|u| <= 1/2` (a hair more: `k` is
//! rounded from an approximate product or sum). Up to a bound (`2^21`, f32: `2^12`),
//! Cody-Waite: `k = round(|x| 2/pi) < 2^(p-q)` and `r = |x| - k P_1 - ... - k P_n` with
//! `pi/2 = P_1 + ... + P_n` (to `2^-160`, f32: `2^-82`), each `P_i` but the last of `q` bits
//! (32, f32: 12) so that `k P_i` is exact; the first difference is exact (Sterbenz), the next
//! ones error-free (Fast2Sum), only `k P_n` rounds: `r` as `hi + lo` within about `2^-135`
//! (f32: `2^-70`) plus `2^-104 |r|` (f32: `2^-46 |r|`), plenty for the smallest `r` there
//! (`2^-60.5` at 45.553093477052, f32: `2^-27.8` at 252.89821). Below `pi/4`, `k = 0` and
//! `r = |x|` exactly. Beyond the bound (and at inf), a
//! Payne-Hanek reduction valid for every finite `|x|` up to the largest float, straight-line:
//! `|x| = X 2^E` (`X` the integer significand), and `|x| 2/pi mod 4` needs only the bits of `2/pi`
//! from about `2^-E` on (the earlier ones give multiples of 4). A table indexed by the exponent
//! holds them as balanced digits `d_c` of `b` bits (`|d_c| <= 2^(b-1)`, `b <= p/2`); with
//! `X = X_1 2^b + X_0`,
//! `|x| 2/pi = sum_c 2^(2 - b(c+1)) (X_0 d_c + X_1 d_(c+1))  (mod 4)`,
//! each column's products and sum exact integers. The two leading columns are reduced mod 4
//! exactly; `k` is the nearest integer to their sum plus the third column; `u` is the rest,
//! summed in double-word (the columns are exact, so only the additions round), accurate to
//! about `2^-125` (f64) or `2^-68` (f32) absolutely: enough for the `u` closest to 0 that any
//! float has (`2^-61` in f64). Then `r = u pi/2` in double-word.
//!
//! Straight-line code would compute both reductions for every lane; the table's is several
//! times the cost of everything else, so it runs only when some lane needs it
//! (`FloatOps::unless_none`: a branch per vector in JIT code, per element in scalar code), and
//! block routines that have checked that no argument does leave it out altogether
//! (`Format::in_cheap_domain`), which lets LLVM vectorize their loops.
//!
//! **Polynomials.** `sin r = r + r^3 S(r^2)`, `cos r = 1 - r^2/2 + r^4 C(r^2)` on
//! `|r| <= pi/4`, both with the low word of `r`'s first-order term, `cos` with `1 - r^2/2`'s
//! rounding error added back (fdlibm's `__sin`/`__cos`). `k mod 4` selects and signs them;
//! `tan` is `sin r / cos r` (`k` even) or `-cos r / sin r` (`k` odd), one division: near the
//! poles `sin r` is as accurate relative to itself as `r` is.

use super::inverse_trig::magnitude_and_sign_bit;
use super::{FloatOps, Format, Table, polynomial};

/// What the trigonometric functions need beyond `Format`.
struct Trig {
    /// The width `b` of the digits of `2/pi`; `X_1` gets the other `p - b` bits.
    digit_bits: u32,
    /// Columns summed (the rest lies below `2^(p + 2 - b(columns + 1))`).
    columns: usize,
    /// `DIGITS_PER_ROW` digits of `2/pi` per biased exponent from `pi/4`'s up.
    digits: Table,
    /// `pi/2` as `hi + lo`, and `hi` split into two halves of at most `p/2` bits.
    half_pi: f64,
    half_pi_lo: f64,
    half_pi_high: f64,
    half_pi_low: f64,
    /// `2^ceil(p/2) + 1`: Veltkamp's splitting factor.
    split_factor: f64,
    /// Cody-Waite's bound on `|x|` (inclusive), `2/pi` rounded, and `-pi/2` as
    /// `-(P_1 + ... + P_n)` (negated: the reduction adds `k (-P_i)`).
    cody_waite_bound: f64,
    two_over_pi: f64,
    minus_half_pi_parts: &'static [f64],
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
    half_pi: std::f64::consts::FRAC_PI_2,
    half_pi_lo: 6.123233995736766e-17,
    half_pi_high: 1.5707963407039642,
    half_pi_low: -1.3909067675399456e-08,
    split_factor: 134217729.0,
    cody_waite_bound: 2097152.0,
    two_over_pi: std::f64::consts::FRAC_2_PI,
    minus_half_pi_parts: &[
        -1.5707963267341256,
        -6.077100506303966e-11,
        -2.0222662487111665e-21,
        -8.4784276603689e-32,
    ],
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
    half_pi: 1.5707963705062866,
    half_pi_lo: -4.371138828673793e-08,
    half_pi_high: 1.57080078125,
    half_pi_low: -4.410743713378906e-06,
    split_factor: 4097.0,
    cody_waite_bound: 4096.0,
    two_over_pi: 0.6366197466850281,
    minus_half_pi_parts: &[
        -1.57080078125,
        4.453584551811218e-06,
        8.706138032721356e-10,
        -6.222800053024002e-14,
        -5.721188916458728e-18,
    ],
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

/// `Function::cheap_domain_bound` of `sin`, `cos` and `tan`.
#[inline(always)]
pub(super) fn cheap_bound(format: &Format) -> f64 {
    trig(format).cody_waite_bound
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
    let (magnitude, x_sign) = magnitude_and_sign_bit(ops, format, x);
    let (k, sin_r, cos_r) = reduce_and_evaluate(ops, format, magnitude);
    let (value, half_turn) = sine_of_quadrant(ops, format, k, sin_r, cos_r);
    // Odd: the sign of x too (at ±0, `value` is +0).
    let sign = ops.int_add(half_turn, x_sign);
    let result = flip_sign(ops, value, sign);
    nan_unless_finite(ops, x, magnitude, result)
}

/// `cos x = sin(x + pi/2)`: the quadrant one further on.
#[inline(always)]
pub fn cos<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (magnitude, _) = magnitude_and_sign_bit(ops, format, x);
    let (k, sin_r, cos_r) = reduce_and_evaluate(ops, format, magnitude);
    let one = ops.float(1.0);
    let next = ops.add(k, one);
    let (value, half_turn) = sine_of_quadrant(ops, format, next, sin_r, cos_r);
    let result = flip_sign(ops, value, half_turn);
    nan_unless_finite(ops, x, magnitude, result)
}

/// `tan x`.
#[inline(always)]
pub fn tan<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float) -> O::Float {
    let (magnitude, x_sign) = magnitude_and_sign_bit(ops, format, x);
    let (k, sin_r, cos_r) = reduce_and_evaluate(ops, format, magnitude);
    let (even, _) = quadrant(ops, format, k);
    let numerator = ops.select(even, sin_r, cos_r);
    let denominator = ops.select(even, cos_r, sin_r);
    let quotient = ops.div(numerator, denominator);
    let zero = ops.float(0.0);
    let negated = ops.sub(zero, quotient);
    let positive = ops.select(even, quotient, negated);
    // Odd (at ±0, `positive` is +0).
    let result = flip_sign(ops, positive, x_sign);
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
    let cheap = cody_waite(ops, format, trig, magnitude);
    let (k, r_hi, r_lo) = if format.cheap_domain_only {
        cheap
    } else {
        let bound = ops.float(trig.cody_waite_bound);
        let large = ops.greater(magnitude, bound);
        let (cheap_k, cheap_hi, cheap_lo) = cheap;
        let [k, r_hi, r_lo] = ops.unless_none(large, [cheap_k, cheap_hi, cheap_lo], |ops| {
            let (k, r_hi, r_lo) = payne_hanek(ops, format, trig, magnitude);
            [
                ops.select(large, k, cheap_k),
                ops.select(large, r_hi, cheap_hi),
                ops.select(large, r_lo, cheap_lo),
            ]
        });
        (k, r_hi, r_lo)
    };
    let (sin_r, cos_r) = sin_cos_reduced(ops, trig, r_hi, r_lo);
    (k, sin_r, cos_r)
}

/// `(k, r_hi, r_lo)` with `m = k pi/2 + r_hi + r_lo` for `m <= cody_waite_bound` (the module's
/// Cody-Waite reduction; other inputs give garbage, which the callers do not select). Below
/// `pi/4`, `m 2/pi` rounds to 1/2 at most (ties to even) and so `k` to 0: `(0, m, 0)` exactly.
#[inline(always)]
fn cody_waite<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    trig: &Trig,
    magnitude: O::Float,
) -> (O::Float, O::Float, O::Float) {
    let two_over_pi = ops.float(trig.two_over_pi);
    let scaled = ops.mul(magnitude, two_over_pi);
    let k = round(ops, format, scaled);
    let (&first, rest) = trig.minus_half_pi_parts.split_first().expect("parts");
    let (&last, middle) = rest.split_last().expect("parts");
    // m - k P_1 exactly (Sterbenz: k P_1 is within a factor 2 of m, or 0); k P_n the only
    // rounding.
    let first = ops.float(first);
    let product = ops.mul(k, first);
    let mut r_hi = ops.add(magnitude, product);
    let last = ops.float(last);
    let mut r_lo = ops.mul(k, last);
    // Fast2Sum is exact here although the products may exceed the sums: each sum lies on a
    // grid (`ulp(m)`, or the last bit of the parts so far) at least as coarse as the next
    // product's ulp (`P_(i+1) < 2^-q` times the last bit of `P_i`, `k < 2^(p-q)`).
    for &part in middle {
        let part = ops.float(part);
        let product = ops.mul(k, part);
        let (sum, error) = fast_two_sum(ops, r_hi, product);
        r_hi = sum;
        r_lo = ops.add(r_lo, error);
    }
    let (r_hi, r_lo) = fast_two_sum(ops, r_hi, r_lo);
    (k, r_hi, r_lo)
}

/// `(k, r_hi, r_lo)` with `m = k pi/2 + r_hi + r_lo` for a finite `m >= pi/4` (the module's
/// Payne-Hanek reduction; other inputs give garbage, which the callers do not select).
#[inline(always)]
fn payne_hanek<O: FloatOps>(
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

/// `a + b` as `(sum, error)` exactly, for `a` a multiple of `ulp(b)` (as when `|a| >= |b|`, or
/// `a` is 0).
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

/// For integral `k` (`|k| < 2^(p-2)`): whether `k` is even, and the sign bit if `k mod 4` is 2
/// or 3 (else 0), read off the bits of `k` plus the rounding shift (which holds `k` in two's
/// complement in its low bits): fewer operations than arithmetic on `k`.
#[inline(always)]
fn quadrant<O: FloatOps>(ops: &mut O, format: &Format, k: O::Float) -> (O::Mask, O::Int) {
    let shift = ops.float(format.round_shift);
    let shifted = ops.add(k, shift);
    let bits = ops.to_bits(shifted);
    // 1 or the float after it.
    let one = ops.int(1);
    let odd_bit = ops.int_and(bits, one);
    let one_bits = ops.int(format.exponent_bias << format.mantissa_bits);
    let parity_bits = ops.int_or(odd_bit, one_bits);
    let parity = ops.float_with_bits(parity_bits);
    let one = ops.float(1.0);
    let even = ops.equal(parity, one);
    let two = ops.int(2);
    let half_turn = ops.int_and(bits, two);
    let sign = ops.shift_left(half_turn, format.sign_bit.trailing_zeros() - 1);
    (even, sign)
}

/// `sin((k + u) pi/2)` from `sin r` and `cos r`, `r = u pi/2`, as `sin r` or `cos r` and the
/// sign bit if it is to be flipped (else 0).
#[inline(always)]
fn sine_of_quadrant<O: FloatOps>(
    ops: &mut O,
    format: &Format,
    k: O::Float,
    sin_r: O::Float,
    cos_r: O::Float,
) -> (O::Float, O::Int) {
    let (even, half_turn) = quadrant(ops, format, k);
    (ops.select(even, sin_r, cos_r), half_turn)
}

/// `value` with its sign flipped if `sign` is the sign bit, kept if 0 (adding sign bits is
/// their exclusive or: the carry leaves the word).
#[inline(always)]
fn flip_sign<O: FloatOps>(ops: &mut O, value: O::Float, sign: O::Int) -> O::Float {
    let bits = ops.to_bits(value);
    let flipped = ops.int_add(bits, sign);
    ops.float_with_bits(flipped)
}

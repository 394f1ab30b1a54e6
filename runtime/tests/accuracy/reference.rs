//! Double-double references (about 100 bits, far below an f64 ulp) for the accuracy sweep:
//! error-free transformations (Knuth's two-sum, Dekker's product through Veltkamp's split, so
//! no fused multiply-add is needed), `exp` by reduction to `|r| < 2^-11` and a Taylor series
//! squared back as few times as needed, `log` by one Newton step on `exp` from libm's estimate,
//! `sin` and `cos` by an exact integer reduction by `pi/2` and their Taylor series.

/// An unevaluated sum `hi + lo` with `|lo| <= ulp(hi) / 2`.
#[derive(Clone, Copy, Debug)]
pub struct Dd {
    pub hi: f64,
    pub lo: f64,
}

fn two_sum(a: f64, b: f64) -> Dd {
    let hi = a + b;
    let b_virtual = hi - a;
    let a_virtual = hi - b_virtual;
    let lo = (a - a_virtual) + (b - b_virtual);
    Dd { hi, lo }
}

fn fast_two_sum(a: f64, b: f64) -> Dd {
    let hi = a + b;
    let lo = b - (hi - a);
    Dd { hi, lo }
}

/// Veltkamp's split: `a = high + low`, each with at most 26 significant bits.
fn split(a: f64) -> (f64, f64) {
    let factor = 134217729.0 * a; // 2^27 + 1
    let high = factor - (factor - a);
    (high, a - high)
}

fn two_product(a: f64, b: f64) -> Dd {
    let hi = a * b;
    let (a_high, a_low) = split(a);
    let (b_high, b_low) = split(b);
    let lo = ((a_high * b_high - hi) + a_high * b_low + a_low * b_high) + a_low * b_low;
    Dd { hi, lo }
}

impl Dd {
    pub fn from(value: f64) -> Dd {
        Dd { hi: value, lo: 0.0 }
    }

    pub fn add(self, other: Dd) -> Dd {
        let sum = two_sum(self.hi, other.hi);
        let low = two_sum(self.lo, other.lo);
        let sum = fast_two_sum(sum.hi, sum.lo + low.hi);
        fast_two_sum(sum.hi, sum.lo + low.lo)
    }

    pub fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }

    pub fn sub(self, other: Dd) -> Dd {
        self.add(other.neg())
    }

    pub fn mul(self, other: Dd) -> Dd {
        let product = two_product(self.hi, other.hi);
        let cross = self.hi * other.lo + self.lo * other.hi;
        fast_two_sum(product.hi, product.lo + cross)
    }

    pub fn mul_f64(self, other: f64) -> Dd {
        self.mul(Dd::from(other))
    }

    /// Multiplication by a power of two (exact while the result stays normal).
    pub fn scale(self, factor: f64) -> Dd {
        Dd {
            hi: self.hi * factor,
            lo: self.lo * factor,
        }
    }

    pub fn div(self, other: Dd) -> Dd {
        let quotient = self.hi / other.hi;
        let remainder = self.sub(other.mul_f64(quotient));
        let correction = remainder.hi / other.hi;
        let partial = fast_two_sum(quotient, correction);
        let remainder = self.sub(other.mul(partial));
        partial.add(Dd::from(remainder.hi / other.hi))
    }
}

/// ln 2 to about 160 bits, in three parts.
const LN2: [f64; 3] = [
    std::f64::consts::LN_2,
    2.3190468138462996e-17,
    5.707708438416212e-34,
];

fn ln2() -> Dd {
    fast_two_sum(LN2[0], LN2[1])
}

/// `e^x` for finite `x` in about [-746, 710]; the result may lie outside the f64 range, so it
/// is returned as `(mantissa, k)` with `e^x = mantissa * 2^k`, `mantissa` in [0.5, 3).
pub fn exp_scaled(x: Dd) -> (Dd, i32) {
    let k = (x.hi / LN2[0]).round();
    // r = x - k ln2 with the three-part ln 2: each product is exact in double-double.
    let r = x
        .sub(two_product(k, LN2[0]))
        .sub(two_product(k, LN2[1]))
        .sub(Dd::from(k * LN2[2]));
    // e^r = (e^(r / 2^s))^(2^s) with |r / 2^s| < 2^-11; each squaring doubles the relative
    // error, so s is no larger than needed (0 for small r, where the result's absolute error
    // must stay far below r itself: `log` near 1 relies on that).
    let squarings = if r.hi == 0.0 {
        0
    } else {
        (libm::ilogb(r.hi) + 12).max(0)
    };
    let small = r.scale(power_of_two(-squarings));
    let mut term = Dd::from(1.0);
    let mut sum = Dd::from(1.0);
    for n in 1..=12 {
        term = term.mul(small).mul(Dd::from(1.0).div(Dd::from(n as f64)));
        sum = sum.add(term);
    }
    for _ in 0..squarings {
        sum = sum.mul(sum);
    }
    (sum, k as i32)
}

/// `2^k` as an f64 for any `k` (may be subnormal, 0 or inf).
pub fn power_of_two(k: i32) -> f64 {
    let half = k / 2;
    libm::ldexp(1.0, half) * libm::ldexp(1.0, k - half)
}

/// A reference value `mantissa * 2^exponent`, kept apart so that it may lie outside the f64
/// range; `mantissa.hi` is 0 or has magnitude in [1, 2).
#[derive(Clone, Copy, Debug)]
pub struct Scaled {
    pub mantissa: Dd,
    pub exponent: i32,
}

impl Scaled {
    /// `x` itself, subnormals included (scaled up first, as `new` normalizes through the f64
    /// range, which subnormals leave): the reference of functions that are `x` near 0.
    pub fn of(x: f64) -> Scaled {
        Scaled::new(Dd::from(x).scale(power_of_two(600)), -600)
    }

    pub fn new(value: Dd, exponent: i32) -> Scaled {
        if value.hi == 0.0 {
            return Scaled {
                mantissa: value,
                exponent: 0,
            };
        }
        let (_, shift) = libm::frexp(value.hi);
        let factor = power_of_two(1 - shift);
        Scaled {
            mantissa: value.scale(factor),
            exponent: exponent + shift - 1,
        }
    }
}

/// `e^x` for finite `x`.
pub fn exp(x: f64) -> Scaled {
    let (mantissa, k) = exp_scaled(Dd::from(x));
    Scaled::new(mantissa, k)
}

/// `2^x` for finite `x` in about [-1100, 1100], as `e^(x ln2)` with `x ln2` in double-double.
pub fn exp2(x: f64) -> Scaled {
    let (mantissa, k) = exp_scaled(Dd::from(x).mul(ln2()));
    Scaled::new(mantissa, k)
}

/// `e^x - 1` for finite `x` in about [-1100, 710]: the Taylor series without its 1 below
/// `|x| = 1/2` (no cancellation), else `e^x - 1` in double-double.
pub fn expm1(x: f64) -> Scaled {
    if x.abs() < libm::ldexp(1.0, -60) {
        // x + x^2/2 + ...: the rest is below 2^-61 of x.
        return Scaled::of(x);
    }
    if x.abs() < 0.5 {
        let mut term = Dd::from(x);
        let mut sum = term;
        for n in 2..=40 {
            term = term.mul_f64(x).div(Dd::from(n as f64));
            sum = sum.add(term);
        }
        return Scaled::new(sum, 0);
    }
    let (mantissa, k) = exp_scaled(Dd::from(x));
    if k > 200 {
        return Scaled::new(mantissa, k);
    }
    Scaled::new(mantissa.scale(power_of_two(k)).sub(Dd::from(1.0)), 0)
}

/// `sinh x` (`odd`) or `cosh x` for finite `x` in about [-1100, 1100]: `(e^|x| ± e^-|x|) / 2` in
/// double-double, with the Taylor series of `sinh` below `|x| = 1/2` (no cancellation), and
/// `e^|x| / 2` alone above `|x| = 40` (the other term is below 2^-115 of it).
pub fn hyperbolic(x: f64, odd: bool) -> Scaled {
    let magnitude = x.abs();
    let sign = if odd && x < 0.0 { -1.0 } else { 1.0 };
    if odd && magnitude < 0.5 {
        let square = Dd::from(magnitude).mul(Dd::from(magnitude));
        let mut term = Dd::from(magnitude);
        let mut sum = term;
        for n in 1..=20 {
            let divisor = Dd::from(((2 * n) * (2 * n + 1)) as f64);
            term = term.mul(square).div(divisor);
            sum = sum.add(term);
        }
        return Scaled::new(sum.scale(sign), 0);
    }
    let (mantissa, k) = exp_scaled(Dd::from(magnitude));
    if magnitude > 40.0 {
        return Scaled::new(mantissa.scale(0.5 * sign), k);
    }
    let big = mantissa.scale(power_of_two(k));
    let small = Dd::from(1.0).div(big);
    let value = if odd { big.sub(small) } else { big.add(small) };
    Scaled::new(value.scale(0.5 * sign), 0)
}

/// `tanh x` for finite `x`: `t / (t + 2)` with `t = e^(2|x|) - 1` in double-double (from
/// `expm1`, so no cancellation), the sign put back; 1 beyond `|x| = 40`.
pub fn tanh(x: f64) -> Dd {
    let magnitude = x.abs();
    let value = if magnitude > 40.0 {
        Dd::from(1.0)
    } else {
        let t = expm1(2.0 * magnitude);
        let t = t.mantissa.scale(power_of_two(t.exponent));
        t.div(t.add(Dd::from(2.0)))
    };
    if x < 0.0 { value.neg() } else { value }
}

/// `ln(1 + x)` for finite `x > -1`: its series below `|x| = 2^-10`; `log(x) + 1/x` above
/// 2^60 (the rest is below 2^-120 of it); else one Newton step on `e^y = 1 + x` (exact in
/// double-double) from libm's estimate.
pub fn log1p(x: f64) -> Dd {
    if x.abs() < libm::ldexp(1.0, -10) {
        let mut power = Dd::from(x);
        let mut sum = power;
        for n in 2..=14 {
            power = power.mul_f64(x);
            let term = power.div(Dd::from(n as f64));
            sum = if n % 2 == 0 {
                sum.sub(term)
            } else {
                sum.add(term)
            };
        }
        return sum;
    }
    if x > libm::ldexp(1.0, 60) {
        return log(x).add(Dd::from(1.0 / x));
    }
    let y0 = Dd::from(libm::log1p(x));
    let (e, k) = exp_scaled(y0.neg());
    let e = e.scale(power_of_two(k));
    let one_plus_x = Dd::from(1.0).add(Dd::from(x));
    y0.add(one_plus_x.mul(e).sub(Dd::from(1.0)))
}

/// `ln x` for finite positive `x` (including subnormals).
pub fn log(x: f64) -> Dd {
    let (mantissa, exponent) = libm::frexp(x);
    // x = mantissa * 2^exponent, mantissa in [0.5, 1).
    let m = Dd::from(mantissa);
    let y0 = Dd::from(libm::log(mantissa));
    // Newton on e^y = m: y1 = y0 + m e^-y0 - 1.
    let (e, k) = exp_scaled(y0.neg());
    let e = e.scale(power_of_two(k));
    let y1 = y0.add(m.mul(e).sub(Dd::from(1.0)));
    ln2().mul_f64(exponent as f64).add(y1)
}

/// pi to about 160 bits, in three parts.
const PI: [f64; 3] = [
    std::f64::consts::PI,
    1.2246467991473532e-16,
    -2.9947698097183397e-33,
];

fn pi() -> Dd {
    fast_two_sum(PI[0], PI[1])
}

/// `sqrt(x)` for `x >= 0` in double-double: libm's root and one Newton step
/// `s + (x - s^2) / (2s)` (the residual exact in double-double).
pub fn sqrt(x: Dd) -> Dd {
    if x.hi == 0.0 {
        return Dd::from(0.0);
    }
    let s = libm::sqrt(x.hi);
    let residual = x.sub(two_product(s, s));
    fast_two_sum(s, residual.hi / (2.0 * s))
}

/// `atan r` for `0 <= r <= 1` (`r` normal or 0): four half-angle steps
/// `atan r = 2 atan(r / (1 + sqrt(1 + r^2)))` bring `r` below `tan(pi/64) < 0.05`, where 30
/// terms of the Taylor series leave less than 2^-250.
fn atan_unit(r: Dd) -> Dd {
    let mut r = r;
    let halvings = 4;
    for _ in 0..halvings {
        let root = sqrt(Dd::from(1.0).add(r.mul(r)));
        r = r.div(Dd::from(1.0).add(root));
    }
    let square = r.mul(r);
    let mut power = r;
    let mut sum = r;
    for n in 1..30 {
        power = power.mul(square).neg();
        sum = sum.add(power.div(Dd::from((2 * n + 1) as f64)));
    }
    sum.scale(power_of_two(halvings))
}

/// The angle of the point `(x, y)` for finite or infinite magnitudes `x = |x|`, `y = |y|`
/// (double-double, either may be 0, not both), in `[0, pi/2]` as `mantissa 2^exponent` (kept
/// apart: for tiny `y/x` it lies far below the f64 range).
fn first_quadrant_angle(y: Dd, x: Dd) -> Scaled {
    if y.hi.is_infinite() || x.hi.is_infinite() {
        let value = match (y.hi.is_infinite(), x.hi.is_infinite()) {
            (true, true) => pi().scale(0.25),
            (true, false) => pi().scale(0.5),
            _ => Dd::from(0.0),
        };
        return Scaled::new(value, 0);
    }
    let swap = y.hi > x.hi;
    let (small, large) = if swap { (x, y) } else { (y, x) };
    if small.hi == 0.0 {
        let value = if swap { pi().scale(0.5) } else { Dd::from(0.0) };
        return Scaled::new(value, 0);
    }
    // ratio = small / large as mantissa 2^exponent, without leaving the f64 range.
    let (_, small_exponent) = libm::frexp(small.hi);
    let (_, large_exponent) = libm::frexp(large.hi);
    let small_mantissa = scale_to_unit(small, small_exponent);
    let large_mantissa = scale_to_unit(large, large_exponent);
    let quotient = small_mantissa.div(large_mantissa);
    let exponent = small_exponent - large_exponent;
    // Below 2^-70, atan r = r (1 - r^2/3 + ...) is r to 2^-140.
    if !swap && exponent < -70 {
        return Scaled::new(quotient, exponent);
    }
    let ratio = if exponent < -70 {
        Dd::from(0.0)
    } else {
        quotient.scale(power_of_two(exponent))
    };
    let angle = atan_unit(ratio);
    let value = if swap {
        pi().scale(0.5).sub(angle)
    } else {
        angle
    };
    Scaled::new(value, 0)
}

/// `value 2^-exponent` exactly (scaling a subnormal up, or a normal number into [0.5, 1)).
fn scale_to_unit(value: Dd, exponent: i32) -> Dd {
    let half = -exponent / 2;
    value
        .scale(power_of_two(half))
        .scale(power_of_two(-exponent - half))
}

/// `atan2(y, x)` for non-nan `y` and `x` (double-double magnitudes and signs), the limits at
/// infinities included: the first-quadrant angle of `(|x|, |y|)`, from `pi` when `x` is
/// negative (`-0` too), with the sign of `y`.
pub fn atan2(y: Dd, y_negative: bool, x: Dd, x_negative: bool) -> Scaled {
    let angle = if y.hi == 0.0 && x.hi == 0.0 {
        Scaled::new(Dd::from(0.0), 0)
    } else {
        first_quadrant_angle(y, x)
    };
    let angle = if x_negative {
        // Below 2^-200 the angle is nothing next to pi.
        let value = if angle.exponent < -200 {
            Dd::from(0.0)
        } else {
            angle.mantissa.scale(power_of_two(angle.exponent))
        };
        Scaled::new(pi().sub(value), 0)
    } else {
        angle
    };
    if y_negative {
        Scaled {
            mantissa: angle.mantissa.neg(),
            exponent: angle.exponent,
        }
    } else {
        angle
    }
}

/// `asin x` (`acos` if `cosine`) for `|x| <= 1`: the angle of `(sqrt(1 - x^2), x)` (of
/// `(x, sqrt(1 - x^2))`), with `1 - x^2 = (1 - |x|)(1 + |x|)` in double-double.
pub fn arcsine(x: f64, cosine: bool) -> Scaled {
    let magnitude = Dd::from(x.abs());
    let one = Dd::from(1.0);
    let other = sqrt(one.sub(magnitude).mul(one.add(magnitude)));
    if cosine {
        atan2(other, false, magnitude, x < 0.0)
    } else {
        atan2(magnitude, x < 0.0, other, false)
    }
}

/// `sqrt(x^2 + y^2)` for finite `x`, `y`: both scaled by the larger's power of two (a smaller
/// one below 2^-70 of it only adds less than 2^-140 of the result), the sum of squares and its
/// root in double-double.
pub fn hypot(x: f64, y: f64) -> Scaled {
    let (small, large) = if x.abs() < y.abs() {
        (x.abs(), y.abs())
    } else {
        (y.abs(), x.abs())
    };
    if large == 0.0 {
        return Scaled::new(Dd::from(0.0), 0);
    }
    let (_, exponent) = libm::frexp(large);
    let large_mantissa = scale_to_unit(Dd::from(large), exponent);
    let small_exponent = if small == 0.0 {
        -100_000
    } else {
        libm::frexp(small).1
    };
    if small_exponent < exponent - 70 {
        return Scaled::new(large_mantissa, exponent);
    }
    let small_mantissa = scale_to_unit(Dd::from(small), exponent);
    let sum = large_mantissa
        .mul(large_mantissa)
        .add(small_mantissa.mul(small_mantissa));
    Scaled::new(sqrt(sum), exponent)
}

/// `ln x` for finite positive `x`, accurate relative to itself near 1 too: `log1p(x - 1)`
/// (`x - 1` exact) on [1/2, 2], where `log`'s sum `k ln2 + log(m)` would cancel.
pub fn log_relative(x: f64) -> Dd {
    if (0.5..=2.0).contains(&x) {
        log1p(x - 1.0)
    } else {
        log(x)
    }
}

/// `log2 x` for finite positive `x`.
pub fn log2(x: f64) -> Dd {
    log_relative(x).div(ln2())
}

/// ln 10 to about 106 bits.
const LN10: [f64; 2] = [std::f64::consts::LN_10, -2.1707562233822494e-16];

/// `log10 x` for finite positive `x`.
pub fn log10(x: f64) -> Dd {
    log_relative(x).div(fast_two_sum(LN10[0], LN10[1]))
}

/// `cbrt x` for finite nonzero `x` (subnormals included): `x = 2^(3j) a` with `a` in
/// [1/2, 4), libm's estimate of `cbrt(a)` and one Newton step `y + (a - y^3) / (3 y^2)` in
/// double-double (quadratic: from libm's 2^-52 to far below 2^-100), times `2^j`.
pub fn cbrt(x: f64) -> Scaled {
    let (mantissa, exponent) = libm::frexp(x.abs());
    let j = exponent.div_euclid(3);
    let a = libm::ldexp(mantissa, exponent - 3 * j);
    let y = Dd::from(libm::cbrt(a));
    let cube = y.mul(y).mul(y);
    let three_square = y.mul(y).mul_f64(3.0);
    let root = y.add(Dd::from(a).sub(cube).div(three_square));
    let signed = if x < 0.0 { root.neg() } else { root };
    Scaled::new(signed, j)
}

/// `2/pi` to 1280 bits, most significant first (`0.a2f9836e...`), for the exact reduction.
const TWO_OVER_PI: [u32; 40] = [
    0xa2f9836e, 0x4e441529, 0xfc2757d1, 0xf534ddc0, 0xdb629599, 0x3c439041, 0xfe5163ab, 0xdebbc561,
    0xb7246e3a, 0x424dd2e0, 0x06492eea, 0x09d1921c, 0xfe1deb1c, 0xb129a73e, 0xe88235f5, 0x2ebb4484,
    0xe99c7026, 0xb45f7e41, 0x3991d639, 0x835339f4, 0x9c845f8b, 0xbdf9283b, 0x1ff897ff, 0xde05980f,
    0xef2f118b, 0x5a0a6d1f, 0x6d367ecf, 0x27cb09b7, 0x4f463f66, 0x9e5fea2d, 0x7527bac7, 0xebe5f17b,
    0x3d0739f7, 0x8a5292ea, 0x6bfb5fb1, 0x1f8d5d08, 0x56033046, 0xfc7b6bab, 0xf0cfbc20, 0x9af4361d,
];

/// Bit `i` of `2/pi` (weight `2^-i`; 0 for `i <= 0`).
fn two_over_pi_bit(i: i64) -> u64 {
    if i <= 0 {
        return 0;
    }
    let position = (i - 1) as usize;
    u64::from((TWO_OVER_PI[position / 32] >> (31 - position % 32)) & 1)
}

/// `|x| = (k + f) pi/2` for finite `x`, `|f| <= 1/2`, in integer arithmetic: with `|x| = X 2^E`
/// (`X < 2^53`), `|x| 2/pi mod 4` is `X W 2^-254 mod 4` for the 256 bits `W` of `2/pi` from
/// weight `2^(1-E)` on (earlier bits give multiples of 4; later ones less than `2^-200`), so the
/// low 256 bits of the product `X W` are `|x| 2/pi mod 4` in units of `2^-254`. Returns
/// `k mod 4` and `f pi/2` in double-double.
pub fn reduce_half_pi(x: f64) -> (u32, Dd) {
    let (mantissa, exponent) = libm::frexp(x.abs());
    let integer = libm::ldexp(mantissa, 53) as u64;
    let first = i64::from(exponent - 53) - 1;
    // W as four 64-bit limbs, least significant first.
    let mut window = [0u64; 4];
    for t in 0..256 {
        let bit = two_over_pi_bit(first + t);
        let position = 255 - t as usize;
        window[position / 64] |= bit << (position % 64);
    }
    // The low 256 bits of X W, plus 2^253 so that the top two bits are round(y) mod 4.
    let mut product = [0u64; 4];
    let mut carry = 0u128;
    for (limb, word) in product.iter_mut().zip(window) {
        let wide = u128::from(integer) * u128::from(word) + carry;
        *limb = wide as u64;
        carry = wide >> 64;
    }
    product[3] = product[3].wrapping_add(1 << 61);
    let k = (product[3] >> 62) as u32;
    // f 2^254 = (the low 254 bits) - 2^253, as a signed number.
    product[3] &= (1 << 62) - 1;
    let negative = product[3] >> 61 == 0;
    if negative {
        // 2^253 - low bits.
        let mut borrow = 0u64;
        let mut magnitude = [0u64; 4];
        let top = [0u64, 0, 0, 1 << 61];
        for i in 0..4 {
            let (difference, borrow_a) = top[i].overflowing_sub(product[i]);
            let (difference, borrow_b) = difference.overflowing_sub(borrow);
            magnitude[i] = difference;
            borrow = u64::from(borrow_a || borrow_b);
        }
        product = magnitude;
    } else {
        product[3] -= 1 << 61;
    }
    // The magnitude in 32-bit pieces (exact doubles), summed from the smallest.
    let mut fraction = Dd::from(0.0);
    for i in 0..8 {
        let piece = (product[i / 2] >> (32 * (i % 2))) & 0xffff_ffff;
        let weight = power_of_two(32 * i as i32 - 254);
        fraction = fraction.add(Dd::from(piece as f64 * weight));
    }
    if negative {
        fraction = fraction.neg();
    }
    (k, fraction.mul(half_pi()))
}

/// pi/2 to about 160 bits, in three parts.
fn half_pi() -> Dd {
    let parts = [
        std::f64::consts::FRAC_PI_2,
        6.123233995736766e-17,
        -1.4973849048591698e-33,
    ];
    fast_two_sum(parts[0], parts[1]).add(Dd::from(parts[2]))
}

/// `sin r` and `cos r` for `|r| <= pi/4` by their Taylor series.
fn sin_cos_small(r: Dd) -> (Dd, Dd) {
    let square = r.mul(r);
    let mut sin_term = r;
    let mut sin = r;
    let mut cos_term = Dd::from(1.0);
    let mut cos = cos_term;
    for n in 1..=16 {
        let cos_divisor = ((2 * n - 1) * (2 * n)) as f64;
        let sin_divisor = ((2 * n) * (2 * n + 1)) as f64;
        cos_term = cos_term.mul(square).div(Dd::from(-cos_divisor));
        sin_term = sin_term.mul(square).div(Dd::from(-sin_divisor));
        cos = cos.add(cos_term);
        sin = sin.add(sin_term);
    }
    (sin, cos)
}

/// `sin x` and `cos x` for finite `x`: the exact reduction above (none below `pi/4`), the
/// Taylor series, and the quadrant's symmetries.
pub fn sin_cos(x: f64) -> (Dd, Dd) {
    let magnitude = x.abs();
    let (k, r) = if magnitude < std::f64::consts::FRAC_PI_4 {
        (0, Dd::from(magnitude))
    } else {
        reduce_half_pi(magnitude)
    };
    let (s, c) = sin_cos_small(r);
    let (s, c) = match k {
        0 => (s, c),
        1 => (c, s.neg()),
        2 => (s.neg(), c.neg()),
        _ => (c.neg(), s),
    };
    (if x < 0.0 { s.neg() } else { s }, c)
}

//! Double-double references (about 100 bits, far below an f64 ulp) for the accuracy sweep:
//! error-free transformations (Knuth's two-sum, Dekker's product through Veltkamp's split, so
//! no fused multiply-add is needed), `exp` by reduction to `|r| < 2^-11` and a Taylor series
//! squared back as few times as needed, `log` by one Newton step on `exp` from libm's estimate.

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

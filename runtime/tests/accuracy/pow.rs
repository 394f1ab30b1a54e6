//! `pow(x, y)`: at least 10^6 pairs per dtype against a double-double reference, and libm's
//! bits wherever an operand is special.
//!
//! The reference is `e^(y ln|x|)` with `ln|x|` from `reference::log_relative` (one Newton step
//! on the double-double `exp` from libm's estimate; `log1p(x - 1)` on [1/2, 2], so it stays
//! accurate relative to itself near 1), the product `y ln|x|` in double-double and
//! `reference::exp_scaled` of it, negated for negative `x` and odd integer `y`. Its error is
//! near 2^-90 relative to `y ln|x|`, far below an ulp of the result.

use nx_runtime::mathlib::kernels::{self, ScalarF32, ScalarF64};

use super::reference::{self, Dd, Scaled, power_of_two};
use super::{F32, F64, Format, MAX_ULP, Random, point_count, ulp_error};

fn pow_f64(x: f64, y: f64) -> f64 {
    kernels::pow(&mut ScalarF64, &kernels::F64, x, y)
}

fn pow_f32(x: f64, y: f64) -> f64 {
    f64::from(kernels::pow(
        &mut ScalarF32,
        &kernels::F32,
        x as f32,
        y as f32,
    ))
}

/// `y` is an odd integer (every float from 2^53 up is even).
fn is_odd_integer(y: f64) -> bool {
    y.fract() == 0.0 && y.abs() < 9007199254740992.0 && (y as i64) % 2 != 0
}

/// The exact `x^y` for finite nonzero `x` and finite `y`; `None` where it is nan (negative `x`,
/// non-integer `y`).
fn pow_reference(x: f64, y: f64) -> Option<Scaled> {
    if x < 0.0 && y.fract() != 0.0 {
        return None;
    }
    let sign = if x < 0.0 && is_odd_integer(y) {
        -1.0
    } else {
        1.0
    };
    let log = reference::log_relative(x.abs());
    // Far out (where the double-double product may overflow) the result is 0 or inf.
    let estimate = y * log.hi;
    if estimate.abs() > 2000.0 {
        let exponent = if estimate > 0.0 { 100_000 } else { -100_000 };
        return Some(Scaled::new(Dd::from(sign), exponent));
    }
    let z = log.mul_f64(y);
    let (mantissa, k) = reference::exp_scaled(z);
    Some(Scaled::new(mantissa.scale(sign), k))
}

/// Rounds to the format's floats (f32 values are held exactly in f64).
fn round(format: Format, value: f64) -> f64 {
    if format.precision == 24 {
        value as f32 as f64
    } else {
        value
    }
}

/// The largest finite float of the format.
fn max_float(format: Format) -> f64 {
    libm::ldexp(
        2.0 - libm::ldexp(1.0, 1 - format.precision),
        format.max_exponent,
    )
}

/// A magnitude with a random binade from the smallest subnormal to the largest float.
fn log_spaced(random: &mut Random, format: Format) -> f64 {
    let smallest = format.min_exponent - format.precision + 1;
    let exponent = smallest + (random.unit() * (format.max_exponent + 1 - smallest) as f64) as i32;
    round(
        format,
        libm::ldexp(1.0 + random.unit(), exponent).min(max_float(format)),
    )
}

/// The sweep for one format: `(x, y)` pairs with finite nonzero `x` and finite `y`, built
/// around `z = y ln|x|` in `[z_low, z_high]` (just past where results underflow to 0 and
/// overflow), with `z` near `edges` (overflow, the subnormal range's top, the smallest
/// subnormal and half of it) in fine windows.
fn pairs(
    format: Format,
    (z_low, z_high): (f64, f64),
    edges: &[f64],
    count: usize,
    seed: u64,
) -> Vec<(f64, f64)> {
    let mut random = Random(seed);
    let mut points = Vec::with_capacity(count);
    let sign = |random: &mut Random| if random.next() & 1 == 0 { 1.0 } else { -1.0 };
    // The y giving z (rounded), for |x| != 1.
    let exponent_for = |z: f64, x: f64| round(format, z / libm::log(x.abs()));
    while points.len() < count {
        let uniform_z = z_low + (z_high - z_low) * random.unit();
        let pair = match points.len() % 10 {
            // Any magnitude of x, any result.
            0..=2 => {
                let x = log_spaced(&mut random, format);
                (x, exponent_for(uniform_z, x))
            }
            // x near 1 (either side, 2^-1 to an ulp away), huge y.
            3 | 4 => {
                let distance = libm::ldexp(
                    1.0 + random.unit(),
                    -1 - (random.unit() * format.precision as f64) as i32,
                );
                let x = round(format, 1.0 + sign(&mut random) * distance);
                (x, exponent_for(uniform_z, x))
            }
            // Small and moderate y, also exact integers and halves.
            5 => {
                let x = log_spaced(&mut random, format);
                let y = match random.next() % 3 {
                    0 => (random.unit() * 64.0).floor() - 32.0,
                    1 => ((random.unit() * 64.0).floor() - 32.0) / 2.0 + 0.25,
                    _ => {
                        sign(&mut random)
                            * round(
                                format,
                                libm::ldexp(1.0 + random.unit(), -(random.unit() * 60.0) as i32),
                            )
                    }
                };
                (x, y)
            }
            // Negative x with integer y of either parity.
            6 | 7 => {
                let x = -log_spaced(&mut random, format);
                let y = exponent_for(uniform_z, x).round();
                let y = if y == 0.0 { sign(&mut random) } else { y };
                let y = if random.next() & 1 == 0 && y.abs() < 1e15 {
                    y + 1.0
                } else {
                    y
                };
                (x, round(format, y))
            }
            // Results near overflow, the subnormals and underflow.
            8 => {
                let x = log_spaced(&mut random, format);
                let edge = edges[(random.next() % edges.len() as u64) as usize];
                let window = libm::ldexp(random.unit() - 0.5, -30 - (random.unit() * 23.0) as i32);
                (x, exponent_for(edge * (1.0 + window), x))
            }
            // Any x and any y, both signs: mostly 0, inf, 1 and nan.
            _ => {
                let x = sign(&mut random) * log_spaced(&mut random, format);
                let y = sign(&mut random) * log_spaced(&mut random, format);
                (x, y)
            }
        };
        if pair.1.is_finite() {
            points.push(pair);
        }
    }
    points
}

/// `ulp_error`, except that an infinite result where the exact value is finite (just below
/// the overflow threshold) counts as `2^(max exponent + 1)`, the value IEEE rounding with an
/// unbounded exponent turns into inf: returning inf for `MAX (1 - 0.5 ulp - ε)` is an error
/// of about half an ulp, not an infinite one (sweeps dense around the threshold meet such
/// values, where any error short of correct rounding may tip the result over).
fn pow_error(ours: f64, reference: Option<Scaled>, format: Format) -> f64 {
    let error = ulp_error(ours, reference, format);
    match reference {
        Some(exact) if ours.is_infinite() && error.is_infinite() => {
            // Both halved, so that 2^max_exponent stands for 2^(max exponent + 1).
            let halved = Scaled {
                exponent: exact.exponent - 1,
                ..exact
            };
            let top = power_of_two(format.max_exponent).copysign(ours);
            ulp_error(top, Some(halved), format)
        }
        _ => error,
    }
}

fn sweep(name: &str, format: Format, pairs: &[(f64, f64)], pow: fn(f64, f64) -> f64) {
    let mut max_ulp = 0.0;
    let mut worst = (f64::NAN, f64::NAN);
    for &(x, y) in pairs {
        let error = pow_error(pow(x, y), pow_reference(x, y), format);
        if error > max_ulp || error.is_nan() {
            max_ulp = error;
            worst = (x, y);
        }
    }
    println!(
        "{name}: max {max_ulp:.3} ulp over {} pairs (worst at x = {:e}, y = {:e})",
        pairs.len(),
        worst.0,
        worst.1
    );
    assert!(
        max_ulp <= MAX_ULP,
        "{name}: {max_ulp} ulp at x = {:?}, y = {:?}",
        worst.0,
        worst.1
    );
}

#[test]
fn pow_f64_accuracy() {
    // Overflow (ln MAX), the smallest normal, the smallest subnormal, half of it.
    let edges = [
        709.782712893384,
        -708.3964185322641,
        -744.4400719213812,
        -745.1332191019411,
    ];
    let points = pairs(F64, (-760.0, 715.0), &edges, point_count(), 31);
    sweep("pow f64", F64, &points, pow_f64);
}

#[test]
fn pow_f32_accuracy() {
    let edges = [
        88.72283935546875,
        -87.3365447505531,
        -103.27892990343185,
        -103.97207708399179,
    ];
    let points = pairs(F32, (-110.0, 92.0), &edges, point_count(), 32);
    sweep("pow f32", F32, &points, pow_f32);
}

/// The reference itself is sound: libm's `pow` stays within an ulp of it, except for `|y| >
/// 2^31` (with `x` within 2^-20 of 1), where fdlibm's shortcut there (`log2 x` from a short
/// series in `t = x - 1` whose leading product `ivln2_h * t` is not exact) costs libm hundreds
/// of ulps (mpmath agrees with the reference there): that error is only printed.
#[test]
fn pow_reference_agrees_with_libm() {
    let points = pairs(F64, (-760.0, 715.0), &[709.782712893384], 20_000, 33);
    let (mut max, mut max_huge_y) = (0.0f64, 0.0f64);
    for (x, y) in points {
        let error = pow_error(libm::pow(x, y), pow_reference(x, y), F64);
        if y.abs() > 2147483648.0 {
            max_huge_y = max_huge_y.max(error);
        } else {
            max = max.max(error);
        }
    }
    println!(
        "libm pow f64 against the reference: max {max:.3} ulp (|y| > 2^31: {max_huge_y:.1} ulp)"
    );
    assert!(max < 1.0, "libm pow: {max} ulp");
}

/// Operands at which libm's `pow` is exact or special: all pairs with at least one special
/// operand (±0, ±inf, nan, x = ±1) must give libm's bits.
fn special_grid(format: Format, pow: fn(f64, f64) -> f64, libm_pow: fn(f64, f64) -> f64) {
    let smallest = libm::ldexp(1.0, format.min_exponent - format.precision + 1);
    let max = max_float(format);
    // The first even-only power of two, an odd integer below it, a half-integer.
    let even = libm::ldexp(1.0, format.precision);
    let odd = even - 1.0;
    let half_integer = libm::ldexp(1.0, format.precision - 2) + 0.5;
    let special = [0.0, f64::INFINITY, f64::NAN];
    let ordinary = [
        1.0,
        0.5,
        2.0,
        3.0,
        2.5,
        0.25,
        smallest,
        max,
        even,
        odd,
        half_integer,
        1e-3,
    ];
    let mut values = Vec::new();
    for value in special.into_iter().chain(ordinary) {
        values.extend([value, -value]);
    }
    let is_special = |value: f64| value.is_nan() || value == 0.0 || value.is_infinite();
    for &x in &values {
        for &y in &values {
            let got = pow(x, y);
            if is_special(x) || is_special(y) || x.abs() == 1.0 {
                let want = libm_pow(x, y);
                assert!(
                    (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits(),
                    "pow({x:e}, {y:e}) = {got:e}, libm gives {want:e}"
                );
            } else {
                let error = ulp_error(got, pow_reference(x, y), format);
                assert!(error <= MAX_ULP, "pow({x:e}, {y:e}) = {got:e}: {error} ulp");
            }
        }
    }
}

#[test]
fn pow_special_values() {
    special_grid(F64, pow_f64, libm::pow);
    special_grid(F32, pow_f32, |x, y| {
        f64::from(libm::powf(x as f32, y as f32))
    });
}

/// `x^j` is exact wherever it is a power of two: `2^j` for every `j` of the format
/// (subnormals included), `(1/2)^j`, and `(-2)^j` with the sign of `j`'s parity.
#[test]
fn pow_is_exact_at_powers_of_two() {
    for j in -1074..=1023 {
        let expected = power_of_two(j);
        let sign = if j % 2 == 0 { 1.0 } else { -1.0 };
        let j = f64::from(j);
        assert_eq!(pow_f64(2.0, j), expected, "2^{j} f64");
        assert_eq!(pow_f64(0.5, -j), expected, "0.5^{} f64", -j);
        assert_eq!(pow_f64(-2.0, j), sign * expected, "(-2)^{j} f64");
    }
    for j in -149..=127 {
        let expected = power_of_two(j);
        let j = f64::from(j);
        assert_eq!(pow_f32(2.0, j), expected, "2^{j} f32");
        assert_eq!(pow_f32(0.5, -j), expected, "0.5^{} f32", -j);
    }
}

/// `n^j` is exact wherever it is a float's integer (below 2^53, f32: 2^24), for `n` up to 200,
/// as libm's `pow` gives it.
#[test]
fn pow_is_exact_on_integer_powers() {
    for n in 2u64..200 {
        let mut power = n;
        for j in 2.. {
            let Some(next) = power.checked_mul(n).filter(|&next| next < 1 << 53) else {
                break;
            };
            power = next;
            let (x, y) = (n as f64, f64::from(j));
            assert_eq!(pow_f64(x, y), power as f64, "{n}^{j} f64");
            if power < 1 << 24 {
                assert_eq!(pow_f32(x, y), power as f64, "{n}^{j} f32");
            }
        }
    }
}

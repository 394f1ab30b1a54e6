//! Accuracy of nx's own math functions (`mathlib::kernels`, the code the JIT also emits inline):
//! for each function and dtype, at least 10^6 points spread over the whole domain — log-spaced
//! magnitudes of both signs, uniform points over the interesting range, dense runs around the
//! overflow and underflow thresholds and around 1 for `log`, subnormals, ±0, ±inf and nan — are
//! compared with a double-double reference (`reference.rs`), and the maximum error in ulps must
//! stay within the spec's bound (§8: 4 ulp). Special values must equal libm's.
//!
//! The `blocks` module checks that the block routines (`mathlib::blocks`) give the scalar
//! functions' bits on every instruction set the host runs.
//!
//! `cargo test -p nx-runtime --test accuracy -- --nocapture` prints each function's measured
//! maximum (the numbers in `docs/ACCURACY.md`); `NX_ACCURACY_POINTS=N` sweeps N points instead.

mod blocks;
mod pow;
mod reference;

use std::f64::consts::{FRAC_1_SQRT_2, SQRT_2};

use nx_runtime::mathlib;
use reference::{Dd, Scaled, power_of_two};

/// The spec's bound.
const MAX_ULP: f64 = 4.0;

/// A binary float format for ulp arithmetic.
#[derive(Clone, Copy)]
struct Format {
    /// Precision in bits, the implicit one included.
    precision: i32,
    min_exponent: i32,
    max_exponent: i32,
}

const F64: Format = Format {
    precision: 53,
    min_exponent: -1022,
    max_exponent: 1023,
};

const F32: Format = Format {
    precision: 24,
    min_exponent: -126,
    max_exponent: 127,
};

impl Format {
    /// `value` rounded to the format (f32 values are held in f64 exactly).
    fn round(self, value: f64) -> f64 {
        if self.precision == 24 {
            value as f32 as f64
        } else {
            value
        }
    }

    /// The float `steps` representable values from `value` (`value` in the format).
    fn step(self, value: f64, steps: i64) -> f64 {
        let magnitude = value.abs();
        let moved = if self.precision == 24 {
            let bits = (magnitude as f32).to_bits() as i64 + steps;
            f32::from_bits(bits as u32) as f64
        } else {
            f64::from_bits((magnitude.to_bits() as i64 + steps) as u64)
        };
        moved.copysign(value)
    }
}

/// The error of `ours` against the exact `reference`, in ulps of the reference's binade in
/// `format` (a subnormal reference has the subnormal ulp). Infinite when `ours` is inf or 0
/// but the rounded reference is not, or when nan-ness differs.
fn ulp_error(ours: f64, reference: Option<Scaled>, format: Format) -> f64 {
    let Some(reference) = reference else {
        return if ours.is_nan() { 0.0 } else { f64::INFINITY };
    };
    if ours.is_nan() {
        return f64::INFINITY;
    }
    let exponent = reference.exponent;
    if reference.mantissa.hi == 0.0 {
        return if ours == 0.0 { 0.0 } else { f64::INFINITY };
    }
    // Rounds to inf when at least (2 - 2^-precision) 2^max_exponent.
    let overflows = exponent > format.max_exponent
        || (exponent == format.max_exponent
            && reference.mantissa.hi.abs() >= 2.0 - libm::ldexp(1.0, -format.precision));
    if ours.is_infinite() {
        let same_sign = (ours > 0.0) == (reference.mantissa.hi > 0.0);
        return if overflows && same_sign {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if exponent > format.max_exponent + 2 {
        return f64::INFINITY;
    }
    // |ours 2^-e - mantissa| / (ulp 2^-e), with ours 2^-e near the mantissa (exact scaling).
    let scaled = if exponent < -2000 {
        // Far below the smallest subnormal: only 0 is right.
        return if ours == 0.0 { 0.0 } else { f64::INFINITY };
    } else {
        ours * power_of_two(-exponent / 2) * power_of_two(-exponent + exponent / 2)
    };
    let difference = Dd::from(scaled).sub(reference.mantissa);
    let ulp_exponent = exponent.max(format.min_exponent) - (format.precision - 1);
    difference.hi.abs() / power_of_two(ulp_exponent - exponent)
}

/// A reproducible stream of u64s (SplitMix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A float of `format` with a random sign and a random binade from the smallest subnormal
    /// to that of `top` (so every magnitude is covered logarithmically).
    fn log_spaced(&mut self, format: Format, top: f64) -> f64 {
        let smallest_exponent = format.min_exponent - format.precision + 1;
        let top_exponent = libm::ilogb(top) + 1;
        let exponent =
            smallest_exponent + (self.unit() * (top_exponent - smallest_exponent) as f64) as i32;
        let magnitude = format.round(libm::ldexp(1.0 + self.unit(), exponent));
        if self.next() & 1 == 0 {
            magnitude
        } else {
            -magnitude
        }
    }
}

/// How many points each function and dtype gets.
fn point_count() -> usize {
    std::env::var("NX_ACCURACY_POINTS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1_000_000)
}

/// The special inputs every sweep includes.
fn special_inputs(format: Format) -> Vec<f64> {
    let smallest_subnormal = libm::ldexp(1.0, format.min_exponent - format.precision + 1);
    let min_normal = libm::ldexp(1.0, format.min_exponent);
    let max = libm::ldexp(
        2.0 - libm::ldexp(1.0, 1 - format.precision),
        format.max_exponent,
    );
    let mut inputs = vec![
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1.0,
        -1.0,
        2.0,
        0.5,
        smallest_subnormal,
        -smallest_subnormal,
        min_normal,
        min_normal - smallest_subnormal,
        max,
        -max,
    ];
    for step in 1..64 {
        inputs.push(smallest_subnormal * step as f64);
    }
    inputs
}

/// Points for a function on `[low, high]` (finite): log-spaced magnitudes of both signs within
/// it (every binade), uniform points, and runs of consecutive floats around each of `edges`.
fn sweep(format: Format, low: f64, high: f64, edges: &[f64], count: usize, seed: u64) -> Vec<f64> {
    let mut random = Random(seed);
    let mut points = special_inputs(format);
    let round = |value: f64| format.round(value);
    let run = 200;
    for edge in edges {
        let edge = round(*edge);
        for offset in -run..run {
            points.push(format.step(edge, offset));
        }
    }
    let remaining = count.saturating_sub(points.len());
    let log_spaced = remaining / 2;
    let top = high.abs().max(low.abs());
    for _ in 0..log_spaced {
        let point = random.log_spaced(format, top);
        if point >= low && point <= high {
            points.push(point);
        } else {
            points.push(round(low + (high - low) * random.unit()));
        }
    }
    while points.len() < count {
        points.push(round(low + (high - low) * random.unit()));
    }
    points
}

/// An input of a function under test: one float, or a pair for two-operand functions.
trait Input: Copy {
    fn describe(self) -> String;
}

impl Input for f64 {
    fn describe(self) -> String {
        format!("x = {self:e} ({self:?})")
    }
}

impl Input for (f64, f64) {
    fn describe(self) -> String {
        let (first, second) = self;
        format!("arguments ({first:e}, {second:e}) ({first:?}, {second:?})")
    }
}

/// One function's measurement: the worst input and its error.
struct Measured<P> {
    max_ulp: f64,
    worst_input: Option<P>,
    points: usize,
}

fn measure<P: Input>(
    points: &[P],
    ours: impl Fn(P) -> f64,
    reference: impl Fn(P) -> Option<Scaled>,
    format: Format,
) -> Measured<P> {
    let mut measured = Measured {
        max_ulp: 0.0,
        worst_input: None,
        points: points.len(),
    };
    for &x in points {
        let error = ulp_error(ours(x), reference(x), format);
        if error > measured.max_ulp || error.is_nan() {
            measured.max_ulp = error;
            measured.worst_input = Some(x);
        }
    }
    measured
}

fn check<P: Input>(name: &str, measured: Measured<P>) {
    let worst = measured
        .worst_input
        .map_or("none".to_string(), Input::describe);
    println!(
        "{name}: max {:.3} ulp over {} points (worst at {worst})",
        measured.max_ulp, measured.points
    );
    assert!(
        measured.max_ulp <= MAX_ULP,
        "{name}: {} ulp at {worst}",
        measured.max_ulp
    );
}

/// Ours equals libm on special inputs (nan for nan, same bits otherwise).
fn check_specials<P: Input>(
    name: &str,
    inputs: &[P],
    ours: impl Fn(P) -> f64,
    libm_function: impl Fn(P) -> f64,
) {
    for &x in inputs {
        let (got, want) = (ours(x), libm_function(x));
        assert!(
            (got.is_nan() && want.is_nan()) || got.to_bits() == want.to_bits(),
            "{name} at {} = {got:e}, libm gives {want:e}",
            x.describe()
        );
    }
}

/// Measures `ours` against `reference` on `points` (at most `MAX_ULP`), then compares it with
/// libm on `specials`.
fn verify_points<P: Input>(
    name: &str,
    format: Format,
    (points, specials): (&[P], &[P]),
    ours: impl Fn(P) -> f64,
    reference: impl Fn(P) -> Option<Scaled>,
    libm_function: impl Fn(P) -> f64,
) {
    check(name, measure(points, &ours, reference, format));
    check_specials(name, specials, ours, libm_function);
}

fn exp_reference(x: f64) -> Option<Scaled> {
    growth_reference(x, reference::exp)
}

fn exp2_reference(x: f64) -> Option<Scaled> {
    growth_reference(x, reference::exp2)
}

/// The reference of an exponential: `exact` on moderate inputs, inf and 0 far out.
fn growth_reference(x: f64, exact: fn(f64) -> Scaled) -> Option<Scaled> {
    if x.is_nan() {
        return None;
    }
    let value = if x == f64::INFINITY {
        Scaled::new(Dd::from(1.0), 100_000)
    } else if x == f64::NEG_INFINITY {
        Scaled::new(Dd::from(0.0), 0)
    } else if x.abs() > 2000.0 {
        Scaled::new(Dd::from(1.0), if x > 0.0 { 100_000 } else { -100_000 })
    } else {
        exact(x)
    };
    Some(value)
}

fn expm1_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() {
        return None;
    }
    let exact = if x == f64::INFINITY || x > 2000.0 {
        Scaled::new(Dd::from(1.0), 100_000)
    } else if x < -2000.0 {
        Scaled::new(Dd::from(-1.0), 0)
    } else {
        reference::expm1(x)
    };
    Some(exact)
}

fn hyperbolic_reference(x: f64, odd: bool) -> Option<Scaled> {
    if x.is_nan() {
        return None;
    }
    if odd && x.abs() < libm::ldexp(1.0, -60) {
        return Some(Scaled::of(x));
    }
    let exact = if x.is_infinite() || x.abs() > 2000.0 {
        let sign = if odd { x.signum() } else { 1.0 };
        Scaled::new(Dd::from(sign), 100_000)
    } else {
        reference::hyperbolic(x, odd)
    };
    Some(exact)
}

fn sinh_reference(x: f64) -> Option<Scaled> {
    hyperbolic_reference(x, true)
}

fn cosh_reference(x: f64) -> Option<Scaled> {
    hyperbolic_reference(x, false)
}

fn tanh_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() {
        return None;
    }
    if x.abs() < libm::ldexp(1.0, -60) {
        // x - x^3/3: the rest is below 2^-120 of x.
        return Some(Scaled::of(x));
    }
    let exact = if x.is_infinite() {
        Dd::from(x.signum())
    } else {
        reference::tanh(x)
    };
    Some(Scaled::new(exact, 0))
}

fn log1p_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() || x < -1.0 {
        return None;
    }
    if x.abs() < libm::ldexp(1.0, -60) {
        // x - x^2/2: the rest is below 2^-60 of x.
        return Some(Scaled::of(x));
    }
    let exact = if x == -1.0 {
        Scaled::new(Dd::from(-1.0), 100_000)
    } else if x == f64::INFINITY {
        Scaled::new(Dd::from(1.0), 100_000)
    } else {
        Scaled::new(reference::log1p(x), 0)
    };
    Some(exact)
}

fn log_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() || x < 0.0 {
        return None;
    }
    let exact = if x == 0.0 {
        Scaled::new(Dd::from(-1.0), 100_000)
    } else if x == f64::INFINITY {
        Scaled::new(Dd::from(1.0), 100_000)
    } else {
        Scaled::new(reference::log(x), 0)
    };
    Some(exact)
}

/// The reference of `log2` or `log10` (`exact`): like `log`'s.
fn log_base_reference(x: f64, exact: fn(f64) -> Dd) -> Option<Scaled> {
    if x.is_nan() || x < 0.0 {
        return None;
    }
    let value = if x == 0.0 {
        Scaled::new(Dd::from(-1.0), 100_000)
    } else if x == f64::INFINITY {
        Scaled::new(Dd::from(1.0), 100_000)
    } else {
        Scaled::new(exact(x), 0)
    };
    Some(value)
}

fn log2_reference(x: f64) -> Option<Scaled> {
    log_base_reference(x, reference::log2)
}

fn log10_reference(x: f64) -> Option<Scaled> {
    log_base_reference(x, reference::log10)
}

fn cbrt_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() {
        return None;
    }
    let value = if x == 0.0 {
        Scaled::new(Dd::from(0.0), 0)
    } else if x.is_infinite() {
        Scaled::new(Dd::from(x.signum()), 100_000)
    } else {
        reference::cbrt(x)
    };
    Some(value)
}

/// `sin x`, `cos x` or `tan x` in double-double from the reference's `sin_cos`; `x` itself for
/// the odd ones below `2^-60` (the rest is below `2^-120` of it).
fn trig_reference(x: f64, function: fn(Dd, Dd) -> Dd, odd: bool) -> Option<Scaled> {
    if !x.is_finite() {
        return None;
    }
    if odd && x.abs() < libm::ldexp(1.0, -60) {
        return Some(Scaled::of(x));
    }
    let (sin, cos) = reference::sin_cos(x);
    Some(Scaled::new(function(sin, cos), 0))
}

fn sin_reference(x: f64) -> Option<Scaled> {
    trig_reference(x, |sin, _| sin, true)
}

fn cos_reference(x: f64) -> Option<Scaled> {
    trig_reference(x, |_, cos| cos, false)
}

fn tan_reference(x: f64) -> Option<Scaled> {
    trig_reference(x, |sin, cos| sin.div(cos), true)
}

const SPECIAL_TRIG_INPUTS: &[f64] = &[
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1e-320,
    -1e-320,
    1e-40,
];

const SPECIAL_EXP_INPUTS: &[f64] = &[
    0.0,
    -0.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1000.0,
    -1000.0,
    1e-320,
    -1e-320,
];

const SPECIAL_LOG_INPUTS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    -1e-320,
];

const SPECIAL_CBRT_INPUTS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    8.0,
    -8.0,
    0.125,
    -27.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1e-320,
    -1e-320,
    -5e-324,
];

/// One function and dtype under test: the domain and edges of its sweep, and the inputs on
/// which it must give libm's bits.
struct Case<'a> {
    name: &'a str,
    format: Format,
    domain: (f64, f64),
    edges: &'a [f64],
    seed: u64,
    specials: &'a [f64],
}

/// Sweeps `ours` against `reference` (at most `MAX_ULP`), then compares it with libm on the
/// special inputs.
fn verify(
    case: Case,
    ours: impl Fn(f64) -> f64,
    reference: impl Fn(f64) -> Option<Scaled>,
    libm_function: impl Fn(f64) -> f64,
) {
    let (low, high) = case.domain;
    let points = sweep(case.format, low, high, case.edges, point_count(), case.seed);
    let inputs = (&points[..], case.specials);
    verify_points(
        case.name,
        case.format,
        inputs,
        ours,
        reference,
        libm_function,
    );
}

/// An f32 function as one on f64 values (which the f32 sweeps hold exactly).
fn widened(function: impl Fn(f32) -> f32) -> impl Fn(f64) -> f64 {
    move |x| f64::from(function(x as f32))
}

#[test]
fn exp_f64() {
    let edges = [
        709.782712893384,
        -708.3964185322641,
        -745.1332191019411,
        0.0,
    ];
    let case = Case {
        name: "exp f64",
        format: F64,
        domain: (-750.0, 712.0),
        edges: &edges,
        seed: 1,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(case, |x| mathlib::nx_exp_f64(x), exp_reference, libm::exp);
}

#[test]
fn exp_f32() {
    let edges = [
        88.72283935546875,
        -87.3365447505531,
        -103.97207641601562,
        0.0,
    ];
    let case = Case {
        name: "exp f32",
        format: F32,
        domain: (-110.0, 90.0),
        edges: &edges,
        seed: 2,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_exp_f32(x)),
        exp_reference,
        widened(libm::expf),
    );
}

#[test]
fn exp2_f64() {
    let edges = [1024.0, 1023.0, -1022.0, -1074.0, -1075.0, 0.0];
    let case = Case {
        name: "exp2 f64",
        format: F64,
        domain: (-1080.0, 1030.0),
        edges: &edges,
        seed: 7,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_exp2_f64(x),
        exp2_reference,
        libm::exp2,
    );
}

#[test]
fn exp2_f32() {
    let edges = [128.0, 127.0, -126.0, -149.0, -150.0, 0.0];
    let case = Case {
        name: "exp2 f32",
        format: F32,
        domain: (-155.0, 130.0),
        edges: &edges,
        seed: 8,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_exp2_f32(x)),
        exp2_reference,
        widened(libm::exp2f),
    );
}

#[test]
fn expm1_f64() {
    let edges = [709.782712893384, 0.0, 0.5, -0.5, -37.5, -38.0];
    let case = Case {
        name: "expm1 f64",
        format: F64,
        domain: (-800.0, 712.0),
        edges: &edges,
        seed: 9,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_expm1_f64(x),
        expm1_reference,
        libm::expm1,
    );
}

#[test]
fn expm1_f32() {
    let edges = [88.72283935546875, 0.0, 0.5, -0.5, -17.0];
    let case = Case {
        name: "expm1 f32",
        format: F32,
        domain: (-110.0, 90.0),
        edges: &edges,
        seed: 10,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_expm1_f32(x)),
        expm1_reference,
        widened(libm::expm1f),
    );
}

#[test]
fn sinh_cosh_f64() {
    let edges = [
        0.0,
        0.5,
        -0.5,
        22.0,
        -22.0,
        709.782712893384,
        710.4758600739439,
    ];
    let case = |name| Case {
        name,
        format: F64,
        domain: (-712.0, 712.0),
        edges: &edges,
        seed: 13,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case("sinh f64"),
        |x| mathlib::nx_sinh_f64(x),
        sinh_reference,
        libm::sinh,
    );
    verify(
        case("cosh f64"),
        |x| mathlib::nx_cosh_f64(x),
        cosh_reference,
        libm::cosh,
    );
}

#[test]
fn sinh_cosh_f32() {
    let edges = [
        0.0,
        0.5,
        -0.5,
        10.0,
        -10.0,
        88.72283935546875,
        89.41598510742188,
    ];
    let case = |name| Case {
        name,
        format: F32,
        domain: (-92.0, 92.0),
        edges: &edges,
        seed: 14,
        specials: SPECIAL_EXP_INPUTS,
    };
    let (sinh, cosh) = (
        widened(|x| mathlib::nx_sinh_f32(x)),
        widened(|x| mathlib::nx_cosh_f32(x)),
    );
    verify(case("sinh f32"), sinh, sinh_reference, widened(libm::sinhf));
    verify(case("cosh f32"), cosh, cosh_reference, widened(libm::coshf));
}

#[test]
fn tanh_f64() {
    let edges = [0.0, 0.5, -0.5, 19.0, 22.0, -22.0, 1e-8];
    let case = Case {
        name: "tanh f64",
        format: F64,
        domain: (-30.0, 30.0),
        edges: &edges,
        seed: 11,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_tanh_f64(x),
        tanh_reference,
        libm::tanh,
    );
}

#[test]
fn tanh_f32() {
    let edges = [0.0, 0.5, -0.5, 9.0, 10.0, -10.0, 1e-4];
    let case = Case {
        name: "tanh f32",
        format: F32,
        domain: (-15.0, 15.0),
        edges: &edges,
        seed: 12,
        specials: SPECIAL_EXP_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_tanh_f32(x)),
        tanh_reference,
        widened(libm::tanhf),
    );
}

#[test]
fn log1p_f64() {
    let edges = [-1.0, -0.5, 0.0, 1e-10, 1.0, 9007199254740992.0];
    let case = Case {
        name: "log1p f64",
        format: F64,
        domain: (-1.0, f64::MAX),
        edges: &edges,
        seed: 15,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_log1p_f64(x),
        log1p_reference,
        libm::log1p,
    );
}

#[test]
fn log1p_f32() {
    let edges = [-1.0, -0.5, 0.0, 1e-5, 1.0, 16777216.0];
    let case = Case {
        name: "log1p f32",
        format: F32,
        domain: (-1.0, f32::MAX as f64),
        edges: &edges,
        seed: 16,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_log1p_f32(x)),
        log1p_reference,
        widened(libm::log1pf),
    );
}

#[test]
fn log_f64() {
    let edges = [1.0, FRAC_1_SQRT_2, SQRT_2, 2.0, 0.5];
    let case = Case {
        name: "log f64",
        format: F64,
        domain: (-1.0, f64::MAX),
        edges: &edges,
        seed: 3,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(case, |x| mathlib::nx_log_f64(x), log_reference, libm::log);
}

#[test]
fn log_f32() {
    let edges = [1.0, FRAC_1_SQRT_2, SQRT_2, 2.0, 0.5];
    let case = Case {
        name: "log f32",
        format: F32,
        domain: (-1.0, f32::MAX as f64),
        edges: &edges,
        seed: 4,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_log_f32(x)),
        log_reference,
        widened(libm::logf),
    );
}

#[test]
fn log2_f64() {
    let edges = [1.0, FRAC_1_SQRT_2, SQRT_2, 2.0, 0.5, 1024.0];
    let case = Case {
        name: "log2 f64",
        format: F64,
        domain: (-1.0, f64::MAX),
        edges: &edges,
        seed: 17,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_log2_f64(x),
        log2_reference,
        libm::log2,
    );
}

#[test]
fn log2_f32() {
    let edges = [1.0, FRAC_1_SQRT_2, SQRT_2, 2.0, 0.5, 1024.0];
    let case = Case {
        name: "log2 f32",
        format: F32,
        domain: (-1.0, f32::MAX as f64),
        edges: &edges,
        seed: 18,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_log2_f32(x)),
        log2_reference,
        widened(libm::log2f),
    );
}

/// `log2(2^k)` is exactly `k` for every power of two, subnormals included.
#[test]
fn log2_is_exact_at_powers_of_two() {
    for k in -1074..=1023 {
        let x = power_of_two(k);
        assert_eq!(mathlib::nx_log2_f64(x), f64::from(k), "log2(2^{k}) f64");
    }
    for k in -149..=127 {
        let x = power_of_two(k) as f32;
        assert_eq!(mathlib::nx_log2_f32(x), k as f32, "log2(2^{k}) f32");
    }
}

#[test]
fn log10_f64() {
    let edges = [1.0, FRAC_1_SQRT_2, SQRT_2, 2.0, 0.5, 10.0, 1000.0];
    let case = Case {
        name: "log10 f64",
        format: F64,
        domain: (-1.0, f64::MAX),
        edges: &edges,
        seed: 19,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_log10_f64(x),
        log10_reference,
        libm::log10,
    );
}

#[test]
fn log10_f32() {
    let edges = [1.0, FRAC_1_SQRT_2, SQRT_2, 2.0, 0.5, 10.0, 1000.0];
    let case = Case {
        name: "log10 f32",
        format: F32,
        domain: (-1.0, f32::MAX as f64),
        edges: &edges,
        seed: 20,
        specials: SPECIAL_LOG_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_log10_f32(x)),
        log10_reference,
        widened(libm::log10f),
    );
}

/// `log10(10^j)` is exactly `j` for every power of ten the format holds exactly (f64: up to
/// 10^22, f32: up to 10^10), and so is `log10` of the float nearest any other normal power of
/// ten (`log10(0.001) == -3`), as a correctly rounded `log10` gives: the float is within half
/// an ulp of `10^j`, which moves the logarithm by far less than half an ulp of `j`.
#[test]
fn log10_is_exact_at_powers_of_ten() {
    for j in 0..=22 {
        let x: f64 = format!("1e{j}").parse().unwrap();
        assert_eq!(mathlib::nx_log10_f64(x), f64::from(j), "log10(1e{j}) f64");
    }
    for j in 0..=10 {
        let x: f32 = format!("1e{j}").parse().unwrap();
        assert_eq!(mathlib::nx_log10_f32(x), j as f32, "log10(1e{j}) f32");
    }
    for j in -307..=308 {
        let x: f64 = format!("1e{j}").parse().unwrap();
        assert_eq!(mathlib::nx_log10_f64(x), f64::from(j), "log10(1e{j}) f64");
    }
    for j in -37..=38 {
        let x: f32 = format!("1e{j}").parse().unwrap();
        assert_eq!(mathlib::nx_log10_f32(x), j as f32, "log10(1e{j}) f32");
    }
}

#[test]
fn cbrt_f64() {
    let edges = [
        0.0,
        1.0,
        -1.0,
        8.0,
        0.125,
        f64::MIN_POSITIVE,
        FRAC_1_SQRT_2,
        SQRT_2,
    ];
    let case = Case {
        name: "cbrt f64",
        format: F64,
        domain: (-f64::MAX, f64::MAX),
        edges: &edges,
        seed: 21,
        specials: SPECIAL_CBRT_INPUTS,
    };
    verify(
        case,
        |x| mathlib::nx_cbrt_f64(x),
        cbrt_reference,
        libm::cbrt,
    );
}

#[test]
fn cbrt_f32() {
    let edges = [
        0.0,
        1.0,
        -1.0,
        8.0,
        0.125,
        f32::MIN_POSITIVE as f64,
        FRAC_1_SQRT_2,
        SQRT_2,
    ];
    let case = Case {
        name: "cbrt f32",
        format: F32,
        domain: (-f32::MAX as f64, f32::MAX as f64),
        edges: &edges,
        seed: 22,
        specials: SPECIAL_CBRT_INPUTS,
    };
    verify(
        case,
        widened(|x| mathlib::nx_cbrt_f32(x)),
        cbrt_reference,
        widened(libm::cbrtf),
    );
}

/// `cbrt(y^3) == y` whenever `y^3` is a float: `y = n 2^e` for every odd `n` whose cube fits
/// the format's precision (f64: `n < 2^17`, f32: `n < 2^8`), both signs, and exponents `e`
/// putting the cube anywhere from the subnormals to the top of the range.
#[test]
fn cbrt_is_exact_on_exact_cubes() {
    let mut random = Random(23);
    let mut libm_inexact = 0;
    for n in (1u64..1 << 17).step_by(2) {
        let cube_bits = 64 - (n * n * n).leading_zeros() as i32;
        for _ in 0..4 {
            // 2^(3e) n^3 between the smallest subnormal's exponent and the largest float's.
            let low = (-1074i32).div_euclid(3) + 1;
            let high = (1024 - cube_bits) / 3;
            let e = low + (random.next() % (high - low + 1) as u64) as i32;
            let sign = if random.next() & 1 == 0 { 1.0 } else { -1.0 };
            let y = sign * n as f64 * power_of_two(e);
            let x = y * y * y;
            assert_eq!(mathlib::nx_cbrt_f64(x), y, "cbrt({x:e}) f64");
            libm_inexact += usize::from(libm::cbrt(x) != y);
        }
    }
    for n in (1u32..1 << 8).step_by(2) {
        let cube_bits = 32 - (n * n * n).leading_zeros() as i32;
        for e in (-149i32).div_euclid(3) + 1..=(128 - cube_bits) / 3 {
            for sign in [1.0f32, -1.0] {
                let y = sign * n as f32 * power_of_two(e) as f32;
                let x = y * y * y;
                assert_eq!(f64::from(x), f64::from(y).powi(3), "{y:e} cubed is exact");
                assert_eq!(mathlib::nx_cbrt_f32(x), y, "cbrt({x:e}) f32");
                libm_inexact += usize::from(libm::cbrtf(x) != y);
            }
        }
    }
    println!("cbrt of exact cubes: libm inexact on {libm_inexact}");
}

/// Runs of floats around these: multiples of pi/4; for huge arguments, the f64 (and a large
/// f32) closest to a multiple of pi/2 (Muller, Elementary Functions, 11.3); below the
/// Cody-Waite bounds, which are here too (2^21, f32: 2^12), the f64 and the f32 closest to one
/// (`r` about 2^-60.5 and 2^-27.8, found by trying every multiple).
fn trig_edges() -> Vec<f64> {
    let mut edges: Vec<f64> = (1..=8)
        .map(|k| k as f64 * std::f64::consts::FRAC_PI_4)
        .collect();
    edges.extend([
        libm::ldexp(6381956970095103.0, 797),
        libm::ldexp(16367173.0, 72),
        1e22,
        -1e22,
        1e6,
        45.553093477052,
        252.89820861816406,
        2097152.0,
        4096.0,
    ]);
    edges
}

/// Sweeps a trigonometric function over the whole float range (every binade, huge arguments
/// included) and over `[-1000, 1000]` (uniform points where most inputs are).
fn verify_trig(
    name: &str,
    format: Format,
    seed: u64,
    ours: impl Fn(f64) -> f64,
    reference: impl Fn(f64) -> Option<Scaled>,
    libm_function: impl Fn(f64) -> f64,
) {
    let max = libm::ldexp(
        2.0 - libm::ldexp(1.0, 1 - format.precision),
        format.max_exponent,
    );
    let edges = trig_edges();
    for (domain, seed) in [((-max, max), seed), ((-1000.0, 1000.0), seed + 1)] {
        let case = Case {
            name,
            format,
            domain,
            edges: &edges,
            seed,
            specials: SPECIAL_TRIG_INPUTS,
        };
        verify(case, &ours, &reference, &libm_function);
    }
}

#[test]
fn sin_f64() {
    verify_trig(
        "sin f64",
        F64,
        17,
        |x| mathlib::nx_sin_f64(x),
        sin_reference,
        libm::sin,
    );
}

#[test]
fn sin_f32() {
    let ours = widened(|x| mathlib::nx_sin_f32(x));
    verify_trig("sin f32", F32, 19, ours, sin_reference, widened(libm::sinf));
}

#[test]
fn cos_f64() {
    verify_trig(
        "cos f64",
        F64,
        21,
        |x| mathlib::nx_cos_f64(x),
        cos_reference,
        libm::cos,
    );
}

#[test]
fn cos_f32() {
    let ours = widened(|x| mathlib::nx_cos_f32(x));
    verify_trig("cos f32", F32, 23, ours, cos_reference, widened(libm::cosf));
}

#[test]
fn tan_f64() {
    verify_trig(
        "tan f64",
        F64,
        25,
        |x| mathlib::nx_tan_f64(x),
        tan_reference,
        libm::tan,
    );
}

#[test]
fn tan_f32() {
    let ours = widened(|x| mathlib::nx_tan_f32(x));
    verify_trig("tan f32", F32, 27, ours, tan_reference, widened(libm::tanf));
}

/// The reference itself is sound: libm's f64 results (correctly rounded or nearly) stay within
/// an ulp of it (atan2: 1.5).
#[test]
fn reference_agrees_with_libm() {
    let points = sweep(F64, -745.0, 709.0, &[], 20_000, 5);
    let exp = measure(&points, libm::exp, exp_reference, F64);
    println!(
        "libm exp f64 against the reference: max {:.3} ulp",
        exp.max_ulp
    );
    assert!(exp.max_ulp < 1.0, "libm exp: {} ulp", exp.max_ulp);
    let positive = sweep(F64, 0.0, f64::MAX, &[1.0], 20_000, 6);
    let log = measure(&positive, libm::log, log_reference, F64);
    println!(
        "libm log f64 against the reference: max {:.3} ulp",
        log.max_ulp
    );
    assert!(log.max_ulp < 1.0, "libm log: {} ulp", log.max_ulp);
    let points = sweep(F64, -1.0, 1.0, &[0.5, 1.0], 20_000, 25);
    let asin = measure(&points, libm::asin, asin_reference, F64);
    let acos = measure(&points, libm::acos, acos_reference, F64);
    let points = sweep(F64, -8.0, 8.0, ATAN_EDGES, 20_000, 26);
    let atan = measure(&points, libm::atan, atan_reference, F64);
    let pairs = pair_sweep(F64, ATAN2_RATIOS, 20_000, 27);
    let atan2 = measure(
        &pairs,
        |(y, x)| libm::atan2(y, x),
        |(y, x)| atan2_reference(y, x),
        F64,
    );
    let hypot = measure(
        &pairs,
        |(x, y)| libm::hypot(x, y),
        |(x, y)| hypot_reference(x, y),
        F64,
    );
    let log2 = measure(&positive, libm::log2, log2_reference, F64);
    let log10 = measure(&positive, libm::log10, log10_reference, F64);
    let points = sweep(F64, -f64::MAX, f64::MAX, &[1.0], 20_000, 24);
    let cbrt = measure(&points, libm::cbrt, cbrt_reference, F64);
    // sin, cos and tan over the whole range: libm reduces huge arguments exactly (fdlibm's
    // __rem_pio2_large), so this checks the reference's reduction too.
    let mut edges = trig_edges();
    edges.push(f64::MAX);
    let points = sweep(F64, -f64::MAX, f64::MAX, &edges, 20_000, 29);
    let sin = measure(&points, libm::sin, sin_reference, F64);
    let cos = measure(&points, libm::cos, cos_reference, F64);
    let tan = measure(&points, libm::tan, tan_reference, F64);
    // fdlibm's atan2 divides first and is not within 1 ulp: 1.25 at (2.0700901065565148e-22,
    // -8.574593974700747e-23), where the reference agrees with mpmath to 2^-100.
    for (name, max_ulp, bound) in [
        ("asin", asin.max_ulp, 1.0),
        ("acos", acos.max_ulp, 1.0),
        ("atan", atan.max_ulp, 1.0),
        ("atan2", atan2.max_ulp, 1.5),
        ("hypot", hypot.max_ulp, 1.0),
        ("log2", log2.max_ulp, 1.0),
        ("log10", log10.max_ulp, 1.0),
        ("cbrt", cbrt.max_ulp, 1.0),
        ("sin", sin.max_ulp, 1.0),
        ("cos", cos.max_ulp, 1.0),
        ("tan", tan.max_ulp, 1.0),
    ] {
        println!("libm {name} f64 against the reference: max {max_ulp:.3} ulp");
        assert!(max_ulp < bound, "libm {name}: {max_ulp} ulp");
    }
}

const SPECIAL_ARCSINE_INPUTS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    2.0,
    -2.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    1e-320,
    -1e-320,
    1e-30,
];

/// Without the inputs of `SPECIAL_ATAN_F64_INPUTS`, whose results libm's `atanf` does not
/// round correctly (`f32_right_angles_are_correctly_rounded`).
const SPECIAL_ATAN_INPUTS: &[f64] = &[0.0, -0.0, 1.0, -1.0, f64::NAN, 1e-320, -1e-320];

/// Special in f64; in f32, libm's `atanf(±inf)` is its `pio2_hi` = 0x3fc90fda, an ulp below
/// pi/2 rounded (nx's result).
const SPECIAL_ATAN_F64_INPUTS: &[f64] = &[f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];

/// `SPECIAL_ARCSINE_INPUTS` without 0 and -1: libm's `acosf(0)` and `acosf(-1)` are its
/// `pio2_hi` and `2 pio2_hi`, an ulp below pi/2 and pi rounded (nx's results).
const SPECIAL_ACOS_F32_INPUTS: &[f64] =
    &[1.0, 2.0, -2.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];

/// The pairs of these are special for `atan2` and `hypot`: their results must be libm's. (Not
/// 1: libm's `atan2f(y, 1)` is its `atanf(y)`, whose `atanf(inf)` is an ulp off.)
const SPECIAL_PAIR_COORDINATES: &[f64] = &[
    0.0,
    -0.0,
    -1.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    5e-324,
    -5e-324,
    f64::MAX,
    -f64::MAX,
];

/// Every pair of `coordinates`.
fn pairs(coordinates: &[f64]) -> Vec<(f64, f64)> {
    coordinates
        .iter()
        .flat_map(|&x| coordinates.iter().map(move |&y| (x, y)))
        .collect()
}

/// Points for a two-operand function: every pair of the special inputs; runs of 40 consecutive
/// `y` around `x r` for each ratio `r` of `ratio_edges` and 100 random `x`; then a third of
/// pairs with independent log-spaced coordinates (every ratio, overflowing and underflowing
/// ones included), a third with log-spaced `x` and `y` within a factor 16 of it (both
/// subnormal, both huge), and a third uniform in `[-4, 4]^2`.
fn pair_sweep(format: Format, ratio_edges: &[f64], count: usize, seed: u64) -> Vec<(f64, f64)> {
    let mut random = Random(seed);
    let mut points = pairs(&special_inputs(format));
    let top = libm::ldexp(1.0, format.max_exponent);
    for &ratio in ratio_edges {
        for _ in 0..100 {
            let x = random.log_spaced(format, top);
            let y = format.round(x * ratio);
            if !y.is_finite() || y == 0.0 {
                continue;
            }
            for offset in -20..20 {
                points.push((x, format.step(y, offset)));
            }
        }
    }
    let remaining = count.saturating_sub(points.len());
    for index in 0..remaining {
        let point = match index % 3 {
            0 => (
                random.log_spaced(format, top),
                random.log_spaced(format, top),
            ),
            1 => {
                let x = random.log_spaced(format, top);
                let factor = libm::exp2(8.0 * random.unit() - 4.0);
                let sign = if random.next() & 1 == 0 { 1.0 } else { -1.0 };
                (x, format.round(sign * x * factor))
            }
            _ => (
                format.round(8.0 * random.unit() - 4.0),
                format.round(8.0 * random.unit() - 4.0),
            ),
        };
        points.push(point);
    }
    points
}

/// One two-operand function and dtype under test.
struct BinaryCase<'a> {
    name: &'a str,
    format: Format,
    /// Ratios `y / x` around which the sweep is dense.
    ratio_edges: &'a [f64],
    seed: u64,
}

/// `verify` for a two-operand function: the pair sweep, and libm's results on every pair of
/// `SPECIAL_PAIR_COORDINATES`.
fn verify_binary(
    case: BinaryCase,
    ours: impl Fn(f64, f64) -> f64,
    reference: impl Fn(f64, f64) -> Option<Scaled>,
    libm_function: impl Fn(f64, f64) -> f64,
) {
    let points = pair_sweep(case.format, case.ratio_edges, point_count(), case.seed);
    let specials = pairs(SPECIAL_PAIR_COORDINATES);
    verify_points(
        case.name,
        case.format,
        (&points, &specials),
        |(x, y)| ours(x, y),
        |(x, y)| reference(x, y),
        |(x, y)| libm_function(x, y),
    );
}

/// An f32 two-operand function as one on f64 values.
fn widened_binary(function: impl Fn(f32, f32) -> f32) -> impl Fn(f64, f64) -> f64 {
    move |x, y| f64::from(function(x as f32, y as f32))
}

fn asin_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() || x.abs() > 1.0 {
        return None;
    }
    if x.abs() < libm::ldexp(1.0, -60) {
        // x + x^3/6: the rest is below 2^-120 of x.
        return Some(Scaled::of(x));
    }
    Some(reference::arcsine(x, false))
}

fn acos_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() || x.abs() > 1.0 {
        return None;
    }
    Some(reference::arcsine(x, true))
}

fn atan_reference(x: f64) -> Option<Scaled> {
    if x.is_nan() {
        return None;
    }
    if x.abs() < libm::ldexp(1.0, -60) {
        // x - x^3/3: the rest is below 2^-120 of x.
        return Some(Scaled::of(x));
    }
    let magnitude = Dd::from(x.abs());
    Some(reference::atan2(magnitude, x < 0.0, Dd::from(1.0), false))
}

fn atan2_reference(y: f64, x: f64) -> Option<Scaled> {
    if x.is_nan() || y.is_nan() {
        return None;
    }
    let (y_magnitude, x_magnitude) = (Dd::from(y.abs()), Dd::from(x.abs()));
    let (y_negative, x_negative) = (y.is_sign_negative(), x.is_sign_negative());
    Some(reference::atan2(
        y_magnitude,
        y_negative,
        x_magnitude,
        x_negative,
    ))
}

fn hypot_reference(x: f64, y: f64) -> Option<Scaled> {
    if x.is_infinite() || y.is_infinite() {
        return Some(Scaled::new(Dd::from(1.0), 100_000));
    }
    if x.is_nan() || y.is_nan() {
        return None;
    }
    Some(reference::hypot(x, y))
}

#[test]
fn asin_acos_f64() {
    let edges = [0.0, 0.5, -0.5, 1.0, -1.0, 0.7, 1e-8];
    let case = |name| Case {
        name,
        format: F64,
        domain: (-1.0, 1.0),
        edges: &edges,
        seed: 17,
        specials: SPECIAL_ARCSINE_INPUTS,
    };
    verify(
        case("asin f64"),
        |x| mathlib::nx_asin_f64(x),
        asin_reference,
        libm::asin,
    );
    verify(
        case("acos f64"),
        |x| mathlib::nx_acos_f64(x),
        acos_reference,
        libm::acos,
    );
}

#[test]
fn asin_acos_f32() {
    let edges = [0.0, 0.5, -0.5, 1.0, -1.0, 0.7, 1e-4];
    let case = |name| Case {
        name,
        format: F32,
        domain: (-1.0, 1.0),
        edges: &edges,
        seed: 18,
        specials: SPECIAL_ARCSINE_INPUTS,
    };
    let (asin, acos) = (
        widened(|x| mathlib::nx_asin_f32(x)),
        widened(|x| mathlib::nx_acos_f32(x)),
    );
    verify(case("asin f32"), asin, asin_reference, widened(libm::asinf));
    let acos_case = Case {
        specials: SPECIAL_ACOS_F32_INPUTS,
        ..case("acos f32")
    };
    verify(acos_case, acos, acos_reference, widened(libm::acosf));
}

#[test]
fn f32_right_angles_are_correctly_rounded() {
    use std::f64::consts::{FRAC_PI_2, PI};
    let (half_pi, pi) = (FRAC_PI_2 as f32, PI as f32);
    assert_eq!(mathlib::nx_atan_f32(f32::INFINITY), half_pi);
    assert_eq!(mathlib::nx_atan_f32(f32::NEG_INFINITY), -half_pi);
    assert_eq!(mathlib::nx_atan_f32(f32::MAX), half_pi);
    assert_eq!(mathlib::nx_acos_f32(0.0), half_pi);
    assert_eq!(mathlib::nx_acos_f32(-0.0), half_pi);
    assert_eq!(mathlib::nx_acos_f32(-1.0), pi);
    assert_eq!(mathlib::nx_asin_f32(1.0), half_pi);
    assert_eq!(mathlib::nx_atan2_f32(1.0, 0.0), half_pi);
    assert_eq!(mathlib::nx_atan2_f32(-0.0, -1.0), -pi);
}

/// The octant bounds of the reduction, and 1.
const ATAN_EDGES: &[f64] = &[
    0.0,
    0.41421356237309503,
    -0.41421356237309503,
    1.0,
    -1.0,
    2.414213562373095,
    -2.414213562373095,
];

#[test]
fn atan_f64() {
    let specials = [SPECIAL_ATAN_INPUTS, SPECIAL_ATAN_F64_INPUTS].concat();
    for (name, domain) in [("atan f64", 8.0), ("atan f64 (whole range)", f64::MAX)] {
        let case = Case {
            name,
            format: F64,
            domain: (-domain, domain),
            edges: ATAN_EDGES,
            seed: 19,
            specials: &specials,
        };
        verify(
            case,
            |x| mathlib::nx_atan_f64(x),
            atan_reference,
            libm::atan,
        );
    }
}

#[test]
fn atan_f32() {
    for (name, domain) in [
        ("atan f32", 8.0),
        ("atan f32 (whole range)", f64::from(f32::MAX)),
    ] {
        let case = Case {
            name,
            format: F32,
            domain: (-domain, domain),
            edges: ATAN_EDGES,
            seed: 20,
            specials: SPECIAL_ATAN_INPUTS,
        };
        verify(
            case,
            widened(|x| mathlib::nx_atan_f32(x)),
            atan_reference,
            widened(libm::atanf),
        );
    }
}

/// `y / x` at the octant bounds of `atan2`'s reduction, and 1.
const ATAN2_RATIOS: &[f64] = &[
    0.41421356237309503,
    -0.41421356237309503,
    1.0,
    -1.0,
    2.414213562373095,
    -2.414213562373095,
];

#[test]
fn atan2_f64() {
    let case = BinaryCase {
        name: "atan2 f64",
        format: F64,
        ratio_edges: ATAN2_RATIOS,
        seed: 21,
    };
    verify_binary(
        case,
        |y, x| mathlib::nx_atan2_f64(y, x),
        atan2_reference,
        libm::atan2,
    );
}

#[test]
fn atan2_f32() {
    let case = BinaryCase {
        name: "atan2 f32",
        format: F32,
        ratio_edges: ATAN2_RATIOS,
        seed: 22,
    };
    verify_binary(
        case,
        widened_binary(|y, x| mathlib::nx_atan2_f32(y, x)),
        atan2_reference,
        widened_binary(libm::atan2f),
    );
}

#[test]
fn hypot_f64() {
    let case = BinaryCase {
        name: "hypot f64",
        format: F64,
        ratio_edges: &[1.0, 1e-8, 1e8],
        seed: 23,
    };
    verify_binary(
        case,
        |x, y| mathlib::nx_hypot_f64(x, y),
        hypot_reference,
        libm::hypot,
    );
}

#[test]
fn hypot_f32() {
    let case = BinaryCase {
        name: "hypot f32",
        format: F32,
        ratio_edges: &[1.0, 1e-4, 1e4],
        seed: 24,
    };
    verify_binary(
        case,
        widened_binary(|x, y| mathlib::nx_hypot_f32(x, y)),
        hypot_reference,
        widened_binary(libm::hypotf),
    );
}

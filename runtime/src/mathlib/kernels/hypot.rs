//! `hypot`.

use super::inverse_trig::magnitude_and_sign_bit;
use super::{FloatOps, Format};

/// Above `2^huge_exponent` (below `2^-huge_exponent`) the larger magnitude is scaled by
/// `2^-scale_exponent` (`2^scale_exponent`) before squaring: f64 (500, 600), f32 (50, 90).
/// Then the squares neither overflow nor lose the larger one to underflow (it stays at least
/// `2^-948`, f32 `2^-118`, normal), and a smaller square that underflows is below `2^-60` of
/// the larger one.
struct Scaling {
    huge: f64,
    tiny: f64,
    down: f64,
    up: f64,
}

const F64_SCALING: Scaling = Scaling {
    huge: 3.273390607896142e150,
    tiny: 3.054936363499605e-151,
    down: 2.409919865102884e-181,
    up: 4.149515568880993e180,
};

const F32_SCALING: Scaling = Scaling {
    huge: 1125899906842624.0,
    tiny: 8.881784197001252e-16,
    down: 8.077935669463161e-28,
    up: 1.2379400392853803e27,
};

/// `sqrt(x^2 + y^2)` without spurious overflow or underflow: both scaled by the same power of
/// two when the larger magnitude is huge or tiny, squared, summed, rooted and scaled back
/// (one rounding into the subnormal range, if any). Inf if either is infinite, even nan
/// (as libm); else nan if either is nan.
#[inline(always)]
pub fn hypot<O: FloatOps>(ops: &mut O, format: &Format, x: O::Float, y: O::Float) -> O::Float {
    let scaling = if format.mantissa_bits == 52 {
        &F64_SCALING
    } else {
        &F32_SCALING
    };
    let (a, _) = magnitude_and_sign_bit(ops, format, x);
    let (b, _) = magnitude_and_sign_bit(ops, format, y);
    // With a nan, `larger` may be either; the nan flows into the sum anyway.
    let a_greater = ops.greater(a, b);
    let larger = ops.select(a_greater, a, b);
    let huge = ops.float(scaling.huge);
    let tiny = ops.float(scaling.tiny);
    let down = ops.float(scaling.down);
    let up = ops.float(scaling.up);
    let one = ops.float(1.0);
    let is_huge = ops.greater(larger, huge);
    let is_tiny = ops.less(larger, tiny);
    let scale = ops.select(is_tiny, up, one);
    let scale = ops.select(is_huge, down, scale);
    let unscale = ops.select(is_tiny, down, one);
    let unscale = ops.select(is_huge, up, unscale);
    let scaled_a = ops.mul(a, scale);
    let scaled_b = ops.mul(b, scale);
    let a_squared = ops.mul(scaled_a, scaled_a);
    let b_squared = ops.mul(scaled_b, scaled_b);
    let sum = ops.add(a_squared, b_squared);
    let root = ops.sqrt(sum);
    let result = ops.mul(root, unscale);
    let infinity = ops.float(f64::INFINITY);
    let a_infinite = ops.equal(a, infinity);
    let result = ops.select(a_infinite, infinity, result);
    let b_infinite = ops.equal(b, infinity);
    ops.select(b_infinite, infinity, result)
}

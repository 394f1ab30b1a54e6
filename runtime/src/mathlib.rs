//! The math library that compiled kernels and the reference interpreter share: one
//! `extern "C"` function per (function, float dtype), so JIT code and the interpreter call
//! the very same code and agree bit for bit. Most functions are nx's own algorithms
//! (`kernels`, listed by `kernels::Function`), which the JIT also emits inline as vector code
//! and runs as block routines (`blocks`); the others are built on the
//! `libm` crate (pure Rust, deterministic on every machine) rather than the platform's C
//! library.
//!
//! Names: the function `exp` on f64 is the symbol `nx_exp_f64`. `floordiv` and `mod` are
//! the float `//` and `%` of the spec (Python's `divmod`, as NumPy computes it); `nx_ipow`
//! is integer power with wrapping.

pub mod blocks;
pub mod kernels;

use kernels::{ScalarF32, ScalarF64};

/// A one-operand math function on f64.
pub type UnaryF64 = extern "C" fn(f64) -> f64;
/// A one-operand math function on f32.
pub type UnaryF32 = extern "C" fn(f32) -> f32;
/// A two-operand math function on f64.
pub type BinaryF64 = extern "C" fn(f64, f64) -> f64;
/// A two-operand math function on f32.
pub type BinaryF32 = extern "C" fn(f32, f32) -> f32;

/// Defines `nx_<name>_f64` and `nx_<name>_f32` as thin wrappers of libm's `f64` and `f32`
/// functions, and lists them in `LIBM_UNARY_F64`/`LIBM_UNARY_F32`.
macro_rules! unary_functions {
    ($(($name:literal, $f64_fn:ident, $f32_fn:ident, $libm64:ident, $libm32:ident)),* $(,)?) => {
        $(
            pub extern "C" fn $f64_fn(x: f64) -> f64 {
                libm::$libm64(x)
            }
            pub extern "C" fn $f32_fn(x: f32) -> f32 {
                libm::$libm32(x)
            }
        )*
        const LIBM_UNARY_F64: &[(&str, UnaryF64)] = &[$(($name, $f64_fn)),*];
        const LIBM_UNARY_F32: &[(&str, UnaryF32)] = &[$(($name, $f32_fn)),*];
    };
}

unary_functions! {
    ("erf", nx_erf_f64, nx_erf_f32, erf, erff),
    ("erfc", nx_erfc_f64, nx_erfc_f32, erfc, erfcf),
}

/// Defines `nx_<name>_f64` and `nx_<name>_f32` on nx's own algorithm `kernels::<name>` and
/// lists them in `OWN_UNARY_F64`/`OWN_UNARY_F32`.
macro_rules! own_unary_functions {
    ($(($name:literal, $f64_fn:ident, $f32_fn:ident, $kernel:ident)),* $(,)?) => {
        $(
            pub extern "C" fn $f64_fn(x: f64) -> f64 {
                kernels::$kernel(&mut ScalarF64, &kernels::F64, x)
            }
            pub extern "C" fn $f32_fn(x: f32) -> f32 {
                kernels::$kernel(&mut ScalarF32, &kernels::F32, x)
            }
        )*
        const OWN_UNARY_F64: &[(&str, UnaryF64)] = &[$(($name, $f64_fn)),*];
        const OWN_UNARY_F32: &[(&str, UnaryF32)] = &[$(($name, $f32_fn)),*];
    };
}

own_unary_functions! {
    ("exp", nx_exp_f64, nx_exp_f32, exp),
    ("exp2", nx_exp2_f64, nx_exp2_f32, exp2),
    ("expm1", nx_expm1_f64, nx_expm1_f32, expm1),
    ("sinh", nx_sinh_f64, nx_sinh_f32, sinh),
    ("cosh", nx_cosh_f64, nx_cosh_f32, cosh),
    ("tanh", nx_tanh_f64, nx_tanh_f32, tanh),
    ("log", nx_log_f64, nx_log_f32, log),
    ("log1p", nx_log1p_f64, nx_log1p_f32, log1p),
    ("log2", nx_log2_f64, nx_log2_f32, log2),
    ("log10", nx_log10_f64, nx_log10_f32, log10),
    ("cbrt", nx_cbrt_f64, nx_cbrt_f32, cbrt),
    ("sin", nx_sin_f64, nx_sin_f32, sin),
    ("cos", nx_cos_f64, nx_cos_f32, cos),
    ("tan", nx_tan_f64, nx_tan_f32, tan),
    ("asin", nx_asin_f64, nx_asin_f32, asin),
    ("acos", nx_acos_f64, nx_acos_f32, acos),
    ("atan", nx_atan_f64, nx_atan_f32, atan),
}

/// Defines `nx_<name>_f64` and `nx_<name>_f32` on nx's own two-operand algorithm
/// `kernels::<name>` and lists them in `OWN_BINARY_F64`/`OWN_BINARY_F32`.
macro_rules! own_binary_functions {
    ($(($name:literal, $f64_fn:ident, $f32_fn:ident, $kernel:ident)),* $(,)?) => {
        $(
            pub extern "C" fn $f64_fn(x: f64, y: f64) -> f64 {
                kernels::$kernel(&mut ScalarF64, &kernels::F64, x, y)
            }
            pub extern "C" fn $f32_fn(x: f32, y: f32) -> f32 {
                kernels::$kernel(&mut ScalarF32, &kernels::F32, x, y)
            }
        )*
        const OWN_BINARY_F64: &[(&str, BinaryF64)] = &[$(($name, $f64_fn)),*];
        const OWN_BINARY_F32: &[(&str, BinaryF32)] = &[$(($name, $f32_fn)),*];
    };
}

own_binary_functions! {
    ("atan2", nx_atan2_f64, nx_atan2_f32, atan2),
    ("hypot", nx_hypot_f64, nx_hypot_f32, hypot),
    ("pow", nx_pow_f64, nx_pow_f32, pow),
}

/// Float floor division `a // b` as NumPy's `npy_floor_divide` (Python's `divmod`):
/// `1.0 // 0.1` is `9.0`; division by zero gives `a / b` (`±inf` or `nan`).
pub extern "C" fn nx_floordiv_f64(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return a / b;
    }
    divmod(a, b).0
}

/// Float modulo `a % b` as NumPy's `npy_remainder`: the sign of the divisor; `x % 0.0` is
/// `nan` (what `fmod` gives).
pub extern "C" fn nx_mod_f64(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return libm::fmod(a, b);
    }
    divmod(a, b).1
}

pub extern "C" fn nx_floordiv_f32(a: f32, b: f32) -> f32 {
    if b == 0.0 {
        return a / b;
    }
    divmod(a, b).0
}

pub extern "C" fn nx_mod_f32(a: f32, b: f32) -> f32 {
    if b == 0.0 {
        return libm::fmodf(a, b);
    }
    divmod(a, b).1
}

/// The libm functions `divmod` needs, for f64 and f32 alike.
trait DivmodFloat:
    Copy
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
    + std::ops::SubAssign
{
    const ZERO: Self;
    const HALF: Self;
    const ONE: Self;
    fn is_nan(self) -> bool;
    fn fmod(self, divisor: Self) -> Self;
    fn floor(self) -> Self;
    fn copysign(self, sign: Self) -> Self;
}

impl DivmodFloat for f64 {
    const ZERO: f64 = 0.0;
    const HALF: f64 = 0.5;
    const ONE: f64 = 1.0;
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn fmod(self, divisor: f64) -> f64 {
        libm::fmod(self, divisor)
    }
    fn floor(self) -> f64 {
        libm::floor(self)
    }
    fn copysign(self, sign: f64) -> f64 {
        libm::copysign(self, sign)
    }
}

impl DivmodFloat for f32 {
    const ZERO: f32 = 0.0;
    const HALF: f32 = 0.5;
    const ONE: f32 = 1.0;
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    fn fmod(self, divisor: f32) -> f32 {
        libm::fmodf(self, divisor)
    }
    fn floor(self) -> f32 {
        libm::floorf(self)
    }
    fn copysign(self, sign: f32) -> f32 {
        libm::copysignf(self, sign)
    }
}

/// NumPy's `npy_divmod` for a nonzero divisor, transcribed line for line: `(a // b, a % b)`.
fn divmod<F: DivmodFloat>(a: F, b: F) -> (F, F) {
    let mut modulus = a.fmod(b);
    // `a - mod` is very nearly an integer multiple of `b`.
    let mut div = (a - modulus) / b;
    // C's `if (mod)` is true for nan too.
    if modulus != F::ZERO || modulus.is_nan() {
        // Python's convention: the remainder has the sign of the divisor.
        if (b < F::ZERO) != (modulus < F::ZERO) {
            modulus += b;
            div -= F::ONE;
        }
    } else {
        modulus = F::ZERO.copysign(b);
    }
    let floordiv = if div != F::ZERO || div.is_nan() {
        let mut floordiv = div.floor();
        // Snap the quotient to the nearest integral value.
        if div - floordiv > F::HALF {
            floordiv += F::ONE;
        }
        floordiv
    } else {
        F::ZERO.copysign(a / b)
    };
    (floordiv, modulus)
}

/// Integer power by squaring, wrapping modulo 2^64. Because wrapping arithmetic is a ring,
/// truncating the result to a narrower integer gives exactly that integer's wrapping
/// repeated multiplication, for signed bases (sign-extended) and unsigned ones alike. The
/// caller checks negative exponents first; `exponent` is taken as unsigned.
pub extern "C" fn nx_ipow(base: u64, exponent: u64) -> u64 {
    let mut result: u64 = 1;
    let mut square = base;
    let mut remaining = exponent;
    while remaining != 0 {
        if remaining & 1 == 1 {
            result = result.wrapping_mul(square);
        }
        square = square.wrapping_mul(square);
        remaining >>= 1;
    }
    result
}

const EXTRA_BINARY_F64: &[(&str, BinaryF64)] =
    &[("floordiv", nx_floordiv_f64), ("mod", nx_mod_f64)];
const EXTRA_BINARY_F32: &[(&str, BinaryF32)] =
    &[("floordiv", nx_floordiv_f32), ("mod", nx_mod_f32)];

/// The symbol of function `name` for f64 (`is_f64`) or f32: `nx_exp_f64`.
pub fn symbol_name(name: &str, is_f64: bool) -> String {
    let suffix = if is_f64 { "f64" } else { "f32" };
    format!("nx_{name}_{suffix}")
}

/// The function called `name` in a table of (name, function) entries.
fn find_function<'a, F: Copy + 'a>(
    table: impl IntoIterator<Item = &'a (&'a str, F)>,
    name: &str,
) -> Option<F> {
    table
        .into_iter()
        .find(|entry| entry.0 == name)
        .map(|entry| entry.1)
}

pub fn unary_f64(name: &str) -> Option<UnaryF64> {
    find_function(OWN_UNARY_F64.iter().chain(LIBM_UNARY_F64), name)
}

pub fn unary_f32(name: &str) -> Option<UnaryF32> {
    find_function(OWN_UNARY_F32.iter().chain(LIBM_UNARY_F32), name)
}

pub fn binary_f64(name: &str) -> Option<BinaryF64> {
    find_function(OWN_BINARY_F64.iter().chain(EXTRA_BINARY_F64), name)
}

pub fn binary_f32(name: &str) -> Option<BinaryF32> {
    find_function(OWN_BINARY_F32.iter().chain(EXTRA_BINARY_F32), name)
}

/// Every symbol a kernel may call, with its address, for `JITBuilder::symbol`.
pub fn all_symbols() -> Vec<(String, *const u8)> {
    let mut symbols = Vec::new();
    for (name, function) in OWN_UNARY_F64.iter().chain(LIBM_UNARY_F64) {
        symbols.push((symbol_name(name, true), *function as *const u8));
    }
    for (name, function) in OWN_UNARY_F32.iter().chain(LIBM_UNARY_F32) {
        symbols.push((symbol_name(name, false), *function as *const u8));
    }
    for (name, function) in OWN_BINARY_F64.iter().chain(EXTRA_BINARY_F64) {
        symbols.push((symbol_name(name, true), *function as *const u8));
    }
    for (name, function) in OWN_BINARY_F32.iter().chain(EXTRA_BINARY_F32) {
        symbols.push((symbol_name(name, false), *function as *const u8));
    }
    symbols.push(("nx_ipow".to_string(), nx_ipow as *const u8));
    symbols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_divmod() {
        assert_eq!(nx_floordiv_f64(1.0, 0.1), 9.0);
        assert_eq!(nx_mod_f64(-1.0, 3.0), 2.0);
        assert_eq!(nx_mod_f64(1.0, -3.0), -2.0);
        assert_eq!(nx_floordiv_f64(-1.0, 3.0), -1.0);
        assert_eq!(nx_floordiv_f64(1.0, 0.0), f64::INFINITY);
        assert!(nx_floordiv_f64(0.0, 0.0).is_nan());
        assert!(nx_mod_f64(1.0, 0.0).is_nan());
        assert_eq!(nx_floordiv_f64(-1.0, f64::INFINITY), -1.0);
        assert!(nx_mod_f64(-0.0, 1.0).to_bits() == 0.0f64.to_bits());
        assert!(nx_mod_f64(0.0, -1.0).to_bits() == (-0.0f64).to_bits());
        assert_eq!(nx_floordiv_f32(7.0, 2.0), 3.0);
        assert_eq!(nx_mod_f32(-7.0, 2.0), 1.0);
    }

    #[test]
    fn integer_power_wraps() {
        assert_eq!(nx_ipow(3, 4), 81);
        assert_eq!(nx_ipow(2, 64), 0);
        assert_eq!(nx_ipow((-2i64) as u64, 3) as i64, -8);
        assert_eq!(nx_ipow(7, 0), 1);
        assert_eq!(nx_ipow(0, 0), 1);
        assert_eq!(nx_ipow(3, 5) as u8, 243);
    }

    #[test]
    fn lookup_tables() {
        assert_eq!(unary_f64("exp").map(|f| f(0.0)), Some(1.0));
        assert_eq!(binary_f32("pow").map(|f| f(2.0, 3.0)), Some(8.0));
        assert!(unary_f64("nope").is_none());
        assert_eq!(all_symbols().len(), 2 * (19 + 3 + 2) + 1);
    }
}

//! One typed element value (`Scalar`): construction, the spec's `as` conversion (§3.1),
//! and reading and writing one element at a raw address.

use std::fmt;

use crate::dtype::DType;

/// A single element of one of the nx dtypes.
///
/// `PartialEq` compares as Rust does within one variant (so `nan != nan` and values of
/// different dtypes are never equal); use `bits_eq` for identity of stored bits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F32(f32),
    F64(f64),
}

impl Scalar {
    pub fn dtype(self) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::I8(_) => DType::I8,
            Scalar::I16(_) => DType::I16,
            Scalar::I32(_) => DType::I32,
            Scalar::I64(_) => DType::I64,
            Scalar::U8(_) => DType::U8,
            Scalar::U16(_) => DType::U16,
            Scalar::U32(_) => DType::U32,
            Scalar::U64(_) => DType::U64,
            Scalar::F32(_) => DType::F32,
            Scalar::F64(_) => DType::F64,
        }
    }

    pub fn zero(dtype: DType) -> Scalar {
        Scalar::from_i128_wrapping(dtype, 0)
    }

    pub fn one(dtype: DType) -> Scalar {
        Scalar::from_i128_wrapping(dtype, 1)
    }

    /// Conversion with the spec's `as` semantics (§3.1), which are Rust's `as` plus bool:
    /// float to int truncates toward zero and saturates at the target bounds, `nan` gives 0;
    /// int to int wraps (two's complement); anything to bool is `x != 0` (so `nan` is true,
    /// as in NumPy); bool to a number is 0 or 1; int to float and f64 to f32 round to
    /// nearest, ties to even.
    pub fn cast(self, to: DType) -> Scalar {
        if to == DType::Bool {
            return Scalar::Bool(self.as_bool());
        }
        match self {
            Scalar::F32(value) => Scalar::from_float_saturating(to, value as f64, value),
            Scalar::F64(value) => Scalar::from_float_saturating(to, value, value as f32),
            // Every bool and integer value fits in an i128 exactly.
            _ => {
                let exact = self.as_i128().unwrap_or_default();
                Scalar::from_i128_wrapping(to, exact)
            }
        }
    }

    /// Float to any non-bool dtype. `as_f32` is passed separately so that an f32 source
    /// reaches an f32 target without a round trip, and an f64 source is rounded once.
    fn from_float_saturating(to: DType, value: f64, as_f32: f32) -> Scalar {
        // Rust's float-to-int `as` truncates toward zero, saturates and maps nan to 0:
        // exactly the spec's rule.
        match to {
            DType::Bool => Scalar::Bool(value != 0.0),
            DType::I8 => Scalar::I8(value as i8),
            DType::I16 => Scalar::I16(value as i16),
            DType::I32 => Scalar::I32(value as i32),
            DType::I64 => Scalar::I64(value as i64),
            DType::U8 => Scalar::U8(value as u8),
            DType::U16 => Scalar::U16(value as u16),
            DType::U32 => Scalar::U32(value as u32),
            DType::U64 => Scalar::U64(value as u64),
            DType::F32 => Scalar::F32(as_f32),
            DType::F64 => Scalar::F64(value),
        }
    }

    /// The value as an f64 (integers round to nearest, bool is 0 or 1).
    pub fn as_f64(self) -> f64 {
        match self {
            Scalar::Bool(value) => f64::from(u8::from(value)),
            Scalar::I8(value) => f64::from(value),
            Scalar::I16(value) => f64::from(value),
            Scalar::I32(value) => f64::from(value),
            Scalar::I64(value) => value as f64,
            Scalar::U8(value) => f64::from(value),
            Scalar::U16(value) => f64::from(value),
            Scalar::U32(value) => f64::from(value),
            Scalar::U64(value) => value as f64,
            Scalar::F32(value) => f64::from(value),
            Scalar::F64(value) => value,
        }
    }

    /// The exact value of a bool or integer; `None` for floats.
    pub fn as_i128(self) -> Option<i128> {
        match self {
            Scalar::Bool(value) => Some(i128::from(value)),
            Scalar::I8(value) => Some(i128::from(value)),
            Scalar::I16(value) => Some(i128::from(value)),
            Scalar::I32(value) => Some(i128::from(value)),
            Scalar::I64(value) => Some(i128::from(value)),
            Scalar::U8(value) => Some(i128::from(value)),
            Scalar::U16(value) => Some(i128::from(value)),
            Scalar::U32(value) => Some(i128::from(value)),
            Scalar::U64(value) => Some(i128::from(value)),
            Scalar::F32(_) | Scalar::F64(_) => None,
        }
    }

    /// `x != 0`; `nan` counts as nonzero.
    pub fn as_bool(self) -> bool {
        match self {
            Scalar::F32(value) => value != 0.0,
            Scalar::F64(value) => value != 0.0,
            _ => self.as_i128() != Some(0),
        }
    }

    /// `Scalar::F64(value).cast(dtype)`.
    pub fn from_f64(dtype: DType, value: f64) -> Scalar {
        Scalar::F64(value).cast(dtype)
    }

    /// Wraps `value` into an integer dtype (two's complement, keeping the low bits);
    /// converts to floats with one rounding; bool is `value != 0`.
    pub fn from_i128_wrapping(dtype: DType, value: i128) -> Scalar {
        // `as` between integer types keeps the low bits, and i128 to f32/f64 rounds once
        // to nearest: the conversions the spec asks for.
        match dtype {
            DType::Bool => Scalar::Bool(value != 0),
            DType::I8 => Scalar::I8(value as i8),
            DType::I16 => Scalar::I16(value as i16),
            DType::I32 => Scalar::I32(value as i32),
            DType::I64 => Scalar::I64(value as i64),
            DType::U8 => Scalar::U8(value as u8),
            DType::U16 => Scalar::U16(value as u16),
            DType::U32 => Scalar::U32(value as u32),
            DType::U64 => Scalar::U64(value as u64),
            DType::F32 => Scalar::F32(value as f32),
            DType::F64 => Scalar::F64(value as f64),
        }
    }

    /// Reads one element of `dtype` at `ptr`. A bool byte other than 0 reads as true.
    ///
    /// # Safety
    /// `ptr` must be valid for reading `dtype.size()` bytes; it need not be aligned.
    pub unsafe fn read(dtype: DType, ptr: *const u8) -> Scalar {
        // SAFETY (for every arm): the caller guarantees `dtype.size()` readable bytes at
        // `ptr`, and `read_unaligned` has no alignment requirement. Every bit pattern is a
        // valid integer or float; bools are read as a byte and compared, never transmuted.
        unsafe {
            match dtype {
                DType::Bool => Scalar::Bool(ptr.read() != 0),
                DType::I8 => Scalar::I8(ptr.cast::<i8>().read_unaligned()),
                DType::I16 => Scalar::I16(ptr.cast::<i16>().read_unaligned()),
                DType::I32 => Scalar::I32(ptr.cast::<i32>().read_unaligned()),
                DType::I64 => Scalar::I64(ptr.cast::<i64>().read_unaligned()),
                DType::U8 => Scalar::U8(ptr.read()),
                DType::U16 => Scalar::U16(ptr.cast::<u16>().read_unaligned()),
                DType::U32 => Scalar::U32(ptr.cast::<u32>().read_unaligned()),
                DType::U64 => Scalar::U64(ptr.cast::<u64>().read_unaligned()),
                DType::F32 => Scalar::F32(ptr.cast::<f32>().read_unaligned()),
                DType::F64 => Scalar::F64(ptr.cast::<f64>().read_unaligned()),
            }
        }
    }

    /// Writes this element at `ptr` (a bool as the byte 0 or 1).
    ///
    /// # Safety
    /// `ptr` must be valid for writing `self.dtype().size()` bytes; it need not be aligned.
    pub unsafe fn write(self, ptr: *mut u8) {
        // SAFETY (for every arm): the caller guarantees `size()` writable bytes at `ptr`,
        // and `write_unaligned` has no alignment requirement.
        unsafe {
            match self {
                Scalar::Bool(value) => ptr.write(u8::from(value)),
                Scalar::I8(value) => ptr.cast::<i8>().write_unaligned(value),
                Scalar::I16(value) => ptr.cast::<i16>().write_unaligned(value),
                Scalar::I32(value) => ptr.cast::<i32>().write_unaligned(value),
                Scalar::I64(value) => ptr.cast::<i64>().write_unaligned(value),
                Scalar::U8(value) => ptr.write(value),
                Scalar::U16(value) => ptr.cast::<u16>().write_unaligned(value),
                Scalar::U32(value) => ptr.cast::<u32>().write_unaligned(value),
                Scalar::U64(value) => ptr.cast::<u64>().write_unaligned(value),
                Scalar::F32(value) => ptr.cast::<f32>().write_unaligned(value),
                Scalar::F64(value) => ptr.cast::<f64>().write_unaligned(value),
            }
        }
    }

    /// The stored bits, zero-extended; used for identity comparison.
    fn raw_bits(self) -> u64 {
        match self {
            Scalar::F32(value) => u64::from(value.to_bits()),
            Scalar::F64(value) => value.to_bits(),
            // Integers and bools: their two's complement pattern at their own width.
            _ => {
                let exact = self.as_i128().unwrap_or_default();
                let width_mask = u64::MAX >> (64 - self.dtype().bits());
                (exact as u64) & width_mask
            }
        }
    }

    /// Same dtype and identical bits: `nan == nan` when their payloads match, and
    /// `0.0 != -0.0`. This is the equality tests want when comparing results.
    pub fn bits_eq(self, other: Scalar) -> bool {
        self.dtype() == other.dtype() && self.raw_bits() == other.raw_bits()
    }
}

/// Formats as the spec's `print` does (§9).
impl fmt::Display for Scalar {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&crate::format::format_scalar(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_to_int_truncates_and_saturates() {
        assert!(Scalar::F64(-2.5).cast(DType::U8).bits_eq(Scalar::U8(0)));
        assert!(Scalar::F64(300.7).cast(DType::U8).bits_eq(Scalar::U8(255)));
        assert!(Scalar::F64(-2.7).cast(DType::I32).bits_eq(Scalar::I32(-2)));
        assert!(Scalar::F64(2.7).cast(DType::I32).bits_eq(Scalar::I32(2)));
        assert!(
            Scalar::F64(f64::NAN)
                .cast(DType::I32)
                .bits_eq(Scalar::I32(0))
        );
        assert!(
            Scalar::F32(f32::NAN)
                .cast(DType::U64)
                .bits_eq(Scalar::U64(0))
        );
        assert!(
            Scalar::F64(1e300)
                .cast(DType::I64)
                .bits_eq(Scalar::I64(i64::MAX))
        );
        assert!(
            Scalar::F64(f64::NEG_INFINITY)
                .cast(DType::I8)
                .bits_eq(Scalar::I8(-128))
        );
        assert!(
            Scalar::F32(1e10)
                .cast(DType::U32)
                .bits_eq(Scalar::U32(u32::MAX))
        );
    }

    #[test]
    fn int_to_int_wraps() {
        assert!(Scalar::I64(300).cast(DType::U8).bits_eq(Scalar::U8(44)));
        assert!(
            Scalar::I64(-1)
                .cast(DType::U64)
                .bits_eq(Scalar::U64(u64::MAX))
        );
        assert!(
            Scalar::U64(u64::MAX)
                .cast(DType::I64)
                .bits_eq(Scalar::I64(-1))
        );
        assert!(Scalar::I16(-129).cast(DType::I8).bits_eq(Scalar::I8(127)));
        assert!(Scalar::U8(200).cast(DType::I8).bits_eq(Scalar::I8(-56)));
        assert!(
            Scalar::from_i128_wrapping(DType::I64, i128::from(i64::MAX) + 1)
                .bits_eq(Scalar::I64(i64::MIN))
        );
    }

    #[test]
    fn bool_conversions() {
        assert!(
            Scalar::F64(f64::NAN)
                .cast(DType::Bool)
                .bits_eq(Scalar::Bool(true))
        );
        assert!(
            Scalar::F64(-0.0)
                .cast(DType::Bool)
                .bits_eq(Scalar::Bool(false))
        );
        assert!(
            Scalar::I32(256)
                .cast(DType::Bool)
                .bits_eq(Scalar::Bool(true))
        );
        assert!(Scalar::U8(0).cast(DType::Bool).bits_eq(Scalar::Bool(false)));
        assert!(
            Scalar::Bool(true)
                .cast(DType::F32)
                .bits_eq(Scalar::F32(1.0))
        );
        assert!(Scalar::Bool(true).cast(DType::I8).bits_eq(Scalar::I8(1)));
        assert!(Scalar::Bool(false).cast(DType::U64).bits_eq(Scalar::U64(0)));
    }

    #[test]
    fn int_to_float_rounds_once() {
        // 2^53 + 1 is not an f64: ties to even gives 2^53.
        let big = (1i64 << 53) + 1;
        assert!(
            Scalar::I64(big)
                .cast(DType::F64)
                .bits_eq(Scalar::F64((1i64 << 53) as f64))
        );
        // 2^60 + 2^36 + 1 is just above half an f32 ulp over 2^60, so it rounds up; through
        // f64 it would first round to the tie 2^60 + 2^36 and then down to even 2^60.
        let value = (1i64 << 60) + (1i64 << 36) + 1;
        let expected = ((1i64 << 60) + (1i64 << 37)) as f32;
        assert!(
            Scalar::I64(value)
                .cast(DType::F32)
                .bits_eq(Scalar::F32(expected))
        );
        assert!(
            Scalar::U64(u64::MAX)
                .cast(DType::F64)
                .bits_eq(Scalar::F64(u64::MAX as f64))
        );
        assert!(
            Scalar::F64(0.1)
                .cast(DType::F32)
                .bits_eq(Scalar::F32(0.1f32))
        );
        assert!(
            Scalar::F32(0.1)
                .cast(DType::F64)
                .bits_eq(Scalar::F64(f64::from(0.1f32)))
        );
    }

    #[test]
    fn read_write_round_trip_unaligned() {
        let mut bytes = [0u8; 16];
        let values = [
            Scalar::Bool(true),
            Scalar::I8(-5),
            Scalar::I16(-300),
            Scalar::I32(-70000),
            Scalar::I64(i64::MIN),
            Scalar::U8(250),
            Scalar::U16(65000),
            Scalar::U32(4_000_000_000),
            Scalar::U64(u64::MAX - 1),
            Scalar::F32(1.5),
            Scalar::F64(-0.0),
        ];
        for value in values {
            // SAFETY: `bytes` has 16 bytes, offset 3 leaves 13 >= 8 for every dtype.
            let read_back = unsafe {
                let ptr = bytes.as_mut_ptr().add(3);
                value.write(ptr);
                Scalar::read(value.dtype(), ptr)
            };
            assert!(read_back.bits_eq(value), "{value:?}");
        }
    }

    #[test]
    fn bits_eq_semantics() {
        assert!(Scalar::F64(f64::NAN).bits_eq(Scalar::F64(f64::NAN)));
        assert!(!Scalar::F64(0.0).bits_eq(Scalar::F64(-0.0)));
        assert!(!Scalar::I32(1).bits_eq(Scalar::I64(1)));
        assert!(Scalar::I8(-1).bits_eq(Scalar::I8(-1)));
        assert_ne!(Scalar::F64(f64::NAN), Scalar::F64(f64::NAN));
    }

    #[test]
    fn display_is_print_format() {
        assert_eq!(Scalar::F32(0.1).to_string(), "0.1");
        assert_eq!(Scalar::Bool(false).to_string(), "false");
        assert_eq!(Scalar::I16(-7).to_string(), "-7");
    }

    #[test]
    fn constructors_and_accessors() {
        for dtype in DType::ALL {
            assert_eq!(Scalar::zero(dtype).dtype(), dtype);
            assert_eq!(Scalar::one(dtype).as_f64(), 1.0);
            assert!(!Scalar::zero(dtype).as_bool());
        }
        assert_eq!(Scalar::U64(u64::MAX).as_i128(), Some(u64::MAX as i128));
        assert_eq!(Scalar::F32(1.0).as_i128(), None);
        assert!(Scalar::from_f64(DType::I8, -1.9).bits_eq(Scalar::I8(-1)));
        assert!(Scalar::from_i128_wrapping(DType::F64, 3).bits_eq(Scalar::F64(3.0)));
    }
}

//! Element types (dtypes): their names, sizes and kinds, NumPy's promotion table for two
//! strong dtypes (`result_type`) and NumPy's `can_cast` rules ("safe" and "same_kind").
//!
//! Weak (Python-scalar) promotion (NEP 50) is the type checker's business: it needs to
//! know which operands are weak, and the runtime only ever sees concrete dtypes.

use std::fmt;

/// The element type of an array. The declaration order is the order of `DType::ALL`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
}

/// The broad family of a dtype, as NumPy's `dtype.kind` ('b', 'u', 'i', 'f').
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Bool,
    Unsigned,
    Signed,
    Float,
}

impl DType {
    pub const ALL: [DType; 11] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ];

    /// The name used in source code, type notation and error messages: `"f64"`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::U8 => "u8",
            DType::U16 => "u16",
            DType::U32 => "u32",
            DType::U64 => "u64",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// The inverse of `name`; `None` for anything that is not exactly a dtype name.
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|dtype| dtype.name() == name)
    }

    /// Size of one element in bytes. A bool is one byte holding 0 or 1.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::I8 | DType::U8 => 1,
            DType::I16 | DType::U16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 => 8,
        }
    }

    /// Size of one element in bits (8 for bool, which is stored in a byte).
    pub fn bits(self) -> u32 {
        // An element is at most 8 bytes, so this cannot truncate.
        (self.size() * 8) as u32
    }

    pub fn kind(self) -> Kind {
        match self {
            DType::Bool => Kind::Bool,
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => Kind::Signed,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => Kind::Unsigned,
            DType::F32 | DType::F64 => Kind::Float,
        }
    }

    pub fn is_float(self) -> bool {
        self.kind() == Kind::Float
    }

    /// Signed or unsigned integer; bool is not an integer here.
    pub fn is_int(self) -> bool {
        matches!(self.kind(), Kind::Signed | Kind::Unsigned)
    }

    pub fn is_signed(self) -> bool {
        self.kind() == Kind::Signed
    }

    pub fn is_unsigned(self) -> bool {
        self.kind() == Kind::Unsigned
    }

    pub fn is_bool(self) -> bool {
        self == DType::Bool
    }

    /// The signed integer dtype with `bits` bits, if there is one.
    fn signed_with_bits(bits: u32) -> Option<DType> {
        match bits {
            8 => Some(DType::I8),
            16 => Some(DType::I16),
            32 => Some(DType::I32),
            64 => Some(DType::I64),
            _ => None,
        }
    }

    /// `numpy.result_type(a, b)` for two strong dtypes (NumPy 2, no f16 in nx).
    ///
    /// bool gives way to anything; within one kind the wider dtype wins; an unsigned and a
    /// signed integer meet in the smallest signed integer that holds both ranges, and in
    /// f64 when none does (u64 with any signed); an integer and a float meet in the
    /// float if it represents every value of the integer exactly (f32 holds up to 16-bit
    /// integers), else in f64.
    pub fn result_type(a: DType, b: DType) -> DType {
        match (a.kind(), b.kind()) {
            (Kind::Bool, _) => b,
            (_, Kind::Bool) => a,
            (Kind::Signed, Kind::Signed)
            | (Kind::Unsigned, Kind::Unsigned)
            | (Kind::Float, Kind::Float) => {
                if a.bits() >= b.bits() {
                    a
                } else {
                    b
                }
            }
            (Kind::Unsigned, Kind::Signed) => Self::mixed_sign_result(a, b),
            (Kind::Signed, Kind::Unsigned) => Self::mixed_sign_result(b, a),
            (Kind::Float, _) => Self::int_float_result(b, a),
            (_, Kind::Float) => Self::int_float_result(a, b),
        }
    }

    fn mixed_sign_result(unsigned: DType, signed: DType) -> DType {
        if signed.bits() > unsigned.bits() {
            signed
        } else {
            // A signed type needs one more bit than the unsigned one; the next width up.
            DType::signed_with_bits(unsigned.bits() * 2).unwrap_or(DType::F64)
        }
    }

    fn int_float_result(int: DType, float: DType) -> DType {
        if float == DType::F32 && int.bits() <= 16 {
            DType::F32
        } else {
            DType::F64
        }
    }

    /// `numpy.can_cast(from, to, "safe")`: every value of `from` is represented in `to`
    /// (NumPy counts i64 and u64 to f64 as safe). Equivalent to `result_type(from, to) == to`.
    pub fn can_cast_safe(from: DType, to: DType) -> bool {
        match (from.kind(), to.kind()) {
            (Kind::Bool, _) => true,
            (_, Kind::Bool) => false,
            (Kind::Signed, Kind::Signed)
            | (Kind::Unsigned, Kind::Unsigned)
            | (Kind::Float, Kind::Float) => to.bits() >= from.bits(),
            (Kind::Unsigned, Kind::Signed) => to.bits() > from.bits(),
            (Kind::Signed, Kind::Unsigned) => false,
            (Kind::Float, _) => false,
            (_, Kind::Float) => to == DType::F64 || from.bits() <= 16,
        }
    }

    /// `numpy.can_cast(from, to, "same_kind")`: a safe cast, or a cast to a kind that is
    /// not lower in NumPy's kind order bool < unsigned < signed < float. So narrowing within
    /// a kind and unsigned to signed are allowed; signed to unsigned and float to int are not.
    pub fn can_cast_same_kind(from: DType, to: DType) -> bool {
        fn kind_order(kind: Kind) -> u8 {
            match kind {
                Kind::Bool => 0,
                Kind::Unsigned => 1,
                Kind::Signed => 2,
                Kind::Float => 3,
            }
        }
        DType::can_cast_safe(from, to) || kind_order(from.kind()) <= kind_order(to.kind())
    }

    /// Smallest value of an integer dtype (bool: 0). Floats have no integer range: they
    /// return `i128::MIN` so that a range check against them always passes.
    pub fn min_int(self) -> i128 {
        match self {
            DType::Bool => 0,
            DType::I8 => i8::MIN as i128,
            DType::I16 => i16::MIN as i128,
            DType::I32 => i32::MIN as i128,
            DType::I64 => i64::MIN as i128,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => 0,
            DType::F32 | DType::F64 => i128::MIN,
        }
    }

    /// Largest value of an integer dtype (bool: 1). Floats return `i128::MAX`, see `min_int`.
    pub fn max_int(self) -> i128 {
        match self {
            DType::Bool => 1,
            DType::I8 => i8::MAX as i128,
            DType::I16 => i16::MAX as i128,
            DType::I32 => i32::MAX as i128,
            DType::I64 => i64::MAX as i128,
            DType::U8 => u8::MAX as i128,
            DType::U16 => u16::MAX as i128,
            DType::U32 => u32::MAX as i128,
            DType::U64 => u64::MAX as i128,
            DType::F32 | DType::F64 => i128::MAX,
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn names_round_trip() {
        for dtype in DType::ALL {
            assert_eq!(DType::from_name(dtype.name()), Some(dtype));
            assert_eq!(dtype.to_string(), dtype.name());
        }
        assert_eq!(DType::from_name("float64"), None);
        assert_eq!(DType::from_name(""), None);
    }

    #[test]
    fn sizes_and_kinds() {
        assert_eq!(Bool.size(), 1);
        assert_eq!(U16.size(), 2);
        assert_eq!(F32.bits(), 32);
        assert_eq!(I64.bits(), 64);
        assert!(Bool.is_bool() && !Bool.is_int());
        assert!(U8.is_int() && U8.is_unsigned() && !U8.is_signed());
        assert!(I8.is_int() && I8.is_signed());
        assert!(F64.is_float() && !F64.is_int());
        assert_eq!(I32.min_int(), -(1 << 31));
        assert_eq!(U64.max_int(), u64::MAX as i128);
        assert_eq!(Bool.max_int(), 1);
    }

    #[test]
    fn result_type_spot_checks() {
        let cases = [
            (I8, U8, I16),
            (U64, I64, F64),
            (I64, U64, F64),
            (U64, I8, F64),
            (I16, F32, F32),
            (U16, F32, F32),
            (I32, F32, F64),
            (U32, F32, F64),
            (I64, F32, F64),
            (F32, F64, F64),
            (Bool, I8, I8),
            (Bool, Bool, Bool),
            (Bool, F32, F32),
            (U8, I8, I16),
            (U16, I16, I32),
            (U32, I32, I64),
            (U8, I32, I32),
            (U32, I16, I64),
            (U8, U64, U64),
            (I8, I64, I64),
            (U8, F32, F32),
        ];
        for (a, b, expected) in cases {
            assert_eq!(DType::result_type(a, b), expected, "{a} + {b}");
            assert_eq!(DType::result_type(b, a), expected, "{b} + {a}");
        }
    }

    // The three tables below were generated with NumPy 2.4:
    //   names = ['bool','int8','int16','int32','int64','uint8','uint16','uint32','uint64',
    //            'float32','float64']
    //   [[np.result_type(a, b) ...]], [[np.can_cast(a, b, casting) ...]]
    // Rows are `from`/left operand, columns `to`/right operand, in `DType::ALL` order.
    const NUMPY_RESULT_TYPE: [[DType; 11]; 11] = [
        [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64],
        [I8, I8, I16, I32, I64, I16, I32, I64, F64, F32, F64],
        [I16, I16, I16, I32, I64, I16, I32, I64, F64, F32, F64],
        [I32, I32, I32, I32, I64, I32, I32, I64, F64, F64, F64],
        [I64, I64, I64, I64, I64, I64, I64, I64, F64, F64, F64],
        [U8, I16, I16, I32, I64, U8, U16, U32, U64, F32, F64],
        [U16, I32, I32, I32, I64, U16, U16, U32, U64, F32, F64],
        [U32, I64, I64, I64, I64, U32, U32, U32, U64, F64, F64],
        [U64, F64, F64, F64, F64, U64, U64, U64, U64, F64, F64],
        [F32, F32, F32, F64, F64, F32, F32, F64, F64, F32, F64],
        [F64, F64, F64, F64, F64, F64, F64, F64, F64, F64, F64],
    ];
    const NUMPY_CAN_CAST_SAFE: [&str; 11] = [
        "11111111111",
        "01111000011",
        "00111000011",
        "00011000001",
        "00001000001",
        "00111111111",
        "00011011111",
        "00001001101",
        "00000000101",
        "00000000011",
        "00000000001",
    ];
    const NUMPY_CAN_CAST_SAME_KIND: [&str; 11] = [
        "11111111111",
        "01111000011",
        "01111000011",
        "01111000011",
        "01111000011",
        "01111111111",
        "01111111111",
        "01111111111",
        "01111111111",
        "00000000011",
        "00000000011",
    ];

    #[test]
    fn result_type_matches_numpy_table() {
        for (row, a) in DType::ALL.into_iter().enumerate() {
            for (column, b) in DType::ALL.into_iter().enumerate() {
                assert_eq!(
                    DType::result_type(a, b),
                    NUMPY_RESULT_TYPE[row][column],
                    "{a} + {b}"
                );
            }
        }
    }

    #[test]
    fn can_cast_matches_numpy_tables() {
        for (row, from) in DType::ALL.into_iter().enumerate() {
            for (column, to) in DType::ALL.into_iter().enumerate() {
                let safe = NUMPY_CAN_CAST_SAFE[row].as_bytes()[column] == b'1';
                let same_kind = NUMPY_CAN_CAST_SAME_KIND[row].as_bytes()[column] == b'1';
                assert_eq!(DType::can_cast_safe(from, to), safe, "safe {from} -> {to}");
                assert_eq!(
                    DType::can_cast_same_kind(from, to),
                    same_kind,
                    "same_kind {from} -> {to}"
                );
                // The lattice property NumPy's casting rules are built on.
                assert_eq!(safe, DType::result_type(from, to) == to, "{from} -> {to}");
            }
        }
    }
}

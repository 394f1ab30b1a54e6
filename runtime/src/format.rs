//! Printing values exactly as spec §9 says: scalars as Python's `repr` (floats with the
//! shortest digits that round-trip in their own dtype), arrays as nested Python lists laid
//! out the way NumPy's `str` lays them out (one row per line, blank lines between blocks,
//! `...` summaries for arrays of more than 1000 elements).

use crate::array::Array;
use crate::scalar::Scalar;

/// Arrays with more elements than this are summarized (NumPy's default `threshold`).
const SUMMARY_THRESHOLD: usize = 1000;
/// Entries shown at each end of a summarized axis (NumPy's default `edgeitems`).
const SUMMARY_EDGE_ITEMS: usize = 3;

/// One element as `print` shows it: `true`/`false`, integers in decimal, floats as
/// Python's `repr` (see `format_float_digits`).
pub fn format_scalar(value: Scalar) -> String {
    match value {
        Scalar::Bool(true) => "true".to_string(),
        Scalar::Bool(false) => "false".to_string(),
        Scalar::I8(v) => v.to_string(),
        Scalar::I16(v) => v.to_string(),
        Scalar::I32(v) => v.to_string(),
        Scalar::I64(v) => v.to_string(),
        Scalar::U8(v) => v.to_string(),
        Scalar::U16(v) => v.to_string(),
        Scalar::U32(v) => v.to_string(),
        Scalar::U64(v) => v.to_string(),
        // Formatting in the value's own type gives the digits that round-trip in that type,
        // so an f32 prints as `0.1`, not as the f64 `0.10000000149011612`.
        Scalar::F32(v) if v.is_finite() => {
            let n_digits = count_significant_digits(&format!("{v:e}"));
            format_float_digits(&format!("{v:.*e}", n_digits - 1))
        }
        Scalar::F64(v) if v.is_finite() => {
            let n_digits = count_significant_digits(&format!("{v:e}"));
            format_float_digits(&format!("{v:.*e}", n_digits - 1))
        }
        Scalar::F32(v) => format_non_finite(f64::from(v)),
        Scalar::F64(v) => format_non_finite(v),
    }
}

/// The number of mantissa digits in Rust's shortest scientific form (`-1.25e-7` has 3).
///
/// Rust's shortest form has the right number of digits, but when two candidates of that
/// length both round-trip and sit equally far from the value, it may pick the odd one
/// (`662262282041885.3` for the exact `662262282041885.25`). Python's `repr` gives the
/// correctly rounded one (`...885.2`), so callers re-format with this many digits in Rust's
/// exact mode, which rounds half to even and is the closest such string, so it
/// round-trips too.
fn count_significant_digits(shortest_scientific: &str) -> usize {
    let mantissa = shortest_scientific
        .split_once('e')
        .map_or(shortest_scientific, |(mantissa, _)| mantissa);
    mantissa.chars().filter(char::is_ascii_digit).count()
}

fn format_non_finite(value: f64) -> String {
    if value.is_nan() {
        "nan".to_string()
    } else if value > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

/// Lays out Rust's shortest scientific form (`-1.2345e-7`, `1e16`, `0e0`) the way Python's
/// `float.__repr__` does: positional when the decimal exponent is in `-4..16`, always with
/// a fractional part (`1.0`, `0.0001`, `123456789012345.0`); otherwise scientific with no
/// trailing `.0`, an explicit exponent sign and at least two exponent digits (`1e-05`,
/// `1.5e+16`, `1e+300`).
fn format_float_digits(scientific: &str) -> String {
    let (negative, unsigned) = match scientific.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, scientific),
    };
    let (mantissa, exponent_text) = unsigned
        .split_once('e')
        .expect("`{:e}` output always has an exponent");
    let exponent: i32 = exponent_text
        .parse()
        .expect("`{:e}` exponent is a decimal integer");
    // The significant digits d1 d2 … dn, meaning d1.d2…dn × 10^exponent. Trailing zeros
    // (from fixed-precision formatting) carry no information.
    let mut digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }

    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if (-4..16).contains(&exponent) {
        if exponent >= 0 {
            let integer_len = exponent as usize + 1;
            if digits.len() <= integer_len {
                text.push_str(&digits);
                text.push_str(&"0".repeat(integer_len - digits.len()));
                text.push_str(".0");
            } else {
                text.push_str(&digits[..integer_len]);
                text.push('.');
                text.push_str(&digits[integer_len..]);
            }
        } else {
            text.push_str("0.");
            text.push_str(&"0".repeat((-exponent - 1) as usize));
            text.push_str(&digits);
        }
    } else {
        text.push_str(&digits[..1]);
        if digits.len() > 1 {
            text.push('.');
            text.push_str(&digits[1..]);
        }
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        text.push_str(&format!("e{exponent_sign}{:02}", exponent.unsigned_abs()));
    }
    text
}

/// An array as `print` shows it (spec §9).
///
/// Rank 0 prints as its element; an empty array of any shape as `[]`. Otherwise nested
/// lists with `, ` between elements and no padding. The multi-line layout is NumPy's
/// (`numpy.array2string` with `separator=', '`): the innermost lists stay on one line;
/// between the entries of axis `k` of a rank-`n` array comes a `,` and `n - k - 1`
/// newlines, so rank 2 has one row per line, rank 3 one blank line between its blocks
/// (the spec's rule), and rank 4 two blank lines between its outermost blocks (the spec is
/// silent beyond rank 3; we keep NumPy's layout, which a NumPy user expects). Each line is
/// indented by one space per open bracket, aligning it after them.
///
/// More than 1000 elements: every axis longer than 6 shows its first and last 3 entries
/// around `...`, which takes the place of an element (`..., `) or of a whole row or block
/// (a line of its own, followed by the same separator as a row).
pub fn format_array(array: &Array) -> String {
    if array.ndim() == 0 {
        return format_scalar(array.scalar_value());
    }
    if array.size() == 0 {
        return "[]".to_string();
    }
    let summarize = array.size() > SUMMARY_THRESHOLD;
    let mut index = Vec::with_capacity(array.ndim());
    let mut text = String::new();
    format_axis(array, summarize, &mut index, &mut text);
    text
}

/// Appends the nested list for the sub-array at `index` (a prefix of a full index).
fn format_axis(array: &Array, summarize: bool, index: &mut Vec<usize>, text: &mut String) {
    let axis = index.len();
    let axis_len = array.shape()[axis];
    let axes_left = array.ndim() - axis;
    let show_summary = summarize && axis_len > 2 * SUMMARY_EDGE_ITEMS;
    let shown_entries: Vec<Option<usize>> = if show_summary {
        // `None` marks where `...` goes.
        (0..SUMMARY_EDGE_ITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((axis_len - SUMMARY_EDGE_ITEMS..axis_len).map(Some))
            .collect()
    } else {
        (0..axis_len).map(Some).collect()
    };

    // Inner lines are indented by one space per bracket opened so far, this one included.
    let separator = if axes_left == 1 {
        ", ".to_string()
    } else {
        format!(",{}{}", "\n".repeat(axes_left - 1), " ".repeat(axis + 1))
    };

    text.push('[');
    for (position, entry) in shown_entries.iter().enumerate() {
        if position > 0 {
            text.push_str(&separator);
        }
        match entry {
            None => text.push_str("..."),
            Some(entry_index) => {
                index.push(*entry_index);
                if axes_left == 1 {
                    text.push_str(&format_scalar(array.get(index)));
                } else {
                    format_axis(array, summarize, index, text);
                }
                index.pop();
            }
        }
    }
    text.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn scalars() {
        assert_eq!(format_scalar(Scalar::Bool(true)), "true");
        assert_eq!(format_scalar(Scalar::Bool(false)), "false");
        assert_eq!(format_scalar(Scalar::I8(-128)), "-128");
        assert_eq!(format_scalar(Scalar::U64(u64::MAX)), "18446744073709551615");
        assert_eq!(format_scalar(Scalar::I64(i64::MIN)), "-9223372036854775808");
    }

    #[test]
    fn floats_as_python_repr() {
        let cases: [(f64, &str); 25] = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e-7, "1e-07"),
            (1e16, "1e+16"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (1.5e-5, "1.5e-05"),
            (123456789012345.0, "123456789012345.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012345"),
            (-2.5, "-2.5"),
            (100.0, "100.0"),
            (1e300, "1e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (1.0 / 3.0, "0.3333333333333333"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-1.25e-10, "-1.25e-10"),
            // Exactly 662262282041885.25, a tie between two shortest candidates: Python rounds
            // half to even.
            (f64::from_bits(0x4302_d297_a08d_d0ea), "662262282041885.2"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_scalar(Scalar::F64(value)), expected, "{value:e}");
        }
    }

    #[test]
    fn f32_uses_its_own_shortest_digits() {
        assert_eq!(format_scalar(Scalar::F32(0.1)), "0.1");
        assert_eq!(format_scalar(Scalar::F32(1.0 / 3.0)), "0.33333334");
        assert_eq!(format_scalar(Scalar::F32(16777216.0)), "16777216.0");
        assert_eq!(format_scalar(Scalar::F32(1e16)), "1e+16");
        assert_eq!(format_scalar(Scalar::F32(f32::MAX)), "3.4028235e+38");
        assert_eq!(format_scalar(Scalar::F32(1e-45)), "1e-45");
        assert_eq!(format_scalar(Scalar::F32(-0.0)), "-0.0");
        assert_eq!(format_scalar(Scalar::F32(f32::NAN)), "nan");
        assert_eq!(format_scalar(Scalar::F32(f32::NEG_INFINITY)), "-inf");
    }

    /// Compares against reference strings generated by Python 3 and NumPy 2 for
    /// pseudo-random bit patterns and edge cases (see `testdata/float_repr.txt`).
    #[test]
    fn floats_match_reference_file() {
        let reference = include_str!("testdata/float_repr.txt");
        let mut n_checked = 0;
        for line in reference.lines().filter(|line| !line.starts_with('#')) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [dtype_name, bits_hex, expected] = fields[..] else {
                panic!("malformed reference line {line:?}");
            };
            let bits = u64::from_str_radix(bits_hex, 16).unwrap();
            let value = match dtype_name {
                "f32" => Scalar::F32(f32::from_bits(bits as u32)),
                "f64" => Scalar::F64(f64::from_bits(bits)),
                _ => panic!("unknown dtype in {line:?}"),
            };
            assert_eq!(format_scalar(value), expected, "{line}");
            n_checked += 1;
        }
        assert!(n_checked > 1000);
    }

    proptest::proptest! {
        /// Whatever the bits, the printed text reads back as the same value in its dtype.
        #[test]
        fn printed_floats_round_trip(bits in proptest::num::u64::ANY) {
            let value = f64::from_bits(bits);
            let text = format_scalar(Scalar::F64(value));
            if value.is_finite() {
                proptest::prop_assert_eq!(text.parse::<f64>().unwrap().to_bits(), bits);
                proptest::prop_assert!(text.contains('.') || text.contains('e'));
            }
            let single = f32::from_bits(bits as u32);
            let text = format_scalar(Scalar::F32(single));
            if single.is_finite() {
                proptest::prop_assert_eq!(text.parse::<f32>().unwrap().to_bits(), bits as u32);
            }
        }
    }

    fn int_array(shape: &[usize]) -> Array {
        let size: usize = shape.iter().product();
        Array::from_vec(shape, (0..size as i64).collect())
    }

    #[test]
    fn rank_0_and_1() {
        assert_eq!(format_array(&Array::from_scalar(Scalar::F64(2.0))), "2.0");
        assert_eq!(
            format_array(&Array::from_scalar(Scalar::Bool(true))),
            "true"
        );
        assert_eq!(
            format_array(&Array::from_vec(&[2], vec![1.0f64, 2.5])),
            "[1.0, 2.5]"
        );
        assert_eq!(format_array(&Array::from_vec(&[1], vec![7u8])), "[7]");
        assert_eq!(
            format_array(&Array::from_vec(&[3], vec![true, false, true])),
            "[true, false, true]"
        );
        assert_eq!(
            format_array(&Array::from_vec(&[3], vec![0.1f32, -0.0, f32::NAN])),
            "[0.1, -0.0, nan]"
        );
    }

    #[test]
    fn empty_arrays() {
        assert_eq!(format_array(&Array::zeros(DType::F64, &[0]).unwrap()), "[]");
        assert_eq!(
            format_array(&Array::zeros(DType::I32, &[2, 0]).unwrap()),
            "[]"
        );
        assert_eq!(
            format_array(&Array::zeros(DType::I32, &[0, 3, 2]).unwrap()),
            "[]"
        );
    }

    #[test]
    fn rank_2() {
        assert_eq!(
            format_array(&Array::from_vec(&[2, 2], vec![1i64, 2, 3, 4])),
            "[[1, 2],\n [3, 4]]"
        );
        assert_eq!(format_array(&int_array(&[1, 3])), "[[0, 1, 2]]");
        assert_eq!(format_array(&int_array(&[3, 1])), "[[0],\n [1],\n [2]]");
        // A transposed view prints in its own row-major order.
        assert_eq!(
            format_array(&int_array(&[2, 3]).permuted(&[1, 0])),
            "[[0, 3],\n [1, 4],\n [2, 5]]"
        );
    }

    #[test]
    fn rank_3_and_4() {
        // Checked against numpy.array2string(a, separator=', ', formatter={'int': str}).
        assert_eq!(
            format_array(&int_array(&[2, 2, 2])),
            "[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]"
        );
        assert_eq!(
            format_array(&int_array(&[2, 1, 2, 1])),
            "[[[[0],\n   [1]]],\n\n\n [[[2],\n   [3]]]]"
        );
    }

    #[test]
    fn summarized_rank_1() {
        let values: Vec<f64> = (0..1000).map(f64::from).collect();
        let exactly_1000 = format_array(&Array::from_vec(&[1000], values));
        assert!(!exactly_1000.contains("..."));
        assert!(exactly_1000.ends_with(", 998.0, 999.0]"));
        let values: Vec<f64> = (0..1001).map(f64::from).collect();
        assert_eq!(
            format_array(&Array::from_vec(&[1001], values)),
            "[0.0, 1.0, 2.0, ..., 998.0, 999.0, 1000.0]"
        );
    }

    #[test]
    fn summarized_rank_2_and_3() {
        // Checked against numpy.array2string(a, separator=', ', formatter={'int': str},
        // max_line_width=10**6).
        assert_eq!(
            format_array(&int_array(&[100, 100])),
            "[[0, 1, 2, ..., 97, 98, 99],\n \
             [100, 101, 102, ..., 197, 198, 199],\n \
             [200, 201, 202, ..., 297, 298, 299],\n \
             ...,\n \
             [9700, 9701, 9702, ..., 9797, 9798, 9799],\n \
             [9800, 9801, 9802, ..., 9897, 9898, 9899],\n \
             [9900, 9901, 9902, ..., 9997, 9998, 9999]]"
        );
        // Axes of length 6 or less are shown whole even when summarizing.
        assert_eq!(
            format_array(&int_array(&[2, 501])),
            "[[0, 1, 2, ..., 498, 499, 500],\n [501, 502, 503, ..., 999, 1000, 1001]]"
        );
        assert_eq!(
            format_array(&int_array(&[7, 2, 100])),
            "[[[0, 1, 2, ..., 97, 98, 99],\n  [100, 101, 102, ..., 197, 198, 199]],\n\n \
             [[200, 201, 202, ..., 297, 298, 299],\n  [300, 301, 302, ..., 397, 398, 399]],\n\n \
             [[400, 401, 402, ..., 497, 498, 499],\n  [500, 501, 502, ..., 597, 598, 599]],\n\n \
             ...,\n\n \
             [[800, 801, 802, ..., 897, 898, 899],\n  [900, 901, 902, ..., 997, 998, 999]],\n\n \
             [[1000, 1001, 1002, ..., 1097, 1098, 1099],\n  [1100, 1101, 1102, ..., 1197, 1198, 1199]],\n\n \
             [[1200, 1201, 1202, ..., 1297, 1298, 1299],\n  [1300, 1301, 1302, ..., 1397, 1398, 1399]]]"
        );
    }
}

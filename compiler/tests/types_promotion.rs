//! NEP 50 promotion (spec §3.2) and operator result types (§3.1).
use nx_compiler::types::hir;
mod types_support;
use types_support::*;

const PRELUDE: &str = "let b = zeros(3, dtype=bool)
let i8a = zeros(3, dtype=i8)
let i32a = zeros(3, dtype=i32)
let i64a = zeros(3, dtype=i64)
let u8a = zeros(3, dtype=u8)
let u64a = zeros(3, dtype=u64)
let f32a = zeros(3, dtype=f32)
let f64a = zeros(3)
let s_u8 = 7u8
let s_f32 = 1.5f32
let w = 3
let wf = 2.5";

#[test]
fn strong_promotion_table() {
    let cases = [
        ("i32a + f32a", "f64[3]"),
        ("u8a + i8a", "i16[3]"),
        ("i64a + u64a", "f64[3]"),
        ("f32a + f64a", "f64[3]"),
        ("b + i8a", "i8[3]"),
        ("b + f32a", "f32[3]"),
        ("u8a * u64a", "u64[3]"),
        ("i8a - i64a", "i64[3]"),
        ("s_u8 + i8a", "i16[3]"),
        ("s_f32 + i32a", "f64[3]"),
    ];
    assert_types(PRELUDE, &cases);
}

#[test]
fn weak_promotion_table() {
    let cases = [
        ("u8a + 1", "u8[3]"),
        ("1 + u8a", "u8[3]"),
        ("f32a * 0.5", "f32[3]"),
        ("i32a * 0.5", "f64[3]"),
        ("b * 0.5", "f64[3]"),
        ("b + 1", "i64[3]"),
        ("u8a + w", "u8[3]"),
        ("f32a + w", "f32[3]"),
        ("f32a + wf", "f32[3]"),
        ("s_u8 + 1", "u8"),
        ("s_f32 * 2", "f32"),
        ("1 + 2", "i64 (weak)"),
        ("1 + 2.0", "f64 (weak)"),
        ("w * wf", "f64 (weak)"),
        ("2.0 * pi", "f64 (weak)"),
        ("-1", "i64 (weak)"),
        ("1 / 2", "f64 (weak)"),
        ("i32a / 2", "f64[3]"),
        ("f32a / 2", "f32[3]"),
        ("u8a / u8a", "f64[3]"),
        ("u8a // 2", "u8[3]"),
        ("u8a % 2", "u8[3]"),
        ("u8a ** 2", "u8[3]"),
        ("u8a << 1", "u8[3]"),
        ("b & b", "bool[3]"),
        ("b | 1", "i64[3]"),
        ("u8a ^ 3", "u8[3]"),
        ("~u8a", "u8[3]"),
        ("~b", "bool[3]"),
        ("not b", "bool[3]"),
        ("-f32a", "f32[3]"),
        ("-u8a", "u8[3]"),
        ("u8a as f32", "f32[3]"),
        ("w as u8", "u8"),
        ("s_u8 + 1.0", "f64"),
    ];
    assert_weak_types(PRELUDE, &cases);
}

#[test]
fn comparisons_give_bool() {
    let cases = [
        ("u8a < 1", "bool[3]"),
        ("u8a == -1", "bool[3]"),
        ("u8a == 300", "bool[3]"),
        ("i64a < u64a", "bool[3]"),
        ("f32a >= 0.5", "bool[3]"),
        ("1 < 2", "bool"),
        ("b == b", "bool[3]"),
        ("b and b", "bool[3]"),
    ];
    assert_types(PRELUDE, &cases);
}

#[test]
fn weak_literal_adopting_becomes_a_constant_of_that_dtype() {
    let program = check_ok(&format!("{PRELUDE}\nu8a + 1"));
    let hir::ExprKind::Binary(_, _, rhs) = &last_expr(&program).kind else {
        panic!()
    };
    assert!(
        matches!(rhs.kind, hir::ExprKind::Const(nx_runtime::Scalar::U8(1))),
        "{rhs:?}"
    );
}

#[test]
fn weak_variable_adopting_a_narrower_int_is_adopt_weak() {
    let program = check_ok(&format!("{PRELUDE}\nu8a + w"));
    let hir::ExprKind::Binary(_, _, rhs) = &last_expr(&program).kind else {
        panic!()
    };
    assert!(matches!(rhs.kind, hir::ExprKind::AdoptWeak(_)), "{rhs:?}");
    assert_eq!(rhs.ty.dtype, nx_runtime::DType::U8);
}

#[test]
fn strong_operands_get_explicit_casts() {
    let program = check_ok(&format!("{PRELUDE}\ni32a + f32a"));
    let hir::ExprKind::Binary(_, lhs, rhs) = &last_expr(&program).kind else {
        panic!()
    };
    assert!(matches!(lhs.kind, hir::ExprKind::Cast(_)));
    assert!(matches!(rhs.kind, hir::ExprKind::Cast(_)));
    assert_eq!(lhs.ty.dtype, nx_runtime::DType::F64);
}

#[test]
fn mixed_sign_64_bit_comparison_keeps_dtypes() {
    let program = check_ok(&format!("{PRELUDE}\ni64a < u64a"));
    let hir::ExprKind::Binary(_, lhs, rhs) = &last_expr(&program).kind else {
        panic!()
    };
    assert_eq!(lhs.ty.dtype, nx_runtime::DType::I64);
    assert_eq!(rhs.ty.dtype, nx_runtime::DType::U64);
}

#[test]
fn constant_folding_of_weak_literals() {
    let program = check_ok("2 * 3 + 1");
    assert!(matches!(
        last_expr(&program).kind,
        hir::ExprKind::Const(nx_runtime::Scalar::I64(7))
    ));
    let program = check_ok("-128i8");
    assert!(matches!(
        last_expr(&program).kind,
        hir::ExprKind::Const(nx_runtime::Scalar::I8(-128))
    ));
}

#[test]
fn weak_literal_that_does_not_fit_is_an_error() {
    assert_error_at(
        "let a = zeros(3, dtype=u8)\na + 300",
        "integer 300 does not fit in u8",
        "300",
    );
    assert_error_at(
        "let a = zeros(3, dtype=i8)\na * -129",
        "integer -129 does not fit in i8",
        "-129",
    );
}

#[test]
fn literal_fits_check() {
    assert_error_at(
        "let x = 128i8",
        "integer literal 128 does not fit in i8",
        "128i8",
    );
    check_ok("let x = -128i8");
    assert_error_contains("let x = 300u8", "does not fit in u8");
    assert_error_contains("let x = 99999999999999999999", "does not fit in i64");
    assert_error_contains("let x = 1e400", "out of range");
}

#[test]
fn elementwise_math_result_dtypes() {
    let cases = [
        ("sqrt(i32a)", "f64[3]"),
        ("sqrt(f32a)", "f32[3]"),
        ("exp(u8a)", "f64[3]"),
        ("sin(b)", "f64[3]"),
        ("abs(i8a)", "i8[3]"),
        ("sign(i32a)", "i32[3]"),
        ("square(u8a)", "u8[3]"),
        ("floor(i32a)", "i32[3]"),
        ("round(f32a)", "f32[3]"),
        ("pow(i32a, 2)", "i32[3]"),
        ("minimum(u8a, 3)", "u8[3]"),
        ("maximum(i8a, u8a)", "i16[3]"),
        ("clip(f32a, 0.0, 1.0)", "f32[3]"),
        ("clip(i32a, 0, 10)", "i32[3]"),
        ("atan2(i32a, i32a)", "f64[3]"),
        ("hypot(f32a, 1.0)", "f32[3]"),
        ("where(b, i32a, 0)", "i32[3]"),
        ("where(b, 1, 0)", "i64[3]"),
        ("isnan(f32a)", "bool[3]"),
        ("isfinite(i32a)", "bool[3]"),
        ("sqrt(2.0)", "f64"),
        ("abs(-1)", "i64"),
    ];
    assert_types(PRELUDE, &cases);
}

#[test]
fn reduction_result_dtypes() {
    let cases = [
        ("sum(i8a)", "i64"),
        ("sum(u8a)", "u64"),
        ("sum(b)", "i64"),
        ("sum(f32a)", "f32"),
        ("prod(i32a)", "i64"),
        ("mean(i32a)", "f64"),
        ("mean(f32a)", "f32"),
        ("var(u8a)", "f64"),
        ("std(f64a, ddof=1)", "f64"),
        ("min(u8a)", "u8"),
        ("max(f32a)", "f32"),
        ("argmin(f32a)", "i64"),
        ("argmax(u8a)", "i64"),
        ("any(b)", "bool"),
        ("all(f64a)", "bool"),
        ("count_nonzero(f64a)", "i64"),
        ("f64a.sum()", "f64"),
    ];
    assert_types(PRELUDE, &cases);
}

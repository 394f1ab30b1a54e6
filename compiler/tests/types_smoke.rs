mod types_support;
use types_support::*;

#[test]
fn smoke() {
    assert_eq!(ty("let x = zeros(3)", "x + 1"), "f64[3]");
    assert_eq!(ty_weak("", "1 + 2"), "i64 (weak)");
    let p = check_ok(
        "let x = 1\nx = x + 1\nprint(x, \"hi\")\nfn f(a, b = 2.0) = a * b\nlet y = f(zeros([2, 3], dtype=f32))\ny",
    );
    assert_eq!(last_expr(&p).ty.to_string(), "f32[_, _]");
}

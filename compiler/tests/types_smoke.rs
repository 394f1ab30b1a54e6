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

#[test]
fn spec_examples() {
    check_ok(
        "let x = linspace(-4.0, 4.0, 1_000_000)
let pdf = exp(-0.5 * x * x) / sqrt(2.0 * pi)
print(sum(pdf) * (x[1] - x[0]))

fn softmax(v) {
    let e = exp(v - max(v, axis=-1, keepdims=true))
    e / sum(e, axis=-1, keepdims=true)
}
let s = softmax(zeros([3, 4], dtype=f32))
fn axpy(a, x, y) = a * x + y
fn mean_of(x: f64[n]) -> f64 { sum(x) / n }
fn dot2(a: f64[n], b: f64[n]) -> f64 = sum(a * b)
fn relu(x: f32) -> f32 { if x > 0.0 { x } else { 0.0 } }
fn norm_p(x, p = 2.0) = sum(abs(x) ** p) ** (1.0 / p)
let u = zeros(100)
u[1:-1] = 0.5 * (u[:-2] + u[2:])
u[u < 0.0] = 0.0
let m = zeros([3, 3])
let idx = [0, 2]
m[:, idx] = 1.0
u[idx] += 1.0
print(axpy(2.0, u, u), mean_of(u), dot2(u, u), relu(zeros(3, dtype=f32)), norm_p(u))
let t0 = clock()
for i in 0..10 { if i % 2 == 0 { continue } }
let k = 0
while k < 10 { k += 1 }
assert k == 10, \"k\"
print(-2.5 as u8, -1i64 < 1u64, 1.0 // 0.1, 7 // -2, 7 % -2)",
    );
    assert_eq!(
        ty(
            "fn softmax(v) {\n let e = exp(v - max(v, axis=-1, keepdims=true))\n e / sum(e, axis=-1, keepdims=true)\n}",
            "softmax(zeros([3, 4], dtype=f32))"
        ),
        "f32[_, _]"
    );
    assert_eq!(ty("", "7 // -2"), "i64");
    assert_eq!(ty_weak("", "7 % -2"), "i64 (weak)");
}

#[test]
fn integer_constant_folding_follows_python() {
    use nx_compiler::types::hir::ExprKind;
    use nx_runtime::Scalar;
    for (source, expected) in [
        ("7 // -2", -4i64),
        ("7 % -2", -1),
        ("-7 // 2", -4),
        ("-7 % 2", 1),
        ("6 // 3", 2),
        ("2 - 5 * 3", -13),
    ] {
        let program = check_ok(&format!("let r = {source}"));
        match last_expr(&program).kind {
            ExprKind::Const(Scalar::I64(v)) => assert_eq!(v, expected, "{source}"),
            ref other => panic!("{source}: {other:?}"),
        }
    }
    // Division by a constant zero is left to run time.
    let program = check_ok("let r = 1 // 0");
    assert!(matches!(last_expr(&program).kind, ExprKind::Binary(..)));
}

//! Built-ins (spec §8), static sizes, list literals, indexing and properties.
mod types_support;
use nx_compiler::types::hir;
use types_support::*;

#[test]
fn creation_types_and_static_sizes() {
    let cases = [
        ("zeros(5)", "f64[5]"),
        ("zeros([2, 3], dtype=f32)", "f32[2, 3]"),
        ("ones(2 * 3)", "f64[6]"),
        ("let n = 4\nzeros(n)", "f64[_]"),
        ("let a = zeros([2, 3])\nones(a.shape, dtype=i8)", "i8[2, 3]"),
        ("full(3, 7)", "i64[3]"),
        ("full(3, 7.5)", "f64[3]"),
        ("full([2, 2], 7u8)", "u8[2, 2]"),
        ("full(3, 1, dtype=f32)", "f32[3]"),
        ("arange(10)", "i64[10]"),
        ("arange(2, 10, 3)", "i64[3]"),
        ("arange(10, 0, -1)", "i64[10]"),
        ("arange(0.0, 1.0, 0.25)", "f64[4]"),
        ("arange(5, dtype=f32)", "f32[5]"),
        ("let n = 3\narange(n)", "i64[_]"),
        ("linspace(0.0, 1.0, 11)", "f64[11]"),
        ("linspace(0, 1, 5, dtype=f32)", "f32[5]"),
        ("linspace(0, 1)", "f64[50]"),
        ("eye(3)", "f64[3, 3]"),
        ("eye(2, dtype=i32)", "i32[2, 2]"),
        ("rand([2, 3], seed=1)", "f64[2, 3]"),
        ("randn(4)", "f64[4]"),
        ("randint(0, 10, [5])", "i64[5]"),
        ("clock()", "f64"),
    ];
    for (source, expected) in cases {
        let (prelude, expr) = source.rsplit_once('\n').unwrap_or(("", source));
        assert_eq!(ty(prelude, expr), expected, "{source}");
    }
}

#[test]
fn list_literals() {
    let cases = [
        ("[1.0, 2.0]", "f64[2]"),
        ("[1, 2, 3]", "i64[3]"),
        ("[1, 2.5]", "f64[2]"),
        ("[[1, 2], [3, 4], [5, 6]]", "i64[3, 2]"),
        ("[]", "f64[0]"),
        ("[1u8, 2]", "u8[2]"),
        ("[1u8, -1i8]", "i16[2]"),
        ("[true, false]", "bool[2]"),
        ("[zeros(3, dtype=f32), ones(3, dtype=f32)]", "f32[2, 3]"),
        ("[1.5f32, 2]", "f32[2]"),
    ];
    assert_types("", &cases);
    assert_error(
        "[zeros(3), zeros(4)]",
        "list items must have the same shape: this is f64[4], the first item is f64[3]",
    );
    assert_error(
        "[zeros(3), 1.0]",
        "list items must have the same rank: this is f64, the first item is f64[3]",
    );
    assert_error("[1u8, 256]", "integer 256 does not fit in u8");
}

#[test]
fn reductions_axes_and_keepdims() {
    let p = "let m = zeros([2, 3, 4])";
    let cases = [
        ("sum(m)", "f64"),
        ("sum(m, axis=0)", "f64[3, 4]"),
        ("sum(m, axis=-1)", "f64[2, 3]"),
        ("m.sum(axis=1, keepdims=true)", "f64[2, 1, 4]"),
        ("sum(m, axis=[0, 2])", "f64[3]"),
        ("mean(m, axis=-1, keepdims=true)", "f64[2, 3, 1]"),
        ("argmax(m, axis=1)", "i64[2, 4]"),
        ("var(m, axis=0, ddof=1)", "f64[3, 4]"),
        ("max(m, axis=2)", "f64[2, 3]"),
    ];
    assert_types(p, &cases);
    let program = check_ok(&format!("{p}\nlet s = sum(m, axis=-1)"));
    let hir::ExprKind::Reduce { axes, keepdims, .. } = &last_expr(&program).kind else {
        panic!()
    };
    assert_eq!(axes.as_deref(), Some(&[2usize][..]));
    assert!(!keepdims);
}

#[test]
fn indexing_types_and_sizes() {
    let p = "let a = zeros(10)\nlet m = zeros([4, 5])\nlet i = 2";
    let cases = [
        ("a[3]", "f64"),
        ("a[-1]", "f64"),
        ("a[i]", "f64"),
        ("a[2:5]", "f64[3]"),
        ("a[:-2]", "f64[8]"),
        ("a[::2]", "f64[5]"),
        ("a[::-1]", "f64[10]"),
        ("a[8:100]", "f64[2]"),
        ("a[i:]", "f64[_]"),
        ("a[:]", "f64[10]"),
        ("m[1]", "f64[5]"),
        ("m[1, 2]", "f64"),
        ("m[:, 1]", "f64[4]"),
        ("m[..., 1]", "f64[4]"),
        ("m[newaxis, :, :]", "f64[1, 4, 5]"),
        ("a[:, newaxis]", "f64[10, 1]"),
        ("m[1:3, ::2]", "f64[2, 3]"),
        ("a[a > 0.0]", "f64[_]"),
        ("m[m > 0.0]", "f64[_]"),
        ("m[[0, 1, 3]]", "f64[3, 5]"),
        ("m[:, [0, 1]]", "f64[4, 2]"),
        ("m[zeros(4) > 0.0]", "f64[_, 5]"),
    ];
    assert_types(p, &cases);
    let program = check_ok(&format!("{p}\nlet r = m[m > 0.0]"));
    assert!(matches!(
        &last_expr(&program).kind,
        hir::ExprKind::Index { items, .. } if matches!(items.as_slice(), [hir::IndexItem::Mask(_)])
    ));
    let program = check_ok(&format!("{p}\nlet r = m[:, [0, 1]]"));
    assert!(matches!(
        &last_expr(&program).kind,
        hir::ExprKind::Index { items, .. }
            if matches!(items.as_slice(), [hir::IndexItem::Slice { .. }, hir::IndexItem::Gather(_)])
    ));
    let program = check_ok(&format!("{p}\nlet r = a[1:i]"));
    assert!(matches!(
        last_expr(&program).kind,
        hir::ExprKind::Index { .. }
    ));
    assert_error(
        &format!("{p}\nm[zeros(3) > 0.0]"),
        "boolean index bool[3] does not match axis 0 of f64[4, 5] (length 4)",
    );
    assert_error(
        &format!("{p}\nm[[0], [1]]"),
        "at most one array index is allowed per indexing expression",
    );
}

#[test]
fn properties() {
    let p = "let m = zeros([4, 5], dtype=f32)\nlet n = 3\nlet v = zeros(n)";
    assert_eq!(ty(p, "m.T"), "f32[5, 4]");
    assert_eq!(ty(p, "m.shape"), "i64[2]");
    assert_eq!(ty_weak(p, "m.ndim"), "i64 (weak)");
    assert_eq!(ty_weak(p, "m.size"), "i64 (weak)");
    assert_eq!(ty_weak(p, "v.size"), "i64 (weak)");
    assert_eq!(ty_weak(p, "len(m)"), "i64 (weak)");
    assert_eq!(ty(p, "zeros(m.size)"), "f64[20]");
    assert_eq!(ty(p, "zeros(len(m))"), "f64[4]");
    assert_eq!(ty(p, "zeros(len(v))"), "f64[_]");
    let program = check_ok(&format!("{p}\nlet r = m.ndim"));
    assert!(matches!(
        last_expr(&program).kind,
        hir::ExprKind::Const(nx_runtime::Scalar::I64(2))
    ));
    let program = check_ok(&format!("{p}\nlet r = v.size"));
    assert!(matches!(last_expr(&program).kind, hir::ExprKind::Size(_)));
    assert_error_at(
        &format!("{p}\nm.foo"),
        "no property `foo` on f32[4, 5]",
        "foo",
    );
    // `.shape` is strong i64, so it does not adapt
    assert_eq!(ty(p, "m.shape * 2"), "i64[2]");
}

#[test]
fn not_yet_executed_builtins_type_check() {
    let p = "let a = zeros([2, 3])\nlet b = zeros([3, 4], dtype=f32)\nlet v = zeros(3)\nlet n = 5";
    let cases = [
        ("a @ b", "f64[2, 4]"),
        ("matmul(a, v)", "f64[2]"),
        ("v @ v", "f64"),
        ("dot(a, v)", "f64[2]"),
        ("dot(v, 2.0)", "f64[3]"),
        ("outer(v, v)", "f64[3, 3]"),
        ("norm(a)", "f64"),
        ("norm(zeros(3, dtype=f32))", "f32"),
        ("cumsum(a)", "f64[6]"),
        ("cumsum(zeros(3, dtype=u8), axis=0)", "u64[3]"),
        ("sort(a)", "f64[2, 3]"),
        ("argsort(a, axis=0)", "i64[2, 3]"),
        ("reshape(a, [3, 2])", "f64[3, 2]"),
        ("reshape(a, [-1, 2])", "f64[3, 2]"),
        ("reshape(a, n)", "f64[6]"),
        ("ravel(a)", "f64[6]"),
        ("transpose(a)", "f64[3, 2]"),
        ("transpose(zeros([2, 3, 4]), [2, 0, 1])", "f64[4, 2, 3]"),
        ("concat([v, v, zeros(2)])", "f64[8]"),
        ("concat([a, a], axis=1)", "f64[2, 6]"),
        ("stack([v, v])", "f64[2, 3]"),
        ("stack([v, v], axis=1)", "f64[3, 2]"),
        ("broadcast_to(v, [4, 3])", "f64[4, 3]"),
        ("allclose(a, a)", "bool"),
        ("array_equal(a, v)", "bool"),
        ("load(\"x.npy\", dtype=f32, ndim=2)", "f32[_, _]"),
    ];
    assert_types(p, &cases);
    let program = check_ok(&format!("{p}\nlet r = a @ b"));
    // `@` is the library's matmul, on operands converted to the result dtype.
    assert!(matches!(
        &last_expr(&program).kind,
        hir::ExprKind::Library { op: hir::LibraryOp::MatMul, args }
            if args.iter().all(|arg| arg.ty.dtype == nx_runtime::DType::F64)
    ));
    assert_error(
        &format!("{p}\na @ a"),
        "cannot multiply f64[2, 3] and f64[2, 3] as matrices: inner dimensions differ: 3 and 2",
    );
    assert_error(
        &format!("{p}\nreshape(a, [4, 2])"),
        "cannot reshape f64[2, 3] (6 elements) into f64[4, 2]",
    );
    assert_error(
        &format!("{p}\nbroadcast_to(v, [4, 2])"),
        "cannot broadcast f64[3] to f64[4, 2]",
    );
    assert_error(
        "load(\"/nonexistent/x.npy\")",
        "cannot tell the type of this `load` when the program is checked",
    );
    check_ok("let x: f32[_, _] = load(\"/nonexistent/x.npy\")");
    check_ok("save(\"x.npy\", zeros(3))");
}

#[test]
fn print_and_assert() {
    let program = check_ok("print(\"x =\", 1, zeros(2))\nassert 1 < 2, \"math\"");
    let hir::StmtKind::Print(args) = &program.stmts[0].kind else {
        panic!()
    };
    assert!(matches!(&args[0].kind, hir::ExprKind::Str(s) if s == "x ="));
    assert_eq!(args.len(), 3);
    let hir::StmtKind::Assert { message, .. } = &program.stmts[1].kind else {
        panic!()
    };
    assert_eq!(message.as_deref(), Some("math"));
}

#[test]
fn square_evaluates_its_argument_once() {
    let program = check_ok("fn f() = 2.0\nlet s = square(f())");
    assert!(matches!(last_expr(&program).kind, hir::ExprKind::Block(_)));
    let program = check_ok("let x = 3\nlet s = square(x)");
    assert!(matches!(
        last_expr(&program).kind,
        hir::ExprKind::Binary(..)
    ));
    assert_eq!(last_expr(&program).ty.to_string(), "i64");
}

#[test]
fn loops_forget_static_sizes_of_what_they_rebind() {
    // After the loop `x` may be any length: adding a 3-vector must not be a static error.
    check_ok("let x = zeros(3)\nfor i in 0..3 { x = concat([x, x]) }\nlet y = x + zeros(5)");
    assert_eq!(
        ty(
            "let x = zeros(3)\nwhile len(x) < 10 { x = concat([x, x]) }",
            "x"
        ),
        "f64[_]"
    );
    // A rebinding outside loops keeps what is known for sure.
    assert_eq!(ty("let x = zeros(3)\nx = ones(3)", "x"), "f64[3]");
    assert_eq!(ty("let x = zeros(3)\nx = ones(4)", "x"), "f64[_]");
}

#[test]
fn blocks_and_scopes() {
    assert_eq!(ty_weak("", "{ let t = 2; t * 3 }"), "i64 (weak)");
    assert_error("{ let t = 2 }\nt", "cannot find `t` in this scope");
    assert_error("let y = { let t = 2 }", "this block has no value");
    let program = check_ok("let x = 1\nlet x = 2.0\nx");
    assert_eq!(program.n_globals, 2);
}

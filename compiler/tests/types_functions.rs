//! User functions (spec §7): instantiation, caching, keywords, defaults, named sizes, results,
//! returns, globals, recursion, method syntax.
mod types_support;
use nx_compiler::types::hir;
use types_support::*;

fn calls(program: &hir::Program) -> Vec<u32> {
    let mut out = Vec::new();
    for stmt in &program.stmts {
        if let hir::StmtKind::Assign { value, .. } | hir::StmtKind::Expr { value, .. } = &stmt.kind
            && let hir::ExprKind::Call { func, .. } = &value.kind
        {
            out.push(func.0);
        }
    }
    out
}

/// The declared or inferred result type of one function instance.
fn result_type(program: &hir::Program, id: u32) -> String {
    program.functions[id as usize]
        .result
        .as_ref()
        .expect("the function returns a value")
        .to_string()
}

#[test]
fn generic_instances_per_dtype_rank_weakness() {
    let program = check_ok(
        "fn axpy(a, x, y) = a * x + y
let xf = zeros(3, dtype=f32)
let r1 = axpy(2.0, xf, xf)
let r2 = axpy(2.0, xf, xf)
let r3 = axpy(2.0, zeros(5), zeros(5))
let r4 = axpy(2.0, zeros(4, dtype=f32), xf)
let r5 = axpy(2, xf, xf)",
    );
    let ids = calls(&program);
    assert_eq!(ids[0], ids[1], "same key, same instance");
    assert_ne!(ids[0], ids[2], "different dtype");
    assert_eq!(ids[0], ids[3], "sizes are not part of the key");
    assert_ne!(ids[0], ids[4], "weak int vs weak float");
    assert_eq!(program.functions.len(), 3);
    assert_eq!(result_type(&program, ids[0]), "f32[_]");
    assert_eq!(
        ty(
            "fn axpy(a, x, y) = a * x + y\nlet xf = zeros(3, dtype=f32)",
            "axpy(2.0, xf, xf)"
        ),
        "f32[_]"
    );
}

#[test]
fn instances_persist_across_inputs() {
    let mut checker = nx_compiler::types::Checker::new();
    let p1 = check_ok_with(&mut checker, "fn f(x) = x + 1\nlet a = f(1.0)");
    let p2 = check_ok_with(&mut checker, "let b = f(2.0)\nlet c = f(zeros(2))");
    assert_eq!(calls(&p1)[0], calls(&p2)[0]);
    assert_eq!(p2.functions.len(), 2);
}

#[test]
fn function_results_are_strong() {
    assert_eq!(ty_weak("fn two() = 2", "two()"), "i64");
    assert_eq!(ty("fn f(x: f32) -> f32 { x * 2 }", "f(1)"), "f32");
}

#[test]
fn keyword_and_default_arguments() {
    assert_eq!(
        ty(
            "fn norm_p(x, p = 2.0) = sum(abs(x) ** p) ** (1.0 / p)",
            "norm_p(zeros(3))"
        ),
        "f64"
    );
    assert_eq!(ty("fn f(a, b = 1) = a - b", "f(b=2u8, a=1u8)"), "u8");
    assert_error_at(
        "fn f(a, b) = a + b\nf(1, c=2)",
        "`f` has no parameter `c`",
        "c",
    );
    assert_error(
        "fn f(a, b) = a + b\nf(1)",
        "missing argument `b` in the call of `f`",
    );
    assert_error(
        "fn f(a) = a\nf(1, 2)",
        "`f` takes 1 argument but 2 were given",
    );
    assert_error(
        "fn f(a) = a\nf(1, a=2)",
        "argument `a` is given more than once",
    );
}

#[test]
fn annotated_parameters_accept_safe_casts() {
    assert_eq!(
        ty("fn f(x: f64[_]) = x", "f(zeros(3, dtype=f32))"),
        "f64[_]"
    );
    assert_eq!(ty("fn f(x: f32) = x", "f(1)"), "f32");
    assert_eq!(ty("fn f(x: i16) = x", "f(3u8)"), "i16");
    assert_error_at(
        "fn f(x: f32[_]) = x\nf(zeros(3))",
        "argument `x` of `f` must be f32[_], found f64[3]",
        "zeros(3)",
    );
    assert_error(
        "fn f(x: f64[_]) = x\nf(zeros([2, 2]))",
        "argument `x` of `f` must be f64[_], found f64[2, 2]",
    );
    assert_error(
        "fn f(x: i32) = x\nf(2.5)",
        "argument `x` of `f` must be i32, found f64",
    );
    assert_error("fn f(x: u8) = x\nf(300)", "integer 300 does not fit in u8");
    assert_error(
        "fn f(x: f64[3]) = x\nf(zeros(4))",
        "argument `x` of `f` must be f64[3], found f64[4]",
    );
}

#[test]
fn named_sizes() {
    let source = "fn mean_of(x: f64[n]) -> f64 { sum(x) / n }\nlet m = mean_of(zeros(4))";
    let program = check_ok(source);
    let f = &program.functions[0];
    assert_eq!(f.size_bindings.len(), 1);
    assert_eq!(f.size_bindings[0].name, "n");
    assert_eq!(f.size_bindings[0].uses, vec![(0, 0)]);
    assert_eq!(f.size_bindings[0].slot, 1);
    check_ok(
        "fn dot2(a: f64[n], b: f64[n]) -> f64 = sum(a * b)\ndot2(zeros(3), ones(3))\nlet k = 4\ndot2(zeros(k), ones(3))",
    );
    assert_error_at(
        "fn dot2(a: f64[n], b: f64[n]) -> f64 = sum(a * b)\ndot2(zeros(3), ones(4))",
        "size `n` is 3 for `a` but 4 for `b`",
        "ones(4)",
    );
    // the result's named sizes are refined from the arguments
    assert_eq!(
        ty("fn twice(x: f64[n]) -> f64[n] = 2.0 * x", "twice(zeros(5))"),
        "f64[5]"
    );
    assert_error(
        "fn f(x: f64[n]) -> f64[m] = x",
        "size `m` in the result type is not bound by a parameter",
    );
    // a named size is a weak i64
    assert_eq!(
        ty("fn f(x: u8[n]) = x + n", "f(zeros(2, dtype=u8))"),
        "u8[_]"
    );
}

#[test]
fn declared_results() {
    assert_error_at(
        "fn f(x: f64) -> f32 { x }\nf(1.0)",
        "`f` must return f32, found f64",
        "x",
    );
    check_ok("fn relu(x: f32) -> f32 { if x > 0.0 { x } else { 0.0 } }\nrelu(1.0f32)");
    assert_error(
        "fn f(x: f64) -> f64 { print(x) }\nf(1.0)",
        "`f` must return f64, but its body ends without a value",
    );
}

#[test]
fn returns_agree_like_if_branches() {
    assert_eq!(
        ty("fn f(x) { if x > 0 { return x }; 2.5 }", "f(1i32)"),
        "f64"
    );
    assert_eq!(
        ty(
            "fn f(x) { if x > 0 { return 1 } else { return 2 } }",
            "f(1)"
        ),
        "i64"
    );
    let (message, _) = one_error("fn f(x) { if x > 0 { return zeros(3) }; 1.0 }\nf(1)");
    assert!(
        message.contains("returns values of different ranks"),
        "{message}"
    );
    assert_error(
        "fn f(x) { if x > 0 { return 1 }; print(x) }\nf(1)",
        "`f` returns a value with `return` but its body ends without one",
    );
}

#[test]
fn functions_that_return_nothing() {
    let program = check_ok("fn show(x) { print(x) }\nshow(1)");
    assert!(matches!(
        program.stmts.last().unwrap().kind,
        hir::StmtKind::Call { .. }
    ));
    assert!(program.functions[0].result.is_none());
    assert_error_at(
        "fn show(x) { print(x) }\nlet y = show(1)",
        "`show` returns nothing; its result cannot be used",
        "show(1)",
    );
}

#[test]
fn globals_are_read_at_the_call() {
    let program = check_ok(
        "fn f() = scale * 2.0\nlet scale = 1.5f32\nlet a = f()\nlet scale = 2\nlet b = f()\nlet c = f()",
    );
    let ids = calls(&program);
    assert_ne!(ids[0], ids[1], "different binding of `scale`");
    assert_eq!(ids[1], ids[2]);
    assert_eq!(result_type(&program, ids[0]), "f32");
    assert_eq!(result_type(&program, ids[1]), "f64");
    let body = &program.functions[ids[0] as usize].body;
    let value = body.value.as_ref().unwrap();
    let hir::ExprKind::Binary(_, lhs, _) = &value.kind else {
        panic!("{value:?}")
    };
    assert!(matches!(
        lhs.kind,
        hir::ExprKind::Var(hir::VarRef::Global(0))
    ));
    assert_error(
        "fn f() = missing + 1\nf()",
        "cannot find `missing` in this scope",
    );
}

#[test]
fn assigning_globals_in_functions_is_an_error() {
    assert_error_at(
        "let g = 1\nfn f() { g = 2 }\nf()",
        "cannot assign to the global variable `g` inside a function",
        "g",
    );
    assert_error(
        "let g = zeros(3)\nfn f() { g[0] = 2.0 }\nf()",
        "cannot assign into the global variable `g` inside a function",
    );
    check_ok("let g = 1\nfn f() { let g = 2; g = 3; g }\nf()");
}

#[test]
fn recursion_is_an_error() {
    assert_error_at(
        "fn f(n) = if n > 0 { f(n - 1) } else { 0 }\nf(3)",
        "recursion is not supported: `f` calls itself",
        "f(n - 1)",
    );
    let errors = check_err("fn a(n) = b(n)\nfn b(n) = a(n)\na(1)");
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("recursion is not supported"))
    );
}

#[test]
fn functions_may_be_called_before_definition_and_shadow_builtins() {
    assert_eq!(ty("let r = later(2.0)\nfn later(x) = x * 2", "r"), "f64");
    assert_eq!(ty("fn sum(x) = 42", "sum(zeros(3))"), "i64");
    assert_eq!(ty("fn sum(x) = 42", "zeros(3).sum()"), "i64");
    assert_eq!(
        ty("fn double(x) = 2 * x", "zeros(3, dtype=i8).double()"),
        "i8[_]"
    );
}

#[test]
fn elementwise_functions_type_check() {
    let source = "fn mandel(re: f64, im: f64) -> i32 {
    let zr = 0.0; let zi = 0.0; let n = 0i32
    while n < 100 and zr * zr + zi * zi <= 4.0 {
        let t = zr * zr - zi * zi + re
        zi = 2.0 * zr * zi + im
        zr = t
        n += 1
    }
    n
}
let counts = mandel(linspace(-2.0, 1.0, 800)[newaxis, :], linspace(-1.5, 1.5, 600)[:, newaxis])";
    let program = check_ok(source);
    let value = last_expr(&program);
    assert_eq!(value.ty.to_string(), "i32[600, 800]");
    let hir::ExprKind::ElementwiseCall { elementwise, .. } = &value.kind else {
        panic!("expected an elementwise call, got {:?}", value.kind);
    };
    assert_eq!(elementwise, &[true, true]);
}

#[test]
fn uncalled_annotated_functions_are_checked() {
    assert_error(
        "fn f(x: f64) -> f64 { x + undefined }",
        "cannot find `undefined` in this scope",
    );
}

#[test]
fn duplicate_definitions() {
    assert_error(
        "fn f() = 1\nfn f() = 2",
        "function `f` is defined more than once in this file",
    );
    assert_error("fn f(a, a) = 1", "parameter `a` is declared twice");
}

#[test]
fn function_locals_use_local_slots() {
    let program = check_ok("fn f(x) { let y = x + 1; let y = y * 2; y }\nf(1.0)");
    let f = &program.functions[0];
    assert_eq!(f.n_locals, 3);
    assert_eq!(program.n_globals, 0);
}

#[test]
fn redefinitions_in_a_later_input_replace_earlier_ones() {
    let mut checker = nx_compiler::types::Checker::new();
    check_ok_with(&mut checker, "fn f(x) = x\nfn g(x) = f(x)");
    let program = check_ok_with(&mut checker, "fn f(x) = x * 2.5\nlet r = g(1)");
    assert_eq!(last_expr(&program).ty.to_string(), "f64");
}

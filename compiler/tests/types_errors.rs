//! Every kind of type error: message, span, hint; all errors reported; no cascades.
mod types_support;
use types_support::*;

#[test]
fn unknown_name_with_suggestion() {
    assert_error_at(
        "let value = 1\nprint(valeu + 1)",
        "cannot find `valeu` in this scope",
        "valeu",
    );
    assert_hint("let value = 1\nprint(valeu + 1)", "did you mean `value`?");
}

#[test]
fn unknown_function_with_suggestion() {
    assert_error_at(
        "let x = zeros(3)\nprint(summ(x))",
        "cannot find function `summ`",
        "summ",
    );
    assert_hint("print(summ(zeros(3)))", "`sum`");
}

#[test]
fn broadcast_error_names_both_shapes() {
    let errors = check_err("let a = zeros(3)\nlet b = zeros(4)\nlet c = a + b");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "cannot broadcast f64[3] with f64[4]");
    assert_eq!(errors[0].notes.len(), 2);
    let source = "let a = zeros(3)\nlet b = zeros(4)\nlet c = a + b";
    assert_eq!(
        &source[errors[0].span.start as usize..errors[0].span.end as usize],
        " + "
    );
    // 2-D against 1-D
    assert_error(
        "zeros([2, 3]) * ones(2)",
        "cannot broadcast f64[2, 3] with f64[2]",
    );
    // unknown sizes are fine
    check_ok("let n = 3\nzeros(n) + zeros(4)");
    check_ok("zeros([2, 3]) + ones(3)");
    check_ok("zeros([2, 1]) + ones([1, 3])");
}

#[test]
fn bool_arithmetic_is_an_error_with_hint() {
    assert_error_at(
        "let b = true\nb + b",
        "cannot apply `+` to two bool values",
        "b + b",
    );
    assert_hint("true * false", "as i64");
    assert_error_contains("-true", "cannot negate a bool");
}

#[test]
fn logical_operators_need_bools() {
    assert_error_at(
        "let x = 1\nx and true",
        "`and` needs bool operands, found i64",
        "x",
    );
    assert_error("not 1.0", "`not` needs a bool operand, found f64");
}

#[test]
fn bitwise_and_shift_operand_kinds() {
    assert_error_at(
        "1.0 & 2",
        "`&` needs integer or bool operands, found f64",
        "1.0",
    );
    assert_error("true << 1", "`<<` needs integer operands, found bool");
    assert_error_contains("~1.5", "`~` needs an integer or bool operand");
}

#[test]
fn negative_constant_integer_power() {
    assert_error_at(
        "2 ** -1",
        "integers to negative integer powers are not allowed",
        "-1",
    );
    check_ok("2.0 ** -1");
    check_ok("let k = -1\n2 ** k");
}

#[test]
fn conditions_must_be_rank0_bool() {
    assert_error_at(
        "let a = zeros(3)\nif a > 0.0 { print(1) }",
        "the condition of `if` must be a rank-0 bool, found bool[3]",
        "a > 0.0",
    );
    assert!(
        hints("if zeros(3) > 0.0 { print(1) }")
            .iter()
            .any(|h| h.contains("any(") && h.contains("all("))
    );
    assert_error(
        "while 1 { }",
        "the condition of `while` must be a rank-0 bool, found i64",
    );
    assert_error(
        "assert zeros(2) == 0.0, \"x\"",
        "the condition of `assert` must be a rank-0 bool, found bool[2]",
    );
}

#[test]
fn if_expression_branches() {
    assert_eq!(ty("let c = true", "if c { 1 } else { 2.5 }"), "f64");
    assert_eq!(
        ty(
            "let c = true\nlet x = zeros(3, dtype=f32)",
            "if c { x } else { 2 * x }"
        ),
        "f32[3]"
    );
    assert_eq!(
        ty("let c = true", "if c { zeros(3) } else { zeros(4) }"),
        "f64[_]"
    );
    assert_error(
        "let c = true\nlet y = if c { zeros(3) } else { 1.0 }",
        "`if` branches must have the same rank: f64[3] and f64",
    );
    assert_error_at(
        "let c = true\nlet y = if c { 1 }",
        "`if` without `else` has no value",
        "if c { 1 }",
    );
}

#[test]
fn assignment_errors() {
    assert_error_at("y = 1", "cannot find `y` in this scope", "y");
    assert_hint("y = 1", "let y =");
    assert_error_at(
        "let a = zeros([2, 2])\na[0][1] = 1.0",
        "cannot assign to an index of an index",
        "a[0][1]",
    );
    assert_hint("let a = zeros([2, 2])\na[0][1] = 1.0", "a[0, 1]");
    assert_error("pi = 3.0", "cannot assign to the predeclared constant `pi`");
    assert_error_at(
        "let x = zeros(3)\nx = 1.0",
        "cannot assign f64 to `x` of type f64[3]: the rank must stay 1",
        "1.0",
    );
    assert_error_at(
        "let x = zeros(3, dtype=i32)\nx = zeros(3)",
        "cannot assign f64[3] to `x` of type i32[3]",
        "zeros(3)",
    );
    assert_error("let x = 1\nx = 2.5", "cannot assign f64 to `x` of type i64");
    assert_error(
        "let x = zeros(3, dtype=i32)\nx += 1.5",
        "cannot assign f64[3] to `x` of type i32[3]",
    );
    assert_error(
        "let a = zeros(3, dtype=i32)\na[0] = 2.5",
        "cannot assign f64 into `a` of dtype i32",
    );
    assert_error("1 = 2", "cannot assign to this expression");
    assert_error(
        "let a = zeros(3)\na[0:2] = zeros(3)",
        "cannot assign f64[3] to a selection of type f64[2]",
    );
}

#[test]
fn assignments_that_convert() {
    check_ok("let x = zeros(3, dtype=f32)\nx = zeros(3)\nx += 1\nx *= 2.5");
    check_ok("let x = zeros(3, dtype=i32)\nx += zeros(3, dtype=i64)\nx = zeros(3, dtype=u8)");
    check_ok("let a = zeros(3, dtype=i32)\na[0] = 2\na[1:] += 1\na[...] = zeros(3, dtype=u8)");
    check_ok("let a = zeros(3)\na[0] = 2\na[:] = 1");
    check_ok("let x = 1\nx = 2u8\nx += 1");
    let program = check_ok("let k: f64 = 1\nk");
    assert_eq!(last_expr(&program).ty.to_string(), "f64");
    assert!(!last_expr(&program).ty.weak);
}

#[test]
fn annotation_errors() {
    assert_error_at(
        "let x: f32[3] = zeros(4)",
        "expected f32[3], found f64[4]",
        "zeros(4)",
    );
    assert_error("let x: i32 = 2.5", "cannot convert f64 to i32 for `x`");
    check_ok("let x: f32[_, _] = zeros([2, 3])");
}

#[test]
fn index_errors() {
    assert_error_at(
        "let a = zeros(3)\na[1.5]",
        "an index must be an integer, found f64",
        "1.5",
    );
    assert_error(
        "let a = zeros(3)\na[0, 1]",
        "too many indices for f64[3]: 2 given, but it has rank 1",
    );
    assert_error("let a = zeros(3)\na[::0]", "slice step cannot be zero");
    assert_error(
        "let a = zeros([2, 2])\na[..., ...]",
        "an index can only have one `...`",
    );
    assert_error_at(
        "let x = newaxis",
        "`newaxis` can only be used inside an index",
        "newaxis",
    );
}

#[test]
fn strings_and_dtypes_are_not_values() {
    assert_error_at("let s = \"hi\"", "strings are not values", "\"hi\"");
    assert_error("let d = f32", "the dtype name `f32` is not a value");
}

#[test]
fn loops_and_returns_in_the_wrong_place() {
    assert_error("break", "`break` outside of a loop");
    assert_error("if true { continue }", "`continue` outside of a loop");
    assert_error("return 1", "`return` outside of a function");
    check_ok("for i in 0..3 { if i == 1 { continue }; if i == 2 { break } }");
}

#[test]
fn for_loop_types() {
    check_ok("for i in 0..10..2 { let j: i64 = i }");
    assert_error(
        "for i in 0..2.5 { }",
        "a range bound must be a rank-0 integer, found f64",
    );
    assert_error(
        "for x in 1.0 { }",
        "cannot iterate over a rank-0 value (f64)",
    );
    check_ok("let m = zeros([3, 4])\nfor row in m { let r: f64[4] = row }");
    // the loop variable is weak i64
    check_ok("let a = zeros(3, dtype=u8)\nfor i in 0..3 { a[i] = a[i] + i }");
}

#[test]
fn reductions_axis_errors() {
    assert_error_at(
        "sum(zeros([2, 3]), axis=2)",
        "axis 2 is out of range for f64[2, 3] (rank 2)",
        "2",
    );
    assert_error(
        "sum(zeros([2, 3]), axis=-3)",
        "axis -3 is out of range for f64[2, 3] (rank 2)",
    );
    assert_error(
        "let k = 0\nsum(zeros([2, 3]), axis=k)",
        "`axis=` must be a constant integer",
    );
    assert_error(
        "sum(zeros(3), keepdims=1)",
        "`keepdims=` must be the constant `true` or `false`",
    );
}

#[test]
fn builtin_argument_errors() {
    assert_error_at(
        "zeros(3, dtyp=f32)",
        "`zeros` has no argument `dtyp`",
        "dtyp",
    );
    assert_error(
        "sum(zeros(3), 0)",
        "`sum` takes 1 positional argument but 2 were given",
    );
    assert_error("full(3)", "missing argument `value` in the call of `full`");
    assert_error(
        "zeros(2.5)",
        "a shape must be an integer or a list of integers, found f64",
    );
    assert_error("zeros(-1)", "a size cannot be negative, found -1");
    assert_error("zeros(3, dtype=3)", "`dtype=` expects a dtype name");
    assert_error(
        "let x = print(1)",
        "`print` returns nothing; its result cannot be used",
    );
    assert_error("len(1.0)", "`len` of a rank-0 value (f64)");
    assert_error(
        "where(zeros(3), 1, 2)",
        "the condition of `where` must be bool, found f64[3]",
    );
}

#[test]
fn all_errors_are_reported_at_once() {
    let errors = check_err(
        "let a = foo\nlet b = 1 + true + true\nlet c = bar(1)\nprint(a, b, c)\nlet d = zeros(3) + zeros(2)",
    );
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "cannot find `foo` in this scope",
            "cannot find function `bar`",
            "cannot broadcast f64[3] with f64[2]",
        ],
        "{errors:#?}"
    );
}

#[test]
fn no_cascades_from_erroneous_bindings() {
    // `x` has the error type: using it later reports nothing more.
    let errors = check_err("let x = undefined_thing\nlet y = x + 1\nlet z = sum(y) * x\nx = 3");
    assert_eq!(errors.len(), 1, "{errors:#?}");
}

#[test]
fn never_panics_on_error_nodes() {
    use nx_compiler::diagnostics::Span;
    use nx_compiler::syntax::ast;
    let error = ast::Expr {
        kind: ast::ExprKind::Error,
        span: Span::default(),
    };
    let module = ast::Module {
        stmts: vec![
            ast::Stmt {
                kind: ast::StmtKind::Expr(error.clone()),
                span: Span::default(),
            },
            ast::Stmt {
                kind: ast::StmtKind::Let {
                    name: ast::Ident {
                        name: "x".into(),
                        span: Span::default(),
                    },
                    annotation: None,
                    value: error.clone(),
                },
                span: Span::default(),
            },
            ast::Stmt {
                kind: ast::StmtKind::Assign {
                    target: error.clone(),
                    op: None,
                    value: error.clone(),
                },
                span: Span::default(),
            },
        ],
    };
    let mut checker = nx_compiler::types::Checker::new();
    let mut loader =
        |_: usize, _: &str, s: Span| Err(nx_compiler::diagnostics::Diagnostic::type_error(s, "no"));
    // Errors were reported by the parser; the checker adds none and does not panic.
    let result = checker.check(&module, false, &mut loader);
    assert!(result.is_ok());
}

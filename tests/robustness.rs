//! Spec §10: no input, however malformed, crashes nx. Random programs — well-formed ones
//! stitched from the grammar with edge-case values, and token soups — must end in success or
//! a clean error, never an internal error (a caught panic) or a crash.

use nx::{ErrorKind, Session};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "0",
        "1",
        "-1",
        "7u8",
        "-128i8",
        "255u8",
        "9223372036854775807",
        "-9223372036854775807 - 1",
        "0.0",
        "-0.0",
        "1e308",
        "nan",
        "inf",
        "-inf",
        "2.5f32",
        "true",
        "false",
        "[]",
        "[1, 2, 3]",
        "[[1.0, 2.0], [3.0, 4.0]]",
        "zeros(0)",
        "zeros([2, 0])",
        "zeros([0, 3], dtype=i32)",
        "ones([2, 3, 4], dtype=u8)",
        "arange(10)",
        "arange(10)[::-1]",
        "arange(12)[::3]",
        "linspace(0.0, 1.0, 7)",
        "eye(3)",
        "eye(0)",
        "full([2, 2], 1u64)",
        "a",
        "b",
        "c",
    ])
    .prop_map(str::to_string)
}

fn expression() -> impl Strategy<Value = String> {
    value().prop_recursive(3, 16, 3, |inner| {
        let binary_ops = vec![
            "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "<", "==", "and", "or",
        ];
        let functions = vec![
            "abs", "sqrt", "exp", "log", "floor", "round", "sign", "isnan", "square", "erf",
        ];
        let reductions = vec![
            "sum",
            "prod",
            "min",
            "max",
            "mean",
            "var",
            "std",
            "argmax",
            "any",
            "all",
            "count_nonzero",
        ];
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(binary_ops),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            (prop::sample::select(functions), inner.clone()).prop_map(|(f, x)| format!("{f}({x})")),
            (
                prop::sample::select(reductions),
                inner.clone(),
                prop::sample::select(vec!["", ", axis=0", ", axis=-1", ", axis=1, keepdims=true"])
            )
                .prop_map(|(f, x, axis)| format!("{f}({x}{axis})")),
            (
                inner.clone(),
                prop::sample::select(vec![
                    "[0]",
                    "[-1]",
                    "[1:]",
                    "[::-1]",
                    "[:, 0]",
                    "[newaxis]",
                    "[5]",
                    "[0, 0, 0]"
                ])
            )
                .prop_map(|(x, index)| format!("({x}){index}")),
            (
                inner.clone(),
                prop::sample::select(vec!["i8", "u64", "f32", "bool", "i64"])
            )
                .prop_map(|(x, t)| format!("({x} as {t})")),
            (inner.clone(), inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(l, r, x, y)| format!("where({l} < {r}, {x}, {y})")),
            (
                inner.clone(),
                prop::sample::select(vec![
                    ".T",
                    ".shape",
                    ".ndim",
                    ".size",
                    ".sum()",
                    ".max(axis=0)"
                ])
            )
                .prop_map(|(x, p)| format!("({x}){p}")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        (prop::sample::select(vec!["a", "b", "c"]), expression())
            .prop_map(|(n, e)| format!("let {n} = {e}")),
        (
            prop::sample::select(vec!["a", "b"]),
            prop::sample::select(vec!["=", "+=", "*=", "//="]),
            expression()
        )
            .prop_map(|(n, op, e)| format!("{n} {op} {e}")),
        expression().prop_map(|e| format!("print({e})")),
        (expression(), expression())
            .prop_map(|(c, e)| format!("if all({c}) {{ print({e}) }} else {{ print(0) }}")),
        (expression(), expression())
            .prop_map(|(n, e)| format!("for i in 0..len(({n}) + [0]) {{ print(i, {e}) }}")),
        expression().prop_map(|e| format!("fn f(x) = x + {e}\nprint(f(a))")),
        expression().prop_map(|e| format!("fn g(x: f64) -> f64 {{ x * 2.0 }}\nprint(g({e}))")),
        expression().prop_map(|e| format!("a[0] = {e}")),
        expression().prop_map(|e| format!("assert any({e}), \"message\"")),
    ]
}

/// A REPL session's inputs: each is checked and run on its own, so one bad statement does not
/// keep the others from running.
fn session_inputs() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(statement(), 1..8).prop_map(|mut inputs| {
        inputs.insert(
            0,
            "let a = arange(6) * 1.0; let b = 3; let c = [[1, 2], [3, 4]]".to_string(),
        );
        inputs
    })
}

fn token_soup() -> impl Strategy<Value = String> {
    let tokens = vec![
        "let", "fn", "x", "=", "(", ")", "[", "]", "{", "}", "1", "2.5", "+", "*", "**", "..",
        "...", ":", ",", "\n", "if", "else", "for", "in", "while", "return", "sum", "print", "as",
        "f32", "newaxis", "-", "not", ";", "\"s\"",
    ];
    prop::collection::vec(prop::sample::select(tokens), 0..40).prop_map(|t| t.join(" "))
}

fn assert_no_crash(inputs: &[String]) -> Result<(), TestCaseError> {
    let mut session = Session::new_captured().unwrap();
    for input in inputs {
        let result = session.run_repl(input);
        if let Err(err) = result {
            prop_assert_ne!(
                err.kind,
                ErrorKind::Internal,
                "internal error for:\n{}\n{}",
                inputs.join("\n"),
                err.rendered
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_never_crash(inputs in session_inputs()) {
        assert_no_crash(&inputs)?;
    }

    #[test]
    fn token_soups_never_crash(source in token_soup()) {
        assert_no_crash(&[source])?;
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for source in [
        "(".repeat(100_000),
        format!("print({}1{})", "(".repeat(10_000), ")".repeat(10_000)),
        format!("print({}1)", "-".repeat(100_000)),
        format!("print(1{})", " + 1".repeat(100_000)),
        format!(
            "{}print(1){}",
            "if true { ".repeat(5_000),
            " }".repeat(5_000)
        ),
        // A chain of 5000 functions, each calling the next.
        (0..5_000)
            .map(|i| format!("fn g{i}(x) = g{}(x) + 1\n", i + 1))
            .collect::<String>()
            + "fn g5000(x) = x\nprint(g0(1))",
    ] {
        let mut session = Session::new_captured().unwrap();
        if let Err(err) = session.run(&source) {
            assert_ne!(err.kind, ErrorKind::Internal, "{}", err.rendered);
        }
    }
}

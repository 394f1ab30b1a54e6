//! Differential property tests: random elementwise, broadcasting and reduction expressions over
//! random arrays give the same bits from the JIT as from the reference interpreter of the loop
//! IR (a plain scalar evaluator that shares no code with Cranelift codegen), and the same bits
//! with fusion on as with every operation in its own kernel (`--no-fuse`). Floating-point
//! reductions follow the IR's fixed summation order everywhere, so they must agree exactly too.
//! Chains of array temporaries give the same bits fused across statements as computed one by
//! one, and so do statements run by blocks of rows and sibling reductions in one kernel. Random elementwise functions with loops and branches give the same bits, or the same error,
//! compiled into one kernel (JIT or reference interpreter) as applied per element by the
//! executor's own semantics.

use nx::{DType, Session, Value};
use proptest::prelude::*;

/// How a variable's shape relates to the case's `[rows, cols]`: every two of these broadcast.
#[derive(Clone, Copy)]
enum Role {
    Full,
    Row,
    Column,
    Scalar,
}

impl Role {
    fn shape(self, rows: usize, cols: usize) -> Vec<usize> {
        match self {
            Role::Full => vec![rows, cols],
            Role::Row => vec![cols],
            Role::Column => vec![rows, 1],
            Role::Scalar => vec![],
        }
    }
}

/// The variables every generated expression may use, with their dtypes and shapes.
const VARIABLES: &[(&str, DType, Role)] = &[
    ("a", DType::F64, Role::Full),
    ("b", DType::F64, Role::Row),
    ("c", DType::F32, Role::Column),
    ("d", DType::F32, Role::Full),
    ("i", DType::I64, Role::Full),
    ("j", DType::I32, Role::Row),
    ("u", DType::U8, Role::Full),
    ("s", DType::F64, Role::Scalar),
];

/// Random sizes for one case, including empty axes.
fn sizes() -> impl Strategy<Value = (usize, usize)> {
    (0usize..5, 0usize..9)
}

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            VARIABLES
                .iter()
                .map(|(name, _, _)| name.to_string())
                .collect::<Vec<_>>()
        ),
        (-4i32..5).prop_map(|v| v.to_string()),
        (-8i32..9).prop_map(|v| format!("{:.1}", v as f64 / 4.0)),
    ]
}

fn expression() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "//", "%"]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            (
                inner.clone(),
                prop::sample::select(vec!["<", ">=", "=="]),
                inner.clone(),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(l, op, r, t, f)| format!("where({l} {op} {r}, {t}, {f})")),
            (
                prop::sample::select(vec![
                    "abs", "sqrt", "exp", "sin", "floor", "-", "square", "sign"
                ]),
                inner.clone()
            )
                .prop_map(|(f, x)| if f == "-" {
                    format!("(-{x})")
                } else {
                    format!("{f}({x})")
                }),
            (
                prop::sample::select(vec!["minimum", "maximum", "atan2", "hypot"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(f, x, y)| format!("{f}({x}, {y})")),
            (
                inner.clone(),
                prop::sample::select(vec!["f32", "f64", "i32", "i64", "u8", "bool"])
            )
                .prop_map(|(x, t)| format!("({x} as {t})")),
        ]
    })
}

/// Expressions whose row `i` depends only on row `i` of the full-shape variables (`c` is a
/// column, shape `[rows, 1]`, so it too has one element per row), with no failing operation.
fn row_local_expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec!["a", "c", "d", "i", "u", "s"]).prop_map(str::to_string),
        (-8i32..9).prop_map(|v| format!("{:.1}", v as f64 / 4.0)),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/"]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            (
                prop::sample::select(vec!["abs", "exp", "sin", "-"]),
                inner.clone()
            )
                .prop_map(|(f, x)| if f == "-" {
                    format!("(-{x})")
                } else {
                    format!("{f}({x})")
                }),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(l, t, f)| format!("where({l} > 0.0, {t}, {f})")),
            (
                prop::sample::select(vec!["sum", "mean", "max", "std"]),
                inner.clone()
            )
                .prop_map(|(f, x)| format!("{f}(({x}) + 0.0 * a, axis=1, keepdims=true)")),
        ]
    })
}

fn reduction() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "sum", "prod", "min", "max", "mean", "any", "all", "argmax", "argmin",
        ]),
        expression(),
        prop::sample::select(vec!["", ", axis=0", ", axis=-1", ", axis=1, keepdims=true"]),
    )
        // Adding a bool zeros array gives every argument rank 2 without changing its dtype.
        .prop_map(|(f, x, axis)| format!("{f}(({x}) + zeros(a.shape, dtype=bool){axis})"))
}

/// A condition for generated control flow.
fn condition() -> impl Strategy<Value = String> {
    (
        expression(),
        prop::sample::select(vec!["<", ">=", "!="]),
        expression(),
    )
        .prop_map(|(l, op, r)| format!("({l}) {op} ({r})"))
}

/// A function of every variable (as rank-0 parameters) with `for`, a nested `while` whose
/// counter lives across the outer iterations, `if`, `break`, `continue`, early `return`, a short-circuit condition and a call of another function, which
/// reads the rank-0 global `s`.
fn elementwise_function() -> impl Strategy<Value = String> {
    (
        (0usize..4, condition(), expression(), condition()),
        (condition(), expression(), condition(), expression()),
        expression(),
    )
        .prop_map(
            |((trips, skip, term, stop), (more, step, early, last), helper)| {
                format!(
                    "fn helper(a: f64, b: f64, c: f32, d: f32, i: i64, j: i32, u: u8) -> f64 {{\n\
                     if i > 1 {{ return a * 2.0 }}\n\
                     ({helper}) as f64\n\
                     }}\n\
                     fn f(a: f64, b: f64, c: f32, d: f32, i: i64, j: i32, u: u8, s: f64) -> f64 {{\n\
                     let acc = 0.0\n\
                     let m = 0\n\
                     for k in 0..{trips} {{\n\
                     if {skip} {{ continue }}\n\
                     while m < k and ({more}) {{ acc = acc + 0.25; m += 1 }}\n\
                     acc = acc + ({term}) as f64 + helper(acc, b, c, d, k, j, u)\n\
                     if {stop} {{ break }}\n\
                     }}\n\
                     let n = 0\n\
                     while n < 3 and ({more}) {{ acc = acc * 0.5 + ({step}) as f64; n += 1 }}\n\
                     if {early} {{ return acc }}\n\
                     acc - ({last}) as f64\n\
                     }}"
                )
            },
        )
}

fn session(reference: bool, (rows, cols): (usize, usize)) -> Session {
    configured_session(reference, true, (rows, cols))
}

fn configured_session(reference: bool, fuse: bool, (rows, cols): (usize, usize)) -> Session {
    let mut session = Session::new_captured().unwrap();
    session.use_reference_interpreter(reference);
    session.set_fusion(fuse);
    let mut seed = 12345u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) % 17) as f64 / 2.0 - 4.0
    };
    for (name, dtype, role) in VARIABLES {
        let shape = role.shape(rows, cols);
        let n: usize = shape.iter().product();
        let values: Vec<f64> = (0..n).map(|_| next()).collect();
        let data = ndarray::ArrayD::from_shape_vec(shape, values).unwrap();
        let result = match dtype {
            DType::F64 => session.bind(name, data),
            DType::F32 => session.bind(name, data.mapv(|v| v as f32)),
            DType::I64 => session.bind(name, data.mapv(|v| v as i64)),
            DType::I32 => session.bind(name, data.mapv(|v| v as i32)),
            DType::U8 => session.bind(name, data.mapv(|v| (v + 4.0) as u8)),
            _ => unreachable!("no variable of this dtype"),
        };
        result.unwrap();
    }
    session
}

/// The value's bits, so that nan == nan and -0.0 != 0.0.
fn bits(value: &Value) -> (Vec<usize>, Vec<String>) {
    let array = value.to_array();
    let elements = array.iter().map(|s| format!("{s:?}")).collect();
    (array.shape().to_vec(), elements)
}

fn outcome(session: &mut Session, source: &str) -> Result<(Vec<usize>, Vec<String>), String> {
    session
        .eval(source)
        .map(|v| bits(&v))
        .map_err(|e| e.rendered)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn jit_matches_reference_on_elementwise(source in expression(), sizes in sizes()) {
        let jit = outcome(&mut session(false, sizes), &source);
        let reference = outcome(&mut session(true, sizes), &source);
        prop_assert_eq!(jit, reference, "source: {} with sizes {:?}", source, sizes);
    }

    #[test]
    fn jit_matches_reference_on_masks(
        lhs in expression(),
        op in prop::sample::select(vec!["<", ">=", "!=", "=="]),
        rhs in expression(),
        sizes in sizes(),
    ) {
        // Bool results stored from the vector path (one byte per lane, packed from the mask).
        let source = format!("({lhs}) {op} ({rhs})");
        let jit = outcome(&mut session(false, sizes), &source);
        let reference = outcome(&mut session(true, sizes), &source);
        prop_assert_eq!(jit, reference, "source: {} with sizes {:?}", source, sizes);
    }

    #[test]
    fn fused_matches_unfused(source in prop_oneof![expression(), reduction()], sizes in sizes()) {
        // Values must agree bit for bit; errors must be the same error (a fused kernel may
        // point at a larger expression than the one operation that failed).
        let first_line = |result: Result<_, String>| result.map_err(|e| e.lines().next().unwrap_or("").to_string());
        let fused = first_line(outcome(&mut configured_session(false, true, sizes), &source));
        let unfused = first_line(outcome(&mut configured_session(false, false, sizes), &source));
        prop_assert_eq!(fused, unfused, "source: {} with sizes {:?}", source, sizes);
    }

    #[test]
    fn function_kernels_match_per_element_calls(function in elementwise_function(), sizes in sizes()) {
        let call = "f(a, b, c, d, i, j, u, s)";
        let run = |reference: bool, kernels: bool| {
            let mut session = session(reference, sizes);
            session.set_function_kernels(kernels);
            session.run(&function).map_err(|e| e.rendered)?;
            outcome(&mut session, call)
        };
        let per_element = run(false, false);
        prop_assert_eq!(&run(false, true), &per_element, "function:\n{}\nsizes {:?}", function, sizes);
        prop_assert_eq!(&run(true, true), &per_element, "function:\n{}\nsizes {:?}", function, sizes);
    }

    #[test]
    fn statement_fusion_matches_unfused(
        first in expression(),
        second in expression(),
        third in expression(),
        sizes in sizes(),
    ) {
        // `t1` is read once (fused into `t2`), `t2` twice (kept), `t3` last (kept): the program
        // runs as one whole program, as a script does.
        let program = format!(
            "let t1 = ({first}) * 1.0\nlet t2 = t1 - ({second})\nlet t3 = where(t2 > 0.0, t2, -t2) + ({third})"
        );
        let run = |fuse: bool| {
            let mut session = configured_session(false, fuse, sizes);
            session.set_whole_program(true);
            session.run(&program).map_err(|e| e.rendered.lines().next().unwrap_or("").to_string())?;
            outcome(&mut session, "t3").map_err(|e| e.lines().next().unwrap_or("").to_string())
        };
        prop_assert_eq!(run(true), run(false), "program:\n{}\nsizes {:?}", program, sizes);
    }

    #[test]
    fn row_blocks_match_unfused(
        first in row_local_expression(),
        second in row_local_expression(),
        third in row_local_expression(),
        rows in 0usize..7,
        cols in 0usize..9,
        block_bytes in 1usize..40,
    ) {
        // Row-local statements (same-rank operands, reductions keeping axis 0) run by blocks of
        // a few rows: `t1` and `e` exist only per block, `t2`, `m`, `v` and `s` are assembled
        // whole for the `print` (shortest round-trip digits: equal text is equal bits). `s` and
        // `whole_var` reuse the means bound just before them.
        let program = format!(
            "let t1 = ({first}) + 0.0 * a\nlet e = exp(t1 - max(t1, axis=-1, keepdims=true))\n\
             let t2 = e / sum(e, axis=1, keepdims=true) + ({second})\n\
             let m = mean(t2, axis=1)\nlet v = var(({third}) + t2, axis=-1, ddof=1)\n\
             let s = std(t2, axis=1)\nlet whole_mean = mean(t2)\nlet whole_var = var(t2, ddof=1)\n\
             print(t2, m, v, s, whole_mean, whole_var)"
        );
        let run = |fuse: bool| {
            let mut session = configured_session(false, fuse, (rows, cols));
            session.set_whole_program(true);
            session.set_row_block_bytes(std::num::NonZeroUsize::new(block_bytes).unwrap());
            session.run(&program).map_err(|e| e.rendered.lines().next().unwrap_or("").to_string())?;
            Ok::<String, String>(session.take_output())
        };
        prop_assert_eq!(run(true), run(false), "program:\n{}\nsizes {:?}", program, (rows, cols));
    }

    #[test]
    fn inlined_calls_match_calls(body in expression(), arg in expression(), sizes in sizes()) {
        // A one-expression function over its parameter and globals: inlined into the caller's
        // kernel when nothing in it can fail, called otherwise (and always with `--no-fuse`).
        let program = format!(
            "fn f(p: f64[_, _]) -> f64[_, _] {{\n    ({body}) * 1.0 + p\n}}\n\
             let z = f(({arg}) * 1.0 + a) * 2.0\nprint(z, f(a))"
        );
        let run = |fuse: bool| {
            let mut session = configured_session(false, fuse, sizes);
            session.set_whole_program(true);
            session.run(&program).map_err(|e| e.rendered.lines().next().unwrap_or("").to_string())?;
            Ok::<String, String>(session.take_output())
        };
        prop_assert_eq!(run(true), run(false), "program:\n{}\nsizes {:?}", program, sizes);
    }

    #[test]
    fn sibling_reductions_match_unfused(
        args in prop::collection::vec(expression(), 3),
        ops in prop::collection::vec(prop::sample::select(vec![
            "sum", "prod", "min", "max", "mean", "any", "all", "count_nonzero",
        ]), 3),
        sizes in sizes(),
    ) {
        // Three full reductions of rank-2 arguments (a bool array of `a`'s shape, all false,
        // gives every argument that rank without changing its dtype): one kernel when they
        // cannot fail, else one by one; the same bits (or the same error) either way.
        let program = format!(
            "let r0 = {}(({}) + (a > 9.0))\nlet r1 = {}(({}) + (a > 9.0))\nlet r2 = {}(({}) + (a > 9.0))\nprint(r0, r1, r2)",
            ops[0], args[0], ops[1], args[1], ops[2], args[2]
        );
        let run = |fuse: bool| {
            let mut session = configured_session(false, fuse, sizes);
            session.run(&program).map_err(|e| e.rendered.lines().next().unwrap_or("").to_string())?;
            Ok::<String, String>(session.take_output())
        };
        prop_assert_eq!(run(true), run(false), "program:\n{}\nsizes {:?}", program, sizes);
    }

    #[test]
    fn jit_matches_reference_on_long_min_max_rows(
        source in (prop::sample::select(vec!["min", "max"]), expression())
            .prop_map(|(f, x)| format!("{f}(({x}) + zeros(a.shape, dtype=bool), axis=-1)")),
        rows in 1usize..4,
        cols in 16usize..90,
    ) {
        // Rows long enough for the four-accumulator vector loop of order-free reductions,
        // with odd group counts and broadcast (stride 0) inputs among the variables.
        let jit = outcome(&mut session(false, (rows, cols)), &source);
        let reference = outcome(&mut session(true, (rows, cols)), &source);
        prop_assert_eq!(jit, reference, "source: {} with sizes {:?}", source, (rows, cols));
    }

    #[test]
    fn jit_matches_reference_on_reductions(source in reduction(), sizes in sizes()) {
        let jit = outcome(&mut session(false, sizes), &source);
        let reference = outcome(&mut session(true, sizes), &source);
        prop_assert_eq!(jit, reference, "source: {} with sizes {:?}", source, sizes);
    }
}

/// Integer expressions for dtype narrowing (`ir::narrow`): `u8`, `i16` and `i32` arrays over
/// their full ranges, widened by casts and NumPy promotion and narrowed back, with small
/// constants and shift counts, so that some trees fit a narrower dtype and some wrap.
fn integer_expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        prop::sample::select(vec![
            "p",
            "q",
            "r",
            "t",
            "(p as i32)",
            "(q as i32)",
            "(r as i32)",
            "(p as i64)",
            "(r as i64)",
            "(p as i16)",
        ])
        .prop_map(str::to_string),
        (0i32..10).prop_map(|v| v.to_string()),
    ];
    let tree = leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "//", "%", "&", "|", "^"]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            (
                inner.clone(),
                prop::sample::select(vec!["<<", ">>", "//", "%"]),
                0u32..12
            )
                .prop_map(|(l, op, c)| match op {
                    // Constant divisors 1..=12: never 0, so these narrow.
                    "//" | "%" => format!("({l} {op} {})", c + 1),
                    _ => format!("({l} {op} {c})"),
                }),
            (
                prop::sample::select(vec!["abs", "-", "minimum", "maximum"]),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(f, l, r)| match f {
                    "abs" | "-" => format!("{f}({l})"),
                    _ => format!("{f}({l}, {r})"),
                }),
            (inner.clone(), inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(l, r, t, f)| format!("where({l} < {r}, {t}, {f})")),
            (
                inner.clone(),
                prop::sample::select(vec!["i32", "i16", "u8", "i64"])
            )
                .prop_map(|(x, dtype)| format!("({x} as {dtype})")),
        ]
    });
    (
        tree,
        prop::sample::select(vec!["", " as u8", " as i16", " as i32"]),
    )
        .prop_map(|(tree, cast)| format!("({tree}){cast}"))
}

/// A session holding `p`, `q` (`u8`), `r` (`i16`) and `t` (`i32`, a column) filled from `seed`.
fn integer_session(
    reference: bool,
    fuse: bool,
    (rows, cols): (usize, usize),
    seed: u64,
) -> Session {
    let mut session = Session::new_captured().unwrap();
    session.use_reference_interpreter(reference);
    session.set_fusion(fuse);
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 16
    };
    let mut fill = |shape: Vec<usize>| {
        let n: usize = shape.iter().product();
        ndarray::ArrayD::from_shape_vec(shape, (0..n).map(|_| next()).collect()).unwrap()
    };
    session
        .bind("p", fill(vec![rows, cols]).mapv(|v| v as u8))
        .unwrap();
    session
        .bind("q", fill(vec![cols]).mapv(|v| v as u8))
        .unwrap();
    session
        .bind("r", fill(vec![rows, cols]).mapv(|v| v as i16))
        .unwrap();
    session
        .bind("t", fill(vec![rows, 1]).mapv(|v| v as i32))
        .unwrap();
    session
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Narrowed kernels (fusion on) give the bits of unnarrowed ones (`--no-fuse`), and the JIT
    /// gives the reference interpreter's bits on the narrowed kernels (vector code on i8/i16/
    /// i32 lanes, mixed-width loads, stores and casts).
    #[test]
    fn narrowed_integer_kernels_match_unnarrowed(
        source in integer_expression(),
        rows in 0usize..3,
        cols in 0usize..70,
        seed in any::<u64>(),
    ) {
        let first_line = |result: Result<_, String>| result.map_err(|e| e.lines().next().unwrap_or("").to_string());
        let run = |reference, fuse| first_line(outcome(&mut integer_session(reference, fuse, (rows, cols), seed), &source));
        let narrowed = run(false, true);
        prop_assert_eq!(&narrowed, &run(false, false), "source: {} with sizes {:?}", source, (rows, cols));
        prop_assert_eq!(&narrowed, &run(true, true), "source: {} with sizes {:?}", source, (rows, cols));
    }
}

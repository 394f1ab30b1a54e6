//! Parser tests. Trees are compared through a compact S-expression printer:
//! `(+ 1 (* 2 3))`, `(index a (: 1 -1 _))`, `(let x: f64[n] e)`.

use super::ast::*;
use super::{needs_more_input, parse};
use crate::diagnostics::Diagnostic;
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// The S-expression printer.

fn opt(expr: &Option<Box<Expr>>) -> String {
    expr.as_deref().map_or("_".to_string(), show_expr)
}

fn show_type(ty: &TypeExpr) -> String {
    let mut out = ty.dtype.name().to_string();
    if let Some(dims) = &ty.dims {
        let dims: Vec<String> = dims
            .iter()
            .map(|dim| match dim {
                DimExpr::Known(size) => size.to_string(),
                DimExpr::Named(name) => name.name.clone(),
                DimExpr::Any(_) => "_".to_string(),
            })
            .collect();
        out.push_str(&format!("[{}]", dims.join(", ")));
    }
    out
}

fn show_args(args: &[Arg]) -> String {
    args.iter()
        .map(|arg| match &arg.name {
            Some(name) => format!(" (= {} {})", name.name, show_expr(&arg.value)),
            None => format!(" {}", show_expr(&arg.value)),
        })
        .collect()
}

fn show_block(block: &Block) -> String {
    let stmts: Vec<String> = block.stmts.iter().map(show_stmt).collect();
    if stmts.is_empty() {
        "{}".to_string()
    } else {
        format!("{{{}}}", stmts.join("; "))
    }
}

fn show_expr(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Int { value, suffix } => {
            format!("{value}{}", suffix.map_or("", |s| s.name()))
        }
        ExprKind::Float { text, suffix } => {
            format!("{text}{}", suffix.map_or("", |s| s.name()))
        }
        ExprKind::Bool(value) => value.to_string(),
        ExprKind::Str(text) => format!("{text:?}"),
        ExprKind::DType(dtype) => dtype.name().to_string(),
        ExprKind::Name(name) => name.name.clone(),
        ExprKind::Unary { op, operand } => format!("({} {})", op.symbol(), show_expr(operand)),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), show_expr(lhs), show_expr(rhs))
        }
        ExprKind::Cast { value, to, .. } => format!("(as {} {})", show_expr(value), to.name()),
        ExprKind::Call { func, args } => format!("(call {}{})", func.name, show_args(args)),
        ExprKind::MethodCall {
            receiver,
            method,
            args,
        } => format!(
            "(.{} {}{})",
            method.name,
            show_expr(receiver),
            show_args(args)
        ),
        ExprKind::Property { receiver, name } => {
            format!("(. {} {})", show_expr(receiver), name.name)
        }
        ExprKind::Index { base, items } => {
            let items: String = items
                .iter()
                .map(|item| match item {
                    IndexItem::Expr(e) => format!(" {}", show_expr(e)),
                    IndexItem::Slice {
                        start, stop, step, ..
                    } => format!(" (: {} {} {})", opt(start), opt(stop), opt(step)),
                    IndexItem::Ellipsis(_) => " ...".to_string(),
                })
                .collect();
            format!("(index {}{items})", show_expr(base))
        }
        ExprKind::List(items) => {
            let items: Vec<String> = items.iter().map(show_expr).collect();
            format!("[{}]", items.join(" "))
        }
        ExprKind::If { cond, then, else_ } => match else_ {
            Some(else_) => format!(
                "(if {} {} {})",
                show_expr(cond),
                show_block(then),
                show_expr(else_)
            ),
            None => format!("(if {} {})", show_expr(cond), show_block(then)),
        },
        ExprKind::Block(block) => show_block(block),
        ExprKind::Error => "<error>".to_string(),
    }
}

fn show_stmt(stmt: &Stmt) -> String {
    match &stmt.kind {
        StmtKind::Let {
            name,
            annotation,
            value,
        } => match annotation {
            Some(ty) => format!(
                "(let {}: {} {})",
                name.name,
                show_type(ty),
                show_expr(value)
            ),
            None => format!("(let {} {})", name.name, show_expr(value)),
        },
        StmtKind::Assign { target, op, value } => format!(
            "({}= {} {})",
            op.map_or("", |op| op.symbol()),
            show_expr(target),
            show_expr(value)
        ),
        StmtKind::Expr(expr) => show_expr(expr),
        StmtKind::For { var, iter, body } => {
            let iter = match iter {
                ForIter::Range { start, end, step } => format!(
                    "(range {} {}{})",
                    show_expr(start),
                    show_expr(end),
                    step.as_ref()
                        .map_or(String::new(), |s| format!(" {}", show_expr(s)))
                ),
                ForIter::Array(expr) => show_expr(expr),
            };
            format!("(for {} {iter} {})", var.name, show_block(body))
        }
        StmtKind::While { cond, body } => {
            format!("(while {} {})", show_expr(cond), show_block(body))
        }
        StmtKind::Break => "break".to_string(),
        StmtKind::Continue => "continue".to_string(),
        StmtKind::Return(None) => "return".to_string(),
        StmtKind::Return(Some(value)) => format!("(return {})", show_expr(value)),
        StmtKind::Fn(def) => {
            let params: Vec<String> = def
                .params
                .iter()
                .map(|p| {
                    let mut out = p.name.name.clone();
                    if let Some(ty) = &p.annotation {
                        out = format!("{out}: {}", show_type(ty));
                    }
                    if let Some(default) = &p.default {
                        out = format!("{out} = {}", show_expr(default));
                    }
                    if out.contains(' ') {
                        format!("({out})")
                    } else {
                        out
                    }
                })
                .collect();
            let ret = def
                .ret
                .as_ref()
                .map_or(String::new(), |t| format!(" -> {}", show_type(t)));
            format!(
                "(fn {} ({}){ret} {})",
                def.name.name,
                params.join(" "),
                show_expr(&def.body)
            )
        }
        StmtKind::Import { path, .. } => format!("(import {path:?})"),
        StmtKind::Assert { cond, message } => match message {
            Some(message) => format!("(assert {} {message:?})", show_expr(cond)),
            None => format!("(assert {})", show_expr(cond)),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn parse_ok(source: &str) -> Module {
    let (module, diagnostics) = parse(0, source);
    assert!(
        diagnostics.is_empty(),
        "unexpected errors for {source:?}: {:#?}",
        diagnostics
    );
    module
}

/// The statements of `source`, printed and joined with `; `.
fn sx(source: &str) -> String {
    let module = parse_ok(source);
    let stmts: Vec<String> = module.stmts.iter().map(show_stmt).collect();
    stmts.join("; ")
}

fn errors(source: &str) -> Vec<Diagnostic> {
    let (_, diagnostics) = parse(0, source);
    assert!(!diagnostics.is_empty(), "expected errors for {source:?}");
    diagnostics
}

fn messages(source: &str) -> Vec<String> {
    errors(source).into_iter().map(|d| d.message).collect()
}

fn first_error(source: &str) -> Diagnostic {
    errors(source).remove(0)
}

// ---------------------------------------------------------------------------------------
// Smoke.

#[test]
fn smoke() {
    assert_eq!(sx("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(sx("let x = 1\nlet y = 2"), "(let x 1); (let y 2)");
}

// ---------------------------------------------------------------------------------------
// Precedence, row by row (spec §3.1).

#[test]
fn precedence_or_and_not() {
    assert_eq!(sx("a or b and c"), "(or a (and b c))");
    assert_eq!(sx("a and b or c"), "(or (and a b) c)");
    assert_eq!(sx("a or b or c"), "(or (or a b) c)");
    assert_eq!(sx("not a and b"), "(and (not a) b)");
    assert_eq!(sx("not a == b"), "(not (== a b))");
    assert_eq!(sx("not not a"), "(not (not a))");
}

#[test]
fn precedence_comparisons() {
    assert_eq!(sx("a < b"), "(< a b)");
    assert_eq!(sx("a == b | c"), "(== a (| b c))");
    assert_eq!(sx("a + 1 <= b * 2"), "(<= (+ a 1) (* b 2))");
    assert_eq!(sx("a != b"), "(!= a b)");
    assert_eq!(sx("a >= b"), "(>= a b)");
    assert_eq!(sx("a > b"), "(> a b)");
    assert_eq!(sx("(a < b) == c"), "(== (< a b) c)");
}

#[test]
fn precedence_bitwise_and_shifts() {
    assert_eq!(sx("a | b ^ c"), "(| a (^ b c))");
    assert_eq!(sx("a ^ b & c"), "(^ a (& b c))");
    assert_eq!(sx("a & b << c"), "(& a (<< b c))");
    assert_eq!(sx("a << b + c"), "(<< a (+ b c))");
    assert_eq!(sx("a >> b >> c"), "(>> (>> a b) c)");
    assert_eq!(sx("a | b | c"), "(| (| a b) c)");
}

#[test]
fn precedence_arithmetic() {
    assert_eq!(sx("a + b - c"), "(- (+ a b) c)");
    assert_eq!(sx("a - b * c"), "(- a (* b c))");
    assert_eq!(
        sx("a * b / c // d % e @ f"),
        "(@ (% (// (/ (* a b) c) d) e) f)"
    );
}

#[test]
fn precedence_cast() {
    assert_eq!(sx("a * b as f32"), "(* a (as b f32))");
    assert_eq!(sx("-2.5 as u8"), "(as (- 2.5) u8)");
    assert_eq!(sx("x as i32 as f64"), "(as (as x i32) f64)");
    assert_eq!(sx("a + b as i64"), "(+ a (as b i64))");
    assert_eq!(sx("x ** 2 as f32"), "(as (** x 2) f32)");
}

#[test]
fn precedence_unary_and_power() {
    assert_eq!(sx("-x ** 2"), "(- (** x 2))");
    assert_eq!(sx("2 ** -x"), "(** 2 (- x))");
    assert_eq!(sx("2 ** 3 ** 4"), "(** 2 (** 3 4))");
    assert_eq!(sx("~a & b"), "(& (~ a) b)");
    assert_eq!(sx("+a"), "(+ a)");
    assert_eq!(sx("- -a"), "(- (- a))");
    assert_eq!(sx("a - -b"), "(- a (- b))");
    assert_eq!(sx("a.T ** 2"), "(** (. a T) 2)");
    assert_eq!(sx("-a[0]"), "(- (index a 0))");
}

#[test]
fn postfix_left_to_right() {
    assert_eq!(sx("a.T.shape"), "(. (. a T) shape)");
    assert_eq!(sx("x.sum(axis=0)"), "(.sum x (= axis 0))");
    assert_eq!(sx("a[i][j]"), "(index (index a i) j)");
    assert_eq!(sx("f(x)[0].T"), "(. (index (call f x) 0) T)");
    assert_eq!(sx("x.reshape([2, 3]).sum()"), "(.sum (.reshape x [2 3]))");
    assert_eq!(sx("(a + b).T"), "(. (+ a b) T)");
}

// ---------------------------------------------------------------------------------------
// Expressions.

#[test]
fn calls_and_arguments() {
    assert_eq!(sx("f()"), "(call f)");
    assert_eq!(
        sx("f(a, axis=0, keepdims=true)"),
        "(call f a (= axis 0) (= keepdims true))"
    );
    assert_eq!(sx("f(a, b,)"), "(call f a b)");
    assert_eq!(
        sx("zeros([2, 3], dtype=f32)"),
        "(call zeros [2 3] (= dtype f32))"
    );
    assert_eq!(sx("print(\"x =\", x)"), "(call print \"x =\" x)");
    assert_eq!(sx("f(a == b)"), "(call f (== a b))");
}

#[test]
fn indexing_forms() {
    assert_eq!(sx("a[i]"), "(index a i)");
    assert_eq!(sx("a[i, j]"), "(index a i j)");
    assert_eq!(sx("a[1:-1]"), "(index a (: 1 (- 1) _))");
    assert_eq!(sx("a[::2, 0]"), "(index a (: _ _ 2) 0)");
    assert_eq!(sx("a[:, newaxis]"), "(index a (: _ _ _) newaxis)");
    assert_eq!(sx("a[...]"), "(index a ...)");
    assert_eq!(sx("a[..., 0]"), "(index a ... 0)");
    assert_eq!(sx("a[1:]"), "(index a (: 1 _ _))");
    assert_eq!(sx("a[:n]"), "(index a (: _ n _))");
    assert_eq!(sx("a[1:n:2]"), "(index a (: 1 n 2))");
    assert_eq!(sx("a[::-1]"), "(index a (: _ _ (- 1)))");
    assert_eq!(sx("a[:]"), "(index a (: _ _ _))");
    assert_eq!(sx("a[a > 0.0]"), "(index a (> a 0.0))");
    assert_eq!(sx("a[[0, 0]]"), "(index a [0 0])");
    assert_eq!(sx("a[i,]"), "(index a i)");
}

#[test]
fn list_literals() {
    assert_eq!(sx("[]"), "[]");
    assert_eq!(sx("[1, 2, 3]"), "[1 2 3]");
    assert_eq!(sx("[[1, 2], [3, 4]]"), "[[1 2] [3 4]]");
    assert_eq!(sx("[1, 2,]"), "[1 2]");
    assert_eq!(sx("[\n  1,\n  2,\n]"), "[1 2]");
}

#[test]
fn atoms() {
    assert_eq!(sx("true"), "true");
    assert_eq!(sx("false"), "false");
    assert_eq!(sx("f32"), "f32");
    assert_eq!(sx("\"a\\n\\t\\\\\\\"b\""), "\"a\\n\\t\\\\\\\"b\"");
    assert_eq!(sx("x_1"), "x_1");
    assert_eq!(sx("_"), "_");
}

#[test]
fn if_expressions() {
    assert_eq!(sx("if c { a }"), "(if c {a})");
    assert_eq!(sx("if c { a } else { b }"), "(if c {a} {b})");
    assert_eq!(
        sx("if a { 1 } else if b { 2 } else { 3 }"),
        "(if a {1} (if b {2} {3}))"
    );
    assert_eq!(
        sx("let y = if x > 0.0 { x } else { 0.0 }"),
        "(let y (if (> x 0.0) {x} {0.0}))"
    );
    assert_eq!(sx("if x {\n  a\n}\nelse {\n  b\n}"), "(if x {a} {b})");
    assert_eq!(
        sx("if x { a }\n\n\nelse if y { b }\nelse { c }"),
        "(if x {a} (if y {b} {c}))"
    );
    assert_eq!(sx("if f(x) { a }"), "(if (call f x) {a})");
    assert_eq!(sx("if a[0] { b }"), "(if (index a 0) {b})");
    assert_eq!(sx("if {a} {b}"), "(if {a} {b})");
}

#[test]
fn blocks() {
    assert_eq!(sx("{ }"), "{}");
    assert_eq!(sx("{ let a = 1; a }"), "{(let a 1); a}");
    assert_eq!(sx("{\n  let a = 1\n  a\n}"), "{(let a 1); a}");
    assert_eq!(sx("let x = {\n  1\n}"), "(let x {1})");
    assert_eq!(sx("{ {} }"), "{{}}");
}

// ---------------------------------------------------------------------------------------
// Statements.

#[test]
fn let_statements() {
    assert_eq!(sx("let x = e"), "(let x e)");
    assert_eq!(sx("let x: f32[_, _] = e"), "(let x: f32[_, _] e)");
    assert_eq!(sx("let x: f64 = 1.0"), "(let x: f64 1.0)");
    assert_eq!(sx("let x: f32[3] = e"), "(let x: f32[3] e)");
    assert_eq!(sx("let x: f64[n, m] = e"), "(let x: f64[n, m] e)");
    assert_eq!(sx("let x: i64[_] = e"), "(let x: i64[_] e)");
    assert_eq!(sx("let x: bool[] = e"), "(let x: bool[] e)");
}

#[test]
fn assignments() {
    assert_eq!(sx("x = e"), "(= x e)");
    assert_eq!(sx("x[i, j] = e"), "(= (index x i j) e)");
    assert_eq!(
        sx("u[1:-1] = 0.5 * u[2:]"),
        "(= (index u (: 1 (- 1) _)) (* 0.5 (index u (: 2 _ _))))"
    );
    assert_eq!(sx("a[0][1] = v"), "(= (index (index a 0) 1) v)");
    for (op, sym) in [
        ("+=", "+"),
        ("-=", "-"),
        ("*=", "*"),
        ("/=", "/"),
        ("//=", "//"),
        ("%=", "%"),
        ("**=", "**"),
        ("<<=", "<<"),
        (">>=", ">>"),
        ("&=", "&"),
        ("|=", "|"),
        ("^=", "^"),
    ] {
        assert_eq!(sx(&format!("x {op} 1")), format!("({sym}= x 1)"));
    }
    assert_eq!(sx("a[m] += 1.0"), "(+= (index a m) 1.0)");
}

#[test]
fn loops_and_jumps() {
    assert_eq!(sx("for i in 0..n { }"), "(for i (range 0 n) {})");
    assert_eq!(sx("for i in 0..n-1 { x }"), "(for i (range 0 (- n 1)) {x})");
    assert_eq!(sx("for i in n..0..-1 { }"), "(for i (range n 0 (- 1)) {})");
    assert_eq!(
        sx("for i in 0..len(x) { }"),
        "(for i (range 0 (call len x)) {})"
    );
    assert_eq!(
        sx("for row in m { print(row) }"),
        "(for row m {(call print row)})"
    );
    assert_eq!(
        sx("for row in m[1:] { }"),
        "(for row (index m (: 1 _ _)) {})"
    );
    assert_eq!(
        sx("while n < 100 and z <= 4.0 { n += 1 }"),
        "(while (and (< n 100) (<= z 4.0)) {(+= n 1)})"
    );
    assert_eq!(
        sx("while true {\n  if x { break }\n  continue\n}"),
        "(while true {(if x {break}); continue})"
    );
    assert_eq!(sx("return"), "return");
    assert_eq!(sx("return x + 1"), "(return (+ x 1))");
    assert_eq!(sx("{ return }"), "{return}");
}

#[test]
fn functions() {
    assert_eq!(
        sx("fn axpy(a, x, y) = a * x + y"),
        "(fn axpy (a x y) (+ (* a x) y))"
    );
    assert_eq!(
        sx("fn mean_of(x: f64[n]) -> f64 { sum(x) / n }"),
        "(fn mean_of ((x: f64[n])) -> f64 {(/ (call sum x) n)})"
    );
    assert_eq!(
        sx("fn dot2(a: f64[n], b: f64[n]) -> f64 = sum(a * b)"),
        "(fn dot2 ((a: f64[n]) (b: f64[n])) -> f64 (call sum (* a b)))"
    );
    assert_eq!(
        sx("fn norm_p(x, p = 2.0) = x"),
        "(fn norm_p (x (p = 2.0)) x)"
    );
    assert_eq!(sx("fn f(p: f64 = 2.0,) = p"), "(fn f ((p: f64 = 2.0)) p)");
    assert_eq!(sx("fn f() {}"), "(fn f () {})");
    assert_eq!(
        sx("fn f(\n  a,\n  b\n) -> f64[_] {\n  a\n}"),
        "(fn f (a b) -> f64[_] {a})"
    );
}

#[test]
fn import_and_assert() {
    assert_eq!(sx("import \"lib/x.nx\""), "(import \"lib/x.nx\")");
    assert_eq!(sx("assert x > 0"), "(assert (> x 0))");
    assert_eq!(
        sx("assert x > 0, \"x must be positive\""),
        "(assert (> x 0) \"x must be positive\")"
    );
}

#[test]
fn spec_example_program() {
    let source = r#"
# Gaussian density
let x = linspace(-4.0, 4.0, 1_000_000)
let pdf = exp(-0.5 * x * x) / sqrt(2.0 * pi)
print(sum(pdf) * (x[1] - x[0]))        # ≈ 1.0

fn softmax(v) {
    let e = exp(v - max(v, axis=-1, keepdims=true))
    e / sum(e, axis=-1, keepdims=true)
}

fn mandel(re: f64, im: f64) -> i32 {   # rank-0 params: applied elementwise
    let zr = 0.0; let zi = 0.0; let n = 0i32
    while n < 100 and zr * zr + zi * zi <= 4.0 {
        let t = zr * zr - zi * zi + re
        zi = 2.0 * zr * zi + im
        zr = t
        n += 1
    }
    n
}
let counts = mandel(linspace(-2.0, 1.0, 800)[newaxis, :], linspace(-1.5, 1.5, 600)[:, newaxis])
"#;
    let module = parse_ok(source);
    assert_eq!(module.stmts.len(), 6);
    assert_eq!(
        show_stmt(&module.stmts[3]),
        "(fn softmax (v) {(let e (call exp (- v (call max v (= axis (- 1)) (= keepdims true))))); \
         (/ e (call sum e (= axis (- 1)) (= keepdims true)))})"
    );
    let StmtKind::Fn(mandel) = &module.stmts[4].kind else {
        panic!("statement 4 should be a fn definition")
    };
    let ExprKind::Block(body) = &mandel.body.kind else {
        panic!("the fn body should be a block")
    };
    assert_eq!(body.stmts.len(), 5);
}

// ---------------------------------------------------------------------------------------
// Newlines and terminators (spec §1).

#[test]
fn newline_rules() {
    assert_eq!(
        sx("\n\n let x = 1 \n\n\n let y = 2 \n\n"),
        "(let x 1); (let y 2)"
    );
    assert_eq!(sx("let x = 1; let y = 2;"), "(let x 1); (let y 2)");
    assert_eq!(sx(";;let x = 1;;\n;"), "(let x 1)");
    assert_eq!(sx("f(a,\n  b)"), "(call f a b)");
    assert_eq!(sx("let x = (1 +\n 2)"), "(let x (+ 1 2))");
    assert_eq!(sx("a[1,\n 2]"), "(index a 1 2)");
    // Inside `{ }` within parentheses, newlines end statements again.
    assert_eq!(sx("f({\n let a = 1\n a\n})"), "(call f {(let a 1); a})");
    assert_eq!(sx("x = 1 # comment\ny = 2 # another"), "(= x 1); (= y 2)");
    assert_eq!(sx("# only a comment"), "");
    assert_eq!(sx(""), "");
    assert_eq!(sx("\n\n"), "");
    assert_eq!(sx("x\r\ny"), "x; y");
    assert_eq!(sx("{\n\n}"), "{}");
    assert_eq!(sx("{ a; }"), "{a}");
}

#[test]
fn statements_running_together() {
    let error = first_error("let x = 1 let y = 2");
    assert_eq!(error.message, "expected newline or `;`, found `let`");
    assert_eq!((error.span.start, error.span.end), (10, 13));
    assert_eq!(messages("x y"), ["expected newline or `;`, found `y`"]);
}

#[test]
fn newline_after_binary_operator_ends_statement() {
    assert_eq!(
        messages("let x = 1 +\n2"),
        ["expected expression, found newline"]
    );
}

// ---------------------------------------------------------------------------------------
// Literals.

fn lit(source: &str) -> ExprKind {
    let module = parse_ok(source);
    let StmtKind::Expr(expr) = &module.stmts[0].kind else {
        panic!("`{source}` should parse as one expression statement")
    };
    expr.kind.clone()
}

fn int(value: u128, suffix: Option<nx_runtime::DType>) -> ExprKind {
    ExprKind::Int { value, suffix }
}

fn float(text: &str, suffix: Option<nx_runtime::DType>) -> ExprKind {
    ExprKind::Float {
        text: text.to_string(),
        suffix,
    }
}

#[test]
fn integer_literals() {
    use nx_runtime::DType::*;
    assert_eq!(lit("42"), int(42, None));
    assert_eq!(lit("0"), int(0, None));
    assert_eq!(lit("1_000_000"), int(1_000_000, None));
    assert_eq!(lit("0x1F"), int(0x1F, None));
    assert_eq!(lit("0xff"), int(0xFF, None));
    assert_eq!(lit("0o17"), int(0o17, None));
    assert_eq!(lit("0b1010"), int(0b1010, None));
    assert_eq!(lit("0b1010_1010"), int(0b1010_1010, None));
    assert_eq!(lit("7u8"), int(7, Some(U8)));
    assert_eq!(lit("1i32"), int(1, Some(I32)));
    assert_eq!(lit("1_i64"), int(1, Some(I64)));
    assert_eq!(lit("0xFF_u8"), int(0xFF, Some(U8)));
    assert_eq!(lit("0b1_i8"), int(1, Some(I8)));
    assert_eq!(lit("0o7_u16"), int(7, Some(U16)));
    // Without the underscore, `f32` is hex digits.
    assert_eq!(lit("0x1f32"), int(0x1F32, None));
    assert_eq!(
        lit("340282366920938463463374607431768211455"),
        int(u128::MAX, None)
    );
}

#[test]
fn float_literals() {
    use nx_runtime::DType::*;
    assert_eq!(lit("3.14"), float("3.14", None));
    assert_eq!(lit("1e-9"), float("1e-9", None));
    assert_eq!(lit("2.5e3"), float("2.5e3", None));
    assert_eq!(lit("2.5E+3"), float("2.5E+3", None));
    assert_eq!(lit("1_000.5"), float("1000.5", None));
    assert_eq!(lit("2.5f32"), float("2.5", Some(F32)));
    assert_eq!(lit("2.5e-3f64"), float("2.5e-3", Some(F64)));
    // An integer with a float suffix is a float literal.
    assert_eq!(lit("3f64"), float("3", Some(F64)));
    assert_eq!(lit("0x10_f32"), float("16", Some(F32)));
    assert_eq!(lit("1e5f32"), float("1e5", Some(F32)));
}

#[test]
fn hex_minus_is_subtraction() {
    assert_eq!(sx("0x1e-5"), "(- 30 5)");
}

#[test]
fn ranges_lex_as_ints() {
    assert_eq!(sx("for i in 0..n { }"), "(for i (range 0 n) {})");
    assert_eq!(sx("for i in 0..10 { }"), "(for i (range 0 10) {})");
    assert_eq!(sx("for i in 1.5..2.5 { }"), "(for i (range 1.5 2.5) {})");
}

#[test]
fn bad_literals() {
    let error = first_error("let x = 1.");
    assert_eq!(
        error.message,
        "float literal `1.` needs a digit after the `.`"
    );
    assert_eq!((error.span.start, error.span.end), (8, 10));
    assert_eq!(error.hints, ["write `1.0`"]);
    let error = first_error("let x = .5");
    assert_eq!(
        error.message,
        "float literal `.5` needs a digit before the `.`"
    );
    assert_eq!(error.hints, ["write `0.5`"]);
    assert_eq!(
        messages("x = 1.e5"),
        ["float literal `1.e5` needs a digit after the `.`"]
    );
    assert_eq!(
        messages("x = 1.sum()"),
        ["float literal `1.` needs a digit after the `.`"]
    );
    assert_eq!(
        messages("340282366920938463463374607431768211456"),
        ["integer literal `340282366920938463463374607431768211456` is too large"]
    );
    assert_eq!(
        messages("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
        ["integer literal `0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF` is too large"]
    );
    assert_eq!(
        messages("7u7"),
        ["invalid suffix `u7` on number literal `7u7`"]
    );
    assert_eq!(
        messages("7bool"),
        ["invalid suffix `bool` on number literal `7bool`"]
    );
    assert_eq!(
        messages("1e"),
        ["invalid suffix `e` on number literal `1e`"]
    );
    assert_eq!(
        messages("2.5i32"),
        ["float literal `2.5i32` cannot have the integer suffix `i32`"]
    );
    assert_eq!(
        messages("0xFFu8"),
        ["invalid digit `u` in hexadecimal literal `0xFFu8`"]
    );
    assert_eq!(
        messages("0b102"),
        ["invalid digit `2` in binary literal `0b102`"]
    );
    assert_eq!(messages("0x"), ["hexadecimal literal `0x` has no digits"]);
    let error = first_error("print(\"abc)");
    assert_eq!(error.message, "unterminated string literal");
    assert_eq!(
        messages("print(\"a\\qb\")"),
        ["unknown escape `\\q` in string literal"]
    );
    // A bad literal is reported once, and parsing continues around it.
    assert_eq!(
        messages("let x = 1. + 2\nlet y = 7u7"),
        [
            "float literal `1.` needs a digit after the `.`",
            "invalid suffix `u7` on number literal `7u7`",
        ]
    );
}

#[test]
fn unexpected_characters() {
    let error = first_error("let x = a $ b");
    assert_eq!(error.message, "unexpected character `$`");
    assert_eq!(messages("let x = a $$ b"), ["unexpected characters `$$`"]);
    assert_eq!(messages("x = !a"), ["unexpected character `!`"]);
    assert_eq!(messages("x = é"), ["unexpected character `é`"]);
}

// ---------------------------------------------------------------------------------------
// Syntax errors.

#[test]
fn chained_comparison_is_an_error() {
    let error = first_error("let ok = a < b < c");
    assert_eq!(error.message, "comparison operators cannot be chained");
    assert_eq!(
        error.hints,
        ["comparisons cannot be chained; use `a < b and b < c`"]
    );
    assert_eq!((error.span.start, error.span.end), (9, 18));
    assert_eq!(
        first_error("a == b != c").hints,
        ["comparisons cannot be chained; use `a == b and b != c`"]
    );
    // Parenthesized, it is a comparison of a bool.
    assert_eq!(sx("(a < b) < c"), "(< (< a b) c)");
}

#[test]
fn error_messages() {
    assert_eq!(messages("f(1, )x"), ["expected newline or `;`, found `x`"]);
    assert_eq!(messages("let = 3"), ["expected a name, found `=`"]);
    assert_eq!(messages("let x 3"), ["expected `=` or `:`, found `3`"]);
    assert_eq!(messages("f(1 2)"), ["expected `)` or `,`, found `2`"]);
    assert_eq!(messages("x = (1 + )"), ["expected expression, found `)`"]);
    assert_eq!(messages("for i 0..n {}"), ["expected `in`, found `0`"]);
    assert_eq!(
        messages("let x: foo = 1"),
        ["expected a dtype, found `foo`"]
    );
    assert_eq!(messages("x = )"), ["unmatched `)`"]);
}

#[test]
fn missing_closing_brace() {
    let source = "fn f() {\n  let x = 1\n";
    let error = first_error(source);
    assert_eq!(error.message, "expected `}`, found end of input");
    assert_eq!(error.notes.len(), 1);
    assert_eq!(error.notes[0].1, "this `{` is not closed");
    assert_eq!((error.notes[0].0.start, error.notes[0].0.end), (7, 8));
    assert_eq!(error.hints, ["add the missing `}`"]);
}

#[test]
fn missing_closing_paren() {
    let error = first_error("let x = f(1, 2");
    assert_eq!(error.message, "expected `)`, found end of input");
    assert_eq!(error.notes[0].1, "this `(` is not closed");
}

#[test]
fn unclosed_brackets_keep_the_tree() {
    let (module, errors) = parse(
        0,
        "let a = 1
fn f() {
  let x = 1
  x
",
    );
    assert_eq!(errors.len(), 1);
    let shown: Vec<String> = module.stmts.iter().map(show_stmt).collect();
    assert_eq!(shown, ["(let a 1)", "(fn f () {(let x 1); x})"]);
    // `let x = (1 +` then the end: one error, about the bracket.
    assert_eq!(
        messages("let x = (1 +"),
        ["expected `)`, found end of input"]
    );
}

#[test]
fn unmatched_closers_are_reported_and_skipped() {
    let (module, errors) = parse(0, "let a = 1\n}\nlet b = 2)\n{ ) }\nlet c = 3");
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["unmatched `}`", "unmatched `)`", "unmatched `)`"]
    );
    let shown: Vec<String> = module.stmts.iter().map(show_stmt).collect();
    assert_eq!(shown, ["(let a 1)", "<error>", "{<error>}", "(let c 3)"]);
}

#[test]
fn unclosed_paren_ends_at_the_next_statement_keyword() {
    let source = "let x = f(1, 2
let y = 3
let z = [1, 2)
w = @
";
    let (module, errors) = parse(0, source);
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "expected `)` or `,`, found newline",
            "expected `]` or `,`, found `)`",
            "expected expression, found `@`",
        ]
    );
    assert_eq!((errors[0].span.start, errors[0].span.end), (14, 14));
    let shown: Vec<String> = module.stmts.iter().map(show_stmt).collect();
    assert_eq!(shown, ["(let y 3)"]);
}

#[test]
fn all_errors_of_a_file_are_reported() {
    let source = "let x = (1 + )\nlet y = 2\nlet = 3\nz = 1 2\nfn f() {\n  let q = ]\n  q\n}\nlet w = a < b < c\n";
    let errors = errors(source);
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "expected expression, found `)`",
            "expected a name, found `=`",
            "expected newline or `;`, found `2`",
            "unmatched `]`",
            "comparison operators cannot be chained",
        ]
    );
    // The good statements are still in the tree.
    let (module, _) = parse(0, source);
    let shown: Vec<String> = module.stmts.iter().map(show_stmt).collect();
    assert_eq!(
        shown,
        [
            "(let y 2)",
            "(fn f () {(let q <error>); q})",
            "(let w (< (< a b) c))"
        ]
    );
}

#[test]
fn errors_are_in_source_order_with_spans_inside_the_source() {
    let source = "x = $\ny = 1.\nz = (\n";
    let errors = errors(source);
    for pair in errors.windows(2) {
        assert!(pair[0].span.start <= pair[1].span.start);
    }
    for error in &errors {
        assert!(error.span.end as usize <= source.len());
    }
}

// ---------------------------------------------------------------------------------------
// Spans.

#[test]
fn spans() {
    let module = parse_ok("let x = a + b * c\n  foo(1)");
    let stmt = &module.stmts[0];
    assert_eq!((stmt.span.start, stmt.span.end), (0, 17));
    let StmtKind::Let { name, value, .. } = &stmt.kind else {
        panic!()
    };
    assert_eq!((name.span.start, name.span.end), (4, 5));
    assert_eq!((value.span.start, value.span.end), (8, 17));
    let ExprKind::Binary { rhs, .. } = &value.kind else {
        panic!()
    };
    assert_eq!((rhs.span.start, rhs.span.end), (12, 17));
    assert_eq!(
        (module.stmts[1].span.start, module.stmts[1].span.end),
        (20, 26)
    );
    // Parentheses are part of the span of what they group.
    let module = parse_ok("(a + b) * c");
    let StmtKind::Expr(expr) = &module.stmts[0].kind else {
        panic!()
    };
    let ExprKind::Binary { lhs, .. } = &expr.kind else {
        panic!()
    };
    assert_eq!((lhs.span.start, lhs.span.end), (0, 7));
    let module = parse_ok("x as f32");
    let StmtKind::Expr(Expr {
        kind: ExprKind::Cast { to_span, .. },
        ..
    }) = &module.stmts[0].kind
    else {
        panic!()
    };
    assert_eq!((to_span.start, to_span.end), (5, 8));
}

#[test]
fn file_id_is_carried() {
    let (module, _) = parse(7, "x");
    assert_eq!(module.stmts[0].span.file, 7);
    let (_, errors) = parse(3, "x = )");
    assert_eq!(errors[0].span.file, 3);
}

// ---------------------------------------------------------------------------------------
// Nesting limits.

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let source = "(".repeat(100_000);
    let errors = errors(&source);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.starts_with("nesting too deep"));
    let source = format!("x = {}1{}", "[".repeat(300), "]".repeat(300));
    assert!(messages(&source)[0].starts_with("nesting too deep"));
    let source = format!("x = {}1{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(sx(&source), "(= x 1)");
}

#[test]
fn long_operator_chains_are_an_error_not_a_crash() {
    let source = format!("x = {}1", "-".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    let source = format!("x = 1{}", " + 1".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    let source = format!("x = 1{}", " ** 2".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    let source = format!("x = a{}", ".T".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    let source = format!("x = {}c{}", "if ".repeat(100_000), " {}".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    let source = format!("x = {}c", "not ".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    let source = format!("x = 1{}", " else if c {}".repeat(100_000));
    assert!(messages(&source)[0].starts_with("expression too deeply nested"));
    // Long flat lists and many statements are fine.
    let source = format!("x = [{}]", "1 + 1, ".repeat(10_000));
    parse_ok(&source);
    let source = "x = 1 + 2\n".repeat(10_000);
    assert_eq!(parse_ok(&source).stmts.len(), 10_000);
}

// ---------------------------------------------------------------------------------------
// REPL continuation.

#[test]
fn repl_needs_more_input() {
    assert!(needs_more_input("fn f(x) {"));
    assert!(needs_more_input("let x = (1 +"));
    assert!(needs_more_input("let x = [1, 2,"));
    // Only brackets continue a statement; a dangling operator is an error reported at once.
    assert!(!needs_more_input("let x = 1 +"));
    assert!(!needs_more_input("let x ="));
    assert!(!needs_more_input("x = a and"));
    assert!(needs_more_input("fn f() {\n  let x = 1\n"));
    assert!(needs_more_input("x = \"{\" + (  # comment ("));
    assert!(!needs_more_input("let x = 1"));
    assert!(!needs_more_input("fn f(x) { x }"));
    assert!(!needs_more_input("x = \"(\""));
    assert!(!needs_more_input("x = (]"));
    assert!(!needs_more_input("x = )"));
    assert!(!needs_more_input(""));
    assert!(!needs_more_input("# (("));
    assert!(!needs_more_input("x = a[1:-1]"));
}

// ---------------------------------------------------------------------------------------
// Robustness: nothing panics.

const SOUP: &[&str] = &[
    "let", "fn", "return", "if", "else", "for", "in", "while", "break", "continue", "import", "as",
    "and", "or", "not", "true", "false", "assert", "f32", "i64", "bool", "x", "y", "_", "0", "1.5",
    "7u8", "0xFF_u8", "1.", ".5", "\"s\"", "\"", "(", ")", "[", "]", "{", "}", ",", ";", ":", ".",
    "..", "...", "->", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "//", "%", "**",
    "@", "&", "|", "^", "~", "<<", ">>", "+=", "//=", "**=", "\n", "\n", " ", "#c\n", "$", "é",
];

/// Tokens that nest: brackets and prefix, binary and postfix operators.
const NESTING_SOUP: &[&str] = &[
    "(", "(", "[", "{", ")", "]", "}", "-", "not ", "~", "x", "1", "+", "**", " as f32", ".T",
    "if ", " else ", ",", "\n", ":",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn token_soup_never_panics(indices in prop::collection::vec(0..SOUP.len(), 0..60)) {
        let source: String = indices.iter().map(|&i| SOUP[i]).collect::<Vec<_>>().join(" ");
        let (_, errors) = parse(0, &source);
        for error in &errors {
            prop_assert!(error.span.start <= error.span.end);
            prop_assert!(error.span.end as usize <= source.len());
        }
        let _ = needs_more_input(&source);
    }

    #[test]
    fn glued_token_soup_never_panics(indices in prop::collection::vec(0..SOUP.len(), 0..60)) {
        let source: String = indices.iter().map(|&i| SOUP[i]).collect();
        let _ = parse(0, &source);
        let _ = needs_more_input(&source);
    }

    #[test]
    fn deep_soup_gives_trees_that_recursive_passes_can_walk(
        indices in prop::collection::vec(0..NESTING_SOUP.len(), 0..4000),
    ) {
        let source: String = indices.iter().map(|&i| NESTING_SOUP[i]).collect();
        let (module, _) = parse(0, &source);
        // Walking the tree recursively (and dropping it) must not overflow the stack.
        let shown: usize = module.stmts.iter().map(|s| show_stmt(s).len()).sum();
        prop_assert!(shown < usize::MAX);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let source = String::from_utf8_lossy(&bytes);
        let _ = parse(0, &source);
        let _ = needs_more_input(&source);
    }

    #[test]
    fn random_ascii_never_panics(source in "[ -~\n]{0,200}") {
        let _ = parse(0, &source);
        let _ = needs_more_input(&source);
    }

    #[test]
    fn valid_programs_parse_without_errors(
        n in 0u32..1000,
        name in "[a-z][a-z0-9_]{0,6}",
    ) {
        prop_assume!(super::lexer::Tok::lexer_is_ident(&name));
        let source = format!("let {name} = {n} + 1\n{name} += {name} * 2\n");
        let (module, errors) = parse(0, &source);
        prop_assert!(errors.is_empty(), "{:?}", errors);
        prop_assert_eq!(module.stmts.len(), 2);
    }
}

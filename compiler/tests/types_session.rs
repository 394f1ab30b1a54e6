//! Sessions and imports: REPL display, rollback after a failed input, `globals`, `type_of`,
//! imports with a fake loader (once per program, cycles), deep nesting.
mod types_support;
use nx_compiler::diagnostics::{Diagnostic, FileId, Span};
use nx_compiler::syntax::ast;
use nx_compiler::types::{Checker, hir};
use types_support::*;

fn no_imports(_: FileId, _: &str, span: Span) -> Result<(FileId, ast::Module), Diagnostic> {
    Err(Diagnostic::type_error(span, "no imports here"))
}

#[test]
fn repl_shows_top_level_expressions() {
    let mut checker = Checker::new();
    let program = check_input(
        &mut checker,
        0,
        "let x = 1\nx + 1\nprint(x)\nif true { 1 } else { 2 }",
        true,
    );
    let shows: Vec<bool> = program
        .stmts
        .iter()
        .filter_map(|s| match &s.kind {
            hir::StmtKind::Expr { show, .. } => Some(*show),
            _ => None,
        })
        .collect();
    assert_eq!(shows, vec![true, true]);
    let program = check_input(&mut checker, 1, "x + 1", false);
    assert!(matches!(
        program.stmts[0].kind,
        hir::StmtKind::Expr { show: false, .. }
    ));
}

#[test]
fn globals_persist_and_slots_grow() {
    let mut checker = Checker::new();
    let p1 = check_input(&mut checker, 0, "let x = 1\nlet y = zeros(3)", true);
    assert_eq!(p1.n_globals, 2);
    let p2 = check_input(&mut checker, 1, "let x = x + 0.5\ny", true);
    assert_eq!(p2.n_globals, 3);
    let hir::StmtKind::Assign { var, value } = &p2.stmts[0].kind else {
        panic!()
    };
    assert_eq!(*var, hir::VarRef::Global(2));
    let hir::ExprKind::Binary(_, lhs, _) = &value.kind else {
        panic!()
    };
    let hir::ExprKind::Cast(inner) = &lhs.kind else {
        panic!("{lhs:?}")
    };
    assert!(matches!(
        inner.kind,
        hir::ExprKind::Var(hir::VarRef::Global(0))
    ));
    let globals: Vec<(String, String)> = checker
        .globals()
        .into_iter()
        .map(|(n, t)| (n, t.to_string()))
        .collect();
    assert_eq!(
        globals,
        vec![
            ("x".to_string(), "f64".to_string()),
            ("y".to_string(), "f64[3]".to_string())
        ]
    );
}

#[test]
fn a_failed_check_leaves_the_checker_unchanged() {
    let mut checker = Checker::new();
    check_input(&mut checker, 0, "let x = 1\nfn f(a) = a * 2", true);
    let before_globals = checker.globals();
    let result = checker.check(
        &parse(
            1,
            "let y = 2\nlet x = zeros(3)\nfn g(b) = b\ng(1)\nf(1.0)\nundefined",
        ),
        true,
        &mut no_imports,
    );
    assert!(result.is_err());
    assert_eq!(checker.globals(), before_globals);
    let program = checker.check(&parse(2, "let z = f(1)\ny"), true, &mut no_imports);
    let errors = program.unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "cannot find `y` in this scope");
    let program = check_input(&mut checker, 3, "let z = f(1)", true);
    assert_eq!(program.n_globals, 2);
    assert_eq!(program.functions.len(), 1);
    let errors = checker
        .check(&parse(4, "g(1)"), true, &mut no_imports)
        .unwrap_err();
    assert_eq!(errors[0].message, "cannot find function `g`");
}

#[test]
fn type_of_does_not_change_the_session() {
    let mut checker = Checker::new();
    check_input(&mut checker, 0, "let a = zeros([2, 3], dtype=f32)", true);
    let module = parse(1, "a.sum(axis=0) * 2");
    let ast::StmtKind::Expr(expr) = &module.stmts[0].kind else {
        panic!()
    };
    assert_eq!(checker.type_of(expr).unwrap().to_string(), "f32[3]");
    let module = parse(2, "b");
    let ast::StmtKind::Expr(expr) = &module.stmts[0].kind else {
        panic!()
    };
    assert!(checker.type_of(expr).is_err());
    assert_eq!(checker.globals().len(), 1);
}

#[test]
fn predeclared_constants_are_shadowable() {
    assert_eq!(ty_weak("", "pi"), "f64 (weak)");
    assert_eq!(ty_weak("let pi = 3u8", "pi"), "u8");
    assert_eq!(ty("let newaxis = 1.0f32", "newaxis * 2"), "f32");
    assert_eq!(ty("let e = zeros(2)", "e + inf"), "f64[2]");
    assert!(Checker::new().globals().is_empty());
}

#[test]
fn imports_run_once_and_bring_names_into_scope() {
    let mut files = FakeFiles::new(&[
        (
            "lib.nx",
            "import \"util.nx\"\nlet scale = 2.0f32\nfn scaled(x) = helper(x) * scale\nfn helper(x) = x + 1",
        ),
        ("util.nx", "let unit = 1\nfn helper(x) = x - 1"),
    ]);
    let mut checker = Checker::new();
    let module = parse(
        0,
        "import \"lib.nx\"\nimport \"util.nx\"\nimport \"lib.nx\"\nlet y = scaled(zeros(3, dtype=f32)) + unit\nlet z = helper(1)",
    );
    let program = checker
        .check(&module, false, &mut |f, p, s| files.load(f, p, s))
        .unwrap();
    // lib.nx's `helper` is its own (lexical), but at the top level the later definition wins.
    assert_eq!(program.n_globals, 4);
    let lets: Vec<String> = program
        .stmts
        .iter()
        .filter_map(|s| match &s.kind {
            hir::StmtKind::Assign { value, .. } => Some(value.ty.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(lets, vec!["i64", "f32", "f32[_]", "i64"]);
    // Each file is checked once; the loader may be asked again but the file is not re-run.
    assert_eq!(checker.globals().len(), 4);
}

#[test]
fn import_cycles_are_errors_naming_the_files() {
    let mut files = FakeFiles::new(&[
        ("a.nx", "import \"b.nx\"\nlet a = 1"),
        ("b.nx", "import \"a.nx\"\nlet b = 2"),
    ]);
    let mut checker = Checker::new();
    let module = parse(0, "import \"a.nx\"");
    let errors = checker
        .check(&module, false, &mut |f, p, s| files.load(f, p, s))
        .unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "import cycle: a.nx → b.nx → a.nx");
    // a file importing itself
    let mut files = FakeFiles::new(&[("self.nx", "import \"self.nx\"")]);
    let errors = Checker::new()
        .check(&parse(0, "import \"self.nx\""), false, &mut |f, p, s| {
            files.load(f, p, s)
        })
        .unwrap_err();
    assert_eq!(errors[0].message, "import cycle: self.nx → self.nx");
}

#[test]
fn import_errors_from_the_loader_and_inside_files() {
    let mut files = FakeFiles::new(&[("bad.nx", "let q = nope")]);
    let errors = Checker::new()
        .check(
            &parse(0, "import \"missing.nx\"\nimport \"bad.nx\""),
            false,
            &mut |f, p, s| files.load(f, p, s),
        )
        .unwrap_err();
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "cannot read `missing.nx`",
            "cannot find `nope` in this scope"
        ]
    );
    assert_eq!(errors[1].span.file, 1);
    assert_error(
        "if true { import \"x.nx\" }",
        "`import` is only allowed at the top level of a file",
    );
}

#[test]
fn repl_imports_once_per_session() {
    let mut files = FakeFiles::new(&[("lib.nx", "let k = 1")]);
    let mut checker = Checker::new();
    let p1 = checker
        .check(&parse(0, "import \"lib.nx\""), true, &mut |f, p, s| {
            files.load(f, p, s)
        })
        .unwrap();
    assert_eq!(p1.stmts.len(), 1);
    let p2 = checker
        .check(&parse(2, "import \"lib.nx\""), true, &mut |f, p, s| {
            files.load(f, p, s)
        })
        .unwrap();
    assert!(p2.stmts.is_empty());
}

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    // The main thread's 8 MiB, not the test harness's 2 MiB.
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn sp() -> Span {
    Span::default()
}

fn name_expr(name: &str) -> ast::Expr {
    ast::Expr {
        kind: ast::ExprKind::Name(ast::Ident {
            name: name.into(),
            span: sp(),
        }),
        span: sp(),
    }
}

fn let_stmt(name: &str, value: ast::Expr) -> ast::Stmt {
    ast::Stmt {
        kind: ast::StmtKind::Let {
            name: ast::Ident {
                name: name.into(),
                span: sp(),
            },
            annotation: None,
            value,
        },
        span: sp(),
    }
}

fn check_module_ok(module: &ast::Module) -> hir::Program {
    Checker::new()
        .check(module, false, &mut no_imports)
        .unwrap()
}

#[test]
fn deep_binary_chains_do_not_overflow() {
    on_small_stack(|| {
        // 100k-term left-nested chains, built directly (the parser limits operators per
        // expression; the checker must not depend on that).
        let one = ast::Expr {
            kind: ast::ExprKind::Int {
                value: 1,
                suffix: None,
            },
            span: sp(),
        };
        let mut chain = one.clone();
        for _ in 1..100_000 {
            chain = ast::Expr {
                kind: ast::ExprKind::Binary {
                    op: ast::BinaryOp::Add,
                    lhs: Box::new(chain),
                    rhs: Box::new(one.clone()),
                },
                span: sp(),
            };
        }
        let module = ast::Module {
            stmts: vec![let_stmt("x", chain)],
        };
        let program = check_module_ok(&module);
        assert!(matches!(
            last_expr(&program).kind,
            hir::ExprKind::Const(nx_runtime::Scalar::I64(100_000))
        ));
        std::mem::forget(module);

        let mut chain = name_expr("y");
        for _ in 1..100_000 {
            chain = ast::Expr {
                kind: ast::ExprKind::Binary {
                    op: ast::BinaryOp::Mul,
                    lhs: Box::new(chain),
                    rhs: Box::new(name_expr("y")),
                },
                span: sp(),
            };
        }
        let zeros = parse(0, "let y = zeros(3)").stmts.remove(0);
        let module = ast::Module {
            stmts: vec![zeros, let_stmt("z", chain)],
        };
        let program = check_module_ok(&module);
        assert_eq!(last_expr(&program).ty.to_string(), "f64[3]");
        // Dropping these deep trees recursively is the caller's business (a big-stack thread).
        std::mem::forget(program);
        std::mem::forget(module);

        let mut chain = ast::Expr {
            kind: ast::ExprKind::Float {
                text: "1.0".into(),
                suffix: None,
            },
            span: sp(),
        };
        for _ in 0..100_000 {
            chain = ast::Expr {
                kind: ast::ExprKind::Unary {
                    op: ast::UnaryOp::Neg,
                    operand: Box::new(chain),
                },
                span: sp(),
            };
        }
        let module = ast::Module {
            stmts: vec![let_stmt("w", chain)],
        };
        let program = check_module_ok(&module);
        assert!(matches!(last_expr(&program).kind, hir::ExprKind::Const(_)));
        std::mem::forget(module);
    });
}

#[test]
fn deep_bracket_nesting_does_not_overflow() {
    on_small_stack(|| {
        let depth = 250;
        let source = format!("let x = {}1{}", "(".repeat(depth), ")".repeat(depth));
        check_ok(&source);
        let source = format!("let x = {}1.0{}", "[".repeat(depth), "]".repeat(depth));
        let program = check_ok(&source);
        assert_eq!(last_expr(&program).ty.rank(), depth);
        let source = format!("let x = {}1{}", "{ ".repeat(depth), " }".repeat(depth));
        check_ok(&source);
        let source = format!("let x = {}1.0{}", "sqrt(".repeat(depth), ")".repeat(depth));
        check_ok(&source);
        let source = format!(
            "fn f(x) = x\nlet x = {}1.0{}",
            "f(".repeat(depth),
            ")".repeat(depth)
        );
        check_ok(&source);
    });
}

#[test]
fn importing_the_main_file_back_is_a_cycle() {
    // The loader returns the main file's own FileId (0) for "main.nx".
    let mut files = FakeFiles::new(&[("b.nx", "import \"main.nx\"")]);
    files
        .files
        .insert("main.nx".to_string(), (0, "import \"b.nx\"".to_string()));
    let errors = Checker::new()
        .check(&parse(0, "import \"b.nx\""), false, &mut |f, p, s| {
            files.load(f, p, s)
        })
        .unwrap_err();
    assert_eq!(errors[0].message, "import cycle: main.nx → b.nx → main.nx");
}

//! Helpers shared by the type checker tests: parse source text and check it.
#![allow(dead_code)]

use std::collections::HashMap;

use nx_compiler::diagnostics::{Diagnostic, FileId, Span};
use nx_compiler::syntax::{self, ast};
use nx_compiler::types::{Checker, hir};

pub fn parse(file: FileId, source: &str) -> ast::Module {
    let (module, errors) = syntax::parse(file, source);
    assert!(
        errors.is_empty(),
        "syntax errors in test source {source:?}: {errors:?}"
    );
    module
}

fn no_imports(_: FileId, path: &str, span: Span) -> Result<(FileId, ast::Module), Diagnostic> {
    Err(Diagnostic::type_error(
        span,
        format!("cannot read `{path}`"),
    ))
}

/// Checks a script; panics on errors.
pub fn check_ok(source: &str) -> hir::Program {
    let mut checker = Checker::new();
    check_ok_with(&mut checker, source)
}

pub fn check_ok_with(checker: &mut Checker, source: &str) -> hir::Program {
    check_input(checker, 0, source, false)
}

/// Checks a script that must fail; returns its diagnostics.
pub fn check_err(source: &str) -> Vec<Diagnostic> {
    let mut checker = Checker::new();
    let module = parse(0, source);
    match checker.check(&module, false, &mut no_imports) {
        Ok(_) => panic!("expected type errors for {source:?}"),
        Err(errors) => errors,
    }
}

/// The one error of a script: (message, the source text under its span).
pub fn one_error(source: &str) -> (String, String) {
    let errors = check_err(source);
    assert_eq!(
        errors.len(),
        1,
        "expected one error for {source:?}:\n{}",
        describe(source, &errors)
    );
    let e = &errors[0];
    (
        e.message.clone(),
        source[e.span.start as usize..e.span.end as usize].to_string(),
    )
}

pub fn describe(source: &str, errors: &[Diagnostic]) -> String {
    errors
        .iter()
        .map(|e| {
            let text = source
                .get(e.span.start as usize..e.span.end as usize)
                .unwrap_or("?");
            format!("  {} @ {:?} hints={:?}", e.message, text, e.hints)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The type of the value of the last top-level expression statement.
pub fn type_of_last(source: &str) -> String {
    let program = check_ok(source);
    last_expr(&program).ty.to_string()
}

pub fn last_expr(program: &hir::Program) -> &hir::Expr {
    for stmt in program.stmts.iter().rev() {
        if let hir::StmtKind::Expr { value, .. } = &stmt.kind {
            return value;
        }
        if let hir::StmtKind::Assign { value, .. } = &stmt.kind {
            return value;
        }
    }
    panic!("no expression statement");
}

/// Type of `expr` in the context of `prelude` (both source text).
pub fn ty(prelude: &str, expr: &str) -> String {
    type_of_last(&format!("{prelude}\nlet result_of_test = {expr}\n"))
}

/// Weak marker: `f64` or `f64 (weak)`.
pub fn ty_weak(prelude: &str, expr: &str) -> String {
    let program = check_ok(&format!("{prelude}\nlet result_of_test = {expr}\n"));
    let t = &last_expr(&program).ty;
    if t.weak {
        format!("{t} (weak)")
    } else {
        t.to_string()
    }
}

/// A fake file system for imports.
pub struct FakeFiles {
    pub files: HashMap<String, (FileId, String)>,
    pub loads: Vec<String>,
}

impl FakeFiles {
    pub fn new(files: &[(&str, &str)]) -> FakeFiles {
        let files = files
            .iter()
            .enumerate()
            .map(|(i, (name, text))| (name.to_string(), (i + 1, text.to_string())))
            .collect();
        FakeFiles {
            files,
            loads: Vec::new(),
        }
    }

    pub fn load(
        &mut self,
        _from: FileId,
        path: &str,
        span: Span,
    ) -> Result<(FileId, ast::Module), Diagnostic> {
        self.loads.push(path.to_string());
        match self.files.get(path) {
            Some((id, text)) => Ok((*id, parse(*id, text))),
            None => Err(Diagnostic::type_error(
                span,
                format!("cannot read `{path}`"),
            )),
        }
    }
}

/// Asserts that a script fails with exactly one error, with this message.
pub fn assert_error(source: &str, message: &str) {
    let (actual, _) = one_error(source);
    assert_eq!(actual, message, "error of {source:?}");
}

/// Asserts that a script fails with exactly one error, with this message, under the source
/// text `at`.
pub fn assert_error_at(source: &str, message: &str, at: &str) {
    let (actual, actual_at) = one_error(source);
    assert_eq!(actual, message, "error of {source:?}");
    assert_eq!(actual_at, at, "span of the error of {source:?}");
}

/// Asserts that a script fails with exactly one error whose message contains `part`.
pub fn assert_error_contains(source: &str, part: &str) {
    let (actual, _) = one_error(source);
    assert!(
        actual.contains(part),
        "error of {source:?} is {actual:?}, expected it to contain {part:?}"
    );
}

/// The hints of all the errors of a script that must fail.
pub fn hints(source: &str) -> Vec<String> {
    check_err(source)
        .into_iter()
        .flat_map(|e| e.hints)
        .collect()
}

/// Asserts that some hint of the errors of a script contains `part`.
pub fn assert_hint(source: &str, part: &str) {
    let hints = hints(source);
    assert!(
        hints.iter().any(|h| h.contains(part)),
        "no hint of {source:?} contains {part:?}: {hints:?}"
    );
}

/// Table-driven `ty`: each `(expression, expected type)` in the context of `prelude`.
pub fn assert_types(prelude: &str, cases: &[(&str, &str)]) {
    for (expr, expected) in cases {
        assert_eq!(ty(prelude, expr), *expected, "{expr}");
    }
}

/// Table-driven `ty_weak`: each `(expression, expected type with weak marker)`.
pub fn assert_weak_types(prelude: &str, cases: &[(&str, &str)]) {
    for (expr, expected) in cases {
        assert_eq!(ty_weak(prelude, expr), *expected, "{expr}");
    }
}

/// Checks one input of a session (`repl` as the REPL does) where imports fail; panics on
/// errors.
pub fn check_input(checker: &mut Checker, file: FileId, source: &str, repl: bool) -> hir::Program {
    let module = parse(file, source);
    match checker.check(&module, repl, &mut no_imports) {
        Ok(program) => program,
        Err(errors) => panic!(
            "unexpected type errors for {source:?}:\n{}",
            describe(source, &errors)
        ),
    }
}

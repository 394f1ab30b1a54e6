//! Source text to AST: the logos lexer (`lexer.rs`), the token pass that applies the
//! newline and nesting rules (`layout.rs`) and the lalrpop grammar (`grammar.lalrpop`).
//!
//! **The parser never fails**: `parse` returns a tree and every syntax error it found.
//! Statements that do not parse are left out of the tree; malformed tokens become
//! `ExprKind::Error`. Input nested deeper than `layout::MAX_NESTING` brackets or with more
//! than `layout::MAX_EXPR_OPERATORS` operators in one expression is rejected before
//! parsing, so that no later pass recurses too deep.

pub mod ast;
mod layout;
mod lexer;
mod support;

#[cfg(test)]
mod tests;

use lalrpop_util::lalrpop_mod;

lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, dead_code)]
    grammar,
    "/syntax/grammar.rs"
);

use crate::diagnostics::{Diagnostic, FileId, Span};
use lalrpop_util::ParseError;
use layout::Spanned;
use lexer::Tok;

/// Parses one file or REPL input. Never panics and never fails: returns the tree (with
/// `ExprKind::Error` / skipped statements where input was bad) and all syntax errors found,
/// in source order.
pub fn parse(file: FileId, source: &str) -> (ast::Module, Vec<Diagnostic>) {
    let layout = layout::layout(file, source);
    let mut diagnostics = layout.diagnostics;
    if layout.too_deep {
        return (ast::Module { stmts: Vec::new() }, finish(diagnostics));
    }
    let lexical_errors = LexicalErrors::new(&layout.tokens, &diagnostics);
    let mut recovered = Vec::new();
    let parser = grammar::ModuleParser::new();
    let tokens = layout.tokens.into_iter().map(Ok::<Spanned, Diagnostic>);
    let mut errors = Vec::new();
    let module = match parser.parse(file, &mut recovered, tokens) {
        Ok(module) => module,
        Err(error) => {
            errors.push(error);
            ast::Module { stmts: Vec::new() }
        }
    };
    errors.extend(recovered.into_iter().map(|recovery| recovery.error));
    for error in errors {
        if lexical_errors.explain(&error) {
            continue;
        }
        diagnostics.extend(parse_error(file, source, &layout.unclosed, error));
    }
    (module, finish(diagnostics))
}

/// Where the lexer reported errors, so that the parse errors they cause are not reported
/// a second time: a parse error is dropped when the same statement had a lexical error
/// before it.
struct LexicalErrors {
    /// End offsets of the statement terminators, in order.
    terminator_ends: Vec<usize>,
    /// Start offsets of the lexical errors, in order.
    error_starts: Vec<usize>,
}

impl LexicalErrors {
    fn new(tokens: &[Spanned], diagnostics: &[Diagnostic]) -> LexicalErrors {
        let terminator_ends = tokens
            .iter()
            .filter(|(_, tok, _)| matches!(tok, Tok::Newline | Tok::Semi))
            .map(|(_, _, end)| *end)
            .collect();
        let mut error_starts: Vec<usize> =
            diagnostics.iter().map(|d| d.span.start as usize).collect();
        error_starts.sort_unstable();
        LexicalErrors {
            terminator_ends,
            error_starts,
        }
    }

    /// True when `error` is probably a consequence of an earlier lexical error.
    fn explain(&self, error: &ParseError<usize, Tok, Diagnostic>) -> bool {
        let position = match error {
            ParseError::UnrecognizedToken {
                token: (start, _, _),
                ..
            }
            | ParseError::ExtraToken {
                token: (start, _, _),
            } => *start,
            ParseError::UnrecognizedEof { location, .. }
            | ParseError::InvalidToken { location } => *location,
            ParseError::User { .. } => return false,
        };
        let terminators_before = self.terminator_ends.partition_point(|&end| end <= position);
        let statement_start = match terminators_before {
            0 => 0,
            n => self.terminator_ends[n - 1],
        };
        let first_error = self.error_starts.partition_point(|&start| start < statement_start);
        self.error_starts
            .get(first_error)
            .is_some_and(|&start| start <= position)
    }
}

/// For the REPL: true when `source` is an unfinished statement that more lines could
/// complete: an open `(`, `[` or `{`, or a trailing binary operator, `=`, `,` or `else`.
pub fn needs_more_input(source: &str) -> bool {
    layout::needs_more_input(source)
}

/// Sorts by position and drops repeated errors at one spot (error recovery can report
/// the same place twice).
fn finish(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    diagnostics.dedup_by(|later, earlier| later.span.start == earlier.span.start);
    diagnostics
}

/// Turns a lalrpop error into a diagnostic; `None` when the offending token is a malformed
/// one that the lexer has reported already.
fn parse_error(
    file: FileId,
    source: &str,
    unclosed: &[Spanned],
    error: ParseError<usize, Tok, Diagnostic>,
) -> Option<Diagnostic> {
    match error {
        ParseError::User { error } => Some(error),
        ParseError::UnrecognizedToken {
            token: (_, Tok::Error, _),
            ..
        }
        | ParseError::ExtraToken {
            token: (_, Tok::Error, _),
        } => None,
        ParseError::UnrecognizedToken {
            token: (start, tok, end),
            expected,
        } => {
            let found = describe_token(&tok, &source[start..end]);
            let message = match describe_expected(&expected) {
                Some(expected) => format!("expected {expected}, found {found}"),
                None => format!("unexpected {found}"),
            };
            let mut diagnostic = Diagnostic::syntax(Span::new(file, start, end), message);
            if let Some(hint) = token_hint(&tok, &expected) {
                diagnostic = diagnostic.with_hint(hint);
            }
            Some(diagnostic)
        }
        ParseError::ExtraToken {
            token: (start, tok, end),
        } => Some(Diagnostic::syntax(
            Span::new(file, start, end),
            format!("unexpected {}", describe_token(&tok, &source[start..end])),
        )),
        ParseError::UnrecognizedEof { location, expected } => {
            let message = match describe_expected(&expected) {
                Some(expected) => format!("expected {expected}, found end of input"),
                None => "unexpected end of input".to_string(),
            };
            let mut diagnostic = Diagnostic::syntax(Span::new(file, location, location), message);
            if let Some((start, opener, end)) = unclosed.last() {
                let text = &source[*start..*end];
                diagnostic = diagnostic
                    .with_note(Span::new(file, *start, *end), format!("this `{text}` is not closed"));
                if let Some(closer) = opener.closer() {
                    diagnostic = diagnostic.with_hint(format!(
                        "add the missing `{}`",
                        describe_closer(&closer)
                    ));
                }
            }
            Some(diagnostic)
        }
        ParseError::InvalidToken { location } => Some(Diagnostic::syntax(
            Span::new(file, location, location),
            "invalid token",
        )),
    }
}

fn describe_closer(tok: &Tok) -> &'static str {
    match tok {
        Tok::RParen => ")",
        Tok::RBracket => "]",
        _ => "}",
    }
}

fn describe_token(tok: &Tok, text: &str) -> String {
    match tok {
        Tok::Newline => "newline".to_string(),
        Tok::Ident(name) => format!("`{name}`"),
        Tok::Str(_) => "a string".to_string(),
        _ => format!("`{text}`"),
    }
}

fn token_hint(tok: &Tok, expected: &[String]) -> Option<String> {
    let expects = |name: &str| expected.iter().any(|e| e.trim_matches('"') == name);
    match tok {
        Tok::Assign if expects("==") => {
            Some("`=` assigns; use `==` to compare".to_string())
        }
        Tok::LBrace if expects("newline") => None,
        _ => None,
    }
}

/// Summarizes lalrpop's list of expected terminals: "expression" when an expression could
/// start here, else the few structural tokens that fit, never the whole operator table.
fn describe_expected(expected: &[String]) -> Option<String> {
    let names: Vec<&str> = expected.iter().map(|e| e.trim_matches('"')).collect();
    let has = |name: &str| names.contains(&name);
    if has("number") {
        return Some("expression".to_string());
    }
    if has("newline") {
        return Some("newline or `;`".to_string());
    }
    let structural = [
        ("identifier", "a name"),
        ("dtype", "a dtype"),
        ("string", "a string"),
        ("(", "`(`"),
        (")", "`)`"),
        ("]", "`]`"),
        ("{", "`{`"),
        ("}", "`}`"),
        (",", "`,`"),
        ("=", "`=`"),
        (":", "`:`"),
        ("in", "`in`"),
        ("->", "`->`"),
        ("..", "`..`"),
    ];
    let found: Vec<&str> = structural
        .iter()
        .filter(|(name, _)| has(name))
        .map(|(_, text)| *text)
        .collect();
    match found.as_slice() {
        [] => None,
        [only] => Some(only.to_string()),
        [init @ .., last] => Some(format!("{} or {last}", init.join(", "))),
    }
}

//! The token pass between logos and the parser: turns lexer errors into diagnostics and
//! `Error` tokens, applies the newline rules of spec §1 (newlines end statements only at top
//! level and directly inside `{ }`, never directly before `else`), collapses runs of
//! statement terminators, and enforces the nesting limits that keep later recursive passes
//! off the end of the stack.

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::lexer::{LexError, Tok};
use logos::Logos;

/// More open brackets than this is an error, and the file is not parsed.
pub const MAX_NESTING: usize = 256;

/// More operators than this in one expression (counted across the enclosing brackets)
/// is an error, and the file is not parsed: the tree would be too deep to walk recursively.
pub const MAX_EXPR_OPERATORS: usize = 500;

/// A token with its byte range, as lalrpop wants it.
pub type Spanned = (usize, Tok, usize);

pub struct Layout {
    /// The tokens for the parser, with only significant newlines left.
    pub tokens: Vec<Spanned>,
    /// Lexical errors, and the nesting error if any.
    pub diagnostics: Vec<Diagnostic>,
    /// True when brackets were still open at the end of the input: the layout reported
    /// that and appended zero-width closers, whose parse errors must not be reported.
    pub closed_at_end: bool,
    /// True when a nesting limit was hit: the tokens are incomplete and must not be parsed.
    pub too_deep: bool,
}

/// Lexes `source` into raw tokens, turning each lexical error into a diagnostic and an
/// `Error` token. Newlines are all kept.
pub fn lex(file: FileId, source: &str) -> (Vec<Spanned>, Vec<Diagnostic>) {
    let mut tokens: Vec<Spanned> = Vec::new();
    let mut diagnostics = Vec::new();
    // Start of a run of unexpected characters, reported as one error.
    let mut bad_run: Option<(usize, usize)> = None;
    for (result, range) in Tok::lexer(source).spanned() {
        match result {
            Err(LexError::UnexpectedChar) => {
                bad_run = match bad_run {
                    Some((start, end)) if end == range.start => Some((start, range.end)),
                    Some(run) => {
                        report_bad_chars(file, source, run, &mut tokens, &mut diagnostics);
                        Some((range.start, range.end))
                    }
                    None => Some((range.start, range.end)),
                };
            }
            other => {
                if let Some(run) = bad_run.take() {
                    report_bad_chars(file, source, run, &mut tokens, &mut diagnostics);
                }
                match other {
                    Ok(tok) => tokens.push((range.start, tok, range.end)),
                    Err(LexError::Invalid { message, hint }) => {
                        let mut diagnostic =
                            Diagnostic::syntax(Span::new(file, range.start, range.end), message);
                        if let Some(hint) = hint {
                            diagnostic = diagnostic.with_hint(hint);
                        }
                        diagnostics.push(diagnostic);
                        tokens.push((range.start, Tok::Error, range.end));
                    }
                    Err(LexError::UnexpectedChar) => unreachable!("handled above"),
                }
            }
        }
    }
    if let Some(run) = bad_run {
        report_bad_chars(file, source, run, &mut tokens, &mut diagnostics);
    }
    let tokens = merge_bad_floats(file, source, tokens, &mut diagnostics);
    (tokens, diagnostics)
}

fn report_bad_chars(
    file: FileId,
    source: &str,
    (start, end): (usize, usize),
    tokens: &mut Vec<Spanned>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let text = &source[start..end];
    let span = Span::new(file, start, end);
    let mut diagnostic = if text.chars().count() == 1 {
        Diagnostic::syntax(span, format!("unexpected character `{text}`"))
    } else {
        Diagnostic::syntax(span, format!("unexpected characters `{text}`"))
    };
    if text.starts_with('!') {
        diagnostic = diagnostic.with_hint("logical negation is `not`; inequality is `!=`");
    } else if text.starts_with('\'') {
        diagnostic = diagnostic.with_hint("strings use double quotes: \"...\"");
    }
    diagnostics.push(diagnostic);
    tokens.push((start, Tok::Error, end));
}

/// Finds the float literals that lack a digit on one side of the `.` (`1.`, `.5`), which
/// logos lexes as separate tokens, and replaces them with one reported `Error` token.
fn merge_bad_floats(
    file: FileId,
    source: &str,
    tokens: Vec<Spanned>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Spanned> {
    let mut out: Vec<Spanned> = Vec::with_capacity(tokens.len());
    let mut iter = tokens.into_iter().peekable();
    while let Some((start, tok, end)) = iter.next() {
        let is_int = matches!(tok, Tok::Number(crate::syntax::lexer::NumLit::Int { .. }));
        let next_is_adjacent_dot = matches!(iter.peek(), Some((s, Tok::Dot, _)) if *s == end);
        if is_int && next_is_adjacent_dot {
            // `1.` or `1.e5`: take the dot and anything glued to it.
            let (_, _, dot_end) = iter.next().expect("peeked");
            let mut bad_end = dot_end;
            let glued_exponent = match iter.peek() {
                Some((s, Tok::Number(_), _)) => *s == dot_end,
                Some((s, Tok::Ident(name), _)) => *s == dot_end && looks_like_exponent(name),
                _ => false,
            };
            if glued_exponent && let Some((_, _, e)) = iter.peek() {
                bad_end = *e;
                iter.next();
            }
            let int_text = &source[start..end];
            let rest = &source[dot_end..bad_end];
            diagnostics.push(
                Diagnostic::syntax(
                    Span::new(file, start, bad_end),
                    format!(
                        "float literal `{}` needs a digit after the `.`",
                        &source[start..bad_end]
                    ),
                )
                .with_hint(format!("write `{int_text}.0{rest}`")),
            );
            out.push((start, Tok::Error, bad_end));
            continue;
        }
        let previous_is_glued_value = matches!(
            out.last(),
            Some((_, Tok::Ident(_) | Tok::RParen | Tok::RBracket | Tok::Error, e)) if *e == start
        );
        if tok == Tok::Dot
            && !previous_is_glued_value
            && let Some((s, Tok::Number(_), e)) = iter.peek()
            && *s == end
        {
            let number_end = *e;
            iter.next();
            let digits = &source[end..number_end];
            diagnostics.push(
                Diagnostic::syntax(
                    Span::new(file, start, number_end),
                    format!("float literal `.{digits}` needs a digit before the `.`"),
                )
                .with_hint(format!("write `0.{digits}`")),
            );
            out.push((start, Tok::Error, number_end));
            continue;
        }
        out.push((start, tok, end));
    }
    out
}

/// `e5`, `E10`, `e`, `e_3`: what follows the `.` of `1.e5`.
fn looks_like_exponent(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('e' | 'E')) && chars.all(|c| c.is_ascii_digit() || c == '_')
}

/// Lexes and applies the layout rules.
pub fn layout(file: FileId, source: &str) -> Layout {
    let (raw, mut diagnostics) = lex(file, source);
    let mut tokens: Vec<Spanned> = Vec::with_capacity(raw.len());
    let mut open: Vec<Spanned> = Vec::new();
    // Operators counted in the current expression segment of each bracket level
    // (index 0 is the top level); a `,`, `:`, `;`, assignment or statement end starts a
    // new segment. Their sum bounds the depth of the expression tree.
    let mut segment_ops: Vec<usize> = vec![0];
    let mut total_ops: usize = 0;
    let mut too_deep = false;
    // The last newline dropped inside `( )` or `[ ]`, for error recovery.
    let mut dropped_newline: Option<(usize, usize)> = None;

    for (start, tok, end) in raw {
        let span = Span::new(file, start, end);
        let in_parens = matches!(open.last(), Some((_, Tok::LParen | Tok::LBracket, _)));
        match &tok {
            Tok::Newline => {
                if in_parens {
                    dropped_newline = Some((start, end));
                    continue;
                }
                if !terminator_allowed(&tokens) {
                    continue;
                }
                reset_segment(&mut segment_ops, &mut total_ops);
                tokens.push((start, tok, end));
                continue;
            }
            Tok::Semi => {
                reset_segment(&mut segment_ops, &mut total_ops);
                if !terminator_allowed(&tokens) {
                    continue;
                }
            }
            Tok::Else => {
                if matches!(tokens.last(), Some((_, Tok::Newline, _))) {
                    tokens.pop();
                }
                count_operator(&mut segment_ops, &mut total_ops);
            }
            t if in_parens && starts_statement_only(t) => {
                // A statement keyword cannot appear inside `( )` or `[ ]`: a bracket was
                // left open. Close the statement there, so that the parser reports the
                // missing bracket once and goes on with this statement.
                let innermost_brace = open
                    .iter()
                    .rposition(|(_, opener, _)| *opener == Tok::LBrace)
                    .map_or(0, |depth| depth + 1);
                let first_unclosed_start = open[innermost_brace].0;
                open.truncate(innermost_brace);
                for ops in segment_ops.drain(innermost_brace + 1..) {
                    total_ops -= ops;
                }
                reset_segment(&mut segment_ops, &mut total_ops);
                let (nl_start, nl_end) = match dropped_newline {
                    Some((s, e)) if s > first_unclosed_start => (s, e),
                    _ => (start, start),
                };
                if terminator_allowed(&tokens) {
                    tokens.push((nl_start, Tok::Newline, nl_end));
                }
            }
            Tok::Comma | Tok::Colon => reset_segment(&mut segment_ops, &mut total_ops),
            t if t.is_assignment() => reset_segment(&mut segment_ops, &mut total_ops),
            // `if` nests without brackets too: `if if if c {} {} {}`.
            t if t.is_operator() || matches!(t, Tok::Dot | Tok::If) => {
                count_operator(&mut segment_ops, &mut total_ops)
            }
            t if t.is_open() => {
                if open.len() >= MAX_NESTING {
                    diagnostics.push(
                        Diagnostic::syntax(
                            span,
                            format!("nesting too deep: more than {MAX_NESTING} open brackets"),
                        )
                        .with_hint("split the expression into several `let` statements"),
                    );
                    too_deep = true;
                    break;
                }
                open.push((start, tok.clone(), end));
                segment_ops.push(0);
            }
            t if t.is_close() => {
                let matching = open
                    .iter()
                    .rposition(|(_, opener, _)| opener.closer().as_ref() == Some(t));
                // A closer that matches nothing open closes an open `(` or `[` (a typo
                // such as `[1, 2)`), so that newlines count again after it.
                let depth = matching.or(if in_parens {
                    Some(open.len() - 1)
                } else {
                    None
                });
                let Some(depth) = depth else {
                    // Nothing to close: report it here and show the parser a reported
                    // malformed token instead, which it can recover from.
                    diagnostics.push(Diagnostic::syntax(
                        span,
                        format!("unmatched `{}`", &source[start..end]),
                    ));
                    tokens.push((start, Tok::Error, end));
                    continue;
                };
                open.truncate(depth);
                for ops in segment_ops.drain(depth + 1..) {
                    total_ops -= ops;
                }
            }
            _ => {}
        }
        if total_ops > MAX_EXPR_OPERATORS {
            diagnostics.push(
                Diagnostic::syntax(
                    span,
                    format!(
                        "expression too deeply nested: more than {MAX_EXPR_OPERATORS} operators"
                    ),
                )
                .with_hint("split the expression into several `let` statements"),
            );
            too_deep = true;
            break;
        }
        tokens.push((start, tok, end));
    }

    // Close what is still open with zero-width tokens at the end, so that the parser
    // keeps the tree; the parse errors these cause are not reported (see `mod.rs`), this
    // one is.
    let closed_at_end = !too_deep && !open.is_empty();
    if closed_at_end {
        let (start, opener, end) = open.last().expect("not empty").clone();
        let closer = opener.closer().expect("an opener");
        let closer_text = match closer {
            Tok::RParen => ")",
            Tok::RBracket => "]",
            _ => "}",
        };
        let eof = source.len();
        diagnostics.push(
            Diagnostic::syntax(
                Span::new(file, eof, eof),
                format!("expected `{closer_text}`, found end of input"),
            )
            .with_note(
                Span::new(file, start, end),
                format!("this `{}` is not closed", &source[start..end]),
            )
            .with_hint(format!("add the missing `{closer_text}`")),
        );
        for (_, opener, _) in open.iter().rev() {
            tokens.push((eof, opener.closer().expect("an opener"), eof));
        }
    }
    Layout {
        tokens,
        diagnostics,
        closed_at_end,
        too_deep,
    }
}

/// Keywords that begin a statement and can never appear inside `( )` or `[ ]` directly
/// (`if` can: it is an expression).
fn starts_statement_only(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Let
            | Tok::Fn
            | Tok::For
            | Tok::While
            | Tok::Return
            | Tok::Import
            | Tok::Assert
            | Tok::Break
            | Tok::Continue
    )
}

/// A statement terminator is kept unless it would be empty: at the start, after another
/// terminator, or directly after `{`.
fn terminator_allowed(tokens: &[Spanned]) -> bool {
    !matches!(
        tokens.last(),
        None | Some((_, Tok::Newline | Tok::Semi | Tok::LBrace, _))
    )
}

fn reset_segment(segment_ops: &mut [usize], total_ops: &mut usize) {
    if let Some(ops) = segment_ops.last_mut() {
        *total_ops -= *ops;
        *ops = 0;
    }
}

fn count_operator(segment_ops: &mut [usize], total_ops: &mut usize) {
    if let Some(ops) = segment_ops.last_mut() {
        *ops += 1;
        *total_ops += 1;
    }
}

/// For the REPL: true when the input ends inside an open bracket or brace. Nothing else
/// continues a statement (a newline after `1 +` at top level ends it, spec §1), so a
/// dangling operator is reported at once instead of swallowing the next line.
pub fn needs_more_input(source: &str) -> bool {
    let mut open: Vec<Tok> = Vec::new();
    for (result, _) in Tok::lexer(source).spanned() {
        let Ok(tok) = result else {
            // A malformed token: let the parser report it now.
            return false;
        };
        if tok.is_open() {
            open.push(tok.clone());
        } else if tok.is_close() {
            match open.pop() {
                Some(opener) if opener.closer().as_ref() == Some(&tok) => {}
                // A mismatched or extra closer is an error that more input cannot fix.
                _ => return false,
            }
        }
    }
    !open.is_empty()
}

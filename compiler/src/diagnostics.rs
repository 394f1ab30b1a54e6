//! Source files, byte spans and diagnostics, and the one renderer that draws them (spec §10).
//! Every stage reports problems as `Diagnostic` values; nothing here prints on its own.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Chars, Config};

/// Index of a file in a `SourceMap`.
pub type FileId = usize;

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// All source text seen by a session: script files, imports, REPL inputs, `-e` code.
#[derive(Default)]
pub struct SourceMap {
    files: SimpleFiles<String, String>,
    count: usize,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = self.files.add(name.into(), text.into());
        self.count += 1;
        id
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.name().as_str())
            .unwrap_or("<unknown>")
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    /// `name:line:column` (1-based) of a span's start, as diagnostics show it.
    pub fn location(&self, span: Span) -> String {
        use codespan_reporting::files::Files;
        match self.files.location(span.file, span.start as usize) {
            Ok(location) => format!(
                "{}:{}:{}",
                self.name(span.file),
                location.line_number,
                location.column_number
            ),
            Err(_) => self.name(span.file).to_string(),
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Renders diagnostics as `error: msg` / `--> file:line:col` / source line / caret / hints.
    pub fn render(&self, diagnostics: &[Diagnostic]) -> String {
        // ASCII drawing gives the `--> file:line:col` form of spec §10.
        let config = Config {
            chars: Chars::ascii(),
            ..Config::default()
        };
        let mut out = String::new();
        for diagnostic in diagnostics {
            // Rendering only fails for spans outside their file, which would be a compiler bug;
            // fall back to the bare message rather than losing the error.
            if term::emit_to_string(&mut out, &config, &self.files, &diagnostic.to_codespan())
                .is_err()
            {
                out.push_str(&format!("error: {}\n", diagnostic.message));
            }
        }
        out
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Syntax,
    Type,
    Runtime,
}

/// One problem found in the program.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub stage: Stage,
    pub message: String,
    pub span: Span,
    /// Short text under the caret, if any.
    pub label: Option<String>,
    /// Further spans with their own short labels (e.g. "first defined here").
    pub notes: Vec<(Span, String)>,
    /// `= hint: ...` lines.
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn new(stage: Stage, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            stage,
            message: message.into(),
            span,
            label: None,
            notes: Vec::new(),
            hints: Vec::new(),
        }
    }

    pub fn syntax(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Stage::Syntax, span, message)
    }

    pub fn type_error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Stage::Type, span, message)
    }

    pub fn runtime(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Stage::Runtime, span, message)
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_note(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.notes.push((span, note.into()));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hints.push(hint.into());
        self
    }

    fn to_codespan(&self) -> CsDiagnostic<FileId> {
        let mut primary = Label::primary(
            self.span.file,
            self.span.start as usize..self.span.end as usize,
        );
        if let Some(label) = &self.label {
            primary = primary.with_message(label.clone());
        }
        let mut labels = vec![primary];
        for (span, note) in &self.notes {
            labels.push(
                Label::secondary(span.file, span.start as usize..span.end as usize)
                    .with_message(note.clone()),
            );
        }
        CsDiagnostic::error()
            .with_message(self.message.clone())
            .with_labels(labels)
            .with_notes(self.hints.iter().map(|h| format!("hint: {h}")).collect())
    }
}

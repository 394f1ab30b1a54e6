//! Bindings made by an embedding host rather than by nx source: a host array bound under a
//! name becomes a new global slot, exactly as a top-level `let` would.

use super::Checker;
use super::context::{Binding, BindingKind};
use super::hir::{Type, VarRef};
use crate::diagnostics::Span;

/// Words a host may not use as a variable name: keywords and dtype names (spec §1).
const RESERVED: &[&str] = &[
    "let", "fn", "return", "if", "else", "for", "in", "while", "break", "continue", "import", "as",
    "and", "or", "not", "true", "false", "assert", "bool", "i8", "i16", "i32", "i64", "u8", "u16",
    "u32", "u64", "f32", "f64",
];

impl Checker {
    /// Binds `name` to a new global slot of type `ty` (shadowing any earlier binding) and
    /// returns the slot, which the executor then fills with the host's value.
    pub fn bind_global(&mut self, name: &str, ty: Type) -> Result<u32, String> {
        let mut chars = name.chars();
        let valid_start = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !valid_start
            || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            || RESERVED.contains(&name)
        {
            return Err(format!("`{name}` is not a valid nx variable name"));
        }
        let slot = self.n_globals;
        self.n_globals += 1;
        let binding = Binding {
            var: VarRef::Global(slot),
            ty: Some(ty),
            span: Span::default(),
            kind: BindingKind::Var,
        };
        self.globals.insert(name.to_string(), binding);
        Ok(slot)
    }
}

impl Checker {
    /// Every name a REPL user may type next: bound variables, user functions, built-ins and
    /// the predeclared constants, sorted and without repeats (for completion).
    pub fn names_in_scope(&self) -> Vec<String> {
        let mut names: Vec<String> = self.globals.keys().cloned().collect();
        names.extend(self.fns.keys().cloned());
        names.extend(
            super::builtins::BUILTIN_NAMES
                .iter()
                .map(|name| name.to_string()),
        );
        names.sort();
        names.dedup();
        names
    }
}

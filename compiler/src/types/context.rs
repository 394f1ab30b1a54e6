//! The working state of one `Checker::check` call: the frame stack (the top level and the
//! function instances being checked), block scopes, slot allocation, name lookup, and the
//! collected diagnostics.

use std::collections::{HashMap, HashSet};

use nx_runtime::Scalar;

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::ast;

use super::hir::{Expr, ExprKind, Type, VarRef};
use super::promote::const_value;
use super::{Checker, DefId};

#[derive(Clone, Debug)]
pub(crate) enum BindingKind {
    /// A variable with a slot.
    Var,
    /// A predeclared weak f64 constant (`pi e inf nan`), folded at its uses.
    Constant(f64),
    /// The predeclared `newaxis`, only meaningful in an index.
    NewAxis,
}

#[derive(Clone, Debug)]
pub(crate) struct Binding {
    pub(crate) var: VarRef,
    /// `None`: the binding's value failed to check (the error type); uses are silent.
    pub(crate) ty: Option<Type>,
    pub(crate) span: Span,
    pub(crate) kind: BindingKind,
}

impl Binding {
    /// Whether two bindings are the same for a function instance that read one of them.
    pub(crate) fn same_as(&self, other: &Binding) -> bool {
        let same_kind = match (&self.kind, &other.kind) {
            (BindingKind::Var, BindingKind::Var) => true,
            (BindingKind::Constant(a), BindingKind::Constant(b)) => a.to_bits() == b.to_bits(),
            (BindingKind::NewAxis, BindingKind::NewAxis) => true,
            _ => false,
        };
        same_kind && self.var == other.var && self.ty == other.ty
    }
}

/// Something outside a function instance that its body looked up in the session's namespaces;
/// a cached instance is reused only where these resolve the same way.
#[derive(Clone, Debug)]
pub(crate) enum Dep {
    Var {
        name: String,
        found: Option<Binding>,
    },
    Fn {
        name: String,
        found: Option<DefId>,
    },
}

/// What `return` statements of the function being checked have produced.
#[derive(Clone, Debug, Default)]
pub(crate) struct Returns {
    /// The declared result type (`-> T`), when there is one.
    pub(crate) declared: Option<Type>,
    /// Value types of the `return` statements (`None` for a bare `return`), with spans.
    pub(crate) found: Vec<(Option<Type>, Span)>,
    /// A `return` whose value failed to check.
    pub(crate) errored: bool,
}

/// The top level, or one function instance being checked.
pub(crate) struct Frame {
    /// `None` for the top level.
    pub(crate) def: Option<DefId>,
    /// Block scopes, innermost last. At the top level the session's global scope lies
    /// underneath them (in `Checker::globals`).
    pub(crate) scopes: Vec<HashMap<String, Binding>>,
    pub(crate) n_locals: u32,
    pub(crate) loop_depth: u32,
    /// What the body looked up outside itself, each name once (see `add_dep`).
    pub(crate) deps: Vec<Dep>,
    dep_names: HashSet<(bool, String)>,
    pub(crate) returns: Returns,
    /// Parameters (by local slot) whose argument was a constant integer or bool and that the
    /// body never assigns: they may stand where a constant is required (`axis=p`).
    pub(crate) known: HashMap<u32, Scalar>,
}

impl Frame {
    pub(crate) fn top_level() -> Frame {
        Frame {
            def: None,
            scopes: Vec::new(),
            n_locals: 0,
            loop_depth: 0,
            deps: Vec::new(),
            dep_names: HashSet::new(),
            returns: Returns::default(),
            known: HashMap::new(),
        }
    }

    /// Records a lookup outside the function. A name resolves the same way everywhere in one
    /// instance, so the first lookup of each name is kept: without this, callees' deps copied
    /// into callers would double with every level of a call tree.
    pub(crate) fn add_dep(&mut self, dep: Dep) {
        let key = match &dep {
            Dep::Var { name, .. } => (false, name.clone()),
            Dep::Fn { name, .. } => (true, name.clone()),
        };
        if self.dep_names.insert(key) {
            self.deps.push(dep);
        }
    }
}

pub(crate) type ImportLoader<'a> =
    dyn FnMut(FileId, &str, Span) -> Result<(FileId, ast::Module), Diagnostic> + 'a;

pub(crate) struct Cx<'a> {
    pub(crate) ck: &'a mut Checker,
    pub(crate) loader: &'a mut ImportLoader<'a>,
    diagnostics: Vec<Diagnostic>,
    pub(crate) frames: Vec<Frame>,
    /// Files being imported (outermost first) with the path that named them, for cycles.
    pub(crate) import_stack: Vec<(FileId, String)>,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(ck: &'a mut Checker, loader: &'a mut ImportLoader<'a>) -> Cx<'a> {
        Cx {
            ck,
            loader,
            diagnostics: Vec::new(),
            frames: vec![Frame::top_level()],
            import_stack: Vec::new(),
        }
    }

    /// The diagnostics, in order, without duplicates (a generic function's body is checked
    /// once per instance and may report the same problem more than once).
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for diagnostic in self.diagnostics {
            let key = (diagnostic.span, diagnostic.message.clone());
            if seen.insert(key) {
                out.push(diagnostic);
            }
        }
        out
    }

    pub(crate) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub(crate) fn error(&mut self, span: Span, message: impl Into<String>) {
        self.report(Diagnostic::type_error(span, message));
    }

    pub(crate) fn error_count(&self) -> usize {
        self.diagnostics.len()
    }

    /// Moves the errors reported since `since` (inside a prelude function's body) to the
    /// user's call `span`, keeping where in the prelude each arose as a note.
    pub(crate) fn anchor_errors_at_call(&mut self, since: usize, span: Span, fname: &str) {
        for diagnostic in &mut self.diagnostics[since..] {
            let note = match diagnostic.label.take() {
                Some(label) => format!("in `{fname}`: {label}"),
                None => format!("in `{fname}`"),
            };
            diagnostic.notes.insert(0, (diagnostic.span, note));
            diagnostic.span = span;
            diagnostic.label = Some(format!("in this call of the prelude's `{fname}`"));
        }
    }

    pub(crate) fn frame(&mut self) -> &mut Frame {
        // The top-level frame is pushed in `new` and never popped.
        let last = self.frames.len() - 1;
        &mut self.frames[last]
    }

    pub(crate) fn frame_ref(&self) -> &Frame {
        &self.frames[self.frames.len() - 1]
    }

    pub(crate) fn in_function(&self) -> bool {
        self.frame_ref().def.is_some()
    }

    /// Whether the code being checked is the body of a prelude function.
    pub(crate) fn in_prelude(&self) -> bool {
        self.frame_ref()
            .def
            .is_some_and(|def| self.ck.defs[def.0 as usize].prelude)
    }

    /// The value of a rank-0 expression known at check time: a constant, or a parameter the
    /// call gave a constant (`Frame::known`).
    pub(crate) fn known_value(&self, expr: &Expr) -> Option<Scalar> {
        match &expr.kind {
            ExprKind::Var(VarRef::Local(slot)) if expr.ty.is_scalar() => {
                self.frame_ref().known.get(slot).copied()
            }
            _ => const_value(expr),
        }
    }

    pub(crate) fn at_top_scope(&self) -> bool {
        !self.in_function() && self.frame_ref().scopes.is_empty()
    }

    pub(crate) fn push_scope(&mut self) {
        self.frame().scopes.push(HashMap::new());
    }

    pub(crate) fn pop_scope(&mut self) {
        self.frame().scopes.pop();
    }

    pub(crate) fn new_slot(&mut self) -> VarRef {
        if self.in_function() {
            let frame = self.frame();
            let slot = frame.n_locals;
            frame.n_locals += 1;
            VarRef::Local(slot)
        } else {
            let slot = self.ck.n_globals;
            self.ck.n_globals += 1;
            VarRef::Global(slot)
        }
    }

    /// Binds `name` in the innermost scope to a new slot.
    pub(crate) fn declare(&mut self, name: &str, ty: Option<Type>, span: Span) -> VarRef {
        let var = self.new_slot();
        self.insert_binding(
            name,
            Binding {
                var,
                ty,
                span,
                kind: BindingKind::Var,
            },
        );
        var
    }

    pub(crate) fn insert_binding(&mut self, name: &str, binding: Binding) {
        if self.at_top_scope() {
            self.ck.globals.insert(name.to_string(), binding);
        } else {
            let frame = self.frame();
            if frame.scopes.is_empty() {
                frame.scopes.push(HashMap::new());
            }
            let last = frame.scopes.len() - 1;
            frame.scopes[last].insert(name.to_string(), binding);
        }
    }

    /// Looks a variable name up: block scopes of the current frame, then the session's global
    /// scope (recorded as a dependency when inside a function). Prelude code sees only the
    /// predeclared constants there, whatever the user bound.
    pub(crate) fn lookup(&mut self, name: &str) -> Option<Binding> {
        for scope in self.frame_ref().scopes.iter().rev() {
            if let Some(binding) = scope.get(name) {
                return Some(binding.clone());
            }
        }
        if self.in_prelude() {
            return super::predeclared(name);
        }
        let found = self.ck.globals.get(name).cloned();
        if self.in_function() {
            self.frame().add_dep(Dep::Var {
                name: name.to_string(),
                found: found.clone(),
            });
        }
        found
    }

    /// Where a name lives, for assignments: `Some(true)` if it is in the current frame.
    pub(crate) fn lookup_for_assignment(&mut self, name: &str) -> Option<(Binding, bool)> {
        for scope in self.frame_ref().scopes.iter().rev() {
            if let Some(binding) = scope.get(name) {
                return Some((binding.clone(), true));
            }
        }
        let found = self.ck.globals.get(name).cloned()?;
        let in_frame = !self.in_function();
        Some((found, in_frame))
    }

    /// Updates the type (dims) of the binding that currently resolves `name` to `var`.
    pub(crate) fn update_binding_type(&mut self, name: &str, var: VarRef, ty: Type) {
        let frame_index = self.frames.len() - 1;
        for scope in self.frames[frame_index].scopes.iter_mut().rev() {
            if let Some(binding) = scope.get_mut(name) {
                if binding.var == var {
                    binding.ty = Some(ty);
                }
                return;
            }
        }
        if let Some(binding) = self.ck.globals.get_mut(name)
            && binding.var == var
        {
            binding.ty = Some(ty);
        }
    }

    /// Looks a user function up: the defining file's own functions first (inside a function),
    /// then the session's function namespace (never from prelude code, which calls only the
    /// prelude and the built-ins).
    pub(crate) fn lookup_fn(&mut self, name: &str) -> Option<DefId> {
        if let Some(def) = self.frame_ref().def {
            let info = &self.ck.defs[def.0 as usize];
            if let Some(found) = info.module_fns.get(name) {
                return Some(*found);
            }
            if info.prelude {
                return None;
            }
            let found = self.ck.fns.get(name).copied();
            self.frame().add_dep(Dep::Fn {
                name: name.to_string(),
                found,
            });
            return found;
        }
        self.ck.fns.get(name).copied()
    }

    /// All variable names visible here, for did-you-mean hints.
    pub(crate) fn visible_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for scope in &self.frame_ref().scopes {
            names.extend(scope.keys().cloned());
        }
        names.extend(self.ck.globals.keys().cloned());
        names
    }

    /// Whether a dependency list still resolves the same way in the current scope.
    pub(crate) fn deps_hold(&self, deps: &[Dep]) -> bool {
        deps.iter().all(|dep| match dep {
            Dep::Var { name, found } => {
                let now = self.ck.globals.get(name);
                match (now, found) {
                    (None, None) => true,
                    (Some(a), Some(b)) => a.same_as(b),
                    _ => false,
                }
            }
            Dep::Fn { name, found } => self.ck.fns.get(name).copied() == *found,
        })
    }
}

/// The positional arguments of a call: the method-call receiver first, then the unnamed
/// arguments in order.
pub(crate) fn positional_args<'e>(
    receiver: Option<&'e ast::Expr>,
    args: &'e [ast::Arg],
) -> Vec<&'e ast::Expr> {
    let mut positional: Vec<&'e ast::Expr> = receiver.into_iter().collect();
    positional.extend(args.iter().filter(|a| a.name.is_none()).map(|a| &a.value));
    positional
}

impl Cx<'_> {
    /// Puts the keyword arguments of a call into the slots of the parameters they name
    /// (`params`, in slot order), reporting unknown names (with a did-you-mean hint, worded by
    /// `unknown`) and parameters given twice. Returns false when one of these was reported.
    pub(crate) fn bind_keywords<'e>(
        &mut self,
        args: &'e [ast::Arg],
        params: &[&str],
        slots: &mut [Option<&'e ast::Expr>],
        unknown: impl Fn(&str) -> String,
    ) -> bool {
        let mut ok = true;
        for arg in args {
            let Some(keyword) = &arg.name else { continue };
            match params.iter().position(|p| *p == keyword.name) {
                None => {
                    let mut diagnostic =
                        Diagnostic::type_error(keyword.span, unknown(&keyword.name));
                    if let Some(best) = closest(&keyword.name, params.iter().copied()) {
                        diagnostic = diagnostic.with_hint(format!("did you mean `{best}`?"));
                    }
                    self.report(diagnostic);
                    ok = false;
                }
                Some(i) if slots[i].is_some() => {
                    self.error(
                        keyword.span,
                        format!("argument `{}` is given more than once", keyword.name),
                    );
                    ok = false;
                }
                Some(i) => slots[i] = Some(&arg.value),
            }
        }
        ok
    }
}

/// Edit distance with adjacent transpositions (optimal string alignment), for did-you-mean
/// hints: `valeu` is one edit from `value`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut table = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in table.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in table[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (table[i - 1][j] + 1)
                .min(table[i][j - 1] + 1)
                .min(table[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(table[i - 2][j - 2] + 1);
            }
            table[i][j] = best;
        }
    }
    table[a.len()][b.len()]
}

/// The closest candidate to `name`, if it is close enough to be a likely typo.
pub(crate) fn closest<'n>(
    name: &str,
    candidates: impl IntoIterator<Item = &'n str>,
) -> Option<String> {
    let limit = name.chars().count() / 3;
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = edit_distance(name, candidate);
        if distance <= limit
            && best.is_none_or(|(d, c)| distance < d || (distance == d && candidate < c))
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

//! AST to typed program: name resolution, dtypes and ranks, NumPy/NEP 50 promotion, static
//! broadcasting checks, function instantiation (spec §2–§8, §10).
//!
//! Code map:
//! - `mod.rs`: the persistent `Checker` (session state) and the public API.
//! - `context.rs`: `Cx`, the working state of one `check` call (frames, scopes, diagnostics).
//! - `promote.rs`: NEP 50 promotion, implicit conversions, broadcasting, constant folding.
//! - `expr.rs`: expressions (literals, names, operators, indexing, properties, `if`, blocks).
//! - `builtins.rs`: the built-in functions of spec §8.
//! - `stmt.rs`: statements, blocks, assignments and control flow.
//! - `functions.rs`: user functions (instantiation, named sizes, returns) and imports.
//!
//! Invariants: the checker never panics on any AST; every error is reported once, and an
//! expression that failed to check has the internal "error type" (`None`), which suppresses
//! follow-on errors about it. Left-nested binary chains (`1+1+…`) and unary chains are
//! checked iteratively, so their depth does not use stack; other nesting is bounded by the
//! parser's bracket limit. The HIR itself is a tree as deep as the source, so the caller should
//! run the whole pipeline (including dropping the HIR) on a thread with a large stack.

pub mod hir;
mod host;

mod builtins;
mod context;
mod expr;
mod functions;
mod promote;
mod stmt;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::ast;

use context::{Binding, BindingKind, Cx, Dep};

/// Identifies one user function definition (an AST), across the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DefId(pub(crate) u32);

/// A user function definition as the checker keeps it.
#[derive(Clone, Debug)]
pub(crate) struct FnDefInfo {
    pub(crate) def: Arc<ast::FnDef>,
    /// The functions of the file that defines it (hoisted), resolved before the session's
    /// function namespace so that a library's helpers stay its own. For the prelude: all the
    /// prelude's functions.
    pub(crate) module_fns: Arc<HashMap<String, DefId>>,
    /// A function of the standard library prelude: its body sees only the prelude's functions,
    /// the built-ins and the predeclared constants, never the user's names.
    pub(crate) prelude: bool,
}

/// A cached instance of a function with the global bindings and functions it looked up.
#[derive(Clone, Debug)]
pub(crate) struct CachedInstance {
    pub(crate) id: hir::FnInstId,
    pub(crate) deps: Vec<Dep>,
    /// The constant integer or bool arguments it was instantiated for, by parameter (see
    /// `Frame::known`).
    pub(crate) known: Vec<Option<nx_runtime::Scalar>>,
    /// False when checking its body failed (calls to it are then silently erroneous).
    pub(crate) ok: bool,
}

/// Reads an imported file: given the importing file and the path as written (with its span),
/// returns the imported file's id and parsed module. The same file must always get the same id.
pub type ImportLoader<'a> =
    dyn FnMut(FileId, &str, Span) -> Result<(FileId, ast::Module), Diagnostic> + 'a;

/// The checker's persistent state for one session: global bindings (name -> slot, type),
/// function definitions (generic ASTs and their instances), predeclared constants.
/// Cloneable so the REPL can snapshot it and roll back a failed input.
#[derive(Clone)]
pub struct Checker {
    /// The top-level scope: names of globals (and the predeclared constants) to bindings.
    pub(crate) globals: HashMap<String, Binding>,
    pub(crate) n_globals: u32,
    /// The session's function namespace.
    pub(crate) fns: HashMap<String, DefId>,
    pub(crate) defs: Vec<FnDefInfo>,
    pub(crate) instances: Vec<hir::FnInstance>,
    pub(crate) instance_cache: HashMap<(DefId, Vec<hir::Type>), Vec<CachedInstance>>,
    /// Files already imported in this session (an import runs once per program).
    pub(crate) imported: HashSet<FileId>,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new()
    }
}

/// The names spec §1 predeclares; a `let` may shadow them.
const PREDECLARED: [&str; 5] = ["pi", "e", "inf", "nan", "newaxis"];

/// The binding of a predeclared name as the session starts (and as the prelude always sees it).
pub(crate) fn predeclared(name: &str) -> Option<Binding> {
    let kind = match name {
        "pi" => BindingKind::Constant(std::f64::consts::PI),
        "e" => BindingKind::Constant(std::f64::consts::E),
        "inf" => BindingKind::Constant(f64::INFINITY),
        "nan" => BindingKind::Constant(f64::NAN),
        "newaxis" => BindingKind::NewAxis,
        _ => return None,
    };
    Some(Binding {
        var: hir::VarRef::Global(u32::MAX),
        ty: Some(hir::Type::weak_scalar(nx_runtime::DType::F64)),
        span: Span::default(),
        kind,
    })
}

/// The import loader where `import` cannot appear (`:type`, the prelude).
fn no_imports(_: FileId, _: &str, span: Span) -> Result<(FileId, ast::Module), Diagnostic> {
    Err(Diagnostic::type_error(span, "`import` is not allowed here"))
}

impl Checker {
    pub fn new() -> Checker {
        let globals = PREDECLARED
            .iter()
            .filter_map(|name| Some((name.to_string(), predeclared(name)?)))
            .collect();
        Checker {
            globals,
            n_globals: 0,
            fns: HashMap::new(),
            defs: Vec::new(),
            instances: Vec::new(),
            instance_cache: HashMap::new(),
            imported: HashSet::new(),
        }
    }

    /// Checks one parsed file or REPL input against the session so far. `repl` = true makes
    /// top-level expression statements `show: true`. `import_loader` reads an imported file:
    /// given the importing file's FileId and the path string, returns the parsed module and its
    /// FileId (or a diagnostic). Returns ALL type errors at once (spec §10). On error the
    /// Checker is unchanged.
    pub fn check(
        &mut self,
        module: &ast::Module,
        repl: bool,
        import_loader: &mut ImportLoader<'_>,
    ) -> Result<hir::Program, Vec<Diagnostic>> {
        let mut work = self.clone();
        let file = module
            .stmts
            .first()
            .map(|s| s.span.file)
            .unwrap_or_default();
        let (stmts, diagnostics) = {
            let mut cx = Cx::new(&mut work, import_loader);
            // The main file is at the bottom of the import stack, so that importing it back is
            // reported as a cycle.
            cx.import_stack.push((file, String::new()));
            let stmts = cx.check_module(module, file, repl);
            (stmts, cx.finish())
        };
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let program = hir::Program {
            stmts,
            n_globals: work.n_globals,
            functions: work.instances.clone(),
            fusion_notes: Vec::new(),
        };
        *self = work;
        Ok(program)
    }

    /// Defines the standard library prelude (spec §7's "later definitions shadow earlier
    /// ones": the user's own functions replace these). The prelude files hold only `fn`
    /// definitions; generic ones are checked when first called, as any user function. On
    /// error the Checker is unchanged.
    pub fn add_prelude(&mut self, modules: &[ast::Module]) -> Result<(), Vec<Diagnostic>> {
        let mut work = self.clone();
        let mut no_imports = no_imports;
        let diagnostics = {
            let mut cx = Cx::new(&mut work, &mut no_imports);
            cx.hoist_prelude(modules);
            cx.finish()
        };
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        *self = work;
        Ok(())
    }

    /// Type of an expression without running it, for the REPL's `:type` (source of one
    /// expression).
    pub fn type_of(&self, expr: &ast::Expr) -> Result<hir::Type, Vec<Diagnostic>> {
        let mut work = self.clone();
        let mut no_imports = no_imports;
        let mut cx = Cx::new(&mut work, &mut no_imports);
        let ty = cx.type_of_expr(expr);
        let diagnostics = cx.finish();
        match ty {
            Some(ty) if diagnostics.is_empty() => Ok(ty),
            _ => Err(diagnostics),
        }
    }

    /// Names of bound globals and their types, for `:vars` and completion.
    pub fn globals(&self) -> Vec<(String, hir::Type)> {
        let mut out: Vec<(String, hir::Type)> = self
            .globals
            .iter()
            .filter(|(_, binding)| matches!(binding.kind, BindingKind::Var))
            .filter_map(|(name, binding)| binding.ty.clone().map(|ty| (name.clone(), ty)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Names of the user functions defined in the session, for completion.
    pub fn function_names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.fns.keys().cloned().collect();
        out.sort();
        out
    }
}

//! nx embedding API: a host creates a [`Session`], binds its own `ndarray` arrays as variables
//! (without copying them), runs nx source or evaluates expressions, and reads results back as
//! `ndarray` arrays. Errors are values ([`Error`]); the library never panics on user input and
//! never prints unless the session was created to print (the CLI does).
//!
//! ```
//! let mut session = nx::Session::new_captured().unwrap();
//! session.bind("x", ndarray::arr1(&[1.0f64, 2.0, 3.0]).into_dyn()).unwrap();
//! let y = session.eval_array::<f64>("x * 2.0 + 1.0").unwrap();
//! assert_eq!(y.as_slice().unwrap(), &[3.0, 5.0, 7.0]);
//! ```

use std::io::Write;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use nx_compiler::diagnostics::{Diagnostic, FileId, SourceMap, Span, Stage};
use nx_compiler::exec::Executor;
use nx_compiler::lower;
use nx_compiler::syntax;
use nx_compiler::types::Checker;
use nx_compiler::types::hir::{self, StmtKind};

pub use nx_compiler::exec::Value;
pub use nx_runtime::{Array, DType, Element, Scalar};

/// What went wrong, with every diagnostic rendered against the source (spec §10).
#[derive(Clone, Debug)]
pub struct Error {
    pub kind: ErrorKind,
    /// The diagnostics as `error: …` / `--> file:line:col` / source line / caret text.
    pub rendered: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Syntax, name, type or static shape errors: nothing ran.
    Compile,
    /// A run-time error: statements before the failing one ran.
    Runtime,
    /// The file or the host request itself was bad (unreadable file, unknown variable, wrong dtype).
    Usage,
    /// A bug in nx itself (a panic inside the pipeline, caught so the host survives).
    Internal,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.rendered.trim_end())
    }
}

impl std::error::Error for Error {}

impl Error {
    fn usage(message: impl Into<String>) -> Error {
        let message = message.into();
        Error {
            kind: ErrorKind::Usage,
            rendered: format!("error: {message}\n"),
            diagnostics: Vec::new(),
        }
    }

    /// A bug in nx (a panic in the pipeline, or a checked program whose kernel fails to
    /// compile).
    fn internal(message: String) -> Error {
        Error {
            kind: ErrorKind::Internal,
            rendered: format!(
                "error: internal compiler error: {message}\n  = note: this is a bug in nx; please report it with the program that caused it\n"
            ),
            diagnostics: Vec::new(),
        }
    }
}

/// Output written by `print` and by shown REPL values.
#[derive(Clone)]
enum Output {
    Stdout,
    Captured(Arc<Mutex<Vec<u8>>>),
}

struct CapturedWriter(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("output lock poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The standard library prelude: file names (as diagnostics show them) and their text.
const PRELUDE: &[(&str, &str)] = &[
    ("std/math.nx", include_str!("../std/math.nx")),
    ("std/stats.nx", include_str!("../std/stats.nx")),
];

/// Stack size of the thread that parses, checks and runs: the passes recurse over the tree.
const PIPELINE_STACK_BYTES: usize = 256 << 20;

/// The kernels a program would launch, with where each comes from, and statement fusion's
/// decisions about its array temporaries.
type PlannedKernels = (
    Vec<(nx_compiler::ir::Kernel, Span)>,
    Vec<(Span, hir::FusionNote)>,
);

/// One nx session: its sources, its checked bindings and their values, and its JIT.
pub struct Session {
    sources: SourceMap,
    checker: Checker,
    executor: Executor,
    output: Output,
    /// Directory that `import` paths of REPL and `-e` input are relative to.
    base_dir: PathBuf,
    /// Phase durations since timing was enabled (`--time`), in order.
    phase_times: Vec<(&'static str, std::time::Duration)>,
    /// See `set_whole_program`.
    whole_program: bool,
}

impl Session {
    /// A session whose `print` output goes to the process's standard output (the CLI).
    pub fn new() -> Result<Session, Error> {
        Session::with_output(Output::Stdout)
    }

    /// A session that collects its `print` output; read it with [`Session::take_output`].
    pub fn new_captured() -> Result<Session, Error> {
        Session::with_output(Output::Captured(Arc::new(Mutex::new(Vec::new()))))
    }

    fn with_output(output: Output) -> Result<Session, Error> {
        let writer: Box<dyn Write + Send> = match &output {
            Output::Stdout => Box::new(std::io::stdout()),
            Output::Captured(buffer) => Box::new(CapturedWriter(buffer.clone())),
        };
        let executor = Executor::new(writer).map_err(Error::usage)?;
        let mut session = Session {
            sources: SourceMap::new(),
            checker: Checker::new(),
            executor,
            output,
            base_dir: PathBuf::from("."),
            phase_times: Vec::new(),
            whole_program: false,
        };
        session.load_prelude()?;
        Ok(session)
    }

    /// Parses the standard library (`std/*.nx`, embedded in the binary) and defines its
    /// functions, before any user code. Generic functions are only checked when called, so this
    /// costs a parse and a hoist. A failure here is a bug in nx, not in the user's program.
    fn load_prelude(&mut self) -> Result<(), Error> {
        let mut modules = Vec::with_capacity(PRELUDE.len());
        let mut diagnostics = Vec::new();
        for (name, text) in PRELUDE {
            let file = self.sources.add(*name, *text);
            let (module, errors) = syntax::parse(file, text);
            diagnostics.extend(errors);
            modules.push(module);
        }
        if diagnostics.is_empty()
            && let Err(errors) = self.checker.add_prelude(&modules)
        {
            diagnostics = errors;
        }
        if diagnostics.is_empty() {
            Ok(())
        } else {
            Err(self.error(ErrorKind::Internal, diagnostics))
        }
    }

    /// The output printed since the last call (captured sessions only; empty otherwise).
    pub fn take_output(&mut self) -> String {
        match &self.output {
            Output::Captured(buffer) => {
                let mut bytes = buffer
                    .lock()
                    .map(|mut b| std::mem::take(&mut *b))
                    .unwrap_or_default();
                String::from_utf8(std::mem::take(&mut bytes)).unwrap_or_default()
            }
            Output::Stdout => String::new(),
        }
    }

    /// Forgets every binding and function (the REPL's `:reset`); options set on the session
    /// (threads, fusion, …) stay.
    pub fn reset(&mut self) -> Result<(), Error> {
        let fresh = Session::with_output(self.output.clone())?;
        let base_dir = std::mem::take(&mut self.base_dir);
        let options = self.executor.options.clone();
        *self = fresh;
        self.base_dir = base_dir;
        self.executor.options = options;
        Ok(())
    }

    /// Runs a script file: checked in full before its first statement runs.
    pub fn run_file(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::usage(format!("cannot read `{}`: {err}", path.display())))?;
        self.run_named(&path.display().to_string(), &text, false)
    }

    /// Runs source text (a script, `-e` code or embedded code).
    pub fn run(&mut self, source: &str) -> Result<(), Error> {
        self.run_named("<input>", source, false)
    }

    /// Runs one REPL input: top-level expression values are shown as `value : type`.
    pub fn run_repl(&mut self, source: &str) -> Result<(), Error> {
        self.run_named("<repl>", source, true)
    }

    /// Parses and type-checks a file without running it (`nx check`).
    pub fn check_file(&mut self, path: &Path) -> Result<(), Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::usage(format!("cannot read `{}`: {err}", path.display())))?;
        let snapshot = self.checker.clone();
        let result = self
            .compile(&path.display().to_string(), &text, false)
            .map(|_| ());
        self.checker = snapshot;
        result
    }

    /// The loop IR kernels a file would launch (`nx ir`), printed; with `clif`, the Cranelift
    /// IR generated for each of them instead.
    pub fn ir_of_file(&mut self, path: &Path, clif: bool) -> Result<String, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::usage(format!("cannot read `{}`: {err}", path.display())))?;
        self.ir_of(&path.display().to_string(), &text, clif)
    }

    /// The loop IR (or Cranelift IR) of source text, checked against this session (the REPL's
    /// `:ir` and `:clif`). Nothing runs.
    pub fn ir_of(&mut self, name: &str, source: &str, clif: bool) -> Result<String, Error> {
        let (kernels, notes) = self.planned_kernels(name, source)?;
        let mut texts = Vec::with_capacity(kernels.len() + 1);
        if !notes.is_empty() && !clif {
            let mut lines = String::new();
            for (span, note) in &notes {
                let place = self.sources.location(*span);
                let line = match note {
                    hir::FusionNote::FusedInto(reader) => format!(
                        "temporary at {place}: fused into {}",
                        self.sources.location(*reader)
                    ),
                    hir::FusionNote::Kept(reason) => format!("temporary at {place}: {reason}"),
                    hir::FusionNote::RowBlocked {
                        last,
                        statements,
                        block_only,
                    } => {
                        let statements = match statements {
                            1 => "the statement".to_string(),
                            n => format!("{n} statements"),
                        };
                        format!(
                            "statements at {place} to {}: run by blocks of rows ({statements}, \
                             {block_only} of their arrays never whole)",
                            self.sources.location(*last)
                        )
                    }
                    hir::FusionNote::SiblingReductions { last, count } => format!(
                        "statements at {place} to {}: {count} reductions in one pass",
                        self.sources.location(*last)
                    ),
                    hir::FusionNote::Buffer(how) => format!("statement at {place}: {how}"),
                    hir::FusionNote::Inlined(name) => {
                        format!("call at {place}: `{name}` inlined into the caller's kernels")
                    }
                    hir::FusionNote::ReusesMean(binding) => format!(
                        "statement at {place}: its variance uses the mean bound at {}",
                        self.sources.location(*binding)
                    ),
                    hir::FusionNote::NotRowBlocked(reason) => {
                        format!("statement at {place}: not run by blocks of rows: {reason}")
                    }
                };
                lines.push_str(&format!("# {line}\n"));
            }
            texts.push(lines);
        }
        for (kernel, span) in &kernels {
            let origin = self.sources.location(*span);
            if clif {
                let text = self.executor.clif_text(kernel).map_err(Error::usage)?;
                texts.push(format!("; {} from {origin}\n{text}", kernel.name));
            } else {
                texts.push(format!("# {} from {origin}\n{kernel}", kernel.name));
            }
        }
        Ok(texts.join("\n"))
    }

    /// Parses and type-checks source text against this session and JIT-compiles every kernel
    /// it would launch, without running it (what a compile-latency benchmark measures); returns
    /// the number of kernels. Like `nx check`, it binds nothing. The compiled kernels stay in
    /// the session's kernel cache, so only a fresh session compiles them all again.
    pub fn compile_kernels(&mut self, name: &str, source: &str) -> Result<usize, Error> {
        let (kernels, _) = self.planned_kernels(name, source)?;
        let executor = &mut self.executor;
        on_big_stack(|| {
            kernels
                .iter()
                .try_for_each(|(kernel, _)| executor.compile_kernel(kernel))
        })?
        .map_err(Error::internal)?;
        Ok(kernels.len())
    }

    /// The loop IR kernels a program would launch, in program order with the span of the
    /// expression that launches each; the program is checked against this session, which
    /// keeps no binding from it.
    fn planned_kernels(&mut self, name: &str, source: &str) -> Result<PlannedKernels, Error> {
        let snapshot = self.checker.clone();
        let compiled = self.compile(name, source, false);
        self.checker = snapshot;
        let (_, program) = compiled?;
        let fuse = self.executor.options.fuse;
        let (kernels, buffer_notes) =
            nx_compiler::lower::program_kernels(&program.stmts, &program.functions, fuse);
        let mut notes = program.fusion_notes;
        notes.extend(buffer_notes);
        Ok((kernels, notes))
    }

    /// The static type of an expression (the REPL's `:type`).
    pub fn type_of(&mut self, source: &str) -> Result<String, Error> {
        let file = self.sources.add("<type>", source);
        let expr = self.parse_single_expr(file, source)?;
        self.checker
            .type_of(&expr)
            .map(|ty| ty.to_string())
            .map_err(|d| self.error(ErrorKind::Compile, d))
    }

    /// Bound names and their static types (the REPL's `:vars`).
    pub fn vars(&self) -> Vec<(String, String)> {
        self.checker
            .globals()
            .into_iter()
            .map(|(name, ty)| (name, ty.to_string()))
            .collect()
    }

    /// Names that complete `prefix`: variables, functions, built-ins and constants in scope.
    pub fn completions(&self, prefix: &str) -> Vec<String> {
        self.checker
            .names_in_scope()
            .into_iter()
            .filter(|name| name.starts_with(prefix))
            .collect()
    }

    /// Binds a host array as an nx variable without copying it: the session keeps the array
    /// alive and reads its memory in place; nx writes never reach it (copy-on-write).
    pub fn bind<T: Element>(&mut self, name: &str, array: ndarray::ArrayD<T>) -> Result<(), Error> {
        let value = array_from_ndarray(array);
        let dims = value
            .shape()
            .iter()
            .map(|&d| hir::Dim::Known(d as u64))
            .collect();
        let ty = hir::Type::array(T::DTYPE, dims);
        let slot = self.checker.bind_global(name, ty).map_err(Error::usage)?;
        self.executor.set_global(slot, Value::from_array(value));
        Ok(())
    }

    /// Binds a host scalar as an nx rank-0 variable.
    pub fn bind_scalar<T: Element>(&mut self, name: &str, value: T) -> Result<(), Error> {
        let slot = self
            .checker
            .bind_global(name, hir::Type::scalar(T::DTYPE))
            .map_err(Error::usage)?;
        self.executor
            .set_global(slot, Value::Scalar(value.to_scalar()));
        Ok(())
    }

    /// Evaluates an expression against the session's bindings.
    pub fn eval(&mut self, source: &str) -> Result<Value, Error> {
        let file = self.sources.add("<eval>", source);
        let expr = self.parse_single_expr(file, source)?;
        let snapshot = self.checker.clone();
        let module = syntax::ast::Module {
            stmts: vec![syntax::ast::Stmt {
                span: expr.span,
                kind: syntax::ast::StmtKind::Expr(expr),
            }],
        };
        let program = self.check_module(&module, false);
        self.checker = snapshot;
        let program = program?;
        let Some(hir::Stmt {
            kind: StmtKind::Expr { value, .. },
            ..
        }) = program.stmts.first()
        else {
            return Err(Error::usage("expected an expression"));
        };
        let value = value.clone();
        let executor = &mut self.executor;
        let result = on_big_stack(|| executor.eval_expr(&program, &value))?;
        result.map_err(|err| self.runtime_error(&err))
    }

    /// Evaluates an expression and returns it as an `ndarray` array of element type `T`.
    pub fn eval_array<T: Element>(&mut self, source: &str) -> Result<ndarray::ArrayD<T>, Error> {
        let value = self.eval(source)?;
        ndarray_from_value(&value)
    }

    /// The current value of a variable as an `ndarray` array of element type `T`.
    pub fn get<T: Element>(&mut self, name: &str) -> Result<ndarray::ArrayD<T>, Error> {
        if !self.checker.globals().iter().any(|(n, _)| n == name) {
            return Err(Error::usage(format!("no variable named `{name}`")));
        }
        self.eval_array(name)
    }

    // ---- pipeline ---------------------------------------------------------------------------

    fn run_named(&mut self, name: &str, source: &str, repl: bool) -> Result<(), Error> {
        let snapshot = self.checker.clone();
        let (module, program) = self.compile(name, source, repl)?;
        let result = self.timed("run", |session| {
            let executor = &mut session.executor;
            on_big_stack(|| executor.run(&program))
        })?;
        let Err((failed_index, err)) = result else {
            return Ok(());
        };
        if repl {
            // The statements before the failing one ran and keep their bindings; the failing
            // one and those after it must not leave names bound without values. Re-checking
            // the completed prefix from the snapshot gives the same slots, as checking is
            // deterministic.
            self.checker = snapshot;
            let failed_span = program.stmts[failed_index].span;
            let prefix_len = module
                .stmts
                .iter()
                .position(|stmt| stmt.span == failed_span);
            if let Some(prefix_len) = prefix_len {
                let prefix = syntax::ast::Module {
                    stmts: module.stmts[..prefix_len].to_vec(),
                };
                // On failure (not expected) the checker stays at the snapshot: a full rollback.
                let _ = self.check_module(&prefix, repl);
            }
        }
        Err(self.runtime_error(&err))
    }

    fn compile(
        &mut self,
        name: &str,
        source: &str,
        repl: bool,
    ) -> Result<(syntax::ast::Module, hir::Program), Error> {
        let file = self.sources.add(name, source);
        let (module, syntax_errors) =
            self.timed("parse", |_| on_big_stack(|| syntax::parse(file, source)))?;
        if !syntax_errors.is_empty() {
            return Err(self.error(ErrorKind::Compile, syntax_errors));
        }
        let program = self.timed("check", |session| session.check_module(&module, repl))?;
        Ok((module, program))
    }

    fn check_module(
        &mut self,
        module: &syntax::ast::Module,
        repl: bool,
    ) -> Result<hir::Program, Error> {
        let base_dir = self.base_dir.clone();
        let sources = &mut self.sources;
        let checker = &mut self.checker;
        // Statement fusion recurses over the program like the checker, on the same thread.
        let fuse = self.executor.options.fuse.then_some(self.whole_program);
        let result = on_big_stack(|| {
            let mut loader = |from: FileId, path: &str, span: Span| {
                load_import(sources, &base_dir, from, path, span)
            };
            let mut checked = checker.check(module, repl, &mut loader);
            if let (Ok(program), Some(whole_program)) = (&mut checked, fuse) {
                // Statement fusion again after inlining: a caller's temporary that held a
                // call's result may now be a tree to fuse.
                lower::fuse_statements(program, whole_program);
                lower::inline_calls(program);
                lower::fuse_statements(program, whole_program);
                lower::block_rows(program, whole_program);
                lower::fuse_sibling_reductions(program);
                lower::reuse_means(program);
            }
            checked
        })?;
        result.map_err(|diagnostics| self.error(ErrorKind::Compile, diagnostics))
    }

    fn parse_single_expr(
        &mut self,
        file: FileId,
        source: &str,
    ) -> Result<syntax::ast::Expr, Error> {
        let (module, errors) = on_big_stack(|| syntax::parse(file, source))?;
        if !errors.is_empty() {
            return Err(self.error(ErrorKind::Compile, errors));
        }
        match module.stmts.as_slice() {
            [
                syntax::ast::Stmt {
                    kind: syntax::ast::StmtKind::Expr(expr),
                    ..
                },
            ] => Ok(expr.clone()),
            _ => Err(self.error(
                ErrorKind::Compile,
                vec![Diagnostic::new(
                    Stage::Syntax,
                    Span::new(file, 0, source.len()),
                    "expected one expression",
                )],
            )),
        }
    }

    fn runtime_error(&self, err: &nx_compiler::exec::RuntimeError) -> Error {
        let kind = if err.internal {
            ErrorKind::Internal
        } else {
            ErrorKind::Runtime
        };
        self.error(kind, vec![err.to_diagnostic()])
    }

    fn error(&self, kind: ErrorKind, diagnostics: Vec<Diagnostic>) -> Error {
        Error {
            kind,
            rendered: self.sources.render(&diagnostics),
            diagnostics,
        }
    }

    /// Starts collecting phase and per-kernel timings (`--time`); read them with
    /// [`Session::timing_report`].
    pub fn enable_timing(&mut self) {
        self.executor.timings.enabled = true;
    }

    /// Phase and per-kernel timings collected so far, as text for stderr; clears them.
    pub fn timing_report(&mut self) -> String {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        let mut report = String::from("nx timings:\n");
        for (phase, duration) in self.phase_times.drain(..) {
            report.push_str(&format!("  {phase:<8} {:>10.3} ms\n", ms(duration)));
        }
        let mut kernels = std::mem::take(&mut self.executor.timings.kernels);
        kernels.sort_by_key(|k| std::cmp::Reverse(k.run + k.compile));
        if !kernels.is_empty() {
            report.push_str("  kernels, slowest first:\n");
        }
        for kernel in kernels {
            report.push_str(&format!(
                "    {:<28} {:<14} launches {:>6}  elements {:>10}  compile {:>8.3} ms  run {:>9.3} ms\n",
                self.sources.location(kernel.span),
                kernel.name,
                kernel.launches,
                kernel.max_elements,
                ms(kernel.compile),
                ms(kernel.run)
            ));
        }
        report
    }

    fn timed<R>(&mut self, phase: &'static str, work: impl FnOnce(&mut Session) -> R) -> R {
        if !self.executor.timings.enabled {
            return work(self);
        }
        let start = std::time::Instant::now();
        let result = work(self);
        self.phase_times.push((phase, start.elapsed()));
        result
    }

    /// Runs kernels in the reference interpreter instead of the JIT (slow; the oracle of the
    /// differential tests).
    pub fn use_reference_interpreter(&mut self, on: bool) {
        self.executor.options.reference_interpreter = on;
    }

    /// Turns fusion off (`--no-fuse`): every elementwise operation and reduction becomes its
    /// own kernel, for comparison. Results are the same bits either way.
    pub fn set_fusion(&mut self, fuse: bool) {
        self.executor.options.fuse = fuse;
    }

    /// Declares that each program run is the whole program: no later input, and no host,
    /// reads the globals it leaves (a script run by `nx FILE`). The optimizer may then fuse
    /// a global array temporary into its one reader instead of keeping its value.
    pub fn set_whole_program(&mut self, whole: bool) {
        self.whole_program = whole;
    }

    /// Whether an elementwise function call (spec §7) runs as one kernel with the function
    /// compiled into it (the default) or as one call per element with the reference semantics,
    /// for comparison. Results and errors are the same either way.
    pub fn set_function_kernels(&mut self, on: bool) {
        self.executor.options.function_kernels = on;
    }

    /// Whether a failing top-level statement restores every variable to its value before the
    /// statement (on by default). The restore point keeps a reference to every buffer, so the
    /// statement's first in-place write to an array copies it; a script that stops at its first
    /// error turns this off.
    pub fn set_rollback(&mut self, rollback: bool) {
        self.executor.options.rollback = rollback;
    }

    /// How many threads large kernel launches and library kernels may split their work over
    /// (`--threads`; the default is one per core). Results are the same bits for every count
    /// (spec §11).
    pub fn set_threads(&mut self, threads: NonZeroUsize) {
        self.executor.options.threads = threads;
    }

    /// Runs nx's multi-threaded work on the host's own rayon `pool` instead of threads of
    /// nx's own, with as many threads as the pool has (a later `set_threads` with another
    /// count goes back to nx's own). Results are the same bits for every pool (spec §11).
    pub fn set_thread_pool(&mut self, pool: std::sync::Arc<rayon::ThreadPool>) {
        self.executor.use_thread_pool(pool);
    }

    /// The bytes of one block of the widest input (per thread) when statements run by blocks
    /// of rows (see `docs/decisions.md`); small values make tests exercise many blocks.
    pub fn set_row_block_bytes(&mut self, bytes: NonZeroUsize) {
        self.executor.options.row_block_bytes = bytes;
    }

    /// Makes `import` paths of REPL and `-e` input relative to `dir`.
    pub fn set_base_dir(&mut self, dir: impl Into<PathBuf>) {
        self.base_dir = dir.into();
    }
}

/// Reads and parses an imported file: relative to the importing file's directory, or to the
/// session's base directory for REPL and `-e` input.
fn load_import(
    sources: &mut SourceMap,
    base_dir: &Path,
    from: FileId,
    path: &str,
    span: Span,
) -> Result<(FileId, syntax::ast::Module), Diagnostic> {
    let importer = Path::new(sources.name(from));
    let dir = if importer.exists() {
        importer.parent().unwrap_or(base_dir).to_path_buf()
    } else {
        base_dir.to_path_buf()
    };
    let full = dir.join(path);
    let canonical = full.canonicalize().unwrap_or(full.clone());
    let text = std::fs::read_to_string(&canonical)
        .map_err(|err| Diagnostic::type_error(span, format!("cannot import `{path}`: {err}")))?;
    // Diagnostics name the file as the import path led to it (relative where the script was).
    let name = full.display().to_string();
    // The same file imported twice (or the script importing itself back) must get the same
    // id, so the checker runs it once and sees cycles.
    for id in 0..sources.len() {
        if Path::new(sources.name(id))
            .canonicalize()
            .is_ok_and(|existing| existing == canonical)
        {
            let (module, _) = syntax::parse(id, sources.text(id));
            return Ok((id, module));
        }
    }
    let file = sources.add(name, text);
    let (module, errors) = syntax::parse(file, sources.text(file));
    match errors.into_iter().next() {
        Some(first) => Err(first),
        None => Ok((file, module)),
    }
}

/// Runs `work` on a thread with a large stack, so deeply nested programs cannot overflow it.
/// A panic there is a bug in nx; it becomes an `Internal` error instead of unwinding into the
/// host.
fn on_big_stack<R: Send>(work: impl FnOnce() -> R + Send) -> Result<R, Error> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(PIPELINE_STACK_BYTES)
            .spawn_scoped(scope, work)
            .map_err(|err| Error::usage(format!("cannot start the pipeline thread: {err}")))?;
        handle.join().map_err(|panic| {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Error::internal(message)
        })
    })
}

/// Wraps a host array's memory as an nx array without copying (C-order or any strides).
fn array_from_ndarray<T: Element>(array: ndarray::ArrayD<T>) -> Array {
    let array = if array.is_standard_layout() {
        array
    } else {
        array.as_standard_layout().into_owned()
    };
    let shape = array.shape().to_vec();
    let strides: Vec<isize> = array.strides().to_vec();
    let mut array = array;
    let ptr = array.as_mut_ptr() as *mut u8;
    let n_bytes = array.len() * std::mem::size_of::<T>();
    // SAFETY: `ptr` addresses `n_bytes` of the host array's elements in standard layout; the
    // array is moved into the buffer's owner, so the memory lives as long as the buffer, and
    // moving an ndarray does not move its heap data.
    let buffer = unsafe { nx_runtime::Buffer::from_external(ptr, n_bytes, Box::new(array)) };
    Array::from_parts(T::DTYPE, shape, strides, 0, Arc::new(buffer))
}

fn ndarray_from_value<T: Element>(value: &Value) -> Result<ndarray::ArrayD<T>, Error> {
    if value.dtype() != T::DTYPE {
        return Err(Error::usage(format!(
            "the value has dtype {}, not {}",
            value.dtype().name(),
            T::DTYPE.name()
        )));
    }
    let array = value.to_array();
    let data: Vec<T> = array.to_vec();
    ndarray::ArrayD::from_shape_vec(array.shape().to_vec(), data)
        .map_err(|err| Error::usage(err.to_string()))
}

/// For the REPL: true when `source` is an unfinished statement (an open bracket or brace).
pub fn needs_more_input(source: &str) -> bool {
    syntax::needs_more_input(source)
}

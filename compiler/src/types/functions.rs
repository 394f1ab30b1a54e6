//! User functions (spec §7): hoisting, argument binding (positional, keyword, defaults),
//! instantiation per argument types with caching, named sizes, result types and `return`, the
//! recursion check; and `import`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use nx_runtime::{DType, Scalar};

use crate::diagnostics::{Diagnostic, FileId, Span};
use crate::syntax::ast;

use super::context::{BindingKind, Cx, Frame, closest, positional_args};
use super::expr::{BlockValue, Checked, Want};
use super::hir::{
    Block, Dim, Expr, ExprKind, FnInstId, FnInstance, SizeBinding, Stmt, StmtKind, Type,
};
use super::promote::{broadcast, join_dims, mk, promote, weak_converts};
use super::stmt::dims_agree;
use super::{CachedInstance, DefId, FnDefInfo};

/// How deep a chain of calls may be instantiated: each level checks the callee's body on the
/// stack, and recursion is not supported, so a deeper chain is a (contrived) program error.
const MAX_CALL_NESTING: usize = 1000;

/// An argument bound to a parameter: the checked value and where it came from.
struct BoundArg {
    value: Option<Expr>,
    span: Span,
}

impl Cx<'_> {
    /// Registers all functions of a module (so they may be called before their definition).
    /// Inside an imported file, calls between its own functions resolve to them (lexically);
    /// in the main file or a REPL input they resolve in the session's namespace at the call,
    /// like its global variables, so a later definition replaces an earlier one everywhere.
    pub(crate) fn hoist_functions(&mut self, module: &ast::Module) -> Vec<DefId> {
        let lexical = self.import_stack.len() > 1;
        let module_fns = self.register_functions(module, false);
        let ids: Vec<DefId> = module_fns.iter().map(|(_, id)| *id).collect();
        let own_fns: HashMap<String, DefId> = if lexical {
            module_fns.iter().cloned().collect()
        } else {
            HashMap::new()
        };
        self.publish_functions(&module_fns, Arc::new(own_fns));
        ids
    }

    /// Registers the prelude's functions: they resolve calls among themselves across its
    /// files, and are the session's first entries under their names.
    pub(crate) fn hoist_prelude(&mut self, modules: &[ast::Module]) {
        let mut all_fns = Vec::new();
        for module in modules {
            for stmt in &module.stmts {
                match &stmt.kind {
                    // It would replace the built-in in every program: spec §8 owns the
                    // built-ins' names and behaviour.
                    ast::StmtKind::Fn(def) if super::builtins::is_builtin(&def.name.name) => self
                        .error(
                            def.name.span,
                            format!(
                                "the prelude may not define the built-in `{}`",
                                def.name.name
                            ),
                        ),
                    ast::StmtKind::Fn(_) => {}
                    _ => self.error(stmt.span, "the prelude may only define functions"),
                }
            }
            all_fns.extend(self.register_functions(module, true));
        }
        let shared = Arc::new(all_fns.iter().cloned().collect());
        self.publish_functions(&all_fns, shared);
    }

    /// Checks the signatures of a module's functions and adds their definitions, in source
    /// order; a name defined twice in one file is an error.
    fn register_functions(&mut self, module: &ast::Module, prelude: bool) -> Vec<(String, DefId)> {
        let mut first_span: HashMap<String, Span> = HashMap::new();
        let mut registered = Vec::new();
        for stmt in &module.stmts {
            let ast::StmtKind::Fn(def) = &stmt.kind else {
                continue;
            };
            if let Some(previous) = first_span.get(&def.name.name) {
                self.report(
                    Diagnostic::type_error(
                        def.name.span,
                        format!(
                            "function `{}` is defined more than once in this file",
                            def.name.name
                        ),
                    )
                    .with_note(*previous, "first defined here"),
                );
            } else {
                first_span.insert(def.name.name.clone(), def.name.span);
            }
            self.check_signature(def);
            let id = DefId(self.ck.defs.len() as u32);
            self.ck.defs.push(FnDefInfo {
                def: Arc::new(def.clone()),
                module_fns: Arc::new(HashMap::new()),
                prelude,
            });
            registered.push((def.name.name.clone(), id));
        }
        registered
    }

    /// Gives registered functions the namespace their bodies resolve calls in first, and
    /// enters them in the session's namespace (a later one of the same name wins).
    fn publish_functions(
        &mut self,
        registered: &[(String, DefId)],
        own_fns: Arc<HashMap<String, DefId>>,
    ) {
        for (name, id) in registered {
            self.ck.defs[id.0 as usize].module_fns = own_fns.clone();
            self.ck.fns.insert(name.clone(), *id);
        }
    }

    /// Problems of a signature that do not depend on a call.
    fn check_signature(&mut self, def: &ast::FnDef) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for param in &def.params {
            if let Some(previous) = seen.insert(param.name.name.as_str(), param.name.span) {
                self.report(
                    Diagnostic::type_error(
                        param.name.span,
                        format!("parameter `{}` is declared twice", param.name.name),
                    )
                    .with_note(previous, "first declared here"),
                );
            }
        }
        let mut size_names: HashMap<String, Span> = HashMap::new();
        for param in &def.params {
            for dim in param
                .annotation
                .iter()
                .flat_map(|a| a.dims.iter().flatten())
            {
                if let ast::DimExpr::Named(ident) = dim {
                    size_names.entry(ident.name.clone()).or_insert(ident.span);
                }
            }
        }
        for (name, span) in &size_names {
            if seen.contains_key(name.as_str()) {
                self.report(Diagnostic::type_error(
                    *span,
                    format!("size name `{name}` is also a parameter name"),
                ));
            }
        }
        if let Some(ret) = &def.ret {
            for dim in ret.dims.iter().flatten() {
                if let ast::DimExpr::Named(ident) = dim
                    && !size_names.contains_key(&ident.name)
                {
                    self.report(
                        Diagnostic::type_error(
                            ident.span,
                            format!(
                                "size `{}` in the result type is not bound by a parameter",
                                ident.name
                            ),
                        )
                        .with_hint("use `_` for a length that is not known from the arguments"),
                    );
                }
            }
        }
    }

    /// A call by name: user functions first (they may shadow built-ins), then built-ins.
    pub(crate) fn call(
        &mut self,
        func: &ast::Ident,
        receiver: Option<&ast::Expr>,
        args: &[ast::Arg],
        span: Span,
        want: Want,
    ) -> Checked {
        if let Some(def) = self.lookup_fn(&func.name) {
            return self.call_user(def, func, receiver, args, span, want);
        }
        if super::builtins::is_builtin(&func.name) {
            return self.call_builtin(func, receiver, args, span, want);
        }
        if let Some(receiver) = receiver {
            let _ = self.expr(receiver);
        }
        for arg in args {
            if !matches!(arg.value.kind, ast::ExprKind::Str(_)) {
                let _ = self.expr(&arg.value);
            }
        }
        let mut diagnostic =
            Diagnostic::type_error(func.span, format!("cannot find function `{}`", func.name));
        if self
            .lookup(&func.name)
            .is_some_and(|b| matches!(b.kind, BindingKind::Var))
        {
            diagnostic =
                diagnostic.with_hint(format!("`{}` is a variable, not a function", func.name));
        } else {
            let mut names: Vec<String> = self.ck.fns.keys().cloned().collect();
            names.extend(super::builtins::BUILTIN_NAMES.iter().map(|s| s.to_string()));
            if let Some(best) = closest(&func.name, names.iter().map(String::as_str)) {
                diagnostic = diagnostic.with_hint(format!("did you mean `{best}`?"));
            }
        }
        self.report(diagnostic);
        Checked::Error
    }

    fn call_user(
        &mut self,
        def_id: DefId,
        func: &ast::Ident,
        receiver: Option<&ast::Expr>,
        args: &[ast::Arg],
        span: Span,
        want: Want,
    ) -> Checked {
        let def = self.ck.defs[def_id.0 as usize].def.clone();
        let Some(bound) = self.bind_user_args(&def, func, receiver, args, span) else {
            return Checked::Error;
        };
        if self.frames.iter().any(|frame| frame.def == Some(def_id)) {
            self.report(
                Diagnostic::type_error(
                    span,
                    format!(
                        "recursion is not supported: `{}` calls itself",
                        def.name.name
                    ),
                )
                .with_note(def.name.span, "function defined here")
                .with_hint("rewrite it with a loop"),
            );
            return Checked::Error;
        }
        let mut values = Vec::with_capacity(bound.len());
        let mut failed = false;
        for arg in bound {
            match arg.value {
                Some(v) => values.push((v, arg.span)),
                None => failed = true,
            }
        }
        if failed {
            return Checked::Error;
        }
        // Convert arguments to annotated parameters, find elementwise arguments, named sizes.
        let mut param_types = Vec::with_capacity(values.len());
        let mut call_args = Vec::with_capacity(values.len());
        let mut elementwise_dims: Option<Vec<Dim>> = Some(Vec::new());
        let mut is_elementwise = false;
        let mut elementwise_args = Vec::with_capacity(values.len());
        let mut sizes: HashMap<String, (u64, String, Span)> = HashMap::new();
        let mut known_sizes: HashMap<String, u64> = HashMap::new();
        for ((value, arg_span), param) in values.into_iter().zip(&def.params) {
            let pname = &param.name.name;
            let Some(annotation) = &param.annotation else {
                let ty = Type {
                    dims: vec![Dim::Unknown; value.ty.rank()],
                    ..value.ty.clone()
                };
                param_types.push(ty);
                call_args.push(value);
                elementwise_args.push(false);
                continue;
            };
            let expected = self.annotation_type(annotation);
            let fname = def.name.name.clone();
            if expected.rank() == 0 && value.ty.rank() > 0 {
                is_elementwise = true;
                if let Some(dims) = &elementwise_dims {
                    elementwise_dims = broadcast(dims, &value.ty.dims).ok();
                    if elementwise_dims.is_none() {
                        self.report(
                            Diagnostic::type_error(arg_span, format!("cannot broadcast the elementwise argument `{pname}` ({}) with the others", value.ty))
                                .with_note(param.span, "this parameter is rank 0, so the function is applied elementwise"),
                        );
                        failed = true;
                    }
                }
            } else if expected.rank() != value.ty.rank()
                || !dims_agree(&expected.dims, &value.ty.dims)
            {
                self.report(
                    Diagnostic::type_error(
                        arg_span,
                        format!(
                            "argument `{pname}` of `{fname}` must be {}, found {}",
                            display_annotation(annotation),
                            value.ty
                        ),
                    )
                    .with_note(param.span, "parameter declared here"),
                );
                failed = true;
                continue;
            }
            // Named sizes must agree between arguments.
            if let Some(dims) = &annotation.dims {
                for (axis, dim) in dims.iter().enumerate() {
                    if let (ast::DimExpr::Named(size), Some(Dim::Known(n))) =
                        (dim, value.ty.dims.get(axis))
                    {
                        if let Some((m, other, other_span)) = sizes.get(&size.name) {
                            if m != n {
                                self.report(
                                    Diagnostic::type_error(
                                        arg_span,
                                        format!(
                                            "size `{}` is {m} for `{other}` but {n} for `{pname}`",
                                            size.name
                                        ),
                                    )
                                    .with_note(
                                        *other_span,
                                        format!("`{other}` has {} = {m}", size.name),
                                    )
                                    .with_note(
                                        param.span,
                                        "sizes with the same name must be equal",
                                    ),
                                );
                                failed = true;
                            }
                        } else {
                            sizes.insert(size.name.clone(), (*n, pname.clone(), arg_span));
                            known_sizes.insert(size.name.clone(), *n);
                        }
                    }
                }
            }
            let target = expected.dtype;
            let converted = self.convert_safe(value, target, |ty| {
                format!(
                    "argument `{pname}` of `{fname}` must be {}, found {ty}",
                    display_annotation(annotation)
                )
            });
            match converted {
                Some(mut converted) => {
                    converted.ty.weak = false;
                    let mapped = converted.ty.rank() != expected.rank();
                    param_types.push(if mapped {
                        Type::scalar(target)
                    } else {
                        expected.clone()
                    });
                    call_args.push(converted);
                    elementwise_args.push(mapped);
                }
                None => failed = true,
            }
        }
        if failed {
            return Checked::Error;
        }
        if self.frames.len() > MAX_CALL_NESTING {
            self.report(
                Diagnostic::type_error(
                    span,
                    format!("function calls nest more than {MAX_CALL_NESTING} levels deep"),
                )
                .with_hint("nx checks each call chain to its end; flatten the chain of calls"),
            );
            return Checked::Error;
        }
        // Constant integer and bool arguments stay known inside the instance (`axis=p`).
        let known: Vec<Option<Scalar>> = call_args
            .iter()
            .zip(&elementwise_args)
            .map(|(arg, &mapped)| {
                let constant = !mapped && (arg.ty.dtype.is_int() || arg.ty.dtype == DType::Bool);
                if constant {
                    self.known_value(arg)
                } else {
                    None
                }
            })
            .collect();
        let errors_before = self.error_count();
        let instance = self.instance_for(def_id, param_types, known);
        if self.ck.defs[def_id.0 as usize].prelude && !self.in_prelude() {
            self.anchor_errors_at_call(errors_before, span, &def.name.name);
        }
        let Some((inst, ok, deps)) = instance else {
            return Checked::Error;
        };
        if self.in_function() {
            let frame = self.frame();
            for dep in deps {
                frame.add_dep(dep);
            }
        }
        if !ok {
            return Checked::Error;
        }
        let result = self.ck.instances[inst.0 as usize].result.clone();
        let Some(mut result) = result else {
            if want == Want::Value {
                self.report(
                    Diagnostic::type_error(
                        span,
                        format!(
                            "`{}` returns nothing; its result cannot be used",
                            def.name.name
                        ),
                    )
                    .with_note(
                        def.name.span,
                        "its body ends in a statement, not an expression",
                    ),
                );
                return Checked::Error;
            }
            if is_elementwise {
                let unsupported = mk(
                    ExprKind::Unsupported("elementwise function call".to_string()),
                    Type::scalar(nx_runtime::DType::Bool),
                    span,
                );
                return Checked::void(Stmt {
                    kind: StmtKind::Expr {
                        value: unsupported,
                        show: false,
                    },
                    span,
                });
            }
            return Checked::void(Stmt {
                kind: StmtKind::Call {
                    func: inst,
                    args: call_args,
                },
                span,
            });
        };
        // Refine named sizes of the result from the arguments.
        if let Some(ret) = &def.ret
            && let Some(dims) = &ret.dims
        {
            for (axis, dim) in dims.iter().enumerate() {
                if let ast::DimExpr::Named(size) = dim
                    && let Some(n) = known_sizes.get(&size.name)
                    && axis < result.dims.len()
                {
                    result.dims[axis] = Dim::Known(*n);
                }
            }
        }
        if is_elementwise {
            if result.rank() != 0 {
                self.report(
                    Diagnostic::type_error(span, format!("`{}` is applied elementwise but returns {}", def.name.name, result))
                        .with_hint("a function called elementwise (rank-0 parameters given arrays) must return a rank-0 value"),
                );
                return Checked::Error;
            }
            let dims = elementwise_dims.unwrap_or_default();
            let ty = Type::array(result.dtype, dims);
            return Checked::Value(mk(
                ExprKind::ElementwiseCall {
                    func: inst,
                    args: call_args,
                    elementwise: elementwise_args,
                },
                ty,
                span,
            ));
        }
        result.weak = false;
        Checked::Value(mk(
            ExprKind::Call {
                func: inst,
                args: call_args,
            },
            result,
            span,
        ))
    }

    /// Binds call arguments to parameters (position, keyword, default), checking each value.
    fn bind_user_args(
        &mut self,
        def: &ast::FnDef,
        func: &ast::Ident,
        receiver: Option<&ast::Expr>,
        args: &[ast::Arg],
        span: Span,
    ) -> Option<Vec<BoundArg>> {
        let n = def.params.len();
        let mut slots: Vec<Option<&ast::Expr>> = vec![None; n];
        let mut ok = true;
        let positional = positional_args(receiver, args);
        if positional.len() > n {
            self.report(
                Diagnostic::type_error(
                    span,
                    format!(
                        "`{}` takes {n} argument{} but {} were given",
                        func.name,
                        plural(n),
                        positional.len()
                    ),
                )
                .with_note(def.name.span, "function defined here"),
            );
            ok = false;
        }
        for (i, value) in positional.iter().enumerate().take(n) {
            slots[i] = Some(value);
        }
        let params: Vec<&str> = def.params.iter().map(|p| p.name.name.as_str()).collect();
        ok &= self.bind_keywords(args, &params, &mut slots, |keyword| {
            format!("`{}` has no parameter `{keyword}`", func.name)
        });
        let mut bound = Vec::with_capacity(n);
        for (param, slot) in def.params.iter().zip(&slots) {
            match (slot, &param.default) {
                (Some(value), _) => {
                    let checked = self.expr(value);
                    bound.push(BoundArg {
                        value: checked,
                        span: value.span,
                    });
                }
                (None, Some(default)) => {
                    // Defaults are evaluated in the global scope, at the call.
                    let saved = std::mem::take(&mut self.frame().scopes);
                    let checked = self.expr(default);
                    self.frame().scopes = saved;
                    let value = checked.map(|mut v| {
                        v.span = span;
                        v
                    });
                    bound.push(BoundArg { value, span });
                }
                (None, None) if ok => {
                    self.report(
                        Diagnostic::type_error(
                            span,
                            format!(
                                "missing argument `{}` in the call of `{}`",
                                param.name.name, func.name
                            ),
                        )
                        .with_note(param.span, "parameter declared here"),
                    );
                    ok = false;
                }
                (None, None) => {}
            }
        }
        if ok { Some(bound) } else { None }
    }

    /// The cached instance for these parameter types and known constants (when its global
    /// lookups still resolve the same way), or a new one. Returns the id, whether it checked,
    /// and its dependencies.
    fn instance_for(
        &mut self,
        def_id: DefId,
        param_types: Vec<Type>,
        known: Vec<Option<Scalar>>,
    ) -> Option<(FnInstId, bool, Vec<super::context::Dep>)> {
        let key = (def_id, param_types.clone());
        if let Some(candidates) = self.ck.instance_cache.get(&key) {
            for candidate in candidates {
                if candidate.known == known && self.deps_hold(&candidate.deps) {
                    return Some((candidate.id, candidate.ok, candidate.deps.clone()));
                }
            }
        }
        let (id, ok, deps) = self.instantiate(def_id, param_types, &known);
        self.ck
            .instance_cache
            .entry(key)
            .or_default()
            .push(CachedInstance {
                id,
                deps: deps.clone(),
                known,
                ok,
            });
        Some((id, ok, deps))
    }

    /// Checks a function body for one combination of parameter types and known constants.
    fn instantiate(
        &mut self,
        def_id: DefId,
        param_types: Vec<Type>,
        known: &[Option<Scalar>],
    ) -> (FnInstId, bool, Vec<super::context::Dep>) {
        let def = self.ck.defs[def_id.0 as usize].def.clone();
        let id = FnInstId(self.ck.instances.len() as u32);
        let empty_block = Block {
            stmts: Vec::new(),
            value: None,
            span: def.body.span,
        };
        self.ck.instances.push(FnInstance {
            name: def.name.name.clone(),
            params: param_types.clone(),
            size_bindings: Vec::new(),
            fixed_sizes: Vec::new(),
            result: None,
            body: empty_block,
            n_locals: 0,
            span: def.name.span,
        });
        let errors_before = self.error_count();
        let mut frame = Frame::top_level();
        frame.def = Some(def_id);
        frame.scopes.push(HashMap::new());
        self.frames.push(frame);
        let assigned = assigned_names(&def.body);
        for ((param, ty), value) in def.params.iter().zip(&param_types).zip(known) {
            let var = self.declare(&param.name.name, Some(ty.clone()), param.name.span);
            if let (Some(value), super::hir::VarRef::Local(slot)) = (value, var)
                && !assigned.contains(param.name.name.as_str())
            {
                self.frame().known.insert(slot, *value);
            }
        }
        // Named sizes: weak i64 locals bound from the arguments' lengths.
        let mut size_bindings: Vec<SizeBinding> = Vec::new();
        let mut fixed_sizes = Vec::new();
        for (index, param) in def.params.iter().enumerate() {
            let Some(dims) = param.annotation.as_ref().and_then(|a| a.dims.as_ref()) else {
                continue;
            };
            if param_types
                .get(index)
                .is_none_or(|t| t.rank() != dims.len())
            {
                continue; // applied elementwise: no axes
            }
            for (axis, dim) in dims.iter().enumerate() {
                match dim {
                    ast::DimExpr::Named(size) => {
                        if let Some(binding) =
                            size_bindings.iter_mut().find(|b| b.name == size.name)
                        {
                            binding.uses.push((index, axis));
                        } else {
                            let var = self.declare(
                                &size.name,
                                Some(Type::weak_scalar(nx_runtime::DType::I64)),
                                size.span,
                            );
                            let slot = match var {
                                super::hir::VarRef::Local(slot)
                                | super::hir::VarRef::Global(slot) => slot,
                            };
                            size_bindings.push(SizeBinding {
                                name: size.name.clone(),
                                slot,
                                uses: vec![(index, axis)],
                            });
                        }
                    }
                    ast::DimExpr::Known(n) => fixed_sizes.push((index, axis, *n)),
                    ast::DimExpr::Any(_) => {}
                }
            }
        }
        let declared = def.ret.as_ref().map(|ret| self.annotation_type(ret));
        self.frame().returns.declared = declared.clone();
        let (mut body, value_state) = match &def.body.kind {
            ast::ExprKind::Block(block) => self.block(block, Want::Optional, true),
            _ => match self.expr_or_void(&def.body, Want::Optional) {
                Checked::Value(v) => (
                    Block {
                        stmts: Vec::new(),
                        value: Some(Box::new(v)),
                        span: def.body.span,
                    },
                    BlockValue::Value,
                ),
                Checked::Void(s) => (
                    Block {
                        stmts: vec![*s],
                        value: None,
                        span: def.body.span,
                    },
                    BlockValue::Void,
                ),
                Checked::Error => (
                    Block {
                        stmts: Vec::new(),
                        value: None,
                        span: def.body.span,
                    },
                    BlockValue::Error,
                ),
            },
        };
        let returns = std::mem::take(&mut self.frame().returns);
        let result = if value_state == BlockValue::Error || returns.errored {
            None
        } else {
            self.result_type(&def, &mut body, value_state, &returns, declared)
        };
        let frame = self.frames.pop();
        let (n_locals, deps) = frame.map(|f| (f.n_locals, f.deps)).unwrap_or_default();
        let ok = self.error_count() == errors_before;
        let instance = &mut self.ck.instances[id.0 as usize];
        instance.size_bindings = size_bindings;
        instance.fixed_sizes = fixed_sizes;
        instance.result = result.map(|mut t| {
            t.weak = false;
            t
        });
        instance.body = body;
        instance.n_locals = n_locals;
        (id, ok, deps)
    }

    /// The result type of an instance from its body's value and its `return`s, converting
    /// them all to it.
    fn result_type(
        &mut self,
        def: &ast::FnDef,
        body: &mut Block,
        value_state: BlockValue,
        returns: &super::context::Returns,
        declared: Option<Type>,
    ) -> Option<Type> {
        let fname = &def.name.name;
        let has_value = value_state == BlockValue::Value;
        let value_returns: Vec<&(Option<Type>, Span)> =
            returns.found.iter().filter(|(t, _)| t.is_some()).collect();
        let bare_returns: Vec<&(Option<Type>, Span)> =
            returns.found.iter().filter(|(t, _)| t.is_none()).collect();
        let diverges = body_diverges(&def.body);
        if let Some(declared) = declared {
            if let Some((_, span)) = bare_returns.first() {
                self.report(Diagnostic::type_error(
                    *span,
                    format!("`return` without a value in `{fname}`, which returns {declared}"),
                ));
                return None;
            }
            if has_value {
                let value = body.value.take()?;
                let converted = self.convert_result(*value, &declared, fname)?;
                body.value = Some(Box::new(converted));
            } else if !diverges {
                self.report(
                    Diagnostic::type_error(
                        def.body.span,
                        format!(
                            "`{fname}` must return {declared}, but its body ends without a value"
                        ),
                    )
                    .with_hint("end the body with an expression"),
                );
                return None;
            }
            return Some(declared);
        }
        if !has_value && value_returns.is_empty() {
            return None;
        }
        if !has_value && !diverges {
            let span = value_returns
                .first()
                .map(|(_, s)| *s)
                .unwrap_or(def.body.span);
            self.report(
                Diagnostic::type_error(
                    def.body.span,
                    format!(
                        "`{fname}` returns a value with `return` but its body ends without one"
                    ),
                )
                .with_note(span, "value returned here")
                .with_hint("end the body with an expression"),
            );
            return None;
        }
        if let Some((_, span)) = bare_returns.first() {
            self.report(Diagnostic::type_error(
                *span,
                format!("`return` without a value in `{fname}`, which returns a value elsewhere"),
            ));
            return None;
        }
        // Join all results as branches of an `if`.
        let mut types: Vec<(Type, Span)> = value_returns
            .iter()
            .filter_map(|(t, s)| t.clone().map(|t| (t, *s)))
            .collect();
        if let Some(value) = &body.value {
            types.push((value.ty.clone(), value.span));
        }
        let (first, first_span) = types.first().cloned()?;
        let mut joined = first.clone();
        for (ty, span) in &types[1..] {
            if ty.rank() != joined.rank() {
                self.report(
                    Diagnostic::type_error(
                        *span,
                        format!("`{fname}` returns values of different ranks: {ty} and {first}"),
                    )
                    .with_note(first_span, format!("this is {first}")),
                );
                return None;
            }
            let (dtype, weak) = promote(&joined, ty);
            joined = Type {
                dtype,
                dims: join_dims(&joined.dims, &ty.dims),
                weak,
            };
        }
        let dtype = joined.dtype;
        if let Some(value) = body.value.take() {
            body.value = Some(Box::new(self.coerce(*value, dtype)?));
        }
        if !value_returns.is_empty() {
            let mut failed = false;
            for_each_return(body, &mut |value: &mut Expr| {
                let taken = std::mem::replace(value, placeholder());
                match self.coerce(taken, dtype) {
                    Some(converted) => *value = converted,
                    None => failed = true,
                }
            });
            if failed {
                return None;
            }
        }
        Some(Type {
            weak: false,
            ..joined
        })
    }

    /// A returned value against a declared result: exactly its type, except that a weak value
    /// adapts (§7).
    pub(crate) fn convert_result(
        &mut self,
        value: Expr,
        declared: &Type,
        fname: &str,
    ) -> Option<Expr> {
        let same_shape =
            value.ty.rank() == declared.rank() && dims_agree(&value.ty.dims, &declared.dims);
        let dtype_ok = value.ty.dtype == declared.dtype
            || (value.ty.weak && weak_converts(value.ty.dtype, declared.dtype));
        if !same_shape || !dtype_ok {
            let mut diagnostic = Diagnostic::type_error(
                value.span,
                format!("`{fname}` must return {declared}, found {}", value.ty),
            );
            if same_shape {
                diagnostic = diagnostic
                    .with_hint(format!("convert explicitly with `as {}`", declared.dtype));
            }
            self.report(diagnostic);
            return None;
        }
        let mut converted = self.coerce(value, declared.dtype)?;
        converted.ty.weak = false;
        Some(converted)
    }

    /// `return` / `return value`.
    pub(crate) fn return_stmt(&mut self, value: Option<&ast::Expr>, span: Span) -> Option<Stmt> {
        if !self.in_function() {
            if let Some(value) = value {
                let _ = self.expr(value);
            }
            self.error(span, "`return` outside of a function");
            return None;
        }
        let Some(value) = value else {
            self.frame().returns.found.push((None, span));
            return Some(Stmt {
                kind: StmtKind::Return(None),
                span,
            });
        };
        let Some(checked) = self.expr(value) else {
            self.frame().returns.errored = true;
            return None;
        };
        let declared = self.frame_ref().returns.declared.clone();
        let checked = match declared {
            Some(declared) => {
                let name = self
                    .frame_ref()
                    .def
                    .map(|d| self.ck.defs[d.0 as usize].def.name.name.clone())
                    .unwrap_or_default();
                match self.convert_result(checked, &declared, &name) {
                    Some(c) => c,
                    None => {
                        self.frame().returns.errored = true;
                        return None;
                    }
                }
            }
            None => checked,
        };
        let ty = checked.ty.clone();
        self.frame().returns.found.push((Some(ty), span));
        Some(Stmt {
            kind: StmtKind::Return(Some(checked)),
            span,
        })
    }

    /// Functions of this module that are fully annotated and were never called are checked
    /// once at the end of the module, so their errors are not missed.
    pub(crate) fn check_uncalled(&mut self, ids: &[DefId]) {
        for id in ids {
            let called = self.ck.instance_cache.keys().any(|(def, _)| def == id);
            if called {
                continue;
            }
            let def = self.ck.defs[id.0 as usize].def.clone();
            if def.params.iter().any(|p| p.annotation.is_none()) {
                continue;
            }
            let types: Vec<Type> = def
                .params
                .iter()
                .filter_map(|p| p.annotation.as_ref())
                .map(|a| self.annotation_type(a))
                .collect();
            let unknown = vec![None; types.len()];
            let _ = self.instance_for(*id, types, unknown);
        }
    }

    /// `import "path"`: the imported file's top level runs here, once per program (§7).
    pub(crate) fn import(
        &mut self,
        importer: FileId,
        path: &str,
        path_span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let loaded = (self.loader)(importer, path, path_span);
        let (file, module) = match loaded {
            Ok(found) => found,
            Err(diagnostic) => {
                self.report(diagnostic);
                return;
            }
        };
        if let Some(position) = self.import_stack.iter().position(|(f, _)| *f == file) {
            let mut chain: Vec<String> = vec![path.to_string()];
            chain.extend(
                self.import_stack[position + 1..]
                    .iter()
                    .map(|(_, p)| p.clone()),
            );
            chain.push(path.to_string());
            self.report(
                Diagnostic::type_error(path_span, format!("import cycle: {}", chain.join(" → ")))
                    .with_hint("a file cannot import itself, directly or through other files"),
            );
            return;
        }
        if !self.ck.imported.insert(file) {
            return;
        }
        self.import_stack.push((file, path.to_string()));
        let stmts = self.check_module(&module, file, false);
        self.import_stack.pop();
        out.extend(stmts);
    }
}

/// The names a function body assigns (`name = …`, `name op= …`) anywhere, ignoring shadowing,
/// which can only make the set larger. Walks the tree iteratively.
fn assigned_names(body: &ast::Expr) -> HashSet<&str> {
    enum Node<'a> {
        Expr(&'a ast::Expr),
        Block(&'a ast::Block),
    }
    let mut names = HashSet::new();
    let mut work = vec![Node::Expr(body)];
    while let Some(node) = work.pop() {
        match node {
            Node::Block(block) => {
                for stmt in &block.stmts {
                    match &stmt.kind {
                        ast::StmtKind::Let { value, .. } => work.push(Node::Expr(value)),
                        ast::StmtKind::Assign { target, value, .. } => {
                            if let ast::ExprKind::Name(ident) = &target.kind {
                                names.insert(ident.name.as_str());
                            }
                            work.push(Node::Expr(target));
                            work.push(Node::Expr(value));
                        }
                        ast::StmtKind::Expr(value)
                        | ast::StmtKind::Return(Some(value))
                        | ast::StmtKind::Assert { cond: value, .. } => work.push(Node::Expr(value)),
                        ast::StmtKind::For { iter, body, .. } => {
                            match iter {
                                ast::ForIter::Range { start, end, step } => {
                                    work.push(Node::Expr(start));
                                    work.push(Node::Expr(end));
                                    work.extend(step.iter().map(Node::Expr));
                                }
                                ast::ForIter::Array(array) => work.push(Node::Expr(array)),
                            }
                            work.push(Node::Block(body));
                        }
                        ast::StmtKind::While { cond, body } => {
                            work.push(Node::Expr(cond));
                            work.push(Node::Block(body));
                        }
                        ast::StmtKind::Return(None)
                        | ast::StmtKind::Break
                        | ast::StmtKind::Continue
                        | ast::StmtKind::Fn(_)
                        | ast::StmtKind::Import { .. } => {}
                    }
                }
            }
            Node::Expr(expr) => match &expr.kind {
                ast::ExprKind::Unary { operand: a, .. }
                | ast::ExprKind::Cast { value: a, .. }
                | ast::ExprKind::Property { receiver: a, .. } => work.push(Node::Expr(a)),
                ast::ExprKind::Binary { lhs, rhs, .. } => {
                    work.push(Node::Expr(lhs));
                    work.push(Node::Expr(rhs));
                }
                ast::ExprKind::Call { args, .. } => {
                    work.extend(args.iter().map(|arg| Node::Expr(&arg.value)))
                }
                ast::ExprKind::MethodCall { receiver, args, .. } => {
                    work.push(Node::Expr(receiver));
                    work.extend(args.iter().map(|arg| Node::Expr(&arg.value)));
                }
                ast::ExprKind::Index { base, items } => {
                    work.push(Node::Expr(base));
                    for item in items {
                        match item {
                            ast::IndexItem::Expr(e) => work.push(Node::Expr(e)),
                            ast::IndexItem::Slice {
                                start, stop, step, ..
                            } => {
                                for e in [start, stop, step].into_iter().flatten() {
                                    work.push(Node::Expr(e));
                                }
                            }
                            ast::IndexItem::Ellipsis(_) => {}
                        }
                    }
                }
                ast::ExprKind::List(items) => work.extend(items.iter().map(Node::Expr)),
                ast::ExprKind::If { cond, then, else_ } => {
                    work.push(Node::Expr(cond));
                    work.push(Node::Block(then));
                    work.extend(else_.iter().map(|e| Node::Expr(e)));
                }
                ast::ExprKind::Block(block) => work.push(Node::Block(block)),
                ast::ExprKind::Int { .. }
                | ast::ExprKind::Float { .. }
                | ast::ExprKind::Bool(_)
                | ast::ExprKind::Str(_)
                | ast::ExprKind::DType(_)
                | ast::ExprKind::Name(_)
                | ast::ExprKind::Error => {}
            },
        }
    }
    names
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn display_annotation(annotation: &ast::TypeExpr) -> String {
    let mut text = annotation.dtype.name().to_string();
    if let Some(dims) = &annotation.dims {
        let parts: Vec<String> = dims
            .iter()
            .map(|d| match d {
                ast::DimExpr::Known(n) => n.to_string(),
                ast::DimExpr::Named(ident) => ident.name.clone(),
                ast::DimExpr::Any(_) => "_".to_string(),
            })
            .collect();
        text.push_str(&format!("[{}]", parts.join(", ")));
    }
    text
}

fn placeholder() -> Expr {
    mk(
        ExprKind::Unsupported(String::new()),
        Type::scalar(nx_runtime::DType::Bool),
        Span::default(),
    )
}

/// Whether every path through a function body ends in `return` (its last statement is a
/// `return`, or an `if`/`else` whose branches both end so).
fn body_diverges(body: &ast::Expr) -> bool {
    match &body.kind {
        ast::ExprKind::Block(block) => block_diverges(block),
        _ => false,
    }
}

fn block_diverges(block: &ast::Block) -> bool {
    let mut current = block;
    // Iterate through trailing blocks instead of recursing on nested `else if` chains.
    loop {
        let Some(last) = current.stmts.last() else {
            return false;
        };
        match &last.kind {
            ast::StmtKind::Return(_) => return true,
            ast::StmtKind::Expr(e) => match &e.kind {
                ast::ExprKind::Block(inner) => current = inner,
                ast::ExprKind::If {
                    then,
                    else_: Some(else_),
                    ..
                } => {
                    if !block_diverges(then) {
                        return false;
                    }
                    match &else_.kind {
                        ast::ExprKind::Block(inner) => current = inner,
                        ast::ExprKind::If { .. } => {
                            return block_diverges(&ast::Block {
                                stmts: vec![ast::Stmt {
                                    kind: ast::StmtKind::Expr((**else_).clone()),
                                    span: else_.span,
                                }],
                                span: else_.span,
                            });
                        }
                        _ => return false,
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
    }
}

/// Calls `f` on the value of every `return` in a function body (not in other functions),
/// walking the HIR iteratively.
fn for_each_return(body: &mut Block, f: &mut dyn FnMut(&mut Expr)) {
    enum Node<'a> {
        Block(&'a mut Block),
        Stmt(&'a mut Stmt),
        Expr(&'a mut Expr),
    }
    let mut work = vec![Node::Block(body)];
    while let Some(node) = work.pop() {
        match node {
            Node::Block(block) => {
                if let Some(value) = block.value.as_deref_mut() {
                    work.push(Node::Expr(value));
                }
                for stmt in block.stmts.iter_mut() {
                    work.push(Node::Stmt(stmt));
                }
            }
            Node::Stmt(stmt) => match &mut stmt.kind {
                StmtKind::Return(Some(value)) => f(value),
                StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
                StmtKind::Assign { value, .. } => work.push(Node::Expr(value)),
                StmtKind::AssignIndex { items, value, .. } => {
                    work.push(Node::Expr(value));
                    push_items(items, &mut work, Node::Expr);
                }
                StmtKind::Expr { value, .. } => work.push(Node::Expr(value)),
                StmtKind::ForRange {
                    start,
                    end,
                    step,
                    body,
                    ..
                } => {
                    work.push(Node::Expr(start));
                    work.push(Node::Expr(end));
                    if let Some(step) = step {
                        work.push(Node::Expr(step));
                    }
                    work.push(Node::Block(body));
                }
                StmtKind::ForArray { array, body, .. } => {
                    work.push(Node::Expr(array));
                    work.push(Node::Block(body));
                }
                StmtKind::While { cond, body } => {
                    work.push(Node::Expr(cond));
                    work.push(Node::Block(body));
                }
                StmtKind::If { cond, then, else_ } => {
                    work.push(Node::Expr(cond));
                    work.push(Node::Block(then));
                    if let Some(else_) = else_ {
                        work.push(Node::Block(else_));
                    }
                }
                StmtKind::Assert { cond, .. } => work.push(Node::Expr(cond)),
                StmtKind::Print(args) => work.extend(args.iter_mut().map(Node::Expr)),
                StmtKind::Call { args, .. } => work.extend(args.iter_mut().map(Node::Expr)),
                StmtKind::Block(block) => work.push(Node::Block(block)),
                StmtKind::RowBlocked(group) => work.push(Node::Block(&mut group.body)),
                StmtKind::SiblingReductions(block) => work.push(Node::Block(block)),
            },
            Node::Expr(expr) => match &mut expr.kind {
                ExprKind::Const(_)
                | ExprKind::Var(_)
                | ExprKind::Clock
                | ExprKind::Unsupported(_)
                | ExprKind::Str(_) => {}
                ExprKind::Unary(_, a)
                | ExprKind::Cast(a)
                | ExprKind::AdoptWeak(a)
                | ExprKind::Shape(a)
                | ExprKind::Transpose(a)
                | ExprKind::Len(a)
                | ExprKind::Size(a) => work.push(Node::Expr(a)),
                ExprKind::Binary(_, a, b) | ExprKind::Logical { lhs: a, rhs: b, .. } => {
                    work.push(Node::Expr(a));
                    work.push(Node::Expr(b));
                }
                ExprKind::Math(_, args)
                | ExprKind::List(args)
                | ExprKind::Call { args, .. }
                | ExprKind::ElementwiseCall { args, .. }
                | ExprKind::Library { args, .. } => work.extend(args.iter_mut().map(Node::Expr)),
                ExprKind::Where(a, b, c) => {
                    work.push(Node::Expr(a));
                    work.push(Node::Expr(b));
                    work.push(Node::Expr(c));
                }
                ExprKind::Reduce { arg, ddof, .. } => {
                    work.push(Node::Expr(arg));
                    if let Some(ddof) = ddof {
                        work.push(Node::Expr(ddof));
                    }
                }
                ExprKind::Creation(creation) => match creation {
                    super::hir::Creation::Full { shape, value } => {
                        work.push(Node::Expr(shape));
                        work.push(Node::Expr(value));
                    }
                    super::hir::Creation::Arange { start, stop, step } => {
                        work.push(Node::Expr(start));
                        work.push(Node::Expr(stop));
                        work.push(Node::Expr(step));
                    }
                    super::hir::Creation::Linspace {
                        start, stop, num, ..
                    } => {
                        work.push(Node::Expr(start));
                        work.push(Node::Expr(stop));
                        work.push(Node::Expr(num));
                    }
                    super::hir::Creation::Eye { n } => work.push(Node::Expr(n)),
                },
                ExprKind::Index { base, items } => {
                    work.push(Node::Expr(base));
                    push_items(items, &mut work, Node::Expr);
                }
                ExprKind::If { cond, then, else_ } => {
                    work.push(Node::Expr(cond));
                    work.push(Node::Block(then));
                    work.push(Node::Block(else_));
                }
                ExprKind::Block(block) => work.push(Node::Block(block)),
            },
        }
    }

    fn push_items<'a, N>(
        items: &'a mut [super::hir::IndexItem],
        work: &mut Vec<N>,
        wrap: impl Fn(&'a mut Expr) -> N,
    ) {
        for item in items.iter_mut() {
            match item {
                super::hir::IndexItem::Int(e)
                | super::hir::IndexItem::Mask(e)
                | super::hir::IndexItem::Gather(e) => work.push(wrap(e)),
                super::hir::IndexItem::Slice { start, stop, step } => {
                    for e in [start, stop, step].into_iter().flatten() {
                        work.push(wrap(e));
                    }
                }
                super::hir::IndexItem::NewAxis | super::hir::IndexItem::Ellipsis => {}
            }
        }
    }
}

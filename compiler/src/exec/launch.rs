//! Kernel launches: evaluating a kernel's leaves, checking that their shapes broadcast, turning
//! arrays into `BufView`s and calling the compiled kernel. Every view handed to a kernel is
//! derived here from an `Array` broadcast (and possibly permuted) to exactly the launch domain,
//! which is the invariant `CompiledKernel::run` relies on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::indexing::cannot_broadcast_to;
use super::{ExecResult, Executor, RuntimeError, Value, alloc_error};
use crate::codegen::CompiledKernel;
use crate::diagnostics::Span;
use crate::ir::interp::interpret;
use crate::ir::{BinaryOp, BufView, Effect, Kernel, KernelStatus, ReduceOp};
use crate::lower::{self, KernelBuilder, Leaf};
use crate::types::hir::{Expr, ExprKind, IndexItem, VarRef};
use nx_runtime::{Array, DType, Scalar, broadcast_shapes, format_type};

/// A kernel ready to launch: compiled once, then called per launch (e.g. once per row block)
/// without lowering, printing or looking it up again.
#[derive(Clone, Copy)]
pub(super) enum Prepared {
    Interpreted,
    Compiled(CompiledKernel),
}

/// Scratch arrays the executor keeps for reuse (`Executor::scratch`), and the largest it keeps.
const SCRATCH_ENTRIES: usize = 8;
const SCRATCH_BYTES: usize = 4 << 20;

impl Executor {
    /// Runs the fused elementwise kernel of an array-valued elementwise expression.
    pub(crate) fn launch_elementwise(&mut self, expr: &Expr) -> ExecResult<Value> {
        self.launch_elementwise_reusing(expr, None)
    }

    /// As `launch_elementwise`, for a statement `var = expr`: `var`'s old value dies with
    /// the statement, so once the inputs are evaluated it is taken out of its slot (the
    /// statement stores the result there). The kernel then writes into a dead buffer when
    /// one fits (`dead_buffer`): the old value's, or an input's that nothing else holds,
    /// so `x = x * 2.0 + 1.0` and loops rebinding `x` allocate nothing. If the launch fails,
    /// `var` is left without a value (as a failed definition); the REPL's rollback restores it.
    pub(crate) fn launch_elementwise_reusing(
        &mut self,
        expr: &Expr,
        dying: Option<VarRef>,
    ) -> ExecResult<Value> {
        let (kernel, leaves) = lower::elementwise_kernel("elementwise", expr, self.options.fuse);
        let arrays = self.evaluate_leaves(&leaves, &[])?;
        let domain = domain_shape(expr, &leaves, &arrays)?;
        if domain.contains(&0) {
            self.run_operations_an_empty_domain_skips(expr, &leaves, &arrays)?;
        }
        let old = dying.and_then(|var| self.take(var));
        let old_array = match &old {
            Some(Value::Array(array)) => Some(array),
            _ => None,
        };
        let holders: Vec<&Array> = arrays.iter().chain(old_array).collect();
        let Some(out) = dead_buffer(&holders, expr.ty.dtype, &domain) else {
            drop(old);
            return self
                .run_elementwise(expr, &kernel, &arrays, &domain)
                .map(Value::from_array);
        };
        drop(old);
        // Not `make_mut`: the inputs still hold the buffer, which is what makes it dead.
        let out_view = BufView {
            ptr: out.data_ptr() as *mut u8,
            byte_strides: out.byte_strides(),
        };
        self.run_elementwise_into(expr, &kernel, &arrays, &domain, out_view)?;
        Ok(Value::from_array(out))
    }

    /// Runs an elementwise kernel over `domain` into a fresh array.
    pub(super) fn run_elementwise(
        &mut self,
        expr: &Expr,
        kernel: &Kernel,
        arrays: &[Array],
        domain: &[usize],
    ) -> ExecResult<Array> {
        // The kernel writes every element (or fails, and the array is dropped unread).
        let mut out =
            Array::for_overwrite(expr.ty.dtype, domain).map_err(alloc_error(expr.span))?;
        if domain.contains(&0) {
            return Ok(out);
        }
        let out_ptr = out.make_mut().map_err(alloc_error(expr.span))?;
        let out_view = BufView {
            ptr: out_ptr,
            byte_strides: out.byte_strides(),
        };
        self.run_elementwise_into(expr, kernel, arrays, domain, out_view)?;
        Ok(out)
    }

    /// Runs an elementwise kernel over a non-empty `domain`, writing through `out`, a view of
    /// `domain`'s shape into a uniquely owned buffer that no input overlaps.
    pub(super) fn run_elementwise_into(
        &mut self,
        expr: &Expr,
        kernel: &Kernel,
        arrays: &[Array],
        domain: &[usize],
        out: BufView,
    ) -> ExecResult<()> {
        let mut views: Vec<BufView> = arrays.iter().map(|a| input_view(a, domain, None)).collect();
        views.push(out);
        self.run_kernel(kernel, domain, &views, expr.span)
            .map_err(|err| blame_fallible_operation(expr, err))
    }

    /// `x[items] = value` for an array-valued elementwise `value` and basic `items` (ints,
    /// slices, `newaxis`, `...`): the fused kernel writes straight into `x`'s buffer (a strided
    /// view), with no temporary, unless an input shares memory with `x`: a stencil updating
    /// `x` from shifted views of itself must read old values, so it runs in row blocks with
    /// lagged write-back (`in_place`) or, where that is not safe, through a temporary.
    pub(crate) fn assign_elementwise(
        &mut self,
        var: VarRef,
        items: &[IndexItem],
        value: &Expr,
        span: Span,
    ) -> ExecResult<()> {
        let (kernel, leaves) = lower::elementwise_kernel("assign", value, self.options.fuse);
        let arrays = self.evaluate_leaves(&leaves, &[])?;
        let shape = domain_shape(value, &leaves, &arrays)?;
        if shape.contains(&0) {
            self.run_operations_an_empty_domain_skips(value, &leaves, &arrays)?;
        }
        let current = self.load(var, span)?.to_array();
        let aliased = arrays.iter().any(|array| shares_memory(array, &current));
        if aliased && Executor::may_assign_in_row_blocks(&current, value) {
            drop(current);
            return self.assign_in_row_blocks(var, items, value, &kernel, arrays, &shape, span);
        }
        if aliased || current.dtype() != value.ty.dtype {
            let computed = self.run_elementwise(value, &kernel, &arrays, &shape)?;
            // The inputs (views of `x`) must let go of its buffer, or making `x` unique for
            // the write would copy all of it.
            drop((arrays, current));
            return self.assign_index(var, items, Value::from_array(computed), span);
        }
        drop(current);
        let (target, _) = self.unique_target(var, span)?;
        let region = self.basic_index_view(&target, items, span)?;
        let domain = region.shape().to_vec();
        if broadcast_shapes(&shape, &domain).as_deref() != Some(domain.as_slice()) {
            let dtype = value.ty.dtype;
            return Err(cannot_broadcast_to(
                dtype,
                &shape,
                region.dtype(),
                &domain,
                span,
            ));
        }
        if domain.contains(&0) {
            return Ok(());
        }
        if shape.len() < domain.len() {
            // The kernel has the value's rank, lower than the region's: compute the value,
            // then broadcast it into the region.
            let computed = self.run_elementwise(value, &kernel, &arrays, &shape)?;
            let source = computed
                .broadcast_to(&domain)
                .expect("the value's shape was checked to broadcast to the region");
            return self.copy_into(&region, &source, span);
        }
        let out = BufView {
            ptr: region.data_ptr() as *mut u8,
            byte_strides: region.byte_strides(),
        };
        self.run_elementwise_into(value, &kernel, &arrays, &domain, out)
    }

    /// A fused kernel over an empty domain evaluates nothing, but evaluated on its own (spec
    /// §11: as if each operation made a fresh array) an integer `//`, `%` or `**` over a
    /// non-empty operand could fail. Such operations run over their own shape, so fusion never
    /// hides an error.
    fn run_operations_an_empty_domain_skips(
        &mut self,
        root: &Expr,
        leaves: &[Leaf<'_>],
        arrays: &[Array],
    ) -> ExecResult<()> {
        if !self.options.fuse {
            return Ok(());
        }
        let leaf_arrays: HashMap<LeafKey, &Array> = leaves
            .iter()
            .zip(arrays)
            .filter_map(|(leaf, array)| match leaf {
                Leaf::Expr(expr) => Some((LeafKey::of(expr), array)),
                Leaf::Extra { .. } => None,
            })
            .collect();
        let leaf_shapes = leaf_arrays
            .iter()
            .map(|(&key, array)| (key, array.shape().to_vec()))
            .collect();
        let mut work = vec![root];
        while let Some(expr) = work.pop() {
            if !lower::is_elementwise(expr) {
                continue;
            }
            work.extend(elementwise_children(expr));
            if !is_fallible(expr) {
                continue;
            }
            let shape = tree_shape(expr, &leaf_shapes)?;
            if shape.contains(&0) {
                continue;
            }
            let (kernel, sub_leaves) = lower::elementwise_kernel("fallible", expr, true);
            let sub_arrays: Vec<Array> = sub_leaves
                .iter()
                .map(|leaf| match leaf {
                    Leaf::Expr(leaf_expr) => leaf_arrays[&LeafKey::of(leaf_expr)].clone(),
                    Leaf::Extra { .. } => {
                        unreachable!("subtrees of an elementwise tree have no extra leaves")
                    }
                })
                .collect();
            self.run_elementwise(expr, &kernel, &sub_arrays, &shape)?;
        }
        Ok(())
    }

    /// Runs a reduction kernel over `axes` of the domain of `root` (the reduced argument);
    /// returns the result (kept axes only) and the argument's shape.
    pub(crate) fn launch_reduce(
        &mut self,
        root: &Expr,
        (kernel, leaves): (Kernel, Vec<Leaf<'_>>),
        axes: &[usize],
        extras: &[Array],
        span: Span,
    ) -> ExecResult<(Array, Vec<usize>)> {
        let Some(&Effect::Reduce { op, buf, .. }) = kernel.effects.first() else {
            unreachable!("a reduction kernel has a reduce effect");
        };
        let out_dtype = kernel.bufs[buf].dtype;
        let arrays = self.evaluate_leaves(&leaves, extras)?;
        let arg_shape = domain_shape(root, &leaves, &arrays)?;
        if arg_shape.contains(&0) {
            self.run_operations_an_empty_domain_skips(root, &leaves, &arrays)?;
        }
        // A reduction over no axes has an extra innermost axis of length 1 to reduce.
        let padded = kernel.rank > arg_shape.len();
        let (domain_shape_unpermuted, axes) = if padded {
            let mut shape = arg_shape.clone();
            shape.push(1);
            (shape, vec![arg_shape.len()])
        } else {
            (arg_shape.clone(), axes.to_vec())
        };
        let rank = kernel.rank;
        let kept: Vec<usize> = (0..rank).filter(|axis| !axes.contains(axis)).collect();
        let permutation: Vec<usize> = kept.iter().chain(axes.iter()).copied().collect();
        let kept_shape: Vec<usize> = kept
            .iter()
            .map(|&axis| domain_shape_unpermuted[axis])
            .collect();
        let reduced_len: usize = axes
            .iter()
            .map(|&axis| domain_shape_unpermuted[axis])
            .product();
        if reduced_len == 0 {
            let out = Array::zeros(out_dtype, &kept_shape).map_err(alloc_error(span))?;
            let empty = match op {
                ReduceOp::Sum | ReduceOp::Any => out,
                ReduceOp::Prod | ReduceOp::All => {
                    Array::full(&kept_shape, Scalar::one(out_dtype)).map_err(alloc_error(span))?
                }
                ReduceOp::Min | ReduceOp::Max | ReduceOp::ArgMin | ReduceOp::ArgMax => {
                    return Err(RuntimeError::new(
                        span,
                        format!(
                            "zero-size array to reduction operation {} which has no identity",
                            reduce_name(op)
                        ),
                    ));
                }
            };
            return Ok((empty, arg_shape));
        }
        if kept_shape.iter().product::<usize>() == 0 {
            let out = Array::zeros(out_dtype, &kept_shape).map_err(alloc_error(span))?;
            return Ok((out, arg_shape));
        }
        let domain: Vec<usize> = permutation
            .iter()
            .map(|&axis| domain_shape_unpermuted[axis])
            .collect();
        // The kernel writes every output element.
        let (out, out_ptr) = if kept_shape.is_empty() {
            let out = self.scratch(out_dtype, &[]).map_err(alloc_error(span))?;
            let ptr = out.data_ptr() as *mut u8;
            (out, ptr)
        } else {
            let mut out =
                Array::for_overwrite(out_dtype, &kept_shape).map_err(alloc_error(span))?;
            let ptr = out.make_mut().map_err(alloc_error(span))?;
            (out, ptr)
        };
        let mut views: Vec<BufView> = arrays
            .iter()
            .map(|array| {
                let view = array
                    .broadcast_to(&arg_shape)
                    .expect("leaf shapes were checked to broadcast");
                let view = if padded {
                    view.insert_axis(arg_shape.len())
                } else {
                    view
                };
                input_view(&view, &domain_shape_unpermuted, Some(&permutation))
            })
            .collect();
        let mut out_strides = out.byte_strides();
        out_strides.resize(rank, 0);
        views.push(BufView {
            ptr: out_ptr,
            byte_strides: out_strides,
        });
        self.run_kernel(&kernel, &domain, &views, span)
            .map_err(|err| blame_fallible_operation(root, err))?;
        Ok((out, arg_shape))
    }

    /// A scratch array of `dtype` and `shape` that a kernel overwrites and whose values the
    /// caller reads out before it asks for the same scratch again: a reduction's rank-0
    /// result (read out as a scalar), a stencil's block temporaries. The executor keeps up to
    /// `SCRATCH_ENTRIES` small ones and hands one out again while nothing but the executor holds
    /// it, else makes (and keeps) a fresh one; so loops that reduce to scalars or update a
    /// grid in place allocate nothing per iteration. Writing into it without `make_mut` is
    /// sound because the only other holder is the executor's cache, which nothing reads.
    pub(super) fn scratch(
        &mut self,
        dtype: DType,
        shape: &[usize],
    ) -> Result<Array, nx_runtime::AllocError> {
        let key = (dtype, shape.to_vec());
        if let Some(array) = self.scratch.get(&key)
            && Arc::strong_count(array.buffer()) == 1
        {
            return Ok(array.clone());
        }
        let fresh = Array::for_overwrite(dtype, shape)?;
        let small = fresh.size() * dtype.size() <= SCRATCH_BYTES;
        if small {
            if self.scratch.len() >= SCRATCH_ENTRIES {
                self.scratch.clear();
            }
            self.scratch.insert(key, fresh.clone());
        }
        Ok(fresh)
    }

    /// Writes `source` (already broadcast to `region`'s shape) into `region`, a view of a buffer
    /// this executor owns uniquely (after copy-on-write).
    pub(crate) fn copy_into(
        &mut self,
        region: &Array,
        source: &Array,
        span: Span,
    ) -> ExecResult<()> {
        let dtype = region.dtype();
        if region.size() == 0 {
            return Ok(());
        }
        if region.ndim() == 0 {
            let value = source.scalar_value().cast(dtype);
            // SAFETY: `region` is a rank-0 view of an element inside its buffer, which the
            // caller made unique (copy-on-write), so no other value observes the write.
            unsafe { value.write(region.data_ptr() as *mut u8) };
            return Ok(());
        }
        let mut builder = KernelBuilder::new("copy", region.ndim(), true);
        let loaded = builder.input(Leaf::Extra {
            index: 0,
            dtype: source.dtype(),
            rank: source.ndim(),
        });
        let (kernel, _) = builder.finish_store(loaded, dtype);
        let domain = region.shape().to_vec();
        let views = vec![
            input_view(source, &domain, None),
            BufView {
                ptr: region.data_ptr() as *mut u8,
                byte_strides: region.byte_strides(),
            },
        ];
        self.run_kernel(&kernel, &domain, &views, span)
    }

    pub(super) fn run_kernel(
        &mut self,
        kernel: &Kernel,
        domain: &[usize],
        views: &[BufView],
        span: Span,
    ) -> ExecResult<()> {
        let (prepared, compile) = self.prepare_kernel(kernel, span)?;
        let run_start = Instant::now();
        let status = self.launch_prepared(prepared, kernel, domain, views, span)?;
        let elements = domain.iter().product();
        self.timings
            .record(span, &kernel.name, compile, run_start.elapsed(), elements);
        status_result(status, span)
    }

    /// `kernel` ready to launch any number of times (compiled, or run by the reference
    /// interpreter), and the time that took.
    pub(super) fn prepare_kernel(
        &mut self,
        kernel: &Kernel,
        span: Span,
    ) -> ExecResult<(Prepared, Duration)> {
        if self.options.reference_interpreter {
            return Ok((Prepared::Interpreted, Duration::ZERO));
        }
        let compile_start = Instant::now();
        let compiled = self
            .jit
            .compile(kernel)
            .map_err(|err| RuntimeError::internal(span, err.to_string()))?;
        Ok((Prepared::Compiled(compiled), compile_start.elapsed()))
    }

    /// One launch of a prepared kernel. The views must satisfy the module's invariant (see
    /// the header comment): each lies inside a buffer the caller keeps alive, built from an
    /// array broadcast (and permuted) to exactly `domain`, or an output of `domain`'s shape
    /// (stride 0 on reduced axes) in a fresh or uniquely held buffer that no input overlaps
    /// except element for element.
    pub(super) fn launch_prepared(
        &mut self,
        prepared: Prepared,
        kernel: &Kernel,
        domain: &[usize],
        views: &[BufView],
        span: Span,
    ) -> ExecResult<KernelStatus> {
        match prepared {
            // SAFETY: as for the compiled kernel below; the interpreter addresses exactly the
            // same elements.
            Prepared::Interpreted => Ok(unsafe { interpret(kernel, domain, views) }),
            // SAFETY: the caller's contract above is `CompiledKernel::run_chunk`'s: every
            // element the kernel addresses lies inside a live buffer held by the caller for
            // the duration of the call, and outputs are fresh or uniquely held.
            Prepared::Compiled(compiled) => {
                unsafe { super::parallel::run(self.workers(), compiled, kernel, domain, views) }
                    .map_err(alloc_error(span))
            }
        }
    }

    /// Evaluates a kernel's leaves to arrays (rank-0 arrays for scalars).
    pub(super) fn evaluate_leaves(
        &mut self,
        leaves: &[Leaf<'_>],
        extras: &[Array],
    ) -> ExecResult<Vec<Array>> {
        let mut arrays = Vec::with_capacity(leaves.len());
        for leaf in leaves {
            arrays.push(match leaf {
                Leaf::Expr(expr) => self.eval(expr)?.to_array(),
                Leaf::Extra { index, .. } => extras[*index].clone(),
            });
        }
        Ok(arrays)
    }
}

/// A fused kernel reports only what failed, not where: point the error at the one operation
/// of the fused tree that can fail that way, when there is exactly one (else keep the kernel's
/// span).
pub(super) fn blame_fallible_operation(root: &Expr, err: RuntimeError) -> RuntimeError {
    let wanted: &[BinaryOp] = if err.message == KernelStatus::IntegerDivisionByZero.message() {
        &[BinaryOp::FloorDiv, BinaryOp::Mod]
    } else if err.message == KernelStatus::NegativeIntegerPower.message() {
        &[BinaryOp::Pow]
    } else {
        return err;
    };
    let mut candidates = Vec::new();
    let mut work = vec![root];
    while let Some(expr) = work.pop() {
        if !lower::is_elementwise(expr) {
            continue;
        }
        if let ExprKind::Binary(op, lhs, _) = &expr.kind
            && wanted.contains(op)
            && !lhs.ty.dtype.is_float()
        {
            candidates.push(expr.span);
        }
        work.extend(elementwise_children(expr));
    }
    match candidates.as_slice() {
        [only] => RuntimeError { span: *only, ..err },
        _ => err,
    }
}

/// Integer `//`, `%` and `**`: the elementwise operations that can fail on their data.
pub(super) fn is_fallible(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Binary(BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow, lhs, _) if !lhs.ty.dtype.is_float())
}

/// The operands of an elementwise node.
pub(super) fn elementwise_children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Unary(_, a) | ExprKind::Cast(a) => vec![a],
        ExprKind::Binary(_, a, b) => vec![a, b],
        ExprKind::Logical { lhs, rhs, .. } => vec![lhs, rhs],
        ExprKind::Math(_, args) => args.iter().collect(),
        ExprKind::Where(c, a, b) => vec![c, a, b],
        _ => vec![],
    }
}

pub(super) fn status_result(status: KernelStatus, span: Span) -> ExecResult<()> {
    match status {
        KernelStatus::Ok => Ok(()),
        failure => Err(RuntimeError::new(span, failure.message())),
    }
}

fn reduce_name(op: ReduceOp) -> &'static str {
    match op {
        ReduceOp::Sum => "sum",
        ReduceOp::Prod => "prod",
        ReduceOp::Min => "minimum",
        ReduceOp::Max => "maximum",
        ReduceOp::Any => "any",
        ReduceOp::All => "all",
        ReduceOp::ArgMin => "argmin",
        ReduceOp::ArgMax => "argmax",
    }
}

/// A buffer among `holders` (a launch's inputs and the dying old value of the assigned
/// variable, all dead once the launch is done) that the kernel may overwrite with its output:
/// its array has `dtype` and `shape` and covers its whole owned buffer in C order, every
/// reference to the buffer is one of `holders`, and they all view it identically (so an
/// input element read at a point is the output element written there, which kernels allow).
fn dead_buffer(holders: &[&Array], dtype: DType, shape: &[usize]) -> Option<Array> {
    holders.iter().find_map(|&candidate| {
        let fits = candidate.dtype() == dtype
            && candidate.shape() == shape
            && candidate.covers_whole_owned_buffer();
        if !fits {
            return None;
        }
        let sharing: Vec<&&Array> = holders
            .iter()
            .filter(|holder| Arc::ptr_eq(holder.buffer(), candidate.buffer()))
            .collect();
        let identical = sharing.iter().all(|holder| {
            holder.data_ptr() == candidate.data_ptr()
                && holder.shape() == candidate.shape()
                && holder.byte_strides() == candidate.byte_strides()
        });
        (identical && Arc::strong_count(candidate.buffer()) == sharing.len())
            .then(|| (*candidate).clone())
    })
}

/// Whether two arrays' buffers overlap in memory (whole buffers, so views that do not touch
/// the same elements still count; host buffers are compared by address too).
pub(super) fn shares_memory(a: &Array, b: &Array) -> bool {
    let range = |array: &Array| {
        let start = array.buffer().as_ptr() as usize;
        start..start + array.buffer().len_bytes()
    };
    let (a, b) = (range(a), range(b));
    a.start < b.end && b.start < a.end
}

/// The view of `array` broadcast to `shape` (then permuted), as a kernel input.
pub(super) fn input_view(array: &Array, shape: &[usize], permutation: Option<&[usize]>) -> BufView {
    let broadcast = array
        .broadcast_to(shape)
        .expect("leaf shapes were checked to broadcast to the domain");
    let view = match permutation {
        Some(axes) => broadcast.permuted(axes),
        None => broadcast,
    };
    BufView {
        ptr: view.data_ptr() as *mut u8,
        byte_strides: view.byte_strides(),
    }
}

/// The broadcast shape of a kernel's leaves; on a mismatch, the error names the innermost
/// operation of `root` whose operands do not broadcast (spec §4).
pub(super) fn domain_shape(
    root: &Expr,
    leaves: &[Leaf<'_>],
    arrays: &[Array],
) -> ExecResult<Vec<usize>> {
    let mut shape: Vec<usize> = Vec::new();
    for array in arrays {
        match broadcast_shapes(&shape, array.shape()) {
            Some(joined) => shape = joined,
            None => {
                let mut leaf_shapes = HashMap::new();
                for (leaf, array) in leaves.iter().zip(arrays) {
                    if let Leaf::Expr(expr) = leaf {
                        leaf_shapes.insert(LeafKey::of(expr), array.shape().to_vec());
                    }
                }
                tree_shape(root, &leaf_shapes)?;
                // Extras broadcast by construction, so the tree walk finds the mismatch.
                return Err(RuntimeError::new(
                    root.span,
                    "operands could not be broadcast together",
                ));
            }
        }
    }
    Ok(shape)
}

/// A leaf of a kernel, found again in its tree: a variable by the variable (a kernel reads each
/// variable through one leaf, `KernelBuilder::input`), anything else by its node.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum LeafKey {
    Var(VarRef),
    Node(*const Expr),
}

impl LeafKey {
    fn of(expr: &Expr) -> LeafKey {
        match expr.kind {
            ExprKind::Var(var) => LeafKey::Var(var),
            _ => LeafKey::Node(expr as *const Expr),
        }
    }
}

fn tree_shape(expr: &Expr, leaf_shapes: &HashMap<LeafKey, Vec<usize>>) -> ExecResult<Vec<usize>> {
    if let Some(shape) = leaf_shapes.get(&LeafKey::of(expr)) {
        return Ok(shape.clone());
    }
    let children = elementwise_children(expr);
    let mut shape = Vec::new();
    let mut dtype_of_shape = expr.ty.dtype;
    for child in children {
        let child_shape = tree_shape(child, leaf_shapes)?;
        match broadcast_shapes(&shape, &child_shape) {
            Some(joined) => {
                shape = joined;
                dtype_of_shape = child.ty.dtype;
            }
            None => {
                return Err(RuntimeError::new(
                    expr.span,
                    format!(
                        "cannot broadcast {} with {}",
                        format_type(dtype_of_shape, &shape),
                        format_type(child.ty.dtype, &child_shape)
                    ),
                ));
            }
        }
    }
    Ok(shape)
}

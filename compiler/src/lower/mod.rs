//! Typed program to loop IR: a maximal tree of elementwise HIR operations becomes the body of
//! one kernel; the subexpressions it cannot absorb (variables, indexing, creation, calls,
//! reductions feeding other work) become the kernel's input buffers ("leaves"), which the
//! executor evaluates first. Literal constants are baked into the body; run-time scalars are
//! uniform input buffers, so one compiled kernel serves every value and every shape.

use std::convert::Infallible;

use crate::ir::narrow::narrow;
use crate::ir::{BinaryOp, BufId, BufRole, Effect, Inst, Kernel, ReduceOp, UnaryOp, ValueId};
use crate::types::hir::{Expr, ExprKind, Reduction, Type};
use nx_runtime::{DType, Scalar};

mod function;
mod fuse_statements;
mod inline_calls;
mod plan;
mod reuse_means;
mod row_blocks;
mod sibling_reductions;
pub use function::elementwise_call_kernel;
pub use fuse_statements::fuse_statements;
pub use inline_calls::inline_calls;
pub use plan::program_kernels;
pub use reuse_means::reuse_means;
pub use row_blocks::block_rows;
pub use sibling_reductions::{fuse_sibling_reductions, sibling_reductions};

/// An input of a kernel being built.
#[derive(Clone, Copy, Debug)]
pub enum Leaf<'e> {
    /// A HIR subexpression the executor evaluates before the launch.
    Expr(&'e Expr),
    /// An array the executor already holds (e.g. a mean broadcast back for `var`), with its
    /// dtype and rank.
    Extra {
        index: usize,
        dtype: DType,
        rank: usize,
    },
}

impl Leaf<'_> {
    pub fn dtype(&self) -> DType {
        match self {
            Leaf::Expr(expr) => expr.ty.dtype,
            Leaf::Extra { dtype, .. } => *dtype,
        }
    }

    pub fn rank(&self) -> usize {
        match self {
            Leaf::Expr(expr) => expr.ty.rank(),
            Leaf::Extra { rank, .. } => *rank,
        }
    }
}

/// A kernel under construction together with the leaves its input buffers stand for
/// (`leaves[i]` is input buffer `i`; outputs come after the inputs).
pub struct KernelBuilder<'e> {
    pub kernel: Kernel,
    pub leaves: Vec<Leaf<'e>>,
    /// With fusion off (`--no-fuse`), every elementwise operation is its own kernel: operands
    /// that are themselves elementwise become leaves, computed first.
    pub fuse: bool,
    /// The leaf of every input read so far, in order (repeats included).
    touched: Vec<usize>,
}

/// The variable a leaf reads, if it is a plain variable read.
fn variable(leaf: &Leaf<'_>) -> Option<crate::types::hir::VarRef> {
    match leaf {
        Leaf::Expr(Expr {
            kind: ExprKind::Var(var),
            ..
        }) => Some(*var),
        _ => None,
    }
}

/// True for the HIR nodes that lower into a kernel body rather than becoming a leaf.
pub fn is_elementwise(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Const(_)
        | ExprKind::Unary(..)
        | ExprKind::Cast(_)
        | ExprKind::Math(..)
        | ExprKind::Where(..)
        | ExprKind::Binary(..) => true,
        // Rank-0 `and`/`or` short-circuit, so only the array form is a plain elementwise op.
        ExprKind::Logical { lhs, rhs, .. } => !(lhs.ty.is_scalar() && rhs.ty.is_scalar()),
        _ => false,
    }
}

impl<'e> KernelBuilder<'e> {
    pub fn new(name: impl Into<String>, rank: usize, fuse: bool) -> KernelBuilder<'e> {
        KernelBuilder {
            kernel: Kernel::new(name, rank),
            leaves: Vec::new(),
            fuse,
            touched: Vec::new(),
        }
    }

    /// Lowers an operand of an elementwise node (or a reduction's argument): part of this
    /// kernel when fusing; without fusion an elementwise operand is a leaf with its own kernel.
    pub fn lower_operand(&mut self, expr: &'e Expr) -> ValueId {
        let separate =
            !self.fuse && is_elementwise(expr) && !matches!(expr.kind, ExprKind::Const(_));
        if separate {
            return self.input(Leaf::Expr(expr));
        }
        self.lower_tree(expr)
    }

    /// Adds an input buffer for a leaf; rank-0 leaves are uniform (loaded once). A variable
    /// read again loads the buffer of its first read (its value cannot change within a
    /// kernel), so `x * x + x` streams `x` once.
    pub fn input(&mut self, leaf: Leaf<'e>) -> ValueId {
        let earlier = variable(&leaf).and_then(|var| {
            self.leaves
                .iter()
                .position(|other| variable(other) == Some(var))
        });
        if let Some(index) = earlier {
            self.touched.push(index);
            let buf = BufId::from_u32(index as u32);
            return self.kernel.add_value(Inst::Load(buf), leaf.dtype());
        }
        self.touched.push(self.leaves.len());
        let uniform = leaf.rank() == 0;
        let buf = self.kernel.add_buf(leaf.dtype(), BufRole::Input, uniform);
        debug_assert_eq!(buf.as_u32() as usize, self.leaves.len());
        self.leaves.push(leaf);
        self.kernel.add_value(Inst::Load(buf), leaf.dtype())
    }

    /// Lowers an elementwise tree into body values; every non-elementwise node becomes a leaf.
    pub fn lower_tree(&mut self, expr: &'e Expr) -> ValueId {
        if !is_elementwise(expr) {
            return self.input(Leaf::Expr(expr));
        }
        let lowered = lower_elementwise(self, expr, |builder, operand| {
            Ok::<_, Infallible>(builder.lower_operand(operand))
        });
        match lowered {
            Ok(value) => value,
            Err(never) => match never {},
        }
    }

    /// Finishes an elementwise kernel storing `value` (converted to `dtype`) into one output.
    pub fn finish_store(mut self, value: ValueId, dtype: DType) -> (Kernel, Vec<Leaf<'e>>) {
        let value = self.cast(value, dtype);
        let buf = self.kernel.add_buf(dtype, BufRole::Output, false);
        self.kernel.effects.push(Effect::Store { buf, value });
        self.narrow();
        (self.kernel, self.leaves)
    }

    /// Finishes a reduction kernel over the innermost `reduce_axes` axes; `value` already has
    /// the dtype the op folds (the argument's for ArgMin/ArgMax, else the output's).
    pub fn finish_reduce(
        mut self,
        op: ReduceOp,
        value: ValueId,
        dtype: DType,
        reduce_axes: usize,
    ) -> (Kernel, Vec<Leaf<'e>>) {
        self.add_reduction(op, value, dtype);
        self.finish_reductions(reduce_axes)
    }

    /// Adds an output of `dtype` that `value` is folded into with `op`.
    fn add_reduction(&mut self, op: ReduceOp, value: ValueId, dtype: DType) {
        let buf: BufId = self.kernel.add_buf(dtype, BufRole::Output, false);
        self.kernel.effects.push(Effect::Reduce { op, buf, value });
    }

    /// Finishes a kernel whose reductions are added, over the innermost `reduce_axes` axes.
    fn finish_reductions(mut self, reduce_axes: usize) -> (Kernel, Vec<Leaf<'e>>) {
        self.kernel.reduce_axes = reduce_axes;
        self.narrow();
        (self.kernel, self.leaves)
    }

    /// Integer dtype narrowing (`ir::narrow`), with fusion only: `--no-fuse` runs the kernels
    /// as lowered, so the fused-against-unfused tests compare narrowed code with unnarrowed.
    fn narrow(&mut self) {
        if self.fuse {
            narrow(&mut self.kernel);
        }
    }
}

impl ValueSink for KernelBuilder<'_> {
    fn push(&mut self, inst: Inst, dtype: DType) -> ValueId {
        self.kernel.add_value(inst, dtype)
    }

    fn value_dtype(&self, value: ValueId) -> DType {
        self.kernel.dtype(value)
    }

    fn inst(&self, value: ValueId) -> &Inst {
        &self.kernel.values[value].inst
    }
}

/// Where lowered values go: a kernel body, or a scalar function (`function.rs`), which also
/// records where each value is computed.
pub trait ValueSink {
    fn push(&mut self, inst: Inst, dtype: DType) -> ValueId;

    fn value_dtype(&self, value: ValueId) -> DType;

    fn inst(&self, value: ValueId) -> &Inst;

    fn constant(&mut self, value: Scalar) -> ValueId {
        self.push(Inst::Const(value), value.dtype())
    }

    fn unary(&mut self, op: UnaryOp, arg: ValueId, dtype: DType) -> ValueId {
        self.push(Inst::Unary(op, arg), dtype)
    }

    /// `2.0 * x` becomes `x + x`: the same bits for every float (nan, inf and -0.0 included),
    /// and an add is quicker than a multiply on the dependency chains of loops.
    fn binary(&mut self, op: BinaryOp, lhs: ValueId, rhs: ValueId, dtype: DType) -> ValueId {
        let is_two = |value: ValueId| {
            matches!(
                self.inst(value),
                Inst::Const(Scalar::F64(2.0)) | Inst::Const(Scalar::F32(2.0))
            )
        };
        if op == BinaryOp::Mul && is_two(lhs) {
            return self.push(Inst::Binary(BinaryOp::Add, rhs, rhs), dtype);
        }
        if op == BinaryOp::Mul && is_two(rhs) {
            return self.push(Inst::Binary(BinaryOp::Add, lhs, lhs), dtype);
        }
        self.push(Inst::Binary(op, lhs, rhs), dtype)
    }

    fn cast(&mut self, value: ValueId, to: DType) -> ValueId {
        if self.value_dtype(value) == to {
            return value;
        }
        self.push(Inst::Cast(value), to)
    }

    /// Exact comparison of a signed and an unsigned 64-bit integer (spec §3.1): a negative
    /// signed value is below every unsigned one; otherwise both compare as u64.
    fn mixed_sign_compare(&mut self, op: BinaryOp, lhs: ValueId, rhs: ValueId) -> ValueId {
        let lhs_signed = self.value_dtype(lhs).is_signed();
        let (signed, unsigned) = if lhs_signed { (lhs, rhs) } else { (rhs, lhs) };
        let signed_dtype = self.value_dtype(signed);
        let zero = self.constant(Scalar::zero(signed_dtype));
        let negative = self.binary(BinaryOp::Lt, signed, zero, DType::Bool);
        let as_unsigned = self.cast(signed, DType::U64);
        let unsigned = self.cast(unsigned, DType::U64);
        let (lhs_u, rhs_u) = if lhs_signed {
            (as_unsigned, unsigned)
        } else {
            (unsigned, as_unsigned)
        };
        let unsigned_result = self.binary(op, lhs_u, rhs_u, DType::Bool);
        // When the signed side is negative the answer is fixed by which side it is on.
        let signed_is_smaller_side_true = match op {
            BinaryOp::Lt | BinaryOp::Le => lhs_signed,
            BinaryOp::Gt | BinaryOp::Ge => !lhs_signed,
            BinaryOp::Ne => true,
            _ => false,
        };
        let fixed = self.constant(Scalar::Bool(signed_is_smaller_side_true));
        self.push(Inst::Select(negative, fixed, unsigned_result), DType::Bool)
    }
}

/// Lowers one elementwise node (`is_elementwise`) into `sink`; its operands go through
/// `operand`, which decides how they are lowered (fused, a leaf, a scalar function's value).
pub fn lower_elementwise<'e, S: ValueSink, E>(
    sink: &mut S,
    expr: &'e Expr,
    mut operand: impl FnMut(&mut S, &'e Expr) -> Result<ValueId, E>,
) -> Result<ValueId, E> {
    let dtype = expr.ty.dtype;
    let value = match &expr.kind {
        ExprKind::Const(value) => sink.constant(*value),
        ExprKind::Unary(op, arg) => {
            let arg = operand(sink, arg)?;
            sink.unary(*op, arg, dtype)
        }
        ExprKind::Binary(op, lhs, rhs) => {
            let (lhs_dtype, rhs_dtype) = (lhs.ty.dtype, rhs.ty.dtype);
            let lhs = operand(sink, lhs)?;
            let rhs = operand(sink, rhs)?;
            if op_is_comparison(*op) && lhs_dtype != rhs_dtype {
                sink.mixed_sign_compare(*op, lhs, rhs)
            } else {
                sink.binary(*op, lhs, rhs, dtype)
            }
        }
        ExprKind::Logical { and, lhs, rhs } => {
            let lhs = operand(sink, lhs)?;
            let rhs = operand(sink, rhs)?;
            let op = if *and { BinaryOp::And } else { BinaryOp::Or };
            sink.binary(op, lhs, rhs, DType::Bool)
        }
        ExprKind::Cast(arg) => {
            let arg = operand(sink, arg)?;
            sink.cast(arg, dtype)
        }
        ExprKind::Math(func, args) => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(operand(sink, arg)?);
            }
            sink.push(Inst::Math(*func, values), dtype)
        }
        ExprKind::Where(cond, then, otherwise) => {
            let cond = operand(sink, cond)?;
            let then = operand(sink, then)?;
            let otherwise = operand(sink, otherwise)?;
            sink.push(Inst::Select(cond, then, otherwise), dtype)
        }
        _ => unreachable!("lower_elementwise called on a non-elementwise node"),
    };
    Ok(value)
}

fn op_is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
    )
}

/// The elementwise kernel computing `expr` over its broadcast shape.
pub fn elementwise_kernel<'e>(name: &str, expr: &'e Expr, fuse: bool) -> (Kernel, Vec<Leaf<'e>>) {
    let mut builder = KernelBuilder::new(name, expr.ty.rank(), fuse);
    let value = builder.lower_tree(expr);
    builder.finish_store(value, expr.ty.dtype)
}

/// The accumulation dtype of a reduction (spec §8: integer sums in i64/u64, bools in i64).
pub fn accumulator_dtype(op: ReduceOp, arg: &Type) -> DType {
    match op {
        ReduceOp::Sum | ReduceOp::Prod => match arg.dtype {
            DType::Bool => DType::I64,
            d if d.is_signed() => DType::I64,
            d if d.is_unsigned() => DType::U64,
            d => d,
        },
        ReduceOp::Any | ReduceOp::All => DType::Bool,
        ReduceOp::ArgMin | ReduceOp::ArgMax => DType::I64,
        ReduceOp::Min | ReduceOp::Max => arg.dtype,
    }
}

/// The first (or only) fold of `reduction` over `arg`, lowered into `builder`: the op, the
/// folded value and the output dtype. `sum`-like reductions fold the argument (converted to
/// the accumulation dtype; argmin/argmax compare the argument's own values), `count_nonzero`
/// its nonzero flags, and `mean`/`var`/`std` first sum it in the result dtype.
fn first_fold<'e>(
    builder: &mut KernelBuilder<'e>,
    reduction: Reduction,
    arg: &'e Expr,
    out_dtype: DType,
) -> (ReduceOp, ValueId, DType) {
    let value = builder.lower_operand(arg);
    match reduction {
        Reduction::Plain(op) => {
            let acc = accumulator_dtype(op, &arg.ty);
            let value = if matches!(op, ReduceOp::Any | ReduceOp::All) {
                builder.cast(value, DType::Bool)
            } else {
                value
            };
            // ArgMin/ArgMax compare the argument's own values; the i64 is the output's only.
            let value_dtype = if matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax) {
                arg.ty.dtype
            } else {
                acc
            };
            (op, builder.cast(value, value_dtype), acc)
        }
        Reduction::CountNonzero => {
            let nonzero = builder.cast(value, DType::Bool);
            (ReduceOp::Sum, builder.cast(nonzero, DType::I64), DType::I64)
        }
        Reduction::Mean | Reduction::Var | Reduction::Std => {
            (ReduceOp::Sum, builder.cast(value, out_dtype), out_dtype)
        }
    }
}

/// The kernels of one reduction, in launch order. `sum`-like reductions are one kernel; `mean`
/// is the sum in the result dtype (the executor divides); `var` and `std` are that sum and then
/// the sum of squared deviations, whose input `Leaf::Extra { index: 0 }` is the mean with the
/// reduced axes kept (length 1) so it broadcasts back over them. All kernels of one reduction
/// read the same leaves of `arg`. A reduction over no axes (e.g. of a rank-0 value) folds each
/// element alone: its kernels get one extra innermost axis, of length 1, to reduce.
pub fn reduction_kernels<'e>(
    reduction: Reduction,
    arg: &'e Expr,
    out_dtype: DType,
    reduce_axes: usize,
    fuse: bool,
) -> Vec<(Kernel, Vec<Leaf<'e>>)> {
    let (rank, reduce_axes) = match reduce_axes {
        0 => (arg.ty.rank() + 1, 1),
        n => (arg.ty.rank(), n),
    };
    let name = match reduction {
        Reduction::Plain(_) => "reduce",
        Reduction::CountNonzero => "count_nonzero",
        Reduction::Mean | Reduction::Var | Reduction::Std => "mean",
    };
    let mut builder = KernelBuilder::new(name, rank, fuse);
    let (op, value, dtype) = first_fold(&mut builder, reduction, arg, out_dtype);
    let first = builder.finish_reduce(op, value, dtype, reduce_axes);
    if !matches!(reduction, Reduction::Var | Reduction::Std) {
        return vec![first];
    }
    let mut builder = KernelBuilder::new("variance", rank, fuse);
    let value = builder.lower_operand(arg);
    let value = builder.cast(value, out_dtype);
    let mean = builder.input(Leaf::Extra {
        index: 0,
        dtype: out_dtype,
        rank,
    });
    let deviation = builder.binary(BinaryOp::Sub, value, mean, out_dtype);
    let squared = builder.binary(BinaryOp::Mul, deviation, deviation, out_dtype);
    let deviations = builder.finish_reduce(ReduceOp::Sum, squared, out_dtype, reduce_axes);
    vec![first, deviations]
}

/// Sibling reductions: the first folds (`first_fold`) of several reductions over every axis of
/// arguments of one rank, as one kernel with an output each, so one pass over the domain
/// computes them all. `arg_leaves[i]` are the indices of the leaves `reductions[i]`'s argument
/// reads (a variable several arguments read is one leaf).
pub fn sibling_reduction_kernel<'e>(
    reductions: &[(Reduction, &'e Expr, DType)],
    fuse: bool,
) -> (Kernel, Vec<Leaf<'e>>, Vec<Vec<usize>>) {
    let rank = reductions[0].1.ty.rank();
    let mut builder = KernelBuilder::new("siblings", rank, fuse);
    let mut arg_leaves = Vec::with_capacity(reductions.len());
    let mut folds = Vec::with_capacity(reductions.len());
    for &(reduction, arg, out_dtype) in reductions {
        builder.touched.clear();
        folds.push(first_fold(&mut builder, reduction, arg, out_dtype));
        let mut read: Vec<usize> = builder.touched.clone();
        read.sort_unstable();
        read.dedup();
        arg_leaves.push(read);
    }
    // Outputs after all inputs, in the reductions' order.
    for (op, value, dtype) in folds {
        builder.add_reduction(op, value, dtype);
    }
    let (kernel, leaves) = builder.finish_reductions(rank);
    (kernel, leaves, arg_leaves)
}

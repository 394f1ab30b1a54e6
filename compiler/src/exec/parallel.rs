//! Kernel launches split over the executor's worker threads (`nx_runtime::Workers`, sized by
//! `ExecOptions::threads`), with results that do not depend on the thread count:
//! - a kernel with kept (not reduced) axes runs in chunks of its outermost axis, each chunk
//!   writing its own output elements, every element computed exactly as in one launch;
//! - a reduction of every axis (`sum`, `prod`, `min`, `max`, `any`, `all`; one or several
//!   sibling outputs) whose operands step through the row-major sequence with one stride each
//!   (1-D, or contiguous n-d) runs as that sequence in chunks of whole, aligned power-of-two
//!   groups of the fixed order's blocks, and the chunks' values are combined on the caller's
//!   thread exactly as the fixed order combines those groups (`ir::interp::FixedOrderStack`),
//!   so the bits equal a single launch's.
//!
//! Launches below `PARALLEL_ELEMENTS` stay on the calling thread: a chunk must outweigh the
//! cost of handing it to a worker.

use cranelift_entity::EntityRef;
use rayon::prelude::*;

use crate::codegen::CompiledKernel;
use crate::ir::interp::{FixedOrderStack, combine_status, reduce_identity};
use crate::ir::{BufId, BufView, Effect, Inst, Kernel, KernelStatus, ReduceOp, reduce_block};
use nx_runtime::{AllocError, Array, Scalar, Workers};

/// Domains with fewer points run on the calling thread.
pub(super) const PARALLEL_ELEMENTS: usize = 1 << 16;

/// Chunks per thread, so that uneven work (Mandelbrot's rows) still balances.
const CHUNKS_PER_THREAD: usize = 4;

/// Chunks per thread of a sequence reduction, at least. Chunk lengths are powers of two
/// (times the block), so a handful of chunks could leave one thread a whole chunk more
/// than another (5 chunks on 2 threads: 3 against 2, 1.26 times the even share); with 32 per
/// thread the difference is one chunk in 64.
const REDUCE_CHUNKS_PER_THREAD: usize = 32;

/// Elements per chunk of a sequence reduction, at least: a chunk pays a launch and its own
/// partial results (a few µs), so it should stream a few hundred KiB.
const REDUCE_CHUNK_ELEMENTS: usize = 1 << 15;

/// The views of one launch, shared by the chunks running on workers.
struct SharedViews<'a>(&'a [BufView]);

impl<'a> SharedViews<'a> {
    /// The views (a method, so that closures capture the `Sync` wrapper, not the slice).
    fn get(&self) -> &'a [BufView] {
        self.0
    }
}

// SAFETY: the views are raw pointers into buffers that the launching thread keeps alive until
// every chunk has finished (the workers are joined before `run` returns). Chunks only read
// inputs and write disjoint output elements (different outermost indices, or their own
// scratch outputs), so sharing the pointers across threads races on nothing.
unsafe impl Sync for SharedViews<'_> {}

/// Runs a compiled kernel over `domain`, split over the `workers` when it is large enough.
///
/// # Safety
/// As `CompiledKernel::run`, for `views` over `domain`.
pub(super) unsafe fn run(
    workers: &Workers,
    compiled: CompiledKernel,
    kernel: &Kernel,
    domain: &[usize],
    views: &[BufView],
) -> Result<KernelStatus, AllocError> {
    let elements: usize = domain.iter().product();
    let threads = workers.count().get();
    let kept_rank = kernel.rank - kernel.reduce_axes;
    let split_outer = kept_rank > 0 && domain[0] > 1;
    let sequence = (threads > 1 && elements >= PARALLEL_ELEMENTS)
        .then(|| as_sequence(kernel, domain, views))
        .flatten();
    if threads == 1 || elements < PARALLEL_ELEMENTS || !(split_outer || sequence.is_some()) {
        // SAFETY: the caller's contract.
        return Ok(unsafe { compiled.run(domain, views) });
    }
    // A full reduction runs as one sequence along the last axis (leading sizes 1).
    let (domain, views) = match &sequence {
        Some((domain, views)) => (domain.as_slice(), views.as_slice()),
        None => (domain, views),
    };
    let shared = SharedViews(views);
    workers.run(|threads| {
        let views = &shared;
        if split_outer {
            let ranges = split(domain[0], threads * CHUNKS_PER_THREAD, 1);
            let statuses: Vec<KernelStatus> = ranges
                .par_iter()
                .map(|&(begin, end)| {
                    // SAFETY: the caller's contract holds for the whole domain, so for
                    // each range of its outermost axis; chunks write disjoint outputs.
                    unsafe { compiled.run_chunk(domain, views.get(), begin, end) }
                })
                .collect();
            Ok(statuses.into_iter().fold(KernelStatus::Ok, combine_status))
        } else {
            // SAFETY: the caller's contract.
            unsafe { reduce_in_chunks(threads, compiled, kernel, domain, views.get()) }
        }
    })
}

/// `0..len` cut into at most `pieces` contiguous ranges whose lengths are multiples of
/// `granule` (except the last).
fn split(len: usize, pieces: usize, granule: usize) -> Vec<(usize, usize)> {
    let granules = len.div_ceil(granule);
    let per_piece = granules.div_ceil(pieces.max(1)).max(1) * granule;
    (0..len)
        .step_by(per_piece)
        .map(|begin| (begin, (begin + per_piece).min(len)))
        .collect()
}

/// A kernel that reduces every axis of its domain, each of its outputs (sibling reductions
/// have several) with an order-independent combination or the fixed float order, as one
/// sequence: the domain `[1, …, 1, n]` and views stepping through the row-major sequence of
/// the original domain with one stride, which addresses the same elements in the same order
/// (the fixed order is defined on that sequence). `None` when a view does not step through
/// its elements with one stride (a strided or partly broadcast operand), when the body uses
/// the position (`AxisIndex`), or for argmin/argmax (positions, in one launch).
fn as_sequence(
    kernel: &Kernel,
    domain: &[usize],
    views: &[BufView],
) -> Option<(Vec<usize>, Vec<BufView>)> {
    let rank = kernel.rank;
    let reduces_all = rank > 0 && kernel.reduce_axes == rank;
    let folds_only = kernel.effects.iter().all(|effect| {
        matches!(effect, Effect::Reduce { op, .. }
            if !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax))
    });
    let positional = kernel
        .values
        .values()
        .any(|value| matches!(value.inst, Inst::AxisIndex(_)));
    if !reduces_all || !folds_only || positional {
        return None;
    }
    let last = rank - 1;
    // Point `(i0, …)` is element `Σ ia * Pa` of the sequence (`Pa`: the sizes after axis
    // `a` multiplied), at `Σ ia * stride[a]`: one stride when every axis that moves has
    // `stride[a] == stride[last] * Pa`.
    let one_stride = |view: &BufView| {
        let mut after = 1isize;
        (0..rank).rev().all(|axis| {
            let fits =
                domain[axis] == 1 || view.byte_strides[axis] == view.byte_strides[last] * after;
            after *= domain[axis] as isize;
            fits
        })
    };
    if !views.iter().all(one_stride) {
        return None;
    }
    let mut sequence = vec![1; rank];
    sequence[last] = domain.iter().product();
    let views = views
        .iter()
        .map(|view| {
            let mut byte_strides = vec![0; rank];
            byte_strides[last] = view.byte_strides[last];
            BufView {
                ptr: view.ptr,
                byte_strides,
            }
        })
        .collect();
    Some((sequence, views))
}

/// A reduction of a sequence (`as_sequence`: every axis but the last of length 1) in chunks
/// of `2^k` whole blocks of the fixed order, combined as that order
/// combines such groups: pushed on its cascade in order, the last (possibly partial) chunk's
/// own fold coming last in the final fold, which is where its blocks' stack entries would be.
/// With several outputs, chunks are whole blocks of the largest block size, which (all being
/// powers of two) are whole power-of-two groups of every output's blocks.
///
/// # Safety
/// As `run`.
unsafe fn reduce_in_chunks(
    threads: usize,
    compiled: CompiledKernel,
    kernel: &Kernel,
    domain: &[usize],
    views: &[BufView],
) -> Result<KernelStatus, AllocError> {
    let folds: Vec<(ReduceOp, usize)> = kernel
        .effects
        .iter()
        .map(|effect| match effect {
            Effect::Reduce { op, buf, .. } => (*op, buf.index()),
            Effect::Store { .. } => unreachable!("checked by as_sequence"),
        })
        .collect();
    let block = kernel
        .effects
        .iter()
        .map(|effect| match effect {
            Effect::Reduce { value, .. } => reduce_block(kernel.dtype(*value)),
            Effect::Store { .. } => unreachable!("checked by as_sequence"),
        })
        .max()
        .expect("a reduction kernel has an output");
    let last = domain.len() - 1;
    let blocks = domain[last].div_ceil(block);
    let blocks_per_chunk = blocks
        .div_ceil(threads * REDUCE_CHUNKS_PER_THREAD)
        .max(REDUCE_CHUNK_ELEMENTS.div_ceil(block))
        .next_power_of_two();
    let ranges = split(domain[last], usize::MAX, blocks_per_chunk * block);
    // `partials[chunk][output]`: each chunk's own rank-0 outputs.
    let mut partials = Vec::with_capacity(ranges.len());
    for _ in &ranges {
        let mut outputs = Vec::with_capacity(folds.len());
        for &(_, buf) in &folds {
            outputs.push(Array::zeros(kernel.bufs[BufId::new(buf)].dtype, &[])?);
        }
        partials.push(outputs);
    }
    let chunk_views: Vec<Vec<BufView>> = ranges
        .iter()
        .zip(&partials)
        .map(|(&(begin, _), outputs)| {
            views
                .iter()
                .enumerate()
                .map(|(index, view)| {
                    match folds.iter().position(|&(_, buf)| buf == index) {
                        Some(output) => BufView {
                            ptr: outputs[output].data_ptr() as *mut u8,
                            byte_strides: vec![0; domain.len()],
                        },
                        None => {
                            // Inputs start at the chunk (a uniform input's stride is 0).
                            let offset = view.byte_strides[last] * begin as isize;
                            BufView {
                                ptr: view.ptr.wrapping_offset(offset),
                                byte_strides: view.byte_strides.clone(),
                            }
                        }
                    }
                })
                .collect()
        })
        .collect();
    let shared: Vec<SharedViews> = chunk_views.iter().map(|v| SharedViews(v)).collect();
    let statuses: Vec<KernelStatus> = ranges
        .par_iter()
        .zip(&shared)
        .map(|(&(begin, end), views)| {
            // SAFETY: each chunk's inputs are the caller's views moved to the chunk's first
            // element, valid for its `end - begin` elements; its outputs are its own rank-0
            // partials, which nothing else touches.
            let mut chunk = domain.to_vec();
            chunk[last] = end - begin;
            unsafe { compiled.run(&chunk, views.get()) }
        })
        .collect();
    for (output, &(op, buf)) in folds.iter().enumerate() {
        let values: Vec<Scalar> = partials
            .iter()
            .map(|outputs| outputs[output].scalar_value())
            .collect();
        let total = match op {
            ReduceOp::Sum | ReduceOp::Prod => {
                let mut stack = FixedOrderStack::new(op);
                let (last, whole) = values.split_last().expect("a nonempty domain has a chunk");
                for value in whole {
                    stack.push(*value);
                }
                stack.finish_with(*last)
            }
            _ => {
                let identity = reduce_identity(op, kernel.bufs[BufId::new(buf)].dtype);
                values.iter().fold(identity, |acc, value| {
                    FixedOrderStack::combine(op, acc, *value)
                })
            }
        };
        // SAFETY: the caller guarantees each output view addresses a writable element of its
        // output's dtype (a rank-0 output with stride 0 along the reduced axis).
        unsafe { total.write(views[buf].ptr) };
    }
    Ok(statuses.into_iter().fold(KernelStatus::Ok, combine_status))
}

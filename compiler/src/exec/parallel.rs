//! Kernel launches split over the executor's worker threads (`nx_runtime::Workers`, sized by
//! `ExecOptions::threads`), with results that do not depend on the thread count:
//! - a kernel with kept (not reduced) axes runs in chunks of its outermost axis, each chunk
//!   writing its own output elements, every element computed exactly as in one launch;
//! - a 1-D reduction (`sum`, `prod`, `min`, `max`, `any`, `all`; one or several sibling outputs)
//!   runs in chunks of whole,
//!   aligned power-of-two groups of the fixed order's blocks, and the chunks' values are
//!   combined on the caller's thread exactly as the fixed order combines those groups
//!   (`ir::interp::FixedOrderStack`), so the bits equal a single launch's.
//!
//! Launches below `PARALLEL_ELEMENTS` stay on the calling thread: a chunk must outweigh the
//! cost of handing it to a worker.

use cranelift_entity::EntityRef;
use rayon::prelude::*;

use crate::codegen::CompiledKernel;
use crate::ir::interp::{FixedOrderStack, combine_status, reduce_identity};
use crate::ir::{BufId, BufView, Effect, Kernel, KernelStatus, ReduceOp, reduce_block};
use nx_runtime::{AllocError, Array, Scalar, Workers};

/// Domains with fewer points run on the calling thread.
pub(super) const PARALLEL_ELEMENTS: usize = 1 << 16;

/// Chunks per thread, so that uneven work (Mandelbrot's rows) still balances.
const CHUNKS_PER_THREAD: usize = 4;

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
    let one_dimensional = is_one_dimensional_reduction(kernel);
    if threads == 1 || elements < PARALLEL_ELEMENTS || !(split_outer || one_dimensional) {
        // SAFETY: the caller's contract.
        return Ok(unsafe { compiled.run(domain, views) });
    }
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

/// Whether a kernel reduces its one axis, each of its outputs (sibling reductions have
/// several) with an order-independent combination or the fixed float order; argmin/argmax
/// (positions) stay in one launch.
fn is_one_dimensional_reduction(kernel: &Kernel) -> bool {
    kernel.rank == 1
        && kernel.reduce_axes == 1
        && kernel.effects.iter().all(|effect| {
            matches!(effect, Effect::Reduce { op, .. }
                if !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax))
        })
}

/// A 1-D reduction in chunks of `2^k` whole blocks of the fixed order, combined as that order
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
            Effect::Store { .. } => unreachable!("checked by is_one_dimensional_reduction"),
        })
        .collect();
    let block = kernel
        .effects
        .iter()
        .map(|effect| match effect {
            Effect::Reduce { value, .. } => reduce_block(kernel.dtype(*value)),
            Effect::Store { .. } => unreachable!("checked by is_one_dimensional_reduction"),
        })
        .max()
        .expect("a reduction kernel has an output");
    let blocks = domain[0].div_ceil(block);
    let blocks_per_chunk = blocks
        .div_ceil(threads * CHUNKS_PER_THREAD)
        .next_power_of_two();
    let ranges = split(domain[0], usize::MAX, blocks_per_chunk * block);
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
                            byte_strides: vec![0],
                        },
                        None => {
                            // Inputs start at the chunk (a uniform input's stride is 0).
                            let offset = view.byte_strides[0] * begin as isize;
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
            unsafe { compiled.run(&[end - begin], views.get()) }
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

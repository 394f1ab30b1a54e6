//! Kernel launches split over the executor's worker threads (`nx_runtime::Workers`, sized by
//! `ExecOptions::threads`), with results that do not depend on the thread count:
//! - a kernel with kept (not reduced) axes runs in chunks of its outermost axis, each chunk
//!   writing its own output elements, every element computed exactly as in one launch;
//! - a 1-D reduction (`sum`, `prod`, `min`, `max`, `any`, `all`) runs in chunks of whole,
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
use crate::ir::{BufView, Effect, Kernel, KernelStatus, ReduceOp, reduce_block};
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
    let reduction = one_dimensional_reduction(kernel);
    if threads == 1 || elements < PARALLEL_ELEMENTS || !(split_outer || reduction.is_some()) {
        // SAFETY: the caller's contract.
        return Ok(unsafe { compiled.run(domain, views) });
    }
    let shared = SharedViews(views);
    workers.run(|threads| {
        let views = &shared;
        match reduction {
            _ if split_outer => {
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
            }
            // SAFETY: the caller's contract.
            Some(op) => unsafe {
                reduce_in_chunks(threads, compiled, kernel, op, domain, views.get())
            },
            None => unreachable!("checked above"),
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

/// The op of a kernel that reduces its one axis with an order-independent combination or the
/// fixed float order; argmin/argmax (positions) stay in one launch.
fn one_dimensional_reduction(kernel: &Kernel) -> Option<ReduceOp> {
    if kernel.rank != 1 || kernel.reduce_axes != 1 {
        return None;
    }
    match kernel.effects.as_slice() {
        [Effect::Reduce { op, .. }] if !matches!(op, ReduceOp::ArgMin | ReduceOp::ArgMax) => {
            Some(*op)
        }
        _ => None,
    }
}

/// A 1-D reduction in chunks of `2^k` whole blocks of the fixed order, combined as that order
/// combines such groups: pushed on its cascade in order, the last (possibly partial) chunk's
/// own fold coming last in the final fold, which is where its blocks' stack entries would be.
///
/// # Safety
/// As `run`.
unsafe fn reduce_in_chunks(
    threads: usize,
    compiled: CompiledKernel,
    kernel: &Kernel,
    op: ReduceOp,
    domain: &[usize],
    views: &[BufView],
) -> Result<KernelStatus, AllocError> {
    let [
        Effect::Reduce {
            buf: out_buf,
            value,
            ..
        },
    ] = kernel.effects.as_slice()
    else {
        unreachable!("checked by one_dimensional_reduction");
    };
    let value_dtype = kernel.dtype(*value);
    let out_dtype = kernel.bufs[*out_buf].dtype;
    let block = reduce_block(value_dtype);
    let blocks = domain[0].div_ceil(block);
    let blocks_per_chunk = blocks
        .div_ceil(threads * CHUNKS_PER_THREAD)
        .next_power_of_two();
    let ranges = split(domain[0], usize::MAX, blocks_per_chunk * block);
    let mut partials = Vec::with_capacity(ranges.len());
    for _ in &ranges {
        partials.push(Array::zeros(out_dtype, &[])?);
    }
    let chunk_views: Vec<Vec<BufView>> = ranges
        .iter()
        .zip(&partials)
        .map(|(&(begin, _), partial)| {
            views
                .iter()
                .enumerate()
                .map(|(index, view)| {
                    if index == out_buf.index() {
                        BufView {
                            ptr: partial.data_ptr() as *mut u8,
                            byte_strides: vec![0],
                        }
                    } else {
                        // Inputs start at the chunk (a uniform input's stride is 0).
                        let offset = view.byte_strides[0] * begin as isize;
                        BufView {
                            ptr: view.ptr.wrapping_offset(offset),
                            byte_strides: view.byte_strides.clone(),
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
            // element, valid for its `end - begin` elements; its output is its own rank-0
            // partial, which nothing else touches.
            unsafe { compiled.run(&[end - begin], views.get()) }
        })
        .collect();
    let values: Vec<Scalar> = partials.iter().map(Array::scalar_value).collect();
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
            let identity = reduce_identity(op, out_dtype);
            values.iter().fold(identity, |acc, value| {
                FixedOrderStack::combine(op, acc, *value)
            })
        }
    };
    let out = &views[out_buf.index()];
    // SAFETY: the caller guarantees the output view addresses a writable element of the
    // output dtype (a rank-0 output with stride 0 along the reduced axis).
    unsafe { total.write(out.ptr) };
    Ok(statuses.into_iter().fold(KernelStatus::Ok, combine_status))
}

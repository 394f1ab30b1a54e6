//! `x[items] = value` where inputs of `value` are views of `x` itself, as in a Jacobi sweep
//! `u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])`: one pass
//! over the target in blocks of rows with lagged write-back, instead of computing all of
//! `value` into a temporary the size of the target and copying that in (two reads and two
//! writes of the grid where one of each is enough).
//!
//! The target region's outermost axis is cut into blocks of a few rows, and the blocks into one
//! band per thread. Each band computes its blocks in order (the statement's own fused kernel,
//! compiled once) into its own small temporaries, and copies a block into the target once the
//! next block has been computed, so every read of a block precedes the writes of the block
//! before it; each band's first and last blocks wait until all bands are done, so bands
//! running at once read each other's boundary rows before they change.
//! `reads_miss_rows_written` checks, from the actual addresses and strides, that no read
//! still to come touches rows already written. Each element is computed by the same kernel
//! code as in a whole-domain launch, so the bits are those of the temporary path, which the
//! statement takes when a check fails.

use std::convert::Infallible;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use super::indexing::cannot_broadcast_to;
use super::launch::{
    Prepared, blame_fallible_operation, input_view, is_fallible, shares_memory, status_result,
};
use super::parallel::PARALLEL_ELEMENTS;
use super::{ExecResult, Executor, alloc_error};
use crate::diagnostics::Span;
use crate::ir::interp::combine_status;
use crate::ir::{BufView, Kernel, KernelStatus};
use crate::lower::{self, KernelBuilder, Leaf};
use crate::types::hir::{Expr, IndexItem, VarRef};
use nx_runtime::{Array, DType, broadcast_shapes};
use rayon::prelude::*;

/// Bytes of one block temporary: the two of them, plus the target and input rows a block
/// touches, stay well inside a 2 MiB L2.
const BLOCK_BYTES: usize = 1 << 16;

impl Executor {
    /// Whether `x[items] = value` may take the row-block path, before its items are evaluated:
    /// `target` (the variable's array) is its whole owned buffer in C order, of `value`'s
    /// dtype, and `value` cannot fail part way (a failure after some rows were written would
    /// leave a half-updated target).
    pub(super) fn may_assign_in_row_blocks(target: &Array, value: &Expr) -> bool {
        target.dtype() == value.ty.dtype
            && target.ndim() > 0
            && target.covers_whole_owned_buffer()
            && !any_fallible(value)
    }

    /// `var[items] = value` for basic `items`, when `arrays` (the evaluated leaves of `kernel`,
    /// `value`'s fused kernel, broadcasting to `shape`) include views of `var`'s buffer and
    /// `may_assign_in_row_blocks` held. Evaluates `items` once, whichever path runs.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn assign_in_row_blocks(
        &mut self,
        var: VarRef,
        items: &[IndexItem],
        value: &Expr,
        kernel: &Kernel,
        arrays: Vec<Array>,
        shape: &[usize],
        span: Span,
    ) -> ExecResult<()> {
        let region = {
            let current = self.load(var, span)?.to_array();
            self.basic_index_view(&current, items, span)?
        };
        let domain = region.shape().to_vec();
        if broadcast_shapes(shape, &domain).as_deref() != Some(domain.as_slice()) {
            let dtype = value.ty.dtype;
            return Err(cannot_broadcast_to(
                dtype,
                shape,
                region.dtype(),
                &domain,
                span,
            ));
        }
        if domain.contains(&0) {
            return Ok(());
        }
        // The kernel has the value's rank: a value of lower rank is broadcast by the copy. A
        // rank-0 region has no rows to block.
        if !domain.is_empty()
            && shape.len() == domain.len()
            && self.writable_in_place(var, &region, &arrays, span)?
        {
            let threads = self.options.threads.get();
            let mut rows = block_rows(&domain, region.dtype(), BLOCK_BYTES, 1);
            if reads_miss_rows_written(&region, &arrays, rows, Direction::Before) {
                let n_blocks = domain[0].div_ceil(rows);
                // Bands run at once: each also needs the others' reads to miss its rows.
                let bands = if threads > 1
                    && n_blocks > 1
                    && reads_miss_rows_written(&region, &arrays, rows, Direction::After)
                {
                    threads.min(n_blocks)
                } else {
                    1
                };
                if bands == 1 {
                    // One band: each block's launch is split over the threads instead. More
                    // rows per block keep the condition above (its bound grows with them).
                    rows = block_rows(&domain, region.dtype(), BLOCK_BYTES, threads);
                }
                return self.run_in_row_blocks(value, kernel, &arrays, &region, rows, bands);
            }
        }
        // The temporary path, without evaluating the items again: the whole value into a
        // temporary, then (the inputs gone, so that making `var` unique copies nothing when
        // nothing else holds it) into the region.
        let computed = self.run_elementwise(value, kernel, &arrays, shape)?;
        let (offset, strides) = (region.offset(), region.strides().to_vec());
        drop((arrays, region));
        let (target, _) = self.unique_target(var, span)?;
        // The region was taken from an array covering its whole buffer in C order
        // (`may_assign_in_row_blocks`), and `target` is that array or a C-order copy of it of
        // the same shape: the same offset and strides select the same elements.
        let region = Array::from_parts(
            target.dtype(),
            domain.clone(),
            strides,
            offset,
            Arc::clone(target.buffer()),
        );
        let source = computed
            .broadcast_to(&domain)
            .expect("the value's shape was checked to broadcast to the region");
        self.copy_into(&region, &source, span)
    }

    /// Whether the kernel may write `region` while `arrays` are alive: `var`'s slot holds an
    /// array over the region's buffer, and every other holder of that buffer is one of the
    /// statement's `arrays` (inputs, read only by this statement's launches) or the region
    /// itself, so no other value can observe the writes. An input that overlaps the buffer
    /// without sharing it (external memory) rules the path out.
    fn writable_in_place(
        &mut self,
        var: VarRef,
        region: &Array,
        arrays: &[Array],
        span: Span,
    ) -> ExecResult<bool> {
        let slot = self.load(var, span)?.to_array();
        let buffer = region.buffer();
        if !Arc::ptr_eq(slot.buffer(), buffer) || buffer.is_external() {
            return Ok(false);
        }
        // The slot's own reference, `slot`, and `region`.
        let mut holders = 3;
        for array in arrays {
            if Arc::ptr_eq(array.buffer(), buffer) {
                holders += 1;
            } else if shares_memory(array, region) {
                return Ok(false);
            }
        }
        Ok(Arc::strong_count(buffer) == holders)
    }

    /// Runs `kernel` over `region`'s shape in blocks of `rows` outermost rows, in `bands`
    /// bands of consecutive blocks (one per thread), each band computing its blocks into its
    /// own block temporaries and copying every block but its first and last into `region`
    /// once the next block has been computed; the first and last blocks of every band are
    /// copied after all bands are done.
    fn run_in_row_blocks(
        &mut self,
        value: &Expr,
        kernel: &Kernel,
        arrays: &[Array],
        region: &Array,
        rows: usize,
        bands: usize,
    ) -> ExecResult<()> {
        let span = value.span;
        let dtype = region.dtype();
        let domain = region.shape();
        let n_blocks = domain[0].div_ceil(rows);
        let (prepared, compile) = self.prepare_kernel(kernel, span)?;
        let copy_kernel = row_copy_kernel(domain.len(), dtype);
        let (copy_prepared, _) = self.prepare_kernel(&copy_kernel, span)?;
        // Three block temporaries per band, in one buffer: every element of one is written by
        // the kernel before it is copied.
        let mut temporaries_shape = domain.to_vec();
        temporaries_shape[0] = rows * TEMPORARIES_PER_BAND * bands;
        let temporaries = self
            .scratch(dtype, &temporaries_shape)
            .map_err(alloc_error(span))?;
        // Not `make_mut`: the executor's scratch cache is the only other holder (see
        // `Executor::scratch`).
        let temporaries_ptr = temporaries.data_ptr() as *mut u8;
        let plan = BlockPlan {
            domain,
            rows,
            bands: split_blocks(n_blocks, bands),
            inputs: arrays.iter().map(|a| input_view(a, domain, None)).collect(),
            target: BufView {
                ptr: region.data_ptr() as *mut u8,
                byte_strides: region.byte_strides(),
            },
            temporaries: temporaries_ptr,
            temporary_strides: temporaries.byte_strides(),
        };
        let start = Instant::now();
        let status = match (prepared, copy_prepared) {
            (Prepared::Compiled(compiled), Prepared::Compiled(copy)) if bands > 1 => {
                let plan = &plan;
                let statuses: Vec<KernelStatus> = self.workers().run(|_| {
                    (0..bands)
                        .into_par_iter()
                        .map(|band| {
                            let Ok(status) = plan.compute_band::<Infallible>(
                                band,
                                &mut |launch, domain, views| {
                                    // SAFETY: the views are those of `BlockPlan::compute_band`,
                                    // which keep the launch invariant (see there).
                                    Ok(unsafe {
                                        match launch {
                                            Launch::Value => compiled.run(domain, views),
                                            Launch::Copy => copy.run(domain, views),
                                        }
                                    })
                                },
                            );
                            status
                        })
                        .collect()
                });
                statuses.into_iter().fold(KernelStatus::Ok, combine_status)
            }
            _ => {
                let mut launch = |launch: Launch, domain: &[usize], views: &[BufView]| match launch
                {
                    Launch::Value => self.launch_prepared(prepared, kernel, domain, views, span),
                    Launch::Copy => {
                        self.launch_prepared(copy_prepared, &copy_kernel, domain, views, span)
                    }
                };
                let mut status = KernelStatus::Ok;
                // Bands may run in any order (or at once); last to first, a read the `After`
                // check should have ruled out sees a new value on every run, not only when
                // threads race (the reference interpreter with threads takes this path).
                for band in (0..bands).rev() {
                    status = combine_status(status, plan.compute_band(band, &mut launch)?);
                }
                status
            }
        };
        status_result(status, span).map_err(|err| blame_fallible_operation(value, err))?;
        // Every band's reads are done: its held first and last blocks can go in.
        let mut copy = |domain: &[usize], views: &[BufView]| {
            self.launch_prepared(copy_prepared, &copy_kernel, domain, views, span)
        };
        for band in 0..bands {
            status_result(plan.finish_band(band, &mut copy)?, span)?;
        }
        let elements = domain.iter().product();
        self.timings
            .record(span, &kernel.name, compile, start.elapsed(), elements);
        Ok(())
    }
}

/// Block temporaries per band: its first block (held to the end), then two alternating ones.
const TEMPORARIES_PER_BAND: usize = 3;

/// Which kernel a block launch runs: the statement's value or the copy into the target.
#[derive(Clone, Copy)]
enum Launch {
    Value,
    Copy,
}

/// Runs one block launch over a domain with its views.
type LaunchFn<'a, E> = dyn FnMut(Launch, &[usize], &[BufView]) -> Result<KernelStatus, E> + 'a;

/// Runs one block copy over a domain with its views.
type CopyFn<'a, E> = dyn FnMut(&[usize], &[BufView]) -> Result<KernelStatus, E> + 'a;

/// The addresses of one row-block assignment.
struct BlockPlan<'a> {
    /// The region's shape, the launch domain.
    domain: &'a [usize],
    /// Rows per block (the last block of the domain may have fewer).
    rows: usize,
    /// Each band's range of blocks.
    bands: Vec<Range<usize>>,
    /// The inputs' views of the whole domain (a block moves them to its first row).
    inputs: Vec<BufView>,
    /// The region's view of the whole domain.
    target: BufView,
    /// `TEMPORARIES_PER_BAND` block temporaries per band, C order, one after another.
    temporaries: *mut u8,
    temporary_strides: Vec<isize>,
}

// SAFETY: the plan's pointers address the statement's input arrays, its target region and its
// temporaries, all kept alive by `run_in_row_blocks` until every band is done. Bands run on
// different threads: each reads only inputs (never written during the bands' launches except
// rows no other band reads, per `reads_stay_within`) and writes only its own temporaries and
// its own blocks of the region.
unsafe impl Sync for BlockPlan<'_> {}

impl BlockPlan<'_> {
    /// The first row and the row count of `block`.
    fn block_rows(&self, block: usize) -> (usize, usize) {
        let begin = block * self.rows;
        (begin, self.rows.min(self.domain[0] - begin))
    }

    /// Temporary `slot` of `band`.
    fn temporary(&self, band: usize, slot: usize) -> *mut u8 {
        let index = (band * TEMPORARIES_PER_BAND + slot) * self.rows;
        self.temporaries
            .wrapping_offset(index as isize * self.temporary_strides[0])
    }

    /// The temporary slot that the `position`-th block of a band is computed into.
    fn slot(position: usize) -> usize {
        if position == 0 {
            0
        } else {
            1 + (position - 1) % 2
        }
    }

    /// Copies block `block` from temporary `slot` of `band` into the region.
    fn copy_block<E>(
        &self,
        band: usize,
        slot: usize,
        block: usize,
        copy: &mut CopyFn<'_, E>,
    ) -> Result<KernelStatus, E> {
        let (begin, len) = self.block_rows(block);
        let mut domain = self.domain.to_vec();
        domain[0] = len;
        let views = [
            BufView {
                ptr: self.temporary(band, slot),
                byte_strides: self.temporary_strides.clone(),
            },
            BufView {
                ptr: self
                    .target
                    .ptr
                    .wrapping_offset(self.target.byte_strides[0] * begin as isize),
                byte_strides: self.target.byte_strides.clone(),
            },
        ];
        // INVARIANT for this write into the region's buffer while the input arrays (views of
        // the same buffer) are alive: `writable_in_place` found that every holder of the
        // buffer is the variable's slot, the region or one of the inputs, which only this
        // statement's block launches read, so no other value observes the write; and
        // `reads_stay_within` found that no launch still to come reads the bytes written
        // here, so every element is computed from old values. Rows `begin..begin+len` lie
        // inside the region, hence inside its buffer; the temporary holds `len` rows.
        copy(&domain, &views)
    }

    /// Computes the blocks of `band` in order, each into its temporary slot, and copies each
    /// block but the band's first and last into the region once the next one is computed (so
    /// every read of a block precedes the writes of the block before it).
    fn compute_band<E>(
        &self,
        band: usize,
        launch: &mut LaunchFn<'_, E>,
    ) -> Result<KernelStatus, E> {
        let blocks = self.bands[band].clone();
        let mut views = self.inputs.clone();
        views.push(BufView {
            ptr: self.temporary(band, 0),
            byte_strides: self.temporary_strides.clone(),
        });
        let mut domain = self.domain.to_vec();
        let mut status = KernelStatus::Ok;
        for (position, block) in blocks.clone().enumerate() {
            let (begin, len) = self.block_rows(block);
            domain[0] = len;
            for (view, whole) in views.iter_mut().zip(&self.inputs) {
                // Row `begin < domain[0]` of a view of the domain: inside its buffer.
                view.ptr = whole
                    .ptr
                    .wrapping_offset(whole.byte_strides[0] * begin as isize);
            }
            views.last_mut().expect("the output view").ptr =
                self.temporary(band, Self::slot(position));
            // The whole-domain views restricted to rows `begin..begin+len`, and a temporary of
            // at least `len` rows that no input overlaps: the launch invariant holds.
            status = combine_status(status, launch(Launch::Value, &domain, &views)?);
            if position >= 2 {
                status = combine_status(
                    status,
                    self.copy_block(band, Self::slot(position - 1), block - 1, &mut |d, v| {
                        launch(Launch::Copy, d, v)
                    })?,
                );
            }
        }
        Ok(status)
    }

    /// Copies the first and last blocks of `band` (held by `compute_band`) into the region.
    fn finish_band<E>(&self, band: usize, copy: &mut CopyFn<'_, E>) -> Result<KernelStatus, E> {
        let blocks = self.bands[band].clone();
        let mut status = self.copy_block(band, 0, blocks.start, copy)?;
        if blocks.len() > 1 {
            let last = Self::slot(blocks.len() - 1);
            status = combine_status(status, self.copy_block(band, last, blocks.end - 1, copy)?);
        }
        Ok(status)
    }
}

/// `0..n_blocks` cut into `bands` consecutive ranges of nearly equal length.
fn split_blocks(n_blocks: usize, bands: usize) -> Vec<Range<usize>> {
    (0..bands)
        .map(|band| n_blocks * band / bands..n_blocks * (band + 1) / bands)
        .collect()
}

/// Rows per block: `bytes` worth, but with several threads at least a launch that
/// `parallel::run` splits over them.
fn block_rows(domain: &[usize], dtype: DType, bytes: usize, threads: usize) -> usize {
    let row_points: usize = domain[1..].iter().product::<usize>().max(1);
    let mut rows = (bytes / (row_points * dtype.size())).max(1);
    if threads > 1 {
        rows = rows.max(PARALLEL_ELEMENTS.div_ceil(row_points));
    }
    rows.min(domain[0])
}

/// Where, relative to a read, the written rows lie that `reads_miss_rows_written` checks.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Before,
    After,
}

/// Whether the reads of every input that shares the region's buffer miss every element of
/// the region `rows + 1` or more rows (of the region's outermost axis) away from the read
/// point, `Before` it or `After` it. A single block needs nothing.
///
/// Why that suffices, with B = `rows`: within a band, block k's temporary is copied in after
/// block k+1 is computed, so the writes of rows `r_out <= (k+1)B - 1` precede only the
/// launches of blocks k+2, ..., which read rows `r_in >= (k+2)B`: `r_in - r_out >= B + 1`
/// (`Before`). A band's first and last blocks (B rows each, but for the domain's last) are
/// copied after all bands finish, so a band's reads of another band's rows written during
/// the bands are also `B + 1` or more rows away: `Before` for the bands above, `After` for
/// those below.
///
/// The bound: with the region at `t` with byte strides `(s0, inner...)`, an input at `x`
/// with the same outermost stride `s0 > 0` (any inner strides), and `it`, `ix` the inner byte
/// offsets of a point under each one's inner strides, the write covers
/// `[t + r_out*s0 + it, +size_t)` and the read `[x + r_in*s0 + ix, +size_x)`. For `Before`
/// (`r_in - r_out >= B + 1`) the read starts past the write's end when
///     (x - t) + (B + 1)*s0 + min(ix) - max(it) >= size_t,
/// i.e. `(t - x) + max(it) + size_t - min(ix) <= (B + 1)*s0`; for `After`
/// (`r_out - r_in >= B + 1`) the write starts past the read's end when
/// `(x - t) + max(ix) + size_x - min(it) <= (B + 1)*s0`.
fn reads_miss_rows_written(
    region: &Array,
    arrays: &[Array],
    rows: usize,
    direction: Direction,
) -> bool {
    let domain = region.shape();
    if rows >= domain[0] {
        return true;
    }
    let target_strides = region.byte_strides();
    let s0 = target_strides[0] as i128;
    let (min_target_inner, max_target_inner) =
        inner_offset_range(&domain[1..], &target_strides[1..]);
    let target = region.data_ptr() as i128;
    let bound = (rows as i128 + 1) * s0;
    arrays
        .iter()
        .filter(|array| Arc::ptr_eq(array.buffer(), region.buffer()))
        .all(|array| {
            let view = array
                .broadcast_to(domain)
                .expect("leaf shapes were checked to broadcast to the domain");
            let strides = view.byte_strides();
            let (min_input_inner, max_input_inner) =
                inner_offset_range(&domain[1..], &strides[1..]);
            let input = view.data_ptr() as i128;
            let reach = match direction {
                Direction::Before => {
                    (target - input) + max_target_inner + region.dtype().size() as i128
                        - min_input_inner
                }
                Direction::After => {
                    (input - target) + max_input_inner + view.dtype().size() as i128
                        - min_target_inner
                }
            };
            s0 > 0 && strides[0] as i128 == s0 && reach <= bound
        })
}

/// The lowest and highest byte offset of the points of `shape` (non-empty) under `strides`.
fn inner_offset_range(shape: &[usize], strides: &[isize]) -> (i128, i128) {
    shape
        .iter()
        .zip(strides)
        .fold((0, 0), |(low, high), (&len, &stride)| {
            let reach = (len as i128 - 1) * stride as i128;
            (low + reach.min(0), high + reach.max(0))
        })
}

/// A kernel copying a `rank`-dimensional `dtype` input into an output of the same dtype.
fn row_copy_kernel(rank: usize, dtype: DType) -> Kernel {
    let mut builder = KernelBuilder::new("copy", rank, true);
    let loaded = builder.input(Leaf::Extra {
        index: 0,
        dtype,
        rank,
    });
    builder.finish_store(loaded, dtype).0
}

/// Whether an elementwise tree has an operation that can fail on its data.
fn any_fallible(root: &Expr) -> bool {
    let mut work = vec![root];
    while let Some(expr) = work.pop() {
        if !lower::is_elementwise(expr) {
            continue;
        }
        if is_fallible(expr) {
            return true;
        }
        work.extend(super::launch::elementwise_children(expr));
    }
    false
}

//! Running a row group (`lower::block_rows`) one block of rows at a time: every array input
//! is replaced by the view of the block's rows, the statements run as usual on those views,
//! and each output's block is written into its whole array. A block's intermediate arrays
//! (and the block of each input, read by several kernels) stay in cache, and block-only
//! arrays are rewritten in place block after block.

use std::num::NonZeroUsize;

use super::launch::shares_memory;
use super::{ExecResult, Executor, RuntimeError, Value, alloc_error};
use crate::lower;
use crate::types::hir::{RowGroup, StmtKind, VarRef};
use nx_runtime::{Array, SliceRange};

/// The size of the widest input's block per worker thread: small enough that a block of
/// every array of a group fits a core's L2 cache, large enough that per-launch costs (a few
/// microseconds) stay small against a block's work.
pub(super) const DEFAULT_BLOCK_BYTES: NonZeroUsize = NonZeroUsize::new(512 * 1024).unwrap();

impl Executor {
    pub(super) fn exec_row_group(&mut self, group: &RowGroup) -> ExecResult<()> {
        let Some((inputs, rows, block)) = self.row_blocking(group) else {
            return self.exec_each(&group.body);
        };
        let touched: Vec<VarRef> = group
            .inputs
            .iter()
            .chain(&group.outputs)
            .chain(&group.locals)
            .copied()
            .collect();
        let saved: Vec<Option<Value>> = touched.iter().map(|&var| self.peek(var)).collect();
        match self.exec_blocks(group, &inputs, rows, block) {
            Ok(()) => Ok(()),
            Err(_) => {
                // Whatever failed (a shape mismatch, memory), running the statements whole
                // from the same state fails the same way with the error of spec §10, at the
                // same statement, with whole shapes in its message.
                for (var, value) in touched.into_iter().zip(saved) {
                    match value {
                        Some(value) => self.store(var, value),
                        None => drop(self.take(var)),
                    }
                }
                self.exec_each(&group.body)
            }
        }
    }

    /// The inputs' arrays, their common number of rows and the rows per block; `None` when
    /// blocking does not apply (an input without rows, lengths that differ, a single block).
    fn row_blocking(&self, group: &RowGroup) -> Option<(Vec<Array>, usize, usize)> {
        let mut arrays = Vec::with_capacity(group.inputs.len());
        let mut rows = None;
        let mut row_bytes = 1;
        for &var in &group.inputs {
            let array = self.peek(var)?.to_array();
            let length = *array.shape().first()?;
            if rows.is_some_and(|rows| rows != length) || length == 0 {
                return None;
            }
            rows = Some(length);
            row_bytes = row_bytes.max(array.size() / length * array.dtype().size());
            arrays.push(array);
        }
        let rows = rows?;
        let budget = self.options.row_block_bytes.get() * self.options.threads.get();
        let block = (budget / row_bytes).max(1);
        (block < rows).then_some((arrays, rows, block))
    }

    fn exec_blocks(
        &mut self,
        group: &RowGroup,
        inputs: &[Array],
        rows: usize,
        block: usize,
    ) -> ExecResult<()> {
        let mut wholes: Vec<Option<Array>> = vec![None; group.outputs.len()];
        for start in (0..rows).step_by(block) {
            let range = SliceRange {
                start,
                len: block.min(rows - start),
                step: 1,
            };
            for (&var, input) in group.inputs.iter().zip(inputs) {
                self.store(var, Value::Array(input.slice_axis(0, range)));
            }
            for stmt in &group.body.stmts {
                let StmtKind::Assign { var, value } = &stmt.kind else {
                    unreachable!("a row group holds assignments only");
                };
                let elementwise = lower::is_elementwise(value);
                let Some(output) = group.outputs.iter().position(|out| out == var) else {
                    let value = if elementwise {
                        self.launch_elementwise_reusing(value, Some(*var))?
                    } else {
                        self.eval(value)?
                    };
                    self.store(*var, value);
                    continue;
                };
                let whole = &mut wholes[output];
                if let (true, Some(whole)) = (elementwise, whole.as_ref()) {
                    let region = whole.slice_axis(0, range);
                    if self.launch_elementwise_into_region(value, &region, whole)? {
                        self.store(*var, Value::Array(region));
                        continue;
                    }
                }
                let computed = self.eval(value)?.to_array();
                let whole = match whole {
                    Some(whole) => whole,
                    None => {
                        let mut shape = computed.shape().to_vec();
                        shape[0] = rows;
                        let fresh = Array::for_overwrite(computed.dtype(), &shape)
                            .map_err(alloc_error(stmt.span))?;
                        whole.insert(fresh)
                    }
                };
                let region = whole.slice_axis(0, range);
                if region.shape() != computed.shape() {
                    return Err(RuntimeError::internal(stmt.span, "block shape changed"));
                }
                // SAFETY (of the write `copy_into` does): `whole` was allocated above and only
                // this group holds it, through views of rows other blocks write; nothing
                // outside the group can observe it before the group ends.
                self.copy_into(&region, &computed, stmt.span)?;
                self.store(*var, Value::Array(computed));
            }
        }
        for (&var, input) in group.inputs.iter().zip(inputs) {
            self.store(var, Value::Array(input.clone()));
        }
        for (&var, whole) in group.outputs.iter().zip(wholes) {
            let whole = whole.expect("every output is assigned in every block");
            self.store(var, Value::from_array(whole));
        }
        for &var in &group.locals {
            self.take(var);
        }
        Ok(())
    }

    /// Runs the elementwise kernel of `value` straight into `region` (rows of `whole`, an
    /// array only this group holds). `Ok(false)` when that is not possible: the value's shape
    /// is not the region's, or an input overlaps `whole` other than at the very elements
    /// written (the caller then evaluates and copies).
    fn launch_elementwise_into_region(
        &mut self,
        value: &crate::types::hir::Expr,
        region: &Array,
        whole: &Array,
    ) -> ExecResult<bool> {
        let (kernel, leaves) = lower::elementwise_kernel("elementwise", value, self.options.fuse);
        let arrays = self.evaluate_leaves(&leaves, &[])?;
        let domain = super::launch::domain_shape(value, &leaves, &arrays)?;
        let overlapping = arrays.iter().any(|array| {
            shares_memory(array, whole)
                && (array.data_ptr() != region.data_ptr()
                    || array.shape() != region.shape()
                    || array.byte_strides() != region.byte_strides())
        });
        if domain != region.shape() || overlapping || value.ty.dtype != region.dtype() {
            return Ok(false);
        }
        if domain.contains(&0) {
            // Nothing to write, and nothing in a row-local value can fail.
            return Ok(true);
        }
        let out = crate::ir::BufView {
            ptr: region.data_ptr() as *mut u8,
            byte_strides: region.byte_strides(),
        };
        // `whole` is this group's own array (see `exec_blocks`): writing through the region
        // changes no value anything else holds.
        self.run_elementwise_into(value, &kernel, &arrays, &domain, out)?;
        Ok(true)
    }
}

//! Running sibling reductions (`lower::fuse_sibling_reductions`): one kernel folds every
//! argument into its own rank-0 output in one pass over the common domain.

use super::launch::{domain_shape, input_view};
use super::{ExecResult, Executor, Value, alloc_error, divide_all};
use crate::ir::{BufView, Effect};
use crate::lower::{self, Leaf};
use crate::types::hir::{Block, Reduction, StmtKind};
use nx_runtime::Array;

impl Executor {
    pub(super) fn exec_sibling_reductions(&mut self, block: &Block) -> ExecResult<()> {
        let reductions = lower::sibling_reductions(block);
        let (kernel, leaves, arg_leaves) =
            lower::sibling_reduction_kernel(&reductions, self.options.fuse);
        let arrays = self.evaluate_leaves(&leaves, &[])?;
        // One shape with elements for every argument, or each statement on its own (which
        // reports a mismatch, or an empty `min`, as that statement would).
        let mut shapes = arg_leaves
            .iter()
            .zip(&reductions)
            .map(|(read, (_, arg, _))| {
                let leaves: Vec<Leaf> = read.iter().map(|&index| leaves[index]).collect();
                let arrays: Vec<Array> = read.iter().map(|&index| arrays[index].clone()).collect();
                domain_shape(arg, &leaves, &arrays).ok()
            });
        let Some(Some(shape)) = shapes.next() else {
            return self.exec_each(block);
        };
        if shape.contains(&0) || shapes.any(|other| other.as_ref() != Some(&shape)) {
            return self.exec_each(block);
        }
        let mut views: Vec<BufView> = arrays.iter().map(|a| input_view(a, &shape, None)).collect();
        let mut outputs = Vec::with_capacity(reductions.len());
        for effect in &kernel.effects {
            let Effect::Reduce { buf, .. } = effect else {
                unreachable!("a sibling kernel only reduces");
            };
            let mut output =
                Array::zeros(kernel.bufs[*buf].dtype, &[]).map_err(alloc_error(block.span))?;
            let ptr = output.make_mut().map_err(alloc_error(block.span))?;
            views.push(BufView {
                ptr,
                byte_strides: vec![0; shape.len()],
            });
            outputs.push(output);
        }
        self.run_kernel(&kernel, &shape, &views, block.span)?;
        let count: usize = shape.iter().product();
        for ((stmt, (reduction, _, dtype)), output) in
            block.stmts.iter().zip(&reductions).zip(outputs)
        {
            let StmtKind::Assign { var, .. } = &stmt.kind else {
                unreachable!("sibling reductions are assignments");
            };
            let value = match reduction {
                Reduction::Mean => divide_all(&output, count as f64, *dtype, stmt.span)?,
                _ => output,
            };
            self.store(*var, Value::from_array(value));
        }
        Ok(())
    }

    /// Runs a block's statements one by one (an optimized group's fallback).
    pub(super) fn exec_each(&mut self, block: &Block) -> ExecResult<()> {
        for stmt in &block.stmts {
            self.exec_stmt(stmt)?;
        }
        Ok(())
    }
}

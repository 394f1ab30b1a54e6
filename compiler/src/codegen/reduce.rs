//! Reductions (placeholder while the elementwise path lands).

use super::function::Emitter;

pub(super) struct ReduceState;

impl Emitter<'_> {
    pub(super) fn emit_reduction(&mut self, _axis: usize) {
        panic!("reductions are not compiled yet");
    }
}

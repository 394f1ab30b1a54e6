//! The executor's `rand`, `randn` and `randint` (spec §8): element `i` of the flattened
//! result is drawn by `nx_runtime::random` from Philox4x32-10 keyed by the seed at counter
//! `i`. Without `seed=`, every call takes a fresh seed from the OS.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use nx_runtime::random::{self, key_of_seed};
use nx_runtime::{Array, Element};

use super::{ExecResult, Executor, RuntimeError, Value, checked_elements};
use crate::diagnostics::Span;
use crate::types::hir::{Expr, LibraryOp};

impl Executor {
    pub(super) fn eval_random(
        &mut self,
        expr: &Expr,
        op: &LibraryOp,
        args: &[Expr],
    ) -> ExecResult<Value> {
        let span = expr.span;
        // args: [low, high,] shape [, seed].
        let n_fixed = if matches!(op, LibraryOp::Randint) {
            3
        } else {
            1
        };
        let mut bounds = [0i64; 2];
        for (bound, arg) in bounds.iter_mut().zip(&args[..n_fixed - 1]) {
            *bound = self.eval(arg)?.scalar().as_i128().unwrap_or(0) as i64;
        }
        let shape = self.eval_shape(&args[n_fixed - 1])?;
        let seed = match args.get(n_fixed) {
            Some(seed) => self.eval(seed)?.scalar().as_i128().unwrap_or(0) as i64,
            None => seed_from_os(),
        };
        let key = key_of_seed(seed);
        let array = match op {
            LibraryOp::Rand => fill(&shape, span, |i| random::uniform(key, i))?,
            LibraryOp::Randn => fill(&shape, span, |i| random::normal(key, i))?,
            LibraryOp::Randint => {
                let [low, high] = bounds;
                if high <= low {
                    return Err(RuntimeError::new(
                        span,
                        format!("`randint` needs low < high, found low {low} and high {high}"),
                    ));
                }
                // 1 <= high - low < 2^64.
                let range = (i128::from(high) - i128::from(low)) as u64;
                fill(&shape, span, |i| random::integer(key, i, low, range))?
            }
            _ => unreachable!("{} is not a random built-in", op.name()),
        };
        Ok(Value::from_array(array))
    }
}

/// A C-contiguous array of `shape` whose flat element `i` is `element(i)`.
fn fill<T: Element>(shape: &[usize], span: Span, element: impl Fn(u64) -> T) -> ExecResult<Array> {
    let n_elems = checked_elements(shape, T::DTYPE, span)?;
    let mut data = Vec::new();
    data.try_reserve_exact(n_elems)
        .map_err(|_| RuntimeError::new(span, "memory exhausted: array too large"))?;
    data.extend((0..n_elems as u64).map(element));
    Ok(Array::from_vec(shape, data))
}

/// A seed from the OS: std's `RandomState` keys come from the OS's random source.
fn seed_from_os() -> i64 {
    RandomState::new().hash_one(0x6e78_u64) as i64
}

//! Per-kernel timings for `--time` and the REPL's `:time`: for each expression that launched
//! kernels, how long compiling (cache misses) and running them took.

use std::time::Duration;

use crate::diagnostics::Span;

#[derive(Clone, Debug, Default)]
pub struct KernelTiming {
    /// The expression that launched the kernel.
    pub span: Span,
    /// The kernel's role, e.g. `elementwise` or `reduce`.
    pub name: String,
    pub compile: Duration,
    pub launches: u64,
    pub run: Duration,
    /// Elements of the largest launch domain.
    pub max_elements: usize,
}

/// Timings collected while enabled, one entry per (span, kernel name).
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub enabled: bool,
    pub kernels: Vec<KernelTiming>,
}

impl Timings {
    pub fn record(
        &mut self,
        span: Span,
        name: &str,
        compile: Duration,
        run: Duration,
        elements: usize,
    ) {
        if !self.enabled {
            return;
        }
        let index = match self
            .kernels
            .iter()
            .position(|k| k.span == span && k.name == name)
        {
            Some(index) => index,
            None => {
                self.kernels.push(KernelTiming {
                    span,
                    name: name.to_string(),
                    ..KernelTiming::default()
                });
                self.kernels.len() - 1
            }
        };
        let entry = &mut self.kernels[index];
        entry.compile += compile;
        entry.run += run;
        entry.launches += 1;
        entry.max_elements = entry.max_elements.max(elements);
    }
}

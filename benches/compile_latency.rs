//! Compile latency (issue 3, point 4): the time from source text to compiled kernels, that is
//! parse + type-check + lowering + Cranelift, for a typical fused kernel and for a realistic
//! 200-line script (`benches/compile_latency.nx`). Run with `cargo bench --bench
//! compile_latency` (about a minute); `cargo test` runs each measurement once.
//! `benches/compare.sh` runs it and reports the medians, by these benchmark ids:
//! - `compile/gauss_kernel`: W4's fused kernel, parse + check + compile;
//! - `compile/script_200`: the 200-line script, parse + check + compile of all its kernels;
//! - `compile/script_200_check_only`: the same script, parse + check only.
//!
//! Every iteration gets a fresh session, and so a fresh JIT whose kernel cache is empty: the
//! cache would otherwise turn every compile after the first into a lookup. Creating the
//! session (the JIT module and its math-library imports) is set-up, not measured.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use nx::Session;

/// W4's kernel (`benches/nx/w04_gauss.nx`): one fused elementwise loop with an `exp` call.
const GAUSS_KERNEL: &str = "let y = exp(-0.5 * x * x) * 0.3989422804014327";

const SCRIPT: &str = include_str!("compile_latency.nx");
const SCRIPT_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/compile_latency.nx");

/// A fresh session with `x`, an f64 array, bound as the fused kernel's input.
fn session_with_x() -> Session {
    let mut session = Session::new_captured().expect("a session");
    let x = ndarray::Array1::linspace(-4.0f64, 4.0, 1000).into_dyn();
    session.bind("x", x).expect("x binds");
    session
}

fn fresh_session() -> Session {
    Session::new_captured().expect("a session")
}

fn compile_latency(c: &mut Criterion) {
    let kernels = fresh_session()
        .compile_kernels("compile_latency.nx", SCRIPT)
        .expect("the 200-line script checks and compiles");
    eprintln!(
        "compile_latency.nx: {} lines, {kernels} kernels",
        SCRIPT.lines().count()
    );

    let mut group = c.benchmark_group("compile");
    // Each iteration takes milliseconds: a flat sample of a few iterations each keeps the
    // whole run near a minute on a shared 2-core machine.
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    group.bench_function("gauss_kernel", |b| {
        b.iter_batched(
            session_with_x,
            |mut session| {
                let count = session.compile_kernels("<gauss>", black_box(GAUSS_KERNEL));
                assert_eq!(count.expect("the kernel compiles"), 1);
                session
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("script_200", |b| {
        b.iter_batched(
            fresh_session,
            |mut session| {
                let count = session.compile_kernels("compile_latency.nx", black_box(SCRIPT));
                assert_eq!(count.expect("the script compiles"), kernels);
                session
            },
            BatchSize::PerIteration,
        )
    });
    // The same script without the JIT, so the report can split the latency between the front
    // end and Cranelift.
    group.bench_function("script_200_check_only", |b| {
        b.iter_batched(
            fresh_session,
            |mut session| {
                session
                    .check_file(black_box(Path::new(SCRIPT_PATH)))
                    .expect("the script checks");
                session
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, compile_latency);
criterion_main!(benches);

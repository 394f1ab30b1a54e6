//! Results do not depend on the thread count (spec §11): large launches, which run in chunks
//! on worker threads, give the same bits with 1, 2, 3 and 8 threads, for every reduction, for
//! elementwise and broadcast kernels, and for elementwise functions.

use std::num::NonZeroUsize;

use nx::Session;

/// Programs whose launches are above the parallel threshold, each ending in a value to compare.
const PROGRAMS: &[&str] = &[
    // 1-D reductions in chunks of whole blocks of the fixed order, with a partial last chunk.
    "let x = sin(arange(1000003) * 0.001) * 1e3\nsum(x)",
    "let x = sin(arange(1000003) * 0.001) * 1e3\nsum(x * x)",
    "let x = 1.0 + sin(arange(300001) * 0.01) * 1e-6\nprod(x)",
    "let x = cos(arange(500000) * 0.37)\n[min(x), max(x)]",
    "let x = cos(arange(500000) * 0.37)\n[any(x > 0.9999999), all(x > -0.9999)]",
    "let x = cos(arange(500000) * 0.37)\n[argmin(x), argmax(x)]",
    "let x = (arange(777777) % 1000) * 3\nsum(x)",
    "let x = sin(arange(200000) * 0.1) as f32\nsum(x)",
    "let x = sin(arange(200000) * 0.1)\nmean(x) + var(x)",
    // Sibling reductions: one kernel, three outputs of two block sizes (f64 and f32).
    "let x = sin(arange(1000003) * 0.001) * 1e3\nlet s = sum(x)\nlet q = sum(x * x)\nlet f = sum(x as f32)\n[s, q, f as f64]",
    // Reductions of every axis of an n-d array: one sequence in chunks when each operand
    // steps through it with one stride (contiguous, a length-1 axis of any stride, broadcast
    // scalars), else one launch (strided, transposed, partly broadcast operands).
    "let m = reshape(sin(arange(600000) * 0.01), [600, 1000])\n[sum(m * m), max(m), sum(m[:, newaxis, :] * 2.0)]",
    "let m = reshape(sin(arange(600000) * 0.01), [600, 1000])\nlet s = sum(m)\nlet q = sum(m * m)\n[s, q]",
    "let m = reshape(sin(arange(600000) * 0.01), [600, 1000])\n[sum(m[:, ::2]), sum(m.T * m.T), sum(m + arange(1000) * 1e-3)]",
    // Reductions along an axis, split along the kept axis.
    "let m = reshape(sin(arange(600000) * 0.01), [600, 1000])\nsum(m, axis=1)",
    "let m = reshape(sin(arange(600000) * 0.01), [600, 1000])\nsum(m, axis=0)",
    "let m = reshape(sin(arange(600000) * 0.01), [600, 1000])\nstd(m, axis=1)",
    // Elementwise and broadcast kernels.
    "let a = arange(400000) * 0.5\nexp(-a * 1e-5) + a[::-1] * 2.0",
    "let m = reshape(arange(300000) * 1.0, [300, 1000])\nm - mean(m, axis=1, keepdims=true)",
    // An elementwise function (uneven work per row).
    "fn mandel(re: f64, im: f64) -> i32 {\n    let zr = 0.0; let zi = 0.0; let n = 0i32\n    while n < 60 and zr * zr + zi * zi <= 4.0 {\n        let t = zr * zr - zi * zi + re\n        zi = 2.0 * zr * zi + im\n        zr = t\n        n += 1\n    }\n    n\n}\nmandel(linspace(-2.0, 1.0, 400)[newaxis, :], linspace(-1.5, 1.5, 300)[:, newaxis])",
];

fn bits_with_threads(threads: usize, program: &str) -> Vec<String> {
    let mut session = Session::new_captured().unwrap();
    session.set_threads(NonZeroUsize::new(threads).unwrap());
    bits_of(session, program)
}

/// The bits of `program`'s last line, run in `session`.
fn bits_of(mut session: Session, program: &str) -> Vec<String> {
    let (setup, value) = program.rsplit_once('\n').unwrap();
    session.run(setup).unwrap();
    let value = session.eval(value).unwrap();
    value.to_array().iter().map(|s| format!("{s:?}")).collect()
}

#[test]
fn every_thread_count_gives_the_same_bits() {
    for program in PROGRAMS {
        let single = bits_with_threads(1, program);
        for threads in [2, 3, 8] {
            assert!(
                bits_with_threads(threads, program) == single,
                "{threads} threads differ from 1 on:\n{program}"
            );
        }
    }
}

#[test]
fn a_host_thread_pool_gives_the_same_bits() {
    let pool = std::sync::Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap(),
    );
    for program in PROGRAMS {
        let mut session = Session::new_captured().unwrap();
        session.set_thread_pool(pool.clone());
        assert!(
            bits_of(session, program) == bits_with_threads(1, program),
            "a host pool differs from 1 thread on:\n{program}"
        );
    }
}

//! Buffer reuse, counted with the runtime's allocation statistic. This file is its own test
//! binary with one test, so no other test allocates while it counts.

use nx::Session;
use nx_runtime::buffer::allocation_count;

/// Allocations made by running `source` in `session`.
fn allocations_of(session: &mut Session, source: &str) -> u64 {
    let before = allocation_count();
    session.run(source).unwrap();
    allocation_count() - before
}

/// The loop body of `examples/heat.nx` (the lines inside its `while`), run as is.
fn heat_sweep() -> String {
    let example = std::fs::read_to_string("examples/heat.nx").unwrap();
    let start = example.find("while change > 1e-6 {").unwrap();
    let body_start = start + example[start..].find('\n').unwrap() + 1;
    let body_end = body_start + example[body_start..].find("\n}").unwrap();
    example[body_start..body_end].to_string()
}

#[test]
fn loops_that_rebind_arrays_reach_a_steady_state_without_allocating() {
    // The heat example's sweep: after the first, sweeps allocate nothing.
    let mut session = Session::new_captured().unwrap();
    session.set_rollback(false);
    session
        .run("let n = 33\nlet u = zeros([n, n])\nu[0, :] = 100.0\nlet sweeps = 0\nlet change = inf")
        .unwrap();
    let sweep = heat_sweep();
    // Each run's first sweep binds `next` afresh (a new slot); the others reuse its buffer.
    // The very first run also makes the executor's rank-0 output for `max`.
    allocations_of(&mut session, &format!("for k in 0..1 {{\n{sweep}\n}}"));
    let one = allocations_of(&mut session, &format!("for k in 0..1 {{\n{sweep}\n}}"));
    let many = allocations_of(&mut session, &format!("for k in 0..25 {{\n{sweep}\n}}"));
    assert!(one > 0, "the first sweep allocates `next`");
    assert_eq!(
        many, one,
        "every heat sweep after the first allocates nothing"
    );

    let mut session = Session::new_captured().unwrap();
    // Scripts run without the REPL's restore point, which holds every old value.
    session.set_rollback(false);
    session
        .run("let x = linspace(0.0, 1.0, 100000)\nlet y = x * 3.0\nlet u = zeros([64, 64])")
        .unwrap();
    // The old value of the variable a statement rebinds is dead: the kernel writes into it.
    let rebinding = allocations_of(
        &mut session,
        "for k in 0..50 {\n    x = x * 0.5 + 1.0\n    y = sqrt(x) - y\n}",
    );
    assert_eq!(rebinding, 0, "rebinding loops allocate nothing");
    // A `let` in a loop body rebinds the same slot each iteration; the slice assignment writes
    // into `u` itself. Only the first iteration allocates `next`.
    let stencil = allocations_of(
        &mut session,
        "for k in 0..20 {\n    let next = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]) + 1.0\n    u[1:-1, 1:-1] = next\n}",
    );
    assert_eq!(stencil, 1, "one allocation for the first `next`, then none");
    // A stencil reading the target itself runs in row blocks with lagged write-back
    // (exec/in_place.rs) into block temporaries (three per band of blocks, one buffer of a
    // few rows rather than the whole grid) that the executor keeps and reuses: the first
    // sweep allocates them, the others nothing, and `u` is never copied. The 64x64 grid is a
    // single block; the 300x300 one has 11 blocks of 27 rows (2^16 bytes each), in one band
    // per thread.
    let in_place = allocations_of(
        &mut session,
        "for k in 0..20 {\n    u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])\n}",
    );
    assert_eq!(in_place, 1, "block temporaries once, and no copy of `u`");
    session.run("let g = zeros([300, 300])").unwrap();
    let blocks = allocations_of(
        &mut session,
        "for k in 0..20 {\n    g[1:-1, 1:-1] = 0.25 * (g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]) + 1.0\n}",
    );
    assert_eq!(blocks, 1, "block temporaries once, and no copy of `g`");
    // The values are those of fresh arrays.
    let x: Vec<f64> = session
        .eval_array::<f64>("x[:3]")
        .unwrap()
        .into_iter()
        .collect();
    let mut expected = [0.0, 1.0 / 99999.0, 2.0 / 99999.0];
    for value in &mut expected {
        for _ in 0..50 {
            *value = *value * 0.5 + 1.0;
        }
    }
    assert_eq!(x, expected);
}

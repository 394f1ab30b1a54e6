//! Peak memory of a fused elementwise expression, through the real `nx` binary: a 10-operation
//! expression over 10^7 f64 inputs runs with peak RSS within 10 % of inputs + output, because
//! fusion computes it in one kernel with no array temporaries.
//!
//! The child's peak is its `VmHWM` in `/proc/<pid>/status`, read while the child is still
//! alive: after its `check` line the script prints about 1.4 MB more, which blocks on the
//! 64 KiB stdout pipe until this test reads it, so the reading cannot race the child's exit.
//! (`wait4`'s `ru_maxrss` would also count the parent's memory: `posix_spawn` runs the child
//! in the parent's address space until `exec`, and the kernel folds that address space's high
//! water mark into the child's.) The same script at n = 1000 gives the baseline: process,
//! interpreter and JIT-compiled kernels, everything that does not grow with n.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

const N: usize = 10_000_000;

/// Inputs `a`, `b`, `c` (each built by one kernel; `c` from `a` and `b`, so building the
/// inputs never holds more than three arrays), then one statement of 10 elementwise
/// operations into `r`, then check values: `sum(r)` and some elements.
fn script(n: usize) -> String {
    format!(
        "let n = {n}
let a = ((arange(n) * 7919) % 10007) / 10007.0
let b = ((arange(n) * 104729) % 10009) / 10009.0 + 0.5
let c = a - 0.5 * b
let r = ((a * b + c) * 2.0 - a / b + c * c - 0.25) * a + b
print(\"check\", sum(r), r[0], r[1], r[n // 3], r[n // 2], r[n - 1])
for k in 0..20000 {{
    print(\"padding to fill the stdout pipe so the process waits for the test to read it\")
}}
"
    )
}

/// The same formulas in Rust, same operation order (nx does not contract to FMA).
fn element(i: usize) -> f64 {
    let i = i as i64;
    let a = ((i * 7919) % 10007) as f64 / 10007.0;
    let b = ((i * 104729) % 10009) as f64 / 10009.0 + 0.5;
    let c = a - 0.5 * b;
    ((a * b + c) * 2.0 - a / b + c * c - 0.25) * a + b
}

/// Runs `source`; returns the values of its `check` line and its peak RSS in KiB, read while
/// it is blocked writing the rest of its output.
fn run_measured(source: &str) -> (Vec<f64>, u64) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nx"))
        .arg("-e")
        .arg(source)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut check = None;
    while stdout.read_line(&mut line).unwrap() > 0 {
        if let Some(values) = line.strip_prefix("check ") {
            check = Some(
                values
                    .split_whitespace()
                    .map(|v| v.parse::<f64>().unwrap())
                    .collect::<Vec<_>>(),
            );
            break;
        }
        line.clear();
    }
    let Some(check) = check else {
        panic!("no check line; nx exited with {}", child.wait().unwrap());
    };
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap_or_else(|| panic!("no VmHWM: the child has already exited?\n{status}"))
        .trim()
        .strip_suffix("kB")
        .unwrap()
        .trim()
        .parse::<u64>()
        .unwrap();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "nx exited with {exit}");
    (check, hwm)
}

#[test]
fn ten_operation_expression_peaks_within_ten_percent_of_inputs_and_output() {
    let (_, baseline_kib) = run_measured(&script(1000));
    let (check, peak_kib) = run_measured(&script(N));

    // Results: every sampled element bit for bit, the sum (whose order nx splits into vector
    // lanes and thread blocks) to rounding.
    let indices = [0, 1, N / 3, N / 2, N - 1];
    assert_eq!(check.len(), 1 + indices.len(), "{check:?}");
    for (&i, &got) in indices.iter().zip(&check[1..]) {
        assert_eq!(
            got.to_bits(),
            element(i).to_bits(),
            "r[{i}]: {got} vs {}",
            element(i)
        );
    }
    let (sum, abs_sum) = (0..N)
        .map(element)
        .fold((0.0, 0.0), |(s, m), x| (s + x, m + x.abs()));
    assert!(
        (check[0] - sum).abs() <= 1e-10 * abs_sum,
        "sum(r): {} vs {sum}",
        check[0]
    );

    // Three inputs and one output, 8 bytes an element.
    let data_kib = (4 * 8 * N) as f64 / 1024.0;
    let used_kib = peak_kib.saturating_sub(baseline_kib) as f64;
    eprintln!(
        "peak {peak_kib} KiB, baseline {baseline_kib} KiB, peak - baseline {used_kib} KiB, \
         inputs + output {data_kib} KiB, ratio {:.3}",
        used_kib / data_kib
    );
    assert!(
        used_kib <= 1.10 * data_kib,
        "peak RSS {peak_kib} KiB - baseline {baseline_kib} KiB = {used_kib} KiB exceeds 1.10 x \
         inputs + output ({data_kib} KiB): a temporary array stays alive (compare `nx ir` of \
         the script with and without --no-fuse)"
    );
}

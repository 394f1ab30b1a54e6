//! Drives the real `nx` REPL through its standard input: bindings persist across inputs, a
//! failing statement loses nothing, open brackets continue an input, and the `:` commands work.

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs the REPL on `input` (with a scratch HOME for its history); returns (stdout, stderr).
fn repl(input: &str) -> (String, String) {
    let home = std::env::temp_dir().join(format!("nx-repl-test-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nx"))
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "the REPL exits cleanly at end of input"
    );
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn values_are_shown_with_their_type() {
    let (out, _) = repl("let x = [1.0, 2.0, 3.0]\nx * 2.0\n1 + 2\n");
    assert!(out.contains("[2.0, 4.0, 6.0] : f64[3]\n"), "{out}");
    assert!(out.contains("3 : i64\n"), "{out}");
}

#[test]
fn a_failing_statement_keeps_every_earlier_binding() {
    let input = "let x = [1.0, 2.0, 3.0]\nlet x = x[10]\nx\nx = x + undefined_name\nx\n";
    let (out, err) = repl(input);
    assert!(
        err.contains("index 10 is out of bounds for axis 0 with size 3"),
        "{err}"
    );
    assert!(err.contains("cannot find `undefined_name`"), "{err}");
    assert_eq!(
        out.matches("[1.0, 2.0, 3.0] : f64[3]\n").count(),
        2,
        "{out}"
    );
}

#[test]
fn a_runtime_failure_mid_input_rolls_back_that_statement_only() {
    let (out, err) = repl("let a = 1\na = 5; let b = [1, 2][7]\na\n");
    assert!(err.contains("out of bounds"), "{err}");
    assert!(
        out.contains("5 : i64\n"),
        "the statement before the failing one ran: {out}"
    );
}

#[test]
fn open_brackets_continue_the_input() {
    let (out, _) =
        repl("let m = [[1, 2],\n         [3, 4]]\nfn double(v) {\n    v * 2\n}\ndouble(m)\n");
    assert!(out.contains("[[2, 4],\n [6, 8]] : i64[2, 2]\n"), "{out}");
}

#[test]
fn commands_type_vars_reset_and_quit() {
    let (out, err) =
        repl(":type [1, 2] * 0.5\nlet k = 3u8\n:vars\n:reset\n:vars\nk\n:quit\nprint(99)\n");
    assert!(out.contains("f64[2]\n"), "{out}");
    assert_eq!(out.matches("k : u8\n").count(), 1, "{out}");
    assert!(
        err.contains("cannot find `k`"),
        "after :reset k is gone: {err}"
    );
    assert!(!out.contains("99"), ":quit stops reading: {out}");
}

#[test]
fn load_runs_a_file_in_the_session() {
    let dir = std::env::temp_dir().join(format!("nx-repl-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("lib.nx");
    std::fs::write(&script, "let loaded = arange(4)\n").unwrap();
    let (out, err) = repl(&format!(":load {}\nloaded.sum()\n", script.display()));
    assert!(out.contains("6 : i64\n"), "{out}{err}");
}

#[test]
fn bindings_made_before_the_failing_statement_of_an_input_survive() {
    let (out, err) = repl("let c = 5; let b = [1, 2][7]; let d = 1\nc\nb\nd\n");
    assert!(out.contains("5 : i64\n"), "{out}{err}");
    assert!(
        err.contains("cannot find `b`") && err.contains("cannot find `d`"),
        "{err}"
    );
}

#[test]
fn a_dangling_operator_is_an_error_that_does_not_swallow_the_next_line() {
    let (out, err) = repl("1 +\nprint(7)\n");
    assert!(err.contains("error"), "{err}");
    assert!(out.contains("7\n"), "the next input runs on its own: {out}");
}

#[test]
fn in_place_writes_of_a_failing_statement_are_rolled_back() {
    let (out, err) = repl("let a = [1, 2, 3]\nfor i in 0..5 { a[i] = 9 }\na\n");
    assert!(err.contains("index 3 is out of bounds"), "{err}");
    assert!(
        out.contains("[1, 2, 3] : i64[3]\n"),
        "the loop's writes are undone: {out}"
    );
}

#[test]
fn a_slice_assignment_failing_midway_is_rolled_back() {
    // The kernel writes straight into `x`'s buffer and fails at its second element.
    let (out, err) = repl("let x = zeros(4)\nlet d = [1, 0, 1, 1]\nx[:] = (3 // d) * 1.0\nx\n");
    assert!(err.contains("integer division by zero"), "{err}");
    assert!(
        out.contains("[0.0, 0.0, 0.0, 0.0] : f64[4]\n"),
        "the elements written before the failure are undone: {out}"
    );
}

#[test]
fn the_prelude_is_there_from_the_start_and_after_reset() {
    let input =
        "relu([-1.0, 2.0])\nfn relu(x) = x * 10.0\nrelu([-1.0, 2.0])\n:reset\nrelu([-1.0, 2.0])\n";
    let (out, err) = repl(input);
    assert_eq!(
        out.matches("[0.0, 2.0] : f64[2]\n").count(),
        2,
        "{out}{err}"
    );
    assert!(
        out.contains("[-10.0, 20.0] : f64[2]\n"),
        "a REPL definition shadows it: {out}{err}"
    );
}

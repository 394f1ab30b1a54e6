//! Runs every example under `examples/` through the real `nx` binary and compares what it
//! prints with the expected output that `tests/examples/golden_examples.py` computed
//! independently with NumPy. NumPy sums in another order than nx, so floats are compared within
//! a relative `FLOAT_TOLERANCE`; integers, words and the layout must match exactly. The blur
//! example's saved image must equal NumPy's bit for bit, as it is elementwise arithmetic only.

use std::path::PathBuf;
use std::process::Command;

/// Relative difference allowed between a float nx prints and NumPy's.
const FLOAT_TOLERANCE: f64 = 1e-9;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `examples/<name>.nx` in a fresh directory that holds a copy of `examples/data/`, as
/// the repository root does, so that files an example writes land there and not in the
/// repository. Returns its stdout and the directory.
fn run_example(name: &str) -> (String, PathBuf) {
    let dir = std::env::temp_dir().join(format!("nx-example-{name}-{}", std::process::id()));
    let data = dir.join("examples/data");
    std::fs::create_dir_all(&data).unwrap();
    for entry in std::fs::read_dir(root().join("examples/data")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, data.join(path.file_name().unwrap())).unwrap();
    }
    let script = root().join(format!("examples/{name}.nx"));
    let output = Command::new(env!("CARGO_BIN_EXE_nx"))
        .arg(&script)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "examples/{name}.nx failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (String::from_utf8(output.stdout).unwrap(), dir)
}

/// The words and numbers of a printed line: whitespace and the list punctuation `[ ] ,`
/// separate them.
fn tokens(line: &str) -> Vec<&str> {
    line.split(|c: char| c.is_whitespace() || matches!(c, '[' | ']' | ','))
        .filter(|token| !token.is_empty())
        .collect()
}

/// Whether nx's token matches the expected one: a float (it has a `.` or an exponent, or is
/// `nan`/`inf`) within the tolerance, anything else exactly.
fn token_matches(got: &str, want: &str) -> bool {
    let is_float = |t: &str| t.contains(['.', 'e']) || t.ends_with("inf") || t == "nan";
    match (got.parse::<f64>(), want.parse::<f64>()) {
        (Ok(g), Ok(w)) if is_float(got) && is_float(want) => {
            let close = g.is_finite() && (g - w).abs() <= FLOAT_TOLERANCE * w.abs();
            g == w || (g.is_nan() && w.is_nan()) || close
        }
        _ => got == want,
    }
}

/// Describes the first difference between nx's output and the expected one, if any.
fn first_difference(got: &str, want: &str) -> Option<String> {
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), want.lines().collect());
    if got_lines.len() != want_lines.len() {
        return Some(format!(
            "{} lines printed, {} expected",
            got_lines.len(),
            want_lines.len()
        ));
    }
    for (number, (g, w)) in got_lines.iter().zip(&want_lines).enumerate() {
        let (g_tokens, w_tokens) = (tokens(g), tokens(w));
        let same = g_tokens.len() == w_tokens.len()
            && g_tokens
                .iter()
                .zip(&w_tokens)
                .all(|(g, w)| token_matches(g, w));
        if !same {
            return Some(format!(
                "line {}:\n  nx:       {g}\n  expected: {w}",
                number + 1
            ));
        }
    }
    None
}

/// Files examples write, by example, with the expected copy under `tests/examples/`.
const WRITTEN_FILES: &[(&str, &str)] = &[("blur", "blurred.npy")];

/// Runs one example; returns a description of each mismatch.
fn check_example(name: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let (got, dir) = run_example(name);
    let expected_path = root().join(format!("tests/examples/{name}.out"));
    match std::fs::read_to_string(&expected_path) {
        Ok(want) => problems.extend(first_difference(&got, &want)),
        Err(err) => problems.push(format!("cannot read {}: {err}", expected_path.display())),
    }
    for (example, file) in WRITTEN_FILES {
        if *example == name {
            let written = std::fs::read(dir.join(file)).unwrap_or_default();
            let expected = std::fs::read(root().join("tests/examples").join(file)).unwrap();
            if written != expected {
                problems.push(format!("{file} differs from NumPy's"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
    problems
}

#[test]
fn every_example_prints_what_numpy_computed() {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "nx"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 7, "expected the examples, found {names:?}");
    let failures: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let problems = check_example(name);
            (!problems.is_empty())
                .then(|| format!("== examples/{name}.nx\n{}", problems.join("\n")))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tolerance_accepts_last_digits_only() {
    assert!(token_matches("0.30000000000000004", "0.3"));
    assert!(token_matches("nan", "nan"));
    assert!(!token_matches("0.3001", "0.3"));
    assert!(!token_matches("11", "10"));
    assert!(!token_matches("inf", "-inf"));
    assert_eq!(tokens("[[1.5, 2.0],"), vec!["1.5", "2.0"]);
}

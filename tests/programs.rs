//! Runs every program under `tests/programs/` through the real `nx` binary and compares its
//! stdout with the NumPy-derived `.out` beside it. Error programs state their expected
//! diagnostic on their first line (`# expect-error: <stage> <line>:<col> <phrase>`), and their
//! rendered diagnostics are pinned by `.stderr` snapshots (re-bless with `NX_BLESS=1`).
//! The README in that folder is the contract.

use std::path::{Path, PathBuf};
use std::process::Command;

fn nx() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nx"))
}

fn programs(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            // Import libraries are run only through the programs that import them.
            if path.file_name().is_some_and(|n| n != "lib") {
                programs(&path, found);
            }
        } else if path.extension().is_some_and(|e| e == "nx") {
            found.push(path);
        }
    }
}

struct Expectation {
    stage: String,
    /// A file relative to the program's folder, when the error is in an imported file.
    file: Option<String>,
    line: usize,
    column: usize,
    phrase: String,
}

fn expectation(source: &str) -> Option<Expectation> {
    let rest = source
        .lines()
        .next()?
        .strip_prefix("# expect-error:")?
        .trim();
    let mut parts = rest.splitn(3, ' ');
    let stage = parts.next()?.to_string();
    let location: Vec<&str> = parts.next()?.split(':').collect();
    let (file, line, column) = match location.as_slice() {
        [line, column] => (None, *line, *column),
        [file, line, column] => (Some(file.to_string()), *line, *column),
        _ => return None,
    };
    Some(Expectation {
        stage,
        file,
        line: line.parse().ok()?,
        column: column.parse().ok()?,
        phrase: parts.next().unwrap_or("").to_lowercase(),
    })
}

/// Checks one program; returns a description of each mismatch.
fn check_program(path: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let source = std::fs::read_to_string(path).unwrap();
    let expected_stdout = std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
    // An expectation line that does not parse must fail loudly, not pass as a valid program.
    if source.starts_with("# expect-error:") && expectation(&source).is_none() {
        return vec!["malformed `# expect-error:` line".to_string()];
    }
    let output = nx().arg(path).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let status = output.status.code();
    if stdout != expected_stdout {
        problems.push(format!("stdout differs:\n--- expected\n{expected_stdout}--- actual\n{stdout}--- stderr\n{stderr}"));
    }
    match expectation(&source) {
        None => {
            if status != Some(0) {
                problems.push(format!("exit status {status:?}, stderr:\n{stderr}"));
            }
        }
        Some(expect) => {
            if status != Some(1) {
                problems.push(format!("expected exit status 1, got {status:?}"));
            }
            let file = match &expect.file {
                Some(file) => path.parent().unwrap().join(file),
                None => path.to_path_buf(),
            };
            let location = format!("{}:{}:{}", file.display(), expect.line, expect.column);
            if !stderr.contains(&location) {
                problems.push(format!(
                    "expected a diagnostic at {location}, stderr:\n{stderr}"
                ));
            }
            if !stderr.to_lowercase().contains(&expect.phrase) {
                problems.push(format!(
                    "expected the phrase `{}` in:\n{stderr}",
                    expect.phrase
                ));
            }
            let check = nx().arg("check").arg(path).output().unwrap();
            let check_failed = check.status.code() == Some(1);
            if (expect.stage == "runtime") == check_failed {
                problems.push(format!(
                    "`nx check` exit status {:?} does not fit a {} error",
                    check.status.code(),
                    expect.stage
                ));
            }
            let snapshot = path.with_extension("stderr");
            if std::env::var_os("NX_BLESS").is_some() {
                std::fs::write(&snapshot, stderr.as_bytes()).unwrap();
            } else {
                match std::fs::read_to_string(&snapshot) {
                    Ok(pinned) if pinned == stderr => {}
                    Ok(pinned) => problems.push(format!(
                        "diagnostic differs from {}:\n--- pinned\n{pinned}--- actual\n{stderr}",
                        snapshot.display()
                    )),
                    Err(_) => problems.push(format!(
                        "no snapshot {} (bless with NX_BLESS=1)",
                        snapshot.display()
                    )),
                }
            }
        }
    }
    problems
}

#[test]
fn golden_programs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let mut found = Vec::new();
    programs(&root, &mut found);
    assert!(
        found.len() >= 80,
        "expected the program corpus, found {} programs",
        found.len()
    );
    let mut failures = Vec::new();
    for path in &found {
        let relative = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(path)
            .to_path_buf();
        // Run from the repository root so diagnostics name `tests/programs/...` paths.
        let problems = check_program(&relative);
        if !problems.is_empty() {
            failures.push(format!(
                "== {}\n{}",
                relative.display(),
                problems.join("\n")
            ));
        }
    }
    println!(
        "{} passed, {} failed",
        found.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n{}",
        failures.len(),
        found.len(),
        failures.join("\n")
    );
}

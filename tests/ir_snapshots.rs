//! IR snapshots: `nx ir` (and `nx ir --no-fuse`) of each program under `tests/ir/` is pinned
//! in a `.ir` file beside it, so fusion and lowering decisions show up in review. Re-bless with
//! `NX_BLESS=1 cargo test --test ir_snapshots`.

use std::path::Path;
use std::process::Command;

fn ir(path: &Path, extra: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_nx"))
        .arg("ir")
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn ir_snapshots() {
    let dir = Path::new("tests/ir");
    let mut programs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "nx"))
        .collect();
    programs.sort();
    assert!(!programs.is_empty());
    let mut failures = Vec::new();
    for program in &programs {
        let text = format!(
            "{}\n# ---- with --no-fuse ----\n{}",
            ir(program, &[]),
            ir(program, &["--no-fuse"])
        );
        let snapshot = program.with_extension("ir");
        if std::env::var_os("NX_BLESS").is_some() {
            std::fs::write(&snapshot, &text).unwrap();
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(pinned) if pinned == text => {}
            Ok(pinned) => failures.push(format!(
                "{}:\n--- pinned\n{pinned}--- now\n{text}",
                snapshot.display()
            )),
            Err(_) => failures.push(format!(
                "no snapshot {} (bless with NX_BLESS=1)",
                snapshot.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

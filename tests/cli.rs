//! The command line of spec §12 and the exit statuses of §10: 0 success, 1 error in the
//! program, 2 bad command-line use or unreadable file.

use std::process::{Command, Output};

fn nx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nx"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn script(name: &str, source: &str) -> String {
    let dir = std::env::temp_dir().join(format!("nx-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path.display().to_string()
}

#[test]
fn runs_a_script_directly_and_with_run() {
    let path = script("hello.nx", "print(sum(arange(5)))\n");
    for args in [vec![path.as_str()], vec!["run", path.as_str()]] {
        let output = nx(&args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), "10\n");
    }
}

#[test]
fn runs_code_given_with_e() {
    let output = nx(&["-e", "let x = [1, 2, 3]; print(x * 2)"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "[2, 4, 6]\n");
}

#[test]
fn a_program_error_exits_with_1_after_earlier_output() {
    let output = nx(&["-e", "print(1)\nprint([1, 2][5])\nprint(3)"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "1\n");
    assert!(stderr(&output).contains("index 5 is out of bounds for axis 0 with size 2"));
}

#[test]
fn type_errors_stop_the_program_before_it_runs() {
    let output = nx(&["-e", "print(1)\nlet x = undefined + 1"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        "",
        "nothing runs when the program does not check"
    );
    assert!(
        stderr(&output).contains("--> <input>:2:9"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_type_checks_without_running() {
    let good = script("good.nx", "print(42)\n");
    let output = nx(&["check", &good]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "", "check does not run the program");
    let bad = script("bad.nx", "let x = [1.0, 2.0] + [1.0, 2.0, 3.0]\n");
    let output = nx(&["check", &bad]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot broadcast f64[2] with f64[3]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn ir_prints_the_fused_kernel_and_clif_its_cranelift_code() {
    let path = script(
        "ir.nx",
        "let x = linspace(0.0, 1.0, 10)\nlet y = sum(x * x + 1.0)\n",
    );
    let output = nx(&["ir", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("kernel k0 rank=1 reduce=1"), "{text}");
    assert!(text.contains("reduce sum"), "{text}");
    let output = nx(&["ir", "--clif", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("function"), "{}", stdout(&output));
}

#[test]
fn unreadable_files_and_bad_usage_exit_with_2() {
    let output = nx(&["/nonexistent/program.nx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read"),
        "{}",
        stderr(&output)
    );
    assert_eq!(nx(&["check"]).status.code(), Some(2));
    assert_eq!(nx(&["--no-such-option"]).status.code(), Some(2));
}

#[test]
fn version_and_help() {
    let output = nx(&["--version"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("nx "), "{}", stdout(&output));
    let output = nx(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    for word in [
        "check",
        "ir",
        "run",
        "-e",
        "--threads",
        "--no-fuse",
        "--time",
    ] {
        assert!(stdout(&output).contains(word), "help mentions {word}");
    }
}

#[test]
fn matrix_products_are_the_same_bits_for_every_thread_count() {
    // Large enough for the product to be split over threads; values whose products round, so
    // a different summation order would show. `save` keeps every bit.
    let dir = std::env::temp_dir().join(format!("nx-cli-threads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |name: &str, args: &[&str], env: Option<&str>| {
        let out = dir.join(format!("{name}.npy")).display().to_string();
        let path = script(
            &format!("threads_{name}.nx"),
            &format!(
                "let a = sin(arange(300.0 * 257.0)).reshape([300, 257])\n\
                 let b = cos(arange(257.0 * 199.0) * 0.37).reshape([257, 199])\n\
                 save(\"{out}\", concat([a @ b, ((a as f32) @ (b as f32)) as f64]))\n"
            ),
        );
        let mut command = Command::new(env!("CARGO_BIN_EXE_nx"));
        command.args(args).arg(&path).env_remove("NX_THREADS");
        if let Some(threads) = env {
            command.env("NX_THREADS", threads);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        std::fs::read(out).unwrap()
    };
    let one = run("one", &["--threads", "1"], None);
    assert_eq!(one, run("two", &["--threads", "2"], None));
    assert_eq!(one, run("three", &["--threads", "3"], None));
    assert_eq!(one, run("env_two", &[], Some("2")));
    assert_eq!(one, run("default", &[], None));
}

#[test]
fn the_thread_count_must_be_a_positive_integer() {
    assert_eq!(
        nx(&["--threads", "0", "-e", "print(1)"]).status.code(),
        Some(2)
    );
    let output = Command::new(env!("CARGO_BIN_EXE_nx"))
        .args(["-e", "print(1)"])
        .env("NX_THREADS", "many")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
}

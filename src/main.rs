//! The `nx` command: runs scripts, checks them, prints their loop IR, or starts the REPL.
//! Uses only the public embedding API of the `nx` crate.

mod repl;

use std::io::Write;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nx::{ErrorKind, Session};

#[derive(Parser)]
#[command(
    name = "nx",
    version,
    about = "nx: an array language with a fused-loop JIT compiler",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Script to run (with no script and no -e, the REPL starts).
    file: Option<PathBuf>,
    /// Run CODE given on the command line.
    #[arg(short = 'e', value_name = "CODE", conflicts_with = "file")]
    code: Option<String>,
    #[command(flatten)]
    options: Options,
}

#[derive(clap::Args)]
struct Options {
    /// Worker threads for kernels; default: all cores.
    #[arg(long, global = true, value_name = "N", env = "NX_THREADS")]
    threads: Option<NonZeroUsize>,
    /// Disable fusion, for comparison.
    #[arg(long, global = true)]
    no_fuse: bool,
    /// Report phase timings on stderr.
    #[arg(long, global = true)]
    time: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Run a script.
    Run { file: PathBuf },
    /// Parse and type-check a script without running it.
    Check { file: PathBuf },
    /// Print the loop IR kernels of a script.
    Ir {
        file: PathBuf,
        /// Print Cranelift IR instead.
        #[arg(long)]
        clif: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut session = match Session::new() {
        Ok(session) => session,
        Err(err) => return report(&err),
    };
    if cli.options.time {
        session.enable_timing();
    }
    if cli.options.no_fuse {
        session.set_fusion(false);
    }
    if let Some(threads) = cli.options.threads {
        session.set_threads(threads);
    }
    let result = match (&cli.command, &cli.file, &cli.code) {
        (Some(Command::Run { file }), _, _) | (None, Some(file), _) => {
            // A script stops at its first error: nothing to roll back; and nothing reads its
            // globals after it.
            session.set_rollback(false);
            session.set_whole_program(true);
            session.run_file(file)
        }
        (Some(Command::Check { file }), _, _) => session.check_file(file),
        (Some(Command::Ir { file, clif }), _, _) => {
            session.set_whole_program(true);
            session.ir_of_file(file, *clif).map(|text| {
                // A closed pipe (`nx ir f.nx | head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout(), "{text}");
            })
        }
        (None, None, Some(code)) => {
            session.set_rollback(false);
            session.set_whole_program(true);
            session.run(code)
        }
        (None, None, None) => return repl::run(session),
    };
    if cli.options.time {
        eprint!("{}", session.timing_report());
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => report(&err),
    }
}

/// Prints an error to stderr and gives the exit status of spec §10.
fn report(err: &nx::Error) -> ExitCode {
    eprint!("{}", err.rendered);
    match err.kind {
        ErrorKind::Compile | ErrorKind::Runtime | ErrorKind::Internal => ExitCode::from(1),
        ErrorKind::Usage => ExitCode::from(2),
    }
}

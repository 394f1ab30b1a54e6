//! The interactive REPL: multi-line input (an open bracket or brace continues the statement),
//! `value : type` display, `:` commands, history in the user's home directory. A failing input
//! leaves every earlier binding intact (the session guarantees it).

use std::path::PathBuf;
use std::process::ExitCode;

use std::cell::RefCell;
use std::rc::Rc;

use nx::Session;
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

const COMMANDS: &[&str] = &[
    ":help", ":quit", ":type", ":ir", ":clif", ":time", ":vars", ":reset", ":load",
];

const KEYWORDS: &[&str] = &[
    "let", "fn", "return", "if", "else", "for", "in", "while", "break", "continue", "import", "as",
    "and", "or", "not", "true", "false", "assert",
];

/// Tab completion of names in scope, keywords and `:` commands. The names are refreshed after
/// every input, since the session is not reachable from inside the editor.
struct NameCompleter {
    names: Rc<RefCell<Vec<String>>>,
}

impl Completer for NameCompleter {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let candidates: Vec<String> = if word.starts_with(':') {
            COMMANDS
                .iter()
                .filter(|c| c.starts_with(word))
                .map(|c| c.to_string())
                .collect()
        } else {
            let names = self.names.borrow();
            let mut found: Vec<String> = names
                .iter()
                .map(String::as_str)
                .chain(KEYWORDS.iter().copied())
                .filter(|name| name.starts_with(word))
                .map(str::to_string)
                .collect();
            found.sort();
            found.dedup();
            found
        };
        Ok((start, candidates))
    }
}

impl Hinter for NameCompleter {
    type Hint = String;
}

impl Highlighter for NameCompleter {}

impl Validator for NameCompleter {}

impl Helper for NameCompleter {}

const HELP: &str = "\
nx REPL — enter statements or expressions; an open bracket or brace continues on the next line.
  :help           this text
  :quit           leave (also Ctrl-D)
  :type EXPR      the static type of an expression
  :ir EXPR        the loop IR kernels of a statement or expression
  :clif EXPR      the Cranelift IR of those kernels
  :time STMT      run a statement and report how long it took
  :vars           bound variables and their types
  :reset          forget every binding and function
  :load FILE      run a script file in this session";

pub fn run(mut session: Session) -> ExitCode {
    let mut editor: Editor<NameCompleter, _> = match Editor::new() {
        Ok(editor) => editor,
        Err(err) => {
            eprintln!("error: cannot start the line editor: {err}");
            return ExitCode::from(2);
        }
    };
    let names = Rc::new(RefCell::new(session.completions("")));
    editor.set_helper(Some(NameCompleter {
        names: Rc::clone(&names),
    }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!(
        "nx {} — :help for help, :quit to leave",
        env!("CARGO_PKG_VERSION")
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { ">>> " } else { "... " };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => break,
            Err(err) => {
                eprintln!("error: {err}");
                break;
            }
        };
        if !pending.is_empty() {
            pending.push('\n');
        }
        pending.push_str(&line);
        if nx::needs_more_input(&pending) {
            continue;
        }
        let input = std::mem::take(&mut pending);
        if input.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(input.as_str());
        if !handle(&mut session, input.trim()) {
            break;
        }
        *names.borrow_mut() = session.completions("");
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    ExitCode::SUCCESS
}

/// Runs one input; returns false to leave the REPL.
fn handle(session: &mut Session, input: &str) -> bool {
    let Some(command) = input.strip_prefix(':') else {
        if let Err(err) = session.run_repl(input) {
            eprint!("{}", err.rendered);
        }
        return true;
    };
    let (name, argument) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let argument = argument.trim();
    match name {
        "quit" | "q" | "exit" => return false,
        "help" | "h" => println!("{HELP}"),
        "type" | "t" => match session.type_of(argument) {
            Ok(ty) => println!("{ty}"),
            Err(err) => eprint!("{}", err.rendered),
        },
        "ir" | "clif" => match session.ir_of("<repl>", argument, name == "clif") {
            Ok(text) if text.is_empty() => println!("(no kernels: scalar work runs directly)"),
            Ok(text) => println!("{text}"),
            Err(err) => eprint!("{}", err.rendered),
        },
        "time" => {
            let started = std::time::Instant::now();
            let result = session.run_repl(argument);
            let elapsed = started.elapsed();
            if let Err(err) = result {
                eprint!("{}", err.rendered);
            }
            println!("time: {:.3} ms", elapsed.as_secs_f64() * 1e3);
        }
        "vars" => {
            for (name, ty) in session.vars() {
                println!("{name} : {ty}");
            }
        }
        "reset" => {
            if let Err(err) = session.reset() {
                eprint!("{}", err.rendered);
            }
        }
        "load" => {
            if let Err(err) = session.run_file(std::path::Path::new(argument)) {
                eprint!("{}", err.rendered);
            }
        }
        _ => eprintln!("error: unknown command `:{name}` (try :help)"),
    }
    true
}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".nx_history"))
}

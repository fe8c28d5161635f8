//! # The `rcffi` command
//!
//! rcffi from the shell, on the library's public API:
//!
//! - `rcffi layout`: the layout of structs and unions, pahole-style, from a cdef file, text on
//!   stdin or installed headers, for the host or another target, as text or JSON;
//! - `rcffi call`: one function of a library, declared on the command line, called with
//!   arguments written as C writes them;
//! - `rcffi check`: a library against its header, with an exit status for CI;
//! - `rcffi run FILE`, `rcffi test [DIR|FILE...]`, `rcffi repl`, `rcffi -e 'EXPR'`: scripts in
//!   Rhai with rcffi under cffi's and LuaJIT's names (`cdef`, `dlopen`, `new`, ...); a test
//!   that crashes in C is one failed test.
//!
//! ```text
//! $ echo 'struct s { char c; int i; };' | rcffi layout
//! $ rcffi call -l z 'unsigned long crc32(unsigned long, const char *, unsigned)' 0 hello 5
//! $ rcffi check -l z -H zlib.h
//! $ rcffi -e 'cdef("int abs(int);"); dlopen("c").abs(-3)'
//! $ rcffi test examples/scripts/fixture_tests
//! ```
//!
//! Exit status: 0 when all went well; 1 when `check` found problems, a test failed, a script
//! threw (or `layout` could not lay out a record); 2 for bad input (a bad declaration,
//! argument, option or script).

mod c_stdio;
mod call;
mod check;
mod decls;
mod layout;
mod literal;
mod out;
mod repl;
mod run;
mod script;
mod show;
mod test_runner;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// rcffi: C declarations, layouts and calls from the shell.
#[derive(Parser, Debug)]
#[command(name = "rcffi", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    /// Evaluate a script expression and print its value
    #[arg(short = 'e', long = "eval", value_name = "EXPR")]
    eval: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the layout of structs and unions: offsets, sizes, alignments, bitfields, holes
    Layout(layout::Args),
    /// Call a function of a library with arguments from the command line
    Call(call::Args),
    /// Check a library against its header: missing functions, wrong kinds and sizes
    Check(check::Args),
    /// Run a script
    Run(run::Args),
    /// Run the test_* functions of scripts, each file in a child process
    Test(test_runner::Args),
    /// An interactive session (the default when stdin is a terminal)
    Repl,
    /// The child process of `rcffi test` (internal)
    #[command(name = "__test-file", hide = true)]
    TestFile {
        file: std::path::PathBuf,
        start: usize,
        report: std::path::PathBuf,
        #[arg(default_value = "")]
        filter: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match (cli.eval, cli.command) {
        (Some(text), _) => run::eval(&text),
        (None, Some(Command::Layout(a))) => layout::run(a),
        (None, Some(Command::Call(a))) => call::run(a),
        (None, Some(Command::Check(a))) => check::run(a),
        (None, Some(Command::Run(a))) => run::run(a),
        (None, Some(Command::Test(a))) => test_runner::run(a),
        (
            None,
            Some(Command::TestFile {
                file,
                start,
                report,
                filter,
            }),
        ) => Ok(test_runner::child(&file, start, &report, &filter)),
        (None, Some(Command::Repl) | None) => repl::run(),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rcffi: {e:#}");
            ExitCode::from(2)
        }
    }
}

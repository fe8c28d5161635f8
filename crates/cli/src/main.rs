//! # The `rcffi` command
//!
//! rcffi from the shell, on the library's public API:
//!
//! - `rcffi layout`: the layout of structs and unions, pahole-style, from a cdef file, text on
//!   stdin or installed headers, for the host or another target, as text or JSON;
//! - `rcffi call`: one function of a library, declared on the command line, called with
//!   arguments written as C writes them;
//! - `rcffi check`: a library against its header, with an exit status for CI.
//!
//! ```text
//! $ echo 'struct s { char c; int i; };' | rcffi layout
//! $ rcffi call -l z 'unsigned long crc32(unsigned long, const char *, unsigned)' 0 hello 5
//! $ rcffi check -l z -H zlib.h
//! ```
//!
//! Exit status: 0 when all went well, 1 when `check` found problems (or `layout` could not lay
//! out a record), 2 for bad input (a bad declaration, argument or option).

mod call;
mod check;
mod decls;
mod layout;
mod literal;
mod show;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// rcffi: C declarations, layouts and calls from the shell.
#[derive(Parser, Debug)]
#[command(name = "rcffi", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the layout of structs and unions: offsets, sizes, alignments, bitfields, holes
    Layout(layout::Args),
    /// Call a function of a library with arguments from the command line
    Call(call::Args),
    /// Check a library against its header: missing functions, wrong kinds and sizes
    Check(check::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Layout(a) => layout::run(a),
        Command::Call(a) => call::run(a),
        Command::Check(a) => check::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rcffi: {e:#}");
            ExitCode::from(2)
        }
    }
}

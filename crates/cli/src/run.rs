//! `rcffi run FILE [ARGS...]` and `rcffi -e 'EXPR'`: a script, or one expression, in a
//! session of its own.

use crate::out::outln;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use rhai::Scope;

use crate::script::Session;

/// `rcffi run`'s arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The script ('-' for stdin)
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// What the script's args() returns
    #[arg(
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<String>,
}

/// Reads a script file (or stdin for `-`).
pub(crate) fn read(file: &std::path::Path) -> Result<String> {
    if file.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("reading the script from stdin")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))
}

/// Runs `rcffi run`: status 2 when the script does not parse, 1 when it throws.
pub(crate) fn run(args: Args) -> Result<ExitCode> {
    let text = read(&args.file)?;
    let name = args.file.display().to_string();
    let (session, ast) = match Session::for_script(args.args, &name, &text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rcffi: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let result = session.run(&mut Scope::new(), &ast);
    crate::c_stdio::flush();
    match result {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("rcffi: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Runs `rcffi -e`: prints the value unless it is `()`.
pub(crate) fn eval(text: &str) -> Result<ExitCode> {
    let result = Session::for_script(Vec::new(), "<input>", text)
        .and_then(|(session, ast)| Ok((session.run(&mut Scope::new(), &ast)?, session)));
    crate::c_stdio::flush();
    match result {
        Ok((v, session)) => {
            if let Some(s) = session.show(&v) {
                outln!("{s}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("rcffi: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

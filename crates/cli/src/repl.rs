//! `rcffi repl`: an interactive session — line editing and history (rustyline), completion of
//! the script functions, the declared names and the session's variables, and a line that
//! opens a brace continued on the next.

use crate::out::outln;
use std::borrow::Cow;
use std::process::ExitCode;

use anyhow::Result;
use rhai::Scope;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};

use crate::script::Session;

/// The script functions, completed in every session.
const FUNCTIONS: &[&str] = &[
    "cdef",
    "include_headers",
    "dlopen",
    "new",
    "cast",
    "string",
    "string_unchecked",
    "unpack",
    "sizeof",
    "alignof",
    "offsetof",
    "typeof",
    "addressof",
    "memmove",
    "integer_const",
    "errno",
    "set_errno",
    "callback",
    "null",
    "NULL",
    "print",
    "assert",
    "assert_eq",
    "assert_ne",
];

/// Completion from the session's declarations and variables.
struct Names {
    ffi: rcffi::Ffi,
    variables: Vec<String>,
}

impl Names {
    fn candidates(&self) -> Vec<String> {
        let mut all: Vec<String> = FUNCTIONS.iter().map(|s| s.to_string()).collect();
        self.ffi
            .with_registry(|r| all.extend(r.decls().map(|(n, _)| n.to_string())));
        let types = self.ffi.list_types();
        all.extend(types.typedefs);
        all.extend(types.structs);
        all.extend(types.unions);
        all.extend(self.variables.iter().cloned());
        all.sort();
        all.dedup();
        all
    }
}

impl Completer for Names {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let word = &line[start..pos];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let found = self
            .candidates()
            .into_iter()
            .filter(|c| c.starts_with(word))
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, found))
    }
}

impl Hinter for Names {
    type Hint = String;
}

impl Highlighter for Names {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Borrowed(hint)
    }
}

impl Validator for Names {
    /// A line with more `{`, `(` or `[` opened than closed goes on.
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if open_brackets(ctx.input()) > 0 {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Helper for Names {}

/// How many brackets `text` leaves open, outside string and character literals.
fn open_brackets(text: &str) -> i64 {
    let mut depth = 0i64;
    let mut quote = None;
    let mut escaped = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(_), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '{' | '(' | '[') => depth += 1,
            (None, '}' | ')' | ']') => depth -= 1,
            _ => {}
        }
        escaped = false;
    }
    depth
}

fn history_file() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".local/state"))
        })?;
    Some(base.join("rcffi_history"))
}

/// Runs `rcffi repl`.
pub(crate) fn run() -> Result<ExitCode> {
    let session = Session::new(Vec::new());
    let mut scope = Scope::new();
    let mut editor: Editor<Names, DefaultHistory> = Editor::new()?;
    editor.set_helper(Some(Names {
        ffi: session.ffi.clone(),
        variables: Vec::new(),
    }));
    let history = history_file();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let interactive = std::io::IsTerminal::is_terminal(&std::io::stdin());
    if interactive {
        outln!(
            "rcffi {} — C from a script. cdef(\"...\"), dlopen(\"c\"), new(\"int[4]\"); Ctrl-D to leave.",
            env!("CARGO_PKG_VERSION")
        );
    }
    let mut failed = false;
    loop {
        let line = match editor.readline("> ") {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        if line.trim().is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(line.as_str());
        let result = session.eval(&mut scope, &line);
        crate::c_stdio::flush();
        match result {
            Ok(v) => {
                if let Some(s) = session.show(&v) {
                    outln!("{s}");
                }
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
        if let Some(h) = editor.helper_mut() {
            h.variables = scope.iter_raw().map(|(n, _, _)| n.to_string()).collect();
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    // Piped input is a script: its failure is the command's.
    Ok(if failed && !interactive {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completion_offers_declared_names_and_variables() {
        let ffi = rcffi::Ffi::default();
        ffi.cdef("struct point { int x; }; typedef int my_int; int compute_area(int);\n#define MAX_POINTS 8")
            .unwrap();
        let names = Names {
            ffi,
            variables: vec!["points".into()],
        };
        let all = names.candidates();
        for want in [
            "compute_area",
            "my_int",
            "point",
            "MAX_POINTS",
            "points",
            "dlopen",
        ] {
            assert!(all.iter().any(|c| c == want), "{want}: {all:?}");
        }
        let history = DefaultHistory::new();
        let ctx = Context::new(&history);
        let (start, found) = names.complete("let a = comp", 12, &ctx).unwrap();
        assert_eq!(start, 8);
        assert_eq!(
            found
                .iter()
                .map(|p| p.replacement.as_str())
                .collect::<Vec<_>>(),
            ["compute_area"]
        );
    }

    #[test]
    fn an_open_bracket_continues_the_line() {
        assert_eq!(open_brackets("fn f() {"), 1);
        assert_eq!(open_brackets("fn f() { 1 }"), 0);
        assert_eq!(open_brackets(r#"print("{")"#), 0);
        assert_eq!(open_brackets(r#"let c = '(';"#), 0);
        assert_eq!(open_brackets(r#"let s = "a\"{"; ["#), 1);
    }
}

//! Runs every golden file of `grammar-tests/` as its own test (filter by path:
//! `cargo test -p rcffi-cdef --test grammar -- layout/bitfield`).
//!
//! `CDEF_BLESS=1 cargo test -p rcffi-cdef --test grammar` rewrites the expected blocks.

use libtest_mimic::{Arguments, Failed, Trial};
use rcffi_testkit::grammar;

fn main() -> anyhow::Result<()> {
    let args = Arguments::from_args();
    let root = grammar::grammar_dir();
    let bless = std::env::var_os("CDEF_BLESS").is_some_and(|v| v != "0");
    let mut trials = Vec::new();
    for path in grammar::case_files(&root)? {
        let case = grammar::load(&path, &root)?;
        let name = case.name.clone();
        trials.push(Trial::test(name, move || check(&case, bless)));
    }
    libtest_mimic::run(&args, trials).exit()
}

fn check(case: &grammar::Case, bless: bool) -> Result<(), Failed> {
    let (actual, _) = grammar::run(case);
    if case.expected.as_deref() == Some(actual.as_str()) {
        return Ok(());
    }
    if bless {
        grammar::bless(case, &actual).map_err(|e| Failed::from(e.to_string()))?;
        return Ok(());
    }
    let expected = case.expected.as_deref().unwrap_or("");
    Err(format!(
        "{} does not match its expected output:\n{}\nrerun with CDEF_BLESS=1 to accept the new output:\n  \
         CDEF_BLESS=1 cargo test -p rcffi-cdef --test grammar -- {}",
        case.path.display(),
        grammar::diff(expected, &actual),
        case.name
    )
    .into())
}

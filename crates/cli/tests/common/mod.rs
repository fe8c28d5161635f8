//! Running the `rcffi` binary as a user does, and golden files of its output.

#![allow(dead_code)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// What a run of the command gave.
pub(crate) struct Run {
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) code: i32,
}

/// Runs `rcffi ARGS` with `stdin` as its input.
pub(crate) fn rcffi(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rcffi"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the rcffi binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let Output {
        stdout,
        stderr,
        status,
    } = child.wait_with_output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: status.code().unwrap_or(-1),
    }
}

/// A file of this crate's tests.
pub(crate) fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// Compares `actual` with golden file `tests/golden/NAME`, or rewrites it when
/// `RCFFI_BLESS=1`; a difference shows the first differing line.
pub(crate) fn golden(name: &str, actual: &str) {
    let path = file("golden").join(name);
    if std::env::var_os("RCFFI_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing (RCFFI_BLESS=1 writes it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs at line {}:\n  expected: {:?}\n  actual:   {:?}\n\nwhole output:\n{actual}\n(RCFFI_BLESS=1 rewrites the file)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line),
        );
    }
}

/// Whether `gcc -E` can read `header` here (a test needing it says so and is skipped).
pub(crate) fn have_header(header: &str) -> bool {
    let ok = Command::new("gcc")
        .args(["-E", "-x", "c", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .unwrap()
                .write_all(format!("#include <{header}>\n").as_bytes())?;
            c.wait()
        })
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("gcc or {header} is not installed: skipped");
    }
    ok
}

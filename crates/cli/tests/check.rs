//! `rcffi check` as a user runs it: against zlib, sqlite3 and the C library with their
//! headers, each verdict judged by the library file's own dynamic symbol table as binutils'
//! `nm` reads it; a wrong cdef against the fixture library, as golden text, with exit status 1.

mod common;

use std::collections::HashMap;
use std::process::Command;

use common::{golden, have_header, rcffi};

/// The defined dynamic symbols of a library file, by name, with nm's type letter.
fn nm(path: &str) -> Option<HashMap<String, char>> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only", path])
        .output()
        .ok()?;
    out.status.success().then(|| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let mut parts = l.split_whitespace().rev();
                let name = parts.next()?;
                let kind = parts.next()?.chars().next()?;
                Some((name.split('@').next().unwrap_or(name).to_string(), kind))
            })
            .collect()
    })
}

/// `rcffi check -v` of a library with headers; every line judged by `nm`. Returns the number
/// of problems reported.
fn judged(lib: &str, headers: &[&str], flags: &[&str]) -> usize {
    for h in headers {
        if !have_header(h) {
            return 0;
        }
    }
    let mut args = vec!["check", "-v", "-l", lib];
    for h in headers {
        args.extend(["-H", h]);
    }
    args.extend_from_slice(flags);
    let run = rcffi(&args, "");
    let last = run.stdout.lines().last().unwrap_or_default().to_string();
    let path = last
        .split(" checked against ")
        .nth(1)
        .and_then(|r| r.rsplit_once(": "))
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| panic!("no summary line: {}{}", run.stdout, run.stderr));
    let Some(symbols) = nm(&path) else {
        eprintln!("nm cannot read {path}: skipped");
        return 0;
    };
    let (mut ok, mut missing) = (0, 0);
    for line in run.stdout.lines() {
        let name = |l: &str| l.split('\'').nth(1).unwrap().to_string();
        if let Some(rest) = line.strip_prefix("ok: ") {
            let n = name(rest);
            let kind = symbols
                .get(&n)
                .unwrap_or_else(|| panic!("{n} is not in {path}"));
            let expected: &[char] = if rest.starts_with("function") {
                &['T', 'i', 'W']
            } else {
                &['D', 'B', 'R', 'V', 'u']
            };
            assert!(expected.contains(kind), "{line}: nm says {kind}");
            ok += 1;
        } else if line.ends_with(" is not exported") {
            let n = name(line);
            assert!(!symbols.contains_key(&n), "{line}, but nm lists it");
            missing += 1;
        } else if line != last {
            panic!("unexpected line: {line}");
        }
    }
    assert!(ok > 0, "{}", run.stdout);
    assert!(
        last.ends_with(&format!(
            ": {missing} problem{}",
            if missing == 1 { "" } else { "s" }
        )),
        "{last}"
    );
    assert_eq!(run.code, i32::from(missing > 0), "{}", run.stderr);
    missing
}

#[test]
fn zlib_against_its_header() {
    // With its 64-bit offset functions declared, zlib.h and libz agree both ways.
    assert_eq!(judged("z", &["zlib.h"], &["-D_LARGEFILE64_SOURCE"]), 0);
    if have_header("zlib.h") {
        let run = rcffi(
            &[
                "check",
                "-l",
                "z",
                "-H",
                "zlib.h",
                "-D_LARGEFILE64_SOURCE",
                "--exports",
            ],
            "",
        );
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        // Without them, libz exports functions the header did not declare.
        let run = rcffi(&["check", "-l", "z", "-H", "zlib.h", "--exports"], "");
        assert_eq!(run.code, 1);
        assert!(
            run.stdout
                .contains("function 'gzopen64' is exported, but not declared"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn sqlite3_against_its_header() {
    // sqlite3.h declares functions of optional features (snapshots, scan status, win32);
    // those the build left out are reported, each confirmed absent by nm.
    judged("sqlite3", &["sqlite3.h"], &[]);
}

#[test]
fn the_c_library_against_its_headers() {
    // atexit and at_quick_exit live in libc_nonshared.a, not in libc.so.6: a real finding.
    let missing = judged("c", &["stdio.h", "string.h", "stdlib.h"], &[]);
    if have_header("stdlib.h") {
        assert!(missing >= 1);
    }
}

#[test]
fn a_wrong_cdef_against_the_fixture() {
    let dir = std::env::temp_dir().join(format!("rcffi-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cdef = dir.join("wrong.cdef");
    std::fs::write(
        &cdef,
        "int add(int, int);\n\
         int counter(void);\n\
         extern char fx_strchr;\n\
         extern int my_array[9];\n\
         int no_such_function(int);\n\
         double renamed(double) __asm__(\"no_such_symbol\");\n",
    )
    .unwrap();
    let lib = rcffi_testkit::fixture::fixture_library();
    let run = rcffi(
        &[
            "check",
            "-l",
            lib.to_str().unwrap(),
            "-f",
            cdef.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    golden(
        "check-fixture.txt",
        &run.stdout.replace(lib.to_str().unwrap(), "FIXTURE"),
    );
    let run = rcffi(
        &[
            "check",
            "-l",
            lib.to_str().unwrap(),
            "-f",
            "/no/such/file.cdef",
        ],
        "",
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("/no/such/file.cdef"), "{}", run.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

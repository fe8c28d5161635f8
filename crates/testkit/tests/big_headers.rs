//! Opt-in (`RCFFI_BIG_HEADERS=1`): the biggest headers of common libraries — gtk 3, glib,
//! Python 3, vulkan, OpenSSL — preprocessed with `gcc -E` and their pkg-config flags, are
//! accepted by cdef, and nest far below rcffi's nesting limit: the figures that chose it
//! (docs/testing.md). A header that is not installed is skipped.

use std::process::Command;

use rcffi_cdef::{MAX_NESTING, Registry};

/// Header, pkg-config package (empty: none).
const BIG: &[(&str, &str)] = &[
    ("gtk/gtk.h", "gtk+-3.0"),
    ("glib.h", "glib-2.0"),
    ("Python.h", "python3"),
    ("vulkan/vulkan.h", ""),
    ("openssl/ssl.h", ""),
    ("sqlite3.h", ""),
    ("zlib.h", ""),
];

#[test]
fn big_headers_nest_far_below_the_limit() {
    if std::env::var_os("RCFFI_BIG_HEADERS").is_none() {
        eprintln!("skipped: set RCFFI_BIG_HEADERS=1 (and install the headers) to run");
        return;
    }
    let mut measured = 0;
    for (header, package) in BIG {
        let mut flags: Vec<String> = Vec::new();
        if !package.is_empty() {
            let Ok(out) = Command::new("pkg-config")
                .args(["--cflags", package])
                .output()
            else {
                continue;
            };
            if !out.status.success() {
                eprintln!("{header}: not installed");
                continue;
            }
            flags = String::from_utf8_lossy(&out.stdout)
                .split_whitespace()
                .map(str::to_string)
                .collect();
        }
        let out = Command::new("gcc")
            .args(["-E", "-P", "-D_GNU_SOURCE", "-"])
            .args(&flags)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .and_then(|mut c| {
                use std::io::Write;
                c.stdin
                    .take()
                    .expect("stdin")
                    .write_all(format!("#include <{header}>\n").as_bytes())?;
                c.wait_with_output()
            })
            .expect("gcc runs");
        if !out.status.success() {
            eprintln!("{header}: not installed");
            continue;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut reg = Registry::new();
        let report = reg
            .cdef(&text)
            .unwrap_or_else(|e| panic!("{header} is refused: {e}"));
        let deepest_type = reg.type_ids().map(|t| reg.nesting(t)).max().unwrap_or(0);
        eprintln!(
            "{header}: {} kB, text nests {} levels, types {} (limit {MAX_NESTING})",
            text.len() / 1024,
            report.nesting,
            deepest_type
        );
        assert!(report.nesting * 4 <= MAX_NESTING);
        assert!(deepest_type * 4 <= MAX_NESTING);
        measured += 1;
    }
    assert!(measured > 0, "no header found");
}

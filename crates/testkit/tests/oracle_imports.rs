//! Installed headers imported with `Registry::include_headers` (the `-E -dD` text: declarations
//! and macros) — the libraries issue 12 names, each when installed — and gcc agrees with every
//! record's layout and every integer constant and macro of the import: the layout oracle
//! compiles the same text with its assertions.
//!
//! Opt-in: `RCFFI_ORACLE_IMPORTS=all` imports every `.h` under `/usr/include` that gcc compiles
//! alone the same way, and `RCFFI_ORACLE_IMPORTS="a.h b/c.h"` those headers
//! (`cargo test -p rcffi-testkit --release --test oracle_imports -- --nocapture`).

use rcffi_cdef::{Headers, Registry, Target};
use rcffi_testkit::oracle::{self, Compiler, Includes};

/// Header, pkg-config package (empty: none).
const IMPORTS: &[(&str, &str)] = &[
    ("zlib.h", ""),
    ("png.h", "libpng"),
    ("openssl/evp.h", ""),
    ("yaml.h", ""),
    ("gmp.h", ""),
    ("glib.h", "glib-2.0"),
    ("cairo.h", "cairo"),
    ("libxml/parser.h", "libxml-2.0"),
    ("jansson.h", ""),
    ("archive.h", ""),
    ("curl/curl.h", ""),
    ("sqlite3.h", ""),
    // Vector types and thousands of inline intrinsics (x86-64 only).
    ("immintrin.h", ""),
];

#[test]
fn imported_headers_agree_with_gcc() {
    let Some(cc) = Compiler::for_target(&Target::host()) else {
        eprintln!("gcc is not installed: skipped");
        return;
    };
    let specs = IMPORTS.iter().map(|(header, package)| {
        let mut spec = Headers::new([*header]);
        if !package.is_empty() {
            spec = spec.pkg_config(*package);
        }
        (header.to_string(), spec)
    });
    let (checked, failures) = check_imports(specs, &cc, false);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("{checked} header imports checked");
}

#[test]
fn installed_headers_named_by_the_environment_agree_with_gcc() {
    let Some(list) = std::env::var_os("RCFFI_ORACLE_IMPORTS") else {
        return;
    };
    let Some(cc) = Compiler::for_target(&Target::host()) else {
        eprintln!("gcc is not installed: skipped");
        return;
    };
    let root = std::path::Path::new("/usr/include");
    let specs = rcffi_testkit::headers::named_or_installed(&list.to_string_lossy(), root)
        .into_iter()
        .filter(|h| rcffi_testkit::headers::compiles_alone(&cc, h, &[]))
        .map(|h| {
            let spec = Headers::new([h.as_str()]);
            (h, spec)
        });
    let (checked, failures) = check_imports(specs, &cc, true);
    println!(
        "{checked} header imports checked, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Imports each header as `include_headers` imports it and has gcc check the import: how many
/// were checked, and what failed. The opt-in run (`every`) counts a header that does not
/// preprocess as failed (the fixed list skips one not installed here) and leaves out the
/// value assertions gcc cannot compile, listing them (`oracle::check_what_compiles`).
fn check_imports(
    specs: impl Iterator<Item = (String, Headers)>,
    cc: &Compiler,
    every: bool,
) -> (usize, Vec<String>) {
    let target = Target::host();
    let mut failures = Vec::new();
    let mut checked = 0;
    for (header, spec) in specs {
        let pre = match spec.preprocess(&target) {
            Ok(p) => p,
            Err(e) if every => {
                failures.push(format!("{header}: not preprocessed: {e}"));
                continue;
            }
            Err(e) => {
                eprintln!("{header}: not installed here: {e}");
                continue;
            }
        };
        let mut reg = Registry::with_target(target.clone());
        if let Err(e) = reg.cdef(&pre.text) {
            failures.push(format!("{header}: the import is refused: {e}"));
            continue;
        }
        let result = if every {
            oracle::check_what_compiles(&reg, &pre.text, Includes::None, cc)
        } else {
            oracle::check(&reg, &pre.text, Includes::None, cc)
        };
        match result {
            Ok(c) => {
                checked += 1;
                if !every {
                    println!("{header}: {} facts agree with gcc", c.asserts);
                }
                if let Some(first) = c.left_out.first() {
                    println!(
                        "{header}: {} assertions left out (gcc cannot compile them), as: {first}",
                        c.left_out.len()
                    );
                }
            }
            Err(e) => failures.push(format!("{header}: {e:#}")),
        }
    }
    (checked, failures)
}

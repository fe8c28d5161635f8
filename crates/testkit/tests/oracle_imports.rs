//! Installed headers imported with `Registry::include_headers` (the `-E -dD` text: declarations
//! and macros) — the libraries issue 12 names, each when installed — and gcc agrees with every
//! record's layout and every integer constant and macro of the import: the layout oracle
//! compiles the same text with its assertions.
//!
//! Opt-in: `RCFFI_ORACLE_IMPORTS=all` imports every `.h` under `/usr/include` that gcc compiles
//! alone the same way, `RCFFI_ORACLE_IMPORTS=pkg-config` every header of every pkg-config
//! package, and `RCFFI_ORACLE_IMPORTS="a.h b/c.h"` those headers
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
    let list = list.to_string_lossy();
    let specs: Vec<(String, Headers)> = if list.trim() == "pkg-config" {
        package_headers(&cc)
    } else {
        let root = std::path::Path::new("/usr/include");
        rcffi_testkit::headers::named_or_installed(&list, root)
            .into_iter()
            .filter(|h| rcffi_testkit::headers::compiles_alone(&cc, h, &[]))
            .map(|h| {
                let spec = Headers::new([h.as_str()]);
                (h, spec)
            })
            .collect()
    };
    let (checked, failures) = check_imports(specs.into_iter(), &cc, true);
    println!(
        "{checked} header imports checked, {} failed",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `RCFFI_ORACLE_IMPORTS=pkg-config`: every header in the include directories of every
/// pkg-config package (other than `/usr/include`) that gcc compiles alone with the package's
/// flags, each imported with the package (`Headers::pkg_config`).
fn package_headers(cc: &Compiler) -> Vec<(String, Headers)> {
    let run = |args: &[&str]| -> String {
        std::process::Command::new("pkg-config")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let mut specs = Vec::new();
    for package in run(&["--list-all"])
        .lines()
        .filter_map(|l| l.split_whitespace().next())
    {
        let cflags = run(&["--cflags", package]);
        let flags: Vec<&str> = cflags.split_whitespace().collect();
        for dir in flags.iter().filter_map(|f| f.strip_prefix("-I")) {
            if dir == "/usr/include" {
                continue;
            }
            let root = std::path::Path::new(dir);
            for h in rcffi_testkit::headers::named_or_installed("all", root) {
                let mut args = flags.clone();
                args.push("-fsyntax-only");
                let source = format!("#include <{h}>\n");
                if rcffi_testkit::headers::run_preprocessor(cc, &args, &source).is_ok() {
                    specs.push((
                        format!("{package}: {h}"),
                        Headers::new([h.as_str()]).pkg_config(package),
                    ));
                }
            }
        }
    }
    specs
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

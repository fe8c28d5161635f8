//! Macro values against gcc's: the macros of `grammar-tests/preprocess/macro-values.cdef`, and
//! every macro of real headers (`gcc -E` text for the declarations, then `gcc -dM -E` text for
//! the macros, both given to `cdef` as they are). For each macro rcffi gives a value — an
//! integer with its C type, a float, a string, a pointer constant — a probe program built by
//! gcc prints gcc's value; they must be equal. The `-dM` text must import whole: what has no
//! value is reported with its place, never a refusal.

use rcffi_cdef::{Decl, MacroValue};
use rcffi_cdef::{Registry, Target};
use rcffi_testkit::headers;
use rcffi_testkit::macros::{gcc_integer_macros, gcc_values, macro_definitions, rcffi_values};
use rcffi_testkit::oracle::Compiler;

fn compiler() -> Option<Compiler> {
    let cc = Compiler::for_target(&Target::host());
    if cc.is_none() {
        eprintln!("gcc is not installed: skipped");
    }
    cc
}

/// Compares every valued macro of `reg` with gcc's value under `prelude`.
fn compare(cc: &Compiler, reg: &Registry, prelude: &str) -> (usize, Vec<String>) {
    let ours = rcffi_values(reg);
    let theirs = gcc_values(cc, prelude, &ours).expect("the probe runs");
    let mut wrong = Vec::new();
    for (name, v) in &ours {
        match theirs.get(name) {
            Some(g) if g == v => {}
            Some(g) => wrong.push(format!("{name}: rcffi {v}, gcc {g}")),
            None => wrong.push(format!("{name}: gcc printed nothing (rcffi {v})")),
        }
    }
    (ours.len(), wrong)
}

#[test]
fn macro_kinds_match_gcc() {
    let Some(cc) = compiler() else { return };
    let path = headers_root().join("grammar-tests/preprocess/macro-values.cdef");
    let text = std::fs::read_to_string(&path).expect("the macro case");
    let text = text.split("/*===").next().unwrap_or_default();
    let mut reg = Registry::new();
    reg.cdef(text).expect("the macro case is a cdef");
    let (n, wrong) = compare(&cc, &reg, text);
    assert!(n >= 15, "only {n} macros with values");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn headers_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn header_macros_match_gcc() {
    let Some(cc) = compiler() else { return };
    let mut total = 0;
    let mut failures = Vec::new();
    for set in [
        &["zlib.h"][..],
        &[
            "stdio.h", "stdlib.h", "errno.h", "limits.h", "stdint.h", "float.h", "math.h",
        ],
        &[
            "fcntl.h",
            "signal.h",
            "sys/stat.h",
            "unistd.h",
            "sys/socket.h",
            "netinet/in.h",
        ],
        &["sqlite3.h"],
        &["png.h"],
        &["openssl/evp.h"],
        &["curl/curl.h"],
    ] {
        let decls = match headers::preprocess(&cc, set, &[]) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{set:?}: not installed here ({e:#}): skipped");
                continue;
            }
        };
        let defs = macro_definitions(&cc, set).expect("gcc -dM -E");
        let mut reg = Registry::new();
        reg.cdef(&decls).expect("the declarations import");
        let report = match reg.cdef(&defs) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{set:?}: the -dM text is refused: {e}"));
                continue;
            }
        };
        let prelude: String = set.iter().map(|h| format!("#include <{h}>\n")).collect();
        let (n, wrong) = compare(&cc, &reg, &prelude);
        total += n;
        println!(
            "{set:?}: {n} macros with values equal to gcc's, {} skipped",
            report.skipped_macros.len()
        );
        // What was skipped, by reason (`--nocapture`), with an example of each.
        let mut reasons: std::collections::BTreeMap<String, (usize, String)> = Default::default();
        for m in &report.skipped_macros {
            let key: String = m.reason.split('\'').next().unwrap_or_default().to_string();
            let e = reasons
                .entry(key)
                .or_insert((0, format!("{}: {}", m.name, m.reason)));
            e.0 += 1;
        }
        for (why, (count, example)) in &reasons {
            println!("    {count:5} {why}... e.g. {example}");
        }
        failures.extend(wrong.into_iter().map(|w| format!("{set:?}: {w}")));
        // Every macro gcc evaluates as an integer constant is an integer for rcffi too.
        let object_like: Vec<String> = reg
            .decls()
            .filter(|(_, d)| match d {
                Decl::Macro(MacroValue::Function(_) | MacroValue::Undefined) => false,
                Decl::Macro(_) => true,
                _ => false,
            })
            .map(|(n, _)| n.to_string())
            .collect();
        let gcc_ints = gcc_integer_macros(&cc, &prelude, &object_like).expect("the integer probe");
        // (`__LINE__` and its kind have a value only where they are used.)
        let missing: Vec<String> = gcc_ints
            .iter()
            .filter(|n| match reg.decl(n) {
                Some(Decl::Macro(MacroValue::Int(_))) => false,
                Some(Decl::Macro(MacroValue::Skipped(why))) => {
                    !why.contains("where the macro is used")
                }
                _ => true,
            })
            .map(|n| {
                format!(
                    "{n} ({})",
                    reg.decl(n).map_or("?".into(), |d| format!("{d:?}"))
                )
            })
            .collect();
        let where_used = gcc_ints
            .iter()
            .filter(|n| matches!(reg.decl(n), Some(Decl::Macro(MacroValue::Skipped(w))) if w.contains("where the macro is used")))
            .count();
        println!(
            "  integer macros: rcffi {} of the {} gcc evaluates ({where_used} more have a value only where used: __LINE__)",
            gcc_ints.len() - missing.len() - where_used,
            gcc_ints.len() - where_used
        );
        failures.extend(
            missing
                .into_iter()
                .map(|m| format!("{set:?}: gcc evaluates {m}")),
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if total > 0 {
        assert!(total > 1000, "only {total} macros had values");
    }
}

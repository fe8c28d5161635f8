//! Real system headers preprocessed with `gcc -E` are accepted by cdef, and gcc agrees with
//! every layout and constant of their records (one test per header, one with all of them under
//! `_GNU_SOURCE`, and the same for AArch64 when its cross compiler is installed).
//!
//! Opt-in, for the host's compiler: `RCFFI_ORACLE_HEADERS="a.h b/c.h"` checks those headers
//! too, and `RCFFI_ORACLE_HEADERS=all` every `.h` under `/usr/include` that gcc compiles alone
//! (`cargo test -p rcffi-testkit --release --test oracle_headers -- extra/`);
//! `RCFFI_ORACLE_DEFINES="_GNU_SOURCE"` defines those macros first (separated by spaces), and
//! `RCFFI_ORACLE_TARGET=aarch64-linux` checks the AArch64 cross compiler's headers
//! (`/usr/aarch64-linux-gnu/include`) with it instead.

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use rcffi_cdef::{Registry, Target};
use rcffi_testkit::headers::{self, HEADERS};
use rcffi_testkit::oracle::{self, Compiler, Includes};

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for target in [Target::x86_64_linux(), Target::aarch64_linux()] {
        let cc = Compiler::for_target(&target);
        let mut add = |name: String, list: Vec<&'static str>, defines: Vec<&'static str>| {
            let cc = cc.clone();
            let target = target.clone();
            let ignored = cc.is_none();
            trials.push(
                Trial::test(format!("{}/{name}", target.name), move || {
                    check(&target, cc.as_ref(), &list, &defines)
                })
                .with_ignored_flag(ignored),
            );
        };
        for h in HEADERS {
            add(h.to_string(), vec![h], vec![]);
        }
        add(
            "all-gnu-source".into(),
            HEADERS.to_vec(),
            vec!["_GNU_SOURCE"],
        );
    }
    let (target, root) = match std::env::var("RCFFI_ORACLE_TARGET").as_deref() {
        Ok("aarch64-linux") => (Target::aarch64_linux(), "/usr/aarch64-linux-gnu/include"),
        _ => (Target::host(), "/usr/include"),
    };
    if let (Some(list), Some(cc)) = (
        std::env::var_os("RCFFI_ORACLE_HEADERS"),
        Compiler::for_target(&target),
    ) {
        let defines: Vec<String> = std::env::var("RCFFI_ORACLE_DEFINES")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        for h in headers::named_or_installed(&list.to_string_lossy(), Path::new(root)) {
            let cc = cc.clone();
            let defines = defines.clone();
            let target = target.clone();
            trials.push(Trial::test(format!("extra/{h}"), move || {
                let defines: Vec<&str> = defines.iter().map(String::as_str).collect();
                if !headers::compiles_alone(&cc, &h, &defines) {
                    // gcc rejects it too (it needs another header first, or is for C++).
                    return Ok(());
                }
                check(&target, Some(&cc), &[h.as_str()], &defines)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit()
}

fn check(
    target: &Target,
    cc: Option<&Compiler>,
    list: &[&str],
    defines: &[&str],
) -> Result<(), Failed> {
    let cc = cc.ok_or("no compiler")?;
    let text = headers::preprocess(cc, list, defines).map_err(|e| format!("{e:#}"))?;
    let mut reg = Registry::with_target(target.clone());
    reg.cdef(&text)
        .map_err(|e| format!("rcffi rejected the preprocessed header: {e}"))?;
    oracle::check(&reg, &text, Includes::None, cc).map_err(|e| format!("{e:#}"))?;
    Ok(())
}

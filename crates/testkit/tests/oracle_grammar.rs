//! gcc checks the layouts and constants of every grammar-test that declares without error
//! (one test per file; cases marked `// oracle: skip` are listed as ignored).

use anyhow::anyhow;
use libtest_mimic::{Arguments, Failed, Trial};
use rcffi_testkit::grammar::{self, Oracle, Step};
use rcffi_testkit::oracle::{self, Compiler, Includes};

fn main() -> anyhow::Result<()> {
    let args = Arguments::from_args();
    let root = grammar::grammar_dir();
    let mut trials = Vec::new();
    for path in grammar::case_files(&root)? {
        let case = grammar::load(&path, &root)?;
        let ignored = !matches!(case.oracle, Oracle::Check);
        let name = case.name.clone();
        trials.push(Trial::test(name, move || check(&case)).with_ignored_flag(ignored));
    }
    libtest_mimic::run(&args, trials).exit()
}

fn check(case: &grammar::Case) -> Result<(), Failed> {
    let Some(mut cc) = Compiler::for_target(&case.target) else {
        return Err(format!(
            "no C compiler for {} (install gcc, or gcc-aarch64-linux-gnu for aarch64 cases)",
            case.target.name
        )
        .into());
    };
    if let Some(std) = &case.std {
        cc.std.clone_from(std);
    }
    let (output, reg) = grammar::run(case);
    if output.lines().any(|l| l.starts_with("error[")) {
        return Err(anyhow!(
            "{}: a case with errors must say '// oracle: skip <reason>'",
            case.name
        )
        .to_string()
        .into());
    }
    // The cdef options become pragmas that gcc understands.
    let text: String = case
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Cdef { text, options } => Some(match (options.packed, options.pack) {
                (true, _) => format!("#pragma pack(push, 1)\n{text}\n#pragma pack(pop)"),
                (false, Some(n)) => format!("#pragma pack(push, {n})\n{text}\n#pragma pack(pop)"),
                _ => text.clone(),
            }),
            Step::Type(_) => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    oracle::check(&reg, &text, Includes::Builtins, &cc)
        .map_err(|e| Failed::from(format!("{}: {e:#}", case.name)))?;
    Ok(())
}

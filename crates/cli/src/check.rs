//! `rcffi check`: a library against its header (or a cdef): every declared function it does
//! not export, every variable whose size or kind differs from its symbol's (the library's
//! `Lib::check`), and with `--exports` the exported symbols the header does not declare.
//! The exit status says whether anything was found.

use crate::out::outln;
use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use object::{Object as _, ObjectSymbol as _, SymbolKind};

use crate::decls::Decls;

/// `rcffi check`'s arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    decls: Decls,
    /// The library: a short name (z, sqlite3) or a file (./libfoo.so)
    #[arg(short = 'l', long = "lib", value_name = "LIB", required = true)]
    lib: String,
    /// Check every declaration, also those of the headers the named headers include (by
    /// default only the named headers' own and the cdef files')
    #[arg(long)]
    all: bool,
    /// Also list the library's exported functions and variables that nothing declares
    #[arg(long)]
    exports: bool,
    /// Also print a line for each declaration that matches
    #[arg(short, long)]
    verbose: bool,
}

/// Runs `rcffi check`.
pub(crate) fn run(args: Args) -> Result<ExitCode> {
    args.decls.host_only("rcffi check")?;
    let loaded = args.decls.load("rcffi check")?;
    let ffi = &loaded.ffi;
    let names: Vec<String> = ffi.with_registry(|r| {
        let is_symbol = |n: &str| {
            matches!(
                r.decl(n),
                Some(
                    rcffi::rcffi_cdef::Decl::Function { .. }
                        | rcffi::rcffi_cdef::Decl::Variable { .. }
                )
            )
        };
        let mut seen = BTreeSet::new();
        let candidates: Vec<String> = if args.all {
            r.decls().map(|(n, _)| n.to_string()).collect()
        } else {
            loaded.own.clone()
        };
        candidates
            .into_iter()
            .filter(|n| is_symbol(n) && seen.insert(n.clone()))
            .collect()
    });
    // SAFETY: nothing of the library is called or read: its symbols are looked up and
    // compared with their declarations. Opening it runs its initialisers, which any program
    // linking it runs too.
    let lib = unsafe { ffi.dlopen(&args.lib) }?;
    let problems = lib.check_names(names.iter().map(String::as_str))?;
    for p in &problems {
        outln!("{p}");
    }
    if args.verbose {
        let bad: BTreeSet<&str> = problems.iter().map(|p| p.name()).collect();
        for name in names.iter().filter(|n| !bad.contains(n.as_str())) {
            let function = ffi.with_registry(|r| {
                matches!(r.decl(name), Some(rcffi::rcffi_cdef::Decl::Function { .. }))
            });
            let what = if function { "function" } else { "variable" };
            outln!("ok: {what} '{name}'");
        }
    }
    let mut undeclared = Vec::new();
    if args.exports {
        let path = lib
            .path()
            .with_context(|| format!("no file is known for library '{}'", args.lib))?;
        let declared: BTreeSet<String> = ffi.with_registry(|r| {
            r.decls()
                .filter_map(|(n, d)| match d {
                    rcffi::rcffi_cdef::Decl::Function { symbol, .. }
                    | rcffi::rcffi_cdef::Decl::Variable { symbol, .. } => {
                        Some(symbol.as_deref().unwrap_or(n).to_string())
                    }
                    _ => None,
                })
                .collect()
        });
        for (name, kind) in exports(path)? {
            if !declared.contains(&name) {
                outln!("{kind} '{name}' is exported, but not declared");
                undeclared.push(name);
            }
        }
    }
    let found = problems.len() + undeclared.len();
    outln!(
        "{} declaration{} checked against {}: {found} problem{}",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        lib.path()
            .map_or(args.lib.clone(), |p| p.display().to_string()),
        if found == 1 { "" } else { "s" }
    );
    Ok(if found == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The functions and variables a shared library's dynamic symbol table defines, sorted.
fn exports(path: &std::path::Path) -> Result<Vec<(String, &'static str)>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = object::File::parse(&*bytes)
        .with_context(|| format!("{} is not an object file rcffi can read", path.display()))?;
    let mut out = BTreeSet::new();
    for sym in file.dynamic_symbols() {
        // Version definitions (`ZLIB_1.2.9`) are absolute symbols, not functions or data.
        if sym.is_undefined()
            || !sym.is_global()
            || sym.section() == object::SymbolSection::Absolute
        {
            continue;
        }
        let kind = match sym.kind() {
            SymbolKind::Text => "function",
            SymbolKind::Data | SymbolKind::Tls => "variable",
            _ => continue,
        };
        let Ok(name) = sym.name() else { continue };
        if name.is_empty() {
            continue;
        }
        out.insert((name.to_string(), kind));
    }
    if out.is_empty() && file.format() != object::BinaryFormat::Elf {
        bail!("{} has no dynamic symbols rcffi can read", path.display());
    }
    Ok(out.into_iter().collect())
}

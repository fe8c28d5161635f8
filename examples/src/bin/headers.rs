//! Imports installed headers — declarations and macros — and says what came of them: how many
//! names, how long the preprocessor and the cdef took, and what was skipped and why.
//!
//! `cargo run --release -p rcffi-examples --bin headers -- [--pkg PACKAGE]... [-DNAME...] HEADER...`
//!
//! e.g. `... --bin headers -- zlib.h`, `... -- --pkg glib-2.0 glib.h`,
//! `... -- --pkg gtk+-3.0 gtk/gtk.h`.

use anyhow::{Result, bail};
use rcffi::{Ffi, Headers};

fn main() -> Result<()> {
    let mut headers = Vec::new();
    let mut flags = Vec::new();
    let mut packages = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--pkg" {
            let Some(p) = args.next() else {
                bail!("--pkg needs a package name");
            };
            packages.push(p);
        } else if a.starts_with('-') {
            flags.push(a);
        } else {
            headers.push(a);
        }
    }
    if headers.is_empty() {
        bail!("usage: headers [--pkg PACKAGE]... [-DNAME|-I DIR...] HEADER...");
    }
    let mut spec = Headers::new(headers.clone()).flags(flags);
    for p in packages {
        spec = spec.pkg_config(p);
    }
    let ffi = Ffi::default();
    let report = ffi.include_headers(&spec)?;
    let reg = ffi.registry();
    let macros = reg
        .decls()
        .filter(|(_, d)| matches!(d, rcffi::rcffi_cdef::Decl::Macro(v) if v.is_usable()))
        .count();
    println!("{}", headers.join(" "));
    println!(
        "  preprocessor: {:.1} ms{} ({} KiB of text: {})",
        report.preprocess_time.as_secs_f64() * 1e3,
        if report.cached {
            ", from the cache"
        } else {
            ""
        },
        report.text_bytes / 1024,
        report.preprocessor.join(" ")
    );
    println!(
        "  cdef: {:.1} ms, {} names declared ({} macros with a value), {} definitions (inline and static) and {} macros skipped",
        report.cdef_time.as_secs_f64() * 1e3,
        report.cdef.declared.len(),
        macros,
        report.cdef.skipped_definitions.len(),
        report.cdef.skipped_macros.len()
    );
    for m in report
        .cdef
        .skipped_macros
        .iter()
        .filter(|m| m.location.file.contains(&*headers[0]))
        .take(5)
    {
        println!(
            "  skipped {} ({}:{}): {}",
            m.name, m.location.file, m.location.line, m.reason
        );
    }
    Ok(())
}

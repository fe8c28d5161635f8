//! Prints the registry dump of a cdef file (or stdin), or its error: a debugging aid.
//!
//! `cargo run -p rcffi-testkit --bin cdef-dump -- FILE [--target aarch64-linux]`

use std::io::Read;

use rcffi_cdef::{Registry, Target};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut target = Target::host();
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => {
                target = match it.next().map(String::as_str) {
                    Some("aarch64-linux") => Target::aarch64_linux(),
                    _ => Target::x86_64_linux(),
                }
            }
            f => file = Some(f.to_string()),
        }
    }
    let text = match file {
        Some(f) => std::fs::read_to_string(f)?,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        }
    };
    let mut reg = Registry::with_target(target);
    match reg.cdef(&text) {
        Ok(report) => {
            print!("{}", reg.dump());
            if !report.skipped_definitions.is_empty() {
                println!(
                    "skipped definitions: {}",
                    report
                        .skipped_definitions
                        .iter()
                        .map(|d| &*d.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        Err(e) => println!("error[{}]: {e}", e.kind().name()),
    }
    Ok(())
}

//! Prints how much the gcc oracle checks for a batch of generated records (a sanity aid).
//!
//! `cargo run -p rcffi-testkit --bin oracle-stats -- [SEED] [COUNT]`

use rcffi_cdef::{Registry, Target};
use rcffi_testkit::generate;
use rcffi_testkit::oracle::{self, Compiler, Includes};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().map_or(Ok(1), |s| s.parse())?;
    let count: usize = args.next().map_or(Ok(100), |s| s.parse())?;
    let target = Target::host();
    let batch = generate::records(seed, count, "s_");
    let mut reg = Registry::with_target(target.clone());
    reg.cdef(&batch.text)?;
    let cc = Compiler::for_target(&target).ok_or_else(|| anyhow::anyhow!("no gcc"))?;
    let checked = oracle::check(&reg, &batch.text, Includes::None, &cc)?;
    println!(
        "{} records, {} enums ({} attributes in C23's spelling): {} assertions, {} bitfields \
         compared",
        batch.records,
        batch.enums,
        batch.text.matches("[[").count(),
        checked.asserts,
        checked.bitfields
    );
    Ok(())
}

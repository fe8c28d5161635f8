//! gcc checks seeded random records: 2,000 by default, as many as `RCFFI_ORACLE_RECORDS` asks
//! (`RCFFI_ORACLE_RECORDS=100000 cargo test -p rcffi-testkit --release --test oracle_random`).
//! `RCFFI_ORACLE_SEED` changes the seed. The records are checked in batches of 100, one test
//! per batch, for x86-64 and, when `aarch64-linux-gnu-gcc` is installed, for AArch64.

use libtest_mimic::{Arguments, Failed, Trial};
use rcffi_cdef::{Registry, Target};
use rcffi_testkit::generate;
use rcffi_testkit::oracle::{self, Compiler, Includes};

const BATCH: usize = 100;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args = Arguments::from_args();
    let total = env_u64("RCFFI_ORACLE_RECORDS", 2000) as usize;
    let seed = env_u64("RCFFI_ORACLE_SEED", 0x5EED_CDEF);
    let batches = total.div_ceil(BATCH);
    let mut trials = Vec::new();
    for target in [Target::x86_64_linux(), Target::aarch64_linux()] {
        let cc = Compiler::for_target(&target);
        // Other targets get a quarter of the records: the rules they differ in are few.
        let n = if target == Target::host() {
            batches
        } else {
            batches.div_ceil(4)
        };
        for b in 0..n {
            let cc = cc.clone();
            let target = target.clone();
            let name = format!("{}/batch-{b:04}", target.name);
            let ignored = cc.is_none();
            trials.push(
                Trial::test(name, move || {
                    run_batch(&target, cc.as_ref(), seed.wrapping_add(b as u64), b)
                })
                .with_ignored_flag(ignored),
            );
        }
    }
    libtest_mimic::run(&args, trials).exit()
}

fn run_batch(target: &Target, cc: Option<&Compiler>, seed: u64, b: usize) -> Result<(), Failed> {
    let cc = cc.ok_or("no compiler")?;
    let batch = generate::records(seed, BATCH, &format!("b{b}_"));
    let mut reg = Registry::with_target(target.clone());
    if let Err(e) = reg.cdef(&batch.text) {
        return Err(format!(
            "seed {seed:#x}: rcffi rejected generated text: {e}\n{}",
            batch.text
        )
        .into());
    }
    oracle::check(&reg, &batch.text, Includes::None, cc).map_err(|e| {
        let msg = e.to_string();
        let names: Vec<&str> = msg
            .lines()
            .filter_map(|l| {
                l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .find(|w| w.starts_with(&format!("b{b}_")))
            })
            .collect();
        let culprits: Vec<&str> = batch
            .text
            .lines()
            .filter(|l| names.iter().any(|n| l.contains(&format!(" {n} "))))
            .collect();
        Failed::from(format!(
            "seed {seed:#x} ({}): {e:#}\nrecords involved:\n{}",
            target.name,
            culprits.join("\n")
        ))
    })?;
    Ok(())
}

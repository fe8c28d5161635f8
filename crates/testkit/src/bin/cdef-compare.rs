//! Times, in one run on the same text, rcffi's `cdef`, lang-c's bare `parse_preprocessed`, and
//! Python cffi's `ffi.cdef`, and prints a markdown table with the ratios
//! (`bench/cdef-vs-cffi` runs it in release mode).
//!
//! `cargo run --release -p rcffi-testkit --bin cdef-compare -- [DECLARATIONS] [RUNS]`

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use lang_c::driver::{Config, Flavor, parse_preprocessed};
use rcffi_cdef::{CdefOptions, Registry};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<R>(runs: usize, mut f: impl FnMut() -> R) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect::<Vec<_>>()
        .pipe(median)
}

trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}

const CFFI_TIMER: &str = r#"
import sys, time, statistics
import cffi
text = open(sys.argv[1]).read()
runs = int(sys.argv[2])
times = []
for _ in range(runs):
    ffi = cffi.FFI()
    t = time.perf_counter()
    ffi.cdef(text)
    times.append(time.perf_counter() - t)
print(statistics.median(times))
"#;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let decls: usize = args.next().map_or(Ok(6000), |s| s.parse())?;
    let runs: usize = args.next().map_or(Ok(15), |s| s.parse())?;
    let text = rcffi_testkit::generate::cffi_subset(decls);

    // lang-c alone: the same text, with `size_t` (a cffi built-in) declared for it.
    let lang_c_text = format!("typedef unsigned long size_t;\n{text}");
    let config = Config {
        cpp_command: String::new(),
        cpp_options: Vec::new(),
        flavor: Flavor::GnuC11,
    };
    parse_preprocessed(&config, lang_c_text.clone()).map_err(|e| anyhow::anyhow!("lang-c: {e}"))?;
    let lang_c = time(runs, || parse_preprocessed(&config, lang_c_text.clone()));

    Registry::new().cdef(&text)?;
    let rcffi = time(runs, || {
        let mut reg = Registry::new();
        reg.cdef(&text).map(|_| reg)
    });
    let one_thread = CdefOptions {
        threads: Some(1),
        ..Default::default()
    };
    let rcffi_1 = time(runs, || {
        let mut reg = Registry::new();
        reg.cdef_with(&text, &one_thread).map(|_| reg)
    });

    let mut file = tempfile_path()?;
    file.1.write_all(text.as_bytes())?;
    let cffi_runs = runs.min(5).to_string();
    let out = Command::new("python3")
        .args([
            "-c",
            CFFI_TIMER,
            file.0.to_str().unwrap_or_default(),
            &cffi_runs,
        ])
        .output();
    let cffi: Option<Duration> = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout)
            .trim()
            .parse::<f64>()
            .ok()
            .map(Duration::from_secs_f64),
        Ok(o) => {
            eprintln!(
                "python3 cffi failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            None
        }
        Err(e) => {
            eprintln!("python3 not runnable: {e}");
            None
        }
    };
    let _ = std::fs::remove_file(&file.0);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "cdef of {decls} declarations ({} bytes), median of {runs} runs (cffi: {cffi_runs}):\n",
        text.len()
    );
    println!("| parser | ms | declarations/s | vs rcffi |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, d: Duration| {
        println!(
            "| {name} | {:.2} | {:.0} | {:.2}× |",
            ms(d),
            decls as f64 / d.as_secs_f64(),
            d.as_secs_f64() / rcffi.as_secs_f64()
        );
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    row(
        &format!("rcffi `cdef` (pre-pass, parse, lowering, layout; {threads} threads)"),
        rcffi,
    );
    row("rcffi `cdef`, one thread", rcffi_1);
    row("lang-c bare `parse_preprocessed`", lang_c);
    if let Some(c) = cffi {
        row("Python cffi 2.0 `ffi.cdef`", c);
    }
    println!();
    println!(
        "rcffi / lang-c bare parse: {:.2} (goal: at most 1.5)",
        rcffi.as_secs_f64() / lang_c.as_secs_f64()
    );
    println!(
        "rcffi one thread / lang-c bare parse: {:.2}",
        rcffi_1.as_secs_f64() / lang_c.as_secs_f64()
    );
    if let Some(c) = cffi {
        println!(
            "cffi / rcffi: {:.1}× faster (goal: at least 30×)",
            c.as_secs_f64() / rcffi.as_secs_f64()
        );
    }
    Ok(())
}

fn tempfile_path() -> anyhow::Result<(std::path::PathBuf, std::fs::File)> {
    let path = std::env::temp_dir().join(format!("rcffi-cdef-compare-{}.h", std::process::id()));
    let f = std::fs::File::create(&path)?;
    Ok((path, f))
}

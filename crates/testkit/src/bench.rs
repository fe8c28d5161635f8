//! Helpers of the benchmark programs (`src/bin/*-compare.rs`, `call-profile`): timing loops,
//! running a Python script that times statements, and the qsort input and comparator shared
//! by every language.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

/// One timed operation: its name in the table, and its spelling in Python's cffi and ctypes.
pub struct Op {
    /// The table's name for it.
    pub name: &'static str,
    /// The statement for cffi.
    pub cffi: &'static str,
    /// The statement for ctypes.
    pub ctypes: &'static str,
}

/// One run of `iterations` calls of `f`, in ns per call.
fn run_ns(iterations: usize, f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..iterations {
        f();
    }
    t.elapsed().as_nanos() as f64 / iterations.max(1) as f64
}

/// The median over `runs` runs of `iterations` calls of `f`, in ns per call.
pub fn median_ns(iterations: usize, runs: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..runs.max(1))
        .map(|_| run_ns(iterations, &mut f))
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The best (the least) over `runs` runs of `iterations` calls of `f`, in ns per call: the
/// figure for a loop compared with Python's `min(timeit.repeat(...))` on a loaded machine,
/// whose other load only ever slows a run down.
///
/// ```
/// let ns = rcffi_testkit::bench::best_ns(1000, 3, || {});
/// assert!(ns >= 0.0 && ns.is_finite());
/// ```
pub fn best_ns(iterations: usize, runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs.max(1))
        .map(|_| run_ns(iterations, &mut f))
        .fold(f64::INFINITY, f64::min)
}

/// ns per iteration of `a` and of `b`, each the best of `runs` runs of `iterations`, run in turn:
/// for two Rust loops compared on a loaded machine, whose other load only ever slows a run
/// down (in turn, both see the same spells of it).
///
/// ```
/// let (a, b) = rcffi_testkit::bench::best_pair_ns(1000, 3, || {}, || {});
/// assert!(a >= 0.0 && b >= 0.0);
/// ```
pub fn best_pair_ns(
    iterations: usize,
    runs: usize,
    mut a: impl FnMut(),
    mut b: impl FnMut(),
) -> (f64, f64) {
    (0..runs.max(1)).fold((f64::INFINITY, f64::INFINITY), |(ba, bb), _| {
        (
            ba.min(run_ns(iterations, &mut a)),
            bb.min(run_ns(iterations, &mut b)),
        )
    })
}

/// Runs `python3 -c script args... json(stmts)`; the script prints a flat JSON object from
/// each statement to its time. Returns the times in the order of `stmts`.
pub fn python_times(script: &str, args: &[&str], stmts: &[&str]) -> Result<Vec<f64>> {
    let json = format!(
        "[{}]",
        stmts
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let out = Command::new("python3")
        .args(["-c", script])
        .args(args)
        .arg(&json)
        .output()
        .context("running python3")?;
    if !out.status.success() {
        bail!(
            "python3 failed (is cffi installed?): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = String::from_utf8(out.stdout)?;
    stmts.iter().map(|s| json_number(&text, s)).collect()
}

/// The number under `key` in `text`, a flat JSON object of numbers as the Python scripts print
/// it (parsed by hand to keep testkit's dependencies small).
///
/// ```
/// let text = r#"{"a + 1": 2.5, "b": 7}"#;
/// assert_eq!(rcffi_testkit::bench::json_number(text, "b")?, 7.0);
/// assert!(rcffi_testkit::bench::json_number(text, "c").is_err());
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn json_number(text: &str, key: &str) -> Result<f64> {
    let quoted = format!("{key:?}: ");
    let at = text
        .find(&quoted)
        .with_context(|| format!("{key} missing from {text}"))?
        + quoted.len();
    let rest = &text[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Ok(rest[..end].trim().parse::<f64>()?)
}

/// Sixteen of the fixture library's identity functions (`id_int`...), each taking and returning
/// one small integer: calls by name over many functions in turn (`call-profile byname16`,
/// `scaling-compare`'s two-thread row).
pub const IDENTITY_FUNCTIONS: [&str; 16] = [
    "id_int",
    "id_uint",
    "id_long",
    "id_ulong",
    "id_llong",
    "id_ullong",
    "id_short",
    "id_ushort",
    "id_schar",
    "id_uchar",
    "id_i8",
    "id_u8",
    "id_i16",
    "id_u16",
    "id_i32",
    "id_u32",
];

/// Declares sixteen struct types in `ffi` (`n0_t` to `n15_t`, of 1 to 16 `int`s) and returns a
/// pointer type string for each (`"n0_t *"`...): `new` over many type strings in turn
/// (`call-profile new16`, `scaling-compare`'s two-thread row).
///
/// ```
/// let ffi = rcffi::Ffi::default();
/// let types = rcffi_testkit::bench::sixteen_types(&ffi)?;
/// assert_eq!(ffi.sizeof(types[15].trim_end_matches(" *"))?, 64);
/// # Ok::<(), rcffi::Error>(())
/// ```
pub fn sixteen_types(ffi: &rcffi::Ffi) -> rcffi::Result<Vec<String>> {
    let mut decls = String::new();
    for i in 0..16 {
        decls.push_str(&format!("typedef struct {{ int v[{}]; }} n{i}_t;\n", i + 1));
    }
    ffi.cdef(&decls)?;
    Ok((0..16).map(|i| format!("n{i}_t *")).collect())
}

/// `n` pseudo-random ints from -1,000,000 to 1,000,000 (Park–Miller from 42): the qsort input,
/// computed the same way by the Python and Lua sides of the benchmark.
pub fn park_miller_ints(n: usize) -> Vec<i32> {
    let mut x: i64 = 42;
    (0..n)
        .map(|_| {
            x = x * 16807 % 2_147_483_647;
            (x % 2_000_001 - 1_000_000) as i32
        })
        .collect()
}

/// rcffi's qsort comparator of two `int`s, as the benchmarks time it: `int(*)(const void *,
/// const void *)`, reading each int with `deref`.
pub fn int_comparator(ffi: &rcffi::Ffi) -> rcffi::Result<rcffi::CData> {
    ffi.callback(
        "int(*)(const void *, const void *)",
        |a| -> rcffi::Result<i32> {
            // SAFETY: qsort passes pointers to two ints.
            let (x, y): (i32, i32) = unsafe { (a.deref(0)?, a.deref(1)?) };
            Ok(x.cmp(&y) as i32)
        },
    )
}

/// The same comparator written as a cffi user writes it: each argument as a value, cast to
/// `int *`, vouched for, and read (`ffi.cast("int *", a)[0]`).
pub fn int_comparator_cffi_style(ffi: &rcffi::Ffi) -> rcffi::Result<rcffi::CData> {
    ffi.callback(
        "int(*)(const void *, const void *)",
        |a| -> rcffi::Result<i32> {
            let ffi = a.ffi();
            let read = |i: usize| -> rcffi::Result<i32> {
                // SAFETY: qsort passes pointers to two ints.
                unsafe {
                    ffi.cast("int *", &a.get(i)?)?
                        .assume_valid(1)?
                        .get_as::<i32>(0)
                }
            };
            Ok(read(0)?.cmp(&read(1)?) as i32)
        },
    )
}

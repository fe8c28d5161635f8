//! Calls side by side, in one run: a direct Rust call (the function's address as an
//! `extern "C"` function pointer), raw libffi (`Cif::call` with prepared arguments), rcffi by
//! name and through a function handle, Python cffi (ABI mode) and ctypes, and LuaJIT's FFI with
//! the JIT on and off (when `luajit` is installed) — on the fixture library's functions and
//! libc's `strlen`. Prints a markdown table for docs/performance.md.
//!
//! `cargo run --release -p rcffi-testkit --bin call-compare -- [ITERATIONS] [RUNS]`
//! (or `bench/calls-vs-cffi`). Each figure is the median over RUNS runs of ITERATIONS calls,
//! in ns per call; Python's and LuaJIT's include their loop.

use std::hint::black_box;
use std::process::Command;

use anyhow::Context;
use libffi::middle::{Cif, CodePtr, Type, arg};
use rcffi::{Ffi, Value};
mod qsort;

use qsort::qsort_times;
use rcffi_testkit::bench::{Op, median_ns, python_times as python_times_of};

const CDEF: &str = "int bench_add(int a, int b);
double bench_addd(double a, double b);
double bench_mixed6(int a, double b, long long c, float d, int e, double f);
struct pt { int x, y; };
struct pt bench_mid(struct pt a, struct pt b);
size_t strlen(const char *s);";

/// The calls timed, with their Python spellings; LuaJIT's are in `LUA`.
const OPS: &[Op] = &[
    Op {
        name: "int add(int, int)",
        cffi: "lib.bench_add(1, 2)",
        ctypes: "clib.bench_add(1, 2)",
    },
    Op {
        name: "double add(double, double)",
        cffi: "lib.bench_addd(1.5, 2.5)",
        ctypes: "clib.bench_addd(1.5, 2.5)",
    },
    Op {
        name: "6 mixed arguments",
        cffi: "lib.bench_mixed6(1, 2.5, 3, 4.5, 5, 6.5)",
        ctypes: "clib.bench_mixed6(1, 2.5, 3, 4.5, 5, 6.5)",
    },
    Op {
        name: "struct pt mid(struct pt, struct pt)",
        cffi: "lib.bench_mid(pa, pb)",
        ctypes: "clib.bench_mid(cpa, cpb)",
    },
    Op {
        name: "strlen(c\"hello\")",
        cffi: "libc.strlen(b'hello')",
        ctypes: "clibc.strlen(b'hello')",
    },
];

const PYTHON: &str = r#"
import sys, timeit, statistics, ctypes, ctypes.util, json
import cffi
path, n, runs, which = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[5]
ffi = cffi.FFI()
ffi.cdef(sys.argv[4])
lib = ffi.dlopen(path)
libc = ffi.dlopen(None)
pa = ffi.new("struct pt *", [1, 2])[0]; pb = ffi.new("struct pt *", [3, 4])[0]
class PT(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]
clib = ctypes.CDLL(path)
clib.bench_add.argtypes = [ctypes.c_int, ctypes.c_int]; clib.bench_add.restype = ctypes.c_int
clib.bench_addd.argtypes = [ctypes.c_double] * 2; clib.bench_addd.restype = ctypes.c_double
clib.bench_mixed6.argtypes = [ctypes.c_int, ctypes.c_double, ctypes.c_longlong, ctypes.c_float,
                              ctypes.c_int, ctypes.c_double]
clib.bench_mixed6.restype = ctypes.c_double
clib.bench_mid.argtypes = [PT, PT]; clib.bench_mid.restype = PT
cpa, cpb = PT(1, 2), PT(3, 4)
clibc = ctypes.CDLL(ctypes.util.find_library("c"))
clibc.strlen.argtypes = [ctypes.c_char_p]; clibc.strlen.restype = ctypes.c_size_t
out = {}
for stmt in json.loads(which):
    t = timeit.Timer(stmt, globals=globals())
    out[stmt] = statistics.median(t.timeit(n) / n * 1e9 for _ in range(runs))
print(json.dumps(out))
"#;

const LUA: &str = r#"
local ffi = require("ffi")
local path, n, runs, joff = arg[1], tonumber(arg[2]), tonumber(arg[3]), arg[4] == "off"
if joff then jit.off() end
ffi.cdef([[
int bench_add(int a, int b);
double bench_addd(double a, double b);
double bench_mixed6(int a, double b, long long c, float d, int e, double f);
struct pt { int x, y; };
struct pt bench_mid(struct pt a, struct pt b);
size_t strlen(const char *s);
]])
local lib = ffi.load(path)
local libc = ffi.C
local pa, pb = ffi.new("struct pt", 1, 2), ffi.new("struct pt", 3, 4)
local function bench(f)
  local times = {}
  for r = 1, runs do
    local t = os.clock()
    f(n)
    times[r] = (os.clock() - t) / n * 1e9
  end
  table.sort(times)
  return times[math.floor(runs / 2) + 1]
end
local s = 0
local out = {
  bench(function(n) for i = 1, n do s = s + lib.bench_add(i, 2) end end),
  bench(function(n) for i = 1, n do s = s + lib.bench_addd(1.5, 2.5) end end),
  bench(function(n) for i = 1, n do s = s + lib.bench_mixed6(1, 2.5, 3, 4.5, 5, 6.5) end end),
  bench(function(n) for i = 1, n do s = s + lib.bench_mid(pa, pb).x end end),
  bench(function(n) for i = 1, n do s = s + tonumber(libc.strlen("hello")) end end),
}
for i = 1, #out do io.write(string.format("%.3f\n", out[i])) end
"#;

#[repr(C)]
#[derive(Copy, Clone, rcffi::NativeType)]
#[rcffi(c = "struct pt")]
struct Pt {
    x: i32,
    y: i32,
}

/// Times of direct calls, raw libffi, rcffi by name, rcffi through a handle, rcffi typed
/// handles, and a handle's `call_as`.
fn rust_times(path: &str, iterations: usize, runs: usize) -> anyhow::Result<[Vec<f64>; 6]> {
    let ffi = Ffi::default();
    ffi.cdef(CDEF)?;
    // SAFETY: the fixture library and libc define these functions as CDEF declares them.
    let lib = unsafe { ffi.dlopen(path)? };
    // SAFETY: as above.
    let libc = unsafe { ffi.dlopen("c")? };
    let a = |name: &str| -> anyhow::Result<usize> {
        Ok(if name == "strlen" {
            libc.function(name)?.address()
        } else {
            lib.function(name)?.address()
        })
    };
    // SAFETY: each address is the function of the declared type.
    let (add, addd, mixed6, mid, strlen) = unsafe {
        (
            std::mem::transmute::<usize, extern "C" fn(i32, i32) -> i32>(a("bench_add")?),
            std::mem::transmute::<usize, extern "C" fn(f64, f64) -> f64>(a("bench_addd")?),
            std::mem::transmute::<usize, extern "C" fn(i32, f64, i64, f32, i32, f64) -> f64>(a(
                "bench_mixed6",
            )?),
            std::mem::transmute::<usize, extern "C" fn(Pt, Pt) -> Pt>(a("bench_mid")?),
            std::mem::transmute::<usize, extern "C" fn(*const u8) -> usize>(a("strlen")?),
        )
    };
    let (pa, pb) = (Pt { x: 1, y: 2 }, Pt { x: 3, y: 4 });
    let hello = c"hello";
    let direct = vec![
        median_ns(iterations, runs, || {
            black_box(add(black_box(1), black_box(2)));
        }),
        median_ns(iterations, runs, || {
            black_box(addd(black_box(1.5), black_box(2.5)));
        }),
        median_ns(iterations, runs, || {
            black_box(mixed6(black_box(1), 2.5, 3, 4.5, 5, 6.5));
        }),
        median_ns(iterations, runs, || {
            black_box(mid(black_box(pa), black_box(pb)));
        }),
        median_ns(iterations, runs, || {
            black_box(strlen(black_box(hello.as_ptr().cast())));
        }),
    ];

    // Raw libffi: interfaces prepared once, arguments already in place.
    let pt = || Type::structure([Type::i32(), Type::i32()]);
    let cifs = [
        Cif::new([Type::i32(), Type::i32()], Type::i32()),
        Cif::new([Type::f64(), Type::f64()], Type::f64()),
        Cif::new(
            [
                Type::i32(),
                Type::f64(),
                Type::i64(),
                Type::f32(),
                Type::i32(),
                Type::f64(),
            ],
            Type::f64(),
        ),
        Cif::new([pt(), pt()], pt()),
        Cif::new([Type::pointer()], Type::usize()),
    ];
    let code =
        |name: &str| -> anyhow::Result<CodePtr> { Ok(CodePtr::from_ptr(a(name)? as *const _)) };
    let (c_add, c_addd, c_mixed, c_mid, c_strlen) = (
        code("bench_add")?,
        code("bench_addd")?,
        code("bench_mixed6")?,
        code("bench_mid")?,
        code("strlen")?,
    );
    let hp = hello.as_ptr();
    // SAFETY: in each call, the interface matches the function, the arguments its parameters.
    let raw = vec![
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(cifs[0].call::<i32>(c_add, &[arg(&1i32), arg(&2i32)]));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(cifs[1].call::<f64>(c_addd, &[arg(&1.5f64), arg(&2.5f64)]));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(cifs[2].call::<f64>(
                c_mixed,
                &[
                    arg(&1i32),
                    arg(&2.5f64),
                    arg(&3i64),
                    arg(&4.5f32),
                    arg(&5i32),
                    arg(&6.5f64),
                ],
            ));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(cifs[3].call::<Pt>(c_mid, &[arg(&pa), arg(&pb)]));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(cifs[4].call::<usize>(c_strlen, &[arg(&hp)]));
        }),
    ];

    let spa = ffi.new("struct pt *", rcffi::list![1, 2])?.get(0)?;
    let spb = ffi.new("struct pt *", rcffi::list![3, 4])?.get(0)?;
    // SAFETY: in each call, the declared functions with arguments of their parameters' types.
    let by_name = vec![
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(lib.call("bench_add", (black_box(1), 2))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(lib.call("bench_addd", (black_box(1.5), 2.5))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(
                lib.call("bench_mixed6", (1, 2.5, 3, 4.5, 5, 6.5)),
            ));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(lib.call("bench_mid", (&spa, &spb))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(libc.call("strlen", (black_box(hello),))));
        }),
    ];
    let (h_add, h_addd, h_mixed, h_mid, h_strlen) = (
        lib.function("bench_add")?,
        lib.function("bench_addd")?,
        lib.function("bench_mixed6")?,
        lib.function("bench_mid")?,
        libc.function("strlen")?,
    );
    // SAFETY: as above.
    let handle = vec![
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(h_add.call((black_box(1), 2))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(h_addd.call((black_box(1.5), 2.5))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(h_mixed.call((1, 2.5, 3, 4.5, 5, 6.5))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(h_mid.call((&spa, &spb))));
        }),
        // SAFETY: the function matches its declaration (or interface) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            drop(black_box(h_strlen.call((black_box(hello),))));
        }),
    ];
    // Typed handles: the Rust signature checked once against the cdef.
    let t_add = lib.typed::<unsafe extern "C" fn(i32, i32) -> i32>("bench_add")?;
    let t_addd = lib.typed::<unsafe extern "C" fn(f64, f64) -> f64>("bench_addd")?;
    let t_mixed =
        lib.typed::<unsafe extern "C" fn(i32, f64, i64, f32, i32, f64) -> f64>("bench_mixed6")?;
    let t_mid = lib.typed::<unsafe extern "C" fn(Pt, Pt) -> Pt>("bench_mid")?;
    let t_strlen =
        libc.typed::<unsafe extern "C" fn(*const std::ffi::c_char) -> usize>("strlen")?;
    let typed = vec![
        // SAFETY: the function matches its declaration (checked) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(t_add(black_box(1), black_box(2)));
        }),
        // SAFETY: as above.
        median_ns(iterations, runs, || unsafe {
            black_box(t_addd(black_box(1.5), black_box(2.5)));
        }),
        // SAFETY: as above.
        median_ns(iterations, runs, || unsafe {
            black_box(t_mixed(black_box(1), 2.5, 3, 4.5, 5, 6.5));
        }),
        // SAFETY: as above.
        median_ns(iterations, runs, || unsafe {
            black_box(t_mid(black_box(pa), black_box(pb)));
        }),
        // SAFETY: as above (a C string).
        median_ns(iterations, runs, || unsafe {
            black_box(t_strlen(black_box(hello.as_ptr())));
        }),
    ];
    // Handles called with Rust arguments (`call_as`): checked once per Rust signature.
    let as_ = vec![
        // SAFETY: the function matches its declaration (checked) and the arguments its parameters.
        median_ns(iterations, runs, || unsafe {
            black_box(h_add.call_as::<i32, _>((black_box(1), black_box(2))).ok());
        }),
        // SAFETY: as above.
        median_ns(iterations, runs, || unsafe {
            black_box(
                h_addd
                    .call_as::<f64, _>((black_box(1.5), black_box(2.5)))
                    .ok(),
            );
        }),
        // SAFETY: as above.
        median_ns(iterations, runs, || unsafe {
            black_box(
                h_mixed
                    .call_as::<f64, _>((black_box(1), 2.5, 3i64, 4.5f32, 5, 6.5))
                    .ok(),
            );
        }),
        // SAFETY: as above.
        median_ns(iterations, runs, || unsafe {
            black_box(h_mid.call_as::<Pt, _>((black_box(pa), black_box(pb))).ok());
        }),
        // SAFETY: as above (a C string).
        median_ns(iterations, runs, || unsafe {
            black_box(
                h_strlen
                    .call_as::<usize, _>((black_box(hello.as_ptr()),))
                    .ok(),
            );
        }),
    ];
    // SAFETY: as above.
    unsafe {
        anyhow::ensure!(h_add.call_as::<i32, _>((1, 2))? == 3);
        anyhow::ensure!(h_strlen.call_as::<usize, _>((hello.as_ptr(),))? == 5);
        anyhow::ensure!(h_mid.call_as::<Pt, _>((pa, pb))?.x == 2);
        anyhow::ensure!(h_mixed.call_as::<f64, _>((1, 2.5, 3i64, 4.5f32, 5, 6.5))? == 22.5);
    }
    // SAFETY: as above.
    unsafe {
        anyhow::ensure!(t_add(1, 2) == 3 && t_strlen(hello.as_ptr()) == 5);
        anyhow::ensure!(t_mid(pa, pb).x == 2 && t_mixed(1, 2.5, 3, 4.5, 5, 6.5) == 22.5);
    }
    // The results are right (a benchmark of wrong calls measures nothing).
    // SAFETY: as above.
    unsafe {
        anyhow::ensure!(h_add.call((1, 2))? == Value::Int(3));
        anyhow::ensure!(h_strlen.call((hello,))? == Value::Int(5));
        anyhow::ensure!(h_strlen.call(("hello",))? == Value::Int(5));
        anyhow::ensure!(h_mid.call((&spa, &spb))?.cdata()?.field("x")? == Value::Int(2));
    }
    Ok([direct, raw, by_name, handle, typed, as_])
}

fn python_times(
    path: &str,
    iterations: usize,
    runs: usize,
    stmts: &[&str],
) -> anyhow::Result<Vec<f64>> {
    python_times_of(
        PYTHON,
        &[path, &iterations.to_string(), &runs.to_string(), CDEF],
        stmts,
    )
}

/// LuaJIT's times with the JIT on or off, or `None` when luajit is not installed.
fn lua_times(path: &str, iterations: usize, runs: usize, jit: bool) -> Option<Vec<f64>> {
    let script =
        std::env::temp_dir().join(format!("rcffi-call-compare-{}.lua", std::process::id()));
    std::fs::write(&script, LUA).ok()?;
    let out = Command::new("luajit")
        .arg(&script)
        .args([
            path,
            &iterations.to_string(),
            &runs.to_string(),
            if jit { "on" } else { "off" },
        ])
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&script);
    if !out.status.success() {
        eprintln!("luajit failed: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    numbers(out.stdout)
}

/// One number per line of a program's output.
fn numbers(stdout: Vec<u8>) -> Option<Vec<f64>> {
    String::from_utf8(stdout)
        .ok()?
        .lines()
        .map(|l| l.trim().parse().ok())
        .collect()
}

/// The five calls as a script of the `rcffi` command (Rhai): ns per call, loop included as in
/// Python's `timeit`, the median of the runs, one line per call.
const SCRIPT: &str = r#"
cdef(`int bench_add(int a, int b); double bench_addd(double a, double b);
      double bench_mixed6(int a, double b, long long c, float d, int e, double f);
      struct pt { int x, y; }; struct pt bench_mid(struct pt a, struct pt b);
      size_t strlen(const char *s);`);
let a = args();
let lib = dlopen(a[0]);
let libc = dlopen("c");
let n = parse_int(a[1]);
let runs = parse_int(a[2]);
let pa = new("struct pt *", [1, 2])[0];
let pb = new("struct pt *", [3, 4])[0];
for op in 0..5 {
    let ts = [];
    for r in 0..runs {
        let t = timestamp();
        switch op {
            0 => { for i in 0..n { lib.bench_add(1, 2); } }
            1 => { for i in 0..n { lib.bench_addd(1.5, 2.5); } }
            2 => { for i in 0..n { lib.bench_mixed6(1, 2.5, 3, 4.5, 5, 6.5); } }
            3 => { for i in 0..n { lib.bench_mid(pa, pb); } }
            _ => { for i in 0..n { libc.strlen("hello"); } }
        }
        ts.push(t.elapsed / n.to_float() * 1e9);
    }
    ts.sort();
    print(ts[ts.len() / 2]);
}
"#;

/// The script's times through the `rcffi` command built beside this program
/// (`bench/calls-vs-cffi` builds it), or `None` when it is not there.
fn script_times(path: &str, n: usize, runs: usize) -> Option<Vec<f64>> {
    let exe = std::env::current_exe().ok()?.with_file_name("rcffi");
    let script =
        std::env::temp_dir().join(format!("rcffi-call-compare-{}.rhai", std::process::id()));
    std::fs::write(&script, SCRIPT).ok()?;
    let out = Command::new(&exe)
        .arg("run")
        .arg(&script)
        .args([path, &n.to_string(), &runs.to_string()])
        .output();
    let _ = std::fs::remove_file(&script);
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("rcffi run failed: {}", String::from_utf8_lossy(&o.stderr));
            return None;
        }
        Err(e) => {
            eprintln!(
                "{} not found ({e}): build it with cargo build --release -p rcffi-cli",
                exe.display()
            );
            return None;
        }
    };
    numbers(out.stdout)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let iterations: usize = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    let runs: usize = args.next().map_or(Ok(11), |s| s.parse())?;
    let path = rcffi_testkit::fixture::fixture_library();
    let path = path.to_str().context("utf-8 path")?;
    let [direct, raw, by_name, handle, typed, as_] = rust_times(path, iterations, runs)?;
    let py_n = (iterations / 5).max(1000);
    let cffi = python_times(
        path,
        py_n,
        runs,
        &OPS.iter().map(|o| o.cffi).collect::<Vec<_>>(),
    )?;
    let ctypes = python_times(
        path,
        py_n,
        runs,
        &OPS.iter().map(|o| o.ctypes).collect::<Vec<_>>(),
    )?;
    let script = script_times(path, py_n, runs);
    let lua_on = lua_times(path, iterations, runs, true);
    let lua_off = lua_times(path, iterations, runs, false);
    println!(
        "| call | direct Rust | rcffi typed | rcffi `call_as` | raw libffi | rcffi handle | rcffi by name | rcffi script | cffi | ctypes | LuaJIT JIT / interp | typed / direct | `call_as` / direct | handle / raw libffi | cffi / handle | cffi / script |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut geo = 0.0;
    let mut geo_typed = 0.0;
    let mut geo_as = 0.0;
    for (i, op) in OPS.iter().enumerate() {
        let lua = match (&lua_on, &lua_off) {
            (Some(on), Some(off)) => format!("{:.1} / {:.1}", on[i], off[i]),
            _ => "—".into(),
        };
        geo += (cffi[i] / handle[i]).ln();
        geo_typed += (typed[i] / direct[i]).ln();
        geo_as += (as_[i] / direct[i]).ln();
        let (scripted, vs_script) = match &script {
            Some(s) => (format!("{:.1}", s[i]), format!("{:.1}×", cffi[i] / s[i])),
            None => ("—".into(), "—".into()),
        };
        println!(
            "| `{}` | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {:.1} | {:.1} | {} | {:.2}× | {:.2}× | {:.2}× | {:.1}× | {} |",
            op.name,
            direct[i],
            typed[i],
            as_[i],
            raw[i],
            handle[i],
            by_name[i],
            scripted,
            cffi[i],
            ctypes[i],
            lua,
            typed[i] / direct[i],
            as_[i] / direct[i],
            handle[i] / raw[i],
            cffi[i] / handle[i],
            vs_script
        );
    }
    println!(
        "\nns per call, median of {runs} runs ({iterations} calls per run; {py_n} for Python and the script, whose figures include their loops). \
         Geometric mean of cffi / rcffi handle over the five: {:.1}×.",
        (geo / OPS.len() as f64).exp()
    );
    let n = 200_000;
    let q = qsort_times(n, runs.min(5))?;
    println!("\n| qsort of {n} ints: comparator | ns per comparator call |\n|---|---:|");
    for (name, t) in &q {
        match t {
            Some(t) => println!("| {name} | {t:.1} |"),
            None => println!("| {name} | — |"),
        }
    }
    if let (Some((_, Some(native))), Some((_, Some(typed_cb)))) = (
        q.first(),
        q.iter()
            .find(|(n, _)| n.starts_with("rcffi typed callback")),
    ) {
        println!(
            "\ntyped callback / native comparator: {:.2}",
            typed_cb / native
        );
    }
    println!(
        "typed/direct geomean: {:.2}",
        (geo_typed / OPS.len() as f64).exp()
    );
    println!(
        "call_as/direct geomean: {:.2}",
        (geo_as / OPS.len() as f64).exp()
    );
    Ok(())
}

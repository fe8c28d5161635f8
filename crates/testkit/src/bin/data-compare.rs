//! Times the same C data operations in rcffi, Python cffi and Python ctypes in one run and
//! prints a markdown table with the ratios (`bench/data-vs-cffi` runs it in release mode); then
//! a sweep of more cffi statements against rcffi (its last line counts those slower than
//! cffi), bulk arrays, and pointers kept alive by one array, each beside cffi.
//!
//! `cargo run --release -p rcffi-testkit --bin data-compare -- [ITERATIONS] [RUNS]`
//!
//! Each figure is the median over RUNS runs of ITERATIONS operations, in ns per operation.
//! Python's figures include its loop (as `timeit` does; the first row measures the loop
//! alone); rcffi's include unwrapping and dropping the result, as a program would.

use std::hint::black_box;

use rcffi::Ffi;

/// `struct pt` as a Rust type, for the typed view rows.
#[derive(Clone, Copy, rcffi::NativeType)]
#[repr(C)]
#[rcffi(c = "struct pt")]
struct Pt {
    x: i32,
    y: i32,
}
use rcffi_testkit::bench::{Op, median_ns, python_times as python_times_of};

/// The operations timed, with their Python spellings.
const OPS: &[Op] = &[
    Op {
        name: "nothing (the loop alone)",
        cffi: "pass",
        ctypes: "pass",
    },
    Op {
        name: "new(\"int[10]\")",
        cffi: "ffi.new('int[10]')",
        ctypes: "(ctypes.c_int * 10)()",
    },
    Op {
        name: "new(\"struct pt *\")",
        cffi: "ffi.new('struct pt *')",
        ctypes: "PT()",
    },
    Op {
        name: "new(\"char[]\", \"hello\")",
        cffi: "ffi.new('char[]', b'hello')",
        ctypes: "ctypes.create_string_buffer(b'hello')",
    },
    Op {
        name: "p.x = 5",
        cffi: "p.x = 5",
        ctypes: "cp.x = 5",
    },
    Op {
        name: "p.x (field read, a Value)",
        cffi: "p.x",
        ctypes: "cp.x",
    },
    Op {
        name: "p.x (field read, field_as::<i32>)",
        cffi: "p.x",
        ctypes: "cp.x",
    },
    Op {
        name: "p.x (typed view: `view.get()?.x`)",
        cffi: "p.x",
        ctypes: "cp.x",
    },
    Op {
        name: "p.x (typed view: `unsafe { view.as_ref().x }`)",
        cffi: "p.x",
        ctypes: "cp.x",
    },
    Op {
        name: "a[3] (item read)",
        cffi: "a[3]",
        ctypes: "ca[3]",
    },
    Op {
        name: "cast(\"int\", 42)",
        cffi: "ffi.cast('int', 42)",
        ctypes: "ctypes.c_int(42)",
    },
    Op {
        name: "string of a char[16]",
        cffi: "ffi.string(s)",
        ctypes: "cs.value",
    },
    Op {
        name: "q.next = n (pointer store, kept alive)",
        cffi: "q.next = nd",
        ctypes: "cq.next = cn_p",
    },
    Op {
        name: "q.next (pointer read, a kept view)",
        cffi: "q.next",
        ctypes: "cq.next",
    },
];

/// The end of the first two tables' scripts: each statement timed `n` times, the median of
/// `runs` runs in ns, printed as JSON.
const TIMING: &str = r#"
n, runs = int(sys.argv[1]), int(sys.argv[2])
out = {}
for stmt in json.loads(sys.argv[3]):
    t = timeit.Timer(stmt, globals=globals())
    out[stmt] = statistics.median(t.timeit(n) / n * 1e9 for _ in range(runs))
print(json.dumps(out))
"#;

const PYTHON: &str = r#"
import sys, timeit, statistics, ctypes, json
import cffi
ffi = cffi.FFI()
ffi.cdef("struct pt { int x, y; };")
class PT(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int)]
ffi.cdef("struct node { struct node *next; int v; };")
class NODE(ctypes.Structure):
    pass
NODE._fields_ = [("next", ctypes.POINTER(NODE)), ("v", ctypes.c_int)]
q = ffi.new("struct node *"); nd = ffi.new("struct node *"); q.next = nd
cq = NODE(); cn = NODE(); cn_p = ctypes.pointer(cn); cq.next = cn_p
p = ffi.new("struct pt *"); cp = PT()
a = ffi.new("int[10]"); ca = (ctypes.c_int * 10)()
s = ffi.new("char[16]", b"hello world 123"); cs = ctypes.create_string_buffer(b"hello world 123", 16)
"#;

fn rcffi_times(iterations: usize, runs: usize) -> anyhow::Result<Vec<f64>> {
    let ffi = Ffi::default();
    ffi.cdef("struct pt { int x, y; };")?;
    let p = ffi.new("struct pt *", ())?;
    let a = ffi.new("int[10]", ())?;
    let s = ffi.new("char[16]", b"hello world 123")?;
    ffi.cdef("struct node { struct node *next; int v; };")?;
    let q = ffi.new("struct node *", ())?;
    let n = ffi.new("struct node *", ())?;
    q.set_field("next", &n)?;
    let mut t = Vec::new();
    t.push(median_ns(iterations, runs, || black_box(())));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(ffi.new(black_box("int[10]"), ()).unwrap()))
    }));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(ffi.new(black_box("struct pt *"), ()).unwrap()))
    }));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(
            ffi.new(black_box("char[]"), black_box("hello")).unwrap(),
        ))
    }));
    t.push(median_ns(iterations, runs, || {
        p.set_field(black_box("x"), 5).unwrap()
    }));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(p.field(black_box("x")).unwrap()))
    }));
    t.push(median_ns(iterations, runs, || {
        black_box(p.field_as::<i32>(black_box("x")).unwrap());
    }));
    let view = p.view::<Pt>()?;
    t.push(median_ns(iterations, runs, || {
        black_box(black_box(&view).get().unwrap().x);
    }));
    t.push(median_ns(iterations, runs, || {
        // SAFETY: nothing writes p while the reference lives (this thread only reads it).
        black_box(unsafe { black_box(&view).as_ref() }.x);
    }));
    anyhow::ensure!(view.get()?.x == 5 && view.get()?.y == 0);
    t.push(median_ns(iterations, runs, || {
        drop(black_box(a.get(black_box(3)).unwrap()))
    }));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(ffi.cast(black_box("int"), 42).unwrap()))
    }));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(ffi.string(black_box(&s), None).unwrap()))
    }));
    t.push(median_ns(iterations, runs, || {
        q.set_field(black_box("next"), black_box(&n)).unwrap()
    }));
    t.push(median_ns(iterations, runs, || {
        drop(black_box(q.field(black_box("next")).unwrap()))
    }));
    Ok(t)
}

fn python_times(iterations: usize, runs: usize, stmts: &[&str]) -> anyhow::Result<Vec<f64>> {
    python_times_of(
        &format!("{PYTHON}{TIMING}"),
        &[&iterations.to_string(), &runs.to_string()],
        stmts,
    )
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let iterations: usize = args.next().map_or(Ok(200_000), |s| s.parse())?;
    let runs: usize = args.next().map_or(Ok(11), |s| s.parse())?;
    let rcffi = rcffi_times(iterations, runs)?;
    let cffi = python_times(
        iterations,
        runs,
        &OPS.iter().map(|o| o.cffi).collect::<Vec<_>>(),
    )?;
    let ctypes = python_times(
        iterations,
        runs,
        &OPS.iter().map(|o| o.ctypes).collect::<Vec<_>>(),
    )?;
    println!("| operation | rcffi ns | cffi ns | ctypes ns | cffi / rcffi | ctypes / rcffi |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, op) in OPS.iter().enumerate() {
        println!(
            "| `{}` | {:.1} | {:.1} | {:.1} | {:.1}× | {:.1}× |",
            op.name,
            rcffi[i],
            cffi[i],
            ctypes[i],
            cffi[i] / rcffi[i],
            ctypes[i] / rcffi[i]
        );
    }
    println!(
        "\n{iterations} operations per run, median of {runs} runs; Python's figures include its loop (first row)."
    );
    sweep(iterations, runs)?;
    bulk(runs)?;
    store_scaling()?;
    Ok(())
}

/// A result made and dropped, whatever its type.
fn made<T>(r: T) {
    drop(black_box(r));
}

/// The objects of [`sweep`]'s statements, as cffi makes them.
const SWEEP_PY: &str = r#"
import sys, timeit, statistics, json
import cffi
ffi = cffi.FFI()
ffi.cdef("struct pt { int x, y; };")
p = ffi.new("struct pt *", [1, 2]); q = ffi.new("struct pt *")
a = ffi.new("int[10]", list(range(10)))
s = ffi.new("char[32]", b"hello world")
w = ffi.new("wchar_t[16]", "hello")
h = ffi.new_handle(5)
lst = [1, 2]
f = lambda c: None
ba = bytearray(64)
"#;

/// More operations against cffi, each rcffi's spelling of a cffi statement (the result made
/// and dropped): the search for operations slower than cffi beyond the first table. The last
/// line counts them.
fn sweep(iterations: usize, runs: usize) -> anyhow::Result<()> {
    let ffi = Ffi::default();
    ffi.cdef("struct pt { int x, y; };")?;
    let p = ffi.new("struct pt *", rcffi::list![1, 2])?;
    let q = ffi.new("struct pt *", ())?;
    let a = ffi.new("int[10]", (0..10).collect::<Vec<i32>>())?;
    let s = ffi.new("char[32]", "hello world")?;
    let w = ffi.new("wchar_t[16]", "hello")?;
    let h = ffi.new_handle(5u32);
    type Row<'a> = (&'static str, Box<dyn Fn() + 'a>);
    macro_rules! row {
        ($cffi:expr, $e:expr) => {
            ($cffi, Box::new(|| made($e)) as Box<dyn Fn() + '_>)
        };
    }
    let rows: Vec<Row<'_>> = vec![
        row!(
            "ffi.new('struct pt *', lst)",
            ffi.new(black_box("struct pt *"), rcffi::list![1, 2])
                .unwrap()
        ),
        row!("a[1:3]", a.slice(1, 3).unwrap()),
        row!("a + 1", a.offset(1).unwrap()),
        row!(
            "ffi.addressof(p, 'y')",
            ffi.addressof(&p, black_box("y")).unwrap()
        ),
        row!(
            "ffi.cast('void *', p)",
            ffi.cast(black_box("void *"), &p).unwrap()
        ),
        row!(
            "ffi.cast('intptr_t', p)",
            ffi.cast(black_box("intptr_t"), &p).unwrap()
        ),
        row!("ffi.typeof(p)", ffi.typeof_(&p).unwrap()),
        row!("ffi.sizeof(p)", ffi.sizeof(&p).unwrap()),
        row!(
            "ffi.offsetof('struct pt', 'y')",
            ffi.offsetof(black_box("struct pt"), "y").unwrap()
        ),
        row!("ffi.unpack(s, 11)", ffi.unpack(&s, 11).unwrap()),
        row!(
            "ffi.buffer(s)[:]",
            ffi.buffer(&s, None).unwrap().to_vec().unwrap()
        ),
        row!("ffi.string(w)", ffi.string(&w, None).unwrap()),
        row!("ffi.new_handle(5)", ffi.new_handle(5u32)),
        row!("ffi.from_handle(h)", ffi.from_handle::<u32>(&h).unwrap()),
        row!("p[0] = q[0]", p.set(0, q.get(0).unwrap()).unwrap()),
        row!(
            "ffi.memmove(s, b'abcdefghijklmnop', 16)",
            ffi.memmove(&s, b"abcdefghijklmnop".as_slice(), 16).unwrap()
        ),
        row!("ffi.gc(p, f)", ffi.gc(&p, |_| {})),
        row!("list(a)", ffi.unpack(&a, 10).unwrap()),
        row!("p == q", p == q),
        row!(
            "ffi.new('char[]', 4096)",
            ffi.new(black_box("char[]"), 4096).unwrap()
        ),
        row!(
            "ffi.from_buffer(ba)",
            ffi.from_buffer("char[]", vec![0u8; 64]).unwrap()
        ),
        row!("ffi.errno", ffi.errno()),
    ];
    let ours: Vec<f64> = rows
        .iter()
        .map(|(_, f)| median_ns(iterations, runs, f))
        .collect();
    let stmts: Vec<&str> = rows.iter().map(|(c, _)| *c).collect();
    let theirs = python_times_of(
        &format!("{SWEEP_PY}{TIMING}"),
        &[&iterations.to_string(), &runs.to_string()],
        &stmts,
    )?;
    println!("\n| cffi statement (rcffi's spelling of it) | rcffi ns | cffi ns | cffi / rcffi |");
    println!("|---|---:|---:|---:|");
    let mut slower = Vec::new();
    for ((stmt, ns), py) in stmts.iter().zip(&ours).zip(&theirs) {
        println!("| `{stmt}` | {ns:.1} | {py:.1} | {:.2}× |", py / ns);
        if ns > py {
            slower.push(*stmt);
        }
    }
    println!(
        "\nslower than cffi: {} of {} ({})",
        slower.len(),
        stmts.len(),
        slower.join(", ")
    );
    Ok(())
}

const BULK_PY: &str = r#"
import sys, timeit, statistics, json
import cffi
ffi = cffi.FFI()
big = list(range(1000000))
a1000 = ffi.new("int[]", list(range(1000)))
runs = int(sys.argv[1])
out = {}
for stmt, n in [("ffi.new('int[]', big)", 5), ("ffi.unpack(a1000, 1000)", 2000)]:
    t = timeit.Timer(stmt, globals=globals())
    out[stmt] = statistics.median(t.timeit(n) / n * 1e9 for _ in range(runs))
print(json.dumps(out))
"#;

/// Bulk values: an array from 10^6 Rust ints, and 1,000 ints read back, through `new` (a
/// `Vec<i32>`, which is `Value::Numbers`) and `unpack` (a `Value` per item), and through the
/// typed paths (`new_slice`, `unpack_as`), against cffi.
fn bulk(runs: usize) -> anyhow::Result<()> {
    let ffi = Ffi::default();
    let big: Vec<i32> = (0..1_000_000).collect();
    let a1000 = ffi.new_slice("int[]", &(0..1000).collect::<Vec<i32>>())?;
    let runs = runs.min(5);
    let new_values = median_ns(1, runs, || {
        drop(black_box(ffi.new("int[]", black_box(big.clone())).unwrap()));
    });
    let new_typed = median_ns(5, runs, || {
        drop(black_box(
            ffi.new_slice("int[]", black_box(&big[..])).unwrap(),
        ));
    });
    let unpack_values = median_ns(2000, runs, || {
        drop(black_box(ffi.unpack(black_box(&a1000), 1000).unwrap()));
    });
    let unpack_typed = median_ns(2000, runs, || {
        drop(black_box(
            ffi.unpack_as::<i32>(black_box(&a1000), 1000).unwrap(),
        ));
    });
    anyhow::ensure!(ffi.unpack_as::<i32>(&ffi.new_slice("int[]", &big[..])?, 1_000_000)? == big);
    let py = python_times_of(
        BULK_PY,
        &[&runs.to_string()],
        &["ffi.new('int[]', big)", "ffi.unpack(a1000, 1000)"],
    )?;
    println!(
        "\n| bulk operation | rcffi, `new` / `unpack` | rcffi, `new_slice` / `unpack_as` | cffi | cffi / typed |"
    );
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| `new(\"int[]\", ...)` of 10^6 ints (`Vec<i32>` / `new_slice(&[i32])`) | {:.2} ms | {:.2} ms | {:.2} ms | {:.1}× |",
        new_values / 1e6,
        new_typed / 1e6,
        py[0] / 1e6,
        py[0] / new_typed
    );
    println!(
        "| `unpack` of 1,000 ints (`unpack` / `unpack_as::<i32>`) | {:.1} µs | {:.2} µs | {:.1} µs | {:.1}× |",
        unpack_values / 1e3,
        unpack_typed / 1e3,
        py[1] / 1e3,
        py[1] / unpack_typed
    );
    Ok(())
}

/// cffi's side of [`store_scaling`]: the same three loops over N strings, each figure in ns
/// per operation with Python's loop in it (keys `store N`, `read N`, `overwrite N`).
const STORE_PY: &str = r#"
import sys, json, time
import cffi
ffi = cffi.FFI()
out = {}
for n in (10000, 100000, 1000000):
    arr = ffi.new("char *[]", n)
    strings = [ffi.new("char[]", b"x") for _ in range(n)]
    t = time.perf_counter()
    for i in range(n): arr[i] = strings[i]
    out["store %d" % n] = (time.perf_counter() - t) / n * 1e9
    del strings
    t = time.perf_counter()
    for i in range(n): arr[i]
    out["read %d" % n] = (time.perf_counter() - t) / n * 1e9
    t = time.perf_counter()
    for i in range(n): arr[i] = ffi.NULL
    out["overwrite %d" % n] = (time.perf_counter() - t) / n * 1e9
print(json.dumps(out))
"#;

/// Stores of N owned pointers into one array (each new string kept alive by the array), then
/// N reads of them back and N overwrites with NULL, beside cffi's (which keeps nothing alive):
/// the time per operation must not grow with N (it was a scan of every stored pointer per
/// store once, then a tree search).
fn store_scaling() -> anyhow::Result<()> {
    let sizes = [10_000usize, 100_000, 1_000_000];
    let keys: Vec<String> = sizes
        .iter()
        .flat_map(|n| ["store", "read", "overwrite"].map(|k| format!("{k} {n}")))
        .collect();
    let py = python_times_of(
        STORE_PY,
        &[],
        &keys.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    println!("\n| stored pointers N | store ns (cffi) | read ns (cffi) | overwrite ns (cffi) |");
    println!("|---:|---:|---:|---:|");
    for (k, n) in sizes.into_iter().enumerate() {
        let ffi = Ffi::default();
        let arr = ffi.new("char *[]", n)?;
        let strings: Vec<rcffi::CData> = (0..n)
            .map(|_| ffi.new("char[]", "x"))
            .collect::<Result<_, _>>()?;
        let t = std::time::Instant::now();
        for (i, s) in strings.iter().enumerate() {
            arr.set(i as isize, s)?;
        }
        let store = t.elapsed().as_nanos() as f64 / n as f64;
        drop(strings);
        let t = std::time::Instant::now();
        for i in 0..n as isize {
            black_box(arr.get(i)?);
        }
        let read = t.elapsed().as_nanos() as f64 / n as f64;
        let t = std::time::Instant::now();
        for i in 0..n as isize {
            arr.set(i, ffi.null())?;
        }
        let overwrite = t.elapsed().as_nanos() as f64 / n as f64;
        let c = &py[3 * k..3 * k + 3];
        println!(
            "| {n} | {store:.0} ({:.0}) | {read:.0} ({:.0}) | {overwrite:.0} ({:.0}) |",
            c[0], c[1], c[2]
        );
    }
    Ok(())
}

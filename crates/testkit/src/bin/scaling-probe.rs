//! Throughput of read-path operations on one thread and on two at once (issue 18, item 2):
//! prints, per operation, ns per operation on one thread and the two threads' throughput over
//! one's (2.0 is perfect scaling).
//!
//! `cargo run --release -p rcffi-testkit --bin scaling-probe`
use std::hint::black_box;
use std::time::Instant;

/// A named operation, run by several threads at once.
type Op<'a> = (&'static str, Box<dyn Fn() + Sync + 'a>);

fn rate(threads: usize, n: usize, f: impl Fn() + Sync) -> f64 {
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..n {
                    f();
                }
            });
        }
    });
    (threads * n) as f64 / t.elapsed().as_secs_f64()
}

fn main() -> anyhow::Result<()> {
    let ffi = rcffi::Ffi::default();
    ffi.cdef("struct pt { int x, y; };")?;
    let a = ffi.new("int[10]", ())?;
    let n = 200_000;
    let ops: Vec<Op<'_>> = vec![
        (
            "a.offset(1)",
            Box::new(|| drop(black_box(a.offset(1).unwrap()))),
        ),
        (
            "a.slice(1, 3)",
            Box::new(|| drop(black_box(a.slice(1, 3).unwrap()))),
        ),
        (
            "typeof_(\"struct pt *\")",
            Box::new(|| drop(black_box(ffi.typeof_("struct pt *").unwrap()))),
        ),
        (
            "sizeof(\"struct pt\")",
            Box::new(|| {
                black_box(ffi.sizeof("struct pt").unwrap());
            }),
        ),
        (
            "addressof(a)",
            Box::new(|| drop(black_box(ffi.addressof(&a, "").unwrap()))),
        ),
    ];
    // The same operations on an array of each thread's own: no shared reference count.
    let own = |f: fn(&rcffi::CData)| {
        let ffi = &ffi;
        move |threads: usize| {
            let t = Instant::now();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(move || {
                        let a = ffi.new("int[10]", ()).unwrap();
                        for _ in 0..n {
                            f(&a);
                        }
                    });
                }
            });
            (threads * n) as f64 / t.elapsed().as_secs_f64()
        }
    };
    for (name, f) in [
        (
            "a.offset(1), own array",
            own(|a| drop(black_box(a.offset(1).unwrap()))),
        ),
        (
            "a.slice(1, 3), own array",
            own(|a| drop(black_box(a.slice(1, 3).unwrap()))),
        ),
    ] {
        let (one, two) = (f(1), f(2));
        println!(
            "{name}: {:.0} ns/op on 1 thread, 2 threads / 1: {:.2}",
            1e9 / one,
            two / one
        );
    }
    // Calls by name over 16 names, and `new` over 16 type strings, in turn.
    let mut decls = String::new();
    for i in 0..16 {
        decls.push_str(&format!("typedef struct {{ int v[{}]; }} s{i}_t;\n", i + 1));
    }
    ffi.cdef(&decls)?;
    let names: Vec<String> = (0..16).map(|i| format!("s{i}_t *")).collect();
    let libc_ffi = rcffi::Ffi::default();
    let mut protos = String::new();
    let fns = [
        "abs", "labs", "llabs", "toupper", "tolower", "isalpha", "isdigit", "isspace", "isupper",
        "islower", "isalnum", "ispunct", "isxdigit", "iscntrl", "isprint", "isgraph",
    ];
    for f in fns {
        protos.push_str(&if f.contains("abs") {
            format!("long {f}(long);\n")
        } else {
            format!("int {f}(int);\n")
        });
    }
    libc_ffi.cdef(&protos)?;
    // SAFETY: libc's functions, as declared (abs takes an int; passing a long's low half is
    // what the ABI does for small values).
    let libc = unsafe { libc_ffi.dlopen("c")? };
    thread_local! { static K: std::cell::Cell<usize> = const { std::cell::Cell::new(0) }; }
    let next = || {
        K.with(|k| {
            k.set(k.get() + 1);
            k.get() % 16
        })
    };
    let (_fx_ffi, fixture) = rcffi_testkit::fixture::open_fixture()?;
    let many: Vec<Op<'_>> = vec![
        (
            "a variadic call: vsum(3, 1, 2, 3)",
            Box::new(|| {
                // SAFETY: the fixture's vsum reads n ints.
                drop(black_box(
                    unsafe { fixture.call("vsum", (3, 1, 2, 3)) }.unwrap(),
                ));
            }),
        ),
        (
            "new over 16 type strings in turn",
            Box::new(|| {
                let i = next();
                drop(black_box(ffi.new(names[i].as_str(), ()).unwrap()));
            }),
        ),
        (
            "call by name over 16 names in turn",
            Box::new(|| {
                let i = next();
                // SAFETY: each takes one small integer.
                drop(black_box(unsafe { libc.call(fns[i], (65,)) }.unwrap()));
            }),
        ),
    ];
    for (name, f) in &many {
        let one = rate(1, n, f);
        let two = rate(2, n, f);
        println!(
            "{name}: {:.0} ns/op on 1 thread, 2 threads / 1: {:.2}",
            1e9 / one,
            two / one
        );
    }
    for (name, f) in &ops {
        let one = rate(1, n, f);
        let two = rate(2, n, f);
        println!(
            "{name}: {:.0} ns/op on 1 thread, 2 threads / 1: {:.2}",
            1e9 / one,
            two / one
        );
    }
    Ok(())
}

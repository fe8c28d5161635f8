//! Throughput of a few read-path operations on 1 and 2 threads (a probe for issue 18 item 2).
use std::hint::black_box;
use std::time::Instant;

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
    let ops: Vec<(&str, Box<dyn Fn() + Sync>)> = vec![
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
        ("a.offset(1), own array", own(|a| drop(black_box(a.offset(1).unwrap())))),
        ("a.slice(1, 3), own array", own(|a| drop(black_box(a.slice(1, 3).unwrap())))),
    ] {
        let (one, two) = (f(1), f(2));
        println!("{name}: {:.0} ns/op on 1 thread, 2 threads / 1: {:.2}", 1e9 / one, two / one);
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

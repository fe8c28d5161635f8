//! A loop of calls through an rcffi function handle, for profilers (`perf record`,
//! `valgrind --tool=callgrind`): `call-profile [add|addd|mixed6|mid|strlen|raw|rawmid|qsort|new|field|fieldv|cast|byname|ptrstore|ptrread] [CALLS]`
//! (`raw`: `int add(int, int)` through libffi's `Cif::call`, the baseline).

use std::hint::black_box;

use rcffi::{Ffi, list};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "add".into());
    let n: usize = args.next().map_or(Ok(10_000_000), |s| s.parse())?;
    let ffi = Ffi::default();
    ffi.cdef(
        "int bench_add(int a, int b); double bench_addd(double a, double b);
         double bench_mixed6(int a, double b, long long c, float d, int e, double f);
         struct pt { int x, y; }; struct pt bench_mid(struct pt a, struct pt b);
         size_t strlen(const char *s);",
    )?;
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture and libc define these functions as declared.
    let (lib, libc) = unsafe {
        (
            ffi.dlopen(path.to_str().unwrap_or_default())?,
            ffi.dlopen("c")?,
        )
    };
    let pa = ffi.new("struct pt *", list![1, 2])?.get(0)?;
    let f = match which.as_str() {
        "strlen" => libc.function("strlen")?,
        "raw" | "rawmid" | "qsort" | "new" | "field" | "fieldv" | "cast" | "byname"
        | "ptrstore" | "ptrread" => lib.function("bench_add")?,
        other => lib.function(&format!("bench_{other}"))?,
    };
    if which == "raw" {
        use libffi::middle::{Cif, CodePtr, Type, arg};
        let cif = Cif::new([Type::i32(), Type::i32()], Type::i32());
        let code = CodePtr::from_ptr(lib.function("bench_add")?.address() as *const _);
        for i in 0..n {
            // SAFETY: bench_add takes two ints.
            black_box(unsafe { cif.call::<i32>(code, &[arg(&black_box(i as i32)), arg(&2i32)]) });
        }
        return Ok(());
    }
    if which == "byname" {
        for i in 0..n {
            // SAFETY: bench_add takes two ints.
            drop(black_box(unsafe {
                lib.call("bench_add", (black_box(i as i32), 2))
            }));
        }
        return Ok(());
    }
    if which == "new" || which == "field" || which == "fieldv" || which == "cast" {
        let p = ffi.new("struct pt *", ())?;
        for _ in 0..n {
            if which == "new" {
                drop(black_box(ffi.new(black_box("struct pt *"), ())?));
            } else if which == "fieldv" {
                drop(black_box(p.field(black_box("x"))?));
            } else if which == "cast" {
                drop(black_box(ffi.cast(black_box("int"), 42)?));
            } else {
                black_box(p.field_as::<i32>(black_box("x"))?);
            }
        }
        return Ok(());
    }
    if which == "ptrstore" || which == "ptrread" {
        ffi.cdef("struct node { struct node *next; int v; };")?;
        let q = ffi.new("struct node *", ())?;
        let nd = ffi.new("struct node *", ())?;
        q.set_field("next", &nd)?;
        for _ in 0..n {
            if which == "ptrstore" {
                q.set_field(black_box("next"), black_box(&nd))?;
            } else {
                drop(black_box(q.field(black_box("next"))?));
            }
        }
        return Ok(());
    }
    if which == "qsort" {
        ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")?;
        let qsort = libc.function("qsort")?;
        let cmp = rcffi_testkit::bench::int_comparator(&ffi)?;
        let data = rcffi_testkit::bench::park_miller_ints(n);
        let arr = ffi.new("int[]", data)?;
        // SAFETY: qsort sorts the array with a comparator of its type.
        unsafe { qsort.call((&arr, n, 4usize, &cmp))? };
        return Ok(());
    }
    if which == "rawmid" {
        use libffi::middle::{Cif, CodePtr, Type, arg};
        #[repr(C)]
        #[derive(Copy, Clone)]
        struct Pt(i32, i32);
        let pt = || Type::structure([Type::i32(), Type::i32()]);
        let cif = Cif::new([pt(), pt()], pt());
        let code = CodePtr::from_ptr(lib.function("bench_mid")?.address() as *const _);
        let p = Pt(1, 2);
        for _ in 0..n {
            // SAFETY: bench_mid takes and returns struct pt.
            black_box(unsafe { cif.call::<Pt>(code, &[arg(&black_box(p)), arg(&p)]) });
        }
        return Ok(());
    }
    for i in 0..n {
        // SAFETY: each call matches the declaration.
        let r = unsafe {
            match which.as_str() {
                "add" => f.call((black_box(i as i32), 2)),
                "addd" => f.call((black_box(1.5), 2.5)),
                "mixed6" => f.call((1, 2.5, 3, 4.5, 5, 6.5)),
                "mid" => f.call((&pa, &pa)),
                _ => f.call((black_box("hello"),)),
            }
        };
        drop(black_box(r));
    }
    Ok(())
}

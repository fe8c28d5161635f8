//! Calls and callbacks, measured: through a function handle, by name, through a function
//! pointer cdata, a struct by value, a short string, and a callback called from C.
//!
//! `cargo bench -p rcffi --bench calls`. For the same calls side by side with raw libffi,
//! Python cffi and ctypes and LuaJIT in one run, see `bench/calls-vs-cffi`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rcffi::{Ffi, list};

fn calls(c: &mut Criterion) {
    let ffi = Ffi::default();
    ffi.cdef(rcffi_testkit::fixture::FIXTURE_CDEF).unwrap();
    ffi.cdef("size_t strlen(const char *s);").unwrap();
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library and libc, as declared.
    let (lib, libc) = unsafe {
        (
            ffi.dlopen(path.to_str().unwrap()).unwrap(),
            ffi.dlopen("c").unwrap(),
        )
    };
    let add = lib.function("bench_add").unwrap();
    let addd = lib.function("bench_addd").unwrap();
    let mixed = lib.function("bench_mixed6").unwrap();
    let mid = lib.function("bench_mid").unwrap();
    let strlen = libc.function("strlen").unwrap();
    let fp = ffi.cast("int(*)(int, int)", add.address()).unwrap();
    let pt = ffi.new("struct pt *", list![1, 2]).unwrap().get(0).unwrap();
    let mut g = c.benchmark_group("calls");
    g.bench_function("handle: int add(int, int)", |b| {
        b.iter(|| {
            // SAFETY: the fixture's function (or callback) with arguments of its declared types.
            unsafe { add.call((black_box(1), 2)) }.unwrap()
        })
    });
    g.bench_function("by name: int add(int, int)", |b| {
        b.iter(|| {
            // SAFETY: the fixture's function (or callback) with arguments of its declared types.
            unsafe { lib.call(black_box("bench_add"), (1, 2)) }.unwrap()
        })
    });
    g.bench_function("function pointer cdata: int add(int, int)", |b| {
        b.iter(|| {
            // SAFETY: the fixture's function (or callback) with arguments of its declared types.
            unsafe { fp.call((black_box(1), 2)) }.unwrap()
        })
    });
    g.bench_function("handle: double add(double, double)", |b| {
        b.iter(|| {
            // SAFETY: the fixture's function (or callback) with arguments of its declared types.
            unsafe { addd.call((black_box(1.5), 2.5)) }.unwrap()
        })
    });
    g.bench_function("handle: 6 mixed arguments", |b| {
        b.iter(|| {
            // SAFETY: the fixture's function (or callback) with arguments of its declared types.
            unsafe { mixed.call((black_box(1), 2.5, 3i64, 4.5f32, 5, 6.5)) }.unwrap()
        })
    });
    g.bench_function("handle: struct pt mid(struct pt, struct pt)", |b| {
        b.iter(|| {
            // SAFETY: the fixture's function (or callback) with arguments of its declared types.
            unsafe { mid.call((black_box(&pt), &pt)) }.unwrap()
        })
    });
    g.bench_function(
        "handle: strlen(c\"hello\") (a C string, passed as it is)",
        |b| {
            b.iter(|| {
                // SAFETY: the fixture's function (or callback) with arguments of its declared types.
                unsafe { strlen.call((black_box(c"hello"),)) }.unwrap()
            })
        },
    );
    g.bench_function(
        "handle: strlen(\"hello\") (a Rust string, copied with a NUL)",
        |b| {
            b.iter(|| {
                // SAFETY: the fixture's function (or callback) with arguments of its declared types.
                unsafe { strlen.call((black_box("hello"),)) }.unwrap()
            })
        },
    );
    let cb = ffi
        .callback("int(*)(int)", |a| -> rcffi::Result<i32> {
            Ok(a.get_as::<i32>(0)? + 1)
        })
        .unwrap();
    let call_cb = lib.function("call_int_cb").unwrap();
    // SAFETY: call_int_cb calls the callback once.
    g.bench_function(
        "C calls a Rust callback int(int) (plus the call into C)",
        |b| b.iter(|| unsafe { call_cb.call((&cb, black_box(1))) }.unwrap()),
    );
    g.finish();
}

criterion_group!(benches, calls);
criterion_main!(benches);

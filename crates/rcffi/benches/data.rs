//! The data half of rcffi, measured: `new`, field writes and reads, `cast`, `string`, items.
//!
//! `cargo bench -p rcffi --bench data`. For the same operations side by side with Python
//! cffi in one run, see `bench/data-vs-cffi`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rcffi::Ffi;

fn data(c: &mut Criterion) {
    let ffi = Ffi::default();
    ffi.cdef("struct pt { int x, y; };").unwrap();
    let int10 = ffi.typeof_("int[10]").unwrap();
    let mut g = c.benchmark_group("data");
    g.bench_function("new(\"int[10]\")", |b| {
        b.iter(|| ffi.new(black_box("int[10]"), ()).unwrap())
    });
    g.bench_function("new(int[10] ctype)", |b| {
        b.iter(|| ffi.new(black_box(&int10), ()).unwrap())
    });
    g.bench_function("new(\"struct pt *\")", |b| {
        b.iter(|| ffi.new(black_box("struct pt *"), ()).unwrap())
    });
    g.bench_function("new(\"struct pt *\", {x, y})", |b| {
        b.iter(|| {
            ffi.new(black_box("struct pt *"), rcffi::list![1, 2])
                .unwrap()
        })
    });
    let p = ffi.new("struct pt *", ()).unwrap();
    g.bench_function("p.x = 5", |b| {
        b.iter(|| p.set_field(black_box("x"), 5).unwrap())
    });
    g.bench_function("p.x", |b| b.iter(|| p.field(black_box("x")).unwrap()));
    g.bench_function("p.field_as::<i32>(\"x\")", |b| {
        b.iter(|| p.field_as::<i32>(black_box("x")).unwrap())
    });
    let a = ffi.new("int[10]", ()).unwrap();
    g.bench_function("a[3]", |b| b.iter(|| a.get(black_box(3)).unwrap()));
    g.bench_function("a.get_as::<i32>(3)", |b| {
        b.iter(|| a.get_as::<i32>(black_box(3)).unwrap())
    });
    g.bench_function("a[3] = 7", |b| b.iter(|| a.set(black_box(3), 7).unwrap()));
    g.bench_function("cast(\"int\", 42)", |b| {
        b.iter(|| ffi.cast(black_box("int"), 42).unwrap())
    });
    let s = ffi.new("char[16]", b"hello world 1234").unwrap();
    g.bench_function("string(char[16])", |b| {
        b.iter(|| ffi.string(black_box(&s), None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, data);
criterion_main!(benches);

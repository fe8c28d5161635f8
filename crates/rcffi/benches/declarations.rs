//! The declaration half of rcffi, measured: `cdef` of 6,000 generated declarations (cffi's
//! subset) and of real system headers preprocessed by gcc, and cached type-string lookups.
//!
//! `cargo bench -p rcffi --bench declarations`. For the comparison with Python cffi and
//! lang-c's bare parse in one run, see `bench/cdef-vs-cffi`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rcffi::Ffi;
use rcffi_testkit::headers;
use rcffi_testkit::oracle::Compiler;

fn cdef_generated(c: &mut Criterion) {
    let text = rcffi_testkit::generate::cffi_subset(6000);
    let mut g = c.benchmark_group("cdef");
    g.sample_size(20);
    g.bench_function("6000 declarations", |b| {
        b.iter(|| {
            let ffi = Ffi::default();
            ffi.cdef(black_box(&text)).unwrap();
            ffi
        })
    });
    g.bench_function("6000 declarations, one thread", |b| {
        let opts = rcffi::CdefOptions {
            threads: Some(1),
            ..Default::default()
        };
        b.iter(|| {
            let ffi = Ffi::default();
            ffi.cdef_with(black_box(&text), &opts).unwrap();
            ffi
        })
    });
    g.finish();
}

fn cdef_headers(c: &mut Criterion) {
    let Some(cc) = Compiler::for_target(&rcffi::Target::host()) else {
        eprintln!("no gcc: skipping the header benchmarks");
        return;
    };
    let mut g = c.benchmark_group("cdef headers");
    g.sample_size(20);
    let sets: [(&str, &[&str]); 3] = [
        ("stdio+stdlib+string", &["stdio.h", "stdlib.h", "string.h"]),
        (
            "the eleven of the issue",
            &[
                "stdio.h",
                "stdlib.h",
                "string.h",
                "time.h",
                "dirent.h",
                "pthread.h",
                "sys/socket.h",
                "sys/stat.h",
                "signal.h",
                "zlib.h",
                "sqlite3.h",
            ],
        ),
        ("all 86 headers, _GNU_SOURCE", headers::HEADERS),
    ];
    for (name, list) in sets {
        let defines: &[&str] = if list.len() > 20 {
            &["_GNU_SOURCE"]
        } else {
            &[]
        };
        let Ok(text) = headers::preprocess(&cc, list, defines) else {
            eprintln!("cannot preprocess {name}: skipped");
            continue;
        };
        g.bench_function(format!("{name} ({} kB)", text.len() / 1024), |b| {
            b.iter(|| {
                let ffi = Ffi::default();
                ffi.cdef(black_box(&text)).unwrap();
                ffi
            })
        });
    }
    g.finish();
}

fn typeof_cached(c: &mut Criterion) {
    let ffi = Ffi::default();
    ffi.cdef(&rcffi_testkit::generate::cffi_subset(6000))
        .unwrap();
    ffi.typeof_("struct s42 *[3]").unwrap();
    let mut g = c.benchmark_group("typeof");
    g.bench_function("cached \"struct s42 *[3]\"", |b| {
        b.iter(|| ffi.typeof_(black_box("struct s42 *[3]")).unwrap())
    });
    g.bench_function("cached \"int\"", |b| {
        b.iter(|| ffi.typeof_(black_box("int")).unwrap())
    });
    g.bench_function("sizeof cached \"s42_t\"", |b| {
        b.iter(|| ffi.sizeof(black_box("s42_t")).unwrap())
    });
    let mut n = 0u64;
    g.bench_function("new string, 860 typedefs declared", |b| {
        b.iter(|| {
            n += 1;
            ffi.typeof_(&format!("s{}_t *[{}]", n % 800, n)).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, cdef_generated, cdef_headers, typeof_cached);
criterion_main!(benches);

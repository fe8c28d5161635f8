//! The by-value rows of the calls against raw libffi: the types rcffi classifies itself, the
//! scalars that are not plain numbers, and the SSE structs.

use anyhow::Context;
use libffi::middle::Type;
use rcffi::Ffi;

use super::{Row, echo_vs_raw, typed_echo_of};

/// Types rcffi classifies itself (issue 14): a union, a bitfield struct, a record whose second
/// eightbyte is padding, `long double` and `__int128` — and an enum and a `char`, scalars that
/// are not plain numbers — each echoed with an `int`, against raw
/// libffi with a type libffi passes in the same registers (x86-64: `struct { int }` for the
/// union and the bitfields, `struct { long long }` for the padded record, two `long long`s
/// for `__int128`); and, where a Rust type states the C type, the same call through
/// `lib.typed` (`typed_by_value`).
pub(super) fn by_value_rows(runs: usize, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    const SRC: &str = "
        union u4 { float f; int i; };
        struct bf { unsigned a : 3, b : 29; };
        struct __attribute__((aligned(16))) al { long long x; };
        union u4 eu4(union u4 a, int d) { a.i += d; return a; }
        struct bf ebf(struct bf a, int d) { a.b += d; return a; }
        struct al eal(struct al a, int d) { a.x += d; return a; }
        long double eld(long double a, int d) { return a + d; }
        __int128 ei128(__int128 a, int d) { return a + d; }
        enum sign { NEG = -7, POS = 7 };
        enum sign esign(enum sign a, int d) { return d ? a : -a; }
        char echar(char a, int d) { return a + d; }
        struct d2 { double x, y; };
        struct f3 { float x, y, z; };
        struct mix { int i; double d; };
        struct d2 ed2(struct d2 a, int d) { a.x += d; return a; }
        struct f3 ef3(struct f3 a, int d) { a.z += d; return a; }
        struct mix emix(struct mix a, int d) { a.d += d; return a; }
        double edbl(double a, int d) { return a + d; }
    ";
    let cdef = SRC.lines().map(|l| match l.find(") {") {
        Some(i) => format!("{});", &l[..i]),
        None => l.to_string(),
    });
    let cdef: String = cdef.collect::<Vec<_>>().join("\n");
    let path = rcffi_testkit::fixture::build_shared("scaling_byvalue", SRC, &["-O1"])?;
    let ffi = Ffi::default();
    ffi.cdef(&cdef)?;
    // SAFETY: the library is built from `SRC`, which `cdef` declares.
    let lib = unsafe { ffi.dlopen(path.to_str().context("utf-8 path")?)? };
    let cases: [(&str, &str, &str, rcffi::Value, Type); 11] = [
        (
            "union { float; int } (4 bytes)",
            "eu4",
            "union u4 *",
            rcffi::list![5],
            Type::structure([Type::i32()]),
        ),
        (
            "struct { unsigned a : 3, b : 29 }",
            "ebf",
            "struct bf *",
            rcffi::list![1, 2],
            Type::structure([Type::u32()]),
        ),
        (
            "aligned(16) struct { long long } (padding eightbyte)",
            "eal",
            "struct al *",
            rcffi::list![5],
            Type::structure([Type::i64()]),
        ),
        (
            "long double (x87)",
            "eld",
            "long double *",
            rcffi::Value::Float(1.5),
            Type::longdouble(),
        ),
        (
            "__int128",
            "ei128",
            "__int128 *",
            rcffi::Value::Int(1 << 100),
            Type::structure([Type::i64(), Type::i64()]),
        ),
        (
            "enum",
            "esign",
            "enum sign *",
            rcffi::Value::Int(-7),
            Type::i32(),
        ),
        (
            "char",
            "echar",
            "char *",
            rcffi::Value::Bytes(b"a".into()),
            Type::i8(),
        ),
        (
            "struct { double x, y } (two SSE eightbytes)",
            "ed2",
            "struct d2 *",
            rcffi::list![1.5, 2.5],
            Type::structure([Type::f64(), Type::f64()]),
        ),
        (
            "struct { float x, y, z } (12 bytes, SSE)",
            "ef3",
            "struct f3 *",
            rcffi::list![1.5, 2.5, 3.5],
            Type::structure([Type::f32(), Type::f32(), Type::f32()]),
        ),
        (
            "struct { int i; double d } (INTEGER and SSE)",
            "emix",
            "struct mix *",
            rcffi::list![1, 2.5],
            Type::structure([Type::i32(), Type::f64()]),
        ),
        (
            "double",
            "edbl",
            "double *",
            rcffi::Value::Float(1.5),
            Type::f64(),
        ),
    ];
    for (name, func, ptr, init, raw_type) in cases {
        let f = lib.function(func)?;
        let a = ffi.new(ptr, init)?.get(0)?;
        let (ours, raw) = echo_vs_raw((&f, None), &a, raw_type, 16, runs);
        rows.push(Row {
            name: format!("{name} in and out"),
            rcffi: ours,
            other: raw,
            unit: "ns",
        });
        if let Some(typed) = typed_by_value(&lib, func, runs)? {
            rows.push(Row {
                name: format!("{name} in and out, typed (`lib.typed`)"),
                rcffi: typed,
                other: raw,
                unit: "ns",
            });
        }
    }
    Ok(())
}

/// ns per call of `by_value_rows`'s echo function `func` through `lib.typed`, for the types
/// a Rust type states (a bitfield struct and an x87 `long double` have none).
fn typed_by_value(lib: &rcffi::Lib, func: &str, runs: usize) -> anyhow::Result<Option<f64>> {
    #[derive(rcffi::NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "union u4")]
    union U4 {
        f: f32,
        i: i32,
    }
    #[derive(rcffi::NativeType, Clone, Copy)]
    #[repr(C, align(16))]
    #[rcffi(c = "struct al")]
    struct Al {
        x: i64,
    }
    #[derive(rcffi::NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "struct d2")]
    struct D2 {
        x: f64,
        y: f64,
    }
    #[derive(rcffi::NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "struct f3")]
    struct F3 {
        x: f32,
        y: f32,
        z: f32,
    }
    #[derive(rcffi::NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "struct mix")]
    struct Mix {
        i: i32,
        d: f64,
    }
    Ok(Some(match func {
        "eu4" => typed_echo_of(lib, func, U4 { i: 5 }, runs)?,
        "eal" => typed_echo_of(lib, func, Al { x: 5 }, runs)?,
        "ei128" => typed_echo_of(lib, func, 1i128 << 100, runs)?,
        "esign" => typed_echo_of(lib, func, -7i32, runs)?,
        "echar" => typed_echo_of(lib, func, b'a' as std::ffi::c_char, runs)?,
        "ed2" => typed_echo_of(lib, func, D2 { x: 1.5, y: 2.5 }, runs)?,
        "ef3" => typed_echo_of(
            lib,
            func,
            F3 {
                x: 1.5,
                y: 2.5,
                z: 3.5,
            },
            runs,
        )?,
        "emix" => typed_echo_of(lib, func, Mix { i: 1, d: 2.5 }, runs)?,
        "edbl" => typed_echo_of(lib, func, 1.5f64, runs)?,
        _ => return Ok(None),
    }))
}

//! Unions, bitfield structs, packed and over-aligned structs and records of 128-bit integers by
//! value, against gcc (`abi::proxy`): a probe compiled by gcc hashes every byte of each argument
//! (first, and after every argument register is taken), returns its argument and builds values
//! of its own, and calls callbacks with them; rcffi's bytes must be C's, on x86-64 and AArch64.

use rcffi::{CData, Ffi, Value};

/// Each record type, with a name `T` the probe's functions use (`hash_T`, `echo_T`, ...).
const TYPES: &[(&str, &str)] = &[
    ("u1", "union u1 { int i; float f; }"),
    ("u2", "union u2 { double d; long l; }"),
    ("u3", "union u3 { float f[2]; double d; }"),
    ("u4", "union u4 { float a; float b[3]; }"),
    (
        "s5",
        "struct s5 { char c; union { short s; char b[3]; } u; double d; }",
    ),
    (
        "s6",
        "struct s6 { unsigned a : 3, b : 20; int c : 9; float f; }",
    ),
    ("s7", "struct s7 { float x; unsigned flag : 1; }"),
    ("u8", "union u8 { char c[20]; double d; int i; }"),
    (
        "p9",
        "struct __attribute__((packed)) p9 { char c; double d; int i[4]; }",
    ),
    ("u11", "union u11 { double d[2]; float f; }"),
    (
        "s12",
        "struct s12 { union { float f; int i; } a; float b; union { double d; float g[2]; } c; }",
    ),
    // A small packed record: x86-64 passes it in memory, AArch64 in general registers.
    (
        "p13",
        "struct __attribute__((packed)) p13 { char c; int i; short s; }",
    ),
    ("i14", "struct i14 { __int128 v; }"),
    ("i15", "struct i15 { char c; unsigned __int128 v; }"),
    (
        "p16",
        "struct __attribute__((packed)) p16 { char c; __int128 v; }",
    ),
    (
        "a17",
        "struct __attribute__((aligned(16))) a17 { double d; long l; }",
    ),
    (
        "a18",
        "struct __attribute__((aligned(16))) a18 { double d, e; }",
    ),
    ("u19", "union u19 { long double x; int i; }"),
    ("u21", "union u21 { __int128 v; double d[2]; }"),
    (
        "s22",
        "struct s22 { int a : 5; __int128 b : 70; unsigned c : 3; }",
    ),
    // Aligned to 32: x86-64 refuses it as an argument (below); AArch64 passes it by reference.
    #[cfg(target_arch = "aarch64")]
    (
        "a23",
        "struct __attribute__((aligned(32))) a23 { int x[3]; }",
    ),
];

/// The C name of a record definition (`struct __attribute__((packed)) p9 {...}` → `struct p9`).
fn type_name(def: &str) -> String {
    let head = def.split(" {").next().unwrap_or(def);
    match head.split_once(" __attribute__") {
        Some((kind, rest)) => format!("{kind} {}", rest.rsplit(' ').next().unwrap_or(rest)),
        None => head.to_string(),
    }
}

fn probe_source() -> (String, String) {
    let mut c = String::from("#include <string.h>\n");
    let mut cdef = String::new();
    for (n, def) in TYPES {
        let t = type_name(def);
        c.push_str(&format!(
            "{def};\n\
             unsigned long long hash_{n}({t} x, int k) {{\n\
               unsigned char b[sizeof x]; memcpy(b, &x, sizeof x);\n\
               unsigned long long h = 1469598103934665603ull;\n\
               for (unsigned i = 0; i < sizeof x; i++) h = (h ^ b[i]) * 1099511628211ull;\n\
               return h ^ (unsigned long long)k;\n\
             }}\n\
             unsigned long long deep_{n}(long a1, long a2, long a3, long a4, long a5, long a6,\n\
               long a7, double d1, double d2, double d3, double d4, double d5, double d6,\n\
               double d7, double d8, {t} x, int k) {{\n\
               return hash_{n}(x, k) ^ (unsigned long long)(a1 + a7 * 3 + (long)(d1 + d8 * 5));\n\
             }}\n\
             {t} echo_{n}({t} x) {{ return x; }}\n\
             {t} make_{n}(int seed) {{\n\
               {t} x; unsigned char b[sizeof x];\n\
               for (unsigned i = 0; i < sizeof x; i++) b[i] = (unsigned char)(seed * 31 + i * 7);\n\
               memcpy(&x, b, sizeof x); return x;\n\
             }}\n\
             {t} via_{n}({t} (*cb)({t}, int), {t} x) {{ return cb(x, 5); }}\n"
        ));
        cdef.push_str(&format!(
            "{def};\n\
             unsigned long long hash_{n}({t} x, int k);\n\
             unsigned long long deep_{n}(long, long, long, long, long, long, long, double, \
               double, double, double, double, double, double, double, {t} x, int k);\n\
             {t} echo_{n}({t} x);\n\
             {t} make_{n}(int seed);\n\
             {t} via_{n}({t} (*cb)({t}, int), {t} x);\n"
        ));
    }
    (c, cdef)
}

/// FNV-1a of the bytes, as the probe computes it.
fn hash(bytes: &[u8], k: u64) -> u64 {
    let mut h = 1469598103934665603u64;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(1099511628211);
    }
    h ^ k
}

#[test]
fn unions_bitfields_and_packed_structs_by_value_are_c_s() {
    let (src, cdef) = probe_source();
    let path = rcffi_testkit::fixture::build_shared("unionprobe", &src, &["-O0"]).expect("gcc");
    let ffi = Ffi::default();
    ffi.cdef(&cdef).unwrap();
    // SAFETY: built from the same declarations.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    for (n, def) in TYPES {
        let t = type_name(def);
        let size = ffi.sizeof(t.as_str()).unwrap();
        let bytes_of = |c: &rcffi::CData| {
            ffi.buffer(&ffi.addressof(c, "").unwrap(), None)
                .unwrap()
                .to_vec()
                .unwrap()
        };
        for seed in [1u8, 77, 200] {
            // Every byte graffiti, padding and all.
            let graffiti: Vec<u8> = (0..size)
                .map(|i| seed.wrapping_mul(13) ^ (i as u8).wrapping_mul(29))
                .collect();
            let p = ffi.new(format!("{t} *").as_str(), ()).unwrap();
            ffi.memmove(&p, graffiti.clone(), size).unwrap();
            let x = p.get(0).unwrap();
            // SAFETY: the probe's functions take and return the record by value.
            unsafe {
                let h = lib.call(&format!("hash_{n}"), (&x, 9)).unwrap();
                assert_eq!(
                    h,
                    Value::Int(i128::from(hash(&graffiti, 9))),
                    "{t}: C hashed other bytes"
                );
                // After every argument register: on the stack, at the record's alignment.
                let deep = lib
                    .call(
                        &format!("deep_{n}"),
                        (1..=7)
                            .map(Value::from)
                            .chain((1..=8).map(|d| Value::Float(f64::from(d))))
                            .chain([x.clone(), Value::from(9)])
                            .collect::<Vec<Value>>(),
                    )
                    .unwrap();
                assert_eq!(
                    deep,
                    Value::Int(i128::from(hash(&graffiti, 9) ^ (1 + 7 * 3 + 41))),
                    "{t}: on the stack"
                );
                let e = lib
                    .call(&format!("echo_{n}"), (&x,))
                    .unwrap()
                    .cdata()
                    .unwrap();
                assert_eq!(bytes_of(&e), graffiti, "{t}: returned by value");
                let m = lib
                    .call(&format!("make_{n}"), (i32::from(seed),))
                    .unwrap()
                    .cdata()
                    .unwrap();
                let want: Vec<u8> = (0..size)
                    .map(|i| (u32::from(seed) * 31 + i as u32 * 7) as u8)
                    .collect();
                assert_eq!(bytes_of(&m), want, "{t}: made by C");
                // Through a callback: argument in, result out.
                let cb = ffi
                    .callback(format!("{t}(*)({t}, int)").as_str(), |a| {
                        assert_eq!(a.get_as::<i32>(1)?, 5);
                        a.get(0)
                    })
                    .unwrap();
                let v = lib
                    .call(&format!("via_{n}"), (&cb, &x))
                    .unwrap()
                    .cdata()
                    .unwrap();
                assert_eq!(bytes_of(&v), graffiti, "{t}: through a callback");
            }
        }
    }
}

/// Records whose padding C does not carry (an eightbyte of padding only, an x87 `long double`
/// loaded into `st0`), compared by their values: the probe's functions compute with them.
#[test]
fn padded_and_x87_records_by_value_keep_their_values() {
    const C: &str = r#"
        #include <string.h>
        struct __attribute__((aligned(16))) a24 { int x; };
        union u25 { long double x; long double y; };
        struct s26 { long double _Complex z; };
        int a24_get(int a, struct a24 s, int b) { return s.x * 100 + a + b; }
        struct a24 a24_make(int x) { struct a24 r; memset(&r, 0, sizeof r); r.x = x; return r; }
        long double u25_get(union u25 u, int k) { return u.x * k; }
        union u25 u25_make(long double x) { union u25 u; u.x = x / 4; return u; }
        struct s26 s26_swap(int k, struct s26 s) {
            struct s26 r; r.z = __builtin_complex(__imag__ s.z * k, __real__ s.z); return r;
        }
    "#;
    const CDEF: &str = "
        struct __attribute__((aligned(16))) a24 { int x; };
        union u25 { long double x; long double y; };
        struct s26 { long double _Complex z; };
        int a24_get(int a, struct a24 s, int b);
        struct a24 a24_make(int x);
        long double u25_get(union u25 u, int k);
        union u25 u25_make(long double x);
        struct s26 s26_swap(int k, struct s26 s);
    ";
    if cfg!(target_arch = "x86_64") && super::under_valgrind() {
        return; // valgrind's x87 is 64 bits wide
    }
    let path = rcffi_testkit::fixture::build_shared("paddedprobe", C, &["-O0"]).expect("gcc");
    let ffi = Ffi::default();
    ffi.cdef(CDEF).unwrap();
    // SAFETY: built from the same declarations.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let ld = |t: &str| {
        let x = ffi
            .cast("long double", 1)
            .unwrap()
            .to_long_double()
            .unwrap();
        rcffi::LongDouble::parse(t, x.format()).unwrap()
    };
    let exact = |v: Value| v.cdata().unwrap().to_long_double().unwrap();
    // SAFETY: the probe's functions, as declared.
    unsafe {
        let a = lib.call("a24_make", (-42,)).unwrap().cdata().unwrap();
        assert_eq!(a.field("x").unwrap(), Value::from(-42));
        assert_eq!(lib.call("a24_get", (3, &a, 4)).unwrap(), Value::from(-4193));
        assert_eq!(
            lib.call("a24_get", (1, rcffi::list![5], 2)).unwrap(),
            Value::from(503)
        );
        let u = lib
            .call("u25_make", ("0x1p16000",))
            .unwrap()
            .cdata()
            .unwrap();
        assert_eq!(exact(u.field("y").unwrap()), ld("0x1p15998"));
        assert_eq!(
            exact(lib.call("u25_get", (&u, 3)).unwrap()),
            ld("0x3p15998")
        );
        let s = lib
            .call(
                "s26_swap",
                (2, rcffi::list![rcffi::list!["0x1p-16000", "-0.5"]]),
            )
            .unwrap()
            .cdata()
            .unwrap();
        let Value::List(z) = s.field("z").unwrap() else {
            panic!("a complex member is a list");
        };
        assert_eq!(exact(z[0].clone()), ld("-1"));
        assert_eq!(exact(z[1].clone()), ld("0x1p-16000"));
    }
}

/// x86-64 places a record aligned to 32 bytes at a 32-byte aligned stack slot, counted from a
/// base libffi aligns to 16 only: refused as an argument, with the reason. (A result comes
/// back through memory the caller gives, and is passed; AArch64 passes it by reference.)
#[cfg(target_arch = "x86_64")]
#[test]
fn records_no_proxy_matches_are_refused_with_the_reason() {
    let ffi = Ffi::default();
    ffi.cdef("struct __attribute__((aligned(32))) p { int x[3]; };")
        .unwrap();
    let f = ffi.cast("int(*)(struct p)", 1).unwrap();
    // SAFETY: refused before any call.
    let e = unsafe { f.call((rcffi::list![rcffi::list![1, 2, 3]],)) }.unwrap_err();
    assert!(matches!(e, rcffi::Error::Unsupported(_)), "{e:?}");
    assert!(
        e.to_string().contains("aligned to 32") && e.to_string().contains("struct p"),
        "{e}"
    );
}

/// Results aligned past 16 bytes, up to a 64 KiB record aligned to its size (libffi's 16-bit
/// alignment field cannot hold 65,536): each comes back through `call`, `call_into` and a
/// callback's result, aligned as its type says, with the bytes gcc's code wrote.
#[test]
fn results_aligned_past_16_bytes_up_to_64_kib_come_back_whole() {
    const ALIGNS: [usize; 4] = [32, 256, 4096, 65536];
    let mut c = String::new();
    let mut cdef = String::new();
    for a in ALIGNS {
        let decl =
            format!("struct __attribute__((aligned({a}))) r{a} {{ unsigned char b[{a}]; }};\n");
        c += &decl;
        c += &format!(
            "struct r{a} make{a}(int seed) {{
                struct r{a} r;
                for (int i = 0; i < {a}; i++) r.b[i] = (unsigned char)(seed + i * 7 + i / 251);
                return r;
            }}
            void fill{a}(struct r{a} *out, int seed) {{ *out = make{a}(seed); }}
            int agrees{a}(struct r{a} (*cb)(int), int seed) {{
                struct r{a} got = cb(seed), want = make{a}(seed);
                for (int i = 0; i < {a}; i++) if (got.b[i] != want.b[i]) return -i - 1;
                return 1;
            }}\n"
        );
        cdef += &decl;
        cdef += &format!(
            "struct r{a} make{a}(int seed); void fill{a}(struct r{a} *out, int seed);
             int agrees{a}(struct r{a} (*cb)(int), int seed);\n"
        );
    }
    let path = rcffi_testkit::fixture::build_shared("alignedresults", &c, &["-O1"]).expect("gcc");
    let ffi = Ffi::default();
    ffi.cdef(&cdef).unwrap();
    // SAFETY: built from the same declarations.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    // The bytes a pointer points to; a struct's, through its address.
    let bytes = |c: &CData| ffi.buffer(c, None).unwrap().to_vec().unwrap();
    let bytes_of = |c: &CData| bytes(&ffi.addressof(c, "").unwrap());
    for a in ALIGNS {
        let seed = a as i32 % 97 + 3;
        // gcc's own code writes the record through a pointer: the bytes to expect.
        let want = ffi.new(format!("struct r{a} *").as_str(), ()).unwrap();
        let fill = lib.function(&format!("fill{a}")).unwrap();
        // SAFETY: as declared.
        unsafe { fill.call((&want, seed)) }.unwrap();
        let want = bytes(&want);
        let make = lib.function(&format!("make{a}")).unwrap();
        // SAFETY: as declared.
        let got = super::cd(unsafe { make.call((seed,)) }.unwrap());
        assert_eq!(
            got.address() % a,
            0,
            "the result of make{a} is aligned to {a}"
        );
        assert!(bytes_of(&got) == want, "make{a}'s result through call");
        let out = ffi.new(format!("struct r{a} *").as_str(), ()).unwrap();
        // SAFETY: as declared.
        unsafe { make.call_into(&out, (seed,)) }.unwrap();
        assert!(bytes(&out) == want, "make{a}'s result through call_into");
        let f = ffi.clone();
        let cb = ffi
            .callback(&format!("struct r{a}(*)(int)"), move |args| {
                let seed: i32 = args.get(0)?.try_into()?;
                let r = f.new(format!("struct r{a} *").as_str(), ())?;
                // SAFETY: as declared.
                unsafe { fill.call((&r, seed)) }?;
                r.get(0)
            })
            .unwrap();
        let agrees = lib.function(&format!("agrees{a}")).unwrap();
        // SAFETY: as declared; the callback returns the record `make` makes.
        let v = unsafe { agrees.call((&cb, seed)) }.unwrap();
        assert_eq!(
            v,
            Value::Int(1),
            "the callback's aligned({a}) result, as C reads it"
        );
    }
}

/// Records of 16 bytes whose second eightbyte is padding only travel in one register; libffi's
/// x86-64 closures count two for them (or an integer one for an SSE one's padding) and read
/// every later argument from the wrong register. rcffi's callbacks show libffi such a record as
/// its first 8 bytes where it arrives in a register, and whole where it arrives on the stack:
/// C calls each callback with the record in an integer register, in a vector register, and on
/// the stack after the registers are taken, with arguments after it in both classes.
#[test]
fn callbacks_take_records_with_a_padding_eightbyte_in_registers_and_on_the_stack() {
    const STRUCTS: &str = "
        struct __attribute__((aligned(16))) pi { int x; };
        struct __attribute__((aligned(16))) pd { double x; };
    ";
    const DECLS: &str = "
        long in_regs(long (*cb)(int, struct pi, long, struct pd, double, int));
        long on_stack(long (*cb)(long, long, long, long, long, long, struct pi, int, double,
            double, double, double, double, double, double, double, struct pd, double));
    ";
    let c = format!(
        "{STRUCTS}{}",
        r#"
        long in_regs(long (*cb)(int, struct pi, long, struct pd, double, int)) {
            struct pi a = { 7 }; struct pd b = { 2.5 };
            return cb(1, a, 3, b, 4.5, 6);
        }
        long on_stack(long (*cb)(long, long, long, long, long, long, struct pi, int, double,
                double, double, double, double, double, double, double, struct pd, double)) {
            struct pi a = { 70 }; struct pd b = { 0.25 };
            return cb(1, 2, 3, 4, 5, 6, a, 8, 1, 2, 3, 4, 5, 6, 7, 8, b, 9.5);
        }
    "#
    );
    let path = rcffi_testkit::fixture::build_shared("paddedcb", &c, &["-O0"]).expect("gcc");
    let ffi = Ffi::default();
    ffi.cdef(&format!("{STRUCTS}{DECLS}")).unwrap();
    // SAFETY: built from the same declarations.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let regs = ffi
        .callback(
            "long(*)(int, struct pi, long, struct pd, double, int)",
            |a| -> rcffi::Result<i64> {
                let pi = a.get(1)?.cdata()?.field_as::<i64>("x")?;
                let pd = a.get(3)?.cdata()?.field_as::<f64>("x")?;
                let (i, l, d, k) = (
                    a.get_as::<i64>(0)?,
                    a.get_as::<i64>(2)?,
                    a.get_as::<f64>(4)?,
                    a.get_as::<i64>(5)?,
                );
                Ok(
                    i + 10 * pi
                        + 100 * l
                        + (1000.0 * pd) as i64
                        + (10000.0 * d) as i64
                        + k * 100000,
                )
            },
        )
        .unwrap();
    // SAFETY: in_regs calls the callback once, with the type it takes.
    let got = unsafe { lib.call("in_regs", (&regs,)) }.unwrap();
    assert_eq!(got, Value::from(1 + 70 + 300 + 2500 + 45000 + 600000));
    let stack = ffi
        .callback(
            "long(*)(long, long, long, long, long, long, struct pi, int, double, double, double, \
             double, double, double, double, double, struct pd, double)",
            |a| -> rcffi::Result<i64> {
                let ints: i64 = (0..6)
                    .map(|k| a.get_as::<i64>(k))
                    .sum::<rcffi::Result<i64>>()?;
                let pi = a.get(6)?.cdata()?.field_as::<i64>("x")?;
                let floats: f64 = (8..16)
                    .map(|k| a.get_as::<f64>(k))
                    .sum::<rcffi::Result<f64>>()?;
                let pd = a.get(16)?.cdata()?.field_as::<f64>("x")?;
                let last = a.get_as::<f64>(17)?;
                Ok(ints
                    + 100 * pi
                    + 10000 * a.get_as::<i64>(7)?
                    + (floats * 1e6) as i64
                    + (pd * 1e9) as i64
                    + (last * 1e10) as i64)
            },
        )
        .unwrap();
    // SAFETY: as above.
    let got = unsafe { lib.call("on_stack", (&stack,)) }.unwrap();
    let want = 21 + 7000 + 80000 + 36_000_000 + 250_000_000 + 95_000_000_000i64;
    assert_eq!(got, Value::from(want));
}

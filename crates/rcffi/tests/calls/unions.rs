//! Unions, bitfield structs and packed structs by value, against gcc (`abi::proxy`): a probe
//! compiled by gcc hashes every byte of each argument, returns its argument and builds values
//! of its own, and calls callbacks with them; rcffi's bytes must be C's, on x86-64 and AArch64.

use rcffi::{Ffi, Value};

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
    // AArch64 passes a small packed record in general registers (x86-64 refuses it: below).
    #[cfg(target_arch = "aarch64")]
    (
        "p13",
        "struct __attribute__((packed)) p13 { char c; int i; short s; }",
    ),
];

/// The C name of a record definition (`struct __attribute__((packed)) p9 {...}` → `struct p9`).
fn type_name(def: &str) -> String {
    def.split(" {")
        .next()
        .unwrap_or(def)
        .replace("__attribute__((packed)) ", "")
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

/// On x86-64 a record of at most 16 bytes with an unaligned member is MEMORY class, which no
/// libffi struct of its size is: refused. (AArch64 passes it in general registers like any
/// small record, and rcffi does.)
#[cfg(target_arch = "x86_64")]
#[test]
fn records_no_proxy_matches_are_refused_with_the_reason() {
    let ffi = Ffi::default();
    ffi.cdef("struct __attribute__((packed)) p { char c; int i; };")
        .unwrap();
    let f = ffi.cast("int(*)(struct p)", 1).unwrap();
    // SAFETY: refused before any call.
    let e = unsafe { f.call((rcffi::list![1, 2],)) }.unwrap_err();
    assert!(matches!(e, rcffi::Error::Unsupported(_)), "{e:?}");
    assert!(
        e.to_string().contains("unaligned") && e.to_string().contains("struct p"),
        "{e}"
    );
}

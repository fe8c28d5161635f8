//! Rust numbers lent to C in place — `&mut [T]`, `&mut [T; N]`, `&mut Vec<T>`, `&mut T` and
//! `Option`s of them — for a pointer to their own C type, to bytes (`u8`, `i8`) or to
//! `void`: C gets their address and writes them where they are, as it writes a C array. Each
//! call is made on the direct path (a tuple) and on the converting one (a list of `Arg`s),
//! and checked against what the same C code writes into a C array (`fill`, libc's `frexp`,
//! `memset`, `snprintf`, `sscanf`).

use rcffi::{Arg, Ffi, IntoArg, Value};

const PROBE: &str = r#"
#include <stddef.h>
#include <stdint.h>
/* Writes a[i] = start + i * step (as the item type) and returns the address it got. */
#define FILL(T) unsigned long long fill_##T(T *a, size_t n, long long start, long long step) { \
    for (size_t i = 0; i < n; i++) a[i] = (T)(start + (long long)i * step); \
    return (unsigned long long)a; }
FILL(int8_t) FILL(uint8_t) FILL(int16_t) FILL(uint16_t) FILL(int32_t) FILL(uint32_t)
FILL(int64_t) FILL(uint64_t) FILL(float) FILL(double)
/* Adds one to each of n ints and returns their sum. */
long long bump(int *a, int n) { long long s = 0; for (int i = 0; i < n; i++) s += ++a[i]; return s; }
unsigned long long addr_of(const void *p) { return (unsigned long long)p; }
int take_int(int x) { return x; }
"#;

const TYPES: [&str; 10] = [
    "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t",
    "float", "double",
];

fn probe() -> (Ffi, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let path = PATH.get_or_init(|| {
        rcffi_testkit::fixture::build_shared("inplaceargs", PROBE, &["-O1"]).expect("probe")
    });
    let ffi = Ffi::default();
    let mut cdef: String = TYPES
        .iter()
        .map(|t| {
            format!(
                "unsigned long long fill_{t}({t} *a, size_t n, long long start, long long step);\n"
            )
        })
        .collect();
    cdef.push_str(
        "long long bump(int *a, int n); unsigned long long addr_of(const void *p);
         int take_int(int x);",
    );
    ffi.cdef(&cdef).unwrap();
    // SAFETY: the probe is built from PROBE, which the cdef declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    (ffi, lib)
}

/// What `fill_T` writes, read back from a C array the call filled: the oracle.
fn c_filled(ffi: &Ffi, lib: &rcffi::Lib, t: &str, n: usize, start: i64, step: i64) -> Vec<Value> {
    let arr = ffi.new(format!("{t}[]").as_str(), n).unwrap();
    // SAFETY: fill_T writes n items of the array.
    unsafe { lib.call(&format!("fill_{t}"), (&arr, n, start, step)) }.unwrap();
    (0..n).map(|i| arr.get(i).unwrap()).collect()
}

fn int(v: Value) -> u64 {
    match v {
        Value::Int(i) => i as u64,
        other => panic!("{other:?}"),
    }
}

/// Each Rust number type lent to a pointer to its own C type, on both paths and at lengths
/// around the stack area: C writes the Rust numbers where they are, the same values it writes
/// into a C array, at their own address.
#[test]
fn each_number_type_is_written_in_place() {
    let (ffi, lib) = probe();
    macro_rules! check {
        ($t:ty, $c:expr) => {
            for n in [0usize, 1, 3, 64, 1000] {
                let want = c_filled(&ffi, &lib, $c, n, -3, 7);
                let as_values =
                    |v: &[$t]| -> Vec<Value> { v.iter().map(|x| (*x).into()).collect() };
                let f = format!("fill_{}", $c);
                let mut direct = vec![<$t>::default(); n];
                // SAFETY: fill_T writes n items.
                let at = unsafe { lib.call(&f, (&mut direct[..], n, -3i64, 7i64)) }.unwrap();
                assert_eq!(as_values(&direct), want, "{} {n} direct", $c);
                assert_eq!(int(at) as usize, direct.as_ptr() as usize, "{} {n}", $c);
                let mut listed = vec![<$t>::default(); n];
                let args = vec![
                    (&mut listed[..]).into_arg(),
                    Arg::Int(n as i64),
                    Arg::Int(-3),
                    Arg::Int(7),
                ];
                // SAFETY: as above.
                let at = unsafe { lib.call(&f, args) }.unwrap();
                assert_eq!(as_values(&listed), want, "{} {n} converted", $c);
                assert_eq!(int(at) as usize, listed.as_ptr() as usize, "{} {n}", $c);
            }
        };
    }
    check!(i8, "int8_t");
    check!(u8, "uint8_t");
    check!(i16, "int16_t");
    check!(u16, "uint16_t");
    check!(i32, "int32_t");
    check!(u32, "uint32_t");
    check!(i64, "int64_t");
    check!(u64, "uint64_t");
    check!(f32, "float");
    check!(f64, "double");
}

/// Every `&mut` form: a slice, an array, a vector, one number, `Some` of one; `None` is NULL,
/// and an empty slice is not.
#[test]
fn every_form_is_lent() {
    let (_ffi, lib) = probe();
    let mut arr = [1i32, 2, 3];
    let mut v = vec![10i32, 20];
    let mut one = 41i32;
    // SAFETY: bump adds one to n ints; addr_of returns its pointer.
    unsafe {
        assert_eq!(lib.call("bump", (&mut arr, 3)).unwrap(), Value::Int(9));
        assert_eq!(lib.call("bump", (&mut v, 2)).unwrap(), Value::Int(32));
        assert_eq!(lib.call("bump", (&mut one, 1)).unwrap(), Value::Int(42));
        assert_eq!(
            lib.call("bump", (Some(&mut arr[1..]), 2)).unwrap(),
            Value::Int(9)
        );
        assert_eq!(int(lib.call("addr_of", (None::<&mut [i32]>,)).unwrap()), 0);
        assert_eq!(int(lib.call("addr_of", (None::<&mut i32>,)).unwrap()), 0);
        let empty: &mut [f64] = &mut [];
        assert_ne!(int(lib.call("addr_of", (empty,)).unwrap()), 0);
    }
    assert_eq!(arr, [2, 4, 5]);
    assert_eq!(v, [11, 21]);
    assert_eq!(one, 42);
}

/// Beside other arguments of every kind — a struct by value sends the tuple to the converting
/// path — and in a list of `Arg`s.
#[test]
fn lent_numbers_beside_other_arguments() {
    let ffi = Ffi::default();
    ffi.cdef("int snprintf(char *s, size_t n, const char *fmt, ...); void *memset(void *s, int c, size_t n);")
        .unwrap();
    // SAFETY: libc's functions as C declares them.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    let mut buf = [0xffu8; 32];
    // SAFETY: snprintf writes at most 32 bytes into buf.
    let n = unsafe { libc.call("snprintf", (&mut buf, 32usize, c"%d-%s", 42, "x")) }.unwrap();
    assert_eq!(n, Value::Int(4));
    assert_eq!(&buf[..5], b"42-x\0");
    assert_eq!(buf[5], 0xff, "nothing past what snprintf wrote");
    // Any numbers for a `void *`.
    let mut d = [1.5f64; 4];
    // SAFETY: memset writes 32 bytes, d's size.
    unsafe { libc.call("memset", (&mut d, 0, 32usize)) }.unwrap();
    assert_eq!(d, [0.0; 4]);
    let mut words = [7u64; 2];
    let args = vec![(&mut words).into_arg(), Arg::Int(0xab), Arg::Int(16)];
    // SAFETY: memset writes 16 bytes, the words' size.
    unsafe { libc.call("memset", args) }.unwrap();
    assert_eq!(words, [0xabab_abab_abab_abab; 2]);
}

/// In a variadic part, numbers lent in place are pointers, on both paths: `sscanf` writes the
/// numbers it reads into them.
#[test]
fn lent_numbers_in_a_variadic_part_are_pointers() {
    let ffi = Ffi::default();
    ffi.cdef("int sscanf(const char *s, const char *fmt, ...); double frexp(double x, int *e);")
        .unwrap();
    // SAFETY: libc's and libm's functions as C declares them.
    let (libc, libm) = unsafe { (ffi.dlopen("c").unwrap(), ffi.dlopen("m").unwrap()) };
    let (mut a, mut b, mut c) = (0i32, 0f64, [0u8; 8]);
    // SAFETY: sscanf writes an int, a double and at most 7 characters and a NUL.
    let got = unsafe {
        libc.call(
            "sscanf",
            (c"12 2.5 word", c"%d %lf %7s", &mut a, &mut b, &mut c),
        )
    };
    assert_eq!(got.unwrap(), Value::Int(3));
    assert_eq!((a, b, &c[..5]), (12, 2.5, &b"word\0"[..]));
    let (mut x, mut y) = (0i64, 0u16);
    let args = vec![
        Arg::CStr(c"-5 9"),
        Arg::CStr(c"%lld %hu"),
        (&mut x).into_arg(),
        (&mut y).into_arg(),
    ];
    // SAFETY: sscanf writes a long long and an unsigned short.
    assert_eq!(unsafe { libc.call("sscanf", args) }.unwrap(), Value::Int(2));
    assert_eq!((x, y), (-5, 9));
    // An out-parameter of a fixed part.
    let mut e = 0i32;
    // SAFETY: frexp writes the exponent.
    let m = unsafe { libm.call("frexp", (48.0, &mut e)) }.unwrap();
    assert_eq!((m, e), (Value::Float(0.75), 6));
}

/// Numbers of another type than the pointer's items (or of any type for a number parameter)
/// are refused, naming the argument and both types, on both paths; nothing is written.
#[test]
fn numbers_of_another_type_are_refused() {
    let (_ffi, lib) = probe();
    let mut wide = [5i64; 2];
    // SAFETY: refused before the call.
    let direct = unsafe { lib.call("bump", (&mut wide, 2)) }
        .unwrap_err()
        .to_string();
    let args = vec![(&mut wide).into_arg(), Arg::Int(2)];
    // SAFETY: as above.
    let listed = unsafe { lib.call("bump", args) }.unwrap_err().to_string();
    assert_eq!(direct, listed);
    assert!(
        direct.contains("argument 1") && direct.contains("int *") && direct.contains("&mut [i64]"),
        "{direct}"
    );
    assert_eq!(wide, [5, 5]);
    // Floats for bytes, bytes for ints.
    let mut f = [0f32; 2];
    // SAFETY: as above.
    let e = unsafe { lib.call("fill_uint8_t", (&mut f, 2usize, 0i64, 1i64)) }.unwrap_err();
    assert!(e.to_string().contains("&mut [f32]"), "{e}");
    let mut b = [0u8; 8];
    // SAFETY: as above.
    let e = unsafe { lib.call("fill_int32_t", (&mut b, 2usize, 0i64, 1i64)) }.unwrap_err();
    assert!(e.to_string().contains("&mut [u8]"), "{e}");
    // A number parameter.
    let mut one = 1i32;
    // SAFETY: as above.
    let e = unsafe { lib.call("take_int", (&mut one,)) }
        .unwrap_err()
        .to_string();
    assert!(e.contains("argument 1") && e.contains("&mut [i32]"), "{e}");
}

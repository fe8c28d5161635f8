//! Rust numbers given to a pointer parameter — slices, arrays and vectors, owned or borrowed,
//! and `Option`s of them — in a tuple: for a pointer to the numbers' own C type (`&[i32]` for
//! an `int *`) the direct path copies their bytes into the call's stack area, or into one
//! heap buffer past its 256 bytes (`call::with_copies`); any other pointer converts them item
//! by item into a temporary array (the converting path). C hashes what it received; each
//! call is checked against the same numbers given as a `Value` (the converting path) and,
//! where the types match, against the hash of the Rust numbers' own bytes.

use rcffi::{Arg, Ffi, Value};

const PROBE: &str = r#"
#include <stddef.h>
#include <string.h>
/* FNV-1a of n bytes. */
unsigned long long fnv(const void *p, size_t n) {
    const unsigned char *s = p;
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}
unsigned long long fnv2(const void *a, size_t na, const void *b, size_t nb) {
    return fnv(a, na) * 3 + fnv(b, nb) * 5;
}
unsigned long long text_and(const char *s, const void *a, size_t n) {
    return fnv(s, strlen(s) + 1) * 3 + fnv(a, n) * 5;
}
unsigned long long addr_of(const void *p) { return (unsigned long long)p; }
void scribble(void *p, size_t n) { memset(p, 0xA5, n); }
"#;

/// The C types a pointer parameter points to, with their sizes.
const C_TYPES: [(&str, usize); 13] = [
    ("int8_t", 1),
    ("int16_t", 2),
    ("uint16_t", 2),
    ("int32_t", 4),
    ("uint32_t", 4),
    ("int64_t", 8),
    ("uint64_t", 8),
    ("float", 4),
    ("double", 8),
    ("long", 8),
    ("size_t", 8),
    ("unsigned char", 1),
    ("short", 2),
];

fn built() -> &'static std::path::Path {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        rcffi_testkit::fixture::build_shared("numberargs", PROBE, &["-O1"]).expect("probe")
    })
}

/// The probe, its functions declared with `T *` parameters for the C type `t`.
fn probe(t: &str) -> (Ffi, rcffi::Lib) {
    let ffi = Ffi::default();
    ffi.cdef(&format!(
        "unsigned long long fnv(const {t} *p, size_t n);
         unsigned long long fnv2(const {t} *a, size_t na, {t} *b, size_t nb);
         unsigned long long text_and(const char *s, const {t} *a, size_t n);
         unsigned long long addr_of(const {t} *p);
         void scribble({t} *p, size_t n);"
    ))
    .unwrap();
    // SAFETY: the probe is built from PROBE, whose functions take any pointers as these.
    let lib = unsafe { ffi.dlopen(built().to_str().unwrap()) }.unwrap();
    (ffi, lib)
}

/// What `fnv` computes.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(1469598103934665603u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(1099511628211)
    })
}

fn int(v: Value) -> u64 {
    match v {
        Value::Int(i) => i as u64,
        other => panic!("{other:?}"),
    }
}

/// Rust numbers and their bytes, `len` of them, from a pattern that reaches each type's
/// extremes (for the matching types) and negative and large values (which the conversions to
/// other types refuse or keep, as they would for a list of values).
trait Pattern: Copy + Into<Value> + 'static {
    fn nth(i: usize) -> Self;
    fn bytes(v: &[Self]) -> Vec<u8>;
}

macro_rules! pattern {
    ($($t:ty),*) => {$(
        impl Pattern for $t {
            fn nth(i: usize) -> $t {
                match i % 5 {
                    0 => <$t>::MAX,
                    1 => <$t>::MIN,
                    2 => (i % 100) as $t,
                    3 => (i as $t).wrapping_mul(3 as $t),
                    _ => 0 as $t,
                }
            }
            fn bytes(v: &[$t]) -> Vec<u8> {
                v.iter().flat_map(|x| x.to_ne_bytes()).collect()
            }
        }
    )*};
}
pattern!(i8, i16, u16, i32, u32, i64, u64, isize, usize);

macro_rules! float_pattern {
    ($($t:ty),*) => {$(
        impl Pattern for $t {
            fn nth(i: usize) -> $t {
                match i % 4 {
                    0 => <$t>::MAX,
                    1 => -(i as $t) / 7.0,
                    2 => <$t>::MIN_POSITIVE,
                    _ => (i as $t) * 0.5,
                }
            }
            fn bytes(v: &[$t]) -> Vec<u8> {
                v.iter().flat_map(|x| x.to_ne_bytes()).collect()
            }
        }
    )*};
}
float_pattern!(f32, f64);

/// `T`s of every length around the stack area's 256 bytes for each C type: the direct call
/// gives what the converting path gives (the same hash, or the same error); where `T` is the
/// C type's own Rust type, C received exactly the Rust numbers' bytes.
fn matrix<T: Pattern>(rust: &str, own: &[&str])
where
    for<'a> &'a [T]: rcffi::IntoArg<'a>,
{
    for (t, size) in C_TYPES {
        let (_ffi, lib) = probe(t);
        for len in [0usize, 1, 2, 3, 7, 31, 32, 33, 63, 64, 65, 200, 1000] {
            let v: Vec<T> = (0..len).map(T::nth).collect();
            let n = len * size;
            // SAFETY: fnv reads n bytes, the size of `len` items of its pointer's type.
            let (direct, converted) = unsafe {
                (
                    lib.call("fnv", (&v[..], n)),
                    lib.call(
                        "fnv",
                        vec![
                            Arg::Value(Value::List(v.iter().map(|x| (*x).into()).collect())),
                            Arg::Int(n as i64),
                        ],
                    ),
                )
            };
            let what = format!("{rust} for {t} *, {len} items");
            match (direct, converted) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{what}");
                    if own.contains(&t) {
                        assert_eq!(int(a), fnv(&T::bytes(&v)), "{what}");
                    }
                }
                (Err(a), Err(b)) => {
                    assert!(!own.contains(&t), "{what}: {a}");
                    assert_eq!(a.to_string(), b.to_string(), "{what}");
                }
                (a, b) => panic!("{what}: {a:?} against {b:?}"),
            }
        }
    }
}

#[test]
fn every_number_type_for_every_pointer_matches_the_converting_path() {
    matrix::<i8>("i8", &["int8_t"]);
    matrix::<i16>("i16", &["int16_t", "short"]);
    matrix::<u16>("u16", &["uint16_t"]);
    matrix::<i32>("i32", &["int32_t"]);
    matrix::<u32>("u32", &["uint32_t"]);
    matrix::<i64>("i64", &["int64_t", "long"]);
    matrix::<u64>("u64", &["uint64_t", "size_t"]);
    matrix::<isize>("isize", &["int64_t", "long"]);
    matrix::<usize>("usize", &["uint64_t", "size_t"]);
    matrix::<f32>("f32", &["float"]);
    matrix::<f64>("f64", &["double"]);
}

/// Every form of numbers — a slice, a vector and an array, owned or borrowed, and `Some` of a
/// slice — arrives as the same bytes; `None` is NULL.
#[test]
fn every_form_arrives_as_the_same_bytes() {
    let (_ffi, lib) = probe("int32_t");
    let arr: [i32; 5] = [1, -2, 3, i32::MIN, i32::MAX];
    let v = arr.to_vec();
    let want = fnv(&i32::bytes(&arr));
    // SAFETY: fnv reads 20 bytes; addr_of only returns its pointer.
    unsafe {
        assert_eq!(int(lib.call("fnv", (&arr[..], 20)).unwrap()), want);
        assert_eq!(int(lib.call("fnv", (arr, 20)).unwrap()), want);
        assert_eq!(int(lib.call("fnv", (&arr, 20)).unwrap()), want);
        assert_eq!(int(lib.call("fnv", (&v, 20)).unwrap()), want);
        assert_eq!(int(lib.call("fnv", (v.clone(), 20)).unwrap()), want);
        assert_eq!(int(lib.call("fnv", (Some(&v[..]), 20)).unwrap()), want);
        assert_eq!(int(lib.call("addr_of", (None::<&[i32]>,)).unwrap()), 0);
        assert_eq!(int(lib.call("addr_of", (None::<Vec<i32>>,)).unwrap()), 0);
        // An empty slice is an empty array somewhere, not NULL, as on the converting path.
        let empty: &[i32] = &[];
        assert_ne!(int(lib.call("addr_of", (empty,)).unwrap()), 0);
        let listed = lib.call("addr_of", vec![Arg::Value(Value::List(vec![]))]);
        assert_ne!(int(listed.unwrap()), 0);
    }
}

/// The numbers are a copy: C writing into it changes nothing on the Rust side, and C gets
/// another address than the slice's.
#[test]
fn c_writes_into_a_copy() {
    let (_ffi, lib) = probe("double");
    for len in [1usize, 4, 32, 33, 500] {
        let v: Vec<f64> = (0..len).map(|i| i as f64 + 0.25).collect();
        let before = v.clone();
        // SAFETY: scribble writes n bytes, the size of v; addr_of returns its pointer.
        unsafe {
            lib.call("scribble", (&v[..], len * 8)).unwrap();
            let at = int(lib.call("addr_of", (&v[..],)).unwrap());
            assert_ne!(at as usize, v.as_ptr() as usize, "{len}");
        }
        assert_eq!(v, before, "{len}");
    }
}

/// Several copies in one call — numbers beside numbers and beside text, together past the
/// stack area or not — each get their own block.
#[test]
fn several_copies_in_one_call_each_get_their_own_block() {
    let (_ffi, lib) = probe("uint16_t");
    for (x, y) in [
        (0, 0),
        (1, 2),
        (60, 60),
        (64, 64),
        (127, 1),
        (128, 129),
        (1000, 3000),
    ] {
        let a: Vec<u16> = (0..x).map(u16::nth).collect();
        let b: Vec<u16> = (0..y).map(|i| u16::nth(i + 7)).collect();
        let want = fnv(&u16::bytes(&a))
            .wrapping_mul(3)
            .wrapping_add(fnv(&u16::bytes(&b)).wrapping_mul(5));
        let text: String = std::iter::repeat_n('t', x).collect();
        let mut z = text.clone().into_bytes();
        z.push(0);
        let with_text = fnv(&z)
            .wrapping_mul(3)
            .wrapping_add(fnv(&u16::bytes(&b)).wrapping_mul(5));
        // SAFETY: fnv2 reads 2x and 2y bytes; text_and a string and 2y bytes.
        unsafe {
            let got = lib.call("fnv2", (&a[..], 2 * x, b.clone(), 2 * y)).unwrap();
            assert_eq!(int(got), want, "{x} {y}");
            let got = lib.call("text_and", (text.as_str(), &b, 2 * y)).unwrap();
            assert_eq!(int(got), with_text, "text {x} {y}");
        }
    }
}

/// A number that does not fit the parameter's item type is refused by the converting path,
/// naming the argument, whatever the form it came in.
#[test]
fn numbers_of_another_type_convert_or_are_refused() {
    let (_ffi, lib) = probe("int32_t");
    // i64s that fit an int32_t: converted item by item.
    let v: Vec<i64> = vec![1, -2, 3];
    // SAFETY: fnv reads 12 bytes.
    let got = unsafe { lib.call("fnv", (&v[..], 12)) }.unwrap();
    assert_eq!(int(got), fnv(&i32::bytes(&[1, -2, 3])));
    let big: Vec<i64> = vec![1, i64::MAX];
    // SAFETY: as above (the call is refused before it is made).
    let e = unsafe { lib.call("fnv", (&big[..], 8)) }
        .unwrap_err()
        .to_string();
    assert!(e.contains("argument 1"), "{e}");
    // Floats for an integer pointer.
    let f = [1.5f64];
    // SAFETY: as above.
    let e = unsafe { lib.call("fnv", (&f[..], 4)) }
        .unwrap_err()
        .to_string();
    assert!(e.contains("argument 1"), "{e}");
}

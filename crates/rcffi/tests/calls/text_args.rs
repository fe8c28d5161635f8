//! Text given to a pointer to text — `&str`, `&String`, byte slices, arrays and vectors —
//! in a tuple: the direct path copies each with a NUL after it into the call's stack area
//! (`call::plain`), or into one heap buffer when they do not fit there (more than 256 bytes in
//! all). Either way C gets the same bytes as from the converting path, checked by a C hash of what it
//! received, and the same results as the same call given `Value`s.

use rcffi::{Ffi, Value};

const PROBE: &str = r#"
#include <string.h>
char *find(const char *s, int c) { return strchr(s, c); }
/* FNV-1a of the bytes up to the NUL. */
unsigned long long sig(const char *s) {
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}
unsigned long long sig3(const char *a, const void *b, const unsigned char *c) {
    return sig(a) * 3 + sig((const char *)b) * 5 + sig((const char *)c) * 7;
}
unsigned long long addr_of(const char *s) { return (unsigned long long)s; }
"#;

const CDEF: &str = "
    unsigned long long sig(const char *s);
    unsigned long long sig3(const char *a, const void *b, const unsigned char *c);
    unsigned long long addr_of(const char *s);
    char *find(const char *s, int c);
";

fn probe() -> (Ffi, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let (ffi, lib, _) = super::probe_with_libm(&PATH, "textargs", PROBE, CDEF);
    (ffi, lib)
}

/// What `sig` computes: FNV-1a of the bytes before the first NUL.
fn sig(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take_while(|b| **b != 0)
        .fold(1469598103934665603u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(1099511628211)
        })
}

fn int(v: Value) -> u64 {
    match v {
        Value::Int(i) => i as u64,
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_text_type_arrives_as_a_nul_terminated_copy() {
    let (_ffi, lib) = probe();
    for len in [
        0usize, 1, 3, 7, 8, 15, 16, 17, 31, 100, 254, 255, 256, 300, 5000,
    ] {
        let text: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let bytes = text.as_bytes().to_vec();
        let want = sig(&bytes);
        // SAFETY: sig reads a NUL-terminated string.
        unsafe {
            assert_eq!(
                int(lib.call("sig", (text.as_str(),)).unwrap()),
                want,
                "&str {len}"
            );
            assert_eq!(
                int(lib.call("sig", (&text,)).unwrap()),
                want,
                "&String {len}"
            );
            assert_eq!(
                int(lib.call("sig", (&bytes[..],)).unwrap()),
                want,
                "&[u8] {len}"
            );
            assert_eq!(
                int(lib.call("sig", (&bytes,)).unwrap()),
                want,
                "&Vec<u8> {len}"
            );
            // The converting path: the same bytes.
            let list = vec![Value::Text(text.clone())];
            assert_eq!(
                int(lib.call("sig", list).unwrap()),
                want,
                "as a value {len}"
            );
        }
    }
    // SAFETY: as above.
    unsafe {
        assert_eq!(int(lib.call("sig", (b"fixed",)).unwrap()), sig(b"fixed"));
        // An interior NUL ends the string C sees, as on the converting path.
        assert_eq!(int(lib.call("sig", ("ab\0cd",)).unwrap()), sig(b"ab"));
        let list = vec![Value::Bytes(b"ab\0cd".into())];
        assert_eq!(int(lib.call("sig", list).unwrap()), sig(b"ab"));
    }
}

/// Three texts in one call (a `char *`, a `void *`, an `unsigned char *`), of sizes around
/// the stack area's 256 bytes in all: each its own copy, wherever it was made.
#[test]
fn several_texts_in_one_call_each_get_their_own_copy() {
    let (_ffi, lib) = probe();
    let text = |n: usize, c: u8| -> String { std::iter::repeat_n(char::from(c), n).collect() };
    for (x, y, z) in [
        (0, 0, 0),
        (5, 6, 7),
        (15, 16, 17),
        (80, 80, 80),
        (84, 85, 86),
        (250, 1, 1),
        (200, 200, 200),
    ] {
        let (a, b, c) = (text(x, b'a'), text(y, b'b'), text(z, b'c'));
        let want = sig(a.as_bytes())
            .wrapping_mul(3)
            .wrapping_add(sig(b.as_bytes()).wrapping_mul(5))
            .wrapping_add(sig(c.as_bytes()).wrapping_mul(7));
        // SAFETY: sig3 reads three NUL-terminated strings.
        unsafe {
            let got = lib.call("sig3", (a.as_str(), b.as_bytes(), &c)).unwrap();
            assert_eq!(int(got), want, "{x} {y} {z}");
            let list: Vec<Value> = vec![a.as_str().into(), b.as_str().into(), c.as_str().into()];
            assert_eq!(
                int(lib.call("sig3", list).unwrap()),
                want,
                "as values {x} {y} {z}"
            );
        }
    }
}

/// A copy is not the Rust string: C gets another address, and a pointer C returns into the
/// copy (gone when the call returns) is memory rcffi does not know, as on the converting
/// path.
#[test]
fn a_pointer_into_the_copy_is_foreign_memory() {
    let (ffi, lib) = probe();
    let text = String::from("hello");
    // SAFETY: addr_of and find read the string; the result is not read without a check.
    unsafe {
        let at = int(lib.call("addr_of", (text.as_str(),)).unwrap());
        assert_ne!(at as usize, text.as_ptr() as usize);
        let p = lib.call("find", (text.as_str(), i32::from(b'l'))).unwrap();
        let p = p.cdata().unwrap();
        let e = ffi.string(&p, None).unwrap_err().to_string();
        assert!(e.contains("does not know this memory"), "{e}");
    }
}

/// Text in a variadic part passes as `char *`, a copy as in a fixed one.
#[test]
fn text_in_a_variadic_part_is_a_char_pointer() {
    let (_ffi, lib) = super::fixture();
    let (a, b) = ("four", String::from("sixsix"));
    // SAFETY: vmix reads two strings, as its format says.
    let got = unsafe { lib.call("vmix", (c"ss", a, &b)) }.unwrap();
    // vmix weighs the k-th argument by k + 1: 1 * 4 + 2 * 6.
    assert_eq!(got, Value::Int(16));
}

/// `None` of an `Option` of text is NULL on the direct path (nothing copied), as on the
/// converting one; its `Some` is copied as the text would be, beside other texts.
#[test]
fn none_of_optional_text_is_null() {
    let (_ffi, lib) = probe();
    let text = String::from("abc");
    // SAFETY: addr_of returns the pointer it got; sig3 hashes three C strings.
    unsafe {
        assert_eq!(int(lib.call("addr_of", (None::<&str>,)).unwrap()), 0);
        assert_eq!(int(lib.call("addr_of", (None::<&[u8]>,)).unwrap()), 0);
        let listed = lib.call("addr_of", vec![rcffi::Arg::Null]).unwrap();
        assert_eq!(int(listed), 0);
        assert_ne!(int(lib.call("addr_of", (Some("x"),)).unwrap()), 0);
        // `Some` between other texts: each its own copy.
        let got = lib
            .call("sig3", (Some(text.as_str()), "de", Some(&b"f"[..])))
            .unwrap();
        let want = sig(b"abc")
            .wrapping_mul(3)
            .wrapping_add(sig(b"de").wrapping_mul(5))
            .wrapping_add(sig(b"f").wrapping_mul(7));
        assert_eq!(int(got), want);
        // `Some("")` is an empty string, not NULL.
        assert_ne!(int(lib.call("addr_of", (Some(""),)).unwrap()), 0);
    }
    // In a variadic part: a NULL pointer (vmix weighs a `p` by its address's low bits), as
    // the converting path passes `Arg::Null`.
    let (_ffi, fixture) = super::fixture();
    // SAFETY: vmix reads one pointer, as its format says.
    unsafe {
        let got = fixture.call("vmix", (c"p", None::<&str>)).unwrap();
        let want = fixture
            .call("vmix", vec![rcffi::Arg::CStr(c"p"), rcffi::Arg::Null])
            .unwrap();
        assert_eq!(got, want);
        assert_eq!(got, Value::Int(0));
    }
}

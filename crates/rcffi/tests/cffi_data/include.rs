//! `ffi.include(&other)`: cffi's test_include_* and the rules found by running cffi 2.0 (its
//! declarations first, alike declarations accepted, conflicts refused, functions left out).

use rcffi::{Error, Ffi};

use super::ffi_with;

const BASE: &str = "typedef signed char schar_t;
    struct foo { int x; struct foo *next; };
    enum e { AA, BB };
    typedef struct { long q; } anon_t;
    typedef enum { RED = 3, BLUE } colour_t;
    struct holder { struct { int i; } inner[2]; union { char c; short s; } u; };
    int abs(int);
    extern int errno_like;
    static const int K = 7;
    #define N 42
    #define NAME \"rcffi\"";

#[test]
fn types_and_constants_of_the_included_ffi_are_declared_here() {
    let base = ffi_with(BASE);
    let ffi = Ffi::default();
    // Before: unknown here (cffi's test_missing_include).
    assert!(ffi.cast("schar_t", 142).is_err());
    ffi.include(&base).unwrap();
    assert_eq!(ffi.cast("schar_t", 142).unwrap().to_int().unwrap(), -114);
    for t in [
        "struct foo",
        "anon_t",
        "colour_t",
        "enum e",
        "struct holder",
        "struct foo *",
    ] {
        assert_eq!(ffi.sizeof(t).unwrap(), base.sizeof(t).unwrap(), "{t}");
        assert_eq!(
            ffi.typeof_(t).unwrap().cname(),
            base.typeof_(t).unwrap().cname()
        );
    }
    assert_eq!(ffi.offsetof("struct holder", "u").unwrap(), 8);
    for (name, value) in [
        ("AA", 0),
        ("BB", 1),
        ("RED", 3),
        ("BLUE", 4),
        ("K", 7),
        ("N", 42),
    ] {
        assert_eq!(ffi.integer_const(name).unwrap(), value, "{name}");
    }
    // Constants and macros reach a library opened by the including ffi (cffi: lib.AA, lib.N).
    // SAFETY: the C library; only constants are read.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    assert_eq!(libc.get("N").unwrap(), 42.into());
    assert_eq!(
        libc.get("NAME").unwrap(),
        rcffi::Value::Bytes(b"rcffi".into())
    );
    // Functions and variables are not included, as in cffi.
    assert!(libc.function("abs").is_err());
    assert!(libc.get("errno_like").is_err());
    // Listed as this ffi's own.
    let listed = ffi.list_types();
    assert_eq!(listed.typedefs, base.list_types().typedefs);
    assert_eq!(listed.structs, base.list_types().structs);
}

#[test]
fn included_types_are_used_and_completed_by_later_cdefs() {
    let base =
        ffi_with("struct opaque; typedef struct opaque opaque_t; struct pt { short x, y; };");
    let ffi = Ffi::default();
    ffi.include(&base).unwrap();
    ffi.cdef("struct line { struct pt a, b; }; struct opaque { int v[3]; };")
        .unwrap();
    assert_eq!(ffi.sizeof("struct line").unwrap(), 8);
    assert_eq!(ffi.sizeof("opaque_t").unwrap(), 12);
    let l = ffi
        .new("struct line *", rcffi::list![[1, 2], [3, 4]])
        .unwrap();
    assert_eq!(
        super::cd(l.field("b").unwrap()).field("y").unwrap(),
        4.into()
    );
    // The same typedef again is accepted, another one refused (cffi's rule).
    ffi.cdef("struct pt;").unwrap();
    assert!(ffi.cdef("struct pt { long z; };").is_err());
}

#[test]
fn alike_declarations_are_accepted_and_differing_ones_refused() {
    let base = ffi_with(BASE);
    // Declared alike here first: accepted (cffi accepts typedefs and constants alike; for
    // structs cffi refuses even an identical one — rcffi accepts what cannot conflict).
    let alike = ffi_with(
        "typedef signed char schar_t; struct foo { int x; struct foo *next; };\n#define N 42",
    );
    alike.include(&base).unwrap();
    // An opaque struct here is completed by the included definition.
    let opaque = ffi_with("struct foo;");
    opaque.include(&base).unwrap();
    assert_eq!(opaque.sizeof("struct foo").unwrap(), 16);
    for (here, what) in [
        ("typedef long schar_t;", "typedef schar_t"),
        ("struct foo { long y; };", "struct foo"),
        ("union foo { int x; };", "struct foo"),
        ("enum e { AA, BB, CC };", "enum e"),
        ("#define N 43", "N"),
        ("#define AA 3", "AA"),
        ("int anon_t;", "anon_t"),
    ] {
        let ffi = ffi_with(here);
        let before = ffi.registry().decls().count();
        let err = ffi.include(&base).unwrap_err();
        assert!(matches!(err, Error::CDef(_)), "{here}: {err:#?}");
        assert!(
            err.to_string().contains("multiple declarations of"),
            "{here}: {err}"
        );
        assert!(err.to_string().contains(what), "{here}: {err}");
        // Nothing was included.
        assert_eq!(ffi.registry().decls().count(), before, "{here}");
        assert!(ffi.sizeof("anon_t").is_err() || here.contains("anon_t"));
    }
}

#[test]
fn including_twice_or_in_a_chain_is_harmless() {
    let base = ffi_with(BASE);
    let ffi = Ffi::default();
    ffi.include(&base).unwrap();
    let types = ffi.registry().type_count();
    ffi.include(&base).unwrap();
    assert_eq!(ffi.registry().type_count(), types, "nothing declared twice");
    // A chain: c includes b which included a; and c includes a as well.
    let chained = Ffi::default();
    chained.include(&ffi).unwrap();
    chained.include(&base).unwrap();
    assert_eq!(chained.sizeof("struct holder").unwrap(), 12);
    // What the included ffi declares later is not included until included again.
    base.cdef("typedef int later_t;").unwrap();
    assert!(ffi.sizeof("later_t").is_err());
    ffi.include(&base).unwrap();
    assert_eq!(ffi.sizeof("later_t").unwrap(), 4);
}

#[test]
fn an_ffi_cannot_include_itself() {
    let ffi = ffi_with("typedef int t;");
    let err = ffi.include(&ffi.clone()).unwrap_err();
    assert!(matches!(err, Error::Value(_)), "{err:#?}");
    assert_eq!(err.to_string(), "self.include(self)");
}

#[test]
fn a_long_chain_of_structs_is_included_without_deep_recursion() {
    // 20,000 structs, each pointing to the next: the include walks them from a work list.
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "struct s{i} {{ struct s{} *next; int v[{}]; }};\n",
            i + 1,
            i % 5 + 1
        ));
    }
    let base = ffi_with(&text);
    let size = base.sizeof("struct s19999").unwrap();
    let ffi = Ffi::default();
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            ffi.include(&base).unwrap();
            assert_eq!(ffi.sizeof("struct s19999").unwrap(), size);
            assert_eq!(ffi.sizeof("struct s0").unwrap(), 16);
        })
        .unwrap()
        .join()
        .unwrap();
}

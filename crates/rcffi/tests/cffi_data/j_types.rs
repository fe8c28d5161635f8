//! Group J, the data parts: type names in casts and `new`.

use rcffi::{Error, Ffi};

use crate::*;

#[test]
fn j15_unknown_type_names() {
    let ffi = Ffi::default();
    let e = ffi.cast("foobarbazunknown", 0).unwrap_err();
    assert!(
        matches!(e, Error::CDef(_))
            && e.to_string()
                .contains("unknown identifier 'foobarbazunknown'"),
        "{e}"
    );
    assert!(ffi.cast("foobarbazunknown*", 0).is_err());
}

#[test]
fn j16_redefined_common_types() {
    let ffi = ffi_with("typedef char FILE;");
    assert_eq!(repr(&ffi.cast("FILE", 123).unwrap()), "<cdata 'char' b'{'>");
    let ffi = ffi_with("typedef int bool, *FILE; typedef bool (*fn_t)(bool, bool);");
    assert_eq!(ffi.typeof_("bool").unwrap().cname(), "int");
    assert_eq!(ffi.typeof_("FILE").unwrap().cname(), "int *");
    assert_eq!(ffi.cast("bool", 7).unwrap(), 7);
}

#[test]
fn j33_opaque_struct_becomes_complete() {
    let ffi = ffi_with("struct foo_s;");
    err_has(
        ffi.new("struct foo_s *", ()),
        is_type,
        "cannot instantiate ctype 'struct foo_s' of unknown size",
    );
    // A pointer realized while the struct was opaque sees it once it is complete.
    let pp = ffi.new("struct foo_s **", ()).unwrap();
    ffi.cdef("struct foo_s { int x; };").unwrap();
    let p = ffi.new("struct foo_s *", [5]).unwrap();
    assert_eq!(p.field("x").unwrap(), 5.into());
    pp.set(0, &p).unwrap();
    assert_eq!(cd(pp.get(0).unwrap()).field("x").unwrap(), 5.into());
}

/// An open array is kept once its items are complete (`char[]` is looked up once, not laid out
/// again by every `new`), and not before: an array of a struct a later cdef completes is sized
/// by it.
#[test]
fn j34_open_arrays_of_incomplete_and_complete_items() {
    let ffi = ffi_with("struct late_s;");
    for _ in 0..2 {
        err_has(
            ffi.new("struct late_s[]", 2),
            is_value,
            "array item of unknown size: 'struct late_s'",
        );
    }
    ffi.cdef("struct late_s { int a, b; };").unwrap();
    for n in [2usize, 3] {
        let a = ffi.new("struct late_s[]", n).unwrap();
        assert_eq!(ffi.sizeof(&a).unwrap(), 8 * n);
        a.get(n as isize - 1).unwrap();
    }
    let t = ffi.typeof_("char[]").unwrap();
    for s in ["hi", "hello"] {
        let a = ffi.new("char[]", s).unwrap();
        assert_eq!(ffi.typeof_(&a).unwrap(), t);
        assert_eq!(ffi.sizeof(&a).unwrap(), s.len() + 1);
        assert_eq!(ffi.string(&a, None).unwrap(), s.as_bytes().into());
    }
}

#[test]
fn j35_function_types_and_arrays_of_function_pointers() {
    let ffi = Ffi::default();
    err_has(
        ffi.cast("int(int)", 42),
        is_type,
        "the type 'int(int)' is a function type, not a pointer-to-function type",
    );
    assert!(ffi.new("int([5])(int)", ()).is_err());
    // A function returning an array: refused when the type string is parsed.
    let e = ffi.cast("int(*)(int)[5]", 0).unwrap_err();
    assert!(
        matches!(&e, Error::CDef(_)) && e.to_string().contains("a function cannot return an array"),
        "{e}"
    );
    let f = ffi.cast("int(*)(int)", 0x1000).unwrap();
    let a = ffi.new("int(*[5])(int)", [&f]).unwrap();
    assert_eq!(ffi.getctype(&a.ctype(), "").unwrap(), "int(*[5])(int)");
    assert_eq!(a.len().unwrap(), 5);
    assert_eq!(cd(a.get(0).unwrap()), f);
    assert_eq!(cd(a.get(1).unwrap()), ffi.null());
    assert_eq!(repr(&cd(a.get(1).unwrap())), "<cdata 'int(*)(int)' NULL>");
}

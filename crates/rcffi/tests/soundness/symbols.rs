//! Declarations made after `dlopen` are checked against the library's symbol table: a
//! variable larger than its symbol, or a variable where the symbol is a function (or the
//! reverse), is an error naming both — `dlopen`'s `unsafe` cannot vouch for them.

use rcffi::{Ffi, Value};

use crate::err_has;

#[test]
#[cfg_attr(miri, ignore = "opens a library: Miri cannot")]
fn a_variable_declared_larger_than_its_symbol_is_refused() {
    let ffi = Ffi::default();
    // SAFETY: the C library; nothing is declared yet.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    // A safe cdef after the unsafe dlopen: a 1 GiB view of an 8-byte variable before.
    ffi.cdef("extern char environ[1073741824];").unwrap();
    err_has(
        libc.get("environ"),
        "(1073741824 bytes), but symbol 'environ'",
    );
    err_has(libc.get("environ"), "8 bytes");
    err_has(libc.addressof("environ"), "8 bytes");
    err_has(libc.set("environ", 0), "8 bytes");
}

#[test]
#[cfg_attr(miri, ignore = "opens a library: Miri cannot")]
fn open_arrays_are_bounded_by_their_symbol() {
    let ffi = Ffi::default();
    // SAFETY: the C library.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    ffi.cdef("extern char environ[];").unwrap();
    // A pointer of unknown bounds before (foreign): now the symbol's 8 bytes.
    let p = libc.get("environ").unwrap().cdata().unwrap();
    assert!(p.get(7).is_ok());
    err_has(p.get(8), "outside");
}

#[test]
#[cfg_attr(miri, ignore = "opens a library: Miri cannot")]
fn data_and_functions_are_not_mixed_up() {
    let ffi = Ffi::default();
    // SAFETY: the C library.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    ffi.cdef("int environ(void); extern long qsort;").unwrap();
    err_has(libc.function("environ"), "is data (8 bytes)");
    err_has(libc.get("environ"), "is data");
    err_has(libc.get("qsort"), "is a function");
}

#[test]
#[cfg_attr(miri, ignore = "opens a library: Miri cannot")]
fn the_fixture_globals_are_checked_against_their_own_sizes() {
    let (ffi, lib) = rcffi_testkit::fixture::open_fixture().unwrap();
    assert_eq!(lib.get("counter").unwrap(), lib.get("counter").unwrap());
    assert_eq!(
        lib.get("my_array").unwrap().cdata().unwrap().len().unwrap(),
        7
    );
    ffi.cdef_with(
        "extern int my_array[8]; extern long long counter;",
        &rcffi::CdefOptions {
            override_: true,
            ..Default::default()
        },
    )
    .unwrap();
    err_has(lib.get("my_array"), "(32 bytes), but symbol 'my_array'");
    err_has(lib.get("counter"), "(8 bytes), but symbol 'counter'");
    // Smaller is fine: a view of the first bytes.
    ffi.cdef_with(
        "extern int my_array[2]; extern char counter;",
        &rcffi::CdefOptions {
            override_: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        lib.get("my_array").unwrap().cdata().unwrap().len().unwrap(),
        2
    );
    assert!(matches!(lib.get("counter").unwrap(), Value::Bytes(_)));
}

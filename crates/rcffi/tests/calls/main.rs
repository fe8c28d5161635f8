//! Calls through rcffi checked against the same functions called directly from Rust: the
//! fixture library (`rcffi_testkit::fixture`), cffi's call behaviours (reference §3.2 group F)
//! named after their ids, seeded random signatures (`random.rs`), libc programs, and threads.

mod f_calls;
mod fixture_calls;
mod libc_programs;
mod random;
mod threads;

use rcffi::{CData, Ffi, Lib, Value};

/// The fixture's declarations, as a user would paste them.
/// The fixture's declarations, as a user would paste them.
pub(crate) const FIXTURE_CDEF: &str = rcffi_testkit::fixture::FIXTURE_CDEF;

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    let ffi = Ffi::default();
    ffi.cdef(FIXTURE_CDEF).expect("fixture cdef");
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library is built from fixture.c, which FIXTURE_CDEF declares.
    let lib = unsafe { ffi.dlopen(path.to_str().expect("utf-8 path")) }.expect("fixture dlopen");
    (ffi, lib)
}

/// The address of a fixture function, for calling it directly.
pub(crate) fn addr(lib: &Lib, name: &str) -> usize {
    lib.function(name).expect(name).address()
}

/// The cdata a value holds.
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

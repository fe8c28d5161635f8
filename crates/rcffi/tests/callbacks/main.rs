//! Callbacks: Rust closures called by C — cffi's group G (reference §3.2) named after the ids,
//! every primitive and struct type through the fixture compared with native `extern "C"`
//! callbacks, generated struct sizes 1..64, libc's qsort of 100,000 ints, and pthreads calling
//! back concurrently.

mod fixture_callbacks;
mod g_callbacks;
mod qsort;
mod threads;

use rcffi::{CData, Ffi, Lib, Value};

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    let ffi = Ffi::default();
    ffi.cdef(rcffi_testkit::fixture::FIXTURE_CDEF)
        .expect("fixture cdef");
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library is built from fixture.c, which the cdef declares.
    let lib = unsafe { ffi.dlopen(path.to_str().expect("utf-8 path")) }.expect("fixture dlopen");
    (ffi, lib)
}

/// The cdata a value holds.
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

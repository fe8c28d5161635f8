//! Callbacks: Rust closures called by C — cffi's group G (reference §3.2) named after the ids,
//! every primitive and struct type through the fixture compared with native `extern "C"`
//! callbacks, generated struct sizes 1..64, libc's qsort of 100,000 ints, and pthreads calling
//! back concurrently.

mod entry;
mod fixture_callbacks;
mod g_callbacks;
mod qsort;
mod random;
mod scoped;
mod threads;

use rcffi::{CData, Ffi, Lib, Value};

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    rcffi_testkit::fixture::open_fixture().expect("the fixture library")
}

/// The cdata a value holds.
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

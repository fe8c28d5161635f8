//! Calls through rcffi checked against the same functions called directly from Rust: the
//! fixture library (`rcffi_testkit::fixture`), cffi's call behaviours (reference §3.2 group F)
//! named after their ids, seeded random signatures (`random.rs`), libc programs, and threads.

mod complex;
mod f_calls;
mod fixture_calls;
mod libc_programs;
mod long_double;
mod random;
mod stack_args;
mod threads;

use rcffi::{CData, Ffi, Lib, Value};

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    rcffi_testkit::fixture::open_fixture().expect("the fixture library")
}

/// The address of a fixture function, for calling it directly.
pub(crate) fn addr(lib: &Lib, name: &str) -> usize {
    lib.function(name).expect(name).address()
}

/// The cdata a value holds.
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

//! Typed calls, callbacks, views and bindings: Rust types checked once against the cdef, then
//! used at native speed — every result compared with the same function called directly
//! (its address as an `extern "C"` function pointer), and every refused mismatch's message
//! compared with `mismatches.golden`.

mod bindings;
mod bulk;
mod callbacks;
mod calls;
mod handles;
mod mismatches;
mod sizes;
mod structs;

use rcffi::{Ffi, Lib};

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    rcffi_testkit::fixture::open_fixture().expect("the fixture library")
}

/// The fixture function `name` as a Rust function pointer of type `$t`, not through rcffi's
/// check: what a typed handle is compared with.
macro_rules! direct {
    ($lib:expr, $name:literal as $t:ty) => {{
        let a = $lib.function($name).expect($name).address();
        // SAFETY: the fixture defines `$name` with exactly this signature (fixture.c).
        #[allow(unused_unsafe)]
        unsafe {
            std::mem::transmute::<usize, $t>(a)
        }
    }};
}
pub(crate) use direct;

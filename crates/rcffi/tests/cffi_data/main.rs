//! cffi's data behaviours (reference §3.2, groups A, B, C, D, E, H, I and the data parts of J)
//! as Rust tests, one per behaviour id (`a05_new_int_ptr_repr`). Where rcffi deliberately
//! differs from cffi (it checks what cffi does not), the test says so; docs/cffi-compat.md
//! lists every difference. Beyond cffi: `ownership.rs` (the programs cffi's docs call WRONG)
//! and `threads.rs`.

mod a_primitives;
mod b_pointers;
mod c_strings;
mod d_layouts;
mod d_structs;
mod e_enums;
mod h_lifetimes;
mod i_buffers;
mod include;
mod j_types;
mod numbers;
mod ownership;
mod rust_values;
mod threads;

use rcffi::{CData, Error, Ffi, Value};

/// A fresh ffi object with `cdef` declared.
pub(crate) fn ffi_with(cdef: &str) -> Ffi {
    let ffi = Ffi::default();
    ffi.cdef(cdef).expect("test cdef");
    ffi
}

/// The cdata a value holds (panics with the value otherwise: a test failure).
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

/// The repr of a cdata, as cffi prints it.
pub(crate) fn repr(c: &CData) -> String {
    format!("{c:?}")
}

/// Asserts `r` is an error of the given kind whose message contains `needle`.
#[track_caller]
pub(crate) fn err_has<T: std::fmt::Debug>(
    r: Result<T, Error>,
    kind: fn(&Error) -> bool,
    needle: &str,
) {
    match r {
        Ok(v) => panic!("expected an error containing {needle:?}, got Ok({v:?})"),
        Err(e) => {
            assert!(kind(&e), "wrong error kind: {e:?}");
            assert!(
                e.to_string().contains(needle),
                "{e} does not contain {needle:?}"
            );
        }
    }
}

pub(crate) fn is_type(e: &Error) -> bool {
    matches!(e, Error::Type(_))
}
pub(crate) fn is_overflow(e: &Error) -> bool {
    matches!(e, Error::Overflow(_))
}
pub(crate) fn is_index(e: &Error) -> bool {
    matches!(e, Error::Index(_))
}
pub(crate) fn is_memory(e: &Error) -> bool {
    matches!(e, Error::Memory(_))
}
pub(crate) fn is_value(e: &Error) -> bool {
    matches!(e, Error::Value(_))
}
pub(crate) fn is_key(e: &Error) -> bool {
    matches!(e, Error::Key(_))
}
pub(crate) fn is_null(e: &Error) -> bool {
    matches!(e, Error::NullPointer(_))
}
pub(crate) fn is_runtime(e: &Error) -> bool {
    matches!(e, Error::Runtime(_))
}
pub(crate) fn is_unchecked(e: &Error) -> bool {
    matches!(e, Error::Unchecked(_))
}

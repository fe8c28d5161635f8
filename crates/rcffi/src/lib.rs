//! # rcffi: Python cffi's ABI mode, and the best of LuaJIT's FFI, for Rust
//!
//! Paste C declarations as a string, open a shared library, and call it: no bindgen, no
//! build script, no hand-written `extern` blocks.
//!
//! ```
//! let ffi = rcffi::Ffi::new();
//! ffi.cdef(r#"
//!     #define NAME_MAX 255
//!     struct dirent_like {
//!         unsigned long d_ino;
//!         long d_off;
//!         unsigned short d_reclen;
//!         unsigned char d_type;
//!         char d_name[NAME_MAX + 1];
//!     };
//!     typedef struct { int quot, rem; } div_t;
//!     div_t div(int numerator, int denominator);
//! "#)?;
//! assert_eq!(ffi.sizeof("struct dirent_like")?, 280);
//! assert_eq!(ffi.offsetof("struct dirent_like", "d_name")?, 19);
//! let div = ffi.typeof_("div_t(*)(int, int)")?;
//! assert_eq!(div.result().unwrap().cname(), "div_t");
//! # Ok::<(), rcffi::Error>(())
//! ```
//!
//! # Organization
//!
//! - [`Ffi`] is cffi's `ffi` object. Its declaration half — [`Ffi::cdef`], [`Ffi::typeof_`],
//!   [`Ffi::sizeof`], [`Ffi::alignof`], [`Ffi::offsetof`], [`Ffi::getctype`],
//!   [`Ffi::list_types`], [`Ffi::integer_const`] — works before any library is loaded.
//! - [`CType`] is a C type with cffi's introspection (`kind`, `cname`, `item`, `length`,
//!   `fields`, `args`, `result`, `ellipsis`, `elements`).
//! - [`Error`] is the one error type, with variants named after cffi's exceptions.
//!
//! Types and layouts come from [`rcffi_cdef`], which agrees with gcc byte for byte (its tests
//! check every layout against the compiler).
//!
//! # Names
//!
//! Methods keep cffi's names so cffi users find them. `typeof` is a reserved word in Rust, so
//! it is [`Ffi::typeof_`].

#![deny(missing_docs)]
#![deny(unsafe_code)]

mod ctype;
mod error;
mod ffi;

pub use ctype::{CField, CType, Kind};
pub use error::{Error, Result};
pub use ffi::{Ffi, TypeList, TypeSpec};
pub use rcffi_cdef::{CdefError, CdefOptions, CdefReport, ErrorKind, LayoutError, Target};

/// The README's Rust examples, compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    #[test]
    fn ffi_and_ctype_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::Ffi>();
        check::<crate::CType>();
        check::<crate::Error>();
    }
}

//! # rcffi-runtime: memory, conversions, libraries and calls
//!
//! The part of rcffi that touches memory and foreign code: owned C memory with its ownership
//! rules, conversions between Rust values and C data, `dlopen`/`dlsym` through libloading, and
//! calls and callbacks through libffi. It is the only crate of the workspace with `unsafe` code,
//! fenced into named modules, each stating the invariant it keeps (see `docs/unsafe.md`).
//!
//! This crate is being built: the declaration half of rcffi (types, layouts, introspection)
//! lives in [`rcffi_cdef`] and works today; the runtime parts arrive with the CData, calls and
//! callbacks work (see the project's issues).

#![deny(unsafe_code)]
#![deny(missing_docs)]

pub use rcffi_cdef;

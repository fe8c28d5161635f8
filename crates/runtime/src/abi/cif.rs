//! [`FfiCif`]: a prepared libffi call interface, shared between threads.
//!
//! # Safety
//!
//! A `Cif` is plain data (the `ffi_cif` and the type descriptions it points to, owned by the
//! `Cif`), never mutated after `prep_cif`: `ffi_call` and libffi's closures only read it, so
//! sharing it between threads is sound. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use libffi::middle::{Cif, Type};

use crate::error::{Error, Result};

/// A prepared libffi call interface.
pub(crate) struct FfiCif(Cif);

// SAFETY: a Cif is plain data (the `ffi_cif` and the type descriptions it points to, owned by
// the Cif) that is never mutated after `prep_cif`; `ffi_call` only reads it, so sharing it
// between threads is sound. (libffi's crate leaves it !Send/!Sync because of raw pointers.)
unsafe impl Send for FfiCif {}
// SAFETY: as for Send.
unsafe impl Sync for FfiCif {}

impl std::fmt::Debug for FfiCif {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FfiCif")
    }
}

impl FfiCif {
    /// The interface for `args` -> `ret`; `fixed`: the number of fixed arguments of a
    /// variadic call.
    pub(crate) fn new(args: Vec<Type>, ret: Type, fixed: Option<usize>) -> Result<FfiCif> {
        let cif = match fixed {
            None => Cif::try_new(args, ret),
            Some(n) => Cif::try_new_variadic(args, n, ret),
        };
        cif.map(FfiCif)
            .map_err(|e| Error::Unsupported(format!("libffi refused the signature ({e:?})")))
    }

    /// The raw interface, for closures.
    pub(crate) fn raw(&self) -> *mut libffi::low::ffi_cif {
        self.0.as_raw_ptr()
    }
}

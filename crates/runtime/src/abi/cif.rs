//! [`FfiCif`]: a prepared libffi call interface, shared between threads; [`AbiType`], what it
//! is built from; and the two ways rcffi describes types libffi's Rust crate does not
//! ([`AbiType::Int128`], [`preset`]).
//!
//! # Safety
//!
//! A `FfiCif` is plain data — the `ffi_cif`, the array of argument type pointers and the type
//! descriptions they point to, all owned by it (or static) — never mutated after `prep_cif`:
//! `ffi_call` and libffi's closures only read it, so sharing it between threads is sound.
//! libffi writes into a type description only while it lays out a struct whose `size` is 0;
//! the static 128-bit integer type has a size, so it is never written. One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use std::cell::UnsafeCell;

use libffi::low::{ffi_abi_FFI_DEFAULT_ABI, ffi_cif, ffi_type};
use libffi::middle::Type;

use crate::error::{Error, Result};

/// A type in a call interface.
pub(crate) enum AbiType {
    /// A libffi type description (scalars, structs, proxies).
    Lib(Type),
    /// `__int128` and `unsigned __int128` (and AArch64's proxy for 16-byte records aligned to
    /// 16): libffi's own 128-bit integer type, which its x86-64 and AArch64 back ends pass as
    /// C does — two integer registers (on AArch64 an even-numbered pair), or 16 bytes aligned
    /// to 16 on the stack. libffi's Rust crate does not name it.
    Int128,
}

impl From<Type> for AbiType {
    fn from(t: Type) -> AbiType {
        AbiType::Lib(t)
    }
}

/// `FFI_TYPE_SINT128` in libffi's `ffi.h` (3.5 and later, the vendored version).
const FFI_TYPE_SINT128: u16 = 17;

/// A type description libffi only reads.
struct StaticType(UnsafeCell<ffi_type>);

// SAFETY: libffi writes into a type description only while laying out a struct of size 0
// (`initialize_aggregate`); this one is an integer with a size, so every access is a read.
unsafe impl Sync for StaticType {}

static INT128: StaticType = StaticType(UnsafeCell::new(ffi_type {
    size: 16,
    alignment: 16,
    type_: FFI_TYPE_SINT128,
    elements: std::ptr::null_mut(),
}));

impl AbiType {
    fn raw(&self) -> *mut ffi_type {
        match self {
            AbiType::Lib(t) => t.as_raw_ptr(),
            AbiType::Int128 => INT128.0.get(),
        }
    }
}

/// Struct type `t` with its size and alignment set beforehand, so that libffi does not lay
/// it out from its members: a proxy whose members say how the ABI classifies it, and whose
/// size and alignment are the C record's (over-aligned records, and x86-64 records passed in
/// memory). libffi's Rust crate keeps both fields when it clones the type.
///
/// # Panics
///
/// If `t` is not a struct type, or `align` does not fit libffi's 16-bit field (a caller's
/// bug: no proxy says more than 64 — on x86-64 at most 16, on AArch64 at most a homogeneous
/// float record's size).
pub(crate) fn preset(t: Type, size: u64, align: u64) -> Type {
    let raw = t.as_raw_ptr();
    // SAFETY: `t` owns the description `raw` points to (a struct type made by
    // `Type::structure`, freshly built and not shared), so writing two of its fields cannot
    // race or be seen by anyone else; libffi reads them later, through this `Type`.
    unsafe {
        assert_eq!(
            (*raw).type_,
            libffi::low::type_tag::STRUCT,
            "preset: a struct type"
        );
        (*raw).size = usize::try_from(size).expect("preset: size fits usize");
        (*raw).alignment = u16::try_from(align).expect("preset: alignment fits 16 bits");
    }
    t
}

/// A prepared libffi call interface.
pub(crate) struct FfiCif {
    cif: Box<ffi_cif>,
    /// The argument type pointers the `ffi_cif` points to.
    _args: Box<[*mut ffi_type]>,
    /// The owners of the descriptions those pointers (and the result's) point to.
    _types: Vec<AbiType>,
}

// SAFETY: a FfiCif is plain data (the `ffi_cif`, the type pointers and the descriptions they
// point to, owned by it or static) that is never mutated after `prep_cif`; `ffi_call` and
// closures only read it, so sharing it between threads is sound.
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
    pub(crate) fn new(args: Vec<AbiType>, ret: AbiType, fixed: Option<usize>) -> Result<FfiCif> {
        let mut arg_ptrs: Box<[*mut ffi_type]> = args.iter().map(AbiType::raw).collect();
        let rtype = ret.raw();
        let mut types = args;
        types.push(ret);
        let mut cif = Box::new(ffi_cif::default());
        let n = arg_ptrs.len();
        // SAFETY: `cif`, `arg_ptrs` and every description they point to live as long as the
        // returned FfiCif (boxed or owned by `types`, whose descriptions are heap or static
        // memory that moving the owners does not move); libffi writes only into `cif` and
        // into struct descriptions of size 0, which `types` owns and nothing else reads yet.
        let prepared = unsafe {
            match fixed {
                None => libffi::low::prep_cif(
                    &mut *cif,
                    ffi_abi_FFI_DEFAULT_ABI,
                    n,
                    rtype,
                    arg_ptrs.as_mut_ptr(),
                ),
                Some(nfixed) => libffi::low::prep_cif_var(
                    &mut *cif,
                    ffi_abi_FFI_DEFAULT_ABI,
                    nfixed,
                    n,
                    rtype,
                    arg_ptrs.as_mut_ptr(),
                ),
            }
        };
        prepared
            .map(|()| FfiCif {
                cif,
                _args: arg_ptrs,
                _types: types,
            })
            .map_err(|e| Error::Unsupported(format!("libffi refused the signature ({e:?})").into()))
    }

    /// The raw interface, for calls and closures.
    pub(crate) fn raw(&self) -> *mut ffi_cif {
        std::ptr::from_ref(&*self.cif).cast_mut()
    }
}

//! [`TypedFn`]: a C function as a Rust function pointer, its signature checked once against the
//! cdef; and [`CData::as_fn`] for any function pointer cdata.
//!
//! # Safety
//!
//! A `TypedFn` holds the cdata of the function pointer it was made from, whose owner keeps the
//! code loaded (the library, or a callback's closure); the Rust function pointer inside is
//! that cdata's address, made only after the cdef's type and the Rust type were found to be
//! the same. Calling it stays `unsafe` for `unsafe extern "C" fn` types: the arguments'
//! pointers are the caller's promise. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::ptr::NonNull;

use rcffi_cdef::{CTypeId, Registry};

use crate::data::CData;
use crate::error::{Error, Result};
use crate::types::Repr;

use super::check::Checker;
use super::shape::{ForeignFn, NativeFn};

/// A C function as a Rust function pointer of type `F`, its signature checked once against
/// the cdef's declaration: a call is a call through the pointer, with no conversion, no
/// lookup and no allocation. Dereferences to `F`, so `abs(-3)` calls it. Holds the library
/// (or whatever owns the code) so the pointer stays valid while the handle lives; made by
/// [`Lib::typed`](crate::Lib::typed) and [`CData::as_fn`].
///
/// Cheap to clone; `Send + Sync`.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use std::ffi::{c_char, c_int};
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("int abs(int); size_t strlen(const char *);")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let abs = libc.typed::<unsafe extern "C" fn(c_int) -> c_int>("abs")?;
/// let strlen = libc.typed::<unsafe extern "C" fn(*const c_char) -> usize>("strlen")?;
/// // SAFETY: abs takes any int; strlen gets a NUL-terminated string.
/// assert_eq!(unsafe { abs(-3) }, 3);
/// assert_eq!(unsafe { strlen(c"hello".as_ptr()) }, 5);
/// // A Rust type that is not the declaration's is refused, naming the difference.
/// let e = libc.typed::<unsafe extern "C" fn(u32) -> c_int>("abs").unwrap_err();
/// assert!(e.to_string().contains("argument 1: the cdef says 'int', the Rust type is u32"));
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct TypedFn<F> {
    f: F,
    /// The function pointer as a cdata: its owner keeps the code valid.
    pointer: CData,
}

impl<F: NativeFn> std::ops::Deref for TypedFn<F> {
    type Target = F;

    #[inline(always)]
    fn deref(&self) -> &F {
        &self.f
    }
}

impl<F: NativeFn> TypedFn<F> {
    /// The Rust function pointer. It is valid while this handle (or a clone) lives: keep the
    /// handle, not only the pointer.
    #[inline(always)]
    pub fn get(&self) -> F {
        self.f
    }

    /// The function pointer as a cdata (for the dynamic API).
    pub fn cdata(&self) -> &CData {
        &self.pointer
    }

    /// The function's address.
    pub fn address(&self) -> usize {
        self.pointer.addr()
    }

    /// A handle on `pointer`'s function, whose C type (function type `func`) was checked
    /// against `F`.
    ///
    /// # Safety
    ///
    /// `pointer` must hold the address of a function of type `func`, kept valid by its owner,
    /// and `func` must have been checked against `F` ([`check_fn`]).
    pub(crate) unsafe fn new_checked(pointer: CData) -> Result<TypedFn<F>> {
        let code = NonNull::new(pointer.addr() as *mut c_void).ok_or_else(|| {
            Error::NullPointer("a NULL function pointer has no typed form".into())
        })?;
        // SAFETY: the caller's promise: a function of type F (checked), kept valid by
        // `pointer`, which the handle holds.
        let f = unsafe { F::from_code(code) };
        Ok(TypedFn { f, pointer })
    }
}

impl<F> std::fmt::Debug for TypedFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<typed {} at {:#x}>",
            std::any::type_name::<F>(),
            self.pointer.addr()
        )
    }
}

/// Checks Rust function pointer type `F` against function type `func` (or a pointer to one)
/// of `reg`; `what` names it in the error (`"'abs'"`). `callback`: C calls Rust.
pub(crate) fn check_fn<F: NativeFn>(
    reg: &Registry,
    func: CTypeId,
    what: &str,
    callback: bool,
) -> Result<()> {
    Checker::new(reg)
        .signature(func, &F::signature(), callback)
        .map_err(|errors| {
            Error::Type(
                format!(
                    "{what} ('{}') does not match the Rust type `{}`:\n  {}",
                    reg.cname(func),
                    std::any::type_name::<F>(),
                    errors.join("\n  ")
                )
                .into(),
            )
        })
}

impl CData {
    /// This function pointer as a Rust function pointer of type `F` (an `unsafe extern "C" fn`
    /// type), checked once against its C type: a callback, a function pointer C returned or stored in a struct, or an
    /// address cast to a function type. The handle keeps what this cdata keeps alive.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is no function pointer, or naming each
    /// difference between `F` and its type; [`Error::NullPointer`] for NULL.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("double sin(double);")?;
    /// let libm = unsafe { ffi.dlopen("m")? };
    /// let addr = libm.function("sin")?.address();
    /// let p = ffi.cast("double(*)(double)", addr)?; // an address becomes a callable...
    /// let sin = p.as_fn::<unsafe extern "C" fn(f64) -> f64>()?; // ...at native speed
    /// // SAFETY: the address is libm's sin, loaded while `libm` lives (a cast from an integer
    /// // keeps nothing alive).
    /// assert_eq!(unsafe { sin(0.0) }, 0.0);
    /// assert!(p.as_fn::<unsafe extern "C" fn(f32) -> f32>().is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn as_fn<F: ForeignFn>(&self) -> Result<TypedFn<F>> {
        let info = self.info();
        let func = match &info.repr {
            Repr::Pointer { .. } => self.uni().pointee(info),
            _ => None,
        }
        .filter(|t| matches!(t.get(&self.uni().inner).repr, Repr::Function { .. }))
        .ok_or_else(|| {
            Error::Type(format!("cdata '{}' is not a function pointer", info.name).into())
        })?;
        let id = func.get(&self.uni().inner).id;
        check_fn::<F>(&self.uni().inner.read(), id, "the cdata", false)?;
        // SAFETY: the type was checked against F; the address is what this cdata holds, and
        // its owner keeps it valid as far as rcffi knows (for an address cast from an
        // integer, calling it is the caller's `unsafe` promise).
        unsafe { TypedFn::new_checked(self.clone()) }
    }
}

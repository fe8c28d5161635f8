//! [`Lib::typed`]: a declared function as a Rust function pointer, checked once.
//!
//! # Safety
//!
//! The address handed to the typed handle is the library's symbol for the declared function
//! (the caller of `dlopen` vouched for the cdef), held with the library as its keeper, as
//! every function address this floor hands out. One of the runtime's modules with `unsafe`
//! code.

#![allow(unsafe_code)]

use crate::data::CData;
use crate::error::{Error, Result};
use crate::typed::TypedFn;
use crate::typed::func::check_fn;
use crate::typed::{ForeignFn, NativeType, View};

use super::Lib;

impl Lib {
    /// The declared function `name` as a Rust function pointer of type `F` — an
    /// `unsafe extern "C" fn(...) -> R` type — after checking `F` against the declaration
    /// once: the number of parameters, each parameter's and the result's C type (size,
    /// integer or float or pointer, signedness, the pointed-to types, function pointers'
    /// own signatures, `#[derive(NativeType)]` structs' layouts), and `...`. A mismatch is an
    /// error naming each difference. After that a call is a call through the pointer, as fast
    /// as Rust calling C directly.
    ///
    /// A variadic declaration takes a variadic Rust type
    /// (`unsafe extern "C" fn(*const c_char, ...) -> c_int`): the fixed parameters are
    /// checked, and Rust applies C's promotions to the rest (it refuses `f32` or `i8` there).
    /// C's `errno` is left as the call leaves it (read it with
    /// `std::io::Error::last_os_error()`); [`Ffi::errno`](crate::Ffi::errno) is the dynamic
    /// calls' saved copy.
    ///
    /// # Errors
    ///
    /// As [`Lib::function`], and [`Error::Type`] naming each difference between
    /// `F` and the declared signature.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use std::ffi::{c_char, c_int};
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int snprintf(char *, size_t, const char *, ...); double ldexp(double, int);")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// type Snprintf = unsafe extern "C" fn(*mut c_char, usize, *const c_char, ...) -> c_int;
    /// let snprintf = libc.typed::<Snprintf>("snprintf")?;
    /// let ldexp = unsafe { ffi.dlopen("m")? }.typed::<unsafe extern "C" fn(f64, c_int) -> f64>("ldexp")?;
    /// let mut buf = [0 as c_char; 16];
    /// // SAFETY: 16 bytes of room; the format takes one int and one double.
    /// let n = unsafe { snprintf(buf.as_mut_ptr(), 16, c"%d %.1f".as_ptr(), 7, ldexp(1.5, 3)) };
    /// assert_eq!(n, 6);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn typed<F: ForeignFn>(&self, name: &str) -> Result<TypedFn<F>> {
        let (ty, code) = self.locate_function(name)?;
        let ffi = &self.inner.ffi;
        check_fn::<F>(&ffi.inner.read(), ty, &format!("'{name}'"), false)?;
        let func = ffi.realize(ty);
        let pointer = CData::pointer(ffi, ffi.pointer_to(func), code, self.code_owner(code));
        // SAFETY: `code` is the library's function `name`, of the declared type (the caller
        // of dlopen vouched for the cdef), checked against F just now; the cdata's owner is
        // the library, kept loaded while the handle lives.
        unsafe { TypedFn::new_checked(pointer) }
    }
}

/// A struct of typed functions loaded from a library at once: `#[derive(Bindings)]` (from
/// `rcffi`) writes it for a struct whose fields are [`TypedFn`]s (required) or `Option`s of
/// them (`None` when the cdef or the library lacks the function), and global variables as
/// [`View`]s (or `Option`s of them), checking each against the
/// cdef and reporting every mismatch in one error. What a Rust user would otherwise write with
/// bindgen, checked against the declarations instead of trusted.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use std::ffi::{c_char, c_int};
/// use rcffi::{Bindings, BindingsLoader, Lib, Result, TypedFn};
/// struct Libc {
///     abs: TypedFn<unsafe extern "C" fn(c_int) -> c_int>,
///     strlen: TypedFn<unsafe extern "C" fn(*const c_char) -> usize>,
/// }
/// // What the derive writes:
/// impl Bindings for Libc {
///     fn load(lib: &Lib) -> Result<Self> {
///         let mut l = BindingsLoader::new(lib, "Libc");
///         let abs = l.function("abs", false);
///         let strlen = l.function("strlen", false);
///         l.finish()?;
///         Ok(Libc { abs: abs.unwrap(), strlen: strlen.unwrap() })
///     }
/// }
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("int abs(int); size_t strlen(const char *);")?;
/// let c = Libc::load(&unsafe { ffi.dlopen("c")? })?;
/// // SAFETY: abs takes any int.
/// assert_eq!(unsafe { (c.abs)(-2) }, 2);
/// # Ok::<(), rcffi::Error>(())
/// ```
pub trait Bindings: Sized {
    /// Loads every function of the struct from `lib`, each checked against the cdef; the
    /// error lists every function that is missing or does not match.
    ///
    /// # Errors
    ///
    /// The first field's error, as [`Lib::typed`] or a view's lookup gives it.
    fn load(lib: &Lib) -> Result<Self>;
}

/// What `#[derive(Bindings)]` uses to load a struct's functions: collects every failure, and
/// reports them together in [`BindingsLoader::finish`].
pub struct BindingsLoader<'a> {
    lib: &'a Lib,
    what: &'static str,
    failures: Vec<String>,
}

impl<'a> BindingsLoader<'a> {
    /// A loader for struct `what` from `lib`.
    pub fn new(lib: &'a Lib, what: &'static str) -> BindingsLoader<'a> {
        BindingsLoader {
            lib,
            what,
            failures: Vec::new(),
        }
    }

    /// Function `name` as type `F`; a failure is kept for [`BindingsLoader::finish`]. An
    /// `optional` function that the cdef does not declare or the library does not export is
    /// `None` without a failure (one that does not match is still a failure).
    pub fn function<F: ForeignFn>(&mut self, name: &str, optional: bool) -> Option<TypedFn<F>> {
        match self.lib.typed::<F>(name) {
            Ok(f) => Some(f),
            Err(Error::Symbol(_)) if optional => None,
            Err(e) => {
                self.failures.push(e.to_string().replace('\n', "\n  "));
                None
            }
        }
    }

    /// Global variable `name` as a [`View`] of type `T`; a failure is kept for
    /// [`BindingsLoader::finish`]. An `optional` variable the cdef does not declare or the
    /// library does not export is `None` without a failure.
    pub fn variable<T: NativeType>(&mut self, name: &str, optional: bool) -> Option<View<T>> {
        match self.lib.addressof(name).and_then(|c| c.view::<T>()) {
            Ok(v) => Some(v),
            Err(Error::Symbol(_)) if optional => None,
            Err(e) => {
                self.failures.push(format!(
                    "variable '{name}': {}",
                    e.to_string().replace('\n', "\n  ")
                ));
                None
            }
        }
    }

    /// `Ok` when every function and variable loaded; else one error listing each failure.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] listing every field that failed to load, each with its
    /// reason.
    pub fn finish(self) -> Result<()> {
        if self.failures.is_empty() {
            return Ok(());
        }
        Err(Error::Type(
            format!(
                "cannot load {} from library '{}': {} item{} failed:\n- {}",
                self.what,
                self.lib.name(),
                self.failures.len(),
                if self.failures.len() == 1 { "" } else { "s" },
                self.failures.join("\n- ")
            )
            .into(),
        ))
    }
}

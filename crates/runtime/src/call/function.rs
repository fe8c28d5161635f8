//! Calling C: [`Function`], a reusable handle on a library's function, and
//! [`CData::call`] for any function pointer (a struct member, a value C returned, an address
//! cast to a function type).
//!
//! # Safety
//!
//! The `unsafe` methods here are the user's side of the trust boundary: calling C. They check
//! everything they can (the type is a function pointer, the address is not NULL, the argument
//! count and every argument's conversion) and pass the one promise they cannot check — that
//! the address is a function of the declared type — on to `call::invoke`. One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use crate::abi::CallPlan;
use crate::call::args::Args;
use crate::call::finish::call_args_into;
use crate::call::invoke::call_args;
use crate::data::CData;
use crate::data::Value;
use crate::error::{Error, Result};
use crate::types::CType;
use crate::types::Repr;
use crate::types::{Ffi, TypeRef};

/// A C function ready to call: its address, kept valid (the library stays loaded while the
/// handle lives), and its call plan, built once — a call converts the arguments, calls through
/// libffi and converts the result, with no lookup. Made by [`Lib::function`](crate::Lib::function).
///
/// Cheap to clone; `Send + Sync`. Its `Debug` is the function pointer's cffi repr.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("double ldexp(double x, int exp);")?;
/// let ldexp = unsafe { ffi.dlopen("m")? }.function("ldexp")?;
/// assert_eq!(ldexp.ctype().cname(), "double(*)(double, int)");
/// // SAFETY: ldexp takes a double and an int, as declared.
/// assert_eq!(unsafe { ldexp.call((1.5, 3))? }, 12.0.into());
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct Function {
    /// The function pointer, owned so that the code stays loaded.
    pointer: CData,
    /// The function type's call plan. It lives in the type's realized info, in the arena of
    /// the pointer's universe, which `pointer` keeps alive: valid as long as `self`.
    plan: *const CallPlan,
}

// SAFETY: `plan` points to a CallPlan (Send + Sync) that lives as long as the universe the
// `pointer` field keeps alive; it is only read.
unsafe impl Send for Function {}
// SAFETY: as for Send.
unsafe impl Sync for Function {}

impl std::fmt::Debug for Function {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.pointer, f)
    }
}

impl Function {
    /// A handle on the function `pointer` points to (of function type `func`); its plan is
    /// built now, so an unsupported signature is reported here.
    pub(crate) fn new(pointer: CData, func: TypeRef) -> Result<Function> {
        let plan = std::ptr::from_ref(crate::abi::plan_of(pointer.uni(), func)?);
        Ok(Function { pointer, plan })
    }

    /// Calls the function with `args`: a tuple of Rust values (`(1, 2.5, "text")`), `()`, or a
    /// list of [`Value`]s. Each argument converts with cffi's rules for its parameter's type
    /// (range-checked integers, floats, `char` from a one-byte string, cdata pointers of a
    /// compatible type, structs by value from a cdata, a list or a map); beyond cffi:
    ///
    /// - `&str`, `String` and byte strings passed to `char *` (or `void *`) parameters become
    ///   temporary NUL-terminated copies; to `wchar_t *` parameters, temporary wide strings;
    /// - a list (`[1, 2, 3]`, `vec![...]`) passed to a `T *` parameter becomes a temporary
    ///   `T[]` array; `None` is NULL.
    ///
    /// Temporaries live until the call returns. The variadic part of a variadic function takes
    /// cdata (their type, after C's promotions: `float` is passed as `double`, `char` and
    /// `short` as `int`) and Rust numbers and strings: integers as `int` when they fit (else
    /// `long long`), floats as `double`, strings as `char *`. An error names the argument and
    /// the types.
    ///
    /// The result is a [`Value`]: a number, `Void`, a `CData` pointer (to memory rcffi does
    /// not know: read it after vouching for it, see [`CData::assume_valid`]) or a struct
    /// (owned by the result). C's `errno` is saved right after the call (see
    /// [`Ffi::errno`](crate::Ffi::errno)).
    ///
    /// Fastest: a tuple of Rust numbers, C strings (`c"text"`), text and cdata (`&CData`,
    /// `CData`, or a [`Value`] holding one) of types the parameters take without a conversion
    /// — an integer for an integer parameter (as it is when the parameter's type holds every
    /// value of the Rust type, an `i32` for a `long`; else after a range check of its value,
    /// an `i32` literal for a `size_t`), `f64` or `f32` for `float` or `double`, a `bool` for
    /// a `_Bool`, a `&CStr` or text (`&str`, bytes: copied with a NUL after it into the call's
    /// stack area, up to 256 bytes in all, else one heap buffer) for a `char *`, Rust numbers
    /// of a pointer's own item type (`&[i32]`, `Vec<f64>`, arrays: their bytes copied as text
    /// is) for it, a `&mut` of Rust numbers for a pointer to their type, to bytes or to
    /// `void` (lent in place: C writes them where they are), a cdata of a compatible pointer
    /// or array type for a pointer (not an out-parameter; a callback for a function pointer,
    /// the call entering its run as the converting path does), `None` of an
    /// `Option` of a C string, text, numbers or a cdata for NULL — goes into the registers
    /// with no conversion (about 11 ns for `add(1, 2)` on the project's machine, against 4–5
    /// for [`Function::call_as`]); so does a variadic part of Rust numbers, `bool`s, strings,
    /// lent numbers and pointer or array cdata, promoted as above. Other arguments convert as
    /// above, with the same results. For a compiled call with Rust types throughout, see
    /// [`Lib::typed`](crate::Lib::typed).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a wrong number of arguments or an argument that
    /// does not convert (naming the argument and both types), [`Error::Overflow`]
    /// for a number out of its parameter's range, [`Error::NullPointer`]
    /// for a NULL function pointer, [`Error::Unsupported`] for a
    /// signature no call can pass; and the failure of a callback that failed while C ran.
    ///
    /// # Safety
    ///
    /// The cdef's declaration must match the function (rcffi calls it as declared), and the
    /// arguments must be what the function expects of them: pointers to enough valid memory,
    /// NUL-terminated strings, no pointer kept past the life of a temporary.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int snprintf(char *buf, size_t n, const char *fmt, ...);")?;
    /// let snprintf = unsafe { ffi.dlopen("c")? }.function("snprintf")?;
    /// let buf = ffi.new("char[32]", ())?;
    /// let f = ffi.cast("float", 1.5)?;
    /// // SAFETY: buf has 32 bytes; the format matches the variadic arguments.
    /// let n = unsafe { snprintf.call((&buf, 32usize, "%d %s %.1f", 42, "x", &f))? };
    /// assert_eq!(n, 8.into());
    /// assert_eq!(ffi.string(&buf, None)?, b"42 x 1.5".to_vec().into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub unsafe fn call<'a, A: Args<'a>>(&self, args: A) -> Result<Value> {
        // SAFETY: the address is the function's, kept loaded by `self.pointer`'s owner; the
        // caller vouches for the declaration and the arguments.
        unsafe { call_args(self.pointer.uni(), self.plan(), self.pointer.addr(), args) }
    }

    /// Calls the function as [`Function::call`] does, and writes its result into `out`
    /// instead of returning it: C's `*out = f(args...)`. `out` is a pointer to the result's
    /// type (the result goes where it points), an array of it (its first item), or a struct
    /// or union cdata of that type (its own memory). A struct result is copied there as an
    /// assignment copies it, with no new cdata and no allocation (up to 2 KiB: the
    /// callee writes a result through memory into the call's own buffer first, since C
    /// assigns a result only when the call has returned and the callee may read `out`
    /// meanwhile through a pointer it was given). A loop that calls a function returning a
    /// struct reuses one `out`, as C code does; `out` may also be an argument
    /// (`p = f(p)`). Calls the direct register path does not take — variadic functions,
    /// pointer results, out-parameters, callbacks among the arguments, other targets than
    /// x86-64 and AArch64 — are made as `call` makes them, and their result is written into
    /// `out` as `out[0] = result` writes it (a pointer result keeps what it points into
    /// alive).
    ///
    /// `out` is checked before the call: a call whose result cannot go there is not made.
    /// Should C call back into Rust code that ends a loan of `out`'s bytes
    /// ([`Ffi::release`](crate::Ffi::release)), the result is refused after the call.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when `out` does not hold the result's type (a `void` function has
    /// none) or belongs to another `ffi` object, [`Error::NullPointer`] for a NULL `out` or
    /// function pointer, an error when `out`'s memory is read-only or the result's bytes
    /// fall outside it; then those of [`Function::call`].
    ///
    /// # Safety
    ///
    /// As for [`Function::call`].
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("typedef struct { int quot, rem; } div_t; div_t div(int, int);")?;
    /// let div = unsafe { ffi.dlopen("c")? }.function("div")?;
    /// let out = ffi.new("div_t *", ())?;
    /// for n in [7, 9] {
    ///     // SAFETY: div takes two ints and returns a div_t, as declared.
    ///     unsafe { div.call_into(&out, (n, 2))? };
    ///     assert_eq!(out.field_as::<i32>("rem")?, 1);
    /// }
    /// assert_eq!(out.field_as::<i32>("quot")?, 4);
    /// let wrong = ffi.new("int *", ())?;
    /// assert!(unsafe { div.call_into(&wrong, (7, 2)) }.is_err()); // not a div_t
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub unsafe fn call_into<'a, A: Args<'a>>(&self, out: &CData, args: A) -> Result<()> {
        // SAFETY: as for `call`.
        unsafe {
            call_args_into(
                self.pointer.uni(),
                self.plan(),
                self.pointer.addr(),
                out,
                args,
            )
        }
    }

    /// The plan of the function's C type (shared by every handle of that type).
    pub(crate) fn plan(&self) -> &CallPlan {
        // SAFETY: the plan lives as long as the universe, which the pointer cdata holds.
        unsafe { &*self.plan }
    }

    /// The function pointer, as a cdata (cffi's `lib.name`).
    pub fn cdata(&self) -> &CData {
        &self.pointer
    }

    /// The function pointer type (`int(*)(int)`).
    pub fn ctype(&self) -> CType {
        self.pointer.ctype()
    }

    /// The function's address.
    pub fn address(&self) -> usize {
        self.pointer.addr()
    }

    /// The `ffi` object this function belongs to.
    pub fn ffi(&self) -> &Ffi {
        self.pointer.uni()
    }
}

impl CData {
    /// Calls the function this function pointer points to: a member of a struct, a pointer C
    /// returned, a callback, or an address cast to a function type (the ctypes recipe for
    /// calling a function by address). Arguments and result convert as for
    /// [`Function::call`].
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a wrong number of arguments or an argument that
    /// does not convert (naming the argument and both types), [`Error::Overflow`]
    /// for a number out of its parameter's range, [`Error::NullPointer`]
    /// for a NULL function pointer, [`Error::Unsupported`] for a
    /// signature no call can pass; and the failure of a callback that failed while C ran.
    ///
    /// # Safety
    ///
    /// The pointer must point to a function of its type, valid for the call (rcffi cannot
    /// know what an address holds), and the arguments must be what it expects, as for
    /// [`Function::call`].
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("double sin(double);")?;
    /// let m = unsafe { ffi.dlopen("m")? };
    /// let addr = m.function("sin")?.address();
    /// let sin = ffi.cast("double(*)(double)", addr)?; // an address becomes a callable
    /// assert_eq!(unsafe { sin.call((0.0,))? }, 0.0.into());
    /// let null = ffi.cast("double(*)(double)", 0)?;
    /// assert!(unsafe { null.call((0.0,)) }.is_err()); // NULL is checked
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub unsafe fn call<'a, A: Args<'a>>(&self, args: A) -> Result<Value> {
        let plan = self.callable()?;
        // SAFETY: the caller vouches that the address is a function of this type.
        unsafe { call_args(self.uni(), plan, self.addr(), args) }
    }

    /// Calls the function this function pointer points to as [`CData::call`] does, and writes
    /// its result into `out` as [`Function::call_into`] does.
    ///
    /// # Errors
    ///
    /// Those of [`Function::call_into`], and [`Error::Type`] when this cdata is not a
    /// function pointer.
    ///
    /// # Safety
    ///
    /// As for [`CData::call`].
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("typedef struct { long quot, rem; } ldiv_t; ldiv_t ldiv(long, long);")?;
    /// let addr = unsafe { ffi.dlopen("c")? }.function("ldiv")?.address();
    /// let ldiv = ffi.cast("ldiv_t(*)(long, long)", addr)?;
    /// let out = ffi.new("ldiv_t[1]", ())?;
    /// // SAFETY: ldiv takes two longs and returns an ldiv_t.
    /// unsafe { ldiv.call_into(&out, (-7, 2))? };
    /// assert_eq!(out.get(0)?.cdata()?.field_as::<i64>("quot")?, -3);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub unsafe fn call_into<'a, A: Args<'a>>(&self, out: &CData, args: A) -> Result<()> {
        let plan = self.callable()?;
        // SAFETY: as for `call`.
        unsafe { call_args_into(self.uni(), plan, self.addr(), out, args) }
    }

    /// The plan of the function type this function pointer points to; an error when it is
    /// none, or NULL.
    fn callable(&self) -> Result<&CallPlan> {
        let info = self.info();
        let func = match &info.repr {
            Repr::Pointer { .. } => self.uni().pointee(info),
            _ => None,
        }
        .filter(|t| matches!(t.get(&self.uni().inner).repr, Repr::Function { .. }))
        .ok_or_else(|| {
            Error::Type(
                format!(
                    "cdata '{}' is not callable: it is not a function pointer",
                    info.name
                )
                .into(),
            )
        })?;
        if self.addr() == 0 {
            return Err(Error::NullPointer(
                format!(
                    "cannot call null function pointer from cdata '{}'",
                    info.name
                )
                .into(),
            ));
        }
        crate::abi::plan_of(self.uni(), func)
    }
}

//! The five methods a first program uses, first in `Ffi`'s docs: `cdef`, `dlopen`, `new`,
//! `cast` and `string`. Their relatives (`cdef_with`, `dlopen_flags`, `new_typed`,
//! `string_unchecked`, ...) are with their topics.

#![allow(unsafe_code)]

use rcffi_cdef::{CdefOptions, CdefReport};

use super::make::not_a_cdata;
use crate::data::{AsCData, CData, Value, text};
use crate::error::Result;
use crate::library::Lib;
use crate::types::{Ffi, TypeSpec};

impl Ffi {
    /// Declares C declarations (cffi's `ffi.cdef(source)`). Accepts cffi's subset (including
    /// `...` forms and `#define NAME <number>`) and the `gcc -E` output of real headers. On
    /// error nothing is declared and the error names the line and column.
    ///
    /// # Errors
    ///
    /// [`Error::CDef`](crate::Error::CDef) with the kind, line and column (a syntax error, an unknown
    /// type name, a conflicting redeclaration, nesting too deep); nothing is declared then.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int printf(const char *fmt, ...);")?;
    /// let err = ffi.cdef("int x y;").unwrap_err();
    /// assert!(err.to_string().starts_with("<cdef>:1:7:"));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn cdef(&self, text: &str) -> Result<CdefReport> {
        self.cdef_with(text, &CdefOptions::default())
    }

    /// Opens a shared library (cffi's `ffi.dlopen(name)`): a path (`"./libfoo.so"`,
    /// `"libm.so.6"`) or a short name as ctypes' `find_library` takes it (`"c"`, `"m"`, `"z"`,
    /// `"sqlite3"`). Opened with `RTLD_NOW`.
    ///
    /// An error names what was tried and carries the dynamic loader's message.
    ///
    /// # Errors
    ///
    /// [`Error::Library`](crate::Error::Library) naming what was tried, with the dynamic loader's
    /// message.
    ///
    /// # Safety
    ///
    /// Loading a library runs its initialisers, and the declarations of this `ffi` object
    /// are taken as the truth about the library: a global variable declared with the wrong
    /// type is read and written as declared. Calls stay `unsafe` on their own.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("double cos(double);")?;
    /// // SAFETY: libm's cos matches the declaration.
    /// let m = unsafe { ffi.dlopen("m")? };
    /// assert_eq!(unsafe { m.call("cos", (0.0,))? }, 1.0.into());
    /// let err = unsafe { ffi.dlopen("no-such-library") }.unwrap_err();
    /// assert!(err.to_string().contains("no-such-library"));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub unsafe fn dlopen(&self, name: &str) -> Result<Lib> {
        // SAFETY: the caller's promise.
        unsafe { self.dlopen_flags(name, 0) }
    }

    /// Allocates zeroed, aligned memory for a `T *` or `T[N]` / `T[]` type and writes `init`
    /// into it (cffi's `ffi.new`). Pass `()` for no initializer.
    ///
    /// - `"T *"` allocates one `T` and returns a pointer to it; `"T[N]"` allocates an array;
    ///   `"T[]"` takes its length from `init`: a number, or the length of a list (a byte
    ///   string gets a terminating NUL).
    /// - A struct with a flexible array member (`int data[]` last) takes that member's
    ///   length from its initializer: `[5, [6, 7, 8]]`, `[5, 3]` (three zeroed items) or
    ///   `{"data": 3}`.
    /// - The memory lives as long as the returned cdata or anything derived from it (an item,
    ///   a field, a cast, a pointer to it stored into other memory of rcffi's).
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)); [`Error::Type`](crate::Error::Type)
    /// for a type that is no pointer or array, or an initializer that does not convert (naming both
    /// types); [`Error::Overflow`](crate::Error::Overflow) for a number out of range or a size past
    /// the address space; [`Error::Index`](crate::Error::Index) for too many initializers;
    /// [`Error::Memory`](crate::Error::Memory) when the allocation fails.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let p = ffi.new("int *", 42)?;
    /// assert_eq!(format!("{p:?}"), "<cdata 'int *' owning 4 bytes>");
    /// assert_eq!(p.get(0)?, 42.into());
    /// let a = ffi.new("int[]", [1, 2, 3])?;
    /// assert_eq!(a.len()?, 3);
    /// let s = ffi.new("char[]", "hi")?;
    /// assert_eq!(ffi.sizeof(&s)?, 3);
    /// assert!(ffi.new("int", ()).is_err()); // not a pointer or array type
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[allow(
        clippy::new_ret_no_self,
        reason = "cffi's name: `ffi.new` allocates; `Ffi::default()` constructs"
    )]
    #[inline]
    pub fn new<T: TypeSpec + ?Sized>(&self, ty: &T, init: impl Into<Value>) -> Result<CData> {
        not_a_cdata(ty, "new")?;
        let (ffi, t) = ty.resolve(self)?;
        let init = init.into();
        let made = ffi.new_value(t, &init);
        // No initializer (`()`) has nothing to drop: skip the call to `Value`'s drop.
        if matches!(init, Value::Void) {
            std::mem::forget(init);
        }
        made
    }

    /// Converts `value` to the C type `ty` as a C cast does (cffi's `ffi.cast`).
    ///
    /// - To an integer type (or enum, `char`, `wchar_t`): integers wrap modulo 2^bits, floats
    ///   truncate toward zero (NaN and infinities are errors), a one-byte or one-character
    ///   string gives its code, a pointer its address. To `_Bool`: truth (`0.1` is true).
    /// - To a floating type: numbers, one-byte strings, integer and float cdata.
    /// - To a pointer type: an integer (an address rcffi knows nothing about: reading through
    ///   it needs `unsafe { p.assume_valid(n) }`), or any pointer, array or function pointer.
    ///   A pointer cast from rcffi's memory keeps it alive and keeps its bounds.
    /// - To an array type `T[N]`: a view of what a pointer points to.
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)); [`Error::Type`](crate::Error::Type)
    /// for a value that cannot be cast to the type (a struct, a list, a float to a pointer).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.cast("signed char", 200)?, -56);
    /// assert_eq!(ffi.cast("int", 12.9)?, 12);
    /// assert_eq!(ffi.cast("unsigned char", -1)?, 255);
    /// assert!(ffi.cast("int", f64::NAN).is_err());
    /// let a = ffi.new("int[4]", [1, 2, 3, 4])?;
    /// let p = ffi.cast("int *", &a)?;
    /// assert_eq!(p.get(3)?, 4.into()); // bounds are kept: p.get(4) is an error
    /// assert!(p.get(4).is_err());
    /// assert_eq!(format!("{:?}", ffi.cast("int *", 0)?), "<cdata 'int *' NULL>");
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn cast<T: TypeSpec + ?Sized>(&self, ty: &T, value: impl Into<Value>) -> Result<CData> {
        not_a_cdata(ty, "cast")?;
        let (ffi, t) = ty.resolve(self)?;
        ffi.cast_to(t, value.into())
    }

    /// The string a cdata holds (cffi's `ffi.string`): for a pointer to or an array of `char`
    /// (or `signed`/`unsigned char`), the bytes up to the first NUL, as `Value::Bytes`; for
    /// `wchar_t`, `char16_t` and `char32_t`, the text up to the first NUL; for one `char`,
    /// that byte; for an enum, the name of its value (or the number as text).
    ///
    /// `maxlen` bounds the search (in items). An array is never read past its end, and a
    /// pointer never past the memory it may use: a missing NUL ends the string there. A
    /// pointer C handed back is foreign memory: see [`Ffi::string_unchecked`].
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no character pointer, array, number or
    /// enum (or a `Value` that holds none); [`Error::NullPointer`](crate::Error::NullPointer) for NULL;
    /// [`Error::Unchecked`](crate::Error::Unchecked) for a pointer into memory rcffi does not know
    /// (see [`Ffi::string_unchecked`](crate::Ffi::string_unchecked)).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let s = ffi.new("char[]", b"hello\0world")?;
    /// assert_eq!(ffi.string(&s, None)?, b"hello".into());
    /// assert_eq!(ffi.string(&s, Some(2))?, b"he".into());
    /// let w = ffi.new("wchar_t[]", "héllo")?;
    /// assert_eq!(ffi.string(&w, None)?, "héllo".into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn string(&self, cdata: &(impl AsCData + ?Sized), maxlen: Option<usize>) -> Result<Value> {
        text::string(cdata.try_as_cdata()?, maxlen)
    }
}

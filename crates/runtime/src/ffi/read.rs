//! C strings and arrays as Rust values: `string_unchecked`, `unpack` and `unpack_as` (`string`
//! is among the first methods, in `first.rs`).

#![allow(unsafe_code)]

use crate::data::{AsCData, Value, text, vouch};
use crate::error::Result;
use crate::types::Ffi;

impl Ffi {
    /// [`Ffi::string`] of a pointer into memory rcffi knows nothing
    /// about — a `char *` C returned — reading up to the first NUL (or `maxlen` items).
    ///
    /// # Errors
    ///
    /// As [`Ffi::string`](crate::Ffi::string), but for memory rcffi does not know.
    ///
    /// # Safety
    ///
    /// The pointer must point to readable items up to and including a NUL item, or to at
    /// least `maxlen` readable items, which nothing writes while this runs.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let text = std::ffi::CString::new("from C")?;
    /// let p = ffi.cast("char *", text.as_ptr() as usize)?;
    /// assert!(ffi.string(&p, None).is_err()); // foreign memory
    /// assert_eq!(unsafe { ffi.string_unchecked(&p, None)? }, b"from C".into());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub unsafe fn string_unchecked(
        &self,
        cdata: &(impl AsCData + ?Sized),
        maxlen: Option<usize>,
    ) -> Result<Value> {
        let cdata = cdata.try_as_cdata()?;
        // SAFETY: the caller's promise, passed on.
        unsafe { vouch::string_unchecked(self, cdata, maxlen) }
    }

    /// `length` items from a pointer or array (cffi's `ffi.unpack`): `char` items as bytes
    /// (NULs included), wide characters as text, other items as a list of values. Reads are
    /// bounds-checked against the array's length and the memory the cdata may use.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no pointer or array;
    /// [`Error::Index`](crate::Error::Index) for `length` items past its bounds;
    /// [`Error::NullPointer`](crate::Error::NullPointer) for NULL; for `unpack_as`, an item that does
    /// not convert to `T`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let s = ffi.new("char[]", b"abc\0def")?;
    /// assert_eq!(ffi.unpack(&s.offset(1)?, 7)?, b"bc\0def\0".into());
    /// let a = ffi.new("int[]", [-1, 2])?;
    /// assert_eq!(ffi.unpack(&a, 2)?, rcffi::list![-1, 2]);
    /// assert!(ffi.unpack(&a, 3).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn unpack(&self, cdata: &(impl AsCData + ?Sized), length: usize) -> Result<Value> {
        text::unpack(cdata.try_as_cdata()?, length)
    }

    /// [`Ffi::unpack`] into a `Vec<T>`, without a [`Value`] per item: when the C item type is
    /// `T` (checked once) the items are copied as bytes; when both are numbers of other types,
    /// each converts (integers range-checked, `_Bool`s checked). Bounds-checked as `unpack` is.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no pointer or array;
    /// [`Error::Index`](crate::Error::Index) for `length` items past its bounds;
    /// [`Error::NullPointer`](crate::Error::NullPointer) for NULL; for `unpack_as`, an item that does
    /// not convert to `T`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("short[]", [1, -2, 3])?;
    /// assert_eq!(ffi.unpack_as::<i16>(&a, 3)?, [1, -2, 3]);
    /// assert_eq!(ffi.unpack_as::<i64>(&a, 2)?, [1, -2]); // converted
    /// assert!(ffi.unpack_as::<u8>(&a, 2).is_err()); // -2 does not fit
    /// assert!(ffi.unpack_as::<i16>(&a, 4).is_err()); // past the end
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn unpack_as<T: crate::typed::NativeType + Copy>(
        &self,
        cdata: &(impl AsCData + ?Sized),
        length: usize,
    ) -> Result<Vec<T>> {
        crate::typed::bulk::unpack_as(cdata.try_as_cdata()?, length)
    }
}

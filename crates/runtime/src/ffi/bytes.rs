//! Bytes: a cdata's memory as bytes (`buffer`), Rust bytes lent to C (`from_buffer`,
//! `with_buffer`, `with_buffer_ref`), and `memmove`.

use crate::data::{AsCData, Buffer, CData, Value, buffer};
use crate::error::Result;
use crate::types::{Ffi, TypeSpec};

impl Ffi {
    /// A byte view of the memory a pointer points to or an array holds (cffi's `ffi.buffer`).
    /// `size` defaults to the array's size (open arrays included) or the size of one pointed-to
    /// item. The view must lie inside the memory the cdata may use — cffi only warns here, and
    /// the access then crashes.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no pointer or array (or a `Value`
    /// that holds none), [`Error::Index`](crate::Error::Index) for a `size` past the memory it may use.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[2]", [1, 2])?;
    /// assert_eq!(ffi.buffer(&a, None)?.to_vec()?, [1, 0, 0, 0, 2, 0, 0, 0]);
    /// assert_eq!(ffi.buffer(&a, Some(1))?.len(), 1);
    /// assert!(ffi.buffer(&a, Some(9)).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn buffer(&self, cdata: &(impl AsCData + ?Sized), size: Option<usize>) -> Result<Buffer> {
        buffer::buffer(cdata.try_as_cdata()?, size)
    }

    /// A cdata of type `ty` over Rust bytes it takes (cffi's `ffi.from_buffer`): `"char[]"`
    /// (or any `T[]`) covers all the bytes, `T[N]` needs at least its size, a pointer type
    /// points to the first byte. The bytes live as long as the cdata and what is derived from
    /// it; accesses are checked against them. See [`Ffi::with_buffer`] to lend bytes instead.
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)), [`Error::Type`](crate::Error::Type)
    /// for a type that is no array or pointer, [`Error::Value`](crate::Error::Value) when the bytes are
    /// fewer than `T[N]` needs or not a whole number of items.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let c = ffi.from_buffer("char[]", b"hello".to_vec())?;
    /// assert_eq!(format!("{c:?}"), "<cdata 'char[]' buffer len 5 from 'Vec<u8>' object>");
    /// assert_eq!(c.len()?, 5);
    /// assert!(ffi.from_buffer("int[2]", vec![0u8; 4]).is_err()); // too small
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn from_buffer<T: TypeSpec + ?Sized>(
        &self,
        ty: &T,
        bytes: impl Into<Vec<u8>>,
    ) -> Result<CData> {
        let (ffi, t) = ty.resolve(self)?;
        ffi.buffer_from_bytes(t, bytes.into())
    }

    /// Lends `bytes` to a cdata of type `ty` for the duration of `f` (cffi's `ffi.from_buffer`
    /// over a writable buffer). When `f` returns, the loan ends: the cdata (and anything derived
    /// from it, even if kept) refuses every access from then on.
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)), [`Error::Type`](crate::Error::Type)
    /// for a type that is no array or pointer, [`Error::Value`](crate::Error::Value) when the bytes are
    /// fewer than `T[N]` needs or not a whole number of items.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// #[repr(align(4))] // aligned for `int`, as C expects
    /// struct Words([u8; 8]);
    /// let mut words = Words([0; 8]);
    /// let bytes = &mut words.0;
    /// let kept = ffi.with_buffer("int[]", bytes, |c| {
    ///     c.set(1, 7)?;
    ///     Ok::<_, rcffi::Error>(c)
    /// })??;
    /// assert_eq!(bytes[4], 7);
    /// assert!(kept.get(0).is_err()); // the loan is over
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn with_buffer<T: TypeSpec + ?Sized, R>(
        &self,
        ty: &T,
        bytes: &mut [u8],
        f: impl FnOnce(CData) -> R,
    ) -> Result<R> {
        let (ffi, t) = ty.resolve(self)?;
        buffer::lend(ffi, t, bytes, f)
    }

    /// [`Ffi::with_buffer`] over bytes that may only be read: writes through the cdata are
    /// errors (cffi hands out `bytes` objects as writable memory).
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)), [`Error::Type`](crate::Error::Type)
    /// for a type that is no array or pointer, [`Error::Value`](crate::Error::Value) when the bytes are
    /// fewer than `T[N]` needs or not a whole number of items.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let n = ffi.with_buffer_ref("char[]", b"abc", |c| ffi.string(&c, None))??;
    /// assert_eq!(n, b"abc".into());
    /// assert!(ffi.with_buffer_ref("char[]", b"abc", |c| c.set(0, b"x"))?.is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn with_buffer_ref<T: TypeSpec + ?Sized, R>(
        &self,
        ty: &T,
        bytes: &[u8],
        f: impl FnOnce(CData) -> R,
    ) -> Result<R> {
        let (ffi, t) = ty.resolve(self)?;
        buffer::lend_ref(ffi, t, bytes, f)
    }

    /// Copies `n` bytes from `src` (a pointer or array cdata, or Rust bytes) to the memory
    /// `dest` points to (cffi's `ffi.memmove`); the ranges may overlap. Both sides are
    /// bounds-checked (cffi corrupts the heap when `n` is too large).
    ///
    /// # Errors
    ///
    /// [`Error::Index`](crate::Error::Index) when `n` bytes do not fit in `dest` or `src`,
    /// [`Error::Type`](crate::Error::Type) for a `src` that is no cdata, bytes or buffer.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let p = ffi.new("short[]", [-1234, -2345, -3456, -4567, -5678])?;
    /// ffi.memmove(&p, &p.offset(1)?, 4)?;
    /// assert_eq!(rcffi::Value::List(p.to_vec()?), rcffi::list![-2345, -3456, -3456, -4567, -5678]);
    /// ffi.memmove(&p, b"\x01\x00", 2)?;
    /// assert_eq!(p.get(0)?, 1.into());
    /// assert!(ffi.memmove(&p, &p, 11).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn memmove(&self, dest: &CData, src: impl Into<Value>, n: usize) -> Result<()> {
        buffer::memmove(dest, src, n)
    }
}

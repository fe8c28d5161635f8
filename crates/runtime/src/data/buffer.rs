//! Bytes in and out of C memory: `ffi.buffer` (a bounds-checked byte view of a cdata),
//! `ffi.from_buffer` (cdata over Rust bytes, owned or borrowed for a scope) and `ffi.memmove`.

use std::cmp::Ordering;
use std::ops::{Bound, RangeBounds};

use crate::data::Value;
use crate::data::{CData, Origin};
use crate::error::{Error, Result};
use crate::mem::Owner;
use crate::mem::{self, Counted, Lent};
use crate::types::Repr;
use crate::types::{Ffi, TypeRef};

/// A byte view of C memory (cffi's `ffi.buffer`), made by [`Ffi::buffer`]. Every access is
/// checked against the memory the cdata may use; the buffer keeps that memory alive.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let p = ffi.new("short *", 100)?;
/// let b = ffi.buffer(&p, None)?;
/// assert_eq!(b.to_vec()?, [100, 0]);
/// b.set(0, 101)?;
/// assert_eq!(p.get(0)?, 101.into());
/// assert!(b.get(2).is_err());
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct Buffer {
    cdata: CData,
    addr: usize,
    len: usize,
}

impl Buffer {
    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The cdata this buffer views.
    pub fn cdata(&self) -> &CData {
        &self.cdata
    }

    fn range(&self, r: impl RangeBounds<usize>) -> Result<(usize, usize)> {
        let start = match r.start_bound() {
            Bound::Included(s) => *s,
            Bound::Excluded(s) => s.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let end = match r.end_bound() {
            Bound::Included(e) => e.saturating_add(1),
            Bound::Excluded(e) => *e,
            Bound::Unbounded => self.len,
        };
        if start > end || end > self.len {
            return Err(Error::Index(
                format!(
                    "buffer range {start}..{end} out of range for {} bytes",
                    self.len
                )
                .into(),
            ));
        }
        Ok((start, end))
    }

    fn out_of_range(&self, i: usize) -> Error {
        Error::Index(format!("buffer index out of range ({i} >= {})", self.len).into())
    }

    /// Byte `i` (cffi's `b[i]`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside the buffer's bytes, and an error when its
    /// memory was released.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let b = ffi.buffer(&ffi.new("char[]", "ab")?, None)?;
    /// assert_eq!((b.len(), b.get(0)?, b.get(2)?), (3, b'a', 0));
    /// assert!(b.get(3).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn get(&self, i: usize) -> Result<u8> {
        if i >= self.len {
            return Err(self.out_of_range(i));
        }
        let mut b = [0u8];
        self.cdata
            .owner()
            .with_region(&|| self.cdata.what(), |r| r.read(self.addr + i, &mut b))?;
        Ok(b[0])
    }

    /// Writes byte `i` (cffi's `b[i] = x`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside the buffer's bytes, and an error when its
    /// memory was released.
    pub fn set(&self, i: usize, byte: u8) -> Result<()> {
        if i >= self.len {
            return Err(self.out_of_range(i));
        }
        self.write(self.addr + i, &[byte])
    }

    /// A copy of the bytes in `range` (cffi's `b[a:b]`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside the buffer's bytes, and an error when its
    /// memory was released.
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Result<Vec<u8>> {
        let (start, end) = self.range(range)?;
        self.cdata.owner().with_region(&|| self.cdata.what(), |r| {
            r.bytes_at(self.addr + start, end - start)
        })
    }

    /// A copy of all the bytes (cffi's `b[:]`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside the buffer's bytes, and an error when its
    /// memory was released.
    pub fn to_vec(&self) -> Result<Vec<u8>> {
        self.slice(..)
    }

    /// Writes `bytes` over `range`, which must have the same length (cffi's `b[a:b] = x`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside the buffer's bytes, and an error when its
    /// memory was released.
    /// [`Error::Value`] when `bytes` is not as long as the range.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let s = ffi.new("char[]", "abc")?;
    /// let b = ffi.buffer(&s, None)?;
    /// b.set_slice(0..2, b"XY")?;
    /// assert_eq!(ffi.string(&s, None)?, b"XYc".into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn set_slice(&self, range: impl RangeBounds<usize>, bytes: &[u8]) -> Result<()> {
        let (start, end) = self.range(range)?;
        if end - start != bytes.len() {
            return Err(Error::Value(
                format!(
                    "right operand length must match slice length ({} bytes into {})",
                    bytes.len(),
                    end - start
                )
                .into(),
            ));
        }
        self.write(self.addr + start, bytes)
    }

    /// Writes `bytes` over the whole buffer; the lengths must match (cffi's `b[:] = x`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside the buffer's bytes, and an error when its
    /// memory was released.
    /// [`Error::Value`] when `bytes` is not as long as the range.
    pub fn copy_from_slice(&self, bytes: &[u8]) -> Result<()> {
        self.set_slice(.., bytes)
    }

    fn write(&self, addr: usize, bytes: &[u8]) -> Result<()> {
        write_untracked(&self.cdata, addr, bytes)
    }
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<buffer of {} bytes at {:#x} over {:?}>",
            self.len, self.addr, self.cdata
        )
    }
}

/// Buffers compare by content, as cffi's do; a buffer that cannot be read is unequal to
/// everything.
impl PartialEq for Buffer {
    fn eq(&self, other: &Buffer) -> bool {
        matches!((self.to_vec(), other.to_vec()), (Ok(a), Ok(b)) if a == b)
    }
}

impl PartialEq<[u8]> for Buffer {
    fn eq(&self, other: &[u8]) -> bool {
        self.to_vec().is_ok_and(|a| a == other)
    }
}

impl PartialEq<&[u8]> for Buffer {
    fn eq(&self, other: &&[u8]) -> bool {
        *self == **other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Buffer {
    fn eq(&self, other: &[u8; N]) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Buffer {
    fn eq(&self, other: &&[u8; N]) -> bool {
        *self == other[..]
    }
}

impl PartialEq<Vec<u8>> for Buffer {
    fn eq(&self, other: &Vec<u8>) -> bool {
        *self == other[..]
    }
}

impl PartialOrd for Buffer {
    fn partial_cmp(&self, other: &Buffer) -> Option<Ordering> {
        Some(self.to_vec().ok()?.cmp(&other.to_vec().ok()?))
    }
}

impl PartialOrd<[u8]> for Buffer {
    fn partial_cmp(&self, other: &[u8]) -> Option<Ordering> {
        Some(self.to_vec().ok()?.as_slice().cmp(other))
    }
}

impl Ffi {
    /// [`Ffi::from_buffer`] for a realized type of this ffi object.
    pub(crate) fn buffer_from_bytes(&self, t: TypeRef, bytes: Vec<u8>) -> Result<CData> {
        let info = t.get(&self.inner);
        // The alignment the view needs; owned bytes that lack it are moved to memory that has
        // it (allocators only promise 1 for `u8`).
        let align = match &info.repr {
            Repr::Array { elem, .. } => elem.get(&self.inner).layout.map_or(1, |l| l.1),
            Repr::Pointer { .. } => self
                .pointee(info)
                .and_then(|p| p.get(&self.inner).layout)
                .map_or(1, |l| l.1),
            _ => 1,
        };
        let lent = Counted::new(Lent::owned(bytes, align, "Vec<u8>")?);
        self.buffer_view(t, lent)
    }

    /// A cdata of type `t` over lent bytes, with cffi's size rules.
    fn buffer_view(&self, t: TypeRef, lent: Counted<Lent>) -> Result<CData> {
        let info = t.get(&self.inner);
        let nbytes = lent.len();
        let base = lent.base();
        let (align, len) =
            match &info.repr {
                Repr::Array { elem, len } => {
                    let e = elem.get(&self.inner);
                    let (esize, align) = e.layout.ok_or_else(|| {
                        Error::Value(format!("array item of unknown size: '{}'", e.name).into())
                    })?;
                    match len {
                        None if esize == 0 => {
                            return Err(Error::Value(
                                format!("from_buffer(): the items of '{}' have size 0", info.name)
                                    .into(),
                            ));
                        }
                        None => (align, Some(nbytes / esize)),
                        Some(n) => {
                            let need = n.saturating_mul(esize);
                            if need > nbytes {
                                return Err(Error::Value(format!(
                                "buffer is too small ({nbytes} bytes) for '{}' ({need} bytes)",
                                info.name
                            ).into()));
                            }
                            (align, None)
                        }
                    }
                }
                Repr::Pointer { .. } => {
                    let align = self
                        .pointee(info)
                        .and_then(|p| p.get(&self.inner).layout)
                        .map_or(1, |l| l.1);
                    (align, None)
                }
                _ => {
                    return Err(Error::Type(
                        format!("expected a pointer or array ctype, got '{}'", info.name).into(),
                    ));
                }
            };
        if !base.is_multiple_of(align.max(1)) {
            return Err(Error::Value(
                format!(
                    "the bytes at {base:#x} are not aligned for '{}' (it needs {align})",
                    info.name
                )
                .into(),
            ));
        }
        let owner = Owner::Buffer(lent);
        let c = if info.is_pointer() {
            CData::pointer(self, t, base, owner)
        } else {
            CData::place(self, t, base, owner, len)
        };
        Ok(c.with_origin(Origin::FromBuffer))
    }
}

/// The work of [`Ffi::with_buffer`](crate::Ffi::with_buffer): `bytes` lent to a cdata of type
/// `t` while `f` runs.
pub(crate) fn lend<R>(
    ffi: &Ffi,
    t: TypeRef,
    bytes: &mut [u8],
    f: impl FnOnce(CData) -> R,
) -> Result<R> {
    mem::lend(bytes, "&mut [u8]", |lent| Ok(f(ffi.buffer_view(t, lent)?)))
}

/// The work of [`Ffi::with_buffer_ref`](crate::Ffi::with_buffer_ref): read-only `bytes` lent
/// to a cdata of type `t` while `f` runs.
pub(crate) fn lend_ref<R>(
    ffi: &Ffi,
    t: TypeRef,
    bytes: &[u8],
    f: impl FnOnce(CData) -> R,
) -> Result<R> {
    mem::lend_ref(bytes, "&[u8]", |lent| Ok(f(ffi.buffer_view(t, lent)?)))
}

/// Writes `bytes` at `addr` of `c`'s memory: bytes, not a pointer rcffi tracks, so the
/// pointers they overwrite no longer keep their memory alive.
fn write_untracked(c: &CData, addr: usize, bytes: &[u8]) -> Result<()> {
    c.owner()
        .with_region(&|| c.what(), |r| match c.owner().keeping() {
            Some((set, _)) => set.write_bytes(r, addr, bytes.len(), || r.write(addr, bytes)),
            None => r.write(addr, bytes),
        })
}

fn check_pointer_like(c: &CData) -> Result<()> {
    match &c.info().repr {
        Repr::Pointer { .. } | Repr::Array { .. } => Ok(()),
        _ => Err(Error::Type(
            format!("expected a pointer or array ctype, got '{}'", c.type_name()).into(),
        )),
    }
}

/// The work of [`Ffi::buffer`](crate::Ffi::buffer): a byte view of the memory a pointer points to or an array holds (cffi's `ffi.buffer`).
pub(crate) fn buffer(cdata: &CData, size: Option<usize>) -> Result<Buffer> {
    let info = cdata.info();
    let default = match &info.repr {
        Repr::Array { .. } => cdata.sizeof(),
        Repr::Pointer { .. } => {
            let t = cdata.pointee_info();
            match t {
                Some(t)
                    if !matches!(t.repr, Repr::Void | Repr::Function { .. })
                        && t.size().is_some() =>
                {
                    Ok(t.size().unwrap_or(0))
                }
                _ => Err(Error::Type(
                    format!("don't know the size pointed to by '{}'", info.name).into(),
                )),
            }
        }
        _ => {
            return Err(Error::Type(
                format!("expected a pointer or array cdata, got '{}'", info.name).into(),
            ));
        }
    };
    let len = match size {
        Some(n) => n,
        None => default?,
    };
    if cdata.addr() == 0 {
        return Err(Error::NullPointer(
            format!("cannot make a buffer over {cdata:?}").into(),
        ));
    }
    cdata.owner().with_region(&|| cdata.what(), |r| {
        r.check(cdata.addr(), len).map_err(|_| {
            Error::Index(
                format!(
                    "a buffer of {len} bytes over {cdata:?}, which may use only {} bytes there",
                    (r.base() + r.len()).saturating_sub(cdata.addr())
                )
                .into(),
            )
        })
    })?;
    Ok(Buffer {
        cdata: cdata.clone(),
        addr: cdata.addr(),
        len,
    })
}

/// The work of [`Ffi::memmove`](crate::Ffi::memmove).
pub(crate) fn memmove(dest: &CData, src: impl Into<Value>, n: usize) -> Result<()> {
    check_pointer_like(dest)?;
    match src.into() {
        Value::CData(s) => {
            check_pointer_like(&s)?;
            crate::data::convert::copy_memory(dest, dest.addr(), &s, s.addr(), n)
        }
        Value::Bytes(b) => {
            if n > b.len() {
                return Err(Error::Index(
                    format!("memmove() of {n} bytes from {} bytes", b.len()).into(),
                ));
            }
            write_untracked(dest, dest.addr(), &b[..n])
        }
        other => Err(Error::Type(
            format!(
                "a bytes-like object or a cdata is required, not '{}'",
                other.type_name()
            )
            .into(),
        )),
    }
}

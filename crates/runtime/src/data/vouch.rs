//! Vouching for memory rcffi does not know: [`CData::assume_valid`] and
//! [`Ffi::string_unchecked`], the `unsafe fn`s through which a caller's promise becomes a
//! [`Vouched`] range. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use crate::data::CData;
use crate::error::{Error, Result};
use crate::mem::{Vouched, c_strlen};
use crate::types::Ffi;

impl CData {
    /// Vouches that this pointer addresses `count` valid items of its type (or, for an array or
    /// struct, that its own memory is valid), so that reads and writes through it are allowed
    /// and checked against those bounds. For memory rcffi already knows that holds those items
    /// (a cdata's own memory, or a view of it), nothing needs vouching: the result is the same
    /// view, which keeps that memory alive and is checked against its real bounds.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is not a pointer, or a pointer to a type of
    /// unknown size; [`Error::NullPointer`] for NULL;
    /// [`Error::Overflow`] when `count` items overflow the address space or take 2^48 bytes
    /// or more (more than any process maps: a vouched range is kept in 48 bits).
    ///
    /// # Safety
    ///
    /// The memory must be valid for reads and writes of `count` items, and stay valid (not
    /// freed, not unmapped) for as long as the returned cdata or anything derived from it is
    /// used.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// # let ffi = rcffi::Ffi::default();
    /// let mut x = [1i32, 2, 3];
    /// let p = ffi.cast("int *", x.as_mut_ptr() as usize)?;
    /// assert!(p.get(0).is_err()); // rcffi does not know this memory
    /// let p = unsafe { p.assume_valid(3)? };
    /// assert_eq!(p.get(2)?, rcffi::Value::Int(3));
    /// assert!(p.get(3).is_err()); // but it knows the bounds it was given
    ///
    /// // Memory rcffi knows keeps its own bounds, and stays alive.
    /// let a = ffi.new("int[4]", rcffi::list![1, 2, 3, 4])?;
    /// let q = unsafe { a.offset(1)?.assume_valid(1)? };
    /// drop(a);
    /// assert_eq!(q.get(2)?, rcffi::Value::Int(4));
    /// assert!(q.get(3).is_err()); // past the array
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub unsafe fn assume_valid(&self, count: usize) -> Result<CData> {
        let info = self.info();
        let (addr, size) = match &info.repr {
            crate::types::Repr::Pointer { .. } => {
                let target = self.uni().pointee(info).ok_or_else(|| {
                    Error::Type(format!("{} points to nothing", self.what()).into())
                })?;
                let elem = target.get(&self.uni().inner);
                let size = elem.size().unwrap_or(1);
                (
                    self.addr(),
                    size.checked_mul(count).ok_or_else(|| {
                        Error::Overflow(
                            format!("{count} items of {} is too large", elem.name).into(),
                        )
                    })?,
                )
            }
            crate::types::Repr::Array { .. } | crate::types::Repr::Record { .. } => {
                (self.addr(), self.byte_size()?)
            }
            _ => {
                return Err(Error::Type(
                    format!("{} is not a pointer, array or struct", self.what()).into(),
                ));
            }
        };
        if addr == 0 {
            return Err(Error::NullPointer(
                format!("cannot vouch for the NULL {}", self.what()).into(),
            ));
        }
        // Memory rcffi already knows (owned, lent or mapped, or a view of it: a pointer C handed
        // back into it, a callback's argument into the memory of the call that passed the
        // callback), holding the whole range: the cdata stays a view of it, which keeps the
        // memory alive and checks its real bounds (a vouch would do neither).
        if let Some((_, home)) = self.owner().keeping()
            && addr >= home.base
            && addr.checked_add(size).is_some_and(|end| end <= home.end)
        {
            return Ok(self.clone());
        }
        // SAFETY: the caller promises the memory is valid for `count` items while the cdata
        // is used (this function's contract).
        Ok(self.with_owner(crate::mem::Owner::Vouched(unsafe {
            Vouched::new(addr, size)
        }?)))
    }
}

/// The work of [`Ffi::string_unchecked`](crate::Ffi::string_unchecked).
///
/// # Safety
///
/// As for [`Ffi::string_unchecked`](crate::Ffi::string_unchecked).
pub(crate) unsafe fn string_unchecked(
    ffi: &Ffi,
    cdata: &CData,
    maxlen: Option<usize>,
) -> Result<crate::Value> {
    let unit = match cdata.pointee_info() {
        Some(t) if matches!(t.repr, crate::types::Repr::Int(_)) => t.size().unwrap_or(0),
        _ => 0,
    };
    if !matches!(unit, 1 | 2 | 4) || cdata.addr() == 0 || cdata.owner().is_owning() {
        // Not a C string pointer, NULL, or memory rcffi knows: the checked path says why
        // or does the job.
        return ffi.string(cdata, maxlen);
    }
    let max = maxlen.unwrap_or(usize::MAX);
    // SAFETY: the caller promises readable items up to a NUL or `maxlen` items.
    let n = unsafe { c_strlen(cdata.addr(), unit, max) };
    let count = if n < max { n + 1 } else { n };
    // SAFETY: as above, `count` items (the string and its NUL) are readable and not
    // written; they are only read, by the `string` call below, while the promise holds.
    let vouched = cdata.with_owner(crate::mem::Owner::Vouched(unsafe {
        Vouched::read_only(cdata.addr(), count * unit)
    }?));
    ffi.string(&vouched, maxlen)
}

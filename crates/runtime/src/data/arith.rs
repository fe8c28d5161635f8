//! Arrays as a whole and pointer arithmetic on a [`CData`]: length, iteration, `p + n`, `p - q`,
//! slices, with cffi's rules and messages — and bounds checks where cffi has none. Items and
//! members one at a time are in [`access`](super::access).

use crate::data::convert::{self, Place};
use crate::data::{CData, ItemIndex, Origin, Value};
use crate::error::{Error, Result};
use crate::types::{IntRole, Repr, TypeRef};

impl CData {
    /// The number of items of an array (cffi's `len()`); an error for other kinds.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is not an array.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.new("int[]", [1, 2, 3])?.len()?, 3);
    /// assert!(ffi.new("int *", ())?.len().is_err()); // a pointer has no length
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn len(&self) -> Result<usize> {
        match &self.info().repr {
            Repr::Array { len, .. } => len
                .or(self.count())
                .ok_or_else(|| Error::Type(format!("{} has no len()", self.what()).into())),
            _ => Err(Error::Type(
                format!("cdata of type '{}' has no len()", self.type_name()).into(),
            )),
        }
    }

    /// Whether an array has no items.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is not an array.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The items of an array, in order (cffi: iteration; only arrays iterate).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is not an array; each item's read fails
    /// as [`CData::get`] does.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[]", [1, 2, 3])?;
    /// let mut sum = 0;
    /// for item in a.iter()? {
    ///     sum += i32::try_from(item?)?;
    /// }
    /// assert_eq!(sum, 6);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn iter(&self) -> Result<impl Iterator<Item = Result<Value>> + '_> {
        if !matches!(self.info().repr, Repr::Array { .. }) {
            return Err(Error::Type(
                format!("{} does not support iteration", self.what()).into(),
            ));
        }
        let n = self.len()?;
        Ok((0..n).map(move |i| self.get(i as isize)))
    }

    /// The items as a vector of values.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is not an array; each item's read fails
    /// as [`CData::get`] does.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("char[]", b"hi".as_slice())?;
    /// let b = |c: &[u8]| rcffi::Value::Bytes(c.into());
    /// assert_eq!(a.to_vec()?, [b(b"h"), b(b"i"), b(b"\0")]); // the NUL is an item
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_vec(&self) -> Result<Vec<Value>> {
        let items = self.iter()?;
        let mut out = Vec::new();
        // An array of a billion items (or of items of size 0) is an error, not an abort.
        out.try_reserve_exact(self.len()?).map_err(|_| {
            Error::Memory(format!("out of memory listing the items of {}", self.what()).into())
        })?;
        for item in items {
            out.push(item?);
        }
        Ok(out)
    }

    /// Pointer arithmetic (cffi's `p + n`): a pointer `n` items further. Arrays decay to
    /// pointers; `void *` moves by bytes. The result keeps the memory's owner (and bounds).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is no pointer or array, or a pointer to
    /// a type of unknown size; [`Error::Overflow`] when the address overflows.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[]", [10, 20, 30])?;
    /// let p = a.offset(1)?; // an `int *` to a[1]
    /// assert_eq!((p.get(0)?, p.get(-1)?), (20.into(), 10.into()));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn offset(&self, n: impl ItemIndex) -> Result<CData> {
        let n = n.index()?;
        let info = self.info();
        let (ptr_ty, elem) = match &info.repr {
            Repr::Pointer { .. } => (self.ty(), self.uni().pointee(info)),
            Repr::Array { elem, .. } => (self.uni().pointer_to(*elem), Some(*elem)),
            Repr::Function { .. } => {
                return Err(Error::Type(
                    format!("cannot add a {} and a number", self.what()).into(),
                ));
            }
            _ => {
                return Err(Error::Type(
                    format!("cannot add a {} and a number", self.what()).into(),
                ));
            }
        };
        let elem = elem.ok_or_else(|| {
            Error::Type(format!("cannot add a {} and a number", self.what()).into())
        })?;
        let e = elem.get(&self.uni().inner);
        let size = match &e.repr {
            Repr::Void => 1,
            Repr::Function { .. } => {
                return Err(Error::Type(
                    format!("cannot add a {} and a number", self.what()).into(),
                ));
            }
            _ => e.size().ok_or_else(|| {
                Error::Type(
                    format!(
                        "ctype '{}' points to items of unknown size",
                        self.type_name()
                    )
                    .into(),
                )
            })?,
        };
        let addr = crate::base::addr::item_or_err(self.addr(), n, size, &|| self.what())?;
        Ok(self.derived(ptr_ty, addr, None, Origin::Plain))
    }

    /// Pointer difference (cffi's `p - q`) in items, for pointers (or arrays) to the same
    /// item type.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for pointers to different item types (or of different
    /// `ffi` objects), or items of unknown size.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[]", [10, 20, 30])?;
    /// assert_eq!(a.offset(2)?.diff(&a)?, 2);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn diff(&self, other: &CData) -> Result<isize> {
        let item = |c: &CData| -> Option<TypeRef> {
            match &c.info().repr {
                Repr::Pointer { .. } => c.uni().pointee(c.info()),
                Repr::Array { elem, .. } => Some(*elem),
                _ => None,
            }
        };
        let (a, b) = (item(self), item(other));
        let (Some(a), Some(b)) = (a, b) else {
            return Err(Error::Type(
                format!("cannot subtract {} and {}", self.what(), other.what()).into(),
            ));
        };
        if a.get(&self.uni().inner).id != b.get(&other.uni().inner).id
            || !self.uni().same(other.uni())
        {
            return Err(Error::Type(
                format!("cannot subtract {} and {}", self.what(), other.what()).into(),
            ));
        }
        let e = a.get(&self.uni().inner);
        let size = match e.repr {
            Repr::Void => 1,
            _ => e.size().ok_or_else(|| {
                Error::Type(
                    format!(
                        "ctype '{}' points to items of unknown size",
                        self.type_name()
                    )
                    .into(),
                )
            })?,
        };
        let d = i128::try_from(self.addr()).unwrap_or(i128::MAX)
            - i128::try_from(other.addr()).unwrap_or(i128::MAX);
        let d = isize::try_from(d).map_err(|_| {
            Error::Overflow(
                format!(
                    "pointer subtraction: {:#x} - {:#x} does not fit an isize",
                    self.addr(),
                    other.addr()
                )
                .into(),
            )
        })?;
        // Items of size 0 (`struct e {}`) all sit at one address: the difference is in bytes,
        // as in cffi.
        let Ok(size @ 1..) = isize::try_from(size) else {
            return Ok(d);
        };
        if d % size != 0 {
            return Err(Error::Value(
                "pointer subtraction: the distance between the two pointers is not a multiple of the item size".into(),
            ));
        }
        Ok(d / size)
    }

    /// The items `start..stop` as an open array (cffi's `p[start:stop]`, "sliced length n").
    /// On an array the bounds are checked; on a pointer `start` may be negative.
    ///
    /// # Errors
    ///
    /// [`Error::Index`] for `start > stop`, a negative start, or a range past an
    /// array's end; [`Error::Type`] for a cdata that is no array or pointer (and,
    /// for `set_slice`, a value of another length or item type).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[]", [10, 20, 30, 40])?;
    /// let s = a.slice(1, 3)?; // an `int[]` view of a[1..3]
    /// assert_eq!(s.to_vec()?, [20, 30].map(rcffi::Value::from).to_vec());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn slice(&self, start: impl ItemIndex, stop: impl ItemIndex) -> Result<CData> {
        let (start, stop) = (start.index()?, stop.index()?);
        if start > stop {
            return Err(Error::Index(
                format!("slice start > stop ({start} > {stop})").into(),
            ));
        }
        let (elem, base, len) = self.elements()?;
        if let Some(n) = len {
            if start < 0 {
                return Err(Error::Index(
                    format!("negative index {start} for {}", self.what()).into(),
                ));
            }
            if stop as usize > n {
                return Err(Error::Index(
                    format!("index too large (expected {stop} <= {n})").into(),
                ));
            }
        }
        let count = stop.checked_sub(start).ok_or_else(|| {
            Error::Overflow(
                format!("slice {start}..{stop} has more items than an isize holds").into(),
            )
        })? as usize;
        let e = elem.get(&self.uni().inner);
        let size = e.size().ok_or_else(|| crate::types::unknown_size(e))?;
        let addr = crate::base::addr::item_or_err(base, start, size, &|| self.what())?;
        if count > crate::data::cdata::Len::MAX {
            return Err(Error::Overflow(
                format!(
                    "slice {start}..{stop} of {} has more items than a slice counts (at most {})",
                    self.what(),
                    crate::data::cdata::Len::MAX
                )
                .into(),
            ));
        }
        if size
            .checked_mul(count)
            .is_none_or(|n| n > isize::MAX as usize)
        {
            return Err(Error::Overflow(
                format!(
                    "slice {start}..{stop} of {} is larger than the address space",
                    self.what()
                )
                .into(),
            ));
        }
        let arr = self.uni().array_of(elem, None);
        Ok(self.derived(arr, addr, Some(count), Origin::Sliced))
    }

    /// Writes the items `start..stop` from a list (or bytes, or text) of exactly that length
    /// (cffi's `p[start:stop] = values`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] for `start > stop`, a negative start, or a range past an
    /// array's end; [`Error::Type`] for a cdata that is no array or pointer (and,
    /// for `set_slice`, a value of another length or item type).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[]", [10, 20, 30, 40])?;
    /// a.set_slice(0, 2, [1, 2])?;
    /// assert_eq!(a.get(1)?, 2.into());
    /// assert!(a.set_slice(0, 2, [1, 2, 3]).is_err()); // another length
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn set_slice(
        &self,
        start: impl ItemIndex,
        stop: impl ItemIndex,
        v: impl Into<Value>,
    ) -> Result<()> {
        let s = self.slice(start, stop)?;
        let n = s.len()?;
        let v = v.into();
        let got = match &v {
            Value::List(l) => Some(l.len()),
            Value::Numbers(n) => Some(n.len()),
            Value::Bytes(b) => Some(b.len()),
            Value::Text(t) => Some(t.chars().count()),
            Value::CData(c) => c.len().ok(),
            _ => None,
        };
        match got {
            Some(g) if g == n => {}
            Some(g) => {
                return Err(Error::Value(
                    format!("need {n} values to unpack, got {g}").into(),
                ));
            }
            None => {
                return Err(Error::Type(
                    format!(
                        "a slice of {} must be set from a list, not {}",
                        self.what(),
                        v.describe()
                    )
                    .into(),
                ));
            }
        }
        let arr = s.info();
        let Repr::Array { elem, .. } = &arr.repr else {
            unreachable!()
        };
        // Text and bytes of exactly the slice length: no NUL is written.
        match (&v, elem.get(&self.uni().inner)) {
            (Value::Bytes(b), e) if e.size() == Some(1) => {
                let items = b.iter().map(|x| {
                    if matches!(&e.repr, Repr::Int(k) if k.role == IntRole::Char) {
                        Value::Bytes([*x].into())
                    } else {
                        Value::Int(i128::from(*x))
                    }
                });
                for (i, item) in items.enumerate() {
                    s.set(i as isize, item)?;
                }
                Ok(())
            }
            (Value::Text(t), _) => {
                for (i, ch) in t.chars().enumerate() {
                    s.set(i as isize, Value::Text(ch.to_string()))?;
                }
                Ok(())
            }
            (Value::CData(c), _) => {
                for i in 0..n {
                    s.set(i as isize, c.get(i as isize)?)?;
                }
                Ok(())
            }
            _ => convert::value_to_c(
                &Place {
                    uni: s.uni(),
                    ty: s.ty(),
                    addr: s.addr(),
                    owner: s.owner(),
                    len: s.count(),
                },
                &v,
            ),
        }
    }
}

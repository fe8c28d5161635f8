//! Operations on a [`CData`]: items, members, length, iteration, pointer arithmetic, slices and
//! conversions to Rust numbers, with cffi's rules and messages — and bounds checks and NULL
//! checks where cffi has none.

use crate::data::convert::{self, Place};
use crate::data::{CData, Origin};
use crate::data::{ItemIndex, Scalar, Value};
use crate::error::{Error, Result};
use crate::mem::Fast;
use crate::mem::Owner;
use crate::mem::{KeepSet, Region};
use crate::types::TypeRef;
use crate::types::{FieldRt, IntRole, Repr};

impl CData {
    /// The object this cdata points to or is: its type, address and owner. Pointers are
    /// dereferenced (NULL-checked); arrays, structs and unions are themselves.
    fn object(&self) -> Result<(TypeRef, usize)> {
        let info = self.info();
        match &info.repr {
            Repr::Pointer { .. } => {
                let target = self
                    .uni
                    .pointee(info)
                    .ok_or_else(|| Error::Type(format!("{} points to nothing", self.what())))?;
                if self.addr == 0 {
                    return Err(Error::NullPointer(format!(
                        "cannot dereference null pointer from {}",
                        self.what()
                    )));
                }
                Ok((target, self.addr))
            }
            Repr::Array { .. } | Repr::Record { .. } => Ok((self.ty, self.addr)),
            _ => Err(Error::Type(format!(
                "{} is not a pointer, an array or a struct",
                self.what()
            ))),
        }
    }

    fn place_at(&self, ty: TypeRef, addr: usize, len: Option<usize>) -> Place<'_> {
        Place {
            uni: &self.uni,
            ty,
            addr,
            owner: &self.owner,
            len,
        }
    }

    /// The item type and address of item `i` (arrays: bounds-checked; pointers: checked by
    /// the owner's region when accessed).
    fn item(&self, i: isize) -> Result<(TypeRef, usize)> {
        let (elem, base, len) = self.elements()?;
        // cffi: the pointer `new("T *")` returns points to one item.
        if len.is_none() && self.origin == Origin::New && i != 0 {
            return Err(Error::Index(format!(
                "{} can only be indexed by 0",
                self.what()
            )));
        }
        if let Some(n) = len {
            if i < 0 {
                return Err(Error::Index(format!(
                    "negative index {i} for {}",
                    self.what()
                )));
            }
            if i as usize >= n {
                return Err(Error::Index(format!(
                    "index too large for {} (expected {i} < {n})",
                    self.what()
                )));
            }
        }
        let size = elem.get(&self.uni.inner).size().unwrap_or(0);
        let addr = crate::base::addr::item_or_err(base, i, size, &|| self.what())?;
        Ok((elem, addr))
    }

    /// The item type, the address of item 0 and (for arrays) the item count of an array or of
    /// what a pointer points to (NULL-checked; `void` and functions have no items).
    fn elements(&self) -> Result<(TypeRef, usize, Option<usize>)> {
        let info = self.info();
        match &info.repr {
            Repr::Array { elem, len } => Ok((*elem, self.addr, len.or(self.len))),
            Repr::Pointer { .. } => {
                let (t, addr) = self.object()?;
                match t.get(&self.uni.inner).repr {
                    Repr::Void => Err(Error::Type(format!(
                        "{}: cdata 'void' is opaque",
                        self.what()
                    ))),
                    Repr::Function { .. } => Err(Error::Type(format!(
                        "cdata of type '{}' cannot be indexed",
                        info.name
                    ))),
                    _ => Ok((t, addr, None)),
                }
            }
            _ => Err(Error::Type(format!(
                "cdata of type '{}' cannot be indexed",
                info.name
            ))),
        }
    }

    /// Item `i` of an array or pointer (cffi's `p[i]`). Arrays are bounds-checked; pointers
    /// into rcffi's memory are checked against it; a NULL pointer is an error.
    ///
    /// # Errors
    ///
    /// [`Error::Index`](crate::Error::Index) outside an array's bounds or the memory a pointer may
    /// use (or past item 0 of what `new("T *")` returned), [`Error::NullPointer`](crate::Error::NullPointer)
    /// through NULL, [`Error::Type`](crate::Error::Type) for a cdata that is no array or pointer,
    /// [`Error::Overflow`](crate::Error::Overflow) when the offset overflows, and an error when the
    /// memory was released.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// # let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int[3]", [10, 20, 30])?;
    /// assert_eq!(a.get(1)?, 20.into());
    /// assert!(a.get(3).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn get(&self, i: impl ItemIndex) -> Result<Value> {
        let i = i.index()?;
        if let Some((m, fast, addr)) = self.fast_item(i) {
            return m.region.load_number(addr, fast).map(Value::from_number);
        }
        self.get_slow(i)
    }

    fn get_slow(&self, i: isize) -> Result<Value> {
        let (elem, addr) = self.item(i)?;
        let v = convert::c_to_value(&self.place_at(elem, addr, None))?;
        // cffi: `p[0]` of `new("struct s *")` co-owns the struct.
        Ok(match v {
            Value::CData(c) if self.origin == Origin::New && self.info().is_pointer() => {
                Value::CData(c.with_origin(Origin::CoOwned))
            }
            other => other,
        })
    }

    /// Writes item `i` (cffi's `p[i] = v`), with the same checks as [`CData::get`].
    ///
    /// # Errors
    ///
    /// [`Error::Index`](crate::Error::Index) outside an array's bounds or the memory a pointer may
    /// use (or past item 0 of what `new("T *")` returned), [`Error::NullPointer`](crate::Error::NullPointer)
    /// through NULL, [`Error::Type`](crate::Error::Type) for a cdata that is no array or pointer,
    /// [`Error::Overflow`](crate::Error::Overflow) when the offset overflows, and an error when the
    /// memory was released.
    /// A value that does not convert to the item type is an [`Error::Type`](crate::Error::Type) or
    /// [`Error::Overflow`](crate::Error::Overflow) naming both.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("short[3]", ())?;
    /// a.set(1, 7)?;
    /// assert_eq!(a.to_vec()?, [0, 7, 0].map(rcffi::Value::from).to_vec());
    /// assert!(a.set(3, 1).is_err()); // bounds-checked
    /// assert!(a.set(0, 70000).is_err()); // does not fit a short
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn set(&self, i: impl ItemIndex, v: impl Into<Value>) -> Result<()> {
        let i = i.index()?;
        let v = v.into();
        if let Some((m, fast, addr)) = self.fast_item(i)
            && let Some(bytes) = crate::data::encode_fast(fast, &v)
        {
            // A number (what `encode` takes) owns nothing: skip the out-of-line drop.
            std::mem::forget(v);
            return m.store(addr, fast, u64::from_le_bytes(bytes));
        }
        let (elem, addr) = self.item(i)?;
        convert::value_to_c(&self.place_at(elem, addr, None), &v)
    }

    /// The memory the direct paths use: rcffi's own, or a range vouched for or mapped.
    #[inline(always)]
    fn fast_mem(&self) -> Option<FastMem<'_>> {
        Some(match &self.owner {
            Owner::Alloc(a) => FastMem {
                region: a.region(),
                keep: Some(a.keep_set()),
            },
            Owner::Vouched(v) => FastMem {
                region: v.region(),
                keep: None,
            },
            Owner::Mapped(m) => FastMem {
                region: m.region(),
                keep: Some(m.keep_set()),
            },
            _ => return None,
        })
    }

    /// The direct path of `get`/`set`: item `i` of an array or pointer into memory with a
    /// region, when the item is a plain number and the index needs no error message.
    #[inline(always)]
    fn fast_item(&self, i: isize) -> Option<(FastMem<'_>, Fast, usize)> {
        let m = self.fast_mem()?;
        let (elem, len) = match &self.info().repr {
            Repr::Array { elem, len } => (elem.get(&self.uni.inner), len.or(self.len)),
            Repr::Pointer { resolved, .. }
                if self.addr != 0 && (i == 0 || self.origin != Origin::New) =>
            {
                (resolved.get()?.get(&self.uni.inner), None)
            }
            _ => return None,
        };
        if len.is_some_and(|n| i < 0 || i as usize >= n) {
            return None;
        }
        let fast = elem.fast?;
        // An index whose address overflows takes the general path, which says so.
        let addr = crate::base::addr::item(self.addr, i, fast.size())?;
        Some((m, fast, addr))
    }

    /// The direct path of `field`/`set_field`: a plain-number member of a struct in memory
    /// with a region, or of one a resolved, non-NULL pointer points to.
    #[inline(always)]
    fn fast_member(&self, name: &str) -> Option<(FastMem<'_>, Fast, usize)> {
        let m = self.fast_mem()?;
        let body = match &self.info().repr {
            Repr::Record { body: Some(b), .. } => b,
            Repr::Pointer { resolved, .. } => resolved.get()?.get(&self.uni.inner).record_body()?,
            _ => return None,
        };
        if self.addr == 0 {
            return None;
        }
        let f = body.field(name)?;
        Some((m, f.fast?, crate::base::addr::plus(self.addr, f.offset())?))
    }

    /// The member `name` of a struct or union, or of the struct a pointer points to (one
    /// level, as in cffi). A NULL pointer is an error (cffi segfaults).
    ///
    /// # Errors
    ///
    /// [`Error::Key`](crate::Error::Key) for a name that is no member (with a near name when one
    /// exists), [`Error::Type`](crate::Error::Type) for a cdata that is no struct or union or pointer
    /// to one, [`Error::NullPointer`](crate::Error::NullPointer) through NULL, and an error when the
    /// memory was released.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// # let ffi = rcffi::Ffi::default();
    /// ffi.cdef_with("struct pt { int x, y; };", &Default::default())?;
    /// let p = ffi.new("struct pt *", rcffi::map! { "y" => 7 })?;
    /// assert_eq!(p.field("y")?, 7.into());
    /// p.set_field("x", 3)?;
    /// assert_eq!(p.field("x")?, 3.into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn field(&self, name: &str) -> Result<Value> {
        if let Some((m, fast, addr)) = self.fast_member(name) {
            return m.region.load_number(addr, fast).map(Value::from_number);
        }
        self.field_slow(name)
    }

    fn field_slow(&self, name: &str) -> Result<Value> {
        let (place, f) = self.field_place(name, "read")?;
        convert::read_field(&place, f)
    }

    /// The member `name` as a Rust value (`p.field_as::<i32>("x")`): [`CData::field`] then
    /// `TryFrom`, without building a [`Value`] for plain numbers.
    ///
    /// # Errors
    ///
    /// [`Error::Key`](crate::Error::Key) for a name that is no member (with a near name when one
    /// exists), [`Error::Type`](crate::Error::Type) for a cdata that is no struct or union or pointer
    /// to one, [`Error::NullPointer`](crate::Error::NullPointer) through NULL, and an error when the
    /// memory was released.
    /// The member's conversion fails as `T::try_from` does.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// # let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct pt { int x; double w; };")?;
    /// let p = ffi.new("struct pt *", [7])?;
    /// assert_eq!(p.field_as::<i32>("x")?, 7);
    /// assert_eq!(p.field_as::<f64>("w")?, 0.0);
    /// assert!(p.field_as::<u8>("y").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn field_as<T: Scalar>(&self, name: &str) -> Result<T> {
        if let Some((m, fast, addr)) = self.fast_member(name)
            && let Some(v) = fast_as(fast, m.region.load_bits(addr, fast)?)
        {
            return Ok(v);
        }
        self.field_as_slow(name)
    }

    #[inline(never)]
    fn field_as_slow<T: Scalar>(&self, name: &str) -> Result<T> {
        self.field(name).and_then(T::try_from)
    }

    /// Item `i` as a Rust value (`a.get_as::<i64>(3)`): [`CData::get`] then `TryFrom`.
    ///
    /// # Errors
    ///
    /// [`Error::Index`](crate::Error::Index) outside an array's bounds or the memory a pointer may
    /// use (or past item 0 of what `new("T *")` returned), [`Error::NullPointer`](crate::Error::NullPointer)
    /// through NULL, [`Error::Type`](crate::Error::Type) for a cdata that is no array or pointer,
    /// [`Error::Overflow`](crate::Error::Overflow) when the offset overflows, and an error when the
    /// memory was released.
    /// The item's conversion fails as `T::try_from` does.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// # let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("short[]", [1, -2])?;
    /// assert_eq!(a.get_as::<i16>(1)?, -2);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn get_as<T: Scalar>(&self, i: impl ItemIndex) -> Result<T> {
        let i = i.index()?;
        if let Some((m, fast, addr)) = self.fast_item(i)
            && let Some(v) = fast_as(fast, m.region.load_bits(addr, fast)?)
        {
            return Ok(v);
        }
        self.get_as_slow(i)
    }

    #[inline(never)]
    fn get_as_slow<T: Scalar>(&self, i: isize) -> Result<T> {
        self.get(i).and_then(T::try_from)
    }

    /// Writes the member `name` (cffi's `p.name = v`).
    ///
    /// # Errors
    ///
    /// [`Error::Key`](crate::Error::Key) for a name that is no member (with a near name when one
    /// exists), [`Error::Type`](crate::Error::Type) for a cdata that is no struct or union or pointer
    /// to one, [`Error::NullPointer`](crate::Error::NullPointer) through NULL, and an error when the
    /// memory was released.
    /// A value that does not convert to the member's type is an [`Error::Type`](crate::Error::Type)
    /// or [`Error::Overflow`](crate::Error::Overflow) naming both.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct pt { int x; double w; };")?;
    /// let p = ffi.new("struct pt *", ())?;
    /// p.set_field("w", 2.5)?;
    /// assert_eq!(p.field_as::<f64>("w")?, 2.5);
    /// assert!(p.set_field("z", 1).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn set_field(&self, name: &str, v: impl Into<Value>) -> Result<()> {
        let v = v.into();
        if let Some((m, fast, addr)) = self.fast_member(name)
            && let Some(bytes) = crate::data::encode_fast(fast, &v)
        {
            // A number (what `encode` takes) owns nothing: skip the out-of-line drop.
            std::mem::forget(v);
            return m.store(addr, fast, u64::from_le_bytes(bytes));
        }
        let (place, f) = self.field_place(name, "write")?;
        convert::write_field(&place, f, &v)
    }

    fn field_place(&self, name: &str, verb: &str) -> Result<(Place<'_>, &FieldRt)> {
        let info = self.info();
        let record = match &info.repr {
            Repr::Record { .. } => self.ty,
            Repr::Pointer { .. } => {
                let t = self.uni.pointee(info).ok_or_else(|| {
                    Error::Key(format!("{} has no attribute '{name}'", self.what()))
                })?;
                if !matches!(t.get(&self.uni.inner).repr, Repr::Record { .. }) {
                    return Err(Error::Key(format!(
                        "{} has no attribute '{name}'",
                        self.what()
                    )));
                }
                t
            }
            _ => {
                return Err(Error::Key(format!(
                    "{} has no attribute '{name}'",
                    self.what()
                )));
            }
        };
        let rinfo = record.get(&self.uni.inner);
        let Some(body) = rinfo.record_body() else {
            return Err(Error::Type(format!(
                "{} points to an opaque type: cannot {verb} fields",
                self.what()
            )));
        };
        let f = body.field(name).ok_or_else(|| {
            let near = rcffi_cdef::did_you_mean(name, body.fields.iter().map(|f| f.name.as_ref()));
            Error::Key(format!("{} has no field '{name}'{near}", self.what()))
        })?;
        if self.addr == 0 {
            return Err(Error::NullPointer(format!(
                "cannot {verb} field '{name}' through the NULL {}",
                self.what()
            )));
        }
        Ok((self.place_at(record, self.addr, None), f))
    }

    /// The member names of a struct or union, or of the one a pointer points to, sorted
    /// (cffi's `dir(cdata)`); empty for other kinds and opaque types.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct s { int b, a; };")?;
    /// assert_eq!(ffi.new("struct s *", ())?.dir(), ["a", "b"]);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn dir(&self) -> Vec<String> {
        let info = self.info();
        let record = match &info.repr {
            Repr::Record { .. } => Some(self.ty),
            Repr::Pointer { .. } => self.uni.pointee(info),
            _ => None,
        };
        let mut names: Vec<String> = record
            .and_then(|r| r.get(&self.uni.inner).record_body())
            .map(|b| b.fields.iter().map(|f| f.name.to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The number of items of an array (cffi's `len()`); an error for other kinds.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is not an array.
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
                .or(self.len)
                .ok_or_else(|| Error::Type(format!("{} has no len()", self.what()))),
            _ => Err(Error::Type(format!(
                "cdata of type '{}' has no len()",
                self.type_name()
            ))),
        }
    }

    /// Whether an array has no items.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is not an array.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The items of an array, in order (cffi: iteration; only arrays iterate).
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is not an array; each item's read fails
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
            return Err(Error::Type(format!(
                "{} does not support iteration",
                self.what()
            )));
        }
        let n = self.len()?;
        Ok((0..n).map(move |i| self.get(i as isize)))
    }

    /// The items as a vector of values.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is not an array; each item's read fails
    /// as [`CData::get`] does.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("char[]", b"hi".as_slice())?;
    /// let b = |c: &[u8]| rcffi::Value::Bytes(c.to_vec());
    /// assert_eq!(a.to_vec()?, [b(b"h"), b(b"i"), b(b"\0")]); // the NUL is an item
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_vec(&self) -> Result<Vec<Value>> {
        let items = self.iter()?;
        let mut out = Vec::new();
        // An array of a billion items (or of items of size 0) is an error, not an abort.
        out.try_reserve_exact(self.len()?).map_err(|_| {
            Error::Memory(format!(
                "out of memory listing the items of {}",
                self.what()
            ))
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
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no pointer or array, or a pointer to
    /// a type of unknown size; [`Error::Overflow`](crate::Error::Overflow) when the address overflows.
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
            Repr::Pointer { .. } => (self.ty, self.uni.pointee(info)),
            Repr::Array { elem, .. } => (self.uni.pointer_to(*elem), Some(*elem)),
            Repr::Function { .. } => {
                return Err(Error::Type(format!(
                    "cannot add a {} and a number",
                    self.what()
                )));
            }
            _ => {
                return Err(Error::Type(format!(
                    "cannot add a {} and a number",
                    self.what()
                )));
            }
        };
        let elem =
            elem.ok_or_else(|| Error::Type(format!("cannot add a {} and a number", self.what())))?;
        let e = elem.get(&self.uni.inner);
        let size = match &e.repr {
            Repr::Void => 1,
            Repr::Function { .. } => {
                return Err(Error::Type(format!(
                    "cannot add a {} and a number",
                    self.what()
                )));
            }
            _ => e.size().ok_or_else(|| {
                Error::Type(format!(
                    "ctype '{}' points to items of unknown size",
                    self.type_name()
                ))
            })?,
        };
        let addr = crate::base::addr::item_or_err(self.addr, n, size, &|| self.what())?;
        let mut c = CData::pointer(&self.uni, ptr_ty, addr, self.owner.clone());
        c.origin = Origin::Plain;
        Ok(c)
    }

    /// Pointer difference (cffi's `p - q`) in items, for pointers (or arrays) to the same
    /// item type.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for pointers to different item types (or of different
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
                Repr::Pointer { .. } => c.uni.pointee(c.info()),
                Repr::Array { elem, .. } => Some(*elem),
                _ => None,
            }
        };
        let (a, b) = (item(self), item(other));
        let (Some(a), Some(b)) = (a, b) else {
            return Err(Error::Type(format!(
                "cannot subtract {} and {}",
                self.what(),
                other.what()
            )));
        };
        if a.get(&self.uni.inner).id != b.get(&other.uni.inner).id || !self.uni.same(&other.uni) {
            return Err(Error::Type(format!(
                "cannot subtract {} and {}",
                self.what(),
                other.what()
            )));
        }
        let e = a.get(&self.uni.inner);
        let size = match e.repr {
            Repr::Void => 1,
            _ => e.size().ok_or_else(|| {
                Error::Type(format!(
                    "ctype '{}' points to items of unknown size",
                    self.type_name()
                ))
            })?,
        };
        let d = i128::try_from(self.addr).unwrap_or(i128::MAX)
            - i128::try_from(other.addr).unwrap_or(i128::MAX);
        let d = isize::try_from(d).map_err(|_| {
            Error::Overflow(format!(
                "pointer subtraction: {:#x} - {:#x} does not fit an isize",
                self.addr, other.addr
            ))
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
    /// [`Error::Index`](crate::Error::Index) for `start > stop`, a negative start, or a range past an
    /// array's end; [`Error::Type`](crate::Error::Type) for a cdata that is no array or pointer (and,
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
            return Err(Error::Index(format!(
                "slice start > stop ({start} > {stop})"
            )));
        }
        let (elem, base, len) = self.elements()?;
        if let Some(n) = len {
            if start < 0 {
                return Err(Error::Index(format!(
                    "negative index {start} for {}",
                    self.what()
                )));
            }
            if stop as usize > n {
                return Err(Error::Index(format!(
                    "index too large (expected {stop} <= {n})"
                )));
            }
        }
        let count = stop.checked_sub(start).ok_or_else(|| {
            Error::Overflow(format!(
                "slice {start}..{stop} has more items than an isize holds"
            ))
        })? as usize;
        let e = elem.get(&self.uni.inner);
        let size = e.size().ok_or_else(|| crate::types::unknown_size(e))?;
        let addr = crate::base::addr::item_or_err(base, start, size, &|| self.what())?;
        if size
            .checked_mul(count)
            .is_none_or(|n| n > isize::MAX as usize)
        {
            return Err(Error::Overflow(format!(
                "slice {start}..{stop} of {} is larger than the address space",
                self.what()
            )));
        }
        let arr = self.uni.array_of(elem, None);
        let mut c = CData::place(&self.uni, arr, addr, self.owner.clone(), Some(count));
        c.origin = Origin::Sliced;
        Ok(c)
    }

    /// Writes the items `start..stop` from a list (or bytes, or text) of exactly that length
    /// (cffi's `p[start:stop] = values`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`](crate::Error::Index) for `start > stop`, a negative start, or a range past an
    /// array's end; [`Error::Type`](crate::Error::Type) for a cdata that is no array or pointer (and,
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
            Value::Bytes(b) => Some(b.len()),
            Value::Text(t) => Some(t.chars().count()),
            Value::CData(c) => c.len().ok(),
            _ => None,
        };
        match got {
            Some(g) if g == n => {}
            Some(g) => return Err(Error::Value(format!("need {n} values to unpack, got {g}"))),
            None => {
                return Err(Error::Type(format!(
                    "a slice of {} must be set from a list, not {}",
                    self.what(),
                    v.describe()
                )));
            }
        }
        let arr = s.info();
        let Repr::Array { elem, .. } = &arr.repr else {
            unreachable!()
        };
        // Text and bytes of exactly the slice length: no NUL is written.
        match (&v, elem.get(&self.uni.inner)) {
            (Value::Bytes(b), e) if e.size() == Some(1) => {
                let items = b.iter().map(|x| {
                    if matches!(&e.repr, Repr::Int(k) if k.role == IntRole::Char) {
                        Value::Bytes(vec![*x])
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
                    uni: &s.uni,
                    ty: s.ty,
                    addr: s.addr,
                    owner: &s.owner,
                    len: s.len,
                },
                &v,
            ),
        }
    }

    /// The integer value of an integer, character, `_Bool` or enum cdata (cffi's `int()`);
    /// floats truncate. Pointers are refused (cast them to `intptr_t`).
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no number, enum or pointer (cffi's
    /// `int()` refuses it), [`Error::Overflow`](crate::Error::Overflow) when the value does not fit.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.cast("short", 70000)?.to_int()?, 4464); // as C converts
    /// assert!(ffi.cast("int *", 0x1000)?.to_int().is_err()); // as cffi: cast to intptr_t first
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_int(&self) -> Result<i128> {
        let info = self.info();
        match &info.repr {
            // `char` is a byte: 0..=255 whatever the signedness of the target's char (cffi).
            Repr::Int(k) if k.role == IntRole::Char => Ok(i128::from(self.value[0])),
            Repr::Int(k) | Repr::Enum { int: k, .. } => {
                match crate::data::scalar::int_value(*k, &self.value) {
                    Value::UInt(u) => Err(Error::Overflow(format!(
                        "integer {u} does not fit 'i128' (to_u128 reads it)"
                    ))),
                    v => v.to_int(),
                }
            }
            Repr::Float(_) | Repr::LongDouble => match crate::data::scalar::long_double_of(self) {
                Some(x) => crate::data::scalar::long_double_to_int(x),
                None => crate::data::scalar::float_to_int(self.to_f64()?),
            },
            _ => Err(Error::Type(format!(
                "int() not supported on {}",
                self.what()
            ))),
        }
    }

    /// The value of an integer (or other [`to_int`](CData::to_int)) cdata as a `u128`: every
    /// `unsigned __int128` value, which `to_int` gives only up to `i128::MAX`.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no number, enum or pointer (cffi's
    /// `int()` refuses it), [`Error::Overflow`](crate::Error::Overflow) when the value does not fit.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let big = ffi.cast("unsigned __int128", -1)?;
    /// assert_eq!(big.to_u128()?, u128::MAX);
    /// assert!(big.to_int().is_err());
    /// assert!(ffi.cast("int", -1)?.to_u128().is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_u128(&self) -> Result<u128> {
        match &self.info().repr {
            Repr::Int(k) | Repr::Enum { int: k, .. } if k.role != IntRole::Char => {
                crate::data::scalar::int_value(*k, &self.value).to_u128()
            }
            _ => Value::Int(self.to_int()?).to_u128(),
        }
    }

    /// The value of a floating point cdata as `f64` (cffi's `float()`); integers are refused,
    /// as in cffi.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no number.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.cast("float", 0.1)?.to_f64()?, 0.1f32 as f64);
    /// assert!(ffi.cast("int", 7)?.to_f64().is_err()); // as cffi's float(): floats only
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_f64(&self) -> Result<f64> {
        let info = self.info();
        match &info.repr {
            Repr::Float(2) => Ok(crate::base::floats::f16_to_f64(&self.value)),
            Repr::Float(4) => Ok(f64::from(f32::from_le_bytes([
                self.value[0],
                self.value[1],
                self.value[2],
                self.value[3],
            ]))),
            Repr::Float(8) => Ok(f64::from_le_bytes(
                self.value[..8].try_into().unwrap_or([0; 8]),
            )),
            Repr::Float(_) | Repr::LongDouble => {
                Ok(crate::data::scalar::long_double_of(self).map_or(f64::NAN, |x| x.to_f64()))
            }
            _ => Err(Error::Type(format!(
                "float() not supported on {}",
                self.what()
            ))),
        }
    }

    /// The value of a primitive cdata (integer, character, bool, float, complex) as a
    /// [`Value`].
    ///
    /// # Errors
    ///
    /// An error when the memory was released; a cdata that is no number reads as itself.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.cast("long", -3)?.to_value()?, (-3).into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_value(&self) -> Result<Value> {
        let info = self.info();
        match &info.repr {
            Repr::Int(_) | Repr::Enum { .. } | Repr::Float(2 | 4 | 8) | Repr::Complex(4 | 8) => {
                crate::data::scalar::decode_scalar(info, &self.value)
            }
            Repr::Float(_) | Repr::LongDouble => Ok(Value::Float(self.to_f64()?)),
            // `long double _Complex` (a result or callback argument): `[re, im]` of exact
            // long double cdata.
            Repr::Complex(_) if !info.is_pointer() => {
                convert::c_to_value(&self.place_at(self.ty, self.addr, None))
            }
            _ => Ok(Value::CData(self.clone())),
        }
    }

    /// cffi's truth value: pointers are true when not NULL, numbers when not zero, arrays and
    /// structs always.
    pub fn truthy(&self) -> bool {
        match &self.info().repr {
            Repr::Pointer { .. } => self.addr != 0,
            Repr::Int(_) | Repr::Enum { .. } => self.value.iter().any(|b| *b != 0),
            Repr::Float(_) | Repr::LongDouble => self.to_f64().is_ok_and(|x| x != 0.0),
            _ => true,
        }
    }
}

/// The plain number of type `fast` whose bits are `bits` (as [`Region::load_bits`] reads
/// them) as a `T`, when it converts without loss (`None`: the general path says why not).
///
/// [`Region::load_bits`]: crate::mem::Region::load_bits
#[inline(always)]
fn fast_as<T: Scalar>(fast: Fast, bits: u64) -> Option<T> {
    match fast {
        Fast::I8 => T::from_i64(i64::from(bits as u8 as i8)),
        Fast::I16 => T::from_i64(i64::from(bits as u16 as i16)),
        Fast::I32 => T::from_i64(i64::from(bits as u32 as i32)),
        Fast::I64 => T::from_i64(bits as i64),
        Fast::U8 | Fast::U16 | Fast::U32 | Fast::U64 => T::from_u64(bits),
        Fast::F32 => T::from_c_float(f64::from(f32::from_bits(bits as u32))),
        Fast::F64 => T::from_c_float(f64::from_bits(bits)),
    }
}

/// The memory of a direct read or write: its region, and what pointers stored there keep
/// alive (a number written over a pointer releases it).
struct FastMem<'a> {
    region: Region<'a>,
    keep: Option<&'a KeepSet>,
}

impl FastMem<'_> {
    /// Stores the plain number of type `fast` whose bits are `bits` at `addr`.
    #[inline(always)]
    fn store(&self, addr: usize, fast: Fast, bits: u64) -> Result<()> {
        match self.keep {
            Some(k) => k.write_bytes(&self.region, addr, fast.size(), || {
                self.region.store_bits(addr, fast, bits)
            }),
            None => self.region.store_bits(addr, fast, bits),
        }
    }
}

macro_rules! try_from_cdata {
    ($($t:ty),*) => {$(
        impl TryFrom<&CData> for $t {
            type Error = Error;
            fn try_from(c: &CData) -> Result<$t> {
                let i = c.to_int()?;
                <$t>::try_from(i).map_err(|_| Error::Overflow(format!("integer {i} does not fit '{}'", stringify!($t))))
            }
        }
        impl TryFrom<CData> for $t {
            type Error = Error;
            fn try_from(c: CData) -> Result<$t> {
                <$t>::try_from(&c)
            }
        }
    )*};
}
try_from_cdata!(i8, u8, i16, u16, i32, u32, i64, u64, i128, isize, usize);

impl TryFrom<&CData> for f64 {
    type Error = Error;
    fn try_from(c: &CData) -> Result<f64> {
        c.to_f64()
    }
}

impl TryFrom<CData> for f64 {
    type Error = Error;
    fn try_from(c: CData) -> Result<f64> {
        c.to_f64()
    }
}

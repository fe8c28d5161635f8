//! Items and members of a [`CData`], one at a time: reading, writing, `dir`, with cffi's rules
//! and messages — and bounds checks and NULL checks where cffi has none. Arrays as a whole and
//! pointer arithmetic are in [`arith`](super::arith); a primitive's number in
//! [`primitive`](super::primitive).

use crate::data::convert::{self, Place};
use crate::data::{CData, Origin};
use crate::data::{ItemIndex, Scalar, Value};
use crate::error::{Error, Result};
use crate::mem::Fast;
use crate::mem::OwnerRef;
use crate::mem::{KeepSet, Region};
use crate::types::TypeRef;
use crate::types::{FieldRt, Repr};

impl CData {
    /// The object this cdata points to or is: its type, address and owner. Pointers are
    /// dereferenced (NULL-checked); arrays, structs and unions are themselves.
    fn object(&self) -> Result<(TypeRef, usize)> {
        let info = self.info();
        match &info.repr {
            Repr::Pointer { .. } => {
                let target = self.uni().pointee(info).ok_or_else(|| {
                    Error::Type(format!("{} points to nothing", self.what()).into())
                })?;
                if self.addr() == 0 {
                    return Err(Error::NullPointer(
                        format!("cannot dereference null pointer from {}", self.what()).into(),
                    ));
                }
                Ok((target, self.addr()))
            }
            Repr::Array { .. } | Repr::Record { .. } => Ok((self.ty(), self.addr())),
            _ => Err(Error::Type(
                format!("{} is not a pointer, an array or a struct", self.what()).into(),
            )),
        }
    }

    /// The place of a `ty` at `addr` in this cdata's memory. In line: a place returned through
    /// memory was moved on with 16-byte loads that waited on the 8-byte stores that had just
    /// written it (`call_into` of an 8-byte struct: 26 → 20 ns).
    #[inline(always)]
    pub(super) fn place_at(&self, ty: TypeRef, addr: usize, len: Option<usize>) -> Place<'_> {
        Place {
            uni: self.uni(),
            ty,
            addr,
            owner: self.owner(),
            len,
        }
    }

    /// The item type and address of item `i` (arrays: bounds-checked; pointers: checked by
    /// the owner's region when accessed).
    #[inline]
    fn item(&self, i: isize) -> Result<(TypeRef, usize)> {
        if let Some(found) = self.sized_item(i) {
            return Ok(found);
        }
        self.item_slow(i)
    }

    /// [`CData::item`] where it needs no error and no lookup: an item of known size in range
    /// of an array, or of a non-NULL pointer whose target is resolved (structs, pointers,
    /// arrays: what the direct paths for numbers leave; `p[0] = q[0]` found each item through
    /// the pointer's target lookup and its error checks, 126 instructions).
    #[inline(always)]
    fn sized_item(&self, i: isize) -> Option<(TypeRef, usize)> {
        let (elem, info) = self.indexable_item(i)?;
        if matches!(info.repr, Repr::Function { .. }) {
            return None;
        }
        let addr = crate::base::addr::item(self.addr(), i, info.size()?)?;
        Some((elem, addr))
    }

    /// The item type of an array when item `i` is in range, or of a non-NULL pointer whose
    /// target is resolved (item 0 only of the pointer `new("T *")` returned: cffi's rule, which
    /// `item_slow` words): what the direct item paths share.
    #[inline(always)]
    fn indexable_item(&self, i: isize) -> Option<(TypeRef, &crate::types::TypeInfo)> {
        let (elem, len) = match &self.info().repr {
            Repr::Array { elem, len } => (*elem, len.or(self.count())),
            Repr::Pointer { resolved, .. } if self.addr() != 0 => (*resolved.get()?, None),
            _ => return None,
        };
        let in_range = match len {
            Some(n) => i >= 0 && (i as usize) < n,
            None => i == 0 || self.origin() != Origin::New,
        };
        in_range.then(|| (elem, elem.get(&self.uni().inner)))
    }

    #[inline(never)]
    fn item_slow(&self, i: isize) -> Result<(TypeRef, usize)> {
        let (elem, base, len) = self.elements()?;
        // cffi: the pointer `new("T *")` returns points to one item.
        if len.is_none() && self.origin() == Origin::New && i != 0 {
            return Err(Error::Index(
                format!("{} can only be indexed by 0", self.what()).into(),
            ));
        }
        if let Some(n) = len {
            if i < 0 {
                return Err(Error::Index(
                    format!("negative index {i} for {}", self.what()).into(),
                ));
            }
            if i as usize >= n {
                return Err(Error::Index(
                    format!("index too large for {} (expected {i} < {n})", self.what()).into(),
                ));
            }
        }
        let size = elem.get(&self.uni().inner).size().unwrap_or(0);
        let addr = crate::base::addr::item_or_err(base, i, size, &|| self.what())?;
        Ok((elem, addr))
    }

    /// The item type, the address of item 0 and (for arrays) the item count of an array or of
    /// what a pointer points to (NULL-checked; `void` and functions have no items).
    pub(super) fn elements(&self) -> Result<(TypeRef, usize, Option<usize>)> {
        let info = self.info();
        match &info.repr {
            Repr::Array { elem, len } => Ok((*elem, self.addr(), len.or(self.count()))),
            Repr::Pointer { .. } => {
                let (t, addr) = self.object()?;
                match t.get(&self.uni().inner).repr {
                    Repr::Void => Err(Error::Type(
                        format!("{}: cdata 'void' is opaque", self.what()).into(),
                    )),
                    Repr::Function { .. } => Err(Error::Type(
                        format!("cdata of type '{}' cannot be indexed", info.name).into(),
                    )),
                    _ => Ok((t, addr, None)),
                }
            }
            _ => Err(Error::Type(
                format!("cdata of type '{}' cannot be indexed", info.name).into(),
            )),
        }
    }

    /// Item `i` of an array or pointer (cffi's `p[i]`). Arrays are bounds-checked; pointers
    /// into rcffi's memory are checked against it; a NULL pointer is an error.
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside an array's bounds or the memory a pointer may
    /// use (or past item 0 of what `new("T *")` returned), [`Error::NullPointer`]
    /// through NULL, [`Error::Type`] for a cdata that is no array or pointer,
    /// [`Error::Overflow`] when the offset overflows, and an error when the
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
        // Borrowed lent bytes (`with_buffer`): a plain number read as the direct path reads
        // it, with the access counted in and out of the loan (as any access to them is).
        if let OwnerRef::Buffer(b) = self.owner()
            && let Some((fast, addr)) = self.plain_item(i)
        {
            return lent_number(b, addr, fast);
        }
        let (elem, addr) = self.item(i)?;
        let place = self.place_at(elem, addr, None);
        // cffi: `p[0]` of `new("struct s *")` (or a union) co-owns the struct: its repr says
        // it owns the memory, and its size is the memory's. Not a pointer's or an array's
        // item, which is a view (`<cdata 'int *' 0x...>`, its own size).
        if self.origin() == Origin::New
            && self.info().is_pointer()
            && matches!(place.info().repr, Repr::Record { .. })
        {
            return Ok(Value::CData(place.view().with_origin(Origin::CoOwned)));
        }
        // Returned as `c_to_value` makes it, not taken apart and put together again (its
        // copy would wait on the stores that wrote it).
        convert::c_to_value(&place)
    }

    /// Writes item `i` (cffi's `p[i] = v`), with the same checks as [`CData::get`].
    ///
    /// # Errors
    ///
    /// [`Error::Index`] outside an array's bounds or the memory a pointer may
    /// use (or past item 0 of what `new("T *")` returned), [`Error::NullPointer`]
    /// through NULL, [`Error::Type`] for a cdata that is no array or pointer,
    /// [`Error::Overflow`] when the offset overflows, and an error when the
    /// memory was released.
    /// A value that does not convert to the item type is an [`Error::Type`] or
    /// [`Error::Overflow`] naming both.
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
        let place = self.place_at(elem, addr, None);
        // A struct or union item given a cdata of its very type (cffi's `p[0] = q[0]`): the
        // copy, without the general conversion's dispatch to it.
        if let Value::CData(c) = &v
            && c.ty() == elem
            && matches!(place.info().repr, Repr::Record { body: Some(_), .. })
        {
            return convert::copy_record(&place, c);
        }
        convert::value_to_c(&place, &v)
    }

    /// The memory the direct paths use: rcffi's own, a range vouched for or mapped, owned
    /// bytes lent (`from_buffer`) whose loan has not ended, or any of these under a `gc`
    /// destructor. `None` for the rest, which the general path reads (a borrowed loan's
    /// accesses, `with_buffer`, count themselves in and out there) or says why it cannot.
    #[inline(always)]
    fn fast_mem(&self) -> Option<FastMem<'_>> {
        let owner = self.owner();
        let region = match owner {
            OwnerRef::Gc(g) => fast_region(g.base())?,
            _ => fast_region(owner)?,
        };
        Some(FastMem { region, owner })
    }

    /// The direct path of `get`/`set`: item `i` of an array or pointer into memory with a
    /// region, when the item is a plain number and the index needs no error message.
    #[inline(always)]
    fn fast_item(&self, i: isize) -> Option<(FastMem<'_>, Fast, usize)> {
        let m = self.fast_mem()?;
        let (fast, addr) = self.plain_item(i)?;
        Some((m, fast, addr))
    }

    /// Item `i`'s type and address, when it is a plain number in range of an array or of a
    /// non-NULL pointer (whatever memory it is in: [`CData::fast_item`] asks that).
    #[inline(always)]
    fn plain_item(&self, i: isize) -> Option<(Fast, usize)> {
        let fast = self.indexable_item(i)?.1.fast?;
        // An index whose address overflows takes the general path, which says so.
        let addr = crate::base::addr::item(self.addr(), i, fast.size())?;
        Some((fast, addr))
    }

    /// The direct path of `field`/`set_field`: a plain-number member of a struct in memory
    /// with a region, or of one a resolved, non-NULL pointer points to.
    #[inline(always)]
    fn fast_member(&self, name: &str) -> Option<(FastMem<'_>, Fast, usize)> {
        let m = self.fast_mem()?;
        let (f, addr) = self.member_at(name)?;
        Some((m, f.fast?, addr))
    }

    /// The member `name` and its address, of a struct or of the one a resolved, non-NULL
    /// pointer points to; `None` where [`CData::field_place`] decides (and words the error).
    #[inline(always)]
    fn member_at(&self, name: &str) -> Option<(&FieldRt, usize)> {
        let body = match &self.info().repr {
            Repr::Record { body: Some(b), .. } => b,
            Repr::Pointer { resolved, .. } => {
                resolved.get()?.get(&self.uni().inner).record_body()?
            }
            _ => return None,
        };
        if self.addr() == 0 {
            return None;
        }
        let f = body.field(name)?;
        Some((f, crate::base::addr::plus(self.addr(), f.offset())?))
    }

    /// The member `name` of a struct or union, or of the struct a pointer points to (one
    /// level, as in cffi). A NULL pointer is an error (cffi segfaults).
    ///
    /// # Errors
    ///
    /// [`Error::Key`] for a name that is no member (with a near name when one
    /// exists), [`Error::Type`] for a cdata that is no struct or union or pointer
    /// to one, [`Error::NullPointer`] through NULL, and an error when the
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
        if let Some((f, addr)) = self.member_at(name) {
            if let Some(fast) = f.fast
                && let Some(m) = self.fast_mem()
            {
                return m.region.load_number(addr, fast).map(Value::from_number);
            }
            if f.bit_width.is_none() && f.ty.get(&self.uni().inner).is_pointer() {
                return self.pointer_member(f.ty, addr);
            }
        }
        self.field_slow(name)
    }

    /// A pointer member (a list's `next`), found by [`CData::field`]: read where it is,
    /// without the general place and conversion.
    #[inline(never)]
    fn pointer_member(&self, ty: TypeRef, addr: usize) -> Result<Value> {
        convert::read_pointer(&self.place_at(ty, addr, None))
    }

    fn field_slow(&self, name: &str) -> Result<Value> {
        // Borrowed lent bytes: a plain number read as in `get_slow`.
        if let OwnerRef::Buffer(b) = self.owner()
            && let Some((f, addr)) = self.member_at(name)
            && let Some(fast) = f.fast
        {
            return lent_number(b, addr, fast);
        }
        let (place, f) = self.field_place(name, "read")?;
        convert::read_field(&place, f)
    }

    /// The member `name` as a Rust value (`p.field_as::<i32>("x")`): [`CData::field`] then
    /// `TryFrom`, without building a [`Value`] for plain numbers.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] for a name that is no member (with a near name when one
    /// exists), [`Error::Type`] for a cdata that is no struct or union or pointer
    /// to one, [`Error::NullPointer`] through NULL, and an error when the
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
    /// [`Error::Index`] outside an array's bounds or the memory a pointer may
    /// use (or past item 0 of what `new("T *")` returned), [`Error::NullPointer`]
    /// through NULL, [`Error::Type`] for a cdata that is no array or pointer,
    /// [`Error::Overflow`] when the offset overflows, and an error when the
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
    /// [`Error::Key`] for a name that is no member (with a near name when one
    /// exists), [`Error::Type`] for a cdata that is no struct or union or pointer
    /// to one, [`Error::NullPointer`] through NULL, and an error when the
    /// memory was released.
    /// A value that does not convert to the member's type is an [`Error::Type`]
    /// or [`Error::Overflow`] naming both.
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
        // The member found once, as `field` finds it: a number stored where it is, a pointer
        // (a list's `next`) written there.
        if let Some((f, addr)) = self.member_at(name) {
            if let Some(fast) = f.fast
                && let Some(m) = self.fast_mem()
                && let Some(bytes) = crate::data::encode_fast(fast, &v)
            {
                // A number (what `encode` takes) owns nothing: skip the out-of-line drop.
                std::mem::forget(v);
                return m.store(addr, fast, u64::from_le_bytes(bytes));
            }
            if f.bit_width.is_none() && f.ty.get(&self.uni().inner).is_pointer() {
                return convert::write_pointer(&self.place_at(f.ty, addr, None), &v);
            }
        }
        let (place, f) = self.field_place(name, "write")?;
        convert::write_field(&place, f, &v)
    }

    fn field_place(&self, name: &str, verb: &str) -> Result<(Place<'_>, &FieldRt)> {
        let info = self.info();
        let record = match &info.repr {
            Repr::Record { .. } => self.ty(),
            Repr::Pointer { .. } => {
                let t = self.uni().pointee(info).ok_or_else(|| {
                    Error::Key(format!("{} has no attribute '{name}'", self.what()).into())
                })?;
                if !matches!(t.get(&self.uni().inner).repr, Repr::Record { .. }) {
                    return Err(Error::Key(
                        format!("{} has no attribute '{name}'", self.what()).into(),
                    ));
                }
                t
            }
            _ => {
                return Err(Error::Key(
                    format!("{} has no attribute '{name}'", self.what()).into(),
                ));
            }
        };
        let rinfo = record.get(&self.uni().inner);
        let Some(body) = rinfo.record_body() else {
            return Err(Error::Type(
                format!(
                    "{} points to an opaque type: cannot {verb} fields",
                    self.what()
                )
                .into(),
            ));
        };
        let f = body.field(name).ok_or_else(|| {
            let near = rcffi_cdef::did_you_mean(name, body.fields.iter().map(|f| f.name.as_ref()));
            Error::Key(format!("{} has no field '{name}'{near}", self.what()).into())
        })?;
        if self.addr() == 0 {
            return Err(Error::NullPointer(
                format!(
                    "cannot {verb} field '{name}' through the NULL {}",
                    self.what()
                )
                .into(),
            ));
        }
        Ok((self.place_at(record, self.addr(), None), f))
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
            Repr::Record { .. } => Some(self.ty()),
            Repr::Pointer { .. } => self.uni().pointee(info),
            _ => None,
        };
        let mut names: Vec<String> = record
            .and_then(|r| r.get(&self.uni().inner).record_body())
            .map(|b| b.fields.iter().map(|f| f.name.to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
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

/// The plain number of type `fast` at `addr` in lent bytes, read in one access counted in and
/// out of a borrowed loan (refused once the loan ended).
fn lent_number(
    b: &crate::mem::Counted<crate::mem::Lent>,
    addr: usize,
    fast: Fast,
) -> Result<Value> {
    b.with_region(|r| r.load_number(addr, fast))
        .map(Value::from_number)
}

/// The region of `owner`'s memory for the direct paths ([`CData::fast_mem`]), but for a `gc`
/// destructor's (whose original's owner this is asked of, once). `None` also for a loan that
/// ended: the general path reports it.
#[inline(always)]
pub(crate) fn fast_region(owner: OwnerRef<'_>) -> Option<Region<'_>> {
    match owner {
        OwnerRef::Alloc(a) => Some(a.region()),
        OwnerRef::Vouched(v) => Some(v.region()),
        OwnerRef::Mapped(m) => Some(m.region()),
        OwnerRef::Buffer(b) => b.owned_region(),
        _ => None,
    }
}

/// The memory of a direct read or write: its region, and its owner, whose keep set (what
/// pointers stored there keep alive: a number written over a pointer releases it) only a store
/// looks at.
struct FastMem<'a> {
    region: Region<'a>,
    owner: OwnerRef<'a>,
}

impl FastMem<'_> {
    /// Stores the plain number of type `fast` whose bits are `bits` at `addr`.
    #[inline(always)]
    fn store(&self, addr: usize, fast: Fast, bits: u64) -> Result<()> {
        // Under a `gc` destructor, its original's set; lent bytes have their own.
        let keep: Option<&KeepSet> = self.owner.keeping().map(|(set, _)| set);
        match keep {
            Some(k) => k.write_bytes(&self.region, addr, fast.size(), || {
                self.region.store_bits(addr, fast, bits)
            }),
            None => self.region.store_bits(addr, fast, bits),
        }
    }
}

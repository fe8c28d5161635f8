//! Conversions between [`Value`]s and C memory, in one place — `value_to_c` (writes),
//! `c_to_value` (reads) and `c_to_c` (copies) — with cffi's rules: range checks,
//! `char` as one byte, `signed`/`unsigned char` as integers, wide characters as text, arrays
//! from lists and strings, structs and unions from lists and maps, pointers of compatible types.
//!
//! Every read and write goes through the region of the place's owner (`crate::mem`), so it is
//! bounds-checked on rcffi's own memory and refused on memory nobody vouched for. Bitfield
//! members are read and written by [`bitfield`](super::bitfield).

use crate::data::scalar::{decode_scalar, encode_scalar};
use crate::data::{CData, Origin};
use crate::data::{Numbers, Value, encode_fast};
use crate::error::{Error, Result};
use crate::mem::Region;
use crate::mem::{Owner, OwnerRef};
use crate::types::{Ffi, TypeRef};
use crate::types::{FieldRt, IntRole, Repr, TypeInfo};

/// A typed place in memory: where to read or write, and who says it may be touched.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    pub(crate) uni: &'a Ffi,
    pub(crate) ty: TypeRef,
    pub(crate) addr: usize,
    pub(crate) owner: OwnerRef<'a>,
    /// The number of items, for an open array (`T[]`).
    pub(crate) len: Option<usize>,
}

impl<'a> Place<'a> {
    pub(crate) fn info(&self) -> &'a TypeInfo {
        self.ty.get(&self.uni.inner)
    }

    /// The array, struct or union here, as a cdata viewing this memory (in line: the cdata is
    /// built where it is returned).
    #[inline(always)]
    pub(super) fn view(&self) -> CData {
        CData::place(
            self.uni,
            self.ty,
            self.addr,
            self.owner.to_owned(),
            self.len,
        )
    }

    pub(super) fn region<T>(&self, f: impl FnOnce(&Region<'_>) -> Result<T>) -> Result<T> {
        let info = self.info();
        let addr = self.addr;
        self.owner
            .with_region(&|| format!("cdata '{}' at {addr:#x}", info.name), f)
    }

    fn at(&self, ty: TypeRef, addr: usize, len: Option<usize>) -> Place<'a> {
        Place {
            uni: self.uni,
            ty,
            addr,
            owner: self.owner,
            len,
        }
    }

    fn size(&self) -> Result<usize> {
        crate::data::object_size(self.uni, self.ty, self.len)
    }

    /// The address of item `i` of `size` bytes from this place (a member at byte offset
    /// `i` for `size` 1), checked against overflow.
    pub(super) fn item_addr(&self, i: usize, size: usize) -> Result<usize> {
        i.checked_mul(size)
            .and_then(|off| crate::base::addr::plus(self.addr, off))
            .ok_or_else(|| crate::base::addr::overflow(&format!("cdata '{}'", self.info().name), i))
    }

    /// Writes `n` bytes at this place that are not a pointer rcffi tracks (numbers, bytes)
    /// with `write`: the pointers they overwrite no longer keep their memory alive.
    pub(super) fn write_bytes(
        &self,
        n: usize,
        write: impl FnOnce(&Region<'_>) -> Result<()>,
    ) -> Result<()> {
        self.region(|r| match self.owner.keeping() {
            Some((set, _)) => set.write_bytes(r, self.addr, n, || write(r)),
            None => write(r),
        })
    }
}

// --- Reading ---

/// Reads the value at a place.
pub(crate) fn c_to_value(p: &Place<'_>) -> Result<Value> {
    let info = p.info();
    match &info.repr {
        // The common case first: a plain integer.
        Repr::Int(k) if k.role == IntRole::Number => {
            let mut b = [0u8; 16];
            p.region(|r| r.read(p.addr, &mut b[..usize::from(k.bytes)]))?;
            Ok(crate::data::scalar::int_value(*k, &b))
        }
        Repr::Int(k) | Repr::Enum { int: k, .. } => {
            let mut b = [0u8; 16];
            p.region(|r| r.read(p.addr, &mut b[..usize::from(k.bytes)]))?;
            decode_scalar(info, &b)
        }
        Repr::Float(n) if *n <= 8 => {
            let mut b = [0u8; 16];
            p.region(|r| r.read(p.addr, &mut b[..usize::from(*n)]))?;
            decode_scalar(info, &b)
        }
        Repr::Complex(n) if *n <= 8 => {
            let mut b = [0u8; 16];
            p.region(|r| r.read(p.addr, &mut b[..usize::from(*n) * 2]))?;
            decode_scalar(info, &b)
        }
        Repr::Complex(16) => {
            // `[re, im]`, each part an exact `long double` (or `_Float128`) cdata.
            let part = crate::data::scalar::wide_complex_part(p.uni, info)?;
            let mut b = [0u8; 32];
            p.region(|r| r.read(p.addr, &mut b))?;
            let (re, im) = b.split_at(16);
            Ok(Value::List(vec![
                Value::CData(CData::primitive(p.uni, part, re)),
                Value::CData(CData::primitive(p.uni, part, im)),
            ]))
        }
        Repr::Float(_) | Repr::LongDouble | Repr::Complex(_) => {
            // Kept as cdata, as cffi does for long double.
            let size = p.size()?;
            let mut b = [0u8; 16];
            p.region(|r| r.read(p.addr, &mut b[..size.min(16)]))?;
            Ok(Value::CData(CData::primitive(p.uni, p.ty, &b)))
        }
        Repr::Pointer { .. } => read_pointer(p),
        Repr::Array { elem, len: Some(0) } => {
            // cffi reads a zero-length array member as a pointer to its first item.
            let ptr = p.uni.pointer_to(*elem);
            Ok(Value::CData(CData::pointer(
                p.uni,
                ptr,
                p.addr,
                p.owner.to_owned(),
            )))
        }
        Repr::Array { .. } | Repr::Record { .. } => Ok(Value::CData(p.view())),
        Repr::Void | Repr::Function { .. } | Repr::Opaque => Err(Error::Type(
            format!("cannot read a value of ctype '{}'", info.name).into(),
        )),
    }
}

// --- Writing ---

/// Writes `v` at a place, with cffi's initializer rules.
pub(crate) fn value_to_c(p: &Place<'_>, v: &Value) -> Result<()> {
    let info = p.info();
    match &info.repr {
        Repr::Complex(16) => write_wide_complex(p, info, v),
        Repr::Int(_) | Repr::Enum { .. } | Repr::Float(_) | Repr::LongDouble | Repr::Complex(_) => {
            let size = p.size()?;
            // A plain number type and a number it holds (an item or member of an initializer
            // list, most often): its bytes without the general rules (`char` forms first).
            if let Some(b) = info.fast.and_then(|f| encode_fast(f, v))
                && size <= 8
            {
                return p.write_bytes(size, |r| r.write(p.addr, &b[..size]));
            }
            let bytes = encode_scalar(info, v)?;
            p.write_bytes(size, |r| r.write(p.addr, &bytes[..size]))
        }
        Repr::Pointer { .. } => write_pointer(p, v),
        Repr::Array { elem, len } => write_array(p, *elem, len.or(p.len), v),
        Repr::Record { .. } => write_record(p, v),
        Repr::Void | Repr::Function { .. } | Repr::Opaque => Err(Error::Type(
            format!("cannot write a value of ctype '{}'", info.name).into(),
        )),
    }
}

/// Writes a complex number of 16-byte parts: `[re, im]` (each as a `long double` initializer
/// takes it, exactly), or one real number.
fn write_wide_complex(p: &Place<'_>, info: &TypeInfo, v: &Value) -> Result<()> {
    let part = crate::data::scalar::wide_complex_part(p.uni, info)?;
    let pinfo = part.get(&p.uni.inner);
    let format = crate::data::scalar::long_double_format(pinfo).ok_or_else(|| {
        Error::Unsupported(format!("values of ctype '{}' cannot be converted", info.name).into())
    })?;
    let init = |x: &Value| crate::data::scalar::long_double_init(pinfo, format, x);
    let (re, im) = match v {
        Value::List(l) if l.len() == 2 => (init(&l[0])?, init(&l[1])?),
        Value::Numbers(n) if n.len() == 2 => (
            init(&n.get(0).unwrap_or_default())?,
            init(&n.get(1).unwrap_or_default())?,
        ),
        Value::Numbers(n) => return write_wide_complex(p, info, &Value::List(n.to_values())),
        Value::List(l) => {
            return Err(Error::Index(
                format!(
                    "a complex number is a list of 2 parts, not {} (ctype '{}')",
                    l.len(),
                    info.name
                )
                .into(),
            ));
        }
        other => (init(other)?, init(&Value::Int(0))?),
    };
    let mut b = [0u8; 32];
    b[..16].copy_from_slice(&re.to_bytes());
    b[16..].copy_from_slice(&im.to_bytes());
    p.write_bytes(32, |r| r.write(p.addr, &b))
}

/// The item type a pointer or array cdata points to, for compatibility checks.
fn item_of(c: &CData) -> Option<TypeRef> {
    let info = c.info();
    match &info.repr {
        Repr::Pointer { .. } => c.uni().pointee(info),
        Repr::Array { elem, .. } => Some(*elem),
        _ => None,
    }
}

pub(crate) fn is_char_like(t: &TypeInfo) -> bool {
    matches!(&t.repr, Repr::Int(k) if k.bytes == 1 && k.role != IntRole::Bool)
}

/// The error of a cdata that cannot initialize a pointer of type `info`.
fn not_same_pointer(info: &TypeInfo, c: &CData) -> Error {
    Error::Type(
        format!(
            "initializer for ctype '{}' must be a pointer to same type, not {}",
            info.name,
            c.what()
        )
        .into(),
    )
}

/// The address an initializer gives a pointer of type `info`, and the owner of the memory
/// there.
pub(super) fn pointer_source<'v>(
    uni: &Ffi,
    info: &TypeInfo,
    v: &'v Value,
) -> Result<(usize, OwnerRef<'v>)> {
    let Value::CData(c) = v else {
        return Err(Error::Type(
            format!(
                "initializer for ctype '{}' must be a cdata pointer, not {}",
                info.name,
                v.describe()
            )
            .into(),
        ));
    };
    Ok((pointer_addr(uni, info, c)?, c.owner()))
}

/// The address cdata `c` gives a pointer of type `info`, with cffi's compatibility rules (the
/// same item type, `void *` either way, `char *` with `signed`/`unsigned char *`).
pub(crate) fn pointer_addr(uni: &Ffi, info: &TypeInfo, c: &CData) -> Result<usize> {
    if !c.uni().same(uni) {
        let same_name = c.type_name() == &*info.name;
        return Err(Error::Type(if same_name {
            format!(
                "initializer for ctype '{}' appears indeed to be '{}', but the types are different \
                 (check that you are not e.g. mixing up different ffi instances)",
                info.name, info.name
            )
            .into()
        } else {
            format!(
                "initializer for ctype '{}' must be a pointer to same type, not {} of another \
                 ffi object (the types of two ffi objects are never the same)",
                info.name,
                c.what()
            )
            .into()
        }));
    }
    let src = c.info();
    let addr = match &src.repr {
        Repr::Pointer { .. } | Repr::Array { .. } => c.addr(),
        Repr::Record { .. } => {
            return Err(not_same_pointer(info, c));
        }
        _ => {
            return Err(Error::Type(
                format!(
                    "initializer for ctype '{}' must be a cdata pointer, not {}",
                    info.name,
                    c.what()
                )
                .into(),
            ));
        }
    };
    if !src.same_type(info) {
        let dst_item = uni.pointee(info).map(|t| t.get(&uni.inner));
        let src_item = item_of(c).map(|t| t.get(&uni.inner));
        let ok = match (dst_item, src_item) {
            (Some(d), Some(s)) => {
                d.id == s.id
                    || matches!(d.repr, Repr::Void)
                    || matches!(s.repr, Repr::Void)
                    || (is_char_like(d) && is_char_like(s))
            }
            _ => false,
        };
        if !ok {
            return Err(not_same_pointer(info, c));
        }
    }
    Ok(addr)
}

/// Writes pointer `v` at `p` (of a pointer type), keeping what it points into alive when that
/// is owned and `p`'s memory is rcffi's.
pub(super) fn write_pointer(p: &Place<'_>, v: &Value) -> Result<()> {
    let info = p.info();
    let (addr, src_owner) = pointer_source(p.uni, info, v)?;
    // An owned pointee stored into rcffi's memory lives as long as a slot points into it.
    p.region(|r| match p.owner.keeping_for_store() {
        Some((set, home)) => set.store_pointer(r, p.addr, addr, src_owner, home),
        None => r.write(p.addr, &addr.to_le_bytes()),
    })
}

/// Whether values of type `t` are one number (or a complex pair of at most 8-byte parts)
/// that `encode_scalar` converts.
pub(crate) fn is_scalar(t: &TypeInfo) -> bool {
    match t.repr {
        Repr::Int(_) | Repr::Enum { .. } | Repr::Float(_) | Repr::LongDouble => true,
        // A complex of 16-byte parts is 32 bytes: written by `write_wide_complex`.
        Repr::Complex(n) => n <= 8,
        _ => false,
    }
}

/// Writes `items` as an array of scalars of type `e` (`esize` bytes each) at `p`: each item
/// converted as [`value_to_c`] converts it, into one buffer written at once (nothing is
/// written if an item does not convert).
fn write_scalars(p: &Place<'_>, e: &TypeInfo, esize: usize, items: &[Value]) -> Result<()> {
    let total = items
        .len()
        .checked_mul(esize)
        .ok_or_else(|| Error::Overflow(format!("{} items of '{}'", items.len(), e.name).into()))?;
    let mut buf = Vec::new();
    buf.try_reserve_exact(total).map_err(|_| {
        Error::Memory(format!("out of memory converting {} items", items.len()).into())
    })?;
    crate::data::numbers::encode_values(items, e, esize, &mut buf, &encode_scalar)?;
    p.write_bytes(total, |r| r.write(p.addr, &buf))
}

/// Writes Rust numbers as an array of scalars of type `e`: their bytes where the types are
/// the same, else each converted as [`value_to_c`] converts it; into one buffer written at once
/// (nothing is written if an item does not convert).
fn write_numbers(p: &Place<'_>, e: &TypeInfo, esize: usize, n: &Numbers) -> Result<()> {
    let total = n
        .len()
        .checked_mul(esize)
        .ok_or_else(|| Error::Overflow(format!("{} items of '{}'", n.len(), e.name).into()))?;
    if let Some(bytes) = n.same_bytes(e) {
        return p.write_bytes(total, |r| r.write(p.addr, bytes));
    }
    let mut buf = Vec::new();
    buf.try_reserve_exact(total)
        .map_err(|_| Error::Memory(format!("out of memory converting {} items", n.len()).into()))?;
    n.encode(e, esize, &mut buf, &encode_scalar)?;
    p.write_bytes(total, |r| r.write(p.addr, &buf))
}

/// Writes bytes into a `char` array of at most `n_max` items (`info`), with a NUL after them
/// when there is room.
fn write_chars(p: &Place<'_>, info: &TypeInfo, n_max: usize, b: &[u8]) -> Result<()> {
    if b.len() > n_max {
        return Err(Error::Index(
            format!(
                "initializer bytes is too long for '{}' (got {} characters)",
                info.name,
                b.len()
            )
            .into(),
        ));
    }
    let with_nul = b.len() < n_max;
    p.write_bytes(b.len() + usize::from(with_nul), |r| {
        r.write(p.addr, b)?;
        if with_nul {
            r.write(p.item_addr(b.len(), 1)?, &[0])?;
        }
        Ok(())
    })
}

fn write_array(p: &Place<'_>, elem: TypeRef, len: Option<usize>, v: &Value) -> Result<()> {
    let info = p.info();
    let e = elem.get(&p.uni.inner);
    let esize = e.size().ok_or_else(|| crate::types::unknown_size(e))?;
    let n_max = len.unwrap_or(usize::MAX);
    match v {
        Value::Void => Ok(()),
        Value::List(items) => {
            if items.len() > n_max {
                return Err(Error::Index(
                    format!(
                        "too many initializers for '{}' (got {})",
                        info.name,
                        items.len()
                    )
                    .into(),
                ));
            }
            if is_scalar(e) {
                return write_scalars(p, e, esize, items);
            }
            for (i, item) in items.iter().enumerate() {
                value_to_c(&p.at(elem, p.item_addr(i, esize)?, None), item)?;
            }
            Ok(())
        }
        Value::Numbers(n) => {
            if n.len() > n_max {
                return Err(Error::Index(
                    format!(
                        "too many initializers for '{}' (got {})",
                        info.name,
                        n.len()
                    )
                    .into(),
                ));
            }
            if is_scalar(e) {
                return write_numbers(p, e, esize, n);
            }
            write_array(p, elem, len, &Value::List(n.to_values()))
        }
        // A Rust string is UTF-8 bytes: a `char` array takes them (cffi wants bytes).
        Value::Text(t) if is_char_like(e) => write_chars(p, info, n_max, t.as_bytes()),
        Value::Bytes(b) if is_char_like(e) => write_chars(p, info, n_max, b),
        Value::Bytes(b) if matches!(&e.repr, Repr::Int(k) if k.role == IntRole::Bool) => {
            if b.iter().any(|x| *x > 1) {
                return Err(Error::Value(
                    "an array of _Bool can only contain \\x00 or \\x01".into(),
                ));
            }
            write_array(
                p,
                elem,
                len,
                &Value::List(b.iter().map(|x| Value::Int(i128::from(*x))).collect()),
            )
        }
        Value::Text(s) if matches!(&e.repr, Repr::Int(k) if k.role == IntRole::Wide) => {
            let units: Vec<u32> = if esize == 2 {
                s.encode_utf16().map(u32::from).collect()
            } else {
                s.chars().map(|c| c as u32).collect()
            };
            if units.len() > n_max {
                return Err(Error::Index(
                    format!(
                        "initializer string is too long for '{}' (got {} characters)",
                        info.name,
                        units.len()
                    )
                    .into(),
                ));
            }
            let with_nul = units.len() < n_max;
            p.write_bytes(
                (units.len() + usize::from(with_nul)).saturating_mul(esize),
                |r| {
                    for (i, u) in units.iter().enumerate() {
                        r.write(p.item_addr(i, esize)?, &u.to_le_bytes()[..esize])?;
                    }
                    if with_nul {
                        r.fill(p.item_addr(units.len(), esize)?, esize, 0)?;
                    }
                    Ok(())
                },
            )
        }
        Value::CData(c) if matches!(c.info().repr, Repr::Array { .. }) => {
            let src = c.info();
            let same = src.same_type(info)
                || (matches!(&src.repr, Repr::Array { elem: se, .. }
                        if se.get(&c.uni().inner).same_type(e))
                    && c.count() == len);
            if !same {
                return Err(Error::Type(
                    format!(
                        "initializer for ctype '{}' must be a list or tuple, not {}",
                        info.name,
                        c.what()
                    )
                    .into(),
                ));
            }
            let n = c.byte_size()?;
            copy_between(p, c, n)
        }
        other => {
            let wanted = if is_char_like(e) {
                "a bytes or list or tuple"
            } else if matches!(&e.repr, Repr::Int(k) if k.role == IntRole::Wide) {
                "a unicode or list or tuple"
            } else {
                "a list or tuple"
            };
            Err(Error::Type(
                format!(
                    "initializer for ctype '{}' must be {wanted}, not {}",
                    info.name,
                    other.describe()
                )
                .into(),
            ))
        }
    }
}

/// Copies `n` bytes from cdata `src`'s memory to place `p`, with the keep-alive entries of any
/// pointers in them.
fn copy_between(p: &Place<'_>, src: &CData, n: usize) -> Result<()> {
    c_to_c(
        p.owner,
        p.addr,
        &|| format!("cdata '{}'", p.info().name),
        src.owner(),
        src.addr(),
        &|| src.what(),
        n,
    )
}

/// Copies `n` bytes from `src` (in `from`'s memory) to `dst` (in `to`'s memory), overlapping or
/// not, both bounds-checked; pointers into owned memory among them keep that memory alive in
/// the copy as they did in the source.
pub(super) fn c_to_c(
    to: OwnerRef<'_>,
    dst: usize,
    to_what: &dyn Fn() -> String,
    from: OwnerRef<'_>,
    src: usize,
    from_what: &dyn Fn() -> String,
    n: usize,
) -> Result<()> {
    // rcffi's memory to rcffi's memory, from memory that never held a pointer to owned memory
    // (a struct of numbers): the copy alone, its regions in hand (through the general path's
    // closures, their captures were stored in parts and copied whole: a stall).
    if let (OwnerRef::Alloc(ta), OwnerRef::Alloc(fa)) = (to, from)
        && !fa.keep_set().is_used()
    {
        let (tr, fr) = (ta.region(), fa.region());
        return ta
            .keep_set()
            .write_bytes(&tr, dst, n, || crate::mem::copy(&tr, dst, &fr, src, n));
    }
    // What the copied pointers point into, found before the copy (the source's lock is not
    // held while the destination's is).
    let carried = match (to.keeping(), from.keeping()) {
        // (Memory that never held a pointer to owned memory carries none: no call.)
        (Some(_), Some((set, home))) if set.is_used() => {
            from.with_region(from_what, |r| Ok(set.pointers_in(r, src, n, home)))?
        }
        _ => Vec::new(),
    };
    to.with_region(to_what, |tr| {
        from.with_region(from_what, |fr| match to.keeping() {
            Some((set, _)) => set.write_bytes(tr, dst, n, || crate::mem::copy(tr, dst, fr, src, n)),
            None => crate::mem::copy(tr, dst, fr, src, n),
        })
    })?;
    if !carried.is_empty()
        && let Some((set, _)) = to.keeping_for_store()
    {
        for (_, value, owner) in carried {
            set.adopt(value, owner.as_ref());
        }
    }
    Ok(())
}

/// `memmove` between two cdata: `n` bytes from `src_addr` (in `src`'s memory) to `dst_addr`
/// (in `dst`'s memory).
pub(super) fn copy_memory(
    dst: &CData,
    dst_addr: usize,
    src: &CData,
    src_addr: usize,
    n: usize,
) -> Result<()> {
    c_to_c(
        dst.owner(),
        dst_addr,
        &|| dst.what(),
        src.owner(),
        src_addr,
        &|| src.what(),
        n,
    )
}

fn write_record(p: &Place<'_>, v: &Value) -> Result<()> {
    let info = p.info();
    let Repr::Record { body, .. } = &info.repr else {
        unreachable!()
    };
    let Some(body) = body else {
        return Err(crate::types::unknown_size(info));
    };
    match v {
        Value::Void => Ok(()),
        Value::List(items) => {
            // cffi's rule: a list fills the members in order, skipping a union's members after
            // its first — whose fields, when it is an anonymous struct, are all filled
            // (`union { struct { int a, b; }; int c; }` takes `[a, b]`).
            let fields = || body.fields.iter().filter(|f| !f.skip_in_list);
            let max = fields().count();
            if items.len() > max {
                return Err(Error::Value(format!(
                    "too many initializers for '{}' (got {})",
                    info.name,
                    items.len()
                ).into()));
            }
            for (f, item) in fields().zip(items) {
                write_field(p, f, item)?;
            }
            Ok(())
        }
        Value::Numbers(n) => write_record(p, &Value::List(n.to_values())),
        Value::Map(items) => {
            for (name, item) in items {
                let f = body.field(name).ok_or_else(|| {
                    Error::Key(format!("'{name}': ctype '{}' has no such field", info.name).into())
                })?;
                write_field(p, f, item)?;
            }
            Ok(())
        }
        Value::CData(c) if c.info().same_type(info) && !c.info().is_pointer() => copy_record(p, c),
        Value::CData(c) if !c.uni().same(p.uni) && c.info().name == info.name => {
            Err(another_ffis(c))
        }
        other => Err(Error::Type(format!(
            "initializer for ctype '{}' must be a list or tuple or dict or struct-cdata, not {}",
            info.name,
            other.describe()
        ).into())),
    }
}

/// Why a struct or union cdata of another `ffi` object, of a type of the same name, is not
/// the one wanted: cffi's wording ("must be ... struct-cdata, not cdata 'T'") named the type
/// it asked for.
#[cold]
pub(crate) fn another_ffis(c: &CData) -> Error {
    Error::Type(
        format!(
            "{} belongs to another ffi object, whose types are never this one's (cast its \
             address to this object's pointer type to use it here)",
            c.what()
        )
        .into(),
    )
}

/// Copies the struct or union `src` (of the type at `p`, complete) to `p`, as C's assignment
/// does: its bytes, and what the pointers among them keep alive.
pub(crate) fn copy_record(p: &Place<'_>, src: &CData) -> Result<()> {
    let n = p.size()?;
    copy_between(p, src, n)
}

/// Writes one member of the record at `p`.
pub(super) fn write_field(p: &Place<'_>, f: &FieldRt, v: &Value) -> Result<()> {
    match f.bit_width {
        Some(w) => crate::data::bitfield::write(p, f, w, v),
        None => {
            let len = flexible_len(p, f);
            value_to_c(&p.at(f.ty, p.item_addr(f.offset(), 1)?, len), v)
        }
    }
}

/// Reads the pointer at `p` (of a pointer type). A pointer into the memory it is read from,
/// or into memory that memory keeps alive, is a view of that memory, with its bounds and life;
/// any other pointer is foreign (`mem::keep`).
/// (A `Value` made where it is returned: a cdata returned, then wrapped, was copied whole right
/// after its parts were written, which waits on them.)
pub(super) fn read_pointer(p: &Place<'_>) -> Result<Value> {
    let (addr, owner) = p.region(|r| match p.owner.keeping() {
        Some((set, home)) => set.load_pointer(r, p.addr, home),
        None => Ok((r.load_le(p.addr, 8)? as usize, Owner::Foreign)),
    })?;
    Ok(Value::CData(CData::pointer(p.uni, p.ty, addr, owner)))
}

/// Reads one member of the record at `p`.
pub(super) fn read_field(p: &Place<'_>, f: &FieldRt) -> Result<Value> {
    match f.bit_width {
        Some(w) => crate::data::bitfield::read(p, f, w),
        None => {
            let len = flexible_len(p, f);
            c_to_value(&p.at(f.ty, p.item_addr(f.offset(), 1)?, len))
        }
    }
}

/// The item count of a flexible array member: what the memory after it holds (the
/// allocation of a variable-size struct, or a vouched range), or `None` if unknown.
fn flexible_len(p: &Place<'_>, f: &FieldRt) -> Option<usize> {
    let t = f.ty.get(&p.uni.inner);
    let Repr::Array { elem, len: None } = &t.repr else {
        return None;
    };
    let esize = elem.get(&p.uni.inner).size()?.max(1);
    let start = crate::base::addr::plus(p.addr, f.offset())?;
    let end = match p.owner {
        OwnerRef::Alloc(a) => a.addr() + a.size(),
        OwnerRef::Foreign => return Some(0),
        other => other
            .with_region(&String::new, |r| Ok(r.base() + r.len()))
            .ok()?,
    };
    Some(end.saturating_sub(start) / esize)
}

impl CData {
    /// The origin of this cdata, for reprs. (Inlined: the cdata is set where it is built,
    /// not moved through a call.)
    #[inline(always)]
    pub(crate) fn with_origin(mut self, o: Origin) -> CData {
        self.set_origin(o);
        self
    }

    /// A value C passed or returned by value and rcffi copied as a struct (`Conv::Struct`),
    /// as the caller sees it: a struct or union is this private copy, a `long double
    /// _Complex` its `[re, im]` value.
    /// (Inlined: moved through a call, the new cdata's words are loaded wider than they were
    /// just stored, which stalls.)
    #[inline]
    pub(crate) fn into_by_value(self) -> Result<Value> {
        if matches!(self.info().repr, Repr::Record { .. }) {
            Ok(Value::CData(self))
        } else {
            self.to_value()
        }
    }
}

//! `ffi.string` and `ffi.unpack`: C strings and runs of items out of C memory, bounded by the
//! memory the cdata may use.

use crate::data::Value;
use crate::data::convert::{self, Place};
use crate::data::{Bytes, CData};
use crate::error::{Error, Result};
use crate::types::TypeRef;
use crate::types::{IntRole, Repr, TypeInfo};

/// How the items of a string are read.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Unit {
    /// One-byte characters (`char`, `signed char`, `unsigned char`, `int8_t`, `uint8_t`).
    Byte,
    /// UTF-16 code units (`char16_t`).
    Utf16,
    /// Code points (`wchar_t`, `char32_t`).
    Utf32,
}

fn unit_of(t: &TypeInfo) -> Option<Unit> {
    match &t.repr {
        Repr::Int(k) if k.bytes == 1 && k.role != IntRole::Bool => Some(Unit::Byte),
        Repr::Int(k) if k.role == IntRole::Wide && k.bytes == 2 => Some(Unit::Utf16),
        Repr::Int(k) if k.role == IntRole::Wide && k.bytes == 4 => Some(Unit::Utf32),
        _ => None,
    }
}

impl Unit {
    fn size(self) -> usize {
        match self {
            Unit::Byte => 1,
            Unit::Utf16 => 2,
            Unit::Utf32 => 4,
        }
    }

    /// The value of `bytes` read as items of this unit. In line for bytes, which become the
    /// value as they are: passed to a function, the `Vec` went through memory, and its 16-byte
    /// reload there waited on the 8-byte stores that had just written it.
    #[inline(always)]
    fn decode(self, bytes: Bytes) -> Value {
        match self {
            Unit::Byte => Value::Bytes(bytes),
            wide => wide.decode_wide(bytes),
        }
    }

    /// [`Unit::decode`] of wide characters: text.
    #[inline(never)]
    fn decode_wide(self, bytes: Bytes) -> Value {
        match self {
            Unit::Byte => Value::Bytes(bytes),
            // Text sized for one UTF-8 byte a character (most text: one allocation).
            Unit::Utf16 => {
                let units = bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_ne_bytes([c[0], c[1]]));
                let mut text = String::with_capacity(bytes.len() / 2);
                text.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{fffd}')));
                Value::Text(text)
            }
            Unit::Utf32 => {
                let mut text = String::with_capacity(bytes.len() / 4);
                text.extend(bytes.chunks_exact(4).map(|c| {
                    char::from_u32(u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                        .unwrap_or('\u{fffd}')
                }));
                Value::Text(text)
            }
        }
    }
}

/// The item type and (for arrays) item count of a pointer or array, refusing NULL.
pub(crate) fn items_of(cdata: &CData, func: &str) -> Result<(TypeRef, Option<usize>)> {
    let info = cdata.info();
    let (elem, len) = match &info.repr {
        Repr::Array { elem, len } => (*elem, len.or(cdata.count())),
        Repr::Pointer { .. } => {
            let t = cdata.uni().pointee(info).ok_or_else(|| {
                Error::Type(format!("expected a pointer or array, got '{}'", info.name).into())
            })?;
            (t, None)
        }
        _ => {
            return Err(if func == "string" {
                unexpected(cdata)
            } else {
                Error::Type(format!("expected a pointer or array, got '{}'", info.name).into())
            });
        }
    };
    if cdata.addr() == 0 {
        return Err(Error::NullPointer(
            format!("cannot use {func}() on {cdata:?}").into(),
        ));
    }
    Ok((elem, len))
}

fn unexpected(cdata: &CData) -> Error {
    Error::Type(
        format!(
            "string(): unexpected cdata '{}' argument",
            cdata.type_name()
        )
        .into(),
    )
}

/// The work of [`Ffi::string`](crate::Ffi::string).
pub(crate) fn string(cdata: &CData, maxlen: Option<usize>) -> Result<Value> {
    // A cdata's types are its own ffi object's, whichever ffi object is asked.
    let ffi = cdata.ffi();
    let info = cdata.info();
    match &info.repr {
        Repr::Int(k) if k.role == IntRole::Char => Ok(Value::Bytes([cdata.bytes()[0]].into())),
        Repr::Int(k) if k.role == IntRole::Wide => cdata.to_value(),
        Repr::Enum { items, .. } => {
            let v = cdata.to_int()?;
            Ok(Value::Text(match items.iter().find(|(_, x)| *x == v) {
                Some((name, _)) => name.to_string(),
                None => v.to_string(),
            }))
        }
        Repr::Pointer { .. } | Repr::Array { .. } => {
            let (elem, len) = items_of(cdata, "string")?;
            let unit = unit_of(elem.get(&ffi.inner)).ok_or_else(|| unexpected(cdata))?;
            let max = match (len, maxlen) {
                (Some(n), Some(m)) => n.min(m),
                (Some(n), None) => n,
                (None, Some(m)) => m,
                (None, None) => usize::MAX,
            };
            let us = unit.size();
            let bytes = cdata.owner().with_region(&|| cdata.what(), |r| {
                r.read_c_string(cdata.addr(), max.saturating_mul(us), us)
            })?;
            Ok(unit.decode(Bytes::from_small(bytes)))
        }
        _ => Err(unexpected(cdata)),
    }
}

/// The work of [`Ffi::unpack`](crate::Ffi::unpack).
pub(crate) fn unpack(cdata: &CData, length: usize) -> Result<Value> {
    // A cdata's types are its own ffi object's, whichever ffi object is asked.
    let ffi = cdata.ffi();
    let (elem, len) = items_of(cdata, "unpack")?;
    let e = elem.get(&ffi.inner);
    let Some(esize) = e.size().filter(|_| !matches!(e.repr, Repr::Void)) else {
        return Err(Error::Value(
            format!("'{}' points to items of unknown size", cdata.type_name()).into(),
        ));
    };
    if let Some(n) = len
        && length > n
    {
        return Err(Error::Index(
            format!(
                "unpack() of {length} items from {}, which has {n}",
                cdata.what()
            )
            .into(),
        ));
    }
    if esize == 0 && len.is_none() && length > 1 {
        // Nothing bounds a count of items that take no memory but the array they are in.
        return Err(Error::Value(format!(
            "unpack() of {length} items of size 0 through {}: only arrays know how many there are",
            cdata.what()
        ).into()));
    }
    let nbytes = length.checked_mul(esize).ok_or_else(|| {
        Error::Overflow(format!("unpack() of {length} items is too large").into())
    })?;
    // All the items must lie in the memory the cdata may use, before any is read or made
    // (items that are views, structs and arrays, read nothing themselves).
    cdata
        .owner()
        .with_region(&|| cdata.what(), |r| r.check(cdata.addr(), nbytes))?;
    // `char` items unpack to bytes and wide characters to text; `signed char` and `unsigned
    // char` are numbers here, as in cffi (`string` reads them as bytes).
    let text = match &e.repr {
        Repr::Int(k) if k.bytes == 1 => k.role == IntRole::Char,
        _ => true,
    };
    if let Some(unit) = unit_of(e).filter(|_| text) {
        // Up to 16 bytes read into the `Bytes` they become, in place (no allocation); more
        // into a vector of their length, not zeroed first.
        let bytes = cdata.owner().with_region(&|| cdata.what(), |r| {
            if nbytes <= crate::mem::SMALL_BYTES {
                let mut b = Bytes::zeroed(nbytes);
                r.read(cdata.addr(), &mut b).map(|()| b)
            } else {
                r.bytes_at(cdata.addr(), nbytes).map(Bytes::from)
            }
        })?;
        return Ok(unit.decode(bytes));
    }
    let mut items = Vec::new();
    items
        .try_reserve_exact(length)
        .map_err(|_| Error::Memory(format!("out of memory unpacking {length} items").into()))?;
    let decoded = match e.repr {
        Repr::Int(_) | Repr::Enum { .. } => true,
        Repr::Float(n) | Repr::Complex(n) => n <= 8,
        _ => false,
    };
    if decoded {
        // Numbers that `c_to_value` decodes (not those it keeps as cdata, like `long double`):
        // all the bytes in one read, then each item decoded as it decodes them.
        let bytes = cdata
            .owner()
            .with_region(&|| cdata.what(), |r| r.bytes_at(cdata.addr(), nbytes))?;
        crate::data::scalar::decode_scalars(e, &bytes, &mut items)?;
        return Ok(Value::List(items));
    }
    for i in 0..length {
        let addr = crate::base::addr::plus(cdata.addr(), i * esize)
            .ok_or_else(|| crate::base::addr::overflow(&cdata.what(), i))?;
        items.push(convert::c_to_value(&Place {
            uni: ffi,
            ty: elem,
            addr,
            owner: cdata.owner(),
            len: None,
        })?);
    }
    Ok(Value::List(items))
}

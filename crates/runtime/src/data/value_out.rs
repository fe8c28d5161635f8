//! Rust values out of a [`Value`]: `TryFrom<Value>` for floats, `bool`, strings and bytes
//! (also from `char` arrays and enum cdata), maps (also from struct cdata), lists and cdata.
//! (Integers convert in `value`, beside their `From` impls.)

use crate::data::value::not_cdata;
use crate::data::{Bytes, CData, Value};
use crate::error::{Error, Result};
use crate::types::Repr;

/// A map, or the members of a struct or union cdata (or of what a pointer cdata points to),
/// each read as `field` reads it.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use std::collections::BTreeMap;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("struct pt { int x, y; };")?;
/// let p = ffi.new("struct pt *", rcffi::list![1, 2])?;
/// let m = BTreeMap::try_from(rcffi::Value::CData(p))?;
/// assert_eq!(m["y"], 2.into());
/// # Ok::<(), rcffi::Error>(())
/// ```
impl TryFrom<Value> for std::collections::BTreeMap<String, Value> {
    type Error = Error;
    fn try_from(v: Value) -> Result<Self> {
        match v {
            Value::Map(items) => Ok(items.into_iter().collect()),
            Value::CData(c) if !c.dir().is_empty() => c
                .dir()
                .into_iter()
                .map(|name| {
                    let v = c.field(&name)?;
                    Ok((name, v))
                })
                .collect(),
            other => Err(Error::Type(
                format!("a map is required, not {}", other.describe()).into(),
            )),
        }
    }
}

impl TryFrom<Value> for f64 {
    type Error = Error;
    #[inline]
    fn try_from(v: Value) -> Result<f64> {
        v.to_f64()
    }
}

impl TryFrom<Value> for f32 {
    type Error = Error;
    fn try_from(v: Value) -> Result<f32> {
        Ok(v.to_f64()? as f32)
    }
}

impl TryFrom<Value> for bool {
    type Error = Error;
    fn try_from(v: Value) -> Result<bool> {
        match v {
            Value::Bool(b) => Ok(b),
            Value::Int(i) => Ok(i != 0),
            other => Err(Error::Type(
                format!("a bool is required, not {}", other.describe()).into(),
            )),
        }
    }
}

/// The name of an enum cdata's value.
fn enumerator_name(c: &CData) -> Result<String> {
    let crate::types::Repr::Enum { items, .. } = &c.info().repr else {
        return Err(Error::Type(
            format!("an enum is required, not {c:?}").into(),
        ));
    };
    let v = c.to_int()?;
    items
        .iter()
        .find(|(_, x)| *x == v)
        .map(|(n, _)| n.to_string())
        .ok_or_else(|| Error::Value(format!("{v} is no enumerator's value in {c:?}").into()))
}

/// Whether a cdata is an array or a pointer (whose items `ffi.string` may read as text).
fn holds_items(c: &CData) -> bool {
    matches!(
        c.info().repr,
        crate::types::Repr::Pointer { .. } | crate::types::Repr::Array { .. }
    )
}

/// Bytes, or the C string a `char` array or bounded `char *` cdata holds (up to its first NUL,
/// as `ffi.string` reads it): the `Bytes` a value holds, taken without a copy.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Bytes, Value};
/// let ffi = rcffi::Ffi::default();
/// let name = ffi.new("char[8]", "ada")?;
/// assert_eq!(Bytes::try_from(Value::CData(name))?, b"ada");
/// assert_eq!(Bytes::try_from(Value::Bytes(b"x\0y".into()))?, b"x\0y");
/// assert!(Bytes::try_from(Value::Int(1)).is_err());
/// # Ok::<(), rcffi::Error>(())
/// ```
impl TryFrom<Value> for Bytes {
    type Error = Error;
    fn try_from(v: Value) -> Result<Bytes> {
        match v {
            Value::Bytes(b) => Ok(b),
            Value::CData(c) if holds_items(&c) => match crate::data::text::string(&c, None)? {
                Value::Bytes(b) => Ok(b),
                _ => Err(Error::Type(format!("bytes are required, not {c:?}").into())),
            },
            other => Err(Error::Type(
                format!("bytes are required, not {}", other.describe()).into(),
            )),
        }
    }
}

/// As [`Bytes`]' conversion, into a vector.
impl TryFrom<Value> for Vec<u8> {
    type Error = Error;
    fn try_from(v: Value) -> Result<Vec<u8>> {
        Bytes::try_from(v).map(Bytes::into_vec)
    }
}

/// Text; bytes that are UTF-8; the string a `char` (or wide character) array or bounded
/// pointer cdata holds, up to its first NUL; or the name of an enum cdata's value.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("struct person { char name[12]; };")?;
/// let p = ffi.new("struct person *", rcffi::list![b"Ada"])?;
/// assert_eq!(String::try_from(p.field("name")?)?, "Ada");
/// assert_eq!(String::try_from(rcffi::Value::Bytes(b"hi".into()))?, "hi");
/// assert!(String::try_from(rcffi::Value::Bytes(vec![0xff].into())).is_err());
/// ffi.cdef("enum color { RED, GREEN };")?;
/// let green = ffi.cast("enum color", 1)?;
/// assert_eq!(String::try_from(rcffi::Value::CData(green))?, "GREEN");
/// # Ok::<(), rcffi::Error>(())
/// ```
impl TryFrom<Value> for String {
    type Error = Error;
    fn try_from(v: Value) -> Result<String> {
        match v {
            Value::Text(s) => Ok(s),
            Value::Bytes(b) => {
                String::from_utf8(b.into_vec()).map_err(|e| {
                    Error::Value(format!(
                    "the bytes are not UTF-8 ({e}); Value::to_string_lossy replaces what is not"
                ).into())
                })
            }
            Value::CData(c) if matches!(c.info().repr, crate::types::Repr::Enum { .. }) => {
                enumerator_name(&c)
            }
            Value::CData(c) if holds_items(&c) => match crate::data::text::string(&c, None)? {
                v @ (Value::Text(_) | Value::Bytes(_)) => v.try_into(),
                _ => Err(Error::Type(format!("text is required, not {c:?}").into())),
            },
            other => Err(Error::Type(
                format!("text is required, not {}", other.describe()).into(),
            )),
        }
    }
}

/// A C string: bytes up to their first NUL (a `Bytes` value with none inside), or what a
/// `char` array or bounded `char` pointer holds up to its NUL (as `ffi.string` reads it).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use std::ffi::CString;
/// let ffi = rcffi::Ffi::default();
/// let name = ffi.new("char[8]", "ada")?;
/// assert_eq!(CString::try_from(rcffi::Value::CData(name))?, c"ada".to_owned());
/// assert!(CString::try_from(rcffi::Value::Bytes(b"a\0b".into())).is_err());
/// # Ok::<(), rcffi::Error>(())
/// ```
impl TryFrom<Value> for std::ffi::CString {
    type Error = Error;
    fn try_from(v: Value) -> Result<std::ffi::CString> {
        let bytes = match v {
            Value::Text(s) => s.into_bytes(),
            other => Vec::<u8>::try_from(other)?,
        };
        std::ffi::CString::new(bytes).map_err(|e| {
            Error::Value(
                format!(
                    "a C string cannot hold a NUL byte (at {})",
                    e.nul_position()
                )
                .into(),
            )
        })
    }
}

impl CData {
    /// This cdata as a Rust value of type `T`, through [`Value`]'s conversions: numbers
    /// (range-checked), `String`, `Vec<u8>` and `CString` of `char` arrays and pointers (up to
    /// the NUL), an enum's enumerator name as `String`, a struct as a `BTreeMap` of members.
    /// For arrays of numbers, [`CData::to_vec_as`] and [`CData::to_array`].
    ///
    /// # Errors
    ///
    /// The conversion's error: [`Error::Overflow`] for a number that does
    /// not fit, [`Error::Type`] for a cdata `T` cannot be made from,
    /// [`Error::Value`] for bytes that are not UTF-8 (`String`) or hold a NUL
    /// (`CString`).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use std::collections::BTreeMap;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct user { char name[12]; int age; };")?;
    /// let u = ffi.new("struct user *", rcffi::list!["Ada", 36])?;
    /// let name: String = u.field("name")?.cdata()?.value_as()?;
    /// let whole: BTreeMap<String, rcffi::Value> = u.get(0)?.cdata()?.value_as()?;
    /// assert_eq!((name.as_str(), whole["age"].clone()), ("Ada", 36.into()));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn value_as<T: TryFrom<Value, Error = Error>>(&self) -> Result<T> {
        match &self.info().repr {
            // Scalars read their value; the rest converts as the cdata itself.
            Repr::Array { .. } | Repr::Record { .. } | Repr::Pointer { .. } | Repr::Enum { .. } => {
                T::try_from(Value::CData(self.clone()))
            }
            _ => T::try_from(self.to_value()?),
        }
    }
}

impl TryFrom<Value> for CData {
    type Error = Error;
    fn try_from(v: Value) -> Result<CData> {
        v.cdata()
    }
}

impl TryFrom<Value> for Vec<Value> {
    type Error = Error;
    fn try_from(v: Value) -> Result<Vec<Value>> {
        match v {
            Value::List(l) => Ok(l),
            Value::Numbers(n) => Ok(n.to_values()),
            other => Err(Error::Type(
                format!("a list is required, not {}", other.describe()).into(),
            )),
        }
    }
}

/// What the `ffi` functions that read a cdata take: a [`CData`], or a [`Value`] holding one —
/// a call's result, an item or member read — so `ffi.string(&result, None)` needs no
/// `.cdata()?` first. Another value is an [`Error::Type`] naming it.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let names = ffi.new("char *[]", [ffi.new("char[]", "argv0")?, ffi.null()])?;
/// let first = names.get(0)?; // a Value
/// assert_eq!(ffi.string(&first, None)?, b"argv0".into());
/// assert!(ffi.string(&rcffi::Value::Int(3), None).is_err());
/// # Ok::<(), rcffi::Error>(())
/// ```
pub trait AsCData {
    /// The cdata, or the error naming what this is instead.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a value that holds no cdata.
    fn try_as_cdata(&self) -> Result<&CData>;
}

impl AsCData for CData {
    #[inline(always)]
    fn try_as_cdata(&self) -> Result<&CData> {
        Ok(self)
    }
}

impl AsCData for Value {
    #[inline]
    fn try_as_cdata(&self) -> Result<&CData> {
        self.as_cdata().ok_or_else(|| not_cdata(self))
    }
}

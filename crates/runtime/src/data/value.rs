//! [`Value`]: the dynamic values that initializers, arguments and results are made of — the
//! part Python objects play for cffi.

use std::fmt;

use crate::data::{Bytes, CData, Numbers};
use crate::error::{Error, Result};
use crate::mem::{Fast, Number};

/// A dynamic value: what is written into C memory (`new`, field and item writes, arguments) and
/// what is read out of it.
///
/// Rust scalars, strings, byte strings, arrays, vectors and tuples convert with `From`/`Into`;
/// [`list!`](crate::list) and [`map!`](crate::map) build list and map initializers, as Python's
/// `[1, 2]` and `{'x': 1}` do for cffi. Reading gives integers, floats, bools, one-byte `Bytes`
/// for `char`, one-character `Text` for `wchar_t`, and `CData` for pointers, arrays and structs.
///
/// Depth: rcffi reads a nested list or map only as deep as the C type it is written into (a
/// type is at most 256 levels deep), so a deeper one is an error at the level where the type
/// ends, and rcffi makes none deeper than its types. Dropping, cloning, comparing or printing
/// a `Value` is recursive, as for any nested Rust value (`Vec<Vec<..>>`, `serde_json::Value`):
/// one built hundreds of thousands of levels deep overflows the stack when it is dropped —
/// also when rcffi, given it by value, drops it.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Value, map};
/// let v: Value = map! { "x" => 1, "y" => 2.5 };
/// assert_eq!(v, Value::Map(vec![("x".into(), Value::Int(1)), ("y".into(), Value::Float(2.5))]));
/// let n: i32 = Value::Int(7).try_into()?;
/// assert_eq!(n, 7);
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
// No `repr(u8)`: with an explicit tag byte, a `Result<Value>` taken apart by the caller is
// copied from offset 1 and stalls on store forwarding (a field read went from 11 to 15 ns).
pub enum Value {
    /// No value: cffi's `None` as an initializer (nothing is written), `void` as a result.
    #[default]
    Void,
    /// A boolean (`_Bool`).
    Bool(bool),
    /// An integer of any C integer type (and enums).
    Int(i128),
    /// An integer above `i128::MAX`, which only `unsigned __int128` holds: reading one gives
    /// `UInt`, every smaller value `Int` (and `Value::from(u128)` picks the same way), so an
    /// integer has one form. Writes it into `unsigned __int128`; any other type is too small.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::Value;
    /// assert_eq!(Value::from(u128::MAX), Value::UInt(u128::MAX));
    /// assert_eq!(Value::from(5u128), Value::Int(5));
    /// assert_eq!(u128::try_from(Value::UInt(u128::MAX))?, u128::MAX);
    /// assert!(i64::try_from(Value::UInt(u128::MAX)).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    UInt(u128),
    /// A floating point number.
    Float(f64),
    /// Bytes: one `char`, or the contents of a `char` array (cffi's `bytes`).
    Bytes(Bytes),
    /// Text: one `wchar_t`/`char16_t`/`char32_t`, the contents of a wide-character array, or an
    /// enumerator name (cffi's `str`).
    Text(String),
    /// A list: initializer of an array, or of a struct's members in order.
    List(Vec<Value>),
    /// A list of Rust numbers of one type, as the `Vec` it came from (`Value::from(Vec<i32>)`):
    /// a list wherever a list is taken, and equal to the `List` of the same numbers; an array
    /// of the same C type is written from it as bytes. See [`Numbers`].
    Numbers(Numbers),
    /// Members by name: initializer of a struct or union.
    Map(Vec<(String, Value)>),
    /// C data: a pointer, an array, a struct, or a primitive kept as cdata.
    CData(CData),
}

impl Value {
    /// cffi's name of the value's Python type, for error messages (`int`, `float`, `bytes`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Void => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) | Value::UInt(_) => "int",
            Value::Float(_) => "float",
            Value::Bytes(_) => "bytes",
            Value::Text(_) => "str",
            Value::List(_) | Value::Numbers(_) => "list",
            Value::Map(_) => "dict",
            Value::CData(_) => "cdata",
        }
    }

    /// A short description for messages: the type name, or the cdata's repr.
    pub(crate) fn describe(&self) -> String {
        match self {
            Value::CData(c) => format!("cdata '{}'", c.type_name()),
            other => other.type_name().to_string(),
        }
    }

    /// The cdata inside, or an error naming what this is instead (for chains like
    /// `p.get(2)?.cdata()?.field("x")?`).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a value that holds no cdata, naming what it holds.
    pub fn cdata(self) -> Result<CData> {
        match self {
            Value::CData(c) => Ok(c),
            other => Err(not_cdata(&other)),
        }
    }

    /// The cdata inside, if this is one.
    pub fn as_cdata(&self) -> Option<&CData> {
        match self {
            Value::CData(c) => Some(c),
            _ => None,
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Void, Value::Void) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::UInt(a), Value::UInt(b)) => a == b,
            (Value::Int(a), Value::UInt(b)) | (Value::UInt(b), Value::Int(a)) => {
                u128::try_from(*a) == Ok(*b)
            }
            (Value::Float(a), Value::Float(b)) => a == b,
            // Exactly, as Python compares an int with a float (so `==` stays transitive).
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                crate::base::exact::cmp_int_float(*a, *b) == Some(std::cmp::Ordering::Equal)
            }
            (Value::UInt(a), Value::Float(b)) | (Value::Float(b), Value::UInt(a)) => {
                crate::base::exact::cmp_uint_float(*a, *b) == Some(std::cmp::Ordering::Equal)
            }
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Numbers(a), Value::Numbers(b)) => a == b || a.eq_values(&b.to_values()),
            (Value::Numbers(a), Value::List(b)) | (Value::List(b), Value::Numbers(a)) => {
                a.eq_values(b)
            }
            (Value::Map(a), Value::Map(b)) => a == b,
            (Value::CData(a), Value::CData(b)) => a == b,
            // A cdata compares with numbers and strings as in cffi (`cast("int", 5) == 5`).
            (Value::CData(c), other) | (other, Value::CData(c)) => *c == *other,
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Void => f.write_str("None"),
            Value::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::UInt(u) => write!(f, "{u}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bytes(b) => write!(f, "b'{}'", b.escape_ascii()),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Numbers(n) => write!(f, "{n}"),
            Value::Map(items) => {
                f.write_str("{")?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k:?}: {v}")?;
                }
                f.write_str("}")
            }
            Value::CData(c) => write!(f, "{c:?}"),
        }
    }
}

/// Builds a [`Value::List`]: `list![1, 2.5, "x"]` (cffi: `[1, 2.5, 'x']`).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Value, list};
/// assert_eq!(list![1, 2], Value::List(vec![Value::Int(1), Value::Int(2)]));
/// ```
#[macro_export]
macro_rules! list {
    ($($v:expr),* $(,)?) => {
        $crate::Value::List(vec![$($crate::Value::from($v)),*])
    };
}

/// Builds a [`Value::Map`]: `map!{"x" => 1, "y" => 2}` (cffi: `{'x': 1, 'y': 2}`).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Value, map};
/// let m = map! { "a" => 1 };
/// assert_eq!(m, Value::Map(vec![("a".to_string(), Value::Int(1))]));
/// ```
#[macro_export]
macro_rules! map {
    ($($k:expr => $v:expr),* $(,)?) => {
        $crate::Value::Map(vec![$((::std::string::String::from($k), $crate::Value::from($v))),*])
    };
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Int(v as i128)
            }
        }
        impl TryFrom<Value> for $t {
            type Error = Error;
            #[inline]
            fn try_from(v: Value) -> Result<$t> {
                let i = v.to_int()?;
                <$t>::try_from(i).map_err(|_| {
                    Error::Overflow(format!("integer {i} does not fit '{}'", stringify!($t)).into())
                })
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, i128, isize, u16, u32, u64, usize);

/// 128-bit integers are a list of `Int`/`UInt` values (vectors of the other numbers are
/// [`Numbers`]).
impl From<Vec<i128>> for Value {
    fn from(v: Vec<i128>) -> Value {
        Value::List(v.into_iter().map(Value::Int).collect())
    }
}

impl From<&[i128]> for Value {
    fn from(v: &[i128]) -> Value {
        Value::List(v.iter().map(|x| Value::Int(*x)).collect())
    }
}

/// `Int` where the value fits an `i128`, else `UInt`: one form per integer.
impl From<u128> for Value {
    fn from(v: u128) -> Value {
        i128::try_from(v).map_or(Value::UInt(v), Value::Int)
    }
}

impl From<Vec<u128>> for Value {
    fn from(v: Vec<u128>) -> Value {
        Value::List(v.into_iter().map(Value::from).collect())
    }
}

impl From<&[u128]> for Value {
    fn from(v: &[u128]) -> Value {
        Value::List(v.iter().map(|x| Value::from(*x)).collect())
    }
}

impl TryFrom<Value> for u128 {
    type Error = Error;
    fn try_from(v: Value) -> Result<u128> {
        v.to_u128()
    }
}

impl From<u8> for Value {
    fn from(v: u8) -> Value {
        Value::Int(i128::from(v))
    }
}

impl TryFrom<Value> for u8 {
    type Error = Error;
    fn try_from(v: Value) -> Result<u8> {
        let i = v.to_int()?;
        u8::try_from(i)
            .map_err(|_| Error::Overflow(format!("integer {i} does not fit 'u8'").into()))
    }
}

/// Byte strings are `char` data, as Python's `bytes` are for cffi.
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Bytes(v.into())
    }
}

impl<const N: usize> From<&[u8; N]> for Value {
    fn from(v: &[u8; N]) -> Value {
        Value::Bytes(v.into())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Bytes(v.into())
    }
}

impl From<Bytes> for Value {
    fn from(v: Bytes) -> Value {
        Value::Bytes(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Value {
        Value::Float(f64::from(v))
    }
}

/// Arrays are lists: `[1, 2, 3]`, `[[1, 2], [3, 4]]`, `[1.5, 2.5]`.
impl<T: Into<Value>, const N: usize> From<[T; N]> for Value {
    fn from(v: [T; N]) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<char> for Value {
    fn from(v: char) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<()> for Value {
    fn from(_: ()) -> Value {
        Value::Void
    }
}

impl From<CData> for Value {
    fn from(v: CData) -> Value {
        Value::CData(v)
    }
}

impl From<&CData> for Value {
    /// In line: the value is built where the caller keeps it (a copy of one just built waits
    /// on the stores that built it).
    #[inline]
    fn from(v: &CData) -> Value {
        Value::CData(v.clone())
    }
}

impl From<&Value> for Value {
    fn from(v: &Value) -> Value {
        v.clone()
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::List(v)
    }
}

/// A list of cdata: `new("char *[]", strings)` with the strings kept alive by the array.
impl From<Vec<CData>> for Value {
    fn from(v: Vec<CData>) -> Value {
        Value::List(v.into_iter().map(Value::CData).collect())
    }
}

/// A list of texts: the rows of a `char[N][M]` initializer, or a `wchar_t` array's items.
impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Value {
        Value::List(v.into_iter().map(Value::Text).collect())
    }
}

/// A list of texts, as for `Vec<String>`.
impl From<Vec<&str>> for Value {
    fn from(v: Vec<&str>) -> Value {
        Value::List(v.into_iter().map(Value::from).collect())
    }
}

/// Maps are member initializers by name (cffi's `{'x': 1}`), in the map's order.
impl<K: Into<String>, V: Into<Value>> From<std::collections::BTreeMap<K, V>> for Value {
    fn from(m: std::collections::BTreeMap<K, V>) -> Value {
        Value::Map(m.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// Maps are member initializers by name; a `HashMap`'s order is arbitrary, which matters only
/// for a union given several members.
impl<K: Into<String>, V: Into<Value>, S> From<std::collections::HashMap<K, V, S>> for Value {
    fn from(m: std::collections::HashMap<K, V, S>) -> Value {
        Value::Map(m.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// Members by name, in order.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Void, Into::into)
    }
}

macro_rules! from_tuple {
    ($($n:ident),+) => {
        impl<$($n: Into<Value>),+> From<($($n,)+)> for Value {
            #[allow(non_snake_case)]
            fn from(($($n,)+): ($($n,)+)) -> Value {
                Value::List(vec![$($n.into()),+])
            }
        }
    };
}
from_tuple!(A);
from_tuple!(A, B);
from_tuple!(A, B, C);
from_tuple!(A, B, C, D);
from_tuple!(A, B, C, D, E);
from_tuple!(A, B, C, D, E, F);
from_tuple!(A, B, C, D, E, F, G);
from_tuple!(A, B, C, D, E, F, G, H);

impl Value {
    /// The integer in an `Int`, `Bool`, or integer-like cdata.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a value that is no integer (a float, text, a list;
    /// a cdata converts as [`CData::to_int`]), [`Error::Overflow`] when it does
    /// not fit.
    #[inline]
    pub fn to_int(&self) -> Result<i128> {
        match self {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i128::from(*b)),
            Value::CData(c) => c.to_int(),
            Value::UInt(u) => Err(Error::Overflow(
                format!("integer {u} does not fit 'i128' (to_u128 reads it)").into(),
            )),
            other => Err(Error::Type(
                format!("an integer is required, not {}", other.describe()).into(),
            )),
        }
    }

    /// The integer in a `UInt`, a non-negative `Int`, a `Bool`, or an integer-like cdata, as
    /// a `u128` (every `unsigned __int128` value).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a value that is no integer (a float, text, a list;
    /// a cdata converts as [`CData::to_int`]), [`Error::Overflow`] when it does
    /// not fit.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::Value;
    /// assert_eq!(Value::Int(7).to_u128()?, 7);
    /// assert!(Value::Int(-1).to_u128().is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_u128(&self) -> Result<u128> {
        match self {
            Value::UInt(u) => Ok(*u),
            Value::CData(c) => c.to_u128(),
            other => {
                let i = other.to_int()?;
                u128::try_from(i).map_err(|_| {
                    Error::Overflow(format!("can't convert negative number {i} to 'u128'").into())
                })
            }
        }
    }

    /// The text of a string read from C (what `ffi.string` gives): `Bytes` decoded as UTF-8
    /// with invalid sequences replaced by U+FFFD, `Text` as it is.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a value that is neither text nor bytes.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::Value;
    /// assert_eq!(Value::Bytes(b"caf\xc3\xa9".into()).to_string_lossy()?, "café");
    /// assert_eq!(Value::Bytes(vec![b'a', 0xff].into()).to_string_lossy()?, "a\u{fffd}");
    /// assert_eq!(Value::Text("ß".into()).to_string_lossy()?, "ß");
    /// assert!(Value::Int(1).to_string_lossy().is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_string_lossy(&self) -> Result<std::borrow::Cow<'_, str>> {
        match self {
            Value::Bytes(b) => Ok(String::from_utf8_lossy(b)),
            Value::Text(s) => Ok(std::borrow::Cow::Borrowed(s)),
            other => Err(Error::Type(
                format!("bytes or text are required, not {}", other.describe()).into(),
            )),
        }
    }

    /// The number in a `Float`, `Int`, `Bool`, or numeric cdata.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a value that is no number.
    #[inline]
    pub fn to_f64(&self) -> Result<f64> {
        match self {
            Value::Float(x) => Ok(*x),
            Value::Int(i) => Ok(*i as f64),
            Value::UInt(u) => Ok(*u as f64),
            Value::Bool(b) => Ok(f64::from(u8::from(*b))),
            Value::CData(c) => c.to_f64(),
            other => Err(Error::Type(
                format!("must be real number, not {}", other.describe()).into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use super::*;

    #[test]
    fn rust_values_convert_both_ways() {
        assert_eq!(
            Value::from((1, 2.5, "x", b"y")),
            list![1, 2.5, "x", Value::Bytes(b"y".into())]
        );
        assert_eq!(
            Value::from([[1, 2], [3, 4]]),
            list![list![1, 2], list![3, 4]]
        );
        assert_eq!(Value::from(vec![1u16, 2]), list![1, 2]);
        assert_eq!(Value::from(None::<i32>), Value::Void);
        assert_eq!(Value::from(Some('é')), Value::Text("é".into()));
        let bt = BTreeMap::from([("y", 2), ("x", 1)]);
        assert_eq!(Value::from(bt), map! {"x" => 1, "y" => 2});
        let hm: HashMap<String, f64> = HashMap::from([("w".to_string(), 0.5)]);
        assert_eq!(Value::from(hm), map! {"w" => 0.5});
        let back: BTreeMap<String, Value> = map! {"a" => 1}.try_into().unwrap();
        assert_eq!(back["a"], Value::Int(1));
        assert_eq!(i8::try_from(Value::Int(-128)).unwrap(), -128);
        assert!(i8::try_from(Value::Int(128)).is_err());
        assert!(u32::try_from(Value::Float(1.0)).is_err());
        assert_eq!(String::try_from(Value::from("s")).unwrap(), "s");
        assert_eq!(Vec::<u8>::try_from(Value::from(b"ab")).unwrap(), b"ab");
        assert!(bool::try_from(Value::Bool(true)).unwrap());
    }

    /// The direct paths' bytes of a number for a plain number type (`encode_fast`: `new` with
    /// a number, items and members of initializer lists, `set`, calls) are the general
    /// conversion's (`encode_scalar`), for every such type, at and past the limits; where the
    /// direct path declines, the general one decides.
    #[test]
    #[cfg_attr(miri, ignore = "parses type strings")]
    fn direct_number_bytes_are_the_general_conversions() {
        let ffi = crate::types::Ffi::default();
        ffi.cdef_with("enum e { E_NEG = -5, E_POS = 9 };", &Default::default())
            .unwrap();
        let types = [
            "signed char",
            "unsigned char",
            "short",
            "unsigned short",
            "int",
            "unsigned int",
            "long",
            "unsigned long",
            "float",
            "double",
            "enum e",
        ];
        let mut values: Vec<Value> = [
            0i128,
            1,
            -1,
            127,
            128,
            -129,
            255,
            256,
            -32769,
            65536,
            i128::from(i32::MIN) - 1,
            i128::from(u32::MAX) + 1,
            i128::from(i64::MIN),
            i128::from(u64::MAX),
            i128::from(u64::MAX) + 1,
            (1 << 53) + (1 << 29) + 1,
        ]
        .into_iter()
        .map(Value::Int)
        .collect();
        values.extend(
            [0.0, -0.0, 1.5, 1e300, -1e-300, f64::INFINITY]
                .into_iter()
                .map(Value::Float),
        );
        values.extend([Value::Bool(true), Value::UInt(5)]);
        let mut direct = 0;
        for t in types {
            let ty = ffi.parse(t).unwrap();
            let info = ty.get(&ffi.inner);
            let (fast, size) = (info.fast.unwrap(), info.size().unwrap());
            for v in &values {
                let Some(b) = encode_fast(fast, v) else {
                    continue;
                };
                direct += 1;
                let general = crate::data::scalar::encode_scalar(info, v)
                    .unwrap_or_else(|e| panic!("{t} from {v:?}: the general path refuses: {e}"));
                assert_eq!(b[..size], general[..size], "{t} from {v:?}");
            }
        }
        assert!(direct > 60, "the direct path took {direct}");
    }
}

/// A Rust number that a C number reads into directly: [`CData::field_as`] and
/// [`CData::get_as`] skip building a [`Value`] for these. Conversions are the `TryFrom<Value>`
/// ones (an integer out of the type's range, or a float into an integer type, is an error).
pub trait Scalar: TryFrom<Value, Error = Error> {
    /// The value of C integer `i`, when it converts without loss (`None`: the general path
    /// reports why not).
    #[doc(hidden)]
    fn from_c_int(i: i128) -> Option<Self>;
    /// The value of C float `x`, when this type takes floats.
    #[doc(hidden)]
    fn from_c_float(x: f64) -> Option<Self>;
    /// [`Scalar::from_c_int`] of a C integer of at most 64 bits (cheaper than through `i128`).
    #[doc(hidden)]
    #[inline]
    fn from_i64(i: i64) -> Option<Self> {
        Self::from_c_int(i128::from(i))
    }
    /// [`Scalar::from_c_int`] of a C unsigned integer of at most 64 bits.
    #[doc(hidden)]
    #[inline]
    fn from_u64(u: u64) -> Option<Self> {
        Self::from_c_int(i128::from(u))
    }
}

macro_rules! scalar_int {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            #[inline]
            fn from_c_int(i: i128) -> Option<$t> {
                <$t>::try_from(i).ok()
            }
            #[inline]
            fn from_c_float(_: f64) -> Option<$t> {
                None
            }
            #[inline]
            fn from_i64(i: i64) -> Option<$t> {
                <$t>::try_from(i).ok()
            }
            #[inline]
            fn from_u64(u: u64) -> Option<$t> {
                <$t>::try_from(u).ok()
            }
        }
    )*};
}
scalar_int!(i8, u8, i16, u16, i32, u32, i64, u64, i128, isize, usize);

impl Scalar for f64 {
    #[inline]
    fn from_c_int(i: i128) -> Option<f64> {
        Some(i as f64)
    }
    #[inline]
    fn from_c_float(x: f64) -> Option<f64> {
        Some(x)
    }
}

impl Scalar for f32 {
    #[inline]
    fn from_c_int(i: i128) -> Option<f32> {
        Some(i as f32)
    }
    #[inline]
    fn from_c_float(x: f64) -> Option<f32> {
        Some(x as f32)
    }
}

/// The bytes of `v` for this type, when `v` is an in-range number of the right kind
/// (`None`: the general path decides, with its messages).
#[inline]
pub(crate) fn encode_fast(fast: Fast, v: &Value) -> Option<[u8; 8]> {
    let int = |lo: i128, hi: i128| match v {
        Value::Int(i) if (lo..=hi).contains(i) => Some((*i as u64).to_le_bytes()),
        _ => None,
    };
    match fast {
        Fast::I8 => int(i8::MIN.into(), i8::MAX.into()),
        Fast::U8 => int(0, u8::MAX.into()),
        Fast::I16 => int(i16::MIN.into(), i16::MAX.into()),
        Fast::U16 => int(0, u16::MAX.into()),
        Fast::I32 => int(i32::MIN.into(), i32::MAX.into()),
        Fast::U32 => int(0, u32::MAX.into()),
        Fast::I64 => int(i64::MIN.into(), i64::MAX.into()),
        Fast::U64 => int(0, u64::MAX.into()),
        Fast::F32 => match v {
            Value::Float(x) => Some(u64::from((*x as f32).to_bits()).to_le_bytes()),
            _ => None,
        },
        Fast::F64 => match v {
            Value::Float(x) => Some(x.to_bits().to_le_bytes()),
            _ => None,
        },
    }
}

impl Value {
    /// The value of a plain number read from C memory.
    #[inline(always)]
    pub(super) fn from_number(n: Number) -> Value {
        match n {
            Number::Int(i) => Value::Int(i),
            Number::Float(x) => Value::Float(x),
        }
    }
}

/// The error of a value that should hold a cdata and does not, naming what it holds.
#[cold]
pub(crate) fn not_cdata(v: &Value) -> Error {
    Error::Type(format!("a cdata is required, not {}", v.describe()).into())
}

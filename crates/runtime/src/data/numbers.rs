//! [`Numbers`]: a list of Rust numbers of one type, kept as the items of the vector it came
//! from — what `Value::from(Vec<i32>)` makes — so that an array initialized from it is written
//! as bytes, without a [`Value`] per item.

use std::fmt;

use crate::data::Value;
use crate::error::Result;
use crate::mem::{Plain, bytes_of};
use crate::types::{IntRole, Repr, TypeInfo};

/// A list of Rust numbers of one type: what `Value::from` makes of a `Vec` or slice of `i8`,
/// `i16`, `u16`, `i32`, `u32`, `i64`, `u64`, `isize`, `usize`, `f32` or `f64` (a `Vec<u8>` is
/// [`Value::Bytes`], cffi's `bytes`).
///
/// Each variant holds its items as a boxed slice (the vector's own memory, given up by
/// `into_boxed_slice`), so that a `Numbers` is three words and a [`Value`] four.
///
/// It is a list everywhere a list is taken, and compares equal to the [`Value::List`] of the
/// same numbers. Written into an array of the same C number type (`int[]` from `i32`s) it is
/// copied as bytes; into other number types each item converts with cffi's rules
/// (range-checked), without a `Value` per item either.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Numbers, Value, list};
/// let v = Value::from(vec![1i32, 2, 3]);
/// assert!(matches!(&v, Value::Numbers(Numbers::I32(items)) if items.len() == 3));
/// assert_eq!(v, list![1, 2, 3]);
/// let ffi = rcffi::Ffi::default();
/// let a = ffi.new("int[]", (0..1000).collect::<Vec<i32>>())?;
/// assert_eq!(a.get(999)?, Value::Int(999));
/// let wide = ffi.new("long long[2]", vec![7i32, -8])?; // converted item by item
/// assert_eq!(wide.get(1)?, Value::Int(-8));
/// assert!(ffi.new("unsigned char[]", vec![300i32]).is_err()); // out of range
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub enum Numbers {
    /// `i8`s.
    I8(Box<[i8]>),
    /// `i16`s.
    I16(Box<[i16]>),
    /// `u16`s.
    U16(Box<[u16]>),
    /// `i32`s.
    I32(Box<[i32]>),
    /// `u32`s.
    U32(Box<[u32]>),
    /// `i64`s (and `isize`s).
    I64(Box<[i64]>),
    /// `u64`s (and `usize`s).
    U64(Box<[u64]>),
    /// `f32`s.
    F32(Box<[f32]>),
    /// `f64`s.
    F64(Box<[f64]>),
}

/// Runs `$body` with `$v` bound to the vector inside, whatever its item type.
macro_rules! each {
    ($n:expr, $v:ident => $body:expr) => {
        match $n {
            Numbers::I8($v) => $body,
            Numbers::I16($v) => $body,
            Numbers::U16($v) => $body,
            Numbers::I32($v) => $body,
            Numbers::U32($v) => $body,
            Numbers::I64($v) => $body,
            Numbers::U64($v) => $body,
            Numbers::F32($v) => $body,
            Numbers::F64($v) => $body,
        }
    };
}

/// A Rust number type a [`Numbers`] holds: how it reads as a [`Value`] and where its bytes
/// are the C type's.
trait Item: Plain {
    /// Whether C type `info` stores this Rust type's bytes unchanged.
    fn same_as(info: &TypeInfo) -> bool;
    /// The item as a value.
    fn value(self) -> Value;
    /// The item as an integer, if it is one.
    fn int(self) -> Option<i128>;
    /// The item as a double, as a value converts (an integer rounds to the nearest).
    fn double(self) -> f64;
}

macro_rules! int_item {
    ($($t:ty),*) => {$(
        impl Item for $t {
            #[inline]
            fn same_as(info: &TypeInfo) -> bool {
                matches!(&info.repr, Repr::Int(k) if k.role == IntRole::Number
                    && usize::from(k.bytes) == size_of::<$t>()
                    && k.signed == (<$t>::MIN != 0))
            }
            #[inline]
            fn value(self) -> Value {
                Value::Int(i128::from(self))
            }
            #[inline]
            fn int(self) -> Option<i128> {
                Some(i128::from(self))
            }
            #[inline]
            fn double(self) -> f64 {
                i128::from(self) as f64
            }
        }
    )*};
}
int_item!(i8, i16, u16, i32, u32, i64, u64);

macro_rules! float_item {
    ($($t:ty),*) => {$(
        impl Item for $t {
            #[inline]
            fn same_as(info: &TypeInfo) -> bool {
                // `Float(n)` is IEEE binary of n bytes; long double's forms are other types.
                matches!(info.repr, Repr::Float(n) if usize::from(n) == size_of::<$t>())
                    && crate::data::scalar::long_double_format(info).is_none()
            }
            #[inline]
            fn value(self) -> Value {
                Value::Float(f64::from(self))
            }
            #[inline]
            fn int(self) -> Option<i128> {
                None
            }
            #[inline]
            fn double(self) -> f64 {
                f64::from(self)
            }
        }
    )*};
}
float_item!(f32, f64);

/// The items of `v` encoded as C type `e` (`esize` bytes each), appended to `out`: their own
/// bytes where the types are the same, else each converted by `encode` (cffi's rules).
fn encode_items<T: Item>(
    v: &[T],
    e: &TypeInfo,
    esize: usize,
    out: &mut Vec<u8>,
    encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
) -> Result<()> {
    if T::same_as(e) {
        out.extend_from_slice(bytes_of(v));
        return Ok(());
    }
    convert_items(v, e, esize, out, encode)
}

/// Something an array item converts from: a Rust number, or a [`Value`].
trait Source {
    /// The item as an integer, if it is one.
    fn int(&self) -> Option<i128>;
    /// The item as a double, when it is a number (an integer rounds to the nearest, as a value
    /// converts).
    fn double(&self) -> Option<f64>;
    /// The item converted as a value converts (cffi's rules and errors).
    fn encoded(
        &self,
        e: &TypeInfo,
        encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
    ) -> Result<[u8; 16]>;
}

impl<T: Item> Source for T {
    #[inline]
    fn int(&self) -> Option<i128> {
        Item::int(*self)
    }
    #[inline]
    fn double(&self) -> Option<f64> {
        Some(Item::double(*self))
    }
    fn encoded(
        &self,
        e: &TypeInfo,
        encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
    ) -> Result<[u8; 16]> {
        encode(e, &self.value())
    }
}

impl Source for Value {
    #[inline]
    fn int(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    #[inline]
    fn double(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
    fn encoded(
        &self,
        e: &TypeInfo,
        encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
    ) -> Result<[u8; 16]> {
        encode(e, self)
    }
}

/// Values written as an array of C scalars of type `e` (`esize` bytes each), appended to
/// `out`: integers and floats into integer and float types directly, anything else as
/// `encode` converts it (cffi's rules; its error for an item that does not convert).
pub(crate) fn encode_values(
    items: &[Value],
    e: &TypeInfo,
    esize: usize,
    out: &mut Vec<u8>,
    encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
) -> Result<()> {
    convert_items(items, e, esize, out, encode)
}

/// Items converted into C type `e`, appended to `out` (see [`encode_values`]).
fn convert_items<S: Source>(
    v: &[S],
    e: &TypeInfo,
    esize: usize,
    out: &mut Vec<u8>,
    encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
) -> Result<()> {
    match Target::of(e) {
        Some(Target::Int { bytes, lo, hi }) => {
            // In range, the low bytes are the value's (two's complement); out of range, or a
            // float, cffi's conversion says why.
            macro_rules! ints {
                ($n:literal) => {
                    for x in v {
                        match x.int() {
                            Some(i) if (lo..=hi).contains(&i) => {
                                let b: [u8; $n] = match i.to_le_bytes()[..$n].try_into() {
                                    Ok(b) => b,
                                    Err(_) => unreachable!("16 bytes hold {}", $n),
                                };
                                out.extend_from_slice(&b);
                            }
                            _ => out.extend_from_slice(&x.encoded(e, encode)?[..esize]),
                        }
                    }
                };
            }
            match bytes {
                1 => ints!(1),
                2 => ints!(2),
                4 => ints!(4),
                8 => ints!(8),
                _ => ints!(16),
            }
        }
        Some(Target::Float { bytes }) => {
            for x in v {
                match (x.double(), bytes) {
                    (Some(f), 4) => out.extend_from_slice(&(f as f32).to_le_bytes()),
                    (Some(f), _) => out.extend_from_slice(&f.to_le_bytes()),
                    (None, _) => out.extend_from_slice(&x.encoded(e, encode)?[..esize]),
                }
            }
        }
        None => {
            for x in v {
                out.extend_from_slice(&x.encoded(e, encode)?[..esize]);
            }
        }
    }
    Ok(())
}

/// A C number type items convert into without a detour: an integer (its size and range) or
/// a `float`/`double`. Other types (`_Bool`, characters, `long double`, complex) convert each
/// item as a value does.
enum Target {
    Int { bytes: usize, lo: i128, hi: i128 },
    Float { bytes: u8 },
}

impl Target {
    fn of(e: &TypeInfo) -> Option<Target> {
        match &e.repr {
            Repr::Int(k) | Repr::Enum { int: k, .. } if k.role == IntRole::Number => {
                let (lo, hi) = k.range();
                Some(Target::Int {
                    bytes: usize::from(k.bytes),
                    lo,
                    hi,
                })
            }
            Repr::Float(n @ (4 | 8)) if crate::data::scalar::long_double_format(e).is_none() => {
                Some(Target::Float { bytes: *n })
            }
            _ => None,
        }
    }
}

impl Numbers {
    /// The number of items.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// assert_eq!(rcffi::Numbers::from(vec![1.5f64, 2.5]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        each!(self, v => v.len())
    }

    /// Whether there are no items.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// assert!(rcffi::Numbers::from(Vec::<i32>::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i` as a [`Value`] (`Int` or `Float`), if there is one.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::{Numbers, Value};
    /// assert_eq!(Numbers::from(vec![7u16, 8]).get(1), Some(Value::Int(8)));
    /// assert_eq!(Numbers::from(vec![7u16, 8]).get(2), None);
    /// ```
    pub fn get(&self, i: usize) -> Option<Value> {
        each!(self, v => v.get(i).map(|x| x.value()))
    }

    /// The items as [`Value`]s: the [`Value::List`] this stands for.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::{Numbers, Value};
    /// assert_eq!(Numbers::from(vec![0.5f32]).to_values(), vec![Value::Float(0.5)]);
    /// ```
    pub fn to_values(&self) -> Vec<Value> {
        each!(self, v => v.iter().map(|x| x.value()).collect())
    }

    /// The items' own bytes, when C type `e` stores these Rust numbers unchanged.
    pub(crate) fn same_bytes(&self, e: &TypeInfo) -> Option<&[u8]> {
        fn same<'a, T: Item>(v: &'a [T], e: &TypeInfo) -> Option<&'a [u8]> {
            T::same_as(e).then(|| bytes_of(v))
        }
        each!(self, v => same(v, e))
    }

    /// The items encoded as an array of C type `e` (`esize` bytes each), appended to `out`.
    pub(crate) fn encode(
        &self,
        e: &TypeInfo,
        esize: usize,
        out: &mut Vec<u8>,
        encode: &dyn Fn(&TypeInfo, &Value) -> Result<[u8; 16]>,
    ) -> Result<()> {
        each!(self, v => encode_items(v, e, esize, out, encode))
    }
}

impl fmt::Debug for Numbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Numbers::I8(_) => "I8",
            Numbers::I16(_) => "I16",
            Numbers::U16(_) => "U16",
            Numbers::I32(_) => "I32",
            Numbers::U32(_) => "U32",
            Numbers::I64(_) => "I64",
            Numbers::U64(_) => "U64",
            Numbers::F32(_) => "F32",
            Numbers::F64(_) => "F64",
        };
        each!(self, v => f.debug_tuple(name).field(v).finish())
    }
}

impl fmt::Display for Numbers {
    /// As a list of the same numbers displays (`[1, 2, 3]`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for i in 0..self.len() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if let Some(x) = self.get(i) {
                write!(f, "{x}")?;
            }
        }
        f.write_str("]")
    }
}

macro_rules! from_vec {
    ($($t:ty => $variant:ident),*) => {$(
        impl From<Vec<$t>> for Numbers {
            fn from(v: Vec<$t>) -> Numbers {
                Numbers::$variant(v.into_boxed_slice())
            }
        }
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Value {
                Value::Numbers(Numbers::$variant(v.into_boxed_slice()))
            }
        }
        impl From<&[$t]> for Value {
            fn from(v: &[$t]) -> Value {
                Value::Numbers(Numbers::$variant(v.into()))
            }
        }
    )*};
}
from_vec!(i8 => I8, i16 => I16, u16 => U16, i32 => I32, u32 => U32, i64 => I64, u64 => U64,
    f32 => F32, f64 => F64);

/// `isize`s are kept as `i64`s, `usize`s as `u64`s (Rust's targets have pointers of at most
/// 64 bits).
macro_rules! from_index_vec {
    ($($t:ty => $wide:ty, $variant:ident),*) => {$(
        impl From<Vec<$t>> for Value {
            fn from(v: Vec<$t>) -> Value {
                Value::from(v.as_slice())
            }
        }
        impl From<&[$t]> for Value {
            fn from(v: &[$t]) -> Value {
                Value::Numbers(Numbers::$variant(v.iter().map(|x| *x as $wide).collect()))
            }
        }
    )*};
}
from_index_vec!(isize => i64, I64, usize => u64, U64);

impl Numbers {
    /// Whether these are the numbers of `items`, in order (`Int`/`UInt`/`Float` values compared
    /// as [`Value`]s compare).
    pub(crate) fn eq_values(&self, items: &[Value]) -> bool {
        self.len() == items.len() && (0..self.len()).all(|i| self.get(i).as_ref() == items.get(i))
    }
}

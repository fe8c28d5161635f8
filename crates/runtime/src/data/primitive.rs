//! A primitive [`CData`] as a Rust number or a [`Value`] (cffi's `int()`, `float()` and truth),
//! and the `TryFrom<CData>` conversions built on them.

use crate::data::convert;
use crate::data::{CData, Value};
use crate::error::{Error, Result};
use crate::types::{IntRole, Repr};

impl CData {
    /// The integer value of an integer, character, `_Bool` or enum cdata (cffi's `int()`);
    /// floats truncate. Pointers are refused (cast them to `intptr_t`).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is no number, enum or pointer (cffi's
    /// `int()` refuses it), [`Error::Overflow`] when the value does not fit.
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
            Repr::Int(k) if k.role == IntRole::Char => Ok(i128::from(self.bytes()[0])),
            Repr::Int(k) | Repr::Enum { int: k, .. } => {
                match crate::data::scalar::int_value(*k, &self.bytes()) {
                    Value::UInt(u) => Err(Error::Overflow(
                        format!("integer {u} does not fit 'i128' (to_u128 reads it)").into(),
                    )),
                    v => v.to_int(),
                }
            }
            Repr::Float(_) | Repr::LongDouble => match crate::data::scalar::long_double_of(self) {
                Some(x) => crate::data::scalar::long_double_to_int(x),
                None => crate::data::scalar::float_to_int(self.to_f64()?),
            },
            _ => Err(Error::Type(
                format!("int() not supported on {}", self.what()).into(),
            )),
        }
    }

    /// The value of an integer (or other [`to_int`](CData::to_int)) cdata as a `u128`: every
    /// `unsigned __int128` value, which `to_int` gives only up to `i128::MAX`.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is no number, enum or pointer (cffi's
    /// `int()` refuses it), [`Error::Overflow`] when the value does not fit.
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
                crate::data::scalar::int_value(*k, &self.bytes()).to_u128()
            }
            _ => Value::Int(self.to_int()?).to_u128(),
        }
    }

    /// The value of a floating point cdata as `f64` (cffi's `float()`); integers are refused,
    /// as in cffi.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is no number.
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
            Repr::Float(2) => Ok(crate::base::floats::f16_to_f64(&self.bytes())),
            Repr::Float(4) => Ok(f64::from(f32::from_le_bytes([
                self.bytes()[0],
                self.bytes()[1],
                self.bytes()[2],
                self.bytes()[3],
            ]))),
            Repr::Float(8) => Ok(f64::from_le_bytes(
                self.bytes()[..8].try_into().unwrap_or([0; 8]),
            )),
            Repr::Float(_) | Repr::LongDouble => {
                Ok(crate::data::scalar::long_double_of(self).map_or(f64::NAN, |x| x.to_f64()))
            }
            _ => Err(Error::Type(
                format!("float() not supported on {}", self.what()).into(),
            )),
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
                crate::data::scalar::decode_scalar(info, &self.bytes())
            }
            Repr::Float(_) | Repr::LongDouble => Ok(Value::Float(self.to_f64()?)),
            // `long double _Complex` (a result or callback argument): `[re, im]` of exact
            // long double cdata.
            Repr::Complex(_) if !info.is_pointer() => {
                convert::c_to_value(&self.place_at(self.ty(), self.addr(), None))
            }
            _ => Ok(Value::CData(self.clone())),
        }
    }

    /// cffi's truth value: pointers are true when not NULL, numbers when not zero, arrays and
    /// structs always.
    pub fn truthy(&self) -> bool {
        match &self.info().repr {
            Repr::Pointer { .. } => self.addr() != 0,
            Repr::Int(_) | Repr::Enum { .. } => self.bytes().iter().any(|b| *b != 0),
            Repr::Float(_) | Repr::LongDouble => self.to_f64().is_ok_and(|x| x != 0.0),
            _ => true,
        }
    }
}

macro_rules! try_from_cdata {
    ($($t:ty),*) => {$(
        impl TryFrom<&CData> for $t {
            type Error = Error;
            fn try_from(c: &CData) -> Result<$t> {
                let i = c.to_int()?;
                <$t>::try_from(i).map_err(|_| Error::Overflow(format!("integer {i} does not fit '{}'", stringify!($t)).into()))
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

//! `ffi.cast`: C's conversions between numbers and pointers, with cffi's rules — integers wrap,
//! floats truncate, NaN is an error, pointers and integers convert through their address.
//!
//! A cast never creates memory. A pointer cast from a cdata keeps that cdata's owner, so it
//! keeps the memory alive and stays bounds-checked (cffi's casts are dangling views); a pointer
//! cast from an integer is foreign memory that safe code will not touch.

use crate::base::longdouble::LongDouble;
use crate::data::CData;
use crate::data::Value;
use crate::error::{Error, Result};
use crate::mem::Owner;
use crate::types::{Ffi, TypeRef};
use crate::types::{IntRole, Repr, TypeInfo};

/// A number as a cast sees it.
enum Num {
    Int(i128),
    /// Above `i128::MAX` (an `unsigned __int128`).
    UInt(u128),
    Float(f64),
}

impl Ffi {
    /// [`Ffi::cast`] to a realized type of this ffi object.
    pub(crate) fn cast_to(&self, t: TypeRef, v: Value) -> Result<CData> {
        let info = t.get(&self.inner);
        match &info.repr {
            Repr::Int(k) | Repr::Enum { int: k, .. } => {
                let i = if k.role == IntRole::Bool {
                    i128::from(truth(info, &v)?)
                } else {
                    match number(info, &v)? {
                        Num::Int(i) => k.wrap(i),
                        // Modulo 2^128 first: C's conversion keeps the low bits.
                        Num::UInt(u) => k.wrap(u as i128),
                        Num::Float(x) => k.wrap(crate::data::scalar::float_to_int(x)?),
                    }
                };
                Ok(CData::primitive(
                    self,
                    t,
                    &crate::data::scalar::int_bytes(*k, i),
                ))
            }
            Repr::Float(_) | Repr::LongDouble
                if crate::data::scalar::long_double_format(info).is_some() =>
            {
                let format = crate::data::scalar::long_double_format(info)
                    .expect("a long double format, as the guard found");
                // Exact: another long double converted, integers where they fit, decimal text
                // as `strtold` reads it (cffi refuses text; it has no exact way in).
                let x = match &v {
                    Value::Text(_) => crate::data::scalar::long_double_init(info, format, &v)?,
                    Value::CData(c) if crate::data::scalar::long_double_of(c).is_some() => {
                        crate::data::scalar::long_double_init(info, format, &v)?
                    }
                    _ => match number(info, &v)? {
                        Num::Int(i) => LongDouble::from_i128(i, format),
                        Num::UInt(u) => LongDouble::from_u128(u, format),
                        Num::Float(x) => LongDouble::from_f64(x, format),
                    },
                };
                Ok(CData::primitive(self, t, &x.to_bytes()))
            }
            Repr::Float(_) | Repr::LongDouble | Repr::Complex(_) => {
                let x = match number(info, &v)? {
                    Num::Int(i) => i as f64,
                    Num::UInt(u) => u as f64,
                    Num::Float(x) => x,
                };
                let bytes = crate::data::scalar::encode_scalar(info, &Value::Float(x))?;
                Ok(CData::primitive(self, t, &bytes))
            }
            Repr::Pointer { .. } => match v {
                // A pointer or array of this `ffi` object, given by value: the new pointer
                // takes over its reference to the universe and its owner.
                Value::CData(c)
                    if c.uni().same(self)
                        && matches!(c.info().repr, Repr::Pointer { .. } | Repr::Array { .. }) =>
                {
                    Ok(c.retyped(t))
                }
                v => {
                    let (addr, owner) = address_of(info, v)?;
                    Ok(CData::pointer(self, t, addr, owner))
                }
            },
            Repr::Array { len: Some(n), .. } => {
                let (addr, owner) = address_of(info, v)?;
                Ok(CData::place(self, t, addr, owner, Some(*n)))
            }
            Repr::Function { .. } => Err(Error::Type(
                format!(
                    "the type '{}' is a function type, not a pointer-to-function type",
                    info.name
                )
                .into(),
            )),
            _ => Err(Error::Type(
                format!("cannot cast to ctype '{}'", info.name).into(),
            )),
        }
    }
}

/// The number a cast to an arithmetic type takes from `v`.
fn number(target: &TypeInfo, v: &Value) -> Result<Num> {
    match v {
        Value::Int(i) => Ok(Num::Int(*i)),
        Value::UInt(u) => Ok(Num::UInt(*u)),
        Value::Bool(b) => Ok(Num::Int(i128::from(*b))),
        Value::Float(x) => Ok(Num::Float(*x)),
        Value::Bytes(b) if b.len() == 1 => Ok(Num::Int(i128::from(b[0]))),
        Value::Bytes(b) => Err(Error::Type(
            format!(
                "initializer for ctype 'char' must be a bytes of length 1, not bytes of length {}",
                b.len()
            )
            .into(),
        )),
        Value::Text(s) => {
            let mut chars = s.chars();
            match (chars.next(), chars.next(), target.int_kind()) {
                (Some(c), None, Some(_)) => Ok(Num::Int(i128::from(u32::from(c)))),
                (_, _, Some(_)) => Err(Error::Type(
                    format!(
                        "cannot cast unicode string of length {} to ctype '{}'",
                        s.chars().count(),
                        target.name
                    )
                    .into(),
                )),
                _ => Err(Error::Type(
                    format!("cannot cast str object to ctype '{}'", target.name).into(),
                )),
            }
        }
        Value::CData(c) => {
            let src = c.info();
            match &src.repr {
                Repr::Int(k) if k.role == IntRole::Char => Ok(Num::Int(i128::from(c.bytes()[0]))),
                Repr::Int(k) | Repr::Enum { int: k, .. } => {
                    match crate::data::scalar::int_value(*k, &c.bytes()) {
                        Value::UInt(u) => Ok(Num::UInt(u)),
                        v => Ok(Num::Int(v.to_int()?)),
                    }
                }
                // A long double's integer part is exact, as C's conversion takes it.
                Repr::Float(_) | Repr::LongDouble if target.int_kind().is_some() => {
                    match crate::data::scalar::long_double_of(c) {
                        Some(x) => Ok(Num::Int(crate::data::scalar::long_double_to_int(x)?)),
                        None => Ok(Num::Float(c.to_f64()?)),
                    }
                }
                Repr::Float(_) | Repr::LongDouble => Ok(Num::Float(c.to_f64()?)),
                Repr::Pointer { .. } | Repr::Array { .. } if target.int_kind().is_some() => {
                    Ok(Num::Int(c.addr() as i128))
                }
                _ => Err(Error::Type(
                    format!(
                        "cannot cast ctype '{}' to ctype '{}'",
                        src.name, target.name
                    )
                    .into(),
                )),
            }
        }
        other => Err(integer_required(target, other)),
    }
}

/// `_Bool` casts take the truth of the value.
fn truth(target: &TypeInfo, v: &Value) -> Result<bool> {
    Ok(match v {
        Value::CData(c) if c.info().is_pointer() => c.addr() != 0,
        _ => match number(target, v)? {
            Num::Int(i) => i != 0,
            Num::UInt(_) => true,
            Num::Float(x) => x != 0.0,
        },
    })
}

/// The address (and the owner of the memory there) a cast to a pointer or array type takes.
/// Takes `v` by value: a cdata's owner moves into the result (a clone would cost an atomic
/// update, and dropping the temporary another).
fn address_of(target: &TypeInfo, v: Value) -> Result<(usize, Owner)> {
    match v {
        Value::Int(i) => Ok((i as u128 as u64 as usize, Owner::Foreign)),
        Value::UInt(u) => Ok((u as u64 as usize, Owner::Foreign)),
        Value::Bool(b) => Ok((usize::from(b), Owner::Foreign)),
        // cffi truncates a float cast to a pointer.
        Value::Float(x) => Ok((
            crate::data::scalar::float_to_int(x)? as u128 as u64 as usize,
            Owner::Foreign,
        )),
        Value::CData(c) => match &c.info().repr {
            Repr::Pointer { .. } | Repr::Array { .. } => {
                let addr = c.addr();
                Ok((addr, c.into_owner()))
            }
            Repr::Int(_) | Repr::Enum { .. } => {
                Ok((c.to_int()? as u128 as u64 as usize, Owner::Foreign))
            }
            _ => Err(Error::Type(
                format!(
                    "cannot cast ctype '{}' to ctype '{}'",
                    c.type_name(),
                    target.name
                )
                .into(),
            )),
        },
        other => Err(integer_required(target, &other)),
    }
}

/// The error of a value that is not a number where a cast to `target` takes one.
fn integer_required(target: &TypeInfo, v: &Value) -> Error {
    Error::Type(
        format!(
            "an integer is required to cast to ctype '{}', not {}",
            target.name,
            v.describe()
        )
        .into(),
    )
}

//! The types the variadic part of a call passes its arguments as: C's default argument
//! promotions, for Rust values and for cdata (of this `ffi` object or, for numbers, another).

use super::args::Arg;
use crate::data::Value;
use crate::error::{Error, Result};
use crate::types::{Ffi, IntRole, Promoted, Repr, TypeRef};

/// The type an argument of the variadic part is passed as, after C's default argument
/// promotions: cdata keep their type (`char`, `short`, `_Bool` and small enums become `int`,
/// `float` becomes `double`, arrays decay to pointers); Rust integers are `int` when they fit
/// (else `long long`, or `unsigned long long` above its range), floats are `double`, strings
/// and byte strings are `char *`.
pub(super) fn promoted_type(uni: &Ffi, a: &Arg<'_>) -> Result<TypeRef> {
    let v = match a {
        Arg::Value(v) => Some(v),
        Arg::Ref(v) => Some(*v),
        _ => None,
    };
    let c = match (a, v) {
        (Arg::Int(i), _) if i32::try_from(*i).is_ok() => return uni.promoted(Promoted::Int),
        (Arg::Int(_), _) => return uni.promoted(Promoted::LongLong),
        (Arg::UInt(_), _) => return uni.promoted(Promoted::ULongLong),
        (Arg::Float(_), _) => return uni.promoted(Promoted::Double),
        (Arg::CData(c), _) => *c,
        (_, Some(Value::CData(c))) => c,
        (_, Some(v)) => {
            return match v {
                Value::Int(i) if i32::try_from(*i).is_ok() => uni.promoted(Promoted::Int),
                Value::Int(i) if i64::try_from(*i).is_ok() => uni.promoted(Promoted::LongLong),
                Value::Int(i) if u64::try_from(*i).is_ok() => uni.promoted(Promoted::ULongLong),
                Value::Int(i) => Err(Error::Overflow(
                    format!("integer {i} does not fit any C integer type").into(),
                )),
                Value::UInt(u) => Err(Error::Overflow(
                    format!(
                        "integer {u} does not fit any C integer type a variadic argument takes \
                     without a declared type (cast it to 'unsigned __int128')"
                    )
                    .into(),
                )),
                Value::Bool(_) => uni.promoted(Promoted::Int),
                Value::Float(_) => uni.promoted(Promoted::Double),
                Value::Bytes(_) | Value::Text(_) => uni.promoted(Promoted::CharPtr),
                other => Err(Error::Type(
                    format!(
                        "needs to be a cdata object, a number or a string (got {})",
                        other.type_name()
                    )
                    .into(),
                )),
            };
        }
        (Arg::Str(_) | Arg::Bytes(_) | Arg::CStr(_), _) => {
            return uni.promoted(Promoted::CharPtr);
        }
        (Arg::Null | Arg::InPlace(_), _) => return uni.promoted(Promoted::VoidPtr),
        (Arg::Closure(_), _) => {
            return Err(Error::Type(
                "a closure has no C type here: make it a callback with `ffi.callback(type, f)`"
                    .into(),
            ));
        }
        (Arg::Value(_) | Arg::Ref(_), None) => unreachable!("values have a value"),
    };
    let info = c.info();
    if !c.uni().same(uni) {
        // A number of another ffi object passes as the same C number of this one; its
        // pointers and structs have no type here.
        let name = match &info.repr {
            Repr::Int(k) | Repr::Enum { int: k, .. } if k.bytes < 4 || k.role == IntRole::Bool => {
                "int"
            }
            Repr::Int(k) | Repr::Enum { int: k, .. } => match (k.bytes, k.signed) {
                (4, true) => "int",
                (4, false) => "unsigned int",
                (8, true) => "long long",
                (8, false) => "unsigned long long",
                (_, true) => "__int128",
                (_, false) => "unsigned __int128",
            },
            Repr::Float(n) if *n <= 8 => "double",
            Repr::LongDouble => "long double",
            _ => return Err(crate::data::convert::another_ffis(c)),
        };
        return uni.parse(name);
    }
    Ok(match &info.repr {
        Repr::Int(k) | Repr::Enum { int: k, .. } if k.bytes < 4 || k.role == IntRole::Bool => {
            uni.parse("int")?
        }
        Repr::Float(n) if *n < 8 => uni.parse("double")?,
        Repr::Array { elem, .. } => uni.pointer_to(*elem),
        _ => c.ty(),
    })
}

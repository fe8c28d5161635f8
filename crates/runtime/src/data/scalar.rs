//! Scalar conversions: integers (with cffi's range checks and messages), `char` as one byte,
//! wide characters as text, `_Bool`, enums by name or number, and floats of every width —
//! between [`Value`]s and the bytes of a C scalar.

use crate::base::floats;
use crate::base::longdouble::{LongDouble, LongDoubleFormat};
use crate::data::{CData, Value};
use crate::error::{Error, Result};
use crate::types::{IntKind, IntRole, Repr, TypeInfo};

#[inline]
pub(crate) fn int_from_bytes(k: IntKind, b: &[u8]) -> i128 {
    let mut buf = [0u8; 16];
    let n = usize::from(k.bytes);
    buf[..n].copy_from_slice(&b[..n]);
    let u = u128::from_le_bytes(buf);
    let bits = n as u32 * 8;
    if k.signed && bits < 128 && (u >> (bits - 1)) & 1 == 1 {
        (u | (!0u128 << bits)) as i128
    } else {
        u as i128
    }
}

/// The value of integer bytes `b` of kind `k`: `Int`, or `UInt` for an `unsigned __int128`
/// above `i128::MAX`.
#[inline]
pub(crate) fn int_value(k: IntKind, b: &[u8]) -> Value {
    let i = int_from_bytes(k, b);
    if i < 0 && !k.signed {
        Value::UInt(i as u128)
    } else {
        Value::Int(i)
    }
}

/// Checks that `v` fits the integer type `name`, with cffi's messages.
pub(super) fn check_int_range(k: IntKind, v: i128, name: &str) -> Result<i128> {
    let (lo, hi) = k.range();
    if v >= lo && v <= hi {
        return Ok(v);
    }
    if v < 0 && !k.signed {
        return Err(Error::Overflow(
            format!("can't convert negative number {v} to unsigned '{name}'").into(),
        ));
    }
    Err(Error::Overflow(
        format!("integer {v} does not fit '{name}'").into(),
    ))
}

/// The integer an initializer gives an integer-typed place (not `char`, wide or `_Bool`, which
/// have rules of their own).
pub(super) fn int_init(info: &TypeInfo, k: IntKind, v: &Value) -> Result<i128> {
    let i = match v {
        Value::Int(i) => *i,
        // Only `unsigned __int128` holds it: its bits, which `int_bytes` writes as they are.
        Value::UInt(u) if k.bytes == 16 && !k.signed => return Ok(*u as i128),
        Value::UInt(u) => {
            return Err(Error::Overflow(
                format!("integer {u} does not fit '{}'", info.name).into(),
            ));
        }
        Value::Bool(b) => i128::from(*b),
        Value::CData(c) => match c.info().int_kind() {
            Some(ck) if ck.role != IntRole::Char => {
                return int_init(info, k, &int_value(ck, &c.bytes()));
            }
            Some(_) => c.to_int()?,
            None => {
                return Err(integer_required(info, v));
            }
        },
        Value::Text(s) if matches!(info.repr, Repr::Enum { .. }) => {
            // An enumerator by name.
            if let Repr::Enum { items, .. } = &info.repr
                && let Some((_, val)) = items.iter().find(|(n, _)| **n == **s)
            {
                *val
            } else {
                return Err(Error::Value(
                    format!("'{s}' is not an enumerator of '{}'", info.name).into(),
                ));
            }
        }
        _ => {
            return Err(integer_required(info, v));
        }
    };
    check_int_range(k, i, &info.name)
}

/// The value of a character-typed initializer: `char` takes one byte, wide types one
/// character, `_Bool` 0 or 1.
pub(super) fn char_like_init(info: &TypeInfo, k: IntKind, v: &Value) -> Result<i128> {
    match k.role {
        IntRole::Char => match v {
            Value::Bytes(b) if b.len() == 1 => Ok(i128::from(b[0])),
            Value::CData(c) if c.info().int_kind().is_some_and(|k| k.role == IntRole::Char) => {
                Ok(i128::from(c.bytes()[0]))
            }
            _ => Err(Error::Type(
                format!(
                    "initializer for ctype 'char' must be a bytes of length 1, not {}",
                    describe_len(v)
                )
                .into(),
            )),
        },
        IntRole::Wide => {
            let c = match v {
                Value::Text(s) if s.chars().count() == 1 => {
                    s.chars().next().map_or(0, |c| c as u32)
                }
                Value::CData(c) if c.info().int_kind().is_some_and(|k| k.role == IntRole::Wide) => {
                    c.to_int()? as u32
                }
                _ => {
                    return Err(Error::Type(format!(
                        "initializer for ctype '{}' must be a unicode string of length 1, not {}",
                        info.name,
                        describe_len(v)
                    ).into()));
                }
            };
            if k.bytes == 2 && c > 0xffff {
                return Err(Error::Type(format!(
                    "initializer for ctype '{}' must be a unicode string of length 1, not larger-than-0xFFFF character",
                    info.name
                ).into()));
            }
            Ok(i128::from(c))
        }
        IntRole::Bool => {
            let i = match v {
                Value::Bool(b) => i128::from(*b),
                Value::Int(i) => *i,
                Value::UInt(u) => {
                    return Err(Error::Overflow(
                        format!("integer {u} does not fit '_Bool'").into(),
                    ));
                }
                Value::CData(c) if c.info().int_kind().is_some() => c.to_int()?,
                _ => {
                    return Err(Error::Type(
                        format!(
                            "an integer is required for ctype '_Bool', not {}",
                            v.describe()
                        )
                        .into(),
                    ));
                }
            };
            if !(0..=1).contains(&i) {
                return Err(Error::Overflow(
                    format!("integer {i} does not fit '_Bool'").into(),
                ));
            }
            Ok(i)
        }
        IntRole::Number => int_init(info, k, v),
    }
}

fn describe_len(v: &Value) -> String {
    match v {
        Value::Bytes(b) if b.len() != 1 => format!("bytes of length {}", b.len()),
        Value::Text(s) => format!("str of length {}", s.chars().count()),
        other => other.describe(),
    }
}

// --- Scalars ---

/// Encodes an initializer for a scalar type (integer, character, enum, float) to its bytes.
pub(crate) fn encode_scalar(info: &TypeInfo, v: &Value) -> Result<[u8; 16]> {
    match &info.repr {
        Repr::Int(k) => {
            let i = char_like_init(info, *k, v)?;
            Ok(int_bytes(*k, i))
        }
        Repr::Enum { int, .. } => {
            let i = int_init(info, *int, v)?;
            Ok(int_bytes(*int, i))
        }
        Repr::Float(n) => match long_double_format(info) {
            Some(format) => Ok(long_double_init(info, format, v)?.to_bytes()),
            None => Ok(float_bytes(*n, float_init(info, v)?)),
        },
        Repr::LongDouble => Ok(long_double_init(info, LongDoubleFormat::X87, v)?.to_bytes()),
        Repr::Complex(n) => {
            let (re, im) = match v {
                Value::List(l) if l.len() == 2 => {
                    (float_init(info, &l[0])?, float_init(info, &l[1])?)
                }
                Value::Numbers(n) if n.len() == 2 => (
                    float_init(info, &n.get(0).unwrap_or_default())?,
                    float_init(info, &n.get(1).unwrap_or_default())?,
                ),
                Value::CData(c) if c.info().same_type(info) => return Ok(c.bytes()),
                other => (float_init(info, other)?, 0.0),
            };
            let mut out = [0u8; 16];
            match n {
                4 => {
                    out[..4].copy_from_slice(&(re as f32).to_le_bytes());
                    out[4..8].copy_from_slice(&(im as f32).to_le_bytes());
                }
                8 => {
                    out[..8].copy_from_slice(&re.to_le_bytes());
                    out[8..].copy_from_slice(&im.to_le_bytes());
                }
                _ => {
                    return Err(Error::Unsupported(
                        format!("values of ctype '{}' cannot be converted", info.name).into(),
                    ));
                }
            }
            Ok(out)
        }
        _ => Err(Error::Type(
            format!("ctype '{}' is not a scalar", info.name).into(),
        )),
    }
}

pub(crate) fn int_bytes(k: IntKind, i: i128) -> [u8; 16] {
    // A mask, not a loop zeroing the bytes past the type's: that loop became a memset call.
    let bits = 8 * u32::from(k.bytes);
    let mask = u128::MAX.checked_shr(128 - bits.min(128)).unwrap_or(0);
    ((i as u128) & mask).to_le_bytes()
}

/// The exact format of a `long double` or binary128 type (`None` for narrower floats, whose
/// values an `f64` holds).
pub(crate) fn long_double_format(info: &TypeInfo) -> Option<LongDoubleFormat> {
    match info.repr {
        Repr::LongDouble => Some(LongDoubleFormat::X87),
        Repr::Float(16) => Some(LongDoubleFormat::Binary128),
        _ => None,
    }
}

/// The part type of a complex type of 16-byte parts (`long double _Complex`: `long double`;
/// `_Float128 _Complex`: `_Float128`).
pub(crate) fn wide_complex_part(
    uni: &crate::types::Ffi,
    info: &TypeInfo,
) -> Result<crate::types::TypeRef> {
    let name = {
        let reg = uni.inner.read();
        match reg.kind(reg.strip_aligned(info.id)) {
            rcffi_cdef::CTypeKind::Prim(p) => p.name().strip_suffix(" _Complex"),
            _ => None,
        }
    };
    let name = name.ok_or_else(|| {
        Error::Unsupported(format!("values of ctype '{}' cannot be converted", info.name).into())
    })?;
    crate::types::TypeSpec::type_ref(name, uni)
}

/// The value of a `long double` (or binary128) cdata, exactly.
pub(crate) fn long_double_of(c: &CData) -> Option<LongDouble> {
    long_double_format(c.info()).map(|f| LongDouble::from_bytes(c.bytes(), f))
}

impl CData {
    /// The value of a `long double` (or `_Float128`) cdata, exactly — every bit C computed,
    /// where [`CData::to_f64`] rounds (and overflows to infinity past `f64`'s range).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is no number.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let x = ffi.cast("long double", "1e4000")?; // text: read exactly, as strtold reads it
    /// assert_eq!(x.to_long_double()?.to_string(), "1e4000");
    /// assert_eq!(x.to_f64()?, f64::INFINITY);
    /// assert!(ffi.cast("double", 1.5)?.to_long_double().is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_long_double(&self) -> Result<LongDouble> {
        long_double_of(self).ok_or_else(|| {
            Error::Type(
                format!(
                    "to_long_double() needs a long double or _Float128 cdata, not {}",
                    self.what()
                )
                .into(),
            )
        })
    }
}

/// What an initializer gives a `long double` (or binary128) of `format`, exactly: another such
/// value converted (rounded only into a narrower format), an integer (exact where it fits), an
/// `f64`, a [`LongDouble`] as its decimal text, or any text C's `strtold` reads, correctly
/// rounded.
pub(crate) fn long_double_init(
    info: &TypeInfo,
    format: LongDoubleFormat,
    v: &Value,
) -> Result<LongDouble> {
    match v {
        Value::Int(i) => Ok(LongDouble::from_i128(*i, format)),
        Value::UInt(u) => Ok(LongDouble::from_u128(*u, format)),
        Value::Bool(b) => Ok(LongDouble::from_i128(i128::from(*b), format)),
        Value::Text(t) => LongDouble::parse(t, format).map_err(|e| {
            Error::Value(format!("{e} (initializer for ctype '{}')", info.name).into())
        }),
        Value::CData(c) => match long_double_of(c) {
            Some(x) => Ok(x.convert(format)),
            None => Ok(LongDouble::from_f64(float_init(info, v)?, format)),
        },
        _ => Ok(LongDouble::from_f64(float_init(info, v)?, format)),
    }
}

fn float_init(info: &TypeInfo, v: &Value) -> Result<f64> {
    match v {
        Value::Float(x) => Ok(*x),
        Value::Int(i) => Ok(*i as f64),
        Value::UInt(u) => Ok(*u as f64),
        Value::Bool(b) => Ok(f64::from(u8::from(*b))),
        Value::CData(c) => match &c.info().repr {
            Repr::Float(_) | Repr::LongDouble => c.to_f64(),
            _ => Err(Error::Type(
                format!(
                    "float() not supported on cdata '{}' (ctype '{}' needs a number)",
                    c.type_name(),
                    info.name
                )
                .into(),
            )),
        },
        other => Err(Error::Type(
            format!(
                "must be real number, not {} (ctype '{}')",
                other.describe(),
                info.name
            )
            .into(),
        )),
    }
}

fn float_bytes(n: u8, x: f64) -> [u8; 16] {
    let mut out = [0u8; 16];
    match n {
        2 => out[..2].copy_from_slice(&floats::f64_to_f16(x)),
        4 => out[..4].copy_from_slice(&(x as f32).to_le_bytes()),
        8 => out[..8].copy_from_slice(&x.to_le_bytes()),
        _ => out = LongDouble::from_f64(x, LongDoubleFormat::Binary128).to_bytes(),
    }
    out
}

/// Appends the items of `bytes` (an array of `info`'s type, whole items) to `out`, each as
/// [`decode_scalar`] decodes it; plain integers and floats in loops of their own width, with
/// no `Result` per item.
pub(crate) fn decode_scalars(info: &TypeInfo, bytes: &[u8], out: &mut Vec<Value>) -> Result<()> {
    macro_rules! each {
        ($n:literal, |$b:ident| $v:expr) => {
            out.extend(bytes.chunks_exact($n).map(|$b| {
                let $b: [u8; $n] = $b.try_into().unwrap_or([0; $n]);
                $v
            }))
        };
    }
    let k = match &info.repr {
        Repr::Int(k) if k.role == IntRole::Number => *k,
        Repr::Enum { int, .. } => *int,
        Repr::Float(4) => {
            each!(4, |b| Value::Float(f64::from(f32::from_le_bytes(b))));
            return Ok(());
        }
        Repr::Float(8) => {
            each!(8, |b| Value::Float(f64::from_le_bytes(b)));
            return Ok(());
        }
        _ => {
            let n = info.size().unwrap_or(1).max(1);
            for b in bytes.chunks_exact(n) {
                out.push(decode_scalar(info, b)?);
            }
            return Ok(());
        }
    };
    match (k.bytes, k.signed) {
        (1, true) => each!(1, |b| Value::Int(i128::from(i8::from_le_bytes(b)))),
        (1, false) => each!(1, |b| Value::Int(i128::from(u8::from_le_bytes(b)))),
        (2, true) => each!(2, |b| Value::Int(i128::from(i16::from_le_bytes(b)))),
        (2, false) => each!(2, |b| Value::Int(i128::from(u16::from_le_bytes(b)))),
        (4, true) => each!(4, |b| Value::Int(i128::from(i32::from_le_bytes(b)))),
        (4, false) => each!(4, |b| Value::Int(i128::from(u32::from_le_bytes(b)))),
        (8, true) => each!(8, |b| Value::Int(i128::from(i64::from_le_bytes(b)))),
        (8, false) => each!(8, |b| Value::Int(i128::from(u64::from_le_bytes(b)))),
        (n, _) => out.extend(
            bytes
                .chunks_exact(usize::from(n).max(1))
                .map(|b| int_value(k, b)),
        ),
    }
    Ok(())
}

/// Decodes a scalar's bytes to a value (long double and complex stay cdata-like: see `read`).
pub(crate) fn decode_scalar(info: &TypeInfo, b: &[u8]) -> Result<Value> {
    Ok(match &info.repr {
        Repr::Int(k) => {
            let i = int_from_bytes(*k, b);
            match k.role {
                IntRole::Char => Value::Bytes([b[0]].into()),
                IntRole::Wide => match char::from_u32(i as u32) {
                    Some(c) => Value::Text(c.to_string()),
                    None => Value::Int(i),
                },
                IntRole::Bool => match i {
                    0 => Value::Bool(false),
                    1 => Value::Bool(true),
                    _ => {
                        return Err(Error::Value(
                            format!("got a _Bool of value {i}, expected 0 or 1").into(),
                        ));
                    }
                },
                IntRole::Number => int_value(*k, b),
            }
        }
        Repr::Enum { int, .. } => int_value(*int, b),
        Repr::Float(2) => Value::Float(floats::f16_to_f64(b)),
        Repr::Float(4) => Value::Float(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        Repr::Float(8) => Value::Float(f64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]))),
        Repr::Complex(4) => Value::List(vec![
            Value::Float(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
            Value::Float(f64::from(f32::from_le_bytes([b[4], b[5], b[6], b[7]]))),
        ]),
        Repr::Complex(8) => Value::List(vec![
            Value::Float(f64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]))),
            Value::Float(f64::from_le_bytes(b[8..16].try_into().unwrap_or([0; 8]))),
        ]),
        _ => {
            return Err(Error::Type(
                format!("ctype '{}' is not a scalar", info.name).into(),
            ));
        }
    })
}

/// C's conversion of a float to an integer: truncation toward zero; NaN and infinities are
/// errors with cffi's messages.
pub(super) fn float_to_int(x: f64) -> Result<i128> {
    if x.is_nan() {
        return Err(Error::Value("cannot convert float NaN to integer".into()));
    }
    if x.is_infinite() {
        return Err(Error::Overflow(
            "cannot convert float infinity to integer".into(),
        ));
    }
    // Truncates toward zero; `as` saturates beyond i128, whose low bits are then all ones or
    // zeros — C leaves such casts undefined.
    Ok(x.trunc() as i128)
}

/// A `long double`'s integer part, exactly (as [`float_to_int`]: NaN and infinities are
/// errors, magnitudes past `i128` saturate).
pub(crate) fn long_double_to_int(x: LongDouble) -> Result<i128> {
    if x.is_nan() || x.is_infinite() {
        return float_to_int(x.to_f64());
    }
    Ok(x.to_int_toward_zero(128, true)
        .unwrap_or(if x.is_sign_negative() {
            i128::MIN
        } else {
            i128::MAX
        }))
}

/// The error of a value that is not an integer where type `info` takes one.
fn integer_required(info: &TypeInfo, v: &Value) -> Error {
    Error::Type(
        format!(
            "an integer is required for ctype '{}', not {}",
            info.name,
            v.describe()
        )
        .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_bytes_keeps_the_type_s_bytes_and_zeroes_the_rest() {
        for bytes in [1u8, 2, 4, 8, 16] {
            let k = IntKind {
                bytes,
                signed: true,
                role: IntRole::Number,
            };
            for i in [0i128, 1, -1, 0x1234_5678_9abc_def0, i128::MIN, i128::MAX] {
                let all = (i as u128).to_le_bytes();
                let got = int_bytes(k, i);
                let n = usize::from(bytes);
                assert_eq!(got[..n], all[..n], "{bytes} bytes of {i}");
                assert!(got[n..].iter().all(|b| *b == 0), "{bytes} bytes of {i}");
            }
        }
    }
}

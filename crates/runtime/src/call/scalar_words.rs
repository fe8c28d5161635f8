//! The register words of a scalar argument that is not a plain number — `char`, `_Bool`, a
//! wide character, an enum, `__int128`, a complex number, an x87 `long double` — for the
//! register path (`call::register_path`): converted as the general path converts it, or `None`
//! when the general path must decide (and report the error). No unsafe code.

use super::args::Arg;
use super::invoke::{to_value, value_of};
use crate::abi::Param;
use crate::data::Value;
use crate::types::Ffi;
use crate::types::{IntRole, Repr};

/// The eightbytes of a scalar argument that is not a plain number (`char`, `_Bool`, a wide
/// character, an enum: its value extended to 64 bits by its signedness, then 0; `__int128`, a
/// complex number or an x87 `long double`: its two eightbytes), converted as the general path
/// converts it; `None` when the general path must decide (and report the error).
#[inline(never)]
pub(super) fn scalar_words(uni: &Ffi, p: &Param, a: &Arg<'_>) -> Option<[u64; 2]> {
    let info = p.ty.get(&uni.inner);
    if let Repr::Int(k) | Repr::Enum { int: k, .. } = info.repr
        && (k.bytes <= 8 || (k.bytes == 16 && k.role == IntRole::Number))
    {
        // A `char` from one byte (a slice or a `Value::Bytes`): its bits, extended by the
        // type's signedness (every byte is in range), without the 128-bit range check below.
        if k.role == IntRole::Char {
            let b = match a {
                Arg::Bytes([b]) => *b,
                Arg::Value(Value::Bytes(v)) | Arg::Ref(Value::Bytes(v)) if v.len() == 1 => v[0],
                _ => return scalar_converted(info, a),
            };
            return Some([char_word(b, k.signed), 0]);
        }
        // An enum or `_Bool` from an integer or a `bool`: range-checked here, as the
        // conversion below would (the general path reports what is out of range or of another
        // kind).
        let i = match (a, k.role) {
            (Arg::Int(x), IntRole::Number | IntRole::Bool) => i128::from(*x),
            (Arg::UInt(x), IntRole::Number | IntRole::Bool) => i128::from(*x),
            (
                Arg::Value(Value::Int(x)) | Arg::Ref(Value::Int(x)),
                IntRole::Number | IntRole::Bool,
            ) => *x,
            (
                Arg::Value(Value::Bool(b)) | Arg::Ref(Value::Bool(b)),
                IntRole::Number | IntRole::Bool,
            ) => i128::from(*b),
            _ => return scalar_converted(info, a),
        };
        let (lo, hi) = k.range();
        if !(lo..=hi).contains(&i) {
            return None;
        }
        // In range, so a signed value's `i64` bits and an unsigned one's `u64` bits are the
        // value extended to 64 bits; a 128-bit one (`__int128`) takes two registers, low half
        // first.
        return Some(match k.bytes {
            16 => [i as u64, (i >> 64) as u64],
            _ if k.signed => [i as i64 as u64, 0],
            _ => [i as u64, 0],
        });
    }
    // A primitive cdata of exactly this type (a `long double` a call returned or an array's
    // item read out, a complex number): its bytes as they are, as `scalar_converted` takes
    // them, without its look for a value first (`call-profile ldc`: 666 -> 602 instructions,
    // 29.9 -> 26.7 ns; placed after the `f64` arm below, `ldc` took 12 more).
    if let Some(c) = a.as_cdata_of(uni, p.ty)
        && !info.by_address()
    {
        let b = u128::from_le_bytes(c.bytes());
        return Some([b as u64, (b >> 64) as u64]);
    }
    // An `f64` for a `long double`: widened exactly (`LongDouble::from_f64`), in registers
    // (through `encode_scalar`, a `Result` in memory written in halves and read whole stalled
    // the load), its two eightbytes, without the general conversion's look for a cdata or a
    // value first (`call-profile ld`: 639 -> 593 instructions, 28.4 -> 27.0 ns; `char` and
    // `__int128` calls, which pass here, 8 more instructions and the same time).
    if let (Arg::Float(x), Some(format)) = (a, crate::data::scalar::long_double_format(info)) {
        let bits = crate::LongDouble::from_f64(*x, format).to_bits();
        return Some([bits as u64, (bits >> 64) as u64]);
    }
    scalar_converted(info, a)
}

/// The register word of a `char` argument's byte `b`: extended to 64 bits by the type's
/// signedness (as C's callers extend narrow arguments; every byte is in range).
#[inline(always)]
pub(super) fn char_word(b: u8, signed: bool) -> u64 {
    if signed {
        i64::from(b as i8) as u64
    } else {
        u64::from(b)
    }
}

/// [`scalar_words`] through the general conversion of the parameter's type.
#[inline(never)]
fn scalar_converted(info: &crate::types::TypeInfo, a: &Arg<'_>) -> Option<[u64; 2]> {
    let same = a
        .as_cdata()
        .filter(|c| c.info().same_type(info) && !info.by_address());
    // As one 128-bit number, which stays in registers: bytes assembled in memory from the
    // arms' stores and loaded whole stalled the load. (An `f64` for a `long double` does not
    // come here: `scalar_words` widens it first.)
    let value: u128 = match (a, value_of(a)) {
        // A primitive cdata of exactly this type (a `long double` a call returned, an enum):
        // its bytes as they are.
        _ if same.is_some() => u128::from_le_bytes(same?.bytes()),
        (_, Some(v)) => u128::from_le_bytes(crate::data::scalar::encode_scalar(info, v).ok()?),
        (Arg::Int(_) | Arg::UInt(_) | Arg::Float(_), None) => {
            u128::from_le_bytes(crate::data::scalar::encode_scalar(info, &to_value(a)).ok()?)
        }
        _ => return None,
    };
    let words = [value as u64, (value >> 64) as u64];
    let (Repr::Int(k) | Repr::Enum { int: k, .. }) = info.repr else {
        // A complex number or an x87 `long double`: its bytes as they are.
        return Some(words);
    };
    if k.bytes > 8 {
        return Some(words);
    }
    // Extended to the whole register by the type's signedness, as the callee may read it (C's
    // callers extend narrow arguments; System V's callees rely on it).
    let bytes = value.to_le_bytes();
    Some([crate::data::scalar::int_from_bytes(k, &bytes) as u64, 0])
}

//! Bitfields: a member of up to 128 bits at any bit offset of a record, read and written
//! through the bytes that hold it (at most 17), with cffi's range checks.

use crate::data::Value;
use crate::data::convert::Place;
use crate::data::scalar::{char_like_init, int_init};
use crate::error::{Error, Result};
use crate::types::{FieldRt, IntRole};

/// Where a bitfield's bits are: its first byte, how many bytes hold it (at most 17: 128 bits
/// that start mid-byte), and the bit position in the first byte.
fn bit_range(p: &Place<'_>, f: &FieldRt, w: u32) -> Result<(usize, usize, u32)> {
    let first = p.item_addr(f.offset_bits / 8, 1)?;
    let shift = (f.offset_bits % 8) as u32;
    let nbytes = (shift + w).div_ceil(8) as usize;
    if w == 0 || w > 128 || nbytes > BITS_BYTES {
        return Err(Error::Type(
            format!("bitfield of {w} bits at bit {shift}: rcffi reads at most 128").into(),
        ));
    }
    Ok((first, nbytes, shift))
}

/// The bytes a bitfield of up to 128 bits can span.
const BITS_BYTES: usize = 17;

/// All ones in the low `w` bits (`w` in 1..=128).
fn low_mask(w: u32) -> u128 {
    u128::MAX >> (128 - w)
}

/// The `w` bits at bit `shift` (0..8) of `b`.
fn extract_bits(b: &[u8; BITS_BYTES], shift: u32, w: u32) -> u128 {
    let lo = u128::from_le_bytes(b[..16].try_into().unwrap_or([0; 16]));
    let hi = u128::from(b[16]);
    let v = if shift == 0 {
        lo
    } else {
        (lo >> shift) | (hi << (128 - shift))
    };
    v & low_mask(w)
}

/// `b` with the `w` bits at bit `shift` (0..8) replaced by the low bits of `v`.
fn insert_bits(b: &mut [u8; BITS_BYTES], shift: u32, w: u32, v: u128) {
    let mask = low_mask(w);
    let v = v & mask;
    let mut lo = u128::from_le_bytes(b[..16].try_into().unwrap_or([0; 16]));
    lo = (lo & !(mask << shift)) | (v << shift);
    b[..16].copy_from_slice(&lo.to_le_bytes());
    if shift > 0 {
        let hmask = (mask >> (128 - shift)) as u8;
        let hv = (v >> (128 - shift)) as u8;
        b[16] = (b[16] & !hmask) | hv;
    }
}

/// Reads the bitfield `f` of `w` bits of the record at `p`, as cffi does: signed ones
/// extended, `_Bool` ones as booleans.
pub(super) fn read(p: &Place<'_>, f: &FieldRt, w: u32) -> Result<Value> {
    let t = f.ty.get(&p.uni.inner);
    let k = t
        .int_kind()
        .ok_or_else(|| Error::Type(format!("bitfield of ctype '{}'", t.name).into()))?;
    let (first, nbytes, shift) = bit_range(p, f, w)?;
    let mut b = [0u8; BITS_BYTES];
    p.region(|r| r.read(first, &mut b[..nbytes]))?;
    let raw = extract_bits(&b, shift, w);
    let v = if k.signed && w < 128 && raw >> (w - 1) & 1 == 1 {
        (raw | !low_mask(w)) as i128
    } else {
        raw as i128
    };
    Ok(match k.role {
        IntRole::Bool => Value::Bool(v != 0),
        _ if !k.signed => Value::from(raw),
        _ => Value::Int(v),
    })
}

/// Writes `v` into the bitfield `f` of `w` bits of the record at `p`, range-checked against
/// the width (cffi's error), leaving the other bits of the bytes it shares as they were.
pub(super) fn write(p: &Place<'_>, f: &FieldRt, w: u32, v: &Value) -> Result<()> {
    let t = f.ty.get(&p.uni.inner);
    let k = t
        .int_kind()
        .ok_or_else(|| Error::Type(format!("bitfield of ctype '{}'", t.name).into()))?;
    let i = match k.role {
        IntRole::Bool => char_like_init(t, k, v)?,
        _ => int_init(t, k, v)?,
    };
    // `int_init` refused negative values for unsigned types, so there `i` holds the value's
    // bits (an `unsigned __int128` above `i128::MAX` included).
    let outside = |v: &dyn std::fmt::Display, lo: i128, hi: &dyn std::fmt::Display| {
        Error::Overflow(
            format!(
                "value {v} outside the range allowed by the bit field width: {lo} <= x <= {hi}"
            )
            .into(),
        )
    };
    if w == 0 || w > 128 {
        return Err(outside(&i, 0, &-1));
    }
    if k.signed {
        let (lo, hi) = if w == 128 {
            (i128::MIN, i128::MAX)
        } else {
            (-(1i128 << (w - 1)), (1i128 << (w - 1)) - 1)
        };
        if i < lo || i > hi {
            return Err(outside(&i, lo, &hi));
        }
    } else if i as u128 > low_mask(w) {
        return Err(outside(&(i as u128), 0, &low_mask(w)));
    }
    let (first, nbytes, shift) = bit_range(p, f, w)?;
    p.region(|r| {
        let mut b = [0u8; BITS_BYTES];
        r.read(first, &mut b[..nbytes])?;
        insert_bits(&mut b, shift, w, i as u128);
        r.write(first, &b[..nbytes])
    })
}

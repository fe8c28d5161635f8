//! A call's number result written into the caller's `Result<Value>` ([`write_number`]): an
//! integer in two 16-byte halves ([`write_int`]); and a cdata result moved in two 16-byte
//! stores ([`in_halves`]).
//!
//! A `Result<Value>` is 32 bytes, returned through memory. Written field by field — the
//! integer's two words, the tag's byte — and then moved by its caller (`?`, `let`, a function
//! argument) in two 16-byte loads, each load spans several stores, which the store buffer
//! cannot forward: the load waits until the stores reach the cache (`add` through a handle:
//! 12.8 ns moved against 7.1 ns taken apart in place, `call-profile add`/`addm`). Written in
//! two 16-byte stores, each of the caller's loads is forwarded from one.
//!
//! # Safety
//!
//! The halves are the bytes of a valid `Ok(Value::Int(i))`: the integer's 16 bytes where the
//! variant keeps its payload (checked to be the value's first 16 bytes), and the other 16
//! copied from a valid `Ok(Value::Int(0))` — the discriminant and padding, the same for every
//! `Int`, and none of the payload. When the layout is not so, the value is written as Rust
//! writes it. `in_halves` copies the 32 bytes of a live value in assembly, as `ptr::copy`
//! would, into a new place, and the original is not dropped: the value is moved. One of the
//! runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use crate::data::Value;
use crate::error::Result;
use crate::mem::{Fast, Number, decode_number};

/// A valid `Ok(Value::Int(0))`, whose last 16 bytes (discriminant and padding) every `Int`
/// result shares.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
static INT: MaybeUninit<Result<Value>> = MaybeUninit::new(Ok(Value::Int(0)));

/// Whether an `Ok(Value::Int(i))` keeps `i` in its first 16 bytes, of 32, and is aligned to
/// 16 (each half a `__m128i`'s place): a constant of the layout the compiler chose.
#[inline(always)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
fn int_first() -> bool {
    // SAFETY: `INT` is initialized (`MaybeUninit::new`) and never written.
    let template = unsafe { &*INT.as_ptr() };
    std::mem::size_of::<Result<Value>>() == 32
        && std::mem::align_of::<Result<Value>>() >= 16
        && matches!(template, Ok(Value::Int(x)) if std::ptr::addr_eq(x, template))
}

/// Writes the number `f` a call returned in register word `w` into `out`: an integer by
/// [`write_int`], a float as Rust writes it.
#[inline(always)]
pub(super) fn write_number(out: &mut MaybeUninit<Result<Value>>, f: Fast, w: u64) {
    match decode_number(f, w.to_le_bytes()) {
        Number::Int(i) => write_int(out, i),
        Number::Float(x) => {
            out.write(Ok(Value::Float(x)));
        }
    }
}

/// Writes `Ok(Value::Int(i))` into `out` in two 16-byte stores.
#[inline(always)]
pub(super) fn write_int(out: &mut MaybeUninit<Result<Value>>, i: i128) {
    #[cfg(target_arch = "x86_64")]
    if int_first() {
        use std::arch::x86_64::{__m128i, _mm_set_epi64x};
        let at = out.as_mut_ptr().cast::<MaybeUninit<__m128i>>();
        // SAFETY: `out` is 32 bytes aligned to 16 (`int_first`), as `INT` is, so their two
        // halves are `__m128i`s' places. The first holds `i` (little endian: its low word
        // first), where the `Int` variant keeps it; the second gets the last 16 bytes of the
        // valid `Ok(Value::Int(0))` in `INT`, copied as they are (`MaybeUninit`: padding
        // included), read with one volatile load so that they are copied in one 16-byte
        // store, not field by field. Together: a valid `Ok(Value::Int(i))` (module docs).
        unsafe {
            let tail = std::ptr::read_volatile(INT.as_ptr().cast::<MaybeUninit<__m128i>>().add(1));
            at.write(MaybeUninit::new(_mm_set_epi64x((i >> 64) as i64, i as i64)));
            at.add(1).write(tail);
        }
        return;
    }
    out.write(Ok(Value::Int(i)));
}

/// `v`, moved in two 16-byte stores: for a cdata result, which the caller moves on in 16-byte
/// loads (its four words were written one by one, and each of the caller's loads waited for
/// two stores to reach the cache; `call-profile s8`, a struct of 8 bytes in and out, 24.4 →
/// 22.7 ns). Its bytes are read 8 at a time — for a cdata, each load from one of the stores
/// that wrote it, so that no load here waits either. Where a `Result<Value>` is not 32 bytes,
/// or under Miri (no assembly), `v` as it is.
#[inline(always)]
pub(super) fn in_halves(v: Result<Value>) -> Result<Value> {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    if std::mem::size_of::<Result<Value>>() == 32 {
        let v = std::mem::ManuallyDrop::new(v);
        let mut out = MaybeUninit::<Result<Value>>::uninit();
        // SAFETY: the assembly reads the 32 bytes of `v` (a live local; padding included, which
        // it only copies) and writes them, in order, into `out`'s 32 bytes; it touches no other
        // memory, no stack and no flags. `out` then holds a copy of the valid value `v`, as a
        // `ptr::copy` would make it, and `v` is not dropped: the value is moved.
        unsafe {
            std::arch::asm!(
                "mov {a}, qword ptr [{src}]",
                "mov {b}, qword ptr [{src} + 8]",
                "movq {x}, {a}",
                "movq {y}, {b}",
                "punpcklqdq {x}, {y}",
                "movdqu xmmword ptr [{dst}], {x}",
                "mov {a}, qword ptr [{src} + 16]",
                "mov {b}, qword ptr [{src} + 24]",
                "movq {x}, {a}",
                "movq {y}, {b}",
                "punpcklqdq {x}, {y}",
                "movdqu xmmword ptr [{dst} + 16], {x}",
                src = in(reg) &raw const *v,
                dst = in(reg) out.as_mut_ptr(),
                a = out(reg) _,
                b = out(reg) _,
                x = out(xmm_reg) _,
                y = out(xmm_reg) _,
                options(nostack, preserves_flags),
            );
            return out.assume_init();
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The halves make the very value Rust would write, for integers that fill each half's
    /// bits, and the value drops and compares as one.
    #[test]
    fn an_int_written_in_halves_is_the_value() {
        for i in [
            0,
            1,
            -1,
            42,
            i128::MAX,
            i128::MIN,
            1 << 64,
            -(1 << 64) + 7,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ] {
            let mut out = MaybeUninit::uninit();
            write_int(&mut out, i);
            // SAFETY: `write_int` wrote a `Result<Value>`.
            let v = unsafe { out.assume_init() };
            assert!(matches!(v, Ok(Value::Int(x)) if x == i), "{i}: {v:?}");
            assert_eq!(v.ok(), Some(Value::Int(i)));
        }
    }

    /// A value moved in halves is the value: each kind, and a cdata that owns its memory (it
    /// is dropped once, by the copy: Miri and valgrind see a double free or a leak otherwise).
    #[test]
    fn a_value_moved_in_halves_is_the_value() {
        let ffi = crate::types::Ffi::default();
        let owned = ffi.new("int[3]", vec![1, 2, 3]).expect("an array");
        let values = [
            Ok(Value::Int(-5)),
            Ok(Value::Float(2.5)),
            Ok(Value::Text("text".into())),
            Ok(Value::List(vec![Value::Int(1), Value::Bool(true)])),
            Ok(Value::CData(owned)),
            Err(crate::Error::Type("an error".into())),
        ];
        for v in values {
            let want = format!("{v:?}");
            let moved = in_halves(v);
            assert_eq!(format!("{moved:?}"), want);
        }
    }

    /// On x86-64 the layout lets the halves be written whole (else `write_int` writes the
    /// value as Rust does, which the test above also checks).
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_layout_keeps_the_int_first() {
        assert!(int_first());
    }
}

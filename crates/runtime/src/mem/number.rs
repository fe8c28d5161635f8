//! Plain numbers in C memory: [`Fast`], the number types that reads and writes take a direct
//! path for, [`Number`], what such a read gives, and [`bytes_of`], a slice of Rust numbers seen
//! as the bytes a write copies.
//!
//! # Safety
//!
//! [`bytes_of`] reinterprets a slice of [`Plain`] numbers as bytes. `Plain` is sealed to Rust's
//! primitive integers and floats: no padding, every byte of every value initialized, and `u8`
//! has alignment 1, so the same memory read as `size_of_val` bytes is initialized and aligned,
//! and the shared borrow keeps it alive and unchanged for the result's lifetime.

/// Rust's primitive numbers, whose values are all initialized bytes (sealed: only these).
pub(crate) trait Plain: Copy + sealed::Sealed {
    /// The number type, as C memory holds it.
    const FAST: Fast;
}

mod sealed {
    pub(crate) trait Sealed {}
}

macro_rules! plain {
    ($($t:ty => $fast:expr),*) => {$(
        impl sealed::Sealed for $t {}
        impl Plain for $t {
            const FAST: Fast = $fast;
        }
    )*};
}
plain!(i8 => Fast::I8, u8 => Fast::U8, i16 => Fast::I16, u16 => Fast::U16, i32 => Fast::I32,
    u32 => Fast::U32, i64 => Fast::I64, u64 => Fast::U64, f32 => Fast::F32, f64 => Fast::F64);
// `isize` and `usize` as the integer of their width (64 or 32 bits, as the target's pointers).
plain!(isize => Fast::of_int::<isize>(true), usize => Fast::of_int::<usize>(false));

/// The bytes of a slice of numbers, in native byte order.
#[inline]
pub(crate) fn bytes_of<T: Plain>(v: &[T]) -> &[u8] {
    // SAFETY: see the module docs: `T` has no padding and every byte initialized, `u8` needs no
    // alignment, the length is the slice's size in bytes, and the borrow is the slice's.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), size_of_val(v)) }
}

/// A plain number type that reads and writes take a direct path for: its size, signedness
/// and kind in one byte-sized tag.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Fast {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
}

impl Fast {
    /// Every plain number type, in the order of their tags (`Fast::ALL[k as usize] == k`).
    pub(crate) const ALL: [Fast; 10] = [
        Fast::I8,
        Fast::U8,
        Fast::I16,
        Fast::U16,
        Fast::I32,
        Fast::U32,
        Fast::I64,
        Fast::U64,
        Fast::F32,
        Fast::F64,
    ];

    /// The integer type of `T`'s size and this signedness (`isize`, `usize`: 4 or 8 bytes).
    const fn of_int<T>(signed: bool) -> Fast {
        match Fast::int(size_of::<T>(), signed) {
            Some(f) => f,
            None => panic!("no integer of this size"),
        }
    }

    /// The integer type of `bytes` bytes and this signedness, if it is one of these.
    pub(crate) const fn int(bytes: usize, signed: bool) -> Option<Fast> {
        Some(match (bytes, signed) {
            (1, true) => Fast::I8,
            (1, false) => Fast::U8,
            (2, true) => Fast::I16,
            (2, false) => Fast::U16,
            (4, true) => Fast::I32,
            (4, false) => Fast::U32,
            (8, true) => Fast::I64,
            (8, false) => Fast::U64,
            _ => return None,
        })
    }

    /// This type's bit in a mask of number types (`Param::lends`).
    pub(crate) const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// Rust's name of this number type (`i32`, `f64`), for messages.
    pub(crate) fn rust_name(self) -> &'static str {
        match self {
            Fast::I8 => "i8",
            Fast::U8 => "u8",
            Fast::I16 => "i16",
            Fast::U16 => "u16",
            Fast::I32 => "i32",
            Fast::U32 => "u32",
            Fast::I64 => "i64",
            Fast::U64 => "u64",
            Fast::F32 => "f32",
            Fast::F64 => "f64",
        }
    }

    /// Size in bytes.
    pub(crate) fn size(self) -> usize {
        match self {
            Fast::I8 | Fast::U8 => 1,
            Fast::I16 | Fast::U16 => 2,
            Fast::I32 | Fast::U32 | Fast::F32 => 4,
            Fast::I64 | Fast::U64 | Fast::F64 => 8,
        }
    }

    /// Whether this type holds every value of type `rust` exactly, as the same bits in its
    /// register: integer types at least as wide (an unsigned one wider for a signed type: no
    /// signed type into an unsigned one), and a float type itself.
    pub(crate) const fn holds(self, rust: Fast) -> bool {
        let (c, r) = (self.int_bits(), rust.int_bits());
        match (c, r) {
            ((cb, cs), (rb, rs)) if cb > 0 && rb > 0 => {
                (cs == rs && cb >= rb) || (cs && !rs && cb > rb)
            }
            _ => self as u8 == rust as u8,
        }
    }

    /// Whether a parameter of this type takes a value of type `rust` without a check: the
    /// types it [`holds`](Fast::holds), and between `float` and `double` either way (an
    /// `f64` rounds to a `float` as every conversion does, an `f32` widens exactly:
    /// [`Fast::float_word`]).
    pub(crate) const fn takes(self, rust: Fast) -> bool {
        self.holds(rust)
            || (matches!(self, Fast::F32 | Fast::F64) && matches!(rust, Fast::F32 | Fast::F64))
    }

    /// Whether the value of integer type `rust` whose register word is `word` (extended to 64
    /// bits by `rust`'s signedness) is in this integer type's range: then that word is also
    /// this type's (the value's own 64-bit two's complement, which both extensions give).
    /// False for floats.
    #[inline(always)]
    pub(crate) const fn fits(self, rust: Fast, word: u64) -> bool {
        let ((cb, cs), (rb, rs)) = (self.int_bits(), rust.int_bits());
        if cb == 0 || rb == 0 {
            return false;
        }
        let v = if rs {
            word as i64 as i128
        } else {
            word as i128
        };
        let bits = cb as u32 * 8;
        let (lo, hi) = if cs {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        };
        lo <= v && v <= hi
    }

    /// The register word of a float of type `rust` (its bits, an `f32`'s in the low half)
    /// passed for a parameter of this type: rounded to a `float`, widened to a `double`, or
    /// as it is.
    #[inline(always)]
    pub(crate) fn float_word(self, rust: Fast, word: u64) -> u64 {
        match (self, rust) {
            (Fast::F32, Fast::F64) => u64::from((f64::from_bits(word) as f32).to_bits()),
            (Fast::F64, Fast::F32) => f64::from(f32::from_bits(word as u32)).to_bits(),
            _ => word,
        }
    }

    /// The mask of the kinds this type [`takes`](Fast::takes), by `kind as u16` as bit index.
    pub(crate) const fn takes_mask(self) -> u16 {
        let mut mask = 0;
        let mut i = 0;
        while i < Fast::ALL.len() {
            if self.takes(Fast::ALL[i]) {
                mask |= 1 << (Fast::ALL[i] as u16);
            }
            i += 1;
        }
        mask
    }

    /// An integer type's width in bytes and signedness; `(0, false)` for a float type.
    const fn int_bits(self) -> (u8, bool) {
        match self {
            Fast::I8 => (1, true),
            Fast::U8 => (1, false),
            Fast::I16 => (2, true),
            Fast::U16 => (2, false),
            Fast::I32 => (4, true),
            Fast::U32 => (4, false),
            Fast::I64 => (8, true),
            Fast::U64 => (8, false),
            Fast::F32 | Fast::F64 => (0, false),
        }
    }

    /// The bytes of integer `i` for this type, when it is in range (floats take any integer).
    #[inline]
    pub(crate) fn encode_int(self, i: i64) -> Option<[u8; 8]> {
        let ok = match self {
            Fast::I8 => i8::try_from(i).is_ok(),
            Fast::U8 => u8::try_from(i).is_ok(),
            Fast::I16 => i16::try_from(i).is_ok(),
            Fast::U16 => u16::try_from(i).is_ok(),
            Fast::I32 => i32::try_from(i).is_ok(),
            Fast::U32 => u32::try_from(i).is_ok(),
            Fast::I64 => true,
            Fast::U64 => i >= 0,
            // To a `double` first, then to a `float`, as the general conversion (and cffi,
            // whose `float(i)` is a `double`) rounds: straight to the nearest `float` can differ
            // (2^53 + 2^29 + 1: 2^53 through a `double`, 2^53 + 2^30 straight).
            Fast::F32 => return Some(u64::from(((i as f64) as f32).to_bits()).to_le_bytes()),
            Fast::F64 => return Some((i as f64).to_bits().to_le_bytes()),
        };
        ok.then(|| (i as u64).to_le_bytes())
    }

    /// The bytes of float `x` for this type, when it is a float type.
    #[inline]
    pub(crate) fn encode_float(self, x: f64) -> Option<[u8; 8]> {
        match self {
            Fast::F32 => Some(u64::from((x as f32).to_bits()).to_le_bytes()),
            Fast::F64 => Some(x.to_bits().to_le_bytes()),
            _ => None,
        }
    }
}

/// A plain number read from C memory.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

/// The number whose bits are the low bytes of `bits` (as
/// [`Region::load_bits`](super::Region::load_bits) reads them; any bits above are ignored).
#[inline(always)]
pub(super) fn decode_bits(fast: Fast, bits: u64) -> Number {
    match fast {
        Fast::I8 => Number::Int(i128::from(bits as u8 as i8)),
        Fast::I16 => Number::Int(i128::from(bits as u16 as i16)),
        Fast::I32 => Number::Int(i128::from(bits as u32 as i32)),
        Fast::I64 => Number::Int(i128::from(bits as i64)),
        Fast::U8 => Number::Int(i128::from(bits as u8)),
        Fast::U16 => Number::Int(i128::from(bits as u16)),
        Fast::U32 => Number::Int(i128::from(bits as u32)),
        Fast::U64 => Number::Int(i128::from(bits)),
        Fast::F32 => Number::Float(f64::from(f32::from_bits(bits as u32))),
        Fast::F64 => Number::Float(f64::from_bits(bits)),
    }
}

/// The bits of the `n`-byte number whose bytes lead `b`, zero-extended (as
/// [`Region::load_bits`](super::Region::load_bits) returns them).
#[inline]
pub(super) fn bits_of(n: usize, b: [u8; 8]) -> u64 {
    match n {
        1 => u64::from(b[0]),
        2 => u64::from(u16::from_ne_bytes([b[0], b[1]])),
        4 => u64::from(u32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        _ => u64::from_ne_bytes(b),
    }
}

/// The value of a plain number's bytes (its leading ones; the rest are ignored: a register's
/// bits above a narrow result's are C's garbage).
#[inline]
pub(crate) fn decode_number(fast: Fast, b: [u8; 8]) -> Number {
    // One match: `decode_bits` takes only the type's own low bytes.
    decode_bits(fast, u64::from_ne_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::Fast;

    /// Every kind, with the range of its values (floats: none, they hold only themselves).
    const KINDS: [(Fast, Option<(i128, i128)>); 10] = [
        (Fast::I8, Some((i8::MIN as i128, i8::MAX as i128))),
        (Fast::U8, Some((0, u8::MAX as i128))),
        (Fast::I16, Some((i16::MIN as i128, i16::MAX as i128))),
        (Fast::U16, Some((0, u16::MAX as i128))),
        (Fast::I32, Some((i32::MIN as i128, i32::MAX as i128))),
        (Fast::U32, Some((0, u32::MAX as i128))),
        (Fast::I64, Some((i64::MIN as i128, i64::MAX as i128))),
        (Fast::U64, Some((0, u64::MAX as i128))),
        (Fast::F32, None),
        (Fast::F64, None),
    ];

    #[test]
    fn a_type_holds_exactly_the_kinds_whose_every_value_it_has() {
        for (c, c_range) in KINDS {
            for (r, r_range) in KINDS {
                let expected = match (c_range, r_range) {
                    (Some((clo, chi)), Some((rlo, rhi))) => clo <= rlo && rhi <= chi,
                    _ => c == r,
                };
                assert_eq!(c.holds(r), expected, "{c:?} holds {r:?}");
                let floats = c_range.is_none() && r_range.is_none();
                assert_eq!(
                    c.takes_mask() & (1 << r as u16) != 0,
                    expected || floats,
                    "{c:?}'s mask, {r:?}"
                );
            }
        }
    }

    /// `Fast::ALL` lists every kind once, in tag order (`fast()` finds each, `takes_mask`
    /// counts each).
    #[test]
    fn every_kind_is_listed_once_at_its_tag() {
        assert_eq!(Fast::ALL.len(), KINDS.len());
        for (i, f) in Fast::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i, "{f:?}");
        }
    }

    /// `fits` against the ranges above, at the edges of every pair of integer kinds: the Rust
    /// value's word (extended by its own signedness) fits exactly when the value is in range.
    #[test]
    fn a_value_fits_exactly_when_it_is_in_range() {
        for (c, c_range) in KINDS {
            for (r, r_range) in KINDS {
                let (Some((clo, chi)), Some((rlo, rhi))) = (c_range, r_range) else {
                    assert!(!c.fits(r, 0), "{c:?}, {r:?}: floats never fit");
                    continue;
                };
                for v in [
                    rlo,
                    rlo + 1,
                    -1,
                    0,
                    1,
                    clo,
                    clo - 1,
                    chi,
                    chi + 1,
                    rhi - 1,
                    rhi,
                ] {
                    if v < rlo || v > rhi {
                        continue;
                    }
                    // The word as the Rust value's `plain_word` makes it.
                    let word = v as i64 as u64;
                    let word = if rlo < 0 { word } else { v as u64 };
                    let expected = clo <= v && v <= chi;
                    assert_eq!(c.fits(r, word), expected, "{v} of {r:?} in {c:?}");
                }
            }
        }
    }

    #[test]
    fn a_register_word_decodes_from_its_own_low_bytes() {
        let junk = 0xdead_beef_cafe_0000u64;
        let int = |f: Fast, low: u64| match super::decode_bits(f, junk | low) {
            super::Number::Int(i) => i,
            super::Number::Float(_) => panic!("{f:?} is an integer type"),
        };
        assert_eq!(int(Fast::I8, 0x80), -128);
        assert_eq!(int(Fast::U8, 0xff), 255);
        assert_eq!(int(Fast::I16, 0x8001), -32767);
        assert_eq!(int(Fast::U16, 0xffff), 65535);
        assert_eq!(int(Fast::I32, 7), i128::from(0xcafe_0007u32 as i32));
        assert_eq!(int(Fast::U32, 7), 0xcafe_0007);
        assert_eq!(int(Fast::U64, 0), i128::from(junk));
    }
}

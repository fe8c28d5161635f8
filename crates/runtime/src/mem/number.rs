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
pub(crate) trait Plain: Copy + sealed::Sealed {}

mod sealed {
    pub(crate) trait Sealed {}
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Plain for $t {}
    )*};
}
plain!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64);

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
    /// Size in bytes.
    pub(crate) fn size(self) -> usize {
        match self {
            Fast::I8 | Fast::U8 => 1,
            Fast::I16 | Fast::U16 => 2,
            Fast::I32 | Fast::U32 | Fast::F32 => 4,
            Fast::I64 | Fast::U64 | Fast::F64 => 8,
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
            Fast::F32 => return Some(u64::from((i as f32).to_bits()).to_le_bytes()),
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

/// The number whose bits [`Region::load_bits`](super::Region::load_bits) read.
#[inline]
pub(super) fn decode_bits(fast: Fast, bits: u64) -> Number {
    match fast {
        Fast::I8 => Number::Int(i128::from(bits as u8 as i8)),
        Fast::I16 => Number::Int(i128::from(bits as u16 as i16)),
        Fast::I32 => Number::Int(i128::from(bits as u32 as i32)),
        Fast::I64 => Number::Int(i128::from(bits as i64)),
        Fast::U8 | Fast::U16 | Fast::U32 | Fast::U64 => Number::Int(i128::from(bits)),
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

/// The value of a plain number's bytes.
#[inline]
pub(crate) fn decode_number(fast: Fast, b: [u8; 8]) -> Number {
    decode_bits(fast, bits_of(fast.size(), b))
}

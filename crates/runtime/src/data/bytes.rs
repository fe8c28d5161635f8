//! [`Bytes`]: a byte string — cffi's `bytes`, what [`Value::Bytes`](crate::Value::Bytes)
//! holds — kept in place up to 16 bytes, so that reading a `char` or a short `char` array
//! allocates nothing.

use std::borrow::Borrow;
use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::mem::SmallBytes;

/// A byte string: one `char`, or the contents of a `char` array (cffi's `bytes`), as
/// [`Value::Bytes`](crate::Value::Bytes) holds it.
///
/// Up to 16 bytes are held in place, past that in an allocation of their own, and a `Bytes`
/// is three words either way (so a [`Value`](crate::Value) stays four). It derefs to `[u8]`,
/// and is made from and compared with byte slices, arrays and vectors. Its `Debug` is a byte
/// string literal, as cffi shows `bytes`: `Value::Bytes(b"hi\0".into())` prints
/// `Bytes(b"hi\x00")`.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Bytes, Value};
/// let ffi = rcffi::Ffi::default();
/// let s = ffi.new("char[]", &b"hi"[..])?;
/// let Value::Bytes(c) = s.get(1)? else { panic!("a char reads as bytes") };
/// assert_eq!(c, b"i");
/// assert_eq!(c.len(), 1);
/// let all: Vec<u8> = Bytes::from(&b"hi\0"[..]).into_vec();
/// assert_eq!(Value::Bytes(b"hi".into()), Value::from(&b"hi"[..]));
/// assert_eq!(all, b"hi\0");
/// assert_eq!(format!("{:?}", s.get(0)?), r#"Bytes(b"h")"#);
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(SmallBytes);

impl Bytes {
    /// The bytes a read gave (`Region::read_c_string`'s), as they are held.
    pub(crate) fn from_small(bytes: SmallBytes) -> Bytes {
        Bytes(bytes)
    }

    /// One byte (a `char` read or returned: cffi's `bytes` of length 1), in place.
    #[inline(always)]
    pub(crate) fn one(b: u8) -> Bytes {
        let mut buf = [0; crate::mem::SMALL_BYTES];
        buf[0] = b;
        Bytes(SmallBytes::from_buf_and_len(buf, 1))
    }

    /// `n` zero bytes, to be read into: in place up to 16, else an allocation of `n`.
    pub(crate) fn zeroed(n: usize) -> Bytes {
        Bytes(SmallBytes::from_elem(0, n))
    }

    /// No bytes.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// assert!(rcffi::Bytes::new().is_empty());
    /// ```
    pub fn new() -> Bytes {
        Bytes(SmallBytes::new())
    }

    /// The bytes, as a slice.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// assert_eq!(rcffi::Bytes::from(b"ab").as_slice(), b"ab");
    /// ```
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// The bytes, as a vector (the allocation itself, past 16 bytes).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// assert_eq!(rcffi::Bytes::from(vec![1, 2]).into_vec(), vec![1, 2]);
    /// ```
    pub fn into_vec(self) -> Vec<u8> {
        self.0.into_vec()
    }

    /// Keeps the first `len` bytes (all of them when there are fewer).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let mut b = rcffi::Bytes::from(b"abc");
    /// b.truncate(1);
    /// assert_eq!(b, b"a");
    /// ```
    pub fn truncate(&mut self, len: usize) {
        self.0.truncate(len);
    }

    /// Appends one byte.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let mut b = rcffi::Bytes::new();
    /// b.push(b'x');
    /// assert_eq!(b, b"x");
    /// ```
    pub fn push(&mut self, byte: u8) {
        self.0.push(byte);
    }

    /// Appends the bytes of `more`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let mut b = rcffi::Bytes::from(b"ab");
    /// b.extend_from_slice(b"cd");
    /// assert_eq!(b, b"abcd");
    /// ```
    pub fn extend_from_slice(&mut self, more: &[u8]) {
        self.0.extend_from_slice(more);
    }

    /// Whether the bytes are held in an allocation of their own (more than 16 of them, or a
    /// vector's allocation kept).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// assert!(!rcffi::Bytes::from(b"x").is_allocated());
    /// assert!(rcffi::Bytes::from(&[0u8; 17][..]).is_allocated());
    /// ```
    pub fn is_allocated(&self) -> bool {
        self.0.spilled()
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Borrow<[u8]> for Bytes {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Bytes {
    /// As a byte string literal, as cffi shows `bytes`: `b"hi\x00"` (printable ASCII as it is,
    /// `\"`, `\\`, `\n`, `\t`, `\r` and `\xNN` for the rest).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.as_slice().escape_ascii())
    }
}

impl From<&[u8]> for Bytes {
    fn from(b: &[u8]) -> Bytes {
        Bytes(SmallBytes::from_slice(b))
    }
}

impl<const N: usize> From<&[u8; N]> for Bytes {
    fn from(b: &[u8; N]) -> Bytes {
        Bytes(SmallBytes::from_slice(b))
    }
}

impl<const N: usize> From<[u8; N]> for Bytes {
    fn from(b: [u8; N]) -> Bytes {
        Bytes(SmallBytes::from_slice(&b))
    }
}

impl From<Vec<u8>> for Bytes {
    /// The vector's bytes: in place when its capacity is at most 16, else in its allocation.
    fn from(v: Vec<u8>) -> Bytes {
        Bytes(SmallBytes::from_vec(v))
    }
}

impl From<&Vec<u8>> for Bytes {
    fn from(v: &Vec<u8>) -> Bytes {
        Bytes::from(v.as_slice())
    }
}

impl From<&str> for Bytes {
    /// The text's UTF-8 bytes.
    fn from(s: &str) -> Bytes {
        Bytes::from(s.as_bytes())
    }
}

impl From<String> for Bytes {
    /// The text's UTF-8 bytes (its allocation kept past 16 bytes).
    fn from(s: String) -> Bytes {
        Bytes::from(s.into_bytes())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Vec<u8> {
        b.into_vec()
    }
}

impl FromIterator<u8> for Bytes {
    fn from_iter<I: IntoIterator<Item = u8>>(iter: I) -> Bytes {
        Bytes(iter.into_iter().collect())
    }
}

impl Extend<u8> for Bytes {
    fn extend<I: IntoIterator<Item = u8>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}

impl<'a> IntoIterator for &'a Bytes {
    type Item = &'a u8;
    type IntoIter = std::slice::Iter<'a, u8>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for Bytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Bytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Bytes {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Bytes> for Vec<u8> {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Bytes> for [u8] {
    fn eq(&self, other: &Bytes) -> bool {
        self == other.as_slice()
    }
}

impl<const N: usize> PartialEq<Bytes> for [u8; N] {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> PartialEq<Bytes> for &[u8; N] {
    fn eq(&self, other: &Bytes) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl PartialEq<Bytes> for &[u8] {
    fn eq(&self, other: &Bytes) -> bool {
        *self == other.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::SMALL_BYTES as INLINE;

    /// Sixteen bytes or fewer in place, more in an allocation, three words either way; a
    /// vector's allocation kept past 16; the same bytes equal however they are held.
    #[test]
    fn short_bytes_are_held_in_place() {
        assert_eq!(size_of::<Bytes>(), 3 * size_of::<usize>());
        for n in 0..40 {
            let v: Vec<u8> = (0..n as u8).collect();
            let b = Bytes::from(v.as_slice());
            assert_eq!(b.is_allocated(), n > INLINE, "{n} bytes");
            assert_eq!(b, v);
            assert_eq!(b.clone().into_vec(), v);
            assert_eq!(Bytes::from(v.clone()), b);
            assert_eq!(v.iter().copied().collect::<Bytes>(), b);
        }
        let mut big = Vec::with_capacity(64);
        big.extend_from_slice(b"abc");
        assert!(
            Bytes::from(big).is_allocated(),
            "the vector's allocation is kept"
        );
        assert_eq!(format!("{:?}", Bytes::from(b"hi")), r#"b"hi""#);
        assert_eq!(
            format!("{:?}", Bytes::from(&b"a\"\\\n\0\xff'"[..])),
            r#"b"a\"\\\n\x00\xff\'""#
        );
        assert_eq!(
            format!("{:?}", crate::Value::Bytes(b"yy".into())),
            r#"Bytes(b"yy")"#
        );
        assert_eq!(Bytes::from("hé"), "hé".as_bytes());
        assert_eq!(Bytes::from(String::from("hi")), *b"hi");
        assert_eq!(b"hi", Bytes::from(b"hi"));
    }
}

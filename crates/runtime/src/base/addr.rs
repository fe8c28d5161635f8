//! Checked address arithmetic: every address rcffi computes from an index or an offset goes
//! through here, so that an overflow is an error instead of an address that wraps around to
//! memory the cdata may use (`p[2^62]` must not read `p[0]`).

use crate::error::{Error, Result};

/// The address of item `i` of `size` bytes from `base`, or `None` if it is outside the
/// address space.
#[inline(always)]
pub(crate) fn item(base: usize, i: isize, size: usize) -> Option<usize> {
    let size = isize::try_from(size).ok()?;
    base.checked_add_signed(i.checked_mul(size)?)
}

/// `base + off`, or `None` if it is outside the address space.
#[inline(always)]
pub(crate) fn plus(base: usize, off: usize) -> Option<usize> {
    base.checked_add(off)
}

/// The error for an index or offset whose address is outside the address space.
#[cold]
pub(crate) fn overflow(what: &str, i: impl std::fmt::Display) -> Error {
    Error::Overflow(format!("{what}: index or offset {i} is outside the address space").into())
}

/// [`item`], with the error naming `what`.
#[inline]
pub(crate) fn item_or_err(
    base: usize,
    i: isize,
    size: usize,
    what: &dyn Fn() -> String,
) -> Result<usize> {
    item(base, i, size).ok_or_else(|| overflow(&what(), i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflowing_items_and_offsets_are_none() {
        assert_eq!(item(0x1000, 2, 4), Some(0x1008));
        assert_eq!(item(0x1000, -2, 4), Some(0xff8));
        assert_eq!(item(0x1000, 1 << 62, 4), None);
        assert_eq!(item(0x1000, isize::MIN, 1), None);
        assert_eq!(item(0x10, -5, 4), None);
        assert_eq!(item(0x1000, 1, usize::MAX), None);
        assert_eq!(plus(usize::MAX - 1, 2), None);
        assert_eq!(plus(8, 2), Some(10));
    }
}

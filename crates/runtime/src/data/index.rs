//! [`ItemIndex`]: the Rust integers that index arrays and offset pointers, so a `usize` loop
//! counter indexes an array without `as isize`. No unsafe code.

use crate::error::{Error, Result};

mod sealed {
    pub trait Sealed {}
}

/// An item index or pointer offset: any Rust integer — `usize` for arrays, `isize` for
/// offsets, a literal (an `i32`, as Rust types an untyped one: write `1isize << 40` for an
/// offset past `i32`). An index past `isize::MAX` is an [`Error::Index`].
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let a = ffi.new("int[]", [10, 20, 30])?;
/// let n: usize = a.len()?;
/// for i in 0..n {
///     assert_eq!(a.get_as::<i32>(i)?, 10 * (i as i32 + 1));
/// }
/// assert_eq!(a.offset(2)?.get(-1)?, 20.into());
/// assert!(a.get(u64::MAX).is_err());
/// # Ok::<(), rcffi::Error>(())
/// ```
pub trait ItemIndex: Copy + std::fmt::Display + sealed::Sealed {
    /// The index as an `isize`, when it is one.
    #[doc(hidden)]
    fn to_isize(self) -> Option<isize>;

    /// The index as an `isize`, or the error naming it.
    #[doc(hidden)]
    #[inline(always)]
    fn index(self) -> Result<isize> {
        match self.to_isize() {
            Some(i) => Ok(i),
            None => Err(too_large(&self)),
        }
    }
}

#[cold]
#[inline(never)]
fn too_large(i: &dyn std::fmt::Display) -> Error {
    Error::Index(format!("index {i} is out of range (more than isize::MAX)").into())
}

macro_rules! item_index {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl ItemIndex for $t {
            #[inline(always)]
            fn to_isize(self) -> Option<isize> {
                isize::try_from(self).ok()
            }
        }
    )*};
}
item_index!(
    isize, usize, i8, u8, i16, u16, i32, u32, i64, u64, i128, u128
);

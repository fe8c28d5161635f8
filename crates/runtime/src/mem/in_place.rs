//! [`InPlace`]: Rust numbers lent to C for one call, which C reads and writes where they are —
//! what a `&mut [T]`, `&mut [T; N]`, `&mut Vec<T>` or `&mut T` of Rust numbers is as a call
//! argument ([`Arg::InPlace`](crate::Arg::InPlace)).
//!
//! # Safety
//!
//! An `InPlace` is made only from a `&'a mut [T]` of [`Plain`] numbers (every bit pattern a
//! valid value, no padding), so it is what that borrow is: unique access to `len` initialized
//! bytes for `'a`, which C may overwrite with any bytes. It keeps the borrow's pointer, taken
//! with `as_mut_ptr` (write provenance), and only ever hands out its address; no Rust code
//! reads or writes through it, so the copies `reborrow` makes (to pass the argument on within
//! one call) alias nothing Rust touches. It is `Send` and `Sync` as the `&mut [u8]` it stands
//! for is. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::marker::PhantomData;
use std::ptr::NonNull;

use super::number::{Fast, Plain};

/// Rust numbers lent to C for the call: C may read and write them where they are, and the
/// Rust side sees what C wrote once the call returns. What a `&mut [T]`, `&mut [T; N]`,
/// `&mut Vec<T>` or `&mut T` of Rust numbers is as an argument: the address of the numbers
/// for a pointer to their own C type (an `int *` for `i32`s), a pointer to bytes (`char *`,
/// `unsigned char *`...) for `u8`s and `i8`s, or a `void *` for any.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Arg, IntoArg};
/// let mut out = [0i32; 4];
/// assert!(matches!((&mut out[..]).into_arg(), Arg::InPlace(_)));
/// ```
pub struct InPlace<'a> {
    /// The first number (dangling but aligned for no numbers).
    at: NonNull<u8>,
    /// How many numbers.
    len: usize,
    /// Their type.
    item: Fast,
    _borrow: PhantomData<&'a mut [u8]>,
}

// SAFETY: an `InPlace` stands for the `&mut [T]` of plain numbers it was made from (module
// docs), which is `Send` and `Sync`; it gives out only the address.
unsafe impl Send for InPlace<'_> {}
// SAFETY: as above.
unsafe impl Sync for InPlace<'_> {}

impl<'a> InPlace<'a> {
    /// The numbers `v`, lent for `'a`.
    #[inline]
    pub(crate) fn new<T: Plain>(v: &'a mut [T]) -> InPlace<'a> {
        let len = v.len();
        InPlace {
            at: NonNull::from(v).cast(),
            len,
            item: T::FAST,
            _borrow: PhantomData,
        }
    }

    /// The address C gets.
    #[inline(always)]
    pub(crate) fn addr(&self) -> usize {
        self.at.as_ptr().expose_provenance()
    }

    /// The numbers' type.
    #[inline(always)]
    pub(crate) fn item(&self) -> Fast {
        self.item
    }

    /// The same numbers, for an argument passed on within one call (module docs).
    pub(crate) fn reborrow(&self) -> InPlace<'_> {
        InPlace {
            at: self.at,
            len: self.len,
            item: self.item,
            _borrow: PhantomData,
        }
    }

    /// What the argument is, for messages: `&mut [i32]` (Rust's name of the numbers' type).
    pub(crate) fn describe(&self) -> String {
        format!("&mut [{}]", self.item.rust_name())
    }
}

impl std::fmt::Debug for InPlace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<{} of {} at {:#x}>",
            self.describe(),
            self.len,
            self.addr()
        )
    }
}

/// The address a `&mut` of one or more numbers gives C, with write provenance (the words the
/// direct path places in registers).
#[inline(always)]
pub(crate) fn addr_mut<T: Plain>(v: &mut [T]) -> u64 {
    v.as_mut_ptr().expose_provenance() as u64
}

#[cfg(test)]
mod tests {
    use super::{InPlace, addr_mut};

    /// C's side: writes `v` into the `n`-th `i32` at the address it was given.
    ///
    /// # Safety
    ///
    /// `at` must be an address of at least `n + 1` writable `i32`s given out with write
    /// provenance.
    unsafe fn c_writes(at: usize, n: usize, v: i32) {
        // SAFETY: the caller's promise.
        unsafe {
            std::ptr::with_exposed_provenance_mut::<i32>(at)
                .add(n)
                .write(v)
        };
    }

    /// What C writes through the address an `InPlace` (or `addr_mut`) gave out is what the
    /// lender reads through its own slice after the loan (Miri checks the provenance).
    #[test]
    fn what_c_writes_through_the_address_the_lender_reads() {
        let mut v = [1i32, 2, 3];
        let lent = InPlace::new(&mut v[..]);
        let again = lent.reborrow();
        assert_eq!(lent.addr(), again.addr());
        assert_eq!(lent.describe(), "&mut [i32]");
        // SAFETY: three i32s, lent with write provenance.
        unsafe {
            c_writes(lent.addr(), 0, 10);
            c_writes(again.addr(), 2, 30);
        }
        assert_eq!(v, [10, 2, 30]);
        let at = addr_mut(&mut v[..]);
        // SAFETY: as above.
        unsafe { c_writes(at as usize, 1, 20) };
        assert_eq!(v, [10, 20, 30]);
        let mut none: [f64; 0] = [];
        assert_ne!(InPlace::new(&mut none[..]).addr(), 0);
    }
}

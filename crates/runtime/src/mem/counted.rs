//! [`Counted`]: a shared value behind one pointer, counted by the spread [`Count`] — `Arc`
//! without a weak count, whose count two threads do not take turns on — for the owners of
//! memory that `new` did not make: a `gc`'s destructor box, a callback's code, a library
//! global's range, lent bytes. (`new`'s memory is a [`Shared`](super::Shared) block, counted
//! the same way.)
//!
//! # Safety
//!
//! A `Counted` points to a heap box holding the count and the value, allocated with
//! [`box_layout`] from the thread's recycled blocks (`recycle::alloc`: a `gc`'s box and a
//! handle's came and went through `malloc` and `free`, a third of `new_handle`) and written
//! whole before the pointer is made; the count ([`Count`], whose docs say why) finds the one
//! release of the last reference, which drops the value and gives the block back with the same
//! layout, once. A reference keeps the lane its count is in in the low bits of its
//! pointer (the box is aligned to at least 16): [`count::without_lane`](super::count) clears
//! them, keeping the provenance, before any dereference.

use std::alloc::Layout;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::count::{self, Count};
use super::recycle;

/// The heap box: the count, then the value.
struct Inner<T> {
    count: Count,
    value: T,
}

/// A shared `T`. See the module docs.
pub(crate) struct Counted<T> {
    /// The box's address, with the lane this reference is counted in in its low bits.
    tagged: NonNull<Inner<T>>,
    /// Drops a `T` (with the box).
    _owns: PhantomData<Inner<T>>,
}

// SAFETY: a `Counted` hands out `&T` to any thread that holds one and drops the `T` on
// whichever thread lets go of it last, as `Arc<T>` does: that needs `T: Send + Sync`. The count
// is atomic.
unsafe impl<T: Send + Sync> Send for Counted<T> {}
// SAFETY: as for Send.
unsafe impl<T: Send + Sync> Sync for Counted<T> {}

/// The layout of `T`'s box: `Inner<T>`'s, aligned to at least the recycled blocks' 16 bytes
/// and padded to it (a box aligned to more goes to the system allocator, which `recycle`
/// does itself for layouts it does not cache).
fn box_layout<T>() -> Layout {
    Layout::new::<Inner<T>>()
        .align_to(recycle::ALIGN)
        .map(|l| l.pad_to_align())
        .unwrap_or_else(|_| {
            unreachable!("Inner<T> is a Rust type: its layout, aligned to 16, fits")
        })
}

impl<T> Counted<T> {
    /// Shares `value`.
    pub(crate) fn new(value: T) -> Counted<T> {
        let layout = box_layout::<T>();
        // SAFETY: the layout is not empty (it holds a `Count`); the block is `layout`'s, aligned
        // for `Inner<T>`, and written whole before the pointer is made.
        let inner = unsafe {
            let p = recycle::alloc(layout).cast::<Inner<T>>();
            p.as_ptr().write(Inner {
                count: Count::one(),
                value,
            });
            p
        };
        Counted {
            tagged: inner,
            _owns: PhantomData,
        }
    }

    /// The box, without the lane.
    #[inline(always)]
    fn inner(&self) -> *mut Inner<T> {
        count::without_lane(self.tagged)
    }

    /// The value's address: two references share a value when they give the same one.
    #[inline]
    pub(crate) fn as_ptr(this: &Counted<T>) -> *const T {
        // SAFETY: the box lives while this reference is counted.
        unsafe { &raw const (*this.inner()).value }
    }

    /// The number of references, while one thread at a time has counted them (for tests).
    #[cfg(test)]
    pub(crate) fn count(this: &Counted<T>) -> usize {
        // SAFETY: as in Deref.
        unsafe { (*this.inner()).count.unspread() }
    }

    /// Whether two references share one value.
    #[inline]
    pub(crate) fn ptr_eq(a: &Counted<T>, b: &Counted<T>) -> bool {
        std::ptr::eq(Counted::as_ptr(a), Counted::as_ptr(b))
    }
}

impl<T> std::ops::Deref for Counted<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the box lives while this reference is counted.
        unsafe { &(*self.inner()).value }
    }
}

impl<T> Clone for Counted<T> {
    /// Out of line, as `drop`.
    #[inline(never)]
    fn clone(&self) -> Counted<T> {
        // SAFETY: as in Deref.
        let count = unsafe { &(*self.inner()).count };
        Counted {
            tagged: count::another(self.tagged, count),
            _owns: PhantomData,
        }
    }
}

impl<T> Drop for Counted<T> {
    /// Out of line: every cdata's drop matches its owner's kind, and these kinds are rare on
    /// hot paths (in line, they made the common ones' drops bigger than the compiler inlines).
    #[inline(never)]
    fn drop(&mut self) {
        let inner = self.inner();
        // SAFETY: as in Deref; the last reference drops the box `new` made, once (module docs).
        unsafe {
            if (*inner).count.release(count::lane_of(self.tagged)) {
                free_box(inner);
            }
        }
    }
}

/// Drops the value in the box at `inner` and gives the block back, also when the value's drop
/// panics (as a `Box` would).
///
/// # Safety
///
/// `inner` is a box [`Counted::new`] made for `T`, which nothing references any more; called
/// once for it.
unsafe fn free_box<T>(inner: *mut Inner<T>) {
    /// Gives the block back when dropped.
    struct Block(NonNull<u8>, Layout);
    impl Drop for Block {
        fn drop(&mut self) {
            // SAFETY: the block `recycle::alloc` gave for this layout, its value dropped (or its
            // drop unwinding), and nothing references it (the caller's promise).
            unsafe { recycle::dealloc(self.0, self.1) };
        }
    }
    // SAFETY: `inner` is non-null: a box `new` made.
    let _block = Block(
        unsafe { NonNull::new_unchecked(inner.cast()) },
        box_layout::<T>(),
    );
    // SAFETY: the value was written by `new` and is dropped once, here (the caller's promise).
    unsafe { std::ptr::drop_in_place(inner) };
}

impl<T: std::fmt::Debug> std::fmt::Debug for Counted<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts its drops.
    struct Dropped<'a>(&'a AtomicUsize);
    impl Drop for Dropped<'_> {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// A value whose drop panics: the panic reaches the last reference's drop, and the box is
    /// still given back (the next box of its layout, on this thread, is the same block).
    #[test]
    fn a_box_whose_value_panics_on_drop_is_given_back() {
        if !recycle::on() {
            return; // Miri, or RCFFI_NO_RECYCLE: blocks go to the system allocator
        }
        /// Panics when dropped, if armed.
        struct Bomb(bool);
        impl Drop for Bomb {
            fn drop(&mut self) {
                assert!(!self.0, "the value's drop panics");
            }
        }
        let armed = Counted::new(Bomb(true));
        let first = armed.inner() as usize;
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(armed)));
        assert!(r.is_err(), "the panic reaches the drop's caller");
        let next = Counted::new(Bomb(false));
        assert_eq!(next.inner() as usize, first, "the block came back");
    }

    /// Threads cloning one value at once (its count spreads) while another drops their
    /// clones: the value is dropped once, after the last reference, and every clone reads it.
    #[test]
    fn a_value_cloned_by_threads_at_once_is_dropped_once_after_the_last() {
        let drops = AtomicUsize::new(0);
        let first = Counted::new((7u64, Dropped(&drops)));
        count::clone_on_threads(&first, |c| {
            assert_eq!(c.0, 7);
            assert!(Counted::ptr_eq(c, &first));
        });
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        let last = first.clone();
        drop(first);
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        drop(last);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    }
}

//! [`Shared`]: a reference-counted [`Allocation`], the memory every cdata derived from one
//! `new` shares.
//!
//! It is `Arc<Allocation>` without what that costs per cdata: no weak count (so freeing takes
//! no second atomic operation), and dropping the last reference reads the count instead of
//! decrementing it. The last reference is the common case: the cdata that `new` or a call's
//! struct result made, dropped without ever being cloned. Two atomic read-modify-writes are
//! about 10 ns of a 40 ns `new` here; `std::sync::Arc` and `triomphe::Arc` both decrement.
//!
//! # Safety
//!
//! The count is the number of `Shared` values pointing to the block; the block is freed once,
//! by the value that takes the count from 1 to 0 or finds it at 1 (then no other reference
//! exists, and none can be made, since making one takes one). Clones increment with `Relaxed`
//! ordering (the new reference is made from an existing one, as in `Arc`); drops decrement with
//! `Release`, and the one that frees first synchronizes with them (`Acquire`), so every use of
//! the memory happens before it is freed.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering, fence};

use super::Allocation;

/// The heap block: the count, then the allocation (whose bytes may be inline in it).
struct Block {
    count: AtomicUsize,
    alloc: Allocation,
}

/// A shared reference to an [`Allocation`]. See the module docs.
pub(crate) struct Shared {
    block: NonNull<Block>,
}

// SAFETY: a Shared gives out only `&Allocation`, and Allocation is Send + Sync; the count is
// atomic.
unsafe impl Send for Shared {}
// SAFETY: as for Send.
unsafe impl Sync for Shared {}

impl Shared {
    /// Shares `alloc`.
    pub(crate) fn new(alloc: Allocation) -> Shared {
        Shared::from_box(Box::new(Block {
            count: AtomicUsize::new(1),
            alloc,
        }))
    }

    /// A block whose allocation `init` writes in place (no copy of inline bytes).
    ///
    /// # Safety
    ///
    /// `init` must initialize the whole `Allocation` it is given a pointer to.
    #[inline]
    pub(super) unsafe fn new_in_place(init: impl FnOnce(*mut Allocation)) -> Shared {
        let mut b = Box::<Block>::new_uninit();
        let p = b.as_mut_ptr();
        // SAFETY: `p` points to the uninitialized block, valid for writes; the count is written
        // here and the caller's `init` writes the allocation, so the whole block is initialized
        // before `assume_init`.
        unsafe {
            std::ptr::addr_of_mut!((*p).count).write(AtomicUsize::new(1));
            init(std::ptr::addr_of_mut!((*p).alloc));
            Shared::from_box(b.assume_init())
        }
    }

    fn from_box(b: Box<Block>) -> Shared {
        Shared {
            block: NonNull::from(Box::leak(b)),
        }
    }

    /// The allocation's address, to tell allocations apart.
    pub(crate) fn as_ptr(&self) -> *const Allocation {
        &**self
    }
}

impl std::ops::Deref for Shared {
    type Target = Allocation;
    #[inline]
    fn deref(&self) -> &Allocation {
        // SAFETY: the block lives while this reference is counted.
        unsafe { &self.block.as_ref().alloc }
    }
}

impl Clone for Shared {
    #[inline]
    fn clone(&self) -> Shared {
        // SAFETY: as in Deref.
        let count = unsafe { &self.block.as_ref().count };
        if count.fetch_add(1, Ordering::Relaxed) > isize::MAX as usize {
            // As `Arc`: a count this high means clones are being leaked; stop before it wraps.
            std::process::abort();
        }
        Shared { block: self.block }
    }
}

impl Drop for Shared {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: as in Deref.
        let count = unsafe { &self.block.as_ref().count };
        // The last reference (the common case) frees without a read-modify-write.
        if count.load(Ordering::Acquire) != 1 && count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        // SAFETY: this was the last reference (see the module docs); the block came from
        // `Box::leak` and is freed once, here.
        drop(unsafe { Box::from_raw(self.block.as_ptr()) });
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_reference_frees_once_across_threads() {
        let a = Allocation::zeroed_shared(200, 8).unwrap();
        let addr = a.addr();
        let clones: Vec<Shared> = (0..64).map(|_| a.clone()).collect();
        let threads: Vec<_> = clones
            .into_iter()
            .map(|c| std::thread::spawn(move || c.addr()))
            .collect();
        for t in threads {
            assert_eq!(t.join().unwrap(), addr);
        }
        assert_eq!(a.size(), 200);
        drop(a);
    }
}

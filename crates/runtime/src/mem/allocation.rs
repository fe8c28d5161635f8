//! [`Allocation`]: memory rcffi owns — zeroed and aligned, small ones inline in their shared
//! block — and freed (or given back to a user's allocator) exactly once. See the `mem` module's
//! safety notes.

use std::alloc::Layout;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

use super::{Access, KeepSet, Region, Shared};
use crate::error::{Error, Result};

/// Memory owned by rcffi: zeroed (unless a custom allocator says otherwise) and aligned.
pub(crate) struct Allocation {
    /// The memory: its own heap block, or, for [`Free::Inline`], the bytes right after the
    /// shared block that holds this allocation (one heap block per `new`, of the exact size).
    ptr: NonNull<u8>,
    /// The size, and how to give the memory back.
    meta: Meta,
    /// What the pointers stored in this memory keep alive; dropped in `Drop` only when it was
    /// ever used (an unused set owns nothing, and skipping it skips two calls per free).
    keep: ManuallyDrop<KeepSet>,
}

/// The largest allocation kept inline, after its shared block's header (aligned to at most 16).
pub(super) const INLINE: usize = 4096;

/// How an allocation's memory goes back.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Free {
    /// The bytes follow the shared block's header; the block frees them.
    Inline,
    /// Allocated by the global allocator with the allocation's size (at least 1) and this
    /// alignment.
    Global {
        /// The layout's alignment.
        align: usize,
    },
    /// Allocated by a user's allocator: the [`CustomFree`] that gives it back follows the
    /// shared block's header, where inline bytes would be (`Shared::custom`), and the block
    /// runs it.
    Custom,
}

/// An allocation's size and [`Free`] in one word (the header every `new` has is 32 bytes):
/// the size in the low 56 bits, then 2 bits of kind, then the log2 of a heap allocation's
/// alignment in the top 6.
#[derive(Copy, Clone)]
pub(super) struct Meta(u64);

impl Meta {
    const SIZE_BITS: u32 = 56;
    const SIZE_MASK: u64 = (1 << Meta::SIZE_BITS) - 1;
    /// The largest allocation: 2^56 - 1 bytes (64 PiB), more than any machine maps.
    pub(super) const MAX_SIZE: u64 = Meta::SIZE_MASK;

    /// `size` bytes given back by `free`. The caller keeps `size` within [`Meta::MAX_SIZE`]
    /// and a `Global` alignment a power of two.
    fn new(size: usize, free: Free) -> Meta {
        debug_assert!(size as u64 <= Meta::MAX_SIZE);
        let (kind, log) = match free {
            Free::Inline => (0u64, 0u64),
            Free::Global { align } => (1, u64::from(align.trailing_zeros())),
            Free::Custom => (2, 0),
        };
        Meta((size as u64 & Meta::SIZE_MASK) | (kind << Meta::SIZE_BITS) | (log << 58))
    }

    #[inline(always)]
    fn size(self) -> usize {
        (self.0 & Meta::SIZE_MASK) as usize
    }

    #[inline(always)]
    fn free(self) -> Free {
        match (self.0 >> Meta::SIZE_BITS) & 3 {
            0 => Free::Inline,
            1 => Free::Global {
                align: 1 << (self.0 >> 58),
            },
            _ => Free::Custom,
        }
    }
}

/// What gives a user allocator's memory back (`new_allocator`'s `free`), run once.
pub(super) struct CustomFree(pub(super) Option<Box<dyn FnOnce(usize) + Send + Sync>>);

// SAFETY: the allocation is plain memory; all access to it goes through Regions whose
// bounds are checked, and concurrent access from several threads is the program's business as
// it is in C (each single load and store is of plain bytes). The pointer is only freed in Drop.
unsafe impl Send for Allocation {}
// SAFETY: as for Send.
unsafe impl Sync for Allocation {}

impl Allocation {
    /// The largest allocation (2^56 - 1 bytes): what `new` may ask a user's allocator for.
    pub(crate) const MAX_SIZE: usize = if Meta::MAX_SIZE > usize::MAX as u64 {
        usize::MAX
    } else {
        Meta::MAX_SIZE as usize
    };

    /// An allocation of `size` bytes (at most [`Meta::MAX_SIZE`]) at `ptr`, given back by
    /// `free`.
    pub(super) fn over(ptr: NonNull<u8>, size: usize, free: Free) -> Allocation {
        Allocation {
            ptr,
            meta: Meta::new(size, free),
            keep: ManuallyDrop::new(KeepSet::default()),
        }
    }

    /// New zeroed memory of `size` bytes aligned to `align` (a power of two), on the heap
    /// ([`Allocation::zeroed_shared`] keeps small ones inline in their shared block).
    pub(crate) fn zeroed(size: usize, align: usize) -> Result<Allocation> {
        let layout = Layout::from_size_align(size.max(1), align.max(1))
            .ok()
            .filter(|_| size as u64 <= Meta::MAX_SIZE)
            .ok_or_else(|| {
                Error::Memory(format!("cannot allocate {size} bytes aligned to {align}").into())
            })?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(ptr).ok_or_else(|| {
            Error::Memory(format!("out of memory allocating {size} bytes").into())
        })?;
        Ok(Allocation::over(
            ptr,
            size,
            Free::Global {
                align: layout.align(),
            },
        ))
    }

    /// [`Allocation::zeroed`], already shared: a small allocation is built in place in its
    /// block (one heap block, no copy of the inline bytes), one of 56 bytes or fewer (aligned to
    /// at most 8) in a compact block of 16, 32 or 64 (`slab`). In line: `new`'s path.
    #[inline(always)]
    pub(crate) fn zeroed_shared(size: usize, align: usize) -> Result<Shared> {
        if size > INLINE || align > 16 {
            return Ok(Shared::new(Allocation::zeroed(size, align)?));
        }
        if align <= 8 && Shared::fits_compact(size) {
            return Ok(Shared::compact_zeroed(size));
        }
        Ok(Shared::inline_zeroed(size))
    }

    /// New shared memory holding a copy of `bytes`, aligned to `align`: copied with a plain
    /// `memcpy` (the block is new, and no one else can see it before this returns), not byte by
    /// byte as shared memory is.
    pub(crate) fn shared_copy(bytes: &[u8], align: usize) -> Result<Shared> {
        let s = Allocation::zeroed_shared(bytes.len(), align)?;
        // SAFETY: the block was just made: `bytes.len()` bytes at its address are valid for
        // writes, and nothing else holds a reference to it (the only `Shared` is `s`, not yet
        // returned), so nothing reads or writes them meanwhile.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), s.addr() as *mut u8, bytes.len());
        }
        Ok(s)
    }

    /// New shared memory holding the first `size` (at most 16) bytes of `words`, in the order
    /// of its bytes (a struct result's registers): written as words, with no zeroing first and
    /// no `memcpy` call, which cost a small struct result as much as its call's own work.
    #[inline]
    pub(crate) fn shared_words(size: usize, words: [u64; 2]) -> Shared {
        if Shared::fits_compact(size) {
            return Shared::compact(size, [words[0], words[1], 0]);
        }
        Shared::inline_words(size, words)
    }

    /// Memory from a user's allocator (cffi's `new_allocator`), shared.
    ///
    /// # Safety
    ///
    /// `addr` must be valid for reads and writes of `size` bytes, aligned for the type that
    /// will live there, until `free` is called (or forever if it is `None`).
    pub(crate) unsafe fn custom(
        addr: usize,
        size: usize,
        free: Option<Box<dyn FnOnce(usize) + Send + Sync>>,
        clear: bool,
    ) -> Result<Shared> {
        let ptr = NonNull::new(addr as *mut u8)
            .ok_or_else(|| Error::Memory("alloc() returned NULL".into()))?;
        if size as u64 > Meta::MAX_SIZE {
            return Err(Error::Memory(
                format!("cannot allocate {size} bytes").into(),
            ));
        }
        if clear {
            // SAFETY: the caller promises `size` writable bytes at `addr`.
            unsafe { std::ptr::write_bytes(ptr.as_ptr(), 0, size) };
        }
        Ok(Shared::custom(
            Allocation::over(ptr, size, Free::Custom),
            CustomFree(free),
        ))
    }

    /// Address of the first byte.
    #[inline]
    pub(crate) fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// How the memory goes back.
    #[inline(always)]
    pub(super) fn free(&self) -> Free {
        self.meta.free()
    }

    /// Size in bytes.
    #[inline(always)]
    pub(crate) fn size(&self) -> usize {
        self.meta.size()
    }

    /// The whole allocation as a region.
    #[inline]
    pub(crate) fn region(&self) -> Region<'_> {
        Region {
            base: self.addr(),
            len: self.size(),
            access: Access::ReadWrite,
            _borrow: PhantomData,
        }
    }

    /// What the pointers stored in this memory keep alive.
    pub(crate) fn keep_set(&self) -> &KeepSet {
        &self.keep
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        if self.keep.is_used() {
            // SAFETY: dropped once, here; `keep` is not used again (the allocation is going).
            unsafe { ManuallyDrop::drop(&mut self.keep) };
        }
        // Inline bytes and a user allocator's memory are given back by the shared block
        // (`Shared`'s drop), which holds them.
        if let Free::Global { align } = self.free() {
            // The layout `zeroed` allocated with (it was valid then, so it is now).
            if let Ok(layout) = Layout::from_size_align(self.size().max(1), align) {
                // SAFETY: `ptr` came from `alloc_zeroed` with this layout and is freed once,
                // here.
                unsafe { std::alloc::dealloc(self.ptr.as_ptr(), layout) }
            }
        }
    }
}

impl std::fmt::Debug for Allocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Allocation({:#x}, {} bytes)", self.addr(), self.size())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_zeroed_aligned_and_bounded() {
        let a = Allocation::zeroed(24, 16).unwrap();
        assert_eq!(a.addr() % 16, 0);
        let r = a.region();
        assert_eq!(r.bytes_at(a.addr(), 24).unwrap(), vec![0; 24]);
        r.write(a.addr() + 20, &[1, 2, 3, 4]).unwrap();
        assert!(r.write(a.addr() + 21, &[1, 2, 3, 4]).is_err());
        assert!(r.read(a.addr() - 1, &mut [0]).is_err());
        assert!(r.check(usize::MAX, 2).is_err());
        let mut out = [0u8; 2];
        r.read(a.addr() + 22, &mut out).unwrap();
        assert_eq!(out, [3, 4]);
    }
}

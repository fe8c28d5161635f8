//! [`Shared`]: a reference-counted [`Allocation`], the memory every cdata derived from one
//! `new` shares.
//!
//! It is `Arc<Allocation>` without what that costs per cdata: no weak count (so freeing takes
//! no second atomic operation), dropping the last reference reads the count instead of
//! decrementing it, and a count that two threads use at once spreads over per-thread lanes
//! ([`Count`]), so that threads deriving pointers from one shared array scale. The last
//! reference is the common case: the cdata that `new` or a call's struct result made, dropped
//! without ever being cloned. Two atomic read-modify-writes are about 10 ns of a 40 ns `new`
//! here; `std::sync::Arc` and `triomphe::Arc` both decrement.
//!
//! # Safety
//!
//! The count ([`Count`], whose docs say why) finds the one release of the last reference,
//! after every use of the memory through any reference; that release frees the block, once.
//! A reference keeps the lane its count is in (0 to 7) in the low bits of its pointer to the
//! block, which is 16-aligned: the block's address is the pointer with those bits cleared
//! (keeping its provenance), and only that address is dereferenced.
//!
//! A *compact* block ([`slab`]) holds an allocation of 1 to 56 bytes aligned to at most 8 in
//! 16 bytes (up to 8), 32 (up to 24) or 64: the count, then the bytes. Its size is in its chunk's header, and
//! its keep set, once a pointer to owned memory is stored in it, in a group its chunk's header
//! points to. A reference to one has [`COMPACT`] set in its
//! pointer, above the lane; every block is 16-aligned, so both fit below the address.

use std::alloc::Layout;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::allocation::{CustomFree, Free, INLINE};
use super::count::{self, Count};
use super::keep::NONE_KEPT;
use super::{Access, Allocation, KeepSet, Region, slab};

/// The bit of a reference's pointer that says its block is compact ([`slab`]'s).
const COMPACT: usize = 8;
/// The low bits of a reference's pointer that are not the block's address.
const TAGS: usize = 15;

/// The heap block's header: the count, then the allocation (32 bytes). An inline allocation's
/// bytes follow it in the same heap block, which is exactly as long as they need
/// ([`Block::layout`]): a `new("int[15]")` is one block of 96 bytes. (Memory of 56 bytes or
/// fewer takes a compact block of 16, 32 or 64 instead: the module docs.) A user allocator's
/// memory has its [`CustomFree`] there instead.
#[repr(C, align(16))]
struct Block {
    count: Count,
    alloc: Allocation,
}

impl Block {
    /// The layout of a block whose inline bytes are `inline` long (0: the bytes are elsewhere),
    /// and the offset of those bytes: the header (whose size is a multiple of 16, its
    /// alignment), then the bytes, rounded up to 8. The bytes start 16-aligned, which is all
    /// an inline allocation needs (`Allocation::zeroed_shared`); an object aligned to 16 is a
    /// multiple of 16 long, so only those aligned to 8 or less end between two multiples of 16.
    #[inline(always)]
    fn layout(inline: usize) -> (Layout, usize) {
        const HEADER: usize = size_of::<Block>();
        debug_assert!(inline <= INLINE && HEADER.is_multiple_of(16));
        // `inline <= INLINE`, so the size is small, and 16 is a power of two.
        match Layout::from_size_align(HEADER + inline.next_multiple_of(8), 16) {
            Ok(layout) => (layout, HEADER),
            Err(_) => unreachable!("a block of at most {INLINE} inline bytes"),
        }
    }
}

/// A shared reference to an [`Allocation`]. See the module docs.
pub(crate) struct Shared {
    /// The block's address, with the lane this reference is counted in in its low bits.
    tagged: NonNull<Block>,
}

// SAFETY: a Shared gives out only `&Allocation`, and Allocation is Send + Sync; the count is
// atomic.
unsafe impl Send for Shared {}
// SAFETY: as for Send.
unsafe impl Sync for Shared {}

impl Shared {
    /// Shares `alloc`.
    pub(crate) fn new(alloc: Allocation) -> Shared {
        let (layout, _) = Block::layout(0);
        // SAFETY: the layout is the header's, which has a non-zero size; the header is
        // written in full before the pointer is used.
        unsafe {
            let block = Shared::alloc(layout).cast::<Block>();
            block.write(Block {
                count: Count::one(),
                alloc,
            });
            Shared { tagged: block }
        }
    }

    /// Shares memory from a user's allocator: `free` is kept right after the header, where
    /// inline bytes would be, and run by the last reference after the allocation is dropped.
    pub(super) fn custom(alloc: Allocation, free: CustomFree) -> Shared {
        debug_assert_eq!(alloc.free(), Free::Custom);
        let (layout, offset) = Block::layout(size_of::<CustomFree>());
        // SAFETY: the layout has a non-zero size; the `CustomFree` slot lies inside it at a
        // 16-aligned offset (enough for its alignment), and is read once, by `drop`; the
        // header is written in full before the pointer is used.
        unsafe {
            let raw = Shared::alloc(layout);
            raw.add(offset).cast::<CustomFree>().write(free);
            let block = raw.cast::<Block>();
            block.write(Block {
                count: Count::one(),
                alloc,
            });
            Shared { tagged: block }
        }
    }

    /// A block with `size` zeroed bytes of its own, right after its header, aligned to 16.
    /// The caller keeps `size` at most [`INLINE`].
    #[inline]
    pub(super) fn inline_zeroed(size: usize) -> Shared {
        let (layout, offset) = Block::layout(size);
        // SAFETY: the layout has a non-zero size (the header); `offset + size` lies inside
        // it, so the data pointer is inside the same heap block, with its provenance (a raw
        // pointer, not derived from a reference to the header); the header is written in full
        // before the pointer is used.
        unsafe {
            let raw = Shared::alloc(layout);
            let data = raw.add(offset);
            // The block holds the bytes rounded up to 8 (`Block::layout`), from a 16-byte
            // aligned offset: up to 32 of them are zeroed with at most three stores, not a
            // `memset` call (written out: a loop of them becomes one).
            let padded = size.next_multiple_of(8);
            if padded <= 32 {
                if padded >= 16 {
                    data.cast::<[u64; 2]>().write([0, 0]);
                }
                if padded == 32 {
                    data.add(16).cast::<[u64; 2]>().write([0, 0]);
                }
                if padded % 16 == 8 {
                    data.add(padded - 8).cast::<u64>().write(0);
                }
            } else {
                data.write_bytes(0, size);
            }
            Shared::inline_header(raw, data, size)
        }
    }

    /// A block holding the `size` (at most 16) bytes of `words` — a struct result's registers,
    /// in the order of its bytes — right after its header, aligned to 16; the block's bytes
    /// past `size` are zero, as [`Shared::inline_zeroed`]'s are. Written as whole words, with
    /// no zeroing first and no `memcpy` call.
    #[inline]
    pub(super) fn inline_words(size: usize, words: [u64; 2]) -> Shared {
        debug_assert!(size <= 16);
        let size = size.min(16);
        let (layout, offset) = Block::layout(size);
        let keep = low_bytes;
        // SAFETY: the layout has a non-zero size (the header) and holds `size` bytes rounded up
        // to 8 after `offset` (`Block::layout`), 16-aligned: one word at `data` when `size` is
        // at most 8, two otherwise, each aligned; the data pointer keeps the block's
        // provenance; the header is written in full before the pointer is used.
        unsafe {
            let raw = Shared::alloc(layout);
            let data = raw.add(offset);
            if size > 0 {
                data.cast::<u64>().write((words[0] & keep(size)).to_le());
            }
            if size > 8 {
                data.add(8)
                    .cast::<u64>()
                    .write((words[1] & keep(size - 8)).to_le());
            }
            Shared::inline_header(raw, data, size)
        }
    }

    /// Whether an allocation of `size` bytes (aligned to at most 8) takes a compact block.
    #[inline(always)]
    pub(super) fn fits_compact(size: usize) -> bool {
        (1..=slab::MAX).contains(&size) && slab::enabled()
    }

    /// A compact block of `size` (1 to 24) bytes holding the first `size` bytes of `words`, in
    /// the order of its bytes, and zeros after them to the end of its last word; its bytes are
    /// aligned to 8.
    #[inline(always)]
    pub(super) fn compact(size: usize, words: [u64; 3]) -> Shared {
        debug_assert!(size <= 24);
        let raw = slab::alloc(size);
        let n = size.div_ceil(8);
        // SAFETY: a new block of 16 bytes (`size` at most 8) or 32, aligned to 16, no one
        // else's: the count, then `n` words (8-aligned), which its slot holds; the pointer keeps
        // the chunk's provenance and gets the compact bit.
        unsafe {
            raw.cast::<Count>().write(Count::one());
            let data = raw.add(8).cast::<u64>();
            for (k, w) in words.into_iter().enumerate().take(n) {
                let keep = low_bytes(size - 8 * k);
                data.add(k).write((w & keep).to_le());
            }
            Shared {
                tagged: raw.map_addr(|a| a | COMPACT).cast(),
            }
        }
    }

    /// A compact block of `size` (1 to [`slab::MAX`]) zero bytes, aligned to 8: the data of its
    /// whole slot written (one, three or seven words, each a constant-size store).
    #[inline(always)]
    pub(super) fn compact_zeroed(size: usize) -> Shared {
        if size <= 24 {
            return Shared::compact(size, [0; 3]);
        }
        let raw = slab::alloc(size);
        // SAFETY: a new block of 64 bytes (`slab::slot_of` of 25 to 56), aligned to 16, no one
        // else's: the count, then 7 words (8-aligned), which its slot holds; the pointer keeps
        // the chunk's provenance and gets the compact bit.
        unsafe {
            raw.cast::<Count>().write(Count::one());
            raw.add(8).cast::<[u64; 7]>().write([0; 7]);
            Shared {
                tagged: raw.map_addr(|a| a | COMPACT).cast(),
            }
        }
    }

    /// Writes the header of the block at `raw` whose `size` inline bytes, at `data`, are
    /// written: a count of one and an inline allocation.
    ///
    /// # Safety
    ///
    /// `raw` is a new block of `Block::layout(size)`, with `data` its inline bytes' address.
    #[inline(always)]
    unsafe fn inline_header(raw: NonNull<u8>, data: NonNull<u8>, size: usize) -> Shared {
        let block = raw.cast::<Block>();
        // SAFETY: the caller's new block, aligned and large enough for its header.
        unsafe {
            block.write(Block {
                count: Count::one(),
                alloc: Allocation::over(data, size, Free::Inline),
            });
        }
        Shared { tagged: block }
    }

    /// A heap block of `layout` (not zeroed), from the thread's recycled blocks when it has
    /// one ([`recycle`](super::recycle)); aborts as `Box::new` does when memory runs out.
    ///
    /// # Safety
    ///
    /// `layout` must have a non-zero size.
    #[inline]
    unsafe fn alloc(layout: Layout) -> NonNull<u8> {
        // SAFETY: the caller's non-zero size.
        unsafe { super::recycle::alloc(layout) }
    }

    /// The block (the pointer without its lane): a `Block`, unless [`Shared::is_compact`].
    #[inline(always)]
    fn block(&self) -> *mut Block {
        self.tagged.as_ptr().map_addr(|a| a & !TAGS)
    }

    /// Whether the block is compact ([`slab`]'s).
    #[inline(always)]
    fn is_compact(&self) -> bool {
        self.tagged.addr().get() & COMPACT != 0
    }

    /// The block's count (both kinds of block start with it).
    #[inline(always)]
    fn count(&self) -> &Count {
        // SAFETY: the block lives while this reference is counted, and starts with its count.
        unsafe { &*self.block().cast::<Count>() }
    }

    /// The allocation of a block that is not compact.
    #[inline(always)]
    fn allocation(&self) -> &Allocation {
        debug_assert!(!self.is_compact());
        // SAFETY: the block lives while this reference is counted; it is a `Block` (not
        // compact: the callers ask first).
        unsafe { &(*self.block()).alloc }
    }

    /// The address of the memory's first byte.
    #[inline(always)]
    pub(crate) fn addr(&self) -> usize {
        if self.is_compact() {
            // Exposed, as every allocation's address is: regions work with addresses.
            return self.block().expose_provenance() + 8;
        }
        self.allocation().addr()
    }

    /// The memory's size in bytes.
    #[inline(always)]
    pub(crate) fn size(&self) -> usize {
        if self.is_compact() {
            // SAFETY: a compact block is one of `slab`'s, alive while this is counted.
            return unsafe { slab::size_of_block(self.block().cast()) };
        }
        self.allocation().size()
    }

    /// How the memory goes back.
    #[cfg(test)]
    fn free(&self) -> Free {
        if self.is_compact() {
            return Free::Inline;
        }
        self.allocation().free()
    }

    /// The whole memory as a region.
    #[inline]
    pub(crate) fn region(&self) -> Region<'_> {
        if self.is_compact() {
            return Region {
                base: self.addr(),
                len: self.size(),
                access: Access::ReadWrite,
                _borrow: PhantomData,
            };
        }
        self.allocation().region()
    }

    /// What the pointers stored in this memory keep alive: to read them, and to write other
    /// bytes over them. A compact block that never held a pointer to owned memory answers with
    /// an empty set that is not its own: storing into it takes
    /// [`Shared::keep_set_for_store`].
    #[inline]
    pub(crate) fn keep_set(&self) -> &KeepSet {
        if self.is_compact() {
            return self.compact_keep_set();
        }
        self.allocation().keep_set()
    }

    /// [`Shared::keep_set`] of a compact block.
    #[inline]
    fn compact_keep_set(&self) -> &KeepSet {
        // SAFETY: a compact block, alive while this is counted; its set, if any, lives until its
        // last reference takes it out (`drop`), after this borrow.
        unsafe { slab::keep_set(self.block().cast()) }.unwrap_or(&NONE_KEPT)
    }

    /// The memory's own keep set, made if it had none: what a pointer to owned memory stored
    /// into it goes into.
    #[inline]
    pub(crate) fn keep_set_for_store(&self) -> &KeepSet {
        if !self.is_compact() {
            return self.allocation().keep_set();
        }
        // SAFETY: as in `compact_keep_set`.
        unsafe { slab::keep_set_or_make(self.block().cast()) }
    }

    /// The block's address, to tell allocations apart.
    pub(crate) fn as_ptr(&self) -> *const u8 {
        self.block().cast_const().cast()
    }
}

impl Clone for Shared {
    #[inline]
    fn clone(&self) -> Shared {
        Shared {
            tagged: count::another(self.tagged, self.count()),
        }
    }
}

impl Drop for Shared {
    #[inline]
    fn drop(&mut self) {
        let block = self.block();
        if !self.count().release(count::lane_of(self.tagged)) {
            return;
        }
        if self.is_compact() {
            // SAFETY: this was the last reference to this compact block.
            unsafe { free_compact(block.cast()) };
            return;
        }
        // SAFETY: this was the last reference (see the module docs). The common block — its
        // bytes inline, no pointer ever stored in them, its count never spread — holds nothing
        // to drop (its allocation's and count's drops would do nothing), so it goes straight
        // back, as below.
        unsafe {
            let alloc = &(*block).alloc;
            if alloc.free() == Free::Inline
                && !alloc.keep_set().is_used()
                && !(*block).count.is_spread()
            {
                let layout = Block::layout(alloc.size()).0;
                super::recycle::dealloc(NonNull::new_unchecked(block).cast(), layout);
                return;
            }
        }
        // SAFETY: this was the last reference (see the module docs).
        unsafe { free_block(block) }
    }
}

/// Gives back a compact block whose last reference went, after what it holds: its keep set
/// (in its chunk's group), the lanes of a spread count.
///
/// # Safety
///
/// The last reference to the compact block `block` is gone, and this is called once for it.
#[inline]
unsafe fn free_compact(block: *mut u8) {
    // SAFETY: the caller's block, one of `slab`'s, no one else's now: its keep set and count are
    // read and dropped once, and the block given back once, after them.
    unsafe {
        let set = slab::take_keep_set(block);
        // An unspread count owns nothing: its drop, out of line, is skipped.
        if (*block.cast::<Count>()).is_spread() {
            std::ptr::drop_in_place(block.cast::<Count>());
        }
        slab::dealloc(NonNull::new_unchecked(block));
        // What it kept goes after it (it may free other blocks, this one's slot reused).
        drop(set);
    }
}

/// Drops and gives back a block whose last reference went, with what it holds: kept owners,
/// the lanes of a spread count, a user allocator's memory. (Out of line: the common block goes
/// back in `drop`.)
///
/// # Safety
///
/// The last reference to `block` is gone, and this is called once for it.
#[inline(never)]
unsafe fn free_block(block: *mut Block) {
    // SAFETY: the block came from `Shared::alloc` (`recycle::alloc`) with the layout of what
    // follows its header (the inline bytes, a `CustomFree` written by `Shared::custom`, or
    // nothing), which is read out once and the block dropped and given back once, here (the
    // caller's promise).
    unsafe {
        let alloc = &(*block).alloc;
        let (tail, custom) = match alloc.free() {
            Free::Inline => (alloc.size(), None),
            Free::Global { .. } => (0, None),
            Free::Custom => {
                let (_, offset) = Block::layout(0);
                let at = block.cast::<u8>().add(offset).cast::<CustomFree>();
                (size_of::<CustomFree>(), Some((at.read(), alloc.addr())))
            }
        };
        std::ptr::drop_in_place(block);
        // The user's memory goes back after what it kept alive, as it was given. A panic in
        // the user's `free` is reported and kept inside (let out of a drop, it aborts while
        // another panic unwinds), and the block still goes back.
        if let Some((CustomFree(Some(f)), addr)) = custom {
            crate::base::panics::reported(
                || "the free function of a new_allocator allocator".into(),
                move || f(addr),
            );
        }
        super::recycle::dealloc(NonNull::new_unchecked(block).cast(), Block::layout(tail).0);
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Allocation({:#x}, {} bytes)", self.addr(), self.size())
    }
}

/// The bits of the first `n` bytes of a word (its low ones: a word's bytes are little-endian in
/// the order of the block's bytes, written with `to_le`).
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The block size the bytes per held cdata come from (docs/performance.md): a header of
    /// 32 bytes, so a `new("int[15]")` is one block of 96; up to 56 bytes, a compact block of
    /// 16, 32 or 64 (a `new("int *")`: 16, an `int[7]`: 64) where compact blocks are used
    /// (`slab::enabled`).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_small_block_keeps_its_size() {
        assert_eq!(size_of::<Block>(), 32);
        assert_eq!(Block::layout(4).0.size(), 40);
        assert_eq!(Block::layout(16).0.size(), 48);
        assert_eq!(Block::layout(17).0.size(), 56);
        // Every size zeroed in line is whole: each byte is 0, none past the block written
        // (each block is filled with ones and dropped before the next of its size is made,
        // which takes its place again where blocks are reused).
        for size in (0..=72).flat_map(|n| [n, n]) {
            let s = Allocation::zeroed_shared(size, size.clamp(1, 8)).unwrap();
            assert_eq!(s.region().bytes_at(s.addr(), size).unwrap(), vec![0; size]);
            s.region().write(s.addr(), &vec![0xff; size]).unwrap();
            assert_eq!(s.is_compact(), Shared::fits_compact(size));
            assert_eq!(s.size(), size);
            // Aligned for what a block of its size may hold (an object of up to 8 bytes is
            // aligned to at most 8).
            assert!(s.addr().is_multiple_of(if s.is_compact() { 8 } else { 16 }));
        }
    }

    /// A struct result's registers make a block of exactly its bytes: the first `size` bytes
    /// of the words, in order, and zeros in the block's padding after them (as a zeroed
    /// block's), whatever the registers held there.
    #[test]
    fn a_block_from_words_holds_their_first_bytes_and_zeros_after() {
        let words = [0x0807_0605_0403_0201_u64, 0x100f_0e0d_0c0b_0a09];
        let all: Vec<u8> = (1..=16).collect();
        for size in 0..=16 {
            let s = Allocation::shared_words(size, words);
            assert_eq!(s.size(), size);
            assert_eq!(s.is_compact(), Shared::fits_compact(size));
            assert!(s.addr().is_multiple_of(if s.is_compact() { 8 } else { 16 }));
            assert_eq!(s.region().bytes_at(s.addr(), size).unwrap(), &all[..size]);
            // The padding up to the next word: inside the block (`Block::layout`, or a
            // compact block's 8 bytes after its count), zero.
            let padded = size.next_multiple_of(8);
            let offset = if s.is_compact() {
                8
            } else {
                Block::layout(size).1
            };
            // SAFETY: the block holds `padded` bytes after its header (`Block::layout`; a
            // compact one 8 after its count), written by `inline_words`; the block's pointer
            // has the whole block's provenance; `s` keeps it alive, and no one else writes it.
            let tail = unsafe {
                let data = s.block().cast::<u8>().add(offset);
                assert_eq!(data.addr(), s.addr());
                std::slice::from_raw_parts(data.add(size), padded - size)
            };
            assert!(tail.iter().all(|&b| b == 0), "size {size}: {tail:?}");
        }
    }

    /// A user allocator's memory goes back once, by the last reference, with its address,
    /// after what the allocation kept alive.
    #[test]
    fn custom_memory_is_given_back_once_by_the_last_reference() {
        use std::sync::{Arc, Mutex};
        let freed = Arc::new(Mutex::new(Vec::new()));
        let mut buf = vec![7u8; 24];
        let addr = buf.as_mut_ptr() as usize;
        let log = freed.clone();
        let free = Box::new(move |a: usize| log.lock().unwrap().push(a));
        // SAFETY: `buf` outlives the allocation and is not used meanwhile.
        let s = unsafe { Allocation::custom(addr, 24, Some(free), true) }.unwrap();
        assert_eq!((s.addr(), s.size(), s.free()), (addr, 24, Free::Custom));
        // A pointer to other memory stored in it: that memory is kept until this one goes.
        let kept = Allocation::zeroed_shared(8, 8).unwrap();
        let owner = super::super::Owner::Alloc(s.clone());
        let (set, home) = owner.as_ref().keeping_for_store().unwrap();
        let src = super::super::Owner::Alloc(kept.clone());
        set.store_pointer(&s.region(), addr, kept.addr(), src.as_ref(), home)
            .unwrap();
        drop((owner, src));
        let t = s.clone();
        drop(s);
        assert!(freed.lock().unwrap().is_empty());
        drop(t);
        assert_eq!(*freed.lock().unwrap(), [addr]);
        assert_eq!(buf[..8], kept.addr().to_ne_bytes());
        assert_eq!(buf[8..], [0; 16]);
    }

    /// Threads cloning one block at once (its count spreads) and dropping each other's
    /// clones: the block goes back once, after the last of them, and reads the same through
    /// every clone (a clone's lane, in its pointer, never changes what it points to).
    #[test]
    fn a_block_cloned_by_threads_at_once_goes_back_once_after_the_last() {
        use std::sync::{Arc, Mutex};
        let freed = Arc::new(Mutex::new(0));
        let mut buf = vec![0u8; 16];
        let addr = buf.as_mut_ptr() as usize;
        let log = freed.clone();
        let free = Box::new(move |_: usize| *log.lock().unwrap() += 1);
        // SAFETY: `buf` outlives the allocation and is not used meanwhile.
        let s = unsafe { Allocation::custom(addr, 16, Some(free), true) }.unwrap();
        count::clone_on_threads(&s, |c| {
            assert_eq!((c.addr(), c.size(), c.as_ptr()), (addr, 16, s.as_ptr()));
        });
        assert_eq!(*freed.lock().unwrap(), 0);
        drop(s);
        assert_eq!(*freed.lock().unwrap(), 1);
    }

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

    /// A user allocator's 16 bytes, and the count of their frees.
    fn logged() -> (Shared, std::sync::Arc<std::sync::Mutex<usize>>, Vec<u8>) {
        use std::sync::{Arc, Mutex};
        let freed = Arc::new(Mutex::new(0));
        let mut buf = vec![0u8; 16];
        let log = freed.clone();
        let free = Box::new(move |_: usize| *log.lock().unwrap() += 1);
        // SAFETY: `buf` outlives the allocation (the caller keeps it past the last free it
        // checks) and is not used meanwhile.
        let s = unsafe { Allocation::custom(buf.as_mut_ptr() as usize, 16, Some(free), true) };
        (s.unwrap(), freed, buf)
    }

    /// A compact block of every size holds the first bytes of its words, in order, then zeros
    /// to the end of its last word, in a slot of its own.
    #[test]
    fn a_compact_block_holds_its_words_first_bytes() {
        let words = [
            0x0807_0605_0403_0201_u64,
            0x100f_0e0d_0c0b_0a09,
            0x1817_1615_1413_1211,
        ];
        let all: Vec<u8> = (1..=24).collect();
        for size in 1..=24 {
            let (a, b) = (Shared::compact(size, words), Shared::compact(size, words));
            assert!(a.is_compact() && a.size() == size && a.addr().is_multiple_of(8));
            assert!(a.addr().abs_diff(b.addr()) >= slab::slot_of(size));
            assert_eq!(a.region().bytes_at(a.addr(), size).unwrap(), &all[..size]);
            let padded = size.next_multiple_of(8);
            // SAFETY: the block's slot holds `padded` bytes after its count, written by
            // `compact`; the block's pointer has the chunk's provenance; `a` keeps it alive.
            let tail = unsafe {
                let data = a.block().cast::<u8>().add(8);
                std::slice::from_raw_parts(data.add(size), padded - size)
            };
            assert!(tail.iter().all(|&t| t == 0), "size {size}: {tail:?}");
        }
    }

    /// A zeroed compact block of every size (in slots of 16, 32 and 64 bytes) reads as zeros,
    /// also where a block of its size was filled before it and given back, and takes a slot of
    /// its own.
    #[test]
    fn a_zeroed_compact_block_is_zero_at_every_size() {
        for size in 1..=slab::MAX {
            for _ in 0..2 {
                let (a, b) = (Shared::compact_zeroed(size), Shared::compact_zeroed(size));
                assert!(a.is_compact() && a.size() == size && a.addr().is_multiple_of(8));
                assert!(a.addr().abs_diff(b.addr()) >= slab::slot_of(size));
                for s in [&a, &b] {
                    assert_eq!(s.region().bytes_at(s.addr(), size).unwrap(), vec![0; size]);
                    s.region().write(s.addr(), &vec![0xa5; size]).unwrap();
                }
            }
        }
    }

    /// A compact block keeps what a pointer stored in it points into, in a set its chunk
    /// holds, until its last reference goes; until the first store it answers with the shared
    /// empty set, and the block's slot, used again, has none.
    #[test]
    fn a_compact_block_keeps_what_is_stored_in_it_until_it_goes() {
        let c = Shared::compact(8, [0; 3]);
        assert!(c.is_compact());
        assert_eq!((c.size(), c.region().len), (8, 8));
        let (kept, freed, _buf) = logged();
        let owner = super::super::Owner::Alloc(c.clone());
        let (before, _) = owner.as_ref().keeping().unwrap();
        assert!(std::ptr::eq(before, &NONE_KEPT) && !before.is_used());
        let (set, home) = owner.as_ref().keeping_for_store().unwrap();
        assert!(!std::ptr::eq(set, &NONE_KEPT));
        let src = super::super::Owner::Alloc(kept.clone());
        set.store_pointer(&c.region(), c.addr(), kept.addr(), src.as_ref(), home)
            .unwrap();
        drop((src, kept));
        assert_eq!(*freed.lock().unwrap(), 0);
        // Read back through the block's set (found in its chunk), it is a view of the kept memory.
        let (set, home) = owner.as_ref().keeping().unwrap();
        let (value, got) = set.load_pointer(&c.region(), c.addr(), home).unwrap();
        assert_eq!(got.as_ref().memory_range().unwrap().0, value);
        drop(got);
        let slot = c.as_ptr();
        drop((owner, c));
        assert_eq!(*freed.lock().unwrap(), 1);
        // The slot comes back first (the thread's list), without a set.
        let again = Shared::compact(8, [0; 3]);
        assert_eq!(again.as_ptr(), slot);
        assert!(std::ptr::eq(again.keep_set(), &NONE_KEPT));
    }

    /// Threads cloning one compact block at once (its count spreads): it reads the same
    /// through every clone and goes back once, after the last, with what it kept.
    #[test]
    fn a_compact_block_cloned_by_threads_goes_back_once() {
        let c = Shared::compact(4, [0x0403_0201, 0, 0]);
        let (kept, freed, _buf) = logged();
        let owner = super::super::Owner::Alloc(c.clone());
        let (set, home) = owner.as_ref().keeping_for_store().unwrap();
        let src = super::super::Owner::Alloc(kept.clone());
        // Stored as a pointer-sized word would be (the block holds 4 bytes: refused).
        assert!(
            set.store_pointer(&c.region(), c.addr(), kept.addr(), src.as_ref(), home)
                .is_err()
        );
        drop((owner, src, kept));
        assert_eq!(*freed.lock().unwrap(), 1);
        count::clone_on_threads(&c, |d| {
            assert_eq!((d.addr(), d.size(), d.as_ptr()), (c.addr(), 4, c.as_ptr()));
            assert_eq!(d.region().bytes_at(d.addr(), 4).unwrap(), [1, 2, 3, 4]);
        });
        drop(c);
    }
}

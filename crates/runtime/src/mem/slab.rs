//! Blocks of 16 and 32 bytes for the smallest allocations (a `new("int *")`, a `long`
//! out-parameter, a `struct timespec`, a struct result of up to 16 bytes): an 8-byte count,
//! then up to 8 or 24 bytes of data, with no other header and no allocator's chunk header
//! around them.
//!
//! The system allocator's smallest chunk is 32 bytes (24 usable, after its own 8-byte header),
//! so a block of a count and 8 bytes from `malloc` would take twice its size; Python's cffi
//! takes about 53 bytes per held `new("int *")` because its allocator (pymalloc) has no
//! per-object header either. Blocks here come from *chunks* of [`CHUNK`] bytes aligned to their
//! size, carved into slots of 16 bytes (data of 1 to 8 bytes) or 32 (9 to 24,
//! [`slot_of`]). A chunk holds blocks of one size (1 to [`MAX`] bytes):
//! its header, found by masking a block's address, says which, and holds the keep sets of its
//! blocks (`Shared`'s compact blocks): a block has none until a pointer to owned memory is
//! first stored in it, and the header points to a group of 256 places for them, made when the
//! first of its blocks needs one, so that reading a block's set takes two loads and no lock.
//!
//! A thread takes blocks from its own list of freed ones, then from its current chunk, then
//! from its older batch of freed ones, then from the process's pool (a batch of freed blocks,
//! else a run of slots never handed out), then from a new chunk. A block freed goes to the
//! freeing thread's list; when that list holds a [`BATCH`], it becomes the thread's older
//! batch and the older one goes to the process's pool, whole (a list moves as its first block
//! and its length: one lock per batch, no walk through it), so a thread that only frees
//! (another thread's results) hands them on to the threads that allocate. At thread exit a
//! thread's lists and the untouched rest of its chunk (as runs, not written) go to the
//! process's pool. Chunks are never given back to the system: the memory of small blocks is
//! kept for reuse at its peak (16 or 32 bytes per block; a new chunk's pages are only touched
//! as its slots are handed out).
//!
//! # Safety
//!
//! A chunk is one `std::alloc::alloc` of [`CHUNK`] bytes aligned to [`CHUNK`], never freed;
//! every block is a slot of it past its header, and every pointer to a block is derived from
//! the chunk's pointer, so masking a block's address finds the header with the chunk's
//! provenance. A slot is in exactly one place at a time: handed out (its owner's), in one free
//! list (a thread's or the process's; a free slot's first word holds the next one's pointer),
//! or never handed out (past a thread's bump pointer, or in a run the process's pool holds).
//! A thread's lists are its own (`thread_local!`), used only inside `with` on that thread and
//! never re-entered (nothing here calls out); the process's pool is behind a lock. A block
//! given back was given out by [`alloc`] and is given back once, by its last owner, after every
//! use (the count's release and acquire order those uses before the next owner's). A group of
//! keep sets and a keep set are each a `Box` published by a compare-and-swap from null and read
//! with acquire loads; groups are never freed, and a set is taken out (swapped for null) only
//! by its block's last owner, so a set borrowed through a live reference to its block lives
//! while the borrow does.
//!
//! Under Miri, in fuzzing builds and with `RCFFI_NO_RECYCLE` set, `Shared` does not use these
//! blocks ([`enabled`]), so that memory checkers see every block's own allocation and free;
//! this module's own tests run under Miri.

use std::alloc::Layout;
use std::cell::UnsafeCell;
use std::ptr::NonNull;
use std::sync::Mutex;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::KeepSet;

/// The bytes of a chunk, and its alignment.
const CHUNK: usize = 256 << 10;
/// The bytes of the smaller slot (the count and up to 8 bytes of data), and the unit in which
/// slots are numbered.
const SLOT: usize = 16;
/// The largest block's data (in a slot of 32 bytes: the count and up to 24 bytes).
pub(super) const MAX: usize = 24;
/// The places of the smaller slots in a chunk (a bigger slot takes two).
const SLOTS: usize = CHUNK / SLOT;
/// Where a chunk's first block starts: past its header, aligned for slots of either size.
const FIRST: usize = size_of::<Header>().next_multiple_of(32);

/// The bytes of a block of `size` (1 to [`MAX`]) bytes of data: the count and the data, in 16
/// or 32 bytes.
#[inline(always)]
const fn slot_of(size: usize) -> usize {
    if size <= 8 { SLOT } else { 2 * SLOT }
}
/// Blocks in a batch: a thread keeps up to two batches of freed blocks per size (the newest
/// and the one before), and hands the older to the process's pool, or takes one from it, whole.
const BATCH: usize = 256;

/// The places (of 16 bytes) whose keep sets one group holds.
const GROUP: usize = 256;

/// The start of a chunk.
#[repr(C)]
struct Header {
    /// The bytes of data of each of its blocks (1 to [`MAX`]).
    size: usize,
    /// The groups of its blocks' keep sets, each made when one of its blocks first needs one.
    sets: [AtomicPtr<Group>; SLOTS / GROUP],
}

/// The keep sets of the blocks of [`GROUP`] places of a chunk: each a box made on a block's
/// first store of a pointer to owned memory, taken out when the block is given back. Groups are
/// never freed (as chunks are not).
struct Group([AtomicPtr<KeepSet>; GROUP]);

/// Whether `Shared` takes its small blocks from here: not under Miri, in fuzzing builds or with
/// `RCFFI_NO_RECYCLE` set (as for recycled blocks).
#[inline(always)]
pub(super) fn enabled() -> bool {
    super::recycle::on()
}

/// A list of free blocks, each one's first word the next one's pointer, and its length (a
/// list moves between threads whole, as these two words).
#[derive(Copy, Clone)]
struct List {
    head: *mut u8,
    len: usize,
}

const NO_BLOCKS: List = List {
    head: std::ptr::null_mut(),
    len: 0,
};

impl List {
    /// Puts block `p` first.
    ///
    /// # Safety
    ///
    /// `p` is a free block no one else references or lists.
    #[inline(always)]
    unsafe fn push(&mut self, p: *mut u8) {
        // SAFETY: the caller's block.
        unsafe { link(p, self.head) };
        self.head = p;
        self.len += 1;
    }

    /// Takes the first block out, if any.
    #[inline(always)]
    fn pop(&mut self) -> Option<*mut u8> {
        if self.len == 0 {
            return None;
        }
        let p = self.head;
        // SAFETY: a listed block, whose first word links the next (null after the last).
        self.head = unsafe { next(p) };
        self.len -= 1;
        Some(p)
    }
}

/// The free blocks of one size a thread keeps: the newest freed, the batch before them, and
/// the rest of its current chunk.
#[derive(Copy, Clone)]
struct Class {
    hot: List,
    cold: List,
    /// The current chunk's next slot never handed out, and the chunk's end.
    bump: *mut u8,
    end: *mut u8,
}

const EMPTY: Class = Class {
    hot: NO_BLOCKS,
    cold: NO_BLOCKS,
    bump: std::ptr::null_mut(),
    end: std::ptr::null_mut(),
};

/// A thread's free blocks, per size.
struct Local([Class; MAX]);

thread_local! {
    static LOCAL: UnsafeCell<Local> = const { UnsafeCell::new(Local([EMPTY; MAX])) };
}

/// The process's free blocks of one size.
struct Pool {
    /// Batches handed on by threads (each at most [`BATCH`] blocks).
    batches: Vec<List>,
    /// Blocks freed one at a time by threads whose lists were gone (at thread exit).
    loose: List,
    /// Runs of slots never handed out (`start..end` of one chunk), from threads that exited:
    /// kept as runs, so that an exiting thread touches none of their memory.
    runs: Vec<(*mut u8, *mut u8)>,
}

// SAFETY: the pool's blocks are free slots no thread references; the pool is only touched
// under its lock.
unsafe impl Send for Pool {}

/// The process's free blocks, per size.
static GLOBAL: [Mutex<Pool>; MAX] = [const {
    Mutex::new(Pool {
        batches: Vec::new(),
        loose: NO_BLOCKS,
        runs: Vec::new(),
    })
}; MAX];

/// The process's pool of blocks of `size` bytes, locked (nothing panics while it is held, so
/// a poisoned lock still holds a whole pool).
fn global(size: usize) -> std::sync::MutexGuard<'static, Pool> {
    GLOBAL[size - 1]
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The next block after `p` in a free list.
///
/// # Safety
///
/// `p` is a free block in a list (its first word written by [`link`]).
#[inline(always)]
unsafe fn next(p: *mut u8) -> *mut u8 {
    // SAFETY: the caller's free block, whose first word holds a pointer (module docs).
    unsafe { p.cast::<*mut u8>().read() }
}

/// Makes `next` follow the free block `p`.
///
/// # Safety
///
/// `p` is a slot no one else references.
#[inline(always)]
unsafe fn link(p: *mut u8, next: *mut u8) {
    // SAFETY: the caller's slot: at least 16 bytes, aligned to 16.
    unsafe { p.cast::<*mut u8>().write(next) }
}

/// A new block of `size` (1 to [`MAX`]) bytes of data, its bytes (16 or 32, [`slot_of`]) not
/// initialized; aborts as `Box::new` does when memory runs out.
#[inline]
pub(super) fn alloc(size: usize) -> NonNull<u8> {
    debug_assert!((1..=MAX).contains(&size));
    let size = size.clamp(1, MAX);
    let got = LOCAL.try_with(|l| {
        // SAFETY: the thread's own lists, not re-entered (module docs).
        let c = unsafe { &mut (*l.get()).0[size - 1] };
        if let Some(p) = c.hot.pop() {
            return p;
        }
        if c.bump != c.end {
            let p = c.bump;
            // SAFETY: `bump` is a slot of the current chunk before its end, so one slot on
            // is at most the end.
            c.bump = unsafe { p.add(slot_of(size)) };
            return p;
        }
        refill(c, size)
    });
    let p = got.unwrap_or_else(|_| alloc_unowned(size));
    // SAFETY: every block is a slot of a chunk, which is not null.
    unsafe { NonNull::new_unchecked(p) }
}

/// A block for a thread whose newest list is empty and chunk used up: from its older batch,
/// else a batch from the process's pool, else a run of slots the pool holds, else a new
/// chunk.
#[inline(never)]
fn refill(c: &mut Class, size: usize) -> *mut u8 {
    let got = if c.cold.len > 0 {
        Some(std::mem::replace(&mut c.cold, NO_BLOCKS))
    } else {
        let mut g = global(size);
        match g.batches.pop() {
            Some(batch) => Some(batch),
            None if g.loose.len > 0 => Some(std::mem::replace(&mut g.loose, NO_BLOCKS)),
            None => {
                let run = g.runs.pop();
                drop(g);
                let (start, end) = run.unwrap_or_else(|| {
                    let chunk = new_chunk(size);
                    // SAFETY: the chunk's slots from `FIRST` on are blocks; the end is one past
                    // its last.
                    unsafe { (chunk.add(FIRST), chunk.add(CHUNK)) }
                });
                // SAFETY: a run holds at least one slot; one slot on is at most its end.
                c.bump = unsafe { start.add(slot_of(size)) };
                c.end = end;
                return start;
            }
        }
    };
    c.hot = got.unwrap_or(NO_BLOCKS);
    match c.hot.pop() {
        Some(p) => p,
        None => unreachable!("a batch taken is not empty"),
    }
}

/// A block for a thread whose lists are gone (freed by another thread-local's destructor):
/// from the process's pool, else a new chunk whose other slots go there.
#[inline(never)]
fn alloc_unowned(size: usize) -> *mut u8 {
    let mut g = global(size);
    if let Some(p) = g.loose.pop() {
        return p;
    }
    if let Some(mut batch) = g.batches.pop() {
        let p = batch.pop();
        if batch.len > 0 {
            g.batches.push(batch);
        }
        if let Some(p) = p {
            return p;
        }
    }
    let (start, end) = match g.runs.pop() {
        Some(run) => run,
        // SAFETY: the chunk's slots from `FIRST` on are blocks.
        None => unsafe {
            let chunk = new_chunk(size);
            (chunk.add(FIRST), chunk.add(CHUNK))
        },
    };
    // SAFETY: a run holds at least one slot.
    let rest = unsafe { start.add(slot_of(size)) };
    if rest != end {
        g.runs.push((rest, end));
    }
    start
}

/// A new chunk for blocks of `size` bytes, its header written.
fn new_chunk(size: usize) -> *mut u8 {
    let layout = match Layout::from_size_align(CHUNK, CHUNK) {
        Ok(l) => l,
        Err(_) => unreachable!("a chunk's size is a power of two"),
    };
    // SAFETY: the layout's size is not zero.
    let chunk = unsafe { std::alloc::alloc(layout) };
    if chunk.is_null() {
        std::alloc::handle_alloc_error(layout);
    }
    // SAFETY: a new allocation of `CHUNK` bytes aligned to `CHUNK`: room for the header.
    unsafe {
        chunk.cast::<Header>().write(Header {
            size,
            sets: [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS / GROUP],
        });
    }
    chunk
}

/// Gives back a block [`alloc`] returned.
///
/// # Safety
///
/// `p` came from [`alloc`], nothing references it any more, and it is given back once.
#[inline]
pub(super) unsafe fn dealloc(p: NonNull<u8>) {
    let p = p.as_ptr();
    // SAFETY: the caller's block, in a chunk.
    let size = unsafe { header(p).size };
    let kept = LOCAL.try_with(|l| {
        // SAFETY: the thread's own lists, not re-entered (module docs).
        let c = unsafe { &mut (*l.get()).0[size - 1] };
        // SAFETY: the caller's block, no one else's now.
        unsafe { c.hot.push(p) };
        if c.hot.len == BATCH {
            hand_on(c, size);
        }
    });
    if kept.is_err() {
        let mut g = global(size);
        // SAFETY: the caller's block, no one else's now.
        unsafe { g.loose.push(p) };
        if g.loose.len == BATCH {
            let batch = std::mem::replace(&mut g.loose, NO_BLOCKS);
            g.batches.push(batch);
        }
    }
}

/// A thread's newest list is a full batch: it becomes the older one, and the older one, if
/// any, goes to the process's pool whole.
#[inline(never)]
fn hand_on(c: &mut Class, size: usize) {
    let older = std::mem::replace(&mut c.cold, std::mem::replace(&mut c.hot, NO_BLOCKS));
    if older.len > 0 {
        global(size).batches.push(older);
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        for (k, c) in self.0.iter_mut().enumerate() {
            let mut g = global(k + 1);
            for list in [c.hot, c.cold] {
                if list.len > 0 {
                    g.batches.push(list);
                }
            }
            if c.bump != c.end {
                g.runs.push((c.bump, c.end));
            }
            *c = EMPTY;
        }
    }
}

/// The header of the chunk that holds block `p`.
///
/// # Safety
///
/// `p` is a block [`alloc`] returned (a slot of a chunk, with the chunk's provenance).
#[inline(always)]
unsafe fn header<'a>(p: *const u8) -> &'a Header {
    // SAFETY: the chunk is aligned to `CHUNK` and starts with its header, written before any
    // block was handed out; chunks are never freed.
    unsafe { &*p.map_addr(|a| a & !(CHUNK - 1)).cast::<Header>() }
}

/// The bytes of data of block `p`.
///
/// # Safety
///
/// As for [`header`].
#[inline(always)]
pub(super) unsafe fn size_of_block(p: *const u8) -> usize {
    // SAFETY: the caller's block.
    unsafe { header(p).size }
}

/// The place of block `p`'s keep set: its group (if made) in its chunk's header, and its
/// index there.
///
/// # Safety
///
/// As for [`header`].
#[inline(always)]
unsafe fn keep_place<'a>(p: *const u8) -> (&'a AtomicPtr<Group>, usize) {
    let place = (p.addr() & (CHUNK - 1)) / SLOT;
    // SAFETY: the caller's block.
    let h: &'a Header = unsafe { header(p) };
    (&h.sets[place / GROUP], place % GROUP)
}

/// Block `p`'s keep set, if it has one ([`keep_set_or_make`]). It lives until
/// [`take_keep_set`] takes it out.
///
/// # Safety
///
/// As for [`header`], and `p` is handed out (a reference to it is alive).
#[inline(always)]
pub(super) unsafe fn keep_set<'a>(p: *const u8) -> Option<&'a KeepSet> {
    // SAFETY: the caller's block.
    let (group, i) = unsafe { keep_place(p) };
    let group = group.load(Ordering::Acquire);
    if group.is_null() {
        return None;
    }
    // SAFETY: a group, published by `keep_set_or_make` (release, read with acquire above), is
    // never freed; a set in it likewise, until the block's last reference takes it out.
    unsafe {
        let set = (*group).0[i].load(Ordering::Acquire);
        set.as_ref()
    }
}

/// Block `p`'s keep set, made (and its group) if it had none. It lives until
/// [`take_keep_set`] takes it out.
///
/// # Safety
///
/// As for [`keep_set`].
#[inline]
pub(super) unsafe fn keep_set_or_make<'a>(p: *const u8) -> &'a KeepSet {
    // SAFETY: the caller's promise, passed on.
    match unsafe { keep_set(p) } {
        Some(set) => set,
        // SAFETY: as above.
        None => unsafe { make_keep_set(p) },
    }
}

/// [`keep_set_or_make`] of a block that had no keep set when it looked.
///
/// # Safety
///
/// As for [`keep_set`].
#[inline(never)]
unsafe fn make_keep_set<'a>(p: *const u8) -> &'a KeepSet {
    // SAFETY: the caller's block.
    let (slot, i) = unsafe { keep_place(p) };
    let group = publish(slot, || {
        Box::new(Group(
            [const { AtomicPtr::new(std::ptr::null_mut()) }; GROUP],
        ))
    });
    // SAFETY: a published group is never freed.
    let set = publish(unsafe { &(*group).0[i] }, || Box::new(KeepSet::default()));
    // SAFETY: the set lives until the block's last reference takes it out, after every
    // reference (and so every borrow of this one) is gone.
    unsafe { &*set }
}

/// The box `at` points to, made by `make` and published there if it pointed to none (of two
/// threads publishing at once, one box is kept and the other dropped).
fn publish<T>(at: &AtomicPtr<T>, make: impl FnOnce() -> Box<T>) -> *mut T {
    let now = at.load(Ordering::Acquire);
    if !now.is_null() {
        return now;
    }
    let new = Box::into_raw(make());
    match at.compare_exchange(
        std::ptr::null_mut(),
        new,
        Ordering::AcqRel,
        Ordering::Acquire,
    ) {
        Ok(_) => new,
        Err(won) => {
            // SAFETY: `new` was made above and never published.
            drop(unsafe { Box::from_raw(new) });
            won
        }
    }
}

/// Takes block `p`'s keep set out, if it has one: its last reference is going.
///
/// # Safety
///
/// As for [`header`]; no reference to the block is left, and none of its keep set.
pub(super) unsafe fn take_keep_set(p: *const u8) -> Option<Box<KeepSet>> {
    // SAFETY: the caller's block.
    let (group, i) = unsafe { keep_place(p) };
    let group = group.load(Ordering::Acquire);
    if group.is_null() {
        return None;
    }
    // SAFETY: a published group is never freed.
    let set = unsafe { (*group).0[i].swap(std::ptr::null_mut(), Ordering::AcqRel) };
    // SAFETY: a set in a group came from `Box::into_raw` and is taken out once (swapped for
    // null), with no borrow of it left (the caller's promise).
    (!set.is_null()).then(|| unsafe { Box::from_raw(set) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks are 16-aligned, distinct, of the size asked for, writable in full, and come back
    /// after they are given back (the thread's list first).
    #[test]
    fn blocks_are_distinct_sized_and_reused() {
        for size in 1..=MAX {
            let n = if cfg!(miri) { 300 } else { 2000 };
            let blocks: Vec<NonNull<u8>> = (0..n).map(|_| alloc(size)).collect();
            let mut addrs: Vec<usize> = blocks.iter().map(|p| p.addr().get()).collect();
            addrs.sort_unstable();
            addrs.dedup();
            assert_eq!(addrs.len(), blocks.len());
            for (i, p) in blocks.iter().enumerate() {
                assert!(p.addr().get().is_multiple_of(slot_of(size)));
                // SAFETY: each block is `slot_of(size)` bytes, this test's own.
                unsafe {
                    assert_eq!(size_of_block(p.as_ptr()), size);
                    p.as_ptr().write_bytes(i as u8, slot_of(size));
                }
            }
            for (i, p) in blocks.iter().enumerate() {
                // SAFETY: as above; no block overlaps another (each was written in full, and
                // reads back whole).
                let bytes = unsafe { std::slice::from_raw_parts(p.as_ptr(), slot_of(size)) };
                assert!(bytes.iter().all(|&b| b == i as u8));
            }
            let last = blocks[blocks.len() - 1];
            for p in blocks {
                // SAFETY: given out above, given back once.
                unsafe { dealloc(p) };
            }
            assert_eq!(alloc(size), last);
        }
    }

    /// A block's keep set is its own: made once, found again, left alone by its neighbour's,
    /// and taken out once.
    #[test]
    fn keep_sets_are_per_block() {
        let (a, b) = (alloc(4), alloc(4));
        // SAFETY: blocks from `alloc`, this test's own; each set is taken out once, after the
        // borrows of it.
        unsafe {
            assert!(keep_set(a.as_ptr()).is_none() && keep_set(b.as_ptr()).is_none());
            let made: *const KeepSet = keep_set_or_make(a.as_ptr());
            assert!(std::ptr::eq(keep_set(a.as_ptr()).unwrap(), made));
            assert!(std::ptr::eq(keep_set_or_make(a.as_ptr()), made));
            assert!(keep_set(b.as_ptr()).is_none());
            assert!(take_keep_set(a.as_ptr()).is_some());
            assert!(keep_set(a.as_ptr()).is_none() && take_keep_set(a.as_ptr()).is_none());
            dealloc(a);
            dealloc(b);
        }
    }

    /// Blocks made on one thread and given back on another (past a batch) are handed on
    /// through the process's list, and every block is given out once at a time: threads that
    /// allocate, write and give back at once never see each other's bytes.
    #[test]
    fn blocks_move_between_threads_and_are_never_shared() {
        const N: usize = if cfg!(miri) { 600 } else { 5000 };
        let made: Vec<Block> = (0..N).map(|_| Block(alloc(8))).collect();
        std::thread::scope(|s| {
            s.spawn(move || {
                for b in made {
                    // SAFETY: blocks from `alloc` on the main thread, given back once here.
                    unsafe { dealloc(b.0) };
                }
            });
            for t in 0..2u8 {
                s.spawn(move || {
                    let mut held = Vec::new();
                    for i in 0..N {
                        let p = alloc(8);
                        // SAFETY: this thread's block.
                        unsafe { p.as_ptr().cast::<[u8; 16]>().write([t; 16]) };
                        held.push(p);
                        if i % 3 == 2 {
                            for p in held.drain(..) {
                                // SAFETY: this thread's block: still its bytes, given back once.
                                unsafe {
                                    assert_eq!(p.as_ptr().cast::<[u8; 16]>().read(), [t; 16]);
                                    dealloc(p);
                                }
                            }
                        }
                    }
                    for p in held {
                        // SAFETY: as above.
                        unsafe { dealloc(p) };
                    }
                });
            }
        });
    }

    /// A thread that exits hands its free blocks and the untouched rest of its chunk to the
    /// process's pool; blocks taken from there are never one it still gave out.
    #[test]
    fn a_thread_that_exits_hands_on_what_it_did_not_use() {
        let n = if cfg!(miri) { 200 } else { 1000 };
        let kept: Vec<Block> = std::thread::spawn(move || {
            let mut all: Vec<Block> = (0..n).map(|_| Block(alloc(3))).collect();
            let kept = all.split_off(n / 2);
            for b in all {
                // SAFETY: this thread's block, given back once.
                unsafe { dealloc(b.0) };
            }
            kept
        })
        .join()
        .unwrap();
        let held: std::collections::HashSet<usize> =
            kept.iter().map(|b| b.0.addr().get()).collect();
        let fresh: Vec<NonNull<u8>> = (0..2 * n).map(|_| alloc(3)).collect();
        assert!(fresh.iter().all(|p| !held.contains(&p.addr().get())));
        for p in fresh.into_iter().chain(kept.into_iter().map(|b| b.0)) {
            // SAFETY: given out above, given back once.
            unsafe { dealloc(p) };
        }
    }

    /// A block handed to another thread.
    struct Block(NonNull<u8>);
    // SAFETY: a block is plain memory, handed over whole.
    unsafe impl Send for Block {}
}

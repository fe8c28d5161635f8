//! Blocks of 16, 32 and 64 bytes for the smallest allocations (a `new("int *")`, a `long`
//! out-parameter, a `struct timespec`, an `int[7]`, a struct result of up to 56 bytes): an
//! 8-byte count, then up to 8, 24 or 56 bytes of data, with no other header and no
//! allocator's chunk header around them.
//!
//! The system allocator's smallest chunk is 32 bytes (24 usable, after its own 8-byte header),
//! so a block of a count and 8 bytes from `malloc` would take twice its size; Python's cffi
//! takes about 53 bytes per held `new("int *")` because its allocator (pymalloc) has no
//! per-object header either. Blocks here come from *chunks* of [`CHUNK`] bytes aligned to their
//! size, carved into slots of 16 bytes (data of 1 to 8 bytes), 32 (9 to 24) or 64 (25 to 56,
//! [`slot_of`]; each on a cache line of its own). A chunk holds blocks of one size (1 to
//! [`MAX`] bytes):
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
//! process's pool, by the destructor of a second thread-local that the thread's first slow
//! path registers; the lists themselves have no destructor, so that reaching them costs no
//! check (with one, the lookup was no longer inlined into `new`: 20 instructions more). A
//! block given back after that goes to the pool at once. (A thread whose first block is taken
//! only after its thread-locals' destructors ran — in a `pthread_key_create` destructor —
//! registers that destructor too late for it to run: what its lists then hold, at most two
//! batches per size, is not reused.) Chunks are never given back to the system: the memory of
//! small blocks is kept for reuse at its peak (16, 32 or 64 bytes per block; a new chunk's
//! pages are only touched as its slots are handed out).
//!
//! # Safety
//!
//! A chunk is one `std::alloc::alloc` of [`CHUNK`] bytes aligned to [`CHUNK`], never freed;
//! every block is a slot of it past its header, and every pointer to a block is derived from
//! the chunk's pointer, so masking a block's address finds the header with the chunk's
//! provenance. A slot is in exactly one place at a time: handed out (its owner's), in one free
//! list (a thread's or the process's; a free slot's first word holds the next one's pointer),
//! or never handed out (past a thread's bump pointer, or in a run the process's pool holds).
//! A thread's lists are its own (`thread_local!`, reached by a pointer that `with` gives,
//! which lives as long as the thread does), used by one function at a time on that thread and
//! never re-entered (nothing here calls out but to register a thread-local's destructor, which
//! does not come back here; that destructor runs when no function here is running on its
//! thread); the process's pool is behind a lock. A block given back was given out by
//! [`alloc`] and is given back once, by its last owner, after every use (the count's release
//! and acquire order those uses before the next owner's). A group of keep sets and a keep set
//! are each a `Box` published by a compare-and-swap from null and read with acquire loads;
//! groups are never freed, and a set is taken out (swapped for null) only by its block's last
//! owner, so a set borrowed through a live reference to its block lives while the borrow does.
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
/// The largest block's data (in a slot of 64 bytes: the count and up to 56 bytes).
pub(super) const MAX: usize = 56;
/// The places of the smaller slots in a chunk (a bigger slot takes two, or four).
const SLOTS: usize = CHUNK / SLOT;
/// Where a chunk's first block starts: past its header, aligned for slots of every size (so
/// that a slot of 64 bytes is one cache line).
const FIRST: usize = size_of::<Header>().next_multiple_of(64);

/// The bytes of a block of `size` (1 to [`MAX`]) bytes of data: the count and the data, in 16,
/// 32 or 64 bytes.
#[inline(always)]
pub(super) const fn slot_of(size: usize) -> usize {
    // Without branches: `alloc`'s fast path stays small enough to be inlined whole.
    SLOT << ((size > 8) as usize + (size > 24) as usize)
}
/// Blocks in a batch: a thread keeps up to two batches of freed blocks per size (the newest
/// and the one before), and hands the older to the process's pool, or takes one from it, whole.
const BATCH: usize = 256;

/// The places (of 16 bytes) whose keep sets one group holds (a block's set is at the place of
/// its first 16 bytes).
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
    /// The length of `hot` at which [`dealloc`] takes its slow path ([`hand_on`]): a
    /// [`BATCH`] while the thread's blocks go back to the pool at its exit, 1 before that is
    /// arranged and after it happened.
    limit: usize,
}

const EMPTY: Class = Class {
    hot: NO_BLOCKS,
    cold: NO_BLOCKS,
    bump: std::ptr::null_mut(),
    end: std::ptr::null_mut(),
    limit: 1,
};

/// Where a thread is in its life, for its free blocks.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Stage {
    /// It has neither taken nor given back a block: nothing hands its lists on at its exit
    /// yet.
    New,
    /// [`Exit`]'s destructor will hand its lists on.
    Arranged,
    /// It is exiting and its lists were handed on: blocks go to and come from the process's
    /// pool directly.
    Exited,
}

/// A thread's free blocks, per size.
struct Local {
    classes: [Class; MAX],
    stage: Stage,
}

thread_local! {
    /// The thread's free blocks. No destructor, so that reaching them is an address and no
    /// check (a destructor's state check kept the lookup from being inlined into `new`); the
    /// lists go back to the pool by [`EXIT`]'s.
    static LOCAL: UnsafeCell<Local> = const {
        UnsafeCell::new(Local {
            classes: [EMPTY; MAX],
            stage: Stage::New,
        })
    };
    /// Its destructor hands the thread's free blocks to the process's pool. Reached (and so
    /// registered) on a thread's first slow path, which its first block taken or given back
    /// takes (an empty chunk, a limit of 1).
    static EXIT: Exit = const { Exit };
}

/// See [`EXIT`].
struct Exit;

impl Drop for Exit {
    fn drop(&mut self) {
        // SAFETY: the thread's own lists; no function of this module is running on this
        // thread (none calls out to code that would end it), so none holds them.
        let local = unsafe { &mut *LOCAL.with(UnsafeCell::get) };
        local.stage = Stage::Exited;
        for (k, c) in local.classes.iter_mut().enumerate() {
            if c.hot.len == 0 && c.cold.len == 0 && c.bump == c.end {
                *c = EMPTY;
                continue;
            }
            let mut g = global(k + 1);
            for list in [c.hot, c.cold] {
                if list.len > 0 {
                    #[cfg(test)]
                    tests::count_at_exit(k + 1, list.len);
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

/// Arranges for the thread's lists to go to the pool at its exit, if that is not yet done:
/// the thread's stage after.
#[inline(always)]
fn arrange(local: &mut Local) -> Stage {
    if local.stage == Stage::New {
        register(local);
    }
    local.stage
}

/// [`arrange`] on a thread's first slow path: registers [`EXIT`]'s destructor (an error
/// means it already ran, or is running) and raises the limits.
#[cold]
fn register(local: &mut Local) {
    if EXIT.try_with(|_| ()).is_ok() {
        local.stage = Stage::Arranged;
        for c in &mut local.classes {
            c.limit = BATCH;
        }
    } else {
        local.stage = Stage::Exited;
    }
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

/// A new block of `size` (1 to [`MAX`]) bytes of data, its bytes (16, 32 or 64, [`slot_of`])
/// not initialized; aborts as `Box::new` does when memory runs out.
#[inline]
pub(super) fn alloc(size: usize) -> NonNull<u8> {
    debug_assert!((1..=MAX).contains(&size));
    let size = size.clamp(1, MAX);
    // SAFETY: the thread's own lists, not re-entered (module docs).
    let local = unsafe { &mut *LOCAL.with(UnsafeCell::get) };
    let c = &mut local.classes[size - 1];
    let p = if let Some(p) = c.hot.pop() {
        p
    } else if c.bump != c.end {
        let p = c.bump;
        // SAFETY: `bump` is a slot of the current chunk before its end, so one slot on is at
        // most the end.
        c.bump = unsafe { p.add(slot_of(size)) };
        p
    } else {
        refill(local, size)
    };
    // SAFETY: every block is a slot of a chunk, which is not null.
    unsafe { NonNull::new_unchecked(p) }
}

/// A block for a thread whose newest list is empty and chunk used up: from its older batch,
/// else a batch from the process's pool, else a run of slots the pool holds, else a new
/// chunk.
#[inline(never)]
fn refill(local: &mut Local, size: usize) -> *mut u8 {
    if arrange(local) == Stage::Exited {
        return alloc_unowned(size);
    }
    let c = &mut local.classes[size - 1];
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

/// A block for a thread whose lists are gone (taken in another thread-local's destructor,
/// after [`EXIT`]'s): from the process's pool, else a new chunk whose other slots go there.
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
    // SAFETY: the thread's own lists, not re-entered (module docs).
    let local = unsafe { &mut *LOCAL.with(UnsafeCell::get) };
    let c = &mut local.classes[size - 1];
    // SAFETY: the caller's block, no one else's now.
    unsafe { c.hot.push(p) };
    if c.hot.len >= c.limit {
        hand_on(local, size);
    }
}

/// A thread's newest list reached its limit: a full batch becomes the older one, and the
/// older one, if any, goes to the process's pool whole. A thread's first block given back
/// arranges for its lists to go to the pool at its exit; after that, each block goes there at
/// once.
#[inline(never)]
fn hand_on(local: &mut Local, size: usize) {
    let stage = arrange(local);
    let c = &mut local.classes[size - 1];
    if stage == Stage::Exited {
        let mut g = global(size);
        #[cfg(test)]
        tests::count_at_exit(size, c.hot.len);
        while let Some(p) = c.hot.pop() {
            // SAFETY: a freed block, taken off the thread's list.
            unsafe { g.loose.push(p) };
        }
        if g.loose.len >= BATCH {
            let batch = std::mem::replace(&mut g.loose, NO_BLOCKS);
            g.batches.push(batch);
        }
        return;
    }
    if c.hot.len < BATCH {
        return;
    }
    let older = std::mem::replace(&mut c.cold, std::mem::replace(&mut c.hot, NO_BLOCKS));
    if older.len > 0 {
        global(size).batches.push(older);
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
mod tests;

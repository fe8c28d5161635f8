//! The slab's own tests (they run under Miri too).

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
    let held: std::collections::HashSet<usize> = kept.iter().map(|b| b.0.addr().get()).collect();
    let fresh: Vec<NonNull<u8>> = (0..2 * n).map(|_| alloc(3)).collect();
    assert!(fresh.iter().all(|p| !held.contains(&p.addr().get())));
    for p in fresh.into_iter().chain(kept.into_iter().map(|b| b.0)) {
        // SAFETY: given out above, given back once.
        unsafe { dealloc(p) };
    }
}

/// Blocks of each size that exiting threads handed to the process's pool (counted in tests
/// only: other tests take blocks from the pool while one runs, so the pool's length says
/// nothing).
static AT_EXIT: [std::sync::atomic::AtomicUsize; MAX] =
    [const { std::sync::atomic::AtomicUsize::new(0) }; MAX];

/// Counts `n` blocks of `size` bytes handed to the pool by an exiting thread.
pub(super) fn count_at_exit(size: usize, n: usize) {
    AT_EXIT[size - 1].fetch_add(n, Ordering::Relaxed);
}

fn at_exit(size: usize) -> usize {
    AT_EXIT[size - 1].load(Ordering::Relaxed)
}

/// A thread that only gives blocks back (another thread's) hands them to the process's pool
/// when it exits, and so does a thread-local's destructor that runs after the thread's lists
/// went there: its block goes to the pool at once, and it can still take one.
#[test]
fn blocks_given_back_by_an_exiting_thread_reach_the_pool() {
    struct Late(std::cell::Cell<Option<Block>>);
    impl Drop for Late {
        fn drop(&mut self) {
            if let Some(b) = self.0.take() {
                // SAFETY: a block from `alloc`, given back once.
                unsafe { dealloc(b.0) };
            }
            let p = alloc(41);
            // SAFETY: just taken; given back once.
            unsafe {
                p.as_ptr().write_bytes(7, slot_of(41));
                dealloc(p);
            }
        }
    }
    thread_local! {
        static LATE: Late = const { Late(std::cell::Cell::new(None)) };
    }
    let n = if cfg!(miri) { 40 } else { 300 };
    let made: Vec<Block> = (0..n).map(|_| Block(alloc(37))).collect();
    let before = at_exit(37);
    std::thread::spawn(move || {
        for b in made {
            // SAFETY: blocks from `alloc` on the main thread, given back once here.
            unsafe { dealloc(b.0) };
        }
    })
    .join()
    .unwrap();
    assert!(at_exit(37) >= before + n);
    let (before, late) = (at_exit(41), Block(alloc(41)));
    std::thread::spawn(move || {
        // The thread-local first, so that its destructor runs after the slab's (destructors
        // run in the reverse order of their registration).
        LATE.with(|l| l.0.set(Some(late)));
        // SAFETY: a block from `alloc`, given back once.
        unsafe { dealloc(alloc(41)) };
    })
    .join()
    .unwrap();
    // The block the thread gave back before its exit, then the two its thread-local gave
    // back after it.
    assert!(at_exit(41) >= before + 3);
}

/// A block handed to another thread.
struct Block(NonNull<u8>);
// SAFETY: a block is plain memory, handed over whole.
unsafe impl Send for Block {}

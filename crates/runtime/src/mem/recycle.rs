//! Small heap blocks kept per thread for reuse: the blocks of [`Shared`](super::Shared) (a
//! `new`, a call's struct result) come and go by the million, and the system allocator's
//! `malloc` and `free` are most of their cost. A freed block of one of the small sizes goes to
//! the freeing thread's cache (up to [`KEEP`] per size) and the next block of that size on that
//! thread comes from there.
//!
//! # Safety
//!
//! A cached pointer is a block that `std::alloc::alloc` returned for the layout of its size
//! class (that size, alignment [`ALIGN`]) and that nothing references any more: it was freed by
//! its last owner. It is handed out once (popped) and then belongs to its new owner, who writes
//! it in full before use as after `alloc`. The cache is the thread's own (`thread_local!`), used
//! only inside `with` on that thread and never re-entered (nothing in it calls out); at thread
//! exit its blocks go back to `std::alloc::dealloc` with their layout. Where the thread's cache
//! is gone (a block freed by another thread-local's destructor), blocks go straight to the
//! system allocator.
//!
//! A recycled block is never freed, so a use after free of one would be invisible to valgrind,
//! ASan and Miri: recycling is off under Miri, in fuzzing builds, and when `RCFFI_NO_RECYCLE`
//! is set (`scripts/memcheck.sh` sets it).

use std::alloc::Layout;
use std::cell::UnsafeCell;
use std::ptr::NonNull;
use std::sync::OnceLock;

/// The alignment every cached block has.
pub(super) const ALIGN: usize = 16;
/// Sizes step by this much: a block holds its header and its bytes rounded up to 8, not 16
/// (`Shared`), so that `malloc` gives a 40-byte block a 48-byte chunk, not 64.
const STEP: usize = 8;
/// Blocks of up to `CLASSES * STEP` bytes are cached, one size class per multiple of 8.
const CLASSES: usize = 48;
/// Blocks kept per size class and thread: a burst of frees beyond this goes to the system.
const KEEP: usize = 16;

struct Cache {
    free: [[*mut u8; KEEP]; CLASSES],
    len: [u8; CLASSES],
}

impl Drop for Cache {
    fn drop(&mut self) {
        for (class, blocks) in self.free.iter().enumerate() {
            for &p in &blocks[..usize::from(self.len[class])] {
                // SAFETY: a cached block came from `alloc` with its class's layout (module
                // docs) and is freed once, here, at thread exit.
                unsafe { std::alloc::dealloc(p, layout_of(class)) };
            }
        }
    }
}

thread_local! {
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache { free: [[std::ptr::null_mut(); KEEP]; CLASSES], len: [0; CLASSES] })
    };
}

/// Whether blocks are recycled: not under Miri or in fuzzing builds, nor when the environment
/// sets `RCFFI_NO_RECYCLE` (to anything but `0`), so that memory checkers see every free.
/// In line: every block given out or back asks (one load once decided).
#[inline]
fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !cfg!(miri)
            && !cfg!(fuzzing)
            && std::env::var_os("RCFFI_NO_RECYCLE").is_none_or(|v| v == "0")
    })
}

/// The size class of a layout, when its blocks are cached.
#[inline(always)]
fn class_of(layout: Layout) -> Option<usize> {
    let class = layout.size() / STEP;
    (layout.align() == ALIGN && layout.size().is_multiple_of(STEP) && class < CLASSES && on())
        .then_some(class)
}

fn layout_of(class: usize) -> Layout {
    match Layout::from_size_align(class * STEP, ALIGN) {
        Ok(l) => l,
        Err(_) => unreachable!("a small size and a power-of-two alignment"),
    }
}

/// A heap block of `layout` (not zeroed): a cached one when there is one, else the system
/// allocator's; aborts as `Box::new` does when memory runs out.
///
/// # Safety
///
/// `layout` must have a non-zero size.
#[inline]
pub(super) unsafe fn alloc(layout: Layout) -> NonNull<u8> {
    if let Some(class) = class_of(layout)
        && let Ok(Some(p)) = CACHE.try_with(|c| {
            // SAFETY: the thread's own cache, not re-entered (module docs).
            let c = unsafe { &mut *c.get() };
            let n = c.len[class];
            (n > 0).then(|| {
                c.len[class] = n - 1;
                c.free[class][usize::from(n - 1)]
            })
        })
    {
        // SAFETY: a cached block is non-null (it came from a successful `alloc`).
        return unsafe { NonNull::new_unchecked(p) };
    }
    // SAFETY: the caller's non-zero size.
    let raw = unsafe { std::alloc::alloc(layout) };
    NonNull::new(raw).unwrap_or_else(|| std::alloc::handle_alloc_error(layout))
}

/// Gives back a block [`alloc`] returned.
///
/// # Safety
///
/// `p` came from [`alloc`] with this `layout`, nothing references it any more, and it is given
/// back once.
#[inline]
pub(super) unsafe fn dealloc(p: NonNull<u8>, layout: Layout) {
    if let Some(class) = class_of(layout)
        && CACHE
            .try_with(|c| {
                // SAFETY: the thread's own cache, not re-entered (module docs).
                let c = unsafe { &mut *c.get() };
                let n = c.len[class];
                let room = usize::from(n) < KEEP;
                if room {
                    c.free[class][usize::from(n)] = p.as_ptr();
                    c.len[class] = n + 1;
                }
                room
            })
            .unwrap_or(false)
    {
        return;
    }
    // SAFETY: the caller's promise: an `alloc`ed block of this layout, freed once.
    unsafe { std::alloc::dealloc(p.as_ptr(), layout) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_block_is_reused_by_its_thread_and_the_cache_is_bounded() {
        if !on() {
            return; // Miri, or RCFFI_NO_RECYCLE: every block goes to the system allocator
        }
        let layout = Layout::from_size_align(80, 16).unwrap();
        // SAFETY: non-zero sizes; each block is given back once, with its layout.
        unsafe {
            let a = alloc(layout);
            a.as_ptr().write_bytes(7, 80);
            dealloc(a, layout);
            let b = alloc(layout);
            assert_eq!(a, b, "the freed block comes back");
            dealloc(b, layout);
            // More frees than the cache keeps: the rest go to the system allocator.
            let many: Vec<_> = (0..KEEP * 2).map(|_| alloc(layout)).collect();
            for p in many {
                dealloc(p, layout);
            }
            assert_eq!(CACHE.with(|c| (*c.get()).len[80 / STEP]), KEEP as u8);
            // Other sizes and alignments are not cached.
            let big = Layout::from_size_align(CLASSES * STEP, 16).unwrap();
            let odd = Layout::from_size_align(64, 8).unwrap();
            let ragged = Layout::from_size_align(44, 16).unwrap();
            for l in [big, odd, ragged] {
                let p = alloc(l);
                dealloc(p, l);
            }
            assert!(class_of(big).is_none() && class_of(odd).is_none());
            assert!(class_of(ragged).is_none());
            assert_eq!(class_of(layout), Some(80 / STEP));
            // A 40-byte block (a header and 8 bytes) has its own class, apart from 48.
            let forty = Layout::from_size_align(40, 16).unwrap();
            assert_ne!(
                class_of(forty),
                class_of(Layout::from_size_align(48, 16).unwrap())
            );
        }
    }

    #[test]
    fn blocks_freed_on_another_thread_stay_there() {
        struct Block(NonNull<u8>);
        // SAFETY: the block is only moved to the other thread, which frees it.
        unsafe impl Send for Block {}
        let layout = Layout::from_size_align(96, 16).unwrap();
        // SAFETY: as above.
        let p = Block(unsafe { alloc(layout) });
        std::thread::spawn(move || {
            let p = p;
            // SAFETY: the block is freed once, on this thread; its cache frees it at exit.
            unsafe { dealloc(p.0, layout) };
        })
        .join()
        .unwrap();
    }
}

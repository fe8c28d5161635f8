//! Small heap blocks kept per thread for reuse: the blocks of [`Shared`](super::Shared) (a
//! `new`, a call's struct result) come and go by the million, and the system allocator's
//! `malloc` and `free` are most of their cost. A freed block of one of the small sizes goes to
//! the freeing thread's cache (up to [`KEEP`] per size) and the next block of that size on that
//! thread comes from there. Blocks past the small sizes, up to a 4 KiB allocation and its
//! header (a big struct result, a `char[1024]` buffer), are rounded up to a multiple of 64
//! bytes and kept the same way ([`BIG_KEEP`] per size, [`BIG_BYTES`] in all per thread);
//! `alloc` and `dealloc` round alike, so a block always goes back to the system allocator with
//! the layout it was allocated with.
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
/// Bigger blocks (a struct result, or an array kept inline, of up to 4 KiB and its header) step
/// by this much: their sizes are rounded up to a multiple of it past the small classes' end, so
/// such a block may be up to 56 bytes longer than asked for. `malloc` took about 300
/// instructions to give one and 150 to take it back (above its own per-thread cache's 1 KiB).
const BIG_STEP: usize = 64;
/// The big classes: blocks of `CLASSES * STEP` bytes and more, up to `CLASSES * STEP +
/// (BIG_CLASSES - 1) * BIG_STEP` (4,160: a 4 KiB allocation inline, after its 32-byte header).
const BIG_CLASSES: usize = 60;
/// Big blocks kept per class and thread.
const BIG_KEEP: usize = 4;
/// The bytes of big blocks a thread keeps at most, over all their classes.
const BIG_BYTES: usize = 64 << 10;

/// A size class: small (one per multiple of `STEP`) or big (one per `BIG_STEP`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Class {
    Small(usize),
    Big(usize),
}

struct Cache {
    free: [[*mut u8; KEEP]; CLASSES],
    len: [u8; CLASSES],
    big: [[*mut u8; BIG_KEEP]; BIG_CLASSES],
    big_len: [u8; BIG_CLASSES],
    /// The bytes of the big blocks kept.
    big_bytes: usize,
}

impl Drop for Cache {
    fn drop(&mut self) {
        let small = self.free.iter().zip(self.len).enumerate();
        let small = small.map(|(k, (b, n))| (Class::Small(k), &b[..usize::from(n)]));
        let big = self.big.iter().zip(self.big_len).enumerate();
        let big = big.map(|(k, (b, n))| (Class::Big(k), &b[..usize::from(n)]));
        for (class, blocks) in small.chain(big) {
            for &p in blocks {
                // SAFETY: a cached block came from `alloc` with its class's layout (module
                // docs) and is freed once, here, at thread exit.
                unsafe { std::alloc::dealloc(p, layout_of(class)) };
            }
        }
    }
}

thread_local! {
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache {
            free: [[std::ptr::null_mut(); KEEP]; CLASSES],
            len: [0; CLASSES],
            big: [[std::ptr::null_mut(); BIG_KEEP]; BIG_CLASSES],
            big_len: [0; BIG_CLASSES],
            big_bytes: 0,
        })
    };
}

/// Whether blocks are recycled: not under Miri or in fuzzing builds, nor when the environment
/// sets `RCFFI_NO_RECYCLE` (to anything but `0`), so that memory checkers see every free.
/// In line: every block given out or back asks (one load once decided).
#[inline]
pub(super) fn on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        !cfg!(miri)
            && !cfg!(fuzzing)
            && std::env::var_os("RCFFI_NO_RECYCLE").is_none_or(|v| v == "0")
    })
}

/// The small size class of a layout, when its blocks are cached in one.
#[inline(always)]
fn small_class(layout: Layout) -> Option<usize> {
    let class = layout.size() / STEP;
    (layout.align() == ALIGN && layout.size().is_multiple_of(STEP) && class < CLASSES && on())
        .then_some(class)
}

/// The big size class of a layout past the small ones, when its blocks are cached in one.
#[inline(always)]
fn big_class(layout: Layout) -> Option<usize> {
    let size = layout.size();
    if layout.align() != ALIGN || !size.is_multiple_of(STEP) || size < CLASSES * STEP || !on() {
        return None;
    }
    let big = (size - CLASSES * STEP).div_ceil(BIG_STEP);
    (big < BIG_CLASSES).then_some(big)
}

/// The size class of a layout, when its blocks are cached.
#[cfg(test)]
fn class_of(layout: Layout) -> Option<Class> {
    small_class(layout)
        .map(Class::Small)
        .or_else(|| big_class(layout).map(Class::Big))
}

/// The layout of a class's blocks (a big class's: its size, which its layouts round up to).
fn layout_of(class: Class) -> Layout {
    let size = match class {
        Class::Small(k) => k * STEP,
        Class::Big(k) => CLASSES * STEP + k * BIG_STEP,
    };
    match Layout::from_size_align(size, ALIGN) {
        Ok(l) => l,
        Err(_) => unreachable!("a small size and a power-of-two alignment"),
    }
}

/// The layout a block of `layout` is really allocated with, given its big class (`big_class`):
/// that class's, which is longer, else its own. `alloc` and `dealloc` both use it, so a block
/// goes back to the system allocator with the layout it came with.
#[inline(always)]
fn real_layout(layout: Layout, big: Option<usize>) -> Layout {
    big.map_or(layout, |k| layout_of(Class::Big(k)))
}

/// A heap block of `layout` (not zeroed): a cached one when there is one, else the system
/// allocator's; aborts as `Box::new` does when memory runs out.
///
/// # Safety
///
/// `layout` must have a non-zero size.
#[inline]
pub(super) unsafe fn alloc(layout: Layout) -> NonNull<u8> {
    if let Some(k) = small_class(layout)
        && let Ok(Some(p)) = CACHE.try_with(|c| {
            // SAFETY: the thread's own cache, not re-entered (module docs).
            let c = unsafe { &mut *c.get() };
            pop(&c.free[k], &mut c.len[k])
        })
    {
        // SAFETY: a cached block is non-null (it came from a successful `alloc`).
        return unsafe { NonNull::new_unchecked(p) };
    }
    // SAFETY: the caller's non-zero size.
    unsafe { alloc_big_or_new(layout) }
}

/// [`alloc`] past the small classes' cache: a cached big block, or the system allocator's.
///
/// # Safety
///
/// As for [`alloc`].
#[inline(never)]
unsafe fn alloc_big_or_new(layout: Layout) -> NonNull<u8> {
    let big = big_class(layout);
    let real = real_layout(layout, big);
    if let Some(k) = big
        && let Ok(Some(p)) = CACHE.try_with(|c| {
            // SAFETY: the thread's own cache, not re-entered (module docs).
            let c = unsafe { &mut *c.get() };
            let p = pop(&c.big[k], &mut c.big_len[k]);
            if p.is_some() {
                c.big_bytes -= real.size();
            }
            p
        })
    {
        // SAFETY: a cached block is non-null (it came from a successful `alloc`).
        return unsafe { NonNull::new_unchecked(p) };
    }
    // SAFETY: the caller's non-zero size (a class's is at least as long).
    let raw = unsafe { std::alloc::alloc(real) };
    NonNull::new(raw).unwrap_or_else(|| std::alloc::handle_alloc_error(real))
}

/// The last of the `n` blocks of `free`, taken out.
#[inline(always)]
fn pop(free: &[*mut u8], n: &mut u8) -> Option<*mut u8> {
    let p = free.get(usize::from(*n).checked_sub(1)?).copied()?;
    *n -= 1;
    Some(p)
}

/// Puts `p` after the `n` blocks of `free`, when there is room.
#[inline(always)]
fn push(free: &mut [*mut u8], n: &mut u8, p: *mut u8) -> bool {
    let Some(slot) = free.get_mut(usize::from(*n)) else {
        return false;
    };
    *slot = p;
    *n += 1;
    true
}

/// Gives back a block [`alloc`] returned.
///
/// # Safety
///
/// `p` came from [`alloc`] with this `layout`, nothing references it any more, and it is given
/// back once.
#[inline]
pub(super) unsafe fn dealloc(p: NonNull<u8>, layout: Layout) {
    if let Some(k) = small_class(layout)
        && CACHE
            .try_with(|c| {
                // SAFETY: the thread's own cache, not re-entered (module docs).
                let c = unsafe { &mut *c.get() };
                push(&mut c.free[k], &mut c.len[k], p.as_ptr())
            })
            .unwrap_or(false)
    {
        return;
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { dealloc_big_or_free(p, layout) }
}

/// [`dealloc`] past the small classes' cache: into the big classes' cache while it has room
/// (per class, and in bytes), else to the system allocator.
///
/// # Safety
///
/// As for [`dealloc`].
#[inline(never)]
unsafe fn dealloc_big_or_free(p: NonNull<u8>, layout: Layout) {
    let big = big_class(layout);
    let real = real_layout(layout, big);
    if let Some(k) = big
        && CACHE
            .try_with(|c| {
                // SAFETY: the thread's own cache, not re-entered (module docs).
                let c = unsafe { &mut *c.get() };
                let size = real.size();
                let room = c.big_bytes + size <= BIG_BYTES
                    && push(&mut c.big[k], &mut c.big_len[k], p.as_ptr());
                if room {
                    c.big_bytes += size;
                }
                room
            })
            .unwrap_or(false)
    {
        return;
    }
    // SAFETY: the caller's promise: an `alloc`ed block of this layout (which `alloc` gave the
    // real layout of its class), freed once.
    unsafe { std::alloc::dealloc(p.as_ptr(), real) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A block of `layout`, its first `written` bytes written, freed and taken again: the same
    /// block comes back. Then twice `keep` of them freed at once: the cache keeps `keep` (the
    /// caller checks), the rest go to the system allocator.
    ///
    /// # Safety
    ///
    /// `layout` has a non-zero size, and its blocks have at least `written` bytes.
    unsafe fn comes_back_then_fills(layout: Layout, written: usize, keep: usize) {
        // SAFETY: the caller's promise; each block is given back once, with its layout.
        unsafe {
            let a = alloc(layout);
            a.as_ptr().write_bytes(7, written);
            dealloc(a, layout);
            let b = alloc(layout);
            assert_eq!(a, b, "the freed block comes back");
            dealloc(b, layout);
            let many: Vec<_> = (0..keep * 2).map(|_| alloc(layout)).collect();
            for p in many {
                dealloc(p, layout);
            }
        }
    }

    #[test]
    fn a_freed_block_is_reused_by_its_thread_and_the_cache_is_bounded() {
        if !on() {
            return; // Miri, or RCFFI_NO_RECYCLE: every block goes to the system allocator
        }
        let layout = Layout::from_size_align(80, 16).unwrap();
        // SAFETY: non-zero sizes; each block is given back once, with its layout.
        unsafe {
            comes_back_then_fills(layout, 80, KEEP);
            assert_eq!(CACHE.with(|c| (*c.get()).len[80 / STEP]), KEEP as u8);
            // Other sizes and alignments are not cached.
            let huge = Layout::from_size_align(8192, 16).unwrap();
            let odd = Layout::from_size_align(64, 8).unwrap();
            let ragged = Layout::from_size_align(44, 16).unwrap();
            for l in [huge, odd, ragged] {
                let p = alloc(l);
                dealloc(p, l);
            }
            assert!(class_of(huge).is_none() && class_of(odd).is_none());
            assert!(class_of(ragged).is_none());
            assert_eq!(class_of(layout), Some(Class::Small(80 / STEP)));
            // A 40-byte block (a header and 8 bytes) has its own class, apart from 48.
            let forty = Layout::from_size_align(40, 16).unwrap();
            assert_ne!(
                class_of(forty),
                class_of(Layout::from_size_align(48, 16).unwrap())
            );
        }
    }

    /// A block past the small classes (a 1 KiB struct result and its header) is cached in a
    /// big class, whose blocks are its size rounded up; the big blocks a thread keeps are
    /// bounded in number per class and in bytes over all.
    #[test]
    fn big_blocks_are_reused_rounded_up_and_bounded() {
        if !on() {
            return; // Miri, or RCFFI_NO_RECYCLE: every block goes to the system allocator
        }
        let layout = Layout::from_size_align(1056, 16).unwrap();
        let class = class_of(layout).unwrap();
        assert!(matches!(class, Class::Big(_)));
        assert_eq!(
            real_layout(layout, big_class(layout)).size(),
            1088,
            "rounded up to a multiple of 64"
        );
        assert_eq!(
            class_of(Layout::from_size_align(1088, 16).unwrap()),
            Some(class)
        );
        assert_ne!(
            class_of(Layout::from_size_align(1096, 16).unwrap()),
            Some(class)
        );
        // The largest inline allocation's block (4 KiB and its 32-byte header) is cached too.
        assert!(class_of(Layout::from_size_align(4128, 16).unwrap()).is_some());
        // SAFETY: non-zero sizes; each block is given back once, with its layout.
        unsafe {
            // The whole rounded-up block is the thread's to write (its real layout).
            comes_back_then_fills(layout, 1088, BIG_KEEP);
            let Class::Big(k) = class else { unreachable!() };
            assert_eq!(CACHE.with(|c| (*c.get()).big_len[k]), BIG_KEEP as u8);
            // Blocks of about 4 KiB in 20 classes, 4 each (320 KiB): the thread keeps them up
            // to its byte budget, and the rest go to the system allocator.
            let sizes = (0..20).map(|k| Layout::from_size_align(4096 - 64 * k, 16).unwrap());
            let blocks: Vec<_> = sizes
                .flat_map(|l| (0..BIG_KEEP).map(move |_| l))
                .map(|l| (alloc(l), l))
                .collect();
            for (p, l) in blocks {
                dealloc(p, l);
            }
            let kept = CACHE.with(|c| (*c.get()).big_bytes);
            assert!(kept <= BIG_BYTES, "{kept} bytes kept");
            assert!(
                kept + 4160 > BIG_BYTES,
                "{kept} bytes kept: the budget is filled"
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

//! Every load and store of C memory, each byte as a relaxed atomic byte operation.
//!
//! Several threads may use the same C memory at once through clones of one cdata, as they may
//! in C. Plain loads and stores would make that a data race, which Rust's memory model leaves
//! undefined, and so would atomic accesses of different sizes to overlapping bytes. Every
//! access here is, in Rust's abstract machine, a relaxed atomic access of one byte, so a race
//! is a race in C's sense only (a thread may see another's bytes, or a mix of them) and never
//! undefined behaviour in Rust.
//!
//! Short ranges are plain loops of `AtomicU8` accesses (a plain byte load or store on x86-64
//! and AArch64) below 8 bytes; from 8 to 15 bytes they go as two 8-byte words, and from 16 to
//! [`SMALL`] bytes as two or four 16-byte accesses from each end, all loads before the stores
//! (`bulk::copy_small`). Longer ranges, and fills of [`BULK`] bytes or more, go through a few
//! lines of inline assembly — `rep movsb`/`rep stosb` on x86-64 (copies of 64 bytes to 32 KiB
//! in 32-byte AVX loads and stores where the processor has AVX), a loop of 16-byte `ldp`/`stp`
//! pairs on AArch64 — and so does a word read into a register (a pointer slot, a struct
//! argument's eightbyte: one 8-byte `mov`/`ldr`). The abstract machine sees each as exactly
//! that sequence of relaxed byte accesses: both architectures make every byte of every access
//! single-copy atomic, relaxed atomics impose no order between different bytes, and an `asm!`
//! block is opaque to the compiler, so it cannot be merged with or split against the Rust
//! accesses around it. That keeps the one access size per byte that makes races defined, at the
//! speed of `memcpy` (the `atomic-memcpy` crate instead mixes word-sized atomic loads with byte
//! ones, which Rust's model leaves undefined when they race with a write, and it copies a `T`
//! of static size, not a run-time length).
//! Other targets, and Miri, use the byte loops.
//!
//! # Safety
//!
//! Each function's caller guarantees that the whole range is valid for the access (inside a
//! `Region`). Rust code touches C memory only through these functions, so every Rust-side
//! access to memory that may be written is atomic and of the same size; memory that nobody
//! writes while it is used (read-only regions) is read with plain loads, since an atomic
//! access would require it to be writable.

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Fills this long or longer go through the bulk (assembly) path; shorter ones by byte loops,
/// whose cost is below its start-up.
pub(super) const BULK: usize = 32;

/// Loads, stores and copies of 16 bytes up to this many go as two or four 16-byte accesses
/// (`bulk::copy_small`), longer ones through the bulk path. Loads of what `rep movsb` just
/// stored seem to wait for its stores to complete, and its start-up is several times such a
/// copy; the AVX loop's set-up too. A struct of 64 bytes in and out into one cdata
/// (`call-profile is64`, best of 7) took 27.5–28.2 ns with 8-byte words in and the AVX loop
/// out, and 24.4–24.5 ns with these; one of 40 bytes (`is40`: `rep movsb` out), 27.4–27.7
/// and 23.9–24.2. Up to 128 bytes (eight accesses) was no faster at 96 and 128 bytes.
pub(super) const SMALL: usize = 64;

/// Loads `out.len()` bytes at `src`.
///
/// # Safety
///
/// `src..src + out.len()` must be valid for reads.
#[inline]
pub(super) unsafe fn load(src: usize, out: &mut [u8]) {
    // SAFETY: the caller's range; `out` is a Rust borrow, valid for writes.
    unsafe { load_to(src, out.as_mut_ptr(), out.len()) }
}

/// Loads `n` bytes at `src` into `out`, which may be uninitialized.
///
/// # Safety
///
/// `src..src + n` must be valid for reads; `out..out + n` must be valid for writes, and be
/// Rust memory that nobody else uses meanwhile (not C memory a region covers).
#[inline]
pub(super) unsafe fn load_to(src: usize, out: *mut u8, n: usize) {
    if bulk::FAST && n > SMALL {
        // SAFETY: the caller's ranges, which do not overlap (`out` is private).
        unsafe { bulk::copy_forward(out as usize, src, n) };
        return;
    }
    if bulk::FAST && n >= 16 {
        // SAFETY: the caller's ranges, `16 <= n <= SMALL`.
        unsafe { bulk::copy_small(out as usize, src, n) };
        return;
    }
    if bulk::FAST && n >= 8 {
        // Two words of 8 bytes (`bulk::load_word`: each byte a relaxed byte load), the second
        // ending at the range's end (it may read again bytes the first read: a byte read
        // twice, the second read's value kept).
        // SAFETY: `8 <= n`: both words are inside the caller's ranges; `out` is written
        // unaligned.
        unsafe {
            out.cast::<u64>().write_unaligned(bulk::load_word(src));
            out.add(n - 8)
                .cast::<u64>()
                .write_unaligned(bulk::load_word(src + n - 8));
        }
        return;
    }
    for i in 0..n {
        // SAFETY: byte `i` is inside the caller's ranges; a byte is always aligned.
        unsafe {
            let b = AtomicU8::from_ptr((src + i) as *mut u8).load(Relaxed);
            out.add(i).write(b);
        }
    }
}

/// Loads the bytes at `src` into `out` up to the first zero byte, at most `n` of them, a word
/// of 8 at a time (`bulk::load_word`), the search done in the register each word is loaded
/// into; returns the zero byte's index, or `n` when there is none. Bytes past the zero, up to
/// the end of its word, may be loaded and written to `out` too (within the `n`). A short
/// string is read once, not copied and then searched (`memchr`'s vector loads of bytes just
/// stored waited for the stores, and a long buffer with a short string was copied whole).
///
/// # Safety
///
/// `src..src + n` must be valid for reads; `out..out + n` valid for writes, Rust memory that
/// nobody else uses meanwhile.
#[inline]
pub(super) unsafe fn load_to_nul(src: usize, out: *mut u8, n: usize) -> usize {
    // SAFETY: the caller's ranges; each word and byte read is inside them.
    unsafe {
        to_nul(
            out,
            n,
            |i| bulk::load_word(src + i),
            |i| AtomicU8::from_ptr((src + i) as *mut u8).load(Relaxed),
        )
    }
}

/// [`load_to_nul`] with plain loads, for memory that nobody writes while it is read (as
/// [`load_unshared`]).
///
/// # Safety
///
/// As for [`load_to_nul`], and the range is not written during the call.
#[inline]
pub(super) unsafe fn load_to_nul_unshared(src: usize, out: *mut u8, n: usize) -> usize {
    // SAFETY: the caller's ranges, which nothing writes: plain loads race with nothing.
    unsafe {
        to_nul(
            out,
            n,
            |i| std::ptr::read_unaligned((src + i) as *const u64),
            |i| *((src + i) as *const u8),
        )
    }
}

/// The work of [`load_to_nul`], with `word(i)` loading the little-endian word at offset `i`
/// and `byte(i)` the byte there.
///
/// # Safety
///
/// `out..out + n` valid for writes; `word(i)` for `i + 8 <= n` and `byte(i)` for `i < n` must
/// be valid calls.
#[inline(always)]
unsafe fn to_nul(
    out: *mut u8,
    n: usize,
    word: impl Fn(usize) -> u64,
    byte: impl Fn(usize) -> u8,
) -> usize {
    if n < 8 {
        for i in 0..n {
            let b = byte(i);
            // SAFETY: `i < n`.
            unsafe { out.add(i).write(b) };
            if b == 0 {
                return i;
            }
        }
        return n;
    }
    let mut i = 0;
    loop {
        // The last word ends at `n`, and may start among bytes already searched.
        let at = if i + 8 <= n { i } else { n - 8 };
        let w = word(at);
        // SAFETY: `at + 8 <= n`.
        unsafe { out.add(at).cast::<u64>().write_unaligned(w) };
        // The lowest high bit set here is the first zero byte's: a nonzero byte sets none
        // (`b - 1` keeps the high bit clear below 0x81, `!b` clears it from 0x80 up) unless
        // a borrow comes in, and borrows come only from zero bytes below it. The bytes the
        // last word shares with the one before were searched already: none is zero.
        let zeros = w.wrapping_sub(0x0101_0101_0101_0101) & !w & 0x8080_8080_8080_8080;
        if zeros != 0 {
            return at + (zeros.trailing_zeros() / 8) as usize;
        }
        i = at + 8;
        if i >= n {
            return n;
        }
    }
}

/// Loads `out.len()` bytes at `src` with plain loads, for memory that nobody writes while it is
/// read (bytes lent from `&[u8]`, a C string vouched for as read-only): atomic accesses would
/// need it to be writable.
///
/// # Safety
///
/// `src..src + out.len()` must be valid for reads and not written during the call.
#[inline]
pub(super) unsafe fn load_unshared(src: usize, out: &mut [u8]) {
    // SAFETY: the caller's range, valid for reads; nothing writes it, so there is no race.
    unsafe { std::ptr::copy_nonoverlapping(src as *const u8, out.as_mut_ptr(), out.len()) };
}

/// Loads `n` (at most 8) bytes at `src` as the low bytes of a little-endian word, with plain
/// loads, for memory that nobody writes while it is read (as [`load_unshared`]).
///
/// # Safety
///
/// `src..src + n` must be valid for reads and not written during the call.
#[inline]
pub(super) unsafe fn load_le_unshared(src: usize, n: usize) -> u64 {
    let mut b = [0u8; 8];
    let n = n.min(8);
    // SAFETY: the caller's range, valid for reads; nothing writes it, so there is no race.
    unsafe { std::ptr::copy_nonoverlapping(src as *const u8, b.as_mut_ptr(), n) };
    u64::from_le_bytes(b)
}

/// Loads `N` bytes at `src` (unrolled for the common scalar sizes).
///
/// # Safety
///
/// `src..src + N` must be valid for reads.
#[inline(always)]
pub(super) unsafe fn load_array<const N: usize>(src: usize) -> [u8; N] {
    std::array::from_fn(|i| {
        // SAFETY: byte `i < N` is inside the caller's range; a byte is always aligned.
        unsafe { AtomicU8::from_ptr((src + i) as *mut u8) }.load(Relaxed)
    })
}

/// Loads `n` (at most 8) bytes at `src` as the low bytes of a little-endian word, built in a
/// register: a word read back from a buffer of byte stores waits for them (a
/// store-forwarding stall of a dozen cycles, which perf showed on struct arguments).
///
/// # Safety
///
/// `src..src + n` must be valid for reads.
#[inline(always)]
pub(super) unsafe fn load_le(src: usize, n: usize) -> u64 {
    if n >= 8 {
        // SAFETY: the caller's range holds 8 bytes.
        return unsafe { bulk::load_word(src) };
    }
    let mut w = 0u64;
    for i in 0..n {
        // SAFETY: byte `i < n` is inside the caller's range; a byte is always aligned.
        let b = unsafe { AtomicU8::from_ptr((src + i) as *mut u8) }.load(Relaxed);
        w |= u64::from(b) << (8 * i);
    }
    w
}

/// Stores `bytes` at `dst`.
///
/// # Safety
///
/// `dst..dst + bytes.len()` must be valid for writes.
#[inline]
pub(super) unsafe fn store(dst: usize, bytes: &[u8]) {
    let n = bytes.len();
    if bulk::FAST && n > SMALL {
        // SAFETY: the caller's range is valid for writes; `bytes` is a Rust borrow, valid for
        // reads and not written meanwhile.
        unsafe { bulk::copy_forward(dst, bytes.as_ptr() as usize, n) };
        return;
    }
    if bulk::FAST && n >= 16 {
        // SAFETY: as above, `16 <= n <= SMALL`.
        unsafe { bulk::copy_small(dst, bytes.as_ptr() as usize, n) };
        return;
    }
    if bulk::FAST && n >= 8 {
        // Two words of 8 bytes (`bulk::store_word`: each byte a relaxed byte store), the
        // second ending at the range's end (it may store again bytes the first stored, the
        // same values), as `load_to` loads them.
        // SAFETY: `8 <= n`: both words are inside the caller's range and `bytes`.
        unsafe {
            let p = bytes.as_ptr();
            bulk::store_word(dst, p.cast::<u64>().read_unaligned());
            bulk::store_word(dst + n - 8, p.add(n - 8).cast::<u64>().read_unaligned());
        }
        return;
    }
    for (i, b) in bytes.iter().enumerate() {
        // SAFETY: byte `i` is inside the caller's range; a byte is always aligned.
        unsafe { AtomicU8::from_ptr((dst + i) as *mut u8) }.store(*b, Relaxed);
    }
}

/// Stores the `N` bytes of `bytes` at `dst` (unrolled for the common scalar sizes).
///
/// # Safety
///
/// `dst..dst + N` must be valid for writes.
#[inline(always)]
pub(super) unsafe fn store_array<const N: usize>(dst: usize, bytes: [u8; N]) {
    for (i, b) in bytes.into_iter().enumerate() {
        // SAFETY: byte `i < N` is inside the caller's range; a byte is always aligned.
        unsafe { AtomicU8::from_ptr((dst + i) as *mut u8) }.store(b, Relaxed);
    }
}

/// Stores `n` copies of `byte` at `dst`.
///
/// # Safety
///
/// `dst..dst + n` must be valid for writes.
pub(super) unsafe fn fill(dst: usize, n: usize, byte: u8) {
    if n >= BULK {
        // SAFETY: the caller's range.
        unsafe { bulk::fill(dst, n, byte) };
        return;
    }
    for i in 0..n {
        // SAFETY: byte `i` is inside the caller's range; a byte is always aligned.
        unsafe { AtomicU8::from_ptr((dst + i) as *mut u8) }.store(byte, Relaxed);
    }
}

/// Copies `n` bytes from `src` to `dst`; the ranges may overlap, as for `memmove`.
///
/// # Safety
///
/// `src..src + n` must be valid for reads and `dst..dst + n` for writes.
#[inline]
pub(super) unsafe fn copy(dst: usize, src: usize, n: usize) {
    if n < 16 {
        // SAFETY: the caller's ranges.
        unsafe { copy_short(dst, src, n) };
        return;
    }
    if n <= SMALL {
        // SAFETY: the caller's ranges, `16 <= n <= SMALL`; every byte is loaded before any is
        // stored, so the ranges may overlap.
        unsafe { bulk::copy_small(dst, src, n) };
        return;
    }
    // SAFETY: the caller's ranges.
    unsafe { copy_bulk(dst, src, n) }
}

/// [`copy`] of more than [`SMALL`] bytes, out of line: its 4 KiB buffer and saved registers cost
/// a short copy 20 instructions when they were one function.
///
/// # Safety
///
/// As for [`copy`].
#[inline(never)]
unsafe fn copy_bulk(dst: usize, src: usize, n: usize) {
    if dst <= src || dst - src >= n {
        // A forward copy reads every source byte before a write can reach it.
        // SAFETY: the caller's ranges.
        unsafe { bulk::copy_forward(dst, src, n) };
        return;
    }
    // The destination starts inside the source: copy from the end, a buffer at a time. Each
    // step writes only source bytes at or after the ones it has just read, which no later step
    // reads.
    let mut buf = [0u8; 4096];
    let mut left = n;
    while left > 0 {
        let k = left.min(buf.len());
        left -= k;
        // SAFETY: inside the caller's ranges.
        unsafe {
            load(src + left, &mut buf[..k]);
            store(dst + left, &buf[..k]);
        }
    }
}

/// Copies `n < 16` bytes from `src` to `dst`, the ranges overlapping or not: every byte is
/// loaded before any is stored, as two 8-byte words where there are 8 or more (the second
/// ending at the range's end: a byte loaded and stored twice, the second store holding the
/// second load's value), else byte by byte. A struct of 8 bytes (`p[0] = q[0]`) went through
/// `rep movsb`, whose start-up is several times the copy.
///
/// # Safety
///
/// `src..src + n` must be valid for reads and `dst..dst + n` for writes; `n < 16`.
#[inline]
unsafe fn copy_short(dst: usize, src: usize, n: usize) {
    debug_assert!(n < 16);
    if n < 8 {
        let b = &mut [0u8; 8][..n];
        // SAFETY: the caller's ranges; `b` is this function's own, loaded whole before the
        // store (byte loops both: `load` and `store` of fewer than 8 bytes).
        unsafe {
            load(src, b);
            store(dst, b);
        }
        return;
    }
    // SAFETY: `8 <= n`: the first and the last 8 bytes of the caller's ranges, both loaded
    // before either store.
    unsafe {
        let (first, last) = (bulk::load_word(src), bulk::load_word(src + n - 8));
        bulk::store_word(dst, first);
        bulk::store_word(dst + n - 8, last);
    }
}

/// The bulk paths: a forward copy and a fill, each byte accessed as one relaxed atomic byte
/// access would (see the module docs).
#[cfg(all(target_arch = "x86_64", not(miri)))]
#[path = "bulk_x86_64.rs"]
mod bulk;

/// The bulk paths: a forward copy and a fill, each byte accessed as one relaxed atomic byte
/// access would (see the module docs).
#[cfg(all(target_arch = "aarch64", not(miri)))]
#[path = "bulk_aarch64.rs"]
mod bulk;

/// The bulk paths on other targets and under Miri: byte loops, atomic on both sides (so only
/// for copies within C memory: loads into and stores from Rust buffers use their own loops).
#[cfg(any(not(any(target_arch = "x86_64", target_arch = "aarch64")), miri))]
#[path = "bulk_bytes.rs"]
mod bulk;

#[cfg(test)]
mod tests;

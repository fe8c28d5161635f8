//! Byte loops (other targets, and Miri): the bulk paths of [`super`].

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Loads and stores between C memory and Rust buffers take the byte loops of `load_to`
/// and `store`.
pub(super) const FAST: bool = false;

/// Copies `n` bytes from `src` to `dst`, front to back.
///
/// # Safety
///
/// `src..src + n` valid for reads, `dst..dst + n` for writes; if they overlap, `dst <= src`.
pub(super) unsafe fn copy_forward(dst: usize, src: usize, n: usize) {
    for i in 0..n {
        // SAFETY: byte `i` of the caller's ranges; a byte is always aligned.
        unsafe {
            let b = AtomicU8::from_ptr((src + i) as *mut u8).load(Relaxed);
            AtomicU8::from_ptr((dst + i) as *mut u8).store(b, Relaxed);
        }
    }
}

/// Copies `n` bytes, at most [`super::SMALL`], from `src` to `dst`, the ranges overlapping
/// or not: every byte loaded into a buffer before any is stored.
///
/// # Safety
///
/// `src..src + n` valid for reads, `dst..dst + n` for writes, `n <= SMALL`.
pub(super) unsafe fn copy_small(dst: usize, src: usize, n: usize) {
    let mut buf = [0u8; super::SMALL];
    let buf = &mut buf[..n];
    for (i, b) in buf.iter_mut().enumerate() {
        // SAFETY: byte `i` of the caller's source range; a byte is always aligned.
        *b = unsafe { AtomicU8::from_ptr((src + i) as *mut u8) }.load(Relaxed);
    }
    for (i, b) in buf.iter().enumerate() {
        // SAFETY: byte `i` of the caller's destination range.
        unsafe { AtomicU8::from_ptr((dst + i) as *mut u8) }.store(*b, Relaxed);
    }
}

/// Loads the 8 bytes at `src` as a little-endian word, byte by byte.
///
/// # Safety
///
/// `src..src + 8` valid for reads.
#[inline(always)]
pub(super) unsafe fn load_word(src: usize) -> u64 {
    // SAFETY: the caller's range.
    u64::from_le_bytes(unsafe { super::load_array::<8>(src) })
}

/// Stores `w` as 8 little-endian bytes at `dst`, byte by byte.
///
/// # Safety
///
/// `dst..dst + 8` valid for writes.
#[inline(always)]
pub(super) unsafe fn store_word(dst: usize, w: u64) {
    // SAFETY: the caller's range.
    unsafe { super::store_array::<8>(dst, w.to_le_bytes()) }
}

/// Stores `n` copies of `byte` at `dst`.
///
/// # Safety
///
/// `dst..dst + n` valid for writes.
pub(super) unsafe fn fill(dst: usize, n: usize, byte: u8) {
    for i in 0..n {
        // SAFETY: byte `i` of the caller's range; a byte is always aligned.
        unsafe { AtomicU8::from_ptr((dst + i) as *mut u8) }.store(byte, Relaxed);
    }
}

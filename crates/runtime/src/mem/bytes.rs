//! Every load and store of C memory, as relaxed atomic byte operations.
//!
//! Several threads may use the same C memory at once through clones of one cdata, as they may
//! in C. Plain loads and stores would make that a data race, which Rust's memory model leaves
//! undefined, and so would atomic accesses of different sizes to overlapping bytes. Every
//! access here is a relaxed atomic access of one byte, so a race is a race in C's sense only
//! (a thread may see another's bytes, or a mix of them) and never undefined behaviour in Rust.
//! On x86-64 and AArch64 a relaxed atomic byte access is a plain byte load or store.
//!
//! # Safety
//!
//! Each function's caller guarantees that the whole range is valid for the access (inside a
//! `Region`). Rust code touches C memory only through these functions, so every Rust-side
//! access to memory that may be written is atomic and of the same size; memory that nobody
//! writes while it is used (read-only regions) is read with plain loads, since an atomic
//! access would require it to be writable.

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// Loads `out.len()` bytes at `src`.
///
/// # Safety
///
/// `src..src + out.len()` must be valid for reads.
#[inline]
pub(super) unsafe fn load(src: usize, out: &mut [u8]) {
    for (i, b) in out.iter_mut().enumerate() {
        // SAFETY: byte `i` is inside the caller's range; a byte is always aligned.
        *b = unsafe { AtomicU8::from_ptr((src + i) as *mut u8) }.load(Relaxed);
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

/// Stores `bytes` at `dst`.
///
/// # Safety
///
/// `dst..dst + bytes.len()` must be valid for writes.
#[inline]
pub(super) unsafe fn store(dst: usize, bytes: &[u8]) {
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
    let chunk = [byte; 256];
    let mut done = 0;
    while done < n {
        let k = (n - done).min(chunk.len());
        // SAFETY: inside the caller's range.
        unsafe { store(dst + done, &chunk[..k]) };
        done += k;
    }
}

/// Copies `n` bytes from `src` to `dst`; the ranges may overlap (through a buffer).
///
/// # Safety
///
/// `src..src + n` must be valid for reads and `dst..dst + n` for writes.
pub(super) unsafe fn copy(dst: usize, src: usize, n: usize) {
    let mut buf = [0u8; 256];
    if n <= buf.len() {
        // SAFETY: the caller's ranges.
        unsafe {
            load(src, &mut buf[..n]);
            store(dst, &buf[..n]);
        }
        return;
    }
    let mut v = vec![0u8; n];
    // SAFETY: the caller's ranges.
    unsafe {
        load(src, &mut v);
        store(dst, &v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_and_stores_of_every_alignment_and_length() {
        let mut mem = [0u8; 40];
        let base = mem.as_mut_ptr() as usize;
        for off in 0..8 {
            for len in 0..=24 {
                let data: Vec<u8> = (0..len).map(|i| (i * 7 + off + 1) as u8).collect();
                // SAFETY: `off + len <= 32 < 40` bytes of `mem`.
                unsafe { store(base + off, &data) };
                let mut out = vec![0u8; len];
                // SAFETY: as above.
                unsafe { load(base + off, &mut out) };
                assert_eq!(out, data, "offset {off} length {len}");
            }
        }
        // SAFETY: bytes 3..23 and 0..20 of `mem`, overlapping.
        unsafe {
            fill(base, 40, 0);
            store(base, &(1..=20).collect::<Vec<u8>>());
            copy(base + 3, base, 20);
        }
        assert_eq!(&mem[3..23], &(1..=20).collect::<Vec<u8>>()[..]);
    }
}

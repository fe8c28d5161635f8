//! `ldp`/`stp` pairs and word accesses in `asm!` (AArch64): the bulk paths of [`super`],
//! each byte accessed as one relaxed atomic byte access would.

use std::arch::asm;

/// The bulk paths are faster than byte loops.
pub(super) const FAST: bool = true;

/// Copies `n` bytes from `src` to `dst`, front to back: 16 bytes per `ldp`/`stp` pair, then
/// single bytes. Each pair loads all 16 bytes before storing any, so a forward overlapping
/// copy with `dst < src` is correct.
///
/// # Safety
///
/// `src..src + n` valid for reads, `dst..dst + n` for writes; if they overlap, `dst <= src`.
#[inline]
pub(super) unsafe fn copy_forward(dst: usize, src: usize, n: usize) {
    // SAFETY: the caller's ranges; the loop reads only `src..src + n` and writes only
    // `dst..dst + n`; the scratch registers are declared clobbered.
    unsafe {
        asm!(
            "2:",
            "cmp {n}, #16",
            "b.lo 3f",
            "ldp {a}, {b}, [{src}], #16",
            "stp {a}, {b}, [{dst}], #16",
            "sub {n}, {n}, #16",
            "b 2b",
            "3:",
            "cbz {n}, 4f",
            "ldrb {a:w}, [{src}], #1",
            "strb {a:w}, [{dst}], #1",
            "sub {n}, {n}, #1",
            "b 3b",
            "4:",
            n = inout(reg) n => _,
            src = inout(reg) src => _,
            dst = inout(reg) dst => _,
            a = out(reg) _,
            b = out(reg) _,
            options(nostack),
        );
    }
}

/// Copies `n` bytes, `16 <= n <= 64`, from `src` to `dst`, the ranges overlapping or not:
/// one or two `ldp` pairs at the start and as many ending at the end, all loads before the
/// stores, as the x86-64 version does with 16-byte loads (bytes the pairs share are loaded
/// and stored twice, each store holding what a load before every store read).
///
/// # Safety
///
/// `src..src + n` valid for reads, `dst..dst + n` for writes, `16 <= n <= 64`.
#[inline(always)]
pub(super) unsafe fn copy_small(dst: usize, src: usize, n: usize) {
    debug_assert!((16..=super::SMALL).contains(&n));
    let (src_end, dst_end) = (src + n, dst + n);
    if n <= 32 {
        // SAFETY: each pair lies inside its range (`n >= 16`); the scratch registers are
        // declared clobbered.
        unsafe {
            asm!(
                "ldp {a}, {b}, [{src}]",
                "ldp {c}, {d}, [{src_end}, #-16]",
                "stp {a}, {b}, [{dst}]",
                "stp {c}, {d}, [{dst_end}, #-16]",
                src = in(reg) src,
                dst = in(reg) dst,
                src_end = in(reg) src_end,
                dst_end = in(reg) dst_end,
                a = out(reg) _,
                b = out(reg) _,
                c = out(reg) _,
                d = out(reg) _,
                options(nostack, preserves_flags),
            );
        }
        return;
    }
    // SAFETY: as above, two pairs from each end inside each range (`32 < n <= 64`).
    unsafe {
        asm!(
            "ldp {a}, {b}, [{src}]",
            "ldp {c}, {d}, [{src}, #16]",
            "ldp {e}, {f}, [{src_end}, #-32]",
            "ldp {g}, {h}, [{src_end}, #-16]",
            "stp {a}, {b}, [{dst}]",
            "stp {c}, {d}, [{dst}, #16]",
            "stp {e}, {f}, [{dst_end}, #-32]",
            "stp {g}, {h}, [{dst_end}, #-16]",
            src = in(reg) src,
            dst = in(reg) dst,
            src_end = in(reg) src_end,
            dst_end = in(reg) dst_end,
            a = out(reg) _,
            b = out(reg) _,
            c = out(reg) _,
            d = out(reg) _,
            e = out(reg) _,
            f = out(reg) _,
            g = out(reg) _,
            h = out(reg) _,
            options(nostack, preserves_flags),
        );
    }
}

/// Loads the 8 bytes at `src` (any alignment: user memory is Normal memory) as a
/// little-endian word: one `ldr`, each of whose bytes is single-copy atomic, so to any
/// observer the 8 byte loads `load_le` stands for.
///
/// # Safety
///
/// `src..src + 8` valid for reads.
#[inline(always)]
pub(super) unsafe fn load_word(src: usize) -> u64 {
    let w: u64;
    // SAFETY: the caller's range; the load touches nothing else.
    unsafe {
        asm!(
            "ldr {w}, [{src}]",
            w = lateout(reg) w,
            src = in(reg) src,
            options(nostack, readonly, preserves_flags),
        );
    }
    w
}

/// Stores `w` as 8 little-endian bytes at `dst` (any alignment): one `str`, to any
/// observer 8 relaxed byte stores, as for [`load_word`].
///
/// # Safety
///
/// `dst..dst + 8` valid for writes.
#[inline(always)]
pub(super) unsafe fn store_word(dst: usize, w: u64) {
    // SAFETY: the caller's range; the store touches nothing else.
    unsafe {
        asm!(
            "str {w}, [{dst}]",
            w = in(reg) w,
            dst = in(reg) dst,
            options(nostack, preserves_flags),
        );
    }
}

/// Stores `n` copies of `byte` at `dst`: 16 bytes per `stp`, then single bytes.
///
/// # Safety
///
/// `dst..dst + n` valid for writes.
#[inline]
pub(super) unsafe fn fill(dst: usize, n: usize, byte: u8) {
    let word = u64::from(byte) * 0x0101_0101_0101_0101;
    // SAFETY: the caller's range; the loop writes only `dst..dst + n`.
    unsafe {
        asm!(
            "2:",
            "cmp {n}, #16",
            "b.lo 3f",
            "stp {w}, {w}, [{dst}], #16",
            "sub {n}, {n}, #16",
            "b 2b",
            "3:",
            "cbz {n}, 4f",
            "strb {w:w}, [{dst}], #1",
            "sub {n}, {n}, #1",
            "b 3b",
            "4:",
            n = inout(reg) n => _,
            dst = inout(reg) dst => _,
            w = in(reg) word,
            options(nostack),
        );
    }
}

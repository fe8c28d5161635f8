//! `rep movsb`, the AVX copy and word accesses in `asm!` (x86-64): the bulk paths of
//! [`super`], each byte accessed as one relaxed atomic byte access would.

use std::arch::asm;

/// The bulk paths are faster than byte loops.
pub(super) const FAST: bool = true;

/// Copies of this many bytes or more take [`copy_vector`] where the processor has AVX.
/// Below it `rep movsb` is as fast (its start-up is paid either way); from 128 bytes to
/// 16 KiB the vector loop took two thirds of its time and less on an AMD EPYC host (256
/// bytes: 10 ns against 12–17; 4 KiB: 50 against 71–79).
const VECTOR: usize = 64;

/// Copies of this many bytes or more take `rep movsb` again where the processor says its
/// `rep movsb` is fast (ERMS): from 32 KiB it moved memory faster than the vector loop on the
/// quiet AMD EPYC host, by a fifth to a third where source and destination share their
/// alignment (32 KiB: 197 ns against 317; 64 KiB: 524 against 681; 1 MiB: 15.2 µs against
/// 18.5, glibc's `memmove` 17.9), and within 5% where they do not. From 2 to 16 KiB it was
/// the slower one (`docs/performance.md`, twenty-ninth session).
const REP: usize = 32 * 1024;

/// Copies `n` bytes from `src` to `dst`, front to back: by `rep movsb`, each byte once (it is
/// specified as a repeated byte move, which is also what makes a forward overlapping copy
/// with `dst < src` correct), or through [`copy_vector`] (the last 32 bytes may be stored
/// twice).
///
/// # Safety
///
/// `src..src + n` valid for reads, `dst..dst + n` for writes; if they overlap, `dst <= src`.
#[inline]
pub(super) unsafe fn copy_forward(dst: usize, src: usize, n: usize) {
    if n >= VECTOR {
        // SAFETY: the caller's ranges.
        unsafe { copy_long(dst, src, n) };
        return;
    }
    // SAFETY: the caller's ranges.
    unsafe { copy_bytes(dst, src, n) };
}

/// [`copy_forward`] of [`VECTOR`] bytes or more, out of line: the checks for AVX and ERMS, in
/// line in each copy, kept callers' closures from being inlined (a 24-byte struct argument
/// took 24 instructions more).
///
/// # Safety
///
/// As for [`copy_forward`].
#[inline(never)]
unsafe fn copy_long(dst: usize, src: usize, n: usize) {
    if n >= REP && std::arch::is_x86_feature_detected!("ermsb") {
        // SAFETY: the caller's ranges.
        unsafe { copy_bytes(dst, src, n) };
    } else if std::arch::is_x86_feature_detected!("avx") {
        // SAFETY: the caller's ranges, `n >= VECTOR >= 32`; the processor and the
        // system have AVX (checked).
        unsafe { copy_vector(dst, src, n) };
    } else {
        // SAFETY: the caller's ranges.
        unsafe { copy_bytes(dst, src, n) };
    }
}

/// `rep movsb`: `n` bytes from `src` to `dst`, front to back.
///
/// # Safety
///
/// As for [`copy_forward`].
#[inline(always)]
unsafe fn copy_bytes(dst: usize, src: usize, n: usize) {
    // SAFETY: the caller's ranges; the direction flag is clear on entry to any Rust code
    // (the ABI requires it), so the copy runs upwards; no stack, no flags touched.
    unsafe {
        asm!(
            "rep movsb",
            inout("rcx") n => _,
            inout("rdi") dst => _,
            inout("rsi") src => _,
            options(nostack, preserves_flags),
        );
    }
}

/// Copies `n >= 32` bytes from `src` to `dst` in 32-byte AVX loads and stores, four at a
/// time, each store inside one 32-byte block of the destination (a store across a cache
/// line took the 8 KiB copy half as long again): the first and the last 32 bytes are loaded
/// first and stored last (covering what the loops leave before the first aligned block and
/// after the last, so there is no byte loop), and each step loads all it copies before it
/// stores. A forward overlapping copy with `dst < src` is correct: a step's stores land below
/// `src` plus what it has loaded, never on a source byte still to be loaded, and the first
/// and last 32 bytes were loaded before any store. Each byte is loaded and stored as one byte
/// of a wider access, single-copy atomic as every byte of every x86-64 access is; the bytes of
/// the first and last 32 may be stored twice, the second store holding the value loaded first
/// (to any observer, two relaxed byte stores; without a racing writer, the same value).
///
/// # Safety
///
/// As for [`copy_forward`], `n >= 32`, and the processor and the system support AVX.
#[target_feature(enable = "avx")]
unsafe fn copy_vector(dst: usize, src: usize, n: usize) {
    debug_assert!(n >= 32);
    // SAFETY: every access is inside `src..src + n` or `dst..dst + n` (the first block at 0
    // and the last at `n - 32 >= 0`; the loops start `skip < 32` bytes in and run while 128
    // and then more than 32 bytes are left, and `n - skip >= 1`); the caller vouches for AVX;
    // `vzeroupper` leaves the upper halves clean for SSE code after it, and every vector
    // register is declared clobbered; flags are written.
    unsafe {
        asm!(
            "vmovdqu ymm4, ymmword ptr [{src} + {n} - 32]",
            "vmovdqu ymm5, ymmword ptr [{src}]",
            "lea {last}, [{dst} + {n} - 32]",
            "mov {first}, {dst}",
            // skip = (-dst) mod 32: the bytes before the destination's first 32-byte block.
            "mov {skip}, {dst}",
            "neg {skip}",
            "and {skip}, 31",
            "add {src}, {skip}",
            "add {dst}, {skip}",
            "sub {n}, {skip}",
            "cmp {n}, 128",
            "jb 3f",
            "2:",
            "vmovdqu ymm0, ymmword ptr [{src}]",
            "vmovdqu ymm1, ymmword ptr [{src} + 32]",
            "vmovdqu ymm2, ymmword ptr [{src} + 64]",
            "vmovdqu ymm3, ymmword ptr [{src} + 96]",
            "vmovdqu ymmword ptr [{dst}], ymm0",
            "vmovdqu ymmword ptr [{dst} + 32], ymm1",
            "vmovdqu ymmword ptr [{dst} + 64], ymm2",
            "vmovdqu ymmword ptr [{dst} + 96], ymm3",
            "add {src}, 128",
            "add {dst}, 128",
            "sub {n}, 128",
            "cmp {n}, 128",
            "jae 2b",
            "3:",
            "cmp {n}, 32",
            "jbe 4f",
            "vmovdqu ymm0, ymmword ptr [{src}]",
            "vmovdqu ymmword ptr [{dst}], ymm0",
            "add {src}, 32",
            "add {dst}, 32",
            "sub {n}, 32",
            "jmp 3b",
            "4:",
            "vmovdqu ymmword ptr [{last}], ymm4",
            "vmovdqu ymmword ptr [{first}], ymm5",
            "vzeroupper",
            src = inout(reg) src => _,
            dst = inout(reg) dst => _,
            n = inout(reg) n => _,
            last = out(reg) _,
            first = out(reg) _,
            skip = out(reg) _,
            // `vzeroupper` writes the upper half of every vector register.
            out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _,
            out("ymm4") _, out("ymm5") _, out("ymm6") _, out("ymm7") _,
            out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
            out("ymm12") _, out("ymm13") _, out("ymm14") _, out("ymm15") _,
            options(nostack),
        );
    }
}

/// Copies `n` bytes, `16 <= n <= 64`, from `src` to `dst`, the ranges overlapping or not:
/// two or four 16-byte SSE2 loads (every x86-64 has SSE2) — the first 16 bytes, the next 16,
/// the 16 before the last and the last 16 — all before the stores. Bytes the accesses share
/// are loaded twice and stored twice, each store holding what a load before every store read
/// (to any observer, relaxed byte stores; without a racing writer, the same value). No loop,
/// no feature check and no `vzeroupper`: a 64-byte struct result went through the AVX loop's
/// set-up, and a 40-byte one through `rep movsb`'s start-up.
///
/// # Safety
///
/// `src..src + n` valid for reads, `dst..dst + n` for writes, `16 <= n <= 64`.
#[inline(always)]
pub(super) unsafe fn copy_small(dst: usize, src: usize, n: usize) {
    debug_assert!((16..=super::SMALL).contains(&n));
    if n <= 32 {
        // SAFETY: both accesses of each side lie inside its range (`n >= 16`); the two
        // scratch registers are declared clobbered.
        unsafe {
            asm!(
                "movdqu {a}, xmmword ptr [{src}]",
                "movdqu {b}, xmmword ptr [{src} + {n} - 16]",
                "movdqu xmmword ptr [{dst}], {a}",
                "movdqu xmmword ptr [{dst} + {n} - 16], {b}",
                src = in(reg) src,
                dst = in(reg) dst,
                n = in(reg) n,
                a = out(xmm_reg) _,
                b = out(xmm_reg) _,
                options(nostack, preserves_flags),
            );
        }
        return;
    }
    // SAFETY: as above, with four accesses of each side inside its range (`32 < n <= 64`).
    unsafe {
        asm!(
            "movdqu {a}, xmmword ptr [{src}]",
            "movdqu {b}, xmmword ptr [{src} + 16]",
            "movdqu {c}, xmmword ptr [{src} + {n} - 32]",
            "movdqu {d}, xmmword ptr [{src} + {n} - 16]",
            "movdqu xmmword ptr [{dst}], {a}",
            "movdqu xmmword ptr [{dst} + 16], {b}",
            "movdqu xmmword ptr [{dst} + {n} - 32], {c}",
            "movdqu xmmword ptr [{dst} + {n} - 16], {d}",
            src = in(reg) src,
            dst = in(reg) dst,
            n = in(reg) n,
            a = out(xmm_reg) _,
            b = out(xmm_reg) _,
            c = out(xmm_reg) _,
            d = out(xmm_reg) _,
            options(nostack, preserves_flags),
        );
    }
}

/// Loads the 8 bytes at `src` (any alignment) as a little-endian word: one `mov`, each
/// of whose bytes is single-copy atomic, so to any observer the 8 byte loads `load_le`
/// stands for.
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
            "mov {w}, qword ptr [{src}]",
            w = lateout(reg) w,
            src = in(reg) src,
            options(nostack, readonly, preserves_flags),
        );
    }
    w
}

/// Stores `w` as 8 little-endian bytes at `dst` (any alignment): one `mov`, to any
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
            "mov qword ptr [{dst}], {w}",
            w = in(reg) w,
            dst = in(reg) dst,
            options(nostack, preserves_flags),
        );
    }
}

/// Stores `n` copies of `byte` at `dst`.
///
/// # Safety
///
/// `dst..dst + n` valid for writes.
#[inline]
pub(super) unsafe fn fill(dst: usize, n: usize, byte: u8) {
    // SAFETY: the caller's range; as for `copy_forward`.
    unsafe {
        asm!(
            "rep stosb",
            inout("rcx") n => _,
            inout("rdi") dst => _,
            in("al") byte,
            options(nostack, preserves_flags),
        );
    }
}

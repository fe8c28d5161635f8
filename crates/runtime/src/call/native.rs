//! Calls without libffi for signatures of numbers, pointers, `char`, `_Bool`, enums and
//! (x86-64) `__int128`, complex numbers, x87 `long double` (its result through `asm!`:
//! `call_x87`) and structs — in the 6 (x86-64) or 8 (AArch64) integer-class registers and the 8 floating
//! ones, and past them in up to 64 stack words (then one struct copied from its memory:
//! `far`) — returning a number, a pointer, a struct or nothing.
//! On x86-64 (System V) and AArch64 (AAPCS64, Linux), where the tests check it; structs go
//! through registers this way on x86-64 only (AArch64 passes them by other rules: libffi).
//!
//! # Safety
//!
//! The System V x86-64 and AAPCS64 calling conventions give each argument of a non-variadic
//! function the next free register of its class, integer-class arguments (integers,
//! pointers) in `rdi, rsi, rdx, rcx, r8, r9` / `x0–x7` and floating ones in `xmm0–7` /
//! `v0–v7`, independently of each other and of their interleaving, and a callee reads only the
//! registers its parameters name. So one "universal" Rust signature — all the integer
//! registers, then all the floating ones — places the arguments of *any* such function where it
//! expects them: the integer-class arguments in order, then the floating ones in order, the
//! registers beyond them holding zeros that the callee never reads. A `float` travels in the
//! low 32 bits of its vector register, so its bits go in the low half of an `f64`'s bits.
//! Integers narrower than a register are passed sign- or zero-extended to 64 bits (as callers
//! must for `char`, `short` and `_Bool`). On x86-64 a struct of at most 16 bytes travels as its
//! eightbytes, each in the next register of its class (a vector register when it holds only
//! floats; none for a second eightbyte of padding only, which System V classes NO_CLASS), all
//! in registers or none — `__int128` as two integer eightbytes; a struct result comes back the
//! same way, in `rax`, `rdx`,
//! `xmm0`, `xmm1` — which is how Rust returns the `repr(C)` pairs used here. Results come back
//! in `rax`/`x0` or `xmm0`/`v0`; a result narrower than the register is read from its low bytes
//! only. An argument for which its class's registers have run out goes on the stack, whole
//! (a struct's eightbytes together), in argument order, in 8-byte words holding the value in
//! their low bytes (both conventions round stack arguments of at most 8-byte alignment up to
//! 8 bytes; on x86-64 an argument aligned to 16 — `__int128`, a struct aligned to 16 — starts
//! at an even word, 16-byte aligned since the first word is; arguments aligned to more never
//! take this path); later arguments still take the
//! registers left of their own class. The universal signature's parameters after the
//! registers are plain `u64`s: with every register already taken by its first parameters, the
//! caller passes them on the stack in order, 8 bytes each, which is where the callee reads its
//! stack arguments; words past the callee's are never read, and the caller pops them. (On
//! x86-64 a non-variadic callee gets them in pairs, as 16-byte vectors, which the caller
//! passes on the stack in order at 16-byte boundaries: the same bytes, `universal_pairs!`.)
//! This is what libffi's assembly does for such signatures, without classifying the arguments
//! again on every call.
//! A variadic function is called the same way (`call_variadic`), its fixed parameters and
//! its promoted variadic arguments assigned as named ones: both conventions pass variadic
//! arguments as they pass named ones (AAPCS64 as Linux and the BSDs use it, not Apple's), and
//! on x86-64 the universal signature is then declared C-variadic — the stack words as its
//! variadic part — so that Rust's call sets `%al`, the upper bound of vector registers used
//! that a variadic callee's prologue reads (8).
//! Only this module makes these calls; its caller vouches that the code address is a function
//! of the plan's type (variadic only through `call_variadic`). One of the runtime's modules
//! with `unsafe` code.

#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use crate::abi::{Class, Reg, RetFF, RetFI, RetIF, RetII, RetReg, STACK_WORDS};

/// Integer arguments, floating arguments and stack words, as the universal signature takes
/// them. Only the registers and words a call assigns are written: the rest stay
/// uninitialized, which `MaybeUninit` passes as it is (it has `u64`'s and `f64`'s size,
/// alignment and ABI, and may hold anything); the callee never reads them.
pub(super) struct Regs {
    pub(crate) ints: [MaybeUninit<u64>; 8],
    pub(crate) floats: [MaybeUninit<f64>; 8],
    pub(crate) stack: [MaybeUninit<u64>; STACK_WORDS],
}

impl Regs {
    pub(crate) const fn new() -> Regs {
        Regs {
            ints: [MaybeUninit::uninit(); 8],
            floats: [MaybeUninit::uninit(); 8],
            stack: [MaybeUninit::uninit(); STACK_WORDS],
        }
    }

    /// The stack words from `start` on as `len` bytes to copy a struct argument into (its
    /// bytes in order, as on the stack), not zeroed but the last word, whose rest stays zero:
    /// zeroes stored just before the copy made it wait for them. `None` past the words.
    #[inline]
    pub(crate) fn stack_bytes(
        &mut self,
        start: usize,
        len: usize,
    ) -> Option<&mut [MaybeUninit<u8>]> {
        let words = self
            .stack
            .get_mut(start..start.checked_add(len.div_ceil(8))?)?;
        // The last word's bytes past `len` are zero (the rest are the caller's to write).
        if let Some(last) = words.last_mut() {
            *last = MaybeUninit::new(0);
        }
        // SAFETY: `MaybeUninit<u8>` has no validity requirement and needs no alignment; `len`
        // bytes lie inside the `words.len() * 8` bytes of the borrowed words, whose borrow the
        // result keeps.
        Some(unsafe {
            std::slice::from_raw_parts_mut(words.as_mut_ptr().cast::<MaybeUninit<u8>>(), len)
        })
    }

    /// Puts 8 bytes of an argument (an integer extended to 64 bits, a pointer, a `double`'s
    /// bits, a `float`'s bits in the low half, a struct's eightbyte) in its register.
    #[inline(always)]
    pub(crate) fn set(&mut self, reg: Reg, word: u64) {
        match reg {
            Reg::Int(n) => self.ints[usize::from(n) & 7] = MaybeUninit::new(word),
            Reg::Float(n) => {
                self.floats[usize::from(n) & 7] = MaybeUninit::new(f64::from_bits(word))
            }
            Reg::Stack(n) => self.stack[usize::from(n) % STACK_WORDS] = MaybeUninit::new(word),
        }
    }
}

/// Calls `code` with the universal signature — the integer registers, the floating ones, then
/// `$k` stack words — and result type `$r`.
///
/// `universal!(variadic ...)` calls a C-variadic callee: on x86-64 (System V) the signature is
/// then declared C-variadic with the stack words as its variadic part — every register is
/// already taken by the fixed parameters, so they go on the stack in order, as fixed ones do.
/// The difference is `%al`: a variadic callee's prologue reads it as an upper bound of the
/// vector registers the call uses (to save them for `va_arg`), and Rust's call of a C-variadic
/// function sets it (to 8 here). AArch64 passes variadic arguments as named ones: the same
/// call. (On x86-64 the other callees take their stack words in pairs: `universal_pairs!`.)
#[cfg(target_arch = "x86_64")]
macro_rules! universal {
    (variadic $code:expr, $r:ty, $i:expr, $f:expr, $s:expr, [$($k:literal)*]) => {{
        #[allow(unused_variables)]
        let (i, f, s) = ($i, $f, $s);
        let fun = std::mem::transmute::<
            usize,
            unsafe extern "C" fn(
                Word, Word, Word, Word, Word, Word,
                Float, Float, Float, Float, Float, Float, Float, Float,
                ...
            ) -> $r,
        >($code);
        fun(i[0], i[1], i[2], i[3], i[4], i[5], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], $(s[$k]),*)
    }};
}
#[cfg(not(target_arch = "x86_64"))]
macro_rules! universal {
    (variadic $($rest:tt)*) => {
        universal!($($rest)*)
    };
    ($code:expr, $r:ty, $i:expr, $f:expr, $s:expr, [$($k:literal)*]) => {{
        #[allow(unused_variables)]
        let (i, f, s) = ($i, $f, $s);
        let fun = std::mem::transmute::<
            usize,
            unsafe extern "C" fn(
                Word, Word, Word, Word, Word, Word, Word, Word,
                Float, Float, Float, Float, Float, Float, Float, Float,
                $(stack_word!($k)),*
            ) -> $r,
        >($code);
        fun(i[0], i[1], i[2], i[3], i[4], i[5], i[6], i[7], f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], $(s[$k]),*)
    }};
}

/// [`universal!`] of a non-variadic callee on x86-64 with its stack words passed in pairs,
/// `$k` the pairs' numbers: as 16-byte vectors (`__m128i`), which, every vector register
/// being taken by the floating parameters, go on the stack in order, each 16 bytes at a
/// 16-byte boundary — the same bytes as the two words, stored 16 at a time. A callee that
/// loads 16 bytes of a struct argument (`movdqu`) then reads them from one store, which the
/// processor forwards; from two 8-byte stores (the words pushed one by one) the load waited
/// for both to reach the cache.
///
/// (Its `@` form takes the first integer parameter's type and value apart, and the other
/// five's values: `universal_memory!` passes a result's address there.)
#[cfg(target_arch = "x86_64")]
macro_rules! universal_pairs {
    ($code:expr, $r:ty, $i:expr, $f:expr, $s:expr, [$($k:literal)*]) => {{
        let i = $i;
        universal_pairs!(@ $code, $r, (Word, i[0]), [i[1], i[2], i[3], i[4], i[5]], $f, $s, [$($k)*])
    }};
    (@ $code:expr, $r:ty, ($t0:ty, $v0:expr), [$($v:expr),*], $f:expr, $s:expr, [$($k:literal)*]) => {{
        #[allow(unused_variables)]
        let (f, s) = ($f, $s);
        let fun = std::mem::transmute::<
            usize,
            unsafe extern "C" fn(
                $t0, Word, Word, Word, Word, Word,
                Float, Float, Float, Float, Float, Float, Float, Float,
                $(stack_pair!($k)),*
            ) -> $r,
        >($code);
        fun($v0, $($v),*, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], $(pair(s, $k)),*)
    }};
}

/// [`universal_pairs!`] for a result through memory (x86-64 System V): the caller passes the
/// address the callee writes its struct at as the first integer argument (what a hidden
/// result pointer is: `%rdi`, returned in `%rax`), so the signature has one integer register
/// fewer before its stack words.
#[cfg(target_arch = "x86_64")]
macro_rules! universal_memory {
    ($code:expr, $dst:expr, $i:expr, $f:expr, $s:expr, [$($k:literal)*]) => {{
        let i = $i;
        universal_pairs!(@ $code, *mut u8, (*mut u8, $dst), [i[0], i[1], i[2], i[3], i[4]], $f, $s, [$($k)*])
    }};
}

/// The type of one pair of stack words of [`universal_pairs!`] (the literal only counts
/// them).
#[cfg(target_arch = "x86_64")]
macro_rules! stack_pair {
    ($k:literal) => {
        Pair
    };
}

/// Two stack words of the universal signature, as [`universal_pairs!`] passes them: perhaps
/// uninitialized.
#[cfg(target_arch = "x86_64")]
type Pair = MaybeUninit<std::arch::x86_64::__m128i>;

/// Stack words `2k` and `2k + 1` of `s` as one [`Pair`].
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn pair(s: &[MaybeUninit<u64>; STACK_WORDS], k: usize) -> Pair {
    const { assert!(STACK_WORDS.is_multiple_of(2)) };
    let words = &s[2 * k..2 * k + 2];
    // SAFETY: `words` is two `MaybeUninit<u64>`s in a row, 16 bytes inside the array; a
    // `MaybeUninit` may hold any bytes, and an unaligned read needs no alignment.
    unsafe { words.as_ptr().cast::<Pair>().read_unaligned() }
}

/// The type of one stack word of the universal signature (the literal only counts them).
#[cfg(not(target_arch = "x86_64"))]
macro_rules! stack_word {
    ($k:literal) => {
        Word
    };
}

/// An integer register or stack word of the universal signature, as passed: perhaps
/// uninitialized (one the call does not use).
type Word = MaybeUninit<u64>;
/// A floating register of the universal signature, as passed.
type Float = MaybeUninit<f64>;

/// [`universal!`] with as many stack words as the call needs, rounded up to 0, 2, 4, 8, 16, 32
/// or 64
/// (the words past the arguments are never read: the caller owns and pops its stack area).
/// (`[variadic]` first: for a C-variadic callee; `[]`: for any other, on x86-64 with its
/// words in pairs, [`universal_pairs!`].)
#[cfg(target_arch = "x86_64")]
macro_rules! universal_stack {
    ([] $code:expr, $r:ty, $r_in:expr, $words:expr) => {{
        let r = $r_in;
        let (i, f, s) = (&r.ints, &r.floats, &r.stack);
        match $words {
            0 => universal_pairs!($code, $r, i, f, s, []),
            1..=2 => universal_pairs!($code, $r, i, f, s, [0]),
            3..=4 => universal_pairs!($code, $r, i, f, s, [0 1]),
            5..=8 => universal_pairs!($code, $r, i, f, s, [0 1 2 3]),
            9..=16 => universal_pairs!($code, $r, i, f, s, [0 1 2 3 4 5 6 7]),
            17..=32 => universal_pairs!($code, $r, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]),
            _ => universal_pairs!($code, $r, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31]),
        }
    }};
    ([variadic] $code:expr, $r:ty, $r_in:expr, $words:expr) => {
        universal_words!([variadic] $code, $r, $r_in, $words)
    };
}
#[cfg(not(target_arch = "x86_64"))]
macro_rules! universal_stack {
    ($($rest:tt)*) => {
        universal_words!($($rest)*)
    };
}

/// [`universal_stack!`] with the stack words passed one by one.
macro_rules! universal_words {
    ([$($v:ident)?] $code:expr, $r:ty, $r_in:expr, $words:expr) => {{
        let r = $r_in;
        let (i, f, s) = (&r.ints, &r.floats, &r.stack);
        match $words {
            0 => universal!($($v)? $code, $r, i, f, s, []),
            1..=2 => universal!($($v)? $code, $r, i, f, s, [0 1]),
            3..=4 => universal!($($v)? $code, $r, i, f, s, [0 1 2 3]),
            5..=8 => universal!($($v)? $code, $r, i, f, s, [0 1 2 3 4 5 6 7]),
            9..=16 => universal!($($v)? $code, $r, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15]),
            17..=32 => universal!($($v)? $code, $r, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31]),
            _ => universal!($($v)? $code, $r, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63]),
        }
    }};
}

/// Calls `code`, whose result is a struct through memory, with the registers `r` and `words`
/// stack words; the callee writes its result at `dst`.
///
/// # Safety
///
/// As for [`call`], for a result of class [`RetReg::Memory`] (x86-64 only); `dst` must be valid
/// for writes of the result's size, aligned for it, and not otherwise in use during the call.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) unsafe fn call_memory(code: usize, dst: *mut u8, r: &Regs, words: u8) {
    if words >= WIDE_FROM {
        // SAFETY: the caller's promise, passed on: a result through memory at `dst`.
        unsafe { call_wide(code, dst, r, words) };
        return;
    }
    let (i, f, s) = (&r.ints, &r.floats, &r.stack);
    // SAFETY: the caller's promise, as for `call`: the result address is the first integer
    // argument (where System V puts the hidden one; the callee writes its struct there, which
    // the caller made room for), then the registers and stack words as `Native::of` assigned
    // them for one integer register fewer.
    unsafe {
        match words {
            0 => universal_memory!(code, dst, i, f, s, []),
            1..=2 => universal_memory!(code, dst, i, f, s, [0]),
            3..=4 => universal_memory!(code, dst, i, f, s, [0 1]),
            5..=8 => universal_memory!(code, dst, i, f, s, [0 1 2 3]),
            9..=16 => universal_memory!(code, dst, i, f, s, [0 1 2 3 4 5 6 7]),
            17..=32 => {
                universal_memory!(code, dst, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15])
            }
            _ => {
                universal_memory!(code, dst, i, f, s, [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31])
            }
        };
    }
}

/// Not reached on targets without results through memory on this path.
///
/// # Safety
///
/// Never called: `Native::of` gives no [`RetReg::Memory`] here.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(super) unsafe fn call_memory(_code: usize, _dst: *mut u8, _r: &Regs, _words: u8) {
    unreachable!("results through memory take the register path on x86-64 only")
}

/// The assembly that loads the six integer argument registers from the [`AsmFrame`] at `r13`
/// (through `rax`), for the calls made in assembly.
#[cfg(target_arch = "x86_64")]
macro_rules! int_args {
    () => {
        concat!(
            "mov rax, [r13]\n",
            "mov rdi, [rax]\n",
            "mov rsi, [rax + 8]\n",
            "mov rdx, [rax + 16]\n",
            "mov rcx, [rax + 24]\n",
            "mov r8, [rax + 32]\n",
            "mov r9, [rax + 40]",
        )
    };
}

/// The assembly that loads the eight vector argument registers from the [`AsmFrame`] at
/// `r13` (through `rax`), for the calls made in assembly.
#[cfg(target_arch = "x86_64")]
macro_rules! vector_args {
    () => {
        concat!(
            "mov rax, [r13 + 8]\n",
            "movsd xmm0, [rax]\n",
            "movsd xmm1, [rax + 8]\n",
            "movsd xmm2, [rax + 16]\n",
            "movsd xmm3, [rax + 24]\n",
            "movsd xmm4, [rax + 32]\n",
            "movsd xmm5, [rax + 40]\n",
            "movsd xmm6, [rax + 48]\n",
            "movsd xmm7, [rax + 56]",
        )
    };
}

/// The end of the calls made in assembly with their stack area written ([`call_wide`],
/// `far::call_far`): the vector argument registers loaded, then — for a result through
/// memory, whose address the [`AsmFrame`] at `r13` holds (not null) — that address in `rdi`
/// and five integer registers after it, else the six; the call of `r14`; the stack pointer
/// restored from `r12`; and the low halves of `xmm0` and `xmm1` in `rcx` and `rsi`.
#[cfg(target_arch = "x86_64")]
macro_rules! call_and_return {
    () => {
        concat!(
            vector_args!(),
            "\n",
            "mov rdi, [r13 + 16]\n",
            "test rdi, rdi\n",
            "jz 6f\n",
            "mov rax, [r13]\n",
            "mov rsi, [rax]\n",
            "mov rdx, [rax + 8]\n",
            "mov rcx, [rax + 16]\n",
            "mov r8, [rax + 24]\n",
            "mov r9, [rax + 32]\n",
            "jmp 7f\n",
            "6:\n",
            int_args!(),
            "\n",
            "7:\n",
            "call r14\n",
            "mov rsp, r12\n",
            "movq rcx, xmm0\n",
            "movq rsi, xmm1",
        )
    };
}

/// What the calls made in assembly ([`call_x87`], [`call_wide`]) read their registers from,
/// at fixed offsets.
#[cfg(target_arch = "x86_64")]
#[repr(C)]
struct AsmFrame {
    ints: *const MaybeUninit<u64>,
    floats: *const MaybeUninit<f64>,
    /// `call_x87`: where `st0` is stored; `call_wide`: the address a result through memory is
    /// written at (the hidden first argument), or null.
    at: *mut u8,
}

/// Calls `code`, whose result is an x87 `long double` (x86-64: returned in `st0`, which no
/// Rust signature reads), with the registers `r` and `words` stack words; returns the
/// result's 16 bytes (its 10 bytes, then zeros).
///
/// The call is made in assembly, as the universal signature would make it: the stack words
/// copied to a 16-byte aligned area below the stack pointer (`asm!` without `nostack` may
/// push, and gets a stack pointer aligned for a call, no red zone in use), the six integer
/// and eight vector argument registers loaded, `call`, then `fstp` stores `st0` — popping it,
/// so the x87 stack is empty again, as the convention wants it between calls — and the stack
/// pointer is restored. Every register the C convention lets the callee change is declared
/// clobbered (`clobber_abi("C")`, the x87 stack included); the values used after the call
/// live in callee-saved registers.
///
/// # Safety
///
/// As for [`call`], for a result of class [`RetReg::X87`].
#[cfg(target_arch = "x86_64")]
#[inline(never)]
unsafe fn call_x87(code: usize, r: &Regs, words: u8) -> [u64; 2] {
    let mut out = [0u64; 2];
    let (low, high): (usize, usize);
    let frame = AsmFrame {
        ints: r.ints.as_ptr(),
        floats: r.floats.as_ptr(),
        at: out.as_mut_ptr().cast(),
    };
    let n = usize::from(words).min(STACK_WORDS);
    // SAFETY: the caller's promise (module docs): `code` is a non-variadic function whose
    // parameters are the ones `Native::of` assigned `r` from, returning an x87 value. The
    // assembly reads `n` initialized-or-uninitialized words of `r.stack` (inside the array) and
    // the 6 + 8 register values through `frame` (pointers into `r`, alive for the call), and
    // writes 10 bytes at `out` (16 bytes long) and reads them back; it restores the stack
    // pointer it moved.
    unsafe {
        std::arch::asm!(
            "mov r12, rsp",
            "lea rax, [rcx * 8 + 15]",
            "and rax, -16",
            "sub rsp, rax",
            "and rsp, -16",
            "mov rdi, rsp",
            // A loop, not `rep movsq`: the string instruction's start-up cost more than the
            // few words a call has (perf showed the stall on the load after it).
            "test rcx, rcx",
            "jz 3f",
            "2:",
            "mov rax, [rsi]",
            "mov [rdi], rax",
            "add rsi, 8",
            "add rdi, 8",
            "dec rcx",
            "jnz 2b",
            "3:",
            int_args!(),
            vector_args!(),
            "call r14",
            "mov rax, [r13 + 16]",
            "fstp tbyte ptr [rax]",
            // Read back as the 8 and 2 bytes stored: a 16-byte load of a 10-byte store waits
            // for the store to reach the cache (perf showed the stall).
            "mov rsi, [rax]",
            "movzx ecx, word ptr [rax + 8]",
            "mov rsp, r12",
            inout("rcx") n => high,
            inout("rsi") r.stack.as_ptr() => low,
            in("r13") &raw const frame,
            in("r14") code,
            out("r12") _,
            clobber_abi("C"),
        );
    }
    [low as u64, high as u64]
}

#[cfg(target_arch = "x86_64")]
mod far;
#[cfg(target_arch = "x86_64")]
pub(super) use far::{call_far, call_far_registers};

/// Not reached on targets without far struct arguments on this path.
///
/// # Safety
///
/// Never called: `Native::of` gives no `Far` argument here.
#[cfg(not(target_arch = "x86_64"))]
pub(super) unsafe fn call_far(
    _code: usize,
    _dst: *mut u8,
    _r: &Regs,
    _words: u8,
    _far: crate::abi::Far,
    _src: usize,
) -> [u64; 4] {
    unreachable!("far struct arguments take the register path on x86-64 only")
}

/// Not reached on targets without far struct arguments on this path.
///
/// # Safety
///
/// Never called: `Native::of` gives no `Far` argument here.
#[cfg(not(target_arch = "x86_64"))]
pub(super) unsafe fn call_far_registers(
    _code: usize,
    _ret: RetReg,
    _r: &Regs,
    _words: u8,
    _far: crate::abi::Far,
    _src: usize,
) -> [u64; 2] {
    unreachable!("far struct arguments take the register path on x86-64 only")
}

/// Calls with at least this many stack words copy them in [`call_wide`].
#[cfg(target_arch = "x86_64")]
const WIDE_FROM: u8 = 17;

/// Calls `code` with the registers `r` and `words` stack words (1 to 64), copied onto the
/// stack 16 bytes at a time; returns `rax`, `rdx`, and the low 8 bytes of `xmm0` and `xmm1`.
/// With `dst` not null the result goes through memory: `dst` is the first integer argument
/// and the other five follow it.
///
/// The universal signature's stack parameters are stored 8 bytes at a time, and a callee that
/// reads a struct argument 16 bytes at a time (`movdqu`) waits for both stores to reach the
/// cache (a load the store buffer cannot forward): for a 256-byte struct, three quarters of the
/// callee's samples. Here the stack area is written by the loads' own width, as libffi's
/// `memcpy` writes it. Otherwise as [`call_x87`]: the area is 16-byte aligned below the stack
/// pointer (`asm!` without `nostack` may push, and gets a stack pointer aligned for a call),
/// every register the convention lets the callee change is clobbered, and the stack pointer is
/// restored.
///
/// # Safety
///
/// As for [`call`] (or [`call_memory`], with `dst`), for a non-variadic `code`; `words` is at
/// most [`STACK_WORDS`].
#[cfg(target_arch = "x86_64")]
#[inline(never)]
unsafe fn call_wide(code: usize, dst: *mut u8, r: &Regs, words: u8) -> [u64; 4] {
    let frame = AsmFrame {
        ints: r.ints.as_ptr(),
        floats: r.floats.as_ptr(),
        at: dst,
    };
    // Pairs of words: the array has an even length, so the last pair is inside it.
    let pairs = usize::from(words).min(STACK_WORDS).div_ceil(2);
    let (a, d, x0, x1): (u64, u64, u64, u64);
    // SAFETY: the caller's promise (module docs): `code` takes the parameters `Native::of`
    // assigned `r` from (and, with `dst`, writes its result there). The assembly reads `pairs`
    // pairs of (initialized or not) words of `r.stack`, inside the array, and the 6 + 8 register
    // values through `frame` (pointers into `r`, alive for the call); it restores the stack
    // pointer it moved.
    unsafe {
        std::arch::asm!(
            "mov r12, rsp",
            "mov rax, rcx",
            "shl rax, 4",
            "sub rsp, rax",
            "and rsp, -16",
            "mov rdi, rsp",
            "2:",
            "movdqu xmm0, [rsi]",
            "movdqu [rdi], xmm0",
            "add rsi, 16",
            "add rdi, 16",
            "dec rcx",
            "jnz 2b",
            call_and_return!(),
            inout("rcx") pairs.max(1) => x0,
            inout("rsi") r.stack.as_ptr() => x1,
            in("r13") &raw const frame,
            in("r14") code,
            out("r12") _,
            lateout("rax") a,
            lateout("rdx") d,
            clobber_abi("C"),
        );
    }
    [a, d, x0, x1]
}

/// [`call_wide`] for a result in registers: its bits, in the order of the result's bytes, as
/// [`call`] gives them. Out of line, so that calls with fewer stack words pay one compare.
///
/// # Safety
///
/// As for [`call`], for a non-variadic `code` whose result is not an x87 value.
#[cfg(target_arch = "x86_64")]
#[cold]
#[inline(never)]
unsafe fn call_wide_registers(code: usize, ret: RetReg, r: &Regs, words: u8) -> [u64; 2] {
    // SAFETY: the caller's promise, passed on; the result is in the registers its class names
    // (module docs).
    by_class(ret, unsafe {
        call_wide(code, std::ptr::null_mut(), r, words)
    })
}

/// The result of class `ret` (not [`RetReg::Memory`] or [`RetReg::X87`]) from the registers
/// the calls made in assembly return, `rax`, `rdx`, `xmm0` and `xmm1`: its bits, in the order
/// of the result's bytes.
#[cfg(target_arch = "x86_64")]
#[inline]
fn by_class(ret: RetReg, [a, d, x0, x1]: [u64; 4]) -> [u64; 2] {
    match ret {
        RetReg::Float => [x0, 0],
        RetReg::Two(Class::Int, Class::Int) => [a, d],
        RetReg::Two(Class::Float, Class::Float) => [x0, x1],
        RetReg::Two(Class::Int, Class::Float) => [a, x0],
        RetReg::Two(Class::Float, Class::Int) => [x0, a],
        _ => [a, 0],
    }
}

/// Not reached on targets without x87 results on this path.
///
/// # Safety
///
/// Never called: `Native::of` gives no [`RetReg::X87`] here.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
unsafe fn call_x87(_code: usize, _r: &Regs, _words: u8) -> [u64; 2] {
    unreachable!("x87 results take the register path on x86-64 only")
}

/// Calls `code` with the registers `r`; returns the result registers' bits, in the order of
/// the result's bytes (a `float` in the low 32 bits).
///
/// # Safety
///
/// `code` must be a non-variadic function whose parameters are the ones `Native::of`
/// assigned `r` from, and whose result is of the class `ret` (see the module docs).
#[inline(always)]
pub(super) unsafe fn call(code: usize, ret: RetReg, r: &Regs, words: u8) -> [u64; 2] {
    // SAFETY: the caller's promise, passed on.
    unsafe { call_as::<false>(code, ret, r, words) }
}

/// [`call`] of a non-variadic function whose result comes back in `rax`/`x0` (an integer, a
/// pointer, nothing) or, when `float`, in `xmm0`/`v0` (its bits), with `words` stack words: the
/// calls whose registers were filled by the Rust types of their arguments
/// (`plain::plain`), where `words` is a constant of the tuple's type, so that the
/// universal signature with that many stack words is chosen when this is compiled (a count
/// known only at run time took a jump table and a closure: 8 `i64`s for `long long`s 305
/// instructions, 6 arguments in registers 243).
///
/// # Safety
///
/// As for [`call`], with `words` the stack words `Native::of` assigned and a result of class
/// [`RetReg::Int`], [`RetReg::Void`] or (`float`) [`RetReg::Float`].
#[inline(always)]
pub(super) unsafe fn call_in_registers(code: usize, float: bool, r: &Regs, words: u8) -> u64 {
    // SAFETY: the caller's promise, as for `call`: every argument is in the register or the
    // stack word the callee reads it from, and the result is read where it leaves it.
    unsafe {
        if float {
            universal_stack!([] code, f64, r, words).to_bits()
        } else {
            universal_stack!([] code, u64, r, words)
        }
    }
}

/// [`call`] of a C-variadic function (`printf`-like), its variadic part promoted and assigned
/// registers as fixed parameters are: both conventions pass variadic arguments as they pass
/// named ones, and on x86-64 the call also sets `%al` (`universal!(variadic ...)`). Results
/// in memory or `st0` do not come here (`Shape::native`).
///
/// # Safety
///
/// As for [`call`], for a variadic `code` whose fixed parameters and promoted variadic
/// arguments are the ones `Native::of` assigned `r` from.
#[inline(always)]
pub(super) unsafe fn call_variadic(code: usize, ret: RetReg, r: &Regs, words: u8) -> [u64; 2] {
    // SAFETY: the caller's promise, passed on.
    unsafe { call_as::<true>(code, ret, r, words) }
}

/// The work of [`call`] (`VARIADIC` false) and [`call_variadic`] (true): a constant, so that
/// each compiles to its own calls alone.
///
/// # Safety
///
/// As for [`call`] or [`call_variadic`].
#[inline(always)]
unsafe fn call_as<const VARIADIC: bool>(code: usize, ret: RetReg, r: &Regs, words: u8) -> [u64; 2] {
    /// The universal call with result type `$t`, variadic or not.
    macro_rules! go {
        ($t:ty) => {
            if VARIADIC {
                universal_stack!([variadic] code, $t, r, words)
            } else {
                universal_stack!([] code, $t, r, words)
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    if !VARIADIC && words >= WIDE_FROM && ret != RetReg::X87 {
        // SAFETY: the caller's promise, passed on.
        return unsafe { call_wide_registers(code, ret, r, words) };
    }
    // SAFETY: the caller's promise: by the calling conventions (module docs), this call puts
    // every argument in the register the callee reads it from (and, for a variadic callee,
    // `%al` bounds the vector registers used), and reads its result where the callee leaves
    // it. Registers the callee has no parameter for are only ever ignored.
    unsafe {
        match ret {
            RetReg::Float => [go!(f64).to_bits(), 0],
            RetReg::Int | RetReg::Void => [go!(u64), 0],
            RetReg::X87 if !VARIADIC => call_x87(code, r, words),
            RetReg::Memory | RetReg::X87 => {
                unreachable!("results through memory are `call_memory`'s; variadic ones libffi's")
            }
            RetReg::Two(Class::Int, Class::Int) => {
                let RetII(a, b) = go!(RetII);
                [a, b]
            }
            RetReg::Two(Class::Float, Class::Float) => {
                let RetFF(a, b) = go!(RetFF);
                [a.to_bits(), b.to_bits()]
            }
            RetReg::Two(Class::Int, Class::Float) => {
                let RetIF(a, b) = go!(RetIF);
                [a, b.to_bits()]
            }
            RetReg::Two(Class::Float, Class::Int) => {
                let RetFI(a, b) = go!(RetFI);
                [a.to_bits(), b]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Regs;
    use crate::abi::STACK_WORDS;

    /// A struct argument's bytes go into the stack words in order; the last word's bytes past
    /// the struct are zero, though the words are not zeroed first; a range past the words is
    /// refused (Miri: every byte read was written).
    #[test]
    fn stack_bytes_hold_the_bytes_in_order_and_zero_the_last_words_rest() {
        let mut regs = Regs::new();
        let out = regs.stack_bytes(2, 13).expect("inside the words");
        assert_eq!(out.len(), 13);
        for (i, b) in out.iter_mut().enumerate() {
            b.write(i as u8 + 1);
        }
        // SAFETY: words 2 and 3 were written whole above (13 bytes, then the zeroed rest).
        let words = unsafe { [regs.stack[2].assume_init(), regs.stack[3].assume_init()] };
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let mut want: Vec<u8> = (1..=13).collect();
        want.resize(16, 0);
        assert_eq!(bytes, want);
        assert!(regs.stack_bytes(STACK_WORDS - 1, 9).is_none());
        assert!(regs.stack_bytes(usize::MAX, 8).is_none());
        assert_eq!(
            regs.stack_bytes(STACK_WORDS - 1, 8).map(|b| b.len()),
            Some(8)
        );
    }
}

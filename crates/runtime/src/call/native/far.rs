//! Calls with a struct argument too large for the stack words (`abi::Far`, x86-64): the struct
//! is copied onto the stack straight from its memory, inside the assembly that makes the call,
//! as C's caller copies it — one copy, where going through the stack words (or libffi's
//! argument buffer) would be two. Part of `call::native`, whose safety argument it extends.

use std::mem::MaybeUninit;

use super::{AsmFrame, Regs, RetReg, by_class};
use crate::abi::Far;

/// The stack is walked down a page at a time, each page touched, before the arguments are
/// written: a stack too small for them stops at its guard page (Rust's stack overflow
/// message), as `call::probe` makes sure for libffi's calls.
const PAGE: usize = 4096;

/// What the assembly of [`call_far`] reads, at fixed offsets: first the registers and the
/// result's address as every call made in assembly reads them (the macros read `r13` as an
/// [`AsmFrame`]), then at 24 on what the far copy needs.
#[repr(C)]
struct FarFrame {
    regs: AsmFrame,
    /// The stack words before the struct (`Native::stack`), and how many.
    stack: *const MaybeUninit<u64>,
    words: usize,
    /// The struct's address, its size, and its offset from the stack area's start.
    src: usize,
    size: usize,
    offset: usize,
    /// The area's bytes: the words before the struct and the struct, rounded up to 16.
    room: usize,
    /// Whether the processor and the system have AVX: the struct is then copied 128 bytes a
    /// step in 32-byte loads and stores while 128 are left.
    avx: usize,
}

// The offsets the assembly reads.
const _: () = {
    assert!(std::mem::offset_of!(FarFrame, stack) == 24);
    assert!(std::mem::offset_of!(FarFrame, words) == 32);
    assert!(std::mem::offset_of!(FarFrame, src) == 40);
    assert!(std::mem::offset_of!(FarFrame, size) == 48);
    assert!(std::mem::offset_of!(FarFrame, offset) == 56);
    assert!(std::mem::offset_of!(FarFrame, room) == 64);
    assert!(std::mem::offset_of!(FarFrame, avx) == 72);
};

/// Calls `code` with the registers `r`, `words` stack words, then the far struct's `far.size`
/// bytes at `src` from stack word `far.word` on; returns `rax`, `rdx`, and the low 8 bytes of
/// `xmm0` and `xmm1`. With `dst` not null the result goes through memory: `dst` is the first
/// integer argument and the other five follow it.
///
/// The area is made below the stack pointer (`asm!` without `nostack` may push, and gets a
/// stack pointer aligned for a call), 16-byte aligned, a page at a time, each page touched
/// before the stack pointer moves past it, and the last one at the area's start: a stack too
/// small meets its guard page. The stack words are copied a word at a time, then the struct
/// 32 bytes a load where the processor has AVX, 16 where it has not or fewer than 128 bytes
/// are left (`vmovdqu`, `movdqu`: `rep movsb` took 62% of the call's samples for 1 KiB, and
/// the 16-byte loop alone a tenth to a sixth more time than with AVX for 1 and 4 KiB; loads
/// in assembly are, for Rust, relaxed byte reads of memory it may share with C, as in
/// `mem::bytes`' bulk copies). Every register the C convention lets the callee change is
/// declared clobbered; the values used after the call live in callee-saved registers, and the
/// stack pointer is restored.
///
/// # Safety
///
/// `code` must be a non-variadic function whose parameters are the ones `Native::of`
/// assigned `r` and `far` from (and, with `dst`, whose struct result it writes there: valid
/// for writes of its size, aligned for it, not otherwise in use during the call); `words` at
/// most `far.word`, at most `STACK_WORDS`; `src..src + far.size` valid for reads during the
/// call (rcffi's own memory, a library's, or vouched for: memory that needs no lock held
/// while it is read).
#[inline(never)]
pub(in crate::call) unsafe fn call_far(
    code: usize,
    dst: *mut u8,
    r: &Regs,
    words: u8,
    far: Far,
    src: usize,
) -> [u64; 4] {
    let (size, offset) = (far.size as usize, usize::from(far.word) * 8);
    let frame = FarFrame {
        regs: AsmFrame {
            ints: r.ints.as_ptr(),
            floats: r.floats.as_ptr(),
            at: dst,
        },
        stack: r.stack.as_ptr(),
        words: usize::from(words).min(r.stack.len()),
        src,
        size,
        offset,
        // At most 2,040 + 64 KiB + 15 (`Native::of`'s bounds): no overflow.
        room: (offset + size + 15) & !15,
        avx: usize::from(std::arch::is_x86_feature_detected!("avx")),
    };
    let (a, d, x0, x1): (u64, u64, u64, u64);
    // SAFETY: the caller's promise (`call::native`'s module docs): `code` takes the
    // parameters `Native::of` assigned `r` and `far` from (and, with `dst`, writes its result
    // there). The assembly moves the stack pointer down by `room` bytes (16-byte aligned) a
    // page at a time, touching each page; writes `words` words read from `r.stack` (inside
    // the array: `words` is at most its length) and then `size` bytes read at `src` (the
    // caller's range) into that area, below every live Rust frame; reads the 6 + 8 register
    // values through `frame` (pointers into `r`, alive for the call); and restores the stack
    // pointer it saved in `r12`, which the callee preserves.
    unsafe {
        std::arch::asm!(
            "mov r12, rsp",
            "mov rax, rsp",
            "sub rax, [r13 + 64]",
            "and rax, -16",
            // Down a page at a time while more than a page is left, touching each.
            "2:",
            "mov rcx, rsp",
            "sub rcx, rax",
            "cmp rcx, {page}",
            "jbe 3f",
            "sub rsp, {page}",
            "mov qword ptr [rsp], 0",
            "jmp 2b",
            "3:",
            "mov rsp, rax",
            "mov qword ptr [rsp], 0",
            // The stack words, then the struct.
            "mov rdi, rsp",
            "mov rsi, [r13 + 24]",
            "mov rcx, [r13 + 32]",
            "test rcx, rcx",
            "jz 5f",
            "4:",
            "mov rax, [rsi]",
            "mov [rdi], rax",
            "add rsi, 8",
            "add rdi, 8",
            "dec rcx",
            "jnz 4b",
            "5:",
            // The area's last 16 bytes zeroed first: the struct's last word's bytes past its
            // end stay zero, as `Regs::stack_bytes` leaves them.
            "mov rax, [r13 + 64]",
            "pxor xmm5, xmm5",
            "movdqu [rsp + rax - 16], xmm5",
            // The struct (more than 16 bytes): with AVX 128 bytes a step while 128 are left,
            // then 64 a step while 64 are left, then 16, then the last 16 (loaded first), which
            // may store again bytes already stored.
            "mov rdi, rsp",
            "add rdi, [r13 + 56]",
            "mov rsi, [r13 + 40]",
            "mov rcx, [r13 + 48]",
            "lea rax, [rcx - 16]",
            "movdqu xmm4, [rsi + rax]",
            "xor edx, edx",
            // With AVX: 128 bytes a step while 128 are left, then `vzeroupper` (the callee
            // and the steps below use SSE).
            "cmp qword ptr [r13 + 72], 0",
            "je 8f",
            "30:",
            "lea r8, [rdx + 128]",
            "cmp r8, rcx",
            "ja 31f",
            "vmovdqu ymm0, [rsi + rdx]",
            "vmovdqu ymm1, [rsi + rdx + 32]",
            "vmovdqu ymm2, [rsi + rdx + 64]",
            "vmovdqu ymm3, [rsi + rdx + 96]",
            "vmovdqu [rdi + rdx], ymm0",
            "vmovdqu [rdi + rdx + 32], ymm1",
            "vmovdqu [rdi + rdx + 64], ymm2",
            "vmovdqu [rdi + rdx + 96], ymm3",
            "mov rdx, r8",
            "jmp 30b",
            "31:",
            "vzeroupper",
            "8:",
            "lea r8, [rdx + 64]",
            "cmp r8, rcx",
            "ja 9f",
            "movdqu xmm0, [rsi + rdx]",
            "movdqu xmm1, [rsi + rdx + 16]",
            "movdqu xmm2, [rsi + rdx + 32]",
            "movdqu xmm3, [rsi + rdx + 48]",
            "movdqu [rdi + rdx], xmm0",
            "movdqu [rdi + rdx + 16], xmm1",
            "movdqu [rdi + rdx + 32], xmm2",
            "movdqu [rdi + rdx + 48], xmm3",
            "mov rdx, r8",
            "jmp 8b",
            "9:",
            "lea r8, [rdx + 16]",
            "cmp r8, rcx",
            "ja 22f",
            "movdqu xmm0, [rsi + rdx]",
            "movdqu [rdi + rdx], xmm0",
            "mov rdx, r8",
            "jmp 9b",
            "22:",
            "movdqu [rdi + rax], xmm4",
            call_and_return!(),
            page = const PAGE,
            in("r13") &raw const frame,
            in("r14") code,
            out("r12") _,
            lateout("rax") a,
            lateout("rdx") d,
            lateout("rcx") x0,
            lateout("rsi") x1,
            clobber_abi("C"),
        );
    }
    [a, d, x0, x1]
}

/// [`call_far`] for a result in registers (not `st0`): its bits, in the order of the result's
/// bytes, as `call` gives them.
///
/// # Safety
///
/// As for [`call_far`] with a null `dst`, for a result of class `ret` (not [`RetReg::Memory`]
/// or [`RetReg::X87`]).
pub(in crate::call) unsafe fn call_far_registers(
    code: usize,
    ret: RetReg,
    r: &Regs,
    words: u8,
    far: Far,
    src: usize,
) -> [u64; 2] {
    // SAFETY: the caller's promise, passed on; the result is in the registers its class
    // names (`call::native`'s module docs).
    by_class(ret, unsafe {
        call_far(code, std::ptr::null_mut(), r, words, far, src)
    })
}

//! C entering a callback without libffi's closure: for callback types whose arguments all
//! arrive in registers (the call floor's register assignment, `abi::Native`), C calls one of
//! [`SLOTS`] trampolines compiled ahead — `extern "C"` functions that take every argument
//! register (the universal signature of `call::native`, seen from the callee's side) — which
//! finds its callback in a process-wide slot table, points each argument at the register it
//! came in (from the callback's [`Seat`], which says where each argument arrives when each is
//! alone in one register, so the plan's pieces are walked only for arguments split across
//! two), and runs the callback as libffi's closure would. Past [`SLOTS`] live callbacks,
//! or for other types, libffi's closure takes over.
//!
//! # Safety
//!
//! The System V x86-64 and AAPCS64 conventions put each argument of a non-variadic function in
//! the next register of its class, independently of the other class; a function whose
//! parameters are all the integer registers and then all the vector registers receives every
//! register-passed argument of *any* such signature in its own parameter of that register
//! (`call::native`'s module docs argue the caller's side; this is the same assignment). The
//! trampoline keeps the registers in one array (the integer ones, then the vector ones' low 8
//! bytes) and reads an argument only through a pointer to its register's 8 bytes (a narrower
//! argument is in their low bytes: the targets are little-endian), or, for an x86-64 struct,
//! through a buffer rebuilt from its eightbytes; registers the callee's signature does not use
//! hold garbage that is never read as an argument. A slot holds a live `CallbackBox` (taken out
//! of the table in the box's `Drop`, before its memory goes) whose seat's result class is the
//! trampoline's (checked: another class means C called a released callback, and the process
//! aborts). The result buffer has 32 zeroed bytes, room for every result this path takes,
//! which goes back in the result registers as the convention returns it. One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::abi::{CallPlan, Class, Native, Reg, RetFF, RetFI, RetIF, RetII, RetReg};

use super::closure::{CallbackBox, trampoline};

/// How many callbacks can be entered this way at once.
pub(crate) const SLOTS: usize = 32;

/// The slots: each null, or a live callback's box.
static TABLE: [AtomicPtr<CallbackBox>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

/// Where the search for a free slot starts (moves on, so a freed slot is not taken at once).
static CURSOR: AtomicUsize = AtomicUsize::new(0);

/// Whether callbacks of this plan can be entered through the trampolines: every argument in
/// registers, and a result in registers (or none).
pub(super) fn eligible(plan: &CallPlan) -> Option<&Native> {
    plan.native.as_ref().filter(|n| {
        n.stack == 0 && n.far.is_none() && !matches!(n.ret, RetReg::Memory | RetReg::X87)
    })
}

/// Argument pointers written at every entry, whatever the callback's count: the first four
/// (most callbacks take at most four), without a loop's tests.
const FIRST: usize = 4;

/// What a reserved slot holds until its box is made: not a box.
const RESERVED: *mut CallbackBox = std::ptr::dangling_mut();

/// A callback's seat among the trampolines: its slot, its result class, and where each of
/// its arguments arrives when every one is alone in its register (the common case, read
/// without the plan's pieces: a number or pointer per register).
#[derive(Debug)]
pub(super) struct Seat {
    /// The slot.
    pub(super) n: usize,
    /// The result class ([`code`]), which must be the trampoline's.
    ret: u8,
    /// How many arguments.
    args: u8,
    /// The register of each argument (`0..8` integer, `8..16` vector), when every argument
    /// is alone in one.
    at: Option<[u8; crate::abi::INLINE_ARGS]>,
}

/// A result class as one byte, compared at each entry (the trampolines pass theirs as a
/// constant).
const fn code(ret: RetReg) -> u8 {
    match ret {
        RetReg::Int => 0,
        RetReg::Void => 1,
        RetReg::Float => 2,
        RetReg::Two(Class::Int, Class::Int) => 3,
        RetReg::Two(Class::Float, Class::Float) => 4,
        RetReg::Two(Class::Int, Class::Float) => 5,
        RetReg::Two(Class::Float, Class::Int) => 6,
        RetReg::Memory => 7,
        RetReg::X87 => 8,
    }
}

/// Reserves a free slot for a callback with the register assignment `native`: the code
/// address C calls, and its seat. [`fill`] puts the box in it.
pub(super) fn reserve(native: &Native) -> Option<(usize, Seat)> {
    let start = CURSOR.fetch_add(1, Ordering::Relaxed);
    let n = (0..SLOTS).map(|i| (start + i) % SLOTS).find(|&n| {
        TABLE[n]
            .compare_exchange(
                std::ptr::null_mut(),
                RESERVED,
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_ok()
    })?;
    let mut at = [0u8; crate::abi::INLINE_ARGS];
    let mut args = 0u8;
    let mut alone = true;
    for piece in native.pieces.iter() {
        let reg = match piece.reg {
            Reg::Int(k) => k,
            Reg::Float(k) => 8 + k,
            Reg::Stack(_) => 16,
        };
        match at.get_mut(usize::from(piece.arg)) {
            Some(slot) if piece.alone && reg < 16 => *slot = reg,
            _ => alone = false,
        }
        args = args.max(piece.arg.saturating_add(1));
    }
    let seat = Seat {
        n,
        ret: code(native.ret),
        args,
        at: alone.then_some(at),
    };
    Some((code_of(native.ret, n), seat))
}

/// Puts box `b` in slot `n`, reserved for it.
pub(super) fn fill(n: usize, b: *const CallbackBox) {
    TABLE[n].store(b.cast_mut(), Ordering::Release);
}

/// Gives slot `n` back (the box is being dropped).
pub(super) fn release(n: usize) {
    TABLE[n].store(std::ptr::null_mut(), Ordering::Release);
}

/// C called a callback after its release.
#[cold]
fn released() -> ! {
    eprintln!("rcffi: a callback was called after it was released; aborting");
    std::process::abort()
}

/// Runs the callback in slot `n` with the argument registers `ints` and `floats`; returns the
/// result registers' words (the first 16 bytes of the result buffer, returned in registers:
/// a 32-byte array went back through memory, and its 16-byte loads of the words the callback
/// had just stored stalled).
///
/// # Safety
///
/// Called only by the trampolines, with the registers C passed, for slot `n`.
#[inline(always)]
unsafe fn run(n: usize, ret: u8, regs: &[u64; 16]) -> (u64, u64) {
    let b = TABLE[n].load(Ordering::Acquire);
    if b.is_null() || b == RESERVED {
        released();
    }
    // SAFETY: a non-null slot holds a live box (module docs).
    let cb = unsafe { &*b };
    let Some(seat) = cb.seat().filter(|s| s.ret == ret) else {
        released()
    };
    // Each argument: a pointer to its register, or to its bytes rebuilt from eightbytes
    // (uninitialized until then: every argument's pointer is written below before the callback
    // reads it, and a rebuilt argument's 16 bytes are zeroed before its eightbytes go in).
    let mut args = std::mem::MaybeUninit::<[*mut c_void; crate::abi::INLINE_ARGS]>::uninit();
    let mut rebuilt = std::mem::MaybeUninit::<[[u64; 2]; crate::abi::INLINE_ARGS]>::uninit();
    let args_at = args.as_mut_ptr().cast::<*mut c_void>();
    if let Some(at) = &seat.at {
        let base = regs.as_ptr();
        // The first four pointers always, without a loop (a callback of fewer arguments
        // gets pointers to register 0 past them, never read: `at` is zero there), then the
        // rest of its arguments.
        #[allow(
            clippy::needless_range_loop,
            reason = "indexes: the iterator forms (take, skip) cost qsort's comparator 550 \
                      instructions per sorted item more"
        )]
        for i in 0..FIRST {
            let reg = usize::from(at[i]) & 15;
            // SAFETY: `i` indexes `at` (checked above: the check folds away for a constant
            // below its length), so it is below INLINE_ARGS, `args`'s length; `reg` is a
            // register word of the 16, where the argument is alone (read there: at most 8
            // bytes, in order).
            unsafe { args_at.add(i).write(base.add(reg).cast_mut().cast()) };
        }
        #[allow(clippy::needless_range_loop, reason = "as above")]
        for i in FIRST..usize::from(seat.args).min(crate::abi::INLINE_ARGS) {
            let reg = usize::from(at[i]) & 15;
            // SAFETY: as above.
            unsafe { args_at.add(i).write(base.add(reg).cast_mut().cast()) };
        }
    } else {
        let Some(native) = eligible(cb.plan()) else {
            released()
        };
        // SAFETY: both buffers hold INLINE_ARGS items and live until the callback returns.
        unsafe { rebuild(native, regs, args_at, rebuilt.as_mut_ptr().cast()) };
    }
    let mut out = [0u64; 4];
    // SAFETY: libffi's closure contract, kept: one pointer per argument, to its bytes, valid
    // for the call; a zeroed result buffer of 32 bytes (every register result, integers as a
    // full word); the box as user data. The interface pointer is not used by `trampoline`.
    unsafe {
        trampoline(
            std::ptr::null_mut(),
            out.as_mut_ptr().cast(),
            args_at,
            b.cast(),
        );
    }
    // Two 8-byte loads (volatile, so that they are not merged into one 16-byte load, which
    // would wait for the callback's 8-byte stores to reach the cache).
    // SAFETY: both words are inside `out`, initialized and aligned.
    unsafe {
        (
            std::ptr::read_volatile(&raw const out[0]),
            std::ptr::read_volatile(&raw const out[1]),
        )
    }
}

/// Points each argument of a callback with the register assignment `native` at its register,
/// or at its bytes rebuilt from eightbytes in `rebuilt_at` (a struct, `__int128` or `double
/// _Complex` in two registers, a struct aligned to 16 with a padding eightbyte), writing
/// `args_at[i]` for every argument `i`.
///
/// # Safety
///
/// `args_at` and `rebuilt_at` must be writable for INLINE_ARGS items each.
#[inline(never)]
unsafe fn rebuild(
    native: &Native,
    regs: &[u64; 16],
    args_at: *mut *mut c_void,
    rebuilt_at: *mut [u64; 2],
) {
    for piece in native.pieces.iter() {
        let i = usize::from(piece.arg);
        let word = match piece.reg {
            Reg::Int(k) => &regs[usize::from(k) & 7] as *const u64,
            Reg::Float(k) => &regs[8 + (usize::from(k) & 7)] as *const u64,
            Reg::Stack(_) => released(), // not eligible: never assigned here
        };
        // SAFETY: `i` is a parameter's index, below INLINE_ARGS (a plan with a register
        // assignment has at most that many). An argument alone in its register word is read
        // there (at most 8 bytes, in order). Otherwise its 16-byte buffer is zeroed at its
        // first piece (offset 0) and each piece's `len` (at most 8) bytes at `offset` (0 or 8)
        // go in; the word is 8 readable bytes.
        unsafe {
            if piece.alone {
                args_at.add(i).write(word.cast_mut().cast());
            } else {
                let dst = rebuilt_at.add(i);
                if piece.offset == 0 {
                    dst.write([0, 0]);
                    args_at.add(i).write(dst.cast());
                }
                std::ptr::copy_nonoverlapping(
                    word.cast::<u8>(),
                    dst.cast::<u8>().add(usize::from(piece.offset)),
                    usize::from(piece.len),
                );
            }
        }
    }
}

/// `u64`, once per integer register name.
macro_rules! u64_of {
    ($i:ident) => {
        u64
    };
}

/// The trampolines of slot `N`, one per result class, and their function pointer types.
macro_rules! trampolines {
    ($($i:ident)*) => {
        type IntFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64) -> u64;
        type VoidFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64);
        type FloatFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64) -> f64;
        type IIFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64) -> RetII;
        type FFFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64) -> RetFF;
        type IFFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64) -> RetIF;
        type FIFn = extern "C" fn($(u64_of!($i),)* f64, f64, f64, f64, f64, f64, f64, f64) -> RetFI;

        extern "C" fn int<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) -> u64 {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: C entered slot N with its argument registers.
            unsafe { run(N, const { code(RetReg::Int) }, &regs).0 }
        }
        extern "C" fn void<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: as above.
            unsafe { run(N, const { code(RetReg::Void) }, &regs) };
        }
        extern "C" fn float<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) -> f64 {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: as above.
            f64::from_bits(unsafe { run(N, const { code(RetReg::Float) }, &regs).0 })
        }
        extern "C" fn ii<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) -> RetII {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: as above.
            let r = unsafe { run(N, const { code(RetReg::Two(Class::Int, Class::Int)) }, &regs) };
            RetII(r.0, r.1)
        }
        extern "C" fn ff<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) -> RetFF {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: as above.
            let r = unsafe { run(N, const { code(RetReg::Two(Class::Float, Class::Float)) }, &regs) };
            RetFF(f64::from_bits(r.0), f64::from_bits(r.1))
        }
        extern "C" fn i_f<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) -> RetIF {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: as above.
            let r = unsafe { run(N, const { code(RetReg::Two(Class::Int, Class::Float)) }, &regs) };
            RetIF(r.0, f64::from_bits(r.1))
        }
        extern "C" fn f_i<const N: usize>($($i: u64,)* f0: f64, f1: f64, f2: f64, f3: f64, f4: f64, f5: f64, f6: f64, f7: f64) -> RetFI {
            let regs = regs([$($i),*], [f0, f1, f2, f3, f4, f5, f6, f7]);
            // SAFETY: as above.
            let r = unsafe { run(N, const { code(RetReg::Two(Class::Float, Class::Int)) }, &regs) };
            RetFI(f64::from_bits(r.0), r.1)
        }
    };
}

#[cfg(target_arch = "x86_64")]
trampolines!(i0 i1 i2 i3 i4 i5);
#[cfg(not(target_arch = "x86_64"))]
trampolines!(i0 i1 i2 i3 i4 i5 i6 i7);

/// The argument registers as one array: the integer ones in `0..8` (x86-64 has 6), the
/// vector ones' low 8 bytes in `8..16`.
#[inline(always)]
fn regs<const K: usize>(ints: [u64; K], floats: [f64; 8]) -> [u64; 16] {
    let mut out = [0u64; 16];
    out[..K].copy_from_slice(&ints);
    for (o, f) in out[8..].iter_mut().zip(floats) {
        *o = f.to_bits();
    }
    out
}

/// The `N`th trampoline of result class `ret`, for slots 0..32.
macro_rules! pick {
    ($f:ident, $t:ty, $n:expr) => {
        match $n {
            0 => ($f::<0> as $t) as usize,
            1 => ($f::<1> as $t) as usize,
            2 => ($f::<2> as $t) as usize,
            3 => ($f::<3> as $t) as usize,
            4 => ($f::<4> as $t) as usize,
            5 => ($f::<5> as $t) as usize,
            6 => ($f::<6> as $t) as usize,
            7 => ($f::<7> as $t) as usize,
            8 => ($f::<8> as $t) as usize,
            9 => ($f::<9> as $t) as usize,
            10 => ($f::<10> as $t) as usize,
            11 => ($f::<11> as $t) as usize,
            12 => ($f::<12> as $t) as usize,
            13 => ($f::<13> as $t) as usize,
            14 => ($f::<14> as $t) as usize,
            15 => ($f::<15> as $t) as usize,
            16 => ($f::<16> as $t) as usize,
            17 => ($f::<17> as $t) as usize,
            18 => ($f::<18> as $t) as usize,
            19 => ($f::<19> as $t) as usize,
            20 => ($f::<20> as $t) as usize,
            21 => ($f::<21> as $t) as usize,
            22 => ($f::<22> as $t) as usize,
            23 => ($f::<23> as $t) as usize,
            24 => ($f::<24> as $t) as usize,
            25 => ($f::<25> as $t) as usize,
            26 => ($f::<26> as $t) as usize,
            27 => ($f::<27> as $t) as usize,
            28 => ($f::<28> as $t) as usize,
            29 => ($f::<29> as $t) as usize,
            30 => ($f::<30> as $t) as usize,
            _ => ($f::<31> as $t) as usize,
        }
    };
}

/// The code address of slot `n`'s trampoline for results of class `ret`.
fn code_of(ret: RetReg, n: usize) -> usize {
    match ret {
        RetReg::Int => pick!(int, IntFn, n),
        RetReg::Void => pick!(void, VoidFn, n),
        RetReg::Float => pick!(float, FloatFn, n),
        RetReg::Two(Class::Int, Class::Int) => pick!(ii, IIFn, n),
        RetReg::Two(Class::Float, Class::Float) => pick!(ff, FFFn, n),
        RetReg::Two(Class::Int, Class::Float) => pick!(i_f, IFFn, n),
        RetReg::Two(Class::Float, Class::Int) => pick!(f_i, FIFn, n),
        RetReg::Memory | RetReg::X87 => unreachable!("not eligible"),
    }
}

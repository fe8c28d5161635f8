//! The register path of a call: each argument — or each eightbyte of one — converted straight
//! into the register or stack word the plan's register assignment (`abi::registers`) gives it,
//! then the call through `call::native`'s universal signature, without libffi (for a variadic
//! function, the assignment of its call's shape: the fixed parameters, then the promoted
//! types of the variadic part, `variadic_registers`). An argument
//! this path does not convert (a list for a struct, a long string, a conversion error) sends
//! the whole call, before anything happened, to the general path (`invoke::general`), which
//! converts or reports it.
//!
//! # Safety
//!
//! As for `invoke::invoke`: the caller promises that the code address is a function
//! of the plan's type (a variadic one only through `variadic_registers`, which calls it as
//! such); everything placed in the registers is read from
//! arguments checked here (a cdata of the parameter's type, read through its region; numbers
//! range-checked); copies of text and numbers go in blocks of the caller's stack area or
//! heap buffer, alive for the call; a struct
//! result through memory is written into its own new allocation, private until this returns.
//! One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use super::args::Arg;
use super::finish::{Finish, New, finish_registers, with_far};
use super::invoke::{SIMPLE_SLOTS, general, scalar_word};
use super::native;
use super::scalar_words::scalar_words;
use super::scratch::{Blocks, Slot};
use crate::abi::{CallPlan, Conv, Param};
use crate::data::Value;
use crate::error::Result;
use crate::types::Ffi;
use std::mem::MaybeUninit;

/// An eightbyte of a struct argument (a struct cdata of the parameter's type, read from its
/// memory); `None` when the general path must decide.
#[inline(always)]
fn struct_word(uni: &Ffi, p: &Param, a: &Arg<'_>, piece: &crate::abi::Piece) -> Option<u64> {
    let c = a.as_cdata_of(uni, p.ty)?;
    let at = c.addr().checked_add(usize::from(piece.offset))?;
    in_region(c, |r| r.load_le(at, usize::from(piece.len)))
}

/// `read` of the memory a struct argument's cdata may use: through the direct paths' region
/// (`fast_region`: rcffi's own memory, vouched, mapped, owned Rust bytes) before
/// `with_region`'s general dispatch, which stays for the rest; `None` when it fails (the
/// general path reports why).
#[inline(always)]
fn in_region<T>(
    c: &crate::data::CData,
    read: impl FnOnce(&crate::mem::Region<'_>) -> Result<T>,
) -> Option<T> {
    match crate::data::access::fast_region(c.owner()) {
        Some(r) => read(&r).ok(),
        None => c.owner().with_region(&String::new, read).ok(),
    }
}

/// A struct argument of more than 16 bytes copied whole into the stack words from `piece`'s
/// on (one bulk copy out of its memory); `None` when it is not a cdata of the parameter's type
/// (the general path converts it) or its memory cannot be read.
fn struct_on_stack(
    uni: &Ffi,
    p: &Param,
    a: &Arg<'_>,
    piece: &crate::abi::Piece,
    regs: &mut native::Regs,
) -> Option<()> {
    let c = a.as_cdata_of(uni, p.ty)?;
    let crate::abi::Reg::Stack(start) = piece.reg else {
        return None;
    };
    let out = regs.stack_bytes(usize::from(start), usize::from(piece.len))?;
    in_region(c, |r| r.read_uninit(c.addr(), out))
}

/// The direct path of a plan whose arguments all travel in registers: each argument (or
/// each eightbyte of a small struct) straight into its register, then the call, without
/// libffi.
///
/// # Safety
///
/// As for `invoke::invoke`; `n` is the plan's register assignment and `args` has one argument per
/// parameter.
#[inline(never)]
pub(super) unsafe fn registers_only<F: Finish>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    (args, fin): (&[Arg<'_>], F),
) -> Result<F::Out> {
    // SAFETY: the caller's promise, passed on: the plan's parameters, not variadic.
    unsafe { registers::<false, F>(uni, plan, (&plan.params, n), code, (args, fin)) }
}

/// [`registers_only`] for a call of a variadic function, with its shape's parameters (the
/// fixed ones, then the promoted types of the variadic part) and register assignment.
///
/// # Safety
///
/// As for `invoke::invoke`; `shape` is the plan's shape for these arguments and `n` its
/// register assignment.
#[inline(never)]
pub(super) unsafe fn variadic_registers(
    uni: &Ffi,
    plan: &CallPlan,
    shape: &crate::abi::plan::Shape,
    n: &crate::abi::Native,
    code: usize,
    args: &[Arg<'_>],
) -> Result<Value> {
    // SAFETY: the caller's promise, passed on: the shape's parameters, one per argument.
    unsafe { registers::<true, New>(uni, plan, (&shape.params, n), code, (args, New)) }
}

/// The work of [`registers_only`] and [`variadic_registers`]: `params` has one parameter per
/// argument, as `n` assigned them.
///
/// # Safety
///
/// As for `invoke::invoke`; `VARIADIC` says whether `code` is a variadic function (a constant,
/// so that each path compiles to its own call alone: a run-time flag kept the compiler from
/// inlining the fixed path's call, +42 instructions per `add`).
#[inline(always)]
unsafe fn registers<const VARIADIC: bool, F: Finish>(
    uni: &Ffi,
    plan: &CallPlan,
    (params, n): (&[Param], &crate::abi::Native),
    code: usize,
    (args, mut fin): (&[Arg<'_>], F),
) -> Result<F::Out> {
    let mut area = MaybeUninit::<[Slot; SIMPLE_SLOTS]>::uninit();
    let mut blocks = Blocks::new(&mut area);
    let mut regs = native::Regs::new();
    if n.plain {
        // Numbers and pointers only: one word each.
        for piece in n.pieces.iter() {
            let i = usize::from(piece.arg);
            match scalar_word(uni, &params[i], &args[i], &mut blocks) {
                Some(w) => regs.set(piece.reg, w),
                // SAFETY: the caller's promise, passed on; nothing has happened yet.
                None => return fin.made(unsafe { general(uni, plan, code, args) }?),
            }
        }
    } else if let Err(()) = pieces(uni, params, n, args, &mut regs, &mut blocks) {
        // SAFETY: the caller's promise, passed on; nothing has happened yet.
        return fin.made(unsafe { general(uni, plan, code, args) }?);
    }
    if let Some(far) = n.far {
        // SAFETY: the caller's promise, passed on (never variadic: `variadic_native` has no
        // far argument); every other argument is in its register or stack word.
        return unsafe { with_far(uni, plan, far, code, args, (&regs, fin)) };
    }
    // SAFETY: the caller's promise, passed on; every argument is in its register.
    unsafe { finish_registers::<VARIADIC, F>(uni, plan, n, code, (&regs, fin)) }
}

/// Puts each piece of the arguments — numbers, pointers, other scalars, structs — in its
/// register or stack words; `Err` when an argument needs the general path.
#[inline(always)]
fn pieces(
    uni: &Ffi,
    params: &[Param],
    n: &crate::abi::Native,
    args: &[Arg<'_>],
    regs: &mut native::Regs,
    blocks: &mut Blocks<'_>,
) -> std::result::Result<(), ()> {
    // The second eightbyte of the last two-word scalar (its pieces come in order, together).
    let mut high = 0;
    for piece in n.pieces.iter() {
        let i = usize::from(piece.arg);
        place_piece(uni, &params[i], &args[i], piece, (regs, blocks, &mut high))?;
    }
    Ok(())
}

/// Puts `piece` of argument `a` for parameter `p` in its register or stack words: an
/// eightbyte of a struct, or the whole struct past 16 bytes, from a cdata of its type; a
/// scalar's low word, keeping its high one in `high` for the piece after it; a number's or
/// a pointer's word (a C string copied to a block of `blocks`). `Err` when the general path
/// must decide.
#[inline(always)]
pub(super) fn place_piece(
    uni: &Ffi,
    p: &Param,
    a: &Arg<'_>,
    piece: &crate::abi::Piece,
    (regs, blocks, high): (&mut native::Regs, &mut Blocks<'_>, &mut u64),
) -> std::result::Result<(), ()> {
    let word = match p.conv {
        Conv::Struct if usize::from(piece.len) > 8 => {
            // A struct of more than 16 bytes, copied onto the stack whole.
            return struct_on_stack(uni, p, a, piece, regs).ok_or(());
        }
        Conv::Struct => struct_word(uni, p, a, piece),
        Conv::Scalar if piece.offset == 0 => scalar_words(uni, p, a).map(|[low, h]| {
            *high = h;
            low
        }),
        Conv::Scalar => Some(*high),
        _ => scalar_word(uni, p, a, blocks),
    };
    regs.set(piece.reg, word.ok_or(())?);
    Ok(())
}

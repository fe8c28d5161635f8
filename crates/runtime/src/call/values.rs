//! Calls given a list of values (`&[Value]`, `Vec<Value>`: [`Args::values`]), on the register
//! path: each number's, cdata pointer's and text's word straight from its value, without an
//! `Arg` made of it; structs and the other scalars placed from the `Arg` the converting path
//! makes of their value, as `register_path::registers_only` places a tuple's. A value this
//! does not take sends the call, before anything happened, to the converting path.
//!
//! # Safety
//!
//! As for `call::register_path`, whose placement and last step this uses: every word put in
//! a register is read from a value checked here — a number its parameter holds
//! (`encode_fast`, the converting path's range checks), a cdata of the same `ffi` object that
//! cffi's rules accept for the pointer (`pointer_arg`), borrowed from the list for the call,
//! text copied with its NUL into the call's stack blocks — or placed by `place_piece` from the
//! value's `Arg`. A pointer result becomes a view of a cdata argument's memory when it points
//! there (`adopt::result_among`); one into a text's copy stays a foreign pointer. One of the
//! runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use super::args::{Arg, Args};
use super::finish::{Finish, New, finish_registers};
use super::invoke::{SIMPLE_SLOTS, pointer_arg};
use super::native;
use super::plain::plain_result;
use super::register_path::place_piece;
use super::scratch::{Blocks, Slot, c_string_in};
use crate::abi::errno;
use crate::abi::{CallPlan, Conv, Param};
use crate::callback::pending::during_call;
use crate::data::Value;
use crate::error::Result;
use crate::types::Ffi;

/// The register assignment of a call with a list of values (`Args::values`) that the
/// register path may take from the values themselves ([`values`]): a function
/// that is not variadic, called with one value per parameter, with no `far` struct (past the
/// stack words, or of more than 16 words last on them: the call copies it itself), no
/// out-parameters and no callback,
/// whose memory the result or the call would have to keep in view.
#[inline(always)]
pub(super) fn values_native<'p>(
    plan: &'p CallPlan,
    code: usize,
    values: &[Value],
) -> Option<&'p crate::abi::Native> {
    let n = plan.native.as_ref()?;
    let direct = code != 0
        && n.far.is_none()
        && values.len() == plan.params.len()
        && !(plan.has_out || plan.passes_callback);
    direct.then_some(n)
}

/// The call of a list of values (`Args::values`) that [`values_native`] gave the register
/// assignment `n`: each number's or pointer's word straight from the value — a number its
/// parameter holds, a cdata passed as its address, text copied with a NUL after it — with no
/// `Arg` made of it (making them, and the drop's test of each, took about a third of a call
/// of `add` with two values); a struct or another scalar from the `Arg` the converting path
/// makes of its value, placed as `registers_only` places it. A value this does not take sends
/// the call, before anything happened, to the converting path, which converts it or reports
/// it; a pointer result is made a view of an argument's memory when it points there, as
/// `invoke` makes it.
///
/// # Safety
///
/// As for `invoke::invoke`; `n` is the plan's register assignment, with no struct past the
/// stack words, and the list has one value per parameter.
#[inline(never)]
pub(super) unsafe fn values<'a, A: Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    args: A,
) -> Result<Value> {
    let mut area = MaybeUninit::<[Slot; SIMPLE_SLOTS]>::uninit();
    let mut blocks = Blocks::new(&mut area);
    let mut regs = native::Regs::new();
    let values = args.values().unwrap_or_default();
    let placed = if n.plain {
        // Numbers and pointers only: one word each, in a shorter loop.
        n.pieces.iter().all(|piece| {
            let i = usize::from(piece.arg);
            match (plan.params.get(i), values.get(i)) {
                (Some(p), Some(v)) => place_value(uni, p, v, piece, (&mut regs, &mut blocks)),
                _ => false,
            }
        })
    } else {
        other_values(uni, plan, n, values, (&mut regs, &mut blocks))
    };
    if !placed {
        // SAFETY: the caller's promise, passed on; nothing has happened yet.
        return args.with_args(|a| unsafe { super::invoke::invoke(uni, plan, code, a) });
    }
    let one_word = matches!(
        n.ret,
        crate::abi::RetReg::Int | crate::abi::RetReg::Void | crate::abi::RetReg::Float
    );
    if n.stack == 0 && one_word && plan.ret.conv != Conv::Pointer {
        // Every argument in a register and the result in one: the call with no stack words,
        // as a tuple's (`in_registers`), without the universal call's choice among them. (Its
        // own copy of those lines: one function for both, with its closure shared, took the
        // tuples' calls 45–55 instructions more, `add` 181 → 229.)
        let float = n.ret == crate::abi::RetReg::Float;
        let word = during_call(|| {
            // SAFETY: the caller's promise, passed on; every argument is in its register.
            errno::around(|| unsafe { native::call_in_registers(code, float, &regs, 0) })
        })?;
        if let Conv::Fast(f) = plan.ret.conv {
            // A number, written once where the caller takes it (an integer in two 16-byte
            // halves, `call::wide`), as a tuple's is.
            let mut out = MaybeUninit::uninit();
            super::wide::write_number(&mut out, f, word);
            // SAFETY: written just above.
            return unsafe { out.assume_init() };
        }
        return plain_result(uni, plan, [word, 0]);
    }
    if plan.ret.conv == Conv::Pointer {
        // SAFETY: the caller's promise, passed on; every argument is in its register or stack
        // word.
        let v = unsafe { finish_registers::<false, _>(uni, plan, n, code, (&regs, ValuesNew)) };
        let cdatas = values.iter().filter_map(Value::as_cdata);
        return v.map(|v| super::adopt::result_among(plan, v, cdatas));
    }
    // SAFETY: as above.
    unsafe { finish_registers::<false, _>(uni, plan, n, code, (&regs, ValuesNew)) }
}

/// [`New`] under a type of its own, so that [`values`] gets its own copy of the call's last
/// step (`finish_registers` and the closure it runs the call in): one copy shared with
/// `registers_only` was left out of line there, and the calls that take that path were 4 ns
/// slower (`call-profile ld` 642 → 677 instructions, `char` 605 → 641).
struct ValuesNew;

impl Finish for ValuesNew {
    type Out = Value;
    type Mem = crate::data::CData;

    #[inline(always)]
    fn memory(&mut self, uni: &Ffi, plan: &CallPlan) -> Result<(usize, Self::Mem)> {
        New.memory(uni, plan)
    }

    #[inline(always)]
    fn written(&mut self, uni: &Ffi, plan: &CallPlan, c: Self::Mem) -> Result<Value> {
        New.written(uni, plan, c)
    }

    #[inline(always)]
    fn in_words(&mut self, uni: &Ffi, plan: &CallPlan, ret: [u64; 4]) -> Result<Value> {
        New.in_words(uni, plan, ret)
    }

    #[inline(always)]
    fn made(&mut self, v: Value) -> Result<Value> {
        New.made(v)
    }
}

/// [`values`]' placement of a list whose parameters are not all numbers and pointers: those
/// from their values, structs and the other scalars (a `char`, `_Bool`, enum, `__int128`,
/// complex number, `long double`) as `registers_only` places the `Arg` the converting path
/// makes of their value; `false` when the general path must decide.
fn other_values(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    values: &[Value],
    (regs, blocks): (&mut native::Regs, &mut Blocks<'_>),
) -> bool {
    // The second eightbyte of the last two-word scalar (`place_piece`).
    let mut high = 0;
    n.pieces.iter().all(|piece| {
        let i = usize::from(piece.arg);
        let (Some(p), Some(v)) = (plan.params.get(i), values.get(i)) else {
            return false;
        };
        if matches!(p.conv, Conv::Fast(_) | Conv::Pointer) {
            return place_value(uni, p, v, piece, (regs, blocks));
        }
        let a = Arg::of_ref(v);
        place_piece(uni, p, &a, piece, (regs, blocks, &mut high)).is_ok()
    })
}

/// Puts the word of value `v` for a number or pointer parameter `p` ([`value_word`]) in
/// `piece`'s register or stack word; `false` when the converting path must decide.
#[inline(always)]
fn place_value(
    uni: &Ffi,
    p: &Param,
    v: &Value,
    piece: &crate::abi::Piece,
    (regs, blocks): (&mut native::Regs, &mut Blocks<'_>),
) -> bool {
    value_word(uni, p, v, blocks)
        .map(|w| regs.set(piece.reg, w))
        .is_some()
}

/// The word value `v` passes for parameter `p` of the register path's numbers and pointers —
/// what `invoke::scalar_word` passes for the argument `Arg::of_ref` makes of it; `None` when
/// the converting path must decide.
#[inline(always)]
fn value_word(uni: &Ffi, p: &Param, v: &Value, blocks: &mut Blocks<'_>) -> Option<u64> {
    match (p.conv, v) {
        (Conv::Fast(f), v) => crate::data::encode_fast(f, v).map(u64::from_le_bytes),
        (Conv::Pointer, Value::CData(c)) => pointer_arg(uni, p, c).map(|addr| addr as u64),
        (Conv::Pointer, Value::Text(s)) if p.text => c_string_in(blocks, s.as_bytes()),
        (Conv::Pointer, Value::Bytes(b)) if p.text => c_string_in(blocks, b),
        _ => None,
    }
}

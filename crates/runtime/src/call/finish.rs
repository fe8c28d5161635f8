//! Where the register path's result goes ([`Finish`]): into a new [`Value`] (`call`, [`New`])
//! or into memory the caller gave ([`Given`], `call_into`); and the register path's last step
//! that makes the call and hands its result there ([`finish_registers`], [`with_far`] for a
//! struct argument the call copies itself).
//!
//! # Safety
//!
//! As for `call::register_path`, whose last step this is. A result through memory is written
//! by the callee into memory private to the call — a new allocation (`New`), or `Given`'s own
//! zeroed buffer — and copied to the caller's memory only after the call, through its region,
//! as an assignment copies it. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::mem::MaybeUninit;

use super::args::{Arg, Args};
use super::invoke::{general, result_bytes, simple_result};
use super::native;
use super::register_path::registers_only;
use crate::abi::errno;
use crate::abi::{CallPlan, Conv};
use crate::callback::pending::during_call;
use crate::data::CData;
use crate::data::Value;
use crate::data::out::Out;
use crate::error::Result;
use crate::mem::{Allocation, Shared};
use crate::types::Ffi;

/// Where a call's result goes, and what the call returns for it. Each method is called at
/// most once per call, and `written` only after `memory`.
pub(super) trait Finish {
    /// What the call returns.
    type Out;
    /// What `memory` made, handed back to `written`.
    type Mem;
    /// Zeroed memory for a result through memory (the callee may leave padding unwritten):
    /// its address — `plan.ret.size` bytes aligned for the result, which nothing else reads
    /// or writes until `written` — and what holds it (for `call`, the result's cdata).
    fn memory(&mut self, uni: &Ffi, plan: &CallPlan) -> Result<(usize, Self::Mem)>;
    /// The result, once the callee wrote it into `memory`'s memory.
    fn written(&mut self, uni: &Ffi, plan: &CallPlan, mem: Self::Mem) -> Result<Self::Out>;
    /// The result from its registers' words (`simple_result`'s).
    fn in_words(&mut self, uni: &Ffi, plan: &CallPlan, ret: [u64; 4]) -> Result<Self::Out>;
    /// The result another path made as a [`Value`].
    fn made(&mut self, v: Value) -> Result<Self::Out>;
}

/// A result as a new [`Value`] (a struct: a cdata owning its new block): `call`'s. Passed by
/// value: it takes no register.
pub(super) struct New;

impl Finish for New {
    type Out = Value;
    type Mem = CData;

    /// The result's block and its cdata, both made before the call: a cdata made after it
    /// was written into the caller's `Value` a word at a time just before the caller moved
    /// the value 16 bytes at a time, and those loads waited for the stores (a struct of 64
    /// bytes in and out, `call-profile s64`: 36.7 → 30.6 ns; 24 bytes, 33.8 → 28.4).
    #[inline(always)]
    fn memory(&mut self, uni: &Ffi, plan: &CallPlan) -> Result<(usize, CData)> {
        let mem = Allocation::zeroed_shared(plan.ret.size, plan.ret.align)?;
        let addr = mem.addr();
        Ok((addr, CData::by_value(uni, plan.ret.ty, mem)))
    }

    #[inline(always)]
    fn written(&mut self, _: &Ffi, _: &CallPlan, c: CData) -> Result<Value> {
        Ok(Value::CData(c))
    }

    #[inline(always)]
    fn in_words(&mut self, uni: &Ffi, plan: &CallPlan, ret: [u64; 4]) -> Result<Value> {
        simple_result(uni, plan, ret)
    }

    #[inline(always)]
    fn made(&mut self, v: Value) -> Result<Value> {
        Ok(v)
    }
}

/// The size of [`Given`]'s own buffer: results up to this size through memory need no
/// allocation. (At 256 bytes, a 1 KiB result took a recycled block of its own each call:
/// `call-profile is1024` 53.5 ns, against 46.5 in the buffer; 4 KiB put `call_into`'s frame
/// past a page, probed at each call, and `is4096` gained nothing.)
const GIVEN_INLINE: usize = 2048;

/// The buffer a result through memory is written into before it is copied to the caller's
/// memory, aligned for any struct of at most 64-byte alignment.
#[repr(C, align(64))]
struct Buffer([MaybeUninit<u8>; GIVEN_INLINE]);

/// A result written into memory the caller gave (`call_into`), checked before the call
/// ([`Out::of`]). A result through memory goes first into this value's own buffer (or, past
/// 2 KiB or 64-byte alignment, a block of its own, recycled as a result's is), never
/// straight into the caller's memory:
/// C assigns a result only when the call has returned, and the callee may read that memory
/// meanwhile through a pointer it was given.
pub(super) struct Given<'a> {
    out: Out<'a>,
    buffer: Buffer,
}

impl<'a> Given<'a> {
    /// A result going to `out`.
    pub(super) fn new(out: Out<'a>) -> Given<'a> {
        Given {
            out,
            buffer: Buffer([MaybeUninit::uninit(); GIVEN_INLINE]),
        }
    }
}

impl Finish for &mut Given<'_> {
    type Out = ();
    /// The block of a result too big or too aligned for the buffer (recycled as a result's
    /// own block is).
    type Mem = Option<Shared>;

    #[inline]
    fn memory(&mut self, _: &Ffi, plan: &CallPlan) -> Result<(usize, Option<Shared>)> {
        let size = plan.ret.size;
        if size > GIVEN_INLINE || plan.ret.align > std::mem::align_of::<Buffer>() {
            let mem = Allocation::zeroed_shared(size, plan.ret.align)?;
            return Ok((mem.addr(), Some(mem)));
        }
        let at = self.buffer.0.as_mut_ptr();
        // SAFETY: `size` bytes at `at` are inside the buffer (at most `GIVEN_INLINE`).
        unsafe { at.write_bytes(0, size) };
        Ok((at as usize, None))
    }

    #[inline]
    fn written(&mut self, _: &Ffi, plan: &CallPlan, mem: Option<Shared>) -> Result<()> {
        let size = plan.ret.size;
        let at = match &mem {
            Some(m) => m.addr() as *const u8,
            None => self.buffer.0.as_ptr().cast::<u8>(),
        };
        // SAFETY: `memory` zeroed `size` bytes at `at` (in the buffer or the block `mem`
        // holds), which the callee has written and nothing else touches: initialized, and
        // valid while `mem` and `self` live.
        let bytes = unsafe { std::slice::from_raw_parts(at, size) };
        self.out.write(bytes)
    }

    #[inline]
    fn in_words(&mut self, _: &Ffi, plan: &CallPlan, ret: [u64; 4]) -> Result<()> {
        // A result in registers is at most 32 bytes.
        let bytes = result_bytes(ret);
        let Some(bytes) = bytes.get(..plan.ret.size) else {
            unreachable!("a result in registers has at most 32 bytes")
        };
        self.out.write(bytes)
    }

    #[inline]
    fn made(&mut self, v: Value) -> Result<()> {
        self.out.write_value(&v)
    }
}

/// The call of `register_path::registers` for a signature with a struct argument too large for the stack
/// words (`abi::Far`), copied onto the stack from its memory by the call itself; the general
/// path when that memory needs a lock held while it is read (Rust bytes lent to C), or the
/// argument is not a cdata of its type (which the general path converts or reports). Cold
/// and given few arguments, so that the calls without one compile as before (a call with
/// eight arguments here cost a struct of 8 bytes in and out 20 instructions).
///
/// # Safety
///
/// As for `register_path::registers_only`, for a non-variadic `code`, with `regs` holding
/// every other argument where the plan's register assignment put it.
#[cold]
#[inline(never)]
pub(super) unsafe fn with_far<F: Finish>(
    uni: &Ffi,
    plan: &CallPlan,
    far: crate::abi::Far,
    code: usize,
    args: &[Arg<'_>],
    (regs, mut fin): (&native::Regs, F),
) -> Result<F::Out> {
    let Some(n) = plan.native.as_ref() else {
        unreachable!("a far argument is in the plan's own register assignment")
    };
    let i = usize::from(far.arg);
    let param = plan.params.get(i);
    let src = args
        .get(i)
        .zip(param)
        .and_then(|(a, p)| a.as_cdata_of(uni, p.ty))
        .and_then(|c| {
            super::invoke::struct_in_place(c, far.size as usize)
                .ok()
                .flatten()
        });
    let Some(src) = src else {
        // (Bytes outside the cdata's memory: the general path reports them, naming the
        // argument.)
        // SAFETY: the caller's promise, passed on; nothing has happened yet.
        return fin.made(unsafe { general(uni, plan, code, args) }?);
    };
    let src = src as usize;
    if n.ret == crate::abi::RetReg::Memory {
        // As `finish_registers`: the callee writes into memory private to the call.
        let (addr, mem) = fin.memory(uni, plan)?;
        during_call(|| {
            // SAFETY: `code` takes the parameters `n` assigned (the caller's promise), the far
            // struct's bytes lie at `src` inside memory that needs no lock and stays alive
            // while `args` borrows its cdata (`struct_in_place`), and the result is written at
            // `addr`: `size` bytes, aligned for the struct, private until this returns
            // (`Finish::memory`).
            errno::around(|| unsafe {
                native::call_far(code, addr as *mut u8, regs, n.stack, far, src)
            })
        })?;
        return fin.written(uni, plan, mem);
    }
    let [a, b] = during_call(|| {
        // SAFETY: as above, for a result in registers (`Native::of` gives no `st0` result
        // with a far argument).
        errno::around(|| unsafe {
            native::call_far_registers(code, n.ret, regs, n.stack, far, src)
        })
    })?;
    fin.in_words(uni, plan, [a, b, 0, 0])
}

/// The call of `register_path::registers_only` (and of the direct path's tuples), its
/// registers filled, and its result, handed to `fin`.
///
/// # Safety
///
/// As for `register_path::registers_only`, with `regs` holding every argument where `n`
/// assigned it.
#[inline(always)]
pub(super) unsafe fn finish_registers<const VARIADIC: bool, F: Finish>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    (regs, mut fin): (&native::Regs, F),
) -> Result<F::Out> {
    if n.ret == crate::abi::RetReg::Memory {
        // The callee writes the struct straight into memory private to the call (zeroed: it
        // may leave padding unwritten): a result's own new allocation, or `Given`'s buffer.
        let (addr, mem) = fin.memory(uni, plan)?;
        during_call(|| {
            // SAFETY: as below, for a struct result through memory, written at `addr`: `size`
            // bytes, aligned for the struct, private until this returns (`Finish::memory`).
            errno::around(|| unsafe { native::call_memory(code, addr as *mut u8, regs, n.stack) })
        })?;
        return fin.written(uni, plan, mem);
    }
    let mut ret = [0u64; 4];
    during_call(|| {
        // SAFETY: `code` is a function of the plan's type (the caller's promise), whose
        // registers `Native::of` assigned: variadic as `VARIADIC` says (then the shape's
        // assignment, with no result in memory or `st0`).
        let [a, b] = errno::around(|| unsafe {
            if VARIADIC {
                native::call_variadic(code, n.ret, regs, n.stack)
            } else {
                native::call(code, n.ret, regs, n.stack)
            }
        });
        ret[0] = a;
        ret[1] = b;
    })?;
    fin.in_words(uni, plan, ret)
}

/// The call of `Function::call_into` and `CData::call_into`: `out` checked first
/// ([`Out::of`]), then the call by the register path with the result going to `out` through
/// [`Given`]; a call that path does not take — a variadic function, a plan without a register
/// assignment, a pointer result or out-parameters, whose memory the result may keep alive, a
/// callback among the arguments — is made as `call` makes it, and its [`Value`] written into
/// `out` as `out[0] = v` writes it.
///
/// # Safety
///
/// As for `invoke::invoke`.
pub(crate) unsafe fn call_args_into<'a, A: Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    code: usize,
    out: &CData,
    args: A,
) -> Result<()> {
    let mut given = Given::new(Out::of(uni, plan.ret.ty, out)?);
    args.with_args(|a| {
        let direct = code != 0
            && a.len() == plan.params.len()
            && !(plan.has_out || plan.passes_callback || plan.ret.conv == Conv::Pointer);
        match &plan.native {
            // SAFETY: the caller's promise, passed on; the plan's own parameters.
            Some(n) if direct => unsafe { registers_only(uni, plan, n, code, (a, &mut given)) },
            _ => {
                // SAFETY: the caller's promise, passed on.
                let v = unsafe { super::invoke::invoke(uni, plan, code, a) }?;
                given.out.write_value(&v)
            }
        }
    })
}

//! The call itself: which path a call takes (`dispatch`: the register path of
//! `call::register_path` when the plan has a register assignment), the simple and general
//! paths through libffi — arguments marshalled into its argument array, `ffi_call`, errno
//! around it — and the result converted back.
//!
//! # Safety
//!
//! [`invoke`] is the only place rcffi jumps into foreign code. It is an `unsafe fn`: its
//! caller promises that the code address is a function of the plan's type (the cdef's claim,
//! which `dlopen` and the `unsafe` call methods make the user vouch for). Everything else
//! here is checked: the argument count against the plan; each argument converted by the
//! plan's rules into memory this function owns for the whole call — 16-byte aligned slots on
//! its stack for scalars and pointers, a 16-byte aligned scratch area (or heap blocks) for
//! strings and structs, rcffi allocations for temporary arrays — so every pointer in the
//! argument array is valid while `ffi_call` runs; the result buffer is 16-byte aligned and at
//! least as large as libffi may write (`max(size, 8)`, rounded up). One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::mem::MaybeUninit;

use super::args::Arg;
use super::scratch::{Blocks, SCRATCH_SLOTS, Scratch, Slot, ZERO, c_string_in};
use crate::abi::{CallPlan, Conv, INLINE_ARGS, Param, errno};
use crate::callback::pending::during_call;
use crate::callback::running::Running;
use crate::data::CData;
use crate::data::Value;
use crate::data::convert::{self, Place};
use crate::error::{Error, Result};
use crate::mem::{Allocation, Number, decode_number};
use crate::mem::{Owner, OwnerRef};
use crate::types::Ffi;
use crate::types::{IntRole, Repr};

/// Calls the function at `code` with an argument list as the caller gave it: a tuple of plain
/// arguments its parameters take as they are straight into its registers
/// (`plain::plain`), anything else converted into `Arg`s and [`invoke`]d. What
/// `Function::call`, `CData::call` and `Lib::call` do once they have the plan.
///
/// `#[inline]`, not `always`: inlined whole into a caller's loop, the plain path's closure was
/// left out of line there and the tuple's kinds no longer folded (`add` 192 → 257
/// instructions).
///
/// # Safety
///
/// As for [`invoke`].
#[inline]
pub(crate) unsafe fn call_args<'a, A: super::args::Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    code: usize,
    args: A,
) -> Result<Value> {
    use super::plain::{numbers_from_values, plain, plain_native};
    use super::plain::{plain_values, value_words};
    use super::values::{values, values_native};
    if const { super::args::PlainArg::any_copied_or_lent(A::PLAIN) } {
        // SAFETY: the caller's promise, passed on.
        return unsafe { call_with_copies(uni, plan, code, args) };
    }
    if let Some(n) = plain_native::<A, false>(uni, plan, code, &args) {
        if const { !numbers_from_values::<A, false>() } {
            // SAFETY: the caller's promise, passed on; `n` is what `plain_native` gave for
            // them.
            return unsafe { plain::<A, false>(uni, plan, n, code, &args) };
        }
        // A tuple with values: their numbers encoded first (or the converting path).
        if let Some(words) = value_words(uni, plan, &args) {
            // SAFETY: as above; `words` is what `value_words` gave for them.
            return unsafe { plain_values(uni, plan, n, code, (&args, &words)) };
        }
    }
    if let Some(n) = plain_native::<A, true>(uni, plan, code, &args) {
        // SAFETY: as above, for a variadic function.
        return unsafe { plain::<A, true>(uni, plan, n, code, &args) };
    }
    if let Some(n) = args.values().and_then(|v| values_native(plan, code, v)) {
        // SAFETY: the caller's promise, passed on; `n` is what `values_native` gave.
        return unsafe { values(uni, plan, n, code, args) };
    }
    // SAFETY: the caller's promise, passed on.
    args.with_args(|a| unsafe { invoke(uni, plan, code, a) })
}

/// [`call_args`] of a tuple holding text (`&str`, bytes), numbers to copy (slices of Rust
/// numbers) or numbers lent in place (`&mut` of them), out of line so that the other tuples
/// compile as they did: straight into the registers when its parameters take every argument
/// (`plain::with_copies`, which copies each text with a NUL after it and numbers as
/// they are, and takes lent numbers' addresses from their `&mut`), else converted.
///
/// # Safety
///
/// As for [`invoke`].
#[inline(never)]
unsafe fn call_with_copies<'a, A: super::args::Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    code: usize,
    mut args: A,
) -> Result<Value> {
    use super::plain::{plain_native, with_copies};
    if let Some(n) = plain_native::<A, false>(uni, plan, code, &args) {
        // SAFETY: the caller's promise, passed on; `n` is what `plain_native` gave for them.
        return unsafe { with_copies::<A, false>(uni, plan, n, code, &mut args) };
    }
    if let Some(n) = plain_native::<A, true>(uni, plan, code, &args) {
        // SAFETY: as above, for a variadic function.
        return unsafe { with_copies::<A, true>(uni, plan, n, code, &mut args) };
    }
    // SAFETY: the caller's promise, passed on.
    args.with_args(|a| unsafe { invoke(uni, plan, code, a) })
}

/// The address cdata `c` passes for pointer parameter `p`: its own, when its type is the
/// parameter's (of this `ffi` object), or by cffi's rules — an array for a pointer to its
/// items, any pointer for a `void *`, a `char *` for an `unsigned char *`...
/// (`convert::pointer_addr`, as the general path applies them and reports what they refuse).
#[inline(always)]
pub(super) fn pointer_arg(uni: &Ffi, p: &Param, c: &CData) -> Option<usize> {
    if c.ty() == p.ty && c.uni().same(uni) {
        return Some(c.addr());
    }
    convert::pointer_addr(uni, p.ty.get(&uni.inner), c).ok()
}

/// Calls the function at `code` with `args`, converted by `plan`.
///
/// # Safety
///
/// `code` must be the address of a C function whose type is the plan's (the cdef's
/// declaration is the caller's claim about the library). What the function does with the
/// pointers it receives is the caller's business, as in C.
#[inline]
pub(crate) unsafe fn invoke(
    uni: &Ffi,
    plan: &CallPlan,
    code: usize,
    args: &[Arg<'_>],
) -> Result<Value> {
    if plan.has_out || plan.ret.conv == Conv::Pointer || plan.passes_callback {
        // SAFETY: the caller's promise, passed on.
        return unsafe { adopting(uni, plan, code, args) };
    }
    // SAFETY: the caller's promise, passed on.
    unsafe { dispatch(uni, plan, code, args) }
}

/// [`invoke`] of a function that returns a pointer, has out-parameters or takes a callback:
/// what C hands back into the arguments' memory becomes views of it (`call::adopt`, and for
/// a callback's arguments `callback::running`).
///
/// # Safety
///
/// As for [`invoke`].
#[inline(never)]
unsafe fn adopting(uni: &Ffi, plan: &CallPlan, code: usize, args: &[Arg<'_>]) -> Result<Value> {
    let outs = super::adopt::OutParams::before(plan, args);
    let running = plan
        .passes_callback
        .then(|| Running::enter(args.iter().filter_map(Arg::as_cdata)));
    // SAFETY: the caller's promise, passed on.
    let v = unsafe { dispatch(uni, plan, code, args) };
    drop(running);
    let v = v?;
    if let Some(outs) = outs {
        outs.after(args);
    }
    Ok(super::adopt::result(plan, v, args))
}

/// The call, by the fastest path its plan and arguments allow.
///
/// # Safety
///
/// As for [`invoke`].
#[inline(always)]
unsafe fn dispatch(uni: &Ffi, plan: &CallPlan, code: usize, args: &[Arg<'_>]) -> Result<Value> {
    // SAFETY: the caller's promise, passed on.
    unsafe {
        if code != 0 && args.len() == plan.params.len() && (plan.simple || plan.native.is_some()) {
            match &plan.native {
                Some(n) => {
                    let fin = super::finish::New;
                    super::register_path::registers_only(uni, plan, n, code, (args, fin))
                }
                None => simple(uni, plan, code, args),
            }
        } else {
            other(uni, plan, code, args)
        }
    }
}

/// The calls [`dispatch`]'s direct paths do not take: a variadic function's, by the register
/// path when its shape (the promoted types of this call's variadic part) has a register
/// assignment, else, as every other, through libffi (`general`, which is also the register
/// paths' fallback, so it never comes back here).
///
/// # Safety
///
/// As for [`invoke`].
#[inline(never)]
unsafe fn other(uni: &Ffi, plan: &CallPlan, code: usize, args: &[Arg<'_>]) -> Result<Value> {
    if code == 0 || plan.variadic.is_none() {
        // SAFETY: the caller's promise, passed on.
        return unsafe { general(uni, plan, code, args) };
    }
    let shape = plan.shape(uni, args.len(), |i| {
        super::variadic::promoted_type(uni, &args[i])
    })?;
    // SAFETY: the caller's promise, passed on.
    unsafe {
        match &shape.native {
            Some(n) => super::register_path::variadic_registers(uni, plan, shape, n, code, args),
            None => general(uni, plan, code, args),
        }
    }
}

/// The general path of [`invoke`]: any signature, any argument, temporaries on the heap when
/// the stack area is not enough.
///
/// # Safety
///
/// As for [`invoke`].
#[inline(never)]
pub(super) unsafe fn general(
    uni: &Ffi,
    plan: &CallPlan,
    code: usize,
    args: &[Arg<'_>],
) -> Result<Value> {
    if code == 0 {
        return Err(Error::NullPointer(
            format!("cannot call null function pointer of type '{}'", plan.name).into(),
        ));
    }
    let shape = plan.shape(uni, args.len(), |i| {
        super::variadic::promoted_type(uni, &args[i])
    })?;
    let n = args.len();
    // Uninitialized: each slot and pointer used is written before the call.
    let mut stack_slots = MaybeUninit::<[Slot; INLINE_ARGS]>::uninit();
    let mut stack_ptrs = MaybeUninit::<[*mut c_void; INLINE_ARGS]>::uninit();
    let mut heap_slots: Vec<Slot>;
    let mut heap_ptrs: Vec<*mut c_void>;
    let (slots, ptrs): (*mut Slot, *mut *mut c_void) = if n <= INLINE_ARGS {
        (
            stack_slots.as_mut_ptr().cast(),
            stack_ptrs.as_mut_ptr().cast(),
        )
    } else {
        heap_slots = vec![ZERO; n];
        heap_ptrs = vec![std::ptr::null_mut(); n];
        (heap_slots.as_mut_ptr(), heap_ptrs.as_mut_ptr())
    };
    let mut area = MaybeUninit::<[Slot; SCRATCH_SLOTS]>::uninit();
    let mut scratch = Scratch {
        stack: Blocks::new(&mut area),
        spill: None,
    };
    let fixed = plan.params.len();
    for (i, a) in args.iter().enumerate() {
        let p = if i < fixed {
            &plan.params[i]
        } else {
            &shape.params[i]
        };
        // SAFETY: `i < n`, and `slots` has room for `n` slots (the stack array or the heap
        // vector above, both alive until the end of this function, and not otherwise
        // borrowed); a `MaybeUninit` may be written whatever the slot holds.
        let slot = unsafe { &mut *slots.add(i).cast::<MaybeUninit<Slot>>() };
        let at = match marshal(uni, p, a, &mut scratch, slot) {
            Ok(at) => at,
            Err(e) => return Err(e.context(format_args!("argument {} of '{}'", i + 1, plan.name))),
        };
        // SAFETY: as above, `ptrs` has room for `n` pointers.
        unsafe { ptrs.add(i).write(at) };
    }
    // The result: at least one `ffi_arg` (libffi widens small integers), 16-byte aligned.
    let ret_size = plan.ret.size.max(8);
    // Zeroed: libffi may write fewer bytes than are read back (a float, an x87 value). A struct
    // of more than 32 bytes is returned through memory on both ABIs — the callee writes exactly
    // its bytes where it is told — so it is written straight into the result's own new
    // allocation (no one else can see it yet), not into a buffer copied afterwards.
    let mut ret_stack = [ZERO; 2];
    let mut ret_heap: Vec<Slot>;
    let mut ret_mem = None;
    let ret_ptr: *mut Slot = if ret_size <= 32 {
        ret_stack.as_mut_ptr()
    } else if plan.ret.conv == Conv::Struct {
        let mem = Allocation::zeroed_shared(plan.ret.size, plan.ret.align)?;
        let at = mem.addr() as *mut Slot;
        ret_mem = Some(mem);
        at
    } else {
        ret_heap = vec![ZERO; ret_size.div_ceil(16)];
        ret_heap.as_mut_ptr()
    };
    if shape.stack > super::probe::FREE {
        super::probe::touch(shape.stack);
    }
    during_call(|| {
        // SAFETY: `code` is a function of the plan's type (the caller's promise); the
        // interface was prepared from that type; `ptrs` holds one valid pointer per argument
        // (all `n` written above), each to memory holding the argument's bytes that lives
        // until this function returns; the result buffer is aligned and large enough for
        // what libffi writes; the stack libffi takes for the arguments was touched above
        // (`probe`).
        unsafe {
            let fun = std::mem::transmute::<usize, unsafe extern "C" fn()>(code);
            errno::restore();
            libffi::raw::ffi_call(shape.cif.raw(), Some(fun), ret_ptr.cast(), ptrs);
            errno::save();
        }
    })?;
    drop(scratch);
    if matches!(plan.ret.conv, Conv::Void) {
        return Ok(Value::Void);
    }
    if let Some(mem) = ret_mem {
        return Ok(Value::CData(CData::by_value(uni, plan.ret.ty, mem)));
    }
    // SAFETY: the buffer holds `ret_size` initialized bytes (zeroed, then written by libffi).
    let ret = unsafe { std::slice::from_raw_parts(ret_ptr.cast::<u8>(), ret_size) };
    result(uni, &plan.ret, ret)
}

/// Slots (16 bytes each) of the direct path's stack area for C strings and structs.
pub(super) const SIMPLE_SLOTS: usize = 16;

/// The direct path of a simple plan (plain numbers, pointers, small structs): each argument
/// converted into a word or a block of a small stack area, no heap temporaries. When an
/// argument needs the general path (another kind of value, a conversion error, a long
/// string), nothing has happened yet, and the general path starts over.
///
/// # Safety
///
/// As for [`invoke`]; `plan.simple` holds and `args` has one argument per parameter.
#[inline(never)]
unsafe fn simple(uni: &Ffi, plan: &CallPlan, code: usize, args: &[Arg<'_>]) -> Result<Value> {
    // SAFETY: the caller's promise, passed on.
    let general = || unsafe { general(uni, plan, code, args) };
    let Some(cif) = plan.fixed.as_ref() else {
        return general();
    };
    // At most 16 arguments of at most 32 bytes: less stack than a probe is needed for.
    debug_assert!(cif.stack <= super::probe::FREE);
    let mut words = MaybeUninit::<[u64; INLINE_ARGS]>::uninit();
    let mut ptrs = MaybeUninit::<[*mut c_void; INLINE_ARGS]>::uninit();
    let mut area = MaybeUninit::<[Slot; SIMPLE_SLOTS]>::uninit();
    let mut blocks = Blocks::new(&mut area);
    let words: *mut u64 = words.as_mut_ptr().cast();
    let ptrs: *mut *mut c_void = ptrs.as_mut_ptr().cast();
    for (i, (p, a)) in plan.params.iter().zip(args).enumerate() {
        let at: *mut c_void = match (p.conv, a) {
            (Conv::Fast(_) | Conv::Pointer, _) => match scalar_word(uni, p, a, &mut blocks) {
                Some(w) => word(words, i, w),
                None => return general(),
            },
            (Conv::Struct, Arg::CData(_) | Arg::Ref(_) | Arg::Value(_)) => {
                let Some(c) = a.as_cdata_of(uni, p.ty) else {
                    return general();
                };
                if let Ok(Some(at)) = struct_in_place(c, p.size) {
                    // SAFETY: `i < INLINE_ARGS` (a simple plan has at most that many parameters).
                    unsafe { ptrs.add(i).write(at) };
                    continue;
                }
                let Some(at) = blocks.take(p.size) else {
                    return general();
                };
                // SAFETY: a fresh block of at least `p.size` bytes, not aliased.
                let out = unsafe { std::slice::from_raw_parts_mut(at, p.size) };
                if c.owner()
                    .with_region(&String::new, |r| r.read(c.addr(), out))
                    .is_err()
                {
                    return general();
                }
                at.cast()
            }
            _ => return general(),
        };
        // SAFETY: `i < INLINE_ARGS` (a simple plan has at most that many parameters).
        unsafe { ptrs.add(i).write(at) };
    }
    // The result: at most 32 bytes (zeroed: libffi may write less than is read back).
    let mut ret = [0u64; 4];
    during_call(|| {
        // SAFETY: `code` is a function of the plan's type (the caller's promise); `ptrs`
        // holds one pointer per argument, to its word or stack block, alive until this
        // function returns; the result buffer holds the widest result of a simple plan.
        errno::around(|| unsafe {
            let fun = std::mem::transmute::<usize, unsafe extern "C" fn()>(code);
            libffi::raw::ffi_call(cif.cif.raw(), Some(fun), ret.as_mut_ptr().cast(), ptrs);
        });
    })?;
    simple_result(uni, plan, ret)
}

/// The value of a simple plan's result, from the result registers' (or buffer's) words.
#[inline(always)]
pub(super) fn simple_result(uni: &Ffi, plan: &CallPlan, ret: [u64; 4]) -> Result<Value> {
    match plan.ret.conv {
        Conv::Fast(f) => Ok(match decode_number(f, ret[0].to_le_bytes()) {
            Number::Int(i) => Value::Int(i),
            Number::Float(x) => Value::Float(x),
        }),
        Conv::Pointer => Ok(Value::CData(CData::pointer(
            uni,
            plan.ret.ty,
            ret[0] as usize,
            Owner::Foreign,
        ))),
        Conv::Scalar => scalar_result(uni, plan, [ret[0], ret[1]], [ret[2], ret[3]]),
        Conv::Struct if plan.ret.size <= 16 => struct_from_words(uni, plan, [ret[0], ret[1]]),
        Conv::Struct => result(uni, &plan.ret, &result_bytes(ret)),
        Conv::Void => Ok(Value::Void),
    }
}

/// A struct result in registers (at most 16 bytes, so aligned to at most 16) of a tuple's
/// direct call (`plain::plain`), as [`simple_result`] makes it, out of line: in line
/// there, the cdata was written into the result a word at a time just before the caller's
/// 16-byte loads of it, which waited for the stores (`call-profile ldiv`, `ldiv(17, 5)`: 26.5 →
/// 21.4 ns).
#[inline(never)]
pub(super) fn struct_in_words(uni: &Ffi, plan: &CallPlan, words: [u64; 2]) -> Result<Value> {
    struct_from_words(uni, plan, words)
}

/// A struct result in registers (at most 16 bytes, so aligned to at most 16): its words
/// straight into its new block, and its cdata moved to the caller in two 16-byte stores
/// (`wide::in_halves`: `call-profile s8` 24.9 → 22.9 ns; a union of 4 bytes 25.7 → 24.1).
#[inline(always)]
fn struct_from_words(uni: &Ffi, plan: &CallPlan, words: [u64; 2]) -> Result<Value> {
    let mem = Allocation::shared_words(plan.ret.size, words);
    super::wide::in_halves(CData::by_value(uni, plan.ret.ty, mem).into_by_value())
}

/// The bytes of a result in registers, from their words in order: a number in the first
/// word's low bytes, an x87 `long double`'s ten in the first two, a struct's eightbytes.
#[inline(always)]
pub(super) fn result_bytes(ret: [u64; 4]) -> [u8; 32] {
    let mut bytes = [0u8; 32];
    for (k, w) in ret.iter().enumerate() {
        bytes[k * 8..k * 8 + 8].copy_from_slice(&w.to_le_bytes());
    }
    bytes
}

/// A scalar result that is not a plain number, from the result registers' words: a `char`, a
/// valid `_Bool` and an `__int128` by the result's `Scalar` kind, an enum from its low bytes,
/// the rest (wide characters, complex numbers, `long double`, an invalid `_Bool`) by its type.
/// The words come in two pairs, which stay in registers (an array of four went through memory
/// and stalled the load: `perf`, 15% of a call returning a `long double`).
#[inline(never)]
fn scalar_result(uni: &Ffi, plan: &CallPlan, low: [u64; 2], high: [u64; 2]) -> Result<Value> {
    if let Some(v) = plan.ret.scalar.result(low) {
        return Ok(v);
    }
    let ret = [low[0], low[1], high[0], high[1]];
    match &plan.ret.ty.get(&uni.inner).repr {
        Repr::Enum { int: k, .. } if k.bytes <= 8 => {
            return Ok(crate::data::scalar::int_value(*k, &ret[0].to_le_bytes()));
        }
        // A `long double` or `__float128`, kept as cdata (as cffi does): its two words as its
        // bytes, without a buffer and a `memcpy` call between (`x87`: 10 bytes, the rest 0).
        Repr::LongDouble | Repr::Float(16) => {
            let bits = u128::from(ret[0]) | (u128::from(ret[1]) << 64);
            return Ok(Value::CData(CData::primitive_bytes(
                uni,
                plan.ret.ty,
                bits.to_le_bytes(),
            )));
        }
        _ => {}
    }
    result(uni, &plan.ret, &result_bytes(ret))
}

/// The word a plain-number or pointer argument passes (a C string copied to a block of
/// `blocks`); `None` when the general path must decide.
#[inline(always)]
pub(super) fn scalar_word(
    uni: &Ffi,
    p: &Param,
    a: &Arg<'_>,
    blocks: &mut Blocks<'_>,
) -> Option<u64> {
    match (p.conv, a) {
        (Conv::Fast(f), Arg::Int(x)) => f.encode_int(*x).map(u64::from_le_bytes),
        (Conv::Fast(f), Arg::Float(x)) => f.encode_float(*x).map(u64::from_le_bytes),
        // A number given as a `Value` (a value read back from C: `p.field("x")?`), as
        // `marshal` takes one.
        (Conv::Fast(f), _) => value_of(a)
            .and_then(|v| crate::data::encode_fast(f, v))
            .map(u64::from_le_bytes),
        (Conv::Pointer, Arg::CData(_) | Arg::Ref(_) | Arg::Value(_)) => {
            pointer_arg(uni, p, a.as_cdata()?).map(|addr| addr as u64)
        }
        (Conv::Pointer, Arg::Null) => Some(0),
        (Conv::Pointer, Arg::InPlace(l)) if p.lends_to(l.item()) => Some(l.addr() as u64),
        (Conv::Pointer, Arg::CStr(c)) if p.text => Some(c.as_ptr() as u64),
        (Conv::Pointer, Arg::Str(_) | Arg::Bytes(_)) if p.text => {
            let bytes = match a {
                Arg::Str(s) => s.as_bytes(),
                Arg::Bytes(b) => b,
                _ => return None,
            };
            c_string_in(blocks, bytes)
        }
        _ => None,
    }
}

/// Stores `w` in word `i` of `words`; returns its address.
#[inline(always)]
fn word(words: *mut u64, i: usize, w: u64) -> *mut c_void {
    // SAFETY: callers pass `i < INLINE_ARGS`, the length of the stack array `words` points to.
    unsafe {
        let at = words.add(i);
        at.write(w);
        at.cast()
    }
}

/// The value of an argument, when it is one (`None`: a borrowed string, bytes or cdata).
#[inline]
pub(super) fn value_of<'v>(a: &'v Arg<'_>) -> Option<&'v Value> {
    match a {
        Arg::Value(v) => Some(v),
        Arg::Ref(v) => Some(v),
        _ => None,
    }
}

/// The argument as an owned value (for the general conversions).
pub(super) fn to_value(a: &Arg<'_>) -> Value {
    match a {
        Arg::Int(i) => Value::Int(i128::from(*i)),
        Arg::UInt(u) => Value::Int(i128::from(*u)),
        Arg::Float(x) => Value::Float(*x),
        Arg::Value(v) => v.clone(),
        Arg::Ref(v) => (*v).clone(),
        Arg::Str(s) => Value::Text((*s).to_string()),
        Arg::Bytes(b) => Value::Bytes((*b).into()),
        Arg::CStr(c) => Value::Bytes(c.to_bytes().into()),
        Arg::CData(c) => Value::CData((*c).clone()),
        // (`marshal` refuses numbers lent in place for anything but a pointer.)
        Arg::Null | Arg::Closure(_) | Arg::InPlace(_) => Value::Void,
    }
}

/// Converts one argument for parameter `p`: the address of its bytes, written into `slot`
/// (a number, a pointer) or elsewhere (a struct: in place, or in scratch memory). Written where
/// they go: an enum of the two places, made here and taken apart by the caller, was copied
/// whole, a 16-byte load of its two 8-byte stores that waited for them (`perf`: 7% of a call
/// with a 1 KiB struct).
#[inline]
fn marshal(
    uni: &Ffi,
    p: &Param,
    a: &Arg<'_>,
    scratch: &mut Scratch<'_>,
    slot: &mut MaybeUninit<Slot>,
) -> Result<*mut c_void> {
    let word = |slot: &mut MaybeUninit<Slot>, b: [u8; 8]| {
        let mut s = ZERO;
        s.0[..8].copy_from_slice(&b);
        std::ptr::from_mut(slot.write(s)).cast()
    };
    match p.conv {
        Conv::Fast(f) => {
            let direct = match a {
                Arg::Int(i) => f.encode_int(*i),
                Arg::Float(x) => f.encode_float(*x),
                _ => value_of(a).and_then(|v| crate::data::encode_fast(f, v)),
            };
            match direct {
                Some(b) => Ok(word(slot, b)),
                None => Ok(std::ptr::from_mut(slot.write(scalar(uni, p, a)?)).cast()),
            }
        }
        Conv::Scalar => Ok(std::ptr::from_mut(slot.write(scalar(uni, p, a)?)).cast()),
        Conv::Pointer => {
            let addr = pointer(uni, p, a, scratch)?;
            Ok(word(slot, (addr as u64).to_le_bytes()))
        }
        Conv::Struct => structure(uni, p, a, scratch),
        Conv::Void => Err(Error::Type("a parameter cannot have ctype 'void'".into())),
    }
}

#[inline(never)]
fn scalar(uni: &Ffi, p: &Param, a: &Arg<'_>) -> Result<Slot> {
    not_lent(uni, p, a)?;
    let info = p.ty.get(&uni.inner);
    let v = match value_of(a) {
        Some(v) => crate::data::scalar::encode_scalar(info, v)?,
        None => crate::data::scalar::encode_scalar(info, &to_value(a))?,
    };
    Ok(Slot(v))
}

/// The address a pointer argument passes.
fn pointer(uni: &Ffi, p: &Param, a: &Arg<'_>, scratch: &mut Scratch<'_>) -> Result<usize> {
    let info = p.ty.get(&uni.inner);
    let item = uni.pointee(info).map(|t| (t, t.get(&uni.inner)));
    // Bytes and text are C strings for `char *` and `void *` parameters.
    let char_like =
        item.is_some_and(|(_, t)| convert::is_char_like(t) || matches!(t.repr, Repr::Void));
    let wide =
        item.is_some_and(|(_, t)| matches!(&t.repr, Repr::Int(k) if k.role == IntRole::Wide));
    let temp_array = |v: &Value, scratch: &mut Scratch<'_>| -> Result<usize> {
        let Some((t, _)) = item else {
            return Err(cdata_pointer_required(info, a));
        };
        let c = uni.new_value(uni.array_of(t, None), v)?;
        let addr = c.addr();
        scratch.keep(c);
        Ok(addr)
    };
    if let Some(v) = value_of(a) {
        return match v {
            Value::CData(c) => convert::pointer_addr(uni, info, c),
            Value::Bytes(b) if char_like => Ok(scratch.c_string(b) as usize),
            Value::Text(s) if char_like => Ok(scratch.c_string(s.as_bytes()) as usize),
            Value::Text(_) if wide => temp_array(v, scratch),
            Value::List(_) | Value::Numbers(_) => temp_array(v, scratch),
            _ => Err(cdata_pointer_required(info, a)),
        };
    }
    match a {
        Arg::CData(c) => convert::pointer_addr(uni, info, c),
        Arg::Closure(c) => {
            let cb = c.callback(uni, p.ty)?;
            let addr = cb.addr();
            scratch.keep(cb);
            Ok(addr)
        }
        Arg::Str(s) if char_like => Ok(scratch.c_string(s.as_bytes()) as usize),
        Arg::Bytes(b) if char_like => Ok(scratch.c_string(b) as usize),
        Arg::CStr(c) if char_like => Ok(c.as_ptr() as usize),
        Arg::Str(s) if wide => temp_array(&Value::Text((*s).to_string()), scratch),
        Arg::Null => Ok(0),
        Arg::InPlace(l) if p.lends_to(l.item()) => Ok(l.addr()),
        Arg::InPlace(l) => Err(Error::Type(
            format!(
                "initializer for ctype '{}' must be a cdata pointer or numbers of its item \
                 type, not {}",
                info.name,
                l.describe()
            )
            .into(),
        )),
        _ => Err(cdata_pointer_required(info, a)),
    }
}

/// Refuses numbers lent in place for parameter `p`, which is not a pointer.
fn not_lent(uni: &Ffi, p: &Param, a: &Arg<'_>) -> Result<()> {
    match a {
        Arg::InPlace(l) => Err(Error::Type(
            format!(
                "initializer for ctype '{}' cannot be {} (numbers lent in place are for a \
                 pointer parameter)",
                p.ty.get(&uni.inner).name,
                l.describe()
            )
            .into(),
        )),
        _ => Ok(()),
    }
}

fn cdata_pointer_required(info: &crate::types::TypeInfo, a: &Arg<'_>) -> Error {
    Error::Type(
        format!(
            "initializer for ctype '{}' must be a cdata pointer, not {}",
            info.name,
            a.describe()
        )
        .into(),
    )
}

/// A struct argument: the address of its bytes, in place or copied to scratch memory.
fn structure(uni: &Ffi, p: &Param, a: &Arg<'_>, scratch: &mut Scratch<'_>) -> Result<*mut c_void> {
    not_lent(uni, p, a)?;
    let info = p.ty.get(&uni.inner);
    let same = match (a, value_of(a)) {
        (Arg::CData(c), _) => Some(*c),
        (_, Some(Value::CData(c))) => Some(c),
        _ => None,
    }
    .filter(|c| c.uni().same(uni) && c.info().id == info.id);
    if let Some(c) = same {
        if let Some(at) = struct_in_place(c, p.size)? {
            return Ok(at);
        }
        let dst = scratch.alloc(p.size);
        // SAFETY: `dst` is a fresh scratch block of at least `p.size` bytes, not aliased.
        let out = unsafe { std::slice::from_raw_parts_mut(dst, p.size) };
        c.owner()
            .with_region(&|| c.what(), |r| r.read(c.addr(), out))?;
        return Ok(dst.cast());
    }
    // Any other initializer: a temporary struct, filled by the usual conversions.
    let mem = Allocation::zeroed_shared(p.size, p.align)?;
    let addr = mem.addr();
    let owner = Owner::Alloc(mem);
    let v = to_value(a);
    convert::value_to_c(
        &Place {
            uni,
            ty: p.ty,
            addr,
            owner: owner.as_ref(),
            len: None,
        },
        &v,
    )?;
    scratch.keep(CData::place(uni, p.ty, addr, owner, None));
    Ok(addr as *mut c_void)
}

/// Where a struct argument of `size` bytes in cdata `c` may be passed from without a copy:
/// memory that stays valid for the call without a lock (rcffi's own, a library's, or vouched
/// for) is passed where it is, and libffi copies the struct from there, as C copies a struct
/// argument. `None` for memory that needs its lock held while read (Rust bytes lent to C);
/// an error when the bytes are not all inside the memory the cdata may use.
#[inline]
pub(super) fn struct_in_place(c: &CData, size: usize) -> Result<Option<*mut c_void>> {
    let owner = c.owner();
    match owner {
        // (The direct paths' region: rcffi's own memory, vouched, mapped.)
        OwnerRef::Alloc(_) | OwnerRef::Mapped(_) | OwnerRef::Vouched(_) => {
            if let Some(r) = crate::data::access::fast_region(owner) {
                r.check(c.addr(), size)?;
                return Ok(Some(c.addr() as *mut c_void));
            }
        }
        _ if owner.allocation().is_none() => return Ok(None),
        _ => {}
    }
    owner.with_region(&|| c.what(), |r| r.check(c.addr(), size))?;
    Ok(Some(c.addr() as *mut c_void))
}

/// The value of a result in `bytes`.
fn result(uni: &Ffi, r: &Param, bytes: &[u8]) -> Result<Value> {
    match r.conv {
        Conv::Void => Ok(Value::Void),
        Conv::Fast(f) => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            Ok(match decode_number(f, b) {
                Number::Int(i) => Value::Int(i),
                Number::Float(x) => Value::Float(x),
            })
        }
        Conv::Scalar => {
            let info = r.ty.get(&uni.inner);
            match info.repr {
                // Kept as cdata, as cffi does.
                Repr::LongDouble | Repr::Float(16) => {
                    Ok(Value::CData(CData::primitive(uni, r.ty, &bytes[..16])))
                }
                _ => crate::data::scalar::decode_scalar(info, bytes),
            }
        }
        Conv::Pointer => {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[..8]);
            Ok(Value::CData(CData::pointer(
                uni,
                r.ty,
                u64::from_le_bytes(b) as usize,
                Owner::Foreign,
            )))
        }
        Conv::Struct => {
            let mem = Allocation::shared_copy(&bytes[..r.size], r.align)?;
            CData::by_value(uni, r.ty, mem).into_by_value()
        }
    }
}

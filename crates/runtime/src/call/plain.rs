//! The direct path of a tuple of plain Rust arguments (`call::plain`): each argument's word —
//! a number, a C string's or a cdata's address, a value's number encoded for its parameter,
//! a copy's address — straight into the register or stack word its kind and the plan give it,
//! then the call through `call::native`, with no `Arg` made ([`plain_native`] decides, at the
//! cost of one test per parameter, the tuple's kinds being constants). A result of one
//! register is written once, where the caller takes it (`word_in_registers`; an integer in
//! two 16-byte halves, `call::wide`).
//!
//! # Safety
//!
//! As for `call::register_path`: the caller promises that the code address is a function of
//! the plan's type; every word placed was checked here (a number in its parameter's range, a
//! cdata that passes cffi's rules for its parameter), and copies of text and numbers go in
//! blocks of the caller's stack area or heap buffer, alive for the call. One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use super::args::{Arg, Args, PlainArg};
use super::finish::{New, finish_registers};
use super::invoke::{SIMPLE_SLOTS, pointer_arg, simple_result, struct_in_words};
use super::native;
use super::scalar_words::scalar_words;
use super::scratch::{Blocks, Slot, c_string_in, copy_in, text_slots};
use crate::abi::errno;
use crate::abi::{CallPlan, Conv, INLINE_ARGS, Param, Scalar};
use crate::callback::pending::during_call;
use crate::callback::running::Running;
use crate::data::Value;
use crate::error::Result;
use crate::mem::Fast;
use crate::types::Ffi;
use crate::types::Repr;
use std::mem::MaybeUninit;

/// The register assignment of a call whose arguments are all plain Rust arguments that their
/// parameters take without a check ([`Args::PLAIN`], `Param::holds`: an `i32` for an `int`
/// or a `long`, a `u8` for an `int`, an `f64` or `f32` for a `float` or a `double`, a `bool`
/// for a `_Bool`, a `&CStr` or text for a `char *`, Rust numbers for a pointer to their own
/// type, a `&mut` of them for one that lends their type), or integers of other types whose
/// values their parameters hold (an `i32` literal for a `size_t`: `Fast::fits`, checked in a
/// cold branch),
/// for [`plain`]; `None` when the call is not such a call: the caller takes the usual path,
/// which converts what this one does not take (an integer for a `double`, an `i64` out of an
/// `int`'s range...) or reports it. A tuple's kinds are constants, so the check folds to one
/// test per parameter. A value (`PlainArg::VALUE`) passes as a cdata does; in a tuple that
/// [`numbers_from_values`] says may pass its number, it also passes for a number parameter,
/// and its number is for [`value_words`] to encode or refuse (then [`plain_values`]).
///
/// `VARIADIC` (a constant: each form compiles alone) for a variadic function: its fixed
/// parameters as above, then a variadic part of Rust numbers, `bool`s, C strings, text and
/// cdata pointers or arrays of this `ffi` object (and numbers lent in place; not numbers to
/// copy, which convert there as a list does), which pass as the converting path promotes
/// them — an integer as `int`, `long long` or `unsigned long long` by its value (the same
/// register word: extended to 64 bits by its signedness), a `bool` as an `int`, a float as
/// `double`, a C string, a text's copy, lent numbers or a pointer as its address.
#[inline(always)]
pub(super) fn plain_native<'p, 'a, A: Args<'a>, const VARIADIC: bool>(
    uni: &Ffi,
    plan: &'p CallPlan,
    code: usize,
    args: &A,
) -> Option<&'p crate::abi::Native> {
    let kinds = A::PLAIN?;
    let n = if VARIADIC {
        plan.variadic_native.as_ref()?
    } else {
        plan.native.as_ref()?
    };
    let fixed = plan.params.len();
    if code == 0
        || !n.one_word
        || (!VARIADIC && kinds.len() != fixed)
        || (VARIADIC && kinds.len() < fixed)
        || plan.has_out
    {
        return None;
    }
    for (i, (k, p)) in kinds.iter().zip(plan.params.iter()).enumerate() {
        // (Numbers copied go to a pointer to their own number type only, numbers lent to one
        // that lends their type.)
        if p.holds & k.bit() != 0
            && (!k.is_items() || p.items == k.item_fast())
            && (!k.is_lent() || k.item_fast().is_some_and(|f| p.lends_to(f)))
        {
            continue;
        }
        // An integer its parameter does not hold whole (an `i32` for a `size_t` or an
        // `unsigned`, an `i64` for an `int`) passes when its value is in range, checked now:
        // its word is then the parameter's too (`Fast::fits`). Out of range, or any other
        // argument, the converting path converts it or reports it.
        let fits = match (p.conv, k.fast()) {
            (Conv::Fast(f), Some(rust)) => {
                args.with_plain_words(|words, _| words.get(i).is_some_and(|w| f.fits(rust, *w)))
            }
            // A value for a number parameter, or for a scalar one of one integer register
            // (`char`, `_Bool`, a wide character, an enum: `Param::value_word`): its number,
            // which `value_words` encodes (or sends the call to the converting path).
            (_, None) => {
                (const { numbers_from_values::<A, VARIADIC>() }) && k.is_value() && p.value_word
            }
            _ => false,
        };
        if !fits {
            return None;
        }
    }
    // (Constants first, so that a tuple with none of these kinds skips the scans.)
    if VARIADIC
        && const { PlainArg::any_none(A::PLAIN) }
        && kinds.iter().skip(fixed).any(|k| *k == PlainArg::NONE)
    {
        return None;
    }
    // (Numbers in a variadic part convert, as a list there does.)
    if VARIADIC
        && const { PlainArg::any_items(A::PLAIN) }
        && kinds.iter().skip(fixed).any(|k| k.is_items())
    {
        return None;
    }
    // A cdata's type, known only now: cffi's rules for its parameter (the same type, an
    // array of its items, any pointer for a `void *`...), as the converting path checks it
    // (and reports what they refuse); in a variadic part, a pointer or an array of this `ffi`
    // object (which the converting path passes as its address too). Every accepted cdata
    // gives its own address.
    if kinds.iter().any(|k| k.is_cdata()) {
        let ok = args.with_plain_words(|_, cdatas| {
            kinds.iter().zip(cdatas).enumerate().all(|(i, (k, c))| {
                // (A cdata's word is its address, which is also what the rules pass.)
                !k.is_cdata()
                    || match c {
                        Some(c) => match plan.params.get(i) {
                            Some(p) => pointer_arg(uni, p, c).is_some(),
                            None => {
                                c.uni().same(uni)
                                    && matches!(
                                        c.info().repr,
                                        Repr::Pointer { .. } | Repr::Array { .. }
                                    )
                            }
                        },
                        // `None` of an `Option<&CData>`: NULL, for any pointer parameter
                        // that takes a cdata, and in a variadic part (a `void *`). A value
                        // that holds no cdata: for `value_words` to encode or refuse.
                        None => {
                            k.may_be_null()
                                || (const { numbers_from_values::<A, VARIADIC>() } && k.is_value())
                        }
                    }
            })
        });
        if !ok {
            return None;
        }
    }
    Some(n)
}

/// Whether a tuple of `A` may pass a value's number ([`PlainArg::VALUE`]) for a number
/// parameter or a scalar one of one integer word (`Param::value_word`): it has a value, and
/// is neither variadic nor copies anything (those take a value only as a cdata). A
/// constant.
#[inline(always)]
pub(super) const fn numbers_from_values<'a, A: Args<'a>, const VARIADIC: bool>() -> bool {
    !VARIADIC && PlainArg::any_value(A::PLAIN) && !PlainArg::any_copied_or_lent(A::PLAIN)
}

/// The words of a tuple that [`plain_native`] took, with each value's number encoded for
/// its number parameter as the list path encodes it (`encode_fast`: the converting path's
/// range checks) or for its one-register scalar parameter as the register path converts it
/// (`scalar_words`: a one-byte `Bytes` for a `char`, a `bool` or 0 or 1 for a `_Bool`...),
/// and each other value a cdata (whose word, its address, passed cffi's rules there); `None`
/// when a value is neither, for the converting path to convert or report.
#[inline(always)]
pub(super) fn value_words<'a, A: Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    args: &A,
) -> Option<[u64; INLINE_ARGS]> {
    let kinds = A::PLAIN.unwrap_or_default();
    let mut out = [0; INLINE_ARGS];
    let ok = args.with_plain_words(|words, _| {
        args.with_plain_values(|values| {
            kinds.iter().enumerate().all(|(i, k)| {
                let w = words.get(i).copied().unwrap_or(0);
                out[i % INLINE_ARGS] = if k.is_value() {
                    let p = plan.params.get(i);
                    match (p.map(|p| p.conv), values.get(i)) {
                        (Some(Conv::Fast(f)), Some(Some(v))) => {
                            match crate::data::encode_fast(f, v) {
                                Some(b) => u64::from_le_bytes(b),
                                None => return false,
                            }
                        }
                        (_, Some(Some(v))) => match other_value(uni, p, v, w) {
                            Some(w) => w,
                            None => return false,
                        },
                        _ => return false,
                    }
                } else {
                    w
                };
                true
            })
        })
    });
    ok.then_some(out)
}

/// [`value_words`]' word of value `v` (whose plain word is `w`) for parameter `p` when that
/// is not a number: for a scalar of one integer register (`plain_native` let no other scalar
/// take a value), `v` converted as the register path converts it (a cdata of its very type
/// gives its bytes, extended); for a pointer, a cdata's `w` (its address, which passed cffi's
/// rules there); `None` for the converting path to convert or report. Out of line, so that
/// tuples of values for number parameters compile as they did (with the scalars' arm in
/// line, `call-profile addvr` took 17 instructions more).
#[inline(never)]
fn other_value(uni: &Ffi, p: Option<&Param>, v: &Value, w: u64) -> Option<u64> {
    let p = p?;
    // A `char` from one byte, as `scalar_words` gives it.
    if let (Scalar::Char { signed }, Value::Bytes(b)) = (p.scalar, v)
        && let [b] = b[..]
    {
        return Some(super::scalar_words::char_word(b, signed));
    }
    if p.conv == Conv::Scalar {
        // (An `Arg` that borrows owns nothing: not dropped, its glue's dispatch skipped.)
        let a = std::mem::ManuallyDrop::new(Arg::Ref(v));
        return match scalar_words(uni, p, &a)? {
            [low, 0] => Some(low),
            _ => None,
        };
    }
    v.as_cdata().map(|_| w)
}

/// Whether argument `i`, of kind `k`, travels in a floating register: a float, or a value
/// for a float parameter (its number encoded for it). `k` is the tuple's constant, so only a
/// value looks at its parameter.
#[inline(always)]
fn float_class(plan: &CallPlan, i: usize, k: PlainArg) -> bool {
    k.is_float()
        || (k.is_value()
            && plan
                .params
                .get(i)
                .is_some_and(|p| matches!(p.conv, Conv::Fast(Fast::F32 | Fast::F64))))
}

/// The call [`plain_native`] found: each argument's word straight into its register, then the
/// call, with no argument converted and no `Arg` made. (Separate from the check, so that the
/// result is written where the caller returns it: an `Option<Result<Value>>` copied out
/// stalled on its padding's overlapping moves, +2 ns a call.)
///
/// # Safety
///
/// As for `invoke::invoke`; `n` is what `plain_native::<_, VARIADIC>` gave for this plan,
/// code and `A`.
#[inline(always)]
pub(super) unsafe fn plain<'a, A: Args<'a>, const VARIADIC: bool>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    args: &A,
) -> Result<Value> {
    use crate::abi::RetReg;
    // A tuple without cdata passes no callback: a constant, and no test.
    if const { PlainArg::any_cdata(A::PLAIN) } && plan.passes_callback {
        return in_run(args, || {
            // SAFETY: the caller's promise, passed on; the words are the tuple's own.
            let v = args.with_plain_words(|words, _| unsafe {
                placed::<A, VARIADIC>(uni, plan, n, code, words)
            });
            adopted(plan, v, args)
        });
    }
    // The closures in line, always, in optimized builds: where the compiler left one out of
    // line (a small program calling `add`), it wrote its `Value` into a temporary a word at a
    // time, which was then copied to the caller 16 bytes at a time, the loads waiting for the
    // stores (13.4 → 11.8 ns a call with the result dropped; `call-profile`, which had them in
    // line, is unchanged). Not with debug assertions: unoptimized, everything they inline
    // keeps a stack slot of its own, and `call_args`' frame grew from 4.3 to 23.6 KiB.
    if one_register(plan) {
        // SAFETY: as below.
        return args.with_plain_words(
            #[cfg_attr(not(debug_assertions), inline(always))]
            |words, _| unsafe { word_result::<A, VARIADIC>(uni, plan, n, code, (args, words)) },
        );
    }
    let v = if VARIADIC || n.ret != RetReg::Memory {
        // SAFETY: the caller's promise, passed on; the words are the tuple's own.
        args.with_plain_words(
            #[cfg_attr(not(debug_assertions), inline(always))]
            |words, _| unsafe { in_registers::<A, VARIADIC>(uni, plan, n, code, words) },
        )
    } else {
        // SAFETY: as above.
        args.with_plain_words(
            #[cfg_attr(not(debug_assertions), inline(always))]
            |words, _| unsafe { through_memory::<A>(uni, plan, n, code, words) },
        )
    };
    adopted(plan, v, args)
}

/// [`plain`] of a tuple with values, whose words [`value_words`] made: a value's number
/// encoded for its number parameter.
///
/// # Safety
///
/// As for [`plain`], with `words` what `value_words` gave for `args`.
#[inline(always)]
pub(super) unsafe fn plain_values<'a, A: Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    (args, words): (&A, &[u64; INLINE_ARGS]),
) -> Result<Value> {
    let words = &words[..A::PLAIN.unwrap_or_default().len().min(INLINE_ARGS)];
    // (Each branch returns its own result, as `plain`'s do: one result for both was copied
    // out a byte at a time.)
    if plan.passes_callback {
        return in_run(args, || {
            // SAFETY: the caller's promise, passed on; each word is its argument's, a value's
            // number encoded for its parameter.
            let v = unsafe { placed::<A, false>(uni, plan, n, code, words) };
            adopted(plan, v, args)
        });
    }
    if one_register(plan) {
        // SAFETY: as above.
        return unsafe { word_result::<A, false>(uni, plan, n, code, (args, words)) };
    }
    // SAFETY: as above.
    let v = unsafe { placed::<A, false>(uni, plan, n, code, words) };
    adopted(plan, v, args)
}

/// The placement and call of a tuple's `words`, by where its result comes back (for the calls
/// that pass a callback, the copying path and tuples with values; `plain` keeps its own two
/// branches, each in its own closure: one closure around this took `mixed6` and `sum8l` 10
/// more instructions).
///
/// # Safety
///
/// As for [`in_registers`].
#[inline(always)]
unsafe fn placed<'a, A: Args<'a>, const VARIADIC: bool>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    words: &[u64],
) -> Result<Value> {
    // SAFETY: the caller's promise, passed on.
    unsafe {
        if VARIADIC || n.ret != crate::abi::RetReg::Memory {
            in_registers::<A, VARIADIC>(uni, plan, n, code, words)
        } else {
            through_memory::<A>(uni, plan, n, code, words)
        }
    }
}

/// `call()` — a direct call that passes a callback (`qsort(&arr, n, 4, &cmp)`) — inside the
/// run the converting path enters with the tuple's cdata (`callback::running`: pointers C
/// hands the callback into their memory are views of it). Out of line, so that the other
/// calls keep no run at all (an empty one kept in line was stored and loaded again around
/// every call, the load waiting on the store: `add` 3 ns slower); left when this returns,
/// after the call's result went where the caller takes it (a `drop` between the call and the
/// return made a copy of the result, whose loads waited on the call's narrower stores).
#[inline(never)]
fn in_run<'a, A: Args<'a>, R>(args: &A, call: impl FnOnce() -> R) -> R {
    let _running =
        args.with_plain_words(|_, cdatas| Running::enter(cdatas.iter().flatten().copied()));
    call()
}

/// A direct call's result `v`: a pointer result, as `invoke` makes it, a view of an argument's
/// memory when it points there. A tuple without cdata has no memory to point into: a constant
/// test, and no second look at its arguments (whose closure moved the result through memory,
/// +10 ns for `strchr`).
#[inline(always)]
fn adopted<'a, A: Args<'a>>(plan: &CallPlan, v: Result<Value>, args: &A) -> Result<Value> {
    let kinds = A::PLAIN.unwrap_or_default();
    if plan.ret.conv != Conv::Pointer || !kinds.iter().any(|k| k.is_cdata()) {
        return v;
    }
    v.map(
        #[cfg_attr(not(debug_assertions), inline(always))]
        |v| {
            args.with_plain_words(
                #[cfg_attr(not(debug_assertions), inline(always))]
                |_, cdatas| super::adopt::result_among(plan, v, cdatas.iter().flatten().copied()),
            )
        },
    )
}

/// `call` — the jump into C — inside [`during_call`] (a callback's failure meanwhile is the
/// call's result) and `errno::around` (the thread's errno restored before, saved after), as
/// every call of this path makes it; in line, with its closures, in optimized builds (left
/// out of line, one cost a path 3 to 10 ns).
#[cfg_attr(not(debug_assertions), inline(always))]
fn guarded<T>(call: impl FnOnce() -> T) -> Result<T> {
    during_call(
        #[cfg_attr(not(debug_assertions), inline(always))]
        || errno::around(call),
    )
}

/// The registers and stack words of a tuple's `words` (each its argument's), as
/// [`in_registers`] and [`word_in_registers`] pass them, and how many stack words they take.
#[inline(always)]
fn placed_regs<'a, A: Args<'a>, const VARIADIC: bool>(
    regs: &mut native::Regs,
    plan: &CallPlan,
    n: &crate::abi::Native,
    words: &[u64],
) -> u8 {
    use crate::abi::{FLOAT_REGS, INT_REGS, STACK_WORDS};
    let kinds = A::PLAIN.unwrap_or_default();
    // Integers take the integer registers in order, floats the floating ones, and
    // those past their class's registers the stack words, in argument order (as
    // `Native::of` assigned them; a result through memory would take an integer
    // register first). The kinds are the tuple's constants, so this folds to one
    // store per argument, without the plan's register list.
    let (mut ints, mut floats, mut stack) = (0usize, 0usize, 0usize);
    for (i, (k, w)) in kinds.iter().zip(words).enumerate() {
        let float = float_class(plan, i, *k);
        let w = plain_word(plan, i, *k, *w);
        if float && floats < FLOAT_REGS {
            regs.floats[floats & 7] = std::mem::MaybeUninit::new(f64::from_bits(w));
            floats += 1;
        } else if !float && ints < INT_REGS {
            regs.ints[ints & 7] = std::mem::MaybeUninit::new(w);
            ints += 1;
        } else {
            regs.stack[stack % STACK_WORDS] = std::mem::MaybeUninit::new(w);
            stack += 1;
        }
    }
    // How many stack words the tuple takes: a constant of its kinds (the loop above counts
    // the same ones), so that the call below compiles for that many alone. (A tuple has at
    // most 16 arguments, far from `STACK_WORDS`.)
    // (A value's class is its parameter's: the plan's count, unless none could be on the
    // stack.)
    let words = if const {
        PlainArg::any_value(A::PLAIN) && !PlainArg::no_stack_words_either_way(A::PLAIN)
    } && !VARIADIC
    {
        usize::from(n.stack)
    } else {
        const { PlainArg::stack_words(A::PLAIN) }
    };
    debug_assert_eq!(stack, words, "the tuple's stack words");
    debug_assert!(
        VARIADIC || stack == usize::from(n.stack),
        "the plan's stack words"
    );
    words.min(STACK_WORDS) as u8
}

/// Whether the plan's result is one register's that [`word_in_registers`] writes: a plain
/// number, a pointer, or another scalar of one integer word (`Param::one_word`).
#[inline(always)]
fn one_register(plan: &CallPlan) -> bool {
    plan.ret.one_word
}

/// [`word_in_registers`]' result, written once and returned whole: what `plain`,
/// `plain_values` and `with_copies` return for a result of [`one_register`].
///
/// # Safety
///
/// As for [`word_in_registers`].
#[inline(always)]
unsafe fn word_result<'a, A: Args<'a>, const VARIADIC: bool>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    (args, words): (&A, &[u64]),
) -> Result<Value> {
    let mut out = MaybeUninit::uninit();
    // SAFETY: the caller's promise, passed on.
    unsafe { word_in_registers::<A, VARIADIC>(&mut out, uni, plan, n, code, (args, words)) };
    // SAFETY: `word_in_registers` wrote the result on every path.
    unsafe { out.assume_init() }
}

/// [`in_registers`] for a result of one register, written once into `out`, with no merge of
/// the branches that make other results: a plain integer (an `int`, a `size_t`, an enum of
/// a plain integer type...) in two 16-byte halves (`wide::write_int`), so that the caller's
/// move of the result does not wait on narrower stores; a float; a pointer, as
/// `simple_result` makes it and `adopted` adopts it; a `char`'s byte in place (`char
/// upper(char)` given a value: 23.1 → 10.7 ns, when its result went through the merge) and a
/// `_Bool` of 0 or 1 (`call-profile bool` 14.9 → 6.7 ns); or another scalar of one word as
/// `simple_result` makes it. A failure during the call (a callback's) is written as the
/// result.
///
/// # Safety
///
/// As for [`in_registers`]; the plan's result is one word's ([`one_register`]).
#[inline(always)]
unsafe fn word_in_registers<'a, A: Args<'a>, const VARIADIC: bool>(
    out: &mut MaybeUninit<Result<Value>>,
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    (args, words): (&A, &[u64]),
) {
    let mut regs = native::Regs::new();
    let stack = placed_regs::<A, VARIADIC>(&mut regs, plan, n, words);
    let word = guarded(
        // SAFETY: as in `in_registers`: the caller's promise, passed on; every argument is
        // where its (promoted) type passes it; the result comes back in an integer register.
        #[cfg_attr(not(debug_assertions), inline(always))]
        || unsafe {
            if VARIADIC {
                native::call_variadic(code, n.ret, &regs, stack)[0]
            } else {
                native::call_in_registers(code, n.ret == crate::abi::RetReg::Float, &regs, stack)
            }
        },
    );
    let w = match word {
        Ok(w) => w,
        Err(e) => {
            out.write(Err(e));
            return;
        }
    };
    match plan.ret.conv {
        Conv::Fast(f) => super::wide::write_number(out, f, w),
        Conv::Pointer => {
            let c = crate::data::CData::pointer(
                uni,
                plan.ret.ty,
                w as usize,
                crate::mem::Owner::Foreign,
            );
            out.write(adopted(plan, Ok(Value::CData(c)), args));
        }
        // A `char` or a `_Bool` of 0 or 1, as `Scalar::result` makes them (each written in
        // an arm of its own: through that `Option`, `call-profile charvr` and `bool` took 1 ns
        // more).
        Conv::Scalar if matches!(plan.ret.scalar, Scalar::Char { .. }) => {
            out.write(Ok(Value::Bytes(crate::data::Bytes::one(w as u8))));
        }
        Conv::Scalar if plan.ret.scalar == Scalar::Bool && w as u8 <= 1 => {
            out.write(Ok(Value::Bool(w as u8 == 1)));
        }
        _ => {
            out.write(simple_result(uni, plan, [w, 0, 0, 0]));
        }
    }
}

/// The placement and call of [`plain`] for a result in registers (every variadic one), from
/// each argument's word (a text's: its copy's address). In line: the tuple's kinds fold.
///
/// # Safety
///
/// As for [`plain`]; `words` has one word per argument of `A`, each what its kind says.
#[inline(always)]
unsafe fn in_registers<'a, A: Args<'a>, const VARIADIC: bool>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    words: &[u64],
) -> Result<Value> {
    use crate::abi::RetReg;
    let mut regs = native::Regs::new();
    let words = placed_regs::<A, VARIADIC>(&mut regs, plan, n, words);
    if VARIADIC {
        // The variadic part's stack words follow the fixed ones'; its result is in registers
        // (`variadic_native`).
        let [a, b] = guarded(
            // SAFETY: the caller's promise, passed on: `code` is a variadic function
            // whose fixed parameters are the plan's; every argument is where its
            // promoted type passes it, the fixed ones as `n` assigned them.
            #[cfg_attr(not(debug_assertions), inline(always))]
            || unsafe { native::call_variadic(code, n.ret, &regs, words) },
        )?;
        return simple_result(uni, plan, [a, b, 0, 0]);
    }
    if matches!(n.ret, RetReg::Int | RetReg::Void | RetReg::Float) {
        let float = n.ret == RetReg::Float;
        let word = guarded(
            // SAFETY: the caller's promise, passed on; every argument is in its
            // register or stack word (`words` of them, as `n` counts), a value its
            // parameter's type holds; the result comes back in a register.
            #[cfg_attr(not(debug_assertions), inline(always))]
            || unsafe { native::call_in_registers(code, float, &regs, words) },
        )?;
        return plain_result(uni, plan, [word, 0]);
    }
    // A result in two registers or `st0` (not through memory: `through_memory`'s), by its
    // class, with the same constant stack words.
    let [a, b] = guarded(
        // SAFETY: the caller's promise, passed on; every argument is where `n` assigns it,
        // and the result comes back in registers.
        #[cfg_attr(not(debug_assertions), inline(always))]
        || unsafe { native::call(code, n.ret, &regs, words) },
    )?;
    plain_result(uni, plan, [a, b])
}

/// The result of [`in_registers`]'s call from its registers' words: a struct made out of
/// line (`struct_in_words`), the rest by [`simple_result`].
#[inline(always)]
pub(super) fn plain_result(uni: &Ffi, plan: &CallPlan, [a, b]: [u64; 2]) -> Result<Value> {
    if plan.ret.conv == Conv::Struct {
        return struct_in_words(uni, plan, [a, b]);
    }
    simple_result(uni, plan, [a, b, 0, 0])
}

/// The placement and call of [`plain`] for a struct result through memory.
///
/// # Safety
///
/// As for [`in_registers`].
#[inline(always)]
unsafe fn through_memory<'a, A: Args<'a>>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    words: &[u64],
) -> Result<Value> {
    let kinds = A::PLAIN.unwrap_or_default();
    let mut regs = native::Regs::new();
    for piece in n.pieces.iter() {
        let i = usize::from(piece.arg);
        if let (Some(k), Some(w)) = (kinds.get(i), words.get(i)) {
            regs.set(piece.reg, plain_word(plan, i, *k, *w));
        }
    }
    // SAFETY: the caller's promise, passed on; every argument is in its register, a
    // value its parameter's type holds.
    unsafe { finish_registers::<false, _>(uni, plan, n, code, (&regs, New)) }
}

/// [`plain`] of a tuple holding text or numbers to copy, or numbers lent in place
/// (`call::invoke` sends only those here, out of line, so that the others compile as they
/// did): each text copied with a NUL after it, each run of numbers as it is, into a stack area
/// — or, when they do not all fit there, one heap buffer — alive until the call returns; its
/// word is its copy's address. Lent numbers' words are their addresses, taken from the tuple's
/// `&mut` (`Args::plain_words_mut`).
///
/// # Safety
///
/// As for [`plain`].
#[inline(never)]
pub(super) unsafe fn with_copies<'a, A: Args<'a>, const VARIADIC: bool>(
    uni: &Ffi,
    plan: &CallPlan,
    n: &crate::abi::Native,
    code: usize,
    args: &mut A,
) -> Result<Value> {
    let kinds = A::PLAIN.unwrap_or_default();
    // (From the `&mut`: a lent argument's word is its address, with the right to write.)
    let mut words = args.plain_words_mut();
    let copies = args.plain_copies();
    // (`None` of an `Option` of text or numbers: NULL, its word 0, nothing copied.)
    let copied = |words: &[u64; INLINE_ARGS], i: usize, k: PlainArg| {
        k.is_copied() && !(k.may_be_null() && words[i % INLINE_ARGS] == 0)
    };
    let slots = kinds
        .iter()
        .enumerate()
        .filter(|(i, k)| copied(&words, *i, **k))
        .fold(0usize, |n, (i, k)| {
            n.saturating_add(copy_slots(*k, copies[i % INLINE_ARGS]))
        });
    let mut area = MaybeUninit::<[Slot; SIMPLE_SLOTS]>::uninit();
    let mut heap = None;
    let mut blocks = if slots <= SIMPLE_SLOTS {
        Blocks::new(&mut area)
    } else {
        Blocks::over(heap.insert(heap_area(slots)?).spare_capacity_mut())
    };
    for (i, k) in kinds.iter().enumerate() {
        if copied(&words, i, *k) {
            let bytes = copies[i % INLINE_ARGS];
            let at = if k.is_text() {
                c_string_in(&mut blocks, bytes)
            } else {
                copy_in(&mut blocks, bytes)
            };
            words[i % INLINE_ARGS] = at.expect("the area has room for every copy");
        }
    }
    let words = &words[..kinds.len().min(INLINE_ARGS)];
    let callback = const { PlainArg::any_cdata(A::PLAIN) } && plan.passes_callback;
    if !callback && one_register(plan) {
        // (In line: out of line, `call-profile strlen` gained 2.6 ns instead of 5.5; in line,
        // the calls with other results lose 0.7 ns, `fill4`.)
        // SAFETY: as below.
        return unsafe { word_result::<A, VARIADIC>(uni, plan, n, code, (&*args, words)) };
    }
    let v = if callback {
        // SAFETY: the caller's promise, passed on; each copy's word is its address, alive in
        // `area` or `heap` until this returns.
        in_run(&*args, || unsafe {
            placed::<A, VARIADIC>(uni, plan, n, code, words)
        })
    } else {
        // SAFETY: as above.
        unsafe { placed::<A, VARIADIC>(uni, plan, n, code, words) }
    };
    adopted(plan, v, args)
}

/// An empty buffer with room for `slots` slots: the copies of a call that do not fit its
/// stack area.
#[cold]
#[inline(never)]
fn heap_area(slots: usize) -> Result<Vec<Slot>> {
    let mut heap = Vec::new();
    heap.try_reserve_exact(slots).map_err(|_| {
        crate::Error::Memory(format!("cannot allocate {slots} slots for a call's copies").into())
    })?;
    Ok(heap)
}

/// The slots copied argument `bytes` of kind `k` takes: a text's with its NUL, numbers' as
/// they are (as `c_string_in` and `copy_in` take them).
#[inline(always)]
fn copy_slots(k: PlainArg, bytes: &[u8]) -> usize {
    if k.is_text() {
        text_slots(bytes)
    } else {
        Blocks::slots_for(bytes.len())
    }
}

/// The register word of argument `i`, of plain kind `k`, whose tuple made it `w`: as the
/// tuple's own `IntoArg` impl made it (`PLAIN` cannot be named outside the crate, so only
/// rcffi's impls say they are plain) — an integer extended by its signedness, a float's bits,
/// a C string's address — except a float for a parameter of the other float type, rounded
/// to a `float` or widened to a `double` (what `Param::holds` lets through besides exact
/// types), and a float in a variadic part (past the parameters), promoted to `double`. `k` is
/// the tuple's constant, so only a float argument looks at its parameter.
#[inline(always)]
fn plain_word(plan: &CallPlan, i: usize, k: PlainArg, w: u64) -> u64 {
    match (k.float(), plan.params.get(i).map(|p| p.conv)) {
        (Some(rust), Some(Conv::Fast(f))) => f.float_word(rust, w),
        (Some(rust), None) => crate::mem::Fast::F64.float_word(rust, w),
        _ => w,
    }
}

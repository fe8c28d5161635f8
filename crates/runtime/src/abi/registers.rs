//! Register assignment for calls without libffi: which argument (or eightbyte of a small struct)
//! goes in which register — or, past the 6 (x86-64) or 8 (AArch64) integer-class registers and
//! the 8 floating ones, in which stack word — for signatures of numbers, pointers, `char`,
//! `_Bool`, enums and (x86-64) `__int128` and structs. The call itself, and why one universal
//! signature is sound, is `call::native`. No unsafe code.

use super::param::{Conv, Param};
use crate::mem::Fast;
use crate::types::Repr;
use crate::types::{Ffi, TypeRef};

/// Integer-class argument registers.
#[cfg(target_arch = "x86_64")]
pub(crate) const INT_REGS: usize = 6;
#[cfg(target_arch = "aarch64")]
pub(crate) const INT_REGS: usize = 8;
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) const INT_REGS: usize = 0;

/// Floating-class argument registers.
pub(crate) const FLOAT_REGS: usize = 8;

/// Stack words the universal signature can pass after the registers (arguments that no longer
/// fit their class's registers go there, each in whole 8-byte words, in argument order).
pub(crate) const STACK_WORDS: usize = 64;

/// Whether this target's calls can take the register path at all.
const SUPPORTED: bool = cfg!(all(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd"
    )
));

/// A register class.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// Integer registers (integers, pointers).
    Int,
    /// Vector registers (`float`, `double`).
    Float,
}

/// Where an argument goes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reg {
    /// Integer register `n` of the class.
    Int(u8),
    /// Vector register `n`.
    Float(u8),
    /// Stack word `n` (after the registers).
    Stack(u8),
}

/// Eight bytes (at most) of one argument, and the register they travel in: a scalar is one
/// piece, a small struct one per eightbyte (x86-64).
#[derive(Copy, Clone, Debug)]
pub(crate) struct Piece {
    /// The argument.
    pub(crate) arg: u8,
    /// The piece's first byte within the argument.
    pub(crate) offset: u8,
    /// Its length: 8 for scalars (extended to a word), up to 8 for a struct's last eightbyte;
    /// for a struct copied onto the stack whole, its size (17 to 512 bytes), in consecutive
    /// stack words from `reg` on.
    pub(crate) len: u16,
    pub(crate) reg: Reg,
    /// Whether this is its argument's only piece, and the argument at most 8 bytes: its
    /// register word holds all of it, in order (a callback's argument can point there).
    pub(crate) alone: bool,
}

/// What the result is read as.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum RetReg {
    /// The integer return register (also pointers, and a struct in one integer eightbyte).
    Int,
    /// The floating return register (also a struct in one floating eightbyte).
    Float,
    /// A struct in two eightbytes, each in the first free return register of its class.
    Two(Class, Class),
    /// A struct of more than 16 bytes (x86-64: returned through memory, at an address the
    /// caller passes as a hidden first integer argument: the result's own new allocation).
    Memory,
    /// An x87 `long double` (x86-64: returned in `st0`).
    X87,
    /// Nothing.
    Void,
}

/// Two-register struct results, as the calling conventions return them (each eightbyte in the
/// first free return register of its class: `rax`, `rdx`, `xmm0`, `xmm1` / `x0`, `x1`, `v0`,
/// `v1`): the result types of the universal signatures, on both sides of a call.
#[repr(C)]
pub(crate) struct RetII(pub(crate) u64, pub(crate) u64);
/// See [`RetII`].
#[repr(C)]
pub(crate) struct RetFF(pub(crate) f64, pub(crate) f64);
/// See [`RetII`].
#[repr(C)]
pub(crate) struct RetIF(pub(crate) u64, pub(crate) f64);
/// See [`RetII`].
#[repr(C)]
pub(crate) struct RetFI(pub(crate) f64, pub(crate) u64);

/// The largest struct argument the register path copies onto the stack: as many bytes as the
/// stack words hold.
const MEMORY_ARG: usize = STACK_WORDS * 8;

/// The largest struct argument the register path copies onto the stack straight from the
/// struct's memory, as a [`Far`] argument: past it, libffi's path (whose stack walk and
/// `alloca` make room for anything).
const FAR_ARG: usize = super::plan::MAX_ARG_STACK;

/// A struct argument too large for the stack words (more than [`MEMORY_ARG`] bytes, or past
/// the last word), copied onto the stack straight from its memory when the call is made
/// (`call::native::call_far`, x86-64): one per signature, after every other stack argument.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Far {
    /// The argument.
    pub(crate) arg: u8,
    /// The stack word it starts at (after the [`Native::stack`] words, aligned for it).
    pub(crate) word: u8,
    /// Its size in bytes (more than 16, at most [`FAR_ARG`]).
    pub(crate) size: u32,
}

/// The register assignment of a signature.
#[derive(Debug)]
pub(crate) struct Native {
    pub(crate) pieces: Box<[Piece]>,
    pub(crate) ret: RetReg,
    /// How many stack words the arguments take (0: registers only), before a [`Far`] one.
    pub(crate) stack: u8,
    /// A struct argument copied onto the stack from its own memory, after the `stack` words;
    /// no piece of [`pieces`](Self::pieces) names it.
    pub(crate) far: Option<Far>,
    /// Whether every argument is a plain number or a pointer (one word each, no struct or
    /// other scalar): the call fills its registers in a shorter loop.
    pub(crate) plain: bool,
    /// Whether every argument is one word of its register class: a plain number, a pointer,
    /// or a scalar of one integer word (`_Bool`, `char`, a wide character, an enum; a Rust
    /// `bool` or a value for those). The calls with tuples of such arguments take the direct
    /// path (`call::plain`).
    pub(crate) one_word: bool,
}

impl Native {
    /// The register assignment of a non-variadic signature, when every argument travels in
    /// registers and the result comes back in them.
    pub(crate) fn of(uni: &Ffi, params: &[Param], ret: &Param) -> Option<Native> {
        if !SUPPORTED {
            return None;
        }
        let ret = match ret.conv {
            Conv::Fast(Fast::F32 | Fast::F64) => RetReg::Float,
            Conv::Fast(_) | Conv::Pointer => RetReg::Int,
            Conv::Void => RetReg::Void,
            Conv::Scalar if is_x87(uni, ret) => RetReg::X87,
            Conv::Scalar => returned_in(&scalar_classes(uni, ret)?)?,
            Conv::Struct if memory_class(uni, ret) => RetReg::Memory,
            Conv::Struct => returned_in(&eightbytes(uni, ret)?)?,
        };
        // A result through memory takes the first integer register for its address (the
        // arguments' registers start after it: `call::native` passes it).
        let int_regs = INT_REGS - usize::from(ret == RetReg::Memory);
        let (mut ints, mut floats, mut stack) = (0usize, 0usize, 0usize);
        let mut far = None;
        let mut pieces = Vec::with_capacity(params.len());
        for (i, p) in params.iter().enumerate() {
            // An x87 `long double` always travels in memory (class X87): its 16 bytes in two
            // stack words, from an even one, even with registers free.
            let in_memory = is_x87(uni, p);
            let classes: Vec<(Class, u8)> = match p.conv {
                Conv::Fast(Fast::F32 | Fast::F64) => vec![(Class::Float, 8)],
                Conv::Fast(_) | Conv::Pointer => vec![(Class::Int, 8)],
                Conv::Scalar if in_memory => vec![(Class::Int, 8), (Class::Int, 8)],
                Conv::Scalar => scalar_classes(uni, p)?,
                // More than 16 bytes: copied onto the stack whole (x86-64's MEMORY class), as
                // one piece of that many bytes in consecutive stack words (one bulk copy out of
                // the struct's memory, as C's caller makes).
                Conv::Struct if memory_class(uni, p) => {
                    let words = p.size.div_ceil(8);
                    if far.is_some() {
                        // Nothing goes on the stack after a far struct.
                        return None;
                    }
                    stack = stack_start(stack, p.align)?;
                    if p.size > MEMORY_ARG || stack + words > STACK_WORDS {
                        // Too large for the stack words: copied from its memory, past them.
                        if p.size > FAR_ARG || stack > STACK_WORDS {
                            return None;
                        }
                        far = Some(Far {
                            arg: u8::try_from(i).ok()?,
                            word: u8::try_from(stack).ok()?,
                            size: u32::try_from(p.size).ok()?,
                        });
                        continue;
                    }
                    pieces.push(Piece {
                        arg: u8::try_from(i).ok()?,
                        offset: 0,
                        len: u16::try_from(p.size).ok()?,
                        reg: Reg::Stack(stack as u8),
                        alone: false,
                    });
                    stack += words;
                    continue;
                }
                Conv::Struct => eightbytes(uni, p)?,
                _ => return None,
            };
            // An argument goes whole into registers of its classes, or — when they run out —
            // whole onto the stack, in 8-byte words (a value narrower than a word in its low
            // bytes); later arguments still take the registers left (each class on its own).
            // On the stack, an argument takes all its words (a trailing eightbyte of padding,
            // which takes no register, included), from a word aligned as it is.
            let need_int = classes.iter().filter(|c| c.0 == Class::Int).count();
            if in_memory
                || ints + need_int > int_regs
                || floats + classes.len() - need_int > FLOAT_REGS
            {
                stack = stack_start(stack, p.align)?;
                let words = p.size.div_ceil(8).max(1);
                if far.is_some() || stack + words > STACK_WORDS {
                    return None;
                }
                for (k, (_, len)) in classes.into_iter().enumerate() {
                    pieces.push(Piece {
                        arg: u8::try_from(i).ok()?,
                        offset: (k * 8) as u8,
                        len: len.into(),
                        reg: Reg::Stack((stack + k) as u8),
                        alone: false,
                    });
                }
                stack += words;
                continue;
            }
            for (k, (class, len)) in classes.into_iter().enumerate() {
                let reg = match class {
                    Class::Int => {
                        ints += 1;
                        Reg::Int((ints - 1) as u8)
                    }
                    Class::Float => {
                        floats += 1;
                        Reg::Float((floats - 1) as u8)
                    }
                };
                pieces.push(Piece {
                    arg: u8::try_from(i).ok()?,
                    offset: (k * 8) as u8,
                    len: len.into(),
                    reg,
                    alone: false,
                });
            }
        }
        if far.is_some() && ret == RetReg::X87 {
            // (`call_far` reads no `st0`.)
            return None;
        }
        let mut count = vec![0u8; params.len()];
        for p in &pieces {
            count[usize::from(p.arg)] += 1;
        }
        for p in &mut pieces {
            let i = usize::from(p.arg);
            p.alone = count[i] == 1 && params[i].size <= 8;
        }
        Some(Native {
            pieces: pieces.into_boxed_slice(),
            ret,
            stack: far.map_or(stack as u8, |f: Far| f.word),
            far,
            plain: params
                .iter()
                .all(|p| matches!(p.conv, Conv::Fast(_) | Conv::Pointer)),
            one_word: params
                .iter()
                .all(|p| matches!(p.conv, Conv::Pointer) || p.value_word),
        })
    }
}

/// Structs of more than this many bytes (16 stack words) that come last on the stack are
/// copied from their memory when the call is made ([`Native::last_struct_far`]).
const FAR_PAST: usize = 128;

impl Native {
    /// This assignment, with its last stack argument made [`Far`] when that is a struct of
    /// more than [`FAR_PAST`] bytes (x86-64, and no `st0` result, which the far call does not
    /// read): the call then copies it once, straight from its memory onto the stack, where the
    /// stack words took it twice — into the words, then from them onto the stack (past 16
    /// words, in `call_wide`'s loop). Measured with the struct and an `int` in and out: 136
    /// bytes 36.0 → 34.4 ns, 256 bytes 40.6 → 37.0, 512 bytes 56.8 → 51.6; at 128 bytes, whose
    /// words the compiler's call passes, the far call was no faster (33.0 → 33.7 ns) and ran
    /// 73 more instructions. For the plans of fixed functions: a variadic function's shape,
    /// and a callback's entry, keep stack words.
    pub(crate) fn last_struct_far(mut self, params: &[Param]) -> Native {
        if !cfg!(target_arch = "x86_64") || self.far.is_some() || self.ret == RetReg::X87 {
            return self;
        }
        let last = self
            .pieces
            .iter()
            .enumerate()
            .max_by_key(|(_, p)| match p.reg {
                Reg::Stack(w) => i32::from(w),
                _ => -1,
            });
        let Some((
            k,
            &Piece {
                arg,
                len,
                reg: Reg::Stack(word),
                ..
            },
        )) = last
        else {
            return self;
        };
        // A whole struct (its one piece), not a word of a scalar or of a small struct.
        let whole = params
            .get(usize::from(arg))
            .is_some_and(|p| p.conv == Conv::Struct && p.size == usize::from(len));
        if !whole || usize::from(len) <= FAR_PAST {
            return self;
        }
        let mut pieces = self.pieces.into_vec();
        pieces.remove(k);
        self.pieces = pieces.into_boxed_slice();
        self.stack = word;
        self.far = Some(Far {
            arg,
            word,
            size: u32::from(len),
        });
        self
    }
}

/// Whether a struct travels through memory (x86-64 System V: more than 16 bytes), which the
/// register path does as stack words (an argument) or a hidden result address (a result).
/// (`long double _Complex`, also moved as a struct, is returned in `st0` and `st1`: not this.)
/// Only x86-64: AArch64 passes large composites by reference and returns some in registers.
fn memory_class(uni: &Ffi, p: &Param) -> bool {
    cfg!(target_arch = "x86_64")
        && p.conv == Conv::Struct
        && p.size > 16
        && matches!(p.ty.get(&uni.inner).repr, Repr::Record { .. })
}

/// The classes of a small struct's eightbytes (x86-64 System V: a struct of at most 16 bytes,
/// naturally aligned, is passed in registers, one per eightbyte: a vector register when the
/// eightbyte holds only `float`s and `double`s, else an integer one), with each eightbyte's
/// length. `None` where the struct does not travel in registers, or on other targets.
fn eightbytes(uni: &Ffi, p: &Param) -> Option<Vec<(Class, u8)>> {
    if !cfg!(target_arch = "x86_64") || p.size == 0 || p.size > 16 {
        return None;
    }
    let mut leaves = Vec::new();
    if leaf_classes(uni, p.ty, 0, &mut leaves).is_none() {
        return record_eightbytes(uni, p);
    }
    let n = p.size.div_ceil(8);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (lo, hi) = (k * 8, (k * 8 + 8).min(p.size));
        let inside: Vec<&(usize, usize, Class)> = leaves
            .iter()
            .filter(|(off, size, _)| *off < hi && off + size > lo)
            .collect();
        if inside.is_empty() {
            // Only padding (the second half of a struct aligned to 16): no register (System V
            // classes it NO_CLASS, and GCC passes nothing for it). A first eightbyte of padding
            // only (members of size 0 before an aligned one) is not a layout worth a case.
            if k == 0 {
                return None;
            }
            continue;
        }
        let class = if inside.iter().all(|l| l.2 == Class::Float) {
            Class::Float
        } else {
            Class::Int
        };
        out.push((class, (hi - lo) as u8));
    }
    Some(out)
}

/// The eightbytes of a record the plain walk does not take — a union, a struct with bitfields
/// (also nested) — as the proxy classification of `abi::proxy` has them (the one libffi's path
/// passes such records by): each eightbyte INTEGER if an integer, pointer or bitfield's byte
/// touches it, SSE if only `float`s and `double`s do. `None` for a record passed in memory, one
/// with an eightbyte of padding only, and any other type.
fn record_eightbytes(uni: &Ffi, p: &Param) -> Option<Vec<(Class, u8)>> {
    let info = p.ty.get(&uni.inner);
    if !matches!(info.repr, Repr::Record { .. }) {
        return None;
    }
    let classes = super::proxy::sysv_registers(&uni.inner.read(), info.id)?;
    let mut out = Vec::with_capacity(classes.len());
    for (k, sse) in classes.iter().enumerate() {
        let class = match sse {
            Some(true) => Class::Float,
            Some(false) => Class::Int,
            // Padding only: no register, as in `eightbytes`.
            None if k > 0 => continue,
            None => return None,
        };
        out.push((class, ((k * 8 + 8).min(p.size) - k * 8) as u8));
    }
    Some(out)
}

/// The classes of a scalar that is not a plain number (`char`, `_Bool`, wide characters,
/// enums: one integer word, extended to 64 bits by its signedness; x86-64's `__int128`: two
/// integer eightbytes, in two registers or two stack words aligned to 16; x86-64's `float` and
/// `double _Complex`: one or two floating eightbytes). `None` for the rest (`long double`,
/// `_Float128`, `long double _Complex`, and complex numbers on AArch64: libffi's path).
fn scalar_classes(uni: &Ffi, p: &Param) -> Option<Vec<(Class, u8)>> {
    let k = match &p.ty.get(&uni.inner).repr {
        Repr::Int(k) | Repr::Enum { int: k, .. } => *k,
        // x86-64 passes `float _Complex` as one SSE eightbyte (both parts in the low 8 bytes
        // of a vector register), `double _Complex` as two.
        Repr::Complex(4) if cfg!(target_arch = "x86_64") => return Some(vec![(Class::Float, 8)]),
        Repr::Complex(8) if cfg!(target_arch = "x86_64") => {
            return Some(vec![(Class::Float, 8), (Class::Float, 8)]);
        }
        _ => return None,
    };
    match k.bytes {
        1 | 2 | 4 | 8 => Some(vec![(Class::Int, 8)]),
        16 if cfg!(target_arch = "x86_64") => Some(vec![(Class::Int, 8), (Class::Int, 8)]),
        _ => None,
    }
}

/// The result registers of a value of these eightbyte classes: the first free result register
/// of each class (`rax`, `rdx`, `xmm0`, `xmm1`).
fn returned_in(classes: &[(Class, u8)]) -> Option<RetReg> {
    match classes {
        [(Class::Int, _)] => Some(RetReg::Int),
        [(Class::Float, _)] => Some(RetReg::Float),
        [(a, _), (b, _)] => Some(RetReg::Two(*a, *b)),
        _ => None,
    }
}

/// Whether a parameter is an x87 `long double` (x86-64's, class X87: passed in memory,
/// returned in `st0`).
fn is_x87(uni: &Ffi, p: &Param) -> bool {
    cfg!(target_arch = "x86_64") && matches!(p.ty.get(&uni.inner).repr, Repr::LongDouble)
}

/// The first stack word an argument aligned to `align` may take from word `next` on: the next
/// even word for 16 (x86-64 aligns such arguments on the stack, whose first word is 16-byte
/// aligned at the call), `next` itself for at most 8; `None` for more than 16, and for 16
/// elsewhere than x86-64.
fn stack_start(next: usize, align: usize) -> Option<usize> {
    match align {
        0..=8 => Some(next),
        16 if cfg!(target_arch = "x86_64") => Some(next.next_multiple_of(2)),
        _ => None,
    }
}

/// Appends the scalar leaves (offset, size, class) of type `t` at `offset`; `None` for a
/// member that is not a plain number or pointer (`long double`, a bitfield...) or is not
/// aligned to its size. Members of size 0 have no leaves and are not walked, so the walk
/// visits at most a few nodes per byte of a struct of at most 16 bytes, however its types
/// nest (structs of empty structs, arrays of a trillion of them).
fn leaf_classes(
    uni: &Ffi,
    t: TypeRef,
    offset: usize,
    out: &mut Vec<(usize, usize, Class)>,
) -> Option<()> {
    let info = t.get(&uni.inner);
    if info.size() == Some(0) {
        return Some(());
    }
    match &info.repr {
        Repr::Record {
            kind: rcffi_cdef::RecordKind::Struct,
            body: Some(body),
        } => {
            for f in &body.fields {
                if f.bit_width.is_some() {
                    return None;
                }
                leaf_classes(uni, f.ty, offset + f.offset(), out)?;
            }
            Some(())
        }
        Repr::Array { elem, len: Some(n) } => {
            let esize = elem.get(&uni.inner).size()?;
            for i in 0..*n {
                leaf_classes(uni, *elem, offset + i * esize, out)?;
            }
            Some(())
        }
        // A member not aligned to its size (in a packed struct) makes the struct MEMORY class
        // on x86-64: not this path's.
        Repr::Float(4 | 8) if offset.is_multiple_of(info.size()?) => {
            out.push((offset, info.size()?, Class::Float));
            Some(())
        }
        Repr::Int(_) | Repr::Enum { .. } | Repr::Pointer { .. }
            if offset.is_multiple_of(info.size()?) =>
        {
            out.push((offset, info.size()?, Class::Int));
            Some(())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::types::Ffi;

    /// The stack words a function type's register assignment uses, or `None` off the path.
    fn stack_words(decl: &str) -> Option<u8> {
        let ffi = Ffi::default();
        ffi.cdef("typedef struct { long long a, b; } ll2; typedef struct { double x, y; } dd2;")
            .unwrap();
        let func = ffi.parse(decl).unwrap();
        let plan = crate::abi::plan_of(&ffi, func).unwrap();
        plan.native.as_ref().map(|n| n.stack)
    }

    /// A function type's far struct argument and stack words before it, `Err(())` off the
    /// register path.
    fn far_of(decl: &str) -> Result<Option<(u8, u8, u32)>, ()> {
        let ffi = Ffi::default();
        ffi.cdef(
            "typedef struct { char c[600]; } b600; typedef struct { long long v[40]; } w320;
             typedef struct __attribute__((aligned(16))) { char c[520]; } a520;
             typedef struct { long long v[16]; } w128; typedef struct { char c[136]; } w136;",
        )
        .unwrap();
        let plan = crate::abi::plan_of(&ffi, ffi.parse(decl).unwrap()).unwrap();
        let n = plan.native.as_ref().ok_or(())?;
        Ok(n.far.map(|f| (f.arg, f.word, f.size)))
    }

    #[test]
    #[cfg_attr(miri, ignore = "builds libffi interfaces")]
    fn one_struct_past_the_stack_words_is_copied_from_its_memory() {
        if !cfg!(target_arch = "x86_64") || !super::SUPPORTED {
            return;
        }
        // Alone; after one of 320 bytes (40 words) and another that no longer fits; after an
        // odd number of words, aligned to 16; with registers after it.
        assert_eq!(far_of("int(b600, int, double)"), Ok(Some((0, 0, 600))));
        assert_eq!(far_of("w320(w320, w320)"), Ok(Some((1, 40, 320))));
        assert_eq!(
            far_of("int(int, int, int, int, int, int, int, a520, double)"),
            Ok(Some((7, 2, 528)))
        );
        // Nothing on the stack after it, one per call, and no `st0` result: libffi's path.
        assert_eq!(
            far_of("int(b600, int, int, int, int, int, int, int)"),
            Err(())
        );
        assert_eq!(far_of("int(b600, b600)"), Err(()));
        assert_eq!(far_of("long double(b600)"), Err(()));
        // Within the words, a struct of more than 16 words last on the stack (its words
        // would be copied twice): the same.
        assert_eq!(far_of("int(w320, int)"), Ok(Some((0, 0, 320))));
        assert_eq!(
            far_of("int(int, int, int, int, int, int, int, w136)"),
            Ok(Some((7, 1, 136)))
        );
        // Of 16 words, or with a stack argument after it: in the words.
        assert_eq!(far_of("int(w128, int)"), Ok(None));
        assert_eq!(
            far_of("int(w320, int, int, int, int, int, int, int)"),
            Ok(None)
        );
    }

    #[test]
    #[cfg_attr(miri, ignore = "builds libffi interfaces")]
    fn arguments_past_the_registers_take_stack_words() {
        if !super::SUPPORTED {
            return;
        }
        let ints = |n: usize| format!("int({})", vec!["int"; n].join(", "));
        let doubles = |n: usize| format!("double({})", vec!["double"; n].join(", "));
        assert_eq!(stack_words(&ints(super::INT_REGS)), Some(0));
        assert_eq!(stack_words(&ints(super::INT_REGS + 1)), Some(1));
        assert_eq!(stack_words(&ints(16)), Some((16 - super::INT_REGS) as u8));
        assert_eq!(stack_words(&doubles(10)), Some(2));
        if cfg!(target_arch = "x86_64") {
            // A struct needing two integer registers when one is left goes to the stack whole;
            // the int after it takes the register left.
            assert_eq!(
                stack_words("long long(int, int, int, int, int, ll2, int)"),
                Some(2)
            );
            assert_eq!(
                stack_words(
                    "double(double, double, double, double, double, double, double, dd2, double)"
                ),
                Some(2)
            );
        }
        // An x87 `long double` takes two stack words (x86-64); elsewhere (a binary128 in a
        // vector register on AArch64) libffi's path.
        let ld = stack_words("long double(long double)");
        assert_eq!(ld, cfg!(target_arch = "x86_64").then_some(2));
    }
}

//! One parameter (or the result) of a signature: how its argument converts ([`Conv`]), what a
//! pointer parameter holds (text, its item's size, the out-slots C may write pointers into),
//! and which plain Rust arguments it takes as they are ([`Param::holds`]). Built once per
//! function type, with its call plan (`abi::plan`).

use super::ffitype::Position;
use crate::error::{Error, Result};
use crate::mem::Fast;
use crate::types::{Ffi, IntRole, Repr, TypeInfo, TypeRef};

/// How an argument is converted.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Conv {
    /// A plain number (direct path).
    Fast(Fast),
    /// Another scalar (`char`, `_Bool`, wide characters, enums, `long double`).
    Scalar,
    /// A pointer.
    Pointer,
    /// A struct by value.
    Struct,
    /// No value (`void` results only).
    Void,
}

/// One parameter (or the result) of a signature.
#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) ty: TypeRef,
    pub(crate) conv: Conv,
    pub(crate) size: usize,
    pub(crate) align: usize,
    /// A pointer to `char`-like items or `void`: strings and bytes become C strings.
    pub(crate) text: bool,
    /// For a pointer, the size of what it points to, when known.
    pub(crate) item_size: Option<usize>,
    /// For a pointer to pointers (`char **endptr`) or to a struct with pointer members
    /// (`struct passwd *`): the offsets of those pointers, where C may write pointers into
    /// the call's other arguments (`call::adopt`).
    pub(crate) out: Box<[usize]>,
    /// The plain Rust arguments this parameter takes without a check, by `Fast as u16` as bit
    /// index for the number kinds ([`Fast::takes_mask`](crate::mem::Fast::takes_mask)),
    /// [`C_STRING_BIT`] for a C string's address and [`TEXT_BIT`] for a copy of text (a
    /// pointer to text), [`C_DATA_BIT`] for a cdata's address (a pointer that is neither an
    /// out-parameter nor a function pointer), [`BOOL_BIT`] for a `bool` (a `_Bool`),
    /// [`ITEMS_BIT`] for a copy of Rust numbers (a pointer to the number type [`Param::items`]
    /// names), [`LENT_BIT`] for Rust numbers lent in place (of a type [`Param::lends`] has):
    /// a tuple of such arguments goes straight into its registers (`call::plain`).
    pub(crate) holds: u16,
    /// For a pointer to a plain number type (`int *`, `const double *`, `size_t *`) that
    /// takes a cdata: that type, whose Rust numbers (a slice, array or vector) the direct path
    /// copies as they are ([`ITEMS_BIT`]).
    pub(crate) items: Option<Fast>,
    /// For a pointer that takes a cdata: the Rust number types (bit `Fast as u16`) whose
    /// numbers it takes lent in place (`&mut [T]`, `&mut T`: [`InPlace`](crate::InPlace)) —
    /// its pointee's own number type, `u8` and `i8` for a pointer to bytes (`char`, `unsigned
    /// char`, `int8_t`...), every number type for a `void *`.
    pub(crate) lends: u16,
    /// Whether a value's number passes for this parameter in one integer or floating register
    /// word: a plain number, or a scalar of one integer word (`char`, `_Bool`, a wide
    /// character, an enum of at most 8 bytes — not `__int128`, a complex number or a `long
    /// double`). A tuple of values takes the direct path for such parameters
    /// (`call::plain::value_words`).
    pub(crate) value_word: bool,
    /// The scalars a call passes or returns without looking their type up
    /// ([`Scalar::result`], `call::plain::other_value`).
    pub(crate) scalar: Scalar,
    /// Whether a result of this type is one integer or floating register's word that the
    /// direct path writes where its caller takes it (`call::plain::word_in_registers`): a
    /// plain number, a pointer, or a scalar of one integer word ([`Param::value_word`]).
    pub(crate) one_word: bool,
}

/// A scalar that is not a plain number, which a call passes or returns without looking its
/// type up: found once, when the plan is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// Any other type (its conversion looks the type up).
    Other,
    /// A one-byte `char` (cffi's `bytes` of length 1 in and out), of this signedness.
    Char { signed: bool },
    /// A `_Bool`.
    Bool,
    /// An `__int128` (`signed`) or `unsigned __int128`, in two registers.
    Int128 { signed: bool },
}

impl Scalar {
    /// The result of this kind in registers `words` (low first): a `char`'s byte, a `_Bool` of
    /// 0 or 1, an `__int128` (unsigned past `i128::MAX`: `Value::UInt`, as `int_value` makes
    /// it); `None` for the rest (another `_Bool` byte converts as one read from memory does).
    #[inline(always)]
    pub(crate) fn result(self, words: [u64; 2]) -> Option<crate::data::Value> {
        use crate::data::Value;
        match self {
            Scalar::Char { .. } => Some(Value::Bytes(crate::data::Bytes::one(words[0] as u8))),
            Scalar::Bool if words[0] as u8 <= 1 => Some(Value::Bool(words[0] as u8 == 1)),
            Scalar::Int128 { signed } => {
                let bits = u128::from(words[0]) | (u128::from(words[1]) << 64);
                let i = bits as i128;
                Some(if i < 0 && !signed {
                    Value::UInt(bits)
                } else {
                    Value::Int(i)
                })
            }
            _ => None,
        }
    }
}

impl Param {
    /// Whether this parameter takes Rust numbers of type `f` lent in place
    /// ([`Param::lends`]).
    #[inline(always)]
    pub(crate) fn lends_to(&self, f: Fast) -> bool {
        self.lends & f.bit() != 0
    }
}

/// The bit of [`Param::holds`] for a C string passed as its address (after the ten `Fast`
/// kinds' bits).
pub(crate) const C_STRING_BIT: u8 = 10;

/// The bit of [`Param::holds`] for a cdata passed as its address, once its type passes
/// cffi's rules for the parameter (checked at each call: `call::plain_native`).
pub(crate) const C_DATA_BIT: u8 = 11;

/// The bit of [`Param::holds`] for text (a `&str` or bytes) passed as the address of a
/// NUL-terminated copy in the call's stack area (a pointer to text).
pub(crate) const TEXT_BIT: u8 = 12;

/// The bit of [`Param::holds`] for a Rust `bool` passed as 0 or 1, the register word of a C
/// `_Bool` (zero-extended, as the conventions want it).
pub(crate) const BOOL_BIT: u8 = 13;

/// The bit of [`Param::holds`] for Rust numbers of [`Param::items`]' type (a slice, array or
/// vector), passed as the address of a copy of them in the call's stack area, or on the heap
/// when they do not fit there (what cffi's list for a `T *` is: a temporary array).
pub(crate) const ITEMS_BIT: u8 = 14;

/// The bit of [`Param::holds`] for Rust numbers lent in place (a `&mut [T]` or `&mut T` of a
/// type in [`Param::lends`]), passed as their own address.
pub(crate) const LENT_BIT: u8 = 15;

/// How values of type `t` convert at `pos`.
pub(super) fn param(uni: &Ffi, t: TypeRef, pos: Position) -> Result<Param> {
    let info = t.get(&uni.inner);
    let conv = match &info.repr {
        Repr::Void => Conv::Void,
        _ if info.fast.is_some() => Conv::Fast(info.fast.unwrap_or(Fast::I32)),
        Repr::Int(_) | Repr::Enum { .. } | Repr::Float(_) | Repr::LongDouble => Conv::Scalar,
        // At most 16 bytes, converted as a `[re, im]` pair (`ffitype` says which are passed).
        Repr::Complex(n) if *n <= 8 => Conv::Scalar,
        // `long double _Complex`: 32 bytes, moved as a struct's are (a cdata result, kept
        // exact as a `long double` result is; any `[re, im]` initializer as an argument).
        Repr::Complex(_) => Conv::Struct,
        Repr::Pointer { .. } => Conv::Pointer,
        Repr::Record { .. } => Conv::Struct,
        _ => {
            return Err(Error::Unsupported(
                format!("ctype '{}' not supported as {pos}", info.name).into(),
            ));
        }
    };
    let (size, align) = info.layout.unwrap_or((0, 1));
    // What a pointer parameter points to.
    let pointee = match conv {
        Conv::Pointer => uni.pointee(info).map(|p| p.get(&uni.inner)),
        _ => None,
    };
    let text = pointee
        .is_some_and(|p| crate::data::convert::is_char_like(p) || matches!(p.repr, Repr::Void));
    let item_size = pointee.and_then(|p| p.size());
    let out = pointee.map_or_else(Box::default, |p| out_slots(uni, p));
    let mut items = None;
    let mut lends = 0;
    let holds = match conv {
        Conv::Fast(f) => f.takes_mask(),
        // A C string for a `char *` (or `void *`, `signed`/`unsigned char *`): its address, as
        // `call::invoke` passes one; a cdata for a pointer — to data or a function (a
        // callback, around whose call the direct path enters the run `callback::running`
        // needs) — that is not an out-parameter (what C stores there is adopted after the
        // call: `call::adopt` needs the whole argument list).
        Conv::Pointer => {
            let data = out.is_empty();
            // Rust numbers of the pointee's own number type: a copy, as the converting path's
            // temporary array holds them.
            items = pointee.and_then(|p| p.fast).filter(|_| data);
            // Rust numbers lent in place: the pointee's own type, bytes, or anything.
            lends = match pointee {
                Some(_) if !data => 0,
                Some(p) if matches!(p.repr, Repr::Void) => {
                    Fast::ALL.iter().fold(0, |m, f| m | f.bit())
                }
                Some(p) if crate::data::convert::is_char_like(p) => Fast::I8.bit() | Fast::U8.bit(),
                Some(p) => p.fast.map_or(0, Fast::bit),
                None => 0,
            };
            (u16::from(text) << C_STRING_BIT)
                | (u16::from(text) << TEXT_BIT)
                | (u16::from(data) << C_DATA_BIT)
                | (u16::from(items.is_some()) << ITEMS_BIT)
                | (u16::from(lends != 0) << LENT_BIT)
        }
        // A `bool` for a `_Bool`: 0 or 1, what the converting path passes for it.
        Conv::Scalar if matches!(info.repr, Repr::Int(k) if k.role == IntRole::Bool) => {
            1 << BOOL_BIT
        }
        _ => 0,
    };
    let value_word = match conv {
        Conv::Fast(_) => true,
        Conv::Scalar => size <= 8 && matches!(info.repr, Repr::Int(_) | Repr::Enum { .. }),
        _ => false,
    };
    let scalar = match info.repr {
        Repr::Int(k) if k.role == IntRole::Char && k.bytes == 1 => {
            Scalar::Char { signed: k.signed }
        }
        Repr::Int(k) if k.role == IntRole::Bool => Scalar::Bool,
        Repr::Int(k) if k.bytes == 16 && k.role == IntRole::Number => {
            Scalar::Int128 { signed: k.signed }
        }
        _ => Scalar::Other,
    };
    Ok(Param {
        scalar,
        one_word: value_word || conv == Conv::Pointer,
        value_word,
        ty: t,
        conv,
        size,
        align,
        text,
        item_size,
        out,
        holds,
        items,
        lends,
    })
}

/// The offsets of the pointers in `target`, what a pointer parameter points to: one pointer,
/// or a struct's pointer members (at most [`MAX_OUT_SLOTS`]).
fn out_slots(uni: &Ffi, target: &TypeInfo) -> Box<[usize]> {
    if target.is_pointer() {
        return Box::new([0]);
    }
    match target.record_body() {
        Some(body) => body
            .fields
            .iter()
            .filter(|f| f.bit_width.is_none() && f.ty.get(&uni.inner).is_pointer())
            .map(|f| f.offset())
            .take(MAX_OUT_SLOTS)
            .collect(),
        None => Box::default(),
    }
}

/// The most pointer members of an out-parameter's struct that a call looks at.
const MAX_OUT_SLOTS: usize = 32;

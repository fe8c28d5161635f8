//! Realized types: what the runtime needs to know about a C type, resolved once from the
//! registry so that reads, writes and conversions never take the registry's lock.
//!
//! A [`TypeInfo`] lives in its [`Ffi`](crate::Ffi)'s arena for as long as the
//! universe lives; types refer to each other by [`TypeRef`]. Pointer targets are resolved
//! lazily (a struct may point to itself); types that are incomplete when first realized (an
//! opaque struct completed by a later cdef) are realized again once complete.

use std::sync::OnceLock;

use rcffi_cdef::{CTypeId, RecordKind};

use crate::mem::Fast;
use crate::types::TypeRef;

/// What an integer's bytes mean to conversions.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum IntRole {
    /// An ordinary integer (`int`, `signed char`, `uint8_t`, enums).
    Number,
    /// Plain `char`: a one-byte character, converted to and from bytes (cffi).
    Char,
    /// `wchar_t`, `char16_t`, `char32_t`: a character, converted to and from text.
    Wide,
    /// `_Bool`: 0 or 1.
    Bool,
}

/// An integer type: width, signedness and role.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct IntKind {
    /// Size in bytes (1, 2, 4, 8 or 16).
    pub(crate) bytes: u8,
    /// Whether the type is signed.
    pub(crate) signed: bool,
    /// How conversions treat it.
    pub(crate) role: IntRole,
}

impl IntKind {
    /// The smallest and largest value (C's rule, as the cdef's constant arithmetic has it).
    #[inline]
    pub(crate) fn range(self) -> (i128, i128) {
        if self.role == IntRole::Bool {
            return (0, 1);
        }
        rcffi_cdef::IntTy::new(self.bytes * 8, self.signed).range()
    }

    /// Reduces `v` modulo 2^bits into the type's range (C's conversion to an integer type).
    pub(crate) fn wrap(self, v: i128) -> i128 {
        if self.role == IntRole::Bool {
            return (v != 0) as i128;
        }
        let bits = u32::from(self.bytes) * 8;
        if bits >= 128 {
            return v;
        }
        if bits <= 64 {
            // In one word (128-bit masks and shifts take several instructions each): the low
            // 64 bits are `v` modulo 2^64; shifted up and back, they keep the low `bits`,
            // sign- or zero-extended.
            let s = 64 - bits;
            let low = v as u64;
            return if self.signed {
                (((low << s) as i64) >> s) as i128
            } else {
                ((low << s) >> s) as i128
            };
        }
        let u = v & ((1i128 << bits) - 1);
        if self.signed && u >> (bits - 1) != 0 {
            u - (1i128 << bits)
        } else {
            u
        }
    }
}

/// A member of a record as conversions see it: cffi's flattened list (members of anonymous
/// members in their place, unnamed bitfields left out).
#[derive(Debug)]
pub(crate) struct FieldRt {
    /// The member name.
    pub(crate) name: Box<str>,
    /// The name's first 8 bytes and its length: compares a whole short name at once.
    pub(crate) key: (u64, usize),
    /// The member type.
    pub(crate) ty: TypeRef,
    /// Offset of the first bit from the start of the record.
    pub(crate) offset_bits: usize,
    /// Bitfield width, for bitfields.
    pub(crate) bit_width: Option<u32>,
    /// cffi's flag: a union member after the first, which list initializers skip.
    pub(crate) skip_in_list: bool,
    /// The direct read/write path, for a member that is a plain number (not a bitfield).
    pub(crate) fast: Option<Fast>,
}

/// The first 8 bytes of a name (zero-padded) and its length.
#[inline]
pub(super) fn name_key(name: &str) -> (u64, usize) {
    let b = name.as_bytes();
    // Shifts, not a byte copy: a copy of a variable length becomes a memcpy call and a
    // stalled reload. (Overlapping word loads measured slower for the short names structs
    // have.)
    let mut k = 0u64;
    for (i, c) in b.iter().take(8).enumerate() {
        k |= u64::from(*c) << (8 * i);
    }
    (k, b.len())
}

impl FieldRt {
    /// Byte offset of the member (of its first byte, for bitfields).
    pub(crate) fn offset(&self) -> usize {
        self.offset_bits / 8
    }
}

/// The complete part of a struct or union.
#[derive(Debug)]
pub(crate) struct RecordBody {
    /// The members, flattened.
    pub(crate) fields: Vec<FieldRt>,
}

impl RecordBody {
    /// The member of this name.
    #[inline]
    pub(crate) fn field(&self, name: &str) -> Option<&FieldRt> {
        let key = name_key(name);
        self.fields.iter().find(|f| {
            f.key == key && (key.1 <= 8 || f.name.as_bytes()[8..] == name.as_bytes()[8..])
        })
    }
}

/// The kinds of realized types.
#[derive(Debug)]
pub(crate) enum Repr {
    /// `void`.
    Void,
    /// An integer, character or `_Bool`.
    Int(IntKind),
    /// An IEEE float of this many bytes (2, 4, 8, 16).
    Float(u8),
    /// x87 extended precision in 16 bytes (x86-64 `long double`).
    LongDouble,
    /// A complex number of two parts of this many bytes each.
    Complex(u8),
    /// An enum: its integer representation and its values.
    Enum {
        /// The underlying integer.
        int: IntKind,
        /// The enumerators in declaration order.
        items: Box<[(Box<str>, i128)]>,
    },
    /// A pointer; the target is resolved on first use.
    Pointer {
        /// The pointed-to type.
        target: CTypeId,
        /// The realized target, once complete.
        resolved: OnceLock<TypeRef>,
    },
    /// An array; `len` is `None` for `T[]`.
    Array {
        /// The element type.
        elem: TypeRef,
        /// The length.
        len: Option<usize>,
    },
    /// A function type (the target of function pointers), with its call plan once built.
    Function {
        /// How calls of this type convert and pass their arguments (built at the first call).
        plan: PlanSlot,
    },
    /// A struct or union. `body` is `None` while it is opaque or its layout unknown.
    Record {
        /// Struct or union.
        kind: RecordKind,
        /// The members.
        body: Option<RecordBody>,
    },
    /// A type of unknown size that is not a record (`typedef int... t;`).
    Opaque,
}

/// A realized C type.
#[derive(Debug)]
pub(crate) struct TypeInfo {
    /// The registry id.
    pub(crate) id: CTypeId,
    /// The id of the universe (the `ffi` object) whose arena holds this type: a registry id
    /// means something only there.
    pub(super) universe: u64,
    /// The same universe, as an `Ffi` (for a [`HeldType`](crate::types::HeldType)).
    pub(super) home: crate::types::arena::Home,
    /// The C name, as cffi prints it.
    pub(crate) name: Box<str>,
    /// Size and alignment, when known.
    pub(crate) layout: Option<(usize, usize)>,
    /// The kind, with what conversions need.
    pub(crate) repr: Repr,
    /// The direct read/write path of plain numbers.
    pub(crate) fast: Option<Fast>,
    /// The types made from this one at run time (`T *` for `a + 1` and `addressof`, `T[]`
    /// for slices), once asked for: found again without the registry's lock.
    pub(crate) derived: Derived,
}

/// The types derived from a realized type, each made once.
#[derive(Debug, Default)]
pub(crate) struct Derived {
    /// `T *`.
    pub(crate) pointer: OnceLock<TypeRef>,
    /// `T[]`.
    pub(crate) open_array: OnceLock<TypeRef>,
}

/// The direct path for a type, if it has one: integers that read as numbers (not `char`, wide
/// characters or `_Bool`), enums (read as their integer; an enumerator's name, which only the
/// general path converts, makes the direct paths fall back to it), `float` and `double`.
pub(super) fn fast_of(repr: &Repr) -> Option<Fast> {
    Some(match repr {
        Repr::Int(k) | Repr::Enum { int: k, .. } if k.role == IntRole::Number => {
            return Fast::int(usize::from(k.bytes), k.signed);
        }
        Repr::Float(4) => Fast::F32,
        Repr::Float(8) => Fast::F64,
        _ => return None,
    })
}

/// Where a function type keeps its call plan, built by the call floor the first time the type is
/// called: this floor cannot name the plan's type (it is above), so it holds it as `Any`.
pub(crate) type PlanSlot = OnceLock<Box<dyn std::any::Any + Send + Sync>>;

impl TypeInfo {
    /// Whether `other` is the same C type: the same id in the same universe (types of two
    /// `ffi` objects are never the same, as in cffi).
    #[inline]
    pub(crate) fn same_type(&self, other: &TypeInfo) -> bool {
        self.id == other.id && self.universe == other.universe
    }

    /// `sizeof`, when known.
    pub(crate) fn size(&self) -> Option<usize> {
        self.layout.map(|l| l.0)
    }

    /// Whether everything about this type is known (size, members). Incomplete types are
    /// realized again when asked for after a later cdef.
    pub(super) fn is_complete(&self) -> bool {
        self.layout.is_some()
    }

    /// The integer representation of integers, characters, `_Bool` and enums.
    pub(crate) fn int_kind(&self) -> Option<IntKind> {
        match &self.repr {
            Repr::Int(k) => Some(*k),
            Repr::Enum { int, .. } => Some(*int),
            _ => None,
        }
    }

    /// Whether this is a pointer (to data or to a function).
    pub(crate) fn is_pointer(&self) -> bool {
        matches!(self.repr, Repr::Pointer { .. })
    }

    /// Whether a cdata of this type is held by address (a pointer, function, array, struct,
    /// union, an object of unknown size, or a `long double _Complex`, which does not fit in
    /// 16 bytes) rather than by its value's bytes (numbers, characters, enums, complex
    /// numbers of up to 16 bytes).
    #[inline]
    pub(crate) fn by_address(&self) -> bool {
        !matches!(
            self.repr,
            Repr::Int(_)
                | Repr::Float(_)
                | Repr::LongDouble
                | Repr::Enum { .. }
                | Repr::Complex(..=8)
        )
    }

    /// The record body of a complete struct or union.
    pub(crate) fn record_body(&self) -> Option<&RecordBody> {
        match &self.repr {
            Repr::Record { body, .. } => body.as_ref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{IntKind, IntRole, name_key};

    /// C's conversion to each integer width: `v` modulo 2^bits, into the type's range —
    /// checked against the definition (the 128-bit arithmetic) on values around every edge.
    #[test]
    fn wrapping_is_reduction_modulo_2_pow_bits() {
        let reference = |k: IntKind, v: i128| -> i128 {
            let bits = u32::from(k.bytes) * 8;
            if bits >= 128 {
                return v;
            }
            let u = v & ((1i128 << bits) - 1);
            if k.signed && u >> (bits - 1) != 0 {
                u - (1i128 << bits)
            } else {
                u
            }
        };
        let mut values = vec![0i128, 1, -1, i128::MAX, i128::MIN, 42, -42];
        for shift in [7, 8, 15, 16, 31, 32, 63, 64, 65, 100, 126] {
            let p = 1i128 << shift;
            values.extend([p, p - 1, p + 1, -p, -p - 1, -p + 1]);
        }
        for bytes in [1u8, 2, 4, 8, 16] {
            for signed in [false, true] {
                let k = IntKind {
                    bytes,
                    signed,
                    role: IntRole::Number,
                };
                for &v in &values {
                    assert_eq!(k.wrap(v), reference(k, v), "{bytes} bytes, {signed}, {v}");
                }
            }
        }
    }

    #[test]
    fn name_keys_are_the_first_eight_bytes_zero_padded() {
        let text = "abcdefghijklmnop";
        for n in 0..=text.len() {
            let name = &text[..n];
            let mut want = 0u64;
            for (i, c) in name.bytes().take(8).enumerate() {
                want |= u64::from(c) << (8 * i);
            }
            assert_eq!(name_key(name), (want, n), "{name:?}");
        }
    }
}

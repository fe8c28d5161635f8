//! Sizes, alignments and member offsets, as gcc computes them.
//!
//! Bits inside, bytes in the API (repr-c's habit): record layout works in bits so that
//! bitfields need no special units, and [`RecordLayout`] reports both.
//!
//! Every rule below names the grammar-test that shows gcc agreeing with it; the gcc oracle in
//! `rcffi-testkit` checks those files, real system headers and thousands of generated records.

use std::collections::HashMap;

use foldhash::fast::RandomState;
use std::fmt;

use crate::ctype::{CTypeId, CTypeKind, RecordId, RecordKind};
use crate::registry::Registry;
use crate::target::Target;

/// Size and alignment of a type, in bytes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeLayout {
    /// `sizeof`.
    pub size: u64,
    /// `_Alignof`.
    pub align: u64,
}

/// The layout of a struct or union.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordLayout {
    /// `sizeof` the record, in bytes.
    pub size: u64,
    /// `_Alignof` the record, in bytes.
    pub align: u64,
    /// One entry per declared member ([`crate::Record::fields`]), in the same order.
    pub fields: Vec<FieldLayout>,
}

/// Where one member of a record lives.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// Offset of the first bit of the member from the start of the record.
    pub offset_bits: u64,
    /// Bitfield details, for bitfields (including unnamed ones and `:0`).
    pub bitfield: Option<BitfieldLayout>,
}

impl FieldLayout {
    /// Offset in bytes: of the member, or for a bitfield of its storage unit (cffi's
    /// `CField.offset`).
    pub fn offset(&self) -> u64 {
        match self.bitfield {
            Some(b) => b.unit_offset,
            None => self.offset_bits / 8,
        }
    }
}

/// Where a bitfield's bits are, in cffi's terms: a storage unit of the declared type's size,
/// and a shift and width inside it (little-endian bit numbering).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BitfieldLayout {
    /// Width in bits.
    pub width: u32,
    /// Byte offset of the storage unit holding the field.
    pub unit_offset: u64,
    /// Size of the storage unit in bytes (the size of the declared type, or less when a packed
    /// field crosses a unit boundary and only bytes can hold it).
    pub unit_size: u64,
    /// The field's lowest bit within the storage unit.
    pub shift: u32,
}

/// Why a type has no layout. These surface when a type is *used* (sizeof, new), not when it
/// is declared, as in cffi.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// A struct, union or enum that is only declared, `void`, or `T[]`: cffi's
    /// `ctype 'struct foo' is of unknown size`.
    Unsized {
        /// The type's C name.
        ty: String,
    },
    /// A function type has no size.
    Function {
        /// The type's C name.
        ty: String,
    },
    /// A struct declared with cffi's `...`: its real layout is only known to a compiler.
    Partial {
        /// The type's C name.
        ty: String,
    },
    /// A `typedef int... t;` number type: its size is only known to a compiler.
    UnknownNumber {
        /// The typedef name.
        ty: String,
    },
    /// A struct that contains itself by value.
    Recursive {
        /// The type's C name.
        ty: String,
    },
    /// A member whose type has no layout.
    Field {
        /// The record's C name.
        record: String,
        /// The member name.
        field: String,
        /// Why the member's type has no layout.
        cause: Box<LayoutError>,
    },
    /// An array whose elements are more aligned than they are big (`aligned` typedefs), which
    /// gcc rejects.
    ArrayAlign {
        /// The element type's C name.
        elem: String,
    },
    /// An array too big to have a size in bytes.
    TooBig {
        /// The type's C name.
        ty: String,
    },
    /// Internal: a record seen during a cdef before its layout was stored.
    NotReady,
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::Unsized { ty } => write!(f, "ctype '{ty}' is of unknown size"),
            LayoutError::Function { ty } => {
                write!(f, "ctype '{ty}' is a function type and has no size")
            }
            LayoutError::Partial { ty } => write!(
                f,
                "{ty}: declared with '...', so its layout is only known after compilation \
                 (cffi's API mode); rcffi cannot lay it out"
            ),
            LayoutError::UnknownNumber { ty } => {
                write!(f, "type '{ty}' can only be used after compilation")
            }
            LayoutError::Recursive { ty } => {
                write!(f, "recursive structure declaration for '{ty}'")
            }
            LayoutError::Field {
                record,
                field,
                cause,
            } => match &**cause {
                LayoutError::Unsized { ty } => write!(
                    f,
                    "field '{record}.{field}' has ctype '{ty}' of unknown size"
                ),
                other => write!(f, "field '{record}.{field}': {other}"),
            },
            LayoutError::ArrayAlign { elem } => write!(
                f,
                "alignment of array elements ('{elem}') is greater than element size"
            ),
            LayoutError::TooBig { ty } => write!(f, "ctype '{ty}' is too large"),
            LayoutError::NotReady => write!(f, "layout not computed yet"),
        }
    }
}

impl std::error::Error for LayoutError {}

fn align_up(v: u64, a: u64) -> u64 {
    if a <= 1 { v } else { v.div_ceil(a) * a }
}

/// The largest object rcffi lays out, in bytes (arrays and records alike): sizes and offsets in
/// bits then fit a `u64` with room for one more addition, and every sum is checked anyway.
pub const MAX_OBJECT_BYTES: u64 = 1 << 60;

/// `v`, if it is a bit count of an object rcffi can lay out (`None`: it overflowed).
fn bounded_bits(v: Option<u64>) -> Option<u64> {
    v.filter(|b| *b <= MAX_OBJECT_BYTES * 8)
}

/// Layout of any type; `record` gives the size and alignment of records.
pub(crate) fn type_layout(
    reg: &Registry,
    id: CTypeId,
    record: &mut dyn FnMut(RecordId) -> Result<TypeLayout, LayoutError>,
) -> Result<TypeLayout, LayoutError> {
    let t = &reg.target;
    match reg.kind(id) {
        CTypeKind::Void => Err(LayoutError::Unsized { ty: reg.cname(id) }),
        CTypeKind::Prim(p) => {
            let (size, align) = t.prim_size_align(*p);
            Ok(TypeLayout { size, align })
        }
        CTypeKind::Pointer(_) => Ok(TypeLayout {
            size: t.pointer_size(),
            align: t.pointer_size(),
        }),
        CTypeKind::Array { elem, len } => {
            let Some(len) = len else {
                return Err(LayoutError::Unsized { ty: reg.cname(id) });
            };
            let e = type_layout(reg, *elem, record)?;
            if e.size % e.align != 0 && *len > 0 {
                return Err(LayoutError::ArrayAlign {
                    elem: reg.cname(*elem),
                });
            }
            let size = e
                .size
                .checked_mul(*len)
                .ok_or_else(|| LayoutError::TooBig { ty: reg.cname(id) })?;
            if size > MAX_OBJECT_BYTES {
                return Err(LayoutError::TooBig { ty: reg.cname(id) });
            }
            Ok(TypeLayout {
                size,
                align: e.align,
            })
        }
        CTypeKind::Function(_) => Err(LayoutError::Function { ty: reg.cname(id) }),
        CTypeKind::Record(rid) => record(*rid),
        CTypeKind::Enum(eid) => {
            let e = reg.enum_def(*eid);
            if e.partial {
                return Err(LayoutError::Partial { ty: reg.cname(id) });
            }
            let (size, align) = t.prim_size_align(e.underlying);
            Ok(TypeLayout { size, align })
        }
        CTypeKind::Aligned { base, align, .. } => {
            let b = type_layout(reg, *base, record)?;
            Ok(TypeLayout {
                size: b.size,
                align: *align,
            })
        }
        CTypeKind::UnknownNumber { name, .. } => Err(LayoutError::UnknownNumber {
            ty: name.to_string(),
        }),
        // gcc: the items' size; placed at the alignment of that size on x86-64 (where C's
        // `_Alignof` still reports at most 16: `Registry::alignof`), at most 16 on AArch64.
        CTypeKind::Vector { elem, len } => {
            let e = type_layout(reg, *elem, record)?;
            let size = e
                .size
                .checked_mul(*len)
                .filter(|s| *s <= MAX_OBJECT_BYTES)
                .ok_or_else(|| LayoutError::TooBig { ty: reg.cname(id) })?;
            let align = match t.arch {
                crate::target::Arch::X86_64 => size.max(1),
                crate::target::Arch::AArch64 => size.clamp(1, 16),
            };
            Ok(TypeLayout { size, align })
        }
    }
}

/// Computes record layouts, reusing stored ones and detecting records that contain themselves.
struct Computer<'r> {
    reg: &'r Registry,
    memo: HashMap<RecordId, Result<TypeLayout, LayoutError>, RandomState>,
    active: Vec<RecordId>,
}

impl Computer<'_> {
    fn record(&mut self, rid: RecordId) -> Result<TypeLayout, LayoutError> {
        if let Some(Ok(l)) = self.reg.cached_layout(rid) {
            return Ok(TypeLayout {
                size: l.size,
                align: l.align,
            });
        }
        if let Some(r) = self.memo.get(&rid) {
            return r.clone();
        }
        let result = self.full_record(rid).map(|l| TypeLayout {
            size: l.size,
            align: l.align,
        });
        self.memo.insert(rid, result.clone());
        result
    }

    fn full_record(&mut self, rid: RecordId) -> Result<RecordLayout, LayoutError> {
        if self.active.contains(&rid) {
            return Err(LayoutError::Recursive {
                ty: self.reg.record(rid).display.to_string(),
            });
        }
        self.active.push(rid);
        let result = record_layout(self, rid);
        self.active.pop();
        result
    }

    fn type_layout(&mut self, id: CTypeId) -> Result<TypeLayout, LayoutError> {
        let reg = self.reg;
        type_layout(reg, id, &mut |rid| self.record(rid))
    }
}

/// The layout of a record on the registry's target, computing any records it contains.
pub(crate) fn compute_record_cached(
    reg: &Registry,
    rid: RecordId,
) -> Result<RecordLayout, LayoutError> {
    let mut c = Computer {
        reg,
        memo: HashMap::default(),
        active: Vec::new(),
    };
    c.full_record(rid)
}

/// The layout of any type during a cdef, before layouts are stored.
pub(crate) fn compute_type(reg: &Registry, id: CTypeId) -> Result<TypeLayout, LayoutError> {
    let mut c = Computer {
        reg,
        memo: HashMap::default(),
        active: Vec::new(),
    };
    c.type_layout(id)
}

/// gcc's `excess_unit_span`: would a bitfield of `width` bits at `offset` span more units of
/// the type's alignment than the type itself does?
fn excess_unit_span(offset: u64, width: u64, align: u64, type_bits: u64) -> bool {
    let off = offset % align;
    (off + width).div_ceil(align) > type_bits / align
}

/// The layout of one record, following gcc's `stor-layout.cc` for SysV targets
/// (`PCC_BITFIELD_TYPE_MATTERS`).
fn record_layout(c: &mut Computer<'_>, rid: RecordId) -> Result<RecordLayout, LayoutError> {
    let reg = c.reg;
    let rec = reg.record(rid);
    let Some(fields) = rec.fields.as_ref() else {
        return Err(LayoutError::Unsized {
            ty: rec.display.to_string(),
        });
    };
    if rec.partial {
        return Err(LayoutError::Partial {
            ty: rec.display.to_string(),
        });
    }
    let target: &Target = &reg.target;
    let is_union = rec.kind == RecordKind::Union;
    // `#pragma pack(N)` is gcc's `maximum_field_alignment`.
    let max_field_align = rec.pack.map(|p| p * 8);
    let mut offset: u64 = 0; // next free bit (structs)
    let mut end: u64 = 0; // largest member end (unions)
    let mut record_align: u64 = 8;
    let mut out = Vec::with_capacity(fields.len());
    let too_big = || LayoutError::TooBig {
        ty: rec.display.to_string(),
    };

    for (i, f) in fields.iter().enumerate() {
        let last = i + 1 == fields.len();
        let field_err = |cause: LayoutError| LayoutError::Field {
            record: rec.display.to_string(),
            field: f.name.as_deref().unwrap_or("<anonymous>").to_string(),
            cause: Box::new(cause),
        };
        let (size_bits, type_align_bits) = match c.type_layout(f.ty) {
            Ok(l) => (l.size * 8, l.align * 8),
            Err(e) => match reg.kind(f.ty) {
                // A flexible array member: no size, the alignment of its element. gcc
                // accepts it last in a struct. See grammar-tests/layout/flexible-array.cdef.
                CTypeKind::Array { elem, len: None } if last && !is_union => {
                    let el = c.type_layout(*elem).map_err(field_err)?;
                    (0, el.align * 8)
                }
                _ => return Err(field_err(e)),
            },
        };
        let packed = f.packed || rec.packed;

        if let Some(width) = f.bit_width {
            let width = u64::from(width);
            if width == 0 {
                // A `:0` aligns the next member to its type and is not influenced by
                // packing: neither `packed` nor `#pragma pack` apply to it.
                // See grammar-tests/layout/bitfield-zero-width-pack.cdef.
                if !is_union {
                    offset = align_up(offset, type_align_bits);
                }
                if target.unnamed_bitfield_affects_align() {
                    record_align = record_align.max(type_align_bits);
                }
                out.push(FieldLayout {
                    offset_bits: if is_union { 0 } else { offset },
                    bitfield: Some(bitfield_unit(offset, 0, size_bits)),
                });
                continue;
            }
            let mut at = if is_union { 0 } else { offset };
            // A bitfield may not span more alignment units of its type than the type does;
            // then it starts at the next unit. Packed fields and `#pragma pack` turn this
            // off. See grammar-tests/layout/bitfield-straddle.cdef and bitfield-pragma-pack.cdef.
            if !packed
                && max_field_align.is_none()
                && excess_unit_span(at, width, type_align_bits, size_bits)
            {
                at = align_up(at, type_align_bits);
            }
            if let Some(a) = f.aligned {
                at = align_up(at, a * 8);
                record_align = record_align.max(a * 8);
            }
            // Named bitfields give the record their type's alignment (capped by packing);
            // unnamed ones do not on x86-64. See grammar-tests/layout/bitfield-unnamed-align.cdef.
            if f.name.is_some() || target.unnamed_bitfield_affects_align() {
                let mut a = type_align_bits;
                if let Some(m) = max_field_align {
                    a = a.min(m);
                } else if packed {
                    a = 8;
                }
                record_align = record_align.max(a);
            }
            out.push(FieldLayout {
                offset_bits: at,
                bitfield: Some(bitfield_unit(at, width, size_bits)),
            });
            if is_union {
                end = end.max(width);
            } else {
                offset = bounded_bits(at.checked_add(width)).ok_or_else(too_big)?;
            }
            continue;
        }

        // An ordinary member: the type's alignment, raised by `aligned(N)` on the member. When
        // packed: 1, or exactly the member's own `aligned(N)` (packing supersedes alignment
        // inherited from the type, but defers to the member's attribute). Capped by
        // `#pragma pack`. See grammar-tests/layout/packed-aligned.cdef.
        let mut a = match (packed, f.aligned) {
            (true, None) => 8,
            (true, Some(ua)) => ua * 8,
            (false, None) => type_align_bits,
            (false, Some(ua)) => type_align_bits.max(ua * 8),
        };
        if let Some(m) = max_field_align {
            a = a.min(m);
        }
        record_align = record_align.max(a);
        if is_union {
            out.push(FieldLayout {
                offset_bits: 0,
                bitfield: None,
            });
            end = end.max(size_bits);
        } else {
            offset = align_up(offset, a);
            out.push(FieldLayout {
                offset_bits: offset,
                bitfield: None,
            });
            offset = bounded_bits(offset.checked_add(size_bits)).ok_or_else(too_big)?;
        }
    }
    if let Some(a) = rec.aligned {
        record_align = record_align.max(a * 8);
    }
    let end = if is_union { end } else { offset };
    // The size is a multiple of the alignment; an empty struct has size 0 in GNU C.
    // See grammar-tests/layout/empty-struct.cdef.
    let size_bits =
        bounded_bits(Some(align_up(align_up(end, 8), record_align))).ok_or_else(too_big)?;
    Ok(RecordLayout {
        size: size_bits / 8,
        align: record_align / 8,
        fields: out,
    })
}

/// cffi's view of a bitfield: the aligned unit of the declared type's size that holds it, or
/// when it crosses such a unit (only packed fields do), the bytes that hold it.
fn bitfield_unit(at: u64, width: u64, type_bits: u64) -> BitfieldLayout {
    let type_bits = type_bits.max(8);
    let unit_start = at / type_bits * type_bits;
    if width == 0 || at + width <= unit_start + type_bits {
        return BitfieldLayout {
            width: width as u32,
            unit_offset: unit_start / 8,
            unit_size: type_bits / 8,
            shift: (at - unit_start) as u32,
        };
    }
    let first = at / 8 * 8;
    let last = (at + width).div_ceil(8) * 8;
    BitfieldLayout {
        width: width as u32,
        unit_offset: first / 8,
        unit_size: (last - first) / 8,
        shift: (at - first) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excess_unit_span_matches_gcc_examples() {
        // `char a; int b:9;` — b at bit 8 fits in the first int.
        assert!(!excess_unit_span(8, 9, 32, 32));
        // `int a:30; int b:5;` — b at bit 30 would cross into the next int.
        assert!(excess_unit_span(30, 5, 32, 32));
        // `char x; long long z:57;` — 8 + 57 > 64.
        assert!(excess_unit_span(8, 57, 64, 64));
    }

    #[test]
    fn bitfield_units() {
        let b = bitfield_unit(8, 9, 32);
        assert_eq!((b.unit_offset, b.unit_size, b.shift), (0, 4, 8));
        let b = bitfield_unit(30, 5, 8);
        assert_eq!((b.unit_offset, b.unit_size, b.shift), (3, 2, 6));
    }
}

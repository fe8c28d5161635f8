//! libffi's description of C types (`middle::Type`), built from realized types — or the reason
//! a type cannot be passed by value.
//!
//! libffi knows scalars, pointers and structs of naturally aligned members. A struct is given
//! to it as its members (nested structs as nested libffi structs, arrays unrolled into their
//! items, which classifies the same on x86-64 and AArch64), and the offsets libffi computes
//! are compared with the registry's layout, level by level: a packed or over-aligned struct,
//! whose layout libffi cannot reproduce, is refused rather than passed wrong. `float _Complex`
//! and `double _Complex` are libffi structs of their two parts (which both ABIs pass alike).
//! `long double _Complex` is libffi's complex type (x86-64 passes it in memory and returns it
//! in `st0`/`st1`; AArch64 as a homogeneous aggregate), and `__int128` libffi's 128-bit integer
//! ([`AbiType::Int128`]). Records with unions, bitfields, packing, over-alignment or 128-bit
//! integers take a proxy of the same ABI class (`proxy`).

use libffi::middle::Type;
use rcffi_cdef::{CTypeId, CTypeKind, PrimRepr, RecordKind, Registry};

use super::cif::AbiType;
use crate::error::{Error, Result};
use crate::types::{Ffi, TypeRef};
use crate::types::{IntRole, Repr, TypeInfo};

/// The largest record passed or returned by value, in bytes: libffi copies an argument onto
/// the stack (on AArch64 too, when it passes it by reference), so a bigger one is refused
/// rather than allowed to overrun the stack; no C interface passes records near this size.
pub(crate) const MAX_BY_VALUE: u64 = 64 * 1024;

/// Where a type is used in a signature, for messages.
#[derive(Copy, Clone, Debug)]
pub(super) enum Position {
    /// Parameter `n` (1-based).
    Arg(usize),
    /// The result.
    Result,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Position::Arg(n) => write!(f, "argument {n}"),
            Position::Result => f.write_str("result"),
        }
    }
}

/// libffi's type for `t` used at `pos` (`void` only as a result).
pub(super) fn ffi_type(uni: &Ffi, t: TypeRef, pos: Position) -> Result<AbiType> {
    let info = t.get(&uni.inner);
    match &info.repr {
        Repr::Void => match pos {
            Position::Result => Ok(Type::void().into()),
            Position::Arg(_) => Err(Error::Type(
                format!("{pos}: a parameter cannot have ctype 'void'").into(),
            )),
        },
        Repr::Record { .. } => record_type(uni, info, pos),
        _ => scalar_type(info).ok_or_else(|| refuse(info, pos, scalar_reason(info))),
    }
}

/// libffi's type for a scalar or pointer, if it has one.
fn scalar_type(info: &TypeInfo) -> Option<AbiType> {
    Some(AbiType::Lib(match &info.repr {
        Repr::Int(k) | Repr::Enum { int: k, .. } if k.bytes == 16 => return Some(AbiType::Int128),
        Repr::Int(k) | Repr::Enum { int: k, .. } => {
            return int_type(k.bytes, k.signed && k.role != IntRole::Bool).map(AbiType::Lib);
        }
        Repr::Float(4) => Type::f32(),
        Repr::Float(8) => Type::f64(),
        Repr::LongDouble => Type::longdouble(),
        // AArch64's `long double` is IEEE binary128: libffi's long double there.
        Repr::Float(16) if cfg!(target_arch = "aarch64") => Type::longdouble(),
        Repr::Pointer { .. } => Type::pointer(),
        Repr::Complex(n) => return complex_type(*n).map(AbiType::Lib),
        _ => return None,
    }))
}

/// A `float _Complex` or `double _Complex` as libffi's struct of its two parts: both ABIs pass
/// and return a complex number of these exactly as that struct (x86-64: one or two SSE
/// eightbytes; AArch64: a homogeneous aggregate of two). `long double _Complex` is libffi's
/// complex type, which x86-64 passes in memory and returns in `st0` and `st1` (no struct does
/// that), and AArch64 as a homogeneous aggregate of two binary128 values.
fn complex_type(part_bytes: u8) -> Option<Type> {
    match part_bytes {
        4 => Some(Type::structure([Type::f32(), Type::f32()])),
        8 => Some(Type::structure([Type::f64(), Type::f64()])),
        16 if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) => {
            Some(Type::complex_longdouble())
        }
        _ => None,
    }
}

fn scalar_reason(info: &TypeInfo) -> String {
    match &info.repr {
        Repr::Int(_) | Repr::Enum { .. } => "libffi has no 128-bit integer type".into(),
        Repr::Float(_) => "libffi has no floating type of this size".into(),
        Repr::Complex(_) => "libffi has no complex type of this size here".into(),
        Repr::Array { .. } => "arrays are passed by pointer in C".into(),
        Repr::Function { .. } => "functions are passed by pointer in C".into(),
        Repr::Opaque if info.layout.is_some() => "vector types are not passed by value yet".into(),
        _ => format!("ctype '{}' is of unknown size", info.name),
    }
}

fn refuse(info: &TypeInfo, pos: Position, why: String) -> Error {
    Error::Unsupported(format!("ctype '{}' not supported as {pos}: {why}", info.name).into())
}

fn record_type(uni: &Ffi, info: &TypeInfo, pos: Position) -> Result<AbiType> {
    let reg = uni.inner.read();
    // A struct of plain members is libffi's own struct; a union, a bitfield, packing,
    // over-alignment or a 128-bit integer anywhere inside takes a proxy of the same ABI class
    // (`proxy`), or is refused with why. (A record of unknown layout keeps the first refusal:
    // it says why.) A record no register can hold goes straight to its proxy, which is then
    // its size and alignment: no libffi member per array item. On AArch64 that includes every
    // record passed by reference, whose proxy keeps alignment 8 (`proxy`).
    let proxied = |size: u64, align: u64| {
        size > 64 || (cfg!(target_arch = "aarch64") && size > 16 && align > 8)
    };
    match reg.layout(info.id) {
        Ok(l) if l.size > MAX_BY_VALUE => {
            return Err(refuse(
                info,
                pos,
                format!(
                    "it is {} bytes, and rcffi passes records of at most {} KiB by value (pass \
                     a pointer)",
                    l.size,
                    MAX_BY_VALUE / 1024
                ),
            ));
        }
        Ok(l) if proxied(l.size, l.align) => {
            return super::proxy::proxy(&reg, info.id, matches!(pos, Position::Result))
                .map_err(|why| refuse(info, pos, why));
        }
        _ => {}
    }
    reg_type(&reg, info.id, info, pos)
        .map(AbiType::Lib)
        .or_else(|first| match reg.layout(info.id) {
            Ok(_) => super::proxy::proxy(&reg, info.id, matches!(pos, Position::Result))
                .map_err(|why| refuse(info, pos, why)),
            Err(_) => Err(first),
        })
}

/// libffi's type for registry type `id`, a member (or the whole) of record `outer`: records
/// become libffi structs of their members (arrays unrolled, nested records nested), checked
/// against the registry's layout.
fn reg_type(reg: &Registry, id: CTypeId, outer: &TypeInfo, pos: Position) -> Result<Type> {
    let base = reg.strip_aligned(id);
    let name = || reg.cname(id);
    match reg.kind(base) {
        CTypeKind::Prim(p) => match reg.target().repr(*p) {
            PrimRepr::Int { bytes, signed } => int_type(bytes, signed),
            PrimRepr::Bool => Some(Type::u8()),
            PrimRepr::Float { bytes: 4 } => Some(Type::f32()),
            PrimRepr::Float { bytes: 8 } => Some(Type::f64()),
            PrimRepr::X87 => Some(Type::longdouble()),
            PrimRepr::Complex { part_bytes, .. } => complex_type(part_bytes),
            PrimRepr::Float { bytes: 16 } if cfg!(target_arch = "aarch64") => {
                Some(Type::longdouble())
            }
            _ => None,
        }
        .ok_or_else(|| {
            refuse(
                outer,
                pos,
                format!("its member of ctype '{}' has no libffi type", name()),
            )
        }),
        CTypeKind::Pointer(_) => Ok(Type::pointer()),
        CTypeKind::Enum(e) => match reg.target().repr(reg.enum_def(*e).underlying) {
            PrimRepr::Int { bytes, signed } => int_type(bytes, signed),
            _ => None,
        }
        .ok_or_else(|| refuse(outer, pos, format!("enum '{}' has no libffi type", name()))),
        CTypeKind::Record(rid) => {
            let rec = reg.record(*rid);
            if rec.kind == RecordKind::Union {
                return Err(refuse(
                    outer,
                    pos,
                    if base == reg.strip_aligned(outer.id) {
                        "libffi has no union type (pass a pointer instead)".into()
                    } else {
                        format!("it contains '{}', and libffi has no union type", name())
                    },
                ));
            }
            let (Some(fields), Ok(layout)) = (&rec.fields, reg.record_layout(*rid)) else {
                return Err(refuse(
                    outer,
                    pos,
                    format!("ctype '{}' is of unknown size", name()),
                ));
            };
            let mut elements = Vec::new();
            let mut offsets = Vec::new();
            let mut end = 0u64;
            let mut natural_align = 1u64;
            for (f, fl) in fields.iter().zip(&layout.fields) {
                if f.bit_width.is_some() {
                    return Err(refuse(
                        outer,
                        pos,
                        "it is a struct with bit fields, which libffi does not support".into(),
                    ));
                }
                let ft = reg.strip_aligned(f.ty);
                let (count, item) = match reg.kind(ft) {
                    CTypeKind::Array { elem, len } => {
                        let n = len.unwrap_or(0);
                        if n == 0 {
                            return Err(refuse(
                                outer,
                                pos,
                                "it ends with a flexible or zero-length array, whose size C \
                                 does not pass"
                                    .into(),
                            ));
                        }
                        (n, *elem)
                    }
                    _ => (1, f.ty),
                };
                let il = reg.layout(item).map_err(Error::from)?;
                for i in 0..count {
                    elements.push(reg_type(reg, item, outer, pos)?);
                    offsets.push((fl.offset() + i * il.size) as usize);
                }
                end = fl.offset() + count * il.size;
                natural_align = natural_align.max(il.align);
            }
            if elements.is_empty() || layout.size == 0 {
                return Err(refuse(
                    outer,
                    pos,
                    "an empty struct has no libffi type".into(),
                ));
            }
            let natural_size = end.div_ceil(natural_align) * natural_align;
            let mut ty = Type::structure(elements);
            let laid = ty
                .struct_offsets(libffi::low::ffi_abi_FFI_DEFAULT_ABI)
                .map_err(|e| refuse(outer, pos, format!("libffi cannot lay it out ({e:?})")))?;
            let (size, align) = reg
                .layout(id)
                .map(|l| (l.size, l.align))
                .unwrap_or((layout.size, layout.align));
            if laid != offsets || natural_size != size || natural_align != align {
                return Err(refuse(
                    outer,
                    pos,
                    "it is packed or over-aligned, and libffi only lays out naturally aligned \
                     structs"
                        .into(),
                ));
            }
            Ok(ty)
        }
        _ => Err(refuse(
            outer,
            pos,
            format!("its member of ctype '{}' has no libffi type", name()),
        )),
    }
}

fn int_type(bytes: u8, signed: bool) -> Option<Type> {
    Some(match (bytes, signed) {
        (1, true) => Type::i8(),
        (1, false) => Type::u8(),
        (2, true) => Type::i16(),
        (2, false) => Type::u16(),
        (4, true) => Type::i32(),
        (4, false) => Type::u32(),
        (8, true) => Type::i64(),
        (8, false) => Type::u64(),
        _ => return None,
    })
}

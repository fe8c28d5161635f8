//! libffi's description of C types (`middle::Type`), built from realized types — or the reason
//! a type cannot be passed by value.
//!
//! libffi knows scalars, pointers and structs of naturally aligned members. A struct is given
//! to it as the flat list of its scalar leaves (nested structs and arrays unrolled, which
//! classifies the same on x86-64 and AArch64), and the offsets libffi computes for that list
//! are compared with the registry's layout: a packed or over-aligned struct, whose layout
//! libffi cannot reproduce, is refused rather than passed wrong. Unions, bitfields, complex
//! numbers and 128-bit integers have no libffi type and are refused with the reason.

use libffi::middle::Type;

use crate::error::{Error, Result};
use crate::typeinfo::{IntRole, Repr, TypeInfo};
use crate::universe::{Ffi, TypeRef};

/// Where a type is used in a signature, for messages.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Position {
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
pub(crate) fn ffi_type(uni: &Ffi, t: TypeRef, pos: Position) -> Result<Type> {
    let info = t.get(&uni.inner);
    match &info.repr {
        Repr::Void => match pos {
            Position::Result => Ok(Type::void()),
            Position::Arg(_) => Err(Error::Type(format!(
                "{pos}: a parameter cannot have ctype 'void'"
            ))),
        },
        Repr::Record { .. } => record_type(uni, info, pos),
        _ => scalar_type(info).ok_or_else(|| refuse(info, pos, scalar_reason(info))),
    }
}

/// libffi's type for a scalar or pointer, if it has one.
fn scalar_type(info: &TypeInfo) -> Option<Type> {
    Some(match &info.repr {
        Repr::Int(k) | Repr::Enum { int: k, .. } => {
            match (k.bytes, k.signed && k.role != IntRole::Bool) {
                (1, true) => Type::i8(),
                (1, false) => Type::u8(),
                (2, true) => Type::i16(),
                (2, false) => Type::u16(),
                (4, true) => Type::i32(),
                (4, false) => Type::u32(),
                (8, true) => Type::i64(),
                (8, false) => Type::u64(),
                _ => return None,
            }
        }
        Repr::Float(4) => Type::f32(),
        Repr::Float(8) => Type::f64(),
        Repr::LongDouble => Type::longdouble(),
        Repr::Pointer { .. } => Type::pointer(),
        _ => return None,
    })
}

fn scalar_reason(info: &TypeInfo) -> String {
    match &info.repr {
        Repr::Int(_) | Repr::Enum { .. } => "libffi has no 128-bit integer type".into(),
        Repr::Float(_) => "libffi has no floating type of this size".into(),
        Repr::Complex(_) => {
            "libffi's support for complex numbers is incomplete (cffi refuses them too)".into()
        }
        Repr::Array { .. } => "arrays are passed by pointer in C".into(),
        Repr::Function { .. } => "functions are passed by pointer in C".into(),
        _ => format!("ctype '{}' is of unknown size", info.name),
    }
}

fn refuse(info: &TypeInfo, pos: Position, why: String) -> Error {
    Error::Unsupported(format!(
        "ctype '{}' not supported as {pos}: {why}",
        info.name
    ))
}

/// One scalar leaf of a struct: offset, size, alignment and libffi type.
struct Leaf {
    offset: usize,
    size: usize,
    align: usize,
    ty: Type,
}

fn record_type(uni: &Ffi, info: &TypeInfo, pos: Position) -> Result<Type> {
    let Repr::Record { kind, body } = &info.repr else {
        unreachable!("record_type is called for records");
    };
    if *kind == rcffi_cdef::RecordKind::Union {
        return Err(refuse(
            info,
            pos,
            "libffi has no union type (pass a pointer instead)".into(),
        ));
    }
    let (Some(body), Some((size, align))) = (body, info.layout) else {
        return Err(refuse(
            info,
            pos,
            format!("ctype '{}' is of unknown size", info.name),
        ));
    };
    let mut leaves = Vec::new();
    for f in &body.fields {
        if f.bit_width.is_some() {
            return Err(refuse(
                info,
                pos,
                "it is a struct with bit fields, which libffi does not support".into(),
            ));
        }
        collect_leaves(uni, info, f.ty, f.offset(), pos, &mut leaves)?;
    }
    if leaves.is_empty() || size == 0 {
        return Err(refuse(
            info,
            pos,
            "an empty struct has no libffi type".into(),
        ));
    }
    // Leaves must follow each other: an overlap is a union member.
    let mut end = 0;
    for l in &leaves {
        if l.offset < end {
            return Err(refuse(
                info,
                pos,
                "it contains a union, and libffi has no union type".into(),
            ));
        }
        end = l.offset + l.size;
    }
    let offsets: Vec<usize> = leaves.iter().map(|l| l.offset).collect();
    let natural_align = leaves.iter().map(|l| l.align).max().unwrap_or(1);
    let natural_size = end.div_ceil(natural_align) * natural_align;
    let mut ty = Type::structure(leaves.into_iter().map(|l| l.ty));
    let laid = ty
        .struct_offsets(libffi::low::ffi_abi_FFI_DEFAULT_ABI)
        .map_err(|e| refuse(info, pos, format!("libffi cannot lay it out ({e:?})")))?;
    if laid != offsets || natural_size != size || natural_align != align {
        return Err(refuse(
            info,
            pos,
            "it is packed or over-aligned, and libffi only lays out naturally aligned structs"
                .into(),
        ));
    }
    Ok(ty)
}

/// Appends the scalar leaves of member type `t` at `offset`.
fn collect_leaves(
    uni: &Ffi,
    outer: &TypeInfo,
    t: TypeRef,
    offset: usize,
    pos: Position,
    out: &mut Vec<Leaf>,
) -> Result<()> {
    let info = t.get(&uni.inner);
    match &info.repr {
        Repr::Record {
            kind: rcffi_cdef::RecordKind::Union,
            ..
        } => Err(refuse(
            outer,
            pos,
            format!("it contains '{}', and libffi has no union type", info.name),
        )),
        Repr::Record { body, .. } => {
            let Some(body) = body else {
                return Err(refuse(
                    outer,
                    pos,
                    format!("ctype '{}' is of unknown size", info.name),
                ));
            };
            for f in &body.fields {
                if f.bit_width.is_some() {
                    return Err(refuse(
                        outer,
                        pos,
                        "it is a struct with bit fields, which libffi does not support".into(),
                    ));
                }
                collect_leaves(uni, outer, f.ty, offset + f.offset(), pos, out)?;
            }
            Ok(())
        }
        Repr::Array { elem, len } => {
            let n = len.unwrap_or(0);
            let esize = elem.get(&uni.inner).size().unwrap_or(0);
            if n == 0 || esize == 0 {
                return Err(refuse(
                    outer,
                    pos,
                    "it ends with a flexible or zero-length array, whose size C does not pass"
                        .into(),
                ));
            }
            for i in 0..n {
                collect_leaves(uni, outer, *elem, offset + i * esize, pos, out)?;
            }
            Ok(())
        }
        _ => {
            let ty = scalar_type(info).ok_or_else(|| {
                refuse(
                    outer,
                    pos,
                    format!(
                        "its member of ctype '{}': {}",
                        info.name,
                        scalar_reason(info)
                    ),
                )
            })?;
            let (size, align) = info.layout.unwrap_or((0, 1));
            out.push(Leaf {
                offset,
                size,
                align,
                ty,
            });
            Ok(())
        }
    }
}

//! Records libffi cannot describe member by member — unions (also nested in structs), structs
//! with bitfields, packed structs — passed by value all the same: rcffi classifies the record
//! itself, per ABI, from its scalar leaves at their byte offsets, and hands libffi a *proxy*:
//! a struct of plain members, of the same size, that the ABI classifies the same way. libffi
//! then moves the record's bytes where the proxy's would go.
//!
//! - **x86-64 System V**: a record of more than 16 bytes, or with a leaf not aligned to its
//!   size, or with an x87 `long double`, is MEMORY (copied to the stack; a result through a
//!   hidden pointer): any proxy of that size and alignment. Otherwise each eightbyte is
//!   INTEGER if an integer or pointer leaf (a bitfield counts as its bytes) touches it, else
//!   SSE: the proxy has integer members over INTEGER eightbytes and `float`/`double` members
//!   over SSE ones.
//! - **AArch64 AAPCS64**: a homogeneous aggregate — every leaf the same floating type, at most
//!   four of them in the record's size — travels in vector registers: the proxy is that many
//!   of that float; any other record of at most 16 bytes travels in general registers, and a
//!   bigger one by reference: integer members.
//!
//! Records the proxies cannot match are refused with the reason: alignment 16 or more under 16
//! bytes (the register pair's alignment), eightbytes of padding only, vector members.

use libffi::middle::Type;
use rcffi_cdef::{CTypeId, CTypeKind, PrimRepr, RecordKind, Registry};

/// What a scalar leaf is, for classification.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Leaf {
    /// Integers, pointers, enums, bitfields.
    Int,
    /// An IEEE float of this many bytes (4, 8, or 16 for binary128).
    Float(u8),
    /// x87 extended precision.
    X87,
}

/// A leaf and the bytes it covers.
#[derive(Copy, Clone, Debug)]
struct Placed {
    offset: u64,
    size: u64,
    leaf: Leaf,
    /// Whether it is aligned to its size (a packed member may not be).
    aligned: bool,
}

/// The proxy for record type `id`, or why there is none.
pub(super) fn proxy(reg: &Registry, id: CTypeId) -> Result<Type, String> {
    let layout = reg.layout(id).map_err(|e| e.to_string())?;
    let (size, align) = (layout.size, layout.align);
    if size == 0 {
        return Err("an empty record has no libffi type".into());
    }
    let mut leaves = Vec::new();
    collect(reg, id, 0, &mut leaves, 0)?;
    if cfg!(target_arch = "aarch64") {
        aapcs64(size, align, &leaves)
    } else {
        sysv(size, align, &leaves)
    }
}

/// Nesting past this is refused (records nest at most as deep as the text allowed).
const MAX_DEPTH: usize = 64;

/// Appends the scalar leaves of type `id` placed at `base`.
fn collect(
    reg: &Registry,
    id: CTypeId,
    base: u64,
    out: &mut Vec<Placed>,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("it nests too deeply".into());
    }
    let id = reg.strip_aligned(id);
    let scalar = |out: &mut Vec<Placed>, size: u64, leaf: Leaf, natural: u64| {
        out.push(Placed {
            offset: base,
            size,
            leaf,
            aligned: base.is_multiple_of(natural.max(1)),
        });
    };
    match reg.kind(id) {
        CTypeKind::Prim(p) => match reg.target().repr(*p) {
            PrimRepr::Int { bytes, .. } => {
                scalar(out, u64::from(bytes), Leaf::Int, u64::from(bytes))
            }
            PrimRepr::Bool => scalar(out, 1, Leaf::Int, 1),
            PrimRepr::Float {
                bytes: b @ (4 | 8 | 16),
            } => {
                scalar(out, u64::from(b), Leaf::Float(b), u64::from(b));
            }
            PrimRepr::X87 => scalar(out, 16, Leaf::X87, 16),
            PrimRepr::Complex {
                part_bytes: b @ (4 | 8),
                x87: false,
            } => {
                let b = u64::from(b);
                for k in 0..2 {
                    out.push(Placed {
                        offset: base + k * b,
                        size: b,
                        leaf: Leaf::Float(b as u8),
                        aligned: (base + k * b).is_multiple_of(b),
                    });
                }
            }
            _ => {
                return Err(format!(
                    "its member of ctype '{}' has no ABI class here",
                    reg.cname(id)
                ));
            }
        },
        CTypeKind::Pointer(_) => scalar(out, 8, Leaf::Int, 8),
        CTypeKind::Enum(e) => match reg.target().repr(reg.enum_def(*e).underlying) {
            PrimRepr::Int { bytes, .. } => {
                scalar(out, u64::from(bytes), Leaf::Int, u64::from(bytes))
            }
            _ => return Err(format!("enum '{}' has no integer type", reg.cname(id))),
        },
        CTypeKind::Array { elem, len } => {
            let n = len.unwrap_or(0);
            if n == 0 {
                return Err(
                    "it has a flexible or zero-length array, whose items C does not pass \
                            (cffi refuses it too)"
                        .into(),
                );
            }
            let esize = reg.layout(*elem).map_err(|e| e.to_string())?.size;
            for i in 0..n {
                collect(reg, *elem, base + i * esize, out, depth + 1)?;
            }
        }
        CTypeKind::Record(rid) => {
            let rec = reg.record(*rid);
            let (Some(fields), Ok(layout)) = (&rec.fields, reg.record_layout(*rid)) else {
                return Err(format!("ctype '{}' is of unknown size", reg.cname(id)));
            };
            for (f, fl) in fields.iter().zip(&layout.fields) {
                match f.bit_width {
                    Some(0) => {}
                    // A bitfield: the integer bytes its bits touch.
                    Some(w) => {
                        let first = fl.offset_bits / 8;
                        let last = (fl.offset_bits + u64::from(w) - 1) / 8;
                        out.push(Placed {
                            offset: base + first,
                            size: last - first + 1,
                            leaf: Leaf::Int,
                            aligned: true,
                        });
                    }
                    None => {
                        let at = if rec.kind == RecordKind::Union {
                            0
                        } else {
                            fl.offset()
                        };
                        collect(reg, f.ty, base + at, out, depth + 1)?;
                    }
                }
            }
        }
        _ => {
            return Err(format!(
                "its member of ctype '{}' has no ABI class here",
                reg.cname(id)
            ));
        }
    }
    Ok(())
}

/// The System V x86-64 proxy.
fn sysv(size: u64, align: u64, leaves: &[Placed]) -> Result<Type, String> {
    let memory = size > 16 || leaves.iter().any(|l| !l.aligned || l.leaf == Leaf::X87);
    if memory && size <= 16 {
        // libffi passes every struct of plain members of this size in registers.
        return Err(
            "a record of at most 16 bytes with unaligned members or an x87 long \
                    double goes through memory, which no libffi struct of its size does"
                .into(),
        );
    }
    if memory {
        // Copied whole: only the size and alignment matter.
        return match align {
            1 | 2 | 4 | 8 => Ok(units(size, align, |_| false)),
            // x87 `long double`s keep the alignment (and the MEMORY class).
            16 if size.is_multiple_of(16) => Ok(Type::structure(
                (0..(size / 16) as usize).map(|_| Type::longdouble()),
            )),
            _ => Err(format!("its alignment of {align} bytes has no libffi type")),
        };
    }
    if align > 8 {
        return Err(
            "an aligned(16) record under 16 bytes needs a register pair's alignment".into(),
        );
    }
    let mut sse = Vec::new();
    for k in 0..size.div_ceil(8) {
        let (lo, hi) = (k * 8, (k * 8 + 8).min(size));
        let inside: Vec<&Placed> = leaves
            .iter()
            .filter(|l| l.offset < hi && l.offset + l.size > lo)
            .collect();
        if inside.is_empty() {
            return Err("an eightbyte of padding only has no libffi type".into());
        }
        let float = inside.iter().all(|l| matches!(l.leaf, Leaf::Float(4 | 8)));
        if float && (hi - lo) % 4 != 0 {
            return Err("a floating eightbyte of an odd size has no libffi type".into());
        }
        sse.push(float);
    }
    Ok(units(size, align, |off| sse[(off / 8) as usize]))
}

/// The AAPCS64 proxy.
fn aapcs64(size: u64, align: u64, leaves: &[Placed]) -> Result<Type, String> {
    if let Some(Leaf::Float(b)) = leaves.first().map(|l| l.leaf) {
        let b64 = u64::from(b);
        let homogeneous = leaves.iter().all(|l| l.leaf == Leaf::Float(b) && l.aligned);
        if homogeneous && size.is_multiple_of(b64) && size / b64 <= 4 {
            if align > b64 {
                return Err("an over-aligned floating aggregate has no libffi type".into());
            }
            let float = match b {
                4 => Type::f32(),
                8 => Type::f64(),
                _ => Type::longdouble(),
            };
            return Ok(Type::structure(
                (0..(size / b64) as usize).map(|_| float.clone()),
            ));
        }
    }
    if align > 8 {
        return Err("a record aligned to 16 bytes needs a register pair's alignment".into());
    }
    Ok(units(size, align, |_| false))
}

/// A struct of `size` bytes of members at most `align` bytes each, with `float`/`double`
/// members where `float_at(offset)` says so and integers elsewhere.
fn units(size: u64, align: u64, float_at: impl Fn(u64) -> bool) -> Type {
    let mut members = Vec::new();
    let mut off = 0;
    while off < size {
        let end8 = (off / 8 + 1) * 8;
        let room = end8.min(size) - off;
        let mut n = 8.min(align).min(room);
        while n > 1 && (off % n != 0 || room < n) {
            n /= 2;
        }
        let ty = match (float_at(off), n) {
            (true, 8) => Type::f64(),
            (true, _) => {
                n = 4;
                Type::f32()
            }
            (false, 8) => Type::u64(),
            (false, 4) => Type::u32(),
            (false, 2) => Type::u16(),
            (false, _) => Type::u8(),
        };
        members.push(ty);
        off += n;
    }
    Type::structure(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(offset: u64, size: u64, leaf: Leaf) -> Placed {
        Placed {
            offset,
            size,
            leaf,
            aligned: true,
        }
    }

    #[test]
    fn eightbytes_merge_as_the_abi_says() {
        // union { float f; int i; }: INTEGER.
        assert!(sysv(4, 4, &[leaf(0, 4, Leaf::Float(4)), leaf(0, 4, Leaf::Int)]).is_ok());
        // A padding-only eightbyte is refused; x87 goes to memory.
        assert!(sysv(16, 4, &[leaf(0, 4, Leaf::Int)]).is_err());
        assert!(sysv(32, 16, &[leaf(0, 16, Leaf::X87), leaf(16, 4, Leaf::Int)]).is_ok());
        assert!(sysv(16, 16, &[leaf(0, 16, Leaf::X87), leaf(0, 4, Leaf::Int)]).is_err());
        assert!(
            aapcs64(
                12,
                4,
                &[leaf(0, 4, Leaf::Float(4)), leaf(0, 12, Leaf::Float(4))]
            )
            .is_ok()
        );
    }
}

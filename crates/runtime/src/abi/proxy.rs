//! Records libffi cannot describe member by member — unions (also nested in structs), structs
//! with bitfields, packed and over-aligned structs, records holding 128-bit integers — passed
//! by value all the same: rcffi classifies the record itself, per ABI, from its scalar leaves at
//! their byte offsets, and hands libffi a *proxy* that the ABI classifies the same way, with the
//! record's size and alignment (`cif::preset`). libffi then moves the record's bytes where the
//! proxy's would go.
//!
//! - **x86-64 System V**: a record of more than 16 bytes, or with a leaf not aligned to its
//!   size, or with an x87 `long double` sharing an eightbyte with anything else, is MEMORY
//!   (copied to the stack; a result through a hidden pointer): a proxy of that size and
//!   alignment (under 16 bytes, one whose member libffi itself classifies MEMORY). A record
//!   that is one x87 `long double` (a union of them) is that `long double` (passed in memory,
//!   returned in `st0`). Otherwise each eightbyte is INTEGER if an integer or pointer leaf (a
//!   bitfield counts as its bytes) touches it, SSE if only `float`s and `double`s do, and
//!   NO_CLASS (no register) if it is padding after the last member: the proxy has integer
//!   members over INTEGER eightbytes and `float`/`double` members over SSE ones.
//! - **AArch64 AAPCS64**: a homogeneous aggregate — every leaf the same floating type, at most
//!   four of them in the record's size — travels in vector registers: the proxy is that many
//!   of that float; any other record of at most 16 bytes travels in general registers (one
//!   whose *members* are aligned to 16 in an even-numbered pair, as a 128-bit integer does: its
//!   proxy is one; an `aligned` attribute on the record itself does not count, as GCC has it),
//!   and a bigger one by reference: integer members, aligned to 8 (libffi would put the
//!   pointer to a 16-aligned record at a 16-aligned stack slot; C puts it at the next 8-byte
//!   one), so the callee's copy is aligned to 8.
//!
//! Still refused, with the reason: on x86-64 a record aligned to more than 16 bytes as an
//! argument (its stack slot's alignment is relative to a base libffi does not align), padding
//! before a member's eightbyte, `_Float128` members in a register-sized record; vector members
//! on both.

use std::collections::HashMap;
use std::rc::Rc;

use libffi::middle::Type;
use rcffi_cdef::{CTypeId, CTypeKind, PrimRepr, RecordKind, Registry};

use super::cif::{AbiType, preset};

/// What a scalar leaf is, for classification.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Leaf {
    /// Integers, pointers, enums, bitfields.
    Int,
    /// An IEEE float of this many bytes (4, 8, or 16 for binary128).
    Float(u8),
    /// x87 extended precision.
    X87,
}

/// A leaf and the bytes it covers.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Placed {
    offset: u64,
    size: u64,
    leaf: Leaf,
    /// The alignment it needs to be in a register class (its size; 1 for a bitfield's bytes).
    natural: u64,
}

/// No register holds a record past this many bytes on either ABI (x86-64 passes anything over
/// 16 in memory; AArch64's largest homogeneous aggregate is four 16-byte values), so leaves
/// past it are not collected: bigger records are classified by their size alone.
const WINDOW: u64 = 64;

/// The proxy for record type `id` (as the `result` of a call, or an argument), or why there is
/// none.
pub(super) fn proxy(reg: &Registry, id: CTypeId, result: bool) -> Result<AbiType, String> {
    let layout = reg.layout(id).map_err(|e| e.to_string())?;
    let (size, align) = (layout.size, layout.align);
    if size == 0 {
        return Err("an empty record has no libffi type".into());
    }
    let leaves = Leaves::new(reg).of(id, 0)?;
    if cfg!(target_arch = "aarch64") {
        aapcs64(size, align, member_align(reg, id), &leaves)
    } else {
        sysv(size, align, &leaves, result)
    }
}

/// Whether record `id`, as an argument C passes to a libffi closure, would be read wrong: on
/// x86-64 a record of 9 to 16 bytes in registers whose second eightbyte is padding only
/// (NO_CLASS) takes one register, but libffi's closure entry counts two and reads every later
/// register argument from the wrong one. Calls are not affected (libffi's call path counts
/// classes); callbacks show libffi such a record as its first eightbyte (`closure_args`).
pub(super) fn misread_by_closures(reg: &Registry, id: CTypeId) -> bool {
    let Ok(layout) = reg.layout(id) else {
        return false;
    };
    if !cfg!(target_arch = "x86_64") || layout.size <= 8 || layout.size > 16 {
        return false;
    }
    match Leaves::new(reg).of(id, 0) {
        Ok(leaves) if leaves.iter().all(|l| l.aligned() && l.leaf != Leaf::X87) => {
            leaves.iter().all(|l| l.offset + l.size <= 8)
        }
        _ => false,
    }
}

/// Nesting past this is refused (records nest at most as deep as the text allowed).
const MAX_DEPTH: usize = 64;

/// The scalar leaves of types, each type's worked out once: distinct (offset, size, class)
/// entries within the first [`WINDOW`] bytes, so the work is bounded by the number of types
/// and the window — not by array lengths or by how many times a type is nested (a union of
/// two copies of a union of two copies of ... has as few leaves as its innermost member).
struct Leaves<'r> {
    reg: &'r Registry,
    memo: HashMap<CTypeId, Rc<[Placed]>>,
}

impl<'r> Leaves<'r> {
    fn new(reg: &'r Registry) -> Leaves<'r> {
        Leaves {
            reg,
            memo: HashMap::new(),
        }
    }

    /// The leaves of type `id` at offset 0, sorted.
    fn of(&mut self, id: CTypeId, depth: usize) -> Result<Rc<[Placed]>, String> {
        if depth > MAX_DEPTH {
            return Err("it nests too deeply".into());
        }
        let id = self.reg.strip_aligned(id);
        if let Some(known) = self.memo.get(&id) {
            return Ok(known.clone());
        }
        let mut out = Vec::new();
        self.collect(id, &mut out, depth)?;
        out.retain(|l| l.offset < WINDOW);
        out.sort_unstable();
        out.dedup();
        let leaves: Rc<[Placed]> = out.into();
        self.memo.insert(id, leaves.clone());
        Ok(leaves)
    }

    /// Appends the leaves of type `id` (not an `aligned` wrapper) at offset 0.
    fn collect(&mut self, id: CTypeId, out: &mut Vec<Placed>, depth: usize) -> Result<(), String> {
        let reg = self.reg;
        let scalar = |out: &mut Vec<Placed>, size: u64, leaf: Leaf| {
            out.push(Placed {
                offset: 0,
                size,
                leaf,
                natural: size,
            });
        };
        match reg.kind(id) {
            CTypeKind::Prim(p) => match reg.target().repr(*p) {
                PrimRepr::Int { bytes, .. } => scalar(out, u64::from(bytes), Leaf::Int),
                PrimRepr::Bool => scalar(out, 1, Leaf::Int),
                PrimRepr::Float {
                    bytes: b @ (4 | 8 | 16),
                } => scalar(out, u64::from(b), Leaf::Float(b)),
                PrimRepr::X87 => scalar(out, 16, Leaf::X87),
                PrimRepr::Complex { part_bytes, x87 } if matches!(part_bytes, 4 | 8 | 16) => {
                    let leaf = if x87 {
                        Leaf::X87
                    } else {
                        Leaf::Float(part_bytes)
                    };
                    for k in 0..2 {
                        out.push(Placed {
                            offset: k * u64::from(part_bytes),
                            size: u64::from(part_bytes),
                            leaf,
                            natural: u64::from(part_bytes),
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
            CTypeKind::Pointer(_) => scalar(out, 8, Leaf::Int),
            CTypeKind::Enum(e) => match reg.target().repr(reg.enum_def(*e).underlying) {
                PrimRepr::Int { bytes, .. } => scalar(out, u64::from(bytes), Leaf::Int),
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
                let items = self.of(*elem, depth + 1)?;
                // Only the items inside the window (items of size 0 have no leaves).
                let shown = if esize == 0 {
                    0
                } else {
                    n.min(WINDOW.div_ceil(esize))
                };
                for i in 0..shown {
                    out.extend(items.iter().map(|l| l.at(i * esize)));
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
                                offset: first,
                                size: last - first + 1,
                                leaf: Leaf::Int,
                                natural: 1,
                            });
                        }
                        None => {
                            let at = if rec.kind == RecordKind::Union {
                                0
                            } else {
                                fl.offset()
                            };
                            let inner = self.of(f.ty, depth + 1)?;
                            out.extend(inner.iter().map(|l| l.at(at)));
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
}

impl Placed {
    /// This leaf moved `by` bytes further.
    fn at(self, by: u64) -> Placed {
        Placed {
            offset: self.offset + by,
            ..self
        }
    }

    /// Whether it is aligned to its size (a packed member may not be).
    fn aligned(&self) -> bool {
        self.offset.is_multiple_of(self.natural)
    }
}

/// The System V x86-64 proxy.
fn sysv(size: u64, align: u64, leaves: &[Placed], result: bool) -> Result<AbiType, String> {
    if align > 16 && !result {
        return Err(format!(
            "x86-64 passes a record aligned to {align} bytes at a stack slot of that alignment, \
             counted from a base libffi aligns to 16 only"
        ));
    }
    // One x87 value (or a union of them): classes X87 and X87UP, as `long double` itself.
    if size == 16 && leaves.iter().all(|l| l.leaf == Leaf::X87 && l.offset == 0) {
        return Ok(Type::structure([Type::longdouble()]).into());
    }
    let memory = size > 16 || leaves.iter().any(|l| !l.aligned() || l.leaf == Leaf::X87);
    if memory {
        // Copied whole: only the size and alignment matter. libffi classifies a struct of
        // more than 16 bytes whose first eightbyte is INTEGER as MEMORY; a smaller one needs
        // a member it classifies MEMORY: a struct of more than 32 bytes.
        // A result's alignment is rcffi's business, not libffi's: libffi is handed the memory
        // to write into (allocated with the record's own alignment, `Param::align`) and reads
        // only the size. Its 16-bit field cannot hold the 65,536 of a 64 KiB record aligned
        // to its size, so a result's proxy says at most 16 (arguments aligned past 16 are
        // refused above).
        let align = align.min(16);
        let proxy = if size > 16 {
            sized(size, align)
        } else {
            Type::structure([sized(40, 8)])
        };
        return Ok(preset(proxy, size, align).into());
    }
    if leaves.iter().any(|l| l.leaf == Leaf::Float(16)) {
        return Err("a _Float128 member in a record of at most 16 bytes has no libffi type".into());
    }
    let classes = eightbytes(size, leaves)?;
    // Members over the eightbytes up to the last one with data; padding after it is NO_CLASS
    // (the preset size covers it). Padding before data has no proxy.
    let used = classes
        .iter()
        .rposition(Option::is_some)
        .map_or(0, |k| k + 1);
    if used == 0 || classes[..used].contains(&None) {
        return Err("an eightbyte of padding only before a member has no libffi type".into());
    }
    let covered = (used as u64 * 8).min(size);
    let proxy = units(covered, align.min(8), |off| {
        classes[(off / 8) as usize] == Some(true)
    });
    Ok(if covered < size || align > 8 {
        preset(proxy, size, align)
    } else {
        proxy
    }
    .into())
}

/// The classes of the eightbytes of a record of at most 16 bytes passed in registers: `Some`
/// (whether it is SSE), or `None` for padding only.
fn eightbytes(size: u64, leaves: &[Placed]) -> Result<Vec<Option<bool>>, String> {
    let mut classes = Vec::new();
    for k in 0..size.div_ceil(8) {
        let (lo, hi) = (k * 8, (k * 8 + 8).min(size));
        let inside: Vec<&Placed> = leaves
            .iter()
            .filter(|l| l.offset < hi && l.offset + l.size > lo)
            .collect();
        if inside.is_empty() {
            classes.push(None);
            continue;
        }
        let float = inside.iter().all(|l| matches!(l.leaf, Leaf::Float(4 | 8)));
        if float && (hi - lo) % 4 != 0 {
            return Err("a floating eightbyte of an odd size has no libffi type".into());
        }
        classes.push(Some(float));
    }
    Ok(classes)
}

/// The x86-64 registers record `id` takes as an argument — `Some(classes of its eightbytes)`
/// (`Some(is SSE)`, `None` for padding only) — or `None` when it is passed in memory.
pub(super) fn sysv_registers(reg: &Registry, id: CTypeId) -> Option<Vec<Option<bool>>> {
    let layout = reg.layout(id).ok()?;
    let leaves = Leaves::new(reg).of(id, 0).ok()?;
    let memory = layout.size == 0
        || layout.size > 16
        || leaves
            .iter()
            .any(|l| !l.aligned() || matches!(l.leaf, Leaf::X87 | Leaf::Float(16)));
    if memory {
        return None;
    }
    eightbytes(layout.size, &leaves).ok()
}

/// Whether x86-64 returns record `id` in memory (through an address C passes in the first
/// integer register): past 16 bytes, with an unaligned member, or with an x87 `long double`
/// sharing it (a record that is one x87 value returns in `st0`).
pub(super) fn sysv_returns_in_memory(reg: &Registry, id: CTypeId) -> bool {
    let (Ok(layout), Ok(leaves)) = (reg.layout(id), Leaves::new(reg).of(id, 0)) else {
        return false;
    };
    let x87_alone =
        layout.size == 16 && leaves.iter().all(|l| l.leaf == Leaf::X87 && l.offset == 0);
    layout.size > 16
        || (!x87_alone
            && leaves
                .iter()
                .any(|l| !l.aligned() || matches!(l.leaf, Leaf::X87)))
}

/// The alignment AAPCS64 passes record `id` by (GCC's `aarch64_function_arg_alignment`): the
/// largest of its members' alignments — 1 in a packed record, at most N under `#pragma
/// pack(N)` — not an `aligned` attribute on the record itself. It decides whether the record
/// takes an even-numbered register pair and how its stack slot is aligned.
fn member_align(reg: &Registry, id: CTypeId) -> u64 {
    let CTypeKind::Record(rid) = reg.kind(reg.strip_aligned(id)) else {
        return reg.layout(id).map_or(1, |l| l.align);
    };
    let rec = reg.record(*rid);
    if rec.packed {
        return 1;
    }
    let cap = rec.pack.unwrap_or(u64::MAX);
    rec.fields
        .iter()
        .flatten()
        .map(|f| reg.layout(f.ty).map_or(1, |l| l.align).min(cap))
        .max()
        .unwrap_or(1)
}

/// The AAPCS64 proxy of a record of `size` bytes, aligned to `align`, whose members are
/// aligned to at most `natural` ([`member_align`]).
fn aapcs64(size: u64, align: u64, natural: u64, leaves: &[Placed]) -> Result<AbiType, String> {
    if let Some((b, n)) = homogeneous(size, leaves) {
        let float = match b {
            4 => Type::f32(),
            8 => Type::f64(),
            _ => Type::longdouble(),
        };
        let proxy = Type::structure((0..n).map(|_| float.clone()));
        return Ok(if natural > u64::from(b) {
            preset(proxy, size, natural)
        } else {
            proxy
        }
        .into());
    }
    Ok(if size > 16 {
        // By reference, to a copy aligned to 8: libffi places the pointer of a by-reference
        // record aligned to 16 at a 16-aligned stack slot when it goes to the stack (C puts
        // it at the next 8-byte slot), so the proxy keeps alignment 8.
        sized(size, 8).into()
    } else if natural >= 16 {
        // In an even-numbered register pair, or 16-aligned on the stack.
        AbiType::Int128
    } else {
        units(size, align.min(8), |_| false).into()
    })
}

/// The element size and count of a homogeneous floating aggregate: every leaf the same IEEE
/// type, aligned, and (as GCC counts) filling the record — at most four of them, with no
/// padding, so a record padded out by an `aligned` attribute is an ordinary composite.
fn homogeneous(size: u64, leaves: &[Placed]) -> Option<(u8, usize)> {
    let Leaf::Float(b) = leaves.first()?.leaf else {
        return None;
    };
    let b64 = u64::from(b);
    if !size.is_multiple_of(b64) || size / b64 > 4 {
        return None;
    }
    let n = size / b64;
    let same = leaves
        .iter()
        .all(|l| l.leaf == Leaf::Float(b) && l.aligned());
    let filled = (0..n).all(|k| leaves.iter().any(|l| l.offset == k * b64));
    (same && filled).then_some((b, n as usize))
}

/// A struct of `size` bytes aligned to `align` with one 8-byte integer member: whatever its
/// size, libffi passes it as an integer-class composite (in memory past 16 bytes on x86-64, by
/// reference past 16 on AArch64) without a member per byte.
fn sized(size: u64, align: u64) -> Type {
    preset(Type::structure([Type::u64()]), size, align)
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
            natural: size,
        }
    }

    #[test]
    fn homogeneous_aggregates_fill_their_record() {
        let d = |o| leaf(o, 8, Leaf::Float(8));
        assert_eq!(homogeneous(24, &[d(0), d(8), d(16)]), Some((8, 3)));
        // struct __attribute__((aligned(32))) { double; double _Complex; }: 8 bytes of padding.
        assert_eq!(homogeneous(32, &[d(0), d(8), d(16)]), None);
        // union { double; double[2]; }: the longest member fills it.
        assert_eq!(homogeneous(16, &[d(0), d(0), d(8)]), Some((8, 2)));
        assert_eq!(homogeneous(40, &[d(0), d(8), d(16), d(24), d(32)]), None);
        assert_eq!(homogeneous(16, &[d(0), leaf(8, 8, Leaf::Int)]), None);
    }

    #[test]
    fn eightbytes_merge_as_the_abi_says() {
        // union { float f; int i; }: INTEGER.
        assert!(
            sysv(
                4,
                4,
                &[leaf(0, 4, Leaf::Float(4)), leaf(0, 4, Leaf::Int)],
                false
            )
            .is_ok()
        );
        // Padding before a member's eightbyte is refused, padding after it is NO_CLASS; x87
        // goes to memory.
        assert!(sysv(16, 4, &[leaf(12, 4, Leaf::Int)], false).is_err());
        assert!(sysv(16, 16, &[leaf(0, 4, Leaf::Int)], false).is_ok());
        assert!(
            sysv(
                32,
                16,
                &[leaf(0, 16, Leaf::X87), leaf(16, 4, Leaf::Int)],
                false
            )
            .is_ok()
        );
        assert!(
            sysv(
                16,
                16,
                &[leaf(0, 16, Leaf::X87), leaf(0, 4, Leaf::Int)],
                false
            )
            .is_ok()
        );
        // Aligned to 32: only as a result.
        assert!(sysv(32, 32, &[leaf(0, 4, Leaf::Int)], false).is_err());
        assert!(sysv(32, 32, &[leaf(0, 4, Leaf::Int)], true).is_ok());
        assert!(
            aapcs64(
                12,
                4,
                4,
                &[leaf(0, 4, Leaf::Float(4)), leaf(0, 12, Leaf::Float(4))]
            )
            .is_ok()
        );
    }
}

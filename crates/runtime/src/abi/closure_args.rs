//! libffi's x86-64 closures misread one kind of record argument, and how rcffi's callbacks take
//! it all the same.
//!
//! A record of 9 to 16 bytes whose second eightbyte is padding only (`struct
//! __attribute__((aligned(16))) { long x; }`, `struct { char c; } __attribute__((aligned(16)))`)
//! travels in one register, its second eightbyte NO_CLASS. libffi's call path counts it right;
//! its closure entry (`ffi_closure_unix64_inner`) advances past two integer registers for it,
//! or takes an integer register for the padding of an SSE one, and reads every later register
//! argument from the wrong register.
//!
//! rcffi counts the registers itself, in C's order, for the whole signature. Where such a record
//! arrives in a register, the callback's interface describes it as its first eightbyte only (8
//! bytes: one register of its class, which libffi counts right), and the callback reads those
//! 8 bytes and zeroes the padding. Where it arrives on the stack (the registers are taken), the
//! full record stays: libffi reads a stack argument at its real size. No unsafe code.

use libffi::middle::Type;
use rcffi_cdef::{CTypeId, CTypeKind, PrimRepr, Registry};

use super::cif::AbiType;

/// Integer and SSE argument registers of the x86-64 System V convention.
const GPRS: u32 = 6;
const SSES: u32 = 8;

/// What a libffi closure must be shown of a signature's parameters.
pub(super) enum ClosureArgs {
    /// The same types as calls (no misread record arrives in a register).
    Same,
    /// For each parameter, `Some(proxy)` where the closure must be shown the record as its
    /// first eightbyte (8 bytes), `None` where the call's type stands.
    Short(Vec<Option<AbiType>>),
    /// A misread record, and a parameter whose registers are not known here: refused.
    Unknown,
}

/// [`ClosureArgs`] of a signature with parameters `params` and result `ret`.
pub(super) fn closure_args(reg: &Registry, params: &[CTypeId], ret: CTypeId) -> ClosureArgs {
    if !cfg!(target_arch = "x86_64")
        || !params
            .iter()
            .any(|p| super::proxy::misread_by_closures(reg, *p))
    {
        return ClosureArgs::Same;
    }
    match short_records(reg, params, ret) {
        None => ClosureArgs::Unknown,
        Some(v) if v.iter().all(Option::is_none) => ClosureArgs::Same,
        Some(v) => ClosureArgs::Short(v),
    }
}

/// For each parameter: the proxy of a misread record that arrives in a register; `None` when a
/// type's registers are unknown.
fn short_records(reg: &Registry, params: &[CTypeId], ret: CTypeId) -> Option<Vec<Option<AbiType>>> {
    // A result in memory takes the first integer register for its address.
    let ret = reg.strip_aligned(ret);
    let mut gpr = u32::from(
        matches!(reg.kind(ret), CTypeKind::Record(_))
            && super::proxy::sysv_returns_in_memory(reg, ret),
    );
    let mut sse = 0;
    let mut out = Vec::with_capacity(params.len());
    for p in params {
        let short = match registers(reg, *p)? {
            Some((g, s)) if gpr + g <= GPRS && sse + s <= SSES => {
                gpr += g;
                sse += s;
                super::proxy::misread_by_closures(reg, *p)
                    .then(|| first_eightbyte(reg, *p))
                    .flatten()
            }
            // On the stack: libffi reads it at its size.
            _ => None,
        };
        out.push(short);
    }
    Some(out)
}

/// The 8-byte proxy of a misread record's first eightbyte: a `double` if it is SSE, else an
/// integer.
fn first_eightbyte(reg: &Registry, id: CTypeId) -> Option<AbiType> {
    let classes = super::proxy::sysv_registers(reg, id)?;
    Some(
        if classes.first() == Some(&Some(true)) {
            Type::structure([Type::f64()])
        } else {
            Type::structure([Type::u64()])
        }
        .into(),
    )
}

/// The integer and SSE registers an argument of type `id` takes: `Some(Some((gpr, sse)))`,
/// `Some(None)` when it is passed in memory, `None` when unknown here.
fn registers(reg: &Registry, id: CTypeId) -> Option<Option<(u32, u32)>> {
    let id = reg.strip_aligned(id);
    Some(match reg.kind(id) {
        // Arrays and functions as parameters are pointers.
        CTypeKind::Pointer(_) | CTypeKind::Array { .. } | CTypeKind::Function(_) => Some((1, 0)),
        CTypeKind::Enum(e) => match reg.target().repr(reg.enum_def(*e).underlying) {
            PrimRepr::Int { bytes: 16, .. } => Some((2, 0)),
            _ => Some((1, 0)),
        },
        CTypeKind::Prim(p) => match reg.target().repr(*p) {
            PrimRepr::Int { bytes: 16, .. } => Some((2, 0)),
            PrimRepr::Int { .. } | PrimRepr::Bool => Some((1, 0)),
            PrimRepr::Float { bytes: 4 | 8 } => Some((0, 1)),
            PrimRepr::X87 => None,
            PrimRepr::Complex {
                part_bytes: 4,
                x87: false,
            } => Some((0, 1)),
            PrimRepr::Complex {
                part_bytes: 8,
                x87: false,
            } => Some((0, 2)),
            PrimRepr::Complex { x87: true, .. } => None,
            _ => return None,
        },
        CTypeKind::Record(_) => super::proxy::sysv_registers(reg, id).map(|classes| {
            let sse = classes.iter().filter(|c| **c == Some(true)).count() as u32;
            let gpr = classes.iter().filter(|c| **c == Some(false)).count() as u32;
            (gpr, sse)
        }),
        _ => return None,
    })
}

//! Pointers a call hands back into memory it was given: a pointer result (`strchr`,
//! `bsearch`, `strtok_r` return pointers into the caller's buffers) and pointers C writes into
//! out-parameters (`strtol`'s `endptr`, `strtok_r`'s `saveptr`) are matched by address against
//! the call's arguments and what their memory keeps alive (`mem::keep`): inside one of them,
//! they are a bounded view of it, as if rcffi had made them; else they stay foreign.

use super::args::Arg;
use crate::abi::{CallPlan, Conv};
use crate::data::CData;
use crate::data::Value;
use crate::mem::Owner;

impl Arg<'_> {
    /// The cdata this argument is, if it is one.
    #[inline(always)]
    pub(crate) fn as_cdata(&self) -> Option<&CData> {
        match self {
            Arg::CData(c) => Some(c),
            Arg::Value(Value::CData(c)) => Some(c),
            Arg::Ref(Value::CData(c)) => Some(c),
            _ => None,
        }
    }

    /// The argument as a cdata of exactly the parameter's type `ty`, in universe `uni` (what
    /// the direct paths pass as they are; anything else is converted by the general path).
    ///
    /// The type alone is compared: a cdata's universe is its type's (`HeldType::uni`, the
    /// type info's home), and a plan's types are its own universe's (an included type is
    /// realized anew), so equal types mean the same universe. Comparing the universes too
    /// loaded the type info after the type, one more load waiting on another before the
    /// argument's copy, to find the plan's own universe again.
    #[inline(always)]
    pub(crate) fn as_cdata_of(
        &self,
        uni: &crate::types::Ffi,
        ty: crate::types::TypeRef,
    ) -> Option<&CData> {
        let c = self.as_cdata().filter(|c| c.ty() == ty)?;
        debug_assert!(c.uni().same(uni), "one type, two universes");
        Some(c)
    }
}

/// The owner of the memory `addr` points into, among the call's arguments and what their
/// memory keeps alive.
fn owner_among(addr: usize, args: &[Arg<'_>]) -> Option<Owner> {
    crate::data::owner_among(addr, args.iter().filter_map(Arg::as_cdata))
}

/// A call's result, with a foreign pointer into an argument's memory made a view of it.
#[inline]
pub(crate) fn result(plan: &CallPlan, v: Value, args: &[Arg<'_>]) -> Value {
    result_among(plan, v, args.iter().filter_map(Arg::as_cdata))
}

/// [`result`] with the call's cdata arguments given as they are.
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn result_among<'c>(
    plan: &CallPlan,
    v: Value,
    cdatas: impl Iterator<Item = &'c CData>,
) -> Value {
    if plan.ret.conv != Conv::Pointer {
        return v;
    }
    match v {
        Value::CData(mut c) if c.addr() != 0 && !c.owner().is_owning() => {
            // The owner replaced in place: the result is this function's own.
            crate::data::adopt_among(&mut c, cdatas);
            Value::CData(c)
        }
        other => other,
    }
}

/// The out-parameters of a call — pointers to pointers, or to structs with pointer members,
/// into memory that keeps what is stored there — with the pointer each slot held before the
/// call.
pub(super) struct OutParams {
    /// Argument index, slot address, and the pointer the slot held.
    before: Vec<(usize, usize, usize)>,
}

impl OutParams {
    /// Reads the out-parameters' slots before the call (nothing for plans without any).
    #[inline]
    pub(crate) fn before(plan: &CallPlan, args: &[Arg<'_>]) -> Option<OutParams> {
        if !plan.has_out {
            return None;
        }
        let mut before = Vec::new();
        for (i, (p, a)) in plan.params.iter().zip(args).enumerate() {
            let Some(c) = a.as_cdata().filter(|c| c.addr() != 0) else {
                continue;
            };
            for off in &p.out {
                let Some(at) = c.addr().checked_add(*off) else {
                    continue;
                };
                if let Some(v) = slot(c, at) {
                    before.push((i, at, v));
                }
            }
        }
        Some(OutParams { before })
    }

    /// After the call: a slot C changed to point into an argument's memory keeps that memory
    /// alive, as if rcffi had stored the pointer; the pointer it held before lets go of its
    /// memory.
    pub(super) fn after(self, args: &[Arg<'_>]) {
        for (i, at, old) in self.before {
            let Some(c) = args[i].as_cdata() else {
                continue;
            };
            let Some(new) = slot(c, at) else {
                continue;
            };
            if new == old {
                continue;
            }
            // Found first: the old pointer may be all that keeps the new one's memory.
            let owner = owner_among(new, args);
            let keeping = match owner {
                Some(_) => c.owner().keeping_for_store(),
                None => c.owner().keeping(),
            };
            let Some((set, _)) = keeping else {
                continue;
            };
            set.release_value(old);
            if let Some(owner) = owner {
                set.adopt(new, owner.as_ref());
            }
        }
    }
}

/// The pointer in the slot at `at` of `c`'s memory, when that memory keeps what is stored
/// there.
fn slot(c: &CData, at: usize) -> Option<usize> {
    c.owner().keeping()?;
    c.owner()
        .with_region(&String::new, |r| r.load_le(at, 8))
        .ok()
        .map(|w| w as usize)
}

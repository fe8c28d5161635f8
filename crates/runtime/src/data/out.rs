//! Where a call writes its result when the caller gives the memory
//! ([`Function::call_into`](crate::Function::call_into)): the place, checked before the call,
//! and the result's bytes (or a result [`Value`]) written there after it, as an assignment
//! (`*out = f(...)`) writes them.

use crate::data::CData;
use crate::data::Value;
use crate::data::access::fast_region;
use crate::data::convert::{self, Place};
use crate::error::{Error, Result};
use crate::mem::{KeepSet, Region};
use crate::types::{Ffi, Repr, TypeRef};

/// The memory a result of type `ty` goes to: item 0 of a pointer to `ty` or of an array of
/// `ty`, or a struct or union cdata of type `ty` itself.
pub(crate) struct Out<'a> {
    place: Place<'a>,
    size: usize,
}

impl<'a> Out<'a> {
    /// The place in `out` for a result of type `ty` of `uni`, checked now — the type, NULL, the
    /// bounds of `out`'s memory and that it may be written — so that a call whose result
    /// cannot go there is not made.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when `out` does not hold a `ty` (or belongs to another `ffi` object, or
    /// `ty` is `void`; an empty array holds none), [`Error::NullPointer`] for a NULL pointer,
    /// and the region's error when the bytes are outside the memory `out` may touch or
    /// read-only.
    ///
    /// In line, as [`CData::place_at`] is, for the same reason: its result came back through
    /// memory and stalled the call on its reload.
    #[inline(always)]
    pub(crate) fn of(uni: &Ffi, ty: TypeRef, out: &'a CData) -> Result<Out<'a>> {
        let info = ty.get(&uni.inner);
        let (Some(size), Some(addr)) = (
            info.size().filter(|_| !matches!(info.repr, Repr::Void)),
            out.result_slot(uni, ty).filter(|a| *a != 0),
        ) else {
            return Err(refused(uni, ty, out));
        };
        let place = out.place_at(ty, addr, None);
        match &fast_region(place.owner) {
            Some(r) => r.check_writable().and_then(|()| r.check(addr, size))?,
            None => place.region(|r| {
                r.check_writable()?;
                r.check(addr, size)
            })?,
        }
        Ok(Out { place, size })
    }

    /// Writes the result's bytes (all of them: the result type's size), as a struct
    /// assignment copies them: what they overwrite no longer keeps memory alive.
    pub(crate) fn write(&self, bytes: &[u8]) -> Result<()> {
        debug_assert_eq!(bytes.len(), self.size, "a result's bytes");
        let p = &self.place;
        // The region found again, not kept from `of`: C may have called back into Rust, which
        // may have ended a loan of these bytes (`release`), which then refuses the write.
        let Some(r) = &fast_region(p.owner) else {
            return p.write_bytes(bytes.len(), |r| r.write(p.addr, bytes));
        };
        match p.owner.keeping() {
            Some((set, _)) if set.is_used() => self.write_kept(set, r, bytes),
            _ => r.write(p.addr, bytes),
        }
    }

    /// [`Out::write`] over memory whose keep set holds something: the pointers the bytes
    /// overwrite let go of what they kept.
    #[cold]
    #[inline(never)]
    fn write_kept(&self, set: &KeepSet, r: &Region<'_>, bytes: &[u8]) -> Result<()> {
        let addr = self.place.addr;
        set.write_bytes(r, addr, bytes.len(), || r.write(addr, bytes))
    }

    /// Writes a result the call made as a [`Value`], as `out[0] = v` writes it (a pointer
    /// result keeps what it points into alive).
    pub(crate) fn write_value(&self, v: &Value) -> Result<()> {
        convert::value_to_c(&self.place, v)
    }
}

/// Why a result of type `ty` cannot go to `out` ([`Out::of`]'s first checks).
#[cold]
#[inline(never)]
fn refused(uni: &Ffi, ty: TypeRef, out: &CData) -> Error {
    let info = ty.get(&uni.inner);
    if matches!(info.repr, Repr::Void) || info.size().is_none() {
        return Error::Type(
            format!("a '{}' result cannot be written into memory", info.name).into(),
        );
    }
    if !out.uni().same(uni) {
        return crate::data::convert::another_ffis(out);
    }
    if out.result_slot(uni, ty).is_some() {
        return Error::NullPointer(
            format!(
                "cannot write a '{}' result through null pointer {}",
                info.name,
                out.what()
            )
            .into(),
        );
    }
    Error::Type(
        format!(
            "the result is '{}': {} is not a pointer to it, an array of it or one",
            info.name,
            out.what()
        )
        .into(),
    )
}

impl CData {
    /// The address where a result of type `ty` of `uni` goes in this cdata: what it points
    /// to, its first item, or its own memory; `None` when it holds no `ty` there (another
    /// type, another `ffi` object's cdata, an empty array).
    #[inline(always)]
    fn result_slot(&self, uni: &Ffi, ty: TypeRef) -> Option<usize> {
        // A struct or union of the result's very type: its universe is the type's, so the
        // test below need not load it (as `Arg::as_cdata_of`).
        if self.ty() == ty && matches!(self.info().repr, Repr::Record { .. }) {
            return Some(self.addr());
        }
        if !self.uni().same(uni) {
            return None;
        }
        match &self.info().repr {
            // The target as the direct item paths read it, resolved once for the type.
            Repr::Pointer { resolved, .. } if resolved.get() == Some(&ty) => Some(self.addr()),
            Repr::Pointer { .. } => {
                (self.uni().pointee(self.info()) == Some(ty)).then(|| self.addr())
            }
            Repr::Array { elem, len } => {
                let len = len.or(self.count()).unwrap_or(0);
                (*elem == ty && len > 0).then(|| self.addr())
            }
            _ => None,
        }
    }
}

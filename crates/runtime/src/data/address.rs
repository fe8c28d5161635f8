//! `ffi.addressof`'s work: the address of a member or item of a struct, union or array (or of
//! the whole), as a pointer that keeps the memory's owner.

use crate::data::CData;
use crate::error::{Error, Result};
use crate::types::Repr;

/// The work of [`Ffi::addressof`](crate::Ffi::addressof).
pub(crate) fn addressof(cdata: &CData, path: &str) -> Result<CData> {
    // A cdata's types are its own ffi object's, whichever ffi object is asked.
    let ffi = cdata.ffi();
    let info = cdata.info();
    let is_pointer = match &info.repr {
        Repr::Record { .. } | Repr::Array { .. } => false,
        Repr::Pointer { .. } => true,
        _ => {
            return Err(Error::Type(
                format!(
                    "expected a cdata struct/union/array/pointer object, got {}",
                    cdata.what()
                )
                .into(),
            ));
        }
    };
    let (off, target) = if path.trim().is_empty() {
        if is_pointer {
            return Err(Error::Type(
                format!("addressof({}) needs a member or an index", cdata.what()).into(),
            ));
        }
        // The cdata's own type: no lookup.
        (0, cdata.ty())
    } else if let Some((off, ty)) = plain_member(cdata, path) {
        // A member named by itself: the realized record knows where it is (no lock).
        (off as i64, ty)
    } else {
        let steps = crate::types::parse_path(path)?;
        let r = ffi.inner.read();
        let (off, id) = r
            .offset_path(info.id, &steps)
            .map_err(crate::types::path_error)?;
        drop(r);
        (off, ffi.realize(id))
    };
    let ptr = ffi.pointer_to(target);
    let off = isize::try_from(off).map_err(|_| crate::base::addr::overflow(path, off))?;
    let addr = crate::base::addr::item_or_err(cdata.addr(), off, 1, &|| cdata.what())?;
    Ok(cdata.derived(ptr, addr, None, crate::data::Origin::Plain))
}

/// The offset and type of member `path` when it is a plain member name of the record this
/// cdata is (or points to), not a bitfield; `None` for anything else (the registry's path
/// walk answers, or says why not).
fn plain_member(cdata: &CData, path: &str) -> Option<(usize, crate::types::TypeRef)> {
    let name = path.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let ffi = cdata.ffi();
    let info = cdata.info();
    let record = match &info.repr {
        Repr::Record { .. } => info,
        Repr::Pointer { .. } => ffi.pointee(info)?.get(&ffi.inner),
        _ => return None,
    };
    let f = record.record_body()?.field(name)?;
    if f.bit_width.is_some() {
        return None;
    }
    Some((f.offset(), f.ty))
}

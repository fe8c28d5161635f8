//! `ffi.new`: owned, zeroed, aligned C memory with an initializer.

use crate::data::Value;
use crate::data::convert::{self, Place};
use crate::data::{CData, Origin};
use crate::error::{Error, Result};
use crate::mem::Allocation;
use crate::mem::Owner;
use crate::types::{Ffi, TypeRef};
use crate::types::{IntRole, Repr, TypeInfo};

/// What `new` will build: the bytes to allocate and where the initializer goes.
pub(super) struct NewPlan {
    /// The type asked for (`T *` or `T[N]`/`T[]`).
    pub(crate) ty: TypeRef,
    /// The object's type: `T` for `T *`, the array type for arrays.
    pub(crate) object: TypeRef,
    pub(crate) size: usize,
    pub(crate) align: usize,
    /// The item count of an open array.
    pub(crate) len: Option<usize>,
    /// How the initializer is used.
    pub(crate) init: Init,
}

/// What `new` writes: the initializer as given, nothing (it was an array length), or a
/// rewritten one (a variable-size struct's member length taken out).
pub(super) enum Init {
    AsGiven,
    Nothing,
    Replaced(Box<Value>),
}

impl Ffi {
    /// A new cdata of type `ty` owning `size` zeroed bytes aligned to `align` (`len`: an open
    /// array's count).
    #[inline(always)]
    fn zeroed_cdata(
        &self,
        ty: TypeRef,
        size: usize,
        align: usize,
        len: Option<usize>,
    ) -> Result<CData> {
        let mem = Allocation::zeroed_shared(size, align)?;
        Ok(CData::owning(self, ty, mem, len, Origin::New))
    }

    /// `new` of type `ty` (a pointer or array type) with initializer `init`. The common cases
    /// take their memory in line, without the general plan (`plan_new`, `finish_new`); every
    /// other case, and every error, is the general path's.
    #[inline(always)]
    pub(crate) fn new_value(&self, ty: TypeRef, init: &Value) -> Result<CData> {
        match init {
            Value::Void => self.new_zeroed(ty),
            Value::Int(_) | Value::Float(_) => self.new_number(ty, init),
            _ => self.new_general(ty, init),
        }
    }

    /// [`new_value`](Self::new_value) without an initializer (`new("T *", ())`, the common
    /// `new`): for a pointer to an object of known size, or an array of a fixed length (whose
    /// size its type knows), its zeroed memory straight away; anything else (an open array, a
    /// function, a type of unknown size, not a pointer) the general path and its errors.
    #[inline(always)]
    fn new_zeroed(&self, ty: TypeRef) -> Result<CData> {
        let info = ty.get(&self.inner);
        if let Some(object) = self.pointee(info) {
            let oinfo = object.get(&self.inner);
            if let (Some((size, align)), false) =
                (oinfo.layout, matches!(oinfo.repr, Repr::Function { .. }))
            {
                // (A flexible array member without an initializer has no items: the fixed
                // size, as `plan_new` finds.)
                return self.zeroed_cdata(ty, size, align, None);
            }
        }
        if let (Repr::Array { len: Some(_), .. }, Some((size, align))) = (&info.repr, info.layout) {
            return self.zeroed_cdata(ty, size, align, None);
        }
        self.new_general(ty, &Value::Void)
    }

    /// [`new_value`](Self::new_value) with a number (`new("int *", 42)`, `new("double *", x)`,
    /// `new("char[]", 256)`): for a pointer to a plain number type (`TypeInfo::fast`) and a
    /// value it holds, the number's bytes written as the new block's first word; for an open
    /// array, that many zeroed items; anything else (a value out of range, a float for an
    /// integer type, other types) the general path, which converts it or reports why not.
    #[inline(always)]
    fn new_number(&self, ty: TypeRef, init: &Value) -> Result<CData> {
        let info = ty.get(&self.inner);
        if let Some(object) = self.pointee(info) {
            let oinfo = object.get(&self.inner);
            let bytes = oinfo.fast.and_then(|f| crate::data::encode_fast(f, init));
            if let (Some(b), Some((size, _))) = (bytes, oinfo.layout) {
                // (The word's bytes past the number's size are not written: `shared_words`.)
                let mem = Allocation::shared_words(size, [u64::from_le_bytes(b), 0]);
                return Ok(CData::owning(self, ty, mem, None, Origin::New));
            }
        }
        // An open array and its length: a negative or too large one takes the general path,
        // for its message.
        if let (Repr::Array { elem, len: None }, Value::Int(n)) = (&info.repr, init)
            && let Ok(count) = usize::try_from(*n)
            && let Some((esize, align)) = elem.get(&self.inner).layout
            && let Some(size) = array_bytes(count, esize, true)
        {
            return self.zeroed_cdata(ty, size, align, Some(count));
        }
        self.new_general(ty, init)
    }

    /// [`new_value`](Self::new_value) by the general plan: every type and initializer, and
    /// every error.
    #[inline(never)]
    fn new_general(&self, ty: TypeRef, init: &Value) -> Result<CData> {
        let plan = self.plan_new(ty, init)?;
        let mem = Allocation::zeroed_shared(plan.size, plan.align)?;
        self.finish_new(&plan, init, mem)
    }

    /// Works out the size, alignment and initializer of a `new`.
    #[inline]
    pub(super) fn plan_new(&self, ty: TypeRef, init: &Value) -> Result<NewPlan> {
        let info = ty.get(&self.inner);
        match &info.repr {
            Repr::Pointer { .. } => {
                let object = self
                    .pointee(info)
                    .ok_or_else(|| not_pointer_or_array(info))?;
                let oinfo = object.get(&self.inner);
                if matches!(oinfo.repr, Repr::Function { .. }) {
                    return Err(not_pointer_or_array(info));
                }
                let Some((size, align)) = oinfo.layout else {
                    // Why the size is unknown, when the registry says more (too large).
                    if let Err(e @ rcffi_cdef::LayoutError::TooBig { .. }) =
                        self.inner.read().layout(oinfo.id)
                    {
                        return Err(Error::from(e));
                    }
                    return Err(Error::Type(
                        format!("cannot instantiate ctype '{}' of unknown size", oinfo.name).into(),
                    ));
                };
                let (size, init) = match crate::data::varsize::varsize_bytes(self, oinfo, init)? {
                    None => (size, Init::AsGiven),
                    Some(n) => (
                        n,
                        Init::Replaced(Box::new(crate::data::varsize::strip_varsize_length(
                            self, oinfo, init,
                        ))),
                    ),
                };
                Ok(NewPlan {
                    ty,
                    object,
                    size,
                    align,
                    len: None,
                    init,
                })
            }
            Repr::Array { elem, len } => {
                let e = elem.get(&self.inner);
                let Some((esize, align)) = e.layout else {
                    return Err(Error::Value(
                        format!("array item of unknown size: '{}'", e.name).into(),
                    ));
                };
                let (count, init, open_len) = match len {
                    Some(n) => (*n, Init::AsGiven, None),
                    None => {
                        let (n, init) = open_array_length(info, e, init)?;
                        (n, init, Some(n))
                    }
                };
                let size = array_bytes(count, esize, open_len.is_some()).ok_or_else(|| {
                    let what = if count
                        .checked_mul(esize)
                        .is_some_and(|s| s <= isize::MAX as usize)
                    {
                        // (Only an open array's count is limited below the bytes.)
                        format!(
                            "array length {count} is more than an open array may have ({} items)",
                            crate::data::cdata::Len::MAX
                        )
                    } else {
                        format!("array size would overflow: {count} items of {esize} bytes")
                    };
                    Error::Overflow(what.into())
                })?;
                Ok(NewPlan {
                    ty,
                    object: ty,
                    size,
                    align,
                    len: open_len,
                    init,
                })
            }
            _ => Err(not_pointer_or_array(info)),
        }
    }

    /// Writes the initializer of a planned `new` into its memory and makes the cdata.
    #[inline]
    pub(super) fn finish_new(
        &self,
        plan: &NewPlan,
        init: &Value,
        mem: crate::mem::Shared,
    ) -> Result<CData> {
        let init = match &plan.init {
            Init::AsGiven => init,
            Init::Nothing => &Value::Void,
            Init::Replaced(v) => v,
        };
        let len = if plan.ty.get(&self.inner).is_pointer() {
            None
        } else {
            plan.len
        };
        if matches!(init, Value::Void) {
            return Ok(CData::owning(self, plan.ty, mem, len, Origin::New));
        }
        // Small allocations are inline: their address is where the block put them.
        let addr = mem.addr();
        let owner = Owner::Alloc(mem);
        let place = Place {
            uni: self,
            ty: plan.object,
            addr,
            owner: owner.as_ref(),
            len: plan.len,
        };
        convert::value_to_c(&place, init)?;
        // The cdata makes its own owner (`CData::owning`): taken back out of this one.
        let Owner::Alloc(mem) = owner else {
            unreachable!("the owner made above")
        };
        Ok(CData::owning(self, plan.ty, mem, len, Origin::New))
    }
}

/// The bytes of `count` items of `esize` bytes, when they stay within `isize::MAX` and — for
/// an open array (`open`), whose count the cdata keeps — the count within `Len::MAX` (items of
/// size 0 take no bytes); a fixed array's count is its type's.
fn array_bytes(count: usize, esize: usize, open: bool) -> Option<usize> {
    count
        .checked_mul(esize)
        .filter(|s| *s <= isize::MAX as usize && (!open || count <= crate::data::cdata::Len::MAX))
}

fn not_pointer_or_array(info: &TypeInfo) -> Error {
    Error::Type(format!("expected a pointer or array ctype, got '{}'", info.name).into())
}

/// The length of `new("T[]", init)`, and how the initializer is used.
fn open_array_length(info: &TypeInfo, elem: &TypeInfo, init: &Value) -> Result<(usize, Init)> {
    let char_like = matches!(&elem.repr, Repr::Int(k) if k.bytes == 1 && k.role != IntRole::Bool);
    let bool_like = matches!(&elem.repr, Repr::Int(k) if k.role == IntRole::Bool);
    let wide = matches!(&elem.repr, Repr::Int(k) if k.role == IntRole::Wide);
    match init {
        Value::Int(n) => {
            if *n < 0 {
                return Err(Error::Value(
                    format!("negative array length {n} for '{}'", info.name).into(),
                ));
            }
            let n = usize::try_from(*n).map_err(|_| {
                Error::Overflow("cannot fit 'int' into an index-sized integer".into())
            })?;
            Ok((n, Init::Nothing))
        }
        Value::UInt(_) => Err(Error::Overflow(
            "cannot fit 'int' into an index-sized integer".into(),
        )),
        Value::List(items) => Ok((items.len(), Init::AsGiven)),
        Value::Numbers(n) => Ok((n.len(), Init::AsGiven)),
        Value::Bytes(b) if char_like || bool_like => Ok((b.len() + 1, Init::AsGiven)),
        Value::Text(t) if wide => {
            let units = if elem.size() == Some(2) {
                t.encode_utf16().count()
            } else {
                t.chars().count()
            };
            Ok((units + 1, Init::AsGiven))
        }
        // Rust strings are UTF-8 bytes: a `char[]` takes them as bytes (cffi wants bytes).
        Value::Text(t) if char_like => Ok((t.len() + 1, Init::AsGiven)),
        other => Err(Error::Type(
            format!(
                "expected new array length or list/tuple/str, not {} (for ctype '{}')",
                other.type_name(),
                info.name
            )
            .into(),
        )),
    }
}

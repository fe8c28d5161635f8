//! Variable-size structs: a struct whose last member is a flexible array (`int data[]`), or
//! a struct nested last that ends in one, takes that member's length from the initializer of
//! `new` (cffi's `new("foo_t *", [5, [6, 7, 8]])`, `[5, 3]`, `{"data": 3}`).

use crate::data::Value;
use crate::error::{Error, Result};
use crate::types::Ffi;
use crate::types::{FieldRt, RecordBody, Repr, TypeInfo};

/// The position of member `f` in a list initializer of `body` (union members after the
/// first are not listed).
fn list_position(body: &RecordBody, f: &FieldRt) -> Option<usize> {
    body.fields
        .iter()
        .filter(|x| !x.skip_in_list)
        .position(|x| std::ptr::eq(x, f))
}

/// The initializer a list or map gives member `f` of `body`, if any.
fn member_init<'v>(body: &RecordBody, f: &FieldRt, v: &'v Value) -> Option<&'v Value> {
    match v {
        Value::List(items) => list_position(body, f).and_then(|i| items.get(i)),
        Value::Map(items) => items.iter().find(|(k, _)| **k == *f.name).map(|(_, v)| v),
        _ => None,
    }
}

/// The last member of a struct, when it can make the struct variable-size: a flexible array
/// (`T x[]`) or a struct that ends in one.
fn varsize_member(info: &TypeInfo) -> Option<(&RecordBody, &FieldRt)> {
    let Repr::Record {
        kind: rcffi_cdef::RecordKind::Struct,
        body: Some(body),
    } = &info.repr
    else {
        return None;
    };
    let last = body.fields.last()?;
    (last.bit_width.is_none()).then_some((body, last))
}

/// For `new`: how many bytes a variable-size struct needs for this initializer (the
/// flexible array member's length comes from it, also when the member is the last one of a
/// struct nested last), or `None` for a fixed size.
#[inline]
pub(super) fn varsize_bytes(uni: &Ffi, info: &TypeInfo, v: &Value) -> Result<Option<usize>> {
    // Without an initializer a flexible array member has no items: the fixed size. (The
    // common `new(T *)` stops here, inlined.)
    if matches!(v, Value::Void) {
        return Ok(None);
    }
    varsize_init(uni, info, v)
}

#[inline(never)]
fn varsize_init(uni: &Ffi, info: &TypeInfo, v: &Value) -> Result<Option<usize>> {
    let Some((body, f)) = varsize_member(info) else {
        return Ok(None);
    };
    if let Value::Numbers(n) = v {
        // The members in order, as the list of the same numbers gives them.
        return varsize_init(uni, info, &Value::List(n.to_values()));
    }
    let init = member_init(body, f, v);
    let size = info.size().unwrap_or(0);
    let ft = f.ty.get(&uni.inner);
    match &ft.repr {
        Repr::Array { elem, len: None } => {
            let esize = elem.get(&uni.inner).size().unwrap_or(1);
            let n = match init {
                None | Some(Value::Void) => 0,
                Some(Value::Int(n)) => usize::try_from(*n).map_err(|_| {
                    Error::Value(
                        format!("negative array length {n} for member '{}'", f.name).into(),
                    )
                })?,
                Some(Value::UInt(n)) => {
                    return Err(Error::Overflow(
                        format!(
                            "array length {n} for member '{}' does not fit an index",
                            f.name
                        )
                        .into(),
                    ));
                }
                Some(Value::List(l)) => l.len(),
                Some(Value::Numbers(n)) => n.len(),
                Some(Value::Bytes(b)) => b.len() + 1,
                Some(Value::Text(s)) => s.chars().count() + 1,
                Some(other) => {
                    return Err(Error::Type(format!(
                        "initializer for the flexible array member '{}' must be a length or a list, not {}",
                        f.name,
                        other.describe()
                    ).into()));
                }
            };
            let bytes = n
                .checked_mul(esize)
                .and_then(|b| b.checked_add(f.offset()))
                .filter(|b| *b <= isize::MAX as usize)
                .ok_or_else(|| {
                    Error::Overflow(
                        format!(
                            "flexible array member '{}' of {n} items is too large",
                            f.name
                        )
                        .into(),
                    )
                })?;
            Ok(Some(size.max(bytes)))
        }
        Repr::Record { .. } => match init {
            Some(sub) => Ok(varsize_bytes(uni, ft, sub)?.map(|n| size.max(f.offset() + n))),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

/// For `new` of a variable-size struct: the initializer with the flexible member's length
/// (an integer) turned into "no initializer" (the memory is already zero), also inside a
/// struct nested last.
pub(super) fn strip_varsize_length(uni: &Ffi, info: &TypeInfo, v: &Value) -> Value {
    let Some((body, f)) = varsize_member(info) else {
        return v.clone();
    };
    if let Value::Numbers(n) = v {
        return strip_varsize_length(uni, info, &Value::List(n.to_values()));
    }
    let Some(init) = member_init(body, f, v) else {
        return v.clone();
    };
    let ft = f.ty.get(&uni.inner);
    let replacement = match (&ft.repr, init) {
        (Repr::Array { len: None, .. }, Value::Int(_)) => Value::Void,
        (Repr::Record { .. }, sub) => strip_varsize_length(uni, ft, sub),
        _ => return v.clone(),
    };
    let mut out = v.clone();
    match &mut out {
        Value::List(items) => {
            if let Some(slot) = list_position(body, f).and_then(|i| items.get_mut(i)) {
                *slot = replacement;
            }
        }
        Value::Map(items) => {
            if let Some((_, x)) = items.iter_mut().find(|(k, _)| **k == *f.name) {
                *x = replacement;
            }
        }
        _ => {}
    }
    out
}

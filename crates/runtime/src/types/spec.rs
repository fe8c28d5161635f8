//! [`TypeSpec`]: what names a C type (a type string, a [`CType`], a cdata's type), resolved in
//! the `ffi` object it belongs to; and member paths (`"b.y"`, `"arr[3].x"`).

use rcffi_cdef::{CTypeId, PathError, PathStep};

use super::{CType, Ffi, TypeRef};
use crate::error::{Error, Result};

/// Something that names a C type: a type string (`"int *"`, `"struct foo[3]"`), a [`CType`],
/// or a [`CData`](crate::CData) (its type).
///
/// A type string is parsed by the `ffi` object it is given to. A `CType` or a cdata always
/// means its own type, in the `ffi` object it came from: given to another `ffi` object's
/// method, that method works in the type's own `ffi` object (`ffi_b.new(&ctype_of_a, ..)`
/// makes a cdata of `ffi_a`), since the types of two `ffi` objects are never the same.
pub trait TypeSpec {
    /// The registry id of the type, parsed (and cached) if a string, in the `ffi` object
    /// [`TypeSpec::resolve_id`] names.
    ///
    /// # Errors
    ///
    /// A type string that does not parse, or a cdata or ctype of another `ffi` object.
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId>;

    /// For a cdata, its own size (`sizeof(cdata)`: open arrays and variable-size structs
    /// count what they hold).
    #[doc(hidden)]
    fn cdata_size(&self) -> Option<Result<usize>> {
        None
    }

    /// Whether this is a cdata standing for its type (`new` and `cast` refuse one, as cffi
    /// does).
    #[doc(hidden)]
    fn is_cdata(&self) -> bool {
        false
    }

    /// The `ffi` object the type belongs to, if it is not the one asked (a `CType` or cdata).
    #[doc(hidden)]
    fn own_ffi(&self) -> Option<&Ffi> {
        None
    }

    /// The realized type in `uni`.
    #[doc(hidden)]
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        Ok(uni.realize(self.type_id(uni)?))
    }

    /// The `ffi` object the type belongs to (its own, or `asked`) and the realized type there.
    #[doc(hidden)]
    #[inline(always)]
    fn resolve<'a>(&'a self, asked: &'a Ffi) -> Result<(&'a Ffi, TypeRef)> {
        let ffi = self.own_ffi().unwrap_or(asked);
        Ok((ffi, self.type_ref(ffi)?))
    }

    /// The `ffi` object the type belongs to (its own, or `asked`) and the registry id there.
    #[doc(hidden)]
    fn resolve_id<'a>(&'a self, asked: &'a Ffi) -> Result<(&'a Ffi, CTypeId)> {
        let ffi = self.own_ffi().unwrap_or(asked);
        Ok((ffi, self.type_id(ffi)?))
    }
}

impl TypeSpec for str {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        Ok(uni.parse(self)?.get(&uni.inner).id)
    }
    #[inline]
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for &str {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        (**self).type_id(uni)
    }
    #[inline]
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for String {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        self.as_str().type_id(uni)
    }
    #[inline]
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for &String {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        self.as_str().type_id(uni)
    }
    #[inline]
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for CType {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        (&self).type_id(uni)
    }
    fn own_ffi(&self) -> Option<&Ffi> {
        Some(&self.uni)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        (&self).type_ref(uni)
    }
}

impl TypeSpec for &CType {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        if !self.uni.same(uni) {
            return Err(Error::Type(
                format!("ctype '{}' belongs to another ffi object", self.cname()).into(),
            ));
        }
        Ok(self.id)
    }
    fn own_ffi(&self) -> Option<&Ffi> {
        Some(&self.uni)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        let id = self.type_id(uni)?;
        if let Some(t) = self.realized.get() {
            return Ok(*t);
        }
        let t = uni.realize(id);
        if uni.inner.is_final(t.get(&uni.inner)) {
            let _ = self.realized.set(t);
        }
        Ok(t)
    }
}

/// The error of a member path that does not apply to its type.
pub(crate) fn path_error(e: PathError) -> Error {
    match e {
        PathError::NoField { ty, field } => {
            Error::Key(format!("'{ty}' has no field '{field}'").into())
        }
        PathError::Layout(e) => Error::from(e),
        e @ PathError::Overflow { .. } => Error::Overflow(e.to_string().into()),
        e => Error::Type(e.to_string().into()),
    }
}

/// Parses a member path: `a.b[3].c`, `[2][1]`.
pub(crate) fn parse_path(path: &str) -> Result<Vec<PathStep>> {
    let bad = || {
        Error::Value(
            format!("bad member path '{path}': expected names and [indexes], as in 'a.b[3].c'")
                .into(),
        )
    };
    let mut steps = Vec::new();
    let s = path.trim();
    if s.is_empty() {
        return Err(Error::Value("a member name or an index is needed".into()));
    }
    let mut rest = s;
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').ok_or_else(bad)?;
            let n: i64 = r[..end].trim().parse().map_err(|_| bad())?;
            steps.push(PathStep::Index(n));
            rest = &r[end + 1..];
        } else {
            if !first {
                rest = rest.strip_prefix('.').ok_or_else(bad)?;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let name = rest[..end].trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            {
                return Err(bad());
            }
            steps.push(PathStep::Field(name.to_string()));
            rest = &rest[end..];
        }
        first = false;
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("a.b[3].c").unwrap(),
            [
                PathStep::Field("a".into()),
                PathStep::Field("b".into()),
                PathStep::Index(3),
                PathStep::Field("c".into())
            ]
        );
        assert_eq!(parse_path("[-1]").unwrap(), [PathStep::Index(-1)]);
        for bad in ["", "a..b", "a[", "a[x]", ".a", "a b"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}

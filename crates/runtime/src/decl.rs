//! The declaration half of the `ffi` object, on [`Ffi`]: `typeof`, `sizeof`, `alignof`,
//! `offsetof`, `getctype`, `list_types` and integer constants. Works before any library is
//! loaded.

use rcffi_cdef::{CTypeId, CTypeKind, PathError, PathStep};

use crate::cdata::CData;
use crate::ctype::CType;
use crate::error::{Error, Result};
use crate::universe::{Ffi, TypeRef};

/// Something that names a C type: a type string (`"int *"`, `"struct foo[3]"`) or a [`CType`].
pub trait TypeSpec {
    /// The registry id of the type, parsed (and cached) if a string.
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId>;

    /// For a cdata, its own size (`sizeof(cdata)`: open arrays and variable-size structs
    /// count what they hold).
    #[doc(hidden)]
    fn cdata_size(&self) -> Option<Result<usize>> {
        None
    }

    /// The realized type.
    #[doc(hidden)]
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        Ok(uni.realize(self.type_id(uni)?))
    }
}

impl TypeSpec for str {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        Ok(uni.parse(self)?.get(&uni.inner).id)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for &str {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        (**self).type_id(uni)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for String {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        self.as_str().type_id(uni)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for &String {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        self.as_str().type_id(uni)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        uni.parse(self)
    }
}

impl TypeSpec for CType {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        (&self).type_id(uni)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        (&self).type_ref(uni)
    }
}

impl TypeSpec for &CType {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        if !self.uni.same(uni) {
            return Err(Error::Type(format!(
                "ctype '{}' belongs to another ffi object; use a type string",
                self.cname()
            )));
        }
        Ok(self.id)
    }
    fn type_ref(&self, uni: &Ffi) -> Result<TypeRef> {
        if let Some(t) = self.realized.get()
            && self.uni.same(uni)
        {
            return Ok(*t);
        }
        let t = uni.realize(self.type_id(uni)?);
        if t.get(&uni.inner).is_complete() {
            let _ = self.realized.set(t);
        }
        Ok(t)
    }
}

impl TypeSpec for CData {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        (&self).type_id(uni)
    }
    fn cdata_size(&self) -> Option<Result<usize>> {
        Some(self.sizeof())
    }
}

impl TypeSpec for &CData {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        if !self.uni.same(uni) {
            return Err(Error::Type(format!(
                "{} belongs to another ffi object",
                self.what()
            )));
        }
        Ok(self.info().id)
    }
    fn cdata_size(&self) -> Option<Result<usize>> {
        Some(self.sizeof())
    }
}

/// cffi's `list_types()`: the names of declared types, each list sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeList {
    /// Typedef names.
    pub typedefs: Vec<String>,
    /// Struct tags.
    pub structs: Vec<String>,
    /// Union tags.
    pub unions: Vec<String>,
}

impl Ffi {
    /// The [`CType`] of a type string (cffi's `ffi.typeof`); a function type (not a pointer to
    /// one) is refused.
    pub fn typeof_<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<CType> {
        let id = ty.type_id(self)?;
        let r = self.registry();
        if let CTypeKind::Function(_) = r.kind(r.strip_aligned(id)) {
            return Err(Error::Type(format!(
                "the type '{}' is a function type, not a pointer-to-function type",
                r.cname(id)
            )));
        }
        drop(r);
        Ok(CType::new(self, id))
    }

    /// `sizeof` a type.
    pub fn sizeof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        if let Some(size) = ty.cdata_size() {
            return size;
        }
        let id = ty.type_id(self)?;
        Ok(self.registry().layout(id)?.size as usize)
    }

    /// `_Alignof` a type.
    pub fn alignof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        let id = ty.type_id(self)?;
        Ok(self.registry().layout(id)?.align as usize)
    }

    /// The byte offset of a member path (`"b.y"`, `"pts[2].x"`, `"[51]"`), as cffi's
    /// `offsetof`.
    pub fn offsetof<T: TypeSpec + ?Sized>(&self, ty: &T, path: &str) -> Result<isize> {
        let id = ty.type_id(self)?;
        let steps = parse_path(path)?;
        let r = self.registry();
        match r.offset_path(id, &steps) {
            Ok((off, _)) => Ok(off as isize),
            Err(PathError::NoField { ty, field }) => {
                Err(Error::Key(format!("'{ty}' has no field '{field}'")))
            }
            Err(PathError::Layout(e)) => Err(Error::Layout(e)),
            Err(e) => Err(Error::Type(e.to_string())),
        }
    }

    /// cffi's `getctype`: the C spelling with a declarator inserted.
    pub fn getctype<T: TypeSpec + ?Sized>(&self, ty: &T, replace_with: &str) -> Result<String> {
        let id = ty.type_id(self)?;
        Ok(self.registry().getctype(id, replace_with))
    }

    /// cffi's `list_types()`.
    pub fn list_types(&self) -> TypeList {
        let (typedefs, structs, unions) = self.registry().list_types();
        TypeList {
            typedefs,
            structs,
            unions,
        }
    }

    /// The value of an integer constant: an enumerator, a `#define`, or a `static const`.
    pub fn integer_const(&self, name: &str) -> Result<i128> {
        let r = self.registry();
        match r.integer_const(name) {
            Some(v) => Ok(v.value),
            None => match r.decl(name) {
                Some(d) => Err(Error::Key(format!(
                    "'{name}' is a {} with no integer value known to the cdef",
                    d.kind_name()
                ))),
                None => Err(Error::Key(format!("integer constant '{name}' not found"))),
            },
        }
    }
}

/// Parses a member path: `a.b[3].c`, `[2][1]`.
pub(crate) fn parse_path(path: &str) -> Result<Vec<PathStep>> {
    let bad = || {
        Error::Value(format!(
            "bad member path '{path}': expected names and [indexes], as in 'a.b[3].c'"
        ))
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

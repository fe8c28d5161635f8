//! The declaration half of the `ffi` object, on [`Ffi`]: `typeof`, `sizeof`, `alignof`,
//! `offsetof`, `getctype`, `list_types` and integer constants. Works before any library is
//! loaded.

use rcffi_cdef::CTypeKind;

use crate::error::{Error, Result};
use crate::types::CType;
use crate::types::{Ffi, TypeSpec, parse_path, path_error};

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
        let (ffi, id) = ty.resolve_id(self)?;
        let r = ffi.inner.read();
        if let CTypeKind::Function(_) = r.kind(r.strip_aligned(id)) {
            return Err(Error::Type(format!(
                "the type '{}' is a function type, not a pointer-to-function type",
                r.cname(id)
            )));
        }
        drop(r);
        Ok(CType::new(ffi, id))
    }

    /// `sizeof` a type.
    pub fn sizeof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        if let Some(size) = ty.cdata_size() {
            return size;
        }
        let (ffi, id) = ty.resolve_id(self)?;
        Ok(ffi.inner.read().layout(id)?.size as usize)
    }

    /// `_Alignof` a type.
    pub fn alignof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        let (ffi, id) = ty.resolve_id(self)?;
        Ok(ffi.inner.read().layout(id)?.align as usize)
    }

    /// The byte offset of a member path (`"b.y"`, `"pts[2].x"`, `"[51]"`), as cffi's
    /// `offsetof`.
    pub fn offsetof<T: TypeSpec + ?Sized>(&self, ty: &T, path: &str) -> Result<isize> {
        let (ffi, id) = ty.resolve_id(self)?;
        let steps = parse_path(path)?;
        let r = ffi.inner.read();
        let (off, _) = r.offset_path(id, &steps).map_err(path_error)?;
        isize::try_from(off).map_err(|_| {
            Error::Overflow(format!("offsetof('{path}') = {off} does not fit an isize"))
        })
    }

    /// cffi's `getctype`: the C spelling with a declarator inserted.
    pub fn getctype<T: TypeSpec + ?Sized>(&self, ty: &T, replace_with: &str) -> Result<String> {
        let (ffi, id) = ty.resolve_id(self)?;
        Ok(ffi.inner.read().getctype(id, replace_with))
    }

    /// cffi's `list_types()`.
    pub fn list_types(&self) -> TypeList {
        let (typedefs, structs, unions) = self.inner.read().list_types();
        TypeList {
            typedefs,
            structs,
            unions,
        }
    }

    /// The value of an integer constant: an enumerator, a `#define`, or a `static const`.
    pub fn integer_const(&self, name: &str) -> Result<i128> {
        let r = self.inner.read();
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

//! [`Ffi`]: cffi's `ffi` object. This module holds the declaration half, which works before any
//! library is loaded: `cdef`, `typeof`, `sizeof`, `alignof`, `offsetof`, `getctype`,
//! `list_types` and integer constants.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rcffi_cdef::{
    CTypeId, CTypeKind, CdefOptions, CdefReport, PathError, PathStep, Registry, Target,
};

use crate::ctype::CType;
use crate::error::{Error, Result};

/// The shared state of an [`Ffi`] and every [`CType`] it made.
pub(crate) struct Inner {
    reg: RwLock<Registry>,
    /// Parsed type strings: a repeated type string is never parsed twice.
    cache: RwLock<HashMap<Box<str>, CTypeId>>,
}

impl Inner {
    /// The registry, for reading. A poisoned lock is still usable: the registry is only
    /// changed inside `cdef`, which leaves it consistent even if it fails.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Registry> {
        self.reg.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Registry> {
        self.reg.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// cffi's `ffi` object: declarations, types, and (in later parts) libraries and memory.
///
/// Cheap to clone (clones share everything) and usable from many threads at once.
///
/// ```
/// let ffi = rcffi::Ffi::new();
/// ffi.cdef(r#"
///     typedef struct { double x, y; } point_t;
///     struct line { point_t a, b; unsigned flags : 3; };
/// "#)?;
/// assert_eq!(ffi.sizeof("struct line")?, 40);
/// assert_eq!(ffi.offsetof("struct line", "b.y")?, 24);
/// assert_eq!(ffi.typeof_("point_t[4]")?.length(), Some(4));
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct Ffi {
    pub(crate) inner: Arc<Inner>,
}

/// Something that names a C type: a type string (`"int *"`, `"struct foo[3]"`) or a [`CType`].
pub trait TypeSpec {
    /// The registry id of the type, parsed (and cached) if a string.
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId>;
}

impl TypeSpec for str {
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId> {
        ffi.parse_cached(self)
    }
}

impl TypeSpec for &str {
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId> {
        ffi.parse_cached(self)
    }
}

impl TypeSpec for String {
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId> {
        ffi.parse_cached(self)
    }
}

impl TypeSpec for &String {
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId> {
        ffi.parse_cached(self)
    }
}

impl TypeSpec for CType {
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId> {
        (&self).type_id(ffi)
    }
}

impl TypeSpec for &CType {
    fn type_id(&self, ffi: &Ffi) -> Result<CTypeId> {
        if !Arc::ptr_eq(&self.ffi, &ffi.inner) {
            return Err(Error::Type(format!(
                "ctype '{}' belongs to another Ffi; use a type string",
                self.cname()
            )));
        }
        Ok(self.id)
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

impl Default for Ffi {
    fn default() -> Self {
        Ffi::new()
    }
}

impl std::fmt::Debug for Ffi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.inner.read();
        f.debug_struct("Ffi")
            .field("target", &r.target().name)
            .field("declarations", &r.decls().count())
            .finish()
    }
}

impl Ffi {
    /// A new `ffi` object for the host, knowing cffi's built-in type names.
    pub fn new() -> Ffi {
        Ffi::with_target(Target::host())
    }

    /// A new `ffi` object computing layouts for another target (declarations and layouts only:
    /// libraries can only be loaded for the host).
    ///
    /// ```
    /// let ffi = rcffi::Ffi::with_target(rcffi::Target::aarch64_linux());
    /// assert_eq!(ffi.sizeof("long double")?, 16);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn with_target(target: Target) -> Ffi {
        Ffi {
            inner: Arc::new(Inner {
                reg: RwLock::new(Registry::with_target(target)),
                cache: RwLock::new(HashMap::new()),
            }),
        }
    }

    /// The target this `ffi` lays types out for.
    pub fn target(&self) -> Target {
        self.inner.read().target().clone()
    }

    /// Declares C declarations (cffi's `ffi.cdef(source)`). Accepts cffi's subset (including
    /// `...` forms and `#define NAME <number>`) and the `gcc -E` output of real headers. On
    /// error nothing is declared and the error names the line and column.
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// ffi.cdef("int printf(const char *fmt, ...);")?;
    /// let err = ffi.cdef("int x y;").unwrap_err();
    /// assert!(err.to_string().starts_with("<cdef>:1:7:"));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn cdef(&self, text: &str) -> Result<CdefReport> {
        self.cdef_with(text, &CdefOptions::default())
    }

    /// [`Ffi::cdef`] with options: `override_` (a later different declaration replaces an
    /// earlier one), `packed` (as `#pragma pack(1)`), `pack` (as `#pragma pack(N)`).
    ///
    /// ```
    /// use rcffi::CdefOptions;
    /// let ffi = rcffi::Ffi::new();
    /// ffi.cdef_with("struct s { char a; int b; };", &CdefOptions { packed: true, ..Default::default() })?;
    /// assert_eq!(ffi.sizeof("struct s")?, 5);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn cdef_with(&self, text: &str, options: &CdefOptions) -> Result<CdefReport> {
        let report = self.inner.write().cdef_with(text, options)?;
        if options.override_ {
            // A replaced typedef may change what cached type strings mean.
            self.inner
                .cache
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
        Ok(report)
    }

    fn parse_cached(&self, text: &str) -> Result<CTypeId> {
        if let Some(id) = self
            .inner
            .cache
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(text)
        {
            return Ok(*id);
        }
        let id = self.inner.write().parse_type(text)?;
        self.inner
            .cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(text.into(), id);
        Ok(id)
    }

    /// The [`CType`] of a type string (cffi's `ffi.typeof`). Parsed once; later calls with
    /// the same string are a cache lookup. Qualifiers are dropped and declarator names ignored,
    /// as in cffi. A function type (not a pointer to one) is refused.
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// assert_eq!(ffi.typeof_("const int *")?.cname(), "int *");
    /// assert_eq!(ffi.typeof_("long(*)(long, long**, ...)")?.cname(), "long(*)(long, long * *, ...)");
    /// assert!(ffi.typeof_("int(int)").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn typeof_<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<CType> {
        let id = ty.type_id(self)?;
        let r = self.inner.read();
        if let CTypeKind::Function(_) = r.kind(r.strip_aligned(id)) {
            return Err(Error::Type(format!(
                "the type '{}' is a function type, not a pointer-to-function type",
                r.cname(id)
            )));
        }
        drop(r);
        Ok(CType::new(self.inner.clone(), id))
    }

    /// `sizeof` a type (cffi's `ffi.sizeof`).
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// assert_eq!(ffi.sizeof("long double")?, 16);
    /// assert!(ffi.sizeof("void").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn sizeof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        let id = ty.type_id(self)?;
        Ok(self.inner.read().layout(id)?.size as usize)
    }

    /// `_Alignof` a type (cffi's `ffi.alignof`).
    pub fn alignof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        let id = ty.type_id(self)?;
        Ok(self.inner.read().layout(id)?.align as usize)
    }

    /// The byte offset of a member (cffi's `ffi.offsetof`), by a path of member names and
    /// indexes: `"b.y"`, `"pts[2].x"`, `"[51]"` for an array element. A pointer to a struct
    /// is accepted for the first name, and a pointer for the first index (which may be
    /// negative), as in cffi.
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// ffi.cdef("struct pt { short x, y; }; struct shape { int n; struct pt pts[4]; };")?;
    /// assert_eq!(ffi.offsetof("struct shape", "pts[2].y")?, 4 + 2 * 4 + 2);
    /// assert_eq!(ffi.offsetof("int[]", "[51]")?, 204);
    /// assert_eq!(ffi.offsetof("int *", "[-1]")?, -4);
    /// assert!(matches!(ffi.offsetof("struct pt", "z"), Err(rcffi::Error::Key(_))));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn offsetof<T: TypeSpec + ?Sized>(&self, ty: &T, path: &str) -> Result<isize> {
        let id = ty.type_id(self)?;
        let steps = parse_path(path)?;
        let r = self.inner.read();
        match r.offset_path(id, &steps) {
            Ok((off, _)) => Ok(off as isize),
            Err(PathError::NoField { ty, field }) => {
                Err(Error::Key(format!("'{ty}' has no field '{field}'")))
            }
            Err(PathError::Layout(e)) => Err(Error::Layout(e)),
            Err(e) => Err(Error::Type(e.to_string())),
        }
    }

    /// The C spelling of a type with `replace_with` inserted where a declarator goes (cffi's
    /// `ffi.getctype`).
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// assert_eq!(ffi.getctype("int", "x")?, "int x");
    /// assert_eq!(ffi.getctype("int[5]", "*")?, "int(*)[5]");
    /// assert_eq!(ffi.getctype("int(*)(int)", "*")?, "int(* *)(int)");
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn getctype<T: TypeSpec + ?Sized>(&self, ty: &T, replace_with: &str) -> Result<String> {
        let id = ty.type_id(self)?;
        Ok(self.inner.read().getctype(id, replace_with))
    }

    /// The declared type names: typedefs, struct tags and union tags, each sorted (cffi's
    /// `ffi.list_types()`).
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// ffi.cdef("typedef int foo_t; struct s; union u { int a; };")?;
    /// let l = ffi.list_types();
    /// assert_eq!((l.typedefs, l.structs, l.unions), (vec!["foo_t".to_string()], vec!["s".to_string()], vec!["u".to_string()]));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn list_types(&self) -> TypeList {
        let (typedefs, structs, unions) = self.inner.read().list_types();
        TypeList {
            typedefs,
            structs,
            unions,
        }
    }

    /// The value of an integer constant: an enumerator, a `#define`, or a `static const`
    /// integer (cffi: `lib.NAME` on a dlopened library, `ffi.integer_const` out of line).
    ///
    /// ```
    /// let ffi = rcffi::Ffi::new();
    /// ffi.cdef("#define BUFSIZE (1 << 12)\nenum color { RED, GREEN = 5, BLUE };\nstatic const int K = -1;")?;
    /// assert_eq!(ffi.integer_const("BUFSIZE")?, 4096);
    /// assert_eq!(ffi.integer_const("BLUE")?, 6);
    /// assert_eq!(ffi.integer_const("K")?, -1);
    /// assert!(ffi.integer_const("NOPE").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
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

    /// Reads the registry (every declaration and type), for tools and tests.
    pub fn with_registry<R>(&self, f: impl FnOnce(&Registry) -> R) -> R {
        f(&self.inner.read())
    }
}

/// Parses an `offsetof` path: `a.b[3].c`, `[2][1]`.
fn parse_path(path: &str) -> Result<Vec<PathStep>> {
    let bad = || {
        Error::Value(format!(
            "bad offsetof path '{path}': expected names and [indexes], as in 'a.b[3].c'"
        ))
    };
    let mut steps = Vec::new();
    let s = path.trim();
    if s.is_empty() {
        return Err(Error::Value(
            "offsetof() needs a member name or an index".into(),
        ));
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

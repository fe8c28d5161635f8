//! [`CType`]: a C type of a [`Ffi`] (an `ffi` object), with cffi's introspection.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use rcffi_cdef::{CTypeId, CTypeKind, RecordKind, Registry};

use crate::error::Result;
use crate::types::Ffi;

/// A C type, as cffi's `ffi.typeof()` returns it: cheap to clone, comparable, and describing
/// itself (`kind`, `cname`, `item`, `length`, `fields`, `args`, `result`, `ellipsis`,
/// `elements`).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef_with("struct point { int x, y; };", &Default::default())?;
/// let t = ffi.typeof_("struct point *")?;
/// assert_eq!(t.kind(), rcffi::Kind::Pointer);
/// assert_eq!(t.cname(), "struct point *");
/// let item = t.item().unwrap();
/// let fields = item.fields()?.unwrap();
/// assert_eq!(fields[1].0, "y");
/// assert_eq!(fields[1].1.offset, 4);
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct CType {
    pub(crate) uni: crate::types::Held,
    pub(crate) id: CTypeId,
    /// The realized type, once complete: `new(&ctype, ...)` skips every lookup.
    pub(super) realized: std::sync::OnceLock<crate::types::TypeRef>,
}

/// The kinds of [`CType`], with cffi's names.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Numbers, `_Bool`, characters, complex numbers (`"primitive"`).
    Primitive,
    /// A pointer to data (`"pointer"`).
    Pointer,
    /// An array (`"array"`).
    Array,
    /// `void` (`"void"`).
    Void,
    /// A struct (`"struct"`).
    Struct,
    /// A union (`"union"`).
    Union,
    /// An enum (`"enum"`).
    Enum,
    /// A pointer to a function, or a function (`"function"`).
    Function,
}

impl Kind {
    /// cffi's name of the kind (`"primitive"`, `"pointer"`...).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Primitive => "primitive",
            Kind::Pointer => "pointer",
            Kind::Array => "array",
            Kind::Void => "void",
            Kind::Struct => "struct",
            Kind::Union => "union",
            Kind::Enum => "enum",
            Kind::Function => "function",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A member of a struct or union, as cffi's `CField`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CField {
    /// The member's type.
    pub ty: CType,
    /// Byte offset from the start of the record (for bitfields, of their storage unit).
    pub offset: usize,
    /// For bitfields, the bit position in the storage unit; -1 otherwise.
    pub bitshift: i32,
    /// For bitfields, the width; -1 otherwise.
    pub bitsize: i32,
    /// cffi's flag: 1 for the members of a union after its first (also through anonymous
    /// members), which an initializer does not set; else 0.
    pub flags: u32,
}

impl CType {
    pub(crate) fn new(uni: &Ffi, id: CTypeId) -> CType {
        CType {
            uni: crate::types::Held::new(uni),
            id,
            realized: std::sync::OnceLock::new(),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&Registry) -> R) -> R {
        f(&self.uni.inner.read())
    }

    fn wrap(&self, id: CTypeId) -> CType {
        CType::new(&self.uni, id)
    }

    /// The universe (the `ffi` object) this type belongs to.
    pub fn universe(&self) -> &Ffi {
        &self.uni
    }

    /// The registry id of this type.
    pub fn id(&self) -> CTypeId {
        self.id
    }

    /// The kind of type.
    pub fn kind(&self) -> Kind {
        self.with(|r| kind_of(r, self.id))
    }

    /// The C name, normalized as cffi prints it: `"int *"`, `"int(*)(int, char *, ...)"`,
    /// `"struct foo"`, `"foo_t"` for an anonymous struct with a typedef.
    pub fn cname(&self) -> String {
        self.with(|r| r.cname(self.id))
    }

    /// The pointed-to type of a pointer, or the element type of an array.
    pub fn item(&self) -> Option<CType> {
        let id = self.with(|r| match r.kind(r.strip_aligned(self.id)) {
            CTypeKind::Pointer(t) if !matches!(r.kind(*t), CTypeKind::Function(_)) => Some(*t),
            CTypeKind::Array { elem, .. } => Some(*elem),
            _ => None,
        })?;
        Some(self.wrap(id))
    }

    /// The length of an array type; `None` for `T[]` and for other kinds.
    pub fn length(&self) -> Option<usize> {
        self.with(|r| match r.kind(r.strip_aligned(self.id)) {
            CTypeKind::Array { len, .. } => len.map(|n| n as usize),
            _ => None,
        })
    }

    /// The members of a struct or union in declaration order, members of anonymous members
    /// listed in their place (cffi's `fields`). `Ok(None)` for an opaque struct or another
    /// kind; an error when the layout is unknown (cffi's `...`).
    ///
    /// # Errors
    ///
    /// [`Error::Layout`](crate::Error::Layout) when the record has no layout (a member of unknown size).
    pub fn fields(&self) -> Result<Option<Vec<(String, CField)>>> {
        let fields = self.with(|r| r.fields(self.id))?;
        Ok(fields.map(|fs| {
            fs.into_iter()
                .map(|f| {
                    (
                        f.name,
                        CField {
                            ty: self.wrap(f.ty),
                            offset: f.offset as usize,
                            bitshift: f.bitshift,
                            bitsize: f.bitsize,
                            flags: f.flags,
                        },
                    )
                })
                .collect()
        }))
    }

    fn sig(&self) -> Option<rcffi_cdef::FuncSig> {
        self.with(|r| {
            let t = r.strip_aligned(self.id);
            let t = match r.kind(t) {
                CTypeKind::Pointer(f) => *f,
                _ => t,
            };
            match r.kind(t) {
                CTypeKind::Function(sig) => Some(sig.clone()),
                _ => None,
            }
        })
    }

    /// The parameter types of a function (pointer) type.
    pub fn args(&self) -> Option<Vec<CType>> {
        self.sig()
            .map(|s| s.params.iter().map(|p| self.wrap(*p)).collect())
    }

    /// The result type of a function (pointer) type.
    pub fn result(&self) -> Option<CType> {
        self.sig().map(|s| self.wrap(s.ret))
    }

    /// Whether a function (pointer) type is variadic (`...`).
    pub fn ellipsis(&self) -> Option<bool> {
        self.sig().map(|s| s.variadic)
    }

    /// The ABI of a function (pointer) type: libffi's `FFI_DEFAULT_ABI` (2 on x86-64 SysV, 1 on
    /// AArch64), as cffi reports it.
    pub fn abi(&self) -> Option<i32> {
        self.sig()
            .map(|_| if cfg!(target_arch = "aarch64") { 1 } else { 2 })
    }

    /// An enum's values by number (the first name wins for duplicate values), as cffi's
    /// `elements`.
    pub fn elements(&self) -> Option<BTreeMap<i128, String>> {
        self.enum_items().map(|items| {
            let mut m = BTreeMap::new();
            for (name, v) in items {
                m.entry(v).or_insert(name);
            }
            m
        })
    }

    /// An enum's values by name, as cffi's `relements`.
    pub fn relements(&self) -> Option<BTreeMap<String, i128>> {
        self.enum_items().map(|items| items.into_iter().collect())
    }

    fn enum_items(&self) -> Option<Vec<(String, i128)>> {
        self.with(|r| match r.kind(r.strip_aligned(self.id)) {
            CTypeKind::Enum(e) => Some(
                r.enum_def(*e)
                    .items
                    .as_ref()?
                    .iter()
                    .map(|(n, v)| (n.to_string(), *v))
                    .collect(),
            ),
            _ => None,
        })
    }

    /// `sizeof` this type.
    ///
    /// # Errors
    ///
    /// [`Error::Layout`](crate::Error::Layout) for a type without a size (`void`, a function, an opaque
    /// struct).
    pub fn size(&self) -> Result<usize> {
        Ok(self.with(|r| r.layout(self.id))?.size as usize)
    }

    /// `_Alignof` this type.
    ///
    /// # Errors
    ///
    /// [`Error::Layout`](crate::Error::Layout) for a type without a size (`void`, a function, an opaque
    /// struct).
    pub fn align(&self) -> Result<usize> {
        Ok(self.with(|r| r.layout(self.id))?.align as usize)
    }
}

/// cffi's kind of a registry type.
pub(super) fn kind_of(r: &Registry, id: CTypeId) -> Kind {
    match r.kind(r.strip_aligned(id)) {
        CTypeKind::Void => Kind::Void,
        CTypeKind::Prim(_) | CTypeKind::UnknownNumber { .. } | CTypeKind::Vector { .. } => {
            Kind::Primitive
        }
        CTypeKind::Pointer(t) => match r.kind(*t) {
            CTypeKind::Function(_) => Kind::Function,
            _ => Kind::Pointer,
        },
        CTypeKind::Array { .. } => Kind::Array,
        CTypeKind::Function(_) => Kind::Function,
        CTypeKind::Record(rid) => match r.record(*rid).kind {
            RecordKind::Struct => Kind::Struct,
            RecordKind::Union => Kind::Union,
        },
        CTypeKind::Enum(_) => Kind::Enum,
        CTypeKind::Aligned { .. } => unreachable!("stripped above"),
    }
}

/// The same type, as cffi's ctypes are one object per type: in one `ffi` object the same
/// registry type; across two, the same C spelling of a type made only of primitives (pointers,
/// arrays and functions of them: `typeof_("char")` of two `ffi` objects are equal). Structs,
/// unions and enums are their own declaration's, so those of two `ffi` objects differ.
impl PartialEq for CType {
    fn eq(&self, other: &Self) -> bool {
        if self.uni.same(&other.uni) {
            return self.id == other.id;
        }
        let plain = |c: &CType| c.with(|r| only_primitives(r, c.id, 0));
        plain(self) && plain(other) && self.cname() == other.cname()
    }
}

impl Eq for CType {}

/// Hashed by C spelling, which equal ctypes share (in one `ffi` object and across two).
impl Hash for CType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.cname().hash(state);
    }
}

/// Whether type `id` is made only of primitives and `void` (through pointers, arrays and
/// function signatures), so that its spelling names it in every `ffi` object.
fn only_primitives(r: &rcffi_cdef::Registry, id: CTypeId, depth: usize) -> bool {
    if depth > rcffi_cdef::MAX_NESTING {
        return false;
    }
    // (An over-aligned typedef is its own type, spelled as its base is: not plain.)
    match r.kind(id) {
        CTypeKind::Void | CTypeKind::Prim(_) => true,
        CTypeKind::Pointer(t) | CTypeKind::Array { elem: t, .. } => {
            only_primitives(r, *t, depth + 1)
        }
        CTypeKind::Function(sig) => {
            only_primitives(r, sig.ret, depth + 1)
                && sig.params.iter().all(|p| only_primitives(r, *p, depth + 1))
        }
        _ => false,
    }
}

impl fmt::Debug for CType {
    /// cffi's repr: `<ctype 'int *'>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<ctype '{}'>", self.cname())
    }
}

impl fmt::Display for CType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cname())
    }
}

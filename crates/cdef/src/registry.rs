//! The registry: every type and declaration that `cdef` has seen.
//!
//! One table of [`CType`] records indexed by [`CTypeId`] (derived types hash-consed), tables of
//! struct/union and enum definitions, and two name spaces as in C: ordinary names (typedefs,
//! functions, variables, constants, macros) and tags (`struct`/`union`/`enum` names). Both keep
//! declaration order.
//!
//! A `cdef` is a transaction: the registry records a checkpoint and an undo log, and a failed
//! `cdef` rolls back to the checkpoint, so it changes nothing (LuaJIT's `LJ_CTYPE_SAVE`).

use std::collections::HashMap;

use foldhash::fast::RandomState;
use indexmap::{IndexMap, IndexSet};

use crate::builtins;
use crate::consteval::IntVal;
use crate::ctype::{
    CType, CTypeId, CTypeKind, EnumDef, EnumId, FuncSig, Prim, Record, RecordId, RecordKind,
};
use crate::layout::{self, LayoutError, RecordLayout, TypeLayout};
use crate::target::Target;

/// A declaration of an ordinary name.
#[derive(Clone, Debug, PartialEq)]
pub enum Decl {
    /// `typedef T name;`. A `const` one (`typedef const int ci;`, `typedef char *const cp;`,
    /// `typedef const int ca[3];`) makes the variables declared with it read-only, as if each
    /// were declared `const`.
    Typedef {
        /// The type the name stands for.
        ty: CTypeId,
        /// Declared `const`: variables of this type are readable, not writable.
        read_only: bool,
    },
    /// A function: `int f(int);`
    Function {
        /// The function type (kind [`CTypeKind::Function`]).
        ty: CTypeId,
        /// The symbol to look up, when an `__asm__("name")` label renames it.
        symbol: Option<Box<str>>,
    },
    /// A global variable: `extern int x;`. A `const` one (`extern char *const p;`) is
    /// read-only.
    Variable {
        /// The variable's type.
        ty: CTypeId,
        /// The symbol to look up, when an `__asm__("name")` label renames it.
        symbol: Option<Box<str>>,
        /// Declared `const`: readable, not writable.
        read_only: bool,
    },
    /// A constant with a value in the cdef: `static const int X = 1;`. `value` is `None` when the
    /// initializer is not an integer constant (`static const double D = 1.5;`).
    Constant {
        /// The declared type.
        ty: CTypeId,
        /// The value, converted to the declared type.
        value: Option<IntVal>,
    },
    /// An enumerator.
    EnumConst {
        /// The enum it belongs to.
        enum_ty: CTypeId,
        /// Its value.
        value: IntVal,
    },
    /// `#define NAME value`: what the value means ([`MacroValue`](crate::MacroValue)), or why it has none.
    Macro(crate::macros::MacroValue),
}

impl Decl {
    /// The kind word cffi uses in messages (`function`, `typedef`, `variable`, `constant`,
    /// `macro`).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Decl::Typedef { .. } => "typedef",
            Decl::Function { .. } => "function",
            Decl::Variable { .. } => "variable",
            Decl::Constant { .. } | Decl::EnumConst { .. } => "constant",
            Decl::Macro(_) => "macro",
        }
    }
}

/// The type registry: what `cdef` built, and the layouts of its types on one [`Target`].
///
/// ```
/// use rcffi_cdef::Registry;
/// let mut reg = Registry::new();
/// reg.cdef("typedef struct { int x, y; } point_t; double hypot(double, double);").unwrap();
/// let pt = reg.parse_type("point_t").unwrap();
/// assert_eq!(reg.layout(pt).unwrap().size, 8);
/// let arr = reg.parse_type("point_t *[3]").unwrap();
/// assert_eq!(reg.cname(arr), "point_t *[3]");
/// ```
#[derive(Clone, Debug)]
pub struct Registry {
    pub(crate) target: Target,
    /// Every type, interned: a type's id is its index (hash-consing with one copy of each).
    types: IndexSet<CType, RandomState>,
    pub(crate) records: Vec<Record>,
    pub(crate) enums: Vec<EnumDef>,
    names: IndexMap<Box<str>, Decl, RandomState>,
    tags: IndexMap<Box<str>, CTypeId, RandomState>,
    /// Host layouts of records, filled when a cdef commits.
    layouts: Vec<Option<Result<RecordLayout, LayoutError>>>,
    builtin_ids: HashMap<&'static str, CTypeId, RandomState>,
    anon_counter: u32,
    undo: Vec<Undo>,
    checkpoint: Option<Checkpoint>,
    /// Per type, its spelling depth; per record, the value depth of its members
    /// (`crate::nesting`); and the first type made past the limit, not yet reported.
    depths: Depths,
}

/// How deep types nest (see `crate::nesting`).
#[derive(Clone, Debug, Default)]
struct Depths {
    /// Per type id: pointers, arrays, functions and `aligned` typedefs around a named type.
    spelling: Vec<u32>,
    /// Per record id: structs and arrays held by value, the record's own level included.
    value: Vec<u32>,
    /// The C name of the first type past [`crate::MAX_NESTING`] since the last report.
    past_limit: Option<String>,
}

#[derive(Clone, Debug)]
enum Undo {
    Record(RecordId, Record),
    Enum(EnumId, EnumDef),
    Name(Box<str>, Decl),
}

#[derive(Clone, Debug)]
struct Checkpoint {
    types: usize,
    records: usize,
    enums: usize,
    names: usize,
    tags: usize,
    anon_counter: u32,
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

impl Registry {
    /// An empty registry for the host target, knowing cffi's built-in type names.
    pub fn new() -> Registry {
        Registry::with_target(Target::host())
    }

    /// An empty registry laying types out for `target`.
    pub fn with_target(target: Target) -> Registry {
        let mut reg = Registry {
            target,
            types: IndexSet::with_capacity_and_hasher(256, RandomState::default()),
            records: Vec::new(),
            enums: Vec::new(),
            names: IndexMap::default(),
            tags: IndexMap::default(),
            layouts: Vec::new(),
            builtin_ids: HashMap::default(),
            anon_counter: 0,
            undo: Vec::new(),
            checkpoint: None,
            depths: Depths::default(),
        };
        builtins::install(&mut reg);
        // `void *`, the type of C23's `nullptr` in a macro (`MacroValue::Pointer`).
        let void = reg.void();
        reg.pointer_to(void);
        reg.commit();
        reg
    }

    /// The target this registry lays types out for.
    pub fn target(&self) -> &Target {
        &self.target
    }

    // --- Types ---

    /// The record of a type.
    pub fn get(&self, id: CTypeId) -> &CType {
        &self.types[id.index()]
    }

    /// The kind of a type.
    pub fn kind(&self, id: CTypeId) -> &CTypeKind {
        &self.types[id.index()].kind
    }

    /// The number of types in the table.
    pub fn type_count(&self) -> usize {
        self.types.len()
    }

    /// Every type id, in creation order.
    pub fn type_ids(&self) -> impl Iterator<Item = CTypeId> + '_ {
        (0..self.types.len() as u32).map(CTypeId)
    }

    /// Interns a type: the same kind always gives the same id.
    pub fn intern(&mut self, kind: CTypeKind) -> CTypeId {
        let (i, new) = self.types.insert_full(CType { kind });
        let id = CTypeId(i as u32);
        if new {
            let d = self.spelling_depth_of(&self.types[i].kind);
            self.depths.spelling.push(d);
            if d as usize > crate::MAX_NESTING && self.depths.past_limit.is_none() {
                let name = self.cname(id);
                self.depths.past_limit = Some(match name.char_indices().nth(48) {
                    Some((at, _)) => format!("{}...", &name[..at]),
                    None => name,
                });
            }
        }
        id
    }

    /// The spelling depth of a type of this kind, from its parts' (already interned).
    fn spelling_depth_of(&self, kind: &CTypeKind) -> u32 {
        let d = |t: &CTypeId| self.depths.spelling[t.index()];
        match kind {
            CTypeKind::Pointer(t) => 1 + d(t),
            CTypeKind::Array { elem, .. } => 1 + d(elem),
            CTypeKind::Aligned { base, .. } => 1 + d(base),
            CTypeKind::Function(sig) => {
                1 + sig
                    .params
                    .iter()
                    .chain([&sig.ret])
                    .map(d)
                    .max()
                    .unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// How many levels of types `id` nests: its spelling depth, or for what holds structs by
    /// value (arrays of them, the structs themselves) their value depth, whichever is more.
    pub fn nesting(&self, id: CTypeId) -> usize {
        let spelling = self.depths.spelling[id.index()] as usize;
        spelling.max(self.value_depth(id) as usize)
    }

    /// The value depth of type `id`: the arrays and `aligned` typedefs around it, then the
    /// record it holds by value (no recursion: records keep theirs).
    fn value_depth(&self, mut id: CTypeId) -> u32 {
        let mut n = 0;
        loop {
            match self.kind(id) {
                CTypeKind::Array { elem, .. } => id = *elem,
                CTypeKind::Aligned { base, .. } => id = *base,
                CTypeKind::Record(rid) => {
                    return n + self.depths.value.get(rid.0 as usize).copied().unwrap_or(1);
                }
                _ => return n,
            }
            n += 1;
        }
    }

    /// The value depth of a record: one more than its deepest member's.
    fn record_depth_of(&self, rec: &Record) -> u32 {
        1 + rec
            .fields
            .iter()
            .flatten()
            .map(|f| self.value_depth(f.ty))
            .max()
            .unwrap_or(0)
    }

    /// Sets the value depth of record `rid` from its members, noting it if past the limit.
    fn set_record_depth(&mut self, rid: RecordId) {
        let i = rid.0 as usize;
        let d = self.record_depth_of(&self.records[i]);
        if self.depths.value.len() <= i {
            self.depths.value.resize(i + 1, 1);
        }
        self.depths.value[i] = d;
        if d as usize > crate::MAX_NESTING && self.depths.past_limit.is_none() {
            self.depths.past_limit = Some(self.records[i].display.to_string());
        }
    }

    /// The C name of the first type made past [`crate::MAX_NESTING`] levels since the last
    /// call, if any (lowering and type strings report it where it was made).
    pub(crate) fn take_past_limit(&mut self) -> Option<String> {
        self.depths.past_limit.take()
    }

    /// The type `void`.
    pub fn void(&mut self) -> CTypeId {
        self.intern(CTypeKind::Void)
    }

    /// The id of a type already made, if it was.
    pub(crate) fn interned(&self, kind: CTypeKind) -> Option<CTypeId> {
        self.types
            .get_index_of(&CType { kind })
            .map(|i| CTypeId(i as u32))
    }

    /// A primitive type.
    pub fn prim(&mut self, p: Prim) -> CTypeId {
        self.intern(CTypeKind::Prim(p))
    }

    /// A pointer to `target`.
    pub fn pointer_to(&mut self, target: CTypeId) -> CTypeId {
        self.intern(CTypeKind::Pointer(target))
    }

    /// An array of `elem`; `len` is `None` for `T[]`.
    pub fn array_of(&mut self, elem: CTypeId, len: Option<u64>) -> CTypeId {
        self.intern(CTypeKind::Array { elem, len })
    }

    /// A function type.
    pub fn function(&mut self, sig: FuncSig) -> CTypeId {
        self.intern(CTypeKind::Function(sig))
    }

    /// Follows [`CTypeKind::Aligned`] typedefs to the type they align.
    pub fn strip_aligned(&self, mut id: CTypeId) -> CTypeId {
        while let CTypeKind::Aligned { base, .. } = self.kind(id) {
            id = *base;
        }
        id
    }

    /// The built-in type of this name (`int32_t`, `FILE`, `va_list`...), if any.
    pub fn builtin(&self, name: &str) -> Option<CTypeId> {
        self.builtin_ids.get(name).copied()
    }

    pub(crate) fn set_builtin(&mut self, name: &'static str, id: CTypeId) {
        self.builtin_ids.insert(name, id);
    }

    // --- Records and enums ---

    /// A struct or union definition.
    pub fn record(&self, id: RecordId) -> &Record {
        &self.records[id.0 as usize]
    }

    /// The type of a struct or union definition.
    pub fn record_type(&self, rid: RecordId) -> Option<CTypeId> {
        let key = CType {
            kind: CTypeKind::Record(rid),
        };
        self.types.get_index_of(&key).map(|i| CTypeId(i as u32))
    }

    /// The type of an enum definition.
    pub fn enum_type(&self, eid: EnumId) -> Option<CTypeId> {
        let key = CType {
            kind: CTypeKind::Enum(eid),
        };
        self.types.get_index_of(&key).map(|i| CTypeId(i as u32))
    }

    /// An enum definition.
    pub fn enum_def(&self, id: EnumId) -> &EnumDef {
        &self.enums[id.0 as usize]
    }

    /// Adds a new struct or union (opaque until [`Registry::update_record`]) and its type.
    pub(crate) fn new_record(&mut self, rec: Record) -> CTypeId {
        let rid = RecordId(self.records.len() as u32);
        self.records.push(rec);
        self.layouts.push(None);
        self.set_record_depth(rid);
        self.intern(CTypeKind::Record(rid))
    }

    /// Replaces a record's definition (completing an opaque one), keeping an undo entry.
    pub(crate) fn update_record(&mut self, rid: RecordId, rec: Record) {
        let i = rid.0 as usize;
        let old = std::mem::replace(&mut self.records[i], rec);
        if self.checkpoint.as_ref().is_some_and(|c| i < c.records) {
            self.undo.push(Undo::Record(rid, old));
        }
        self.layouts[i] = None;
        self.set_record_depth(rid);
    }

    pub(crate) fn new_enum(&mut self, e: EnumDef) -> CTypeId {
        let eid = EnumId(self.enums.len() as u32);
        self.enums.push(e);
        self.intern(CTypeKind::Enum(eid))
    }

    pub(crate) fn update_enum(&mut self, eid: EnumId, e: EnumDef) {
        let i = eid.0 as usize;
        let old = std::mem::replace(&mut self.enums[i], e);
        if self.checkpoint.as_ref().is_some_and(|c| i < c.enums) {
            self.undo.push(Undo::Enum(eid, old));
        }
    }

    /// A fresh name for an anonymous record or enum: `$1`, `$2`, ...
    pub(crate) fn anon_name(&mut self) -> String {
        self.anon_counter += 1;
        format!("${}", self.anon_counter)
    }

    // --- Names ---

    /// The declaration of an ordinary name.
    pub fn decl(&self, name: &str) -> Option<&Decl> {
        self.names.get(name)
    }

    /// All ordinary declarations, in declaration order.
    pub fn decls(&self) -> impl Iterator<Item = (&str, &Decl)> {
        self.names.iter().map(|(k, v)| (&**k, v))
    }

    /// The type a typedef name (user-declared first, then built-in) stands for.
    pub fn typedef(&self, name: &str) -> Option<CTypeId> {
        match self.names.get(name) {
            Some(Decl::Typedef { ty, .. }) => Some(*ty),
            Some(_) => None,
            None => self.builtin(name),
        }
    }

    /// Whether typedef name `name` was declared `const` ([`Decl::Typedef`]'s `read_only`):
    /// variables declared with it are read-only.
    ///
    /// ```
    /// use rcffi_cdef::{Decl, Registry};
    /// let mut reg = Registry::default();
    /// reg.cdef("typedef const int ci; typedef const char *text; extern ci answer;")?;
    /// assert!(reg.typedef_read_only("ci"));
    /// assert!(!reg.typedef_read_only("text")); // only what it points to is const
    /// assert!(matches!(reg.decl("answer"), Some(Decl::Variable { read_only: true, .. })));
    /// # Ok::<(), rcffi_cdef::CdefError>(())
    /// ```
    pub fn typedef_read_only(&self, name: &str) -> bool {
        matches!(
            self.names.get(name),
            Some(Decl::Typedef {
                read_only: true,
                ..
            })
        )
    }

    /// Whether `name` is a type name (a user typedef or a built-in).
    pub fn is_type_name(&self, name: &str) -> bool {
        match self.names.get(name) {
            Some(Decl::Typedef { .. }) => true,
            Some(_) => false,
            None => self.builtin_ids.contains_key(name),
        }
    }

    /// The type declared by a tag (`struct foo`, `union u`, `enum e`: the tag is `foo`).
    pub fn tag(&self, name: &str) -> Option<CTypeId> {
        self.tags.get(name).copied()
    }

    /// All tags with their types, in declaration order.
    pub fn tags(&self) -> impl Iterator<Item = (&str, CTypeId)> {
        self.tags.iter().map(|(k, v)| (&**k, *v))
    }

    pub(crate) fn set_tag(&mut self, name: &str, id: CTypeId) {
        self.tags.insert(name.into(), id);
    }

    /// Declares an ordinary name, replacing an earlier declaration (with an undo entry).
    pub(crate) fn set_name(&mut self, name: &str, decl: Decl) {
        if let Some((i, _, old)) = self.names.get_full_mut(name) {
            let old = std::mem::replace(old, decl);
            if self.checkpoint.as_ref().is_some_and(|c| i < c.names) {
                self.undo.push(Undo::Name(name.into(), old));
            }
            return;
        }
        self.names.insert(name.into(), decl);
    }

    /// Removes a typedef declared in the current transaction (a type string's body is declared
    /// under a name of rcffi's for a moment), giving its type.
    pub(crate) fn forget_typedef(&mut self, name: &str) -> Option<CTypeId> {
        let (i, _, decl) = self.names.get_full(name)?;
        let (Decl::Typedef { ty: id, .. }, true) =
            (decl, self.checkpoint.as_ref().is_some_and(|c| i >= c.names))
        else {
            return None;
        };
        let id = *id;
        self.names.shift_remove(name);
        Some(id)
    }

    /// The value of an integer constant: an enumerator, a `#define`, or a `static const`.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// reg.cdef("#define N (1 << 4)\nenum e { A = N, B };").unwrap();
    /// assert_eq!(reg.integer_const("B").unwrap().value, 17);
    /// ```
    pub fn integer_const(&self, name: &str) -> Option<IntVal> {
        match self.names.get(name)? {
            // An enumerator of a `...` enum: its value is only known after compilation.
            Decl::EnumConst { enum_ty, .. } if self.is_partial_enum(*enum_ty) => None,
            Decl::EnumConst { value, .. } => Some(*value),
            Decl::Macro(crate::macros::MacroValue::Int(v)) => Some(*v),
            Decl::Macro(_) => None,
            Decl::Constant { value, .. } => *value,
            _ => None,
        }
    }

    /// Whether `id` is an enum declared with cffi's `...` (`enum e { A, B, ... };`), whose
    /// values are only known after compilation: its enumerators have no value here.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::default();
    /// reg.cdef("enum e { A, B, ... }; enum f { C };").unwrap();
    /// assert!(reg.integer_const("A").is_none());
    /// assert_eq!(reg.integer_const("C").unwrap().value, 0);
    /// ```
    pub fn is_partial_enum(&self, id: CTypeId) -> bool {
        matches!(self.kind(self.strip_aligned(id)), CTypeKind::Enum(e) if self.enum_def(*e).partial)
    }

    /// Why the declared name `name` has no integer value here, when that is known: an
    /// enumerator of a `...` enum, whose value is only known after compilation.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::default();
    /// reg.cdef("enum e { A, ... };").unwrap();
    /// assert!(reg.no_value_reason("A").unwrap().contains("declared with '...'"));
    /// ```
    pub fn no_value_reason(&self, name: &str) -> Option<String> {
        match self.decl(name)? {
            Decl::EnumConst { enum_ty, .. } if self.is_partial_enum(*enum_ty) => Some(format!(
                "'{name}' belongs to '{}', declared with '...': its value is only known after \
                 compilation (cffi's API mode)",
                self.cname(*enum_ty)
            )),
            _ => None,
        }
    }

    // --- Layout ---

    /// Size and alignment of a type, or why it has none (opaque, `void`, a function, cffi's
    /// partial `...` structs).
    ///
    /// # Errors
    ///
    /// A [`LayoutError`] when the type has no size: `void`, a function type, an opaque struct, an
    /// array of unknown length, or a record with such a member.
    pub fn layout(&self, id: CTypeId) -> Result<TypeLayout, LayoutError> {
        layout::type_layout(self, id, &mut |rid| {
            self.record_layout(rid).map(|l| TypeLayout {
                size: l.size,
                align: l.align,
            })
        })
    }

    /// The alignment C's `_Alignof` reports for a type. It is the layout's alignment, except
    /// that gcc reports at most 16 bytes for a type whose alignment comes from an x86-64
    /// vector rather than from an `aligned` attribute (a 32-byte vector is placed at 32 but
    /// `_Alignof` says 16).
    ///
    /// # Errors
    ///
    /// A [`LayoutError`] when the type has no size: `void`, a function type, an opaque struct, an
    /// array of unknown length, or a record with such a member.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::with_target(rcffi_cdef::Target::x86_64_linux());
    /// reg.cdef("typedef char v32 __attribute__((vector_size(32))); struct s { char c; v32 v; };").unwrap();
    /// let s = reg.parse_type("struct s").unwrap();
    /// assert_eq!((reg.layout(s).unwrap().size, reg.layout(s).unwrap().align), (64, 32));
    /// assert_eq!(reg.alignof(s).unwrap(), 16);
    /// ```
    pub fn alignof(&self, id: CTypeId) -> Result<u64, LayoutError> {
        let natural = self.layout(id)?.align;
        Ok(if natural > 16 && !self.user_aligned(id, 0) {
            16
        } else {
            natural
        })
    }

    /// Whether an `aligned` attribute decides part of `id`'s alignment.
    fn user_aligned(&self, id: CTypeId, depth: usize) -> bool {
        if depth > crate::MAX_NESTING {
            return true;
        }
        match self.kind(id) {
            CTypeKind::Aligned { .. } => true,
            CTypeKind::Array { elem, .. } => self.user_aligned(*elem, depth + 1),
            CTypeKind::Record(rid) => {
                let rec = self.record(*rid);
                rec.aligned.is_some()
                    || rec
                        .fields
                        .iter()
                        .flatten()
                        .any(|f| f.aligned.is_some() || self.user_aligned(f.ty, depth + 1))
            }
            _ => false,
        }
    }

    /// The layout of a struct or union: its size, alignment and the place of every member.
    ///
    /// # Errors
    ///
    /// A [`LayoutError`] when the record is opaque or a member has no size.
    pub fn record_layout(&self, rid: RecordId) -> Result<&RecordLayout, LayoutError> {
        match &self.layouts[rid.0 as usize] {
            Some(Ok(l)) => Ok(l),
            Some(Err(e)) => Err(e.clone()),
            // Not committed yet (only seen during a cdef): the caller computes it.
            None => Err(LayoutError::NotReady),
        }
    }

    // --- Transactions ---

    /// Starts a transaction. Everything until [`Registry::commit`] can be undone.
    pub(crate) fn begin(&mut self) {
        self.checkpoint = Some(Checkpoint {
            types: self.types.len(),
            records: self.records.len(),
            enums: self.enums.len(),
            names: self.names.len(),
            tags: self.tags.len(),
            anon_counter: self.anon_counter,
        });
        self.undo.clear();
        // Types derived outside a transaction (the runtime's `T *` of a cdata's `T`) may pass
        // the limit by a level or two; only what this transaction makes is reported.
        self.depths.past_limit = None;
    }

    /// Undoes everything since [`Registry::begin`].
    pub(crate) fn rollback(&mut self) {
        let Some(cp) = self.checkpoint.take() else {
            return;
        };
        for u in std::mem::take(&mut self.undo).into_iter().rev() {
            match u {
                Undo::Record(rid, rec) => {
                    self.records[rid.0 as usize] = rec;
                    self.layouts[rid.0 as usize] = None;
                    self.set_record_depth(rid);
                }
                Undo::Enum(eid, e) => self.enums[eid.0 as usize] = e,
                Undo::Name(name, decl) => {
                    if let Some(slot) = self.names.get_mut(&name) {
                        *slot = decl;
                    }
                }
            }
        }
        self.types.truncate(cp.types);
        self.depths.spelling.truncate(cp.types);
        self.depths.value.truncate(cp.records);
        self.depths.past_limit = None;
        self.records.truncate(cp.records);
        self.layouts.truncate(cp.records);
        self.enums.truncate(cp.enums);
        self.names.truncate(cp.names);
        self.tags.truncate(cp.tags);
        self.anon_counter = cp.anon_counter;
        // Records completed in the transaction and rolled back lost their layouts; recompute.
        self.fill_layouts();
    }

    /// Ends a transaction, computing the layouts of new and changed records.
    pub(crate) fn commit(&mut self) {
        self.checkpoint = None;
        self.undo.clear();
        self.fill_layouts();
    }

    fn fill_layouts(&mut self) {
        let todo: Vec<usize> = (0..self.records.len())
            .filter(|&i| !matches!(self.layouts[i], Some(Ok(_))))
            .collect();
        if todo.is_empty() {
            return;
        }
        for i in &todo {
            self.layouts[*i] = None;
        }
        for i in todo {
            if self.layouts[i].is_none() {
                let result = layout::compute_record_cached(self, RecordId(i as u32));
                self.layouts[i] = Some(result);
            }
        }
    }

    pub(crate) fn cached_layout(
        &self,
        rid: RecordId,
    ) -> Option<&Result<RecordLayout, LayoutError>> {
        self.layouts[rid.0 as usize].as_ref()
    }

    // --- Listing ---

    /// cffi's `list_types()`: sorted typedef names, struct tags and union tags.
    pub fn list_types(&self) -> (Vec<String>, Vec<String>, Vec<String>) {
        let mut typedefs: Vec<String> = self
            .names
            .iter()
            .filter(|(_, d)| matches!(d, Decl::Typedef { .. }))
            .map(|(n, _)| n.to_string())
            .collect();
        let mut structs = Vec::new();
        let mut unions = Vec::new();
        for (name, id) in &self.tags {
            if self.is_builtin(*id) {
                continue;
            }
            if let CTypeKind::Record(rid) = self.kind(*id) {
                match self.record(*rid).kind {
                    RecordKind::Struct => structs.push(name.to_string()),
                    RecordKind::Union => unions.push(name.to_string()),
                }
            }
        }
        typedefs.sort();
        structs.sort();
        unions.sort();
        (typedefs, structs, unions)
    }

    /// Whether `id` is a record that only the built-in names declared (`struct _IO_FILE` behind
    /// `FILE`, `struct __va_list_tag` behind `va_list`), not yet defined by a cdef.
    pub fn is_builtin(&self, id: CTypeId) -> bool {
        if !self.is_builtin_record(id) {
            return false;
        }
        match self.kind(id) {
            CTypeKind::Record(rid) => {
                let rec = self.record(*rid);
                rec.fields.is_none()
                    || rec
                        .tag
                        .as_deref()
                        .is_some_and(|t| t.starts_with("__va_list"))
            }
            _ => false,
        }
    }
}

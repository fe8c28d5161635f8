//! The universe of one `ffi` object: its registry, its parsed type strings, and the arena of
//! realized types.
//!
//! # Safety
//!
//! Realized types ([`TypeInfo`]) are leaked boxes listed in an arena that only grows; they are
//! freed when the universe is dropped, so a [`TypeRef`] (a pointer to one) stays valid while its
//! universe lives. A realized type is never mutated after it is pushed. The only way to read
//! through a `TypeRef` is [`TypeRef::get`], which takes a borrow of the universe that made it:
//! the returned reference cannot outlive that borrow. Every holder of a `TypeRef` outside the
//! universe (a `CData`, a `CType`) holds a counted reference to that universe (`held`) and
//! only pairs the ref with it; the per-thread cache of type strings keys its refs by a universe
//! id that is never reused, so a ref of a dropped universe is never read. One of the runtime's
//! modules with `unsafe` code (`docs/unsafe.md` lists them).

#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use foldhash::fast::RandomState;
use rcffi_cdef::{CTypeId, CTypeKind, CdefOptions, CdefReport, Prim, PrimRepr, Registry, Target};

use crate::base::lookup_cache::{Lasts, Name, Recent};
use crate::error::{Error, Result};
use crate::types::{FieldRt, IntKind, IntRole, RecordBody, Repr, TypeInfo};

/// A realized type in its universe's arena.
///
/// Cheap to copy; meaningful only together with the universe that made it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypeRef(NonNull<TypeInfo>);

// SAFETY: a TypeRef is a pointer to a TypeInfo in an arena that is never mutated in place;
// TypeInfo is Sync (its only interior mutability is OnceLock), so sharing the pointer across
// threads shares only `&TypeInfo`.
unsafe impl Send for TypeRef {}
// SAFETY: as for Send: only shared references are ever made from it.
unsafe impl Sync for TypeRef {}

impl TypeRef {
    /// The type, borrowed for as long as its universe is.
    ///
    /// The universe must be the one that made this ref (every caller pairs a ref with the
    /// universe it was stored next to).
    #[inline]
    pub(crate) fn get(self, uni: &UniInner) -> &TypeInfo {
        // SAFETY: the pointee is a leaked Box listed in `uni.arena`, freed only when `uni` is
        // dropped; the returned lifetime is bounded by the borrow of `uni`. TypeInfo is never
        // mutated after it is pushed.
        let info = unsafe { self.0.as_ref() };
        // Every pairing of a ref with a universe is checked by the tests (debug builds); the
        // places that make cdata and ctypes check it always (`TypeRef::belongs`).
        debug_assert_eq!(
            info.universe, uni.id,
            "a type of one ffi object read through another"
        );
        info
    }

    /// The type, through a counted reference to its universe (a cdata's [`HeldType`]).
    ///
    /// # Safety
    ///
    /// The caller holds a counted reference to this ref's universe for all of `'a`.
    ///
    /// [`HeldType`]: crate::types::HeldType
    #[inline(always)]
    pub(crate) unsafe fn get_held<'a>(self) -> &'a TypeInfo {
        // SAFETY: the pointee is a leaked Box listed in its universe's arena, freed only when
        // that universe is dropped, which the caller's counted reference prevents for `'a`.
        unsafe { self.0.as_ref() }
    }

    /// Whether this ref was made by universe `uni` (checked where a ref is stored beside a
    /// universe: a mismatch there would outlive the ref's own universe).
    #[inline]
    pub(crate) fn belongs(self, uni: &UniInner) -> bool {
        // SAFETY: as in `get`; the caller holds a universe that keeps this ref's own alive
        // (the ref was just made or read by it) — this is the check that they are the same.
        unsafe { self.0.as_ref() }.universe == uni.id
    }
}

/// The shared state of an [`Ffi`]. See the module docs for the arena's invariant.
pub(crate) struct UniInner {
    /// The registry. Readers hold the lock only for a lookup; [`Ffi::registry`] hands out a
    /// snapshot (a clone of the `Arc`), and a write while a snapshot is held copies the
    /// registry first, so no caller ever waits on a guard another holds.
    reg: RwLock<Arc<Registry>>,
    /// Type strings already parsed, and what they mean.
    strings: RwLock<HashMap<Box<str>, TypeRef, RandomState>>,
    /// Realized types by registry id.
    ids: RwLock<Vec<Option<TypeRef>>>,
    /// Every realized type, each leaked from a `Box` and freed when the universe is dropped.
    arena: Mutex<Vec<TypeRef>>,
    /// A number no other universe of this process has: the key of the per-thread cache of
    /// type strings (an address could be reused by a later universe).
    pub(crate) id: u64,
    /// Bumped whenever what type strings mean may change (`override`): older per-thread
    /// cache entries are ignored.
    generation: std::sync::atomic::AtomicU64,
    /// The target layouts are computed for.
    pub(crate) target: Target,
    /// The references cdata and ctypes hold (`held`).
    pub(super) holds: crate::types::Holds,
    /// How many `Ffi` handles exist (not counting those inside `Held`).
    users: std::sync::atomic::AtomicUsize,
    /// The types a call's variadic part promotes Rust values to, realized on first use.
    promoted: [std::sync::OnceLock<TypeRef>; Promoted::COUNT],
    /// This universe's own allocation, for the [`Home`] of each type it realizes (a weak
    /// reference: it keeps nothing alive).
    me: std::sync::Weak<UniInner>,
}

/// The universe a realized type belongs to, usable as its [`Ffi`]: what a [`HeldType`]
/// (a cdata's type and its counted reference to the universe, in one word) reads its `ffi`
/// object from.
///
/// [`HeldType`]: crate::types::HeldType
pub(crate) struct Home(std::mem::ManuallyDrop<Ffi>);

impl Home {
    /// The home of the types of `me`'s universe.
    fn of(me: &std::sync::Weak<UniInner>) -> Home {
        // SAFETY: `me` is the universe's weak reference to itself, so its pointer is the
        // universe's data in its `Arc` allocation (with that allocation's provenance); the
        // universe is alive (it is realizing a type). The `Arc` made from it holds no count
        // of its own and is never dropped (`ManuallyDrop`); it is only read through a
        // realized type, which lives in this universe's arena and goes with it.
        let inner = unsafe { Arc::from_raw(me.as_ptr()) };
        Home(std::mem::ManuallyDrop::new(Ffi::from_inner_uncounted(
            inner,
        )))
    }

    /// The universe, as its `Ffi`. Valid to use while the universe is alive: for as long as
    /// the reference that reached this type is counted.
    #[inline(always)]
    pub(crate) fn ffi(&self) -> &Ffi {
        &self.0
    }
}

impl std::fmt::Debug for Home {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Home({})", self.0.inner.id)
    }
}

/// The C types a variadic call passes Rust values as (`call::variadic`): keywords, which no
/// declaration can give another meaning, so each universe realizes them once.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Promoted {
    Int,
    LongLong,
    ULongLong,
    Double,
    CharPtr,
    VoidPtr,
}

impl Promoted {
    const COUNT: usize = 6;

    fn name(self) -> &'static str {
        match self {
            Promoted::Int => "int",
            Promoted::LongLong => "long long",
            Promoted::ULongLong => "unsigned long long",
            Promoted::Double => "double",
            Promoted::CharPtr => "char *",
            Promoted::VoidPtr => "void *",
        }
    }
}

impl Drop for UniInner {
    fn drop(&mut self) {
        for t in self
            .arena
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            // SAFETY: each arena entry came from `Box::leak` in `push` and is freed once, here.
            // Nothing can read it any more: every holder of a TypeRef also holds this universe.
            drop(unsafe { Box::from_raw(t.0.as_ptr()) });
        }
    }
}

// The universe is shared between threads (an `Ffi` is `Send + Sync`); this fails to compile if
// a field stops being thread-safe.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<UniInner>();
};

/// cffi's `ffi` object: declarations, types, and the C data made from them.
///
/// Cheap to clone (clones share everything) and usable from many threads at once. Every
/// [`CData`](crate::CData) and [`CType`](crate::CType) it makes keeps it alive.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef(r#"
///     typedef struct { double x, y; } point_t;
///     struct line { point_t a, b; unsigned flags : 3; };
/// "#)?;
/// assert_eq!(ffi.sizeof("struct line")?, 40);
/// assert_eq!(ffi.offsetof("struct line", "b.y")?, 24);
/// let line = ffi.new("struct line *", rcffi::map! { "b" => [1.5, 2.5] })?;
/// assert_eq!(line.field("b")?.as_cdata().unwrap().field("y")?, 2.5.into());
/// # Ok::<(), rcffi::Error>(())
/// ```
pub struct Ffi {
    pub(crate) inner: Arc<UniInner>,
}

impl Clone for Ffi {
    fn clone(&self) -> Ffi {
        self.inner
            .users
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ffi {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl Drop for Ffi {
    fn drop(&mut self) {
        if self
            .inner
            .users
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel)
            == 1
        {
            // The last handle: this thread's spare references go back, so the universe is
            // freed with its last cdata.
            crate::types::flush(&self.inner);
        }
    }
}

impl UniInner {
    /// Whether any `Ffi` handle of this universe exists.
    #[inline]
    pub(super) fn has_handles(&self) -> bool {
        self.users.load(std::sync::atomic::Ordering::Relaxed) > 0
    }
}

impl Ffi {
    /// An `Ffi` over `inner` that is not counted as a handle: only for [`crate::types::Held`] and
    /// [`Home`], which never drop it.
    pub(super) fn from_inner_uncounted(inner: Arc<UniInner>) -> Ffi {
        Ffi { inner }
    }
}

impl std::fmt::Debug for Ffi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.inner.read();
        f.debug_struct("Ffi")
            .field("target", &self.inner.target.name)
            .field("declarations", &r.decls().count())
            .finish()
    }
}

fn poison_ok<G>(r: std::result::Result<G, std::sync::PoisonError<G>>) -> G {
    // The registry is only changed inside `cdef`, which leaves it consistent even when it
    // fails; the caches only ever gain complete entries. A poisoned lock is still usable.
    r.unwrap_or_else(|e| e.into_inner())
}

impl Ffi {
    /// A number that changes whenever a cdef may have changed what a name means (`override`).
    pub(crate) fn generation(&self) -> u64 {
        self.inner
            .generation
            .load(std::sync::atomic::Ordering::Acquire)
    }

    /// The realized type of a type string, parsed once and then cached: per thread for the
    /// last few strings (no lock), then in the universe.
    #[inline(always)]
    pub(crate) fn parse(&self, text: &str) -> Result<TypeRef> {
        let key = (
            self.inner.id,
            self.inner
                .generation
                .load(std::sync::atomic::Ordering::Acquire),
        );
        if let Some(t) = Lasts::find_in(&LAST, key, text) {
            return Ok(t);
        }
        self.parse_recent(key, text)
    }

    /// [`Ffi::parse`] past the thread's last type string: its recent ones, then the shared
    /// cache; the string found becomes the last one.
    #[inline(never)]
    fn parse_recent(&self, key: (u64, u64), text: &str) -> Result<TypeRef> {
        let name = &Name::new(text);
        // `try_with`: in a thread-local's destructor at thread exit the cache may be gone;
        // the string is then looked up without it.
        let t = match RECENT
            .try_with(|r| r.borrow().find(key, name))
            .ok()
            .flatten()
        {
            Some(t) => t,
            None => {
                let t = self.parse_shared(text)?;
                if !self.inner.is_final(t.get(&self.inner)) {
                    return Ok(t);
                }
                let _ = RECENT.try_with(|r| r.borrow_mut().insert(key, name, t));
                t
            }
        };
        Lasts::remember_in(&LAST, key, name, t);
        Ok(t)
    }

    /// The realized type of `p`, one of the types variadic arguments are promoted to (parsed
    /// once per universe, then one load).
    #[inline]
    pub(crate) fn promoted(&self, p: Promoted) -> Result<TypeRef> {
        match self.inner.promoted[p as usize].get() {
            Some(t) => Ok(*t),
            None => self.promoted_first(p),
        }
    }

    /// [`Ffi::promoted`] the first time: the type parsed and kept (out of line, so that the
    /// load above is all the later calls pay; in line, the parse's frame was 14 of its 28
    /// instructions).
    #[cold]
    #[inline(never)]
    fn promoted_first(&self, p: Promoted) -> Result<TypeRef> {
        let t = self.parse(p.name())?;
        Ok(*self.inner.promoted[p as usize].get_or_init(|| t))
    }

    fn parse_shared(&self, text: &str) -> Result<TypeRef> {
        let cached = poison_ok(self.inner.strings.read()).get(text).copied();
        if let Some(t) = cached {
            if self.inner.is_final(t.get(&self.inner)) {
                return Ok(t);
            }
            // Incomplete when cached: a later cdef may have completed it.
            return Ok(self.inner.realize(t.get(&self.inner).id));
        }
        let id = self.inner.write(|r| r.parse_type(text))?;
        let t = self.inner.realize(id);
        poison_ok(self.inner.strings.write()).insert(text.into(), t);
        Ok(t)
    }

    /// The realized type of a registry id.
    pub(crate) fn realize(&self, id: CTypeId) -> TypeRef {
        self.inner.realize(id)
    }

    /// The realized type `t` points to (for pointers).
    #[inline]
    pub(crate) fn pointee(&self, t: &TypeInfo) -> Option<TypeRef> {
        self.inner.pointee(t)
    }

    /// The realized pointer type to `t`: made once, then kept with `t` (no lock).
    #[inline]
    pub(crate) fn pointer_to(&self, t: TypeRef) -> TypeRef {
        let info = t.get(&self.inner);
        if let Some(p) = info.derived.pointer.get() {
            return *p;
        }
        let id = info.id;
        let ptr = self.inner.realize(self.inner.write(|r| r.pointer_to(id)));
        *info.derived.pointer.get_or_init(|| ptr)
    }

    /// The realized array type `t[len]` (`None`: `t[]`, made once and then kept with `t`).
    pub(crate) fn array_of(&self, t: TypeRef, len: Option<usize>) -> TypeRef {
        let info = t.get(&self.inner);
        if len.is_none()
            && let Some(a) = info.derived.open_array.get()
        {
            return *a;
        }
        let id = info.id;
        let arr = self
            .inner
            .realize(self.inner.write(|r| r.array_of(id, len.map(|n| n as u64))));
        match len {
            None => *info.derived.open_array.get_or_init(|| arr),
            Some(_) => arr,
        }
    }
}

/// Gives each universe its `id`.
static NEXT_UNIVERSE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// The type string this thread used last with each of a few `ffi` objects, with what it
    /// means.
    static LAST: Lasts<TypeRef, 16> = const { Lasts::new() };
    /// The type strings this thread used last, with what they mean.
    static RECENT: std::cell::RefCell<Recent<TypeRef>> = const { std::cell::RefCell::new(Recent::new()) };
}

impl UniInner {
    /// Reads the registry (the lock is held while the guard lives: keep it short, and never
    /// hand it out).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Arc<Registry>> {
        poison_ok(self.reg.read())
    }

    /// Changes the registry: copied first if a snapshot of it is held ([`Ffi::registry`]).
    fn write<R>(&self, f: impl FnOnce(&mut Registry) -> R) -> R {
        let mut guard = poison_ok(self.reg.write());
        f(Arc::make_mut(&mut guard))
    }

    /// Whether a later cdef can no longer change what `t` is: it is complete, `void` or a
    /// function type (which never get a size), or an open array of a complete type (`char[]`:
    /// sized by each `new`, never completed). Other incomplete types are realized again when
    /// asked for.
    pub(crate) fn is_final(&self, t: &TypeInfo) -> bool {
        match t.repr {
            _ if t.is_complete() => true,
            Repr::Void | Repr::Function { .. } => true,
            Repr::Array { elem, len: None } => elem.get(self).is_complete(),
            _ => false,
        }
    }

    /// The realized type of `id`, realizing it (again, if it was incomplete) as needed.
    pub(crate) fn realize(&self, id: CTypeId) -> TypeRef {
        if let Some(Some(t)) = poison_ok(self.ids.read()).get(id.index()).copied()
            && self.is_final(t.get(self))
        {
            return t;
        }
        let reg = self.read();
        self.realize_in(&reg, id)
    }

    /// The realized type a pointer points to, resolved once complete.
    #[inline]
    pub(crate) fn pointee(&self, t: &TypeInfo) -> Option<TypeRef> {
        let Repr::Pointer { target, resolved } = &t.repr else {
            return None;
        };
        // The resolved target is stored in `t`: it must be a ref of `t`'s own universe.
        if t.universe != self.id {
            resolved_elsewhere();
        }
        if let Some(r) = resolved.get() {
            return Some(*r);
        }
        Some(self.resolve_pointee(*target, resolved))
    }

    /// [`pointee`](Self::pointee) of a pointer whose target is not resolved yet: realized,
    /// and kept once final (out of line: the resolved target is the common case).
    #[inline(never)]
    fn resolve_pointee(&self, target: CTypeId, resolved: &std::sync::OnceLock<TypeRef>) -> TypeRef {
        let r = self.realize(target);
        if self.is_final(r.get(self)) {
            let _ = resolved.set(r);
        }
        r
    }

    fn realize_in(&self, reg: &Registry, id: CTypeId) -> TypeRef {
        if let Some(Some(t)) = poison_ok(self.ids.read()).get(id.index()).copied() {
            let info = t.get(self);
            // Incomplete types are realized again only once the registry can lay them out; an
            // open array (never laid out) once it can lay out its items.
            let completed = match info.repr {
                _ if info.is_complete() => false,
                Repr::Array { elem, len: None } => {
                    let e = elem.get(self);
                    !e.is_complete() && reg.layout(e.id).is_ok()
                }
                _ => reg.layout(id).is_ok(),
            };
            if !completed {
                return t;
            }
        }
        let info = self.build(reg, id);
        let t = self.push(info);
        let mut ids = poison_ok(self.ids.write());
        if ids.len() <= id.index() {
            ids.resize(id.index() + 1, None);
        }
        ids[id.index()] = Some(t);
        t
    }

    fn push(&self, info: TypeInfo) -> TypeRef {
        // Leaked now and freed in `Drop for UniInner`: a raw pointer kept while a `Box` moves
        // would be invalidated by the move (the Box asserts unique access).
        let t = TypeRef(NonNull::from(Box::leak(Box::new(info))));
        poison_ok(self.arena.lock()).push(t);
        t
    }

    /// Builds the realized form of a registry type; parts held by value are realized too.
    fn build(&self, reg: &Registry, id: CTypeId) -> TypeInfo {
        let layout = reg
            .layout(id)
            .ok()
            .map(|l| (l.size as usize, l.align as usize));
        let base = reg.strip_aligned(id);
        let repr = match reg.kind(base) {
            CTypeKind::Void => Repr::Void,
            CTypeKind::Prim(p) => prim_repr(&self.target, *p),
            CTypeKind::Pointer(t) => Repr::Pointer {
                target: *t,
                resolved: std::sync::OnceLock::new(),
            },
            CTypeKind::Array { elem, len } => Repr::Array {
                elem: self.realize_in(reg, *elem),
                len: len.map(|n| n as usize),
            },
            CTypeKind::Function(_) => Repr::Function {
                plan: std::sync::OnceLock::new(),
            },
            CTypeKind::Record(rid) => {
                let rec = reg.record(*rid);
                let body = match (layout, reg.fields(base)) {
                    (Some(_), Ok(Some(fields))) => {
                        let fields: Vec<FieldRt> = fields
                            .into_iter()
                            .map(|f| {
                                let ty = self.realize_in(reg, f.ty);
                                let bit_width = (f.bitsize >= 0).then_some(f.bitsize as u32);
                                FieldRt {
                                    key: crate::types::name_key(&f.name),
                                    name: f.name.into(),
                                    ty,
                                    offset_bits: f.offset_bits as usize,
                                    bit_width,
                                    skip_in_list: f.flags == 1,
                                    fast: ty.get(self).fast.filter(|_| bit_width.is_none()),
                                }
                            })
                            .collect();
                        Some(RecordBody { fields })
                    }
                    _ => None,
                };
                Repr::Record {
                    kind: rec.kind,
                    body,
                }
            }
            CTypeKind::Enum(eid) => {
                let e = reg.enum_def(*eid);
                // An enum declared without values (`enum foo;`) is an `unsigned int`, as cffi
                // guesses (and the registry lays it out).
                let int = match prim_repr(&self.target, e.underlying) {
                    Repr::Int(k) => IntKind {
                        role: IntRole::Number,
                        ..k
                    },
                    _ => IntKind {
                        bytes: 4,
                        signed: false,
                        role: IntRole::Number,
                    },
                };
                let items = e
                    .items
                    .iter()
                    .flatten()
                    .map(|(n, v)| (n.clone(), *v))
                    .collect();
                Repr::Enum { int, items }
            }
            // A vector has a layout (memory of it can be made and pointed to) but no
            // conversions yet.
            CTypeKind::UnknownNumber { .. }
            | CTypeKind::Aligned { .. }
            | CTypeKind::Vector { .. } => Repr::Opaque,
        };
        TypeInfo {
            id,
            universe: self.id,
            home: Home::of(&self.me),
            name: reg.cname(id).into(),
            layout,
            fast: crate::types::fast_of(&repr),
            repr,
            derived: Default::default(),
        }
    }
}

#[cold]
#[inline(never)]
fn resolved_elsewhere() -> ! {
    panic!("rcffi: a pointer type of one ffi object resolved in another")
}

/// The realized form of a primitive.
fn prim_repr(target: &Target, p: Prim) -> Repr {
    match target.repr(p) {
        PrimRepr::Int { bytes, signed } => Repr::Int(IntKind {
            bytes,
            signed,
            role: if p == Prim::Char {
                IntRole::Char
            } else if p.is_wide_char() {
                IntRole::Wide
            } else {
                IntRole::Number
            },
        }),
        PrimRepr::Bool => Repr::Int(IntKind {
            bytes: 1,
            signed: false,
            role: IntRole::Bool,
        }),
        PrimRepr::Float { bytes } => Repr::Float(bytes),
        PrimRepr::X87 => Repr::LongDouble,
        PrimRepr::Complex { part_bytes, .. } => Repr::Complex(part_bytes),
    }
}

/// An error for types that cannot be used here, naming them.
pub(crate) fn unknown_size(t: &TypeInfo) -> Error {
    Error::from(rcffi_cdef::LayoutError::Unsized {
        ty: t.name.to_string(),
    })
}

/// The work of [`Ffi::with_target`](crate::Ffi::with_target).
pub(crate) fn with_target(target: Target) -> Ffi {
    Ffi {
        inner: Arc::new_cyclic(|me| UniInner {
            reg: RwLock::new(Arc::new(Registry::with_target(target.clone()))),
            strings: RwLock::new(HashMap::default()),
            ids: RwLock::new(Vec::new()),
            arena: Mutex::new(Vec::new()),
            id: NEXT_UNIVERSE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            generation: std::sync::atomic::AtomicU64::new(0),
            target,
            holds: Default::default(),
            users: std::sync::atomic::AtomicUsize::new(1),
            promoted: Default::default(),
            me: me.clone(),
        }),
    }
}

/// The work of [`Ffi::include`](crate::Ffi::include): `other`'s declarations, as they are now,
/// declared in `ffi`'s registry.
pub(crate) fn include(ffi: &Ffi, other: &Ffi) -> Result<()> {
    let theirs = Arc::clone(&other.inner.read());
    ffi.inner.write(|r| r.include(&theirs))?;
    Ok(())
}

/// The work of [`Ffi::cdef_with`](crate::Ffi::cdef_with).
pub(crate) fn cdef_with(ffi: &Ffi, text: &str, options: &CdefOptions) -> Result<CdefReport> {
    let report = ffi.inner.write(|r| r.cdef_with(text, options))?;
    if options.override_ {
        // A replaced typedef changes what type strings mean; realized types stay valid
        // for the cdata that use them.
        poison_ok(ffi.inner.strings.write()).clear();
        poison_ok(ffi.inner.ids.write()).clear();
        ffi.inner
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Release);
    }
    Ok(report)
}

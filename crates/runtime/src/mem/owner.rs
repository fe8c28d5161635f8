//! [`Owner`]: what memory a cdata may use, and what keeps it alive — rcffi's allocations, lent
//! bytes, a library's memory, ranges vouched for, or nothing — with the two owners that stand
//! for things above this floor behind traits ([`Finalizer`]: a `gc` destructor; [`Code`]: a
//! callback's closure). No unsafe code.

use super::{Counted, Handle, Home, KeepSet, Lent, Mapped, Region, Shared, Vouched};
use crate::error::{Error, Result};

/// What memory a cdata may use, and what keeps it alive.
#[derive(Clone, Default)]
pub(crate) enum Owner {
    /// Memory rcffi knows nothing about: C's pointers, casts from integers, NULL.
    #[default]
    Foreign,
    /// An allocation of rcffi's (`new`), kept alive by this owner.
    Alloc(Shared),
    /// A range a caller vouched for with `unsafe`; nothing keeps it alive.
    Vouched(Vouched),
    /// A cdata returned by `gc`: the original's memory, and a destructor run when the last
    /// clone is dropped (or on `release`). (Boxed: a thin pointer keeps an owner two words.)
    Gc(Counted<Box<dyn Finalizer>>),
    /// Rust bytes lent to C (`from_buffer`).
    Buffer(Counted<Lent>),
    /// A handle (`new_handle`): a unique address standing for a Rust value.
    Handle(Handle),
    /// Memory or code kept valid by something else: a library's global variable or function
    /// (the library stays loaded).
    Mapped(Mapped),
    /// A callback's code: its closure stays alive. (Boxed, as `Gc` is.)
    Callback(Counted<Box<dyn Code>>),
}

impl Owner {
    /// The owner of a `gc`'d cdata.
    pub(crate) fn gc(f: impl Finalizer + 'static) -> Owner {
        Owner::Gc(Counted::new(Box::new(f)))
    }

    /// The owner of a callback's code: its state, kept until the last of its runs on the
    /// thread that lets it go returns ([`running`](mod@super::running)).
    pub(crate) fn callback(code: std::sync::Arc<dyn Code>) -> Owner {
        Owner::Callback(Counted::new(Box::new(super::running::Held::new(code))))
    }
}

/// What a `gc`'d cdata holds (the data floor's `GcBox`): the owner of its memory, and a
/// destructor run once, on `release` or when the last holder goes.
pub(crate) trait Finalizer: Send + Sync {
    /// The owner of the memory, past any `gc` of a `gc`: found in one step.
    fn base(&self) -> OwnerRef<'_>;
    /// The value of the original, when it is a primitive.
    fn value(&self) -> [u8; 16];
    /// Runs the destructor now, once.
    fn run(&self);
    /// Forgets the destructor without running it.
    fn cancel(&self);
}

/// A `gc` for the floor's own tests: another owner of its first field's memory, whose value is
/// its second; its destructor does nothing.
#[cfg(test)]
pub(super) struct TestGc(pub(super) Owner, pub(super) [u8; 16]);

#[cfg(test)]
impl Finalizer for TestGc {
    fn base(&self) -> OwnerRef<'_> {
        self.0.as_ref()
    }
    fn value(&self) -> [u8; 16] {
        self.1
    }
    fn run(&self) {}
    fn cancel(&self) {}
}

/// A callback's code, kept alive with the closure it calls (the callback floor's box).
pub(crate) trait Code: Send + Sync {
    /// The address C calls.
    fn code(&self) -> usize;
    /// The closure's Rust type name, for reprs.
    fn name(&self) -> &str;
}

/// A borrowed [`Owner`]: what a cdata's owner is, without a clone (a cdata keeps its owner
/// packed, `mem::body`; a [`Place`](crate::data::convert::Place) or a keep set's home borrows
/// one). Two words, passed in registers.
#[derive(Copy, Clone)]
pub(crate) enum OwnerRef<'a> {
    /// See [`Owner::Foreign`].
    Foreign,
    /// See [`Owner::Alloc`].
    Alloc(&'a Shared),
    /// See [`Owner::Vouched`].
    Vouched(&'a Vouched),
    /// See [`Owner::Gc`].
    Gc(&'a Counted<Box<dyn Finalizer>>),
    /// See [`Owner::Buffer`].
    Buffer(&'a Counted<Lent>),
    /// See [`Owner::Handle`].
    Handle(&'a Handle),
    /// See [`Owner::Mapped`].
    Mapped(&'a Mapped),
    /// See [`Owner::Callback`].
    Callback(&'a Counted<Box<dyn Code>>),
}

impl Owner {
    /// This owner, borrowed.
    #[inline(always)]
    pub(crate) fn as_ref(&self) -> OwnerRef<'_> {
        match self {
            Owner::Foreign => OwnerRef::Foreign,
            Owner::Alloc(a) => OwnerRef::Alloc(a),
            Owner::Vouched(v) => OwnerRef::Vouched(v),
            Owner::Gc(g) => OwnerRef::Gc(g),
            Owner::Buffer(b) => OwnerRef::Buffer(b),
            Owner::Handle(h) => OwnerRef::Handle(h),
            Owner::Mapped(m) => OwnerRef::Mapped(m),
            Owner::Callback(c) => OwnerRef::Callback(c),
        }
    }
}

impl<'a> OwnerRef<'a> {
    /// A counted owner of the same thing (a clone).
    #[inline]
    pub(crate) fn to_owned(self) -> Owner {
        match self {
            OwnerRef::Foreign => Owner::Foreign,
            OwnerRef::Alloc(a) => Owner::Alloc(a.clone()),
            OwnerRef::Vouched(v) => Owner::Vouched(*v),
            OwnerRef::Gc(g) => Owner::Gc(g.clone()),
            OwnerRef::Buffer(b) => Owner::Buffer(b.clone()),
            OwnerRef::Handle(h) => Owner::Handle(h.clone()),
            OwnerRef::Mapped(m) => Owner::Mapped(m.clone()),
            OwnerRef::Callback(c) => Owner::Callback(c.clone()),
        }
    }

    /// Runs `f` with the region this owner lets a cdata use.
    #[inline(always)]
    pub(crate) fn with_region<T>(
        self,
        what: &dyn Fn() -> String,
        f: impl FnOnce(&Region<'_>) -> Result<T>,
    ) -> Result<T> {
        match self {
            OwnerRef::Foreign => Err(Error::Unchecked(format!(
                "{}: rcffi does not know this memory (it came from C or from an integer); if it is \
                 valid, say so with `unsafe {{ cdata.assume_valid(n) }}`",
                what()
            ).into())),
            OwnerRef::Alloc(a) => f(&a.region()),
            OwnerRef::Vouched(v) => f(&v.region()),
            OwnerRef::Gc(g) => g.base().with_region(what, f),
            OwnerRef::Buffer(b) => b.with_region(f),
            OwnerRef::Handle(_) => Err(Error::Type(format!(
                "{}: a handle points to no C data",
                what()
            ).into())),
            OwnerRef::Mapped(m) => f(&m.region()),
            OwnerRef::Callback(_) => Err(Error::Type(format!(
                "{}: a callback's code is not data",
                what()
            ).into())),
        }
    }

    /// The allocation, when this is rcffi's memory.
    pub(crate) fn allocation(self) -> Option<&'a Shared> {
        match self {
            OwnerRef::Alloc(a) => Some(a),
            OwnerRef::Gc(g) => g.base().allocation(),
            _ => None,
        }
    }

    /// The memory this owner's cdata may touch, as a home for pointers stored into it: what
    /// it keeps alive, and its first and last-plus-one addresses. `None` for memory that keeps
    /// nothing (foreign, vouched) or is no memory (handles, callbacks).
    ///
    /// rcffi's own memory is answered in line: the answer, 40 bytes, then stays in registers
    /// (returned through memory, its parts were stored one by one and read back as wider
    /// words, which waits: a fifth of a struct copy's time).
    #[inline(always)]
    pub(crate) fn keeping(self) -> Option<(&'a KeepSet, Home<'a>)> {
        if let OwnerRef::Alloc(a) = self {
            return Some(self.home(a.keep_set(), a.addr(), a.size()));
        }
        self.keeping_other(false)
    }

    /// [`OwnerRef::keeping`], for storing a pointer to owned memory into this owner's memory:
    /// its own keep set, made if it had none (a compact block answers `keeping` with a shared
    /// empty set until then).
    pub(crate) fn keeping_for_store(self) -> Option<(&'a KeepSet, Home<'a>)> {
        if let OwnerRef::Alloc(a) = self {
            return Some(self.home(a.keep_set_for_store(), a.addr(), a.size()));
        }
        self.keeping_other(true)
    }

    /// This owner's memory `base..base + len` as a home, with what it keeps alive.
    #[inline(always)]
    fn home(self, set: &'a KeepSet, base: usize, len: usize) -> (&'a KeepSet, Home<'a>) {
        let end = base.saturating_add(len);
        (
            set,
            Home {
                base,
                end,
                owner: self,
            },
        )
    }

    /// [`OwnerRef::keeping`] of the owners other than rcffi's own memory, and
    /// [`OwnerRef::keeping_for_store`] (`store`) of every owner.
    #[inline(never)]
    fn keeping_other(self, store: bool) -> Option<(&'a KeepSet, Home<'a>)> {
        let (set, base, len) = match self {
            OwnerRef::Alloc(a) if store => (a.keep_set_for_store(), a.addr(), a.size()),
            OwnerRef::Alloc(a) => (a.keep_set(), a.addr(), a.size()),
            OwnerRef::Gc(g) => {
                let base = g.base();
                let (set, home) = if store {
                    base.keeping_for_store()?
                } else {
                    base.keeping()?
                };
                return Some((
                    set,
                    Home {
                        owner: self,
                        ..home
                    },
                ));
            }
            OwnerRef::Buffer(b) => (&b.keep, b.base(), b.len()),
            OwnerRef::Mapped(m) => {
                let (base, len) = m.range();
                (m.keep_set(), base, len)
            }
            OwnerRef::Foreign
            | OwnerRef::Vouched(_)
            | OwnerRef::Handle(_)
            | OwnerRef::Callback(_) => {
                return None;
            }
        };
        Some(self.home(set, base, len))
    }

    /// The first and last-plus-one address of the memory this owner keeps alive (`None`:
    /// no memory, only an address — a handle, a callback's code — or nothing kept).
    pub(super) fn memory_range(self) -> Option<(usize, usize)> {
        match self {
            OwnerRef::Handle(_) | OwnerRef::Callback(_) => None,
            _ => self.keeping().map(|(_, h)| (h.base, h.end)),
        }
    }

    /// Whether this owner's memory is the memory `set` keeps for (so storing a pointer to it
    /// there would make that memory keep itself alive).
    pub(super) fn keeps_set(self, set: &KeepSet) -> bool {
        self.keeping().is_some_and(|(s, _)| std::ptr::eq(s, set))
    }

    /// Whether two owners hold the same thing (one entry of a keep set counts both).
    #[inline]
    pub(super) fn same_as(self, other: OwnerRef<'_>) -> bool {
        match (self, other) {
            (OwnerRef::Alloc(a), OwnerRef::Alloc(b)) => std::ptr::eq(a.as_ptr(), b.as_ptr()),
            (OwnerRef::Gc(a), OwnerRef::Gc(b)) => Counted::ptr_eq(a, b),
            (OwnerRef::Buffer(a), OwnerRef::Buffer(b)) => Counted::ptr_eq(a, b),
            (OwnerRef::Handle(a), OwnerRef::Handle(b)) => Handle::ptr_eq(a, b),
            (OwnerRef::Callback(a), OwnerRef::Callback(b)) => Counted::ptr_eq(a, b),
            (OwnerRef::Mapped(a), OwnerRef::Mapped(b)) => a.same_as(b),
            _ => false,
        }
    }

    /// Whether this owner keeps something alive (storing it into rcffi memory must keep it).
    pub(crate) fn is_owning(self) -> bool {
        !matches!(self, OwnerRef::Foreign | OwnerRef::Vouched(_))
    }
}

//! [`CData`]: a C value or a view of C memory, with its type and the memory it may touch.
//!
//! A cdata is `{ type, address or value, owner }`. The owner says which memory the cdata may
//! read and write: rcffi's own allocations (kept alive by every cdata derived from them, and
//! bounds-checked), ranges a caller vouched for with `unsafe`, or nothing (foreign memory: C's
//! pointers, integers cast to pointers), which safe code refuses to touch.

use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};
use crate::mem::{KeepSet, Lent, Mapped, Region, Shared, Vouched};
use crate::typeinfo::{Repr, TypeInfo};
use crate::universe::{Ffi, TypeRef};

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
    /// clone is dropped (or on `release`).
    Gc(Arc<GcBox>),
    /// Rust bytes lent to C (`from_buffer`).
    Buffer(Arc<Lent>),
    /// A handle (`new_handle`): a unique address standing for a Rust value.
    Handle(Arc<HandleBox>),
    /// Memory or code kept valid by something else: a library's global variable or function
    /// (the library stays loaded).
    Mapped(Mapped),
    /// A callback's code: its closure stays alive.
    Callback(Arc<crate::callback::CallbackBox>),
}

/// What `gc` runs.
pub(crate) type Destructor = Box<dyn FnOnce(CData) + Send>;

/// The state of a `gc`'d cdata.
pub(crate) struct GcBox {
    pub(crate) original: CData,
    /// The owner of the memory, past any `gc` the original was itself made by: regions and
    /// keep sets are found here in one step, however many times a cdata was `gc`'d.
    pub(crate) base: Owner,
    pub(crate) destructor: Mutex<Option<Destructor>>,
}

impl GcBox {
    /// Runs the destructor now, once.
    pub(crate) fn run(&self) {
        let d = self
            .destructor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(d) = d {
            d(self.original.clone());
        }
    }
}

impl Drop for GcBox {
    fn drop(&mut self) {
        self.run();
        // What the original holds is let go without recursion (`gc` of `gc` of ...).
        crate::mem::bury([
            std::mem::take(&mut self.original.owner),
            std::mem::take(&mut self.base),
        ]);
    }
}

/// A handle: a unique address standing for a Rust value (`new_handle`).
///
/// Handle addresses are never reused, so a released handle is recognized as such (cffi may
/// abort on one). They point to no memory; C only passes them around.
pub(crate) struct HandleBox {
    pub(crate) addr: usize,
    pub(crate) value: Arc<dyn std::any::Any + Send + Sync>,
    /// The Rust type of the value, for reprs and error messages.
    pub(crate) type_name: &'static str,
}

impl Drop for HandleBox {
    fn drop(&mut self) {
        crate::lifetime::forget_handle(self.addr);
    }
}

impl Owner {
    /// Runs `f` with the region this owner lets a cdata use.
    #[inline]
    pub(crate) fn with_region<T>(
        &self,
        what: &dyn Fn() -> String,
        f: impl FnOnce(&Region<'_>) -> Result<T>,
    ) -> Result<T> {
        match self {
            Owner::Foreign => Err(Error::Unchecked(format!(
                "{}: rcffi does not know this memory (it came from C or from an integer); if it is \
                 valid, say so with `unsafe {{ cdata.assume_valid(n) }}`",
                what()
            ))),
            Owner::Alloc(a) => f(&a.region()),
            Owner::Vouched(v) => f(&v.region()),
            Owner::Gc(g) => g.base.with_region(what, f),
            Owner::Buffer(b) => b.with_region(f),
            Owner::Handle(_) => Err(Error::Type(format!(
                "{}: a handle points to no C data",
                what()
            ))),
            Owner::Mapped(m) => f(&m.region()),
            Owner::Callback(_) => Err(Error::Type(format!(
                "{}: a callback's code is not data",
                what()
            ))),
        }
    }

    /// The allocation, when this is rcffi's memory.
    pub(crate) fn allocation(&self) -> Option<&Shared> {
        match self {
            Owner::Alloc(a) => Some(a),
            Owner::Gc(g) => g.base.allocation(),
            _ => None,
        }
    }

    /// The memory this owner's cdata may touch, as a home for pointers stored into it: what
    /// it keeps alive, and its first and last-plus-one addresses. `None` for memory that keeps
    /// nothing (foreign, vouched) or is no memory (handles, callbacks).
    #[inline]
    pub(crate) fn keeping(&self) -> Option<(&KeepSet, crate::mem::Home<'_>)> {
        let (set, base, len) = match self {
            Owner::Alloc(a) => (a.keep_set(), a.addr(), a.size()),
            Owner::Gc(g) => {
                let (set, home) = g.base.keeping()?;
                return Some((
                    set,
                    crate::mem::Home {
                        owner: self,
                        ..home
                    },
                ));
            }
            Owner::Buffer(b) => (&b.keep, b.base(), b.len()),
            Owner::Mapped(m) => {
                let (base, len) = m.range();
                (m.keep_set(), base, len)
            }
            Owner::Foreign | Owner::Vouched(_) | Owner::Handle(_) | Owner::Callback(_) => {
                return None;
            }
        };
        Some((
            set,
            crate::mem::Home {
                base,
                end: base.saturating_add(len),
                owner: self,
            },
        ))
    }

    /// The first and last-plus-one address of the memory this owner keeps alive (`None`:
    /// no memory, only an address — a handle, a callback's code — or nothing kept).
    pub(crate) fn memory_range(&self) -> Option<(usize, usize)> {
        match self {
            Owner::Handle(_) | Owner::Callback(_) => None,
            _ => self.keeping().map(|(_, h)| (h.base, h.end)),
        }
    }

    /// Whether this owner's memory is the memory `set` keeps for (so storing a pointer to it
    /// there would make that memory keep itself alive).
    pub(crate) fn keeps_set(&self, set: &KeepSet) -> bool {
        self.keeping().is_some_and(|(s, _)| std::ptr::eq(s, set))
    }

    /// Whether two owners hold the same thing (one entry of a keep set counts both).
    pub(crate) fn same_as(&self, other: &Owner) -> bool {
        match (self, other) {
            (Owner::Alloc(a), Owner::Alloc(b)) => std::ptr::eq(a.as_ptr(), b.as_ptr()),
            (Owner::Gc(a), Owner::Gc(b)) => Arc::ptr_eq(a, b),
            (Owner::Buffer(a), Owner::Buffer(b)) => Arc::ptr_eq(a, b),
            (Owner::Handle(a), Owner::Handle(b)) => Arc::ptr_eq(a, b),
            (Owner::Callback(a), Owner::Callback(b)) => Arc::ptr_eq(a, b),
            (Owner::Mapped(a), Owner::Mapped(b)) => a.same_as(b),
            _ => false,
        }
    }

    /// Whether this owner keeps something alive (storing it into rcffi memory must keep it).
    pub(crate) fn is_owning(&self) -> bool {
        !matches!(self, Owner::Foreign | Owner::Vouched(_))
    }
}

/// How a cdata came to be, for its repr (cffi's `owning N bytes`, `sliced length`, ...).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A view or value with nothing special to say.
    Plain,
    /// Returned by `new` (or `new_allocator`): owns its memory.
    New,
    /// A slice `p[a..b]`.
    Sliced,
    /// A struct value that co-owns the memory of `new("struct s *")` (cffi's `p[0]`).
    CoOwned,
    /// Returned by `from_buffer`: a view of lent bytes.
    FromBuffer,
}

/// C data: a primitive value, a pointer, or a view of an array, struct or union.
///
/// Cheap to clone (clones share memory). `Send + Sync`. Its `Debug` is cffi's repr:
/// `<cdata 'int *' owning 4 bytes>`, `<cdata 'int' 42>`, `<cdata 'struct foo *' 0x...>`,
/// `<cdata 'int *' NULL>`.
#[derive(Clone)]
pub struct CData {
    pub(crate) uni: crate::held::Held,
    pub(crate) ty: TypeRef,
    /// Primitives: the value's bytes (native endianness).
    pub(crate) value: [u8; 16],
    /// Pointers: the address they hold. Arrays, structs, unions: their address.
    pub(crate) addr: usize,
    /// The memory this cdata may touch (for pointers: the memory they point into).
    pub(crate) owner: Owner,
    /// The number of items of an open array (`T[]`) or slice.
    pub(crate) len: Option<usize>,
    pub(crate) origin: Origin,
}

impl CData {
    #[inline]
    pub(crate) fn info(&self) -> &TypeInfo {
        self.ty.get(&self.uni.inner)
    }

    /// The type a pointer cdata points to (in its own universe).
    #[inline]
    pub(crate) fn pointee(&self) -> Option<TypeRef> {
        self.uni.pointee(self.info())
    }

    /// The realized type a pointer cdata points to.
    pub(crate) fn pointee_info(&self) -> Option<&TypeInfo> {
        self.pointee().map(|t| t.get(&self.uni.inner))
    }

    /// The C name of this cdata's type (`"int *"`, `"struct foo"`).
    pub fn type_name(&self) -> &str {
        &self.info().name
    }

    /// A primitive cdata holding `bytes`.
    pub(crate) fn primitive(uni: &Ffi, ty: TypeRef, bytes: &[u8]) -> CData {
        assert_belongs(uni, ty);
        let mut value = [0u8; 16];
        value[..bytes.len()].copy_from_slice(bytes);
        CData {
            uni: crate::held::Held::new(uni),
            ty,
            value,
            addr: 0,
            owner: Owner::Foreign,
            len: None,
            origin: Origin::Plain,
        }
    }

    /// A pointer cdata holding `addr`, pointing into `owner`'s memory.
    #[inline(always)]
    pub(crate) fn pointer(uni: &Ffi, ty: TypeRef, addr: usize, owner: Owner) -> CData {
        CData::place(uni, ty, addr, owner, None)
    }

    /// A view of an array, struct or union at `addr`.
    #[inline(always)]
    pub(crate) fn place(
        uni: &Ffi,
        ty: TypeRef,
        addr: usize,
        owner: Owner,
        len: Option<usize>,
    ) -> CData {
        assert_belongs(uni, ty);
        CData {
            uni: crate::held::Held::new(uni),
            ty,
            value: [0; 16],
            addr,
            owner,
            len,
            origin: Origin::Plain,
        }
    }

    /// The same cdata over other memory: `owner` replaces this one's (built field by field, so
    /// the old owner is not cloned only to be dropped: that costs an atomic update).
    pub(crate) fn with_owner(&self, owner: Owner) -> CData {
        CData {
            uni: self.uni.clone(),
            ty: self.ty,
            value: self.value,
            addr: self.addr,
            owner,
            len: self.len,
            origin: self.origin,
        }
    }

    /// Whether this is a pointer whose address is 0.
    pub fn is_null(&self) -> bool {
        self.info().is_pointer() && self.addr == 0
    }

    /// The address: of the memory a pointer points to, or of an array or struct. 0 for
    /// primitives.
    pub fn address(&self) -> usize {
        self.addr
    }

    /// The type of this cdata.
    pub fn ctype(&self) -> crate::ctype::CType {
        crate::ctype::CType::new(&self.uni, self.info().id)
    }

    /// A description for error messages: `cdata 'int *'`.
    pub(crate) fn what(&self) -> String {
        format!("cdata '{}'", self.type_name())
    }

    /// The `ffi` object this cdata belongs to.
    pub fn ffi(&self) -> &Ffi {
        &self.uni
    }

    /// Size in bytes of the object this cdata is (cffi's `ffi.sizeof(cdata)`): a pointer's own
    /// size, an array's whole length (open arrays and slices included), a struct's size — for
    /// a variable-size struct from `new`, all of it.
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// assert_eq!(ffi.new("int[]", 10)?.sizeof()?, 40);
    /// assert_eq!(ffi.new("int[]", 10)?.slice(2, 9)?.sizeof()?, 28);
    /// assert_eq!(ffi.new("short *", ())?.sizeof()?, 8);
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn sizeof(&self) -> Result<usize> {
        if self.origin == Origin::CoOwned
            && let Some(a) = self.owner.allocation()
        {
            return Ok(a.size());
        }
        self.byte_size()
    }

    pub(crate) fn byte_size(&self) -> Result<usize> {
        object_size(&self.uni, self.ty, self.len)
    }
}

/// Checks that a cdata about to be made pairs its type with the universe that made it: a
/// cdata keeps only its own universe alive, so a type of another one would dangle once that
/// one is dropped (`docs/unsafe.md`, the cross-ffi rule).
#[inline(always)]
fn assert_belongs(uni: &Ffi, ty: TypeRef) {
    if !ty.belongs(&uni.inner) {
        mismatched_universe();
    }
}

#[cold]
#[inline(never)]
fn mismatched_universe() -> ! {
    panic!("rcffi: a cdata of one ffi object was given a type of another")
}

/// Size in bytes of an object of type `ty`: an open array or slice counts its `len` items.
pub(crate) fn object_size(uni: &Ffi, ty: TypeRef, len: Option<usize>) -> Result<usize> {
    let info = ty.get(&uni.inner);
    match (&info.repr, len) {
        (Repr::Array { elem, .. }, Some(n)) => {
            let e = elem.get(&uni.inner);
            e.size()
                .and_then(|s| s.checked_mul(n))
                .ok_or_else(|| crate::universe::unknown_size(e))
        }
        _ => info
            .size()
            .ok_or_else(|| crate::universe::unknown_size(info)),
    }
}

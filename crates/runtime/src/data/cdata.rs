//! [`CData`]: a C value or a view of C memory, with its type and the memory it may touch.
//!
//! A cdata is `{ type, address or value, owner }`. The owner says which memory the cdata may
//! read and write: rcffi's own allocations (kept alive by every cdata derived from them, and
//! bounds-checked), ranges a caller vouched for with `unsafe`, or nothing (foreign memory: C's
//! pointers, integers cast to pointers), which safe code refuses to touch.

use rcffi_cdef::CTypeId;

use crate::base::panics::reported;
use crate::error::{Error, Result};
use crate::mem::{Body, Finalizer, Owner, OwnerRef};
pub(crate) use crate::mem::{Len, Origin};
use crate::types::{Ffi, HeldType, Repr, TypeInfo, TypeRef, TypeSpec};

/// What `gc` runs.
pub(super) type Destructor = Box<dyn FnOnce(CData) + Send>;

/// The state of a `gc`'d cdata.
pub(super) struct GcBox {
    pub(super) original: CData,
    /// The owner of the memory past any `gc` the original was itself made by (`None`: the
    /// original's own owner, not a `gc`): regions and keep sets are found in one step, however
    /// many times a cdata was `gc`'d.
    pub(crate) base: Option<Owner>,
    /// The original's value, when it is a primitive (a `gc`'d cdata's owner pointer is where
    /// a primitive's high bytes would be: `CData::bytes` reads them here).
    pub(crate) value: [u8; 16],
    /// Taken once, by whichever of `run` and `cancel` comes first (never held while the
    /// destructor runs or is dropped).
    pub(crate) destructor: crate::mem::ShortLock<Option<Destructor>>,
}

impl Finalizer for GcBox {
    fn base(&self) -> OwnerRef<'_> {
        match &self.base {
            Some(b) => b.as_ref(),
            None => self.original.owner(),
        }
    }

    fn value(&self) -> [u8; 16] {
        self.value
    }

    fn cancel(&self) {
        let d = self.destructor.lock().take();
        // Dropped after the lock is released: what the closure holds may run code.
        drop(d);
    }

    fn run(&self) {
        let d = self.destructor.lock().take();
        if let Some(d) = d {
            let original = self.original.clone();
            // A panic in the destructor is reported, not let out of the drop that ran it.
            reported(
                || format!("the gc destructor of cdata '{}'", self.original.type_name()),
                move || d(original),
            );
        }
    }
}

impl Drop for GcBox {
    fn drop(&mut self) {
        self.run();
        // What the original holds is let go without recursion (`gc` of `gc` of ...).
        crate::mem::bury([
            self.original.take_owner(),
            self.base.take().unwrap_or_default(),
        ]);
    }
}

/// C data: a primitive value, a pointer, or a view of an array, struct or union.
///
/// Cheap to clone (clones share memory). `Send + Sync`. Its `Debug` is cffi's repr:
/// `<cdata 'int *' owning 4 bytes>`, `<cdata 'int' 42>`, `<cdata 'struct foo *' 0x...>`,
/// `<cdata 'int *' NULL>`.
#[must_use = "a cdata dropped at once frees what it owns (memory from `new`, a callback, a `gc` destructor runs)"]
#[derive(Clone)]
#[repr(C)]
pub struct CData {
    /// The type, and the counted reference to its universe that keeps the type alive.
    pub(crate) held: HeldType,
    /// A primitive's value, or the address of a pointer, array, struct, union or function
    /// with the owner of the memory there, an open array's item count and the origin
    /// ([`Body`]: 24 bytes, the owner packed). Last, so that its origin byte — where a
    /// `Value` keeps its tag — is byte 24, after the 24 bytes other `Value`s use.
    body: Body,
}

impl CData {
    #[inline(always)]
    pub(crate) fn info(&self) -> &TypeInfo {
        self.held.info()
    }

    /// The memory this cdata may touch (for pointers: the memory they point into).
    #[inline(always)]
    pub(crate) fn owner(&self) -> OwnerRef<'_> {
        self.body.owner()
    }

    /// Takes the owner out, leaving a foreign one (`gc`'s box lets go of what its original
    /// held).
    pub(crate) fn take_owner(&mut self) -> Owner {
        self.body.take_owner()
    }

    /// The owner, this cdata given up for it.
    pub(crate) fn into_owner(mut self) -> Owner {
        self.take_owner()
    }

    /// Replaces the owner of a cdata held by address (a primitive's owner is where its high
    /// bytes are: only `gc` gives one, through [`CData::with_owner`]).
    pub(crate) fn set_owner(&mut self, owner: Owner) {
        debug_assert!(self.info().by_address());
        self.body.set_owner(owner);
    }

    /// Makes this cdata's owner a clone of `other`'s, cloned where it is packed (both held by
    /// address; `other` may be of another universe: an owner is memory, not types).
    #[inline]
    pub(crate) fn share_owner_of(&mut self, other: &CData) {
        debug_assert!(self.info().by_address() && other.info().by_address());
        let (addr, len, origin) = (self.addr(), self.body.len(), self.body.origin());
        self.body = other.body.clone().moved(addr, len, origin);
    }

    /// A primitive's value: its bytes, native endianness (a `gc`'d one's are kept by its
    /// `gc` box: the owner's pointer is where its high bytes would be).
    #[inline(always)]
    pub(crate) fn bytes(&self) -> [u8; 16] {
        if self.body.has_owner()
            && let OwnerRef::Gc(g) = self.body.owner()
        {
            return g.value();
        }
        self.body.bytes()
    }

    /// The type (in its own universe).
    #[inline(always)]
    pub(crate) fn ty(&self) -> TypeRef {
        self.held.ty()
    }

    /// The universe (the `ffi` object) this cdata belongs to.
    #[inline(always)]
    pub(crate) fn uni(&self) -> &Ffi {
        self.held.uni()
    }

    /// The type a pointer cdata points to (in its own universe).
    #[inline]
    pub(crate) fn pointee(&self) -> Option<TypeRef> {
        self.uni().pointee(self.info())
    }

    /// The realized type a pointer cdata points to.
    pub(crate) fn pointee_info(&self) -> Option<&TypeInfo> {
        self.pointee().map(|t| t.get(&self.uni().inner))
    }

    /// The C name of this cdata's type (`"int *"`, `"struct foo"`).
    pub fn type_name(&self) -> &str {
        &self.info().name
    }

    /// A primitive cdata holding `bytes`.
    pub(crate) fn primitive(uni: &Ffi, ty: TypeRef, bytes: &[u8]) -> CData {
        let mut value = [0u8; 16];
        value[..bytes.len()].copy_from_slice(bytes);
        CData::primitive_bytes(uni, ty, value)
    }

    /// A primitive cdata holding `value` (its bytes first, then zeros).
    #[inline]
    pub(crate) fn primitive_bytes(uni: &Ffi, ty: TypeRef, value: [u8; 16]) -> CData {
        let held = HeldType::new(uni, ty);
        debug_assert!(!held.info().by_address());
        CData {
            held,
            body: Body::value(value),
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
        let held = HeldType::new(uni, ty);
        debug_assert!(held.info().by_address());
        CData {
            held,
            body: Body::place(addr, owner, Len::new(len), Origin::Plain),
        }
    }

    /// A pointer, array, struct or union of type `ty` (of this cdata's universe) at `addr`, over
    /// this cdata's memory: `p + 1`, `a[1:3]`, `addressof`. Its owner is this one's, cloned
    /// where it is packed; its count `len`, its origin `origin`.
    #[inline]
    pub(crate) fn derived(
        &self,
        ty: TypeRef,
        addr: usize,
        len: Option<usize>,
        origin: Origin,
    ) -> CData {
        let held = HeldType::new(self.uni(), ty);
        debug_assert!(held.info().by_address() && self.info().by_address());
        CData {
            held,
            body: self.body.clone().moved(addr, Len::new(len), origin),
        }
    }

    /// This pointer or array as a pointer of type `ty` (of its own universe), at its address
    /// and over the same memory: its universe reference and owner move over, not cloned.
    #[inline]
    pub(crate) fn retyped(self, ty: TypeRef) -> CData {
        debug_assert!(self.info().by_address() && ty.get(&self.uni().inner).is_pointer());
        let addr = self.addr();
        let CData { held, body } = self;
        CData {
            held: held.retyped(ty),
            body: body.moved(addr, Len::NONE, Origin::Plain),
        }
    }

    /// A cdata that owns `mem` (`new`'s, a struct passed or returned by value), at its
    /// address. The owner is made here, after the universe's reference: made before, it was
    /// kept on the stack across that call and then copied with a load wider than the stores
    /// that wrote it (its pointer and its tag byte), which stalls.
    #[inline(always)]
    pub(crate) fn owning(
        uni: &Ffi,
        ty: TypeRef,
        mem: crate::mem::Shared,
        len: Option<usize>,
        origin: Origin,
    ) -> CData {
        let held = HeldType::new(uni, ty);
        debug_assert!(held.info().by_address());
        let addr = mem.addr();
        CData {
            held,
            body: Body::place(addr, Owner::Alloc(mem), Len::new(len), origin),
        }
    }

    /// A struct (or union) passed or returned by value: its own copy in `mem`, owned as
    /// `new`'s memory is.
    #[inline(always)]
    pub(crate) fn by_value(uni: &Ffi, ty: TypeRef, mem: crate::mem::Shared) -> CData {
        CData::owning(uni, ty, mem, None, Origin::New)
    }

    /// The address a pointer holds, or the address of an array, struct, union or function.
    /// Meaningless for a primitive (its bytes are its value): callers know the kind, and
    /// [`CData::address`] says 0 for primitives.
    #[inline(always)]
    pub(crate) fn addr(&self) -> usize {
        self.body.addr()
    }

    /// The number of items of an open array (`T[]`) or slice; none for every other cdata.
    #[inline]
    pub(crate) fn count(&self) -> Option<usize> {
        if matches!(self.info().repr, Repr::Array { .. }) {
            self.body.len().get()
        } else {
            None
        }
    }

    /// How this cdata came to be (`Plain` for primitives).
    #[inline(always)]
    pub(crate) fn origin(&self) -> Origin {
        self.body.origin()
    }

    /// Sets the origin of a cdata held by address. A primitive's is always `Plain`.
    #[inline(always)]
    pub(crate) fn set_origin(&mut self, o: Origin) {
        if self.info().by_address() {
            self.body.set_origin(o);
        }
    }

    /// The same cdata over other memory: `owner` replaces this one's (built field by field, so
    /// the old owner is not cloned only to be dropped: that costs an atomic update).
    pub(crate) fn with_owner(&self, owner: Owner) -> CData {
        // A primitive keeps its low bytes where an address would be; all of them, when it
        // has an owner (only `gc` gives one), are kept by the `gc` box.
        CData {
            held: self.held.clone(),
            body: Body::place(self.addr(), owner, self.body.len(), self.body.origin()),
        }
    }

    /// Whether this is a pointer whose address is 0.
    pub fn is_null(&self) -> bool {
        self.info().is_pointer() && self.addr() == 0
    }

    /// The address: of the memory a pointer points to, or of an array or struct. 0 for
    /// primitives.
    pub fn address(&self) -> usize {
        if self.info().by_address() {
            self.addr()
        } else {
            0
        }
    }

    /// The type of this cdata.
    pub fn ctype(&self) -> crate::types::CType {
        crate::types::CType::new(self.uni(), self.info().id)
    }

    /// A description for error messages: `cdata 'int *'`.
    pub(crate) fn what(&self) -> String {
        format!("cdata '{}'", self.type_name())
    }

    /// The `ffi` object this cdata belongs to.
    pub fn ffi(&self) -> &Ffi {
        self.uni()
    }

    /// Size in bytes of the object this cdata is (cffi's `ffi.sizeof(cdata)`): a pointer's own
    /// size, an array's whole length (open arrays and slices included), a struct's size — for
    /// a variable-size struct from `new`, all of it.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] when the cdata's type has no size (an opaque struct, a
    /// function).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.new("int[]", 10)?.sizeof()?, 40);
    /// assert_eq!(ffi.new("int[]", 10)?.slice(2, 9)?.sizeof()?, 28);
    /// assert_eq!(ffi.new("short *", ())?.sizeof()?, 8);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn sizeof(&self) -> Result<usize> {
        if self.origin() == Origin::CoOwned
            && let Some(a) = self.owner().allocation()
        {
            return Ok(a.size());
        }
        self.byte_size()
    }

    pub(crate) fn byte_size(&self) -> Result<usize> {
        object_size(self.uni(), self.ty(), self.count())
    }
}

/// Size in bytes of an object of type `ty`: an open array or slice counts its `len` items.
pub(super) fn object_size(uni: &Ffi, ty: TypeRef, len: Option<usize>) -> Result<usize> {
    let info = ty.get(&uni.inner);
    match (&info.repr, len) {
        (Repr::Array { elem, .. }, Some(n)) => {
            let e = elem.get(&uni.inner);
            e.size()
                .and_then(|s| s.checked_mul(n))
                .ok_or_else(|| crate::types::unknown_size(e))
        }
        _ => info.size().ok_or_else(|| crate::types::unknown_size(info)),
    }
}

/// A cdata names its own type, in its own `ffi` object.
impl TypeSpec for CData {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        (&self).type_id(uni)
    }
    fn own_ffi(&self) -> Option<&Ffi> {
        Some(self.uni())
    }
    fn cdata_size(&self) -> Option<Result<usize>> {
        Some(self.sizeof())
    }
    fn is_cdata(&self) -> bool {
        true
    }
}

impl TypeSpec for &CData {
    fn type_id(&self, uni: &Ffi) -> Result<CTypeId> {
        if !self.uni().same(uni) {
            return Err(Error::Type(
                format!("{} belongs to another ffi object", self.what()).into(),
            ));
        }
        Ok(self.info().id)
    }
    fn own_ffi(&self) -> Option<&Ffi> {
        Some(self.uni())
    }
    fn cdata_size(&self) -> Option<Result<usize>> {
        Some(self.sizeof())
    }
    fn is_cdata(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    /// The sizes the bytes per held cdata come from (docs/performance.md): a cdata of 32
    /// bytes (its type and universe in one word, its owner packed), a `Value` of 32 (its tag
    /// in the spare values of a cdata's origin byte), an owner of 16 where it is not packed
    /// (the block: `mem::shared`).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn cdata_and_values_keep_their_sizes() {
        assert_eq!(size_of::<super::CData>(), 32);
        assert_eq!(size_of::<crate::data::Value>(), 32);
        assert_eq!(size_of::<crate::mem::Owner>(), 16);
        assert_eq!(size_of::<crate::types::HeldType>(), 8);
        assert_eq!(size_of::<crate::Error>(), 24);
        assert_eq!(size_of::<crate::Result<crate::data::Value>>(), 32);
        assert_eq!(size_of::<crate::Result<super::CData>>(), 32);
    }

    /// A `Value` holding a cdata holds it where it starts: making one moves no bytes.
    #[test]
    fn a_value_holds_its_cdata_at_its_start() {
        let ffi = crate::Ffi::default();
        let v = crate::data::Value::CData(ffi.new("int *", ()).unwrap());
        let crate::data::Value::CData(c) = &v else {
            unreachable!()
        };
        assert_eq!(std::ptr::from_ref(c).addr(), std::ptr::from_ref(&v).addr());
    }
}

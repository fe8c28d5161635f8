//! [`CData`]: a C value or a view of C memory, with its type and the memory it may touch.
//!
//! A cdata is `{ type, address or value, owner }`. The owner says which memory the cdata may
//! read and write: rcffi's own allocations (kept alive by every cdata derived from them, and
//! bounds-checked), ranges a caller vouched for with `unsafe`, or nothing (foreign memory: C's
//! pointers, integers cast to pointers), which safe code refuses to touch.

use std::sync::Mutex;

use rcffi_cdef::CTypeId;

use crate::error::{Error, Result};
use crate::mem::{Finalizer, Owner};
use crate::types::{Ffi, Repr, TypeInfo, TypeRef, TypeSpec};

/// What `gc` runs.
pub(super) type Destructor = Box<dyn FnOnce(CData) + Send>;

/// The state of a `gc`'d cdata.
pub(super) struct GcBox {
    pub(super) original: CData,
    /// The owner of the memory, past any `gc` the original was itself made by: regions and
    /// keep sets are found here in one step, however many times a cdata was `gc`'d.
    pub(crate) base: Owner,
    pub(crate) destructor: Mutex<Option<Destructor>>,
}

impl Finalizer for GcBox {
    fn base(&self) -> &Owner {
        &self.base
    }

    fn cancel(&self) {
        drop(
            self.destructor
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
    }

    fn run(&self) {
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

/// How a cdata came to be, for its repr (cffi's `owning N bytes`, `sliced length`, ...).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Origin {
    /// A view or value with nothing special to say.
    Plain = 0,
    /// Returned by `new` (or `new_allocator`): owns its memory.
    New = 1,
    /// A slice `p[a..b]`.
    Sliced = 2,
    /// A struct value that co-owns the memory of `new("struct s *")` (cffi's `p[0]`).
    CoOwned = 3,
    /// Returned by `from_buffer`: a view of lent bytes.
    FromBuffer = 4,
}

/// C data: a primitive value, a pointer, or a view of an array, struct or union.
///
/// Cheap to clone (clones share memory). `Send + Sync`. Its `Debug` is cffi's repr:
/// `<cdata 'int *' owning 4 bytes>`, `<cdata 'int' 42>`, `<cdata 'struct foo *' 0x...>`,
/// `<cdata 'int *' NULL>`.
#[must_use = "a cdata dropped at once frees what it owns (memory from `new`, a callback, a `gc` destructor runs)"]
#[derive(Clone)]
pub struct CData {
    pub(crate) uni: crate::types::Held,
    pub(crate) ty: TypeRef,
    /// Primitives: the value's bytes (native endianness). Pointers, functions, arrays,
    /// structs and unions: the address they hold or are at (bytes 0..8, read by
    /// [`CData::addr`]), then the item count of an open array or slice and the origin in one
    /// word ([`Tail`]). One of the two is in use, never both: a cdata is 16 bytes smaller.
    pub(crate) value: [u8; 16],
    /// The memory this cdata may touch (for pointers: the memory they point into).
    pub(crate) owner: Owner,
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
        debug_assert!(!ty.get(&uni.inner).by_address());
        let mut value = [0u8; 16];
        value[..bytes.len()].copy_from_slice(bytes);
        CData {
            uni: crate::types::Held::new(uni),
            ty,
            value,
            owner: Owner::Foreign,
        }
    }

    /// A pointer cdata holding `addr`, pointing into `owner`'s memory.
    #[inline(always)]
    pub(crate) fn pointer(uni: &Ffi, ty: TypeRef, addr: usize, owner: Owner) -> CData {
        CData::place(uni, ty, addr, owner, None)
    }

    /// A view of an array, struct or union at `addr`. Its 16 bytes are written once, whole:
    /// set field by field and then moved, they would be read by a wider load than the stores
    /// that wrote them, which stalls (a struct result took 4 ns more).
    #[inline(always)]
    pub(crate) fn place(
        uni: &Ffi,
        ty: TypeRef,
        addr: usize,
        owner: Owner,
        len: Option<usize>,
    ) -> CData {
        assert_belongs(uni, ty);
        debug_assert!(ty.get(&uni.inner).by_address());
        CData {
            uni: crate::types::Held::new(uni),
            ty,
            value: address_and_tail(addr, Tail::new(Len::new(len), Origin::Plain)),
            owner,
        }
    }

    /// This pointer or array as a pointer of type `ty` (of its own universe), at its address
    /// and over the same memory: its universe reference and owner move over, not cloned.
    #[inline]
    pub(crate) fn retyped(self, ty: TypeRef) -> CData {
        assert_belongs(&self.uni, ty);
        debug_assert!(self.info().by_address() && ty.get(&self.uni.inner).is_pointer());
        let addr = self.addr();
        CData {
            uni: self.uni,
            ty,
            value: address_and_tail(addr, Tail::new(Len::NONE, Origin::Plain)),
            owner: self.owner,
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
        assert_belongs(uni, ty);
        debug_assert!(ty.get(&uni.inner).by_address());
        let held = crate::types::Held::new(uni);
        let addr = mem.addr();
        CData {
            uni: held,
            ty,
            value: address_and_tail(addr, Tail::new(Len::new(len), origin)),
            owner: Owner::Alloc(mem),
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
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.value[..8]);
        u64::from_ne_bytes(w) as usize
    }

    /// The count and origin word of a cdata held by address.
    #[inline(always)]
    fn tail(&self) -> Tail {
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.value[8..]);
        Tail(u64::from_ne_bytes(w))
    }

    /// The number of items of an open array (`T[]`) or slice; none for every other cdata.
    #[inline]
    pub(crate) fn count(&self) -> Option<usize> {
        if matches!(self.info().repr, Repr::Array { .. }) {
            self.tail().len().get()
        } else {
            None
        }
    }

    /// How this cdata came to be (`Plain` for primitives).
    #[inline]
    pub(crate) fn origin(&self) -> Origin {
        if self.info().by_address() {
            self.tail().origin()
        } else {
            Origin::Plain
        }
    }

    /// Sets the origin of a cdata held by address. A primitive's is always `Plain`: its 16
    /// bytes are its value, which this leaves alone.
    #[inline(always)]
    pub(crate) fn set_origin(&mut self, o: Origin) {
        if self.info().by_address() {
            let t = Tail::new(self.tail().len(), o);
            self.value[8..].copy_from_slice(&t.0.to_ne_bytes());
        }
    }

    /// The same cdata over other memory: `owner` replaces this one's (built field by field, so
    /// the old owner is not cloned only to be dropped: that costs an atomic update).
    pub(crate) fn with_owner(&self, owner: Owner) -> CData {
        CData {
            uni: self.uni.clone(),
            ty: self.ty,
            value: self.value,
            owner,
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
        crate::types::CType::new(&self.uni, self.info().id)
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
            && let Some(a) = self.owner.allocation()
        {
            return Ok(a.size());
        }
        self.byte_size()
    }

    pub(crate) fn byte_size(&self) -> Result<usize> {
        object_size(&self.uni, self.ty, self.count())
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
        Some(&self.uni)
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
        if !self.uni.same(uni) {
            return Err(Error::Type(format!(
                "{} belongs to another ffi object",
                self.what()
            )));
        }
        Ok(self.info().id)
    }
    fn own_ffi(&self) -> Option<&Ffi> {
        Some(&self.uni)
    }
    fn cdata_size(&self) -> Option<Result<usize>> {
        Some(self.sizeof())
    }
    fn is_cdata(&self) -> bool {
        true
    }
}

/// The number of items of an open array or slice cdata, or none, in 61 bits (all ones is
/// none): the rest of its word holds the cdata's [`Origin`] ([`Tail`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Len(u64);

impl Len {
    const BITS: u32 = 61;
    /// No count.
    pub(crate) const NONE: Len = Len((1 << Len::BITS) - 1);
    /// The most items an open array or slice may count: `new` and slicing refuse more (only
    /// items of size 0 come near it; no memory holds that many bytes).
    pub(crate) const MAX: usize = if (isize::MAX as u64) < (1 << Len::BITS) - 2 {
        isize::MAX as usize
    } else {
        ((1u64 << Len::BITS) - 2) as usize
    };

    /// `n` items, or none. A fixed array's count may be larger than [`Len::MAX`] (items of
    /// size 0): it is read from its type, and none is kept here.
    #[inline]
    pub(crate) const fn new(n: Option<usize>) -> Len {
        match n {
            Some(n) if n <= Len::MAX => Len(n as u64),
            _ => Len::NONE,
        }
    }

    /// The count, if any.
    #[inline]
    pub(crate) const fn get(self) -> Option<usize> {
        if self.0 == Len::NONE.0 {
            None
        } else {
            Some(self.0 as usize)
        }
    }
}

/// The second word of a cdata held by address: its [`Len`] in the low 61 bits, its
/// [`Origin`] in the top 3.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Tail(u64);

impl Tail {
    #[inline(always)]
    const fn new(len: Len, origin: Origin) -> Tail {
        Tail(len.0 | ((origin as u64) << Len::BITS))
    }

    #[inline(always)]
    const fn len(self) -> Len {
        Len(self.0 & Len::NONE.0)
    }

    #[inline(always)]
    const fn origin(self) -> Origin {
        match self.0 >> Len::BITS {
            1 => Origin::New,
            2 => Origin::Sliced,
            3 => Origin::CoOwned,
            4 => Origin::FromBuffer,
            _ => Origin::Plain,
        }
    }
}

/// The 16 bytes of a cdata held by address.
#[inline(always)]
fn address_and_tail(addr: usize, tail: Tail) -> [u8; 16] {
    let (low, high) = if cfg!(target_endian = "little") {
        (addr as u64, tail.0)
    } else {
        (tail.0, addr as u64)
    };
    ((u128::from(high) << 64) | u128::from(low)).to_ne_bytes()
}

#[cfg(test)]
mod tests {
    /// The sizes the bytes per held cdata come from (docs/performance.md): a cdata and a
    /// `Value` of 48 bytes, an owner of 16 (the block: `mem::shared`).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn cdata_and_values_keep_their_sizes() {
        assert_eq!(size_of::<super::CData>(), 48);
        assert_eq!(size_of::<crate::data::Value>(), 48);
        assert_eq!(size_of::<crate::mem::Owner>(), 16);
        // An error fits beside a value's discriminant: a `Result<Value>` is a `Value`.
        assert_eq!(size_of::<crate::Error>(), 40);
        assert_eq!(size_of::<crate::Result<crate::data::Value>>(), 48);
        assert_eq!(size_of::<crate::Result<super::CData>>(), 48);
        assert_eq!(super::Len::new(Some(7)).get(), Some(7));
        assert_eq!(super::Len::new(None).get(), None);
    }

    /// The count and the origin share a word without touching each other: every origin with
    /// counts at the edges, and counts past the limit kept as none (a fixed array's count
    /// comes from its type).
    #[test]
    fn a_count_and_an_origin_share_their_word() {
        use super::{Len, Origin, Tail};
        for origin in [
            Origin::Plain,
            Origin::New,
            Origin::Sliced,
            Origin::CoOwned,
            Origin::FromBuffer,
        ] {
            for n in [Some(0), Some(1), Some(7), Some(Len::MAX), None] {
                let t = Tail::new(Len::new(n), origin);
                assert_eq!((t.len().get(), t.origin()), (n, origin));
                let addr = 0xdead_beef_usize;
                let bytes = super::address_and_tail(addr, t);
                assert_eq!(bytes[..8], (addr as u64).to_ne_bytes());
                assert_eq!(bytes[8..], t.0.to_ne_bytes());
            }
        }
        assert_eq!(Len::new(Some(Len::MAX + 1)).get(), None);
        assert_eq!(Len::new(Some(usize::MAX)).get(), None);
    }
}

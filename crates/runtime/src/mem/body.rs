//! [`Body`]: what a cdata holds after its type, in 24 bytes — a primitive's value, or an
//! address with the owner of the memory there, an item count and an origin.
//!
//! An [`Owner`] is two words (its tag beside a pointer, or a vouched range); a cdata keeps it
//! packed instead: the owner's one pointer in the word after the address, and its kind in the
//! body's last byte. With the count (48 bits) and the origin in the same word, a cdata is 32
//! bytes — and a `Value`, whose tag goes in the spare values of the origin's byte, too.
//!
//! # Safety
//!
//! The link word holds, by the kind byte: nothing (`Foreign`: the word is plain bytes — 0, or
//! a primitive's high bytes); or one counted reference — the `Shared`, `Arc` or `Mapped` of the
//! owner's variant, moved in whole (a vouched range, which has no pointer, in an `Arc` of its
//! own). The kind byte is written only together with the link: by [`Body::place`] and
//! [`Body::set_owner`], which move a reference in, and [`Body::take_owner`], which moves it out
//! and leaves `Foreign`. So the reference is read as the variant the kind names, cloned once
//! per `Clone`, and dropped once, by `Drop` or by being taken out. One of the runtime's modules
//! with `unsafe` code (`docs/unsafe.md` lists them).

use std::mem::ManuallyDrop;
use std::sync::Arc;

use super::Handle;
use super::owner::{Code, Finalizer};
use super::{Counted, Lent, Mapped, Owner, OwnerRef, Shared, Vouched};

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

/// Which [`Owner`] variant a body's link holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Foreign = 0,
    Alloc,
    Vouched,
    Gc,
    Buffer,
    Handle,
    Mapped,
    Callback,
}

/// The owner's pointer: one variant's counted reference, or plain bytes (see the module docs).
#[repr(C)]
union Link {
    bytes: [u8; 8],
    alloc: ManuallyDrop<Shared>,
    vouched: ManuallyDrop<Arc<Vouched>>,
    gc: ManuallyDrop<Counted<Box<dyn Finalizer>>>,
    buffer: ManuallyDrop<Counted<Lent>>,
    handle: ManuallyDrop<Handle>,
    mapped: ManuallyDrop<Mapped>,
    callback: ManuallyDrop<Counted<Box<dyn Code>>>,
}

/// The one table of which link field holds which owner: `$arm!(field, Variant)` for the
/// variant a (non-`Foreign`) kind names, `$foreign` for `Foreign` — so that borrowing, cloning
/// and dropping a link read the field its kind names, from one list.
macro_rules! per_kind {
    ($kind:expr, foreign => $foreign:expr, $arm:ident) => {
        match $kind {
            Kind::Foreign => $foreign,
            Kind::Alloc => $arm!(alloc, Alloc),
            Kind::Vouched => $arm!(vouched, Vouched),
            Kind::Gc => $arm!(gc, Gc),
            Kind::Buffer => $arm!(buffer, Buffer),
            Kind::Handle => $arm!(handle, Handle),
            Kind::Mapped => $arm!(mapped, Mapped),
            Kind::Callback => $arm!(callback, Callback),
        }
    };
}

/// The number of items of an open array or slice cdata, or none, in 48 bits (all ones is
/// none).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Len(u64);

impl Len {
    const BITS: u32 = 48;
    /// No count.
    pub(crate) const NONE: Len = Len((1 << Len::BITS) - 1);
    /// The most items an open array or slice may count: `new` and slicing refuse more (only
    /// items of size 0 come near it; no memory holds that many bytes).
    pub(crate) const MAX: usize = ((1u64 << Len::BITS) - 2) as usize;

    /// `n` items, or none. A fixed array's count may be larger than [`Len::MAX`] (items of
    /// size 0): it is read from its type, and none is kept here.
    #[inline(always)]
    pub(crate) const fn new(n: Option<usize>) -> Len {
        match n {
            Some(n) if n <= Len::MAX => Len(n as u64),
            _ => Len::NONE,
        }
    }

    /// The count, if any.
    #[inline(always)]
    pub(crate) const fn get(self) -> Option<usize> {
        if self.0 == Len::NONE.0 {
            None
        } else {
            Some(self.0 as usize)
        }
    }
}

/// A body's last word: the origin, the owner's kind, the count. The origin's byte comes
/// first, at a cdata's byte 24, where a `Value` keeps its tag: a `Value` of another variant
/// is copied as its first 24 bytes and its last 7, and an integer's (bytes 0 to 16, stored
/// as two words) is then read by one wide load, not two.
#[derive(Copy, Clone)]
#[repr(C)]
struct Tail {
    origin: Origin,
    kind: Kind,
    count_hi: u16,
    count_lo: u32,
}

impl Tail {
    /// The word, made in a register and stored whole: a copy of the body (a `Value` moved
    /// out of a `Result`) reads it with one load, which a store of each field apart would
    /// make wait until they all reached the cache.
    #[inline(always)]
    fn new(len: Len, origin: Origin, kind: Kind) -> Tail {
        let mut b = [0u8; 8];
        b[0] = origin as u8;
        b[1] = kind as u8;
        b[2..4].copy_from_slice(&((len.0 >> 32) as u16).to_ne_bytes());
        b[4..].copy_from_slice(&(len.0 as u32).to_ne_bytes());
        // SAFETY: `Tail` is `repr(C)` with no padding: two one-byte enums, a u16 and a u32 at
        // the offsets written; bytes 0 and 1 are the discriminants of valid variants.
        unsafe { std::mem::transmute::<[u8; 8], Tail>(b) }
    }

    #[inline(always)]
    fn len(self) -> Len {
        Len(u64::from(self.count_lo) | (u64::from(self.count_hi) << 32))
    }
}

/// A cdata's value or place. See the module docs.
#[repr(C)]
pub(crate) struct Body {
    /// A primitive's low 8 bytes, or the address.
    lo: [u8; 8],
    link: Link,
    tail: Tail,
}

// SAFETY: the link holds a `Shared`, an `Arc` or a `Mapped`, each Send + Sync, or bytes.
unsafe impl Send for Body {}
// SAFETY: as for Send: only shared references to those are handed out.
unsafe impl Sync for Body {}

impl Body {
    /// A primitive's value: its bytes, native endianness.
    #[inline(always)]
    pub(crate) fn value(bytes: [u8; 16]) -> Body {
        let (lo, hi) = halves(bytes);
        Body {
            lo,
            link: Link { bytes: hi },
            tail: Tail::new(Len(0), Origin::Plain, Kind::Foreign),
        }
    }

    /// A place: an address in `owner`'s memory, with an item count and an origin.
    #[inline(always)]
    pub(crate) fn place(addr: usize, owner: Owner, len: Len, origin: Origin) -> Body {
        let (kind, link) = pack(owner);
        Body {
            lo: (addr as u64).to_ne_bytes(),
            link,
            tail: Tail::new(len, origin, kind),
        }
    }

    /// A primitive's 16 bytes (meaningless for a place: its address and its owner's pointer).
    #[inline(always)]
    pub(crate) fn bytes(&self) -> [u8; 16] {
        // SAFETY: every variant of the link is 8 initialized bytes; read as bytes, a pointer
        // is its address (its provenance is not carried over, and nothing dereferences them).
        let hi = unsafe { self.link.bytes };
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.lo);
        out[8..].copy_from_slice(&hi);
        out
    }

    /// The address of a place.
    #[inline(always)]
    pub(crate) fn addr(&self) -> usize {
        u64::from_ne_bytes(self.lo) as usize
    }

    /// The item count of a place.
    #[inline(always)]
    pub(crate) fn len(&self) -> Len {
        self.tail.len()
    }

    /// The origin of a place (`Plain` for a primitive).
    #[inline(always)]
    pub(crate) fn origin(&self) -> Origin {
        self.tail.origin
    }

    /// Sets the origin of a place.
    #[inline(always)]
    pub(crate) fn set_origin(&mut self, o: Origin) {
        self.tail = Tail::new(self.tail.len(), o, self.tail.kind);
    }

    /// The same place at another address, with another count and origin; the owner moves
    /// over.
    #[inline(always)]
    pub(crate) fn moved(mut self, addr: usize, len: Len, origin: Origin) -> Body {
        self.lo = (addr as u64).to_ne_bytes();
        self.tail = Tail::new(len, origin, self.tail.kind);
        self
    }

    /// Whether the link holds an owner (not `Foreign`).
    #[inline(always)]
    pub(crate) fn has_owner(&self) -> bool {
        self.tail.kind != Kind::Foreign
    }

    /// The owner of a place's memory, borrowed.
    #[inline(always)]
    pub(crate) fn owner(&self) -> OwnerRef<'_> {
        let link = &self.link;
        macro_rules! borrow {
            ($f:ident, $v:ident) => {
                OwnerRef::$v(&link.$f)
            };
        }
        // SAFETY: the kind names the variant the link holds (module docs); each is read as
        // that variant, and only borrowed.
        unsafe { per_kind!(self.tail.kind, foreign => OwnerRef::Foreign, borrow) }
    }

    /// Takes the owner out, leaving a foreign one.
    #[inline]
    pub(crate) fn take_owner(&mut self) -> Owner {
        let kind = self.tail.kind;
        self.tail = Tail::new(self.tail.len(), self.tail.origin, Kind::Foreign);
        let link = std::mem::replace(&mut self.link, Link { bytes: [0; 8] });
        // SAFETY: the reference `kind` names moves out of the link, which is now plain bytes
        // under `Foreign`: it is dropped once, by the owner returned.
        unsafe { unpack(kind, link) }
    }

    /// Replaces the owner (the old one is dropped).
    pub(crate) fn set_owner(&mut self, owner: Owner) {
        drop(self.take_owner());
        let (kind, link) = pack(owner);
        self.link = link;
        self.tail = Tail::new(self.tail.len(), self.tail.origin, kind);
    }
}

/// A 16-byte value's two halves, as stored.
#[inline(always)]
fn halves(bytes: [u8; 16]) -> ([u8; 8], [u8; 8]) {
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 8];
    lo.copy_from_slice(&bytes[..8]);
    hi.copy_from_slice(&bytes[8..]);
    (lo, hi)
}

/// An owner's kind and its reference, moved into a link.
#[inline(always)]
fn pack(owner: Owner) -> (Kind, Link) {
    /// Kind `$k`, its reference `$v` moved into link field `$f`.
    macro_rules! packed {
        ($k:ident, $f:ident, $v:expr) => {
            (
                Kind::$k,
                Link {
                    $f: ManuallyDrop::new($v),
                },
            )
        };
    }
    match owner {
        Owner::Foreign => (Kind::Foreign, Link { bytes: [0; 8] }),
        Owner::Alloc(a) => packed!(Alloc, alloc, a),
        // The one owner without a pointer of its own: boxed, to fit the link's word.
        Owner::Vouched(v) => packed!(Vouched, vouched, Arc::new(v)),
        Owner::Gc(g) => packed!(Gc, gc, g),
        Owner::Buffer(b) => packed!(Buffer, buffer, b),
        Owner::Handle(h) => packed!(Handle, handle, h),
        Owner::Mapped(m) => packed!(Mapped, mapped, m),
        Owner::Callback(c) => packed!(Callback, callback, c),
    }
}

/// The owner a link of `kind` holds, moved out.
///
/// # Safety
///
/// `link` holds the reference of the variant `kind` names (or anything, for `Foreign`), and
/// nothing else will drop it.
#[inline(always)]
unsafe fn unpack(kind: Kind, link: Link) -> Owner {
    let mut link = ManuallyDrop::new(link);
    // SAFETY: the caller's: the field read is the one `kind` names, taken once.
    unsafe {
        match kind {
            Kind::Foreign => Owner::Foreign,
            Kind::Alloc => Owner::Alloc(ManuallyDrop::take(&mut link.alloc)),
            Kind::Vouched => {
                let v = ManuallyDrop::take(&mut link.vouched);
                Owner::Vouched(*v)
            }
            Kind::Gc => Owner::Gc(ManuallyDrop::take(&mut link.gc)),
            Kind::Buffer => Owner::Buffer(ManuallyDrop::take(&mut link.buffer)),
            Kind::Handle => Owner::Handle(ManuallyDrop::take(&mut link.handle)),
            Kind::Mapped => Owner::Mapped(ManuallyDrop::take(&mut link.mapped)),
            Kind::Callback => Owner::Callback(ManuallyDrop::take(&mut link.callback)),
        }
    }
}

impl Clone for Body {
    #[inline(always)]
    fn clone(&self) -> Body {
        let from = &self.link;
        macro_rules! clone_of {
            ($f:ident, $v:ident) => {
                Link {
                    $f: from.$f.clone(),
                }
            };
        }
        // SAFETY: the kind names the variant the link holds; the clone is one more counted
        // reference, moved into the new body's link under the same kind.
        let link =
            unsafe { per_kind!(self.tail.kind, foreign => Link { bytes: from.bytes }, clone_of) };
        Body {
            lo: self.lo,
            link,
            tail: self.tail,
        }
    }
}

impl Drop for Body {
    #[inline(always)]
    fn drop(&mut self) {
        let link = &mut self.link;
        macro_rules! drop_it {
            ($f:ident, $v:ident) => {
                ManuallyDrop::drop(&mut link.$f)
            };
        }
        // SAFETY: the kind names the variant the link holds; it is dropped once, here, and the
        // body is not used after.
        unsafe { per_kind!(self.tail.kind, foreign => {}, drop_it) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::Allocation;
    use crate::mem::owner::TestGc;
    use std::sync::Arc;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_body_is_three_words() {
        assert_eq!(size_of::<Link>(), 8);
        assert_eq!(size_of::<Body>(), 24);
    }

    #[test]
    fn values_and_places_keep_what_they_hold() {
        let bytes: [u8; 16] = std::array::from_fn(|i| i as u8 + 1);
        let v = Body::value(bytes);
        assert_eq!(v.bytes(), bytes);
        assert_eq!(v.clone().bytes(), bytes);
        assert!(matches!(v.owner(), OwnerRef::Foreign));
        let mem = Allocation::zeroed_shared(16, 8).unwrap();
        let addr = mem.addr();
        let p = Body::place(addr + 4, Owner::Alloc(mem), Len::new(Some(3)), Origin::New);
        assert_eq!(
            (p.addr(), p.len().get(), p.origin()),
            (addr + 4, Some(3), Origin::New)
        );
        let q = p.clone().moved(addr, Len::NONE, Origin::Plain);
        assert_eq!((q.addr(), q.len().get()), (addr, None));
        assert_eq!(p.owner().allocation().unwrap().addr(), addr);
        assert_eq!(q.owner().allocation().unwrap().addr(), addr);
        drop(p);
        assert_eq!(q.owner().allocation().unwrap().addr(), addr);
        let mut q = q;
        let o = q.take_owner();
        assert!(matches!(q.owner(), OwnerRef::Foreign));
        q.set_owner(o);
        assert_eq!(q.owner().allocation().unwrap().addr(), addr);
    }

    struct Code0;
    impl Code for Code0 {
        fn code(&self) -> usize {
            0x1000
        }
        fn name(&self) -> &str {
            "code"
        }
    }

    struct Keeps0(crate::mem::KeepSet);
    impl crate::mem::Keeps for Keeps0 {
        fn keep_set(&self) -> &crate::mem::KeepSet {
            &self.0
        }
    }

    /// Every kind of owner goes into a body, is borrowed, cloned and taken out as the same
    /// thing, and every reference a body took is given back when it goes (counted by the
    /// owners' own counts; Miri checks the frees).
    #[test]
    fn every_owner_goes_in_and_comes_out_whole() {
        let mem = Allocation::zeroed_shared(16, 8).unwrap();
        let base = mem.addr();
        // SAFETY: the range is `mem`'s, which outlives every body here.
        let vouched = unsafe { Vouched::read_only(base, 16) }.unwrap();
        let gc: Counted<Box<dyn Finalizer>> =
            Counted::new(Box::new(TestGc(Owner::Alloc(mem.clone()), [7; 16])));
        let code: Counted<Box<dyn Code>> = Counted::new(Box::new(Code0));
        let handle = Handle::new(0x2000, Arc::new(5u8), "u8");
        let keeper: crate::mem::Keeper = Arc::new(Keeps0(crate::mem::KeepSet::default()));
        // SAFETY: `mem`'s range, valid while `keeper` (and `mem`) live.
        let mapped = unsafe { Mapped::new(base, 16, false, keeper) };
        let mut bytes = [1u8; 8];
        crate::mem::lend(&mut bytes, "test", |lent| {
            let lent_count = Counted::count(&lent);
            let owners = [
                Owner::Foreign,
                Owner::Alloc(mem.clone()),
                Owner::Vouched(vouched),
                Owner::Gc(gc.clone()),
                Owner::Buffer(lent.clone()),
                Owner::Handle(handle.clone()),
                Owner::Mapped(mapped.clone()),
                Owner::Callback(code.clone()),
            ];
            for owner in owners {
                let expected = owner.clone();
                let mut b = Body::place(base + 4, owner, Len::new(Some(Len::MAX)), Origin::Sliced);
                let c = b.clone();
                for x in [&b, &c] {
                    assert_eq!((x.addr(), x.len().get()), (base + 4, Some(Len::MAX)));
                    assert_eq!(x.origin(), Origin::Sliced);
                    assert_eq!(x.has_owner(), !matches!(expected, Owner::Foreign));
                    assert_same(x.owner(), &expected);
                }
                let out = b.take_owner();
                assert_same(out.as_ref(), &expected);
                assert!(matches!(b.owner(), OwnerRef::Foreign));
                b.set_owner(out);
                assert_same(b.owner(), &expected);
            }
            // Each body and clone gave its reference back.
            assert_eq!(Counted::count(&lent), lent_count);
        });
        assert_eq!(Counted::count(&gc), 1);
        assert_eq!(Counted::count(&code), 1);
        assert_eq!(Counted::count(handle.boxed()), 2, "the table's and this");
    }

    /// `a` and `b` are the same owner: the same pointer, or the same vouched range.
    fn assert_same(a: OwnerRef<'_>, b: &Owner) {
        match (a, b.as_ref()) {
            (OwnerRef::Foreign, OwnerRef::Foreign) => {}
            (OwnerRef::Vouched(x), OwnerRef::Vouched(y)) => {
                let (x, y) = (x.region(), y.region());
                assert_eq!((x.base(), x.len()), (y.base(), y.len()));
            }
            (a, b) => assert!(a.same_as(b), "not the same owner"),
        }
    }
}

//! How long things live: `ffi.gc` and `ffi.release`, handles (`new_handle` / `from_handle`)
//! and `NULL`.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::data::{CData, GcBox, Origin};
use crate::error::{Error, Result};
use crate::mem::{Handle, Handled, Owner, OwnerRef, live_handle};
use crate::types::Ffi;

/// Handle addresses: unique, never reused, never dereferenceable. They start at a
/// non-canonical address (a dereference by C faults at once) and step by 16 so that they
/// look aligned to C code that checks.
const HANDLE_BASE: usize = 0x1000_0000_0000_0000;
static NEXT_HANDLE: AtomicUsize = AtomicUsize::new(1);

/// The work of [`Ffi::gc`](crate::Ffi::gc).
pub(crate) fn gc(cdata: &CData, destructor: impl FnOnce(CData) + Send + 'static) -> CData {
    let gc = Owner::gc(GcBox {
        original: cdata.clone(),
        // A primitive's value (a cdata held by address has its address and owner instead).
        value: if cdata.info().by_address() {
            [0; 16]
        } else {
            cdata.bytes()
        },
        // Past a `gc` of a `gc`, the memory's owner (the original's own owner is it
        // otherwise: not held twice).
        base: match cdata.owner() {
            OwnerRef::Gc(inner) => Some(inner.base().to_owned()),
            _ => None,
        },
        destructor: crate::mem::ShortLock::new(Some(Box::new(destructor))),
    });
    cdata.with_owner(gc).with_origin(Origin::Plain)
}

/// The work of [`Ffi::gc_remove`](crate::Ffi::gc_remove).
pub(crate) fn gc_remove(cdata: &CData) -> Result<()> {
    match cdata.owner() {
        OwnerRef::Gc(g) => {
            g.cancel();
            Ok(())
        }
        _ => Err(Error::Type(
            "Can remove destructor only on a object previously returned by ffi.gc()".into(),
        )),
    }
}

/// The work of [`Ffi::release`](crate::Ffi::release).
pub(crate) fn release(cdata: &CData) -> Result<()> {
    match (cdata.owner(), cdata.origin()) {
        (OwnerRef::Gc(g), _) => {
            g.run();
            Ok(())
        }
        (OwnerRef::Buffer(b), Origin::FromBuffer) => {
            b.end();
            Ok(())
        }
        (_, Origin::New) => Ok(()),
        _ => Err(Error::Value(
            "only 'cdata' object from ffi.new(), ffi.gc(), ffi.from_buffer() or ffi.new_allocator()() can be \
             used with the 'with' keyword or ffi.release()"
                .into(),
        )),
    }
}

/// The work of [`Ffi::new_handle`](crate::Ffi::new_handle).
pub(crate) fn new_handle<T: Any + Send + Sync>(ffi: &Ffi, value: T) -> CData {
    let addr = HANDLE_BASE + NEXT_HANDLE.fetch_add(1, Ordering::Relaxed) * 16;
    let handle = Handle::new(addr, Arc::new(value), std::any::type_name::<T>());
    let void_ptr = ffi
        .parse("void *")
        .unwrap_or_else(|_| unreachable!("'void *' always parses"));
    CData::pointer(ffi, void_ptr, addr, Owner::Handle(handle))
}

/// The work of [`Ffi::from_handle`](crate::Ffi::from_handle).
pub(crate) fn from_handle<T: Any + Send + Sync>(cdata: &CData) -> Result<Handled<T>> {
    if !cdata.info().is_pointer() {
        return Err(Error::Type(
            format!(
                "expected a 'cdata' object with a 'void *' out of new_handle(), got '{}'",
                cdata.type_name()
            )
            .into(),
        ));
    }
    if cdata.addr() == 0 {
        return Err(Error::Runtime(
            format!("cannot use from_handle() on NULL pointer ({cdata:?})").into(),
        ));
    }
    let live = match cdata.owner() {
        OwnerRef::Handle(h) if h.addr == cdata.addr() => Some(h.boxed().clone()),
        _ => live_handle(cdata.addr()),
    };
    let Some(h) = live else {
        return Err(Error::Runtime(
            format!(
                "{:#x} is not a live handle (it was released, or never was one)",
                cdata.addr()
            )
            .into(),
        ));
    };
    Handled::new(h).map_err(|h| {
        Error::Type(
            format!(
                "the handle at {:#x} holds a {}, not a {}",
                cdata.addr(),
                h.type_name,
                std::any::type_name::<T>()
            )
            .into(),
        )
    })
}

/// The work of [`Ffi::null`](crate::Ffi::null): a `void *` NULL of `ffi`.
pub(crate) fn null(ffi: &Ffi) -> CData {
    let void_ptr = ffi
        .parse("void *")
        .unwrap_or_else(|_| unreachable!("'void *' always parses"));
    CData::pointer(ffi, void_ptr, 0, Owner::Foreign)
}

/// Where the memory a pointer points into was found by [`owner_among`]: inside a cdata's own
/// memory, or kept alive by it.
enum Found<'c> {
    /// Inside this cdata's memory (or at a handle's or callback's own address).
    Inside(&'c CData),
    /// Kept alive by the memory of one (a pointer stored there).
    Kept(Owner),
}

/// Where the memory `addr` points into is, among the memory of `cdatas` and what that memory
/// keeps alive.
fn find_owner<'c>(addr: usize, cdatas: impl Iterator<Item = &'c CData>) -> Option<Found<'c>> {
    if addr == 0 {
        return None;
    }
    cdatas
        .filter(|c| c.owner().is_owning())
        .find_map(|c| match c.owner().keeping() {
            Some((_, home)) if addr >= home.base && addr <= home.end => Some(Found::Inside(c)),
            Some((set, _)) => set.owner_of(addr).map(Found::Kept),
            // A handle or callback passed through, and handed back.
            None => (c.address() == addr).then_some(Found::Inside(c)),
        })
}

/// Makes pointer `c` a view of the memory it points into, when that is among the memory of
/// `cdatas` or what that memory keeps alive ([`owner_among`]); inside a cdata's memory (the
/// common case), its owner is cloned where that cdata's is packed, no `Owner` made (copies of
/// one through memory stalled: `call-profile vqsort`).
pub(crate) fn adopt_among<'c>(c: &mut CData, cdatas: impl Iterator<Item = &'c CData>) {
    match find_owner(c.addr(), cdatas) {
        Some(Found::Inside(other)) => c.share_owner_of(other),
        Some(Found::Kept(owner)) => c.set_owner(owner),
        None => {}
    }
}

/// The owner of the memory `addr` points into, among the memory of `cdatas` and what that
/// memory keeps alive: how a pointer C hands back (a call's result, a callback's argument)
/// into memory rcffi gave it becomes a view of that memory again.
pub(crate) fn owner_among<'c>(
    addr: usize,
    cdatas: impl Iterator<Item = &'c CData>,
) -> Option<Owner> {
    find_owner(addr, cdatas).map(|f| match f {
        Found::Inside(c) => c.owner().to_owned(),
        Found::Kept(owner) => owner,
    })
}

//! Rust bytes lent to C (`from_buffer`): owned by the loan, or borrowed for a scope that ends
//! the loan before the borrow ends. See the `mem` module's safety notes.
//!
//! A borrowed loan ends when its scope does: [`Lent::end`] refuses new accesses and waits for
//! those in progress, which count themselves in and out of the loan's [`Gate`] (one word, spread
//! over per-thread lanes once two threads use it at once). Owned bytes need no such wait — they
//! live until the loan's last reference goes — so their accesses only check that the loan has
//! not ended (`release`), without counting themselves. Either way, threads reading one buffer
//! do not share a written line.

use std::alloc::Layout;
use std::marker::PhantomData;

use super::gate::{Entry, Gate};
use super::{Access, Counted, Region};
use crate::error::{Error, Result};

/// How owned lent bytes are freed.
#[derive(Copy, Clone, Debug)]
enum Owned {
    /// The caller's `Vec`, taken over (it was aligned enough): a leaked `Box<[u8]>`.
    Boxed,
    /// A copy in memory allocated with this layout (the `Vec` was not aligned enough).
    Copied(Layout),
}

/// Rust bytes lent to C (`from_buffer`): owned by the lender, or borrowed until the borrow
/// ends. A borrowed one is ended with [`Lent::end`], which waits for accesses in progress and
/// refuses later ones.
pub(crate) struct Lent {
    base: usize,
    len: usize,
    /// Owned bytes: the layout they were allocated with (freed in `Drop`). They are held as a
    /// raw allocation, not a `Box`, so that the pointers made from them stay valid (moving a
    /// `Box` would invalidate them).
    owned: Option<Owned>,
    /// Whether the loan ended, and (borrowed bytes) the accesses in progress.
    gate: Gate,
    /// What the pointers stored in the bytes keep alive.
    pub(crate) keep: super::KeepSet,
    /// What the bytes came from, for the repr.
    pub(crate) source: &'static str,
    pub(super) writable: bool,
}

impl Lent {
    /// Owned bytes.
    pub(crate) fn owned(bytes: Vec<u8>, align: usize, source: &'static str) -> Result<Lent> {
        let len = bytes.len();
        // Boxed first: a `Vec` with spare capacity moves its bytes when it shrinks, so the
        // alignment is that of the box.
        let bytes = bytes.into_boxed_slice();
        let (base, owned) = if (bytes.as_ptr() as usize).is_multiple_of(align.max(1)) {
            // Taken over as they are: no copy.
            (Box::into_raw(bytes).cast::<u8>() as usize, Owned::Boxed)
        } else {
            let layout = Layout::from_size_align(len.max(1), align.max(1)).map_err(|_| {
                Error::Memory(format!("cannot allocate {len} bytes aligned to {align}").into())
            })?;
            // SAFETY: the layout has a non-zero size.
            let ptr = unsafe { std::alloc::alloc(layout) };
            if ptr.is_null() {
                return Err(Error::Memory(
                    format!("out of memory copying {len} bytes").into(),
                ));
            }
            // SAFETY: `ptr` is a fresh allocation of at least `len` bytes; `bytes` is distinct.
            unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr, len) };
            (ptr as usize, Owned::Copied(layout))
        };
        Ok(Lent {
            base,
            len,
            owned: Some(owned),
            gate: Gate::new(),
            keep: super::KeepSet::default(),
            source,
            writable: true,
        })
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// First address.
    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// Whether the bytes may still be used.
    pub(crate) fn is_alive(&self) -> bool {
        !self.gate.is_closed()
    }

    /// Ends the loan: refuses new accesses, then waits for those in progress (they are short:
    /// one read, write or copy). Only a borrowed loan's accesses are counted: owned bytes stay
    /// valid until the loan's last reference goes, so an access in progress needs no wait.
    pub(crate) fn end(&self) {
        self.gate.close();
    }

    /// The lent bytes as a region, when they are owned and their loan has not ended (`None`:
    /// borrowed bytes, whose accesses count themselves in and out in [`Lent::with_region`], or
    /// an ended loan, which it reports). Owned bytes live as long as `self`, ended or not (as
    /// `with_region` says), so the region is valid for the borrow of `self`.
    #[inline(always)]
    pub(crate) fn owned_region(&self) -> Option<Region<'_>> {
        if self.owned.is_none() || self.gate.is_closed() {
            return None;
        }
        Some(self.region())
    }

    /// The lent bytes as a region (valid while they are alive: see the callers).
    #[inline(always)]
    fn region(&self) -> Region<'_> {
        Region {
            base: self.base,
            len: self.len,
            access: Access::unless(self.writable, Access::LentShared),
            _borrow: PhantomData,
        }
    }

    /// Runs `f` with the lent bytes as a region, while they are alive.
    pub(crate) fn with_region<T>(&self, f: impl FnOnce(&Region<'_>) -> Result<T>) -> Result<T> {
        /// Counts an access out when it ends, also on panic.
        struct Out<'a>(&'a Gate, Entry);
        impl Drop for Out<'_> {
            fn drop(&mut self) {
                self.0.exit(self.1);
            }
        }
        // Owned bytes live until the last reference to the loan goes, ended (`release`) or
        // not: an access checks the end, and none is counted in (two threads reading one
        // buffer would take turns on the counter's cache line).
        if self.owned.is_some() {
            return match self.owned_region() {
                Some(region) => f(&region),
                None => Err(released()),
            };
        }
        let Some(entry) = self.gate.enter() else {
            return Err(released());
        };
        let _out = Out(&self.gate, entry);
        f(&self.region())
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        match self.owned {
            Some(Owned::Boxed) => {
                let bytes = std::ptr::slice_from_raw_parts_mut(self.base as *mut u8, self.len);
                // SAFETY: `base..base + len` came from `Box::into_raw` in `Lent::owned` and is
                // freed once, here; every cdata over it holds this Lent, so none is left.
                drop(unsafe { Box::from_raw(bytes) });
            }
            Some(Owned::Copied(layout)) => {
                // SAFETY: `base` came from `alloc` with this layout in `Lent::owned` and is
                // freed once, here, as above.
                unsafe { std::alloc::dealloc(self.base as *mut u8, layout) }
            }
            None => {}
        }
    }
}

/// The error of an access through a loan that ended.
fn released() -> Error {
    Error::Runtime("the buffer this cdata was made from was released".into())
}

// SAFETY: a Lent is a byte range and a gate of atomic counters; owned bytes are freed only in Drop, and all
// access goes through Regions (relaxed atomic bytes, or plain reads of read-only loans).
unsafe impl Send for Lent {}
// SAFETY: as for Send.
unsafe impl Sync for Lent {}

/// Lends `bytes` for the duration of `f` (`from_buffer` over borrowed bytes): `f` gets the
/// loan; when `f` returns (or panics) the loan ends, so cdata made from it refuse access.
pub(crate) fn lend<R>(
    bytes: &mut [u8],
    source: &'static str,
    f: impl FnOnce(Counted<Lent>) -> R,
) -> R {
    // SAFETY: `bytes` is mutably borrowed until this function returns, and `lend_range` ends
    // the loan before it returns.
    unsafe { lend_range(bytes.as_mut_ptr() as usize, bytes.len(), true, source, f) }
}

/// Lends read-only `bytes` for the duration of `f`: writes through the loan are refused.
pub(crate) fn lend_ref<R>(
    bytes: &[u8],
    source: &'static str,
    f: impl FnOnce(Counted<Lent>) -> R,
) -> R {
    // SAFETY: `bytes` is borrowed until this function returns, the loan is read-only (Region
    // refuses writes), and `lend_range` ends it before it returns.
    unsafe { lend_range(bytes.as_ptr() as usize, bytes.len(), false, source, f) }
}

/// # Safety
///
/// `base..base + len` must be valid for reads (and for writes if `writable`) until this
/// function returns.
unsafe fn lend_range<R>(
    base: usize,
    len: usize,
    writable: bool,
    source: &'static str,
    f: impl FnOnce(Counted<Lent>) -> R,
) -> R {
    struct End(Counted<Lent>);
    impl Drop for End {
        fn drop(&mut self) {
            self.0.end();
        }
    }
    let lent = Counted::new(Lent {
        base,
        len,
        owned: None,
        gate: Gate::new(),
        keep: super::KeepSet::default(),
        source,
        writable,
    });
    // The loan is valid until this function returns; the guard ends it before that (also on
    // panic), waiting for any access in progress on another thread.
    let guard = End(lent.clone());
    let r = f(lent);
    drop(guard);
    r
}

//! Memory that something else keeps valid: the global variables of a loaded library (kept
//! mapped by the library's handle), and the code of functions and callbacks (kept by their
//! library or closure). See the `mem` module's safety notes.

use std::sync::Arc;

use super::{Counted, Region};

/// What keeps a [`Mapped`] range valid (a loaded library), and what pointers stored into its
/// memory keep alive.
pub(crate) trait Keeps: Send + Sync {
    /// The keep set of the memory this keeper keeps valid (for a library: all its globals).
    fn keep_set(&self) -> &super::KeepSet;
}

/// A shared keeper.
pub(crate) type Keeper = Arc<dyn Keeps>;

/// A byte range valid while `keep` lives: a library's global variable, or a code address
/// (length 0: it is called, never read).
#[derive(Clone)]
pub(crate) struct Mapped(Counted<Range>);

/// What a [`Mapped`] holds, behind one pointer: an owner is in every cdata, and the rarely used
/// mapped one must not make all of them bigger.
struct Range {
    base: usize,
    len: usize,
    writable: bool,
    /// It keeps the range valid (held for its drop), and what is stored there alive.
    keep: Keeper,
}

impl Mapped {
    /// The range `base..base + len`, kept valid by `keep`.
    ///
    /// # Safety
    ///
    /// `base..base + len` must be valid for reads (and for writes if `writable`) for as long
    /// as `keep` lives; if not `writable`, nobody may write it meanwhile.
    pub(crate) unsafe fn new(base: usize, len: usize, writable: bool, keep: Keeper) -> Mapped {
        Mapped(Counted::new(Range {
            base,
            len,
            writable,
            keep,
        }))
    }

    /// The first address and the length.
    pub(crate) fn range(&self) -> (usize, usize) {
        (self.0.base, self.0.len)
    }

    /// What the pointers stored in the range keep alive.
    pub(crate) fn keep_set(&self) -> &super::KeepSet {
        self.0.keep.keep_set()
    }

    /// Whether both are the same range of the same keeper.
    pub(super) fn same_as(&self, other: &Mapped) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.0.keep), Arc::as_ptr(&other.0.keep))
            && self.0.base == other.0.base
    }

    /// The range, as a region (read-only unless writable).
    pub(crate) fn region(&self) -> Region<'_> {
        Region {
            base: self.0.base,
            len: self.0.len,
            access: super::Access::unless(self.0.writable, super::Access::Const),
            _borrow: std::marker::PhantomData,
        }
    }
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapped({:#x}, {} bytes)", self.0.base, self.0.len)
    }
}

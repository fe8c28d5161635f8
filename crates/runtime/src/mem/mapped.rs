//! Memory that something else keeps valid: the global variables of a loaded library (kept
//! mapped by the library's handle), and the code of functions and callbacks (kept by their
//! library or closure). See the `mem` module's safety notes.

use std::sync::Arc;

use super::Region;

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
pub(crate) struct Mapped {
    base: usize,
    len: usize,
    writable: bool,
    /// It keeps the range valid (held for its drop), and what is stored there alive.
    keep: Keeper,
}

impl Mapped {
    /// A range kept valid by `keep`.
    ///
    /// # Safety
    ///
    /// `base..base + len` must be valid for reads (and for writes if `writable`) for as long
    /// as `keep` lives; if not `writable`, nobody may write it meanwhile.
    pub(crate) unsafe fn new(base: usize, len: usize, writable: bool, keep: Keeper) -> Mapped {
        Mapped {
            base,
            len,
            writable,
            keep,
        }
    }

    /// The first address and the length.
    pub(crate) fn range(&self) -> (usize, usize) {
        (self.base, self.len)
    }

    /// What the keeper keeps alive for pointers stored into its memory.
    pub(crate) fn keep_set(&self) -> &super::KeepSet {
        self.keep.keep_set()
    }

    /// Whether two ranges are the same range of the same keeper.
    pub(super) fn same_as(&self, other: &Mapped) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.keep), Arc::as_ptr(&other.keep))
            && self.base == other.base
    }

    /// The range as a region.
    pub(crate) fn region(&self) -> Region<'_> {
        Region {
            base: self.base,
            len: self.len,
            access: super::Access::unless(self.writable, super::Access::Const),
            _borrow: std::marker::PhantomData,
        }
    }
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapped({:#x}, {} bytes)", self.base, self.len)
    }
}

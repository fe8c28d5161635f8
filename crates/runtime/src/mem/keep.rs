//! [`KeepSet`]: what a block of memory keeps alive — the owners of the pointers stored in it,
//! found by *address*, not by slot.
//!
//! Storing a pointer to owned memory (an allocation, lent bytes, a library's global, a
//! callback, a handle) into rcffi's memory adds that owner to the memory's set, counted once
//! per store; reading a pointer back looks its value up by address: inside the memory itself,
//! it is a view of that memory; inside a kept owner's range, a view of that owner; else it is
//! foreign. Only the kept owners' lookup takes the set's lock (NULL and a pointer into the
//! memory itself are read without it: the end of a list costs no lock). So pointers that C
//! moves — `qsort` of a `char *[]`, a `memcpy` of pointer slots, a pointer into one of the
//! caller's buffers written to an out-parameter — come back as bounded views, as they went in.
//!
//! The kept owners are a [`Kept`] table: a list of a few, then an index by address (the lines
//! small memory touches, an ordered map of large memory), a store, load or release costing
//! the same whatever their number. Overwriting a pointer slot looks up the value it held and
//! releases one count of an owner of the memory it points into (a pointer is an address: of
//! two owners of the same memory, a cdata and its `gc`, the one released is the memory's,
//! not necessarily the one stored in that slot). Counts can drift when
//! C copies or overwrites pointers behind rcffi's back: an owner kept too long is freed with
//! the memory that keeps it; an owner released too soon only makes a later read of that
//! pointer foreign (refused by safe code). Either way nothing is ever read through a pointer
//! whose memory is gone: a lookup only ever picks an owner that is alive in the set, and every
//! access is still checked against that owner's bounds.
//!
//! Dropping memory drops what it keeps through a per-thread queue ([`bury`]), so a long chain
//! (a linked list of 10⁶ nodes) is freed in a loop, not by recursion.

#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::mem::ManuallyDrop;

use once_cell::race::OnceBox;

use super::kept::Kept;
use super::{Owner, OwnerRef};
use super::{Region, ShortGuard, ShortLock};
use crate::error::Result;

/// What one block of memory keeps alive. See the module docs.
#[derive(Default)]
pub(crate) struct KeepSet {
    /// Made on the first store of a pointer to owned memory (its own included): memory that
    /// never held one (the common case) skips the lock on every access, its copies skip the
    /// scan for pointers, and it costs one pointer, not a mutex, a list and a map.
    kept: OnceBox<ShortLock<Kept>>,
}

/// The memory a pointer is read from or stored into: its range and the owner a pointer into
/// it is given (the reader's own: it keeps the memory alive).
#[derive(Copy, Clone)]
pub(crate) struct Home<'a> {
    pub(crate) base: usize,
    pub(crate) end: usize,
    pub(crate) owner: OwnerRef<'a>,
}

impl Home<'_> {
    fn contains(&self, addr: usize) -> bool {
        addr >= self.base && addr <= self.end
    }
}

/// The width of a pointer slot (both supported targets are 64-bit).
const WORD: usize = 8;

/// The keep set every compact block without one of its own answers with (`Shared::keep_set`):
/// empty, and never stored into — the paths that store ask for the memory's own
/// (`Shared::keep_set_for_store`, [`OwnerRef::keeping_for_store`]).
pub(super) static NONE_KEPT: KeepSet = KeepSet {
    kept: OnceBox::new(),
};

impl KeepSet {
    /// The kept owners, locked (made empty on first use). The lock is held for a lookup or
    /// an update of the table, never while an owner is dropped ([`bury`] runs after it) or C
    /// code runs.
    fn lock(&self) -> ShortGuard<'_, Kept> {
        debug_assert!(
            !self.is_none_kept(),
            "a store into the shared empty keep set"
        );
        self.kept.get_or_init(Box::default).lock()
    }

    /// Whether this is [`NONE_KEPT`], which is never stored into.
    fn is_none_kept(&self) -> bool {
        std::ptr::eq(self, &NONE_KEPT)
    }

    /// Whether the memory ever held a pointer to owned memory.
    #[inline]
    pub(crate) fn is_used(&self) -> bool {
        self.kept.get().is_some()
    }

    /// The number of owners kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        if !self.is_used() {
            return 0;
        }
        self.lock().len()
    }

    /// Reads the pointer at `addr` of `home` (whose region is `r`) and the owner its value
    /// points into: `home` itself, a kept owner, or nobody ([`Owner::Foreign`]).
    pub(crate) fn load_pointer(
        &self,
        r: &Region<'_>,
        addr: usize,
        home: Home<'_>,
    ) -> Result<(usize, Owner)> {
        // Built in a register (`load_le`): a word read back from byte stores would stall.
        let read = || r.load_le(addr, WORD).map(|w| w as usize);
        // NULL, and a pointer into this memory itself, need nothing it keeps: no lock (a store
        // racing with this read is then simply after it).
        let v = read()?;
        if v == 0 {
            return Ok((0, Owner::Foreign));
        }
        if home.contains(v) {
            return Ok((v, home.owner.to_owned()));
        }
        if !self.is_used() {
            return Ok((v, Owner::Foreign));
        }
        // Read again under the lock, and its owner looked up there: a store may have changed
        // the slot since, and let go of what the first value pointed into (that value would
        // come back foreign, where the slot's value at any moment is known).
        let kept = self.lock();
        let v = read()?;
        Ok((v, owner_in(v, home, Some(&kept))))
    }

    /// The owner a pointer `value` (found in or returned for this memory) points into, among
    /// what this memory keeps alive.
    pub(crate) fn owner_of(&self, value: usize) -> Option<Owner> {
        if value == 0 || !self.is_used() {
            return None;
        }
        self.lock().find(value).map(|e| e.owner.clone())
    }

    /// Writes pointer `value` at `addr` of `home` (whose region is `r`), a pointer into the
    /// memory of `src`: that memory is kept alive while a slot points into it. The pointer the
    /// slot held before releases its count.
    pub(crate) fn store_pointer(
        &self,
        r: &Region<'_>,
        addr: usize,
        value: usize,
        src: OwnerRef<'_>,
        home: Home<'_>,
    ) -> Result<()> {
        let src_memory = src.keeping();
        let into_itself = (value != 0 && home.contains(value))
            || src_memory.is_some_and(|(set, _)| std::ptr::eq(set, self));
        let keep = if into_itself {
            None
        } else {
            keep_range(value, src, src_memory.map(|(_, h)| (h.base, h.end)))
        };
        if keep.is_none() && !into_itself && !self.is_used() {
            // Nothing owned stored into memory that never held anything owned: no lock.
            return r.write(addr, &value.to_le_bytes());
        }
        if self.is_none_kept() {
            // The store paths take the memory's own set (`keeping_for_store`): never here.
            return Err(crate::error::Error::Memory(
                "internal error: a pointer stored into the shared empty keep set".into(),
            ));
        }
        let released = {
            let mut kept = self.lock();
            // Each word read and written whole (not a byte at a time: read back as a word, a
            // word stored as bytes stalls).
            let old = r.load_le(addr, WORD)? as usize;
            r.store_bits(addr, super::Fast::U64, value as u64)?;
            // Counted before the old pointer is released: storing a pointer into the memory
            // the slot already pointed into changes no entry.
            if let Some((base, end)) = keep {
                kept.add(base, end, src);
            }
            kept.release(old)
        };
        bury_one(released);
        Ok(())
    }

    /// Runs `write`, which writes `n` bytes at `addr` of the region `r` that are not a pointer
    /// rcffi tracks (numbers, bytes): the pointer-sized words it overwrites release their
    /// counts.
    #[inline]
    pub(crate) fn write_bytes(
        &self,
        r: &Region<'_>,
        addr: usize,
        n: usize,
        write: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        if !self.is_used() {
            return write();
        }
        self.write_bytes_tracked(r, addr, n, write)
    }

    #[inline(never)]
    fn write_bytes_tracked(
        &self,
        r: &Region<'_>,
        addr: usize,
        n: usize,
        write: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        let released: Vec<Owner> = {
            let mut kept = self.lock();
            // Only the words that point into something kept (a copy of megabytes keeps no
            // list of every word).
            let start = addr - addr % WORD;
            let olds: Vec<usize> = words_from(r, start, addr.saturating_add(n))
                .map(|(_, v)| v)
                .filter(|v| kept.find(*v).is_some())
                .collect();
            write()?;
            olds.into_iter().filter_map(|v| kept.release(v)).collect()
        };
        bury(released);
        Ok(())
    }

    /// The owners the pointer-sized words of `addr..addr + n` (in the region `r` of `home`)
    /// point into — `home` itself or what it keeps — as offsets from `addr`: what a copy of
    /// those bytes must keep alive. Empty for memory that never held an owned pointer.
    pub(crate) fn pointers_in(
        &self,
        r: &Region<'_>,
        addr: usize,
        n: usize,
        home: Home<'_>,
    ) -> Vec<(usize, usize, Owner)> {
        if !self.is_used() {
            return Vec::new();
        }
        let kept = self.lock();
        let start = addr.next_multiple_of(WORD);
        let mut out = Vec::new();
        for (k, v) in words_from(r, start, addr.saturating_add(n)) {
            let owner = owner_in(v, home, Some(&kept));
            if owner.as_ref().is_owning() {
                out.push((start - addr + k * WORD, v, owner));
            }
        }
        out
    }

    /// Records that the word at `addr` (of this memory, `home`) now holds `value`, a pointer
    /// into `owner`'s memory (copies of pointer slots, pointers C wrote into out-parameters).
    pub(crate) fn adopt(&self, value: usize, owner: OwnerRef<'_>) {
        // The store paths take the memory's own set (`keeping_for_store`): never this one.
        if self.is_none_kept() {
            debug_assert!(false, "a pointer adopted into the shared empty keep set");
            return;
        }
        if owner.keeps_set(self) {
            // A pointer into itself: copies of this memory must now look for it.
            self.kept.get_or_init(Box::default);
            return;
        }
        let range = owner.memory_range();
        let Some((base, end)) = keep_range(value, owner, range) else {
            return;
        };
        self.lock().add(base, end, owner);
    }

    /// Releases one count of the owner `value` points into (a pointer-sized word that held
    /// it was overwritten by C: an out-parameter).
    pub(crate) fn release_value(&self, value: usize) {
        if !self.is_used() {
            return;
        }
        let released = self.lock().release(value);
        bury_one(released);
    }
}

impl Drop for KeepSet {
    #[inline]
    fn drop(&mut self) {
        // Memory never stored into has no set, and owns nothing.
        if let Some(kept) = self.kept.get() {
            let taken = kept.lock().take_all();
            bury(taken);
        }
    }
}

/// The owner pointer `v` of `home` points into: `home` itself, an owner `kept` holds, or
/// nobody.
fn owner_in(v: usize, home: Home<'_>, kept: Option<&Kept>) -> Owner {
    if v == 0 {
        return Owner::Foreign;
    }
    if home.contains(v) {
        return home.owner.to_owned();
    }
    kept.and_then(|k| k.find(v))
        .map_or(Owner::Foreign, |e| e.owner.clone())
}

/// The memory range a store of pointer `value` into rcffi's memory keeps alive: the range of
/// `src`'s memory (a point for owners without memory: handles, callbacks) when `value` lies
/// in it; `None` when nothing is kept (NULL, foreign or vouched memory, a pointer outside the
/// memory it came from).
fn keep_range(
    value: usize,
    src: OwnerRef<'_>,
    memory: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    if value == 0 || !src.is_owning() {
        return None;
    }
    let memory = match src {
        OwnerRef::Handle(_) | OwnerRef::Callback(_) => None,
        _ => memory,
    };
    match memory {
        Some((base, end)) if value >= base && value <= end => Some((base, end)),
        Some(_) => None,
        None => Some((value, value)),
    }
}

/// The aligned words from `start` (aligned) that begin before `end` and lie inside `r`, with
/// their index from `start`: only the region's words are visited, however far `end` is.
fn words_from<'r>(
    r: &'r Region<'_>,
    start: usize,
    end: usize,
) -> impl Iterator<Item = (usize, usize)> + 'r {
    let region_end = r.base().saturating_add(r.len());
    let first = start.max(r.base().next_multiple_of(WORD));
    let skip = (first - start) / WORD;
    let end = end.min(region_end.saturating_sub(WORD - 1));
    (skip..)
        .map(move |k: usize| (k, start + k * WORD))
        .take_while(move |(_, a)| *a < end)
        .filter_map(move |(k, a)| r.load_le(a, WORD).ok().map(|w| (k, w as usize)))
}

thread_local! {
    /// Owners waiting to be dropped on this thread, while a drop of kept owners is under way
    /// (`None` when none is). Without a destructor (`ManuallyDrop`; the queue is `None` again
    /// when each drop of kept owners ends), so that it is there in a thread-local's destructor
    /// at thread exit too: a long chain dropped there was dropped recursively, and overflowed
    /// the stack, while this was a thread-local with a destructor.
    static GRAVE: ManuallyDrop<RefCell<Option<Vec<Owner>>>> =
        const { ManuallyDrop::new(RefCell::new(None)) };
}

/// [`bury`] of an owner a release let go, if any: most let none go, and skip the call (which
/// would copy the option whole, right after its parts were written).
#[inline]
fn bury_one(released: Option<Owner>) {
    if let Some(o) = released {
        bury([o]);
    }
}

/// Drops `owners` without recursion: the first call on a thread drops them one by one, and
/// the owners that dropping them lets go (a list's next node) join a queue that it drains,
/// instead of being dropped inside the drop that let them go. In line: an array of owners
/// passed to it was reloaded in 16-byte halves right after its 8-byte stores (a `gc`'s drop,
/// which buries two: `call-profile gc` 107.6 → 103.1 ns).
#[inline]
pub(crate) fn bury(owners: impl IntoIterator<Item = Owner>) {
    let mut owners = owners.into_iter().peekable();
    if owners.peek().is_none() {
        return;
    }
    let first = GRAVE.with(|g| {
        let mut g = g.borrow_mut();
        match &mut *g {
            Some(queue) => {
                queue.extend(&mut owners);
                false
            }
            None => {
                // An empty `Vec` allocates nothing: most drops queue nothing more.
                *g = Some(Vec::new());
                true
            }
        }
    });
    if first {
        /// Ends the draining, also when a `gc` destructor panics: the owners still queued are
        /// then leaked (dropping them while unwinding could panic again: an abort).
        struct Done;
        impl Drop for Done {
            fn drop(&mut self) {
                let rest = GRAVE.with(|g| g.borrow_mut().take());
                if std::thread::panicking() {
                    std::mem::forget(rest);
                }
            }
        }
        let _done = Done;
        for o in owners {
            drop(o);
        }
        while let Some(o) = GRAVE.with(|g| g.borrow_mut().as_mut().and_then(Vec::pop)) {
            drop(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::Allocation;

    fn alloc(n: usize) -> Owner {
        Owner::Alloc(Allocation::zeroed_shared(n, 8).unwrap())
    }

    fn home_of(o: &Owner) -> (&KeepSet, Home<'_>) {
        o.as_ref().keeping_for_store().unwrap()
    }

    /// Memory to point into, and its first address.
    fn target(n: usize) -> (Owner, usize) {
        let t = alloc(n);
        let base = t.as_ref().memory_range().unwrap().0;
        (t, base)
    }

    #[test]
    fn stores_count_and_loads_find_by_address() {
        let dst = alloc(64);
        let (set, home) = home_of(&dst);
        let r = dst.as_ref().allocation().unwrap().region();
        let (a, a_base) = target(16);
        // Two slots into `a` (one in its middle), one into `dst` itself.
        set.store_pointer(&r, home.base, a_base, a.as_ref(), home)
            .unwrap();
        set.store_pointer(&r, home.base + 8, a_base + 10, a.as_ref(), home)
            .unwrap();
        set.store_pointer(&r, home.base + 16, home.base + 40, dst.as_ref(), home)
            .unwrap();
        assert_eq!(set.len(), 1);
        let (v, o) = set.load_pointer(&r, home.base + 8, home).unwrap();
        assert_eq!(v, a_base + 10);
        assert!(o.as_ref().same_as(a.as_ref()));
        let (_, o) = set.load_pointer(&r, home.base + 16, home).unwrap();
        assert!(o.as_ref().same_as(dst.as_ref()));
        // NULL is nobody's (read without the lock, as a pointer into `dst` itself is).
        let (v, o) = set.load_pointer(&r, home.base + 24, home).unwrap();
        assert_eq!(v, 0);
        assert!(matches!(o, Owner::Foreign));
        // One past the end is still `a`'s; two past is nobody's.
        assert!(
            set.owner_of(a_base + 16)
                .unwrap()
                .as_ref()
                .same_as(a.as_ref())
        );
        assert!(set.owner_of(a_base + 17).is_none());
        // Overwriting one slot leaves the other's count; the second lets `a` go.
        set.write_bytes(&r, home.base, 8, || r.write(home.base, &[0; 8]))
            .unwrap();
        assert_eq!(set.len(), 1);
        set.store_pointer(&r, home.base + 8, 0, OwnerRef::Foreign, home)
            .unwrap();
        assert_eq!(set.len(), 0);
    }

    #[test]
    fn a_few_owners_and_many_are_found_alike() {
        let dst = alloc(8 * 40);
        let (set, home) = home_of(&dst);
        let r = dst.as_ref().allocation().unwrap().region();
        let targets: Vec<Owner> = (0..20).map(|_| alloc(16)).collect();
        for (i, t) in targets.iter().enumerate() {
            let base = t.as_ref().memory_range().unwrap().0;
            set.store_pointer(&r, home.base + 8 * i, base + i % 16, t.as_ref(), home)
                .unwrap();
            // Past eight owners the list becomes a map; every one is still found.
            for (j, u) in targets.iter().enumerate().take(i + 1) {
                let (_, o) = set.load_pointer(&r, home.base + 8 * j, home).unwrap();
                assert!(o.as_ref().same_as(u.as_ref()), "{i} {j}");
            }
        }
        assert_eq!(set.len(), 20);
        for i in 0..20 {
            set.write_bytes(&r, home.base + 8 * i, 8, || {
                r.write(home.base + 8 * i, &[0; 8])
            })
            .unwrap();
        }
        assert_eq!(set.len(), 0);
    }

    #[test]
    fn copies_carry_what_their_words_point_into() {
        let src = alloc(32);
        let (sset, shome) = home_of(&src);
        let sr = src.as_ref().allocation().unwrap().region();
        let (a, a_base) = target(8);
        sset.store_pointer(&sr, shome.base + 8, a_base, a.as_ref(), shome)
            .unwrap();
        sset.store_pointer(&sr, shome.base + 16, shome.base, src.as_ref(), shome)
            .unwrap();
        let found = sset.pointers_in(&sr, shome.base + 4, 20, shome);
        let offsets: Vec<usize> = found.iter().map(|(o, _, _)| *o).collect();
        assert_eq!(offsets, [4, 12]);
        assert!(found[0].2.as_ref().same_as(a.as_ref()));
        assert!(found[1].2.as_ref().same_as(src.as_ref()));
    }
}

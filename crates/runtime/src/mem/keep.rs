//! [`KeepSet`]: what a block of memory keeps alive — the owners of the pointers stored in it,
//! found by *address*, not by slot.
//!
//! Storing a pointer to owned memory (an allocation, lent bytes, a library's global, a
//! callback, a handle) into rcffi's memory adds that owner to the memory's set, counted once
//! per store; reading a pointer back looks its value up by address: inside the memory itself,
//! it is a view of that memory; inside a kept owner's range, a view of that owner; else it is
//! foreign. So pointers that C moves — `qsort` of a `char *[]`, a `memcpy` of pointer slots, a
//! pointer into one of the caller's buffers written to an out-parameter — come back as bounded
//! views, as they went in.
//!
//! The set is an address-ordered map (`O(log n)` per store and load). Overwriting a pointer
//! slot looks up the value it held and releases one count of its owner. Counts can drift when
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
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Region;
use crate::cdata::Owner;
use crate::error::Result;

/// What one block of memory keeps alive. See the module docs.
#[derive(Default)]
pub(crate) struct KeepSet {
    /// Whether the memory ever held a pointer to owned memory (its own included): memory that
    /// never did skips the lock on every access, and its copies skip the scan for pointers.
    used: AtomicBool,
    kept: Mutex<Kept>,
}

/// The kept owners by the first address of their memory.
#[derive(Default)]
struct Kept {
    by_base: BTreeMap<usize, Vec<Entry>>,
}

/// One kept owner: the end of its memory (inclusive: a pointer one past the end is still
/// its), and how many stores point into it.
struct Entry {
    end: usize,
    owner: Owner,
    count: usize,
}

/// The memory a pointer is read from or stored into: its range and the owner a pointer into
/// it is given (the reader's own: it keeps the memory alive).
#[derive(Copy, Clone)]
pub(crate) struct Home<'a> {
    pub(crate) base: usize,
    pub(crate) end: usize,
    pub(crate) owner: &'a Owner,
}

impl Home<'_> {
    fn contains(&self, addr: usize) -> bool {
        addr >= self.base && addr <= self.end
    }
}

/// The width of a pointer slot (both supported targets are 64-bit).
const WORD: usize = 8;

impl Kept {
    /// The entry whose memory holds `addr`.
    fn find(&self, addr: usize) -> Option<&Entry> {
        let (_, entries) = self.by_base.range(..=addr).next_back()?;
        entries.iter().find(|e| addr <= e.end)
    }

    /// Counts one more pointer into `owner`'s memory `base..=end`.
    fn add(&mut self, base: usize, end: usize, owner: &Owner) {
        let entries = self.by_base.entry(base).or_default();
        match entries.iter_mut().find(|e| e.owner.same_as(owner)) {
            Some(e) => {
                e.count += 1;
                e.end = e.end.max(end);
            }
            None => entries.push(Entry {
                end,
                owner: owner.clone(),
                count: 1,
            }),
        }
    }

    /// Releases one pointer to `addr` (a slot that held it was overwritten); an owner no
    /// pointer counts any more is returned, to be dropped once the lock is released.
    fn release(&mut self, addr: usize, out: &mut Vec<Owner>) {
        let Some((&base, entries)) = self.by_base.range_mut(..=addr).next_back() else {
            return;
        };
        let Some(i) = entries.iter().position(|e| addr <= e.end) else {
            return;
        };
        entries[i].count -= 1;
        if entries[i].count == 0 {
            out.push(entries.swap_remove(i).owner);
            if entries.is_empty() {
                self.by_base.remove(&base);
            }
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_base.values().map(Vec::len).sum()
    }
}

impl KeepSet {
    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        // Every update leaves the map consistent: a poisoned lock is still usable.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_used(&self) -> bool {
        self.used.load(Ordering::Acquire)
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
        let mut b = [0u8; WORD];
        if !self.is_used() {
            r.read(addr, &mut b)?;
            let v = usize::from_le_bytes(b);
            return Ok((v, owner_in(v, home, None)));
        }
        let kept = self.lock();
        r.read(addr, &mut b)?;
        let v = usize::from_le_bytes(b);
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
        src: &Owner,
        home: Home<'_>,
    ) -> Result<()> {
        let keep = keep_range(value, src);
        let into_itself = home.contains(value) && value != 0 || src.keeps_set(self);
        if keep.is_none() && !into_itself && !self.is_used() {
            // Nothing owned stored into memory that never held anything owned: no lock.
            return r.write(addr, &value.to_le_bytes());
        }
        let mut released = Vec::new();
        {
            let mut kept = self.lock();
            let mut old = [0u8; WORD];
            r.read(addr, &mut old)?;
            r.write(addr, &value.to_le_bytes())?;
            kept.release(usize::from_le_bytes(old), &mut released);
            if let (Some((base, end)), false) = (keep, into_itself) {
                kept.add(base, end, src);
            }
            self.used.store(true, Ordering::Release);
        }
        bury(released);
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
        let mut released = Vec::new();
        {
            let mut kept = self.lock();
            let olds = words(r, addr, n);
            write()?;
            for v in olds {
                kept.release(v, &mut released);
            }
        }
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
            if owner.is_owning() {
                out.push((start - addr + k * WORD, v, owner));
            }
        }
        out
    }

    /// Records that the word at `addr` (of this memory, `home`) now holds `value`, a pointer
    /// into `owner`'s memory (copies of pointer slots, pointers C wrote into out-parameters).
    pub(crate) fn adopt(&self, value: usize, owner: &Owner) {
        if owner.keeps_set(self) {
            self.used.store(true, Ordering::Release);
            return;
        }
        let Some((base, end)) = keep_range(value, owner) else {
            return;
        };
        let mut kept = self.lock();
        kept.add(base, end, owner);
        self.used.store(true, Ordering::Release);
    }

    /// Releases one count of the owner `value` points into (a pointer-sized word that held
    /// it was overwritten by C: an out-parameter).
    pub(crate) fn release_value(&self, value: usize) {
        if !self.is_used() {
            return;
        }
        let mut released = Vec::new();
        self.lock().release(value, &mut released);
        bury(released);
    }
}

impl Drop for KeepSet {
    fn drop(&mut self) {
        let kept = std::mem::take(self.kept.get_mut().unwrap_or_else(|e| e.into_inner()));
        if kept.by_base.is_empty() {
            return;
        }
        bury(
            kept.by_base
                .into_values()
                .flat_map(|v| v.into_iter().map(|e| e.owner)),
        );
    }
}

/// The owner pointer `v` of `home` points into: `home` itself, an owner `kept` holds, or
/// nobody.
fn owner_in(v: usize, home: Home<'_>, kept: Option<&Kept>) -> Owner {
    if v == 0 {
        return Owner::Foreign;
    }
    if home.contains(v) {
        return home.owner.clone();
    }
    kept.and_then(|k| k.find(v))
        .map_or(Owner::Foreign, |e| e.owner.clone())
}

/// The memory range a store of pointer `value` into rcffi's memory keeps alive: the range of
/// `src`'s memory (a point for owners without memory: handles, callbacks) when `value` lies
/// in it; `None` when nothing is kept (NULL, foreign or vouched memory, a pointer outside the
/// memory it came from).
fn keep_range(value: usize, src: &Owner) -> Option<(usize, usize)> {
    if value == 0 || !src.is_owning() {
        return None;
    }
    match src.memory_range() {
        Some((base, end)) if value >= base && value <= end => Some((base, end)),
        Some(_) => None,
        None => Some((value, value)),
    }
}

/// The pointer-sized words that `addr..addr + n` touches, clipped to the region `r`.
fn words(r: &Region<'_>, addr: usize, n: usize) -> Vec<usize> {
    let start = addr - addr % WORD;
    let end = addr.saturating_add(n);
    words_from(r, start, end).map(|(_, v)| v).collect()
}

/// The aligned words from `start` (aligned) that begin before `end` and lie inside `r`, with
/// their index.
fn words_from<'r>(
    r: &'r Region<'_>,
    start: usize,
    end: usize,
) -> impl Iterator<Item = (usize, usize)> + 'r {
    (0..)
        .map(move |k: usize| (k, start.saturating_add(k * WORD)))
        .take_while(move |(_, a)| *a < end && *a != usize::MAX)
        .filter_map(move |(k, a)| {
            let mut b = [0u8; WORD];
            r.read(a, &mut b)
                .ok()
                .map(|()| (k, usize::from_le_bytes(b)))
        })
}

thread_local! {
    /// Owners waiting to be dropped on this thread, while a drop of kept owners is under way
    /// (`None` when none is).
    static GRAVE: RefCell<Option<Vec<Owner>>> = const { RefCell::new(None) };
}

/// Drops `owners` without recursion: the first call on a thread drops them one by one, and
/// the owners that dropping them lets go (a list's next node) join the queue instead of
/// being dropped inside the drop that let them go.
pub(crate) fn bury(owners: impl IntoIterator<Item = Owner>) {
    let mut owners = owners.into_iter().peekable();
    if owners.peek().is_none() {
        return;
    }
    let first = GRAVE.try_with(|g| {
        let mut g = g.borrow_mut();
        match &mut *g {
            Some(queue) => {
                queue.extend(&mut owners);
                false
            }
            None => {
                *g = Some(owners.by_ref().collect());
                true
            }
        }
    });
    match first {
        Ok(true) => {
            /// Ends the draining, also when a `gc` destructor panics: the owners still queued
            /// are then leaked (dropping them while unwinding could panic again: an abort).
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
            while let Some(o) = GRAVE.with(|g| g.borrow_mut().as_mut().and_then(Vec::pop)) {
                drop(o);
            }
        }
        Ok(false) => {}
        // The thread is exiting and its queue is gone: drop them here.
        Err(_) => owners.for_each(drop),
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
        o.keeping().unwrap()
    }

    #[test]
    fn stores_count_and_loads_find_by_address() {
        let dst = alloc(64);
        let (set, home) = home_of(&dst);
        let r = dst.allocation().unwrap().region();
        let a = alloc(16);
        let a_base = a.memory_range().unwrap().0;
        // Two slots into `a` (one in its middle), one into `dst` itself.
        set.store_pointer(&r, home.base, a_base, &a, home).unwrap();
        set.store_pointer(&r, home.base + 8, a_base + 10, &a, home)
            .unwrap();
        set.store_pointer(&r, home.base + 16, home.base + 40, &dst, home)
            .unwrap();
        assert_eq!(set.len(), 1);
        let (v, o) = set.load_pointer(&r, home.base + 8, home).unwrap();
        assert_eq!(v, a_base + 10);
        assert!(o.same_as(&a));
        let (_, o) = set.load_pointer(&r, home.base + 16, home).unwrap();
        assert!(o.same_as(&dst));
        // One past the end is still `a`'s; two past is nobody's.
        assert!(set.owner_of(a_base + 16).unwrap().same_as(&a));
        assert!(set.owner_of(a_base + 17).is_none());
        // Overwriting one slot leaves the other's count; the second lets `a` go.
        set.write_bytes(&r, home.base, 8, || r.write(home.base, &[0; 8]))
            .unwrap();
        assert_eq!(set.len(), 1);
        set.store_pointer(&r, home.base + 8, 0, &Owner::Foreign, home)
            .unwrap();
        assert_eq!(set.len(), 0);
    }

    #[test]
    fn copies_carry_what_their_words_point_into() {
        let src = alloc(32);
        let (sset, shome) = home_of(&src);
        let sr = src.allocation().unwrap().region();
        let a = alloc(8);
        let a_base = a.memory_range().unwrap().0;
        sset.store_pointer(&sr, shome.base + 8, a_base, &a, shome)
            .unwrap();
        sset.store_pointer(&sr, shome.base + 16, shome.base, &src, shome)
            .unwrap();
        let found = sset.pointers_in(&sr, shome.base + 4, 20, shome);
        let offsets: Vec<usize> = found.iter().map(|(o, _, _)| *o).collect();
        assert_eq!(offsets, [4, 12]);
        assert!(found[0].2.same_as(&a));
        assert!(found[1].2.same_as(&src));
    }
}

//! [`Kept`]: the owners one block of memory keeps alive, each counted, and found by an address
//! inside its memory — the table behind a [`KeepSet`](super::KeepSet)'s lock.
//!
//! A few owners (most memory that keeps anything keeps a handful: the strings of a struct) are
//! a list. Past [`FEW`] they are indexed by address: an owner of small memory (a string, a
//! node: at most [`SHORT_LINES`] lines of 64 bytes) under each line its memory touches, in a hash
//! map, so that a pointer is looked up in the one line it falls in — a hash and a short list,
//! whatever the number of owners; an owner of middle-sized memory (at most [`LINES`] lines of
//! 1 KiB) likewise in a second map of longer lines; an owner of larger memory in an
//! address-ordered map, searched only when no line holds an owner of the pointer. An array of
//! a million `char *` costs no search of a million-entry tree per store, read and overwrite.
//! Short lines for small memory keep the list a lookup walks short: 256-byte lines held up to
//! sixteen 16-byte strings each.
//!
//! The index holds each range of memory once: further owners of the very same range (`gc`s of
//! one cdata) are its entry's twins, chained from it and never walked by a lookup, and a store
//! looks for its owner among the first few of them only (past those it adds a twin). So no
//! number of owners of one memory makes a store, a read or a release walk them all: a million
//! `gc`s of one string stored into an array cost what a million strings do.

#![forbid(unsafe_code)]

use std::collections::{BTreeMap, HashMap};

use std::hash::{BuildHasherDefault, Hasher};

use super::{Owner, OwnerRef};

/// How many kept owners a list holds before they are indexed.
const FEW: usize = 8;

/// log2 of the lines memory is indexed by: small memory by short lines (a line holds few
/// strings or nodes, so a lookup walks few entries), middle-sized memory by long ones.
const LINE_SHIFTS: [u32; 2] = [6, 10];

/// The most lines an owner's memory may touch and still be indexed by lines of a class.
const LINES: usize = 4;

/// The most short lines small memory touches: memory over more of them is linked into as many
/// chains, each holding its neighbours (150-byte strings cost more than by long lines).
const SHORT_LINES: usize = 2;

/// log2 of how many neighbouring lines are neighbours in the table.
const WINDOW_SHIFT: u32 = 4;

/// One kept owner: its memory's first and last address (inclusive: a pointer one past the end
/// is still its), and how many stores point into it.
pub(super) struct Entry {
    base: usize,
    end: usize,
    pub(super) owner: Owner,
    count: usize,
    /// Indexed by line: the next entry in each line its memory touches (the `k`th for the
    /// line `k` after its first), [`NONE`] at a line's end.
    next: [u32; LINES],
    /// The next owner of the same range (a twin, not in the index), or [`NONE`].
    twin: u32,
    /// Indexed by line of `LINE_SHIFTS[class]`, or (`BIG`) in the ordered map of large memory.
    class: u8,
}

/// The `class` of an entry of large memory.
const BIG: u8 = 2;

/// No entry: the end of a line's chain or of a list of twins.
const NONE: u32 = u32::MAX;

/// How many owners of one range a store compares with its own before adding a twin.
const TWINS_COMPARED: usize = 4;

impl Entry {
    fn new(base: usize, end: usize, owner: OwnerRef<'_>) -> Entry {
        Entry {
            base,
            end,
            owner: owner.to_owned(),
            count: 1,
            next: [NONE; LINES],
            twin: NONE,
            class: BIG,
        }
    }

    fn holds(&self, addr: usize) -> bool {
        self.base <= addr && addr <= self.end
    }

    /// The link to the next entry in `line` (of the lines this entry is indexed by), one of
    /// the lines its memory touches.
    fn next_in(&mut self, line: usize) -> &mut u32 {
        let shift = LINE_SHIFTS[usize::from(self.class)];
        &mut self.next[line - (self.base >> shift)]
    }
}

/// The kept owners of one block of memory. See the module docs.
#[derive(Default)]
pub(super) struct Kept {
    few: Vec<Entry>,
    many: Option<Box<Many>>,
}

/// The owners past the first few, indexed by address.
#[derive(Default)]
struct Many {
    /// Every entry, by its index; a removed one leaves `None`, its index kept in `free`.
    entries: Vec<Option<Entry>>,
    free: Vec<usize>,
    /// The entries of small and of middle-sized memory (`lines[class]`): for each line, the
    /// first of the entries whose memory touches it, the rest chained through the entries (one
    /// hash lookup, then each entry where it is: no list of its own per line).
    lines: [HashMap<usize, u32, BuildHasherDefault<LineHasher>>; 2],
    /// The entries of larger memory, by first and last address.
    big: BTreeMap<(usize, usize), usize>,
}

/// Hashes a line number so that each run of 16 neighbouring lines are neighbours in the table
/// too (an array of pointers read in order reads the table in order, from the cache), the runs
/// spread over the table by a multiplicative mix, and a mix of the line in the top seven bits,
/// which the table compares first (`hashbrown`'s tag). Hashed to itself, whole regions of
/// consecutive lines filled long stretches of the table, through which a lookup of a line that
/// was not there probed.
#[derive(Default)]
struct LineHasher(u64);

impl Hasher for LineHasher {
    fn finish(&self) -> u64 {
        let mixed = self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let window = (self.0 >> WINDOW_SHIFT).wrapping_mul(0xd6e8_feb8_6659_fd93);
        let place = ((window >> 24) << WINDOW_SHIFT) | (self.0 & ((1 << WINDOW_SHIFT) - 1));
        place ^ (mixed & (0x7f << 57))
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = n as u64;
    }
}

/// The class `base..=end` is indexed by: short lines when it touches at most [`SHORT_LINES`]
/// of them, long lines when at most [`LINES`], else [`BIG`].
fn class_of(base: usize, end: usize) -> u8 {
    let fits = |shift: u32, lines: usize| (end >> shift) - (base >> shift) < lines;
    if fits(LINE_SHIFTS[0], SHORT_LINES) {
        0
    } else if fits(LINE_SHIFTS[1], LINES) {
        1
    } else {
        BIG
    }
}

impl Many {
    fn entry(&self, i: usize) -> &Entry {
        match &self.entries[i] {
            Some(e) => e,
            None => unreachable!("a linked entry is present"),
        }
    }

    fn entry_mut(&mut self, i: usize) -> &mut Entry {
        match &mut self.entries[i] {
            Some(e) => e,
            None => unreachable!("a linked entry is present"),
        }
    }

    /// The first entry of `line`'s chain (a line of `class`) for which `hit` holds.
    #[inline]
    fn in_line(&self, class: u8, line: usize, hit: impl Fn(&Entry) -> bool) -> Option<usize> {
        let c = usize::from(class);
        let mut i = *self.lines[c].get(&line)?;
        while i != NONE {
            let e = self.entry(i as usize);
            if hit(e) {
                return Some(i as usize);
            }
            i = e.next[line - (e.base >> LINE_SHIFTS[c])];
        }
        None
    }

    /// The index of an indexed entry whose memory holds `addr`: one in `addr`'s short line,
    /// else in its long line, else the large memory that starts last at or below `addr`.
    fn index_of(&self, addr: usize) -> Option<usize> {
        for class in [0, 1] {
            if self.lines[usize::from(class)].is_empty() {
                continue;
            }
            let line = addr >> LINE_SHIFTS[usize::from(class)];
            if let Some(i) = self.in_line(class, line, |e| e.holds(addr)) {
                return Some(i);
            }
        }
        let mut below = self.big.range(..=(addr, usize::MAX)).rev().peekable();
        let base = below.peek().map(|((b, _), _)| *b)?;
        below
            .take_while(|((b, _), _)| *b == base)
            .map(|(_, &i)| i)
            .find(|&i| self.entry(i).holds(addr))
    }

    /// The indexed entry of the range `base..=end`, if any: where its class puts it, or in the
    /// ordered map (where `link` puts an entry whose index no link could name).
    fn index_of_range(&self, base: usize, end: usize) -> Option<usize> {
        let class = class_of(base, end);
        if class != BIG {
            let line = base >> LINE_SHIFTS[usize::from(class)];
            let found = self.in_line(class, line, |e| e.base == base && e.end == end);
            if found.is_some() || self.big.is_empty() {
                return found;
            }
        }
        self.big.get(&(base, end)).copied()
    }

    /// A slot for `e`: a freed one, or a new one.
    fn slot(&mut self, e: Entry) -> usize {
        match self.free.pop() {
            Some(i) => {
                self.entries[i] = Some(e);
                i
            }
            None => {
                self.entries.push(Some(e));
                self.entries.len() - 1
            }
        }
    }

    /// Indexes entry `i` by its memory: by the lines of its class (when its index fits a
    /// link), else in the ordered map.
    fn link(&mut self, i: usize) {
        let e = self.entry(i);
        let (base, end) = (e.base, e.end);
        let class = if i < NONE as usize {
            class_of(base, end)
        } else {
            BIG
        };
        self.entry_mut(i).class = class;
        if class == BIG {
            self.big.insert((base, end), i);
            return;
        }
        let (c, shift) = (usize::from(class), LINE_SHIFTS[usize::from(class)]);
        for line in base >> shift..=end >> shift {
            let head = self.lines[c].entry(line).or_insert(NONE);
            let next = std::mem::replace(head, i as u32);
            *self.entry_mut(i).next_in(line) = next;
        }
    }

    /// Takes indexed entry `i` out of the index.
    fn unlink(&mut self, i: usize) {
        let e = self.entry(i);
        let (base, end, class) = (e.base, e.end, e.class);
        if class == BIG {
            self.big.remove(&(base, end));
            return;
        }
        let (c, shift) = (usize::from(class), LINE_SHIFTS[usize::from(class)]);
        for line in base >> shift..=end >> shift {
            let after = *self.entry_mut(i).next_in(line);
            let std::collections::hash_map::Entry::Occupied(mut head) = self.lines[c].entry(line)
            else {
                continue;
            };
            if *head.get() == i as u32 {
                if after == NONE {
                    head.remove();
                } else {
                    *head.get_mut() = after;
                }
                continue;
            }
            // Find the entry before `i` in the line's chain, and link it past `i`.
            let mut j = *head.get();
            while j != NONE {
                let link = self.entry_mut(j as usize).next_in(line);
                if *link == i as u32 {
                    *link = after;
                    break;
                }
                j = *link;
            }
        }
    }

    fn add(&mut self, base: usize, end: usize, owner: OwnerRef<'_>) {
        // The range kept already: count the owner where it is among the first few of its
        // owners.
        let first = self.index_of_range(base, end);
        if let Some(first) = first {
            let mut i = first as u32;
            for _ in 0..TWINS_COMPARED {
                if i == NONE {
                    break;
                }
                let e = self.entry_mut(i as usize);
                if e.owner.as_ref().same_as(owner) {
                    e.count += 1;
                    return;
                }
                i = e.twin;
            }
            if self.free.last().copied().unwrap_or(self.entries.len()) >= NONE as usize {
                // No link could name a twin's slot (4 billion entries): the range's first
                // owner counts the store; the memory, the same range, stays kept alive.
                self.entry_mut(first).count += 1;
                return;
            }
        }
        self.place_at(Entry::new(base, end, owner), first);
    }

    /// Keeps entry `e`: indexed, or the first twin of the entry that holds its range.
    fn place(&mut self, e: Entry) {
        let first = self.index_of_range(e.base, e.end);
        self.place_at(e, first);
    }

    /// [`Many::place`], the indexed entry of `e`'s range (`first`) already looked up.
    fn place_at(&mut self, e: Entry, first: Option<usize>) {
        let t = self.slot(e);
        let Some(first) = first else {
            self.link(t);
            return;
        };
        match u32::try_from(t) {
            Ok(t32) if t32 != NONE => {
                let after = std::mem::replace(&mut self.entry_mut(first).twin, t32);
                self.entry_mut(t).twin = after;
            }
            _ => {
                // Not reached: `add` counts on the range's first owner before making an entry
                // no link could name, and a list becoming an index has fewer than `FEW`. Were
                // it reached, the first owner would count the stores (the same memory kept).
                let gone = self.entries[t].take();
                self.free.push(t);
                self.entry_mut(first).count += gone.map_or(0, |g| g.count);
            }
        }
    }

    fn release(&mut self, addr: usize) -> Option<Owner> {
        let i = self.index_of(addr)?;
        let e = self.entry_mut(i);
        e.count -= 1;
        if e.count > 0 {
            return None;
        }
        let twin = e.twin;
        if twin != NONE {
            // Its first twin takes its place in the index.
            let t = self.entries[twin as usize].take()?;
            self.free.push(twin as usize);
            let e = self.entry_mut(i);
            e.count = t.count;
            e.twin = t.twin;
            return Some(std::mem::replace(&mut e.owner, t.owner));
        }
        self.unlink(i);
        self.free.push(i);
        self.entries[i].take().map(|e| e.owner)
    }
}

impl Kept {
    /// The entry whose memory holds `addr`.
    pub(super) fn find(&self, addr: usize) -> Option<&Entry> {
        match &self.many {
            None => self.few.iter().find(|e| e.holds(addr)),
            Some(many) => many.index_of(addr).map(|i| many.entry(i)),
        }
    }

    /// Counts one more pointer into `owner`'s memory `base..=end`.
    pub(super) fn add(&mut self, base: usize, end: usize, owner: OwnerRef<'_>) {
        if self.many.is_none() {
            if let Some(e) = self
                .few
                .iter_mut()
                .find(|e| e.base == base && e.owner.as_ref().same_as(owner))
            {
                e.count += 1;
                e.end = e.end.max(end);
                return;
            }
            if self.few.len() < FEW {
                self.few.push(Entry::new(base, end, owner));
                return;
            }
            let mut many = Box::<Many>::default();
            for e in self.few.drain(..) {
                many.place(e);
            }
            self.many = Some(many);
        }
        if let Some(many) = &mut self.many {
            many.add(base, end, owner);
        }
    }

    /// Releases one pointer to `addr` (a slot that held it was overwritten); an owner no
    /// pointer counts any more is returned, to be dropped once the lock is released.
    pub(super) fn release(&mut self, addr: usize) -> Option<Owner> {
        if addr == 0 {
            // NULL points into nothing kept (the common old value of a slot first stored).
            return None;
        }
        if let Some(many) = &mut self.many {
            let gone = many.release(addr);
            if gone.is_some() && many.entries.len() == many.free.len() {
                // The last one let go: the index's memory goes too (an array of a million
                // strings cleared keeps no tables of them), and the next owners start a list.
                self.many = None;
            }
            return gone;
        }
        let i = self.few.iter().position(|e| e.holds(addr))?;
        self.few[i].count -= 1;
        if self.few[i].count > 0 {
            return None;
        }
        Some(self.few.swap_remove(i).owner)
    }

    /// Every kept owner, taken out.
    pub(super) fn take_all(&mut self) -> impl Iterator<Item = Owner> + use<> {
        let few = std::mem::take(&mut self.few).into_iter().map(|e| e.owner);
        let many = self
            .many
            .take()
            .into_iter()
            .flat_map(|m| m.entries.into_iter().flatten().map(|e| e.owner));
        few.chain(many)
    }

    /// The number of owners kept.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.few.len()
            + self
                .many
                .as_ref()
                .map_or(0, |m| m.entries.len() - m.free.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::Allocation;
    use crate::mem::owner::TestGc;

    fn alloc(n: usize) -> Owner {
        Owner::Alloc(Allocation::zeroed_shared(n, 8).unwrap())
    }

    /// `n` allocations of `size` bytes, each kept over its first `kept` bytes.
    fn kept_with(n: usize, size: usize, kept: usize) -> (Kept, Vec<Owner>) {
        let owners: Vec<Owner> = (0..n).map(|_| alloc(size)).collect();
        let mut k = Kept::default();
        for o in &owners {
            k.add(base_of(o), base_of(o) + kept, o.as_ref());
        }
        (k, owners)
    }

    fn base_of(o: &Owner) -> usize {
        o.as_ref().memory_range().unwrap().0
    }

    /// Owners of every size class (one line, a few, many) and two owners of the same memory,
    /// counted, found at each of their addresses and nowhere else, and released: the index
    /// agrees with a plain scan of the entries at every step.
    #[test]
    fn the_index_finds_what_a_scan_finds() {
        let sizes = [1usize, 7, 16, 40, 255, 256, 300, 700, 1024, 5000, 3, 64];
        let owners: Vec<Owner> = sizes.iter().map(|&n| alloc(n)).collect();
        let mut kept = Kept::default();
        let mut expect: Vec<(usize, usize, usize)> = Vec::new(); // (owner, base, end)
        for (k, (o, &n)) in owners.iter().zip(&sizes).enumerate() {
            let base = base_of(o);
            kept.add(base, base + n, o.as_ref());
            expect.push((k, base, base + n));
            if k % 3 == 0 {
                kept.add(base, base + n, o.as_ref());
            }
        }
        let many = kept
            .many
            .as_ref()
            .expect("past FEW owners the index is used");
        // Every class holds some: short lines, long lines, the ordered map.
        assert!(!many.lines[0].is_empty() && !many.lines[1].is_empty() && !many.big.is_empty());
        assert_eq!(kept.len(), owners.len());
        let check = |kept: &Kept, expect: &[(usize, usize, usize)]| {
            for &(k, base, end) in expect {
                for addr in [base, base + (end - base) / 2, end] {
                    let e = kept.find(addr).expect("a kept address is found");
                    // Memories of distinct live allocations do not overlap.
                    assert!(
                        e.owner.as_ref().same_as(owners[k].as_ref()),
                        "{k} at {addr:#x}"
                    );
                }
            }
            let inside = |a: usize| expect.iter().any(|&(_, b, e)| b <= a && a <= e);
            for &(_, base, end) in expect {
                for addr in [base.wrapping_sub(1), end + 1, end + 4096] {
                    assert_eq!(kept.find(addr).is_some(), inside(addr), "{addr:#x}");
                }
            }
        };
        check(&kept, &expect);
        // Release every owner once: those counted twice stay.
        let mut gone = 0;
        for &(k, base, _) in &expect {
            let released = kept.release(base);
            assert_eq!(released.is_some(), k % 3 != 0);
            gone += usize::from(released.is_some());
        }
        assert_eq!(kept.len(), owners.len() - gone);
        let left: Vec<_> = expect
            .iter()
            .copied()
            .filter(|(k, ..)| k % 3 == 0)
            .collect();
        check(&kept, &left);
        for &(_, _, end) in &left {
            assert!(kept.release(end).is_some());
        }
        assert_eq!(kept.len(), 0);
        assert!(kept.many.is_none(), "the index goes with its last owner");
        assert!(kept.find(expect[0].1).is_none());
        // A new owner after the last starts a list again (freed slots are reused while the index
        // lives: the random test below).
        let o = alloc(8);
        kept.add(base_of(&o), base_of(&o) + 8, o.as_ref());
        assert_eq!(kept.len(), 1);
        assert!(kept.find(base_of(&o) + 8).is_some());
        assert_eq!(kept.take_all().count(), 1);
    }

    /// Random counts and releases over owners of mixed sizes, against a plain list of what
    /// should be kept: after every step each address finds an owner exactly when one is kept
    /// there, and that owner's memory holds it (chains of one line spliced in every order).
    #[test]
    fn random_adds_and_releases_agree_with_a_plain_list() {
        let sizes = [2usize, 24, 40, 200, 600, 3000];
        let owners: Vec<(Owner, usize)> = (0..60)
            .map(|k| {
                let n = sizes[k % sizes.len()];
                (alloc(n), n)
            })
            .collect();
        let mut counts = vec![0usize; owners.len()];
        let mut kept = Kept::default();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let steps = if cfg!(miri) { 200 } else { 3000 };
        for _ in 0..steps {
            let k = next(owners.len());
            let (o, n) = &owners[k];
            let base = base_of(o);
            let addr = base + next(n + 1);
            if next(3) < 2 {
                kept.add(base, base + n, o.as_ref());
                counts[k] += 1;
            } else {
                let released = kept.release(addr);
                if counts[k] > 0 {
                    counts[k] -= 1;
                    assert_eq!(released.is_some(), counts[k] == 0, "owner {k}");
                } else {
                    assert!(released.is_none());
                }
            }
            assert_eq!(kept.len(), counts.iter().filter(|&&c| c > 0).count());
            for (j, (o, n)) in owners.iter().enumerate().filter(|_| next(4) == 0) {
                let base = base_of(o);
                for a in [base, base + n / 2, base + n] {
                    match kept.find(a) {
                        Some(e) => assert!(e.holds(a) && counts[j] > 0, "{j}"),
                        None => assert_eq!(counts[j], 0, "{j}"),
                    }
                }
            }
        }
        drop(kept.take_all());
    }

    /// Two owners of the same memory (an allocation and a `gc` of it) are two entries, each
    /// counted and released on its own, in the list and in the index.
    #[test]
    fn two_owners_of_the_same_memory_are_two_entries() {
        for others in [0, FEW] {
            let (mut kept, _extra) = kept_with(others, 16, 16);
            let a = alloc(32);
            let g = Owner::gc(TestGc(a.clone(), [0; 16]));
            let base = base_of(&a);
            assert_eq!(base_of(&g), base);
            kept.add(base, base + 32, a.as_ref());
            kept.add(base, base + 32, g.as_ref());
            kept.add(base, base + 32, g.as_ref());
            assert_eq!(kept.len(), others + 2);
            // Three counts over two owners (whichever a release finds first): two releases
            // let one go, the third the other.
            let gone: usize = (0..2)
                .map(|_| usize::from(kept.release(base + 5).is_some()))
                .sum();
            assert_eq!(gone, 1);
            assert!(kept.find(base).is_some());
            assert!(kept.release(base).is_some());
            assert!(kept.find(base).is_none());
            assert_eq!(kept.len(), others);
        }
    }

    /// The same owner stored with a longer range is a second entry, found over the longer
    /// range; each is released on its own.
    #[test]
    fn an_owner_stored_with_a_longer_range_is_found_over_it() {
        let (mut kept, owners) = kept_with(FEW + 1, 4096, 8);
        let (o, base) = (&owners[0], base_of(&owners[0]));
        assert!(kept.find(base + 2000).is_none());
        kept.add(base, base + 4096, o.as_ref());
        assert_eq!(kept.len(), FEW + 2);
        let found = kept.find(base + 2000).unwrap();
        assert!(found.owner.as_ref().same_as(o.as_ref()));
        assert!(kept.release(base + 4000).is_some());
        assert!(kept.find(base + 2000).is_none());
        assert!(kept.find(base + 1).is_some());
        assert!(kept.release(base + 1).is_some());
        assert!(kept.find(base + 1).is_none());
    }

    /// Many owners of one range (`gc`s of one cdata) are twins of its entry: each counted and
    /// released, a store of the latest counted where it is, the range found until the last goes
    /// — and no operation walks them all (the chain a lookup walks holds the range once).
    #[test]
    fn many_owners_of_one_range_are_twins() {
        let (mut kept, others) = kept_with(FEW + 1, 16, 16);
        let a = alloc(24);
        let base = base_of(&a);
        let gcs: Vec<Owner> = (0..50)
            .map(|_| Owner::gc(TestGc(a.clone(), [0; 16])))
            .collect();
        kept.add(base, base + 24, a.as_ref());
        for g in &gcs {
            kept.add(base, base + 24, g.as_ref());
        }
        // The latest owner is among the first compared: counted again, no new twin.
        kept.add(base, base + 24, gcs[49].as_ref());
        assert_eq!(kept.len(), others.len() + 51);
        let many = kept.many.as_ref().unwrap();
        let line = many.lines[0]
            .get(&(base >> LINE_SHIFTS[0]))
            .copied()
            .unwrap();
        let mut in_chain = 0;
        let mut i = line;
        while i != NONE {
            let e = many.entry(i as usize);
            in_chain += usize::from(e.base == base);
            i = e.next[(base >> LINE_SHIFTS[0]) - (e.base >> LINE_SHIFTS[0])];
        }
        assert_eq!(in_chain, 1, "the range is in its line's chain once");
        // 52 counts over 51 owners: each release lets one owner go but the one counted twice.
        let mut gone = 0;
        for k in 0..52 {
            assert!(kept.find(base + 3).is_some(), "{k}");
            gone += usize::from(kept.release(base + 3).is_some());
        }
        assert_eq!(gone, 51);
        assert!(kept.find(base).is_none());
        assert!(kept.release(base).is_none());
        assert_eq!(kept.len(), others.len());
    }
}

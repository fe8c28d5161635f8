//! [`Count`]: the reference count of a shared block ([`Shared`](super::Shared),
//! [`Counted`](super::Counted)) — one word while references come and go one thread at a time,
//! spread over per-thread lanes once two threads are seen counting at once, so that threads
//! deriving pointers from one shared array do not take turns on one cache line.
//!
//! A single count shared by two threads stops them scaling: each clone and drop moves the
//! line between their cores (`Arc::clone` and drop of one `Arc` from two threads runs at half
//! the speed of one thread here). So the count starts as one word, changed by compare-and-
//! swap; the first compare-and-swap that loses to another thread spreads it: the word then
//! points to [`Lanes`] — a central count of *holds*, the count of the *plain* references
//! (those made before it spread), and [`LANES`] lane counts, each on a cache line of its own.
//! A thread counts the references it makes in its own lane (threads are given lanes in turn);
//! a reference remembers its lane in its pointer's low bits ([`with_lane`]), so one dropped on
//! another thread goes back to the lane it was counted in. A count that never met a second
//! thread stays one word.
//!
//! A lane takes one central hold when it first counts a reference, and keeps it while idle
//! (no reference counted), so a thread that makes and drops a pointer into a shared array
//! touches only its own lane. The plain references hold one more, while any is left. When the
//! last plain reference goes, the block is *dying*: each lane is marked, idle lanes give their
//! hold back at once, and a busy lane gives it back when it next goes idle. (After that a lane
//! takes and gives back its hold as it goes busy and idle: the central count is touched again,
//! but only once the block's first owners are gone.)
//!
//! # Safety
//!
//! The block is freed by the one release that finds it last: in one word, the count at one
//! (only the releaser holds a reference, so none can be made) or brought to zero; spread, the
//! central count of holds brought to zero. While a reference exists the central count is
//! above zero: a plain reference counts in the plain hold; a reference in a lane finds its
//! lane holding (its clone took the hold, or saw it taken, before returning), and a lane gives
//! its hold back only by a compare-and-swap from exactly "idle, dying, holding", which fails
//! while the lane counts a reference. A lane takes a hold only in a clone, made from a live
//! reference whose own hold keeps the count above zero meanwhile; two clones racing to take a
//! lane's hold take it once (the loser gives its extra one back). The plain hold goes only
//! after every lane was marked dying, and the mark and the releases are read-modify-writes of
//! the lane's one word, so no lane can go idle unmarked and keep its hold forever: either its
//! release sees the mark and gives the hold back, or the marking sees it idle and does.
//!
//! Adds are `Relaxed` (made from a live reference, as in `Arc`); releases are `Release`, and a
//! release that brings a count to zero fences with `Acquire` before going on, so every use of
//! the memory happens before it is freed. The lanes are published by a `Release` compare-and-
//! swap and read after an `Acquire` fence, so their initial counts are seen; once spread, a
//! count stays spread until the block is freed, and its lanes are freed with it (`Drop`).

use std::cell::Cell;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering, fence};

/// The lanes a spread count has (a lane's number, 1 to `LANES`, is kept in the low bits of a
/// reference's pointer, aligned to at least 8: [`with_lane`]).
pub(super) const LANES: usize = 7;
/// The low bits of a reference's pointer that hold its lane (0: a plain reference, counted in
/// the word, or once spread with the plain ones).
const LANE_MASK: usize = 7;

/// `p` with `lane` in its low bits (`p` aligned to at least 8).
#[inline(always)]
pub(super) fn with_lane<T>(p: NonNull<T>, lane: usize) -> NonNull<T> {
    debug_assert!(lane <= LANE_MASK && p.addr().get() & LANE_MASK == 0);
    p.map_addr(|a| a | lane)
}

/// The pointer `with_lane` was given, with its provenance.
#[inline(always)]
pub(super) fn without_lane<T>(tagged: NonNull<T>) -> *mut T {
    tagged.as_ptr().map_addr(|a| a & !LANE_MASK)
}

/// The lane `with_lane` was given.
#[inline(always)]
pub(super) fn lane_of<T>(tagged: NonNull<T>) -> usize {
    tagged.addr().get() & LANE_MASK
}

/// Counts another reference to what the live reference `tagged` points to, whose count is
/// `count`: the new reference's pointer, the same address with the new reference's lane.
#[inline(always)]
pub(super) fn another<T>(tagged: NonNull<T>, count: &Count) -> NonNull<T> {
    let lane = count.add();
    // SAFETY: the address `with_lane` was given, which is not null.
    with_lane(
        unsafe { NonNull::new_unchecked(without_lane(tagged)) },
        lane,
    )
}

/// The word's low bit, set when it points to [`Lanes`] (which are 64-aligned).
const SPREAD: usize = 1;
/// One reference in the unspread word (the low bit is the flag).
const ONE: usize = 2;

/// A lane word's flag: the lane holds one central hold.
const HOLD: usize = 1;
/// A lane word's flag: the plain references are gone, so the lane gives its hold back when it
/// goes idle.
const DYING: usize = 2;
/// The lane word's flags.
const FLAGS: usize = HOLD | DYING;
/// One reference in a lane word (above its flags).
const REF: usize = 4;

/// A counter on a cache line of its own.
#[repr(align(64))]
pub(super) struct Line(pub(super) AtomicUsize);

/// A spread count. See the module docs.
struct Lanes {
    /// The holds: one for the plain references while any is left, one per lane holding.
    central: Line,
    /// The references made before the count spread (each thread's later ones go to lanes).
    plain: Line,
    /// Each lane's references (in [`REF`]s) and flags ([`HOLD`], [`DYING`]).
    lanes: [Line; LANES],
}

/// A block's reference count. See the module docs. (A pointer, with the lanes' provenance
/// once spread; before, a count of [`ONE`]s with no provenance, changed only by
/// compare-and-swap.)
pub(super) struct Count(AtomicPtr<Lanes>);

thread_local! {
    /// This thread's lane, given on its first spread count (0: none yet).
    static LANE: Cell<u8> = const { Cell::new(0) };
}

/// This thread's lane: 1 to [`LANES`], from the thread's number (threads are numbered in
/// turn, so their lanes go round), kept after the first.
#[inline]
pub(super) fn this_lane() -> usize {
    LANE.with(|l| match l.get() {
        0 => {
            let lane = (crate::base::thread_tag::current() % LANES as u64) as usize + 1;
            l.set(lane as u8);
            lane
        }
        lane => usize::from(lane),
    })
}

/// As `Arc`: a count this high means references are being leaked; stop before it wraps.
#[cold]
fn too_many() -> ! {
    std::process::abort()
}

impl Count {
    /// A count of one reference (the block's maker's, a plain one).
    pub(super) const fn one() -> Count {
        Count(AtomicPtr::new(std::ptr::without_provenance_mut(ONE)))
    }

    /// The number of references of a count that never spread (for tests).
    #[cfg(test)]
    pub(super) fn unspread(&self) -> usize {
        let word = self.0.load(Ordering::Relaxed).addr();
        assert!(word & SPREAD == 0, "the count spread");
        word / ONE
    }

    /// Whether the count was spread (the releaser of the last reference asks, to know that
    /// the block has lanes to free).
    #[inline]
    pub(super) fn is_spread(&self) -> bool {
        self.0.load(Ordering::Relaxed).addr() & SPREAD != 0
    }

    /// Counts one more reference, made from a live one; returns the lane it is counted in
    /// (0: plain), which its release must name.
    #[inline]
    pub(super) fn add(&self) -> usize {
        let word = self.0.load(Ordering::Relaxed);
        if word.addr() & SPREAD == 0 {
            if word.addr() > isize::MAX as usize {
                too_many();
            }
            let more = word.wrapping_byte_add(ONE);
            match self
                .0
                .compare_exchange(word, more, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return 0,
                // Another thread counted meanwhile: spread.
                Err(_) => return self.add_in_lane(self.spread()),
            }
        }
        fence(Ordering::Acquire);
        self.add_in_lane(word)
    }

    /// Counts a reference in this thread's lane of the spread count `word`. (Out of line, as
    /// `release_in_lane`.)
    #[inline(never)]
    fn add_in_lane(&self, word: *mut Lanes) -> usize {
        let lanes = lanes_of(word);
        let lane = this_lane();
        let at = &lanes.lanes[lane - 1].0;
        let old = at.fetch_add(REF, Ordering::Relaxed);
        if old > isize::MAX as usize {
            too_many();
        }
        if old & HOLD == 0 {
            take_hold(lanes, at);
        }
        lane
    }

    /// Spreads the count (or finds it spread by another thread); returns the spread word.
    #[cold]
    fn spread(&self) -> *mut Lanes {
        let fresh = Box::into_raw(Box::new(Lanes {
            central: Line(AtomicUsize::new(1)),
            plain: Line(AtomicUsize::new(0)),
            lanes: std::array::from_fn(|_| Line(AtomicUsize::new(0))),
        }));
        let mut word = self.0.load(Ordering::Relaxed);
        loop {
            if word.addr() & SPREAD != 0 {
                // SAFETY: `fresh` came from `Box::into_raw` above and was never published.
                drop(unsafe { Box::from_raw(fresh) });
                fence(Ordering::Acquire);
                return word;
            }
            // SAFETY: `fresh` is a live box no other thread has seen yet.
            unsafe { (*fresh).plain.0.store(word.addr() / ONE, Ordering::Relaxed) };
            let spread = fresh.map_addr(|a| a | SPREAD);
            match self
                .0
                .compare_exchange_weak(word, spread, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return spread,
                Err(now) => word = now,
            }
        }
    }

    /// Lets go of one reference counted in `lane`; true when it was the last (the caller
    /// then frees the block, and everything done through any reference happened before).
    #[inline]
    pub(super) fn release(&self, lane: usize) -> bool {
        let mut word = self.0.load(Ordering::Acquire);
        // One test for both: a reference in a lane, or a count that spread.
        if lane | (word.addr() & SPREAD) != 0 {
            return release_spread(word, lane);
        }
        loop {
            // The last reference (the common case) frees without a read-modify-write.
            if word.addr() == ONE {
                return true;
            }
            match self.0.compare_exchange_weak(
                word,
                word.wrapping_byte_sub(ONE),
                Ordering::Release,
                Ordering::Acquire,
            ) {
                Ok(_) => return false,
                // Changed meanwhile: counted again, or spread.
                Err(now) if now.addr() & SPREAD == 0 => word = now,
                Err(now) => return release_spread(now, lane),
            }
        }
    }
}

/// Lets go of a reference counted in `lane` (0: a plain one) of the spread count `word`; true
/// when it was the last. (Out of line: the unspread count's release is the one every `new`
/// takes.)
#[inline(never)]
fn release_spread(word: *mut Lanes, lane: usize) -> bool {
    fence(Ordering::Acquire);
    if lane == 0 {
        return release_plain(lanes_of(word));
    }
    release_in_lane(word, lane)
}

/// Lets go of a reference counted in `lane` of the spread count `word`; true when it was the
/// last.
fn release_in_lane(word: *mut Lanes, lane: usize) -> bool {
    debug_assert!(
        word.addr() & SPREAD != 0,
        "a reference in a lane of an unspread count"
    );
    let lanes = lanes_of(word);
    let at = &lanes.lanes[lane - 1].0;
    let old = at.fetch_sub(REF, Ordering::Release);
    // Not the lane's last reference, or the plain references still hold the block: the lane
    // keeps its hold, idle.
    if old & !FLAGS != REF || old & DYING == 0 {
        return false;
    }
    debug_assert!(old & HOLD != 0, "a live reference in a lane without a hold");
    fence(Ordering::Acquire);
    give_hold_back(lanes, at)
}

/// Gives the lane `at` a central hold, unless another clone in the lane did meanwhile. The
/// reference the new one is made from keeps the central count above zero meanwhile (module
/// docs).
#[cold]
fn take_hold(lanes: &Lanes, at: &AtomicUsize) {
    lanes.central.0.fetch_add(1, Ordering::Relaxed);
    if at.fetch_or(HOLD, Ordering::Relaxed) & HOLD != 0 {
        lanes.central.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Gives back the hold of the lane `at`, idle and dying, unless a clone took the lane up
/// again meanwhile (its last reference will); true when that was the last hold.
fn give_hold_back(lanes: &Lanes, at: &AtomicUsize) -> bool {
    if at
        .compare_exchange(DYING | HOLD, DYING, Ordering::AcqRel, Ordering::Relaxed)
        .is_err()
    {
        return false;
    }
    release_central(lanes)
}

/// Lets go of a reference made before the count spread; at the last one, the lanes start
/// giving their holds back (the idle ones now), then the plain references' hold goes.
#[cold]
fn release_plain(lanes: &Lanes) -> bool {
    if lanes.plain.0.fetch_sub(1, Ordering::Release) != 1 {
        return false;
    }
    fence(Ordering::Acquire);
    for lane in &lanes.lanes {
        // The plain hold is still counted, so none of these is the last.
        if lane.0.fetch_or(DYING, Ordering::AcqRel) == HOLD {
            give_hold_back(lanes, &lane.0);
        }
    }
    release_central(lanes)
}

/// Drops one central hold; true when it was the last.
fn release_central(lanes: &Lanes) -> bool {
    if lanes.central.0.fetch_sub(1, Ordering::Release) != 1 {
        return false;
    }
    fence(Ordering::Acquire);
    true
}

/// The lanes a spread word points to (valid while the caller holds a reference: a count stays
/// spread until its block is freed).
#[inline]
fn lanes_of<'a>(word: *mut Lanes) -> &'a Lanes {
    debug_assert!(word.addr() & SPREAD != 0);
    // SAFETY: a spread word is the pointer to a `Lanes` box with its low bit set (`spread`);
    // the box is freed only with the block, after its last reference (`Drop`).
    unsafe { &*word.map_addr(|a| a & !SPREAD) }
}

impl Drop for Count {
    fn drop(&mut self) {
        let word = *self.0.get_mut();
        if word.addr() & SPREAD != 0 {
            let ptr = word.map_addr(|a| a & !SPREAD);
            // SAFETY: the lanes box of this count, published once by `spread`; the block's
            // last reference is gone, so nothing reads it any more.
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}

/// Two threads clone `first` at once (so its count spreads), `check` each clone, and send a
/// clone of each to a third thread, which drops them (so references go back to lanes counted
/// on other threads). For the tests of the references counted by a [`Count`].
#[cfg(test)]
pub(super) fn clone_on_threads<R: Clone + Send + Sync>(first: &R, check: impl Fn(&R) + Sync) {
    let rounds = if cfg!(miri) { 20 } else { 20_000 };
    let (tx, rx) = std::sync::mpsc::channel::<R>();
    std::thread::scope(|s| {
        for _ in 0..2 {
            let (tx, check) = (tx.clone(), &check);
            s.spawn(move || {
                for _ in 0..rounds {
                    let c = first.clone();
                    check(&c);
                    tx.send(c.clone()).unwrap();
                }
            });
        }
        drop(tx);
        s.spawn(move || rx.into_iter().for_each(drop));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts made and released on one thread stay one word; the last release is found.
    #[test]
    fn one_thread_never_spreads() {
        let c = Count::one();
        let lanes: Vec<usize> = (0..100).map(|_| c.add()).collect();
        assert!(lanes.iter().all(|&l| l == 0));
        assert!(!c.is_spread());
        assert!(lanes.iter().all(|&l| !c.release(l)));
        assert!(c.release(0));
    }

    /// Spread, references made before and after are each released in their own lane, and
    /// only the very last release says so, whichever order they go in.
    #[test]
    fn a_spread_count_finds_its_last_release() {
        for order in 0..3 {
            let c = Count::one();
            let before: Vec<usize> = (0..3).map(|_| c.add()).collect();
            c.spread();
            assert!(c.is_spread());
            let after: Vec<usize> = (0..4).map(|_| c.add()).collect();
            assert!(after.iter().all(|&l| (1..=LANES).contains(&l)));
            // The maker's reference and three from before (plain), four in a lane.
            let mut all: Vec<usize> = [0].into_iter().chain(before).chain(after).collect();
            match order {
                0 => {}
                1 => all.reverse(),
                _ => all.rotate_left(3),
            }
            let last = all.pop().unwrap();
            assert!(all.into_iter().all(|l| !c.release(l)));
            assert!(c.release(last));
        }
    }

    /// Threads each in their own lane, counting into the same block and releasing what other
    /// threads counted: exactly one release is the last, and it comes after all the others —
    /// spread or not at the start, with the maker's reference let go last or while the
    /// threads still count (then lanes give their holds back as they go idle). Each thread
    /// keeps its own reference until the maker's is gone: a thread descheduled after the start
    /// could otherwise find every other reference released, and its release rightly the last.
    #[test]
    fn threads_sharing_a_count_release_it_once() {
        for spread_first in [false, true] {
            for maker_first in [false, true] {
                threads_share_a_count(3, spread_first, maker_first);
            }
        }
    }

    /// More threads than lanes share lanes: two of them may take one lane's hold at once.
    #[test]
    fn more_threads_than_lanes_release_a_count_once() {
        threads_share_a_count(2 * LANES + 1, false, true);
    }

    fn threads_share_a_count(threads: usize, spread_first: bool, maker_first: bool) {
        let rounds = if cfg!(miri) { 20 } else { 20_000 };
        let c = Count::one();
        if spread_first {
            c.spread();
        }
        let (released, last) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let started = std::sync::Barrier::new(threads + 1);
        // Passed once the maker's reference is let go (when it goes first).
        let maker_gone = std::sync::Barrier::new(threads + 1);
        let (tx, rx) = std::sync::mpsc::channel::<usize>();
        std::thread::scope(|s| {
            for _ in 0..threads {
                let (tx, c, started, maker_gone) = (tx.clone(), &c, &started, &maker_gone);
                s.spawn(move || {
                    // Each thread's own reference, made while the maker's is alive.
                    let own = c.add();
                    started.wait();
                    for _ in 0..rounds {
                        let mine = c.add();
                        let theirs = c.add();
                        tx.send(theirs).unwrap();
                        assert!(!c.release(mine));
                    }
                    maker_gone.wait();
                    tx.send(own).unwrap();
                });
            }
            drop(tx);
            let (c, released, last) = (&c, &released, &last);
            s.spawn(move || {
                for lane in rx {
                    if c.release(lane) {
                        last.fetch_add(1, Ordering::Relaxed);
                    }
                    released.fetch_add(1, Ordering::Relaxed);
                }
            });
            started.wait();
            if maker_first {
                assert!(!c.release(0));
            }
            maker_gone.wait();
        });
        assert_eq!(released.load(Ordering::Relaxed), threads * (rounds + 1));
        if maker_first {
            assert_eq!(last.load(Ordering::Relaxed), 1);
        } else {
            assert_eq!(last.load(Ordering::Relaxed), 0);
            assert!(c.release(0));
        }
    }
}

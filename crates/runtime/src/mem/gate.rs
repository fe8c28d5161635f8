//! [`Gate`]: the accesses in progress through a borrowed loan (`with_buffer`), and its end.
//!
//! A borrowed loan's bytes are the caller's only until its scope ends, so ending it must refuse
//! new accesses and wait for those in progress. Accesses never block (an access nested in
//! another on the same thread — `memmove(c, c, n)` on one loan — cannot deadlock against an
//! end on another thread, as a read lock taken twice would behind a waiting writer): each counts
//! itself in and out. The count is one word while one thread at a time uses it; the first
//! compare-and-swap that loses to another thread spreads it over per-thread lanes on cache lines
//! of their own (as [`Count`](super::count) does), so that threads reading one borrowed buffer
//! do not take turns on one line. Gates of different loans never wait for each other: an access
//! may run a `gc` destructor (a kept owner let go) that opens and ends a loan of its own.
//!
//! # Safety
//!
//! The word holds, unspread, the accesses counted in it (in [`ONE`]s) and the [`CLOSED`] flag,
//! without provenance; spread, the address of its [`Lanes`] box with the [`SPREAD`] bit. It
//! spreads only while open, by a compare-and-swap from the exact unspread word, whose count
//! moves to the box's `central` counter (accesses counted in the word count themselves out
//! there once it spread); a spread word never changes again, and the box is freed with the
//! gate (by then no access is in progress: each holds the loan alive). Closing an unspread word
//! sets [`CLOSED`] by compare-and-swap, after which no access counts itself in and the word
//! never spreads; closing a spread one sets the box's flag. An access in a lane counts itself
//! in and then reads the flag; `close` sets the flag and then reads each lane: all `SeqCst`
//! (Dekker's pattern), so of the two at least one sees the other — the access backs out, or
//! `close` waits for it. `close` returns once it has seen every counter at zero after closing,
//! so every access's use of the bytes happens before it returns.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering::SeqCst};

use super::count::{self, LANES, Line};

/// The unspread word's flag: the gate was closed.
const CLOSED: usize = 2;
/// The word's low bit, set when it points to [`Lanes`].
const SPREAD: usize = 1;
/// One access in the unspread word (above its two flags).
const ONE: usize = 4;

/// The counters of a spread gate.
struct Lanes {
    /// 1 once closed.
    closed: Line,
    /// The accesses that were counted in the word when it spread, until they end.
    central: Line,
    /// Each thread lane's accesses (lane 0 unused: 1 to [`LANES`], `count::this_lane`).
    lanes: [Line; LANES + 1],
}

/// The accesses in progress through a borrowed loan, and whether it ended. See the module docs.
pub(super) struct Gate(AtomicPtr<Lanes>);

/// Where an access was counted in: 0 in the word (or, once spread, in `central`), else the
/// lane. Its exit names it.
#[derive(Copy, Clone)]
pub(super) struct Entry(usize);

impl Gate {
    /// An open gate, no access in progress.
    pub(super) const fn new() -> Gate {
        Gate(AtomicPtr::new(std::ptr::null_mut()))
    }

    /// Whether the gate was closed.
    pub(super) fn is_closed(&self) -> bool {
        let word = self.0.load(SeqCst);
        match lanes_of(word) {
            Some(lanes) => lanes.closed.0.load(SeqCst) != 0,
            None => word.addr() & CLOSED != 0,
        }
    }

    /// Counts an access in; `None` when the gate is closed.
    #[inline]
    pub(super) fn enter(&self) -> Option<Entry> {
        let mut word = self.0.load(SeqCst);
        loop {
            if let Some(lanes) = lanes_of(word) {
                let lane = count::this_lane();
                let at = &lanes.lanes[lane].0;
                at.fetch_add(1, SeqCst);
                if lanes.closed.0.load(SeqCst) != 0 {
                    at.fetch_sub(1, SeqCst);
                    return None;
                }
                return Some(Entry(lane));
            }
            if word.addr() & CLOSED != 0 {
                return None;
            }
            match self
                .0
                .compare_exchange(word, word.map_addr(|a| a + ONE), SeqCst, SeqCst)
            {
                Ok(_) => return Some(Entry(0)),
                // Another thread counted at the same moment: spread.
                Err(now) => word = self.spread(now),
            }
        }
    }

    /// Counts the access `entry` out.
    #[inline]
    pub(super) fn exit(&self, entry: Entry) {
        let mut word = self.0.load(SeqCst);
        loop {
            if let Some(lanes) = lanes_of(word) {
                let at = match entry.0 {
                    0 => &lanes.central,
                    lane => &lanes.lanes[lane],
                };
                at.0.fetch_sub(1, SeqCst);
                return;
            }
            debug_assert!(entry.0 == 0 && word.addr() >= ONE);
            match self
                .0
                .compare_exchange(word, word.map_addr(|a| a - ONE), SeqCst, SeqCst)
            {
                Ok(_) => return,
                Err(now) => word = now,
            }
        }
    }

    /// Closes the gate: later accesses are refused; returns once none is in progress.
    pub(super) fn close(&self) {
        let mut word = self.0.load(SeqCst);
        loop {
            if let Some(lanes) = lanes_of(word) {
                lanes.closed.0.store(1, SeqCst);
                wait_for_zero(&lanes.central.0);
                lanes.lanes.iter().for_each(|l| wait_for_zero(&l.0));
                return;
            }
            match self
                .0
                .compare_exchange(word, word.map_addr(|a| a | CLOSED), SeqCst, SeqCst)
            {
                Ok(_) => break,
                Err(now) => word = now,
            }
        }
        // Closed unspread: it never spreads now, and only exits change its count.
        let mut spins = 0u32;
        while self.0.load(SeqCst).addr() >= ONE {
            backoff(&mut spins);
        }
    }

    /// Spreads the unspread open `word` (or returns the word as it is now, spread or closed).
    #[cold]
    fn spread(&self, mut word: *mut Lanes) -> *mut Lanes {
        if word.addr() & (SPREAD | CLOSED) != 0 {
            return word;
        }
        let fresh = Box::into_raw(Box::new(Lanes {
            closed: Line(AtomicUsize::new(0)),
            central: Line(AtomicUsize::new(0)),
            lanes: std::array::from_fn(|_| Line(AtomicUsize::new(0))),
        }));
        loop {
            if word.addr() & (SPREAD | CLOSED) != 0 {
                // SAFETY: `fresh` came from `Box::into_raw` above and was never published.
                drop(unsafe { Box::from_raw(fresh) });
                return word;
            }
            // SAFETY: `fresh` is a live box no other thread has seen yet.
            unsafe { (*fresh).central.0.store(word.addr() / ONE, SeqCst) };
            let spread = fresh.map_addr(|a| a | SPREAD);
            match self.0.compare_exchange(word, spread, SeqCst, SeqCst) {
                Ok(_) => return spread,
                Err(now) => word = now,
            }
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let word = *self.0.get_mut();
        if word.addr() & SPREAD != 0 {
            // SAFETY: the box this gate's `spread` published, once; the gate is going, so no
            // access reads it any more.
            drop(unsafe { Box::from_raw(word.map_addr(|a| a & !SPREAD)) });
        }
    }
}

/// The lanes a spread word points to; `None` for an unspread one.
#[inline(always)]
fn lanes_of<'a>(word: *mut Lanes) -> Option<&'a Lanes> {
    if word.addr() & SPREAD == 0 {
        return None;
    }
    let ptr = NonNull::new(word.map_addr(|a| a & !SPREAD))?;
    // SAFETY: a spread word is the address of the gate's live `Lanes` box with its low bit set;
    // the box lives as long as the gate, which the caller borrows.
    Some(unsafe { ptr.as_ref() })
}

/// Waits until `counter` reads zero.
fn wait_for_zero(counter: &AtomicUsize) {
    let mut spins = 0u32;
    while counter.load(SeqCst) != 0 {
        backoff(&mut spins);
    }
}

/// Spins a little, then yields: accesses are short (one read, write or copy), unless their
/// thread is preempted.
fn backoff(spins: &mut u32) {
    if *spins < 64 {
        std::hint::spin_loop();
        *spins += 1;
    } else {
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn one_thread_counts_in_the_word_and_closing_refuses_more() {
        let gate = Gate::new();
        let a = gate.enter().unwrap();
        let b = gate.enter().unwrap();
        gate.exit(b);
        gate.exit(a);
        assert!(!gate.is_closed());
        assert_eq!(
            gate.0.load(SeqCst).addr(),
            0,
            "never spread, none in progress"
        );
        gate.close();
        assert!(gate.is_closed());
        assert!(gate.enter().is_none());
    }

    /// Two threads enter and exit at once (the word spreads), a third closes the gate while
    /// they do: after `close` returns no access is in progress, and every later one is refused.
    #[test]
    fn close_waits_for_accesses_in_progress_spread_or_not() {
        let rounds = if cfg!(miri) { 20 } else { 20_000 };
        for _ in 0..if cfg!(miri) { 2 } else { 20 } {
            let gate = Gate::new();
            let inside = AtomicUsize::new(0);
            let closed = AtomicBool::new(false);
            let start = Barrier::new(3);
            std::thread::scope(|s| {
                for _ in 0..2 {
                    s.spawn(|| {
                        start.wait();
                        for _ in 0..rounds {
                            let Some(e) = gate.enter() else {
                                assert!(gate.is_closed());
                                continue;
                            };
                            // An access admitted is never one that began after the close.
                            assert!(!closed.load(SeqCst), "an access after close returned");
                            inside.fetch_add(1, SeqCst);
                            inside.fetch_sub(1, SeqCst);
                            gate.exit(e);
                        }
                    });
                }
                start.wait();
                for _ in 0..rounds / 4 {
                    std::hint::spin_loop();
                }
                gate.close();
                assert_eq!(inside.load(SeqCst), 0, "an access still in progress");
                closed.store(true, SeqCst);
            });
            assert!(gate.enter().is_none());
        }
    }

    /// Accesses counted in the word before it spread count themselves out of `central`.
    #[test]
    fn accesses_from_before_the_spread_end_in_the_centre() {
        let gate = Gate::new();
        let before = gate.enter().unwrap();
        // Spread as a lost compare-and-swap would.
        let word = gate.spread(gate.0.load(SeqCst));
        let lanes = lanes_of(word).expect("spread");
        assert_eq!(lanes.central.0.load(SeqCst), 1);
        let after = gate.enter().unwrap();
        assert!(after.0 >= 1, "counted in a lane");
        gate.exit(before);
        assert_eq!(lanes.central.0.load(SeqCst), 0);
        gate.exit(after);
        gate.close();
        assert!(gate.enter().is_none() && gate.is_closed());
    }
}

//! The tests of `types::refs`: counts, spares, slots and threads.

use super::*;

fn count(ffi: &Ffi) -> usize {
    ffi.inner.holds.lock().count
}

#[test]
fn a_universe_lives_while_held_and_is_freed_after() {
    let ffi = Ffi::default();
    let weak = Arc::downgrade(&ffi.inner);
    let held: Vec<Held> = (0..300).map(|_| Held::new(&ffi)).collect();
    // 300 taken in batches of 64: the count covers them and the thread's spares.
    assert_eq!(count(&ffi), 320);
    drop(ffi);
    assert!(weak.upgrade().is_some(), "cdata keep the universe alive");
    assert_eq!(held[7].sizeof("int").unwrap(), 4);
    drop(held);
    assert!(weak.upgrade().is_none(), "freed with its last cdata");
}

/// A cdata's type holds its universe as a `Held` does: the universe lives while one is
/// held, reads its `Ffi` through the type, and is freed with the last one; a type of
/// another universe is refused.
#[test]
fn a_held_type_keeps_its_universe_and_reads_it_through_the_type() {
    let ffi = Ffi::default();
    let weak = Arc::downgrade(&ffi.inner);
    let int = ffi.parse("int").unwrap();
    let ptr = ffi.parse("int *").unwrap();
    let held: Vec<HeldType> = (0..100).map(|_| HeldType::new(&ffi, int)).collect();
    let moved = held[0].clone().retyped(ptr);
    drop(ffi);
    assert!(
        weak.upgrade().is_some(),
        "held types keep the universe alive"
    );
    assert_eq!(&*moved.info().name, "int *");
    assert_eq!(moved.uni().sizeof("long").unwrap(), 8);
    assert!(std::ptr::eq(
        Arc::as_ptr(&held[7].uni().inner),
        Arc::as_ptr(&moved.uni().inner)
    ));
    drop(held);
    assert!(weak.upgrade().is_some());
    drop(moved);
    assert!(weak.upgrade().is_none(), "freed with its last held type");
    let (a, b) = (Ffi::default(), Ffi::default());
    let t = b.parse("int").unwrap();
    let refused = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| HeldType::new(&a, t)));
    assert!(refused.is_err(), "a type of another ffi object");
}

#[test]
fn spares_go_back_when_the_last_handle_is_dropped() {
    let ffi = Ffi::default();
    let weak = Arc::downgrade(&ffi.inner);
    drop(Held::new(&ffi)); // parks spares in this thread's pool
    assert_eq!(count(&ffi), BATCH);
    drop(ffi);
    assert!(weak.upgrade().is_none());
}

/// The spares of `ffi`'s universe parked in this thread's pool.
fn parked(ffi: &Ffi) -> usize {
    let p = Arc::as_ptr(&ffi.inner);
    POOL.with(|pool| {
        pool.slots
            .iter()
            .filter(|s| s.uni.get() == p)
            .map(|s| s.spare.get())
            .sum()
    })
}

/// Twice as many universes as slots, each held once: every universe counts what is held
/// and what this thread parks of it, whether it kept a slot or another took it over; the
/// first keeps slot 0; no more universes park spares than there are slots; after the
/// drops, each counts only what is parked.
#[test]
fn universes_past_the_slots_count_what_is_held_and_parked() {
    let ffis: Vec<Ffi> = (0..2 * SLOTS).map(|_| Ffi::default()).collect();
    let held: Vec<Held> = ffis.iter().map(Held::new).collect();
    for f in &ffis {
        assert_eq!(count(f), 1 + parked(f));
    }
    assert_eq!(parked(&ffis[0]), BATCH - 1, "the first keeps slot 0");
    let parking = ffis.iter().filter(|f| parked(f) > 0).count();
    assert!(
        parking <= SLOTS && parking > SLOTS / 2,
        "{parking} universes park spares"
    );
    drop(held);
    for f in &ffis {
        assert_eq!(count(f), parked(f));
    }
}

/// Universes used in turn whose slots do not collide keep their spares: after the first
/// batch each, making and dropping references takes none from any universe. (24 of them,
/// more than the 16 slots scanned before; chosen so that no two share a hashed slot: two
/// that did would take slots over from each other, which costs a batch from each
/// universe's lock, never a wrong count.)
#[test]
fn universes_in_turn_take_no_more_batches() {
    let mut taken = std::collections::HashSet::new();
    let (mut ffis, mut others) = (Vec::new(), Vec::new());
    while ffis.len() < 24 {
        let f = Ffi::default();
        let w = ways(Arc::as_ptr(&f.inner));
        if w.iter().all(|w| !taken.contains(w)) {
            taken.extend(w);
            ffis.push(f);
        } else {
            // Kept, so that the next one is at another address.
            others.push(f);
        }
    }
    let first: Vec<usize> = ffis
        .iter()
        .map(|f| {
            drop(Held::new(f));
            count(f)
        })
        .collect();
    for _ in 0..1000 {
        for f in &ffis {
            drop(Held::new(f));
        }
    }
    let after: Vec<usize> = ffis.iter().map(count).collect();
    assert_eq!(first, after, "no batch taken or given back");
}

/// A universe whose spares are in a hashed slot becomes the recent one when it is used,
/// and references to it and to slot 0's universe, made and dropped in turn, take no batch
/// and give none back.
#[test]
fn the_recent_slot_is_a_hashed_universes_own() {
    let (a, b) = (Ffi::default(), Ffi::default());
    drop(Held::new(&a));
    drop(Held::new(&b));
    let p = Arc::as_ptr(&b.inner);
    let w = POOL.with(|pool| usize::from(pool.recent.get()));
    assert!(ways(p).contains(&w), "slot {w} is not one of b's");
    assert_eq!(POOL.with(|pool| pool.slots[w].uni.get()), p);
    assert_eq!(
        POOL.with(|pool| pool.slots[0].uni.get()),
        Arc::as_ptr(&a.inner)
    );
    let counts = (count(&a), count(&b));
    for _ in 0..1000 {
        let h = Held::new(&b);
        drop(Held::new(&a));
        drop(h);
        drop(HeldType::new(&b, b.parse("int").unwrap()));
    }
    assert_eq!(
        (count(&a), count(&b)),
        counts,
        "no batch taken or given back"
    );
    assert_eq!((parked(&a), parked(&b)), (BATCH, BATCH));
}

#[test]
fn threads_share_two_universes_and_both_are_freed_after() {
    let (a, b) = (Ffi::default(), Ffi::default());
    let weak = [Arc::downgrade(&a.inner), Arc::downgrade(&b.inner)];
    let seeds = [Held::new(&a), Held::new(&b)];
    drop((a, b)); // from here on only cdata hold them
    // Joined one by one: a scope's end does not wait for its threads' thread-local
    // destructors (their pools), a join does.
    std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let seeds = &seeds;
                s.spawn(move || {
                    let mut kept = Vec::new();
                    let rounds = if cfg!(miri) { 300 } else { 20_000 };
                    for i in 0..rounds {
                        let h = seeds[(i + t) % 2].clone();
                        if i % 7 == 0 {
                            kept.push(h);
                        }
                    }
                    assert_eq!(kept[3].sizeof("long").unwrap(), 8);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    });
    assert!(weak.iter().all(|w| w.upgrade().is_some()));
    drop(seeds);
    assert!(weak.iter().all(|w| w.upgrade().is_none()));
}

/// A thread that only lets go of references it was sent parks them as spares (its pool
/// takes no batch first); they go back to the universe when it exits.
#[test]
fn a_thread_that_only_drops_references_gives_its_spares_back_at_exit() {
    let ffi = Ffi::default();
    let held: Vec<Held> = (0..10).map(|_| Held::new(&ffi)).collect();
    let before = count(&ffi);
    let parked_there = std::thread::scope(|s| {
        let ffi = &ffi;
        s.spawn(move || {
            drop(held);
            parked(ffi)
        })
        .join()
        .unwrap()
    });
    assert_eq!(parked_there, 10, "parked while the ffi object has handles");
    assert_eq!(
        count(&ffi),
        before - 10,
        "the exiting thread gave its spares back"
    );
}

thread_local! {
    /// A reference a thread keeps until it exits, for the test below.
    static KEPT: std::cell::RefCell<Option<Held>> = const { std::cell::RefCell::new(None) };
}

/// References made and let go of after the thread's pool was drained (by another
/// thread-local's destructor that runs later) are counted one by one: the universe is
/// freed after.
#[test]
fn references_after_the_pool_is_drained_are_counted_alone() {
    struct Late;
    impl Drop for Late {
        fn drop(&mut self) {
            let kept = KEPT.try_with(|k| k.borrow_mut().take()).ok().flatten();
            if let Some(h) = kept {
                let more: Vec<Held> = (0..100).map(|_| h.clone()).collect();
                assert_eq!(more[99].sizeof("int").unwrap(), 4);
            }
        }
    }
    thread_local! {
        static LATE: Late = const { Late };
    }
    let ffi = Ffi::default();
    let weak = Arc::downgrade(&ffi.inner);
    std::thread::scope(|s| {
        s.spawn(|| {
            // Registered before the pool's guard: destroyed after it (in reverse order of
            // registration) — or before, which tests the pool's ordinary exit.
            LATE.with(|_| ());
            KEPT.with(|k| *k.borrow_mut() = Some(Held::new(&ffi)));
        })
        .join()
        .unwrap();
    });
    drop(ffi);
    assert!(
        weak.upgrade().is_none(),
        "freed after the thread's late references"
    );
}

#[test]
fn references_cross_threads() {
    let ffi = Ffi::default();
    let weak = Arc::downgrade(&ffi.inner);
    let held: Vec<Held> = (0..1000).map(|_| Held::new(&ffi)).collect();
    let t = std::thread::spawn(move || {
        let copies: Vec<Held> = held.iter().map(Held::clone).collect();
        drop(held);
        copies
    });
    let copies = t.join().unwrap();
    drop(ffi);
    drop(copies);
    assert!(weak.upgrade().is_none());
}

//! Eight threads creating, filling and reading cdata concurrently through one `Ffi`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use rcffi::{Value, map};

use crate::*;

#[test]
fn eight_threads_share_one_ffi() {
    let ffi = ffi_with(
        "struct pt { int x, y; double w; char name[8]; }; struct bag { int n; struct pt *items[8]; };",
    );
    let bag = ffi.new("struct bag *", ()).unwrap();
    let barrier = Barrier::new(8);
    let rounds = if cfg!(miri) { 10 } else { 1000 };
    std::thread::scope(|s| {
        for t in 0..8i64 {
            let (ffi, bag, barrier) = (&ffi, &bag, &barrier);
            s.spawn(move || {
                barrier.wait();
                for round in 0..rounds {
                    // New type strings are parsed and cached concurrently.
                    let arr = ffi.new(&format!("struct pt[{}]", 1 + (t + round) % 5), ()).unwrap();
                    let n = arr.len().unwrap() as isize;
                    for i in 0..n {
                        let name = format!("t{t}r{}", round % 100);
                        let v = map! {"x" => t, "y" => round, "w" => i as f64 * 0.5, "name" => name.as_str()};
                        arr.set(i, v).unwrap();
                    }
                    for i in 0..n {
                        let p = cd(arr.get(i).unwrap());
                        assert_eq!(p.field("x").unwrap(), t.into());
                        assert_eq!(p.field("y").unwrap(), round.into());
                        assert_eq!(p.field("w").unwrap(), Value::Float(i as f64 * 0.5));
                    }
                    // Publish one item into shared memory; other threads read what is there.
                    let mine = ffi.new("struct pt *", map! {"x" => t, "y" => round}).unwrap();
                    bag.field("items").unwrap().cdata().unwrap().set(t as isize, &mine).unwrap();
                    drop(mine);
                    let slot = cd(cd(bag.field("items").unwrap()).get(((t + 1) % 8) as isize).unwrap());
                    if !slot.is_null() {
                        let x = slot.field("x").unwrap().to_int().unwrap();
                        assert_eq!(x, i128::from((t + 1) % 8));
                    }
                    assert!(ffi.sizeof("struct pt").unwrap() == 24);
                }
            });
        }
    });
    for t in 0..8 {
        let p = cd(cd(bag.field("items").unwrap()).get(t).unwrap());
        assert_eq!(p.field("x").unwrap(), (t as i64).into());
        assert_eq!(p.field("y").unwrap(), (rounds - 1).into());
    }
}

/// Four threads store, read back and overwrite owned strings in one shared array of 64 slots
/// — more owners than a keep set lists, so its index by address is shared — each thread in its
/// own slots, reading its neighbours' too: every string read is whole and alive.
#[test]
fn four_threads_keep_many_strings_in_one_array() {
    let ffi = rcffi::Ffi::default();
    let arr = ffi.new("char *[64]", ()).unwrap();
    let rounds = if cfg!(miri) { 2 } else { 300 };
    std::thread::scope(|s| {
        for t in 0..4usize {
            let (ffi, arr) = (&ffi, &arr);
            s.spawn(move || {
                for round in 0..rounds {
                    for k in 0..16 {
                        let i = (k * 4 + t) as isize;
                        let text = format!("t{t} r{round} k{k}");
                        let st = ffi.new("char[]", text.as_str()).unwrap();
                        arr.set(i, &st).unwrap();
                        drop(st);
                        let mine = cd(arr.get(i).unwrap());
                        assert_eq!(ffi.string(&mine, None).unwrap(), text.as_bytes().into());
                        let theirs = cd(arr.get((i + 1) % 64).unwrap());
                        if !theirs.is_null() {
                            let Value::Bytes(b) = ffi.string(&theirs, None).unwrap() else {
                                panic!("a char string reads as bytes");
                            };
                            assert!(b.starts_with(b"t") && b.contains(&b'k'), "{b:?}");
                        }
                    }
                    if round % 3 == 0 {
                        for k in 0..16 {
                            arr.set((k * 4 + t) as isize, ffi.null()).unwrap();
                        }
                    }
                }
            });
        }
    });
    for i in 0..64 {
        let p = cd(arr.get(i).unwrap());
        assert!(!p.is_null());
    }
}

/// Two threads making and dropping pointers into one array at once (its reference count
/// spreads over their lanes), its first owner let go while they still hold views: the memory
/// goes back once, after the last view, and every view reads what the threads wrote.
#[test]
fn threads_deriving_pointers_from_one_array_free_it_once_after_the_last() {
    let ffi = rcffi::Ffi::default();
    let freed = Arc::new(AtomicUsize::new(0));
    let (pool, seen) = (ffi.clone(), freed.clone());
    // SAFETY: each block is an rcffi array of the size asked, kept alive by the pointer
    // handed out (a cast keeps its source), which the allocator holds until it frees.
    let alloc = unsafe {
        ffi.new_allocator(
            move |n| pool.cast("char *", &pool.new("char[]", n as i64)?),
            Some(move |_| {
                seen.fetch_add(1, Ordering::Relaxed);
            }),
            true,
        )
    };
    two_threads_derive_from(alloc.new("int[16]", ()).unwrap(), &freed);
}

/// As above, for a `gc`'d array (its owner is the `gc`'s, not the memory's): its destructor
/// runs once, after the last view.
#[test]
fn threads_deriving_pointers_from_a_gcd_array_run_its_destructor_once_after_the_last() {
    let ffi = rcffi::Ffi::default();
    let ran = Arc::new(AtomicUsize::new(0));
    let seen = ran.clone();
    let arr = ffi.gc(&ffi.new("int[16]", ()).unwrap(), move |_| {
        seen.fetch_add(1, Ordering::Relaxed);
    });
    two_threads_derive_from(arr, &ran);
}

/// Two threads make and drop pointers into the 16 ints of `arr` at once, each in its half,
/// and let go of the views they started with halfway; `arr` itself is dropped while they run.
/// `released` (what the memory's release counts) stays 0 until both are done, then is 1.
/// The threads keep their last views until `arr` is gone: one descheduled after the start
/// could otherwise find both threads done, and the drop of `arr` rightly the release.
fn two_threads_derive_from(arr: rcffi::CData, released: &AtomicUsize) {
    let rounds = if cfg!(miri) { 20 } else { 50_000 };
    let (started, arr_gone) = (Barrier::new(3), Barrier::new(3));
    std::thread::scope(|s| {
        for t in 0..2isize {
            let (mut own, started, arr_gone) = (arr.offset(8 * t).unwrap(), &started, &arr_gone);
            s.spawn(move || {
                started.wait();
                for round in 0..rounds {
                    let k = round % 8;
                    own.offset(k)
                        .unwrap()
                        .set(0, (t * 1000 + k) as i32)
                        .unwrap();
                    let view = own.slice(k, k + 1).unwrap();
                    assert_eq!(view.get(0).unwrap(), Value::from((t * 1000 + k) as i32));
                    if round == rounds / 2 {
                        // The views made before the threads met are let go of, one by one.
                        own = own.offset(0).unwrap();
                    }
                }
                arr_gone.wait();
                drop(own);
            });
        }
        started.wait();
        drop(arr);
        assert_eq!(
            released.load(Ordering::Relaxed),
            0,
            "released while views are alive"
        );
        arr_gone.wait();
    });
    assert_eq!(released.load(Ordering::Relaxed), 1);
}

/// A `from_buffer` cdata read by two threads while a third releases it: each read gives the
/// value or the "released" error, never anything else, and every read after the release is
/// refused (owned bytes are not counted in and out per access, so nothing waits for the
/// readers; the bytes stay until the last view goes).
#[test]
fn a_buffer_released_while_threads_read_it_refuses_later_reads() {
    let ffi = rcffi::Ffi::default();
    let bytes: Vec<u8> = (0..16i32).flat_map(|i| (i * 3).to_ne_bytes()).collect();
    let lent = ffi.from_buffer("int[]", bytes).unwrap();
    let rounds = if cfg!(miri) { 20 } else { 20_000 };
    let started = Barrier::new(3);
    std::thread::scope(|s| {
        for t in 0..2isize {
            let (lent, started) = (&lent, &started);
            s.spawn(move || {
                started.wait();
                for round in 0..rounds {
                    let k = (round + t) % 16;
                    match lent.get(k) {
                        Ok(v) => assert_eq!(v, Value::from(k as i32 * 3)),
                        Err(e) => assert!(e.to_string().contains("released"), "{e}"),
                    }
                }
            });
        }
        started.wait();
        ffi.release(&lent).unwrap();
    });
    assert!(lent.get(0).unwrap_err().to_string().contains("released"));
}

/// Two threads take one handle's value — from the handle and from its bare address, as a
/// callback's user data arrives — while a third makes and lets go of other handles (the
/// table's writers): each finds the live value; a handle let go is found by no one; the value
/// is dropped once, when the handle and the last value taken are gone.
#[test]
fn threads_take_a_handles_value_while_others_come_and_go() {
    struct Counted(Arc<AtomicUsize>, u64);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let ffi = rcffi::Ffi::default();
    let drops = Arc::new(AtomicUsize::new(0));
    let handle = ffi.new_handle(Counted(drops.clone(), 42));
    let raw = ffi.cast("void *", handle.address() as u64).unwrap();
    let rounds = if cfg!(miri) { 10 } else { 20_000 };
    let kept = std::thread::scope(|s| {
        let readers: Vec<_> = (0..2)
            .map(|t| {
                let (ffi, handle, raw) = (&ffi, &handle, &raw);
                s.spawn(move || {
                    let mut last = None;
                    for _ in 0..rounds {
                        let v = ffi
                            .from_handle::<Counted>(if t == 0 { handle } else { raw })
                            .unwrap();
                        assert_eq!(v.1, 42);
                        last = Some(v);
                    }
                    last
                })
            })
            .collect();
        s.spawn(|| {
            for i in 0..rounds / 10 {
                let other = ffi.new_handle(i);
                let at = ffi.cast("void *", other.address() as u64).unwrap();
                assert_eq!(*ffi.from_handle::<usize>(&at).unwrap(), i);
                drop(other);
                err_has(
                    ffi.from_handle::<usize>(&at),
                    is_runtime,
                    "not a live handle",
                );
            }
        });
        readers
            .into_iter()
            .map(|r| r.join().unwrap().unwrap())
            .collect::<Vec<_>>()
    });
    drop(handle);
    assert!(ffi.from_handle::<Counted>(&raw).is_err());
    assert_eq!(drops.load(Ordering::SeqCst), 0, "the values taken keep it");
    drop(kept);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

/// Two threads read borrowed bytes (`with_buffer`) through clones of its cdata while the scope
/// that lent them ends: each read gives the value or the "released" error; once the scope has
/// returned no read succeeds (its end waited for the reads in progress, counted in the loan's
/// lanes once both threads read at once), and the bytes are the caller's again.
#[test]
fn borrowed_bytes_read_by_threads_while_their_scope_ends() {
    let ffi = rcffi::Ffi::default();
    // 64 bytes aligned for `int` inside a longer buffer (a byte array need not be).
    let mut buffer = [0u8; 64 + 3];
    let at = buffer.as_ptr().align_offset(4);
    let bytes = &mut buffer[at..at + 64];
    for (i, b) in bytes.chunks_mut(4).enumerate() {
        b.copy_from_slice(&(i as i32 * 5).to_ne_bytes());
    }
    let rounds = if cfg!(miri) { 20 } else { 20_000 };
    let ended = std::sync::atomic::AtomicBool::new(false);
    let started = Barrier::new(3);
    std::thread::scope(|s| {
        let views = ffi
            .with_buffer("int[]", &mut *bytes, |lent| {
                let views: Vec<_> = (0..2isize)
                    .map(|t| {
                        let (lent, started, ended) = (lent.clone(), &started, &ended);
                        s.spawn(move || {
                            started.wait();
                            let mut refused = 0;
                            for round in 0..rounds {
                                let k = (round + t) % 16;
                                // A read that begins after the scope returned is refused.
                                let after_end = ended.load(Ordering::SeqCst);
                                match lent.get(k) {
                                    Ok(v) => {
                                        assert_eq!(v, Value::from(k as i32 * 5));
                                        assert!(!after_end, "a read after the end");
                                    }
                                    Err(e) => {
                                        assert!(e.to_string().contains("released"), "{e}");
                                        refused += 1;
                                    }
                                }
                            }
                            (lent, refused)
                        })
                    })
                    .collect();
                started.wait();
                views
            })
            .unwrap();
        ended.store(true, Ordering::SeqCst);
        for v in views {
            let (lent, _) = v.join().unwrap();
            assert!(lent.get(0).unwrap_err().to_string().contains("released"));
        }
    });
    bytes[0] = 9; // the caller's again
    assert_eq!(bytes[0], 9);
}

/// Small cdata (compact blocks of 16 and 32 bytes, from per-thread lists) made on two threads and
/// dropped on a third, which also makes its own: each reads what its maker wrote until it is
/// dropped, however the blocks move between the threads' lists.
#[test]
fn small_cdata_made_on_some_threads_and_dropped_on_another_stay_their_own() {
    let ffi = rcffi::Ffi::default();
    let n = if cfg!(miri) { 300 } else { 20_000 };
    let (tx, rx) = std::sync::mpsc::sync_channel::<(i64, rcffi::CData)>(1024);
    std::thread::scope(|s| {
        for t in 0..2i64 {
            let (ffi, tx) = (&ffi, tx.clone());
            s.spawn(move || {
                for i in 0..n {
                    let v = t << 40 | i;
                    let p = ffi.new("long *", v).unwrap();
                    tx.send((v, p)).unwrap();
                }
            });
        }
        drop(tx);
        let ffi = &ffi;
        s.spawn(move || {
            let mut own = Vec::new();
            for (k, (v, p)) in rx.into_iter().enumerate() {
                assert_eq!(p.get(0).unwrap(), Value::from(v));
                drop(p);
                let q = ffi.new("short *", k as i16).unwrap();
                own.push((k as i16, q));
                if own.len() > 100 {
                    for (k, q) in own.drain(..) {
                        assert_eq!(q.get(0).unwrap(), Value::from(k));
                    }
                }
            }
        });
    });
}

/// Cdata that a thread-local holds are dropped, and new ones made, in its destructor at the
/// thread's exit — after the thread's own lists of small blocks went to the process's pool
/// (the thread-local is made before the thread's first cdata, so its destructor runs after
/// theirs): each reads what was written into it, and the blocks freed then are whole blocks
/// that later cdata get, one each.
#[test]
fn cdata_dropped_by_a_thread_local_at_thread_exit_stay_whole() {
    use std::cell::RefCell;
    struct Held(RefCell<Vec<(i64, rcffi::CData)>>);
    impl Drop for Held {
        fn drop(&mut self) {
            for (v, p) in self.0.borrow_mut().drain(..) {
                assert_eq!(p.get(0).unwrap(), Value::from(v));
                let ffi = p.ffi().clone();
                drop(p);
                // Made and dropped after the thread's lists are gone.
                let q = ffi.new("long[5]", rcffi::list![v, v, v, v, v]).unwrap();
                assert_eq!(q.get(4).unwrap(), Value::from(v));
            }
        }
    }
    thread_local! {
        static HELD: Held = const { Held(RefCell::new(Vec::new())) };
    }
    let ffi = rcffi::Ffi::default();
    let n = if cfg!(miri) { 20 } else { 2_000 };
    for t in 0..4i64 {
        let ffi = ffi.clone();
        std::thread::spawn(move || {
            // The thread-local first: its destructor runs after the slab's.
            HELD.with(|_| ());
            for i in 0..n {
                let v = t << 40 | i;
                let ty = ["long *", "long[3]", "long[5]"][i as usize % 3];
                let p = ffi.new(ty, ()).unwrap();
                p.set(0, v).unwrap();
                HELD.with(|h| h.0.borrow_mut().push((v, p)));
            }
        })
        .join()
        .unwrap();
    }
    // Blocks of every size the threads gave back, taken again: each distinct, each whole.
    let made: Vec<(i64, rcffi::CData)> = (0..3 * n)
        .map(|i| {
            let ty = ["long *", "long[3]", "long[5]"][i as usize % 3];
            let init = if i % 3 == 0 {
                Value::from(i)
            } else {
                rcffi::list![i]
            };
            (i, ffi.new(ty, init).unwrap())
        })
        .collect();
    for (i, p) in &made {
        assert_eq!(p.get(0).unwrap(), Value::from(*i));
    }
}

//! Eight threads calling the same functions through one `Ffi` and one library at once, each
//! seeing its own errno; two threads deriving pointers from one of the library's globals.

use std::sync::Barrier;

use super::fixture;

#[test]
fn eight_threads_call_concurrently_each_with_its_own_errno() {
    let (ffi, lib) = fixture();
    let add = lib.function("add").unwrap();
    let barrier = Barrier::new(8);
    std::thread::scope(|s| {
        for t in 0..8i32 {
            let (ffi, lib, add, barrier) = (&ffi, &lib, &add, &barrier);
            s.spawn(move || {
                barrier.wait();
                for round in 0..2000i32 {
                    let code = 1000 * (t + 1) + round;
                    // SAFETY: the fixture's functions, called as declared.
                    unsafe {
                        lib.call("set_errno", (code,)).unwrap();
                        assert_eq!(ffi.errno(), code, "thread {t}");
                        assert_eq!(add.call((t, round)).unwrap(), (t + round).into());
                        // errno was saved after set_errno and restored before get_errno,
                        // whatever the other threads did meanwhile.
                        assert_eq!(lib.call("get_errno", ()).unwrap(), code.into());
                        let p = lib.call("mid", (vec![t, 0], vec![t + 2, 2])).unwrap();
                        assert_eq!(p.cdata().unwrap().field("x").unwrap(), (t + 1).into());
                    }
                }
            });
        }
    });
    // A new thread starts with errno 0.
    std::thread::spawn(move || assert_eq!(ffi.errno(), 0))
        .join()
        .unwrap();
}

/// Two threads making and dropping pointers into a library's global array at once (its
/// owner's count spreads over their lanes) while the main thread lets go of the array, the
/// library and the `Ffi`: the views keep the library loaded, and every read stays in bounds.
/// (Other tests write `my_array`, so the values are not asserted.)
#[test]
fn threads_deriving_pointers_from_a_global_keep_its_library_loaded() {
    let (ffi, lib) = fixture();
    let global = lib.get("my_array").unwrap().cdata().unwrap();
    let started = Barrier::new(3);
    std::thread::scope(|s| {
        for t in 0..2isize {
            let (own, started) = (global.offset(t).unwrap(), &started);
            s.spawn(move || {
                started.wait();
                for round in 0..20_000isize {
                    let k = round % 5;
                    let p = own.offset(k).unwrap();
                    p.get(0).unwrap().to_int().unwrap();
                    assert!(
                        own.offset(7 - t).unwrap().get(0).is_err(),
                        "past the array's end"
                    );
                }
            });
        }
        started.wait();
        drop((global, lib, ffi));
    });
}

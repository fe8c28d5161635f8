//! Eight threads calling the same functions through one `Ffi` and one library at once, each
//! seeing its own errno.

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

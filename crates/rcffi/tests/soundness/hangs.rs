//! No public method may deadlock against another, on one thread or two.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rcffi::{CData, Ffi};

use crate::within;

#[test]
fn memmove_within_a_loan_does_not_deadlock_against_its_release() {
    // memmove(c, c, n) took the loan's read lock twice; a release on another thread waiting
    // for the write lock between the two made the second wait forever. Two threads copy
    // within whichever loan is current while this one makes and releases loans.
    within(120, || {
        let ffi = Ffi::default();
        let current: Arc<Mutex<Option<CData>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let movers: Vec<_> = (0..2)
            .map(|_| {
                let (ffi, current, stop) = (ffi.clone(), current.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let c = current.lock().unwrap().clone();
                        if let Some(c) = c {
                            let _ = ffi.memmove(&c, &c, 64);
                        }
                    }
                })
            })
            .collect();
        // 20,000 loans, or two seconds of them where every step is slow (Miri, valgrind).
        let started = std::time::Instant::now();
        for _ in 0..if cfg!(miri) { 50 } else { 20_000 } {
            if started.elapsed() > std::time::Duration::from_secs(2) {
                break;
            }
            let c = ffi.from_buffer("char[]", vec![1u8; 128]).unwrap();
            *current.lock().unwrap() = Some(c.clone());
            for _ in 0..100 {
                std::hint::spin_loop();
            }
            ffi.release(&c).unwrap();
            assert!(c.get(0).is_err());
        }
        stop.store(true, Ordering::Relaxed);
        for m in movers {
            m.join().unwrap();
        }
    });
}

#[test]
fn pointer_arithmetic_inside_with_registry_does_not_deadlock() {
    // offset, slice and addressof took the registry's write lock while `with_registry`
    // held it for reading on the same thread.
    within(10, || {
        let ffi = Ffi::default();
        ffi.cdef("struct s { int a[3]; };").unwrap();
        let s = ffi.new("struct s *", ()).unwrap();
        let a = ffi.new("int[4]", [1, 2, 3, 4]).unwrap();
        ffi.with_registry(|r| {
            assert!(r.decls().count() < 5);
            assert_eq!(a.offset(1).unwrap().get(0).unwrap(), 2.into());
            assert_eq!(a.slice(1, 3).unwrap().len().unwrap(), 2);
            assert!(ffi.addressof(&s, "a[1]").is_ok());
            assert!(ffi.new("struct s[2]", ()).is_ok());
            assert_eq!(ffi.sizeof("struct s").unwrap(), 12);
            ffi.cdef("struct t { int b; };").unwrap();
        });
        let r = ffi.registry();
        assert!(ffi.typeof_("struct t *").is_ok());
        assert!(a.offset(2).is_ok());
        drop(r);
    });
}

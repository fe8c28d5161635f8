//! No public method may deadlock against another, on one thread or two.

use std::sync::Arc;

use rcffi::Ffi;

use crate::within;

#[test]
fn memmove_within_a_loan_does_not_deadlock_against_its_release() {
    // memmove(c, c, n) took the loan's read lock twice; a release on another thread waiting
    // for the write lock between the two made the second wait forever.
    within(60, || {
        let ffi = Ffi::default();
        for _ in 0..200 {
            let c = ffi.from_buffer("char[]", vec![1u8; 1 << 16]).unwrap();
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (c2, f2, s2) = (c.clone(), ffi.clone(), stop.clone());
            let mover = std::thread::spawn(move || {
                while !s2.load(std::sync::atomic::Ordering::Relaxed) {
                    if f2.memmove(&c2, c2.offset(1).unwrap(), 1 << 15).is_err() {
                        break; // released
                    }
                }
            });
            std::thread::yield_now();
            ffi.release(&c).unwrap();
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            mover.join().unwrap();
            assert!(c.get(0).is_err());
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

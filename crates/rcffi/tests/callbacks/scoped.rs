//! Closures passed directly as arguments that borrow the caller's locals: `closure` (C may call
//! it from its own threads) and `closure_mut` (it runs on its own thread, one run at a time).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcffi::{Closure, Error, closure, closure_mut};

use super::fixture;

#[test]
fn a_closure_borrows_locals_while_c_calls_it_from_its_threads() {
    let (_ffi, lib) = fixture();
    let calls = AtomicUsize::new(0);
    let factor = 3;
    let triple = closure(|a| -> rcffi::Result<i32> {
        calls.fetch_add(1, Ordering::Relaxed);
        Ok(a.get_as::<i32>(0)? * factor)
    });
    // SAFETY: call_from_threads calls the callback with from + i on 4 pthreads, 500 times each,
    // and returns when they have finished.
    let sum = unsafe { lib.call("call_from_threads", (&triple, 4, 500)) }.unwrap();
    let n: i64 = 4 * 500;
    assert_eq!(sum, (3 * n * (n - 1) / 2).into());
    assert_eq!(calls.load(Ordering::Relaxed), 2000);
    // The same closure, borrowed again by a second call.
    // SAFETY: as above, 10 calls on one pthread.
    let sum = unsafe { lib.call("call_from_threads", (&triple, 1, 10)) }.unwrap();
    assert_eq!(sum, (3 * 45).into());
    assert_eq!(calls.load(Ordering::Relaxed), 2010);
}

#[test]
fn closure_mut_mutates_what_it_borrows() {
    let (ffi, lib) = fixture();
    // SAFETY: the system's C library, qsort declared as it is.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    ffi.cdef("void qsort(void *, size_t, size_t, int (*)(const void *, const void *));")
        .unwrap();
    let a = ffi.new("int[]", [4, 1, 3, 2, 0]).unwrap();
    let mut seen = Vec::new();
    let cmp = closure_mut(|args| -> rcffi::Result<i32> {
        // SAFETY: qsort passes pointers to two ints of the array.
        let (x, y): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
        seen.push(x);
        seen.push(y);
        Ok(x.cmp(&y) as i32)
    });
    // SAFETY: 5 ints of 4 bytes, sorted with the comparator.
    unsafe { libc.call("qsort", (&a, 5usize, 4usize, cmp)) }.unwrap();
    assert_eq!(a.to_vec().unwrap(), [0, 1, 2, 3, 4].map(rcffi::Value::from));
    assert!(seen.len() >= 8 && seen.iter().all(|x| (0..5).contains(x)));
    let _ = lib;
}

#[test]
fn closure_mut_called_from_another_thread_fails_instead_of_running_there() {
    let (_ffi, lib) = fixture();
    let mut runs = 0;
    let cb = closure_mut(|a| -> rcffi::Result<i32> {
        runs += 1;
        a.get_as::<i32>(0)
    });
    // SAFETY: call_from_threads calls the callback on 2 pthreads, twice each. Each call fails
    // (the closure is this thread's), so C receives 0, and the failure is reported on stderr
    // (no rcffi call runs on those threads).
    let sum = unsafe { lib.call("call_from_threads", (&cb, 2, 2)) }.unwrap();
    assert_eq!(sum, 0.into());
    drop(cb);
    assert_eq!(runs, 0);
}

#[test]
fn closure_mut_called_again_while_it_runs_fails_and_the_call_returns_why() {
    let (_ffi, lib) = fixture();
    let depth = Cell::new(0);
    let (d, l) = (&depth, &lib);
    // The closure reaches itself through `me` (a cycle, broken at the end).
    let me: Rc<RefCell<Option<Closure>>> = Rc::default();
    let myself = me.clone();
    let cb = closure_mut(move |a| -> rcffi::Result<rcffi::Value> {
        d.set(d.get() + 1);
        let x = a.get_as::<i32>(0)?;
        // SAFETY: call_int_cb calls this same closure with x + 1.
        unsafe { l.call("call_int_cb", (myself.borrow().as_ref().unwrap(), x + 1)) }
    });
    *me.borrow_mut() = Some(cb.clone());
    // SAFETY: as above.
    let err = unsafe { lib.call("call_int_cb", (&cb, 1)) }.unwrap_err();
    assert!(matches!(err, Error::Callback(_)), "{err:#?}");
    assert!(err.to_string().contains("re-entrantly"), "{err}");
    assert_eq!(depth.get(), 1);
    me.borrow_mut().take();
}

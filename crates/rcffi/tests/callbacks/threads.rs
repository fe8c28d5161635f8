//! Callbacks called from threads C creates: 4 pthreads at once, and a re-entrant callback.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::fixture;

#[test]
fn four_pthreads_call_back_at_once() {
    let (ffi, lib) = fixture();
    let threads = Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let seen = threads.clone();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let cb = ffi
        .callback("int(*)(int)", move |a| -> rcffi::Result<i32> {
            counter.fetch_add(1, Ordering::Relaxed);
            seen.lock().unwrap().insert(std::thread::current().id());
            Ok(a.get_as::<i32>(0)? * 2)
        })
        .unwrap();
    // SAFETY: call_from_threads calls cb(from + i) on 4 pthreads, 5,000 times each.
    let sum = unsafe { lib.call("call_from_threads", (&cb, 4, 5000)) }.unwrap();
    let n: i64 = 4 * 5000;
    assert_eq!(sum, (n * (n - 1)).into()); // 2 * (0 + 1 + ... + n-1)
    assert_eq!(calls.load(Ordering::Relaxed), 20_000);
    assert!(
        !threads
            .lock()
            .unwrap()
            .contains(&std::thread::current().id())
    );
    assert!(
        threads.lock().unwrap().len() >= 2,
        "several threads called back"
    );
}

#[test]
fn a_callback_may_call_into_c_again() {
    let (ffi, lib) = fixture();
    let lib2 = lib.clone();
    let inner = ffi
        .callback("int(*)(int)", |a| -> rcffi::Result<i32> {
            Ok(a.get_as::<i32>(0)? + 1)
        })
        .unwrap();
    let outer = ffi
        .callback("int(*)(int)", move |a| -> rcffi::Result<rcffi::Value> {
            let x = a.get_as::<i32>(0)?;
            // SAFETY: call_int_cb calls `inner` with x.
            unsafe { lib2.call("call_int_cb", (&inner, x * 10)) }
        })
        .unwrap();
    // SAFETY: as above.
    let r = unsafe { lib.call("call_int_cb", (&outer, 4)) };
    assert_eq!(r.unwrap(), 41.into());
}

/// `callback_local`: a closure holding an `Rc` runs on its own thread, re-entrantly too; C
/// calling it from another thread receives the error value and that call returns the
/// failure; dropped on another thread, the closure is leaked, never dropped there.
#[test]
fn a_thread_bound_callback_runs_on_its_thread_only() {
    use std::cell::Cell;
    use std::rc::Rc;
    let (ffi, lib) = super::fixture();
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    let cb = ffi
        .callback_local("int(*)(int)", move |a| -> rcffi::Result<i32> {
            seen.set(seen.get() + 1);
            Ok(a.get_as::<i32>(0)? * 3)
        })
        .unwrap();
    // SAFETY: call_int_cb calls the callback with its int argument.
    let r = unsafe { lib.call("call_int_cb", (&cb, 7)) }.unwrap();
    assert_eq!(r, 21.into());
    assert_eq!(calls.get(), 1);
    // The fixture's call_from_threads calls the callback from C threads it starts.
    // SAFETY: call_from_threads(cb, nthreads, count) calls cb from nthreads new threads.
    // C's threads have no rcffi call running: each failure is reported on stderr, and C gets 0.
    let sum = unsafe { lib.call("call_from_threads", (&cb, 2, 3)) }.unwrap();
    assert_eq!(sum, 0.into());
    assert_eq!(calls.get(), 1, "the closure never ran off its thread");
    // Dropped on another thread: the Rc inside is not touched there (leaked, by design; a
    // leak valgrind would rightly report, so under `scripts/memcheck.sh` it is dropped here).
    if std::env::var_os("RCFFI_VALGRIND").is_some() {
        return;
    }
    let holder = std::sync::Mutex::new(Some(cb));
    std::thread::scope(|s| {
        s.spawn(|| drop(holder.lock().unwrap().take()));
    });
    assert_eq!(
        Rc::strong_count(&calls),
        2,
        "the closure's Rc was leaked, not dropped"
    );
}

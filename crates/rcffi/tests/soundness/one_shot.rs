//! A callback that lets go of its own last cdata while it runs — a one-shot callback taking
//! itself out of the table that kept it, as code driving C event loops does — stays whole until
//! it returns: its closure goes on using what it captured, and C gets its result. Until issue
//! 18's seventeenth session the callback's state (the closure, what it captured, the entry C
//! came through) was freed at once, under the running closure: valgrind showed the closure
//! reading its freed captures, and the process crashed.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcffi::{CData, Value};

thread_local! {
    /// The callbacks kept alive only here, as a program's table of pending one-shot callbacks.
    static PENDING: RefCell<Vec<CData>> = const { RefCell::new(Vec::new()) };
}

/// What a closure captured: counts its drop.
struct Captured {
    items: Vec<i64>,
    dropped: Arc<AtomicUsize>,
}

impl Drop for Captured {
    fn drop(&mut self) {
        self.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

/// Takes every callback out of `PENDING` and drops them (the running one among them).
fn let_go_of_all() {
    let all = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    drop(all);
}

/// `f` as C sees it: a function pointer with no owner, so that the call holds no cdata of the
/// callback (only `PENDING` does).
fn bare(ffi: &rcffi::Ffi, f: &CData, ty: &str) -> CData {
    let addr = ffi.cast("uintptr_t", f).unwrap().to_value().unwrap();
    ffi.cast(ty, addr).unwrap()
}

/// Puts callback `f` in `PENDING`, its only holder, and gives C's view of it (`bare`).
fn pending(ffi: &rcffi::Ffi, f: CData, ty: &str) -> CData {
    let ptr = bare(ffi, &f, ty);
    PENDING.with(|p| p.borrow_mut().push(f));
    ptr
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_callback_that_lets_itself_go_while_it_runs_stays_whole_until_it_returns() {
    let (ffi, lib) = rcffi_testkit::fixture::open_fixture().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));

    // Entered through rcffi's own trampolines (arguments in registers).
    let captured = Captured {
        items: (1..=100).collect(),
        dropped: dropped.clone(),
    };
    let cb = ffi
        .callback("int(*)(int)", move |a| -> rcffi::Result<i32> {
            let x: i32 = a.get_as(0)?;
            let_go_of_all();
            Ok(x + captured.items.iter().sum::<i64>() as i32)
        })
        .unwrap();
    let ptr = pending(&ffi, cb, "int(*)(int)");
    // SAFETY: call_int_cb calls its callback once, with 7.
    let r = unsafe { lib.call("call_int_cb", (&ptr, 7)) }.unwrap();
    assert_eq!(r, Value::from(7 + 5050));
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "gone once the run returned"
    );

    // Entered through a libffi closure (an x87 `long double`).
    let captured = Captured {
        items: vec![2, 3],
        dropped: dropped.clone(),
    };
    let cb = ffi
        .callback(
            "long double(*)(long double)",
            move |a| -> rcffi::Result<f64> {
                let x: f64 = a.get(0)?.cdata()?.to_value()?.try_into()?;
                let_go_of_all();
                Ok(x * captured.items.iter().product::<i64>() as f64)
            },
        )
        .unwrap();
    let ptr = pending(&ffi, cb, "long double(*)(long double)");
    let x = ffi.cast("long double", 1.5).unwrap();
    // SAFETY: cb_ldouble calls its callback once, with 1.5.
    let r = unsafe { lib.call("cb_ldouble", (&ptr, &x)) }.unwrap();
    let r: f64 = r.cdata().unwrap().to_value().unwrap().try_into().unwrap();
    assert_eq!(r, 9.0);
    assert_eq!(dropped.load(Ordering::SeqCst), 2);

    // A typed callback.
    let captured = Captured {
        items: vec![40],
        dropped: dropped.clone(),
    };
    let typed = ffi
        .typed_callback::<extern "C" fn(i32) -> i32, _>("int(*)(int)", move |x: i32| {
            let_go_of_all();
            x + captured.items[0] as i32
        })
        .unwrap();
    let ptr = pending(&ffi, typed.cdata().clone(), "int(*)(int)");
    drop(typed);
    // SAFETY: as above.
    let r = unsafe { lib.call("call_int_cb", (&ptr, 2)) }.unwrap();
    assert_eq!(r, Value::from(42));
    assert_eq!(dropped.load(Ordering::SeqCst), 3);
}

/// A callback let go in a nested run of itself (it calls C, which calls it again) stays until
/// its outermost run returns.
#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_callback_let_go_in_a_nested_run_of_itself_stays_until_the_outer_one_returns() {
    let (ffi, lib) = rcffi_testkit::fixture::open_fixture().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));
    let captured = Captured {
        items: vec![1000],
        dropped: dropped.clone(),
    };
    let lib2 = lib.clone();
    let cb = ffi
        .callback("int(*)(int)", move |a| -> rcffi::Result<i32> {
            let x: i32 = a.get_as(0)?;
            if x > 0 {
                // Calls itself through C once more (through the bare pointer in the table's
                // second place).
                let me = PENDING.with(|p| p.borrow()[1].clone());
                // SAFETY: call_int_cb calls the callback once.
                let inner: i32 = unsafe { lib2.call("call_int_cb", (&me, x - 1)) }?.try_into()?;
                return Ok(inner + captured.items[0] as i32);
            }
            let_go_of_all();
            Ok(captured.items[0] as i32)
        })
        .unwrap();
    let ptr = bare(&ffi, &cb, "int(*)(int)");
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        p.push(cb);
        p.push(ptr.clone());
    });
    // SAFETY: call_int_cb calls its callback once, with 2.
    let r = unsafe { lib.call("call_int_cb", (&ptr, 2)) }.unwrap();
    assert_eq!(r, Value::from(3000));
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}

/// A callback that lets itself go and then panics gives C its error value and the caller the
/// failure; what it captured panicking as it goes (after the run) is reported, not let into C.
#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_callback_that_lets_itself_go_and_panics_fails_cleanly() {
    struct Bomb;
    impl Drop for Bomb {
        fn drop(&mut self) {
            panic!("a capture that panics as it goes");
        }
    }
    let (ffi, lib) = rcffi_testkit::fixture::open_fixture().unwrap();
    let bomb = Bomb;
    let cb = ffi
        .callback("int(*)(int)", move |a| -> rcffi::Result<i32> {
            let _held = &bomb;
            let x: i32 = a.get_as(0)?;
            let_go_of_all();
            if x == 1 {
                panic!("after letting go");
            }
            Ok(x)
        })
        .unwrap();
    let ptr = pending(&ffi, cb, "int(*)(int)");
    // SAFETY: call_int_cb calls its callback once, with 1.
    let r = unsafe { lib.call("call_int_cb", (&ptr, 1)) };
    let e = r.expect_err("the callback's panic is the call's error");
    assert!(e.to_string().contains("after letting go"), "{e}");
}

//! Panics never unwind into C, not even a panic's payload whose own `Drop` panics.

use rcffi::Ffi;

/// A panic payload that panics again when it is dropped.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload's drop panics too");
    }
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_callback_panic_whose_payload_panics_on_drop_does_not_abort() {
    let ffi = Ffi::default();
    ffi.cdef("int (*)(int);").ok();
    let cb = ffi
        .callback("int(*)(int)", |_| -> Result<i32, rcffi::Error> {
            std::panic::panic_any(Bomb)
        })
        .unwrap();
    // The payload was dropped outside `catch_unwind`: its panic reached C, an abort. Now the
    // panic is the error the call returns (C received the error value, 0).
    // SAFETY: a callback of this type, with an int.
    let e = unsafe { cb.call((1,)) }.unwrap_err();
    assert!(e.to_string().contains("panicked"), "{e}");
    let opts = rcffi::CallbackOptions::default().error(-1).onerror(|_, _| {
        std::panic::panic_any(Bomb);
    });
    let cb = ffi
        .callback_with(
            "int(*)(int)",
            |_| -> Result<i32, rcffi::Error> { std::panic::panic_any(Bomb) },
            opts,
        )
        .unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { cb.call((1,)) }.unwrap(), (-1).into());
}

/// A `gc` destructor that panics is reported and the drop goes on, also while another panic
/// unwinds (a panic let out of a drop then aborts the process) and in a thread-local's
/// destructor at thread exit; the destructors after it run.
#[test]
fn a_panicking_gc_destructor_is_reported_not_let_out_of_the_drop() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let ffi = rcffi::Ffi::default();
    let ran = Arc::new(AtomicUsize::new(0));
    let counted = |ran: &Arc<AtomicUsize>| {
        let ran = ran.clone();
        move |_| {
            ran.fetch_add(1, Ordering::SeqCst);
        }
    };
    // Dropped normally: the panic stays inside, and the outer destructor still runs.
    let inner = ffi.gc(&ffi.new("int *", ()).unwrap(), |_| panic!("inner"));
    let outer = ffi.gc(&inner, counted(&ran));
    drop(inner);
    drop(outer);
    assert_eq!(ran.load(Ordering::SeqCst), 1);
    // Dropped while another panic unwinds.
    let p = ffi.gc(&ffi.new("int[2]", ()).unwrap(), |_| {
        panic!("while unwinding")
    });
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _p = p;
        panic!("first");
    }));
    assert!(r.is_err());
    // Dropped by a thread-local's destructor at thread exit.
    thread_local! {
        static HELD: std::cell::RefCell<Option<rcffi::CData>> =
            const { std::cell::RefCell::new(None) };
    }
    let (ffi2, ran2) = (ffi.clone(), ran.clone());
    std::thread::spawn(move || {
        let p = ffi2.gc(&ffi2.new("long *", ()).unwrap(), |_| {
            panic!("at thread exit")
        });
        let q = ffi2.gc(&p, counted(&ran2));
        HELD.with(|h| *h.borrow_mut() = Some(q));
        drop(p);
    })
    .join()
    .unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 2);
}

/// An allocator's `free` that panics is reported and kept inside the drop, also while another
/// panic unwinds.
#[test]
fn a_panicking_allocator_free_is_reported_not_let_out_of_the_drop() {
    let ffi = rcffi::Ffi::default();
    let pool = ffi.clone();
    let blocks = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = blocks.clone();
    // SAFETY: each pointer is to a `char[]` of `n` bytes that `blocks` keeps alive until the
    // test's end, after every cdata the allocator made is gone.
    let alloc = unsafe {
        ffi.new_allocator(
            move |n| {
                let block = pool.new("char[]", n as i64)?;
                let p = pool.cast("char *", &block)?;
                kept.lock().unwrap().push(block);
                Ok(p)
            },
            Some(|_p| panic!("in free")),
            true,
        )
    };
    drop(alloc.new("int[4]", [1, 2, 3, 4]).unwrap());
    let p = alloc.new("int[4]", ()).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _p = p;
        panic!("first");
    }));
    assert!(r.is_err());
    drop(alloc);
    drop(blocks);
}

/// A handle's value whose drop panics: the panic reaches whoever dropped the handle's last
/// cdata, as an `Arc`'s would; the handle is gone from the table and other handles work on.
/// (That its box is given back all the same is `mem::counted`'s unit test.)
#[test]
fn a_handle_whose_value_panics_on_drop_gives_its_box_back() {
    let ffi = Ffi::default();
    let h = ffi.new_handle(Bomb);
    let addr = ffi.cast("void *", h.address() as u64).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(h)));
    assert!(r.is_err(), "the value's panic reaches the drop's caller");
    assert!(
        ffi.from_handle::<Bomb>(&addr).is_err(),
        "the handle is gone"
    );
    let other = ffi.new_handle(5u8);
    assert_eq!(*ffi.from_handle::<u8>(&other).unwrap(), 5);
}

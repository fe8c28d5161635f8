//! Group H: handles, `gc`, `release` and allocators.

use std::sync::{Arc, Mutex};

use rcffi::{CData, Error, Ffi, Handled, Value};

use crate::*;

#[test]
fn h01_handles_give_back_their_value() {
    let ffi = Ffi::default();
    let o = Arc::new(Mutex::new(vec![1]));
    let p = ffi.new_handle(o.clone());
    assert_eq!(p.ctype(), ffi.typeof_("void *").unwrap());
    let back: Handled<Arc<Mutex<Vec<i32>>>> = ffi.from_handle(&p).unwrap();
    assert!(Handled::ptr_eq(
        &back,
        &ffi.from_handle::<Arc<Mutex<Vec<i32>>>>(&p).unwrap()
    ));
    // The handle's own `Arc`, shared.
    assert!(Arc::ptr_eq(
        &Handled::to_arc(&back),
        &Handled::to_arc(&ffi.from_handle(&p).unwrap())
    ));
    assert!(Arc::ptr_eq(&*back, &o));
    let q = ffi.cast("char *", &p).unwrap();
    back.lock().unwrap().push(2);
    assert_eq!(
        *ffi.from_handle::<Arc<Mutex<Vec<i32>>>>(&q)
            .unwrap()
            .lock()
            .unwrap(),
        [1, 2]
    );
    err_has(
        ffi.from_handle::<()>(&ffi.null()),
        is_runtime,
        "cannot use from_handle() on NULL pointer",
    );
    err_has(
        ffi.from_handle::<()>(&ffi.cast("int", 1).unwrap()),
        is_type,
        "out of new_handle(), got 'int'",
    );
    assert!(repr(&p).starts_with("<cdata 'void *' handle to "));
}

#[test]
fn h02_every_handle_is_unique() {
    let ffi = Ffi::default();
    let (a, b) = (ffi.new_handle(()), ffi.new_handle(()));
    assert_ne!(a, b);
}

#[test]
fn h_released_and_foreign_handles_are_errors_not_aborts() {
    let ffi = Ffi::default();
    let h = ffi.new_handle(5u8);
    let raw = ffi.cast("void *", h.address()).unwrap();
    assert_eq!(*ffi.from_handle::<u8>(&raw).unwrap(), 5);
    err_has(
        ffi.from_handle::<u16>(&raw),
        is_type,
        "holds a u8, not a u16",
    );
    drop(h);
    err_has(
        ffi.from_handle::<u8>(&raw),
        is_runtime,
        "is not a live handle",
    );
    // A handle of another ffi object is a handle all the same (cffi's handles are global);
    // an address that never was one is not.
    let other = Ffi::default().new_handle(1u8);
    assert_eq!(
        *ffi.from_handle::<u8>(&ffi.cast("void *", other.address()).unwrap())
            .unwrap(),
        1
    );
    let heap = ffi.new("int *", ()).unwrap();
    err_has(
        ffi.from_handle::<u8>(&heap),
        is_runtime,
        "not a live handle",
    );
    err_has(
        ffi.release(&other),
        is_value,
        "only 'cdata' object from ffi.new()",
    );
}

#[test]
fn h04_gc_runs_the_destructor_with_the_original() {
    let ffi = Ffi::default();
    let seen: Arc<Mutex<Vec<CData>>> = Arc::default();
    let p = ffi.new("int *", 123).unwrap();
    let s = seen.clone();
    let q = ffi.gc(&p, move |orig| s.lock().unwrap().push(orig));
    assert_eq!(q.ctype(), p.ctype());
    assert_eq!(q, p);
    assert!(repr(&q).starts_with("<cdata 'int *' 0x"));
    assert!(seen.lock().unwrap().is_empty());
    let item = q.offset(0).unwrap(); // derived cdata keep the destructor waiting
    drop(q);
    assert!(seen.lock().unwrap().is_empty());
    drop(item);
    let got = seen.lock().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0], p);
    assert_eq!(got[0].get(0).unwrap(), 123.into());
}

fn logger(log: &Arc<Mutex<Vec<i32>>>, n: i32) -> impl FnOnce(CData) + Send + 'static {
    let log = log.clone();
    move |_| log.lock().unwrap().push(n)
}

#[test]
fn h05_chained_destructors_run_newest_first() {
    let ffi = Ffi::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    let p = ffi.new("int *", ()).unwrap();
    let q1 = ffi.gc(&p, logger(&log, 1));
    let q2 = ffi.gc(&q1, logger(&log, 2));
    drop(q1); // kept alive by q2
    assert!(log.lock().unwrap().is_empty());
    drop(q2);
    assert_eq!(*log.lock().unwrap(), [2, 1]);
    log.lock().unwrap().clear();
    let r = ffi.gc(
        &ffi.gc(&ffi.gc(&p, logger(&log, 1)), logger(&log, 2)),
        logger(&log, 3),
    );
    drop(r);
    assert_eq!(*log.lock().unwrap(), [3, 2, 1]);
}

/// A `gc`'d primitive is the same value, whatever its size: a 16-byte one (`__int128`, a
/// `long double`) keeps all its bytes, through `gc` of `gc` too (its
/// owner's pointer sits where a primitive's high bytes would, so the `gc` box keeps them).
#[test]
fn h05b_gc_of_a_primitive_keeps_its_whole_value() {
    let ffi = Ffi::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    let big = (1i128 << 100) + 12345;
    let cases = [
        ffi.cast("__int128", big).unwrap(),
        ffi.cast("unsigned __int128", u128::MAX).unwrap(),
        ffi.cast("long double", 1.25).unwrap(),
        ffi.cast("int", -7).unwrap(),
        ffi.cast("char", b'x').unwrap(),
    ];
    for c in cases {
        let before = (
            format!("{c:?}"),
            ffi.cast("double", &c).and_then(|d| d.to_f64()).ok(),
        );
        let g = ffi.gc(&c, logger(&log, 1));
        let gg = ffi.gc(&g, logger(&log, 2));
        for x in [&g, &gg] {
            assert_eq!(*x, c, "{c:?}");
            assert_eq!(format!("{x:?}"), before.0);
            assert_eq!(
                ffi.cast("double", x).and_then(|d| d.to_f64()).ok(),
                before.1,
                "{c:?}"
            );
        }
        drop((g, gg));
    }
    assert_eq!(log.lock().unwrap().len(), 10);
}

#[test]
fn h06_removing_a_destructor() {
    let ffi = Ffi::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    let p = ffi.new("int *", ()).unwrap();
    err_has(
        ffi.gc_remove(&p),
        is_type,
        "Can remove destructor only on a object previously returned by ffi.gc()",
    );
    let q = ffi.gc(&p, logger(&log, 1));
    ffi.gc_remove(&q).unwrap();
    drop(q);
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn h07_gc_in_a_loop() {
    let ffi = Ffi::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    for i in 0..10 {
        let p = ffi.gc(&ffi.new("int *", i).unwrap(), logger(&log, i));
        assert_eq!(p.get(0).unwrap(), i.into());
    }
    assert_eq!(*log.lock().unwrap(), (0..10).collect::<Vec<_>>());
}

#[test]
fn h08_release() {
    let ffi = Ffi::default();
    let p = ffi.new("int *", 5).unwrap();
    ffi.release(&p).unwrap();
    ffi.release(&p).unwrap();
    // Memory of `new` lives until the last cdata over it is dropped.
    assert_eq!(p.get(0).unwrap(), 5.into());
    let log = Arc::new(Mutex::new(Vec::new()));
    let q = ffi.gc(&p, logger(&log, 1));
    ffi.release(&q).unwrap();
    assert_eq!(*log.lock().unwrap(), [1]);
    ffi.release(&q).unwrap();
    drop(q);
    assert_eq!(*log.lock().unwrap(), [1]);
    err_has(
        ffi.release(&ffi.cast("int *", &p).unwrap()),
        is_value,
        "ffi.release()",
    );
}

/// A pool allocator over rcffi's own memory, recording sizes and frees.
struct Pool {
    ffi: Ffi,
    sizes: Mutex<Vec<usize>>,
    freed: Mutex<Vec<String>>,
}

#[test]
fn h11_allocator_sees_sizes_and_frees_what_it_gave() {
    let ffi = Ffi::default();
    let pool = Arc::new(Pool {
        ffi: ffi.clone(),
        sizes: Mutex::default(),
        freed: Mutex::default(),
    });
    let (pa, pf) = (pool.clone(), pool.clone());
    let alloc = move |n: usize| -> Result<CData, Error> {
        pa.sizes.lock().unwrap().push(n);
        // Memory full of 'X', to see what should_clear does.
        let block = pa.ffi.new("char[]", vec![b'X'; n])?;
        pa.ffi.cast("char *", &block)
    };
    let free = move |p: CData| pf.freed.lock().unwrap().push(format!("{p:?}"));
    // SAFETY: `alloc` returns rcffi memory of `n` bytes, kept alive by the returned cast
    // until `free` drops it.
    let keep = unsafe { ffi.new_allocator(alloc.clone(), Some(free.clone()), true) };
    let a = keep.new("int[10]", ()).unwrap();
    let b = keep.new("int[]", 10).unwrap();
    assert_eq!(*pool.sizes.lock().unwrap(), [40, 40]);
    assert_eq!(a.to_vec().unwrap(), vec![Value::Int(0); 10]);
    assert_eq!(repr(&a), "<cdata 'int[10]' owning 40 bytes>");
    drop((a, b));
    assert_eq!(pool.freed.lock().unwrap().len(), 2);
    assert!(pool.freed.lock().unwrap()[0].starts_with("<cdata 'char *' 0x"));
    // SAFETY: as above.
    let raw = unsafe { ffi.new_allocator(alloc, Some(free), false) };
    let c = raw.new("char[8]", ()).unwrap();
    assert_eq!(ffi.unpack(&c, 8).unwrap(), b"XXXXXXXX".into());
    let s = raw.new("char[]", b"hi").unwrap();
    assert_eq!(ffi.unpack(&s, 3).unwrap(), b"hi\0".into());
}

#[test]
fn h12_allocator_errors() {
    let ffi = Ffi::default();
    let f2 = ffi.clone();
    // SAFETY: this allocator returns no memory at all (an int cdata): refused before use.
    let not_ptr = unsafe { ffi.new_allocator(move |_| f2.cast("int", 1), None::<fn(CData)>, true) };
    err_has(
        not_ptr.new("int *", ()),
        is_type,
        "alloc() must return a cdata pointer, not 'int'",
    );
    let f3 = ffi.clone();
    // SAFETY: returns NULL, refused before use.
    let null = unsafe { ffi.new_allocator(move |_| f3.cast("void *", 0), None::<fn(CData)>, true) };
    assert!(
        matches!(null.new("int *", ()), Err(Error::Memory(m)) if m == "alloc() returned NULL".into())
    );
    // SAFETY: never returns memory.
    let failing = unsafe {
        ffi.new_allocator(
            |_| Err(Error::Key("LookupError".into())),
            None::<fn(CData)>,
            true,
        )
    };
    assert!(matches!(failing.new("int *", ()), Err(Error::Key(m)) if m == "LookupError".into()));
    let f4 = ffi.clone();
    // SAFETY: returns rcffi memory, misaligned for int: refused before use.
    let odd = unsafe {
        ffi.new_allocator(
            move |n| {
                f4.cast("char *", f4.new("char[]", n as i64 + 1)?)?
                    .offset(1)
            },
            None::<fn(CData)>,
            true,
        )
    };
    assert!(matches!(odd.new("int *", ()), Err(Error::Memory(m)) if m.contains("not aligned")));
    // More than an allocation can hold (2^56 bytes or more): refused before the allocator
    // is asked, so nothing it made is left without its `free`.
    let asked = Arc::new(Mutex::new(0usize));
    let (count, f5) = (asked.clone(), ffi.clone());
    // SAFETY: never reached for the huge type; for the small one, memory rcffi owns.
    let counting = unsafe {
        ffi.new_allocator(
            move |n| {
                *count.lock().unwrap() += 1;
                f5.new("char[]", n as i64)
            },
            None::<fn(CData)>,
            true,
        )
    };
    ffi.cdef("typedef char huge[72057594037927936];").unwrap();
    assert_eq!(ffi.sizeof("huge").unwrap(), 1 << 56);
    err_has(
        counting.new("huge *", ()).map(drop),
        is_memory,
        "cannot allocate",
    );
    err_has(
        ffi.new("huge *", ()).map(drop),
        is_memory,
        "cannot allocate",
    );
    assert_eq!(*asked.lock().unwrap(), 0);
    drop(counting.new("int *", 5).unwrap());
    assert_eq!(*asked.lock().unwrap(), 1);
}

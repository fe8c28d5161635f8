//! libc's qsort with Rust comparators: 100,000 ints sorted, through `ffi.callback` and through
//! a closure passed directly as the argument.

use rcffi::{Ffi, Value};

fn libc() -> (Ffi, rcffi::Lib) {
    let ffi = Ffi::default();
    ffi.cdef("void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));")
        .unwrap();
    // SAFETY: glibc's qsort, as declared.
    let lib = unsafe { ffi.dlopen("c") }.unwrap();
    (ffi, lib)
}

#[test]
fn qsort_sorts_100000_ints_with_an_rcffi_comparator() {
    let (ffi, libc) = libc();
    let input = rcffi_testkit::bench::park_miller_ints(100_000);
    let arr = ffi.new("int[]", input.clone()).unwrap();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let cmp = ffi
        .callback(
            "int(*)(const void *, const void *)",
            move |a| -> rcffi::Result<i32> {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // SAFETY: qsort passes pointers to two ints of the array.
                let (x, y): (i32, i32) = unsafe { (a.deref(0)?, a.deref(1)?) };
                Ok(x.cmp(&y) as i32)
            },
        )
        .unwrap();
    // SAFETY: qsort sorts the array's 100,000 ints of 4 bytes with the comparator.
    unsafe { libc.call("qsort", (&arr, 100_000usize, 4usize, &cmp)) }.unwrap();
    let mut want = input;
    want.sort_unstable();
    let got: Vec<i32> = (0..100_000)
        .map(|i| arr.get_as::<i32>(i).unwrap())
        .collect();
    assert_eq!(got, want);
    assert!(calls.load(std::sync::atomic::Ordering::Relaxed) > 1_000_000);
}

#[test]
fn a_closure_passed_directly_is_a_callback_for_the_call() {
    let (ffi, libc) = libc();
    let arr = ffi.new("int[]", [3, -1, 2]).unwrap();
    // The pointers qsort passes point into `arr`, which the running call was given: they are
    // views of it, read without `unsafe`.
    let descending = rcffi::closure(|a| -> rcffi::Result<i32> {
        let ints = |v: Value| a.ffi().cast("int *", v)?.get_as::<i32>(0);
        let (x, y) = (ints(a.get(0)?)?, ints(a.get(1)?)?);
        Ok(y.cmp(&x) as i32)
    });
    // SAFETY: qsort sorts the array's 3 ints of 4 bytes with the comparator.
    unsafe { libc.call("qsort", (&arr, 3usize, 4usize, descending)) }.unwrap();
    assert_eq!(arr.to_vec().unwrap(), [3, 2, -1].map(Value::from).to_vec());
}

/// A callback's pointer argument into the memory of the call that passed the callback is a
/// bounded view of that memory: readable, bounded by the array, and alive as long as it is
/// held (it keeps the array), as a pointer such a call returns is.
#[test]
fn pointers_into_the_running_calls_memory_are_views_of_it() {
    let (ffi, libc) = libc();
    let arr = ffi.new("int[]", [5, 4, 3, 2, 1, 0]).unwrap();
    let kept = std::sync::Mutex::new(Vec::new());
    let cmp = rcffi::closure(|a| -> rcffi::Result<i32> {
        let p = a.ffi().cast("int *", a.get(0)?)?;
        let q = a.ffi().cast("int *", a.get(1)?)?;
        // Past the array's end is refused: the view knows its bounds.
        let from_end = 6 - (p.diff(&a.ffi().cast("int *", &arr)?)? as usize);
        assert!(p.get(from_end).is_err());
        assert!(p.get(from_end - 1).is_ok());
        let (x, y) = (p.get_as::<i32>(0)?, q.get_as::<i32>(0)?);
        kept.lock().unwrap().push(p);
        Ok(x.cmp(&y) as i32)
    });
    // SAFETY: qsort sorts the array's 6 ints with the comparator.
    unsafe { libc.call("qsort", (&arr, 6usize, 4usize, cmp)) }.unwrap();
    assert_eq!(
        arr.to_vec().unwrap(),
        (0..6).map(Value::from).collect::<Vec<_>>()
    );
    // The views outlive the call and the array's own cdata: each keeps the memory alive.
    let kept = kept.into_inner().unwrap();
    drop(arr);
    let mut seen: Vec<i32> = kept.iter().map(|p| p.get_as::<i32>(0).unwrap()).collect();
    seen.sort_unstable();
    assert!(seen.iter().all(|v| (0..6).contains(v)) && !seen.is_empty());
    // bsearch passes the key, which the call was given, and an item of C's own memory (a
    // C string rcffi never made): the first is a view, the second stays foreign.
    ffi.cdef("void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*compar)(const void *, const void *));")
        .unwrap();
    let text = std::ffi::CString::new("xyz").unwrap();
    let items = ffi.cast("char *", text.as_ptr() as usize).unwrap();
    let key = ffi.new("int *", 7).unwrap();
    let compare = rcffi::closure(|a| -> rcffi::Result<i32> {
        let k = a.ffi().cast("int *", a.get(0)?)?;
        let item = a.ffi().cast("char *", a.get(1)?)?;
        assert_eq!(k.get_as::<i32>(0)?, 7);
        assert!(
            item.get(0).is_err(),
            "memory the call was not given is not readable"
        );
        Ok(1)
    });
    // SAFETY: bsearch compares `key` with the first byte of the C string.
    let found = unsafe { libc.call("bsearch", (&key, &items, 1usize, 1usize, compare)) }.unwrap();
    assert!(found.cdata().unwrap().is_null());
}

/// A callback cdata (`ffi.callback`) in a tuple takes the direct path, which enters the same
/// run: the pointers qsort hands it into the array are bounded views, as they are when the
/// arguments convert (a list of `Arg`s); a call that passes a callback and returns a pointer
/// (`bsearch`) finds its result in the key's memory either way.
#[test]
fn a_callback_cdata_in_a_tuple_gets_views_of_the_calls_memory() {
    let (ffi, libc) = libc();
    ffi.cdef("void *bsearch(const void *key, const void *base, size_t n, size_t size, int (*compar)(const void *, const void *));")
        .unwrap();
    let cmp = ffi
        .callback(
            "int(*)(const void *, const void *)",
            |a| -> rcffi::Result<i32> {
                let p = a.ffi().cast("int *", a.get(0)?)?;
                let q = a.ffi().cast("int *", a.get(1)?)?;
                // Views: read without `unsafe`, bounded by the array.
                let (x, y) = (p.get_as::<i32>(0)?, q.get_as::<i32>(0)?);
                assert!(p.get(1_000).is_err(), "a view knows its bounds");
                Ok(x.cmp(&y) as i32)
            },
        )
        .unwrap();
    for listed in [false, true] {
        let arr = ffi.new("int[]", [5, 4, 3, 2, 1, 0]).unwrap();
        // SAFETY: qsort sorts the array's 6 ints of 4 bytes with the comparator.
        let r = unsafe {
            if listed {
                let args = vec![
                    rcffi::Arg::CData(&arr),
                    rcffi::Arg::Int(6),
                    rcffi::Arg::Int(4),
                    rcffi::Arg::CData(&cmp),
                ];
                libc.call("qsort", args)
            } else {
                libc.call("qsort", (&arr, 6usize, 4usize, &cmp))
            }
        };
        r.unwrap();
        assert_eq!(
            arr.to_vec().unwrap(),
            (0..6).map(Value::from).collect::<Vec<_>>(),
            "listed: {listed}"
        );
        let key = ffi.new("int *", 3).unwrap();
        // SAFETY: bsearch looks for the key among the 6 sorted ints.
        let found = unsafe { libc.call("bsearch", (&key, &arr, 6usize, 4usize, &cmp)) }.unwrap();
        let found = ffi.cast("int *", found.cdata().unwrap()).unwrap();
        assert_eq!(found.get_as::<i32>(0).unwrap(), 3, "a view of the array");
        assert_eq!(found.diff(&ffi.cast("int *", &arr).unwrap()).unwrap(), 3);
    }
}

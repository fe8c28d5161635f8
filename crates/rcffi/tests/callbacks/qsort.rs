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
    let descending = rcffi::closure(|a| -> rcffi::Result<i32> {
        let (x, y) = (a.get(0)?.cdata()?, a.get(1)?.cdata()?);
        // SAFETY: the arguments point to ints of the array (typed via cast).
        let (x, y) = unsafe {
            (
                a.ffi()
                    .cast("int *", &x)?
                    .assume_valid(1)?
                    .get_as::<i32>(0)?,
                a.ffi()
                    .cast("int *", &y)?
                    .assume_valid(1)?
                    .get_as::<i32>(0)?,
            )
        };
        Ok(y.cmp(&x) as i32)
    });
    // SAFETY: as above.
    unsafe { libc.call("qsort", (&arr, 3usize, 4usize, descending)) }.unwrap();
    assert_eq!(arr.to_vec().unwrap(), [3, 2, -1].map(Value::from).to_vec());
}

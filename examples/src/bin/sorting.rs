//! Sorting and searching with C's comparators: `qsort_r` with a Rust value passed through C as
//! a handle, `bsearch` with a closure that borrows the key, and a comparator that fails — the
//! call returns its error.
//!
//! `cargo run -p rcffi-examples --bin sorting [WORD...]`
//!
//! The same program with Python's cffi, for comparison:
//!
//! ```python
//! import sys, cffi
//! words = sys.argv[1:] or ["pear", "fig", "banana", "kiwi", "apple"]
//! ffi = cffi.FFI()
//! ffi.cdef("""
//!     void qsort_r(void *base, size_t n, size_t size,
//!                  int (*cmp)(const void *, const void *, void *), void *arg);
//!     void *bsearch(const void *key, const void *base, size_t n, size_t size,
//!                   int (*cmp)(const void *, const void *));
//! """)
//! libc = ffi.dlopen(None)
//! words = [ffi.new("char[]", w.encode()) for w in words]
//! array = ffi.new("char *[]", words)
//! @ffi.callback("int(const void *, const void *, void *)")
//! def by_length(a, b, arg):
//!     order = ffi.from_handle(arg)
//!     a, b = ffi.string(ffi.cast("char **", a)[0]), ffi.string(ffi.cast("char **", b)[0])
//!     return order * ((len(a), a) > (len(b), b)) - order * ((len(a), a) < (len(b), b))
//! order = -1
//! libc.qsort_r(array, len(words), ffi.sizeof("char *"), by_length, ffi.new_handle(order))
//! print("longest first:", [ffi.string(p).decode() for p in array])
//! numbers = ffi.new("int[]", sorted({len(w) * 7 % 10 for w in words}))
//! @ffi.callback("int(const void *, const void *)")
//! def find(k, item):
//!     return (key > ffi.cast("int *", item)[0]) - (key < ffi.cast("int *", item)[0])
//! key = 7
//! hit = libc.bsearch(ffi.NULL, numbers, len(numbers), 4, find)
//! print("7 is", "found" if hit != ffi.NULL else "missing")
//! @ffi.callback("int(const void *, const void *, void *)")
//! def broken(a, b, arg):
//!     raise ValueError("this comparator fails")
//! libc.qsort_r(array, len(words), ffi.sizeof("char *"), broken, ffi.NULL)
//! print("a failing comparator: the traceback went to stderr; the call returned as usual")
//! ```

use anyhow::Result;
use rcffi::{Error, Ffi, closure};

fn main() -> Result<()> {
    let mut words: Vec<String> = std::env::args().skip(1).collect();
    if words.is_empty() {
        words = "pear fig banana kiwi apple"
            .split(' ')
            .map(String::from)
            .collect();
    }
    let ffi = Ffi::default();
    ffi.cdef(
        "void qsort_r(void *base, size_t n, size_t size,
                      int (*cmp)(const void *, const void *, void *), void *arg);
         void *bsearch(const void *key, const void *base, size_t n, size_t size,
                       int (*cmp)(const void *, const void *));",
    )?;
    // SAFETY: the C library, declared as glibc declares it. The comparators read what qsort_r
    // and bsearch pass: pointers to items of the arrays given, and qsort_r's `arg`.
    unsafe {
        let libc = ffi.dlopen("c")?;
        let texts: Vec<_> = words
            .iter()
            .map(|w| ffi.new("char[]", w.as_str()))
            .collect::<Result<_, _>>()?;
        let array = ffi.new("char *[]", texts)?; // keeps the strings alive
        let by_length = ffi.callback("int(*)(const void *, const void *, void *)", |args| {
            let order = args.ffi().from_handle::<i32>(&args.get(2)?)?; // qsort_r's `arg`
            let (a, b): (*const i8, *const i8) = (args.deref(0)?, args.deref(1)?);
            let (a, b) = (std::ffi::CStr::from_ptr(a), std::ffi::CStr::from_ptr(b));
            Ok::<_, Error>(*order * (a.count_bytes(), a).cmp(&(b.count_bytes(), b)) as i32)
        })?;
        let (n, size) = (words.len(), ffi.sizeof("char *")?);
        libc.call("qsort_r", (&array, n, size, &by_length, ffi.new_handle(-1)))?;
        let sorted: Vec<String> = array
            .iter()?
            .map(|p| ffi.string_unchecked(&p?, None)?.try_into())
            .collect::<Result<_, _>>()?;
        println!("longest first: {sorted:?}");

        let mut lengths: Vec<i32> = words.iter().map(|w| (w.len() * 7 % 10) as i32).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let numbers = ffi.new("int[]", lengths.clone())?;
        let key = 7; // borrowed by the comparator for the call
        let find = closure(|args| Ok::<_, Error>(key.cmp(&args.deref::<i32>(1)?) as i32));
        let hit = libc.call("bsearch", (rcffi::NULL, &numbers, lengths.len(), 4, find))?;
        let found = if hit.cdata()?.is_null() {
            "missing"
        } else {
            "found"
        };
        println!("{key} is {found} among {lengths:?}");

        let broken = ffi.callback("int(*)(const void *, const void *, void *)", |_| {
            Err::<i32, _>(Error::Value("this comparator fails".into()))
        })?;
        let failed = libc.call("qsort_r", (&array, n, size, &broken, rcffi::NULL));
        println!(
            "a failing comparator: {}",
            failed.expect_err("the call returns the failure")
        );
    }
    Ok(())
}

//! Sorting and searching with C's comparators: `qsort_r` with a Rust value passed through C as
//! a handle, `bsearch` with a closure that borrows the key, and a comparator that fails — the
//! call returns its error.
//!
//! `cargo run -p rcffi-examples --bin sorting [WORD...]`
//!
//! The same program with Python's cffi, for comparison:
//!
//! ```python
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
//! @ffi.callback("int(const void *, const void *)", onerror=...)
//! def broken(a, b):
//!     raise ValueError("this comparator fails")
//! libc.qsort_r(...)  # cffi prints the exception and goes on; the caller does not learn of it
//! ```

use anyhow::{Result, ensure};
use rcffi::{Error, Ffi, closure};

/// How to order: passed through C as `qsort_r`'s `void *arg`.
struct Order {
    descending: bool,
}

fn main() -> Result<()> {
    let mut words: Vec<String> = std::env::args().skip(1).collect();
    if words.is_empty() {
        words = ["pear", "fig", "banana", "kiwi", "apple"]
            .map(String::from)
            .to_vec();
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
        let texts = words
            .iter()
            .map(|w| ffi.new("char[]", w.as_str()))
            .collect::<rcffi::Result<Vec<_>>>()?;
        let array = ffi.new("char *[]", texts)?; // keeps the strings alive
        let by_length = ffi.callback("int(*)(const void *, const void *, void *)", |args| {
            let order = args.ffi().from_handle::<Order>(&args.get(2)?)?;
            let (a, b): (*const i8, *const i8) = (args.deref(0)?, args.deref(1)?);
            let (a, b) = (std::ffi::CStr::from_ptr(a), std::ffi::CStr::from_ptr(b));
            let ord = (a.count_bytes(), a).cmp(&(b.count_bytes(), b));
            Ok::<_, Error>(if order.descending { ord.reverse() } else { ord } as i32)
        })?;
        let order = ffi.new_handle(Order { descending: true });
        libc.call(
            "qsort_r",
            (
                &array,
                words.len(),
                ffi.sizeof("char *")?,
                &by_length,
                &order,
            ),
        )?;
        let sorted: Vec<String> = array
            .iter()?
            .map(|p| String::try_from(ffi.string_unchecked(&p?, None)?))
            .collect::<rcffi::Result<_>>()?;
        println!("longest first: {sorted:?}");

        let mut lengths: Vec<i32> = words.iter().map(|w| (w.len() * 7 % 10) as i32).collect();
        lengths.sort_unstable();
        lengths.dedup();
        let numbers = ffi.new("int[]", lengths.clone())?;
        let key = 7; // borrowed by the comparator for the call
        let find = closure(|args| {
            let item: i32 = args.deref(1)?;
            Ok::<_, Error>(key.cmp(&item) as i32)
        });
        let hit = libc.call("bsearch", (rcffi::NULL, &numbers, lengths.len(), 4, find))?;
        let found = !hit.cdata()?.is_null();
        ensure!(
            found == lengths.contains(&key),
            "bsearch disagrees with Rust"
        );
        println!(
            "{key} is {} among {lengths:?}",
            if found { "found" } else { "missing" }
        );

        let broken = ffi.callback("int(*)(const void *, const void *, void *)", |_| {
            Err::<i32, _>(Error::Value("this comparator fails".into()))
        })?;
        let failed = libc.call(
            "qsort_r",
            (
                &array,
                words.len(),
                ffi.sizeof("char *")?,
                &broken,
                rcffi::NULL,
            ),
        );
        println!(
            "a failing comparator: {}",
            failed.expect_err("the call returns the failure")
        );
    }
    Ok(())
}

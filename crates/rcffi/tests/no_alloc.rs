//! Calls with scalar arguments do not allocate: a counting global allocator watches the
//! calling thread while it makes thousands of calls through function handles, by name, and
//! through function pointer cdata (pointer arguments and short strings included).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use rcffi::{Ffi, Value, list};

struct Counting;

thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts (in thread-locals with const
// initializers, which never allocate).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            COUNT.with(|c| c.set(c.get() + 1));
        }
        // SAFETY: the caller's layout, as GlobalAlloc requires.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    WATCHING.with(|w| w.set(true));
    f();
    WATCHING.with(|w| w.set(false));
    COUNT.with(Cell::get)
}

#[test]
fn scalar_calls_do_not_allocate() {
    let ffi = Ffi::default();
    ffi.cdef(
        "int add(int, int); double addd(double, double);
         double mixed6(int, double, long long, float, signed char, unsigned short);
         void *id_ptr(void *); size_t fx_strlen(const char *); int vsum(int n, ...);
         struct pt { int x, y; }; struct pt mid(struct pt, struct pt);",
    )
    .unwrap();
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library defines these functions as declared.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let add = lib.function("add").unwrap();
    let addd = lib.function("addd").unwrap();
    let mixed6 = lib.function("mixed6").unwrap();
    let id_ptr = lib.function("id_ptr").unwrap();
    let strlen = lib.function("fx_strlen").unwrap();
    let p = ffi.new("int *", 1).unwrap();
    let chars = ffi.new("char[8]", &b"hi"[..]).unwrap();
    let fp = ffi.cast("int(*)(int, int)", add.address()).unwrap();
    let vsum = lib.function("vsum").unwrap();
    // SAFETY: the fixture's functions with the declared argument types (as all calls below).
    let warm_up = || unsafe {
        add.call((1, 2)).unwrap();
        addd.call((1.0, 2.0)).unwrap();
        mixed6.call((1, 2.0, 3i64, 4.0f32, 5, 6u16)).unwrap();
        id_ptr.call((&p,)).unwrap();
        strlen.call(("hello",)).unwrap();
        strlen.call((c"hello",)).unwrap();
        strlen.call((&chars,)).unwrap();
        lib.call("add", (1, 2)).unwrap();
        fp.call((1, 2)).unwrap();
        vsum.call((3, 1, 2, 3)).unwrap();
        add.call(&[Value::Int(1), Value::Int(2)][..]).unwrap();
    };
    warm_up();
    // A list of values, as a script passes its arguments: the converting path, its
    // arguments on the stack up to eight.
    // `vsum(n, 1, ..., n)`: `n + 1` values.
    let values: Vec<Vec<Value>> = (0..8i128)
        .map(|n| std::iter::once(n).chain(1..=n).map(Value::Int).collect())
        .collect();
    for list in &values {
        // SAFETY: as above (each shape's first call builds its plan).
        unsafe { vsum.call(&list[..]).unwrap() };
    }
    let n = allocations(|| {
        for i in 0..2000 {
            // SAFETY: as above.
            unsafe {
                assert_eq!(add.call((i, 1)).unwrap(), (i + 1).into());
                addd.call((f64::from(i), 0.5)).unwrap();
                mixed6.call((i, 2.0, 3i64, 4.0f32, 5, 6u16)).unwrap();
                id_ptr.call((&p,)).unwrap();
                strlen.call(("hello",)).unwrap();
                // A C string (a plain argument) and an array for a `char *`.
                assert_eq!(strlen.call((c"hello",)).unwrap(), 5.into());
                assert_eq!(strlen.call((&chars,)).unwrap(), 2.into());
                lib.call("add", (i, 2)).unwrap();
                fp.call((i, 3)).unwrap();
                // A variadic call whose shape this thread used before: no key, no lookup.
                assert_eq!(vsum.call((3, i, 2, 3)).unwrap(), (i + 5).into());
                let pair = [Value::Int(i.into()), Value::Int(4)];
                assert_eq!(add.call(&pair[..]).unwrap(), (i + 4).into());
                // Values in a tuple, owned and borrowed (`plain_values`).
                assert_eq!(add.call((&pair[0], Value::Int(5))).unwrap(), (i + 5).into());
                addd.call((Value::Float(0.5), &Value::Float(f64::from(i))))
                    .unwrap();
                // `vsum` with one to eight values.
                let n = i128::from(i % 8);
                let list = &values[usize::try_from(n).unwrap()];
                assert_eq!(vsum.call(&list[..]).unwrap(), Value::Int(n * (n + 1) / 2));
            }
        }
    });
    assert_eq!(n, 0, "allocations during 28,000 scalar calls");
    // Structs by value make their result (an owned cdata) in one block per call, which comes
    // from the blocks this thread freed before: once warm, the system allocator is not asked
    // (unless recycling is off, as under memcheck.sh: then one allocation per call).
    let mid = lib.function("mid").unwrap();
    let a = ffi.new("struct pt *", list![1, 2]).unwrap().get(0).unwrap();
    // SAFETY: as above.
    unsafe { drop(mid.call((&a, &a)).unwrap()) };
    // SAFETY: as above.
    let n = allocations(|| unsafe {
        for _ in 0..100 {
            drop(mid.call((&a, &a)).unwrap());
        }
    });
    let recycled = std::env::var_os("RCFFI_NO_RECYCLE").is_none_or(|v| v == "0");
    assert_eq!(
        n,
        if recycled { 0 } else { 100 },
        "a struct result is one block per call"
    );
}

/// A `char` result, a `char` item read, a `char` value passed on, a short string read
/// (`ffi.string`) and a short `char` array unpacked, 3,000 of each: up to 16 bytes are held in their `Bytes` in place (issue 18:
/// no allocation for results).
#[test]
fn chars_are_returned_and_read_without_allocating() {
    let ffi = Ffi::default();
    // `add` returns an `int` in the register a `char` result comes back in; its `char`
    // parameter arrives extended, as an `int` would.
    ffi.cdef("char addc(char, int) __asm__(\"add\");").unwrap();
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library defines `add(int, int)`, which the declaration calls as
    // described above.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let addc = lib.function("addc").unwrap();
    let chars = ffi.new("char[8]", &b"hi"[..]).unwrap();
    let mut last = Value::Void;
    let n = allocations(|| {
        for i in 0..3_000 {
            // SAFETY: as declared.
            let r = unsafe { addc.call((&b"a"[..], i % 3)) }.unwrap();
            let c = chars.get(1).unwrap();
            // SAFETY: as declared.
            last = unsafe { addc.call((&c, 1)) }.unwrap();
            assert_eq!(r, Value::from(&[b'a' + (i % 3) as u8]));
            assert_eq!(ffi.string(&chars, None).unwrap(), Value::from(b"hi"));
            assert_eq!(ffi.unpack(&chars, 3).unwrap(), Value::from(b"hi\0"));
        }
    });
    assert_eq!(last, Value::from(b"j"));
    assert_eq!(
        n, 0,
        "allocations during 3,000 char calls and reads, and strings read"
    );
}

/// Struct results of 8 to 256 bytes, in registers and through memory, once warm: the result
/// blocks come back from this thread's recycled ones (issue 18: no allocation for results up
/// to 256 bytes, and past them too); and up to 2 KiB (`call_into`'s own buffer) written
/// into memory the caller gives, recycled blocks or not (`RCFFI_NO_RECYCLE=1`).
#[test]
fn struct_results_up_to_256_bytes_do_not_allocate() {
    let mut src = String::new();
    let mut cdef = String::new();
    let sizes = [8usize, 16, 24, 64, 256, 1024, 2048];
    for size in sizes {
        let k = size / 8;
        src.push_str(&format!(
            "typedef struct {{ long long v[{k}]; }} s{size}_t;\n\
             s{size}_t echo{size}(s{size}_t a, int d) {{ a.v[0] += d; return a; }}\n"
        ));
        cdef.push_str(&format!(
            "typedef struct {{ long long v[{k}]; }} s{size}_t; s{size}_t echo{size}(s{size}_t a, int d);\n"
        ));
    }
    let path = rcffi_testkit::fixture::build_shared("no_alloc_structs", &src, &["-O1"]).unwrap();
    let ffi = Ffi::default();
    ffi.cdef(&cdef).unwrap();
    // SAFETY: the library is built from `src`, which `cdef` declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let recycled = std::env::var_os("RCFFI_NO_RECYCLE").is_none_or(|v| v == "0");
    for size in sizes {
        let f = lib.function(&format!("echo{size}")).unwrap();
        let a = ffi
            .new(format!("s{size}_t *").as_str(), ())
            .unwrap()
            .get(0)
            .unwrap();
        // SAFETY: each echo function takes its struct and an int, as declared.
        let call = |d: i32| unsafe { f.call((&a, d)) }.unwrap();
        // The result is the struct with its first member moved by `d`: the call happened.
        let first = |v: rcffi::Value| v.cdata().unwrap().field("v").unwrap();
        assert_eq!(
            first(call(5)).cdata().unwrap().get(0).unwrap(),
            5.into(),
            "{size}"
        );
        let n = allocations(|| {
            for d in 0..100 {
                drop(call(d));
            }
        });
        assert_eq!(
            n,
            if recycled { 0 } else { 100 },
            "allocations in 100 calls returning a struct of {size} bytes"
        );
        // Into memory the caller gives (`call_into`): nothing, recycled or not.
        let out = ffi.new(format!("s{size}_t *").as_str(), ()).unwrap();
        let into = |d: i32| {
            // SAFETY: as above.
            unsafe { f.call_into(&out, (&a, d)) }.unwrap();
        };
        into(7);
        assert_eq!(
            out.field("v").unwrap().cdata().unwrap().get(0).unwrap(),
            7.into()
        );
        let n = allocations(|| (0..100).for_each(into));
        assert_eq!(
            n, 0,
            "allocations in 100 call_into of a struct of {size} bytes"
        );
        assert_eq!(
            out.field("v").unwrap().cdata().unwrap().get(0).unwrap(),
            99.into()
        );
    }
}

/// `new` of a number, or of a small struct or array without an initializer (issue 18, item
/// 6): once warm, each cdata's block comes back from the ones this thread freed.
#[test]
fn new_of_numbers_and_small_structs_does_not_allocate() {
    let ffi = Ffi::default();
    ffi.cdef("struct pt { int x, y; };").unwrap();
    let recycled = std::env::var_os("RCFFI_NO_RECYCLE").is_none_or(|v| v == "0");
    let make = |i: i32| {
        let a = ffi.new("int *", i).unwrap();
        let b = ffi.new("double *", f64::from(i) / 2.0).unwrap();
        let c = ffi.new("struct pt *", ()).unwrap();
        let d = ffi.new("int[10]", ()).unwrap();
        let e = ffi.new("unsigned char[]", 200).unwrap();
        assert_eq!(a.get(0).unwrap(), i.into());
        assert_eq!((d.len().unwrap(), d.get(9).unwrap()), (10, 0.into()));
        assert_eq!((e.len().unwrap(), e.get_as::<u8>(199).unwrap()), (200, 0));
        assert_eq!(b.get(0).unwrap(), (f64::from(i) / 2.0).into());
        assert_eq!(c.field("y").unwrap(), 0.into());
    };
    make(-1);
    let n = allocations(|| {
        for i in 0..100 {
            make(i);
        }
    });
    assert_eq!(
        n,
        if recycled { 0 } else { 500 },
        "allocations in 100 rounds of five news"
    );
}

/// Rust numbers for a pointer to their own C type (`&[i32]` for a `const int *`) are copied
/// into the call's stack area: up to its 256 bytes nothing is allocated, past them one heap
/// buffer per call (the converting path made a `Value`'s copy and a temporary cdata array).
/// Numbers lent in place (`&mut [i32]`) are never copied.
#[test]
fn number_slices_are_copied_without_allocating() {
    let ffi = Ffi::default();
    ffi.cdef("int sum_arr(const int *a, int n); void fill(int *out, int n, int v);")
        .unwrap();
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library defines sum_arr as declared.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let sum_arr = lib.function("sum_arr").unwrap();
    let fill = lib.function("fill").unwrap();
    let mut out = vec![0i32; 1000];
    let small: Vec<i32> = (1..=64).collect();
    let big: Vec<i32> = (1..=1000).collect();
    let four = [1, 2, 3, 4];
    // SAFETY: sum_arr reads n ints of a (as every call below).
    unsafe { sum_arr.call((&small[..], 64)).unwrap() };
    let n = allocations(|| {
        for _ in 0..500 {
            // SAFETY: as above.
            unsafe {
                assert_eq!(sum_arr.call((&small[..], 64)).unwrap(), Value::Int(2080));
                assert_eq!(sum_arr.call((four, 4)).unwrap(), Value::Int(10));
                assert_eq!(sum_arr.call((&four, 4)).unwrap(), Value::Int(10));
                assert_eq!(sum_arr.call((&small, 3)).unwrap(), Value::Int(6));
                fill.call((&mut out, 1000, 7)).unwrap();
            }
        }
    });
    // (fill writes `v + i` into item `i`.)
    assert!(out.iter().enumerate().all(|(i, x)| *x == 7 + i as i32));
    assert_eq!(
        n, 0,
        "allocations during 2,500 calls with numbers copied or lent"
    );
    let n = allocations(|| {
        for _ in 0..100 {
            // SAFETY: as above.
            unsafe { assert_eq!(sum_arr.call((&big[..], 1000)).unwrap(), Value::Int(500500)) };
        }
    });
    assert_eq!(
        n, 100,
        "one heap buffer per call with 4,000 bytes of numbers"
    );
}

/// A handle's value taken back — from the handle, and from its bare address as C hands it to
/// a callback — and reads of borrowed bytes (`with_buffer`) allocate nothing: one thread's
/// counts stay one word (they spread into lanes, once, only when two threads meet on them).
#[test]
fn handles_and_borrowed_bytes_are_read_without_allocating() {
    let ffi = Ffi::default();
    let h = ffi.new_handle(String::from("state"));
    let raw = ffi.cast("void *", h.address() as u64).unwrap();
    let mut bytes = vec![7u8; 16];
    let n = allocations(|| {
        for _ in 0..1000 {
            assert_eq!(ffi.from_handle::<String>(&h).unwrap().len(), 5);
            assert_eq!(ffi.from_handle::<String>(&raw).unwrap().len(), 5);
        }
    });
    assert_eq!(n, 0, "allocations in 2,000 from_handle calls");
    ffi.with_buffer("unsigned char[]", &mut bytes, |lent| {
        let n = allocations(|| {
            for i in 0..1000isize {
                assert_eq!(lent.get_as::<u8>(i % 16).unwrap(), 7);
            }
        });
        assert_eq!(n, 0, "allocations in 1,000 reads of borrowed bytes");
    })
    .unwrap();
}

//! The ownership model: memory keeps alive what the pointers stored in it point into, found
//! by address, so pointers that C moves or hands back into the caller's buffers are bounded
//! views without `unsafe`; dropping memory is iterative; storing is `O(log n)`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcffi::{CData, Ffi, Lib, Value};

use crate::err_has;

const LIBC: &str = "
    void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));
    void qsort_r(void *base, size_t n, size_t size,
                 int (*cmp)(const void *, const void *, void *), void *arg);
    int strcmp(const char *a, const char *b);
    void *memmove(void *dst, const void *src, size_t n);
    char *strchr(const char *s, int c);
    char *strtok_r(char *s, const char *delim, char **saveptr);
    long strtol(const char *s, char **endptr, int base);
    void *bsearch(const void *key, const void *base, size_t n, size_t size,
                  int (*cmp)(const void *, const void *));
    struct passwd { char *pw_name; char *pw_passwd; unsigned pw_uid; unsigned pw_gid;
                    char *pw_gecos; char *pw_dir; char *pw_shell; };
    int getpwuid_r(unsigned uid, struct passwd *pwd, char *buf, size_t n, struct passwd **result);
    extern char *optarg;
";

fn libc() -> (Ffi, Lib) {
    let ffi = Ffi::default();
    ffi.cdef(LIBC).unwrap();
    // SAFETY: the C library, declared as glibc declares it.
    let lib = unsafe { ffi.dlopen("c") }.unwrap();
    (ffi, lib)
}

fn text(ffi: &Ffi, v: Value) -> String {
    let c = v.cdata().unwrap();
    ffi.string(&c, None)
        .unwrap()
        .to_string_lossy()
        .unwrap()
        .into_owned()
}

/// A comparator of two `char *` slots, as C's `qsort` passes them.
fn by_string(ffi: &Ffi) -> CData {
    let f = ffi.clone();
    ffi.callback("int(*)(const void *, const void *)", move |args| {
        // SAFETY: qsort passes pointers to two `char *` slots of the array, each pointing to
        // a C string.
        let (a, b): (usize, usize) = unsafe { (args.deref(0)?, args.deref(1)?) };
        // SAFETY: as above: the slots hold C strings.
        let (a, b) = unsafe {
            (
                f.string_unchecked(&f.cast("char *", a as u64)?, None)?,
                f.string_unchecked(&f.cast("char *", b as u64)?, None)?,
            )
        };
        Ok::<_, rcffi::Error>(match (a, b) {
            (Value::Bytes(a), Value::Bytes(b)) => a.cmp(&b) as i32,
            _ => 0,
        })
    })
    .unwrap()
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn qsort_of_strings_reads_the_sorted_strings_without_unsafe() {
    let (ffi, libc) = libc();
    let words = ["pear", "apple", "fig", "banana", "cherry"];
    let strings: Vec<Value> = words
        .iter()
        .map(|w| ffi.new("char[]", *w).unwrap().into())
        .collect();
    let arr = ffi.new("char *[]", Value::List(strings)).unwrap();
    // The strings live as long as the array points into them.
    let cmp = by_string(&ffi);
    // SAFETY: qsort sorts 5 pointer-sized items with a comparator of their type.
    unsafe { libc.call("qsort", (&arr, 5, 8, &cmp)) }.unwrap();
    // C permuted the slots: each read used to get the first slot's bounds ("access of 0
    // bytes ... outside the 5 bytes that this cdata may use").
    let sorted: Vec<String> = (0..5).map(|i| text(&ffi, arr.get(i).unwrap())).collect();
    assert_eq!(sorted, ["apple", "banana", "cherry", "fig", "pear"]);
    // Each is a view of its own string, with its bounds.
    let first = arr.get(0).unwrap().cdata().unwrap();
    assert_eq!(first.get(5).unwrap(), Value::Bytes(vec![0].into()));
    assert!(first.get(6).is_err());
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn qsort_r_of_structs_holding_strings() {
    let (ffi, libc) = libc();
    ffi.cdef("struct kv { int k; char *name; };").unwrap();
    let items = ffi.new("struct kv[3]", ()).unwrap();
    for (i, (k, name)) in [(3, "three"), (1, "one"), (2, "two")].iter().enumerate() {
        let s = items.get(i as isize).unwrap().cdata().unwrap();
        s.set_field("k", *k).unwrap();
        s.set_field("name", ffi.new("char[]", *name).unwrap())
            .unwrap();
    }
    let cmp = ffi
        .callback("int(*)(const void *, const void *, void *)", |args| {
            // SAFETY: qsort_r passes pointers to two `struct kv`, whose first member is
            // the int key.
            let (a, b): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
            Ok::<_, rcffi::Error>(a - b)
        })
        .unwrap();
    // SAFETY: qsort_r sorts 3 structs of 16 bytes with a comparator of their type.
    unsafe { libc.call("qsort_r", (&items, 3, 16, &cmp, None::<&CData>)) }.unwrap();
    let names: Vec<String> = (0..3)
        .map(|i| {
            let s = items.get(i).unwrap().cdata().unwrap();
            text(&ffi, s.field("name").unwrap())
        })
        .collect();
    assert_eq!(names, ["one", "two", "three"]);
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_c_memmove_of_pointer_slots_keeps_their_bounds() {
    let (ffi, libc) = libc();
    let a = ffi.new("char[]", "alpha").unwrap();
    let b = ffi.new("char[]", "beta").unwrap();
    let arr = ffi.new("char *[4]", [a, b]).unwrap();
    // SAFETY: 16 bytes inside the 32-byte array, overlapping.
    unsafe { libc.call("memmove", (&arr.offset(1).unwrap(), &arr, 16)) }.unwrap();
    let got: Vec<String> = (0..3).map(|i| text(&ffi, arr.get(i).unwrap())).collect();
    assert_eq!(got, ["alpha", "alpha", "beta"]);
    // The same through rcffi's memmove, into another array: it keeps both strings.
    let other = ffi.new("char *[2]", ()).unwrap();
    ffi.memmove(&other, arr.offset(1).unwrap(), 16).unwrap();
    drop(arr);
    assert_eq!(text(&ffi, other.get(1).unwrap()), "beta");
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn pointers_returned_into_the_callers_buffers_are_views_of_them() {
    let (ffi, libc) = libc();
    let buf = ffi.new("char[]", "hello world").unwrap();
    // SAFETY: a C string and a character.
    let l = unsafe { libc.call("strchr", (&buf, b'w' as i32)) }.unwrap();
    let l = l.cdata().unwrap();
    drop(buf);
    // Foreign before: `string` needed `unsafe`. Now a view of `buf`, which it keeps alive.
    assert_eq!(ffi.string(&l, None).unwrap(), Value::Bytes(b"world".into()));
    assert!(l.get(5).is_ok());
    assert!(l.get(6).is_err());
    // bsearch: a pointer into the array searched.
    let sorted = ffi.new("int[]", [1, 3, 5, 7, 9]).unwrap();
    let key = ffi.new("int *", 7).unwrap();
    let cmp = ffi
        .callback("int(*)(const void *, const void *)", |args| {
            // SAFETY: bsearch passes pointers to two ints.
            let (a, b): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
            Ok::<_, rcffi::Error>(a - b)
        })
        .unwrap();
    // SAFETY: bsearch over 5 ints with an int comparator.
    let hit = unsafe { libc.call("bsearch", (&key, &sorted, 5, 4, &cmp)) }.unwrap();
    let hit = ffi.cast("int *", hit).unwrap();
    assert_eq!(hit.get(0).unwrap(), Value::Int(7));
    assert_eq!(hit.get(1).unwrap(), Value::Int(9));
    assert!(hit.get(2).is_err());
    // A pointer to elsewhere stays foreign.
    // SAFETY: as above.
    let miss = unsafe { libc.call("strchr", ("abc", b'b' as i32)) }.unwrap();
    err_has(
        ffi.string(&miss.cdata().unwrap(), None),
        "does not know this memory",
    );
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn pointers_c_writes_into_out_parameters_are_views_of_the_callers_buffers() {
    let (ffi, libc) = libc();
    let line = ffi.new("char[]", "one two three").unwrap();
    let save = ffi.new("char **", ()).unwrap();
    let mut words = Vec::new();
    let mut first = Some(&line);
    loop {
        // SAFETY: strtok_r over a writable C string, with a place for its position.
        let w = unsafe { libc.call("strtok_r", (first, " ", &save)) }.unwrap();
        first = None;
        let w = w.cdata().unwrap();
        if w.is_null() {
            break;
        }
        words.push(text(&ffi, w.into()));
        // The position C keeps in `save` points into `line`: a view of it.
        assert!(save.get(0).unwrap().cdata().unwrap().get(0).is_ok());
    }
    assert_eq!(words, ["one", "two", "three"]);
    let num = ffi.new("char[]", "123abc").unwrap();
    let end = ffi.new("char **", ()).unwrap();
    // SAFETY: a C string, a place for the end, base 10.
    let n = unsafe { libc.call("strtol", (&num, &end, 10)) };
    assert_eq!(n.unwrap(), Value::Int(123));
    drop(num);
    assert_eq!(text(&ffi, end.get(0).unwrap()), "abc");
    // A struct whose pointer members C points into another argument's buffer.
    let pwd = ffi.new("struct passwd *", ()).unwrap();
    let buf = ffi.new("char[4096]", ()).unwrap();
    let result = ffi.new("struct passwd **", ()).unwrap();
    // SAFETY: as getpwuid_r expects: a struct, a buffer and its size, a result place.
    let rc = unsafe { libc.call("getpwuid_r", (0, &pwd, &buf, 4096, &result)) }.unwrap();
    let found = result.get(0).unwrap().cdata().unwrap();
    let has_root = std::fs::read_to_string("/etc/passwd").is_ok_and(|p| p.starts_with("root:"));
    if has_root {
        assert_eq!(rc, Value::Int(0));
        assert!(!found.is_null());
        drop(buf);
        assert_eq!(found.address(), pwd.address());
        assert_eq!(text(&ffi, found.field("pw_name").unwrap()), "root");
        assert!(!text(&ffi, pwd.field("pw_dir").unwrap()).is_empty());
    }
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_library_global_keeps_what_is_stored_into_it() {
    let (ffi, libc) = libc();
    let before = libc.get("optarg").unwrap();
    let freed = Arc::new(AtomicUsize::new(0));
    let f = freed.clone();
    let temp = ffi.gc(&ffi.new("char[]", "temp").unwrap(), move |_| {
        f.fetch_add(1, Ordering::SeqCst);
    });
    libc.set("optarg", &temp).unwrap();
    drop(temp);
    // The global points into the temporary: it lives while the global does (it was freed
    // here before, leaving the C global dangling).
    assert_eq!(freed.load(Ordering::SeqCst), 0);
    assert_eq!(text(&ffi, libc.get("optarg").unwrap()), "temp");
    libc.set("optarg", before).unwrap();
    assert_eq!(freed.load(Ordering::SeqCst), 1);
}

#[test]
fn overwriting_a_pointer_lets_its_memory_go() {
    let ffi = Ffi::default();
    let freed = Arc::new(AtomicUsize::new(0));
    let tracked = |n: i32| {
        let f = freed.clone();
        ffi.gc(&ffi.new("int *", n).unwrap(), move |_| {
            f.fetch_add(1, Ordering::SeqCst);
        })
    };
    let slots = ffi.new("int *[3]", ()).unwrap();
    slots.set(0, tracked(1)).unwrap();
    slots.set(1, slots.get(0).unwrap()).unwrap();
    slots.set(2, tracked(2)).unwrap();
    assert_eq!(freed.load(Ordering::SeqCst), 0);
    slots.set(0, ffi.null()).unwrap();
    assert_eq!(freed.load(Ordering::SeqCst), 0, "slot 1 still points there");
    // A number written over a pointer releases it too.
    let as_long = ffi.cast("long *", &slots).unwrap();
    as_long.set(1, 0).unwrap();
    assert_eq!(freed.load(Ordering::SeqCst), 1);
    ffi.memmove(&slots.offset(2).unwrap(), vec![0u8; 8], 8)
        .unwrap();
    assert_eq!(freed.load(Ordering::SeqCst), 2);
}

#[test]
fn a_number_written_over_a_pointer_lets_it_go_in_every_kind_of_memory() {
    // A number stored where a pointer was releases what the pointer kept, in lent bytes and
    // in memory under a `gc` destructor (the direct path's stores) as in rcffi's own.
    let ffi = Ffi::default();
    type Maker<'a> = Box<dyn Fn() -> CData + 'a>;
    let makers: [(&str, Maker<'_>); 3] = [
        ("new", Box::new(|| ffi.new("int *[2]", ()).unwrap())),
        (
            "from_buffer",
            Box::new(|| ffi.from_buffer("int *[]", vec![0u8; 16]).unwrap()),
        ),
        (
            "gc",
            Box::new(|| ffi.gc(&ffi.new("int *[2]", ()).unwrap(), |_| {})),
        ),
    ];
    for (what, make) in makers {
        let freed = Arc::new(AtomicUsize::new(0));
        let f = freed.clone();
        let slots = make();
        slots
            .set(
                1,
                ffi.gc(&ffi.new("int *", 5).unwrap(), move |_| {
                    f.fetch_add(1, Ordering::SeqCst);
                }),
            )
            .unwrap();
        assert_eq!(freed.load(Ordering::SeqCst), 0, "{what}: kept by the slot");
        let as_long = ffi.cast("long *", &slots).unwrap();
        as_long.set(1, 0).unwrap();
        assert_eq!(freed.load(Ordering::SeqCst), 1, "{what}: let go");
    }
}

#[test]
fn a_copy_of_a_self_pointer_keeps_its_memory_alive() {
    let ffi = Ffi::default();
    ffi.cdef("struct s { char buf[8]; char *cur; };").unwrap();
    let a = ffi.new("struct s *", [b"abcdefg".to_vec()]).unwrap();
    a.set_field("cur", ffi.addressof(&a, "buf[3]").unwrap())
        .unwrap();
    let b = ffi.new("struct s *", a.get(0).unwrap()).unwrap();
    drop(a);
    assert_eq!(text(&ffi, b.field("cur").unwrap()), "defg");
}

/// A struct item assigned from a struct of its very type (`p[i] = q[0]`, which copies without
/// the general conversion) carries what the struct's pointers keep alive: the copy keeps the
/// string after the source and the string's own cdata are gone, and lets go of it when
/// overwritten.
#[test]
fn a_struct_item_assigned_from_a_struct_keeps_what_it_points_to() {
    let ffi = Ffi::default();
    ffi.cdef("struct named { char *name; int n; };").unwrap();
    let freed = Arc::new(AtomicUsize::new(0));
    let f = freed.clone();
    let name = ffi.gc(&ffi.new("char[]", "kept").unwrap(), move |_| {
        f.fetch_add(1, Ordering::SeqCst);
    });
    let src = ffi.new("struct named *", ()).unwrap();
    src.set_field("name", &name).unwrap();
    src.set_field("n", 7).unwrap();
    drop(name);
    let dst = ffi.new("struct named[2]", ()).unwrap();
    dst.set(1, src.get(0).unwrap()).unwrap();
    drop(src);
    assert_eq!(freed.load(Ordering::SeqCst), 0, "the copy keeps the string");
    let item = dst.get(1).unwrap().cdata().unwrap();
    assert_eq!(text(&ffi, item.field("name").unwrap()), "kept");
    assert_eq!(item.field("n").unwrap(), 7.into());
    drop(item);
    // Overwritten by a struct of the same type holding NULL: the string goes.
    dst.set(1, dst.get(0).unwrap()).unwrap();
    assert_eq!(freed.load(Ordering::SeqCst), 1, "overwritten: let go");
}

/// Nodes of the list dropped on a small stack (fewer under Miri, which is slow, and whose
/// interpreter frames are bigger).
const NODES: i32 = if cfg!(miri) { 5_000 } else { 200_000 };

#[test]
fn dropping_a_long_linked_list_does_not_overflow_the_stack() {
    // Each node's drop dropped the next through the keep-alive list, recursively: about
    // 50,000 nodes overflowed a 2 MiB stack. Here a 256 KiB one and 200,000 nodes.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let ffi = Ffi::default();
            ffi.cdef("struct node { struct node *next; int v; };")
                .unwrap();
            let mut head = ffi.new("struct node *", ()).unwrap();
            for i in 0..NODES {
                let n = ffi.new("struct node *", ()).unwrap();
                n.set_field("next", &head).unwrap();
                n.set_field("v", i).unwrap();
                head = n;
            }
            assert_eq!(
                head.field("next")
                    .unwrap()
                    .cdata()
                    .unwrap()
                    .field("v")
                    .unwrap(),
                Value::Int(NODES as i128 - 2)
            );
            drop(head);
            // gc of gc of gc...: each gc holds the one before.
            let mut g = ffi.new("int *", ()).unwrap();
            for _ in 0..NODES / 2 {
                g = ffi.gc(&g, |_| {});
            }
            // Reaching the memory through the chain recursed once per gc too.
            g.set(0, 7).unwrap();
            assert_eq!(g.get(0).unwrap(), Value::Int(7));
            drop(g);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn storing_many_pointers_is_not_quadratic() {
    // 100,000 stores took 20-40 s (a Vec scanned on every store and load); 300,000 would take
    // minutes. Here they must finish well within a deadline a hundred times what they take
    // (a hang detector, not a timing test), read back, and all be released by overwriting.
    crate::within(120, || {
        let ffi = Ffi::default();
        let n = if cfg!(miri) {
            2_000
        } else if crate::under_valgrind() {
            30_000
        } else {
            300_000
        };
        let arr = ffi.new("char *[]", n).unwrap();
        let freed = Arc::new(AtomicUsize::new(0));
        for i in 0..n as isize {
            let f = freed.clone();
            let s = ffi.gc(&ffi.new("char[]", "x").unwrap(), move |_| {
                f.fetch_add(1, Ordering::Relaxed);
            });
            arr.set(i, s).unwrap();
        }
        for i in (0..n as isize).step_by(997) {
            assert_eq!(text(&ffi, arr.get(i).unwrap()), "x");
        }
        for i in 0..n as isize {
            arr.set(i, ffi.null()).unwrap();
        }
        assert_eq!(freed.load(Ordering::Relaxed), n);
    });
}

#[test]
fn storing_many_owners_of_one_memory_is_not_quadratic() {
    // Each `gc` of one string is an owner of the same memory: a keep set compared every store
    // with every owner of that memory kept before (32,000 stores: 1.6 s in release; 300,000:
    // minutes). Within the hang detector's deadline; every one kept while stored, read back,
    // and each destructor run once when the slots are overwritten. (Which owner an overwrite
    // releases is the memory's, not the slot's: a pointer is an address.)
    crate::within(120, || {
        let ffi = Ffi::default();
        let n = if cfg!(miri) {
            500
        } else if crate::under_valgrind() {
            20_000
        } else {
            300_000
        };
        let arr = ffi.new("char *[]", n).unwrap();
        let s = ffi.new("char[]", "shared").unwrap();
        let freed = Arc::new(AtomicUsize::new(0));
        for i in 0..n as isize {
            let f = freed.clone();
            let g = ffi.gc(&s, move |_| {
                f.fetch_add(1, Ordering::Relaxed);
            });
            arr.set(i, &g).unwrap();
        }
        drop(s);
        assert_eq!(
            freed.load(Ordering::Relaxed),
            0,
            "the slots keep every gc alive"
        );
        for i in (0..n as isize).step_by(997) {
            assert_eq!(text(&ffi, arr.get(i).unwrap()), "shared");
        }
        for i in 0..n as isize {
            arr.set(i, ffi.null()).unwrap();
        }
        assert_eq!(freed.load(Ordering::Relaxed), n);
    });
}

/// Memory of 56 bytes or fewer (a compact block, whose keep set its chunk holds) keeps what a
/// pointer stored in it points into, as bigger memory does: stored through its own pointer
/// type (one pointer, an array of two, arrays of seven side by side), through a cast of memory
/// made for an integer, and by C into an out-parameter; and lets go of it when it goes.
#[test]
fn small_memory_keeps_what_is_stored_in_it() {
    let (ffi, lib) = libc();
    let released = Arc::new(AtomicUsize::new(0));
    let tracked = |s: &str| {
        let r = released.clone();
        ffi.gc(&ffi.new("char[]", s).unwrap(), move |_| {
            r.fetch_add(1, Ordering::SeqCst);
        })
    };
    // Its own pointer type.
    let pp = ffi.new("char **", ()).unwrap();
    pp.set(0, tracked("own")).unwrap();
    assert_eq!(text(&ffi, pp.get(0).unwrap()), "own");
    // A struct of two pointers (16 bytes: a block of 32).
    let pair = ffi.new("char *[2]", ()).unwrap();
    pair.set(0, tracked("first")).unwrap();
    pair.set(1, tracked("second")).unwrap();
    assert_eq!(text(&ffi, pair.get(1).unwrap()), "second");
    assert_eq!(text(&ffi, pair.get(0).unwrap()), "first");
    drop(pair);
    assert_eq!(released.load(Ordering::SeqCst), 2);
    // Seven pointers (56 bytes: a block of 64), next to another such block: each keeps its
    // own, and one overwritten lets go of only what it held.
    let (seven, next) = (
        ffi.new("char *[7]", ()).unwrap(),
        ffi.new("char *[7]", ()).unwrap(),
    );
    for i in 0..7 {
        seven.set(i, tracked(&format!("s{i}"))).unwrap();
    }
    next.set(6, tracked("n6")).unwrap();
    seven.set(3, ffi.null()).unwrap();
    assert_eq!(released.load(Ordering::SeqCst), 3);
    assert_eq!(text(&ffi, seven.get(6).unwrap()), "s6");
    assert_eq!(text(&ffi, next.get(6).unwrap()), "n6");
    drop(seven);
    assert_eq!(released.load(Ordering::SeqCst), 9);
    drop(next);
    assert_eq!(released.load(Ordering::SeqCst), 10);
    // An integer's memory, seen as a pointer slot.
    let ip = ffi.new("intptr_t *", ()).unwrap();
    let slot = ffi.cast("char **", &ip).unwrap();
    slot.set(0, tracked("cast")).unwrap();
    drop(slot);
    let again = ffi.cast("char **", &ip).unwrap();
    assert_eq!(text(&ffi, again.get(0).unwrap()), "cast");
    assert_eq!(released.load(Ordering::SeqCst), 10);
    // Written over with a number: what it pointed into goes.
    again.set(0, ffi.null()).unwrap();
    assert_eq!(released.load(Ordering::SeqCst), 11);
    // C writes a pointer into the caller's string into an out-parameter of 8 bytes.
    let num = tracked("42xyz");
    let end = ffi.new("char **", ()).unwrap();
    // SAFETY: strtol as glibc declares it, with a C string and a `char *` slot.
    let n = unsafe { lib.call("strtol", (&num, &end, 10)) };
    assert_eq!(n.unwrap(), Value::Int(42));
    drop(num);
    assert_eq!(text(&ffi, end.get(0).unwrap()), "xyz");
    assert_eq!(released.load(Ordering::SeqCst), 11);
    // The memory goes, and with it the two strings it still held ("own", "42xyz").
    drop((pp, again, ip, end));
    assert_eq!(released.load(Ordering::SeqCst), 13);
}

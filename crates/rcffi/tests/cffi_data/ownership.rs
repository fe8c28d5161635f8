//! Ownership beyond cffi: every cdata derived from owned memory keeps it alive and knows its
//! bounds, and pointers stored into owned memory keep their pointee alive, per slot. The three
//! programs cffi's documentation marks WRONG are correct rcffi programs.

use std::sync::{Arc, Mutex};

use rcffi::{CData, Ffi};

use crate::*;

/// A `char[]` whose freeing is observable: the log gets `name` when its memory is released.
fn tracked(ffi: &Ffi, log: &Arc<Mutex<Vec<String>>>, name: &str) -> CData {
    let log = log.clone();
    let n = name.to_string();
    let s = ffi.new("char[]", name).unwrap();
    ffi.gc(&s, move |_| log.lock().unwrap().push(n))
}

#[test]
fn wrong_1_new_pointer_to_a_temporary_array() {
    // cffi docs: `p = ffi.new("char **", ffi.new("char[]", b"hello"))` — WRONG, dangles.
    let ffi = Ffi::default();
    let p = ffi
        .new("char **", ffi.new("char[]", "hello").unwrap())
        .unwrap();
    assert_eq!(
        ffi.string(&cd(p.get(0).unwrap()), None).unwrap(),
        b"hello".into()
    );
}

#[test]
fn wrong_2_struct_field_set_to_a_temporary() {
    // cffi docs: `p.foo = ffi.new("char[]", b"...")` — WRONG, freed at once.
    let ffi = ffi_with("struct s { char *foo; };");
    let log = Arc::new(Mutex::new(Vec::new()));
    let p = ffi.new("struct s *", ()).unwrap();
    p.set_field("foo", tracked(&ffi, &log, "first")).unwrap();
    assert!(log.lock().unwrap().is_empty());
    assert_eq!(
        ffi.string(&cd(p.field("foo").unwrap()), None).unwrap(),
        b"first".into()
    );
    // Overwriting the slot releases what it held.
    p.set_field("foo", tracked(&ffi, &log, "second")).unwrap();
    assert_eq!(*log.lock().unwrap(), ["first"]);
    p.set_field("foo", ffi.null()).unwrap();
    assert_eq!(*log.lock().unwrap(), ["first", "second"]);
}

#[test]
fn wrong_3_reusable_argv_array() {
    // cffi docs: building `char *argv[]` from `ffi.new("char[]", ...)` temporaries — WRONG.
    let ffi = Ffi::default();
    let log = Arc::new(Mutex::new(Vec::new()));
    let args = ["prog", "-v", "file.txt"];
    let argv = ffi.new("char *[]", args.len() + 1).unwrap();
    for (i, a) in args.iter().enumerate() {
        argv.set(i as isize, tracked(&ffi, &log, a)).unwrap();
    }
    let read = |argv: &CData| -> Vec<Vec<u8>> {
        (0..args.len() as isize)
            .map(|i| {
                ffi.string(&cd(argv.get(i).unwrap()), None)
                    .unwrap()
                    .try_into()
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(
        read(&argv),
        [b"prog".to_vec(), b"-v".to_vec(), b"file.txt".to_vec()]
    );
    assert!(cd(argv.get(3).unwrap()).is_null());
    // Reuse: a new argument releases the old one in that slot only.
    argv.set(1, tracked(&ffi, &log, "-q")).unwrap();
    assert_eq!(*log.lock().unwrap(), ["-v"]);
    assert_eq!(read(&argv)[1], b"-q");
    drop(argv);
    let mut freed = log.lock().unwrap().clone();
    freed.sort();
    assert_eq!(freed, ["-q", "-v", "file.txt", "prog"]);
}

#[test]
fn derived_cdata_keep_memory_alive_and_bounded() {
    let ffi = ffi_with("struct s { int a; int b[4]; };");
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let p = ffi.gc(&ffi.new("struct s *", ()).unwrap(), move |_| {
        l.lock().unwrap().push(())
    });
    let b = cd(p.field("b").unwrap());
    let as_bytes = ffi.cast("char *", &b).unwrap();
    let item = ffi.addressof(&b, "[3]").unwrap();
    drop(p);
    assert!(
        log.lock().unwrap().is_empty(),
        "views keep the struct alive"
    );
    item.set(0, 9).unwrap();
    assert_eq!(b.get(3).unwrap(), 9.into());
    // The cast to `char *` knows the struct's 20 bytes: byte 16 is b[3], byte 20 is past it.
    assert_eq!(
        as_bytes.get(12).unwrap(),
        rcffi::Value::Bytes(vec![9].into())
    );
    err_has(as_bytes.get(16), is_index, "outside the 20 bytes");
    err_has(item.get(1), is_index, "outside the 20 bytes");
    drop((b, as_bytes, item));
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[test]
fn copies_of_owned_pointers_keep_their_pointees() {
    let ffi = ffi_with("struct node { int v; struct node *next; };");
    let log = Arc::new(Mutex::new(Vec::new()));
    let a = ffi.new("struct node *[2]", ()).unwrap();
    let l = log.clone();
    let n = ffi.gc(&ffi.new("struct node *", [7]).unwrap(), move |_| {
        l.lock().unwrap().push(())
    });
    a.set(0, &n).unwrap();
    drop(n);
    // Copying the array copies what its slots keep alive.
    let b = ffi.new("struct node *[2]", &a).unwrap();
    ffi.memmove(&a.offset(1).unwrap(), &a, 8).unwrap();
    a.set(0, ffi.null()).unwrap();
    a.set(1, ffi.null()).unwrap();
    assert!(log.lock().unwrap().is_empty(), "b still holds the node");
    assert_eq!(cd(b.get(0).unwrap()).field("v").unwrap(), 7.into());
    drop(b);
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[test]
fn foreign_memory_needs_unsafe_to_touch() {
    let ffi = Ffi::default();
    let mut x = [1i32, 2, 3];
    let p = ffi.cast("int *", x.as_mut_ptr() as usize).unwrap();
    err_has(p.get(0), is_unchecked, "assume_valid");
    // SAFETY: `x` has 3 ints and outlives `v`.
    let v = unsafe { p.assume_valid(3) }.unwrap();
    v.set(2, 30).unwrap();
    assert_eq!(v.get(2).unwrap(), 30.into());
    err_has(v.get(3), is_index, "outside the 12 bytes");
    drop(v);
    assert_eq!(x, [1, 2, 30]);
}

#[test]
fn vouched_memory_takes_the_direct_reads_and_writes_within_its_bounds() {
    let ffi = ffi_with("struct pt { int x, y; };");
    let mut raw = [7i32, -8];
    let addr = raw.as_mut_ptr() as usize;
    // SAFETY: `raw` holds one struct pt (two ints) and outlives both cdata.
    let (pt, ints) = unsafe {
        (
            ffi.cast("struct pt *", addr)
                .unwrap()
                .assume_valid(1)
                .unwrap(),
            ffi.cast("int *", addr).unwrap().assume_valid(2).unwrap(),
        )
    };
    assert_eq!(pt.field_as::<i32>("y").unwrap(), -8);
    pt.set_field("x", 70).unwrap();
    assert_eq!(pt.field("x").unwrap(), 70.into());
    assert_eq!(ints.get_as::<i64>(1).unwrap(), -8);
    err_has(ints.get_as::<i32>(2), is_index, "outside the 8 bytes");
    err_has(ints.set(2, 1), is_index, "outside the 8 bytes");
    err_has(ints.get_as::<u32>(1), is_overflow, "");
    drop((pt, ints));
    assert_eq!(raw, [70, -8]);
}

/// A pointer cast from owned memory keeps it alive and keeps its bounds, whether the source
/// is given by value (its reference moves over) or borrowed (cloned), from this `ffi` object or
/// another one.
#[test]
fn a_pointer_cast_keeps_the_memory_and_its_bounds_by_value_or_borrowed() {
    let ffi = Ffi::default();
    let other = Ffi::default();
    let moved = {
        let a = ffi.new("int[4]", [1, 2, 3, 4]).unwrap();
        ffi.cast("unsigned char *", a).unwrap()
    };
    let borrowed = {
        let a = ffi.new("int[2]", [5, 6]).unwrap();
        ffi.cast("unsigned char *", &a).unwrap()
    };
    let across = {
        let a = other.new("short[2]", [7, 8]).unwrap();
        ffi.cast("unsigned char *", a).unwrap()
    };
    let p = ffi.new("int *", 9).unwrap();
    let retyped = ffi.cast("short *", p).unwrap();
    assert_eq!(moved.get(12).unwrap(), 4.into());
    err_has(moved.get(16), is_index, "outside the 16 bytes");
    assert_eq!(borrowed.get(4).unwrap(), 6.into());
    err_has(borrowed.get(8), is_index, "outside the 8 bytes");
    assert_eq!(across.get(2).unwrap(), 8.into());
    err_has(across.get(4), is_index, "outside the 4 bytes");
    assert_eq!(retyped.get(0).unwrap(), 9.into());
    assert!(repr(&retyped).starts_with("<cdata 'short *' 0x"));
    err_has(retyped.get(2), is_index, "outside the 4 bytes");
}

#[test]
fn a_vouched_range_is_shorter_than_2_pow_48_bytes() {
    let ffi = Ffi::default();
    let mut x = [0u8; 4];
    let p = ffi
        .cast("unsigned char *", x.as_mut_ptr() as usize)
        .unwrap();
    // SAFETY: refused before anything is made; nothing is read or written.
    err_has(unsafe { p.assume_valid(1 << 48) }, is_overflow, "2^48");
    // SAFETY: the range is only made and dropped: nothing is read or written through it.
    let edge = unsafe { p.assume_valid((1 << 48) - 1) }.unwrap();
    assert_eq!(edge.address(), x.as_mut_ptr() as usize);
    // SAFETY: 4 bytes of `x`, which outlives the view.
    let v = unsafe { p.assume_valid(4) }.unwrap();
    v.set(3, 9).unwrap();
    err_has(v.get(4), is_index, "outside the 4 bytes");
    drop((edge, v));
    assert_eq!(x, [0, 0, 0, 9]);
}

#[test]
fn a_pointer_into_its_own_memory_does_not_keep_it_alive() {
    let ffi = ffi_with("struct node { int v; struct node *next; };");
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let n = ffi.gc(&ffi.new("struct node *", [1]).unwrap(), move |_| {
        l.lock().unwrap().push(())
    });
    n.set_field("next", &n).unwrap();
    let arr = ffi.new("struct node[3]", ()).unwrap();
    // Items of one array pointing to each other: a ring inside one allocation.
    for i in 0..3 {
        let next = ffi.addressof(&arr, &format!("[{}]", (i + 1) % 3)).unwrap();
        cd(arr.get(i).unwrap()).set_field("next", next).unwrap();
    }
    assert_eq!(
        cd(cd(arr.get(2).unwrap()).field("next").unwrap()),
        ffi.addressof(&arr, "[0]").unwrap()
    );
    assert_eq!(cd(n.field("next").unwrap()).field("v").unwrap(), 1.into());
    drop(n);
    assert_eq!(
        log.lock().unwrap().len(),
        1,
        "a self-pointer is no reference cycle"
    );
}

/// Vouching for memory rcffi already knows keeps the view of it: its own bounds, and the
/// memory kept alive; a range past that memory is vouched as the caller says.
#[test]
fn vouching_for_known_memory_keeps_its_bounds_and_keeps_it_alive() {
    let ffi = Ffi::default();
    let a = ffi.new("int[4]", rcffi::list![1, 2, 3, 4]).unwrap();
    let p = ffi.cast("int *", &a).unwrap().offset(1).unwrap();
    // SAFETY: three ints follow p, in `a`.
    let q = unsafe { p.assume_valid(1) }.unwrap();
    // Checked before `a` goes: a vouch would not keep it alive.
    assert_eq!(
        q.get(2).unwrap(),
        4.into(),
        "the array's bounds, not one item's"
    );
    drop((a, p));
    assert_eq!(q.get(0).unwrap(), 2.into());
    err_has(q.get(3), is_index, "");
    q.set(2, 40).unwrap();
    assert_eq!(q.get(2).unwrap(), 40.into());
    // A range that leaves the known memory is the caller's promise: vouched, with its bounds.
    let b = ffi.new("int[2]", rcffi::list![5, 6]).unwrap();
    // SAFETY: only made and dropped, and read inside `b`.
    let r = unsafe { ffi.cast("int *", &b).unwrap().assume_valid(3) }.unwrap();
    assert_eq!(r.get(1).unwrap(), 6.into());
    err_has(r.get(3), is_index, "outside the 12 bytes");
}

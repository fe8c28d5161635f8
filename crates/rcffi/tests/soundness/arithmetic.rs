//! Sizes, offsets and indexes: every computation is checked, in debug and release alike; an
//! overflow is an error, never a panic, a wrapped address or a size of 0.

use rcffi::{Error, Ffi, Value};

use crate::err_has;

#[test]
fn huge_indexes_do_not_wrap_around_to_item_zero() {
    let ffi = Ffi::default();
    let a = ffi.new("int[4]", [7, 8, 9, 10]).unwrap();
    let p = a.offset(0).unwrap();
    // 2^62 * 4 wraps to 0 in 64 bits: this read p[0] before.
    assert!(matches!(p.get(1isize << 62), Err(Error::Overflow(_))));
    assert!(matches!(
        p.get_as::<i32>(1isize << 62),
        Err(Error::Overflow(_))
    ));
    assert!(matches!(p.set(1isize << 62, 1), Err(Error::Overflow(_))));
    assert!(matches!(p.offset(1isize << 62), Err(Error::Overflow(_))));
    assert!(matches!(p.offset(isize::MIN), Err(Error::Overflow(_))));
    assert!(matches!(p.get(isize::MIN), Err(Error::Overflow(_))));
    // An offset that stays in the address space is allowed, and its reads are bounds-checked.
    let far = p.offset(1isize << 40).unwrap();
    err_has(far.get(0), "outside");
    assert_eq!(
        far.offset(-(1isize << 40)).unwrap().get(3).unwrap(),
        Value::Int(10)
    );
}

#[test]
fn slices_of_extreme_bounds_are_errors() {
    let ffi = Ffi::default();
    let a = ffi.new("int[4]", ()).unwrap();
    let p = a.offset(0).unwrap();
    assert!(matches!(
        p.slice(isize::MIN, isize::MAX),
        Err(Error::Overflow(_))
    ));
    assert!(matches!(p.slice(0, isize::MAX), Err(Error::Overflow(_))));
    assert!(p.slice(-1isize << 62, 0).is_err());
    let s = p.slice(1, 3).unwrap();
    assert_eq!(s.len().unwrap(), 2);
}

/// Items of size 0 take no memory, so only the count bounds them: an open array or slice
/// counts at most 2^48 - 2 items (the count shares a word with the cdata's origin and its
/// owner's kind), and more is an overflow error, not a wrong count.
#[test]
fn counts_of_items_of_size_0_stop_at_the_open_array_limit() {
    let ffi = Ffi::default();
    ffi.cdef("struct e { int x[0]; };").unwrap();
    assert_eq!(ffi.sizeof("struct e").unwrap(), 0);
    let most = (1usize << 48) - 2;
    let a = ffi.new("struct e[]", most).unwrap();
    assert_eq!(a.len().unwrap(), most);
    assert!(matches!(
        ffi.new("struct e[]", most + 1),
        Err(Error::Overflow(_))
    ));
    // The message names the limit, not an overflow the bytes do not have.
    err_has(
        ffi.new("struct e[]", most + 1),
        "more than an open array may have",
    );
    err_has(ffi.new("char[]", most + 1), "(281474976710654 items)");
    err_has(ffi.new("int[]", 1usize << 62), "array size would overflow");
    let p = ffi.new("struct e *", ()).unwrap();
    let s = p.slice(1, most as isize + 1).unwrap();
    assert_eq!(s.len().unwrap(), most);
    err_has(p.slice(0, most as isize + 1), "at most");
    assert!(matches!(p.slice(0, 1isize << 62), Err(Error::Overflow(_))));
    // A fixed array type counts what it says, past the limit too.
    let f = ffi.cast("struct e[4611686018427387904]", &a).unwrap();
    assert_eq!(f.len().unwrap(), 1 << 62);
}

#[test]
fn record_layouts_that_overflow_are_errors() {
    let ffi = Ffi::default();
    // Two members of 2^60 bytes: 2^64 bits overflowed (debug: a panic; release: size 0).
    ffi.cdef(
        "struct big { char a[1152921504606846976]; char b[1152921504606846976]; };\
         struct one { char a[1152921504606846976]; };",
    )
    .unwrap();
    err_has(ffi.sizeof("struct big"), "too large");
    assert_eq!(ffi.sizeof("struct one").unwrap(), 1 << 60);
    err_has(ffi.new("struct big *", ()), "too large");
    // Bitfields after a huge member.
    ffi.cdef("struct bits { char a[1152921504606846976]; int b : 3; };")
        .unwrap();
    err_has(ffi.sizeof("struct bits"), "too large");
}

#[test]
fn offsets_of_huge_paths_are_errors() {
    let ffi = Ffi::default();
    ffi.cdef("struct s { int a[4]; };").unwrap();
    assert!(matches!(
        ffi.offsetof("int[4]", "[4611686018427387904]"),
        Err(Error::Overflow(_))
    ));
    assert!(matches!(
        ffi.offsetof("struct s", "a[4611686018427387904]"),
        Err(Error::Overflow(_))
    ));
    assert!(matches!(
        ffi.offsetof("int[4]", "[-4611686018427387904]"),
        Err(Error::Overflow(_))
    ));
    let s = ffi.new("struct s *", ()).unwrap();
    assert!(matches!(
        ffi.addressof(&s, "a[4611686018427387904]"),
        Err(Error::Overflow(_))
    ));
    assert_eq!(ffi.offsetof("struct s", "a[3]").unwrap(), 12);
}

#[test]
fn differences_of_items_of_size_zero_are_in_bytes() {
    let ffi = Ffi::default();
    ffi.cdef("struct e {};").unwrap();
    let a = ffi.new("struct e[4]", ()).unwrap();
    let p = a.offset(0).unwrap();
    // A division by zero before.
    assert_eq!(p.diff(&p).unwrap(), 0);
    assert_eq!(p.offset(3).unwrap().diff(&p).unwrap(), 0);
    let v = ffi.cast("struct e *", 100).unwrap();
    let w = ffi.cast("struct e *", 107).unwrap();
    assert_eq!(w.diff(&v).unwrap(), 7);
    let lo = ffi.cast("int *", 0).unwrap();
    let hi = ffi.cast("int *", u64::MAX).unwrap();
    assert!(matches!(hi.diff(&lo), Err(Error::Overflow(_))));
}

#[test]
fn bitfields_of_128_bits_keep_every_bit() {
    let ffi = Ffi::default();
    ffi.cdef(
        "struct u { char c; unsigned __int128 x : 100; };\
         struct __attribute__((packed)) p { char c; __int128 x : 128; char d; };\
         struct __attribute__((packed)) q { signed char c : 3; unsigned __int128 x : 127; };",
    )
    .unwrap();
    let big = (1i128 << 99) | 0x1234_5678_9abc_def0;
    let u = ffi.new("struct u *", ()).unwrap();
    u.set_field("x", big).unwrap();
    // Release builds read 0 here before (a shift by 128), debug builds panicked.
    assert_eq!(u.field("x").unwrap(), Value::Int(big));
    err_has(u.set_field("x", 1i128 << 100), "bit field width");
    // 128 bits that start mid-byte span 17 bytes (an index out of range before).
    let p = ffi.new("struct p *", ()).unwrap();
    for v in [i128::MIN, -1, 0, 1, i128::MAX, big, -big] {
        p.set_field("x", v).unwrap();
        assert_eq!(p.field("x").unwrap(), Value::Int(v));
        assert_eq!(p.field("c").unwrap(), Value::Bytes(vec![0].into()));
        assert_eq!(p.field("d").unwrap(), Value::Bytes(vec![0].into()));
    }
    p.set_field("c", b"\xff").unwrap();
    p.set_field("d", b"\xff").unwrap();
    p.set_field("x", 0).unwrap();
    assert_eq!(ffi.buffer(&p, None).unwrap().to_vec().unwrap(), {
        let mut b = vec![0u8; 18];
        b[0] = 0xff;
        b[17] = 0xff;
        b
    });
    let q = ffi.new("struct q *", ()).unwrap();
    q.set_field("c", -1).unwrap();
    q.set_field("x", i128::MAX).unwrap();
    assert_eq!(q.field("x").unwrap(), Value::Int(i128::MAX));
    assert_eq!(q.field("c").unwrap(), Value::Int(-1));
}

#[test]
fn unpack_checks_struct_and_array_items_against_the_memory() {
    let ffi = Ffi::default();
    ffi.cdef("struct s { long x; }; struct e {};").unwrap();
    let one = ffi.new("struct s *", ()).unwrap();
    // Two views from memory holding one before; 2^40 aborted on out-of-memory.
    err_has(ffi.unpack(&one, 2), "outside");
    err_has(ffi.unpack(&one, 1 << 40), "outside");
    assert!(ffi.unpack(&one, usize::MAX).is_err());
    assert_eq!(
        ffi.unpack(&one, 1).unwrap(),
        Value::List(vec![one.get(0).unwrap()])
    );
    let arrays = ffi.new("int[2][3]", ()).unwrap();
    let p = arrays.offset(0).unwrap();
    assert!(ffi.unpack(&p, 3).is_err());
    assert_eq!(list_len(ffi.unpack(&p, 2).unwrap()), 2);
    // Items that take no memory: bounded only by an array.
    let e = ffi.new("struct e[3]", ()).unwrap();
    assert_eq!(list_len(ffi.unpack(&e, 3).unwrap()), 3);
    err_has(ffi.unpack(&e, 4), "which has 3");
    let ep = ffi.new("struct e *", ()).unwrap();
    err_has(ffi.unpack(&ep, 1 << 40), "size 0");
}

#[test]
fn from_buffer_aligns_the_bytes_it_keeps() {
    let ffi = Ffi::default();
    // An empty Vec with capacity: boxing it moves its (dangling) pointer, which was checked
    // for alignment before the move and then refused.
    let c = ffi.from_buffer("int[]", Vec::with_capacity(64)).unwrap();
    assert_eq!(c.len().unwrap(), 0);
    let mut v = Vec::with_capacity(64);
    v.extend_from_slice(&[1u8, 0, 0, 0, 2, 0, 0, 0]);
    let c = ffi.from_buffer("int[]", v).unwrap();
    assert_eq!(c.address() % 4, 0);
    assert_eq!(c.to_vec().unwrap(), [Value::Int(1), Value::Int(2)]);
    let d = ffi.from_buffer("double *", vec![0u8; 3 * 8 + 1]).unwrap();
    assert_eq!(d.address() % 8, 0);
}

fn list_len(v: Value) -> usize {
    match v {
        Value::List(l) => l.len(),
        other => panic!("not a list: {other:?}"),
    }
}

//! Group I: buffers, `from_buffer` and `memmove`.

use std::io::{Read, Seek, Write};

use rcffi::{Error, Ffi, Value, list};

use crate::*;

#[test]
fn i01_buffer_of_a_pointer() {
    let ffi = Ffi::default();
    let p = ffi.new("short *", 100).unwrap();
    let b = ffi.buffer(&p, None).unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b.to_vec().unwrap(), [0x64, 0x00]);
    b.set(0, 0x65).unwrap();
    assert_eq!(p.get(0).unwrap(), 101.into());
    err_has(b.get(2), is_index, "buffer index out of range");
}

#[test]
fn i02_buffer_of_an_array() {
    let ffi = Ffi::default();
    let a = ffi
        .new("int[10]", (100..110).collect::<Vec<i32>>())
        .unwrap();
    let b = ffi.buffer(&a, None).unwrap();
    assert_eq!(b.len(), 40);
    assert_eq!(b.slice(..5).unwrap(), [0x64, 0, 0, 0, 0x65]);
    b.set_slice(4..8, &[1, 0, 0, 0]).unwrap();
    assert_eq!(a.get(1).unwrap(), 1.into());
    err_has(
        b.set_slice(0..2, &[1]),
        is_value,
        "right operand length must match slice length",
    );
}

#[test]
fn i03_partial_buffers_and_content_equality() {
    let ffi = Ffi::default();
    let a1 = ffi.new("int[10]", [1, 2, 3]).unwrap();
    let a2 = ffi.new("int[10]", [1, 2, 3]).unwrap();
    assert_eq!(ffi.buffer(&a1, Some(1)).unwrap().to_vec().unwrap(), [1]);
    assert_eq!(
        ffi.buffer(&a1, None).unwrap().to_vec().unwrap(),
        ffi.buffer(&a2, Some(40)).unwrap().to_vec().unwrap()
    );
    // rcffi: a buffer larger than the memory is refused (cffi warns, then crashes on use).
    err_has(
        ffi.buffer(&a1, Some(41)),
        is_index,
        "which may use only 40 bytes",
    );
    err_has(
        ffi.buffer(&ffi.cast("int", 1).unwrap(), None),
        is_type,
        "expected a pointer or array cdata, got 'int'",
    );
    err_has(
        ffi.buffer(&ffi.cast("void *", &a1).unwrap(), None),
        is_type,
        "don't know the size pointed to by 'void *'",
    );
    err_has(
        ffi.buffer(&ffi.cast("int *", 0).unwrap(), None),
        is_null,
        "",
    );
}

#[test]
fn i04_buffers_round_trip_through_files() {
    let ffi = Ffi::default();
    let a = ffi
        .new("int[1000]", (0..1000).collect::<Vec<i32>>())
        .unwrap();
    let mut file = tempfile_in_target();
    file.write_all(&ffi.buffer(&a, Some(4000)).unwrap().to_vec().unwrap())
        .unwrap();
    file.rewind().unwrap();
    let b = ffi.new("int[1000]", ()).unwrap();
    let mut bytes = vec![0u8; 4000];
    file.read_exact(&mut bytes).unwrap();
    ffi.buffer(&b, Some(4000))
        .unwrap()
        .copy_from_slice(&bytes)
        .unwrap();
    assert_eq!(b.get(999).unwrap(), 999.into());
    assert_eq!(ffi.buffer(&a, None).unwrap(), ffi.buffer(&b, None).unwrap());
}

fn tempfile_in_target() -> std::fs::File {
    let dir = std::env::temp_dir().join(format!("rcffi-i04-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("buffer.bin");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    f
}

#[test]
fn i05_buffers_compare_by_content() {
    let ffi = Ffi::default();
    let mk = |b: &[u8]| {
        ffi.buffer(&ffi.new("char[]", b.to_vec()).unwrap(), Some(b.len()))
            .unwrap()
    };
    let full = mk(b"abcd");
    assert!(full == b"abcd");
    assert!(full == b"abcd".to_vec());
    assert!(mk(b"abc") < full);
    assert!(mk(b"ab") < mk(b"abc"));
    assert!(mk(b"aa") < mk(b"ab"));
    assert_eq!(mk(b"abcd"), full);
}

#[test]
fn i06_from_buffer_over_rust_bytes() {
    let ffi = Ffi::default();
    let shorts: Vec<u8> = [1u16, 2, 3].iter().flat_map(|x| x.to_ne_bytes()).collect();
    let c = ffi.from_buffer("char[]", shorts.clone()).unwrap();
    assert_eq!(c.len().unwrap(), 6);
    let u = ffi.cast("unsigned short *", &c).unwrap();
    u.set(1, u.get(1).unwrap().to_int().unwrap() + 500).unwrap();
    assert_eq!(ffi.unpack(&u, 3).unwrap(), list![1, 502, 3]);
    assert_eq!(
        ffi.from_buffer("unsigned short[]", shorts)
            .unwrap()
            .len()
            .unwrap(),
        3
    );
    // Read-only bytes: reads work, writes are refused (cffi hands them out writable).
    let r = ffi
        .with_buffer_ref("char[]", b"abc", |c| (c.get(1), c.set(1, b"x")))
        .unwrap();
    assert_eq!(r.0.unwrap(), b"b".into());
    assert!(matches!(r.1, Err(Error::Runtime(m)) if m.contains("read-only")));
}

#[test]
fn i07_from_buffer_types_and_reprs() {
    let ffi =
        ffi_with("struct s { int a, b; }; struct empty { }; struct v { int n; int data[]; };");
    let mut bytes: Vec<u8> = [1i32, 2, 3].iter().flat_map(|x| x.to_ne_bytes()).collect();
    bytes.extend_from_slice(b"XYZ");
    assert_eq!(
        ffi.from_buffer("int[]", bytes.clone())
            .unwrap()
            .len()
            .unwrap(),
        3
    );
    assert_eq!(
        ffi.from_buffer("int[2]", bytes.clone())
            .unwrap()
            .len()
            .unwrap(),
        2
    );
    err_has(
        ffi.from_buffer("int[4]", bytes.clone()),
        is_value,
        "buffer is too small (15 bytes) for 'int[4]' (16 bytes)",
    );
    let p = ffi.from_buffer("int *", bytes.clone()).unwrap();
    assert_eq!(repr(&p), "<cdata 'int *' buffer from 'Vec<u8>' object>");
    // rcffi: the pointer still knows the 15 bytes (cffi: unbounded).
    assert_eq!(p.offset(2).unwrap().get(0).unwrap(), 3.into());
    assert!(p.offset(3).unwrap().get(0).is_err());
    let s = ffi.from_buffer("struct s[]", bytes.clone()).unwrap();
    assert_eq!(s.len().unwrap(), 1);
    assert_eq!(cd(s.get(0).unwrap()).field("b").unwrap(), 2.into());
    assert_eq!(
        repr(&s),
        "<cdata 'struct s[]' buffer len 1 from 'Vec<u8>' object>"
    );
    ffi.release(&s).unwrap();
    assert_eq!(repr(&s), "<cdata 'struct s[]' buffer RELEASED>");
    assert!(matches!(
        s.get(0).unwrap().cdata().unwrap().field("a"),
        Err(Error::Runtime(_))
    ));
    assert!(ffi.from_buffer("struct empty[]", bytes.clone()).is_err());
    err_has(
        ffi.from_buffer("int", bytes.clone()),
        is_type,
        "expected a pointer or array ctype, got 'int'",
    );
    let v = ffi.from_buffer("struct v *", bytes).unwrap();
    assert_eq!(v.field("n").unwrap(), 1.into());
    assert_eq!(cd(v.field("data").unwrap()).get(1).unwrap(), 3.into());
}

#[test]
fn i08_buffer_of_from_buffer() {
    let ffi = Ffi::default();
    let c = ffi.from_buffer("int[]", vec![0u8; 100]).unwrap();
    assert_eq!(ffi.buffer(&c, None).unwrap().len(), 100);
    let p = ffi.from_buffer("int *", vec![0u8; 100]).unwrap();
    assert_eq!(ffi.sizeof(&p).unwrap(), 8);
    assert_eq!(ffi.buffer(&p, None).unwrap().len(), 4);
}

#[test]
fn i09_memmove_within_an_array() {
    let ffi = Ffi::default();
    let p = ffi
        .new("short[]", [-1234, -2345, -3456, -4567, -5678])
        .unwrap();
    ffi.memmove(&p, p.offset(1).unwrap(), 4).unwrap();
    assert_eq!(
        p.to_vec().unwrap(),
        [-2345, -3456, -3456, -4567, -5678].map(Value::from)
    );
    p.set(2, 999).unwrap();
    ffi.memmove(&p.offset(2).unwrap(), &p, 6).unwrap();
    assert_eq!(
        p.to_vec().unwrap(),
        [-2345, -3456, -2345, -3456, 999].map(Value::from)
    );
    let c = ffi.new("char[]", b"abcdef").unwrap();
    let q = ffi.new("short[3]", ()).unwrap();
    ffi.memmove(&q, &c, 6).unwrap();
    assert_eq!(ffi.buffer(&q, None).unwrap(), b"abcdef");
}

#[test]
fn i10_memmove_with_rust_bytes() {
    let ffi = Ffi::default();
    let p = ffi.new("unsigned short[2]", ()).unwrap();
    ffi.memmove(&p, [1u8, 0, 2, 0].as_slice(), 4).unwrap();
    assert_eq!(p.to_vec().unwrap(), [1, 2].map(Value::from));
    let mut out = [0u8; 4];
    ffi.with_buffer("char[]", &mut out, |dst| ffi.memmove(&dst, &p, 4))
        .unwrap()
        .unwrap();
    assert_eq!(out, [1, 0, 2, 0]);
}

#[test]
fn i11_memmove_into_read_only_bytes_is_refused() {
    let ffi = Ffi::default();
    let src = ffi.new("char[]", b"xy").unwrap();
    let r = ffi
        .with_buffer_ref("char[]", b"ab", |dst| ffi.memmove(&dst, &src, 2))
        .unwrap();
    assert!(matches!(r, Err(Error::Runtime(m)) if m.contains("read-only")));
    let text: String = "xy".into();
    err_has(
        ffi.memmove(&src, text, 2),
        is_type,
        "a bytes-like object or a cdata is required, not 'str'",
    );
}

#[test]
fn i12_memmove_checks_both_sides() {
    let ffi = Ffi::default();
    let p = ffi.new("char[8]", ()).unwrap();
    let q = ffi.new("char[100]", ()).unwrap();
    // rcffi: sizes are usize (no negative n); too many bytes is an error, not heap
    // corruption as in cffi.
    err_has(ffi.memmove(&p, &q, 100), is_index, "outside the 8 bytes");
    err_has(ffi.memmove(&q, &p, 9), is_index, "outside the 8 bytes");
    err_has(
        ffi.memmove(&q, b"ab".as_slice(), 3),
        is_index,
        "memmove() of 3 bytes from 2 bytes",
    );
    let n = ffi.cast("int", 1).unwrap();
    err_has(
        ffi.memmove(&n, &p, 1),
        is_type,
        "expected a pointer or array ctype, got 'int'",
    );
    err_has(
        ffi.memmove(&p, &n, 1),
        is_type,
        "expected a pointer or array ctype, got 'int'",
    );
}

#[test]
fn i_borrowed_buffers_end_with_their_scope() {
    let ffi = Ffi::default();
    // Bytes aligned for `int` (a `[u8; 8]` alone may sit at any address).
    #[repr(C, align(4))]
    struct Aligned([u8; 8]);
    let mut buf = Aligned([0; 8]);
    let bytes = &mut buf.0;
    let kept = ffi
        .with_buffer("int[]", bytes, |c| {
            c.set(1, 7).unwrap();
            c.offset(1).unwrap()
        })
        .unwrap();
    assert_eq!(bytes[4], 7);
    // The loan is over: a cdata kept past it refuses every access.
    assert!(matches!(kept.get(0), Err(Error::Runtime(m)) if m.contains("released")));
}

#[test]
fn i13_owned_and_collected_memory_is_read_and_written_where_it_is() {
    // Items and members of owned lent bytes (`from_buffer`) and of memory under a `gc`
    // destructor take the direct path of rcffi's own memory: each access lands in the bytes,
    // and an ended loan or unknown memory under the destructor is still refused.
    let ffi = ffi_with("struct pt { int x; short y; };");
    let ints: Vec<u8> = [5i32, -6, 7].iter().flat_map(|x| x.to_ne_bytes()).collect();
    let lent = ffi.from_buffer("int[]", ints).unwrap();
    let collected = ffi.gc(&ffi.new("int[3]", [5, -6, 7]).unwrap(), |_| {});
    for a in [&lent, &collected] {
        assert_eq!(a.get(1).unwrap(), (-6).into());
        assert_eq!(a.get_as::<i32>(2).unwrap(), 7);
        a.set(0, 70_000).unwrap();
        a.set(2, -1).unwrap();
        let bytes = ffi.buffer(a, None).unwrap().to_vec().unwrap();
        assert_eq!(&bytes[..4], 70_000i32.to_ne_bytes());
        assert_eq!(&bytes[8..], (-1i32).to_ne_bytes());
        // Out of range, too big for the type: refused as for rcffi's memory.
        assert!(a.get(3).is_err());
        assert!(a.set(1, 1i64 << 40).is_err());
        assert_eq!(a.get(1).unwrap(), (-6).into());
    }
    let s = ffi.from_buffer("struct pt *", vec![0u8; 8]).unwrap();
    s.set_field("y", -2).unwrap();
    s.set_field("x", 9).unwrap();
    assert_eq!(
        (s.field("x").unwrap(), s.field("y").unwrap()),
        (9.into(), (-2).into())
    );
    let bytes = ffi.buffer(&s, None).unwrap().to_vec().unwrap();
    assert_eq!(
        &bytes[..6],
        [9i32.to_ne_bytes().as_slice(), &(-2i16).to_ne_bytes()].concat()
    );
    // Released: every access is refused, on the direct path's owners as on the others.
    let p = ffi.cast("int *", &lent).unwrap();
    ffi.release(&lent).unwrap();
    ffi.release(&s).unwrap();
    for r in [lent.get(0), p.get(1), s.field("x")] {
        assert!(matches!(r, Err(Error::Runtime(m)) if m.contains("released")));
    }
    assert!(matches!(lent.set(0, 1), Err(Error::Runtime(m)) if m.contains("released")));
    assert!(matches!(s.set_field("y", 1), Err(Error::Runtime(m)) if m.contains("released")));
    // A destructor on memory rcffi does not know makes it no more readable.
    let foreign = ffi.gc(&ffi.cast("int *", 4096).unwrap(), |_| {});
    assert!(matches!(foreign.get(0), Err(Error::Unchecked(_))));
    assert!(matches!(foreign.set(0, 1), Err(Error::Unchecked(_))));
}

#[test]
fn i14_borrowed_bytes_are_read_where_they_are_until_their_loan_ends() {
    // Items and members of borrowed bytes (`with_buffer`) are read as numbers where they are,
    // each read counted in and out of the loan; after it, every read is refused.
    let ffi = ffi_with("struct pt { int x; short y; };");
    // Bytes aligned for `int` (a byte buffer alone may sit at any address).
    #[repr(C, align(4))]
    struct Aligned([u8; 8]);
    let mut buf = Aligned([0; 8]);
    buf.0[..4].copy_from_slice(&3i32.to_ne_bytes());
    buf.0[4..].copy_from_slice(&(-4i32).to_ne_bytes());
    let bytes = &mut buf.0;
    let (kept, fields) = ffi
        .with_buffer("int[]", bytes, |a| {
            assert_eq!(a.get(1).unwrap(), (-4).into());
            assert_eq!(a.get_as::<i32>(0).unwrap(), 3);
            assert!(a.get(2).is_err());
            a.set(0, 11).unwrap();
            let s = ffi.cast("struct pt *", a).unwrap();
            let fields = (s.field("x").unwrap(), s.field("y").unwrap());
            (s, fields)
        })
        .unwrap();
    let y = if cfg!(target_endian = "little") {
        -4
    } else {
        -1
    };
    assert_eq!(fields, (11.into(), y.into()));
    assert_eq!(&bytes[..4], 11i32.to_ne_bytes());
    for r in [kept.field("x"), kept.field("y")] {
        assert!(matches!(r, Err(Error::Runtime(m)) if m.contains("released")));
    }
    let p = ffi.cast("int *", &kept).unwrap();
    assert!(matches!(p.get(0), Err(Error::Runtime(m)) if m.contains("released")));
}

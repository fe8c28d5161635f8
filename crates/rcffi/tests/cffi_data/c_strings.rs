//! Group C: strings, characters and unicode.

use rcffi::{Ffi, Value, list};

use crate::*;

#[test]
fn c01_string_of_a_char_pointer() {
    let ffi = Ffi::default();
    let p = ffi.new("char *", b"x").unwrap();
    assert_eq!(p.to_string(), repr(&p));
    assert_eq!(ffi.string(&p, None).unwrap(), b"x".into());
    assert_eq!(
        ffi.string(&ffi.new("char *", b"\0").unwrap(), None)
            .unwrap(),
        b"".into()
    );
}

#[test]
fn c02_string_of_a_char_array_follows_edits() {
    let ffi = Ffi::default();
    let p = ffi.new("char[]", b"hello.").unwrap();
    p.set(5, b"!").unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), b"hello!".into());
    p.set(6, b"?").unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), b"hello!?".into());
    p.set(3, b"\0").unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), b"hel".into());
    assert_eq!(ffi.string(&p, Some(2)).unwrap(), b"he".into());
    err_has(p.set(7, b"x"), is_index, "index too large");
}

#[test]
fn c03_embedded_nul() {
    let ffi = Ffi::default();
    let p = ffi.new("char[]", b"hello\x00world").unwrap();
    assert_eq!(p.len().unwrap(), 12);
    let q = ffi.cast("char *", &p).unwrap();
    assert_eq!(ffi.string(&q, None).unwrap(), b"hello".into());
}

#[test]
fn c04_wide_strings() {
    let ffi = Ffi::default();
    let w = ffi.cast("wchar_t", "x").unwrap();
    assert_eq!(ffi.string(&w, None).unwrap(), "x".into());
    assert_eq!(w.to_string(), repr(&w));
    let p = ffi.new("wchar_t[]", "hello.").unwrap();
    p.set(5, "!").unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), "hello!".into());
    p.set(3, "\0").unwrap();
    assert_eq!(ffi.string(&p, Some(123)).unwrap(), "hel".into());
    let p = ffi.new("wchar_t[]", "hello").unwrap();
    let q = ffi.cast("wchar_t *", &p).unwrap();
    assert_eq!(ffi.string(&q, Some(123)).unwrap(), "hello".into());
    assert_eq!(ffi.string(&q, Some(5)).unwrap(), "hello".into());
    assert_eq!(ffi.string(&q, Some(2)).unwrap(), "he".into());
}

#[test]
fn c05_char_array_initializers() {
    let ffi = Ffi::default();
    let p = ffi.new("char[]", list![b"a", b"b", b"\x9c"]).unwrap();
    assert_eq!(p.len().unwrap(), 3);
    assert_eq!(p.get(2).unwrap(), Value::Bytes(vec![0x9c].into()));
    let q = ffi.new("char[]", b"abcd").unwrap();
    assert_eq!(q.len().unwrap(), 5);
    assert_eq!(q.get(4).unwrap(), b"\0".into());
    let r = ffi.new("char[4]", b"ab").unwrap();
    assert_eq!(ffi.unpack(&r, 4).unwrap(), b"ab\0\0".into());
    let s = ffi.new("char[2]", b"ab").unwrap();
    assert_eq!(ffi.string(&s, None).unwrap(), b"ab".into());
    err_has(
        ffi.new("char[2]", b"abc"),
        is_index,
        "initializer bytes is too long for 'char[2]' (got 3 characters)",
    );
}

#[test]
fn c06_wchar_t_arrays_are_utf32_on_linux() {
    let ffi = Ffi::default();
    let p = ffi.new("wchar_t[]", "\u{23456}").unwrap();
    assert_eq!(p.len().unwrap(), 2);
    assert_eq!(p.get(0).unwrap(), "\u{23456}".into());
}

#[test]
fn c07_char16_t_uses_surrogates_and_string_rejoins_them() {
    let ffi = Ffi::default();
    let p = ffi.new("char16_t[]", "\u{12345}").unwrap();
    assert_eq!(p.len().unwrap(), 3);
    let units: Vec<i128> = (0..3)
        .map(|i| {
            ffi.cast("int", p.get(i).unwrap())
                .unwrap()
                .to_int()
                .unwrap()
        })
        .collect::<Vec<_>>();
    assert_eq!(units, [0xd808, 0xdf45, 0]);
    assert_eq!(ffi.string(&p, None).unwrap(), "\u{12345}".into());
    let q = ffi.new("char32_t[]", "\u{12345}").unwrap();
    assert_eq!(q.len().unwrap(), 2);
    assert_eq!(ffi.string(&q, None).unwrap(), "\u{12345}".into());
}

#[test]
fn c08_const_char_pointer_fields() {
    let ffi = ffi_with("struct foo { const char *name; };");
    let name = ffi.new("const char[]", b"hello").unwrap();
    let s = ffi.new("struct foo *", list![&name]).unwrap();
    let field = cd(s.field("name").unwrap());
    assert_eq!(field.type_name(), "char *");
    assert_eq!(ffi.string(&field, None).unwrap(), b"hello".into());
    err_has(
        s.set_field("name", ()),
        is_type,
        "must be a cdata pointer, not NoneType",
    );
    s.set_field("name", ffi.null()).unwrap();
    assert!(cd(s.field("name").unwrap()).is_null());
}

#[test]
fn c09_rust_strings_initialize_char_arrays_as_utf8_bytes() {
    let ffi = Ffi::default();
    // rcffi difference: a Rust &str is UTF-8 bytes, so `char[]` accepts it (cffi refuses a
    // Python str here and wants bytes).
    let p = ffi.new("char[]", "foobar").unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), b"foobar".into());
    assert_eq!(ffi.new("char[]", "é").unwrap().len().unwrap(), 3);
    // As in cffi, byte views and slices take raw bytes.
    ffi.buffer(&p, None)
        .unwrap()
        .copy_from_slice(b"XYZXYZ\0")
        .unwrap();
    p.set_slice(1, 3, b"ab").unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), b"XabXYZ".into());
}

#[test]
fn c10_bytes_into_unsigned_char_slices_are_integers() {
    let ffi = Ffi::default();
    let p = ffi.new("unsigned char[5]", ()).unwrap();
    p.set_slice(0, 3, b"XYZ").unwrap();
    assert_eq!(p.to_vec().unwrap(), [88, 89, 90, 0, 0].map(Value::from));
}

#[test]
fn c11_arrays_of_char_arrays() {
    let ffi = Ffi::default();
    let a = ffi
        .new("char[5][5]", list![b"abc", b"de", b"ghij"])
        .unwrap();
    assert_eq!(
        ffi.string(&cd(a.get(2).unwrap()), None).unwrap(),
        b"ghij".into()
    );
    a.set(2, b"12345").unwrap();
    assert_eq!(
        ffi.string(&cd(a.get(2).unwrap()), None).unwrap(),
        b"12345".into()
    );
    let e = a.set(2, b"123456").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("char[5]") && msg.contains("got 6 characters"),
        "{msg}"
    );
}

#[test]
fn c12_bool_forbidden_cases() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("_Bool *", b"\x00"),
        is_type,
        "an integer is required for ctype '_Bool', not bytes",
    );
    err_has(
        ffi.new("_Bool[]", b"\x00\x01\x02"),
        is_value,
        "can only contain \\x00 or \\x01",
    );
    err_has(
        ffi.new("_Bool[]", [0, 1, 2]),
        is_overflow,
        "integer 2 does not fit '_Bool'",
    );
    let raw = ffi.new("char[]", b"X").unwrap();
    let b = ffi.cast("_Bool *", &raw).unwrap();
    err_has(
        b.get(0),
        is_value,
        "got a _Bool of value 88, expected 0 or 1",
    );
}

/// `unpack` of every count up to 40 `char`s and 10 `wchar_t`s, the short ones read into their
/// `Bytes` in place and the long ones through a vector: exactly the items written, NULs
/// included, and text for wide characters.
#[test]
fn c13_unpack_of_every_short_and_long_count() {
    let ffi = Ffi::default();
    let data: Vec<u8> = (0..40u8)
        .map(|i| if i % 7 == 3 { 0 } else { b'a' + i })
        .collect();
    let chars = ffi.new("char[]", &data[..]).unwrap();
    for n in 0..=40 {
        let Value::Bytes(b) = ffi.unpack(&chars, n).unwrap() else {
            panic!("chars unpack to bytes")
        };
        assert_eq!(b, data[..n], "{n} chars");
        assert_eq!(b.is_allocated(), n > 16, "{n} chars");
    }
    let text: String = "héllo wörld".chars().take(10).collect();
    let wide = ffi.new("wchar_t[]", text.as_str()).unwrap();
    for n in 0..=10 {
        let want: String = text.chars().take(n).collect();
        assert_eq!(
            ffi.unpack(&wide, n).unwrap(),
            Value::Text(want),
            "{n} wchar_t"
        );
    }
}

#[test]
fn c13_unpack() {
    let ffi = Ffi::default();
    let p = ffi.new("char[]", b"abc\x00def").unwrap();
    assert_eq!(
        ffi.unpack(&p.offset(1).unwrap(), 7).unwrap(),
        b"bc\x00def\x00".into()
    );
    let q = ffi.new("int[]", [-123456789]).unwrap();
    assert_eq!(ffi.unpack(&q, 1).unwrap(), list![-123456789]);
    err_has(
        ffi.unpack(&ffi.cast("int", 1).unwrap(), 1),
        is_type,
        "expected a pointer or array, got 'int'",
    );
    err_has(
        ffi.unpack(&ffi.cast("char *", 0).unwrap(), 0),
        is_null,
        "cannot use unpack() on <cdata 'char *' NULL>",
    );
    err_has(
        ffi.unpack(
            &ffi.new("void **", ())
                .unwrap()
                .get(0)
                .unwrap()
                .cdata()
                .unwrap(),
            1,
        ),
        is_null,
        "",
    );
    let v = ffi.cast("void *", &q).unwrap();
    err_has(
        ffi.unpack(&v, 1),
        is_value,
        "'void *' points to items of unknown size",
    );
    let w = ffi.new("wchar_t[]", "hé").unwrap();
    assert_eq!(ffi.unpack(&w, 2).unwrap(), "hé".into());
    let b = ffi.new("_Bool[]", [1, 0]).unwrap();
    assert_eq!(ffi.unpack(&b, 2).unwrap(), list![true, false]);
}

#[test]
fn c14_string_of_null() {
    let ffi = Ffi::default();
    err_has(
        ffi.string(&ffi.cast("char *", 0).unwrap(), None),
        is_null,
        "cannot use string() on <cdata 'char *' NULL>",
    );
}

#[test]
fn c15_string_of_other_kinds() {
    let ffi = ffi_with("enum e { A, B };");
    assert_eq!(
        ffi.string(&ffi.cast("enum e", 1).unwrap(), None).unwrap(),
        "B".into()
    );
    assert_eq!(
        ffi.string(&ffi.cast("enum e", 7).unwrap(), None).unwrap(),
        "7".into()
    );
    for t in ["int", "_Bool"] {
        err_has(
            ffi.string(&ffi.cast(t, 1).unwrap(), None),
            is_type,
            &format!("unexpected cdata '{t}' argument"),
        );
    }
    let others = [
        ffi.new("int[]", 1).unwrap(),
        ffi.cast("void *", 1).unwrap(),
        ffi.new("char *[1]", ()).unwrap(),
        ffi.new("char[2][3]", ()).unwrap(),
        ffi.new("_Bool[]", 1).unwrap(),
    ];
    for c in &others {
        err_has(
            ffi.string(c, None),
            is_type,
            &format!("unexpected cdata '{}'", c.type_name()),
        );
    }
    assert_eq!(
        ffi.string(&ffi.cast("char", 0).unwrap(), None).unwrap(),
        b"\0".into()
    );
}

#[test]
fn c_string_of_foreign_memory_needs_unsafe() {
    let ffi = Ffi::default();
    let text = std::ffi::CString::new("from C").unwrap();
    let p = ffi.cast("char *", text.as_ptr() as usize).unwrap();
    // rcffi difference: cffi reads any pointer; rcffi reads memory it cannot vouch for only
    // when the caller says so.
    err_has(
        ffi.string(&p, None),
        is_unchecked,
        "rcffi does not know this memory",
    );
    // SAFETY: `text` is a NUL-terminated string alive for the whole call.
    let s = unsafe { ffi.string_unchecked(&p, None) }.unwrap();
    assert_eq!(s, b"from C".into());
    assert_eq!(
        // SAFETY: as above; maxlen stops early.
        unsafe { ffi.string_unchecked(&p, Some(4)) }.unwrap(),
        b"from".into()
    );
}

/// The number types that `unpack` and list initializers convert in bulk: each result equals
/// reading or writing the items one at a time (the per-item path those bulk paths replace).
const NUMBER_TYPES: &[&str] = &[
    "signed char",
    "unsigned char",
    "short",
    "unsigned short",
    "int",
    "unsigned int",
    "long",
    "unsigned long",
    "long long",
    "unsigned long long",
    "int8_t",
    "uint16_t",
    "float",
    "double",
    "_Bool",
    "enum e13 { E13A = -2, E13B = 7 }",
    "float _Complex",
    "double _Complex",
    "long double",
];

#[test]
fn c13b_bulk_unpack_and_initializers_equal_item_by_item() {
    let ffi = Ffi::default();
    ffi.cdef("enum e13 { E13A = -2, E13B = 7 };").unwrap();
    for ty in NUMBER_TYPES {
        let ty = ty.split(" {").next().unwrap();
        let size = ffi.sizeof(ty).unwrap();
        let n = 37;
        let a = ffi.new(format!("{ty}[{n}]").as_str(), ()).unwrap();
        // Bytes that are valid items of every type: a _Bool holds 0 or 1.
        let bytes: Vec<u8> = (0..n * size)
            .map(|i| {
                if ty == "_Bool" {
                    (i % 3 == 0) as u8
                } else {
                    (i * 97 + 13) as u8
                }
            })
            .collect();
        ffi.memmove(&a, bytes.clone(), bytes.len()).unwrap();
        let bulk = ffi.unpack(&a, n).unwrap();
        let one_by_one: Vec<Value> = (0..n as isize).map(|i| a.get(i).unwrap()).collect();
        assert_eq!(
            format!("{bulk:?}"),
            format!("{:?}", Value::List(one_by_one.clone())),
            "{ty}"
        );
        // Written back from that list, the array holds the same bytes (long double keeps
        // its 10 significant bytes; the rest is padding).
        let b = ffi
            .new(format!("{ty}[]").as_str(), Value::List(one_by_one.clone()))
            .unwrap();
        let c = ffi.new(format!("{ty}[{n}]").as_str(), ()).unwrap();
        for (i, v) in one_by_one.iter().enumerate() {
            c.set(i as isize, v.clone()).unwrap();
        }
        let (bb, cb) = (
            ffi.buffer(&b, None).unwrap().to_vec().unwrap(),
            ffi.buffer(&c, None).unwrap().to_vec().unwrap(),
        );
        assert_eq!(bb, cb, "{ty}");
    }
    // A _Bool of value 2 is refused by both.
    let a = ffi.new("_Bool[3]", ()).unwrap();
    ffi.memmove(&a, vec![1u8, 2, 0], 3).unwrap();
    err_has(
        ffi.unpack(&a, 3),
        is_value,
        "got a _Bool of value 2, expected 0 or 1",
    );
    // An item out of range: the same error as writing that item alone, and nothing written.
    let c = ffi.new("short[3]", list![1, 2, 3]).unwrap();
    let bulk = c.set_slice(0, 3, list![4, 70000, 6]);
    let alone = c.set(1, 70000);
    assert_eq!(
        format!("{:?}", bulk.unwrap_err()),
        format!("{:?}", alone.unwrap_err())
    );
    assert_eq!(ffi.unpack(&c, 3).unwrap(), list![1, 2, 3]);
}

/// `long double`s compare by their exact value (cffi refuses to compare them): equal to
/// integers and doubles that are the same number, ordered where an f64 cannot tell them apart,
/// and hashed alike when equal.
#[test]
fn c13c_long_doubles_compare_exactly() {
    use std::hash::{BuildHasher, RandomState};
    let ffi = Ffi::default();
    let ld = |t: &str| ffi.cast("long double", t).unwrap();
    let big = ld("18446744073709551615"); // 2^64 - 1: no f64 holds it
    assert_eq!(big, ffi.cast("unsigned long long", u64::MAX).unwrap());
    assert_ne!(big, ffi.cast("double", 18446744073709551615.0).unwrap()); // that is 2^64
    assert!(big < ffi.cast("double", 18446744073709551615.0).unwrap());
    assert!(ld("0.1") != ffi.cast("double", 0.1).unwrap());
    assert_eq!(ld("1.5"), ffi.cast("double", 1.5).unwrap());
    assert!(ld("1e4000") > ld("1e3999"));
    // One hasher state for both: equal values hash alike.
    let state = RandomState::new();
    let hash = |c: &rcffi::CData| state.hash_one(c);
    assert_eq!(
        hash(&big),
        hash(&ffi.cast("unsigned long long", u64::MAX).unwrap())
    );
}

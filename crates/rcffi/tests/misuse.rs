//! Misuse, exhaustively: every operation on cdata of many types, with many kinds of values.
//! Nothing may panic; every error must say what it is about (a quoted type or value name).

use rcffi::{CData, Error, Ffi, Value, list, map};

const CDEF: &str = r"
    enum e { A, B = 5 };
    struct s { int a; char b[4]; double c; };
    union u { int a; short b; };
    struct v { int n; int data[]; };
    struct bf { int x : 3; unsigned y : 5; _Bool z : 1; };
    struct opaque;
";

const TYPES: &[&str] = &[
    "int",
    "char",
    "signed char",
    "unsigned long long",
    "_Bool",
    "wchar_t",
    "char16_t",
    "float",
    "double",
    "long double",
    "double _Complex",
    "enum e",
    "int *",
    "void *",
    "char *",
    "int[3]",
    "int[]",
    "char[]",
    "char[4]",
    "struct s",
    "struct s *",
    "struct s[]",
    "union u *",
    "struct v *",
    "struct opaque *",
    "int(*)(int)",
    "int(**)(int)",
    "struct bf *",
    "int[2][3]",
    "_Bool[]",
    "wchar_t[]",
    "char16_t[]",
    "enum e *",
    "long double *",
    "void",
    "struct opaque",
    "int(int)",
];

fn values(ffi: &Ffi) -> Vec<Value> {
    let mut v = vec![
        Value::Void,
        true.into(),
        0.into(),
        (-1).into(),
        Value::Int(i128::MAX),
        Value::Int(i128::MIN),
        f64::NAN.into(),
        f64::INFINITY.into(),
        1.5.into(),
        Value::Bytes(vec![].into()),
        b"a".into(),
        b"abc\0def".into(),
        "".into(),
        "é".into(),
        "B".into(),
        "\u{12345}x".into(),
        list![],
        list![1, 2, 3],
        list![list![1], list![2, 3]],
        Value::List((0..100).map(Value::from).collect()),
        map! {"a" => 1},
        map! {"zz" => 1},
        map! {"data" => 3, "n" => 1},
        map! {"b" => b"xy"},
    ];
    for c in [
        ffi.new("int *", 5),
        ffi.new("struct s *", ()),
        ffi.new("int[]", 4),
        ffi.new("char[]", b"hello"),
        ffi.cast("int", 7),
        ffi.cast("double", 2.5),
        ffi.cast("char *", 0),
        ffi.cast("int *", 0x1000),
        ffi.cast("struct s *", -1),
        ffi.cast("int(*)(int)", 0x2000),
        ffi.new("struct v *", list![2, 3]),
    ] {
        v.push(Value::CData(c.expect("fixture cdata")));
    }
    v
}

/// Checks that an error names what it is about, and counts it.
fn check(r: Result<impl std::fmt::Debug, Error>, stats: &mut (usize, usize), what: &str) {
    match r {
        Ok(v) => {
            let _ = format!("{v:?}");
            stats.0 += 1;
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.is_empty(), "{what}: empty message");
            let specific = msg.contains('\'')
                || msg.contains("0x")
                || msg.contains("NaN")
                || msg.contains("infinity")
                || msg.chars().any(|c| c.is_ascii_digit());
            assert!(specific, "{what}: the message names nothing: {msg}");
            stats.1 += 1;
        }
    }
}

/// Every operation of a cdata, with `v` where one takes a value.
fn exercise(ffi: &Ffi, c: &CData, v: &Value, stats: &mut (usize, usize)) {
    let w = format!("{c:?} with {v}");
    let _ = format!("{c} {:?} {}", c.ctype(), c.truthy());
    check(c.get(0), stats, &w);
    check(c.get(1), stats, &w);
    check(c.get(-1), stats, &w);
    check(c.set(0, v.clone()), stats, &w);
    check(c.field("a"), stats, &w);
    check(c.field("data"), stats, &w);
    check(c.set_field("a", v.clone()), stats, &w);
    check(c.set_field("x", v.clone()), stats, &w);
    check(c.len(), stats, &w);
    check(c.iter().map(|i| i.count()), stats, &w);
    check(c.offset(1), stats, &w);
    check(c.offset(-1), stats, &w);
    check(c.diff(c), stats, &w);
    check(c.slice(0, 2), stats, &w);
    check(c.set_slice(0, 1, v.clone()), stats, &w);
    check(c.to_int(), stats, &w);
    check(c.to_f64(), stats, &w);
    check(c.to_value(), stats, &w);
    check(c.sizeof(), stats, &w);
    check(ffi.string(c, None), stats, &w);
    check(ffi.string(c, Some(1)), stats, &w);
    check(ffi.unpack(c, 1), stats, &w);
    check(ffi.unpack(c, 1000), stats, &w);
    check(ffi.buffer(c, None).and_then(|b| b.to_vec()), stats, &w);
    check(ffi.buffer(c, Some(1000)), stats, &w);
    check(ffi.addressof(c, ""), stats, &w);
    check(ffi.addressof(c, "a"), stats, &w);
    check(ffi.addressof(c, "[2]"), stats, &w);
    check(ffi.memmove(c, v.clone(), 4), stats, &w);
    check(ffi.from_handle::<i32>(c), stats, &w);
    check(ffi.release(c), stats, &w);
    check(ffi.typeof_(c).map(|t| t.cname()), stats, &w);
    for t in ["int", "char *", "struct s *", "int[2]", "double", "_Bool"] {
        check(ffi.cast(t, c), stats, &w);
    }
    let _ = c == v;
    let _ = c.partial_cmp(c);
}

#[test]
#[cfg_attr(miri, ignore = "about 100,000 operations: hours under Miri")]
fn no_misuse_panics_and_every_error_names_its_subject() {
    let ffi = Ffi::default();
    ffi.cdef(CDEF).unwrap();
    let vals = values(&ffi);
    let mut stats = (0, 0);
    for t in TYPES {
        for v in &vals {
            let what = format!("{t} from {v}");
            check(ffi.cast(*t, v.clone()), &mut stats, &what);
            check(ffi.new(*t, v.clone()), &mut stats, &what);
            let made = [ffi.new(*t, v.clone()), ffi.cast(*t, v.clone())];
            for c in made.into_iter().flatten() {
                for other in vals.iter().step_by(3) {
                    exercise(&ffi, &c, other, &mut stats);
                }
            }
        }
        let ptr = format!("{t} *");
        if let Ok(p) = ffi.new(&ptr, ()) {
            for v in &vals {
                exercise(&ffi, &p, v, &mut stats);
            }
        }
    }
    // Both outcomes were exercised in bulk.
    assert!(stats.0 > 10_000 && stats.1 > 10_000, "{stats:?}");
}

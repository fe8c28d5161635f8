//! Group A: primitives and casts.

use std::hash::BuildHasher;

use rcffi::{Ffi, Value};

use crate::*;

/// Every integer type with its range, taken from the Rust type of the same width and
/// signedness on x86-64 Linux (LP64).
fn int_types() -> Vec<(&'static str, i128, i128)> {
    let s8 = (i128::from(i8::MIN), i128::from(i8::MAX));
    let u8_ = (0, i128::from(u8::MAX));
    let s16 = (i128::from(i16::MIN), i128::from(i16::MAX));
    let u16_ = (0, i128::from(u16::MAX));
    let s32 = (i128::from(i32::MIN), i128::from(i32::MAX));
    let u32_ = (0, i128::from(u32::MAX));
    let s64 = (i128::from(i64::MIN), i128::from(i64::MAX));
    let u64_ = (0, i128::from(u64::MAX));
    [
        ("signed char", s8),
        ("unsigned char", u8_),
        ("short", s16),
        ("unsigned short", u16_),
        ("int", s32),
        ("unsigned int", u32_),
        ("long", s64),
        ("unsigned long", u64_),
        ("long long", s64),
        ("unsigned long long", u64_),
        ("int8_t", s8),
        ("uint8_t", u8_),
        ("int16_t", s16),
        ("uint16_t", u16_),
        ("int32_t", s32),
        ("uint32_t", u32_),
        ("int64_t", s64),
        ("uint64_t", u64_),
        ("intptr_t", s64),
        ("uintptr_t", u64_),
        ("size_t", u64_),
        ("ssize_t", s64),
        ("ptrdiff_t", s64),
    ]
    .into_iter()
    .map(|(n, (lo, hi))| (n, lo, hi))
    .collect()
}

#[test]
fn a01_cast_wraps_at_both_ends_of_every_int_type() {
    let ffi = Ffi::default();
    for (t, lo, hi) in int_types() {
        assert_eq!(ffi.cast(t, lo - 1).unwrap().to_int().unwrap(), hi, "{t}");
        assert_eq!(ffi.cast(t, hi + 1).unwrap().to_int().unwrap(), lo, "{t}");
        assert_eq!(ffi.cast(t, lo).unwrap().to_int().unwrap(), lo, "{t}");
    }
}

#[test]
fn a02_new_checks_the_range_of_every_int_type() {
    let ffi = Ffi::default();
    for (t, lo, hi) in int_types() {
        let ptr = format!("{t} *");
        err_has(ffi.new(&ptr, lo - 1), is_overflow, "");
        err_has(ffi.new(&ptr, hi + 1), is_overflow, "");
        assert_eq!(
            ffi.new(&ptr, lo).unwrap().get(0).unwrap(),
            Value::Int(lo),
            "{t}"
        );
        assert_eq!(
            ffi.new(&ptr, hi).unwrap().get(0).unwrap(),
            Value::Int(hi),
            "{t}"
        );
    }
}

#[test]
fn a03_cast_values_compare_hash_and_test_like_the_number() {
    let ffi = Ffi::default();
    let h = std::collections::hash_map::RandomState::new();
    for (t, lo, hi) in int_types() {
        for v in [lo, hi, 0, 1] {
            let c = ffi.cast(t, v).unwrap();
            assert_eq!(c, Value::Int(v), "{t} {v}");
            assert_eq!(c.truthy(), v != 0);
            // Equal numbers hash equal, whatever their C type.
            let wide = ffi.cast("__int128", v).unwrap();
            assert_eq!(c, wide);
            assert_eq!(h.hash_one(&c), h.hash_one(&wide), "{t} {v}");
        }
    }
    let d = ffi.cast("double", 5.0).unwrap();
    assert_eq!(h.hash_one(&d), h.hash_one(ffi.cast("int", 5).unwrap()));
    #[allow(
        clippy::mutable_key_type,
        reason = "a CData hashes by its address or value, which never change"
    )]
    let mut set = std::collections::HashSet::new();
    set.insert(ffi.cast("long", 7).unwrap());
    assert!(set.contains(&ffi.cast("short", 7).unwrap()));
}

#[test]
fn a04_new_of_a_non_pointer_type_is_refused() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("int", ()),
        is_type,
        "expected a pointer or array ctype, got 'int'",
    );
    // A pointer to a function is no pointer to an object (cffi's message).
    err_has(
        ffi.new("int(*)(int)", ()),
        is_type,
        "expected a pointer or array ctype, got 'int(*)(int)'",
    );
}

/// `new("T *", v)` of a number (the direct path of a plain number type) makes the bytes an
/// initializer list makes for the same number in `new("T[1]", [v])` — or the same error —
/// for every number type, enum, `_Bool` and `char`, at and past their limits, floats and
/// integers both ways. (That both direct paths agree with the general conversion is the
/// runtime's unit test `direct_number_bytes_are_the_general_conversions`.)
#[test]
fn a04b_new_with_a_number_equals_the_general_conversion() {
    let ffi = Ffi::default();
    ffi.cdef("enum e { E_NEG = -5, E_POS = 9 };").unwrap();
    let mut types: Vec<&str> = int_types().into_iter().map(|t| t.0).collect();
    types.extend(["float", "double", "enum e", "_Bool", "char"]);
    let mut values: Vec<Value> = [
        0i128,
        1,
        -1,
        127,
        128,
        -129,
        255,
        256,
        65535,
        -32769,
        i128::from(i32::MAX) + 1,
        i128::from(u32::MAX) + 1,
        i128::from(i64::MIN),
        i128::from(i64::MAX),
        i128::from(u64::MAX),
        1 << 100,
        // Rounded to a `double` first, then to a `float` (as cffi: 2^53), not straight to the
        // nearest `float` (2^53 + 2^30).
        (1 << 53) + (1 << 29) + 1,
    ]
    .into_iter()
    .map(Value::Int)
    .collect();
    values.extend(
        [
            0.0,
            -0.0,
            1.5,
            -2.25,
            1e300,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ]
        .into_iter()
        .map(Value::Float),
    );
    for t in types {
        for v in &values {
            let fast = ffi.new(format!("{t} *").as_str(), v.clone());
            let general = ffi.new(format!("{t}[1]").as_str(), Value::List(vec![v.clone()]));
            match (fast, general) {
                (Ok(a), Ok(b)) => assert_eq!(
                    ffi.buffer(&a, None).unwrap().to_vec().unwrap(),
                    ffi.buffer(&b, None).unwrap().to_vec().unwrap(),
                    "{t} from {v:?}"
                ),
                (Err(a), Err(b)) => assert_eq!(
                    std::mem::discriminant(&a),
                    std::mem::discriminant(&b),
                    "{t} from {v:?}: {a} / {b}"
                ),
                (a, b) => panic!("{t} from {v:?}: {a:?} / {b:?}"),
            }
        }
    }
    // NaN: its bytes as the general conversion stores them, compared as floats.
    let a = ffi.new("double *", f64::NAN).unwrap();
    assert!(matches!(a.get(0).unwrap(), Value::Float(x) if x.is_nan()));
    let f = ffi.new("float *", (1i64 << 53) + (1 << 29) + 1).unwrap();
    assert_eq!(
        f.get(0).unwrap(),
        Value::Float(9007199254740992.0),
        "cffi's float"
    );
}

#[test]
fn a05_new_int_ptr_zeroed_initialized_and_repr() {
    let ffi = Ffi::default();
    assert_eq!(ffi.new("int *", ()).unwrap().get(0).unwrap(), 0.into());
    let p = ffi.new("int *", -42).unwrap();
    assert_eq!(p.get(0).unwrap(), (-42).into());
    assert_eq!(repr(&p), "<cdata 'int *' owning 4 bytes>");
}

#[test]
fn a06_char_casts_wrap_and_test() {
    let ffi = Ffi::default();
    assert_eq!(ffi.cast("char", 300).unwrap().to_int().unwrap(), 44);
    assert!(!ffi.cast("char", 0).unwrap().truthy());
    assert!(ffi.cast("char", 255).unwrap().truthy());
}

#[test]
fn a07_char_takes_one_byte_only() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("char *", 32),
        is_type,
        "must be a bytes of length 1, not int",
    );
    err_has(
        ffi.new("char *", "x"),
        is_type,
        "must be a bytes of length 1",
    );
    err_has(ffi.new("char *", b"foo"), is_type, "bytes of length 3");
    assert_eq!(
        ffi.new("char *", b"\xff").unwrap().get(0).unwrap(),
        Value::Bytes(vec![0xff].into())
    );
}

#[test]
fn a08_wchar_t_round_trips_astral_characters() {
    let ffi = Ffi::default();
    let p = ffi.new("wchar_t *", "\u{12345}").unwrap();
    assert_eq!(p.get(0).unwrap(), "\u{12345}".into());
    err_has(
        ffi.new("wchar_t *", 32),
        is_type,
        "must be a unicode string of length 1, not int",
    );
}

#[test]
fn a09_wchar_t_is_a_32_bit_integer_signed_on_x86_64_linux() {
    let ffi = Ffi::default();
    assert_eq!(ffi.cast("wchar_t", 300).unwrap().to_int().unwrap(), 300);
    let w = ffi.cast("wchar_t", -1).unwrap();
    // gcc's wchar_t is `int` on x86-64 Linux and `unsigned int` on AArch64 Linux.
    let all_ones = if cfg!(target_arch = "aarch64") {
        0xffff_ffff
    } else {
        -1
    };
    assert_eq!(
        ffi.cast("long long", &w).unwrap().to_int().unwrap(),
        all_ones
    );
}

#[test]
fn a10_float_arrays_from_ints_and_floats() {
    let ffi = Ffi::default();
    let p = ffi.new("float[]", rcffi::list![-2, -2.5]).unwrap();
    assert_eq!(
        p.to_vec().unwrap(),
        [Value::Float(-2.0), Value::Float(-2.5)]
    );
    let v = p.get(1).unwrap().to_f64().unwrap();
    p.set(1, v + 17.75).unwrap();
    assert_eq!(p.get(1).unwrap(), Value::Float(15.25));
}

#[test]
fn a11_float_rounds_and_overflows_to_infinity() {
    let ffi = Ffi::default();
    let x = ffi
        .new("float *", 1.1)
        .unwrap()
        .get(0)
        .unwrap()
        .to_f64()
        .unwrap();
    assert_ne!(x, 1.1);
    assert!((x - 1.1).abs() < 1e-7);
    let big = ffi
        .new("float *", 1e200)
        .unwrap()
        .get(0)
        .unwrap()
        .to_f64()
        .unwrap();
    assert_eq!(big, f64::INFINITY);
}

#[test]
fn a12_pointers_are_not_numbers() {
    let ffi = Ffi::default();
    let p = ffi.new("int *", ()).unwrap();
    err_has(p.to_int(), is_type, "int() not supported on cdata 'int *'");
    err_has(
        p.to_f64(),
        is_type,
        "float() not supported on cdata 'int *'",
    );
}

#[test]
fn a13_char_casts_read_bytes_as_unsigned() {
    let ffi = Ffi::default();
    assert_eq!(ffi.cast("int", b"\x01").unwrap(), 1);
    let c = ffi.cast("char", b"\x80").unwrap();
    assert_eq!(ffi.cast("int", &c).unwrap(), 128);
    assert_eq!(ffi.cast("int", b"\x81").unwrap(), 129);
}

#[test]
fn a14_float_casts_and_truncation() {
    let ffi = Ffi::default();
    assert_eq!(ffi.cast("float", b"A").unwrap(), 65.0);
    assert_eq!(ffi.cast("int", 12.9).unwrap(), 12);
    assert_eq!(ffi.cast("int", -12.9).unwrap(), -12);
    let c = ffi.cast("char", 66.9 + 256.0).unwrap();
    assert_eq!(ffi.string(&c, None).unwrap(), b"B".into());
}

#[test]
fn a15_bool_casts_take_truth() {
    let ffi = Ffi::default();
    assert_eq!(ffi.cast("_Bool", 0.1).unwrap().to_int().unwrap(), 1);
    assert_eq!(ffi.cast("_Bool", -0.0).unwrap().to_int().unwrap(), 0);
    assert_eq!(ffi.cast("_Bool", b"\x02").unwrap().to_int().unwrap(), 1);
    assert_eq!(ffi.cast("_Bool", ffi.null()).unwrap().to_int().unwrap(), 0);
}

#[test]
fn a16_bool_is_zero_or_one() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("_Bool *", 2),
        is_overflow,
        "integer 2 does not fit '_Bool'",
    );
    err_has(
        ffi.string(&ffi.cast("_Bool", 2).unwrap(), None),
        is_type,
        "unexpected cdata '_Bool'",
    );
}

#[test]
fn a17_integer_comparisons() {
    let ffi = Ffi::default();
    assert!(ffi.cast("int", 123).unwrap() < ffi.cast("int", 456).unwrap());
    assert!(ffi.cast("int", 123).unwrap() > ffi.cast("double", 78.9).unwrap());
}

#[test]
fn a18_one_byte_and_one_character_strings_cast_to_integers() {
    let ffi = Ffi::default();
    for (t, _, _) in int_types() {
        assert_eq!(ffi.cast(t, b"\x08").unwrap().to_int().unwrap(), 8, "{t}");
        assert_eq!(ffi.cast(t, "\x08").unwrap().to_int().unwrap(), 8, "{t}");
    }
    assert_eq!(ffi.cast("unsigned char", b"\xfe").unwrap(), 254);
}

#[test]
fn a19_cast_of_nothing_is_an_error() {
    let ffi = Ffi::default();
    err_has(ffi.cast("int", ()), is_type, "an integer is required");
    err_has(ffi.cast("double", ()), is_type, "an integer is required");
}

#[test]
fn a20_integers_have_no_float_value() {
    let ffi = Ffi::default();
    err_has(
        ffi.cast("long", 42).unwrap().to_f64(),
        is_type,
        "float() not supported on cdata 'long'",
    );
}

#[test]
fn a21_float_truth_truncation_and_infinity() {
    let ffi = Ffi::default();
    for t in ["float", "double", "long double"] {
        assert!(!ffi.cast(t, 0).unwrap().truthy(), "{t}");
        assert!(!ffi.cast(t, -0.0).unwrap().truthy(), "{t}");
        assert!(ffi.cast(t, f64::NAN).unwrap().truthy(), "{t}");
        assert_eq!(ffi.cast(t, 61.91).unwrap().to_int().unwrap(), 61, "{t}");
        err_has(
            ffi.cast(t, f64::INFINITY).unwrap().to_int(),
            is_overflow,
            "infinity",
        );
        let z = ffi.cast(t, -0.0).unwrap().to_f64().unwrap();
        assert!(z == 0.0 && z.is_sign_negative(), "{t}");
    }
}

#[test]
fn a22_cast_truncates_floats_but_new_refuses_them() {
    let ffi = Ffi::default();
    assert_eq!(ffi.cast("unsigned int", 4.2).unwrap(), 4);
    err_has(
        ffi.new("unsigned int *", 4.2),
        is_type,
        "an integer is required",
    );
}

#[test]
fn a23_unsigned_overflow_errors() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("unsigned int *", -1),
        is_overflow,
        "can't convert negative number",
    );
    err_has(
        ffi.new("unsigned int *", 1i64 << 32),
        is_overflow,
        "does not fit 'unsigned int'",
    );
}

#[test]
fn a24_integer_cdata_initialize_with_range_checks() {
    let ffi = Ffi::default();
    let ll = ffi.cast("long long", 42).unwrap();
    assert_eq!(ffi.new("int *", &ll).unwrap().get(0).unwrap(), 42.into());
    let neg = ffi.cast("int", -42).unwrap();
    err_has(ffi.new("unsigned long long *", &neg), is_overflow, "");
    assert_eq!(ffi.cast("unsigned long long", &neg).unwrap(), u64::MAX - 41);
}

#[test]
fn a25_bool_to_int_is_an_integer() {
    let ffi = Ffi::default();
    let b = ffi.cast("_Bool", 42).unwrap();
    assert_eq!(b.to_int().unwrap(), 1);
    err_has(
        b.to_f64(),
        is_type,
        "float() not supported on cdata '_Bool'",
    );
}

#[test]
fn a26_primitive_comparisons() {
    let ffi = Ffi::default();
    let c = |t: &str, v: Value| ffi.cast(t, v).unwrap();
    assert!(c("char", 65.into()) == b"A");
    assert!(c("char", 65.into()) != 65);
    assert!(c("unsigned char", 65.into()) != b"A");
    assert!(c("unsigned int", (-1).into()) == u64::from(u32::MAX));
    assert!(c("float", 3.3.into()) < 3.3);
    assert_eq!(c("float", 3.5.into()), c("double", 3.5.into()));
    assert_eq!(c("float", 7.0.into()), c("unsigned char", 7.into()));
    assert_eq!(c("int", 5.into()), 5.0);
    assert_ne!(c("int", (-1).into()), c("unsigned int", (-1).into()));
}

/// Integers and floats compare exactly, as Python's `int` and `float` do: `2**53 + 1 !=
/// 2.0**53`, so `==` stays transitive, for values and cdata alike, and ordering agrees.
#[test]
fn a26b_integers_and_floats_compare_exactly() {
    let two53 = 1i128 << 53;
    let f = Value::Float(two53 as f64);
    assert_eq!(Value::Int(two53), f);
    assert_ne!(Value::Int(two53 + 1), f);
    assert_ne!(Value::UInt(u128::MAX), Value::Float(u128::MAX as f64));
    assert_eq!(Value::UInt(1 << 127), Value::Float(2f64.powi(127)));
    let ffi = Ffi::default();
    let big = ffi.cast("long long", Value::Int(two53 + 1)).unwrap();
    let d = ffi.cast("double", f.clone()).unwrap();
    assert!(big != d);
    assert!(big > d);
    assert!(big > f);
    assert!(ffi.cast("int", 2).unwrap() < 2.5);
    assert!(ffi.cast("int", -3).unwrap() < -2.5);
    assert!(ffi.cast("int", -2).unwrap() > -2.5);
    let h = std::hash::RandomState::new();
    assert_eq!(
        h.hash_one(ffi.cast("long long", two53).unwrap()),
        h.hash_one(&d)
    );
}

#[test]
fn a27_numbers_are_not_equal_to_lists() {
    let ffi = Ffi::default();
    let c = ffi.cast("int", 42).unwrap();
    assert!(Value::CData(c.clone()) != rcffi::list!["hello"]);
    assert!(c != Value::List(vec![]));
}

#[test]
fn a28_display_is_the_repr() {
    let ffi = Ffi::default();
    let c = ffi.cast("char", 42).unwrap();
    assert_eq!(c.to_string(), repr(&c));
    assert_eq!(repr(&c), "<cdata 'char' b'*'>");
}

#[test]
fn a29_long_double_reads_as_cdata() {
    let ffi = Ffi::default();
    let a = ffi.new("long double[]", rcffi::list![1.23]).unwrap();
    let x = cd(a.get(0).unwrap());
    assert!(
        repr(&x).starts_with("<cdata 'long double' 1.23"),
        "{}",
        repr(&x)
    );
    assert_eq!(x.to_f64().unwrap(), 1.23);
    assert_eq!(x.to_int().unwrap(), 1);
}

#[test]
fn a30_every_primitive_name_has_a_size_from_1_to_16() {
    let ffi = Ffi::default();
    let names = [
        "char",
        "short",
        "int",
        "long",
        "long long",
        "signed char",
        "unsigned char",
        "unsigned short",
        "unsigned int",
        "unsigned long",
        "unsigned long long",
        "float",
        "double",
        "long double",
        "float _Complex",
        "double _Complex",
        "_Bool",
        "wchar_t",
        "char16_t",
        "char32_t",
        "int8_t",
        "uint8_t",
        "int16_t",
        "uint16_t",
        "int32_t",
        "uint32_t",
        "int64_t",
        "uint64_t",
        "int_least8_t",
        "uint_least8_t",
        "int_least16_t",
        "uint_least16_t",
        "int_least32_t",
        "uint_least32_t",
        "int_least64_t",
        "uint_least64_t",
        "int_fast8_t",
        "uint_fast8_t",
        "int_fast16_t",
        "uint_fast16_t",
        "int_fast32_t",
        "uint_fast32_t",
        "int_fast64_t",
        "uint_fast64_t",
        "intptr_t",
        "uintptr_t",
        "intmax_t",
        "uintmax_t",
        "ptrdiff_t",
        "size_t",
        "ssize_t",
    ];
    for n in names {
        let s = ffi.sizeof(n).unwrap();
        assert!((1..=16).contains(&s), "{n}: {s}");
        // And each can be made and read back.
        assert!(ffi.new(&format!("{n} *"), ()).is_ok(), "{n}");
    }
}

#[test]
fn a31_type_identity() {
    let ffi = Ffi::default();
    assert_ne!(
        ffi.typeof_("int64_t").unwrap(),
        ffi.typeof_("long").unwrap()
    );
    assert_eq!(
        ffi.typeof_("long").unwrap(),
        ffi.typeof_("long int").unwrap()
    );
}

#[test]
fn a32_char16_and_char32_are_unsigned() {
    let ffi = Ffi::default();
    let w = ffi.cast("wchar_t", 0x1f345).unwrap();
    assert_eq!(ffi.cast("char16_t", &w).unwrap().to_int().unwrap(), 0xf345);
    assert_eq!(
        ffi.cast("char32_t", -1).unwrap().to_int().unwrap(),
        i128::from(u32::MAX)
    );
    assert_eq!(ffi.cast("char16_t", -1).unwrap().to_int().unwrap(), 0xffff);
}

#[test]
fn a33_primitive_reprs() {
    let ffi = Ffi::default();
    let r = |t: &str, v: Value| repr(&ffi.cast(t, v).unwrap());
    assert_eq!(
        r("unsigned short int", 0.into()),
        "<cdata 'unsigned short' 0>"
    );
    assert_eq!(r("short", (-123).into()), "<cdata 'short' -123>");
    assert_eq!(r("int", 42.into()), "<cdata 'int' 42>");
    assert_eq!(r("char", b"A".into()), "<cdata 'char' b'A'>");
    assert_eq!(r("char", 0x80.into()), "<cdata 'char' b'\\x80'>");
    assert_eq!(r("wchar_t", "A".into()), "<cdata 'wchar_t' 'A'>");
    assert_eq!(r("_Bool", 1.into()), "<cdata '_Bool' True>");
    assert_eq!(r("float", 1.1.into()), "<cdata 'float' 1.100000023841858>");
    assert_eq!(r("double", 1.5.into()), "<cdata 'double' 1.5>");
    assert_eq!(
        r("long double", 1.5.into()),
        "<cdata 'long double' 1.500000E+00>"
    );
    assert_eq!(
        r("double _Complex", 1.into()),
        "<cdata 'double _Complex' (1+0j)>"
    );
}

/// `p[0]` of `new("T *", v)` is the value written, for every primitive type: a number read
/// through the pointer `new` returned (which lends its origin to records it co-owns) equals
/// the same number read from an array, and its bytes are the ones in memory.
#[test]
fn a34_item_0_of_new_is_the_value_for_every_primitive() {
    let ffi = Ffi::default();
    ffi.cdef("enum e { E1 = -3, E2 = 70000 };").unwrap();
    let mut cases: Vec<(&str, Value)> = int_types()
        .into_iter()
        .flat_map(|(t, lo, hi)| {
            [
                (t, Value::Int(lo)),
                (t, Value::Int(hi)),
                (t, Value::Int(hi / 3)),
            ]
        })
        .collect();
    cases.extend([
        ("unsigned __int128", Value::UInt(u128::MAX - 5)),
        ("float", Value::Float(1.5)),
        ("double", Value::Float(-2.0e300)),
        ("long double", Value::Float(-1.5)),
        ("long double", Value::Float(6.0e-310)),
        ("_Float128", Value::Float(1.5)),
        ("_Float128", Value::Float(-3.0e300)),
        ("float _Complex", rcffi::list![1.5, -2.5]),
        ("double _Complex", rcffi::list![-1.0e300, 2.5]),
        ("long double _Complex", rcffi::list![1.5, -2.5]),
        ("_Bool", Value::Bool(true)),
        ("char", Value::Bytes(b"\xfe".into())),
        ("wchar_t", Value::Text("\u{10348}".into())),
        ("char16_t", Value::Text("\u{e9}".into())),
        ("char32_t", Value::Text("\u{10348}".into())),
        ("enum e", Value::Int(-3)),
        ("enum e", Value::Int(70000)),
    ]);
    for (t, v) in cases {
        let what = format!("{t} = {v:?}");
        let p = ffi.new(&format!("{t} *"), v.clone()).expect(&what);
        let a = ffi.new(&format!("{t}[1]"), vec![v.clone()]).expect(&what);
        let (from_p, from_a) = (p.get(0).expect(&what), a.get(0).expect(&what));
        assert_eq!(from_p, from_a, "{what}");
        assert_eq!(
            ffi.buffer(&p, None).unwrap().to_vec().unwrap(),
            ffi.buffer(&a, None).unwrap().to_vec().unwrap(),
            "{what}"
        );
        // Read again after the pointer is gone: the value is the cdata's own.
        drop((p, a));
        if let Value::CData(c) = &from_p {
            let again = ffi.new(&format!("{t} *"), from_p.clone()).expect(&what);
            assert_eq!(again.get(0).unwrap(), Value::CData(c.clone()), "{what}");
        }
    }
}

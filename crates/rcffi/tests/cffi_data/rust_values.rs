//! Rust values out of C data (issue 15): whole arrays as `Vec<T>` and `[T; N]`, any Rust integer
//! as an index, constants as the Rust type they are used as, conversions through `value_as`, and
//! the `ffi` readers taking a `Value` that holds a cdata.

use std::collections::BTreeMap;
use std::ffi::CString;

use rcffi::{Error, Value, list};

use super::ffi_with;

/// Every number type's array to `Vec<T>` agrees with reading it item by item, and a `Vec<T>`
/// of another type converts item by item with the same range checks.
#[test]
fn arrays_come_out_as_vectors_and_arrays_of_any_number_type() {
    let ffi = ffi_with("");
    let ints: [i64; 6] = [0, 1, -1, 127, -128, 255];
    for ty in [
        "signed char",
        "unsigned char",
        "short",
        "unsigned short",
        "int",
        "unsigned",
        "long",
        "unsigned long long",
    ] {
        let unsigned = ty.starts_with("unsigned");
        let values: Vec<i64> = ints
            .iter()
            .map(|&v| {
                if unsigned {
                    v.rem_euclid(128)
                } else {
                    v.clamp(-128, 127)
                }
            })
            .collect();
        let a = ffi.new(&format!("{ty}[]"), values.clone()).unwrap();
        let by_item: Vec<i64> = (0..a.len().unwrap())
            .map(|i| a.get_as::<i64>(i).unwrap())
            .collect();
        assert_eq!(a.to_vec_as::<i64>().unwrap(), by_item, "{ty}");
        assert_eq!(by_item, values, "{ty}");
        let arr: [i64; 6] = a.to_array().unwrap();
        assert_eq!(arr.to_vec(), values);
        // A narrower Rust type: a value that does not fit is an error, not a wrap.
        let narrow = a.to_vec_as::<u8>();
        assert_eq!(
            narrow.is_ok(),
            values.iter().all(|v| (0..=255).contains(v)),
            "{ty}: {narrow:?}"
        );
    }
    let d = ffi.new("double[3]", [0.5, -2.25, 1e300]).unwrap();
    assert_eq!(d.to_vec_as::<f64>().unwrap(), [0.5, -2.25, 1e300]);
    assert_eq!(d.to_array::<f64, 3>().unwrap(), [0.5, -2.25, 1e300]);
    // Lengths are checked, and a pointer has none.
    let e = d.to_array::<f64, 4>().unwrap_err();
    assert!(
        matches!(e, Error::Index(_)) && e.to_string().contains("has 3 items, not 4"),
        "{e}"
    );
    let p = d.offset(0usize).unwrap();
    let e = p.to_vec_as::<f64>().unwrap_err();
    assert!(e.to_string().contains("unpack_as"), "{e}");
    assert_eq!(ffi.unpack_as::<f64>(&p, 2).unwrap(), [0.5, -2.25]);
    // Nested arrays as arrays of arrays, bools checked.
    let grid = ffi.new("short[2][3]", [[1, 2, 3], [4, 5, 6]]).unwrap();
    assert_eq!(
        grid.to_vec_as::<[i16; 3]>().unwrap(),
        [[1, 2, 3], [4, 5, 6]]
    );
    assert_eq!(grid.to_array::<[i16; 3], 2>().unwrap()[1], [4, 5, 6]);
    let b = ffi.new("_Bool[3]", [true, false, true]).unwrap();
    assert_eq!(b.to_vec_as::<bool>().unwrap(), [true, false, true]);
}

#[test]
fn any_rust_integer_indexes_and_offsets() {
    let ffi = ffi_with("");
    let a = ffi.new("int[4]", [10, 20, 30, 40]).unwrap();
    let n: usize = a.len().unwrap();
    let sum: i32 = (0..n).map(|i| a.get_as::<i32>(i).unwrap()).sum();
    assert_eq!(sum, 100);
    a.set(3u8, 41).unwrap();
    assert_eq!(a.get(3u64).unwrap(), 41.into());
    assert_eq!(
        a.slice(1usize, 3u32).unwrap().to_vec_as::<i32>().unwrap(),
        [20, 30]
    );
    let end = a.offset(4usize).unwrap();
    assert_eq!(end.get(-1isize).unwrap(), 41.into());
    assert_eq!(end.get(-4i64).unwrap(), 10.into());
    for e in [
        a.get(u64::MAX).unwrap_err(),
        a.get(usize::MAX).unwrap_err(),
        a.get(i128::MIN).unwrap_err(),
    ] {
        assert!(matches!(e, Error::Index(_)), "{e:#?}");
        assert!(e.to_string().contains("out of range"), "{e}");
    }
    assert!(matches!(a.get(4usize).unwrap_err(), Error::Index(_)));
}

#[test]
fn constants_come_out_as_the_rust_type_they_are_used_as() {
    let ffi = ffi_with(
        "#define LEVEL 9\nenum { BIG = 300, NEG = -1 };\nstatic const long long HUGE = 1099511627776;",
    );
    assert_eq!(ffi.integer_const_as::<i32>("LEVEL").unwrap(), 9);
    assert_eq!(ffi.integer_const_as::<u16>("BIG").unwrap(), 300);
    assert_eq!(ffi.integer_const_as::<i64>("HUGE").unwrap(), 1 << 40);
    for (name, e) in [
        ("BIG", ffi.integer_const_as::<u8>("BIG").unwrap_err()),
        ("NEG", ffi.integer_const_as::<u32>("NEG").unwrap_err()),
        ("HUGE", ffi.integer_const_as::<i32>("HUGE").unwrap_err()),
    ] {
        assert!(matches!(e, Error::Overflow(_)), "{e:#?}");
        assert!(e.to_string().contains(name), "{e}");
    }
    assert!(matches!(
        ffi.integer_const_as::<i32>("NOPE").unwrap_err(),
        Error::Key(_)
    ));
}

#[test]
fn value_as_converts_strings_structs_enums_and_numbers() {
    let ffi = ffi_with(
        "enum color { RED, GREEN }; struct user { char name[8]; enum color c; short age; };",
    );
    let u = ffi.new("struct user *", list!["Ada", 1, 36]).unwrap();
    let name = u.field("name").unwrap().cdata().unwrap();
    assert_eq!(name.value_as::<String>().unwrap(), "Ada");
    assert_eq!(name.value_as::<Vec<u8>>().unwrap(), b"Ada");
    assert_eq!(name.value_as::<CString>().unwrap(), c"Ada".to_owned());
    let whole: BTreeMap<String, Value> =
        u.get(0usize).unwrap().cdata().unwrap().value_as().unwrap();
    assert_eq!(whole["age"], 36.into());
    let green = ffi.cast("enum color", 1).unwrap();
    assert_eq!(green.value_as::<String>().unwrap(), "GREEN");
    assert_eq!(green.value_as::<i32>().unwrap(), 1);
    let age = ffi.cast("short", u.field("age").unwrap()).unwrap();
    assert_eq!(age.value_as::<u8>().unwrap(), 36);
    assert!(matches!(
        ffi.cast("int", -1).unwrap().value_as::<u32>().unwrap_err(),
        Error::Overflow(_)
    ));
    // A C string cannot hold a NUL.
    let e = CString::try_from(Value::Bytes(b"a\0b".into())).unwrap_err();
    assert!(e.to_string().contains("NUL"), "{e}");
}

#[test]
fn ffi_readers_take_a_value_holding_a_cdata() {
    let ffi = ffi_with("struct person { char *name; int id; };");
    let who = ffi
        .new(
            "struct person *",
            list![ffi.new("char[]", "Ada").unwrap(), 7],
        )
        .unwrap();
    let name = who.field("name").unwrap(); // a Value
    assert_eq!(ffi.string(&name, None).unwrap(), b"Ada".into());
    assert_eq!(ffi.unpack(&name, 2).unwrap(), b"Ad".into());
    assert_eq!(ffi.unpack_as::<u8>(&name, 3).unwrap(), b"Ada");
    assert_eq!(ffi.buffer(&name, Some(2)).unwrap().to_vec().unwrap(), b"Ad");
    let first = who.get(0).unwrap();
    assert_eq!(
        ffi.addressof(&first, "id").unwrap().get(0).unwrap(),
        7.into()
    );
    let h = ffi.new_handle(String::from("state"));
    assert_eq!(
        *ffi.from_handle::<String>(&Value::CData(h.clone())).unwrap(),
        "state"
    );
    // Another value names itself.
    let e = ffi.string(&Value::Int(3), None).unwrap_err();
    assert!(
        matches!(e, Error::Type(_)) && e.to_string().contains("a cdata is required, not int"),
        "{e}"
    );
    assert!(ffi.release(&Value::Float(1.0)).is_err());
}

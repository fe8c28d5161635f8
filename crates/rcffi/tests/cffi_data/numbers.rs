//! `Value::Numbers` (issue 18, item 3): a `Vec` or slice of Rust numbers is one value that
//! initializers write as bytes. The oracle is the list of the same numbers as `Value`s, the
//! path every list took before: the same memory, or the same error, for every Rust number type
//! into every C number type, at the edges of both ranges, and wherever a list is taken.

use rcffi::{Ffi, Numbers, Value, list, map};

use super::ffi_with;

/// The C element types the differential runs write into: every integer width and
/// signedness, characters, `_Bool`, enums, every float.
const C_TYPES: &[&str] = &[
    "char",
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
    "__int128",
    "unsigned __int128",
    "_Bool",
    "wchar_t",
    "char16_t",
    "enum e",
    "float",
    "double",
    "long double",
    "float _Complex",
];

/// The edges of `T` and a few values inside, as a vector.
macro_rules! edges {
    ($t:ty) => {{
        let mut v: Vec<$t> = vec![<$t>::MIN, <$t>::MAX, 0 as $t, 1 as $t, 2 as $t, 100 as $t];
        if <$t>::MIN != (0 as $t) {
            v.push((0 as $t) - (1 as $t));
        }
        v
    }};
}

/// The memory (or the error) of `new(ty, init)`.
fn made(ffi: &Ffi, ty: &str, init: Value) -> Result<Vec<u8>, String> {
    let c = ffi.new(ty, init).map_err(|e| e.to_string())?;
    ffi.buffer(&c, None)
        .and_then(|b| b.to_vec())
        .map_err(|e| e.to_string())
}

/// The memory of an array of `ty` whose items are set one at a time (`a[i] = item`: one
/// scalar conversion each, no bulk path), or `Err` when an item does not convert.
fn item_by_item(ffi: &Ffi, ty: &str, items: &[Value]) -> Result<Vec<u8>, ()> {
    let open = ty.ends_with("[]");
    let a = if open {
        ffi.new(ty, items.len())
    } else {
        ffi.new(ty, ())
    }
    .map_err(|_| ())?;
    if items.len() > a.len().unwrap() {
        return Err(());
    }
    for (i, item) in items.iter().enumerate() {
        a.set(i, item.clone()).map_err(|_| ())?;
    }
    Ok(ffi.buffer(&a, None).unwrap().to_vec().unwrap())
}

/// `new` from the numbers, from the list of the same values, and item by item agree.
fn agree(ffi: &Ffi, ty: &str, numbers: Value) {
    let Value::Numbers(n) = &numbers else {
        panic!("not numbers: {numbers:?}")
    };
    let listed = Value::List(n.to_values());
    let from_numbers = made(ffi, ty, numbers.clone());
    assert_eq!(
        from_numbers,
        made(ffi, ty, listed),
        "new({ty:?}, {numbers:?})"
    );
    assert_eq!(
        from_numbers.clone().map_err(|_| ()),
        item_by_item(ffi, ty, &n.to_values()),
        "new({ty:?}, {numbers:?}) against setting each item"
    );
}

#[test]
fn every_rust_number_type_into_every_c_number_type_writes_what_a_list_writes() {
    let ffi = ffi_with("enum e { E0, E1 = 300 };");
    let mut cases = 0;
    for c in C_TYPES {
        for ty in [format!("{c}[]"), format!("{c}[9]"), format!("{c}[3]")] {
            agree(&ffi, &ty, Value::from(edges!(i8)));
            agree(&ffi, &ty, Value::from(edges!(i16)));
            agree(&ffi, &ty, Value::from(edges!(u16)));
            agree(&ffi, &ty, Value::from(edges!(i32)));
            agree(&ffi, &ty, Value::from(edges!(u32)));
            agree(&ffi, &ty, Value::from(edges!(i64)));
            agree(&ffi, &ty, Value::from(edges!(u64)));
            agree(&ffi, &ty, Value::from(edges!(isize)));
            agree(&ffi, &ty, Value::from(edges!(usize)));
            agree(&ffi, &ty, Value::from(vec![0i32, 1]));
            agree(&ffi, &ty, Value::from(Vec::<i32>::new()));
            for floats in [
                vec![0.0, -0.0, 1.5, -2.25, 1e300, f64::INFINITY, f64::NAN],
                vec![0.0, 1.0, 2.0, 255.0, -1.0],
            ] {
                let narrow: Vec<f32> = floats.iter().map(|x| *x as f32).collect();
                agree(&ffi, &ty, Value::from(floats));
                agree(&ffi, &ty, Value::from(narrow));
            }
            cases += 13;
        }
    }
    assert_eq!(cases, C_TYPES.len() * 3 * 13);
}

#[test]
fn the_same_type_is_copied_exactly_and_other_types_are_range_checked() {
    let ffi = Ffi::default();
    let big: Vec<i32> = (0..100_000).map(|i| i * 7 - 350_000).collect();
    let a = ffi.new("int[]", big.clone()).unwrap();
    assert_eq!(a.len().unwrap(), big.len());
    assert_eq!(a.to_vec_as::<i32>().unwrap(), big);
    let wide = ffi.new("long long[]", big.clone()).unwrap();
    assert_eq!(
        wide.to_vec_as::<i64>().unwrap(),
        big.iter().map(|x| i64::from(*x)).collect::<Vec<_>>()
    );
    let err = ffi.new("short[]", big).unwrap_err().to_string();
    assert!(err.contains("short"), "{err}");
    let f = ffi.new("double[]", vec![0.1f32, 3.5]).unwrap();
    assert_eq!(f.to_vec_as::<f64>().unwrap(), [f64::from(0.1f32), 3.5]);
    assert!(
        ffi.new("int[2]", vec![1i32, 2, 3]).is_err(),
        "too many items"
    );
}

#[test]
fn numbers_are_a_list_wherever_a_list_is_taken() {
    let ffi = ffi_with(
        "struct pt { int x; long y; };
         struct grid { int cells[2][3]; double w[2]; };
         struct v { int n; short data[]; };",
    );
    // Members in order.
    let p = ffi.new("struct pt *", vec![4i16, -5]).unwrap();
    assert_eq!(
        (p.field("x").unwrap(), p.field("y").unwrap()),
        (Value::Int(4), Value::Int(-5))
    );
    // Rows of a two-dimensional array, and a member array.
    let g = ffi
        .new(
            "struct grid *",
            map! { "cells" => list![vec![1i32, 2, 3], vec![4u16, 5, 6]], "w" => vec![0.5f32, 2.0] },
        )
        .unwrap();
    assert_eq!(
        g.field("cells")
            .unwrap()
            .cdata()
            .unwrap()
            .to_vec_as::<[i32; 3]>()
            .unwrap(),
        [[1, 2, 3], [4, 5, 6]]
    );
    g.set_field("w", vec![7.0f64, 8.0]).unwrap();
    assert_eq!(
        g.field("w")
            .unwrap()
            .cdata()
            .unwrap()
            .to_vec_as::<f64>()
            .unwrap(),
        [7.0, 8.0]
    );
    // A flexible array member sized by its initializer.
    let v = ffi
        .new("struct v *", map! { "n" => 3, "data" => vec![9i64, 8, 7] })
        .unwrap();
    assert_eq!(
        ffi.sizeof(&v.get(0).unwrap().cdata().unwrap()).unwrap(),
        ffi.sizeof("struct v").unwrap() + 6
    );
    assert_eq!(
        v.field("data").unwrap().cdata().unwrap().get(2).unwrap(),
        Value::Int(7)
    );
    // A slice assignment.
    let a = ffi.new("int[5]", ()).unwrap();
    a.slice(1, 4)
        .unwrap()
        .set_slice(0, 3, vec![1u32, 2, 3])
        .unwrap();
    assert_eq!(a.to_vec_as::<i32>().unwrap(), [0, 1, 2, 3, 0]);
    assert!(
        a.slice(1, 4)
            .unwrap()
            .set_slice(0, 3, vec![1u32, 2])
            .is_err()
    );
    // A complex number's two parts.
    let z = ffi.new("double _Complex *", vec![1.5f64, -2.0]).unwrap();
    assert_eq!(z.get(0).unwrap(), list![1.5, -2.0]);
    // Out as a list of values.
    let back: Vec<Value> = Value::from(vec![3u64, 4]).try_into().unwrap();
    assert_eq!(back, [Value::Int(3), Value::Int(4)]);
}

#[test]
fn numbers_compare_and_print_as_the_list_of_the_same_values() {
    assert_eq!(Value::from(vec![1i32, 2]), list![1, 2]);
    assert_eq!(list![1, 2], Value::from(vec![1u64, 2]));
    assert_eq!(Value::from(vec![1i8, 2]), Value::from(vec![1.0f64, 2.0]));
    assert_ne!(Value::from(vec![1i32, 2]), list![1, 3]);
    assert_ne!(Value::from(vec![1i32, 2]), list![1, 2, 3]);
    assert_ne!(Value::from(vec![f64::NAN]), Value::from(vec![f64::NAN]));
    assert_eq!(
        Value::from(vec![1i32, -2]).to_string(),
        list![1, -2].to_string()
    );
    assert_eq!(Value::from(vec![0.5f32]).to_string(), "[0.5]");
    assert_eq!(Value::from(vec![1usize]).type_name(), "list");
    assert!(matches!(
        Value::from(&[1isize][..]),
        Value::Numbers(Numbers::I64(_))
    ));
    assert!(
        matches!(Value::from(vec![1u8]), Value::Bytes(_)),
        "u8s are bytes, as in cffi"
    );
}

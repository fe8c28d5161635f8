//! Bulk values without `Value`s: `new_slice` and `unpack_as`, byte copies where the item types
//! agree, checked conversions where both are numbers, compared with what C reads and writes.

use std::ffi::c_int;

use super::fixture;
use super::structs::{Cd, Pt};

#[test]
fn a_million_ints_round_trip_and_c_reads_them() {
    let (ffi, lib) = fixture();
    let big: Vec<i32> = (0..1_000_000).map(|i| i * 3 - 7).collect();
    let a = ffi.new_slice("int[]", &big).unwrap();
    assert_eq!(a.len().unwrap(), big.len());
    assert_eq!(ffi.unpack_as::<i32>(&a, big.len()).unwrap(), big);
    let sum_arr = lib
        .typed::<unsafe extern "C" fn(*const c_int, c_int) -> c_int>("sum_arr")
        .unwrap();
    // SAFETY: 1,000 ints of the array.
    let c_sum = unsafe { sum_arr(a.address() as *const c_int, 1000) };
    assert_eq!(c_sum, big[..1000].iter().sum::<i32>());
    // Written by C, read back in bulk.
    let fill = lib
        .typed::<unsafe extern "C" fn(*mut c_int, c_int, c_int)>("fill")
        .unwrap();
    let out = ffi.new("int[8]", ()).unwrap();
    // SAFETY: room for 8 ints.
    unsafe { fill(out.address() as *mut c_int, 8, 100) };
    assert_eq!(
        ffi.unpack_as::<i32>(&out, 8).unwrap(),
        (100..108).collect::<Vec<_>>()
    );
}

#[test]
fn structs_copy_their_members_not_their_padding() {
    let ffi = fixture().0;
    let items = [
        Cd::default_like(1),
        Cd::default_like(2),
        Cd::default_like(3),
    ];
    let a = ffi.new_slice("cd_t[]", &items).unwrap();
    assert_eq!(ffi.unpack_as::<Cd>(&a, 3).unwrap(), items);
    assert_eq!(
        a.get(1).unwrap().cdata().unwrap().field("d").unwrap(),
        2.5.into()
    );
    // The 7 padding bytes after each `c` stay as `new` made them: zero.
    let bytes = ffi.buffer(&a, None).unwrap().to_vec().unwrap();
    for i in 0..3 {
        assert_eq!(&bytes[i * 16 + 1..i * 16 + 8], &[0; 7], "item {i}");
    }
    let pts = ffi.new_slice("struct pt[4]", &[Pt { x: 1, y: 2 }]).unwrap();
    assert_eq!(
        ffi.unpack_as::<Pt>(&pts, 4).unwrap(),
        [
            Pt { x: 1, y: 2 },
            Pt::default(),
            Pt::default(),
            Pt::default()
        ]
    );
}

#[test]
fn numbers_of_other_types_convert_item_by_item() {
    let ffi = rcffi::Ffi::default();
    let d = ffi.new_slice("double[]", &[1i64, -2, 1 << 40]).unwrap();
    assert_eq!(
        ffi.unpack_as::<f64>(&d, 3).unwrap(),
        [1.0, -2.0, 1_099_511_627_776.0]
    );
    assert_eq!(ffi.unpack_as::<f32>(&d, 2).unwrap(), [1.0, -2.0]);
    let u = ffi.new_slice("unsigned char[]", &[0i32, 255]).unwrap();
    assert_eq!(ffi.unpack_as::<i64>(&u, 2).unwrap(), [0, 255]);
    let e = ffi
        .new_slice("unsigned char[]", &[1i32, 256])
        .unwrap_err()
        .to_string();
    assert!(e.contains("item 1"), "{e}");
    let s = ffi.new_slice("short[]", &[-1i16, 7]).unwrap();
    assert!(
        ffi.unpack_as::<u32>(&s, 2)
            .unwrap_err()
            .to_string()
            .contains("does not fit")
    );
    assert!(ffi.unpack_as::<i32>(&d, 1).is_err()); // a double is not an integer
    let b = ffi.new_slice("_Bool[]", &[true, false]).unwrap();
    assert_eq!(ffi.unpack_as::<bool>(&b, 2).unwrap(), [true, false]);
    ffi.buffer(&b, None).unwrap().set(1, 2).unwrap();
    assert!(
        ffi.unpack_as::<bool>(&b, 2)
            .unwrap_err()
            .to_string()
            .contains("holds 2")
    );
}

#[test]
fn bounds_lengths_and_kinds_are_checked() {
    let (ffi, _lib) = fixture();
    assert!(ffi.new_slice("int[2]", &[1i32, 2, 3]).is_err());
    assert!(ffi.new_slice("int *", &[1i32, 2]).is_err());
    let one = ffi.new_slice("int *", &[5i32]).unwrap();
    assert_eq!(ffi.unpack_as::<i32>(&one, 1).unwrap(), [5]);
    assert!(ffi.unpack_as::<i32>(&one, 2).is_err()); // past the one item
    assert!(ffi.new_slice("int", &[1i32]).is_err());
    let a = ffi.new_slice("int[]", &[1i32, 2]).unwrap();
    assert!(ffi.unpack_as::<i32>(&a, 3).is_err());
    assert!(
        ffi.unpack_as::<Pt>(&a, 1)
            .unwrap_err()
            .to_string()
            .contains("only numbers convert")
    );
    let foreign = ffi.cast("int *", 0x1000).unwrap();
    assert!(ffi.unpack_as::<i32>(&foreign, 1).is_err()); // memory rcffi does not know
    let empty: [i32; 0] = [];
    assert_eq!(ffi.new_slice("int[]", &empty).unwrap().len().unwrap(), 0);
}

#[test]
fn a_huge_length_is_refused_before_anything_is_reserved() {
    let ffi = rcffi::Ffi::default();
    let p = ffi.new("int *", 7).unwrap();
    let e = ffi
        .unpack_as::<i32>(&p, usize::MAX / 8)
        .unwrap_err()
        .to_string();
    assert!(e.contains("outside"), "{e}");
    assert!(ffi.unpack_as::<i32>(&p, usize::MAX).is_err());
}

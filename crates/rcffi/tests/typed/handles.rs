//! `Function::call_as`: handles called with Rust arguments, each result compared with the same
//! function called directly; mismatches refused (never remembered), variadic functions refused,
//! `errno` kept, and the check's memory shared by threads.

use std::ffi::{c_char, c_double, c_int, c_long, c_longlong, c_uint, c_ulonglong, c_ushort};

use super::structs::Pt;
use super::{direct, fixture};

/// `id_T` through `call_as` and directly, for each value.
macro_rules! identity_as {
    ($lib:expr, $name:literal, $t:ty, [$($v:expr),*]) => {{
        let f = $lib.function($name).expect($name);
        let raw: unsafe extern "C" fn($t) -> $t = direct!($lib, $name as unsafe extern "C" fn($t) -> $t);
        for v in [$($v as $t),*] {
            // SAFETY: the fixture's identity functions take and return one value.
            let (got, want) = unsafe { (f.call_as::<$t, _>((v,)).expect($name), raw(v)) };
            assert_eq!(got, want, "{}({v:?})", $name);
            assert_eq!(got, v, "{}({v:?})", $name);
        }
    }};
}

#[test]
fn every_primitive_type_equals_the_direct_call() {
    let (_ffi, lib) = fixture();
    identity_as!(lib, "id_char", c_char, [0, 65, -1i8 as c_char, 127]);
    identity_as!(lib, "id_schar", i8, [i8::MIN, -1, 0, i8::MAX]);
    identity_as!(lib, "id_uchar", u8, [0, 200, 255]);
    identity_as!(lib, "id_short", i16, [i16::MIN, -2, i16::MAX]);
    identity_as!(lib, "id_ushort", c_ushort, [0, 40000, u16::MAX]);
    identity_as!(lib, "id_int", c_int, [i32::MIN, -1, 0, i32::MAX]);
    identity_as!(lib, "id_uint", c_uint, [0, 3_000_000_000u32, u32::MAX]);
    identity_as!(lib, "id_long", c_long, [c_long::MIN, -5, c_long::MAX]);
    identity_as!(lib, "id_llong", c_longlong, [i64::MIN, 0, i64::MAX]);
    identity_as!(lib, "id_ullong", c_ulonglong, [0, u64::MAX]);
    identity_as!(lib, "id_float", f32, [0.0, -1.5, f32::MAX]);
    identity_as!(lib, "id_double", c_double, [0.0, -1.5e300, f64::EPSILON]);
    identity_as!(lib, "id_bool", bool, [false, true]);
    identity_as!(lib, "id_size", usize, [0, usize::MAX]);
}

#[test]
fn many_arguments_pointers_and_structs_equal_the_direct_call() {
    let (ffi, lib) = fixture();
    type Mixed6 = unsafe extern "C" fn(c_int, f64, i64, f32, i8, u16) -> f64;
    let mixed6 = lib.function("mixed6").unwrap();
    let raw: Mixed6 = direct!(lib, "mixed6" as Mixed6);
    // SAFETY: numbers only, as declared.
    let (got, want) = unsafe {
        (
            mixed6
                .call_as::<f64, _>((-7, 0.25, 1i64 << 40, 1.5f32, -3i8, 65535u16))
                .unwrap(),
            raw(-7, 0.25, 1 << 40, 1.5, -3, 65535),
        )
    };
    assert_eq!(got.to_bits(), want.to_bits());

    type Sum9d = unsafe extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64, f64) -> f64;
    let sum9d = lib.function("sum9d").unwrap();
    let raw: Sum9d = direct!(lib, "sum9d" as Sum9d);
    let a = [0.5, -1.25, 2.0, 1e10, -3.5, 0.125, 7.0, -8.75, 1e-3];
    // SAFETY: numbers only (the ninth travels on the stack).
    let (got, want) = unsafe {
        (
            sum9d
                .call_as::<f64, _>((a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]))
                .unwrap(),
            raw(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]),
        )
    };
    assert_eq!(got.to_bits(), want.to_bits());

    // A pointer argument: the array of a cdata.
    let arr = ffi.new_slice("int[]", &[3, 4, 5, -2]).unwrap();
    let sum_arr = lib.function("sum_arr").unwrap();
    // SAFETY: four ints at the array's address, which `arr` keeps alive.
    let s = unsafe {
        sum_arr
            .call_as::<c_int, _>((arr.address() as *const c_int, 4))
            .unwrap()
    };
    assert_eq!(s, 10);

    // Structs by value, in and out.
    type Mid = unsafe extern "C" fn(Pt, Pt) -> Pt;
    let mid = lib.function("mid").unwrap();
    let raw: Mid = direct!(lib, "mid" as Mid);
    let (a, b) = (Pt { x: 2, y: -8 }, Pt { x: 10, y: 4 });
    // SAFETY: two struct pts by value.
    let (got, want) = unsafe { (mid.call_as::<Pt, _>((a, b)).unwrap(), raw(a, b)) };
    assert_eq!((got.x, got.y), (want.x, want.y));
}

#[test]
fn mismatches_are_refused_every_time_and_never_remembered() {
    let (_ffi, lib) = fixture();
    let add = lib.function("add").unwrap();
    for _ in 0..3 {
        // SAFETY: refused before any call.
        let e = unsafe { add.call_as::<c_int, _>((1i64, 2i32)) }.unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("int(*)(int, int)") || msg.contains("int(int, int)"),
            "{msg}"
        );
        assert!(msg.contains("i64"), "{msg}");
        // SAFETY: numbers, as declared.
        assert_eq!(unsafe { add.call_as::<c_int, _>((1, 2)) }.unwrap(), 3);
    }
    // SAFETY: refused: a wrong result type, a wrong arity.
    unsafe {
        assert!(add.call_as::<f64, _>((1, 2)).is_err());
        assert!(add.call_as::<c_int, _>((1,)).is_err());
        assert!(add.call_as::<(), _>((1, 2)).is_err());
    }
    // Variadic functions take `call`: their extra arguments' types are chosen per call.
    let vsum = lib.function("vsum").unwrap();
    // SAFETY: refused by the check.
    let e = unsafe { vsum.call_as::<c_int, _>((2, 1, 2)) }.unwrap_err();
    assert!(e.to_string().contains("..."), "{e}");
}

#[test]
fn errno_is_kept_as_call_keeps_it() {
    let (ffi, lib) = fixture();
    let set = lib.function("set_errno").unwrap();
    let get = lib.function("get_errno").unwrap();
    // SAFETY: set_errno and get_errno take and return ints.
    unsafe {
        set.call_as::<c_int, _>((42,)).unwrap();
        assert_eq!(ffi.errno(), 42);
        ffi.set_errno(7);
        assert_eq!(get.call_as::<c_int, _>(()).unwrap(), 7);
    }
}

#[test]
fn threads_share_what_was_checked() {
    let (_ffi, lib) = fixture();
    let add = lib.function("add").unwrap();
    let addd = lib.function("addd").unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (add, addd) = (&add, &addd);
            s.spawn(move || {
                for i in 0..2000 {
                    // SAFETY: numbers, as declared; mismatches are refused before any call.
                    unsafe {
                        assert_eq!(add.call_as::<c_int, _>((i, t)).unwrap(), i + t);
                        assert_eq!(addd.call_as::<f64, _>((0.5, 0.25)).unwrap(), 0.75);
                        if i % 100 == 0 {
                            assert!(add.call_as::<c_int, _>((0u32, 0)).is_err());
                        }
                    }
                }
            });
        }
    });
}

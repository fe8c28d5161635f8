//! `#[derive(Bindings)]`: a struct of typed functions loaded from a library at once.

use std::ffi::{c_char, c_int};

use rcffi::{Bindings, TypedFn, View};

use super::fixture;

#[derive(Bindings)]
struct Fixture {
    add: TypedFn<unsafe extern "C" fn(c_int, c_int) -> c_int>,
    #[rcffi(name = "fx_strlen")]
    strlen: TypedFn<unsafe extern "C" fn(*const c_char) -> usize>,
    vsum: TypedFn<unsafe extern "C" fn(c_int, ...) -> c_int>,
    missing: Option<TypedFn<unsafe extern "C" fn() -> c_int>>,
    counter: View<c_int>,
    my_array: View<[c_int; 7]>,
    no_such_variable: Option<View<c_int>>,
}

#[test]
fn a_struct_of_functions_loads_at_once() {
    let (_ffi, lib) = fixture();
    let f = Fixture::load(&lib).unwrap();
    // SAFETY: the fixture's functions, checked against the cdef.
    unsafe {
        assert_eq!(f.add(2, 3), 5);
        assert_eq!((f.add)(4, 5), 9);
        assert_eq!(f.strlen(c"four".as_ptr()), 4);
        assert_eq!((f.vsum)(3, 1, 2, 3 as c_int), 6);
    }
    assert!(f.missing.is_none());
    assert!(f.no_such_variable.is_none());
    let bump = lib
        .typed::<unsafe extern "C" fn() -> c_int>("bump")
        .unwrap();
    f.counter.set(41).unwrap();
    // SAFETY: bump increments the fixture's counter and returns it.
    assert_eq!(unsafe { bump() }, 42);
    assert_eq!(f.counter.get().unwrap(), 42);
    let sum = lib
        .typed::<unsafe extern "C" fn() -> i64>("sum_my_array")
        .unwrap();
    // SAFETY: sums the fixture's my_array.
    assert_eq!(
        // SAFETY: sums the fixture's my_array.
        unsafe { sum() },
        f.my_array
            .get()
            .unwrap()
            .iter()
            .map(|&x| i64::from(x))
            .sum::<i64>()
    );
}

#[derive(Bindings)]
#[allow(dead_code)]
struct Wrong {
    add: TypedFn<unsafe extern "C" fn(f64, c_int) -> c_int>,
    addd: TypedFn<unsafe extern "C" fn(f64, f64) -> f64>,
    mul: TypedFn<unsafe extern "C" fn(c_int) -> c_int>,
    nothere: TypedFn<unsafe extern "C" fn() -> c_int>,
    #[rcffi(name = "addf")]
    optional_but_wrong: Option<TypedFn<unsafe extern "C" fn(c_int) -> c_int>>,
    #[rcffi(name = "gpt")]
    wrong_variable: View<[c_int; 2]>,
}

#[test]
fn every_mismatch_is_reported_at_once() {
    let (_ffi, lib) = fixture();
    let e = Wrong::load(&lib).err().expect("mismatches").to_string();
    assert!(e.starts_with("cannot load Wrong from library"), "{e}");
    assert!(e.contains("5 items failed"), "{e}");
    assert!(
        e.contains("variable 'gpt': cdata 'POINT *' cannot be viewed as [i32; 2]"),
        "{e}"
    );
    assert!(e.contains("'add' ('int(int, int)') does not match"), "{e}");
    assert!(e.contains("'mul'"), "{e}");
    assert!(e.contains("nothere"), "{e}");
    assert!(e.contains("'addf'"), "{e}");
    assert!(!e.contains("'addd'"), "{e}");
}

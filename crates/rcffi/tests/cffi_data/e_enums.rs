//! Group E: enums (the data parts; enum values in declarations are covered by the grammar
//! tests).

use rcffi::{Ffi, list};

use crate::*;

#[test]
fn e01_enum_values_by_name() {
    let ffi = ffi_with("enum foo { A0, B0, CC0, D0 };");
    assert_eq!(
        ffi.string(&ffi.cast("enum foo", 2).unwrap(), None).unwrap(),
        "CC0".into()
    );
    assert_eq!(
        ffi.string(&ffi.cast("enum foo", 4).unwrap(), None).unwrap(),
        "4".into()
    );
}

#[test]
fn e02_negative_enums_and_reprs() {
    let ffi = ffi_with("enum foo { A0, B0, CC0, D0 }; enum bar { A1, B1 = -2, CC1, D1, E1 };");
    assert_eq!(
        ffi.string(&ffi.cast("enum bar", -1).unwrap(), None)
            .unwrap(),
        "CC1".into()
    );
    assert_eq!(
        ffi.string(&ffi.cast("enum bar", 1).unwrap(), None).unwrap(),
        "E1".into()
    );
    assert_eq!(
        repr(&ffi.cast("enum bar", -1).unwrap()),
        "<cdata 'enum bar' -1: CC1>"
    );
    assert_eq!(
        repr(&ffi.cast("enum foo", -1).unwrap()),
        "<cdata 'enum foo' 4294967295>"
    );
}

#[test]
fn e03_enums_compare_as_integers() {
    let ffi = ffi_with("enum foo { A0, B0 }; enum bar { A1, B1 = -2 };");
    let a = ffi.cast("enum foo", 0).unwrap();
    assert_eq!(a, ffi.cast("enum bar", 0).unwrap());
    assert_eq!(a, ffi.cast("int", 0).unwrap());
}

#[test]
fn e04_enum_fields() {
    let ffi = ffi_with("enum foo { A0, B0, CC0, D0 }; struct s { enum foo e; };");
    let s = ffi.new("struct s *", ()).unwrap();
    s.set_field("e", 3).unwrap();
    assert_eq!(s.field("e").unwrap(), 3.into());
    s.set_field("e", ffi.cast("enum foo", -1).unwrap()).unwrap();
    assert_eq!(s.field("e").unwrap(), 4294967295u32.into());
    for bad in ["B", "2", "#2"] {
        assert!(s.set_field("e", bad).is_err(), "{bad}");
    }
    // rcffi: an enumerator's name is accepted (cffi 2.0 refuses strings here).
    s.set_field("e", "CC0").unwrap();
    assert_eq!(s.field("e").unwrap(), 2.into());
}

#[test]
fn e05_non_contiguous() {
    let ffi = ffi_with("enum e { A, B = 42, C };");
    assert_eq!(
        ffi.string(&ffi.cast("enum e", 43).unwrap(), None).unwrap(),
        "C".into()
    );
    assert_eq!(
        ffi.string(&ffi.cast("enum e", 2).unwrap(), None).unwrap(),
        "2".into()
    );
}

#[test]
fn e06_character_hex_and_octal_values() {
    let ffi = ffi_with(r"enum foo { A = '!', B = '\'', C = 0x10, D = 010, E = - 0x10, F = -010 };");
    let got: Vec<i128> = ["A", "B", "C", "D", "E", "F"]
        .iter()
        .map(|n| ffi.integer_const(n).unwrap())
        .collect();
    assert_eq!(got, [33, 39, 16, 8, -16, -8]);
    assert_eq!(ffi.cast("enum foo", 39).unwrap(), 39);
}

#[test]
fn e08_opaque_enum_is_unsigned_int() {
    let ffi = ffi_with("enum foo;");
    assert_eq!(ffi.sizeof("enum foo").unwrap(), 4);
    assert_eq!(
        ffi.cast("enum foo", -1).unwrap().to_int().unwrap(),
        0xffff_ffff
    );
}

#[test]
fn e09_first_name_wins() {
    let ffi = ffi_with("enum foo { AA = 0, BB = 0, CC = 0, DD = 0 };");
    assert_eq!(
        ffi.string(&ffi.cast("enum foo", 0).unwrap(), None).unwrap(),
        "AA".into()
    );
}

#[test]
fn e10_enumerators_referring_to_earlier_ones() {
    let ffi = ffi_with("enum foo { AA, BB = 2, CC = 4, DD = BB, EE, FF = CC, GG = FF };");
    assert_eq!(
        ffi.string(&ffi.cast("enum foo", 3).unwrap(), None).unwrap(),
        "EE".into()
    );
    for (t, n) in [
        ("char[DD]", 2),
        ("char[EE]", 3),
        ("char[FF]", 4),
        ("char[GG]", 4),
    ] {
        assert_eq!(ffi.sizeof(t).unwrap(), n, "{t}");
    }
}

#[test]
fn e11_anonymous_enum_typedefs() {
    let ffi = ffi_with("typedef enum { Value0 = 0 } e, *pe;");
    assert_eq!(ffi.getctype("pe", "").unwrap(), "e *");
    let p = ffi.new("pe", "Value0").unwrap();
    assert_eq!(p.get(0).unwrap(), 0.into());
}

#[test]
fn e17_enum_casts_wrap() {
    let ffi = ffi_with("enum e { A, B };");
    // cffi's test uses -242 + 2**128, beyond the i128 of rcffi's Value; the reduction is the
    // same at 2**64.
    let c = ffi.cast("enum e", -242 + (1i128 << 64)).unwrap();
    assert_eq!(c.to_int().unwrap(), 4294967054);
    let ffi = ffi_with("enum e { A = -1, B };");
    let c = ffi.cast("enum e", -242 + (1i128 << 64)).unwrap();
    assert_eq!(c.to_int().unwrap(), -242);
    assert_eq!(ffi.string(&c, None).unwrap(), "-242".into());
}

#[test]
fn e18_enum_values_must_fit() {
    let ffi = Ffi::default();
    assert!(ffi.cdef("enum e { A = 0x10000000000000000 };").is_err());
}

#[test]
fn e_enum_arrays_take_names_and_numbers() {
    let ffi = ffi_with("enum color { RED, GREEN = 5, BLUE };");
    let a = ffi.new("enum color[]", list!["BLUE", 5, "RED"]).unwrap();
    assert_eq!(a.to_vec().unwrap(), [6, 5, 0].map(rcffi::Value::from));
    err_has(
        ffi.new("enum color *", "PURPLE"),
        is_value,
        "'PURPLE' is not an enumerator of 'enum color'",
    );
}

/// Enums read and write through the plain numbers' direct paths; an enumerator's name, which
/// only the general conversion knows, still goes wherever a number goes.
#[test]
fn e_enum_names_go_where_numbers_go() {
    let ffi = ffi_with("enum color { RED, GREEN = 5, BLUE }; struct s { enum color c; };");
    let s = ffi.new("struct s *", ()).unwrap();
    s.set_field("c", "BLUE").unwrap();
    assert_eq!(s.field("c").unwrap(), 6.into());
    assert_eq!(s.field_as::<i32>("c").unwrap(), 6);
    s.set_field("c", 5).unwrap();
    assert_eq!(s.field("c").unwrap(), 5.into());
    let a = ffi.new("enum color[2]", ()).unwrap();
    a.set(1, "GREEN").unwrap();
    assert_eq!(a.get(1).unwrap(), 5.into());
    assert_eq!(a.get_as::<u8>(1).unwrap(), 5);
    err_has(
        s.set_field("c", "PURPLE"),
        is_value,
        "'PURPLE' is not an enumerator of 'enum color'",
    );
    // Out of the underlying type's range: refused by both paths alike.
    assert!(s.set_field("c", 1i64 << 40).is_err());
}

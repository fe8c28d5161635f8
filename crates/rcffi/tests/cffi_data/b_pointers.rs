//! Group B: pointers and arrays.

use rcffi::{Ffi, Value, list, map};

use crate::*;

fn ints(v: &[i64]) -> Vec<Value> {
    v.iter().map(|x| Value::from(*x)).collect()
}

#[test]
fn b01_arrays_are_zeroed_and_bounds_checked_both_ways() {
    let ffi = Ffi::default();
    let p = ffi.new("int[10]", ()).unwrap();
    assert_eq!(p.to_vec().unwrap(), ints(&[0; 10]));
    err_has(
        p.get(10),
        is_index,
        "index too large for cdata 'int[10]' (expected 10 < 10)",
    );
    err_has(p.get(-1), is_index, "negative index");
    err_has(p.set(10, 1), is_index, "index too large");
    err_has(p.set(-1, 1), is_index, "negative index");
}

#[test]
fn b02_slices() {
    let ffi = Ffi::default();
    let p = ffi.new("int[10]", (0..10).collect::<Vec<i32>>()).unwrap();
    let s = p.slice(0, 3).unwrap();
    assert_eq!(repr(&s), "<cdata 'int[]' sliced length 3>");
    assert_eq!(s.to_vec().unwrap(), ints(&[0, 1, 2]));
    err_has(
        p.slice(0, 11),
        is_index,
        "index too large (expected 11 <= 10)",
    );
}

#[test]
fn b03_array_initializers_and_repr() {
    let ffi = Ffi::default();
    let p = ffi.new("int[5]", [10, 20, 30, 40, 50]).unwrap();
    assert_eq!(p.to_vec().unwrap(), ints(&[10, 20, 30, 40, 50]));
    let q = ffi.new("int[4]", [25]).unwrap();
    assert_eq!(q.to_vec().unwrap(), ints(&[25, 0, 0, 0]));
    assert_eq!(repr(&q), "<cdata 'int[4]' owning 16 bytes>");
}

#[test]
fn b04_open_arrays_take_their_length_from_the_initializer() {
    let ffi = Ffi::default();
    let p = ffi.new("int[]", 10).unwrap();
    assert_eq!(p.get(9).unwrap(), 0.into());
    err_has(p.get(10), is_index, "index too large");
    err_has(
        ffi.new("int[]", ()),
        is_type,
        "expected new array length or list/tuple/str, not NoneType",
    );
    err_has(ffi.new("int[]", 2.5), is_type, "not float");
    assert_eq!(ffi.new("int[]", [-6, -7]).unwrap().len().unwrap(), 2);
    assert_eq!(
        repr(&ffi.new("int[]", 0).unwrap()),
        "<cdata 'int[]' owning 0 bytes>"
    );
    err_has(ffi.new("int[]", -1), is_value, "negative array length");
}

#[test]
fn b05_pointer_arrays_default_to_null() {
    let ffi = Ffi::default();
    let n = ffi.new("int *", 1).unwrap();
    let p = ffi
        .new(
            "int *[10]",
            list![ffi.null(), ffi.null(), &n, &n, ffi.null()],
        )
        .unwrap();
    for i in 0..10 {
        let item = cd(p.get(i).unwrap());
        assert_eq!(item.is_null(), !(2..4).contains(&i), "{i}");
    }
    assert_eq!(cd(p.get(2).unwrap()), n);
}

#[test]
fn b06_incompatible_pointer_initializers_name_both_types() {
    let ffi = Ffi::default();
    let a = ffi.new("short int[10]", ()).unwrap();
    let e = ffi.new("long int **", &a).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("'short[10]'") && msg.contains("'long *'"),
        "{msg}"
    );
}

#[test]
fn b07_pointer_to_pointer_from_an_array() {
    let ffi = Ffi::default();
    let a = ffi.new("int[4]", [100, 102, 104, 106]).unwrap();
    let p = ffi.new("int **", &a).unwrap();
    let first = cd(p.get(0).unwrap());
    assert_eq!(first, ffi.cast("int *", &a).unwrap());
    assert_eq!(first.get(2).unwrap(), 104.into());
}

#[test]
fn b08_null_pointers() {
    let ffi = Ffi::default();
    let p = ffi.cast("int *", 0).unwrap();
    assert!(!p.truthy());
    assert!(p.is_null());
    assert_eq!(p, ffi.cast("int *", 0).unwrap());
    assert_eq!(repr(&p), "<cdata 'int *' NULL>");
    assert_eq!(repr(&ffi.null()), "<cdata 'void *' NULL>");
}

#[test]
fn b09_reprs_of_owning_and_derived_cdata() {
    let ffi = ffi_with("struct foo { short a, b, c; };");
    assert_eq!(
        repr(&ffi.new("int **", ()).unwrap()),
        "<cdata 'int * *' owning 8 bytes>"
    );
    assert_eq!(
        repr(&ffi.new("int[2]", ()).unwrap()),
        "<cdata 'int[2]' owning 8 bytes>"
    );
    assert_eq!(
        repr(&ffi.new("int *[2][3]", ()).unwrap()),
        "<cdata 'int *[2][3]' owning 48 bytes>"
    );
    let s = ffi.new("struct foo *", ()).unwrap();
    assert_eq!(repr(&s), "<cdata 'struct foo *' owning 6 bytes>");
    let p = ffi.new("int *", ()).unwrap();
    let q = ffi.cast("short *", &p).unwrap();
    assert_eq!(repr(&q), format!("<cdata 'short *' {:#x}>", p.address()));
    let arr = ffi.new("struct foo[2]", ()).unwrap();
    assert_eq!(
        repr(&cd(arr.get(1).unwrap())),
        format!("<cdata 'struct foo &' {:#x}>", arr.address() + 6)
    );
}

/// Item 0 of what `new("T *")` returns co-owns the memory only for a struct or union (cffi:
/// `<cdata 'struct s' owning N bytes>`); a pointer or array there is a view with its own repr
/// and size (it said `owning 40 bytes`, and its size was the pointed-to memory's).
#[test]
fn b09b_items_of_new_pointers_co_own_only_records() {
    let ffi = ffi_with("struct foo { short a, b, c; }; union bar { int i; char c[8]; };");
    let s = cd(ffi.new("struct foo *", ()).unwrap().get(0).unwrap());
    assert_eq!(repr(&s), "<cdata 'struct foo' owning 6 bytes>");
    let u = cd(ffi.new("union bar *", ()).unwrap().get(0).unwrap());
    assert_eq!(repr(&u), "<cdata 'union bar' owning 8 bytes>");
    let q = ffi.new("int[10]", ()).unwrap();
    let pp = ffi.new("int **", &q).unwrap();
    let p0 = cd(pp.get(0).unwrap());
    assert_eq!(repr(&p0), format!("<cdata 'int *' {:#x}>", q.address()));
    assert_eq!(p0.sizeof().unwrap(), 8);
    assert_eq!(ffi.sizeof(&p0).unwrap(), 8);
    let ap = ffi.new("int (*)[3]", ()).unwrap();
    let a0 = cd(ap.get(0).unwrap());
    assert_eq!(repr(&a0), format!("<cdata 'int[3]' {:#x}>", ap.address()));
    assert_eq!(a0.sizeof().unwrap(), 12);
}

#[test]
fn b10_arrays_of_arrays() {
    let ffi = Ffi::default();
    let p = ffi.new("int[3][4]", ()).unwrap();
    cd(p.get(2).unwrap()).set(3, 33).unwrap();
    assert_eq!(cd(p.get(2).unwrap()).get(3).unwrap(), 33.into());
    err_has(cd(p.get(1).unwrap()).get(-1), is_index, "negative index");
}

#[test]
fn b11_nested_list_initializers() {
    let ffi = Ffi::default();
    let p = ffi
        .new("int[3][2]", [[10, 11], [12, 13], [14, 15]])
        .unwrap();
    assert_eq!(cd(p.get(2).unwrap()).get(1).unwrap(), 15.into());
}

#[test]
fn b12_owning_pointers_stored_in_arrays() {
    let ffi = Ffi::default();
    let a = ffi.new("int *[4]", ()).unwrap();
    a.set(1, ffi.new("int *", 99).unwrap()).unwrap();
    a.set(2, ffi.new("int[1]", [99]).unwrap()).unwrap();
    for i in [1, 2] {
        let p = cd(a.get(i).unwrap());
        assert!(repr(&p).starts_with("<cdata 'int *' 0x"), "{}", repr(&p));
        // rcffi: the temporaries stay alive in the array (in cffi they are freed here).
        assert_eq!(p.get(0).unwrap(), 99.into());
    }
}

#[test]
fn b13_none_is_not_null() {
    let ffi = Ffi::default();
    let a = ffi.new("int *[1]", ()).unwrap();
    assert_eq!(cd(a.get(0).unwrap()), ffi.null());
    err_has(
        a.set(0, ()),
        is_type,
        "must be a cdata pointer, not NoneType",
    );
    a.set(0, ffi.null()).unwrap();
}

#[test]
fn b14_void_pointers() {
    let ffi = ffi_with("struct s { void *p; int *q; short *r; };");
    err_has(
        ffi.new("void *", ()),
        is_type,
        "cannot instantiate ctype 'void' of unknown size",
    );
    let a = ffi.new("int[3]", ()).unwrap();
    let vp = ffi.new("void **", &a).unwrap();
    err_has(
        cd(vp.get(0).unwrap()).get(0),
        is_type,
        "cdata 'void' is opaque",
    );
    err_has(
        ffi.new("short **", &a),
        is_type,
        "must be a pointer to same type",
    );
    let s = ffi.new("struct s *", ()).unwrap();
    let ip = ffi.new("int *", ()).unwrap();
    for v in [&a, &ip] {
        s.set_field("p", v).unwrap();
        s.set_field("q", v).unwrap();
        err_has(
            s.set_field("r", v),
            is_type,
            "must be a pointer to same type",
        );
    }
}

#[test]
fn b15_pointer_arithmetic() {
    let ffi = Ffi::default();
    let s = ffi
        .new("short[]", (100..120).collect::<Vec<i16>>())
        .unwrap();
    let p = ffi.cast("short *", &s).unwrap();
    assert_eq!(p.offset(1).unwrap(), p.offset(1).unwrap());
    assert_eq!(p.offset(19).unwrap().get(-10).unwrap(), 109.into());
    assert_eq!(p.offset(5).unwrap().diff(&p.offset(1).unwrap()).unwrap(), 4);
    assert_eq!(
        p.offset(1).unwrap().diff(&p.offset(5).unwrap()).unwrap(),
        -4
    );
    assert_eq!(p, s.offset(0).unwrap());
}

#[test]
fn b16_pointer_comparisons() {
    let ffi = Ffi::default();
    let s = ffi.new("short[]", [1, 2, 3]).unwrap();
    let p = ffi.cast("short *", &s).unwrap();
    let q = p.offset(1).unwrap();
    // (a, b, a < b, a <= b, a == b)
    for (a, b, lt, le, eq) in [
        (&s, &p, false, true, true),
        (&s, &q, true, true, false),
        (&p, &q, true, true, false),
        (&q, &p, false, false, false),
        (&q, &s, false, false, false),
    ] {
        assert_eq!(a < b, lt);
        assert_eq!(a <= b, le);
        assert_eq!(a == b, eq);
        assert_eq!(a != b, !eq);
        assert_eq!(a > b, !le);
        assert_eq!(a >= b, !lt);
    }
    // A pointer and a number do not order.
    assert_eq!(p.partial_cmp(&ffi.cast("int", 0).unwrap()), None);
}

#[test]
fn b17_pointers_cast_to_integers() {
    let ffi = Ffi::default();
    let a = ffi.new("int[4]", ()).unwrap();
    let i1 = ffi.cast("intptr_t", &a).unwrap();
    let i2 = ffi
        .cast("intptr_t", ffi.cast("short *", &a).unwrap())
        .unwrap();
    assert_eq!(i1, i2);
    assert_ne!(i1, 0);
    assert_eq!(i1.to_int().unwrap(), a.address() as i128);
    assert_eq!(
        ffi.cast("intptr_t", ffi.null()).unwrap().to_int().unwrap(),
        0
    );
}

#[test]
fn b19_only_arrays_iterate() {
    let ffi = Ffi::default();
    let a = ffi.new("char[]", b"hello").unwrap();
    let items: Vec<Value> = a.iter().unwrap().collect::<Result<_, _>>().unwrap();
    let want: Vec<Value> = b"hello\0"
        .iter()
        .map(|b| Value::Bytes(vec![*b].into()))
        .collect();
    assert_eq!(items, want);
    err_has(
        ffi.cast("char *", &a).unwrap().iter().map(|_| ()),
        is_type,
        "does not support iteration",
    );
    err_has(
        ffi.new("int *", ()).unwrap().iter().map(|_| ()),
        is_type,
        "does not support iteration",
    );
}

#[test]
fn b20_pointer_to_pointer_to_array_repr() {
    let ffi = Ffi::default();
    assert_eq!(
        repr(&ffi.new("int(**)[5]", ()).unwrap()),
        "<cdata 'int(* *)[5]' owning 8 bytes>"
    );
}

#[test]
fn b21_cast_to_an_array_type_is_a_view() {
    let ffi = Ffi::default();
    let a = ffi.new("int[4]", [-5]).unwrap();
    let v = ffi.cast("int[3]", &a).unwrap();
    assert_eq!(v.get(0).unwrap(), (-5).into());
    assert!(repr(&v).starts_with("<cdata 'int[3]' 0x"));
    assert_eq!(
        repr(&ffi.cast("int[3]", 0).unwrap()),
        "<cdata 'int[3]' NULL>"
    );
    err_has(
        ffi.cast("int[]", &a),
        is_type,
        "cannot cast to ctype 'int[]'",
    );
}

#[test]
fn b22_arrays_initialize_from_arrays_of_the_same_type() {
    let ffi = ffi_with("struct s { int i[4]; };");
    let q = ffi.new("int[4]", [1, 2, 3, 4]).unwrap();
    let copy = ffi.new("int[4]", &q).unwrap();
    assert_eq!(copy.to_vec().unwrap(), ints(&[1, 2, 3, 4]));
    copy.set(0, 9).unwrap();
    assert_eq!(q.get(0).unwrap(), 1.into());
    for t in ["int[3]", "int[5]", "int16_t[4]"] {
        err_has(ffi.new(t, &q), is_type, "must be a list or tuple");
    }
    let s = ffi.new("struct s *", list![&q]).unwrap();
    assert_eq!(cd(s.field("i").unwrap()).get(3).unwrap(), 4.into());
}

#[test]
fn b23_too_many_initializers() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("int[4]", [10, 20, 30, 40, 50]),
        is_index,
        "too many initializers for 'int[4]' (got 5)",
    );
}

#[test]
fn b24_too_many_chars() {
    let ffi = Ffi::default();
    let six = list![b"a", b"b", b"c", b"d", b"e", b"f"];
    err_has(
        ffi.new("char[5]", six),
        is_index,
        "too many initializers for 'char[5]' (got 6)",
    );
    err_has(
        ffi.new("char[5]", b"abcdef"),
        is_index,
        "initializer bytes is too long for 'char[5]' (got 6",
    );
}

#[test]
fn b25_open_arrays_do_not_copy_open_arrays() {
    let ffi = Ffi::default();
    let a1 = ffi.new("int[]", [1, 2, 3]).unwrap();
    err_has(
        ffi.new("int[]", &a1),
        is_type,
        "expected new array length or list/tuple/str, not cdata",
    );
    let six = ffi.new("int[6]", [1, 2, 3, 4, 5, 6]).unwrap();
    assert_eq!(ffi.new("int[6]", &six).unwrap().get(5).unwrap(), 6.into());
}

#[test]
fn b26_new_copies_from_cdata_of_the_item_type() {
    let ffi = ffi_with("struct s { int a; }; union u { int a; short b; };");
    assert_eq!(
        ffi.new("int *", ffi.cast("int", 42).unwrap())
            .unwrap()
            .get(0)
            .unwrap(),
        42.into()
    );
    assert_eq!(
        ffi.new("unsigned *", ffi.cast("unsigned", 7).unwrap())
            .unwrap()
            .get(0)
            .unwrap(),
        7.into()
    );
    let ch = ffi.new("char *", ffi.cast("char", b"!").unwrap()).unwrap();
    assert_eq!(ch.get(0).unwrap(), b"!".into());
    let f = ffi
        .new("float *", ffi.cast("float", 12.25).unwrap())
        .unwrap();
    assert_eq!(f.get(0).unwrap(), 12.25.into());
    let s = ffi.new("struct s *", map! {"a" => 5}).unwrap();
    assert_eq!(
        ffi.new("struct s *", s.get(0).unwrap())
            .unwrap()
            .field("a")
            .unwrap(),
        5.into()
    );
    let u = ffi.new("union u *", map! {"b" => 6}).unwrap();
    assert_eq!(
        ffi.new("union u *", u.get(0).unwrap())
            .unwrap()
            .field("b")
            .unwrap(),
        6.into()
    );
    let fp = ffi.cast("int(*)(int)", 0x1234).unwrap();
    let fpp = ffi.new("int(**)(int)", &fp).unwrap();
    assert_eq!(cd(fpp.get(0).unwrap()).address(), 0x1234);
}

#[test]
fn b27_a_number_is_not_a_pointer() {
    let ffi = Ffi::default();
    err_has(
        ffi.new("char **", ffi.cast("double", 42).unwrap()),
        is_type,
        "must be a cdata pointer, not cdata 'double'",
    );
}

#[test]
fn b28_char_pointer_conversion_table() {
    let ffi = Ffi::default();
    let sources = ["char *", "int *", "void *", "unsigned char *"];
    // (target, source, allowed)
    let table = [
        ("int **", "char *", false),
        ("int **", "int *", true),
        ("int **", "void *", true),
        ("int **", "unsigned char *", false),
        ("char **", "char *", true),
        ("char **", "int *", false),
        ("char **", "void *", true),
        ("char **", "unsigned char *", true),
        ("void **", "char *", true),
        ("void **", "int *", true),
        ("void **", "void *", true),
        ("void **", "unsigned char *", true),
        ("unsigned char **", "char *", true),
        ("unsigned char **", "int *", false),
        ("unsigned char **", "void *", true),
        ("unsigned char **", "unsigned char *", true),
    ];
    assert_eq!(table.len(), sources.len() * 4);
    for (target, source, ok) in table {
        let src = ffi.cast(source, 0x100).unwrap();
        assert_eq!(ffi.new(target, &src).is_ok(), ok, "{target} <- {source}");
    }
}

#[test]
fn b29_pointer_difference_needs_whole_items() {
    let ffi = Ffi::default();
    let a = ffi.cast("int *", 0x1000).unwrap();
    let b = ffi.cast("int *", 0x1006).unwrap();
    err_has(b.diff(&a), is_value, "not a multiple of the item size");
    let c = ffi.cast("int *", 0x1008).unwrap();
    assert_eq!(c.diff(&a).unwrap(), 2);
    assert_eq!(a.diff(&c).unwrap(), -2);
}

#[test]
fn b30_slice_errors() {
    let ffi = Ffi::default();
    let c = ffi.new("int[5]", ()).unwrap();
    // Rust's signature requires both bounds (cffi: "slice start must be specified").
    err_has(c.slice(3, 2), is_index, "slice start > stop");
    err_has(c.slice(0, 6), is_index, "index too large (expected 6 <= 5)");
    err_has(c.slice(-1, 2), is_index, "negative index");
}

#[test]
fn b31_slice_assignment() {
    let ffi = Ffi::default();
    let c = ffi.new("int[5]", ()).unwrap();
    c.set_slice(1, 3, [100, 200]).unwrap();
    assert_eq!(c.to_vec().unwrap(), ints(&[0, 100, 200, 0, 0]));
    let cp = c.offset(3).unwrap();
    cp.set_slice(-1, 1, [300, 400]).unwrap();
    assert_eq!(c.to_vec().unwrap(), ints(&[0, 100, 300, 400, 0]));
    err_has(
        c.set_slice(0, 2, [1]),
        is_value,
        "need 2 values to unpack, got 1",
    );
}

#[test]
fn b32_sizeof_a_slice() {
    let ffi = Ffi::default();
    let p = ffi.new("int[10]", ()).unwrap();
    assert_eq!(ffi.sizeof(&p.slice(2, 9).unwrap()).unwrap(), 28);
}

#[test]
fn b33_null_dereference_is_an_error() {
    let ffi = Ffi::default();
    let p = ffi.cast("int *", 0).unwrap();
    for r in [
        p.get(0).map(|_| ()),
        p.set(0, 42),
        p.get(42).map(|_| ()),
        p.set(42, -1),
    ] {
        err_has(
            r,
            is_null,
            "cannot dereference null pointer from cdata 'int *'",
        );
    }
}

#[test]
fn b35_negative_array_sizes_are_refused() {
    let ffi = Ffi::default();
    assert!(ffi.cast("int[-5]", 0).is_err());
}

#[test]
fn b36_addressof_an_array() {
    let ffi = Ffi::default();
    let p = ffi.new("int[52]", ()).unwrap();
    let p0 = ffi.addressof(&p, "").unwrap();
    assert_eq!(p0.type_name(), "int(*)[52]");
    assert_eq!(p0, p);
    err_has(
        ffi.addressof(&p0, ""),
        is_type,
        "addressof(cdata 'int(*)[52]')",
    );
    assert_eq!(ffi.addressof(&p, "[25]").unwrap().diff(&p).unwrap(), 25);
}

#[test]
fn b37_addressof_through_a_pointer() {
    let ffi = Ffi::default();
    let arr = ffi.new("int[52]", ()).unwrap();
    let ptr = ffi.cast("int *", &arr).unwrap();
    err_has(ffi.addressof(&ptr, ""), is_type, "addressof");
    let p25 = ffi.addressof(&ptr, "[25]").unwrap();
    assert_eq!(p25, ptr.offset(25).unwrap());
    assert_eq!(p25.type_name(), "int *");
}

#[test]
fn b38_offsetof_an_array_item() {
    let ffi = Ffi::default();
    assert_eq!(ffi.offsetof("int[]", "[51]").unwrap(), 204);
    assert_eq!(ffi.offsetof("int *", "[51]").unwrap(), 204);
}

#[test]
fn b39_new_pointer_is_indexed_by_0_only() {
    let ffi = Ffi::default();
    let p = ffi.new("int *", ()).unwrap();
    err_has(p.get(1), is_index, "cdata 'int *' can only be indexed by 0");
    err_has(p.get(-1), is_index, "can only be indexed by 0");
}

#[test]
fn b40_slices_of_pointers_are_unbounded_views_but_reads_are_checked() {
    let ffi = Ffi::default();
    let a = ffi.new("int[10]", ()).unwrap();
    let q = ffi.cast("int *", &a).unwrap();
    let s = q.slice(0, 100).unwrap();
    assert_eq!(s.len().unwrap(), 100);
    // rcffi: the view still knows the memory it may use (cffi reads past the end).
    assert_eq!(s.get(9).unwrap(), 0.into());
    err_has(s.get(10), is_index, "outside the 40 bytes");
}

//! Group D, structs and unions as data: making them, reading and writing members, unions,
//! nested and anonymous members, flexible arrays, addresses, copies and conversions to Rust
//! values. Their layouts are in `d_layouts.rs`.

use rcffi::{Ffi, Value, list, map};

use crate::*;

const FOO: &str = "struct foo { int a; short b, c; };";

#[test]
fn d01_simple_struct() {
    let ffi = ffi_with(FOO);
    let s = ffi.new("struct foo *", ()).unwrap();
    assert_eq!(
        (s.field("a").unwrap(), s.field("b").unwrap()),
        (0.into(), 0.into())
    );
    err_has(
        s.set_field("b", 32768),
        is_overflow,
        "integer 32768 does not fit 'short'",
    );
    let t = ffi.new("struct foo *", [-2, -3]).unwrap();
    assert_eq!(
        (
            t.field("a").unwrap(),
            t.field("b").unwrap(),
            t.field("c").unwrap()
        ),
        ((-2).into(), (-3).into(), 0.into())
    );
    assert_eq!(repr(&t), "<cdata 'struct foo *' owning 8 bytes>");
    err_has(
        ffi.new("struct foo *", [1, 2, 3, 4]),
        is_value,
        "too many initializers for 'struct foo' (got 4)",
    );
}

#[test]
fn d02_dict_initializers() {
    let ffi = ffi_with(FOO);
    let s = ffi
        .new("struct foo *", map! {"b" => 123, "c" => 456})
        .unwrap();
    assert_eq!(
        (
            s.field("a").unwrap(),
            s.field("b").unwrap(),
            s.field("c").unwrap()
        ),
        (0.into(), 123.into(), 456.into())
    );
    err_has(ffi.new("struct foo *", map! {"d" => 1}), is_key, "'d'");
}

#[test]
fn d03_struct_through_its_pointer() {
    let ffi = ffi_with(FOO);
    let s = ffi.new("struct foo *", map! {"b" => 5}).unwrap();
    let v = cd(s.get(0).unwrap());
    assert_eq!(v.field("b").unwrap(), s.field("b").unwrap());
    err_has(
        v.set_field("b", -32769),
        is_overflow,
        "does not fit 'short'",
    );
    err_has(
        s.get(1),
        is_index,
        "cdata 'struct foo *' can only be indexed by 0",
    );
}

#[test]
fn d04_opaque_structs_and_unions() {
    for kind in ["struct", "union"] {
        let ffi = Ffi::default();
        err_has(
            ffi.new(&format!("{kind} baz *"), ()),
            is_type,
            &format!("cannot instantiate ctype '{kind} baz' of unknown size"),
        );
        let pp = ffi.new(&format!("{kind} baz **"), ()).unwrap();
        assert!(cd(pp.get(0).unwrap()).is_null());
    }
}

#[test]
fn d05_pointer_to_struct_aliasing() {
    let ffi = ffi_with(FOO);
    let s = ffi.new("struct foo *", ()).unwrap();
    let p = ffi.new("struct foo **", &s).unwrap();
    cd(p.get(0).unwrap()).set_field("a", 1).unwrap();
    assert_eq!(s.field("a").unwrap(), 1.into());
    cd(cd(p.get(0).unwrap()).get(0).unwrap())
        .set_field("a", 2)
        .unwrap();
    assert_eq!(cd(s.get(0).unwrap()).field("a").unwrap(), 2.into());
}

#[test]
fn d06_struct_of_arrays() {
    let ffi = ffi_with("struct foo { int a[2]; char b[3]; };");
    let s = ffi
        .new("struct foo *", list![[10, 11], list![b"a", b"b", b"c"]])
        .unwrap();
    assert_eq!(cd(s.field("a").unwrap()).get(1).unwrap(), 11.into());
    assert_eq!(cd(s.field("b").unwrap()).get(2).unwrap(), b"c".into());
}

#[test]
fn d07_recursive_struct() {
    let ffi = ffi_with("struct foo { int value; struct foo *next; };");
    let d = ffi.new("struct foo *", ()).unwrap();
    let e = ffi.new("struct foo *", list![42, &d]).unwrap();
    d.set_field("value", 7).unwrap();
    assert_eq!(
        cd(e.field("next").unwrap()).field("value").unwrap(),
        7.into()
    );
    assert!(cd(d.field("next").unwrap()).is_null());
}

#[test]
fn d08_union() {
    let ffi = ffi_with("union foo { int a; short b, c; };");
    let u = ffi.new("union foo *", ()).unwrap();
    u.set_field("b", -23).unwrap();
    assert_eq!(u.field("b").unwrap(), (-23).into());
    assert_ne!(u.field("a").unwrap(), 0.into());
    let v = ffi.new("union foo *", [-2]).unwrap();
    assert_eq!(v.field("a").unwrap(), (-2).into());
    assert_eq!(repr(&v), "<cdata 'union foo *' owning 4 bytes>");
}

#[test]
fn d09_union_initializers() {
    let ffi = ffi_with("union foo { char a; int b; };");
    err_has(
        ffi.new("union foo *", b"A"),
        is_type,
        "must be a list or tuple or dict or struct-cdata, not bytes",
    );
    err_has(ffi.new("union foo *", 5), is_type, "not int");
    err_has(
        ffi.new("union foo *", list![b"A", 5]),
        is_value,
        "too many initializers for 'union foo' (got 2)",
    );
    assert_eq!(
        ffi.new("union foo *", list![b"A"])
            .unwrap()
            .field("a")
            .unwrap(),
        b"A".into()
    );
    err_has(
        ffi.new("union foo *", [1005]),
        is_type,
        "must be a bytes of length 1, not int",
    );
    assert_eq!(
        ffi.new("union foo *", map! {"b" => 12345})
            .unwrap()
            .field("b")
            .unwrap(),
        12345.into()
    );
    assert_eq!(
        ffi.new("union foo *", list![]).unwrap().field("b").unwrap(),
        0.into()
    );
}

#[test]
fn d16_anonymous_typedef_structs() {
    let ffi = ffi_with("typedef struct { int a; } foo_t; typedef struct { char b, c; } bar_t;");
    let f = ffi.new("foo_t *", [5]).unwrap();
    assert_eq!(f.field("a").unwrap(), 5.into());
    let b = ffi.new("bar_t *", list![b"B", b"C"]).unwrap();
    assert!(repr(&b).starts_with("<cdata 'bar_t *'"));
    assert_eq!(b.field("c").unwrap(), b"C".into());
}

#[test]
fn d17_struct_with_two_usages() {
    let ffi = ffi_with("typedef struct foo_s { int a; } foo_t, *foo_p;");
    let f = ffi.new("foo_t *", [3]).unwrap();
    let arr = ffi.new("foo_p[]", list![&f]).unwrap();
    assert_eq!(cd(arr.get(0).unwrap()).field("a").unwrap(), 3.into());
}

#[test]
fn d18_nested_anonymous_struct_and_union() {
    let ffi = ffi_with("struct foo { int a; struct { int b; }; union { int c; short d; }; };");
    assert_eq!(ffi.sizeof("struct foo").unwrap(), 12);
    let p = ffi.new("struct foo *", [1, 2, 3]).unwrap();
    assert_eq!(
        (
            p.field("a").unwrap(),
            p.field("b").unwrap(),
            p.field("c").unwrap()
        ),
        (1.into(), 2.into(), 3.into())
    );
    p.set_field("d", 7).unwrap();
    assert_eq!(p.field("c").unwrap(), 7.into());
    let q = ffi.new("struct foo *", map! {"b" => 2, "d" => 4}).unwrap();
    assert_eq!(q.field("c").unwrap(), 4.into());
    err_has(
        ffi.new("struct foo *", [1, 2, 3, 4]),
        is_value,
        "too many initializers",
    );
}

#[test]
fn d21_addressof_a_struct() {
    let ffi = ffi_with(FOO);
    let p = ffi.new("struct foo *", ()).unwrap();
    assert_eq!(ffi.addressof(&cd(p.get(0).unwrap()), "").unwrap(), p);
    err_has(ffi.addressof(&p, ""), is_type, "addressof");
    err_has(
        ffi.addressof(&ffi.cast("int", 5).unwrap(), ""),
        is_type,
        "expected a cdata struct/union/array/pointer object",
    );
}

#[test]
fn d22_addressof_fields() {
    let ffi = ffi_with("struct pt { int x, y; }; struct two { struct pt a, b; };");
    let p = ffi.new("struct pt *", ()).unwrap();
    let y = ffi.addressof(&cd(p.get(0).unwrap()), "y").unwrap();
    assert_eq!(y.address(), p.address() + 4);
    assert_eq!(y, ffi.addressof(&p, "y").unwrap());
    let t = ffi.new("struct two *", ()).unwrap();
    // rcffi: a dotted path reaches nested members (cffi takes them as separate arguments).
    let by = ffi.addressof(&cd(t.get(0).unwrap()), "b.y").unwrap();
    assert_eq!(by.address(), t.address() + 12);
    by.set(0, 9).unwrap();
    assert_eq!(cd(t.field("b").unwrap()).field("y").unwrap(), 9.into());
    err_has(ffi.addressof(&p, "z"), is_key, "has no field 'z'");
}

#[test]
fn d23_addressof_array_members_and_items() {
    let ffi = ffi_with("struct foo { int a, b; int c[50]; };");
    let p = ffi.new("struct foo *", ()).unwrap();
    assert_eq!(
        ffi.addressof(&p, "c[25]").unwrap(),
        ffi.cast("int *", &p).unwrap().offset(27).unwrap()
    );
    assert_eq!(ffi.addressof(&p, "[1]").unwrap(), p.offset(1).unwrap());
}

#[test]
fn d24_independent_ffis_have_independent_structs() {
    let f1 = ffi_with("struct foo { int a; };");
    let f2 = ffi_with("struct foo { double b, c; };");
    assert_eq!(f1.sizeof("struct foo").unwrap(), 4);
    assert_eq!(f2.sizeof("struct foo").unwrap(), 16);
    assert_eq!(
        f2.new("struct foo *", [1.5, 2.5])
            .unwrap()
            .field("c")
            .unwrap(),
        2.5.into()
    );
}

#[test]
fn d26_array_member_is_a_view() {
    let ffi = ffi_with("struct foo_s { int len; short data[5]; };");
    let p = ffi.new("struct foo_s *", ()).unwrap();
    let d = cd(p.field("data").unwrap());
    assert!(repr(&d).starts_with("<cdata 'short[5]' 0x"));
    d.set(4, 7).unwrap();
    assert_eq!(cd(p.field("data").unwrap()).get(4).unwrap(), 7.into());
}

#[test]
fn d27_zero_length_array_member_through_a_cast_buffer() {
    let ffi = ffi_with("struct foo_s { int len; short data[0]; };");
    let buf = ffi.new("char[]", 20).unwrap();
    let p = ffi.cast("struct foo_s *", &buf).unwrap();
    let data = cd(p.field("data").unwrap());
    assert_eq!(data.type_name(), "short *");
    data.set(7, 42).unwrap();
    assert_eq!(cd(p.field("data").unwrap()).get(7).unwrap(), 42.into());
    // rcffi: the buffer's end is still known (cffi writes past it).
    err_has(data.set(8, 1), is_index, "outside the 20 bytes");
}

#[test]
fn d30_variable_size_structs() {
    let ffi = ffi_with("struct foo { int x; int a[]; };");
    let p = ffi
        .new("struct foo *", list![100, [200, 300, 400]])
        .unwrap();
    let a = cd(p.field("a").unwrap());
    assert_eq!(a.ctype(), ffi.typeof_("int[]").unwrap());
    assert_eq!(a.len().unwrap(), 3);
    assert_eq!(a.to_vec().unwrap(), [200, 300, 400].map(Value::from));
    err_has(a.get(3), is_index, "index too large");
    let q = ffi.cast("struct foo *", &p).unwrap();
    let qa = cd(q.field("a").unwrap());
    // Through a cast the member still knows the allocation it lives in, so its length is
    // known (cffi: `int *` with no len()).
    assert_eq!(qa.len().unwrap(), 3);
    let r = ffi.new("struct foo *", list![5, 3]).unwrap();
    assert_eq!(
        cd(r.field("a").unwrap()).to_vec().unwrap(),
        [0, 0, 0].map(Value::from)
    );
    assert_eq!(repr(&r), "<cdata 'struct foo *' owning 16 bytes>");
    let s = ffi.new("struct foo *", map! {"a" => 2}).unwrap();
    assert_eq!(cd(s.field("a").unwrap()).len().unwrap(), 2);
    assert_eq!(
        cd(ffi.new("struct foo *", ()).unwrap().field("a").unwrap())
            .len()
            .unwrap(),
        0
    );
}

#[test]
fn d31_variable_size_struct_nested_last() {
    let ffi = ffi_with(
        "struct foo_s { int len; int data[]; }; struct bar_s { int abc[100]; struct foo_s tail; };",
    );
    let n = 2807;
    let p = ffi
        .new("struct bar_s *", map! {"tail" => map! {"data" => n}})
        .unwrap();
    assert!(ffi.sizeof(&cd(p.get(0).unwrap())).unwrap() >= 404 + 4 * n as usize);
    let data = cd(cd(p.field("tail").unwrap()).field("data").unwrap());
    data.set(n as isize - 1, 5).unwrap();
    assert_eq!(data.get(n as isize - 1).unwrap(), 5.into());
}

#[test]
fn d36_zero_length_arrays_read_as_pointers() {
    let ffi = ffi_with("struct s { long a[0]; long b[2]; };");
    let p = ffi.new("struct s *", ()).unwrap();
    assert_eq!(cd(p.field("a").unwrap()).type_name(), "long *");
    assert_eq!(cd(p.field("b").unwrap()).type_name(), "long[2]");
}

#[test]
fn d37_unaligned_flexible_member() {
    let ffi = ffi_with("struct s { int x; char y; char z[]; };");
    assert_eq!(ffi.sizeof("struct s").unwrap(), 8);
    assert_eq!(ffi.offsetof("struct s", "z").unwrap(), 5);
    let p = ffi.new("struct s *", map! {"z" => 3}).unwrap();
    assert_eq!(ffi.sizeof(&cd(p.get(0).unwrap())).unwrap(), 8);
    assert_eq!(cd(p.field("z").unwrap()).len().unwrap(), 3);
}

#[test]
fn d38_struct_value_co_owns_new_memory() {
    let ffi = ffi_with("struct foo { int a, b, c; };");
    let p = ffi.new("struct foo *", [1, 2, 3]).unwrap();
    let s = cd(p.get(0).unwrap());
    drop(p);
    assert_eq!(s.field("c").unwrap(), 3.into());
    assert_eq!(repr(&s), "<cdata 'struct foo' owning 12 bytes>");
    let q = ffi.new("struct foo *", ()).unwrap();
    let viewed = cd(ffi.cast("struct foo *", &q).unwrap().get(0).unwrap());
    assert!(repr(&viewed).starts_with("<cdata 'struct foo &' 0x"));
}

#[test]
fn d39_field_error_messages() {
    let ffi = ffi_with("struct foo { int a1; }; struct opaque;");
    let p = ffi.new("struct foo *", ()).unwrap();
    err_has(
        p.field("foobar"),
        is_key,
        "cdata 'struct foo *' has no field 'foobar'",
    );
    err_has(
        ffi.cast("int", 1).unwrap().field("foobar"),
        is_key,
        "cdata 'int' has no attribute 'foobar'",
    );
    let pp = ffi.new("struct foo **", ()).unwrap();
    err_has(
        pp.field("a1"),
        is_key,
        "cdata 'struct foo * *' has no attribute 'a1'",
    );
    let o = ffi.cast("struct opaque *", 0x100).unwrap();
    err_has(
        o.field("x"),
        is_type,
        "cdata 'struct opaque *' points to an opaque type: cannot read fields",
    );
    err_has(o.set_field("x", 1), is_type, "cannot write fields");
}

#[test]
fn d40_pointer_fields_in_list_initializers() {
    let ffi = ffi_with("struct s { int a, b, c; int *p; };");
    let n = ffi.new("int *", 9).unwrap();
    let s = ffi.new("struct s *", list![12, 34, 56, &n]).unwrap();
    assert_eq!(cd(s.field("p").unwrap()).get(0).unwrap(), 9.into());
    assert!(ffi.new("struct s *", list![12, 34, 56, ffi.null()]).is_ok());
    err_has(
        ffi.new("struct s *", list![12, 34, 56, ()]),
        is_type,
        "must be a cdata pointer, not NoneType",
    );
}

#[test]
fn d41_dir_lists_field_names() {
    let ffi = ffi_with("struct foo { int b, a; }; struct opaque;");
    let p = ffi.new("struct foo *", ()).unwrap();
    assert_eq!(p.dir(), ["a", "b"]);
    assert_eq!(cd(p.get(0).unwrap()).dir(), ["a", "b"]);
    assert!(ffi.cast("struct opaque *", 0).unwrap().dir().is_empty());
    assert!(ffi.cast("int", 0).unwrap().dir().is_empty());
}

#[test]
fn d42_struct_and_union_copies() {
    let ffi = ffi_with("struct s { int a1, a2; }; union u { int a; short b; };");
    let s1 = ffi.new("struct s *", [42, 43]).unwrap();
    let s2 = ffi.new("struct s *", s1.get(0).unwrap()).unwrap();
    assert_eq!(s2.field("a1").unwrap(), 42.into());
    s2.set_field("a1", 0).unwrap();
    assert_eq!(s1.field("a1").unwrap(), 42.into());
    let u1 = ffi.new("union u *", [7]).unwrap();
    assert_eq!(
        ffi.new("union u *", u1.get(0).unwrap())
            .unwrap()
            .field("a")
            .unwrap(),
        7.into()
    );
}

#[test]
fn d43_structs_of_another_ffi_are_different_types() {
    let f1 = ffi_with("typedef struct { int a; } foo;");
    let f2 = ffi_with("typedef struct { int a; } foo;");
    let p = f1.new("foo *", ()).unwrap();
    err_has(
        f2.new("foo **", &p),
        is_type,
        "initializer for ctype 'foo *' appears indeed to be 'foo *', but the types are different (check that you are not e.g. mixing up different ffi instances)",
    );
}

/// cffi's list rule for unions: the members after the first are skipped, and a first member
/// that is an anonymous struct takes its fields in order (`[123, 456]` sets `a` and `b`).
#[test]
fn d_union_with_an_anonymous_struct_first_takes_its_fields_from_a_list() {
    let ffi = Ffi::default();
    ffi.cdef("union u { struct { int a, b; }; union { int c, d; }; }; union v { int x; long y; };")
        .unwrap();
    let p = ffi.new("union u *", rcffi::list![123, 456]).unwrap();
    assert_eq!(p.field("a").unwrap(), 123.into());
    assert_eq!(p.field("b").unwrap(), 456.into());
    assert_eq!(p.field("c").unwrap(), 123.into());
    assert!(ffi.new("union u *", rcffi::list![1, 2, 3]).is_err());
    assert!(ffi.new("union v *", rcffi::list![1, 2]).is_err());
}

/// Rust values out: a struct's members as a map, a `char[N]` member as a `String`, an enum
/// cdata as its enumerator's name.
#[test]
fn d_struct_members_convert_to_rust_values() {
    use std::collections::BTreeMap;
    let ffi = Ffi::default();
    ffi.cdef("enum color { RED, GREEN }; struct p { char name[8]; enum color c; int n; };")
        .unwrap();
    let p = ffi
        .new("struct p *", map! {"name" => b"Ada", "c" => 1, "n" => 7})
        .unwrap();
    let m = BTreeMap::try_from(Value::CData(p.clone())).unwrap();
    assert_eq!(m.keys().collect::<Vec<_>>(), ["c", "n", "name"]);
    assert_eq!(m["n"], 7.into());
    assert_eq!(String::try_from(m["name"].clone()).unwrap(), "Ada");
    // An enum member reads as its number (as in cffi); as an enum cdata, it names itself.
    let c = |p: &rcffi::CData| Value::CData(ffi.cast("enum color", p.field("c").unwrap()).unwrap());
    assert_eq!(String::try_from(c(&p)).unwrap(), "GREEN");
    p.set_field("c", 5).unwrap();
    assert!(String::try_from(c(&p)).is_err());
}

/// Items of an array of structs and of pointers into it: each at a multiple of the struct's
/// size from the start (its bytes read back through a buffer), negative and positive indexes
/// through a pointer into the middle, items copied by value over each other (`a[0] = a[3]`),
/// items of a pointer to pointers, and the index errors at both ends of the array.
#[test]
fn d44_struct_items_sit_at_their_offsets_and_copy_by_value() {
    let ffi = ffi_with("struct tri { short a; int b; char c; };");
    let size = ffi.sizeof("struct tri").unwrap();
    let off_b = ffi.offsetof("struct tri", "b").unwrap() as usize;
    let arr = ffi.new("struct tri[4]", ()).unwrap();
    for i in 0..4 {
        cd(arr.get(i).unwrap()).set_field("b", 100 + i).unwrap();
    }
    let bytes = ffi.buffer(&arr, None).unwrap().to_vec().unwrap();
    let b_at = |bytes: &[u8], i: usize| {
        let at = i * size + off_b;
        i32::from_ne_bytes(bytes[at..at + 4].try_into().unwrap())
    };
    assert_eq!(
        (0..4).map(|i| b_at(&bytes, i)).collect::<Vec<_>>(),
        [100, 101, 102, 103]
    );
    let mid = ffi.cast("struct tri *", &arr).unwrap().offset(2).unwrap();
    let b = |v: Value| cd(v).field("b").unwrap();
    assert_eq!(b(mid.get(-2).unwrap()), 100.into());
    assert_eq!(b(mid.get(1).unwrap()), 103.into());
    arr.set(0, arr.get(3).unwrap()).unwrap();
    mid.set(-1, mid.get(0).unwrap()).unwrap();
    let bytes = ffi.buffer(&arr, None).unwrap().to_vec().unwrap();
    assert_eq!(
        (0..4).map(|i| b_at(&bytes, i)).collect::<Vec<_>>(),
        [103, 102, 102, 103]
    );
    err_has(
        arr.get(4),
        is_index,
        "index too large for cdata 'struct tri[4]'",
    );
    err_has(arr.get(-1), is_index, "negative index -1");
    err_has(arr.set(4, arr.get(0).unwrap()), is_index, "index too large");
    // Past the array's memory through the pointer: the view is made, its memory refused.
    err_has(
        cd(mid.get(2).unwrap()).field("b"),
        is_index,
        "is outside the 48 bytes at",
    );
    let items = ffi.new("struct tri *[3]", ()).unwrap();
    items.set(2, &mid).unwrap();
    let pp = ffi
        .cast("struct tri **", &items)
        .unwrap()
        .offset(1)
        .unwrap();
    assert_eq!(cd(pp.get(1).unwrap()).address(), mid.address());
    assert_eq!(b(cd(pp.get(1).unwrap()).get(0).unwrap()), 102.into());
    assert_eq!(cd(pp.get(-1).unwrap()).address(), 0);
}

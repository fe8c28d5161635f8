//! Group D, layouts: sizes, offsets and alignment, bitfields, packing, declaration order, and
//! struct bodies in type strings (every layout is also checked against gcc by rcffi-testkit).

use rcffi::{CdefOptions, Ffi, list};

use crate::*;

#[test]
fn d10_sizes_of_types() {
    let ffi =
        ffi_with("struct foo { int a; short b, c, d; }; union foo2 { int a; short b, c, d; };");
    for (t, n) in [
        ("char", 1),
        ("unsigned int", 4),
        ("char *", 8),
        ("int[5]", 20),
        ("struct foo", 12),
        ("union foo2", 4),
    ] {
        assert_eq!(ffi.sizeof(t).unwrap(), n, "{t}");
    }
}

#[test]
fn d11_sizes_of_cdata() {
    let ffi = Ffi::default();
    assert_eq!(ffi.sizeof(&ffi.new("short *", ()).unwrap()).unwrap(), 8);
    assert_eq!(ffi.sizeof(&ffi.cast("short", 123).unwrap()).unwrap(), 2);
    assert_eq!(
        ffi.sizeof(&ffi.new("int[]", [1, 2, 3, 4, 5]).unwrap())
            .unwrap(),
        20
    );
}

#[test]
fn d12_offsets_and_nested_paths() {
    let ffi = ffi_with("struct foo { int a, b, c; }; struct bar { int d; struct foo e; };");
    for (f, n) in [("a", 0), ("b", 4), ("c", 8)] {
        assert_eq!(ffi.offsetof("struct foo", f).unwrap(), n);
    }
    // rcffi takes a path ("e.b"); cffi takes separate names and refuses the dotted form.
    assert_eq!(ffi.offsetof("struct bar", "e.b").unwrap(), 8);
}

#[test]
fn d13_alignment() {
    let ffi = Ffi::default();
    assert_eq!(ffi.alignof("int").unwrap(), 4);
    // rcffi: struct bodies are declared with cdef(), not inside type strings (cffi accepts
    // `alignof("struct foo { char a; short b; char c; }")` and declares `struct foo`).
    ffi.cdef("struct foo { char a; short b; char c; };")
        .unwrap();
    assert_eq!(ffi.alignof("struct foo").unwrap(), 2);
}

#[test]
fn d14_bitfields_and_their_ranges() {
    let ffi = ffi_with("struct foo { int a:10, b:20, c:3; };");
    assert_eq!(ffi.sizeof("struct foo").unwrap(), 8);
    let s = ffi.new("struct foo *", ()).unwrap();
    for (f, lo, hi) in [
        ("a", -512, 511),
        ("b", -(1 << 19), (1 << 19) - 1),
        ("c", -4, 3),
    ] {
        for v in [lo, hi] {
            s.set_field(f, v).unwrap();
            assert_eq!(s.field(f).unwrap(), v.into(), "{f}");
        }
        err_has(
            s.set_field(f, hi + 1),
            is_overflow,
            &format!("{lo} <= x <= {hi}"),
        );
        err_has(
            s.set_field(f, lo - 1),
            is_overflow,
            "outside the range allowed by the bit field width",
        );
        err_has(cd(s.get(0).unwrap()).set_field(f, hi + 1), is_overflow, "");
    }
    // The neighbours were not disturbed.
    assert_eq!(
        (
            s.field("a").unwrap(),
            s.field("b").unwrap(),
            s.field("c").unwrap()
        ),
        (511.into(), ((1 << 19) - 1).into(), 3.into())
    );
}

#[test]
fn d15_enum_bitfield() {
    let ffi = ffi_with("typedef enum { AA, BB, CC } foo_e; struct foo { foo_e f:2; };");
    let s = ffi.new("struct foo *", ()).unwrap();
    s.set_field("f", 2).unwrap();
    assert_eq!(s.field("f").unwrap(), 2.into());
}

#[test]
fn d19_nested_field_offsets_and_alignment() {
    let ffi = ffi_with("struct foo { struct { int a; char b; }; union { char c; }; };");
    assert_eq!(ffi.offsetof("struct foo", "c").unwrap(), 8);
    assert_eq!(ffi.sizeof("struct foo").unwrap(), 12);
}

#[test]
fn d20_flattened_fields_listing() {
    let ffi = ffi_with("struct foo { int a; union { int b; union { int c, d; }; }; int e; };");
    let fields = ffi
        .typeof_("struct foo")
        .unwrap()
        .fields()
        .unwrap()
        .unwrap();
    let got: Vec<(String, usize, u32)> = fields
        .into_iter()
        .map(|(n, f)| (n, f.offset, f.flags))
        .collect();
    let want = [
        ("a", 0, 0),
        ("b", 4, 0),
        ("c", 4, 1),
        ("d", 4, 1),
        ("e", 8, 0),
    ];
    assert_eq!(got, want.map(|(n, o, f)| (n.to_string(), o, f)));
}

#[test]
fn d25_packing_and_odd_offsets() {
    let src = "struct s { char a; int b; };";
    for (opts, size, align) in [
        (CdefOptions::default(), 8, 4),
        (
            CdefOptions {
                packed: true,
                ..Default::default()
            },
            5,
            1,
        ),
        (
            CdefOptions {
                pack: Some(1),
                ..Default::default()
            },
            5,
            1,
        ),
        (
            CdefOptions {
                pack: Some(2),
                ..Default::default()
            },
            6,
            2,
        ),
        (
            CdefOptions {
                pack: Some(4),
                ..Default::default()
            },
            8,
            4,
        ),
        (
            CdefOptions {
                pack: Some(8),
                ..Default::default()
            },
            8,
            4,
        ),
    ] {
        let ffi = Ffi::default();
        ffi.cdef_with(src, &opts).unwrap();
        assert_eq!(
            (
                ffi.sizeof("struct s").unwrap(),
                ffi.alignof("struct s").unwrap()
            ),
            (size, align)
        );
        let arr = ffi.new("struct s[3]", ()).unwrap();
        for i in 0..3 {
            cd(arr.get(i).unwrap())
                .set_field("b", -1_000_000 - i as i64)
                .unwrap();
            cd(arr.get(i).unwrap()).set_field("a", b"x").unwrap();
        }
        for i in 0..3 {
            assert_eq!(
                cd(arr.get(i).unwrap()).field("b").unwrap(),
                (-1_000_000 - i as i64).into()
            );
        }
    }
}

#[test]
fn d28_a_body_in_a_type_string_is_declared_as_cffi_declares_it() {
    let ffi = Ffi::default();
    // Each body lays out as the same body declared with cdef (whose layouts gcc checks).
    let bodies = [
        "struct { int a; }",
        "struct { char c; double d; short s[3]; }",
        "union { int a; char b[5]; }",
        "struct { int x : 3; unsigned y : 7; long long z; }",
        "struct __attribute__((packed)) { char c; int i; }",
        "struct { struct { char a; long b; } in[2]; union { int u; float f; }; }",
    ];
    for (i, body) in bodies.iter().enumerate() {
        ffi.cdef(&format!("typedef {body} t{i};")).unwrap();
        let name = format!("t{i}");
        assert_eq!(
            ffi.sizeof(*body).unwrap(),
            ffi.sizeof(&name).unwrap(),
            "{body}"
        );
        assert_eq!(
            ffi.alignof(*body).unwrap(),
            ffi.alignof(&name).unwrap(),
            "{body}"
        );
        let t = ffi.typeof_(*body).unwrap();
        assert!(t.cname().contains(" $"), "{}", t.cname());
        assert_eq!(
            t,
            ffi.typeof_(*body).unwrap(),
            "one type per type string, as in cffi"
        );
    }
    // Pointers, arrays and function types around a body, and new() through one.
    let p = ffi
        .new("struct { int i[4]; } *", list![[1, 2, 3, 4]])
        .unwrap();
    assert_eq!(cd(p.field("i").unwrap()).get(3).unwrap(), 4.into());
    assert_eq!(ffi.sizeof("union { int a; char b; }[3]").unwrap(), 12);
    let f = ffi
        .typeof_("struct { int a; } (*)(struct { long b; })")
        .unwrap();
    assert_eq!(f.kind(), rcffi::Kind::Function); // cffi's kind of a function pointer
    // A tag and enumerators are declared, as in a cdef.
    ffi.typeof_("struct named_in_string { int a; struct inner_tag { int z; } b; } *")
        .unwrap();
    assert_eq!(ffi.sizeof("struct named_in_string").unwrap(), 8);
    assert_eq!(ffi.sizeof("struct inner_tag").unwrap(), 4);
    ffi.typeof_("enum { RED_IN_STRING, GREEN_IN_STRING = 5 }")
        .unwrap();
    assert_eq!(ffi.integer_const("GREEN_IN_STRING").unwrap(), 5);
    // The body's own name is no name of the ffi's.
    let typedefs = ffi.list_types().typedefs;
    assert!(
        typedefs.iter().all(|t| !t.contains("rcffi")),
        "{typedefs:?}"
    );
}

#[test]
fn d28_a_bad_body_in_a_type_string_says_where_and_declares_nothing() {
    let ffi = Ffi::default();
    let e = ffi.sizeof("struct { int a b; } *").unwrap_err();
    assert!(e.to_string().contains("<type>:1:16"), "{e}");
    let e = ffi.typeof_("struct { int a; ").unwrap_err();
    assert!(e.to_string().contains("never closed"), "{e}");
    // A failing type string rolls back its bodies' declarations.
    assert!(
        ffi.typeof_("struct rolled_back { int a; } (*)(no_such_t)")
            .is_err()
    );
    assert!(ffi.sizeof("struct rolled_back").is_err());
    assert!(ffi.typeof_("enum { NOT_KEPT } [no_such_length]").is_err());
    assert!(ffi.integer_const("NOT_KEPT").is_err());
    // A tag defined twice is refused as cdef refuses it.
    ffi.cdef("struct twice { int a; };").unwrap();
    assert!(ffi.typeof_("struct twice { long a; }").is_err());
}

#[test]
fn d29_declaration_order() {
    let ffi = ffi_with(
        "struct foo_s { struct bar_s *p; }; struct bar_s { struct foo_s foo; };
         struct a_s { int (*f)(struct b_s[]); }; struct b_s { int x; };",
    );
    let b = ffi.new("struct bar_s *", ()).unwrap();
    let f = ffi.new("struct foo_s *", list![&b]).unwrap();
    assert_eq!(cd(f.field("p").unwrap()), b);
    assert_eq!(ffi.sizeof("struct a_s").unwrap(), 8);
}

#[test]
fn d33_invalid_bitfields_are_refused_at_cdef() {
    for src in [
        "struct s { float x:1; };",
        "struct s { char x:9; };",
        "struct s { char x:0; };",
    ] {
        let ffi = Ffi::default();
        // rcffi refuses these when they are declared (cffi on `new`).
        assert!(ffi.cdef(src).is_err(), "{src}");
    }
}

#[test]
fn d34_packed_offsets() {
    let ffi = Ffi::default();
    ffi.cdef_with(
        "struct s { long a1; char a2; short a3; };",
        &CdefOptions {
            packed: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (
            ffi.offsetof("struct s", "a2").unwrap(),
            ffi.offsetof("struct s", "a3").unwrap()
        ),
        (8, 9)
    );
    assert_eq!(
        (
            ffi.sizeof("struct s").unwrap(),
            ffi.alignof("struct s").unwrap()
        ),
        (11, 1)
    );
    let p = ffi.new("struct s *", list![1, b"x", 3]).unwrap();
    assert_eq!(p.field("a3").unwrap(), 3.into());
}

#[test]
fn d35_union_size_and_alignment() {
    let ffi = ffi_with("union u { struct { char a, b, c; } s; short t; };");
    assert_eq!(
        (
            ffi.sizeof("union u").unwrap(),
            ffi.alignof("union u").unwrap()
        ),
        (4, 2)
    );
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot be asked for 2^60 bytes")]
fn d44_huge_structures_have_exact_sizes() {
    // rcffi lays out in bits, so the largest object is 2^60 bytes (cffi: sys.maxsize).
    let ffi = ffi_with("struct big { char a[1152921504606846975]; };");
    assert_eq!(ffi.sizeof("struct big").unwrap(), (1 << 60) - 1);
    // Allocating one is a clean error, not an abort.
    assert!(ffi.new("struct big *", ()).is_err());
}

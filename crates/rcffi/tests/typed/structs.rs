//! The fixture's structs as `#[derive(NativeType)]` types: by value in typed calls, checked
//! against the cdef (and refused where they differ), viewed in C memory and made with
//! `new_typed`.

use std::ffi::{c_char, c_int, c_long, c_longlong, c_short, c_uchar};

use rcffi::NativeType;

use super::{direct, fixture};

#[derive(NativeType, Clone, Copy, Debug, PartialEq, Default)]
#[repr(C)]
#[rcffi(c = "struct pt")]
pub(crate) struct Pt {
    pub(crate) x: c_int,
    pub(crate) y: c_int,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "three_t")]
pub(crate) struct Three {
    a: c_uchar,
    b: c_uchar,
    c: c_uchar,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "dfi_t")]
pub(crate) struct Dfi {
    x: f64,
    y: f32,
    z: c_int,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "f2_t")]
pub(crate) struct F2 {
    x: f32,
    y: f32,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "f4_t")]
pub(crate) struct F4 {
    a: f32,
    b: f32,
    c: f32,
    d: f32,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "cd_t")]
pub(crate) struct Cd {
    c: c_char,
    d: f64,
}

impl Cd {
    /// A value with `c` = k and `d` = k + 0.5.
    pub(crate) fn default_like(k: i8) -> Cd {
        Cd {
            c: k as c_char,
            d: f64::from(k) + 0.5,
        }
    }
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "big_t")]
pub(crate) struct Big {
    a: [c_longlong; 12],
    n: c_int,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "nested_t")]
pub(crate) struct Nested {
    p: Pt,
    s: [c_short; 3],
    tag: c_char,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "RECT")]
struct Rect {
    left: c_long,
    top: c_long,
    right: c_long,
    bottom: c_long,
}

#[derive(NativeType, Clone, Copy, Debug, PartialEq)]
#[repr(C)]
#[rcffi(c = "POINT")]
struct Point {
    x: c_long,
    y: c_long,
}

#[derive(NativeType, Clone, Copy)]
#[repr(C)]
#[rcffi(c = "union num")]
union Num {
    i: c_int,
    f: f32,
}

#[derive(NativeType, Clone, Copy)]
#[repr(C, packed)]
#[rcffi(c = "struct packed_t")]
struct Packed {
    c: c_char,
    i: c_int,
}

#[derive(NativeType, Clone, Copy)]
#[repr(C)]
#[rcffi(c = "struct ops")]
struct Ops {
    op: Option<unsafe extern "C" fn(c_int, c_int) -> c_int>,
    k: c_int,
}

#[test]
fn structs_by_value_equal_the_direct_call() {
    let (_ffi, lib) = fixture();
    type Mid = unsafe extern "C" fn(Pt, Pt) -> Pt;
    let typed = lib.typed::<Mid>("mid").unwrap();
    let raw: Mid = direct!(lib, "mid" as Mid);
    let (a, b) = (Pt { x: 2, y: -8 }, Pt { x: 10, y: 4 });
    // SAFETY: both are the fixture's mid.
    assert_eq!(unsafe { typed(a, b) }, unsafe { raw(a, b) });

    type ThreeF = unsafe extern "C" fn() -> Three;
    let t = lib.typed::<ThreeF>("three").unwrap();
    // SAFETY: the fixture's three, as declared.
    assert_eq!(unsafe { t() }, unsafe { direct!(lib, "three" as ThreeF)() });
    let sum = lib
        .typed::<unsafe extern "C" fn(Three) -> c_int>("three_sum")
        .unwrap();
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { sum(Three { a: 1, b: 2, c: 250 }) },
        10000 + 200 + 250
    );

    type DfiF = unsafe extern "C" fn(Dfi, c_int) -> Dfi;
    let v = Dfi {
        x: 1.5,
        y: -2.25,
        z: 7,
    };
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<DfiF>("dfi_scale").unwrap()(v, 3) },
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { direct!(lib, "dfi_scale" as DfiF)(v, 3) }
    );
    type F2F = unsafe extern "C" fn(F2) -> F2;
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<F2F>("f2_swap").unwrap()(F2 { x: 1.0, y: 2.0 }) },
        F2 { x: 2.0, y: 1.0 }
    );
    type F4F = unsafe extern "C" fn(F4) -> f32;
    let f4 = F4 {
        a: 1.0,
        b: 2.0,
        c: 3.5,
        d: -0.5,
    };
    // SAFETY: as declared.
    assert_eq!(unsafe { lib.typed::<F4F>("f4_sum").unwrap()(f4) }, unsafe {
        direct!(lib, "f4_sum" as F4F)(f4)
    });
    type CdF = unsafe extern "C" fn(Cd) -> Cd;
    let cd = Cd { c: 7, d: 0.25 };
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<CdF>("cd_next").unwrap()(cd) },
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { direct!(lib, "cd_next" as CdF)(cd) }
    );
    type BigMake = unsafe extern "C" fn(c_int) -> Big;
    type BigSum = unsafe extern "C" fn(Big) -> c_longlong;
    // SAFETY: as declared.
    let big = unsafe { lib.typed::<BigMake>("big_make").unwrap()(5) };
    // SAFETY: the function is as the cdef declares it, called with what it expects.
    assert_eq!(big, unsafe { direct!(lib, "big_make" as BigMake)(5) });
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<BigSum>("big_sum").unwrap()(big) },
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { direct!(lib, "big_sum" as BigSum)(big) }
    );
    type NestedF = unsafe extern "C" fn(Nested, c_int) -> Nested;
    let n = Nested {
        p: Pt { x: 1, y: 2 },
        s: [3, 4, 5],
        tag: 6,
    };
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<NestedF>("nested_echo").unwrap()(n, 2) },
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { direct!(lib, "nested_echo" as NestedF)(n, 2) }
    );
}

#[test]
fn many_struct_arguments_on_the_stack() {
    let (_ffi, lib) = fixture();
    type F =
        unsafe extern "C" fn(c_int, Rect, *mut Rect, Point, Rect, *mut Rect, Point, Rect) -> Rect;
    let typed = lib.typed::<F>("ReturnRect").unwrap();
    let raw: F = direct!(lib, "ReturnRect" as F);
    let r = |a| Rect {
        left: a,
        top: a + 1,
        right: a + 2,
        bottom: a + 3,
    };
    let (mut b, mut e) = (r(10), r(20));
    for i in 0..3 {
        // SAFETY: ReturnRect reads the two pointed-to rects.
        let got = unsafe {
            typed(
                i,
                r(1),
                &mut b,
                Point { x: 5, y: 6 },
                r(30),
                &mut e,
                Point { x: 7, y: 8 },
                r(40),
            )
        };
        // SAFETY: as above.
        let want = unsafe {
            raw(
                i,
                r(1),
                &mut b,
                Point { x: 5, y: 6 },
                r(30),
                &mut e,
                Point { x: 7, y: 8 },
                r(40),
            )
        };
        assert_eq!(got, want, "i = {i}");
    }
}

#[test]
fn unions_and_packed_structs_by_value() {
    let (_ffi, lib) = fixture();
    let take_union = lib
        .typed::<unsafe extern "C" fn(Num) -> c_int>("take_union")
        .unwrap();
    // SAFETY: as declared.
    assert_eq!(unsafe { take_union(Num { i: 1234 }) }, 1234);
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { take_union(Num { f: 1.0 }) },
        1.0f32.to_bits() as c_int
    );
    let take_packed = lib
        .typed::<unsafe extern "C" fn(Packed) -> c_int>("take_packed")
        .unwrap();
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe {
            take_packed(Packed {
                c: 1,
                i: 0x0102_0304,
            })
        },
        0x0102_0304
    );
}

#[test]
fn struct_mismatches_name_the_member() {
    #[derive(NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "struct pt")]
    struct Swapped {
        y: c_int,
        x: c_int,
    }
    #[derive(NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "struct pt")]
    struct Wide {
        x: i64,
        y: c_int,
    }
    #[derive(NativeType, Clone, Copy)]
    #[repr(C)]
    #[rcffi(c = "struct bits")]
    struct Bits {
        a: c_int,
        b: c_int,
    }
    let (_ffi, lib) = fixture();
    let e = lib
        .typed::<unsafe extern "C" fn(Swapped) -> c_int>("pt_sum")
        .unwrap_err()
        .to_string();
    assert!(e.contains("member 1 is 'x' in C, 'y' in Rust"), "{e}");
    let e = lib
        .typed::<unsafe extern "C" fn(Wide) -> c_int>("pt_sum")
        .unwrap_err()
        .to_string();
    assert!(e.contains("size 8 in C, 16 in Rust"), "{e}");
    assert!(e.contains("member 'y' at offset 4 in C, 8 in Rust"), "{e}");
    let e = lib
        .typed::<unsafe extern "C" fn(Bits) -> c_int>("take_bits")
        .unwrap_err()
        .to_string();
    assert!(e.contains("member 'a' is a bitfield (3 bits)"), "{e}");
    // The name is checked too: a struct pt is not a three_t.
    let e = lib
        .typed::<unsafe extern "C" fn(Pt) -> c_int>("three_sum")
        .unwrap_err()
        .to_string();
    assert!(e.contains("the Rust type stands for 'struct pt'"), "{e}");
}

#[test]
fn views_read_and_write_c_memory() {
    let (ffi, lib) = fixture();
    let p = ffi.new("struct pt[3]", [[1, 2], [3, 4], [5, 6]]).unwrap();
    let v = p.view::<[Pt; 3]>().unwrap();
    assert_eq!(v.get().unwrap()[1], Pt { x: 3, y: 4 });
    let one = p.get(2).unwrap().cdata().unwrap().view::<Pt>().unwrap();
    one.set(Pt { x: 50, y: 60 }).unwrap();
    let sum_pts = lib
        .typed::<unsafe extern "C" fn(*const Pt, c_int) -> c_int>("sum_pts")
        .unwrap();
    // SAFETY: 3 points.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { sum_pts(v.address() as *const Pt, 3) },
        12 + 34 + 560
    );
    // SAFETY: nothing else touches the array while the reference lives.
    assert_eq!(unsafe { v.as_ref() }[2].y, 60);
    // A struct holding a function pointer, read from a C global.
    let ops = lib
        .addressof("default_ops")
        .unwrap()
        .view::<Ops>()
        .unwrap()
        .get()
        .unwrap();
    // SAFETY: the fixture's default_ops holds add.
    assert_eq!(unsafe { ops.op.unwrap()(ops.k, 4) }, 7);
    // Out of bounds, misaligned, and another type are refused.
    let small = ffi.new("char[4]", ()).unwrap();
    assert!(
        ffi.cast("struct pt *", &small)
            .unwrap()
            .view::<Pt>()
            .is_err()
    );
    let bytes = ffi.new("char[16]", ()).unwrap();
    let odd = ffi
        .cast(
            "struct pt *",
            ffi.cast("char *", &bytes).unwrap().offset(1).unwrap(),
        )
        .unwrap();
    let e = odd.view::<Pt>().unwrap_err().to_string();
    assert!(e.contains("not aligned"), "{e}");
    assert!(p.view::<[Pt; 4]>().is_err());
}

#[test]
fn a_view_refuses_a_bool_that_is_not_0_or_1() {
    #[derive(NativeType, Clone, Copy, Debug)]
    #[repr(C)]
    #[rcffi(c = "struct flag")]
    struct Flag {
        on: bool,
        n: c_int,
    }
    let ffi = rcffi::Ffi::default();
    ffi.cdef("struct flag { _Bool on; int n; };").unwrap();
    let f = ffi.new_typed(Flag { on: true, n: 3 }).unwrap();
    assert!(f.get().unwrap().on);
    ffi.buffer(f.cdata(), None).unwrap().set(0, 2).unwrap();
    let e = f.get().unwrap_err().to_string();
    assert!(e.contains("holds 2, not 0 or 1"), "{e}");
}

#[test]
fn new_typed_writes_members_not_padding() {
    let (ffi, _lib) = fixture();
    let v = ffi.new_typed(Cd { c: 9, d: 2.5 }).unwrap();
    assert_eq!(
        v.cdata().field("c").unwrap(),
        rcffi::Value::Bytes(vec![9].into())
    );
    assert_eq!(v.cdata().field("d").unwrap(), 2.5.into());
    assert_eq!(v.get().unwrap(), Cd { c: 9, d: 2.5 });
    let u = ffi.new_typed(Num { i: 5 }).unwrap_err().to_string();
    assert!(u.contains("holds a union"), "{u}");
}

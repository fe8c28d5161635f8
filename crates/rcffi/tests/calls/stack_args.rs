//! Arguments past the registers (the register path's stack words): integers, doubles, floats
//! and small structs that no longer fit their class's registers, interleaved in every order,
//! and later arguments that still take the registers left — each call compared with the same
//! gcc-compiled function called directly.

use rcffi::list;

const SOURCE: &str = r#"
typedef struct { long long a, b; } ll2;
typedef struct { double x, y; } dd2;
/* 5 ints, then a struct that needs 2 integer registers (1 is left): the struct goes on the
   stack, and the int after it takes the last register. */
long long after_struct(int a, int b, int c, int d, int e, ll2 s, int f) {
    return a + 2*b + 3*c + 4*d + 5*e + 6*s.a + 7*s.b + 8*f;
}
/* 7 ints and 9 doubles, interleaved: both classes overflow onto the stack (x86-64; the
   doubles alone on AArch64), in argument order. */
double interleaved(int i1, double d1, int i2, double d2, int i3, double d3, int i4, double d4,
                   int i5, double d5, int i6, double d6, int i7, double d7, double d8,
                   double d9) {
    return i1 + 2.0*d1 + 3*i2 + 4.0*d2 + 5*i3 + 6.0*d3 + 7*i4 + 8.0*d4 + 9*i5 + 10.0*d5
         + 11*i6 + 12.0*d6 + 13*i7 + 14.0*d7 + 15.0*d8 + 16.0*d9;
}
/* floats on the stack (their low 4 bytes), and a struct of doubles past the vector registers */
float floats(float a, float b, float c, float d, float e, float f, float g, float h, float i,
             float j, dd2 s, char k) {
    return a + 2*b + 3*c + 4*d + 5*e + 6*f + 7*g + 8*h + 9*i + 10*j + 11*(float)s.x
         + 12*(float)s.y + 13*k;
}
/* structs of more than 16 bytes: copied onto the stack (an argument), written at a hidden
   address (a result), the integer arguments after that address */
typedef struct { long long a, b, c; } ll3;
typedef struct { double v[5]; } d5;
ll3 rot(int x, ll3 s, int y) { ll3 r = { s.b + x, s.c + y, s.a }; return r; }
d5 make5(double k, int n, ll3 s) {
    d5 r; for (int i = 0; i < 5; i++) r.v[i] = k * (i + n) + (double)s.c; return r;
}
/* narrow integers on the stack, extended */
long long narrow(long long a, long long b, long long c, long long d, long long e, long long f,
                 signed char g, unsigned short h, short i, unsigned char j) {
    return a + b + c + d + e + f + 1000*g + 10*h + 100000*i + 7*j;
}
"#;

const CDEF: &str = "
typedef struct { long long a, b; } ll2;
typedef struct { double x, y; } dd2;
long long after_struct(int, int, int, int, int, ll2, int);
double interleaved(int, double, int, double, int, double, int, double, int, double, int, double,
                   int, double, double, double);
float floats(float, float, float, float, float, float, float, float, float, float, dd2, char);
long long narrow(long long, long long, long long, long long, long long, long long,
                 signed char, unsigned short, short, unsigned char);
typedef struct { long long a, b, c; } ll3;
typedef struct { double v[5]; } d5;
ll3 rot(int, ll3, int);
d5 make5(double, int, ll3);
";

#[repr(C)]
#[derive(Clone, Copy)]
struct Ll2 {
    a: i64,
    b: i64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Ll3 {
    a: i64,
    b: i64,
    c: i64,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct D5 {
    v: [f64; 5],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct Dd2 {
    x: f64,
    y: f64,
}

#[test]
fn arguments_past_the_registers_equal_the_direct_call() {
    let path = rcffi_testkit::fixture::build_shared("stack_args", SOURCE, &["-O1"]).expect("gcc");
    let ffi = rcffi::Ffi::default();
    ffi.cdef(CDEF).unwrap();
    // SAFETY: the library is built from SOURCE, which CDEF declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let direct = |name: &str| lib.function(name).unwrap().address();

    type AfterStruct = extern "C" fn(i32, i32, i32, i32, i32, Ll2, i32) -> i64;
    // SAFETY: after_struct has this signature (SOURCE).
    let f: AfterStruct = unsafe { std::mem::transmute(direct("after_struct")) };
    let s = ffi.new("ll2 *", list![11, -13]).unwrap().get(0).unwrap();
    // SAFETY: as declared.
    let got = unsafe { lib.call("after_struct", (1, 2, 3, 4, 5, &s, 9)) }.unwrap();
    assert_eq!(got, f(1, 2, 3, 4, 5, Ll2 { a: 11, b: -13 }, 9).into());

    type Interleaved = extern "C" fn(
        i32,
        f64,
        i32,
        f64,
        i32,
        f64,
        i32,
        f64,
        i32,
        f64,
        i32,
        f64,
        i32,
        f64,
        f64,
        f64,
    ) -> f64;
    // SAFETY: interleaved has this signature.
    let g: Interleaved = unsafe { std::mem::transmute(direct("interleaved")) };
    let want = g(
        1, 0.5, 2, 1.5, 3, 2.5, 4, 3.5, 5, 4.5, 6, 5.5, 7, 6.5, 8.5, 9.5,
    );
    // SAFETY: as declared.
    let got = unsafe {
        lib.call(
            "interleaved",
            (
                1, 0.5, 2, 1.5, 3, 2.5, 4, 3.5, 5, 4.5, 6, 5.5, 7, 6.5, 8.5, 9.5,
            ),
        )
    };
    assert_eq!(got.unwrap(), want.into());

    type Floats = extern "C" fn(f32, f32, f32, f32, f32, f32, f32, f32, f32, f32, Dd2, i8) -> f32;
    // SAFETY: floats has this signature.
    let h: Floats = unsafe { std::mem::transmute(direct("floats")) };
    let d = ffi.new("dd2 *", list![0.25, -4.0]).unwrap().get(0).unwrap();
    let want = h(
        1.0,
        2.0,
        3.0,
        4.0,
        5.0,
        6.0,
        7.0,
        8.0,
        9.5,
        10.5,
        Dd2 { x: 0.25, y: -4.0 },
        3,
    );
    // SAFETY: as declared.
    let got = unsafe {
        lib.call(
            "floats",
            (
                1.0,
                2.0,
                3.0,
                4.0,
                5.0,
                6.0,
                7.0,
                8.0,
                9.5,
                10.5,
                &d,
                rcffi::Value::Bytes(vec![3].into()),
            ),
        )
    }
    .unwrap();
    assert_eq!(got, f64::from(want).into());

    type Rot = extern "C" fn(i32, Ll3, i32) -> Ll3;
    // SAFETY: rot has this signature.
    let rot: Rot = unsafe { std::mem::transmute(direct("rot")) };
    let l3 = ffi.new("ll3 *", list![1, -2, 3]).unwrap().get(0).unwrap();
    let want = rot(10, Ll3 { a: 1, b: -2, c: 3 }, 20);
    // SAFETY: as declared.
    let got = unsafe { lib.call("rot", (10, &l3, 20)) }
        .unwrap()
        .cdata()
        .unwrap();
    assert_eq!(
        (
            got.field("a").unwrap(),
            got.field("b").unwrap(),
            got.field("c").unwrap()
        ),
        (want.a.into(), want.b.into(), want.c.into())
    );
    type Make5 = extern "C" fn(f64, i32, Ll3) -> D5;
    // SAFETY: make5 has this signature.
    let make5: Make5 = unsafe { std::mem::transmute(direct("make5")) };
    let want = make5(1.5, 2, Ll3 { a: 1, b: -2, c: 3 });
    // SAFETY: as declared.
    let got = unsafe { lib.call("make5", (1.5, 2, &l3)) }
        .unwrap()
        .cdata()
        .unwrap();
    let v = got.field("v").unwrap().cdata().unwrap();
    for (i, w) in want.v.iter().enumerate() {
        assert_eq!(v.get(i as isize).unwrap(), (*w).into(), "v[{i}]");
    }

    type Narrow = extern "C" fn(i64, i64, i64, i64, i64, i64, i8, u16, i16, u8) -> i64;
    // SAFETY: narrow has this signature.
    let k: Narrow = unsafe { std::mem::transmute(direct("narrow")) };
    // SAFETY: as declared.
    let got = unsafe { lib.call("narrow", (1, 2, 3, 4, 5, 6, -7, 65535, -300, 255)) }.unwrap();
    assert_eq!(got, k(1, 2, 3, 4, 5, 6, -7, 65535, -300, 255).into());
}

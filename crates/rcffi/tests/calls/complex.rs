//! `float _Complex` and `double _Complex` by value, against gcc: libm's complex functions
//! compared with the same calls compiled in C (their results written as bytes), complex
//! members of structs by value, and callbacks taking and returning complex numbers — on
//! x86-64 and AArch64 alike.

use rcffi::{Ffi, Value, list};

const PROBE: &str = r#"
#include <complex.h>
#include <string.h>
static void put(unsigned char *out, int i, double complex z) { memcpy(out + 16 * i, &z, 16); }
/* Operands through volatiles: gcc would fold the calls at compile time (correctly rounded,
   where libm's results may differ in the last place). */
void values(unsigned char *out) {
    volatile double a = -4.0, b = 1.0, c = 2.0, d = 1.5, e = -0.5, g = 2.25, h = 0.75;
    volatile float fa = 1.5f, fb = -0.5f, fc = 2.0f, fd = 1.0f;
    put(out, 0, csqrt(CMPLX(a, 0.0)));
    put(out, 1, cexp(CMPLX(b, c)));
    put(out, 2, cpow(CMPLX(d, e), CMPLX(g, h)));
    float complex f = cpowf(CMPLXF(fa, fb), CMPLXF(fc, fd));
    memcpy(out + 48, &f, 8);
}
struct zk { double complex z; int k; float complex w; };
struct zk zk_scale(struct zk v, int m) { v.z *= m; v.w *= m; v.k *= m; return v; }
double complex apply(double complex (*f)(double complex, int), double complex z, int k) { return f(z, k); }
float complex applyf(float complex (*f)(float complex), float complex z) { return f(z); }
"#;

const CDEF: &str = "
    void values(unsigned char *out);
    struct zk { double _Complex z; int k; float _Complex w; };
    struct zk zk_scale(struct zk v, int m);
    double _Complex apply(double _Complex (*f)(double _Complex, int), double _Complex z, int k);
    float _Complex applyf(float _Complex (*f)(float _Complex), float _Complex z);
    double cabs(double _Complex);
    double _Complex csqrt(double _Complex);
    double _Complex cexp(double _Complex);
    double _Complex cpow(double _Complex, double _Complex);
    float _Complex cpowf(float _Complex, float _Complex);
";

fn probe() -> (Ffi, rcffi::Lib, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    super::probe_with_libm(&PATH, "cxprobe", PROBE, CDEF)
}

/// The `[re, im]` of a complex `Value`, as bits (exact comparison).
fn bits(v: &Value) -> [u64; 2] {
    match v {
        Value::List(p) if p.len() == 2 => [
            p[0].to_f64().unwrap().to_bits(),
            p[1].to_f64().unwrap().to_bits(),
        ],
        other => panic!("not a complex value: {other:?}"),
    }
}

#[test]
fn libm_complex_functions_equal_the_compiled_calls() {
    let (ffi, lib, libm) = probe();
    let out = ffi.new("unsigned char[]", 56).unwrap();
    // SAFETY: values writes 56 bytes.
    unsafe { lib.call("values", (&out,)).unwrap() };
    let b = ffi.buffer(&out, None).unwrap().to_vec().unwrap();
    let f64s = |i: usize| {
        [
            u64::from_le_bytes(b[16 * i..16 * i + 8].try_into().unwrap()),
            u64::from_le_bytes(b[16 * i + 8..16 * i + 16].try_into().unwrap()),
        ]
    };
    // SAFETY: libm's functions, as declared, with complex numbers as [re, im].
    unsafe {
        assert_eq!(
            libm.call("cabs", (list![3.0, 4.0],)).unwrap(),
            Value::Float(5.0)
        );
        assert_eq!(
            bits(&libm.call("csqrt", (list![-4.0, 0.0],)).unwrap()),
            f64s(0)
        );
        assert_eq!(
            bits(&libm.call("cexp", (list![1.0, 2.0],)).unwrap()),
            f64s(1)
        );
        let p = libm
            .call("cpow", (list![1.5, -0.5], list![2.25, 0.75]))
            .unwrap();
        assert_eq!(bits(&p), f64s(2));
        let pf = libm
            .call("cpowf", (list![1.5, -0.5], list![2.0, 1.0]))
            .unwrap();
        let want = [
            f32::from_le_bytes(b[48..52].try_into().unwrap()),
            f32::from_le_bytes(b[52..56].try_into().unwrap()),
        ];
        assert_eq!(pf, list![f64::from(want[0]), f64::from(want[1])]);
        // A complex cdata passes as itself.
        let z = ffi.cast("double _Complex", 2.5).unwrap();
        assert_eq!(libm.call("cabs", (&z,)).unwrap(), Value::Float(2.5));
    }
    assert_eq!(
        ffi.typeof_("double _Complex").unwrap().cname(),
        "double _Complex"
    );
}

#[test]
fn complex_members_and_callbacks_by_value() {
    let (ffi, lib, _) = probe();
    let v = ffi
        .new("struct zk *", list![list![1.5, -2.0], 7, list![0.25, 4.0]])
        .unwrap()
        .get(0)
        .unwrap();
    // SAFETY: zk_scale takes the struct by value and an int.
    let r = unsafe { lib.call("zk_scale", (&v, 3)).unwrap() }
        .cdata()
        .unwrap();
    assert_eq!(r.field("z").unwrap(), list![4.5, -6.0]);
    assert_eq!(r.field("k").unwrap(), Value::Int(21));
    assert_eq!(r.field("w").unwrap(), list![0.75, 12.0]);
    // A callback taking and returning double _Complex.
    let cb = ffi
        .callback("double _Complex(*)(double _Complex, int)", |a| {
            let z = a.get(0)?;
            let k = a.get_as::<i32>(1)?;
            let Value::List(p) = z else { unreachable!() };
            Ok::<_, rcffi::Error>(list![p[0].to_f64()? * f64::from(k), p[1].to_f64()? + 1.0])
        })
        .unwrap();
    // SAFETY: apply calls the callback with its arguments.
    let got = unsafe { lib.call("apply", (&cb, list![2.0, 3.0], 5)).unwrap() };
    assert_eq!(got, list![10.0, 4.0]);
    let cbf = ffi
        .callback("float _Complex(*)(float _Complex)", |a| {
            let Value::List(p) = a.get(0)? else {
                unreachable!()
            };
            Ok::<_, rcffi::Error>(list![p[1].clone(), p[0].clone()])
        })
        .unwrap();
    // SAFETY: as above.
    let got = unsafe { lib.call("applyf", (&cbf, list![0.5, 8.0])).unwrap() };
    assert_eq!(got, list![8.0, 0.5]);
}

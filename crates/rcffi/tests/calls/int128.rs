//! `__int128` and `unsigned __int128` by value (libffi's 128-bit integer type), against gcc: in
//! registers (on AArch64 an even-numbered pair, so an `int` before one skips a register), on
//! the stack after every register is taken, in a variadic part, and through callbacks.

use rcffi::{Ffi, Value};

const PROBE: &str = r#"
#include <stdarg.h>
typedef unsigned __int128 u128;
__int128 i_echo(__int128 x) { return x; }
u128 u_echo(u128 x) { return x; }
__int128 i_at(int a, __int128 x, int b) { return x * a + b; }
u128 u_deep(long a1, long a2, long a3, long a4, long a5, long a6, long a7, u128 x, int k) {
    return x + (u128)(a1 + a7 * k);
}
__int128 i_va(int n, ...) {
    va_list ap; va_start(ap, n);
    __int128 s = 0;
    for (int i = 0; i < n; i++) s += va_arg(ap, __int128) * (i + 1);
    va_end(ap);
    return s;
}
__int128 i_via(__int128 (*f)(int, __int128, u128), __int128 x) { return f(3, x, (u128)x << 1) + 1; }
"#;

const CDEF: &str = "
    __int128 i_echo(__int128 x);
    unsigned __int128 u_echo(unsigned __int128 x);
    __int128 i_at(int a, __int128 x, int b);
    unsigned __int128 u_deep(long, long, long, long, long, long, long, unsigned __int128 x, int k);
    __int128 i_va(int n, ...);
    __int128 i_via(__int128 (*f)(int, __int128, unsigned __int128), __int128 x);
";

fn probe() -> (Ffi, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let (ffi, lib, _) = super::probe_with_libm(&PATH, "i128probe", PROBE, CDEF);
    (ffi, lib)
}

/// Values with every part of both halves set, and the edges.
fn samples() -> Vec<i128> {
    let mut v = vec![0, 1, -1, i128::MIN, i128::MAX, 1 << 64, -(1 << 64) + 3];
    let mut x = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834_u128;
    for _ in 0..8 {
        x = x
            .wrapping_mul(0x2545_f491_4f6c_dd1d_a4f5_3a2e_91c8_b1e3)
            .rotate_left(29)
            ^ 0x5bd1;
        v.push(x as i128);
    }
    v
}

#[test]
fn int128_arguments_and_results_are_c_s() {
    let (_ffi, lib) = probe();
    for x in samples() {
        // SAFETY: the probe's functions, as declared.
        unsafe {
            assert_eq!(lib.call("i_echo", (Value::Int(x),)).unwrap(), Value::Int(x));
            let at = lib.call("i_at", (3, Value::Int(x), -7)).unwrap();
            assert_eq!(at, Value::Int(x.wrapping_mul(3).wrapping_add(-7)), "{x}");
            let args: Vec<Value> = (1..=7)
                .map(Value::from)
                .chain([Value::Int(x & i128::MAX), Value::from(5)])
                .collect();
            let deep = lib.call("u_deep", args).unwrap();
            let want = (x & i128::MAX) as u128 + 1 + 35;
            assert_eq!(deep, Value::from(want), "{x}");
            // Every unsigned value, 2^127 and above included (`Value::UInt`).
            let u = x as u128;
            let echo = lib.call("u_echo", (Value::from(u),)).unwrap();
            assert_eq!(echo.to_u128().unwrap(), u, "{u}");
            assert_eq!(echo, Value::from(u));
        }
    }
}

#[test]
fn unsigned_int128_values_above_i128_max_are_exact() {
    let ffi = Ffi::default();
    ffi.cdef("struct b { unsigned __int128 all : 128; unsigned __int128 low : 100; };")
        .unwrap();
    let top = u128::MAX - 5;
    let c = ffi.new("unsigned __int128 *", Value::from(top)).unwrap();
    assert_eq!(c.get(0).unwrap(), Value::UInt(top));
    assert_eq!(c.get(0).unwrap().to_string(), top.to_string());
    assert!(c.get(0).unwrap().to_int().is_err());
    let cast = ffi.cast("unsigned __int128", -1).unwrap();
    assert_eq!(cast.to_u128().unwrap(), u128::MAX);
    assert!(cast.truthy());
    assert_eq!(cast, Value::UInt(u128::MAX));
    assert!(cast > Value::Int(i128::MAX));
    // Too big for any other integer type, with the type named.
    let e = ffi.new("long long *", Value::from(top)).unwrap_err();
    assert!(e.to_string().contains("does not fit 'long long'"), "{e}");
    // Bitfields of 128 and of 100 bits.
    let b = ffi.new("struct b *", ()).unwrap();
    b.set_field("all", Value::from(top)).unwrap();
    assert_eq!(b.field("all").unwrap(), Value::UInt(top));
    b.set_field("low", Value::from((1u128 << 100) - 1)).unwrap();
    assert_eq!(b.field("low").unwrap(), Value::from((1u128 << 100) - 1));
    assert!(b.set_field("low", Value::from(1u128 << 100)).is_err());
    // Casts keep the low bits, and to floating types the value.
    assert_eq!(
        ffi.cast("unsigned char", cast.clone())
            .unwrap()
            .to_int()
            .unwrap(),
        255
    );
    let d = ffi.cast("double", Value::UInt(1 << 127)).unwrap();
    assert_eq!(d.to_f64().unwrap(), 2f64.powi(127));
}

#[test]
fn int128_in_a_variadic_part_and_through_callbacks() {
    let (ffi, lib) = probe();
    let xs = samples();
    let args: Vec<Value> = std::iter::once(Value::from(xs.len() as i32))
        .chain(
            xs.iter()
                .map(|x| Value::CData(ffi.cast("__int128", Value::Int(*x)).unwrap())),
        )
        .collect();
    let want = xs.iter().enumerate().fold(0i128, |s, (i, x)| {
        s.wrapping_add(x.wrapping_mul(i as i128 + 1))
    });
    // SAFETY: i_va reads `n` __int128 arguments.
    assert_eq!(unsafe { lib.call("i_va", args) }.unwrap(), Value::Int(want));
    let cb = ffi
        .callback("__int128(*)(int, __int128, unsigned __int128)", |a| {
            let k = a.get_as::<i32>(0)?;
            let x = a.get(1)?.to_int()?;
            let y = a.get(2)?.to_u128()?;
            Ok::<_, rcffi::Error>(Value::Int(x.wrapping_mul(i128::from(k)) ^ y as i128))
        })
        .unwrap();
    for x in [5i128, -(1 << 100), 1 << 62] {
        // SAFETY: i_via calls the callback once.
        let got = unsafe { lib.call("i_via", (&cb, Value::Int(x))) }.unwrap();
        let y = ((x as u128) << 1) as i128;
        assert_eq!(
            got,
            Value::Int((x.wrapping_mul(3) ^ y).wrapping_add(1)),
            "{x}"
        );
    }
}

/// A value above `i128::MAX` goes wherever a number goes: floats and `long double` take it (as
/// C converts it), smaller integers, `_Bool` and lengths refuse it with the type named.
#[test]
fn unsigned_values_above_i128_max_convert_or_say_why_not() {
    let ffi = Ffi::default();
    let u = Value::UInt(u128::MAX);
    let d = ffi.new("double *", u.clone()).unwrap();
    assert_eq!(d.get(0).unwrap(), Value::Float(u128::MAX as f64));
    let ld = ffi.new("long double *", u.clone()).unwrap();
    let want = ffi.cast("long double", u128::MAX as f64).unwrap();
    assert_eq!(ld.get(0).unwrap(), Value::CData(want));
    for (t, needle) in [
        ("int *", "does not fit 'int'"),
        ("_Bool *", "does not fit '_Bool'"),
        ("int[]", "index-sized"),
    ] {
        let e = ffi.new(t, u.clone()).unwrap_err();
        assert!(e.to_string().contains(needle), "{t}: {e}");
    }
}

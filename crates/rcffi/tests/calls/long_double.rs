//! `long double` kept exact, against gcc: libm's results read as the bytes C computed, passed
//! on unchanged as fixed and variadic arguments and through callbacks, integers exact where
//! they fit, and printed as C's `printf` prints them — on x86-64 (x87) and AArch64
//! (binary128) alike.

use rcffi::{Ffi, LongDouble, Value, list};

/// The probe: values computed by C written as bytes (so that reading them involves no
/// `long double` path of rcffi's), C's own printing, and functions taking long doubles.
const PROBE: &str = r#"
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
static void put(unsigned char *out, int i, long double x) { memcpy(out + 16 * i, &x, sizeof x); }
void values(unsigned char *out) {
    int e;
    put(out, 0, sqrtl(2.0L));
    put(out, 1, ldexpl(1.0L, 16000));
    put(out, 2, frexpl(ldexpl(3.0L, 16000), &e));
    put(out, 3, 18446744073709551615.0L);
    put(out, 4, 1.0L / 3.0L);
    put(out, 5, -ldexpl(1.0L, -16440));
}
int frexp_exp(void) { int e; frexpl(ldexpl(3.0L, 16000), &e); return e; }
/* C's printf of the long double whose bytes are `bytes`. */
void fmt(const unsigned char *bytes, const char *format, char *out, int n) {
    long double x; memcpy(&x, bytes, sizeof x); snprintf(out, n, format, x);
}
int same_bits(long double a, const unsigned char *bytes) {
    long double b; memcpy(&b, bytes, sizeof b);
    return memcmp(&a, &b, sizeof(long double) == 16 && LDBL_MANT_DIG == 64 ? 10 : sizeof a) == 0;
}
long double through(long double (*cb)(long double), long double x) { return cb(x); }
int ldc_is(const long double _Complex *z) {
    return __real__ z[1] == 0x1p16000L && __imag__ z[1] == -0x1.8p-3L;
}
void ldc_make(long double _Complex *z) { z[0] = __builtin_complex(-0x1p-16000L, 0x1.4p2L); }
/* libm's complex long double functions, operands through volatiles (not folded by gcc). */
void cvalues(unsigned char *out) {
    volatile long double a = -4.0L, b = 1.0L, c = 2.0L;
    long double _Complex z = csqrtl(CMPLXL(a, 0.0L));
    put(out, 0, creall(z)); put(out, 1, cimagl(z));
    z = cexpl(CMPLXL(b, c));
    put(out, 2, creall(z)); put(out, 3, cimagl(z));
    put(out, 4, cargl(CMPLXL(b, c)));
    put(out, 5, cabsl(CMPLXL(b, c)));
}
long double _Complex ldc_swap(int k, long double _Complex z, int m) {
    return __builtin_complex(cimagl(z) * k, creall(z) * m);
}
long double _Complex ldc_via(long double _Complex (*cb)(long double _Complex, int),
                             long double _Complex z) { return cb(z, 3); }
"#;

const CDEF: &str = "
    void values(unsigned char *out);
    int frexp_exp(void);
    void fmt(const unsigned char *bytes, const char *format, char *out, int n);
    int same_bits(long double a, const unsigned char *bytes);
    long double through(long double (*cb)(long double), long double x);
    int ldc_is(const long double _Complex *z);
    void ldc_make(long double _Complex *z);
    void cvalues(unsigned char *out);
    long double _Complex ldc_swap(int k, long double _Complex z, int m);
    long double _Complex ldc_via(long double _Complex (*cb)(long double _Complex, int),
                                 long double _Complex z);
    long double _Complex csqrtl(long double _Complex);
    long double _Complex cexpl(long double _Complex);
    long double cargl(long double _Complex);
    long double cabsl(long double _Complex);
    long double sqrtl(long double);
    long double ldexpl(long double, int);
    long double frexpl(long double, int *);
    int snprintf(char *, size_t, const char *, ...);
";

fn probe() -> (Ffi, rcffi::Lib, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    super::probe_with_libm(&PATH, "ldprobe", PROBE, CDEF)
}

/// The long doubles C computed, as exact values read from their bytes.
fn c_values(ffi: &Ffi, lib: &rcffi::Lib, format: rcffi::LongDoubleFormat) -> Vec<LongDouble> {
    let out = ffi.new("unsigned char[]", 16 * 6).unwrap();
    // SAFETY: values writes 6 long doubles of at most 16 bytes.
    unsafe { lib.call("values", (&out,)).unwrap() };
    let bytes = ffi.buffer(&out, None).unwrap().to_vec().unwrap();
    bytes
        .chunks_exact(16)
        .map(|c| LongDouble::from_bytes(c.try_into().unwrap(), format))
        .collect()
}

/// C's `printf(format, x)` of the value with these bytes.
fn c_printf(ffi: &Ffi, lib: &rcffi::Lib, x: &LongDouble, format: &str) -> String {
    let bytes = ffi.new("unsigned char[]", x.to_bytes().to_vec()).unwrap();
    let out = ffi.new("char[]", 128).unwrap();
    // SAFETY: fmt reads 16 bytes and writes at most 128.
    unsafe { lib.call("fmt", (&bytes, format, &out, 128)).unwrap() };
    String::from_utf8(match ffi.string(&out, None).unwrap() {
        Value::Bytes(b) => b.into_vec(),
        other => panic!("{other:?}"),
    })
    .unwrap()
}

#[test]
fn libm_results_are_the_bytes_c_computed() {
    if cfg!(target_arch = "x86_64") && super::under_valgrind() {
        return; // valgrind's x87 is 64 bits wide: libm computes other values there
    }
    let (ffi, lib, libm) = probe();
    // SAFETY: libm's functions, as declared.
    let sqrt2 = unsafe { libm.call("sqrtl", (2,)).unwrap() }
        .cdata()
        .unwrap();
    let format = sqrt2.to_long_double().unwrap().format();
    let want = c_values(&ffi, &lib, format);
    assert_eq!(sqrt2.to_long_double().unwrap(), want[0]);
    // SAFETY: as above.
    let big = unsafe { libm.call("ldexpl", (1, 16000)).unwrap() }
        .cdata()
        .unwrap();
    assert_eq!(big.to_long_double().unwrap(), want[1]);
    assert_eq!(big.to_f64().unwrap(), f64::INFINITY); // an f64 cannot hold it...
    assert!(!big.to_long_double().unwrap().is_infinite()); // ...the cdata does
    // frexpl of 3 * 2^16000, the result and the out-parameter.
    let e = ffi.new("int *", ()).unwrap();
    // SAFETY: as above.
    let three = unsafe { libm.call("ldexpl", (3, 16000)).unwrap() };
    // SAFETY: as above; `e` is an int for frexpl to write.
    let m = unsafe { libm.call("frexpl", (three, &e)).unwrap() }
        .cdata()
        .unwrap();
    assert_eq!(m.to_long_double().unwrap(), want[2]);
    // SAFETY: frexp_exp takes nothing.
    assert_eq!(e.get(0).unwrap(), unsafe {
        lib.call("frexp_exp", ()).unwrap()
    });
    // Integers exact where they fit: 2^64 - 1 has 64 significant bits.
    let max = ffi.cast("long double", u64::MAX).unwrap();
    assert_eq!(max.to_long_double().unwrap(), want[3]);
    assert_eq!(max.to_int().unwrap(), i128::from(u64::MAX));
    // Text reads as strtold reads it.
    let third = ffi
        .cast("long double", "0.333333333333333333333333333333333333333")
        .unwrap();
    assert_eq!(third.to_long_double().unwrap(), want[4]);
    assert_eq!(
        ffi.new("long double *", "-0x1p-16440")
            .unwrap()
            .get(0)
            .unwrap()
            .cdata()
            .unwrap()
            .to_long_double()
            .unwrap(),
        want[5]
    );
}

#[test]
fn long_doubles_pass_on_unchanged_fixed_variadic_and_through_callbacks() {
    let (ffi, lib, libm) = probe();
    let buf = ffi.new("char[]", 128).unwrap();
    for args in [(1, 16000), (3, -16400), (7, 0)] {
        // SAFETY: libm's ldexpl, as declared.
        let x = unsafe { libm.call("ldexpl", args).unwrap() }
            .cdata()
            .unwrap();
        let exact = x.to_long_double().unwrap();
        let bytes = ffi
            .new("unsigned char[]", exact.to_bytes().to_vec())
            .unwrap();
        // A fixed argument: C compares it with the bytes.
        assert_eq!(
            // SAFETY: same_bits takes a long double and 16 bytes.
            unsafe { lib.call("same_bits", (&x, &bytes)).unwrap() },
            Value::Int(1),
            "{args:?}"
        );
        // A variadic one: snprintf's %.21Lg prints what C prints for the same bytes.
        // SAFETY: snprintf writes at most 128 bytes; %Lg takes a long double.
        unsafe {
            libm.call("snprintf", (&buf, 128usize, "%.21Lg", &x))
                .unwrap()
        };
        let ours = ffi.string(&buf, None).unwrap();
        assert_eq!(
            ours,
            Value::Bytes(c_printf(&ffi, &lib, &exact, "%.21Lg").into_bytes().into()),
            "{args:?}"
        );
        // Through a callback: argument in, result out.
        let id = ffi
            .callback("long double(*)(long double)", |a| a.get(0))
            .unwrap();
        // SAFETY: through calls the callback with its argument.
        let back = unsafe { lib.call("through", (&id, &x)).unwrap() }
            .cdata()
            .unwrap();
        assert_eq!(back.to_long_double().unwrap(), exact, "{args:?}");
        // Written into memory and read back.
        let cell = ffi.new("long double *", &x).unwrap();
        assert_eq!(
            cell.get(0)
                .unwrap()
                .cdata()
                .unwrap()
                .to_long_double()
                .unwrap(),
            exact
        );
    }
}

#[test]
fn printing_matches_printf_for_random_values() {
    if cfg!(target_arch = "x86_64") && super::under_valgrind() {
        return; // valgrind's x87 is 64 bits wide: printf prints other digits there
    }
    let (ffi, lib, _) = probe();
    let format = ffi
        .cast("long double", 1)
        .unwrap()
        .to_long_double()
        .unwrap()
        .format();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..250 {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&next().to_le_bytes());
        bytes[8..].copy_from_slice(&next().to_le_bytes());
        if format == rcffi::LongDoubleFormat::X87 {
            // A valid x87 number: the integer bit set unless the exponent is zero, exponents
            // near 1 every third value.
            let mut exp = u16::from_le_bytes([bytes[8], bytes[9]]) & 0x7fff;
            if i % 3 == 0 {
                exp = 16383 - 70 + (exp % 140);
            }
            if exp == 0x7fff {
                exp -= 1;
            }
            if exp == 0 {
                bytes[7] &= 0x7f;
            } else {
                bytes[7] |= 0x80;
            }
            let sign = bytes[9] & 0x80;
            bytes[8..10].copy_from_slice(&(exp | u16::from(sign) << 8).to_le_bytes());
        }
        let x = LongDouble::from_bytes(bytes, format);
        if x.is_nan() {
            continue;
        }
        for p in [0usize, 6, 20, 33] {
            assert_eq!(
                x.to_c_e(p),
                c_printf(&ffi, &lib, &x, &format!("%.{p}LE")),
                "{x:?} p={p}"
            );
        }
        // The repr is cffi's %LE.
        let cd = ffi.cast("long double", x.to_string().as_str()).unwrap();
        assert_eq!(
            cd.to_long_double().unwrap(),
            x,
            "the shortest text reads back exactly"
        );
        assert_eq!(
            format!("{cd:?}"),
            format!("<cdata 'long double' {}>", c_printf(&ffi, &lib, &x, "%LE"))
        );
    }
}

/// `long double _Complex` values in memory: `[re, im]` lists of exact long doubles, written
/// and read as C writes and reads them.
#[test]
fn long_double_complex_values_in_memory_are_exact() {
    if cfg!(target_arch = "x86_64") && super::under_valgrind() {
        return; // valgrind's x87 is 64 bits wide: C compares and stores other values there
    }
    let (ffi, lib, _) = probe();
    let z = ffi
        .new(
            "long double _Complex[2]",
            list![0, list!["0x1p16000", "-0x1.8p-3"]],
        )
        .unwrap();
    // SAFETY: ldc_is reads two complex numbers, ldc_make writes the first.
    unsafe {
        assert_eq!(lib.call("ldc_is", (&z,)).unwrap(), Value::Int(1));
        lib.call("ldc_make", (&z,)).unwrap();
    }
    let Value::List(parts) = z.get(0).unwrap() else {
        panic!("a complex value is a list");
    };
    let format = parts[0]
        .as_cdata()
        .unwrap()
        .to_long_double()
        .unwrap()
        .format();
    let want = |t: &str| LongDouble::parse(t, format).unwrap();
    assert_eq!(
        parts[0].as_cdata().unwrap().to_long_double().unwrap(),
        want("-0x1p-16000")
    );
    assert_eq!(
        parts[1].as_cdata().unwrap().to_long_double().unwrap(),
        want("5")
    );
}

/// The exact `[re, im]` of a `long double _Complex` value (a list of two long doubles).
fn parts(v: &Value) -> [LongDouble; 2] {
    let v = match v {
        Value::CData(c) => c.to_value().unwrap(),
        other => other.clone(),
    };
    let Value::List(p) = v else {
        panic!("a complex value is a list: {v:?}");
    };
    [0, 1].map(|i| p[i].as_cdata().unwrap().to_long_double().unwrap())
}

/// `long double _Complex` by value — x86-64 passes it in memory and returns it in `st0` and
/// `st1`, AArch64 in four vector registers: libm's `csqrtl`, `cexpl`, `cargl` and `cabsl`
/// against the same calls compiled in C, fixed arguments around it, and a callback.
#[test]
fn long_double_complex_by_value_is_c_s() {
    if cfg!(target_arch = "x86_64") && super::under_valgrind() {
        return; // valgrind's x87 is 64 bits wide: libm computes other values there
    }
    let (ffi, lib, libm) = probe();
    let out = ffi.new("unsigned char[]", 16 * 6).unwrap();
    // SAFETY: cvalues writes 6 long doubles of at most 16 bytes.
    unsafe { lib.call("cvalues", (&out,)).unwrap() };
    let bytes = ffi.buffer(&out, None).unwrap().to_vec().unwrap();
    let one = ffi
        .cast("long double", 1)
        .unwrap()
        .to_long_double()
        .unwrap();
    let want: Vec<LongDouble> = bytes
        .chunks_exact(16)
        .map(|c| LongDouble::from_bytes(c.try_into().unwrap(), one.format()))
        .collect();
    // SAFETY: libm's functions, as declared.
    unsafe {
        let z = libm.call("csqrtl", (list![-4, 0],)).unwrap();
        assert_eq!(parts(&z), [want[0], want[1]], "csqrtl");
        let z = libm.call("cexpl", (list![1, 2],)).unwrap();
        assert_eq!(parts(&z), [want[2], want[3]], "cexpl");
        let arg = libm.call("cargl", (list![1, 2],)).unwrap();
        assert_eq!(
            arg.cdata().unwrap().to_long_double().unwrap(),
            want[4],
            "cargl"
        );
        let abs = libm.call("cabsl", (list![1, 2],)).unwrap();
        assert_eq!(
            abs.cdata().unwrap().to_long_double().unwrap(),
            want[5],
            "cabsl"
        );
    }
    let exact = |t: &str| LongDouble::parse(t, one.format()).unwrap();
    // Values an f64 cannot hold, between int arguments, and back.
    // SAFETY: ldc_swap takes and returns the values as declared.
    let z = unsafe { lib.call("ldc_swap", (2, list!["0x1p16000", "-0x1.8p-3"], 5)) }.unwrap();
    assert_eq!(parts(&z), [exact("-0x1.8p-2"), exact("0x5p16000")]);
    // A result passed on as it is.
    // SAFETY: as above.
    let back = unsafe { lib.call("ldc_swap", (1, &z, 1)) }.unwrap();
    assert_eq!(parts(&back), [exact("0x5p16000"), exact("-0x1.8p-2")]);
    // Through a callback: the argument in, the result out.
    let cb = ffi
        .callback("long double _Complex(*)(long double _Complex, int)", |a| {
            let [re, im] = parts(&a.get(0)?);
            assert_eq!(a.get_as::<i32>(1)?, 3);
            Ok::<_, rcffi::Error>(list![im.to_string(), re.to_string()])
        })
        .unwrap();
    // SAFETY: ldc_via calls the callback once with the value.
    let v = unsafe { lib.call("ldc_via", (&cb, list!["0x1p-16000", "7"])) }.unwrap();
    assert_eq!(parts(&v), [exact("7"), exact("0x1p-16000")]);
}

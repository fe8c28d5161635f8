//! Tuples of Rust numbers, which skip the conversion of each argument when every parameter
//! holds its Rust type exactly (an `i32` for an `int` or a `long`, a `u8` for an `int`, an
//! `f64` for a `double`, a `bool` for a `_Bool`), and lists of `Value`s, whose numbers the
//! register path takes from the values themselves: against gcc — what the callee finds in its
//! whole register, which register each argument of a long mixed list lands in — and against
//! the same call with the arguments given as `Arg`s of values, which take the converting
//! path. All three must agree on every pair of a Rust number type and a C number type, at the
//! ends of each range: the same value, or the same error (an `i64` for an `int` is
//! range-checked, a `u32` for an `int` too, an `i32` for an `unsigned` refused when
//! negative).

use rcffi::{Ffi, Lib, Value};

const PROBE: &str = r#"
#include <errno.h>
#include <string.h>
/* Returns the whole register its one argument arrived in: the cdef declares the argument as a
   C number type (aliases by `__asm__` label), so the result shows how the caller extended it. */
unsigned long long reg(unsigned long long x) { return x; }
/* The bits of the whole vector register a floating argument arrived in. */
unsigned long long fbits(double x) { unsigned long long b; memcpy(&b, &x, 8); return b; }
/* Registers whose low bytes hold the declared result, and garbage above them. */
unsigned long long junk(int low) { return 0xdeadbeefcafe0000ull | (unsigned short)low; }
/* Records every argument as it arrived, in the order of the cdef's parameters. */
long long got_i[16];
double got_f[16];
double mixed(int a, double b, long c, float d, unsigned char e, double f, short g, double h,
             unsigned long i, double j, float k, long long l, double m, double n) {
    got_i[0] = a; got_f[0] = b; got_i[1] = c; got_f[1] = d; got_i[2] = e; got_f[2] = f;
    got_i[3] = g; got_f[3] = h; got_i[4] = (long long)i; got_f[4] = j; got_f[5] = k;
    got_i[5] = l; got_f[6] = m; got_f[7] = n;
    return a + b + c + d + e + f + g + h + (double)i + j + k + l + m + n;
}
/* Nine integers and ten doubles: the last ones on the stack on both targets. */
long long many(long a, long b, long c, long d, long e, long f, long g, long h, long i,
               double j, double k, double l, double m, double n, double o, double p,
               double q, double r, double s) {
    long long w[9] = {a, b, c, d, e, f, g, h, i};
    double v[10] = {j, k, l, m, n, o, p, q, r, s};
    long long sum = 0;
    for (int x = 0; x < 9; x++) sum = sum * 3 + w[x];
    for (int x = 0; x < 10; x++) sum = sum * 3 + (long long)v[x];
    return sum;
}
/* Nine integers and seven doubles (a tuple's most): the last integers on the stack. */
long long many16(long a, long b, long c, long d, long e, long f, long g, long h, long i,
                 double j, double k, double l, double m, double n, double o, double p) {
    return many(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, 0, 0, 0);
}
float half(float x) { return x / 2; }
const char *find(const char *s, int c) { return strchr(s, c); }
struct two { int x; int y; };
struct three { long a, b, c; };
struct two make2(int x, short y) { struct two t = {x, y}; return t; }
struct three make3(long a, unsigned char b, int c, long d, long e, long f, long g) {
    struct three t = {a + d, b + e, c + f + g}; return t;
}
void nothing(int x) { got_i[15] = x; }
char buffer[64];
char *at(unsigned long off) { return buffer + off; }
int fail_with(int e) { errno = e; return -1; }
static int (*hook)(int);
void set_hook(int (*f)(int)) { hook = f; }
int run_hook(int x) { return hook(x) + 1; }
int apply(int (*f)(int), int x) { return f(x); }
/* Ten doubles, the last two on the stack on x86-64, each weighed by its place. */
double weigh10(double a, double b, double c, double d, double e, double f, double g, double h,
               double i, double j) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}
"#;

/// The C number types a parameter may have, as the cdef names them.
pub(super) const C_TYPES: [&str; 19] = [
    "_Bool",
    "signed char",
    "unsigned char",
    "short",
    "unsigned short",
    "int",
    "unsigned int",
    "long",
    "unsigned long",
    "long long",
    "unsigned long long",
    "size_t",
    "int8_t",
    "uint32_t",
    "enum e",
    "char",
    "wchar_t",
    "char16_t",
    "char32_t",
];

fn cdef() -> String {
    let mut s = String::from("enum e { E_NEG = -1, E_BIG = 0x7fffffff };\n");
    for (k, t) in C_TYPES.iter().enumerate() {
        s.push_str(&format!(
            "unsigned long long reg{k}({t} x) __asm__(\"reg\");\n"
        ));
    }
    s.push_str(
        "unsigned long long fbits_f(float x) __asm__(\"fbits\");
         unsigned long long fbits_d(double x) __asm__(\"fbits\");
         signed char junk_i8(int) __asm__(\"junk\");
         unsigned char junk_u8(int) __asm__(\"junk\");
         short junk_i16(int) __asm__(\"junk\");
         unsigned short junk_u16(int) __asm__(\"junk\");
         int junk_i32(int) __asm__(\"junk\");
         unsigned int junk_u32(int) __asm__(\"junk\");
         long long got_i[16];
         double got_f[16];
         double mixed(int a, double b, long c, float d, unsigned char e, double f, short g,
                      double h, unsigned long i, double j, float k, long long l, double m,
                      double n);
         long long many(long a, long b, long c, long d, long e, long f, long g, long h,
                        long i, double j, double k, double l, double m, double n, double o,
                        double p, double q, double r, double s);
         long long many16(long a, long b, long c, long d, long e, long f, long g, long h,
                          long i, double j, double k, double l, double m, double n, double o,
                          double p);
         float half(float x);
         unsigned long long text_reg(const char *s) __asm__(\"reg\");
         unsigned long long void_reg(void *p) __asm__(\"reg\");
         unsigned long long int_ptr_reg(int *p) __asm__(\"reg\");
         const char *find(const char *s, int c);
         size_t strlen(const char *);
         struct two { int x; int y; };
         struct three { long a, b, c; };
         struct two make2(int x, short y);
         struct three make3(long a, unsigned char b, int c, long d, long e, long f, long g);
         void nothing(int x);
         char buffer[64];
         char *at(unsigned long off);
         int fail_with(int e);
         void set_hook(int (*f)(int));
         int run_hook(int x);
         int apply(int (*f)(int), int x);
         double weigh10(double a, double b, double c, double d, double e, double f, double g,
                        double h, double i, double j);",
    );
    s
}

pub(super) fn probe() -> (Ffi, Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let (ffi, lib, _) = super::probe_with_libm(&PATH, "plainprobe", PROBE, &cdef());
    (ffi, lib)
}

/// The call with a tuple, and with the same argument as a `Value` in a list (which must give
/// what the converting path gives, the same value as an `Arg`), as `Ok` values or error
/// messages.
fn both<T>(lib: &Lib, name: &str, x: T) -> (Result<Value, String>, Result<Value, String>)
where
    T: for<'a> rcffi::IntoArg<'a> + Into<Value> + Copy,
{
    // SAFETY: the probe defines `name` as the cdef declares it (the `reg` and `fbits`
    // aliases read the whole register their argument arrives in).
    unsafe {
        let value = lib.call(name, vec![x.into()]).map_err(|e| e.to_string());
        let held = [x.into()];
        let borrowed = lib.call(name, &held[..]).map_err(|e| e.to_string());
        let converted = lib
            .call(name, vec![rcffi::Arg::Value(x.into())])
            .map_err(|e| e.to_string());
        // (A `float` is the low half of its register: the rest is the caller's to leave.)
        let low = |r: &Result<Value, String>| match r {
            Ok(Value::Int(i)) if name == "fbits_f" => Ok(Value::Int(i128::from(*i as u64 as u32))),
            other => other.clone(),
        };
        assert_eq!(
            low(&value),
            low(&converted),
            "a list's value and the converting path's"
        );
        assert_eq!(low(&borrowed), low(&converted), "a borrowed list's value");
        (lib.call(name, (x,)).map_err(|e| e.to_string()), value)
    }
}

/// Every C number type against one Rust number type, at the ends of its range.
fn agree_on<T>(lib: &Lib, rust: &str, values: &[T])
where
    T: for<'a> rcffi::IntoArg<'a> + Into<Value> + Copy + std::fmt::Debug,
{
    let mut plain = 0;
    // The integer types through `reg`, `float` and `double` through `fbits`: the register
    // each reads is the one its argument arrives in.
    let names = (0..C_TYPES.len())
        .map(|k| (format!("reg{k}"), C_TYPES[k]))
        .chain([
            ("fbits_f".to_string(), "float"),
            ("fbits_d".to_string(), "double"),
        ]);
    for (name, c) in names {
        for &x in values {
            let (mut tuple, mut value) = both(lib, &name, x);
            if c == "float" {
                // A `float` is the low half of its register; the rest is the caller's to
                // leave as it likes (libffi leaves what was there).
                for r in [&mut tuple, &mut value] {
                    if let Ok(Value::Int(i)) = r {
                        *i = i128::from(*i as u64 as u32);
                    }
                }
            }
            assert_eq!(tuple, value, "{rust} {x:?} for a '{c}' parameter");
            plain += usize::from(tuple.is_ok());
        }
    }
    assert!(plain > 0, "{rust}: some C type takes it");
}

#[test]
fn every_rust_number_reaches_every_c_number_type_as_the_converting_path_passes_it() {
    let (_ffi, lib) = probe();
    agree_on(&lib, "i8", &[i8::MIN, -1, 0, i8::MAX]);
    agree_on(&lib, "u8", &[0, 1, u8::MAX]);
    agree_on(&lib, "i16", &[i16::MIN, -1, i16::MAX]);
    agree_on(&lib, "u16", &[0, u16::MAX]);
    agree_on(&lib, "i32", &[i32::MIN, -1, 0, 1, i32::MAX]);
    agree_on(&lib, "u32", &[0, 0x8000_0000, u32::MAX]);
    agree_on(
        &lib,
        "i64",
        &[i64::MIN, -1, 0, i64::from(i32::MAX) + 1, i64::MAX],
    );
    agree_on(&lib, "u64", &[0, u64::from(u32::MAX) + 1, u64::MAX]);
    agree_on(&lib, "isize", &[isize::MIN, -1, isize::MAX]);
    agree_on(&lib, "usize", &[0, usize::MAX]);
    agree_on(&lib, "f64", &[-1.5, 0.0, f64::MAX, f64::NAN]);
    agree_on(&lib, "f32", &[-1.5f32, 0.0, f32::MIN_POSITIVE]);
    agree_on(&lib, "bool", &[false, true]);
}

/// An integer for a `float` parameter rounds to a `double` first, then to a `float`, as the
/// general conversion (`new("float[1]", [i])`) and cffi do: 2^53 + 2^29 + 1 arrives as 2^53,
/// not as the nearest `float` (2^53 + 2^30), through a tuple and through a list alike.
#[test]
fn an_integer_for_a_float_rounds_through_a_double() {
    let (ffi, lib) = probe();
    let i = (1i64 << 53) + (1 << 29) + 1;
    let stored = ffi.new("float[1]", Value::List(vec![i.into()])).unwrap();
    let want = ffi.buffer(&stored, None).unwrap().to_vec().unwrap();
    assert_eq!(
        want,
        9007199254740992f32.to_le_bytes(),
        "the general conversion"
    );
    let (tuple, value) = both(&lib, "fbits_f", i);
    for got in [tuple, value] {
        let Ok(Value::Int(bits)) = got else {
            panic!("{got:?}")
        };
        assert_eq!((bits as u64 as u32).to_le_bytes().to_vec(), want);
    }
}

/// The whole register the `reg` alias for C type `c` found its argument in.
macro_rules! reg {
    ($lib:expr, $c:expr, $x:expr) => {{
        let k = C_TYPES.iter().position(|t| *t == $c).expect("a C type");
        // SAFETY: `reg` returns the register its argument arrived in.
        match unsafe { $lib.call(&format!("reg{k}"), ($x,)) } {
            Ok(Value::Int(i)) => i as u64,
            other => panic!("{}: {other:?}", $c),
        }
    }};
}

#[test]
fn a_narrow_argument_arrives_extended_to_the_whole_register() {
    let (_ffi, lib) = probe();
    // As gcc's callers extend: by the Rust type's signedness, which is the C type's here or
    // makes no difference (a value of the Rust type the C type holds).
    assert_eq!(reg!(lib, "long", -1i32), u64::MAX);
    assert_eq!(reg!(lib, "long", u32::MAX), u64::from(u32::MAX));
    assert_eq!(reg!(lib, "int", -2i8), reg!(lib, "int", Value::Int(-2)));
    assert_eq!(reg!(lib, "int", -2i8), -2i64 as u64);
    assert_eq!(reg!(lib, "unsigned short", 0xfffeu16), 0xfffe);
    assert_eq!(reg!(lib, "short", -3i16), -3i64 as u64);
    assert_eq!(reg!(lib, "unsigned long long", u64::MAX), u64::MAX);
    assert_eq!(reg!(lib, "enum e", -1), u64::MAX);
    // A `bool` for a `_Bool` (the direct path): 0 or 1 in the whole register.
    assert_eq!(reg!(lib, "_Bool", true), 1);
    assert_eq!(reg!(lib, "_Bool", false), 0);
    assert_eq!(
        reg!(lib, "_Bool", true),
        reg!(lib, "_Bool", Value::Bool(true))
    );
}

#[test]
fn floats_arrive_in_the_low_bits_of_their_register() {
    let (_ffi, lib) = probe();
    for x in [1.25f32, -0.0, f32::MAX] {
        let (tuple, value) = both(&lib, "fbits_f", x);
        assert_eq!(tuple, value, "{x}");
        let Ok(Value::Int(bits)) = tuple else {
            panic!("{tuple:?}")
        };
        assert_eq!(bits as u64 as u32, x.to_bits(), "{x}");
    }
    let (tuple, value) = both(&lib, "fbits_d", -2.5f64);
    assert_eq!(tuple, value);
    assert_eq!(tuple, Ok(Value::Int(i128::from((-2.5f64).to_bits()))));
    // SAFETY: `half` as declared.
    let half = unsafe { lib.call("half", (3.0f32,)) };
    assert_eq!(half.unwrap(), Value::Float(1.5));
}

#[test]
fn narrow_results_are_read_from_their_own_bytes() {
    let (_ffi, lib) = probe();
    // SAFETY: `junk` returns 0xdeadbeefcafe0000 | the low 16 bits of its argument; each alias
    // declares a narrower result.
    unsafe {
        assert_eq!(lib.call("junk_i8", (0x80,)).unwrap(), Value::Int(-128));
        assert_eq!(lib.call("junk_u8", (0xff,)).unwrap(), Value::Int(255));
        assert_eq!(lib.call("junk_i16", (0x8001,)).unwrap(), Value::Int(-32767));
        assert_eq!(lib.call("junk_u16", (0xffff,)).unwrap(), Value::Int(65535));
        assert_eq!(
            lib.call("junk_i32", (0x7,)).unwrap(),
            Value::Int(i128::from(0xcafe_0007u32 as i32))
        );
        assert_eq!(
            lib.call("junk_u32", (0x7,)).unwrap(),
            Value::Int(0xcafe_0007)
        );
    }
}

/// The first `n` items of the probe's array `name` (`got_i`, `got_f`: what `mixed` and
/// `nothing` recorded of their arguments).
pub(super) fn recorded<T: rcffi::NativeType + Copy>(
    ffi: &Ffi,
    lib: &Lib,
    name: &str,
    n: usize,
) -> Vec<T> {
    ffi.unpack_as(&lib.get(name).unwrap().cdata().unwrap(), n)
        .unwrap()
}

/// `mixed`'s signature, to call it directly.
pub(super) type Mixed =
    extern "C" fn(i32, f64, i64, f32, u8, f64, i16, f64, u64, f64, f32, i64, f64, f64) -> f64;

#[test]
fn a_long_mixed_list_lands_in_the_registers_c_reads() {
    let (ffi, lib) = probe();
    let f = lib.function("mixed").unwrap();
    // SAFETY: `mixed` has this signature.
    let direct: Mixed = unsafe { std::mem::transmute(f.address()) };
    let expected = direct(
        -1, 2.5, -3, 4.5, 250, 6.5, -7, 8.5, 9, 10.5, 11.5, -12, 13.5, 14.5,
    );
    // SAFETY: as declared.
    let got = unsafe {
        f.call((
            -1, 2.5, -3i64, 4.5f32, 250u8, 6.5, -7i16, 8.5, 9u64, 10.5, 11.5f32, -12i64, 13.5, 14.5,
        ))
    }
    .unwrap();
    assert_eq!(got, Value::Float(expected));
    let ints: Vec<i64> = recorded(&ffi, &lib, "got_i", 6);
    assert_eq!(ints, [-1, -3, 250, -7, 9, -12]);
    let floats: Vec<f64> = recorded(&ffi, &lib, "got_f", 8);
    assert_eq!(floats, [2.5, 4.5, 6.5, 8.5, 10.5, 11.5, 13.5, 14.5]);
    // `f64`s for the `float`s (rounded) and an `f32` for a `double` (widened), as the
    // converting path passes them.
    let args = (
        -1, 2.5f32, -3i64, 0.1, 250u8, 6.5, -7i16, 8.5, 9u64, 10.5, 1e300, -12i64, 13.5, 14.5,
    );
    // SAFETY: as declared.
    let (plain, converted) = unsafe {
        let list = vec![
            Value::Int(-1),
            Value::Float(2.5),
            Value::Int(-3),
            Value::Float(0.1),
            Value::Int(250),
            Value::Float(6.5),
            Value::Int(-7),
            Value::Float(8.5),
            Value::Int(9),
            Value::Float(10.5),
            Value::Float(1e300),
            Value::Int(-12),
            Value::Float(13.5),
            Value::Float(14.5),
        ];
        (f.call(args).unwrap(), f.call(list).unwrap())
    };
    assert_eq!(plain, converted);
    let floats: Vec<f64> = recorded(&ffi, &lib, "got_f", 8);
    assert_eq!(floats[1], f64::from(0.1f32));
    assert_eq!(floats[5], f64::INFINITY);
}

/// `many`'s signature, to call it directly.
pub(super) type Many = extern "C" fn(
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
    f64,
) -> i64;

#[test]
fn arguments_past_the_registers_go_on_the_stack_in_order() {
    let (_ffi, lib) = probe();
    let f = lib.function("many").unwrap();
    // SAFETY: `many` has this signature.
    let direct: Many = unsafe { std::mem::transmute(f.address()) };
    let expected = direct(
        1, -2, 3, -4, 5, -6, 7, -8, 9, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0,
    );
    // The most a tuple holds, 16, past the integer registers: through the plan's register
    // list, stack words included.
    let g = lib.function("many16").unwrap();
    // SAFETY: `many16` calls `many` with three zeros after its own arguments.
    let expected16 = direct(
        1, -2, 3, -4, 5, -6, 7, -8, 9, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 0.0, 0.0, 0.0,
    );
    // SAFETY: as declared.
    let got = unsafe {
        g.call((
            1i64, -2i64, 3i64, -4i64, 5i64, -6i64, 7i64, -8i64, 9i64, 10.0, 11.0, 12.0, 13.0, 14.0,
            15.0, 16.0,
        ))
    };
    assert_eq!(got.unwrap(), Value::Int(expected16.into()));
    let args: Vec<Value> = (1..=9)
        .map(|i: i64| Value::Int(if i % 2 == 0 { -i } else { i }.into()))
        .chain((10..=19).map(|i| Value::Float(f64::from(i))))
        .collect();
    // SAFETY: as declared.
    let got = unsafe { f.call(args) };
    assert_eq!(got.unwrap(), Value::Int(expected.into()));
}

#[test]
fn void_and_pointer_results_errno_and_callbacks_are_as_on_the_converting_path() {
    let (ffi, lib) = probe();
    // SAFETY: each function as declared.
    unsafe {
        assert_eq!(lib.call("nothing", (42,)).unwrap(), Value::Void);
        let got: Vec<i64> = recorded(&ffi, &lib, "got_i", 16);
        assert_eq!(got[15], 42);
        let p = lib.call("at", (5usize,)).unwrap().cdata().unwrap();
        let q = lib
            .call("at", vec![Value::Int(5)])
            .unwrap()
            .cdata()
            .unwrap();
        assert_eq!(p.address(), q.address());
        assert_eq!(format!("{p:?}"), format!("{q:?}"));
        let buffer = lib.get("buffer").unwrap().cdata().unwrap();
        assert_eq!(p.address(), buffer.address() + 5);
        assert_eq!(lib.call("fail_with", (7,)).unwrap(), Value::Int(-1));
        assert_eq!(ffi.errno(), 7);
        ffi.set_errno(0);
        assert_eq!(lib.call("fail_with", (0,)).unwrap(), Value::Int(-1));
        assert_eq!(ffi.errno(), 0);
        // A callback C calls during the call: its result, and its failure as the call's.
        let cb = ffi
            .callback("int(*)(int)", |a| -> rcffi::Result<i32> {
                let x = a.get_as::<i32>(0)?;
                if x < 0 {
                    Err(rcffi::Error::Value("negative".into()))
                } else {
                    Ok(x * 2)
                }
            })
            .unwrap();
        lib.call("set_hook", (&cb,)).unwrap();
        assert_eq!(lib.call("run_hook", (20,)).unwrap(), Value::Int(41));
        let e = lib.call("run_hook", (-1,)).unwrap_err().to_string();
        assert!(e.contains("negative"), "{e}");
        lib.call("set_hook", (None::<&rcffi::CData>,)).unwrap();
    }
}

#[test]
fn struct_results_in_registers_and_through_memory() {
    let (_ffi, lib) = probe();
    let fields = |v: Value, names: &[&str]| -> Vec<Value> {
        let c = v.cdata().expect("a struct");
        names.iter().map(|n| c.field(n).expect(n)).collect()
    };
    // SAFETY: as declared; `make3`'s result comes back through memory on x86-64 (its address
    // taking the first integer register), with its seventh argument on the stack.
    unsafe {
        let two = lib.call("make2", (-5, 7i16)).unwrap();
        assert_eq!(fields(two, &["x", "y"]), [Value::Int(-5), Value::Int(7)]);
        let three = lib.call("make3", (1i64, 2u8, 3, 4i64, 5i64, 6i64, 7i64));
        assert_eq!(
            fields(three.unwrap(), &["a", "b", "c"]),
            [Value::Int(5), Value::Int(7), Value::Int(16)]
        );
    }
}

#[test]
fn c_strings_pass_their_address_to_text_parameters_only() {
    let (_ffi, lib) = probe();
    let s = c"hello, world";
    let owned = std::ffi::CString::new("owned").unwrap();
    // SAFETY: each as declared; C only reads the strings.
    unsafe {
        let want = Value::Int(s.as_ptr() as i128);
        assert_eq!(lib.call("text_reg", (s,)).unwrap(), want);
        assert_eq!(lib.call("void_reg", (s,)).unwrap(), want);
        assert_eq!(
            lib.call("text_reg", (&owned,)).unwrap(),
            Value::Int(owned.as_ptr() as i128)
        );
        // The same through the converting path (a list of `Arg`s).
        let list = vec![rcffi::Arg::CStr(s)];
        assert_eq!(lib.call("text_reg", list).unwrap(), want);
        // Not for an `int *`: the converting path's error, naming the argument.
        let e = lib.call("int_ptr_reg", (s,)).unwrap_err().to_string();
        let list = vec![rcffi::Arg::CStr(s)];
        assert_eq!(e, lib.call("int_ptr_reg", list).unwrap_err().to_string());
        assert!(e.contains("argument 1"), "{e}");
        assert_eq!(lib.call("strlen", (s,)).unwrap(), Value::Int(12));
        // A pointer result into the string: a view of foreign memory, as before.
        let at = lib.call("find", (s, b'w' as i32)).unwrap().cdata().unwrap();
        assert_eq!(at.address(), s.as_ptr() as usize + 7);
        let list = vec![rcffi::Arg::CStr(s), rcffi::Arg::Int(i64::from(b'w'))];
        let same = lib.call("find", list).unwrap().cdata().unwrap();
        assert_eq!(format!("{at:?}"), format!("{same:?}"));
    }
}

#[test]
fn handles_names_and_function_pointers_agree() {
    let (ffi, lib) = probe();
    let k = C_TYPES.iter().position(|t| *t == "long").unwrap();
    let name = format!("reg{k}");
    let f = lib.function(&name).unwrap();
    let p = ffi
        .cast("unsigned long long(*)(long)", f.address())
        .unwrap();
    // SAFETY: `reg` under the cdef's declaration, by handle, by name and by pointer.
    unsafe {
        for x in [i32::MIN, -1, 7] {
            let want = Value::Int(i128::from(i64::from(x) as u64));
            assert_eq!(f.call((x,)).unwrap(), want);
            assert_eq!(lib.call(&name, (x,)).unwrap(), want);
            assert_eq!(p.call((x,)).unwrap(), want);
        }
        // One argument too many or too few: the converting path's error.
        let e = f.call((1, 2)).unwrap_err().to_string();
        assert_eq!(
            e,
            f.call(vec![Value::Int(1), Value::Int(2)])
                .unwrap_err()
                .to_string()
        );
        assert!(f.call(()).is_err());
    }
}

/// A list of values takes its cdata, text and numbers straight from the values: the same
/// words, results and errors as the converting path (the same values as `Arg`s), a pointer
/// result into a cdata argument's memory keeping it alive, and one into a text's temporary
/// copy a view of foreign memory, which safe code does not read.
#[test]
fn lists_of_values_pass_cdata_text_and_null_as_the_converting_path_does() {
    let (ffi, lib) = probe();
    let converted = |name: &str, list: &[Value]| {
        let args: Vec<rcffi::Arg<'_>> = list.iter().cloned().map(rcffi::Arg::Value).collect();
        // SAFETY: as declared (each caller's list matches its function's parameters).
        unsafe { lib.call(name, args) }.map_err(|e| e.to_string())
    };
    let listed = |name: &str, list: &[Value]| {
        // SAFETY: as above.
        unsafe { lib.call(name, list) }.map_err(|e| e.to_string())
    };
    let ints = ffi.new("int[4]", rcffi::list![1, 2, 3, 4]).unwrap();
    let text = ffi.new("char[]", &b"hello, world"[..]).unwrap();
    let k = C_TYPES.iter().position(|t| *t == "int").unwrap();
    let int = format!("reg{k}");
    let cases: Vec<(&str, Vec<Value>)> = vec![
        ("int_ptr_reg", vec![Value::CData(ints.clone())]),
        ("void_reg", vec![Value::CData(ints.clone())]),
        ("void_reg", vec![Value::Void]),
        ("strlen", vec![Value::Text("hello".into())]),
        ("strlen", vec![Value::Bytes(b"abc".into())]),
        ("strlen", vec![Value::CData(text.clone())]),
        ("int_ptr_reg", vec![Value::Text("not for an int *".into())]),
        ("int_ptr_reg", vec![Value::Int(4096)]),
        (&int, vec![Value::Int(1 << 40)]),
        ("half", vec![Value::Int(3)]),
        ("half", vec![Value::Float(3.0)]),
    ];
    for (name, list) in &cases {
        assert_eq!(
            listed(name, list),
            converted(name, list),
            "{name}({list:?})"
        );
    }
    assert_eq!(
        listed("int_ptr_reg", &[Value::CData(ints.clone())]),
        Ok(Value::Int(ints.address() as i128))
    );
    assert_eq!(
        listed("strlen", &[Value::Text("hello".into())]),
        Ok(Value::Int(5))
    );
    let e = listed("int_ptr_reg", &[Value::Text("x".into())]).unwrap_err();
    assert!(e.contains("argument 1"), "{e}");
    let e = listed(&int, &[Value::Int(1 << 40)]).unwrap_err();
    assert!(e.contains("argument 1"), "{e}");
    // A pointer into the array argument's memory: a view of it, which keeps it alive.
    let list = vec![Value::CData(text), Value::Int(i128::from(b'w'))];
    let at = listed("find", &list).unwrap().cdata().unwrap();
    let same = converted("find", &list).unwrap().cdata().unwrap();
    assert_eq!(format!("{at:?}"), format!("{same:?}"));
    drop(list);
    assert_eq!(
        ffi.string(&at, None).unwrap(),
        Value::Bytes(b"world".into())
    );
    // A pointer into a text's copy, gone when the call returned: not read.
    let list = [
        Value::Text("hello, world".into()),
        Value::Int(i128::from(b'w')),
    ];
    let at = listed("find", &list).unwrap().cdata().unwrap();
    assert!(at.address() != 0);
    assert!(
        ffi.string(&at, None).is_err(),
        "a view of the text's copy was read"
    );
    // A callback's failure during the call is the call's.
    let cb = ffi
        .callback("int(*)(int)", |a| -> rcffi::Result<i32> {
            match a.get_as::<i32>(0)? {
                x if x < 0 => Err(rcffi::Error::Value("negative".into())),
                x => Ok(x * 2),
            }
        })
        .unwrap();
    // SAFETY: as declared.
    unsafe { lib.call("set_hook", (&cb,)) }.unwrap();
    assert_eq!(listed("run_hook", &[Value::Int(20)]), Ok(Value::Int(41)));
    let e = listed("run_hook", &[Value::Int(-1)]).unwrap_err();
    assert!(e.contains("negative"), "{e}");
    // SAFETY: as declared.
    unsafe { lib.call("set_hook", (None::<&rcffi::CData>,)) }.unwrap();
    // C's errno, as the call left it.
    ffi.set_errno(0);
    assert_eq!(listed("fail_with", &[Value::Int(9)]), Ok(Value::Int(-1)));
    assert_eq!(ffi.errno(), 9);
    ffi.set_errno(0);
    // Struct results, in registers and through memory (with a stack argument).
    let two = listed("make2", &[Value::Int(-5), Value::Int(7)]).unwrap();
    let two = two.cdata().unwrap();
    assert_eq!(
        (two.field("x").unwrap(), two.field("y").unwrap()),
        (Value::Int(-5), Value::Int(7))
    );
    let args: Vec<Value> = (1..=7).map(Value::Int).collect();
    let three = listed("make3", &args).unwrap().cdata().unwrap();
    let three: Vec<Value> = ["a", "b", "c"]
        .iter()
        .map(|n| three.field(n).unwrap())
        .collect();
    assert_eq!(three, [Value::Int(5), Value::Int(7), Value::Int(16)]);
}

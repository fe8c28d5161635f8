//! `char`, `_Bool`, wide characters and enums by value — scalars that are not plain numbers —
//! against gcc: what the callee finds in its register (extended as a C caller extends it), and
//! results read from their own bytes only (a callee leaves the rest of the register as it
//! likes). These signatures take the register path (no libffi); the same calls with a struct
//! argument given as a list (which only the general path converts) go through libffi, and
//! both must agree.

use rcffi::{Ffi, Value};

const PROBE: &str = r#"
enum sign { NEG = -7, POS = 7 };
enum big { BIG = 0x80000001u };
/* Each returns the whole register its one argument arrived in: the cdef declares the argument
   narrow, so the result shows how the caller extended it. */
long long reg_schar(long long x) { return x; }
long long reg_uchar(long long x) { return x; }
long long reg_char(long long x) { return x; }
long long reg_short(long long x) { return x; }
long long reg_bool(long long x) { return x; }
long long reg_sign(long long x) { return x; }
long long reg_big(long long x) { return x; }
long long reg_wchar(long long x) { return x; }
/* Each returns a register whose low bytes hold the declared result, and garbage above them. */
long long junk_sign(void) { return (long long)0xdeadbeef00000000ull | (unsigned)NEG; }
long long junk_bool(void) { return (long long)0xdeadbeefcafe0001ull; }
long long junk_char(void) { return (long long)0xdeadbeefcafe0041ull; }
int mix(enum sign s, enum big b, char c, _Bool t, signed char d, unsigned short u) {
    return (int)s * 100000 + (b == BIG) * 10000 + c * 10 + t + d * 1000 + u;
}
struct one { int x; };
int mix_s(enum sign s, enum big b, char c, _Bool t, signed char d, unsigned short u,
          struct one o) {
    return mix(s, b, c, t, d, u) + o.x;
}
enum sign flip(enum sign s) { return s == NEG ? POS : NEG; }
enum big same_big(enum big b) { return b; }
_Bool is_neg(enum sign s) { return s == NEG; }
char upper(char c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
/* Each returns its argument's whole register: the cdef declares a narrow result. */
long long ret_bool(long long x) { return x; }
long long ret_char(long long x) { return x; }
long long ret_sign(long long x) { return x; }
long long ret_wchar(long long x) { return x; }
"#;

const CDEF: &str = "
    enum sign { NEG = -7, POS = 7 };
    enum big { BIG = 0x80000001u };
    long long reg_schar(signed char x);
    long long reg_uchar(unsigned char x);
    long long reg_char(char x);
    long long reg_short(short x);
    long long reg_bool(_Bool x);
    long long reg_sign(enum sign x);
    long long reg_big(enum big x);
    long long reg_wchar(wchar_t x);
    enum sign junk_sign(void);
    _Bool junk_bool(void);
    char junk_char(void);
    int mix(enum sign s, enum big b, char c, _Bool t, signed char d, unsigned short u);
    struct one { int x; };
    int mix_s(enum sign s, enum big b, char c, _Bool t, signed char d, unsigned short u,
              struct one o);
    enum sign flip(enum sign s);
    enum big same_big(enum big b);
    _Bool is_neg(enum sign s);
    char upper(char c);
    _Bool ret_bool(long long x);
    char ret_char(long long x);
    enum sign ret_sign(long long x);
    wchar_t ret_wchar(long long x);
";

fn probe() -> (Ffi, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let (ffi, lib, _) = super::probe_with_libm(&PATH, "narrowprobe", PROBE, CDEF);
    (ffi, lib)
}

fn int(v: Value) -> i128 {
    match v {
        Value::Int(i) => i,
        other => panic!("expected an integer, got {other:?}"),
    }
}

/// The low 32 bits of the register a callee found its argument in: C's callers extend a
/// narrow argument to 32 bits (sign or zero, by its type), which callees compiled by clang
/// rely on.
fn low32(lib: &rcffi::Lib, name: &str, arg: impl Into<Value>) -> u32 {
    // SAFETY: the probe defines `name` taking a 64-bit integer; the narrower declaration
    // passes a narrower argument in the same register.
    let v = unsafe { lib.call(name, (arg.into(),)) }.unwrap();
    int(v) as u64 as u32
}

#[test]
fn narrow_arguments_arrive_extended_as_c_extends_them() {
    let (_ffi, lib) = probe();
    assert_eq!(low32(&lib, "reg_schar", -5), -5i32 as u32);
    assert_eq!(low32(&lib, "reg_uchar", 250), 250);
    // `char` is signed on x86-64 and unsigned on AArch64: C extends it by that.
    let c = low32(&lib, "reg_char", Value::Bytes(vec![0xf0].into()));
    let expected = if cfg!(target_arch = "x86_64") {
        0xf0u8 as i8 as i32 as u32
    } else {
        0xf0
    };
    assert_eq!(c, expected);
    // The same byte as a Rust slice (an argument kind with a direct arm of its own).
    // SAFETY: as in `low32`.
    let v = unsafe { lib.call("reg_char", (&[0xf0u8][..],)) }.unwrap();
    assert_eq!(int(v) as u64 as u32, expected, "a one-byte slice");
    assert_eq!(low32(&lib, "reg_short", -300), -300i32 as u32);
    assert_eq!(low32(&lib, "reg_bool", true), 1);
    assert_eq!(low32(&lib, "reg_sign", -7), -7i32 as u32);
    assert_eq!(low32(&lib, "reg_big", 0x8000_0001u32), 0x8000_0001);
    assert_eq!(low32(&lib, "reg_wchar", 'é'), 'é' as u32);
}

/// The same arguments given as cdata of exactly the parameter's type (as a call's result or a
/// cast passes them on), which the register path passes as their bytes: extended as the
/// numbers are.
#[test]
fn cdata_arguments_of_the_parameter_type_arrive_extended_as_numbers_do() {
    let (ffi, lib) = probe();
    let cases: [(&str, &str, Value); 9] = [
        ("reg_schar", "signed char", (-5).into()),
        ("reg_uchar", "unsigned char", 250.into()),
        ("reg_char", "char", Value::Bytes(vec![0xf0].into())),
        ("reg_short", "short", (-300).into()),
        ("reg_short", "short", 300.into()),
        ("reg_bool", "_Bool", true.into()),
        ("reg_sign", "enum sign", (-7).into()),
        ("reg_big", "enum big", 0x8000_0001u32.into()),
        ("reg_wchar", "wchar_t", 'é'.into()),
    ];
    for (f, ty, v) in cases {
        let c = ffi.cast(ty, v.clone()).unwrap();
        assert_eq!(
            low32(&lib, f, c),
            low32(&lib, f, v),
            "{f} with a '{ty}' cdata"
        );
    }
}

#[test]
fn narrow_results_are_read_from_their_own_bytes() {
    let (_ffi, lib) = probe();
    // SAFETY: each returns a register whose low bytes are the declared result.
    unsafe {
        assert_eq!(lib.call("junk_sign", ()).unwrap(), Value::Int(-7));
        assert_eq!(lib.call("junk_bool", ()).unwrap(), Value::Bool(true));
        assert_eq!(
            lib.call("junk_char", ()).unwrap(),
            Value::Bytes(b"A".into())
        );
    }
}

#[test]
fn enums_chars_and_bools_agree_with_direct_calls_and_with_libffi() {
    let (_ffi, lib) = probe();
    type Mix = extern "C" fn(i32, u32, i8, bool, i8, u16) -> i32;
    // SAFETY: `mix` has this signature (enums of int and unsigned int, char signed on
    // x86-64; the test uses ASCII so the signedness of `char` does not matter).
    let direct: Mix = unsafe { std::mem::transmute(lib.function("mix").unwrap().address()) };
    for (s, t, d, u) in [
        (-7, true, -128, 65535u16),
        (7, false, 127, 0),
        (-7, false, -1, 1),
    ] {
        let expected = direct(s, 0x8000_0001, b'z' as i8, t, d as i8, u);
        // SAFETY: as declared.
        let (regs, ffi_path) = unsafe {
            (
                lib.call("mix", (s, 0x8000_0001u32, b"z", t, d, u)).unwrap(),
                lib.call("mix_s", (s, 0x8000_0001u32, b"z", t, d, u, rcffi::list![0]))
                    .unwrap(),
            )
        };
        assert_eq!(int(regs), i128::from(expected));
        assert_eq!(int(ffi_path), i128::from(expected));
    }
    // SAFETY: as declared.
    unsafe {
        assert_eq!(lib.call("flip", (-7,)).unwrap(), Value::Int(7));
        assert_eq!(lib.call("flip", (7,)).unwrap(), Value::Int(-7));
        // An enumerator's name: the direct path hands it to the general conversion.
        assert_eq!(lib.call("flip", ("NEG",)).unwrap(), Value::Int(7));
        assert!(lib.call("flip", ("NOPE",)).is_err());
        assert!(lib.call("flip", (1i64 << 40,)).is_err());
        assert_eq!(
            lib.call("same_big", (0x8000_0001u32,)).unwrap(),
            Value::Int(0x8000_0001)
        );
        assert_eq!(lib.call("is_neg", (-7,)).unwrap(), Value::Bool(true));
        assert_eq!(
            lib.call("upper", (b"q",)).unwrap(),
            Value::Bytes(b"Q".into())
        );
    }
}

/// Every byte through `char upper(char)`, passed as a value (owned and borrowed: the direct
/// path, which encodes it and writes the `char` result where the caller takes it) and as a
/// one-byte slice (the converting path): each gives the byte C's `upper` gives (bytes past
/// 0x7f are negative on x86-64 and unsigned on AArch64; neither is a lowercase letter).
#[test]
fn every_byte_goes_through_a_char_function_on_every_path() {
    let (_ffi, lib) = probe();
    let f = lib.function("upper").unwrap();
    for b in 0..=255u8 {
        let want = Value::Bytes([if b.is_ascii_lowercase() { b - 32 } else { b }].into());
        let v = Value::Bytes([b].into());
        // SAFETY: as declared.
        let got = unsafe {
            [
                f.call((v.clone(),)).unwrap(),
                f.call((&v,)).unwrap(),
                f.call((&[b][..],)).unwrap(),
            ]
        };
        assert_eq!(got, [want.clone(), want.clone(), want], "byte {b:#x}");
    }
}

/// A narrow result read from every low byte (and from registers with bits above it) is the
/// same on the direct path, which writes a `char` or a `_Bool` of 0 or 1 in place, as on the
/// converting path (an `Arg` list): a `_Bool` byte past 1 as well, whatever that path makes of
/// it.
#[test]
fn narrow_results_agree_on_the_direct_and_the_converting_path() {
    let (_ffi, lib) = probe();
    let words = (0..=255i64).chain([0x100, 0x101, -1, -2, 0x7fff_ff41, i64::MIN | 1]);
    for f in ["ret_bool", "ret_char", "ret_sign", "ret_wchar"] {
        for x in words.clone() {
            // SAFETY: each returns its argument's register, read as the declared result.
            let (direct, converted) = unsafe {
                (
                    lib.call(f, (x,)).map_err(|e| e.to_string()),
                    lib.call(f, vec![rcffi::Arg::Int(x)])
                        .map_err(|e| e.to_string()),
                )
            };
            assert_eq!(direct, converted, "{f}({x:#x})");
        }
    }
    // SAFETY: as above.
    unsafe {
        assert_eq!(
            lib.call("ret_bool", (0x7fff_ff01i64,)).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            lib.call("ret_bool", (0x100i64,)).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            lib.call("ret_char", (0x1_41i64,)).unwrap(),
            Value::Bytes(b"A".into())
        );
    }
}

#[test]
fn bad_narrow_arguments_are_refused_by_name() {
    let (_ffi, lib) = probe();
    // SAFETY: as declared; the arguments are refused before any call.
    unsafe {
        let e = lib
            .call("mix", (-7, 1u32, b"z", 2, 0, 0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("argument 4"), "{e}");
        let e = lib
            .call("mix", (-7, 1u32, b"z", true, 200, 0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("argument 5"), "{e}");
        let e = lib.call("upper", (b"ab",)).unwrap_err().to_string();
        assert!(e.contains("argument 1"), "{e}");
        let e = lib
            .call("mix", (-7, -1, b"z", true, 0, 0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("argument 2"), "{e}");
    }
}

/// C23's enums with a fixed type (`enum e : signed char`) are passed as that type: extended
/// from its width and signedness as a C caller extends it, by value or by enumerator name.
#[test]
fn enums_with_a_fixed_type_pass_as_their_type() {
    let (_ffi, lib) = probe();
    let ffi = Ffi::default();
    ffi.cdef(
        "enum sc : signed char { M = -5 }; enum uc : unsigned char { U = 250 };
         enum sh : short { N = -300 }; enum ul : unsigned long long { L = 1ULL << 40 };
         long long reg_schar(enum sc); long long reg_uchar(enum uc); long long reg_short(enum sh);
         long long reg_big(enum ul);",
    )
    .unwrap();
    // SAFETY: the probe defines these taking a 64-bit integer (see `low32`); the declared
    // enums are as wide as the C types gcc's callers extend.
    let lib2 = unsafe { ffi.dlopen(lib.path().unwrap().to_str().unwrap()) }.unwrap();
    for (f, arg, want) in [
        ("reg_schar", Value::from("M"), -5i64 as u64 as u32),
        ("reg_schar", Value::Int(-128), -128i64 as u64 as u32),
        ("reg_uchar", Value::from("U"), 250),
        ("reg_short", Value::from("N"), -300i64 as u64 as u32),
    ] {
        // SAFETY: as above.
        let v = unsafe { lib2.call(f, (arg.clone(),)) }.unwrap();
        assert_eq!(int(v) as u64 as u32, want, "{f}({arg:?})");
    }
    // SAFETY: as above: a 64-bit enum passes whole.
    let v = unsafe { lib2.call("reg_big", ("L",)) }.unwrap();
    assert_eq!(int(v), 1 << 40);
    // Out of the type's range (which an enum gcc typed itself would hold): refused before
    // the call.
    for (f, arg) in [("reg_uchar", 256), ("reg_schar", 200), ("reg_short", 40000)] {
        // SAFETY: refused before any call.
        let e = unsafe { lib2.call(f, (arg,)) }.unwrap_err();
        assert!(matches!(e, rcffi::Error::Overflow(_)), "{f}({arg}): {e}");
    }
}

//! Typed calls of every primitive type, pointers, pointers to pointers, function pointers and
//! variadic functions, each compared with the direct call; and the handles' lifetime.

use std::ffi::{
    c_char, c_double, c_int, c_long, c_longlong, c_short, c_uchar, c_uint, c_ulong, c_ulonglong,
    c_ushort, c_void,
};

use super::{direct, fixture};

/// `id_T` through a typed handle and directly, for each value.
macro_rules! identity {
    ($lib:expr, $name:literal, $t:ty, [$($v:expr),*]) => {{
        type F = unsafe extern "C" fn($t) -> $t;
        let typed = $lib.typed::<F>($name).expect($name);
        let raw: F = direct!($lib, $name as F);
        for v in [$($v as $t),*] {
            // SAFETY: the fixture's identity functions take and return one value.
            let (got, want) = unsafe { (typed(v), raw(v)) };
            assert_eq!(got, want, "{}({v:?})", $name);
            assert_eq!(got, v, "{}({v:?})", $name);
        }
    }};
}

#[test]
fn every_primitive_type_equals_the_direct_call() {
    let (_ffi, lib) = fixture();
    identity!(lib, "id_char", c_char, [0, 65, -1i8 as c_char, 127]);
    identity!(lib, "id_schar", i8, [i8::MIN, -1, 0, i8::MAX]);
    identity!(lib, "id_uchar", c_uchar, [0, 1, 200, 255]);
    identity!(lib, "id_short", c_short, [i16::MIN, -2, i16::MAX]);
    identity!(lib, "id_ushort", c_ushort, [0, 40000, u16::MAX]);
    identity!(lib, "id_int", c_int, [i32::MIN, -1, 0, i32::MAX]);
    identity!(lib, "id_uint", c_uint, [0, 3_000_000_000u32, u32::MAX]);
    identity!(lib, "id_long", c_long, [c_long::MIN, -5, c_long::MAX]);
    identity!(lib, "id_ulong", c_ulong, [0, c_ulong::MAX]);
    identity!(lib, "id_llong", c_longlong, [i64::MIN, 0, i64::MAX]);
    identity!(lib, "id_ullong", c_ulonglong, [0, u64::MAX]);
    identity!(
        lib,
        "id_float",
        f32,
        [0.0, -1.5, f32::MAX, f32::MIN_POSITIVE]
    );
    identity!(lib, "id_double", c_double, [0.0, -1.5e300, f64::EPSILON]);
    identity!(lib, "id_bool", bool, [false, true]);
    identity!(lib, "id_i8", i8, [-128, 127]);
    identity!(lib, "id_u8", u8, [0, 255]);
    identity!(lib, "id_i16", i16, [-32768, 32767]);
    identity!(lib, "id_u16", u16, [0, 65535]);
    identity!(lib, "id_i32", i32, [i32::MIN, i32::MAX]);
    identity!(lib, "id_u32", u32, [0, u32::MAX]);
    identity!(lib, "id_i64", i64, [i64::MIN, i64::MAX]);
    identity!(lib, "id_u64", u64, [0, u64::MAX]);
    identity!(lib, "id_size", usize, [0, usize::MAX]);
    // wchar_t: a 4-byte integer of either sign.
    identity!(lib, "id_wchar", i32, [0x263A, 0]);
    identity!(lib, "id_wchar", u32, [0x1F600]);
    // Narrow results and arguments, which the caller or the callee extends.
    type Neg = unsafe extern "C" fn(i8) -> i8;
    // SAFETY: as declared.
    assert_eq!(unsafe { lib.typed::<Neg>("neg_schar").unwrap()(5) }, -5);
    type Inc = unsafe extern "C" fn(u8) -> u8;
    // SAFETY: as declared.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<Inc>("inc_uchar").unwrap()(255) },
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { direct!(lib, "inc_uchar" as Inc)(255) }
    );
    // (The fixture's ret_two returns 2 under a `_Bool` declaration: a `bool` result of 2 would
    // break Rust's rules, so it is the one identity not called here — the dynamic API reads it.)
}

#[test]
fn many_arguments_equal_the_direct_call() {
    let (_ffi, lib) = fixture();
    type Sum9 = unsafe extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64, f64) -> f64;
    let a = [0.5, 1.25, -3.0, 4.0, 5.5, 6.0, 7.75, 8.0, 9.125];
    // SAFETY: as declared.
    let (got, want) = unsafe {
        (
            lib.typed::<Sum9>("sum9d").unwrap()(
                a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
            ),
            direct!(lib, "sum9d" as Sum9)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]),
        )
    };
    assert_eq!(got, want);
    type Sum8 = unsafe extern "C" fn(i64, i64, i64, i64, i64, i64, i64, i64) -> i64;
    // SAFETY: as declared.
    let got = unsafe { lib.typed::<Sum8>("sum8l").unwrap()(1, -2, 3, -4, 5, -6, 7, i64::MAX - 4) };
    // SAFETY: as declared.
    assert_eq!(got, unsafe {
        direct!(lib, "sum8l" as Sum8)(1, -2, 3, -4, 5, -6, 7, i64::MAX - 4)
    });
    type Mixed = unsafe extern "C" fn(c_int, f64, i64, f32, i8, u16) -> f64;
    // SAFETY: as declared.
    let got = unsafe { lib.typed::<Mixed>("mixed6").unwrap()(-7, 0.5, 1 << 40, 2.5, -3, 65535) };
    // SAFETY: as declared.
    assert_eq!(got, unsafe {
        direct!(lib, "mixed6" as Mixed)(-7, 0.5, 1 << 40, 2.5, -3, 65535)
    });
}

#[test]
fn pointers_strings_and_pointers_to_pointers() {
    let (ffi, lib) = fixture();
    let sum_arr = lib
        .typed::<unsafe extern "C" fn(*const c_int, c_int) -> c_int>("sum_arr")
        .unwrap();
    let v = [1, 2, 3, 40];
    // SAFETY: 4 ints.
    assert_eq!(unsafe { sum_arr(v.as_ptr(), 4) }, 46);
    let fill = lib
        .typed::<unsafe extern "C" fn(*mut c_int, c_int, c_int)>("fill")
        .unwrap();
    let mut out = [0; 5];
    // SAFETY: room for 5 ints.
    unsafe { fill(out.as_mut_ptr(), 5, 9) };
    assert_eq!(out, [9, 10, 11, 12, 13]);
    // `void *` takes and gives any pointer; `char *` takes i8 or u8.
    let id_ptr = lib
        .typed::<unsafe extern "C" fn(*mut u8) -> *mut c_void>("id_ptr")
        .unwrap();
    // SAFETY: id_ptr returns its argument.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { id_ptr(out.as_mut_ptr().cast()) },
        out.as_mut_ptr().cast()
    );
    let upcase = lib
        .typed::<unsafe extern "C" fn(*mut u8)>("upcase")
        .unwrap();
    let mut s = *b"hello\0";
    // SAFETY: a NUL-terminated string.
    unsafe { upcase(s.as_mut_ptr()) };
    assert_eq!(&s, b"HELLO\0");
    let strchr = lib
        .typed::<unsafe extern "C" fn(*const c_char, c_int) -> *const c_char>("fx_strchr")
        .unwrap();
    let text = c"find the x here";
    // SAFETY: a C string.
    let at = unsafe { strchr(text.as_ptr(), b'x' as c_int) };
    assert_eq!(at as usize - text.as_ptr() as usize, 9);
    // Pointers to pointers: libc's strtol(const char *, char **, int).
    ffi.cdef("long strtol(const char *s, char **end, int base);")
        .unwrap();
    // SAFETY: the process's libc.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    type Strtol = unsafe extern "C" fn(*const c_char, *mut *mut c_char, c_int) -> c_long;
    let strtol = libc.typed::<Strtol>("strtol").unwrap();
    let num = c"  0x7f rest";
    let mut end: *mut c_char = std::ptr::null_mut();
    // SAFETY: a C string, and a place for the end pointer.
    assert_eq!(unsafe { strtol(num.as_ptr(), &mut end, 16) }, 127);
    assert_eq!(end as usize - num.as_ptr() as usize, 6);
    // A struct pointer.
    let sum_pts = lib
        .typed::<unsafe extern "C" fn(*const super::structs::Pt, c_int) -> c_int>("sum_pts")
        .unwrap();
    let pts = [
        super::structs::Pt { x: 1, y: 2 },
        super::structs::Pt { x: 3, y: 4 },
    ];
    // SAFETY: 2 points.
    assert_eq!(unsafe { sum_pts(pts.as_ptr(), 2) }, 12 + 34);
}

extern "C" fn sub(a: c_int, b: c_int) -> c_int {
    a - b
}

#[test]
fn function_pointers_in_and_out() {
    let (ffi, lib) = fixture();
    type Binop = unsafe extern "C" fn(c_int, c_int) -> c_int;
    // A Rust function passed as a C function pointer argument (checked recursively).
    let apply = lib
        .typed::<unsafe extern "C" fn(extern "C" fn(c_int, c_int) -> c_int, c_int, c_int) -> c_int>(
            "apply",
        )
        .unwrap();
    // SAFETY: apply calls sub.
    assert_eq!(unsafe { apply(sub, 10, 3) }, 7);
    // A function pointer C returns must allow NULL...
    let e = lib
        .typed::<unsafe extern "C" fn(c_int) -> Binop>("get_op")
        .unwrap_err()
        .to_string();
    assert!(e.contains("C may hand over NULL here"), "{e}");
    // ...and is then callable.
    let get_op = lib
        .typed::<unsafe extern "C" fn(c_int) -> Option<Binop>>("get_op")
        .unwrap();
    // SAFETY: get_op returns mul or add.
    let mul = unsafe { get_op(1) }.unwrap();
    // SAFETY: mul multiplies.
    assert_eq!(unsafe { mul(6, 7) }, 42);
    // A function pointer's own signature is checked.
    let e = lib
        .typed::<unsafe extern "C" fn(extern "C" fn(f64, c_int) -> c_int, c_int, c_int) -> c_int>(
            "apply",
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("argument 1"), "{e}");
    // A function pointer cdata (here from C) as a typed function.
    // SAFETY: the function is as the cdef declares it, called with what it expects.
    let op = unsafe { lib.call("get_op", (0,)) }
        .unwrap()
        .cdata()
        .unwrap();
    let add = op.as_fn::<Binop>().unwrap();
    // SAFETY: add adds.
    assert_eq!(unsafe { add(2, 3) }, 5);
    // A Rust function as a cdata for the dynamic API.
    let cd = ffi
        .callback_fn("binop", sub as extern "C" fn(c_int, c_int) -> c_int)
        .unwrap();
    // SAFETY: apply calls sub.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.call("apply", (&cd, 1, 5)) }.unwrap(),
        (-4).into()
    );
}

#[test]
fn variadic_functions_take_variadic_rust_types() {
    let (_ffi, lib) = fixture();
    type Vsum = unsafe extern "C" fn(c_int, ...) -> c_int;
    let vsum = lib.typed::<Vsum>("vsum").unwrap();
    // SAFETY: vsum reads n ints.
    assert_eq!(unsafe { vsum(4, 1, 2, 3, 4 as c_int) }, 10);
    type Vsumd = unsafe extern "C" fn(c_int, ...) -> f64;
    // SAFETY: vsumd reads n doubles.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { lib.typed::<Vsumd>("vsumd").unwrap()(2, 1.5f64, 2.25f64) },
        3.75
    );
    // A fixed Rust type for a variadic function, and the other way round, are refused.
    let e = lib
        .typed::<unsafe extern "C" fn(c_int) -> c_int>("vsum")
        .unwrap_err()
        .to_string();
    assert!(e.contains("the cdef's function is variadic"), "{e}");
    let e = lib
        .typed::<unsafe extern "C" fn(c_int, ...) -> c_int>("add")
        .unwrap_err()
        .to_string();
    assert!(e.contains("the Rust type is variadic"), "{e}");
}

#[test]
fn a_typed_handle_keeps_its_library_loaded() {
    let (ffi, lib) = fixture();
    let add = lib
        .typed::<unsafe extern "C" fn(c_int, c_int) -> c_int>("add")
        .unwrap();
    drop(lib);
    drop(ffi);
    // SAFETY: the handle holds the library.
    assert_eq!(unsafe { add(2, 2) }, 4);
    let clone = add.clone();
    drop(add);
    // SAFETY: as above.
    assert_eq!(unsafe { clone(1, 2) }, 3);
    assert!(
        format!("{clone:?}").starts_with("<typed unsafe extern \"C\" fn(i32, i32) -> i32 at 0x")
    );
}

#[test]
fn what_is_not_a_function_is_refused() {
    let (ffi, lib) = fixture();
    type F = unsafe extern "C" fn() -> c_int;
    let e = lib.typed::<F>("counter").unwrap_err().to_string();
    assert!(
        e.contains("'counter' is a variable, not a function") || e.contains("not a function"),
        "{e}"
    );
    let e = lib.typed::<F>("no_such_function").unwrap_err().to_string();
    assert!(e.contains("not declared"), "{e}");
    let null = ffi.cast("int(*)(void)", 0).unwrap();
    assert!(null.as_fn::<F>().is_err());
    let p = ffi.new("int *", 1).unwrap();
    assert!(
        p.as_fn::<F>()
            .unwrap_err()
            .to_string()
            .contains("not a function pointer")
    );
    // long double and complex have no Rust counterpart: refused, naming the type.
    type Ld = unsafe extern "C" fn(f64) -> f64;
    let e = lib.typed::<Ld>("twice_ld").unwrap_err().to_string();
    assert!(e.contains("'long double' has no Rust counterpart"), "{e}");
    let _ = c_uint::MAX;
}

#[test]
fn int128_by_value_equals_the_direct_call() {
    let src =
        "__int128 mul128(__int128 a, unsigned __int128 b, int c) { return a * (__int128)b + c; }";
    let path = rcffi_testkit::fixture::build_shared("typed_int128", src, &["-O1"]).expect("gcc");
    let ffi = rcffi::Ffi::default();
    ffi.cdef("__int128 mul128(__int128 a, unsigned __int128 b, int c);")
        .unwrap();
    // SAFETY: the library is built from `src`, which the cdef declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    #[allow(improper_ctypes_definitions)] // Rust before 1.89 calls i128 not FFI-safe
    type F = unsafe extern "C" fn(i128, u128, c_int) -> i128;
    let typed = lib.typed::<F>("mul128").unwrap();
    // (Not `direct!`: the dynamic API refuses 128-bit integers, which libffi cannot pass.)
    // SAFETY: the library's mul128, of this type.
    let raw = unsafe { std::mem::transmute::<usize, F>(typed.address()) };
    for (a, b) in [(-3i128, 1u128 << 70), (i128::MAX / 5, 4), (1, 0)] {
        // SAFETY: both are the same function, called with what it expects.
        assert_eq!(unsafe { typed(a, b, 7) }, unsafe { raw(a, b, 7) });
        // SAFETY: as above.
        assert_eq!(unsafe { typed(a, b, 7) }, a.wrapping_mul(b as i128) + 7);
    }
    assert!(
        lib.typed::<unsafe extern "C" fn(i64, u128, c_int) -> i128>("mul128")
            .is_err()
    );
}

/// Every C integer and float type against every Rust number type: accepted exactly when the
/// sizes agree (gcc's `sizeof`) and so do the signs (gcc's `(T)-1 < 0`) — except `char` and the
/// wide characters, whose sign is the platform's, and `_Bool`, which only `bool` matches.
#[test]
fn every_primitive_against_every_rust_number() {
    let c_types = [
        "char",
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
        "int8_t",
        "uint8_t",
        "int16_t",
        "uint16_t",
        "int32_t",
        "uint32_t",
        "int64_t",
        "uint64_t",
        "size_t",
        "ssize_t",
        "intptr_t",
        "uintptr_t",
        "ptrdiff_t",
        "wchar_t",
        "char16_t",
        "char32_t",
        "float",
        "double",
        "_Bool",
        "__int128",
        "unsigned __int128",
    ];
    // gcc's answers: a function per type returning its size and, times 2, whether it is signed.
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdint.h>\n#include <uchar.h>\n#include <sys/types.h>\n",
    );
    let mut cdef = String::new();
    for (i, c) in c_types.iter().enumerate() {
        src.push_str(&format!(
            "int facts{i}(void) {{ return (int)sizeof({c}) * 2 + (({c})-1 < 0); }}\n"
        ));
        cdef.push_str(&format!("int facts{i}(void);\n"));
    }
    let path = rcffi_testkit::fixture::build_shared("typed_prims", &src, &["-O1"]).expect("gcc");
    let ffi = rcffi::Ffi::default();
    ffi.cdef(&cdef).unwrap();
    // SAFETY: the library is built from `src`, which the cdef declares.
    let facts_lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let facts = |c: &str| -> (usize, bool) {
        let i = c_types.iter().position(|t| *t == c).unwrap();
        // SAFETY: facts{i} takes nothing and returns an int.
        let v = unsafe { facts_lib.call(&format!("facts{i}"), ()) }
            .unwrap()
            .to_int()
            .unwrap();
        ((v / 2) as usize, v % 2 == 1)
    };
    /// Checks Rust type `$r` (size, signed, float, bool) against C type `$c`.
    macro_rules! try_as {
        ($c:expr, $r:ty, $signed:expr, $float:expr, $bool:expr) => {{
            let p = ffi
                .cast(format!("{}(*)({})", $c, $c).as_str(), 0x1000)
                .unwrap();
            let got = p.as_fn::<unsafe extern "C" fn($r) -> $r>().is_ok();
            let c_float = matches!($c, "float" | "double");
            let c_bool = $c == "_Bool";
            let (c_size, c_signed) = facts($c);
            let size_ok = c_size == size_of::<$r>();
            let want = if c_bool || $bool {
                c_bool && $bool
            } else if c_float || $float {
                c_float && $float && size_ok
            } else {
                let either = matches!($c, "char" | "wchar_t" | "char16_t" | "char32_t");
                size_ok && (either || c_signed == $signed)
            };
            assert_eq!(got, want, "{} as {}", $c, stringify!($r));
            got as usize
        }};
    }
    let mut accepted = 0;
    for c in c_types {
        accepted += try_as!(c, i8, true, false, false)
            + try_as!(c, u8, false, false, false)
            + try_as!(c, i16, true, false, false)
            + try_as!(c, u16, false, false, false)
            + try_as!(c, i32, true, false, false)
            + try_as!(c, u32, false, false, false)
            + try_as!(c, i64, true, false, false)
            + try_as!(c, u64, false, false, false)
            + try_as!(c, i128, true, false, false)
            + try_as!(c, u128, false, false, false)
            + try_as!(c, isize, true, false, false)
            + try_as!(c, usize, false, false, false)
            + try_as!(c, f32, true, true, false)
            + try_as!(c, f64, true, true, false)
            + try_as!(c, bool, false, false, true);
    }
    // Every C type has at least one Rust counterpart.
    assert!(accepted >= c_types.len(), "{accepted}");
}

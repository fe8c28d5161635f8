//! Typed callbacks: Rust closures called by C through the per-signature trampolines (and
//! through libffi past 64 live ones), every primitive and struct type compared with what C
//! passed, panics, errno, threads and qsort.

use std::ffi::{c_int, c_long, c_void};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::fixture;
use super::structs::{Big, Cd, Nested, Pt};

/// `cb_T(cb, x)` returns `cb(x)`: a typed callback that transforms its argument, through C.
macro_rules! through_c {
    ($ffi:expr, $lib:expr, $name:literal, $ctype:literal, $t:ty, $f:expr, [$($v:expr),*]) => {{
        type Cb = extern "C" fn($t) -> $t;
        let cb = $ffi.typed_callback::<Cb, _>($ctype, $f).expect($name);
        let call = $lib.typed::<unsafe extern "C" fn(Cb, $t) -> $t>($name).expect($name);
        for v in [$($v),*] {
            let v: $t = v;
            // SAFETY: cb_T calls the callback once with its argument.
            let got = unsafe { call(cb.get(), v) };
            assert_eq!(got, ($f)(v), "{}({v:?})", $name);
        }
    }};
}

#[test]
fn every_primitive_type_through_a_typed_callback() {
    let (ffi, lib) = fixture();
    through_c!(
        ffi,
        lib,
        "cb_char",
        "char(*)(char)",
        i8,
        |x: i8| x.wrapping_add(1),
        [0, 65, 127]
    );
    through_c!(
        ffi,
        lib,
        "cb_schar",
        "signed char(*)(signed char)",
        i8,
        |x: i8| x.wrapping_neg(),
        [-128, -1, 5]
    );
    through_c!(
        ffi,
        lib,
        "cb_uchar",
        "unsigned char(*)(unsigned char)",
        u8,
        |x: u8| x ^ 0xF0,
        [0, 200, 255]
    );
    through_c!(
        ffi,
        lib,
        "cb_short",
        "short(*)(short)",
        i16,
        |x: i16| x.wrapping_mul(3),
        [-30000, 7]
    );
    through_c!(
        ffi,
        lib,
        "cb_ushort",
        "unsigned short(*)(unsigned short)",
        u16,
        |x: u16| x.rotate_left(4),
        [1, 65535]
    );
    through_c!(
        ffi,
        lib,
        "cb_int",
        "int(*)(int)",
        i32,
        |x: i32| x.wrapping_sub(1),
        [i32::MIN, 0]
    );
    through_c!(
        ffi,
        lib,
        "cb_uint",
        "unsigned int(*)(unsigned int)",
        u32,
        |x: u32| !x,
        [0, 5]
    );
    through_c!(
        ffi,
        lib,
        "cb_long",
        "long(*)(long)",
        c_long,
        |x: c_long| x / 2,
        [c_long::MIN, 9]
    );
    through_c!(
        ffi,
        lib,
        "cb_llong",
        "long long(*)(long long)",
        i64,
        |x: i64| x ^ 1,
        [i64::MAX, -3]
    );
    through_c!(
        ffi,
        lib,
        "cb_ullong",
        "unsigned long long(*)(unsigned long long)",
        u64,
        |x: u64| x.wrapping_add(7),
        [u64::MAX]
    );
    through_c!(
        ffi,
        lib,
        "cb_float",
        "float(*)(float)",
        f32,
        |x: f32| x * 2.0,
        [1.5, -0.25]
    );
    through_c!(
        ffi,
        lib,
        "cb_double",
        "double(*)(double)",
        f64,
        |x: f64| x - 0.5,
        [1e300, -2.0]
    );
    through_c!(
        ffi,
        lib,
        "cb_bool",
        "_Bool(*)(_Bool)",
        bool,
        |x: bool| !x,
        [true, false]
    );
    through_c!(
        ffi,
        lib,
        "cb_ptr",
        "void *(*)(void *)",
        *mut c_void,
        |x: *mut c_void| x.wrapping_add(8),
        [std::ptr::null_mut(), 0x1000 as *mut c_void]
    );
}

#[test]
fn structs_by_value_through_a_typed_callback() {
    let (ffi, lib) = fixture();
    through_c!(
        ffi,
        lib,
        "cb_pt",
        "struct pt(*)(struct pt)",
        Pt,
        |p: Pt| Pt { x: p.y, y: -p.x },
        [Pt { x: 1, y: 2 }]
    );
    through_c!(
        ffi,
        lib,
        "cb_cd",
        "cd_t(*)(cd_t)",
        Cd,
        |c: Cd| c,
        [unsafe_cd()]
    );
    through_c!(
        ffi,
        lib,
        "cb_big",
        "big_t(*)(big_t)",
        Big,
        |b: Big| b,
        [big()]
    );
    through_c!(
        ffi,
        lib,
        "cb_nested",
        "nested_t(*)(nested_t)",
        Nested,
        |n: Nested| n,
        [nested()]
    );
    // Several arguments of mixed classes.
    type Mixed = extern "C" fn(i8, u16, c_int, i64, f32, f64) -> i64;
    let cb = ffi
        .typed_callback::<Mixed, _>(
            "long long(*)(signed char, unsigned short, int, long long, float, double)",
            |a: i8, b: u16, c: c_int, d: i64, e: f32, f: f64| {
                i64::from(a) + i64::from(b) + i64::from(c) + d + e as i64 + f as i64
            },
        )
        .unwrap();
    type Call = unsafe extern "C" fn(Mixed, i8, u16, c_int, i64, f32, f64) -> i64;
    let call = lib.typed::<Call>("call_mixed_cb").unwrap();
    // SAFETY: call_mixed_cb calls the callback with its arguments.
    assert_eq!(
        // SAFETY: the function is as the cdef declares it, called with what it expects.
        unsafe { call(cb.get(), -1, 2, 3, 1 << 40, 5.5, 6.5) },
        -1 + 2 + 3 + (1 << 40) + 5 + 6
    );
    type PtCb = extern "C" fn(Pt, c_int) -> Pt;
    let cb = ffi
        .typed_callback::<PtCb, _>("struct pt(*)(struct pt, int)", |p: Pt, k: c_int| Pt {
            x: p.x * k,
            y: p.y + k,
        })
        .unwrap();
    // The dynamic API calls it too, through its cdata.
    // SAFETY: the function is as the cdef declares it, called with what it expects.
    let r = unsafe { lib.call("call_pt_cb", (cb.cdata(), rcffi::list![3, 4], 10)) }.unwrap();
    let r = r.cdata().unwrap();
    assert_eq!(
        (r.field("x").unwrap(), r.field("y").unwrap()),
        (30.into(), 14.into())
    );
}

fn unsafe_cd() -> Cd {
    let (ffi, _lib) = fixture();
    let c = ffi
        .new(
            "cd_t *",
            rcffi::list![rcffi::Value::Bytes(b"z".into()), 0.125],
        )
        .unwrap();
    c.view::<Cd>().unwrap().get().unwrap()
}

fn big() -> Big {
    let (_ffi, lib) = fixture();
    // SAFETY: as declared.
    unsafe {
        lib.typed::<unsafe extern "C" fn(c_int) -> Big>("big_make")
            .unwrap()(4)
    }
}

fn nested() -> Nested {
    let (ffi, _lib) = fixture();
    let n = ffi
        .new(
            "nested_t *",
            rcffi::list![
                rcffi::list![1, 2],
                rcffi::list![3, 4, 5],
                rcffi::Value::Bytes(vec![6].into())
            ],
        )
        .unwrap();
    n.view::<Nested>().unwrap().get().unwrap()
}

#[test]
fn a_panic_returns_zero_and_errno_is_kept() {
    let (ffi, lib) = fixture();
    let cb = ffi
        .typed_callback::<extern "C" fn(c_int) -> c_int, _>("int(*)(int)", |x: c_int| {
            if x < 0 {
                panic!("negative");
            }
            x + 1
        })
        .unwrap();
    let call = lib
        .typed::<unsafe extern "C" fn(extern "C" fn(c_int) -> c_int, c_int) -> c_int>("call_int_cb")
        .unwrap();
    // SAFETY: call_int_cb calls the callback once.
    assert_eq!(unsafe { call(cb.get(), 1) }, 2);
    // SAFETY: as above; the panic stays on the Rust side.
    assert_eq!(unsafe { call(cb.get(), -1) }, 0);
    // errno: C sets 95, the callback sees it through ffi.errno and sets 7, C sees 7.
    let ffi2 = ffi.clone();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let cb = ffi
        .typed_callback::<extern "C" fn() -> c_int, _>("int(*)(void)", move || {
            s.store(ffi2.errno() as usize, Ordering::Relaxed);
            ffi2.set_errno(7);
            3
        })
        .unwrap();
    let call = lib
        .typed::<unsafe extern "C" fn(extern "C" fn() -> c_int) -> c_int>("call_errno_cb")
        .unwrap();
    // SAFETY: call_errno_cb calls the callback once.
    assert_eq!(unsafe { call(cb.get()) }, 3007);
    assert_eq!(seen.load(Ordering::Relaxed), 95);
}

#[test]
fn more_callbacks_than_slots_go_through_libffi() {
    let (ffi, lib) = fixture();
    let call = lib
        .typed::<unsafe extern "C" fn(extern "C" fn(c_int) -> c_int, c_int) -> c_int>("call_int_cb")
        .unwrap();
    let cbs: Vec<_> = (0..150)
        .map(|k| {
            ffi.typed_callback::<extern "C" fn(c_int) -> c_int, _>(
                "int(*)(int)",
                move |x: c_int| x * 1000 + k,
            )
            .unwrap()
        })
        .collect();
    for (k, cb) in cbs.iter().enumerate() {
        // SAFETY: call_int_cb calls the callback once.
        assert_eq!(
            // SAFETY: the function is as the cdef declares it, called with what it expects.
            unsafe { call(cb.get(), 3) },
            3000 + k as c_int,
            "callback {k}"
        );
    }
    // Slots given back are taken again.
    drop(cbs);
    let again = ffi
        .typed_callback::<extern "C" fn(c_int) -> c_int, _>("int(*)(int)", |x: c_int| -x)
        .unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { call(again.get(), 3) }, -3);
}

#[test]
fn threads_call_one_typed_callback() {
    let (ffi, lib) = fixture();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let cb = ffi
        .typed_callback::<extern "C" fn(c_int) -> c_int, _>("int(*)(int)", move |x: c_int| {
            c.fetch_add(1, Ordering::Relaxed);
            x
        })
        .unwrap();
    type Run = unsafe extern "C" fn(extern "C" fn(c_int) -> c_int, c_int, c_int) -> i64;
    let run = lib.typed::<Run>("call_from_threads").unwrap();
    // SAFETY: 8 threads call the callback 1000 times each with 0..1000.
    let sum = unsafe { run(cb.get(), 8, 1000) };
    assert_eq!(calls.load(Ordering::Relaxed), 8000);
    assert_eq!(sum, (0..8000).sum::<i64>());
}

#[test]
fn qsort_with_a_typed_comparator() {
    let ffi = rcffi::Ffi::default();
    ffi.cdef(
        "void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));",
    )
    .unwrap();
    // SAFETY: the process's libc.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    type Cmp = unsafe extern "C" fn(*const c_void, *const c_void) -> c_int;
    let cmp = ffi
        .typed_callback::<Cmp, _>(
            "int(*)(const void *, const void *)",
            |a: *const c_void, b: *const c_void| {
                // SAFETY: qsort passes pointers to two items of the array.
                let (a, b) = unsafe { (*a.cast::<u32>(), *b.cast::<u32>()) };
                a.cmp(&b) as c_int
            },
        )
        .unwrap();
    let qsort = libc
        .typed::<unsafe extern "C" fn(*mut c_void, usize, usize, Cmp)>("qsort")
        .unwrap();
    let mut v: Vec<u32> = (0..100_000u32)
        .map(|i| i.wrapping_mul(2_654_435_761))
        .collect();
    let mut want = v.clone();
    want.sort();
    // SAFETY: v's items, 4 bytes each.
    unsafe { qsort(v.as_mut_ptr().cast(), v.len(), 4, cmp.get()) };
    assert_eq!(v, want);
}

#[test]
fn a_callback_of_the_wrong_type_is_refused() {
    let ffi = rcffi::Ffi::default();
    let e = ffi
        .typed_callback::<extern "C" fn(f64) -> c_int, _>("int(*)(int)", |_x: f64| 0)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("argument 1: the cdef says 'int', the Rust type is f64"),
        "{e}"
    );
    // C hands a callback its arguments: a function pointer among them must allow NULL.
    type Inner = extern "C" fn(c_int) -> c_int;
    let e = ffi
        .typed_callback::<extern "C" fn(Inner) -> c_int, _>("int(*)(int(*)(int))", |_f: Inner| 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("C may hand over NULL here"), "{e}");
}

#[test]
fn a_released_callback_aborts_instead_of_running() {
    if std::env::var_os("RCFFI_TYPED_RELEASED_CHILD").is_some() {
        let ffi = rcffi::Ffi::default();
        let cb = ffi
            .typed_callback::<extern "C" fn(c_int) -> c_int, _>("int(*)(int)", |x: c_int| x + 1)
            .unwrap();
        // SAFETY: deliberately broken below, to see the safety net: the call after the
        // release must abort, not run.
        let f = unsafe { cb.get() };
        assert_eq!(f(1), 2);
        drop(cb);
        f(1);
        std::process::exit(0);
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "callbacks::a_released_callback_aborts_instead_of_running",
            "--nocapture",
        ])
        .env("RCFFI_TYPED_RELEASED_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !String::from_utf8_lossy(&out.stdout).contains("running 1 test") {
        // Under an emulator (qemu-user), `current_exe` may not start this test binary again.
        eprintln!("the child did not run this test; skipped: {stderr}");
        return;
    }
    assert!(
        !out.status.success(),
        "the call after the release ran: {stderr}"
    );
    assert!(
        stderr.contains("a typed callback was called after it was released"),
        "{stderr}"
    );
}

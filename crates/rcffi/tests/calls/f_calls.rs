//! cffi's call behaviours (reference §3.2 group F), one test per id. Where rcffi deliberately
//! differs, the test says so (docs/cffi-compat.md lists it). F17 (`functools.wraps`) is about
//! Python objects and has no Rust counterpart.

use rcffi::{Error, Ffi, Value, list};

use super::{addr, cd, fixture};

fn libc_with(cdef: &str) -> (Ffi, rcffi::Lib) {
    let ffi = Ffi::default();
    ffi.cdef(cdef).expect("cdef");
    // SAFETY: the cdefs below declare libc and libm functions as glibc defines them.
    let lib = unsafe { ffi.dlopen("c") }.expect("libc");
    (ffi, lib)
}

/// Calls `name` of `lib` through rcffi.
macro_rules! call {
    ($lib:expr, $name:expr, $args:expr) => {
        // SAFETY: each test's cdef matches the library's function, and the arguments are
        // what the function expects.
        unsafe { $lib.call($name, $args) }
    };
}

#[test]
fn f01_sin_and_sinf_from_libm() {
    let ffi = Ffi::default();
    ffi.cdef("double sin(double x); float sinf(float x);")
        .unwrap();
    // SAFETY: libm's sin and sinf.
    let m = unsafe { ffi.dlopen("m") }.unwrap();
    assert_eq!(call!(m, "sin", (1.23,)).unwrap(), 1.23f64.sin().into());
    let s = call!(m, "sinf", (1.23,)).unwrap().to_f64().unwrap();
    assert!((s - 1.23f64.sin()).abs() < 1e-6);
}

#[test]
fn f02_a_void_result_is_void() {
    let (_ffi, c) = libc_with("void getenv(char *);");
    assert_eq!(call!(c, "getenv", ("HOME",)).unwrap(), Value::Void);
}

#[test]
fn f03_dlopen_by_path_basename_and_flags() {
    let ffi = Ffi::default();
    ffi.cdef("double cos(double);").unwrap();
    let m = rcffi_testkit_path("m");
    // SAFETY: libm, three ways.
    unsafe {
        let by_path = ffi.dlopen(&m).unwrap();
        let by_base = ffi.dlopen("libm.so.6").unwrap();
        let by_name = ffi
            .dlopen_flags("m", Ffi::RTLD_LAZY | Ffi::RTLD_LOCAL)
            .unwrap();
        for lib in [by_path, by_base, by_name] {
            assert_eq!(lib.call("cos", (0.0,)).unwrap(), 1.0.into());
        }
    }
}

#[test]
fn f03b_a_missing_or_empty_library_name_is_a_clear_error() {
    let ffi = Ffi::default();
    // SAFETY: neither opens anything.
    let (missing, empty) = unsafe {
        (
            ffi.dlopen("rcffi_no_such_library").unwrap_err(),
            ffi.dlopen("").unwrap_err(),
        )
    };
    let missing = missing.to_string();
    assert!(
        missing.contains("no library called 'rcffi_no_such_library'"),
        "{missing}"
    );
    // cffi says find_library found no library called ''; rcffi says why it will not look.
    let empty = empty.to_string();
    assert!(
        empty.contains("the name is empty") && empty.contains("dlopen_self"),
        "{empty}"
    );
}

/// The path of a short-named library, as the dynamic loader sees it.
fn rcffi_testkit_path(name: &str) -> String {
    let ffi = Ffi::default();
    // SAFETY: only opened to learn its path.
    let lib = unsafe { ffi.dlopen(name) }.unwrap();
    lib.path().unwrap().to_str().unwrap().to_string()
}

#[test]
fn f04_integer_constants_yes_float_constants_no() {
    let (_ffi, c) = libc_with("#define FOOBAR 42\nstatic const float baz = 42.5;");
    assert_eq!(c.get("FOOBAR").unwrap(), 42.into());
    assert!(matches!(c.get("baz"), Err(Error::Unsupported(_))));
}

#[test]
fn f05_fputs_to_the_stderr_global() {
    let (_ffi, c) =
        libc_with("int fputs(const char *, void *); extern void *stderr; int fflush(void *);");
    let stderr = c.get("stderr").unwrap();
    assert!(
        call!(c, "fputs", ("f05: hello from rcffi\n", &stderr))
            .unwrap()
            .to_int()
            .unwrap()
            >= 0
    );
    assert_eq!(call!(c, "fflush", (&stderr,)).unwrap(), 0.into());
}

#[test]
fn f06_variadic_arguments_of_every_kind() {
    let (ffi, c) = libc_with("int snprintf(char *, size_t, const char *, ...);");
    let buf = ffi.new("char[100]", ()).unwrap();
    let world = ffi.new("char[]", "world").unwrap();
    call!(c, "snprintf", (&buf, 100, "hello, %s!\n", &world)).unwrap();
    assert_eq!(
        ffi.string(&buf, None).unwrap(),
        b"hello, world!\n".to_vec().into()
    );
    let args = (
        &buf,
        100,
        "hello %d %ld %lld %p\n",
        ffi.cast("int", 42).unwrap(),
        ffi.cast("long", 84).unwrap(),
        ffi.cast("long long", 168).unwrap(),
        ffi.null(),
    );
    call!(c, "snprintf", args).unwrap();
    assert_eq!(
        ffi.string(&buf, None).unwrap(),
        b"hello 42 84 168 (nil)\n".to_vec().into()
    );
}

#[test]
fn f06b_a_float_in_the_variadic_part_is_promoted_to_double() {
    // cffi passes the float's bits as they are and prints 0.000000.
    let (ffi, c) = libc_with("int snprintf(char *, size_t, const char *, ...);");
    let buf = ffi.new("char[32]", ()).unwrap();
    let f = ffi.cast("float", 1.5).unwrap();
    call!(c, "snprintf", (&buf, 32, "%f", &f)).unwrap();
    assert_eq!(ffi.string(&buf, None).unwrap(), b"1.500000".to_vec().into());
}

#[test]
fn f07_plain_numbers_in_the_variadic_part_are_accepted() {
    // cffi: TypeError "argument 2 passed in the variadic part needs to be a cdata object (got
    // int)". rcffi (better): a Rust integer that fits is an `int`, a float a `double`.
    let (ffi, c) = libc_with("int snprintf(char *, size_t, const char *, ...);");
    let buf = ffi.new("char[32]", ()).unwrap();
    call!(c, "snprintf", (&buf, 32, "hello %d %.1f", 42, 0.5)).unwrap();
    assert_eq!(
        ffi.string(&buf, None).unwrap(),
        b"hello 42 0.5".to_vec().into()
    );
    // A C string literal is passed as it is, in the fixed and the variadic part.
    call!(c, "snprintf", (&buf, 32, c"%s|%s", c"cstr", "str")).unwrap();
    assert_eq!(ffi.string(&buf, None).unwrap(), b"cstr|str".to_vec().into());
    let err = call!(c, "snprintf", (&buf, 32, "%d", list![1])).unwrap_err();
    assert!(matches!(err, Error::Type(_)));
    assert!(
        err.to_string()
            .contains("argument 4 passed in the variadic part"),
        "{err}"
    );
}

#[test]
fn f08_a_function_has_a_c_type() {
    let (ffi, c) = libc_with("int puts(const char *);");
    assert_eq!(
        c.function("puts").unwrap().ctype(),
        ffi.typeof_("int(*)(const char*)").unwrap()
    );
}

#[test]
fn f09_a_cast_function_pointer_is_the_same_and_callable() {
    let (ffi, c) = libc_with("int fputs(const char *, void *); extern void *stderr;");
    let fputs = c.get("fputs").unwrap();
    let cast = ffi.cast("int(*)(const char *txt, void *)", &fputs).unwrap();
    assert_eq!(Value::CData(cast.clone()), fputs);
    let stderr = c.get("stderr").unwrap();
    // SAFETY: fputs with a string and libc's stderr.
    let r = unsafe { cast.call(("f09\n", stderr)) };
    assert!(r.unwrap().to_int().unwrap() >= 0);
}

#[test]
fn f10_an_array_parameter_is_a_pointer() {
    let (ffi, c) = libc_with("int strlen(char[]);");
    assert_eq!(
        c.function("strlen").unwrap().ctype().cname(),
        "int(*)(char *)"
    );
    assert_eq!(
        call!(c, "strlen", (ffi.new("char[]", "hello").unwrap(),)).unwrap(),
        5.into()
    );
}

#[test]
fn f11_a_global_pointer_is_written_and_restored() {
    let (ffi, c) = libc_with("extern void *stdout;");
    let saved = c.get("stdout").unwrap();
    c.set("stdout", ffi.null()).unwrap();
    assert!(cd(c.get("stdout").unwrap()).is_null());
    c.set("stdout", saved.clone()).unwrap();
    assert_eq!(c.get("stdout").unwrap(), saved);
}

#[test]
fn f12_strchr_returns_a_pointer_into_the_argument() {
    let (ffi, c) = libc_with("char *strchr(const char *s, int c);");
    let s = ffi.new("char[]", "hello, world!").unwrap();
    let q = cd(call!(c, "strchr", (&s, i32::from(b'w'))).unwrap());
    // SAFETY: q points into `s`, NUL-terminated and alive.
    let r = unsafe { ffi.string_unchecked(&q, None) };
    assert_eq!(r.unwrap(), b"world!".to_vec().into());
}

#[test]
fn f13_a_struct_argument_by_value() {
    let (ffi, c) =
        libc_with("struct in_addr { unsigned int s_addr; }; char *inet_ntoa(struct in_addr in);");
    let ina = ffi.new("struct in_addr *", list![0x0404_0404]).unwrap();
    let s = cd(call!(c, "inet_ntoa", (ina.get(0).unwrap(),)).unwrap());
    // SAFETY: inet_ntoa returns a static NUL-terminated buffer.
    let r = unsafe { ffi.string_unchecked(&s, None) };
    assert_eq!(r.unwrap(), b"4.4.4.4".to_vec().into());
}

#[test]
fn f14_a_function_declared_through_a_typedef() {
    let ffi = Ffi::default();
    ffi.cdef("typedef double func_t(double); func_t sin;")
        .unwrap();
    // SAFETY: libm's sin.
    let m = unsafe { ffi.dlopen("m") }.unwrap();
    assert_eq!(call!(m, "sin", (0.5,)).unwrap(), 0.5f64.sin().into());
}

#[test]
fn f15_a_file_parameter_takes_a_cdata_pointer() {
    // cffi accepts a Python file object for `FILE *` (best effort); rcffi has no such object:
    // a FILE * comes from C (fopen, fdopen, stdout), and anything else is a clear error.
    let (_ffi, c) = libc_with(
        "typedef struct _IO_FILE FILE; FILE *fopen(const char *, const char *);
         int fputs(const char *, FILE *); int fclose(FILE *);",
    );
    let f = cd(call!(c, "fopen", ("/dev/null", "w")).unwrap());
    assert!(!f.is_null());
    assert!(call!(c, "fputs", ("x", &f)).unwrap().to_int().unwrap() >= 0);
    assert_eq!(call!(c, "fclose", (&f,)).unwrap(), 0.into());
    let err = call!(c, "fputs", ("x", "not a file")).unwrap_err();
    assert!(
        err.to_string().contains("must be a cdata pointer, not str"),
        "{err}"
    );
}

#[test]
fn f16_a_declared_function_missing_from_the_library() {
    let (_ffi, c) = libc_with("int no_such_function_here(int);");
    let err = c.function("no_such_function_here").unwrap_err();
    assert!(matches!(err, Error::Symbol(_)));
    let msg = err.to_string();
    assert!(
        msg.contains("'no_such_function_here' not found in library 'c'"),
        "{msg}"
    );
    assert!(msg.contains("undefined symbol"), "{msg}");
}

#[test]
fn f18_dir_lists_functions_variables_and_constants() {
    let (_ffi, c) = libc_with(
        "#define MYFOO 42\nstatic const int myconst = 43; enum foo_e { MYE1, MYE2 };
         int myfunc(int); extern int myvar; typedef int myint;",
    );
    assert_eq!(
        c.dir(),
        ["MYE1", "MYE2", "MYFOO", "myconst", "myfunc", "myvar"]
    );
}

#[test]
fn f19_a_closed_library_refuses_use() {
    let (ffi, c) = libc_with("int abs(int); extern int opterr;");
    ffi.dlclose(&c);
    let err = c.function("abs").unwrap_err();
    assert!(matches!(err, Error::Library(_)));
    assert_eq!(err.to_string(), "library 'c' has already been closed");
    assert!(c.get("opterr").is_err());
    assert!(c.set("opterr", 1).is_err());
    ffi.dlclose(&c); // twice is fine
}

#[test]
fn f20_large_arguments() {
    let (_ffi, c) =
        libc_with("size_t strlen(const char *); int memcmp(const void *, const void *, size_t);");
    let big = vec![b'x'; 20_000_003];
    assert_eq!(call!(c, "strlen", (&big,)).unwrap(), 20_000_003.into());
    // A list becomes a temporary array (scaled down from cffi's 20 million items: every item
    // is a dynamic value here).
    let items: Vec<Value> = (0..200_003).map(|i| Value::Int(i % 100 + 1)).collect();
    let same: Vec<Value> = items.clone();
    let (a, b) = (Value::List(items), Value::List(same));
    let (ffi, c2) = libc_with("int memcmp(const unsigned char *, const unsigned char *, size_t);");
    let _ = ffi;
    assert_eq!(call!(c2, "memcmp", (a, b, 200_003)).unwrap(), 0.into());
}

#[test]
fn f21_errno_both_ways() {
    let (ffi, lib) = fixture();
    call!(lib, "set_errno", (123,)).unwrap();
    assert_eq!(ffi.errno(), 123);
    ffi.set_errno(42);
    assert_eq!(call!(lib, "get_errno", ()).unwrap(), 42.into());
}

#[test]
fn f22_global_arrays_with_and_without_a_length() {
    let (_ffi, lib) = fixture();
    let a = cd(lib.get("my_array").unwrap());
    assert_eq!(a.len().unwrap(), 7);
    lib.set("my_array", [0, 1, 2, 3, 4, 5, 6]).unwrap();
    assert_eq!(
        a.to_vec().unwrap(),
        (0..7).map(Value::from).collect::<Vec<_>>()
    );
    let ffi = Ffi::default();
    ffi.cdef("extern int my_array[];").unwrap();
    // SAFETY: the fixture's my_array is an int array.
    let lib2 =
        unsafe { ffi.dlopen(rcffi_testkit::fixture::fixture_library().to_str().unwrap()) }.unwrap();
    let p = cd(lib2.get("my_array").unwrap());
    assert_eq!(p.type_name(), "int *");
    assert!(p.len().is_err());
    // An unknown-length array takes a list as long as its symbol (7 ints), or shorter; a
    // longer one is refused (it said "outside the 0 bytes" for every list).
    lib2.set("my_array", [10, 11, 12]).unwrap();
    assert_eq!(a.get(2).unwrap(), 12.into());
    assert_eq!(a.get(3).unwrap(), 3.into());
    lib2.set("my_array", [7; 7]).unwrap();
    assert_eq!(a.get(6).unwrap(), 7.into());
    assert!(lib2.set("my_array", [0; 8]).is_err());
}

#[test]
fn f23_return_rect_with_eight_mixed_arguments() {
    let (ffi, lib) = fixture();
    let rect = |a: i64| list![a, a + 1, a + 2, a + 3];
    let br = ffi.new("RECT *", rect(20)).unwrap();
    let er = ffi.new("RECT *", rect(40)).unwrap();
    for (i, want) in [(0, 10), (1, 20), (2, 30), (3, 40)] {
        let r = cd(call!(
            lib,
            "ReturnRect",
            (
                i,
                rect(10),
                &br,
                list![1, 2],
                rect(30),
                &er,
                list![3, 4],
                rect(50)
            )
        )
        .unwrap());
        assert_eq!(r.field("left").unwrap(), want.into(), "i = {i}");
        assert_eq!(r.field("bottom").unwrap(), (want + 3).into(), "i = {i}");
    }
}

#[test]
fn f24_a_struct_passed_by_value_is_a_copy() {
    let (ffi, lib) = fixture();
    let s = ffi.new("RECT *", list![1, 2, 3, 4]).unwrap();
    call!(lib, "modify_struct_value", (s.get(0).unwrap(),)).unwrap();
    assert_eq!(s.field("left").unwrap(), 1.into());
}

#[test]
fn f25_three_bytes_returned() {
    let (_ffi, lib) = fixture();
    let t = cd(call!(lib, "three", ()).unwrap());
    assert_eq!(
        [
            t.field("a").unwrap(),
            t.field("b").unwrap(),
            t.field("c").unwrap()
        ],
        [12.into(), 34.into(), 56.into()]
    );
}

#[test]
fn f26_dlopen_of_a_handle_from_c() {
    let ffi = Ffi::default();
    ffi.cdef("void *dlopen(const char *, int); int dlclose(void *); double cos(double);")
        .unwrap();
    // SAFETY: libc's dlopen; libm's cos.
    unsafe {
        let c = ffi.dlopen("c").unwrap();
        let h = cd(c.call("dlopen", ("libm.so.6", Ffi::RTLD_NOW)).unwrap());
        assert!(!h.is_null());
        let m = ffi.dlopen_handle(&h).unwrap();
        assert_eq!(m.call("cos", (0.0,)).unwrap(), 1.0.into());
        drop(m);
        assert_eq!(c.call("dlclose", (&h,)).unwrap(), 0.into());
        assert!(ffi.dlopen_handle(&ffi.null()).is_err());
        assert!(ffi.dlopen_handle(&ffi.new("int *", 0).unwrap()).is_err());
    }
}

#[test]
fn f27_addressof_a_global_and_a_function() {
    let (_ffi, lib) = fixture();
    let p = lib.addressof("counter").unwrap();
    p.set(0, 5).unwrap();
    assert_eq!(lib.get("counter").unwrap(), 5.into());
    assert_eq!(
        Value::CData(lib.addressof("add").unwrap()),
        lib.get("add").unwrap()
    );
    assert_eq!(lib.addressof("add").unwrap().address(), addr(&lib, "add"));
}

#[test]
fn f28_variadic_promotion_of_small_integers() {
    let (ffi, lib) = fixture();
    let args = (
        3,
        ffi.cast("signed char", -3).unwrap(),
        ffi.cast("unsigned char", 200).unwrap(),
        ffi.cast("short", -5).unwrap(),
    );
    assert_eq!(call!(lib, "vsum", args).unwrap(), 192.into());
    // cffi: f(1, 42) is a TypeError; rcffi passes 42 as an int. `None` is NULL, not an error.
    assert_eq!(call!(lib, "vsum", (1, 42)).unwrap(), 42.into());
}

#[test]
fn f29_invalid_bool_results_and_arguments() {
    let (ffi, lib) = fixture();
    let err = call!(lib, "ret_two", ()).unwrap_err();
    assert!(matches!(err, Error::Value(_)));
    assert_eq!(err.to_string(), "got a _Bool of value 2, expected 0 or 1");
    let p = ffi.new("_Bool[]", 2).unwrap();
    assert!(p.set(0, 2).is_err());
    let _ = ffi;
}

#[test]
fn f30_zero_length_arrays_unions_and_array_results() {
    let ffi = Ffi::default();
    ffi.cdef("struct z { int n; int a[0]; }; int fz(struct z);")
        .unwrap();
    let f = ffi.cast("int(*)(struct z)", 1).unwrap();
    // SAFETY: refused before any call.
    let err = unsafe { f.call((list![1],)) }.unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
    assert!(err.to_string().contains("zero-length array"), "{err}");
    // cffi refuses unions by value too; rcffi passes them (tests/calls/unions.rs).
    assert!(ffi.cdef("int fa(void)[3];").is_err());
}

#[test]
fn f31_a_partial_struct_cannot_be_passed_by_value() {
    let ffi = Ffi::default();
    ffi.cdef("struct foo { int a; ...; };").unwrap();
    let f = ffi.cast("int(*)(struct foo)", 1).unwrap();
    // SAFETY: refused before any call.
    let err = unsafe { f.call((list![1],)) }.unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
    assert!(err.to_string().contains("unknown size"), "{err}");
}

#[test]
fn f32_calling_a_null_function_pointer() {
    let ffi = Ffi::default();
    let f = ffi.cast("int(*)(int)", 0).unwrap();
    // SAFETY: refused before any call.
    let err = unsafe { f.call((1,)) }.unwrap_err();
    assert!(matches!(err, Error::NullPointer(_)));
    assert_eq!(
        err.to_string(),
        "cannot call null function pointer from cdata 'int(*)(int)'"
    );
}

#[test]
fn f33_a_non_cdata_for_a_struct_pointer() {
    let (_ffi, c) =
        libc_with("struct NOT_FILE { int x; }; int fputs(const char *, struct NOT_FILE *);");
    let err = call!(c, "fputs", ("x", 5)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("initializer for ctype 'struct NOT_FILE *' must be a cdata pointer, not "),
        "{msg}"
    );
}

#[test]
fn f34_functions_keep_their_library_and_ffi_alive() {
    let f = {
        let (ffi, lib) = fixture();
        let f = lib.function("add").unwrap();
        drop(lib);
        drop(ffi);
        f
    };
    // SAFETY: add takes two ints; the library is still loaded (f holds it).
    assert_eq!(unsafe { f.call((2, 3)) }.unwrap(), 5.into());
}

#[test]
fn f35_calling_conventions_are_accepted_and_ignored() {
    let (ffi, c) = libc_with("int __stdcall abs(int); int __cdecl labs(int);");
    assert_eq!(call!(c, "abs", (-4,)).unwrap(), 4.into());
    assert_eq!(call!(c, "labs", (-5,)).unwrap(), 5.into());
    assert!(ffi.typeof_("int(__stdcall *)(int)").is_ok());
}

//! Pointer arguments given as cdata of another pointer or array type, which cffi's rules
//! accept (an array for a pointer to its items, anything for a `void *`, one `char`-like type
//! for another) and which the register path now passes itself instead of sending the whole
//! call to libffi: the same address C receives, and the same errors for what the rules refuse.

use rcffi::{Ffi, Value};

const PROBE: &str = r#"
unsigned long long addr(unsigned long long p) { return p; }
"#;

const CDEF: &str = "
    struct s { int x; };
    unsigned long long of_int(int *p) __asm__(\"addr\");
    unsigned long long of_void(void *p) __asm__(\"addr\");
    unsigned long long of_uchar(unsigned char *p) __asm__(\"addr\");
    unsigned long long of_s(struct s *p) __asm__(\"addr\");
    size_t strlen(const char *);
    void *memset(void *, int, size_t);
";

fn probe() -> (Ffi, rcffi::Lib, rcffi::Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let (ffi, lib, _) = super::probe_with_libm(&PATH, "pointerargs", PROBE, CDEF);
    // SAFETY: libc's strlen and memset, declared as C declares them.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    (ffi, lib, libc)
}

#[test]
fn compatible_pointers_and_arrays_pass_their_address() {
    let (ffi, lib, libc) = probe();
    let ints = ffi.new("int[4]", [1, 2, 3, 4]).unwrap();
    let chars = ffi.new("char[]", &b"hello"[..]).unwrap();
    let s = ffi.new("struct s *", ()).unwrap();
    let p = ffi.cast("int *", &ints).unwrap();
    let at = |v: Value| v.to_int().unwrap() as usize;
    // SAFETY: `addr` returns the pointer it got; strlen and memset as C declares them, on
    // memory of the right size.
    unsafe {
        assert_eq!(at(lib.call("of_int", (&ints,)).unwrap()), ints.address());
        assert_eq!(at(lib.call("of_int", (&p,)).unwrap()), ints.address());
        assert_eq!(at(lib.call("of_void", (&ints,)).unwrap()), ints.address());
        assert_eq!(at(lib.call("of_void", (&s,)).unwrap()), s.address());
        assert_eq!(
            at(lib.call("of_uchar", (&chars,)).unwrap()),
            chars.address()
        );
        assert_eq!(at(lib.call("of_s", (&s,)).unwrap()), s.address());
        assert_eq!(libc.call("strlen", (&chars,)).unwrap(), Value::Int(5));
        let back = libc.call("memset", (&chars, b'x' as i32, 3usize));
        let back = back.unwrap().cdata().unwrap();
        assert_eq!(back.address(), chars.address());
        assert_eq!(
            ffi.string(&chars, None).unwrap(),
            Value::Bytes(b"xxxlo".into())
        );
        // The result points into the argument's memory: it is a view that keeps it alive.
        let view = ffi.cast("char *", &back).unwrap();
        drop(back);
        drop(chars);
        assert_eq!(
            ffi.string(&view, None).unwrap(),
            Value::Bytes(b"xxxlo".into())
        );
    }
}

/// The same calls through a list of `Value`s (the converting path) and a tuple (the direct
/// one): the same address, the same result, the same view.
#[test]
fn tuples_and_lists_of_cdata_agree() {
    let (ffi, lib, libc) = probe();
    let ints = ffi.new("int[4]", ()).unwrap();
    let chars = ffi.new("char[6]", &b"abc"[..]).unwrap();
    // SAFETY: as declared; memset writes at most 2 bytes of a 6-byte array.
    unsafe {
        for f in ["of_int", "of_void"] {
            assert_eq!(
                lib.call(f, (&ints,)).unwrap(),
                lib.call(f, vec![Value::CData(ints.clone())]).unwrap(),
                "{f}"
            );
        }
        let a = libc.call("memset", (&chars, 0x41, 2usize)).unwrap();
        let list = vec![Value::CData(chars.clone()), Value::Int(0x42), Value::Int(1)];
        let b = libc.call("memset", list).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert_eq!(
            ffi.string(&chars, None).unwrap(),
            Value::Bytes(b"BAc".into())
        );
    }
}

#[test]
fn incompatible_pointers_are_refused_by_name_as_before() {
    let (ffi, lib, _) = probe();
    let longs = ffi.new("long[2]", ()).unwrap();
    let s = ffi.new("struct s *", ()).unwrap();
    let other = Ffi::default();
    let foreign = other.new("int[2]", ()).unwrap();
    // SAFETY: each call is refused before C runs.
    unsafe {
        for (f, arg) in [("of_int", &longs), ("of_int", &s), ("of_int", &foreign)] {
            let e = lib.call(f, (arg,)).unwrap_err().to_string();
            assert!(e.contains("argument 1"), "{f}: {e}");
            assert!(e.contains("pointer") || e.contains("ffi"), "{f}: {e}");
        }
        let struct_value = s.get(0).unwrap();
        let e = lib
            .call("of_void", (&struct_value,))
            .unwrap_err()
            .to_string();
        assert!(e.contains("argument 1"), "{e}");
    }
}

/// A `Value` that holds a cdata (borrowed or owned: a pointer another call returned, an item
/// read out of an array of pointers) and an owned `CData` pass as a borrowed cdata does; any
/// other `Value` converts as before.
#[test]
fn values_and_owned_cdata_pass_as_cdata_do() {
    let (ffi, lib, libc) = probe();
    let ints = ffi.new("int[4]", ()).unwrap();
    let held = Value::CData(ints.clone());
    let at = |v: Value| v.to_int().unwrap() as usize;
    // SAFETY: `addr` returns the pointer it got; strlen and memset as C declares them, on
    // memory of the right size.
    unsafe {
        assert_eq!(at(lib.call("of_int", (&held,)).unwrap()), ints.address());
        assert_eq!(
            at(lib.call("of_void", (held.clone(),)).unwrap()),
            ints.address()
        );
        assert_eq!(
            at(lib.call("of_int", (ints.clone(),)).unwrap()),
            ints.address()
        );
        // Not a cdata: converted as a value always was (bytes become a temporary C string;
        // an integer is no pointer).
        let text = Value::Bytes(b"four".into());
        assert_eq!(libc.call("strlen", (&text,)).unwrap(), Value::Int(4));
        let e = lib
            .call("of_int", (Value::Int(0),))
            .unwrap_err()
            .to_string();
        assert!(e.contains("argument 1"), "{e}");
        // A cdata of another type or `ffi` object: refused as a borrowed one is.
        let other = Ffi::default();
        let foreign = Value::CData(other.new("int[2]", ()).unwrap());
        let longs = Value::CData(ffi.new("long[2]", ()).unwrap());
        for arg in [&foreign, &longs] {
            let e = lib.call("of_int", (arg,)).unwrap_err().to_string();
            assert!(e.contains("argument 1"), "{e}");
        }
        // An owned cdata moved into the call, whose memory the result points into: the
        // result is a view that keeps it alive after the call's tuple is gone.
        let chars = ffi.new("char[]", &b"hello"[..]).unwrap();
        let addr = chars.address();
        let back = libc.call("memset", (chars, b'y' as i32, 2usize)).unwrap();
        let back = ffi.cast("char *", back.cdata().unwrap()).unwrap();
        assert_eq!(back.address(), addr);
        assert_eq!(
            ffi.string(&back, None).unwrap(),
            Value::Bytes(b"yyllo".into())
        );
    }
}

/// `None` of an `Option` of a cdata or a C string is NULL on the direct path, as on the
/// converting one: 0 in the register for any pointer parameter that takes a cdata or a C
/// string, `Some` passing what it holds; an `Option` of a value converts as before (its `None`
/// is NULL there too, its `Some` the value's conversion).
#[test]
fn none_is_null_on_the_direct_path_too() {
    use rcffi::CData;
    use std::ffi::CStr;
    let (ffi, lib, libc) = probe();
    let ints = ffi.new("int[4]", ()).unwrap();
    let s = ffi.new("struct s *", ()).unwrap();
    let at = |v: Value| v.to_int().unwrap() as usize;
    let none = || None::<&CData>;
    // SAFETY: `addr` returns the pointer it got; strlen as C declares it, on a C string.
    unsafe {
        for name in ["of_int", "of_void", "of_uchar", "of_s"] {
            assert_eq!(at(lib.call(name, (none(),)).unwrap()), 0, "{name}");
            assert_eq!(at(lib.call(name, (None::<CData>,)).unwrap()), 0, "{name}");
            // The converting path's NULL: the same.
            let listed = lib.call(name, vec![rcffi::Arg::Null]).unwrap();
            assert_eq!(at(listed), 0, "{name}");
        }
        assert_eq!(
            at(lib.call("of_int", (Some(&ints),)).unwrap()),
            ints.address()
        );
        assert_eq!(
            at(lib.call("of_s", (Some(s.clone()),)).unwrap()),
            s.address()
        );
        assert_eq!(at(lib.call("of_void", (None::<&CStr>,)).unwrap()), 0);
        assert!(at(lib.call("of_uchar", (Some(c"x"),)).unwrap()) > 0);
        assert_eq!(
            libc.call("strlen", (Some(c"four"),)).unwrap(),
            Value::Int(4)
        );
        // A `Some` the rules refuse is refused as before, by name.
        let longs = ffi.new("long[2]", ()).unwrap();
        let e = lib.call("of_int", (Some(&longs),)).unwrap_err().to_string();
        assert!(e.contains("argument 1"), "{e}");
        // An `Option` of a value: `None` is NULL, `Some` converts (an integer is no pointer).
        assert_eq!(at(lib.call("of_int", (None::<Value>,)).unwrap()), 0);
        let e = lib
            .call("of_int", (Some(Value::Int(1)),))
            .unwrap_err()
            .to_string();
        assert!(e.contains("argument 1"), "{e}");
        // Two arguments, one `None`: each where it belongs.
        let mixed = libc.call("memset", (Some(&ints), 0, 0usize)).unwrap();
        assert_eq!(mixed.cdata().unwrap().address(), ints.address());
    }
}

/// `rcffi::NULL` is NULL for any pointer parameter, in a tuple (the direct path, as a typed
/// `None`), in a list, and in a variadic part (a `void *`); for a parameter that is no
/// pointer it is refused by name, as on the converting path.
#[test]
fn null_is_null_for_any_pointer_in_tuples_lists_and_variadic_parts() {
    use rcffi::{Arg, NULL};
    let (ffi, lib, libc) = probe();
    ffi.cdef("int snprintf(char *s, size_t n, const char *format, ...); int abs(int x);")
        .unwrap();
    let ints = ffi.new("int[4]", ()).unwrap();
    let at = |v: Value| v.to_int().unwrap() as usize;
    // SAFETY: `addr` returns the pointer it got; snprintf writes at most n bytes of its
    // format, whose `%p` takes a pointer; abs takes an int.
    unsafe {
        for name in ["of_int", "of_void", "of_uchar", "of_s"] {
            assert_eq!(at(lib.call(name, (NULL,)).unwrap()), 0, "{name}");
            assert_eq!(
                at(lib.call(name, vec![Arg::from(NULL)]).unwrap()),
                0,
                "{name}"
            );
        }
        // Beside other arguments, each where it belongs.
        let mixed = libc.call("memset", (&ints, 0, 0usize)).unwrap();
        assert_eq!(mixed.cdata().unwrap().address(), ints.address());
        let mut buf = [0u8; 32];
        let n = libc
            .call("snprintf", (&mut buf, 32usize, c"%p|%d", NULL, 7))
            .unwrap();
        let text = std::ffi::CStr::from_bytes_until_nul(&buf).unwrap();
        assert_eq!(at(n), text.to_bytes().len());
        assert_eq!(text.to_str().unwrap(), "(nil)|7");
        let e = libc.call("abs", (NULL,)).unwrap_err().to_string();
        assert!(e.contains("argument 1") && e.contains("int"), "{e}");
    }
}

//! cffi's callback behaviours (reference §3.2 group G), one test per id. Where rcffi differs,
//! the test says so (docs/cffi-compat.md lists it).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rcffi::{CallbackOptions, Error, Ffi, Result, Value, list, map};

use super::{cd, fixture};

/// Calls a callback cdata from Rust.
macro_rules! call {
    ($f:expr, $args:expr) => {
        // SAFETY: a callback is a function of its type; the arguments match it.
        unsafe { $f.call($args) }
    };
}

#[test]
fn g01_a_simple_function_pointer() {
    let ffi = Ffi::default();
    let p = ffi
        .callback("int(*)(int)", |a| -> Result<i32> {
            Ok(a.get_as::<i32>(0)? + 1)
        })
        .unwrap();
    assert_eq!(call!(p, (41,)).unwrap(), 42.into());
    assert_eq!(
        call!(p, (ffi.cast("int", -41).unwrap(),)).unwrap(),
        (-40).into()
    );
    assert!(
        format!("{p:?}").starts_with("<cdata 'int(*)(int)' calling <"),
        "{p:?}"
    );
    let q = ffi.new("int(**)(int)", &p).unwrap();
    assert_eq!(format!("{q:?}"), "<cdata 'int(* *)(int)' owning 8 bytes>"); // cffi's spelling
    assert!(matches!(call!(q, (43,)), Err(Error::Type(_))));
    let q0 = cd(q.get(0).unwrap());
    assert_eq!(call!(q0, (43,)).unwrap(), 44.into());
    let copy = ffi.cast("int(*)(int)", &p).unwrap();
    assert!(
        format!("{copy:?}").starts_with("<cdata 'int(*)(int)' 0x"),
        "{copy:?}"
    );
    // cffi: callback("int(*)(int)", 0) is a TypeError; in Rust a non-callable does not compile.
    assert!(ffi.callback("int", |_| 0).is_err());
}

#[test]
fn g02_nested_function_pointer_types_round_trip() {
    let ffi = Ffi::default();
    let t = ffi.typeof_("int(*(*)(int))(int)").unwrap();
    assert_eq!(t.cname(), "int(*(*)(int))(int)");
}

#[test]
fn g03_pointer_results() {
    let ffi = Ffi::default();
    let null = ffi.callback("int *(*)(void)", |a| a.ffi().null()).unwrap();
    assert!(cd(call!(null, ()).unwrap()).is_null());
    let keep = ffi.new("int[1]", [7]).unwrap();
    let addr = keep.address();
    let k = keep.clone();
    let arr = ffi.callback("int *(*)(void)", move |_| k.clone()).unwrap();
    assert_eq!(cd(call!(arr, ()).unwrap()).address(), addr);
    let k = ffi.cast("void *", &keep).unwrap();
    let vp = ffi.callback("int *(*)(void)", move |_| k.clone()).unwrap();
    assert_eq!(cd(call!(vp, ()).unwrap()).address(), addr);
}

#[test]
fn g04_a_void_callback_returns_nothing() {
    let ffi = Ffi::default();
    let f = ffi.callback("void foo()", |_| ()).unwrap();
    assert_eq!(call!(f, ()).unwrap(), Value::Void);
}

#[test]
fn g05_a_failing_callback_returns_its_error_value() {
    let ffi = Ffi::default();
    let opts = CallbackOptions::default().error(42).onerror(|_, _| None);
    let f = ffi
        .callback_with(
            "int(*)(int)",
            |_| -> Result<i32> { Err(Error::Value("boom".into())) },
            opts,
        )
        .unwrap();
    assert_eq!(call!(f, (1,)).unwrap(), 42.into());
}

#[test]
fn g06_struct_array_arguments_from_lists_and_maps() {
    let ffi = Ffi::default();
    ffi.cdef("struct foo_s { int a, b; };").unwrap();
    let f = ffi
        .callback("int(*)(struct foo_s[])", |args| -> Result<i32> {
            let p = args.get(0)?.cdata()?;
            // SAFETY: the caller passes two structs.
            let p = unsafe { p.assume_valid(2)? };
            let (s0, s1) = (p.get(0)?.cdata()?, p.get(1)?.cdata()?);
            Ok(s0.field_as::<i32>("a")? * 1000
                + s0.field_as::<i32>("b")? * 100
                + s1.field_as::<i32>("a")? * 10
                + s1.field_as::<i32>("b")?)
        })
        .unwrap();
    assert_eq!(
        call!(f, (list![list![5, 6], map! {"a" => 7, "b" => 8}],)).unwrap(),
        5678.into()
    );
    assert_eq!(
        call!(f, (list![list![5], map! {"b" => 8}],)).unwrap(),
        5008.into()
    );
}

#[test]
fn g07_an_array_of_strings_argument() {
    let ffi = Ffi::default();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let f = ffi
        .callback("void(*)(char *[])", move |args| -> Result<()> {
            // SAFETY: the caller passes three pointers, the last NULL.
            let p = unsafe { args.get(0)?.cdata()?.assume_valid(3)? };
            for i in 0..2 {
                let s = p.get(i)?.cdata()?;
                // SAFETY: each is a NUL-terminated string of the caller's.
                s2.lock()
                    .unwrap()
                    .push(unsafe { args.ffi().string_unchecked(&s, None)? });
            }
            assert!(p.get(2)?.cdata()?.is_null());
            Ok(())
        })
        .unwrap();
    let (a, b) = (
        ffi.new("char[]", "ab").unwrap(),
        ffi.new("char[]", "cde").unwrap(),
    );
    call!(f, (list![&a, &b, ffi.null()],)).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        [Value::from(b"ab".to_vec()), b"cde".to_vec().into()]
    );
}

#[test]
fn g08_char_callbacks_and_function_parameters() {
    let ffi = Ffi::default();
    let f = ffi
        .callback("char(*)(char, char)", |a| -> Result<Value> {
            let (x, y) = (a.get(0)?, a.get(1)?);
            Ok(if x == Value::Bytes(b"a".into()) { y } else { x })
        })
        .unwrap();
    assert_eq!(call!(f, (b"a", b"z")).unwrap(), Value::Bytes(b"z".into()));
    let g = ffi
        .callback("int(*)(int(*)(int), int)", |a| -> Result<Value> {
            let h = a.get(0)?.cdata()?;
            let x = a.get_as::<i32>(1)?;
            // SAFETY: the caller passes a function of type int(int).
            unsafe { h.call((x,)) }
        })
        .unwrap();
    let inc = ffi
        .callback("int(int)", |a| -> Result<i32> {
            Ok(a.get_as::<i32>(0)? + 1)
        })
        .unwrap();
    assert_eq!(call!(g, (&inc, 41)).unwrap(), 42.into());
}

#[test]
fn g09_an_overflowing_result_gives_the_error_value() {
    let ffi = Ffi::default();
    let opts = CallbackOptions::default().error(42).onerror(|_, _| None);
    let f = ffi
        .callback_with(
            "long(*)(long)",
            |a| -> Result<i128> { Ok(i128::from(a.get_as::<i64>(0)?) * 1_000_000_000_000) },
            opts,
        )
        .unwrap();
    assert_eq!(call!(f, (5,)).unwrap(), 5_000_000_000_000i64.into());
    assert_eq!(call!(f, (i64::MAX / 2,)).unwrap(), 42.into());
}

#[test]
fn g10_a_struct_argument_is_a_private_copy() {
    let ffi = Ffi::default();
    ffi.cdef("struct foo_s { unsigned long a, b, c; };")
        .unwrap();
    let f = ffi
        .callback("void(*)(struct foo_s)", |a| -> Result<()> {
            let s = a.get(0)?.cdata()?;
            assert_eq!(s.field_as::<u64>("b")?, 2);
            s.set_field("b", 99)?;
            Ok(())
        })
        .unwrap();
    let s = ffi.new("struct foo_s *", list![1, 2, 3]).unwrap();
    call!(f, (s.get(0).unwrap(),)).unwrap();
    assert_eq!(s.field("b").unwrap(), 2.into());
}

#[test]
fn g11_onerror_sees_the_failure_and_the_arguments() {
    let ffi = Ffi::default();
    let saw = Arc::new(AtomicBool::new(false));
    let s2 = saw.clone();
    let opts = CallbackOptions::default().onerror(move |err, args| {
        assert!(matches!(err, Error::Key(_)), "{err:?}");
        assert_eq!(args.get_as::<i32>(0).unwrap(), 234);
        s2.store(true, Ordering::SeqCst);
        Some(42.into())
    });
    let f = ffi
        .callback_with(
            "int(*)(int)",
            |_| -> Result<i32> { Err(Error::Key("LookupError".into())) },
            opts,
        )
        .unwrap();
    assert_eq!(call!(f, (234,)).unwrap(), 42.into());
    assert!(saw.load(Ordering::SeqCst));
}

/// cffi refuses a bitfield struct result; rcffi passes it (`abi::proxy`: classified by rcffi,
/// checked against gcc in tests/calls/unions.rs).
#[test]
fn g12_a_bitfield_struct_result_is_passed() {
    let ffi = Ffi::default();
    ffi.cdef("struct foo_s { int a : 3; int b : 5; };").unwrap();
    let f = ffi
        .callback("struct foo_s(*)()", |_| {
            Ok::<_, Error>(rcffi::list![-3, 11])
        })
        .unwrap();
    let r = call!(f, ()).unwrap().cdata().unwrap();
    assert_eq!(
        (r.field("a").unwrap(), r.field("b").unwrap()),
        ((-3).into(), 11.into())
    );
    let err = ffi.callback("int(*)(int, ...)", |_| 0).unwrap_err();
    assert!(err.to_string().contains("'...'"), "{err}");
}

#[test]
fn g13_every_integer_result_width_and_its_overflow() {
    let ffi = Ffi::default();
    for (ty, min, max) in [
        ("signed char", i128::from(i8::MIN), i128::from(i8::MAX)),
        ("short", i16::MIN.into(), i16::MAX.into()),
        ("int", i32::MIN.into(), i32::MAX.into()),
        ("long", i64::MIN.into(), i64::MAX.into()),
        ("long long", i64::MIN.into(), i64::MAX.into()),
        ("unsigned char", 0, u8::MAX.into()),
        ("unsigned short", 0, u16::MAX.into()),
        ("unsigned int", 0, u32::MAX.into()),
        ("unsigned long", 0, u64::MAX.into()),
    ] {
        let sig = format!("{ty}(*)({ty})");
        let opts = CallbackOptions::default().error(42).onerror(|_, _| None);
        let f = ffi
            .callback_with(
                sig.as_str(),
                |a| -> Result<i128> { Ok(a.get(0)?.to_int()? + 1) },
                opts,
            )
            .unwrap();
        assert_eq!(
            call!(f, (Value::Int(min),)).unwrap(),
            Value::Int(min + 1),
            "{ty}"
        );
        assert_eq!(
            call!(f, (Value::Int(max - 1),)).unwrap(),
            Value::Int(max),
            "{ty}"
        );
        assert_eq!(call!(f, (Value::Int(max),)).unwrap(), 42.into(), "{ty}");
    }
}

#[test]
fn g14_ten_thousand_live_callbacks_are_distinct() {
    let ffi = Ffi::default();
    let cbs: Vec<_> = (0..10_000)
        .map(|i| ffi.callback("int(*)(void)", move |_| i).unwrap())
        .collect();
    let addrs: std::collections::HashSet<usize> = cbs.iter().map(|c| c.address()).collect();
    assert_eq!(addrs.len(), 10_000);
    for i in (0..10_000).step_by(997) {
        assert_eq!(call!(cbs[i], ()).unwrap(), (i as i32).into());
    }
}

#[test]
fn g15_tiny_and_large_struct_results() {
    let ffi = Ffi::default();
    ffi.cdef("struct tiny { signed char a, b; }; struct large { long long a[10]; };")
        .unwrap();
    let f = ffi
        .callback("int(*)(struct tiny)", |a| -> Result<i32> {
            let s = a.get(0)?.cdata()?;
            Ok(s.field_as::<i32>("a")? - s.field_as::<i32>("b")?)
        })
        .unwrap();
    assert_eq!(call!(f, (list![-40, 2],)).unwrap(), (-42).into());
    let t = ffi
        .callback("struct tiny(*)(void)", |_| list![-1, 127])
        .unwrap();
    let r = cd(call!(t, ()).unwrap());
    assert_eq!(
        (r.field("a").unwrap(), r.field("b").unwrap()),
        ((-1).into(), 127.into())
    );
    let l = ffi
        .callback("struct large(*)(void)", |_| {
            list![(0..10).collect::<Vec<i64>>()]
        })
        .unwrap();
    let r = cd(call!(l, ()).unwrap());
    assert_eq!(cd(r.field("a").unwrap()).get(9).unwrap(), 9.into());
}

#[test]
fn g16_wchar_results() {
    let ffi = Ffi::default();
    let f = ffi.callback("wchar_t(*)(void)", |_| '\u{1234}').unwrap();
    assert_eq!(call!(f, ()).unwrap(), Value::Text("\u{1234}".into()));
    let opts = CallbackOptions::default().onerror(|_, _| None);
    let g = ffi
        .callback_with(
            "wchar_t(*)(void)",
            |_| -> Result<char> { Err(Error::Value("no".into())) },
            opts,
        )
        .unwrap();
    assert_eq!(call!(g, ()).unwrap(), Value::Text("\0".into()));
}

#[test]
fn g17_an_unusable_onerror_value_falls_back_to_the_error_value() {
    let ffi = Ffi::default();
    let opts = CallbackOptions::default()
        .error(-42)
        .onerror(|err, _| match err {
            Error::Overflow(_) => Some(81.into()),
            _ => Some("xy".into()),
        });
    let f = ffi
        .callback_with(
            "short(*)(int)",
            |a| -> Result<i32> {
                let n = a.get_as::<i32>(0)?;
                if n < 0 {
                    Err(Error::Value("negative".into()))
                } else {
                    Ok(n)
                }
            },
            opts,
        )
        .unwrap();
    assert_eq!(call!(f, (60_000,)).unwrap(), 81.into()); // "integer 60000 does not fit 'short'"
    assert_eq!(call!(f, (-1,)).unwrap(), (-42).into()); // onerror's "xy" is not a short
    let panicky = CallbackOptions::default()
        .error(-42)
        .onerror(|_, _| panic!("handler"));
    let g = ffi
        .callback_with(
            "short(*)(int)",
            |_| -> Result<i32> { Err(Error::Value("x".into())) },
            panicky,
        )
        .unwrap();
    assert_eq!(call!(g, (1,)).unwrap(), (-42).into());
}

#[test]
fn g18_errno_inside_callbacks() {
    let (ffi, lib) = fixture();
    let f = ffi
        .callback("int(*)(void)", |a| -> Result<i32> {
            let e = a.ffi().errno();
            a.ffi().set_errno(e - 6);
            Ok(e)
        })
        .unwrap();
    // call_errno_cb sets errno = 95, calls f, and returns f() * 1000 + errno.
    // SAFETY: call_errno_cb calls its argument once.
    let r = unsafe { lib.call("call_errno_cb", (&f,)) };
    assert_eq!(r.unwrap(), (95 * 1000 + 89).into());
    assert_eq!(ffi.errno(), 89);
}

#[test]
fn g19_the_error_value_of_a_failing_conversion() {
    let ffi = Ffi::default();
    let opts = CallbackOptions::default().error(-66).onerror(|_, _| None);
    let f = ffi
        .callback_with(
            "int(int)",
            |a| -> Result<Value> { Ok(format!("{}", a.get(0)?).into()) },
            opts,
        )
        .unwrap();
    assert_eq!(call!(f, (10,)).unwrap(), (-66).into());
}

#[test]
fn g20_a_dropped_callback_frees_its_closure() {
    // cffi collects a callback captured in its own closure; in Rust such a cycle is an Arc
    // cycle (break it with a Weak). Without one, dropping the callback frees the closure.
    struct Flag(Arc<AtomicUsize>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicUsize::new(0));
    let ffi = Ffi::default();
    let flag = Flag(dropped.clone());
    let f = ffi
        .callback("int(*)(void)", move |_| {
            let _ = &flag;
            1
        })
        .unwrap();
    let g = ffi.cast("void *", &f).unwrap(); // a cast keeps it alive too
    drop(f);
    assert_eq!(dropped.load(Ordering::SeqCst), 0);
    drop(g);
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}

#[test]
fn g21_a_callback_from_a_foreign_pthread() {
    let (ffi, lib) = fixture();
    let f = ffi
        .callback("int(*)(int)", |a| -> Result<i32> {
            Ok(a.get_as::<i32>(0)? + 1)
        })
        .unwrap();
    // SAFETY: call_from_threads calls f from one new pthread, 3 times (f(0), f(1), f(2)).
    let r = unsafe { lib.call("call_from_threads", (&f, 1, 3)) };
    assert_eq!(r.unwrap(), 6.into());
}

#[test]
fn a_panic_never_unwinds_into_c() {
    let (ffi, lib) = fixture();
    let opts = CallbackOptions::default().error(-7).onerror(|err, _| {
        assert!(err.to_string().contains("panicked: on purpose"), "{err}");
        None
    });
    let f = ffi
        .callback_with("int(*)(int)", |_| -> i32 { panic!("on purpose") }, opts)
        .unwrap();
    // SAFETY: call_int_cb calls f once.
    let r = unsafe { lib.call("call_int_cb", (&f, 1)) };
    assert_eq!(r.unwrap(), (-7).into());
    // An error value of the wrong type is refused when the callback is made.
    let bad = CallbackOptions::default().error("x");
    let err = ffi.callback_with("int(*)(int)", |_| 0, bad).unwrap_err();
    assert!(err.to_string().contains("error value"), "{err}");
}

#[test]
fn a_callback_in_a_struct_field_and_a_global_variable() {
    let (ffi, lib) = fixture();
    let sub = ffi
        .callback("int(*)(int, int)", |a| -> Result<i32> {
            Ok(a.get_as::<i32>(0)? - a.get_as::<i32>(1)?)
        })
        .unwrap();
    // A struct member: the struct keeps the callback alive once the cdata is dropped.
    let ops = ffi.new("struct ops *", list![&sub, 5]).unwrap();
    // The global `gop`: C calls it through call_gop.
    let saved = lib.get("gop").unwrap();
    lib.set("gop", &sub).unwrap();
    drop(sub);
    // SAFETY: apply_ops calls ops->op(a, ops->k); call_gop calls gop(a, b).
    unsafe {
        assert_eq!(lib.call("apply_ops", (&ops, 12)).unwrap(), 7.into());
        assert_eq!(lib.call("call_gop", (10, 4)).unwrap(), 6.into());
    }
    lib.set("gop", saved).unwrap();
}

#[test]
fn user_data_handles_pass_through_c_to_the_callback() {
    // The `void *userdata` pattern: qsort_r passes its last argument to the comparator.
    let ffi = Ffi::default();
    ffi.cdef(
        "void qsort_r(void *base, size_t n, size_t size,
                      int (*cmp)(const void *, const void *, void *), void *arg);",
    )
    .unwrap();
    // SAFETY: glibc's qsort_r, as declared.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    let state = ffi.new_handle(AtomicUsize::new(0));
    let cmp = ffi
        .callback(
            "int(*)(const void *, const void *, void *)",
            |a| -> Result<i32> {
                let count = a.ffi().from_handle::<AtomicUsize>(&a.get(2)?.cdata()?)?;
                count.fetch_add(1, Ordering::Relaxed);
                // SAFETY: qsort_r passes pointers to two ints.
                let (x, y): (i32, i32) = unsafe { (a.deref(0)?, a.deref(1)?) };
                Ok(y.cmp(&x) as i32)
            },
        )
        .unwrap();
    let arr = ffi.new("int[]", [1, 5, 3, 4, 2]).unwrap();
    // SAFETY: qsort_r sorts the 5 ints, passing `state` to the comparator.
    unsafe { libc.call("qsort_r", (&arr, 5, 4, &cmp, &state)) }.unwrap();
    assert_eq!(
        arr.to_vec().unwrap(),
        [5, 4, 3, 2, 1].map(Value::from).to_vec()
    );
    assert!(
        ffi.from_handle::<AtomicUsize>(&state)
            .unwrap()
            .load(Ordering::Relaxed)
            >= 4
    );
}

#[test]
fn an_argument_index_past_the_end_is_an_index_error() {
    let ffi = Ffi::default();
    let seen = Arc::new(std::sync::Mutex::new(None));
    let s2 = seen.clone();
    let opts = CallbackOptions::default().onerror(move |err, _| {
        *s2.lock().unwrap() = Some((matches!(err, Error::Index(_)), err.to_string()));
        Some(7.into())
    });
    let f = ffi
        .callback_with("int(*)(int)", |a| a.get_as::<i32>(1), opts)
        .unwrap();
    assert_eq!(call!(f, (5,)).unwrap(), 7.into());
    let (is_index, msg) = seen.lock().unwrap().take().expect("onerror ran");
    assert!(is_index, "{msg}");
    assert!(
        msg.contains("no argument 1 (counted from 0)") && msg.contains("takes 1"),
        "{msg}"
    );
}

/// A callback's failure reaches the Rust caller: C receives the error value, and the rcffi call
/// that was running when the callback failed — the innermost one — returns the failure, of the
/// kind the closure gave. With an `onerror` handler, or `report_on_stderr`, the call succeeds
/// with what C returned.
#[test]
fn a_callback_failure_is_returned_by_the_call_that_was_running() {
    let (ffi, lib) = fixture();
    let fails = ffi
        .callback("int(*)(int)", |_| -> Result<i32> {
            Err(Error::Key("no such thing".into()))
        })
        .unwrap();
    // SAFETY: call_int_cb calls the callback with its int.
    let e = unsafe { lib.call("call_int_cb", (&fails, 1)) }.unwrap_err();
    assert!(
        matches!(&e, Error::Key(m) if m.contains("no such thing")),
        "{e}"
    );
    // The failure is the call's only: the next call succeeds.
    let ok = ffi
        .callback("int(*)(int)", |a| -> Result<i32> {
            Ok(a.get_as::<i32>(0)? + 1)
        })
        .unwrap();
    // SAFETY: as above.
    let got = unsafe { lib.call("call_int_cb", (&ok, 1)) };
    assert_eq!(got.unwrap(), 2.into());
    // Nested: the inner call returns the inner failure; the outer callback handles it.
    let lib2 = lib.clone();
    let fails2 = fails.clone();
    let outer = ffi
        .callback("int(*)(int)", move |_| -> Result<i32> {
            // SAFETY: as above.
            match unsafe { lib2.call("call_int_cb", (&fails2, 1)) } {
                Err(Error::Key(_)) => Ok(100),
                other => Err(Error::Value(format!("unexpected {other:?}").into())),
            }
        })
        .unwrap();
    // SAFETY: as above.
    let got = unsafe { lib.call("call_int_cb", (&outer, 1)) }.unwrap();
    assert_eq!(got, 100.into());
    // Handled (a handler's value) or reported on stderr: the call succeeds.
    for opts in [
        CallbackOptions::default().onerror(|_, _| Some(Value::from(-5))),
        CallbackOptions::default().error(-6).report_on_stderr(),
    ] {
        let cb = ffi
            .callback_with(
                "int(*)(int)",
                |_| -> Result<i32> { Err(Error::Value("x".into())) },
                opts,
            )
            .unwrap();
        // SAFETY: as above.
        let r = unsafe { lib.call("call_int_cb", (&cb, 1)) }.unwrap();
        assert!(r == Value::from(-5) || r == Value::from(-6), "{r:?}");
    }
}

/// A function pointer passed as a `void *` leaves the call on the direct path of a tuple,
/// without the callback run; a failure of the callback C calls meanwhile is still that
/// call's result, whatever its type — an `int`, a `double` — and the next call's result is
/// its own again.
#[test]
fn a_failure_during_a_direct_call_is_its_result_whatever_its_type() {
    let ffi = Ffi::default();
    ffi.cdef(
        "int call_int_cb(void *cb, int x);
         double call_double_cb(void *cb, double a, double b);",
    )
    .unwrap();
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture defines both functions; a `void *` is how C passes the pointer.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let fails = ffi
        .callback("int(*)(int)", |_| -> Result<i32> {
            Err(Error::Key("int".into()))
        })
        .unwrap();
    let fails_d = ffi
        .callback("double(*)(double, double)", |_| -> Result<f64> {
            Err(Error::Key("double".into()))
        })
        .unwrap();
    let twice = ffi
        .callback("int(*)(int)", |a| a.get_as::<i32>(0).map(|x| 2 * x))
        .unwrap();
    for round in 0..3 {
        // SAFETY: call_int_cb calls the callback with its int; call_double_cb with its two
        // doubles.
        let e = unsafe { lib.call("call_int_cb", (&fails, 1)) }.unwrap_err();
        assert!(
            matches!(&e, Error::Key(m) if m.contains("int")),
            "{round}: {e}"
        );
        // SAFETY: as above.
        let e = unsafe { lib.call("call_double_cb", (&fails_d, 1.0, 2.0)) }.unwrap_err();
        assert!(
            matches!(&e, Error::Key(m) if m.contains("double")),
            "{round}: {e}"
        );
        // SAFETY: as above.
        let ok = unsafe { lib.call("call_int_cb", (&twice, 21)) }.unwrap();
        assert_eq!(ok, Value::Int(42), "{round}");
    }
}

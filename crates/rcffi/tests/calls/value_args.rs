//! Values in a tuple (`f.call((n, &v))` with `n` and `v` `Value`s): a value read out of C or
//! returned by another call, passed on. For a number parameter, or a scalar of one integer
//! register (`char`, `_Bool`, a wide character, an enum), the direct path encodes the
//! value's number for the parameter when the call is made, its register chosen by the
//! parameter (`PlainArg::VALUE`); a value that holds a cdata passes as a cdata does; any
//! other value sends the call to the converting path. Checked against the same values given
//! as `Arg`s (the converting path) — the same result or the same error, for every C number
//! type at the ends of its range — and against gcc: the registers and stack words a long
//! list of values lands in.

use rcffi::{Arg, Lib, Value};

use super::plain_numbers::{C_TYPES, Many, Mixed, probe, recorded};

/// Values at the ends of each C number type's range, and values no number parameter takes
/// as a number (a float for an integer, text, bytes, a list, `Void`).
fn values() -> Vec<Value> {
    let ints: [i128; 20] = [
        i128::from(i64::MIN) - 1,
        i64::MIN.into(),
        i32::MIN.into(),
        -129,
        -128,
        -1,
        0,
        1,
        127,
        128,
        255,
        256,
        65535,
        65536,
        i32::MAX.into(),
        u32::MAX.into(),
        i64::MAX.into(),
        u64::MAX.into(),
        i128::from(u64::MAX) + 1,
        i128::MAX,
    ];
    let mut v: Vec<Value> = ints.into_iter().map(Value::Int).collect();
    v.extend([1.5, -0.0, 1e300, f64::NAN, f64::MIN_POSITIVE].map(Value::Float));
    v.extend([
        Value::UInt(u128::MAX),
        Value::Bool(true),
        Value::Text("E_NEG".into()),
        Value::Text("é".into()),
        Value::Text("😀".into()),
        Value::Text("ab".into()),
        Value::Text(String::new()),
        Value::Bytes(b"x".into()),
        Value::Bytes(b"\xf0".into()),
        Value::Bytes(b"xy".into()),
        Value::Bytes(Default::default()),
        Value::List(vec![Value::Int(1)]),
        Value::Void,
    ]);
    v
}

/// A call's result as a value or its error's message; a `float`'s register bits kept to its
/// low half (the rest is the caller's to leave).
fn outcome(name: &str, r: rcffi::Result<Value>) -> Result<Value, String> {
    match r {
        Ok(Value::Int(i)) if name == "fbits_f" => Ok(Value::Int(i128::from(i as u64 as u32))),
        Ok(v) => Ok(v),
        Err(e) => Err(e.to_string()),
    }
}

/// `name` called with value `v` owned and borrowed in a tuple, each as the converting path
/// calls it; the number of calls that succeeded.
fn agree(lib: &Lib, name: &str, v: &Value) -> usize {
    // SAFETY: the probe's `reg` and `fbits` return the register their argument arrived in.
    let (owned, borrowed, converted) = unsafe {
        (
            lib.call(name, (v.clone(),)),
            lib.call(name, (v,)),
            lib.call(name, vec![Arg::Value(v.clone())]),
        )
    };
    let converted = outcome(name, converted);
    assert_eq!(outcome(name, owned), converted, "{v:?} for {name}, owned");
    assert_eq!(
        outcome(name, borrowed),
        converted,
        "{v:?} for {name}, borrowed"
    );
    usize::from(converted.is_ok())
}

#[test]
fn a_value_reaches_every_c_number_type_as_the_converting_path_passes_it() {
    let (ffi, lib) = probe();
    let names = (0..C_TYPES.len())
        .map(|k| format!("reg{k}"))
        .chain(["fbits_f".to_string(), "fbits_d".to_string()]);
    // Cdata too: primitives (of a parameter's own type among them), a pointer, an array.
    let mut all = values();
    for (ty, init) in [
        ("int", 5),
        ("double", 2),
        ("unsigned char", 200),
        ("long double", 3),
        ("char", 0xf0),
        ("_Bool", 1),
        ("wchar_t", 0xe9),
        ("enum e", -1),
    ] {
        all.push(Value::CData(ffi.cast(ty, init).unwrap()));
    }
    all.push(Value::CData(ffi.new("int *", 7).unwrap()));
    all.push(Value::CData(ffi.new("int[2]", ()).unwrap()));
    let mut passed = 0;
    for name in names {
        for v in &all {
            passed += agree(&lib, &name, v);
        }
    }
    // Each integer type takes the integers of its range, the float types every number.
    assert!(passed > 100, "{passed} calls succeeded");
}

/// The whole register an `int`, a `long` and a `double` found a value in: extended by the
/// parameter's type, and a float's bits, as gcc's callers leave them.
#[test]
fn a_value_arrives_as_gcc_passes_its_parameter_type() {
    let (_ffi, lib) = probe();
    let reg = |c: &str, v: Value| -> u64 {
        let k = C_TYPES.iter().position(|t| *t == c).expect("a C type");
        // SAFETY: `reg` returns the register its argument arrived in.
        match unsafe { lib.call(&format!("reg{k}"), (v,)) } {
            Ok(Value::Int(i)) => i as u64,
            other => panic!("{c}: {other:?}"),
        }
    };
    assert_eq!(reg("int", Value::Int(-2)), -2i64 as u64);
    assert_eq!(reg("unsigned int", Value::Int(0xffff_fffe)), 0xffff_fffe);
    assert_eq!(reg("long", Value::Int(-3)), -3i64 as u64);
    assert_eq!(
        reg("unsigned long long", Value::Int(u64::MAX.into())),
        u64::MAX
    );
    assert_eq!(reg("enum e", Value::Int(-1)), u64::MAX);
    // The scalars of one integer register: a `char` from one byte, extended by the target's
    // `char` (signed on x86-64, unsigned on AArch64), as a one-byte slice passes it; a
    // `_Bool` from a `bool` or 0 or 1; a wide character from one character.
    let byte = 0xf0u8;
    let want = if cfg!(target_arch = "aarch64") {
        u64::from(byte)
    } else {
        byte as i8 as i64 as u64
    };
    assert_eq!(reg("char", Value::Bytes(vec![byte].into())), want);
    let k = C_TYPES.iter().position(|t| *t == "char").unwrap();
    // SAFETY: as above.
    let slice = unsafe { lib.call(&format!("reg{k}"), (&[byte][..],)) };
    assert_eq!(slice.unwrap(), Value::Int(i128::from(want)));
    assert_eq!(reg("_Bool", Value::Bool(true)), 1);
    assert_eq!(reg("_Bool", Value::Int(1)), 1);
    assert_eq!(reg("_Bool", Value::Int(0)), 0);
    assert_eq!(reg("wchar_t", Value::Text("é".into())), 0xe9);
    assert_eq!(reg("char16_t", Value::Text("é".into())), 0xe9);
    assert_eq!(reg("char32_t", Value::Text("😀".into())), 0x1_f600);
    // SAFETY: `fbits` returns the bits of the register its `double` arrived in.
    let bits = unsafe { lib.call("fbits_d", (&Value::Float(-2.5),)) };
    assert_eq!(bits.unwrap(), Value::Int((-2.5f64).to_bits().into()));
    // An integer for a `double`: converted as the converting path converts it.
    // SAFETY: as above.
    let bits = unsafe { lib.call("fbits_d", (Value::Int(3),)) };
    assert_eq!(bits.unwrap(), Value::Int(3f64.to_bits().into()));
}

/// Fourteen values, integers and floats mixed, owned and borrowed: each in the register its
/// parameter's class takes, as gcc's caller puts it (the callee records what it found).
#[test]
fn a_long_list_of_values_lands_in_the_registers_c_reads() {
    let (ffi, lib) = probe();
    let f = lib.function("mixed").unwrap();
    // SAFETY: `mixed` has this signature.
    let direct: Mixed = unsafe { std::mem::transmute(f.address()) };
    let expected = direct(
        -1,
        2.5,
        -3,
        0.1f64 as f32,
        250,
        6.5,
        -7,
        8.5,
        9,
        10.5,
        f32::INFINITY,
        -12,
        13.5,
        14.5,
    );
    let (i, x) = (Value::Int, Value::Float);
    let (a, c, e) = (i(-1), i(-3), i(250));
    // SAFETY: as declared.
    let got = unsafe {
        f.call((
            &a,
            x(2.5),
            &c,
            x(0.1),
            &e,
            x(6.5),
            i(-7),
            x(8.5),
            i(9),
            x(10.5),
            x(1e300),
            i(-12),
            x(13.5),
            x(14.5),
        ))
    };
    assert_eq!(got.unwrap(), Value::Float(expected));
    let ints: Vec<i64> = recorded(&ffi, &lib, "got_i", 6);
    assert_eq!(ints, [-1, -3, 250, -7, 9, -12]);
    let floats: Vec<f64> = recorded(&ffi, &lib, "got_f", 8);
    let want = [
        2.5,
        f64::from(0.1f32),
        6.5,
        8.5,
        10.5,
        f64::INFINITY,
        13.5,
        14.5,
    ];
    assert_eq!(floats, want);
}

/// Sixteen arguments, nine integers past the integer registers: the stack words the plan
/// counts for the values' classes, with Rust numbers and values mixed.
#[test]
fn values_past_the_registers_go_on_the_stack_in_order() {
    let (_ffi, lib) = probe();
    let f = lib.function("many16").unwrap();
    let expected = |a: [i64; 9], x: [f64; 7]| -> Value {
        let g = lib.function("many").unwrap();
        // SAFETY: `many` has this signature.
        let direct: Many = unsafe { std::mem::transmute(g.address()) };
        let r = direct(
            a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], x[0], x[1], x[2], x[3], x[4],
            x[5], x[6], 0.0, 0.0, 0.0,
        );
        Value::Int(r.into())
    };
    let (i, x) = (Value::Int, Value::Float);
    // SAFETY: `many16` calls `many` with three zeros after its own arguments.
    let got = unsafe {
        f.call((
            i(1),
            i(-2),
            i(3),
            i(-4),
            i(5),
            i(-6),
            i(7),
            i(-8),
            i(9),
            x(10.0),
            x(11.0),
            x(12.0),
            x(13.0),
            x(14.0),
            x(15.0),
            x(16.0),
        ))
    };
    let want = expected(
        [1, -2, 3, -4, 5, -6, 7, -8, 9],
        [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0],
    );
    assert_eq!(got.unwrap(), want);
    // Values and Rust numbers, the floats first among the values.
    // SAFETY: as above.
    let got = unsafe {
        f.call((
            1i64,
            i(-2),
            3i64,
            i(-4),
            5i64,
            i(-6),
            7i64,
            i(-8),
            9i64,
            10.0,
            x(11.0),
            12.0,
            x(13.0),
            14.0,
            x(15.0),
            16.0,
        ))
    };
    assert_eq!(got.unwrap(), want);
}

/// Ten doubles, the last ones past the floating registers: values counted in their
/// parameters' class, not as integers, so the stack words are the ones the callee reads.
#[test]
fn float_values_past_the_floating_registers_go_on_the_stack() {
    let (_ffi, lib) = probe();
    let f = lib.function("weigh10").unwrap();
    type Weigh = extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64, f64, f64) -> f64;
    // SAFETY: `weigh10` has this signature.
    let direct: Weigh = unsafe { std::mem::transmute(f.address()) };
    let want = Value::Float(direct(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0));
    let x = Value::Float;
    // SAFETY: as declared.
    let (some, all) = unsafe {
        (
            f.call((1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, x(9.0), &x(10.0))),
            f.call((
                x(1.0),
                x(2.0),
                x(3.0),
                x(4.0),
                x(5.0),
                x(6.0),
                x(7.0),
                x(8.0),
                x(9.0),
                Value::Int(10),
            )),
        )
    };
    assert_eq!(some.unwrap(), want);
    assert_eq!(all.unwrap(), want);
}

/// A struct result through memory (its address in the first integer register), a value's
/// number in each register after it and one on the stack; a pointer result into a value's
/// cdata; a value for a callback parameter and a number beside it.
#[test]
fn struct_and_pointer_results_and_callbacks_with_values() {
    let (ffi, lib) = probe();
    let fields = |v: Value| -> Vec<Value> {
        let c = v.cdata().expect("a struct");
        ["a", "b", "c"]
            .iter()
            .map(|n| c.field(n).expect(n))
            .collect()
    };
    let i = Value::Int;
    // SAFETY: each function as declared; `apply` calls its callback with its number.
    unsafe {
        let three = lib.call("make3", (i(1), &i(2), i(3), i(4), i(5), i(6), i(7)));
        assert_eq!(fields(three.unwrap()), [i(5), i(7), i(16)]);
        let text = ffi.new("char[]", &b"value"[..]).unwrap();
        let s = Value::CData(text.clone());
        let found = lib
            .call("find", (&s, i(i128::from(b'l'))))
            .unwrap()
            .cdata()
            .unwrap();
        assert_eq!(found.address(), text.address() + 2);
        assert_eq!(
            ffi.string(&found, None).unwrap(),
            Value::Bytes(b"lue".into())
        );
        let cb = ffi
            .callback("int(*)(int)", |a| -> rcffi::Result<i32> {
                Ok(a.get_as::<i32>(0)? * 3)
            })
            .unwrap();
        let cb = Value::CData(cb);
        assert_eq!(lib.call("apply", (&cb, i(7))).unwrap(), i(21));
        assert_eq!(lib.call("apply", (cb, 8)).unwrap(), i(24));
    }
}

/// What a parameter does not take from a value is the converting path's to report, naming
/// the argument: the same message as the same values given as `Arg`s.
#[test]
fn a_value_a_parameter_does_not_take_is_reported_as_the_converting_path_reports_it() {
    let (ffi, lib) = probe();
    let text = Value::CData(ffi.new("char[]", &b"abc"[..]).unwrap());
    let cases: Vec<(&str, [Value; 2])> = vec![
        ("find", [text.clone(), Value::Int(1 << 40)]),
        ("find", [text.clone(), Value::Float(1.0)]),
        ("find", [text.clone(), text.clone()]),
        ("find", [Value::Int(5), Value::Int(1)]),
        ("mixed", [Value::Int(1), Value::Int(2)]),
    ];
    for (name, [a, b]) in cases {
        // SAFETY: as declared (none of these calls reaches C).
        let (tuple, converted) = unsafe {
            (
                lib.call(name, (&a, b.clone())),
                lib.call(name, vec![Arg::Value(a.clone()), Arg::Value(b.clone())]),
            )
        };
        let (tuple, converted) = (tuple.unwrap_err(), converted.unwrap_err());
        assert_eq!(
            tuple.to_string(),
            converted.to_string(),
            "{name}({a:?}, {b:?})"
        );
    }
    // SAFETY: as declared.
    let e = unsafe { lib.call("find", (&text, Value::Int(1 << 40))) }.unwrap_err();
    assert!(e.to_string().contains("argument 2"), "{e}");
}

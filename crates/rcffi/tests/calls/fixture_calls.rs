//! Every fixture function called directly from Rust (its address as an `extern "C"` function
//! pointer) and through rcffi; the results must be equal.

use rcffi::{Error, Ffi, Value, list, map};

use super::{addr, cd, fixture};

/// The fixture function `name` as a Rust function pointer of type `$t`.
macro_rules! direct {
    ($lib:expr, $name:literal as $t:ty) => {{
        let a = addr(&$lib, $name);
        // SAFETY: the fixture defines `$name` with exactly this signature (fixture.c).
        unsafe { std::mem::transmute::<usize, $t>(a) }
    }};
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct Pt {
    x: i32,
    y: i32,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct Three {
    a: u8,
    b: u8,
    c: u8,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct Dfi {
    x: f64,
    y: f32,
    z: i32,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct F2 {
    x: f32,
    y: f32,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct F4 {
    a: f32,
    b: f32,
    c: f32,
    d: f32,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct Cd {
    c: i8,
    d: f64,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct Big {
    a: [i64; 12],
    n: i32,
}

#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq)]
struct Nested {
    p: Pt,
    s: [i16; 3],
    tag: i8,
}

/// Calls fixture function `$name` through rcffi.
macro_rules! call {
    ($lib:expr, $name:expr, $args:expr) => {
        // SAFETY: the fixture's declarations match fixture.c; the arguments are what each
        // function expects.
        unsafe { $lib.call($name, $args) }
    };
}

#[test]
fn integers_of_every_width_round_trip_as_directly() {
    let (_ffi, lib) = fixture();
    macro_rules! id_check {
        ($name:literal, $t:ty, [$($v:expr),*]) => {{
            let f = direct!(lib, $name as extern "C" fn($t) -> $t);
            for v in [$($v as $t),*] {
                let got = call!(lib, $name, (v,)).unwrap();
                assert_eq!(got, Value::Int(f(v) as i128), "{} {v}", $name);
            }
        }};
    }
    id_check!("id_schar", i8, [i8::MIN, -1, 0, 1, i8::MAX]);
    id_check!("id_uchar", u8, [0, 1, 200, u8::MAX]);
    id_check!("id_short", i16, [i16::MIN, -2, 0, i16::MAX]);
    id_check!("id_ushort", u16, [0, 40000, u16::MAX]);
    id_check!("id_int", i32, [i32::MIN, -7, 0, i32::MAX]);
    id_check!("id_uint", u32, [0, 3_000_000_000u32, u32::MAX]);
    id_check!("id_long", i64, [i64::MIN, -1, i64::MAX]);
    id_check!("id_ulong", u64, [0, u64::MAX]);
    id_check!("id_llong", i64, [i64::MIN, 5, i64::MAX]);
    id_check!("id_ullong", u64, [0, u64::MAX - 1]);
    id_check!("id_i8", i8, [i8::MIN, i8::MAX]);
    id_check!("id_u8", u8, [0, u8::MAX]);
    id_check!("id_i16", i16, [i16::MIN, i16::MAX]);
    id_check!("id_u16", u16, [0, u16::MAX]);
    id_check!("id_i32", i32, [i32::MIN, i32::MAX]);
    id_check!("id_u32", u32, [0, u32::MAX]);
    id_check!("id_i64", i64, [i64::MIN, i64::MAX]);
    id_check!("id_u64", u64, [0, u64::MAX]);
    id_check!("id_size", usize, [0, usize::MAX]);
    let neg = direct!(lib, "neg_schar" as extern "C" fn(i8) -> i8);
    assert_eq!(
        call!(lib, "neg_schar", (5,)).unwrap(),
        i128::from(neg(5)).into()
    );
    let inc = direct!(lib, "inc_uchar" as extern "C" fn(u8) -> u8);
    assert_eq!(
        call!(lib, "inc_uchar", (255,)).unwrap(),
        i128::from(inc(255)).into()
    );
    let negs = direct!(lib, "neg_short" as extern "C" fn(i16) -> i16);
    assert_eq!(
        call!(lib, "neg_short", (-300,)).unwrap(),
        i128::from(negs(-300)).into()
    );
}

#[test]
fn floats_chars_bools_and_pointers_round_trip() {
    let (ffi, lib) = fixture();
    let f = direct!(lib, "id_float" as extern "C" fn(f32) -> f32);
    assert_eq!(
        call!(lib, "id_float", (1.5f32,)).unwrap(),
        f64::from(f(1.5)).into()
    );
    // A double argument to a float parameter is rounded as C does.
    assert_eq!(
        call!(lib, "id_float", (0.1,)).unwrap(),
        f64::from(f(0.1f64 as f32)).into()
    );
    let d = direct!(lib, "id_double" as extern "C" fn(f64) -> f64);
    assert_eq!(
        call!(lib, "id_double", (-2.25e300,)).unwrap(),
        d(-2.25e300).into()
    );
    assert_eq!(call!(lib, "id_double", (3,)).unwrap(), 3.0.into()); // an int converts
    assert_eq!(
        call!(lib, "id_char", (b"A",)).unwrap(),
        Value::Bytes(b"A".into())
    );
    // Every byte as a `char` argument is what the callee reads from the same byte passed
    // directly (sign- or zero-extended by the target's `char`).
    let widen = direct!(lib, "widen_char" as extern "C" fn(std::ffi::c_char) -> i32);
    for b in 0..=255u8 {
        assert_eq!(
            call!(lib, "widen_char", (&[b][..],)).unwrap(),
            Value::Int(i128::from(widen(b as std::ffi::c_char))),
            "byte {b:#x}"
        );
    }
    assert_eq!(call!(lib, "id_bool", (true,)).unwrap(), Value::Bool(true));
    assert_eq!(call!(lib, "id_bool", (0,)).unwrap(), Value::Bool(false));
    assert_eq!(
        call!(lib, "id_wchar", ('é',)).unwrap(),
        Value::Text("é".into())
    );
    let p = ffi.new("int *", 5).unwrap();
    let back = cd(call!(lib, "id_ptr", (&p,)).unwrap());
    assert_eq!(back.address(), p.address());
    assert_eq!(back.type_name(), "void *");
    assert!(cd(call!(lib, "id_ptr", (None::<&rcffi::CData>,)).unwrap()).is_null());
    let ld = cd(call!(lib, "twice_ld", (1.25,)).unwrap());
    assert_eq!(ld.type_name(), "long double");
    assert_eq!(ld.to_f64().unwrap(), 2.5);
}

#[test]
fn arithmetic_and_mixed_arguments_match_direct_calls() {
    let (_ffi, lib) = fixture();
    let add = direct!(lib, "add" as extern "C" fn(i32, i32) -> i32);
    assert_eq!(call!(lib, "add", (40, 2)).unwrap(), add(40, 2).into());
    let addd = direct!(lib, "addd" as extern "C" fn(f64, f64) -> f64);
    assert_eq!(
        call!(lib, "addd", (0.5, 0.25)).unwrap(),
        addd(0.5, 0.25).into()
    );
    let addf = direct!(lib, "addf" as extern "C" fn(f32, f32) -> f32);
    assert_eq!(
        call!(lib, "addf", (0.5f32, 1.25f32)).unwrap(),
        f64::from(addf(0.5, 1.25)).into()
    );
    let mixed = direct!(
        lib,
        "mixed6" as extern "C" fn(i32, f64, i64, f32, i8, u16) -> f64
    );
    assert_eq!(
        call!(lib, "mixed6", (1, 2.5, 3i64, 4.5f32, -5, 6u16)).unwrap(),
        mixed(1, 2.5, 3, 4.5, -5, 6).into()
    );
    type Sum16 = extern "C" fn(
        i32,
        f64,
        i64,
        f32,
        i16,
        f64,
        u32,
        f32,
        i8,
        f64,
        i64,
        f32,
        i32,
        f64,
        u16,
        f32,
    ) -> f64;
    let sum16 = direct!(lib, "sum16" as Sum16);
    let want = sum16(
        1, 2.5, 3, 4.5, 5, 6.5, 7, 8.5, 9, 10.5, 11, 12.5, 13, 14.5, 15, 16.5,
    );
    let got = call!(
        lib,
        "sum16",
        (
            1, 2.5, 3, 4.5, 5, 6.5, 7, 8.5, 9, 10.5, 11, 12.5, 13, 14.5, 15, 16.5
        )
    )
    .unwrap();
    assert_eq!(got, want.into());
    type Sum9 = extern "C" fn(f64, f64, f64, f64, f64, f64, f64, f64, f64) -> f64;
    let sum9 = direct!(lib, "sum9d" as Sum9);
    assert_eq!(
        call!(lib, "sum9d", (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5)).unwrap(),
        sum9(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5).into()
    );
    type Sum8 = extern "C" fn(i64, i64, i64, i64, i64, i64, i64, i64) -> i64;
    let sum8 = direct!(lib, "sum8l" as Sum8);
    assert_eq!(
        call!(lib, "sum8l", (1, -2, 3, 1i64 << 40, 5, 6, 7, -(1i64 << 50))).unwrap(),
        sum8(1, -2, 3, 1 << 40, 5, 6, 7, -(1 << 50)).into()
    );
    // The same through a vector of values, and through a function handle.
    let args = vec![Value::Int(2), Value::Int(3)];
    assert_eq!(call!(lib, "add", args).unwrap(), 5.into());
    let h = lib.function("add").unwrap();
    // SAFETY: add takes two ints.
    assert_eq!(unsafe { h.call((7, 8)) }.unwrap(), 15.into());
}

#[test]
fn structs_by_value_both_ways_match_direct_calls() {
    let (ffi, lib) = fixture();
    let mid = direct!(lib, "mid" as extern "C" fn(Pt, Pt) -> Pt);
    let want = mid(Pt { x: 2, y: 10 }, Pt { x: 6, y: 20 });
    for (a, b) in [
        (list![2, 10], list![6, 20]),
        (map! {"x" => 2, "y" => 10}, map! {"y" => 20, "x" => 6}),
        (
            Value::CData(cd(ffi
                .new("struct pt *", list![2, 10])
                .unwrap()
                .get(0)
                .unwrap())),
            list![6, 20],
        ),
    ] {
        let r = cd(call!(lib, "mid", (a, b)).unwrap());
        assert_eq!(format!("{r:?}"), "<cdata 'struct pt' owning 8 bytes>");
        assert_eq!(r.field_as::<i32>("x").unwrap(), want.x);
        assert_eq!(r.field_as::<i32>("y").unwrap(), want.y);
    }
    // A returned struct passes back in by value.
    let r = cd(call!(lib, "mid", (list![0, 0], list![4, 8])).unwrap());
    assert_eq!(call!(lib, "pt_sum", (&r,)).unwrap(), 6.into());

    let three = direct!(lib, "three" as extern "C" fn() -> Three);
    let t = cd(call!(lib, "three", ()).unwrap());
    let d = three();
    assert_eq!(
        (
            t.field("a").unwrap(),
            t.field("b").unwrap(),
            t.field("c").unwrap()
        ),
        (
            i128::from(d.a).into(),
            i128::from(d.b).into(),
            i128::from(d.c).into()
        )
    );
    let three_sum = direct!(lib, "three_sum" as extern "C" fn(Three) -> i32);
    assert_eq!(
        call!(lib, "three_sum", (&t,)).unwrap(),
        three_sum(Three {
            a: 12,
            b: 34,
            c: 56
        })
        .into()
    );

    let dfi = direct!(lib, "dfi_scale" as extern "C" fn(Dfi, i32) -> Dfi);
    let want = dfi(
        Dfi {
            x: 1.5,
            y: 2.5,
            z: 3,
        },
        3,
    );
    let r = cd(call!(lib, "dfi_scale", (list![1.5, 2.5, 3], 3)).unwrap());
    assert_eq!(r.field_as::<f64>("x").unwrap(), want.x);
    assert_eq!(r.field_as::<f32>("y").unwrap(), want.y);
    assert_eq!(r.field_as::<i32>("z").unwrap(), want.z);

    let f2 = direct!(lib, "f2_swap" as extern "C" fn(F2) -> F2);
    let want = f2(F2 { x: 1.25, y: -4.5 });
    let r = cd(call!(lib, "f2_swap", (list![1.25, -4.5],)).unwrap());
    assert_eq!(
        (
            r.field_as::<f32>("x").unwrap(),
            r.field_as::<f32>("y").unwrap()
        ),
        (want.x, want.y)
    );

    let f4 = direct!(lib, "f4_sum" as extern "C" fn(F4) -> f32);
    assert_eq!(
        call!(lib, "f4_sum", (list![1.0, 2.0, 3.0, 4.5],)).unwrap(),
        f64::from(f4(F4 {
            a: 1.0,
            b: 2.0,
            c: 3.0,
            d: 4.5
        }))
        .into()
    );

    let cdn = direct!(lib, "cd_next" as extern "C" fn(Cd) -> Cd);
    let want = cdn(Cd { c: 65, d: 1.0 });
    let r = cd(call!(lib, "cd_next", (list![b"A", 1.0],)).unwrap());
    assert_eq!(
        r.field("c").unwrap(),
        Value::Bytes(vec![want.c as u8].into())
    );
    assert_eq!(r.field_as::<f64>("d").unwrap(), want.d);

    let big_make = direct!(lib, "big_make" as extern "C" fn(i32) -> Big);
    let big_sum = direct!(lib, "big_sum" as extern "C" fn(Big) -> i64);
    let want = big_make(7);
    let r = cd(call!(lib, "big_make", (7,)).unwrap());
    assert_eq!(r.sizeof().unwrap(), std::mem::size_of::<Big>());
    let a = cd(r.field("a").unwrap());
    for i in 0..12 {
        assert_eq!(a.get_as::<i64>(i as isize).unwrap(), want.a[i]);
    }
    assert_eq!(call!(lib, "big_sum", (&r,)).unwrap(), big_sum(want).into());

    let echo = direct!(lib, "nested_echo" as extern "C" fn(Nested, i32) -> Nested);
    let v = Nested {
        p: Pt { x: 1, y: 2 },
        s: [3, 4, 5],
        tag: 6,
    };
    let want = echo(v, 10);
    let r = cd(call!(
        lib,
        "nested_echo",
        (list![list![1, 2], list![3, 4, 5], b"\x06"], 10)
    )
    .unwrap());
    let p = cd(r.field("p").unwrap());
    assert_eq!(p.field_as::<i32>("x").unwrap(), want.p.x);
    assert_eq!(
        cd(r.field("s").unwrap()).get_as::<i16>(2).unwrap(),
        want.s[2]
    );
    assert_eq!(
        r.field("tag").unwrap(),
        Value::Bytes(vec![want.tag as u8].into())
    );
}

#[test]
fn unions_bitfield_and_small_packed_structs_pass() {
    let (_ffi, lib) = fixture();
    // Classified by rcffi (`abi::proxy`), each equal to the direct call.
    type Ti = unsafe extern "C" fn(i32) -> i32;
    let take_union: Ti = direct!(lib, "take_union" as Ti);
    // SAFETY: union num is one int (or float) wide, passed as C passes it: an int.
    let want = unsafe { take_union(-7) };
    assert_eq!(
        call!(lib, "take_union", (map! {"i" => -7},)).unwrap(),
        want.into()
    );
    // a = 3 in bits 0..3, b = -10 (0b10110 in 5 signed bits) in bits 3..8.
    let bits = 0b1011_0011_u8;
    type Tb = unsafe extern "C" fn(u32) -> i32;
    let take_bits: Tb = direct!(lib, "take_bits" as Tb);
    // SAFETY: struct bits is 4 bytes of integer class: an unsigned int's register.
    let want = unsafe { take_bits(u32::from(bits)) };
    assert_eq!(want, 3 - 10);
    assert_eq!(
        call!(lib, "take_bits", (list![3, -10],)).unwrap(),
        want.into()
    );
    // A 5-byte packed struct with an unaligned int: MEMORY class on x86-64 (copied to the
    // stack), a general register on AArch64.
    assert_eq!(
        call!(lib, "take_packed", (list![b"c", 2],)).unwrap(),
        2.into()
    );
    assert_eq!(
        call!(lib, "take_packed", (list![b"c", -123456789],)).unwrap(),
        (-123456789).into()
    );
}

#[test]
fn wrong_arguments_name_the_argument_and_the_types() {
    let (ffi, lib) = fixture();
    let err = call!(lib, "add", (1i64 << 40, 1)).unwrap_err();
    assert!(matches!(err, Error::Overflow(_)));
    assert_eq!(
        err.to_string(),
        "argument 1 of 'int(*)(int, int)': integer 1099511627776 does not fit 'int'"
    );
    let err = call!(lib, "add", (1,)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "'int(*)(int, int)' expects 2 arguments, got 1"
    );
    let err = call!(lib, "addd", (1.0, "x")).unwrap_err();
    assert!(matches!(err, Error::Type(_)));
    assert!(
        err.to_string()
            .starts_with("argument 2 of 'double(*)(double, double)'"),
        "{err}"
    );
    let p = ffi.new("int *", 0).unwrap();
    let err = call!(lib, "fx_strlen", (&p,)).unwrap_err();
    assert!(
        err.to_string().contains("'char *'") && err.to_string().contains("'int *'"),
        "{err}"
    );
    let err = call!(lib, "pt_sum", (&p,)).unwrap_err();
    assert!(err.to_string().contains("struct pt"), "{err}");
    let err = call!(lib, "vsum", ()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "'int(*)(int, ...)' expects at least 1 arguments, got 0"
    );
    let err = call!(lib, "nope", ()).unwrap_err();
    assert!(matches!(err, Error::Symbol(_)), "{err:?}");
    assert!(err.to_string().contains("'nope'") && err.to_string().contains(lib.name()));
}

#[test]
fn pointers_arrays_and_strings() {
    let (ffi, lib) = fixture();
    // Lists become temporary arrays.
    assert_eq!(call!(lib, "sum_arr", ([1, 2, 3, 4], 4)).unwrap(), 10.into());
    assert_eq!(
        call!(lib, "sum_arr", (vec![5i32, 6], 2)).unwrap(),
        11.into()
    );
    let arr = ffi.new("int[]", [7, 8, 9]).unwrap();
    assert_eq!(call!(lib, "sum_arr", (&arr, 3)).unwrap(), 24.into());
    assert_eq!(
        call!(
            lib,
            "sum_pts",
            (list![list![1, 2], map! {"x" => 3, "y" => 4}], 2)
        )
        .unwrap(),
        46.into()
    );
    // C writes into rcffi's memory.
    let out = ffi.new("int[5]", ()).unwrap();
    call!(lib, "fill", (&out, 5, 10)).unwrap();
    assert_eq!(
        out.to_vec().unwrap(),
        [10, 11, 12, 13, 14].map(Value::from).to_vec()
    );
    // Strings and bytes become temporary C strings; long ones too.
    let long = "x".repeat(10_000);
    for (s, n) in [("hello", 5), ("", 0), (long.as_str(), 10_000)] {
        assert_eq!(call!(lib, "fx_strlen", (s,)).unwrap(), n.into());
        assert_eq!(call!(lib, "fx_strlen", (s.as_bytes(),)).unwrap(), n.into());
        assert_eq!(call!(lib, "fx_strlen", (s.to_string(),)).unwrap(), n.into());
    }
    let c = std::ffi::CString::new("four").unwrap();
    assert_eq!(call!(lib, "fx_strlen", (c.as_c_str(),)).unwrap(), 4.into());
    assert_eq!(
        call!(lib, "fx_strlen", (ffi.new("char[]", "abc").unwrap(),)).unwrap(),
        3.into()
    );
    assert_eq!(
        call!(lib, "fx_wcslen", ("héllo wörld",)).unwrap(),
        11.into()
    );
    // A pointer C returns into an argument's memory is a view of it; any other is foreign:
    // read it after vouching for it.
    let hay = ffi.new("char[]", "hello world").unwrap();
    let w = cd(call!(lib, "fx_strchr", (&hay, i32::from(b'w'))).unwrap());
    assert_eq!(w.address(), hay.address() + 6);
    assert_eq!(ffi.string(&w, None).unwrap(), b"world".to_vec().into());
    let text = std::ffi::CString::new("hello world").unwrap();
    let w = cd(call!(lib, "fx_strchr", (text.as_c_str(), i32::from(b'w'))).unwrap());
    assert!(matches!(ffi.string(&w, None), Err(Error::Unchecked(_))));
    // SAFETY: `w` points into `text`, a NUL-terminated string that is alive.
    let r = unsafe { ffi.string_unchecked(&w, None) };
    assert_eq!(r.unwrap(), b"world".to_vec().into());
    assert_eq!(
        call!(lib, "is_null", (None::<&rcffi::CData>,)).unwrap(),
        1.into()
    );
    assert_eq!(call!(lib, "is_null", (ffi.null(),)).unwrap(), 1.into());
    assert_eq!(call!(lib, "is_null", (&hay,)).unwrap(), 0.into());
    let s = ffi.new("char[]", "shout").unwrap();
    call!(lib, "upcase", (&s,)).unwrap();
    assert_eq!(ffi.string(&s, None).unwrap(), b"SHOUT".to_vec().into());
}

#[test]
fn function_pointers_from_c_fields_globals_and_addresses_are_callable() {
    let (ffi, lib) = fixture();
    let mul = cd(call!(lib, "get_op", (1,)).unwrap());
    assert_eq!(mul.type_name(), "int(*)(int, int)");
    // SAFETY: get_op returns `mul`, an int(int, int).
    assert_eq!(unsafe { mul.call((6, 7)) }.unwrap(), 42.into());
    assert_eq!(call!(lib, "apply", (&mul, 3, 4)).unwrap(), 12.into());
    let add = lib.get("add").unwrap();
    assert_eq!(call!(lib, "apply", (add, 3, 4)).unwrap(), 7.into());
    let ops = cd(lib.get("default_ops").unwrap());
    let op = cd(ops.field("op").unwrap());
    assert!(op.field("x").is_err());
    // A struct in the library's memory: its pointer member is foreign, vouched by dlopen.
    // SAFETY: default_ops.op is `add`.
    assert_eq!(unsafe { op.call((1, 2)) }.unwrap(), 3.into());
    let gop = cd(lib.get("gop").unwrap());
    // SAFETY: gop is `add`.
    assert_eq!(unsafe { gop.call((20, 22)) }.unwrap(), 42.into());
    let p = ffi.new("struct ops *", list![&mul, 5]).unwrap();
    assert_eq!(call!(lib, "apply_ops", (&p, 3)).unwrap(), 15.into());
    // An address cast to a function type.
    let f = ffi.cast("int(*)(int, int)", addr(&lib, "add")).unwrap();
    // SAFETY: the address is add's.
    assert_eq!(unsafe { f.call((1, 1)) }.unwrap(), 2.into());
    let not_fn = ffi.new("int *", 0).unwrap();
    // SAFETY: refused before any call.
    assert!(matches!(unsafe { not_fn.call(()) }, Err(Error::Type(_))));
}

#[test]
fn variadic_calls_promote_as_c_does() {
    let (ffi, lib) = fixture();
    assert_eq!(call!(lib, "vsum", (3, 1, 2, 3)).unwrap(), 6.into());
    assert_eq!(call!(lib, "vsum", (0,)).unwrap(), 0.into());
    let f = ffi.cast("float", 2.5).unwrap();
    assert_eq!(call!(lib, "vsumd", (2, 1.5, &f)).unwrap(), 4.0.into());
    let args = (
        3,
        ffi.cast("signed char", -3).unwrap(),
        ffi.cast("unsigned char", 200).unwrap(),
        ffi.cast("short", -5).unwrap(),
    );
    assert_eq!(call!(lib, "vsum", args).unwrap(), 192.into());
    let p = ffi.new("struct pt *", list![3, 4]).unwrap();
    let pt = p.get(0).unwrap();
    let vp = ffi.cast("void *", 0x1234_5678usize).unwrap();
    let got = call!(
        lib,
        "vmix",
        ("ildspP", 7, 1i64 << 40, 2.25, "four", &vp, pt)
    )
    .unwrap();
    let want = 7 + 2 * (1i64 << 40) + 3 * 9 + 4 * 4 + 5 * 0x5678 + 6 * 304;
    assert_eq!(got, want.into());
    // More arguments than the stack slots: the general path's heap arrays.
    let mut many: Vec<Value> = vec![Value::Int(24)];
    many.extend((1..=24).map(Value::Int));
    assert_eq!(call!(lib, "vsum", many).unwrap(), (24 * 25 / 2).into());
    let err = call!(lib, "vsum", (1, list![1])).unwrap_err();
    assert!(
        err.to_string()
            .contains("argument 2 passed in the variadic part"),
        "{err}"
    );
}

#[test]
fn errno_is_saved_after_and_restored_before_each_call() {
    let (ffi, lib) = fixture();
    call!(lib, "set_errno", (123,)).unwrap();
    assert_eq!(ffi.errno(), 123);
    ffi.set_errno(42);
    assert_eq!(call!(lib, "get_errno", ()).unwrap(), 42.into());
    assert_eq!(ffi.errno(), 42);
}

#[test]
fn global_variables_read_write_and_address() {
    let (ffi, lib) = fixture();
    lib.set("counter", 41).unwrap();
    assert_eq!(call!(lib, "bump", ()).unwrap(), 42.into());
    assert_eq!(lib.get("counter").unwrap(), 42.into());
    let arr = cd(lib.get("my_array").unwrap());
    assert_eq!(
        format!("{arr:?}").split(' ').take(2).collect::<Vec<_>>(),
        ["<cdata", "'int[7]'"]
    );
    assert_eq!(arr.len().unwrap(), 7);
    assert_eq!(arr.get(6).unwrap(), 6.into());
    assert_eq!(arr.get_as::<i32>(6).unwrap(), 6);
    assert!(arr.get(7).is_err()); // bounds known from the declaration
    assert!(arr.get_as::<i32>(7).is_err());
    lib.set("my_array", [9, 8, 7, 6, 5, 4, 3]).unwrap();
    assert_eq!(call!(lib, "sum_my_array", ()).unwrap(), 42.into());
    assert!(lib.set("my_array", [0; 8]).is_err());
    let gpt = cd(lib.get("gpt").unwrap());
    assert_eq!(gpt.field("y").unwrap(), 20.into());
    assert_eq!(gpt.field_as::<i64>("y").unwrap(), 20);
    gpt.set_field("x", 11).unwrap();
    assert_eq!(cd(lib.get("gpt").unwrap()).field("x").unwrap(), 11.into());
    let greeting = cd(lib.get("greeting").unwrap());
    // SAFETY: greeting points to a string literal of the fixture.
    let r = unsafe { ffi.string_unchecked(&greeting, None) };
    assert_eq!(r.unwrap(), b"hello".to_vec().into());
    assert_eq!(lib.get("answer").unwrap(), 42.into());
    assert!(lib.set("answer", 1).is_err());
    // Through its address too, on the direct write path: the memory is read-only.
    let answer = lib.addressof("answer").unwrap();
    assert_eq!(answer.get_as::<i32>(0).unwrap(), 42);
    let err = answer.set(0, 1).unwrap_err().to_string();
    assert!(
        err.contains("const variable of the library; they cannot be written"),
        "{err}"
    );
    let p = lib.addressof("counter").unwrap();
    assert_eq!(p.type_name(), "int *");
    p.set(0, 100).unwrap();
    assert_eq!(lib.get("counter").unwrap(), 100.into());
    // Kept alive by the cdata even after the library object goes.
    drop(lib);
    assert_eq!(p.get(0).unwrap(), 100.into());
}

/// A `const` variable declared through a `const` typedef or `typeof` is read-only too: the
/// fixture's `const int answer` lives in read-only memory, where a write would fault.
#[test]
fn const_through_typedefs_and_typeof_is_read_only() {
    let path = rcffi_testkit::fixture::fixture_library();
    for cdef in [
        "typedef const int ci; extern ci answer;",
        "typedef const int ci; typedef ci ci2; extern ci2 answer;",
        "extern typeof(const int) answer;",
        "typedef const int ci; extern __typeof__(ci) answer;",
    ] {
        let ffi = Ffi::default();
        ffi.cdef(cdef).unwrap();
        // SAFETY: the fixture defines `const int answer = 42`, as declared.
        let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
        assert_eq!(lib.get("answer").unwrap(), 42.into(), "{cdef}");
        let err = lib.set("answer", 1).unwrap_err().to_string();
        assert!(err.contains("declared const"), "{cdef}: {err}");
        let err = lib.addressof("answer").unwrap().set(0, 1).unwrap_err();
        assert!(
            err.to_string().contains("cannot be written"),
            "{cdef}: {err}"
        );
    }
}

/// A `Vec` or slice of Rust numbers (`Value::Numbers`) for a pointer parameter is a temporary
/// array, as a list of the same values is; other item types convert item by item.
#[test]
fn vectors_of_numbers_as_call_arguments_are_temporary_arrays() {
    let (_ffi, lib) = super::fixture();
    let items: Vec<i32> = (1..=100).collect();
    let want: i32 = items.iter().sum();
    // SAFETY: `sum_arr(const int *a, int n)` reads n ints of a.
    let from_vec = unsafe { lib.call("sum_arr", (items.clone(), 100)) }.unwrap();
    // SAFETY: as above.
    let from_slice = unsafe { lib.call("sum_arr", (&items[..], 100)) }.unwrap();
    // SAFETY: as above, through a list of values.
    let from_list = unsafe {
        lib.call(
            "sum_arr",
            (
                Value::List(items.iter().map(|x| Value::from(*x)).collect()),
                100,
            ),
        )
    }
    .unwrap();
    assert_eq!(
        (from_vec.clone(), from_slice),
        (Value::Int(i128::from(want)), Value::Int(i128::from(want)))
    );
    assert_eq!(from_vec, from_list);
    // Another item type converts item by item, range-checked.
    // SAFETY: as above.
    let wide = unsafe { lib.call("sum_arr", (vec![1i64, 2, 3], 3)) }.unwrap();
    assert_eq!(wide, Value::Int(6));
    // SAFETY: as above; the conversion fails before the call.
    assert!(unsafe { lib.call("sum_arr", (vec![i64::MAX], 1)) }.is_err());
}

//! Every primitive and struct type through a callback (`cb_T(cb, x)` returns `cb(x)` in C),
//! with an rcffi callback and with a native `extern "C"` callback: the results must be equal.

use rcffi::{Ffi, Value, list};
use rcffi_testkit::callgen::{self, Member, Scalar, Ty};

use super::{cd, fixture};

/// Calls fixture function `name` with `args` through rcffi.
macro_rules! call {
    ($lib:expr, $name:expr, $args:expr) => {
        // SAFETY: the fixture's declarations match fixture.c; callbacks are of the declared
        // types and outlive the call.
        unsafe { $lib.call($name, $args) }
    };
}

/// An identity function as a C function pointer cdata of type `ty`.
fn native_cdata(ffi: &Ffi, ty: &str, f: usize) -> rcffi::CData {
    ffi.cast(ty, f).unwrap()
}

#[test]
fn every_primitive_type_passes_through_callbacks_as_through_native_ones() {
    let (ffi, lib) = fixture();
    macro_rules! check {
        ($name:literal, $t:ty, $cty:literal, [$($v:expr),*]) => {{
            extern "C" fn native(x: $t) -> $t {
                x
            }
            let ty = concat!($cty, "(*)(", $cty, ")");
            let rc = ffi.callback(ty, |a| a.get(0)).unwrap();
            let nat = native_cdata(&ffi, ty, native as extern "C" fn($t) -> $t as usize);
            for v in [$($v),*] {
                let x: $t = v;
                let through_rcffi = call!(lib, $name, (&rc, x)).unwrap();
                let through_native = call!(lib, $name, (&nat, x)).unwrap();
                assert_eq!(through_rcffi, through_native, "{} {:?}", $name, x);
            }
        }};
    }
    check!("cb_schar", i8, "signed char", [i8::MIN, -1, 0, i8::MAX]);
    check!("cb_uchar", u8, "unsigned char", [0, 200, u8::MAX]);
    check!("cb_short", i16, "short", [i16::MIN, -300, i16::MAX]);
    check!("cb_ushort", u16, "unsigned short", [0, 65535]);
    check!("cb_int", i32, "int", [i32::MIN, -5, i32::MAX]);
    check!("cb_uint", u32, "unsigned int", [0, u32::MAX]);
    check!("cb_long", i64, "long", [i64::MIN, -1, i64::MAX]);
    check!("cb_ulong", u64, "unsigned long", [0, u64::MAX]);
    check!("cb_llong", i64, "long long", [i64::MIN, i64::MAX]);
    check!("cb_ullong", u64, "unsigned long long", [0, u64::MAX]);
    check!(
        "cb_float",
        f32,
        "float",
        [0.0, -1.5, f32::MAX, f32::MIN_POSITIVE]
    );
    check!(
        "cb_double",
        f64,
        "double",
        [0.0, -2.5e300, f64::MIN_POSITIVE]
    );
    check!("cb_bool", bool, "_Bool", [true, false]);
    // char, wchar_t, long double and pointers have Rust spellings of their own.
    let rc = ffi.callback("char(*)(char)", |a| a.get(0)).unwrap();
    assert_eq!(
        call!(lib, "cb_char", (&rc, b"x")).unwrap(),
        Value::Bytes(b"x".into())
    );
    let rc = ffi.callback("wchar_t(*)(wchar_t)", |a| a.get(0)).unwrap();
    assert_eq!(
        call!(lib, "cb_wchar", (&rc, 'λ')).unwrap(),
        Value::Text("λ".into())
    );
    let rc = ffi
        .callback("long double(*)(long double)", |a| a.get(0))
        .unwrap();
    let r = cd(call!(lib, "cb_ldouble", (&rc, 1.0e300)).unwrap());
    assert_eq!(r.to_f64().unwrap(), 1.0e300);
    let rc = ffi.callback("void *(*)(void *)", |a| a.get(0)).unwrap();
    let p = ffi.new("int *", 5).unwrap();
    let r = cd(call!(lib, "cb_ptr", (&rc, &p)).unwrap());
    assert_eq!(r.address(), p.address());
}

#[test]
fn fixture_structs_pass_through_callbacks_as_through_native_ones() {
    let (ffi, lib) = fixture();
    #[repr(C)]
    #[derive(Copy, Clone)]
    struct Pt(i32, i32);
    extern "C" fn native_pt(p: Pt) -> Pt {
        Pt(p.0 + 1, p.1 * 2)
    }
    let rc = ffi
        .callback("struct pt(*)(struct pt)", |a| -> rcffi::Result<Value> {
            let p = cd(a.get(0)?);
            Ok(list![
                p.field_as::<i32>("x")? + 1,
                p.field_as::<i32>("y")? * 2
            ])
        })
        .unwrap();
    let nat = native_cdata(
        &ffi,
        "struct pt(*)(struct pt)",
        native_pt as extern "C" fn(Pt) -> Pt as usize,
    );
    let a = cd(call!(lib, "cb_pt", (&rc, list![3, 4])).unwrap());
    let b = cd(call!(lib, "cb_pt", (&nat, list![3, 4])).unwrap());
    assert_eq!(
        (a.field("x").unwrap(), a.field("y").unwrap()),
        (4.into(), 8.into())
    );
    assert_eq!(
        (b.field("x").unwrap(), b.field("y").unwrap()),
        (4.into(), 8.into())
    );
    // Identity callbacks of the other fixture structs return what they were given.
    for (f, ty, v) in [
        ("cb_three", "three_t", list![1, 2, 3]),
        ("cb_dfi", "dfi_t", list![1.5, 2.5, -3]),
        ("cb_f2", "f2_t", list![0.5, -0.25]),
        ("cb_f4", "f4_t", list![1.0, 2.0, 3.0, 4.0]),
        ("cb_cd", "cd_t", list![b"z", 9.75]),
        (
            "cb_big",
            "big_t",
            list![list![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 13],
        ),
        (
            "cb_nested",
            "nested_t",
            list![list![1, 2], list![3, 4, 5], b"\x06"],
        ),
    ] {
        let sig = format!("{ty}(*)({ty})");
        let rc = ffi.callback(sig.as_str(), |a| a.get(0)).unwrap();
        let got = cd(call!(lib, f, (&rc, v.clone())).unwrap());
        let want = ffi.new(format!("{ty} *").as_str(), v).unwrap();
        let bytes = |c: &rcffi::CData| {
            ffi.buffer(&ffi.addressof(c, "").unwrap(), None)
                .unwrap()
                .to_vec()
                .unwrap()
        };
        assert_eq!(
            bytes(&got),
            ffi.buffer(&want, None).unwrap().to_vec().unwrap(),
            "{f}"
        );
    }
}

#[test]
fn mixed_arguments_errno_and_pointer_results() {
    let (ffi, lib) = fixture();
    let cb = ffi
        .callback(
            "long long(*)(signed char, unsigned short, int, long long, float, double)",
            |a| -> rcffi::Result<i64> {
                Ok(a.get_as::<i64>(0)?
                    + a.get_as::<i64>(1)?
                    + a.get_as::<i64>(2)?
                    + a.get_as::<i64>(3)?
                    + a.get_as::<f64>(4)? as i64
                    + a.get_as::<f64>(5)? as i64)
            },
        )
        .unwrap();
    assert_eq!(
        call!(lib, "call_mixed_cb", (&cb, -1, 2u16, 3, 4i64, 5.5f32, 6.5)).unwrap(),
        19.into()
    );
    // Every byte of each argument read (no value here fits a narrower read).
    let (b, c, d) = (40_000u16, -100_000, 3i64 << 40);
    assert_eq!(
        call!(lib, "call_mixed_cb", (&cb, -100, b, c, d, -2.5f32, 1e10)).unwrap(),
        (-100 + i64::from(b) + i64::from(c) + d - 2 + 10_000_000_000).into()
    );
    let pt = ffi
        .callback(
            "struct pt(*)(struct pt, int)",
            |a| -> rcffi::Result<Value> {
                let p = cd(a.get(0)?);
                let k = a.get_as::<i32>(1)?;
                Ok(list![
                    p.field_as::<i32>("x")? * k,
                    p.field_as::<i32>("y")? * k
                ])
            },
        )
        .unwrap();
    let r = cd(call!(lib, "call_pt_cb", (&pt, list![2, 3], 10)).unwrap());
    assert_eq!(r.field("y").unwrap(), 30.into());
}

/// Generated structs of every size from 1 to 64 bytes, and the generator's packed, aligned,
/// bitfield and 128-bit records, through callbacks: C calls the callback with a struct of
/// graffiti values and returns what it returned; a native C identity function gives the
/// reference.
#[test]
fn generated_structs_of_every_size_through_callbacks() {
    let g = callgen::generate(0xcb, 0);
    let mut c = String::from("#include <string.h>\n");
    let decls = callgen::struct_decls(&g.structs);
    c.push_str(&decls);
    let mut cdef = decls.clone();
    // x86-64 refuses records aligned to 32 as arguments.
    let passed = |s: &callgen::StructDef| cfg!(target_arch = "aarch64") || s.align <= 16;
    for s in g.structs.iter().filter(|s| passed(s)) {
        let n = &s.name;
        c.push_str(&format!(
            "struct {n} cb_{n}(struct {n} (*cb)(struct {n}, int), struct {n} x) {{ return cb(x, 7); }}\n\
             struct {n} id_{n}(struct {n} x, int k) {{ (void)k; return x; }}\n"
        ));
        cdef.push_str(&format!(
            "struct {n} cb_{n}(struct {n} (*cb)(struct {n}, int), struct {n} x);\n\
             struct {n} id_{n}(struct {n} x, int k);\n"
        ));
    }
    let path = rcffi_testkit::fixture::build_shared("callback-structs", &c, &["-O0"]).unwrap();
    let ffi = Ffi::default();
    ffi.cdef(&cdef).unwrap();
    // SAFETY: built from the same declarations.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let mut rng = rcffi_testkit::generate::Rng::new(0xcb);
    for (i, s) in g.structs.iter().enumerate().filter(|(_, s)| passed(s)) {
        let n = &s.name;
        // A value with graffiti in every leaf.
        let value = graffiti(&g, Ty::Struct(i), &mut rng);
        let x = ffi.new(format!("struct {n} *").as_str(), value).unwrap();
        let sig = format!("struct {n}(*)(struct {n}, int)");
        let rc = ffi
            .callback(sig.as_str(), |a| -> rcffi::Result<Value> {
                assert_eq!(a.get_as::<i32>(1)?, 7);
                a.get(0)
            })
            .unwrap_or_else(|e| panic!("{n}: {e}"));
        let native = lib.get(&format!("id_{n}")).unwrap();
        let via_rc = cd(call!(lib, format!("cb_{n}").as_str(), (&rc, x.get(0).unwrap())).unwrap());
        let via_native =
            cd(call!(lib, format!("cb_{n}").as_str(), (native, x.get(0).unwrap())).unwrap());
        let bytes = |c: &rcffi::CData| {
            ffi.buffer(&ffi.addressof(c, "").unwrap(), None)
                .unwrap()
                .to_vec()
                .unwrap()
        };
        let want = ffi.buffer(&x, None).unwrap().to_vec().unwrap();
        let leaves = leaf_offsets(&ffi, &g, i);
        for (path, place) in leaves {
            // A bitfield has no offset: compared by its value.
            let Some((off, len)) = place else {
                let want = x.get(0).unwrap().cdata().unwrap().field(&path).unwrap();
                assert_eq!(via_rc.field(&path).unwrap(), want, "{n}.{path} (rcffi)");
                assert_eq!(
                    via_native.field(&path).unwrap(),
                    want,
                    "{n}.{path} (native)"
                );
                continue;
            };
            assert_eq!(
                bytes(&via_rc)[off..off + len],
                want[off..off + len],
                "struct {n} ({} bytes) leaf {path} through an rcffi callback",
                s.size
            );
            assert_eq!(
                bytes(&via_native)[off..off + len],
                want[off..off + len],
                "{n} native"
            );
        }
    }
}

/// A value of type `t` with random leaves.
fn graffiti(g: &callgen::CallLib, t: Ty, rng: &mut rcffi_testkit::generate::Rng) -> Value {
    match t {
        Ty::Scalar(s) => match s {
            Scalar::Char => Value::Bytes(vec![1 + (rng.below(126) as u8)].into()),
            Scalar::Float | Scalar::Double => Value::Float((rng.below(1 << 20) as f64) / 64.0),
            Scalar::FloatComplex | Scalar::DoubleComplex => rcffi::list![
                (rng.below(1 << 20) as f64) / 64.0,
                -((rng.below(1 << 20) as f64) / 64.0)
            ],
            Scalar::UChar => Value::Int(i128::from(rng.below(256))),
            Scalar::Short => Value::Int(i128::from(rng.below(1 << 15))),
            Scalar::Int => Value::Int(i128::from(rng.below(1 << 31))),
            _ => Value::Int(i128::from(rng.below(1 << 62))),
        },
        Ty::Struct(i) => Value::List(
            g.structs[i]
                .members
                .iter()
                .map(|m| match m {
                    Member::Scalar(s) => graffiti(g, Ty::Scalar(*s), rng),
                    Member::Array(s, n) => {
                        Value::List((0..*n).map(|_| graffiti(g, Ty::Scalar(*s), rng)).collect())
                    }
                    Member::Struct(j) => graffiti(g, Ty::Struct(*j), rng),
                    Member::Union(ms) => Value::List(vec![graffiti(g, Ty::Scalar(ms[0]), rng)]),
                    // A bitfield: a value its width holds, signed or not.
                    Member::Bits(_, w) => Value::Int(i128::from(rng.below(1 << (w - 1).min(62)))),
                })
                .collect(),
        ),
    }
}

/// Every scalar leaf of struct `i`: path, and offset and size (`None` for a bitfield).
type Leaves = Vec<(String, Option<(usize, usize)>)>;

/// See [`Leaves`].
fn leaf_offsets(ffi: &Ffi, g: &callgen::CallLib, i: usize) -> Leaves {
    fn walk(g: &callgen::CallLib, i: usize, path: &str, out: &mut Vec<(String, usize)>) {
        for (k, m) in g.structs[i].members.iter().enumerate() {
            let p = if path.is_empty() {
                format!("m{k}")
            } else {
                format!("{path}.m{k}")
            };
            match m {
                Member::Scalar(s) => out.push((p, s.size_align().0)),
                Member::Array(s, n) => {
                    for j in 0..*n {
                        out.push((format!("{p}[{j}]"), s.size_align().0));
                    }
                }
                Member::Struct(j) => walk(g, *j, &p, out),
                Member::Union(ms) => out.push((format!("{p}.v0"), ms[0].size_align().0)),
                Member::Bits(..) => out.push((p, 0)),
            }
        }
    }
    let mut paths = Vec::new();
    walk(g, i, "", &mut paths);
    let name = format!("struct {}", g.structs[i].name);
    paths
        .into_iter()
        .map(|(p, len)| {
            if len == 0 {
                return (p, None);
            }
            let off = ffi.offsetof(name.as_str(), &p).unwrap() as usize;
            (p, Some((off, len)))
        })
        .collect()
}

/// A callback that fails while C runs a function whose struct result comes back through
/// memory (its cdata made before the call, `call`; the call's own buffer, `call_into`): the
/// call returns the callback's error, `out` keeps what it held, and the next call, whose
/// callback succeeds, returns the struct C built.
#[test]
fn a_failing_callback_fails_a_call_whose_struct_result_comes_back_through_memory() {
    let src = "typedef struct { long long v[8]; } big_t;\n\
               big_t big_from_cb(int (*cb)(int), int x) {\n\
                   big_t r; for (int i = 0; i < 8; i++) r.v[i] = cb(x + i); return r;\n\
               }\n";
    let path = rcffi_testkit::fixture::build_shared("callback-big-result", src, &["-O1"]).unwrap();
    let ffi = Ffi::default();
    ffi.cdef("typedef struct { long long v[8]; } big_t; big_t big_from_cb(int (*cb)(int), int x);")
        .unwrap();
    // SAFETY: the library is built from `src`, which the cdef declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let f = lib.function("big_from_cb").unwrap();
    let cb = ffi
        .callback("int(*)(int)", |a| {
            let x = a.get_as::<i32>(0)?;
            if x == 13 {
                return Err(rcffi::Error::Value("thirteen".into()));
            }
            Ok(x * 2)
        })
        .unwrap();
    let out = ffi.new("big_t *", ()).unwrap();
    let items = |c: &rcffi::CData| -> Vec<i64> {
        let v = cd(c.field("v").unwrap());
        (0..8).map(|i| v.get_as::<i64>(i).unwrap()).collect()
    };
    for x in [10, 20, 6, 0] {
        let fails = (x..x + 8).contains(&13);
        let want: Vec<i64> = (x..x + 8).map(|k| i64::from(k) * 2).collect();
        // SAFETY: big_from_cb takes a callback of its type and an int.
        let r = unsafe { f.call((&cb, x)) };
        let before = items(&out);
        // SAFETY: as above; `out` is a big_t.
        let into = unsafe { f.call_into(&out, (&cb, x)) };
        if fails {
            let e = r.expect_err("the callback failed");
            assert!(e.to_string().contains("thirteen"), "{e}");
            assert!(into.is_err(), "call_into of {x}");
            assert_eq!(items(&out), before, "out after a failed call of {x}");
        } else {
            assert_eq!(items(&cd(r.unwrap())), want, "call of {x}");
            into.unwrap();
            assert_eq!(items(&out), want, "call_into of {x}");
        }
    }
}

/// C calls a callback five times within one call, and each time the callback makes a call of
/// its own: once one of them has failed, the calls the later ones make still succeed (that
/// failure is the outer call's, not theirs), and the outer call returns that first failure
/// as it was.
#[test]
fn a_callbacks_failure_stays_with_its_call_while_later_callbacks_make_calls() {
    let src = "int each(int (*cb)(int), int n) { int s = 0; for (int i = 0; i < n; i++) s += cb(i); return s; }\n\
               int twice(int x) { return 2 * x; }\n";
    let path = rcffi_testkit::fixture::build_shared("callback-each", src, &["-O1"]).unwrap();
    let ffi = Ffi::default();
    ffi.cdef("int each(int (*cb)(int), int n); int twice(int x);")
        .unwrap();
    // SAFETY: the library is built from `src`, which the cdef declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let (each, twice) = (
        lib.function("each").unwrap(),
        lib.function("twice").unwrap(),
    );
    let inner = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = inner.clone();
    let cb = ffi
        .callback("int(*)(int)", move |a| {
            let i = a.get_as::<i32>(0)?;
            // SAFETY: twice takes an int.
            let r = unsafe { twice.call((i,)) };
            seen.lock()
                .unwrap()
                .push(r.as_ref().map(|_| ()).map_err(|e| e.to_string()));
            if i == 2 {
                return Err(rcffi::Error::Value("the third".into()));
            }
            Ok(r?.try_into().unwrap_or(0i32))
        })
        .unwrap();
    // SAFETY: each takes a callback of its type and a count.
    let e = unsafe { each.call((&cb, 5)) }.expect_err("the third callback failed");
    assert_eq!(
        *inner.lock().unwrap(),
        vec![Ok(()); 5],
        "the calls the callbacks made"
    );
    let text = e.to_string();
    assert!(text.ends_with("the third"), "{text}");
    assert_eq!(text.matches("failed, and C received").count(), 1, "{text}");
    // SAFETY: as above.
    assert_eq!(unsafe { each.call((&cb, 2)) }.unwrap(), 2.into(), "0 + 2");
}

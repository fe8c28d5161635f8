//! Variadic calls of every mix the fixture's `vmix` reads — `int`, `long long`, `double`,
//! strings, pointers and `struct pt` by value, 0 to 40 of them — against what C computes from
//! them. Past six integers and eight doubles the arguments go on the stack, and every call with
//! a `double` in it needs `%al` set on x86-64, which the register path's variadic call does.

use std::ffi::CString;

use rcffi::{Ffi, Value, list};

use super::fixture;

/// A seeded xorshift generator (the tests stay reproducible).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_mixes_of_variadic_arguments_are_what_c_reads() {
    let (ffi, lib) = fixture();
    let vmix = lib.function("vmix").unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..400 {
        let n = rng.below(41) as usize;
        let mut fmt = String::new();
        let mut args: Vec<Value> = Vec::new();
        let mut want: i64 = 0;
        for k in 0..n {
            // vmix weighs the format's k-th letter by k + 1.
            let w = k as i64 + 1;
            match rng.below(6) {
                0 => {
                    let v = rng.next() as i32;
                    fmt.push('i');
                    args.push(v.into());
                    want = want.wrapping_add(w * i64::from(v));
                }
                1 => {
                    // Outside `int`'s range, so that it is promoted to `long long`.
                    let v = (rng.next() as i64 >> 8) | (1 << 40);
                    fmt.push('l');
                    args.push(v.into());
                    want = want.wrapping_add(w.wrapping_mul(v));
                }
                2 => {
                    // Quarters: exact in a double, and times 4 an integer.
                    let v = (rng.below(1 << 20) as f64 - (1 << 19) as f64) / 4.0;
                    fmt.push('d');
                    args.push(v.into());
                    want = want.wrapping_add(w * (v * 4.0) as i64);
                }
                3 => {
                    let len = rng.below(12) as usize;
                    fmt.push('s');
                    args.push("x".repeat(len).as_str().into());
                    want = want.wrapping_add(w * len as i64);
                }
                4 => {
                    let addr = rng.next() as usize | 1;
                    fmt.push('p');
                    args.push(ffi.cast("void *", addr).unwrap().into());
                    want = want.wrapping_add(w * (addr & 0xffff) as i64);
                }
                _ => {
                    let (x, y) = (rng.below(1000) as i32, rng.below(100) as i32);
                    let pt = ffi.new("struct pt *", list![x, y]).unwrap().get(0).unwrap();
                    fmt.push('P');
                    args.push(pt);
                    want = want.wrapping_add(w * i64::from(x * 100 + y));
                }
            }
        }
        let mut all: Vec<Value> = vec![fmt.as_str().into()];
        all.extend(args);
        // SAFETY: vmix reads one argument of each kind its format names, as passed.
        let got = unsafe { vmix.call(&all[..]) }.unwrap();
        assert_eq!(
            got,
            Value::Int(want.into()),
            "round {round}: format {fmt:?}"
        );
    }
}

/// What `vmix` computes from its arguments: each argument's worth, weighted by its place.
fn weighed(worths: &[i64]) -> Value {
    let s = worths
        .iter()
        .zip(1i64..)
        .fold(0i64, |s, (v, w)| s.wrapping_add(w.wrapping_mul(*v)));
    Value::Int(s.into())
}

/// Tuples of Rust values take the direct path for variadic functions (`call::plain`): each
/// Rust type in the variadic part passes as the converting path promotes it — narrow integers
/// and small values as `int`, the rest as `long long`, `f32` widened to `double`, C strings
/// and pointer or array cdata as their address. The same calls as lists of `Value`s (the
/// converting path) and C's own sum agree, in registers and past them.
#[test]
fn tuples_in_a_variadic_part_pass_as_their_promoted_types() {
    let (ffi, lib) = fixture();
    let vmix = lib.function("vmix").unwrap();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let quarter = |rng: &mut Rng| (rng.below(1 << 16) as f64 - (1 << 15) as f64) / 4.0;
    let ints = ffi.new("int[3]", ()).unwrap();
    let chars = ffi.new("char[8]", ()).unwrap();
    let low = |c: &rcffi::CData| (c.address() & 0xffff) as i64;
    for round in 0..200 {
        let a = rng.next() as i32;
        let b = rng.next() as i8;
        let c = rng.next() as u16;
        // An `i64` that fits an `int` and one that does not, a `u32` above `int`'s range.
        let small = i64::from(rng.next() as i32);
        let big = (rng.next() as i64 >> 8) | (1 << 40);
        let wide = u32::MAX - rng.below(1000) as u32;
        let (x, y) = (quarter(&mut rng), quarter(&mut rng) as f32);
        let text = CString::new("z".repeat(rng.below(20) as usize)).unwrap();
        let len = text.as_bytes().len() as i64;
        // SAFETY: vmix reads one argument of each kind its format names, as passed.
        unsafe {
            let got = vmix
                .call((c"iiiildds", a, b, c, small, big, x, y, &text))
                .unwrap();
            let want = weighed(&[
                a.into(),
                b.into(),
                c.into(),
                small,
                big,
                (x * 4.0) as i64,
                (f64::from(y) * 4.0) as i64,
                len,
            ]);
            assert_eq!(got, want, "round {round}");
            let list: Vec<Value> = vec![
                "iiiildds".into(),
                a.into(),
                b.into(),
                c.into(),
                small.into(),
                big.into(),
                x.into(),
                y.into(),
                text.to_str().unwrap().into(),
            ];
            assert_eq!(vmix.call(list).unwrap(), want, "round {round}, as values");
            // A `bool`: an `int`, 0 or 1.
            let flag = rng.below(2) == 1;
            let got = vmix.call((c"ii", flag, a)).unwrap();
            assert_eq!(got, weighed(&[i64::from(flag), a.into()]), "round {round}");
            let list: Vec<Value> = vec!["ii".into(), flag.into(), a.into()];
            assert_eq!(vmix.call(list).unwrap(), got, "round {round}, as values");
            // `None` of an `Option<&CData>`: a NULL `void *`, as the converting path's.
            let got = vmix.call((c"pi", None::<&rcffi::CData>, a)).unwrap();
            assert_eq!(got, weighed(&[0, a.into()]), "round {round}");
            let list = vec![
                rcffi::Arg::CStr(c"pi"),
                rcffi::Arg::Null,
                rcffi::Arg::Int(a.into()),
            ];
            assert_eq!(vmix.call(list).unwrap(), got, "round {round}, converted");
            // `u32` above `int`: a `long long`. Pointers and arrays: their address.
            let got = vmix
                .call((
                    c"lppp",
                    wide,
                    &ints,
                    Value::CData(chars.clone()),
                    chars.clone(),
                ))
                .unwrap();
            assert_eq!(
                got,
                weighed(&[wide.into(), low(&ints), low(&chars), low(&chars)])
            );
            // Nine doubles (one past the vector registers) and seven integers after the
            // format (one past the integer registers): the stack words.
            let d: Vec<f64> = (0..9).map(|_| quarter(&mut rng)).collect();
            let i: Vec<i32> = (0..6).map(|_| rng.next() as i32).collect();
            let got = lib
                .call(
                    "vmix",
                    (
                        c"dddddddddiiiiii",
                        d[0],
                        d[1],
                        d[2],
                        d[3],
                        d[4],
                        d[5],
                        d[6],
                        d[7],
                        d[8],
                        i[0],
                        i[1],
                        i[2],
                        i[3],
                        i[4],
                        i[5],
                    ),
                )
                .unwrap();
            let mut worths: Vec<i64> = d.iter().map(|v| (v * 4.0) as i64).collect();
            worths.extend(i.iter().map(|v| i64::from(*v)));
            assert_eq!(got, weighed(&worths), "round {round}: past the registers");
        }
    }
}

/// What the direct path does not take in a variadic part goes the converting way, with its
/// results and errors: a struct by value, a cdata of another `ffi` object, a number cdata.
#[test]
fn variadic_tuples_the_direct_path_does_not_take_convert_as_before() {
    let (ffi, lib) = fixture();
    let pt = ffi.new("struct pt *", list![3, 4]).unwrap().get(0).unwrap();
    let other = Ffi::default();
    let foreign = other.new("int[2]", ()).unwrap();
    let n = ffi.cast("int", 7).unwrap();
    // SAFETY: vmix reads one argument of each kind its format names, as passed; the refused
    // call reaches no C.
    unsafe {
        assert_eq!(lib.call("vmix", (c"P", &pt)).unwrap(), weighed(&[304]));
        assert_eq!(lib.call("vmix", (c"ii", 5, &n)).unwrap(), weighed(&[5, 7]));
        let e = lib.call("vmix", (c"p", &foreign)).unwrap_err().to_string();
        assert!(e.contains("argument 2") && e.contains("another ffi"), "{e}");
        // Too few arguments for the fixed part: refused by name.
        let e = lib.call("vmix", ()).unwrap_err().to_string();
        assert!(e.contains("at least 1"), "{e}");
    }
}

#[test]
fn doubles_past_the_vector_registers_and_ints_past_the_integer_ones() {
    let (_ffi, lib) = fixture();
    for n in 0..=20i32 {
        let mut args: Vec<Value> = vec![n.into()];
        args.extend((1..=n).map(|i| Value::Float(f64::from(i) * 0.5)));
        // SAFETY: vsumd reads `n` doubles.
        let got = unsafe { lib.call("vsumd", &args[..]) }.unwrap();
        assert_eq!(
            got,
            Value::Float(f64::from(n * (n + 1)) / 4.0),
            "{n} doubles"
        );
        let mut args: Vec<Value> = vec![n.into()];
        args.extend((1..=n).map(|i| Value::Int((i * 1000).into())));
        // SAFETY: vsum reads `n` ints.
        let got = unsafe { lib.call("vsum", &args[..]) }.unwrap();
        assert_eq!(got, Value::Int((500 * n * (n + 1)).into()), "{n} ints");
    }
}

/// What a variadic callee finds in `%al` (x86-64 System V): an upper bound of the vector
/// registers the call used, at most 8. The callee's prologue saves that many for `va_arg`, so
/// too small a value loses `double` arguments.
#[cfg(target_arch = "x86_64")]
#[test]
fn variadic_calls_give_the_callee_an_upper_bound_of_vector_registers_in_al() {
    const SRC: &str = r#"
        /* Returns %al as the callee found it, before anything else runs. */
        __asm__(".globl al_at_entry\n"
                ".type al_at_entry, @function\n"
                "al_at_entry:\n"
                "    movzbl %al, %eax\n"
                "    ret\n");
    "#;
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let (_ffi, lib, _) =
        super::probe_with_libm(&PATH, "alprobe", SRC, "int al_at_entry(int n, ...);");
    let al = |args: &[Value]| -> i128 {
        // SAFETY: the probe reads no argument; any arguments may be passed.
        match unsafe { lib.call("al_at_entry", args) }.unwrap() {
            Value::Int(i) => i,
            other => panic!("{other:?}"),
        }
    };
    // A tuple (the direct path) sets it too.
    // SAFETY: as above.
    let tuple = unsafe { lib.call("al_at_entry", (3, 0.5, 1.5f32, 2.5)) }.unwrap();
    assert!(
        matches!(tuple, Value::Int(3..=8)),
        "%al was {tuple:?} for 3 doubles"
    );
    for doubles in 0..=10 {
        let mut args: Vec<Value> = vec![Value::Int(doubles)];
        args.extend((0..doubles).map(|i| Value::Float(i as f64)));
        args.push(Value::Int(1 << 40));
        let got = al(&args);
        assert!(
            got >= doubles.min(8) && got <= 8,
            "%al was {got} for {doubles} doubles"
        );
    }
}

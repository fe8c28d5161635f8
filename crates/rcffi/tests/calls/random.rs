//! Seeded random signatures (rcffi_testkit::callgen): structs of every size from 1 to 64 bytes
//! and every scalar type (`long double`s with more bits than an `f64`, `float` and `double
//! _Complex`, also as struct members, `__int128`), records packed, aligned to 16 and 32, with
//! bitfields of every width and 128-bit members, 1..16 parameters, called through rcffi with
//! graffiti values as a list, as a tuple of `&Value`s, and again with the result written into
//! a cdata the test gives (`call_into`). The generated C functions record every leaf of every argument as they
//! received it and return known values, so a mismatch names the leaf that slid.
//!
//! 500 signatures by default; `RCFFI_CALLGEN_SIGNATURES=20000` for more, and
//! `RCFFI_CALLGEN_SEED=<n>` for another seed.

use rcffi::{Ffi, Value};
use rcffi_testkit::callgen::{self, CallLib, Func, Scalar, Ty, build, prototype};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Checks a result against the leaves `ret<i>` holds.
fn check_result(ffi: &Ffi, g: &CallLib, f: &Func, got: &Value) -> Result<(), String> {
    match f.ret {
        None if *got == Value::Void => Ok(()),
        None => Err(format!("void result is {got}")),
        Some(t) => {
            callgen::check_value(ffi, g, t, &f.result, got, "result", super::under_valgrind())
        }
    }
}

/// Checks what function `i` recorded of its arguments, called with them as `how`.
fn check_record(
    (ffi, g, lib): (&Ffi, &CallLib, &rcffi::Lib),
    (i, f): (usize, &Func),
    how: &str,
    out: &mut Vec<String>,
) {
    let rec = lib
        .get(&format!("rec{i}"))
        .and_then(|r| r.cdata())
        .and_then(|r| ffi.buffer(&r, None))
        .and_then(|b| b.to_vec())
        .expect("record");
    if rec[..f.expected_record().len()] != f.expected_record()[..] {
        let (k, leaf, want, have) = f.first_difference(&rec).expect("a difference");
        out.push(format!(
            "{} ({how}): argument {k} leaf {leaf}: C received {have:02x?}, expected {want:02x?}",
            prototype(g, f)
        ));
    }
}

/// The call of `f` with `a` as a tuple of `&Value`s (`None` past 16, a tuple's most).
fn call_tuple(f: &rcffi::Function, a: &[Value]) -> Option<rcffi::Result<Value>> {
    macro_rules! tuple {
        ($($i:literal)*) => {
            // SAFETY: the generated function takes these parameter types; it only copies
            // bytes.
            unsafe { f.call(($(&a[$i],)*)) }
        };
    }
    Some(match a.len() {
        // SAFETY: as above.
        0 => unsafe { f.call(()) },
        1 => tuple!(0),
        2 => tuple!(0 1),
        3 => tuple!(0 1 2),
        4 => tuple!(0 1 2 3),
        5 => tuple!(0 1 2 3 4),
        6 => tuple!(0 1 2 3 4 5),
        7 => tuple!(0 1 2 3 4 5 6),
        8 => tuple!(0 1 2 3 4 5 6 7),
        9 => tuple!(0 1 2 3 4 5 6 7 8),
        10 => tuple!(0 1 2 3 4 5 6 7 8 9),
        11 => tuple!(0 1 2 3 4 5 6 7 8 9 10),
        12 => tuple!(0 1 2 3 4 5 6 7 8 9 10 11),
        13 => tuple!(0 1 2 3 4 5 6 7 8 9 10 11 12),
        14 => tuple!(0 1 2 3 4 5 6 7 8 9 10 11 12 13),
        15 => tuple!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14),
        16 => tuple!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15),
        _ => return None,
    })
}

#[test]
fn random_signatures_pass_every_leaf_intact() {
    let seed = env_number("RCFFI_CALLGEN_SEED", 0x5eed);
    let count = env_number("RCFFI_CALLGEN_SIGNATURES", 500) as usize;
    let g = callgen::generate(seed, count);
    let path = rcffi_testkit::fixture::build_shared("callgen", &g.c_source, &["-O0"])
        .expect("gcc builds the generated library");
    let ffi = Ffi::default();
    ffi.cdef(&g.cdef).expect("generated cdef");
    // SAFETY: the library is compiled from the same generator output as the cdef.
    let lib = unsafe { ffi.dlopen(path.to_str().expect("utf-8")) }.expect("dlopen");
    let mut failures = Vec::new();
    for (i, f) in g.funcs.iter().enumerate() {
        let args: Vec<Value> = f
            .params
            .iter()
            .zip(&f.args)
            .enumerate()
            .map(|(k, (t, leaves))| {
                let v = build(&ffi, &g, *t, &mut leaves.iter());
                // Every other struct argument as a struct cdata, the rest as lists.
                match t {
                    Ty::Struct(s) if (i + k) % 2 == 0 => {
                        let ty = format!("struct {} *", g.structs[*s].name);
                        ffi.new(ty.as_str(), v).expect("new").get(0).expect("item")
                    }
                    _ => v,
                }
            })
            .collect();
        if let Some(t) = f.ret {
            // The same call with its result written into a cdata the test gives (`call_into`):
            // the same leaves, read back from that memory.
            let out = ffi
                .new(format!("{} *", callgen::c_type(&g.structs, t)).as_str(), ())
                .expect("new");
            let func = lib.function(&f.name).expect("function");
            // SAFETY: as below.
            match unsafe { func.call_into(&out, args.clone()) } {
                Ok(()) => {
                    let into = out.get(0).expect("the result");
                    if let Err(e) = check_result(&ffi, &g, f, &into) {
                        failures.push(format!("{} (call_into): {e}", prototype(&g, f)));
                    }
                }
                Err(e) => failures.push(format!("{}: call_into failed: {e}", prototype(&g, f))),
            }
        }
        // The same call with the values in a tuple (`&Value`s, up to 16): a value's number
        // straight into its register, the rest converted. It records what it received, as
        // the list's call below does, over it.
        if let Some(got) = call_tuple(&lib.function(&f.name).expect("function"), &args) {
            match got {
                Ok(got) => {
                    if let Err(e) = check_result(&ffi, &g, f, &got) {
                        failures.push(format!("{} (a tuple): {e}", prototype(&g, f)));
                    }
                    check_record((&ffi, &g, &lib), (i, f), "a tuple", &mut failures);
                }
                Err(e) => {
                    failures.push(format!("{} (a tuple): call failed: {e}", prototype(&g, f)))
                }
            }
        }
        // SAFETY: the generated function takes these parameter types; it only copies bytes.
        let got = match unsafe { lib.call(&f.name, args) } {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: call failed: {e}", prototype(&g, f)));
                continue;
            }
        };
        check_record((&ffi, &g, &lib), (i, f), "a list", &mut failures);
        if let Err(e) = check_result(&ffi, &g, f, &got) {
            failures.push(format!("{}: {e}", prototype(&g, f)));
        }
    }
    // Signatures whose arguments all travel in registers take the direct path without libffi
    // (call::native); enough of them must be among these.
    let native = g
        .funcs
        .iter()
        .filter(|f| {
            // Plain numbers and pointers (`char` and `_Bool` convert as characters and truth
            // values, through the general path).
            let scalar = |t: &Ty| match t {
                Ty::Scalar(s) => !matches!(
                    s,
                    Scalar::LongDouble
                        | Scalar::Char
                        | Scalar::Bool
                        | Scalar::FloatComplex
                        | Scalar::DoubleComplex
                        | Scalar::Int128
                        | Scalar::UInt128
                ),
                Ty::Struct(k) => g.structs[*k].size <= 16 && g.structs[*k].is_plain(),
            };
            let floats = f
                .params
                .iter()
                .filter(|t| matches!(t, Ty::Scalar(Scalar::Float | Scalar::Double)))
                .count();
            let structs = f
                .params
                .iter()
                .filter(|t| matches!(t, Ty::Struct(_)))
                .count();
            f.params.iter().all(scalar)
                && floats <= 8
                && f.params.len() - floats + structs <= 6
                && f.ret.as_ref().is_none_or(scalar)
        })
        .count();
    assert!(
        native >= count / 10,
        "only {native} of {count} signatures use registers only"
    );
    assert!(
        failures.is_empty(),
        "seed {seed:#x}: {} of {count} signatures failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

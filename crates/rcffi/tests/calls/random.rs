//! Seeded random signatures (rcffi_testkit::callgen): structs of every size from 1 to 64 bytes
//! and every scalar type (`long double`s with more bits than an `f64`, `float` and `double
//! _Complex`, also as struct members, `__int128`), records packed, aligned to 16 and 32, with
//! bitfields of every width and 128-bit members, 1..16 parameters, called through rcffi with
//! graffiti values. The
//! generated C functions record every leaf of every argument as they received it and return
//! known values, so a mismatch names the leaf that slid.
//!
//! 500 signatures by default; `RCFFI_CALLGEN_SIGNATURES=20000` for more, and
//! `RCFFI_CALLGEN_SEED=<n>` for another seed.

use rcffi::{CData, Ffi, Value};
use rcffi_testkit::callgen::{self, CallLib, Func, LeafValue, Member, Scalar, Ty};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The value rcffi is given for a scalar leaf.
fn leaf_value(ffi: &Ffi, s: Scalar, v: &LeafValue) -> Value {
    match (s, v) {
        (Scalar::Char, LeafValue::Int(i)) => Value::Bytes(vec![*i as u8]),
        (Scalar::Bool, LeafValue::Int(i)) => Value::Bool(*i != 0),
        (Scalar::UInt128, LeafValue::Int(i)) => Value::from(*i as u128),
        (_, LeafValue::Int(i)) => Value::Int(*i),
        (_, LeafValue::Float(x)) => Value::Float(*x),
        (_, LeafValue::Ptr(p)) => Value::CData(ffi.cast("void *", *p).expect("cast")),
        // A long double with more bits than an f64: its exact hexadecimal text.
        (_, LeafValue::Dyadic(k, shift)) => Value::Text(callgen::dyadic_text(*k, *shift)),
        (_, LeafValue::Complex(re, im)) => Value::List(vec![Value::Float(*re), Value::Float(*im)]),
    }
}

/// The value of type `t` built from the leaves, in order (structs as nested lists).
fn build(ffi: &Ffi, g: &CallLib, t: Ty, leaves: &mut std::slice::Iter<'_, callgen::Leaf>) -> Value {
    match t {
        Ty::Scalar(s) => {
            let l = leaves.next().expect("a leaf per scalar");
            leaf_value(ffi, s, &l.value)
        }
        Ty::Struct(i) => Value::List(
            g.structs[i]
                .members
                .iter()
                .map(|m| match m {
                    Member::Scalar(s) => build(ffi, g, Ty::Scalar(*s), leaves),
                    Member::Array(s, n) => Value::List(
                        (0..*n)
                            .map(|_| build(ffi, g, Ty::Scalar(*s), leaves))
                            .collect(),
                    ),
                    Member::Struct(j) => build(ffi, g, Ty::Struct(*j), leaves),
                    Member::Bits(s, _) => build(ffi, g, Ty::Scalar(*s), leaves),
                    // A union takes its first member, in a one-item list.
                    Member::Union(ms) => {
                        Value::List(vec![build(ffi, g, Ty::Scalar(ms[0]), leaves)])
                    }
                })
                .collect(),
        ),
    }
}

fn prototype(g: &CallLib, f: &Func) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .enumerate()
        .map(|(k, t)| format!("{} a{k}", callgen::c_type(&g.structs, *t)))
        .collect();
    let ret = f
        .ret
        .map_or("void".to_string(), |t| callgen::c_type(&g.structs, t));
    format!("{ret} {}({})", f.name, params.join(", "))
}

/// Checks a result against the leaves `ret<i>` holds.
fn check_result(ffi: &Ffi, g: &CallLib, f: &Func, got: &Value) -> Result<(), String> {
    let Some(t) = f.ret else {
        return if *got == Value::Void {
            Ok(())
        } else {
            Err(format!("void result is {got}"))
        };
    };
    match t {
        Ty::Scalar(s) => {
            let want = &f.result[0].value;
            let ok = match (s, want, got) {
                (Scalar::LongDouble, LeafValue::Dyadic(k, shift), Value::CData(c)) => {
                    let text = callgen::dyadic_text(*k, *shift);
                    let want = rcffi::LongDouble::parse(&text, callgen::long_double_format()).ok();
                    if cfg!(target_arch = "x86_64") && super::under_valgrind() {
                        // A result in st0 passes valgrind's 64-bit x87: compare as doubles.
                        c.to_f64().ok() == want.map(|w| w.to_f64())
                    } else {
                        c.to_long_double().ok() == want
                    }
                }
                (Scalar::Ptr, LeafValue::Ptr(p), Value::CData(c)) => c.address() as u64 == *p,
                _ => leaf_value(ffi, s, want) == *got,
            };
            if ok {
                Ok(())
            } else {
                Err(format!("result: expected {want:?}, got {got}"))
            }
        }
        Ty::Struct(i) => {
            let c: CData = got.clone().cdata().map_err(|e| e.to_string())?;
            let bytes = ffi
                .addressof(&c, "")
                .and_then(|p| ffi.buffer(&p, None))
                .and_then(|b| b.to_vec())
                .map_err(|e| e.to_string())?;
            let name = format!("struct {}", g.structs[i].name);
            for l in &f.result {
                // A bitfield has no offset: compared by its value.
                if l.bitfield {
                    let got = c.field(&l.path[1..]).map_err(|e| e.to_string())?;
                    if got != leaf_value(ffi, l.scalar, &l.value) {
                        return Err(format!(
                            "result{}: expected {:?}, got {got}",
                            l.path, l.value
                        ));
                    }
                    continue;
                }
                let off = ffi
                    .offsetof(name.as_str(), &l.path[1..])
                    .map_err(|e| e.to_string())? as usize;
                let want = l.value.bytes(l.scalar);
                let have = &bytes[off..off + want.len()];
                if want != have {
                    return Err(format!(
                        "result{}: {}: expected bytes {want:02x?}, got {have:02x?}",
                        l.path,
                        l.scalar.c_name()
                    ));
                }
            }
            Ok(())
        }
    }
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
        // SAFETY: the generated function takes these parameter types; it only copies bytes.
        let got = match unsafe { lib.call(&f.name, args) } {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: call failed: {e}", prototype(&g, f)));
                continue;
            }
        };
        let rec = lib
            .get(&format!("rec{i}"))
            .and_then(|r| r.cdata())
            .and_then(|r| ffi.buffer(&r, None))
            .and_then(|b| b.to_vec())
            .expect("record");
        if rec[..f.expected_record().len()] != f.expected_record()[..] {
            let (k, leaf, want, have) = f.first_difference(&rec).expect("a difference");
            failures.push(format!(
                "{}: argument {k} leaf {leaf}: C received {have:02x?}, expected {want:02x?}",
                prototype(&g, f)
            ));
        }
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

//! The random signatures of `tests/calls/random.rs` in the other direction: for each generated
//! signature, gcc-compiled `drive<i>` calls an rcffi callback of that type with graffiti
//! arguments (every leaf known to the test), and copies every leaf of what the callback
//! returns into `back<i>`. The callback checks each argument it receives, leaf by leaf, and
//! returns the known result; the test then compares `back<i>` byte for byte. Unions nested in
//! structs, bitfields of every width, packed and aligned(16/32) records, `long double`,
//! complex numbers and `__int128`, in registers and on the stack.
//!
//! 500 signatures by default; `RCFFI_CALLGEN_SIGNATURES=20000` for more, and
//! `RCFFI_CALLGEN_SEED=<n>` for another seed (the same variables as the call test).

use std::sync::{Arc, Mutex};

use rcffi::{Ffi, Value};
use rcffi_testkit::callgen::{self, CallLib, Func, Scalar};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether the tests run under valgrind (`scripts/memcheck.sh`), whose x87 is 64 bits wide.
fn under_valgrind() -> bool {
    std::env::var_os("RCFFI_VALGRIND").is_some()
}

/// `ret(*)(T0, T1, ...)` of `f`.
fn pointer_type(g: &CallLib, f: &Func) -> String {
    let ret = f
        .ret
        .map_or("void".to_string(), |t| callgen::c_type(&g.structs, t));
    let params: Vec<String> = f
        .params
        .iter()
        .map(|t| callgen::c_type(&g.structs, *t))
        .collect();
    format!("{ret}(*)({})", params.join(", "))
}

#[test]
fn random_signatures_reach_callbacks_intact() {
    let seed = env_number("RCFFI_CALLGEN_SEED", 0x5eed);
    let count = env_number("RCFFI_CALLGEN_SIGNATURES", 500) as usize;
    let g = Arc::new(callgen::generate(seed, count));
    let path = rcffi_testkit::fixture::build_shared("callgen", &g.c_source, &["-O0"])
        .expect("gcc builds the generated library");
    let ffi = Ffi::default();
    ffi.cdef(&g.cdef).expect("generated cdef");
    // SAFETY: the library is compiled from the same generator output as the cdef.
    let lib = unsafe { ffi.dlopen(path.to_str().expect("utf-8")) }.expect("dlopen");
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    for (i, f) in g.funcs.iter().enumerate() {
        let sig = pointer_type(&g, f);
        let cb = {
            let (g, ffi, failures) = (g.clone(), ffi.clone(), failures.clone());
            ffi.clone()
                .callback(sig.as_str(), move |a| -> rcffi::Result<Value> {
                    let f = &g.funcs[i];
                    for (k, (t, leaves)) in f.params.iter().zip(&f.args).enumerate() {
                        let got = a.get(k)?;
                        let what = format!("argument {k}");
                        if let Err(e) = callgen::check_value(
                            &ffi,
                            &g,
                            *t,
                            leaves,
                            &got,
                            &what,
                            under_valgrind(),
                        ) {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("{}: callback {e}", callgen::prototype(&g, f)));
                        }
                    }
                    Ok(match f.ret {
                        None => Value::Void,
                        Some(t) => callgen::build(&ffi, &g, t, &mut f.result.iter()),
                    })
                })
        };
        let cb = match cb {
            Ok(cb) => cb,
            Err(e) => {
                failures.lock().unwrap().push(format!(
                    "{}: callback refused: {e}",
                    callgen::prototype(&g, f)
                ));
                continue;
            }
        };
        let num = &f.name[1..];
        // SAFETY: drive<i> calls the callback, of the type it takes, once.
        if let Err(e) = unsafe { lib.call(&format!("drive{num}"), (&cb,)) } {
            failures
                .lock()
                .unwrap()
                .push(format!("{}: drive failed: {e}", callgen::prototype(&g, f)));
            continue;
        }
        let back = lib
            .get(&format!("back{num}"))
            .and_then(|r| r.cdata())
            .and_then(|r| ffi.buffer(&r, None))
            .and_then(|b| b.to_vec())
            .expect("back record");
        // Leaf by leaf: under valgrind, whose x87 is 64 bits wide, a `long double` that
        // passed through `st0` keeps only a double's precision, so those compare as doubles.
        let mut off = 0;
        for l in &f.result {
            let want = l.value.bytes(l.scalar);
            let have = &back[off..off + want.len()];
            off += want.len();
            let as_double = |b: &[u8]| {
                let mut x = [0u8; 16];
                x[..b.len()].copy_from_slice(b);
                rcffi::LongDouble::from_bytes(x, callgen::long_double_format()).to_f64()
            };
            let same = if l.scalar == Scalar::LongDouble
                && cfg!(target_arch = "x86_64")
                && under_valgrind()
            {
                as_double(have) == as_double(&want)
            } else {
                have == want
            };
            if !same {
                failures.lock().unwrap().push(format!(
                    "{}: result{}: C got back {have:02x?}, expected {want:02x?}",
                    callgen::prototype(&g, f),
                    l.path
                ));
                break;
            }
        }
    }
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "seed {seed:#x}: {} failures in {count} signatures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

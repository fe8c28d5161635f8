//! Callbacks entered without libffi's closure (the register trampolines of
//! `callback::entry`), past their 32 slots (libffi's closures again), slots given back and
//! taken again, and a callback called after its release.

use super::fixture;

#[test]
fn more_callbacks_than_trampolines_all_answer() {
    let (ffi, lib) = fixture();
    let cbs: Vec<_> = (0..80)
        .map(|k| {
            ffi.callback("int(*)(int)", move |a| {
                Ok::<_, rcffi::Error>(a.get_as::<i32>(0)? * 1000 + k)
            })
            .unwrap()
        })
        .collect();
    for (k, cb) in cbs.iter().enumerate() {
        // SAFETY: call_int_cb calls the callback once with its argument.
        let got = unsafe { lib.call("call_int_cb", (cb, 3)) }.unwrap();
        assert_eq!(got, (3000 + k as i32).into(), "callback {k}");
    }
    // Every other one released: their slots are taken again by new callbacks.
    let kept: Vec<_> = cbs.into_iter().step_by(2).collect();
    let again: Vec<_> = (0..40)
        .map(|k| {
            ffi.callback("double(*)(double, double)", move |a| {
                Ok::<_, rcffi::Error>(a.get_as::<f64>(0)? * a.get_as::<f64>(1)? + f64::from(k))
            })
            .unwrap()
        })
        .collect();
    for (k, cb) in again.iter().enumerate() {
        // SAFETY: call_double_cb calls the callback once with its arguments.
        let got = unsafe { lib.call("call_double_cb", (cb, 1.5, 4.0)) }.unwrap();
        assert_eq!(got, (6.0 + k as f64).into(), "callback {k}");
    }
    for (j, cb) in kept.iter().enumerate() {
        // SAFETY: as above.
        let got = unsafe { lib.call("call_int_cb", (cb, 1)) }.unwrap();
        assert_eq!(got, (1000 + 2 * j as i32).into(), "kept callback {j}");
    }
}

#[test]
fn a_released_callback_aborts_instead_of_running() {
    if std::env::var_os("RCFFI_RELEASED_CHILD").is_some() {
        let (ffi, lib) = fixture();
        let cb = ffi
            .callback("int(*)(int)", |a| {
                Ok::<_, rcffi::Error>(a.get_as::<i32>(0)? + 1)
            })
            .unwrap();
        let addr = cb.address();
        drop(cb);
        // Deliberately wrong: the address of a released callback, called again.
        let stale = ffi.cast("int(*)(int)", addr).unwrap();
        // SAFETY: not safe — this is the misuse the trampoline must stop.
        let _ = unsafe { lib.call("call_int_cb", (&stale, 1)) };
        std::process::exit(0);
    }
    let Some(out) = rcffi_testkit::fixture::rerun_self(
        "entry::a_released_callback_aborts_instead_of_running",
        "RCFFI_RELEASED_CHILD",
    ) else {
        return; // the test binary cannot start itself again here (qemu-user)
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the call after the release ran: {stderr}"
    );
    assert!(
        stderr.contains("a callback was called after it was released"),
        "{stderr}"
    );
}

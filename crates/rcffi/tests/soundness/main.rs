//! Soundness: no sequence of safe calls crashes, hangs, reads freed memory or gives a wrong
//! answer where it should give an error. Each test is named for what it checks and was found
//! by trying the safe API as a hostile user would (issue "Sound by construction"); each failed
//! before its fix (a panic, an abort, a hang, a wrong value, or freed memory read under Miri).

mod arithmetic;
mod by_value;
mod cross_ffi;
mod hangs;
mod keep_alive;
mod nesting;
mod one_shot;
mod panics;
mod symbols;
mod thread_exit;

use rcffi::Error;

/// Asserts `r` is an error whose message contains `needle`, and returns it.
#[track_caller]
pub(crate) fn err_has<T: std::fmt::Debug>(r: Result<T, Error>, needle: &str) -> Error {
    match r {
        Ok(v) => panic!("expected an error containing {needle:?}, got Ok({v:?})"),
        Err(e) => {
            assert!(
                e.to_string().contains(needle),
                "{e} does not contain {needle:?}"
            );
            e
        }
    }
}

/// Runs `f` on another thread and fails the test if it has not returned within `secs`
/// seconds (a deadlock), instead of hanging the test run. Under valgrind, where every step is
/// some fifty times slower, the limit is five times longer (a 10-second limit failed there
/// once on a loaded machine, and passed twice after).
#[track_caller]
pub(crate) fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let secs = if under_valgrind() { secs * 5 } else { secs };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .expect("did not return in time: a deadlock, or a hang")
}

/// Whether the tests run under valgrind (which preloads its own library), where every step
/// is some fifty times slower.
pub(crate) fn under_valgrind() -> bool {
    std::env::var("LD_PRELOAD").is_ok_and(|p| p.contains("vgpreload"))
}

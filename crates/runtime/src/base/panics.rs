//! Panics caught where they may not go on: their message, and their payload dropped without
//! letting a second panic (a payload whose own `Drop` panics) out. Callbacks use them where C
//! is the caller, and `gc` destructors where a drop is. No unsafe code.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Drops a panic's payload under `catch_unwind` (where C is the caller, or in a drop): a
/// payload whose own `Drop` panics gives another payload (usually a message), dropped the same
/// way; past a few of those, the last is leaked rather than let a panic out (into C, an
/// abort).
pub(crate) fn drop_payload(mut p: Box<dyn std::any::Any + Send>) {
    for _ in 0..4 {
        match catch_unwind(AssertUnwindSafe(move || drop(p))) {
            Ok(()) => return,
            Err(again) => p = again,
        }
    }
    std::mem::forget(p);
}

/// Runs `f` and keeps a panic in it inside: reported on stderr as `rcffi: {what} panicked:
/// {message}` (`what` made only then), its payload dropped by [`drop_payload`] — as cffi
/// reports an exception raised in a destructor. For user code a drop runs (a `gc`
/// destructor, an allocator's `free`, a callback's captures), where a panic let out would
/// abort the process while another unwinds, or in a thread-local's destructor.
pub(crate) fn reported(what: impl FnOnce() -> String, f: impl FnOnce()) {
    if let Err(p) = catch_unwind(AssertUnwindSafe(f)) {
        let message = panic_message(&*p);
        drop_payload(p);
        eprintln!("rcffi: {} panicked: {message}", what());
    }
}

/// A panic's message (a `&str` or `String` payload), or a stand-in.
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

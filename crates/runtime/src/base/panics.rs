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

/// A panic's message (a `&str` or `String` payload), or a stand-in.
pub(crate) fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

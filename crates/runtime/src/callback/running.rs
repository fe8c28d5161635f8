//! The memory of the calls running on this thread that pass a callback (`qsort`, `bsearch`,
//! `sqlite3_exec`), so that a pointer C hands the callback into that memory — the items qsort
//! compares, in the caller's own array — is a bounded view of it, readable without `unsafe`,
//! as a pointer such a call returns is (`call::adopt`). No unsafe code: the arguments are
//! cdata clones, which keep their memory alive as any cdata does.

use std::cell::RefCell;

use crate::data::{CData, Value, adopt_among};
use crate::mem::OwnerRef;

thread_local! {
    /// The pointer arguments of the running calls that pass a callback, innermost last.
    static RUNNING: RefCell<Vec<CData>> = const { RefCell::new(Vec::new()) };
}

/// A call that passes a callback is running, from [`Running::enter`] until it is dropped.
pub(crate) struct Running {
    /// How many cdata the thread's list held before this call's; `None` when this call put
    /// none there.
    before: Option<usize>,
}

impl Running {
    /// The call begins, with its arguments' cdata: those that own memory C may hand the
    /// callback pointers into. Not the callbacks themselves (their memory is code, which a
    /// callback is never given a view of): a call whose only cdata is its callback
    /// (`call_int_cb(cb, 7)`) clones nothing and leaves the list alone.
    pub(crate) fn enter<'c>(args: impl Iterator<Item = &'c CData>) -> Running {
        let mut kept = args
            .filter(|c| {
                let owner = c.owner();
                owner.is_owning() && !matches!(owner, OwnerRef::Callback(_))
            })
            .peekable();
        if kept.peek().is_none() {
            return Running { before: None };
        }
        // At thread exit, in a thread-local's destructor, the list may be gone: the call then
        // runs without it (a pointer C hands the callback is a plain address, as on a thread
        // C made), and `Drop` finds nothing to take out.
        let before = RUNNING
            .try_with(|r| {
                let mut r = r.borrow_mut();
                let before = r.len();
                r.extend(kept.cloned());
                before
            })
            .ok();
        Running { before }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let Some(before) = self.before else { return };
        // Each taken out before it is dropped: dropping a cdata may run a `gc` destructor,
        // which may call C (and a callback, which reads the list). One at a time, so that no
        // `Vec` is made for them (`split_off` allocated one per call).
        while let Ok(Some(c)) = RUNNING.try_with(|r| {
            let mut r = r.borrow_mut();
            if r.len() > before { r.pop() } else { None }
        }) {
            drop(c);
        }
    }
}

/// A callback's argument: a pointer C gave into the memory of a running call is a view of
/// that memory; anything else is as it was.
pub(crate) fn adopt(v: Value) -> Value {
    match v {
        Value::CData(mut c) if c.addr() != 0 && !c.owner().is_owning() => {
            // The owner replaced in place: the cdata is this function's own.
            let _ = RUNNING.try_with(|r| adopt_among(&mut c, r.borrow().iter()));
            Value::CData(c)
        }
        other => other,
    }
}

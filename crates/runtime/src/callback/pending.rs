//! A callback's failure handed to the Rust caller: when a callback fails (its closure returns an
//! error or panics) with no `onerror` handler, C still receives the error value, and the rcffi
//! call that was running on this thread when it failed — the innermost one — returns that
//! error once C returns, as LuaJIT's errors reach `pcall`. A failure on a thread with no rcffi
//! call running (a thread C made) is reported on stderr, as cffi reports every one. No unsafe
//! code.

use std::cell::{Cell, RefCell};

use crate::error::Error;

thread_local! {
    /// How many rcffi calls are running on this thread (nested through callbacks), and in
    /// [`PENDING_BIT`] whether `PENDING` holds a failure: one word, read and written once per
    /// call.
    static STATE: Cell<u32> = const { Cell::new(0) };
    /// The failures handed over and not yet returned, each with the depth of the call it
    /// belongs to — the innermost one running when the callback failed, which returns it —
    /// deepest last. A call that a later callback of the same outer call makes, and that
    /// ends while the outer call's failure waits, does not take it: it is not that call's.
    static PENDING: RefCell<Vec<(u32, Error)>> = const { RefCell::new(Vec::new()) };
}

/// The bit of [`STATE`] that says a failure is pending.
const PENDING_BIT: u32 = 1 << 31;

/// Runs `jump` (the jump into C) as an rcffi call on this thread: its result, or the failure
/// of a callback that ran during it.
#[inline(always)]
pub(crate) fn during_call<T>(jump: impl FnOnce() -> T) -> Result<T, Error> {
    let call = InCall::enter();
    let r = jump();
    match call.leave() {
        Some(failure) => Err(failure),
        None => Ok(r),
    }
}

/// An rcffi call running on this thread, from [`InCall::enter`] until it is
/// [`InCall::leave`]s (or is dropped, should the call unwind).
struct InCall(());

impl InCall {
    /// A call begins.
    #[inline]
    fn enter() -> InCall {
        STATE.with(|s| s.set(s.get().wrapping_add(1)));
        InCall(())
    }

    /// The call ends: the failure of a callback that ran during it, if one did.
    #[inline]
    fn leave(self) -> Option<Error> {
        std::mem::forget(self);
        end()
    }
}

impl Drop for InCall {
    fn drop(&mut self) {
        // The failures of this call and of any inside it go with it.
        drop(end());
    }
}

/// The innermost running call ends: one call fewer, and its pending failure taken.
#[inline]
fn end() -> Option<Error> {
    let before = STATE.with(|s| {
        let v = s.get();
        s.set(v.wrapping_sub(1));
        v
    });
    if before & PENDING_BIT != 0 {
        return take(before & !PENDING_BIT);
    }
    None
}

/// The failure pending for the call at `depth`, which ends now (and any left by calls inside
/// it, which cannot be returned any more); none when the failures pending are outer calls'.
#[cold]
fn take(depth: u32) -> Option<Error> {
    // `try_with`: in a thread-local's destructor at thread exit `PENDING` may be gone (then
    // nothing was handed over: `hand_over` gave the failure back).
    let (mine, empty) = PENDING
        .try_with(|p| {
            let mut p = p.borrow_mut();
            let mut mine = None;
            while p.last().is_some_and(|(d, _)| *d >= depth) {
                if let Some((d, e)) = p.pop()
                    && d == depth
                {
                    mine = Some(e);
                }
            }
            (mine, p.is_empty())
        })
        .unwrap_or((None, true));
    if empty {
        STATE.with(|s| s.set(s.get() & !PENDING_BIT));
    }
    mine
}

/// Hands a callback's failure to the rcffi call running on this thread (the first failure
/// during a call is the one it returns); gives it back when no call is running.
pub(crate) fn hand_over(e: Error) -> Result<(), Error> {
    let depth = STATE.with(Cell::get) & !PENDING_BIT;
    if depth == 0 {
        return Err(e);
    }
    // At thread exit, in a thread-local's destructor, `PENDING` may be gone: the failure is
    // then given back, as when no call is running (`STATE` has no destructor: always there).
    let mut e = Some(e);
    if PENDING
        .try_with(|p| {
            let mut p = p.borrow_mut();
            // The first failure during a call is the one it returns.
            if p.last().is_none_or(|(d, _)| *d != depth)
                && let Some(e) = e.take()
            {
                p.push((depth, e));
            }
        })
        .is_err()
    {
        return Err(e
            .take()
            .unwrap_or_else(|| Error::Runtime("a callback failed".into())));
    }
    STATE.with(|s| s.set(s.get() | PENDING_BIT));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_goes_to_the_innermost_running_call_and_only_there() {
        assert!(hand_over(Error::Value("no call".into())).is_err());
        let outer = InCall::enter();
        let inner = InCall::enter();
        assert!(hand_over(Error::Value("first".into())).is_ok());
        assert!(hand_over(Error::Value("second".into())).is_ok());
        assert!(matches!(inner.leave(), Some(Error::Value(m)) if m == "first".into()));
        assert!(outer.leave().is_none());
        assert!(hand_over(Error::Value("after".into())).is_err());
    }

    /// A failure handed to an outer call stays that call's: a call made later inside it (by
    /// another callback) ends without it, and one whose own callback fails returns its own.
    #[test]
    fn an_outer_calls_failure_is_not_a_later_inner_calls() {
        let outer = InCall::enter();
        assert!(hand_over(Error::Value("outer".into())).is_ok());
        let later = InCall::enter();
        assert!(later.leave().is_none());
        let failing = InCall::enter();
        assert!(hand_over(Error::Value("inner".into())).is_ok());
        assert!(hand_over(Error::Value("inner again".into())).is_ok());
        assert!(matches!(failing.leave(), Some(Error::Value(m)) if m == "inner".into()));
        assert!(hand_over(Error::Value("outer again".into())).is_ok());
        assert!(matches!(outer.leave(), Some(Error::Value(m)) if m == "outer".into()));
        assert_eq!(STATE.with(Cell::get), 0, "no call running, nothing pending");
    }

    /// A call that unwinds takes its pending failure, and those of calls inside it, with it.
    #[test]
    fn a_call_dropped_takes_its_failures_with_it() {
        let outer = InCall::enter();
        let inner = InCall::enter();
        assert!(hand_over(Error::Value("inner".into())).is_ok());
        drop(inner);
        assert!(outer.leave().is_none());
        assert_eq!(STATE.with(Cell::get), 0, "no call running, nothing pending");
    }
}

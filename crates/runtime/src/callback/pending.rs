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
    /// [`PENDING_BIT`] whether `PENDING` holds an error: one word, read and written once per
    /// call.
    static STATE: Cell<u32> = const { Cell::new(0) };
    /// The first failure of a callback since the innermost running call began.
    static PENDING: RefCell<Option<Error>> = const { RefCell::new(None) };
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
        let state = STATE.with(|s| {
            let v = s.get().wrapping_sub(1);
            s.set(v);
            v
        });
        if state & PENDING_BIT != 0 {
            return Some(take().unwrap_or_else(|| Error::Runtime("a callback failed".into())));
        }
        None
    }
}

impl Drop for InCall {
    fn drop(&mut self) {
        STATE.with(|s| s.set(s.get().wrapping_sub(1)));
    }
}

#[cold]
fn take() -> Option<Error> {
    STATE.with(|s| s.set(s.get() & !PENDING_BIT));
    // `try_with`: in a thread-local's destructor at thread exit `PENDING` may be gone (then
    // nothing was handed over: `hand_over` gave the failure back).
    PENDING.try_with(|p| p.borrow_mut().take()).ok().flatten()
}

/// Hands a callback's failure to the rcffi call running on this thread (the first failure
/// during a call is the one it returns); gives it back when no call is running.
pub(crate) fn hand_over(e: Error) -> Result<(), Error> {
    if STATE.with(Cell::get) & !PENDING_BIT == 0 {
        return Err(e);
    }
    // At thread exit, in a thread-local's destructor, `PENDING` may be gone: the failure is
    // then given back, as when no call is running (`STATE` has no destructor: always there).
    let mut e = Some(e);
    if PENDING
        .try_with(|p| {
            let mut p = p.borrow_mut();
            if p.is_none() {
                *p = e.take();
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
}

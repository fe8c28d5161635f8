//! Callbacks bound to the thread that made them ([`Ffi::callback_local`](crate::Ffi::callback_local)):
//! a closure that is not `Send` or `Sync` — one holding an `Rc`, a `RefCell`, a script
//! engine's state — as a C function pointer, for the C libraries that call back on the thread
//! that registered the callback (GUI toolkits, event loops, `qsort`).
//!
//! # Safety
//!
//! The closure is shared with libffi's closure, which C may enter from any thread. It runs
//! only on the thread that made it (compared on each entry; another thread gets an error, so
//! C receives the error value), and it is dropped on that thread — or leaked (never dropped)
//! when its last holder goes away on another one. So no reference to it, shared or not, is
//! ever used off its thread, which is what `Send` and `Sync` would have promised. Re-entrant
//! calls on its own thread are fine: it is `Fn`, called through a shared reference. One of
//! the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::mem::ManuallyDrop;

use crate::error::{Error, Result};

use super::{CallbackArgs, CallbackResult, Ret};

/// A closure that runs, and is dropped, on `thread` only.
pub(crate) struct ThreadBound<F> {
    /// The maker's thread ([`thread_tag`](crate::base::thread_tag): `std::thread::current`
    /// panics in a destructor at thread exit, where C may still call or drop the callback).
    thread: u64,
    f: ManuallyDrop<F>,
}

// SAFETY: `f` is touched (run or dropped) only on `thread`, checked each time; from any other
// thread a `ThreadBound` is an inert value.
unsafe impl<F> Send for ThreadBound<F> {}
// SAFETY: as for Send: shared references on other threads never reach `f`.
unsafe impl<F> Sync for ThreadBound<F> {}

impl<F> ThreadBound<F> {
    /// `f`, bound to the current thread.
    pub(crate) fn new(f: F) -> ThreadBound<F> {
        ThreadBound {
            thread: crate::base::thread_tag::current(),
            f: ManuallyDrop::new(f),
        }
    }

    /// Runs the closure, on its own thread only.
    pub(crate) fn run<R>(&self, a: &CallbackArgs<'_>) -> Result<Ret>
    where
        F: Fn(&CallbackArgs<'_>) -> R,
        R: CallbackResult,
    {
        if crate::base::thread_tag::current() != self.thread {
            return Err(Error::Callback(
                "a callback_local closure was called on another thread than the one that made \
                 it; use callback() with a Send + Sync closure for C that calls back from its \
                 own threads"
                    .into(),
            ));
        }
        (self.f)(a).into_ret()
    }
}

impl<F> Drop for ThreadBound<F> {
    fn drop(&mut self) {
        if crate::base::thread_tag::current() == self.thread {
            // SAFETY: dropped once, here, on its own thread; nothing runs it any more.
            unsafe { ManuallyDrop::drop(&mut self.f) };
        }
        // On another thread the closure is leaked: it may not be Send.
    }
}

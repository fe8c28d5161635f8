//! Callbacks kept alive while they run. The last cdata of a callback may be dropped on the
//! thread that is running it — from inside its own closure, as a one-shot callback that takes
//! itself out of a table does — and its state (the closure, what it captured, the entry C came
//! through) is then still in use below. Such a callback's state is dropped when the outermost
//! of its runs on that thread returns, not at once.
//!
//! Each run of a callback is a frame on the stack of the trampoline that runs it ([`running`]),
//! linked to the runs it is nested in through a thread-local without a destructor (there to the
//! thread's end), at no cost but two stores and a load. A callback's state dropped on a thread
//! where none of its runs is under way is dropped at once. (One dropped on another thread while
//! C runs it here is a callback C holds after it was let go: the caller's unsafe promise.)
//!
//! # Safety
//!
//! A frame is pushed by [`running`] on the stack of that call, and taken off before it returns
//! (also when its closure unwinds), so the frames in the list are the runs under way on this
//! thread, innermost first, each alive in a caller of the code that walks them ([`release`]).
//! One of the runtime's modules with `unsafe` code.

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::sync::Arc;

use super::Code;

/// One run of a callback on this thread.
struct Run {
    /// The callback's state (its address).
    key: *const (),
    /// The run this one is nested in (null: none).
    outer: *const Run,
    /// The callback's state, when its last cdata went while this, its outermost run, was
    /// under way.
    kept: Cell<Option<Arc<dyn Code>>>,
}

thread_local! {
    /// The innermost run on this thread (null: none).
    static INNERMOST: Cell<*const Run> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` as a run of the callback whose state is at `key`; returns what it returned, and
/// the callback's state if its last cdata was dropped meanwhile (the caller drops it, after
/// the last use of the state).
#[inline(always)]
pub(crate) fn running<R>(key: *const (), f: impl FnOnce() -> R) -> (R, Option<Arc<dyn Code>>) {
    /// Takes the run off the list, also when `f` unwinds.
    struct Off<'a>(&'a Run);
    impl Drop for Off<'_> {
        #[inline(always)]
        fn drop(&mut self) {
            INNERMOST.with(|i| i.set(self.0.outer));
        }
    }
    let run = Run {
        key,
        outer: INNERMOST.with(Cell::get),
        kept: Cell::new(None),
    };
    INNERMOST.with(|i| i.set(&raw const run));
    let off = Off(&run);
    let r = f();
    drop(off);
    (r, run.kept.take())
}

/// Drops the state [`running`] kept, where C is the caller: what the closure captured may
/// panic as it goes, and nothing may unwind into C (such a panic is reported on stderr).
#[cold]
#[inline(never)]
pub(crate) fn let_go(state: Arc<dyn Code>) {
    crate::base::panics::reported(
        || "dropping a callback let go while it ran".into(),
        move || drop(state),
    );
}

/// A callback's state as its cdata hold it: dropped through [`release`].
pub(crate) struct Held(ManuallyDrop<Arc<dyn Code>>);

impl Held {
    pub(crate) fn new(code: Arc<dyn Code>) -> Held {
        Held(ManuallyDrop::new(code))
    }
}

impl Code for Held {
    fn code(&self) -> usize {
        self.0.code()
    }

    fn name(&self) -> &str {
        self.0.name()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and `self.0` is not used after.
        release(unsafe { ManuallyDrop::take(&mut self.0) });
    }
}

/// Drops a callback's state whose last cdata went: at once, or, when the callback is running
/// on this thread, when its outermost run there returns.
fn release(code: Arc<dyn Code>) {
    let key = Arc::as_ptr(&code).cast::<()>();
    let mut outermost: *const Run = std::ptr::null();
    let mut at = INNERMOST.with(Cell::get);
    while !at.is_null() {
        // SAFETY: a run in the list is a frame of a `running` call still under way on this
        // thread, below this one (module docs): alive.
        let run = unsafe { &*at };
        if run.key == key {
            outermost = at;
        }
        at = run.outer;
    }
    if outermost.is_null() {
        drop(code);
        return;
    }
    // SAFETY: as above.
    let run = unsafe { &*outermost };
    // A state's last cdata goes once: nothing is kept there yet.
    drop(run.kept.replace(Some(code)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static DROPPED: AtomicUsize = AtomicUsize::new(0);

    struct Counted;
    impl Code for Counted {
        fn code(&self) -> usize {
            0
        }
        fn name(&self) -> &str {
            "counted"
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// A state released outside its runs goes at once; released inside nested runs of it, it
    /// is handed to the outermost one, and a run of another callback in between changes
    /// nothing.
    #[test]
    fn a_state_released_while_it_runs_goes_when_its_outermost_run_returns() {
        let before = DROPPED.load(Ordering::SeqCst);
        drop(Held::new(Arc::new(Counted)));
        assert_eq!(DROPPED.load(Ordering::SeqCst), before + 1);

        let state: Arc<dyn Code> = Arc::new(Counted);
        let key = Arc::as_ptr(&state).cast::<()>();
        let held = Held::new(state);
        let other = 7u8;
        let ((((), inner), middle), outer) = {
            let (r, outer) = running(key, || {
                running((&raw const other).cast(), || {
                    running(key, || {
                        drop(held);
                        assert_eq!(DROPPED.load(Ordering::SeqCst), before + 1);
                    })
                })
            });
            (r, outer)
        };
        assert!(inner.is_none() && middle.is_none());
        assert_eq!(DROPPED.load(Ordering::SeqCst), before + 1);
        drop(outer.expect("kept by the outermost run"));
        assert_eq!(DROPPED.load(Ordering::SeqCst), before + 2);
        assert!(INNERMOST.with(Cell::get).is_null());
    }

    /// A run whose closure panics is still taken off the list.
    #[test]
    fn a_run_that_unwinds_is_taken_off() {
        let r = std::panic::catch_unwind(|| running(std::ptr::null(), || panic!("inside")));
        assert!(r.is_err());
        assert!(INNERMOST.with(Cell::get).is_null());
    }
}

//! A number for the running thread that can be asked for at any time: also in a
//! thread-local's destructor at thread exit, and in a `pthread_key_create` destructor after
//! those, where `std::thread::current()` panics (its handle is gone). Callbacks bound to the
//! thread that made them compare it on every entry and drop.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    /// This thread's number, once asked for (0: not yet). No destructor, so it is there until
    /// the thread's very end.
    static OWN: Cell<u64> = const { Cell::new(0) };
}

/// The number the next thread to ask is given.
static NEXT: AtomicU64 = AtomicU64::new(1);

/// The running thread's number: one per thread, never given to another (numbers are 64-bit,
/// given in turn, never reused).
#[inline]
pub(crate) fn current() -> u64 {
    OWN.with(|own| match own.get() {
        0 => {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            own.set(n);
            n
        }
        n => n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_thread_has_its_own_number_and_keeps_it() {
        let here = current();
        assert_ne!(here, 0);
        assert_eq!(here, current());
        let others: Vec<u64> = (0..4)
            .map(|_| std::thread::spawn(current).join().unwrap())
            .collect();
        for (i, o) in others.iter().enumerate() {
            assert_ne!(*o, here);
            assert!(!others[..i].contains(o));
        }
    }
}

//! Handles (`new_handle` / `from_handle`): a unique address standing for a Rust value, the
//! process's table that finds a live handle's value by its address, and [`Handled`], the value
//! as `from_handle` gives it back.
//!
//! A handle's value is [`Counted`], so that threads taking it from one handle count it in their
//! own lanes (with `Arc`, two threads calling `from_handle` on one handle ran at a fifth of one
//! thread's rate). The table is read far more often than written — each callback that turns its
//! `void *` user data back into a value reads it; `new_handle` and a handle's last drop write
//! it — so readers take no lock: each counts itself in its thread's lane, on a cache line of its
//! own, and reads the table unless a writer is at work (then it waits); a writer sets the one
//! writer flag and waits for the lanes to empty.
//!
//! # Safety
//!
//! The table (a `HashMap` behind an `UnsafeCell`) is read only by threads that have counted
//! themselves in a reader lane and then seen no writer, and written only by a
//! thread that has set the writer flag (writers take turns on it, as on a lock) and then seen
//! every lane empty. Every access to the lanes and the flag is `SeqCst` (Dekker's pattern: of a
//! reader that counts itself and then reads the flag, and a writer that sets the flag and then
//! reads the lanes, at least one sees the other — the reader backs off and waits, or the writer
//! waits for it). A reader leaves its lane after reading and the writer sees the lane empty
//! before writing, so the reads happen before the write; the writer clears the flag after
//! writing, and a reader that sees it clear sees the write. (Mixing `Release` stores into these
//! `SeqCst` orders is where such protocols go wrong, and Miri's weak-memory emulation cannot
//! vouch for them; all `SeqCst` costs nothing on x86-64, where every read-modify-write is
//! locked.) Nothing in a read or write section runs user code or blocks: a value removed from
//! the table is dropped after the section (its `T` may run any code).
//!
//! A [`Handled`] keeps the address of the `T` inside the handle's `Arc`, which its counted
//! reference keeps alive.

use std::any::Any;
use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::Counted;
use super::count::{self, LANES, Line};

/// A handle: its address and the Rust value it stands for, with the name of the value's type
/// (for reprs and errors). Counted: the table holds one reference while the handle is listed,
/// and each [`Handled`] one.
pub(crate) struct HandleBox {
    pub(crate) addr: usize,
    pub(crate) value: Arc<dyn Any + Send + Sync>,
    pub(crate) type_name: &'static str,
    /// The [`Handle`]s (cdata owners) of this handle: the table lists it while any is left.
    handles: AtomicUsize,
}

/// The owner of a handle's cdata (`Owner::Handle`): the handle stays listed, so that
/// `from_handle` finds its address, while any cdata holds one.
pub(crate) struct Handle(Counted<HandleBox>);

impl Handle {
    /// A handle at `addr` (unique: never listed before) standing for `value`, listed in the
    /// table.
    pub(crate) fn new(
        addr: usize,
        value: Arc<dyn Any + Send + Sync>,
        type_name: &'static str,
    ) -> Handle {
        let handle = Counted::new(HandleBox {
            addr,
            value,
            type_name,
            handles: AtomicUsize::new(1),
        });
        let listed = handle.clone();
        let replaced = TABLE.write(|t| t.insert(addr, listed));
        debug_assert!(replaced.is_none(), "handle addresses are never reused");
        drop(replaced);
        Handle(handle)
    }

    /// The handle's box, to take its value from (a [`Handled`]).
    pub(crate) fn boxed(&self) -> &Counted<HandleBox> {
        &self.0
    }

    /// Whether two are owners of one handle.
    pub(crate) fn ptr_eq(a: &Handle, b: &Handle) -> bool {
        Counted::ptr_eq(&a.0, &b.0)
    }
}

impl std::ops::Deref for Handle {
    type Target = HandleBox;
    fn deref(&self) -> &HandleBox {
        &self.0
    }
}

impl Clone for Handle {
    fn clone(&self) -> Handle {
        // Made from a live one: the count is at least one (as `Arc`'s clone).
        self.0.handles.fetch_add(1, Ordering::Relaxed);
        Handle(self.0.clone())
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if self.0.handles.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The last: no cdata holds the handle, none can clone it again. The table's
            // reference is dropped after the write section (it may be the last, whose value's
            // drop may run any code).
            drop(TABLE.write(|t| t.remove(&self.0.addr)));
        }
    }
}

/// The value of the live handle at `addr`, if any: from any thread, without a lock while no
/// handle is being made or let go.
pub(crate) fn live_handle(addr: usize) -> Option<Counted<HandleBox>> {
    TABLE.read(|t| t.get(&addr).cloned())
}

/// A handle's Rust value, as [`Ffi::from_handle`](crate::Ffi::from_handle) gives it back: a
/// shared reference to the `T` that [`Ffi::new_handle`](crate::Ffi::new_handle) was given,
/// which keeps it alive after the handle is gone. Cloning one and dropping one are one atomic
/// operation on a counter of the calling thread's own once threads share it (an `Arc` shared by
/// two threads is one counter they take turns on); [`Handled::to_arc`] gives an `Arc`.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::Handled;
/// let ffi = rcffi::Ffi::default();
/// let h = ffi.new_handle(vec![1, 2, 3]);
/// let back: Handled<Vec<i32>> = ffi.from_handle(&h)?;
/// assert_eq!(*back, [1, 2, 3]);
/// assert_eq!(back.len(), 3); // a `&Vec<i32>` by deref
/// drop(h);
/// assert_eq!(back[2], 3); // still alive
/// # Ok::<(), rcffi::Error>(())
/// ```
pub struct Handled<T: Any + Send + Sync> {
    value: Counted<HandleBox>,
    /// The `T` inside `value`'s `Arc`.
    at: NonNull<T>,
}

// SAFETY: a `Handled<T>` hands out `&T` to the thread holding it, and its `T` is dropped by the
// last reference's thread (as with `Arc<T>`): `T: Send + Sync`, which the bound says.
unsafe impl<T: Any + Send + Sync> Send for Handled<T> {}
// SAFETY: as for Send.
unsafe impl<T: Any + Send + Sync> Sync for Handled<T> {}

impl<T: Any + Send + Sync> Handled<T> {
    /// The handle's value as a `T`, or `value` back when it holds another type.
    pub(crate) fn new(value: Counted<HandleBox>) -> Result<Handled<T>, Counted<HandleBox>> {
        match value.value.downcast_ref::<T>() {
            Some(t) => {
                let at = NonNull::from(t);
                Ok(Handled { value, at })
            }
            None => Err(value),
        }
    }

    /// The value as an `Arc<T>` (the handle's own, shared: one more count on it).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let h = ffi.new_handle(String::from("state"));
    /// let arc: std::sync::Arc<String> = rcffi::Handled::to_arc(&ffi.from_handle(&h)?);
    /// assert_eq!(*arc, "state");
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_arc(this: &Handled<T>) -> Arc<T> {
        match Arc::clone(&this.value.value).downcast::<T>() {
            Ok(arc) => arc,
            Err(_) => unreachable!("a Handled<T> holds a T (checked when made)"),
        }
    }

    /// Whether two are the value of one handle.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::Handled;
    /// let ffi = rcffi::Ffi::default();
    /// let (a, b) = (ffi.new_handle(1u8), ffi.new_handle(1u8));
    /// let a1: Handled<u8> = ffi.from_handle(&a)?;
    /// assert!(Handled::ptr_eq(&a1, &ffi.from_handle(&a)?));
    /// assert!(!Handled::ptr_eq(&a1, &ffi.from_handle(&b)?));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn ptr_eq(a: &Handled<T>, b: &Handled<T>) -> bool {
        a.at == b.at
    }
}

impl<T: Any + Send + Sync> std::ops::Deref for Handled<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: `at` is the `T` in the `Arc` that `value` holds, alive while `value` is
        // (module docs); only shared references to it are ever made.
        unsafe { self.at.as_ref() }
    }
}

impl<T: Any + Send + Sync> Clone for Handled<T> {
    fn clone(&self) -> Handled<T> {
        Handled {
            value: self.value.clone(),
            at: self.at,
        }
    }
}

impl<T: Any + Send + Sync + std::fmt::Debug> std::fmt::Debug for Handled<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// The handle's own `Arc` ([`Handled::to_arc`]).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let h = ffi.new_handle(7u64);
/// let arc: std::sync::Arc<u64> = ffi.from_handle::<u64>(&h)?.into();
/// assert_eq!(*arc, 7);
/// # Ok::<(), rcffi::Error>(())
/// ```
impl<T: Any + Send + Sync> From<Handled<T>> for Arc<T> {
    fn from(h: Handled<T>) -> Arc<T> {
        Handled::to_arc(&h)
    }
}

impl<T: Any + Send + Sync> AsRef<T> for Handled<T> {
    fn as_ref(&self) -> &T {
        self
    }
}

/// The live handles by address (hashed by foldhash).
type Map = HashMap<usize, Counted<HandleBox>, foldhash::fast::RandomState>;

/// The process's handles. One table for every `ffi` object, as in cffi: a handle is a Rust
/// value, not a C type, so any `ffi` object gives it back. See the module docs.
struct Table {
    /// Set by the one writer at work (writers take turns on it, as on a lock): readers seeing
    /// it wait until it is clear.
    writing: AtomicBool,
    /// Readers in a read section, by their thread's lane (1 to 7: [`count::this_lane`]).
    readers: [Line; LANES + 1],
    /// The handles (made on the first write).
    map: UnsafeCell<Option<Map>>,
}

// SAFETY: `map` is only reached through `read` and `write`, whose protocol (module docs) keeps
// writes exclusive; what it holds is `Send + Sync`.
unsafe impl Sync for Table {}

static TABLE: Table = Table {
    writing: AtomicBool::new(false),
    readers: [const { Line(AtomicUsize::new(0)) }; LANES + 1],
    map: UnsafeCell::new(None),
};

impl Table {
    /// `f` of the table, read: with no lock, waiting only while a writer is at work.
    fn read<R>(&self, f: impl FnOnce(&Map) -> Option<R>) -> Option<R> {
        let lane = &self.readers[count::this_lane()].0;
        loop {
            lane.fetch_add(1, Ordering::SeqCst);
            if !self.writing.load(Ordering::SeqCst) {
                // SAFETY: counted in a lane, and no writer was at work after that: none
                // writes until this lane is left (module docs). `f` only reads.
                let found = unsafe { (*self.map.get()).as_ref().and_then(f) };
                lane.fetch_sub(1, Ordering::SeqCst);
                return found;
            }
            lane.fetch_sub(1, Ordering::SeqCst);
            while self.writing.load(Ordering::Relaxed) {
                std::thread::yield_now();
            }
        }
    }

    /// `f` of the table, written: exclusive of every reader and writer.
    fn write<R>(&self, f: impl FnOnce(&mut Map) -> R) -> R {
        while self
            .writing
            .compare_exchange_weak(false, true, Ordering::SeqCst, Ordering::Relaxed)
            .is_err()
        {
            std::thread::yield_now();
        }
        for lane in &self.readers {
            // A read section is a lookup and a count: short, unless its thread is preempted.
            while lane.0.load(Ordering::SeqCst) != 0 {
                std::thread::yield_now();
            }
        }
        // SAFETY: this thread set `writing` (no other writer until it clears it) and then saw
        // every lane empty (no reader until it clears it: module docs).
        let map = unsafe { &mut *self.map.get() };
        let _done = Written(&self.writing);
        f(map.get_or_insert_with(Map::default))
    }
}

/// Clears the writer's flag when its section ends, unwinding or not (a flag left set would
/// leave every later reader and writer waiting).
struct Written<'a>(&'a AtomicBool);

impl Drop for Written<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts its drops.
    struct Dropped(Arc<AtomicUsize>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// The first of `n` consecutive handle addresses (16 bytes apart) of the calling test's
    /// own, never listed before (tests run at once: another test lists the next fresh one).
    fn fresh_run(n: usize) -> usize {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        0x7000_0000_0000_0000 + NEXT.fetch_add(n, Ordering::Relaxed) * 16
    }

    /// A handle address of the calling test's own, never listed before.
    fn fresh() -> usize {
        fresh_run(1)
    }

    #[test]
    fn a_handle_is_listed_while_it_lives() {
        let drops = Arc::new(AtomicUsize::new(0));
        // `addr + 16` is this test's too, and never listed.
        let addr = fresh_run(2);
        let h = Handle::new(addr, Arc::new(Dropped(drops.clone())), "Dropped");
        let found = live_handle(addr).expect("listed");
        assert_eq!(found.type_name, "Dropped");
        assert!(live_handle(addr + 16).is_none());
        drop(h);
        assert!(live_handle(addr).is_none());
        // The value found keeps it alive; the last reference drops it, once.
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(found);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_typed_value_is_checked_once_and_shared() {
        let addr = fresh();
        let h = Handle::new(addr, Arc::new(String::from("x")), "String");
        let wrong = Handled::<u8>::new(live_handle(addr).unwrap());
        assert!(wrong.is_err());
        let s = Handled::<String>::new(live_handle(addr).unwrap())
            .ok()
            .unwrap();
        let t = s.clone();
        drop(h);
        assert!(Handled::ptr_eq(&s, &t));
        assert_eq!(*Handled::to_arc(&t), "x");
        assert_eq!(format!("{s:?}"), "\"x\"");
    }

    /// Threads read the table while others list and let go of handles: every read finds a
    /// live handle's value or none, never a torn table (Miri checks the sections for races).
    #[test]
    fn readers_and_writers_at_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let kept = fresh();
        let h = Handle::new(kept, Arc::new(Dropped(drops.clone())), "Dropped");
        let rounds = if cfg!(miri) { 8 } else { 2000 };
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..rounds {
                        let v = live_handle(kept).expect("the kept handle is live");
                        assert_eq!(v.type_name, "Dropped");
                    }
                });
            }
            for _ in 0..2 {
                s.spawn(|| {
                    for _ in 0..rounds / 4 {
                        let addr = fresh();
                        let other = Handle::new(addr, Arc::new(addr), "usize");
                        let v = live_handle(addr).expect("listed");
                        assert_eq!(*v.value.downcast_ref::<usize>().unwrap(), addr);
                        drop(other);
                        assert!(live_handle(addr).is_none());
                    }
                });
            }
        });
        drop(h);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}

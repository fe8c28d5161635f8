//! [`Held`] and [`HeldType`]: the references by which a ctype (a `Held`) and a cdata (a
//! `HeldType`: its type and the reference in one word) keep their `ffi` object alive, counted
//! per thread in batches.
//!
//! Every cdata keeps its universe alive: its type lives in the universe's arena. An `Arc` clone
//! per cdata would cost two atomic read-modify-writes (one when the cdata is made, one when it
//! is dropped), about 12 ns of a 45 ns `new` on the machines we measure. Instead, the
//! references that cdata hold are counted by the universe in batches: each thread keeps spare
//! references to the few universes it last used, taken from the universe's count [`BATCH`] at
//! a time, so making and dropping a cdata touches only a counter of the thread's own.
//!
//! # Safety
//!
//! The universe counts, under its `holds` lock, every reference handed out this way: each live
//! `Held`, plus the spares parked in each thread's pool. While that count is above zero the
//! universe keeps one `Arc` to itself (`keep`), so it outlives every `Held` and every parked
//! spare; the count reaching zero drops that `Arc` (the only cycle, broken then). So:
//!
//! - a `Held` points to a live universe for as long as it exists (it is one of the counted
//!   references), which makes its `Ffi` — an `Arc` made from that pointer without a count of
//!   its own, and never dropped — valid to use;
//! - a pool's pointer is read only while the pool holds spares (`spare > 0`): those spares are
//!   counted, so the universe is alive. A pool with no spares may keep a stale pointer; it is
//!   only compared, never followed, and a new universe at the same address is a different
//!   universe only in name: a reference handed back is one that universe counted.
//!
//! A thread keeps spares of at most `SLOTS` universes (one in slot 0, the others in one of two
//! slots chosen by their address). They go back to their universe when
//! another universe takes their slot over, when the last `Ffi` handle is dropped on that
//! thread, and when the thread exits: the pool itself has no destructor (so reaching it costs
//! no registration check on the hot paths), and a guard registered before the pool first takes
//! a universe into a slot gives its spares back; references made or let go of after that, as
//! the thread's other destructors run, are counted one by one. Only a dropped `Ffi` whose
//! spares sit in another, idle thread's pool lingers (its types, not any C memory) until that
//! thread uses other `ffi` objects or exits.
//! One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::cell::Cell;
use std::mem::ManuallyDrop;
use std::sync::{Arc, Mutex};

use crate::types::{Ffi, TypeInfo, TypeRef, UniInner};

/// How many references a thread takes from a universe at once.
const BATCH: usize = 64;
/// How many spares a thread keeps at most; past that it gives [`BATCH`] back.
const MAX_SPARE: usize = 2 * BATCH;

/// A universe's count of the references handed out through [`Held`] (live ones and spares).
#[derive(Default)]
pub(super) struct Holds(Mutex<HoldState>);

#[derive(Default)]
struct HoldState {
    count: usize,
    /// While `count > 0`: the universe's own `Arc`, so it outlives every counted reference.
    keep: Option<Arc<UniInner>>,
}

impl Holds {
    fn lock(&self) -> std::sync::MutexGuard<'_, HoldState> {
        // The state is two plain fields updated together; a poisoned lock is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How many universes a thread keeps spares of (a program may use several `ffi` objects in
/// turn: a module per library, each with its own): slot 0, which the first universe a thread
/// uses takes (a program with one `ffi` object finds its spares at a fixed place, with no
/// hash to compute first), and 64 more, of which a universe may use two, chosen by its address
/// ([`ways`]). Finding a universe's spares is at most four compares however many universes
/// there are — slot 0, the recent slot ([`Pool::recent`]), the two hashed slots — (a scan of 16
/// slots cost a `new` with 8 `ffi` objects in turn 25 more instructions than with one, and
/// past 16 every `new` took a batch under the universe's lock).
const SLOTS: usize = 65;

/// The two hashed slots universe `p` may use (1 to 64).
#[inline(always)]
fn ways(p: *const UniInner) -> [usize; 2] {
    // Fibonacci hashing of the address: its top bits, spread from all of it.
    let h = (p.addr() >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    [1 + (h >> 58), 1 + ((h >> 52) & 63)]
}

/// A thread's spare references to one universe.
struct Slot {
    uni: Cell<*const UniInner>,
    spare: Cell<usize>,
}

impl Slot {
    /// Takes one of the slot's spares, if it holds spares of `p`.
    #[inline(always)]
    fn take(&self, p: *const UniInner) -> bool {
        let n = self.spare.get();
        let mine = n > 0 && self.uni.get() == p;
        if mine {
            self.spare.set(n - 1);
        }
        mine
    }

    /// Parks a reference to `p` here (the slot holds `p`'s spares, or none): how many
    /// references the caller gives back to the universe instead, 0 or (past [`MAX_SPARE`]) a
    /// [`BATCH`].
    #[inline(always)]
    fn park(&self, p: *const UniInner) -> usize {
        let n = if self.uni.replace(p) == p {
            self.spare.get()
        } else {
            0
        };
        if n < MAX_SPARE {
            self.spare.set(n + 1);
            0
        } else {
            self.spare.set(n + 1 - BATCH);
            BATCH
        }
    }
}

/// A thread's spares, by universe.
struct Pool {
    slots: [Slot; SLOTS],
    /// Which of its two hashed slots a universe takes over when both are taken (in turn).
    next: Cell<usize>,
    /// The slot a reference was last found in out of line (or parked in, or a batch put in):
    /// a hashed slot, or slot 0. Looked at after slot 0 and before the hashed slots. Its
    /// address is known before the universe's is — a cdata's universe is three loads away, and
    /// the hashed slots' addresses wait for it — so a universe other than slot 0's, used a
    /// while, is found as fast as slot 0's (`call-profile newffi1`, `new` from a second `ffi`
    /// object: 24.4 → 18.8 ns; a struct result made and dropped, `s8`: 30.0 → 25.9 ns).
    recent: Cell<u8>,
    /// Whether the pool may hold spares: [`UNGUARDED`] until its [`DRAIN`] guard is
    /// registered, then [`GUARDED`], and [`DRAINED`] once the guard gave its spares back as
    /// the thread exits (then references are counted one by one).
    state: Cell<u8>,
}

/// [`Pool::state`]: the thread's [`DRAIN`] guard is not registered yet.
const UNGUARDED: u8 = 0;
/// [`Pool::state`]: the guard will give the pool's spares back when the thread exits.
const GUARDED: u8 = 1;
/// [`Pool::state`]: the guard ran; the pool holds no spares any more.
const DRAINED: u8 = 2;

impl Pool {
    /// Whether the pool may take spares: its [`DRAIN`] guard, registered here the first time,
    /// gives them back when the thread exits. False once the guard ran (or cannot be
    /// registered any more: the thread is exiting).
    #[inline]
    fn guarded(&self) -> bool {
        match self.state.get() {
            GUARDED => true,
            UNGUARDED => {
                let ok = DRAIN.try_with(|_| ()).is_ok();
                self.state.set(if ok { GUARDED } else { DRAINED });
                ok
            }
            _ => false,
        }
    }

    /// Gives every spare back and forgets every universe: the thread is exiting.
    fn drain(&self) {
        self.state.set(DRAINED);
        for slot in &self.slots {
            let n = slot.spare.replace(0);
            let uni = slot.uni.replace(std::ptr::null());
            if n > 0 {
                // SAFETY: the slot held `n` counted spares of `uni`, which is therefore alive.
                unsafe { release(uni, n) };
            }
        }
    }

    /// Slot `w` (`recent`'s value, always below [`SLOTS`]; slot 0 otherwise, which costs a
    /// compare where `%` cost a multiply).
    #[inline(always)]
    fn slot(&self, w: u8) -> &Slot {
        self.slots.get(usize::from(w)).unwrap_or(&self.slots[0])
    }

    /// Remembers slot `w` as the one looked at first.
    #[inline(always)]
    fn set_recent(&self, w: usize) {
        const { assert!(SLOTS <= 256) };
        self.recent.set(w as u8);
    }
}

thread_local! {
    /// The thread's spares. No destructor, so that reaching it is one thread-pointer offset
    /// wherever it is inlined (a pool with a destructor is reached through `try_with`'s
    /// registration check, which the compiler put out of line once the direct call path grew:
    /// `call-profile idnull` +1.6 ns); its guard, [`DRAIN`], gives the spares back.
    static POOL: Pool = const {
        Pool {
            slots: [const {
                Slot {
                    uni: Cell::new(std::ptr::null()),
                    spare: Cell::new(0),
                }
            }; SLOTS],
            next: Cell::new(0),
            recent: Cell::new(0),
            state: Cell::new(UNGUARDED),
        }
    };
    /// Gives [`POOL`]'s spares back when the thread exits: registered before the pool first
    /// takes a universe into a slot ([`Pool::guarded`]).
    static DRAIN: Drain = const { Drain };
}

/// [`DRAIN`]'s guard.
struct Drain;

impl Drop for Drain {
    fn drop(&mut self) {
        // (`POOL` has no destructor, so it is still there.)
        POOL.with(Pool::drain);
    }
}

/// Adds `n` references to the universe's count.
fn acquire(inner: &Arc<UniInner>, n: usize) {
    let mut s = inner.holds.lock();
    if s.count == 0 {
        s.keep = Some(Arc::clone(inner));
    }
    s.count += n;
}

/// Gives `n` references back; the last one lets the universe go.
///
/// # Safety
///
/// `p` must point to a live universe whose count includes these `n` references (which the
/// caller gives up).
unsafe fn release(p: *const UniInner, n: usize) {
    // SAFETY: the caller's `n` counted references keep the universe alive until here.
    let holds = unsafe { &(*p).holds };
    let keep = {
        let mut s = holds.lock();
        s.count -= n;
        if s.count == 0 { s.keep.take() } else { None }
    };
    // After the lock is released: this may drop the universe.
    drop(keep);
}

/// A counted reference to a universe, usable as its [`Ffi`].
pub(crate) struct Held {
    /// An `Arc` made from the universe's pointer without a strong count of its own: valid
    /// while this reference is counted, and never dropped.
    ffi: ManuallyDrop<Ffi>,
}

impl Held {
    /// A new counted reference to `ffi`'s universe: from the thread's spares when it has some.
    #[inline(always)]
    pub(crate) fn new(ffi: &Ffi) -> Held {
        take(ffi);
        // SAFETY: the reference just taken is counted, so the universe lives at least as long
        // as this `Held`; the `Arc` is never dropped (ManuallyDrop), so it never gives back a
        // strong count it did not take.
        let inner = unsafe { Arc::from_raw(Arc::as_ptr(&ffi.inner)) };
        Held {
            ffi: ManuallyDrop::new(Ffi::from_inner_uncounted(inner)),
        }
    }
}

/// Takes one counted reference to `ffi`'s universe: a spare of the thread's when it has one,
/// looked for in slot 0 and the recent slot here, in its hashed slots out of line.
#[inline(always)]
fn take(ffi: &Ffi) {
    let p = Arc::as_ptr(&ffi.inner);
    // (`try_with`, which cannot fail here, compiles smaller than `with`, whose panic kept it
    // out of line.)
    let took = POOL
        .try_with(|pool| pool.slots[0].take(p) || pool.slot(pool.recent.get()).take(p))
        .unwrap_or(false);
    if !took {
        take_hashed(&ffi.inner);
    }
}

/// [`take`] when neither slot 0 nor the recent slot has a spare of the universe: its hashed
/// slots (which become the recent one), else a new batch.
#[inline(never)]
fn take_hashed(inner: &Arc<UniInner>) {
    let p = Arc::as_ptr(inner);
    let took = POOL.with(|pool| {
        let [a, b] = ways(p);
        let hit = [a, b].into_iter().find(|&w| pool.slots[w].take(p));
        hit.inspect(|&w| pool.set_recent(w)).is_some()
    });
    if !took {
        take_slow(inner);
    }
}

/// Takes a reference when the thread has no spare of this universe: a batch of them, into a
/// slot that is empty or (when none is) given back by the universe that had it.
#[cold]
#[inline(never)]
fn take_slow(inner: &Arc<UniInner>) {
    let p = Arc::as_ptr(inner);
    let old = POOL.with(|pool| {
        if !pool.guarded() {
            return None;
        }
        acquire(inner, BATCH);
        let [a, b] = ways(p);
        let free = [0, a, b]
            .into_iter()
            .find(|&w| pool.slots[w].spare.get() == 0);
        let w = free.unwrap_or_else(|| {
            // Both taken by other universes: each in turn gives its spares back.
            let k = pool.next.get();
            pool.next.set(k ^ 1);
            [a, b][k & 1]
        });
        pool.set_recent(w);
        let slot = &pool.slots[w];
        Some((slot.uni.replace(p), slot.spare.replace(BATCH - 1)))
    });
    match old {
        // SAFETY: those were the slot's counted spares of `old`.
        Some((old, n)) if n > 0 => unsafe { release(old, n) },
        Some(_) => {}
        // The thread is exiting: count this one reference alone.
        None => acquire(inner, 1),
    }
}

impl Clone for Held {
    #[inline]
    fn clone(&self) -> Held {
        Held::new(&self.ffi)
    }
}

impl Drop for Held {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: this `Held` is one counted reference to the universe, given up here.
        unsafe { give(Arc::as_ptr(&self.ffi.inner)) }
    }
}

/// Gives one counted reference to `ffi`'s universe back: parked as a spare of the thread's
/// while the `ffi` object has handles (after the last one, references go straight back so the
/// universe is freed when the last cdata goes) — in slot 0 or the recent slot here, in a hashed
/// slot out of line.
///
/// # Safety
///
/// `p` is a universe of which the caller holds one counted reference, given up here (the
/// universe may be freed by this call).
#[inline]
unsafe fn give(p: *const UniInner) {
    // SAFETY: the caller's counted reference keeps the universe alive until it is released.
    let handles = unsafe { (*p).has_handles() };
    let parked = if handles {
        // (`try_with`: as in `take`.)
        POOL.try_with(|pool| {
            let first = &pool.slots[0];
            if first.uni.get() == p {
                return Some(first.park(p));
            }
            let recent = pool.slot(pool.recent.get());
            (recent.uni.get() == p).then(|| recent.park(p))
        })
        .ok()
        .flatten()
    } else {
        Some(1)
    };
    match parked {
        Some(0) => {}
        // SAFETY: the caller's reference (and, on overflow, the slot's `BATCH - 1` spares
        // given up with it) is counted by the live universe `p`.
        Some(n) => unsafe { release(p, n) },
        // SAFETY: passed on.
        None => unsafe { give_hashed(p) },
    }
}

/// [`give`] for a universe with handles whose spares are in neither slot 0 nor the recent
/// slot: parked in one of its hashed slots that holds its spares, else in an empty one of
/// those and slot 0 (which becomes the recent one), else given back.
///
/// # Safety
///
/// As for [`give`].
#[inline(never)]
unsafe fn give_hashed(p: *const UniInner) {
    let parked = POOL.with(|pool| {
        if !pool.guarded() {
            return None;
        }
        let [a, b] = ways(p);
        let w = [a, b]
            .into_iter()
            .find(|&w| pool.slots[w].uni.get() == p)
            .or_else(|| {
                [0, a, b]
                    .into_iter()
                    .find(|&w| pool.slots[w].spare.get() == 0)
            })?;
        pool.set_recent(w);
        Some(pool.slots[w].park(p))
    });
    match parked {
        Some(0) => {}
        // SAFETY: the caller's reference (and, on overflow, the slot's `BATCH - 1` spares
        // given up with it) is counted by the live universe `p`.
        n => unsafe { release(p, n.unwrap_or(1)) },
    }
}

impl std::ops::Deref for Held {
    type Target = Ffi;
    #[inline]
    fn deref(&self) -> &Ffi {
        &self.ffi
    }
}

/// A realized type and a counted reference to its universe, in one word: what a cdata holds
/// (its type says which universe; the universe is read from the type's [`Home`]).
///
/// [`Home`]: crate::types::arena::Home
pub(crate) struct HeldType {
    ty: TypeRef,
}

impl HeldType {
    /// `ty` of `ffi`'s universe, with a new counted reference to it.
    ///
    /// # Panics
    ///
    /// When `ty` is another universe's (a cdata keeps only its own universe alive, so such a
    /// type would dangle once that other one goes).
    #[inline(always)]
    pub(crate) fn new(ffi: &Ffi, ty: TypeRef) -> HeldType {
        if !ty.belongs(&ffi.inner) {
            another_universe();
        }
        take(ffi);
        HeldType { ty }
    }

    /// The type.
    #[inline(always)]
    pub(crate) fn ty(&self) -> TypeRef {
        self.ty
    }

    /// The realized type.
    #[inline(always)]
    pub(crate) fn info(&self) -> &TypeInfo {
        // SAFETY: this reference to the type's universe is counted, so the universe and its
        // arena live at least as long as `self`; the returned borrow is bounded by `self`.
        unsafe { self.ty.get_held() }
    }

    /// The universe, as its `Ffi`.
    #[inline(always)]
    pub(crate) fn uni(&self) -> &Ffi {
        self.info().home.ffi()
    }

    /// This reference, now with `ty` (of the same universe) as its type: the count moves over.
    ///
    /// # Panics
    ///
    /// When `ty` is another universe's.
    #[inline(always)]
    pub(crate) fn retyped(self, ty: TypeRef) -> HeldType {
        if !ty.belongs(&self.uni().inner) {
            another_universe();
        }
        // The count moves to the new value: this one must not give it back.
        let _ = ManuallyDrop::new(self);
        HeldType { ty }
    }
}

#[cold]
#[inline(never)]
fn another_universe() -> ! {
    panic!("rcffi: a cdata of one ffi object was given a type of another")
}

impl Clone for HeldType {
    #[inline]
    fn clone(&self) -> HeldType {
        take(self.uni());
        HeldType { ty: self.ty }
    }
}

impl Drop for HeldType {
    #[inline]
    fn drop(&mut self) {
        let p = Arc::as_ptr(&self.uni().inner);
        // SAFETY: this is one counted reference to the universe `p`, given up here.
        unsafe { give(p) }
    }
}

/// Gives this thread's spares of `inner` back (its last `Ffi` handle is being dropped here).
pub(super) fn flush(inner: &Arc<UniInner>) {
    let p = Arc::as_ptr(inner);
    let n = POOL.with(|pool| {
        pool.slots
            .iter()
            .filter(|s| s.uni.get() == p)
            .map(|s| s.spare.replace(0))
            .sum()
    });
    if n > 0 {
        // SAFETY: the pool's `n` counted spares of the live universe `inner`.
        unsafe { release(p, n) };
    }
}

#[cfg(test)]
mod tests;

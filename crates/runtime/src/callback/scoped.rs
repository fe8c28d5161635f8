//! [`Closure`]: a Rust closure passed directly as a function pointer argument, which may borrow
//! the caller's locals — [`closure`] for `Fn` closures C may call from any thread,
//! [`closure_mut`] for `FnMut` closures that run on their own thread only.
//!
//! # Safety
//!
//! A closure's body is kept as a callback body of `'static` lifetime although it may borrow for
//! `'a` only. That is sound because the body is reachable from two places only, and both end
//! within `'a`: the [`Closure<'a>`] values themselves, which the borrow checker keeps inside
//! `'a`, and the callback made from one for one call's argument, which that call keeps in its
//! scratch memory and drops when it returns (the call borrows or owns the `Closure<'a>`, so it
//! runs within `'a`). Nothing hands that callback's cdata out: the argument conversion is its
//! only maker. C keeping the function pointer past the call breaks the call's own contract
//! (the code is freed with the callback), as for every callback.
//!
//! An `FnMut` body ([`Local`]) is shared with libffi's closure, which C may enter from any
//! thread and re-entrantly. Its closure runs only on the thread that made it (compared on each
//! entry) and only when no other run of it is in progress there (a `RefCell`), so no two
//! `&mut` of it exist and it never crosses threads; it is dropped on that thread, or leaked
//! (never dropped) when its last holder goes away on another one. One of the runtime's
//! modules with `unsafe` code.

#![allow(unsafe_code)]

use std::cell::RefCell;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::sync::Arc;

use crate::data::CData;
use crate::error::{Error, Result};
use crate::types::{Ffi, TypeRef};

use super::{Body, CallbackArgs, CallbackOptions, CallbackResult, Ret};

/// A Rust closure to pass directly as a function pointer argument: converted to a callback of
/// the parameter's type for the duration of the call. Made by [`closure`] and
/// [`closure_mut`]; it may borrow the caller's locals for `'a`.
///
/// C must not keep the function pointer past the call (as with `qsort`, `bsearch`, a row or
/// visit callback): the callback is released when the call returns. For a callback C keeps,
/// use [`Ffi::callback`] and keep its cdata alive.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let a = ffi.new("int[]", [5, 3, 9, 1])?;
/// let by_value = rcffi::closure(|args| {
///     // SAFETY: qsort passes pointers to two ints of the array.
///     let (x, y): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
///     Ok::<_, rcffi::Error>(x.cmp(&y) as i32)
/// });
/// // SAFETY: qsort sorts the 4 ints of `a` with the comparator.
/// unsafe { libc.call("qsort", (&a, 4usize, 4usize, by_value))? };
/// assert_eq!(a.to_vec()?, [1, 3, 5, 9].map(rcffi::Value::from).to_vec());
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct Closure<'a> {
    body: Arc<Body>,
    name: &'static str,
    scope: PhantomData<&'a ()>,
}

impl std::fmt::Debug for Closure<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<closure {}>", self.name)
    }
}

/// A closure to pass as a function pointer argument (see [`Closure`]). It may borrow the
/// caller's locals; C may call it from any thread during the call, and re-entrantly, so it is
/// `Fn + Send + Sync` (for a closure that mutates what it borrows, [`closure_mut`]).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Error, closure};
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("void *bsearch(const void *key, const void *base, size_t n, size_t size,
///                         int (*cmp)(const void *, const void *));")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let names = ["ant", "bee", "cat", "dog"]; // a Rust table C searches by index
/// let index = ffi.new("int[]", [0, 1, 2, 3])?;
/// let wanted = "cat";
/// let cmp = closure(|args| {
///     // SAFETY: bsearch passes the key (unused here) and a pointer to one int of `index`.
///     let i: i32 = unsafe { args.deref(1)? };
///     Ok::<_, Error>(wanted.cmp(names[i as usize]) as i32) // borrows `wanted` and `names`
/// });
/// // SAFETY: 4 ints of 4 bytes, sorted by name; the comparator reads only its second argument.
/// let found = unsafe { libc.call("bsearch", (&index, &index, 4usize, 4usize, cmp))? };
/// assert_eq!(ffi.cast("int *", found)?.diff(&index)?, 2);
/// # Ok::<(), rcffi::Error>(())
/// ```
pub fn closure<'a, F, R>(f: F) -> Closure<'a>
where
    F: Fn(&CallbackArgs<'_>) -> R + Send + Sync + 'a,
    R: CallbackResult,
{
    let body: Arc<ScopedBody<'a>> = Arc::new(move |a: &CallbackArgs<'_>| f(a).into_ret());
    Closure {
        body: erase(body),
        name: std::any::type_name::<F>(),
        scope: PhantomData,
    }
}

/// A closure that mutates what it borrows, to pass as a function pointer argument (see
/// [`Closure`]): it runs on the thread that made it, one run at a time. When C calls it from
/// another thread, or again while it runs (re-entrantly), that run fails — C receives the
/// error value and the call returns the failure — instead of sharing the closure.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{Error, closure_mut};
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let a = ffi.new("int[]", [5, 3, 9, 1, 7])?;
/// let mut compared = Vec::new();
/// let cmp = closure_mut(|args| {
///     // SAFETY: qsort passes pointers to two ints of the array.
///     let (x, y): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
///     compared.push((x, y));
///     Ok::<_, Error>(x.cmp(&y) as i32)
/// });
/// // SAFETY: qsort sorts the 5 ints of `a` with the comparator.
/// unsafe { libc.call("qsort", (&a, 5usize, 4usize, cmp))? };
/// assert!(compared.len() >= 4);
/// # Ok::<(), rcffi::Error>(())
/// ```
pub fn closure_mut<'a, F, R>(f: F) -> Closure<'a>
where
    F: FnMut(&CallbackArgs<'_>) -> R + 'a,
    R: CallbackResult,
{
    let local = Local {
        thread: crate::base::thread_tag::current(),
        f: ManuallyDrop::new(RefCell::new(f)),
    };
    let body: Arc<ScopedBody<'a>> = Arc::new(move |a: &CallbackArgs<'_>| local.run(a));
    Closure {
        body: erase(body),
        name: std::any::type_name::<F>(),
        scope: PhantomData,
    }
}

/// A callback body that may borrow for `'a`.
type ScopedBody<'a> = dyn Fn(&CallbackArgs<'_>) -> Result<Ret> + Send + Sync + 'a;

/// A body that may borrow for `'a`, kept as a `'static` one.
fn erase<'a>(body: Arc<ScopedBody<'a>>) -> Arc<Body> {
    // SAFETY: the two types differ in the trait object's lifetime bound only (one layout).
    // The body is used only within `'a` (the module's invariant: reachable from `Closure<'a>`
    // values and from callbacks that live for one call within `'a`).
    unsafe { std::mem::transmute::<Arc<ScopedBody<'a>>, Arc<Body>>(body) }
}

/// Dropping a `Closure<'a>` may drop the closure and what it owns, which may borrow for `'a`
/// (a `MutexGuard<'a, _>`): this (empty) `Drop` makes the borrow checker keep `'a` alive until
/// then, which it does not do for a lifetime that only a `PhantomData` holds.
impl Drop for Closure<'_> {
    fn drop(&mut self) {}
}

impl Closure<'_> {
    /// A callback of function pointer type `ty` running this closure, for one call.
    pub(crate) fn callback(&self, uni: &Ffi, ty: TypeRef) -> Result<CData> {
        uni.make_callback(ty, self.body.clone(), self.name, CallbackOptions::default())
    }
}

/// An `FnMut` closure made shareable: it runs on `thread` only, one run at a time.
struct Local<F> {
    /// The maker's thread ([`thread_tag`](crate::base::thread_tag): `std::thread::current`
    /// panics in a destructor at thread exit, where C may still call or drop the callback).
    thread: u64,
    f: ManuallyDrop<RefCell<F>>,
}

// SAFETY: `f` is touched (run or dropped) only on `thread`, checked each time; from any other
// thread a `Local` is an inert value.
unsafe impl<F> Send for Local<F> {}
// SAFETY: as for Send: shared references on other threads never reach `f`.
unsafe impl<F> Sync for Local<F> {}

impl<F> Local<F> {
    fn run<R>(&self, a: &CallbackArgs<'_>) -> Result<Ret>
    where
        F: FnMut(&CallbackArgs<'_>) -> R,
        R: CallbackResult,
    {
        if crate::base::thread_tag::current() != self.thread {
            return Err(Error::Callback(
                "a closure_mut closure was called on another thread than the one that made it; \
                 use closure() with a Fn + Send + Sync closure for that"
                    .into(),
            ));
        }
        let Ok(mut f) = self.f.try_borrow_mut() else {
            return Err(Error::Callback(
                "a closure_mut closure was called again while it ran (re-entrantly); \
                 use closure() with a Fn closure for that"
                    .into(),
            ));
        };
        f(a).into_ret()
    }
}

impl<F> Drop for Local<F> {
    fn drop(&mut self) {
        if crate::base::thread_tag::current() == self.thread {
            // SAFETY: dropped once, here, on its own thread; nothing runs it any more.
            unsafe { ManuallyDrop::drop(&mut self.f) };
        }
        // On another thread the closure is leaked: it may not be Send.
    }
}

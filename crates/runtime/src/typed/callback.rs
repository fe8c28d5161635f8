//! Typed callbacks: a Rust closure with a typed signature as a C function pointer that reads
//! its arguments as they arrive in the registers — no `Value`, no libffi on the way in.
//!
//! Each closure type has [`SLOTS`] trampolines compiled ahead, `extern "C" fn`s of the
//! signature's own Rust type that call the closure directly, each reading its callback's state
//! from one slot of a process-wide table. A callback takes a free slot and gives C that slot's trampoline; past [`SLOTS`]
//! live typed callbacks, it is a libffi closure calling the same Rust code (slower to
//! enter, never refused).
//!
//! # Safety
//!
//! A slot holds a pointer to a callback's [`Boxed`] state, whose first field is an [`Entry`]
//! naming the closure's type and signature (a `TypeId`). A trampoline runs the state's closure
//! only when the slot is taken by a state of its own closure type, so the state is always
//! read as the type it is and the arguments as the types they were passed as; a slot that is
//! free, or taken by another type, means C called a callback after it was released: the process
//! aborts with a message rather than run anything. The state lives in an `Arc` held by every
//! cdata of the callback (`Owner::Callback`), and gives its slot back (or frees its libffi
//! closure) in its `Drop`, before its memory goes; it outlives each of its runs, also when
//! its closure lets go of its last cdata (`mem::running`). Nothing unwinds into C: the closure runs
//! under `catch_unwind`, and a panic returns zero (NULL, a zeroed struct) — or aborts when
//! zero is no value of the result type. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::any::TypeId;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use crate::abi::errno;
use crate::base::panics::{drop_payload, panic_message};
use crate::data::{CData, Origin};
use crate::error::{Error, Result};
use crate::mem::Owner;
use crate::types::{Ffi, Repr, TypeRef};

use super::func::check_fn;
use super::shape::{NativeFn, NativeType, ShapeKind};

/// How many typed callbacks may be live at once on the fast path (each signature compiles
/// this many trampolines).
pub(crate) const SLOTS: usize = 64;

/// What a slot points to: the head of a callback's state.
#[repr(C)]
pub(crate) struct Entry {
    /// The closure's type and signature (`(C, R, A, B)`), checked by the trampoline.
    sig: TypeId,
}

/// The slots: each null, or a live callback's entry.
static TABLE: [AtomicPtr<Entry>; SLOTS] = [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];

/// Where the search for a free slot starts: moves on at each callback, so that a released
/// slot is not taken again at once.
static CURSOR: AtomicUsize = AtomicUsize::new(0);

/// A callback's state: the entry, then the closure (`repr(C)`: the entry's address is the
/// state's).
#[repr(C)]
struct Boxed<C> {
    head: Entry,
    closure: C,
    /// The slot taken, or the libffi closure made instead.
    how: std::sync::OnceLock<Via>,
    code: AtomicUsize,
    name: &'static str,
}

/// How C reaches a callback.
enum Via {
    Slot(usize),
    Libffi {
        closure: *mut libffi::low::ffi_closure,
        /// Keeps the call plan (and its libffi interface) alive.
        _ffi: Ffi,
    },
}

// SAFETY: the libffi closure pointer is written once, before the state is shared, and freed
// only in Drop.
unsafe impl Send for Via {}
// SAFETY: as for Send.
unsafe impl Sync for Via {}

impl<C: Send + Sync> crate::mem::Code for Boxed<C> {
    fn code(&self) -> usize {
        self.code.load(Ordering::Relaxed)
    }

    fn name(&self) -> &str {
        self.name
    }
}

impl<C> Drop for Boxed<C> {
    fn drop(&mut self) {
        match self.how.get() {
            Some(Via::Slot(n)) => TABLE[*n].store(std::ptr::null_mut(), Ordering::Release),
            // SAFETY: allocated by closure_alloc for this state, freed once, here.
            Some(Via::Libffi { closure, .. }) => unsafe { libffi::low::closure_free(*closure) },
            None => {}
        }
    }
}

/// C called a typed callback that was released: nothing safe can run.
#[cold]
fn released() -> ! {
    eprintln!("rcffi: a typed callback was called after it was released; aborting");
    std::process::abort()
}

/// What C receives when the closure panics: zero of the result type, or an abort when zero
/// is not a value of it (a non-nullable function pointer).
#[cold]
fn on_panic<R: NativeType>(name: &str, p: Box<dyn std::any::Any + Send>) -> R {
    let message = panic_message(&*p);
    drop_payload(p);
    let shape = R::shape();
    if !shape.zero_is_valid() {
        eprintln!(
            "rcffi: typed callback {name} panicked ({message}) and zero is no {}; aborting",
            shape.rust
        );
        std::process::abort()
    }
    eprintln!("rcffi: typed callback {name} panicked: {message}; C receives zero");
    // SAFETY: all-zero bytes are a value of R (checked just above).
    unsafe { std::mem::zeroed() }
}

/// Writes a typed callback's result where libffi wants it: integers narrower than a register
/// as a full `ffi_arg`, sign- or zero-extended (libffi's rule for closures).
///
/// # Safety
///
/// `ret` must have room for `R` and for an `ffi_arg`.
unsafe fn write_ret<R: NativeType>(ret: *mut c_void, r: R) {
    let size = size_of::<R>();
    // Only a result narrower than a register can need widening: the shape (which builds a
    // list of members for a struct) is asked only then.
    let widen = if size < 8 {
        match R::shape().kind {
            ShapeKind::Int { signed, .. } => Some(signed),
            ShapeKind::Bool => Some(false),
            _ => None,
        }
    } else {
        None
    };
    match widen {
        Some(signed) => {
            let mut b = [0u8; 8];
            // SAFETY: `r` is `size` (< 8) initialized bytes.
            unsafe {
                std::ptr::copy_nonoverlapping((&raw const r).cast::<u8>(), b.as_mut_ptr(), size)
            };
            let mut v = u64::from_le_bytes(b);
            let bits = size * 8;
            if signed && v >> (bits - 1) & 1 == 1 {
                v |= u64::MAX << bits;
            }
            // SAFETY: the caller's promise: room for an ffi_arg.
            unsafe { ret.cast::<u64>().write_unaligned(v) };
        }
        // SAFETY: the caller's promise: room for R.
        None if size > 0 => unsafe { ret.cast::<R>().write_unaligned(r) },
        None => {}
    }
}

/// A Rust closure as a C function pointer of type `F`, checked once against the declared
/// callback type: made by [`Ffi::typed_callback`](crate::Ffi::typed_callback). C calls it
/// at close to the cost of calling a Rust `extern "C" fn`. The pointer ([`TypedCallback::get`],
/// `unsafe`: its validity is the caller's to keep) is valid while this handle, or a cdata from
/// [`TypedCallback::cdata`], lives.
///
/// Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct TypedCallback<F> {
    f: F,
    pointer: CData,
}

impl<F: NativeFn> TypedCallback<F> {
    /// The C function pointer, as the Rust function pointer type `F` (to pass to typed
    /// calls, which are `unsafe` themselves).
    ///
    /// # Safety
    ///
    /// The pointer must not be called once this handle and every cdata of the callback are
    /// gone — not even while they are being dropped on another thread. (`F` may be a safe
    /// `extern "C" fn` type, whose calls Rust does not guard: this is where the promise is
    /// made.) A call after the release on the trampoline path aborts the process with a
    /// message; past 64 live typed callbacks, such a call would run freed code.
    #[inline(always)]
    pub unsafe fn get(&self) -> F {
        self.f
    }

    /// The C function pointer as a cdata (for the dynamic API); it keeps the callback alive.
    pub fn cdata(&self) -> &CData {
        &self.pointer
    }
}

impl<F> std::fmt::Debug for TypedCallback<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.pointer, f)
    }
}

/// A closure that can become a typed callback of type `F`: any `Fn` of `F`'s parameter and
/// result types that is `Send + Sync + 'static` (C may call it from any thread, for as long
/// as it keeps the pointer).
pub trait IntoCallback<F: NativeFn>: Send + Sync + 'static {
    /// Makes the callback (the work of [`Ffi::typed_callback`](crate::Ffi::typed_callback)).
    #[doc(hidden)]
    fn into_callback(self, ffi: &Ffi, ptr: TypeRef, name: &'static str)
    -> Result<TypedCallback<F>>;
}

/// The trampolines of a signature, one per slot.
macro_rules! slot_list {
    ($tramp:ident, [$($g:ident),*], $t:ty) => {
        [
            $tramp::<$($g,)* 0> as $t, $tramp::<$($g,)* 1> as $t, $tramp::<$($g,)* 2> as $t, $tramp::<$($g,)* 3> as $t,
            $tramp::<$($g,)* 4> as $t, $tramp::<$($g,)* 5> as $t, $tramp::<$($g,)* 6> as $t, $tramp::<$($g,)* 7> as $t,
            $tramp::<$($g,)* 8> as $t, $tramp::<$($g,)* 9> as $t, $tramp::<$($g,)* 10> as $t, $tramp::<$($g,)* 11> as $t,
            $tramp::<$($g,)* 12> as $t, $tramp::<$($g,)* 13> as $t, $tramp::<$($g,)* 14> as $t, $tramp::<$($g,)* 15> as $t,
            $tramp::<$($g,)* 16> as $t, $tramp::<$($g,)* 17> as $t, $tramp::<$($g,)* 18> as $t, $tramp::<$($g,)* 19> as $t,
            $tramp::<$($g,)* 20> as $t, $tramp::<$($g,)* 21> as $t, $tramp::<$($g,)* 22> as $t, $tramp::<$($g,)* 23> as $t,
            $tramp::<$($g,)* 24> as $t, $tramp::<$($g,)* 25> as $t, $tramp::<$($g,)* 26> as $t, $tramp::<$($g,)* 27> as $t,
            $tramp::<$($g,)* 28> as $t, $tramp::<$($g,)* 29> as $t, $tramp::<$($g,)* 30> as $t, $tramp::<$($g,)* 31> as $t,
            $tramp::<$($g,)* 32> as $t, $tramp::<$($g,)* 33> as $t, $tramp::<$($g,)* 34> as $t, $tramp::<$($g,)* 35> as $t,
            $tramp::<$($g,)* 36> as $t, $tramp::<$($g,)* 37> as $t, $tramp::<$($g,)* 38> as $t, $tramp::<$($g,)* 39> as $t,
            $tramp::<$($g,)* 40> as $t, $tramp::<$($g,)* 41> as $t, $tramp::<$($g,)* 42> as $t, $tramp::<$($g,)* 43> as $t,
            $tramp::<$($g,)* 44> as $t, $tramp::<$($g,)* 45> as $t, $tramp::<$($g,)* 46> as $t, $tramp::<$($g,)* 47> as $t,
            $tramp::<$($g,)* 48> as $t, $tramp::<$($g,)* 49> as $t, $tramp::<$($g,)* 50> as $t, $tramp::<$($g,)* 51> as $t,
            $tramp::<$($g,)* 52> as $t, $tramp::<$($g,)* 53> as $t, $tramp::<$($g,)* 54> as $t, $tramp::<$($g,)* 55> as $t,
            $tramp::<$($g,)* 56> as $t, $tramp::<$($g,)* 57> as $t, $tramp::<$($g,)* 58> as $t, $tramp::<$($g,)* 59> as $t,
            $tramp::<$($g,)* 60> as $t, $tramp::<$($g,)* 61> as $t, $tramp::<$($g,)* 62> as $t, $tramp::<$($g,)* 63> as $t,
        ]
    };
}

/// Takes a free slot for `entry`: its number.
fn take_slot(entry: *mut Entry) -> Option<usize> {
    let start = CURSOR.fetch_add(1, Ordering::Relaxed);
    (0..SLOTS).map(|i| (start + i) % SLOTS).find(|&n| {
        TABLE[n]
            .compare_exchange(
                std::ptr::null_mut(),
                entry,
                Ordering::AcqRel,
                Ordering::Relaxed,
            )
            .is_ok()
    })
}

/// The libffi closure for a callback that found no free slot.
///
/// # Safety
///
/// `handler` must read arguments and write the result as the function type `ptr` points to
/// passes them, with `userdata` as its state.
unsafe fn libffi_closure(
    ffi: &Ffi,
    ptr: TypeRef,
    handler: unsafe extern "C" fn(
        *mut libffi::low::ffi_cif,
        *mut c_void,
        *mut *mut c_void,
        *mut c_void,
    ),
    userdata: *mut c_void,
) -> Result<(Via, usize)> {
    let info = ptr.get(&ffi.inner);
    let func = match &info.repr {
        Repr::Pointer { .. } => ffi.pointee(info),
        _ => None,
    }
    .ok_or_else(|| Error::Type(format!("'{}' is not a function pointer type", info.name).into()))?;
    let plan = crate::abi::plan_of(ffi, func)?;
    // A record libffi's closures misread (`abi::closure_args`): dynamic callbacks read it
    // through their own interface; a typed one reads Rust values where libffi points.
    if plan.closure.is_some() || plan.closure_refusal.is_some() {
        return Err(Error::Unsupported(
            format!(
                "{} typed callbacks are live, and libffi's closures misread a record argument of \
             '{}' (one whose second eightbyte is padding only): use Ffi::callback",
                SLOTS, info.name
            )
            .into(),
        ));
    }
    let shape = plan.fixed.as_ref().ok_or_else(|| {
        Error::Unsupported(
            format!(
                "{} typed callbacks are live, and libffi cannot make one of type '{}'",
                SLOTS, info.name
            )
            .into(),
        )
    })?;
    let (closure, code) = libffi::low::closure_alloc();
    if closure.is_null() {
        return Err(Error::Memory(
            "cannot allocate write+execute memory for a callback".into(),
        ));
    }
    // SAFETY: `closure` was just allocated for `code`; the interface lives in the plan, kept
    // by the `Ffi` stored with the closure; the user data outlives the closure (both are
    // freed together, in the state's Drop).
    let status = unsafe {
        libffi::raw::ffi_prep_closure_loc(
            closure,
            shape.cif.raw(),
            Some(handler),
            userdata,
            code.as_mut_ptr(),
        )
    };
    let via = Via::Libffi {
        closure,
        _ffi: ffi.clone(),
    };
    if status != libffi::raw::ffi_status_FFI_OK {
        drop(via_free(via));
        return Err(Error::Unsupported(
            format!(
                "libffi cannot prepare a callback of type '{}' (status {status})",
                info.name
            )
            .into(),
        ));
    }
    Ok((via, code.as_ptr() as usize))
}

/// Frees a libffi closure that was never handed out.
fn via_free(via: Via) -> Result<()> {
    if let Via::Libffi { closure, .. } = via {
        // SAFETY: allocated by closure_alloc, never used.
        unsafe { libffi::low::closure_free(closure) };
    }
    Ok(())
}

macro_rules! typed_callbacks {
    ($tramp:ident, $invoke:ident, $first:ident, $handler:ident; $($a:ident $x:ident $i:tt),*) => {
        /// A slot's trampoline for one closure type (so the closure is called directly, and
        /// inlined where it is small).
        extern "C" fn $tramp<R: NativeType, $($a: NativeType,)* C: Fn($($a),*) -> R + 'static, const N: usize>($($x: $a),*) -> R {
            let e = TABLE[N].load(Ordering::Acquire);
            // SAFETY: a non-null slot points to a live callback's entry (released entries are
            // taken out of the table before their memory goes).
            if e.is_null() || unsafe { (*e).sig } != TypeId::of::<(C, R, $($a,)*)>() {
                released()
            }
            let at = errno::location_if_known();
            if at.is_null() {
                // SAFETY: as below.
                return unsafe { $first::<R, $($a,)* C>(e, $($x),*) };
            }
            // SAFETY: the entry heads a `Boxed<C>` (its `sig` says so, checked above); `at` is
            // this thread's errno.
            unsafe { $invoke::<R, $($a,)* C>(e, at, $($x),*) }
        }

        /// The first typed callback on a thread: finds errno's address, then runs the closure
        /// (apart, so that the common path saves no registers).
        ///
        /// # Safety
        ///
        /// As for the invoke function.
        #[cold]
        #[inline(never)]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $first<R: NativeType, $($a: NativeType,)* C: Fn($($a),*) -> R>(e: *const Entry, $($x: $a),*) -> R {
            // SAFETY: the caller's promise, passed on; the address is this thread's errno.
            unsafe { $invoke::<R, $($a,)* C>(e, errno::location_cached(), $($x),*) }
        }

        /// Runs closure `C` of the state at `e`, with errno (at `at`) saved and restored
        /// around it and panics caught.
        ///
        /// # Safety
        ///
        /// `e` must be the entry of a live `Boxed<C>`, `at` this thread's errno address.
        #[allow(clippy::too_many_arguments)]
        #[inline(always)]
        unsafe fn $invoke<R: NativeType, $($a: NativeType,)* C: Fn($($a),*) -> R>(e: *const Entry, at: *mut libc::c_int, $($x: $a),*) -> R {
            // SAFETY: the caller's promise; the entry is the state's first field.
            let b = unsafe { &*e.cast::<Boxed<C>>() };
            // SAFETY: this thread's errno.
            unsafe { errno::save_from(at) };
            // A run of the callback: should its closure let go of its last cdata, the state
            // stays until the run is over (`mem::running`).
            let (r, kept) = crate::mem::running(e.cast(), || {
                match catch_unwind(AssertUnwindSafe(|| (b.closure)($($x),*))) {
                    Ok(r) => r,
                    Err(p) => on_panic::<R>(b.name, p),
                }
            });
            if let Some(state) = kept {
                crate::mem::let_go(state);
            }
            // SAFETY: as above.
            unsafe { errno::restore_at(at) };
            r
        }

        /// What libffi calls for a callback that found no slot.
        ///
        /// # Safety
        ///
        /// Called by libffi only, with the state as user data and the arguments laid out as
        /// the (checked) C type passes them.
        unsafe extern "C" fn $handler<R: NativeType, $($a: NativeType,)* C: Fn($($a),*) -> R>(
            _cif: *mut libffi::low::ffi_cif,
            ret: *mut c_void,
            _args: *mut *mut c_void,
            userdata: *mut c_void,
        ) {
            // SAFETY: libffi passes one pointer per argument, each to a value of its type
            // (checked against the C type the interface was made from).
            unsafe {
                $(let $x = _args.add($i).read().cast::<$a>().read_unaligned();)*
                let r = $invoke::<R, $($a,)* C>(userdata as *const Entry, errno::location_cached(), $($x),*);
                write_ret(ret, r);
            }
        }

        impl<R: NativeType, $($a: NativeType,)* C> IntoCallback<extern "C" fn($($a),*) -> R> for C
        where
            C: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            fn into_callback(self, ffi: &Ffi, ptr: TypeRef, name: &'static str) -> Result<TypedCallback<extern "C" fn($($a),*) -> R>> {
                let slots: [extern "C" fn($($a),*) -> R; SLOTS] = slot_list!($tramp, [R $(, $a)*, C], extern "C" fn($($a),*) -> R);
                let state = Arc::new(Boxed {
                    head: Entry {
                        sig: TypeId::of::<(C, R, $($a,)*)>(),
                    },
                    closure: self,
                    how: std::sync::OnceLock::new(),
                    code: AtomicUsize::new(0),
                    name,
                });
                let entry = Arc::as_ptr(&state).cast::<Entry>().cast_mut();
                let (via, code) = match take_slot(entry) {
                    Some(n) => (Via::Slot(n), slots[n] as usize),
                    // SAFETY: the handler reads the arguments as the checked C type passes them.
                    None => unsafe { libffi_closure(ffi, ptr, $handler::<R, $($a,)* C>, entry.cast())? },
                };
                state.code.store(code, Ordering::Relaxed);
                let _ = state.how.set(via);
                // SAFETY: `code` is a trampoline (or libffi closure) of this signature that runs
                // this state's closure while the state lives; the cdata holds the state.
                let f = unsafe { std::mem::transmute::<usize, extern "C" fn($($a),*) -> R>(code) };
                let pointer = CData::pointer(ffi, ptr, code, Owner::callback(state)).with_origin(Origin::New);
                Ok(TypedCallback { f, pointer })
            }
        }

        impl<R: NativeType, $($a: NativeType,)* C> IntoCallback<unsafe extern "C" fn($($a),*) -> R> for C
        where
            C: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            fn into_callback(self, ffi: &Ffi, ptr: TypeRef, name: &'static str) -> Result<TypedCallback<unsafe extern "C" fn($($a),*) -> R>> {
                let t = <C as IntoCallback<extern "C" fn($($a),*) -> R>>::into_callback(self, ffi, ptr, name)?;
                Ok(TypedCallback { f: t.f, pointer: t.pointer })
            }
        }
    };
}

typed_callbacks!(tramp0, invoke0, first0, handler0;);
typed_callbacks!(tramp1, invoke1, first1, handler1; A a 0);
typed_callbacks!(tramp2, invoke2, first2, handler2; A a 0, B b 1);
typed_callbacks!(tramp3, invoke3, first3, handler3; A a 0, B b 1, C3 c 2);
typed_callbacks!(tramp4, invoke4, first4, handler4; A a 0, B b 1, C3 c 2, D d 3);
typed_callbacks!(tramp5, invoke5, first5, handler5; A a 0, B b 1, C3 c 2, D d 3, E e 4);
typed_callbacks!(tramp6, invoke6, first6, handler6; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5);
typed_callbacks!(tramp7, invoke7, first7, handler7; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5, H h 6);
typed_callbacks!(tramp8, invoke8, first8, handler8; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5, H h 6, I i 7);
typed_callbacks!(tramp9, invoke9, first9, handler9; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5, H h 6, I i 7, J j 8);
typed_callbacks!(tramp10, invoke10, first10, handler10; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5, H h 6, I i 7, J j 8, K k 9);
typed_callbacks!(tramp11, invoke11, first11, handler11; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5, H h 6, I i 7, J j 8, K k 9, L l 10);
typed_callbacks!(tramp12, invoke12, first12, handler12; A a 0, B b 1, C3 c 2, D d 3, E e 4, G g 5, H h 6, I i 7, J j 8, K k 9, L l 10, M m 11);

/// The work of [`Ffi::typed_callback`](crate::Ffi::typed_callback): checks `F` against
/// function pointer type `ptr` and makes the callback.
pub(crate) fn make<F: NativeFn>(
    ffi: &Ffi,
    ptr: TypeRef,
    closure: impl IntoCallback<F>,
    name: &'static str,
) -> Result<TypedCallback<F>> {
    let info = ptr.get(&ffi.inner);
    let id = info.id;
    check_fn::<F>(&ffi.inner.read(), id, "the callback type", true)?;
    closure.into_callback(ffi, ptr, name)
}

/// The work of [`Ffi::callback_fn`](crate::Ffi::callback_fn): a Rust `extern "C" fn` as a
/// cdata of function pointer type `ptr`, checked.
pub(crate) fn of_fn<F: NativeFn>(ffi: &Ffi, ptr: TypeRef, f: F) -> Result<CData> {
    let info = ptr.get(&ffi.inner);
    check_fn::<F>(&ffi.inner.read(), info.id, "the function type", true)?;
    // A Rust function's code lives as long as the program: nothing to keep.
    Ok(CData::pointer(ffi, ptr, f.code(), Owner::Foreign))
}

//! Rust closures as C function pointers: `callback`, `callback_with`, `callback_local` and
//! `typed_callback`.

use std::sync::Arc;

use crate::callback::local::ThreadBound;
use crate::callback::{Body, CallbackArgs, CallbackOptions, CallbackResult};
use crate::data::CData;
use crate::error::Result;
use crate::typed::{IntoCallback, NativeFn, TypedCallback};
use crate::types::{Ffi, Repr, TypeRef, TypeSpec};

impl Ffi {
    /// A C function pointer that calls a Rust closure (cffi's `ffi.callback`). `ty` is a
    /// function type or a function pointer type (`"int(int, int)"`, `"int(*)(int, int)"`).
    ///
    /// The closure gets the arguments ([`CallbackArgs`]) and returns a value converted to the
    /// result type — or a `Result`. When it fails or panics, C receives zero (NULL, a zeroed
    /// struct) and the failure is reported on stderr; [`Ffi::callback_with`] sets another
    /// error value and an `onerror` handler. A panic never unwinds into C.
    ///
    /// The function pointer is valid while the returned cdata, or anything made from it (a
    /// cast, a copy stored into rcffi's memory), lives: keep it while C may call it. It may be
    /// called from any thread, and re-entrantly.
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)); [`Error::Type`](crate::Error::Type)
    /// for a type that is no function or function pointer type;
    /// [`Error::Unsupported`](crate::Error::Unsupported) for a signature no callback can take (a
    /// variadic one, say).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let twice = ffi.callback("int(int)", |args| Ok::<_, rcffi::Error>(args.get_as::<i32>(0)? * 2))?;
    /// assert_eq!(format!("{twice:?}").split(' ').take(3).collect::<Vec<_>>(), ["<cdata", "'int(*)(int)'", "calling"]);
    /// // SAFETY: a callback is a function of its type.
    /// assert_eq!(unsafe { twice.call((21,))? }, 42.into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn callback<T, F, R>(&self, ty: &T, f: F) -> Result<CData>
    where
        T: TypeSpec + ?Sized,
        F: Fn(&CallbackArgs<'_>) -> R + Send + Sync + 'static,
        R: CallbackResult,
    {
        self.callback_with(ty, f, CallbackOptions::default())
    }

    /// [`Ffi::callback`] with options: the error value C receives when the closure fails,
    /// and an `onerror` handler (cffi's `error=` and `onerror=`).
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)); [`Error::Type`](crate::Error::Type)
    /// for a type that is no function or function pointer type;
    /// [`Error::Unsupported`](crate::Error::Unsupported) for a signature no callback can take (a
    /// variadic one, say); an error value that does not convert to the result type.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::{CallbackOptions, Error, Value};
    /// let ffi = rcffi::Ffi::default();
    /// let opts = CallbackOptions::default()
    ///     .error(-1)
    ///     .onerror(|err, args| match err {
    ///         Error::Overflow(_) => Some(Value::Int(i128::from(i16::MAX))), // saturate
    ///         _ => None,
    ///     });
    /// let cb = ffi.callback_with("short(int)", |a| a.get_as::<i32>(0).map(|x| x * 1000), opts)?;
    /// assert_eq!(unsafe { cb.call((7,))? }, 7000.into());
    /// assert_eq!(unsafe { cb.call((70,))? }, 32767.into()); // 70000 does not fit a short
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn callback_with<T, F, R>(&self, ty: &T, f: F, options: CallbackOptions) -> Result<CData>
    where
        T: TypeSpec + ?Sized,
        F: Fn(&CallbackArgs<'_>) -> R + Send + Sync + 'static,
        R: CallbackResult,
    {
        let body: Arc<Body> = Arc::new(move |a: &CallbackArgs<'_>| f(a).into_ret());
        let (ffi, t) = ty.resolve(self)?;
        ffi.make_callback(t, body, std::any::type_name::<F>(), options)
    }

    /// [`Ffi::callback`] of a closure that need not be `Send` or `Sync` (one holding an `Rc`
    /// or a `RefCell`), bound to the thread that made it: it runs only there — C calling it
    /// from another thread receives the error value, and the call running there, if any,
    /// returns the failure — and is dropped there (or never, when its last holder goes away
    /// on another thread). For C that calls back on the thread that registered the callback:
    /// event loops, GUI toolkits, `qsort`.
    ///
    /// # Errors
    ///
    /// As [`Ffi::callback`].
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use std::{cell::Cell, rc::Rc};
    /// let ffi = rcffi::Ffi::default();
    /// let calls = Rc::new(Cell::new(0));
    /// let seen = calls.clone();
    /// let count = ffi.callback_local("int(int)", move |a| {
    ///     seen.set(seen.get() + 1);
    ///     a.get_as::<i32>(0)
    /// })?;
    /// // SAFETY: a callback is a function of its type.
    /// assert_eq!(unsafe { count.call((5,))? }, 5.into());
    /// assert_eq!(calls.get(), 1);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn callback_local<T, F, R>(&self, ty: &T, f: F) -> Result<CData>
    where
        T: TypeSpec + ?Sized,
        F: Fn(&CallbackArgs<'_>) -> R + 'static,
        R: CallbackResult,
    {
        let bound = ThreadBound::new(f);
        let body: Arc<Body> = Arc::new(move |a: &CallbackArgs<'_>| bound.run(a));
        let (ffi, t) = ty.resolve(self)?;
        ffi.make_callback(
            t,
            body,
            std::any::type_name::<F>(),
            CallbackOptions::default(),
        )
    }

    /// A Rust closure as a C function pointer of Rust type `F` (`extern "C" fn(A, B) -> R` or
    /// its `unsafe` form), checked once against the declared callback type `ty` (a function
    /// or function pointer type, or a typedef of one). The closure takes and returns the Rust
    /// types themselves — no [`CallbackArgs`], no conversion: C enters it through a
    /// trampoline compiled for the signature, at close to the cost of a Rust `extern "C" fn`.
    ///
    /// As with [`Ffi::callback`], errno is kept (`ffi.errno()` inside the closure is C's, and
    /// what the closure leaves is C's after it), a panic never unwinds into C (C receives zero,
    /// and the panic is reported on stderr; where zero is no value of the result — a
    /// non-nullable function pointer — the process aborts), and the pointer is valid while the
    /// handle or its cdata lives ([`TypedCallback::get`] is `unsafe` for that reason). A typed
    /// callback called after its release aborts the process instead of running freed code.
    /// Up to 64 typed callbacks are on this fast path at once; more are made through libffi
    /// (slower to enter, the same behaviour while alive).
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)); [`Error::Type`](crate::Error::Type)
    /// for a type that is no function or function pointer type;
    /// [`Error::Unsupported`](crate::Error::Unsupported) for a signature no callback can take (a
    /// variadic one, say); [`Error::Type`](crate::Error::Type) naming each difference
    /// between the Rust signature `F` and the declared one.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use std::ffi::{c_int, c_void};
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("typedef int (*cmp_t)(const void *, const void *);
    ///           void qsort(void *, size_t, size_t, cmp_t);")?;
    /// type Cmp = extern "C" fn(*const c_void, *const c_void) -> c_int;
    /// let by_value = ffi.typed_callback::<Cmp, _>("cmp_t", |a: *const c_void, b: *const c_void| {
    ///     // SAFETY: qsort passes pointers to two ints of the array.
    ///     let (a, b) = unsafe { (*a.cast::<i32>(), *b.cast::<i32>()) };
    ///     a.cmp(&b) as c_int
    /// })?;
    /// let qsort = unsafe { ffi.dlopen("c")? }
    ///     .typed::<unsafe extern "C" fn(*mut c_void, usize, usize, Cmp)>("qsort")?;
    /// let mut v = [5, 3, 9, 1];
    /// // SAFETY: 4 ints of 4 bytes, sorted with the comparator.
    /// unsafe { qsort(v.as_mut_ptr().cast(), 4, 4, by_value.get()) };
    /// assert_eq!(v, [1, 3, 5, 9]);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn typed_callback<F, C>(
        &self,
        ty: &(impl TypeSpec + ?Sized),
        closure: C,
    ) -> Result<TypedCallback<F>>
    where
        F: NativeFn,
        C: IntoCallback<F>,
    {
        let (ffi, t) = ty.resolve(self)?;
        let ptr = function_pointer(ffi, t);
        crate::typed::callback::make::<F>(ffi, ptr, closure, std::any::type_name::<C>())
    }

    /// A Rust `extern "C" fn` as a cdata of function pointer type `ty`, its type checked once
    /// against `ty`: for the dynamic API (`lib.call("qsort", (..., cmp))`) and for storing into
    /// C structs. A Rust function lives as long as the program, so nothing is kept.
    ///
    /// # Errors
    ///
    /// Errors of the type string ([`Error::CDef`](crate::Error::CDef)); [`Error::Type`](crate::Error::Type)
    /// for a type that is no function or function pointer type;
    /// [`Error::Unsupported`](crate::Error::Unsupported) for a signature no callback can take (a
    /// variadic one, say); [`Error::Type`](crate::Error::Type) naming each difference
    /// between the Rust signature `F` and the declared one.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// extern "C" fn twice(x: i32) -> i32 { x * 2 }
    /// let f = ffi.callback_fn("int(*)(int)", twice as extern "C" fn(i32) -> i32)?;
    /// // SAFETY: a Rust function of this type.
    /// assert_eq!(unsafe { f.call((21,))? }, 42.into());
    /// assert!(ffi.callback_fn("int(*)(long)", twice as extern "C" fn(i32) -> i32).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn callback_fn<F: NativeFn>(&self, ty: &(impl TypeSpec + ?Sized), f: F) -> Result<CData> {
        let (ffi, t) = ty.resolve(self)?;
        let ptr = function_pointer(ffi, t);
        crate::typed::callback::of_fn(ffi, ptr, f)
    }
}

/// A function type's pointer type; other types as they are (the check names them).
fn function_pointer(ffi: &Ffi, t: TypeRef) -> TypeRef {
    match t.get(&ffi.inner).repr {
        Repr::Function { .. } => ffi.pointer_to(t),
        _ => t,
    }
}

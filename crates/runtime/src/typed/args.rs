//! [`NativeArgs`] and [`Function::call_as`]: a handle called with Rust values, checked once per
//! Rust signature, then a plain `extern "C"` call — no `Value`, no libffi, no marshalling.
//! Unsafe code: an address becoming a function pointer after the check, and the call.

#![allow(unsafe_code)]

use std::any::TypeId;

use super::func::check_fn;
use super::shape::{ForeignFn, NativeFn, NativeType};
use crate::abi::errno;
use crate::call::function::Function;
use crate::error::{Error, Result};
use crate::types::Repr;

/// Tuples of Rust arguments (up to 12 [`NativeType`]s) that [`Function::call_as`] passes to C
/// as they are.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::NativeArgs;
/// fn arity<A: NativeArgs>(_: A) -> usize {
///     std::any::type_name::<A::Fn<i32>>().matches(',').count()
/// }
/// assert_eq!(arity((1i32, 2.0f64)), 1); // `unsafe extern "C" fn(i32, f64) -> i32`
/// ```
pub trait NativeArgs: Sized + 'static {
    /// The C function pointer type taking these arguments and returning `R`.
    type Fn<R: NativeType>: ForeignFn;

    /// Calls `f` with these arguments.
    ///
    /// # Safety
    ///
    /// `f` must be safe to call with these arguments (the C function's own contract).
    unsafe fn call_with<R: NativeType>(self, f: Self::Fn<R>) -> R;
}

macro_rules! native_args {
    ($($a:ident $v:ident),*) => {
        impl<$($a: NativeType),*> NativeArgs for ($($a,)*) {
            type Fn<R: NativeType> = unsafe extern "C" fn($($a),*) -> R;

            #[inline(always)]
            unsafe fn call_with<R: NativeType>(self, f: Self::Fn<R>) -> R {
                let ($($v,)*) = self;
                // SAFETY: the caller's promise.
                unsafe { f($($v),*) }
            }
        }
    };
}

native_args!();
native_args!(A a);
native_args!(A a, B b);
native_args!(A a, B b, C c);
native_args!(A a, B b, C c, D d);
native_args!(A a, B b, C c, D d, E e);
native_args!(A a, B b, C c, D d, E e, F f);
native_args!(A a, B b, C c, D d, E e, F f, G g);
native_args!(A a, B b, C c, D d, E e, F f, G g, H h);
native_args!(A a, B b, C c, D d, E e, F f, G g, H h, I i);
native_args!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j);
native_args!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k);
native_args!(A a, B b, C c, D d, E e, F f, G g, H h, I i, J j, K k, L l);

impl Function {
    /// Calls the function with Rust arguments and returns a Rust result: at native speed once
    /// the types are known. The first call with a tuple of argument types and a result type
    /// checks them against the C signature, as [`Lib::typed`](crate::Lib::typed) does, and
    /// names every difference; the function's plan remembers the types that matched, so
    /// every later call with them — through any handle of the same C type — is a plain
    /// `extern "C"` call. C's `errno` is kept for [`Ffi::errno`](crate::Ffi::errno) as
    /// [`Function::call`] keeps it. Variadic functions take [`Function::call`] (their extra
    /// arguments' types are chosen per call).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] naming each difference between the Rust argument and result
    /// types and the declared ones (checked once per Rust signature); the failure of a callback that
    /// failed while C ran.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int abs(int); double ldexp(double, int);")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// let abs = libc.function("abs")?;
    /// let ldexp = unsafe { ffi.dlopen("m")? }.function("ldexp")?;
    /// // SAFETY: abs and ldexp take and return numbers only.
    /// unsafe {
    ///     assert_eq!(abs.call_as::<i32, _>((-3,))?, 3);
    ///     assert_eq!(ldexp.call_as::<f64, _>((1.5, 3))?, 12.0);
    ///     assert!(abs.call_as::<i32, _>((-3i64,)).is_err()); // a long long is not an int
    /// }
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    ///
    /// # Safety
    ///
    /// As for [`Function::call`]: the types are checked, but pointers among the arguments must
    /// be valid for what the function does with them.
    #[inline(always)]
    pub unsafe fn call_as<R: NativeType, A: NativeArgs>(&self, args: A) -> Result<R> {
        if !self.plan().checked.contains(TypeId::of::<A::Fn<R>>()) {
            self.check_as::<A::Fn<R>>()?;
        }
        let Some(code) = std::ptr::NonNull::new(self.cdata().addr() as *mut std::ffi::c_void)
        else {
            return Err(self.null());
        };
        // SAFETY: the Rust type was checked against the function's C type (now or before:
        // the plan is the C type's); the address is the function's, kept loaded by the
        // handle's cdata; the arguments are the caller's promise.
        unsafe {
            let f = <A::Fn<R> as NativeFn>::from_code(code);
            let at = errno::location_cached();
            errno::restore_at(at);
            let r = args.call_with(f);
            errno::save_from(at);
            Ok(r)
        }
    }

    #[cold]
    #[inline(never)]
    fn null(&self) -> Error {
        Error::NullPointer(
            format!(
                "cannot call null function pointer of type '{}'",
                self.plan().name
            )
            .into(),
        )
    }

    /// Checks `F` against the function's C type, and remembers it in the plan when it matches.
    #[inline(never)]
    fn check_as<F: ForeignFn>(&self) -> Result<()> {
        let p = self.cdata();
        let info = p.info();
        let func = match &info.repr {
            Repr::Pointer { .. } => p.uni().pointee(info),
            _ => None,
        }
        .ok_or_else(|| {
            Error::Type(format!("cdata '{}' is not a function pointer", info.name).into())
        })?;
        let id = func.get(&p.uni().inner).id;
        check_fn::<F>(&p.uni().inner.read(), id, "the function", false)?;
        self.plan().checked.insert(TypeId::of::<F>());
        Ok(())
    }
}

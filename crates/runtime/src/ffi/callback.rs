//! Rust closures as C function pointers: `callback` and `callback_with`.

use std::sync::Arc;

use crate::callback::{Body, CallbackArgs, CallbackOptions, CallbackResult};
use crate::data::CData;
use crate::error::Result;
use crate::types::{Ffi, TypeSpec};

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
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let twice = ffi.callback("int(int)", |args| Ok::<_, rcffi_runtime::Error>(args.get_as::<i32>(0)? * 2))?;
    /// assert_eq!(format!("{twice:?}").split(' ').take(3).collect::<Vec<_>>(), ["<cdata", "'int(*)(int)'", "calling"]);
    /// // SAFETY: a callback is a function of its type.
    /// assert_eq!(unsafe { twice.call((21,))? }, 42.into());
    /// # Ok::<(), rcffi_runtime::Error>(())
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
    /// ```
    /// use rcffi_runtime::{CallbackOptions, Error, Value};
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let opts = CallbackOptions::default()
    ///     .error(-1)
    ///     .onerror(|err, args| match err {
    ///         Error::Overflow(_) => Some(Value::Int(i128::from(i16::MAX))), // saturate
    ///         _ => None,
    ///     });
    /// let cb = ffi.callback_with("short(int)", |a| a.get_as::<i32>(0).map(|x| x * 1000), opts)?;
    /// assert_eq!(unsafe { cb.call((7,))? }, 7000.into());
    /// assert_eq!(unsafe { cb.call((70,))? }, 32767.into()); // 70000 does not fit a short
    /// # Ok::<(), rcffi_runtime::Error>(())
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
}

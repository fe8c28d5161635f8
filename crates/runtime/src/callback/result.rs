//! What a callback's closure returns ([`Ret`], [`CallbackResult`]) and what happens when it
//! fails ([`CallbackOptions`]: cffi's `error=` and `onerror=`). No unsafe code.

use super::CallbackArgs;
use crate::data::{CData, Value};
use crate::error::{Error, Result};

/// The body of a callback: the arguments in, a result (or an error) out.
pub(crate) type Body = dyn Fn(&CallbackArgs<'_>) -> Result<Ret> + Send + Sync;

/// What runs when a callback fails (cffi's `onerror`): the failure and the arguments in;
/// `Some(value)` to return that to C, `None` for the error value.
pub type OnError = dyn Fn(&Error, &CallbackArgs<'_>) -> Option<Value> + Send + Sync;

/// What a callback's closure returned: a number directly, or any value.
#[doc(hidden)]
#[derive(Debug)]
pub enum Ret {
    /// A Rust integer.
    Int(i64),
    /// A Rust integer above `i64::MAX`.
    UInt(u64),
    /// A Rust float.
    Float(f64),
    /// Any value (boxed: the common results stay small).
    Value(Box<Value>),
}

impl Ret {
    pub(super) fn into_value(self) -> Value {
        match self {
            Ret::Int(i) => Value::Int(i128::from(i)),
            Ret::UInt(u) => Value::Int(i128::from(u)),
            Ret::Float(x) => Value::Float(x),
            Ret::Value(v) => *v,
        }
    }
}

/// What a callback's closure may return: a Rust number, `bool`, `char`, `()`, a string or
/// bytes, a [`CData`], a [`Value`] — or a `Result` of one of these whose error is any error
/// type (reported like cffi's exceptions in callbacks).
pub trait CallbackResult {
    /// The result, or the failure.
    #[doc(hidden)]
    fn into_ret(self) -> Result<Ret>;
}

macro_rules! callback_result_int {
    ($($t:ty),*) => {$(
        impl CallbackResult for $t {
            #[inline]
            fn into_ret(self) -> Result<Ret> {
                Ok(Ret::Int(self as i64))
            }
        }
    )*};
}
callback_result_int!(i8, u8, i16, u16, i32, u32, i64, isize);

impl CallbackResult for u64 {
    #[inline]
    fn into_ret(self) -> Result<Ret> {
        Ok(match i64::try_from(self) {
            Ok(i) => Ret::Int(i),
            Err(_) => Ret::UInt(self),
        })
    }
}

impl CallbackResult for usize {
    #[inline]
    fn into_ret(self) -> Result<Ret> {
        (self as u64).into_ret()
    }
}

impl CallbackResult for f64 {
    #[inline]
    fn into_ret(self) -> Result<Ret> {
        Ok(Ret::Float(self))
    }
}

impl CallbackResult for f32 {
    #[inline]
    fn into_ret(self) -> Result<Ret> {
        Ok(Ret::Float(f64::from(self)))
    }
}

macro_rules! callback_result_value {
    ($($t:ty),*) => {$(
        impl CallbackResult for $t {
            #[inline]
            fn into_ret(self) -> Result<Ret> {
                Ok(Ret::Value(Box::new(Value::from(self))))
            }
        }
    )*};
}
callback_result_value!(
    i128,
    bool,
    char,
    (),
    String,
    &str,
    Vec<u8>,
    &[u8],
    Vec<Value>,
    CData,
    &CData,
    Value
);

impl<T: Into<Value>, const N: usize> CallbackResult for [T; N] {
    fn into_ret(self) -> Result<Ret> {
        Ok(Ret::Value(Box::new(Value::from(self))))
    }
}

/// An rcffi [`Error`] keeps its kind (an `onerror` handler can match it); any other error
/// becomes [`Error::Callback`] with its message.
impl<T: CallbackResult, E: std::fmt::Display + 'static> CallbackResult
    for std::result::Result<T, E>
{
    #[inline]
    fn into_ret(self) -> Result<Ret> {
        match self {
            Ok(v) => v.into_ret(),
            Err(e) => Err(own_error(e)),
        }
    }
}

#[cold]
fn own_error<E: std::fmt::Display + 'static>(e: E) -> Error {
    let mut slot = Some(e);
    if let Some(own) = (&mut slot as &mut dyn std::any::Any).downcast_mut::<Option<Error>>()
        && let Some(own) = own.take()
    {
        return own;
    }
    Error::Callback(slot.map(|e| e.to_string()).unwrap_or_default().into())
}

/// Options of a callback (cffi's `error=` and `onerror=`).
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let opts = rcffi::CallbackOptions::default()
///     .error(-1)
///     .onerror(|err, _args| {
///         eprintln!("callback failed: {err}");
///         None // C gets the error value, -1
///     });
/// # let _ = opts;
/// ```
#[derive(Default)]
pub struct CallbackOptions {
    pub(super) error: Value,
    pub(super) onerror: Option<Box<OnError>>,
    pub(super) report_on_stderr: bool,
}

/// What a callback does with a failure that no handler turned into a value for C.
pub(super) enum Failure {
    /// Hands it to the rcffi call running on this thread (`pending`), else reports it on
    /// stderr.
    Caller,
    /// Reports it on stderr.
    Stderr,
    /// Runs this handler first.
    Handler(Box<OnError>),
}

impl CallbackOptions {
    /// What the box keeps of the options about failures.
    pub(super) fn failure(&mut self) -> Failure {
        match self.onerror.take() {
            Some(h) => Failure::Handler(h),
            None if self.report_on_stderr => Failure::Stderr,
            None => Failure::Caller,
        }
    }
}

impl CallbackOptions {
    /// What C receives when the closure fails or panics (default: zero, NULL, a zeroed
    /// struct). Checked against the result type when the callback is made.
    pub fn error(mut self, value: impl Into<Value>) -> CallbackOptions {
        self.error = value.into();
        self
    }

    /// Runs when the closure fails or panics, with the failure and the arguments; what it
    /// returns (`Some`) is given to C instead of the error value. Without a handler, C
    /// receives the error value and the rcffi call running on this thread when the callback
    /// failed returns the failure once C returns (see [`report_on_stderr`](Self::report_on_stderr)).
    pub fn onerror(
        mut self,
        f: impl Fn(&Error, &CallbackArgs<'_>) -> Option<Value> + Send + Sync + 'static,
    ) -> CallbackOptions {
        self.onerror = Some(Box::new(f));
        self
    }
}

impl CallbackOptions {
    /// Reports a failure on stderr, as cffi does, instead of handing it to the rcffi call
    /// running when the callback failed: for a C library expected to carry on after a
    /// callback's error value, whose call should then succeed. (A failure on a thread where no
    /// rcffi call runs — one C made — is reported on stderr either way.)
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::{CallbackOptions, Error, Ffi};
    /// let ffi = Ffi::default();
    /// ffi.cdef("void qsort(void *, size_t, size_t, int (*)(const void *, const void *));")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// let a = ffi.new("int[]", [2, 1])?;
    /// let fails = |_: &rcffi::CallbackArgs<'_>| -> Result<i32, Error> {
    ///     Err(Error::Value("no order".into()))
    /// };
    /// let cmp = ffi.callback("int(*)(const void *, const void *)", fails)?;
    /// // The failure reaches the call that was running: qsort's.
    /// let e = unsafe { libc.call("qsort", (&a, 2, 4, &cmp)) }.unwrap_err();
    /// assert!(e.to_string().contains("no order"));
    /// let opts = CallbackOptions::default().error(0).report_on_stderr();
    /// let cmp = ffi.callback_with("int(*)(const void *, const void *)", fails, opts)?;
    /// assert!(unsafe { libc.call("qsort", (&a, 2, 4, &cmp)) }.is_ok());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn report_on_stderr(mut self) -> CallbackOptions {
        self.report_on_stderr = true;
        self
    }
}

impl std::fmt::Debug for CallbackOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackOptions")
            .field("error", &self.error)
            .field("onerror", &self.onerror.is_some())
            .field("report_on_stderr", &self.report_on_stderr)
            .finish()
    }
}

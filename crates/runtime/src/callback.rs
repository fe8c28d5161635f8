//! Callbacks: Rust closures as C function pointers (cffi's `ffi.callback`).
//!
//! # Safety
//!
//! A callback is a libffi closure whose user data is the [`CallbackBox`] that owns it. The box
//! lives in an `Arc` (so its address is stable) held by every cdata of the callback (its
//! `Owner::Callback`); the closure's code is valid while the box lives and is freed in the
//! box's `Drop`. When C calls the code, libffi passes pointers to the arguments, valid for the
//! call, laid out as the prepared interface (the function type's plan, kept by the box's
//! `Ffi`) says; they are read only through regions of exactly their size. The result pointer
//! has room for the result type (at least a full `ffi_arg` for integers). Nothing unwinds
//! into C: the closure, the conversions and the `onerror` handler run under `catch_unwind`,
//! and any failure writes the callback's error value. One of the runtime's modules with
//! `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use crate::call::args::{Arg, IntoArg};
use crate::call::invoke::errno;
use crate::call::plan::{CallPlan, Conv, Param};
use crate::data::convert::{self, Place};
use crate::data::{CData, Origin};
use crate::data::{Scalar, Value};
use crate::error::{Error, Result};
use crate::mem::Owner;
use crate::mem::{Allocation, Number, Vouched, decode_number};
use crate::types::Repr;
use crate::types::TypeSpec;
use crate::types::{Ffi, TypeRef};

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
    fn into_value(self) -> Value {
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
    Error::Callback(slot.map(|e| e.to_string()).unwrap_or_default())
}

/// Options of a callback (cffi's `error=` and `onerror=`).
///
/// ```
/// let opts = rcffi_runtime::CallbackOptions::default()
///     .error(-1)
///     .onerror(|err, _args| {
///         eprintln!("callback failed: {err}");
///         None // C gets the error value, -1
///     });
/// # let _ = opts;
/// ```
#[derive(Default)]
pub struct CallbackOptions {
    error: Value,
    onerror: Option<Box<OnError>>,
}

impl CallbackOptions {
    /// What C receives when the closure fails or panics (default: zero, NULL, a zeroed
    /// struct). Checked against the result type when the callback is made.
    pub fn error(mut self, value: impl Into<Value>) -> CallbackOptions {
        self.error = value.into();
        self
    }

    /// Runs when the closure fails or panics, with the failure and the arguments; what it
    /// returns (`Some`) is given to C instead of the error value. Without a handler, a
    /// failure is reported on stderr, as cffi does.
    pub fn onerror(
        mut self,
        f: impl Fn(&Error, &CallbackArgs<'_>) -> Option<Value> + Send + Sync + 'static,
    ) -> CallbackOptions {
        self.onerror = Some(Box::new(f));
        self
    }
}

impl std::fmt::Debug for CallbackOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackOptions")
            .field("error", &self.error)
            .field("onerror", &self.onerror.is_some())
            .finish()
    }
}

/// A Rust closure to pass directly as a function pointer argument: converted to a callback of
/// the parameter's type for the duration of the call.
///
/// ```
/// let ffi = rcffi_runtime::Ffi::default();
/// ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let a = ffi.new("int[]", [5, 3, 9, 1])?;
/// let by_value = rcffi_runtime::closure(|args| {
///     // SAFETY: qsort passes pointers to two ints of the array.
///     let (x, y): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
///     Ok::<_, rcffi_runtime::Error>(x.cmp(&y) as i32)
/// });
/// // SAFETY: qsort sorts the 4 ints of `a` with the comparator.
/// unsafe { libc.call("qsort", (&a, 4usize, 4usize, by_value))? };
/// assert_eq!(a.to_vec()?, [1, 3, 5, 9].map(rcffi_runtime::Value::from).to_vec());
/// # Ok::<(), rcffi_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Closure {
    body: Arc<Body>,
    name: &'static str,
}

impl std::fmt::Debug for Closure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<closure {}>", self.name)
    }
}

/// A closure to pass as a function pointer argument (see [`Closure`]).
pub fn closure<F, R>(f: F) -> Closure
where
    F: Fn(&CallbackArgs<'_>) -> R + Send + Sync + 'static,
    R: CallbackResult,
{
    Closure {
        body: Arc::new(move |a: &CallbackArgs<'_>| f(a).into_ret()),
        name: std::any::type_name::<F>(),
    }
}

impl Closure {
    /// A callback of function pointer type `ty` running this closure.
    pub(crate) fn callback(&self, uni: &Ffi, ty: TypeRef) -> Result<CData> {
        uni.make_callback(ty, self.body.clone(), self.name, CallbackOptions::default())
    }
}

impl<'a> IntoArg<'a> for Closure {
    fn into_arg(self) -> Arg<'a> {
        Arg::Closure(self)
    }
}

/// The state of one callback: the libffi closure, the Rust closure, what to do on failure.
pub(crate) struct CallbackBox {
    ffi: Ffi,
    /// The function type's plan (it holds the prepared interface): it lives in the type's
    /// realized info, in the arena of `ffi`'s universe, so it is valid while `ffi` is.
    plan: *const CallPlan,
    closure: *mut libffi::low::ffi_closure,
    /// The code address C calls.
    pub(crate) code: usize,
    body: Arc<Body>,
    /// The error value's bytes, as the result is written.
    error: Out,
    onerror: Option<Box<OnError>>,
    /// The closure's Rust type name, for reprs and reports.
    pub(crate) name: &'static str,
}

// SAFETY: the libffi closure is written once (prepared) before the box is shared and only
// executed afterwards; the body and handler are Send + Sync; the rest is plain data.
unsafe impl Send for CallbackBox {}
// SAFETY: as for Send.
unsafe impl Sync for CallbackBox {}

impl crate::mem::Code for CallbackBox {
    fn code(&self) -> usize {
        self.code
    }

    fn name(&self) -> &str {
        self.name
    }
}

impl Drop for CallbackBox {
    fn drop(&mut self) {
        // SAFETY: allocated by closure_alloc in `make`, freed once, here; nothing holds the
        // code any more (every cdata of the callback held this box).
        unsafe { libffi::low::closure_free(self.closure) };
    }
}

/// The arguments of one call of a callback, as C passed them.
///
/// `get(i)` converts like cffi (numbers, `bytes` for `char`, cdata for pointers, a private copy
/// of a struct); `get_as::<T>(i)` reads a number directly; `deref::<T>(i)` reads what a
/// pointer argument points to — the fast way to write a comparator.
pub struct CallbackArgs<'a> {
    ffi: &'a Ffi,
    plan: &'a CallPlan,
    args: *const *const c_void,
}

impl std::fmt::Debug for CallbackArgs<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        for i in 0..self.len() {
            match self.get(i) {
                Ok(v) => l.entry(&v),
                Err(e) => l.entry(&e.to_string()),
            };
        }
        l.finish()
    }
}

impl CallbackArgs<'_> {
    /// The number of arguments.
    pub fn len(&self) -> usize {
        self.plan.params.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `ffi` object of the callback.
    pub fn ffi(&self) -> &Ffi {
        self.ffi
    }

    #[inline]
    fn param(&self, i: usize) -> Result<&Param> {
        self.plan.params.get(i).ok_or_else(|| {
            Error::Index(format!(
                "no argument {i} (counted from 0): a callback of type '{}' takes {}",
                self.plan.name,
                self.len()
            ))
        })
    }

    /// The address of argument `i`'s bytes.
    fn at(&self, i: usize) -> usize {
        // SAFETY: `i < len` (checked by `param`), and libffi passes one pointer per argument.
        unsafe { *self.args.add(i) as usize }
    }

    /// Argument `i` (from 0) converted as cffi does: a number, `Bytes` for `char`, a `CData`
    /// for a pointer (to memory rcffi does not know), a private copy for a struct.
    pub fn get(&self, i: usize) -> Result<Value> {
        let p = self.param(i)?;
        let at = self.at(i);
        if p.conv == Conv::Struct {
            let mem = Allocation::zeroed_shared(p.size, p.align)?;
            let addr = mem.addr();
            let mut bytes = vec![0u8; p.size];
            // SAFETY: libffi's argument pointer is valid for the struct's `size` bytes during
            // the call, and only read here.
            let src = unsafe { Vouched::read_only(at, p.size) };
            src.region().read(at, &mut bytes)?;
            mem.region().write(addr, &bytes)?;
            return Ok(Value::CData(
                CData::place(self.ffi, p.ty, addr, Owner::Alloc(mem), None)
                    .with_origin(Origin::New),
            ));
        }
        // SAFETY: as above, for the argument's `size` bytes.
        let owner = Owner::Vouched(unsafe { Vouched::read_only(at, p.size) });
        convert::c_to_value(&Place {
            uni: self.ffi,
            ty: p.ty,
            addr: at,
            owner: &owner,
            len: None,
        })
    }

    /// Argument `i` as a Rust number, read directly (integer arguments into integer types
    /// when in range, floats into `f32`/`f64`).
    #[inline]
    pub fn get_as<T: Scalar>(&self, i: usize) -> Result<T> {
        let p = self.param(i)?;
        if let Conv::Fast(f) = p.conv {
            let mut b = [0u8; 8];
            // SAFETY: the argument's `size` bytes are valid for reads during the call.
            unsafe {
                std::ptr::copy_nonoverlapping(self.at(i) as *const u8, b.as_mut_ptr(), f.size())
            };
            let v = match decode_number(f, b) {
                Number::Int(n) => T::from_c_int(n),
                Number::Float(x) => T::from_c_float(x),
            };
            if let Some(v) = v {
                return Ok(v);
            }
        }
        self.get(i).and_then(T::try_from)
    }

    /// The address a pointer argument holds.
    #[inline]
    pub fn address(&self, i: usize) -> Result<usize> {
        match self.plan.params.get(i) {
            Some(p) if p.conv == Conv::Pointer => {
                // SAFETY: a pointer argument's 8 bytes are valid for reads during the call.
                Ok(unsafe { std::ptr::read_unaligned(self.at(i) as *const usize) })
            }
            _ => Err(self.not_a_pointer(i)),
        }
    }

    #[cold]
    #[inline(never)]
    fn not_a_pointer(&self, i: usize) -> Error {
        match self.param(i) {
            Err(e) => e,
            Ok(_) => Error::Type(format!(
                "argument {i} of '{}' is not a pointer",
                self.plan.name
            )),
        }
    }

    #[cold]
    #[inline(never)]
    fn bad_deref(&self, i: usize, addr: usize, want: usize, name: &str) -> Error {
        if addr == 0 {
            return Error::NullPointer(format!("argument {i} of '{}' is NULL", self.plan.name));
        }
        Error::Type(format!(
            "argument {i} of '{}' points to {} bytes, not the {want} of '{name}'",
            self.plan.name,
            self.plan.params[i].item_size.unwrap_or(0),
        ))
    }

    /// What pointer argument `i` points to, read as a `T` — for `const void *` arguments
    /// (qsort's comparator) and any other pointer, without making a cdata.
    ///
    /// # Safety
    ///
    /// The pointer must point to a valid, initialized `T` (rcffi checks that it is not NULL,
    /// and that `T` has the size of the declared pointee when that is known).
    #[inline]
    pub unsafe fn deref<T: Copy>(&self, i: usize) -> Result<T> {
        let addr = self.address(i)?;
        let size_ok = self.plan.params[i]
            .item_size
            .is_none_or(|s| s == std::mem::size_of::<T>());
        if addr == 0 || !size_ok {
            return Err(self.bad_deref(
                i,
                addr,
                std::mem::size_of::<T>(),
                std::any::type_name::<T>(),
            ));
        }
        // SAFETY: the caller's promise: a valid T at `addr` (not NULL, checked above).
        Ok(unsafe { std::ptr::read_unaligned(addr as *const T) })
    }

    /// All arguments, converted as [`CallbackArgs::get`] does.
    pub fn to_vec(&self) -> Result<Vec<Value>> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }
}

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

    /// A callback of function (pointer) type `t` running `body`.
    pub(crate) fn make_callback(
        &self,
        t: TypeRef,
        body: Arc<Body>,
        name: &'static str,
        options: CallbackOptions,
    ) -> Result<CData> {
        let info = t.get(&self.inner);
        let func = match &info.repr {
            Repr::Function { .. } => t,
            Repr::Pointer { .. } => self
                .pointee(info)
                .filter(|f| matches!(f.get(&self.inner).repr, Repr::Function { .. }))
                .ok_or_else(|| not_a_function(&info.name))?,
            _ => return Err(not_a_function(&info.name)),
        };
        let ptr = self.pointer_to(func);
        let plan = crate::function::plan(self, func)?;
        let Some(shape) = &plan.fixed else {
            return Err(Error::Unsupported(format!(
                "{}: callback with unsupported argument or return type or with '...'",
                plan.name
            )));
        };
        let error = match options.error {
            // Zero, NULL or a zeroed struct (integers as a full ffi_arg).
            Value::Void => match plan.ret.conv {
                Conv::Struct => Out::Large(vec![0; plan.ret.size].into_boxed_slice()),
                Conv::Void => Out::Small([0; 16], 0),
                _ => Out::Small([0; 16], plan.ret.size.clamp(8, 16)),
            },
            ref v => result_bytes(self, &plan.ret, v).map_err(|e| {
                e.context(format_args!("the error value of callback '{}'", plan.name))
            })?,
        };
        let (closure, code) = libffi::low::closure_alloc();
        if closure.is_null() {
            return Err(Error::Memory(
                "cannot allocate write+execute memory for a callback (is the system preventing it?)"
                    .into(),
            ));
        }
        let cb = Arc::new(CallbackBox {
            ffi: self.clone(),
            plan: std::ptr::from_ref(plan),
            closure,
            code: code.as_ptr() as usize,
            body,
            error,
            onerror: options.onerror,
            name,
        });
        // SAFETY: `closure` was just allocated for `code`; the interface lives in the function
        // type's plan, kept by the box's `Ffi`; the user data is the box, at a stable address
        // in its Arc, which outlives the closure (freed in the box's Drop).
        let status = unsafe {
            libffi::raw::ffi_prep_closure_loc(
                closure,
                shape.cif.raw(),
                Some(trampoline),
                Arc::as_ptr(&cb).cast_mut().cast(),
                code.as_mut_ptr(),
            )
        };
        if status != libffi::raw::ffi_status_FFI_OK {
            return Err(Error::Unsupported(format!(
                "libffi cannot prepare a callback of type '{}' (status {status})",
                plan.name
            )));
        }
        let addr = cb.code;
        Ok(CData::pointer(self, ptr, addr, Owner::Callback(cb)).with_origin(Origin::New))
    }
}

fn not_a_function(name: &str) -> Error {
    Error::Type(format!("expected a function ctype, got '{name}'"))
}

/// The bytes a callback writes as its result: on the stack for scalars.
#[derive(Clone, Debug)]
enum Out {
    Small([u8; 16], usize),
    Large(Box<[u8]>),
}

impl Out {
    fn bytes(&self) -> &[u8] {
        match self {
            Out::Small(b, n) => &b[..*n],
            Out::Large(b) => b,
        }
    }
}

/// The bytes a callback writes for result `v` of type `r`: integers widened to a full
/// `ffi_arg` (libffi's rule for closures), other values in their own size.
#[inline]
fn result_bytes(uni: &Ffi, r: &Param, v: &Value) -> Result<Out> {
    if let Conv::Fast(f) = r.conv
        && let Some(b) = crate::data::encode_fast(f, v)
    {
        return Ok(widen(f, b));
    }
    result_bytes_general(uni, r, v)
}

/// The result bytes of a plain number: integers widened to a full `ffi_arg`, with their sign.
#[inline]
fn widen(f: crate::mem::Fast, b: [u8; 8]) -> Out {
    use crate::mem::Fast;
    let wide = match f {
        Fast::I8 => i64::from(b[0] as i8).to_le_bytes(),
        Fast::I16 => i64::from(i16::from_le_bytes([b[0], b[1]])).to_le_bytes(),
        Fast::I32 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])).to_le_bytes(),
        _ => b,
    };
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&wide);
    Out::Small(out, f.size().max(8))
}

#[inline(never)]
fn result_bytes_general(uni: &Ffi, r: &Param, v: &Value) -> Result<Out> {
    let info = r.ty.get(&uni.inner);
    Ok(match r.conv {
        Conv::Void => match v {
            Value::Void => Out::Small([0; 16], 0),
            other => {
                return Err(Error::Type(format!(
                    "callback with the return type 'void' must return nothing, not {}",
                    other.describe()
                )));
            }
        },
        Conv::Fast(_) | Conv::Scalar => {
            let b = crate::data::scalar::encode_scalar(info, v)?;
            match info.int_kind() {
                Some(k) => {
                    let i = crate::data::scalar::int_from_bytes(k, &b);
                    let mut out = [0u8; 16];
                    out[..8].copy_from_slice(&(i as i64).to_le_bytes());
                    Out::Small(out, 8)
                }
                None => Out::Small(b, r.size.min(16)),
            }
        }
        Conv::Pointer => {
            let addr = match v {
                Value::Void => 0,
                Value::CData(c) => convert::pointer_addr(uni, info, c)?,
                other => {
                    return Err(Error::Type(format!(
                        "initializer for ctype '{}' must be a cdata pointer, not {}",
                        info.name,
                        other.describe()
                    )));
                }
            };
            let mut out = [0u8; 16];
            out[..8].copy_from_slice(&(addr as u64).to_le_bytes());
            Out::Small(out, 8)
        }
        Conv::Struct => {
            let mem = Allocation::zeroed_shared(r.size, r.align)?;
            let addr = mem.addr();
            let owner = Owner::Alloc(mem);
            if !matches!(v, Value::Void) {
                convert::value_to_c(
                    &Place {
                        uni,
                        ty: r.ty,
                        addr,
                        owner: &owner,
                        len: None,
                    },
                    v,
                )?;
            }
            let mut out = vec![0u8; r.size];
            owner.with_region(&String::new, |reg| reg.read(addr, &mut out))?;
            Out::Large(out.into_boxed_slice())
        }
    })
}

impl CallbackBox {
    /// Runs the closure and converts its result.
    #[inline]
    fn run(&self, args: &CallbackArgs<'_>) -> Result<Out> {
        let r = (self.body)(args)?;
        let plan = args.plan;
        if let Conv::Fast(f) = plan.ret.conv {
            let direct = match r {
                Ret::Int(i) => f.encode_int(i),
                Ret::Float(x) => f.encode_float(x),
                _ => None,
            };
            if let Some(b) = direct {
                return Ok(widen(f, b));
            }
        }
        result_bytes(&self.ffi, &plan.ret, &r.into_value()).map_err(|e| {
            e.context(format_args!(
                "converting the result of callback '{}'",
                plan.name
            ))
        })
    }

    /// What C receives after `failure` (nothing here may unwind).
    #[cold]
    #[inline(never)]
    fn failed(&self, failure: Error, args: &CallbackArgs<'_>) -> Out {
        match catch_unwind(AssertUnwindSafe(|| self.fail(failure, args))) {
            Ok(Some(out)) => out,
            Ok(None) => self.error.clone(),
            Err(p) => {
                drop_payload(p);
                self.error.clone()
            }
        }
    }

    /// The plan of the callback's type.
    #[inline]
    fn plan(&self) -> &CallPlan {
        // SAFETY: `plan` points into the function type's realized info, which the box's `Ffi`
        // keeps alive (see `make_callback`).
        unsafe { &*self.plan }
    }

    /// What C receives after `failure`: the handler's value, or the error value.
    #[cold]
    fn fail(&self, failure: Error, args: &CallbackArgs<'_>) -> Option<Out> {
        let Some(handler) = &self.onerror else {
            eprintln!(
                "rcffi: callback of type '{}' ({}) failed: {failure}; C receives the error value",
                args.plan.name, self.name
            );
            return None;
        };
        let v = match catch_unwind(AssertUnwindSafe(|| handler(&failure, args))) {
            Ok(v) => v?,
            Err(p) => {
                let message = panic_message(&*p);
                drop_payload(p);
                eprintln!(
                    "rcffi: the onerror handler of callback '{}' panicked: {message}",
                    args.plan.name,
                );
                return None;
            }
        };
        match result_bytes(&self.ffi, &args.plan.ret, &v) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!(
                    "rcffi: the onerror handler of callback '{}' returned an unusable value: {e}",
                    args.plan.name
                );
                None
            }
        }
    }
}

/// Drops a panic's payload where C is the caller, under `catch_unwind`: a payload whose own
/// `Drop` panics gives another payload (usually a message), dropped the same way; past a few
/// of those, the last is leaked rather than let a panic reach C (an abort).
fn drop_payload(mut p: Box<dyn std::any::Any + Send>) {
    for _ in 0..4 {
        match catch_unwind(AssertUnwindSafe(move || drop(p))) {
            Ok(()) => return,
            Err(again) => p = again,
        }
    }
    std::mem::forget(p);
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// What libffi calls: runs the box's closure for C.
///
/// # Safety
///
/// Called by libffi only, with the box as user data (see `make_callback`), argument pointers
/// valid for the call and a result buffer of the result type's size (at least `ffi_arg`).
unsafe extern "C" fn trampoline(
    _cif: *mut libffi::low::ffi_cif,
    ret: *mut c_void,
    args: *mut *mut c_void,
    userdata: *mut c_void,
) {
    // SAFETY: the user data is the CallbackBox, alive while its code can be called.
    let cb = unsafe { &*(userdata as *const CallbackBox) };
    let errno_at = errno::location();
    // SAFETY: this thread's errno.
    unsafe { errno::save_from(errno_at) };
    let a = CallbackArgs {
        ffi: &cb.ffi,
        plan: cb.plan(),
        args: args as *const *const c_void,
    };
    let out = match catch_unwind(AssertUnwindSafe(|| cb.run(&a))) {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => cb.failed(e, &a),
        Err(p) => {
            let message = panic_message(&*p);
            drop_payload(p);
            cb.failed(Error::Callback(format!("panicked: {message}")), &a)
        }
    };
    // SAFETY: libffi's result buffer has room for the result type (integers: a full
    // `ffi_arg`, which is what `out` holds for them).
    unsafe {
        match &out {
            Out::Small(b, 8) => ret
                .cast::<[u8; 8]>()
                .write_unaligned([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            other => {
                let bytes = other.bytes();
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), ret.cast::<u8>(), bytes.len());
            }
        }
        errno::restore_at(errno_at);
    }
}

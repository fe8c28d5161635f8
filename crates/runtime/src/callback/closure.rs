//! Callbacks made: the libffi closure, the box it calls ([`CallbackBox`]) and the trampoline.
//!
//! # Safety
//!
//! A callback is a libffi closure whose user data is the [`CallbackBox`] that owns it. The box
//! lives in an `Arc` (so its address is stable) held by every cdata of the callback (its
//! `Owner::Callback`); the closure's code is valid while the box lives and is freed in the
//! box's `Drop`, which comes after the last run under way on the thread that let the box go
//! (`mem::running`). When C calls the code, libffi passes pointers to the arguments, valid for the
//! call, laid out as the prepared interface (the function type's plan, kept by the box's
//! `Ffi`) says; they are read only through regions of exactly their size. The result pointer
//! has room for the result type (at least a full `ffi_arg` for integers). Nothing unwinds
//! into C: the closure, the conversions and the `onerror` handler run under `catch_unwind`,
//! and any failure writes the callback's error value. One of the runtime's modules with
//! `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::base::panics::{drop_payload, panic_message};
use std::sync::Arc;

use crate::abi::errno;
use crate::abi::{CallPlan, Conv, Param};
use crate::data::convert::{self, Place};
use crate::data::{CData, Origin, Value};
use crate::error::{Error, Result};
use crate::mem::{Allocation, Owner};
use crate::types::{Ffi, Repr, TypeRef};

use super::result::Failure;
use super::{Body, CallbackArgs, CallbackOptions, Ret};

/// The state of one callback: the libffi closure, the Rust closure, what to do on failure.
pub(super) struct CallbackBox {
    ffi: Ffi,
    /// The function type's plan (it holds the prepared interface): it lives in the type's
    /// realized info, in the arena of `ffi`'s universe, so it is valid while `ffi` is.
    plan: *const CallPlan,
    /// The libffi closure C enters through, or NULL when it enters through a slot of
    /// `callback::entry` (`seat`).
    closure: *mut libffi::low::ffi_closure,
    /// The slot of `callback::entry` C enters through, when it does, with where the
    /// arguments arrive.
    seat: Option<super::entry::Seat>,
    /// The code address C calls.
    pub(crate) code: usize,
    body: Arc<Body>,
    /// The error value's bytes, as the result is written.
    error: Out,
    /// What a failure no handler turned into a value does.
    onerror: Failure,
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
        if let Some(seat) = &self.seat {
            super::entry::release(seat.n);
        }
        if !self.closure.is_null() {
            // SAFETY: allocated by closure_alloc in `make`, freed once, here; nothing holds the
            // code any more (every cdata of the callback held this box).
            unsafe { libffi::low::closure_free(self.closure) };
        }
    }
}

impl Ffi {
    /// A callback of function (pointer) type `t` running `body`.
    pub(crate) fn make_callback(
        &self,
        t: TypeRef,
        body: Arc<Body>,
        name: &'static str,
        mut options: CallbackOptions,
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
        let plan = crate::abi::plan_of(self, func)?;
        if let Some(why) = &plan.closure_refusal {
            return Err(Error::Unsupported(why.to_string().into()));
        }
        let Some(shape) = &plan.fixed else {
            return Err(Error::Unsupported(
                format!(
                    "{}: callback with unsupported argument or return type or with '...'",
                    plan.name
                )
                .into(),
            ));
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
        // Arguments all in registers: C enters through a trampoline of `callback::entry`, when
        // one is free (no libffi closure, no classification of the arguments per call).
        if let Some((code, seat)) = super::entry::eligible(plan).and_then(super::entry::reserve) {
            let n = seat.n;
            let cb = Arc::new(CallbackBox {
                ffi: self.clone(),
                plan: std::ptr::from_ref(plan),
                closure: std::ptr::null_mut(),
                seat: Some(seat),
                code,
                body,
                error,
                onerror: options.failure(),
                name,
            });
            super::entry::fill(n, Arc::as_ptr(&cb));
            return Ok(
                CData::pointer(self, ptr, code, Owner::callback(cb)).with_origin(Origin::New)
            );
        }
        self.libffi_callback(ptr, plan, shape, body, error, options.failure(), name)
    }

    /// A callback entered through a libffi closure.
    #[allow(clippy::too_many_arguments)]
    fn libffi_callback(
        &self,
        ptr: TypeRef,
        plan: &CallPlan,
        shape: &crate::abi::plan::Shape,
        body: Arc<Body>,
        error: Out,
        onerror: Failure,
        name: &'static str,
    ) -> Result<CData> {
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
            seat: None,
            code: code.as_ptr() as usize,
            body,
            error,
            onerror,
            name,
        });
        // The callback's own interface where the calls' one would be misread (`closure_args`).
        let cif = plan.closure.as_ref().map_or(&shape.cif, |c| &c.cif);
        // SAFETY: `closure` was just allocated for `code`; the interface lives in the function
        // type's plan, kept by the box's `Ffi`; the user data is the box, at a stable address
        // in its Arc, which outlives the closure (freed in the box's Drop).
        let status = unsafe {
            libffi::raw::ffi_prep_closure_loc(
                closure,
                cif.raw(),
                Some(trampoline),
                Arc::as_ptr(&cb).cast_mut().cast(),
                code.as_mut_ptr(),
            )
        };
        if status != libffi::raw::ffi_status_FFI_OK {
            return Err(Error::Unsupported(
                format!(
                    "libffi cannot prepare a callback of type '{}' (status {status})",
                    plan.name
                )
                .into(),
            ));
        }
        let addr = cb.code;
        Ok(CData::pointer(self, ptr, addr, Owner::callback(cb)).with_origin(Origin::New))
    }
}

fn not_a_function(name: &str) -> Error {
    Error::Type(format!("expected a function ctype, got '{name}'").into())
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
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&widen_word(f, b));
    Out::Small(out, 8)
}

/// A plain number's 8 bytes as a full `ffi_arg`: signed integers narrower than 64 bits
/// sign-extended (unsigned ones are zero-extended already).
#[inline(always)]
fn widen_word(f: crate::mem::Fast, b: [u8; 8]) -> [u8; 8] {
    use crate::mem::Fast;
    match f {
        Fast::I8 => i64::from(b[0] as i8).to_le_bytes(),
        Fast::I16 => i64::from(i16::from_le_bytes([b[0], b[1]])).to_le_bytes(),
        Fast::I32 => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])).to_le_bytes(),
        _ => b,
    }
}

/// Writes `out` where C reads a callback's result.
///
/// # Safety
///
/// `ret` must have room for `out`'s bytes.
#[inline(always)]
unsafe fn write_out(ret: *mut c_void, out: &Out) {
    // SAFETY: the caller's promise.
    unsafe {
        match out {
            Out::Small(b, 8) => ret
                .cast::<[u8; 8]>()
                .write_unaligned([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
            other => {
                let bytes = other.bytes();
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), ret.cast::<u8>(), bytes.len());
            }
        }
    }
}

#[inline(never)]
fn result_bytes_general(uni: &Ffi, r: &Param, v: &Value) -> Result<Out> {
    let info = r.ty.get(&uni.inner);
    Ok(match r.conv {
        Conv::Void => match v {
            Value::Void => Out::Small([0; 16], 0),
            other => {
                return Err(Error::Type(
                    format!(
                        "callback with the return type 'void' must return nothing, not {}",
                        other.describe()
                    )
                    .into(),
                ));
            }
        },
        Conv::Fast(_) | Conv::Scalar => {
            let b = crate::data::scalar::encode_scalar(info, v)?;
            match info.int_kind() {
                // 128-bit integers fill both result registers.
                Some(k) if k.bytes == 16 => Out::Small(b, 16),
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
                    return Err(Error::Type(
                        format!(
                            "initializer for ctype '{}' must be a cdata pointer, not {}",
                            info.name,
                            other.describe()
                        )
                        .into(),
                    ));
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
                        owner: owner.as_ref(),
                        len: None,
                    },
                    v,
                )?;
            }
            let mut out = vec![0u8; r.size];
            owner
                .as_ref()
                .with_region(&String::new, |reg| reg.read(addr, &mut out))?;
            Out::Large(out.into_boxed_slice())
        }
    })
}

impl CallbackBox {
    /// Runs the closure and writes its result where C reads it: a plain number straight from
    /// the closure's `Ret`, anything else converted from a value.
    ///
    /// # Safety
    ///
    /// `ret` must have room for the result type (integers: a full `ffi_arg`).
    #[inline(always)]
    unsafe fn run_into(&self, args: &CallbackArgs<'_>, ret: *mut c_void) -> Result<()> {
        let r = (self.body)(args)?;
        let plan = args.plan;
        if let Conv::Fast(f) = plan.ret.conv {
            let direct = match r {
                Ret::Int(i) => f.encode_int(i),
                Ret::Float(x) => f.encode_float(x),
                _ => None,
            };
            if let Some(b) = direct {
                // Already a full `ffi_arg`: an integer in range of its type is its `i64`'s
                // bits, which are that type's sign extension (or zero extension: an unsigned
                // type's value is not negative), and a float's bits are zero-extended.
                debug_assert_eq!(widen_word(f, b), b);
                // SAFETY: the caller's promise: room for a full `ffi_arg` (8 bytes).
                unsafe { ret.cast::<u64>().write_unaligned(u64::from_le_bytes(b)) };
                return Ok(());
            }
        }
        // SAFETY: the caller's promise.
        unsafe { self.write_value(r, ret) }
    }

    /// Writes result `r` converted from a value where C reads it (out of line: a plain
    /// number, the common result, is written in line by `run_into`).
    ///
    /// # Safety
    ///
    /// As for [`CallbackBox::run_into`].
    #[inline(never)]
    unsafe fn write_value(&self, r: Ret, ret: *mut c_void) -> Result<()> {
        let plan = self.plan();
        let out = result_bytes(&self.ffi, &plan.ret, &r.into_value()).map_err(|e| {
            e.context(format_args!(
                "converting the result of callback '{}'",
                plan.name
            ))
        })?;
        // SAFETY: the caller's promise.
        unsafe { write_out(ret, &out) };
        Ok(())
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

    /// Its seat among the trampolines of `callback::entry`, when C enters through one.
    #[inline]
    pub(super) fn seat(&self) -> Option<&super::entry::Seat> {
        self.seat.as_ref()
    }

    /// The plan of the callback's type.
    #[inline]
    pub(super) fn plan(&self) -> &CallPlan {
        // SAFETY: `plan` points into the function type's realized info, which the box's `Ffi`
        // keeps alive (see `make_callback`).
        unsafe { &*self.plan }
    }

    /// What C receives after `failure`: the handler's value, or the error value.
    #[cold]
    fn fail(&self, failure: Error, args: &CallbackArgs<'_>) -> Option<Out> {
        let handler = match &self.onerror {
            Failure::Handler(h) => h,
            Failure::Caller => {
                let failure = failure.context(format_args!(
                    "callback of type '{}' ({}) failed, and C received the error value",
                    args.plan.name, self.name
                ));
                if let Err(failure) = super::pending::hand_over(failure) {
                    eprintln!("rcffi: {failure}");
                }
                return None;
            }
            Failure::Stderr => {
                eprintln!(
                    "rcffi: callback of type '{}' ({}) failed: {failure}; C receives the error \
                     value",
                    args.plan.name, self.name
                );
                return None;
            }
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

/// What libffi calls: runs the box's closure for C.
///
/// # Safety
///
/// Called by libffi only, with the box as user data (see `make_callback`), argument pointers
/// valid for the call and a result buffer of the result type's size (at least `ffi_arg`).
pub(super) unsafe extern "C" fn trampoline(
    _cif: *mut libffi::low::ffi_cif,
    ret: *mut c_void,
    args: *mut *mut c_void,
    userdata: *mut c_void,
) {
    // SAFETY: the user data is the CallbackBox, alive while its code can be called.
    let cb = unsafe { &*(userdata as *const CallbackBox) };
    let errno_at = errno::location_cached();
    // SAFETY: this thread's errno.
    unsafe { errno::save_from(errno_at) };
    let a = CallbackArgs {
        ffi: &cb.ffi,
        plan: cb.plan(),
        args: args as *const *const c_void,
    };
    // A run of the callback: should its closure (or its error handler) let go of its last
    // cdata, the box stays until the run is over (`mem::running`).
    let ((), kept) = crate::mem::running(userdata.cast_const().cast(), || {
        // SAFETY: libffi's result buffer has room for the result type (integers: a full
        // `ffi_arg`).
        let outcome = catch_unwind(AssertUnwindSafe(|| unsafe { cb.run_into(&a, ret) }));
        if !matches!(outcome, Ok(Ok(()))) {
            // SAFETY: as above.
            unsafe { settle(cb, outcome, &a, ret) };
        }
    });
    if let Some(state) = kept {
        crate::mem::let_go(state);
    }
    // SAFETY: errno is this thread's.
    unsafe { errno::restore_at(errno_at) };
}

/// Writes what C receives after the closure failed or panicked (out of line: the rare path).
///
/// # Safety
///
/// `ret` must have room for the result type.
#[cold]
#[inline(never)]
unsafe fn settle(
    cb: &CallbackBox,
    outcome: std::thread::Result<Result<()>>,
    a: &CallbackArgs<'_>,
    ret: *mut c_void,
) {
    let out = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(e)) => cb.failed(e, a),
        Err(p) => {
            let message = panic_message(&*p);
            drop_payload(p);
            cb.failed(Error::Callback(format!("panicked: {message}").into()), a)
        }
    };
    // SAFETY: the caller's promise.
    unsafe { write_out(ret, &out) };
}

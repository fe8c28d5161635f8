//! [`CallbackArgs`]: the arguments of one call of a callback, read from what libffi passes.
//!
//! # Safety
//!
//! libffi passes, for the duration of the call, one pointer per argument to memory holding it,
//! laid out as the prepared interface (the callback's plan) says. Arguments are read only
//! through regions of exactly their size (struct arguments are copied out first); the
//! `unsafe fn deref` reads where a pointer argument points, on its caller's promise. One of
//! the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;

use crate::abi::{CallPlan, Conv, Param};
use crate::data::convert::{self, Place};
use crate::data::{CData, Scalar, Value};
use crate::error::{Error, Result};
use crate::mem::{Allocation, Number, Owner, Vouched, decode_number};
use crate::types::Ffi;

/// The arguments of one call of a callback, as C passed them.
///
/// `get(i)` converts like cffi (numbers, `bytes` for `char`, cdata for pointers, a private copy
/// of a struct); `get_as::<T>(i)` reads a number directly; `deref::<T>(i)` reads what a
/// pointer argument points to — the fast way to write a comparator.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let cb = ffi.callback("double(*)(int, const char *, int *)", |args| {
///     let n: i32 = args.get_as(0)?; // a number, read directly
///     // SAFETY: the caller passes a C string and a pointer to an int (memory C lends, which
///     // rcffi cannot check).
///     let name = unsafe { args.ffi().string_unchecked(&args.get(1)?, None)? };
///     let third: i32 = unsafe { args.deref(2)? };
///     assert_eq!((args.len(), name), (3, b"x".into()));
///     Ok::<_, rcffi::Error>(f64::from(n + third))
/// })?;
/// let x = ffi.new("char[]", "x")?;
/// // SAFETY: a callback of this type, with valid pointers.
/// assert_eq!(unsafe { cb.call((1, &x, ffi.new("int *", 41)?))? }, 42.0.into());
/// # Ok::<(), rcffi::Error>(())
/// ```
pub struct CallbackArgs<'a> {
    pub(super) ffi: &'a Ffi,
    pub(super) plan: &'a CallPlan,
    pub(super) args: *const *const c_void,
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
            Error::Index(
                format!(
                    "no argument {i} (counted from 0): a callback of type '{}' takes {}",
                    self.plan.name,
                    self.len()
                )
                .into(),
            )
        })
    }

    /// The address of argument `i`'s bytes.
    fn at(&self, i: usize) -> usize {
        // SAFETY: `i < len` (checked by `param`), and libffi passes one pointer per argument.
        unsafe { *self.args.add(i) as usize }
    }

    /// Argument `i` (from 0) converted as cffi does: a number, `Bytes` for `char`, a `CData`
    /// for a pointer (to memory rcffi does not know), a private copy for a struct.
    ///
    /// # Errors
    ///
    /// [`Error::Index`] past the last argument.
    pub fn get(&self, i: usize) -> Result<Value> {
        let p = self.param(i)?;
        let at = self.at(i);
        if p.conv == Conv::Struct {
            let mem = Allocation::zeroed_shared(p.size, p.align)?;
            let addr = mem.addr();
            let mut bytes = vec![0u8; p.size];
            // A record shown to libffi as its first eightbyte (`abi::closure_args`): those 8
            // bytes, the padding after them zero.
            let short = self
                .plan
                .closure
                .as_ref()
                .is_some_and(|c| c.short.get(i) == Some(&true));
            let n = if short { p.size.min(8) } else { p.size };
            // SAFETY: libffi's argument pointer is valid for the `n` bytes of the type it was
            // given for the argument (the struct's size, or 8 for a short one) during the
            // call, and only read here.
            let src = unsafe { Vouched::read_only(at, n) }?;
            src.region().read(at, &mut bytes[..n])?;
            mem.region().write(addr, &bytes)?;
            return CData::by_value(self.ffi, p.ty, mem).into_by_value();
        }
        if p.conv == Conv::Pointer && p.size == size_of::<usize>() {
            // SAFETY: libffi's argument pointer is valid for the pointer's `size` bytes during
            // the call, and only read here.
            let addr = unsafe { std::ptr::read_unaligned(at as *const usize) };
            // A pointer into the memory of the call that passed this callback is a view of it;
            // any other is foreign (what the general path below makes of it, read at once).
            let c = CData::pointer(self.ffi, p.ty, addr, Owner::Foreign);
            return Ok(super::running::adopt(Value::CData(c)));
        }
        // SAFETY: as above, for the argument's `size` bytes.
        let owner = Owner::Vouched(unsafe { Vouched::read_only(at, p.size) }?);
        let v = convert::c_to_value(&Place {
            uni: self.ffi,
            ty: p.ty,
            addr: at,
            owner: owner.as_ref(),
            len: None,
        })?;
        Ok(if p.conv == Conv::Pointer {
            super::running::adopt(v)
        } else {
            v
        })
    }

    /// Argument `i` as a Rust number, read directly (integer arguments into integer types
    /// when in range, floats into `f32`/`f64`).
    ///
    /// # Errors
    ///
    /// [`Error::Index`] past the last argument, and the conversion's error
    /// ([`Error::Overflow`], [`Error::Type`]) when the
    /// argument does not fit `T`.
    #[inline]
    pub fn get_as<T: Scalar>(&self, i: usize) -> Result<T> {
        let p = self.param(i)?;
        if let Conv::Fast(f) = p.conv {
            let at = self.at(i) as *const u8;
            let mut b = [0u8; 8];
            // SAFETY: the argument's `size` bytes are valid for reads during the call; each
            // arm reads exactly that many. (A copy of a run-time length called `memcpy`, and
            // the 8-byte read of what it stored in `b` waited for its narrower store: about 6
            // ns of a 55 ns call that C's callback took.)
            unsafe {
                match f.size() {
                    1 => b[0] = at.read(),
                    2 => b[..2].copy_from_slice(&at.cast::<[u8; 2]>().read_unaligned()),
                    4 => b[..4].copy_from_slice(&at.cast::<[u8; 4]>().read_unaligned()),
                    _ => b = at.cast::<[u8; 8]>().read_unaligned(),
                }
            }
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
    ///
    /// # Errors
    ///
    /// [`Error::Index`] past the last argument, [`Error::Type`]
    /// when the argument is not a pointer.
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
            Ok(_) => {
                Error::Type(format!("argument {i} of '{}' is not a pointer", self.plan.name).into())
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn bad_deref(&self, i: usize, addr: usize, want: usize, name: &str) -> Error {
        if addr == 0 {
            return Error::NullPointer(
                format!("argument {i} of '{}' is NULL", self.plan.name).into(),
            );
        }
        Error::Type(
            format!(
                "argument {i} of '{}' points to {} bytes, not the {want} of '{name}'",
                self.plan.name,
                self.plan.params[i].item_size.unwrap_or(0),
            )
            .into(),
        )
    }

    /// What pointer argument `i` points to, read as a `T` — for `const void *` arguments
    /// (qsort's comparator) and any other pointer, without making a cdata.
    ///
    /// # Errors
    ///
    /// As [`CallbackArgs::address`], and [`Error::NullPointer`] for a
    /// NULL pointer.
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
    ///
    /// # Errors
    ///
    /// [`Error::Index`] past the last argument.
    pub fn to_vec(&self) -> Result<Vec<Value>> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }
}

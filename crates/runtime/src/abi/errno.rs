//! cffi's `ffi.errno`: C's `errno` as it was right after this thread's last call, written back
//! into C's `errno` right before its next one (calls and callbacks save and restore it).
//!
//! # Safety
//!
//! `errno`'s address is the calling thread's own, valid for the thread's life; it is read and
//! written only as that thread's `int`. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::cell::Cell;

thread_local! {
    static SAVED: Cell<i32> = const { Cell::new(0) };
    /// This thread's errno address, once asked for: a thread-local read instead of a call
    /// (typed callbacks take it on every entry).
    static AT: Cell<*mut libc::c_int> = const { Cell::new(std::ptr::null_mut()) };
}

/// This thread's `errno` variable if [`location_cached`] already remembered it, else NULL.
#[inline(always)]
pub(crate) fn location_if_known() -> *mut libc::c_int {
    AT.with(Cell::get)
}

/// This thread's `errno` variable, remembered after the first call (the address is the
/// thread's for its whole life).
#[inline(always)]
pub(crate) fn location_cached() -> *mut libc::c_int {
    let p = AT.with(Cell::get);
    if p.is_null() { remember_location() } else { p }
}

#[cold]
#[inline(never)]
fn remember_location() -> *mut libc::c_int {
    let p = location();
    AT.with(|c| c.set(p));
    p
}

/// This thread's `errno` variable.
#[inline]
pub(crate) fn location() -> *mut libc::c_int {
    // SAFETY: these functions take no arguments and return the calling thread's errno
    // address, valid for the thread's life.
    unsafe {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let p = libc::__errno_location();
        #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
        let p = libc::__error();
        p
    }
}

/// Writes the saved value into C's `errno`.
#[inline]
pub(crate) fn restore() {
    let v = SAVED.with(Cell::get);
    // SAFETY: `location` is this thread's errno, valid and aligned.
    unsafe { *location() = v };
}

/// Writes the saved value into `errno`, at its address `loc` (from [`location`]).
///
/// # Safety
///
/// `loc` must be this thread's errno address.
#[inline]
pub(crate) unsafe fn restore_at(loc: *mut libc::c_int) {
    let v = SAVED.with(Cell::get);
    // SAFETY: the caller's promise: this thread's errno.
    unsafe { *loc = v };
}

/// Saves `errno`, read at its address `loc`.
///
/// # Safety
///
/// `loc` must be this thread's errno address.
#[inline]
pub(crate) unsafe fn save_from(loc: *mut libc::c_int) {
    // SAFETY: the caller's promise: this thread's errno.
    let v = unsafe { *loc };
    SAVED.with(|s| s.set(v));
}

/// Runs `f` — a call into C — with this thread's saved `errno` restored before it and saved
/// again after it, as every call does (`ffi.errno()` reads what C left).
#[inline(always)]
pub(crate) fn around<T>(f: impl FnOnce() -> T) -> T {
    let at = location_cached();
    // SAFETY: `at` is this thread's errno address (`location_cached`).
    unsafe { restore_at(at) };
    let r = f();
    // SAFETY: as above.
    unsafe { save_from(at) };
    r
}

/// Saves C's `errno`.
#[inline]
pub(crate) fn save() {
    // SAFETY: as above.
    let v = unsafe { *location() };
    SAVED.with(|s| s.set(v));
}

/// The saved value.
pub(crate) fn get() -> i32 {
    SAVED.with(Cell::get)
}

/// Sets the saved value.
pub(crate) fn set(v: i32) {
    SAVED.with(|s| s.set(v));
}

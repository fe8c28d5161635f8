//! Libraries: `dlopen` with cffi's `RTLD_*` flags (`dlopen` itself is in `first.rs`), `dlclose`,
//! and cffi's `errno`.

#![allow(unsafe_code)]

use crate::data::CData;
use crate::error::Result;
use crate::library::{self, Lib};
use crate::types::Ffi;

impl Ffi {
    /// Resolve symbols when they are first used.
    pub const RTLD_LAZY: i32 = libc::RTLD_LAZY;
    /// Resolve all symbols now (the default when neither this nor `RTLD_LAZY` is given).
    pub const RTLD_NOW: i32 = libc::RTLD_NOW;
    /// Make the library's symbols available to libraries loaded later.
    pub const RTLD_GLOBAL: i32 = libc::RTLD_GLOBAL;
    /// The opposite of `RTLD_GLOBAL` (the default).
    pub const RTLD_LOCAL: i32 = libc::RTLD_LOCAL;
    /// Never unload the library.
    pub const RTLD_NODELETE: i32 = libc::RTLD_NODELETE;
    /// Only succeed if the library is already loaded.
    pub const RTLD_NOLOAD: i32 = libc::RTLD_NOLOAD;
    /// Prefer the library's own symbols over global ones (glibc).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    pub const RTLD_DEEPBIND: i32 = libc::RTLD_DEEPBIND;
}

impl Ffi {
    /// [`Ffi::dlopen`] with `RTLD_*` flags (`RTLD_NOW` is added when neither it nor
    /// `RTLD_LAZY` is given, as cffi does).
    ///
    /// # Errors
    ///
    /// [`Error::Library`](crate::Error::Library) naming what was tried, with the dynamic loader's
    /// message.
    ///
    /// # Safety
    ///
    /// As for [`Ffi::dlopen`].
    #[inline]
    pub unsafe fn dlopen_flags(&self, name: &str, flags: i32) -> Result<Lib> {
        // SAFETY: the caller's promise, passed on.
        unsafe { library::dlopen_flags(self, name, flags) }
    }

    /// The running program and the libraries it has loaded, libc among them (cffi's
    /// `ffi.dlopen(None)`).
    ///
    /// # Errors
    ///
    /// [`Error::Library`](crate::Error::Library) naming what was tried, with the dynamic loader's
    /// message.
    ///
    /// # Safety
    ///
    /// As for [`Ffi::dlopen`].
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int abs(int);")?;
    /// let this = unsafe { ffi.dlopen_self()? };
    /// assert_eq!(unsafe { this.call("abs", (-3,))? }, 3.into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub unsafe fn dlopen_self(&self) -> Result<Lib> {
        // SAFETY: the caller's promise, passed on.
        unsafe { library::dlopen_self(self) }
    }

    /// A library from a handle that C's `dlopen` returned (cffi's `ffi.dlopen(handle)`); it is
    /// not closed by rcffi.
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no pointer,
    /// [`Error::NullPointer`](crate::Error::NullPointer) for NULL.
    ///
    /// # Safety
    ///
    /// As for [`Ffi::dlopen`]; and `handle` must be a handle from `dlopen` that stays open
    /// while the returned `Lib` (or anything made from it) lives.
    #[inline]
    pub unsafe fn dlopen_handle(&self, handle: &CData) -> Result<Lib> {
        // SAFETY: the caller's promise, passed on.
        unsafe { library::dlopen_handle(self, handle) }
    }

    /// Closes a library (cffi's `ffi.dlclose(lib)`): afterwards it refuses every use. rcffi
    /// unloads it once nothing made from it is left — functions and global variables fetched
    /// before stay valid (cffi unloads at once, and calling them then crashes). Closing twice
    /// is allowed.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int abs(int);")?;
    /// let lib = unsafe { ffi.dlopen("c")? };
    /// let abs = lib.function("abs")?;
    /// ffi.dlclose(&lib);
    /// assert!(lib.function("abs").is_err());
    /// assert_eq!(unsafe { abs.call((-2,))? }, 2.into()); // still loaded: `abs` holds it
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn dlclose(&self, lib: &Lib) {
        lib.close();
    }

    /// cffi's `ffi.errno`: the value C's `errno` had right after this thread's last call
    /// through rcffi (0 on a new thread).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.set_errno(7);
    /// assert_eq!(ffi.errno(), 7);
    /// ```
    pub fn errno(&self) -> i32 {
        crate::abi::errno::get()
    }

    /// Sets what [`Ffi::errno`] reads, and what C's `errno` is set to right before this
    /// thread's next call.
    pub fn set_errno(&self, value: i32) {
        crate::abi::errno::set(value)
    }
}

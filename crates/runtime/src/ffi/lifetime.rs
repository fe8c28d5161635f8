//! How long things live: `gc`, `gc_remove`, `release`, and handles (`new_handle`,
//! `from_handle`).

use std::any::Any;

use crate::data::{AsCData, CData, lifetime};
use crate::error::Result;
use crate::mem::Handled;
use crate::types::Ffi;

impl Ffi {
    /// A new cdata for the same memory as `cdata` that runs `destructor(cdata)` once, when the
    /// last clone of it (or of anything derived from it) is dropped, or on [`Ffi::release`]
    /// (cffi's `ffi.gc`). Wrapping a `gc` result again runs the newest destructor first. A
    /// destructor that panics is reported on stderr (`rcffi: the gc destructor of cdata ...
    /// panicked: ...`), as cffi reports an exception raised in one, and the drop goes on: a
    /// panic let out of a drop aborts the process while another panic unwinds, or in a
    /// thread-local's destructor.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use std::sync::{Arc, Mutex};
    /// let ffi = rcffi::Ffi::default();
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let l = log.clone();
    /// let p = ffi.gc(&ffi.new("int *", 7)?, move |orig| l.lock().unwrap().push(orig.get(0).unwrap()));
    /// assert_eq!(p.get(0)?, 7.into());
    /// drop(p);
    /// assert_eq!(*log.lock().unwrap(), [7.into()]);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn gc(&self, cdata: &CData, destructor: impl FnOnce(CData) + Send + 'static) -> CData {
        lifetime::gc(cdata, destructor)
    }

    /// Removes the destructor of a cdata returned by [`Ffi::gc`] without running it (cffi's
    /// `ffi.gc(cdata, None)`).
    ///
    /// # Errors
    ///
    /// [`Error::Value`](crate::Error::Value) or [`Error::Type`](crate::Error::Type) for a cdata that
    /// has no destructor (`gc` did not make it).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let p = ffi.gc(&ffi.new("int *", ())?, |_| panic!("never runs"));
    /// ffi.gc_remove(&p)?;
    /// drop(p);
    /// assert!(ffi.gc_remove(&ffi.new("int *", ())?).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn gc_remove(&self, cdata: &CData) -> Result<()> {
        lifetime::gc_remove(cdata)
    }

    /// Ends what a cdata holds now rather than when it is dropped (cffi's `ffi.release` and
    /// `with` blocks): runs a [`Ffi::gc`] destructor, ends a [`Ffi::from_buffer`] loan (the
    /// cdata then refuses access). Memory from [`Ffi::new`] is freed when the last cdata over
    /// it is dropped — never while one can still reach it — so releasing it does nothing.
    /// Releasing twice is allowed.
    ///
    /// # Errors
    ///
    /// [`Error::Value`](crate::Error::Value) for a cdata that owns no memory it could free (not made
    /// by `new`, `new_handle`, `from_buffer` or `gc`), or a `Value` that holds no cdata.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let c = ffi.from_buffer("char[]", b"abc".to_vec())?;
    /// ffi.release(&c)?;
    /// assert_eq!(format!("{c:?}"), "<cdata 'char[]' buffer RELEASED>");
    /// assert!(c.get(0).is_err());
    /// assert!(ffi.release(&ffi.cast("int *", 0)?).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn release(&self, cdata: &(impl AsCData + ?Sized)) -> Result<()> {
        lifetime::release(cdata.try_as_cdata()?)
    }

    /// A `void *` standing for a Rust value, to pass through C as user data (cffi's
    /// `ffi.new_handle`). [`Ffi::from_handle`] gives the value back while the handle (or a
    /// clone) is alive. Every handle has its own address, never reused.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let h = ffi.new_handle(vec![1, 2, 3]);
    /// assert_eq!(h.type_name(), "void *");
    /// let back: rcffi::Handled<Vec<i32>> = ffi.from_handle(&ffi.cast("char *", &h)?)?;
    /// assert_eq!(*back, [1, 2, 3]);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn new_handle<T: Any + Send + Sync>(&self, value: T) -> CData {
        lifetime::new_handle(self, value)
    }

    /// The Rust value of a handle made by [`Ffi::new_handle`] (cffi's `ffi.from_handle`), from
    /// any pointer with its address — including one C handed back. A released handle, an
    /// address that never was a handle, or a value of another type is an error (cffi may abort
    /// or crash). The [`Handled`] value derefs to the `T` and keeps it alive; threads taking
    /// one handle's value at once each count it on a line of their own, and find an address C
    /// handed back without a lock (while no handle is being made or let go).
    ///
    /// # Errors
    ///
    /// [`Error::Type`](crate::Error::Type) for a cdata that is no pointer, or a handle of another
    /// Rust type; [`Error::Runtime`](crate::Error::Runtime) for NULL or an address that is no live
    /// handle (released, or never one).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let h = ffi.new_handle(String::from("state"));
    /// let addr = h.address();
    /// let raw = ffi.cast("void *", addr as u64)?; // as if C handed it back
    /// assert_eq!(*ffi.from_handle::<String>(&raw)?, "state");
    /// assert!(ffi.from_handle::<i32>(&raw).is_err()); // wrong type
    /// drop(h);
    /// assert!(ffi.from_handle::<String>(&raw).is_err()); // released
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn from_handle<T: Any + Send + Sync>(
        &self,
        cdata: &(impl AsCData + ?Sized),
    ) -> Result<Handled<T>> {
        lifetime::from_handle(cdata.try_as_cdata()?)
    }
}

//! How long things live: `ffi.gc` and `ffi.release`, handles (`new_handle` / `from_handle`)
//! and `NULL`.

use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::data::{CData, GcBox, Origin};
use crate::error::{Error, Result};
use crate::mem::{HandleBox, Owner, live_handle, register_handle};
use crate::types::Ffi;

/// Handle addresses: unique, never reused, never dereferenceable. They start at a
/// non-canonical address (a dereference by C faults at once) and step by 16 so that they
/// look aligned to C code that checks.
const HANDLE_BASE: usize = 0x1000_0000_0000_0000;
static NEXT_HANDLE: AtomicUsize = AtomicUsize::new(1);

impl Ffi {
    /// A new cdata for the same memory as `cdata` that runs `destructor(cdata)` once, when the
    /// last clone of it (or of anything derived from it) is dropped, or on [`Ffi::release`]
    /// (cffi's `ffi.gc`). Wrapping a `gc` result again runs the newest destructor first.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let log = Arc::new(Mutex::new(Vec::new()));
    /// let l = log.clone();
    /// let p = ffi.gc(&ffi.new("int *", 7)?, move |orig| l.lock().unwrap().push(orig.get(0).unwrap()));
    /// assert_eq!(p.get(0)?, 7.into());
    /// drop(p);
    /// assert_eq!(*log.lock().unwrap(), [7.into()]);
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn gc(&self, cdata: &CData, destructor: impl FnOnce(CData) + Send + 'static) -> CData {
        let gc = Arc::new(GcBox {
            original: cdata.clone(),
            base: match &cdata.owner {
                Owner::Gc(inner) => inner.base().clone(),
                other => other.clone(),
            },
            destructor: Mutex::new(Some(Box::new(destructor))),
        });
        cdata.with_owner(Owner::Gc(gc)).with_origin(Origin::Plain)
    }

    /// Removes the destructor of a cdata returned by [`Ffi::gc`] without running it (cffi's
    /// `ffi.gc(cdata, None)`).
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let p = ffi.gc(&ffi.new("int *", ())?, |_| panic!("never runs"));
    /// ffi.gc_remove(&p)?;
    /// drop(p);
    /// assert!(ffi.gc_remove(&ffi.new("int *", ())?).is_err());
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn gc_remove(&self, cdata: &CData) -> Result<()> {
        match &cdata.owner {
            Owner::Gc(g) => {
                g.cancel();
                Ok(())
            }
            _ => Err(Error::Type(
                "Can remove destructor only on a object previously returned by ffi.gc()".into(),
            )),
        }
    }

    /// Ends what a cdata holds now rather than when it is dropped (cffi's `ffi.release` and
    /// `with` blocks): runs a [`Ffi::gc`] destructor, ends a [`Ffi::from_buffer`] loan (the
    /// cdata then refuses access). Memory from [`Ffi::new`] is freed when the last cdata over
    /// it is dropped — never while one can still reach it — so releasing it does nothing.
    /// Releasing twice is allowed.
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let c = ffi.from_buffer("char[]", b"abc".to_vec())?;
    /// ffi.release(&c)?;
    /// assert_eq!(format!("{c:?}"), "<cdata 'char[]' buffer RELEASED>");
    /// assert!(c.get(0).is_err());
    /// assert!(ffi.release(&ffi.cast("int *", 0)?).is_err());
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn release(&self, cdata: &CData) -> Result<()> {
        match (&cdata.owner, cdata.origin) {
            (Owner::Gc(g), _) => {
                g.run();
                Ok(())
            }
            (Owner::Buffer(b), Origin::FromBuffer) => {
                b.end();
                Ok(())
            }
            (_, Origin::New) => Ok(()),
            _ => Err(Error::Value(
                "only 'cdata' object from ffi.new(), ffi.gc(), ffi.from_buffer() or ffi.new_allocator()() can be \
                 used with the 'with' keyword or ffi.release()"
                    .into(),
            )),
        }
    }

    /// A `void *` standing for a Rust value, to pass through C as user data (cffi's
    /// `ffi.new_handle`). [`Ffi::from_handle`] gives the value back while the handle (or a
    /// clone) is alive. Every handle has its own address, never reused.
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let h = ffi.new_handle(vec![1, 2, 3]);
    /// assert_eq!(h.type_name(), "void *");
    /// let back: std::sync::Arc<Vec<i32>> = ffi.from_handle(&ffi.cast("char *", &h)?)?;
    /// assert_eq!(*back, [1, 2, 3]);
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn new_handle<T: Any + Send + Sync>(&self, value: T) -> CData {
        let addr = HANDLE_BASE + NEXT_HANDLE.fetch_add(1, Ordering::Relaxed) * 16;
        let handle = Arc::new(HandleBox {
            addr,
            value: Arc::new(value),
            type_name: std::any::type_name::<T>(),
        });
        register_handle(&handle);
        let void_ptr = self
            .parse("void *")
            .unwrap_or_else(|_| unreachable!("'void *' always parses"));
        CData::pointer(self, void_ptr, addr, Owner::Handle(handle))
    }

    /// The Rust value of a handle made by [`Ffi::new_handle`] (cffi's `ffi.from_handle`), from
    /// any pointer with its address — including one C handed back. A released handle, an
    /// address that never was a handle, or a value of another type is an error (cffi may abort
    /// or crash).
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let h = ffi.new_handle(String::from("state"));
    /// let addr = h.address();
    /// let raw = ffi.cast("void *", addr as u64)?; // as if C handed it back
    /// assert_eq!(*ffi.from_handle::<String>(&raw)?, "state");
    /// assert!(ffi.from_handle::<i32>(&raw).is_err()); // wrong type
    /// drop(h);
    /// assert!(ffi.from_handle::<String>(&raw).is_err()); // released
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn from_handle<T: Any + Send + Sync>(&self, cdata: &CData) -> Result<Arc<T>> {
        if !cdata.info().is_pointer() {
            return Err(Error::Type(format!(
                "expected a 'cdata' object with a 'void *' out of new_handle(), got '{}'",
                cdata.type_name()
            )));
        }
        if cdata.addr == 0 {
            return Err(Error::Runtime(format!(
                "cannot use from_handle() on NULL pointer ({cdata:?})"
            )));
        }
        let live = match &cdata.owner {
            Owner::Handle(h) if h.addr == cdata.addr => Some(h.clone()),
            _ => live_handle(cdata.addr),
        };
        let Some(h) = live else {
            return Err(Error::Runtime(format!(
                "{:#x} is not a live handle (it was released, or never was one)",
                cdata.addr
            )));
        };
        h.value.clone().downcast::<T>().map_err(|_| {
            Error::Type(format!(
                "the handle at {:#x} holds a {}, not a {}",
                cdata.addr,
                h.type_name,
                std::any::type_name::<T>()
            ))
        })
    }

    /// cffi's `ffi.NULL`: a `void *` NULL, which initializes and compares with any pointer.
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let a = ffi.new("int *[2]", [ffi.null()])?;
    /// assert_eq!(a.get(1)?, ffi.null().into());
    /// assert!(ffi.null().is_null());
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub fn null(&self) -> CData {
        let void_ptr = self
            .parse("void *")
            .unwrap_or_else(|_| unreachable!("'void *' always parses"));
        CData::pointer(self, void_ptr, 0, Owner::Foreign)
    }
}

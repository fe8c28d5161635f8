//! `ffi.new_allocator`: `new` with memory from user functions.
//!
//! # Safety
//!
//! [`Ffi::new_allocator`] is `unsafe`: its caller vouches that the allocation function returns
//! memory valid for the size asked until the free function is called. This module checks what
//! can be checked (a pointer cdata, not NULL, aligned) and hands the memory to
//! `mem::Allocation::custom`, which frees it once, when the last cdata over it is dropped.
//! One of the runtime's modules with `unsafe` code (see `docs/unsafe.md`).

#![allow(unsafe_code)]

use std::sync::Arc;

use crate::data::CData;
use crate::data::Value;
use crate::error::{Error, Result};
use crate::mem::Allocation;
use crate::types::Ffi;
use crate::types::Repr;
use crate::types::TypeSpec;

/// The allocation function of an [`Allocator`]: takes a byte count, returns a pointer cdata.
type AllocFn = dyn Fn(usize) -> Result<CData> + Send + Sync;
/// The matching free function: takes what the allocation function returned.
type FreeFn = dyn Fn(CData) + Send + Sync;

/// A `new` that takes its memory from user functions (cffi's `ffi.new_allocator`), made by
/// [`Ffi::new_allocator`].
#[derive(Clone)]
pub struct Allocator {
    ffi: Ffi,
    alloc: Arc<AllocFn>,
    free: Option<Arc<FreeFn>>,
    clear: bool,
}

impl std::fmt::Debug for Allocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Allocator")
            .field("free", &self.free.is_some())
            .field("should_clear_after_alloc", &self.clear)
            .finish()
    }
}

impl Ffi {
    /// An allocator whose `new` takes memory from `alloc(size)` and gives it back with
    /// `free(pointer)` when the last cdata over it is dropped (cffi's `ffi.new_allocator`).
    /// With `should_clear_after_alloc` the memory is zeroed before the initializer is written.
    ///
    /// # Safety
    ///
    /// Every pointer `alloc(n)` returns must be valid for reads and writes of `n` bytes
    /// (rcffi checks that it is not NULL and is aligned for the type) until `free` is called
    /// with it — or forever, without `free`. When `should_clear_after_alloc` is false the
    /// memory must already be initialized (C's `malloc` memory is, as far as Rust is
    /// concerned, only once written; use `calloc` or clear it).
    ///
    /// ```
    /// # let ffi = rcffi_runtime::Ffi::default();
    /// use std::sync::{Arc, Mutex};
    /// // Memory from a pool of rcffi's own arrays, handed back to a free list.
    /// let freed = Arc::new(Mutex::new(0));
    /// let pool_ffi = ffi.clone();
    /// let seen = freed.clone();
    /// let alloc = unsafe {
    ///     ffi.new_allocator(
    ///         move |n| {
    ///             let block = pool_ffi.new("char[]", n as i64)?;
    ///             // Hand out a raw pointer: the block stays alive in the free function.
    ///             Ok(pool_ffi.cast("char *", &block)?)
    ///         },
    ///         Some(move |_p| *seen.lock().unwrap() += 1),
    ///         true,
    ///     )
    /// };
    /// let p = alloc.new("int[10]", [1, 2, 3])?;
    /// assert_eq!(p.get(2)?, 3.into());
    /// drop(p);
    /// assert_eq!(*freed.lock().unwrap(), 1);
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub unsafe fn new_allocator<A, F>(
        &self,
        alloc: A,
        free: Option<F>,
        should_clear_after_alloc: bool,
    ) -> Allocator
    where
        A: Fn(usize) -> Result<CData> + Send + Sync + 'static,
        F: Fn(CData) + Send + Sync + 'static,
    {
        Allocator {
            ffi: self.clone(),
            alloc: Arc::new(alloc),
            free: free.map(|f| Arc::new(f) as Arc<FreeFn>),
            clear: should_clear_after_alloc,
        }
    }
}

impl Allocator {
    /// [`Ffi::new`] with this allocator's memory.
    #[allow(
        clippy::new_ret_no_self,
        reason = "cffi's name: the allocator's `new` allocates"
    )]
    pub fn new<T: TypeSpec + ?Sized>(&self, ty: &T, init: impl Into<Value>) -> Result<CData> {
        let ffi = &self.ffi;
        let init = init.into();
        let plan = ffi.plan_new(ty.type_ref(ffi)?, &init)?;
        let p = (self.alloc)(plan.size)?;
        let pinfo = p.info();
        if !matches!(pinfo.repr, Repr::Pointer { .. } | Repr::Array { .. }) {
            return Err(Error::Type(format!(
                "alloc() must return a cdata pointer, not '{}'",
                pinfo.name
            )));
        }
        let addr = p.address();
        if addr == 0 {
            return Err(Error::Memory("alloc() returned NULL".into()));
        }
        if !addr.is_multiple_of(plan.align.max(1)) {
            return Err(Error::Memory(format!(
                "alloc() returned {addr:#x}, which is not aligned to {} as '{}' needs",
                plan.align,
                plan.ty.get(&ffi.inner).name
            )));
        }
        let free = self.free.clone().map(|f| {
            let p = p.clone();
            Box::new(move |_addr: usize| f(p)) as Box<dyn FnOnce(usize) + Send + Sync>
        });
        // SAFETY: `Ffi::new_allocator`'s caller promised that what `alloc` returns is valid for
        // `plan.size` bytes until `free` is called; alignment and NULL were checked above.
        let mem = unsafe { Allocation::custom(addr, plan.size, free, self.clear)? };
        ffi.finish_new(&plan, &init, crate::mem::Shared::new(mem))
    }
}

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

impl Allocator {
    /// The work of [`Ffi::new_allocator`]: an allocator of `ffi` over `alloc` and `free`.
    pub(crate) fn with_functions<A, F>(ffi: &Ffi, alloc: A, free: Option<F>, clear: bool) -> Self
    where
        A: Fn(usize) -> Result<CData> + Send + Sync + 'static,
        F: Fn(CData) + Send + Sync + 'static,
    {
        Allocator {
            ffi: ffi.clone(),
            alloc: Arc::new(alloc),
            free: free.map(|f| Arc::new(f) as Arc<FreeFn>),
            clear,
        }
    }

    /// [`Ffi::new`] with this allocator's memory.
    ///
    /// # Errors
    ///
    /// As [`Ffi::new`](crate::Ffi::new), and [`Error::Memory`] when the
    /// allocator returns NULL.
    #[allow(
        clippy::new_ret_no_self,
        reason = "cffi's name: the allocator's `new` allocates"
    )]
    pub fn new<T: TypeSpec + ?Sized>(&self, ty: &T, init: impl Into<Value>) -> Result<CData> {
        let ffi = &self.ffi;
        let init = init.into();
        let plan = ffi.plan_new(ty.type_ref(ffi)?, &init)?;
        if plan.size > crate::mem::Allocation::MAX_SIZE {
            // Refused before the allocator is asked: its memory would have nowhere to go back.
            return Err(Error::Memory(
                format!(
                    "cannot allocate {} bytes (at most {})",
                    plan.size,
                    crate::mem::Allocation::MAX_SIZE
                )
                .into(),
            ));
        }
        let p = (self.alloc)(plan.size)?;
        let pinfo = p.info();
        if !matches!(pinfo.repr, Repr::Pointer { .. } | Repr::Array { .. }) {
            return Err(Error::Type(
                format!("alloc() must return a cdata pointer, not '{}'", pinfo.name).into(),
            ));
        }
        let addr = p.address();
        if addr == 0 {
            return Err(Error::Memory("alloc() returned NULL".into()));
        }
        if !addr.is_multiple_of(plan.align.max(1)) {
            return Err(Error::Memory(
                format!(
                    "alloc() returned {addr:#x}, which is not aligned to {} as '{}' needs",
                    plan.align,
                    plan.ty.get(&ffi.inner).name
                )
                .into(),
            ));
        }
        let free = self.free.clone().map(|f| {
            let p = p.clone();
            Box::new(move |_addr: usize| f(p)) as Box<dyn FnOnce(usize) + Send + Sync>
        });
        // SAFETY: `Ffi::new_allocator`'s caller promised that what `alloc` returns is valid for
        // `plan.size` bytes until `free` is called; alignment and NULL were checked above.
        let mem = unsafe { Allocation::custom(addr, plan.size, free, self.clear)? };
        ffi.finish_new(&plan, &init, mem)
    }
}

//! Making cdata beyond `new` and `cast` (which are in `first.rs`): typed values and slices,
//! `NULL`, `addressof`, and allocation through a user's allocator.

#![allow(unsafe_code)]

use crate::data::{Allocator, AsCData, CData, address, lifetime};
use crate::error::{Error, Result};
use crate::typed::{NativeType, ShapeKind, View};
use crate::types::{Ffi, TypeSpec};

impl Ffi {
    /// Allocates a `T` — a `#[derive(NativeType)]` struct or union, whose C type it names —
    /// and writes `value` into it: `ffi.new("struct pt *", ...)` from a Rust value, checked
    /// once against the cdef. Returns the view; its cdata ([`View::cdata`]) is the
    /// `struct pt *` owning the memory.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] naming each difference between `T` and the C type it names,
    /// and the errors of [`Ffi::new`](crate::Ffi::new).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// #[derive(Clone, Copy, Debug, PartialEq)]
    /// #[repr(C)]
    /// struct Pt { x: i32, y: i32 }
    /// # unsafe impl rcffi::NativeType for Pt {
    /// #     fn shape() -> rcffi::Shape {
    /// #         use rcffi::*;
    /// #         Shape { rust: "Pt", kind: ShapeKind::Record(Box::new(RecordShape {
    /// #             c_name: "struct pt", union: false, opaque: false, size: 8, align: 4,
    /// #             fields: vec![FieldShape { name: "x", offset: 0, shape: i32::shape() },
    /// #                          FieldShape { name: "y", offset: 4, shape: i32::shape() }] })) }
    /// #     }
    /// # }
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct pt { int x, y; };")?;
    /// let p = ffi.new_typed(Pt { x: 1, y: 2 })?;
    /// assert_eq!(p.cdata().field("y")?, 2.into());
    /// assert_eq!(p.get()?, Pt { x: 1, y: 2 });
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn new_typed<T: NativeType>(&self, value: T) -> Result<View<T>> {
        let shape = T::shape();
        let ShapeKind::Record(r) = &shape.kind else {
            return Err(Error::Type(
                format!(
                    "new_typed makes derived structs and unions; for {} name the C type: \
                 ffi.new(\"int *\", ...)",
                    shape.rust
                )
                .into(),
            ));
        };
        if r.opaque {
            return Err(Error::Type(
                format!(
                    "{} is opaque (#[rcffi(opaque)]): rcffi does not know its size",
                    shape.rust
                )
                .into(),
            ));
        }
        let p = self.new(format!("{} *", r.c_name).as_str(), ())?;
        let view = p.view::<T>()?;
        view.set(value)?;
        Ok(view)
    }

    /// An array (`"int[]"`, `"int[N]"`) — or a pointer to one item (`"int *"`) — holding the
    /// items of a Rust slice, without a [`Value`](crate::Value) per item: when the C item type is `T` (checked
    /// once, as for typed calls: `i32` for `int`, a `#[derive(NativeType)]` struct for its C
    /// struct) the items are copied as bytes; when both are numbers of other types, each
    /// converts as `set` converts it (range-checked: `300` into `unsigned char[]` is an error).
    ///
    /// # Errors
    ///
    /// [`Error::Type`] naming each difference between `T` and the C type it names,
    /// and the errors of [`Ffi::new`](crate::Ffi::new).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new_slice("int[]", &[1i32, 2, 3])?; // a copy
    /// assert_eq!(ffi.unpack_as::<i32>(&a, 3)?, [1, 2, 3]);
    /// let d = ffi.new_slice("double[4]", &[1i32, 2])?; // converted, the rest zero
    /// assert_eq!(ffi.unpack_as::<f64>(&d, 4)?, [1.0, 2.0, 0.0, 0.0]);
    /// assert!(ffi.new_slice("unsigned char[]", &[300i32]).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn new_slice<T: NativeType + Copy>(
        &self,
        ty: &(impl TypeSpec + ?Sized),
        items: &[T],
    ) -> Result<CData> {
        let (ffi, t) = ty.resolve(self)?;
        crate::typed::bulk::new_slice(ffi, t, items)
    }

    /// cffi's `ffi.NULL`: a `void *` NULL, which initializes and compares with any pointer.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let a = ffi.new("int *[2]", [ffi.null()])?;
    /// assert_eq!(a.get(1)?, ffi.null().into());
    /// assert!(ffi.null().is_null());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn null(&self) -> CData {
        lifetime::null(self)
    }

    /// The address of a struct, union or array, or of a member or item inside one, as a
    /// pointer (cffi's `ffi.addressof`). `path` names members and items as in
    /// [`Ffi::offsetof`](crate::Ffi::offsetof) (`"b.y"`, `"c[25]"`, `"[1]"`); on a pointer it
    /// starts from what the pointer points to. The pointer keeps the memory alive and its
    /// bounds.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] for a path naming no member, [`Error::Index`]
    /// for an item outside the array, [`Error::Type`] for a cdata that is no struct,
    /// array or pointer to one (or a `Value` that holds none).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct p { int a, b; int c[50]; };")?;
    /// let p = ffi.new("struct p *", ())?;
    /// let b = ffi.addressof(&p, "b")?;
    /// assert_eq!(b.type_name(), "int *");
    /// assert_eq!(b.address(), p.address() + 4);
    /// assert_eq!(ffi.addressof(&p, "c[25]")?, ffi.cast("int *", &p)?.offset(27)?);
    /// let s = p.get(0)?.as_cdata().unwrap().clone();
    /// assert_eq!(ffi.addressof(&s, "")?, p);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn addressof(&self, cdata: &(impl AsCData + ?Sized), path: &str) -> Result<CData> {
        address::addressof(cdata.try_as_cdata()?, path)
    }

    /// An allocator whose `new` takes memory from `alloc(size)` and gives it back with
    /// `free(pointer)` when the last cdata over it is dropped (cffi's `ffi.new_allocator`).
    /// With `should_clear_after_alloc` the memory is zeroed before the initializer is written.
    /// A `free` that panics is reported on stderr and the drop goes on, as for a `gc`
    /// destructor ([`Ffi::gc`](crate::Ffi::gc)).
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
    /// # use rcffi_runtime as rcffi;
    /// # let ffi = rcffi::Ffi::default();
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
    /// # Ok::<(), rcffi::Error>(())
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
        Allocator::with_functions(self, alloc, free, should_clear_after_alloc)
    }
}

/// `new` and `cast` take a type, not a cdata standing for one (cffi: `TypeError`).
pub(super) fn not_a_cdata<T: TypeSpec + ?Sized>(ty: &T, what: &str) -> Result<()> {
    if ty.is_cdata() {
        return Err(crate::error::Error::Type(
            format!("{what}() takes a ctype or a type string, not a cdata (use its ctype())")
                .into(),
        ));
    }
    Ok(())
}

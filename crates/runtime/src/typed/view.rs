//! [`View`]: C memory read and written as a Rust type, its C type, bounds and alignment
//! checked once; and [`CData::view`].
//!
//! # Safety
//!
//! A view holds the cdata it was made from (whose owner keeps the memory valid) and the
//! address of a C object whose type was found to be the Rust type `T`, with `size_of::<T>()`
//! bytes inside the cdata's region and aligned for `T`. `get` copies the bytes out through the
//! region (C may write them concurrently: the copy is the runtime's per-byte atomic copy), into
//! a zeroed buffer, and makes a `T` of them only after checking the bytes of every `bool` (0
//! or 1): every other member type the check accepts (numbers, raw pointers, nullable function
//! pointers, unions) takes any bytes. `set` copies only the bytes of `T` that are initialized
//! (members, not padding), listed from the shape once; a `T` holding a union (whose unset
//! bytes are unknown) has no `set`. `as_ref`/`as_mut` hand out references whose exclusivity
//! only the caller can promise. One of the runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::data::CData;
use crate::error::{Error, Result};
use crate::types::Repr;

use super::check::{Checker, Flow};
use super::shape::{NativeType, Shape, ShapeKind};

/// At most this many separate runs of bytes (`bool` members, initialized ranges) per view: a
/// type with more (an array of thousands of structs with padding) is refused, not slowly
/// walked.
const MAX_RUNS: usize = 4096;

/// C memory as a Rust type `T` (a `#[derive(NativeType)]` struct, a number, an array), checked
/// once — `T`'s layout against the C type, the bounds and the alignment — so that reads and
/// writes are copies of `size_of::<T>()` bytes. Made by [`CData::view`]; holds what the cdata
/// holds (the memory stays valid while the view lives).
///
/// `get` and `set` copy the whole value (C may change the memory at any time, so the copy is
/// made as rcffi makes every access to shared memory); `as_ref` and `as_mut` give references
/// for code that knows nothing else touches the memory meanwhile — no copy, a member read is a
/// plain load — and are `unsafe` for that reason.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let grid = ffi.new("int[2][3]", [[1, 2, 3], [4, 5, 6]])?;
/// let v = grid.view::<[[i32; 3]; 2]>()?; // checked once: the C type is [[i32; 3]; 2]
/// assert_eq!(v.get()?[1], [4, 5, 6]);
/// v.set([[0; 3], [7, 8, 9]])?;
/// assert_eq!(grid.get(1)?.cdata()?.get(0)?, 7.into());
/// assert!(grid.view::<[[i64; 3]; 2]>().is_err()); // not the C type
/// # Ok::<(), rcffi::Error>(())
/// ```
#[must_use = "a view dropped at once frees the memory it owns (from `new_typed`)"]
pub struct View<T> {
    cdata: CData,
    addr: usize,
    /// The `bool` members: (offset, count, stride).
    bools: Box<[(usize, usize, usize)]>,
    /// The initialized bytes of a `T` (members, not padding): (offset, length); `None` when
    /// `T` holds a union.
    init: Option<Box<[(usize, usize)]>>,
    /// Whether the memory may be written.
    writable: bool,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for View<T> {
    fn clone(&self) -> Self {
        View {
            cdata: self.cdata.clone(),
            addr: self.addr,
            bools: self.bools.clone(),
            init: self.init.clone(),
            writable: self.writable,
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for View<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<view {} of {:?}>",
            std::any::type_name::<T>(),
            self.cdata
        )
    }
}

impl<T: NativeType> View<T> {
    /// A copy of the value.
    ///
    /// # Errors
    ///
    /// An error when the memory was released; [`Error::Value`] when the bytes
    /// are no `T` (a `bool` that is not 0 or 1).
    pub fn get(&self) -> Result<T> {
        let mut v = MaybeUninit::<T>::zeroed();
        // SAFETY: a zeroed MaybeUninit has every byte initialized; the slice covers exactly it.
        let bytes =
            unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), size_of::<T>()) };
        self.cdata
            .owner()
            .with_region(&|| self.what(), |r| r.read(self.addr, bytes))?;
        for &(off, count, stride) in &self.bools {
            for i in 0..count {
                let b = bytes[off + i * stride];
                if b > 1 {
                    return Err(Error::Type(
                        format!(
                            "{}: the _Bool at offset {} holds {b}, not 0 or 1",
                            self.what(),
                            off + i * stride
                        )
                        .into(),
                    ));
                }
            }
        }
        // SAFETY: every byte was read from the C object whose type is T's (checked when the
        // view was made), and every bool holds 0 or 1: a valid T (see the module docs).
        Ok(unsafe { v.assume_init() })
    }

    /// Writes `v` (its members' bytes; padding is left as it is).
    ///
    /// # Errors
    ///
    /// An error when the memory was released; [`Error::Value`] when the bytes
    /// are no `T` (a `bool` that is not 0 or 1).
    pub fn set(&self, v: T) -> Result<()> {
        let Some(init) = &self.init else {
            return Err(Error::Type(
                format!(
                    "{}: {} holds a union, whose unset bytes Rust does not know: write its members \
                 through the dynamic API",
                    self.what(),
                    std::any::type_name::<T>()
                )
                .into(),
            ));
        };
        let base = (&raw const v).cast::<u8>();
        self.cdata.owner().with_region(&|| self.what(), |r| {
            for &(off, len) in init.iter() {
                // SAFETY: `off..off + len` lies inside `v` and covers members only, whose
                // bytes are initialized (the shape lists them; padding is left out).
                let part = unsafe { std::slice::from_raw_parts(base.add(off), len) };
                r.write(self.addr + off, part)?;
            }
            Ok(())
        })
    }

    /// The value, by reference: no copy.
    ///
    /// # Safety
    ///
    /// While the reference lives, nothing may write the memory: no C code (on any thread), and
    /// no rcffi write through this view or any cdata over the same memory. The memory must
    /// also stay valid, which rcffi ensures for its own memory and libraries, but not for
    /// memory the caller vouched for.
    pub unsafe fn as_ref(&self) -> &T {
        // SAFETY: the address holds a T (checked: type, bounds, alignment, bools at creation);
        // the caller promises that nothing writes it meanwhile.
        unsafe { &*(self.addr as *const T) }
    }

    /// The value, by mutable reference: no copy.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a view of read-only memory (a `const` global, bytes
    /// lent read-only).
    ///
    /// # Safety
    ///
    /// As for [`View::as_ref`], and nothing may read the memory either while the reference
    /// lives (no other reference from this view, no cdata read, no C code).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn as_mut(&self) -> Result<&mut T> {
        if !self.writable {
            return Err(Error::Type(
                format!("{}: the memory is read-only", self.what()).into(),
            ));
        }
        // SAFETY: as for `as_ref`, and the memory is writable; the caller promises exclusive
        // access.
        Ok(unsafe { &mut *(self.addr as *mut T) })
    }

    /// The cdata the view was made from.
    pub fn cdata(&self) -> &CData {
        &self.cdata
    }

    /// The address viewed.
    pub fn address(&self) -> usize {
        self.addr
    }

    fn what(&self) -> String {
        format!("view of {} at {:#x}", std::any::type_name::<T>(), self.addr)
    }
}

impl CData {
    /// This C data as a Rust type `T`: a struct cdata, an array cdata, or a pointer (to the
    /// object it points at), viewed as `T` after checking once that `T` is its C type (for a
    /// derived struct: size, alignment, each member's name, offset and type), that
    /// `size_of::<T>()` bytes lie within the memory this cdata may use, and that the address is
    /// aligned for `T`.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] naming each difference between `T` and the cdata's type, or
    /// for a cdata that is no pointer to, or array of, it; [`Error::NullPointer`]
    /// for NULL.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// #[derive(Clone, Copy, Debug, PartialEq)]
    /// #[repr(C)]
    /// struct Pt { x: i32, y: i32 }
    /// // What #[derive(rcffi::NativeType)] with #[rcffi(c = "struct pt")] writes:
    /// unsafe impl rcffi::NativeType for Pt {
    ///     fn shape() -> rcffi::Shape {
    ///         use rcffi::*;
    ///         Shape { rust: "Pt", kind: ShapeKind::Record(Box::new(RecordShape {
    ///             c_name: "struct pt", union: false, opaque: false, size: 8, align: 4,
    ///             fields: vec![
    ///                 FieldShape { name: "x", offset: 0, shape: i32::shape() },
    ///                 FieldShape { name: "y", offset: 4, shape: i32::shape() },
    ///             ],
    ///         })) }
    ///     }
    /// }
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct pt { int x, y; };")?;
    /// let p = ffi.new("struct pt *", [1, 2])?;
    /// let v = p.view::<Pt>()?;
    /// assert_eq!(v.get()?, Pt { x: 1, y: 2 });
    /// v.set(Pt { x: 3, y: 4 })?;
    /// assert_eq!(p.field("y")?, 4.into());
    /// assert!(p.view::<[i32; 3]>().is_err()); // not its type
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn view<T: NativeType>(&self) -> Result<View<T>> {
        let info = self.info();
        let target = match &info.repr {
            Repr::Pointer { .. } => self.uni().pointee(info).ok_or_else(|| {
                Error::Type(format!("cdata '{}' points to an incomplete type", info.name).into())
            })?,
            Repr::Record { .. } | Repr::Array { .. } => self.ty(),
            _ => {
                return Err(Error::Type(
                    format!(
                        "cdata '{}' is a value, not memory: view a pointer, struct or array",
                        info.name
                    )
                    .into(),
                ));
            }
        };
        let shape = T::shape();
        let c = target.get(&self.uni().inner).id;
        {
            let reg = self.uni().inner.read();
            Checker::new(&reg)
                .same(c, &shape, Flow::Both)
                .map_err(|why| {
                    Error::Type(
                        format!(
                            "cdata '{}' cannot be viewed as {}: '{}' vs {} ({why})",
                            info.name,
                            shape.rust,
                            reg.cname(c),
                            shape.rust
                        )
                        .into(),
                    )
                })?;
        }
        let addr = self.addr();
        if addr == 0 {
            return Err(Error::NullPointer(
                format!("cannot view NULL cdata '{}'", info.name).into(),
            ));
        }
        if !addr.is_multiple_of(align_of::<T>()) {
            return Err(Error::Type(
                format!(
                    "cdata '{}' at {addr:#x} is not aligned for {} (alignment {})",
                    info.name,
                    shape.rust,
                    align_of::<T>()
                )
                .into(),
            ));
        }
        let writable = self
            .owner()
            .with_region(&|| format!("cdata '{}'", info.name), |r| {
                r.check(addr, size_of::<T>())?;
                Ok(r.check_writable().is_ok())
            })?;
        let mut bools = Vec::new();
        bool_runs(&shape, 0, &mut bools)?;
        let mut init = Vec::new();
        let init =
            init_runs(&shape, 0, size_of::<T>(), &mut init)?.then(|| init.into_boxed_slice());
        Ok(View {
            cdata: self.clone(),
            addr,
            bools: bools.into_boxed_slice(),
            init,
            writable,
            _t: PhantomData,
        })
    }
}

/// The `bool` members of `s` at `base`: (offset, count, stride) runs.
pub(super) fn bool_runs(
    s: &Shape,
    base: usize,
    out: &mut Vec<(usize, usize, usize)>,
) -> Result<()> {
    match &s.kind {
        ShapeKind::Bool => out.push((base, 1, 1)),
        ShapeKind::Array { elem, len } => {
            let e = elem();
            if matches!(e.kind, ShapeKind::Bool) {
                out.push((base, *len, 1));
            } else {
                let mut inner = Vec::new();
                bool_runs(&e, 0, &mut inner)?;
                if !inner.is_empty() {
                    let stride = elem_size(&e)?;
                    for i in 0..*len {
                        for &(o, n, st) in &inner {
                            out.push((base + i * stride + o, n, st));
                        }
                        too_many(out.len())?;
                    }
                }
            }
        }
        ShapeKind::Record(r) if !r.union => {
            for f in &r.fields {
                bool_runs(&f.shape, base + f.offset, out)?;
            }
        }
        _ => {}
    }
    too_many(out.len())
}

/// The initialized bytes of `s` (`size` bytes at `base`): pushes (offset, length) runs;
/// `false` when `s` holds a union.
pub(super) fn init_runs(
    s: &Shape,
    base: usize,
    size: usize,
    out: &mut Vec<(usize, usize)>,
) -> Result<bool> {
    match &s.kind {
        ShapeKind::Record(r) if r.union => return Ok(false),
        ShapeKind::Record(r) => {
            for f in &r.fields {
                let fsize = elem_size(&f.shape)?;
                if !init_runs(&f.shape, base + f.offset, fsize, out)? {
                    return Ok(false);
                }
            }
        }
        ShapeKind::Array { elem, len } => {
            let e = elem();
            let stride = elem_size(&e)?;
            let mut inner = Vec::new();
            if !init_runs(&e, 0, stride, &mut inner)? {
                return Ok(false);
            }
            if inner == [(0, stride)] {
                push_run(out, base, stride * len);
            } else {
                for i in 0..*len {
                    for &(o, n) in &inner {
                        push_run(out, base + i * stride + o, n);
                    }
                    too_many(out.len())?;
                }
            }
        }
        _ => push_run(out, base, size),
    }
    too_many(out.len())?;
    Ok(true)
}

/// Adds a run, joined to the last one when they touch.
fn push_run(out: &mut Vec<(usize, usize)>, off: usize, len: usize) {
    if let Some(last) = out.last_mut()
        && last.0 + last.1 == off
    {
        last.1 += len;
        return;
    }
    if len > 0 {
        out.push((off, len));
    }
}

/// The size of a member or item type, from its shape.
pub(super) fn elem_size(s: &Shape) -> Result<usize> {
    Ok(match &s.kind {
        ShapeKind::Void => 0,
        ShapeKind::Bool => 1,
        ShapeKind::Int { bytes, .. } | ShapeKind::Float { bytes } => usize::from(*bytes),
        ShapeKind::Pointer { .. } | ShapeKind::Function(_) => size_of::<usize>(),
        ShapeKind::Array { elem, len } => elem_size(&elem())?
            .checked_mul(*len)
            .ok_or_else(|| Error::Overflow(format!("{} is too large", s.rust).into()))?,
        ShapeKind::Record(r) => r.size,
    })
}

fn too_many(n: usize) -> Result<()> {
    if n > MAX_RUNS {
        return Err(Error::Unsupported(
            format!(
                "a view of a type with more than {MAX_RUNS} separate bool members or padding gaps"
            )
            .into(),
        ));
    }
    Ok(())
}

//! Bulk values without `Value`s: C arrays made from Rust slices ([`Ffi::new_slice`]'s work) and
//! read into `Vec`s ([`Ffi::unpack_as`]'s work). Where the Rust item type is the C item type
//! (checked once), the items are copied as bytes; where both are numbers of different types,
//! each converts with cffi's rules (range-checked).
//!
//! [`Ffi::new_slice`]: crate::Ffi::new_slice
//! [`Ffi::unpack_as`]: crate::Ffi::unpack_as
//! The same as methods of an array cdata: [`CData::to_vec_as`] and [`CData::to_array`].
//!
//! # Safety
//!
//! Copies go through the cdata's region (bounds-checked, per-byte atomic where memory is
//! shared), but for the one copy into an array `new_slice` has just allocated: nothing else
//! can see that memory yet, so it is a plain `memcpy` after the bounds check. Bytes written from a Rust slice are only its items' initialized bytes (the runs
//! the shape lists: members, not padding); bytes read into a `Vec<T>` land in zeroed memory
//! of the vector's capacity, and the length is set only after every `bool` was checked to hold
//! 0 or 1 (every other type the check accepts takes any bytes). One of the runtime's modules
//! with `unsafe` code.

#![allow(unsafe_code)]

use crate::data::{CData, Value};
use crate::error::{Error, Result};
use crate::types::{Ffi, Repr, TypeRef};

use super::check::{Checker, Flow};
use super::shape::{NativeType, Shape, ShapeKind};
use super::view::{bool_runs, init_runs};

impl CData {
    /// The items of an array as a `Vec<T>`, without a [`Value`] per item: copied as bytes when
    /// the C item type is `T` (checked once; nested arrays as `[U; N]`, structs as their
    /// `#[derive(NativeType)]` type), converted one by one when both are numbers of other
    /// types (range-checked). A pointer has no length: [`Ffi::unpack_as`] reads `n` items of
    /// one.
    ///
    /// # Errors
    ///
    /// [`Error::Type`] for a cdata that is not an array (a pointer has no length),
    /// an item that does not convert to `T` ([`Error::Overflow`] out of range).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// let grid = ffi.new("int[2][3]", [[1, 2, 3], [4, 5, 6]])?;
    /// assert_eq!(grid.to_vec_as::<[i32; 3]>()?, [[1, 2, 3], [4, 5, 6]]);
    /// let row: [i64; 3] = grid.get(1)?.cdata()?.to_array()?; // converted
    /// assert_eq!(row, [4, 5, 6]);
    /// assert!(grid.to_array::<[i32; 3], 3>().is_err()); // it has 2 rows
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn to_vec_as<T: NativeType + Copy>(&self) -> Result<Vec<T>> {
        if !matches!(self.info().repr, Repr::Array { .. }) {
            return Err(Error::Type(
                format!(
                    "{} has no length: ffi.unpack_as(&p, n) reads n items of a pointer",
                    self.what()
                )
                .into(),
            ));
        }
        unpack_as(self, self.len()?)
    }

    /// The items of an array of exactly `N` items as a `[T; N]` (see [`CData::to_vec_as`]).
    ///
    /// # Errors
    ///
    /// As [`CData::to_vec_as`], and [`Error::Index`] when the array has not
    /// exactly `N` items.
    pub fn to_array<T: NativeType + Copy, const N: usize>(&self) -> Result<[T; N]> {
        let v = self.to_vec_as::<T>()?;
        let n = v.len();
        <[T; N]>::try_from(v)
            .map_err(|_| Error::Index(format!("{} has {n} items, not {N}", self.what()).into()))
    }
}

/// Whether C item type `elem` is Rust type `T` (the one-time check).
fn same_type<T: NativeType>(ffi: &Ffi, elem: TypeRef, shape: &Shape) -> bool {
    let id = elem.get(&ffi.inner).id;
    Checker::new(&ffi.inner.read())
        .same(id, shape, Flow::Both)
        .is_ok()
        && elem.get(&ffi.inner).size() == Some(size_of::<T>())
}

/// Whether a shape is a plain number (what converts item by item).
fn is_number(s: &Shape) -> bool {
    matches!(
        s.kind,
        ShapeKind::Int { .. } | ShapeKind::Float { .. } | ShapeKind::Bool
    )
}

/// The work of `ffi.new_slice(ty, items)`: an array (`T[]`, `T[N]`) or a pointer to one item
/// (`T *`) holding `items`.
pub(crate) fn new_slice<T: NativeType + Copy>(ffi: &Ffi, t: TypeRef, items: &[T]) -> Result<CData> {
    let info = t.get(&ffi.inner);
    let init = match &info.repr {
        Repr::Array { len: None, .. } => Value::Int(items.len() as i128),
        Repr::Array { len: Some(n), .. } if items.len() <= *n => Value::Void,
        Repr::Pointer { .. } if items.len() <= 1 => Value::Void,
        Repr::Array { len: Some(n), .. } => {
            return Err(Error::Index(
                format!("{} items for '{}', which holds {n}", items.len(), info.name).into(),
            ));
        }
        Repr::Pointer { .. } => {
            return Err(Error::Index(
                format!(
                    "{} items for '{}', which points to one: use '{}[]'",
                    items.len(),
                    info.name,
                    ffi.pointee(info)
                        .map_or("T".into(), |p| p.get(&ffi.inner).name.to_string())
                )
                .into(),
            ));
        }
        _ => {
            return Err(Error::Type(
                format!("new_slice makes arrays and pointers, not '{}'", info.name).into(),
            ));
        }
    };
    let c = ffi.new_value(t, &init)?;
    let elem = match &info.repr {
        Repr::Array { elem, .. } => *elem,
        _ => ffi
            .pointee(info)
            .ok_or_else(|| Error::Type(format!("'{}' points to nothing", info.name).into()))?,
    };
    let shape = T::shape();
    if same_type::<T>(ffi, elem, &shape) {
        let mut runs = Vec::new();
        let init_known = init_runs(&shape, 0, size_of::<T>(), &mut runs)?;
        if init_known && runs == [(0, size_of::<T>())] {
            // Every byte of every item is initialized: one copy, and a plain `memcpy` — the
            // memory was allocated just now and nothing else can see it yet (no clone of `c`,
            // no pointer handed to C), so no access can race with this one.
            let len = size_of_val(items);
            c.owner()
                .with_region(&|| c.what(), |r| r.check(c.addr(), len))?;
            // SAFETY: `len` bytes at `c.addr` are inside the new allocation (checked above) and
            // written by no one else (see above); the source is the slice's `len` initialized
            // bytes (no padding: the runs cover each item whole), which does not overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    items.as_ptr().cast::<u8>(),
                    c.addr() as *mut u8,
                    len,
                );
            }
            return Ok(c);
        }
        if init_known {
            let base = items.as_ptr().cast::<u8>();
            c.owner().with_region(&|| c.what(), |r| {
                for i in 0..items.len() {
                    let at = i * size_of::<T>();
                    for &(off, len) in &runs {
                        // SAFETY: `at + off .. + len` is inside item `i` and covers members
                        // only, whose bytes are initialized.
                        let part = unsafe { std::slice::from_raw_parts(base.add(at + off), len) };
                        r.write(c.addr() + at + off, part)?;
                    }
                }
                Ok(())
            })?;
            return Ok(c);
        }
        return Err(Error::Type(
            format!(
                "{} holds a union, whose unset bytes Rust does not know: fill '{}' item by item",
                shape.rust, info.name
            )
            .into(),
        ));
    }
    if !is_number(&shape) {
        return Err(mismatch(ffi, elem, &shape));
    }
    // Numbers of another type: each converts, range-checked, as `set` converts it.
    for (i, x) in items.iter().enumerate() {
        c.set(i as isize, number_value(x, &shape))
            .map_err(|e| e.context(format_args!("item {i}")))?;
    }
    Ok(c)
}

/// The work of `ffi.unpack_as::<T>(cdata, length)`: `length` items as a `Vec<T>`.
pub(crate) fn unpack_as<T: NativeType + Copy>(cdata: &CData, length: usize) -> Result<Vec<T>> {
    let ffi = cdata.ffi();
    let (elem, len) = crate::data::text::items_of(cdata, "unpack")?;
    if let Some(n) = len
        && length > n
    {
        return Err(Error::Index(
            format!(
                "unpack() of {length} items from {}, which has {n}",
                cdata.what()
            )
            .into(),
        ));
    }
    let shape = T::shape();
    if same_type::<T>(ffi, elem, &shape) {
        let nbytes = length.checked_mul(size_of::<T>()).ok_or_else(|| {
            Error::Overflow(format!("unpack() of {length} items is too large").into())
        })?;
        // The bounds first: a length past the memory is an error before anything is reserved.
        cdata
            .owner()
            .with_region(&|| cdata.what(), |r| r.check(cdata.addr(), nbytes))?;
        let mut v: Vec<T> = Vec::new();
        v.try_reserve_exact(length)
            .map_err(|_| Error::Memory(format!("out of memory unpacking {length} items").into()))?;
        // SAFETY: the capacity holds `length` items, `nbytes` bytes; zeroed, they are
        // initialized bytes, which the slice may cover.
        let bytes = unsafe {
            std::ptr::write_bytes(v.as_mut_ptr(), 0, length);
            std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u8>(), nbytes)
        };
        cdata
            .owner()
            .with_region(&|| cdata.what(), |r| r.read(cdata.addr(), bytes))?;
        let mut bools = Vec::new();
        bool_runs(&shape, 0, &mut bools)?;
        for i in 0..length {
            for &(off, count, stride) in &bools {
                for k in 0..count {
                    let b = bytes[i * size_of::<T>() + off + k * stride];
                    if b > 1 {
                        return Err(Error::Type(
                            format!(
                                "item {i} of {}: a _Bool holds {b}, not 0 or 1",
                                cdata.what()
                            )
                            .into(),
                        ));
                    }
                }
            }
        }
        // SAFETY: `length` items were written (read from C objects of T's type, checked) and
        // every bool holds 0 or 1: each is a valid T.
        unsafe { v.set_len(length) };
        return Ok(v);
    }
    if !is_number(&shape) {
        return Err(mismatch(ffi, elem, &shape));
    }
    let mut v = Vec::new();
    v.try_reserve_exact(length)
        .map_err(|_| Error::Memory(format!("out of memory unpacking {length} items").into()))?;
    for i in 0..length {
        let item = cdata.get(i as isize)?;
        v.push(number_from::<T>(&item, &shape).map_err(|e| e.context(format_args!("item {i}")))?);
    }
    Ok(v)
}

fn mismatch(ffi: &Ffi, elem: TypeRef, shape: &Shape) -> Error {
    Error::Type(
        format!(
            "the items are '{}', not {} (only numbers convert item by item)",
            elem.get(&ffi.inner).name,
            shape.rust
        )
        .into(),
    )
}

/// A number of Rust type `T` (its shape `s`) as a value.
fn number_value<T: NativeType + Copy>(x: &T, s: &Shape) -> Value {
    let mut b = [0u8; 16];
    let n = size_of::<T>().min(16);
    // SAFETY: a number's `n` bytes are initialized.
    unsafe { std::ptr::copy_nonoverlapping((x as *const T).cast::<u8>(), b.as_mut_ptr(), n) };
    match s.kind {
        ShapeKind::Float { bytes: 4 } => {
            Value::Float(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        }
        ShapeKind::Float { .. } => {
            Value::Float(f64::from_le_bytes(b[..8].try_into().expect("8 bytes")))
        }
        ShapeKind::Int { bytes, signed } => {
            let u = u128::from_le_bytes(b);
            let bits = u32::from(bytes) * 8;
            if !signed {
                Value::from(u)
            } else if bits < 128 && (u >> (bits - 1)) & 1 == 1 {
                Value::Int((u | (u128::MAX << bits)) as i128)
            } else {
                Value::Int(u as i128)
            }
        }
        _ => Value::Int(i128::from(b[0])),
    }
}

/// A value as a number of Rust type `T` (its shape `s`): integers range-checked, floats from
/// floats or integers.
fn number_from<T: NativeType + Copy>(v: &Value, s: &Shape) -> Result<T> {
    let mut b = [0u8; 16];
    match (s.kind.clone(), v) {
        (ShapeKind::Int { bytes, signed }, Value::Int(i)) => {
            let bits = u32::from(bytes) * 8;
            let fits = if bits >= 128 {
                signed || *i >= 0
            } else if signed {
                *i >= -(1i128 << (bits - 1)) && *i < (1i128 << (bits - 1))
            } else {
                *i >= 0 && *i < (1i128 << bits)
            };
            if !fits {
                return Err(Error::Overflow(
                    format!("{i} does not fit {}", s.rust).into(),
                ));
            }
            b = i.to_le_bytes();
        }
        (
            ShapeKind::Int {
                bytes: 16,
                signed: false,
            },
            Value::UInt(u),
        ) => b = u.to_le_bytes(),
        (ShapeKind::Int { .. }, Value::UInt(u)) => {
            return Err(Error::Overflow(
                format!("{u} does not fit {}", s.rust).into(),
            ));
        }
        (ShapeKind::Bool, Value::Int(i @ (0 | 1))) => b[0] = *i as u8,
        (ShapeKind::Float { bytes: 4 }, Value::Float(f)) => {
            b[..4].copy_from_slice(&(*f as f32).to_le_bytes())
        }
        (ShapeKind::Float { bytes: 4 }, Value::Int(i)) => {
            b[..4].copy_from_slice(&(*i as f32).to_le_bytes())
        }
        (ShapeKind::Float { .. }, Value::Float(f)) => b[..8].copy_from_slice(&f.to_le_bytes()),
        (ShapeKind::Float { .. }, Value::Int(i)) => {
            b[..8].copy_from_slice(&(*i as f64).to_le_bytes())
        }
        (_, other) => {
            return Err(Error::Type(
                format!("{other:?} is not a value of {}", s.rust).into(),
            ));
        }
    }
    // SAFETY: `b` holds a valid value of the number type T in its first size_of::<T>() bytes
    // (little-endian targets: x86-64 and AArch64).
    Ok(unsafe { std::mem::transmute_copy::<[u8; 16], T>(&b) })
}

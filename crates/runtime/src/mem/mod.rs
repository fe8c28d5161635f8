//! Raw memory: allocations rcffi owns, and every read and write of C memory.
//!
//! # Safety
//!
//! All loads and stores of C memory in rcffi go through a [`Region`]: a byte range that is valid
//! for reads (and, unless read-only, writes) for as long as the region's lifetime. Regions come
//! from three places:
//!
//! - an [`Allocation`] (memory rcffi allocated, zeroed and aligned, freed when the last `Arc`
//!   to it is dropped, or given back to a user's allocator then): the region borrows the
//!   allocation, so it cannot outlive it;
//! - a [`Vouched`] range, made only by the `unsafe fn`s [`CData::assume_valid`] and
//!   `Ffi::string_unchecked`, whose callers promise that the range stays valid;
//! - a [`Lent`] buffer (`from_buffer`): Rust bytes owned by the loan, or borrowed for a scope
//!   that ends the loan before the borrow ends (waiting for accesses in progress); read-only
//!   when lent from `&[u8]`;
//! - a [`Mapped`] range, made only by an `unsafe fn` whose caller promises the range valid for
//!   as long as its keeper lives (a library's global variable: the caller of `dlopen` vouched
//!   that the cdef matches the library, and the range keeps the library loaded).
//!
//! Every access checks that the bytes it touches lie inside the region, so no access through a
//! region can reach memory outside it; and every access is a relaxed atomic one (`bytes`), so
//! threads sharing C memory race only as C code would, never with undefined behaviour in Rust.
//! Small allocations keep their bytes inline in their shared block ([`Shared`]), inside an
//! `UnsafeCell`: their address is taken only once the block exists, and writes through it are
//! allowed while the allocation is shared. One of the runtime's modules with `unsafe` code
//! (`docs/unsafe.md` lists them).

#![allow(unsafe_code)]

mod bytes;
mod keep;
mod lent;
mod mapped;
mod shared;

pub(crate) use keep::{Home, KeepSet, bury};
pub(crate) use lent::{Lent, lend, lend_ref};
pub(crate) use mapped::{Keeper, Keeps, Mapped};
pub(crate) use shared::Shared;

use std::alloc::Layout;
use std::marker::PhantomData;
use std::ptr::NonNull;

use crate::cdata::CData;
use crate::error::{Error, Result};

/// Memory owned by rcffi: zeroed (unless a custom allocator says otherwise) and aligned.
pub(crate) struct Allocation {
    /// The memory, unless it is `inline`.
    ptr: NonNull<u8>,
    /// Small allocations live here, in the `Arc` that owns them: one heap block per `new`.
    inline: Inline,
    size: usize,
    /// How to give the memory back.
    free: Free,
    /// What the pointers stored in this memory keep alive.
    keep: KeepSet,
}

/// Bytes of a small allocation (at most [`INLINE`] bytes, aligned to at most 16), written
/// through raw pointers while shared references to the allocation exist: hence `UnsafeCell`.
#[repr(C, align(16))]
struct Inline(std::cell::UnsafeCell<[u8; INLINE]>);

/// The largest allocation kept inline.
const INLINE: usize = 64;

enum Free {
    /// The bytes are inline: nothing to free.
    Inline,
    /// Allocated by the global allocator with this layout.
    Global(Layout),
    /// Allocated by a user's allocator; this gives it back.
    Custom(Option<Box<dyn FnOnce(usize) + Send + Sync>>),
}

// SAFETY: the allocation is plain memory; all access to it goes through Regions whose
// bounds are checked, and concurrent access from several threads is the program's business as
// it is in C (each single load and store is of plain bytes). The pointer is only freed in Drop.
unsafe impl Send for Allocation {}
// SAFETY: as for Send.
unsafe impl Sync for Allocation {}

impl Allocation {
    /// An allocation of `size` bytes at `ptr`, given back by `free`.
    fn over(ptr: NonNull<u8>, size: usize, free: Free) -> Allocation {
        Allocation {
            ptr,
            inline: Inline(std::cell::UnsafeCell::new([0; INLINE])),
            size,
            free,
            keep: KeepSet::default(),
        }
    }

    /// New zeroed memory of `size` bytes aligned to `align` (a power of two), on the heap
    /// ([`Allocation::zeroed_shared`] keeps small ones inline in their shared block).
    pub(crate) fn zeroed(size: usize, align: usize) -> Result<Allocation> {
        let layout = Layout::from_size_align(size.max(1), align.max(1)).map_err(|_| {
            Error::Memory(format!("cannot allocate {size} bytes aligned to {align}"))
        })?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(ptr)
            .ok_or_else(|| Error::Memory(format!("out of memory allocating {size} bytes")))?;
        Ok(Allocation::over(ptr, size, Free::Global(layout)))
    }

    /// [`Allocation::zeroed`], already shared: a small allocation is built in place in its
    /// block (one heap block, no copy of the inline bytes).
    #[inline]
    pub(crate) fn zeroed_shared(size: usize, align: usize) -> Result<Shared> {
        if size > INLINE || align > 16 {
            return Ok(Shared::new(Allocation::zeroed(size, align)?));
        }
        // SAFETY: every field is written exactly once (all-zero bytes are a valid `Inline`).
        Ok(unsafe {
            Shared::new_in_place(|p| {
                std::ptr::addr_of_mut!((*p).ptr).write(NonNull::dangling());
                std::ptr::addr_of_mut!((*p).inline).write_bytes(0, 1);
                std::ptr::addr_of_mut!((*p).size).write(size);
                std::ptr::addr_of_mut!((*p).free).write(Free::Inline);
                std::ptr::addr_of_mut!((*p).keep).write(KeepSet::default());
            })
        })
    }

    /// Memory from a user's allocator (cffi's `new_allocator`).
    ///
    /// # Safety
    ///
    /// `addr` must be valid for reads and writes of `size` bytes, aligned for the type that
    /// will live there, until `free` is called (or forever if it is `None`).
    pub(crate) unsafe fn custom(
        addr: usize,
        size: usize,
        free: Option<Box<dyn FnOnce(usize) + Send + Sync>>,
        clear: bool,
    ) -> Result<Allocation> {
        let ptr = NonNull::new(addr as *mut u8)
            .ok_or_else(|| Error::Memory("alloc() returned NULL".into()))?;
        if clear {
            // SAFETY: the caller promises `size` writable bytes at `addr`.
            unsafe { std::ptr::write_bytes(ptr.as_ptr(), 0, size) };
        }
        Ok(Allocation::over(ptr, size, Free::Custom(free)))
    }

    /// Address of the first byte.
    #[inline]
    pub(crate) fn addr(&self) -> usize {
        match self.free {
            // Inline bytes move with the allocation: their address is taken where it lives
            // (in its `Arc`), never cached before.
            Free::Inline => self.inline.0.get() as usize,
            _ => self.ptr.as_ptr() as usize,
        }
    }

    /// Size in bytes.
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// The whole allocation as a region.
    #[inline]
    pub(crate) fn region(&self) -> Region<'_> {
        Region {
            base: self.addr(),
            len: self.size,
            access: Access::ReadWrite,
            _borrow: PhantomData,
        }
    }

    /// What the pointers stored in this memory keep alive.
    pub(crate) fn keep_set(&self) -> &KeepSet {
        &self.keep
    }
}

impl Drop for Allocation {
    fn drop(&mut self) {
        match &mut self.free {
            Free::Inline => {}
            // SAFETY: `ptr` came from `alloc_zeroed` with this layout and is freed once, here.
            Free::Global(layout) => unsafe { std::alloc::dealloc(self.ptr.as_ptr(), *layout) },
            Free::Custom(f) => {
                if let Some(f) = f.take() {
                    f(self.ptr.as_ptr() as usize);
                }
            }
        }
    }
}

impl std::fmt::Debug for Allocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Allocation({:#x}, {} bytes)", self.addr(), self.size)
    }
}

/// A byte range valid for reads and writes for the lifetime `'a`. See the module docs.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Region<'a> {
    base: usize,
    len: usize,
    /// Whether writes are allowed, and if not, why (for the error).
    access: Access,
    _borrow: PhantomData<&'a ()>,
}

/// What a region allows: reads and writes, or reads only, for one of these reasons.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    ReadWrite,
    /// Bytes lent from a `&[u8]` (`from_buffer`).
    LentShared,
    /// A library's `const` variable.
    Const,
    /// Memory vouched for as read-only: a C string read in place, a struct a callback
    /// receives by value.
    ReadOnlyView,
}

impl Access {
    /// `ReadWrite` if `writable`, else `read_only`.
    pub(crate) fn unless(writable: bool, read_only: Access) -> Access {
        if writable {
            Access::ReadWrite
        } else {
            read_only
        }
    }
}

impl<'a> Region<'a> {
    /// First address.
    pub(crate) fn base(&self) -> usize {
        self.base
    }

    /// Length in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Checks that `addr..addr + n` lies inside the region.
    #[inline]
    pub(crate) fn check(&self, addr: usize, n: usize) -> Result<()> {
        let ok = addr >= self.base
            && addr
                .checked_add(n)
                .is_some_and(|end| end <= self.base + self.len);
        if ok {
            Ok(())
        } else {
            Err(self.outside(addr, n))
        }
    }

    #[cold]
    #[inline(never)]
    fn outside(&self, addr: usize, n: usize) -> Error {
        Error::Index(format!(
            "access of {n} bytes at {addr:#x} is outside the {} bytes at {:#x} that this cdata may use",
            self.len, self.base
        ))
    }

    /// Copies `out.len()` bytes at `addr` into `out`.
    #[inline]
    pub(crate) fn read(&self, addr: usize, out: &mut [u8]) -> Result<()> {
        self.check(addr, out.len())?;
        // SAFETY: the range is inside the region (checked above), which is valid for reads,
        // and for writes unless the region is read-only (then nobody writes it: plain reads).
        unsafe {
            if self.access == Access::ReadWrite {
                bytes::load(addr, out);
            } else {
                bytes::load_unshared(addr, out);
            }
        }
        Ok(())
    }

    /// Reads the plain number of type `fast` at `addr`.
    #[inline(always)]
    pub(crate) fn load(&self, addr: usize, fast: crate::typeinfo::Fast) -> Result<crate::Value> {
        Ok(match self.load_number(addr, fast)? {
            Number::Int(i) => crate::Value::Int(i),
            Number::Float(x) => crate::Value::Float(x),
        })
    }

    /// Reads the plain number of type `fast` at `addr`, as a number.
    #[inline(always)]
    pub(crate) fn load_number(&self, addr: usize, fast: crate::typeinfo::Fast) -> Result<Number> {
        Ok(decode_bits(fast, self.load_bits(addr, fast)?))
    }

    /// Reads the plain number of type `fast` at `addr`: its bits, zero-extended to 64 (built
    /// in a register, so the caller's read of it never waits on byte stores).
    #[inline(always)]
    pub(crate) fn load_bits(&self, addr: usize, fast: crate::typeinfo::Fast) -> Result<u64> {
        let n = fast.size();
        self.check(addr, n)?;
        if self.access != Access::ReadWrite {
            return self.load_bits_read_only(addr, n);
        }
        // SAFETY: `n` bytes at `addr` are inside the region (checked above), which is valid
        // for reads and writes; each arm loads exactly `n` bytes.
        Ok(unsafe {
            match n {
                1 => u64::from(bytes::load_array::<1>(addr)[0]),
                2 => u64::from(u16::from_ne_bytes(bytes::load_array::<2>(addr))),
                4 => u64::from(u32::from_ne_bytes(bytes::load_array::<4>(addr))),
                _ => u64::from_ne_bytes(bytes::load_array::<8>(addr)),
            }
        })
    }

    #[inline(never)]
    fn load_bits_read_only(&self, addr: usize, n: usize) -> Result<u64> {
        let mut b = [0u8; 8];
        self.read(addr, &mut b[..n])?;
        Ok(bits_of(n, b))
    }

    /// Checks that the region may be written.
    #[inline]
    pub(crate) fn check_writable(&self) -> Result<()> {
        if self.access == Access::ReadWrite {
            Ok(())
        } else {
            Err(self.read_only())
        }
    }

    #[cold]
    #[inline(never)]
    fn read_only(&self) -> Error {
        let what = match self.access {
            Access::LentShared => "were lent read-only (from a &[u8])",
            Access::Const => "are a const variable of the library",
            Access::ReadWrite | Access::ReadOnlyView => "are read-only (vouched for as such)",
        };
        Error::Runtime(format!(
            "the {} bytes at {:#x} {what}; they cannot be written",
            self.len, self.base
        ))
    }

    /// Writes the plain number of type `fast` whose bits are `bits` (zero-extended, as
    /// [`Region::load_bits`] returns them) at `addr`.
    #[inline(always)]
    pub(crate) fn store_bits(
        &self,
        addr: usize,
        fast: crate::typeinfo::Fast,
        bits: u64,
    ) -> Result<()> {
        self.check_writable()?;
        let n = fast.size();
        self.check(addr, n)?;
        // SAFETY: `n` bytes at `addr` are inside the region (checked above), which is valid
        // for writes; each arm stores exactly `n` bytes.
        unsafe {
            match n {
                1 => bytes::store_array(addr, [bits as u8]),
                2 => bytes::store_array(addr, (bits as u16).to_ne_bytes()),
                4 => bytes::store_array(addr, (bits as u32).to_ne_bytes()),
                _ => bytes::store_array(addr, bits.to_ne_bytes()),
            }
        }
        Ok(())
    }

    /// Copies `bytes` to `addr`.
    #[inline]
    pub(crate) fn write(&self, addr: usize, bytes: &[u8]) -> Result<()> {
        self.check_writable()?;
        self.check(addr, bytes.len())?;
        // SAFETY: the range is inside the region (checked above), which is valid for writes.
        unsafe { bytes::store(addr, bytes) };
        Ok(())
    }

    /// Fills `n` bytes at `addr` with `byte`.
    pub(crate) fn fill(&self, addr: usize, n: usize, byte: u8) -> Result<()> {
        self.check_writable()?;
        self.check(addr, n)?;
        // SAFETY: inside the region, which is valid for writes.
        unsafe { bytes::fill(addr, n, byte) };
        Ok(())
    }

    /// The bytes at `addr..addr + n`, copied.
    pub(crate) fn bytes_at(&self, addr: usize, n: usize) -> Result<Vec<u8>> {
        let mut v = vec![0u8; n];
        self.read(addr, &mut v)?;
        Ok(v)
    }

    /// The `unit`-byte items at `addr` up to (not including) the first all-zero one, reading at
    /// most `max` bytes and never past the region's end: C's string, copied in one pass.
    pub(crate) fn read_c_string(&self, addr: usize, max: usize, unit: usize) -> Result<Vec<u8>> {
        self.check(addr, 0)?;
        let avail = self.base + self.len - addr;
        let n = max.min(avail) / unit;
        let mut out = Vec::with_capacity(n.min(64) * unit);
        let mut chunk = [0u8; 64];
        let per = chunk.len() / unit;
        let mut i = 0;
        while i < n {
            let k = per.min(n - i);
            let bytes = &mut chunk[..k * unit];
            self.read(addr + i * unit, bytes)?;
            match bytes
                .chunks_exact(unit)
                .position(|c| c.iter().all(|b| *b == 0))
            {
                Some(z) => {
                    out.extend_from_slice(&bytes[..z * unit]);
                    return Ok(out);
                }
                None => out.extend_from_slice(bytes),
            }
            i += k;
        }
        Ok(out)
    }
}

/// A plain number read from C memory.
#[derive(Copy, Clone, Debug)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

/// The number whose bits [`Region::load_bits`] read.
#[inline]
pub(crate) fn decode_bits(fast: crate::typeinfo::Fast, bits: u64) -> Number {
    use crate::typeinfo::Fast;
    match fast {
        Fast::I8 => Number::Int(i128::from(bits as u8 as i8)),
        Fast::I16 => Number::Int(i128::from(bits as u16 as i16)),
        Fast::I32 => Number::Int(i128::from(bits as u32 as i32)),
        Fast::I64 => Number::Int(i128::from(bits as i64)),
        Fast::U8 | Fast::U16 | Fast::U32 | Fast::U64 => Number::Int(i128::from(bits)),
        Fast::F32 => Number::Float(f64::from(f32::from_bits(bits as u32))),
        Fast::F64 => Number::Float(f64::from_bits(bits)),
    }
}

/// The bits of the `n`-byte number whose bytes lead `b`, zero-extended (as
/// [`Region::load_bits`] returns them).
#[inline]
fn bits_of(n: usize, b: [u8; 8]) -> u64 {
    match n {
        1 => u64::from(b[0]),
        2 => u64::from(u16::from_ne_bytes([b[0], b[1]])),
        4 => u64::from(u32::from_ne_bytes([b[0], b[1], b[2], b[3]])),
        _ => u64::from_ne_bytes(b),
    }
}

/// The value of a plain number's bytes.
#[inline]
pub(crate) fn decode_number(fast: crate::typeinfo::Fast, b: [u8; 8]) -> Number {
    decode_bits(fast, bits_of(fast.size(), b))
}

/// A byte range that an `unsafe` caller vouched for (`CData::assume_valid`). Only that
/// `unsafe fn` can make one.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Vouched {
    base: usize,
    len: usize,
    writable: bool,
}

impl Vouched {
    /// # Safety
    ///
    /// `base..base + len` must be valid for reads and writes for as long as this value (or a
    /// copy, or anything made from it) is used.
    pub(crate) unsafe fn new(base: usize, len: usize) -> Vouched {
        Vouched {
            base,
            len,
            writable: true,
        }
    }

    /// A range that may only be read.
    ///
    /// # Safety
    ///
    /// `base..base + len` must be valid for reads, and not written by anyone, for as long as
    /// this value (or a copy, or anything made from it) is used.
    pub(crate) unsafe fn read_only(base: usize, len: usize) -> Vouched {
        Vouched {
            base,
            len,
            writable: false,
        }
    }

    /// The vouched range as a region.
    pub(crate) fn region(&self) -> Region<'_> {
        Region {
            base: self.base,
            len: self.len,
            access: Access::unless(self.writable, Access::ReadOnlyView),
            _borrow: PhantomData,
        }
    }
}

/// The number of `unit`-byte items before the first all-zero item at `addr`, looking at
/// most `max` items (C's `strlen` for `unit` 1, `wcslen` for 2 or 4).
///
/// # Safety
///
/// The memory from `addr` up to and including the terminating zero item (or `max` items)
/// must be readable, and not written while this runs.
pub(crate) unsafe fn c_strlen(addr: usize, unit: usize, max: usize) -> usize {
    let mut n = 0;
    while n < max {
        let mut buf = [0u8; 8];
        // SAFETY: item `n` is at or before the terminator, which the caller promises readable
        // and not written meanwhile.
        unsafe { bytes::load_unshared(addr + n * unit, &mut buf[..unit]) };
        if buf[..unit].iter().all(|b| *b == 0) {
            break;
        }
        n += 1;
    }
    n
}

/// Copies `n` bytes from `src` (in `from`) to `dst` (in `to`); the ranges may overlap.
pub(crate) fn copy(
    to: &Region<'_>,
    dst: usize,
    from: &Region<'_>,
    src: usize,
    n: usize,
) -> Result<()> {
    to.check_writable()?;
    to.check(dst, n)?;
    from.check(src, n)?;
    // SAFETY: both ranges are inside regions valid for reads (source) and writes
    // (destination); `bytes::copy` allows overlap.
    unsafe { bytes::copy(dst, src, n) };
    Ok(())
}

impl CData {
    /// Vouches that this pointer addresses `count` valid items of its type (or, for an array or
    /// struct, that its own memory is valid), so that reads and writes through it are allowed
    /// and checked against those bounds.
    ///
    /// # Safety
    ///
    /// The memory must be valid for reads and writes of `count` items, and stay valid (not
    /// freed, not unmapped) for as long as the returned cdata or anything derived from it is
    /// used.
    ///
    /// ```
    /// # let ffi = rcffi_runtime::Ffi::default();
    /// let mut x = [1i32, 2, 3];
    /// let p = ffi.cast("int *", x.as_mut_ptr() as usize)?;
    /// assert!(p.get(0).is_err()); // rcffi does not know this memory
    /// let p = unsafe { p.assume_valid(3)? };
    /// assert_eq!(p.get(2)?, rcffi_runtime::Value::Int(3));
    /// assert!(p.get(3).is_err()); // but it knows the bounds it was given
    /// # Ok::<(), rcffi_runtime::Error>(())
    /// ```
    pub unsafe fn assume_valid(&self, count: usize) -> Result<CData> {
        let info = self.info();
        let (addr, size) = match &info.repr {
            crate::typeinfo::Repr::Pointer { .. } => {
                let target = self
                    .uni
                    .pointee(info)
                    .ok_or_else(|| Error::Type(format!("{} points to nothing", self.what())))?;
                let elem = target.get(&self.uni.inner);
                let size = elem.size().unwrap_or(1);
                (
                    self.addr,
                    size.checked_mul(count).ok_or_else(|| {
                        Error::Value(format!("{count} items of {} is too large", elem.name))
                    })?,
                )
            }
            crate::typeinfo::Repr::Array { .. } | crate::typeinfo::Repr::Record { .. } => {
                (self.addr, self.byte_size()?)
            }
            _ => {
                return Err(Error::Type(format!(
                    "{} is not a pointer, array or struct",
                    self.what()
                )));
            }
        };
        if addr == 0 {
            return Err(Error::NullPointer(format!(
                "cannot vouch for the NULL {}",
                self.what()
            )));
        }
        // SAFETY: the caller promises the memory is valid for `count` items while the cdata
        // is used (this function's contract).
        Ok(self.with_owner(crate::cdata::Owner::Vouched(unsafe {
            Vouched::new(addr, size)
        })))
    }
}

impl crate::universe::Ffi {
    /// [`Ffi::string`](crate::Ffi::string) of a pointer into memory rcffi knows nothing
    /// about — a `char *` C returned — reading up to the first NUL (or `maxlen` items).
    ///
    /// # Safety
    ///
    /// The pointer must point to readable items up to and including a NUL item, or to at
    /// least `maxlen` readable items, which nothing writes while this runs.
    ///
    /// ```
    /// let ffi = rcffi_runtime::Ffi::default();
    /// let text = std::ffi::CString::new("from C")?;
    /// let p = ffi.cast("char *", text.as_ptr() as usize)?;
    /// assert!(ffi.string(&p, None).is_err()); // foreign memory
    /// assert_eq!(unsafe { ffi.string_unchecked(&p, None)? }, b"from C".into());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub unsafe fn string_unchecked(
        &self,
        cdata: &CData,
        maxlen: Option<usize>,
    ) -> Result<crate::Value> {
        let unit = match cdata.pointee_info() {
            Some(t) if matches!(t.repr, crate::typeinfo::Repr::Int(_)) => t.size().unwrap_or(0),
            _ => 0,
        };
        if !matches!(unit, 1 | 2 | 4) || cdata.addr == 0 || cdata.owner.is_owning() {
            // Not a C string pointer, NULL, or memory rcffi knows: the checked path says why
            // or does the job.
            return self.string(cdata, maxlen);
        }
        let max = maxlen.unwrap_or(usize::MAX);
        // SAFETY: the caller promises readable items up to a NUL or `maxlen` items.
        let n = unsafe { c_strlen(cdata.addr, unit, max) };
        let count = if n < max { n + 1 } else { n };
        // SAFETY: as above, `count` items (the string and its NUL) are readable and not
        // written; they are only read, by the `string` call below, while the promise holds.
        let vouched = cdata.with_owner(crate::cdata::Owner::Vouched(unsafe {
            Vouched::read_only(cdata.addr, count * unit)
        }));
        self.string(&vouched, maxlen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_zeroed_aligned_and_bounded() {
        let a = Allocation::zeroed(24, 16).unwrap();
        assert_eq!(a.addr() % 16, 0);
        let r = a.region();
        assert_eq!(r.bytes_at(a.addr(), 24).unwrap(), vec![0; 24]);
        r.write(a.addr() + 20, &[1, 2, 3, 4]).unwrap();
        assert!(r.write(a.addr() + 21, &[1, 2, 3, 4]).is_err());
        assert!(r.read(a.addr() - 1, &mut [0]).is_err());
        assert!(r.check(usize::MAX, 2).is_err());
        let mut out = [0u8; 2];
        r.read(a.addr() + 22, &mut out).unwrap();
        assert_eq!(out, [3, 4]);
    }

    #[test]
    fn c_strings_stop_at_nul_maxlen_or_the_end() {
        let a = Allocation::zeroed(200, 2).unwrap();
        let r = a.region();
        let text: Vec<u8> = (1..=200u8).collect();
        r.write(a.addr(), &text).unwrap();
        assert_eq!(r.read_c_string(a.addr(), usize::MAX, 1).unwrap(), text);
        assert_eq!(
            r.read_c_string(a.addr() + 190, 5, 1).unwrap(),
            &text[190..195]
        );
        r.write(a.addr() + 130, &[0]).unwrap();
        assert_eq!(
            r.read_c_string(a.addr(), usize::MAX, 1).unwrap(),
            &text[..130]
        );
        // Two-byte units: a zero byte inside a unit does not end the string.
        r.write(a.addr() + 10, &[0, 7, 0, 0]).unwrap();
        assert_eq!(r.read_c_string(a.addr(), usize::MAX, 2).unwrap().len(), 12);
    }
}

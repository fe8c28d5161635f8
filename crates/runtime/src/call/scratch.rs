//! The memory a call's arguments live in while C runs: 16-byte slots for scalars and
//! pointers ([`Slot`]), and the call's temporaries — blocks of an area (on the stack, or a
//! heap buffer for the direct path's copies that do not fit there) handed out in order
//! ([`Blocks`]; text copied into them with a NUL after it, [`c_string_in`], numbers as they
//! are, [`copy_in`]), then heap blocks, and the cdata conversions made ([`Scratch`]).
//!
//! # Safety
//!
//! A block handed out by [`Blocks::take`] lies inside the area the blocks borrow for `'a`
//! (the index stays within its length) and is never handed out again, so writes to it alias
//! nothing; [`Scratch`]'s heap blocks are boxes whose memory does not move when the box does,
//! kept until the scratch is dropped at the end of the call. One of the runtime's modules
//! with `unsafe` code.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::marker::PhantomData;
use std::mem::MaybeUninit;

use crate::data::CData;

/// One argument's bytes: scalars and pointers are stored in place.
#[repr(C, align(16))]
#[derive(Copy, Clone)]
pub(super) struct Slot(pub(super) [u8; 16]);

pub(super) const ZERO: Slot = Slot([0; 16]);

/// Slots of the stack scratch area (strings, structs): 256 bytes.
pub(super) const SCRATCH_SLOTS: usize = 16;

/// Blocks of an area of 16-byte slots (on the stack, or a heap buffer), handed out in order
/// and never reused, valid while the area (borrowed for `'a`) lives: the temporaries of one
/// call.
pub(super) struct Blocks<'a> {
    /// The area's first slot; the only pointer blocks are derived from.
    base: *mut Slot,
    /// The area's length in slots.
    cap: usize,
    used: usize,
    _area: PhantomData<&'a mut [Slot]>,
}

impl<'a> Blocks<'a> {
    pub(super) fn new<const N: usize>(area: &'a mut MaybeUninit<[Slot; N]>) -> Blocks<'a> {
        Blocks {
            base: area.as_mut_ptr().cast(),
            cap: N,
            used: 0,
            _area: PhantomData,
        }
    }

    /// Blocks of `area`, uninitialized slots (a heap buffer's spare capacity).
    pub(super) fn over(area: &'a mut [MaybeUninit<Slot>]) -> Blocks<'a> {
        Blocks {
            base: area.as_mut_ptr().cast(),
            cap: area.len(),
            used: 0,
            _area: PhantomData,
        }
    }

    /// The slots a block of `n` bytes takes: 16 bytes each, at least one.
    #[inline(always)]
    pub(super) const fn slots_for(n: usize) -> usize {
        let slots = n.div_ceil(16);
        if slots == 0 { 1 } else { slots }
    }

    /// A block of at least `n` bytes, 16-byte aligned; `None` when the area is full.
    #[inline(always)]
    pub(super) fn take(&mut self, n: usize) -> Option<*mut u8> {
        let slots = Blocks::slots_for(n);
        if slots > self.cap - self.used {
            return None;
        }
        // SAFETY: `used + slots <= cap`, so the block lies inside the area `base` points to.
        let at = unsafe { self.base.add(self.used) };
        self.used += slots;
        Some(at.cast())
    }
}

/// The temporaries of one call: blocks of a stack area of `SCRATCH_SLOTS` slots, then heap
/// blocks. Heap blocks and temporary cdata, rarely needed, live behind one pointer so that a
/// call without them pays nothing to drop them.
pub(super) struct Scratch<'a> {
    pub(super) stack: Blocks<'a>,
    pub(super) spill: Option<Box<Spill>>,
}

/// What a call's temporaries keep on the heap.
#[derive(Default)]
pub(super) struct Spill {
    /// Blocks, when the stack area is full.
    blocks: Vec<Box<[Slot]>>,
    /// Temporary arrays and structs made by conversions.
    keep: Vec<CData>,
}

impl Scratch<'_> {
    fn spill(&mut self) -> &mut Spill {
        self.spill.get_or_insert_with(Box::default)
    }

    /// Keeps `c` alive until the call ends.
    pub(super) fn keep(&mut self, c: CData) {
        self.spill().keep.push(c);
    }

    /// A block of at least `n` bytes, 16-byte aligned, valid until the call ends.
    pub(super) fn alloc(&mut self, n: usize) -> *mut u8 {
        if let Some(p) = self.stack.take(n) {
            return p;
        }
        let mut b = vec![ZERO; n.div_ceil(16).max(1)].into_boxed_slice();
        let p = b.as_mut_ptr().cast();
        // The box's heap block does not move when the box does.
        self.spill().blocks.push(b);
        p
    }

    /// A NUL-terminated copy of `bytes`.
    pub(super) fn c_string(&mut self, bytes: &[u8]) -> *mut c_void {
        let p = self.alloc(bytes.len() + 1);
        // SAFETY: `p` is a fresh block of at least `len + 1` bytes; `bytes` is not in it.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            *p.add(bytes.len()) = 0;
        }
        p.cast()
    }
}

/// The address of a NUL-terminated copy of `bytes` in a fresh block of `blocks`; `None` when
/// the area is full.
#[inline(always)]
pub(super) fn c_string_in(blocks: &mut Blocks<'_>, bytes: &[u8]) -> Option<u64> {
    let at = blocks.take(bytes.len() + 1)?;
    // SAFETY: `at` is a fresh block of at least `len + 1` bytes of the stack area, which
    // `bytes` is not part of.
    unsafe {
        copy_short(bytes, at);
        *at.add(bytes.len()) = 0;
    }
    Some(at as u64)
}

/// The address of a copy of `bytes` in a fresh block of `blocks`; `None` when the area is
/// full.
#[inline(always)]
pub(super) fn copy_in(blocks: &mut Blocks<'_>, bytes: &[u8]) -> Option<u64> {
    let at = blocks.take(bytes.len())?;
    // SAFETY: `at` is a fresh block of at least `len` bytes of the area, which `bytes` is not
    // part of.
    unsafe { copy_short(bytes, at) };
    Some(at as u64)
}

/// The slots a NUL-terminated copy of `text` takes, as [`c_string_in`] takes them.
#[inline(always)]
pub(super) fn text_slots(text: &[u8]) -> usize {
    Blocks::slots_for(text.len().saturating_add(1))
}

/// Copies `src` to `dst`: short strings with a few overlapping loads and stores instead of a
/// call to `memcpy`.
///
/// # Safety
///
/// `dst` must be valid for `src.len()` bytes of writes and not overlap `src`.
#[inline(always)]
unsafe fn copy_short(src: &[u8], dst: *mut u8) {
    let n = src.len();
    let s = src.as_ptr();
    // SAFETY: every read is inside `src` (the two reads of a pair cover `0..n`, overlapping
    // when `n` is not twice their size) and every write inside `dst..dst + n`.
    unsafe {
        match n {
            0 => {}
            1..=3 => {
                *dst = *s;
                *dst.add(n / 2) = *s.add(n / 2);
                *dst.add(n - 1) = *s.add(n - 1);
            }
            4..=7 => {
                let (a, b) = (
                    s.cast::<u32>().read_unaligned(),
                    s.add(n - 4).cast::<u32>().read_unaligned(),
                );
                dst.cast::<u32>().write_unaligned(a);
                dst.add(n - 4).cast::<u32>().write_unaligned(b);
            }
            8..=16 => {
                let (a, b) = (
                    s.cast::<u64>().read_unaligned(),
                    s.add(n - 8).cast::<u64>().read_unaligned(),
                );
                dst.cast::<u64>().write_unaligned(a);
                dst.add(n - 8).cast::<u64>().write_unaligned(b);
            }
            _ => std::ptr::copy_nonoverlapping(s, dst, n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Blocks, Slot, c_string_in, copy_in};

    /// Copies into blocks of a heap area land one after another, each where its address says,
    /// until the area is full.
    #[test]
    fn copies_fill_a_heap_area_in_order() {
        let mut heap: Vec<Slot> = Vec::with_capacity(4);
        let mut blocks = Blocks::over(heap.spare_capacity_mut());
        let a: Vec<u8> = (1..=20).collect();
        let at_a = copy_in(&mut blocks, &a).unwrap();
        let at_b = c_string_in(&mut blocks, b"xyz").unwrap();
        let at_c = copy_in(&mut blocks, &[]).unwrap();
        assert_eq!(at_b - at_a, 32, "20 bytes take two slots");
        assert_eq!(at_c - at_b, 16);
        assert!(
            copy_in(&mut blocks, &[1]).is_none(),
            "the area has four slots"
        );
        // SAFETY: the blocks are inside `heap`'s buffer, written above and alive.
        unsafe {
            let read = |at: u64, n: usize| std::slice::from_raw_parts(at as *const u8, n).to_vec();
            assert_eq!(read(at_a, 20), a);
            assert_eq!(read(at_b, 4), b"xyz\0");
        }
    }

    #[test]
    fn short_copies_copy_every_length() {
        let src: Vec<u8> = (1..=40).collect();
        for n in 0..=40 {
            let mut dst = [0u8; 48];
            // SAFETY: `dst` has room for `n <= 40` bytes and does not overlap `src`.
            unsafe { super::copy_short(&src[..n], dst.as_mut_ptr()) };
            assert_eq!(&dst[..n], &src[..n], "length {n}");
            assert!(dst[n..].iter().all(|b| *b == 0), "length {n}");
        }
    }
}

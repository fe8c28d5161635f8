//! The memory a call's arguments live in while C runs: 16-byte slots for scalars and
//! pointers ([`Slot`]), and the call's temporaries — blocks of a stack area handed out
//! in order ([`StackBlocks`]), then heap blocks, and the cdata conversions made ([`Scratch`]).
//!
//! # Safety
//!
//! A block handed out by [`StackBlocks::take`] lies inside the area the blocks borrow for `'a`
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

/// Blocks of a stack area of 16-byte slots, handed out in order and never reused, valid while
/// the area (borrowed for `'a`) lives: the temporaries of one call.
pub(super) struct StackBlocks<'a> {
    /// The area's first slot; the only pointer blocks are derived from.
    base: *mut Slot,
    /// The area's length in slots.
    cap: usize,
    used: usize,
    _area: PhantomData<&'a mut [Slot]>,
}

impl<'a> StackBlocks<'a> {
    pub(super) fn new<const N: usize>(area: &'a mut MaybeUninit<[Slot; N]>) -> StackBlocks<'a> {
        StackBlocks {
            base: area.as_mut_ptr().cast(),
            cap: N,
            used: 0,
            _area: PhantomData,
        }
    }

    /// A block of at least `n` bytes, 16-byte aligned; `None` when the area is full.
    #[inline(always)]
    pub(super) fn take(&mut self, n: usize) -> Option<*mut u8> {
        let slots = n.div_ceil(16).max(1);
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
    pub(super) stack: StackBlocks<'a>,
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

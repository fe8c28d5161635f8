//! [`Region`]: a byte range that loads and stores of C memory go through, each checked against
//! it; [`Vouched`] ranges, which only an `unsafe` promise makes; C strings and copies. See the
//! `mem` module's safety notes.

use std::marker::PhantomData;
use std::mem::MaybeUninit;

use super::bytes;
use super::number::{Fast, Number, bits_of, decode_bits};
use crate::error::{Error, Result};

/// A byte range valid for reads and writes for the lifetime `'a`. See the module docs.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Region<'a> {
    pub(super) base: usize,
    pub(super) len: usize,
    /// Whether writes are allowed, and if not, why (for the error).
    pub(super) access: Access,
    pub(super) _borrow: PhantomData<&'a ()>,
}

/// What a region allows: reads and writes, or reads only, for one of these reasons.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum Access {
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
    pub(super) fn unless(writable: bool, read_only: Access) -> Access {
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
        ).into())
    }

    /// Copies `out.len()` bytes at `addr` into `out`.
    #[inline]
    pub(crate) fn read(&self, addr: usize, out: &mut [u8]) -> Result<()> {
        self.check(addr, out.len())?;
        // SAFETY: `out` is a Rust borrow, valid for its length's writes.
        unsafe { self.read_to(addr, out.as_mut_ptr(), out.len()) };
        Ok(())
    }

    /// Copies `out.len()` bytes at `addr` into `out`, which need not be initialized (and is,
    /// whole, when this returns `Ok`): the stack words a struct argument is copied into are
    /// not zeroed first (zeroes stored just before the copy made it wait for them).
    #[inline]
    pub(crate) fn read_uninit(&self, addr: usize, out: &mut [MaybeUninit<u8>]) -> Result<()> {
        self.check(addr, out.len())?;
        // SAFETY: `out` is a Rust borrow, valid for its length's writes (of any bytes).
        unsafe { self.read_to(addr, out.as_mut_ptr().cast(), out.len()) };
        Ok(())
    }

    /// Copies `n` bytes at `addr`, which the caller checked lie inside the region, to `out`.
    ///
    /// # Safety
    ///
    /// `out..out + n` must be valid for writes and private to the caller.
    #[inline]
    unsafe fn read_to(&self, addr: usize, out: *mut u8, n: usize) {
        // SAFETY: the range is inside the region (the caller checked), which is valid for
        // reads, and for writes unless the region is read-only (then nobody writes it: plain
        // reads); `out` is the caller's.
        unsafe {
            if self.access == Access::ReadWrite {
                bytes::load_to(addr, out, n);
            } else {
                std::ptr::copy_nonoverlapping(addr as *const u8, out, n);
            }
        }
    }

    /// Appends the `n` bytes at `addr` to `out`, without zeroing the new room first.
    pub(crate) fn read_append(&self, addr: usize, n: usize, out: &mut Vec<u8>) -> Result<()> {
        self.check(addr, n)?;
        out.try_reserve(n).map_err(|_| {
            Error::Memory(format!("cannot allocate {n} bytes to copy C memory into").into())
        })?;
        let len = out.len();
        // SAFETY: `try_reserve` made room for `n` more bytes past `len`, which `read_to` writes
        // in full before `set_len` counts them.
        unsafe {
            self.read_to(addr, out.as_mut_ptr().add(len), n);
            out.set_len(len + n);
        }
        Ok(())
    }

    /// Reads the plain number of type `fast` at `addr`, as a number.
    #[inline(always)]
    pub(crate) fn load_number(&self, addr: usize, fast: Fast) -> Result<Number> {
        Ok(decode_bits(fast, self.load_bits(addr, fast)?))
    }

    /// Reads the plain number of type `fast` at `addr`: its bits, zero-extended to 64 (built
    /// in a register, so the caller's read of it never waits on byte stores).
    #[inline(always)]
    pub(crate) fn load_bits(&self, addr: usize, fast: Fast) -> Result<u64> {
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

    /// Reads `n` (at most 8) bytes at `addr` as the low bytes of a little-endian word (an
    /// eightbyte of a struct argument), built in a register.
    #[inline(always)]
    pub(crate) fn load_le(&self, addr: usize, n: usize) -> Result<u64> {
        let n = n.min(8);
        self.check(addr, n)?;
        // SAFETY: `n` bytes at `addr` are inside the region (checked above), which is valid
        // for reads, and for writes unless it is read-only (then nobody writes it: plain
        // loads).
        Ok(unsafe {
            if self.access == Access::ReadWrite {
                bytes::load_le(addr, n)
            } else {
                bytes::load_le_unshared(addr, n)
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
        Error::Runtime(
            format!(
                "the {} bytes at {:#x} {what}; they cannot be written",
                self.len, self.base
            )
            .into(),
        )
    }

    /// Writes the plain number of type `fast` whose bits are `bits` (zero-extended, as
    /// [`Region::load_bits`] returns them) at `addr`.
    #[inline(always)]
    pub(crate) fn store_bits(&self, addr: usize, fast: Fast, bits: u64) -> Result<()> {
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
    #[inline(always)]
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
        let mut v = Vec::new();
        self.read_append(addr, n, &mut v)?;
        Ok(v)
    }

    /// The `unit`-byte items at `addr` up to (not including) the first all-zero one, reading at
    /// most `max` bytes and never past the region's end: C's string, copied in one pass.
    ///
    /// A `char` string's first 64 bytes are read a word at a time into a buffer on the stack,
    /// each word searched for the NUL in its register (`bytes::load_to_nul`): a string that
    /// ends there is the result with no allocation up to 16 bytes (held in place, as
    /// [`Bytes`](crate::Bytes) holds it) and one of its own length past that. Past them (and for
    /// wide characters), reads go straight into the result, in chunks that start at 4 KiB and
    /// grow fourfold up to 64 KiB (a chunk takes the rest when it is at most a quarter longer),
    /// so a string in an array of up to 5 KiB takes one read and one search, and a long one
    /// few; the search for the terminator runs on that private copy.
    pub(crate) fn read_c_string(
        &self,
        addr: usize,
        max: usize,
        unit: usize,
    ) -> Result<super::SmallBytes> {
        /// The bytes of a `char` string searched a word at a time before the chunks.
        const SHORT_STRING: usize = 64;
        self.check(addr, 0)?;
        let avail = self.base + self.len - addr;
        let total = max.min(avail) / unit * unit;
        let mut chunk = 4096;
        // A chunk reads the rest when the rest is at most a quarter longer (a 4 KiB string and
        // its NUL: one read, and no second allocation for the last byte).
        let first = |start: usize, chunk: usize| {
            let rest = total - start;
            if rest <= chunk + chunk / 4 {
                rest
            } else {
                chunk
            }
        };
        let mut out = Vec::new();
        if unit == 1 {
            // A `char` string's first bytes are read a word at a time, searched as they are
            // read: most strings end there, however long the array that holds them.
            let head = total.min(SHORT_STRING);
            let mut buf = [MaybeUninit::<u8>::uninit(); SHORT_STRING];
            // SAFETY: `head <= total` bytes from `addr` are inside the region (`total` is at
            // most what is left of it after `check`); `buf` has room for them (`head` is at most
            // its length) and is this function's own.
            let z = unsafe {
                let dst = buf.as_mut_ptr().cast::<u8>();
                if self.access == Access::ReadWrite {
                    bytes::load_to_nul(addr, dst, head)
                } else {
                    bytes::load_to_nul_unshared(addr, dst, head)
                }
            };
            let loaded = z.min(head);
            // SAFETY: `load_to_nul` wrote the first `z` bytes of `buf` (and `z <= head`), or all
            // `head` when it found no zero.
            let read = unsafe { std::slice::from_raw_parts(buf.as_ptr().cast::<u8>(), loaded) };
            if z < head || head == total {
                return Ok(super::SmallBytes::from_slice(read));
            }
            out.reserve_exact(first(0, chunk));
            out.extend_from_slice(read);
        } else {
            out.reserve_exact(first(0, chunk));
        }
        while out.len() < total {
            let start = out.len();
            let k = first(start, chunk);
            self.read_append(addr + start, k, &mut out)?;
            if let Some(z) = first_zero_item(&out[start..], unit) {
                out.truncate(start + z * unit);
                // (Wide units are decoded into text and dropped: no shrink for them.)
                if unit == 1 && out.len() < out.capacity() / 2 {
                    out.shrink_to_fit();
                }
                return Ok(super::SmallBytes::from_vec(out));
            }
            chunk = (chunk * 4).min(1 << 16);
        }
        Ok(super::SmallBytes::from_vec(out))
    }
}

/// The index of the first all-zero `unit`-byte item of `bytes` (whose length is a multiple of
/// `unit`); bytes are searched with C's vectorized `memchr` (`bytes` is a private Rust copy).
fn first_zero_item(bytes: &[u8], unit: usize) -> Option<usize> {
    if unit == 1 {
        if cfg!(miri) {
            return bytes.iter().position(|b| *b == 0);
        }
        // SAFETY: `memchr` reads at most `bytes.len()` bytes of the borrowed slice.
        let hit = unsafe { libc::memchr(bytes.as_ptr().cast(), 0, bytes.len()) };
        return (!hit.is_null()).then(|| hit as usize - bytes.as_ptr() as usize);
    }
    bytes
        .chunks_exact(unit)
        .position(|c| c.iter().all(|b| *b == 0))
}

/// A byte range that an `unsafe` caller vouched for (`CData::assume_valid`). Only that
/// `unsafe fn` can make one.
///
/// Its length is kept in 48 bits (256 TiB, more than any process maps), so that with its
/// flag it takes 16 bytes and leaves a niche: an [`Owner`](crate::mem::Owner) is two words.
///
/// In this order (`repr(C)`), its flag is its last byte, and so the tag byte of an owner and of
/// a `Value` holding a cdata: a caller copying out a value just made copies the words before it
/// whole, without a wide load across that byte's narrow store.
#[derive(Copy, Clone, Debug)]
#[repr(C)]
pub(crate) struct Vouched {
    base: usize,
    len_low: u32,
    len_high: u16,
    spare: u8,
    writable: bool,
}

impl Vouched {
    /// The longest range one can vouch for.
    const MAX: u64 = (1 << 48) - 1;

    /// # Safety
    ///
    /// `base..base + len` must be valid for reads and writes for as long as this value (or a
    /// copy, or anything made from it) is used.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when `len` is 2^48 bytes or more.
    pub(crate) unsafe fn new(base: usize, len: usize) -> Result<Vouched> {
        Vouched::make(base, len, true)
    }

    /// A range that may only be read.
    ///
    /// # Safety
    ///
    /// `base..base + len` must be valid for reads, and not written by anyone, for as long as
    /// this value (or a copy, or anything made from it) is used.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when `len` is 2^48 bytes or more.
    pub(crate) unsafe fn read_only(base: usize, len: usize) -> Result<Vouched> {
        Vouched::make(base, len, false)
    }

    fn make(base: usize, len: usize, writable: bool) -> Result<Vouched> {
        let n = len as u64;
        if n > Vouched::MAX {
            return Err(Error::Overflow(
                format!("cannot vouch for {len} bytes at {base:#x}: more than 2^48 - 1").into(),
            ));
        }
        Ok(Vouched {
            base,
            len_low: n as u32,
            len_high: (n >> 32) as u16,
            spare: 0,
            writable,
        })
    }

    /// The vouched range as a region.
    pub(crate) fn region(&self) -> Region<'_> {
        Region {
            base: self.base,
            len: (u64::from(self.len_high) << 32 | u64::from(self.len_low)) as usize,
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
    if unit == 1 && !cfg!(miri) {
        // SAFETY: `strnlen` reads up to the terminator or `max` bytes, which the caller
        // promises readable and not written meanwhile.
        return unsafe { libc::strnlen(addr as *const libc::c_char, max) };
    }
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

#[cfg(test)]
mod tests {
    use super::super::Allocation;

    #[test]
    fn c_strings_stop_at_nul_maxlen_or_the_end() {
        let a = Allocation::zeroed(200, 2).unwrap();
        let r = a.region();
        let text: Vec<u8> = (1..=200u8).collect();
        r.write(a.addr(), &text).unwrap();
        assert_eq!(r.read_c_string(a.addr(), usize::MAX, 1).unwrap()[..], text);
        assert_eq!(
            r.read_c_string(a.addr() + 190, 5, 1).unwrap()[..],
            text[190..195]
        );
        r.write(a.addr() + 130, &[0]).unwrap();
        assert_eq!(
            r.read_c_string(a.addr(), usize::MAX, 1).unwrap()[..],
            text[..130]
        );
        // Two-byte units: a zero byte inside a unit does not end the string.
        r.write(a.addr() + 10, &[0, 7, 0, 0]).unwrap();
        assert_eq!(r.read_c_string(a.addr(), usize::MAX, 2).unwrap().len(), 12);
    }

    /// A `char` string of every length up to 80, at every offset of a word, with its NUL or
    /// without one, read through a bound of every size up to 90 — in writable memory and in a
    /// read-only view of it — is exactly the bytes before the NUL (or the bound), and the
    /// result keeps no room beyond twice its length (and none allocated up to 16 bytes).
    #[test]
    fn c_strings_of_every_length_offset_and_bound_are_exact() {
        let a = Allocation::zeroed(192, 8).unwrap();
        let r = a.region();
        // SAFETY: the allocation's 192 bytes are valid for reads while `a` lives, and nothing
        // writes them while the view is used.
        let view = unsafe { super::Vouched::read_only(a.addr(), 192) }.unwrap();
        // Under Miri, byte by byte: two offsets and every third bound.
        let (offsets, step) = if cfg!(miri) { (2, 3) } else { (8, 1) };
        for off in 0..offsets {
            for len in 0..=80usize {
                // Bytes 1..=255 in turn (each nonzero, high bits set and not), then the NUL,
                // then nonzero bytes again.
                let mut data: Vec<u8> = (0..100).map(|i| ((i * 7 + len) % 255 + 1) as u8).collect();
                data[len] = 0;
                r.write(a.addr() + off, &data).unwrap();
                for region in [r, view.region()] {
                    for max in (0..=90).step_by(step) {
                        let got = region.read_c_string(a.addr() + off, max, 1).unwrap();
                        assert_eq!(
                            got[..],
                            data[..len.min(max)],
                            "off {off}, len {len}, max {max}"
                        );
                        assert!(
                            got.capacity() <= (2 * got.len()).max(64),
                            "{}",
                            got.capacity()
                        );
                        assert_eq!(got.spilled(), got.len() > 16, "in place up to 16 bytes");
                    }
                }
            }
        }
    }

    /// `load_le` of every length up to 8 at every offset is the little-endian word of the
    /// bytes `read` gives, in writable memory and in a read-only view of it; past the end, an
    /// error.
    #[test]
    fn words_built_in_a_register_are_the_bytes_read() {
        let a = Allocation::zeroed(24, 8).unwrap();
        let r = a.region();
        let data: Vec<u8> = (0..24u8).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
        r.write(a.addr(), &data).unwrap();
        // SAFETY: the allocation's 24 bytes are valid for reads while `a` lives, and nothing
        // writes them meanwhile.
        let view = unsafe { super::Vouched::read_only(a.addr(), 24) }.unwrap();
        for region in [r, view.region()] {
            for off in 0..=16 {
                for n in 0..=8 {
                    let mut b = [0u8; 8];
                    b[..n].copy_from_slice(&data[off..off + n]);
                    let got = region.load_le(a.addr() + off, n).unwrap();
                    assert_eq!(got, u64::from_le_bytes(b), "offset {off} length {n}");
                }
            }
            assert!(region.load_le(a.addr() + 17, 8).is_err());
            assert!(region.load_le(a.addr() - 1, 1).is_err());
        }
    }

    /// Strings ending on either side of each chunk's edge (4 KiB, its quarter more, 20 KiB,
    /// 84 KiB), or not at all, read up to their first zero item, bounded by `max` and the
    /// region.
    #[test]
    #[cfg_attr(miri, ignore = "hundreds of kilobytes, byte by byte under Miri")]
    fn c_strings_across_the_read_chunks() {
        let size = 90_000;
        let a = Allocation::zeroed(size, 2).unwrap();
        let r = a.region();
        r.fill(a.addr(), size, b'x').unwrap();
        let ends = [
            0, 1, 4095, 4096, 4097, 5119, 5120, 5121, 20479, 20480, 20481, 86015, 86016,
        ];
        for end in ends {
            // A NUL byte at `end`, and a zero unit of two bytes at the even offset below it.
            let even = end / 2 * 2;
            r.write(a.addr() + even, &[0, 0]).unwrap();
            r.write(a.addr() + end, &[0]).unwrap();
            for max in [usize::MAX, 4096, 5000, end, end + 1] {
                assert_eq!(
                    r.read_c_string(a.addr(), max, 1).unwrap().len(),
                    even.min(max),
                    "end {end}, max {max}"
                );
                assert_eq!(
                    r.read_c_string(a.addr(), max, 2).unwrap().len(),
                    even.min(max / 2 * 2),
                    "end {end}, max {max}"
                );
            }
            r.write(a.addr() + even, b"xx").unwrap();
            r.write(a.addr() + end, b"x").unwrap();
        }
        // No terminator: the whole region.
        assert_eq!(
            r.read_c_string(a.addr(), usize::MAX, 1).unwrap().len(),
            size
        );
    }
}

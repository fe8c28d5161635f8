//! The first floor: raw memory — allocations rcffi owns, every read and write of C memory, and
//! what memory keeps alive. Uses only `error`: nothing here knows C types.
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
//! - a [`Vouched`] range, made only by the `unsafe fn`s [`CData::assume_valid`](crate::CData::assume_valid) and
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
//! Small allocations keep their bytes right after their shared block's header ([`Shared`]),
//! in the same heap block of the exact size: their pointer is made from the block's raw
//! pointer, outside the header that references cover, so writes through it are allowed while
//! the allocation is shared; freed blocks of the small sizes are kept per thread for reuse
//! ([`recycle`]). Allocations of 56 bytes or fewer are compact blocks of 16, 32 or 64 bytes,
//! a count and the bytes, carved from chunks that say their size and hold their keep sets
//! ([`slab`]). Rust numbers lent to C for one call ([`InPlace`]: a `&mut [i32]` argument)
//! are not a region: C writes them while the call runs, and Rust code reads them only after
//! it returned, through the borrow they came from. One of the runtime's modules with `unsafe` code
//! (`docs/unsafe.md` lists them).

#![allow(unsafe_code)]

mod allocation;
mod body;
mod bytes;
mod count;
mod counted;
mod gate;
mod handles;
mod in_place;
mod keep;
mod kept;
mod lent;
mod mapped;
mod number;
mod owner;
mod recycle;
mod region;
mod running;
mod shared;
mod slab;

pub(crate) use allocation::Allocation;
pub(crate) use body::{Body, Len, Origin};
pub(crate) use counted::Counted;
pub(crate) use keep::Home;
pub(crate) use keep::{KeepSet, bury};

/// The lock of short critical sections over small tables (a keep set's owners, a
/// `gc`'s destructor slot), never held while C runs or an owner is dropped: the `spin` crate's,
/// taken with one compare-and-swap and released with one plain store (`std::sync::Mutex`
/// releases with a second atomic read-modify-write, ~4.5 ns here), yielding to the scheduler
/// while another thread holds it.
pub(crate) type ShortLock<T> = spin::mutex::SpinMutex<T, spin::relax::Yield>;
/// The guard of a [`ShortLock`].
pub(crate) type ShortGuard<'a, T> = spin::mutex::SpinMutexGuard<'a, T>;

/// How many bytes a [`SmallBytes`] holds in place.
pub(crate) const SMALL_BYTES: usize = 16;
/// Bytes held in place up to [`SMALL_BYTES`], past that in an allocation of their own, in
/// three words (smallvec's `union` layout): what a C string read gives
/// (`Region::read_c_string`), and what [`Bytes`](crate::Bytes) wraps.
pub(crate) type SmallBytes = smallvec::SmallVec<[u8; SMALL_BYTES]>;
pub use handles::Handled;
pub(crate) use handles::{Handle, live_handle};
pub use in_place::InPlace;
pub(crate) use in_place::addr_mut;
pub(crate) use lent::{Lent, lend, lend_ref};
pub(crate) use mapped::{Keeper, Keeps, Mapped};
pub(crate) use number::{Fast, Number, Plain, bytes_of, decode_number};
pub(crate) use owner::{Code, Finalizer, Owner, OwnerRef};
use region::Access;
pub(crate) use region::{Region, Vouched, c_strlen, copy};
pub(crate) use running::{let_go, running};
pub(crate) use shared::Shared;

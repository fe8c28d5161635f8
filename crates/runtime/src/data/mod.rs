//! The third floor: C data and cffi's rules. [`CData`] (a value or a view of C memory, with the
//! memory it may touch) and [`Value`] (what Python objects are to cffi; Rust values out of one in
//! [`value_out`]); conversions between
//! them in one place ([`convert`], [`scalar`], [`varsize`]); reads and writes of items and
//! members ([`access`]), pointer arithmetic and slices ([`arith`]), a primitive's number
//! ([`primitive`]); making cdata ([`new`], [`cast`],
//! [`allocator`]); strings, unpacking and byte views ([`text`], [`buffer`]); `gc`, handles and
//! `release` ([`lifetime`]); cffi's reprs and comparisons ([`repr`]); and the two `unsafe fn`s
//! that vouch for memory rcffi does not know ([`vouch`]).
//!
//! Uses `base`, `mem` and `types`. No unsafe code but in `vouch` and `allocator`, which take a
//! caller's promise about memory and say so.

pub(crate) mod access;
pub(crate) mod address;
mod allocator;
pub(crate) mod arith;
mod bitfield;
pub(crate) mod buffer;
mod bytes;
pub(crate) mod cast;
pub(crate) mod cdata;
pub(crate) mod convert;
mod index;
pub(crate) mod lifetime;
pub(crate) mod new;
pub(crate) mod numbers;
pub(crate) mod out;
mod primitive;
pub(crate) mod repr;
pub(crate) mod scalar;
pub(crate) mod text;
pub(crate) mod value;
mod value_out;
mod varsize;
pub(crate) mod vouch;

pub use allocator::Allocator;
pub use buffer::Buffer;
pub use bytes::Bytes;
pub use cdata::CData;
use cdata::GcBox;
pub(crate) use cdata::Origin;
use cdata::object_size;
pub use index::ItemIndex;
pub(crate) use lifetime::{adopt_among, owner_among};
pub use numbers::Numbers;
pub(crate) use value::encode_fast;
pub use value::{Scalar, Value};
pub use value_out::AsCData;

//! The keep sets of the compact blocks ([`slab`](super::slab)), which have no room for one:
//! kept aside, by the block's address, from the first pointer to owned memory stored in the
//! block until the block is freed. The block's chunk says in one bit whether it has one, so
//! blocks without (nearly all) never look here.

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::LazyLock;

use super::{KeepSet, ShortLock};

/// Tables, chosen by address, so that threads keeping pointers in different blocks seldom
/// take the same lock.
const SHARDS: usize = 16;

type Table = ShortLock<HashMap<usize, Box<KeepSet>>>;

static TABLES: LazyLock<[Table; SHARDS]> = LazyLock::new(Default::default);

/// The table of the block at `addr` (16-aligned: its low bits say nothing).
fn table(addr: usize) -> &'static Table {
    &TABLES[(addr >> 4) % SHARDS]
}

/// The keep set of the block at `addr`, if it has one. Its box lives until [`take`] takes it.
pub(super) fn find(addr: usize) -> Option<NonNull<KeepSet>> {
    table(addr).lock().get(&addr).map(|s| NonNull::from(&**s))
}

/// The keep set of the block at `addr`, made empty if it had none. Its box lives until
/// [`take`] takes it.
pub(super) fn find_or_make(addr: usize) -> NonNull<KeepSet> {
    let mut t = table(addr).lock();
    NonNull::from(&**t.entry(addr).or_default())
}

/// The keep set of the block at `addr`, taken out (the block is being freed). The caller drops
/// it after the lock is let go: dropping it drops what it kept, which may free other blocks.
pub(super) fn take(addr: usize) -> Option<Box<KeepSet>> {
    table(addr).lock().remove(&addr)
}

//! The ground floor: what every floor above uses and that uses nothing of rcffi's but its
//! errors — checked address arithmetic ([`addr`]), the number formats C has and Rust lacks
//! ([`floats`]: x87 and binary128 `long double`, binary16; [`longdouble`]: such a value held
//! exactly), exact comparisons of integers with floats ([`exact`]), the per-thread cache
//! of recent lookups by name ([`lookup_cache`]), panics caught where they may not go on
//! ([`panics`]), and a number for the running thread that is there to its very end
//! ([`thread_tag`]). No unsafe code.

pub(crate) mod addr;
pub(crate) mod exact;
pub(crate) mod floats;
pub(crate) mod longdouble;
pub(crate) mod lookup_cache;
pub(crate) mod panics;
pub(crate) mod thread_tag;

//! The sixth floor: calls into C — argument lists ([`args`], each Rust type's conversion in
//! [`into_arg`]), the call itself with errno around
//! it ([`invoke`]: through libffi, or [`native`]: straight through the registers), the memory
//! arguments live in meanwhile ([`scratch`]) and the stack a big call walks first ([`probe`]),
//! what a call hands back into its arguments' memory ([`adopt`]), lists of values on the
//! register path ([`values`]), and function handles ([`function`]).
//!
//! Uses every floor below: `base`, `mem`, `types`, `data`, `abi` and `callback` (a closure
//! passed as an argument becomes a callback for the call). Unsafe code in `invoke`, `native`,
//! `register_path`, `finish`, `values`, `scratch` and `function`: the jump into C, the memory
//! it is given, and the promise it needs.

pub(crate) mod adopt;
pub(crate) mod args;
pub(crate) mod finish;
pub(crate) mod function;
mod into_arg;
pub(crate) mod invoke;
pub(crate) mod native;
mod null;
mod plain;
mod plain_arg;
pub(crate) mod probe;
mod register_path;
mod scalar_words;
mod scratch;
mod values;
pub(crate) mod variadic;
mod wide;

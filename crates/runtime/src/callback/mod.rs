//! The fifth floor: callbacks, Rust closures as C function pointers (cffi's `ffi.callback`) —
//! what a closure returns and what happens when it fails ([`result`]), the arguments C passes
//! ([`args`]), the callback's box and the libffi closures that call it ([`closure`](mod@closure)), and the
//! register trampolines C enters instead when every argument arrives in a register
//! ([`entry`]), a failure handed to the Rust call running when it happened ([`pending`]), and
//! the memory of running calls, which pointer arguments into it are views of ([`running`]);
//! closures bound to their thread ([`local`]).
//!
//! Uses `base`, `mem`, `types`, `data` and `abi` (the function type's plan and register
//! assignment, errno). Unsafe code in `args`, `closure`, `entry`, `local` and `scoped`, each
//! opening with the invariant it keeps.

pub(crate) mod args;
pub(crate) mod closure;
pub(crate) mod entry;
pub(crate) mod local;
pub(crate) mod pending;
pub(crate) mod result;
pub(crate) mod running;
pub(crate) mod scoped;

pub use args::CallbackArgs;
pub(crate) use result::Body;
pub use result::{CallbackOptions, CallbackResult, OnError, Ret};
pub use scoped::{Closure, closure, closure_mut};

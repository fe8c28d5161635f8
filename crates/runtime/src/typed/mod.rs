//! The seventh floor: typed access — Rust types checked once against the cdef, then used at
//! native speed. [`shape`] says what a Rust type is as C sees it ([`NativeType`],
//! [`NativeFn`]); [`check`] compares that with the cdef and names every difference; [`func`]
//! makes C functions into Rust function pointers ([`TypedFn`]); [`args`] calls a handle with
//! Rust arguments ([`NativeArgs`], `Function::call_as`); [`callback`] makes Rust
//! closures into C function pointers ([`TypedCallback`]) through trampolines compiled per
//! signature.
//!
//! Uses `types`, `data` (a typed handle holds the cdata of its function pointer, whose owner
//! keeps the code alive), `abi` (errno, and the libffi interface of the callbacks past the
//! trampolines) and `callback` (panic payloads). Unsafe code in `shape` (the trait's
//! promise), `func` and `args` (an address becoming a function pointer) and `callback` (the trampolines).

pub(crate) mod args;
pub(crate) mod bulk;
pub(crate) mod callback;
pub(crate) mod check;
pub(crate) mod func;
pub(crate) mod shape;
pub(crate) mod view;

pub use args::NativeArgs;
pub use callback::{IntoCallback, TypedCallback};
pub use func::TypedFn;
pub use shape::{
    FieldShape, FnShape, ForeignFn, NativeFn, NativeType, RecordShape, Shape, ShapeKind,
};
pub use view::View;

//! # rcffi-runtime: the `ffi` object, C data, libraries, calls and callbacks
//!
//! The part of rcffi that touches memory and foreign code: [`Ffi`] (cffi's `ffi` object),
//! [`CData`] (C values and views of C memory, with their ownership rules), [`Value`] (what
//! Python objects are to cffi), conversions between them with cffi's rules, [`Lib`] (a loaded
//! library), calls through libffi ([`Function`], [`CData::call`]) and callbacks
//! ([`Ffi::callback`]).
//!
//! The source is a house with floors, each folder using only those below it
//! (`docs/architecture.md` draws it, and a test keeps it): `base` (checked address arithmetic, number formats), `mem`
//! (raw memory and ownership), `types` (realized types and the `Ffi` handle), `data` (C values
//! and cffi's rules), `abi` (call plans, libffi interfaces, registers, errno), `callback`
//! (closures as C function pointers), `call` (calls into C), `typed` (Rust types checked once
//! against the cdef: typed functions, callbacks and views), `library` (dlopen and symbols), and
//! on top `ffi`, where the public methods of [`Ffi`] live in the order a user meets them. It is
//! the only crate of the workspace with `unsafe` code, fenced into named files that each state
//! the invariant they keep (`docs/unsafe.md` lists them).
//!
//! Most programs use the `rcffi` crate, which re-exports all of this.
//!
//! ```
//! # use rcffi_runtime as rcffi;
//! use rcffi::{Ffi, map};
//! let ffi = Ffi::default();
//! ffi.cdef("struct pt { int x, y; };")?;
//! let p = ffi.new("struct pt *", map! { "x" => 1, "y" => 2 })?;
//! p.set_field("y", p.field("y")?.to_int()? * 10)?;
//! assert_eq!(p.field("y")?, 20.into());
//! assert_eq!(format!("{p:?}"), "<cdata 'struct pt *' owning 8 bytes>");
//! # Ok::<(), rcffi::Error>(())
//! ```

#![deny(unsafe_code)]
#![deny(missing_docs)]

pub use rcffi_cdef;

mod abi;
mod base;
mod call;
mod callback;
mod data;
mod error;
mod ffi;
mod library;
mod mem;
mod typed;
mod types;

pub use base::longdouble::{LongDouble, LongDoubleFormat};
pub use call::args::{Arg, Args, IntoArg, NULL, Null};
pub use call::function::Function;
pub use callback::{
    CallbackArgs, CallbackOptions, CallbackResult, Closure, OnError, Ret, closure, closure_mut,
};
pub use data::{Allocator, AsCData, Buffer, Bytes, CData, ItemIndex, Numbers, Scalar, Value};
pub use error::{Error, Result};
pub use ffi::TypeList;
pub use library::{Bindings, BindingsLoader, Lib, SymbolProblem};
pub use mem::{Handled, InPlace};
pub use typed::{
    FieldShape, FnShape, ForeignFn, IntoCallback, NativeArgs, NativeFn, NativeType, RecordShape,
    Shape, ShapeKind, TypedCallback, TypedFn, View,
};
pub use types::Ffi;
pub use types::TypeSpec;
pub use types::{CField, CType, Kind};

#[cfg(test)]
mod tests {
    #[test]
    fn public_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::Ffi>();
        check::<crate::CData>();
        check::<crate::CType>();
        check::<crate::Value>();
        check::<crate::Buffer>();
        check::<crate::Allocator>();
        check::<crate::Error>();
        check::<crate::Lib>();
        check::<crate::Function>();
        check::<crate::Closure<'static>>();
        check::<crate::CallbackOptions>();
    }
}

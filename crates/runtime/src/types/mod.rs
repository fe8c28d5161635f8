//! The second floor: types. What an `ffi` object knows of C types at run time — its registry
//! (behind a snapshot handle), the arena of *realized* types built from it once each
//! ([`arena`]: `Ffi`, `TypeRef`; [`realized`]: `TypeInfo`, `Repr`), the counted references by
//! which cdata and ctypes keep their `ffi` object alive ([`refs`]), cffi's `CType` with its
//! introspection ([`ctype`]), and what names a type ([`spec`]: `TypeSpec`, member paths).
//!
//! Uses `base` and `mem` (the `Fast` number kinds). Unsafe code only in `arena` (the arena's
//! pointers) and `refs` (the per-thread counts); each opens with the invariant it keeps.

pub(crate) mod arena;
pub(crate) mod ctype;
pub(crate) mod realized;
pub(crate) mod refs;
pub(crate) mod spec;

pub use arena::Ffi;
pub(crate) use arena::{TypeRef, UniInner, unknown_size};
pub use ctype::{CField, CType, Kind};
pub(crate) use realized::{
    FieldRt, IntKind, IntRole, PlanSlot, RecordBody, Repr, TypeInfo, fast_of, name_key,
};
pub(crate) use refs::{Held, Holds, flush};
pub use spec::TypeSpec;
pub(crate) use spec::{parse_path, path_error};

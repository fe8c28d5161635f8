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
mod realized;
mod refs;
mod spec;

pub use arena::Ffi;
pub(crate) use arena::UniInner;
pub(crate) use arena::{Promoted, TypeRef, unknown_size};
pub use ctype::{CField, CType, Kind};
use realized::fast_of;
use realized::name_key;
pub(crate) use realized::{FieldRt, IntKind, IntRole, PlanSlot, RecordBody, Repr, TypeInfo};
use refs::Holds;
use refs::flush;
pub(crate) use refs::{Held, HeldType};
pub use spec::TypeSpec;
pub(crate) use spec::{parse_path, path_error};

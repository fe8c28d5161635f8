//! The top floor: the `ffi` object's public methods, gathered in the order a user meets them.
//! Each is a few lines that hand the work to the floor that does it.
//!
//! - [`first`]: the five a first program uses — `cdef`, `dlopen`, `new`, `cast`, `string`;
//! - [`declare`]: making an `ffi` object, `cdef_with`, and what declarations tell before any
//!   library is loaded (`typeof_`, `sizeof`, `offsetof`, `list_types`, integer constants);
//! - [`open`]: `dlopen`'s flags, `dlclose`, `errno`;
//! - [`make`]: `new_typed`, `new_slice`, `NULL`, `addressof`, user allocators;
//! - [`read`]: `string_unchecked` and `unpack`;
//! - [`bytes`]: byte views (`buffer`), Rust bytes lent to C (`from_buffer`), `memmove`;
//! - [`callback`]: Rust closures as C function pointers;
//! - [`lifetime`]: `gc`, `release`, handles.
//!
//! May use every floor below (the [`Ffi`](crate::Ffi) handle itself is the `types` floor's:
//! every floor takes it). Nothing below imports this floor. The only `unsafe` here passes a
//! caller's promise on, unchanged, to the `unsafe fn` below that states it (`dlopen`,
//! `new_allocator`, `string_unchecked`).

// In the order a user meets them, which is the order of `Ffi`'s methods in its docs (one
// group each, so that rustfmt keeps the order).
mod first;

mod declare;

mod open;

mod make;

mod read;

mod bytes;

mod callback;

mod lifetime;

pub use declare::TypeList;

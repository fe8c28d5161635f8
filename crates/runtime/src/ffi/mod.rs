//! The top floor: the `ffi` object's public methods, gathered in the order a user meets them.
//! Each is a few lines that hand the work to the floor that does it.
//!
//! - [`declare`]: making an `ffi` object, `cdef`, and what declarations tell before any
//!   library is loaded (`typeof_`, `sizeof`, `offsetof`, `list_types`, integer constants);
//! - [`open`]: `dlopen` and its flags, `dlclose`, `errno`;
//! - [`make`]: `new`, `cast`, `NULL`, `addressof`, user allocators;
//! - [`read`]: `string` and `unpack`;
//! - [`bytes`]: byte views (`buffer`), Rust bytes lent to C (`from_buffer`), `memmove`;
//! - [`callback`]: Rust closures as C function pointers;
//! - [`lifetime`]: `gc`, `release`, handles.
//!
//! May use every floor below (the [`Ffi`](crate::Ffi) handle itself is the `types` floor's:
//! every floor takes it). Nothing below imports this floor. The only `unsafe` here passes a
//! caller's promise on, unchanged, to the `unsafe fn` below that states it (`dlopen`,
//! `new_allocator`, `string_unchecked`).

mod bytes;
mod callback;
mod declare;
mod lifetime;
mod make;
mod open;
mod read;

pub use declare::TypeList;

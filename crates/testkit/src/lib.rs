//! # rcffi-testkit: how rcffi is checked
//!
//! Test support shared by the workspace's test suites (not published):
//!
//! - [`grammar`]: the golden files of `grammar-tests/` (cdef text in, registry dump out);
//! - [`oracle`]: gcc as the judge of layouts — a registry becomes a C probe of `_Static_assert`s
//!   and bitfield initializers, compiled with `gcc -S`;
//! - [`generate`]: seeded generators of random records (structs, unions, bitfields, packing,
//!   alignment, enums) for the oracle;
//! - [`headers`]: real system headers preprocessed with `gcc -E`;
//! - [`fixture`]: the C libraries of the call tests, built with gcc;
//! - [`bench`](mod@bench): timing helpers of the side-by-side benchmark programs;
//! - [`callgen`]: seeded random signatures with graffiti values, checked through a generated
//!   library.

// Test support: its functions fail by panicking tests, so their errors are not documented.
#![allow(clippy::missing_errors_doc)]

pub mod bench;
pub mod callgen;
pub mod fixture;
pub mod generate;
pub mod grammar;
pub mod headers;
pub mod macros;
pub mod oracle;

//! The one error type of rcffi, matchable by kind like cffi's exceptions.

use rcffi_cdef::{CdefError, LayoutError};

/// An rcffi error. Variants correspond to the exceptions cffi raises for the same mistake
/// (named in each variant's docs), so a program can tell them apart.
///
/// ```
/// let ffi = rcffi::Ffi::new();
/// match ffi.sizeof("struct nope") {
///     Err(rcffi::Error::Layout(e)) => assert_eq!(e.to_string(), "ctype 'struct nope' is of unknown size"),
///     other => panic!("{other:?}"),
/// }
/// ```
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad cdef text or type string, with its line and column (cffi: `CDefError`,
    /// `FFIError`).
    #[error("{0}")]
    CDef(#[from] CdefError),
    /// A type that cannot be used this way (cffi: `TypeError`).
    #[error("{0}")]
    Type(String),
    /// A type whose size or layout is unknown (cffi: `ValueError: ctype 'struct s' is of unknown
    /// size`, `VerificationMissing`).
    #[error("{0}")]
    Layout(#[from] LayoutError),
    /// A name that is not declared: a member, a constant (cffi: `KeyError`, `AttributeError`).
    #[error("{0}")]
    Key(String),
    /// A bad argument value (cffi: `ValueError`).
    #[error("{0}")]
    Value(String),
}

/// `Result` with rcffi's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

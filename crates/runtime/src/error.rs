//! The one error type of rcffi, matchable by kind like cffi's exceptions.

use rcffi_cdef::{CdefError, LayoutError};

/// An rcffi error. Variants correspond to the exceptions cffi raises for the same mistake
/// (named in each variant's docs), so a program can tell them apart; messages name the types
/// and values involved.
///
/// ```
/// let ffi = rcffi_runtime::Ffi::default();
/// let err = ffi.sizeof("struct nope").unwrap_err();
/// assert!(matches!(err, rcffi_runtime::Error::Layout(_)));
/// assert_eq!(err.to_string(), "ctype 'struct nope' is of unknown size");
/// ```
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad cdef text or type string, with its line and column (cffi: `CDefError`,
    /// `FFIError`).
    #[error("{0}")]
    CDef(#[from] CdefError),
    /// A type or value that cannot be used this way (cffi: `TypeError`).
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
    /// A number that does not fit the C type (cffi: `OverflowError`).
    #[error("{0}")]
    Overflow(String),
    /// An index or length out of bounds (cffi: `IndexError`).
    #[error("{0}")]
    Index(String),
    /// A NULL pointer where memory is needed (cffi: `RuntimeError: cannot dereference null
    /// pointer`).
    #[error("{0}")]
    NullPointer(String),
    /// Memory that rcffi cannot vouch for: a pointer C handed back, or an integer cast to a
    /// pointer. Access it after `unsafe { p.assume_valid(n) }` (cffi segfaults or corrupts the
    /// heap here).
    #[error("{0}")]
    Unchecked(String),
    /// Valid C that rcffi does not support here (cffi: `NotImplementedError`).
    #[error("{0}")]
    Unsupported(String),
    /// Memory could not be allocated (cffi: `MemoryError`).
    #[error("{0}")]
    Memory(String),
    /// A released or foreign handle, or another misuse of a runtime object (cffi:
    /// `RuntimeError`, `ValueError`).
    #[error("{0}")]
    Runtime(String),
}

/// `Result` with rcffi's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

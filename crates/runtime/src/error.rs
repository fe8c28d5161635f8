//! The one error type of rcffi, matchable by kind like cffi's exceptions.

use rcffi_cdef::{CdefError, LayoutError};

/// An rcffi error. Variants correspond to the exceptions cffi raises for the same mistake
/// (named in each variant's docs), so a program can tell them apart; messages name the types
/// and values involved.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let err = ffi.sizeof("struct nope").unwrap_err();
/// assert!(matches!(err, rcffi::Error::Layout(_)));
/// assert_eq!(err.to_string(), "ctype 'struct nope' is of unknown size");
/// ```
///
/// `{:?}` prints the message too (what `fn main() -> Result<(), rcffi::Error>` shows, with a
/// cdef error's caret under its line); `{:#?}` shows the variant and its fields.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// let err = ffi.cdef("int f(int x;").unwrap_err();
/// assert_eq!(format!("{err:?}"), err.to_string());
/// assert!(format!("{err:#?}").starts_with("CDef("));
/// // The message is the error's own: no source repeats it (`anyhow` prints it once).
/// assert!(std::error::Error::source(&err).is_none());
/// ```
#[non_exhaustive]
#[derive(thiserror::Error)]
pub enum Error {
    /// Bad cdef text or type string, with its line and column (cffi: `CDefError`,
    /// `FFIError`). Boxed, as [`Error::Layout`] is.
    #[error(transparent)]
    CDef(Box<CdefError>),
    /// A type or value that cannot be used this way (cffi: `TypeError`).
    #[error("{0}")]
    Type(Box<str>),
    /// A type whose size or layout is unknown (cffi: `ValueError: ctype 'struct s' is of unknown
    /// size`, `VerificationMissing`). Boxed: the error of a member keeps two names, and an
    /// `Error` of 24 bytes (a tag and a boxed message) fits beside a `Value`'s tag, so that
    /// a `Result<Value>` is a `Value` (32 bytes), which a caller takes apart without a stall.
    #[error(transparent)]
    Layout(Box<LayoutError>),
    /// A name that is not declared: a member, a constant (cffi: `KeyError`, `AttributeError`).
    #[error("{0}")]
    Key(Box<str>),
    /// A bad argument value (cffi: `ValueError`).
    #[error("{0}")]
    Value(Box<str>),
    /// A number that does not fit the C type (cffi: `OverflowError`).
    #[error("{0}")]
    Overflow(Box<str>),
    /// An index or length out of bounds (cffi: `IndexError`).
    #[error("{0}")]
    Index(Box<str>),
    /// A NULL pointer where memory is needed (cffi: `RuntimeError: cannot dereference null
    /// pointer`).
    #[error("{0}")]
    NullPointer(Box<str>),
    /// Memory that rcffi cannot vouch for: a pointer C handed back, or an integer cast to a
    /// pointer. Access it after `unsafe { p.assume_valid(n) }` (cffi segfaults or corrupts the
    /// heap here).
    #[error("{0}")]
    Unchecked(Box<str>),
    /// Valid C that rcffi does not support here (cffi: `NotImplementedError`).
    #[error("{0}")]
    Unsupported(Box<str>),
    /// Memory could not be allocated (cffi: `MemoryError`).
    #[error("{0}")]
    Memory(Box<str>),
    /// A released or foreign handle, or another misuse of a runtime object (cffi:
    /// `RuntimeError`, `ValueError`).
    #[error("{0}")]
    Runtime(Box<str>),
    /// A library that cannot be loaded, or that was closed (cffi: `OSError: cannot load
    /// library ...`, `ValueError: library '...' has already been closed`). The message holds
    /// the name tried and the dynamic loader's own text.
    #[error("{0}")]
    Library(Box<str>),
    /// A name that the cdef does not declare, or that the library does not have (cffi:
    /// `AttributeError`, and `KeyError` for variables). The message names both the symbol and
    /// the library.
    #[error("{0}")]
    Symbol(Box<str>),
    /// A callback's closure failed or panicked, and its `onerror` handler (if any) failed too;
    /// C received the callback's error value.
    #[error("{0}")]
    Callback(Box<str>),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !f.alternate() {
            return std::fmt::Display::fmt(self, f);
        }
        match self {
            Error::CDef(e) => f.debug_tuple("CDef").field(e).finish(),
            Error::Layout(e) => f.debug_tuple("Layout").field(e).finish(),
            other => f
                .debug_tuple(other.variant())
                .field(&other.to_string())
                .finish(),
        }
    }
}

impl From<CdefError> for Error {
    fn from(e: CdefError) -> Error {
        Error::CDef(Box::new(e))
    }
}

impl From<LayoutError> for Error {
    fn from(e: LayoutError) -> Error {
        Error::Layout(Box::new(e))
    }
}

impl Error {
    /// The variant's name, for `{:#?}`.
    fn variant(&self) -> &'static str {
        match self {
            Error::CDef(_) => "CDef",
            Error::Type(_) => "Type",
            Error::Layout(_) => "Layout",
            Error::Key(_) => "Key",
            Error::Value(_) => "Value",
            Error::Overflow(_) => "Overflow",
            Error::Index(_) => "Index",
            Error::NullPointer(_) => "NullPointer",
            Error::Unchecked(_) => "Unchecked",
            Error::Unsupported(_) => "Unsupported",
            Error::Memory(_) => "Memory",
            Error::Runtime(_) => "Runtime",
            Error::Library(_) => "Library",
            Error::Symbol(_) => "Symbol",
            Error::Callback(_) => "Callback",
        }
    }

    /// The same error, its message prefixed by where it happened (`argument 2 of 'int(*)(int,
    /// int)'`). Errors that carry structured data (cdef and layout errors) become type errors
    /// with their text.
    pub(crate) fn context(mut self, prefix: impl std::fmt::Display) -> Error {
        if let Error::CDef(e) = &self {
            return Error::Type(format!("{prefix}: {e}").into());
        }
        if let Some(m) = self.message_mut() {
            *m = format!("{prefix}: {m}").into();
        }
        self
    }

    /// The message of a variant that holds one (every variant but `CDef` and `Layout`).
    fn message_mut(&mut self) -> Option<&mut Box<str>> {
        match self {
            Error::Type(m)
            | Error::Key(m)
            | Error::Value(m)
            | Error::Overflow(m)
            | Error::Index(m)
            | Error::NullPointer(m)
            | Error::Unchecked(m)
            | Error::Unsupported(m)
            | Error::Memory(m)
            | Error::Runtime(m)
            | Error::Library(m)
            | Error::Symbol(m)
            | Error::Callback(m) => Some(m),
            Error::CDef(_) | Error::Layout(_) => None,
        }
    }
}

/// `Result` with rcffi's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

//! What one `cdef` call is given and what it says it did: [`CdefOptions`] (cffi's
//! `override=`, `packed=`, `pack=`) and [`CdefReport`] (the names it declared and where, and
//! what it skipped or ignored, each with its place).

/// Options of one `cdef` call (cffi's `cdef(..., override=, packed=, pack=)`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CdefOptions {
    /// Later declarations replace earlier different ones instead of being an error.
    pub override_: bool,
    /// Every struct and union of this cdef is laid out as under `#pragma pack(1)`.
    pub packed: bool,
    /// Every struct and union of this cdef is laid out as under `#pragma pack(N)`; a power of
    /// two.
    pub pack: Option<u64>,
    /// How many threads may parse a big text (above about 96 kB): `None` for the machine's
    /// parallelism, `Some(1)` to parse on the calling thread only. The result is the same.
    pub threads: Option<usize>,
}

/// What a successful `cdef` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CdefReport {
    /// Names declared or redeclared by this cdef, in order.
    pub declared: Vec<Box<str>>,
    /// Where each name of [`declared`](CdefReport::declared) is declared, in the same order:
    /// the file and line of `# N "file"` markers in preprocessed headers, `<cdef>` and the
    /// line otherwise.
    pub declared_at: Vec<Place>,
    /// Definitions that were skipped, each with its name and place: inline and `static`
    /// functions (their bodies cannot be called through a shared library) and `static`
    /// objects given a value other than a constant's (`static const char *const names[] =
    /// {...}`: each file that includes them has its own copy, which no library exports).
    pub skipped_definitions: Vec<SkippedDefinition>,
    /// How deep the text nests, in the levels [`crate::MAX_NESTING`] limits.
    pub nesting: usize,
    /// `#define`s without a usable value (function-like, empty, not a constant...), each with
    /// where it is and why. They stay in the registry as [`MacroValue::Skipped`](crate::MacroValue).
    pub skipped_macros: Vec<SkippedMacro>,
    /// `#pragma`s that change nothing rcffi models (only `#pragma pack` changes declarations,
    /// and a few GCC ones are known to change none), ignored as cffi ignores them.
    pub ignored_pragmas: Vec<IgnoredPragma>,
}

/// A `#pragma` that `cdef` ignored, in a [`CdefReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgnoredPragma {
    /// Its text (`#pragma weak foo`).
    pub text: Box<str>,
    /// Where it is (file and line from `# N "file"` markers).
    pub location: crate::error::Location,
}

/// A file and line: where a [`CdefReport`] says a name is declared.
///
/// ```
/// let mut reg = rcffi_cdef::Registry::new();
/// let report = reg.cdef("# 7 \"/usr/include/zlib.h\"\nint deflate(int);\n\nint inflate(int);").unwrap();
/// let at = &report.declared_at[1];
/// assert_eq!((&*report.declared[1], &*at.file, at.line), ("inflate", "/usr/include/zlib.h", 9));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Place {
    /// The file: the name of the last `# N "file"` marker before the declaration, or `<cdef>`.
    pub file: std::sync::Arc<str>,
    /// The 1-based line (as renumbered by the markers).
    pub line: u32,
}

/// A definition skipped by `cdef` (a function's, or a `static` object's), in a [`CdefReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedDefinition {
    /// The function's name.
    pub name: Box<str>,
    /// Where the definition starts (file and line from `# N "file"` markers).
    pub location: crate::error::Location,
}

/// A `#define` without a usable value, in a [`CdefReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedMacro {
    /// The macro's name.
    pub name: Box<str>,
    /// Where its `#define` is (file and line from `# N "file"` markers).
    pub location: crate::error::Location,
    /// Why it has no value.
    pub reason: Box<str>,
}

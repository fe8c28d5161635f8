//! Errors of the front end: what went wrong, and where in the user's text.

use std::fmt;
use std::sync::Arc;

/// What kind of problem a [`CdefError`] reports.
///
/// The kinds follow cffi's exceptions where cffi has one (`CDefError`, `FFIError`), split finer
/// so that a program can tell a typo from an unsupported construct.
#[non_exhaustive]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text is not C: a token where it cannot be (cffi: `cannot parse "..."`).
    Syntax,
    /// A name used as a type is not a known type (cffi: `unknown type 'x'` /
    /// `unknown identifier 'x'`).
    UnknownType,
    /// A name used in a constant expression is not a known constant.
    UnknownName,
    /// A preprocessor directive that a cdef cannot hold (`#include`, `#if`, ...).
    Directive,
    /// A malformed `#define` or `#undef` line (no name, a bad parameter list).
    Macro,
    /// A constant expression that cannot be evaluated (division by zero, a float, a string...).
    ConstExpr,
    /// A name declared again with a different meaning (cffi: `multiple declarations of ...`).
    Redeclared,
    /// A function body or other definition that a cdef must not contain.
    Definition,
    /// A declaration that is not valid C (`void` member, array of functions, bad bitfield...).
    InvalidType,
    /// Valid C that rcffi does not support (vector types, `ms_abi`, ...).
    Unsupported,
    /// A misplaced cffi `...`.
    Ellipsis,
    /// A wrong option value (`pack=3`).
    Option,
    /// Declarations, expressions or types nested deeper than [`crate::MAX_NESTING`] levels.
    TooDeep,
    /// The C preprocessor could not be run, or refused the headers ([`crate::Headers`]).
    Preprocessor,
}

impl ErrorKind {
    /// A short lowercase name for the kind (`"syntax"`, `"unknown type"`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Syntax => "syntax",
            ErrorKind::UnknownType => "unknown type",
            ErrorKind::UnknownName => "unknown name",
            ErrorKind::Directive => "directive",
            ErrorKind::Macro => "macro",
            ErrorKind::ConstExpr => "constant expression",
            ErrorKind::Redeclared => "redeclared",
            ErrorKind::Definition => "definition",
            ErrorKind::InvalidType => "invalid type",
            ErrorKind::TooDeep => "too deep",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Ellipsis => "ellipsis",
            ErrorKind::Option => "option",
            ErrorKind::Preprocessor => "preprocessor",
        }
    }
}

/// Where an error is: a file name (from `# N "file"` markers, `<cdef>` otherwise), a 1-based
/// line and column (in characters), and the text of that line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name: `<cdef>` for cdef text, `<type>` for a type string, or the name given by
    /// the last `# N "file"` / `#line` marker.
    pub file: Arc<str>,
    /// 1-based line number (as renumbered by line markers).
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// The source line the error is on, without its line end.
    pub source_line: String,
}

/// An error in cdef text or a type string, with its position.
///
/// ```
/// let mut reg = rcffi_cdef::Registry::new();
/// let err = reg.cdef("int a;\nfoo_t x;").unwrap_err();
/// assert_eq!(err.kind(), rcffi_cdef::ErrorKind::UnknownType);
/// let loc = err.location().unwrap();
/// assert_eq!((loc.line, loc.column), (2, 1));
/// assert_eq!(err.to_string(), "<cdef>:2:1: unknown type name 'foo_t'\n  foo_t x;\n  ^");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CdefError {
    kind: ErrorKind,
    message: String,
    location: Option<Box<Location>>,
}

impl CdefError {
    /// An error without a position yet.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> CdefError {
        CdefError {
            kind,
            message: message.into(),
            location: None,
        }
    }

    /// An error at a byte offset of preprocessed text, to be located later.
    pub(crate) fn at(kind: ErrorKind, offset: usize, message: impl Into<String>) -> Located {
        Located {
            error: CdefError::new(kind, message),
            offset: Some(offset),
        }
    }

    pub(crate) fn with_location(mut self, location: Location) -> CdefError {
        self.location = Some(Box::new(location));
        self
    }

    /// The kind of problem.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the problem is, when it has a place in the text.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_deref()
    }
}

impl fmt::Display for CdefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            None => f.write_str(&self.message),
            Some(loc) => {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    loc.file, loc.line, loc.column, self.message
                )?;
                if !loc.source_line.trim().is_empty() {
                    let (line, pad) = excerpt(&loc.source_line, loc.column as usize);
                    write!(f, "\n  {}\n  {}^", line, " ".repeat(pad))?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CdefError {}

/// How many characters of a long source line are shown on each side of the column.
const EXCERPT: usize = 60;

/// The source line as an error shows it, and where the caret goes under it: tabs as spaces,
/// and a line longer than the screen (generated or preprocessed text) cut to the part around
/// the column, with `...` where it was cut.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let col = column.saturating_sub(1).min(chars.len());
    if chars.len() <= 2 * EXCERPT + 20 {
        return (chars.into_iter().collect(), col);
    }
    let start = col.saturating_sub(EXCERPT);
    let end = (col + EXCERPT).min(chars.len());
    let mut text = String::new();
    let mut pad = col - start;
    if start > 0 {
        text.push_str("...");
        pad += 3;
    }
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push_str("...");
    }
    (text, pad)
}

/// An error with a byte offset into the text being processed, not yet turned into a line and
/// column. The pipeline's stages return these; the entry point locates them once.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    pub(crate) error: CdefError,
    /// Byte offset in the preprocessed text, or `None` when the error has no position.
    pub(crate) offset: Option<usize>,
}

impl From<CdefError> for Located {
    fn from(error: CdefError) -> Located {
        Located {
            error,
            offset: None,
        }
    }
}

pub(crate) type LResult<T> = Result<T, Located>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(500), "b".repeat(500));
        let (text, pad) = excerpt(&line, 501);
        assert_eq!(text.chars().nth(pad), Some('X'));
        assert!(
            text.starts_with("...") && text.ends_with("...") && text.len() < 140,
            "{text}"
        );
        let (text, pad) = excerpt("int\tx;", 5);
        assert_eq!((text.as_str(), pad), ("int x;", 4));
        let (text, pad) = excerpt(&"c".repeat(300), 2);
        assert!(!text.starts_with("...") && text.ends_with("...") && pad == 1);
    }
}

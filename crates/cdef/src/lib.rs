//! # rcffi-cdef: C declarations to types and layouts
//!
//! The front end of [rcffi](https://crates.io/crates/rcffi): C declarations pasted as text
//! become a [`Registry`] of types whose sizes, alignments and member offsets agree with gcc
//! byte for byte.
//!
//! ```
//! use rcffi_cdef::Registry;
//!
//! let mut reg = Registry::new();
//! reg.cdef(r#"
//!     #define NAME_MAX 255
//!     typedef struct { int x, y; } point_t;
//!     struct entry { unsigned kind : 4; unsigned flags : 12; char name[NAME_MAX + 1]; };
//!     double hypot(double, double);
//! "#).unwrap();
//! let entry = reg.parse_type("struct entry").unwrap();
//! assert_eq!(reg.layout(entry).unwrap().size, 260);
//! let arr = reg.parse_type("point_t *[2]").unwrap();
//! assert_eq!(reg.cname(arr), "point_t *[2]");
//! ```
//!
//! # Organization
//!
//! Data flows one way: `text → preprocess → parse (lang-c) → lower → Registry → layout`.
//!
//! - `preprocess`: a tokenizer pass that strips comments, takes `#define`, `#pragma pack` and
//!   line markers out, gives cffi's `...` forms legal C spellings and moves GNU attributes where
//!   lang-c reads them, keeping a map back to the user's line and column.
//! - `parse`: lang-c behind one module, with a prelude declaring the known typedef names.
//! - `lower`: the AST into the registry; `consteval`: integer constant expressions.
//! - [`Registry`]: interned types, declarations in order, transactional `cdef`.
//! - [`layout`]: gcc's record layout rules for a [`Target`].
//! - `tparse`: the type strings of `new`/`cast`/`typeof` (`"int(*)(int)"`), parsed directly
//!   against the registry.
//!
//! This is not a validating C parser: it accepts declarations, checks what matters for
//! layouts and calls, and leaves the rest to the C compiler, which is the authority when in
//! doubt. No input makes it panic; every error carries a line and column.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod builtins;
mod consteval;
mod ctype;
mod display;
mod dump;
mod error;
mod expand;
mod fields;
mod header_cache;
mod headers;
mod include;
pub mod layout;
mod lex;
mod lower;
mod macros;
mod nesting;
mod parse;
mod preprocess;
mod registry;
mod report;
mod source;
mod suggest;
mod target;
mod tparse;
mod type_body;
mod types;

pub use consteval::{IntTy, IntVal, PathStep};
pub use ctype::{
    CType, CTypeId, CTypeKind, CallConv, EnumDef, EnumId, Field, FuncSig, Prim, PrimRepr, Record,
    RecordId, RecordKind,
};
pub use error::{CdefError, ErrorKind, Location};
pub use fields::{FieldInfo, PathError};
pub use headers::{HeaderReport, Headers, PreprocessedHeaders};
pub use layout::{BitfieldLayout, FieldLayout, LayoutError, RecordLayout, TypeLayout};
pub use macros::{FloatTy, FunctionMacro, MacroArg, MacroCall, MacroValue};
pub use nesting::MAX_NESTING;
pub use registry::{Decl, Registry};
pub use report::{CdefOptions, CdefReport, IgnoredPragma, Place, SkippedDefinition, SkippedMacro};
pub use suggest::did_you_mean;
pub use target::{Arch, Target};

use source::LineIndex;

impl preprocess::Names for Registry {
    fn is_type_name(&self, name: &str) -> bool {
        Registry::is_type_name(self, name)
    }
}

impl Registry {
    /// Declares the C declarations in `text`. On error nothing is declared.
    ///
    /// # Errors
    ///
    /// A [`CdefError`] with its kind and the line and column: a syntax error, an unknown type
    /// name, a conflicting redeclaration, nesting past [`MAX_NESTING`]; for `cdef_with`, options
    /// that contradict each other. Nothing is declared then.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// reg.cdef("int abs(int);").unwrap();
    /// let err = reg.cdef("long abs(long);").unwrap_err();
    /// assert_eq!(err.kind(), rcffi_cdef::ErrorKind::Redeclared);
    /// ```
    pub fn cdef(&mut self, text: &str) -> Result<CdefReport, CdefError> {
        self.cdef_with(text, &CdefOptions::default())
    }

    /// [`Registry::cdef`] with options: `override_`, `packed`, `pack`.
    ///
    /// # Errors
    ///
    /// A [`CdefError`] with its kind and the line and column: a syntax error, an unknown type
    /// name, a conflicting redeclaration, nesting past [`MAX_NESTING`]; for `cdef_with`, options
    /// that contradict each other. Nothing is declared then.
    ///
    /// ```
    /// use rcffi_cdef::{CdefOptions, Registry};
    /// let mut reg = Registry::new();
    /// reg.cdef_with("struct s { char a; int b; };", &CdefOptions { pack: Some(2), ..Default::default() }).unwrap();
    /// let s = reg.parse_type("struct s").unwrap();
    /// assert_eq!(reg.layout(s).unwrap().size, 6);
    /// ```
    pub fn cdef_with(&mut self, text: &str, opts: &CdefOptions) -> Result<CdefReport, CdefError> {
        self.cdef_inner(text, opts, |_| {})
    }

    /// [`Registry::cdef_with`], with a hook that may change the pre-pass's result (tests use it
    /// to make the typedef scan wrong and check that parsing corrects it).
    fn cdef_inner(
        &mut self,
        text: &str,
        opts: &CdefOptions,
        tamper: impl FnOnce(&mut preprocess::Preprocessed<'_>),
    ) -> Result<CdefReport, CdefError> {
        check_options(opts)?;
        self.begin();
        let result = self.lower_text(text, opts, tamper);
        match result {
            Ok(report) => {
                self.commit();
                Ok(report)
            }
            Err(e) => {
                self.rollback();
                let markers = preprocess::line_markers(text);
                Err(LineIndex::new(text, "<cdef>", &markers).finish(e))
            }
        }
    }

    /// Declares `text` inside the transaction already begun: the work of a `cdef`, with errors
    /// at offsets of the (preprocessed) text.
    pub(crate) fn lower_text(
        &mut self,
        text: &str,
        opts: &CdefOptions,
        tamper: impl FnOnce(&mut preprocess::Preprocessed<'_>),
    ) -> Result<CdefReport, error::Located> {
        let default_pack = if opts.packed { Some(1) } else { opts.pack };
        let mut pre = preprocess::preprocess(text, self, default_pack)?;
        tamper(&mut pre);
        // lang-c and the lowering recurse once per level: a deep text gets a deep stack.
        let reg = &mut *self;
        nesting::with_stack_for(pre.depth, || {
            let mut state = lower::LowerState::default();
            parse::parse_and_lower(&pre, reg, opts.threads, |reg, chunk| {
                lower::lower_chunk(reg, &pre, chunk, text, opts, &mut state)
            })?;
            let mut report = lower::finish(reg, &pre, text, opts, state)?;
            report.nesting = pre.depth;
            Ok(report)
        })
    }

    /// Parses a type string (`"int[]"`, `"struct foo *"`, `"int(*)(int, int)"`, `"char *[]"`)
    /// to a type. Mentioning an unknown `struct`/`union` tag declares it, as in C, and a type
    /// string may define one struct, union or enum body, as cffi's do (`"struct { int a[4]; } *"`:
    /// it is declared as a `cdef` would declare it, its tag and enumerators included).
    ///
    /// # Errors
    ///
    /// A [`CdefError`] with the position in the type string: a syntax error, an unknown name, an
    /// array length that is not a non-negative constant, nesting past [`MAX_NESTING`]. Nothing is
    /// declared then.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// let t = reg.parse_type("int (*(*)[3])(int)").unwrap();
    /// assert_eq!(reg.cname(t), "int(*(*)[3])(int)");
    /// assert!(reg.parse_type("foo_t").is_err());
    /// let s = reg.parse_type("struct { char c; double d; } *[2]").unwrap();
    /// assert_eq!(reg.cname(s), "struct $1 *[2]");
    /// let body = reg.parse_type("struct { char c; double d; }").unwrap();
    /// assert_eq!(reg.layout(body).unwrap().size, 16);
    /// ```
    pub fn parse_type(&mut self, text: &str) -> Result<CTypeId, CdefError> {
        self.begin();
        let result = (|| {
            let lexed = lex::lex(text)?;
            let depth = nesting::measure(text, &lexed.tokens)?;
            let bodies = type_body::declare(self, text, &lexed.tokens)?;
            let reg = &mut *self;
            nesting::with_stack_for(depth, || {
                let mut p = tparse::TokParser::new(text, &lexed.tokens, reg, text.len());
                p.bodies = bodies;
                let ty = p.type_name()?;
                p.expect_end()?;
                if let Some(t) = reg.take_past_limit() {
                    return Err(nesting::too_deep(0, &format!("type '{t}'")));
                }
                Ok(ty)
            })
        })();
        match result {
            Ok(ty) => {
                self.commit();
                Ok(ty)
            }
            Err(e) => {
                self.rollback();
                Err(LineIndex::new(text, "<type>", &[]).finish(e))
            }
        }
    }
}

fn check_options(opts: &CdefOptions) -> Result<(), CdefError> {
    if opts.packed && opts.pack.is_some() {
        return Err(CdefError::new(
            ErrorKind::Option,
            "cannot give both 'pack' and 'packed'",
        ));
    }
    if let Some(p) = opts.pack
        && !matches!(p, 1 | 2 | 4 | 8 | 16)
    {
        return Err(CdefError::new(
            ErrorKind::Option,
            format!("'pack' must be a power of two up to 16, not {p}"),
        ));
    }
    Ok(())
}

/// The crate README's example, compiled and run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod tests {
    use super::*;

    /// A big text: a generated cffi-subset part, then typedefs used across chunk boundaries.
    fn big_text() -> String {
        let mut t = String::new();
        for i in 0..3000 {
            t.push_str(&format!(
                "typedef struct s{i} {{ int a[{n}]; struct s{i} *next; }} t{i};\n\
                 typedef t{i} *p{i}, a{i}[2];\nint f{i}(t{i} *x, p{i} y, a{i} z);\n",
                n = i % 7 + 1
            ));
        }
        t
    }

    fn parallel(threads: usize) -> CdefOptions {
        CdefOptions {
            threads: Some(threads),
            ..Default::default()
        }
    }

    /// Chunks parsed by one thread or four give what small texts parsed whole give: the same
    /// declarations cdef'd in pieces below the chunking size, one `cdef` each.
    #[test]
    fn parallel_and_sequential_parsing_agree() {
        let text = big_text();
        assert!(text.len() > 200 * 1024);
        let mut whole = Registry::new();
        let lines: Vec<&str> = text.lines().collect();
        for piece in lines.chunks(600) {
            let piece = piece.join("\n");
            assert!(piece.len() < 96 * 1024);
            whole.cdef_with(&piece, &parallel(1)).unwrap();
        }
        let mut a = Registry::new();
        a.cdef_with(&text, &parallel(1)).unwrap();
        let mut b = Registry::new();
        b.cdef_with(&text, &parallel(4)).unwrap();
        assert_eq!(whole.dump(), a.dump());
        assert_eq!(a.dump(), b.dump());
    }

    #[test]
    fn a_wrong_typedef_scan_is_corrected() {
        let text = big_text();
        let mut a = Registry::new();
        a.cdef_with(&text, &parallel(1)).unwrap();
        // Forget every scanned typedef: later chunks first fail to parse, then are parsed
        // again with the names lowering declared.
        let mut b = Registry::new();
        b.cdef_inner(&text, &parallel(4), |pre| {
            for d in &mut pre.decls {
                d.typedefs.clear();
            }
        })
        .unwrap();
        assert_eq!(a.dump(), b.dump());
        // Claim typedefs that do not exist: the preludes differ from the declared names, so
        // chunks are parsed again.
        let mut c = Registry::new();
        c.cdef_inner(&text, &parallel(4), |pre| {
            for d in &mut pre.decls {
                d.typedefs.push("f1");
            }
        })
        .unwrap();
        assert_eq!(a.dump(), c.dump());
    }

    #[test]
    fn errors_in_late_chunks_are_reported_in_order() {
        let mut text = big_text();
        text.push_str("int broken(;\n");
        let mut a = Registry::new();
        let e1 = a.cdef_with(&text, &parallel(1)).unwrap_err();
        let mut b = Registry::new();
        let e2 = b.cdef_with(&text, &parallel(4)).unwrap_err();
        assert_eq!(e1, e2);
        assert_eq!(b.dump(), "");
    }
}

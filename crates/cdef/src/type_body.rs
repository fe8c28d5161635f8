//! A struct, union or enum body inside a type string (`"struct { int i[4]; } *"`), as cffi
//! accepts: the body is declared as a `cdef` declares it (through the same parser, so its
//! members may be anything a cdef's may), and the type string's parser takes the declared type
//! where the body stands.

use crate::CTypeId;
use crate::error::{CdefError, ErrorKind, LResult, Located};
use crate::lex::{Tok, Token};
use crate::registry::Registry;
use crate::report::CdefOptions;

/// The body a type string defines: the tokens it spans and the type it declared.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Body {
    /// The index of its `struct`, `union` or `enum` token.
    pub(crate) keyword: usize,
    /// The index of the token after its closing `}`.
    pub(crate) end: usize,
    /// The declared type.
    pub(crate) id: CTypeId,
}

/// The name the body is declared under for a moment (removed before the type string's parse
/// goes on; a type string cannot name it).
pub(crate) const NAME: &str = "__rcffi_type_string_body__";

/// Declares the bodies `toks` define, in order, inside the transaction already begun.
pub(crate) fn declare(reg: &mut Registry, src: &str, toks: &[Token]) -> LResult<Vec<Body>> {
    let mut bodies = Vec::new();
    let mut from = 0;
    while let Some(open) = toks[from..].iter().position(|t| is(src, t, "{")) {
        let open = from + open;
        // The specifier starts at the nearest `struct`, `union` or `enum` before the brace; a
        // brace after anything else is the type string parser's error to report.
        let Some(keyword) = toks[from..open].iter().rposition(|t| {
            t.kind == Tok::Ident && matches!(t.text(src), "struct" | "union" | "enum")
        }) else {
            break;
        };
        let keyword = from + keyword;
        let close = matching(src, toks, open)?;
        let id = declare_one(reg, src, toks[keyword].start, toks[close].end)?;
        bodies.push(Body {
            keyword,
            end: close + 1,
            id,
        });
        from = close + 1;
    }
    Ok(bodies)
}

/// The index of the `}` closing the `{` at `open`.
fn matching(src: &str, toks: &[Token], open: usize) -> LResult<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if is(src, t, "{") {
            depth += 1;
        } else if is(src, t, "}") {
            depth -= 1;
            if depth == 0 {
                return Ok(i);
            }
        }
    }
    Err(CdefError::at(
        ErrorKind::Syntax,
        toks[open].start,
        "this '{' is never closed",
    ))
}

/// Declares the specifier `src[from..to]` (`struct tag { ... }`), giving its type.
fn declare_one(reg: &mut Registry, src: &str, from: usize, to: usize) -> LResult<CTypeId> {
    if reg.decl(NAME).is_some() {
        return Err(CdefError::at(
            ErrorKind::Redeclared,
            from,
            format!("'{NAME}' is rcffi's own name for a type string's body"),
        ));
    }
    const PREFIX: &str = "typedef ";
    let text = format!("{PREFIX}{} {NAME};", &src[from..to]);
    reg.lower_text(&text, &CdefOptions::default(), |_| {})
        .map_err(|e| Located {
            // Back to the type string: the body's text sits at `from` there.
            offset: Some(
                e.offset
                    .and_then(|o| o.checked_sub(PREFIX.len()))
                    .filter(|&o| o <= to - from)
                    .map_or(from, |o| from + o),
            ),
            ..e
        })?;
    // A body the cdef pipeline skipped (rather than refused) declares no typedef.
    reg.forget_typedef(NAME).ok_or_else(|| {
        CdefError::at(
            ErrorKind::InvalidType,
            from,
            "this body declares no type (its definition was skipped)",
        )
    })
}

fn is(src: &str, t: &Token, punct: &str) -> bool {
    t.kind == Tok::Punct && t.text(src) == punct
}

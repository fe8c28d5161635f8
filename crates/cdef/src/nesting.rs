//! The nesting limit: how deep a declaration, a constant expression or a type may nest.
//!
//! lang-c's parser and rcffi's own walks over syntax and types recurse once per level, so a
//! text nested deeply enough (`int ((((...x))))`, a `#define` of 10,000 parentheses, a sum of
//! 100,000 terms, a chain of 20,000 structs each holding the one before) would overflow the
//! stack — an abort, not an error. So every text is measured before lang-c sees it, and every
//! type is measured when it is made; past [`MAX_NESTING`] levels, the cdef or type string is an
//! error at the line and column where the limit is crossed.
//!
//! A text's depth at a token is a bound on the depth of the syntax tree around it: each
//! enclosing `(`, `[` or `{` is a level, and so is each operator before it within its
//! brackets (`1+1+1` nests as `(1+1)+1`; a closed group counts as one operator of the group
//! around it, for casts such as `(int)(int)x`); `;` and `,` start a new run. The headers of
//! gtk 3, glib, Python 3.11, vulkan, OpenSSL and glibc measure at most 41; the limit leaves
//! six times that.
//!
//! A type's depth is measured twice, for the two ways types are walked: its *spelling depth*
//! (pointers, arrays, functions and `aligned` typedefs around a named type, as `cname` walks
//! them) and, for structs and unions, the *value depth* of their members (structs and arrays
//! held by value, as layouts and realized types walk them).

use crate::error::{CdefError, ErrorKind, LResult};
use crate::lex::{Tok, Token};

/// The deepest nesting rcffi accepts, in levels: of a cdef text, of a type string, and of a
/// type (its spelling, or the structs and arrays it holds by value).
pub const MAX_NESTING: usize = 256;

/// Up to this depth a text is parsed on the caller's thread; deeper ones, on a thread of
/// [`DEEP_STACK`] bytes (lang-c takes about 10 KiB of stack per level in debug builds).
pub(crate) const INLINE_DEPTH: usize = 32;

/// The stack of the thread that parses deep texts: enough for [`MAX_NESTING`] levels of
/// lang-c and of rcffi's own walks, in debug builds, with room to spare.
pub(crate) const DEEP_STACK: usize = 32 << 20;

/// Whether a punctuator or keyword is an operator: one level deeper in a syntax tree.
fn is_operator(text: &str) -> bool {
    matches!(
        text,
        "+" | "-"
            | "*"
            | "/"
            | "%"
            | "<<"
            | ">>"
            | "<"
            | ">"
            | "<="
            | ">="
            | "=="
            | "!="
            | "&"
            | "^"
            | "|"
            | "&&"
            | "||"
            | "?"
            | ":"
            | "="
            | "~"
            | "!"
            | "++"
            | "--"
            | "."
            | "->"
            | "sizeof"
            | "_Alignof"
            | "__alignof__"
            | "__alignof"
            | "alignof"
            | "__extension__"
    )
}

/// The deepest nesting of `tokens` (of `src`), or an error at the first token past
/// [`MAX_NESTING`]. Directive lines (`# ...`) are measured on their own.
pub(crate) fn measure(src: &str, tokens: &[Token]) -> LResult<usize> {
    measure_up_to(src, tokens, MAX_NESTING)
}

/// How deep the pre-pass's own walk may go: its helpers are safe to this depth, and bodies it
/// blanks out (which lang-c never sees) may nest past [`MAX_NESTING`] up to it.
pub(crate) const WALK_NESTING: usize = 4096;

/// [`measure`] with another limit.
pub(crate) fn measure_up_to(src: &str, tokens: &[Token], limit: usize) -> LResult<usize> {
    // The operators seen in each open bracket (the text's top level first).
    let mut levels: Vec<usize> = vec![0];
    // The sum of `1 + operators` over `levels`.
    let mut depth = 1;
    let mut deepest = 1;
    // The text's own levels, set aside while a directive line is measured.
    let mut outside: Option<(Vec<usize>, usize)> = None;
    // After an attribute's keyword: how many levels were open there, and whether its
    // parentheses have been entered (they end when those levels are all that is open again).
    let mut attribute: Option<(usize, bool)> = None;
    for t in tokens {
        let text = t.text(src);
        if t.bol {
            if let Some((l, d)) = outside.take() {
                (levels, depth) = (l, d);
            }
            if t.kind == Tok::Punct && text == "#" {
                outside = Some((std::mem::replace(&mut levels, vec![0]), depth));
                depth = 1;
            }
        }
        if t.kind == Tok::Punct {
            match text {
                "(" | "[" | "{" => {
                    levels.push(0);
                    depth += 1;
                }
                ")" | "]" | "}" => {
                    if levels.len() > 1 {
                        let ops = levels.pop().unwrap_or(0);
                        depth -= 1 + ops;
                    }
                    // The closed group is one operand of an operator of the group around it.
                    bump(&mut levels, &mut depth);
                }
                ";" | "," => {
                    if let Some(ops) = levels.last_mut() {
                        depth -= *ops;
                        *ops = 0;
                    }
                }
                _ if is_operator(text) => bump(&mut levels, &mut depth),
                _ => {}
            }
        } else if t.kind == Tok::Ident && is_operator(text) {
            bump(&mut levels, &mut depth);
        } else if t.kind == Tok::Ident && matches!(text, "__attribute__" | "__attribute") {
            // lang-c tries every reading of an attribute's arguments, and each of those tries
            // every reading of an attribute nested in them: twice the work per level.
            if attribute.is_some_and(|(open, _)| levels.len() > open) {
                return Err(CdefError::at(
                    ErrorKind::Syntax,
                    t.start,
                    "an attribute inside the arguments of another attribute",
                ));
            }
            attribute = Some((levels.len(), false));
        }
        attribute = match attribute {
            Some((open, _)) if levels.len() > open => Some((open, true)),
            Some((open, true)) if levels.len() <= open => None,
            other => other,
        };
        if depth > limit {
            return Err(too_deep(t.start, "this text"));
        }
        deepest = deepest.max(depth);
    }
    Ok(deepest)
}

fn bump(levels: &mut [usize], depth: &mut usize) {
    if let Some(ops) = levels.last_mut() {
        *ops += 1;
        *depth += 1;
    }
}

/// The error of something nested past the limit, at user offset `at`.
pub(crate) fn too_deep(at: usize, what: &str) -> crate::error::Located {
    CdefError::at(
        ErrorKind::TooDeep,
        at,
        format!(
            "{what} nests deeper than {MAX_NESTING} levels (rcffi's limit: real headers nest \
             at most about 40)"
        ),
    )
}

/// Runs `f` where the stack is deep enough for a text of nesting `depth`: on this thread for
/// shallow texts, else on a thread with [`DEEP_STACK`] bytes of stack.
pub(crate) fn with_stack_for<R: Send>(
    depth: usize,
    f: impl FnOnce() -> LResult<R> + Send,
) -> LResult<R> {
    if depth <= INLINE_DEPTH {
        return f();
    }
    std::thread::scope(|s| {
        let h = std::thread::Builder::new()
            .name("rcffi-cdef-deep".into())
            .stack_size(DEEP_STACK)
            .spawn_scoped(s, f)
            .map_err(|e| {
                CdefError::new(
                    ErrorKind::TooDeep,
                    format!("cannot start a thread with the stack this nested text needs: {e}"),
                )
            })?;
        h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(s: &str) -> LResult<usize> {
        let lexed = crate::lex::lex(s)?;
        measure(s, &lexed.tokens)
    }

    #[test]
    fn depths_bound_the_syntax_tree() {
        assert_eq!(depth("int x;").unwrap(), 1);
        assert_eq!(depth("int (x);").unwrap(), 2);
        assert_eq!(depth("int a[1+2+3];").unwrap(), 4);
        assert_eq!(depth("enum e { A = 1, B = 2, C = 3 };").unwrap(), 3);
        assert_eq!(depth("int a[(int)(int)1];").unwrap(), 4);
        // Each run starts again after `;` and `,`.
        assert_eq!(depth("int *a, *b; int *c;").unwrap(), 2);
        // Directives are measured on their own lines.
        assert_eq!(depth("int f(int\n#define X (1+1)\n);").unwrap(), 3);
        assert_eq!(depth("int a[(((1\n#define X 1\n))+1+1)];").unwrap(), 6);
    }

    #[test]
    fn attributes_nested_in_attributes_are_refused() {
        // lang-c's parser doubles its work per level of these.
        let nested = "int x __attribute__((aligned(__attribute__((packed)) 8)));";
        let e = depth(nested).unwrap_err();
        assert_eq!(
            e.offset,
            Some(nested.find("__attribute__((packed").unwrap())
        );
        // Side by side, or one in a later parameter list, is fine.
        assert!(
            depth("__attribute__((a)) int f(__attribute__((b)) int x) __attribute__((c));").is_ok()
        );
    }

    #[test]
    fn past_the_limit_is_an_error_where_it_is_crossed() {
        let ok = format!("int {}x{};", "(".repeat(255), ")".repeat(255));
        assert_eq!(depth(&ok).unwrap(), MAX_NESTING);
        let deep = format!("int {}x{};", "(".repeat(256), ")".repeat(256));
        let e = depth(&deep).unwrap_err();
        assert_eq!(e.offset, Some(4 + 255));
        let sum = format!("#define X 1{}\n", "+1".repeat(300));
        assert!(depth(&sum).is_err());
    }
}

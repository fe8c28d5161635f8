//! The typedef names a declaration declares, found from its tokens before lang-c sees them: the
//! parallel parse needs them to split a text into chunks (lowering checks them afterwards).

use super::TYPE_KEYWORDS;
use crate::lex::{Tok, Token};

/// The names a `typedef` declaration declares, found from its tokens (without the final `;`):
/// in each comma-separated declarator, after dropping bodies, attributes and trailing array
/// and parameter suffixes, the name is the last identifier, looking inside grouping
/// parentheses (`(*fn_t)(int)`). Lowering checks the result against what it declared.
pub(super) fn typedef_names<'a>(src: &'a str, toks: &[Token]) -> Vec<&'a str> {
    // Drop `{...}` bodies and `__attribute__((...))` / `__asm__(...)`, split at depth-0 commas.
    let mut parts: Vec<Vec<Token>> = vec![Vec::new()];
    let mut i = 0;
    let mut depth = 0usize;
    while i < toks.len() {
        let t = toks[i];
        let s = t.text(src);
        if matches!(
            s,
            "__attribute__" | "__attribute" | "__asm__" | "__asm" | "asm"
        ) {
            // Skip the keyword and its parenthesised argument.
            i += 1;
            let mut d = 0usize;
            while i < toks.len() {
                match toks[i].text(src) {
                    "(" => d += 1,
                    ")" => {
                        d = d.saturating_sub(1);
                        if d == 0 {
                            i += 1;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            continue;
        }
        if s == "{" {
            let mut d = 0usize;
            while i < toks.len() {
                match toks[i].text(src) {
                    "{" => d += 1,
                    "}" => {
                        d -= 1;
                        if d == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        match s {
            "(" | "[" => depth += 1,
            ")" | "]" => depth = depth.saturating_sub(1),
            "," if depth == 0 => {
                parts.push(Vec::new());
                i += 1;
                continue;
            }
            _ => {}
        }
        if let Some(p) = parts.last_mut() {
            p.push(t);
        }
        i += 1;
    }
    parts
        .iter()
        .filter_map(|p| declarator_name(src, p))
        .collect()
}

/// The declared name of one declarator's tokens (see [`typedef_names`]).
fn declarator_name<'a>(src: &'a str, toks: &[Token]) -> Option<&'a str> {
    let mut toks = toks;
    let mut end = toks.len();
    loop {
        let last = toks.get(end.checked_sub(1)?)?;
        match last.text(src) {
            "]" | ")" => {
                // Find the matching opener.
                let close = last.text(src);
                let open = if close == "]" { "[" } else { "(" };
                let mut d = 0usize;
                let mut j = end;
                let mut found = false;
                while j > 0 {
                    j -= 1;
                    let s = toks[j].text(src);
                    if s == close {
                        d += 1;
                    } else if s == open {
                        d -= 1;
                        if d == 0 {
                            found = true;
                            break;
                        }
                    }
                }
                // Unbalanced: not a declaration the parser will accept anyway.
                if !found {
                    return None;
                }
                // A group right after a name or another group is a suffix; otherwise it is a
                // grouping around the inner declarator.
                let before = j.checked_sub(1).map(|k| toks[k]);
                let is_suffix = close == "]"
                    || before.is_some_and(|b| {
                        b.kind == Tok::Ident || b.text(src) == ")" || b.text(src) == "]"
                    });
                if is_suffix && !(close == ")" && before.is_some_and(|b| is_type_word(b.text(src))))
                {
                    end = j;
                    continue;
                }
                // The grouped inner declarator (a loop, not recursion: groups may nest deep).
                toks = &toks[j + 1..end - 1];
                end = toks.len();
            }
            _ if last.kind == Tok::Ident && !is_type_word(last.text(src)) => {
                return Some(last.text(src));
            }
            _ => return None,
        }
    }
}

/// Words that end a type rather than name a declarator.
fn is_type_word(s: &str) -> bool {
    TYPE_KEYWORDS.contains(&s)
        || matches!(
            s,
            "typedef" | "restrict" | "__restrict" | "__restrict__" | "__extension__"
        )
}

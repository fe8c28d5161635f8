//! The only module that calls lang-c.
//!
//! lang-c cannot be told which names are typedefs, so the text it parses starts with a prelude
//! of `typedef int NAME;` for every known type name that the user's text mentions (cffi does the
//! same with pycparser). Only mentioned names go in, so the cost does not grow with the number
//! of typedefs already declared. Offsets in lang-c's AST and errors are offsets into prelude +
//! text; [`Parsed::user_offset`] maps them back to the user's text.

use lang_c::ast::TranslationUnit;
use lang_c::driver::{Config, Flavor, parse_preprocessed};

use crate::error::{CdefError, ErrorKind, LResult};
use crate::preprocess::Preprocessed;
use crate::registry::Registry;

/// lang-c's output.
pub(crate) struct Parsed {
    pub(crate) unit: TranslationUnit,
    pub(crate) prelude_len: usize,
}

impl Parsed {
    /// Maps an offset of lang-c's source back to the user's text.
    pub(crate) fn user_offset(&self, pre: &Preprocessed<'_>, offset: usize) -> usize {
        pre.map.to_input(offset.saturating_sub(self.prelude_len))
    }
}

/// Parses preprocessed text.
pub(crate) fn parse(pre: &Preprocessed<'_>, reg: &Registry) -> LResult<Parsed> {
    let mut names: Vec<&str> = pre
        .idents
        .iter()
        .copied()
        // lang-c's GNU flavor knows `__builtin_va_list` already.
        .filter(|n| *n != "__builtin_va_list" && reg.is_type_name(n))
        .collect();
    names.sort_unstable();
    let mut source = String::with_capacity(pre.text.len() + names.len() * 24 + 1);
    for n in &names {
        source.push_str("typedef int ");
        source.push_str(n);
        source.push(';');
    }
    source.push('\n');
    let prelude_len = source.len();
    source.push_str(&pre.text);
    let config = Config {
        cpp_command: String::new(),
        cpp_options: Vec::new(),
        flavor: Flavor::GnuC11,
    };
    match parse_preprocessed(&config, source) {
        Ok(p) => Ok(Parsed {
            unit: p.unit,
            prelude_len,
        }),
        Err(e) => Err(syntax_error(
            pre,
            reg,
            &e.source,
            e.offset,
            prelude_len,
            &e.expected,
        )),
    }
}

/// Turns lang-c's "unexpected token, expected {set}" into a message about the user's text.
fn syntax_error(
    pre: &Preprocessed<'_>,
    reg: &Registry,
    source: &str,
    offset: usize,
    prelude_len: usize,
    expected: &std::collections::HashSet<&'static str>,
) -> crate::error::Located {
    let user = pre.map.to_input(offset.saturating_sub(prelude_len));
    let rest = &source[offset.min(source.len())..];
    let token = token_at(rest);
    // The pre-pass's private names stand for cffi's `...`.
    let token = if token.starts_with("__rcffi_") {
        "..."
    } else {
        token
    };
    let before = source[prelude_len.min(offset)..offset.min(source.len())].trim_end();
    if token.is_empty() {
        // Point just after the last token rather than at the end of the text.
        let at = pre.map.to_input(before.len().saturating_sub(1)) + 1;
        return CdefError::at(
            ErrorKind::Syntax,
            at,
            "unexpected end of input (missing ';'?)",
        );
    }
    let is_ident = token.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$');
    // An unknown name where a declaration, member or parameter starts is an unknown type.
    let prev_word = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let at_start = before.is_empty()
        || before.ends_with([';', '{', '}', '(', ','])
        || matches!(
            prev_word,
            "const"
                | "volatile"
                | "extern"
                | "static"
                | "typedef"
                | "register"
                | "inline"
                | "__extension__"
                | "__const"
                | "__inline"
                | "__restrict"
                | "restrict"
        );
    if is_ident && at_start && expected.contains("<typedef_name>") && !reg.is_type_name(token) {
        return CdefError::at(
            ErrorKind::UnknownType,
            user,
            format!("unknown type name '{token}'"),
        );
    }
    // `f(...)`: lang-c wants a parameter before `...`.
    if token == "..." && source[..offset].trim_end().ends_with('(') {
        return CdefError::at(
            ErrorKind::InvalidType,
            user,
            "a function with only '(...)' as argument is not correct C",
        );
    }
    let mut want: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|e| !e.is_empty() && !e.starts_with('<') && *e != "#")
        .collect();
    want.sort_unstable();
    let hint = if !want.is_empty() && want.len() <= 6 {
        format!(
            " (expected {})",
            want.iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        String::new()
    };
    CdefError::at(
        ErrorKind::Syntax,
        user,
        format!("cannot parse: unexpected '{token}'{hint}"),
    )
}

/// The C token at the start of `s` (roughly: enough to name it in a message).
fn token_at(s: &str) -> &str {
    let s = s.trim_start();
    let Some(first) = s.chars().next() else {
        return "";
    };
    let end = if first.is_ascii_alphanumeric() || first == '_' || first == '$' {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(s.len())
    } else if s.starts_with("...") {
        3
    } else {
        first.len_utf8()
    };
    &s[..end]
}

//! C23's spellings, rewritten into the GNU C that lang-c reads: `[[...]]` attribute
//! specifiers, the new keywords, and an enum's fixed underlying type (`enum e : T`, whose
//! `: T` is blanked and handed to lowering in `Preprocessed::enum_types`; digit separators are
//! the walk's, `mod.rs`). gcc reads the attributes in every mode (`gcc -E` of a header that
//! tests `__has_c_attribute` keeps them), and C23 is gcc 15's default, whose `gcc -E` keeps
//! the keywords; a cdef reads them too.
//!
//! The keywords: `alignas` is `_Alignas`, `alignof` `_Alignof`, `static_assert` `_Static_assert`
//! (whose message may now be left out), `thread_local` `_Thread_local`, `constexpr` `const`
//! (a `constexpr` object is a constant with its value, as a `static const` one is), and
//! `typeof_unqual(T)` is `typeof(T)` without the qualifiers written in it; `true` and `false`
//! are 1 and 0 in constant expressions (`consteval`). `_BitInt(N)` is refused with its name.
//!
//! An attribute of the `gnu` namespace (`[[gnu::aligned(16)]]`, `[[__gnu__::__packed__]]`) is
//! GNU's own `__attribute__((...))`, spelled where it was written, so it means what it means
//! there; every other attribute — the standard ones (`[[nodiscard]]`, `[[deprecated("...")]]`,
//! `[[maybe_unused]]`...) and other vendors' (`[[clang::...]]`) — changes no layout and no call,
//! and is dropped, as gcc ignores attributes it does not know. Two places read differently:
//!
//! - after the `}` of a struct, union or enum body, C23 gives the attributes to the declared
//!   names, not to the type (gcc: "ignoring attributes applied to 'struct s' after
//!   definition"), where GNU's `__attribute__` there changes the type: they move in front of
//!   the `struct` keyword, where GNU's give them to the declared names too;
//! - on an enumerator, where lang-c reads no attribute and none changes a layout, all are
//!   dropped.

use super::{BraceKind, Edit, Open, Pass};
use crate::error::{ErrorKind, LResult};
use crate::lex::Tok;

impl Pass<'_, '_> {
    /// If token `i` starts an attribute specifier `[[ ... ]]`, the index of its last `]`.
    pub(super) fn std_attributes_end(&self, i: usize) -> Option<usize> {
        if !(self.is(i, "[") && self.is(i + 1, "[")) {
            return None;
        }
        let close = self.matching(i)?;
        (self.matching(i + 1)? + 1 == close).then_some(close)
    }

    /// The GNU spelling of the attribute specifier `[[ ... ]]` from token `open` to `close`:
    /// its `gnu` attributes as `__attribute__((...))`, or nothing when it has none. An
    /// attribute that is not `[namespace ::] name [(arguments)]` is an error at its first token.
    pub(super) fn std_attributes_gnu(&self, open: usize, close: usize) -> LResult<String> {
        let mut kept = Vec::new();
        let mut k = open + 2;
        let inner_end = close - 1;
        while k < inner_end {
            // One attribute, up to a comma outside parentheses (an empty one is allowed).
            let start = k;
            let mut depth = 0usize;
            while k < inner_end && !(depth == 0 && self.is(k, ",")) {
                match self.text(k) {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                k += 1;
            }
            if start < k {
                let (namespace, name) = self.attribute_shape(start, k)?;
                if matches!(namespace, Some("gnu" | "__gnu__")) {
                    kept.push(self.src[self.toks[name].start..self.toks[k - 1].end].to_string());
                }
            }
            k += 1;
        }
        Ok(if kept.is_empty() {
            String::new()
        } else {
            format!(" __attribute__(({})) ", kept.join(", "))
        })
    }

    /// An attribute's namespace and the index of its name: tokens `start..end` must be
    /// `[namespace ::] name [( balanced tokens )]`.
    fn attribute_shape(&self, start: usize, end: usize) -> LResult<(Option<&str>, usize)> {
        let ident = |k: usize| k < end && self.toks[k].kind == Tok::Ident;
        let scoped = ident(start) && self.is(start + 1, ":") && self.is(start + 2, ":");
        let name = if scoped { start + 3 } else { start };
        let args_ok = match name + 1 {
            k if k == end => true,
            k => self.is(k, "(") && self.matching(k) == Some(end - 1),
        };
        if !ident(name) || !args_ok {
            return Err(self.err(
                ErrorKind::Syntax,
                self.toks[start].start,
                "expected an attribute: `name`, `namespace::name`, either with `(arguments)`",
            ));
        }
        Ok((scoped.then(|| self.text(start)), name))
    }

    /// At `[[` (token `i`): rewrites the attribute specifier; returns the index after it.
    pub(super) fn std_attributes(&mut self, i: usize) -> LResult<usize> {
        let Some(close) = self.std_attributes_end(i) else {
            return Err(self.err(
                ErrorKind::Syntax,
                self.toks[i].start,
                "'[[' opens an attribute, closed by ']]'",
            ));
        };
        let (start, end) = (self.toks[i].start, self.toks[close].end);
        let on_enumerator = self.stack.last() == Some(&Open::Brace(BraceKind::Enum));
        let gnu = self.std_attributes_gnu(i, close)?;
        let gnu = if on_enumerator { String::new() } else { gnu };
        let after_body = self
            .closed_body
            .filter(|(brace, _)| i > 0 && *brace == i - 1)
            .map(|(_, keyword)| keyword);
        if let Some(keyword) = after_body {
            // A next specifier right after this one is after the body too.
            self.closed_body = Some((close, keyword));
        }
        match after_body {
            Some(keyword) if !gnu.is_empty() => {
                self.edits.push(Edit::Blank(start, end));
                let at = self.toks[keyword].start;
                self.edits.push(Edit::Insert(at, gnu, start));
            }
            _ if gnu.is_empty() => self.edits.push(Edit::Blank(start, end)),
            _ => self.edits.push(Edit::Replace(start, end, gnu)),
        }
        Ok(close + 1)
    }

    /// At a C23 keyword (token `i`): its rewrite, and the index of the next token to look at;
    /// `None` when `i` is not one.
    pub(super) fn c23_keyword(&mut self, i: usize) -> LResult<Option<usize>> {
        let t = self.toks[i];
        let same = |text: &str| Edit::Replace(t.start, t.end, text.to_string());
        match self.text(i) {
            "alignas" => return self.alignas(i).map(Some),
            "alignof" => self.edits.push(same("_Alignof")),
            "thread_local" => self.edits.push(same("_Thread_local")),
            "constexpr" => self.edits.push(same("const")),
            "static_assert" | "_Static_assert" => {
                if self.text(i) == "static_assert" {
                    self.edits.push(same("_Static_assert"));
                }
                self.assert_message(i);
            }
            "typeof_unqual" | "__typeof_unqual__" | "__typeof_unqual" => {
                self.edits.push(same("__typeof__"));
                if let Some(close) = self.is(i + 1, "(").then(|| self.matching(i + 1)).flatten() {
                    for k in i + 2..close {
                        if matches!(
                            self.text(k),
                            "const" | "volatile" | "__const" | "__volatile__" | "restrict"
                        ) {
                            let q = self.toks[k];
                            self.edits.push(Edit::Blank(q.start, q.end));
                        }
                    }
                }
            }
            "_BitInt" => {
                return Err(self.err(
                    ErrorKind::Unsupported,
                    t.start,
                    "_BitInt(N) (C23's bit-precise integers) is not supported",
                ));
            }
            _ => return Ok(None),
        }
        Ok(Some(i + 1))
    }

    /// `_Static_assert(e)` (C23 leaves the message out) gets an empty message, as lang-c reads
    /// only the two-argument form.
    fn assert_message(&mut self, i: usize) {
        let Some(close) = self.is(i + 1, "(").then(|| self.matching(i + 1)).flatten() else {
            return;
        };
        let mut depth = 0usize;
        for k in i + 2..close {
            match self.text(k) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => depth = depth.saturating_sub(1),
                "," if depth == 0 => return,
                _ => {}
            }
        }
        let at = self.toks[close].start;
        self.edits.push(Edit::Insert(at, ", \"\"".into(), at));
    }

    /// At `enum` (token `i`): C23's fixed underlying type, `enum [tag] : T {` or `enum [tag] :
    /// T;`, has its `: T` blanked and recorded for lowering. A `:` followed by anything but
    /// type words up to the `{` or `;` is left alone (`enum e : 3;` is a bitfield).
    pub(super) fn enum_base(&mut self, i: usize) -> LResult<()> {
        let mut j = i + 1;
        while let Some(end) = self.attribute_end(j) {
            j = end;
        }
        if j < self.toks.len() && self.toks[j].kind == Tok::Ident {
            j += 1;
        }
        if !self.is(j, ":") {
            return Ok(());
        }
        let colon = j;
        let first = colon + 1;
        if first >= self.toks.len() || !self.is_type_word(first) {
            return Ok(());
        }
        let mut k = first;
        while k < self.toks.len() && !(self.is(k, "{") || self.is(k, ";")) {
            if !self.is_type_word(k) {
                let t = self.toks[k];
                return Err(self.err(
                    ErrorKind::Syntax,
                    t.start,
                    format!(
                        "'{}' is not part of a type: C23's `enum e : T` takes an integer type",
                        self.text(k)
                    ),
                ));
            }
            k += 1;
        }
        let (t, last) = (self.toks[first], self.toks[k - 1]);
        self.edits
            .push(Edit::Blank(self.toks[colon].start, last.end));
        self.enum_types.push(super::EnumType {
            keyword: self.toks[i].start,
            at: t.start,
            text: &self.src[t.start..last.end],
        });
        Ok(())
    }

    /// Whether token `k` starts a type: a keyword of one, or a name declared as one (before
    /// this text or by a typedef earlier in it).
    pub(super) fn is_type_word(&self, k: usize) -> bool {
        let w = self.text(k);
        // (`bool` is a built-in type name.)
        super::TYPE_KEYWORDS.contains(&w)
            || self.names.is_type_name(w)
            || self.typedefs_so_far.contains(w)
    }
}

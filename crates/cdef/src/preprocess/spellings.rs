//! Spellings lang-c does not read, rewritten into ones it does: attributes before a tag's body
//! moved after it, `_Alignas`, `__int128`, and cffi's `...` forms given private names.

use super::{BraceKind, Edit, Open, Pass};
use crate::builtins::private;
use crate::error::{CdefError, ErrorKind, LResult};
use crate::lex::Tok;

impl Pass<'_, '_> {
    /// `struct __attribute__((...)) [tag] {` → the attributes move after the closing brace
    /// (C23's `[[...]]` there too, in their GNU spelling).
    pub(super) fn tag_attributes(&mut self, i: usize) {
        let mut j = i + 1;
        let first = j;
        let mut attrs = Vec::new();
        while let Some(end) = self.attribute_end(j) {
            attrs.push(if self.is(j, "[") {
                // A malformed one is reported where the walk reaches it.
                self.std_attributes_gnu(j, end - 1).unwrap_or_default()
            } else {
                self.src[self.toks[j].start..self.toks[end - 1].end].to_string()
            });
            j = end;
        }
        if j == first {
            return;
        }
        let attrs_end = j;
        if j < self.toks.len() && self.toks[j].kind == Tok::Ident && !self.is(j, "__attribute__") {
            j += 1;
        }
        // C23's `enum [tag] : T {`: the body follows the type.
        if self.is(i, "enum") && self.is(j, ":") {
            while j + 1 < self.toks.len() && self.toks[j + 1].kind == Tok::Ident {
                j += 1;
            }
            j += 1;
        }
        if !self.is(j, "{") {
            return;
        }
        let Some(close) = self.matching(j) else {
            return;
        };
        let (s, e) = (self.toks[first].start, self.toks[attrs_end - 1].end);
        let attrs = attrs.join(" ");
        self.edits.push(Edit::Blank(s, e));
        self.edits
            .push(Edit::Insert(self.toks[close].end, format!(" {attrs}"), s));
    }

    /// `_Alignas(x)` (C23: `alignas(x)`) → `__attribute__((aligned(x)))`, with `x` a type or
    /// an expression.
    pub(super) fn alignas(&mut self, i: usize) -> LResult<usize> {
        let t = self.toks[i];
        let keyword = self.text(i);
        if !self.is(i + 1, "(") {
            return Err(self.err(
                ErrorKind::Syntax,
                t.start,
                format!("expected '(' after {keyword}"),
            ));
        }
        let close = self.matching(i + 1).ok_or_else(|| {
            self.err(
                ErrorKind::Syntax,
                t.start,
                format!("unbalanced parentheses after {keyword}"),
            )
        })?;
        let inner_start = self.toks[i + 2.min(close - i)].start;
        let inner = &self.src[inner_start.min(self.toks[close].start)..self.toks[close].start];
        // A type (a typedef of this text included) or an expression.
        let is_type = i + 2 < close && self.is_type_word(i + 2);
        let arg = if is_type {
            format!("__alignof__({inner})")
        } else {
            inner.to_string()
        };
        for k in i + 2..close {
            if self.toks[k].kind == Tok::Ident {
                self.idents.insert(self.text(k));
            }
        }
        self.edits.push(Edit::Replace(
            t.start,
            self.toks[close].end,
            format!("__attribute__((aligned({arg})))"),
        ));
        Ok(close + 1)
    }

    /// `[signed|unsigned] __int128 [signed|unsigned]` → a private typedef name.
    pub(super) fn int128(&mut self, i: usize) -> usize {
        let mut start = self.toks[i].start;
        let mut end = self.toks[i].end;
        let mut unsigned = false;
        let mut next = i + 1;
        if i > 0
            && matches!(
                self.text(i - 1),
                "signed" | "unsigned" | "__signed__" | "__signed"
            )
        {
            unsigned = self.text(i - 1) == "unsigned";
            start = self.toks[i - 1].start;
        } else if matches!(
            self.toks.get(i + 1).map(|t| t.text(self.src)),
            Some("signed" | "unsigned")
        ) {
            unsigned = self.text(i + 1) == "unsigned";
            end = self.toks[i + 1].end;
            next = i + 2;
        }
        let name = if unsigned {
            private::UINT128
        } else {
            private::INT128
        };
        self.idents.insert(name);
        self.edits.push(Edit::Replace(start, end, name.into()));
        next
    }

    /// cffi's `...` forms.
    pub(super) fn ellipsis(&mut self, i: usize) -> LResult<usize> {
        let t = self.toks[i];
        let bad = |msg: &str| CdefError::at(ErrorKind::Ellipsis, t.start, msg.to_string());
        match self.stack.last() {
            // C's own variadic `...`.
            Some(Open::Paren) => Ok(i + 1),
            // `int a[...]`.
            Some(Open::Bracket) => {
                self.replace_tok(i, private::DOTDOTDOT);
                Ok(i + 1)
            }
            // `enum e { A, ... }` and `enum e { A = ... }`.
            Some(Open::Brace(BraceKind::Enum)) => {
                self.replace_tok(i, private::DOTDOTDOT);
                Ok(i + 1)
            }
            // `struct s { int a; ...; }`.
            Some(Open::Brace(BraceKind::Record)) => {
                let alone = i > 0 && (self.is(i - 1, ";") || self.is(i - 1, "{"));
                if !self.is(i + 1, ";") || !alone {
                    return Err(bad(
                        "bad usage of \"...\": in a struct body, write \"...;\"",
                    ));
                }
                self.idents.insert(private::PARTIAL_T);
                self.edits.push(Edit::Replace(
                    t.start,
                    t.end,
                    format!("{} {}", private::PARTIAL_T, private::DOTDOTDOT),
                ));
                Ok(i + 1)
            }
            Some(Open::Brace(BraceKind::Other)) => Err(bad("bad usage of \"...\"")),
            None => {
                // `typedef ... t;`
                if i > 0 && self.is(i - 1, "typedef") {
                    self.idents.insert(private::OPAQUE);
                    self.replace_tok(i, private::OPAQUE);
                    return Ok(i + 1);
                }
                // `typedef int... t;`, `typedef unsigned long ... t;`, `typedef double... t;`
                let mut j = i;
                let mut float = false;
                while j > 0 {
                    match self.text(j - 1) {
                        "int" | "long" | "short" | "char" | "signed" | "unsigned" => {}
                        "float" | "double" => float = true,
                        _ => break,
                    }
                    j -= 1;
                }
                if j < i && j > 0 && self.is(j - 1, "typedef") {
                    let name = if float {
                        private::UNKNOWN_FLOAT
                    } else {
                        private::UNKNOWN_INT
                    };
                    self.idents.insert(name);
                    self.edits
                        .push(Edit::Replace(self.toks[j].start, t.end, name.to_string()));
                    return Ok(i + 1);
                }
                Err(bad(
                    "bad usage of \"...\": outside a parameter list, cffi allows it only in \
                     'typedef ... t;', 'typedef int... t;', '[...]', enums and '...;' in structs",
                ))
            }
        }
    }

    fn replace_tok(&mut self, i: usize, name: &'static str) {
        self.idents.insert(name);
        let t = self.toks[i];
        self.edits
            .push(Edit::Replace(t.start, t.end, name.to_string()));
    }
}

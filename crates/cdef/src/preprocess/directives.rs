//! The pre-pass's directives: `#define` and `#undef` (kept for lowering, with their form and
//! parameters), `#pragma pack` and the pragmas that change nothing, and `# N "file"` line
//! markers. Every other directive is an error naming it.

use super::{Define, DefineForm, Edit, Pass};
use std::sync::Arc;

use crate::error::{CdefError, ErrorKind, LResult};
use crate::lex::{Tok, Token};
use crate::source::LineMarker;

impl Pass<'_, '_> {
    /// Handles the directive starting at `#` token `i`; returns the index after it.
    pub(super) fn directive(&mut self, i: usize) -> LResult<usize> {
        let mut end = i + 1;
        while end < self.toks.len() && !self.toks[end].bol {
            end += 1;
        }
        let hash = self.toks[i];
        let last = self.toks[end - 1];
        self.edits.push(Edit::Blank(hash.start, last.end));
        if end == i + 1 {
            // The null directive `#` does nothing.
            return Ok(end);
        }
        let name_tok = self.toks[i + 1];
        let name = name_tok.text(self.src);
        let line_text = &self.src[hash.start..last.end];
        match name {
            "define" => self.define(i, end)?,
            "undef" => self.undef(i, end)?,
            "pragma" => self.pragma(i, end)?,
            "line" => self.line_marker(i + 2, end, hash.start)?,
            _ if name_tok.kind == Tok::Number => self.line_marker(i + 1, end, hash.start)?,
            _ => {
                let what = if name_tok.kind == Tok::Ident {
                    format!("#{name}")
                } else {
                    line_text.to_string()
                };
                return Err(self.err(
                    ErrorKind::Directive,
                    hash.start,
                    format!(
                        "directive '{what}' is not supported: a cdef holds declarations; run the \
                         C preprocessor first (gcc -E) or paste the preprocessed text"
                    ),
                ));
            }
        }
        Ok(end)
    }

    fn define(&mut self, i: usize, end: usize) -> LResult<()> {
        let hash = self.toks[i];
        let Some(name_tok) = self.toks.get(i + 2).filter(|_| i + 2 < end) else {
            return Err(self.err(ErrorKind::Macro, hash.start, "#define without a name"));
        };
        let name = name_tok.text(self.src);
        if name_tok.kind != Tok::Ident {
            return Err(self.err(
                ErrorKind::Macro,
                name_tok.start,
                format!("macro name must be an identifier, not '{name}'"),
            ));
        }
        // A function-like macro has '(' right after the name, with no space.
        let function = self.is(i + 3, "(") && self.toks[i + 3].start == name_tok.end && i + 3 < end;
        let (form, params, variadic, body_start) = if function {
            let (params, variadic, after) = self.macro_params(i + 4, end, hash.start)?;
            (DefineForm::Function, params, variadic, after)
        } else {
            (DefineForm::Object, Vec::new(), false, i + 3)
        };
        let body: Vec<Token> = self.toks[body_start..end].to_vec();
        let body = if form == DefineForm::Object && body.len() == 1 && body[0].is(self.src, "...") {
            None
        } else {
            Some(body)
        };
        self.defines.push(Define {
            name: name.to_string(),
            name_pos: name_tok.start,
            body,
            pos: hash.start,
            form,
            params,
            variadic,
        });
        Ok(())
    }

    /// The parameters of a function-like macro, from token `i` (after its `(`) to the `)`:
    /// names, whether it ends in `...`, and the index after the `)`.
    fn macro_params(
        &self,
        mut i: usize,
        end: usize,
        at: usize,
    ) -> LResult<(Vec<String>, bool, usize)> {
        let mut params = Vec::new();
        let mut variadic = false;
        let bad = |this: &Self| {
            this.err(
                ErrorKind::Macro,
                at,
                "malformed parameter list of a function-like macro",
            )
        };
        if self.is(i, ")") && i < end {
            return Ok((params, false, i + 1));
        }
        while i < end {
            let t = self.toks[i];
            let text = t.text(self.src);
            if text == "..." {
                // `...` is named `__VA_ARGS__` in the body.
                variadic = true;
                params.push("__VA_ARGS__".to_string());
            } else if t.kind == Tok::Ident && !variadic {
                params.push(text.to_string());
                // GNU's named variadic parameter: `ARGS...`.
                if self.toks.get(i + 1).is_some_and(|n| n.is(self.src, "...")) && i + 1 < end {
                    variadic = true;
                    i += 1;
                }
            } else {
                return Err(bad(self));
            }
            i += 1;
            match self
                .toks
                .get(i)
                .filter(|_| i < end)
                .map(|t| t.text(self.src))
            {
                Some(",") if !variadic => i += 1,
                Some(")") => return Ok((params, variadic, i + 1)),
                _ => return Err(bad(self)),
            }
        }
        Err(bad(self))
    }

    fn undef(&mut self, i: usize, end: usize) -> LResult<()> {
        let hash = self.toks[i];
        let Some(name_tok) = self.toks.get(i + 2).filter(|_| i + 2 < end) else {
            return Err(self.err(ErrorKind::Macro, hash.start, "#undef without a name"));
        };
        let name = name_tok.text(self.src);
        if name_tok.kind != Tok::Ident || i + 3 < end {
            return Err(self.err(
                ErrorKind::Macro,
                name_tok.start,
                format!(
                    "#undef takes one macro name, not '{}'",
                    &self.src[name_tok.start..self.toks[end - 1].end]
                ),
            ));
        }
        self.defines.push(Define {
            name: name.to_string(),
            name_pos: name_tok.start,
            body: Some(Vec::new()),
            pos: hash.start,
            form: DefineForm::Undef,
            params: Vec::new(),
            variadic: false,
        });
        Ok(())
    }

    fn pragma(&mut self, i: usize, end: usize) -> LResult<()> {
        let hash = self.toks[i];
        let words: Vec<&str> = (i + 2..end).map(|k| self.text(k)).collect();
        match words.as_slice() {
            ["pack", rest @ ..] => self.pragma_pack(hash.start, self.toks[i + 2].start, rest),
            ["once"] | ["GCC", "system_header"] => Ok(()),
            // `target` and `optimize` change code generation, not layouts.
            [
                "GCC",
                "diagnostic" | "visibility" | "push_options" | "pop_options" | "target"
                | "optimize",
                ..,
            ] => Ok(()),
            // Reported and ignored, as cffi warns and ignores every `#pragma`.
            _ => {
                self.ignored_pragmas
                    .push((format!("#pragma {}", words.join(" ")), hash.start));
                Ok(())
            }
        }
    }

    /// `#pragma pack(N)`, `pack()`, `pack(push[, N])`, `pack(pop[, N])`, with MSVC's optional
    /// identifiers (`pack(push, id, N)`).
    fn pragma_pack(&mut self, at: usize, pack_pos: usize, rest: &[&str]) -> LResult<()> {
        let bad = |msg: String| CdefError::at(ErrorKind::Directive, pack_pos, msg);
        let inner = match rest {
            ["(", inner @ .., ")"] => inner,
            _ => {
                return Err(bad(
                    "malformed '#pragma pack': expected '#pragma pack(...)'".into(),
                ));
            }
        };
        let args: Vec<&str> = inner.iter().copied().filter(|t| *t != ",").collect();
        let parse_n = |s: &str| -> LResult<Option<u64>> {
            let v: u64 = crate::consteval::parse_int_literal(s)
                .ok()
                .and_then(|v| u64::try_from(v.value).ok())
                .ok_or_else(|| bad(format!("'#pragma pack' expects a number, got '{s}'")))?;
            if !matches!(v, 1 | 2 | 4 | 8 | 16) {
                return Err(bad(format!(
                    "'#pragma pack({v})': alignment must be 1, 2, 4, 8 or 16"
                )));
            }
            Ok(Some(v))
        };
        match args.as_slice() {
            [] => self.pack = self.default_pack,
            // MSVC's forms take an optional identifier: push[, id][, n], pop[, id | n].
            ["push", rest @ ..] if rest.len() <= 2 => {
                let number = |s: &&str| s.as_bytes()[0].is_ascii_digit();
                if rest.len() == 2 && (number(&rest[0]) || !number(&rest[1])) {
                    return Err(bad(format!(
                        "malformed '#pragma pack({})'",
                        args.join(", ")
                    )));
                }
                self.pack_stack.push(self.pack);
                if let Some(n) = rest.iter().find(|s| number(s)) {
                    self.pack = parse_n(n)?;
                }
            }
            ["pop", rest @ ..] if rest.len() <= 1 => {
                self.pack = self.pack_stack.pop().unwrap_or(self.default_pack);
                if let Some(n) = rest.iter().find(|s| s.as_bytes()[0].is_ascii_digit()) {
                    self.pack = parse_n(n)?;
                }
            }
            ["show"] => return Ok(()),
            [n] => self.pack = parse_n(n)?,
            _ => {
                return Err(bad(format!(
                    "malformed '#pragma pack({})'",
                    args.join(", ")
                )));
            }
        }
        self.packs.push((at, self.pack));
        Ok(())
    }

    /// `# N "file" flags` and `#line N "file"`: the next line is line N of "file".
    pub(super) fn line_marker(&mut self, num: usize, end: usize, at: usize) -> LResult<()> {
        let bad = || {
            CdefError::at(
                ErrorKind::Directive,
                at,
                "malformed line marker: expected '# N \"file\"' or '#line N \"file\"'".to_string(),
            )
        };
        if num >= end || self.toks[num].kind != Tok::Number {
            return Err(bad());
        }
        let line: u32 = self.text(num).parse().map_err(|_| bad())?;
        let file = match self.toks.get(num + 1) {
            Some(t) if num + 1 < end && t.kind == Tok::Str => {
                let s = t.text(self.src);
                Some(Arc::from(&s[1..s.len() - 1]))
            }
            _ => None,
        };
        // The marker applies from the next line on.
        let last = self.toks[end - 1].end;
        let next_line = self.src[last..]
            .find('\n')
            .map_or(self.src.len(), |p| last + p + 1);
        self.markers.push(LineMarker {
            next_line,
            line,
            file,
        });
        Ok(())
    }
}

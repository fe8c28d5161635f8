//! A small recursive-descent parser over [`lex`](crate::lex) tokens for the two grammars that
//! lang-c is not used for: type strings (`"int(*)(int, char *)"`, `"struct foo *[4]"`) and
//! `#define` values (integer constant expressions).
//!
//! Type strings are parsed against the registry directly, so a new type string costs the same
//! however many typedefs exist (cffi re-parses a prelude of every typedef: O(typedefs)).
//! Type names are parsed here; expressions in [`expr`].

use crate::consteval;
use crate::ctype::{CTypeId, FuncSig, Record, RecordKind};
use crate::error::{CdefError, ErrorKind, LResult, Located};
use crate::lex::{Tok, Token};
use crate::registry::Registry;
use crate::types::{self, KeywordSpec};

mod expr;

pub(crate) struct TokParser<'a, 'r> {
    src: &'a str,
    toks: &'a [Token],
    pos: usize,
    pub(crate) reg: &'r mut Registry,
    /// Offset used for errors at the end of input.
    end: usize,
    /// The struct, union and enum bodies the type string defines, declared beforehand.
    pub(crate) bodies: Vec<crate::type_body::Body>,
}

/// One level of a declarator: pointers, then an optional nested declarator, then suffixes.
struct Declarator {
    /// Each `*`, and the alignment an `aligned` attribute after it gives the pointer.
    pointers: Vec<Option<u64>>,
    inner: Option<Box<Declarator>>,
    suffixes: Vec<Suffix>,
}

enum Suffix {
    Array(Option<u64>, usize),
    Function(Vec<CTypeId>, bool, usize),
}

const QUALIFIERS: [&str; 12] = [
    "const",
    "volatile",
    "restrict",
    "__restrict",
    "__restrict__",
    "__const",
    "__const__",
    "__volatile",
    "__volatile__",
    "_Atomic",
    "__extension__",
    "register",
];

impl<'a, 'r> TokParser<'a, 'r> {
    pub(crate) fn new(src: &'a str, toks: &'a [Token], reg: &'r mut Registry, end: usize) -> Self {
        TokParser {
            src,
            toks,
            pos: 0,
            reg,
            end,
            bodies: Vec::new(),
        }
    }

    fn peek(&self) -> Option<&'a str> {
        self.toks.get(self.pos).map(|t| t.text(self.src))
    }

    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |t| t.start)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.peek() == Some(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn unexpected(&self, what: &str) -> Located {
        match self.toks.get(self.pos) {
            Some(t) => CdefError::at(
                ErrorKind::Syntax,
                t.start,
                format!("unexpected '{}', expected {what}", t.text(self.src)),
            ),
            None => CdefError::at(
                ErrorKind::Syntax,
                self.end,
                format!("unexpected end of input, expected {what}"),
            ),
        }
    }

    fn expect(&mut self, s: &str) -> LResult<()> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("'{s}'")))
        }
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    pub(crate) fn expect_end(&self) -> LResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.unexpected("end of input"))
        }
    }

    /// Whether the next token can start a type name.
    fn starts_type(&self) -> bool {
        self.starts_type_at(self.pos)
    }

    /// Whether token `k` can start a type name.
    pub(super) fn starts_type_at(&self, k: usize) -> bool {
        match self.toks.get(k) {
            Some(t) if t.kind == Tok::Ident => {
                let s = t.text(self.src);
                types::is_type_keyword(s)
                    || QUALIFIERS.contains(&s)
                    || matches!(s, "struct" | "union" | "enum")
                    || self.reg.is_type_name(s)
            }
            _ => false,
        }
    }

    // --- Type names ---

    /// `specifiers abstract-declarator`, with an optional (ignored) declarator name.
    pub(crate) fn type_name(&mut self) -> LResult<CTypeId> {
        let base = self.specifiers()?;
        let d = self.declarator()?;
        self.build(base, &d)
    }

    fn specifiers(&mut self) -> LResult<CTypeId> {
        let start = self.here();
        let mut kw = KeywordSpec::default();
        let mut named: Option<CTypeId> = None;
        while let Some(t) = self.toks.get(self.pos).copied() {
            if t.kind != Tok::Ident {
                break;
            }
            let s = t.text(self.src);
            if QUALIFIERS.contains(&s) {
                self.pos += 1;
                if s == "_Atomic" && self.peek() == Some("(") {
                    return Err(CdefError::at(
                        ErrorKind::Unsupported,
                        t.start,
                        "_Atomic(type) is not supported",
                    ));
                }
                continue;
            }
            if s == "__attribute__" || s == "__attribute" {
                self.pos += 1;
                self.skip_parens()?;
                continue;
            }
            if types::is_type_keyword(s) {
                if named.is_some() {
                    return Err(CdefError::at(
                        ErrorKind::Syntax,
                        t.start,
                        format!("'{s}' cannot be combined with a named type"),
                    ));
                }
                kw.add(s)
                    .map_err(|m| CdefError::at(ErrorKind::Syntax, t.start, m))?;
                self.pos += 1;
                continue;
            }
            if matches!(s, "struct" | "union" | "enum") {
                if named.is_some() || !kw.is_empty() {
                    return Err(CdefError::at(
                        ErrorKind::Syntax,
                        t.start,
                        format!("'{s}' cannot be combined with other type specifiers"),
                    ));
                }
                self.pos += 1;
                named = Some(self.tag_ref(s, t.start)?);
                continue;
            }
            if named.is_none() && kw.is_empty() {
                if let Some(id) = self.reg.typedef(s) {
                    self.pos += 1;
                    named = Some(id);
                    continue;
                }
                let near = crate::did_you_mean(
                    s,
                    self.reg
                        .decls()
                        .filter(|(_, d)| matches!(d, crate::Decl::Typedef { .. }))
                        .map(|(n, _)| n),
                );
                return Err(CdefError::at(
                    ErrorKind::UnknownType,
                    t.start,
                    format!("unknown identifier '{s}'{near}"),
                ));
            }
            break;
        }
        match named {
            Some(id) => Ok(id),
            None if kw.is_empty() => Err(if self.at_end() && self.pos == 0 {
                CdefError::at(ErrorKind::Syntax, start, "empty type")
            } else {
                self.unexpected("a type")
            }),
            None => kw
                .resolve(self.reg)
                .map_err(|m| CdefError::at(ErrorKind::InvalidType, start, m)),
        }
    }

    /// `struct tag`, `union tag`, `enum tag` in a type string: an existing tag, or a newly
    /// declared opaque one (as C does when a tag is first mentioned).
    fn tag_ref(&mut self, keyword: &str, at: usize) -> LResult<CTypeId> {
        if let Some(b) = self
            .bodies
            .iter()
            .find(|b| b.keyword + 1 == self.pos)
            .copied()
        {
            self.pos = b.end;
            return Ok(b.id);
        }
        let Some(t) = self
            .toks
            .get(self.pos)
            .copied()
            .filter(|t| t.kind == Tok::Ident)
        else {
            return Err(self.unexpected(&format!("a {keyword} name")));
        };
        self.pos += 1;
        let name = t.text(self.src);
        types::tag_reference(self.reg, keyword, name)
            .map_err(|m| CdefError::at(ErrorKind::Redeclared, at, m))
    }

    fn skip_parens(&mut self) -> LResult<()> {
        self.expect("(")?;
        let mut depth = 1;
        while depth > 0 {
            match self.peek() {
                Some("(") => depth += 1,
                Some(")") => depth -= 1,
                Some(_) => {}
                None => return Err(self.unexpected("')'")),
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn declarator(&mut self) -> LResult<Declarator> {
        let mut pointers = Vec::new();
        loop {
            if self.eat("*") {
                let mut align = None;
                while let Some(s) = self.peek() {
                    if QUALIFIERS.contains(&s) {
                        self.pos += 1;
                    } else if s == "__attribute__" || s == "__attribute" {
                        self.pos += 1;
                        align = self.pointer_attribute()?.or(align);
                    } else {
                        break;
                    }
                }
                pointers.push(align);
                continue;
            }
            if let Some(cc) = self.peek().filter(|s| types::is_calling_convention(s)) {
                let _ = cc;
                self.pos += 1;
                continue;
            }
            break;
        }
        let mut inner = None;
        if self.peek() == Some("(") && self.is_grouping() {
            self.pos += 1;
            inner = Some(Box::new(self.declarator()?));
            self.expect(")")?;
        } else if let Some(t) = self.toks.get(self.pos).filter(|t| t.kind == Tok::Ident) {
            // A declarator name (`"int x"`): accepted and ignored, as cffi does.
            let s = t.text(self.src);
            if !types::is_type_keyword(s) && !QUALIFIERS.contains(&s) {
                self.pos += 1;
            }
        }
        let mut suffixes = Vec::new();
        loop {
            let at = self.here();
            if self.eat("[") {
                if self.eat("]") {
                    suffixes.push(Suffix::Array(None, at));
                    continue;
                }
                let e = self.expr()?;
                self.expect("]")?;
                let v = consteval::eval(&e, &*self.reg)?;
                if v.value < 0 {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        at,
                        "negative array length",
                    ));
                }
                let len = u64::try_from(v.value).map_err(|_| {
                    CdefError::at(ErrorKind::InvalidType, at, "array length too large")
                })?;
                suffixes.push(Suffix::Array(Some(len), at));
            } else if self.peek() == Some("(") {
                self.pos += 1;
                let (params, variadic) = self.params(at)?;
                suffixes.push(Suffix::Function(params, variadic, at));
            } else {
                break;
            }
        }
        Ok(Declarator {
            pointers,
            inner,
            suffixes,
        })
    }

    /// An attribute list after a pointer's `*`, past `__attribute__`: the alignment its
    /// `aligned(N)` (or `aligned`, the target's biggest) gives the pointer, as in a cdef; the
    /// other attributes change nothing here (gcc ignores `packed` on a pointer).
    fn pointer_attribute(&mut self) -> LResult<Option<u64>> {
        self.expect("(")?;
        self.expect("(")?;
        let mut align = None;
        while !self.eat(")") {
            let at = self.here();
            let name = self.peek().ok_or_else(|| self.unexpected("an attribute"))?;
            self.pos += 1;
            let aligned = matches!(name, "aligned" | "__aligned__");
            if aligned && self.peek() != Some("(") {
                align = Some(self.reg.target.biggest_alignment());
            } else if aligned {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                let v = consteval::eval(&e, &*self.reg)?;
                let n = types::alignment(v.value)
                    .map_err(|m| CdefError::at(ErrorKind::InvalidType, at, m))?;
                align = Some(n);
            } else if self.peek() == Some("(") {
                self.skip_parens()?;
            }
            if !self.eat(",") {
                self.expect(")")?;
                break;
            }
        }
        self.expect(")")?;
        Ok(align)
    }

    /// At a `(` in a declarator: a grouping `(*p)` rather than a parameter list `(int)`?
    fn is_grouping(&self) -> bool {
        match self.toks.get(self.pos + 1) {
            Some(t) => {
                let s = t.text(self.src);
                s == "*"
                    || s == "("
                    || types::is_calling_convention(s)
                    || (t.kind == Tok::Ident
                        && !types::is_type_keyword(s)
                        && !QUALIFIERS.contains(&s)
                        && !matches!(s, "struct" | "union" | "enum" | "__attribute__")
                        && !self.reg.is_type_name(s))
            }
            None => false,
        }
    }

    /// A parameter list after its `(`; `()` and `(void)` have no parameters.
    fn params(&mut self, at: usize) -> LResult<(Vec<CTypeId>, bool)> {
        let mut params: Vec<(CTypeId, usize)> = Vec::new();
        if self.eat(")") {
            return Ok((Vec::new(), false));
        }
        if self.peek() == Some("...") {
            return Err(CdefError::at(
                ErrorKind::InvalidType,
                at,
                "a function with only '(...)' as argument is not correct C",
            ));
        }
        let mut variadic = false;
        loop {
            if self.eat("...") {
                variadic = true;
                self.expect(")")?;
                break;
            }
            let start = self.here();
            let ty = self.type_name()?;
            params.push((ty, start));
            if self.eat(")") {
                break;
            }
            self.expect(",")?;
        }
        let params = types::adjust_params(self.reg, params)?;
        Ok((params, variadic))
    }

    fn build(&mut self, base: CTypeId, d: &Declarator) -> LResult<CTypeId> {
        let mut t = base;
        for align in &d.pointers {
            t = self.reg.pointer_to(t);
            if let Some(a) = *align {
                t = types::aligned_pointer(self.reg, t, a);
            }
        }
        for s in d.suffixes.iter().rev() {
            t = match s {
                Suffix::Array(len, pos) => types::make_array(self.reg, t, *len)
                    .map_err(|m| CdefError::at(ErrorKind::InvalidType, *pos, m))?,
                Suffix::Function(params, variadic, pos) => types::make_function(
                    self.reg,
                    FuncSig {
                        ret: t,
                        params: params.clone(),
                        variadic: *variadic,
                        abi: Default::default(),
                    },
                )
                .map_err(|m| CdefError::at(ErrorKind::InvalidType, *pos, m))?,
            };
        }
        match &d.inner {
            Some(inner) => self.build(t, inner),
            None => Ok(t),
        }
    }
}

impl Registry {
    /// Declares a tag mentioned in a type string (helper for [`types::tag_reference`]).
    pub(crate) fn declare_opaque(&mut self, kind: RecordKind, name: &str) -> CTypeId {
        let id = self.new_record(Record {
            kind,
            tag: Some(name.into()),
            display: format!("{} {name}", kind.keyword()).into(),
            fields: None,
            partial: false,
            packed: false,
            aligned: None,
            pack: None,
            transparent: false,
        });
        self.set_tag(name, id);
        id
    }
}

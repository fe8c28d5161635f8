//! A small recursive-descent parser over [`lex`](crate::lex) tokens for the two grammars that
//! lang-c is not used for: type strings (`"int(*)(int, char *)"`, `"struct foo *[4]"`) and
//! `#define` values (integer constant expressions).
//!
//! Type strings are parsed against the registry directly, so a new type string costs the same
//! however many typedefs exist (cffi re-parses a prelude of every typedef: O(typedefs)).

use crate::consteval::{
    self, BinOp, EvalEnv, Expr, ExprKind, IntTy, IntVal, OffsetStep, UnOp, parse_char_literal,
    parse_int_literal,
};
use crate::ctype::{CTypeId, CTypeKind, FuncSig, Prim, Record, RecordKind};
use crate::error::{CdefError, ErrorKind, LResult, Located};
use crate::lex::{Tok, Token};
use crate::registry::Registry;
use crate::types::{self, KeywordSpec};

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
        match self.toks.get(self.pos) {
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
                        .filter(|(_, d)| matches!(d, crate::Decl::Typedef(_)))
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

    // --- Expressions ---

    /// An expression (comma operator included).
    pub(crate) fn expr(&mut self) -> LResult<Expr> {
        let mut e = self.conditional()?;
        while self.peek() == Some(",") && self.in_expr_list() {
            let pos = self.here();
            self.pos += 1;
            let r = self.conditional()?;
            e = bin(BinOp::Comma, e, r, pos);
        }
        Ok(e)
    }

    /// Commas separate macro-expression operands, but never inside `[...]` sizes here.
    fn in_expr_list(&self) -> bool {
        true
    }

    fn conditional(&mut self) -> LResult<Expr> {
        let c = self.binary(0)?;
        if self.peek() == Some("?") {
            let pos = self.here();
            self.pos += 1;
            let t = self.expr()?;
            self.expect(":")?;
            let f = self.conditional()?;
            return Ok(Expr {
                kind: ExprKind::Cond(Box::new(c), Box::new(t), Box::new(f)),
                pos,
            });
        }
        Ok(c)
    }

    fn binary(&mut self, min_prec: u8) -> LResult<Expr> {
        let mut lhs = self.unary()?;
        while let Some((op, prec)) = self.peek().and_then(binop) {
            if prec < min_prec {
                break;
            }
            let pos = self.here();
            self.pos += 1;
            let rhs = self.binary(prec + 1)?;
            lhs = bin(op, lhs, rhs, pos);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> LResult<Expr> {
        let pos = self.here();
        let op = match self.peek() {
            Some("+") => Some(UnOp::Plus),
            Some("-") => Some(UnOp::Minus),
            Some("!") => Some(UnOp::Not),
            Some("~") => Some(UnOp::Complement),
            _ => None,
        };
        if let Some(op) = op {
            self.pos += 1;
            let a = self.unary()?;
            return Ok(Expr {
                kind: ExprKind::Unary(op, Box::new(a)),
                pos,
            });
        }
        match self.peek() {
            Some("sizeof") => {
                self.pos += 1;
                if self.peek() == Some("(") && self.type_follows_paren() {
                    self.pos += 1;
                    let ty = self.type_name()?;
                    self.expect(")")?;
                    return Ok(Expr {
                        kind: ExprKind::SizeOfType(ty),
                        pos,
                    });
                }
                let a = self.unary()?;
                return Ok(Expr {
                    kind: ExprKind::SizeOfExpr(Box::new(a)),
                    pos,
                });
            }
            Some("_Alignof" | "__alignof__" | "__alignof" | "alignof") => {
                self.pos += 1;
                self.expect("(")?;
                let ty = self.type_name()?;
                self.expect(")")?;
                return Ok(Expr {
                    kind: ExprKind::AlignOfType(ty),
                    pos,
                });
            }
            Some("(") if self.type_follows_paren() => {
                self.pos += 1;
                let ty = self.type_name()?;
                self.expect(")")?;
                let a = self.unary()?;
                return Ok(Expr {
                    kind: ExprKind::Cast(ty, Box::new(a)),
                    pos,
                });
            }
            _ => {}
        }
        let e = self.primary()?;
        self.postfix(e)
    }

    /// `->member`, `.member` and `[index]` after a constant pointer to a record
    /// (`((T *)0)->a.b[2]`): a member whose size `sizeof` can take.
    fn postfix(&mut self, mut e: Expr) -> LResult<Expr> {
        loop {
            let step = match self.peek() {
                Some("->") => {
                    let ExprKind::Cast(ty, _) = &e.kind else {
                        return Err(self.unexpected("a constant pointer before '->'"));
                    };
                    let ty = self.reg.strip_aligned(*ty);
                    let CTypeKind::Pointer(record) = *self.reg.kind(ty) else {
                        return Err(self.unexpected("a pointer type before '->'"));
                    };
                    self.pos += 1;
                    let name = self.member_name()?;
                    e = Expr {
                        kind: ExprKind::Member(record, vec![OffsetStep::Field(name)]),
                        pos: e.pos,
                    };
                    continue;
                }
                Some(".") if matches!(e.kind, ExprKind::Member(..)) => {
                    self.pos += 1;
                    OffsetStep::Field(self.member_name()?)
                }
                Some("[") if matches!(e.kind, ExprKind::Member(..)) => {
                    self.pos += 1;
                    let index = self.expr()?;
                    self.expect("]")?;
                    OffsetStep::Index(Box::new(index))
                }
                _ => return Ok(e),
            };
            if let ExprKind::Member(_, steps) = &mut e.kind {
                steps.push(step);
            }
        }
    }

    fn member_name(&mut self) -> LResult<String> {
        match self.toks.get(self.pos) {
            Some(t) if t.kind == Tok::Ident => {
                self.pos += 1;
                Ok(t.text(self.src).to_string())
            }
            _ => Err(self.unexpected("a member name")),
        }
    }

    fn type_follows_paren(&self) -> bool {
        match self.toks.get(self.pos + 1) {
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

    fn primary(&mut self) -> LResult<Expr> {
        let Some(t) = self.toks.get(self.pos).copied() else {
            return Err(self.unexpected("an expression"));
        };
        let pos = t.start;
        let text = t.text(self.src);
        let kind = match t.kind {
            Tok::Number => match parse_int_literal(text) {
                Ok(v) => ExprKind::Int(v),
                Err(m) => match crate::macros::parse_float_literal(text) {
                    Some((value, ty)) => ExprKind::Float(value, ty, text.into()),
                    None => ExprKind::Invalid(ErrorKind::ConstExpr, m),
                },
            },
            Tok::Char => match parse_char_literal(text, self.reg.target.char_signed) {
                Ok(v) => ExprKind::Int(v),
                Err(m) => ExprKind::Invalid(ErrorKind::ConstExpr, m),
            },
            Tok::Str => {
                // Adjacent literals are one string ("a" "b" is "ab").
                let mut bytes = Vec::new();
                while let Some(s) = self.toks.get(self.pos).filter(|t| t.kind == Tok::Str) {
                    match crate::macros::string_literal_bytes(s.text(self.src)) {
                        Ok(b) => bytes.extend_from_slice(&b),
                        Err(m) => return Err(CdefError::at(ErrorKind::ConstExpr, s.start, m)),
                    }
                    self.pos += 1;
                }
                return Ok(Expr {
                    kind: ExprKind::Str(bytes),
                    pos,
                });
            }
            Tok::Ident => {
                if self.starts_type() {
                    return Err(CdefError::at(
                        ErrorKind::ConstExpr,
                        pos,
                        format!("'{text}' is a type, not a constant"),
                    ));
                }
                if self
                    .toks
                    .get(self.pos + 1)
                    .is_some_and(|n| n.is(self.src, "("))
                {
                    return self.call(text, pos);
                }
                ExprKind::Name(text.into())
            }
            Tok::Punct if text == "(" => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(")")?;
                return Ok(e);
            }
            Tok::Punct => return Err(self.unexpected("an expression")),
        };
        self.pos += 1;
        Ok(Expr { kind, pos })
    }
}

impl TokParser<'_, '_> {
    /// A call `name(args)` at `name` (the current token), as a macro's value may hold one.
    fn call(&mut self, name: &str, pos: usize) -> LResult<Expr> {
        self.pos += 2;
        let mut args = Vec::new();
        if self.peek() != Some(")") {
            loop {
                args.push(self.conditional()?);
                if self.peek() != Some(",") {
                    break;
                }
                self.pos += 1;
            }
        }
        self.expect(")")?;
        Ok(Expr {
            kind: ExprKind::Call(name.into(), args),
            pos,
        })
    }
}

fn bin(op: BinOp, a: Expr, b: Expr, pos: usize) -> Expr {
    Expr {
        kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
        pos,
    }
}

/// Binary operators and their precedence (higher binds tighter).
fn binop(s: &str) -> Option<(BinOp, u8)> {
    Some(match s {
        "||" => (BinOp::Or, 1),
        "&&" => (BinOp::And, 2),
        "|" => (BinOp::BitOr, 3),
        "^" => (BinOp::BitXor, 4),
        "&" => (BinOp::BitAnd, 5),
        "==" => (BinOp::Eq, 6),
        "!=" => (BinOp::Ne, 6),
        "<" => (BinOp::Lt, 7),
        ">" => (BinOp::Gt, 7),
        "<=" => (BinOp::Le, 7),
        ">=" => (BinOp::Ge, 7),
        "<<" => (BinOp::Shl, 8),
        ">>" => (BinOp::Shr, 8),
        "+" => (BinOp::Add, 9),
        "-" => (BinOp::Sub, 9),
        "*" => (BinOp::Mul, 10),
        "/" => (BinOp::Div, 10),
        "%" => (BinOp::Rem, 10),
        _ => return None,
    })
}

impl EvalEnv for Registry {
    fn constant(&self, name: &str) -> Option<IntVal> {
        self.integer_const(name)
    }

    fn why_no_value(&self, name: &str) -> Option<String> {
        self.no_value_reason(name)
    }

    fn size_align(&self, ty: CTypeId) -> Result<(u64, u64), String> {
        crate::layout::compute_type(self, ty)
            .map(|l| (l.size, l.align))
            .map_err(|e| e.to_string())
    }

    fn cast_target(&self, ty: CTypeId) -> Result<IntTy, String> {
        let ty = self.strip_aligned(ty);
        match self.kind(ty) {
            CTypeKind::Prim(p) => match self.target.repr(*p) {
                crate::ctype::PrimRepr::Int { bytes, signed } => Ok(IntTy::new(bytes * 8, signed)),
                crate::ctype::PrimRepr::Bool => Ok(IntTy {
                    bits: 8,
                    signed: false,
                    bool_: true,
                }),
                _ => Err(format!(
                    "cast to '{}' in an integer constant expression",
                    p.name()
                )),
            },
            CTypeKind::Enum(e) => {
                let p = self.enum_def(*e).underlying;
                self.cast_target_prim(p)
            }
            CTypeKind::Pointer(_) => Ok(IntTy::ULONG),
            _ => Err(format!(
                "cast to '{}' in an integer constant expression",
                self.cname(ty)
            )),
        }
    }

    fn offset_of(&self, ty: CTypeId, path: &[crate::consteval::PathStep]) -> Result<i64, String> {
        self.offset_path(ty, path)
            .map(|r| r.0)
            .map_err(|e| e.to_string())
    }

    fn member_size(&self, ty: CTypeId, path: &[crate::consteval::PathStep]) -> Result<u64, String> {
        let (_, member) = self.offset_path(ty, path).map_err(|e| e.to_string())?;
        self.size_align(member).map(|(size, _)| size)
    }
}

impl Registry {
    fn cast_target_prim(&self, p: Prim) -> Result<IntTy, String> {
        match self.target.repr(p) {
            crate::ctype::PrimRepr::Int { bytes, signed } => Ok(IntTy::new(bytes * 8, signed)),
            _ => Err(format!("cast to '{}'", p.name())),
        }
    }

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

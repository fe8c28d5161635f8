//! The expressions of [`TokParser`]: integer constant expressions, as array lengths in type
//! strings and `#define` values hold them, parsed into [`Expr`] for `consteval` to evaluate
//! against the registry ([`EvalEnv`] for [`Registry`]).

use super::TokParser;
use crate::consteval::{
    BinOp, EvalEnv, Expr, ExprKind, IntTy, IntVal, OffsetStep, UnOp, parse_char_literal,
    parse_int_literal,
};
use crate::ctype::{CTypeId, CTypeKind, Prim};
use crate::error::{CdefError, ErrorKind, LResult};
use crate::lex::Tok;
use crate::registry::Registry;

impl TokParser<'_, '_> {
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
        self.starts_type_at(self.pos + 1)
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
}

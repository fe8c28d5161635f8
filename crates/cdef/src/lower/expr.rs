//! lang-c expressions to [`Expr`] (constant expressions only).

use lang_c::ast::{self, Constant, Expression, OffsetMember, UnaryOperator};
use lang_c::span::Node;

use super::Lowerer;
use crate::consteval::{
    BinOp, Expr, ExprKind, IntVal, OffsetStep, UnOp, eval, parse_char_literal, parse_int_literal,
};
use crate::error::{ErrorKind, LResult};

impl Lowerer<'_, '_> {
    /// Converts and evaluates an integer constant expression.
    pub(super) fn eval(&mut self, e: &Node<Expression>) -> LResult<IntVal> {
        let x = self.expr(e)?;
        eval(&x, &*self.reg)
    }

    pub(super) fn expr(&mut self, e: &Node<Expression>) -> LResult<Expr> {
        // Errors about an operator point at the operator, not at its left operand.
        let pos = match &e.node {
            Expression::BinaryOperator(b) => self.pos(b.node.operator.span.start),
            Expression::UnaryOperator(u) => self.pos(u.node.operator.span.start),
            _ => self.pos(e.span.start),
        };
        let invalid = |what: &str| {
            ExprKind::Invalid(
                ErrorKind::ConstExpr,
                format!("{what} is not allowed in an integer constant expression"),
            )
        };
        let kind = match &e.node {
            Expression::Identifier(id) => ExprKind::Name(id.node.name.as_str().into()),
            Expression::Constant(c) => {
                let text = self.source_text(c.span.start, c.span.end);
                match &c.node {
                    Constant::Integer(i) if !i.suffix.imaginary => match parse_int_literal(text) {
                        Ok(v) => ExprKind::Int(v),
                        Err(m) => ExprKind::Invalid(ErrorKind::ConstExpr, m),
                    },
                    Constant::Integer(_) => invalid("an imaginary constant"),
                    Constant::Float(_) => ExprKind::Invalid(
                        ErrorKind::ConstExpr,
                        format!(
                            "'{text}' is a floating point constant; only integer constants are supported"
                        ),
                    ),
                    Constant::Character(_) => {
                        match parse_char_literal(text, self.reg.target.char_signed) {
                            Ok(v) => ExprKind::Int(v),
                            Err(m) => ExprKind::Invalid(ErrorKind::ConstExpr, m),
                        }
                    }
                }
            }
            Expression::StringLiteral(_) => invalid("a string"),
            Expression::UnaryOperator(u) => {
                let op = match u.node.operator.node {
                    UnaryOperator::Plus => UnOp::Plus,
                    UnaryOperator::Minus => UnOp::Minus,
                    UnaryOperator::Complement => UnOp::Complement,
                    UnaryOperator::Negate => UnOp::Not,
                    _ => {
                        return Ok(Expr {
                            kind: invalid("this operator"),
                            pos,
                        });
                    }
                };
                ExprKind::Unary(op, Box::new(self.expr(&u.node.operand)?))
            }
            Expression::BinaryOperator(b) => {
                use ast::BinaryOperator as B;
                let op = match b.node.operator.node {
                    B::Multiply => BinOp::Mul,
                    B::Divide => BinOp::Div,
                    B::Modulo => BinOp::Rem,
                    B::Plus => BinOp::Add,
                    B::Minus => BinOp::Sub,
                    B::ShiftLeft => BinOp::Shl,
                    B::ShiftRight => BinOp::Shr,
                    B::Less => BinOp::Lt,
                    B::Greater => BinOp::Gt,
                    B::LessOrEqual => BinOp::Le,
                    B::GreaterOrEqual => BinOp::Ge,
                    B::Equals => BinOp::Eq,
                    B::NotEquals => BinOp::Ne,
                    B::BitwiseAnd => BinOp::BitAnd,
                    B::BitwiseXor => BinOp::BitXor,
                    B::BitwiseOr => BinOp::BitOr,
                    B::LogicalAnd => BinOp::And,
                    B::LogicalOr => BinOp::Or,
                    // `((T *)0)->a[2]`: an item of a member, for `sizeof`.
                    B::Index => {
                        let base = self.expr(&b.node.lhs)?;
                        let index = self.expr(&b.node.rhs)?;
                        let ExprKind::Member(record, mut steps) = base.kind else {
                            return Ok(Expr {
                                kind: invalid("indexing"),
                                pos,
                            });
                        };
                        steps.push(OffsetStep::Index(Box::new(index)));
                        return Ok(Expr {
                            kind: ExprKind::Member(record, steps),
                            pos,
                        });
                    }
                    _ => {
                        return Ok(Expr {
                            kind: invalid("this operator"),
                            pos,
                        });
                    }
                };
                let l = self.expr(&b.node.lhs)?;
                let r = self.expr(&b.node.rhs)?;
                ExprKind::Binary(op, Box::new(l), Box::new(r))
            }
            Expression::Conditional(c) => ExprKind::Cond(
                Box::new(self.expr(&c.node.condition)?),
                Box::new(self.expr(&c.node.then_expression)?),
                Box::new(self.expr(&c.node.else_expression)?),
            ),
            Expression::Cast(c) => {
                let ty = self.type_name(&c.node.type_name)?;
                ExprKind::Cast(ty, Box::new(self.expr(&c.node.expression)?))
            }
            Expression::SizeOfTy(s) => ExprKind::SizeOfType(self.type_name(&s.node.0)?),
            Expression::SizeOfVal(s) => ExprKind::SizeOfExpr(Box::new(self.expr(&s.node.0)?)),
            Expression::AlignOf(a) => ExprKind::AlignOfType(self.type_name(&a.node.0)?),
            Expression::Comma(list) => {
                let mut it = list.iter();
                let Some(first) = it.next() else {
                    return Ok(Expr {
                        kind: invalid("an empty expression"),
                        pos,
                    });
                };
                let mut acc = self.expr(first)?;
                for x in it {
                    let r = self.expr(x)?;
                    acc = Expr {
                        kind: ExprKind::Binary(BinOp::Comma, Box::new(acc), Box::new(r)),
                        pos,
                    };
                }
                return Ok(acc);
            }
            Expression::OffsetOf(o) => {
                let ty = self.type_name(&o.node.type_name)?;
                let d = &o.node.designator.node;
                let mut steps = vec![OffsetStep::Field(d.base.node.name.clone())];
                for m in &d.members {
                    match &m.node {
                        OffsetMember::Member(id) => {
                            steps.push(OffsetStep::Field(id.node.name.clone()))
                        }
                        OffsetMember::Index(x) => {
                            steps.push(OffsetStep::Index(Box::new(self.expr(x)?)))
                        }
                        OffsetMember::IndirectMember(_) => {
                            return Ok(Expr {
                                kind: invalid("'->' in offsetof"),
                                pos,
                            });
                        }
                    }
                }
                ExprKind::OffsetOf(ty, steps)
            }
            // `((T *)0)->a.b`: a member whose type `sizeof` can take.
            Expression::Member(m) => {
                let base = self.expr(&m.node.expression)?;
                let name = m.node.identifier.node.name.clone();
                match (&m.node.operator.node, base.kind) {
                    (ast::MemberOperator::Indirect, ExprKind::Cast(ty, _)) => {
                        let ty = self.reg.strip_aligned(ty);
                        match *self.reg.kind(ty) {
                            crate::ctype::CTypeKind::Pointer(record) => {
                                ExprKind::Member(record, vec![OffsetStep::Field(name)])
                            }
                            _ => invalid("'->' on something that is not a pointer"),
                        }
                    }
                    (ast::MemberOperator::Direct, ExprKind::Member(record, mut steps)) => {
                        steps.push(OffsetStep::Field(name));
                        ExprKind::Member(record, steps)
                    }
                    _ => invalid("member access"),
                }
            }
            Expression::Call(_) => invalid("a function call"),
            Expression::CompoundLiteral(_) => invalid("a compound literal"),
            Expression::VaArg(_) => invalid("va_arg"),
            Expression::Statement(_) => invalid("a statement expression"),
            Expression::GenericSelection(_) => invalid("_Generic"),
        };
        Ok(Expr { kind, pos })
    }
}

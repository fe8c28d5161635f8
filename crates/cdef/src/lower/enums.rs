//! Enums: their values, typed as gcc types them, and the integer type that holds them —
//! chosen as gcc chooses it, or C23's fixed one (`enum e : unsigned char { ... }`).

use lang_c::ast::EnumType;
use lang_c::span::{Node, Span};

use super::{Attr, Lowerer};
use crate::builtins::private;
use crate::consteval::{IntTy, IntVal};
use crate::ctype::{CTypeId, CTypeKind, EnumDef, Prim, PrimRepr};
use crate::error::{ErrorKind, LResult};
use crate::registry::Decl;
use crate::types;

impl Lowerer<'_, '_> {
    /// `enum` specifiers. Returns the type and whether a body was given.
    pub(super) fn enum_specifier(
        &mut self,
        et: &Node<EnumType>,
        trailing: &[Attr],
    ) -> LResult<(CTypeId, bool)> {
        let tag = et.node.identifier.as_ref().map(|i| i.node.name.as_str());
        let fixed = self.fixed_type(et.span)?;
        if et.node.enumerators.is_empty() {
            let Some(tag) = tag else {
                return Err(self.err(ErrorKind::Syntax, et.span, "anonymous enum without values"));
            };
            let id = types::tag_reference(self.reg, "enum", tag)
                .map_err(|m| self.err(ErrorKind::Redeclared, et.span, m))?;
            if let Some(p) = fixed {
                self.declare_fixed(id, p, tag, et.span)?;
            }
            return Ok((id, false));
        }
        let (id, existing) = match tag {
            Some(t) => match self.reg.tag(t) {
                Some(id) => {
                    types::check_tag_kind(self.reg, id, "enum", t)
                        .map_err(|m| self.err(ErrorKind::Redeclared, et.span, m))?;
                    (id, true)
                }
                None => {
                    let id = types::tag_reference(self.reg, "enum", t)
                        .map_err(|m| self.err(ErrorKind::Redeclared, et.span, m))?;
                    (id, false)
                }
            },
            None => {
                let display = format!("enum {}", self.reg.anon_name());
                let id = self.reg.new_enum(EnumDef {
                    tag: None,
                    display: display.into(),
                    items: None,
                    underlying: Prim::UInt,
                    partial: false,
                    packed: false,
                    fixed: false,
                });
                (id, false)
            }
        };
        let CTypeKind::Enum(eid) = *self.reg.kind(id) else {
            return Err(self.err(ErrorKind::Redeclared, et.span, "not an enum"));
        };
        if existing {
            self.check_fixed(eid, fixed, tag.unwrap_or("?"), et.span)?;
        }
        // `packed` does not narrow a type the enum states.
        let packed = fixed.is_none() && trailing.contains(&Attr::Packed);
        // A fixed type bounds every value, written or implicit (C23 6.7.2.2: each must be
        // representable in it).
        let fixed_ty = fixed.map(|p| self.prim_int_ty(p));
        let mut items = Vec::with_capacity(et.node.enumerators.len());
        let mut partial = false;
        // The previous enumerator, typed as gcc types it: `int` when the value fits, else the
        // type of its expression. The next implicit value must fit that type (gcc: "overflow
        // in enumeration values"). See grammar-tests/layout/enum-implicit-values.cdef.
        let mut prev: Option<IntVal> = Some(IntVal {
            value: -1,
            ty: IntTy::INT,
        });
        for e in &et.node.enumerators {
            let name = e.node.identifier.node.name.as_str();
            if name == private::DOTDOTDOT {
                partial = true;
                continue;
            }
            let value = match &e.node.expression {
                Some(x) if Self::is_dotdotdot(&x.node) => {
                    partial = true;
                    None
                }
                Some(x) => {
                    let v = self.eval(x)?;
                    let ty = match fixed_ty {
                        Some(t) => {
                            self.check_fits(v.value, t, fixed, name, e.node.identifier.span)?;
                            t
                        }
                        None if i32::try_from(v.value).is_ok() => IntTy::INT,
                        None => v.ty,
                    };
                    Some(IntVal { value: v.value, ty })
                }
                None => match prev {
                    Some(p) => {
                        let v = p.value + 1;
                        if let Some(t) = fixed_ty {
                            self.check_fits(v, t, fixed, name, e.node.identifier.span)?;
                        }
                        let (_, max) = p.ty.range();
                        if v > max {
                            return Err(self.err(
                                ErrorKind::InvalidType,
                                e.node.identifier.span,
                                format!("overflow in enumeration values: '{name}' does not fit the type of the previous value"),
                            ));
                        }
                        let ty = match fixed_ty {
                            Some(t) => t,
                            None if i32::try_from(v).is_ok() => IntTy::INT,
                            None => p.ty,
                        };
                        Some(IntVal { value: v, ty })
                    }
                    None => None,
                },
            };
            prev = value;
            let Some(IntVal { value: v, ty }) = value else {
                continue;
            };
            let pos = self.pos(e.node.identifier.span.start);
            self.declare(
                name,
                Decl::EnumConst {
                    enum_ty: id,
                    value: IntVal { value: v, ty },
                },
                pos,
            )?;
            items.push((Box::<str>::from(name), v));
        }
        let underlying = match fixed {
            Some(p) => p,
            None => self.enum_underlying(&items, packed, et.span)?,
        };
        let old = self.reg.enum_def(eid).clone();
        let def = EnumDef {
            tag: tag.map(Into::into),
            display: old.display.clone(),
            items: Some(items),
            underlying,
            partial,
            packed,
            fixed: fixed.is_some(),
        };
        if existing && old.items.is_some() {
            if old != def {
                return Err(self.err(
                    ErrorKind::Redeclared,
                    et.span,
                    format!(
                        "redefinition of 'enum {}' with different values",
                        tag.unwrap_or("?")
                    ),
                ));
            }
            return Ok((id, true));
        }
        self.reg.update_enum(eid, def);
        Ok((id, true))
    }

    /// The integer type gcc gives an enum with these values.
    fn enum_underlying(
        &self,
        items: &[(Box<str>, i128)],
        packed: bool,
        span: lang_c::span::Span,
    ) -> LResult<Prim> {
        let min = items.iter().map(|i| i.1).min().unwrap_or(0);
        let max = items.iter().map(|i| i.1).max().unwrap_or(0);
        let fits = |lo: i128, hi: i128| min >= lo && max <= hi;
        let candidates: &[(Prim, i128, i128)] = if packed {
            if min >= 0 {
                &[
                    (Prim::UChar, 0, 0xff),
                    (Prim::UShort, 0, 0xffff),
                    (Prim::UInt, 0, 0xffff_ffff),
                    (Prim::ULong, 0, u64::MAX as i128),
                ]
            } else {
                &[
                    (Prim::SChar, -128, 127),
                    (Prim::Short, -32768, 32767),
                    (Prim::Int, i32::MIN as i128, i32::MAX as i128),
                    (Prim::Long, i64::MIN as i128, i64::MAX as i128),
                ]
            }
        } else if min >= 0 {
            &[
                (Prim::UInt, 0, 0xffff_ffff),
                (Prim::ULong, 0, u64::MAX as i128),
            ]
        } else {
            &[
                (Prim::Int, i32::MIN as i128, i32::MAX as i128),
                (Prim::Long, i64::MIN as i128, i64::MAX as i128),
            ]
        };
        candidates
            .iter()
            .find(|(_, lo, hi)| fits(*lo, *hi))
            .map(|c| c.0)
            .ok_or_else(|| {
                self.err(
                    ErrorKind::InvalidType,
                    span,
                    "enumeration values exceed the range of the largest integer type",
                )
            })
    }

    /// C23's underlying type of the enum at `span` (`enum e : T`), which the pre-pass took out
    /// of the text: an integer type.
    fn fixed_type(&mut self, span: Span) -> LResult<Option<Prim>> {
        let keyword = self.pos(span.start);
        let types = &self.pre.enum_types;
        let Ok(k) = types.binary_search_by_key(&keyword, |t| t.keyword) else {
            return Ok(None);
        };
        let (text, at) = (types[k].text, types[k].at);
        let shifted = |mut e: crate::error::Located| {
            e.offset = Some(e.offset.unwrap_or(0) + at);
            e
        };
        let lexed = crate::lex::lex(text).map_err(shifted)?;
        let mut p = crate::tparse::TokParser::new(text, &lexed.tokens, self.reg, text.len());
        let ty = p.type_name().map_err(shifted)?;
        p.expect_end().map_err(shifted)?;
        let stripped = self.reg.strip_aligned(ty);
        match self.reg.kind(stripped) {
            CTypeKind::Prim(q) if matches!(self.reg.target.repr(*q), PrimRepr::Int { .. }) => {
                Ok(Some(*q))
            }
            // C23 allows it; its cdata would need `_Bool`'s conversions, not an integer's.
            CTypeKind::Prim(q) if self.reg.target.repr(*q) == PrimRepr::Bool => {
                Err(crate::error::CdefError::at(
                    ErrorKind::Unsupported,
                    at,
                    "an enum whose underlying type is bool is not supported",
                ))
            }
            _ => Err(crate::error::CdefError::at(
                ErrorKind::InvalidType,
                at,
                format!(
                    "an enum's underlying type must be an integer type, not '{}'",
                    self.reg.cname(ty)
                ),
            )),
        }
    }

    /// The integer type of the values of an enum of fixed type `p` (an integer type).
    fn prim_int_ty(&self, p: Prim) -> IntTy {
        match self.reg.target.repr(p) {
            PrimRepr::Int { bytes, signed } => IntTy::new(bytes * 8, signed),
            _ => IntTy::INT,
        }
    }

    /// That `value` fits the fixed type `ty` of an enum (`p`, for the message).
    fn check_fits(
        &self,
        value: i128,
        ty: IntTy,
        p: Option<Prim>,
        name: &str,
        span: Span,
    ) -> LResult<()> {
        let (lo, hi) = ty.range();
        if (lo..=hi).contains(&value) {
            return Ok(());
        }
        let t = p.map_or("", Prim::name);
        Err(self.err(
            ErrorKind::InvalidType,
            span,
            format!("enumerator '{name}' = {value} is outside the range of the enum's underlying type '{t}'"),
        ))
    }

    /// `enum tag : T;` — the enum `id` is complete, of type `p` (it may already be, of the
    /// same type).
    fn declare_fixed(&mut self, id: CTypeId, p: Prim, tag: &str, span: Span) -> LResult<()> {
        let CTypeKind::Enum(eid) = *self.reg.kind(id) else {
            return Ok(());
        };
        self.check_fixed(eid, Some(p), tag, span)?;
        let old = self.reg.enum_def(eid).clone();
        if old.items.is_some() && !old.fixed {
            return Err(self.err(
                ErrorKind::Redeclared,
                span,
                format!("'enum {tag}' was defined without an underlying type; it cannot be given one now"),
            ));
        }
        self.reg.update_enum(
            eid,
            EnumDef {
                underlying: p,
                fixed: true,
                ..old
            },
        );
        Ok(())
    }

    /// A declaration of enum `eid` that gives type `fixed` (or none) agrees with the earlier
    /// ones: once an enum has a fixed type, every definition gives the same one.
    fn check_fixed(
        &self,
        eid: crate::ctype::EnumId,
        fixed: Option<Prim>,
        tag: &str,
        span: Span,
    ) -> LResult<()> {
        let old = self.reg.enum_def(eid);
        let name = Prim::name;
        match (old.fixed, fixed) {
            (true, Some(p)) if p != old.underlying => Err(self.err(
                ErrorKind::Redeclared,
                span,
                format!(
                    "'enum {tag}' was declared with underlying type '{}', not '{}'",
                    name(old.underlying),
                    name(p)
                ),
            )),
            (true, None) => Err(self.err(
                ErrorKind::Redeclared,
                span,
                format!(
                    "'enum {tag}' was declared with underlying type '{}'; its definition gives it too",
                    name(old.underlying)
                ),
            )),
            _ => Ok(()),
        }
    }
}

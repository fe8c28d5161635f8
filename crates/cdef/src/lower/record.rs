//! Struct and union specifiers: definitions, references, members (enums: `enums.rs`).

use std::collections::HashSet;

use lang_c::ast::{StructDeclaration, StructKind, StructType};
use lang_c::span::Node;

use super::{Attr, Lowerer};
use crate::builtins::private;
use crate::ctype::{CTypeId, CTypeKind, Field, PrimRepr, Record, RecordKind};
use crate::error::{CdefError, ErrorKind, LResult};
use crate::types;

impl Lowerer<'_, '_> {
    /// `struct`/`union` specifiers. Returns the type and whether a body was given.
    /// `trailing` are the attributes written after the body (`} __attribute__((packed))`).
    pub(super) fn struct_specifier(
        &mut self,
        st: &Node<StructType>,
        trailing: &[Attr],
    ) -> LResult<(CTypeId, bool)> {
        let kind = match st.node.kind.node {
            StructKind::Struct => RecordKind::Struct,
            StructKind::Union => RecordKind::Union,
        };
        let kw = kind.keyword();
        let tag = st.node.identifier.as_ref().map(|i| i.node.name.as_str());
        let Some(members) = &st.node.declarations else {
            let Some(tag) = tag else {
                return Err(self.err(
                    ErrorKind::Syntax,
                    st.span,
                    format!("anonymous {kw} without a body"),
                ));
            };
            let id = types::tag_reference(self.reg, kw, tag)
                .map_err(|m| self.err(ErrorKind::Redeclared, st.span, m))?;
            return Ok((id, false));
        };
        // Find or create the record first, so that members can point to it.
        let (id, existing_complete) = match tag {
            Some(t) => match self.reg.tag(t) {
                Some(id) => {
                    types::check_tag_kind(self.reg, id, kw, t)
                        .map_err(|m| self.err(ErrorKind::Redeclared, st.span, m))?;
                    let complete = match self.reg.kind(id) {
                        CTypeKind::Record(rid) => self.reg.record(*rid).fields.is_some(),
                        _ => false,
                    };
                    (id, complete)
                }
                None => (self.reg.declare_opaque(kind, t), false),
            },
            None => {
                let display = format!("{kw} {}", self.reg.anon_name());
                let id = self.reg.new_record(Record {
                    kind,
                    tag: None,
                    display: display.into(),
                    fields: None,
                    partial: false,
                    packed: false,
                    aligned: None,
                    pack: None,
                    transparent: false,
                });
                (id, false)
            }
        };
        let CTypeKind::Record(rid) = *self.reg.kind(id) else {
            return Err(self.err(
                ErrorKind::Redeclared,
                st.span,
                format!("'{}' is not a {kw}", tag.unwrap_or("?")),
            ));
        };
        let (fields, partial) = self.members(members, kind)?;
        let at = self.pos(st.span.start);
        let mut rec = Record {
            kind,
            tag: tag.map(Into::into),
            display: self.reg.record(rid).display.clone(),
            fields: Some(fields),
            partial,
            packed: false,
            aligned: None,
            // The `#pragma pack` in effect at the closing brace counts (gcc).
            pack: self.pack_at(self.pos(st.span.end.saturating_sub(1))),
            transparent: false,
        };
        for a in trailing {
            match a {
                Attr::Packed => rec.packed = true,
                Attr::Aligned(arg) => {
                    let n = self.align_value(arg, at)?;
                    rec.aligned = Some(rec.aligned.map_or(n, |m| m.max(n)));
                }
                Attr::TransparentUnion if kind == RecordKind::Union => rec.transparent = true,
                Attr::TransparentUnion => {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        at,
                        "'transparent_union' applies only to unions",
                    ));
                }
                Attr::Mode(_) | Attr::AsmLabel(_) | Attr::VectorSize(_) => {}
            }
        }
        if existing_complete {
            let old = self.reg.record(rid);
            let same = old.kind == rec.kind
                && old.partial == rec.partial
                && old.packed == rec.packed
                && old.aligned == rec.aligned
                && old.pack == rec.pack
                && old.transparent == rec.transparent
                && match (&old.fields, &rec.fields) {
                    (Some(f), Some(g)) => {
                        f.len() == g.len()
                            && f.iter().zip(g).all(|(u, v)| {
                                u.name == v.name
                                    && u.bit_width == v.bit_width
                                    && u.aligned == v.aligned
                                    && u.packed == v.packed
                                    && self.same_type(u.ty, v.ty)
                            })
                    }
                    _ => false,
                };
            if !same {
                return Err(self.err(
                    ErrorKind::Redeclared,
                    st.span,
                    format!(
                        "redefinition of '{kw} {}' with different members",
                        tag.unwrap_or("?")
                    ),
                ));
            }
            return Ok((id, true));
        }
        self.reg.update_record(rid, rec);
        Ok((id, true))
    }

    /// The members of a struct or union body; `true` when cffi's `...;` made it partial.
    fn members(
        &mut self,
        members: &[Node<StructDeclaration>],
        kind: RecordKind,
    ) -> LResult<(Vec<Field>, bool)> {
        let mut fields = Vec::with_capacity(members.len());
        // The user offset of each member's name, for messages about it.
        let mut positions = Vec::with_capacity(members.len());
        let mut partial = false;
        for m in members {
            let f = match &m.node {
                StructDeclaration::StaticAssert(sa) => {
                    self.static_assert(sa)?;
                    continue;
                }
                StructDeclaration::Field(f) => f,
            };
            let specs = self.specifier_qualifiers(&f.node.specifiers, f.span)?;
            match specs.placeholder {
                Some(private::PARTIAL_T) => {
                    partial = true;
                    continue;
                }
                Some(p) => return Err(self.placeholder_misuse(p, f.span)),
                None => {}
            }
            let base = specs.base.unwrap_or_else(|| self.int_type());
            if f.node.declarators.is_empty() {
                // An anonymous struct/union member (C11), flattened by introspection.
                if let Some(t) = specs.tag_type
                    && specs.defines_tag
                    && let CTypeKind::Record(rid) = self.reg.kind(t)
                    && self.reg.record(*rid).tag.is_none()
                {
                    fields.push(Field {
                        name: None,
                        ty: t,
                        bit_width: None,
                        aligned: None,
                        packed: false,
                        is_const: false,
                    });
                    positions.push(self.pos(f.span.start));
                }
                // A tagged declaration inside a body declares the tag and no member (gcc
                // warns "declaration does not declare anything").
                continue;
            }
            for sd in &f.node.declarators {
                let (ty, name, name_span, mut attrs) = match &sd.node.declarator {
                    Some(d) => {
                        let r = self.declarator(base, d, None)?;
                        if r.dots_array {
                            partial = true;
                        }
                        (r.ty, r.name, r.name_span, r.attrs)
                    }
                    None => (base, None, sd.span, Vec::new()),
                };
                attrs.extend(specs.attrs.iter().cloned());
                let at = self.pos(name_span.start);
                let mut field = Field {
                    name: name.as_deref().map(Into::into),
                    ty,
                    bit_width: None,
                    aligned: None,
                    packed: false,
                    is_const: specs.is_const,
                };
                for a in &attrs {
                    match a {
                        Attr::Packed => field.packed = true,
                        Attr::Aligned(arg) => {
                            let n = self.align_value(arg, at)?;
                            field.aligned = Some(field.aligned.map_or(n, |m| m.max(n)));
                        }
                        Attr::Mode(b) => field.ty = self.apply_mode(field.ty, *b, at)?,
                        Attr::VectorSize(size) => {
                            field.ty = self.apply_vector(field.ty, size, at)?;
                        }
                        Attr::AsmLabel(_) | Attr::TransparentUnion => {}
                    }
                }
                let label = name.as_deref().unwrap_or("<unnamed>");
                match self.reg.kind(self.reg.strip_aligned(field.ty)) {
                    CTypeKind::Void => {
                        return Err(CdefError::at(
                            ErrorKind::InvalidType,
                            at,
                            format!("field '{label}' declared void"),
                        ));
                    }
                    CTypeKind::Function(_) => {
                        return Err(CdefError::at(
                            ErrorKind::InvalidType,
                            at,
                            format!("field '{label}' declared as a function"),
                        ));
                    }
                    _ => {}
                }
                if let Some(w) = &sd.node.bit_width {
                    let v = self.eval(w)?;
                    let wpos = self.pos(w.span.start);
                    field.bit_width =
                        Some(self.check_bitfield(field.ty, name.as_deref(), v.value, wpos)?);
                } else if name.is_none() {
                    return Err(CdefError::at(
                        ErrorKind::Syntax,
                        at,
                        "a member needs a name",
                    ));
                }
                fields.push(field);
                positions.push(at);
            }
        }
        self.check_members(&fields, &positions, kind)?;
        Ok((fields, partial))
    }

    /// Checks a bitfield's type and width as gcc does; returns the width.
    fn check_bitfield(
        &mut self,
        ty: CTypeId,
        name: Option<&str>,
        width: i128,
        at: usize,
    ) -> LResult<u32> {
        let label = name.unwrap_or("<unnamed>");
        let base = self.reg.strip_aligned(ty);
        let bits: i128 = match self.reg.kind(base) {
            CTypeKind::Prim(p) => match self.reg.target.repr(*p) {
                PrimRepr::Int { bytes, .. } => i128::from(bytes) * 8,
                PrimRepr::Bool => 1,
                _ => {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        at,
                        format!(
                            "bit-field '{label}' has invalid type '{}'",
                            self.reg.cname(ty)
                        ),
                    ));
                }
            },
            CTypeKind::Enum(e) => {
                let e = self.reg.enum_def(*e);
                if e.items.is_none() {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        at,
                        format!("bit-field '{label}' has incomplete type '{}'", e.display),
                    ));
                }
                let (size, _) = self.reg.target.prim_size_align(e.underlying);
                i128::from(size) * 8
            }
            _ => {
                return Err(CdefError::at(
                    ErrorKind::InvalidType,
                    at,
                    format!(
                        "bit-field '{label}' has invalid type '{}'",
                        self.reg.cname(ty)
                    ),
                ));
            }
        };
        if width < 0 {
            return Err(CdefError::at(
                ErrorKind::InvalidType,
                at,
                format!("negative width in bit-field '{label}'"),
            ));
        }
        if width == 0 && name.is_some() {
            return Err(CdefError::at(
                ErrorKind::InvalidType,
                at,
                format!("zero width for bit-field '{label}'"),
            ));
        }
        if width > bits {
            return Err(CdefError::at(
                ErrorKind::InvalidType,
                at,
                format!(
                    "width of '{label}' exceeds its type ('{}' has {bits} bits)",
                    self.reg.cname(ty)
                ),
            ));
        }
        Ok(width as u32)
    }

    /// Member checks that need the whole body: duplicate names (through anonymous members) and
    /// flexible array members that are not last. `positions` has each member's user offset.
    fn check_members(
        &self,
        fields: &[Field],
        positions: &[usize],
        kind: RecordKind,
    ) -> LResult<()> {
        let mut seen: HashSet<&str, foldhash::fast::RandomState> = HashSet::default();
        for (f, at) in fields.iter().zip(positions) {
            let mut names = Vec::new();
            self.member_names(f, &mut names);
            for n in names {
                if !seen.insert(n) {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        *at,
                        format!("duplicate member '{n}'"),
                    ));
                }
            }
        }
        for (i, (f, at)) in fields.iter().zip(positions).enumerate() {
            if let CTypeKind::Array { len: None, .. } = self.reg.kind(f.ty) {
                let name = f.name.as_deref().unwrap_or("<anonymous>");
                if kind == RecordKind::Union {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        *at,
                        format!("flexible array member '{name}' in a union"),
                    ));
                }
                if i + 1 != fields.len() {
                    return Err(CdefError::at(
                        ErrorKind::InvalidType,
                        *at,
                        format!("flexible array member '{name}' not at end of struct"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The names a member brings into its record: its own, or those of an anonymous member.
    fn member_names<'f>(&'f self, f: &'f Field, out: &mut Vec<&'f str>) {
        match &f.name {
            Some(n) => out.push(n),
            None if f.bit_width.is_none() => {
                if let CTypeKind::Record(rid) = self.reg.kind(f.ty)
                    && let Some(sub) = &self.reg.record(*rid).fields
                {
                    for g in sub {
                        self.member_names(g, out);
                    }
                }
            }
            None => {}
        }
    }
}

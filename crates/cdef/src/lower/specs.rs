//! Declaration specifiers: storage class, qualifiers, attributes and the base type (with any
//! struct, union or enum defined in them), and type names (`sizeof(T)`, casts).

use lang_c::ast::{
    DeclarationSpecifier, SpecifierQualifier, StorageClassSpecifier, TypeName, TypeQualifier,
    TypeSpecifier,
};
use lang_c::span::{Node, Span};

use super::{Attr, Lowerer, attr};
use crate::builtins::private;
use crate::ctype::{CTypeId, Prim};
use crate::error::{ErrorKind, LResult, Located};
use crate::registry::Decl;
use crate::types::KeywordSpec;

/// What declaration specifiers say, apart from the type.
#[derive(Default)]
pub(crate) struct Specs {
    pub(crate) base: Option<CTypeId>,
    pub(crate) storage: Option<StorageClassSpecifier>,
    pub(crate) is_const: bool,
    pub(crate) inline: bool,
    /// Attributes that apply to the declared names.
    pub(crate) attrs: Vec<Attr>,
    /// A struct/union/enum defined or named by these specifiers.
    pub(crate) tag_type: Option<CTypeId>,
    /// The tag type was defined here with a body (not just named).
    pub(crate) defines_tag: bool,
    /// cffi placeholder seen as the type (`typedef ...`, `...;` member, `int...`).
    pub(crate) placeholder: Option<&'static str>,
}

/// One declaration specifier, from either kind of specifier list.
enum Spec<'a> {
    Storage(&'a StorageClassSpecifier),
    Qual(&'a TypeQualifier),
    Inline,
    Alignas(Span),
    Ext(&'a [Node<lang_c::ast::Extension>]),
    Type(&'a Node<TypeSpecifier>),
}

impl Lowerer<'_, '_> {
    /// Reads declaration specifiers: storage class, qualifiers, attributes and the base type
    /// (defining any struct/union/enum given with a body).
    pub(crate) fn specifiers(
        &mut self,
        specs: &[Node<DeclarationSpecifier>],
        span: Span,
    ) -> LResult<Specs> {
        let view: Vec<Spec<'_>> = specs
            .iter()
            .map(|s| match &s.node {
                DeclarationSpecifier::StorageClass(sc) => Spec::Storage(&sc.node),
                DeclarationSpecifier::TypeQualifier(q) => Spec::Qual(&q.node),
                DeclarationSpecifier::Function(_) => Spec::Inline,
                DeclarationSpecifier::Alignment(_) => Spec::Alignas(s.span),
                DeclarationSpecifier::Extension(e) => Spec::Ext(e),
                DeclarationSpecifier::TypeSpecifier(t) => Spec::Type(t),
            })
            .collect();
        self.read_specs(&view, span)
    }

    /// The same for a specifier-qualifier list (struct members, type names).
    pub(crate) fn specifier_qualifiers(
        &mut self,
        specs: &[Node<SpecifierQualifier>],
        span: Span,
    ) -> LResult<Specs> {
        let view: Vec<Spec<'_>> = specs
            .iter()
            .map(|s| match &s.node {
                SpecifierQualifier::TypeQualifier(q) => Spec::Qual(&q.node),
                SpecifierQualifier::Extension(e) => Spec::Ext(e),
                SpecifierQualifier::TypeSpecifier(t) => Spec::Type(t),
            })
            .collect();
        self.read_specs(&view, span)
    }

    fn read_specs(&mut self, view: &[Spec<'_>], span: Span) -> LResult<Specs> {
        let mut out = Specs::default();
        let mut kw = KeywordSpec::default();
        // Keyword combinations are checked at the end; errors point at the last keyword.
        let mut last_kw = span;
        // Attributes after a struct/union/enum specifier with a body belong to that type (gcc);
        // the others — also those after a mere reference to a tag, as in linux/virtio_ring.h's
        // `typedef struct vring_desc __attribute__((aligned(16))) vring_desc_t;` — to the
        // declared names.
        let tag_index = view.iter().position(|s| match s {
            Spec::Type(t) => match &t.node {
                TypeSpecifier::Struct(st) => st.node.declarations.is_some(),
                TypeSpecifier::Enum(et) => !et.node.enumerators.is_empty(),
                _ => false,
            },
            _ => false,
        });
        let mut trailing = Vec::new();
        for (i, s) in view.iter().enumerate() {
            if let Spec::Ext(exts) = s {
                let pos = |o: usize| self.pos(o);
                let attrs = attr::read(exts, &pos)?;
                match tag_index {
                    Some(t) if i > t => trailing.extend(attrs),
                    _ => out.attrs.extend(attrs),
                }
            }
        }
        for s in view {
            match s {
                Spec::Storage(sc) => out.storage = Some((*sc).clone()),
                Spec::Qual(q) => {
                    if **q == TypeQualifier::Const {
                        out.is_const = true;
                    }
                }
                Spec::Inline => out.inline = true,
                Spec::Alignas(at) => {
                    return Err(self.err(
                        ErrorKind::Unsupported,
                        *at,
                        "_Alignas here is not supported; use __attribute__((aligned(N)))",
                    ));
                }
                Spec::Ext(_) => {}
                Spec::Type(ts) => {
                    last_kw = ts.span;
                    self.type_specifier(ts, &mut kw, &mut out, &trailing)?
                }
            }
        }
        self.finish_specs(kw, &mut out, span, last_kw)?;
        Ok(out)
    }

    fn type_specifier(
        &mut self,
        ts: &Node<TypeSpecifier>,
        kw: &mut KeywordSpec,
        out: &mut Specs,
        trailing: &[Attr],
    ) -> LResult<()> {
        let word = match &ts.node {
            TypeSpecifier::Void => "void",
            TypeSpecifier::Char => "char",
            TypeSpecifier::Short => "short",
            TypeSpecifier::Int => "int",
            TypeSpecifier::Long => "long",
            TypeSpecifier::Float => "float",
            TypeSpecifier::Double => "double",
            TypeSpecifier::Signed => "signed",
            TypeSpecifier::Unsigned => "unsigned",
            TypeSpecifier::Bool => "_Bool",
            TypeSpecifier::Complex => "_Complex",
            TypeSpecifier::TS18661Float(f) => {
                use lang_c::ast::TS18661FloatFormat as F;
                match (&f.format, f.width) {
                    (F::BinaryInterchange, 16) => "_Float16",
                    (F::BinaryInterchange, 32) => "_Float32",
                    (F::BinaryInterchange, 64) => "_Float64",
                    (F::BinaryInterchange, 128) => "_Float128",
                    (F::BinaryExtended, 32) => "_Float32x",
                    (F::BinaryExtended, 64) => "_Float64x",
                    _ => {
                        return Err(self.err(
                            ErrorKind::Unsupported,
                            ts.span,
                            "this floating point type is not supported",
                        ));
                    }
                }
            }
            TypeSpecifier::Struct(st) => {
                self.set_named(out, ts.span)?;
                let (id, defined) = self.struct_specifier(st, trailing)?;
                out.base = Some(id);
                out.tag_type = Some(id);
                out.defines_tag = defined;
                return Ok(());
            }
            TypeSpecifier::Enum(et) => {
                self.set_named(out, ts.span)?;
                let (id, defined) = self.enum_specifier(et, trailing)?;
                out.base = Some(id);
                out.tag_type = Some(id);
                out.defines_tag = defined;
                return Ok(());
            }
            TypeSpecifier::TypedefName(id) => {
                self.set_named(out, ts.span)?;
                let name = id.node.name.as_str();
                match name {
                    private::OPAQUE
                    | private::PARTIAL_T
                    | private::UNKNOWN_INT
                    | private::UNKNOWN_FLOAT => {
                        out.placeholder = Some(match name {
                            private::OPAQUE => private::OPAQUE,
                            private::PARTIAL_T => private::PARTIAL_T,
                            private::UNKNOWN_INT => private::UNKNOWN_INT,
                            _ => private::UNKNOWN_FLOAT,
                        });
                        out.base = self.reg.builtin(name);
                    }
                    _ => {
                        let ty = self.reg.typedef(name).ok_or_else(|| {
                            self.err(
                                ErrorKind::UnknownType,
                                id.span,
                                format!("unknown type name '{name}'"),
                            )
                        })?;
                        out.base = Some(ty);
                        out.is_const |= self.reg.typedef_read_only(name);
                    }
                }
                return Ok(());
            }
            TypeSpecifier::TypeOf(t) => {
                self.set_named(out, ts.span)?;
                // `typeof(T)` is `T`, qualifiers included: `typeof(const int) x` is read-only.
                // (lang-c reads `typeof(name)` as an expression even when `name` is a typedef.)
                let (ty, is_const) = match &t.node {
                    lang_c::ast::TypeOf::Type(tn) => self.type_name_const(tn)?,
                    lang_c::ast::TypeOf::Expression(e) => match &e.node {
                        lang_c::ast::Expression::Identifier(id) => {
                            self.typeof_name(&id.node.name, ts.span)?
                        }
                        _ => {
                            return Err(self.err(
                                ErrorKind::Unsupported,
                                ts.span,
                                "typeof(expression) is not supported; use typeof(type)",
                            ));
                        }
                    },
                };
                out.base = Some(ty);
                out.is_const |= is_const;
                return Ok(());
            }
            TypeSpecifier::Atomic(_) => {
                return Err(self.err(
                    ErrorKind::Unsupported,
                    ts.span,
                    "_Atomic(type) is not supported",
                ));
            }
        };
        if out.base.is_some() {
            return Err(self.err(
                ErrorKind::Syntax,
                ts.span,
                format!("'{word}' cannot be combined with a named type"),
            ));
        }
        kw.add(word)
            .map_err(|m| self.err(ErrorKind::InvalidType, ts.span, m))
    }

    fn set_named(&self, out: &Specs, span: Span) -> LResult<()> {
        if out.base.is_some() {
            return Err(self.err(ErrorKind::InvalidType, span, "two types in one declaration"));
        }
        Ok(())
    }

    fn finish_specs(
        &mut self,
        kw: KeywordSpec,
        out: &mut Specs,
        span: Span,
        last_kw: Span,
    ) -> LResult<()> {
        if kw.is_empty() {
            if out.base.is_none() {
                return Err(self.err(ErrorKind::Syntax, span, "declaration without a type"));
            }
            return Ok(());
        }
        if out.base.is_some() {
            return Err(self.err(
                ErrorKind::InvalidType,
                span,
                "invalid combination of type specifiers",
            ));
        }
        let id = kw
            .resolve(self.reg)
            .map_err(|m| self.err(ErrorKind::InvalidType, last_kw, m))?;
        out.base = Some(id);
        Ok(())
    }

    /// `typeof(name)` (lang-c reads a name there as an expression): a typedef's type, a
    /// variable's or function's declared type, and C23's `nullptr`, whose `nullptr_t` (gcc's
    /// stddef.h: `typedef __typeof__(nullptr) nullptr_t;`) has `void *`'s size, alignment and
    /// place in a call (x86-64 and AArch64 psABIs). With whether it is read-only.
    fn typeof_name(&mut self, name: &str, span: Span) -> LResult<(CTypeId, bool)> {
        match self.reg.decl(name) {
            _ if self.reg.is_type_name(name) => {
                let ty = self.reg.typedef(name).unwrap_or_else(|| self.int_type());
                Ok((ty, self.reg.typedef_read_only(name)))
            }
            Some(Decl::Variable { ty, read_only, .. }) => Ok((*ty, *read_only)),
            Some(Decl::Function { ty, .. }) => Ok((*ty, false)),
            None if name == "nullptr" => {
                let void = self.reg.void();
                Ok((self.reg.pointer_to(void), false))
            }
            _ => Err(self.err(
                ErrorKind::Unsupported,
                span,
                format!(
                    "typeof({name}) is not supported: typeof takes a type, or the name of a type, \
                     variable or function"
                ),
            )),
        }
    }

    /// A type name (`sizeof(T)`, casts, `typeof(T)`).
    pub(crate) fn type_name(&mut self, tn: &Node<TypeName>) -> LResult<CTypeId> {
        Ok(self.type_name_const(tn)?.0)
    }

    /// A type name, and whether an object of it is read-only (`const int`, `int *const`,
    /// `const int[3]`, a `const` typedef's name; not `const char *`).
    pub(crate) fn type_name_const(&mut self, tn: &Node<TypeName>) -> LResult<(CTypeId, bool)> {
        let specs = self.specifier_qualifiers(&tn.node.specifiers, tn.span)?;
        if let Some(p) = specs.placeholder {
            return Err(self.placeholder_misuse(p, tn.span));
        }
        let base = specs.base.unwrap_or_else(|| self.reg.prim(Prim::Int));
        match &tn.node.declarator {
            None => Ok((base, specs.is_const)),
            Some(d) => {
                let declared = self.declarator(base, d, None)?;
                Ok((declared.ty, super::decl::read_only(&declared, &specs)))
            }
        }
    }

    pub(crate) fn placeholder_misuse(&self, p: &str, span: Span) -> Located {
        let what = match p {
            private::OPAQUE => "'...' as a type",
            private::PARTIAL_T => "'...;'",
            _ => "'int...'/'float...'",
        };
        self.err(
            ErrorKind::Ellipsis,
            span,
            format!("bad usage of {what}: only allowed in 'typedef ... name;' (and '...;' in a struct body)"),
        )
    }

    /// Whether an expression is cffi's `...` placeholder.
    pub(crate) fn is_dotdotdot(e: &lang_c::ast::Expression) -> bool {
        matches!(e, lang_c::ast::Expression::Identifier(id) if id.node.name == private::DOTDOTDOT)
    }
}

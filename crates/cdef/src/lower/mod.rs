//! Lowering: lang-c's AST (plus the pre-pass's `#define`s and pragmas) into the registry.
//!
//! Declarations are processed in source order, `#define`s interleaved by position, so a later
//! declaration can use an earlier constant (`int a[N];`). A cdef declares and never defines:
//! function bodies are an error, except inline definitions from headers, which are skipped and
//! reported.

mod attr;
mod decl;
mod define;
mod enums;
mod expr;
mod record;
mod specs;

use lang_c::ast::{DeclarationSpecifier, ExternalDeclaration, StorageClassSpecifier};
use lang_c::span::{Node, Span};

use crate::ctype::{CTypeId, CTypeKind, Prim};
use crate::error::{CdefError, ErrorKind, LResult, Located};
use crate::parse::Chunk;
use crate::preprocess::Preprocessed;
use crate::registry::{Decl, Registry};
use crate::report::{CdefOptions, CdefReport};
use crate::types;

pub(crate) use attr::Attr;
pub(crate) use specs::Specs;

pub(crate) struct Lowerer<'r, 'p> {
    pub(crate) reg: &'r mut Registry,
    pre: &'p Preprocessed<'p>,
    /// The chunk whose declarations are being lowered (its offsets are lang-c's).
    chunk: Option<&'p Chunk>,
    user_src: &'p str,
    opts: &'p CdefOptions,
    state: &'r mut LowerState,
}

/// What lowering carries from one chunk to the next.
pub(crate) struct LowerState {
    report: CdefReport,
    next_define: usize,
    /// Macros whose bodies named something not declared yet (indexes of `#define`s), retried
    /// at the end.
    pending_defines: Vec<usize>,
    /// Function-like macros of this text (indexes of `#define`s), whose calls are settled at
    /// the end.
    function_macros: Vec<usize>,
    /// What is left of the tokens macro expansion may make in this cdef.
    macro_work: usize,
    /// The last object-like `#define` of each name in this text (made when first needed).
    define_index: std::collections::HashMap<String, usize>,
    /// Function definitions lowering skipped: name, user offset.
    skipped_defs: Vec<(Box<str>, usize)>,
    /// Macros without a usable value: name, user offset of the `#`, reason.
    skipped_macros: Vec<(Box<str>, usize, Box<str>)>,
    /// Typedef names declared by the current chunk.
    typedefs: Vec<String>,
    /// The user offset of each name in `report.declared`.
    declared_pos: Vec<usize>,
}

impl Default for LowerState {
    fn default() -> Self {
        LowerState {
            report: CdefReport::default(),
            next_define: 0,
            pending_defines: Vec::new(),
            function_macros: Vec::new(),
            macro_work: crate::expand::MAX_WORK,
            define_index: std::collections::HashMap::new(),
            skipped_macros: Vec::new(),
            skipped_defs: Vec::new(),
            typedefs: Vec::new(),
            declared_pos: Vec::new(),
        }
    }
}

/// Lowers one parsed chunk; returns the typedef names it declared.
pub(crate) fn lower_chunk(
    reg: &mut Registry,
    pre: &Preprocessed<'_>,
    chunk: &Chunk,
    user_src: &str,
    opts: &CdefOptions,
    state: &mut LowerState,
) -> LResult<Vec<String>> {
    let mut l = Lowerer {
        reg,
        pre,
        chunk: Some(chunk),
        user_src,
        opts,
        state,
    };
    for ext in &chunk.unit.0 {
        // The typedef prelude only told lang-c which names are types.
        if ext.span.start < chunk.prelude_len {
            continue;
        }
        let start = l.pos(ext.span.start);
        l.defines_before(start)?;
        match &ext.node {
            ExternalDeclaration::Declaration(d) => l.declaration(d)?,
            ExternalDeclaration::StaticAssert(sa) => l.static_assert(sa)?,
            ExternalDeclaration::FunctionDefinition(fd) => l.function_definition(fd)?,
        }
        // A type past the nesting limit (a typedef chain can make one without nesting in
        // the text) is refused where it was declared.
        if let Some(ty) = l.reg.take_past_limit() {
            return Err(crate::nesting::too_deep(start, &format!("type '{ty}'")));
        }
    }
    Ok(std::mem::take(&mut l.state.typedefs))
}

/// Ends lowering: the `#define`s after the last declaration.
pub(crate) fn finish(
    reg: &mut Registry,
    pre: &Preprocessed<'_>,
    user_src: &str,
    opts: &CdefOptions,
    mut state: LowerState,
) -> LResult<CdefReport> {
    let mut l = Lowerer {
        reg,
        pre,
        chunk: None,
        user_src,
        opts,
        state: &mut state,
    };
    l.defines_before(usize::MAX)?;
    l.retry_pending_defines()?;
    l.settle_function_macros();
    if let Some(ty) = l.reg.take_past_limit() {
        return Err(CdefError::new(
            ErrorKind::TooDeep,
            format!(
                "type '{ty}' nests deeper than {} levels",
                crate::MAX_NESTING
            ),
        )
        .into());
    }
    let mut report = state.report;
    let markers = crate::preprocess::line_markers(user_src);
    let index = crate::source::LineIndex::new(user_src, "<cdef>", &markers);
    report.declared_at = index.places(&state.declared_pos);
    // Definitions the pre-pass blanked out come first (lowering lists those it saw itself).
    let mut defs: Vec<(Box<str>, usize)> = pre
        .skipped_bodies
        .iter()
        .map(|(n, p)| (n.as_str().into(), *p))
        .collect();
    defs.append(&mut state.skipped_defs);
    if !state.skipped_macros.is_empty() || !defs.is_empty() || !pre.ignored_pragmas.is_empty() {
        report.skipped_definitions = defs
            .into_iter()
            .map(|(name, pos)| crate::report::SkippedDefinition {
                name,
                location: index.locate(pos),
            })
            .collect();
        report.skipped_macros = state
            .skipped_macros
            .into_iter()
            .map(|(name, pos, reason)| crate::report::SkippedMacro {
                name,
                location: index.locate(pos),
                reason,
            })
            .collect();
        report.ignored_pragmas = pre
            .ignored_pragmas
            .iter()
            .map(|(text, pos)| crate::report::IgnoredPragma {
                text: text.as_str().into(),
                location: index.locate(*pos),
            })
            .collect();
    }
    Ok(report)
}

impl<'r, 'p> Lowerer<'r, 'p> {
    /// The user offset of an offset in lang-c's source.
    pub(crate) fn pos(&self, offset: usize) -> usize {
        let text = self.chunk.map_or(offset, |c| c.text_offset(offset));
        self.pre.map.to_input(text)
    }

    pub(crate) fn err(&self, kind: ErrorKind, span: Span, msg: impl Into<String>) -> Located {
        CdefError::at(kind, self.pos(span.start), msg)
    }

    /// The text of lang-c's source between two offsets.
    pub(crate) fn source_text(&self, start: usize, end: usize) -> &str {
        let (s, e) = match self.chunk {
            Some(c) => (c.text_offset(start), c.text_offset(end)),
            None => (start, end),
        };
        self.pre.text.get(s..e).unwrap_or("")
    }

    /// The `#pragma pack` value in effect at a user offset.
    pub(crate) fn pack_at(&self, user: usize) -> Option<u64> {
        let default = if self.opts.packed {
            Some(1)
        } else {
            self.opts.pack
        };
        let i = self.pre.packs.partition_point(|(p, _)| *p <= user);
        if i == 0 {
            default
        } else {
            self.pre.packs[i - 1].1
        }
    }

    // --- Declaring names ---

    /// Lists `name` in the report as declared at user offset `pos`.
    pub(crate) fn note_declared(&mut self, name: &str, pos: usize) {
        self.state.report.declared.push(name.into());
        self.state.declared_pos.push(pos);
    }

    /// Declares an ordinary name: new, identical to before (fine), or different (an error
    /// unless `override`).
    pub(crate) fn declare(&mut self, name: &str, mut decl: Decl, pos: usize) -> LResult<()> {
        // `typedef int wchar_t;` (what `gcc -E` of <stdlib.h> says): the character type stays
        // a character type when the integer has the target's representation of it.
        if let Decl::Typedef { ty: t, read_only } = decl
            && let Some(p) = match name {
                "wchar_t" => Some(Prim::WChar),
                "char16_t" => Some(Prim::Char16),
                "char32_t" => Some(Prim::Char32),
                _ => None,
            }
            && let CTypeKind::Prim(q) = self.reg.kind(self.reg.strip_aligned(t))
            && *q != p
            && self.reg.target.repr(*q) == self.reg.target.repr(p)
        {
            decl = Decl::Typedef {
                ty: self.reg.prim(p),
                read_only,
            };
        }
        if let Some(old) = self.reg.decl(name) {
            // A redeclaration may add an `__asm__("name")` label (glibc's `fscanf`) or leave it
            // out; either way it is the same function or variable.
            match (old, &mut decl) {
                (
                    Decl::Function {
                        symbol: Some(s), ..
                    },
                    Decl::Function {
                        symbol: new @ None, ..
                    },
                )
                | (
                    Decl::Variable {
                        symbol: Some(s), ..
                    },
                    Decl::Variable {
                        symbol: new @ None, ..
                    },
                ) => {
                    *new = Some(s.clone());
                }
                _ => {}
            }
            if old == &decl || self.same_decl(old, &decl) {
                return Ok(());
            }
            // A function a header declares under the name of a macro it defined before
            // (`gint (g_bit_nth_lsf) (gulong mask, ...)` after `#define g_bit_nth_lsf(...)`)
            // is the name's meaning: callable as itself.
            if matches!(old, Decl::Macro(_)) && !matches!(decl, Decl::Macro(_)) {
                self.reg.set_name(name, decl);
                self.note_declared(name, pos);
                return Ok(());
            }
            let adds_label = matches!(
                (old, &decl),
                (Decl::Function { symbol: None, ty: a }, Decl::Function { symbol: Some(_), ty: b })
                | (Decl::Variable { symbol: None, ty: a, .. }, Decl::Variable { symbol: Some(_), ty: b, .. })
                    if self.same_type(*a, *b)
            );
            if adds_label {
                self.reg.set_name(name, decl);
                return Ok(());
            }
            if !self.opts.override_ {
                return Err(CdefError::at(
                    ErrorKind::Redeclared,
                    pos,
                    format!(
                        "multiple declarations of {} '{}' (previously a {}); to replace it, pass \
                         CdefOptions {{ override_: true, .. }}",
                        decl.kind_name(),
                        name,
                        old.kind_name()
                    ),
                ));
            }
        }
        if let Decl::Typedef { .. } = decl {
            self.state.typedefs.push(name.to_string());
        }
        self.reg.set_name(name, decl);
        self.note_declared(name, pos);
        Ok(())
    }

    /// Declarations that differ only in the ids of identical anonymous records are the same.
    fn same_decl(&self, a: &Decl, b: &Decl) -> bool {
        match (a, b) {
            (
                Decl::Typedef {
                    ty: x,
                    read_only: r,
                },
                Decl::Typedef {
                    ty: y,
                    read_only: q,
                },
            ) => r == q && self.same_type(*x, *y),
            (Decl::Function { ty: x, symbol: s }, Decl::Function { ty: y, symbol: t }) => {
                s == t && self.same_type(*x, *y)
            }
            (
                Decl::Variable {
                    ty: x,
                    symbol: s,
                    read_only: r,
                },
                Decl::Variable {
                    ty: y,
                    symbol: t,
                    read_only: q,
                },
            ) => s == t && r == q && self.same_type(*x, *y),
            (Decl::EnumConst { value: v, .. }, Decl::EnumConst { value: w, .. }) => {
                v.value == w.value
            }
            (
                Decl::Macro(crate::macros::MacroValue::Int(v)),
                Decl::Macro(crate::macros::MacroValue::Int(w)),
            ) => v.value == w.value,
            _ => false,
        }
    }

    /// Structural equality that treats anonymous records with equal members as equal.
    pub(crate) fn same_type(&self, a: CTypeId, b: CTypeId) -> bool {
        if a == b {
            return true;
        }
        let r = &*self.reg;
        match (r.kind(a), r.kind(b)) {
            (CTypeKind::Pointer(x), CTypeKind::Pointer(y)) => self.same_type(*x, *y),
            (CTypeKind::Array { elem: x, len: l }, CTypeKind::Array { elem: y, len: m }) => {
                l == m && self.same_type(*x, *y)
            }
            (CTypeKind::Function(f), CTypeKind::Function(g)) => {
                f.variadic == g.variadic
                    && f.params.len() == g.params.len()
                    && self.same_type(f.ret, g.ret)
                    && f.params
                        .iter()
                        .zip(&g.params)
                        .all(|(x, y)| self.same_type(*x, *y))
            }
            (CTypeKind::Record(x), CTypeKind::Record(y)) => {
                let (p, q) = (r.record(*x), r.record(*y));
                p.tag.is_none()
                    && q.tag.is_none()
                    && p.kind == q.kind
                    && p.partial == q.partial
                    && p.packed == q.packed
                    && p.aligned == q.aligned
                    && p.pack == q.pack
                    && match (&p.fields, &q.fields) {
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
                        (None, None) => p.display == q.display,
                        _ => false,
                    }
            }
            (CTypeKind::Enum(x), CTypeKind::Enum(y)) => {
                let (p, q) = (r.enum_def(*x), r.enum_def(*y));
                p.tag.is_none()
                    && q.tag.is_none()
                    && p.items == q.items
                    && p.packed == q.packed
                    && (p.fixed, p.underlying) == (q.fixed, q.underlying)
            }
            (
                CTypeKind::Aligned {
                    base: x, align: a, ..
                },
                CTypeKind::Aligned {
                    base: y, align: b, ..
                },
            ) => a == b && self.same_type(*x, *y),
            _ => false,
        }
    }

    pub(super) fn static_assert(&mut self, sa: &Node<lang_c::ast::StaticAssert>) -> LResult<()> {
        let v = self.eval(&sa.node.expression)?;
        if v.value == 0 {
            let msg: String = sa.node.message.node.concat();
            // C23's `static_assert(e)` has no message (the pre-pass gives it an empty one).
            let msg = match msg.as_str() {
                "\"\"" => String::new(),
                _ => format!(": {msg}"),
            };
            return Err(self.err(
                ErrorKind::InvalidType,
                sa.span,
                format!("static assertion failed{msg}"),
            ));
        }
        Ok(())
    }

    fn function_definition(&mut self, fd: &Node<lang_c::ast::FunctionDefinition>) -> LResult<()> {
        let specs = &fd.node.specifiers;
        // Inline and `static` definitions (curl's typecheck-gcc.h) are not the library's
        // exported functions: skipped and listed, as the bodies of headers are.
        let inline_or_static = specs.iter().any(|s| match &s.node {
            DeclarationSpecifier::Function(_) => true,
            DeclarationSpecifier::StorageClass(sc) => {
                matches!(sc.node, StorageClassSpecifier::Static)
            }
            _ => false,
        });
        let name = decl::declarator_name(&fd.node.declarator.node)
            .unwrap_or("?")
            .to_string();
        if inline_or_static {
            let at = self.pos(fd.span.start);
            self.state.skipped_defs.push((name.into(), at));
            return Ok(());
        }
        Err(self.err(
            ErrorKind::Definition,
            fd.span,
            format!(
                "unexpected definition of function '{name}': a cdef declares, it never defines \
                 (write the prototype, ending with ';')"
            ),
        ))
    }

    /// Types made by a cdef from keywords are always valid; used where a fallback is needed.
    pub(crate) fn int_type(&mut self) -> CTypeId {
        self.reg.prim(Prim::Int)
    }

    pub(crate) fn make_array(
        &mut self,
        elem: CTypeId,
        len: Option<u64>,
        span: Span,
    ) -> LResult<CTypeId> {
        types::make_array(self.reg, elem, len)
            .map_err(|m| self.err(ErrorKind::InvalidType, span, m))
    }
}

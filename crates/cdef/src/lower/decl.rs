//! Declarations and declarators: typedefs, functions, variables and constants.

use lang_c::ast::{
    ArraySize, Declaration, Declarator, DeclaratorKind, DerivedDeclarator, FunctionDeclarator,
    Initializer, PointerQualifier, StorageClassSpecifier, TypeQualifier,
};
use lang_c::span::{Node, Span};

use super::{Attr, Lowerer, Specs, attr};
use crate::builtins::private;
use crate::consteval::{IntTy, IntVal};
use crate::ctype::{CTypeId, CTypeKind, FuncSig, PrimRepr, Record, RecordKind};
use crate::error::{CdefError, ErrorKind, LResult};
use crate::registry::Decl;
use crate::types;

/// What a declarator declares.
pub(crate) struct Declared {
    pub(crate) ty: CTypeId,
    pub(crate) name: Option<String>,
    pub(crate) name_span: Span,
    pub(crate) attrs: Vec<Attr>,
    /// The outermost derivation is a `const` pointer (`int *const p`): `Some(true)`;
    /// a non-const pointer: `Some(false)`; an array or function, or none: `None`.
    pub(crate) const_pointer: Option<bool>,
    /// Any derivation at all (pointer, array, function)?
    pub(crate) derived: bool,
    /// An outermost array derivation?
    pub(crate) array: bool,
    /// For an outermost array of pointers (`const char *names[2]`): whether those pointers
    /// are `const` (`char *const names[2]`); `None` when the items are not pointers (their
    /// constness is the specifiers').
    pub(crate) item_pointer_const: Option<bool>,
    /// An array size was cffi's `[...]`.
    pub(crate) dots_array: bool,
}

/// The name a declarator declares, if any.
pub(crate) fn declarator_name(d: &Declarator) -> Option<&str> {
    match &d.kind.node {
        DeclaratorKind::Identifier(id) => Some(&id.node.name),
        DeclaratorKind::Declarator(inner) => declarator_name(&inner.node),
        DeclaratorKind::Abstract => None,
    }
}

impl Lowerer<'_, '_> {
    pub(super) fn declaration(&mut self, d: &Node<Declaration>) -> LResult<()> {
        let specs = self.specifiers(&d.node.specifiers, d.span)?;
        if d.node.declarators.is_empty() {
            if specs.tag_type.is_some() {
                return Ok(());
            }
            if let Some(p) = specs.placeholder {
                return Err(self.placeholder_misuse(p, d.span));
            }
            return Err(self.err(
                ErrorKind::Syntax,
                d.span,
                "declaration does not declare anything",
            ));
        }
        let typedef = specs.storage == Some(StorageClassSpecifier::Typedef);
        for init in &d.node.declarators {
            let decl = &init.node.declarator;
            let name_for_msg = declarator_name(&decl.node).map(str::to_string);
            let base = match specs.placeholder {
                Some(private::PARTIAL_T) => {
                    return Err(self.placeholder_misuse(private::PARTIAL_T, d.span));
                }
                Some(p) => {
                    let Some(name) = name_for_msg.as_deref().filter(|_| typedef) else {
                        return Err(self.placeholder_misuse(p, d.span));
                    };
                    self.placeholder_base(p, name, decl, d.span)?
                }
                None => specs.base.unwrap_or_else(|| self.int_type()),
            };
            let declared = self.declarator(base, decl, name_for_msg.as_deref())?;
            let Some(name) = declared.name.clone() else {
                return Err(self.err(ErrorKind::Syntax, decl.span, "declaration without a name"));
            };
            let mut attrs = specs.attrs.clone();
            attrs.extend(declared.attrs.iter().cloned());
            let name_pos = self.pos(declared.name_span.start);
            if typedef {
                self.typedef(&name, name_pos, &declared, &specs, &attrs)?;
                continue;
            }
            self.object(
                &name,
                name_pos,
                &declared,
                &specs,
                &attrs,
                init.node.initializer.as_ref(),
                init.span,
            )?;
        }
        Ok(())
    }

    fn definition_error(&self, span: Span) -> crate::error::Located {
        self.err(
            ErrorKind::Definition,
            span,
            "a variable with an initializer is a definition; a cdef only declares (drop the \
             '= ...', or make it 'static const' for a constant)",
        )
    }

    /// An array of `len` items of type `item`; for a parameter's outermost array (`decays`),
    /// which becomes a pointer, over items that are arrays of a length known only at run time
    /// (`double m[n][n]`, `int m[3][n]`), the pointer to them gcc makes, as C allows no array of
    /// them.
    fn array_in(
        &mut self,
        item: CTypeId,
        len: Option<u64>,
        span: Span,
        (decays, dots): (bool, bool),
    ) -> LResult<CTypeId> {
        let unsized_item = matches!(
            self.reg.kind(self.reg.strip_aligned(item)),
            CTypeKind::Array { len: None, .. }
        );
        // (Not for cffi's `[...]`, whose length C never knows: that stays an error.)
        if decays && unsized_item && !dots {
            return Ok(self.reg.pointer_to(item));
        }
        self.make_array(item, len, span)
    }

    /// Pointer type `t` with the attributes written after its `*` (`char *
    /// __attribute__((aligned(16))) p`): `aligned` aligns the pointer type itself
    /// ([`types::aligned_pointer`]); gcc ignores `packed` there (with a warning).
    fn pointer_attrs(
        &mut self,
        mut t: CTypeId,
        quals: &[Node<PointerQualifier>],
    ) -> LResult<CTypeId> {
        for q in quals {
            let PointerQualifier::Extension(exts) = &q.node else {
                continue;
            };
            let pos = |o: usize| self.pos(o);
            for a in attr::read(exts, &pos)? {
                if let Attr::Aligned(arg) = &a {
                    let at = self.pos(q.span.start);
                    let align = self.align_value(arg, at)?;
                    t = types::aligned_pointer(self.reg, t, align);
                }
            }
        }
        Ok(t)
    }

    /// The type behind a cffi placeholder in `typedef ... name;` / `typedef int... name;`.
    fn placeholder_base(
        &mut self,
        p: &str,
        name: &str,
        decl: &Node<Declarator>,
        span: Span,
    ) -> LResult<CTypeId> {
        match p {
            private::OPAQUE => {
                // `typedef ... t;` is an opaque struct named `t`; `typedef ... *t;` points to an
                // opaque struct named `$$t`, as cffi names it.
                let plain = decl.node.derived.is_empty()
                    && matches!(decl.node.kind.node, DeclaratorKind::Identifier(_));
                let display = if plain {
                    name.to_string()
                } else {
                    format!("struct $${name}")
                };
                if let Some(Decl::Typedef { ty: old, .. }) = self.reg.decl(name)
                    && plain
                    && let CTypeKind::Record(rid) = self.reg.kind(*old)
                    && self.reg.record(*rid).fields.is_none()
                    && *self.reg.record(*rid).display == *display
                {
                    return Ok(*old);
                }
                Ok(self.reg.new_record(Record {
                    kind: RecordKind::Struct,
                    tag: None,
                    display: display.into(),
                    fields: None,
                    partial: false,
                    packed: false,
                    aligned: None,
                    pack: None,
                    transparent: false,
                }))
            }
            _ => {
                if !decl.node.derived.is_empty() {
                    return Err(self.err(
                        ErrorKind::Ellipsis,
                        span,
                        "unsupported usage of \"...\" in typedef: 'typedef int... name;' declares \
                         a number type, not a pointer or array",
                    ));
                }
                Ok(self.reg.intern(CTypeKind::UnknownNumber {
                    name: name.into(),
                    float: p == private::UNKNOWN_FLOAT,
                }))
            }
        }
    }

    fn typedef(
        &mut self,
        name: &str,
        pos: usize,
        d: &Declared,
        specs: &Specs,
        attrs: &[Attr],
    ) -> LResult<()> {
        let mut ty = d.ty;
        for a in attrs {
            match a {
                Attr::Mode(bytes) => ty = self.apply_mode(ty, *bytes, pos)?,
                Attr::VectorSize(size) => ty = self.apply_vector(ty, size, pos)?,
                Attr::Aligned(arg) => {
                    let align = self.align_value(arg, pos)?;
                    ty = self.reg.intern(CTypeKind::Aligned {
                        base: ty,
                        align,
                        name: name.into(),
                    });
                }
                // On a typedef of a union, the union becomes transparent.
                Attr::TransparentUnion => self.make_transparent(ty, pos)?,
                // gcc ignores `packed` on a typedef name (see grammar-tests/layout/
                // packed-typedef-name.cdef) and asm labels mean nothing on a type.
                Attr::Packed | Attr::AsmLabel(_) => {}
            }
        }
        // An anonymous struct/union/enum takes the name of its first plain typedef (cffi).
        if !d.derived && specs.defines_tag && Some(d.ty) == specs.tag_type {
            self.name_anonymous(d.ty, name);
        }
        // Variables declared with a `const` typedef are read-only, as `const` ones are.
        let read_only = read_only(d, specs);
        self.declare(name, Decl::Typedef { ty, read_only }, pos)
    }

    /// `transparent_union` on a typedef: the union it names becomes transparent.
    pub(super) fn make_transparent(&mut self, ty: CTypeId, pos: usize) -> LResult<()> {
        if let CTypeKind::Record(rid) = self.reg.kind(ty).clone() {
            let rec = self.reg.record(rid);
            if rec.kind == RecordKind::Union && rec.fields.is_some() {
                if !rec.transparent {
                    let mut rec = rec.clone();
                    rec.transparent = true;
                    self.reg.update_record(rid, rec);
                }
                return Ok(());
            }
        }
        Err(CdefError::at(
            ErrorKind::InvalidType,
            pos,
            "'transparent_union' applies only to a defined union",
        ))
    }

    fn name_anonymous(&mut self, ty: CTypeId, name: &str) {
        if name == crate::type_body::NAME {
            return; // a type string's body keeps its `struct $N` name, as cffi's does
        }
        match self.reg.kind(ty).clone() {
            CTypeKind::Record(rid) => {
                let rec = self.reg.record(rid);
                if rec.tag.is_none()
                    && rec.display.starts_with(['s', 'u'])
                    && rec.display.contains(" $")
                {
                    let mut rec = rec.clone();
                    rec.display = name.into();
                    self.reg.update_record(rid, rec);
                }
            }
            CTypeKind::Enum(eid) => {
                let e = self.reg.enum_def(eid);
                if e.tag.is_none() && e.display.contains(" $") {
                    let mut e = e.clone();
                    e.display = name.into();
                    self.reg.update_enum(eid, e);
                }
            }
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn object(
        &mut self,
        name: &str,
        pos: usize,
        d: &Declared,
        specs: &Specs,
        attrs: &[Attr],
        init: Option<&Node<Initializer>>,
        span: Span,
    ) -> LResult<()> {
        let mut ty = d.ty;
        let mut symbol = None;
        for a in attrs {
            match a {
                Attr::AsmLabel(s) => symbol = Some(s.as_str().into()),
                Attr::Mode(bytes) => ty = self.apply_mode(ty, *bytes, pos)?,
                Attr::VectorSize(size) => ty = self.apply_vector(ty, size, pos)?,
                Attr::Packed | Attr::Aligned(_) | Attr::TransparentUnion => {}
            }
        }
        if let CTypeKind::Function(_) = self.reg.kind(self.reg.strip_aligned(ty)) {
            if init.is_some() {
                return Err(self.err(
                    ErrorKind::Definition,
                    span,
                    "a function cannot have an initializer",
                ));
            }
            return self.declare(name, Decl::Function { ty, symbol }, pos);
        }
        if matches!(self.reg.kind(ty), CTypeKind::Void) {
            return Err(CdefError::at(
                ErrorKind::InvalidType,
                pos,
                format!("variable '{name}' declared void"),
            ));
        }
        let is_const = top_const(d, specs);
        match init {
            None => {
                let read_only = read_only(d, specs);
                self.declare(
                    name,
                    Decl::Variable {
                        ty,
                        symbol,
                        read_only,
                    },
                    pos,
                )
            }
            // A `static` object defined with a value no constant could have (a header's table
            // of names, `static const char *const names[] = {...}`, a struct's default, a
            // pointer to a string): each file that includes it has its own copy, which no
            // library exports, so nothing could load it. Skipped and listed, as `static`
            // function definitions are. (A number given a value stays a constant when it is
            // `const`, and is refused when not, as a constant meant to be one.)
            Some(init)
                if specs.storage == Some(StorageClassSpecifier::Static)
                    && !(matches!(init.node, Initializer::Expression(_))
                        && (is_const || self.int_repr(ty).is_some())) =>
            {
                let at = self.pos(span.start);
                self.state.skipped_defs.push((name.into(), at));
                Ok(())
            }
            Some(init) if is_const => {
                let Initializer::Expression(e) = &init.node else {
                    return Err(self.err(
                        ErrorKind::Unsupported,
                        init.span,
                        "only integer constants can be given a value in a cdef",
                    ));
                };
                let value = match self.int_repr(ty) {
                    Some(to) => {
                        let v = self.eval(e)?;
                        Some(IntVal {
                            value: to.wrap(v.value),
                            ty: to,
                        })
                    }
                    None => None,
                };
                self.declare(name, Decl::Constant { ty, value }, pos)
            }
            Some(_) => Err(self.definition_error(span)),
        }
    }

    /// The integer type of `ty`, if it is one.
    fn int_repr(&self, ty: CTypeId) -> Option<IntTy> {
        match self.reg.kind(self.reg.strip_aligned(ty)) {
            CTypeKind::Prim(p) => match self.reg.target.repr(*p) {
                PrimRepr::Int { bytes, signed } => Some(IntTy::new(bytes * 8, signed)),
                PrimRepr::Bool => Some(IntTy {
                    bits: 8,
                    signed: false,
                    bool_: true,
                }),
                _ => None,
            },
            CTypeKind::Enum(e) => match self.reg.target.repr(self.reg.enum_def(*e).underlying) {
                PrimRepr::Int { bytes, signed } => Some(IntTy::new(bytes * 8, signed)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Applies a declarator to a base type. `fname` names the declaration for messages about
    /// its parameters.
    pub(crate) fn declarator(
        &mut self,
        base: CTypeId,
        d: &Node<Declarator>,
        fname: Option<&str>,
    ) -> LResult<Declared> {
        self.declarator_in(base, d, fname, false)
    }

    /// [`Lowerer::declarator`]; `param` is true for a function parameter.
    fn declarator_in(
        &mut self,
        base: CTypeId,
        d: &Node<Declarator>,
        fname: Option<&str>,
        param: bool,
    ) -> LResult<Declared> {
        let mut t = base;
        let mut const_pointer = None;
        let mut dots_array = false;
        let mut array = false;
        let derived = !d.node.derived.is_empty();
        for der in &d.node.derived {
            if let DerivedDeclarator::Pointer(quals) = &der.node {
                t = self.reg.pointer_to(t);
                let c = quals.iter().any(|q| {
                    matches!(&q.node, PointerQualifier::TypeQualifier(tq) if tq.node == TypeQualifier::Const)
                });
                t = self.pointer_attrs(t, quals)?;
                const_pointer = Some(c);
                array = false;
            }
        }
        // Arrays at this level hold the pointers just made (if any).
        let item_pointer_const = const_pointer;
        // A parameter's outermost array — the first array where its name is — becomes a
        // pointer.
        let decays = param && !matches!(d.node.kind.node, DeclaratorKind::Declarator(_));
        let outermost = d
            .node
            .derived
            .iter()
            .find(|der| matches!(der.node, DerivedDeclarator::Array(_)))
            .filter(|_| decays);
        for der in d.node.derived.iter().rev() {
            let decays = outermost.is_some_and(|o| std::ptr::eq(o, der));
            match &der.node {
                DerivedDeclarator::Pointer(_) => {}
                DerivedDeclarator::Array(ad) => {
                    let len = match &ad.node.size {
                        ArraySize::Unknown | ArraySize::VariableUnknown => None,
                        ArraySize::VariableExpression(e) | ArraySize::StaticExpression(e) => {
                            if Self::is_dotdotdot(&e.node) {
                                dots_array = true;
                                None
                            } else {
                                let v = match self.eval(e) {
                                    Ok(v) => v,
                                    // A parameter's array size may be no constant: another
                                    // parameter, `*n` (brotli's `uint8_t out[*out_size]`), a
                                    // division by zero gcc only warns about — a variable-length
                                    // array, which becomes a pointer anyway.
                                    Err(err)
                                        if param
                                            && matches!(
                                                err.error.kind(),
                                                ErrorKind::UnknownName | ErrorKind::ConstExpr
                                            ) =>
                                    {
                                        t =
                                            self.array_in(t, None, der.span, (decays, dots_array))?;
                                        const_pointer = None;
                                        array = true;
                                        continue;
                                    }
                                    Err(err) => return Err(err),
                                };
                                if v.value < 0 {
                                    return Err(self.err(
                                        ErrorKind::InvalidType,
                                        e.span,
                                        "negative array length",
                                    ));
                                }
                                Some(u64::try_from(v.value).map_err(|_| {
                                    self.err(
                                        ErrorKind::InvalidType,
                                        e.span,
                                        "array length too large",
                                    )
                                })?)
                            }
                        }
                    };
                    t = self.array_in(t, len, der.span, (decays, dots_array))?;
                    const_pointer = None;
                    array = true;
                }
                DerivedDeclarator::Function(fd) => {
                    let (params, variadic) = self.params(fd, fname)?;
                    let sig = FuncSig {
                        ret: t,
                        params,
                        variadic,
                        abi: Default::default(),
                    };
                    t = types::make_function(self.reg, sig)
                        .map_err(|m| self.err(ErrorKind::InvalidType, der.span, m))?;
                    const_pointer = None;
                    array = false;
                }
                DerivedDeclarator::KRFunction(ids) => {
                    if let Some(first) = ids.first() {
                        return Err(self.err(
                            ErrorKind::UnknownType,
                            first.span,
                            format!(
                                "{}arg 1: unknown type '{}' (if you meant to use the old C syntax \
                                 of giving untyped arguments, it is not supported)",
                                fname.map(|f| format!("{f} ")).unwrap_or_default(),
                                first.node.name
                            ),
                        ));
                    }
                    // K&R `f()` is taken as `f(void)`, as LuaJIT and cffi do.
                    let sig = FuncSig {
                        ret: t,
                        params: Vec::new(),
                        variadic: false,
                        abi: Default::default(),
                    };
                    t = types::make_function(self.reg, sig)
                        .map_err(|m| self.err(ErrorKind::InvalidType, der.span, m))?;
                    const_pointer = None;
                    array = false;
                }
                DerivedDeclarator::Block(_) => {
                    return Err(self.err(
                        ErrorKind::Unsupported,
                        der.span,
                        "blocks ('^') are not supported",
                    ));
                }
            }
        }
        let pos = |o: usize| self.pos(o);
        let mut attrs = attr::read(&d.node.extensions, &pos)?;
        match &d.node.kind.node {
            DeclaratorKind::Identifier(id) => Ok(Declared {
                ty: t,
                name: Some(id.node.name.clone()),
                name_span: id.span,
                attrs,
                const_pointer,
                derived,
                array,
                item_pointer_const: if array { item_pointer_const } else { None },
                dots_array,
            }),
            DeclaratorKind::Abstract => Ok(Declared {
                ty: t,
                name: None,
                name_span: d.span,
                attrs,
                const_pointer,
                derived,
                array,
                item_pointer_const: if array { item_pointer_const } else { None },
                dots_array,
            }),
            DeclaratorKind::Declarator(inner) => {
                let mut r = self.declarator_in(t, inner, fname, param)?;
                attrs.extend(r.attrs);
                r.attrs = attrs;
                r.derived |= derived;
                r.dots_array |= dots_array;
                if inner.node.derived.is_empty() {
                    r.const_pointer = const_pointer;
                    r.array = array;
                    r.item_pointer_const = if array { item_pointer_const } else { None };
                }
                Ok(r)
            }
        }
    }

    fn params(
        &mut self,
        fd: &Node<FunctionDeclarator>,
        fname: Option<&str>,
    ) -> LResult<(Vec<CTypeId>, bool)> {
        let mut params = Vec::with_capacity(fd.node.parameters.len());
        for p in &fd.node.parameters {
            let specs = self.specifiers(&p.node.specifiers, p.span)?;
            if let Some(ph) = specs.placeholder {
                return Err(self.placeholder_misuse(ph, p.span));
            }
            let base = specs.base.unwrap_or_else(|| self.int_type());
            let (mut ty, mut attrs) = match &p.node.declarator {
                Some(d) => {
                    let r = self.declarator_in(base, d, fname, true)?;
                    (r.ty, r.attrs)
                }
                None => (base, Vec::new()),
            };
            let pos = |o: usize| self.pos(o);
            attrs.extend(attr::read(&p.node.extensions, &pos)?);
            attrs.extend(specs.attrs.iter().cloned());
            let at = self.pos(p.span.start);
            for a in &attrs {
                match a {
                    Attr::Mode(b) => ty = self.apply_mode(ty, *b, at)?,
                    Attr::VectorSize(size) => ty = self.apply_vector(ty, size, at)?,
                    _ => {}
                }
            }
            params.push((ty, at));
        }
        let variadic = fd.node.ellipsis == lang_c::ast::Ellipsis::Some;
        if variadic && params.is_empty() {
            return Err(self.err(
                ErrorKind::InvalidType,
                fd.span,
                format!(
                    "{}a function with only '(...)' as argument is not correct C",
                    fname.map(|f| format!("{f}: ")).unwrap_or_default()
                ),
            ));
        }
        let params = types::adjust_params(self.reg, params)?;
        Ok((params, variadic))
    }
}

/// Whether a declarator's object itself is `const`: `const int x`, `char *const p` — not
/// `const char *p`.
fn top_const(d: &Declared, specs: &Specs) -> bool {
    match d.const_pointer {
        Some(c) => c,
        None => specs.is_const && !d.derived,
    }
}

/// Whether a variable (or a typedef's variables) is read-only: `const` itself, or an array
/// whose items are — `const int a[3]`, `char *const names[2]`, not `const char *names[2]`,
/// whose pointers C lets one change.
pub(super) fn read_only(d: &Declared, specs: &Specs) -> bool {
    top_const(d, specs) || (d.array && d.item_pointer_const.unwrap_or(specs.is_const))
}

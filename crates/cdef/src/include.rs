//! [`Registry::include`]: another registry's types and constants declared in this one (cffi's
//! `ffi.include(other)`).
//!
//! Types are copied with an id map: derived types are interned again, structs, unions and
//! enums are found by tag (or made), and a record's members are copied from a work list, so
//! the recursion follows one type's spelling only (bounded by [`MAX_NESTING`](crate::MAX_NESTING)), never a chain
//! of records through their pointers.

use std::collections::{HashMap, VecDeque};

use crate::ctype::{CTypeId, CTypeKind, EnumDef, FuncSig, Record, RecordId};
use crate::error::{CdefError, ErrorKind};
use crate::macros::MacroValue;
use crate::registry::{Decl, Registry};

/// The state of one include.
struct Importer<'o> {
    other: &'o Registry,
    /// Other's type ids to this registry's.
    map: HashMap<CTypeId, CTypeId>,
    /// Records whose members are still to copy: other's, this registry's, and whether this
    /// registry had it before (then the two must agree).
    todo: VecDeque<(RecordId, RecordId, bool)>,
}

impl Registry {
    /// Declares `other`'s types and constants here, as cffi's `ffi.include(other)` does: its
    /// typedefs, structs, unions and enums (named or not), enumerators, `static const`
    /// integers and value macros. Functions and variables are not included (declare them
    /// here, with the included types). A name or tag already declared here must be declared
    /// alike (a typedef of the same type, a constant of the same value, a struct with the same
    /// members; an opaque struct here is completed), or nothing is included and the error
    /// names it. Including the same registry twice is harmless.
    ///
    /// # Errors
    ///
    /// A [`CdefError`] of kind `Redeclared` naming the first declaration both registries make
    /// differently, or of kind `Option` when `other` is for another target; nothing is included
    /// then.
    ///
    /// ```
    /// use rcffi_cdef::Registry;
    /// let mut base = Registry::new();
    /// base.cdef("typedef signed char schar_t; struct pt { schar_t x, y; }; enum { ORIGIN = 0 };").unwrap();
    /// let mut reg = Registry::new();
    /// reg.include(&base).unwrap();
    /// reg.cdef("struct line { struct pt a, b; }; int draw(struct line *);").unwrap();
    /// let line = reg.parse_type("struct line").unwrap();
    /// assert_eq!(reg.layout(line).unwrap().size, 4);
    /// assert_eq!(reg.integer_const("ORIGIN").unwrap().value, 0);
    /// let mut clash = Registry::new();
    /// clash.cdef("typedef unsigned char schar_t;").unwrap();
    /// assert!(clash.include(&base).is_err());
    /// ```
    pub fn include(&mut self, other: &Registry) -> Result<(), CdefError> {
        if self.target() != other.target() {
            return Err(CdefError::new(
                ErrorKind::Option,
                format!(
                    "cannot include declarations for target {} into a registry for {}",
                    other.target().name,
                    self.target().name
                ),
            ));
        }
        self.begin();
        let mut im = Importer {
            other,
            map: HashMap::new(),
            todo: VecDeque::new(),
        };
        let result = im.run(self);
        match result {
            Ok(()) => {
                self.commit();
                Ok(())
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }
}

impl Importer<'_> {
    fn run(&mut self, reg: &mut Registry) -> Result<(), CdefError> {
        let other = self.other;
        for (name, decl) in other.decls() {
            match (decl, reg.decl(name)) {
                (Decl::Typedef { ty: a, .. }, Some(Decl::Typedef { ty: b, .. }))
                | (Decl::Constant { ty: a, .. }, Some(Decl::Constant { ty: b, .. }))
                | (Decl::EnumConst { enum_ty: a, .. }, Some(Decl::EnumConst { enum_ty: b, .. })) => {
                    self.pair(reg, *a, *b)
                }
                _ => {}
            }
            let decl = match decl {
                Decl::Typedef { ty, read_only } => Decl::Typedef {
                    ty: self.ty(reg, *ty)?,
                    read_only: *read_only,
                },
                Decl::Constant { ty, value } => Decl::Constant {
                    ty: self.ty(reg, *ty)?,
                    value: *value,
                },
                Decl::EnumConst { enum_ty, value } => Decl::EnumConst {
                    enum_ty: self.ty(reg, *enum_ty)?,
                    value: *value,
                },
                Decl::Macro(m) => match m {
                    MacroValue::Int(_) | MacroValue::Float { .. } | MacroValue::Bytes(_) => {
                        Decl::Macro(m.clone())
                    }
                    MacroValue::Pointer { ty, addr } => Decl::Macro(MacroValue::Pointer {
                        ty: self.ty(reg, *ty)?,
                        addr: *addr,
                    }),
                    _ => continue,
                },
                Decl::Function { .. } | Decl::Variable { .. } => continue,
            };
            match reg.decl(name) {
                None => reg.set_name(name, decl),
                Some(here) if *here == decl => {}
                Some(here) => {
                    return Err(conflict(format_args!("{} {name}", here.kind_name())));
                }
            }
            self.complete_records(reg)?;
        }
        for (_, t) in other.tags() {
            self.ty(reg, t)?;
        }
        self.complete_records(reg)
    }

    /// Takes anonymous structs, unions and enums in `there` (other's) for the ones at the same
    /// place in `here` (this registry's), walking both spellings alike: a typedef, constant or
    /// member declared in both names them, and their members are then checked one by one.
    /// So an include may be repeated, and agreeing declarations agree.
    fn pair(&mut self, reg: &Registry, there: CTypeId, here: CTypeId) {
        if self.map.contains_key(&there) {
            return;
        }
        match (self.other.kind(there), reg.kind(here)) {
            (CTypeKind::Pointer(a), CTypeKind::Pointer(b))
            | (CTypeKind::Aligned { base: a, .. }, CTypeKind::Aligned { base: b, .. }) => {
                self.pair(reg, *a, *b)
            }
            (CTypeKind::Array { elem: a, len: m }, CTypeKind::Array { elem: b, len: n })
                if m == n =>
            {
                self.pair(reg, *a, *b)
            }
            (CTypeKind::Function(a), CTypeKind::Function(b))
                if a.params.len() == b.params.len() =>
            {
                self.pair(reg, a.ret, b.ret);
                for (x, y) in a.params.iter().zip(&b.params) {
                    self.pair(reg, *x, *y);
                }
            }
            (CTypeKind::Record(a), CTypeKind::Record(b)) => {
                let (x, y) = (self.other.record(*a), reg.record(*b));
                if x.tag.is_none() && y.tag.is_none() && x.kind == y.kind {
                    self.map.insert(there, here);
                    self.todo.push_back((*a, *b, true));
                }
            }
            (CTypeKind::Enum(a), CTypeKind::Enum(b)) => {
                let (x, y) = (self.other.enum_def(*a), reg.enum_def(*b));
                if x.tag.is_none()
                    && y.tag.is_none()
                    && x.items == y.items
                    && (x.fixed, x.underlying) == (y.fixed, y.underlying)
                {
                    self.map.insert(there, here);
                }
            }
            _ => {}
        }
    }

    /// This registry's id of other's type `t`, declaring it as needed.
    fn ty(&mut self, reg: &mut Registry, t: CTypeId) -> Result<CTypeId, CdefError> {
        if let Some(&id) = self.map.get(&t) {
            return Ok(id);
        }
        let id = match self.other.kind(t).clone() {
            CTypeKind::Pointer(p) => {
                let p = self.ty(reg, p)?;
                reg.intern(CTypeKind::Pointer(p))
            }
            CTypeKind::Array { elem, len } => {
                let elem = self.ty(reg, elem)?;
                reg.intern(CTypeKind::Array { elem, len })
            }
            CTypeKind::Aligned { base, align, name } => {
                let base = self.ty(reg, base)?;
                reg.intern(CTypeKind::Aligned { base, align, name })
            }
            CTypeKind::Vector { elem, len } => {
                let elem = self.ty(reg, elem)?;
                reg.intern(CTypeKind::Vector { elem, len })
            }
            CTypeKind::Function(sig) => {
                let ret = self.ty(reg, sig.ret)?;
                let params = sig
                    .params
                    .iter()
                    .map(|p| self.ty(reg, *p))
                    .collect::<Result<Vec<_>, _>>()?;
                reg.intern(CTypeKind::Function(FuncSig {
                    ret,
                    params,
                    variadic: sig.variadic,
                    abi: sig.abi,
                }))
            }
            CTypeKind::Record(rid) => self.record(reg, rid)?,
            CTypeKind::Enum(eid) => self.enumeration(reg, self.other.enum_def(eid))?,
            kind @ (CTypeKind::Void | CTypeKind::Prim(_) | CTypeKind::UnknownNumber { .. }) => {
                reg.intern(kind)
            }
        };
        self.map.insert(t, id);
        Ok(id)
    }

    /// A struct or union: found by its tag or made opaque; its members are copied later.
    fn record(&mut self, reg: &mut Registry, rid: RecordId) -> Result<CTypeId, CdefError> {
        let rec = self.other.record(rid);
        let existing = rec.tag.as_deref().and_then(|tag| reg.tag(tag));
        let (id, had) = match existing {
            Some(id) => match reg.kind(id) {
                CTypeKind::Record(r) if reg.record(*r).kind == rec.kind => (id, true),
                _ => return Err(conflict(format_args!("{}", rec.display))),
            },
            None => {
                let display = match &rec.tag {
                    None if rec.display.contains(" $") => {
                        format!("{} {}", rec.kind.keyword(), reg.anon_name()).into()
                    }
                    _ => rec.display.clone(),
                };
                let id = reg.new_record(Record {
                    display,
                    fields: None,
                    ..rec.clone()
                });
                if let Some(tag) = &rec.tag {
                    reg.set_tag(tag, id);
                }
                (id, false)
            }
        };
        let CTypeKind::Record(here) = *reg.kind(id) else {
            unreachable!("a record's type")
        };
        self.todo.push_back((rid, here, had));
        Ok(id)
    }

    /// An enum: found by its tag (then it must agree) or made with its enumerators.
    fn enumeration(&mut self, reg: &mut Registry, e: &EnumDef) -> Result<CTypeId, CdefError> {
        if let Some(id) = e.tag.as_deref().and_then(|tag| reg.tag(tag)) {
            return match reg.kind(id) {
                CTypeKind::Enum(here) => {
                    let here = reg.enum_def(*here);
                    // Values given on one side only agree, unless both fix a type.
                    let fixed_agree = !(here.fixed && e.fixed) || here.underlying == e.underlying;
                    let agree = fixed_agree
                        && (here.items.is_none()
                            || e.items.is_none()
                            || (here.items == e.items && here.underlying == e.underlying));
                    if agree {
                        Ok(id)
                    } else {
                        Err(conflict(format_args!("{}", e.display)))
                    }
                }
                _ => Err(conflict(format_args!("{}", e.display))),
            };
        }
        let display = match &e.tag {
            None if e.display.contains(" $") => format!("enum {}", reg.anon_name()).into(),
            _ => e.display.clone(),
        };
        let id = reg.new_enum(EnumDef {
            display,
            ..e.clone()
        });
        if let Some(tag) = &e.tag {
            reg.set_tag(tag, id);
        }
        Ok(id)
    }

    /// Copies the members of the records met so far (which may meet more).
    fn complete_records(&mut self, reg: &mut Registry) -> Result<(), CdefError> {
        while let Some((there, here, had)) = self.todo.pop_front() {
            let rec = self.other.record(there);
            let Some(fields) = &rec.fields else {
                continue; // opaque there: whatever it is here stays
            };
            if had && let Some(mine) = &reg.record(here).fields {
                for (a, b) in fields.iter().zip(mine) {
                    self.pair(reg, a.ty, b.ty);
                }
            }
            let mut copied = Vec::with_capacity(fields.len());
            for f in fields {
                let mut f = f.clone();
                f.ty = self.ty(reg, f.ty)?;
                copied.push(f);
            }
            let mine = reg.record(here);
            let complete = Record {
                tag: mine.tag.clone(),
                display: mine.display.clone(),
                fields: Some(copied),
                ..rec.clone()
            };
            if had && mine.fields.is_some() {
                if *mine != complete {
                    return Err(conflict(format_args!("{}", mine.display)));
                }
                continue;
            }
            reg.update_record(here, complete);
        }
        Ok(())
    }
}

fn conflict(what: std::fmt::Arguments<'_>) -> CdefError {
    CdefError::new(
        ErrorKind::Redeclared,
        format!(
            "multiple declarations of {what}: the included declarations differ from this one's"
        ),
    )
}

//! A stable text dump of everything a registry declares: records with every member's offset
//! and bit position, enums with their values, then the declarations in order. It is the
//! expected output of `grammar-tests/` and a debugging aid.

use std::fmt::Write;

use crate::ctype::{CTypeId, CTypeKind, EnumId, RecordId};
use crate::registry::{Decl, Registry};

impl Registry {
    /// Writes the dump of what cdef has declared (built-in types left out).
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// reg.cdef("struct s { char a; int b:3; }; int f(struct s *);").unwrap();
    /// assert_eq!(reg.dump(), "\
    /// struct s  size=4 align=4
    ///   a: char  offset=0
    ///   b: int : 3  offset=0 shift=8
    /// function f: int(struct s *)
    /// ");
    /// ```
    pub fn dump(&self) -> String {
        let mut out = String::new();
        let reachable = self.reachable();
        for i in 0..self.records.len() {
            let rid = RecordId(i as u32);
            match self.record_type(rid) {
                Some(id) if reachable.contains(&id) && !self.is_builtin(id) => {
                    self.dump_record(rid, &mut out)
                }
                _ => {}
            }
        }
        for i in 0..self.enums.len() {
            let eid = EnumId(i as u32);
            if self
                .enum_type(eid)
                .is_some_and(|id| reachable.contains(&id))
            {
                self.dump_enum(eid, &mut out);
            }
        }
        for (name, decl) in self.decls() {
            let _ = match decl {
                Decl::Typedef { ty, read_only } => {
                    let ro = if *read_only { " (read-only)" } else { "" };
                    writeln!(out, "typedef {name} = {}{ro}", self.cname(*ty))
                }
                Decl::Function { ty, symbol } => {
                    let _ = write!(out, "function {name}: {}", self.cname(*ty));
                    if let Some(s) = symbol {
                        let _ = write!(out, "  symbol={s:?}");
                    }
                    writeln!(out)
                }
                Decl::Variable {
                    ty,
                    symbol,
                    read_only,
                } => {
                    let ro = if *read_only { " (read-only)" } else { "" };
                    let _ = write!(out, "variable {name}: {}{ro}", self.cname(*ty));
                    if let Some(s) = symbol {
                        let _ = write!(out, "  symbol={s:?}");
                    }
                    writeln!(out)
                }
                Decl::Constant { ty, value } => match value {
                    Some(v) => writeln!(out, "constant {name}: {} = {}", self.cname(*ty), v.value),
                    None => writeln!(
                        out,
                        "constant {name}: {} = (not an integer)",
                        self.cname(*ty)
                    ),
                },
                Decl::EnumConst { enum_ty, value } => {
                    writeln!(
                        out,
                        "enumerator {name} = {} ({})",
                        value.value,
                        self.cname(*enum_ty)
                    )
                }
                Decl::Macro(v) => {
                    writeln!(out, "macro {name} = {}", crate::macros::describe(v, self))
                }
            };
        }
        out
    }

    /// Types reachable from the declarations and tags (identical redeclarations of anonymous
    /// records leave unreachable copies behind).
    fn reachable(&self) -> std::collections::HashSet<CTypeId> {
        let mut seen = std::collections::HashSet::new();
        let mut stack: Vec<CTypeId> = self.tags().map(|(_, id)| id).collect();
        for (_, d) in self.decls() {
            match d {
                Decl::Typedef { ty: t, .. }
                | Decl::Function { ty: t, .. }
                | Decl::Variable { ty: t, .. }
                | Decl::Constant { ty: t, .. } => stack.push(*t),
                Decl::EnumConst { enum_ty, .. } => stack.push(*enum_ty),
                Decl::Macro(_) => {}
            }
        }
        while let Some(t) = stack.pop() {
            if !seen.insert(t) {
                continue;
            }
            match self.kind(t) {
                CTypeKind::Pointer(x) | CTypeKind::Array { elem: x, .. } => stack.push(*x),
                CTypeKind::Aligned { base, .. } => stack.push(*base),
                CTypeKind::Function(sig) => {
                    stack.push(sig.ret);
                    stack.extend(sig.params.iter().copied());
                }
                CTypeKind::Record(rid) => {
                    if let Some(fields) = &self.record(*rid).fields {
                        stack.extend(fields.iter().map(|f| f.ty));
                    }
                }
                _ => {}
            }
        }
        seen
    }

    fn dump_record(&self, rid: RecordId, out: &mut String) {
        let rec = self.record(rid);
        let _ = write!(out, "{}", rec.display);
        if rec.tag.is_none()
            && !rec.display.starts_with("struct ")
            && !rec.display.starts_with("union ")
        {
            let _ = write!(out, " ({} anonymous)", rec.kind.keyword());
        }
        let Some(fields) = &rec.fields else {
            let _ = writeln!(out, "  opaque");
            return;
        };
        let layout = match self.any_record_layout(rid) {
            Ok(l) => Some(l),
            Err(e) => {
                let _ = writeln!(out, "  error: {e}");
                None
            }
        };
        if let Some(l) = &layout {
            let _ = write!(out, "  size={} align={}", l.size, l.align);
            let attrs = [
                rec.packed.then(|| "packed".to_string()),
                rec.aligned.map(|a| format!("aligned({a})")),
                rec.pack.map(|p| format!("pack({p})")),
            ];
            for a in attrs.into_iter().flatten() {
                let _ = write!(out, " {a}");
            }
            let _ = writeln!(out);
        }
        for (i, f) in fields.iter().enumerate() {
            let name = f.name.as_deref().unwrap_or("(anonymous)");
            let _ = write!(out, "  {name}: {}", self.cname(f.ty));
            if let Some(w) = f.bit_width {
                let _ = write!(out, " : {w}");
            }
            if let Some(l) = layout.as_ref().and_then(|l| l.fields.get(i)) {
                match l.bitfield {
                    Some(b) => {
                        let _ = write!(out, "  offset={} shift={}", b.unit_offset, b.shift);
                    }
                    None => {
                        let _ = write!(out, "  offset={}", l.offset_bits / 8);
                    }
                }
            }
            if let Some(a) = f.aligned {
                let _ = write!(out, " aligned({a})");
            }
            if f.packed {
                let _ = write!(out, " packed");
            }
            let _ = writeln!(out);
        }
        if rec.partial {
            let _ = writeln!(out, "  ...");
        }
    }

    fn dump_enum(&self, eid: EnumId, out: &mut String) {
        let e = self.enum_def(eid);
        let _ = write!(out, "{}", e.display);
        let (size, _) = self.target.prim_size_align(e.underlying);
        let Some(items) = &e.items else {
            let _ = match e.fixed {
                true => writeln!(
                    out,
                    "  size={size} underlying={} fixed",
                    e.underlying.name()
                ),
                false => writeln!(out, "  incomplete"),
            };
            return;
        };
        let _ = writeln!(
            out,
            "  size={size} underlying={}{}{}{}",
            e.underlying.name(),
            if e.packed { " packed" } else { "" },
            if e.partial { " partial" } else { "" },
            if e.fixed { " fixed" } else { "" }
        );
        for (name, v) in items {
            let _ = writeln!(out, "  {name} = {v}");
        }
    }

    /// The number of records the built-in types created.
    pub(crate) fn builtin_records(&self) -> usize {
        self.records
            .iter()
            .take_while(|r| {
                r.tag
                    .as_deref()
                    .is_some_and(|t| crate::builtins::BUILTIN_TAGS.contains(&t))
            })
            .count()
    }

    /// Whether this type is a record that only the built-ins declared.
    pub(crate) fn is_builtin_record(&self, id: crate::ctype::CTypeId) -> bool {
        match self.kind(id) {
            CTypeKind::Record(rid) => (rid.0 as usize) < self.builtin_records(),
            _ => false,
        }
    }
}

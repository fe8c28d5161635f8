//! C spellings of types, as cffi prints them: `int *`, `int(*)[5]`, `int(*)(int, char *, ...)`,
//! `struct foo`, and cffi's `getctype` with a declarator inserted (`int(* x)[5]`).
//!
//! A spelling is built with a marker: the place where a declarator would go (`int &[5]` has it
//! before `[5]`). Deriving a pointer inserts `*` at the marker, with parentheses when an array or
//! function suffix follows it.

use crate::ctype::{CTypeId, CTypeKind};
use crate::registry::Registry;

/// A spelling and the byte position of its declarator marker.
struct Spelled {
    text: String,
    marker: usize,
}

impl Registry {
    fn spell(&self, id: CTypeId) -> Spelled {
        let plain = |s: &str| Spelled {
            text: s.to_string(),
            marker: s.len(),
        };
        match self.kind(id) {
            CTypeKind::Void => plain("void"),
            CTypeKind::Prim(p) => plain(p.name()),
            CTypeKind::Record(rid) => plain(&self.record(*rid).display),
            CTypeKind::Enum(eid) => plain(&self.enum_def(*eid).display),
            CTypeKind::Aligned { name, .. } => plain(name),
            CTypeKind::UnknownNumber { name, .. } => plain(name),
            CTypeKind::Vector { elem, len } => {
                let size = self
                    .layout(*elem)
                    .map_or(0, |l| l.size.saturating_mul(*len));
                plain(&format!(
                    "{} __attribute__((vector_size({size})))",
                    self.cname(*elem)
                ))
            }
            CTypeKind::Pointer(t) => {
                let mut s = self.spell(*t);
                let next = s.text[s.marker..].chars().next();
                if matches!(next, Some('[' | '(')) {
                    s.text.insert_str(s.marker, "(*)");
                    s.marker += 2;
                } else {
                    s.text.insert_str(s.marker, " *");
                    s.marker += 2;
                }
                s
            }
            CTypeKind::Array { elem, len } => {
                let mut s = self.spell(*elem);
                let dim = match len {
                    Some(n) => format!("[{n}]"),
                    None => "[]".to_string(),
                };
                s.text.insert_str(s.marker, &dim);
                s
            }
            CTypeKind::Function(sig) => {
                let mut s = self.spell(sig.ret);
                let mut params: Vec<String> = sig.params.iter().map(|p| self.cname(*p)).collect();
                if sig.variadic {
                    params.push("...".to_string());
                }
                let list = format!("({})", params.join(", "));
                s.text.insert_str(s.marker, &list);
                s
            }
        }
    }

    /// The C name of a type, as cffi's `CType.cname` (`"int *"`, `"int(*)(int, char *, ...)"`).
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// let t = reg.parse_type("long(*)(long, long**, ...)").unwrap();
    /// assert_eq!(reg.cname(t), "long(*)(long, long * *, ...)");
    /// ```
    pub fn cname(&self, id: CTypeId) -> String {
        self.spell(id).text
    }

    /// cffi's `getctype(cdecl, replace_with)`: the C spelling with `replace_with` (a declarator
    /// such as `"x"`, `"*"`, `"[6]"`) inserted where a name would go.
    ///
    /// ```
    /// let mut reg = rcffi_cdef::Registry::new();
    /// let t = reg.parse_type("int[5]").unwrap();
    /// assert_eq!(reg.getctype(t, "*"), "int(*)[5]");
    /// assert_eq!(reg.getctype(t, " ** foo "), "int(** foo)[5]");
    /// ```
    pub fn getctype(&self, id: CTypeId, replace_with: &str) -> String {
        let s = self.spell(id);
        let r = replace_with.trim();
        let next = s.text[s.marker..].chars().next();
        let r = if r.starts_with('*') && next == Some('[') {
            format!("({r})")
        } else if !r.is_empty() && !r.starts_with(['[', '(']) {
            format!(" {r}")
        } else {
            r.to_string()
        };
        let mut text = s.text;
        text.insert_str(s.marker, &r);
        text
    }
}

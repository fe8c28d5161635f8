//! The one-time check behind every typed API: a Rust [`Shape`] against the cdef's type, with
//! every difference named (where, the C type, the Rust type, and why they differ).

use std::collections::HashSet;

use rcffi_cdef::{CTypeId, CTypeKind, FuncSig, PrimRepr, RecordKind, Registry};

use super::shape::{FnShape, RecordShape, Shape, ShapeKind};

/// How deep records, arrays and pointers may nest in one check (C's own types nest less; a
/// deeper pair is refused, not followed).
const MAX_DEPTH: usize = 256;

/// Which way values cross: what Rust hands C may be a non-nullable function pointer; what C
/// hands Rust must allow NULL.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Flow {
    /// Rust gives the value to C (a typed call's argument, a callback's result).
    ToC,
    /// C gives the value to Rust (a typed call's result, a callback's argument).
    FromC,
    /// Both may write it (members, memory behind pointers).
    Both,
}

/// A check in progress: pairs already being compared (a struct that points to itself is
/// compared once) and the depth.
pub(crate) struct Checker<'r> {
    reg: &'r Registry,
    seen: HashSet<(CTypeId, &'static str)>,
    depth: usize,
}

impl<'r> Checker<'r> {
    pub(crate) fn new(reg: &'r Registry) -> Checker<'r> {
        Checker {
            reg,
            seen: HashSet::new(),
            depth: 0,
        }
    }

    /// The differences between function type `func` (a function or a pointer to one) and a
    /// Rust function pointer signature, one line each; empty when they match. `callback` turns
    /// the flow around (C calls Rust).
    pub(crate) fn signature(
        &mut self,
        func: CTypeId,
        sig: &FnShape,
        callback: bool,
    ) -> Result<(), Vec<String>> {
        let Some(c) = self.function_sig(func) else {
            return Err(vec![format!(
                "'{}' is not a function type",
                self.reg.cname(func)
            )]);
        };
        let (into_fn, out_of_fn) = if callback {
            (Flow::FromC, Flow::ToC)
        } else {
            (Flow::ToC, Flow::FromC)
        };
        let mut errors = Vec::new();
        if c.params.len() != sig.args.len() {
            errors.push(format!(
                "the cdef gives {} parameter{}, the Rust type {}",
                c.params.len(),
                plural(c.params.len()),
                sig.args.len()
            ));
        }
        if c.variadic != sig.variadic {
            errors.push(if c.variadic {
                "the cdef's function is variadic (`...`), the Rust type is not".to_string()
            } else {
                "the Rust type is variadic (`...`), the cdef's function is not".to_string()
            });
        }
        for (i, (p, s)) in c.params.iter().zip(&sig.args).enumerate() {
            if let Err(why) = self.value(*p, s, into_fn) {
                errors.push(format!(
                    "argument {}: the cdef says '{}', the Rust type is {}{}",
                    i + 1,
                    self.reg.cname(*p),
                    s.rust,
                    because(&why)
                ));
            }
        }
        if let Err(why) = self.result(c.ret, &sig.ret, out_of_fn) {
            errors.push(format!(
                "result: the cdef says '{}', the Rust type is {}{}",
                self.reg.cname(c.ret),
                sig.ret.rust,
                because(&why)
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The signature of a function type or function pointer type.
    fn function_sig(&self, t: CTypeId) -> Option<FuncSig> {
        let t = self.reg.strip_aligned(t);
        let t = match self.reg.kind(t) {
            CTypeKind::Pointer(f) => self.reg.strip_aligned(*f),
            _ => t,
        };
        match self.reg.kind(t) {
            CTypeKind::Function(sig) => Some(sig.clone()),
            _ => None,
        }
    }

    /// A result: `void` is `()`; anything else as a value.
    fn result(&mut self, c: CTypeId, s: &Shape, flow: Flow) -> Result<(), String> {
        let void_c = matches!(self.reg.kind(self.reg.strip_aligned(c)), CTypeKind::Void);
        let void_r = matches!(s.kind, ShapeKind::Void);
        match (void_c, void_r) {
            (true, true) => Ok(()),
            (true, false) => Err("the function returns nothing".into()),
            (false, true) => Err("the function returns a value".into()),
            (false, false) => self.value(c, s, flow),
        }
    }

    /// A value passed or returned: what [`Checker::same`] says, and no arrays (C never passes
    /// them by value) or `void`.
    fn value(&mut self, c: CTypeId, s: &Shape, flow: Flow) -> Result<(), String> {
        match s.kind {
            ShapeKind::Void => return Err("`()` is not a C value".into()),
            ShapeKind::Array { .. } => {
                return Err("C passes no arrays by value: use a pointer".into());
            }
            _ => {}
        }
        // A transparent union parameter is passed as its first member is (glibc's
        // `__SOCKADDR_ARG`): that member's type is the one to match, unless the Rust type is
        // the union itself.
        if let CTypeKind::Record(rid) = self.reg.kind(self.reg.strip_aligned(c)) {
            let rec = self.reg.record(*rid);
            if rec.transparent
                && !matches!(s.kind, ShapeKind::Record(_))
                && let Some(first) = rec.fields.as_ref().and_then(|f| f.first())
            {
                return self.same(first.ty, s, flow);
            }
        }
        self.same(c, s, flow)
    }

    /// Whether C type `c` and Rust shape `s` are the same type: the reason they are not.
    pub(crate) fn same(&mut self, c: CTypeId, s: &Shape, flow: Flow) -> Result<(), String> {
        if self.depth >= MAX_DEPTH {
            return Err(format!("types nest more than {MAX_DEPTH} levels deep"));
        }
        self.depth += 1;
        let r = self.same_inner(c, s, flow);
        self.depth -= 1;
        r
    }

    fn same_inner(&mut self, c: CTypeId, s: &Shape, flow: Flow) -> Result<(), String> {
        let reg = self.reg;
        let c = reg.strip_aligned(c);
        match (reg.kind(c), &s.kind) {
            (CTypeKind::Void, ShapeKind::Void) => Ok(()),
            (CTypeKind::Prim(p), _) => prim(
                reg.target().repr(*p),
                p.is_plain_char() || p.is_wide_char(),
                p.name(),
                s,
            ),
            (CTypeKind::Enum(e), ShapeKind::Int { bytes, .. }) => {
                // An enum's signedness is gcc's choice, not the program's: either is accepted.
                let under = reg.target().repr(reg.enum_def(*e).underlying);
                match under {
                    PrimRepr::Int { bytes: b, .. } if b == *bytes => Ok(()),
                    PrimRepr::Int { bytes: b, .. } => Err(format!("{b} bytes, not {bytes}")),
                    _ => Err("not an integer".into()),
                }
            }
            (CTypeKind::Pointer(t), ShapeKind::Pointer { pointee }) => {
                let t = reg.strip_aligned(*t);
                if matches!(reg.kind(t), CTypeKind::Function(_)) {
                    return match pointee {
                        None => Ok(()),
                        Some(_) => Err("a function pointer is an `extern \"C\" fn` type".into()),
                    };
                }
                let Some(pointee) = pointee else {
                    return Ok(()); // `*const c_void`: any pointer
                };
                if matches!(reg.kind(t), CTypeKind::Void) {
                    return Ok(()); // `void *` holds any pointer
                }
                let ps = pointee();
                if !self.seen.insert((t, ps.rust)) {
                    return Ok(()); // being compared further up (a struct pointing to itself)
                }
                self.same(t, &ps, Flow::Both).map_err(|why| {
                    format!("pointee '{}' vs {}{}", reg.cname(t), ps.rust, because(&why))
                })
            }
            (CTypeKind::Pointer(t), ShapeKind::Function(f)) => {
                if f.nullable || flow == Flow::ToC {
                    let t = reg.strip_aligned(*t);
                    self.function_type(t, f)
                } else {
                    Err("C may hand over NULL here: use `Option<extern \"C\" fn(...)>`".into())
                }
            }
            (CTypeKind::Array { elem, len }, ShapeKind::Array { elem: e, len: n }) => {
                if len.unwrap_or(0) != *n as u64 {
                    return Err(match len {
                        Some(l) => format!("{l} items, not {n}"),
                        None => "a flexible array member is `[T; 0]`".into(),
                    });
                }
                let es = e();
                self.same(*elem, &es, Flow::Both).map_err(|why| {
                    format!(
                        "item '{}' vs {}{}",
                        reg.cname(*elem),
                        es.rust,
                        because(&why)
                    )
                })
            }
            (CTypeKind::Record(rid), ShapeKind::Record(r)) => self.record(c, *rid, r),
            (CTypeKind::Vector { .. }, _) => {
                Err("vector types have no Rust counterpart here".into())
            }
            (CTypeKind::UnknownNumber { .. }, _) => Err("its size is unknown (`...`)".into()),
            _ => Err(kind_differs(reg, c, s)),
        }
    }

    /// A C function pointer's target against a Rust function pointer type.
    fn function_type(&mut self, t: CTypeId, f: &FnShape) -> Result<(), String> {
        if !matches!(self.reg.kind(t), CTypeKind::Function(_)) {
            return Err("a data pointer, not a function pointer".into());
        }
        // The inner function type is called by C (a callback argument) or by Rust (a function
        // pointer C returns): its own arguments are checked both ways.
        let mut inner = Checker {
            reg: self.reg,
            seen: std::mem::take(&mut self.seen),
            depth: self.depth,
        };
        let r = inner.signature(t, f, false).map_err(|e| e.join("; "));
        self.seen = inner.seen;
        r
    }

    /// A struct or union against a derived Rust record.
    fn record(
        &mut self,
        c: CTypeId,
        rid: rcffi_cdef::RecordId,
        r: &RecordShape,
    ) -> Result<(), String> {
        let reg = self.reg;
        let rec = reg.record(rid);
        if !r.c_name.is_empty() && !self.names(c, r.c_name) {
            return Err(format!("the Rust type stands for '{}'", r.c_name));
        }
        if (rec.kind == RecordKind::Union) != r.union {
            return Err(if r.union {
                "a union in Rust, a struct in the cdef".into()
            } else {
                "a struct in Rust, a union in the cdef".into()
            });
        }
        if r.opaque {
            return Ok(());
        }
        let Some(fields) = &rec.fields else {
            return Err(
                "opaque in the cdef: its members are unknown (derive it `#[rcffi(opaque)]`)".into(),
            );
        };
        let layout = reg
            .record_layout(rid)
            .map_err(|e| format!("its layout is unknown: {e}"))?;
        let mut diffs = Vec::new();
        if layout.size != r.size as u64 {
            diffs.push(format!("size {} in C, {} in Rust", layout.size, r.size));
        }
        if layout.align != r.align as u64 {
            diffs.push(format!(
                "alignment {} in C, {} in Rust",
                layout.align, r.align
            ));
        }
        let named: Vec<_> = fields
            .iter()
            .zip(&layout.fields)
            .filter(|(f, _)| !(f.name.is_none() && f.bit_width.is_some()))
            .collect();
        if named.len() != r.fields.len() {
            diffs.push(format!(
                "{} member{} in C, {} in Rust",
                named.len(),
                plural(named.len()),
                r.fields.len()
            ));
        }
        for (i, ((f, l), rf)) in named.iter().zip(&r.fields).enumerate() {
            let cname = f.name.as_deref().unwrap_or("(anonymous)");
            if let Some(w) = f.bit_width {
                diffs.push(format!(
                    "member '{cname}' is a bitfield ({w} bits): typed structs do not map bitfields"
                ));
                continue;
            }
            if f.name.as_deref().is_some_and(|n| n != rf.name) {
                diffs.push(format!(
                    "member {} is '{cname}' in C, '{}' in Rust",
                    i + 1,
                    rf.name
                ));
                continue;
            }
            let off = l.offset_bits / 8;
            if off != rf.offset as u64 {
                diffs.push(format!(
                    "member '{cname}' at offset {off} in C, {} in Rust",
                    rf.offset
                ));
            }
            if let Err(why) = self.same(f.ty, &rf.shape, Flow::Both) {
                diffs.push(format!(
                    "member '{cname}': '{}' vs {}{}",
                    reg.cname(f.ty),
                    rf.shape.rust,
                    because(&why)
                ));
            }
        }
        if diffs.is_empty() {
            Ok(())
        } else {
            Err(diffs.join(", "))
        }
    }

    /// Whether the C type string `name` (`"struct pt"`, `"pt_t"`) names record type `c`.
    fn names(&self, c: CTypeId, name: &str) -> bool {
        let reg = self.reg;
        let name = name.trim();
        let found = ["struct ", "union "]
            .iter()
            .find_map(|k| name.strip_prefix(k))
            .map(|tag| reg.tag(tag.trim()))
            .unwrap_or_else(|| reg.typedef(name));
        found.is_some_and(|t| reg.strip_aligned(t) == c)
    }
}

/// A primitive C type against a Rust shape.
fn prim(repr: PrimRepr, either_sign: bool, cname: &str, s: &Shape) -> Result<(), String> {
    match (repr, &s.kind) {
        (PrimRepr::Float { bytes: 2 | 16 } | PrimRepr::X87 | PrimRepr::Complex { .. }, _) => Err(
            format!("'{cname}' has no Rust counterpart in typed calls: use the dynamic API"),
        ),
        (
            PrimRepr::Int { bytes, signed },
            ShapeKind::Int {
                bytes: b,
                signed: sg,
            },
        ) => {
            if bytes != *b {
                Err(format!("{b} bytes, not {bytes}"))
            } else if signed != *sg && !either_sign {
                Err(if signed {
                    format!("'{cname}' is signed")
                } else {
                    format!("'{cname}' is unsigned")
                })
            } else {
                Ok(())
            }
        }
        (PrimRepr::Bool, ShapeKind::Bool) => Ok(()),
        (PrimRepr::Float { bytes }, ShapeKind::Float { bytes: b }) if bytes == *b => Ok(()),
        (PrimRepr::Float { bytes }, ShapeKind::Float { bytes: b }) => {
            Err(format!("{b} bytes, not {bytes}"))
        }
        (PrimRepr::Bool, _) => Err("'_Bool' is `bool`".into()),
        (PrimRepr::Int { .. }, _) => Err(format!("an integer in C, {} in Rust", rust_kind(s))),
        (PrimRepr::Float { .. }, _) => Err(format!("a float in C, {} in Rust", rust_kind(s))),
    }
}

/// What kind of C type `c` is, said against the Rust shape.
fn kind_differs(reg: &Registry, c: CTypeId, s: &Shape) -> String {
    let c_kind = match reg.kind(c) {
        CTypeKind::Void => "void",
        CTypeKind::Prim(_) => "a number",
        CTypeKind::Pointer(t)
            if matches!(reg.kind(reg.strip_aligned(*t)), CTypeKind::Function(_)) =>
        {
            "a function pointer"
        }
        CTypeKind::Pointer(_) => "a pointer",
        CTypeKind::Array { .. } => "an array",
        CTypeKind::Function(_) => "a function",
        CTypeKind::Record(rid) if reg.record(*rid).kind == RecordKind::Union => "a union",
        CTypeKind::Record(_) => "a struct",
        CTypeKind::Enum(_) => "an enum",
        _ => "another kind of type",
    };
    format!("{c_kind} in C, {} in Rust", rust_kind(s))
}

/// What kind of Rust type `s` is, in words.
fn rust_kind(s: &Shape) -> &'static str {
    match &s.kind {
        ShapeKind::Void => "nothing",
        ShapeKind::Bool => "a bool",
        ShapeKind::Int { .. } => "an integer",
        ShapeKind::Float { .. } => "a float",
        ShapeKind::Pointer { .. } => "a pointer",
        ShapeKind::Function(_) => "a function pointer",
        ShapeKind::Array { .. } => "an array",
        ShapeKind::Record(r) if r.union => "a union",
        ShapeKind::Record(_) => "a struct",
    }
}

/// `" (why)"`, or nothing.
fn because(why: &str) -> String {
    if why.is_empty() {
        String::new()
    } else {
        format!(" ({why})")
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

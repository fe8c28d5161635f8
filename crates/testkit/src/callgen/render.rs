//! The generated library as text: struct definitions, initializers of the results, and each
//! function, which records its arguments' leaves and returns its result (C source and cdef).

use std::fmt::Write as _;

use super::{Func, Leaf, Member, Scalar, StructDef, Ty};

/// The C spelling of an anonymous union of these scalars: `union { int v0; float v1; }`.
pub fn union_decl(members: &[Scalar]) -> String {
    let parts: Vec<String> = members
        .iter()
        .enumerate()
        .map(|(k, m)| format!(" {} v{k};", m.c_name()))
        .collect();
    format!("union {{{} }}", parts.concat())
}

/// The C spelling of a type.
pub fn c_type(structs: &[StructDef], t: Ty) -> String {
    match t {
        Ty::Scalar(s) => s.c_name().to_string(),
        Ty::Struct(i) => format!("struct {}", structs[i].name),
    }
}

/// A C initializer for a value of type `t` whose leaves come from `leaves`.
fn initializer(structs: &[StructDef], t: Ty, leaves: &mut std::slice::Iter<'_, Leaf>) -> String {
    match t {
        Ty::Scalar(s) => leaves.next().map_or("0".into(), |l| l.value.c_literal(s)),
        Ty::Struct(i) => {
            let parts: Vec<String> = structs[i]
                .members
                .iter()
                .map(|m| match m {
                    Member::Scalar(s) => initializer(structs, Ty::Scalar(*s), leaves),
                    Member::Array(s, n) => {
                        let items: Vec<String> = (0..*n)
                            .map(|_| initializer(structs, Ty::Scalar(*s), leaves))
                            .collect();
                        format!("{{{}}}", items.join(", "))
                    }
                    Member::Struct(j) => initializer(structs, Ty::Struct(*j), leaves),
                    Member::Union(ms) => {
                        format!("{{{}}}", initializer(structs, Ty::Scalar(ms[0]), leaves))
                    }
                    Member::Bits(s, _) => initializer(structs, Ty::Scalar(*s), leaves),
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// The C definitions of the structs, one per line, in order (each nests only earlier ones).
pub fn struct_decls(structs: &[StructDef]) -> String {
    let mut decls = String::new();
    for s in structs {
        let _ = write!(decls, "struct {}{} {{", s.attr.c_text(), s.name);
        for (k, m) in s.members.iter().enumerate() {
            let _ = match m {
                Member::Scalar(t) => write!(decls, " {} m{k};", t.c_name()),
                Member::Bits(t, w) => write!(decls, " {} m{k} : {w};", t.c_name()),
                Member::Array(t, n) => write!(decls, " {} m{k}[{n}];", t.c_name()),
                Member::Struct(j) => write!(decls, " struct {} m{k};", structs[*j].name),
                Member::Union(ms) => write!(decls, " {} m{k};", union_decl(ms)),
            };
        }
        decls.push_str(" };\n");
    }
    decls
}

pub(super) fn render(structs: &[StructDef], funcs: &[Func]) -> (String, String) {
    let decls = struct_decls(structs);
    let mut c = String::from("#include <string.h>\n");
    c.push_str(&decls);
    let mut cdef = decls.clone();
    for f in funcs {
        let rec_len: usize = f
            .args
            .iter()
            .flatten()
            .map(|l| l.scalar.meaningful_bytes())
            .sum();
        let ret_c = f.ret.map_or("void".into(), |t| c_type(structs, t));
        let params: Vec<String> = f
            .params
            .iter()
            .enumerate()
            .map(|(k, t)| format!("{} a{k}", c_type(structs, *t)))
            .collect();
        let proto = format!("{ret_c} {}({})", f.name, params.join(", "));
        let _ = writeln!(cdef, "{proto};");
        let _ = writeln!(
            cdef,
            "extern unsigned char rec{}[{}];",
            &f.name[1..],
            rec_len.max(1)
        );
        let _ = writeln!(c, "unsigned char rec{}[{}];", &f.name[1..], rec_len.max(1));
        if let Some(t) = f.ret {
            let init = initializer(structs, t, &mut f.result.iter());
            let _ = writeln!(cdef, "extern {ret_c} ret{};", &f.name[1..]);
            let _ = writeln!(c, "{ret_c} ret{} = {init};", &f.name[1..]);
        }
        let _ = writeln!(c, "{proto} {{");
        let mut off = 0;
        for (k, leaves) in f.args.iter().enumerate() {
            for l in leaves {
                let n = l.scalar.meaningful_bytes();
                let _ = if l.bitfield {
                    writeln!(
                        c,
                        "    {{ {} t = a{k}{}; memcpy(rec{} + {off}, &t, {n}); }}",
                        l.scalar.c_name(),
                        l.path,
                        &f.name[1..]
                    )
                } else {
                    writeln!(
                        c,
                        "    memcpy(rec{} + {off}, &a{k}{}, {n});",
                        &f.name[1..],
                        l.path
                    )
                };
                off += n;
            }
        }
        if f.ret.is_some() {
            let _ = writeln!(c, "    return ret{};", &f.name[1..]);
        }
        c.push_str("}\n");
    }
    (c, cdef)
}

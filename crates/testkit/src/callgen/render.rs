//! The generated library as text: struct definitions, initializers of the results, each
//! function, which records its arguments' leaves and returns its result, and its driver, which
//! calls a callback with those arguments and records its result's leaves (C source and cdef).

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
        driver(structs, f, &mut c, &mut cdef);
    }
    (c, cdef)
}

/// `drive<i>(cb)`: calls a callback of `f`'s type with `f`'s argument values (globals
/// `arg<i>_<k>`) and records every leaf of its result in `back<i>`, as `f` records its
/// arguments' leaves.
fn driver(structs: &[StructDef], f: &Func, c: &mut String, cdef: &mut String) {
    let i = &f.name[1..];
    let ret_c = f.ret.map_or("void".into(), |t| c_type(structs, t));
    let types: Vec<String> = f.params.iter().map(|t| c_type(structs, *t)).collect();
    let back_len: usize = f.result.iter().map(|l| l.scalar.meaningful_bytes()).sum();
    let _ = writeln!(c, "unsigned char back{i}[{}];", back_len.max(1));
    let _ = writeln!(cdef, "extern unsigned char back{i}[{}];", back_len.max(1));
    for (k, (t, leaves)) in f.params.iter().zip(&f.args).enumerate() {
        let init = initializer(structs, *t, &mut leaves.iter());
        let _ = writeln!(c, "{} arg{i}_{k} = {init};", types[k]);
    }
    let proto = format!(
        "void drive{i}({ret_c} (*cb)({}))",
        if types.is_empty() {
            "void".to_string()
        } else {
            types.join(", ")
        }
    );
    let _ = writeln!(cdef, "{proto};");
    let args: Vec<String> = (0..f.params.len()).map(|k| format!("arg{i}_{k}")).collect();
    let _ = writeln!(c, "{proto} {{");
    if f.ret.is_none() {
        let _ = writeln!(c, "    cb({});", args.join(", "));
    } else {
        let _ = writeln!(c, "    {ret_c} r = cb({});", args.join(", "));
    }
    let mut off = 0;
    for l in &f.result {
        let n = l.scalar.meaningful_bytes();
        let _ = if l.bitfield {
            writeln!(
                c,
                "    {{ {} t = r{}; memcpy(back{i} + {off}, &t, {n}); }}",
                l.scalar.c_name(),
                l.path
            )
        } else {
            writeln!(c, "    memcpy(back{i} + {off}, &r{}, {n});", l.path)
        };
        off += n;
    }
    c.push_str("}\n");
}

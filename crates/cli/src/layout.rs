//! `rcffi layout`: the layout of structs and unions, pahole-style — each member's offset, size
//! and alignment, bitfields with their bit positions, holes and tail padding marked, totals —
//! as text or JSON, from the registry's own layouts (which the gcc oracle checks).

use crate::out::outln;
use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};
use rcffi::rcffi_cdef::{
    BitfieldLayout, CTypeId, CTypeKind, Record, RecordId, RecordKind, Registry,
};
use serde_json::{Value as Json, json};

use crate::decls::Decls;

/// How deep anonymous members are expanded; deeper ones are shown as one line.
const MAX_DEPTH: usize = 32;

/// `rcffi layout`'s arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    decls: Decls,
    /// Print JSON instead of text
    #[arg(long)]
    json: bool,
    /// The types to show ('struct pt', 'div_t', 'union u[4]'); every named struct and union
    /// when none is given
    // The text is clap's help too, printed as it is: `[4]` is C, not a link.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(value_name = "TYPE")]
    types: Vec<String>,
}

/// One member, with its nested members when its type is an anonymous record.
struct Member {
    name: Option<String>,
    /// The C declaration (`int a[4]`, `unsigned int flag : 1`).
    decl: String,
    ty: String,
    /// From the start of the outermost record.
    offset_bits: u64,
    /// The bits it occupies (for a flexible array member, 0).
    size_bits: u64,
    /// `_Alignof` its type.
    align: u64,
    bitfield: Option<BitfieldLayout>,
    nested: Option<Block>,
}

/// A record's members, with the holes between them.
struct Block {
    kind: RecordKind,
    entries: Vec<Entry>,
    /// The bit after the last member.
    end_bits: u64,
}

enum Entry {
    Member(Member),
    /// Bits no member covers, between two members.
    Hole {
        offset_bits: u64,
        bits: u64,
    },
}

/// A record laid out.
struct Shown {
    name: String,
    /// `packed`, `#pragma pack(2)`, `aligned(16)`: what the record's declaration adds.
    attributes: Vec<String>,
    size: u64,
    align: u64,
    block: Block,
    padding_bits: u64,
}

/// Runs `rcffi layout`.
pub(crate) fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.decls.load("rcffi layout")?;
    let ffi = &loaded.ffi;
    // The types named first: a type string may make types (`struct pt[3]`), which the
    // registry read below must hold.
    let mut asked = Vec::new();
    for name in &args.types {
        asked.push((name, ffi.typeof_(name.as_str())?.id()));
    }
    let reg = ffi.registry();
    let mut shown = Vec::new();
    let mut others = Vec::new();
    let mut failed = false;
    if args.types.is_empty() {
        for rid in named_records(&reg) {
            match show_record(&reg, rid, None) {
                Ok(s) => shown.push(s),
                // A record with a member of unknown size: said, and the others still shown.
                Err(e) => {
                    eprintln!("{}: {e}", reg.record(rid).display);
                    failed = true;
                }
            }
        }
    }
    for (name, id) in asked {
        let id = reg.strip_aligned(id);
        match reg.kind(id) {
            CTypeKind::Record(rid) => shown.push(show_record(&reg, *rid, Some(name))?),
            _ => {
                let l = reg
                    .layout(id)
                    .map_err(|e| anyhow::anyhow!("'{name}' has no layout: {e}"))?;
                others.push((name.clone(), reg.cname(id), l.size, reg.alignof(id)?));
            }
        }
    }
    if args.json {
        let mut types: Vec<Json> = shown.iter().map(record_json).collect();
        types.extend(others.iter().map(|(name, ty, size, align)| {
            json!({"name": name, "type": ty, "size": size, "align": align})
        }));
        let doc = json!({"target": reg.target().name, "types": types});
        outln!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        let mut out = String::new();
        for (i, s) in shown.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            record_text(s, &mut out);
        }
        for (name, ty, size, align) in &others {
            let ty = if ty == name {
                String::new()
            } else {
                format!(" ({ty})")
            };
            let _ = writeln!(out, "{name}{ty}: size {size}, align {align}");
        }
        crate::out::text(&out);
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The defined structs and unions with a name (a tag or a typedef), in declaration order.
fn named_records(reg: &Registry) -> Vec<RecordId> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for id in reg.type_ids() {
        if reg.is_builtin(id) {
            continue;
        }
        let CTypeKind::Record(rid) = reg.kind(id) else {
            continue;
        };
        let rec = reg.record(*rid);
        if rec.fields.is_some() && !rec.partial && !is_anonymous(rec) && seen.insert(*rid) {
            out.push(*rid);
        }
    }
    out
}

fn is_anonymous(rec: &Record) -> bool {
    rec.display.starts_with("struct $") || rec.display.starts_with("union $")
}

fn show_record(reg: &Registry, rid: RecordId, asked: Option<&str>) -> Result<Shown> {
    let rec = reg.record(rid);
    let name = asked.map_or_else(|| rec.display.to_string(), str::to_string);
    if rec.fields.is_none() {
        bail!("'{name}' is only declared (opaque): it has no layout");
    }
    let layout = reg
        .record_layout(rid)
        .map_err(|e| anyhow::anyhow!("'{name}' has no layout: {e}"))?;
    let size = layout.size;
    let block = block(reg, rid, 0, 0)?;
    let padding_bits = (size * 8).saturating_sub(block.end_bits);
    let id = reg.record_type(rid).expect("a defined record has a type");
    let mut attributes = Vec::new();
    if rec.packed {
        attributes.push("packed".to_string());
    }
    if let Some(p) = rec.pack {
        attributes.push(format!("#pragma pack({p})"));
    }
    if let Some(a) = rec.aligned {
        attributes.push(format!("aligned({a})"));
    }
    Ok(Shown {
        name,
        attributes,
        size,
        align: reg.alignof(id)?,
        block,
        padding_bits,
    })
}

/// The members of record `rid`, placed `base_bits` into the outermost record.
fn block(reg: &Registry, rid: RecordId, base_bits: u64, depth: usize) -> Result<Block> {
    let rec = reg.record(rid);
    let layout = reg.record_layout(rid).map_err(|e| anyhow::anyhow!("{e}"))?;
    let fields = rec.fields.as_deref().unwrap_or_default();
    let mut entries = Vec::new();
    let mut end_bits = base_bits;
    for (field, place) in fields.iter().zip(&layout.fields) {
        let offset_bits = base_bits + place.offset_bits;
        let size_bits = match place.bitfield {
            Some(b) => u64::from(b.width),
            None => reg.layout(field.ty).map_or(0, |l| l.size * 8),
        };
        if rec.kind == RecordKind::Struct && offset_bits > end_bits {
            entries.push(Entry::Hole {
                offset_bits: end_bits,
                bits: offset_bits - end_bits,
            });
        }
        end_bits = end_bits.max(offset_bits + size_bits);
        let member_rid = match reg.kind(reg.strip_aligned(field.ty)) {
            CTypeKind::Record(r) if is_anonymous(reg.record(*r)) && depth < MAX_DEPTH => Some(*r),
            _ => None,
        };
        let nested = match member_rid {
            Some(r) => Some(block(reg, r, offset_bits, depth + 1)?),
            None => None,
        };
        let name = field.name.as_deref().map(str::to_string);
        let mut decl = match (&nested, &name) {
            (Some(b), Some(n)) => format!("{} {{...}} {n}", b.kind.keyword()),
            (Some(b), None) => format!("{} {{...}}", b.kind.keyword()),
            // C's spelling: `char *name`, not cffi's `char * name`.
            (None, n) => reg
                .getctype(field.ty, n.as_deref().unwrap_or(""))
                .replace("* ", "*"),
        };
        if let Some(w) = field.bit_width {
            let _ = write!(decl, " : {w}");
        }
        if let Some(a) = field.aligned {
            let _ = write!(decl, " __attribute__((aligned({a})))");
        }
        if field.packed {
            decl.push_str(" __attribute__((packed))");
        }
        entries.push(Entry::Member(Member {
            name,
            decl: unnamed_types(decl.trim()),
            ty: reg.cname(field.ty),
            offset_bits,
            size_bits,
            align: align_of(reg, field.ty),
            // The storage unit from the outermost record, as offsets are (a record starts on a
            // byte).
            bitfield: place.bitfield.map(|mut b| {
                b.unit_offset += base_bits / 8;
                b
            }),
            nested,
        }));
    }
    Ok(Block {
        kind: rec.kind,
        entries,
        end_bits,
    })
}

/// C's spelling of anonymous types: `enum {...} kind` for the registry's `enum $1 kind`.
fn unnamed_types(decl: &str) -> String {
    let mut out = String::with_capacity(decl.len());
    let mut rest = decl;
    while let Some(i) = rest.find(" $") {
        let digits = rest[i + 2..].bytes().take_while(u8::is_ascii_digit).count();
        let keyword = ["struct", "union", "enum"]
            .iter()
            .any(|k| rest[..i].ends_with(k));
        if digits == 0 || !keyword {
            out.push_str(&rest[..i + 2]);
            rest = &rest[i + 2..];
            continue;
        }
        out.push_str(&rest[..i]);
        out.push_str(" {...}");
        rest = &rest[i + 2 + digits..];
    }
    out.push_str(rest);
    out
}

/// `_Alignof` a member's type; for a flexible array member, its items'.
fn align_of(reg: &Registry, ty: CTypeId) -> u64 {
    match reg.kind(reg.strip_aligned(ty)) {
        CTypeKind::Array { elem, len: None } => reg.alignof(*elem).unwrap_or(1),
        _ => reg.alignof(ty).unwrap_or(1),
    }
}

/// `3 bytes`, `1 byte`, `5 bits`, `2 bytes 3 bits`.
fn amount(bits: u64) -> String {
    let (bytes, rest) = (bits / 8, bits % 8);
    let b = |n: u64, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (bytes, rest) {
        (_, 0) => b(bytes, "byte"),
        (0, _) => b(rest, "bit"),
        _ => format!("{} {}", b(bytes, "byte"), b(rest, "bit")),
    }
}

/// Totals over a block and the anonymous members inside it: holes and their bits.
fn holes(block: &Block) -> (usize, u64) {
    let mut n = (0, 0);
    for e in &block.entries {
        match e {
            Entry::Hole { bits, .. } => {
                n.0 += 1;
                n.1 += bits;
            }
            Entry::Member(m) => {
                if let Some(b) = &m.nested {
                    let (c, s) = holes(b);
                    n.0 += c;
                    n.1 += s;
                }
            }
        }
    }
    n
}

/// The width of the declaration column: the longest line of the record, at least 32.
fn width(block: &Block, indent: usize) -> usize {
    let mut w = 32;
    for e in &block.entries {
        if let Entry::Member(m) = e {
            let own = match &m.nested {
                Some(b) => width(b, indent + 4).max(indent + 4 + 8),
                None => indent + 4 + m.decl.len() + 1,
            };
            w = w.max(own);
        }
    }
    w
}

fn record_text(s: &Shown, out: &mut String) {
    let w = width(&s.block, 0) + 2;
    let head = format!("{} {{", s.name);
    let _ = writeln!(out, "{head:<w$}/* offset  size align */");
    block_text(&s.block, 4, w, out);
    if s.padding_bits > 0 {
        let _ = writeln!(out, "    /* padding: {} */", amount(s.padding_bits));
    }
    let members = s
        .block
        .entries
        .iter()
        .filter(|e| matches!(e, Entry::Member(_)))
        .count();
    let (hole_count, hole_bits) = holes(&s.block);
    let mut totals = format!("size: {}, align: {}, members: {members}", s.size, s.align);
    if s.block.kind == RecordKind::Struct {
        let sum: u64 = s
            .block
            .entries
            .iter()
            .map(|e| match e {
                Entry::Member(m) => m.size_bits,
                Entry::Hole { .. } => 0,
            })
            .sum();
        let _ = write!(totals, ", sum members: {}", amount(sum));
    }
    if hole_count > 0 {
        let _ = write!(
            totals,
            ", holes: {hole_count}, sum holes: {}",
            amount(hole_bits)
        );
    }
    if s.padding_bits > 0 {
        let _ = write!(totals, ", padding: {}", amount(s.padding_bits));
    }
    for a in &s.attributes {
        let _ = write!(totals, ", {a}");
    }
    let _ = writeln!(out, "    /* {totals} */");
    out.push_str("};\n");
}

fn block_text(block: &Block, indent: usize, w: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    for e in &block.entries {
        match e {
            Entry::Hole { bits, .. } => {
                let _ = writeln!(out, "{pad}/* XXX {} hole */", amount(*bits));
            }
            Entry::Member(m) => {
                let place = match m.bitfield {
                    Some(_) => format!(
                        "{:>4}:{} {:>5} {:>5}",
                        m.offset_bits / 8,
                        m.offset_bits % 8,
                        format!(":{}", m.size_bits),
                        m.align
                    ),
                    None => format!(
                        "{:>6} {:>5} {:>5}",
                        m.offset_bits / 8,
                        m.size_bits / 8,
                        m.align
                    ),
                };
                match &m.nested {
                    Some(b) => {
                        let head = format!("{pad}{} {{", b.kind.keyword());
                        let _ = writeln!(out, "{head:<w$}/* {place} */");
                        block_text(b, indent + 4, w, out);
                        let inner = (m.offset_bits + m.size_bits).saturating_sub(b.end_bits);
                        if inner > 0 {
                            let _ = writeln!(out, "{pad}    /* padding: {} */", amount(inner));
                        }
                        let tail = match &m.name {
                            Some(n) => format!(" {n}"),
                            None => String::new(),
                        };
                        let _ = writeln!(out, "{pad}}}{tail};");
                    }
                    None => {
                        let line = format!("{pad}{};", m.decl);
                        let _ = writeln!(out, "{line:<w$}/* {place} */");
                    }
                }
            }
        }
    }
}

fn record_json(s: &Shown) -> Json {
    let (hole_count, hole_bits) = holes(&s.block);
    json!({
        "name": s.name,
        "kind": s.block.kind.keyword(),
        "size": s.size,
        "align": s.align,
        "members": block_json(&s.block),
        "holes": hole_count,
        "hole_bits": hole_bits,
        "padding_bits": s.padding_bits,
        "attributes": s.attributes,
    })
}

fn block_json(block: &Block) -> Vec<Json> {
    block
        .entries
        .iter()
        .map(|e| match e {
            Entry::Hole { offset_bits, bits } => {
                json!({"hole": true, "bit_offset": offset_bits, "bits": bits})
            }
            Entry::Member(m) => {
                let mut j = json!({
                    "name": m.name,
                    "type": m.ty,
                    "declaration": m.decl,
                    "offset": m.bitfield.map_or(m.offset_bits / 8, |b| b.unit_offset),
                    "size": m.bitfield.map_or(m.size_bits / 8, |b| b.unit_size),
                    "align": m.align,
                    "bit_offset": m.offset_bits,
                    "bit_size": m.size_bits,
                });
                if let Some(b) = m.bitfield {
                    j["bitfield"] = json!({
                        "width": b.width,
                        "shift": b.shift,
                        "unit_offset": b.unit_offset,
                        "unit_size": b.unit_size,
                    });
                }
                if let Some(b) = &m.nested {
                    j["members"] = Json::Array(block_json(b));
                }
                j
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_types_are_spelled_as_c_does() {
        assert_eq!(unnamed_types("enum $1 kind"), "enum {...} kind");
        assert_eq!(unnamed_types("struct $12 *p[2]"), "struct {...} *p[2]");
        assert_eq!(unnamed_types("int $x"), "int $x");
        assert_eq!(unnamed_types("my $1"), "my $1");
    }

    #[test]
    fn amounts_in_bytes_and_bits() {
        assert_eq!(amount(8), "1 byte");
        assert_eq!(amount(3), "3 bits");
        assert_eq!(amount(1), "1 bit");
        assert_eq!(amount(29), "3 bytes 5 bits");
    }
}

//! gcc as the judge of layouts and constants.
//!
//! A registry and the C text it came from become one C file: the text, then
//! `_Static_assert`s stating rcffi's `sizeof`, `_Alignof` and `offsetof` for every record,
//! enum, typedef and variable, the value of every enumerator and `#define`, and for every
//! bitfield a global initialised with that field set to all ones. `gcc -S` compiles it: a
//! failed assertion names the fact that rcffi got wrong, and the bitfield globals' bytes in the
//! assembly are compared with the bits rcffi says each field occupies. Nothing is linked or
//! run, so a cross compiler (`aarch64-linux-gnu-gcc`) checks other targets the same way.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use rcffi_cdef::{Arch, CTypeId, CTypeKind, Decl, Registry, Target};

/// A C compiler for one target.
#[derive(Clone, Debug)]
pub struct Compiler {
    /// The command (`gcc`, `aarch64-linux-gnu-gcc`).
    pub command: String,
    /// The target it compiles for.
    pub arch: Arch,
    /// The C dialect, as `-std=` takes it: `gnu11`, or `gnu2x` for a text with C23's
    /// spellings gcc 12 reads only there (digit separators).
    pub std: String,
}

impl Compiler {
    /// The compiler for `target`, if it is installed.
    pub fn for_target(target: &Target) -> Option<Compiler> {
        let command = match (target.arch, Target::host().arch) {
            (a, h) if a == h => "gcc",
            (Arch::AArch64, _) => "aarch64-linux-gnu-gcc",
            (Arch::X86_64, _) => "x86_64-linux-gnu-gcc",
        };
        let ok = Command::new(command)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Compiler {
            command: command.to_string(),
            arch: target.arch,
            std: "gnu11".to_string(),
        })
    }

    /// Compiles C source to assembly; the error holds gcc's messages.
    pub fn assemble(&self, source: &str) -> Result<String> {
        let mut child = Command::new(&self.command)
            .arg(format!("-std={}", self.std))
            .args([
                "-w",
                "-S",
                "-O0",
                "-fno-asynchronous-unwind-tables",
                "-o",
                "-",
                "-x",
                "c",
                "-",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("running {}", self.command))?;
        child
            .stdin
            .take()
            .context("gcc stdin")?
            .write_all(source.as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("{}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Which headers the probe includes before the user's text.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Includes {
    /// The headers that define cffi's built-in type names (`stdint.h`, `stdio.h`, ...), for
    /// cdef text that uses them without declaring them.
    Builtins,
    /// Nothing: the text is self-contained (preprocessed system headers).
    None,
}

/// What the probe checks, for reporting.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// Number of `_Static_assert`s.
    pub asserts: usize,
    /// Number of bitfields compared byte by byte.
    pub bitfields: usize,
    /// The assertions [`check_what_compiles`] left out, as the probe spells them.
    pub left_out: Vec<String>,
}

struct BitfieldProbe {
    symbol: String,
    what: String,
    expect: Vec<u8>,
}

/// Builds a probe and has gcc check it. The error lists every disagreement.
pub fn check(reg: &Registry, c_text: &str, includes: Includes, cc: &Compiler) -> Result<Checked> {
    let (source, bitfields, asserts) = probe(reg, c_text, includes);
    judge(&source, &bitfields, cc, asserts)
}

/// [`check`], leaving out the value assertions (`_Static_assert((NAME) == v, ...)`; never a
/// layout's) gcc cannot compile at all — a macro whose value uses
/// a type its header never declares (OpenSSL's `OSSL_SSIZE_MAX` and `ssize_t`) or a helper
/// macro the header `#undef`s at its end (X11's `_EVDEVK`), which rcffi gives the value the
/// macro had where it was defined — and listing them in [`Checked::left_out`]. A failed
/// assertion, or an error anywhere else in the probe, is still an error.
pub fn check_what_compiles(
    reg: &Registry,
    c_text: &str,
    includes: Includes,
    cc: &Compiler,
) -> Result<Checked> {
    let (mut source, bitfields, asserts) = probe(reg, c_text, includes);
    let mut left_out = Vec::new();
    let mut rounds = 0;
    loop {
        let e = match judge(&source, &bitfields, cc, asserts) {
            Ok(mut c) => {
                c.left_out = left_out;
                return Ok(c);
            }
            Err(e) => e,
        };
        // A failed assertion is reported as the facts gcc disagrees with, which name no probe
        // line: only a rejected probe's errors do.
        match without_value_asserts(&source, &e.to_string()) {
            Some((fixed, out)) if rounds < 3 => {
                rounds += 1;
                left_out.extend(out);
                source = fixed;
            }
            _ => return Err(e),
        }
    }
}

/// `source` without the value assertions gcc's errors in `msg` name, and those assertions;
/// `None` when an error names anything else (or nothing).
fn without_value_asserts(source: &str, msg: &str) -> Option<(String, Vec<String>)> {
    let (head, body) = source.split_once(PROBE_START)?;
    let mut lines: Vec<String> = body.lines().map(str::to_string).collect();
    let named = probe_lines_named(msg);
    let asserts_only = !named.is_empty()
        && named.iter().all(|&n| {
            lines
                .get(n.wrapping_sub(1))
                .is_some_and(|l| l.starts_with("_Static_assert(("))
        });
    if !asserts_only {
        return None;
    }
    let out = named
        .iter()
        .filter_map(|&n| lines.get_mut(n - 1).map(std::mem::take))
        .collect();
    Some((format!("{head}{PROBE_START}{}\n", lines.join("\n")), out))
}

/// What starts the probe's own lines, after the C text it checks.
const PROBE_START: &str = "#line 1 \"probe\"\n";

/// The probe's line numbers gcc's errors name (`probe:614:17: error: ...`; not its notes),
/// each once.
fn probe_lines_named(msg: &str) -> Vec<usize> {
    let mut named: Vec<usize> = msg
        .lines()
        .filter(|l| l.contains(": error: "))
        .filter_map(|l| l.strip_prefix("probe:")?.split(':').next()?.parse().ok())
        .collect();
    named.sort_unstable();
    named.dedup();
    named
}

/// Has gcc compile `source`: every assertion must hold and every bitfield sit where rcffi says.
fn judge(
    source: &str,
    bitfields: &[BitfieldProbe],
    cc: &Compiler,
    asserts: usize,
) -> Result<Checked> {
    let asm = match cc.assemble(source) {
        Ok(a) => a,
        Err(e) => {
            let msg = e.to_string();
            let failed: Vec<&str> = msg
                .lines()
                .filter(|l| l.contains("static assertion failed"))
                .map(|l| {
                    l.split("static assertion failed:")
                        .nth(1)
                        .unwrap_or(l)
                        .trim()
                })
                .collect();
            if failed.is_empty() {
                // The probe's lines that gcc names, to see what was asked.
                let probe_lines: Vec<&str> = source
                    .split(PROBE_START)
                    .nth(1)
                    .unwrap_or_default()
                    .lines()
                    .collect();
                let quoted: Vec<String> = msg
                    .lines()
                    .filter_map(|l| {
                        l.strip_prefix("probe:")?
                            .split(':')
                            .next()?
                            .parse::<usize>()
                            .ok()
                    })
                    .take(3)
                    .filter_map(|n| {
                        probe_lines
                            .get(n.checked_sub(1)?)
                            .map(|t| format!("  {n}: {t}"))
                    })
                    .collect();
                bail!("gcc rejected the probe:\n{msg}\n{}", quoted.join("\n"));
            }
            bail!(
                "gcc disagrees with rcffi on {} fact(s):\n  {}",
                failed.len(),
                failed.join("\n  ")
            );
        }
    };
    let data = parse_data(&asm, cc.arch);
    let mut wrong = Vec::new();
    for b in bitfields {
        match data.get(&b.symbol) {
            Some(bytes) if *bytes == b.expect => {}
            Some(bytes) => wrong.push(format!(
                "{}: gcc sets bytes {} but rcffi expects {}",
                b.what,
                hex(bytes),
                hex(&b.expect)
            )),
            None => wrong.push(format!(
                "{}: no data for {} in gcc's output",
                b.what, b.symbol
            )),
        }
    }
    if !wrong.is_empty() {
        bail!("bitfields placed differently:\n  {}", wrong.join("\n  "));
    }
    Ok(Checked {
        asserts,
        bitfields: bitfields.len(),
        left_out: Vec::new(),
    })
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Spells types as C type expressions gcc accepts, naming anonymous records through the
/// typedefs and fields that reach them.
struct Namer<'r> {
    reg: &'r Registry,
    records: HashMap<CTypeId, String>,
}

impl<'r> Namer<'r> {
    fn new(reg: &'r Registry) -> Self {
        let mut n = Namer {
            reg,
            records: HashMap::new(),
        };
        for (tag, id) in reg.tags() {
            if reg.is_builtin(id) {
                continue;
            }
            let kw = match reg.kind(id) {
                CTypeKind::Record(rid) => reg.record(*rid).kind.keyword(),
                _ => "enum",
            };
            n.records.insert(id, format!("{kw} {tag}"));
        }
        // Typedef names reach anonymous records, directly or through pointers and arrays.
        for (name, d) in reg.decls() {
            if let Decl::Typedef { ty: t, .. } = d {
                n.reach(*t, name.to_string());
            }
        }
        // Named fields reach more of them; repeat until nothing new.
        loop {
            let before = n.records.len();
            let known: Vec<(CTypeId, String)> =
                n.records.iter().map(|(k, v)| (*k, v.clone())).collect();
            for (id, spelled) in known {
                if let Ok(Some(fields)) = reg.fields(id) {
                    for f in fields {
                        if f.bitsize < 0 {
                            n.reach(f.ty, format!("__typeof__((({spelled} *)0)->{})", f.name));
                        }
                    }
                }
            }
            if n.records.len() == before {
                break;
            }
        }
        n
    }

    fn reach(&mut self, t: CTypeId, spelled: String) {
        match self.reg.kind(t) {
            CTypeKind::Record(_) | CTypeKind::Enum(_) => {
                self.records.entry(t).or_insert(spelled);
            }
            CTypeKind::Pointer(inner) => self.reach(*inner, format!("__typeof__(*(({spelled})0))")),
            CTypeKind::Array { elem, .. } => {
                self.reach(*elem, format!("__typeof__((*({spelled} *)0)[0])"))
            }
            // The typedef name of an aligned typedef is not its base type.
            CTypeKind::Aligned { .. } => {}
            _ => {}
        }
    }
}

const BUILTIN_PRELUDE: &str = "\
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdarg.h>
#include <uchar.h>
#include <wchar.h>
#include <sys/types.h>
typedef float _Complex _cffi_float_complex_t;
typedef double _Complex _cffi_double_complex_t;
";

const CALLCONV_PRELUDE: &str = "\
#define __stdcall __attribute__((stdcall))
#define __cdecl __attribute__((cdecl))
#define WINAPI __attribute__((stdcall))
";

/// The probe source, the bitfield checks, and the number of assertions.
fn probe(reg: &Registry, c_text: &str, includes: Includes) -> (String, Vec<BitfieldProbe>, usize) {
    let mut src = String::new();
    if includes == Includes::Builtins {
        src.push_str(BUILTIN_PRELUDE);
    }
    src.push_str(CALLCONV_PRELUDE);
    src.push_str("#line 1 \"cdef\"\n");
    src.push_str(c_text);
    src.push_str("\n#line 1 \"probe\"\n");
    let namer = Namer::new(reg);
    // Macros with the names of members or tags would rewrite the assertions' names (glibc's
    // `#define si_pid _sifields._kill.si_pid`, libtirpc's `#define rpc_createerr
    // (*(__rpc_createerr()))` beside `struct rpc_createerr`): gone from here on.
    let mut members = std::collections::BTreeSet::new();
    for id in namer.records.keys() {
        if let Ok(Some(fields)) = reg.fields(*id) {
            members.extend(fields.into_iter().map(|f| f.name));
        }
    }
    members.extend(reg.tags().map(|(tag, _)| tag.into()));
    for (name, d) in reg.decls() {
        if let Decl::Macro(v) = d
            && !matches!(v, rcffi_cdef::MacroValue::Int(_))
            && members.contains(name)
        {
            let _ = writeln!(src, "#undef {name}");
        }
    }
    let mut asserts = 0;
    let mut sa = |src: &mut String, cond: String, msg: String| {
        let _ = writeln!(
            src,
            "_Static_assert({cond}, \"{}\");",
            msg.replace('"', "'")
        );
        asserts += 1;
    };
    let mut checked = std::collections::HashSet::new();
    let mut bitfields = Vec::new();
    let mut targets: Vec<(CTypeId, String)> =
        namer.records.iter().map(|(k, v)| (*k, v.clone())).collect();
    targets.sort();
    for (name, d) in reg.decls() {
        if let Decl::Typedef { ty: t, .. } = d {
            targets.push((*t, name.to_string()));
        }
    }
    for (id, spelled) in targets {
        let Ok(l) = reg.layout(id) else { continue };
        if !checked.insert(spelled.clone()) {
            continue;
        }
        let label = if spelled.starts_with("__typeof__") {
            reg.cname(id)
        } else {
            spelled.clone()
        };
        sa(
            &mut src,
            format!("sizeof({spelled}) == {}", l.size),
            format!("sizeof({label}) is {}", l.size),
        );
        let align = reg.alignof(id).unwrap_or(l.align);
        sa(
            &mut src,
            format!("_Alignof({spelled}) == {align}"),
            format!("_Alignof({label}) is {align}"),
        );
        let Ok(Some(fields)) = reg.fields(id) else {
            continue;
        };
        for f in fields {
            if f.bitsize < 0 {
                sa(
                    &mut src,
                    format!("__builtin_offsetof({spelled}, {}) == {}", f.name, f.offset),
                    format!("offsetof({label}, {}) is {}", f.name, f.offset),
                );
                continue;
            }
            // A bitfield: initialise it to all ones and compare the bytes.
            let symbol = format!("__rcffi_bf_{}", bitfields.len());
            let _ = writeln!(src, "{spelled} {symbol} = {{ .{} = -1 }};", f.name);
            let mut expect = vec![0u8; l.size as usize];
            let is_bool = matches!(
                reg.kind(reg.strip_aligned(f.ty)),
                CTypeKind::Prim(rcffi_cdef::Prim::Bool)
            );
            let width = if is_bool { 1 } else { f.bitsize as u64 };
            for bit in f.offset_bits..f.offset_bits + width {
                expect[(bit / 8) as usize] |= 1 << (bit % 8);
            }
            bitfields.push(BitfieldProbe {
                symbol,
                what: format!(
                    "{label}.{} (bits {}..{})",
                    f.name,
                    f.offset_bits,
                    f.offset_bits + width
                ),
                expect,
            });
        }
    }
    for (name, d) in reg.decls() {
        match d {
            Decl::Variable { ty, .. } => {
                if let Ok(l) = reg.layout(*ty) {
                    sa(
                        &mut src,
                        format!("sizeof({name}) == {}", l.size),
                        format!("sizeof({name}) is {}", l.size),
                    );
                }
            }
            Decl::EnumConst { value, .. } | Decl::Macro(rcffi_cdef::MacroValue::Int(value)) => {
                sa(
                    &mut src,
                    format!("({name}) == {}", c_literal(value.value)),
                    format!("{name} is {}", value.value),
                );
            }
            _ => {}
        }
    }
    (src, bitfields, asserts)
}

fn c_literal(v: i128) -> String {
    if v == i128::from(i64::MIN) {
        "(-9223372036854775807LL-1)".into()
    } else if v < 0 {
        format!("({v}LL)")
    } else {
        format!("{v}ULL")
    }
}

/// The bytes of every data symbol in gcc's assembly output.
pub fn parse_data(asm: &str, arch: Arch) -> HashMap<String, Vec<u8>> {
    let mut out: HashMap<String, Vec<u8>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in asm.lines() {
        let t = line.trim();
        if let Some(label) = t.strip_suffix(':')
            && !label.contains(char::is_whitespace)
        {
            current = Some(label.to_string());
            out.entry(label.to_string()).or_default();
            continue;
        }
        let Some(sym) = &current else { continue };
        let (dir, args) = match t.split_once(char::is_whitespace) {
            Some((d, a)) => (d, a.trim()),
            None => (t, ""),
        };
        let width = match (dir, arch) {
            (".byte", _) => 1,
            (".value" | ".short" | ".2byte" | ".hword", _) => 2,
            (".word", Arch::X86_64) => 2,
            (".long" | ".4byte" | ".int", _) | (".word", Arch::AArch64) => 4,
            (".quad" | ".8byte" | ".xword" | ".dword", _) => 8,
            (".zero" | ".skip", _) => {
                let n: usize = args
                    .split(',')
                    .next()
                    .unwrap_or("0")
                    .trim()
                    .parse()
                    .unwrap_or(0);
                if let Some(v) = out.get_mut(sym) {
                    v.extend(std::iter::repeat_n(0u8, n));
                }
                continue;
            }
            _ => {
                // A section or symbol directive ends the data of the current label.
                if matches!(
                    dir,
                    ".size"
                        | ".globl"
                        | ".section"
                        | ".text"
                        | ".data"
                        | ".bss"
                        | ".type"
                        | ".ident"
                ) {
                    current = None;
                }
                continue;
            }
        };
        for a in args.split(',') {
            let a = a.trim();
            let v: i128 = if let Some(h) = a.strip_prefix("0x") {
                i128::from_str_radix(h, 16).unwrap_or(0)
            } else if let Some(h) = a.strip_prefix("-0x") {
                -i128::from_str_radix(h, 16).unwrap_or(0)
            } else {
                a.parse().unwrap_or(0)
            };
            let bytes = (v as u128).to_le_bytes();
            if let Some(buf) = out.get_mut(sym) {
                buf.extend_from_slice(&bytes[..width]);
            }
        }
    }
    out
}

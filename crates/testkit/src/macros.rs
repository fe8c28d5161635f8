//! gcc as the judge of macro values: a C program that includes the same text prints the value
//! of every macro rcffi gave a value, each in a form both sides spell the same way — integers
//! with their C type (`_Generic`), floats as the exact `%a` bits of their `double`, strings as
//! hex bytes, pointer constants as addresses.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use rcffi_cdef::{Decl, MacroValue, Registry};

use crate::oracle::Compiler;

/// The macros of `reg` with a value gcc can print (integers, floats, strings, pointers), with
/// rcffi's spelling of each value.
pub fn rcffi_values(reg: &Registry) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, d) in reg.decls() {
        let Decl::Macro(v) = d else { continue };
        let text = match v {
            MacroValue::Int(i) => {
                if i.ty.bits > 64 {
                    continue;
                }
                format!("{} {}", int_class(i.ty.bits, i.ty.signed), i.value)
            }
            MacroValue::Float { value, .. } => float_text(*value),
            MacroValue::Bytes(b) => hex(b),
            MacroValue::Pointer { addr, .. } => format!("0x{addr:x}"),
            _ => continue,
        };
        out.push((name.to_string(), text));
    }
    out
}

fn int_class(bits: u8, signed: bool) -> String {
    format!("{}{bits}", if signed { "i" } else { "u" })
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::from("x"), |mut s, c| {
        let _ = write!(s, "{c:02x}");
        s
    })
}

/// A double as the probe prints it: `F` and its bits in hexadecimal, or `Finf`, `F-inf`, `Fnan`.
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        return "Fnan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "Finf".into()
        } else {
            "F-inf".into()
        };
    }
    // Compared exactly: the bits.
    format!("F{:016x}", v.to_bits())
}

/// What gcc says each macro of `names` is, compiling `prelude` (the same declarations and
/// macros, or `#include`s of the headers) into a program and running it.
pub fn gcc_values(
    cc: &Compiler,
    prelude: &str,
    names: &[(String, String)],
) -> Result<HashMap<String, String>> {
    let mut src = String::from(prelude);
    src.push_str(
        "\n#include <stdio.h>\n#include <string.h>\n#include <stdint.h>\n\
         #define RCFFI_INT_CLASS(x) _Generic((x), _Bool: \"u8\", char: ((char)-1 < 0 ? \"i8\" : \"u8\"), \
         signed char: \"i8\", unsigned char: \"u8\", short: \"i16\", unsigned short: \"u16\", \
         int: \"i32\", unsigned int: \"u32\", long: \"i64\", unsigned long: \"u64\", \
         long long: \"i64\", unsigned long long: \"u64\", default: \"?\")\n\
         static void rcffi_float(const char *n, double v) {\n\
           if (v != v) { printf(\"%s Fnan\\n\", n); return; }\n\
           if (v == __builtin_inf()) { printf(\"%s Finf\\n\", n); return; }\n\
           if (v == -__builtin_inf()) { printf(\"%s F-inf\\n\", n); return; }\n\
           uint64_t b; memcpy(&b, &v, 8); printf(\"%s F%016llx\\n\", n, (unsigned long long)b);\n\
         }\n\
         static void rcffi_bytes(const char *n, const char *s, size_t len) {\n\
           printf(\"%s x\", n); for (size_t i = 0; i < len; i++) printf(\"%02x\", (unsigned char)s[i]);\n\
           printf(\"\\n\");\n\
         }\n\
         int main(void) {\n",
    );
    for (name, rcffi) in names {
        let line = match rcffi.chars().next() {
            Some('i') => format!(
                "printf(\"{name} %s %lld\\n\", RCFFI_INT_CLASS({name}), (long long)({name}));"
            ),
            Some('u') => format!(
                "printf(\"{name} %s %llu\\n\", RCFFI_INT_CLASS({name}), (unsigned long long)({name}));"
            ),
            Some('F') => format!("rcffi_float(\"{name}\", (double)({name}));"),
            Some('x') => format!("rcffi_bytes(\"{name}\", {name}, sizeof({name}) - 1);"),
            Some('0') => {
                format!("printf(\"{name} 0x%llx\\n\", (unsigned long long)(uintptr_t)({name}));")
            }
            _ => continue,
        };
        src.push_str(&line);
        src.push('\n');
    }
    src.push_str("return 0;\n}\n");
    // A directory of this call's own: tests run in parallel threads of one process, and one
    // call's clean-up must not remove another's probe while gcc writes it.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("rcffi-macro-probe-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let exe = dir.join(format!("probe-{}", names.len()));
    let mut child = Command::new(&cc.command)
        .args(["-std=gnu11", "-w", "-O0", "-x", "c", "-", "-o"])
        .arg(&exe)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", cc.command))?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(src.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "the macro probe does not compile: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let run = Command::new(&exe).output().context("running the probe")?;
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&run.stdout);
    Ok(text
        .lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(' ')?;
            Some((n.to_string(), v.to_string()))
        })
        .collect())
}

/// `gcc -dM -E` of `#include`s of `headers`: every macro they define.
pub fn macro_definitions(cc: &Compiler, headers: &[&str]) -> Result<String> {
    let source: String = headers
        .iter()
        .map(|h| format!("#include <{h}>\n"))
        .collect();
    crate::headers::run_preprocessor(cc, &["-dM", "-E"], &source)
}

/// Of the macros `names`, the ones gcc evaluates as integer constants under `prelude`: each is
/// tried as an enumerator's value (`enum { e = (NAME) };`, which gcc accepts only for integer
/// constant expressions), in a function of its own; lines gcc refuses are dropped and the rest
/// compiled again.
pub fn gcc_integer_macros(cc: &Compiler, prelude: &str, names: &[String]) -> Result<Vec<String>> {
    let mut alive: Vec<&String> = names.iter().collect();
    let mut last = String::new();
    for _ in 0..16 {
        let mut src = String::from(prelude);
        src.push('\n');
        let first_line = src.lines().count() + 1;
        for (k, n) in alive.iter().enumerate() {
            // One function each: gcc reports an undeclared name once per function.
            let _ = writeln!(
                src,
                "void rcffi_probe_f{k}(void) {{ enum {{ rcffi_probe_{k} = ({n}) }}; }}"
            );
        }
        let out = Command::new(&cc.command)
            .args(["-std=gnu11", "-w", "-fsyntax-only", "-x", "c", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                c.stdin.take().expect("stdin").write_all(src.as_bytes())?;
                c.wait_with_output()
            })
            .context("running the integer probe")?;
        if out.status.success() {
            return Ok(alive.into_iter().cloned().collect());
        }
        let errors = String::from_utf8_lossy(&out.stderr);
        last = errors.lines().take(12).collect::<Vec<_>>().join("\n");
        let mut bad = std::collections::HashSet::new();
        for l in errors.lines() {
            // `<stdin>:LINE:COL: error: ...`
            let Some(rest) = l.strip_prefix("<stdin>:") else {
                continue;
            };
            if !l.contains("error") {
                continue;
            }
            if let Some(line) = rest.split(':').next().and_then(|n| n.parse::<usize>().ok())
                && line >= first_line
            {
                bad.insert(line - first_line);
            }
        }
        if bad.is_empty() {
            bail!("the integer probe failed outside the probe lines:\n{errors}");
        }
        alive = alive
            .into_iter()
            .enumerate()
            .filter(|(k, _)| !bad.contains(k))
            .map(|(_, n)| n)
            .collect();
    }
    bail!("the integer probe did not settle:\n{last}")
}

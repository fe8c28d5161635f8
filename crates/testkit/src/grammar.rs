//! Golden files of `grammar-tests/`: cdef text in, registry dump or error out.
//!
//! A case is one `.cdef` file:
//!
//! ```text
//! // What the case shows (free text).
//! // target: aarch64-linux          (optional; default x86_64-linux)
//! // options: pack=2                 (optional: packed, pack=N, override)
//! // oracle: skip <reason>           (optional: not checked against gcc)
//! // oracle: std=gnu2x               (optional: gcc's -std= for the check; default gnu11)
//! struct s { char a; int b; };
//! //--- cdef override                 (a second cdef call, with options)
//! struct t { int x; };
//! //--- type struct s *              (a type-string query)
//! /*===
//! expected output
//! ===*/
//! ```
//!
//! The output is, for each step, its error or type result, then the dump of the registry.
//! `CDEF_BLESS=1` rewrites the expected block.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rcffi_cdef::{CdefOptions, Registry, Target};

/// Whether the gcc oracle checks a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Oracle {
    /// Checked against gcc.
    Check,
    /// Not checked, with the reason (cffi-only syntax, deliberate errors...).
    Skip(String),
}

/// One step of a case.
#[derive(Clone, Debug)]
pub enum Step {
    /// A `cdef` call; `text` has blank lines in front so that line numbers are the file's.
    Cdef {
        /// The text (line numbers preserved).
        text: String,
        /// The options of this call.
        options: CdefOptions,
    },
    /// A type-string query.
    Type(String),
}

/// A parsed grammar-test file.
#[derive(Clone, Debug)]
pub struct Case {
    /// The file.
    pub path: PathBuf,
    /// The test name: the path below `grammar-tests/`, without `.cdef`.
    pub name: String,
    /// The target named by `// target:`.
    pub target: Target,
    /// The oracle setting.
    pub oracle: Oracle,
    /// The C dialect gcc checks the case in (`// oracle: std=...`), if not gcc's gnu11.
    pub std: Option<String>,
    /// The steps.
    pub steps: Vec<Step>,
    /// The expected block, if present.
    pub expected: Option<String>,
    /// The file text before the expected block.
    pub body: String,
}

/// The `grammar-tests/` directory of the workspace.
pub fn grammar_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../grammar-tests")
}

/// Every `.cdef` file below `dir`, sorted.
pub fn case_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let p = entry?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "cdef") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn parse_options(words: &str) -> Result<CdefOptions> {
    let mut o = CdefOptions::default();
    for w in words.split_whitespace() {
        match w {
            "packed" => o.packed = true,
            "override" => o.override_ = true,
            _ => match w.strip_prefix("pack=") {
                Some(n) => o.pack = Some(n.parse()?),
                None => bail!("unknown option '{w}'"),
            },
        }
    }
    Ok(o)
}

/// Reads a case file.
pub fn load(path: &Path, root: &Path) -> Result<Case> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let (body, expected) = match text.find("/*===") {
        Some(i) => {
            let rest = &text[i + 5..];
            let end = rest.find("===*/").context("unterminated /*=== block")?;
            let exp = rest[..end].strip_prefix('\n').unwrap_or(&rest[..end]);
            (text[..i].to_string(), Some(exp.to_string()))
        }
        None => (text.clone(), None),
    };
    let name = path
        .strip_prefix(root)
        .unwrap_or(path)
        .with_extension("")
        .to_string_lossy()
        .replace('\\', "/");
    let mut target = Target::x86_64_linux();
    let mut oracle = Oracle::Check;
    let mut std = None;
    let mut options = CdefOptions::default();
    for line in body.lines() {
        let Some(rest) = line.strip_prefix("//") else {
            break;
        };
        let rest = rest.trim();
        if let Some(t) = rest.strip_prefix("target:") {
            target = match t.trim() {
                "aarch64-linux" => Target::aarch64_linux(),
                "x86_64-linux" => Target::x86_64_linux(),
                other => bail!("unknown target '{other}'"),
            };
        } else if let Some(o) = rest.strip_prefix("options:") {
            options = parse_options(o)?;
        } else if let Some(o) = rest.strip_prefix("oracle:") {
            let o = o.trim();
            oracle = match o.strip_prefix("skip") {
                Some(reason) => Oracle::Skip(reason.trim().to_string()),
                None => Oracle::Check,
            };
            if let Some(s) = o.strip_prefix("std=") {
                std = Some(s.trim().to_string());
            }
        }
    }
    let mut steps = Vec::new();
    let mut chunk = String::new();
    let mut chunk_opts = options;
    let mut in_type_step = false;
    for (i, line) in body.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("//---") {
            if !in_type_step {
                steps.push(Step::Cdef {
                    text: std::mem::take(&mut chunk),
                    options: chunk_opts.clone(),
                });
            }
            chunk.clear();
            let rest = rest.trim();
            if let Some(t) = rest.strip_prefix("type") {
                steps.push(Step::Type(t.trim().to_string()));
                in_type_step = true;
            } else if let Some(o) = rest.strip_prefix("cdef") {
                chunk_opts = parse_options(o)?;
                in_type_step = false;
            } else {
                bail!("line {}: unknown step '//--- {rest}'", i + 1);
            }
            // Keep line numbers: the next chunk starts on line i + 2.
            chunk = "\n".repeat(i + 1);
            continue;
        }
        if in_type_step {
            if !line.trim().is_empty() {
                bail!("line {}: text after a '//--- type' step", i + 1);
            }
            continue;
        }
        chunk.push_str(line);
        chunk.push('\n');
    }
    if !in_type_step {
        steps.push(Step::Cdef {
            text: chunk,
            options: chunk_opts,
        });
    }
    Ok(Case {
        path: path.to_path_buf(),
        name,
        target,
        oracle,
        std,
        steps,
        expected,
        body,
    })
}

/// Runs a case: its output text and the final registry.
pub fn run(case: &Case) -> (String, Registry) {
    let mut reg = Registry::with_target(case.target.clone());
    let mut out = String::new();
    for step in &case.steps {
        match step {
            Step::Cdef { text, options } => match reg.cdef_with(text, options) {
                Ok(report) => {
                    if !report.skipped_definitions.is_empty() {
                        let _ = writeln!(
                            out,
                            "skipped definitions: {}",
                            report
                                .skipped_definitions
                                .iter()
                                .map(|d| &*d.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                    }
                    for m in &report.skipped_macros {
                        let l = &m.location;
                        let _ = writeln!(
                            out,
                            "skipped macro {} ({}:{}:{}): {}",
                            m.name, l.file, l.line, l.column, m.reason
                        );
                    }
                }
                Err(e) => {
                    let _ = writeln!(out, "error[{}]: {e}", e.kind().name());
                }
            },
            Step::Type(t) => match reg.parse_type(t) {
                Ok(id) => {
                    let _ = write!(out, "type {t:?}: {}", reg.cname(id));
                    match reg.layout(id) {
                        Ok(l) => {
                            let _ = writeln!(out, "  size={} align={}", l.size, l.align);
                        }
                        Err(e) => {
                            let _ = writeln!(out, "  ({e})");
                        }
                    }
                }
                Err(e) => {
                    let _ = writeln!(out, "type {t:?}: error[{}]: {e}", e.kind().name());
                }
            },
        }
    }
    let dump = reg.dump();
    if !dump.is_empty() {
        if !out.is_empty() {
            out.push_str("---\n");
        }
        out.push_str(&dump);
    }
    (out, reg)
}

/// Writes `output` as the expected block of the case file.
pub fn bless(case: &Case, output: &str) -> Result<()> {
    let mut text = case.body.clone();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("/*===\n");
    text.push_str(output);
    text.push_str("===*/\n");
    std::fs::write(&case.path, text).with_context(|| format!("writing {}", case.path.display()))
}

/// A line diff of expected and actual output, for failure messages: the longest common
/// subsequence of lines is kept (`  `), the rest marked removed (`- `) or added (`+ `), so one
/// inserted line marks only itself. (`similar` would do; the outputs are small, and this
/// crate's dependencies stay the ones the oracle needs.)
pub fn diff(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    // lcs[i][j]: the longest common subsequence of e[i..] and a[j..].
    let mut lcs = vec![vec![0usize; a.len() + 1]; e.len() + 1];
    for i in (0..e.len()).rev() {
        for j in (0..a.len()).rev() {
            lcs[i][j] = if e[i] == a[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < e.len() || j < a.len() {
        if i < e.len() && j < a.len() && e[i] == a[j] {
            let _ = writeln!(out, "  {}", e[i]);
            i += 1;
            j += 1;
        } else if i < e.len() && (j == a.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            let _ = writeln!(out, "- {}", e[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", a[j]);
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::diff;

    #[test]
    fn an_inserted_line_marks_only_itself() {
        assert_eq!(diff("a\nb\nc\n", "a\nx\nb\nc\n"), "  a\n+ x\n  b\n  c\n");
        assert_eq!(diff("a\nb\nc\n", "a\nc\n"), "  a\n- b\n  c\n");
        assert_eq!(diff("a\n", "b\n"), "- a\n+ b\n");
        assert_eq!(diff("", ""), "");
    }
}

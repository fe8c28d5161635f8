//! The only module that calls lang-c.
//!
//! lang-c cannot be told which names are typedefs, so the text it parses starts with a prelude
//! of `typedef int NAME;` for every known type name that the text mentions (cffi does the same
//! with pycparser). Only mentioned names go in, so the cost does not grow with the number of
//! typedefs already declared.
//!
//! Big texts are cut at top-level declaration boundaries into chunks. On one thread each chunk
//! is parsed with the typedefs lowering has declared so far, lowered and freed in turn, so one
//! chunk's syntax tree is alive at a time. With more, lang-c parses chunks in parallel while
//! finished chunks are lowered in order. A chunk's prelude names the
//! typedefs that a token scan found in the chunks before it; before a chunk is used, the
//! caller compares that with the typedefs lowering actually declared, and on any difference
//! (or a syntax error) the chunk is parsed again with the exact names. So the result is always
//! that of parsing the whole text in one piece; parallelism only makes it come sooner.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

use foldhash::fast::RandomState;
use lang_c::ast::TranslationUnit;
use lang_c::driver::{Config, Flavor, parse_preprocessed};

use crate::error::{CdefError, ErrorKind, LResult, Located};
use crate::preprocess::Preprocessed;
use crate::registry::Registry;

/// Below this size a text is parsed in one piece (threads would cost more than they save).
const PARALLEL_MIN_BYTES: usize = 96 * 1024;
/// Target size of a chunk.
const CHUNK_BYTES: usize = 48 * 1024;

/// One parsed piece of the preprocessed text.
pub(crate) struct Chunk {
    pub(crate) unit: TranslationUnit,
    /// Length of the typedef prelude in front of the chunk's text.
    pub(crate) prelude_len: usize,
    /// Offset of the chunk's text in the preprocessed text.
    pub(crate) base: usize,
}

impl Chunk {
    /// Maps an offset of lang-c's source for this chunk to an offset of the preprocessed text.
    pub(crate) fn text_offset(&self, offset: usize) -> usize {
        offset.saturating_sub(self.prelude_len) + self.base
    }
}

/// A planned chunk: its byte range and the typedef names the scan found in it.
struct Plan<'a> {
    start: usize,
    end: usize,
    typedefs: Vec<&'a str>,
}

fn config() -> Config {
    Config {
        cpp_command: String::new(),
        cpp_options: Vec::new(),
        flavor: Flavor::GnuC11,
    }
}

/// Parses `text[start..end]` with `prelude` names declared as types.
fn parse_range(
    pre: &Preprocessed<'_>,
    start: usize,
    end: usize,
    prelude: &[&str],
) -> Result<Chunk, Located> {
    let text = &pre.text[start..end];
    let mut source = String::with_capacity(text.len() + prelude.len() * 24 + 1);
    for n in prelude {
        source.push_str("typedef int ");
        source.push_str(n);
        source.push(';');
    }
    source.push('\n');
    let prelude_len = source.len();
    source.push_str(text);
    match parse_preprocessed(&config(), source) {
        Ok(p) => Ok(Chunk {
            unit: p.unit,
            prelude_len,
            base: start,
        }),
        Err(e) => Err(syntax_error(
            pre,
            &e.source,
            e.offset,
            prelude_len,
            start,
            &e.expected,
            prelude,
        )),
    }
}

/// The identifiers of a piece of text (a quick scan: words that start with a letter or `_`).
fn words(text: &str) -> HashSet<&str, RandomState> {
    let mut out = HashSet::default();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            out.insert(&text[s..i]);
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The sorted names of a chunk's prelude: `known` and `extra` names that the chunk mentions.
fn prelude(text: &str, known: &[&str], extra: &mut dyn Iterator<Item = &str>) -> Vec<String> {
    let w = words(text);
    let mut names: Vec<String> = known
        .iter()
        .copied()
        .filter(|n| w.contains(n))
        .map(str::to_string)
        .collect();
    names.extend(extra.filter(|n| w.contains(n)).map(str::to_string));
    names.sort_unstable();
    names.dedup();
    names
}

/// The type names known before this cdef that the text mentions.
fn known_names<'a>(pre: &Preprocessed<'a>, reg: &Registry) -> Vec<&'a str> {
    let mut names: Vec<&str> = pre
        .idents
        .iter()
        .copied()
        // lang-c's GNU flavor knows `__builtin_va_list` already.
        .filter(|n| *n != "__builtin_va_list" && reg.is_type_name(n))
        .collect();
    names.sort_unstable();
    names
}

/// Parses the preprocessed text and hands each chunk, in order, to `lower`, which returns the
/// typedef names it declared. See the module docs for how chunks are parsed in parallel.
///
/// In parallel, each thread parses a chunk, waits for its turn, and lowers that chunk itself
/// (its AST is still in that core's cache), then frees it.
pub(crate) fn parse_and_lower(
    pre: &Preprocessed<'_>,
    reg: &mut Registry,
    threads: Option<usize>,
    mut lower: impl FnMut(&mut Registry, &Chunk) -> LResult<Vec<String>> + Send,
) -> LResult<()> {
    let known = known_names(pre, reg);
    let threads =
        threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if pre.text.len() < PARALLEL_MIN_BYTES {
        let chunk = parse_range(pre, 0, pre.text.len(), &known)?;
        lower(reg, &chunk)?;
        return Ok(());
    }
    let plans = plan(pre);
    if threads < 2 || plans.len() < 2 {
        return lower_in_turn(pre, reg, &plans, &known, lower);
    }

    // The prelude of chunk k: known names plus typedefs declared before chunk k, limited to the
    // words of chunk k.
    let prelude_for = |k: usize, extra: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        prelude(&pre.text[plans[k].start..plans[k].end], &known, extra)
    };

    struct Turn<'r, F> {
        reg: &'r mut Registry,
        lower: F,
        /// The typedef names lowering declared so far.
        declared: Vec<String>,
        /// The chunk whose turn it is to be lowered.
        next: usize,
        error: Option<Located>,
    }
    let turn = Mutex::new(Turn {
        reg,
        lower: &mut lower,
        declared: Vec::new(),
        next: 0,
        error: None,
    });
    let turn_changed = Condvar::new();
    let next_parse = AtomicUsize::new(0);
    let mut started = 0;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            // Each worker parses and lowers whole chunks: it gets the stack the deepest text
            // allowed needs (reserved, not touched, by shallow ones).
            let worker = std::thread::Builder::new()
                .name("rcffi-cdef".into())
                .stack_size(crate::nesting::DEEP_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let k = next_parse.fetch_add(1, Ordering::Relaxed);
                        if k >= plans.len() {
                            break;
                        }
                        let mut scanned =
                            plans[..k].iter().flat_map(|p| p.typedefs.iter().copied());
                        let prelude = prelude_for(k, &mut scanned);
                        let names: Vec<&str> = prelude.iter().map(String::as_str).collect();
                        let parsed = parse_range(pre, plans[k].start, plans[k].end, &names);
                        let mut t = turn.lock().unwrap_or_else(|e| e.into_inner());
                        while t.next != k && t.error.is_none() {
                            t = turn_changed.wait(t).unwrap_or_else(|e| e.into_inner());
                        }
                        if t.error.is_some() {
                            break;
                        }
                        // Parse again if the scanned typedefs were not exactly the declared ones,
                        // or if the chunk did not parse (the exact prelude decides).
                        let exact = prelude_for(k, &mut t.declared.iter().map(String::as_str));
                        let chunk = match parsed {
                            Ok(c) if exact == prelude => Ok(c),
                            _ => {
                                let names: Vec<&str> = exact.iter().map(String::as_str).collect();
                                parse_range(pre, plans[k].start, plans[k].end, &names)
                            }
                        };
                        let tr = &mut *t;
                        match chunk.and_then(|c| (tr.lower)(tr.reg, &c).map(|d| (c, d))) {
                            Ok((c, declared)) => {
                                tr.declared.extend(declared);
                                tr.next += 1;
                                turn_changed.notify_all();
                                // Free the AST outside the lock.
                                drop(t);
                                drop(c);
                            }
                            Err(e) => {
                                tr.error = Some(e);
                                turn_changed.notify_all();
                                break;
                            }
                        }
                    }
                });
            if worker.is_err() {
                break;
            }
            started += 1;
        }
    });
    if started == 0 {
        return Err(CdefError::new(
            ErrorKind::Syntax,
            "cannot start a thread to parse this text",
        )
        .into());
    }
    match turn.into_inner().unwrap_or_else(|e| e.into_inner()).error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// One thread's way through a big text: each chunk in turn is parsed with the typedefs lowering
/// has declared so far (exact, so never twice), lowered, and freed before the next is parsed,
/// so at most one chunk's syntax tree is alive at a time.
fn lower_in_turn(
    pre: &Preprocessed<'_>,
    reg: &mut Registry,
    plans: &[Plan<'_>],
    known: &[&str],
    mut lower: impl FnMut(&mut Registry, &Chunk) -> LResult<Vec<String>>,
) -> LResult<()> {
    let mut declared: Vec<String> = Vec::new();
    for p in plans {
        let names = prelude(
            &pre.text[p.start..p.end],
            known,
            &mut declared.iter().map(String::as_str),
        );
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let chunk = parse_range(pre, p.start, p.end, &names)?;
        declared.extend(lower(reg, &chunk)?);
    }
    Ok(())
}

/// Cuts the text into chunks of about [`CHUNK_BYTES`] at top-level declaration ends.
fn plan<'a>(pre: &Preprocessed<'a>) -> Vec<Plan<'a>> {
    let inverse = pre.map.inverse();
    let mut plans = Vec::new();
    let mut start = 0;
    let mut typedefs = Vec::new();
    for d in &pre.decls {
        typedefs.extend(d.typedefs.iter().copied());
        let end = inverse.to_output(d.end).min(pre.text.len());
        if end - start >= CHUNK_BYTES {
            plans.push(Plan {
                start,
                end,
                typedefs: std::mem::take(&mut typedefs),
            });
            start = end;
        }
    }
    if start < pre.text.len() {
        match plans.last_mut() {
            // A short tail joins the last chunk.
            Some(last) if pre.text.len() - start < CHUNK_BYTES / 4 => {
                last.end = pre.text.len();
                last.typedefs.extend(typedefs);
            }
            _ => plans.push(Plan {
                start,
                end: pre.text.len(),
                typedefs,
            }),
        }
    }
    plans
}

/// Turns lang-c's "unexpected token, expected {set}" into a message about the user's text.
fn syntax_error(
    pre: &Preprocessed<'_>,
    source: &str,
    offset: usize,
    prelude_len: usize,
    base: usize,
    expected: &std::collections::HashSet<&'static str>,
    prelude: &[&str],
) -> Located {
    let to_user = |o: usize| pre.map.to_input(o.saturating_sub(prelude_len) + base);
    let user = to_user(offset);
    let rest = &source[offset.min(source.len())..];
    let token = token_at(rest);
    // The pre-pass's private names stand for cffi's `...`.
    let token = if token.starts_with("__rcffi_") {
        "..."
    } else {
        token
    };
    let before = source[prelude_len.min(offset)..offset.min(source.len())].trim_end();
    if token.is_empty() {
        // Point just after the last token rather than at the end of the text.
        let at = if before.is_empty() {
            to_user(prelude_len)
        } else {
            to_user(prelude_len + before.len() - 1) + 1
        };
        return CdefError::at(
            ErrorKind::Syntax,
            at,
            "unexpected end of input (missing ';'?)",
        );
    }
    let is_ident = token.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$');
    // An unknown name where a declaration, member or parameter starts is an unknown type.
    let prev_word = before
        .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    let at_start = before.is_empty()
        || before.ends_with([';', '{', '}', '(', ','])
        || matches!(
            prev_word,
            "const"
                | "volatile"
                | "extern"
                | "static"
                | "typedef"
                | "register"
                | "inline"
                | "__extension__"
                | "__const"
                | "__inline"
                | "__restrict"
                | "restrict"
        );
    if is_ident && at_start && expected.contains("<typedef_name>") && !prelude.contains(&token) {
        return CdefError::at(
            ErrorKind::UnknownType,
            user,
            format!("unknown type name '{token}'"),
        );
    }
    // `extern "C"` (C++) and cffi's API-mode `extern "Python"`.
    if token == "\"" && prev_word == "extern" {
        let lang: String = rest
            .trim_start()
            .chars()
            .take_while(|c| *c != '\n')
            .take(12)
            .collect();
        return CdefError::at(
            ErrorKind::Unsupported,
            user,
            format!(
                "'extern {}' is not supported in a cdef: C++ linkage and cffi's API-mode \
                 'extern \"Python\"' have no meaning for a loaded library",
                lang.split_whitespace().next().unwrap_or("\"...\"")
            ),
        );
    }
    // `f(...)`: lang-c wants a parameter before `...`.
    if token == "..." && source[..offset].trim_end().ends_with('(') {
        return CdefError::at(
            ErrorKind::InvalidType,
            user,
            "a function with only '(...)' as argument is not correct C",
        );
    }
    let mut want: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|e| !e.is_empty() && !e.starts_with('<') && *e != "#")
        .collect();
    want.sort_unstable();
    let hint = if !want.is_empty() && want.len() <= 6 {
        format!(
            " (expected {})",
            want.iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        String::new()
    };
    CdefError::at(
        ErrorKind::Syntax,
        user,
        format!("cannot parse: unexpected '{token}'{hint}"),
    )
}

/// The C token at the start of `s` (roughly: enough to name it in a message).
fn token_at(s: &str) -> &str {
    let s = s.trim_start();
    let Some(first) = s.chars().next() else {
        return "";
    };
    let end = if first.is_ascii_alphanumeric() || first == '_' || first == '$' {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(s.len())
    } else if s.starts_with("...") {
        3
    } else {
        first.len_utf8()
    };
    &s[..end]
}

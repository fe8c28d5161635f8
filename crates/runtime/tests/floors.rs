//! The runtime is a house with floors (see `docs/architecture.md`): each folder of `src/` may use
//! only the folders below it. This test reads every source file, finds every `crate::` path in
//! its code (in `use` lines and inline), and fails on a path from a lower floor up to a higher
//! one, naming the file, the line and the path. It also keeps three rules that go with the
//! floors: the folder graph has no circle, the `ffi` object's public methods live on the top
//! floor only, and every file that allows `unsafe` code has its section in `docs/unsafe.md`.
//!
//! Run with `--nocapture` to see the counts (files per folder, imports between folders).
//!
//! Written here rather than taken from a crate: `arch_test_core` (the one tool of its kind with
//! users) has not been released since 2021 and pulls an old rust-analyzer parser; what is
//! needed is a hundred lines of std.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first. `error` is the ground under all of them; `lib.rs` is the roof
/// (it may re-export anything).
const FLOORS: &[&str] = &[
    "error", "base", "mem", "types", "data", "abi", "callback", "call", "typed", "library", "ffi",
];

fn rank(floor: &str) -> Option<usize> {
    FLOORS.iter().position(|f| *f == floor)
}

/// Every `.rs` file under `dir`, sorted.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable source folder") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The floor a file (relative to `src/`) belongs to: its folder, or its stem at the top.
fn floor_of(rel: &str) -> String {
    match rel.split_once('/') {
        Some((folder, _)) => folder.to_string(),
        None => rel.trim_end_matches(".rs").to_string(),
    }
}

/// The code of a Rust file with comments, string literals and character literals blanked
/// (newlines kept, so line numbers stay right).
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, c: u8| out.push(if c == b'\n' { b'\n' } else { b' ' });
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        out.extend_from_slice(b"  ");
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        out.extend_from_slice(b"  ");
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                // A raw string: r"..." or r#"..."#.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push(b[i]);
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let end = text[j + 1..]
                    .find(std::str::from_utf8(&close).expect("ascii"))
                    .map_or(b.len(), |k| j + 1 + k + close.len());
                for &c in &b[i..end] {
                    blank(&mut out, c);
                }
                i = end;
            }
            b'"' => {
                blank(&mut out, b[i]);
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                    if i < b.len() {
                        blank(&mut out, b[i]);
                        i += 1;
                    }
                }
                if i < b.len() {
                    blank(&mut out, b[i]);
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{..}'), not a lifetime ('a).
                let rest = &text[i + 1..];
                let len = if rest.starts_with('\\') {
                    rest.find('\'').map(|k| k + 2)
                } else {
                    let mut chars = rest.char_indices();
                    match (chars.next(), chars.next()) {
                        (Some((_, _)), Some((k, '\''))) => Some(k + 2),
                        _ => None,
                    }
                };
                let n = len.unwrap_or(1);
                for &c in &b[i..i + n] {
                    blank(&mut out, c);
                }
                i += n;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("blanking keeps UTF-8 boundaries")
}

/// What the crate root re-exports, by name: `Ffi` -> `types`, from `pub use types::Ffi;`.
fn root_exports(lib_rs: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let code = code_only(lib_rs);
    for stmt in code.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let Some((floor, rest)) = path.split_once("::") else {
            continue;
        };
        for name in rest.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !name.is_empty() && name != "self" {
                map.insert(name.to_string(), floor.to_string());
            }
        }
    }
    map
}

/// One `crate::` path in a file: the line, the floor it reaches, and the text.
struct Use {
    line: usize,
    floor: String,
    text: String,
}

/// The floors a file's code names through `crate::` paths, grouped `use crate::{a, b}` included.
fn uses(code: &str, exports: &BTreeMap<String, String>) -> Vec<Use> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(k) = rest.find("crate::") {
            let before = rest[..k].chars().last();
            let after = &rest[k + "crate::".len()..];
            rest = after;
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `rcffi_cdef::` and the like
            }
            let heads: Vec<&str> = if let Some(group) = after.strip_prefix('{') {
                // `crate::{a::X, b}`: the first segment of each top-level item.
                let mut depth = 0;
                let mut items = vec![];
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            items.push(&group[start..i]);
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            items.push(&group[start..i]);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                items
            } else {
                vec![after]
            };
            for head in heads {
                let name: String = head
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let floor = if rank(&name).is_some() {
                    name.clone()
                } else if let Some(f) = exports.get(&name) {
                    f.clone()
                } else {
                    continue; // a macro at the root (`crate::map!`) or `crate::self`
                };
                out.push(Use {
                    line: n + 1,
                    floor,
                    text: format!(
                        "crate::{}",
                        head.trim()
                            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                            .next()
                            .unwrap_or_default()
                    ),
                });
            }
        }
    }
    out
}

struct Crate {
    /// Path relative to `src/` -> code only.
    files: BTreeMap<String, String>,
    exports: BTreeMap<String, String>,
}

fn load() -> Crate {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    for path in sources(&src) {
        let rel = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("readable source");
        files.insert(rel, text);
    }
    let exports = root_exports(&files["lib.rs"]);
    Crate { files, exports }
}

#[test]
fn no_floor_uses_a_higher_one() {
    let krate = load();
    let mut upward = Vec::new();
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut per_folder: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (rel, text) in &krate.files {
        let from = floor_of(rel);
        let entry = per_folder.entry(from.clone()).or_default();
        entry.0 += 1;
        entry.1 += text.lines().count();
        if rel == "lib.rs" {
            continue;
        }
        let from_rank =
            rank(&from).unwrap_or_else(|| panic!("src/{rel}: the floor '{from}' is not in FLOORS"));
        let mut seen = BTreeSet::new();
        for u in uses(&code_only(text), &krate.exports) {
            if u.floor == from {
                continue;
            }
            if seen.insert(u.floor.clone()) {
                *edges.entry((from.clone(), u.floor.clone())).or_default() += 1;
            }
            let to_rank = rank(&u.floor).expect("only floors are collected");
            if to_rank > from_rank {
                upward.push(format!(
                    "src/{rel}:{}: `{}` — {from} (floor {from_rank}) may not use {} (floor {to_rank})",
                    u.line, u.text, u.floor
                ));
            }
        }
    }
    println!("folder      files  lines");
    for (folder, (files, lines)) in &per_folder {
        println!("{folder:<10} {files:>6} {lines:>6}");
    }
    println!(
        "imports between folders: {} (file -> folder), over {} folder pairs",
        edges.values().sum::<usize>(),
        edges.len()
    );
    for ((from, to), n) in &edges {
        println!("  {from} -> {to}: {n}");
    }
    assert!(
        upward.is_empty(),
        "imports from a lower floor to a higher one (floors, lowest first: {FLOORS:?}):\n{}",
        upward.join("\n")
    );
    // With every import going down, the folder graph has no circle; say so should the rule
    // above ever be loosened.
    assert!(
        folder_cycle(&edges).is_none(),
        "a circle between folders: {:?}",
        folder_cycle(&edges)
    );
}

/// A circle in the folder graph, if there is one (depth-first search).
fn folder_cycle(edges: &BTreeMap<(String, String), usize>) -> Option<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    fn visit<'a>(
        node: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(k) = path.iter().position(|n| *n == node) {
            return Some(path[k..].iter().map(|s| s.to_string()).collect());
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for &n in next.get(node).into_iter().flatten() {
            if let Some(c) = visit(n, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for &start in next.keys() {
        if let Some(c) = visit(start, &next, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

#[test]
fn public_ffi_methods_live_on_the_top_floor() {
    let krate = load();
    let mut misplaced = Vec::new();
    for (rel, text) in &krate.files {
        if rel.starts_with("ffi/") {
            continue;
        }
        let code = code_only(text);
        let mut from = 0;
        while let Some(k) = code[from..].find("impl ") {
            let start = from + k;
            from = start + 5;
            let head: String = code[start + 5..]
                .chars()
                .take_while(|c| *c != '{' && *c != ';')
                .collect();
            let head = head.trim();
            if head != "Ffi" && head != "crate::types::Ffi" && head != "crate::Ffi" {
                continue;
            }
            let open = start + code[start..].find('{').expect("an impl block");
            let mut depth = 0;
            let mut end = open;
            for (i, c) in code[open..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let block = &code[open..end];
            for word in ["pub fn ", "pub unsafe fn ", "pub const "] {
                for (i, _) in block.match_indices(word) {
                    let line = code[..open + i].lines().count();
                    misplaced.push(format!("src/{rel}:{line}: `{word}...` on Ffi"));
                }
            }
        }
    }
    assert!(
        misplaced.is_empty(),
        "public methods of Ffi belong in src/ffi/ (lower floors give it pub(crate) helpers):\n{}",
        misplaced.join("\n")
    );
}

#[test]
fn every_unsafe_file_has_its_section_in_docs_unsafe_md() {
    let krate = load();
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/unsafe.md");
    let doc = std::fs::read_to_string(&doc_path).expect("docs/unsafe.md");
    let mut missing = Vec::new();
    for (rel, text) in &krate.files {
        if !code_only(text).contains("allow(unsafe_code)") {
            continue;
        }
        // A folder's mod.rs allows unsafe code for the whole folder: its section names the
        // folder. A file's section names the file, or its folder when one section covers all.
        let name = match rel.strip_suffix("/mod.rs") {
            Some(folder) => format!("{folder}/"),
            None => rel.clone(),
        };
        let folder = rel.split_once('/').map(|(f, _)| format!("### `{f}/`"));
        if !doc.contains(&format!("### `{name}`")) && !folder.is_some_and(|f| doc.contains(&f)) {
            missing.push(format!("src/{rel}: no section \"### `{name}`\""));
        }
    }
    assert!(
        missing.is_empty(),
        "files with unsafe code that docs/unsafe.md does not describe:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_reader_sees_through_comments_and_strings() {
    let code = code_only(
        "let a = \"crate::ffi\"; // crate::ffi\n/* crate::ffi */ let c = 'x'; crate::data::X",
    );
    let exports = BTreeMap::new();
    let found: Vec<String> = uses(&code, &exports).into_iter().map(|u| u.floor).collect();
    assert_eq!(found, ["data"]);
    let grouped = uses("use crate::{mem::Owner, types::{Ffi, TypeRef}};", &exports);
    let floors: Vec<&str> = grouped.iter().map(|u| u.floor.as_str()).collect();
    assert_eq!(floors, ["mem", "types"]);
    let lifetimes = code_only("fn f<'a>(x: &'a str) -> crate::base::X<'a> {}");
    assert_eq!(uses(&lifetimes, &exports).len(), 1);
}

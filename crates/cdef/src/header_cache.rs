//! A cache of preprocessed header text, so that importing the same headers again starts no
//! process. An entry is keyed by what went into the preprocessor (the `#include`s, the flags,
//! the compiler asked for, `$CC`, the target) and holds the modification time and size of every
//! file the text came from (its `# N "file"` markers): it is used only while none of them
//! changed. The cache lives in `$RCFFI_CACHE_DIR`, else `$XDG_CACHE_HOME/rcffi`, else
//! `~/.cache/rcffi`; `RCFFI_CACHE=0` or [`crate::Headers::cache`]`(false)` turns it off. Any
//! failure to read or write it only means the preprocessor runs.

use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

const MAGIC: &str = "rcffi-headers-cache 1";

/// The cache folder, or `None` when caching is off or no folder is known.
pub(crate) fn default_dir() -> Option<PathBuf> {
    if std::env::var_os("RCFFI_CACHE").is_some_and(|v| v == "0") {
        return None;
    }
    if let Some(d) = std::env::var_os("RCFFI_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("rcffi"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("rcffi"))
}

/// The key of everything that went into the preprocessor.
pub(crate) fn key(parts: &[&str]) -> u64 {
    // `DefaultHasher::new()` has fixed keys: the same parts give the same key in every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for p in parts {
        p.hash(&mut h);
    }
    h.finish()
}

fn entry(dir: &Path, key: u64) -> PathBuf {
    dir.join(format!("headers-{key:016x}.txt"))
}

/// A file's modification time (nanoseconds) and size.
fn stamp(path: &str) -> Option<(u128, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((mtime, meta.len()))
}

/// The files a preprocessed text came from, by its line markers.
fn sources(text: &str) -> BTreeSet<&str> {
    text.lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("# ")?;
            let start = rest.find('"')? + 1;
            let end = start + rest[start..].find('"')?;
            Some(&rest[start..end])
        })
        .filter(|f| !f.starts_with('<'))
        .collect()
}

/// The cached text and command of `key`, if every file it came from is unchanged.
pub(crate) fn load(dir: &Path, key: u64) -> Option<(String, Vec<String>)> {
    let data = std::fs::read_to_string(entry(dir, key)).ok()?;
    let (head, text) = data.split_once("\n\n")?;
    let mut lines = head.lines();
    if lines.next()? != MAGIC {
        return None;
    }
    let command: Vec<String> = lines
        .next()?
        .strip_prefix("command\t")?
        .split('\u{1f}')
        .map(String::from)
        .collect();
    for l in lines {
        let mut f = l.splitn(4, '\t');
        let (Some("file"), Some(mtime), Some(size), Some(path)) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            return None;
        };
        let now = stamp(path)?;
        if now != (mtime.parse().ok()?, size.parse().ok()?) {
            return None;
        }
    }
    Some((text.to_string(), command))
}

/// Stores `text` (made by `command`) under `key`; written to a temporary file and renamed, so
/// that a reader never sees half an entry.
pub(crate) fn store(dir: &Path, key: u64, command: &[String], text: &str) {
    let mut head = format!("{MAGIC}\ncommand\t{}\n", command.join("\u{1f}"));
    for f in sources(text) {
        // A file that cannot be stamped makes the entry useless: store none.
        let Some((mtime, size)) = stamp(f) else {
            return;
        };
        head.push_str(&format!("file\t{mtime}\t{size}\t{f}\n"));
    }
    let _ = std::fs::create_dir_all(dir);
    let tmp = dir.join(format!("headers-{key:016x}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, format!("{head}\n{text}")).is_ok() {
        let _ = std::fs::rename(&tmp, entry(dir, key));
    }
    let _ = std::fs::remove_file(&tmp);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_come_from_line_markers() {
        let text = "# 0 \"<built-in>\"\n# 1 \"/usr/include/zlib.h\" 1 3 4\nint a;\n# 5 \"/usr/include/zconf.h\" 2\n";
        let s: Vec<&str> = sources(text).into_iter().collect();
        assert_eq!(s, ["/usr/include/zconf.h", "/usr/include/zlib.h"]);
    }

    #[test]
    fn an_entry_is_used_only_while_its_files_are_unchanged() {
        let dir = std::env::temp_dir().join(format!("rcffi-cache-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let header = dir.join("h.h");
        std::fs::write(&header, "#define X 1\n").unwrap();
        let text = format!("# 1 \"{}\"\n#define X 1\n", header.display());
        let cmd = vec!["cc".to_string(), "-E".to_string()];
        store(&dir, 7, &cmd, &text);
        assert_eq!(load(&dir, 7), Some((text.clone(), cmd)));
        assert_eq!(load(&dir, 8), None);
        std::fs::write(&header, "#define X 22\n").unwrap();
        assert_eq!(load(&dir, 7), None, "the header changed size");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! Finding a library by its short name, as ctypes' `find_library` does on Linux, and
//! following glibc's linker scripts (`libc.so` names `libc.so.6`). No `unsafe` here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The first shared library a GNU ld script (`GROUP ( /lib/.../libc.so.6 ... )`) names.
pub(super) fn linker_script_target(path: &Path) -> Option<PathBuf> {
    let path = if path.components().count() == 1 {
        search_dirs()
            .iter()
            .map(|d| d.join(path))
            .find(|p| p.is_file())?
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read(&path).ok()?;
    if text.len() > 64 * 1024 || text.starts_with(b"\x7fELF") {
        return None;
    }
    let text = String::from_utf8_lossy(&text);
    let start = text.find("GROUP").or_else(|| text.find("INPUT"))?;
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| w.contains(".so"))
        .map(PathBuf::from)
        .find(|p| is_loadable_elf(p))
}

/// ctypes' `find_library` for Linux: the best `lib{name}.so*` in the loader's directories
/// (`LD_LIBRARY_PATH`, `/etc/ld.so.conf`, the system's), a real ELF file of the host's
/// architecture — the plain `.so` when it is one, else the highest version. Cached.
pub(super) fn find_library(name: &str) -> Option<PathBuf> {
    static FOUND: OnceLock<Mutex<HashMap<String, Option<PathBuf>>>> = OnceLock::new();
    let cache = FOUND.get_or_init(Default::default);
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(name) {
        return hit.clone();
    }
    let plain = format!("lib{name}.so");
    let mut best: Option<(Vec<u64>, PathBuf)> = None;
    for dir in search_dirs() {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for e in entries.flatten() {
            let file = e.file_name();
            let Some(file) = file.to_str() else { continue };
            let Some(rest) = file.strip_prefix(&plain) else {
                continue;
            };
            // `lib{name}.so` or `lib{name}.so.1.2.3`, not `lib{name}.so.gdb.py`.
            let version: Option<Vec<u64>> = if rest.is_empty() {
                Some(vec![u64::MAX])
            } else {
                rest.strip_prefix('.')
                    .and_then(|v| v.split('.').map(|p| p.parse().ok()).collect())
            };
            let Some(version) = version else { continue };
            let path = e.path();
            if !is_loadable_elf(&path) {
                continue;
            }
            if best.as_ref().is_none_or(|(v, _)| version > *v) {
                best = Some((version, path));
            }
        }
        if best.is_some() {
            break;
        }
    }
    let found = best.map(|(_, p)| p);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.to_string(), found.clone());
    found
}

/// Whether `path` is an ELF shared object for this process's architecture.
fn is_loadable_elf(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 20];
    let ok = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok();
    if !ok || &head[..4] != b"\x7fELF" {
        return false;
    }
    let class64 = head[4] == 2;
    let machine = u16::from_le_bytes([head[18], head[19]]);
    let want: u16 = if cfg!(target_arch = "x86_64") {
        62
    } else if cfg!(target_arch = "aarch64") {
        183
    } else {
        return true;
    };
    class64 == cfg!(target_pointer_width = "64") && machine == want
}

/// The directories the dynamic loader searches, in its order: `LD_LIBRARY_PATH`, those of
/// `/etc/ld.so.conf` (and the files it includes), then the system's.
pub(super) fn search_dirs() -> &'static [PathBuf] {
    static DIRS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    DIRS.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Ok(p) = std::env::var("LD_LIBRARY_PATH") {
            dirs.extend(p.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
        }
        read_ld_conf(Path::new("/etc/ld.so.conf"), &mut dirs, 0);
        let triplet = if cfg!(target_arch = "x86_64") {
            "x86_64-linux-gnu"
        } else {
            "aarch64-linux-gnu"
        };
        for d in [
            format!("/lib/{triplet}"),
            format!("/usr/lib/{triplet}"),
            "/lib64".into(),
            "/usr/lib64".into(),
            "/lib".into(),
            "/usr/lib".into(),
            "/usr/local/lib".into(),
        ] {
            dirs.push(PathBuf::from(d));
        }
        let mut seen = std::collections::HashSet::new();
        dirs.retain(|d| seen.insert(d.clone()));
        dirs
    })
}

/// The directories listed in an ld.so.conf file, following `include` lines.
fn read_ld_conf(path: &Path, out: &mut Vec<PathBuf>, depth: u32) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(pattern) = line.strip_prefix("include") {
            let pattern = pattern.trim();
            if depth > 4 {
                continue;
            }
            let (dir, file) = match pattern.rsplit_once('/') {
                Some((d, f)) => (PathBuf::from(d), f.to_string()),
                None => (PathBuf::from("/etc"), pattern.to_string()),
            };
            let (prefix, suffix) = file.split_once('*').unwrap_or((&file, ""));
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|es| {
                    es.flatten()
                        .map(|e| e.path())
                        .filter(|p| {
                            p.file_name()
                                .and_then(|n| n.to_str())
                                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
                        })
                        .collect()
                })
                .unwrap_or_default();
            files.sort();
            for f in files {
                read_ld_conf(&f, out, depth + 1);
            }
        } else if line.starts_with('/') {
            out.push(PathBuf::from(line));
        }
    }
}

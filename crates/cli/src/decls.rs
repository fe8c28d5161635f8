//! Where a command's declarations come from: cdef files, text on stdin, installed headers
//! (with pkg-config flags), for the host or another target. Every subcommand takes these.

use std::io::{IsTerminal as _, Read as _};
use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use rcffi::{Ffi, Headers, Target};

/// The declaration options every subcommand shares.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct Decls {
    /// cdef text from FILE ('-' for stdin); may be repeated
    #[arg(short = 'f', long = "cdef", value_name = "FILE")]
    cdef: Vec<PathBuf>,
    /// An installed header to import through the C preprocessor (zlib.h); may be repeated
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    headers: Vec<String>,
    /// A pkg-config package: its compiler flags for the headers, and, without --header,
    /// every header in its own include directories
    #[arg(long = "pkg", value_name = "PACKAGE")]
    packages: Vec<String>,
    /// A macro for the headers' preprocessor (-D NAME or -D NAME=VALUE)
    #[arg(short = 'D', value_name = "NAME[=VALUE]")]
    defines: Vec<String>,
    /// A directory for the headers' preprocessor to search
    #[arg(short = 'I', value_name = "DIR")]
    include_dirs: Vec<PathBuf>,
    /// The target whose layouts and headers to use: host, x86_64 or aarch64
    #[arg(long, value_name = "TARGET", default_value = "host", value_parser = parse_target)]
    target: Target,
}

/// The targets by the names the command takes.
pub(crate) const TARGETS: &[&str] = &["host", "x86_64", "x86_64-linux", "aarch64", "aarch64-linux"];

fn parse_target(name: &str) -> std::result::Result<Target, String> {
    match name {
        "host" => Ok(Target::host()),
        "x86_64" | "x86_64-linux" | "x86-64" | "amd64" => Ok(Target::x86_64_linux()),
        "aarch64" | "aarch64-linux" | "arm64" => Ok(Target::aarch64_linux()),
        _ => Err(format!(
            "unknown target '{name}' (the targets: {})",
            TARGETS.join(", ")
        )),
    }
}

/// Declarations made: the `ffi` object, and which names the user's own sources declared.
pub(crate) struct Loaded {
    /// The declarations.
    pub(crate) ffi: Ffi,
    /// The names declared by the cdef files and stdin, and by the named headers themselves
    /// (not by the headers they include), in order.
    pub(crate) own: Vec<String>,
}

impl Decls {
    /// Refuses a target other than the host's, for the commands that load and call the
    /// host's libraries (another target's layouts would be wrong for them).
    pub(crate) fn host_only(&self, command: &str) -> Result<()> {
        if self.target != Target::host() {
            bail!(
                "{command} uses this machine's libraries, so its declarations are laid out for                  this machine ({}); --target {} is for rcffi layout",
                Target::host().name,
                self.target.name
            );
        }
        Ok(())
    }

    /// Whether any source was given.
    pub(crate) fn given(&self) -> bool {
        !self.cdef.is_empty() || !self.headers.is_empty() || !self.packages.is_empty()
    }

    /// Makes the declarations. Without any source, the text on stdin (refused when stdin is
    /// a terminal: `need` says what the command wanted).
    pub(crate) fn load(&self, need: &str) -> Result<Loaded> {
        let ffi = Ffi::with_target(self.target.clone());
        let mut own = Vec::new();
        let mut files = self.cdef.clone();
        if !self.given() {
            if std::io::stdin().is_terminal() {
                bail!(
                    "{need}: give a cdef file (-f FILE), a header (-H zlib.h), or C declarations \
                     on stdin"
                );
            }
            files.push("-".into());
        }
        for file in &files {
            let (name, text) = if file.as_os_str() == "-" {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .context("reading C declarations from stdin")?;
                ("<stdin>".to_string(), text)
            } else {
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("reading {}", file.display()))?;
                (file.display().to_string(), text)
            };
            // A line marker makes errors name the file.
            let text = format!(
                "# 1 \"{}\"\n{text}",
                name.replace('\\', "\\\\").replace('"', "\\\"")
            );
            let report = ffi.cdef(&text)?;
            own.extend(report.declared.iter().map(|n| n.to_string()));
        }
        let mut headers = self.headers.clone();
        if headers.is_empty() {
            for package in &self.packages {
                headers.extend(package_headers(package)?);
            }
        }
        if !headers.is_empty() {
            let mut spec = Headers::new(headers.iter().cloned());
            for package in &self.packages {
                spec = spec.pkg_config(package.clone());
            }
            for d in &self.defines {
                spec = spec.flag(format!("-D{d}"));
            }
            for i in &self.include_dirs {
                spec = spec.flag(format!("-I{}", i.display()));
            }
            let report = ffi.include_headers(&spec)?.cdef;
            for (name, at) in report.declared.iter().zip(&report.declared_at) {
                if headers.iter().any(|h| is_file(&at.file, h)) {
                    own.push(name.to_string());
                }
            }
        }
        Ok(Loaded { ffi, own })
    }
}

/// Whether the preprocessor's file name `file` is header `header` (`zlib.h` is
/// `/usr/include/zlib.h`; `sys/stat.h` is `/usr/include/x86_64-linux-gnu/sys/stat.h`).
fn is_file(file: &str, header: &str) -> bool {
    file == header
        || file
            .strip_suffix(header)
            .is_some_and(|dir| dir.ends_with('/'))
}

/// The headers in a package's own include directories (`pkg-config --cflags-only-I`), not the
/// system's (`/usr/include`, `/usr/local/include`).
fn package_headers(package: &str) -> Result<Vec<String>> {
    let out = Command::new("pkg-config")
        .args(["--cflags-only-I", package])
        .output()
        .context("running pkg-config")?;
    if !out.status.success() {
        bail!(
            "pkg-config does not know package '{package}': {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let mut headers = Vec::new();
    for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
        let Some(dir) = flag.strip_prefix("-I") else {
            continue;
        };
        if matches!(dir, "/usr/include" | "/usr/local/include") {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut found: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "h"))
            .map(|p| p.display().to_string())
            .collect();
        found.sort();
        headers.extend(found);
    }
    if headers.is_empty() {
        bail!(
            "package '{package}' has no include directory of its own to take headers from; \
             name its header with -H (for zlib: -H zlib.h)"
        );
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_match_whole_path_parts() {
        assert!(is_file("/usr/include/zlib.h", "zlib.h"));
        assert!(is_file("zlib.h", "zlib.h"));
        assert!(is_file(
            "/usr/include/x86_64-linux-gnu/sys/stat.h",
            "sys/stat.h"
        ));
        assert!(!is_file("/usr/include/myzlib.h", "zlib.h"));
        assert!(!is_file("/usr/include/zlib.h.in", "zlib.h"));
    }

    #[test]
    fn targets_by_name() {
        for name in TARGETS {
            assert!(parse_target(name).is_ok(), "{name}");
        }
        assert_eq!(parse_target("arm64").unwrap(), Target::aarch64_linux());
        assert!(parse_target("riscv").unwrap_err().contains("aarch64"));
    }
}

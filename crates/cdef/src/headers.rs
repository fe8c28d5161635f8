//! Installed headers as cdef input. The system C preprocessor runs once, with `-E -dD`: its
//! output holds the declarations and every macro definition in the order the headers make
//! them, each after a `# N "file"` marker, so that a declaration or macro that cannot be used
//! is reported with its own header file and line. (`-dM` lists the macros without places; one
//! run instead of two also halves the time.) The text then goes to `cdef` whole.
//!
//! The preprocessor is `$CC` when set, else the first of `cc`, `gcc` and `clang` that runs (for
//! the AArch64 target on another host: `aarch64-linux-gnu-gcc`, then `clang
//! --target=aarch64-linux-gnu`); package names add `pkg-config --cflags` flags. The text is
//! cached (`crate::header_cache`) until a file it came from changes.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{CdefError, ErrorKind};
use crate::registry::Registry;
use crate::report::{CdefOptions, CdefReport};
use crate::target::{Arch, Target};

/// Which headers to import, with which flags: the argument of [`Registry::include_headers`]
/// (and of the runtime's `Ffi::include_headers`).
///
/// ```
/// use rcffi_cdef::{Headers, Registry};
/// let mut reg = Registry::new();
/// # if std::process::Command::new("cc").arg("--version").output().is_err() { return; }
/// let report = reg.include_headers(&Headers::new(["limits.h"]).flag("-D_GNU_SOURCE")).unwrap();
/// assert_eq!(reg.integer_const("CHAR_BIT").unwrap().value, 8);
/// assert!(report.preprocessor.iter().any(|a| a == "-dD"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Headers {
    headers: Vec<String>,
    flags: Vec<String>,
    packages: Vec<String>,
    compiler: Option<Vec<String>>,
    options: CdefOptions,
    /// `Some(false)`: no cache; `Some(true)`/`None`: the default folder, if any.
    cache: Option<bool>,
    cache_dir: Option<std::path::PathBuf>,
}

/// What [`Registry::include_headers`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderReport {
    /// The preprocessor command that ran (program and arguments).
    pub preprocessor: Vec<String>,
    /// How long it took.
    pub preprocess_time: Duration,
    /// The size of its output, in bytes.
    pub text_bytes: usize,
    /// How long `cdef` of the output took.
    pub cdef_time: Duration,
    /// Whether the text came from the cache (no process was started).
    pub cached: bool,
    /// What `cdef` declared and what it skipped (with each item's header file and line).
    pub cdef: CdefReport,
}

/// The preprocessed text of some headers, before it is declared.
#[derive(Clone, Debug)]
pub struct PreprocessedHeaders {
    /// The text (`-E -dD` output).
    pub text: String,
    /// The command that made it.
    pub command: Vec<String>,
    /// How long it took.
    pub time: Duration,
    /// Whether it came from the cache.
    pub cached: bool,
}

impl Headers {
    /// Headers to `#include`, in order (`"zlib.h"`, `"gtk/gtk.h"`).
    pub fn new<I, S>(headers: I) -> Headers
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Headers {
            headers: headers.into_iter().map(Into::into).collect(),
            ..Headers::default()
        }
    }

    /// A flag for the preprocessor (`-DNAME=1`, `-I/opt/include`, `-std=c11`).
    pub fn flag(mut self, flag: impl Into<String>) -> Headers {
        self.flags.push(flag.into());
        self
    }

    /// Flags for the preprocessor.
    pub fn flags<I, S>(mut self, flags: I) -> Headers
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.flags.extend(flags.into_iter().map(Into::into));
        self
    }

    /// A pkg-config package whose `--cflags` are added (`"libpng"`, `"glib-2.0"`).
    pub fn pkg_config(mut self, package: impl Into<String>) -> Headers {
        self.packages.push(package.into());
        self
    }

    /// The preprocessor to run instead of `$CC`/`cc`/`gcc`/`clang`: a program and its own
    /// arguments (`["clang", "--target=aarch64-linux-gnu"]`).
    pub fn compiler<I, S>(mut self, command: I) -> Headers
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.compiler = Some(command.into_iter().map(Into::into).collect());
        self
    }

    /// The options of the `cdef` of the preprocessed text (`override_`, `pack`...).
    pub fn options(mut self, options: CdefOptions) -> Headers {
        self.options = options;
        self
    }

    /// Whether to use the cache of preprocessed text (on by default; see below). An entry is
    /// used only while every file it came from has the same modification time and size;
    /// `RCFFI_CACHE=0` turns the cache off for a whole program.
    pub fn cache(mut self, on: bool) -> Headers {
        self.cache = Some(on);
        self
    }

    /// The cache folder, instead of `$RCFFI_CACHE_DIR`, `$XDG_CACHE_HOME/rcffi` or
    /// `~/.cache/rcffi`.
    pub fn cache_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Headers {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Runs the preprocessor for `target`: the text to declare.
    ///
    /// # Errors
    ///
    /// A [`CdefError`] when the C preprocessor cannot be run or fails (a header not found, an
    /// `#error`), with its message.
    pub fn preprocess(&self, target: &Target) -> Result<PreprocessedHeaders, CdefError> {
        if self.headers.is_empty() {
            return Err(error("no header to include"));
        }
        if let Some(bad) = self
            .headers
            .iter()
            .find(|h| h.is_empty() || h.contains(['>', '\n', '\r', '\0']))
        {
            return Err(error(format!(
                "{bad:?} is not a header name (one `#include <...>` name each)"
            )));
        }
        let mut flags = self.flags.clone();
        if !self.packages.is_empty() {
            flags.extend(pkg_config_flags(&self.packages)?);
        }
        let source: String = self
            .headers
            .iter()
            .map(|h| format!("#include <{h}>\n"))
            .collect();
        let start = Instant::now();
        let cache = match self.cache {
            Some(false) => None,
            _ => self
                .cache_dir
                .clone()
                .or_else(crate::header_cache::default_dir),
        };
        let cc = std::env::var("CC").unwrap_or_default();
        let compiler = self
            .compiler
            .as_ref()
            .map(|c| c.join(" "))
            .unwrap_or_default();
        let flags_key = flags.join("\u{1f}");
        let key = crate::header_cache::key(&[&source, &flags_key, &cc, &compiler, target.name]);
        if let Some(dir) = &cache
            && let Some((text, command)) = crate::header_cache::load(dir, key)
        {
            return Ok(PreprocessedHeaders {
                text,
                command,
                time: start.elapsed(),
                cached: true,
            });
        }
        let mut tried = Vec::new();
        for candidate in self.candidates(target) {
            let Some((program, own)) = candidate.split_first() else {
                continue;
            };
            let mut command: Vec<String> = candidate.clone();
            command.extend(["-E", "-dD"].map(String::from));
            command.extend(flags.iter().cloned());
            command.extend(["-x", "c", "-"].map(String::from));
            let child = Command::new(program)
                .args(own)
                .args(&command[candidate.len()..])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn();
            let mut child = match child {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    tried.push(program.clone());
                    continue;
                }
                Err(e) => return Err(error(format!("cannot run {program}: {e}"))),
            };
            // Written before reading: the source is a few lines, well under a pipe's buffer.
            if let Some(mut stdin) = child.stdin.take() {
                stdin
                    .write_all(source.as_bytes())
                    .map_err(|e| error(format!("cannot write to {program}: {e}")))?;
            }
            let out = child
                .wait_with_output()
                .map_err(|e| error(format!("{program} failed: {e}")))?;
            if !out.status.success() {
                return Err(error(format!(
                    "{} failed:\n{}",
                    command.join(" "),
                    String::from_utf8_lossy(&out.stderr).trim_end()
                )));
            }
            let text = String::from_utf8(out.stdout)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            if let Some(dir) = &cache {
                crate::header_cache::store(dir, key, &command, &text);
            }
            return Ok(PreprocessedHeaders {
                text,
                command,
                time: start.elapsed(),
                cached: false,
            });
        }
        Err(error(format!(
            "no C preprocessor found: tried {} (set $CC, or install gcc or clang)",
            tried.join(", ")
        )))
    }

    /// The compilers to try, in order.
    fn candidates(&self, target: &Target) -> Vec<Vec<String>> {
        if let Some(c) = &self.compiler {
            return vec![c.clone()];
        }
        let mut out = Vec::new();
        if let Ok(cc) = std::env::var("CC") {
            let words: Vec<String> = cc.split_whitespace().map(String::from).collect();
            if !words.is_empty() {
                out.push(words);
            }
        }
        let words = |ws: &[&str]| ws.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        if target.arch == Target::host().arch {
            out.extend([words(&["cc"]), words(&["gcc"]), words(&["clang"])]);
        } else {
            match target.arch {
                Arch::AArch64 => out.extend([
                    words(&["aarch64-linux-gnu-gcc"]),
                    words(&["clang", "--target=aarch64-linux-gnu"]),
                ]),
                Arch::X86_64 => out.extend([
                    words(&["x86_64-linux-gnu-gcc"]),
                    words(&["clang", "--target=x86_64-linux-gnu"]),
                ]),
            }
        }
        out
    }
}

fn error(message: impl Into<String>) -> CdefError {
    CdefError::new(ErrorKind::Preprocessor, message)
}

/// `pkg-config --cflags` of `packages`, split into flags.
fn pkg_config_flags(packages: &[String]) -> Result<Vec<String>, CdefError> {
    let out = Command::new("pkg-config")
        .arg("--cflags")
        .args(packages)
        .output()
        .map_err(|e| {
            error(format!(
                "cannot run pkg-config for {}: {e}",
                packages.join(" ")
            ))
        })?;
    if !out.status.success() {
        return Err(error(format!(
            "pkg-config --cflags {} failed:\n{}",
            packages.join(" "),
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(String::from)
        .collect())
}

impl Headers {
    /// Runs the preprocessor for `target` and hands its output to `cdef` (a registry's, or an
    /// `ffi` object's), timing both halves.
    ///
    /// # Errors
    ///
    /// The preprocessing error (as [`Headers::preprocess`]), or the first error `declare`
    /// returns for the preprocessed text.
    pub fn import<E: From<CdefError>>(
        &self,
        target: &Target,
        cdef: impl FnOnce(&str, &CdefOptions) -> Result<CdefReport, E>,
    ) -> Result<HeaderReport, E> {
        let pre = self.preprocess(target)?;
        let start = Instant::now();
        let report = cdef(&pre.text, &self.options)?;
        Ok(HeaderReport {
            preprocessor: pre.command,
            preprocess_time: pre.time,
            text_bytes: pre.text.len(),
            cdef_time: start.elapsed(),
            cached: pre.cached,
            cdef: report,
        })
    }
}

impl Registry {
    /// Declares what installed headers declare, macros included (see [`Headers`]): the
    /// preprocessor's output, `cdef`'d whole. A failure of either changes nothing.
    ///
    /// # Errors
    ///
    /// As [`Headers::preprocess`], and a [`CdefError`] for what the preprocessed text declares
    /// wrongly; on error nothing is declared.
    pub fn include_headers(&mut self, headers: &Headers) -> Result<HeaderReport, CdefError> {
        let target = self.target.clone();
        headers.import(&target, |text, options| self.cdef_with(text, options))
    }
}

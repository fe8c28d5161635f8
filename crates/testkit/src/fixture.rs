//! Shared libraries built with gcc for the call tests: the hand-written fixture
//! (`fixture/fixture.c`) and generated sources (see [`crate::callgen`]).
//!
//! Each library is compiled once per content: its file name carries a hash of the source,
//! flags and compiler, so test processes running at once share it, and a changed source is
//! rebuilt. `RCFFI_CC` names another compiler (`aarch64-linux-gnu-gcc` for the AArch64 run
//! under qemu, `scripts/test-aarch64.sh`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

/// The fixture's C source.
pub const FIXTURE_C: &str = include_str!("../fixture/fixture.c");

/// The fixture's declarations, for `ffi.cdef`.
pub const FIXTURE_CDEF: &str = include_str!("../fixture/fixture.cdef");

/// The fixture library, built on first use.
///
/// ```no_run
/// let path = rcffi_testkit::fixture::fixture_library();
/// assert!(path.exists());
/// ```
pub fn fixture_library() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        build_shared("fixture", FIXTURE_C, &["-O1", "-pthread"])
            .unwrap_or_else(|e| panic!("cannot build the fixture library: {e:#}"))
    })
}

/// Where built libraries go: `target/rcffi-fixtures` (next to the test executables).
fn out_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("."));
    // target/<profile>/deps/<test> -> target/rcffi-fixtures
    let mut dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    while let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
        if name == "target" {
            break;
        }
        if !dir.pop() {
            break;
        }
    }
    if dir.file_name().and_then(|n| n.to_str()) != Some("target") {
        dir = std::env::temp_dir();
    }
    dir.join("rcffi-fixtures")
}

/// A fresh `ffi` object with [`FIXTURE_CDEF`] declared, and the fixture library opened with
/// it: where the call and callback tests start.
///
/// ```no_run
/// let (ffi, lib) = rcffi_testkit::fixture::open_fixture()?;
/// // SAFETY: the fixture's add is `int add(int, int)`.
/// assert_eq!(unsafe { lib.call("add", (2, 3))? }, 5.into());
/// # let _ = ffi;
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn open_fixture() -> Result<(rcffi::Ffi, rcffi::Lib)> {
    let ffi = rcffi::Ffi::default();
    ffi.cdef(FIXTURE_CDEF).context("the fixture's cdef")?;
    let path = fixture_library();
    let path = path
        .to_str()
        .context("the fixture library's path is not UTF-8")?;
    // SAFETY: the fixture library is built from fixture.c, which FIXTURE_CDEF declares.
    let lib = unsafe { ffi.dlopen(path) }.context("opening the fixture library")?;
    Ok((ffi, lib))
}

/// Compiles `source` into a shared library named after `stem` and the source's hash, unless
/// it exists already; returns its path.
pub fn build_shared(stem: &str, source: &str, flags: &[&str]) -> Result<PathBuf> {
    let cc = std::env::var("RCFFI_CC").unwrap_or_else(|_| "gcc".into());
    let hash = fnv1a(format!("{source}\0{flags:?}\0{cc}\0-lm").as_bytes());
    let dir = out_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let lib = dir.join(format!("lib{stem}-{hash:016x}.so"));
    if lib.exists() {
        return Ok(lib);
    }
    // Names of this build's own: the process and a count of builds in it, since two tests
    // of one process may build the same library at once (with the process's id alone, one
    // removed the source the other's gcc was reading).
    static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let pid = std::process::id();
    let k = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let src = dir.join(format!("{stem}-{hash:016x}-{pid}-{k}.c"));
    let tmp = dir.join(format!("lib{stem}-{hash:016x}-{pid}-{k}.so.tmp"));
    std::fs::write(&src, source)?;
    let cc = std::env::var("RCFFI_CC").unwrap_or_else(|_| "gcc".into());
    let out = Command::new(&cc)
        .args(["-shared", "-fPIC", "-w"])
        .args(flags)
        .arg("-o")
        .arg(&tmp)
        .arg(&src)
        // After the source, so that a library calling libm loads it itself (`cabsl` in a
        // probe run alone: no other test had loaded libm).
        .arg("-lm")
        .output()
        .with_context(|| format!("running {cc} (install gcc, or set RCFFI_CC)"))?;
    let _ = std::fs::remove_file(&src);
    if !out.status.success() {
        bail!(
            "gcc failed on {stem}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Renamed into place: another build of the same library at once is harmless.
    std::fs::rename(&tmp, &lib)?;
    Ok(lib)
}

/// FNV-1a: a stable hash for file names.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Runs the test `name` (its full path in the test binary) again in a child process of this
/// test binary, with `env` set, for a test whose outcome is the process ending (an abort, a
/// stack overflow): the child sees `env` and does the deed; the parent checks how it ended.
/// `None` when the test binary cannot start itself again (under qemu-user).
pub fn rerun_self(name: &str, env: &str) -> Option<std::process::Output> {
    let out = Command::new(std::env::current_exe().ok()?)
        .args(["--exact", name, "--nocapture"])
        .env(env, "1")
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .contains("running 1 test")
        .then_some(out)
}

#[cfg(test)]
mod tests {
    /// Threads of one process building the same library at once each get it (their temporary
    /// files are their own).
    #[test]
    fn one_library_built_by_many_threads_at_once() {
        // A source of this run's own, so that no earlier run built it already.
        let nonce = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let source = format!("int race_{nonce}(void) {{ return 7; }}\n");
        let paths: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| s.spawn(|| super::build_shared("race", &source, &[])))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for p in &paths {
            let p = p.as_ref().expect("each thread's build");
            assert!(p.exists(), "{}", p.display());
        }
    }
}

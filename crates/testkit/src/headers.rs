//! Real system headers, preprocessed with the target's `gcc -E`, as cdef input.

use std::io::Write as _;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::oracle::Compiler;

/// The headers the oracle checks: the ones the cdef issue names first, then more of libc and
/// POSIX. `zlib.h` and `sqlite3.h` come from `zlib1g-dev` and `libsqlite3-dev`.
pub const HEADERS: &[&str] = &[
    "stdio.h",
    "stdlib.h",
    "string.h",
    "time.h",
    "dirent.h",
    "pthread.h",
    "sys/socket.h",
    "sys/stat.h",
    "signal.h",
    "zlib.h",
    "sqlite3.h",
    "math.h",
    "unistd.h",
    "fcntl.h",
    "netinet/in.h",
    "arpa/inet.h",
    "netdb.h",
    "wchar.h",
    "wctype.h",
    "locale.h",
    "setjmp.h",
    "errno.h",
    "poll.h",
    "sys/time.h",
    "sys/resource.h",
    "termios.h",
    "pwd.h",
    "grp.h",
    "sys/uio.h",
    "sys/mman.h",
    "sys/epoll.h",
    "sys/wait.h",
    "dlfcn.h",
    "sys/utsname.h",
    "glob.h",
    "regex.h",
    "iconv.h",
    "semaphore.h",
    "sched.h",
    "complex.h",
    "inttypes.h",
    "fenv.h",
    "search.h",
    "sys/select.h",
    "sys/ioctl.h",
    "sys/statvfs.h",
    "ftw.h",
    "fnmatch.h",
    "utime.h",
    "syslog.h",
    "ifaddrs.h",
    "net/if.h",
    "sys/un.h",
    "stdint.h",
    "stddef.h",
    "stdarg.h",
    "stdbool.h",
    "limits.h",
    "assert.h",
    "ctype.h",
    "langinfo.h",
    "spawn.h",
    "sys/types.h",
    "sys/times.h",
    "sys/sysinfo.h",
    "sys/inotify.h",
    "sys/eventfd.h",
    "sys/timerfd.h",
    "sys/signalfd.h",
    "sys/random.h",
    "sys/prctl.h",
    "sys/xattr.h",
    "mntent.h",
    "shadow.h",
    "utmp.h",
    "aio.h",
    "mqueue.h",
    "wordexp.h",
    "monetary.h",
    "nl_types.h",
    "libgen.h",
    "threads.h",
    "uchar.h",
    "stdio_ext.h",
    "malloc.h",
    "err.h",
    "getopt.h",
];

/// The text of `#include`s of `headers`, preprocessed by `cc` with `defines`.
pub fn preprocess(cc: &Compiler, headers: &[&str], defines: &[&str]) -> Result<String> {
    let mut source = String::new();
    for d in defines {
        source.push_str(&format!("#define {d}\n"));
    }
    for h in headers {
        source.push_str(&format!("#include <{h}>\n"));
    }
    run_preprocessor(cc, &["-E"], &source)
}

/// The output of `cc ARGS -std=gnu11 -x c -` with `source` on its standard input.
pub fn run_preprocessor(cc: &Compiler, args: &[&str], source: &str) -> Result<String> {
    let mut child = Command::new(&cc.command)
        .args(args)
        .args(["-std=gnu11", "-x", "c", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {} {}", cc.command, args.join(" ")))?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(source.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "{} {} failed: {}",
            cc.command,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The headers an opt-in run names (`RCFFI_ORACLE_HEADERS`, `RCFFI_ORACLE_IMPORTS`): a list
/// separated by spaces, or `all`: every `.h` under `root` (`/usr/include`), sorted.
pub fn named_or_installed(list: &str, root: &std::path::Path) -> Vec<String> {
    if list.trim() != "all" {
        return list.split_whitespace().map(str::to_string).collect();
    }
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "h")
                && let Ok(rel) = path.strip_prefix(root)
            {
                found.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    found
}

/// Whether `cc` compiles `#include <header>` alone, after `#define`s of `defines` (headers
/// that need another one first, or are C++'s, do not).
pub fn compiles_alone(cc: &Compiler, header: &str, defines: &[&str]) -> bool {
    let mut source = String::new();
    for d in defines {
        source.push_str(&format!("#define {d}\n"));
    }
    source.push_str(&format!("#include <{header}>\n"));
    run_preprocessor(cc, &["-fsyntax-only"], &source).is_ok()
}

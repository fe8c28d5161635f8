//! Installed headers as the source of declarations and macros: the `gcc -E` text of a header
//! and its `gcc -dM -E` macro list, given to `cdef` as they are, make a library usable by the
//! names its documentation uses — constants, strings and the function-like macros that call
//! functions (`deflateInit` calls `deflateInit_` with the version and the struct's size).
//! Skipped when gcc or the header is missing.

use std::io::Write as _;
use std::process::{Command, Stdio};

use rcffi::{Error, ErrorKind, Ffi, Headers, Value};

/// `gcc FLAGS -x c -` of `#include <header>`, or `None` when gcc or the header is missing.
fn gcc(flags: &[&str], header: &str) -> Option<String> {
    let mut child = Command::new("gcc")
        .args(flags)
        .args(["-x", "c", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()?
        .write_all(format!("#include <{header}>\n").as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `header` can be preprocessed here.
fn have(header: &str) -> bool {
    let ok = gcc(&["-E"], header).is_some();
    if !ok {
        eprintln!("gcc or {header} is not installed: skipped");
    }
    ok
}

#[test]
fn pasted_preprocessor_text_works_as_well() {
    // `gcc -E` and `gcc -dM -E` text, given to cdef by hand: the same as include_headers.
    let (Some(decls), Some(macros)) = (gcc(&["-E"], "zlib.h"), gcc(&["-dM", "-E"], "zlib.h"))
    else {
        return;
    };
    let ffi = Ffi::default();
    ffi.cdef(&decls).unwrap();
    ffi.cdef(&macros).unwrap();
    // SAFETY: the declarations are zlib's own.
    let z = unsafe { ffi.dlopen("z") }.unwrap();
    assert_eq!(z.get("Z_BEST_COMPRESSION").unwrap(), Value::Int(9));
}

#[test]
fn zlib_through_its_header_and_macros() {
    if !have("zlib.h") {
        return;
    }
    let ffi = Ffi::default();
    let report = ffi.include_headers(&Headers::new(["zlib.h"])).unwrap();
    assert!(report.text_bytes > 10_000 && report.cdef.declared.len() > 100);
    let report = report.cdef;
    // Every skipped macro is named with its header (or the compiler's built-ins) and a reason.
    for m in &report.skipped_macros {
        let file = &*m.location.file;
        assert!(
            !m.reason.is_empty()
                && (file.ends_with(".h") || file == "<built-in>" || file == "<command-line>"),
            "{m:?}"
        );
    }
    assert!(
        report
            .skipped_macros
            .iter()
            .any(|m| m.location.file.ends_with("zlib.h") && m.location.line > 0),
        "zlib.h's own skipped macros carry their lines"
    );
    // Skipped inline definitions are named with their header and line too.
    for d in &report.skipped_definitions {
        assert!(
            d.location.file.ends_with(".h") && d.location.line > 0,
            "{d:?}"
        );
    }
    // SAFETY: the declarations are zlib's own.
    let z = unsafe { ffi.dlopen("z") }.unwrap();
    assert_eq!(z.get("Z_BEST_COMPRESSION").unwrap(), Value::Int(9));
    assert_eq!(z.get("Z_NULL").unwrap(), Value::Int(0));
    // SAFETY: zlibVersion takes nothing and returns a C string.
    let version = unsafe { z.call("zlibVersion", ()) }.unwrap();
    // SAFETY: zlibVersion returns a NUL-terminated static string.
    let version = unsafe { ffi.string_unchecked(version.as_cdata().unwrap(), None) };
    // The library's version starts as the header's ZLIB_VERSION does (same major.minor).
    let header = z.get("ZLIB_VERSION").unwrap();
    let (Value::Bytes(h), Ok(Value::Bytes(l))) = (&header, &version) else {
        panic!("{header:?} {version:?}")
    };
    assert_eq!(
        h.split(|b| *b == b'.').take(2).collect::<Vec<_>>(),
        l.split(|b| *b == b'.').take(2).collect::<Vec<_>>()
    );
    // deflateInit is a macro: deflateInit_(strm, level, ZLIB_VERSION, (int)sizeof(z_stream)).
    let strm = ffi.new("z_stream *", ()).unwrap();
    // SAFETY: a zeroed z_stream is what deflateInit expects; deflateEnd frees what it made.
    let rc = unsafe { z.call("deflateInit", (&strm, 6)) }.unwrap();
    assert_eq!(rc, z.get("Z_OK").unwrap());
    assert_ne!(
        strm.field("state").unwrap().as_cdata().unwrap().address(),
        0
    );
    // SAFETY: as above.
    let end = unsafe { z.call("deflateEnd", (&strm,)) }.unwrap();
    assert_eq!(end, Value::Int(0));
    // A macro that is not a function says so.
    // SAFETY: nothing is called: the name is refused.
    let err = unsafe { z.call("zlib_version", (1,)) }.unwrap_err();
    assert!(err.to_string().contains("zlib_version"), "{err}");
}

#[test]
fn opaque_structs_get_the_compilers_size() {
    // Caller-allocated structs that cffi users size by hand: with the header, `new` just works.
    if !have("regex.h") {
        return;
    }
    let ffi = Ffi::default();
    ffi.include_headers(&Headers::new(["regex.h", "pthread.h"]))
        .unwrap();
    // SAFETY: libc's regcomp/regexec/regfree match their header.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    let re = ffi.new("regex_t *", ()).unwrap();
    let flags = libc.get("REG_EXTENDED").unwrap();
    // SAFETY: re is a regex_t, the pattern a C string.
    let rc = unsafe { libc.call("regcomp", (&re, "^a+b$", flags)) }.unwrap();
    assert_eq!(rc, Value::Int(0));
    let exec = |s: &str| {
        // SAFETY: re is compiled; a NULL match array with 0 matches.
        unsafe { libc.call("regexec", (&re, s, 0usize, None::<&rcffi::CData>, 0)) }.unwrap()
    };
    let (hit, miss) = (exec("aaab"), exec("abab"));
    assert_eq!(hit, Value::Int(0));
    assert_eq!(miss, libc.get("REG_NOMATCH").unwrap());
    // SAFETY: re was compiled above.
    unsafe { libc.call("regfree", (&re,)) }.unwrap();
    let m = ffi.new("pthread_mutex_t *", ()).unwrap();
    assert_eq!(
        ffi.sizeof(&m.get(0).unwrap().as_cdata().unwrap().clone())
            .unwrap(),
        ffi.sizeof("pthread_mutex_t").unwrap()
    );
    assert!(ffi.sizeof("pthread_mutex_t").unwrap() >= 24);
}

#[test]
fn preprocessor_problems_are_clear_errors() {
    let ffi = Ffi::default();
    let missing = ffi
        .include_headers(&Headers::new(["no/such/header.h"]))
        .unwrap_err();
    let Error::CDef(e) = &missing else {
        panic!("{missing}")
    };
    assert_eq!(e.kind(), ErrorKind::Preprocessor);
    assert!(
        missing.to_string().contains("no/such/header.h"),
        "{missing}"
    );
    let none = ffi
        .include_headers(&Headers::new(["stdio.h"]).compiler(["no-such-compiler-rcffi"]))
        .unwrap_err()
        .to_string();
    assert!(none.contains("no-such-compiler-rcffi"), "{none}");
    let pkg = ffi
        .include_headers(&Headers::new(["stdio.h"]).pkg_config("no-such-package-rcffi"))
        .unwrap_err()
        .to_string();
    assert!(pkg.contains("no-such-package-rcffi"), "{pkg}");
    let injected = ffi
        .include_headers(&Headers::new(["stdio.h>\n#pragma evil"]))
        .unwrap_err()
        .to_string();
    assert!(injected.contains("is not a header name"), "{injected}");
    // Nothing was declared by the failures.
    assert_eq!(ffi.registry().decls().count(), 0);
}

#[test]
fn cross_target_headers_with_the_cross_compiler() {
    let target = rcffi::Target::aarch64_linux();
    let ffi = Ffi::with_target(target);
    match ffi.include_headers(&Headers::new(["stdlib.h", "limits.h"])) {
        Ok(_) => {
            assert_eq!(ffi.sizeof("long double").unwrap(), 16);
            assert_eq!(ffi.integer_const("LONG_MAX").unwrap(), i128::from(i64::MAX));
        }
        Err(e) => {
            // Without aarch64-linux-gnu-gcc (or a clang with the target's headers).
            eprintln!("no cross preprocessor: {e}");
        }
    }
}

#[test]
fn wide_characters_stay_characters_through_headers() {
    if !have("uchar.h") {
        return;
    }
    let ffi = Ffi::default();
    ffi.include_headers(&Headers::new(["stdlib.h", "wchar.h", "uchar.h"]))
        .unwrap();
    let w = ffi.new("wchar_t[]", "h\u{e9}llo").unwrap();
    assert_eq!(
        ffi.string(&w, None).unwrap(),
        Value::Text("h\u{e9}llo".into())
    );
    let u = ffi.new("char16_t[]", "\u{1f600}").unwrap();
    assert_eq!(u.len().unwrap(), 3); // a surrogate pair and the NUL
    // SAFETY: the declarations are libc's own.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    // SAFETY: wcslen reads a NUL-terminated wide string.
    let n = unsafe { libc.call("wcslen", (&w,)) }.unwrap();
    assert_eq!(n, Value::Int(5));
}

#[test]
fn the_preprocessed_text_is_cached_until_a_header_changes() {
    if !have("stddef.h") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("rcffi-header-cache-{}", std::process::id()));
    let include = dir.join("include");
    std::fs::create_dir_all(&include).unwrap();
    let header = include.join("answer.h");
    std::fs::write(&header, "#define ANSWER 41\nstruct pair { int a, b; };\n").unwrap();
    let spec = || {
        Headers::new(["answer.h"])
            .flag(format!("-I{}", include.display()))
            .cache_dir(dir.join("cache"))
    };
    let first = Ffi::default().include_headers(&spec()).unwrap();
    assert!(!first.cached);
    let ffi = Ffi::default();
    let second = ffi.include_headers(&spec()).unwrap();
    assert!(second.cached, "the same headers, unchanged: from the cache");
    assert_eq!(second.text_bytes, first.text_bytes);
    assert_eq!(ffi.integer_const("ANSWER").unwrap(), 41);
    // A changed header (another size) is preprocessed again.
    std::fs::write(
        &header,
        "#define ANSWER 42\nstruct pair { int a, b, c; };\n",
    )
    .unwrap();
    let ffi = Ffi::default();
    let third = ffi.include_headers(&spec()).unwrap();
    assert!(!third.cached);
    assert_eq!(ffi.integer_const("ANSWER").unwrap(), 42);
    assert_eq!(ffi.sizeof("struct pair").unwrap(), 12);
    // Turned off, it neither reads nor writes.
    let off = Ffi::default()
        .include_headers(&spec().cache(false))
        .unwrap();
    assert!(!off.cached);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn vector_types_have_gcc_layouts_and_refuse_by_value_use() {
    let ffi = Ffi::default();
    ffi.cdef(
        "typedef float v4sf __attribute__((vector_size(16)));
         struct holder { char c; v4sf v; };
         v4sf add(v4sf a, v4sf b);",
    )
    .unwrap();
    assert_eq!(ffi.sizeof("v4sf").unwrap(), 16);
    assert_eq!(ffi.offsetof("struct holder", "v").unwrap(), 16);
    let p = ffi.new("v4sf *", ()).unwrap();
    assert_eq!(p.address() % 16, 0);
    let read = p.get(0).unwrap_err().to_string();
    assert!(read.contains("vector_size(16)"), "{read}");
    // A function taking vectors by value is refused before anything is called.
    let f = ffi.cast("v4sf(*)(v4sf, v4sf)", 0x1000).unwrap();
    // SAFETY: the call is refused before the jump (the address is never called).
    let err = unsafe { f.call((&p, &p)) }.unwrap_err().to_string();
    assert!(
        err.contains("vector types are not passed by value yet"),
        "{err}"
    );
}

/// Each name a header import declares comes with its header file and line: the line of that
/// file names it (the file is the judge), and zlib's functions are zlib.h's, not zconf.h's or
/// libc's.
#[test]
fn declarations_know_their_header_and_line() {
    if !have("zlib.h") {
        return;
    }
    let ffi = Ffi::default();
    let report = ffi.include_headers(&Headers::new(["zlib.h"])).unwrap().cdef;
    assert_eq!(report.declared.len(), report.declared_at.len());
    let mut checked = 0;
    for (name, at) in report.declared.iter().zip(&report.declared_at) {
        let Ok(text) = std::fs::read_to_string(&*at.file) else {
            continue; // `<built-in>`, `<command-line>`
        };
        let line = text.lines().nth(at.line as usize - 1).unwrap_or("");
        let previous = text
            .lines()
            .nth((at.line as usize).saturating_sub(2))
            .unwrap_or("");
        // A declaration may put its name on the line after its type.
        assert!(
            line.contains(&**name) || previous.contains(&**name),
            "{name} at {}:{}: {line:?}",
            at.file,
            at.line
        );
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
    let place =
        |n: &str| &report.declared_at[report.declared.iter().position(|d| &**d == n).unwrap()];
    assert!(place("deflate").file.ends_with("/zlib.h"));
    assert!(place("uLong").file.ends_with("/zconf.h"));
}

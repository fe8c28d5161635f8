//! Installed headers as the source of declarations and macros: the `gcc -E` text of a header
//! and its `gcc -dM -E` macro list, given to `cdef` as they are, make a library usable by the
//! names its documentation uses — constants, strings and the function-like macros that call
//! functions (`deflateInit` calls `deflateInit_` with the version and the struct's size).
//! Skipped when gcc or the header is missing.

use std::io::Write as _;
use std::process::{Command, Stdio};

use rcffi::{Ffi, Value};

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

#[test]
fn zlib_through_its_header_and_macros() {
    let (Some(decls), Some(macros)) = (gcc(&["-E"], "zlib.h"), gcc(&["-dM", "-E"], "zlib.h"))
    else {
        eprintln!("gcc or zlib.h is not installed: skipped");
        return;
    };
    let ffi = Ffi::default();
    ffi.cdef(&decls).unwrap();
    let report = ffi.cdef(&macros).unwrap();
    assert!(
        report
            .skipped_macros
            .iter()
            .all(|m| !m.reason.is_empty() && m.location.line > 0),
        "every skipped macro has a place and a reason"
    );
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

//! The seed article's program: a small C library with `DataPoint add_data(const DataPoint *,
//! unsigned)`, compiled with the system's C compiler, loaded and called from pasted
//! declarations.
//!
//! `cargo run -p rcffi-examples --bin datapoint` (needs `cc` or `gcc`).

use std::process::Command;

use anyhow::{Context, Result, ensure};
use rcffi::{Ffi, list};

const C_SOURCE: &str = r#"
typedef struct { double x, y; } DataPoint;
DataPoint add_data(const DataPoint *data, unsigned n) {
    DataPoint r = { 0, 0 };
    for (unsigned i = 0; i < n; i++) { r.x += data[i].x; r.y += data[i].y; }
    return r;
}
"#;

/// What a user pastes: the library's declarations.
const CDEF: &str = r#"
    typedef struct { double x, y; } DataPoint;
    DataPoint add_data(const DataPoint *data, unsigned n);
"#;

fn main() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("rcffi-datapoint-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (src, lib_path) = (dir.join("datapoint.c"), dir.join("libdatapoint.so"));
    std::fs::write(&src, C_SOURCE)?;
    let compile = |cc: &str| {
        Command::new(cc)
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&lib_path)
            .arg(&src)
            .status()
    };
    let status = compile("cc")
        .or_else(|_| compile("gcc"))
        .context("running cc (or gcc)")?;
    ensure!(status.success(), "cc failed");
    println!("built {}", lib_path.display());

    let ffi = Ffi::default();
    ffi.cdef(CDEF)?;
    // SAFETY: the library was just built from C_SOURCE, which CDEF declares.
    let lib = unsafe { ffi.dlopen(lib_path.to_str().context("utf-8 path")?)? };
    let add_data = lib.function("add_data")?;
    let points = ffi.new(
        "DataPoint[]",
        list![list![1.0, 2.0], list![3.5, -1.0], list![0.25, 4.0]],
    )?;
    // SAFETY: add_data reads `n` points of the array.
    let sum = unsafe { add_data.call((&points, points.len()? as u32))? }.cdata()?;
    println!(
        "add_data of {} points = {{x: {}, y: {}}}  ({sum:?})",
        points.len()?,
        sum.field("x")?,
        sum.field("y")?
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

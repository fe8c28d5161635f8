//! The messages of refused typed handles, callbacks and views, as golden text
//! (`mismatches.golden`; `RCFFI_BLESS=1` rewrites it after a deliberate change).

use std::ffi::{c_int, c_long, c_void};
use std::fmt::Write;

use rcffi::NativeType;

use super::fixture;
use super::structs::Pt;

#[derive(NativeType, Clone, Copy)]
#[repr(C)]
#[rcffi(c = "struct pt")]
struct PtLong {
    x: c_long,
    y: c_int,
}

#[derive(NativeType, Clone, Copy)]
#[repr(C)]
#[rcffi(c = "struct ops")]
struct OpsNoNull {
    op: unsafe extern "C" fn(c_int, c_int) -> c_int,
    k: c_int,
}

/// The error of loading `$name` as `$t`, after a line saying what was asked.
macro_rules! refused {
    ($out:expr, $lib:expr, $name:literal as $t:ty) => {{
        let e = match $lib.typed::<$t>($name) {
            Ok(_) => panic!("{} as {} was accepted", $name, stringify!($t)),
            Err(e) => e,
        };
        writeln!(
            $out,
            "== lib.typed::<{}>({:?})\n{e}\n",
            stringify!($t),
            $name
        )
        .unwrap();
    }};
}

#[test]
fn mismatch_messages_are_golden() {
    let (ffi, lib) = fixture();
    let mut out = String::new();
    refused!(out, lib, "add" as unsafe extern "C" fn(u32, c_int) -> c_int);
    refused!(out, lib, "add" as unsafe extern "C" fn(c_int) -> c_int);
    refused!(out, lib, "add" as unsafe extern "C" fn(i64, f64) -> ());
    refused!(out, lib, "addd" as unsafe extern "C" fn(f32, f32) -> f32);
    refused!(out, lib, "id_bool" as unsafe extern "C" fn(u8) -> u8);
    refused!(out, lib, "id_uchar" as unsafe extern "C" fn(i8) -> i8);
    refused!(
        out,
        lib,
        "id_ptr" as unsafe extern "C" fn(usize) -> *mut c_void
    );
    refused!(
        out,
        lib,
        "fill" as unsafe extern "C" fn(*mut i64, c_int, c_int)
    );
    refused!(
        out,
        lib,
        "fill" as unsafe extern "C" fn(*mut c_int, c_int, c_int) -> c_int
    );
    refused!(
        out,
        lib,
        "fx_strlen" as unsafe extern "C" fn(*const [u8; 4]) -> usize
    );
    refused!(out, lib, "mid" as unsafe extern "C" fn(PtLong, Pt) -> Pt);
    refused!(out, lib, "mid" as unsafe extern "C" fn(*const Pt, Pt) -> Pt);
    refused!(
        out,
        lib,
        "apply" as unsafe extern "C" fn(extern "C" fn(c_int) -> c_int, c_int, c_int) -> c_int
    );
    refused!(
        out,
        lib,
        "get_op" as unsafe extern "C" fn(c_int) -> unsafe extern "C" fn(c_int, c_int) -> c_int
    );
    refused!(
        out,
        lib,
        "apply_ops" as unsafe extern "C" fn(*const OpsNoNull, c_int) -> c_int
    );
    refused!(out, lib, "vsum" as unsafe extern "C" fn(c_int) -> c_int);
    refused!(out, lib, "twice_ld" as unsafe extern "C" fn(f64) -> f64);
    refused!(out, lib, "counter" as unsafe extern "C" fn() -> c_int);
    let e = ffi
        .typed_callback::<extern "C" fn(c_int, c_int) -> c_int, _>(
            "int(*)(int)",
            |a: c_int, _b: c_int| a,
        )
        .unwrap_err();
    writeln!(
        out,
        "== ffi.typed_callback::<extern \"C\" fn(c_int, c_int) -> c_int>(\"int(*)(int)\")\n{e}\n"
    )
    .unwrap();
    let p = ffi.new("struct pt *", ()).unwrap();
    let e = p.view::<PtLong>().unwrap_err();
    writeln!(out, "== p.view::<PtLong>() of 'struct pt *'\n{e}\n").unwrap();
    let golden =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/typed/mismatches.golden");
    if std::env::var_os("RCFFI_BLESS").is_some() {
        std::fs::write(&golden, &out).unwrap();
    }
    let want = std::fs::read_to_string(&golden)
        .expect("tests/typed/mismatches.golden (RCFFI_BLESS=1 writes it)");
    assert_eq!(
        out, want,
        "the messages changed; if on purpose, run with RCFFI_BLESS=1"
    );
}

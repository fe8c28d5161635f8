//! Typed calls: zlib and libc at native speed. The declarations come from the installed
//! headers; the Rust types are written once, as a `#[derive(Bindings)]` struct and a
//! `#[derive(NativeType)]` struct, and rcffi checks each against the header's declaration
//! before the first call. After that, a call is a call through a function pointer.
//!
//! `cargo run -p rcffi-examples --bin typed [TEXT]`

use std::ffi::{CStr, c_char, c_int, c_uint, c_ulong, c_void};

use anyhow::{Result, ensure};
use rcffi::{Bindings, Ffi, Headers, NativeType, TypedFn};

/// The zlib functions this program uses, each checked against zlib.h by `Zlib::load`.
#[derive(Bindings)]
struct Zlib {
    #[rcffi(name = "zlibVersion")]
    version: TypedFn<unsafe extern "C" fn() -> *const c_char>,
    crc32: TypedFn<unsafe extern "C" fn(c_ulong, *const u8, c_uint) -> c_ulong>,
    #[rcffi(name = "compressBound")]
    compress_bound: TypedFn<unsafe extern "C" fn(c_ulong) -> c_ulong>,
    compress2:
        TypedFn<unsafe extern "C" fn(*mut u8, *mut c_ulong, *const u8, c_ulong, c_int) -> c_int>,
    uncompress: TypedFn<unsafe extern "C" fn(*mut u8, *mut c_ulong, *const u8, c_ulong) -> c_int>,
}

/// libc's `div_t`, passed back by value.
#[derive(NativeType, Clone, Copy, Debug)]
#[repr(C)]
#[rcffi(c = "div_t")]
struct DivT {
    quot: c_int,
    rem: c_int,
}

fn main() -> Result<()> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "typed calls are plain calls. ".repeat(40));
    let ffi = Ffi::default();
    ffi.include_headers(&Headers::new(["stdlib.h", "zlib.h"]))?;
    // SAFETY: libz and libc, declared as their headers declare them.
    let (z, libc) = unsafe { (ffi.dlopen("z")?, ffi.dlopen("c")?) };
    let zlib = Zlib::load(&z)?;
    let z_ok = z.get("Z_OK")?.to_int()?;

    // SAFETY: in every call below, zlib's functions with buffers of the sizes they are told.
    unsafe {
        println!("zlib {}", CStr::from_ptr(zlib.version()).to_string_lossy());
        let source = text.as_bytes();
        let crc = zlib.crc32(0, source.as_ptr(), source.len() as c_uint);
        println!("crc32: {crc:08x}");
        let mut packed = vec![0u8; zlib.compress_bound(source.len() as c_ulong) as usize];
        let mut packed_len = packed.len() as c_ulong;
        let rc = zlib.compress2(
            packed.as_mut_ptr(),
            &mut packed_len,
            source.as_ptr(),
            source.len() as c_ulong,
            9,
        );
        ensure!(i128::from(rc) == z_ok, "compress2 returned {rc}");
        println!("compress2: {} bytes -> {packed_len} bytes", source.len());
        let mut back = vec![0u8; source.len()];
        let mut back_len = back.len() as c_ulong;
        let rc = zlib.uncompress(
            back.as_mut_ptr(),
            &mut back_len,
            packed.as_ptr(),
            packed_len,
        );
        ensure!(
            i128::from(rc) == z_ok && back == source,
            "uncompress returned {rc}"
        );
        println!("uncompress: round trip ok");
    }

    // A struct by value, and a typed callback for qsort.
    let div = libc.typed::<unsafe extern "C" fn(c_int, c_int) -> DivT>("div")?;
    // SAFETY: div takes two ints (the divisor is not 0).
    let d = unsafe { div(47, 5) };
    println!("div(47, 5) = {{ quot: {}, rem: {} }}", d.quot, d.rem);
    type Cmp = extern "C" fn(*const c_void, *const c_void) -> c_int;
    let by_len =
        ffi.typed_callback::<Cmp, _>("__compar_fn_t", |a: *const c_void, b: *const c_void| {
            // SAFETY: qsort passes pointers to two items of the array: `&str`s.
            let (a, b) = unsafe { (*a.cast::<&str>(), *b.cast::<&str>()) };
            a.len().cmp(&b.len()).then(a.cmp(b)) as c_int
        })?;
    let qsort = libc.typed::<unsafe extern "C" fn(*mut c_void, usize, usize, Cmp)>("qsort")?;
    let mut words: Vec<&str> = text.split_whitespace().take(5).collect();
    words.extend(["a", "zebra", "of"]);
    // SAFETY: the vector's items, each size_of::<&str>() bytes, sorted with the comparator.
    unsafe {
        qsort(
            words.as_mut_ptr().cast(),
            words.len(),
            size_of::<&str>(),
            by_len.get(),
        )
    };
    println!("sorted by length: {}", words.join(" "));
    Ok(())
}

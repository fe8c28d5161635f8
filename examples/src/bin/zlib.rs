//! zlib from declarations pasted out of `zlib.h`: `compress2`/`uncompress` round trip and
//! `crc32`.
//!
//! `cargo run -p rcffi-examples --bin zlib [TEXT]`

use anyhow::{Result, ensure};
use rcffi::{Ffi, Value};

/// From zlib.h (1.2.x/1.3.x), as pasted.
const ZLIB: &str = r#"
    typedef unsigned char Bytef;
    typedef unsigned long uLong;
    typedef uLong uLongf;
    typedef unsigned int uInt;
    #define Z_OK 0
    #define Z_BEST_COMPRESSION 9
    const char *zlibVersion(void);
    uLong compressBound(uLong sourceLen);
    int compress2(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen, int level);
    int uncompress(Bytef *dest, uLongf *destLen, const Bytef *source, uLong sourceLen);
    uLong crc32(uLong crc, const Bytef *buf, uInt len);
"#;

fn main() -> Result<()> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "rcffi calls zlib without bindings. ".repeat(40));
    let ffi = Ffi::default();
    ffi.cdef(ZLIB)?;
    // SAFETY: libz, declared as zlib.h declares it.
    let z = unsafe { ffi.dlopen("z")? };
    // SAFETY: in every call below, zlib's functions with buffers of the sizes they are told.
    unsafe {
        let version = z.call("zlibVersion", ())?.cdata()?;
        println!(
            "zlib {}",
            ffi.string_unchecked(&version, None)?.to_string_lossy()?
        );

        let source = text.as_bytes();
        let bound = z.call("compressBound", (source.len(),))?.to_int()? as usize;
        let packed = ffi.new("Bytef[]", bound)?;
        let packed_len = ffi.new("uLongf *", bound)?;
        let level = ffi.integer_const("Z_BEST_COMPRESSION")? as i32;
        let rc = z.call(
            "compress2",
            (&packed, &packed_len, source, source.len(), level),
        )?;
        ensure!(rc == Value::Int(0), "compress2 failed: {rc}");
        let packed_len = packed_len.get_as::<usize>(0)?;
        println!("compress2: {} bytes -> {packed_len} bytes", source.len());

        let unpacked = ffi.new("Bytef[]", source.len())?;
        let unpacked_len = ffi.new("uLongf *", source.len())?;
        let rc = z.call(
            "uncompress",
            (&unpacked, &unpacked_len, &packed, packed_len),
        )?;
        ensure!(rc == Value::Int(0), "uncompress failed: {rc}");
        let n = unpacked_len.get_as::<usize>(0)?;
        let back = ffi.buffer(&unpacked, Some(n))?.to_vec()?;
        ensure!(back == source, "the round trip changed the text");
        println!("uncompress: {n} bytes, identical to the original");

        let crc = z.call("crc32", (0, source, source.len() as u32))?;
        println!("crc32 = {:#010x}", crc.to_int()?);
        let hello = z.call("crc32", (0, "hello world", 11))?;
        println!("crc32(\"hello world\") = {:#010x}", hello.to_int()?);
    }
    Ok(())
}

//! zlib through its installed header: `ffi.include_headers(["zlib.h"])` declares every
//! function, struct and macro of it — no pasted declarations. A `compress2`/`uncompress` round
//! trip, `crc32`, and streaming with `deflateInit`, which is a macro that calls
//! `deflateInit_` with the header's version and `sizeof(z_stream)`.
//!
//! `cargo run -p rcffi-examples --bin zlib [TEXT]`

use anyhow::{Result, ensure};
use rcffi::{Ffi, Headers};

fn main() -> Result<()> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "rcffi calls zlib without bindings. ".repeat(40));
    let ffi = Ffi::default();
    let report = ffi.include_headers(&Headers::new(["zlib.h"]))?;
    println!(
        "zlib.h: {} names declared, {} macros skipped",
        report.cdef.declared.len(),
        report.cdef.skipped_macros.len()
    );
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
        let level = z.get("Z_BEST_COMPRESSION")?;
        let rc = z.call(
            "compress2",
            (&packed, &packed_len, source, source.len(), &level),
        )?;
        ensure!(rc == z.get("Z_OK")?, "compress2 failed: {rc}");
        let packed_len = packed_len.get_as::<usize>(0)?;
        println!("compress2: {} bytes -> {packed_len} bytes", source.len());

        let unpacked = ffi.new("Bytef[]", source.len())?;
        let unpacked_len = ffi.new("uLongf *", source.len())?;
        let rc = z.call(
            "uncompress",
            (&unpacked, &unpacked_len, &packed, packed_len),
        )?;
        ensure!(rc == z.get("Z_OK")?, "uncompress failed: {rc}");
        let n = unpacked_len.get_as::<usize>(0)?;
        let back = ffi.buffer(&unpacked, Some(n))?.to_vec()?;
        ensure!(back == source, "the round trip changed the text");
        println!("uncompress: {n} bytes, identical to the original");

        let crc = z.call("crc32", (0, source, source.len() as u32))?;
        println!("crc32 = {:#010x}", crc.to_int()?);
        let hello = z.call("crc32", (0, "hello world", 11))?;
        println!("crc32(\"hello world\") = {:#010x}", hello.to_int()?);

        // Streaming: deflateInit is a macro, deflate and deflateEnd functions; the z_stream
        // struct comes from the header with gcc's layout.
        let strm = ffi.new("z_stream *", ())?;
        let rc = z.call("deflateInit", (&strm, &level))?;
        ensure!(rc == z.get("Z_OK")?, "deflateInit failed: {rc}");
        let out = ffi.new("Bytef[]", bound)?;
        strm.set_field("next_in", &ffi.from_buffer("Bytef[]", source.to_vec())?)?;
        strm.set_field("avail_in", source.len())?;
        strm.set_field("next_out", &out)?;
        strm.set_field("avail_out", bound)?;
        let rc = z.call("deflate", (&strm, z.get("Z_FINISH")?))?;
        ensure!(rc == z.get("Z_STREAM_END")?, "deflate did not finish: {rc}");
        let streamed = strm.field("total_out")?.to_int()?;
        z.call("deflateEnd", (&strm,))?;
        println!("deflateInit (a macro) + deflate: {streamed} bytes, as compress2 made");
        ensure!(
            streamed == packed_len as i128,
            "deflate made {streamed} bytes, compress2 {packed_len}"
        );
    }
    Ok(())
}

//! OpenSSL's EVP digests through the installed `openssl/evp.h` alone: SHA-256 of a text, with
//! `EVP_MAX_MD_SIZE` and the functions as the header declares them.
//!
//! `cargo run -p rcffi-examples --bin sha256 [TEXT]`

use anyhow::{Result, ensure};
use rcffi::{CData, Ffi, Headers, Value};

fn main() -> Result<()> {
    let text = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "rcffi reads openssl/evp.h".into());
    let ffi = Ffi::default();
    ffi.include_headers(&Headers::new(["openssl/evp.h"]))?;
    // SAFETY: libcrypto, declared by its own header.
    let crypto = unsafe { ffi.dlopen("crypto")? };
    let max = crypto.get("EVP_MAX_MD_SIZE")?.to_int()? as usize;
    let digest = ffi.new("unsigned char[]", max)?;
    let len = ffi.new("unsigned int *", ())?;
    // SAFETY: each call gets what EVP's documentation asks: a context from EVP_MD_CTX_new, the
    // digest from EVP_sha256, the text's bytes and length, and a buffer of EVP_MAX_MD_SIZE.
    unsafe {
        let ctx = crypto.call("EVP_MD_CTX_new", ())?.cdata()?;
        ensure!(!ctx.is_null(), "EVP_MD_CTX_new failed");
        let md = crypto.call("EVP_sha256", ())?.cdata()?;
        let ok = Value::Int(1);
        ensure!(crypto.call("EVP_DigestInit_ex", (&ctx, &md, None::<&CData>))? == ok);
        ensure!(crypto.call("EVP_DigestUpdate", (&ctx, text.as_bytes(), text.len()))? == ok);
        ensure!(crypto.call("EVP_DigestFinal_ex", (&ctx, &digest, &len))? == ok);
        crypto.call("EVP_MD_CTX_free", (&ctx,))?;
    }
    let n = len.get_as::<usize>(0)?;
    let bytes = ffi.buffer(&digest, Some(n))?.to_vec()?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    println!("sha256({text:?}) = {hex}");
    Ok(())
}

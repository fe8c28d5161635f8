//! GMP through its installed header alone: `gmp.h` names its functions `mpz_init`,
//! `mpz_fac_ui`, ... and renames them with macros (`#define mpz_init __gmpz_init`); rcffi
//! follows the macros, so the program calls the names GMP's manual uses. `mpz_t` is the
//! header's own array-of-one-struct type.
//!
//! `cargo run -p rcffi-examples --bin gmp [N]` prints N! (default 30).

use anyhow::{Result, ensure};
use rcffi::{Ffi, Headers};

fn main() -> Result<()> {
    let n: u32 = std::env::args().nth(1).map_or(Ok(30), |s| s.parse())?;
    let ffi = Ffi::default();
    ffi.include_headers(&Headers::new(["gmp.h"]))?;
    // SAFETY: libgmp, declared by its own header.
    let gmp = unsafe { ffi.dlopen("gmp")? };
    let version = gmp.get("gmp_version")?;
    // SAFETY: gmp_version points to a NUL-terminated static string.
    let version = unsafe { ffi.string_unchecked(version.as_cdata().expect("a char *"), None)? };
    println!("gmp {}", version.to_string_lossy()?);
    let x = ffi.new("mpz_t", ())?;
    // SAFETY: x is an mpz_t, initialised before use and cleared after; mpz_get_str writes at
    // most mpz_sizeinbase + 2 bytes into the buffer it is given.
    unsafe {
        gmp.call("mpz_init", (&x,))?;
        gmp.call("mpz_fac_ui", (&x, n))?;
        let digits = gmp.call("mpz_sizeinbase", (&x, 10))?.to_int()? as usize;
        let buf = ffi.new("char[]", digits + 2)?;
        gmp.call("mpz_get_str", (&buf, 10, &x))?;
        let text = ffi.string(&buf, None)?.to_string_lossy()?.into_owned();
        println!("{n}! = {text}");
        gmp.call("mpz_clear", (&x,))?;
        check(&text, n)?;
    }
    Ok(())
}

/// The independent answer: n! computed in Rust, by long multiplication in base 10.
fn check(text: &str, n: u32) -> Result<()> {
    let mut digits = vec![1u32]; // little-endian decimal digits
    for k in 2..=n {
        let mut carry = 0;
        for d in digits.iter_mut() {
            let v = *d * k + carry;
            *d = v % 10;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push(carry % 10);
            carry /= 10;
        }
    }
    let want: String = digits
        .iter()
        .rev()
        .map(|d| char::from(b'0' + *d as u8))
        .collect();
    ensure!(text == want, "gmp says {text}, long multiplication {want}");
    println!("equal to long multiplication in Rust");
    Ok(())
}

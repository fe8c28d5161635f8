//! The ctypes recipe of turning a function's address into a callable: `sin`'s address, cast to
//! `double(*)(double)`, called.
//!
//! `cargo run -p rcffi-examples --bin sin_address`

use anyhow::Result;
use rcffi::Ffi;

fn main() -> Result<()> {
    let ffi = Ffi::default();
    ffi.cdef("double sin(double x);")?;
    // SAFETY: libm's sin, as declared.
    let libm = unsafe { ffi.dlopen("m")? };
    let address = libm.function("sin")?.address();
    println!("sin is at {address:#x}");
    // An address (an integer, as C or another library might hand it over) becomes a callable.
    let sin = ffi.cast("double(*)(double)", address)?;
    println!("as a function pointer: {sin:?}");
    for x in [
        0.0,
        std::f64::consts::FRAC_PI_6,
        std::f64::consts::FRAC_PI_2,
    ] {
        // SAFETY: the address is libm's sin, which stays loaded while `libm` lives.
        let y = unsafe { sin.call((x,))? };
        println!("sin({x:.6}) = {y}");
    }
    drop(libm);
    Ok(())
}

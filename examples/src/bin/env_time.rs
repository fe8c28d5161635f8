//! A newcomer's first program: `getenv`, `gettimeofday` and `strftime` from pasted declarations.
//!
//! `cargo run -p rcffi-examples --bin env_time [VARIABLE]`
//!
//! The same program with Python's cffi, for comparison (rcffi's is as long, but for its
//! `unsafe` blocks and `?`s):
//!
//! ```python
//! import sys, cffi
//! name = sys.argv[1] if len(sys.argv) > 1 else "HOME"
//! ffi = cffi.FFI()
//! ffi.cdef("""
//!     struct timeval { long tv_sec; long tv_usec; };
//!     struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday,
//!                 tm_isdst; long tm_gmtoff; const char *tm_zone; };
//!     char *getenv(const char *name);
//!     int gettimeofday(struct timeval *tv, void *tz);
//!     struct tm *gmtime_r(const long *timep, struct tm *result);
//!     size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);
//! """)
//! libc = ffi.dlopen(None)
//! home = libc.getenv(name.encode())
//! print(name, "=", ffi.string(home).decode() if home != ffi.NULL else None)
//! tv = ffi.new("struct timeval *")
//! libc.gettimeofday(tv, ffi.NULL)
//! print("seconds since 1970:", tv.tv_sec, "and", tv.tv_usec, "microseconds")
//! tm = ffi.new("struct tm *")
//! libc.gmtime_r(ffi.new("long *", tv.tv_sec), tm)
//! buf = ffi.new("char[64]")
//! n = libc.strftime(buf, 64, b"%Y-%m-%d %H:%M:%S UTC", tm)
//! print("now:", ffi.string(buf, n).decode())
//! ```

use anyhow::Result;
use rcffi::{Ffi, NULL};

fn main() -> Result<()> {
    let name = std::env::args().nth(1).unwrap_or_else(|| "HOME".into());
    let ffi = Ffi::default();
    ffi.cdef(
        "struct timeval { long tv_sec; long tv_usec; };
         struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday,
                     tm_isdst; long tm_gmtoff; const char *tm_zone; };
         char *getenv(const char *name);
         int gettimeofday(struct timeval *tv, void *tz);
         struct tm *gmtime_r(const long *timep, struct tm *result);
         size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);",
    )?;
    // SAFETY: the C library, declared as glibc declares it; every pointer passed is valid, and
    // getenv's result is read before anything changes the environment.
    unsafe {
        let libc = ffi.dlopen("c")?;
        let value = libc.call("getenv", (name.as_str(),))?;
        match value.as_cdata().filter(|p| !p.is_null()) {
            Some(p) => println!(
                "{name} = {}",
                ffi.string_unchecked(p, None)?.to_string_lossy()?
            ),
            None => println!("{name} is not set"),
        }
        let tv = ffi.new("struct timeval *", ())?;
        libc.call("gettimeofday", (&tv, NULL))?;
        let (sec, usec): (i64, i64) = (tv.field_as("tv_sec")?, tv.field_as("tv_usec")?);
        println!("seconds since 1970: {sec} and {usec} microseconds");
        let tm = ffi.new("struct tm *", ())?;
        libc.call("gmtime_r", (ffi.new("long *", sec)?, &tm))?;
        let buf = ffi.new("char[64]", ())?;
        let n: usize = libc
            .call("strftime", (&buf, 64, "%Y-%m-%d %H:%M:%S UTC", &tm))?
            .try_into()?;
        println!("now: {}", ffi.string(&buf, Some(n))?.to_string_lossy()?);
    }
    Ok(())
}

//! Records out to Rust types: `char` arrays of `struct utsname` as `String`s, the union inside
//! `struct in6_addr` as `[u8; 16]` and `[u16; 8]`, a `short[3][2]` sorted by rows with `qsort`
//! as `Vec<[i16; 2]>`, and `struct tm` as a map of its members.
//!
//! `cargo run -p rcffi-examples --bin records [IPV6-ADDRESS]`
//!
//! The same program with Python's cffi, for comparison:
//!
//! ```python
//! import sys, cffi
//! address = sys.argv[1] if len(sys.argv) > 1 else "2001:db8::ff00:42:8329"
//! ffi = cffi.FFI()
//! ffi.cdef("""
//!     struct utsname { char sysname[65], nodename[65], release[65], version[65],
//!                      machine[65], domainname[65]; };
//!     struct in6_addr { union { unsigned char s6_addr[16]; unsigned short s6_addr16[8];
//!                               unsigned int s6_addr32[4]; } u; };
//!     struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday,
//!                 tm_isdst; long tm_gmtoff; const char *tm_zone; };
//!     int uname(struct utsname *buf);
//!     int inet_pton(int af, const char *src, void *dst);
//!     void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
//!     struct tm *gmtime_r(const long *timep, struct tm *result);
//! """)
//! libc = ffi.dlopen(None)
//! u = ffi.new("struct utsname *")
//! libc.uname(u)
//! print("system:", ffi.string(u.sysname).decode(), ffi.string(u.release).decode())
//! a = ffi.new("struct in6_addr *")
//! assert libc.inet_pton(10, address.encode(), a) == 1
//! print("bytes:", list(a.u.s6_addr), "words:", list(a.u.s6_addr16))
//! grid = ffi.new("short[3][2]", [[3, 1], [1, 2], [2, 0]])
//! @ffi.callback("int(const void *, const void *)")
//! def by_row(x, y):
//!     x, y = ffi.cast("short *", x), ffi.cast("short *", y)
//!     return (x[0], x[1]) > (y[0], y[1]) or -((x[0], x[1]) < (y[0], y[1]))
//! libc.qsort(grid, 3, ffi.sizeof("short[2]"), by_row)
//! print("rows:", [list(row) for row in grid])
//! tm = ffi.new("struct tm *")
//! libc.gmtime_r(ffi.new("long *", 0), tm)
//! print("epoch:", {f: getattr(tm, f) for f, _ in ffi.typeof(tm[0]).fields if f != "tm_zone"})
//! ```

use std::collections::BTreeMap;

use anyhow::{Result, ensure};
use rcffi::{Error, Ffi, Value, closure};

fn main() -> Result<()> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "2001:db8::ff00:42:8329".into());
    let ffi = Ffi::default();
    ffi.cdef(
        "struct utsname { char sysname[65], nodename[65], release[65], version[65],
                          machine[65], domainname[65]; };
         struct in6_addr { union { unsigned char s6_addr[16]; unsigned short s6_addr16[8];
                                   unsigned int s6_addr32[4]; } u; };
         struct tm { int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday,
                     tm_isdst; long tm_gmtoff; const char *tm_zone; };
         int uname(struct utsname *buf);
         int inet_pton(int af, const char *src, void *dst);
         void qsort(void *, size_t, size_t, int (*)(const void *, const void *));
         struct tm *gmtime_r(const long *timep, struct tm *result);",
    )?;
    // SAFETY: the C library, declared as glibc declares it; every pointer passed is valid for
    // what the function writes, and qsort's comparator reads two rows of the grid.
    unsafe {
        let libc = ffi.dlopen("c")?;
        let u = ffi.new("struct utsname *", ())?;
        libc.call("uname", (&u,))?;
        let (system, release): (String, String) = (
            u.field("sysname")?.try_into()?,
            u.field("release")?.try_into()?,
        );
        println!("system: {system} {release}");

        let a = ffi.new("struct in6_addr *", ())?;
        let rc = libc.call("inet_pton", (10, address.as_str(), &a))?; // AF_INET6
        ensure!(rc == 1.into(), "not an IPv6 address: {address}");
        let union = a.field("u")?.cdata()?;
        let bytes: [u8; 16] = union.field("s6_addr")?.cdata()?.to_array()?;
        let words: [u16; 8] = union.field("s6_addr16")?.cdata()?.to_array()?;
        println!("bytes: {bytes:?}");
        println!("words: {:x?}", words.map(u16::from_be)); // network order in memory

        let grid = ffi.new("short[3][2]", [[3, 1], [1, 2], [2, 0]])?;
        let by_row = closure(|args| {
            let (x, y): ([i16; 2], [i16; 2]) = (args.deref(0)?, args.deref(1)?);
            Ok::<_, Error>(x.cmp(&y) as i32)
        });
        libc.call("qsort", (&grid, 3, ffi.sizeof("short[2]")?, by_row))?;
        println!("rows: {:?}", grid.to_vec_as::<[i16; 2]>()?);

        let tm = ffi.new("struct tm *", ())?;
        libc.call("gmtime_r", (ffi.new("long *", 0)?, &tm))?;
        let mut epoch: BTreeMap<String, Value> = tm.get(0)?.cdata()?.value_as()?;
        epoch.remove("tm_zone"); // a pointer into libc
        println!("epoch: {epoch:?}");
    }
    Ok(())
}

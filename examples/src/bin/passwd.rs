//! `getpwuid` and `struct passwd`: who runs this program, from libc's user database.
//!
//! `cargo run -p rcffi-examples --bin passwd`

use anyhow::{Result, ensure};
use rcffi::Ffi;

/// From glibc's pwd.h and unistd.h.
const PWD: &str = r#"
    typedef unsigned int uid_t;
    typedef unsigned int gid_t;
    struct passwd {
        char *pw_name;
        char *pw_passwd;
        uid_t pw_uid;
        gid_t pw_gid;
        char *pw_gecos;
        char *pw_dir;
        char *pw_shell;
    };
    uid_t getuid(void);
    struct passwd *getpwuid(uid_t uid);
"#;

fn main() -> Result<()> {
    let ffi = Ffi::default();
    ffi.cdef(PWD)?;
    println!("struct passwd: {} bytes", ffi.sizeof("struct passwd")?);
    // SAFETY: libc's getuid and getpwuid, as glibc declares them.
    unsafe {
        let libc = ffi.dlopen("c")?;
        let uid = libc.call("getuid", ())?;
        let pw = libc.call("getpwuid", (&uid,))?.cdata()?;
        ensure!(!pw.is_null(), "no passwd entry for uid {uid}");
        // The entry is libc's static memory: vouch for it, read it before the next call.
        let pw = pw.assume_valid(1)?;
        println!("uid {uid}:");
        for field in ["pw_name", "pw_dir", "pw_shell"] {
            let s = pw.field(field)?.cdata()?;
            println!(
                "  {field:<9} {}",
                ffi.string_unchecked(&s, None)?.to_string_lossy()?
            );
        }
        println!("  pw_uid    {}", pw.field("pw_uid")?);
        println!("  pw_gid    {}", pw.field("pw_gid")?);
    }
    Ok(())
}

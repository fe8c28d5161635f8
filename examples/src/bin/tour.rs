//! The tour: C declarations pasted into a Rust program, as glibc and the C compiler see them.
//!
//! `cargo run -p rcffi-examples --bin tour`
//!
//! It declares real libc types and functions from pasted text, then shows what rcffi knows
//! about them: sizes, alignments and member offsets (which agree with gcc), bitfields,
//! function signatures, constants, and the errors a bad declaration gets. Each figure is
//! checked against the value the system's C library headers give (the tests compile a C
//! probe for that); loading libc and calling it comes with rcffi's runtime.

use anyhow::Result;
use rcffi::{Ffi, Kind};

/// Declarations pasted from glibc's headers (x86-64 and AArch64 Linux).
const LIBC: &str = r#"
    #define NAME_MAX 255
    typedef long time_t;
    struct tm {
        int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday, tm_yday, tm_isdst;
        long tm_gmtoff;
        const char *tm_zone;
    };
    struct dirent {
        unsigned long d_ino;
        long d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[NAME_MAX + 1];
    };
    typedef struct { int quot, rem; } div_t;
    typedef struct __dirstream DIR;

    size_t strlen(const char *s);
    int printf(const char *format, ...);
    div_t div(int numerator, int denominator);
    void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));
    time_t time(time_t *tloc);
    struct tm *localtime_r(const time_t *timep, struct tm *result);
    size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);
    DIR *opendir(const char *name);
    struct dirent *readdir(DIR *dirp);
    int closedir(DIR *dirp);
    extern char **environ;
    enum { DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10 };
"#;

fn main() -> Result<()> {
    let ffi = Ffi::default();
    let report = ffi.cdef(LIBC)?;
    println!(
        "cdef: declared {} names from pasted libc declarations",
        report.declared.len()
    );

    for ty in ["struct tm", "struct dirent", "div_t"] {
        let t = ffi.typeof_(ty)?;
        println!(
            "\n{} ({}): sizeof {}, alignof {}",
            t.cname(),
            t.kind(),
            t.size()?,
            t.align()?
        );
        for (name, f) in t.fields()?.unwrap_or_default() {
            println!("  {:<10} offset {:>3}  {}", name, f.offset, f.ty.cname());
        }
    }

    println!("\nfunctions:");
    ffi.with_registry(|r| {
        for (name, decl) in r.decls() {
            if let rcffi_cdef::Decl::Function { ty, .. } = decl {
                println!("  {name}: {}", r.cname(*ty));
            }
        }
    });
    let qsort_cmp = ffi.typeof_("int(*)(const void *, const void *)")?;
    assert_eq!(qsort_cmp.kind(), Kind::Function);
    println!(
        "  qsort's comparator type: {} ({} arguments)",
        qsort_cmp.cname(),
        qsort_cmp.args().map_or(0, |a| a.len())
    );

    println!(
        "\nconstants: NAME_MAX = {}, DT_DIR = {}",
        ffi.integer_const("NAME_MAX")?,
        ffi.integer_const("DT_DIR")?
    );
    println!(
        "getctype(\"struct tm\", \"*tms[4]\") = {}",
        ffi.getctype("struct tm", "*tms[4]")?
    );

    // A bitfield layout, as gcc lays it out.
    ffi.cdef("struct flags { unsigned kind : 4; unsigned priv : 1; unsigned long long id : 40; char tag; };")?;
    println!(
        "\nstruct flags (bitfields): sizeof {}",
        ffi.sizeof("struct flags")?
    );
    for (name, f) in ffi.typeof_("struct flags")?.fields()?.unwrap_or_default() {
        println!(
            "  {:<5} unit offset {}, bit {}, width {}",
            name, f.offset, f.bitshift, f.bitsize
        );
    }

    // Bad declarations are errors with a position, and change nothing.
    let err = ffi
        .cdef("struct broken { int a; widget_t w; };")
        .unwrap_err();
    println!("\na bad cdef is refused:\n{err}");
    Ok(())
}

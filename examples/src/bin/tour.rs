//! The tour: a real program against the system's own C library, from declarations pasted into
//! Rust — no bindgen, no build script, no `extern` block.
//!
//! `cargo run -p rcffi-examples --bin tour [DIRECTORY]`
//!
//! It pastes glibc's declarations, opens libc and libm, and uses them: `strlen`, `printf` with
//! variadic arguments, `div` returning a struct by value, `qsort` with a Rust closure as the
//! comparator, `time`/`localtime_r`/`strftime` with `struct tm`, a directory listing with
//! `opendir`/`readdir` and `struct dirent`, global variables (`environ`, `stdout`), errno after
//! a failing `open`, libm's functions — and shows the layouts rcffi computed (they agree with
//! gcc's; the tests check that) and the error a bad declaration gets.

use anyhow::Result;
use rcffi::Ffi;

/// Declarations pasted from glibc's headers (x86-64 and AArch64 Linux).
const LIBC: &str = r#"
    #define NAME_MAX 255
    #define O_RDONLY 0
    typedef long time_t;
    typedef struct _IO_FILE FILE;
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
    enum { DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10 };

    size_t strlen(const char *s);
    int printf(const char *format, ...);
    int fflush(FILE *stream);
    extern FILE *stdout;
    extern char **environ;
    div_t div(int numerator, int denominator);
    void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *));
    time_t time(time_t *tloc);
    struct tm *localtime_r(const time_t *timep, struct tm *result);
    size_t strftime(char *s, size_t max, const char *format, const struct tm *tm);
    DIR *opendir(const char *name);
    struct dirent *readdir(DIR *dirp);
    int closedir(DIR *dirp);
    int open(const char *pathname, int flags, ...);
    char *strerror(int errnum);

    double cos(double x);
    double pow(double x, double y);
"#;

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let ffi = Ffi::default();
    let report = ffi.cdef(LIBC)?;
    println!(
        "cdef: {} declarations pasted from glibc's headers",
        report.declared.len()
    );

    // SAFETY: libc and libm are the system's own, and LIBC declares them as glibc does.
    let (libc, libm) = unsafe { (ffi.dlopen("c")?, ffi.dlopen("m")?) };
    println!("opened {} and {}", show_path(&libc), show_path(&libm));

    // A Rust closure as a C function pointer, for qsort.
    let by_value = ffi.callback("int(*)(const void *, const void *)", |args| {
        // SAFETY: qsort passes pointers to two ints of the array.
        let (a, b): (i32, i32) = unsafe { (args.deref(0)?, args.deref(1)?) };
        Ok::<_, rcffi::Error>(a.cmp(&b) as i32)
    })?;

    // SAFETY: in every call below, each function is called as glibc declares it, with valid
    // pointers and NUL-terminated strings.
    unsafe {
        // A Rust string becomes a temporary C string.
        let n = libc.call("strlen", ("hello, rcffi",))?;
        println!("\nstrlen(\"hello, rcffi\") = {n}");

        // Variadic arguments, promoted as C does (a float cdata is passed as a double).
        let third = ffi.cast("float", 1.5)?;
        let printed = libc.call(
            "printf",
            ("printf: %d %s %.2f\n", 42, "is the answer", &third),
        )?;
        libc.call("fflush", (libc.get("stdout")?,))?; // C's stdout, a global variable
        println!("printf returned {printed}");

        // A struct returned by value is an owned cdata.
        let d = libc.call("div", (17, 5))?.cdata()?;
        println!(
            "div(17, 5) = {{quot: {}, rem: {}}}  ({d:?})",
            d.field("quot")?,
            d.field("rem")?
        );

        // qsort with a Rust closure as the comparator.
        let numbers = ffi.new("int[]", [42, -7, 19, 0, 3, 88, -1])?;
        libc.call(
            "qsort",
            (&numbers, numbers.len()?, ffi.sizeof("int")?, &by_value),
        )?;
        let sorted: Vec<String> = numbers.to_vec()?.iter().map(|v| v.to_string()).collect();
        println!("qsort with a Rust comparator: [{}]", sorted.join(", "));

        // time, localtime_r and strftime with struct tm: `time` writes a Rust `i64` in place
        // (a `&mut` of numbers is lent to C), `localtime_r` reads a copy of it (`&[now]`) and
        // fills a C struct, `strftime` writes into a Rust buffer.
        let mut now = 0i64;
        libc.call("time", (&mut now,))?;
        let tm = ffi.new("struct tm *", ())?;
        libc.call("localtime_r", (&[now], &tm))?;
        let mut buf = [0u8; 64];
        let n = libc.call("strftime", (&mut buf, 64usize, "%Y-%m-%d %H:%M:%S %Z", &tm))?;
        println!(
            "now: {} (tm_year {} + 1900 = {})",
            String::from_utf8_lossy(&buf[..usize::try_from(n.to_int()?)?]),
            tm.field("tm_year")?,
            tm.field_as::<i32>("tm_year")? + 1900
        );

        // A directory listing with opendir/readdir and struct dirent.
        let d = libc.call("opendir", (dir.as_str(),))?.cdata()?;
        anyhow::ensure!(!d.is_null(), "cannot open directory {dir}");
        let mut entries = Vec::new();
        loop {
            let e = libc.call("readdir", (&d,))?.cdata()?;
            if e.is_null() {
                break;
            }
            // C owns the entry; vouch for it until the next readdir.
            let e = e.assume_valid(1)?;
            let kind = match e.field_as::<i64>("d_type")? {
                4 => "dir",
                8 => "file",
                10 => "link",
                _ => "other",
            };
            entries.push(format!(
                "{} ({kind})",
                ffi.string(&e.field("d_name")?.cdata()?, None)?
                    .to_string_lossy()?
            ));
        }
        libc.call("closedir", (&d,))?;
        entries.sort();
        println!("\nreaddir({dir}): {} entries", entries.len());
        for e in &entries {
            println!("  {e}");
        }

        // A global variable: the environment.
        let environ = libc.get("environ")?.cdata()?;
        let mut count = 0;
        while !environ
            .assume_valid(count + 1)?
            .get(count as isize)?
            .cdata()?
            .is_null()
        {
            count += 1;
        }
        println!("\nenviron holds {count} variables");

        // errno after a failing call, and strerror's message for it.
        let fd = libc.call(
            "open",
            ("/no/such/file", ffi.integer_const("O_RDONLY")? as i32),
        )?;
        let errno = ffi.errno();
        let msg = libc.call("strerror", (errno,))?.cdata()?;
        println!(
            "open(\"/no/such/file\") = {fd}, errno {errno}: {}",
            ffi.string_unchecked(&msg, None)?.to_string_lossy()?
        );

        // libm.
        println!(
            "\nlibm: cos(0) = {}, pow(2, 10) = {}",
            libm.call("cos", (0.0,))?,
            libm.call("pow", (2.0, 10.0))?
        );
    }

    // What rcffi knows about the declarations, before any call: layouts as gcc computes them.
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
    println!(
        "\nconstants: NAME_MAX = {}, DT_DIR = {}",
        ffi.integer_const("NAME_MAX")?,
        ffi.integer_const("DT_DIR")?
    );

    // A bad declaration is an error with its position, and changes nothing.
    let err = ffi
        .cdef("struct broken { int a; widget_t w; };")
        .unwrap_err();
    println!("\na bad cdef is refused:\n{err}");
    // A wrong argument is an error naming the argument and the types; nothing is called.
    // SAFETY: refused before the call.
    let err = unsafe { libc.call("div", (1i64 << 40, 2)) }.unwrap_err();
    println!("a bad argument is refused: {err}");
    Ok(())
}

fn show_path(lib: &rcffi::Lib) -> String {
    lib.path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| lib.name().to_string())
}

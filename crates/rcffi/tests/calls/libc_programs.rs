//! The seed articles' programs: `DataPoint add_data` on the fixture, a directory listing with
//! libc's `opendir`/`readdir` and `struct dirent`, and `sin` called through its address.

use rcffi::{Ffi, Value, list};

use super::{cd, fixture};

#[test]
fn data_points_are_summed_by_c() {
    let (ffi, lib) = fixture();
    let points = ffi
        .new(
            "DataPoint[]",
            list![list![1.5, 2.0], list![2.5, -1.0], list![3.0, 0.5]],
        )
        .unwrap();
    // SAFETY: add_data reads `n` points from the array.
    let sum = cd(unsafe { lib.call("add_data", (&points, 3u32)) }.unwrap());
    assert_eq!(format!("{sum:?}"), "<cdata 'DataPoint' owning 16 bytes>");
    assert_eq!(sum.field("x").unwrap(), 7.0.into());
    assert_eq!(sum.field("y").unwrap(), 1.5.into());
    // A list converts to a temporary array as well.
    // SAFETY: as above.
    let sum = cd(unsafe { lib.call("add_data", (list![list![1.0, 1.0]], 1u32)) }.unwrap());
    assert_eq!(sum.field("y").unwrap(), 1.0.into());
}

#[test]
fn a_directory_is_listed_with_readdir() {
    let dir = std::env::temp_dir().join(format!("rcffi-readdir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names = ["alpha.txt", "beta", "gamma with spaces", "δέλτα"];
    for n in names {
        std::fs::write(dir.join(n), n).unwrap();
    }
    let ffi = Ffi::default();
    ffi.cdef(
        r#"
        struct dirent {
            unsigned long d_ino;
            long d_off;
            unsigned short d_reclen;
            unsigned char d_type;
            char d_name[256];
        };
        typedef struct __dirstream DIR;
        DIR *opendir(const char *name);
        struct dirent *readdir(DIR *dirp);
        int closedir(DIR *dirp);
        "#,
    )
    .unwrap();
    // SAFETY: glibc's opendir/readdir/closedir and its struct dirent, as declared.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    // SAFETY: opendir takes a path.
    let d = cd(unsafe { libc.call("opendir", (dir.to_str().unwrap(),)) }.unwrap());
    assert!(!d.is_null());
    let mut seen = Vec::new();
    loop {
        // SAFETY: `d` is an open directory stream.
        let e = cd(unsafe { libc.call("readdir", (&d,)) }.unwrap());
        if e.is_null() {
            break;
        }
        // SAFETY: readdir returned a valid entry, read before the next readdir call.
        let e = unsafe { e.assume_valid(1) }.unwrap();
        let name = ffi.string(&cd(e.field("d_name").unwrap()), None).unwrap();
        let Value::Bytes(name) = name else {
            panic!("d_name is bytes")
        };
        let name = String::from_utf8(name.into_vec()).unwrap();
        if name != "." && name != ".." {
            seen.push(name);
        }
    }
    // SAFETY: closes the stream opened above.
    assert_eq!(unsafe { libc.call("closedir", (&d,)) }.unwrap(), 0.into());
    seen.sort();
    let mut want: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    want.sort();
    assert_eq!(seen, want);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sin_is_called_through_its_address() {
    let ffi = Ffi::default();
    ffi.cdef("double sin(double);").unwrap();
    // SAFETY: libm's sin.
    let m = unsafe { ffi.dlopen("m") }.unwrap();
    let address = m.function("sin").unwrap().address();
    // ctypes' recipe: an address becomes a callable of a declared type.
    let sin = ffi.cast("double(*)(double)", address).unwrap();
    // SAFETY: the address is sin's; the library stays open (`m` lives).
    let y = unsafe { sin.call((std::f64::consts::FRAC_PI_2,)) }.unwrap();
    assert_eq!(y, 1.0.into());
    drop(m);
}

/// glibc's `snprintf` given tuples of Rust values (the direct path for variadic calls: `&str`
/// text, C strings, numbers of every width, an `f32` promoted to `double`, a buffer cdata),
/// in registers and past them, against Rust's formatting of the same values.
#[test]
fn snprintf_formats_rust_tuples_as_rust_does() {
    let ffi = Ffi::default();
    ffi.cdef("int snprintf(char *buf, size_t n, const char *fmt, ...);")
        .unwrap();
    // SAFETY: libc's snprintf, declared as C declares it.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    let buf = ffi.new("char[256]", ()).unwrap();
    let text = |n: Value| -> String {
        let s = match ffi.string(&buf, None).unwrap() {
            Value::Bytes(b) => String::from_utf8(b.into_vec()).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(n, Value::Int(s.len() as i128), "{s}");
        s
    };
    let name = String::from("text");
    // SAFETY: each format names the arguments passed after it, of the types it reads; the
    // buffer holds 256 bytes, which snprintf does not pass.
    unsafe {
        let n = libc
            .call(
                "snprintf",
                (
                    &buf,
                    256usize,
                    "%d %lld %u %s %.2f %.2f %s %hhd",
                    -5i32,
                    1i64 << 40,
                    u32::MAX,
                    &name,
                    2.5f64,
                    1.25f32,
                    c"cstr",
                    -3i8,
                ),
            )
            .unwrap();
        assert_eq!(
            text(n),
            format!("-5 {} {} text 2.50 1.25 cstr -3", 1i64 << 40, u32::MAX)
        );
        // Nine doubles (one past the vector registers) and four ints after the three fixed
        // arguments (one past the integer registers).
        let n = libc
            .call(
                "snprintf",
                (
                    &buf,
                    256usize,
                    "%g %g %g %g %g %g %g %g %g|%d %d %d %d",
                    0.5,
                    1.5,
                    2.5,
                    3.5,
                    4.5,
                    5.5,
                    6.5,
                    7.5,
                    8.5,
                    1,
                    -2,
                    3,
                    -4,
                ),
            )
            .unwrap();
        assert_eq!(text(n), "0.5 1.5 2.5 3.5 4.5 5.5 6.5 7.5 8.5|1 -2 3 -4");
    }
}

//! The tour runs, and every layout it prints matches what gcc computes from the system's own
//! headers (`<time.h>`, `<dirent.h>`, `<stdlib.h>`): a C program built here prints the same
//! lines, and they must appear in the tour's output.

use std::process::Command;

fn tour_output() -> String {
    tour_in(".")
}

fn tour_in(dir: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tour"))
        .arg(dir)
        .output()
        .expect("run the tour");
    assert!(
        out.status.success(),
        "the tour failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Builds and runs a C program; returns what it printed.
fn run_c(source: &str) -> String {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("rcffi-tour-{}-{k}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("probe.c");
    let exe = dir.join("probe");
    std::fs::write(&src, source).unwrap();
    let st = Command::new("gcc")
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .expect("gcc");
    assert!(st.success());
    let out = Command::new(&exe).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn tour_layouts_match_the_system_headers() {
    let tour = tour_output();
    let probe = run_c(
        r#"
#define _GNU_SOURCE
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <dirent.h>
#include <limits.h>
#define F(T, m) printf("  %-10s offset %3zu\n", #m, offsetof(T, m))
int main(void) {
    printf("struct tm (struct): sizeof %zu, alignof %zu\n", sizeof(struct tm), _Alignof(struct tm));
    F(struct tm, tm_sec); F(struct tm, tm_isdst); F(struct tm, tm_gmtoff); F(struct tm, tm_zone);
    printf("struct dirent (struct): sizeof %zu, alignof %zu\n", sizeof(struct dirent), _Alignof(struct dirent));
    F(struct dirent, d_ino); F(struct dirent, d_reclen); F(struct dirent, d_type); F(struct dirent, d_name);
    printf("div_t (struct): sizeof %zu, alignof %zu\n", sizeof(div_t), _Alignof(div_t));
    printf("constants: NAME_MAX = %d, DT_DIR = %d\n", NAME_MAX, DT_DIR);
    return 0;
}
"#,
    );
    for line in probe.lines() {
        let found = tour.lines().any(|t| t.starts_with(line));
        assert!(
            found,
            "the tour does not print {line:?} (gcc's value); tour output:\n{tour}"
        );
    }
}

#[test]
fn tour_shows_a_located_error() {
    let tour = tour_output();
    assert!(
        tour.contains("<cdef>:1:24: unknown type name 'widget_t'"),
        "{tour}"
    );
}

#[test]
fn tour_calls_libc_and_libm_and_gets_their_answers() {
    let dir = std::env::temp_dir().join(format!("rcffi-tour-dir-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), "a").unwrap();
    std::os::unix::fs::symlink("a.txt", dir.join("link")).unwrap();
    let tour = tour_in(dir.to_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    for want in [
        "strlen(\"hello, rcffi\") = 12",
        "printf: 42 is the answer 1.50",
        "printf returned 30",
        "div(17, 5) = {quot: 3, rem: 2}  (<cdata 'div_t' owning 8 bytes>)",
        "qsort with a Rust comparator: [-7, -1, 0, 3, 19, 42, 88]",
        "readdir(",
        "  a.txt (file)",
        "  link (link)",
        "  sub (dir)",
        "open(\"/no/such/file\") = -1, errno 2: No such file or directory",
        "libm: cos(0) = 1.0, pow(2, 10) = 1024.0",
        "a bad argument is refused: argument 1 of 'div_t(*)(int, int)': integer 1099511627776 does not fit 'int'",
    ] {
        assert!(
            tour.contains(want),
            "the tour does not print {want:?}:\n{tour}"
        );
    }
    // printf's own output comes before the line that reports its return value.
    let printed = tour.find("printf: 42").unwrap();
    assert!(printed < tour.find("printf returned").unwrap());
    // strftime's year is the year C's localtime_r saw, and the date is today's.
    let year = run_c(
        "#include <stdio.h>\n#include <time.h>\nint main(void){time_t t=time(0);struct tm tm;localtime_r(&t,&tm);printf(\"%d\", tm.tm_year+1900);return 0;}",
    );
    assert!(tour.contains(&format!("now: {year}-")), "{tour}");
    assert!(tour.contains(&format!("= {year})")), "{tour}");
    // environ: as many variables as the tour process had.
    let n: usize = tour
        .lines()
        .find_map(|l| {
            l.strip_prefix("environ holds ")?
                .strip_suffix(" variables")?
                .parse()
                .ok()
        })
        .expect("an environ line");
    assert_eq!(n, std::env::vars_os().count());
}

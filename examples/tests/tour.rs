//! The tour runs, and every layout it prints matches what gcc computes from the system's own
//! headers (`<time.h>`, `<dirent.h>`, `<stdlib.h>`): a C program built here prints the same
//! lines, and they must appear in the tour's output.

use std::process::Command;

fn tour_output() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tour"))
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
    let dir = std::env::temp_dir().join(format!("rcffi-tour-{}", std::process::id()));
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

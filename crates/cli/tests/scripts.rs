//! Scripts as a user runs them: the tour and the fixture's ABI tests of `examples/scripts/`,
//! `rcffi test` reporting tests that crash in C as failed tests (with JUnit XML), `-e`, the
//! REPL on piped input, and bad or hostile scripts answered with an error, never a crash.

mod common;

use common::{file, rcffi};

fn examples(path: &str) -> String {
    format!(
        "{}/../../examples/scripts/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_tour_runs() {
    let run = rcffi(&["run", &examples("tour.rhai")], "");
    assert_eq(run.code, 0, &run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "strlen(\"hello\") = 5");
    assert_eq!(lines[1], "snprintf wrote \"42-answer\"");
    assert_eq!(lines[2], "div(17, 5) = {quot: 3, rem: 2}");
    assert_eq!(lines[3], "open failed with -1, errno 2");
    assert_eq!(lines[4], "sorted: [4, 5, 9, 15, 26, 31]");
    assert_eq!(lines[5], "hypot(3.0, 4.0) = 5.0");
    // Every digit of the long double: C's own printf of sqrtl(2) agrees (the x87 or
    // binary128 value, by the host).
    let sqrt2 = lines[6].strip_prefix("sqrtl(2) = ").unwrap();
    assert!(sqrt2.starts_with("1.41421356237309504"), "{sqrt2}");
    assert!(
        lines[7].ends_with("crc32(\"hello\") = 907060870, Z_OK = 0"),
        "{}",
        lines[7]
    );
    assert_eq!(lines[8], "sizeof(struct rec) = 24, offsetof(value) = 8");
    assert!(
        lines[9].starts_with("caught: index too large"),
        "{}",
        lines[9]
    );
}

fn assert_eq(code: i32, want: i32, stderr: &str) {
    assert_eq!(code, want, "{stderr}");
}

#[test]
fn the_fixture_abi_tests_pass() {
    let lib = rcffi_testkit::fixture::fixture_library();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rcffi"))
        .args(["test", &examples("fixture_tests")])
        .env("RCFFI_FIXTURE", lib)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap();
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(
        passed >= 20 && last.ends_with(" passed, 0 failed"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        passed
    );
}

#[test]
fn a_test_that_crashes_in_c_is_one_failed_test() {
    let junit = std::env::temp_dir().join(format!("rcffi-junit-{}.xml", std::process::id()));
    let dir = file("inputs/crashing");
    let run = rcffi(
        &[
            "test",
            dir.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
        "",
    );
    assert_eq(run.code, 1, &run.stderr);
    let name = |t: &str| format!("{}::{t}", dir.join("test_crash.rhai").display());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("ok     {} ({})", name("test_1_before"), ms(lines[0]))
    );
    assert_eq!(
        lines[1],
        format!(
            "FAILED {}: crashed: SIGSEGV (11) in C",
            name("test_2_segfault")
        )
    );
    assert!(lines[2].starts_with(&format!("ok     {}", name("test_3_between"))));
    assert_eq!(
        lines[3],
        format!("FAILED {}: crashed: SIGABRT (6) in C", name("test_4_abort"))
    );
    assert!(lines[4].starts_with(&format!("ok     {}", name("test_5_after"))));
    assert!(lines[5].starts_with(&format!("FAILED {}: ", name("test_6_fails"))));
    assert!(
        lines[5].ends_with("assertion failed: 2 == 3"),
        "{}",
        lines[5]
    );
    assert_eq!(*lines.last().unwrap(), "3 passed, 3 failed");
    // The output of a file with failures is shown: the top level ran before each test.
    assert_eq!(run.stdout.matches("top level of crash.rhai").count(), 6);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let _ = std::fs::remove_file(&junit);
    assert!(
        xml.contains("<testsuites name=\"rcffi test\" tests=\"6\" failures=\"3\">"),
        "{xml}"
    );
    assert!(xml.contains("name=\"test_2_segfault\""), "{xml}");
    assert!(
        xml.contains("<failure message=\"crashed: SIGSEGV (11) in C\">"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 6);
}

/// The `(N ms)` of an ok line.
fn ms(line: &str) -> &str {
    let open = line.rfind('(').unwrap();
    &line[open + 1..line.len() - 1]
}

#[test]
fn filter_and_timeout() {
    let dir = file("inputs/crashing");
    let run = rcffi(&["test", dir.to_str().unwrap(), "--filter", "between"], "");
    assert_eq(run.code, 0, &run.stderr);
    assert_eq!(run.stdout.lines().last().unwrap(), "1 passed, 0 failed");
    let slow = std::env::temp_dir().join(format!("rcffi-slow-{}.rhai", std::process::id()));
    std::fs::write(
        &slow,
        "fn test_forever() { loop { } }\nfn test_quick() { }\n",
    )
    .unwrap();
    let run = rcffi(&["test", slow.to_str().unwrap(), "--timeout", "1"], "");
    let _ = std::fs::remove_file(&slow);
    assert_eq(run.code, 1, &run.stderr);
    assert!(
        run.stdout.contains("::test_forever: timed out after 1 s"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ok     "), "{}", run.stdout);
    assert_eq!(run.stdout.lines().last().unwrap(), "1 passed, 1 failed");
}

#[test]
fn eval_and_repl() {
    let run = rcffi(
        &["-e", "cdef(\"int abs(int);\"); dlopen(\"c\").abs(-3)"],
        "",
    );
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "3\n"),
        "{}",
        run.stderr
    );
    // 64-bit and wider C integers, and long doubles, print every digit.
    let run = rcffi(
        &[
            "-e",
            "print(cast(\"unsigned long long\", -1)); print(cast(\"long double\", \"0.1\"))",
        ],
        "",
    );
    assert_eq!(run.stdout, "18446744073709551615\n0.1\n", "{}", run.stderr);
    let session = "cdef(\"struct pt { int x, y; };\")\nlet p = new(\"struct pt *\", #{x: 1, y: 2})\np.x = 40\np.x + p.y\nsizeof(\"struct pt\")\n";
    let run = rcffi(&["repl"], session);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "42\n8\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn headers_with_flags() {
    if !common::have_header("zlib.h") {
        return;
    }
    // zlib.h declares its 64-bit offset functions only with _LARGEFILE64_SOURCE.
    let with = "include_headers(\"zlib.h\", #{flags: [\"-D_LARGEFILE64_SOURCE\"]}); dlopen(\"z\").dir().contains(\"gzopen64\")";
    let without = "include_headers(\"zlib.h\"); dlopen(\"z\").dir().contains(\"gzopen64\")";
    assert_eq!(rcffi(&["-e", with], "").stdout, "true\n");
    assert_eq!(rcffi(&["-e", without], "").stdout, "false\n");
    let run = rcffi(&["-e", "include_headers(\"zlib.h\", #{nope: 1})"], "");
    assert!(
        run.stderr
            .contains("takes the options pkg and flags, not 'nope'"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_scripts_say_where() {
    let run = rcffi(&["run", "-"], "let a = ;\n");
    assert_eq(run.code, 2, &run.stderr);
    assert_eq!(run.stderr, "rcffi: -:1:9: Unexpected ';'\n");
    let run = rcffi(&["run", "-"], "\ncdef(\"struct s { int a };\");\n");
    assert_eq(run.code, 1, &run.stderr);
    assert_eq!(
        run.stderr,
        "rcffi: -:2:1: <cdef>:1:18: cannot parse: unexpected '}' (expected '(', ',', ':', ';', '[')\n  struct s { int a };\n                   ^\n"
    );
    let run = rcffi(
        &["run", "-"],
        "fn inner() { new(\"int[2]\")[5] }\nfn outer() { inner() }\nouter();\n",
    );
    assert_eq(run.code, 1, &run.stderr);
    assert!(
        run.stderr.starts_with("rcffi: -:1:27: index too large"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("\n  in inner, called at -:2:14\n  in outer, called at -:3:1"),
        "{}",
        run.stderr
    );
}

/// What a hostile script can do is fail: deep recursion, deep nesting, huge sizes, reads
/// and writes out of bounds, freed memory, another session's data.
#[test]
fn hostile_scripts_fail_cleanly() {
    let cases = [
        ("fn f(x) { f(x + 1) } f(0)", "Stack overflow"),
        (
            &format!("{}1{}", "(".repeat(5000), ")".repeat(5000)),
            "maximum complexity",
        ),
        (
            &format!("let a = {}{};", "[".repeat(5000), "]".repeat(5000)),
            "maximum complexity",
        ),
        ("new(\"char[1000000000000000]\")", "out of memory"),
        ("new(\"char[99999999999999999999]\")", ""),
        ("let a = new(\"int[4]\"); a[-1]", ""),
        ("let a = new(\"int[4]\"); (a + 4)[0]", ""),
        ("let a = new(\"int *\"); a[1] = 5", ""),
        ("cast(\"int *\", 4096)[0]", "does not know this memory"),
        ("let p = new(\"char[]\", \"x\"); string(p + 3)", ""),
        (
            &format!(
                "cdef(\"{}int x{};\")",
                "struct { ".repeat(3000),
                " }".repeat(3000)
            ),
            "",
        ),
        ("typeof(\"int\".pad(100000, '*'))", ""),
        ("memmove(new(\"char[2]\"), \"abcdef\", 6)", ""),
        (
            "string(new(\"char[4]\"), -1)",
            "string takes a length of 0 or more, not -1",
        ),
        (
            "unpack(new(\"int[4]\"), -5)",
            "unpack takes a length of 0 or more, not -5",
        ),
    ];
    for (script, expected) in cases {
        let run = rcffi(&["-e", script], "");
        assert_eq!(run.code, 1, "{script:.60}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.starts_with("rcffi: "),
            "{script:.60}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(expected),
            "{script:.60}: {}",
            run.stderr
        );
    }
}

/// The script examples of the guide and of the crate's README run as written; one with
/// tests passes them under `rcffi test`.
#[test]
fn the_documented_scripts_run() {
    let mut ran = 0;
    for doc in ["../../../docs/guide.md", "../README.md"] {
        let text = std::fs::read_to_string(file(doc)).unwrap();
        for block in text.split("```rhai\n").skip(1) {
            let script = block.split("```").next().unwrap();
            let run = if script.contains("fn test_") {
                let path = std::env::temp_dir()
                    .join(format!("rcffi-doc-{}-{ran}.rhai", std::process::id()));
                std::fs::write(&path, script).unwrap();
                let run = rcffi(&["test", path.to_str().unwrap()], "");
                let _ = std::fs::remove_file(&path);
                assert!(
                    run.stdout.ends_with(" passed, 0 failed\n"),
                    "{}",
                    run.stdout
                );
                run
            } else {
                rcffi(&["run", "-"], script)
            };
            assert_eq(
                run.code,
                0,
                &format!("{doc}:\n{script}\n{}{}", run.stdout, run.stderr),
            );
            ran += 1;
        }
    }
    assert!(ran >= 2, "{ran}");
}

/// A script's callbacks run on the script's thread (its values are not `Send`): C calling one
/// from threads of its own receives the error value, and the failure is reported.
#[test]
fn script_callbacks_stay_on_the_script_thread() {
    let lib = rcffi_testkit::fixture::fixture_library();
    let script = "cdef(\"long long call_from_threads(int (*cb)(int), int nthreads, int count); int call_int_cb(int (*cb)(int), int x);\");\n\
                  let l = dlopen(env(\"RCFFI_FIXTURE\"));\n\
                  let cb = callback(\"int(*)(int)\", |x| x + 1);\n\
                  print(l.call_int_cb(cb, 1));\n\
                  print(l.call_from_threads(cb, 2, 3));\n";
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rcffi"))
        .args(["-e", script])
        .env("RCFFI_FIXTURE", lib)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(stdout, "2\n0\n", "{stderr}");
    assert!(stderr.contains("called on another thread"), "{stderr}");
}

//! `rcffi call` as a user runs it, on the fixture library: each result against the same call
//! made in-process through the library's own API (itself checked against direct calls), the
//! output as a golden file, and bad declarations and arguments answered with status 2.

mod common;

use common::golden;
use rcffi::Value;
use rcffi_testkit::fixture;

fn fixture_args() -> (String, String) {
    let lib = fixture::fixture_library().to_str().unwrap().to_string();
    let cdef = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testkit/fixture/fixture.cdef"
    );
    (lib, cdef.to_string())
}

/// `rcffi call -l FIXTURE -f fixture.cdef ARGS...`.
fn call(args: &[&str]) -> common::Run {
    let (lib, cdef) = fixture_args();
    let mut all = vec!["call", "-l", &lib, "-f", &cdef];
    all.extend_from_slice(args);
    rcffi(&all)
}

fn rcffi(args: &[&str]) -> common::Run {
    common::rcffi(args, "")
}

/// The calls a user makes, printed as a session: the golden file shows what each prints.
#[test]
fn a_session_of_calls() {
    let calls: &[&[&str]] = &[
        &["add", "2", "-3"],
        &["addd", "1.5", "2.25"],
        &["mixed6", "1", "2.5", "-0x10", "0.5", "'a'", "65535"],
        &["id_ullong", "18446744073709551615"],
        &["id_i8", "-128"],
        &["id_char", "A"],
        &["id_bool", "true"],
        &["mid", "{1, 2}", "{.x = 5, .y = 8}"],
        &["nested_echo", "{{1, 2}, {3, 4, 5}, 'z'}", "1"],
        &["f2_swap", "{1.5, -2}"],
        &["take_union", "{.i = 7}"],
        &["sum_arr", "{1, 2, 3, 4}", "4"],
        &["fill", "buf:3", "3", "9"],
        &["fx_strchr", "hello", "108"],
        &["fx_strlen", "\"tab\\there\""],
        &["is_null", "NULL"],
        &["vsum", "3", "10", "20", "30"],
        &["big_make", "2"],
    ];
    let mut session = String::new();
    for args in calls {
        let run = call(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let shown: Vec<String> = args
            .iter()
            .map(|a| {
                if a.contains('\'') {
                    format!("\"{}\"", a.replace('\\', "\\\\").replace('"', "\\\""))
                } else if a.contains([' ', '{', '"']) {
                    format!("'{a}'")
                } else {
                    a.to_string()
                }
            })
            .collect();
        session.push_str(&format!("$ rcffi call {}\n{}", shown.join(" "), run.stdout));
    }
    golden("call.txt", &session);
}

/// What the command prints is what the same call gives through the library.
#[test]
fn results_match_the_library_call() {
    let (ffi, lib) = fixture::open_fixture().unwrap();
    let direct = |name: &str, args: Vec<Value>| {
        // SAFETY: the fixture's functions, with the arguments they take.
        unsafe { lib.call(name, args) }.unwrap()
    };
    let line = |args: &[&str]| {
        let run = call(args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        run.stdout.trim_end().to_string()
    };
    assert_eq!(
        line(&["add", "2", "-3"]),
        direct("add", vec![2.into(), (-3).into()])
            .to_int()
            .unwrap()
            .to_string()
    );
    let v = direct(
        "mixed6",
        vec![
            1.into(),
            2.5.into(),
            (-16).into(),
            0.5.into(),
            97.into(),
            65535.into(),
        ],
    );
    assert_eq!(
        line(&["mixed6", "1", "2.5", "-0x10", "0.5", "'a'", "65535"]),
        format!("{:?}", v.to_f64().unwrap())
    );
    let mid = direct("mid", vec![rcffi::list![1, 2], rcffi::list![5, 8]]);
    let mid = mid.cdata().unwrap();
    assert_eq!(
        line(&["mid", "{1, 2}", "{.x = 5, .y = 8}"]),
        format!(
            "{{x = {}, y = {}}}",
            mid.field("x").unwrap().to_int().unwrap(),
            mid.field("y").unwrap().to_int().unwrap()
        )
    );
    // A long double is read from its text exactly and printed with every digit it has.
    let _ = &ffi;
    let twice = direct("twice_ld", vec![Value::Float(0.1)]);
    let printed = line(&["twice_ld", "0.1"]);
    let exact = twice.cdata().unwrap().to_long_double().unwrap().to_string();
    // 0.1 as a long double is nearer 0.1 than the double 0.1 is: the two differ.
    assert_ne!(printed, exact, "the argument went through a double");
    assert!(printed.starts_with("0.2"), "{printed}");
}

#[test]
fn errno_and_c_output() {
    let run = call(&["--errno", "set_errno", "2"]);
    assert_eq!(run.stdout, "-1\nerrno: 2 (No such file or directory)\n");
    // C's stdio is flushed before the result.
    let run = rcffi(&[
        "call",
        "int printf(const char *, ...)",
        "\"%s=%d %.1f\\n\"",
        "x",
        "42",
        "2.5",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "x=42 2.5\n9\n");
}

#[test]
fn declarations_from_the_command_line_and_headers() {
    let run = rcffi(&[
        "call",
        "-l",
        "m",
        "double pow(double x, double y)",
        "2",
        "10",
    ]);
    assert_eq!(run.stdout, "1024.0\n", "{}", run.stderr);
    let run = rcffi(&[
        "call",
        "typedef struct { int quot, rem; } div_t; div_t div(int, int)",
        "17",
        "5",
    ]);
    assert_eq!(run.stdout, "{quot = 3, rem = 2}\n", "{}", run.stderr);
    if common::have_header("zlib.h") {
        // The header declares crc32 and Z_NULL; crc32 of "hello" is zlib's 907060870.
        let run = rcffi(&[
            "call", "-l", "z", "-H", "zlib.h", "crc32", "0", "hello", "5",
        ]);
        assert_eq!(run.stdout, "907060870\n", "{}", run.stderr);
        let run = rcffi(&[
            "call", "-l", "z", "-H", "zlib.h", "crc32", "Z_NULL", "NULL", "0",
        ]);
        assert_eq!(run.stdout, "0\n", "{}", run.stderr);
    }
}

#[test]
fn bad_calls_say_what_is_wrong() {
    let run = rcffi(&["call", "int abs(int"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("rcffi: <declaration>:1:12: cannot parse"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("\n  int abs(int;\n             ^"),
        "{}",
        run.stderr
    );
    let run = rcffi(&["call", "int abs(int)", "1", "2"]);
    assert_eq!(
        run.stderr,
        "rcffi: 'int(*)(int)' takes 1 argument, and 2 were given\n"
    );
    let run = rcffi(&["call", "int abs(int)", "ten"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("rcffi: argument 1 (\"ten\") for 'int': 'ten' is not a number"),
        "{}",
        run.stderr
    );
    let run = rcffi(&["call", "int abs(int)", "1.5"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let run = rcffi(&[
        "call",
        "-l",
        "no_such_library_anywhere",
        "int abs(int)",
        "1",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no_such_library_anywhere"),
        "{}",
        run.stderr
    );
    let run = rcffi(&["call", "int no_such_function(int)", "1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no_such_function"), "{}", run.stderr);
    let run = rcffi(&["call", "int x;"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("declares no function"),
        "{}",
        run.stderr
    );
    let other = if cfg!(target_arch = "aarch64") {
        "x86_64"
    } else {
        "aarch64"
    };
    let run = rcffi(&["call", "--target", other, "int abs(int)", "-1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is for rcffi layout"), "{}", run.stderr);
    let run = call(&["sum_arr", "buf:x", "1"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("buf:N takes a number"),
        "{}",
        run.stderr
    );
}

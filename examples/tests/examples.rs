//! Every example program runs, and what it prints is checked against an independent answer
//! (a round trip, known query rows, the user database, Rust's own math).

use std::process::Command;

fn run(bin: &str, args: &[&str]) -> String {
    let exe = match bin {
        "zlib" => env!("CARGO_BIN_EXE_zlib"),
        "sqlite" => env!("CARGO_BIN_EXE_sqlite"),
        "passwd" => env!("CARGO_BIN_EXE_passwd"),
        "datapoint" => env!("CARGO_BIN_EXE_datapoint"),
        "sin_address" => env!("CARGO_BIN_EXE_sin_address"),
        "headers" => env!("CARGO_BIN_EXE_headers"),
        "gmp" => env!("CARGO_BIN_EXE_gmp"),
        "sha256" => env!("CARGO_BIN_EXE_sha256"),
        "typed" => env!("CARGO_BIN_EXE_typed"),
        "env_time" => env!("CARGO_BIN_EXE_env_time"),
        "records" => env!("CARGO_BIN_EXE_records"),
        "sorting" => env!("CARGO_BIN_EXE_sorting"),
        other => panic!("no example {other}"),
    };
    let out = Command::new(exe)
        .args(args)
        .output()
        .expect("run the example");
    assert!(
        out.status.success(),
        "{bin} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// CRC-32 (IEEE), bit by bit: the independent answer for zlib's crc32.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn zlib_round_trips_and_its_crc32_is_right() {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(50);
    let out = run("zlib", &[&text]);
    assert!(
        out.contains(&format!("compress2: {} bytes -> ", text.len())),
        "{out}"
    );
    let packed: usize = out
        .lines()
        .find_map(|l| l.split(" -> ").nth(1)?.strip_suffix(" bytes")?.parse().ok())
        .expect("a compress2 line");
    assert!(packed < text.len() / 10, "{out}");
    assert!(out.contains(&format!(
        "uncompress: {} bytes, identical to the original",
        text.len()
    )));
    assert!(
        out.contains(&format!("crc32 = {:#010x}", crc32(text.as_bytes()))),
        "{out}"
    );
    assert!(out.contains(&format!(
        "crc32(\"hello world\") = {:#010x}",
        crc32(b"hello world")
    )));
}

#[test]
fn sqlite_returns_the_rows_it_was_given() {
    let out = run("sqlite", &[]);
    let want = "\
  name=Jupiter moons=95
  name=Mars moons=2
  name=Earth moons=1
";
    assert!(out.contains(want), "{out}");
    let want = "\
  Mercury at 0.39 AU
  Venus at 0.72 AU
  Earth at 1.0 AU
";
    assert!(out.contains(want), "{out}");
    assert!(
        out.contains("a bad query: rc 1, no such table: moons"),
        "{out}"
    );
}

#[test]
fn passwd_matches_the_user_database() {
    let out = run("passwd", &[]);
    let uid = Command::new("id").arg("-u").output().expect("id -u");
    let uid = String::from_utf8(uid.stdout).unwrap().trim().to_string();
    assert!(out.contains(&format!("uid {uid}:")), "{out}");
    let entry = Command::new("getent")
        .args(["passwd", &uid])
        .output()
        .expect("getent");
    let entry = String::from_utf8(entry.stdout).unwrap();
    let f: Vec<&str> = entry.trim().split(':').collect();
    assert_eq!(f.len(), 7, "{entry}");
    assert!(out.contains(&format!("  pw_name   {}\n", f[0])), "{out}");
    assert!(out.contains(&format!("  pw_dir    {}\n", f[5])), "{out}");
    assert!(out.contains(&format!("  pw_shell  {}\n", f[6])), "{out}");
    assert!(out.contains(&format!("  pw_gid    {}\n", f[3])), "{out}");
}

#[test]
fn datapoint_sums_in_c() {
    let out = run("datapoint", &[]);
    assert!(
        out.contains(
            "add_data of 3 points = {x: 4.75, y: 5.0}  (<cdata 'DataPoint' owning 16 bytes>)"
        ),
        "{out}"
    );
}

#[test]
fn sin_through_its_address_is_sin() {
    let out = run("sin_address", &[]);
    for x in [
        0.0,
        std::f64::consts::FRAC_PI_6,
        std::f64::consts::FRAC_PI_2,
    ] {
        let want = format!("sin({x:.6}) = {}", rcffi::Value::Float(x.sin()));
        assert!(out.contains(&want), "{want} not in {out}");
    }
}

#[test]
fn headers_imports_zlib_with_its_macros() {
    // The independent answer: gcc's own list of zlib.h's macros.
    let Ok(dm) = Command::new("gcc")
        .args(["-dM", "-E", "-x", "c", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write as _;
            c.stdin
                .take()
                .expect("stdin")
                .write_all(b"#include <zlib.h>\n")?;
            c.wait_with_output()
        })
    else {
        eprintln!("gcc is not installed: skipped");
        return;
    };
    if !dm.status.success() {
        eprintln!("zlib.h is not installed: skipped");
        return;
    }
    let out = run("headers", &["zlib.h"]);
    assert!(out.contains("names declared"), "{out}");
    let with_value: usize = out
        .split("names declared (")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a count of macros");
    // Every macro whose body is a plain integer literal (`#define Z_OK 0`, `(-1)`) must be
    // among them: a lower bound computed from gcc's list alone.
    let literal = String::from_utf8_lossy(&dm.stdout)
        .lines()
        .filter(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.len() == 3 && w[0] == "#define" && !w[1].contains('(') && {
                let body = w[2].trim_start_matches('(').trim_end_matches(')');
                let digits = body
                    .trim_start_matches('-')
                    .trim_end_matches(['u', 'U', 'l', 'L']);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            }
        })
        .count();
    assert!(literal > 100, "gcc listed only {literal} integer macros");
    assert!(
        with_value >= literal,
        "{with_value} macros with a value, {literal} integer literals"
    );
}

/// Whether gcc can include `header` here (its -dev package is installed).
fn have_header(header: &str) -> bool {
    use std::io::Write as _;
    let ok = Command::new("gcc")
        .args(["-E", "-x", "c", "-", "-o", "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut c| {
            c.stdin
                .take()
                .expect("stdin")
                .write_all(format!("#include <{header}>\n").as_bytes())?;
            c.wait()
        })
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("{header} is not installed: skipped");
    }
    ok
}

#[test]
fn gmp_factorial_through_renaming_macros() {
    if !have_header("gmp.h") {
        return;
    }
    let out = run("gmp", &["30"]);
    let want: u128 = (1..=30u128).product();
    assert!(out.contains(&format!("30! = {want}\n")), "{out}");
}

#[test]
fn sha256_matches_sha256sum() {
    if !have_header("openssl/evp.h") {
        return;
    }
    let text = "The quick brown fox jumps over the lazy dog";
    let out = run("sha256", &[text]);
    // The independent answer: coreutils' sha256sum of the same bytes.
    let Ok(mut child) = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!("sha256sum is not installed: skipped");
        return;
    };
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write");
    }
    let sum = child.wait_with_output().expect("sha256sum");
    let sum = String::from_utf8_lossy(&sum.stdout);
    let hex = sum.split_whitespace().next().expect("a digest");
    assert!(
        out.contains(&format!(" = {hex}")),
        "{out}\nsha256sum: {hex}"
    );
}

#[test]
fn typed_calls_give_zlibs_and_libcs_answers() {
    let text = "typed calls are plain calls. ".repeat(40);
    let out = run("typed", &[&text]);
    assert!(
        out.contains(&format!("crc32: {:08x}", crc32(text.as_bytes()))),
        "{out}"
    );
    assert!(out.contains("uncompress: round trip ok"), "{out}");
    assert!(
        out.contains(&format!(
            "div(47, 5) = {{ quot: {}, rem: {} }}",
            47 / 5,
            47 % 5
        )),
        "{out}"
    );
    let mut words: Vec<&str> = text.split_whitespace().take(5).collect();
    words.extend(["a", "zebra", "of"]);
    words.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    assert!(
        out.contains(&format!("sorted by length: {}", words.join(" "))),
        "{out}"
    );
}

/// The civil (proleptic Gregorian) date of a day count since 1970-01-01: the independent
/// answer for gmtime_r and strftime.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[test]
fn env_time_reads_the_environment_and_the_clock() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let out = run("env_time", &["PATH"]);
    let path = std::env::var("PATH").unwrap();
    assert!(out.contains(&format!("PATH = {path}\n")), "{out}");
    let secs: i64 = out
        .lines()
        .find_map(|l| {
            l.strip_prefix("seconds since 1970: ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .expect("a seconds line");
    assert!((before..before + 60).contains(&secs), "{out}");
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let want = format!(
        "now: {y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        t / 3600,
        t / 60 % 60,
        t % 60
    );
    assert!(out.contains(&want), "{out}\nwant: {want}");
    let out = run("env_time", &["RCFFI_SURELY_UNSET_VARIABLE"]);
    assert!(
        out.contains("RCFFI_SURELY_UNSET_VARIABLE is not set"),
        "{out}"
    );
}

#[test]
fn records_come_out_as_rust_types() {
    let address = "fe80::1:2:abcd";
    let out = run("records", &[address]);
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert!(
        out.contains(&format!("system: Linux {}\n", release.trim())),
        "{out}"
    );
    let ip: std::net::Ipv6Addr = address.parse().unwrap();
    assert!(out.contains(&format!("bytes: {:?}", ip.octets())), "{out}");
    assert!(
        out.contains(&format!("words: {:x?}", ip.segments())),
        "{out}"
    );
    let mut rows = vec![[3i16, 1], [1, 2], [2, 0]];
    rows.sort();
    assert!(out.contains(&format!("rows: {rows:?}")), "{out}");
    // 1970-01-01 was a Thursday (day 4), in year 1900 + 70.
    assert!(
        out.contains(r#""tm_wday": Int(4)"#) && out.contains(r#""tm_year": Int(70)"#),
        "{out}"
    );
    assert!(!out.contains("tm_zone"), "{out}");
}

#[test]
fn sorting_orders_searches_and_reports_a_failing_comparator() {
    let words = ["delta", "ox", "alpha", "cat", "ab", "zebra"];
    let out = run("sorting", &words);
    let mut want = words.to_vec();
    want.sort_by(|a, b| (b.len(), b).cmp(&(a.len(), a)));
    assert!(out.contains(&format!("longest first: {want:?}")), "{out}");
    let mut lengths: Vec<i32> = words.iter().map(|w| (w.len() * 7 % 10) as i32).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let found = if lengths.contains(&7) {
        "found"
    } else {
        "missing"
    };
    assert!(
        out.contains(&format!("7 is {found} among {lengths:?}")),
        "{out}"
    );
    assert!(
        out.contains("a failing comparator: callback of type")
            && out.contains("this comparator fails"),
        "{out}"
    );
}

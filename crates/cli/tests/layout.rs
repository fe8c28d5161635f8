//! `rcffi layout` as a user runs it: its text and JSON as golden files, its JSON checked
//! against gcc on generated records (for each target whose compiler is installed), and bad
//! input answered with the caret message and exit status 2.

mod common;

use std::fmt::Write as _;

use common::{file, golden, have_header, rcffi};
use rcffi::Target;
use rcffi_testkit::{generate, oracle};
use serde_json::Value as Json;

#[test]
fn text_of_every_record_of_a_file() {
    let input = file("inputs/layout.cdef");
    let run = rcffi(
        &[
            "layout",
            "--target",
            "x86_64",
            "-f",
            input.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    golden("layout.txt", &run.stdout);
}

#[test]
fn json_of_named_types() {
    let input = file("inputs/layout.cdef");
    let run = rcffi(
        &[
            "layout",
            "--json",
            "--target",
            "x86_64",
            "-f",
            input.to_str().unwrap(),
            "struct flags",
            "struct tagged",
            "unsigned long",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    golden("layout-x86_64.json", &run.stdout);
}

#[test]
fn declarations_on_stdin_and_another_target() {
    let text = "struct s { char c; long double x; wchar_t w; };";
    let host = rcffi(&["layout", "--target", "x86_64"], text);
    let arm = rcffi(&["layout", "--target", "aarch64"], text);
    assert_eq!(
        (host.code, arm.code),
        (0, 0),
        "{}{}",
        host.stderr,
        arm.stderr
    );
    // x87's long double is 16 bytes aligned to 16 on both; wchar_t is 4 bytes, at 32.
    assert!(
        host.stdout.contains("size: 48, align: 16"),
        "{}",
        host.stdout
    );
    assert!(arm.stdout.contains("size: 48, align: 16"), "{}", arm.stdout);
    let json = rcffi(&["layout", "--json", "--target", "aarch64"], text);
    let doc: Json = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["target"], "aarch64-linux");
}

#[test]
fn a_header_record() {
    if !have_header("zlib.h") {
        return;
    }
    let run = rcffi(&["layout", "-H", "zlib.h", "z_stream"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("z_stream {"), "{}", run.stdout);
    assert!(run.stdout.contains("size: 112, align: 8"), "{}", run.stdout);
}

#[test]
fn bad_input_gives_the_caret_message_and_status_2() {
    let run = rcffi(&["layout"], "struct s { int a }; ");
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "rcffi: <stdin>:1:18: cannot parse: unexpected '}' (expected '(', ',', ':', ';', '[')\n  \
         struct s { int a }; \n                   ^\n"
    );
    let run = rcffi(&["layout", "strcut s"], "struct s { int a; };");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown identifier 'strcut'"),
        "{}",
        run.stderr
    );
    let run = rcffi(&["layout", "struct opaque"], "struct opaque;");
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("opaque"), "{}", run.stderr);
    let run = rcffi(&["layout", "--target", "riscv"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unknown target 'riscv'"),
        "{}",
        run.stderr
    );
}

/// The C probe stating what `rcffi layout --json` said of each record: `_Static_assert`s of
/// sizes, alignments and offsets, and a global per bitfield set to all ones (its bytes
/// compared with the bits the JSON names).
fn probe(doc: &Json) -> (String, Vec<(String, Vec<u8>)>) {
    let mut src = String::new();
    let mut bitfields = Vec::new();
    for t in doc["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let size = t["size"].as_u64().unwrap();
        let _ = writeln!(
            src,
            "_Static_assert(sizeof({name}) == {size}, \"sizeof {name}\");\n\
             _Static_assert(_Alignof({name}) == {}, \"_Alignof {name}\");",
            t["align"]
        );
        members(
            name,
            size,
            t["members"].as_array().unwrap(),
            &mut src,
            &mut bitfields,
        );
    }
    (src, bitfields)
}

fn members(
    record: &str,
    size: u64,
    list: &[Json],
    src: &mut String,
    bitfields: &mut Vec<(String, Vec<u8>)>,
) {
    for m in list {
        if m["hole"] == true {
            continue;
        }
        if let Some(nested) = m["members"].as_array()
            && m["name"].is_null()
        {
            // An anonymous member: its members are the record's.
            members(record, size, nested, src, bitfields);
            continue;
        }
        let Some(name) = m["name"].as_str() else {
            continue; // an unnamed bitfield
        };
        let member = format!("(({record} *)0)->{name}");
        if m["bitfield"].is_object() {
            let symbol = format!("bf_{}", bitfields.len());
            let _ = writeln!(src, "{record} {symbol} = {{ .{name} = -1 }};");
            let width = if m["type"] == "_Bool" {
                1
            } else {
                m["bit_size"].as_u64().unwrap()
            };
            let first = m["bit_offset"].as_u64().unwrap();
            let mut expect = vec![0u8; size as usize];
            for bit in first..first + width {
                expect[(bit / 8) as usize] |= 1 << (bit % 8);
            }
            bitfields.push((symbol, expect));
            continue;
        }
        let _ = writeln!(
            src,
            "_Static_assert(__builtin_offsetof({record}, {name}) == {}, \"offsetof {record} {name}\");",
            m["offset"]
        );
        if !m["declaration"].as_str().unwrap().ends_with("[]") {
            let _ = writeln!(
                src,
                "_Static_assert(sizeof({member}) == {} && _Alignof(__typeof__({member})) == {}, \
                 \"size and alignment of {record} {name}\");",
                m["size"], m["align"]
            );
        }
    }
}

/// Each target the command takes whose gcc is installed: the target, its `--target` name, and
/// its compiler.
fn targets() -> Vec<(Target, &'static str, oracle::Compiler)> {
    [
        (Target::x86_64_linux(), "x86_64"),
        (Target::aarch64_linux(), "aarch64"),
    ]
    .into_iter()
    .filter_map(
        |(target, flag)| match oracle::Compiler::for_target(&target) {
            Some(cc) => Some((target, flag, cc)),
            None => {
                eprintln!("no compiler for {flag}: skipped");
                None
            }
        },
    )
    .collect()
}

/// Generated records (bitfields, packing, alignment, unions, anonymous members) through the
/// command, judged by gcc for each target it can compile for.
#[test]
fn json_layouts_agree_with_gcc() {
    for (target, flag, cc) in targets() {
        let mut checked = 0;
        for seed in 0..4 {
            let batch = generate::records(0xC11 + seed, 60, &format!("c{seed}_"));
            let run = rcffi(&["layout", "--json", "--target", flag], &batch.text);
            assert_eq!(run.code, 0, "{}", run.stderr);
            let doc: Json = serde_json::from_str(&run.stdout).unwrap();
            let (asserts, bitfields) = probe(&doc);
            let source = format!("#include <stddef.h>\n{}\n{asserts}", batch.text);
            let asm = cc.assemble(&source).unwrap_or_else(|e| {
                panic!("gcc disagrees with rcffi layout ({flag}, seed {seed}): {e:#}")
            });
            let data = oracle::parse_data(&asm, target.arch);
            for (symbol, expect) in &bitfields {
                assert_eq!(
                    data.get(symbol),
                    Some(expect),
                    "{symbol} ({flag}, seed {seed})"
                );
            }
            checked += doc["types"].as_array().unwrap().len();
        }
        assert!(checked >= 200, "{checked} records checked for {flag}");
    }
}

/// `--pkg` adds a package's flags; without `-H`, the headers of its own include directories,
/// which zlib (in /usr/include) does not have: the message says to name the header.
#[test]
fn packages_through_pkg_config() {
    let has_pc = std::process::Command::new("pkg-config")
        .args(["--exists", "zlib"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pc || !have_header("zlib.h") {
        eprintln!("pkg-config or zlib's .pc is missing: skipped");
        return;
    }
    let run = rcffi(&["layout", "--pkg", "zlib"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("name its header with -H"),
        "{}",
        run.stderr
    );
    let run = rcffi(
        &["layout", "--pkg", "zlib", "-H", "zlib.h", "gz_header"],
        "",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("gz_header {"), "{}", run.stdout);
    let run = rcffi(&["layout", "--pkg", "no-such-package-anywhere"], "");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no-such-package-anywhere"),
        "{}",
        run.stderr
    );
}

/// Records of real headers, laid out for each target from that target's headers (its cross
/// preprocessor), judged by that target's gcc: `struct stat` differs between x86-64 (144
/// bytes) and AArch64 (128).
#[test]
fn real_header_records_per_target_agree_with_gcc() {
    for (_, flag, cc) in targets() {
        let types = [
            "struct stat",
            "struct timespec",
            "struct tm",
            "struct sockaddr_in",
            "struct dirent",
        ];
        let mut args = vec!["layout", "--json", "--target", flag];
        for h in ["sys/stat.h", "time.h", "netinet/in.h", "dirent.h"] {
            args.extend(["-H", h]);
        }
        args.extend(types);
        let run = rcffi(&args, "");
        assert_eq!(run.code, 0, "{flag}: {}", run.stderr);
        let doc: Json = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(doc["types"].as_array().unwrap().len(), types.len());
        let (asserts, bitfields) = probe(&doc);
        let source = format!(
            "#include <stddef.h>\n#include <sys/stat.h>\n#include <time.h>\n#include <netinet/in.h>\n#include <dirent.h>\n{asserts}"
        );
        cc.assemble(&source)
            .unwrap_or_else(|e| panic!("gcc disagrees with rcffi layout ({flag}): {e:#}"));
        assert!(bitfields.is_empty());
    }
}

//! The README's console examples, run as written: each `$ rcffi ...` line (with `echo ... |`
//! for stdin) must print what the README shows. Examples that elide output (`...`) are not
//! compared.

mod common;

/// Splits a shell line into words: single quotes only, as the README uses.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn console_examples_print_what_they_show() {
    let readme = std::fs::read_to_string(common::file("../README.md")).unwrap();
    let mut checked = 0;
    for block in readme.split("```console\n").skip(1) {
        let block = block.split("```").next().unwrap();
        if block.contains("...") {
            continue;
        }
        let mut lines = block.lines().peekable();
        while let Some(line) = lines.next() {
            let command = line.strip_prefix("$ ").expect("a command line");
            let mut expected = String::new();
            while let Some(l) = lines.next_if(|l| !l.starts_with("$ ")) {
                expected.push_str(l);
                expected.push('\n');
            }
            let (stdin, command) = match command.split_once(" | ") {
                Some((echo, rest)) => {
                    let text = words(echo.strip_prefix("echo ").unwrap()).join(" ");
                    (format!("{text}\n"), rest)
                }
                None => (String::new(), command),
            };
            let args = words(command);
            assert_eq!(args[0], "rcffi");
            if args.iter().any(|a| a.ends_with(".h")) && !common::have_header("fcntl.h") {
                continue;
            }
            let refs: Vec<&str> = args[1..].iter().map(String::as_str).collect();
            let run = common::rcffi(&refs, &stdin);
            assert_eq!(run.stdout, expected, "{line}\n{}", run.stderr);
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked}");
}

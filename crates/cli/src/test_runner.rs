//! `rcffi test`: every `test_*` function of every script, each in a session of its own (the
//! script's top level runs again before it), each file in a child process so that a test
//! that crashes in C (a signal) is one failed test and the file's other tests still run.
//!
//! The child (`rcffi __test-file FILE START REPORT`) writes its progress to the report file,
//! one line per event — `tests N`, `start I`, `pass I MS`, `fail I MESSAGE` — flushed as it
//! goes; the parent reads it when the child ends, and starts a new child after a test that
//! did not finish.

use crate::out::outln;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use rhai::Scope;

use crate::script::Session;

/// `rcffi test`'s arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Script files, or directories searched for `*.rhai` files (the current directory when
    /// none is given)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Run only the tests whose name contains this
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Write a JUnit XML report here (for CI systems)
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Fail a test that runs longer than this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    timeout: u64,
}

/// One test's outcome.
struct Outcome {
    file: String,
    name: String,
    failure: Option<String>,
    time: Duration,
}

/// Runs `rcffi test`.
pub(crate) fn run(args: Args) -> Result<ExitCode> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut files = Vec::new();
    for p in &paths {
        collect(p, &mut files)?;
    }
    let mut outcomes = Vec::new();
    for file in &files {
        run_file(file, &args, &mut outcomes)?;
    }
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    outln!("{} passed, {failed} failed", outcomes.len() - failed);
    if let Some(path) = &args.junit {
        std::fs::write(path, junit(&outcomes))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The script files under `path`, sorted.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("reading {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            collect(&e, out)?;
        } else if e.extension().is_some_and(|x| x == "rhai") {
            out.push(e);
        }
    }
    Ok(())
}

/// Runs one file's tests in child processes, printing a line per test.
fn run_file(file: &Path, args: &Args, outcomes: &mut Vec<Outcome>) -> Result<()> {
    let shown = file.display().to_string();
    let report = std::env::temp_dir().join(format!(
        "rcffi-test-{}-{}.report",
        std::process::id(),
        outcomes.len()
    ));
    let mut start = 0;
    let mut captured = String::new();
    let mut any_failed = false;
    loop {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("__test-file")
            .arg(file)
            .arg(start.to_string())
            .arg(&report)
            .arg(args.filter.as_deref().unwrap_or(""))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting a test process")?;
        // The pipes are read on threads, so that a test printing much cannot block.
        let out = child.stdout.take().map(reader);
        let err = child.stderr.take().map(reader);
        let began = Instant::now();
        let (status, timed_out) = loop {
            if let Some(s) = child.try_wait()? {
                break (s, false);
            }
            if began.elapsed() > Duration::from_secs(args.timeout) {
                let _ = child.kill();
                break (child.wait()?, true);
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        for r in [out, err].into_iter().flatten() {
            captured.push_str(&r.join().unwrap_or_default());
        }
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let _ = std::fs::remove_file(&report);
        let events = parse_report(&text);
        let mut names: Vec<String> = Vec::new();
        let mut running: Option<(usize, Instant)> = None;
        let mut finished_upto = start;
        for e in &events {
            match e {
                Event::Tests(list) => names = list.clone(),
                Event::Error(message) => {
                    outln!("FAILED {shown}: {message}");
                    outcomes.push(Outcome {
                        file: shown.clone(),
                        name: "<script>".into(),
                        failure: Some(message.clone()),
                        time: Duration::ZERO,
                    });
                    any_failed = true;
                }
                Event::Start(i) => running = Some((*i, Instant::now())),
                Event::Done(i, ms, failure) => {
                    running = None;
                    finished_upto = i + 1;
                    let name = names.get(*i).cloned().unwrap_or_default();
                    let time = Duration::from_millis(*ms);
                    match failure {
                        None => outln!("ok     {shown}::{name} ({ms} ms)"),
                        Some(f) => {
                            outln!("FAILED {shown}::{name}: {}", f.replace('\n', "\n       "));
                            any_failed = true;
                        }
                    }
                    outcomes.push(Outcome {
                        file: shown.clone(),
                        name,
                        failure: failure.clone(),
                        time,
                    });
                }
            }
        }
        if let Some((i, _)) = running {
            // The child died inside test `i`: a crash (a signal) or the timeout.
            let name = names.get(i).cloned().unwrap_or_default();
            let why = if timed_out {
                format!("timed out after {} s", args.timeout)
            } else {
                describe_exit(status)
            };
            outln!("FAILED {shown}::{name}: {why}");
            outcomes.push(Outcome {
                file: shown.clone(),
                name,
                failure: Some(why),
                time: began.elapsed(),
            });
            any_failed = true;
            start = i + 1;
            if start < names.len() {
                continue;
            }
        } else if !status.success()
            && events.iter().all(|e| !matches!(e, Event::Error(_)))
            && finished_upto < names.len().max(1)
        {
            bail!(
                "the test process for {shown} ended without a report ({})",
                describe_exit(status)
            );
        }
        break;
    }
    if any_failed && !captured.trim().is_empty() {
        outln!("---- output of {shown} ----\n{}", captured.trim_end());
    }
    Ok(())
}

/// Reads a pipe to its end on a thread.
fn reader(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// How a process ended, for a failed test.
fn describe_exit(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match status.signal() {
        Some(sig) => {
            let name = match sig {
                4 => "SIGILL",
                6 => "SIGABRT",
                7 => "SIGBUS",
                8 => "SIGFPE",
                9 => "SIGKILL",
                11 => "SIGSEGV",
                _ => "a signal",
            };
            format!("crashed: {name} ({sig}) in C")
        }
        None => format!(
            "the test process exited with status {}",
            status.code().unwrap_or(-1)
        ),
    }
}

enum Event {
    Tests(Vec<String>),
    Error(String),
    Start(usize),
    Done(usize, u64, Option<String>),
}

fn parse_report(text: &str) -> Vec<Event> {
    let unescape = |s: &str| s.replace("\\n", "\n").replace("\\\\", "\\");
    text.lines()
        .filter_map(|line| {
            let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
            match kind {
                "tests" => Some(Event::Tests(
                    rest.split_whitespace().map(str::to_string).collect(),
                )),
                "error" => Some(Event::Error(unescape(rest))),
                "start" => rest.parse().ok().map(Event::Start),
                "pass" | "fail" => {
                    let mut parts = rest.splitn(3, ' ');
                    let i = parts.next()?.parse().ok()?;
                    let ms = parts.next()?.parse().ok()?;
                    let failure = (kind == "fail").then(|| unescape(parts.next().unwrap_or("")));
                    Some(Event::Done(i, ms, failure))
                }
                _ => None,
            }
        })
        .collect()
}

fn junit(outcomes: &[Outcome]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut files: Vec<&str> = outcomes.iter().map(|o| o.file.as_str()).collect();
    files.dedup();
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"rcffi test\" tests=\"{}\" failures=\"{failed}\">",
        outcomes.len()
    );
    for f in files {
        let mine: Vec<&Outcome> = outcomes.iter().filter(|o| o.file == f).collect();
        let fails = mine.iter().filter(|o| o.failure.is_some()).count();
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\">",
            esc(f),
            mine.len()
        );
        for o in mine {
            let _ = write!(
                x,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                esc(f),
                esc(&o.name),
                o.time.as_secs_f64()
            );
            match &o.failure {
                None => x.push_str("/>\n"),
                Some(m) => {
                    let _ = writeln!(
                        x,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        esc(m.lines().next().unwrap_or("")),
                        esc(m)
                    );
                }
            }
        }
        x.push_str("  </testsuite>\n");
    }
    x.push_str("</testsuites>\n");
    x
}

/// The child's side: runs the tests of `file` from number `start`, writing the report.
pub(crate) fn child(file: &Path, start: usize, report: &Path, filter: &str) -> ExitCode {
    let Ok(mut out) = std::fs::File::create(report) else {
        return ExitCode::from(2);
    };
    let mut say = |line: String| {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    let escape = |s: &str| s.replace('\\', "\\\\").replace('\n', "\\n");
    let text = match crate::run::read(file) {
        Ok(t) => t,
        Err(e) => {
            say(format!("error {}", escape(&format!("{e:#}"))));
            return ExitCode::FAILURE;
        }
    };
    let name = file.display().to_string();
    // The test functions: no parameters, named test_*, in the order of their names.
    let probe = Session::new(Vec::new());
    let ast = match probe.compile(&name, &text) {
        Ok(a) => a,
        Err(e) => {
            say(format!("error {}", escape(&e)));
            return ExitCode::FAILURE;
        }
    };
    let mut tests: Vec<String> = ast
        .iter_functions()
        .filter(|f| f.name.starts_with("test_") && f.params.is_empty())
        .map(|f| f.name.to_string())
        .filter(|n| n.contains(filter))
        .collect();
    tests.sort();
    say(format!("tests {}", tests.join(" ")));
    drop(probe);
    for (i, test) in tests.iter().enumerate().skip(start) {
        say(format!("start {i}"));
        let began = Instant::now();
        let result = Session::for_script(Vec::new(), &name, &text)
            .and_then(|(session, ast)| session.call(&mut Scope::new(), &ast, test));
        crate::c_stdio::flush();
        let ms = began.elapsed().as_millis();
        match result {
            Ok(_) => say(format!("pass {i} {ms}")),
            Err(e) => say(format!("fail {i} {ms} {}", escape(&e))),
        }
    }
    ExitCode::SUCCESS
}

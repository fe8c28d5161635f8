//! The command's standard output: a reader that stops reading (`rcffi layout | head`) ends
//! the command quietly, as it ends `cat`, instead of a panic in `println!`.

use std::fmt;
use std::io::{ErrorKind, Write as _};

/// Writes `args` and a newline to stdout.
pub(crate) fn line(args: fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{args}") {
        closed(&e);
    }
}

/// Writes `text` to stdout as it is.
pub(crate) fn text(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        closed(&e);
    }
}

/// A write to stdout failed: a closed pipe ends the command with success; any other failure
/// is said on stderr, once, and ends it with failure.
fn closed(e: &std::io::Error) -> ! {
    if e.kind() == ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("rcffi: cannot write the output: {e}");
    std::process::exit(1);
}

/// `println!` through [`line()`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

//! Runnable rcffi programs against the system's own C library and other real libraries.
//!
//! Each program is a binary of this package, and each is also run by the test suite, which
//! checks what it prints against an independent answer:
//!
//! - `tour` — libc and libm from pasted declarations: `strlen`, `printf`, `div`, `qsort` with a
//!   Rust closure, `strftime`, `readdir`, `environ`, errno, layouts, errors;
//! - `zlib` — `compress2`/`uncompress` round trip and `crc32`, declarations from `zlib.h`;
//! - `sqlite` — an in-memory database, `sqlite3_exec` with a row callback, prepared statements;
//! - `passwd` — `getpwuid` and `struct passwd`;
//! - `headers` — imports installed headers (declarations and macros) and reports on them;
//! - `datapoint` — the seed article's `DataPoint add_data(const DataPoint *, unsigned)` in a C
//!   library built on the spot;
//! - `sin_address` — `sin`'s address cast to `double(*)(double)` and called.
//!
//! `cargo run -p rcffi-examples --bin <name>`.

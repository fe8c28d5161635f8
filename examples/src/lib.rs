//! Runnable rcffi programs against the system's own C library and other real libraries.
//!
//! Each program is a binary of this package, and each is also run by the test suite, which
//! checks what it prints against an independent answer:
//!
//! - `tour` — libc and libm from pasted declarations: `strlen`, `printf`, `div`, `qsort` with a
//!   Rust closure, `strftime`, `readdir`, `environ`, errno, layouts, errors;
//! - `zlib` — `zlib.h` imported (`include_headers`): `compress2`/`uncompress` round trip,
//!   `crc32`, and streaming through `deflateInit`, a macro that calls `deflateInit_`;
//! - `sqlite` — `sqlite3.h` imported: an in-memory database, `sqlite3_exec` with a row
//!   callback, prepared statements (`SQLITE_TRANSIENT` from the header);
//! - `gmp` — `gmp.h` imported: `mpz_fac_ui` and friends, which the header renames with macros;
//! - `sha256` — `openssl/evp.h` imported: SHA-256 through OpenSSL's EVP functions;
//! - `passwd` — `getpwuid` and `struct passwd`, from declarations pasted into a `cdef` (the
//!   way without headers, for comparison);
//! - `headers` — imports installed headers (declarations and macros) and reports on them;
//! - `datapoint` — the seed article's `DataPoint add_data(const DataPoint *, unsigned)` in a C
//!   library built on the spot;
//! - `sin_address` — `sin`'s address cast to `double(*)(double)` and called;
//! - `env_time` — a newcomer's first program: `getenv`, `gettimeofday`, `gmtime_r` and
//!   `strftime`;
//! - `records` — C records out to Rust types: `char` arrays as `String`s, a union as `[u8; 16]`
//!   and `[u16; 8]`, a `short[3][2]` sorted by rows as `Vec<[i16; 2]>`, `struct tm` as a map;
//! - `sorting` — `qsort_r` with a Rust value passed as a handle, `bsearch` with a closure
//!   borrowing its key, and a failing comparator whose error the call returns.
//!
//! The last three show their Python cffi versions beside them, in their docs.
//!
//! `cargo run -p rcffi-examples --bin <name>`.

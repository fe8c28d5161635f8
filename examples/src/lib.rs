//! Runnable rcffi programs against the system's own C library and other real libraries.
//!
//! Each program is a binary of this package (`cargo run -p rcffi-examples --bin tour`), and
//! each is also run by the test suite, which checks what it prints.

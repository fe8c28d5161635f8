//! Prints the generated cffi-subset cdef text used by the benchmarks.
//!
//! `cargo run -p rcffi-testkit --bin gen-cdef -- [DECLARATIONS]` (default 6000)

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(6000);
    print!("{}", rcffi_testkit::generate::cffi_subset(n));
}

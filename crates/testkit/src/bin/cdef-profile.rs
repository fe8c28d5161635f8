//! Runs `cdef` on the generated benchmark text many times, for a profiler.
//!
//! `cargo build --release -p rcffi-testkit --bin cdef-profile && perf record target/release/cdef-profile`

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(6000);
    let iters: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let text = rcffi_testkit::generate::cffi_subset(n);
    for _ in 0..iters {
        let mut reg = rcffi_cdef::Registry::new();
        reg.cdef(&text).expect("generated text is valid");
        std::hint::black_box(&reg);
    }
}

//! Runs `cdef` on the generated benchmark text many times, for a profiler.
//!
//! `cargo build --release -p rcffi-testkit --bin cdef-profile && perf record target/release/cdef-profile`
//!
//! Arguments: `[DECLARATIONS] [ITERATIONS] [THREADS]` (threads: all cores if left out; `1`
//! with `/usr/bin/time -v` gives one thread's peak memory).

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(6000);
    let iters: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let threads: Option<usize> = std::env::args().nth(3).and_then(|a| a.parse().ok());
    let text = rcffi_testkit::generate::cffi_subset(n);
    let opts = rcffi_cdef::CdefOptions {
        threads,
        ..Default::default()
    };
    for _ in 0..iters {
        let mut reg = rcffi_cdef::Registry::new();
        reg.cdef_with(&text, &opts)
            .expect("generated text is valid");
        std::hint::black_box(&reg);
    }
}

//! Deeply nested texts and type strings: the input picks fragments (parentheses, operators,
//! casts, declarators, struct bodies, typedef chains...) and how many times each repeats —
//! thousands, where the other targets' inputs stay short. Every text is declared or refused
//! with an error; nothing may overflow a stack, and what is declared can be used.
//!
//! `cargo +nightly fuzz run deep_nesting -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rcffi::Ffi;

const FRAGMENTS: &[&str] = &[
    "(", ")", "[", "]", "{", "}", "+1", "- ", "~", "!", "(int)", "sizeof(", "sizeof(int)", "*",
    "1", "?1:", "x", "int ", "struct { ", "} m; ", "(*", ")(void)", "[1]", ";", ",", "= 1",
    "\n#define D ", "\n", "typedef int ", "enum { E = ", " };", "char ", "__attribute__((",
    "aligned(8)", "struct s { ", "int a; ", "long", "p0", "p1", "typedef p0 *p1;",
    "typedef p1 *p0;", "typedef struct s0 { int x; } s0; ", "struct s1 { s0 a[2]; }; ",
];

fuzz_target!(|data: &[u8]| {
    let mut text = String::new();
    for pair in data.chunks(2) {
        let frag = FRAGMENTS[pair[0] as usize % FRAGMENTS.len()];
        let times = pair.get(1).map_or(1, |n| 1 + (*n as usize) * (*n as usize) / 64);
        for _ in 0..times {
            text.push_str(frag);
        }
        if text.len() > 64_000 {
            break;
        }
    }
    let ffi = Ffi::default();
    match ffi.cdef(&text) {
        Ok(report) => {
            assert!(report.nesting <= rcffi::rcffi_cdef::MAX_NESTING);
            for name in ffi.list_types().typedefs {
                if let Ok(t) = ffi.typeof_(name.as_str()) {
                    let _ = t.cname();
                    let _ = ffi.sizeof(&t);
                    let _ = ffi.new(&t, ());
                }
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    // The same text as a type string.
    if let Ok(t) = ffi.typeof_(text.as_str()) {
        let _ = t.cname();
        let _ = ffi.sizeof(&t);
    }
});

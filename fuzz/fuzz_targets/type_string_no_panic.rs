//! Any type string gives a type or an error, never a panic.
//!
//! `cargo +nightly fuzz run type_string_no_panic -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rcffi_cdef::Registry;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut reg = Registry::new();
    reg.cdef("typedef struct { int x, y; } point_t; enum { N = 3 };").unwrap();
    if let Ok(id) = reg.parse_type(text) {
        let _ = reg.cname(id);
        let _ = reg.getctype(id, "*");
        let _ = reg.layout(id);
    }
});

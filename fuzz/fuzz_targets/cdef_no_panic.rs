//! Any text given to `cdef` gives declarations or an error, never a panic; after a success the
//! registry's layouts keep their invariants, and after an error the registry is unchanged. A
//! registry that declared it includes it (`Registry::include`) without a panic: then with the
//! same layouts for every tag, and including it again changes nothing; or with an error that
//! changes nothing.
//!
//! `cargo +nightly fuzz run cdef_no_panic -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rcffi_cdef::{CTypeKind, Registry};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut reg = Registry::new();
    reg.cdef("typedef int known_t; struct base { int a; char b; };").unwrap();
    let before = reg.dump();
    match reg.cdef(text) {
        Err(e) => {
            // A failed cdef changes nothing, and its message renders.
            assert_eq!(reg.dump(), before);
            let _ = e.to_string();
        }
        Ok(_) => {
            check_layouts(&reg);
            check_include(&reg);
        }
    }
});

fn check_include(theirs: &Registry) {
    let mut reg = Registry::new();
    reg.cdef("typedef int known_t; struct other { long z; };").unwrap();
    let before = reg.dump();
    match reg.include(theirs) {
        Err(e) => {
            assert_eq!(reg.dump(), before);
            let _ = e.to_string();
        }
        Ok(()) => {
            check_layouts(&reg);
            for (tag, id) in theirs.tags() {
                let mine = reg.tag(tag).expect("an included tag");
                assert_eq!(
                    theirs.layout(id).ok().map(|l| (l.size, l.align)),
                    reg.layout(mine).ok().map(|l| (l.size, l.align)),
                    "{tag}"
                );
            }
            let once = reg.dump();
            reg.include(theirs).expect("a second include");
            assert_eq!(reg.dump(), once);
        }
    }
}

/// Sizes are multiples of alignments, alignments are powers of two, members lie inside their
/// record, bitfields inside their storage unit.
fn check_layouts(reg: &Registry) {
    let _ = reg.dump();
    for id in reg.type_ids() {
        let Ok(l) = reg.layout(id) else { continue };
        assert!(l.align.is_power_of_two(), "alignment {} of {}", l.align, reg.cname(id));
        if let CTypeKind::Record(rid) = reg.kind(id) {
            assert_eq!(l.size % l.align, 0, "size {} of {}", l.size, reg.cname(id));
            let rl = reg.record_layout(*rid).unwrap();
            for f in &rl.fields {
                assert!(f.offset_bits <= rl.size * 8, "{}", reg.cname(id));
                if let Some(b) = f.bitfield {
                    assert!(u64::from(b.shift) + u64::from(b.width) <= b.unit_size * 8);
                }
            }
        }
    }
}

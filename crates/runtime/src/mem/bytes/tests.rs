//! The byte copies against `memmove` and plain slices, at every length and overlap.

use super::*;

#[test]
fn loads_and_stores_of_every_alignment_and_length() {
    let mut mem = [0u8; 320];
    let base = mem.as_mut_ptr() as usize;
    let lens = if cfg!(miri) { 0..=70 } else { 0..=300 };
    for off in 0..8 {
        for len in lens.clone() {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + off + 1) as u8).collect();
            // SAFETY: all of `mem`, through its base pointer.
            unsafe { std::ptr::write_bytes(base as *mut u8, 0xee, 320) };
            // SAFETY: `off + len <= 308 < 320` bytes of `mem`.
            unsafe { store(base + off, &data) };
            let mut out = vec![0u8; len];
            // SAFETY: as above.
            unsafe { load(base + off, &mut out) };
            assert_eq!(out, data, "offset {off} length {len}");
            // SAFETY: as above.
            unsafe { fill(base + off, len, off as u8 ^ 0x5a) };
            // SAFETY: as above.
            unsafe { load(base + off, &mut out) };
            assert!(
                out.iter().all(|b| *b == off as u8 ^ 0x5a),
                "fill {off} {len}"
            );
            // SAFETY: all of `mem`, through its base pointer; nothing else uses it.
            let all = unsafe { std::slice::from_raw_parts(base as *const u8, 320) };
            assert!(
                all[..off]
                    .iter()
                    .chain(&all[off + len..])
                    .all(|b| *b == 0xee),
                "bytes outside offset {off} length {len} changed"
            );
        }
    }
}

/// `copy` against `copy_within` (memmove) for overlaps in both directions, short and long
/// distances, destinations at every offset in a 32-byte block (where the vector copy's
/// aligned stores start), and lengths on both sides of `SMALL`, of the vector copy's 32- and
/// 128-byte steps, of the backward path's buffer and of x86-64's `rep movsb` threshold;
/// nothing outside the destination changes.
#[test]
fn copies_match_memmove_for_every_overlap() {
    // Every length to 300 natively; under Miri (byte loops, slow) fewer.
    let mut cases: Vec<usize> = if cfg!(miri) {
        (0..=17).chain([24, 31, 32, 33, 100]).collect()
    } else {
        (0..=300).collect()
    };
    cases.extend([4095, 4096, 4097, 9000]);
    if !cfg!(miri) {
        cases.extend([32767, 32768, 32769, 70001]);
    }
    let shifts: &[usize] = if cfg!(miri) {
        &[0, 1, 3, 8, 17, 64, 5000]
    } else {
        &[0, 1, 3, 8, 17, 31, 32, 33, 64, 100, 127, 128, 129, 5000]
    };
    let leads: &[usize] = if cfg!(miri) {
        &[0, 5]
    } else {
        &[0, 1, 7, 16, 31]
    };
    for &n in &cases {
        for &shift in shifts {
            for &lead in leads {
                for forward in [true, false] {
                    let size = lead + n + shift + 16;
                    let mut mem: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
                    let mut want = mem.clone();
                    let (src, dst) = if forward {
                        (lead + shift, lead)
                    } else {
                        (lead, lead + shift)
                    };
                    want.copy_within(src..src + n, dst);
                    let base = mem.as_mut_ptr() as usize;
                    // SAFETY: both ranges end at or before `lead + n + shift < size`.
                    unsafe { copy(base + dst, base + src, n) };
                    assert!(
                        mem == want,
                        "n {n} shift {shift} lead {lead} forward {forward}"
                    );
                }
            }
        }
    }
}

//! Conversions between `f64` and IEEE binary16 (`_Float16`), a format Rust has no type for.
//! Writes from `f64` round to nearest even; reads are exact. (`long double` and binary128 are
//! `longdouble`'s, held exactly.)

/// `2^e` for `-1022 <= e <= 1023`, exactly (built from its bits, not computed).
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// `f64` → IEEE binary16 (rounded to nearest even).
pub(crate) fn f64_to_f16(x: f64) -> [u8; 2] {
    let f = x as f32;
    let bits = f.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let frac = bits & 0x7f_ffff;
    let h: u16 = if exp == 0xff {
        sign | 0x7c00 | if frac != 0 { 0x200 } else { 0 }
    } else {
        let e = exp - 127 + 15;
        if e >= 0x1f {
            sign | 0x7c00
        } else if e <= 0 {
            if e < -10 {
                sign
            } else {
                let m = frac | 0x80_0000;
                let shift = (14 - e) as u32;
                let half = m >> shift;
                let rem = m & ((1 << shift) - 1);
                let mid = 1 << (shift - 1);
                let round = u32::from(rem > mid || (rem == mid && half & 1 == 1));
                sign | (half + round) as u16
            }
        } else {
            let half = ((e as u32) << 10) | (frac >> 13);
            let rem = frac & 0x1fff;
            let round = u32::from(rem > 0x1000 || (rem == 0x1000 && half & 1 == 1));
            sign | (half + round) as u16
        }
    };
    h.to_le_bytes()
}

/// IEEE binary16 → `f64`.
pub(crate) fn f16_to_f64(b: &[u8]) -> f64 {
    let h = u16::from_le_bytes([b[0], b[1]]);
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = i32::from((h >> 10) & 0x1f);
    let m = f64::from(h & 0x3ff);
    match e {
        0 => sign * m * pow2(-24),
        0x1f => {
            if m == 0.0 {
                sign * f64::INFINITY
            } else {
                f64::NAN
            }
        }
        _ => sign * (1.0 + m / 1024.0) * pow2(e - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_conversions() {
        for x in [
            0.0,
            1.0,
            -2.0,
            0.5,
            65504.0,
            6.103515625e-05,
            5.960464477539063e-08,
        ] {
            assert_eq!(f16_to_f64(&f64_to_f16(x)), x, "{x}");
        }
        assert_eq!(f16_to_f64(&f64_to_f16(1e6)), f64::INFINITY);
        assert_eq!(u16::from_le_bytes(f64_to_f16(1.0)), 0x3c00);
    }
}

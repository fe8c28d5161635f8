//! Conversions between `f64` and the floating formats Rust has no type for: x87 extended
//! precision (x86-64 `long double`), IEEE binary128 (AArch64 `long double`, `_Float128`) and
//! IEEE binary16 (`_Float16`). Writes from `f64` are exact; reads round to nearest.

/// `f64` → x87 80-bit extended precision, in the low 10 of 16 little-endian bytes.
pub(crate) fn f64_to_x87(x: f64) -> [u8; 16] {
    let bits = x.to_bits();
    let sign = (bits >> 63) as u16;
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (e, m): (u16, u64) = if exp == 0 {
        if frac == 0 {
            (0, 0)
        } else {
            // Subnormal f64: normalise.
            let shift = frac.leading_zeros() - 11;
            let m = frac << (shift + 11);
            let e = (1 - 1023 + 16383 - shift as i32) as u16;
            (e, m)
        }
    } else if exp == 0x7ff {
        (0x7fff, (1u64 << 63) | (frac << 11))
    } else {
        ((exp - 1023 + 16383) as u16, (1u64 << 63) | (frac << 11))
    };
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&m.to_le_bytes());
    out[8..10].copy_from_slice(&((sign << 15) | e).to_le_bytes());
    out
}

/// x87 80-bit extended precision → `f64` (rounded to nearest).
pub(crate) fn x87_to_f64(b: &[u8]) -> f64 {
    let m = u64::from_le_bytes(b[..8].try_into().unwrap_or([0; 8]));
    let se = u16::from_le_bytes([b[8], b[9]]);
    let sign = if se & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = i32::from(se & 0x7fff);
    if e == 0x7fff {
        return if m << 1 == 0 {
            sign * f64::INFINITY
        } else {
            f64::NAN
        };
    }
    if m == 0 {
        return sign * 0.0;
    }
    // value = m * 2^(e - 16383 - 63)
    sign * ldexp(m as f64, e - 16383 - 63)
}

/// `2^e` for `-1022 <= e <= 1023`, exactly (built from its bits, not computed).
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// `x * 2^e` with one rounding (C's `scalbn`): large scales are applied in exact
/// power-of-two steps; small ones first by `2^-969`, which keeps 53 bits of headroom so that
/// only the last multiplication can round.
fn ldexp(mut x: f64, mut e: i32) -> f64 {
    for _ in 0..2 {
        if e > 1023 {
            x *= pow2(1023);
            e -= 1023;
        } else if e < -1022 {
            x *= pow2(-1022 + 53);
            e += 1022 - 53;
        }
    }
    x * pow2(e.clamp(-1022, 1023))
}

/// `f64` → IEEE binary128, little-endian.
pub(crate) fn f64_to_f128(x: f64) -> [u8; 16] {
    let bits = x.to_bits();
    let sign = u128::from(bits >> 63);
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = u128::from(bits & ((1u64 << 52) - 1));
    let (e, m): (u128, u128) = if exp == 0 {
        if frac == 0 {
            (0, 0)
        } else {
            // Shift the leading 1 of the subnormal fraction up to bit 52 (the implicit bit).
            let shift = frac.leading_zeros() - (128 - 53);
            let m = (frac << shift) & ((1u128 << 52) - 1);
            ((1 - 1023 + 16383 - i64::from(shift)) as u128, m << 60)
        }
    } else if exp == 0x7ff {
        (0x7fff, frac << 60)
    } else {
        ((exp - 1023 + 16383) as u128, frac << 60)
    };
    ((sign << 127) | (e << 112) | m).to_le_bytes()
}

/// IEEE binary128 → `f64` (rounded to nearest).
pub(crate) fn f128_to_f64(b: &[u8]) -> f64 {
    let v = u128::from_le_bytes(b[..16].try_into().unwrap_or([0; 16]));
    let sign = if v >> 127 != 0 { -1.0 } else { 1.0 };
    let e = ((v >> 112) & 0x7fff) as i32;
    let m = v & ((1u128 << 112) - 1);
    if e == 0x7fff {
        return if m == 0 {
            sign * f64::INFINITY
        } else {
            f64::NAN
        };
    }
    if e == 0 && m == 0 {
        return sign * 0.0;
    }
    let (mant, exp) = if e == 0 {
        (m, -16382)
    } else {
        (m | (1u128 << 112), e - 16383)
    };
    sign * ldexp(mant as f64, exp - 112)
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
    fn x87_round_trips_and_matches_known_bytes() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -2.5,
            1.5,
            1e300,
            -1e-300,
            5e-324,
            f64::MAX,
            f64::INFINITY,
        ] {
            assert_eq!(x87_to_f64(&f64_to_x87(x)).to_bits(), x.to_bits(), "{x}");
        }
        // 1.5L on x86-64: mantissa 0xC000000000000000, exponent 0x3FFF.
        let b = f64_to_x87(1.5);
        assert_eq!(&b[..10], &[0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x3f]);
        assert!(x87_to_f64(&f64_to_x87(f64::NAN)).is_nan());
    }

    #[test]
    fn f128_round_trips() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -2.5,
            1e300,
            -1e-300,
            5e-324,
            f64::MAX,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(f128_to_f64(&f64_to_f128(x)).to_bits(), x.to_bits(), "{x}");
        }
        // 1.0 in binary128: exponent 0x3FFF, zero fraction.
        assert_eq!(u128::from_le_bytes(f64_to_f128(1.0)), 0x3fff_u128 << 112);
    }

    #[test]
    fn random_doubles_round_trip_exactly() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let n = if cfg!(miri) { 300 } else { 20_000 };
        for _ in 0..n {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = f64::from_bits(state);
            if x.is_nan() {
                continue;
            }
            assert_eq!(x87_to_f64(&f64_to_x87(x)).to_bits(), x.to_bits(), "{x:e}");
            assert_eq!(f128_to_f64(&f64_to_f128(x)).to_bits(), x.to_bits(), "{x:e}");
        }
    }

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

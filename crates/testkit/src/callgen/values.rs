//! The values of scalar leaves: what rcffi is given, the bytes C should see (x87 and binary128
//! `long double`s built here, independently of rcffi's own conversions), and the C literals
//! that initialize the results.

use super::Scalar;

/// A leaf value: what to pass and the bytes C should see.
#[derive(Clone, Debug, PartialEq)]
pub enum LeafValue {
    /// An integer (also `char`, `_Bool`).
    Int(i128),
    /// A float (exactly representable in the leaf's type).
    Float(f64),
    /// A pointer's address.
    Ptr(u64),
    /// A `long double`: `k × 2^-shift`, with up to 62 significant bits (more than an `f64`
    /// holds, exact in x87 and binary128).
    Dyadic(i64, u32),
    /// A complex number's real and imaginary parts (each exact in the part type).
    Complex(f64, f64),
}

impl LeafValue {
    /// The leaf's bytes in memory (little-endian), `meaningful_bytes` long.
    pub fn bytes(&self, s: Scalar) -> Vec<u8> {
        let n = s.meaningful_bytes();
        match (self, s) {
            (LeafValue::Float(x), Scalar::Float) => (*x as f32).to_le_bytes().to_vec(),
            (LeafValue::Float(x), Scalar::Double) => x.to_le_bytes().to_vec(),
            (LeafValue::Float(x), Scalar::LongDouble) if cfg!(target_arch = "x86_64") => {
                x87(*x).to_vec()
            }
            (LeafValue::Float(x), Scalar::LongDouble) => binary128(*x).to_vec(),
            (LeafValue::Dyadic(k, shift), _) => {
                let v = rcffi::LongDouble::parse(&dyadic_text(*k, *shift), long_double_format())
                    .expect("a hexadecimal float");
                v.to_bytes()[..n].to_vec()
            }
            (LeafValue::Complex(re, im), Scalar::FloatComplex) => {
                [(*re as f32).to_le_bytes(), (*im as f32).to_le_bytes()].concat()
            }
            (LeafValue::Complex(re, im), _) => [re.to_le_bytes(), im.to_le_bytes()].concat(),
            (LeafValue::Int(i), _) => (*i as u128).to_le_bytes()[..n].to_vec(),
            (LeafValue::Ptr(p), _) => p.to_le_bytes()[..n].to_vec(),
            (LeafValue::Float(_), _) => vec![0; n],
        }
    }

    /// The value as a C literal of type `s`.
    pub(super) fn c_literal(&self, s: Scalar) -> String {
        match self {
            // C has no 128-bit literals: the two halves.
            LeafValue::Int(i) if matches!(s, Scalar::Int128 | Scalar::UInt128) => {
                let u = *i as u128;
                format!(
                    "({})(((unsigned __int128){:#x}ull << 64) | {:#x}ull)",
                    s.c_name(),
                    u >> 64,
                    u as u64
                )
            }
            LeafValue::Int(i) if matches!(s, Scalar::ULLong | Scalar::ULong) => format!("{i}ull"),
            LeafValue::Int(i) if *i == i128::from(i64::MIN) => {
                "(-9223372036854775807ll - 1)".into()
            }
            LeafValue::Int(i) if matches!(s, Scalar::LLong | Scalar::Long) => format!("{i}ll"),
            LeafValue::Int(i) if matches!(s, Scalar::UInt) => format!("{i}u"),
            LeafValue::Int(i) if *i == -2_147_483_648 => "(-2147483647 - 1)".into(),
            LeafValue::Int(i) => format!("{i}"),
            LeafValue::Float(x) if s == Scalar::LongDouble => format!("{x:?}L"),
            LeafValue::Float(x) => format!("{x:?}"),
            LeafValue::Dyadic(k, shift) => format!("{}L", dyadic_text(*k, *shift)),
            LeafValue::Complex(re, im) if s == Scalar::FloatComplex => {
                format!("__builtin_complex({re:?}f, {im:?}f)")
            }
            LeafValue::Complex(re, im) => format!("__builtin_complex({re:?}, {im:?})"),
            LeafValue::Ptr(p) => format!("(void *){p:#x}ull"),
        }
    }
}

/// `k × 2^-shift` as hexadecimal float text (`-0x1fp-3`), which C and rcffi read exactly.
pub fn dyadic_text(k: i64, shift: u32) -> String {
    let sign = if k < 0 { "-" } else { "" };
    format!("{sign}{:#x}p-{shift}", k.unsigned_abs())
}

/// The target's `long double` format.
pub fn long_double_format() -> rcffi::LongDoubleFormat {
    if cfg!(target_arch = "x86_64") {
        rcffi::LongDoubleFormat::X87
    } else {
        rcffi::LongDoubleFormat::Binary128
    }
}

/// The x87 extended-precision bytes (10) of a double that is 0 or normal.
fn x87(x: f64) -> [u8; 10] {
    let bits = x.to_bits();
    let mut out = [0u8; 10];
    if x == 0.0 {
        out[9] = if x.is_sign_negative() { 0x80 } else { 0 };
        return out;
    }
    let sign = (bits >> 63) as u16;
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1023 + 16383;
    let mant = ((bits & ((1u64 << 52) - 1)) | (1u64 << 52)) << 11;
    out[..8].copy_from_slice(&mant.to_le_bytes());
    out[8..].copy_from_slice(&((sign << 15) | exp as u16).to_le_bytes());
    out
}

/// The IEEE binary128 bytes (AArch64's `long double`) of a double that is 0 or normal.
fn binary128(x: f64) -> [u8; 16] {
    let bits = x.to_bits();
    if x == 0.0 {
        return (u128::from(bits >> 63) << 127).to_le_bytes();
    }
    let sign = u128::from(bits >> 63);
    let exp = u128::from(((bits >> 52) & 0x7ff) as u16 + 16383 - 1023);
    let mant = u128::from(bits & ((1u64 << 52) - 1)) << 60;
    ((sign << 127) | (exp << 112) | mant).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x87_bytes_of_simple_values() {
        // 1.0: mantissa 0x8000000000000000, exponent 16383.
        assert_eq!(x87(1.0), [0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]);
        assert_eq!(x87(-2.0)[9], 0xc0);
        // 1.0: exponent 16383, no fraction bits.
        assert_eq!(binary128(1.0)[14..], [0xff, 0x3f]);
        assert_eq!(binary128(-2.0)[15], 0xc0);
        // 1/64: exponent 16383 - 6.
        assert_eq!(binary128(1.0 / 64.0)[14..], (16383u16 - 6).to_le_bytes());
    }
}

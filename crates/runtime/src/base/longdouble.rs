//! [`LongDouble`]: a `long double` (or `_Float128`) value held exactly, in the target's own
//! format — x87 80-bit extended precision on x86-64, IEEE binary128 on AArch64 — with exact
//! conversions from `f64` and (where they fit) integers, correctly rounded ones to `f64`, and
//! exact decimal printing.
//!
//! The formats' arithmetic (parsing, conversions, rounding) is `rustc_apfloat`, the Rust port
//! of LLVM's `APFloat` that rustc itself uses for these formats. Printing is this module's:
//! the exact decimal expansion of the value (a big integer in base 10⁹), rounded half to even
//! as C's `printf` rounds it — `rustc_apfloat`'s own printing truncates some digits.

use std::fmt;

use rustc_apfloat::ieee::{Double, Quad, X87DoubleExtended};
use rustc_apfloat::{Float, FloatConvert, Round};

/// The binary format of a [`LongDouble`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum LongDoubleFormat {
    /// x87 80-bit extended precision (x86-64's `long double`): 64 significant bits, in the low
    /// 10 of 16 bytes.
    X87,
    /// IEEE 754 binary128 (AArch64's `long double`, `_Float128`): 113 significant bits.
    Binary128,
}

/// A `long double` value, exactly as C holds it: read from C memory or a call's result, it
/// keeps every bit; it converts to `f64` (rounding, and saying whether it had to), to integers
/// (exactly, or not at all), and prints every digit it has. `==` compares the bits (the same
/// value in the same format, a NaN equal to its own bits); [`LongDouble::partial_cmp_exact`]
/// compares values.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// use rcffi::{LongDouble, LongDoubleFormat::X87};
/// let third = LongDouble::parse("0.333333333333333333333", X87)?;
/// assert_eq!(third.to_string(), "0.33333333333333333334"); // the nearest x87 value
/// assert_eq!(third.to_f64_exact(), None); // an f64 cannot hold it
/// let big = LongDouble::from_i128(u64::MAX.into(), X87);
/// assert_eq!(big.to_i128(), Some(u64::MAX.into())); // exact: 64 significant bits
/// assert_eq!(LongDouble::parse("1e4000", X87)?.to_c_e(6), "1.000000E+4000");
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct LongDouble {
    /// The value's bits: x87's 80, or binary128's 128.
    bits: u128,
    format: LongDoubleFormat,
}

/// The low 80 bits: an x87 value.
const X87_MASK: u128 = (1 << 80) - 1;

/// The bits of a finite or infinite `x` in `format`, exactly, by moving its fields: both
/// formats have a 15-bit exponent biased by 16383 and at least 52 fraction bits, so every
/// `f64` (subnormals too, normalized) is a normal number there. About 10 instructions where
/// an arbitrary-precision conversion takes 120 (a `long double` argument, `new`, a write).
fn widen_f64(x: f64, format: LongDoubleFormat) -> u128 {
    let b = x.to_bits();
    let sign = u128::from(b >> 63);
    let exp = ((b >> 52) & 0x7ff) as i64;
    let frac = b & ((1 << 52) - 1);
    // The significand with its leading one at bit 52, and the unbiased exponent of that bit.
    let (sig, e) = match (exp, frac) {
        (0, 0) => {
            return sign
                << (match format {
                    LongDoubleFormat::X87 => 79,
                    LongDoubleFormat::Binary128 => 127,
                });
        }
        (0, f) => {
            // A subnormal: f * 2^-1074, its leading one moved to bit 52.
            let shift = f.leading_zeros() as i64 - 11;
            (f << shift, -1022 - shift)
        }
        (0x7ff, _) => (1 << 52, 16384),
        (e, f) => (f | (1 << 52), e - 1023),
    };
    let biased = if exp == 0x7ff {
        0x7fff
    } else {
        (e + 16383) as u128
    };
    match format {
        // The 64-bit significand keeps its leading one (x87's explicit integer bit).
        LongDoubleFormat::X87 => (((sign << 15) | biased) << 64) | u128::from(sig << 11),
        LongDoubleFormat::Binary128 => {
            let fraction = u128::from(sig & ((1 << 52) - 1)) << 60;
            (sign << 127) | (biased << 112) | fraction
        }
    }
}

impl LongDouble {
    /// The value whose bytes (little-endian, as C stores it) are `bytes`; for x87 the 6
    /// padding bytes are ignored.
    pub fn from_bytes(bytes: [u8; 16], format: LongDoubleFormat) -> LongDouble {
        let bits = u128::from_le_bytes(bytes);
        LongDouble {
            bits: match format {
                LongDoubleFormat::X87 => bits & X87_MASK,
                LongDoubleFormat::Binary128 => bits,
            },
            format,
        }
    }

    /// The bytes C stores (x87: padding zeroed).
    pub fn to_bytes(self) -> [u8; 16] {
        self.bits.to_le_bytes()
    }

    /// The bytes of [`LongDouble::to_bytes`], as one little-endian number.
    pub(crate) fn to_bits(self) -> u128 {
        self.bits
    }

    /// The format.
    pub fn format(&self) -> LongDoubleFormat {
        self.format
    }

    /// `x`, exactly (both formats hold every `f64`).
    pub fn from_f64(x: f64, format: LongDoubleFormat) -> LongDouble {
        if !x.is_nan() {
            return LongDouble {
                bits: widen_f64(x, format),
                format,
            };
        }
        LongDouble::from_f64_apfloat(x, format)
    }

    /// [`LongDouble::from_f64`] through `rustc_apfloat` (NaNs, whose payloads it maps as LLVM
    /// does, and the tests' reference for the others).
    fn from_f64_apfloat(x: f64, format: LongDoubleFormat) -> LongDouble {
        let d = Double::from_bits(u128::from(x.to_bits()));
        let mut loses = false;
        match format {
            LongDoubleFormat::X87 => {
                LongDouble::x87(FloatConvert::<X87DoubleExtended>::convert(d, &mut loses).value)
            }
            LongDoubleFormat::Binary128 => {
                LongDouble::quad(FloatConvert::<Quad>::convert(d, &mut loses).value)
            }
        }
    }

    /// `i`, rounded to nearest (even) as C converts an integer: exact when it has at most as
    /// many significant bits as the format (64 for x87, 113 for binary128).
    pub fn from_i128(i: i128, format: LongDoubleFormat) -> LongDouble {
        match format {
            LongDoubleFormat::X87 => LongDouble::x87(X87DoubleExtended::from_i128(i).value),
            LongDoubleFormat::Binary128 => LongDouble::quad(Quad::from_i128(i).value),
        }
    }

    /// `u`, rounded as [`LongDouble::from_i128`] rounds.
    pub fn from_u128(u: u128, format: LongDoubleFormat) -> LongDouble {
        match format {
            LongDoubleFormat::X87 => LongDouble::x87(X87DoubleExtended::from_u128(u).value),
            LongDoubleFormat::Binary128 => LongDouble::quad(Quad::from_u128(u).value),
        }
    }

    /// The decimal (`1.5`, `-2e-4000`, `inf`, `nan`) or hexadecimal (`0x1.8p1`) number `text`,
    /// correctly rounded to the format (as C's `strtold` reads it).
    ///
    /// # Errors
    ///
    /// [`Error::Value`](crate::Error::Value) when `text` is not a number as C's `strtold` reads
    /// one.
    pub fn parse(text: &str, format: LongDoubleFormat) -> crate::Result<LongDouble> {
        let t = text.trim();
        let bad = |e: rustc_apfloat::ParseError| {
            crate::Error::Value(format!("cannot read {t:?} as a long double: {}", e.0).into())
        };
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        if body.starts_with(['+', '-']) {
            return Err(crate::Error::Value(
                format!("cannot read {t:?} as a long double: two signs").into(),
            ));
        }
        let special = match body.to_ascii_lowercase().as_str() {
            "inf" | "infinity" => Some(f64::INFINITY),
            "nan" => Some(f64::NAN),
            _ => None,
        };
        let v = match special {
            Some(x) => LongDouble::from_f64(x, format),
            None => match format {
                LongDoubleFormat::X87 => LongDouble::x87(body.parse().map_err(bad)?),
                LongDoubleFormat::Binary128 => LongDouble::quad(body.parse().map_err(bad)?),
            },
        };
        Ok(if neg { v.negated() } else { v })
    }

    /// The value with its sign flipped.
    fn negated(self) -> LongDouble {
        let sign = match self.format {
            LongDoubleFormat::X87 => 1 << 79,
            LongDoubleFormat::Binary128 => 1 << 127,
        };
        LongDouble {
            bits: self.bits ^ sign,
            format: self.format,
        }
    }

    /// The nearest `f64` (ties to even; overflow gives an infinity, as C's conversion does).
    pub fn to_f64(self) -> f64 {
        self.to_f64_checked().0
    }

    /// The `f64` holding exactly this value, if there is one.
    pub fn to_f64_exact(self) -> Option<f64> {
        let (x, exact) = self.to_f64_checked();
        exact.then_some(x)
    }

    fn to_f64_checked(self) -> (f64, bool) {
        let mut loses = false;
        let d: Double = self.wide().convert(&mut loses).value;
        (f64::from_bits(d.to_bits() as u64), !loses || self.is_nan())
    }

    /// The value as an integer if it is one that `i128` holds (`None` for fractions, NaN,
    /// infinities and integers out of range).
    pub fn to_i128(self) -> Option<i128> {
        let mut exact = false;
        let r = self.wide().to_i128_r(128, Round::TowardZero, &mut exact);
        (exact && r.status.is_empty()).then_some(r.value)
    }

    /// The value as an integer if it is one that `u128` holds (`None` for negative numbers,
    /// fractions, NaN, infinities and integers out of range).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::{LongDouble, LongDoubleFormat};
    /// let top = LongDouble::from_u128(1 << 127, LongDoubleFormat::X87);
    /// assert_eq!(top.to_u128(), Some(1 << 127));
    /// assert_eq!(top.to_i128(), None);
    /// ```
    pub fn to_u128(self) -> Option<u128> {
        let mut exact = false;
        let r = self.wide().to_u128_r(128, Round::TowardZero, &mut exact);
        (exact && r.status.is_empty()).then_some(r.value)
    }

    /// C's conversion to an integer of `bits` bits (`signed` or not): toward zero, `None`
    /// for NaN, infinities and values out of the range (where C's behaviour is undefined).
    pub(crate) fn to_int_toward_zero(self, bits: usize, signed: bool) -> Option<i128> {
        let mut exact = false;
        let ok = |s: rustc_apfloat::Status| s.is_empty() || s == rustc_apfloat::Status::INEXACT;
        let w = self.wide();
        if signed {
            let r = w.to_i128_r(bits, Round::TowardZero, &mut exact);
            ok(r.status).then_some(r.value)
        } else {
            let r = w.to_u128_r(bits, Round::TowardZero, &mut exact);
            ok(r.status).then_some(r.value as i128)
        }
    }

    /// This value in `format`, rounded to nearest (even) where it has to be.
    pub fn convert(&self, format: LongDoubleFormat) -> LongDouble {
        let mut loses = false;
        match (self.format, format) {
            (a, b) if a == b => *self,
            (_, LongDoubleFormat::X87) => LongDouble::x87(
                FloatConvert::<X87DoubleExtended>::convert(self.as_quad(), &mut loses).value,
            ),
            (_, LongDoubleFormat::Binary128) => LongDouble::quad(self.wide()),
        }
    }

    /// Compares two values exactly (`None` when either is a NaN), whatever their formats.
    pub fn partial_cmp_exact(&self, other: &LongDouble) -> Option<std::cmp::Ordering> {
        self.wide().partial_cmp(&other.wide())
    }

    /// Whether this is a NaN.
    pub fn is_nan(&self) -> bool {
        self.wide().is_nan()
    }

    /// Whether this is an infinity.
    pub fn is_infinite(&self) -> bool {
        self.wide().is_infinite()
    }

    /// Whether the sign bit is set.
    pub fn is_sign_negative(&self) -> bool {
        match self.format {
            LongDoubleFormat::X87 => self.bits >> 79 & 1 == 1,
            LongDoubleFormat::Binary128 => self.bits >> 127 == 1,
        }
    }

    /// The value as C's `printf("%.{precision}LE", x)` prints it: `1.500000E+00`, `INF`,
    /// `-NAN` (cffi's `repr` of a `long double` is this with precision 6).
    pub fn to_c_e(self, precision: usize) -> String {
        let sign = if self.is_sign_negative() { "-" } else { "" };
        if self.is_nan() {
            return format!("{sign}NAN");
        }
        if self.is_infinite() {
            return format!("{sign}INF");
        }
        let (digits, exp10) = match self.significand_and_exponent() {
            None => (vec![0u8; precision.saturating_add(1)], 0),
            Some((m, e2)) => round_digits(&exact_decimal(m, e2), precision.saturating_add(1)),
        };
        let mut out = String::from(sign);
        out.push(char::from(b'0' + digits[0]));
        if precision > 0 {
            out.push('.');
            out.extend(digits[1..].iter().map(|d| char::from(b'0' + d)));
        }
        let es = if exp10 < 0 { '-' } else { '+' };
        out.push_str(&format!("E{es}{:02}", exp10.unsigned_abs()));
        out
    }

    /// `(m, e)` with the value's magnitude `m × 2^e` (`None` for zero). Pseudo-denormal x87
    /// values (integer bit set with a zero exponent) are read as the hardware reads them.
    fn significand_and_exponent(&self) -> Option<(u128, i32)> {
        let (m, e) = match self.format {
            LongDoubleFormat::X87 => {
                let m = self.bits & ((1 << 64) - 1);
                let be = (self.bits >> 64) as i32 & 0x7fff;
                (m, be.max(1) - 16383 - 63)
            }
            LongDoubleFormat::Binary128 => {
                let f = self.bits & ((1 << 112) - 1);
                let be = (self.bits >> 112) as i32 & 0x7fff;
                let m = if be == 0 { f } else { f | 1 << 112 };
                (m, be.max(1) - 16383 - 112)
            }
        };
        (m != 0).then_some((m, e))
    }

    fn x87(v: X87DoubleExtended) -> LongDouble {
        LongDouble {
            bits: v.to_bits() & X87_MASK,
            format: LongDoubleFormat::X87,
        }
    }

    fn quad(v: Quad) -> LongDouble {
        LongDouble {
            bits: v.to_bits(),
            format: LongDoubleFormat::Binary128,
        }
    }

    fn as_x87(&self) -> X87DoubleExtended {
        X87DoubleExtended::from_bits(self.bits & X87_MASK)
    }

    fn as_quad(&self) -> Quad {
        Quad::from_bits(self.bits)
    }

    /// The value in binary128, exactly (it holds every x87 value): what the conversions,
    /// comparisons and tests work on, whatever the format.
    fn wide(&self) -> Quad {
        match self.format {
            LongDoubleFormat::X87 => FloatConvert::<Quad>::convert(self.as_x87(), &mut false).value,
            LongDoubleFormat::Binary128 => self.as_quad(),
        }
    }

    /// The fewest significant digits of `exact` (this value's exact decimal) that read back
    /// as exactly this value (at most 21 for x87, 36 for binary128, which always do), and
    /// those digits with the power of ten of the first.
    fn shortest(&self, exact: &(Vec<u8>, i64)) -> (Vec<u8>, i64) {
        let most = match self.format {
            LongDoubleFormat::X87 => 21,
            LongDoubleFormat::Binary128 => 36,
        };
        for n in 1..most {
            let (digits, exp10) = round_digits(exact, n);
            let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            let sign = if self.is_sign_negative() { "-" } else { "" };
            if LongDouble::parse(&format!("{sign}0.{text}e{}", exp10 + 1), self.format)
                .is_ok_and(|v| v == *self)
            {
                return (digits, exp10);
            }
        }
        round_digits(exact, most)
    }
}

impl fmt::Display for LongDouble {
    /// The shortest decimal that reads back as exactly this value (`1.5`, `1e+4000`,
    /// `0.33333333333333333334`), like Rust's `f64` display; with a precision (`{:.30}`), that
    /// many significant digits in C's `%.{p-1}Le` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.is_sign_negative() { "-" } else { "" };
        if self.is_nan() {
            return f.write_str("NaN");
        }
        if self.is_infinite() {
            return write!(f, "{sign}inf");
        }
        if let Some(p) = f.precision() {
            return f.write_str(&self.to_c_e(p.saturating_sub(1)).to_lowercase());
        }
        let Some((m, e2)) = self.significand_and_exponent() else {
            return write!(f, "{sign}0");
        };
        let (digits, exp10) = self.shortest(&exact_decimal(m, e2));
        let mut d: String = digits.iter().map(|x| char::from(b'0' + x)).collect();
        while d.len() > 1 && d.ends_with('0') {
            d.pop();
        }
        // Plain notation for exponents -5..=20, as Rust prints f64; else `de±x`.
        if (-5..=20).contains(&exp10) {
            let point = exp10 + 1;
            let text = if point <= 0 {
                format!("0.{}{d}", "0".repeat(point.unsigned_abs() as usize))
            } else if point as usize >= d.len() {
                format!("{d}{}", "0".repeat(point as usize - d.len()))
            } else {
                format!("{}.{}", &d[..point as usize], &d[point as usize..])
            };
            write!(f, "{sign}{text}")
        } else {
            let (first, rest) = d.split_at(1);
            let dot = if rest.is_empty() { "" } else { "." };
            write!(f, "{sign}{first}{dot}{rest}e{exp10}")
        }
    }
}

impl fmt::Debug for LongDouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LongDouble({self}, {:?})", self.format)
    }
}

/// The exact decimal digits of `m × 2^e` (`m > 0`) and the power of ten of the last one:
/// the value is `digits × 10^shift`.
fn exact_decimal(m: u128, e: i32) -> (Vec<u8>, i64) {
    const BASE: u64 = 1_000_000_000;
    // Little-endian limbs in base 10⁹.
    let mut limbs: Vec<u64> = Vec::new();
    let mut v = m;
    while v > 0 {
        limbs.push((v % u128::from(BASE)) as u64);
        v /= u128::from(BASE);
    }
    let mul = |limbs: &mut Vec<u64>, k: u64| {
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let t = *l * k + carry;
            *l = t % BASE;
            carry = t / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
    };
    let shift = if e >= 0 {
        // × 2^e, 29 bits at a time (a limb times 2^29 fits in 64 bits).
        let mut left = e as u32;
        while left > 0 {
            let k = left.min(29);
            mul(&mut limbs, 1 << k);
            left -= k;
        }
        0
    } else {
        // m / 2^k = m × 5^k / 10^k: × 5^k, 13 factors at a time.
        let k = e.unsigned_abs();
        let mut left = k;
        while left > 0 {
            let n = left.min(13);
            mul(&mut limbs, 5u64.pow(n));
            left -= n;
        }
        -i64::from(k)
    };
    let mut digits = Vec::with_capacity(limbs.len() * 9);
    for (i, l) in limbs.iter().rev().enumerate() {
        let s = if i == 0 {
            l.to_string()
        } else {
            format!("{l:09}")
        };
        digits.extend(s.bytes().map(|b| b - b'0'));
    }
    (digits, shift)
}

/// `n` significant digits of the exact decimal `(digits, shift)`, rounded half to even, and
/// the power of ten of the first.
fn round_digits((digits, shift): &(Vec<u8>, i64), n: usize) -> (Vec<u8>, i64) {
    let n = n.max(1);
    let mut exp10 = digits.len() as i64 - 1 + shift;
    if digits.len() <= n {
        let mut d = digits.clone();
        d.resize(n, 0);
        return (d, exp10);
    }
    let mut d = digits[..n].to_vec();
    let rest = &digits[n..];
    let up = match rest[0].cmp(&5) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => rest[1..].iter().any(|x| *x != 0) || d[n - 1] % 2 == 1,
    };
    if up {
        let mut i = n;
        loop {
            if i == 0 {
                d.insert(0, 1);
                d.truncate(n);
                exp10 += 1;
                break;
            }
            i -= 1;
            if d[i] == 9 {
                d[i] = 0;
            } else {
                d[i] += 1;
                break;
            }
        }
    }
    (d, exp10)
}

#[cfg(test)]
mod tests {
    use super::LongDoubleFormat::{Binary128, X87};
    use super::*;

    /// The exact widening by fields agrees with rustc_apfloat's conversion on every kind of
    /// `f64`: zeros, subnormals (each leading-one position), normals at both ends, infinities,
    /// and a spread of random bit patterns.
    #[test]
    fn widening_an_f64_by_its_fields_is_apfloats_conversion() {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.5,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::EPSILON,
        ];
        xs.extend((0..52).map(|k| f64::from_bits(1 << k)));
        xs.extend((0..52).map(|k| -f64::from_bits((1 << k) | 1)));
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..if cfg!(miri) { 200 } else { 200_000 } {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            xs.push(f64::from_bits(state));
        }
        for x in xs.into_iter().filter(|x| !x.is_nan()) {
            for format in [X87, Binary128] {
                assert_eq!(
                    LongDouble::from_f64(x, format).bits,
                    LongDouble::from_f64_apfloat(x, format).bits,
                    "{x:e} ({:#x}) in {format:?}",
                    x.to_bits()
                );
            }
        }
    }

    #[test]
    fn exact_values_print_as_c_prints_them() {
        let x = |s: &str| LongDouble::parse(s, X87).unwrap();
        assert_eq!(x("1.5").to_c_e(6), "1.500000E+00");
        assert_eq!(x("0").to_c_e(6), "0.000000E+00");
        assert_eq!(x("-0").to_c_e(6), "-0.000000E+00");
        assert_eq!(x("9.9999995").to_c_e(6), "1.000000E+01");
        assert_eq!(x("123456789").to_c_e(0), "1E+08");
        assert_eq!(x("-inf").to_c_e(6), "-INF");
        // 2^16000, which an f64 cannot hold.
        let big =
            LongDouble::from_bytes((((16383u128 + 16000) << 64) | 1 << 63).to_le_bytes(), X87);
        assert_eq!(big.to_c_e(17), "3.01946933723922758E+4816");
        assert_eq!(big.to_f64(), f64::INFINITY);
        assert_eq!(big.to_f64_exact(), None);
        assert_eq!(LongDouble::parse(&big.to_string(), X87).unwrap(), big);
    }

    #[test]
    fn display_is_the_shortest_exact_decimal() {
        for (s, want) in [
            ("1.5", "1.5"),
            ("100", "100"),
            ("0.001", "0.001"),
            ("1e30", "1e30"),
            ("-2.5e-4000", "-2.5e-4000"),
            ("0.1", "0.1"),
        ] {
            let v = LongDouble::parse(s, X87).unwrap();
            assert_eq!(v.to_string(), want, "{s}");
            assert_eq!(LongDouble::parse(want, X87).unwrap(), v, "{s}");
            let q = LongDouble::parse(s, Binary128).unwrap();
            assert_eq!(q.to_string(), want, "{s} (binary128)");
        }
        let sqrt2 = LongDouble::from_bytes(
            ((0x3fffu128 << 64) | 0xb504_f333_f9de_6484).to_le_bytes(),
            X87,
        );
        assert_eq!(format!("{sqrt2:.18}"), "1.41421356237309505e+00");
    }

    #[test]
    fn integers_are_exact_where_they_fit() {
        for i in [
            0i128,
            1,
            -1,
            i64::MAX.into(),
            u64::MAX.into(),
            -(1i128 << 63),
        ] {
            assert_eq!(LongDouble::from_i128(i, X87).to_i128(), Some(i), "{i}");
            assert_eq!(
                LongDouble::from_i128(i, Binary128).to_i128(),
                Some(i),
                "{i}"
            );
        }
        // 2^64 + 1 needs 65 bits: x87 rounds it, binary128 holds it.
        let i = (1i128 << 64) + 1;
        assert_eq!(LongDouble::from_i128(i, X87).to_i128(), Some(1 << 64));
        assert_eq!(LongDouble::from_i128(i, Binary128).to_i128(), Some(i));
        assert_eq!(LongDouble::parse("2.5", X87).unwrap().to_i128(), None);
        assert_eq!(
            LongDouble::parse("-2.5", X87)
                .unwrap()
                .to_int_toward_zero(32, true),
            Some(-2)
        );
        assert_eq!(
            LongDouble::parse("1e30", X87)
                .unwrap()
                .to_int_toward_zero(64, true),
            None
        );
    }

    #[test]
    fn f64_values_are_exact_both_ways() {
        for x in [
            0.0,
            -0.0,
            1.0,
            0.1,
            -1.5e300,
            4.9e-324,
            f64::MAX,
            f64::INFINITY,
        ] {
            for f in [X87, Binary128] {
                let v = LongDouble::from_f64(x, f);
                assert_eq!(v.to_f64().to_bits(), x.to_bits(), "{x:e} {f:?}");
                assert_eq!(v.to_f64_exact().map(f64::to_bits), Some(x.to_bits()));
            }
        }
        // 1.5L on x86-64: mantissa 0xC000000000000000, exponent 0x3FFF; 1.0 in binary128:
        // exponent 0x3FFF, zero fraction.
        let b = LongDouble::from_f64(1.5, X87).to_bytes();
        assert_eq!(&b[..10], &[0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0x3f]);
        assert_eq!(
            u128::from_le_bytes(LongDouble::from_f64(1.0, Binary128).to_bytes()),
            0x3fff_u128 << 112
        );
        assert!(LongDouble::from_f64(f64::NAN, X87).is_nan());
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..if cfg!(miri) { 100 } else { 5_000 } {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = f64::from_bits(state);
            for f in [X87, Binary128] {
                let v = LongDouble::from_f64(x, f);
                assert!(
                    x.is_nan() && v.is_nan() || v.to_f64().to_bits() == x.to_bits(),
                    "{x:e}"
                );
            }
        }
    }
}

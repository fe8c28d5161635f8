//! Exact comparisons of integers with floats, as Python compares an `int` with a `float`: no
//! rounding of the integer to the float's precision, so `2^53 + 1 != 2.0^53` and equality stays
//! transitive (`Value`'s `==`, cdata comparisons and the hashes that agree with them).

use std::cmp::Ordering;

/// 2^127 as an `f64` (exact).
const TWO_127: f64 = 1.7014118346046923e38;

/// How `i` compares with `f`: `None` for NaN.
pub(crate) fn cmp_int_float(i: i128, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f >= TWO_127 {
        return Some(Ordering::Less);
    }
    if f < -TWO_127 {
        return Some(Ordering::Greater);
    }
    // In range: the integer part is exact as an i128, and the fraction breaks a tie.
    let t = f.trunc();
    Some(i.cmp(&(t as i128)).then(if f > t {
        Ordering::Less
    } else if f < t {
        Ordering::Greater
    } else {
        Ordering::Equal
    }))
}

/// How `u` compares with `f`: `None` for NaN.
pub(crate) fn cmp_uint_float(u: u128, f: f64) -> Option<Ordering> {
    match i128::try_from(u) {
        Ok(i) => cmp_int_float(i, f),
        Err(_) if f.is_nan() => None,
        // `u` is at least 2^127: only floats of at least 2^127 compare otherwise.
        Err(_) if f < TWO_127 => Some(Ordering::Greater),
        Err(_) if f >= 2.0 * TWO_127 => Some(Ordering::Less),
        // 2^127 <= f < 2^128: an integer, exact as a u128.
        Err(_) => Some(u.cmp(&(f as u128))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_compare_with_floats_exactly() {
        let two53 = 9_007_199_254_740_992i128;
        assert_eq!(cmp_int_float(two53, two53 as f64), Some(Ordering::Equal));
        assert_eq!(
            cmp_int_float(two53 + 1, two53 as f64),
            Some(Ordering::Greater)
        );
        assert_eq!(cmp_int_float(2, 2.5), Some(Ordering::Less));
        assert_eq!(cmp_int_float(-2, -2.5), Some(Ordering::Greater));
        assert_eq!(cmp_int_float(-3, -2.5), Some(Ordering::Less));
        assert_eq!(
            cmp_int_float(i128::MAX, f64::INFINITY),
            Some(Ordering::Less)
        );
        assert_eq!(cmp_int_float(i128::MIN, -TWO_127), Some(Ordering::Equal));
        assert_eq!(cmp_int_float(0, f64::NAN), None);
        assert_eq!(cmp_uint_float(1 << 127, TWO_127), Some(Ordering::Equal));
        assert_eq!(
            cmp_uint_float((1 << 127) + 1, TWO_127),
            Some(Ordering::Greater)
        );
        assert_eq!(
            cmp_uint_float(u128::MAX, f64::INFINITY),
            Some(Ordering::Less)
        );
        assert_eq!(cmp_uint_float(5, 5.0), Some(Ordering::Equal));
    }
}

//! How a [`CData`] prints and compares: cffi's reprs (`<cdata 'int *' owning 4 bytes>`,
//! `<cdata 'int' 42>`, `<cdata 'struct foo &' 0x...>`), and cffi's comparisons — pointers by
//! address, numbers by value, `char` with one-byte strings.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::base::exact::{cmp_int_float, cmp_uint_float};
use crate::data::Value;
use crate::data::{CData, Origin};
use crate::mem::OwnerRef;
use crate::types::{IntRole, Repr};

impl fmt::Debug for CData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.info();
        let name = &info.name;
        match (self.owner(), self.origin()) {
            (OwnerRef::Buffer(b), Origin::FromBuffer) => {
                if !b.is_alive() {
                    return write!(f, "<cdata '{name}' buffer RELEASED>");
                }
                return match self.count() {
                    Some(n) if !info.is_pointer() => {
                        write!(
                            f,
                            "<cdata '{name}' buffer len {n} from '{}' object>",
                            b.source
                        )
                    }
                    _ => write!(f, "<cdata '{name}' buffer from '{}' object>", b.source),
                };
            }
            (OwnerRef::Handle(h), _) if h.addr == self.addr() => {
                return write!(f, "<cdata '{name}' handle to {}>", h.type_name);
            }
            (OwnerRef::Callback(cb), Origin::New) if cb.code() == self.addr() => {
                return write!(f, "<cdata '{name}' calling <{}>>", cb.name());
            }
            (owner, Origin::New | Origin::CoOwned) if owner.allocation().is_some() => {
                let size = owner.allocation().map_or(0, |a| a.size());
                return write!(f, "<cdata '{name}' owning {size} bytes>");
            }
            (_, Origin::Sliced) => {
                return write!(
                    f,
                    "<cdata '{name}' sliced length {}>",
                    self.count().unwrap_or(0)
                );
            }
            _ => {}
        }
        match &info.repr {
            Repr::Pointer { .. } | Repr::Array { .. } | Repr::Function { .. } => {
                if self.addr() == 0 {
                    write!(f, "<cdata '{name}' NULL>")
                } else {
                    write!(f, "<cdata '{name}' {:#x}>", self.addr())
                }
            }
            Repr::Record { .. } | Repr::Opaque | Repr::Void => {
                write!(f, "<cdata '{name} &' {:#x}>", self.addr())
            }
            _ => write!(f, "<cdata '{name}' {}>", self.value_repr()),
        }
    }
}

/// The repr, as cffi's `str(cdata)` is.
impl fmt::Display for CData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl CData {
    /// The value part of a primitive's repr, as Python prints it.
    fn value_repr(&self) -> String {
        let info = self.info();
        match &info.repr {
            Repr::Int(k) => match k.role {
                IntRole::Char => py_bytes(&self.bytes()[..1]),
                IntRole::Wide => match self.to_int().ok().and_then(|i| char::from_u32(i as u32)) {
                    Some(c) => py_str(c),
                    None => self
                        .to_int()
                        .map_or_else(|e| e.to_string(), |i| i.to_string()),
                },
                IntRole::Bool => match self.to_int() {
                    Ok(0) => "False".into(),
                    Ok(1) => "True".into(),
                    Ok(i) => i.to_string(),
                    Err(e) => e.to_string(),
                },
                IntRole::Number => self
                    .to_int()
                    .map_or_else(|e| e.to_string(), |i| i.to_string()),
            },
            Repr::Enum { items, .. } => match self.to_int() {
                Ok(v) => match items.iter().find(|(_, x)| *x == v) {
                    Some((n, _)) => format!("{v}: {n}"),
                    None => v.to_string(),
                },
                Err(e) => e.to_string(),
            },
            // x87 and binary128 `long double`s print as cffi prints long doubles (`%LE`).
            Repr::LongDouble | Repr::Float(16) => {
                crate::data::scalar::long_double_of(self).map_or_else(String::new, |x| x.to_c_e(6))
            }
            Repr::Float(_) => self.to_f64().map_or_else(|e| e.to_string(), py_float),
            Repr::Complex(_) => match self.to_value() {
                Ok(Value::List(parts)) if parts.len() == 2 => {
                    let re = parts[0].to_f64().unwrap_or(f64::NAN);
                    let im = parts[1].to_f64().unwrap_or(f64::NAN);
                    py_complex(re, im)
                }
                _ => "?".into(),
            },
            _ => String::new(),
        }
    }

    /// What equality looks at where nothing else does: a primitive's bytes, or the address of
    /// a cdata held by address (not its owner's pointer, which shares the address's word).
    fn plain_key(&self) -> [u8; 16] {
        if self.info().by_address() {
            (self.addr() as u128).to_ne_bytes()
        } else {
            self.bytes()
        }
    }

    /// What comparisons look at.
    fn key(&self) -> Key {
        let info = self.info();
        match &info.repr {
            Repr::Pointer { .. }
            | Repr::Array { .. }
            | Repr::Record { .. }
            | Repr::Function { .. } => Key::Addr(self.addr()),
            Repr::Int(k) if k.role == IntRole::Char => Key::Char(self.bytes()[0]),
            Repr::Int(k) if k.role == IntRole::Wide => Key::Wide(self.to_int().unwrap_or(0) as u32),
            Repr::Int(k) | Repr::Enum { int: k, .. } => {
                match crate::data::scalar::int_value(*k, &self.bytes()) {
                    Value::UInt(u) => Key::UInt(u),
                    v => v.to_int().map_or(Key::Other, Key::Int),
                }
            }
            // A long double an f64 cannot hold compares by its exact value.
            Repr::Float(_) | Repr::LongDouble => match crate::data::scalar::long_double_of(self) {
                Some(x) if x.to_f64_exact().is_none() && !x.is_nan() => Key::Long(x),
                _ => self.to_f64().map_or(Key::Other, Key::Float),
            },
            _ => Key::Other,
        }
    }
}

/// A cdata as comparisons see it.
#[derive(Copy, Clone, Debug)]
enum Key {
    Addr(usize),
    Int(i128),
    /// An integer above `i128::MAX` (`unsigned __int128`).
    UInt(u128),
    Float(f64),
    /// A `long double` (or binary128) value no `f64` holds.
    Long(crate::LongDouble),
    Char(u8),
    Wide(u32),
    Other,
}

impl Key {
    fn of_value(v: &Value) -> Key {
        match v {
            Value::Int(i) => Key::Int(*i),
            Value::UInt(u) => Key::UInt(*u),
            Value::Bool(b) => Key::Int(i128::from(*b)),
            Value::Float(x) => Key::Float(*x),
            Value::Bytes(b) if b.len() == 1 => Key::Char(b[0]),
            Value::Text(s) if s.chars().count() == 1 => {
                Key::Wide(s.chars().next().map_or(0, u32::from))
            }
            Value::CData(c) => c.key(),
            _ => Key::Other,
        }
    }

    /// A number as an exact binary128 value, for comparing with a long double (integers past
    /// 113 bits round).
    fn wide(k: Key) -> Option<crate::LongDouble> {
        let f = crate::LongDoubleFormat::Binary128;
        match k {
            Key::Int(i) => Some(crate::LongDouble::from_i128(i, f)),
            Key::UInt(u) => Some(crate::LongDouble::from_u128(u, f)),
            Key::Float(x) => Some(crate::LongDouble::from_f64(x, f)),
            Key::Long(x) => Some(x),
            _ => None,
        }
    }

    fn cmp(self, other: Key) -> Option<Ordering> {
        match (self, other) {
            (Key::Addr(a), Key::Addr(b)) => Some(a.cmp(&b)),
            (Key::Int(a), Key::Int(b)) => Some(a.cmp(&b)),
            (Key::UInt(a), Key::UInt(b)) => Some(a.cmp(&b)),
            (Key::UInt(a), Key::Int(b)) => {
                Some(u128::try_from(b).map_or(Ordering::Greater, |b| a.cmp(&b)))
            }
            (Key::Int(a), Key::UInt(b)) => {
                Some(u128::try_from(a).map_or(Ordering::Less, |a| a.cmp(&b)))
            }
            (Key::UInt(a), Key::Float(b)) => cmp_uint_float(a, b),
            (Key::Float(a), Key::UInt(b)) => cmp_uint_float(b, a).map(Ordering::reverse),
            (Key::Float(a), Key::Float(b)) => a.partial_cmp(&b),
            // Exactly, as Python compares an int with a float.
            (Key::Int(a), Key::Float(b)) => cmp_int_float(a, b),
            (Key::Float(a), Key::Int(b)) => cmp_int_float(b, a).map(Ordering::reverse),
            (Key::Long(a), b) => a.partial_cmp_exact(&Key::wide(b)?),
            (a, Key::Long(b)) => Key::wide(a)?.partial_cmp_exact(&b),
            (Key::Char(a), Key::Char(b)) => Some(a.cmp(&b)),
            (Key::Wide(a), Key::Wide(b)) => Some(a.cmp(&b)),
            _ => None,
        }
    }
}

/// cffi's equality: pointers (and arrays, struct values, function pointers) by address,
/// numbers by value across types, `char` only with `char`, wide characters only with wide
/// characters. A NaN float is unequal to itself.
impl PartialEq for CData {
    fn eq(&self, other: &CData) -> bool {
        match (self.key(), other.key()) {
            (Key::Other, Key::Other) => {
                self.ty() == other.ty() && self.plain_key() == other.plain_key()
            }
            (a, b) => a.cmp(b) == Some(Ordering::Equal),
        }
    }
}

/// Equality is an equivalence except for NaN floats, as for Python objects used as keys.
impl Eq for CData {}

/// Hashes agree with equality: numbers hash by value (an integral float as the integer),
/// pointers by address.
impl Hash for CData {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.key() {
            Key::Addr(a) => (0u8, a).hash(state),
            // An integral number (of any key) hashes as the integer it equals.
            Key::Int(i) => hash_int(state, i),
            Key::UInt(u) => hash_uint(state, u),
            Key::Float(x) if x.fract() == 0.0 && x.abs() < TWO_127 => hash_int(state, x as i128),
            Key::Float(x) if x.fract() == 0.0 && (0.0..2.0 * TWO_127).contains(&x) => {
                hash_uint(state, x as u128)
            }
            Key::Float(x) => (2u8, x.to_bits()).hash(state),
            Key::Long(x) => match (x.to_i128(), x.to_u128()) {
                (Some(i), _) => hash_int(state, i),
                (_, Some(u)) => hash_uint(state, u),
                _ => (
                    6u8,
                    x.convert(crate::LongDoubleFormat::Binary128).to_bytes(),
                )
                    .hash(state),
            },
            Key::Char(c) => (3u8, c).hash(state),
            Key::Wide(c) => (4u8, c).hash(state),
            Key::Other => (5u8, self.plain_key()).hash(state),
        }
    }
}

/// 2^127: integral floats below it in magnitude are `i128`s.
const TWO_127: f64 = 1.7014118346046923e38;

fn hash_int<H: Hasher>(state: &mut H, i: i128) {
    (1u8, i).hash(state);
}

fn hash_uint<H: Hasher>(state: &mut H, u: u128) {
    match i128::try_from(u) {
        Ok(i) => hash_int(state, i),
        Err(_) => (7u8, u).hash(state),
    }
}

/// Ordering: pointers by address, numbers by value; a pointer and a number do not compare.
impl PartialOrd for CData {
    fn partial_cmp(&self, other: &CData) -> Option<Ordering> {
        self.key().cmp(other.key())
    }
}

impl PartialEq<Value> for CData {
    fn eq(&self, other: &Value) -> bool {
        self.key().cmp(Key::of_value(other)) == Some(Ordering::Equal)
    }
}

impl PartialOrd<Value> for CData {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        self.key().cmp(Key::of_value(other))
    }
}

/// Compares with a Rust number as cffi compares with a Python one (`cast("int", 5) == 5`,
/// `cast("float", 3.3) < 3.3`); a `char` cdata equals only a one-byte string.
macro_rules! cmp_number {
    ($variant:ident, $conv:expr; $($t:ty),*) => {$(
        impl PartialEq<$t> for CData {
            fn eq(&self, other: &$t) -> bool {
                self.key().cmp(Key::$variant($conv(*other))) == Some(Ordering::Equal)
            }
        }
        impl PartialOrd<$t> for CData {
            fn partial_cmp(&self, other: &$t) -> Option<Ordering> {
                self.key().cmp(Key::$variant($conv(*other)))
            }
        }
    )*};
}
cmp_number!(Int, i128::from; i8, i16, i32, i64, i128, u8, u16, u32, u64, bool);
cmp_number!(Int, |x| x as i128; isize, usize);
cmp_number!(Float, f64::from; f32, f64);

impl PartialEq<&[u8]> for CData {
    fn eq(&self, other: &&[u8]) -> bool {
        matches!((self.key(), *other), (Key::Char(a), [b]) if a == *b)
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for CData {
    fn eq(&self, other: &&[u8; N]) -> bool {
        *self == &other[..]
    }
}

/// Python's `repr` of a float: the shortest digits that read back the same, positional for
/// exponents -4..16, else `1e+16` style.
pub(super) fn py_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{x:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        let s = format!("{x}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// Python's repr of a complex number: `(1+2j)`, `(1.5-0.5j)`, `2j`.
fn py_complex(re: f64, im: f64) -> String {
    let part = |x: f64| {
        let s = py_float(x);
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    };
    if re == 0.0 && re.is_sign_positive() {
        return format!("{}j", part(im));
    }
    let sign = if im.is_sign_negative() { "-" } else { "+" };
    format!("({}{sign}{}j)", part(re), part(im.abs()))
}

/// Python's repr of a bytes object: `b'A'`, `b'\x80'`, `b'\''`.
pub(super) fn py_bytes(b: &[u8]) -> String {
    let mut s = String::from("b'");
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\'' => s.push_str("\\'"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('\'');
    s
}

/// Python's repr of a one-character str: `'A'`, `'\x00'`, `"'"`.
fn py_str(c: char) -> String {
    match c {
        '\'' => "\"'\"".into(),
        '\\' => "'\\\\'".into(),
        '\t' => "'\\t'".into(),
        '\n' => "'\\n'".into(),
        '\r' => "'\\r'".into(),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("'\\x{:02x}'", c as u32),
        c if c.is_control() => format!("'\\u{:04x}'", c as u32),
        c => format!("'{c}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_python_does() {
        for (x, want) in [
            (1.5, "1.5"),
            (1.0, "1.0"),
            (f64::from(1.1f32), "1.100000023841858"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (123456789012345.0, "123456789012345.0"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(py_float(x), want, "{x}");
        }
        let ld = |x| crate::LongDouble::from_f64(x, crate::LongDoubleFormat::X87).to_c_e(6);
        assert_eq!(ld(1.5), "1.500000E+00");
        assert_eq!(ld(-1.23e-7), "-1.230000E-07");
        assert_eq!(py_complex(1.0, 2.0), "(1+2j)");
        assert_eq!(py_complex(1.5, -0.5), "(1.5-0.5j)");
        assert_eq!(py_complex(0.0, 2.0), "2j");
        assert_eq!(py_bytes(b"A\x80'\\"), "b'A\\x80\\'\\\\'");
        assert_eq!(py_str('A'), "'A'");
        assert_eq!(py_str('\0'), "'\\x00'");
    }
}

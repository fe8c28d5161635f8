//! Command-line text as C values: numbers as C writes them (`42`, `-0x10`, `0755`, `1e-3`,
//! `'a'`), names of constants and enumerators, `NULL`, C string literals, and brace
//! initializers (`{1, 2}`, `{.x = 1, .y = 2}`) for structs and arrays.

use anyhow::{Result, bail};
use rcffi::{CType, Ffi, Kind, Value};

/// How deep braces may nest.
const MAX_DEPTH: usize = 32;

/// A value written on the command line, before it meets its C type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Int(i128),
    /// An integer above `i128::MAX` (an `unsigned __int128`).
    UInt(u128),
    /// A floating number, with its text (a `long double` reads the text itself).
    Float(f64, String),
    /// A string literal's bytes (escapes decoded).
    Str(Vec<u8>),
    /// A name: a constant, an enumerator, or `NULL`.
    Name(String),
    /// A brace initializer: items, each with its member name when designated.
    List(Vec<(Option<String>, Lit)>),
}

/// Parses one argument.
pub(crate) fn parse(text: &str) -> Result<Lit> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let lit = p.value(0)?;
    p.space();
    if p.i != p.s.len() {
        bail!("unexpected '{}' after the value in {text:?}", &text[p.i..]);
    }
    Ok(lit)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Lit> {
        self.space();
        match self.peek() {
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    bail!("braces nest deeper than {MAX_DEPTH} levels");
                }
                self.i += 1;
                self.list(depth + 1)
            }
            Some(b'"') => self.string(),
            Some(b'\'') => self.char(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    self.i += 1;
                }
                let word = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                match word.as_str() {
                    "inf" | "infinity" => Ok(Lit::Float(f64::INFINITY, word)),
                    "nan" => Ok(Lit::Float(f64::NAN, word)),
                    _ => Ok(Lit::Name(word)),
                }
            }
            Some(_) => self.number(),
            None => bail!("a value is missing"),
        }
    }

    fn list(&mut self, depth: usize) -> Result<Lit> {
        let mut items = Vec::new();
        loop {
            self.space();
            if self.peek() == Some(b'}') {
                self.i += 1;
                return Ok(Lit::List(items));
            }
            // `.x = 1` or `x = 1`.
            let save = self.i;
            let mut name = None;
            if self.peek() == Some(b'.') {
                self.i += 1;
            }
            let start = self.i;
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
            {
                self.i += 1;
            }
            let word = &self.s[start..self.i];
            self.space();
            if !word.is_empty() && !word[0].is_ascii_digit() && self.peek() == Some(b'=') {
                self.i += 1;
                name = Some(String::from_utf8_lossy(word).into_owned());
            } else {
                self.i = save;
            }
            items.push((name, self.value(depth)?));
            self.space();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {}
                _ => bail!("expected ',' or '}}' in a brace initializer"),
            }
        }
    }

    fn escape(&mut self) -> Result<u8> {
        let Some(c) = self.peek() else {
            bail!("a '\\' ends the text");
        };
        self.i += 1;
        Ok(match c {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            self.i += 1;
                        }
                        _ => break,
                    }
                }
                u8::try_from(v).map_err(|_| anyhow::anyhow!("octal escape \\{v:o} is over 255"))?
            }
            b'x' => {
                let start = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) && self.i - start < 2 {
                    self.i += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                u8::from_str_radix(digits, 16)
                    .map_err(|_| anyhow::anyhow!("'\\x' needs hexadecimal digits"))?
            }
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'e' => 27,
            other => other,
        })
    }

    fn string(&mut self) -> Result<Lit> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => bail!("a string literal is not closed"),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Lit::Str(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    out.push(self.escape()?);
                }
                Some(c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn char(&mut self) -> Result<Lit> {
        self.i += 1;
        let c = match self.peek() {
            Some(b'\\') => {
                self.i += 1;
                self.escape()?
            }
            Some(c) => {
                self.i += 1;
                c
            }
            None => bail!("a character literal is not closed"),
        };
        if self.peek() != Some(b'\'') {
            bail!("a character literal holds one character");
        }
        self.i += 1;
        Ok(Lit::Int(i128::from(c)))
    }

    fn number(&mut self) -> Result<Lit> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-' | b'_'))
        {
            // A sign only at the start or after an exponent.
            if matches!(self.peek(), Some(b'+' | b'-'))
                && self.i > start
                && !matches!(self.s[self.i - 1], b'e' | b'E' | b'p' | b'P')
            {
                break;
            }
            self.i += 1;
        }
        let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        number(&text)
    }
}

/// A C number: integers in decimal, `0x` hexadecimal, `0b` binary or `0` octal (suffixes
/// `u`/`l` ignored), or floating.
pub(crate) fn number(text: &str) -> Result<Lit> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let digits = body.trim_end_matches(['u', 'U', 'l', 'L']);
    let lower = digits.to_ascii_lowercase();
    let (radix, ds) = if let Some(h) = lower.strip_prefix("0x") {
        (16, h)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b)
    } else if lower.len() > 1 && lower.starts_with('0') && lower.bytes().all(|c| c.is_ascii_digit())
    {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if !ds.is_empty()
        && ds.bytes().all(|c| c.is_ascii_hexdigit())
        && (radix == 16 || ds.bytes().all(|c| c.is_ascii_digit()))
    {
        let Ok(u) = u128::from_str_radix(ds, radix) else {
            bail!("{text:?} does not fit in 128 bits");
        };
        return match (neg, i128::try_from(u)) {
            (false, Ok(i)) => Ok(Lit::Int(i)),
            (false, Err(_)) => Ok(Lit::UInt(u)),
            (true, Ok(i)) => Ok(Lit::Int(-i)),
            (true, Err(_)) if u == i128::MIN.unsigned_abs() => Ok(Lit::Int(i128::MIN)),
            (true, Err(_)) => bail!("{text:?} does not fit in 128 bits"),
        };
    }
    let float_text = text.trim_end_matches(['f', 'F', 'l', 'L']);
    match float_text.parse::<f64>() {
        Ok(f) if !lower.starts_with("0x") => Ok(Lit::Float(f, float_text.to_string())),
        _ => bail!("{text:?} is not a number"),
    }
}

impl Lit {
    /// The value this literal means for C type `ty`: as [`Lit::untyped`], with a brace list
    /// following the record's members or the array's items, and a number or one-character
    /// string given to `char` as its byte (C's `'a'` and `97` are both a `char`).
    pub(crate) fn typed(&self, ffi: &Ffi, ty: &CType) -> Result<Value> {
        self.typed_at(ffi, ty, 0)
    }

    fn typed_at(&self, ffi: &Ffi, ty: &CType, depth: usize) -> Result<Value> {
        if depth > MAX_DEPTH {
            bail!("types nest deeper than {MAX_DEPTH} levels");
        }
        match (self, ty.kind()) {
            (Lit::List(items), Kind::Struct | Kind::Union) => {
                let fields: Vec<(String, CType)> = ty
                    .fields()?
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(_, f)| f.flags == 0)
                    .map(|(n, f)| (n, f.ty))
                    .collect();
                let named = items.iter().all(|(n, _)| n.is_some()) && !items.is_empty();
                if !named && items.iter().any(|(n, _)| n.is_some()) {
                    bail!("a brace initializer names all its members or none");
                }
                if named {
                    let all: Vec<(String, CType)> = ty
                        .fields()?
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(n, f)| (n, f.ty))
                        .collect();
                    let mut map = Vec::new();
                    for (n, v) in items {
                        let n = n.clone().unwrap_or_default();
                        let value = match all.iter().find(|(f, _)| *f == n) {
                            Some((_, t)) => v.typed_at(ffi, t, depth + 1)?,
                            None => v.untyped(ffi)?, // the library names the unknown member
                        };
                        map.push((n, value));
                    }
                    return Ok(Value::Map(map));
                }
                let mut list = Vec::new();
                for (i, (_, v)) in items.iter().enumerate() {
                    list.push(match fields.get(i) {
                        Some((_, t)) => v.typed_at(ffi, t, depth + 1)?,
                        None => v.untyped(ffi)?, // the library says there are too many
                    });
                }
                Ok(Value::List(list))
            }
            (Lit::List(items), Kind::Array) => {
                let item = ty.item().expect("an array type has an item type");
                if items.iter().any(|(n, _)| n.is_some()) {
                    bail!("an array's initializer names no members");
                }
                Ok(Value::List(
                    items
                        .iter()
                        .map(|(_, v)| v.typed_at(ffi, &item, depth + 1))
                        .collect::<Result<_>>()?,
                ))
            }
            (Lit::Int(c), Kind::Primitive) if is_plain_char(ty) => {
                match u8::try_from(*c).or_else(|_| i8::try_from(*c).map(|b| b as u8)) {
                    Ok(b) => Ok(Value::Bytes([b].into())),
                    Err(_) => bail!("{c} does not fit in a '{}'", ty.cname()),
                }
            }
            _ => self.untyped(ffi),
        }
    }

    /// The value this literal means with no C type to go by: names are constants (or
    /// `NULL`), braces lists or maps, strings bytes.
    pub(crate) fn untyped(&self, ffi: &Ffi) -> Result<Value> {
        Ok(match self {
            Lit::Int(i) => Value::Int(*i),
            Lit::UInt(u) => Value::from(*u),
            Lit::Float(f, _) => Value::Float(*f),
            Lit::Str(b) => Value::Bytes(b.into()),
            Lit::Name(n) if n == "NULL" => Value::CData(ffi.null()),
            Lit::Name(n) => match ffi.integer_const(n) {
                Ok(v) => Value::from(v),
                Err(_) => bail!(
                    "'{n}' is not a number, NULL, or a constant of the declarations (a header's \
                     constants come with -H HEADER)"
                ),
            },
            Lit::List(items) => {
                if items.iter().all(|(n, _)| n.is_some()) && !items.is_empty() {
                    let mut map = Vec::new();
                    for (n, v) in items {
                        map.push((n.clone().unwrap_or_default(), v.untyped(ffi)?));
                    }
                    Value::Map(map)
                } else if items.iter().any(|(n, _)| n.is_some()) {
                    bail!("a brace initializer names all its members or none")
                } else {
                    Value::List(
                        items
                            .iter()
                            .map(|(_, v)| v.untyped(ffi))
                            .collect::<Result<_>>()?,
                    )
                }
            }
        })
    }
}

/// Whether `ty` is `char` itself, whose values are bytes (`signed char` and `unsigned char`
/// are small integers, as in cffi).
pub(crate) fn is_plain_char(ty: &CType) -> bool {
    matches!(ty.cname().as_str(), "char" | "const char")
}

/// Whether `ty` is one of C's character types (whose pointers take text).
pub(crate) fn is_char_type(ty: &CType) -> bool {
    let name = ty.cname();
    let name = name.strip_prefix("const ").unwrap_or(&name);
    matches!(name, "char" | "signed char" | "unsigned char")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_c_writes_them() {
        assert_eq!(parse("42").unwrap(), Lit::Int(42));
        assert_eq!(parse("-0x10").unwrap(), Lit::Int(-16));
        assert_eq!(parse("0755").unwrap(), Lit::Int(0o755));
        assert_eq!(parse("0b101").unwrap(), Lit::Int(5));
        assert_eq!(parse("10UL").unwrap(), Lit::Int(10));
        assert_eq!(parse("0").unwrap(), Lit::Int(0));
        assert_eq!(
            parse("340282366920938463463374607431768211455").unwrap(),
            Lit::UInt(u128::MAX)
        );
        assert_eq!(
            parse("-170141183460469231731687303715884105728").unwrap(),
            Lit::Int(i128::MIN)
        );
        assert!(parse("340282366920938463463374607431768211456").is_err());
        assert_eq!(parse("1e-3").unwrap(), Lit::Float(1e-3, "1e-3".into()));
        assert_eq!(parse("-2.5").unwrap(), Lit::Float(-2.5, "-2.5".into()));
        assert_eq!(parse("'a'").unwrap(), Lit::Int(97));
        assert_eq!(parse("'\\n'").unwrap(), Lit::Int(10));
        assert!(parse("12abc").is_err());
        assert!(parse("089").is_err());
    }

    #[test]
    fn strings_names_and_braces() {
        assert_eq!(
            parse("\"a\\tb\\x41\\101\"").unwrap(),
            Lit::Str(b"a\tbAA".to_vec())
        );
        assert_eq!(parse("NULL").unwrap(), Lit::Name("NULL".into()));
        assert_eq!(
            parse("{1, {.x = 2, y = -3}, \"s\"}").unwrap(),
            Lit::List(vec![
                (None, Lit::Int(1)),
                (
                    None,
                    Lit::List(vec![
                        (Some("x".into()), Lit::Int(2)),
                        (Some("y".into()), Lit::Int(-3))
                    ])
                ),
                (None, Lit::Str(b"s".to_vec())),
            ])
        );
        assert_eq!(parse("{}").unwrap(), Lit::List(vec![]));
        assert!(parse("{1, 2").is_err());
        assert!(parse("\"open").is_err());
        assert!(parse(&"{".repeat(100_000)).is_err());
        assert!(parse("1 2").is_err());
    }
}

//! C values as the command prints them: numbers as C writes them, strings quoted, structs and
//! arrays as initializers (`{x = 1, y = 2}`), pointers as addresses.

use std::fmt::Write as _;

use rcffi::{CData, Ffi, Kind, Value};

/// How many items of an array are printed before `...`.
const MAX_ITEMS: usize = 64;
/// How deep records and arrays are printed before `{...}`.
const MAX_DEPTH: usize = 16;

/// A value as text; `None` for `void`.
pub(crate) fn value(ffi: &Ffi, v: &Value) -> Option<String> {
    let mut out = String::new();
    match v {
        Value::Void => return None,
        v => write_value(ffi, v, 0, &mut out),
    }
    Some(out)
}

fn write_value(ffi: &Ffi, v: &Value, depth: usize, out: &mut String) {
    match v {
        Value::Void => out.push_str("void"),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::UInt(u) => {
            let _ = write!(out, "{u}");
        }
        Value::Float(f) => out.push_str(&float(*f)),
        // A `char` (arrays and pointers of chars print as strings, from their cdata).
        Value::Bytes(b) if b.len() == 1 => char_literal(b[0], out),
        Value::Bytes(b) => quoted(b, out),
        Value::Text(t) => quoted(t.as_bytes(), out),
        Value::List(items) => {
            out.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(ffi, item, depth + 1, out);
            }
            out.push('}');
        }
        Value::Numbers(n) => write_value(ffi, &Value::List(n.to_values()), depth, out),
        Value::Map(items) => {
            out.push('{');
            for (i, (k, item)) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{k} = ");
                write_value(ffi, item, depth + 1, out);
            }
            out.push('}');
        }
        Value::CData(c) => write_cdata(ffi, c, depth, out),
    }
}

/// A double as C's `%g` would not lose it: Rust's shortest text that reads back the same,
/// with a `.0` on whole numbers so that it reads as floating.
fn float(f: f64) -> String {
    if f.is_finite() {
        format!("{f:?}")
    } else if f.is_nan() {
        "nan".into()
    } else if f > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// A byte as a C character literal: `'a'`, `'\n'`, `'\x00'`.
fn char_literal(b: u8, out: &mut String) {
    let mut s = String::new();
    quoted(&[b], &mut s);
    let inner = &s[1..s.len() - 1];
    match inner {
        "\\\"" => out.push_str("'\"'"),
        "'" => out.push_str("'\\''"),
        _ => {
            out.push('\'');
            out.push_str(inner);
            out.push('\'');
        }
    }
}

/// Bytes as a C string literal: printable ASCII as is, the rest escaped.
pub(crate) fn quoted(bytes: &[u8], out: &mut String) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            0x20..=0x7e => out.push(b as char),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push('"');
}

fn write_cdata(ffi: &Ffi, c: &CData, depth: usize, out: &mut String) {
    let ty = c.ctype();
    if depth > MAX_DEPTH {
        out.push_str("{...}");
        return;
    }
    match ty.kind() {
        Kind::Pointer | Kind::Function => {
            if c.is_null() {
                out.push_str("NULL");
            } else if ty.item().is_some_and(|t| crate::literal::is_char_type(&t)) {
                // SAFETY: a `char *` a C function returned is read as the C string it
                // promises to be: the one unchecked read of the command, as the call itself is
                // unchecked (the declaration is the user's claim about the library).
                match unsafe { ffi.string_unchecked(c, None) } {
                    Ok(Value::Bytes(b)) => quoted(&b, out),
                    _ => {
                        let _ = write!(out, "({}) {:#x}", ty.cname(), c.address());
                    }
                }
            } else {
                let _ = write!(out, "({}) {:#x}", ty.cname(), c.address());
            }
        }
        Kind::Array => {
            let len = c.len().unwrap_or(0);
            if ty.item().is_some_and(|t| crate::literal::is_char_type(&t)) {
                let bytes: Vec<u8> = match ffi.string(c, None) {
                    Ok(Value::Bytes(b)) => b.into_vec(),
                    _ => Vec::new(),
                };
                quoted(&bytes, out);
                return;
            }
            out.push('{');
            for i in 0..len.min(MAX_ITEMS) {
                if i > 0 {
                    out.push_str(", ");
                }
                match c.get(i) {
                    Ok(v) => write_value(ffi, &v, depth + 1, out),
                    Err(e) => {
                        let _ = write!(out, "<{e}>");
                    }
                }
            }
            if len > MAX_ITEMS {
                out.push_str(", ...");
            }
            out.push('}');
        }
        Kind::Struct | Kind::Union => {
            out.push('{');
            let fields = ty.fields().ok().flatten().unwrap_or_default();
            // Members of an anonymous member come flattened, as in cffi; a union shows its
            // first member only, as an initializer sets it.
            let mut first = true;
            for (name, f) in &fields {
                if ty.kind() == Kind::Union && !first {
                    break;
                }
                if f.flags != 0 {
                    continue;
                }
                if !first {
                    out.push_str(", ");
                }
                first = false;
                let _ = write!(out, "{name} = ");
                match c.field(name) {
                    Ok(v) => write_value(ffi, &v, depth + 1, out),
                    Err(e) => {
                        let _ = write!(out, "<{e}>");
                    }
                }
            }
            out.push('}');
        }
        Kind::Enum => match c.to_int() {
            Ok(i) => {
                let name = ty.elements().and_then(|e| e.get(&i).cloned());
                match name {
                    Some(n) => {
                        let _ = write!(out, "{i} ({n})");
                    }
                    None => {
                        let _ = write!(out, "{i}");
                    }
                }
            }
            Err(e) => {
                let _ = write!(out, "<{e}>");
            }
        },
        Kind::Primitive => {
            if ty.cname() == "long double"
                && let Ok(ld) = c.to_long_double()
            {
                let _ = write!(out, "{ld}");
            } else {
                match c.to_value() {
                    Ok(Value::CData(inner)) => {
                        let _ = write!(out, "{inner:?}");
                    }
                    Ok(v) => write_value(ffi, &v, depth + 1, out),
                    Err(e) => {
                        let _ = write!(out, "<{e}>");
                    }
                }
            }
        }
        Kind::Void => out.push_str("void"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_strings_and_records() {
        let ffi = Ffi::default();
        ffi.cdef("struct pt { int x, y; }; struct line { struct pt a, b; char name[8]; };")
            .unwrap();
        assert_eq!(value(&ffi, &Value::Void), None);
        assert_eq!(value(&ffi, &Value::Float(1024.0)).unwrap(), "1024.0");
        assert_eq!(value(&ffi, &Value::Float(0.1)).unwrap(), "0.1");
        assert_eq!(
            value(&ffi, &Value::from(u128::MAX)).unwrap(),
            u128::MAX.to_string()
        );
        assert_eq!(
            value(&ffi, &Value::Bytes(b"a\"b\n\x01".into())).unwrap(),
            r#""a\"b\n\x01""#
        );
        assert_eq!(value(&ffi, &Value::Bytes(b"A".into())).unwrap(), "'A'");
        assert_eq!(value(&ffi, &Value::Bytes(b"'".into())).unwrap(), r"'\''");
        assert_eq!(value(&ffi, &Value::Bytes(b"\"".into())).unwrap(), r#"'"'"#);
        assert_eq!(
            value(&ffi, &Value::Bytes(vec![0].into())).unwrap(),
            r"'\x00'"
        );
        let line = ffi
            .new(
                "struct line *",
                rcffi::list![rcffi::list![1, 2], rcffi::list![3, 4], "ab"],
            )
            .unwrap();
        let deref = line.get(0).unwrap();
        assert_eq!(
            value(&ffi, &deref).unwrap(),
            r#"{a = {x = 1, y = 2}, b = {x = 3, y = 4}, name = "ab"}"#
        );
        let null = ffi.cast("int *", 0).unwrap();
        assert_eq!(value(&ffi, &Value::CData(null)).unwrap(), "NULL");
    }
}

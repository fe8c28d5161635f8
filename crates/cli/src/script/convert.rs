//! Values between Rhai and rcffi: Rhai's integers, floats, strings, blobs, arrays and maps
//! are cffi's Python values; C integers past Rhai's 64-bit `INT` stay C data (as LuaJIT boxes
//! 64-bit integers), and so does `long double`: nothing is rounded on the way.

use rhai::{Array, Blob, Dynamic, EvalAltResult, INT, Map, Position};

use rcffi::{CData, Ffi, Value};

/// An rcffi error as a script exception (the message keeps the cdef's caret).
pub(crate) fn thrown(e: impl std::fmt::Display) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(
        Dynamic::from(e.to_string()),
        Position::NONE,
    ))
}

/// What a read or a call gave, for the script.
pub(crate) fn to_script(ffi: &Ffi, v: Value) -> Result<Dynamic, Box<EvalAltResult>> {
    Ok(match v {
        Value::Void => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from(b),
        Value::Int(i) => match INT::try_from(i) {
            Ok(n) => Dynamic::from(n),
            Err(_) => Dynamic::from(big(ffi, Value::Int(i), i < 0)?),
        },
        Value::UInt(u) => Dynamic::from(big(ffi, Value::UInt(u), false)?),
        Value::Float(f) => Dynamic::from(f),
        // A `char`: the script's character of that byte (`'a'`; bytes past ASCII as
        // U+0080..U+00FF, which go back as the same byte).
        Value::Bytes(b) if b.len() == 1 => Dynamic::from(char::from(b[0])),
        Value::Bytes(b) => bytes(b.into_vec()),
        Value::Text(t) => Dynamic::from(t),
        Value::List(items) => Dynamic::from(
            items
                .into_iter()
                .map(|v| to_script(ffi, v))
                .collect::<Result<Array, _>>()?,
        ),
        Value::Numbers(n) => to_script(ffi, Value::List(n.to_values()))?,
        Value::Map(items) => {
            let mut map = Map::new();
            for (k, v) in items {
                map.insert(k.into(), to_script(ffi, v)?);
            }
            Dynamic::from(map)
        }
        Value::CData(c) => Dynamic::from(c),
    })
}

/// Bytes as a string when they are UTF-8 (what C text usually is), else as a blob: never
/// replaced characters.
pub(crate) fn bytes(b: Vec<u8>) -> Dynamic {
    match String::from_utf8(b) {
        Ok(s) => Dynamic::from(s),
        Err(e) => Dynamic::from(e.into_bytes() as Blob),
    }
}

/// An integer past 64 bits as a C integer of the smallest type that holds it.
fn big(ffi: &Ffi, v: Value, negative: bool) -> Result<CData, Box<EvalAltResult>> {
    let fits_u64 = matches!(&v, Value::Int(i) if u64::try_from(*i).is_ok());
    let ty = if fits_u64 {
        "unsigned long long"
    } else if negative || matches!(v, Value::Int(_)) {
        "__int128"
    } else {
        "unsigned __int128"
    };
    ffi.cast(ty, v).map_err(thrown)
}

/// A script value as an argument or initializer.
pub(crate) fn from_script(d: &Dynamic) -> Result<Value, Box<EvalAltResult>> {
    if d.is_unit() {
        return Ok(Value::Void);
    }
    if let Ok(i) = d.as_int() {
        return Ok(Value::Int(i128::from(i)));
    }
    if let Ok(f) = d.as_float() {
        return Ok(Value::Float(f));
    }
    if let Ok(b) = d.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(c) = d.as_char() {
        // A character is C's `char` (`'a'`), one byte; others are text.
        return Ok(match u8::try_from(u32::from(c)) {
            Ok(b) => Value::Bytes([b].into()),
            Err(_) => Value::Text(c.to_string()),
        });
    }
    if d.is_string() {
        return Ok(Value::Text(d.clone().into_string().unwrap_or_default()));
    }
    if d.is_blob() {
        return Ok(Value::Bytes(
            d.clone().into_blob().unwrap_or_default().into(),
        ));
    }
    if d.is_array() {
        let items = d.read_lock::<Array>().expect("an array");
        return Ok(Value::List(
            items.iter().map(from_script).collect::<Result<_, _>>()?,
        ));
    }
    if d.is_map() {
        let items = d.read_lock::<Map>().expect("a map");
        let mut out = Vec::new();
        for (k, v) in items.iter() {
            out.push((k.to_string(), from_script(v)?));
        }
        return Ok(Value::Map(out));
    }
    if let Some(c) = d.read_lock::<CData>() {
        return Ok(Value::CData(c.clone()));
    }
    Err(thrown(format!(
        "a {} is not a C value (numbers, strings, blobs, arrays, maps and cdata are)",
        d.type_name()
    )))
}

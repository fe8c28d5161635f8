//! rcffi's objects in scripts: cdata (`p.x`, `a[i]`, `p + 1`, `len(a)`), C types (`kind`,
//! `cname`, ...), and libraries, whose C functions are methods (`z.crc32(0, "abc", 3)`) and
//! whose variables and constants are properties (`lib.counter`, `z.Z_OK`).

use rhai::{Array, Dynamic, Engine, EvalAltResult, FLOAT, INT};

use rcffi::{CData, CType, Ffi, Lib, Value};

use super::convert::{from_script, thrown, to_script};

type Res<T> = Result<T, Box<EvalAltResult>>;

fn index(i: INT) -> Res<isize> {
    isize::try_from(i).map_err(thrown)
}

/// Registers cdata, C types and libraries.
pub(super) fn register(engine: &mut Engine, ffi: &Ffi) {
    engine.register_type_with_name::<CData>("cdata");
    engine.register_type_with_name::<CType>("ctype");
    engine.register_type_with_name::<Lib>("library");
    cdata(engine, ffi);
    ctype(engine);
    library(engine, ffi);
}

fn cdata(engine: &mut Engine, ffi: &Ffi) {
    let f = ffi.clone();
    engine.register_indexer_get(move |c: &mut CData, name: &str| -> Res<Dynamic> {
        to_script(&f, c.field(name).map_err(thrown)?)
    });
    engine.register_indexer_set(|c: &mut CData, name: &str, v: Dynamic| -> Res<()> {
        c.set_field(name, from_script(&v)?).map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_indexer_get(move |c: &mut CData, i: INT| -> Res<Dynamic> {
        to_script(&f, c.get(index(i)?).map_err(thrown)?)
    });
    engine.register_indexer_set(|c: &mut CData, i: INT, v: Dynamic| -> Res<()> {
        c.set(index(i)?, from_script(&v)?).map_err(thrown)
    });
    engine.register_fn("len", |c: &mut CData| -> Res<INT> {
        c.len()
            .map_err(thrown)
            .and_then(|n| INT::try_from(n).map_err(thrown))
    });
    engine.register_fn("is_null", |c: &mut CData| c.is_null());
    engine.register_fn("address", |c: &mut CData| -> Res<INT> {
        INT::try_from(c.address()).map_err(thrown)
    });
    engine.register_fn("to_int", |c: &mut CData| -> Res<INT> {
        INT::try_from(c.to_int().map_err(thrown)?).map_err(thrown)
    });
    engine.register_fn("to_float", |c: &mut CData| -> Res<FLOAT> {
        c.to_f64().map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("to_array", move |c: &mut CData| -> Res<Array> {
        c.to_vec()
            .map_err(thrown)?
            .into_iter()
            .map(|v| to_script(&f, v))
            .collect()
    });
    engine.register_fn("slice", |c: &mut CData, a: INT, b: INT| -> Res<CData> {
        c.slice(index(a)?, index(b)?).map_err(thrown)
    });
    engine.register_fn("+", |c: CData, n: INT| -> Res<CData> {
        c.offset(index(n)?).map_err(thrown)
    });
    engine.register_fn("-", |c: CData, n: INT| -> Res<CData> {
        c.offset(-index(n)?).map_err(thrown)
    });
    engine.register_fn("-", |a: CData, b: CData| -> Res<INT> {
        INT::try_from(a.diff(&b).map_err(thrown)?).map_err(thrown)
    });
    // A C number prints as its value, every digit of it (a 128-bit integer, a long double);
    // other cdata print as cffi's repr, as `to_debug` does.
    engine.register_fn("to_string", |c: &mut CData| {
        number_text(c).unwrap_or_else(|| format!("{c:?}"))
    });
    engine.register_fn("to_debug", |c: &mut CData| format!("{c:?}"));
    engine.register_fn("type_name", |c: &mut CData| c.type_name().to_string());
    // Comparisons as C values: a cdata equals the number it holds, whatever its width.
    use std::cmp::Ordering::{self, Equal, Greater, Less};
    let flip = |o: Option<Ordering>| o.map(Ordering::reverse);
    macro_rules! compare {
        ($op:literal, $test:expr) => {
            let test: fn(Option<Ordering>) -> bool = $test;
            engine.register_fn($op, move |a: CData, b: CData| test(a.partial_cmp(&b)));
            engine.register_fn($op, move |a: CData, b: INT| test(a.partial_cmp(&b)));
            engine.register_fn($op, move |a: INT, b: CData| test(flip(b.partial_cmp(&a))));
            engine.register_fn($op, move |a: CData, b: FLOAT| test(a.partial_cmp(&b)));
            engine.register_fn($op, move |a: FLOAT, b: CData| test(flip(b.partial_cmp(&a))));
        };
    }
    compare!("==", |o| o == Some(Equal));
    compare!("!=", |o| o != Some(Equal));
    compare!("<", |o| o == Some(Less));
    compare!(">", |o| o == Some(Greater));
    compare!("<=", |o| matches!(o, Some(Less | Equal)));
    compare!(">=", |o| matches!(o, Some(Greater | Equal)));
}

/// The value of a primitive cdata as text: every digit, no rounding.
fn number_text(c: &CData) -> Option<String> {
    if c.ctype().kind() != rcffi::Kind::Primitive {
        return None;
    }
    if c.type_name() == "long double" {
        return c.to_long_double().ok().map(|v| v.to_string());
    }
    match c.to_value().ok()? {
        Value::Int(i) => Some(i.to_string()),
        Value::UInt(u) => Some(u.to_string()),
        Value::Float(f) => Some(format!("{f:?}")),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn ctype(engine: &mut Engine) {
    engine.register_get("kind", |t: &mut CType| t.kind().as_str().to_string());
    engine.register_get("cname", |t: &mut CType| t.cname());
    engine.register_get("item", |t: &mut CType| -> Dynamic {
        t.item().map_or(Dynamic::UNIT, Dynamic::from)
    });
    engine.register_get("length", |t: &mut CType| -> Dynamic {
        t.length()
            .and_then(|n| INT::try_from(n).ok())
            .map_or(Dynamic::UNIT, Dynamic::from)
    });
    engine.register_get("result", |t: &mut CType| -> Dynamic {
        t.result().map_or(Dynamic::UNIT, Dynamic::from)
    });
    engine.register_get("args", |t: &mut CType| -> Dynamic {
        t.args().map_or(Dynamic::UNIT, |a| {
            Dynamic::from(a.into_iter().map(Dynamic::from).collect::<Array>())
        })
    });
    engine.register_get("fields", |t: &mut CType| -> Res<Dynamic> {
        let Some(fields) = t.fields().map_err(thrown)? else {
            return Ok(Dynamic::UNIT);
        };
        Ok(Dynamic::from(
            fields
                .into_iter()
                .map(|(name, f)| {
                    let mut m = rhai::Map::new();
                    m.insert("name".into(), Dynamic::from(name));
                    m.insert("type".into(), Dynamic::from(f.ty));
                    m.insert(
                        "offset".into(),
                        Dynamic::from(INT::try_from(f.offset).unwrap_or(INT::MAX)),
                    );
                    m.insert("bitshift".into(), Dynamic::from(INT::from(f.bitshift)));
                    m.insert("bitsize".into(), Dynamic::from(INT::from(f.bitsize)));
                    Dynamic::from(m)
                })
                .collect::<Array>(),
        ))
    });
    engine.register_fn("to_string", |t: &mut CType| format!("{t:?}"));
    engine.register_fn("to_debug", |t: &mut CType| format!("{t:?}"));
    engine.register_fn("==", |a: CType, b: CType| a == b);
    engine.register_fn("!=", |a: CType, b: CType| a != b);
}

fn library(engine: &mut Engine, ffi: &Ffi) {
    let f = ffi.clone();
    engine.register_indexer_get(move |lib: &mut Lib, name: &str| -> Res<Dynamic> {
        to_script(&f, lib.get(name).map_err(thrown)?)
    });
    engine.register_indexer_set(|lib: &mut Lib, name: &str, v: Dynamic| -> Res<()> {
        lib.set(name, from_script(&v)?).map_err(thrown)
    });
    engine.register_fn("dir", |lib: &mut Lib| -> Array {
        lib.dir().into_iter().map(Dynamic::from).collect()
    });
    engine.register_fn("to_string", |lib: &mut Lib| format!("{lib:?}"));
    engine.register_fn("to_debug", |lib: &mut Lib| format!("{lib:?}"));
    // `z.crc32(0, "abc", 3)`: a method no one registered is the library's C function (the
    // slow way in: Rhai builds its "not found" error first; `register_methods` registers the
    // methods a script calls ahead). `fp.invoke(1, 2)` calls a function pointer (Rhai keeps
    // `call` for its own function pointers).
    let f = ffi.clone();
    #[allow(deprecated)] // Rhai marks `on_missing_function` volatile, not deprecated.
    engine.on_missing_function(move |name, args, is_method, _| {
        if !is_method || args.is_empty() {
            return Ok(None);
        }
        let Some(lib) = args[0].read_lock::<Lib>().map(|l| l.clone()) else {
            return Ok(None);
        };
        call_lib(&f, &lib, name, &args[1..]).map(Some)
    });
    for arity in 0..=MAX_ARGS {
        let f = ffi.clone();
        engine.register_raw_fn(
            "invoke",
            receiver_and_any::<CData>(arity),
            move |_, args| -> Res<Dynamic> {
                let fp = args[0]
                    .read_lock::<CData>()
                    .map(|c| c.clone())
                    .expect("a cdata");
                let values = values_of(&args[1..])?;
                // SAFETY: a C function pointer called as its type says; calls are the one thing a
                // script does unchecked, as in cffi.
                let r = unsafe { fp.call(values.as_slice()) }.map_err(thrown)?;
                to_script(&f, r)
            },
        );
    }
}

/// The parameter types of a method of `T` taking `n` arguments of any type.
fn receiver_and_any<T: 'static>(n: usize) -> Vec<std::any::TypeId> {
    let mut types = vec![std::any::TypeId::of::<T>()];
    types.extend(std::iter::repeat_n(std::any::TypeId::of::<Dynamic>(), n));
    types
}

/// The most arguments a method call registered ahead takes.
const MAX_ARGS: usize = 15;

/// Names a library's methods may not take: what every library has.
const LIBRARY_METHODS: &[&str] = &["dir", "to_string", "to_debug", "type_of"];

/// Calls C function `name` of `lib` with script arguments.
fn call_lib(ffi: &Ffi, lib: &Lib, name: &str, args: &[&mut Dynamic]) -> Res<Dynamic> {
    let values = values_of(args)?;
    // Borrowed, text goes to C from where it is (an owned `Vec<Value>` would copy it through
    // libffi's general path).
    // SAFETY: a C function called as its declaration says; calls are the one thing a script
    // does unchecked, as in cffi.
    let r = unsafe { lib.call(name, values.as_slice()) }.map_err(thrown)?;
    to_script(ffi, r)
}

/// Script arguments as values.
fn values_of(args: &[&mut Dynamic]) -> Res<Vec<Value>> {
    args.iter().map(|a| from_script(a)).collect()
}

/// Registers, for each `(name, arguments)` a script calls as a method, a function of a
/// library receiver taking any arguments: found directly, as registered functions are, where
/// a method no one registered goes through Rhai's "not found" path first (about 1 µs).
pub(super) fn register_methods(engine: &mut Engine, ffi: &Ffi, methods: &[(String, usize)]) {
    for (name, arity) in methods {
        if *arity > MAX_ARGS || LIBRARY_METHODS.contains(&name.as_str()) {
            continue;
        }
        let (f, n) = (ffi.clone(), name.clone());
        engine.register_raw_fn(
            name.as_str(),
            receiver_and_any::<Lib>(*arity),
            move |_, args| -> Res<Dynamic> {
                let (first, rest) = args.split_first_mut().expect("a receiver");
                let lib = first
                    .read_lock::<Lib>()
                    .map(|l| l.clone())
                    .expect("a library");
                call_lib(&f, &lib, &n, rest)
            },
        );
    }
}

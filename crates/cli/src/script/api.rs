//! The functions a script calls, with cffi's and LuaJIT's names: `cdef`, `include_headers`,
//! `dlopen`, `new`, `cast`, `string`, `sizeof`, `alignof`, `offsetof`, `typeof`, `callback`,
//! `errno`, and the assertions of `rcffi test`.

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, INT};

use rcffi::{CData, CType, Ffi, Headers, Value};

use super::Shared;
use super::convert::{bytes, from_script, thrown, to_script};

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A type given by name (`"struct pt *"`) or as a `typeof` result.
fn ctype(ffi: &Ffi, d: &Dynamic) -> Res<CType> {
    if let Some(t) = d.read_lock::<CType>() {
        return Ok(t.clone());
    }
    if let Some(c) = d.read_lock::<CData>() {
        return Ok(c.ctype());
    }
    match d.clone().into_string() {
        Ok(s) => ffi.typeof_(s.as_str()).map_err(thrown),
        Err(other) => Err(thrown(format!(
            "a C type is a string ('struct pt *') or a typeof(), not a {other}"
        ))),
    }
}

/// The cdata a script value holds.
fn cdata(d: &Dynamic, what: &str) -> Res<CData> {
    match d.read_lock::<CData>() {
        Some(c) => Ok(c.clone()),
        None => Err(thrown(format!(
            "{what} takes a cdata, not a {}",
            d.type_name()
        ))),
    }
}

/// A count or length given by a script: 0 or more.
fn count(n: INT, what: &str) -> Res<usize> {
    usize::try_from(n).map_err(|_| thrown(format!("{what} takes a length of 0 or more, not {n}")))
}

fn int(v: usize) -> INT {
    INT::try_from(v).unwrap_or(INT::MAX)
}

/// Registers the functions, each holding the session's `ffi`.
pub(super) fn register(engine: &mut Engine, ffi: &Ffi, shared: &Shared, args: Vec<String>) {
    let f = ffi.clone();
    engine.register_fn("cdef", move |text: &str| -> Res<()> {
        f.cdef(text).map(drop).map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("include_headers", move |header: &str| -> Res<()> {
        f.include_headers(&Headers::new([header]))
            .map(drop)
            .map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("include_headers", move |headers: Array| -> Res<()> {
        let names: Vec<String> = headers.into_iter().map(|h| h.to_string()).collect();
        f.include_headers(&Headers::new(names))
            .map(drop)
            .map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn(
        "include_headers",
        move |headers: Dynamic, options: rhai::Map| -> Res<()> {
            f.include_headers(&header_spec(headers, &options)?)
                .map(drop)
                .map_err(thrown)
        },
    );
    let f = ffi.clone();
    engine.register_fn("dlopen", move |name: &str| -> Res<rcffi::Lib> {
        // SAFETY: a script's declarations are its claim about the library, as cffi's
        // `dlopen` takes them; calls are the one thing a script does unchecked.
        unsafe { f.dlopen(name) }.map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("dlopen", move || -> Res<rcffi::Lib> {
        // SAFETY: as above, for the program and the C library it links.
        unsafe { f.dlopen_self() }.map_err(thrown)
    });
    register_new(engine, ffi);
    let f = ffi.clone();
    engine.register_fn("cast", move |ty: Dynamic, v: Dynamic| -> Res<CData> {
        f.cast(&ctype(&f, &ty)?, from_script(&v)?).map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("string", move |c: Dynamic| -> Res<Dynamic> {
        text(&f, f.string(&cdata(&c, "string")?, None))
    });
    let f = ffi.clone();
    engine.register_fn("string", move |c: Dynamic, max: INT| -> Res<Dynamic> {
        let max = count(max, "string")?;
        text(&f, f.string(&cdata(&c, "string")?, Some(max)))
    });
    let f = ffi.clone();
    engine.register_fn("string_unchecked", move |c: Dynamic| -> Res<Dynamic> {
        let c = cdata(&c, "string_unchecked")?;
        // SAFETY: the one unchecked read a script may make, as a C call is unchecked: the
        // text a C function returned, read up to its NUL, the script vouching that it is one.
        text(&f, unsafe { f.string_unchecked(&c, None) })
    });
    let f = ffi.clone();
    engine.register_fn("unpack", move |c: Dynamic, n: INT| -> Res<Dynamic> {
        let n = count(n, "unpack")?;
        let v = f.unpack(&cdata(&c, "unpack")?, n).map_err(thrown)?;
        to_script(&f, v)
    });
    let f = ffi.clone();
    engine.register_fn("sizeof", move |ty: Dynamic| -> Res<INT> {
        match ty.read_lock::<CData>() {
            Some(c) => c.sizeof().map(int).map_err(thrown),
            None => f.sizeof(&ctype(&f, &ty)?).map(int).map_err(thrown),
        }
    });
    let f = ffi.clone();
    engine.register_fn("alignof", move |ty: Dynamic| -> Res<INT> {
        f.alignof(&ctype(&f, &ty)?).map(int).map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("offsetof", move |ty: Dynamic, path: &str| -> Res<INT> {
        let off = f.offsetof(&ctype(&f, &ty)?, path).map_err(thrown)?;
        INT::try_from(off).map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("typeof", move |ty: Dynamic| -> Res<CType> {
        ctype(&f, &ty)
    });
    let f = ffi.clone();
    engine.register_fn("addressof", move |c: Dynamic, path: &str| -> Res<CData> {
        f.addressof(&cdata(&c, "addressof")?, path).map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn("addressof", move |c: Dynamic| -> Res<CData> {
        f.addressof(&cdata(&c, "addressof")?, "").map_err(thrown)
    });
    let f = ffi.clone();
    engine.register_fn(
        "memmove",
        move |dest: Dynamic, src: Dynamic, n: INT| -> Res<()> {
            let n = usize::try_from(n).map_err(thrown)?;
            f.memmove(&cdata(&dest, "memmove")?, from_script(&src)?, n)
                .map_err(thrown)
        },
    );
    let f = ffi.clone();
    engine.register_fn("integer_const", move |name: &str| -> Res<Dynamic> {
        let v = f.integer_const(name).map_err(thrown)?;
        to_script(&f, Value::from(v))
    });
    let f = ffi.clone();
    engine.register_fn("errno", move || -> INT { INT::from(f.errno()) });
    let f = ffi.clone();
    engine.register_fn("set_errno", move |v: INT| -> Res<()> {
        f.set_errno(i32::try_from(v).map_err(thrown)?);
        Ok(())
    });
    let f = ffi.clone();
    engine.register_fn("null", move || -> CData { f.null() });
    let f = ffi.clone();
    let s = shared.clone();
    engine.register_fn("callback", move |ty: Dynamic, body: FnPtr| -> Res<CData> {
        callback(&f, &s, &ctype(&f, &ty)?, body)
    });
    let null = ffi.null();
    #[allow(deprecated)] // Rhai marks `on_var` volatile, not deprecated.
    engine.on_var(move |name, _, _| Ok((name == "NULL").then(|| Dynamic::from(null.clone()))));
    // The environment is read, never written: a test finds its library through it.
    engine.register_fn("env", |name: &str| -> Dynamic {
        std::env::var(name).map_or(Dynamic::UNIT, Dynamic::from)
    });
    engine.register_fn("args", move || -> Array {
        args.iter().map(|a| Dynamic::from(a.clone())).collect()
    });
    register_asserts(engine);
}

/// The headers of `include_headers(headers, #{pkg: ..., flags: [...]})`: a header or a list,
/// pkg-config packages (one or a list) and preprocessor flags.
fn header_spec(headers: Dynamic, options: &rhai::Map) -> Res<Headers> {
    let list = |d: &Dynamic| -> Vec<String> {
        match d.clone().into_array() {
            Ok(items) => items.into_iter().map(|i| i.to_string()).collect(),
            Err(_) => vec![d.to_string()],
        }
    };
    let mut spec = Headers::new(list(&headers));
    for (key, value) in options {
        match key.as_str() {
            "pkg" => {
                for p in list(value) {
                    spec = spec.pkg_config(p);
                }
            }
            "flags" => spec = spec.flags(list(value)),
            other => {
                return Err(thrown(format!(
                    "include_headers takes the options pkg and flags, not '{other}'"
                )));
            }
        }
    }
    Ok(spec)
}

/// `new(type)` and `new(type, init)`. `new` is a reserved word of Rhai, so it is custom syntax
/// (read as a call): `new("int[4]", [1, 2, 3, 4])`.
fn register_new(engine: &mut Engine, ffi: &Ffi) {
    let f = ffi.clone();
    engine.register_custom_syntax_with_state_raw(
        "new",
        |symbols, look_ahead, _| {
            Ok(Some(
                match (symbols.len(), symbols.last().map(|s| s.as_str())) {
                    (_, Some(")")) => return Ok(None),
                    (1, _) => "(",
                    (2, _) => "$expr$",
                    (3, _) if look_ahead == "," => ",",
                    (4, _) => "$expr$",
                    _ => ")",
                }
                .into(),
            ))
        },
        false,
        move |ctx, inputs, _| {
            let ty = ctx.eval_expression_tree(&inputs[0])?;
            let init = match inputs.get(1) {
                Some(e) => from_script(&ctx.eval_expression_tree(e)?)?,
                None => Value::Void,
            };
            f.new(&ctype(&f, &ty)?, init)
                .map(Dynamic::from)
                .map_err(thrown)
        },
    );
}

fn text(ffi: &Ffi, v: rcffi::Result<Value>) -> Res<Dynamic> {
    match v.map_err(thrown)? {
        Value::Bytes(b) => Ok(bytes(b.into_vec())),
        other => to_script(ffi, other),
    }
}

/// A C function pointer that runs script function `body` (a closure or `Fn("name")`), on the
/// script's thread (C calling it from another thread receives the error value). Its
/// arguments arrive as script values; a script error is the callback's failure, which the
/// running call returns.
fn callback(ffi: &Ffi, shared: &Shared, ty: &CType, body: FnPtr) -> Res<CData> {
    let shared = shared.clone();
    let f = ffi.clone();
    ffi.callback_local(ty, move |args| -> Result<Value, String> {
        let engine = shared
            .engine
            .get()
            .and_then(std::rc::Weak::upgrade)
            .ok_or("the script that made this callback has ended")?;
        let ast = shared.ast.borrow().clone().unwrap_or_default();
        let mut values = Vec::with_capacity(args.len());
        for i in 0..args.len() {
            let v = args.get(i).map_err(|e| e.to_string())?;
            values.push(to_script(&f, v).map_err(|e| e.to_string())?);
        }
        let r: Dynamic = body
            .call(&engine, &ast, values)
            .map_err(|e| super::error_text(&ast, &e))?;
        from_script(&r).map_err(|e| e.to_string())
    })
    .map_err(thrown)
}

/// `assert`, `assert_eq`, `assert_ne`: a failure is an exception naming both values.
fn register_asserts(engine: &mut Engine) {
    engine.register_fn("assert", |ok: bool| -> Res<()> {
        if ok {
            Ok(())
        } else {
            Err(thrown("assertion failed"))
        }
    });
    engine.register_fn("assert", |ok: bool, message: &str| -> Res<()> {
        if ok {
            Ok(())
        } else {
            Err(thrown(format!("assertion failed: {message}")))
        }
    });
    engine.register_fn("assert_eq", |a: Dynamic, b: Dynamic| -> Res<()> {
        if same(&a, &b)? {
            Ok(())
        } else {
            Err(thrown(format!(
                "assertion failed: {} == {}",
                shown(&a),
                shown(&b)
            )))
        }
    });
    engine.register_fn("assert_ne", |a: Dynamic, b: Dynamic| -> Res<()> {
        if same(&a, &b)? {
            Err(thrown(format!(
                "assertion failed: {} != {}",
                shown(&a),
                shown(&b)
            )))
        } else {
            Ok(())
        }
    });
}

/// Equality as C values (an `int` cdata equals the script's number), else as Rhai's.
pub(super) fn same(a: &Dynamic, b: &Dynamic) -> Res<bool> {
    match (from_script(a), from_script(b)) {
        (Ok(x), Ok(y)) => Ok(x == y),
        _ => Ok(a.to_string() == b.to_string() && a.type_name() == b.type_name()),
    }
}

fn shown(d: &Dynamic) -> String {
    match d.read_lock::<CData>() {
        Some(c) => format!("{:?}", *c),
        None if d.is_string() => format!("{d:?}"),
        None => d.to_string(),
    }
}

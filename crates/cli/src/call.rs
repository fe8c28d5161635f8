//! `rcffi call`: one function of a library, declared on the command line (or by a header),
//! called with arguments written as C writes them; the result printed, and errno when asked.

use crate::out::outln;
use std::process::ExitCode;

use anyhow::{Context as _, Result, bail};
use rcffi::{CData, CType, Ffi, Kind, LongDouble, LongDoubleFormat, Value};

use crate::decls::Decls;
use crate::literal::{self, Lit};
use crate::show;

/// `rcffi call`'s arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(flatten)]
    decls: Decls,
    /// The library: a short name (z, m, sqlite3) or a file (./libfoo.so); the C library when
    /// not given
    #[arg(short = 'l', long = "lib", value_name = "LIB", default_value = "c")]
    lib: String,
    /// Print errno after the call
    #[arg(long)]
    errno: bool,
    /// The function's declaration ('unsigned long crc32(unsigned long, const char *,
    /// unsigned)'), or its name when a header or cdef file declares it
    #[arg(value_name = "DECLARATION")]
    function: String,
    /// The arguments, as C writes them: 42, -0x10, 1.5, 'a', "text" (a char pointer takes
    /// any text as is), NULL, a constant's name, {1, 2} or {.x = 1} for a struct or an array,
    /// buf:N for a pointer to N zeroed items (printed after the call)
    #[arg(value_name = "ARG", allow_hyphen_values = true)]
    args: Vec<String>,
}

/// Runs `rcffi call`.
pub(crate) fn run(args: Args) -> Result<ExitCode> {
    args.decls.host_only("rcffi call")?;
    let ffi = if args.decls.given() {
        args.decls.load("rcffi call")?.ffi
    } else {
        Ffi::with_target(rcffi::Target::host())
    };
    let name = declare(&ffi, &args.function)?;
    // SAFETY: the declaration is the user's claim about the library, as cffi's `dlopen`
    // takes it; calling it is the one unchecked thing the command does.
    let lib = unsafe { ffi.dlopen(&args.lib) }?;
    let function = lib.function(&name)?;
    // A function pointer's type has the function's arguments (cffi's kind 'function').
    let fty = function.cdata().ctype();
    let params = fty.args().unwrap_or_default();
    let variadic = fty.ellipsis().unwrap_or(false);
    if args.args.len() < params.len() || (!variadic && args.args.len() > params.len()) {
        bail!(
            "'{}' takes {}{} argument{}, and {} {} given",
            fty.cname(),
            if variadic { "at least " } else { "" },
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            args.args.len(),
            if args.args.len() == 1 { "was" } else { "were" }
        );
    }
    let mut values = Vec::new();
    let mut outputs = Vec::new();
    for (i, text) in args.args.iter().enumerate() {
        let what = || format!("argument {} ({text:?})", i + 1);
        let (value, output) = match params.get(i) {
            Some(ty) => {
                typed(&ffi, text, ty).with_context(|| format!("{} for '{}'", what(), ty.cname()))?
            }
            None => (variadic_arg(&ffi, text).with_context(what)?, None),
        };
        if let Some(out) = output {
            outputs.push((i + 1, out));
        }
        values.push(value);
    }
    ffi.set_errno(0);
    // SAFETY: as for `dlopen` above: the user's declaration and arguments, unchecked.
    let result = unsafe { function.call(values) }?;
    let errno = ffi.errno();
    crate::c_stdio::flush();
    if let Some(text) = show::value(&ffi, &result) {
        outln!("{text}");
    }
    for (i, out) in outputs {
        let v = Value::CData(out);
        outln!("arg {i}: {}", show::value(&ffi, &v).unwrap_or_default());
    }
    if args.errno {
        let message = std::io::Error::from_raw_os_error(errno).to_string();
        let message = message.split(" (os error").next().unwrap_or_default();
        outln!("errno: {errno} ({message})");
    }
    Ok(ExitCode::SUCCESS)
}

/// Declares `function` (a declaration, or the name of one already declared) and returns the
/// function's name.
fn declare(ffi: &Ffi, function: &str) -> Result<String> {
    let text = function.trim();
    if is_identifier(text) {
        return Ok(text.to_string());
    }
    let text = if text.ends_with(';') {
        text.to_string()
    } else {
        format!("{text};")
    };
    let report = ffi.cdef(&format!("# 1 \"<declaration>\"\n{text}"))?;
    let functions: Vec<&str> = report
        .declared
        .iter()
        .map(|n| &**n)
        .filter(|n| {
            ffi.typeof_(*n).is_err() // a typedef is a type name, not a function
                && ffi
                    .with_registry(|r| matches!(r.decl(n), Some(rcffi::rcffi_cdef::Decl::Function { .. })))
        })
        .collect();
    match functions.as_slice() {
        [one] => Ok(one.to_string()),
        [] => bail!("{function:?} declares no function"),
        many => bail!(
            "{function:?} declares {} functions ({}); declare them with -f and name one",
            many.len(),
            many.join(", ")
        ),
    }
}

fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// The value of argument `text` for parameter type `ty`, and the cdata to print after the
/// call when the argument made one (`buf:N`, a brace list for a pointer).
fn typed(ffi: &Ffi, text: &str, ty: &CType) -> Result<(Value, Option<CData>)> {
    match ty.kind() {
        Kind::Pointer => {
            let item = ty.item().context("a pointer type has an item type")?;
            let item_name = match item.kind() {
                Kind::Void | Kind::Function => "char".to_string(),
                _ => item.cname(),
            };
            if let Some(n) = text.strip_prefix("buf:") {
                let n: usize = n
                    .parse()
                    .with_context(|| format!("buf:N takes a number of items, not {n:?}"))?;
                let array = ffi.new(format!("{item_name}[{n}]").as_str(), Value::Void)?;
                return Ok((Value::CData(array.clone()), Some(array)));
            }
            if text == "NULL" {
                return Ok((Value::CData(ffi.null()), None));
            }
            let starts_literal = text.starts_with('"');
            if literal::is_char_type(&item) || (item.kind() == Kind::Void && starts_literal) {
                let bytes = if starts_literal {
                    match literal::parse(text)? {
                        Lit::Str(b) => b,
                        _ => bail!("not a string literal"),
                    }
                } else {
                    text.as_bytes().to_vec()
                };
                let array = ffi.new(
                    format!("{item_name}[]").as_str(),
                    Value::Bytes(bytes.into()),
                )?;
                return Ok((Value::CData(array), None));
            }
            match literal::parse(text)? {
                Lit::List(items) => {
                    let n = items.len();
                    let array_ty = ffi.typeof_(format!("{item_name}[{n}]").as_str())?;
                    let init = Lit::List(items).typed(ffi, &array_ty)?;
                    let array = ffi.new(&array_ty, init)?;
                    Ok((Value::CData(array.clone()), Some(array)))
                }
                Lit::Int(address) => Ok((Value::CData(ffi.cast(ty, address)?), None)),
                other => {
                    bail!("a pointer takes NULL, buf:N, {{items}} or an address, not {other:?}")
                }
            }
        }
        Kind::Primitive if ty.cname() == "long double" => {
            let format = match ffi.sizeof("long double")? {
                16 if ffi.target().arch == rcffi::rcffi_cdef::Arch::AArch64 => {
                    LongDoubleFormat::Binary128
                }
                _ => LongDoubleFormat::X87,
            };
            let number = match literal::parse(text)? {
                Lit::Float(_, t) => LongDouble::parse(&t, format)?,
                Lit::Int(i) => LongDouble::from_i128(i, format),
                Lit::UInt(u) => LongDouble::from_u128(u, format),
                other => bail!("a long double takes a number, not {other:?}"),
            };
            // The exact bits, through memory: no f64 on the way.
            let cell = ffi.new("long double *", Value::Void)?;
            let size = ffi.sizeof("long double")?;
            ffi.memmove(&cell, Value::Bytes(number.to_bytes()[..size].into()), size)?;
            Ok((cell.get(0)?, None))
        }
        Kind::Primitive if literal::is_plain_char(ty) && text.len() == 1 => {
            Ok((Value::Bytes(text.as_bytes().into()), None))
        }
        Kind::Primitive if ty.cname() == "_Bool" || ty.cname() == "bool" => match text {
            "true" => Ok((Value::Bool(true), None)),
            "false" => Ok((Value::Bool(false), None)),
            _ => Ok((literal::parse(text)?.untyped(ffi)?, None)),
        },
        Kind::Primitive if !literal::is_plain_char(ty) => {
            Ok((literal::parse(text)?.untyped(ffi)?, None))
        }
        _ => Ok((literal::parse(text)?.typed(ffi, ty)?, None)),
    }
}

/// An argument past the declared parameters of a variadic function, which C promotes: an
/// integer as `int` (or `long`/`unsigned long` when it does not fit), a floating number as
/// `double`, NULL as `void *`, any other text as a string.
fn variadic_arg(ffi: &Ffi, text: &str) -> Result<Value> {
    let lit = match literal::parse(text) {
        Ok(Lit::Name(n)) if n != "NULL" && ffi.integer_const(&n).is_err() => {
            Lit::Str(n.into_bytes())
        }
        Ok(l) => l,
        Err(_) => Lit::Str(text.as_bytes().to_vec()),
    };
    let v = match lit {
        Lit::Str(b) => ffi.new("char[]", Value::Bytes(b.into()))?,
        Lit::Float(f, _) => ffi.cast("double", f)?,
        Lit::Name(n) if n == "NULL" => ffi.cast("void *", 0)?,
        Lit::List(_) => bail!("a variadic argument cannot be a brace list"),
        other => {
            let v = other.untyped(ffi)?;
            let i = v.to_int().unwrap_or(0);
            let ty = if i32::try_from(i).is_ok() {
                "int"
            } else if i64::try_from(i).is_ok() {
                "long"
            } else {
                "unsigned long"
            };
            ffi.cast(ty, v)?
        }
    };
    Ok(Value::CData(v))
}

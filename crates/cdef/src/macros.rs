//! The values of object-like macros: what `#define NAME body` means once the body is read as
//! C reads it where the macro is used.
//!
//! A body is, in order of preference: an integer constant expression (typed as C types it:
//! `0xFFFFFFFFu` is `unsigned int`); a cast of an integer to a pointer type (`((void *)0)`,
//! `((void (*)(int))-1)`), a pointer constant; a floating constant expression (`M_PI`,
//! `((double)1.79e308L)`, `__builtin_huge_val()`); string literals, joined (`"1." "2.13"`);
//! or the name of a declared function, variable or macro (`#define mpz_init __gmpz_init`), an
//! alias. Anything else — an empty body, a function-like macro, a body that is a type, an
//! attribute or a statement — is kept as a skipped macro with the reason, so that a header's
//! macro list (`gcc -dM -E`) is accepted whole and nothing is dropped silently.

use crate::consteval::{BinOp, EvalEnv, Expr, ExprKind, IntVal, UnOp, eval};
use crate::ctype::{CTypeId, CTypeKind, Prim};
use crate::error::ErrorKind;
use crate::registry::{Decl, Registry};

/// A floating type, as a constant carries it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum FloatTy {
    /// `float` (suffix `f`).
    Float,
    /// `double` (no suffix).
    Double,
    /// `long double` (suffix `l`). The value is kept as the nearest `f64`.
    LongDouble,
}

impl FloatTy {
    /// The C name of the type.
    pub fn name(self) -> &'static str {
        match self {
            FloatTy::Float => "float",
            FloatTy::Double => "double",
            FloatTy::LongDouble => "long double",
        }
    }
}

/// What a `#define` means.
///
/// ```
/// use rcffi_cdef::{Decl, MacroValue, Registry};
/// let mut reg = Registry::new();
/// reg.cdef("int __gmpz_init(void *);\n#define mpz_init __gmpz_init\n#define PI 3.25\n\
///           #define V \"1.\" \"2\"\n#define NIL ((void *)0)\n#define F(x) x").unwrap();
/// assert!(matches!(reg.decl("mpz_init"), Some(Decl::Macro(MacroValue::Alias(n))) if &**n == "__gmpz_init"));
/// assert!(matches!(reg.decl("PI"), Some(Decl::Macro(MacroValue::Float { value, .. })) if *value == 3.25));
/// assert!(matches!(reg.decl("V"), Some(Decl::Macro(MacroValue::Bytes(b))) if &**b == b"1.2"));
/// assert!(matches!(reg.decl("NIL"), Some(Decl::Macro(MacroValue::Pointer { addr: 0, .. }))));
/// assert!(matches!(reg.decl("F"), Some(Decl::Macro(MacroValue::Function(_)))));
/// reg.cdef("#define E").unwrap();
/// assert!(matches!(reg.decl("E"), Some(Decl::Macro(MacroValue::Skipped(_)))));
/// ```
#[derive(Clone, Debug)]
pub enum MacroValue {
    /// cffi's `#define NAME ...`: a value the cdef does not know.
    Unknown,
    /// An integer constant, with its C type.
    Int(IntVal),
    /// A floating constant, with its C type.
    Float {
        /// The value (a `long double` rounded to the nearest `f64`).
        value: f64,
        /// Its C type.
        ty: FloatTy,
    },
    /// A string: the bytes of the joined literals, without the terminating NUL.
    Bytes(Box<[u8]>),
    /// An integer cast to a pointer type (`((void *)0)`, `SIG_ERR`).
    Pointer {
        /// The pointer type.
        ty: CTypeId,
        /// The address.
        addr: u64,
    },
    /// Another name: a declared function, variable, constant or macro.
    Alias(Box<str>),
    /// A function-like macro: its definition, and what calling it by name calls.
    Function(Box<FunctionMacro>),
    /// Not a value this cdef can use; the reason says why (`function-like macro`, ...).
    Skipped(Box<str>),
    /// Removed by `#undef`.
    Undefined,
}

/// Two macro values are equal when they are the same definition: floats compare by their bits,
/// so a `NAN` macro equals itself (an include repeated, or the same header imported twice) and
/// `-0.0` differs from `0.0`.
impl PartialEq for MacroValue {
    fn eq(&self, other: &MacroValue) -> bool {
        use MacroValue as M;
        match (self, other) {
            (M::Unknown, M::Unknown) | (M::Undefined, M::Undefined) => true,
            (M::Int(a), M::Int(b)) => a == b,
            (M::Float { value: a, ty: s }, M::Float { value: b, ty: t }) => {
                a.to_bits() == b.to_bits() && s == t
            }
            (M::Bytes(a), M::Bytes(b)) => a == b,
            (M::Pointer { ty: s, addr: a }, M::Pointer { ty: t, addr: b }) => s == t && a == b,
            (M::Alias(a), M::Alias(b)) => a == b,
            (M::Function(a), M::Function(b)) => a == b,
            (M::Skipped(a), M::Skipped(b)) => a == b,
            _ => false,
        }
    }
}

/// A function-like macro (`#define deflateInit(strm, level) deflateInit_(...)`).
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionMacro {
    /// The parameter names; a variadic macro's last one takes the rest of the arguments
    /// (`__VA_ARGS__` for `...`, or GNU's named `ARGS...`).
    pub params: Box<[Box<str>]>,
    /// Whether the last parameter takes the rest of the arguments.
    pub variadic: bool,
    /// The body's tokens.
    pub body: Box<[Box<str>]>,
    /// What calling it by name does — a call of a declared function with the macro's
    /// arguments rearranged and constants added — or why it cannot be called by name.
    pub call: Result<MacroCall, Box<str>>,
}

/// What a function-like macro calls: `deflateInit(strm, level)` calls `deflateInit_` with
/// `[Param(0), Param(1), Value("1.3.1"), Value(112)]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MacroCall {
    /// The declared function called (through aliases, its own name).
    pub function: Box<str>,
    /// Its arguments, in order.
    pub args: Box<[MacroArg]>,
}

/// One argument of a [`MacroCall`].
#[derive(Clone, Debug, PartialEq)]
pub enum MacroArg {
    /// The macro's argument number `n` (from 0), as the caller gives it.
    Param(usize),
    /// A constant the macro adds (an integer, float, string or pointer value).
    Value(MacroValue),
}

impl MacroValue {
    /// Whether the macro has a value a program can use (not skipped, not undefined).
    pub fn is_usable(&self) -> bool {
        !matches!(self, MacroValue::Skipped(_) | MacroValue::Undefined)
    }
}

/// A constant a macro's body may compute on the way to its value.
#[derive(Clone, Debug)]
enum Const {
    Int(IntVal),
    Float(f64, FloatTy),
    Bytes(Vec<u8>),
    Pointer(CTypeId, u64),
}

/// Why a body has no value: an unknown name may become known later in the same text.
pub(crate) enum NoValue {
    /// Names something not declared (yet).
    Unknown(String),
    /// Never a value.
    Never(String),
}

/// How many aliases are followed before a chain is called a loop.
const MAX_ALIASES: usize = 32;

/// The value of a parsed macro body.
pub(crate) fn value_of(e: &Expr, reg: &Registry) -> Result<MacroValue, NoValue> {
    // A pointer cast at the top is a pointer, not the integer the cast gives in `#if`.
    if let ExprKind::Cast(ty, a) = &e.kind
        && is_pointer(reg, *ty)
    {
        return match constant(a, reg)? {
            Const::Int(v) => Ok(MacroValue::Pointer {
                ty: *ty,
                addr: v.value as u64,
            }),
            Const::Pointer(_, addr) => Ok(MacroValue::Pointer { ty: *ty, addr }),
            _ => Err(NoValue::Never(
                "a cast of something other than an integer to a pointer type".into(),
            )),
        };
    }
    if let ExprKind::Name(n) = &e.kind
        && !matches!(
            reg.decl(n),
            Some(Decl::Macro(MacroValue::Int(_)))
                | Some(Decl::EnumConst { .. })
                | Some(Decl::Constant { .. })
        )
    {
        // Another macro's constant is that constant; a function, a variable or a
        // function-like macro is named (an alias).
        match named(n, reg) {
            Ok(c) => return Ok(from_const(c)),
            Err(NoValue::Unknown(why)) if reg.decl(n).is_none() => {
                return Err(NoValue::Unknown(why));
            }
            Err(_) if names_code(n, reg) => return Ok(MacroValue::Alias(n.clone())),
            Err(_) => {}
        }
    }
    if let Some(n) = mentions(e, WHERE_USED) {
        return Err(NoValue::Never(format!(
            "'{n}' depends on where the macro is used: it has no one value"
        )));
    }
    match eval(e, reg) {
        Ok(v) => Ok(MacroValue::Int(v)),
        // A name that is not an integer may still be a float or a string; else it is unknown
        // for now.
        Err(int_err) if int_err.error.kind() == ErrorKind::UnknownName => constant(e, reg)
            .map(from_const)
            .map_err(|_| NoValue::Unknown(int_err.error.message().to_string())),
        // Where the general evaluator has nothing more specific to say, the integer
        // evaluator's message is the better one (`integer constant too large`).
        Err(int_err) => constant(e, reg).map(from_const).map_err(|no| match no {
            NoValue::Never(m) if GENERIC.contains(&m.as_str()) => {
                NoValue::Never(int_err.error.message().to_string())
            }
            other => other,
        }),
    }
}

/// The general evaluator's messages that say less than the integer evaluator's.
const GENERIC: &[&str] = &[
    "not a constant",
    "a cast that is not a constant",
    "an operator that does not apply to these operands",
    "an operator that does not apply to this operand",
];

/// Whether `n` names (through aliases) a function, a variable or a function-like macro.
fn names_code(n: &str, reg: &Registry) -> bool {
    let mut name = n;
    for _ in 0..MAX_ALIASES {
        match reg.decl(name) {
            Some(Decl::Macro(MacroValue::Alias(next))) => name = next,
            Some(Decl::Function { .. } | Decl::Variable { .. }) => return true,
            Some(Decl::Macro(MacroValue::Function(_))) => return true,
            _ => return false,
        }
    }
    false
}

/// The first of `names` that expression `e` mentions.
fn mentions(e: &Expr, names: &[&'static str]) -> Option<&'static str> {
    let found = |n: &str| names.iter().find(|w| **w == n).copied();
    match &e.kind {
        ExprKind::Name(n) => found(n),
        ExprKind::Unary(_, a) | ExprKind::Cast(_, a) | ExprKind::SizeOfExpr(a) => {
            mentions(a, names)
        }
        ExprKind::Binary(_, a, b) => mentions(a, names).or_else(|| mentions(b, names)),
        ExprKind::Cond(a, b, c) => mentions(a, names)
            .or_else(|| mentions(b, names))
            .or_else(|| mentions(c, names)),
        ExprKind::Call(n, args) => {
            found(n).or_else(|| args.iter().find_map(|a| mentions(a, names)))
        }
        _ => None,
    }
}

fn from_const(c: Const) -> MacroValue {
    match c {
        Const::Int(v) => MacroValue::Int(v),
        Const::Float(value, ty) => MacroValue::Float { value, ty },
        Const::Bytes(b) => MacroValue::Bytes(b.into_boxed_slice()),
        Const::Pointer(ty, addr) => MacroValue::Pointer { ty, addr },
    }
}

fn is_pointer(reg: &Registry, ty: CTypeId) -> bool {
    matches!(reg.kind(reg.strip_aligned(ty)), CTypeKind::Pointer(_))
}

fn float_ty(reg: &Registry, ty: CTypeId) -> Option<FloatTy> {
    match reg.kind(reg.strip_aligned(ty)) {
        CTypeKind::Prim(Prim::Float) => Some(FloatTy::Float),
        CTypeKind::Prim(Prim::Double) => Some(FloatTy::Double),
        CTypeKind::Prim(Prim::LongDouble) => Some(FloatTy::LongDouble),
        _ => None,
    }
}

/// The preprocessor's own macros whose value depends on where they are used.
const WHERE_USED: &[&str] = &[
    "__LINE__",
    "__FILE__",
    "__COUNTER__",
    "__DATE__",
    "__TIME__",
    "__FILE_NAME__",
    "__BASE_FILE__",
];

/// The value of a name inside a body.
fn named(n: &str, reg: &Registry) -> Result<Const, NoValue> {
    if WHERE_USED.contains(&n) {
        return Err(NoValue::Never(format!(
            "'{n}' depends on where the macro is used: it has no one value"
        )));
    }
    let mut name = n;
    for _ in 0..MAX_ALIASES {
        return match reg.decl(name) {
            Some(Decl::Macro(MacroValue::Alias(next))) => {
                name = next;
                continue;
            }
            Some(Decl::Macro(MacroValue::Float { value, ty })) => Ok(Const::Float(*value, *ty)),
            Some(Decl::Macro(MacroValue::Bytes(b))) => Ok(Const::Bytes(b.to_vec())),
            Some(Decl::Macro(MacroValue::Pointer { ty, addr })) => Ok(Const::Pointer(*ty, *addr)),
            Some(Decl::Macro(MacroValue::Skipped(why))) => Err(NoValue::Never(format!(
                "uses '{name}', which has no value ({why})"
            ))),
            // C23's null pointer constant, a `void *` here (where nothing declares the name).
            None if name == "nullptr" => reg
                .interned(CTypeKind::Void)
                .and_then(|v| reg.interned(CTypeKind::Pointer(v)))
                .map(|p| Const::Pointer(p, 0))
                .ok_or_else(|| NoValue::Never("'nullptr' has no type here".into())),
            _ => match reg.integer_const(name).or_else(|| {
                let undeclared = reg.decl(name).is_none();
                undeclared
                    .then(|| crate::consteval::keyword_constant(name))
                    .flatten()
            }) {
                Some(v) => Ok(Const::Int(v)),
                None if reg.decl(name).is_some() => Err(NoValue::Never(format!(
                    "'{name}' is a {}, not a constant",
                    reg.decl(name).map_or("name", Decl::kind_name)
                ))),
                None => Err(NoValue::Unknown(format!(
                    "'{name}' is not a known constant"
                ))),
            },
        };
    }
    Err(NoValue::Never(format!(
        "'{n}' names names more than {MAX_ALIASES} levels deep (a loop?)"
    )))
}

/// Evaluates a body that may hold floats, strings and pointers.
fn constant(e: &Expr, reg: &Registry) -> Result<Const, NoValue> {
    // Pure integer parts are C's integer constant expressions.
    if let Ok(v) = eval(e, reg) {
        return Ok(Const::Int(v));
    }
    let never = |m: &str| Err(NoValue::Never(m.to_string()));
    match &e.kind {
        ExprKind::Float(v, ty, _) => Ok(Const::Float(*v, *ty)),
        ExprKind::Str(b) => Ok(Const::Bytes(b.clone())),
        ExprKind::Name(n) => named(n, reg),
        ExprKind::Unary(op, a) => match (op, constant(a, reg)?) {
            (UnOp::Plus, Const::Float(v, t)) => Ok(Const::Float(v, t)),
            (UnOp::Minus, Const::Float(v, t)) => Ok(Const::Float(-v, t)),
            (UnOp::Not, Const::Float(v, _)) => Ok(Const::Int(IntVal::int((v == 0.0) as i128))),
            _ => never("an operator that does not apply to this operand"),
        },
        ExprKind::Binary(op, a, b) => {
            let (a, b) = (constant(a, reg)?, constant(b, reg)?);
            let (x, y, ty) = match (&a, &b) {
                (Const::Float(x, s), Const::Float(y, t)) => (*x, *y, wider(*s, *t)),
                (Const::Float(x, s), Const::Int(i)) => (*x, i.value as f64, *s),
                (Const::Int(i), Const::Float(y, t)) => (i.value as f64, *y, *t),
                _ => return never("an operator that does not apply to these operands"),
            };
            let float = |v: f64| Ok(Const::Float(round_to(v, ty), ty));
            let truth = |b: bool| Ok(Const::Int(IntVal::int(b as i128)));
            match op {
                BinOp::Add => float(x + y),
                BinOp::Sub => float(x - y),
                BinOp::Mul => float(x * y),
                BinOp::Div => float(x / y),
                BinOp::Lt => truth(x < y),
                BinOp::Gt => truth(x > y),
                BinOp::Le => truth(x <= y),
                BinOp::Ge => truth(x >= y),
                BinOp::Eq => truth(x == y),
                BinOp::Ne => truth(x != y),
                _ => never("an integer operator applied to a floating value"),
            }
        }
        ExprKind::Cast(ty, a) => {
            let v = constant(a, reg)?;
            if let Some(ft) = float_ty(reg, *ty) {
                return match v {
                    Const::Int(i) => Ok(Const::Float(round_to(i.value as f64, ft), ft)),
                    Const::Float(x, _) => Ok(Const::Float(round_to(x, ft), ft)),
                    _ => never("a cast to a floating type of something that is not a number"),
                };
            }
            if is_pointer(reg, *ty) {
                return match v {
                    Const::Int(i) => Ok(Const::Pointer(*ty, i.value as u64)),
                    Const::Pointer(_, a) => Ok(Const::Pointer(*ty, a)),
                    _ => never("a cast to a pointer type of something that is not an address"),
                };
            }
            match (v, EvalEnv::cast_target(reg, *ty)) {
                (Const::Float(x, _), Ok(to)) if x.is_finite() => {
                    // C converts toward zero; a value out of range is undefined, refused here.
                    let t = x.trunc();
                    let (lo, hi) = to.range();
                    if t < lo as f64 || t > hi as f64 {
                        return never("a floating value out of the range of the integer type");
                    }
                    Ok(Const::Int(IntVal {
                        value: to.wrap(t as i128),
                        ty: to,
                    }))
                }
                _ => never("a cast that is not a constant"),
            }
        }
        ExprKind::Cond(c, t, f) => {
            let c = match constant(c, reg)? {
                Const::Int(i) => i.value != 0,
                Const::Float(x, _) => x != 0.0,
                _ => return never("a condition that is not a number"),
            };
            constant(if c { t } else { f }, reg)
        }
        ExprKind::Call(name, args) => builtin(name, args, reg),
        ExprKind::Invalid(_, msg) => never(msg),
        _ => never("not a constant"),
    }
}

fn wider(a: FloatTy, b: FloatTy) -> FloatTy {
    use FloatTy::*;
    match (a, b) {
        (LongDouble, _) | (_, LongDouble) => LongDouble,
        (Double, _) | (_, Double) => Double,
        _ => Float,
    }
}

fn round_to(v: f64, ty: FloatTy) -> f64 {
    match ty {
        FloatTy::Float => f64::from(v as f32),
        _ => v,
    }
}

/// The compiler's constant builtins that headers use in macros (`HUGE_VAL`, `INFINITY`, `NAN`).
fn builtin(name: &str, args: &[Expr], reg: &Registry) -> Result<Const, NoValue> {
    let ty = match name.trim_start_matches("__builtin_") {
        "huge_val" | "inf" | "nan" | "nans" => FloatTy::Double,
        "huge_valf" | "inff" | "nanf" | "nansf" => FloatTy::Float,
        "huge_vall" | "infl" | "nanl" | "nansl" => FloatTy::LongDouble,
        // A function-like macro defined later may still expand it.
        _ if reg.decl(name).is_none() => {
            return Err(NoValue::Unknown(format!(
                "calls '{name}', which is not declared"
            )));
        }
        _ => {
            return Err(NoValue::Never(format!(
                "calls '{name}', which is not a constant"
            )));
        }
    };
    if !name.starts_with("__builtin_") {
        return Err(NoValue::Never(format!(
            "calls '{name}', which is not a constant"
        )));
    }
    let is_nan = name.contains("nan");
    match (is_nan, args) {
        (false, []) => Ok(Const::Float(f64::INFINITY, ty)),
        (true, [tag]) if matches!(constant(tag, reg), Ok(Const::Bytes(ref b)) if b.is_empty()) => {
            Ok(Const::Float(f64::NAN, ty))
        }
        _ => Err(NoValue::Never(format!(
            "'{name}' with these arguments is not a constant rcffi evaluates"
        ))),
    }
}

/// A C floating literal (`1.5`, `.5e-3`, `1e10f`, `0x1.8p1L`): its value and type, or `None`
/// when `text` is not one.
pub(crate) fn parse_float_literal(text: &str) -> Option<(f64, FloatTy)> {
    let text = crate::lex::without_separators(text)?;
    let text = &*text;
    let (body, ty) = match text.as_bytes().last()? {
        b'f' | b'F' => (&text[..text.len() - 1], FloatTy::Float),
        b'l' | b'L' => (&text[..text.len() - 1], FloatTy::LongDouble),
        _ => (text, FloatTy::Double),
    };
    let lower = body.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        let (mant, exp) = hex.split_once('p')?;
        let exp: i32 = exp.parse().ok()?;
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut v = 0f64;
        for c in int.chars().chain(frac.chars()) {
            v = v * 16.0 + f64::from(c.to_digit(16)?);
        }
        let shift = exp.checked_sub(4 * i32::try_from(frac.len()).ok()?)?;
        v * 2f64.powi(shift)
    } else {
        let looks_float = lower.contains('.') || lower.contains('e');
        if !looks_float || !lower.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return None;
        }
        if ty == FloatTy::Float {
            f64::from(lower.parse::<f32>().ok()?)
        } else {
            lower.parse::<f64>().ok()?
        }
    };
    Some((round_to(value, ty), ty))
}

/// The bytes of a narrow C string literal (`"a\tb"`, `u8"x"`), escapes decoded, without NUL.
pub(crate) fn string_literal_bytes(text: &str) -> Result<Vec<u8>, String> {
    let (prefix, rest) = text.split_at(text.find('"').ok_or("not a string literal")?);
    if !matches!(prefix, "" | "u8") {
        return Err(format!(
            "a wide string literal ({prefix}\"...\") is not supported in a macro value"
        ));
    }
    let inner = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or("an unterminated string literal")?;
    let bad = || format!("invalid escape in string literal {text}");
    let mut out = Vec::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let byte = crate::consteval::escape_value(&mut chars)
            .and_then(|v| u8::try_from(v).ok())
            .ok_or_else(bad)?;
        out.push(byte);
    }
    Ok(out)
}

/// The spelling of a value in the registry dump and in messages.
pub(crate) fn describe(v: &MacroValue, reg: &Registry) -> String {
    match v {
        MacroValue::Unknown => "...".into(),
        MacroValue::Int(i) => format!("{} ({})", i.value, int_ty_name(i.ty)),
        MacroValue::Float { value, ty } => format!("{value:?} ({})", ty.name()),
        MacroValue::Bytes(b) => format!("\"{}\"", b.escape_ascii()),
        MacroValue::Pointer { ty, addr } => format!("({}) {addr:#x}", reg.cname(*ty)),
        MacroValue::Alias(n) => format!("-> {n}"),
        MacroValue::Function(f) => {
            let mut params: Vec<String> = f.params.iter().map(|p| p.to_string()).collect();
            if let (true, Some(last)) = (f.variadic, params.last_mut()) {
                *last = if last == "__VA_ARGS__" {
                    "...".into()
                } else {
                    format!("{last}...")
                };
            }
            let body: Vec<&str> = f.body.iter().map(|t| &**t).collect();
            let call = match &f.call {
                Ok(c) => {
                    let args: Vec<String> = c
                        .args
                        .iter()
                        .map(|a| match a {
                            MacroArg::Param(n) => format!("#{n}"),
                            MacroArg::Value(v) => describe(v, reg),
                        })
                        .collect();
                    format!("calls {}({})", c.function, args.join(", "))
                }
                Err(why) => format!("not callable: {why}"),
            };
            format!("({}) {}  [{call}]", params.join(", "), body.join(" "))
        }
        MacroValue::Skipped(why) => format!("skipped: {why}"),
        MacroValue::Undefined => "#undef".into(),
    }
}

/// The C name of an integer constant's type (`long long` and `long` are one width on LP64:
/// `long`).
pub(crate) fn int_ty_name(t: crate::consteval::IntTy) -> &'static str {
    if t.bool_ {
        return "_Bool";
    }
    match (t.bits, t.signed) {
        (8, true) => "signed char",
        (8, false) => "unsigned char",
        (16, true) => "short",
        (16, false) => "unsigned short",
        (32, true) => "int",
        (32, false) => "unsigned int",
        (64, true) => "long",
        (64, false) => "unsigned long",
        (_, true) => "__int128",
        (_, false) => "unsigned __int128",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_literals() {
        assert_eq!(parse_float_literal("1.5"), Some((1.5, FloatTy::Double)));
        assert_eq!(parse_float_literal(".5e1f"), Some((5.0, FloatTy::Float)));
        assert_eq!(
            parse_float_literal("0x1.8p1L"),
            Some((3.0, FloatTy::LongDouble))
        );
        assert_eq!(parse_float_literal("1e3"), Some((1000.0, FloatTy::Double)));
        assert_eq!(
            parse_float_literal("3.14159265358979323846"),
            Some((std::f64::consts::PI, FloatTy::Double))
        );
        assert_eq!(
            parse_float_literal("0.1f").map(|v| v.0),
            Some(f64::from(0.1f32))
        );
        assert_eq!(parse_float_literal("12"), None);
        assert_eq!(parse_float_literal("0x10"), None);
        assert_eq!(parse_float_literal("1.2.3"), None);
    }

    #[test]
    fn a_nan_macro_is_the_same_definition_as_itself() {
        let mut base = crate::Registry::new();
        base.cdef(
            "#define NAN_F (__builtin_nanf(\"\"))\n#define NEG_ZERO (-0.0)\n#define ZERO 0.0",
        )
        .unwrap();
        let mut reg = crate::Registry::new();
        reg.include(&base).unwrap();
        // Included again: NaN is the same definition (it was refused: NaN != NaN).
        reg.include(&base).unwrap();
        let float = |v: f64| MacroValue::Float {
            value: v,
            ty: FloatTy::Double,
        };
        assert_eq!(float(f64::NAN), float(f64::NAN));
        assert_ne!(float(-0.0), float(0.0));
        let mut zero = crate::Registry::new();
        zero.cdef("#define NEG_ZERO 0.0").unwrap();
        assert!(
            zero.include(&base).is_err(),
            "-0.0 and 0.0 are different definitions"
        );
    }

    #[test]
    fn strings() {
        assert_eq!(
            string_literal_bytes(r#""a\tb\x41\101\0""#).unwrap(),
            b"a\tbAA\0"
        );
        assert_eq!(string_literal_bytes("u8\"é\"").unwrap(), "é".as_bytes());
        assert!(string_literal_bytes("L\"x\"").is_err());
        assert!(string_literal_bytes(r#""\q""#).is_err());
    }
}

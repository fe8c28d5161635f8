//! Integer constant expressions, evaluated with C's types: array sizes, enum values, bitfield
//! widths, `#define` values, `static const` initializers, `_Static_assert`s and attribute
//! arguments.
//!
//! Values carry their C type ([`IntTy`]), so `~0U` is 4294967295, `-1 < 0U` is 0 and
//! `(unsigned char)300` is 44, as a C compiler computes them. Signed overflow wraps, which is
//! what gcc's constant folder yields (it warns). Division by zero and out-of-range shifts are
//! errors.

use crate::ctype::CTypeId;
use crate::error::{CdefError, ErrorKind, LResult};

/// An integer type as far as constant arithmetic cares: width and signedness.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct IntTy {
    /// Width in bits: 8, 16, 32, 64 or 128. `_Bool` is 8 bits wide with `bool_` set.
    pub bits: u8,
    /// Whether the type is signed.
    pub signed: bool,
    /// `_Bool`: conversion gives 0 or 1.
    pub bool_: bool,
}

impl IntTy {
    /// `int`.
    pub const INT: IntTy = IntTy::new(32, true);
    /// `unsigned int`.
    pub const UINT: IntTy = IntTy::new(32, false);
    /// `long`.
    pub const LONG: IntTy = IntTy::new(64, true);
    /// `unsigned long` (also `size_t`).
    pub const ULONG: IntTy = IntTy::new(64, false);

    /// A plain integer type.
    pub const fn new(bits: u8, signed: bool) -> IntTy {
        IntTy {
            bits,
            signed,
            bool_: false,
        }
    }

    /// Converts `v` to this type (wrapping, as C's conversions to integer types do).
    pub fn wrap(self, v: i128) -> i128 {
        if self.bool_ {
            return (v != 0) as i128;
        }
        if self.bits >= 128 {
            return v;
        }
        let bits = u32::from(self.bits);
        let mask = (1i128 << bits) - 1;
        let u = v & mask;
        if self.signed && u >> (bits - 1) != 0 {
            u - (1i128 << bits)
        } else {
            u
        }
    }

    /// C's integer promotions: types narrower than `int` become `int`.
    fn promote(self) -> IntTy {
        if self.bits < 32 {
            IntTy::INT
        } else {
            IntTy::new(self.bits, self.signed)
        }
    }

    /// The usual arithmetic conversions of C for two (promoted) integer types.
    fn common(a: IntTy, b: IntTy) -> IntTy {
        let (a, b) = (a.promote(), b.promote());
        if a.signed == b.signed {
            return if a.bits >= b.bits { a } else { b };
        }
        let (s, u) = if a.signed { (a, b) } else { (b, a) };
        if u.bits >= s.bits {
            u
        } else {
            // The signed type is wider, so it can represent every value of the unsigned one.
            s
        }
    }

    /// The smallest and largest value of this type.
    #[inline]
    pub fn range(self) -> (i128, i128) {
        if self.bool_ {
            return (0, 1);
        }
        let bits = u32::from(self.bits);
        if bits >= 128 {
            return if self.signed {
                (i128::MIN, i128::MAX)
            } else {
                (0, i128::MAX)
            };
        }
        if self.signed {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        }
    }
}

/// A typed integer value.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct IntVal {
    /// The value (already within the range of `ty`).
    pub value: i128,
    /// Its C type.
    pub ty: IntTy,
}

impl IntVal {
    /// A value of type `int`.
    pub fn int(value: i128) -> IntVal {
        IntVal {
            value,
            ty: IntTy::INT,
        }
    }

    fn new(value: i128, ty: IntTy) -> IntVal {
        IntVal {
            value: ty.wrap(value),
            ty,
        }
    }
}

/// A constant expression, with byte offsets (into preprocessed text) for errors.
#[derive(Clone, Debug)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    pub(crate) pos: usize,
}

#[derive(Clone, Debug)]
pub(crate) enum ExprKind {
    Int(IntVal),
    Name(Box<str>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Cast(CTypeId, Box<Expr>),
    SizeOfType(CTypeId),
    SizeOfExpr(Box<Expr>),
    AlignOfType(CTypeId),
    /// `offsetof(type, a.b[2])`.
    OffsetOf(CTypeId, Vec<OffsetStep>),
    /// A member of a record reached through a constant pointer, `((T *)0)->a.b[2]`: only its
    /// type is known (for `sizeof`), never a value.
    Member(CTypeId, Vec<OffsetStep>),
    /// A floating constant (`1.5`, `1e-3f`, `0x1p4L`), with its spelling; never an integer
    /// constant, but a macro's value may be one (`crate::macros`).
    Float(f64, crate::macros::FloatTy, Box<str>),
    /// A string literal's bytes (adjacent literals joined), without the terminating NUL.
    Str(Vec<u8>),
    /// A call `name(args)`: never an integer constant; a macro may call the compiler's
    /// constant builtins (`__builtin_huge_val()`).
    Call(Box<str>, Vec<Expr>),
    /// Something that is never an integer constant; the message says what.
    Invalid(ErrorKind, String),
}

/// One step of an `offsetof` designator, before evaluation.
#[derive(Clone, Debug)]
pub(crate) enum OffsetStep {
    Field(String),
    Index(Box<Expr>),
}

/// One step of a member path: a field name or an index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// A struct or union member (members of anonymous members are found too).
    Field(String),
    /// An array or pointer index.
    Index(i64),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum UnOp {
    Plus,
    Minus,
    Not,
    Complement,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Shl,
    Shr,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    BitAnd,
    BitXor,
    BitOr,
    And,
    Or,
    Comma,
}

/// What evaluation needs from its surroundings.
pub(crate) trait EvalEnv {
    /// The value of a named integer constant (enumerator, `#define`, `static const`).
    fn constant(&self, name: &str) -> Option<IntVal>;
    /// Why a declared name has no value here, when it is known (an enumerator of a `...`
    /// enum).
    fn why_no_value(&self, _name: &str) -> Option<String> {
        None
    }
    /// Size and alignment of a type, or why it has none.
    fn size_align(&self, ty: CTypeId) -> Result<(u64, u64), String>;
    /// The integer type a cast to `ty` converts to, or why a cast to `ty` is not an integer.
    fn cast_target(&self, ty: CTypeId) -> Result<IntTy, String>;
    /// The byte offset of a member path inside `ty`.
    fn offset_of(&self, ty: CTypeId, path: &[PathStep]) -> Result<i64, String>;
    /// The size of the member a path names inside `ty`.
    fn member_size(&self, ty: CTypeId, path: &[PathStep]) -> Result<u64, String>;
}

/// The steps of a member path, indexes evaluated.
fn member_path(steps: &[OffsetStep], env: &dyn EvalEnv, pos: usize) -> LResult<Vec<PathStep>> {
    let mut path = Vec::with_capacity(steps.len());
    for s in steps {
        path.push(match s {
            OffsetStep::Field(f) => PathStep::Field(f.clone()),
            OffsetStep::Index(x) => {
                let v = eval(x, env)?;
                PathStep::Index(i64::try_from(v.value).map_err(|_| {
                    CdefError::at(ErrorKind::ConstExpr, pos, "index out of range".to_string())
                })?)
            }
        });
    }
    Ok(path)
}

/// C23's `true` and `false`, where no declaration gives the name another meaning (earlier C
/// has them as <stdbool.h>'s macros, which `gcc -E` expands).
pub(crate) fn keyword_constant(name: &str) -> Option<IntVal> {
    matches!(name, "true" | "false").then(|| IntVal {
        value: i128::from(name == "true"),
        ty: IntTy::INT,
    })
}

/// Evaluates an integer constant expression.
pub(crate) fn eval(e: &Expr, env: &dyn EvalEnv) -> LResult<IntVal> {
    let err = |kind, msg: String| CdefError::at(kind, e.pos, msg);
    Ok(match &e.kind {
        ExprKind::Int(v) => *v,
        ExprKind::Name(n) => match env.constant(n).or_else(|| keyword_constant(n)) {
            Some(v) => v,
            None if &**n == crate::builtins::private::DOTDOTDOT => {
                return Err(err(
                    ErrorKind::Ellipsis,
                    "bad usage of \"...\": it cannot be part of an expression".to_string(),
                ));
            }
            None => {
                return Err(err(
                    ErrorKind::UnknownName,
                    env.why_no_value(n)
                        .unwrap_or_else(|| format!("'{n}' is not a known integer constant")),
                ));
            }
        },
        ExprKind::Invalid(kind, msg) => return Err(err(*kind, msg.clone())),
        ExprKind::Float(_, _, text) => {
            return Err(err(
                ErrorKind::ConstExpr,
                format!(
                    "'{text}' is a floating point constant; only integer constants are supported"
                ),
            ));
        }
        ExprKind::Str(_) => {
            return Err(err(
                ErrorKind::ConstExpr,
                "a string is not an integer constant".to_string(),
            ));
        }
        ExprKind::Call(name, _) => {
            return Err(err(
                ErrorKind::ConstExpr,
                format!("'{name}(...)' is a call, not an integer constant"),
            ));
        }
        ExprKind::Unary(op, a) => {
            let a = eval(a, env)?;
            match op {
                UnOp::Plus => IntVal::new(a.value, a.ty.promote()),
                UnOp::Minus => IntVal::new(a.value.wrapping_neg(), a.ty.promote()),
                UnOp::Complement => IntVal::new(!a.value, a.ty.promote()),
                UnOp::Not => IntVal::int((a.value == 0) as i128),
            }
        }
        ExprKind::Cond(c, t, f) => {
            let c = eval(c, env)?;
            let (chosen, other) = if c.value != 0 { (t, f) } else { (f, t) };
            let v = eval(chosen, env)?;
            // The result has the common type of both branches (`1 ? -1 : 0U` is unsigned).
            // The other branch is not evaluated in C; if it cannot be, keep the chosen type.
            match eval(other, env) {
                Ok(o) => IntVal::new(v.value, IntTy::common(v.ty, o.ty)),
                Err(_) => v,
            }
        }
        ExprKind::Cast(ty, a) => {
            let to = env
                .cast_target(*ty)
                .map_err(|m| err(ErrorKind::ConstExpr, m))?;
            let a = eval(a, env)?;
            IntVal::new(a.value, to)
        }
        ExprKind::SizeOfType(ty) => {
            let (size, _) = env
                .size_align(*ty)
                .map_err(|m| err(ErrorKind::ConstExpr, m))?;
            IntVal::new(size.into(), IntTy::ULONG)
        }
        ExprKind::AlignOfType(ty) => {
            let (_, align) = env
                .size_align(*ty)
                .map_err(|m| err(ErrorKind::ConstExpr, m))?;
            IntVal::new(align.into(), IntTy::ULONG)
        }
        ExprKind::OffsetOf(ty, steps) => {
            let path = member_path(steps, env, e.pos)?;
            let off = env
                .offset_of(*ty, &path)
                .map_err(|m| err(ErrorKind::ConstExpr, m))?;
            IntVal::new(off.into(), IntTy::ULONG)
        }
        ExprKind::Member(..) => {
            return Err(err(
                ErrorKind::ConstExpr,
                "a member reached through a pointer is not a constant (only its size is)".into(),
            ));
        }
        ExprKind::SizeOfExpr(a) if matches!(a.kind, ExprKind::Member(..)) => {
            let ExprKind::Member(ty, steps) = &a.kind else {
                unreachable!("matched above")
            };
            let path = member_path(steps, env, e.pos)?;
            let size = env
                .member_size(*ty, &path)
                .map_err(|m| err(ErrorKind::ConstExpr, m))?;
            IntVal::new(size.into(), IntTy::ULONG)
        }
        ExprKind::SizeOfExpr(a) => {
            let a = eval(a, env)?;
            IntVal::new(i128::from(a.ty.bits / 8), IntTy::ULONG)
        }
        ExprKind::Binary(op, a, b) => binary(*op, a, b, env, e.pos)?,
    })
}

fn binary(op: BinOp, a: &Expr, b: &Expr, env: &dyn EvalEnv, pos: usize) -> LResult<IntVal> {
    // `&&`, `||` and `,` evaluate their right side only when C would.
    match op {
        BinOp::And => {
            let l = eval(a, env)?;
            return Ok(IntVal::int(if l.value == 0 {
                0
            } else {
                (eval(b, env)?.value != 0) as i128
            }));
        }
        BinOp::Or => {
            let l = eval(a, env)?;
            return Ok(IntVal::int(if l.value != 0 {
                1
            } else {
                (eval(b, env)?.value != 0) as i128
            }));
        }
        BinOp::Comma => {
            return Err(CdefError::at(
                ErrorKind::ConstExpr,
                pos,
                "the comma operator is not allowed in an integer constant expression",
            ));
        }
        _ => {}
    }
    let l = eval(a, env)?;
    let r = eval(b, env)?;
    let err = |msg: &str| CdefError::at(ErrorKind::ConstExpr, pos, msg.to_string());
    if matches!(op, BinOp::Shl | BinOp::Shr) {
        // Shifts take the promoted type of the left operand.
        let ty = l.ty.promote();
        if r.value < 0 || r.value >= i128::from(ty.bits) {
            return Err(err(
                "shift count is negative or not less than the width of the type",
            ));
        }
        let n = r.value as u32;
        let v = match op {
            BinOp::Shl => l.value.wrapping_shl(n),
            _ => ty.wrap(l.value) >> n,
        };
        return Ok(IntVal::new(v, ty));
    }
    let ty = IntTy::common(l.ty, r.ty);
    let (x, y) = (ty.wrap(l.value), ty.wrap(r.value));
    let cmp = |c: bool| Ok(IntVal::int(c as i128));
    match op {
        BinOp::Mul => Ok(IntVal::new(x.wrapping_mul(y), ty)),
        BinOp::Div | BinOp::Rem => {
            if y == 0 {
                return Err(err("division by zero in a constant expression"));
            }
            // C division truncates toward zero, as Rust's does.
            let v = if op == BinOp::Div {
                x.wrapping_div(y)
            } else {
                x.wrapping_rem(y)
            };
            Ok(IntVal::new(v, ty))
        }
        BinOp::Add => Ok(IntVal::new(x.wrapping_add(y), ty)),
        BinOp::Sub => Ok(IntVal::new(x.wrapping_sub(y), ty)),
        BinOp::Lt => cmp(x < y),
        BinOp::Gt => cmp(x > y),
        BinOp::Le => cmp(x <= y),
        BinOp::Ge => cmp(x >= y),
        BinOp::Eq => cmp(x == y),
        BinOp::Ne => cmp(x != y),
        BinOp::BitAnd => Ok(IntVal::new(x & y, ty)),
        BinOp::BitXor => Ok(IntVal::new(x ^ y, ty)),
        BinOp::BitOr => Ok(IntVal::new(x | y, ty)),
        BinOp::Shl | BinOp::Shr | BinOp::And | BinOp::Or | BinOp::Comma => {
            unreachable!("handled above")
        }
    }
}

/// Parses an integer literal (`42`, `0x1fUL`, `017`, `0b101`, C23's `10'000`) and gives it
/// the type C gives it.
pub(crate) fn parse_int_literal(text: &str) -> Result<IntVal, String> {
    let lower = crate::lex::without_separators(text)
        .ok_or_else(|| {
            format!(
                "invalid integer constant '{text}': a digit separator (') goes between two digits"
            )
        })?
        .to_ascii_lowercase();
    let (radix, digits_start) = if lower.starts_with("0x") {
        (16, 2)
    } else if lower.starts_with("0b") {
        (2, 2)
    } else if lower.starts_with('0') && lower.len() > 1 {
        (8, 1)
    } else {
        (10, 0)
    };
    let body = &lower[digits_start..];
    let split = body
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(body.len());
    let (digits, suffix) = body.split_at(split);
    let bad = || format!("invalid integer constant '{text}'");
    if digits.is_empty() && radix != 8 {
        return Err(bad());
    }
    let (unsigned, longs) = match suffix {
        "" => (false, 0),
        "u" => (true, 0),
        "l" => (false, 1),
        "ul" | "lu" => (true, 1),
        "ll" => (false, 2),
        "ull" | "llu" => (true, 2),
        _ => {
            if suffix.starts_with('.') || suffix.starts_with('e') || suffix.contains('.') {
                return Err(format!(
                    "'{text}' is a floating point constant; only integer constants are supported"
                ));
            }
            return Err(bad());
        }
    };
    // "lL" and "Ll" are not C suffixes.
    if longs == 2 && !(text.contains("ll") || text.contains("LL")) {
        return Err(bad());
    }
    let value = if digits.is_empty() {
        0
    } else {
        u128::from_str_radix(digits, radix).map_err(|_| bad())?
    };
    let decimal = radix == 10;
    // C11 6.4.4.1: the first type of the list that can represent the value.
    let candidates: &[IntTy] = match (unsigned, longs, decimal) {
        (false, 0, true) => &[IntTy::INT, IntTy::LONG],
        (false, 0, false) => &[IntTy::INT, IntTy::UINT, IntTy::LONG, IntTy::ULONG],
        (true, 0, _) => &[IntTy::UINT, IntTy::ULONG],
        (false, _, true) => &[IntTy::LONG],
        (false, _, false) => &[IntTy::LONG, IntTy::ULONG],
        (true, _, _) => &[IntTy::ULONG],
    };
    for ty in candidates {
        let (_, max) = ty.range();
        if value <= max as u128 {
            return Ok(IntVal {
                value: value as i128,
                ty: *ty,
            });
        }
    }
    Err(format!(
        "integer constant '{text}' is too large for its type"
    ))
}

/// Parses a character constant (`'a'`, `'\n'`, `'\x41'`, `L'x'`) to its `int` value.
/// `char_signed` says whether plain `char` is signed on the target.
/// The value of the escape sequence after a backslash (`n`, `x41`, `101`...), or `None` when it
/// is not one C knows (or a hexadecimal one overflows).
pub(crate) fn escape_value(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<u32> {
    let e = chars.next()?;
    Some(match e {
        'n' => 10,
        't' => 9,
        'r' => 13,
        '0'..='7' => {
            let mut v = e.to_digit(8).unwrap_or(0);
            for _ in 0..2 {
                match chars.peek().and_then(|c| c.to_digit(8)) {
                    Some(d) => {
                        v = v * 8 + d;
                        chars.next();
                    }
                    None => break,
                }
            }
            v
        }
        'x' => {
            let mut v: u32 = 0;
            let mut any = false;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(16)) {
                v = v.checked_mul(16)?.checked_add(d)?;
                chars.next();
                any = true;
            }
            if !any {
                return None;
            }
            v
        }
        'a' => 7,
        'b' => 8,
        'f' => 12,
        'v' => 11,
        'e' => 27,
        '\\' | '\'' | '"' | '?' => e as u32,
        _ => return None,
    })
}

pub(crate) fn parse_char_literal(text: &str, char_signed: bool) -> Result<IntVal, String> {
    let bad = || format!("invalid character constant {text}");
    let (prefix, rest) = match text.find('\'') {
        Some(i) => text.split_at(i),
        None => return Err(bad()),
    };
    let inner = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .ok_or_else(bad)?;
    let mut units: Vec<u32> = Vec::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            if prefix.is_empty() {
                let mut buf = [0u8; 4];
                units.extend(c.encode_utf8(&mut buf).bytes().map(u32::from));
            } else {
                units.push(c as u32);
            }
            continue;
        }
        let v = escape_value(&mut chars).ok_or_else(bad)?;
        units.push(v);
    }
    if units.is_empty() {
        return Err(format!("empty character constant {text}"));
    }
    match prefix {
        "" => {
            if units.len() == 1 {
                let b = units[0] & 0xff;
                let v = if char_signed && b >= 0x80 {
                    i128::from(b) - 256
                } else {
                    i128::from(b)
                };
                Ok(IntVal::int(v))
            } else {
                // gcc's value for multi-character constants: bytes shifted in, as an `int`.
                let v = units
                    .iter()
                    .fold(0i128, |acc, u| (acc << 8) | i128::from(*u & 0xff));
                Ok(IntVal::new(v, IntTy::INT))
            }
        }
        "L" | "U" => Ok(IntVal::new(
            i128::from(units[0]),
            IntTy::new(32, prefix == "L"),
        )),
        "u" => Ok(IntVal::new(i128::from(units[0]), IntTy::new(16, false))),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoEnv;
    impl EvalEnv for NoEnv {
        fn constant(&self, name: &str) -> Option<IntVal> {
            (name == "K").then(|| IntVal::int(7))
        }
        fn size_align(&self, _: CTypeId) -> Result<(u64, u64), String> {
            Ok((4, 4))
        }
        fn cast_target(&self, _: CTypeId) -> Result<IntTy, String> {
            Ok(IntTy::new(8, false))
        }
        fn offset_of(&self, _: CTypeId, _: &[PathStep]) -> Result<i64, String> {
            Ok(0)
        }
        fn member_size(&self, _: CTypeId, _: &[PathStep]) -> Result<u64, String> {
            Ok(2)
        }
    }

    fn lit(s: &str) -> Expr {
        Expr {
            kind: ExprKind::Int(parse_int_literal(s).unwrap()),
            pos: 0,
        }
    }
    fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr {
            kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
            pos: 0,
        }
    }
    fn un(op: UnOp, a: Expr) -> Expr {
        Expr {
            kind: ExprKind::Unary(op, Box::new(a)),
            pos: 0,
        }
    }

    #[test]
    fn literal_types_follow_c11() {
        assert_eq!(parse_int_literal("42").unwrap().ty, IntTy::INT);
        assert_eq!(parse_int_literal("2147483648").unwrap().ty, IntTy::LONG);
        assert_eq!(parse_int_literal("0x80000000").unwrap().ty, IntTy::UINT);
        assert_eq!(
            parse_int_literal("0xFFFFFFFFFFFFFFFF").unwrap().ty,
            IntTy::ULONG
        );
        assert_eq!(parse_int_literal("017").unwrap().value, 15);
        assert_eq!(parse_int_literal("0").unwrap().value, 0);
        assert_eq!(parse_int_literal("0b101").unwrap().value, 5);
        assert_eq!(parse_int_literal("5LL").unwrap().ty, IntTy::LONG);
        assert_eq!(parse_int_literal("1000UL").unwrap().ty, IntTy::ULONG);
        assert!(parse_int_literal("1e3").is_err());
        assert!(parse_int_literal("1.5").is_err());
        assert!(parse_int_literal("08").is_err());
        assert!(parse_int_literal("5lL").is_err());
        assert!(parse_int_literal("99999999999999999999").is_err());
    }

    #[test]
    fn arithmetic_uses_c_types() {
        let v = eval(&un(UnOp::Complement, lit("0U")), &NoEnv).unwrap();
        assert_eq!(v.value, 4294967295);
        let v = eval(
            &bin(BinOp::Lt, un(UnOp::Minus, lit("1")), lit("0U")),
            &NoEnv,
        )
        .unwrap();
        assert_eq!(v.value, 0, "-1 < 0U is false in C");
        let v = eval(
            &bin(BinOp::Div, un(UnOp::Minus, lit("7")), lit("2")),
            &NoEnv,
        )
        .unwrap();
        assert_eq!(v.value, -3);
        let v = eval(
            &bin(BinOp::Rem, un(UnOp::Minus, lit("7")), lit("2")),
            &NoEnv,
        )
        .unwrap();
        assert_eq!(v.value, -1);
        let v = eval(&bin(BinOp::Shl, lit("1"), lit("31")), &NoEnv).unwrap();
        assert_eq!(v.value, i128::from(i32::MIN));
        assert!(eval(&bin(BinOp::Shl, lit("1"), lit("32")), &NoEnv).is_err());
        assert!(eval(&bin(BinOp::Div, lit("1"), lit("0")), &NoEnv).is_err());
        let zero_and = bin(BinOp::And, lit("0"), bin(BinOp::Div, lit("1"), lit("0")));
        assert_eq!(eval(&zero_and, &NoEnv).unwrap().value, 0);
    }

    #[test]
    fn char_constants() {
        assert_eq!(parse_char_literal("'a'", true).unwrap().value, 97);
        assert_eq!(parse_char_literal("'\\n'", true).unwrap().value, 10);
        assert_eq!(parse_char_literal("'\\xff'", true).unwrap().value, -1);
        assert_eq!(parse_char_literal("'\\xff'", false).unwrap().value, 255);
        assert_eq!(parse_char_literal("'\\0'", true).unwrap().value, 0);
        assert_eq!(parse_char_literal("'\\101'", true).unwrap().value, 65);
        assert_eq!(
            parse_char_literal("L'\\x1234'", true).unwrap().value,
            0x1234
        );
        assert_eq!(parse_char_literal("'ab'", true).unwrap().value, 0x6162);
        assert!(parse_char_literal("''", true).is_err());
    }
}

//! Building types, shared by lowering (lang-c's AST) and the type-string parser: keyword
//! combinations, tags, and the checks C makes when deriving arrays, functions and parameters.

use crate::ctype::{CTypeId, CTypeKind, EnumDef, FuncSig, Prim, RecordKind};
use crate::error::{CdefError, ErrorKind, LResult};
use crate::registry::Registry;

/// Words that name (part of) a basic type.
pub(crate) fn is_type_keyword(s: &str) -> bool {
    matches!(
        s,
        "void"
            | "char"
            | "short"
            | "int"
            | "long"
            | "float"
            | "double"
            | "signed"
            | "__signed"
            | "__signed__"
            | "unsigned"
            | "_Bool"
            | "_Complex"
            | "__complex"
            | "__complex__"
            | "__int128"
            | "_Float16"
            | "_Float32"
            | "_Float64"
            | "_Float128"
            | "_Float32x"
            | "_Float64x"
            | "__float128"
    )
}

/// Calling-convention words accepted in type strings.
pub(crate) fn is_calling_convention(s: &str) -> bool {
    matches!(
        s,
        "__stdcall" | "__cdecl" | "__fastcall" | "__thiscall" | "__vectorcall" | "WINAPI"
    )
}

/// The basic-type keywords of one declaration, in any order (`long unsigned int`).
#[derive(Default, Debug, Clone)]
pub(crate) struct KeywordSpec {
    void: u8,
    char: u8,
    short: u8,
    int: u8,
    long: u8,
    float: u8,
    double: u8,
    signed: u8,
    unsigned: u8,
    bool_: u8,
    complex: u8,
    int128: u8,
    float_n: Option<Prim>,
    count: u8,
}

impl KeywordSpec {
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds one keyword; an error for a keyword that cannot repeat.
    pub(crate) fn add(&mut self, kw: &str) -> Result<(), String> {
        let slot = match kw {
            "void" => &mut self.void,
            "char" => &mut self.char,
            "short" => &mut self.short,
            "int" => &mut self.int,
            "long" => &mut self.long,
            "float" => &mut self.float,
            "double" => &mut self.double,
            "signed" | "__signed" | "__signed__" => &mut self.signed,
            "unsigned" => &mut self.unsigned,
            "_Bool" => &mut self.bool_,
            "_Complex" | "__complex" | "__complex__" => &mut self.complex,
            "__int128" => &mut self.int128,
            _ => {
                let p = match kw {
                    "_Float16" => Prim::Float16,
                    "_Float32" => Prim::Float,
                    "_Float64" | "_Float32x" => Prim::Double,
                    "_Float128" | "__float128" => Prim::Float128,
                    "_Float64x" => Prim::LongDouble,
                    _ => return Err(format!("'{kw}' is not a type keyword")),
                };
                if self.float_n.is_some() {
                    return Err(format!("duplicate '{kw}'"));
                }
                self.float_n = Some(p);
                self.count += 1;
                return Ok(());
            }
        };
        *slot += 1;
        self.count += 1;
        let limit = if kw == "long" { 2 } else { 1 };
        if *slot > limit {
            return Err(if kw == "long" {
                "'long long long' is too long".to_string()
            } else {
                format!("duplicate '{kw}'")
            });
        }
        Ok(())
    }

    /// The type these keywords name.
    pub(crate) fn resolve(&self, reg: &mut Registry) -> Result<CTypeId, String> {
        let kind = self.kind()?;
        Ok(reg.intern(kind))
    }

    fn kind(&self) -> Result<CTypeKind, String> {
        let invalid = || Err("invalid combination of type specifiers".to_string());
        let sign = self.signed + self.unsigned;
        if sign > 1 {
            return Err("both 'signed' and 'unsigned' in one type".to_string());
        }
        let others = |n: u8| self.count - n;
        let prim = |p| Ok(CTypeKind::Prim(p));
        if self.void > 0 {
            return if others(self.void) == 0 {
                Ok(CTypeKind::Void)
            } else {
                invalid()
            };
        }
        if self.bool_ > 0 {
            return if others(self.bool_) == 0 {
                prim(Prim::Bool)
            } else {
                invalid()
            };
        }
        if let Some(p) = self.float_n {
            return match (others(1 + self.complex), self.complex) {
                (0, 0) => prim(p),
                (0, _) => match p {
                    Prim::Float => prim(Prim::FloatComplex),
                    Prim::Double => prim(Prim::DoubleComplex),
                    Prim::LongDouble => prim(Prim::LongDoubleComplex),
                    Prim::Float128 => prim(Prim::Float128Complex),
                    _ => Err("_Complex _Float16 is not supported".to_string()),
                },
                _ => invalid(),
            };
        }
        if self.float > 0 {
            return match (others(self.float + self.complex), self.complex) {
                (0, 0) => prim(Prim::Float),
                (0, _) => prim(Prim::FloatComplex),
                _ => invalid(),
            };
        }
        if self.double > 0 || (self.complex > 0 && self.count == 1) {
            let rest = others(self.double + self.complex + self.long);
            if rest != 0 || self.long > 1 {
                return invalid();
            }
            return prim(match (self.long, self.complex) {
                (0, 0) => Prim::Double,
                (1, 0) => Prim::LongDouble,
                (0, _) => Prim::DoubleComplex,
                _ => Prim::LongDoubleComplex,
            });
        }
        if self.complex > 0 {
            return Err("_Complex of an integer type is not supported".to_string());
        }
        if self.char > 0 {
            if others(self.char + sign) != 0 {
                return invalid();
            }
            return prim(match (self.signed, self.unsigned) {
                (1, _) => Prim::SChar,
                (_, 1) => Prim::UChar,
                _ => Prim::Char,
            });
        }
        if self.int128 > 0 {
            if others(self.int128 + sign) != 0 {
                return invalid();
            }
            return prim(if self.unsigned > 0 {
                Prim::UInt128
            } else {
                Prim::Int128
            });
        }
        let u = self.unsigned > 0;
        if self.short > 0 {
            if self.long > 0 {
                return invalid();
            }
            return prim(if u { Prim::UShort } else { Prim::Short });
        }
        prim(match (self.long, u) {
            (0, false) => Prim::Int,
            (0, true) => Prim::UInt,
            (1, false) => Prim::Long,
            (1, true) => Prim::ULong,
            (_, false) => Prim::LongLong,
            (_, true) => Prim::ULongLong,
        })
    }
}

/// `struct name` / `union name` / `enum name` used without a body: the existing tag, or a new
/// incomplete one. An error when the tag exists with another keyword.
pub(crate) fn tag_reference(
    reg: &mut Registry,
    keyword: &str,
    name: &str,
) -> Result<CTypeId, String> {
    if let Some(id) = reg.tag(name) {
        check_tag_kind(reg, id, keyword, name)?;
        return Ok(id);
    }
    Ok(match keyword {
        "struct" => reg.declare_opaque(RecordKind::Struct, name),
        "union" => reg.declare_opaque(RecordKind::Union, name),
        _ => {
            let id = reg.new_enum(EnumDef {
                tag: Some(name.into()),
                display: format!("enum {name}").into(),
                items: None,
                underlying: Prim::UInt,
                partial: false,
                packed: false,
                fixed: false,
            });
            reg.set_tag(name, id);
            id
        }
    })
}

/// Checks that tag `name` (type `id`) was declared with `keyword`.
pub(crate) fn check_tag_kind(
    reg: &Registry,
    id: CTypeId,
    keyword: &str,
    name: &str,
) -> Result<(), String> {
    let actual = match reg.kind(id) {
        CTypeKind::Record(rid) => reg.record(*rid).kind.keyword(),
        CTypeKind::Enum(_) => "enum",
        _ => "?",
    };
    if actual != keyword {
        return Err(format!(
            "'{name}' defined as wrong kind of tag: it is '{actual} {name}', not '{keyword} {name}'"
        ));
    }
    Ok(())
}

/// An array type, refusing what C refuses.
pub(crate) fn make_array(
    reg: &mut Registry,
    elem: CTypeId,
    len: Option<u64>,
) -> Result<CTypeId, String> {
    match reg.kind(reg.strip_aligned(elem)) {
        CTypeKind::Function(_) => {
            return Err(format!(
                "declaration of an array of functions ('{}')",
                reg.cname(elem)
            ));
        }
        CTypeKind::Void => return Err("declaration of an array of 'void'".to_string()),
        CTypeKind::Array { len: None, .. } => {
            return Err(format!("array item of unknown size: '{}'", reg.cname(elem)));
        }
        _ => {}
    }
    Ok(reg.array_of(elem, len))
}

/// The byte count of an `aligned(N)` argument whose value is `v`: a power of two up to 2^28.
pub(crate) fn alignment(v: i128) -> Result<u64, String> {
    match u64::try_from(v) {
        Ok(n) if n.is_power_of_two() && n <= 1 << 28 => Ok(n),
        _ => Err(format!(
            "requested alignment {v} is not a positive power of 2"
        )),
    }
}

/// Pointer type `ptr` aligned to `align` by an `aligned` attribute written after its `*`
/// (`char * __attribute__((aligned(16)))`): gcc aligns the pointer type itself, higher or
/// lower than a pointer's own, as an aligned typedef is. Spelled with its attribute.
pub(crate) fn aligned_pointer(reg: &mut Registry, ptr: CTypeId, align: u64) -> CTypeId {
    let name = format!("{} __attribute__((aligned({align})))", reg.cname(ptr));
    reg.intern(CTypeKind::Aligned {
        base: ptr,
        align,
        name: name.into(),
    })
}

/// A function type, refusing functions that return arrays or functions.
pub(crate) fn make_function(reg: &mut Registry, sig: FuncSig) -> Result<CTypeId, String> {
    match reg.kind(reg.strip_aligned(sig.ret)) {
        CTypeKind::Function(_) => return Err("a function cannot return a function".to_string()),
        CTypeKind::Array { .. } => return Err("a function cannot return an array".to_string()),
        _ => {}
    }
    Ok(reg.function(sig))
}

/// C's parameter adjustments: a lone `void` means no parameters; arrays and functions become
/// pointers. `params` holds each type with the offset of its declaration for errors.
pub(crate) fn adjust_params(
    reg: &mut Registry,
    params: Vec<(CTypeId, usize)>,
) -> LResult<Vec<CTypeId>> {
    let n = params.len();
    let mut out = Vec::with_capacity(n);
    for (ty, pos) in params {
        match reg.kind(ty).clone() {
            CTypeKind::Void => {
                if n == 1 {
                    return Ok(Vec::new());
                }
                return Err(CdefError::at(
                    ErrorKind::InvalidType,
                    pos,
                    "'void' must be the only parameter",
                ));
            }
            CTypeKind::Array { elem, .. } => out.push(reg.pointer_to(elem)),
            CTypeKind::Function(_) => out.push(reg.pointer_to(ty)),
            _ => out.push(ty),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(words: &str) -> Result<CTypeKind, String> {
        let mut s = KeywordSpec::default();
        for w in words.split_whitespace() {
            s.add(w)?;
        }
        s.kind()
    }

    #[test]
    fn keyword_combinations() {
        assert_eq!(k("long unsigned int"), Ok(CTypeKind::Prim(Prim::ULong)));
        assert_eq!(
            k("int long long unsigned"),
            Ok(CTypeKind::Prim(Prim::ULongLong))
        );
        assert_eq!(k("signed"), Ok(CTypeKind::Prim(Prim::Int)));
        assert_eq!(k("char signed"), Ok(CTypeKind::Prim(Prim::SChar)));
        assert_eq!(k("long double"), Ok(CTypeKind::Prim(Prim::LongDouble)));
        assert_eq!(
            k("double _Complex"),
            Ok(CTypeKind::Prim(Prim::DoubleComplex))
        );
        assert_eq!(k("short int unsigned"), Ok(CTypeKind::Prim(Prim::UShort)));
        for bad in [
            "long long long",
            "short long",
            "unsigned float",
            "signed unsigned",
            "int int",
            "void int",
            "short float",
            "char int",
        ] {
            assert!(k(bad).is_err(), "{bad}");
        }
    }
}

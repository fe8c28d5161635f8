//! GNU attributes: the few that change layout, the many that change nothing for a caller, and
//! an error for the rest (rcffi cannot know what an unknown attribute does to a layout or a
//! call, so it says so instead of guessing).

use lang_c::ast::{Expression, Extension};
use lang_c::span::Node;

use crate::ctype::{CTypeId, CTypeKind, Prim};
use crate::error::{CdefError, ErrorKind, LResult};

/// An attribute that matters to rcffi.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Attr {
    /// `packed`.
    Packed,
    /// `aligned(N)` (bytes), or `aligned` with no argument (`None`: the target's biggest).
    Aligned(Option<Node<Expression>>),
    /// `mode(QI|HI|SI|DI|TI|word|pointer|byte)`: the integer width in bytes.
    Mode(u8),
    /// `__asm__("name")`: the symbol's real name.
    AsmLabel(String),
    /// `transparent_union`.
    TransparentUnion,
    /// `vector_size(N)`: the type becomes a vector of N bytes of it.
    VectorSize(Node<Expression>),
}

/// Attributes known to change neither layout nor how a function is called from another module.
const NO_EFFECT: &[&str] = &[
    "access",
    "alias",
    "alloc_align",
    "alloc_size",
    "always_inline",
    "artificial",
    "assume_aligned",
    "availability",
    "cleanup",
    "cold",
    "common",
    "const",
    "constructor",
    "copy",
    "counted_by",
    "deprecated",
    "designated_init",
    "destructor",
    "enum_extensibility",
    "error",
    "externally_visible",
    "fallthrough",
    "fd_arg",
    "fd_arg_read",
    "fd_arg_write",
    "flag_enum",
    "flatten",
    "format",
    "format_arg",
    "gnu_inline",
    "hot",
    "leaf",
    "malloc",
    "may_alias",
    "no_icf",
    "no_instrument_function",
    "no_reorder",
    "no_sanitize",
    "no_sanitize_address",
    "no_stack_protector",
    "noclone",
    "nocommon",
    "nodiscard",
    "noinline",
    "noipa",
    "nonnull",
    "nonstring",
    "noplt",
    "noreturn",
    "nothrow",
    "null_terminated_string_arg",
    "optimize",
    "pure",
    "retain",
    "returns_nonnull",
    "returns_twice",
    "section",
    "sentinel",
    "strict_flex_array",
    "swift_name",
    "symver",
    "target",
    "tls_model",
    "unavailable",
    "unused",
    "used",
    "visibility",
    "warn_unused_result",
    "warning",
    "weak",
    "zero_call_used_regs",
    // Calling conventions that gcc ignores on 64-bit targets.
    "cdecl",
    "stdcall",
    "fastcall",
    "thiscall",
    "vectorcall",
];

/// Reads the attributes of an extension list. `pos` maps an AST offset to a user offset.
pub(crate) fn read(exts: &[Node<Extension>], pos: &dyn Fn(usize) -> usize) -> LResult<Vec<Attr>> {
    let mut out = Vec::new();
    for e in exts {
        match &e.node {
            Extension::AsmLabel(s) => {
                let name: String = s.node.iter().map(|part| unquote(part)).collect();
                out.push(Attr::AsmLabel(name));
            }
            Extension::AvailabilityAttribute(_) => {}
            Extension::Attribute(a) => {
                let raw = a.name.node.as_str();
                let name = raw.trim_start_matches("__").trim_end_matches("__");
                let at = pos(a.name.span.start);
                match name {
                    "packed" => out.push(Attr::Packed),
                    "aligned" => match a.arguments.as_slice() {
                        [] => out.push(Attr::Aligned(None)),
                        [x] => out.push(Attr::Aligned(Some(x.clone()))),
                        _ => {
                            return Err(CdefError::at(
                                ErrorKind::Syntax,
                                at,
                                "'aligned' takes at most one argument",
                            ));
                        }
                    },
                    "mode" => out.push(Attr::Mode(mode_bytes(&a.arguments, at)?)),
                    "transparent_union" => out.push(Attr::TransparentUnion),
                    "vector_size" => match a.arguments.as_slice() {
                        [x] => out.push(Attr::VectorSize(x.clone())),
                        _ => {
                            return Err(CdefError::at(
                                ErrorKind::Syntax,
                                at,
                                "vector_size takes one argument (a size in bytes)",
                            ));
                        }
                    },
                    "ms_abi"
                    | "sysv_abi"
                    | "regparm"
                    | "scalar_storage_order"
                    | "ms_struct"
                    | "gcc_struct" => {
                        return Err(CdefError::at(
                            ErrorKind::Unsupported,
                            at,
                            format!("attribute '{raw}' is not supported by rcffi"),
                        ));
                    }
                    _ if NO_EFFECT.contains(&name) => {}
                    _ => {
                        return Err(CdefError::at(
                            ErrorKind::Unsupported,
                            at,
                            format!(
                                "unknown attribute '{raw}': rcffi cannot tell whether it changes \
                                 a layout or a call; remove it from the cdef if it does not"
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn unquote(s: &str) -> String {
    let s = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s);
    s.to_string()
}

/// The width selected by `mode(...)`.
fn mode_bytes(args: &[Node<Expression>], at: usize) -> LResult<u8> {
    let name = match args {
        [a] => match &a.node {
            Expression::Identifier(id) => id.node.name.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let m = name.trim_start_matches("__").trim_end_matches("__");
    Ok(match m {
        "QI" | "byte" => 1,
        "HI" => 2,
        "SI" => 4,
        "DI" | "word" | "pointer" => 8,
        "TI" => 16,
        _ => {
            return Err(CdefError::at(
                ErrorKind::Unsupported,
                at,
                format!(
                    "attribute mode '{name}' is not supported (only integer modes QI, HI, SI, DI, TI, word, pointer)"
                ),
            ));
        }
    })
}

/// Attributes that change a type: `aligned(N)`, `vector_size(N)`, `mode(...)`.
impl super::Lowerer<'_, '_> {
    /// Evaluates an `aligned(N)` argument to a power-of-two byte count.
    pub(crate) fn align_value(
        &mut self,
        arg: &Option<Node<lang_c::ast::Expression>>,
        at: usize,
    ) -> LResult<u64> {
        let Some(e) = arg else {
            return Ok(self.reg.target.biggest_alignment());
        };
        let v = self.eval(e)?;
        crate::types::alignment(v.value).map_err(|m| CdefError::at(ErrorKind::InvalidType, at, m))
    }

    /// Converts an integer type to the one `mode(...)` selects.
    /// `vector_size(N)` on a type: a vector of N bytes of that integer or floating type, as gcc
    /// makes it (N a power-of-two multiple of the item's size).
    pub(crate) fn apply_vector(
        &mut self,
        ty: CTypeId,
        size: &Node<lang_c::ast::Expression>,
        at: usize,
    ) -> LResult<CTypeId> {
        let bytes = self.eval(size)?.value;
        let elem = self.reg.strip_aligned(ty);
        let number = matches!(
            self.reg.kind(elem),
            CTypeKind::Prim(p) if matches!(
                self.reg.target.repr(*p),
                crate::ctype::PrimRepr::Int { .. } | crate::ctype::PrimRepr::Float { .. }
            )
        );
        let esize = crate::layout::compute_type(self.reg, elem).map_or(0, |l| l.size);
        let len = u64::try_from(bytes)
            .ok()
            .filter(|b| esize > 0 && *b % esize == 0)
            .map(|b| b / esize);
        match len {
            Some(len) if number && len.is_power_of_two() => {
                Ok(self.reg.intern(CTypeKind::Vector { elem, len }))
            }
            _ => Err(CdefError::at(
                ErrorKind::InvalidType,
                at,
                format!(
                    "vector_size({bytes}) of '{}': a vector holds a power-of-two number of integers or floats",
                    self.reg.cname(ty)
                ),
            )),
        }
    }

    pub(crate) fn apply_mode(&mut self, ty: CTypeId, bytes: u8, at: usize) -> LResult<CTypeId> {
        let signed = match self.reg.kind(ty) {
            CTypeKind::Prim(p) => match self.reg.target.repr(*p) {
                crate::ctype::PrimRepr::Int { signed, .. } => signed,
                _ => {
                    return Err(CdefError::at(
                        ErrorKind::Unsupported,
                        at,
                        "attribute mode on a non-integer type is not supported",
                    ));
                }
            },
            CTypeKind::Enum(_) => true,
            _ => {
                return Err(CdefError::at(
                    ErrorKind::Unsupported,
                    at,
                    "attribute mode on a non-integer type is not supported",
                ));
            }
        };
        let p = match (bytes, signed) {
            (1, true) => Prim::SChar,
            (1, false) => Prim::UChar,
            (2, true) => Prim::Short,
            (2, false) => Prim::UShort,
            (4, true) => Prim::Int,
            (4, false) => Prim::UInt,
            (8, true) => Prim::Long,
            (8, false) => Prim::ULong,
            (_, true) => Prim::Int128,
            (_, false) => Prim::UInt128,
        };
        Ok(self.reg.prim(p))
    }
}

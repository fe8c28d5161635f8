//! Type names known without a `cdef`: cffi's common types (reference §2.3), LuaJIT's extras
//! (`va_list`, `__builtin_va_list`, `__gnuc_va_list`), gcc's `__int128_t`, and the private names
//! the pre-pass substitutes for cffi's `...` forms.
//!
//! A user typedef of the same name wins (`typedef char int32_t;` is allowed, as in cffi).

use crate::ctype::{CTypeKind, Field, Prim, Record, RecordKind};
use crate::registry::Registry;
use crate::target::Arch;

/// Private type names used by the pre-pass. They start with `__rcffi_`, which no user code
/// can declare (names starting with two underscores are reserved in C).
pub(crate) mod private {
    /// `typedef ... name;` (an opaque struct-like type).
    pub(crate) const OPAQUE: &str = "__rcffi_opaque_t";
    /// `typedef int... name;`.
    pub(crate) const UNKNOWN_INT: &str = "__rcffi_unknown_int_t";
    /// `typedef float... name;` / `double...`.
    pub(crate) const UNKNOWN_FLOAT: &str = "__rcffi_unknown_float_t";
    /// The member that stands for `...;` in a struct body.
    pub(crate) const PARTIAL_T: &str = "__rcffi_partial_t";
    /// The identifier that stands for `...` in `[...]`, in an enumerator list, or as a value.
    pub(crate) const DOTDOTDOT: &str = "__rcffi_dotdotdot";
    /// `__int128` / `signed __int128`.
    pub(crate) const INT128: &str = "__rcffi_int128_t";
    /// `unsigned __int128`.
    pub(crate) const UINT128: &str = "__rcffi_uint128_t";
}

/// Tags that built-in types declare (`FILE` is `struct _IO_FILE`, as in glibc).
pub(crate) const BUILTIN_TAGS: [&str; 3] = ["_IO_FILE", "__va_list_tag", "__va_list"];

/// Named primitives: every [`Prim`] whose name is not spelled with C keywords.
const NAMED_PRIMS: [Prim; 34] = [
    Prim::Int8,
    Prim::UInt8,
    Prim::Int16,
    Prim::UInt16,
    Prim::Int32,
    Prim::UInt32,
    Prim::Int64,
    Prim::UInt64,
    Prim::IntLeast8,
    Prim::UIntLeast8,
    Prim::IntLeast16,
    Prim::UIntLeast16,
    Prim::IntLeast32,
    Prim::UIntLeast32,
    Prim::IntLeast64,
    Prim::UIntLeast64,
    Prim::IntFast8,
    Prim::UIntFast8,
    Prim::IntFast16,
    Prim::UIntFast16,
    Prim::IntFast32,
    Prim::UIntFast32,
    Prim::IntFast64,
    Prim::UIntFast64,
    Prim::IntPtr,
    Prim::UIntPtr,
    Prim::IntMax,
    Prim::UIntMax,
    Prim::PtrDiff,
    Prim::Size,
    Prim::SSize,
    Prim::WChar,
    Prim::Char16,
    Prim::Char32,
];

/// Adds the built-in names to a new registry.
pub(crate) fn install(reg: &mut Registry) {
    // Every primitive and `void` get low, stable ids.
    reg.void();
    for p in Prim::ALL {
        reg.prim(p);
    }
    for p in NAMED_PRIMS {
        let id = reg.prim(p);
        reg.set_builtin(p.name(), id);
    }
    let b = reg.prim(Prim::Bool);
    reg.set_builtin("bool", b);
    let fc = reg.prim(Prim::FloatComplex);
    reg.set_builtin("_cffi_float_complex_t", fc);
    let dc = reg.prim(Prim::DoubleComplex);
    reg.set_builtin("_cffi_double_complex_t", dc);
    let i128 = reg.prim(Prim::Int128);
    reg.set_builtin("__int128_t", i128);
    reg.set_builtin(private::INT128, i128);
    let u128 = reg.prim(Prim::UInt128);
    reg.set_builtin("__uint128_t", u128);
    reg.set_builtin(private::UINT128, u128);

    // FILE: glibc's `typedef struct _IO_FILE FILE;`, opaque.
    let file = reg.new_record(Record {
        kind: RecordKind::Struct,
        tag: Some("_IO_FILE".into()),
        display: "FILE".into(),
        fields: None,
        partial: false,
        packed: false,
        aligned: None,
        pack: None,
        transparent: false,
    });
    reg.set_tag("_IO_FILE", file);
    reg.set_builtin("FILE", file);

    // va_list, as gcc defines `__builtin_va_list` for the target.
    let va_list = match reg.target.arch {
        Arch::X86_64 => {
            // typedef struct __va_list_tag { unsigned gp_offset, fp_offset;
            //   void *overflow_arg_area, *reg_save_area; } __builtin_va_list[1];
            let uint = reg.prim(Prim::UInt);
            let void = reg.void();
            let vp = reg.pointer_to(void);
            let fields = [
                ("gp_offset", uint),
                ("fp_offset", uint),
                ("overflow_arg_area", vp),
                ("reg_save_area", vp),
            ];
            let tag = reg.new_record(builtin_struct("__va_list_tag", &fields));
            reg.set_tag("__va_list_tag", tag);
            reg.array_of(tag, Some(1))
        }
        Arch::AArch64 => {
            // typedef struct __va_list { void *__stack, *__gr_top, *__vr_top;
            //   int __gr_offs, __vr_offs; } __builtin_va_list;
            let int = reg.prim(Prim::Int);
            let void = reg.void();
            let vp = reg.pointer_to(void);
            let fields = [
                ("__stack", vp),
                ("__gr_top", vp),
                ("__vr_top", vp),
                ("__gr_offs", int),
                ("__vr_offs", int),
            ];
            let tag = reg.new_record(builtin_struct("__va_list", &fields));
            reg.set_tag("__va_list", tag);
            tag
        }
    };
    for name in ["va_list", "__builtin_va_list", "__gnuc_va_list"] {
        reg.set_builtin(name, va_list);
    }

    // Placeholders of the pre-pass. Their kinds are never seen: lowering recognises the names.
    let void = reg.void();
    for name in [private::OPAQUE, private::PARTIAL_T] {
        reg.set_builtin(name, void);
    }
    let unknown_int = reg.intern(CTypeKind::UnknownNumber {
        name: private::UNKNOWN_INT.into(),
        float: false,
    });
    reg.set_builtin(private::UNKNOWN_INT, unknown_int);
    let unknown_float = reg.intern(CTypeKind::UnknownNumber {
        name: private::UNKNOWN_FLOAT.into(),
        float: true,
    });
    reg.set_builtin(private::UNKNOWN_FLOAT, unknown_float);
}

fn builtin_struct(tag: &str, fields: &[(&str, crate::ctype::CTypeId)]) -> Record {
    Record {
        kind: RecordKind::Struct,
        tag: Some(tag.into()),
        display: format!("struct {tag}").into(),
        fields: Some(
            fields
                .iter()
                .map(|(name, ty)| Field {
                    name: Some((*name).into()),
                    ty: *ty,
                    bit_width: None,
                    aligned: None,
                    packed: false,
                    is_const: false,
                })
                .collect(),
        ),
        partial: false,
        packed: false,
        aligned: None,
        pack: None,
        transparent: false,
    }
}

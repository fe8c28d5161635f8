//! The type records of a [`Registry`](crate::Registry): what a C type *is*.
//!
//! A type is a small integer, [`CTypeId`], into one table of [`CType`] records, as in LuaJIT's
//! `lj_ctype.h`. Derived types (pointers, arrays, functions) are hash-consed, so two spellings of
//! the same type give the same id (`"int *"` and `"signed int*"`). Structs, unions and enums are
//! nominal: each definition gets a new id, found again through its tag.
//!
//! Qualifiers (`const`, `volatile`, `restrict`) are not part of a type's identity, as in cffi:
//! `typeof("const int *")` is `int *`. They are kept where they change meaning, on global
//! declarations (a `const` global is a constant, not a variable).

use std::fmt;

/// The id of a type in a [`Registry`](crate::Registry).
///
/// Ids are only meaningful for the registry that made them.
///
/// ```
/// let mut reg = rcffi_cdef::Registry::new();
/// let a = reg.parse_type("int *").unwrap();
/// let b = reg.parse_type("signed int*").unwrap();
/// assert_eq!(a, b);
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CTypeId(pub(crate) u32);

impl CTypeId {
    /// The index of this type in its registry's table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for CTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CTypeId({})", self.0)
    }
}

/// The id of a struct or union definition.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct RecordId(pub(crate) u32);

/// The id of an enum definition.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct EnumId(pub(crate) u32);

/// One type record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CType {
    /// What kind of type this is.
    pub kind: CTypeKind,
}

/// The kinds of C types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CTypeKind {
    /// `void`.
    Void,
    /// A primitive: integers, floating point, `_Bool`, complex, and the named stdint/stddef types.
    Prim(Prim),
    /// A pointer to the given type.
    Pointer(CTypeId),
    /// An array; `len` is `None` for `T[]` (length unknown).
    Array {
        /// The element type.
        elem: CTypeId,
        /// The number of elements, or `None` for `T[]`.
        len: Option<u64>,
    },
    /// A function type (not a pointer to one). Declared functions have this type.
    Function(FuncSig),
    /// A struct or union, by definition.
    Record(RecordId),
    /// An enum, by definition.
    Enum(EnumId),
    /// A typedef that changes alignment (`typedef int aint __attribute__((aligned(8)));`).
    ///
    /// gcc gives such a typedef its own alignment but keeps the size of the aliased type.
    Aligned {
        /// The aliased type.
        base: CTypeId,
        /// The alignment in bytes.
        align: u64,
        /// The typedef's name, used when the type is printed.
        name: Box<str>,
    },
    /// A vector of numbers (`float __attribute__((vector_size(16)))`, `__m128`): its items'
    /// size, aligned as gcc aligns it ([`crate::Registry::alignof`] tells the alignment C's
    /// `_Alignof` reports); not passed by value yet.
    Vector {
        /// The item type (an integer or floating type).
        elem: CTypeId,
        /// How many items (a power of two).
        len: u64,
    },
    /// An integer or floating type of unknown size (cffi's `typedef int... t;`), usable only
    /// after compilation: any use that needs its size is an error.
    UnknownNumber {
        /// The typedef name.
        name: Box<str>,
        /// `true` for `float...`/`double...`, `false` for `int...`.
        float: bool,
    },
}

/// A function signature.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncSig {
    /// The result type.
    pub ret: CTypeId,
    /// The parameter types, after C's adjustments (arrays and functions become pointers).
    pub params: Vec<CTypeId>,
    /// `true` when the parameter list ends with `...`.
    pub variadic: bool,
    /// The calling convention named in the declaration.
    pub abi: CallConv,
}

/// A calling convention named in a declaration.
///
/// On x86-64 and AArch64 there is one C calling convention; gcc ignores the others with a
/// warning and so do we, but the name is kept so that a declaration prints as it was written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum CallConv {
    /// The platform's C calling convention.
    #[default]
    C,
    /// `__stdcall` / `WINAPI`.
    Stdcall,
    /// `__fastcall`.
    Fastcall,
    /// `__thiscall`.
    Thiscall,
    /// `__vectorcall`.
    Vectorcall,
}

/// Struct or union.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// `struct`
    Struct,
    /// `union`
    Union,
}

impl RecordKind {
    /// The C keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RecordKind::Struct => "struct",
            RecordKind::Union => "union",
        }
    }
}

/// A struct or union definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Struct or union.
    pub kind: RecordKind,
    /// The tag (`struct tag`), if any.
    pub tag: Option<Box<str>>,
    /// The name printed for this type: `struct tag`, a typedef name for an anonymous record
    /// (`foo_t`), or `struct $N` for other anonymous records.
    pub display: Box<str>,
    /// The members, or `None` while the record is only declared (opaque).
    pub fields: Option<Vec<Field>>,
    /// cffi's `...;`: the declared members are not all of them, so the layout is unknown.
    pub partial: bool,
    /// `__attribute__((packed))` on the record.
    pub packed: bool,
    /// `__attribute__((aligned(N)))` on the record, in bytes.
    pub aligned: Option<u64>,
    /// `#pragma pack(N)` (or the `pack` option) in effect where the record was defined.
    pub pack: Option<u64>,
    /// `__attribute__((transparent_union))`: as a function parameter, the union is passed as
    /// its first member is (glibc's `__SOCKADDR_ARG`).
    pub transparent: bool,
}

/// A member of a struct or union, as declared.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The member name; `None` for unnamed bitfields and anonymous struct/union members.
    pub name: Option<Box<str>>,
    /// The member type.
    pub ty: CTypeId,
    /// The bitfield width, for bitfields.
    pub bit_width: Option<u32>,
    /// `__attribute__((aligned(N)))` or `_Alignas(N)` on the member, in bytes.
    pub aligned: Option<u64>,
    /// `__attribute__((packed))` on the member.
    pub packed: bool,
    /// `const` on the member.
    pub is_const: bool,
}

/// An enum definition.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    /// The tag (`enum tag`), if any.
    pub tag: Option<Box<str>>,
    /// The name printed for this type.
    pub display: Box<str>,
    /// The enumerators in declaration order, or `None` while the enum is only declared.
    pub items: Option<Vec<(Box<str>, i128)>>,
    /// The integer type that holds the values, chosen as gcc does.
    pub underlying: Prim,
    /// cffi's `...` in an enum: the values are not all known.
    pub partial: bool,
    /// `__attribute__((packed))`: the smallest integer type that holds the values.
    pub packed: bool,
    /// C23's `enum e : T`: `underlying` is the type written, which every value must fit, and
    /// the enum is complete from its first declaration (`enum e : T;`), values or not.
    pub fixed: bool,
}

/// Primitive types: C's arithmetic types and the named types that cffi knows without a `cdef`.
///
/// Each name is a type of its own, as in cffi (`int64_t` is not `long`), with the size and
/// representation of the C type it stands for on the target.
#[allow(missing_docs)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prim {
    Char,
    SChar,
    UChar,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
    LongLong,
    ULongLong,
    Int128,
    UInt128,
    Float,
    Double,
    LongDouble,
    Float16,
    Float128,
    Bool,
    FloatComplex,
    DoubleComplex,
    LongDoubleComplex,
    Float128Complex,
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    IntLeast8,
    UIntLeast8,
    IntLeast16,
    UIntLeast16,
    IntLeast32,
    UIntLeast32,
    IntLeast64,
    UIntLeast64,
    IntFast8,
    UIntFast8,
    IntFast16,
    UIntFast16,
    IntFast32,
    UIntFast32,
    IntFast64,
    UIntFast64,
    IntPtr,
    UIntPtr,
    IntMax,
    UIntMax,
    PtrDiff,
    Size,
    SSize,
    WChar,
    Char16,
    Char32,
}

/// How a primitive is represented in memory.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PrimRepr {
    /// A two's complement integer of `bytes` bytes.
    Int {
        /// Size in bytes.
        bytes: u8,
        /// Signed or unsigned.
        signed: bool,
    },
    /// `_Bool`: one byte holding 0 or 1.
    Bool,
    /// An IEEE binary floating point number of `bytes` bytes (2, 4, 8 or 16).
    Float {
        /// Size in bytes.
        bytes: u8,
    },
    /// x87 80-bit extended precision, stored in 16 bytes (x86-64 `long double`).
    X87,
    /// A complex number: two of the given floating representation.
    Complex {
        /// Size in bytes of one part.
        part_bytes: u8,
        /// `true` when each part is x87 extended precision.
        x87: bool,
    },
}

impl PrimRepr {
    /// `true` for integers (including `_Bool` and character types).
    pub fn is_integer(self) -> bool {
        matches!(self, PrimRepr::Int { .. } | PrimRepr::Bool)
    }
}

impl Prim {
    /// Every primitive, in a fixed order.
    pub const ALL: [Prim; 57] = [
        Prim::Char,
        Prim::SChar,
        Prim::UChar,
        Prim::Short,
        Prim::UShort,
        Prim::Int,
        Prim::UInt,
        Prim::Long,
        Prim::ULong,
        Prim::LongLong,
        Prim::ULongLong,
        Prim::Int128,
        Prim::UInt128,
        Prim::Float,
        Prim::Double,
        Prim::LongDouble,
        Prim::Float16,
        Prim::Float128,
        Prim::Bool,
        Prim::FloatComplex,
        Prim::DoubleComplex,
        Prim::LongDoubleComplex,
        Prim::Float128Complex,
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

    /// The type's C name, as cffi prints it (`"unsigned long long"`, `"int64_t"`) — except
    /// complex types, which cffi names `_cffi_double_complex_t` and rcffi `"double _Complex"`.
    pub fn name(self) -> &'static str {
        use Prim::*;
        match self {
            Char => "char",
            SChar => "signed char",
            UChar => "unsigned char",
            Short => "short",
            UShort => "unsigned short",
            Int => "int",
            UInt => "unsigned int",
            Long => "long",
            ULong => "unsigned long",
            LongLong => "long long",
            ULongLong => "unsigned long long",
            Int128 => "__int128",
            UInt128 => "unsigned __int128",
            Float => "float",
            Double => "double",
            LongDouble => "long double",
            Float16 => "_Float16",
            Float128 => "_Float128",
            Bool => "_Bool",
            FloatComplex => "float _Complex",
            DoubleComplex => "double _Complex",
            LongDoubleComplex => "long double _Complex",
            Float128Complex => "_Float128 _Complex",
            Int8 => "int8_t",
            UInt8 => "uint8_t",
            Int16 => "int16_t",
            UInt16 => "uint16_t",
            Int32 => "int32_t",
            UInt32 => "uint32_t",
            Int64 => "int64_t",
            UInt64 => "uint64_t",
            IntLeast8 => "int_least8_t",
            UIntLeast8 => "uint_least8_t",
            IntLeast16 => "int_least16_t",
            UIntLeast16 => "uint_least16_t",
            IntLeast32 => "int_least32_t",
            UIntLeast32 => "uint_least32_t",
            IntLeast64 => "int_least64_t",
            UIntLeast64 => "uint_least64_t",
            IntFast8 => "int_fast8_t",
            UIntFast8 => "uint_fast8_t",
            IntFast16 => "int_fast16_t",
            UIntFast16 => "uint_fast16_t",
            IntFast32 => "int_fast32_t",
            UIntFast32 => "uint_fast32_t",
            IntFast64 => "int_fast64_t",
            UIntFast64 => "uint_fast64_t",
            IntPtr => "intptr_t",
            UIntPtr => "uintptr_t",
            IntMax => "intmax_t",
            UIntMax => "uintmax_t",
            PtrDiff => "ptrdiff_t",
            Size => "size_t",
            SSize => "ssize_t",
            WChar => "wchar_t",
            Char16 => "char16_t",
            Char32 => "char32_t",
        }
    }

    /// `true` for plain `char`, which cffi treats as a one-byte character; `signed char` and
    /// `unsigned char` are small integers.
    pub fn is_plain_char(self) -> bool {
        self == Prim::Char
    }

    /// `true` for the types cffi converts to and from text (`wchar_t`, `char16_t`, `char32_t`).
    pub fn is_wide_char(self) -> bool {
        matches!(self, Prim::WChar | Prim::Char16 | Prim::Char32)
    }
}

impl fmt::Display for Prim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

//! The target a registry lays types out for: data model, signedness of `char`, bitfield rules.
//!
//! A target is a value, not a `#[cfg]`, so that every target's rules run and are tested on any
//! host (cffi's `SF_*` flags, repr-c's `Target`). The host is the default.

use crate::ctype::{Prim, PrimRepr};

/// The processor family, which decides the few layout rules that differ between gcc targets.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    /// x86-64, System V ABI (Linux, BSDs, macOS).
    X86_64,
    /// AArch64 (ARM64), AAPCS64 as used on Linux.
    AArch64,
}

/// A target: what a registry computes sizes, alignments and offsets for.
///
/// ```
/// use rcffi_cdef::{Registry, Target};
/// let mut reg = Registry::with_target(Target::aarch64_linux());
/// reg.cdef("struct s { char c; wchar_t w; };").unwrap();
/// let ty = reg.parse_type("struct s").unwrap();
/// assert_eq!(reg.layout(ty).unwrap().size, 8);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Target {
    /// A short name (`"x86_64-linux"`), used in test output.
    pub name: &'static str,
    /// The processor family.
    pub arch: Arch,
    /// Whether plain `char` is signed.
    pub char_signed: bool,
    /// Whether `wchar_t` is signed.
    pub wchar_signed: bool,
}

impl Target {
    /// x86-64 Linux (System V ABI, LP64, gcc bitfield rules).
    pub fn x86_64_linux() -> Target {
        Target {
            name: "x86_64-linux",
            arch: Arch::X86_64,
            char_signed: true,
            wchar_signed: true,
        }
    }

    /// AArch64 Linux (AAPCS64, LP64, unsigned `char` and `wchar_t`, IEEE quad `long double`).
    pub fn aarch64_linux() -> Target {
        Target {
            name: "aarch64-linux",
            arch: Arch::AArch64,
            char_signed: false,
            wchar_signed: false,
        }
    }

    /// The machine this program runs on.
    ///
    /// On hosts other than x86-64 and AArch64 this is x86-64's rules, which are only right for
    /// other LP64 targets with gcc's layout; rcffi's runtime does not support those hosts.
    pub fn host() -> Target {
        if cfg!(target_arch = "aarch64") {
            Target::aarch64_linux()
        } else {
            Target::x86_64_linux()
        }
    }

    /// Size of a pointer in bytes.
    pub fn pointer_size(&self) -> u64 {
        8
    }

    /// How a primitive is represented on this target.
    pub fn repr(&self, prim: Prim) -> PrimRepr {
        use Prim::*;
        let int = |bytes: u8, signed: bool| PrimRepr::Int { bytes, signed };
        match prim {
            Char => int(1, self.char_signed),
            SChar | Int8 | IntLeast8 | IntFast8 => int(1, true),
            UChar | UInt8 | UIntLeast8 | UIntFast8 => int(1, false),
            Short | Int16 | IntLeast16 => int(2, true),
            UShort | UInt16 | UIntLeast16 | Char16 => int(2, false),
            Int | Int32 | IntLeast32 => int(4, true),
            UInt | UInt32 | UIntLeast32 | Char32 => int(4, false),
            WChar => int(4, self.wchar_signed),
            // glibc's LP64 <stdint.h> makes the 16- and 32-bit "fast" types `long`.
            Long | LongLong | Int64 | IntLeast64 | IntFast16 | IntFast32 | IntFast64 | IntPtr
            | IntMax | PtrDiff | SSize => int(8, true),
            ULong | ULongLong | UInt64 | UIntLeast64 | UIntFast16 | UIntFast32 | UIntFast64
            | UIntPtr | UIntMax | Size => int(8, false),
            Int128 => int(16, true),
            UInt128 => int(16, false),
            Bool => PrimRepr::Bool,
            Float16 => PrimRepr::Float { bytes: 2 },
            Float => PrimRepr::Float { bytes: 4 },
            Double => PrimRepr::Float { bytes: 8 },
            Float128 => PrimRepr::Float { bytes: 16 },
            LongDouble => match self.arch {
                Arch::X86_64 => PrimRepr::X87,
                Arch::AArch64 => PrimRepr::Float { bytes: 16 },
            },
            FloatComplex => PrimRepr::Complex {
                part_bytes: 4,
                x87: false,
            },
            DoubleComplex => PrimRepr::Complex {
                part_bytes: 8,
                x87: false,
            },
            LongDoubleComplex => PrimRepr::Complex {
                part_bytes: 16,
                x87: self.arch == Arch::X86_64,
            },
            Float128Complex => PrimRepr::Complex {
                part_bytes: 16,
                x87: false,
            },
        }
    }

    /// Size and alignment of a primitive in bytes.
    pub fn prim_size_align(&self, prim: Prim) -> (u64, u64) {
        match self.repr(prim) {
            PrimRepr::Int { bytes, .. } | PrimRepr::Float { bytes } => (bytes.into(), bytes.into()),
            PrimRepr::Bool => (1, 1),
            PrimRepr::X87 => (16, 16),
            PrimRepr::Complex { part_bytes, .. } => (2 * u64::from(part_bytes), part_bytes.into()),
        }
    }

    /// `__attribute__((aligned))` without an argument: the biggest alignment of the target.
    pub fn biggest_alignment(&self) -> u64 {
        16
    }

    /// Whether unnamed bitfields (including `:0`) count toward the alignment of their record.
    ///
    /// They do not on x86-64 (see `grammar-tests/layout/bitfield-unnamed-align.cdef`); on AArch64
    /// gcc lets them count (see `crates/cdef/tests/layout_tables.rs`, `aarch64_unnamed_bitfield`).
    pub fn unnamed_bitfield_affects_align(&self) -> bool {
        self.arch == Arch::AArch64
    }
}

impl Default for Target {
    fn default() -> Self {
        Target::host()
    }
}

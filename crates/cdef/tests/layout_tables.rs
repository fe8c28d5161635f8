//! Layout tables for both targets, in the spirit of LuaJIT's `ffi_parse_struct.lua`: a
//! declaration and its size and alignment on x86-64 and AArch64 Linux.
//!
//! These run without a C compiler. Every number was produced by gcc 12 and
//! aarch64-linux-gnu-gcc 12 (`char (*p)[sizeof(T)][_Alignof(T)] = 1;` makes the compiler print
//! both), and the compiler-backed tests of rcffi-testkit check the same rules continuously.

use rcffi_cdef::{Registry, Target};

/// Size and alignment in bytes.
type SizeAlign = (u64, u64);

/// (what, declaration of `struct t` or `union t`, x86-64 size and alignment, AArch64 size and
/// alignment).
const TABLE: &[(&str, &str, SizeAlign, SizeAlign)] = &[
    ("char", "struct t { char a; };", (1, 1), (1, 1)),
    ("short", "struct t { char a; short b; };", (4, 2), (4, 2)),
    ("long", "struct t { char a; long b; };", (16, 8), (16, 8)),
    (
        "long double",
        "struct t { char a; long double b; };",
        (32, 16),
        (32, 16),
    ),
    (
        "va_list",
        "struct t { char a; va_list b; };",
        (32, 8),
        (40, 8),
    ),
    (
        "__int128",
        "struct t { char a; __int128 b; };",
        (32, 16),
        (32, 16),
    ),
    (
        "wchar_t",
        "struct t { char a; wchar_t b; };",
        (8, 4),
        (8, 4),
    ),
    (
        "double _Complex",
        "struct t { char a; double _Complex b; };",
        (24, 8),
        (24, 8),
    ),
    (
        "long double _Complex",
        "struct t { char a; long double _Complex b; };",
        (48, 16),
        (48, 16),
    ),
    (
        "unnamed bitfield",
        "struct t { char y; int :1; };",
        (2, 1),
        (4, 4),
    ),
    (
        "zero-width bitfield",
        "struct t { char x; int :0; char y; };",
        (5, 1),
        (8, 4),
    ),
    (
        "unnamed long long bitfield",
        "struct t { char x; long long :3; char y; };",
        (3, 1),
        (8, 8),
    ),
    (
        "straddling bitfield",
        "struct t { int a:30; int b:5; };",
        (8, 4),
        (8, 4),
    ),
    (
        "char then int bitfield",
        "struct t { char a; int b:9; char y; };",
        (4, 4),
        (4, 4),
    ),
    (
        "long long bitfield",
        "struct t { char x; long long z:57; char y; };",
        (24, 8),
        (24, 8),
    ),
    (
        "packed",
        "struct __attribute__((packed)) t { char a; int b; double c; };",
        (13, 1),
        (13, 1),
    ),
    (
        "aligned(2) struct",
        "struct t { char a; int b; double c; } __attribute__((aligned(2)));",
        (16, 8),
        (16, 8),
    ),
    (
        "aligned member",
        "struct t { char a; int b __attribute__((aligned(16))); };",
        (32, 16),
        (32, 16),
    ),
    (
        "union",
        "union t { char a[3]; short b; long double c; };",
        (16, 16),
        (16, 16),
    ),
    (
        "flexible array",
        "struct t { int n; double d[]; };",
        (8, 8),
        (8, 8),
    ),
    (
        "enum beyond 32 bits",
        "struct t { char c; enum { A = -1, B = 0x100000000 } e; };",
        (16, 8),
        (16, 8),
    ),
    (
        "bool and float",
        "struct t { _Bool a; float b; _Bool c; };",
        (12, 4),
        (12, 4),
    ),
    (
        "pointers",
        "struct t { char c; void *p; int (*f)(int); };",
        (24, 8),
        (24, 8),
    ),
    (
        "nested",
        "struct t { char c; struct { short s; char d; } in; long l; };",
        (16, 8),
        (16, 8),
    ),
];

fn layout(target: Target, decl: &str) -> (u64, u64) {
    let mut reg = Registry::with_target(target);
    reg.cdef(decl).unwrap_or_else(|e| panic!("{decl}: {e}"));
    let kw = if decl.starts_with("union") {
        "union t"
    } else {
        "struct t"
    };
    let t = reg.parse_type(kw).unwrap();
    let l = reg.layout(t).unwrap_or_else(|e| panic!("{decl}: {e}"));
    (l.size, l.align)
}

#[test]
fn x86_64_table() {
    for (what, decl, x86, _) in TABLE {
        assert_eq!(
            layout(Target::x86_64_linux(), decl),
            *x86,
            "x86-64: {what}: {decl}"
        );
    }
}

#[test]
fn aarch64_table() {
    for (what, decl, _, arm) in TABLE {
        assert_eq!(
            layout(Target::aarch64_linux(), decl),
            *arm,
            "aarch64: {what}: {decl}"
        );
    }
}

/// Plain `char` and `wchar_t` are signed on x86-64 and unsigned on AArch64; constant
/// expressions see it (gcc: `'\xff'` is -1 or 255, `(char)-1 < 0` is 1 or 0).
#[test]
fn char_signedness() {
    for (target, ff, neg) in [
        (Target::x86_64_linux(), -1, 1),
        (Target::aarch64_linux(), 255, 0),
    ] {
        let mut reg = Registry::with_target(target.clone());
        reg.cdef("enum { FF = '\\xff', NEG = (char)-1 < 0, WNEG = (wchar_t)-1 < 0 };")
            .unwrap();
        assert_eq!(
            reg.integer_const("FF").unwrap().value,
            ff,
            "{}",
            target.name
        );
        assert_eq!(
            reg.integer_const("NEG").unwrap().value,
            neg,
            "{}",
            target.name
        );
        assert_eq!(
            reg.integer_const("WNEG").unwrap().value,
            neg,
            "{}",
            target.name
        );
    }
}

/// `long double` is x87 extended precision in 16 bytes on x86-64, IEEE binary128 on AArch64.
#[test]
fn long_double_representation() {
    use rcffi_cdef::{Prim, PrimRepr};
    assert_eq!(Target::x86_64_linux().repr(Prim::LongDouble), PrimRepr::X87);
    assert_eq!(
        Target::aarch64_linux().repr(Prim::LongDouble),
        PrimRepr::Float { bytes: 16 }
    );
}

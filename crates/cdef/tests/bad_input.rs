//! Malformed cdefs: each one is an error of the right kind at the right line and column, never
//! a panic, and a failed cdef changes nothing in the registry.

use rcffi_cdef::{ErrorKind as K, Registry};

/// (cdef text, expected kind, line, column) — lines and columns are 1-based, columns count
/// characters.
const CASES: &[(&str, K, u32, u32)] = &[
    // --- syntax ---
    ("int a", K::Syntax, 1, 6),
    ("int a;\nint b", K::Syntax, 2, 6),
    ("int c d;", K::Syntax, 1, 7),
    ("int a;\n\n  int x y;", K::Syntax, 3, 9),
    ("int;", K::Syntax, 1, 1),
    ("typedef int;", K::Syntax, 1, 1),
    ("struct s { int a; ", K::Syntax, 1, 18),
    ("struct s { int a }; ", K::Syntax, 1, 18),
    ("int f(int a,);", K::Syntax, 1, 13),
    ("int f(int a", K::Syntax, 1, 12),
    ("int a[3;", K::Syntax, 1, 8),
    ("int (*p;", K::Syntax, 1, 8),
    ("/* open", K::Syntax, 1, 1),
    ("int a; /* open\n int b;", K::Syntax, 1, 8),
    ("char c = 'x;", K::Syntax, 1, 10),
    ("int f(void) __asm__(\"abc);", K::Syntax, 1, 21),
    ("int a @ b;", K::Syntax, 1, 7),
    ("int a`;", K::Syntax, 1, 6),
    ("int \u{e9}t\u{e9};", K::Syntax, 1, 5),
    ("extern \"C\" { int f(void); }", K::Unsupported, 1, 8),
    ("int f(int &x);", K::Syntax, 1, 11),
    ("class A { int x; };", K::UnknownType, 1, 1),
    ("struct { int a; } x y;", K::Syntax, 1, 21),
    ("int a,;", K::Syntax, 1, 7),
    ("enum e { A B };", K::Syntax, 1, 12),
    ("enum e { , };", K::Syntax, 1, 10),
    ("struct s { int a:; };", K::Syntax, 1, 18),
    ("int ((a);", K::Syntax, 1, 9),
    // --- unknown types and names ---
    ("foo_t x;", K::UnknownType, 1, 1),
    ("int a;\nfoo_t x;", K::UnknownType, 2, 1),
    ("struct s {\n  int a;\n  bar_t b;\n};", K::UnknownType, 3, 3),
    ("int f(int a, size_tt n);", K::UnknownType, 1, 14),
    ("const mystery *p;", K::UnknownType, 1, 7),
    ("extern mystery x;", K::UnknownType, 1, 8),
    ("static mystery x;", K::UnknownType, 1, 8),
    ("void f(foobarbazzz);", K::UnknownType, 1, 8),
    ("int f(a, b);", K::UnknownType, 1, 7),
    ("typedef unknown_t t;", K::UnknownType, 1, 9),
    ("struct s { int a[N]; };", K::UnknownName, 1, 18),
    ("enum e { A = B, B = 1 };", K::UnknownName, 1, 14),
    ("int a[sizeof(x)];", K::UnknownName, 1, 13),
    ("struct s { int w:W; };", K::UnknownName, 1, 18),
    // --- directives ---
    ("#include <stdio.h>", K::Directive, 1, 1),
    ("int a;\n#include \"x.h\"", K::Directive, 2, 1),
    ("  #if 0\n#endif", K::Directive, 1, 3),
    ("#ifdef X\n#endif", K::Directive, 1, 1),
    ("#ifndef X\n#endif", K::Directive, 1, 1),
    ("#else", K::Directive, 1, 1),
    ("#endif", K::Directive, 1, 1),
    ("#error no", K::Directive, 1, 1),
    ("#warning hm", K::Directive, 1, 1),
    ("#ident \"x\"", K::Directive, 1, 1),
    ("#pragma pack(3)", K::Directive, 1, 9),
    ("#pragma pack(32)", K::Directive, 1, 9),
    ("#pragma pack 4", K::Directive, 1, 9),
    ("#pragma pack(push, x, y, z, w)", K::Directive, 1, 9),
    ("#line foo", K::Directive, 1, 1),
    ("# \"file\"", K::Directive, 1, 1),
    ("#!shebang", K::Directive, 1, 1),
    // --- #define ---
    ("#define", K::Macro, 1, 1),
    ("#define 3 4", K::Macro, 1, 9),
    ("#undef", K::Macro, 1, 1),
    ("#undef A B", K::Macro, 1, 8),
    // --- constant expressions ---
    ("enum e { A = 1 / 0 };", K::ConstExpr, 1, 16),
    ("int a[5 % 0];", K::ConstExpr, 1, 9),
    ("enum e { A = 1 << 40 };", K::ConstExpr, 1, 16),
    ("enum e { A = 1 << -1 };", K::ConstExpr, 1, 16),
    ("enum e { A = 1e3 };", K::ConstExpr, 1, 14),
    ("enum e { A = 1.5f };", K::ConstExpr, 1, 14),
    ("int a[\"abc\"];", K::ConstExpr, 1, 7),
    ("int a[(1, 2)];", K::ConstExpr, 1, 7),
    ("int a[f(2)];", K::ConstExpr, 1, 7),
    ("enum e { A = 1, B = (A = 2) };", K::ConstExpr, 1, 24),
    ("struct o;\nint a[sizeof(struct o)];", K::ConstExpr, 2, 7),
    ("int a[sizeof(void)];", K::ConstExpr, 1, 7),
    ("static const int X = 1.5;", K::ConstExpr, 1, 22),
    ("enum e { A = (float)1 };", K::ConstExpr, 1, 14),
    ("enum e { A = 5lL };", K::Syntax, 1, 15),
    ("enum e { A = 0x };", K::Syntax, 1, 16),
    ("enum e { A = '' };", K::Syntax, 1, 15),
    // --- redeclarations ---
    ("int f(int);\nlong f(int);", K::Redeclared, 2, 6),
    ("typedef int T;\ntypedef long T;", K::Redeclared, 2, 14),
    ("typedef int n;\nint n(void);", K::Redeclared, 2, 5),
    (
        "struct s { int a; };\nstruct s { long a; };",
        K::Redeclared,
        2,
        1,
    ),
    ("struct s { int a; };\nunion s *p;", K::Redeclared, 2, 1),
    ("enum a { X = 1 };\nenum b { X = 2 };", K::Redeclared, 2, 10),
    ("enum e { A };\nenum e { A, B };", K::Redeclared, 2, 1),
    ("#define N 1\n#define N 2", K::Redeclared, 2, 9),
    ("extern int v;\nextern long v;", K::Redeclared, 2, 13),
    ("int x(void);\nextern int x;", K::Redeclared, 2, 12),
    ("enum e { A };\nstruct e *p;", K::Redeclared, 2, 1),
    // --- definitions ---
    (
        "int add(int a, int b) { return a + b; }",
        K::Definition,
        1,
        1,
    ),
    ("void f(void) {}", K::Definition, 1, 1),
    ("int counter = 0;", K::Definition, 1, 5),
    ("extern int x = 3;", K::Definition, 1, 12),
    ("static int y = 4;", K::Definition, 1, 12),
    // --- invalid types ---
    ("struct s { void v; };", K::InvalidType, 1, 17),
    ("struct s { int f(int); };", K::InvalidType, 1, 16),
    ("struct s { int a:0; };", K::InvalidType, 1, 18),
    ("struct s { char a:9; };", K::InvalidType, 1, 19),
    ("struct s { float f:3; };", K::InvalidType, 1, 20),
    ("struct s { int a:-1; };", K::InvalidType, 1, 18),
    ("struct s { int *p:3; };", K::InvalidType, 1, 19),
    ("struct s { _Bool b:2; };", K::InvalidType, 1, 20),
    ("struct s { long long b:65; };", K::InvalidType, 1, 24),
    ("int a[-1];", K::InvalidType, 1, 7),
    ("typedef int fn(int);\nfn table[3];", K::InvalidType, 2, 9),
    ("extern void v[3];", K::InvalidType, 1, 14),
    ("int f(void)[3];", K::InvalidType, 1, 6),
    ("int g(void)(int);", K::InvalidType, 1, 6),
    ("int f(void, int);", K::InvalidType, 1, 7),
    ("int f(int, void);", K::InvalidType, 1, 12),
    ("struct s { int a; char a; };", K::InvalidType, 1, 24),
    (
        "struct s { int a; union { char a; }; };",
        K::InvalidType,
        1,
        19,
    ),
    (
        "struct s { int n; char d[]; int after; };",
        K::InvalidType,
        1,
        24,
    ),
    ("union u { int n; char d[]; };", K::InvalidType, 1, 23),
    ("_Static_assert(0, \"no\");", K::InvalidType, 1, 1),
    (
        "enum e { A = -1, B = 0xffffffffffffffffULL };",
        K::InvalidType,
        1,
        1,
    ),
    ("enum e { A = 0x7fffffff, B };", K::InvalidType, 1, 26),
    ("extern void nothing;", K::InvalidType, 1, 13),
    (
        "struct s { int a __attribute__((aligned(3))); };",
        K::InvalidType,
        1,
        16,
    ),
    (
        "struct s { int a; } __attribute__((transparent_union));",
        K::InvalidType,
        1,
        1,
    ),
    ("int f(...);", K::InvalidType, 1, 7),
    ("extern unsigned float f;", K::InvalidType, 1, 17),
    ("extern long long long x;", K::InvalidType, 1, 18),
    ("extern signed unsigned x;", K::InvalidType, 1, 15),
    ("extern short double x;", K::InvalidType, 1, 14),
    ("extern int int x;", K::InvalidType, 1, 12),
    ("extern int a[2][];", K::InvalidType, 1, 13),
    // --- unsupported ---
    (
        "typedef float v3 __attribute__((vector_size(12)));",
        K::InvalidType,
        1,
        15,
    ),
    (
        "int f(void) __attribute__((frobnicate));",
        K::Unsupported,
        1,
        28,
    ),
    ("int f(int) __attribute__((ms_abi));", K::Unsupported, 1, 27),
    (
        "extern int x;\nextern __typeof__(x + 1) y;",
        K::Unsupported,
        2,
        8,
    ),
    ("extern _Atomic(int) counter;", K::Unsupported, 1, 8),
    (
        "typedef float h __attribute__((mode(HF)));",
        K::Unsupported,
        1,
        32,
    ),
    ("struct s { _Alignas(3) int x; };", K::InvalidType, 1, 28),
    // --- cffi's `...` ---
    ("int ...;", K::Ellipsis, 1, 5),
    ("enum { A = 1 }; int a[A + ...];", K::Ellipsis, 1, 27),
    ("struct s { int a; ... };", K::Ellipsis, 1, 19),
    ("typedef int... *p;", K::Ellipsis, 1, 1),
    ("extern ... x;", K::Ellipsis, 1, 8),
    (
        "struct s { int a; }; struct t { struct s ...; };",
        K::Ellipsis,
        1,
        42,
    ),
    ("int f(int a[...][...]);", K::InvalidType, 1, 12),
];

/// Macros without a usable value: (cdef text, macro, line, column of its `#`, words of the
/// reason). They are accepted — a header's macro list must import whole — and each is in the
/// report with where it is and why, and in the registry as skipped.
const SKIPPED_MACROS: &[(&str, &str, u32, u32, &str)] = &[
    ("#define A (B + 1)", "A", 1, 1, "'B' is not a known"),
    ("#define EMPTY", "EMPTY", 1, 1, "defined to nothing"),
    (
        "int a;\n  #define G(a,b) a\n#define H G(1)",
        "H",
        3,
        1,
        "takes 2 arguments",
    ),
    ("#define T int", "T", 1, 1, "'int' is a type"),
    ("#define X (1 +)", "X", 1, 1, "expected"),
    ("#define Y 1 2", "Y", 1, 1, "expected"),
    ("#define Z (1", "Z", 1, 1, "expected"),
    (
        "#define BIG 99999999999999999999",
        "BIG",
        1,
        1,
        "99999999999999999999",
    ),
    ("#define W L\"wide\"", "W", 1, 1, "wide string"),
    ("#define C f(1)", "C", 1, 1, "calls 'f'"),
    (
        "# 7 \"zlib.h\"\n#define V __attribute__((x))",
        "V",
        7,
        1,
        "'__attribute__'",
    ),
];

#[test]
fn macros_without_a_value_are_reported_with_place_and_reason() {
    let mut failures = Vec::new();
    for (text, name, line, col, why) in SKIPPED_MACROS {
        let mut reg = Registry::new();
        let report = match reg.cdef(text) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{text:?}: refused: {e}"));
                continue;
            }
        };
        let Some(s) = report.skipped_macros.iter().find(|s| &*s.name == *name) else {
            failures.push(format!(
                "{text:?}: '{name}' not in {:?}",
                report.skipped_macros
            ));
            continue;
        };
        if (s.location.line, s.location.column) != (*line, *col) || !s.reason.contains(why) {
            failures.push(format!(
                "{text:?}: got {}:{} {:?}, expected {line}:{col} with {why:?}",
                s.location.line, s.location.column, s.reason
            ));
        }
        if !matches!(
            reg.decl(name),
            Some(rcffi_cdef::Decl::Macro(rcffi_cdef::MacroValue::Skipped(_)))
        ) {
            failures.push(format!("{text:?}: '{name}' is not kept as skipped"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_malformed_cdef_is_a_located_error() {
    assert!(CASES.len() >= 100, "{} cases", CASES.len());
    let mut failures = Vec::new();
    for (text, kind, line, col) in CASES {
        let mut reg = Registry::new();
        reg.cdef("typedef int existing_t; struct keep { int a; };")
            .unwrap();
        let before = (reg.dump(), reg.type_count());
        let err = match reg.cdef(text) {
            Ok(_) => {
                failures.push(format!(
                    "{text:?}: accepted, expected {kind:?} at {line}:{col}"
                ));
                continue;
            }
            Err(e) => e,
        };
        let at = err.location().map(|l| (l.line, l.column));
        if err.kind() != *kind || at != Some((*line, *col)) {
            failures.push(format!(
                "{text:?}: got {:?} at {at:?}, expected {kind:?} at {line}:{col}\n    {err}",
                err.kind()
            ));
        }
        if (reg.dump(), reg.type_count()) != before {
            failures.push(format!("{text:?}: the failed cdef changed the registry"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn a_failed_cdef_keeps_earlier_declarations_usable() {
    let mut reg = Registry::new();
    reg.cdef("struct s; typedef struct s s_t;").unwrap();
    // The second cdef completes the struct, then fails: the completion is undone.
    let err = reg.cdef("struct s { int a; };\nint broken(").unwrap_err();
    assert_eq!(err.kind(), K::Syntax);
    let s = reg.parse_type("struct s").unwrap();
    assert!(reg.layout(s).is_err(), "struct s must still be opaque");
    reg.cdef("struct s { long a; };").unwrap();
    assert_eq!(reg.layout(s).unwrap().size, 8);
}

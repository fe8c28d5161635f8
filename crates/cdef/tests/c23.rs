//! C23's spellings mean their earlier ones: each text below, written with C23's keywords,
//! declares what the same text with C11's keywords and GNU's spellings declares — the registry
//! dumps are equal. (gcc 12, the oracle here, reads C23's keywords only through its headers'
//! macros; the C11 spellings are the ones the gcc-checked grammar tests cover.)

use rcffi_cdef::Registry;

/// (C23 text, the same in C11).
const PAIRS: &[(&str, &str)] = &[
    (
        "struct s { char c; alignas(16) char d; alignas(double) short e; };",
        "struct s { char c; _Alignas(16) char d; _Alignas(double) short e; };",
    ),
    (
        "enum { A = alignof(long), B = alignof(struct { char c; double d; }) };",
        "enum { A = _Alignof(long), B = _Alignof(struct { char c; double d; }) };",
    ),
    (
        "static_assert(sizeof(int) == 4); struct s { int a; static_assert(1); };",
        "_Static_assert(sizeof(int) == 4, \"\"); struct s { int a; _Static_assert(1, \"x\"); };",
    ),
    (
        "_Static_assert(sizeof(long) == 8);",
        "_Static_assert(sizeof(long) == 8, \"\");",
    ),
    (
        "extern thread_local int t; extern _Thread_local int u;",
        "extern _Thread_local int t; extern _Thread_local int u;",
    ),
    (
        "constexpr int K = 5; static constexpr long L = 1L << 40; constexpr double D = 1.5;",
        "static const int K = 5; static const long L = 1L << 40; static const double D = 1.5;",
    ),
    (
        "enum { X = true, Y = false, Z = true + true }; static const _Bool B = true;",
        "enum { X = 1, Y = 0, Z = 1 + 1 }; static const _Bool B = 1;",
    ),
    (
        "#define ON true\n#define OFF (false || false)\n",
        "#define ON 1\n#define OFF (0 || 0)\n",
    ),
    (
        "extern typeof_unqual(const int) a; extern __typeof_unqual__(int *const) b;",
        "extern int a; extern int *b;",
    ),
    (
        "bool f(bool); struct s { bool b : 1; };",
        "_Bool f(_Bool); struct s { _Bool b : 1; };",
    ),
];

fn dump(text: &str) -> String {
    let mut reg = Registry::default();
    match reg.cdef(text) {
        Ok(_) => reg.dump(),
        Err(e) => panic!("{text}: {e}"),
    }
}

#[test]
fn c23_keywords_declare_what_their_c11_spellings_declare() {
    for (c23, c11) in PAIRS {
        assert_eq!(dump(c23), dump(c11), "{c23}");
    }
}

/// `true` and `false` are C23's constants only where nothing declares them: an old header's
/// `enum { false, true }` (which `typedef`s its own `bool`) keeps its values.
#[test]
fn declared_true_and_false_keep_their_declarations() {
    let d = dump("enum boolean { true = 7, false = 9 }; enum { X = true + false };");
    assert!(d.contains("X = 16"), "{d}");
}

/// What C23 has that rcffi does not model is refused by name, at its place.
#[test]
fn bit_precise_integers_are_refused_by_name() {
    for text in ["_BitInt(17) v;", "struct s { unsigned _BitInt(8) x; };"] {
        let e = Registry::default().cdef(text).unwrap_err();
        assert!(e.to_string().contains("_BitInt(N)"), "{e}");
        assert_eq!(e.location().map(|l| l.line), Some(1), "{e}");
    }
}

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
        "#define NP nullptr\n#define CP ((char *)nullptr)\n",
        "#define NP ((void *)0)\n#define CP ((char *)0)\n",
    ),
    (
        "extern typeof_unqual(const int) a; extern __typeof_unqual__(int *const) b;",
        "extern int a; extern int *b;",
    ),
    (
        // gcc 14 and 15's stddef.h in C23 (gcc 15's default): `nullptr_t` is `void *`-sized.
        "typedef __typeof__(nullptr) nullptr_t; struct s { char c; nullptr_t p; }; \
         nullptr_t f(nullptr_t);",
        "typedef void *nullptr_t; struct s { char c; void *p; }; void *f(void *);",
    ),
    (
        "extern const int cx; extern typeof(cx) cy; int g(int); extern typeof(g) *gp;",
        "extern const int cx; extern const int cy; int g(int); extern int (*gp)(int);",
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

/// What C23 has that rcffi does not model is refused by name, at its place: bit-precise
/// integers, and enums over `bool` (whose values would need `_Bool`'s conversions).
#[test]
fn bit_precise_integers_and_bool_enums_are_refused_by_name() {
    for (text, name) in [
        ("_BitInt(17) v;", "_BitInt(N)"),
        ("struct s { unsigned _BitInt(8) x; };", "_BitInt(N)"),
        ("enum e : bool { NO, YES };", "bool"),
        ("enum e : _Bool;", "bool"),
    ] {
        let e = Registry::default().cdef(text).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
        assert_eq!(e.location().map(|l| l.line), Some(1), "{e}");
    }
}

/// C23's `enum e : T` is compatible with `T`: as a member it lays out as `T` does (which the
/// gcc-checked tests cover for every integer type), holds `T`'s whole range and no more, and
/// is complete from its first declaration.
#[test]
fn enums_with_a_fixed_type_lay_out_as_that_type() {
    for t in [
        "char",
        "signed char",
        "unsigned char",
        "short",
        "unsigned short",
        "int",
        "unsigned",
        "long",
        "unsigned long long",
        "uint8_t",
        "int64_t",
    ] {
        let (lo, hi) = bounds(t);
        let text = format!(
            "enum e : {t}; struct fwd {{ char c; enum e x; }};
             enum e : {t} {{ LO = {}, HI = {} }};
             struct a {{ char c; enum e x; char d; enum e y[3]; }};
             struct b {{ char c; {t} x; char d; {t} y[3]; }};
             struct c {{ char c; {t} x; }};",
            literal(lo),
            literal(hi)
        );
        let mut reg = Registry::default();
        reg.cdef(&text).unwrap_or_else(|e| panic!("{t}: {e}"));
        let mut layout = |name: &str| {
            let id = reg.parse_type(name).unwrap();
            let l = reg.layout(id).unwrap();
            (l.size, l.align)
        };
        assert_eq!(layout("struct a"), layout("struct b"), "{t}");
        assert_eq!(layout("enum e"), layout(t), "{t}");
        // Laid out before the values were given: the declaration made it complete.
        assert_eq!(layout("struct fwd"), layout("struct c"), "{t}");
        // One past either end is refused, naming the type (where C can write that number).
        for past in [lo - 1, hi + 1] {
            if past < i128::from(i64::MIN) || past > i128::from(u64::MAX) {
                continue;
            }
            let text = format!("enum f : {t} {{ X = {} }};", literal(past));
            let e = Registry::default().cdef(&text).unwrap_err();
            assert!(e.to_string().contains("outside the range"), "{text}: {e}");
        }
    }
}

/// A C integer constant of value `v` (at least `i64::MIN`, at most `u64::MAX`).
fn literal(v: i128) -> String {
    if v == i128::from(i64::MIN) {
        // Its magnitude alone does not fit `long long`.
        format!("({} - 1)", v + 1)
    } else if v > i128::from(i64::MAX) {
        format!("{v}ULL")
    } else {
        v.to_string()
    }
}

/// The range of an integer type named `t`.
fn bounds(t: &str) -> (i128, i128) {
    match t {
        "char" | "signed char" => (-128, 127),
        "unsigned char" | "uint8_t" => (0, 255),
        "short" => (-32768, 32767),
        "unsigned short" => (0, 65535),
        "int" => (i32::MIN.into(), i32::MAX.into()),
        "unsigned" => (0, u32::MAX.into()),
        "long" | "int64_t" => (i64::MIN.into(), i64::MAX.into()),
        "unsigned long long" => (0, u64::MAX.into()),
        _ => unreachable!("{t}"),
    }
}

/// A big C23 text (past the ~96 kB at which `cdef` parses in chunks) declares the same as its
/// pieces declared one `cdef` each, on one thread and on four: the rewrites stay inside their
/// declarations.
#[test]
fn big_c23_texts_parse_alike_in_chunks_and_whole() {
    // Declarations are added until the text is past 200 kB, so that it is cut into chunks.
    let mut text = String::new();
    let mut i = 0;
    while text.len() <= 200 * 1024 {
        i += 1;
        text.push_str(&format!(
            "enum e{i} : unsigned short;\n\
             struct [[gnu::packed]] s{i} {{ char c; alignas(8) int x; enum e{i} k; }} \
             [[gnu::aligned(16)]] v{i};\n\
             enum e{i} : unsigned short {{ A{i} = 1'0{d}, B{i} }};\n\
             [[nodiscard]] constexpr long K{i} = 0x1'0 + {i};\n\
             static_assert(sizeof(struct s{i}) > 1);\n",
            d = i % 10
        ));
    }
    let opts = |threads| rcffi_cdef::CdefOptions {
        threads: Some(threads),
        ..Default::default()
    };
    // The same declarations in pieces of 100 (five lines each), each below the chunking size.
    let mut pieces = Registry::default();
    let lines: Vec<&str> = text.lines().collect();
    for piece in lines.chunks(500) {
        pieces.cdef_with(&piece.join("\n"), &opts(1)).unwrap();
    }
    let mut one = Registry::default();
    one.cdef_with(&text, &opts(1)).unwrap();
    let mut four = Registry::default();
    four.cdef_with(&text, &opts(4)).unwrap();
    assert_eq!(pieces.dump(), one.dump());
    assert_eq!(one.dump(), four.dump());
    // The last declaration's enum, declared before its values, has its fixed type.
    let last = format!("enum e{i}  size=2 underlying=unsigned short fixed");
    assert!(one.dump().contains(&last), "{last}");
}

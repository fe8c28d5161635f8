//! The pre-pass's rewrites, text in and text out.

use super::*;

struct NoNames;
impl Names for NoNames {
    fn is_type_name(&self, name: &str) -> bool {
        name == "foo_t"
    }
}

fn pp(src: &str) -> String {
    preprocess(src, &NoNames, None).unwrap().text
}

#[test]
fn comments_and_directives_are_blanked() {
    assert_eq!(
        pp("int a; /* x */ // y\n#define N 3\nint b;"),
        "int a;             \n           \nint b;"
    );
}

#[test]
fn dotdotdot_forms() {
    assert_eq!(pp("typedef ... t;"), "typedef __rcffi_opaque_t t;");
    assert_eq!(
        pp("typedef unsigned long... t;"),
        "typedef __rcffi_unknown_int_t t;"
    );
    assert_eq!(
        pp("struct s { int a; ...; };"),
        "struct s { int a; __rcffi_partial_t __rcffi_dotdotdot; };"
    );
    assert_eq!(pp("int a[...];"), "int a[__rcffi_dotdotdot];");
    assert_eq!(pp("enum e { A, ... };"), "enum e { A, __rcffi_dotdotdot };");
    assert_eq!(pp("int f(int, ...);"), "int f(int, ...);");
    assert!(preprocess("int ...;", &NoNames, None).is_err());
}

#[test]
fn attributes_move_after_the_body() {
    assert_eq!(
        pp("struct __attribute__((packed)) s { char c; };"),
        "struct                         s { char c; } __attribute__((packed));"
    );
}

#[test]
fn alignas_and_calling_conventions() {
    assert_eq!(
        pp("_Alignas(16) int x;"),
        "__attribute__((aligned(16))) int x;"
    );
    assert_eq!(
        pp("_Alignas(foo_t) int x;"),
        "__attribute__((aligned(__alignof__(foo_t)))) int x;"
    );
    assert_eq!(
        pp("int __stdcall f(void);"),
        "int __attribute__((stdcall)) f(void);"
    );
    assert_eq!(pp("unsigned __int128 x;"), "__rcffi_uint128_t x;");
}

#[test]
fn c23_attributes_become_gnu_ones_or_nothing() {
    assert_eq!(
        pp("[[nodiscard, gnu::aligned(8)]] int x;"),
        " __attribute__((aligned(8)))  int x;"
    );
    assert_eq!(
        pp("int f(int x [[maybe_unused]]);"),
        "int f(int x                 );"
    );
    // After a body: to the declared names, in front of the keyword.
    assert_eq!(
        pp("struct s { char c; } [[gnu::aligned(8)]] v;"),
        " __attribute__((aligned(8))) struct s { char c; }                     v;"
    );
    // After the keyword: moved after the body, as GNU's are.
    assert_eq!(
        pp("struct [[gnu::packed]] s { int i; };"),
        "struct                 s { int i; }  __attribute__((packed)) ;"
    );
    assert_eq!(
        pp("enum e { A [[gnu::deprecated]] };"),
        "enum e { A                     };"
    );
}

#[test]
fn pragma_pack_stack() {
    let p = preprocess(
        "#pragma pack(push, 2)\n#pragma pack(4)\n#pragma pack(pop)\n",
        &NoNames,
        None,
    )
    .unwrap();
    let vals: Vec<Option<u64>> = p.packs.iter().map(|x| x.1).collect();
    assert_eq!(vals, [Some(2), Some(4), None]);
}

#[test]
fn typedef_names_are_found() {
    let src = "typedef struct { int a, b; } A, *PA, AA[3]; typedef int (*fn_t)(int, char); \
               typedef void (*sig_t(int))(int); typedef unsigned long size_t __attribute__((x)); \
               typedef int arr_t[N][M]; typedef struct s s; int not_a_typedef;";
    let p = preprocess(src, &NoNames, None).unwrap();
    let names: Vec<&str> = p
        .decls
        .iter()
        .flat_map(|d| d.typedefs.iter().copied())
        .collect();
    assert_eq!(
        names,
        ["A", "PA", "AA", "fn_t", "sig_t", "size_t", "arr_t", "s"]
    );
    assert_eq!(p.decls.len(), 7);
}

#[test]
fn unbalanced_typedefs_do_not_panic() {
    // Found by the fuzzer: a declarator that is only ')'.
    for src in [
        "typedef int a, );",
        "typedef int (b;",
        "typedef ) x;",
        "typedef int ]];",
    ] {
        let _ = preprocess(src, &NoNames, None);
    }
}

#[test]
fn bad_directives() {
    for src in [
        "#include <stdio.h>",
        "#if 0",
        "#define",
        "#define 3 x",
        "#undef",
        "#undef A B",
        "#pragma pack(3)",
    ] {
        assert!(preprocess(src, &NoNames, None).is_err(), "{src}");
    }
    // Macros without a value are kept (and skipped in lowering), not refused.
    // ... and so are pragmas that change nothing rcffi models (reported, ignored).
    for src in ["#define F(x) x", "#define N", "#undef N", "#pragma foo"] {
        assert!(preprocess(src, &NoNames, None).is_ok(), "{src}");
    }
}

//! cffi's parsing and introspection behaviours (reference §3.2 group J and the declaration
//! parts of A, B, D, E), checked on the facade. Test names carry the reference's ids; where
//! rcffi deliberately differs, the test says so (and docs/cffi-compat.md lists it).

use rcffi::{CdefOptions, Error, ErrorKind, Ffi, Kind, Value};

fn ffi_with(text: &str) -> Ffi {
    let ffi = Ffi::default();
    ffi.cdef(text).unwrap();
    ffi
}

#[test]
fn j01_simple_function_types() {
    let ffi = ffi_with("double sin(double x); int pipe(int pipefd[2]); short foo(int, ...);");
    let sin = ffi.typeof_("double(*)(double)").unwrap();
    assert_eq!(sin.kind(), Kind::Function);
    assert_eq!(sin.result().unwrap().cname(), "double");
    assert_eq!(sin.args().unwrap().len(), 1);
    assert_eq!(sin.ellipsis(), Some(false));
    ffi.with_registry(|r| {
        let pipe = match r.decl("pipe").unwrap() {
            rcffi_cdef::Decl::Function { ty, .. } => *ty,
            d => panic!("{d:?}"),
        };
        assert_eq!(r.cname(pipe), "int(int *)");
        let foo = match r.decl("foo").unwrap() {
            rcffi_cdef::Decl::Function { ty, .. } => *ty,
            d => panic!("{d:?}"),
        };
        assert_eq!(r.cname(foo), "short(int, ...)");
    });
}

#[test]
fn j02_no_args_and_typedef_chains() {
    let ffi = ffi_with("int foo(void); typedef unsigned int UInt; typedef UInt UIntReally;");
    assert!(
        ffi.typeof_("int(*)(void)")
            .unwrap()
            .args()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ffi.typeof_("UIntReally").unwrap(),
        ffi.typeof_("unsigned int").unwrap()
    );
}

#[test]
fn j03_typedef_more_complex() {
    let ffi = ffi_with("typedef struct { int a, b; } foo_t, *foo_p; int foo(foo_p[]);");
    let t = ffi.typeof_("int(*)(foo_p[])").unwrap();
    assert_eq!(t.args().unwrap()[0].cname(), "foo_t * *");
}

#[test]
fn j09_unnamed_struct_naming() {
    let ffi = ffi_with("typedef struct { int x; } foo_t; typedef struct { int y; } *bar_p;");
    assert_eq!(ffi.typeof_("foo_t").unwrap().cname(), "foo_t");
    let bar = ffi.typeof_("bar_p").unwrap().item().unwrap().cname();
    assert!(bar.starts_with("struct $"), "{bar}");
}

#[test]
fn j10_override() {
    let ffi = ffi_with("int foo(void); typedef int T;");
    let err = ffi.cdef("long foo(void);").unwrap_err();
    assert!(
        matches!(&err, Error::CDef(e) if e.kind() == ErrorKind::Redeclared),
        "{err}"
    );
    let t_before = ffi.typeof_("T").unwrap();
    ffi.cdef_with(
        "long foo(void); typedef long T;",
        &CdefOptions {
            override_: true,
            ..Default::default()
        },
    )
    .unwrap();
    // The type-string cache does not keep the old meaning of T.
    assert_ne!(ffi.typeof_("T").unwrap(), t_before);
    assert_eq!(ffi.typeof_("T").unwrap().cname(), "long");
}

#[test]
fn j12_parse_error_position() {
    let ffi = Ffi::default();
    let Error::CDef(e) = ffi.cdef("\n\n\nint x y z;").unwrap_err() else {
        panic!()
    };
    let loc = e.location().unwrap();
    assert_eq!((loc.line, loc.column), (4, 7));
}

#[test]
fn j13_custom_line_number() {
    let ffi = Ffi::default();
    let Error::CDef(e) = ffi.cdef("# 42 \"foobar\"\n\nint x y;").unwrap_err() else {
        panic!()
    };
    let loc = e.location().unwrap();
    assert_eq!((&*loc.file, loc.line), ("foobar", 43));
}

#[test]
fn j14_enum_values_given_later_is_accepted_unlike_cffi() {
    // cffi: NotImplementedError. C (gcc) accepts it; so does rcffi.
    let ffi = ffi_with("typedef enum foo_e foo_t; enum foo_e { AA, BB };");
    assert_eq!(ffi.integer_const("BB").unwrap(), 1);
    assert_eq!(ffi.sizeof("foo_t").unwrap(), 4);
}

#[test]
fn j15_unknown_identifier() {
    let ffi = Ffi::default();
    let e = ffi.typeof_("foobarbazunknown").unwrap_err().to_string();
    assert!(e.contains("unknown identifier 'foobarbazunknown'"), "{e}");
    let e = ffi.typeof_("foobarbazunknown*").unwrap_err().to_string();
    assert!(e.contains("foobarbazunknown"), "{e}");
}

#[test]
fn j16_redefine_common_types() {
    let ffi = ffi_with("typedef char FILE;");
    assert_eq!(ffi.typeof_("FILE").unwrap().cname(), "char");
    let ffi = ffi_with("typedef int bool, *FILE; typedef bool (*fn_t)(bool, bool);");
    assert_eq!(ffi.typeof_("bool").unwrap().cname(), "int");
    assert_eq!(ffi.typeof_("FILE").unwrap().cname(), "int *");
}

#[test]
fn j17_bool() {
    ffi_with("void f(bool);");
    ffi_with("typedef _Bool bool; void f(bool);");
}

#[test]
fn j18_unknown_argument_type() {
    let e = Ffi::default()
        .cdef("void f(foobarbazzz);")
        .unwrap_err()
        .to_string();
    assert!(e.contains("f arg 1: unknown type 'foobarbazzz' (if you meant to use the old C syntax of giving untyped arguments, it is not supported)"), "{e}");
}

#[test]
fn j19_void_renamed_as_only_arg() {
    let ffi =
        ffi_with("typedef void void_t1; typedef void_t1 void_t; typedef int (*func_t)(void_t);");
    assert!(ffi.typeof_("func_t").unwrap().args().unwrap().is_empty());
}

#[test]
fn j20_constant_or_variable() {
    use rcffi_cdef::Decl;
    let ffi = ffi_with(
        "extern const int a; extern int *const b; extern const int *c; extern const int d[3]; \
         static const int K = 5;",
    );
    ffi.with_registry(|r| {
        assert!(matches!(
            r.decl("a"),
            Some(Decl::Variable {
                read_only: true,
                ..
            })
        ));
        assert!(matches!(
            r.decl("b"),
            Some(Decl::Variable {
                read_only: true,
                ..
            })
        ));
        assert!(matches!(
            r.decl("c"),
            Some(Decl::Variable {
                read_only: false,
                ..
            })
        ));
        assert!(matches!(
            r.decl("d"),
            Some(Decl::Variable {
                read_only: true,
                ..
            })
        ));
        assert!(matches!(r.decl("K"), Some(Decl::Constant { .. })));
    });
}

#[test]
fn j22_qualifiers_do_not_make_types() {
    let ffi = Ffi::default();
    assert_eq!(
        ffi.typeof_("int(*)(const int *)").unwrap(),
        ffi.typeof_("int(*)(int *)").unwrap()
    );
    assert_eq!(
        ffi.typeof_("int(*)(int const)").unwrap(),
        ffi.typeof_("int(*)(int)").unwrap()
    );
}

#[test]
fn j23_qualifier_placement() {
    let ffi = Ffi::default();
    assert_eq!(
        ffi.typeof_("char * * (* const)").unwrap().cname(),
        "char * * *"
    );
    assert_eq!(
        ffi.typeof_("char * volatile restrict * *").unwrap().cname(),
        "char * * *"
    );
}

#[test]
fn j26_function_body() {
    let Error::CDef(e) = Ffi::default().cdef("void foo(void) {}").unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind(), ErrorKind::Definition);
}

#[test]
fn j28_inspect_types() {
    let ffi = Ffi::default();
    assert_eq!(ffi.typeof_("long").unwrap().kind(), Kind::Primitive);
    let t = ffi.typeof_("long(*)(long, long**, ...)").unwrap();
    assert_eq!(t.cname(), "long(*)(long, long * *, ...)");
    assert_eq!(t.ellipsis(), Some(true));
    assert_eq!(t.kind().as_str(), "function");
    assert_eq!(
        t.abi(),
        Some(if cfg!(target_arch = "aarch64") { 1 } else { 2 })
    );
}

#[test]
fn j29_list_types() {
    let ffi = ffi_with("typedef int foo_t;");
    let l = ffi.list_types();
    assert_eq!(
        (l.typedefs, l.structs, l.unions),
        (vec!["foo_t".to_string()], vec![], vec![])
    );
    let ffi = ffi_with(
        "typedef int foo_t; typedef struct { int x; } A, *PA; struct s1; union u1 { int a; }; \
         typedef int bar_t, *baz_p;",
    );
    let l = ffi.list_types();
    // The same lists cffi 2.0 prints for this cdef.
    assert_eq!(l.typedefs, ["A", "PA", "bar_t", "baz_p", "foo_t"]);
    assert_eq!(l.structs, ["s1"]);
    assert_eq!(l.unions, ["u1"]);
    ffi.cdef("typedef int aaa_t;").unwrap();
    assert_eq!(ffi.list_types().typedefs[0], "A");
    assert!(ffi.list_types().typedefs.contains(&"aaa_t".to_string()));
}

#[test]
fn j31_pack_options() {
    let ffi = Ffi::default();
    for opts in [
        CdefOptions {
            pack: Some(3),
            ..Default::default()
        },
        CdefOptions {
            packed: true,
            pack: Some(1),
            ..Default::default()
        },
    ] {
        let Error::CDef(e) = ffi.cdef_with("", &opts).unwrap_err() else {
            panic!()
        };
        assert_eq!(e.kind(), ErrorKind::Option);
    }
}

#[test]
fn j32_define_twice() {
    let ffi = ffi_with("#define FOO 42\n#define FOO 42");
    ffi.cdef("#define FOO 42").unwrap();
    assert!(ffi.cdef("#define FOO 43").is_err());
    assert_eq!(ffi.integer_const("FOO").unwrap(), 42);
}

#[test]
fn j33_opaque_struct_becomes_non_opaque() {
    let ffi = ffi_with("struct foo_s;");
    assert!(matches!(ffi.sizeof("struct foo_s"), Err(Error::Layout(_))));
    ffi.cdef("struct foo_s { int x; };").unwrap();
    assert_eq!(ffi.sizeof("struct foo_s").unwrap(), 4);
}

#[test]
fn j35_function_types_in_type_strings() {
    let ffi = Ffi::default();
    assert!(ffi.typeof_("int(int)").is_err());
    assert!(ffi.typeof_("int([5])(int)").is_err());
    let t = ffi.typeof_("int(*[5])(int)").unwrap();
    assert_eq!(ffi.getctype(&t, "").unwrap(), "int(*[5])(int)");
    assert_eq!(t.length(), Some(5));
}

#[test]
fn j36_getctype() {
    let ffi = Ffi::default();
    // Each expectation is what cffi 2.0's getctype returns.
    for (t, r, want) in [
        ("int", "x", "int x"),
        ("int*", "x", "int * x"),
        ("int", "*", "int *"),
        ("int[5]", "[6]", "int[6][5]"),
        ("int[5]", "*", "int(*)[5]"),
        ("int[5]", " ** foo ", "int(** foo)[5]"),
        ("int(*)(int, char *, ...)", "", "int(*)(int, char *, ...)"),
        ("int(*)(int)", "*", "int(* *)(int)"),
        ("int(*)(int)", "[3]", "int(*[3])(int)"),
        ("char * *", "", "char * *"),
        ("int[]", "", "int[]"),
        ("int[5][6]", "*", "int(*)[5][6]"),
        ("int(*)[5]", "*", "int(* *)[5]"),
        ("void *", "", "void *"),
    ] {
        assert_eq!(ffi.getctype(t, r).unwrap(), want, "getctype({t:?}, {r:?})");
    }
}

#[test]
fn j37_array_of_unknown_size_items() {
    assert!(Ffi::default().typeof_("int[10][]").is_err());
}

#[test]
fn j39_define_float_is_a_float_unlike_cffi() {
    // cffi refuses a float macro; rcffi keeps it, typed (docs/cffi-compat.md).
    let ffi = ffi_with("#define BB 12.34\n#define S \"ab\" \"c\"");
    // SAFETY: only the cdef's constants are used.
    let lib = unsafe { ffi.dlopen_self() }.unwrap();
    assert_eq!(lib.get("BB").unwrap(), Value::Float(12.34));
    assert_eq!(lib.get("S").unwrap(), Value::Bytes(b"abc".into()));
    let Error::Key(m) = ffi.integer_const("BB").unwrap_err() else {
        panic!()
    };
    assert!(m.contains("macro"), "{m}");
}

#[test]
fn macros_of_every_kind_through_lib_get_and_calls() {
    let ffi = ffi_with(
        r#"typedef void (*handler_t)(int); int abs(int); size_t strlen(const char *);
         #define MY_ABS abs
         #define MY_ABS_AGAIN MY_ABS
         #define NIL ((void *)0)
         #define ERR_ ((handler_t) -1)
         #define HUGE_ (__builtin_huge_val())
         #define LATE (EARLY * 2)
         #define EARLY 21
         #define F(x) ((x) + 1)
         #define LEN(s) strlen((s))
         #define HELLO_LEN() strlen("hello")
         #define SECOND_ABS(a, b) abs(b)
         #define NEG_ABS(x) abs(-(x))
         #define EMPTY"#,
    );
    // SAFETY: libc's abs and strlen match the declarations.
    let lib = unsafe { ffi.dlopen("c") }.unwrap();
    // SAFETY: `abs` takes an int.
    assert_eq!(unsafe { lib.call("MY_ABS", (-3,)) }.unwrap(), Value::Int(3));
    assert_eq!(
        // SAFETY: as above.
        unsafe { lib.call("MY_ABS_AGAIN", (-4,)) }.unwrap(),
        Value::Int(4)
    );
    let f = lib.function("MY_ABS").unwrap();
    assert_eq!(f.address(), lib.function("abs").unwrap().address());
    let nil = lib.get("NIL").unwrap();
    let nil = nil.as_cdata().unwrap();
    assert!(nil.is_null());
    assert_eq!(nil.type_name(), "void *");
    let err = lib.get("ERR_").unwrap();
    let err = err.as_cdata().unwrap();
    assert_eq!(err.type_name(), "void(*)(int)");
    assert_eq!(err.address(), usize::MAX);
    assert_eq!(lib.get("HUGE_").unwrap(), Value::Float(f64::INFINITY));
    assert_eq!(lib.get("LATE").unwrap(), Value::Int(42));
    // Function-like macros that call a function: the caller's arguments, rearranged, and the
    // macro's constants.
    // SAFETY: strlen gets C strings, abs ints.
    unsafe {
        assert_eq!(lib.call("LEN", ("abcd",)).unwrap(), Value::Int(4));
        assert_eq!(lib.call("HELLO_LEN", ()).unwrap(), Value::Int(5));
        assert_eq!(lib.call("SECOND_ABS", (1, -7)).unwrap(), Value::Int(7));
        let arity = lib.call("SECOND_ABS", (1,)).unwrap_err().to_string();
        assert!(arity.contains("takes 2 arguments (1 given)"), "{arity}");
        let expr = lib.call("NEG_ABS", (1,)).unwrap_err().to_string();
        assert!(
            expr.contains("expression of the macro's parameters"),
            "{expr}"
        );
    }
    for (name, why) in [
        ("F", "function-like macro"),
        ("EMPTY", "defined to nothing"),
    ] {
        let m = lib.get(name).unwrap_err().to_string();
        assert!(m.contains(why), "{name}: {m}");
    }
    let names = lib.dir();
    assert!(names.contains(&"MY_ABS".to_string()) && !names.contains(&"EMPTY".to_string()));
}

#[test]
fn d_unique_types() {
    // cffi test_unique_types: the same type, however spelled, is the same object.
    let ffi = Ffi::default();
    assert_eq!(
        ffi.typeof_("long").unwrap(),
        ffi.typeof_("signed long int").unwrap()
    );
    assert_eq!(
        ffi.typeof_("int ***").unwrap(),
        ffi.typeof_(" int * * *").unwrap()
    );
    assert_eq!(
        ffi.typeof_("int[]").unwrap(),
        ffi.typeof_("signed int[]").unwrap()
    );
    assert_ne!(
        ffi.typeof_("int64_t").unwrap(),
        ffi.typeof_("long").unwrap()
    );
}

#[test]
fn d_sizeof_and_alignof() {
    let ffi = ffi_with(
        "struct foo { int a; short b, c, d; }; union ufoo { int a; short b, c, d; }; \
         struct mixed { char a; short b; char c; };",
    );
    assert_eq!(ffi.sizeof("struct foo").unwrap(), 12);
    assert_eq!(ffi.sizeof("union ufoo").unwrap(), 4);
    assert_eq!(ffi.alignof("struct mixed").unwrap(), 2);
    assert_eq!(ffi.alignof("long double").unwrap(), 16);
    assert!(matches!(ffi.alignof("void"), Err(Error::Layout(_))));
    assert!(matches!(ffi.sizeof("int[]"), Err(Error::Layout(_))));
}

#[test]
fn d_fields_introspection() {
    let ffi = ffi_with(
        "struct bar { int a; union { int b; char c; }; struct { short d; } e; int f:3; };",
    );
    let fields = ffi
        .typeof_("struct bar")
        .unwrap()
        .fields()
        .unwrap()
        .unwrap();
    let got: Vec<(&str, usize, i32, i32, u32)> = fields
        .iter()
        .map(|(n, f)| (n.as_str(), f.offset, f.bitshift, f.bitsize, f.flags))
        .collect();
    // cffi 2.0 gives the same (name, offset, bitshift, bitsize, flags) for a..e.
    assert_eq!(
        got,
        [
            ("a", 0, -1, -1, 0),
            ("b", 4, -1, -1, 0),
            ("c", 4, -1, -1, 1),
            ("e", 8, -1, -1, 0),
            ("f", 8, 16, 3, 0)
        ]
    );
    let e = &fields[3].1.ty;
    assert!(e.cname().starts_with("struct $"), "{}", e.cname());
    let inner = e.fields().unwrap().unwrap();
    assert_eq!(
        (
            inner[0].0.as_str(),
            inner[0].1.offset,
            inner[0].1.ty.cname()
        ),
        ("d", 0, "short".to_string())
    );
    assert_eq!(ffi.offsetof("struct bar", "e.d").unwrap(), 8);
    assert!(
        ffi.typeof_("struct opaque_one")
            .unwrap()
            .fields()
            .unwrap()
            .is_none()
    );
}

#[test]
fn d_offsetof_rules() {
    let ffi = ffi_with("struct P { int x, y; int arr[4]; int bits:3; };");
    assert_eq!(ffi.offsetof("struct P*", "y").unwrap(), 4);
    assert_eq!(
        ffi.offsetof("int[2]", "[5]").unwrap(),
        20,
        "no bounds check, as cffi"
    );
    assert!(matches!(
        ffi.offsetof("struct P", "nope"),
        Err(Error::Key(_))
    ));
    assert!(matches!(
        ffi.offsetof("struct P", "bits"),
        Err(Error::Type(_))
    ));
    assert!(matches!(ffi.offsetof("int", "[1]"), Err(Error::Type(_))));
    assert!(matches!(ffi.offsetof("struct P", ""), Err(Error::Value(_))));
    assert_eq!(ffi.offsetof("struct P", "arr[3]").unwrap(), 8 + 12);
}

#[test]
fn e_enum_elements() {
    let ffi = ffi_with("enum e { A, B = 5, C = 5, D = -1 };");
    let t = ffi.typeof_("enum e").unwrap();
    assert_eq!(t.kind(), Kind::Enum);
    let el = t.elements().unwrap();
    // The first name wins for duplicate values, as in cffi.
    assert_eq!(el.get(&5).map(String::as_str), Some("B"));
    assert_eq!(el.len(), 3);
    assert_eq!(t.relements().unwrap().len(), 4);
    assert_eq!(ffi.integer_const("D").unwrap(), -1);
}

#[test]
fn a_primitive_kinds_and_sizes() {
    let ffi = Ffi::default();
    for (t, size) in [
        ("char", 1),
        ("short", 2),
        ("int", 4),
        ("long", 8),
        ("long long", 8),
        ("float", 4),
        ("double", 8),
        ("long double", 16),
        ("_Bool", 1),
        ("wchar_t", 4),
        ("char16_t", 2),
        ("char32_t", 4),
        ("int8_t", 1),
        ("uint64_t", 8),
        ("size_t", 8),
        ("ssize_t", 8),
        ("intptr_t", 8),
        ("ptrdiff_t", 8),
        ("float _Complex", 8),
        ("double _Complex", 16),
    ] {
        let ct = ffi.typeof_(t).unwrap();
        assert_eq!(ct.kind(), Kind::Primitive, "{t}");
        assert_eq!(ct.size().unwrap(), size, "{t}");
    }
    assert_eq!(ffi.typeof_("void").unwrap().kind(), Kind::Void);
}

#[test]
fn b_pointer_and_array_introspection() {
    let ffi = Ffi::default();
    let t = ffi.typeof_("int *[3]").unwrap();
    assert_eq!(t.kind(), Kind::Array);
    assert_eq!(t.length(), Some(3));
    assert_eq!(t.item().unwrap().cname(), "int *");
    assert_eq!(t.item().unwrap().item().unwrap().cname(), "int");
    assert_eq!(ffi.typeof_("int[]").unwrap().length(), None);
    assert_eq!(
        ffi.typeof_("void *").unwrap().item().unwrap().kind(),
        Kind::Void
    );
    assert_eq!(
        format!("{:?}", ffi.typeof_("int *").unwrap()),
        "<ctype 'int *'>"
    );
}

#[test]
fn ctype_from_another_ffi_means_itself() {
    // A ctype is resolved in the ffi object it came from, whichever one is asked (b does not
    // know `struct s`).
    let a = Ffi::default();
    a.cdef("struct s { char c; double d; };").unwrap();
    let b = Ffi::default();
    let t = a.typeof_("struct s").unwrap();
    assert_eq!(b.sizeof(&t).unwrap(), 16);
    assert_eq!(b.alignof(&t).unwrap(), 8);
    assert_eq!(b.offsetof(&t, "d").unwrap(), 8);
    assert_eq!(b.typeof_(&t).unwrap(), t);
    assert!(b.sizeof("struct s").is_err());
}

#[test]
fn many_threads_declare_and_query_one_ffi() {
    let ffi = Ffi::default();
    ffi.cdef("struct base { int x; };").unwrap();
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let ffi = ffi.clone();
            std::thread::spawn(move || {
                for j in 0..200usize {
                    let name = format!("t{i}_{j}");
                    ffi.cdef(&format!(
                        "typedef struct {{ struct base b; char c[{j}]; }} {name};"
                    ))
                    .unwrap();
                    let size = ffi.sizeof(name.as_str()).unwrap();
                    assert_eq!(size, (4 + j).div_ceil(4) * 4);
                    assert_eq!(ffi.sizeof("struct base").unwrap(), 4);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(ffi.list_types().typedefs.len(), 8 * 200);
}

/// An enum declared with cffi's `...` has values only known after compilation: its
/// enumerators are refused with that reason (they read 0 before), as its size is, while the
/// enumerators of a complete enum keep theirs (cffi: `VerificationMissing`).
#[test]
fn partial_enum_enumerators_have_no_value() {
    let ffi = ffi_with("enum foo { A, B = 5, ... }; enum bar { C = 7 };");
    for name in ["A", "B"] {
        let e = ffi.integer_const(name).unwrap_err();
        assert!(e.to_string().contains("declared with '...'"), "{e}");
    }
    assert_eq!(ffi.integer_const("C").unwrap(), 7);
    assert!(ffi.sizeof("enum foo").is_err());
    // SAFETY: the C library; only constants are read.
    let lib = unsafe { ffi.dlopen("c") }.unwrap();
    let e = lib.get("B").unwrap_err();
    assert!(
        e.to_string().contains("only known after compilation"),
        "{e}"
    );
    assert_eq!(lib.get("C").unwrap(), Value::from(7));
    let e = ffi.cdef("int a[B + 1];").unwrap_err();
    assert!(
        e.to_string().contains("only known after compilation"),
        "{e}"
    );
}

/// Unknown names are suggested their nearest declared name, when one is near enough to be a
/// typo: type names in type strings, fields, and functions or constants of a library.
#[test]
fn unknown_names_suggest_a_near_one() {
    let ffi = ffi_with("typedef int myint; struct point { int x, yy; }; int abs(int);");
    let e = ffi.new("myin *", ()).unwrap_err();
    assert!(e.to_string().contains("did you mean 'myint'?"), "{e}");
    let p = ffi.new("struct point *", ()).unwrap();
    let e = p.field("y").unwrap_err();
    assert!(e.to_string().contains("did you mean 'yy'?"), "{e}");
    // A name far from every other gets no suggestion.
    let e = p.field("zzzzz").unwrap_err();
    assert!(!e.to_string().contains("did you mean"), "{e}");
    // SAFETY: the C library; only names are looked up.
    let lib = unsafe { ffi.dlopen("c") }.unwrap();
    let e = lib.function("ab").unwrap_err();
    assert!(e.to_string().contains("did you mean 'abs'?"), "{e}");
}

/// `new` and `cast` take a type, not a cdata standing for one, as cffi refuses it
/// (`TypeError`); `sizeof` and `typeof_` of a cdata keep working.
#[test]
fn new_and_cast_refuse_a_cdata_for_a_type() {
    let ffi = Ffi::default();
    let p = ffi.new("int *", ()).unwrap();
    assert!(matches!(ffi.new(&p, ()), Err(Error::Type(_))));
    assert!(matches!(ffi.cast(&p, 0), Err(Error::Type(_))));
    assert_eq!(ffi.sizeof(&p).unwrap(), std::mem::size_of::<usize>());
    assert_eq!(ffi.typeof_(&p).unwrap().cname(), "int *");
    assert!(ffi.new(&p.ctype(), ()).is_ok());
}

/// A `#pragma` that changes nothing rcffi models is reported and ignored, as cffi warns and
/// ignores it, instead of refusing the whole text; `#pragma pack` still applies.
#[test]
fn unknown_pragmas_are_reported_and_ignored() {
    let ffi = Ffi::default();
    let report = ffi
        .cdef("#pragma weak foo\nint x;\n#pragma pack(1)\nstruct s { char c; int i; };")
        .unwrap();
    assert_eq!(report.ignored_pragmas.len(), 1);
    assert_eq!(&*report.ignored_pragmas[0].text, "#pragma weak foo");
    assert_eq!(report.ignored_pragmas[0].location.line, 1);
    assert_eq!(ffi.sizeof("struct s").unwrap(), 5);
}

/// A global array is read-only when its items are const: `const int a[3]` and `char *const
/// p[2]` are, `const char *names[2]` is not (its pointers are writable; only what they point
/// to is const).
#[test]
fn arrays_of_pointers_to_const_are_writable() {
    let ffi = ffi_with(
        "extern const char *names[2]; extern char *const fixed[2]; extern const int ci[3];
         extern const char *const both[2]; extern int plain[2];",
    );
    let reg = ffi.registry();
    let ro = |n: &str| match reg.decl(n) {
        Some(rcffi::rcffi_cdef::Decl::Variable { read_only, .. }) => *read_only,
        other => panic!("{n}: {other:?}"),
    };
    assert!(!ro("names"));
    assert!(ro("fixed"));
    assert!(ro("ci"));
    assert!(ro("both"));
    assert!(!ro("plain"));
}

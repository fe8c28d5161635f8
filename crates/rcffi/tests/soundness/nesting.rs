//! Deep nesting is an error at the line and column where rcffi's limit (256 levels) is
//! crossed, never a stack overflow: in lang-c, in rcffi's own walks, on parser threads, in
//! type strings and in the types a cdef makes. Everything below the limit works on a thread
//! with Rust's default 2 MiB stack, in debug builds.

use rcffi::{ErrorKind, Ffi};

/// Runs `f` on a thread with a 2 MiB stack (a thread a program spawns without asking for
/// more).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[track_caller]
fn too_deep(r: Result<rcffi::CdefReport, rcffi::Error>, line: u32) {
    match r {
        Err(rcffi::Error::CDef(e)) => {
            assert_eq!(e.kind(), ErrorKind::TooDeep, "{e}");
            assert_eq!(e.location().map(|l| l.line), Some(line), "{e}");
        }
        other => panic!("expected a too-deep error, got {other:?}"),
    }
}

fn cdef(text: String) -> Result<rcffi::CdefReport, rcffi::Error> {
    on_small_stack(move || Ffi::default().cdef(&text))
}

#[test]
#[cfg_attr(miri, ignore = "stack depth and lang-c's speed: not what Miri checks")]
fn deep_texts_are_errors_at_their_position() {
    let n = 10_000;
    // Each of these overflowed a stack: lang-c's parser, or rcffi's lowering, constant
    // evaluation or #define parser.
    too_deep(cdef(format!("int {}x{};", "(".repeat(n), ")".repeat(n))), 1);
    too_deep(cdef(format!("int a[{}1];", "- ".repeat(n))), 1);
    too_deep(cdef(format!("int a[{}1];", "~".repeat(n))), 1);
    too_deep(cdef(format!("int a[{}1];", "(int)".repeat(n))), 1);
    too_deep(
        cdef(format!("int a[{}1{}];", "1?".repeat(n), ":1".repeat(n))),
        1,
    );
    too_deep(
        cdef(format!(
            "int a[{}int{}];",
            "sizeof(".repeat(n),
            ")".repeat(n)
        )),
        1,
    );
    too_deep(
        cdef(format!("int {}f{};", "(*".repeat(n), ")(void)".repeat(n))),
        1,
    );
    too_deep(
        cdef(format!("\n#define X {}1{}\n", "(".repeat(n), ")".repeat(n))),
        2,
    );
    too_deep(cdef(format!("int a[1{}];", "+1".repeat(n))), 1);
    too_deep(cdef(format!("#define X 1{}\n", "+1".repeat(10 * n))), 1);
    too_deep(cdef(format!("enum e {{ A = 1{} }};", "|1".repeat(n))), 1);
    let mut nested = String::from("struct a {\n");
    for _ in 0..n {
        nested.push_str("struct {\n");
    }
    nested.push_str("int x;\n");
    for _ in 0..n {
        nested.push_str("} m;\n");
    }
    nested.push_str("};\n");
    too_deep(cdef(nested), 256);
}

#[test]
#[cfg_attr(miri, ignore = "stack depth and lang-c's speed: not what Miri checks")]
fn deep_types_are_errors_where_they_are_declared() {
    // Twenty thousand structs each holding the one before by value: realizing or laying out
    // the last recursed once per struct.
    let mut chain = String::from("struct s0 { int x; };\n");
    for i in 1..20_000 {
        chain.push_str(&format!("struct s{i} {{ struct s{} p; }};\n", i - 1));
    }
    too_deep(cdef(chain), 257);
    // A typedef chain of pointers: spelling its name recursed once per level.
    let mut ptrs = String::from("typedef int *p0;\n");
    for i in 1..20_000 {
        ptrs.push_str(&format!("typedef p{} *p{i};\n", i - 1));
    }
    too_deep(cdef(ptrs), 257);
    // Arrays of structs count too.
    let mut arrays = String::from("struct s0 { int x; };\n");
    for i in 1..300 {
        arrays.push_str(&format!("struct s{i} {{ struct s{} p[1]; }};\n", i - 1));
    }
    too_deep(cdef(arrays), 129);
}

#[test]
#[cfg_attr(miri, ignore = "stack depth and lang-c's speed: not what Miri checks")]
fn deep_type_strings_are_errors() {
    on_small_stack(|| {
        let ffi = Ffi::default();
        for t in [
            format!("int {}", "*".repeat(50_000)),
            format!("int {}*{}", "(".repeat(50_000), ")".repeat(50_000)),
            format!("int {}", "[1]".repeat(50_000)),
        ] {
            match ffi.typeof_(t.as_str()) {
                Err(rcffi::Error::CDef(e)) => assert_eq!(e.kind(), ErrorKind::TooDeep),
                other => panic!("expected too deep, got {other:?}"),
            }
        }
        assert!(
            ffi.typeof_(format!("int {}", "*".repeat(200)).as_str())
                .is_ok()
        );
    });
}

#[test]
#[cfg_attr(miri, ignore = "stack depth and lang-c's speed: not what Miri checks")]
fn a_deep_declaration_inside_a_big_text_parses_as_it_does_alone() {
    // Big texts are parsed on worker threads, which had 2 MiB stacks: a declaration that a
    // cdef accepted alone aborted inside a text of more than 96 kB.
    let deep = format!("int {}x{};\n", "(".repeat(200), ")".repeat(200));
    assert!(cdef(deep.clone()).is_ok());
    let mut big = String::new();
    for i in 0..4000 {
        big.push_str(&format!("int f{i}(int a, long b, char *c);\n"));
    }
    big.push_str(&deep);
    for i in 0..4000 {
        big.push_str(&format!("int g{i}(int a, long b, char *c);\n"));
    }
    assert!(big.len() > 200 * 1024);
    assert!(cdef(big).is_ok());
}

#[test]
#[cfg_attr(miri, ignore = "stack depth and lang-c's speed: not what Miri checks")]
fn the_deepest_types_allowed_work_on_a_small_stack() {
    on_small_stack(|| {
        let ffi = Ffi::default();
        let mut chain = String::from("struct s0 { int x; };\n");
        for i in 1..255 {
            chain.push_str(&format!("struct s{i} {{ struct s{} p; }};\n", i - 1));
        }
        ffi.cdef(&chain).unwrap();
        let mut ptrs = String::from("typedef int *p0;\n");
        for i in 1..255 {
            ptrs.push_str(&format!("typedef p{} *p{i};\n", i - 1));
        }
        ffi.cdef(&ptrs).unwrap();
        assert_eq!(ffi.sizeof("struct s254").unwrap(), 4);
        let s = ffi.new("struct s254 *", ()).unwrap();
        let path = format!("{}x", "p.".repeat(254));
        assert_eq!(ffi.offsetof("struct s254", &path).unwrap(), 0);
        assert_eq!(ffi.addressof(&s, &path).unwrap().type_name(), "int *");
        let p = ffi.typeof_("p254").unwrap();
        assert_eq!(p.cname().matches('*').count(), 255);
        let q = ffi.new("p254 *", ()).unwrap();
        assert!(q.get(0).unwrap().cdata().unwrap().is_null());
        assert_eq!(ffi.getctype("p254", "x").unwrap().matches('*').count(), 255);
    });
}

/// A list nested far deeper than any C type given to `new`, `cast`, `set_field` and a call is
/// an error at the level where the type ends: rcffi reads it only as deep as the type (here a
/// 200-level array, and a struct). The value's own drop is recursive, as any nested Rust
/// value's is (the `Value` docs say so), so the test runs on a thread with room for that.
#[test]
#[cfg_attr(miri, ignore = "stack depth: not what Miri checks")]
fn a_list_deeper_than_its_type_is_an_error_where_the_type_ends() {
    fn deep(levels: usize) -> rcffi::Value {
        (0..levels).fold(rcffi::Value::Int(1), |v, _| rcffi::Value::List(vec![v]))
    }
    let errors = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(|| {
            let ffi = Ffi::default();
            ffi.cdef("struct t { int x[2]; };").unwrap();
            let ty = format!("int{}", "[1]".repeat(200));
            let p = ffi.new("struct t *", ()).unwrap();
            let n = if cfg!(debug_assertions) {
                100_000
            } else {
                1_000_000
            };
            [
                ffi.new(ty.as_str(), deep(n)).map(|_| ()),
                ffi.new("struct t *", deep(n)).map(|_| ()),
                ffi.cast("int", deep(n)).map(|_| ()),
                p.set_field("x", deep(n)),
            ]
            .map(|r| r.map_err(|e| e.to_string()))
        })
        .unwrap()
        .join()
        .unwrap();
    for e in errors {
        let e = e.expect_err("a list where an int goes");
        assert!(e.contains("not list"), "{e}");
    }
}

//! `Lib::check`: every declaration against the library's symbol table at once — the fixture's
//! own cdef matches its library; each kind of mismatch is named with both sides.

use rcffi::{Ffi, SymbolProblem};

#[test]
fn the_fixture_cdef_matches_its_library() {
    let (_ffi, lib) = super::fixture();
    let problems = lib.check().unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn each_mismatch_is_named() {
    let ffi = Ffi::default();
    ffi.cdef(
        "int counter(void);              /* data, declared as a function */
         extern char fx_strchr;          /* a function, declared as data */
         extern int my_array[9];         /* 7 ints in the library */
         extern char greeting[3];        /* a pointer (8 bytes) in the library */
         extern int answer;              /* right */
         size_t strlen(const char *);    /* libc's, not the fixture's */
         int no_such_function(int);
         int renamed(void) __asm__(\"no_such_symbol\");",
    )
    .unwrap();
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: nothing is called or read.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    let problems = lib.check().unwrap();
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let word = std::mem::size_of::<usize>();
    let expected = [
        "'counter' is declared as a function, but the symbol is data (4 bytes)".to_string(),
        "'fx_strchr' is declared as a variable of type 'char', but the symbol is a function"
            .to_string(),
        "variable 'my_array' is declared as 'int[9]' (36 bytes), but the symbol has 28 bytes"
            .to_string(),
        format!(
            "variable 'greeting' is declared as 'char[3]' (3 bytes), but the symbol has {word} \
             bytes"
        ),
    ];
    assert_eq!(text[..4], expected, "{text:#?}");
    match &problems[4] {
        SymbolProblem::Elsewhere { name, object, .. } => {
            assert_eq!(name, "strlen");
            assert!(object.to_string_lossy().contains("libc"), "{object:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(text[5], "function 'no_such_function' is not exported");
    assert_eq!(
        text[6],
        "function 'renamed' (symbol 'no_such_symbol') is not exported"
    );
    assert_eq!(problems.len(), 7);
    // Some names only; a name that is no function or variable is refused.
    assert_eq!(lib.check_names(["answer", "counter"]).unwrap().len(), 1);
    assert!(lib.check_names(["size_t"]).is_err());
    lib.close();
    assert!(lib.check().is_err());
}

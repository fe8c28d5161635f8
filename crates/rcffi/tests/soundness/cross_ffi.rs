//! A cdata or ctype of one `ffi` object given to another's methods. The rule: a cdata or ctype
//! always means itself, in the `ffi` object it came from — methods that work on it alone work
//! exactly as its own `ffi` object's do (their results belong to that object and keep it
//! alive); methods that combine it with a type of the `ffi` object asked (an initializer, a
//! store, an argument) accept its numbers and refuse its pointers, arrays and structs, whose
//! types are never the same across `ffi` objects (cffi's "mixing up different ffi instances").

use std::sync::Arc;

use rcffi::{CData, Ffi, Value};

use crate::err_has;

const DECLS: &str = "struct pt { int x, y; }; struct other { double d; char c[9]; };";

/// Two ffi objects declaring different things: ids of one index other types in the other.
fn two() -> (Ffi, Ffi) {
    let a = Ffi::default();
    a.cdef(DECLS).unwrap();
    let b = Ffi::default();
    b.cdef("struct zz { char z; }; typedef long q_t; struct other { char c; };")
        .unwrap();
    (a, b)
}

#[test]
fn unpack_by_another_ffi_gives_items_of_the_cdata_own_ffi() {
    let (a, b) = two();
    let arr = a.new("struct pt[2]", [[1, 2], [3, 4]]).unwrap();
    let Value::List(items) = b.unpack(&arr, 2).unwrap() else {
        panic!("a list")
    };
    // The items kept b alive but used a's types before: once a was gone, reading an item
    // read freed memory.
    let items: Vec<CData> = items.into_iter().map(|v| v.cdata().unwrap()).collect();
    assert!(items[1].ffi().same(&a));
    drop((a, arr, b));
    let held = scribble();
    assert_eq!(items[1].field("y").unwrap(), Value::Int(4));
    drop(held);
    assert_eq!(items[0].type_name(), "struct pt");
}

#[test]
fn buffer_by_another_ffi_does_not_cache_its_types_in_the_cdata_type() {
    let (a, b) = two();
    a.cdef("long *make(void);").unwrap();
    let p = a.new("long *", 77).unwrap();
    // `long *`'s target was first resolved by b, and cached inside a's type; once b was
    // dropped every `long *` of a read freed memory.
    let q = a.cast("long *", &p).unwrap();
    assert_eq!(b.buffer(&q, None).unwrap().len(), 8);
    drop(b);
    let held = scribble();
    assert_eq!(q.get(0).unwrap(), Value::Int(77));
    drop(held);
    assert_eq!(a.new("long *", 5).unwrap().get(0).unwrap(), Value::Int(5));
}

#[test]
fn addressof_by_another_ffi_uses_the_cdata_own_registry() {
    let (a, b) = two();
    let s = a.new("struct other *", ()).unwrap();
    // b's registry indexed with a's ids: a panic, or a wrong type when the id existed there.
    let c = b.addressof(&s, "c[2]").unwrap();
    assert_eq!(c.type_name(), "char *");
    assert_eq!(c.address(), s.address() + 10);
    assert!(c.ffi().same(&a));
    assert_eq!(b.addressof(&s, "c").unwrap(), a.addressof(&s, "c").unwrap());
    err_has(b.addressof(&s, "z"), "has no field 'z'");
}

/// Every method of an ffi object given a cdata or ctype of another: the same answer as its
/// own ffi object's, or a clear error.
#[test]
fn every_method_given_a_foreign_cdata_works_or_says_why_not() {
    let (a, b) = two();
    let s = a.new("struct pt *", [5, 6]).unwrap();
    let text = a.new("char[]", "hello").unwrap();
    let num = a.cast("int", 42).unwrap();
    let t = a.typeof_("struct other").unwrap();

    // Declarations: answered in the cdata's or ctype's own ffi object.
    assert_eq!(b.sizeof(&s).unwrap(), 8);
    assert_eq!(b.sizeof(&t).unwrap(), a.sizeof(&t).unwrap());
    assert_eq!(b.alignof(&t).unwrap(), 8);
    assert_eq!(b.offsetof(&t, "c[1]").unwrap(), 9);
    assert_eq!(b.typeof_(&s).unwrap(), s.ctype());
    assert_eq!(b.getctype(&t, "*").unwrap(), "struct other *");
    // Made in the ctype's own ffi object.
    let o = b.new(&a.typeof_("struct other *").unwrap(), ()).unwrap();
    assert!(o.ffi().same(&a));
    assert_eq!(o.field("c").unwrap().cdata().unwrap().len().unwrap(), 9);
    assert!(
        b.cast(&a.typeof_("struct pt *").unwrap(), &s)
            .unwrap()
            .ffi()
            .same(&a)
    );
    assert!(
        b.from_buffer(&a.typeof_("int[]").unwrap(), vec![0; 8])
            .unwrap()
            .ffi()
            .same(&a)
    );
    if !cfg!(miri) {
        // A libffi closure: not under Miri.
        let cb = b
            .callback(&a.typeof_("int(*)(int)").unwrap(), |x| x.get_as::<i32>(0))
            .unwrap();
        assert!(cb.ffi().same(&a));
    }

    // One cdata alone: as its own ffi object does it.
    assert_eq!(
        b.string(&text, None).unwrap(),
        a.string(&text, None).unwrap()
    );
    assert_eq!(b.unpack(&text, 3).unwrap(), a.unpack(&text, 3).unwrap());
    assert_eq!(
        b.buffer(&s, None).unwrap().to_vec().unwrap(),
        a.buffer(&s, None).unwrap().to_vec().unwrap()
    );
    assert_eq!(b.addressof(&s, "y").unwrap(), a.addressof(&s, "y").unwrap());
    b.memmove(&s, a.new("int[2]", [7, 8]).unwrap(), 8).unwrap();
    assert_eq!(s.field("y").unwrap(), Value::Int(8));
    let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let r = ran.clone();
    let g = b.gc(&s, move |_| {
        r.store(true, std::sync::atomic::Ordering::SeqCst)
    });
    assert!(g.ffi().same(&a));
    b.release(&g).unwrap();
    assert!(ran.load(std::sync::atomic::Ordering::SeqCst));
    let g2 = b.gc(&s, |_| panic!("removed"));
    b.gc_remove(&g2).unwrap();
    drop(g2);
    let h = a.new_handle(String::from("state"));
    assert_eq!(*b.from_handle::<String>(&h).unwrap(), "state");
    let raw = b.cast("void *", h.address() as u64).unwrap();
    assert_eq!(*b.from_handle::<String>(&raw).unwrap(), "state");
    let foreign = a.cast("char *", text.address() as u64).unwrap();
    // SAFETY: `text` holds a NUL-terminated string and is alive.
    let read = unsafe { b.string_unchecked(&foreign, None) };
    assert_eq!(read.unwrap(), Value::Bytes(b"hello".into()));
    // SAFETY: as above, 6 bytes.
    let vouched = unsafe { foreign.assume_valid(6) }.unwrap();
    assert!(vouched.ffi().same(&a));

    // Combined with a type of b: numbers convert, pointers and structs are refused.
    assert_eq!(
        b.new("q_t *", &num).unwrap().get(0).unwrap(),
        Value::Int(42)
    );
    assert_eq!(b.cast("long", &num).unwrap().to_int().unwrap(), 42);
    let addr = b.cast("long", &text).unwrap();
    assert_eq!(addr.to_int().unwrap(), text.address() as i128);
    let p = b.cast("char *", &text).unwrap();
    assert!(p.ffi().same(&b));
    assert_eq!(b.string(&p, None).unwrap(), Value::Bytes(b"hello".into()));
    err_has(b.new("char **", &text), "another ffi object");
    err_has(b.new("struct other *", [&s]), "");
    let bp = b.new("char *[1]", ()).unwrap();
    err_has(bp.set(0, &text), "another ffi object");
    let bs = b.new("struct other *", ()).unwrap();
    assert!(bs.set_field("c", a.cast("char", 65).unwrap()).is_ok());
    err_has(
        b.new(
            "struct other *",
            a.new("struct other *", ()).unwrap().get(0).unwrap(),
        ),
        "",
    );
    err_has(b.new("char[9]", a.new("char[9]", ()).unwrap()), "");
    err_has(text.diff(&b.new("char[]", "x").unwrap()), "cannot subtract");
    assert_ne!(text, b.cast("char *", &text).unwrap().get(0).unwrap());
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn foreign_pointer_arguments_are_refused_with_the_reason() {
    let (a, b) = two();
    b.cdef("size_t strlen(const char *); int printf(const char *, ...); extern char *optarg;")
        .unwrap();
    // SAFETY: the C library declares strlen so.
    let libc = unsafe { b.dlopen("c") }.unwrap();
    let s = a.new("char[]", "hello").unwrap();
    // SAFETY: a NUL-terminated string (if it were accepted).
    err_has(unsafe { libc.call("strlen", (&s,)) }, "another ffi object");
    // SAFETY: as above.
    err_has(
        unsafe { libc.call("printf", ("%s", &s)) },
        "another ffi object",
    );
    // Stored into a global of the library: refused the same way.
    err_has(libc.set("optarg", &s), "another ffi object");
    let n = a.cast("int", 3).unwrap();
    // SAFETY: the fixed and variadic parts are a format and an int.
    let printed = unsafe { libc.call("printf", ("", &n)) };
    assert_eq!(printed.unwrap(), Value::Int(0));
}

/// A struct of another `ffi` object whose type has the name of the one wanted — an argument, a
/// call's `out`, a store — is refused by saying whose it is, not by naming its own type as the
/// wrong one ("must be ... struct-cdata, not cdata 'div_t'").
#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_struct_of_another_ffi_under_the_same_name_is_refused_as_another_ffis() {
    let decl = "typedef struct { int quot, rem; } div_t; div_t div(int, int); int rem_of(div_t);";
    let (a, b) = (Ffi::default(), Ffi::default());
    a.cdef(decl).unwrap();
    b.cdef(decl).unwrap();
    // SAFETY: the C library declares div so.
    let libc = unsafe { a.dlopen("c") }.unwrap();
    let div = libc.function("div").unwrap();
    let theirs = b.new("div_t *", [7, 1]).unwrap();
    // SAFETY: div takes two ints.
    err_has(
        unsafe { div.call_into(&theirs, (7, 2)) },
        "another ffi object",
    );
    let src = "typedef struct { int quot, rem; } div_t; int rem_of(div_t d) { return d.rem; }";
    let path = rcffi_testkit::fixture::build_shared("cross-ffi-rem", src, &["-O1"]).unwrap();
    // SAFETY: the library is built from `src`, as the cdef declares it.
    let rem_of = unsafe { a.dlopen(path.to_str().unwrap()) }
        .unwrap()
        .function("rem_of")
        .unwrap();
    // SAFETY: rem_of takes a div_t.
    err_has(
        unsafe { rem_of.call((theirs.get(0).unwrap(),)) },
        "belongs to another ffi object",
    );
    let ours = a.new("div_t[1]", ()).unwrap();
    err_has(
        ours.set(0, theirs.get(0).unwrap()),
        "belongs to another ffi object",
    );
    let mine = a.new("div_t *", ()).unwrap();
    // SAFETY: as above.
    unsafe { div.call_into(&mine, (7, 2)) }.unwrap();
    assert_eq!(mine.field_as::<i32>("rem").unwrap(), 1);
    // SAFETY: as above.
    let rem = unsafe { rem_of.call((mine.get(0).unwrap(),)) };
    assert_eq!(rem.unwrap(), 1.into());
}

/// Allocates memory of many sizes (held by the caller), so that memory freed too early holds
/// other bytes.
fn scribble() -> Vec<Vec<u8>> {
    (1..400).map(|n| vec![0xa5; n * 3]).collect()
}

/// cffi's ctypes are one object per type: a type made of primitives is the same ctype in two
/// `ffi` objects (and hashes alike); a struct is its own declaration's, so two `ffi` objects'
/// `struct s` differ even when their members agree.
#[test]
fn ctypes_of_primitives_are_equal_across_ffi_objects_and_structs_are_not() {
    use std::hash::BuildHasher;
    let (a, b) = two();
    let h = std::hash::RandomState::new();
    for t in [
        "char",
        "int *",
        "double[4]",
        "int(*)(long, char *)",
        "void *",
    ] {
        let (x, y) = (a.typeof_(t).unwrap(), b.typeof_(t).unwrap());
        assert_eq!(x, y, "{t}");
        assert_eq!(h.hash_one(&x), h.hash_one(&y), "{t}");
    }
    assert_ne!(a.typeof_("int").unwrap(), b.typeof_("long").unwrap());
    a.cdef("struct s { int x; };").unwrap();
    b.cdef("struct s { int x; };").unwrap();
    assert_ne!(
        a.typeof_("struct s").unwrap(),
        b.typeof_("struct s").unwrap()
    );
    assert_ne!(
        a.typeof_("struct s *").unwrap(),
        b.typeof_("struct s *").unwrap()
    );
    assert_eq!(
        a.typeof_("struct s").unwrap(),
        a.typeof_("struct s").unwrap()
    );
}

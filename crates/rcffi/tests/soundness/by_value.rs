//! Records by value cannot exhaust memory, time or the stack: a record larger than rcffi
//! passes is refused before any type work, nesting that multiplies a record's members (a union
//! of two copies of a union of two copies of ...) is classified in time linear in the text,
//! a call whose arguments need too much stack is refused, and one that fits its limit but not
//! its thread's stack stops with Rust's stack overflow message instead of writing past the
//! stack.

use rcffi::{Ffi, Lib};

use crate::{err_has, within};

fn libc(cdef: &str) -> (Ffi, Lib) {
    let ffi = Ffi::default();
    ffi.cdef(cdef).unwrap();
    // SAFETY: the C library; the declarations below give `abs` other parameter types on
    // purpose, but ones that reach it as an integer register it only reads (or are refused).
    let lib = unsafe { ffi.dlopen("c") }.unwrap();
    (ffi, lib)
}

#[test]
fn records_past_the_by_value_limit_are_refused_quickly() {
    within(20, || {
        let (_ffi, lib) = libc(
            "struct big { char c[1073741824]; };
             union ubig { char c[1099511627776]; int i; };
             int abs(struct big);
             union ubig labs(int);",
        );
        err_has(lib.function("abs"), "at most 64 KiB by value");
        err_has(lib.function("labs"), "at most 64 KiB by value");
    });
}

/// `name`: `n` levels of `kind`s with two members each of the level below, over `base`.
fn doubling(kind: &str, name: &str, base: &str, n: usize) -> String {
    let mut text = format!("{kind} {name}0 {{ {base} }};\n");
    for k in 1..=n {
        text += &format!("{kind} {name}{k} {{ {kind} {name}{} a, b; }};\n", k - 1);
    }
    text
}

#[test]
fn records_whose_members_double_at_each_level_are_classified_in_linear_time() {
    within(20, || {
        // 2^60 paths to an `int` (all at offset 0), 2^60 empty structs, and 10^12 items of
        // size 0: passed as the `int` they hold.
        let unions = doubling("union", "u", "int i;", 60) + "int abs(union u60);";
        let (ffi, lib) = libc(&unions);
        let u = ffi.new("union u60 *", ()).unwrap();
        ffi.cast("int *", &u).unwrap().set(0, -5).unwrap();
        // SAFETY: `abs` takes an int; the union is one, in the same register.
        let r = unsafe { lib.call("abs", (u.get(0).unwrap(),)) }.unwrap();
        assert_eq!(r, 5.into());
        let empties = doubling("struct", "e", "", 60)
            + "struct z { struct e60 e; int x; struct e0 many[1000000000000]; };
               int abs(struct z);";
        let (ffi, lib) = libc(&empties);
        let z = ffi.new("struct z *", ()).unwrap();
        z.set_field("x", -7).unwrap();
        // SAFETY: as above: the struct's only bytes are an int.
        let r = unsafe { lib.call("abs", (z.get(0).unwrap(),)) }.unwrap();
        assert_eq!(r, 7.into());
    });
}

#[test]
fn calls_whose_arguments_need_too_much_stack_are_refused() {
    let params = vec!["int"; 3000].join(", ");
    let (_ffi, lib) = libc(&format!(
        "int abs({params}); int printf(const char *, ...);"
    ));
    err_has(lib.function("abs"), "KiB in one call");
    let args: Vec<rcffi::Value> = std::iter::once(rcffi::Value::from("%d"))
        .chain((0..3000).map(rcffi::Value::from))
        .collect();
    // SAFETY: printf with a format reading one int of the many passed (C ignores the rest);
    // refused before the call anyway.
    err_has(unsafe { lib.call("printf", args) }, "KiB in one call");
}

/// A 60 KiB record by value to `abs` (which only reads its first integer register) on a
/// thread of `stack` bytes.
fn big_call_on_a_thread(stack: usize) {
    let (ffi, lib) = libc("struct big { char c[61440]; }; int abs(struct big);");
    let s = ffi.new("struct big *", ()).unwrap();
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            // SAFETY: `abs` reads an integer register and touches no memory; the record is
            // copied to the stack (x86-64) or passed by pointer to a copy (AArch64).
            unsafe { lib.call("abs", (s.get(0).unwrap(),)) }.unwrap();
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_big_call_fits_a_thread_with_room_for_it() {
    big_call_on_a_thread(512 << 10);
}

#[test]
fn a_big_call_on_a_thread_too_small_stops_with_the_stack_overflow_message() {
    if std::env::var_os("RCFFI_SMALL_STACK_CHILD").is_some() {
        big_call_on_a_thread(32 << 10);
        std::process::exit(0);
    }
    let Some(out) = rcffi_testkit::fixture::rerun_self(
        "by_value::a_big_call_on_a_thread_too_small_stops_with_the_stack_overflow_message",
        "RCFFI_SMALL_STACK_CHILD",
    ) else {
        return; // the test binary cannot start itself again here (qemu-user)
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the call ran on a 32 KiB stack");
    assert!(stderr.contains("has overflowed its stack"), "{stderr}");
}

//! Records by value cannot exhaust memory, time or the stack: a record larger than rcffi
//! passes is refused before any type work, nesting that multiplies a record's members (a union
//! of two copies of a union of two copies of ...) is classified in time linear in the text,
//! a call whose arguments need too much stack is refused, and one that fits its limit but not
//! its thread's stack stops with Rust's stack overflow message instead of writing past the
//! stack (on a stack of its own, with memory mapped right below its guard page, it writes
//! nothing there).

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
    assert!(!out.status.success(), "the call ran on a 48 KiB stack");
    assert!(stderr.contains("has overflowed its stack"), "{stderr}");
}

/// The pages of the guarded stack a far struct's call runs on, from the lowest: memory shared
/// with the parent test (a file), a guard page, the thread's stack.
const WITNESS: usize = 64 << 10;
const GUARD: usize = 4 << 10;
const STACK: usize = 48 << 10;
/// What the witness pages hold until something writes there.
const UNTOUCHED: u8 = 0xa5;

/// A new private, readable and writable mapping of `len` bytes, never unmapped.
fn new_mapping(len: usize) -> *mut libc::c_void {
    // SAFETY: a new anonymous mapping, placed where the system chooses: no memory in use is
    // touched.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(p, libc::MAP_FAILED);
    p
}

/// Runs `f` on a thread whose stack (`STACK` bytes) sits right above a guard page, with the
/// file `witness` mapped right below that: what `f` writes past the guard page lands in the
/// file, which outlives this process.
fn on_guarded_stack(witness: &std::path::Path, f: fn()) {
    use std::os::fd::AsRawFd;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(witness)
        .unwrap();
    extern "C" fn start(f: *mut libc::c_void) -> *mut libc::c_void {
        // The fault at the guard page is handled on a signal stack of the thread's own: on
        // the thread's stack, the kernel writes the signal's frame below the stack pointer —
        // below the guard page, into the witness, when the fault is near the guard page's
        // bottom (where it lands depends on the frames above it, which change with the
        // build).
        const ALT: usize = 64 << 10;
        let ss = libc::stack_t {
            ss_sp: new_mapping(ALT),
            ss_flags: 0,
            ss_size: ALT,
        };
        // SAFETY: the new mapping is this thread's signal stack only, and outlives the thread
        // (never unmapped: the process ends after it).
        assert_eq!(unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) }, 0);
        // SAFETY: `f` is the `fn()` passed to pthread_create below.
        let f: fn() = unsafe { std::mem::transmute(f) };
        f();
        std::ptr::null_mut()
    }
    // SAFETY: a new private mapping of the three parts, then the file mapped over its lowest
    // part and the guard page made inaccessible, all inside that mapping; the thread's stack
    // is the top part, used by that thread only, and outlives it (never unmapped: the
    // process ends after it).
    unsafe {
        let base = new_mapping(WITNESS + GUARD + STACK);
        let shared = libc::mmap(
            base,
            WITNESS,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_FIXED,
            file.as_raw_fd(),
            0,
        );
        assert_eq!(shared, base);
        let guard = base.cast::<u8>().add(WITNESS).cast();
        assert_eq!(libc::mprotect(guard, GUARD, libc::PROT_NONE), 0);
        let stack = base.cast::<u8>().add(WITNESS + GUARD).cast();
        let mut attr = std::mem::zeroed::<libc::pthread_attr_t>();
        assert_eq!(libc::pthread_attr_init(&mut attr), 0);
        assert_eq!(libc::pthread_attr_setstack(&mut attr, stack, STACK), 0);
        let mut thread = std::mem::zeroed::<libc::pthread_t>();
        let arg = f as *mut libc::c_void;
        assert_eq!(libc::pthread_create(&mut thread, &attr, start, arg), 0);
        assert_eq!(libc::pthread_join(thread, std::ptr::null_mut()), 0);
        libc::pthread_attr_destroy(&mut attr);
    }
}

/// A far struct's call on a stack too small for it, above a guard page with other memory
/// right below it: the call walks its stack down a page at a time, so it stops at the guard
/// page and never writes below it (without the walk, its first store, 60 KiB down, went
/// straight past the guard page into the memory below).
#[test]
fn a_far_call_on_a_stack_too_small_never_writes_past_its_guard_page() {
    const CHILD: &str = "RCFFI_GUARDED_STACK_CHILD";
    if let Some(witness) = std::env::var_os(CHILD) {
        // The declarations and the record made here: only the call runs on the small stack.
        let (ffi, lib) = libc("struct big { char c[61440]; }; int abs(struct big);");
        let s = ffi.new("struct big *", ()).unwrap().get(0).unwrap();
        BIG.set((lib, s)).ok().unwrap();
        on_guarded_stack(std::path::Path::new(&witness), || {
            let (lib, s) = BIG.get().unwrap();
            // SAFETY: as in `big_call_on_a_thread`.
            unsafe { lib.call("abs", (s,)) }.unwrap();
        });
        std::process::exit(0);
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return; // the far call is x86-64's
    }
    let witness = std::env::temp_dir().join(format!("rcffi-witness-{}", std::process::id()));
    std::fs::write(&witness, vec![UNTOUCHED; WITNESS]).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "by_value::a_far_call_on_a_stack_too_small_never_writes_past_its_guard_page",
        ])
        .env(CHILD, &witness)
        .output()
        .unwrap();
    let seen = std::fs::read(&witness).unwrap();
    std::fs::remove_file(&witness).unwrap();
    if !String::from_utf8_lossy(&out.stdout).contains("running 1 test") {
        return; // the test binary cannot start itself again here
    }
    assert!(!out.status.success(), "the call ran on a 48 KiB stack");
    let written = seen.iter().filter(|b| **b != UNTOUCHED).count();
    assert_eq!(written, 0, "{written} bytes written below the guard page");
}

/// The library and the record of the call on the guarded stack, made before the call runs
/// there.
static BIG: std::sync::OnceLock<(Lib, rcffi::Value)> = std::sync::OnceLock::new();

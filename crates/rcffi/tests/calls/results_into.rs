//! `call_into`: a call's result written into memory the caller gives, compared with the same
//! gcc-compiled functions called directly — results in registers and through memory, past the
//! call's own 256-byte buffer and past its 64-byte alignment, with a struct argument the call
//! copies itself; into every kind of `out` (a pointer, an array, a struct, a member, Rust bytes
//! owned and lent); `out` that is also an argument (C's `x = f(&x)`); the calls it makes as
//! `call` does (pointer results, variadic functions, callbacks); and the `out`s it refuses
//! before the call.

use rcffi::{CData, Ffi, Lib, Value};

/// The types and the variable both the C source and the cdef declare.
const TYPES: &str = "
typedef struct { int x, y; } pt_t;
typedef struct { double d; float f; } mix_t;
typedef struct { long long v[8]; } oct_t;
typedef struct { long long v[300]; unsigned char t[3]; } big_t;
typedef struct __attribute__((aligned(128))) { int v[4]; } al_t;
typedef struct { pt_t p; oct_t o; } outer_t;
int guarded_calls;
";

const SOURCE: &str = r#"
/* Called only by the test that checks refused calls are not made. */
pt_t guarded(int x, int y) { guarded_calls++; pt_t r = { x, y }; return r; }
void guarded_void(void) { guarded_calls++; }
pt_t mkpt(int x, int y) { pt_t r = { x * 3, y - 7 }; return r; }
mix_t mkmix(double d, float f) { mix_t r = { d * 2, f + 1 }; return r; }
/* `in` reversed, a word at a time straight into the result's memory (the caller's hidden
   pointer; a compiler may write a temporary and copy it): were that memory `in`'s, the second
   half would read what the first half wrote. */
#if defined(__x86_64__)
__asm__(".text\n.globl reverse\n.type reverse, @function\nreverse:\n"
        "  xor %ecx, %ecx\n"
        "1: mov $7, %edx\n  sub %rcx, %rdx\n  mov (%rsi,%rdx,8), %rax\n"
        "  mov %rax, (%rdi,%rcx,8)\n  inc %rcx\n  cmp $8, %rcx\n  jne 1b\n"
        "  mov %rdi, %rax\n  ret\n");
#elif defined(__aarch64__)
__asm__(".text\n.globl reverse\n.type reverse, %function\nreverse:\n"
        "  mov x9, #0\n"
        "1: mov x10, #7\n  sub x10, x10, x9\n  ldr x11, [x0, x10, lsl #3]\n"
        "  str x11, [x8, x9, lsl #3]\n  add x9, x9, #1\n  cmp x9, #8\n  b.ne 1b\n"
        "  ret\n");
#else
oct_t reverse(const oct_t *in) {
    oct_t r;
    for (int i = 0; i < 8; i++) r.v[i] = in->v[7 - i];
    return r;
}
#endif
oct_t octadd(oct_t a, long long k) { for (int i = 0; i < 8; i++) a.v[i] += k * i; return a; }
big_t twist(big_t s, long long k) {
    big_t r;
    for (int i = 0; i < 300; i++) r.v[i] = s.v[299 - i] * 3 + k;
    for (int j = 0; j < 3; j++) r.t[j] = (unsigned char)(s.t[2 - j] + k);
    return r;
}
al_t mkal(int k) { al_t r = {{ k, k + 1, k + 2, k + 3 }}; return r; }
short neg(short v) { return -v; }
double half(double v) { return v / 2; }
char *after(char *s, int n) { return s + n; }
void (*stored)(void);
void store_cb(void (*f)(void)) { stored = f; }
pt_t run_stored(int x) { stored(); pt_t r = { x, x }; return r; }
int apply(int (*f)(int), int v) { return f(v) + 1; }
"#;

const CDEF: &str = "
pt_t guarded(int x, int y);
void guarded_void(void);
pt_t mkpt(int x, int y);
mix_t mkmix(double d, float f);
oct_t reverse(const oct_t *in);
oct_t octadd(oct_t a, long long k);
big_t twist(big_t s, long long k);
al_t mkal(int k);
short neg(short v);
double half(double v);
char *after(char *s, int n);
void store_cb(void (*f)(void));
pt_t run_stored(int x);
int snprintf(char *s, size_t n, const char *fmt, ...);
int apply(int (*f)(int), int v);
";

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pt {
    x: i32,
    y: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Mix {
    d: f64,
    f: f32,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Oct {
    v: [i64; 8],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Big {
    v: [i64; 300],
    t: [u8; 3],
}

#[repr(C, align(128))]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Al {
    v: [i32; 4],
}

fn open() -> (Ffi, Lib) {
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let path = PATH.get_or_init(|| {
        let src = format!("{TYPES}{SOURCE}");
        rcffi_testkit::fixture::build_shared("results_into", &src, &["-O1"]).expect("gcc")
    });
    let ffi = Ffi::default();
    ffi.cdef(&format!("{TYPES}{CDEF}")).unwrap();
    // SAFETY: the library is built from `TYPES` and `SOURCE`, which `TYPES` and `CDEF` declare.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    (ffi, lib)
}

/// The function `name` of `lib`, to call directly as `F`.
///
/// # Safety
///
/// `F` must be the function's type.
unsafe fn direct<F: Copy>(lib: &Lib, name: &str) -> F {
    let addr = lib.function(name).unwrap().address();
    // SAFETY: the caller's promise; `F` is a function pointer type of a word.
    unsafe { std::mem::transmute_copy::<usize, F>(&addr) }
}

/// The bytes of a `repr(C)` value without padding but at its end.
fn bytes_of<T: Copy>(v: &T, len: usize) -> Vec<u8> {
    assert!(len <= std::mem::size_of::<T>());
    // SAFETY: the first `len` bytes of the value are its members' (no padding among them).
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), len) }.to_vec()
}

/// The first `len` bytes of the memory `c` points to or is.
fn bytes_in(ffi: &Ffi, c: &CData, len: usize) -> Vec<u8> {
    let b = ffi.buffer(c, Some(len)).or_else(|_| {
        let p = ffi.addressof(c, "")?;
        ffi.buffer(&p, Some(len))
    });
    b.unwrap().to_vec().unwrap()
}

fn calls(lib: &Lib) -> i64 {
    lib.get("guarded_calls").unwrap().try_into().unwrap()
}

fn oct(seed: i64) -> Oct {
    Oct {
        v: std::array::from_fn(|i| (i as i64 + 1) * seed - 5),
    }
}

#[test]
fn results_in_registers_and_through_memory_equal_the_direct_calls() {
    let (ffi, lib) = open();
    // SAFETY: the types of `SOURCE`'s functions, with `repr(C)` structs laid out as theirs.
    let (mkpt, mkmix, octadd, mkal, neg, half) = unsafe {
        (
            direct::<extern "C" fn(i32, i32) -> Pt>(&lib, "mkpt"),
            direct::<extern "C" fn(f64, f32) -> Mix>(&lib, "mkmix"),
            direct::<extern "C" fn(Oct, i64) -> Oct>(&lib, "octadd"),
            direct::<extern "C" fn(i32) -> Al>(&lib, "mkal"),
            direct::<extern "C" fn(i16) -> i16>(&lib, "neg"),
            direct::<extern "C" fn(f64) -> f64>(&lib, "half"),
        )
    };
    let f = |name: &str| lib.function(name).unwrap();
    // One `out` each, reused: each call writes the whole result over the last one's.
    let pt = ffi.new("pt_t *", ()).unwrap();
    let mix = ffi.new("mix_t *", ()).unwrap();
    let o = ffi.new("oct_t *", ()).unwrap();
    let al = ffi.new("al_t *", ()).unwrap();
    let s = ffi.new("short *", ()).unwrap();
    let d = ffi.new("double *", ()).unwrap();
    let arg = ffi.new("oct_t *", ()).unwrap();
    for k in [-40i32, 0, 7, 123_456] {
        // SAFETY: each function takes and returns what the cdef declares.
        unsafe {
            f("mkpt").call_into(&pt, (k, k ^ 5)).unwrap();
            f("mkmix")
                .call_into(&mix, (f64::from(k) / 3.0, k as f32))
                .unwrap();
            ffi.memmove(&arg, bytes_of(&oct(k.into()), 64).as_slice(), 64)
                .unwrap();
            f("octadd")
                .call_into(&o, (&arg.get(0).unwrap(), i64::from(k)))
                .unwrap();
            f("mkal").call_into(&al, (k,)).unwrap();
            f("neg").call_into(&s, (k as i16,)).unwrap();
            f("half").call_into(&d, (f64::from(k),)).unwrap();
        }
        assert_eq!(
            bytes_in(&ffi, &pt, 8),
            bytes_of(&mkpt(k, k ^ 5), 8),
            "mkpt({k})"
        );
        let want = mkmix(f64::from(k) / 3.0, k as f32);
        assert_eq!(bytes_in(&ffi, &mix, 12), bytes_of(&want, 12), "mkmix({k})");
        let want = octadd(oct(k.into()), k.into());
        assert_eq!(bytes_in(&ffi, &o, 64), bytes_of(&want, 64), "octadd({k})");
        assert_eq!(bytes_in(&ffi, &al, 16), bytes_of(&mkal(k), 16), "mkal({k})");
        assert_eq!(s.get_as::<i16>(0).unwrap(), neg(k as i16), "neg({k})");
        assert_eq!(d.get_as::<f64>(0).unwrap(), half(f64::from(k)), "half({k})");
        // The same results as `call` makes them.
        // SAFETY: as above.
        let got = unsafe { f("octadd").call((&arg.get(0).unwrap(), i64::from(k))) }.unwrap();
        assert_eq!(
            bytes_in(&ffi, got.as_cdata().unwrap(), 64),
            bytes_in(&ffi, &o, 64)
        );
    }
}

#[test]
fn a_result_past_the_calls_buffer_with_a_struct_the_call_copies_equals_the_direct_call() {
    let (ffi, lib) = open();
    // SAFETY: twist's type, `Big` laid out as `big_t`.
    let twist = unsafe { direct::<extern "C" fn(Big, i64) -> Big>(&lib, "twist") };
    let s = Big {
        v: std::array::from_fn(|i| (i as i64 * 7919) ^ (41 << 33)),
        t: [41, 200, 123],
    };
    let len = 2403;
    let arg = ffi.new("big_t *", ()).unwrap();
    ffi.memmove(&arg, bytes_of(&s, len).as_slice(), len)
        .unwrap();
    let arg = arg.get(0).unwrap().cdata().unwrap();
    // Into new memory, a library's global, an array's last item and Rust bytes lent.
    let out = ffi.new("big_t *", ()).unwrap();
    // SAFETY: as declared.
    unsafe {
        lib.function("twist")
            .unwrap()
            .call_into(&out, (&arg, -9i64))
    }
    .unwrap();
    let want = bytes_of(&twist(s, -9), len);
    assert_eq!(bytes_in(&ffi, &out, len), want);
    let arr = ffi.new("big_t[2]", ()).unwrap();
    let last = arr.get(1).unwrap().cdata().unwrap();
    // SAFETY: as declared.
    unsafe {
        lib.function("twist")
            .unwrap()
            .call_into(&last, (&arg, -9i64))
    }
    .unwrap();
    assert_eq!(bytes_in(&ffi, &last, len), want);
    assert!(
        bytes_in(&ffi, &arr, len).iter().all(|b| *b == 0),
        "item 0 untouched"
    );
    let mut lent = vec![0u8; std::mem::size_of::<Big>()];
    ffi.with_buffer("big_t *", &mut lent, |c| {
        // SAFETY: as declared.
        unsafe { lib.function("twist").unwrap().call_into(&c, (&arg, -9i64)) }
    })
    .unwrap()
    .unwrap();
    assert_eq!(lent[..len], want[..]);
}

#[test]
fn out_may_be_the_argument_as_in_c() {
    let (ffi, lib) = open();
    // SAFETY: reverse's type, `Oct` laid out as `oct_t`.
    let reverse = unsafe { direct::<extern "C" fn(*const Oct) -> Oct>(&lib, "reverse") };
    let x = oct(3);
    // C's `x = reverse(&x)`: the result is assigned when the call has returned.
    let mut want = x;
    want.v.reverse();
    assert_eq!(reverse(&x), want);
    let c = ffi.new("oct_t *", ()).unwrap();
    ffi.memmove(&c, bytes_of(&x, 64).as_slice(), 64).unwrap();
    // SAFETY: as declared; `c` points to an `oct_t`.
    unsafe { lib.function("reverse").unwrap().call_into(&c, (&c,)) }.unwrap();
    assert_eq!(bytes_in(&ffi, &c, 64), bytes_of(&want, 64));
    // And a struct argument by value that is also `out`.
    // SAFETY: octadd's type.
    let octadd = unsafe { direct::<extern "C" fn(Oct, i64) -> Oct>(&lib, "octadd") };
    let v = c.get(0).unwrap().cdata().unwrap();
    // SAFETY: as declared.
    unsafe { lib.function("octadd").unwrap().call_into(&v, (&v, 5i64)) }.unwrap();
    assert_eq!(bytes_in(&ffi, &c, 64), bytes_of(&octadd(want, 5), 64));
}

#[test]
fn out_may_be_a_struct_a_member_or_an_array() {
    let (ffi, lib) = open();
    let mkpt = lib.function("mkpt").unwrap();
    let outer = ffi.new("outer_t *", ()).unwrap();
    let member = outer.field("p").unwrap().cdata().unwrap();
    // SAFETY: as declared.
    unsafe { mkpt.call_into(&member, (2, 3)) }.unwrap();
    assert_eq!(
        outer
            .field("p")
            .unwrap()
            .cdata()
            .unwrap()
            .field_as::<i32>("x")
            .unwrap(),
        6
    );
    let arr = ffi.new("pt_t[]", 3).unwrap();
    // SAFETY: as declared.
    unsafe { mkpt.call_into(&arr, (5, 9)) }.unwrap();
    let first = arr.get(0).unwrap().cdata().unwrap();
    assert_eq!(
        (
            first.field_as::<i32>("x").unwrap(),
            first.field_as::<i32>("y").unwrap()
        ),
        (15, 2)
    );
    let owned = ffi.from_buffer("pt_t *", vec![0xffu8; 8]).unwrap();
    // SAFETY: as declared.
    unsafe { mkpt.call_into(&owned, (1, 1)) }.unwrap();
    assert_eq!(owned.field_as::<i32>("y").unwrap(), -6);
}

#[test]
fn calls_that_take_the_converting_path_write_their_value() {
    let (ffi, lib) = open();
    // A pointer result into the argument's memory keeps that memory alive from `out`.
    let out = ffi.new("char **", ()).unwrap();
    {
        let s = ffi.new("char[]", "hello").unwrap();
        // SAFETY: after returns a pointer n bytes into s.
        unsafe { lib.function("after").unwrap().call_into(&out, (&s, 2)) }.unwrap();
    }
    let p = out.get(0).unwrap().cdata().unwrap();
    assert_eq!(ffi.string(&p, None).unwrap(), Value::Bytes(b"llo".into()));
    // A variadic function.
    let n = ffi.new("int *", ()).unwrap();
    let buf = ffi.new("char[16]", ()).unwrap();
    // SAFETY: libc's snprintf is as declared.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    // SAFETY: the format reads one int, and buf has 16 bytes.
    unsafe {
        libc.function("snprintf")
            .unwrap()
            .call_into(&n, (&buf, 16usize, "%d!", 4242))
    }
    .unwrap();
    assert_eq!(n.get_as::<i32>(0).unwrap(), 5);
    assert_eq!(
        ffi.string(&buf, None).unwrap(),
        Value::Bytes(b"4242!".into())
    );
    // A callback among the arguments.
    let cb = ffi
        .callback("int(*)(int)", |a| {
            Ok::<_, rcffi::Error>(a.get_as::<i32>(0)? * 2)
        })
        .unwrap();
    // SAFETY: apply calls f with v.
    unsafe { lib.function("apply").unwrap().call_into(&n, (&cb, 20)) }.unwrap();
    assert_eq!(n.get_as::<i32>(0).unwrap(), 41);
    // A function pointer called directly.
    let f = lib.function("mkpt").unwrap().cdata().clone();
    let pt = ffi.new("pt_t *", ()).unwrap();
    // SAFETY: as declared.
    unsafe { f.call_into(&pt, (1, 10)) }.unwrap();
    assert_eq!(pt.field_as::<i32>("y").unwrap(), 3);
}

#[test]
fn an_out_the_result_cannot_go_to_is_refused_before_the_call() {
    let (ffi, lib) = open();
    let guarded = lib.function("guarded").unwrap();
    let before = calls(&lib);
    let refused = |out: &CData, what: &str, needle: &str| {
        // SAFETY: as declared; refused before the call.
        let err = unsafe { guarded.call_into(out, (1, 2)) }
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{what}: {err}");
    };
    refused(
        &ffi.new("int *", ()).unwrap(),
        "another type",
        "is not a pointer to it",
    );
    refused(&ffi.new("mix_t *", ()).unwrap(), "another struct", "'pt_t'");
    refused(
        &ffi.new("pt_t[]", 0).unwrap(),
        "an empty array",
        "an array of it",
    );
    refused(&ffi.cast("pt_t *", 0).unwrap(), "NULL", "null pointer");
    let other = Ffi::default();
    other.cdef("typedef struct { int x, y; } pt_t;").unwrap();
    refused(
        &other.new("pt_t *", ()).unwrap(),
        "another ffi's cdata",
        "belongs to another ffi object",
    );
    let small = ffi.new("char[4]", ()).unwrap();
    refused(
        &ffi.cast("pt_t *", &small).unwrap(),
        "past its memory",
        "outside",
    );
    let bytes = [0u8; 8];
    ffi.with_buffer_ref("pt_t *", &bytes, |c| {
        refused(&c, "read-only bytes", "read-only");
    })
    .unwrap();
    let void = ffi.new("int *", ()).unwrap();
    // SAFETY: as declared; refused before the call.
    let err = unsafe { lib.function("guarded_void").unwrap().call_into(&void, ()) }.unwrap_err();
    assert!(err.to_string().contains("'void' result"), "{err}");
    assert_eq!(calls(&lib), before, "no call was made");
    let pt = ffi.new("pt_t *", ()).unwrap();
    // SAFETY: as declared.
    unsafe { guarded.call_into(&pt, (1, 2)) }.unwrap();
    assert_eq!(calls(&lib), before + 1, "a call into a pt_t is made");
}

#[test]
fn bytes_whose_loan_ends_during_the_call_refuse_the_result() {
    let (ffi, lib) = open();
    // The result goes into Rust bytes lent with `from_buffer`; C calls back into Rust, which
    // releases them, before the call returns: the result is not written there.
    let out = ffi.from_buffer("pt_t *", vec![0u8; 8]).unwrap();
    let (f, o) = (ffi.clone(), out.clone());
    let cb = ffi
        .callback("void(*)(void)", move |_| f.release(&o))
        .unwrap();
    // SAFETY: store_cb keeps the callback, which outlives the calls below.
    unsafe { lib.function("store_cb").unwrap().call((&cb,)) }.unwrap();
    let run = lib.function("run_stored").unwrap();
    // SAFETY: run_stored calls the stored callback, then returns a pt_t.
    let err = unsafe { run.call_into(&out, (5,)) }
        .unwrap_err()
        .to_string();
    assert!(err.contains("released"), "{err}");
    // Bytes still lent take the result.
    let out = ffi.from_buffer("pt_t *", vec![0u8; 8]).unwrap();
    let o = ffi.new("int *", ()).unwrap();
    let cb = ffi.callback("void(*)(void)", move |_| o.set(0, 1)).unwrap();
    // SAFETY: as above.
    unsafe { lib.function("store_cb").unwrap().call((&cb,)) }.unwrap();
    // SAFETY: as above.
    unsafe { run.call_into(&out, (5,)) }.unwrap();
    assert_eq!(out.field_as::<i32>("y").unwrap(), 5);
}

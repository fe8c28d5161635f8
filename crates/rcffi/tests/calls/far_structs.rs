//! Struct arguments too large for the register path's 64 stack words (more than 512 bytes, or
//! past the words other arguments took) are copied onto the stack by the call itself, straight
//! from their memory (x86-64, `call::native::far`); memory that needs its lock held while it is
//! read (Rust bytes lent to C) takes libffi's path instead. Each call is compared with the same
//! gcc-compiled function called directly, for every kind of memory the struct may live in,
//! with stack words before it (a 16-byte aligned struct after an odd number of them), register
//! arguments after it, and results through memory and in registers.

use rcffi::{CData, Ffi, Lib, Value};

const SOURCE: &str = "
typedef struct { long long v[100]; unsigned char t[3]; } big_t;
typedef struct __attribute__((aligned(16))) { long long v[70]; } abig_t;
big_t g_big;
static long long sum(const long long *v, int n) {
    long long s = 0;
    for (int i = 0; i < n; i++) s = s * 31 + v[i];
    return s;
}
big_t twist(big_t s, long long k) {
    big_t r;
    for (int i = 0; i < 100; i++) r.v[i] = s.v[99 - i] * 3 + k;
    for (int j = 0; j < 3; j++) r.t[j] = (unsigned char)(s.t[2 - j] + k);
    return r;
}
long long after7(int a, int b, int c, int d, int e, int f, int g, abig_t s, double x, float h) {
    return sum(s.v, 70) * 7 + a - b + c - d + e - f + g * 1000
        + (long long)(x * 4) + (long long)(h * 8);
}
double fsum(float f, big_t s, double d) {
    return f + d + (double)sum(s.v, 100) / 1024.0 + s.t[0] + s.t[2];
}
";

const CDEF: &str = "
typedef struct { long long v[100]; unsigned char t[3]; } big_t;
typedef struct __attribute__((aligned(16))) { long long v[70]; } abig_t;
big_t g_big;
big_t twist(big_t s, long long k);
long long after7(int a, int b, int c, int d, int e, int f, int g, abig_t s, double x, float h);
double fsum(float f, big_t s, double d);
";

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct Big {
    v: [i64; 100],
    t: [u8; 3],
}

#[repr(C, align(16))]
#[derive(Clone, Copy)]
struct ABig {
    v: [i64; 70],
}

fn open() -> (Ffi, Lib) {
    // Built once for the tests of this file, which run at once.
    static PATH: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let path = PATH.get_or_init(|| {
        rcffi_testkit::fixture::build_shared("far_structs", SOURCE, &["-O1"]).expect("gcc")
    });
    let ffi = Ffi::default();
    ffi.cdef(CDEF).unwrap();
    // SAFETY: the library is built from `SOURCE`, which `CDEF` declares.
    let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
    (ffi, lib)
}

fn big(seed: i64) -> Big {
    Big {
        v: std::array::from_fn(|i| (i as i64 * 7919 + seed) ^ (seed << 33)),
        t: [seed as u8, 200, (seed * 3) as u8],
    }
}

/// The bytes of a `repr(C)` value.
fn bytes_of<T: Copy>(v: &T) -> Vec<u8> {
    // SAFETY: `Big` and `ABig` have no padding but `Big`'s tail, which `big_t`'s bytes have
    // too: each byte read is one of the value's own (the tail's padding bytes are copied as
    // whatever they hold, and never compared).
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), std::mem::size_of::<T>()) }
        .to_vec()
}

/// `s` in a cdata of `big_t` made by `new`.
fn new_big(ffi: &Ffi, s: &Big) -> CData {
    let c = ffi.new("big_t *", ()).unwrap();
    ffi.memmove(&c, bytes_of(s).as_slice(), std::mem::size_of::<Big>())
        .unwrap();
    c.get(0).unwrap().cdata().unwrap()
}

fn read_big(c: &CData) -> Big {
    let v = c
        .field("v")
        .unwrap()
        .cdata()
        .unwrap()
        .to_array::<i64, 100>();
    let t = c.field("t").unwrap().cdata().unwrap().to_array::<u8, 3>();
    Big {
        v: v.unwrap(),
        t: t.unwrap(),
    }
}

#[test]
fn a_far_struct_equals_the_direct_call_in_every_kind_of_memory() {
    let (ffi, lib) = open();
    type Twist = extern "C" fn(Big, i64) -> Big;
    type FSum = extern "C" fn(f32, Big, f64) -> f64;
    // SAFETY: twist and fsum have these signatures (`SOURCE`), `Big` laid out as `big_t`.
    let (twist, fsum): (Twist, FSum) = unsafe {
        (
            std::mem::transmute::<usize, Twist>(lib.function("twist").unwrap().address()),
            std::mem::transmute::<usize, FSum>(lib.function("fsum").unwrap().address()),
        )
    };
    let s = big(41);
    let want = twist(s, -9);
    let want_f = fsum(0.5, s, -2.25);
    let check = |arg: &CData, what: &str| {
        // SAFETY: as declared.
        let got = unsafe { lib.call("twist", (arg, -9i64)) }.unwrap();
        assert_eq!(read_big(got.as_cdata().unwrap()), want, "twist of {what}");
        // SAFETY: as declared.
        let got = unsafe { lib.call("fsum", (0.5f32, arg, -2.25)) }.unwrap();
        assert_eq!(got, Value::Float(want_f), "fsum of {what}");
    };
    // rcffi's own memory, alone and as the second item of an array.
    check(&new_big(&ffi, &s), "new memory");
    let arr = ffi.new("big_t[3]", ()).unwrap();
    let item = arr.get(1).unwrap().cdata().unwrap();
    let mut two = vec![0u8; std::mem::size_of::<Big>()];
    two.extend(bytes_of(&s));
    ffi.memmove(&arr, two.as_slice(), two.len()).unwrap();
    check(&item, "an array's item");
    // A library's global.
    let g = lib.addressof("g_big").unwrap();
    ffi.memmove(&g, bytes_of(&s).as_slice(), std::mem::size_of::<Big>())
        .unwrap();
    check(&g.get(0).unwrap().cdata().unwrap(), "a library's global");
    // Rust bytes: owned (`from_buffer`) and lent under a lock (`with_buffer`: libffi's path).
    let owned = ffi.from_buffer("big_t *", bytes_of(&s)).unwrap();
    check(&owned.get(0).unwrap().cdata().unwrap(), "from_buffer bytes");
    let mut lent = bytes_of(&s);
    ffi.with_buffer("big_t *", &mut lent, |c| {
        check(&c.get(0).unwrap().cdata().unwrap(), "with_buffer bytes")
    })
    .unwrap();
    // A list initializer (converted on libffi's path).
    let list = Value::List(vec![Value::from(s.v.to_vec()), Value::Bytes(s.t.into())]);
    // SAFETY: as declared.
    let got = unsafe { lib.call("twist", (list, -9i64)) }.unwrap();
    assert_eq!(read_big(got.as_cdata().unwrap()), want, "twist of a list");
}

#[test]
fn a_far_struct_after_stack_words_is_aligned_and_registers_follow_it() {
    let (ffi, lib) = open();
    type After7 = extern "C" fn(i32, i32, i32, i32, i32, i32, i32, ABig, f64, f32) -> i64;
    // SAFETY: after7 has this signature, `ABig` laid out as `abig_t` (aligned to 16).
    let after7: After7 = unsafe { std::mem::transmute(lib.function("after7").unwrap().address()) };
    let s = ABig {
        v: std::array::from_fn(|i| (i as i64 - 35) * 1_000_003),
    };
    let c = ffi.new("abig_t *", ()).unwrap();
    ffi.memmove(&c, bytes_of(&s).as_slice(), std::mem::size_of::<ABig>())
        .unwrap();
    let c = c.get(0).unwrap().cdata().unwrap();
    for g in [-3, 0, 77] {
        let want = after7(1, 2, 3, 4, 5, 6, g, s, 2.5, -1.25);
        // SAFETY: as declared. The seventh int takes stack word 0, the struct starts at word
        // 2 (aligned to 16), the double and the float the vector registers after it.
        let got = unsafe { lib.call("after7", (1, 2, 3, 4, 5, 6, g, &c, 2.5, -1.25f32)) }.unwrap();
        assert_eq!(got, Value::Int(want.into()), "after7 with g = {g}");
    }
}

#[test]
fn a_far_struct_past_its_memory_is_refused_naming_the_argument() {
    let (ffi, lib) = open();
    let small = ffi.new("char[64]", ()).unwrap();
    let p = ffi.cast("big_t *", &small).unwrap();
    let s = p.get(0).unwrap();
    // SAFETY: as declared; refused before the call.
    let err = unsafe { lib.call("twist", (&s, 1i64)) }
        .unwrap_err()
        .to_string();
    assert!(err.contains("argument 1 of"), "{err}");
    assert!(err.contains("outside the 64 bytes"), "{err}");
}

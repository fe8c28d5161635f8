//! Calls through rcffi checked against the same functions called directly from Rust: the
//! fixture library (`rcffi_testkit::fixture`), cffi's call behaviours (reference §3.2 group F)
//! named after their ids, seeded random signatures (`random.rs`), libc programs, and threads.

mod f_calls;
mod fixture_calls;
mod libc_programs;
mod random;
mod threads;

use rcffi::{CData, Ffi, Lib, Value};

/// The fixture's declarations, as a user would paste them.
pub(crate) const FIXTURE_CDEF: &str = r#"
    int add(int a, int b);
    double addd(double a, double b);
    float addf(float a, float b);
    double mixed6(int a, double b, long long c, float d, signed char e, unsigned short f);
    char id_char(char); signed char id_schar(signed char); unsigned char id_uchar(unsigned char);
    short id_short(short); unsigned short id_ushort(unsigned short);
    int id_int(int); unsigned int id_uint(unsigned int);
    long id_long(long); unsigned long id_ulong(unsigned long);
    long long id_llong(long long); unsigned long long id_ullong(unsigned long long);
    float id_float(float); double id_double(double); _Bool id_bool(_Bool); wchar_t id_wchar(wchar_t);
    int8_t id_i8(int8_t); uint8_t id_u8(uint8_t); int16_t id_i16(int16_t); uint16_t id_u16(uint16_t);
    int32_t id_i32(int32_t); uint32_t id_u32(uint32_t); int64_t id_i64(int64_t); uint64_t id_u64(uint64_t);
    size_t id_size(size_t); void *id_ptr(void *);
    long double twice_ld(long double x);
    _Bool ret_two(void);
    signed char neg_schar(signed char); unsigned char inc_uchar(unsigned char); short neg_short(short);
    double sum16(int, double, long long, float, short, double, unsigned, float,
                 signed char, double, long, float, int, double, unsigned short, float);
    double sum9d(double, double, double, double, double, double, double, double, double);
    long long sum8l(long long, long long, long long, long long, long long, long long, long long, long long);

    struct pt { int x, y; };
    struct pt mid(struct pt a, struct pt b);
    int pt_sum(struct pt p);
    typedef struct { unsigned char a, b, c; } three_t;
    three_t three(void);
    int three_sum(three_t t);
    typedef struct { double x; float y; int z; } dfi_t;
    dfi_t dfi_scale(dfi_t v, int k);
    typedef struct { float x, y; } f2_t;
    f2_t f2_swap(f2_t v);
    typedef struct { float a, b, c, d; } f4_t;
    float f4_sum(f4_t v);
    typedef struct { char c; double d; } cd_t;
    cd_t cd_next(cd_t v);
    typedef struct { long long a[12]; int n; } big_t;
    big_t big_make(int n);
    long long big_sum(big_t b);
    typedef struct { struct pt p; short s[3]; char tag; } nested_t;
    nested_t nested_echo(nested_t v, int k);
    typedef struct { long x; long y; } POINT;
    typedef struct { long left; long top; long right; long bottom; } RECT;
    RECT ReturnRect(int i, RECT ar, RECT* br, POINT cp, RECT dr, RECT *er, POINT fp, RECT gr);
    void modify_struct_value(RECT r);
    union num { int i; float f; };
    int take_union(union num u);
    struct bits { int a : 3; int b : 5; };
    int take_bits(struct bits b);
    struct __attribute__((packed)) packed_t { char c; int i; };
    int take_packed(struct packed_t p);

    int sum_arr(const int *a, int n);
    int sum_pts(const struct pt *p, int n);
    void fill(int *out, int n, int v);
    size_t fx_strlen(const char *s);
    size_t fx_wcslen(const wchar_t *s);
    const char *fx_strchr(const char *s, int c);
    int is_null(const void *p);
    void upcase(char *s);
    typedef struct { double x, y; } DataPoint;
    DataPoint add_data(const DataPoint *data, unsigned n);

    typedef int (*binop)(int, int);
    int mul(int a, int b);
    binop get_op(int which);
    int apply(binop f, int a, int b);
    struct ops { binop op; int k; };
    extern struct ops default_ops;
    int apply_ops(const struct ops *o, int a);

    int vsum(int n, ...);
    double vsumd(int n, ...);
    int vpromoted(int n, ...);
    long long vmix(const char *fmt, ...);

    int set_errno(int v);
    int get_errno(void);

    extern int counter;
    int bump(void);
    extern int my_array[7];
    extern POINT gpt;
    extern const char *greeting;
    extern const int answer;
    extern binop gop;
    long long sum_my_array(void);

    int call_int_cb(int (*cb)(int), int x);
    long long call_from_threads(int (*cb)(int), int nthreads, int count);
"#;

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    let ffi = Ffi::default();
    ffi.cdef(FIXTURE_CDEF).expect("fixture cdef");
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture library is built from fixture.c, which FIXTURE_CDEF declares.
    let lib = unsafe { ffi.dlopen(path.to_str().expect("utf-8 path")) }.expect("fixture dlopen");
    (ffi, lib)
}

/// The address of a fixture function, for calling it directly.
pub(crate) fn addr(lib: &Lib, name: &str) -> usize {
    lib.function(name).expect(name).address()
}

/// The cdata a value holds.
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

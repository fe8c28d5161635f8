//! A loop of calls through an rcffi function handle, for profilers (`perf record`,
//! `valgrind --tool=callgrind`): `call-profile WORKLOAD [CALLS]`, the workloads:
//! - calls: `add addm addd addv addvh midvh enumvh asadd tadd dadd mixed6 sum8l ldiv idnull idNULL sumarr4
//!   sumarr1k strlen strlen1k fill4 fill4v vsum mid rawmid enum bool i128 cplx ld char ldc
//!   byname byname16 byname16same newffi<k>`, structs by value `s<bytes>` (into one cdata
//!   reused, `call_into`: `is<bytes>`; raw libffi: `rs<bytes>`), records by value `rec-u4`
//!   (a union), `rec-bf` (bitfields), `rec-al` (a record whose second eightbyte is padding);
//! - callbacks: `cbcall cbcallh qsort vqsort tqsort nqsort`;
//! - data: `new newm newt newi newarr newopen newlist new16 new16same newstr field fieldv
//!   fieldm cast castp string structcopy arrget arrgetas bufget wbufget ptrstore ptrread
//!   ptrnull ptrmany ptrmany<len> ptrlist offset slice addrof gc handle fromh fromc`;
//!
//! and `raw` (`int add(int, int)` through libffi's `Cif::call`, the baseline).

use std::hint::black_box;

use rcffi::{Ffi, Value, list};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "add".into());
    let n: usize = args.next().map_or(Ok(10_000_000), |s| s.parse())?;
    let ffi = Ffi::default();
    ffi.cdef(
        "int bench_add(int a, int b); double bench_addd(double a, double b);
         double bench_mixed6(int a, double b, long long c, float d, int e, double f);
         struct pt { int x, y; }; struct pt bench_mid(struct pt a, struct pt b);
         enum bench_e { BENCH_NEG = -1, BENCH_POS = 1 };
         enum bench_e bench_enum(enum bench_e a, int b); _Bool bench_bool(_Bool a, int b);
         __int128 bench_i128(__int128 a, int b);
         double _Complex bench_cplx(double _Complex a, int b);
         long double bench_ld(long double a, int b);
         char bench_char(char a, int b);
         size_t strlen(const char *s);
         long long sum8l(long long, long long, long long, long long, long long, long long,
                         long long, long long);",
    )?;
    let path = rcffi_testkit::fixture::fixture_library();
    // SAFETY: the fixture and libc define these functions as declared.
    let (lib, libc) = unsafe {
        (
            ffi.dlopen(path.to_str().unwrap_or_default())?,
            ffi.dlopen("c")?,
        )
    };
    let pa = ffi.new("struct pt *", list![1, 2])?.get(0)?;
    let f = match which.as_str() {
        "strlen" | "strlen1k" => libc.function("strlen")?,
        "raw" | "rawmid" | "qsort" | "vqsort" | "tqsort" | "nqsort" | "tadd" | "dadd" | "s8"
        | "s24" | "s64" | "s256" | "rs8" | "rs24" | "rs64" | "rs256" | "new" | "newm" | "newt"
        | "newi" | "field" | "string" | "fieldv" | "fieldm" | "cast" | "offset" | "slice"
        | "addrof" | "byname" | "ptrstore" | "ptrread" | "ptrnull" | "ptrmany" | "newstr"
        | "structcopy" | "gc" | "handle" | "fromh" | "fromc" | "asadd" | "addm" | "addv"
        | "addvr" | "addvh" | "arrget" | "bufget" | "arrgetas" | "wbufget" | "new16"
        | "new16same" | "byname16" | "byname16same" | "newarr" | "newopen" | "newlist"
        | "castp" => lib.function("bench_add")?,
        w if w.starts_with("newffi")
            || w.starts_with("ptrmany")
            || w.starts_with("rec-")
            || w == "ptrlist" =>
        {
            lib.function("bench_add")?
        }
        "ldc" => lib.function("bench_ld")?,
        "adddvr" => lib.function("bench_addd")?,
        "charvr" => lib.function("bench_char")?,
        "midvh" => lib.function("bench_mid")?,
        "enumvh" => lib.function("bench_enum")?,
        // Structs of any size in and out (`s<bytes>`, `is<bytes>`, `rs<bytes>`: below).
        w if w.trim_start_matches(['r', 'i']).starts_with('s')
            && w.trim_start_matches(['r', 'i', 's'])
                .parse::<usize>()
                .is_ok() =>
        {
            lib.function("bench_add")?
        }
        "vsum" => {
            ffi.cdef("int vsum(int n, ...);")?;
            lib.function("vsum")?
        }
        "sum8l" => lib.function("sum8l")?,
        "cbcall" | "cbcallh" => {
            ffi.cdef("int call_int_cb(int (*cb)(int), int x);")?;
            lib.function("call_int_cb")?
        }
        "fill4" | "fill4v" => {
            ffi.cdef("void fill(int *out, int n, int v);")?;
            lib.function("fill")?
        }
        "sumarr4" | "sumarr1k" => {
            ffi.cdef("int sum_arr(const int *a, int n);")?;
            lib.function("sum_arr")?
        }
        "idnull" | "idNULL" => {
            ffi.cdef("void *id_ptr(void *);")?;
            lib.function("id_ptr")?
        }
        "ldiv" => {
            ffi.cdef("typedef struct { long quot; long rem; } ldiv_t; ldiv_t ldiv(long, long);")?;
            libc.function("ldiv")?
        }
        other => lib.function(&format!("bench_{other}"))?,
    };
    if which == "raw" {
        use libffi::middle::{Cif, CodePtr, Type, arg};
        let cif = Cif::new([Type::i32(), Type::i32()], Type::i32());
        let code = CodePtr::from_ptr(lib.function("bench_add")?.address() as *const _);
        for i in 0..n {
            // SAFETY: bench_add takes two ints.
            black_box(unsafe { cif.call::<i32>(code, &[arg(&black_box(i as i32)), arg(&2i32)]) });
        }
        return Ok(());
    }
    if which == "new16" || which == "new16same" {
        // `new` over 16 type strings in turn (scaling-compare's row), or over one of them.
        let types = rcffi_testkit::bench::sixteen_types(&ffi)?;
        for i in 0..n {
            let t = if which == "new16" {
                &types[i % 16]
            } else {
                &types[5]
            };
            drop(black_box(ffi.new(black_box(t.as_str()), ())?));
        }
        return Ok(());
    }
    if which == "byname16" || which == "byname16same" {
        // Calls by name over 16 functions in turn (scaling-compare's row), or over one.
        let (_fx, fixture) = rcffi_testkit::fixture::open_fixture()?;
        let fns = rcffi_testkit::bench::IDENTITY_FUNCTIONS;
        for i in 0..n {
            let name = if which == "byname16" {
                fns[i % 16]
            } else {
                fns[5]
            };
            // SAFETY: each identity function takes one small integer.
            drop(black_box(unsafe { fixture.call(black_box(name), (7,)) }?));
        }
        return Ok(());
    }
    if which == "wbufget" {
        // `a[1]` of borrowed bytes (`with_buffer`), whose reads count themselves in and out.
        let mut bytes = [0u8; 40];
        ffi.with_buffer("int[]", &mut bytes, |b| {
            for _ in 0..n {
                drop(black_box(b.get(black_box(1))));
            }
        })?;
        return Ok(());
    }
    if which == "arrget" || which == "bufget" || which == "arrgetas" {
        // `a[1]` of an `int[10]` from `new` or from `from_buffer` (scaling-compare's rows), as
        // a value, or as a Rust `i32`.
        let a = if which == "bufget" {
            ffi.from_buffer("int[]", vec![0u8; 40])?
        } else {
            ffi.new("int[10]", ())?
        };
        for _ in 0..n {
            if which == "arrgetas" {
                black_box(a.get_as::<i32>(black_box(1))?);
            } else {
                drop(black_box(a.get(black_box(1))?));
            }
        }
        return Ok(());
    }
    if which == "byname" {
        for i in 0..n {
            // SAFETY: bench_add takes two ints.
            drop(black_box(unsafe {
                lib.call("bench_add", (black_box(i as i32), 2))
            }));
        }
        return Ok(());
    }
    if let Some(k) = which
        .strip_prefix("newffi")
        .and_then(|k| k.parse::<usize>().ok())
    {
        // `new` with `k` ffi objects in turn (a module per library, each with its own).
        let ffis: Vec<Ffi> = (0..k.max(1))
            .map(|_| {
                let f = Ffi::default();
                f.cdef("struct pt { int x, y; };").map(|_| f)
            })
            .collect::<Result<_, _>>()?;
        for i in 0..n {
            drop(black_box(
                ffis[i % ffis.len()].new(black_box("struct pt *"), ())?,
            ));
        }
        return Ok(());
    }
    if which == "new"
        || which == "newm"
        || which == "newt"
        || which == "newi"
        || which == "field"
        || which == "fieldv"
        || which == "fieldm"
        || which == "cast"
        || which == "castp"
    {
        let p = ffi.new("struct pt *", ())?;
        let t = ffi.typeof_("struct pt *")?;
        let mut sum = 0i128;
        for _ in 0..n {
            if which == "fieldm" {
                // The value taken apart where it is, as code that uses it does.
                if let rcffi::Value::Int(i) = p.field(black_box("x"))? {
                    sum += i;
                }
                continue;
            }
            if which == "new" {
                drop(black_box(ffi.new(black_box("struct pt *"), ())?));
            } else if which == "newm" {
                // The cdata used where it is (its address taken), not copied into `black_box`.
                let c = ffi.new(black_box("struct pt *"), ())?;
                black_box(&c);
            } else if which == "newt" {
                drop(black_box(ffi.new(black_box(&t), ())?));
            } else if which == "newi" {
                // A number to start with (cffi's `ffi.new("int *", 42)`).
                drop(black_box(ffi.new(black_box("int *"), black_box(42))?));
            } else if which == "fieldv" {
                drop(black_box(p.field(black_box("x"))?));
            } else if which == "cast" {
                drop(black_box(ffi.cast(black_box("int"), 42)?));
            } else if which == "castp" {
                // A pointer to another pointer type (cffi's `ffi.cast("char *", p)`).
                drop(black_box(ffi.cast(black_box("char *"), &p)?));
            } else {
                black_box(p.field_as::<i32>(black_box("x"))?);
            }
        }
        black_box(sum);
        return Ok(());
    }
    if let Some(len) = which.strip_prefix("ptrmany").map(|l| {
        if l.is_empty() {
            Ok(1)
        } else {
            l.parse::<usize>()
        }
    }) {
        // N strings (of one byte, or of `ptrmany<len>`'s) stored into one `char *[N]` (each
        // kept alive by the array), read back, overwritten with NULL (data-compare's last
        // table): a run of 0 makes the strings and the array only, so callgrind's difference
        // is the three loops.
        let text = "x".repeat(len?);
        let arr = ffi.new("char *[]", n.max(1))?;
        let strings: Vec<rcffi::CData> = (0..n)
            .map(|_| ffi.new("char[]", text.as_str()))
            .collect::<Result<_, _>>()?;
        let t = std::time::Instant::now();
        for (i, s) in strings.iter().enumerate() {
            arr.set(black_box(i as isize), s)?;
        }
        let store = t.elapsed();
        drop(strings);
        let t = std::time::Instant::now();
        for i in 0..n as isize {
            drop(black_box(arr.get(black_box(i))?));
        }
        let read = t.elapsed();
        let t = std::time::Instant::now();
        for i in 0..n as isize {
            arr.set(black_box(i), ffi.null())?;
        }
        let per = |d: std::time::Duration| d.as_nanos() / n.max(1) as u128;
        eprintln!(
            "store {} read {} overwrite {} ns",
            per(store),
            per(read),
            per(t.elapsed())
        );
        return Ok(());
    }
    if which == "ptrlist" {
        // A linked list of N nodes built from Rust, each node's `next` set to the one made
        // after it (each node keeps the next alive), then freed from its head.
        ffi.cdef("struct link { struct link *next; int v; };")?;
        let head = ffi.new("struct link *", ())?;
        let mut last = head.clone();
        for _ in 0..n {
            let node = ffi.new("struct link *", ())?;
            last.set_field(black_box("next"), &node)?;
            last = node;
        }
        drop(black_box((head, last)));
        return Ok(());
    }
    if which == "handle" {
        // `ffi.new_handle(5)` made and dropped.
        for i in 0..n {
            drop(black_box(ffi.new_handle(black_box(i as u32))));
        }
        return Ok(());
    }
    if which == "fromh" || which == "fromc" {
        // `ffi.from_handle(h)`: of the handle, or of its bare address (a callback's user data).
        let h = ffi.new_handle(5u32);
        let raw = ffi.cast("void *", h.address() as u64)?;
        let from = if which == "fromh" { &h } else { &raw };
        for _ in 0..n {
            black_box(*ffi.from_handle::<u32>(black_box(from))?);
        }
        return Ok(());
    }
    if which == "structcopy" || which == "gc" {
        // cffi's `p[0] = q[0]` (a struct copied by value), and `ffi.gc(p, f)` made and dropped.
        let p = ffi.new("struct pt *", rcffi::list![1, 2])?;
        let q = ffi.new("struct pt *", ())?;
        for _ in 0..n {
            if which == "gc" {
                drop(black_box(ffi.gc(black_box(&p), |_| {})));
            } else {
                p.set(0, black_box(q.get(0)?))?;
            }
        }
        return Ok(());
    }
    if which == "newarr" || which == "newopen" || which == "newlist" {
        // Arrays and an initializer list, as cffi code makes them: `new("int[10]")`,
        // `new("int[]", 10)`, `new("struct pt *", [1, 2])`.
        for _ in 0..n {
            let c = match which.as_str() {
                "newarr" => ffi.new(black_box("int[10]"), ()),
                "newopen" => ffi.new(black_box("int[]"), black_box(10)),
                _ => ffi.new(black_box("struct pt *"), list![black_box(1), 2]),
            };
            drop(black_box(c?));
        }
        return Ok(());
    }
    if which == "newstr" {
        // An open array sized by its initializer: cffi's `new("char[]", b"hello")`.
        for _ in 0..n {
            drop(black_box(ffi.new(black_box("char[]"), black_box("hello"))?));
        }
        return Ok(());
    }
    if which == "string" {
        // `ffi.string` of a `char[16]` holding 15 characters (data-compare's row).
        let s = ffi.new("char[16]", b"hello world 123".as_slice())?;
        for _ in 0..n {
            drop(black_box(ffi.string(black_box(&s), None)?));
        }
        return Ok(());
    }
    if which == "offset" || which == "slice" || which == "addrof" {
        // Pointers derived from memory: `a + 1`, `a[1:3]`, `addressof(p, "x")`.
        let a = ffi.new("int[10]", ())?;
        let p = ffi.new("struct pt *", ())?;
        for _ in 0..n {
            match which.as_str() {
                "offset" => drop(black_box(a.offset(black_box(1))?)),
                "slice" => drop(black_box(a.slice(black_box(1), 3)?)),
                _ => drop(black_box(ffi.addressof(&p, black_box("x"))?)),
            }
        }
        return Ok(());
    }
    if which == "ptrstore" || which == "ptrread" || which == "ptrnull" {
        ffi.cdef("struct node { struct node *next; int v; };")?;
        let q = ffi.new("struct node *", ())?;
        let nd = ffi.new("struct node *", ())?;
        q.set_field("next", &nd)?;
        if which == "ptrnull" {
            // NULL read from memory that has kept something (the end of a list).
            q.set_field("next", ffi.null())?;
        }
        for _ in 0..n {
            if which == "ptrstore" {
                q.set_field(black_box("next"), black_box(&nd))?;
            } else {
                // `ptrread` and `ptrnull`.
                drop(black_box(q.field(black_box("next"))?));
            }
        }
        return Ok(());
    }
    if which == "tqsort" || which == "nqsort" {
        // qsort with a typed callback, or with a native comparator (the typed one's baseline).
        ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")?;
        type Cmp = extern "C" fn(*const i32, *const i32) -> i32;
        extern "C" fn native(a: *const i32, b: *const i32) -> i32 {
            // SAFETY: qsort passes pointers into the array.
            let (x, y) = unsafe { (*a, *b) };
            x.cmp(&y) as i32
        }
        let qsort = libc.typed::<unsafe extern "C" fn(*mut i32, usize, usize, Cmp)>("qsort")?;
        let typed = ffi.typed_callback::<Cmp, _>(
            "int(*)(const void *, const void *)",
            |a: *const i32, b: *const i32| {
                // SAFETY: qsort passes pointers into the array.
                let (x, y) = unsafe { (*a, *b) };
                x.cmp(&y) as i32
            },
        )?;
        let mut data = rcffi_testkit::bench::park_miller_ints(n);
        let cmp = if which == "tqsort" {
            // SAFETY: called only by the qsort below, while `typed` lives.
            unsafe { typed.get() }
        } else {
            native
        };
        // SAFETY: qsort sorts the ints with a comparator of its type.
        unsafe { qsort(data.as_mut_ptr(), n, 4, cmp) };
        anyhow::ensure!(data.windows(2).all(|w| w[0] <= w[1]));
        return Ok(());
    }
    if which == "asadd" {
        // A handle called with Rust arguments (`call_as`): checked once, then a direct call.
        let mut s = 0i32;
        for i in 0..n {
            // SAFETY: bench_add takes two ints.
            s = s.wrapping_add(unsafe { f.call_as::<i32, _>((black_box(i as i32), 2))? });
        }
        black_box(s);
        return Ok(());
    }
    if which == "tadd" || which == "dadd" {
        // A typed call, or the direct call through the same pointer (its baseline).
        let add = lib.typed::<unsafe extern "C" fn(i32, i32) -> i32>("bench_add")?;
        // SAFETY: the fixture's bench_add, of this type (checked).
        let direct: extern "C" fn(i32, i32) -> i32 = unsafe { std::mem::transmute(add.address()) };
        let mut s = 0i32;
        for i in 0..n {
            s = s.wrapping_add(if which == "tadd" {
                // SAFETY: as above.
                unsafe { add(black_box(i as i32), 2) }
            } else {
                direct(black_box(i as i32), 2)
            });
        }
        black_box(s);
        return Ok(());
    }
    if let Some(kind) = which.strip_prefix("rec-") {
        // A small record in and out by value, as `scaling-compare`'s by-value rows pass it:
        // `rec-u4` (a union of a float and an int), `rec-bf` (bitfields), `rec-al` (an
        // aligned record whose second eightbyte is padding).
        let (decl, init) = match kind {
            "u4" => ("union r { float f; int i; }", list![5]),
            "bf" => ("struct r { unsigned a : 3, b : 29; }", list![1, 2]),
            _ => (
                "struct __attribute__((aligned(16))) r { long long x; }",
                list![5],
            ),
        };
        let tag = decl.split(' ').next().unwrap_or("struct");
        let src = format!("{decl};\n{tag} r echo({tag} r a, int d) {{ return a; }}\n");
        let path = rcffi_testkit::fixture::build_shared(&format!("rec{kind}"), &src, &["-O1"])?;
        let rffi = Ffi::default();
        rffi.cdef(&format!("{decl}; {tag} r echo({tag} r a, int d);"))?;
        // SAFETY: the library is built from `src`, which the cdef declares.
        let rlib = unsafe { rffi.dlopen(path.to_str().unwrap_or_default())? };
        let echo = rlib.function("echo")?;
        let a = rffi.new(format!("{tag} r *").as_str(), init)?.get(0)?;
        for i in 0..n {
            // SAFETY: as declared.
            drop(black_box(unsafe { echo.call((&a, i as i32))? }));
        }
        return Ok(());
    }
    if let Some(size) = which
        .strip_prefix("rs")
        .or_else(|| which.strip_prefix("is"))
        .or_else(|| which.strip_prefix('s'))
        .and_then(|n| n.parse::<usize>().ok())
    {
        // A struct of `size` bytes (long longs) in and out: through a handle (sN), through a
        // handle into one cdata reused (`call_into`, isN), or raw libffi (rsN).
        let k = size / 8;
        let src = format!(
            "typedef struct {{ long long v[{k}]; }} s_t;\n\
             s_t echo(s_t a, int d) {{ a.v[0] += d; return a; }}\n"
        );
        let path = rcffi_testkit::fixture::build_shared(&format!("sprobe{size}"), &src, &["-O1"])?;
        let sffi = Ffi::default();
        sffi.cdef(&format!(
            "typedef struct {{ long long v[{k}]; }} s_t; s_t echo(s_t a, int d);"
        ))?;
        // SAFETY: the library is built from `src`, which the cdef declares.
        let slib = unsafe { sffi.dlopen(path.to_str().unwrap_or_default())? };
        let echo = slib.function("echo")?;
        let a = sffi.new("s_t *", ())?.get(0)?;
        if which.starts_with("rs") {
            use libffi::middle::{Cif, CodePtr, Type};
            let st = || Type::structure((0..k).map(|_| Type::i64()));
            let cif = Cif::new([st(), Type::i32()], st());
            let code = CodePtr::from_ptr(echo.address() as *const _);
            let input = vec![0i64; k];
            // One result buffer for every call, as `scaling-compare`'s raw rows have.
            let mut out = vec![0i64; k.max(2)];
            for i in 0..n {
                let d = i as i32;
                // SAFETY: echo takes and returns the struct of k long longs, as the interface says.
                unsafe {
                    libffi::raw::ffi_call(
                        cif.as_raw_ptr(),
                        Some(*code.as_safe_fun()),
                        out.as_mut_ptr().cast(),
                        [
                            input.as_ptr().cast_mut().cast::<std::ffi::c_void>(),
                            (&raw const d).cast_mut().cast::<std::ffi::c_void>(),
                        ]
                        .as_mut_ptr(),
                    );
                }
                black_box(&mut out);
            }
        } else if which.starts_with("is") {
            let out = sffi.new("s_t *", ())?;
            for i in 0..n {
                // SAFETY: as declared.
                unsafe { echo.call_into(&out, (&a, i as i32))? };
                black_box(&out);
            }
        } else {
            for i in 0..n {
                // SAFETY: as declared.
                drop(black_box(unsafe { echo.call((&a, i as i32))? }));
            }
        }
        return Ok(());
    }
    if which == "qsort" || which == "vqsort" {
        ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")?;
        let qsort = libc.function("qsort")?;
        let cmp = if which == "qsort" {
            rcffi_testkit::bench::int_comparator(&ffi)?
        } else {
            rcffi_testkit::bench::int_comparator_cffi_style(&ffi)?
        };
        let data = rcffi_testkit::bench::park_miller_ints(n);
        let arr = ffi.new("int[]", data)?;
        // SAFETY: qsort sorts the array with a comparator of its type.
        unsafe { qsort.call((&arr, n, 4usize, &cmp))? };
        return Ok(());
    }
    if which == "rawmid" {
        use libffi::middle::{Cif, CodePtr, Type, arg};
        #[repr(C)]
        #[derive(Copy, Clone)]
        struct Pt(i32, i32);
        let pt = || Type::structure([Type::i32(), Type::i32()]);
        let cif = Cif::new([pt(), pt()], pt());
        let code = CodePtr::from_ptr(lib.function("bench_mid")?.address() as *const _);
        let p = Pt(1, 2);
        for _ in 0..n {
            // SAFETY: bench_mid takes and returns struct pt.
            black_box(unsafe { cif.call::<Pt>(code, &[arg(&black_box(p)), arg(&p)]) });
        }
        return Ok(());
    }
    if which == "addm" {
        // `add` with its result taken apart where it is, as code that uses it does (the other
        // workloads hand the whole `Result<Value>` to `black_box`, a copy through memory).
        let mut sum = 0i128;
        for i in 0..n {
            // SAFETY: bench_add takes two ints.
            if let Ok(rcffi::Value::Int(v)) = unsafe { f.call((black_box(i as i32), 2)) } {
                sum += v;
            }
        }
        black_box(sum);
        return Ok(());
    }
    if which == "sumarr4" || which == "sumarr1k" {
        // A slice of Rust numbers for a `const int *` (`sum_arr(&v[..], n)`).
        let v: Vec<i32> = (0..if which == "sumarr4" { 4 } else { 1000 }).collect();
        for _ in 0..n {
            // SAFETY: sum_arr reads n ints.
            drop(black_box(unsafe {
                f.call((black_box(&v[..]), v.len() as i32))
            }));
        }
        return Ok(());
    }
    if which == "cbcall" || which == "cbcallh" {
        // C calling a Rust callback once per call: `call_int_cb(cb, i)` by name (scaling-
        // compare's row) or through the handle.
        let cb = ffi.callback("int(*)(int)", |a| a.get_as::<i32>(0).map(|x| x + 1))?;
        for i in 0..n {
            // SAFETY: call_int_cb calls the callback once with its argument.
            let r = unsafe {
                if which == "cbcall" {
                    lib.call("call_int_cb", (&cb, black_box(i as i32)))
                } else {
                    f.call((&cb, black_box(i as i32)))
                }
            };
            drop(black_box(r));
        }
        return Ok(());
    }
    if which == "fill4" || which == "fill4v" {
        // Rust numbers lent in place to an `int *` (`fill(&mut out, 4, v)`): a tuple, or a list
        // of `Arg`s (the converting path).
        let mut out = [0i32; 4];
        for i in 0..n {
            // SAFETY: fill writes n ints.
            let r = unsafe {
                if which == "fill4" {
                    f.call((black_box(&mut out), 4, i as i32))
                } else {
                    f.call(vec![
                        rcffi::IntoArg::into_arg(black_box(&mut out)),
                        rcffi::Arg::Int(4),
                        rcffi::Arg::Int(i as i64),
                    ])
                }
            };
            drop(black_box(r));
        }
        black_box(out);
        return Ok(());
    }
    if which == "strlen1k" {
        // A `&str` of 1,000 bytes for a `const char *`: past the call's stack area.
        let long = "x".repeat(1000);
        for _ in 0..n {
            // SAFETY: strlen reads a NUL-terminated string.
            drop(black_box(unsafe { f.call((black_box(long.as_str()),)) }));
        }
        return Ok(());
    }
    // A `long double` cdata argument (as a call's own result passes it on).
    let ldc = ffi.new("long double *", 1.5)?.get(0)?;
    if which == "addvh" || which == "midvh" || which == "enumvh" {
        // A list of values made once and called with many times (a script's arguments),
        // without the making and dropping of each call's list that `addv` also times; for
        // `midvh`, `mid`'s two structs, for `enumvh`, `enum`'s enum and int.
        let held = if which == "addvh" {
            [Value::Int(5), Value::Int(2)]
        } else if which == "enumvh" {
            [Value::Int(-1), Value::Int(1)]
        } else {
            [pa.clone(), pa.clone()]
        };
        for _ in 0..n {
            // SAFETY: bench_add takes two ints, bench_mid two points.
            drop(black_box(unsafe { f.call(black_box(&held[..])) }));
        }
        return Ok(());
    }
    // Values in a tuple (a value read out of C, passed on): a borrowed `Int` and an owned one
    // for `add`, a borrowed `Float` for `addd`.
    let (vi, vf, vb) = (Value::Int(5), Value::Float(1.5), Value::Bytes(b"a".into()));
    for i in 0..n {
        // SAFETY: each call matches the declaration.
        let r = unsafe {
            match which.as_str() {
                "add" => f.call((black_box(i as i32), 2)),
                "addvr" => f.call((black_box(&vi), Value::Int(2))),
                "adddvr" => f.call((black_box(&vf), 2.5)),
                "addd" => f.call((black_box(1.5), 2.5)),
                "mixed6" => f.call((1, 2.5, 3, 4.5, 5, 6.5)),
                "sum8l" => f.call((black_box(1i64), 2i64, 3i64, 4i64, 5i64, 6i64, 7i64, 8i64)),
                "ldiv" => f.call((black_box(17i64), 5i64)),
                "idnull" => f.call((black_box(None::<&rcffi::CData>),)),
                "idNULL" => f.call((black_box(rcffi::NULL),)),
                // A list of values, as a script or a dynamic caller passes them.
                "addv" => f.call(&[Value::Int(black_box(i as i128)), Value::Int(2)][..]),
                "mid" => f.call((&pa, &pa)),
                "enum" => f.call((black_box(-1), 1)),
                "bool" => f.call((black_box(true), 1)),
                "i128" => f.call((black_box(rcffi::Value::Int(1 << 100)), 1)),
                "cplx" => f.call((black_box(rcffi::list![1.5, 2.5]), 2)),
                "ld" => f.call((black_box(1.5), 1)),
                "char" => f.call((black_box(&b"a"[..]), 1)),
                // A `char` read out of C (`Bytes`), passed on.
                "charvr" => f.call((black_box(&vb), 1)),
                "ldc" => f.call((black_box(&ldc), 1)),
                "vsum" => f.call((3, black_box(1), 2, 3)),
                _ => f.call((black_box("hello"),)),
            }
        };
        drop(black_box(r));
    }
    Ok(())
}

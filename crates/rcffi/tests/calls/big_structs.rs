//! Structs of more than 16 bytes by value, in and out (issue 18, item 4): on x86-64 the register
//! path copies an argument of up to 512 bytes onto the stack whole and has the callee write a
//! result of any size straight into its new allocation; one larger argument, or one past the
//! 64 stack words, is copied from its memory by the call itself (`far_structs.rs`), and two
//! such take libffi's path. Every size here, odd tails included, is called
//! through rcffi — with cdata arguments and with list initializers — and compared with the same
//! gcc-compiled function called directly from Rust, with a result of each class: a struct
//! through memory, an integer, a `double`, a struct in an integer and a vector register (past
//! 16 stack words, x86-64 calls copy the words in `asm!`: `call_wide`). Results of 1 to 4 KiB
//! are recycled blocks.

use rcffi::{CData, Ffi, Value};

/// `struct sK_M { long long v[K]; unsigned char t[M]; }` (M = 0: no tail), the C of `echo`
/// and `mix` for it, and the declarations.
fn c_text(k: usize, m: usize) -> (String, String) {
    let name = format!("s{k}_{m}");
    let tail = if m > 0 {
        format!(" unsigned char t[{m}];")
    } else {
        String::new()
    };
    let ty = format!("typedef struct {{ long long v[{k}];{tail} }} {name};\n");
    let tail_ops = if m > 0 {
        format!(
            "for (int j = 0; j < {m}; j++) r.t[j] = (unsigned char)(a.t[j] * 3 + b.t[{m} - 1 - j] + x);"
        )
    } else {
        String::new()
    };
    let source = format!(
        "{ty}{name} echo_{name}(int x, {name} a, double y, {name} b) {{
            {name} r;
            for (int i = 0; i < {k}; i++) r.v[i] = a.v[i] * 7 - b.v[{k} - 1 - i] + x + (long long)y;
            {tail_ops}
            return r;
        }}
        long long mix_{name}({name} a, int x) {{
            long long s = x;
            for (int i = 0; i < {k}; i++) s = s * 31 + a.v[i];
            {tail_sum}
            return s;
        }}
        double fmix_{name}(float f, {name} a) {{
            double s = f;
            for (int i = 0; i < {k}; i++) s = s * 0.5 + (double)a.v[i];
            return s;
        }}
        pair_t pair_{name}({name} a, double d) {{
            pair_t p = {{ a.v[0] - a.v[{k} - 1], d * 2 + (double)a.v[{k} / 2] }};
            return p;
        }}\n",
        tail_sum = if m > 0 {
            format!("for (int j = 0; j < {m}; j++) s = s * 31 + a.t[j];")
        } else {
            String::new()
        }
    );
    let cdef = format!(
        "{ty}{name} echo_{name}(int x, {name} a, double y, {name} b);
         long long mix_{name}({name} a, int x);
         double fmix_{name}(float f, {name} a);
         pair_t pair_{name}({name} a, double d);\n"
    );
    (source, cdef)
}

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct S<const K: usize, const M: usize> {
    v: [i64; K],
    t: [u8; M],
}

/// The value of argument `which` (0 or 1) as Rust, and as the list rcffi initializes it from.
fn arg<const K: usize, const M: usize>(which: i64) -> (S<K, M>, Value) {
    let v: [i64; K] = std::array::from_fn(|i| ((i as i64 + 1) * (which * 1000 - 377)) ^ (1 << 40));
    let t: [u8; M] = std::array::from_fn(|j| (j as u8).wrapping_mul(37).wrapping_add(which as u8));
    let mut items = vec![Value::from(v.to_vec())];
    if M > 0 {
        items.push(Value::Bytes(t.into()));
    }
    (S { v, t }, Value::List(items))
}

/// The struct a cdata holds, as Rust (each member read through rcffi).
fn read<const K: usize, const M: usize>(c: &CData) -> S<K, M> {
    let v = c
        .field("v")
        .unwrap()
        .cdata()
        .unwrap()
        .to_array::<i64, K>()
        .unwrap();
    let t = if M > 0 {
        c.field("t")
            .unwrap()
            .cdata()
            .unwrap()
            .to_array::<u8, M>()
            .unwrap()
    } else {
        [0; M]
    };
    S { v, t }
}

fn check<const K: usize, const M: usize>(ffi: &Ffi, lib: &rcffi::Lib) {
    let name = format!("s{K}_{M}");
    type Echo<T> = extern "C" fn(i32, T, f64, T) -> T;
    type Mix<T> = extern "C" fn(T, i32) -> i64;
    type FMix<T> = extern "C" fn(f32, T) -> f64;
    type PairOf<T> = extern "C" fn(T, f64) -> Pair;
    // SAFETY: echo_NAME and mix_NAME have these signatures (`c_text`), with S<K, M> laid out as
    // the C struct (repr(C): K long longs, then M bytes).
    let echo: Echo<S<K, M>> =
        unsafe { std::mem::transmute(lib.function(&format!("echo_{name}")).unwrap().address()) };
    // SAFETY: as above.
    let mix: Mix<S<K, M>> =
        unsafe { std::mem::transmute(lib.function(&format!("mix_{name}")).unwrap().address()) };
    // SAFETY: as above (`pair_t` is `Pair`: a long long and a double, one register each).
    let fmix: FMix<S<K, M>> =
        unsafe { std::mem::transmute(lib.function(&format!("fmix_{name}")).unwrap().address()) };
    // SAFETY: as above.
    let pair: PairOf<S<K, M>> =
        unsafe { std::mem::transmute(lib.function(&format!("pair_{name}")).unwrap().address()) };
    let ((ra, la), (rb, lb)) = (arg::<K, M>(0), arg::<K, M>(1));
    let want = echo(-5, ra, 2.75, rb);
    let want_mix = mix(rb, 9);
    let ptr = format!("{name} *");
    let (ca, cb) = (
        ffi.new(ptr.as_str(), la.clone()).unwrap().get(0).unwrap(),
        ffi.new(ptr.as_str(), lb.clone()).unwrap().get(0).unwrap(),
    );
    for (a, b) in [(ca.clone(), cb.clone()), (la, lb.clone())] {
        // SAFETY: as declared in the cdef.
        let got = unsafe { lib.call(&format!("echo_{name}"), (-5, a, 2.75, b)) }.unwrap();
        assert_eq!(
            read::<K, M>(got.as_cdata().unwrap()),
            want,
            "echo of {name}"
        );
    }
    // The same call given a list of values (a script's arguments): the list's own path, or —
    // where the second struct is one the call copies itself (a far one) — the converting path.
    let list = [Value::Int(-5), ca.clone(), Value::Float(2.75), cb.clone()];
    // SAFETY: as declared in the cdef.
    let got = unsafe { lib.call(&format!("echo_{name}"), &list[..]) }.unwrap();
    assert_eq!(
        read::<K, M>(got.as_cdata().unwrap()),
        want,
        "echo of {name}, a list"
    );
    for b in [cb, lb] {
        // SAFETY: as declared.
        let got = unsafe { lib.call(&format!("mix_{name}"), (&b, 9)) }.unwrap();
        assert_eq!(got, Value::Int(i128::from(want_mix)), "mix of {name}");
        // A floating result, and a struct in one integer and one vector register.
        // SAFETY: as declared.
        let got = unsafe { lib.call(&format!("fmix_{name}"), (1.5f32, &b)) }.unwrap();
        assert_eq!(got, Value::Float(fmix(1.5, rb)), "fmix of {name}");
        let want_pair = pair(rb, -3.25);
        // SAFETY: as declared.
        let got = unsafe { lib.call(&format!("pair_{name}"), (&b, -3.25)) }.unwrap();
        let got = got.as_cdata().unwrap();
        assert_eq!(
            (
                got.field_as::<i64>("a").unwrap(),
                got.field_as::<f64>("d").unwrap()
            ),
            (want_pair.a, want_pair.d),
            "pair of {name}"
        );
    }
}

/// `pair_t`: returned in one integer and one vector register.
#[repr(C)]
#[derive(Clone, Copy)]
struct Pair {
    a: i64,
    d: f64,
}

macro_rules! sizes {
    ($(($k:literal, $m:literal)),*) => {{
        let mut source = String::from("typedef struct { long long a; double d; } pair_t;\n");
        let mut cdef = source.clone();
        $(
            let (s, c) = c_text($k, $m);
            source += &s;
            cdef += &c;
        )*
        let path = rcffi_testkit::fixture::build_shared("big_structs", &source, &["-O1"])
            .expect("gcc");
        let ffi = Ffi::default();
        ffi.cdef(&cdef).unwrap();
        // SAFETY: the library is built from `source`, which `cdef` declares.
        let lib = unsafe { ffi.dlopen(path.to_str().unwrap()) }.unwrap();
        $(check::<$k, $m>(&ffi, &lib);)*
    }};
}

#[test]
fn structs_of_17_to_520_bytes_by_value_equal_the_direct_call() {
    // 17..24 bytes with a tail, 64 to 256 (two of 256 fill the 64 stack words, two of 264 pass
    // them together), 512 at the stack words' edge, and one byte past it.
    sizes!(
        (2, 1),
        (2, 7),
        (3, 0),
        (4, 3),
        (8, 0),
        (7, 5),
        (15, 7),
        (16, 0),
        (16, 1),
        (32, 0),
        (33, 0),
        (64, 0),
        (64, 1)
    );
}

#[test]
fn structs_of_1_to_4_kib_by_value_equal_the_direct_call() {
    // `echo`'s two such arguments take libffi's path, needing more than 2 KiB of stack (walked
    // first: `call::probe`); `mix`, `fmix` and `pair`'s one, the far call's (copied from its
    // memory); results of 1 KiB and up to 4 KiB inline in blocks the thread recycles in
    // its big classes (1,023 bytes: a block rounded up from 1,056), and past 4 KiB a block of
    // their own.
    sizes!((127, 7), (128, 0), (500, 0), (512, 0), (512, 1));
}

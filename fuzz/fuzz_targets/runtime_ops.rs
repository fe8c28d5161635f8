//! The runtime under any sequence of safe calls: random structs, unions, bitfields, arrays
//! and pointers are declared, then cdata are made, read, written, addressed, cast, sliced,
//! unpacked, copied, stored into each other, compared and dropped, by one `ffi` object and
//! by another. Nothing may panic, and (with the sanitizer cargo-fuzz builds with) nothing may
//! touch memory it should not.
//!
//! `cargo +nightly fuzz run runtime_ops -- -max_total_time=600` (from `fuzz/`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rcffi::{CData, Ffi, Value};

/// The fuzzer's bytes, read as choices (zeros once they run out).
struct Input<'a> {
    data: &'a [u8],
    at: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
    fn done(&self) -> bool {
        self.at >= self.data.len()
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.byte() as usize % n }
    }
    fn pick<'x, T>(&mut self, xs: &'x [T]) -> &'x T {
        &xs[self.below(xs.len())]
    }
    /// An index or count: small ones mostly, and the edges of the integer types.
    fn index(&mut self) -> isize {
        match self.byte() % 8 {
            0 => isize::MAX,
            1 => isize::MIN,
            2 => 1 << 62,
            3 => -(self.byte() as isize),
            4 => (self.byte() as isize) << (self.byte() % 48),
            _ => self.byte() as isize % 12,
        }
    }
    fn value(&mut self, pool: &[CData]) -> Value {
        match self.byte() % 10 {
            0 => Value::Int(i128::from(self.byte() as i8)),
            8 => Value::UInt(u128::MAX >> (self.byte() % 2)),
            1 => Value::Int(i128::MAX >> (self.byte() % 128)),
            2 => Value::Float(f64::from(self.byte()) / 3.0),
            3 => Value::Bytes(vec![b'a'; self.below(20)].into()),
            4 => Value::Text("héllo".into()),
            5 if !pool.is_empty() => Value::from(self.pick(pool).clone()),
            6 => Value::List((0..self.below(5)).map(|i| Value::Int(i as i128)).collect()),
            7 => Value::Bool(self.byte() & 1 == 1),
            9 => {
                let n = self.below(6);
                match self.byte() % 4 {
                    0 => Value::from((0..n).map(|_| self.index() as i32).collect::<Vec<i32>>()),
                    1 => Value::from((0..n).map(|_| self.index() as u64).collect::<Vec<u64>>()),
                    2 => Value::from((0..n).map(|_| self.byte() as i8).collect::<Vec<i8>>()),
                    _ => Value::from((0..n).map(|_| self.index() as f32).collect::<Vec<f32>>()),
                }
            }
            _ => Value::Void,
        }
    }
}

/// Whether an initializer holds a number that, as a length, would ask for gigabytes.
fn too_long(v: &Value) -> bool {
    const MOST: i128 = 1 << 20;
    match v {
        Value::Int(n) => *n > MOST,
        Value::UInt(_) => true,
        Value::Float(x) => *x > MOST as f64,
        Value::List(items) => items.iter().any(too_long),
        Value::Map(items) => items.iter().any(|(_, v)| too_long(v)),
        Value::Numbers(n) => n.to_values().iter().any(too_long),
        _ => false,
    }
}

const PRIMS: &[&str] = &[
    "char", "signed char", "unsigned char", "short", "int", "unsigned", "long", "long long",
    "float", "double", "_Bool", "__int128", "unsigned __int128", "long double", "wchar_t",
    "char16_t",
];

/// A cdef of a few records built from the input.
fn declarations(inp: &mut Input<'_>) -> String {
    let mut text = String::new();
    let records = 1 + inp.below(4);
    for r in 0..records {
        let kind = if inp.byte() % 4 == 0 { "union" } else { "struct" };
        let packed = if inp.byte() % 4 == 0 { "__attribute__((packed)) " } else { "" };
        text.push_str(&format!("{kind} {packed}t{r} {{ "));
        let members = 1 + inp.below(6);
        for m in 0..members {
            let last = m + 1 == members;
            let member = match inp.byte() % 9 {
                0 => format!("{} m{m}[{}];", inp.pick(PRIMS), inp.below(5)),
                1 => format!("{} *m{m};", inp.pick(&["char", "int", "void", "long"])),
                2 if r > 0 => format!("struct t{} m{m};", inp.below(r)),
                3 => format!("struct t{r} *m{m};"),
                4 => format!("int m{m} : {};", 1 + inp.below(32)),
                5 => format!("unsigned __int128 m{m} : {};", 1 + inp.below(128)),
                6 if last && kind == "struct" && m > 0 => format!("int m{m}[];"),
                7 => format!("char *m{m}[{}];", 1 + inp.below(3)),
                _ => format!("{} m{m};", inp.pick(PRIMS)),
            };
            text.push_str(&member);
            text.push(' ');
        }
        text.push_str("};\n");
    }
    text
}

const PATHS: &[&str] = &[
    "m0", "m1", "m2", "m3", "m4", "m5", "m0[1]", "m1.m0", "[1]", "[0]", "m0[4611686018427387904]",
    "m2[-3]", "", "nope",
];

/// `struct t0 { char x; }` as a Rust type, when the random declarations make it so.
#[derive(rcffi::NativeType, Clone, Copy)]
#[repr(C)]
#[rcffi(c = "struct t0")]
struct T0 {
    x: i8,
}

fuzz_target!(|data: &[u8]| {
    let mut inp = Input { data, at: 0 };
    let ffi = Ffi::default();
    let other = Ffi::default();
    let text = declarations(&mut inp);
    if ffi.cdef(&text).is_err() {
        return;
    }
    let _ = other.cdef("struct t0 { char x; };");
    // libc functions that do not read through their pointers as called below: the calls
    // with lists of values (`memcpy` of 0 bytes returns its first argument).
    let libc = ffi
        .cdef(
            "int abs(int); long labs(long); size_t strlen(const char *);
             typedef struct { int quot, rem; } div_t; div_t div(int, int);
             void *memcpy(void *, const void *, size_t);",
        )
        // SAFETY: the C library, declared as it defines these.
        .and_then(|_| unsafe { ffi.dlopen("c") })
        .ok();
    let types: Vec<String> = {
        let mut t = vec![
            "int[4]".to_string(),
            "char[]".into(),
            "char *[3]".into(),
            "long *".into(),
            "void *".into(),
            "unsigned char[16]".into(),
            "int **".into(),
        ];
        for r in 0..4 {
            t.push(format!("struct t{r} *"));
            t.push(format!("struct t{r}[2]"));
            t.push(format!("union t{r} *"));
        }
        t
    };
    let mut pool: Vec<CData> = Vec::new();
    while !inp.done() && pool.len() < 64 {
        let pick = |inp: &mut Input<'_>, pool: &[CData]| -> Option<CData> {
            if pool.is_empty() { None } else { Some(inp.pick(pool).clone()) }
        };
        match inp.byte() % 28 {
            0 | 1 => {
                let ty = inp.pick(&types).clone();
                let init = inp.value(&pool);
                // Arrays of up to a megabyte: reading a gigabyte byte by byte is slow, not
                // wrong. A number anywhere in the initializer may be a length (the last
                // member of a variable-size struct takes one).
                if too_long(&init) {
                    continue;
                }
                if let Ok(c) = ffi.new(ty.as_str(), init) {
                    pool.push(c);
                }
            }
            2 => if let Some(c) = pick(&mut inp, &pool) { let _ = c.get(inp.index()); },
            3 => if let Some(c) = pick(&mut inp, &pool) {
                let v = inp.value(&pool);
                let _ = c.set(inp.index(), v);
            },
            4 => if let Some(c) = pick(&mut inp, &pool) {
                let name = *inp.pick(PATHS);
                if let Ok(Value::CData(f)) = c.field(name) { pool.push(f); }
            },
            5 => if let Some(c) = pick(&mut inp, &pool) {
                let name = *inp.pick(PATHS);
                let v = inp.value(&pool);
                let _ = c.set_field(name, v);
            },
            6 => if let Some(c) = pick(&mut inp, &pool) {
                if let Ok(p) = c.offset(inp.index()) { pool.push(p); }
            },
            7 => if let Some(c) = pick(&mut inp, &pool) {
                let (a, b) = (inp.index(), inp.index());
                if let Ok(s) = c.slice(a.min(b), a.max(b)) { pool.push(s); }
            },
            8 => if let Some(c) = pick(&mut inp, &pool) {
                let ty = inp.pick(&types).clone();
                if let Ok(x) = ffi.cast(ty.as_str(), c) { pool.push(x); }
            },
            9 => if let Some(c) = pick(&mut inp, &pool) {
                if let Ok(x) = ffi.addressof(&c, *inp.pick(PATHS)) { pool.push(x); }
            },
            10 => if let Some(c) = pick(&mut inp, &pool) {
                let n = inp.index().unsigned_abs();
                if n <= 1 << 16 {
                    let _ = ffi.unpack(&c, n);
                }
                let _ = ffi.string(&c, if n % 2 == 0 { None } else { Some(n) });
            },
            11 => if let Some(c) = pick(&mut inp, &pool) {
                let size = if inp.byte() % 2 == 0 { None } else { Some(inp.index().unsigned_abs()) };
                if let Ok(b) = ffi.buffer(&c, size) {
                    let _ = b.to_vec();
                    let _ = b.set(inp.index().unsigned_abs(), inp.byte());
                }
            },
            12 => if let (Some(a), Some(b)) = (pick(&mut inp, &pool), pick(&mut inp, &pool)) {
                let _ = ffi.memmove(&a, b, inp.index().unsigned_abs());
            },
            13 => if let (Some(a), Some(b)) = (pick(&mut inp, &pool), pick(&mut inp, &pool)) {
                let _ = a.diff(&b);
                let _ = a == b;
            },
            14 => if !pool.is_empty() {
                let i = inp.below(pool.len());
                drop(pool.swap_remove(i));
            },
            15 => {
                let ty = inp.pick(&types).clone();
                let bytes = vec![inp.byte(); inp.below(40)];
                if let Ok(c) = ffi.from_buffer(ty.as_str(), bytes) { pool.push(c); }
            },
            16 => if let Some(c) = pick(&mut inp, &pool) {
                let g = ffi.gc(&c, |orig| { let _ = orig.get(0); });
                if inp.byte() % 2 == 0 { let _ = ffi.release(&g); }
                pool.push(g);
            },
            17 => {
                let ty = inp.pick(&types).clone();
                let _ = ffi.sizeof(ty.as_str());
                let _ = ffi.offsetof(ty.as_str(), *inp.pick(PATHS));
                let _ = ffi.getctype(ty.as_str(), "*");
                if let Ok(t) = ffi.typeof_(ty.as_str()) {
                    let _ = t.fields();
                    let _ = t.item();
                }
            },
            18 => if let Some(c) = pick(&mut inp, &pool) {
                // Listing millions of items is slow, not wrong.
                if c.len().is_ok_and(|n| n <= 1 << 16) {
                    let _ = c.to_vec();
                }
                let _ = c.len();
                let _ = format!("{c:?}");
                let _ = c.to_value();
                let _ = c.sizeof();
                let _ = c.dir();
            },
            19 => if let Some(c) = pick(&mut inp, &pool) {
                // Another ffi object: its methods on this one's cdata, and the reverse.
                let _ = other.unpack(&c, inp.index().unsigned_abs() % 8);
                let _ = other.buffer(&c, None);
                if let Ok(x) = other.addressof(&c, *inp.pick(PATHS)) { pool.push(x); }
                if let Ok(x) = other.new("struct t0 *", Value::from(c.clone())) { pool.push(x); }
                if let Ok(x) = other.cast("char *", c) { pool.push(x); }
            },
            20 => if let Some(c) = pick(&mut inp, &pool) {
                let _ = c.get_as::<i64>(inp.index());
                let _ = c.field_as::<f64>(*inp.pick(PATHS));
                let _ = c.to_int();
                let _ = c.to_f64();
            },
            21 => if let (Some(a), Some(b)) = (pick(&mut inp, &pool), pick(&mut inp, &pool)) {
                // A pointer stored into memory, then the memory overwritten or copied.
                let _ = a.set(0, b);
                let _ = a.set_field(*inp.pick(PATHS), Value::Int(0));
            },
            22 => {
                let h = ffi.new_handle(inp.byte());
                let _ = ffi.from_handle::<u8>(&h);
                pool.push(h);
                // Any cdata's address as a handle (a live one, a released one, none), of
                // either type.
                if let Some(c) = pick(&mut inp, &pool) {
                    if let Ok(raw) = ffi.cast("void *", c.address() as u64) {
                        let _ = ffi.from_handle::<u8>(&raw).map(|v| *v);
                        let _ = other.from_handle::<String>(&raw);
                    }
                }
            },
            25 => {
                // Borrowed bytes: read, written and derived from inside the scope; views kept
                // past it refuse every access.
                let ty = inp.pick(&types).clone();
                let mut bytes = vec![inp.byte(); inp.below(40)];
                let kept = ffi.with_buffer(ty.as_str(), &mut bytes, |c| {
                    let _ = c.get(inp.index());
                    let _ = c.set(inp.index(), Value::Int(i128::from(inp.byte())));
                    let _ = c.to_value();
                    c.offset(inp.index()).ok()
                });
                if let Ok(Some(view)) = kept { pool.push(view); }
            },
            26 => if let Some(libc) = &libc {
                // Lists of values of every kind: the register path of lists and its fallback
                // to the converting path, each argument refused or passed as a tuple's is.
                let mut list: Vec<Value> = (0..inp.below(4)).map(|_| inp.value(&pool)).collect();
                // SAFETY: each function as declared; none reads through a pointer here: 0
                // bytes for `memcpy`, and `strlen` only given text, copied with its NUL, or
                // what it refuses (a number, NULL), never a cdata or a list without one; `div`
                // divides by 7.
                let r = unsafe {
                    match inp.byte() % 7 {
                        0 => libc.call("abs", &list[..]),
                        1 => libc.call("labs", list.clone()),
                        2 => {
                            // (A divisor of 0 or -1 is C's own fault: SIGFPE.)
                            list.truncate(1);
                            list.push(Value::Int(7));
                            libc.call("div", &list[..])
                        }
                        // Values in a tuple (a value's number straight into its register), one
                        // borrowed and one owned.
                        5 => match &list[..] {
                            [] => libc.call("labs", ()),
                            [a] => libc.call("labs", (a,)),
                            [a, b, ..] => libc.call("labs", (a, b.clone())),
                        },
                        6 => match &list[..] {
                            [a, ..] => libc.call("div", (a.clone(), &Value::Int(7))),
                            [] => libc.call("div", (Value::Int(1), 7)),
                        },
                        3 => {
                            list.truncate(2);
                            list.push(Value::Int(0));
                            libc.call("memcpy", &list[..])
                        }
                        _ => {
                            list.retain(|v| {
                                matches!(v, Value::Text(_) | Value::Bytes(_) | Value::Int(_) | Value::Void)
                            });
                            libc.call("strlen", list)
                        }
                    }
                };
                if let Ok(Value::CData(c)) = r {
                    // A pointer result into an argument's memory is a view of it.
                    let _ = c.get(inp.index());
                    let _ = ffi.string(&c, None);
                    pool.push(c);
                }
            },
            23 => if let Some(c) = pick(&mut inp, &pool) {
                // Typed views of any cdata as a few Rust types: refused unless type, bounds and
                // alignment hold; then copies in and out.
                if let Ok(v) = c.view::<[u8; 16]>() {
                    let _ = v.get();
                    let _ = v.set([inp.byte(); 16]);
                }
                if let Ok(v) = c.view::<i32>() {
                    let _ = v.set(i32::from(inp.byte()));
                    let _ = v.get();
                }
                if let Ok(v) = c.view::<[i64; 2]>() {
                    let _ = v.get();
                }
                if let Ok(v) = c.view::<*mut i64>() {
                    let _ = v.get();
                }
            },
            24 => if let Some(c) = pick(&mut inp, &pool) {
                let _ = c.as_fn::<unsafe extern "C" fn(i32) -> i32>();
                let _ = ffi.new_typed(T0 { x: inp.byte() as i8 });
            },
            _ => if let Some(c) = pick(&mut inp, &pool) {
                let v = inp.value(&pool);
                let (a, b) = (inp.index(), inp.index());
                let _ = c.set_slice(a.min(b), a.max(b), v);
            },
        }
    }
});

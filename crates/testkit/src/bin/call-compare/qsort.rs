//! qsort of 200,000 ints with each language's comparator, timed per comparator call: a native
//! `extern "C"` one, a raw libffi closure, rcffi's callbacks (typed, `args.deref`, and
//! `args.get` + cast), Python cffi and ctypes, LuaJIT with the JIT on and off.

use std::process::Command;

use anyhow::Context;
use libffi::middle::{Cif, Type};
use rcffi::Ffi;
use rcffi_testkit::bench::{
    int_comparator, int_comparator_cffi_style, median_ns, park_miller_ints,
};

const QSORT_PY: &str = r#"
import sys, time, statistics, ctypes, ctypes.util
import cffi
n, runs = int(sys.argv[1]), int(sys.argv[2])
x = 42; data = []
for _ in range(n):
    x = x * 16807 % 2147483647
    data.append(x % 2000001 - 1000000)
ffi = cffi.FFI()
ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")
C = ffi.dlopen(None)
@ffi.callback("int(const void *, const void *)")
def cmp(a, b):
    x = ffi.cast("int *", a)[0]; y = ffi.cast("int *", b)[0]
    return (x > y) - (x < y)
def run_cffi():
    arr = ffi.new("int[]", data)
    t = time.perf_counter(); C.qsort(arr, n, 4, cmp); return time.perf_counter() - t
libc = ctypes.CDLL(ctypes.util.find_library("c"))
CMP = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
def py_cmp(a, b):
    x = a[0]; y = b[0]
    return (x > y) - (x < y)
ccmp = CMP(py_cmp)
def run_ctypes():
    arr = (ctypes.c_int * n)(*data)
    t = time.perf_counter(); libc.qsort(arr, n, 4, ccmp); return time.perf_counter() - t
print(statistics.median(run_cffi() for _ in range(runs)))
print(statistics.median(run_ctypes() for _ in range(runs)))
"#;

const QSORT_LUA: &str = r#"
local ffi = require("ffi")
local n, runs, joff = tonumber(arg[1]), tonumber(arg[2]), arg[3] == "off"
if joff then jit.off() end
ffi.cdef("void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));")
local data = {}
local x = 42
for i = 1, n do x = x * 16807 % 2147483647; data[i] = x % 2000001 - 1000000 end
local cmp = ffi.cast("int (*)(const void *, const void *)", function(a, b)
  local x, y = ffi.cast("const int *", a)[0], ffi.cast("const int *", b)[0]
  if x < y then return -1 elseif x > y then return 1 else return 0 end
end)
local times = {}
for r = 1, runs do
  local arr = ffi.new("int[?]", n)
  for i = 1, n do arr[i - 1] = data[i] end
  local t = os.clock()
  ffi.C.qsort(arr, n, 4, cmp)
  times[r] = os.clock() - t
end
table.sort(times)
print(string.format("%.6f", times[math.floor(runs / 2) + 1]))
"#;

/// ns per comparator call of qsort on `n` ints: native, raw libffi closure, rcffi (two
/// ways), cffi, ctypes, LuaJIT (JIT on and off).
pub(crate) fn qsort_times(
    n: usize,
    runs: usize,
) -> anyhow::Result<Vec<(&'static str, Option<f64>)>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    extern "C" fn counting(a: *const i32, b: *const i32) -> i32 {
        COUNT.fetch_add(1, Ordering::Relaxed);
        // SAFETY: qsort passes pointers into the array.
        let (x, y) = unsafe { (*a, *b) };
        x.cmp(&y) as i32
    }
    extern "C" fn native(a: *const i32, b: *const i32) -> i32 {
        // SAFETY: qsort passes pointers into the array.
        let (x, y) = unsafe { (*a, *b) };
        x.cmp(&y) as i32
    }
    type Qsort =
        extern "C" fn(*mut i32, usize, usize, extern "C" fn(*const i32, *const i32) -> i32);
    let ffi = Ffi::default();
    ffi.cdef(
        "void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));",
    )?;
    // SAFETY: glibc's qsort, as declared.
    let libc = unsafe { ffi.dlopen("c")? };
    let qsort_fn = libc.function("qsort")?;
    // SAFETY: qsort's address, as its C type.
    let qsort = unsafe { std::mem::transmute::<usize, Qsort>(qsort_fn.address()) };
    let data = park_miller_ints(n);
    let mut v = data.clone();
    qsort(v.as_mut_ptr(), n, 4, counting);
    let calls = COUNT.load(Ordering::Relaxed) as f64;
    let time = |f: &mut dyn FnMut()| median_ns(1, runs, f);
    let per_call = |ns: f64| ns / calls;
    let mut out = Vec::new();
    out.push((
        "native `extern \"C\"` comparator",
        Some(per_call(time(&mut || {
            let mut v = data.clone();
            qsort(v.as_mut_ptr(), n, 4, native);
        }))),
    ));
    // A raw libffi closure (middle::Closure) calling the same comparison.
    unsafe extern "C" fn raw_cb(
        _cif: &libffi::low::ffi_cif,
        result: &mut i64,
        args: *const *const std::ffi::c_void,
        _userdata: &(),
    ) {
        // SAFETY: libffi passes pointers to the two pointer arguments.
        let (x, y) = unsafe {
            let a = *(*args.add(0) as *const *const i32);
            let b = *(*args.add(1) as *const *const i32);
            (*a, *b)
        };
        *result = i64::from(x.cmp(&y) as i32);
    }
    let cif = Cif::new([Type::pointer(), Type::pointer()], Type::i32());
    let closure = libffi::middle::Closure::new(cif, raw_cb, &());
    // SAFETY: the closure has the comparator's C type.
    let raw: extern "C" fn(*const i32, *const i32) -> i32 =
        unsafe { std::mem::transmute(*closure.code_ptr()) };
    out.push((
        "raw libffi closure",
        Some(per_call(time(&mut || {
            let mut v = data.clone();
            qsort(v.as_mut_ptr(), n, 4, raw);
        }))),
    ));
    // A typed callback: the closure takes the C argument types themselves.
    let typed_cmp = ffi.typed_callback::<extern "C" fn(*const i32, *const i32) -> i32, _>(
        "int(*)(const void *, const void *)",
        |a: *const i32, b: *const i32| {
            // SAFETY: qsort passes pointers into the array.
            let (x, y) = unsafe { (*a, *b) };
            x.cmp(&y) as i32
        },
    )?;
    // SAFETY: called only by the qsorts below, while `typed_cmp` lives.
    let typed_fn = unsafe { typed_cmp.get() };
    out.push((
        "rcffi typed callback (`ffi.typed_callback`)",
        Some(per_call(time(&mut || {
            let mut v = data.clone();
            qsort(v.as_mut_ptr(), n, 4, typed_fn);
        }))),
    ));
    let mut check = data.clone();
    qsort(check.as_mut_ptr(), n, 4, typed_fn);
    anyhow::ensure!(check.windows(2).all(|w| w[0] <= w[1]));
    let cmp = int_comparator(&ffi)?;
    let cmp_values = int_comparator_cffi_style(&ffi)?;
    for (name, cb) in [
        ("rcffi callback, `args.deref::<i32>(i)`", &cmp),
        (
            "rcffi callback, `args.get(i)` + cast + `assume_valid`",
            &cmp_values,
        ),
    ] {
        let arr = ffi.new("int[]", data.clone())?;
        let ns = time(&mut || {
            ffi.memmove(
                &arr,
                data.iter()
                    .flat_map(|x| x.to_le_bytes())
                    .collect::<Vec<u8>>(),
                n * 4,
            )
            .expect("reset");
            // SAFETY: qsort sorts the array with a comparator of its type.
            unsafe { qsort_fn.call((&arr, n, 4usize, cb)) }.expect("qsort");
        });
        anyhow::ensure!(arr.get_as::<i32>(0)? <= arr.get_as::<i32>(1)?);
        out.push((name, Some(per_call(ns))));
    }
    let py = Command::new("python3")
        .args(["-c", QSORT_PY, &n.to_string(), &runs.min(3).to_string()])
        .output()
        .context("running python3")?;
    let py: Vec<f64> = String::from_utf8(py.stdout)?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    out.push((
        "Python cffi `ffi.callback`",
        py.first().map(|s| per_call(s * 1e9)),
    ));
    out.push((
        "Python ctypes `CFUNCTYPE`",
        py.get(1).map(|s| per_call(s * 1e9)),
    ));
    for (name, mode) in [("LuaJIT (JIT on)", "on"), ("LuaJIT (JIT off)", "off")] {
        let script = std::env::temp_dir().join(format!("rcffi-qsort-{}.lua", std::process::id()));
        std::fs::write(&script, QSORT_LUA)?;
        let t = Command::new("luajit")
            .arg(&script)
            .args([&n.to_string(), &runs.to_string(), mode])
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse::<f64>().ok());
        let _ = std::fs::remove_file(&script);
        out.push((name, t.map(|s| per_call(s * 1e9))));
    }
    Ok(out)
}

use rcffi::{Ffi, list};
use rcffi_testkit::bench::median_ns;
use std::hint::black_box;
fn main() -> anyhow::Result<()> {
    let ffi = Ffi::default();
    ffi.cdef("struct pt { int x, y; }; struct node { struct node *next; int v; };")?;
    let p = ffi.new("struct pt *", list![1, 2])?;
    let q = ffi.new("struct pt *", ())?;
    let a = ffi.new("int[10]", (0..10).collect::<Vec<i32>>())?;
    let s = ffi.new("char[32]", "hello world")?;
    let w = ffi.new("wchar_t[16]", "hello")?;
    let h = ffi.new_handle(5u32);
    let n = 200_000;
    let r = 5;
    macro_rules! t {
        ($name:expr, $e:expr) => {{
            let ns = median_ns(n, r, || {
                drop(black_box($e));
            });
            println!("{}: {:.1}", $name, ns);
        }};
    }
    t!(
        "new struct pt from list",
        ffi.new(black_box("struct pt *"), list![1, 2]).unwrap()
    );
    t!("a[1:3]", a.slice(1, 3).unwrap());
    t!("a + 1", a.offset(1).unwrap());
    t!(
        "addressof(p, 'y')",
        ffi.addressof(&p, black_box("y")).unwrap()
    );
    t!("cast void* p", ffi.cast(black_box("void *"), &p).unwrap());
    t!(
        "cast intptr_t p",
        ffi.cast(black_box("intptr_t"), &p).unwrap()
    );
    t!("typeof p", ffi.typeof_(&p).unwrap());
    t!("sizeof p", ffi.sizeof(&p).unwrap());
    t!(
        "offsetof",
        ffi.offsetof(black_box("struct pt"), "y").unwrap()
    );
    t!("unpack s 11", ffi.unpack(&s, 11).unwrap());
    t!(
        "buffer s[:]",
        ffi.buffer(&s, None).unwrap().to_vec().unwrap()
    );
    t!("string wchar", ffi.string(&w, None).unwrap());
    t!("new_handle", ffi.new_handle(5u32));
    t!("from_handle", ffi.from_handle::<u32>(&h).unwrap());
    t!("p[0] = q[0]", p.set(0, q.get(0).unwrap()).unwrap());
    t!(
        "memmove 16",
        ffi.memmove(&s, b"abcdefghijklmnop".as_slice(), 16).unwrap()
    );
    t!("gc", ffi.gc(&p, |_| {}));
    t!("list(a)", ffi.unpack(&a, 10).unwrap());
    t!("p == q", p == q);
    t!(
        "new char[4096]",
        ffi.new(black_box("char[]"), 4096).unwrap()
    );
    t!(
        "from_buffer",
        ffi.from_buffer("char[]", vec![0u8; 64]).unwrap()
    );
    t!("errno", ffi.errno());
    Ok(())
}

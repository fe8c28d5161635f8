//! rcffi used in a thread-local's destructor at thread exit, after rcffi's own per-thread
//! state (its caches of type strings, functions and variadic shapes, the list of running calls
//! that pass a callback, a callback's pending failure, its freed blocks) is gone. Until this
//! was found (issue 18, seventeenth session), `new` with a type string there panicked in
//! `LocalKey::with`, which aborts the process: a panic in a thread-local's destructor cannot
//! unwind.

use std::cell::RefCell;
use std::sync::mpsc;

use rcffi::{Ffi, Value, list};

/// Work to run in a thread-local's destructor.
type Job = Box<dyn FnOnce()>;

/// A thread-local whose destructor runs the job it holds.
struct AtExit(RefCell<Option<Job>>);

impl Drop for AtExit {
    fn drop(&mut self) {
        if let Some(job) = self.0.borrow_mut().take() {
            job();
        }
    }
}

thread_local! {
    static AT_EXIT: AtExit = const { AtExit(RefCell::new(None)) };
}

/// Runs `work` on a new thread, once while the thread runs (so that rcffi's per-thread state
/// is made, after `AT_EXIT`) and once in `AT_EXIT`'s destructor, which runs after that
/// state's destructors (they run in the reverse order of their registration); returns what
/// each run returned.
fn now_and_at_exit<T: Send + 'static>(work: impl Fn() -> T + Send + Clone + 'static) -> (T, T) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // Registered first: destroyed last.
        let later = work.clone();
        let tx_later = tx.clone();
        AT_EXIT.with(|a| {
            *a.0.borrow_mut() = Some(Box::new(move || {
                let _ = tx_later.send(later());
            }))
        });
        let _ = tx.send(work());
    })
    .join()
    .expect("the thread exited cleanly");
    let first = rx.recv().expect("the run while the thread ran");
    let last = rx.recv().expect("the run at the thread's exit");
    (first, last)
}

/// `new`, `cast`, `typeof_`, `string` and a keep-alive chain with type strings the thread
/// has used and new ones, made, read and dropped at thread exit.
#[test]
fn cdata_are_made_read_and_dropped_at_thread_exit() {
    let ffi = Ffi::default();
    ffi.cdef("struct node { struct node *next; long v; };")
        .unwrap();
    let (now, at_exit) = now_and_at_exit(move || {
        let a = ffi.new("int[4]", list![1, 2, 3, 4]).unwrap();
        let fresh = format!("long[{}]", 5 + a.len().unwrap());
        let b = ffi.new(fresh.as_str(), ()).unwrap();
        let c = ffi.cast("long", 42).unwrap();
        let t = ffi.typeof_("char *").unwrap();
        let s = ffi.new("char[]", "text").unwrap();
        // A chain of nodes, each keeping the next alive: dropped without recursion.
        let mut head = ffi.new("struct node *", ()).unwrap();
        for i in 0..if cfg!(miri) { 200 } else { 2_000 } {
            let n = ffi.new("struct node *", ()).unwrap();
            n.set_field("v", i).unwrap();
            n.set_field("next", &head).unwrap();
            head = n;
        }
        let sum = a.to_vec().unwrap().len() + b.len().unwrap();
        let v = (
            sum,
            c.to_value().unwrap(),
            t.cname(),
            ffi.string(&s, None).unwrap(),
            head.field("v").unwrap(),
        );
        drop(head);
        v
    });
    assert_eq!(now, at_exit);
    assert_eq!(
        at_exit,
        (
            13,
            Value::from(42),
            "char *".to_string(),
            Value::Bytes(b"text".into()),
            Value::from(if cfg!(miri) { 199 } else { 1_999 })
        )
    );
}

/// qsort's comparator type.
const COMPARATOR: &str = "int(*)(const void *, const void *)";

/// A comparator of the two ints qsort points to: ascending, or descending.
fn compare_ints(
    descending: bool,
) -> impl Fn(&rcffi::CallbackArgs<'_>) -> rcffi::Result<i32> + Send + Sync + 'static {
    move |a| {
        // SAFETY: qsort passes pointers to two ints.
        let (x, y): (i32, i32) = unsafe { (a.deref(0)?, a.deref(1)?) };
        let order = if descending { y.cmp(&x) } else { x.cmp(&y) };
        Ok(order as i32)
    }
}

/// Calls by name, through a handle, with variadic arguments, and with a callback (one that
/// succeeds, one that fails — its failure is the call's error or reported on stderr, not a
/// crash — and one bound to its thread) at thread exit.
#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn calls_and_callbacks_run_at_thread_exit() {
    let ffi = Ffi::default();
    ffi.cdef(
        "size_t strlen(const char *); int abs(int);
         int snprintf(char *, size_t, const char *, ...);
         void qsort(void *, size_t, size_t, int (*)(const void *, const void *));",
    )
    .unwrap();
    // SAFETY: the C library's functions, as declared.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    let (now, at_exit) = now_and_at_exit(move || {
        let ffi = libc.ffi();
        // SAFETY: strlen reads the NUL-terminated string; abs takes an int.
        let (len, abs) = unsafe {
            (
                libc.call("strlen", ("hello",)).unwrap(),
                libc.function("abs").unwrap().call((-7,)).unwrap(),
            )
        };
        let buf = ffi.new("char[32]", ()).unwrap();
        // SAFETY: snprintf writes at most 32 bytes into buf, reading an int and a string.
        unsafe { libc.call("snprintf", (&buf, 32, "%d-%s", 7, "x")) }.unwrap();
        let printed = ffi.string(&buf, None).unwrap();
        let arr = ffi.new("int[]", [3, 1, 2]).unwrap();
        let cmp = ffi.callback(COMPARATOR, compare_ints(false)).unwrap();
        // SAFETY: qsort sorts the 3 ints with the comparator.
        unsafe { libc.call("qsort", (&arr, 3, 4, &cmp)) }.unwrap();
        let failing = ffi
            .callback(COMPARATOR, |_| -> rcffi::Result<i32> {
                Err(rcffi::Error::Value("no".into()))
            })
            .unwrap();
        // SAFETY: as above; the comparator fails (C gets 0 for each comparison).
        let failed = unsafe { libc.call("qsort", (&arr, 3, 4, &failing)) }.is_err();
        // A callback bound to the thread that made it (which checks the thread it runs on).
        let local = ffi.callback_local(COMPARATOR, compare_ints(true)).unwrap();
        let down = ffi.new("int[]", [1, 3, 2]).unwrap();
        // SAFETY: as above.
        unsafe { libc.call("qsort", (&down, 3, 4, &local)) }.unwrap();
        let mut sorted = arr.to_vec().unwrap();
        sorted.extend(down.to_vec().unwrap());
        (len, abs, printed, sorted, failed)
    });
    assert_eq!(
        now,
        (
            Value::from(5),
            Value::from(7),
            Value::Bytes(b"7-x".into()),
            [1, 2, 3, 3, 2, 1].map(Value::from).to_vec(),
            true
        )
    );
    // At exit the failure may have nowhere to go but stderr; everything else is the same.
    assert_eq!(
        (&now.0, &now.1, &now.2, &now.3),
        (&at_exit.0, &at_exit.1, &at_exit.2, &at_exit.3)
    );
}

/// A callback C calls as a thread exits, after every Rust thread-local of that thread is gone:
/// a `pthread_key_create` destructor (glibc runs those after the thread-locals' destructors).
/// It makes and reads cdata and reaches the memory C hands it, as on any thread.
#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_callback_c_calls_after_the_thread_locals_are_gone_runs() {
    let ffi = Ffi::default();
    ffi.cdef(
        "typedef unsigned int pthread_key_t;
         int pthread_key_create(pthread_key_t *, void (*)(void *));
         int pthread_setspecific(pthread_key_t, const void *);
         int pthread_key_delete(pthread_key_t);",
    )
    .unwrap();
    // SAFETY: the C library's functions, as declared.
    let libc = unsafe { ffi.dlopen("c") }.unwrap();
    let (tx, rx) = mpsc::channel::<(Value, Value, Value)>();
    let cb = ffi
        .callback("void(*)(void *)", move |a| -> rcffi::Result<()> {
            let p = a.get(0)?.cdata()?;
            let made = a.ffi().new("long[3]", list![7, 8, 9])?;
            let name = a.ffi().new("char[]", "at exit")?;
            let addr = a.ffi().cast("uintptr_t", &p)?.to_value()?;
            let _ = tx.send((addr, made.get(2)?, a.ffi().string(&name, None)?));
            Ok(())
        })
        .unwrap();
    let key = ffi.new("pthread_key_t *", ()).unwrap();
    // SAFETY: pthread_key_create writes the key; the callback lives until after the key is
    // deleted below, after the thread that uses it has exited.
    let made = unsafe { libc.call("pthread_key_create", (&key, &cb)) }.unwrap();
    assert_eq!(made, Value::from(0));
    let k = key.get(0).unwrap();
    let lib = libc.clone();
    let k2 = k.clone();
    let value = ffi.cast("void *", 0x1234).unwrap();
    // A second key, whose destructor is a callback bound to the exiting thread (made there,
    // kept alive here until the key is deleted).
    let (bound_tx, bound_rx) = mpsc::channel::<rcffi::CData>();
    // What the thread-bound callback read (a static: its closure, dropped off its thread,
    // is leaked by design, so it captures nothing that allocates).
    static BOUND_READ: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let key2 = ffi.new("pthread_key_t *", ()).unwrap();
    let key2_there = key2.clone();
    std::thread::spawn(move || {
        let key2 = key2_there;
        // rcffi's per-thread state is made on this thread (a call, a cdata).
        let held = lib.ffi().new("int[2]", ()).unwrap();
        // SAFETY: a non-null value for the key: its destructor runs at this thread's exit.
        let set = unsafe { lib.call("pthread_setspecific", (k2, &value)) };
        assert_eq!(set.unwrap(), Value::from(0));
        let bound = lib
            .ffi()
            .callback_local("void(*)(void *)", move |a| -> rcffi::Result<()> {
                let n = a.ffi().new("short[2]", list![5, 6])?;
                let read: i64 = n.get(1)?.try_into()?;
                BOUND_READ.store(read, std::sync::atomic::Ordering::SeqCst);
                Ok(())
            })
            .unwrap();
        // SAFETY: the callback lives (sent to the test's thread) until the key is deleted.
        unsafe {
            assert_eq!(
                lib.call("pthread_key_create", (&key2, &bound)).unwrap(),
                Value::from(0)
            );
            let k = key2.get(0).unwrap();
            assert_eq!(
                lib.call("pthread_setspecific", (k, &value)).unwrap(),
                Value::from(0)
            );
        }
        bound_tx.send(bound).unwrap();
        drop(held);
    })
    .join()
    .unwrap();
    let (addr, item, text) = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the destructor ran");
    assert_eq!(
        (addr, item, text),
        (
            Value::from(0x1234),
            Value::from(9),
            Value::Bytes(b"at exit".into())
        )
    );
    assert_eq!(
        BOUND_READ.load(std::sync::atomic::Ordering::SeqCst),
        6,
        "the thread-bound destructor ran"
    );
    // SAFETY: the keys were made above; no thread uses them any more.
    unsafe {
        libc.call("pthread_key_delete", (k,)).unwrap();
        libc.call("pthread_key_delete", (key2.get(0).unwrap(),))
            .unwrap();
    }
    drop(bound_rx);
}

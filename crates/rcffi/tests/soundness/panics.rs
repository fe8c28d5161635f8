//! Panics never unwind into C, not even a panic's payload whose own `Drop` panics.

use rcffi::Ffi;

/// A panic payload that panics again when it is dropped.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload's drop panics too");
    }
}

#[test]
#[cfg_attr(miri, ignore = "calls C through libffi: Miri cannot")]
fn a_callback_panic_whose_payload_panics_on_drop_does_not_abort() {
    let ffi = Ffi::default();
    ffi.cdef("int (*)(int);").ok();
    let cb = ffi
        .callback("int(*)(int)", |_| -> Result<i32, rcffi::Error> {
            std::panic::panic_any(Bomb)
        })
        .unwrap();
    // The payload was dropped outside `catch_unwind`: its panic reached C, an abort. Now the
    // panic is the error the call returns (C received the error value, 0).
    // SAFETY: a callback of this type, with an int.
    let e = unsafe { cb.call((1,)) }.unwrap_err();
    assert!(e.to_string().contains("panicked"), "{e}");
    let opts = rcffi::CallbackOptions::default().error(-1).onerror(|_, _| {
        std::panic::panic_any(Bomb);
    });
    let cb = ffi
        .callback_with(
            "int(*)(int)",
            |_| -> Result<i32, rcffi::Error> { std::panic::panic_any(Bomb) },
            opts,
        )
        .unwrap();
    // SAFETY: as above.
    assert_eq!(unsafe { cb.call((1,)) }.unwrap(), (-1).into());
}

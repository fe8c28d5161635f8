//! C's stdio buffers, written out before the command writes its own output, so that what a
//! C function printed comes first (stdout is fully buffered by C when it is a pipe).

use std::sync::OnceLock;

use rcffi::{Ffi, Function};

/// `fflush(NULL)` from the C library, looked up once.
fn fflush() -> Option<&'static Function> {
    static FFLUSH: OnceLock<Option<Function>> = OnceLock::new();
    FFLUSH
        .get_or_init(|| {
            let ffi = Ffi::default();
            ffi.cdef("int fflush(void *stream);").ok()?;
            // SAFETY: the C library, declared as it is.
            let libc = unsafe { ffi.dlopen("c") }.ok()?;
            libc.function("fflush").ok()
        })
        .as_ref()
}

/// Writes out every C output stream.
pub(crate) fn flush() {
    if let Some(f) = fflush() {
        // SAFETY: `fflush(NULL)` flushes every open output stream; that is its documented use.
        let _ = unsafe { f.call((rcffi::NULL,)) };
    }
}

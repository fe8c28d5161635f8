//! Calls through rcffi checked against the same functions called directly from Rust: the
//! fixture library (`rcffi_testkit::fixture`), cffi's call behaviours (reference §3.2 group F)
//! named after their ids, seeded random signatures (`random.rs`), libc programs, and threads.

mod big_structs;
mod check;
mod complex;
mod f_calls;
mod far_structs;
mod fixture_calls;
mod in_place_args;
mod int128;
mod libc_programs;
mod long_double;
mod narrow_scalars;
mod number_args;
mod plain_numbers;
mod pointer_args;
mod random;
mod results_into;
mod stack_args;
mod text_args;
mod threads;
mod unions;
mod value_args;
mod variadic;

use rcffi::{CData, Ffi, Lib, Value};

/// A fresh ffi object with the fixture declared, and the fixture library opened.
pub(crate) fn fixture() -> (Ffi, Lib) {
    rcffi_testkit::fixture::open_fixture().expect("the fixture library")
}

/// The address of a fixture function, for calling it directly.
pub(crate) fn addr(lib: &Lib, name: &str) -> usize {
    lib.function(name).expect(name).address()
}

/// The cdata a value holds.
pub(crate) fn cd(v: Value) -> CData {
    v.cdata().expect("a cdata")
}

/// A probe library built by gcc from `src` (once per process: the tests run on threads of
/// one), a fresh ffi object with `cdef` declared, the probe and libm opened.
pub(crate) fn probe_with_libm(
    built: &'static std::sync::OnceLock<std::path::PathBuf>,
    stem: &str,
    src: &str,
    cdef: &str,
) -> (Ffi, Lib, Lib) {
    let path = built
        .get_or_init(|| rcffi_testkit::fixture::build_shared(stem, src, &["-O1"]).expect("probe"));
    let ffi = Ffi::default();
    ffi.cdef(cdef).unwrap();
    // SAFETY: the probe is built from `src`, which `cdef` declares, with libm's functions as
    // C declares them.
    let (lib, libm) = unsafe {
        (
            ffi.dlopen(path.to_str().unwrap()).unwrap(),
            ffi.dlopen("m").unwrap(),
        )
    };
    (ffi, lib, libm)
}

/// Whether the tests run under valgrind (`scripts/memcheck.sh`), which computes x87 arithmetic
/// in 64-bit doubles: C's own `long double` results then differ from real hardware's.
pub(crate) fn under_valgrind() -> bool {
    std::env::var_os("RCFFI_VALGRIND").is_some()
}

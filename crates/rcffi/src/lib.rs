//! # rcffi: Python cffi's ABI mode, and the best of LuaJIT's FFI, for Rust
//!
//! Paste C declarations as a string, open a shared library, and call it: no bindgen, no
//! build script, no hand-written `extern` blocks.
//!
//! ```
//! let ffi = rcffi::Ffi::default();
//! ffi.cdef("size_t strlen(const char *s); double pow(double x, double y);")?;
//! // SAFETY: the system's libc and libm, declared as they are.
//! let (libc, libm) = unsafe { (ffi.dlopen("c")?, ffi.dlopen("m")?) };
//! // SAFETY: strlen gets a C string (a temporary copy of "hello"); pow two doubles.
//! assert_eq!(unsafe { libc.call("strlen", ("hello",))? }, 5.into());
//! let pow = libm.function("pow")?; // a handle: no lookup per call
//! assert_eq!(unsafe { pow.call((2.0, 10.0))? }, 1024.0.into());
//! # Ok::<(), rcffi::Error>(())
//! ```
//!
//! Declarations alone give types and layouts, as gcc computes them:
//!
//! ```
//! let ffi = rcffi::Ffi::default();
//! ffi.cdef(r#"
//!     #define NAME_MAX 255
//!     struct dirent_like {
//!         unsigned long d_ino;
//!         long d_off;
//!         unsigned short d_reclen;
//!         unsigned char d_type;
//!         char d_name[NAME_MAX + 1];
//!     };
//!     typedef struct { int quot, rem; } div_t;
//!     div_t div(int numerator, int denominator);
//! "#)?;
//! assert_eq!(ffi.sizeof("struct dirent_like")?, 280);
//! assert_eq!(ffi.offsetof("struct dirent_like", "d_name")?, 19);
//! let div = ffi.typeof_("div_t(*)(int, int)")?;
//! assert_eq!(div.result().unwrap().cname(), "div_t");
//! # Ok::<(), rcffi::Error>(())
//! ```
//!
//! C data is made, read and written with cffi's rules — and checked where cffi is not:
//!
//! ```
//! use rcffi::{Ffi, list, map};
//! let ffi = Ffi::default();
//! ffi.cdef("struct pt { int x, y; }; struct shape { int n; struct pt pts[]; };")?;
//! let s = ffi.new("struct shape *", list![3, list![map! {"x" => 1}, list![2, 3]]])?;
//! assert_eq!(s.field("pts")?.as_cdata().unwrap().len()?, 2);
//! let names = ffi.new("char *[]", [ffi.new("char[]", "argv0")?, ffi.null()])?; // kept alive
//! assert_eq!(ffi.string(&names.get(0)?, None)?, b"argv0".into()); // a Value holding a cdata
//! assert!(s.field("pts")?.as_cdata().unwrap().get(2).is_err()); // bounds-checked
//! # Ok::<(), rcffi::Error>(())
//! ```
//!
//! # Organization
//!
//! - [`Ffi`] is cffi's `ffi` object. Its declaration half — [`Ffi::cdef`], [`Ffi::typeof_`],
//!   [`Ffi::sizeof`], [`Ffi::alignof`], [`Ffi::offsetof`], [`Ffi::getctype`],
//!   [`Ffi::list_types`], [`Ffi::integer_const`], [`Ffi::include`] — works before any library is loaded. Its
//!   data half — [`Ffi::new`], [`Ffi::cast`], [`Ffi::string`], [`Ffi::unpack`],
//!   [`Ffi::buffer`], [`Ffi::from_buffer`], [`Ffi::memmove`], [`Ffi::addressof`], [`Ffi::gc`],
//!   [`Ffi::new_handle`], [`Ffi::null`] — makes and uses [`CData`].
//! - [`CData`] is C data: a number, a pointer, or a view of an array or struct, which knows the
//!   memory it may touch and keeps it alive. Its `Debug` is cffi's repr.
//! - [`Value`] is what initializers are made of and what reads give back (Python's objects,
//!   for cffi); [`list!`] and [`map!`] write list and dict initializers.
//! - [`CType`] is a C type with cffi's introspection (`kind`, `cname`, `item`, `length`,
//!   `fields`, `args`, `result`, `ellipsis`, `elements`).
//! - [`Lib`] is a library opened by [`Ffi::dlopen`] (cffi's library object): its functions
//!   ([`Lib::call`], [`Lib::function`] for a reusable [`Function`]), global variables
//!   ([`Lib::get`], [`Lib::set`], [`Lib::addressof`]) and constants. Any function pointer
//!   cdata is callable too ([`CData::call`]). Calls and `dlopen` are `unsafe`: the cdef is the
//!   caller's claim about the library. [`Ffi::errno`] is cffi's `ffi.errno`.
//! - [`Ffi::callback`] makes a C function pointer from a Rust closure, which reads its
//!   arguments through [`CallbackArgs`]; [`CallbackOptions`] sets cffi's `error=` and
//!   `onerror=`; [`closure`] passes a closure directly as an argument.
//! - [`Error`] is the one error type, with variants named after cffi's exceptions.
//!
//! Types and layouts come from [`rcffi_cdef`], which agrees with gcc byte for byte (its tests
//! check every layout against the compiler). Memory, conversions, libraries, calls (through
//! libffi) and callbacks live in [`rcffi_runtime`], the only crate with `unsafe` code.
//!
//! # Names
//!
//! Methods keep cffi's names so cffi users find them. `typeof` is a reserved word in Rust, so
//! it is [`Ffi::typeof_`]; `new` is cffi's allocation, so an `Ffi` is made with
//! `Ffi::default()` (cffi's `FFI()`); `ffi.NULL` is [`Ffi::null`].

#![deny(missing_docs)]
#![deny(unsafe_code)]

pub use rcffi_cdef::{
    CdefError, CdefOptions, CdefReport, ErrorKind, HeaderReport, Headers, IgnoredPragma,
    LayoutError, MacroValue, SkippedDefinition, SkippedMacro, Target,
};
pub use rcffi_derive::{Bindings, NativeType};
pub use rcffi_runtime::{
    Allocator, Arg, Args, AsCData, Bindings, BindingsLoader, Buffer, Bytes, CData, CField, CType,
    CallbackArgs, CallbackOptions, CallbackResult, Closure, Error, Ffi, FieldShape, FnShape,
    ForeignFn, Function, Handled, InPlace, IntoArg, IntoCallback, ItemIndex, Kind, Lib, LongDouble,
    LongDoubleFormat, NULL, NativeArgs, NativeFn, NativeType, Null, Numbers, OnError, RecordShape,
    Result, Scalar, Shape, ShapeKind, SymbolProblem, TypeList, TypeSpec, TypedCallback, TypedFn,
    Value, View, closure, closure_mut, list, map,
};
pub use {rcffi_cdef, rcffi_runtime};

/// The README's Rust examples, compiled and run as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// What `#[derive(NativeType)]` and `#[derive(Bindings)]` refuse at compile time, as doc tests
/// that must not compile (each one's message names the fix).
///
/// Without `#[repr(C)]` (Rust's own layout is not C's):
///
/// ```compile_fail
/// #[derive(rcffi::NativeType, Clone, Copy)]
/// #[rcffi(c = "struct pt")]
/// struct Pt { x: i32, y: i32 }
/// ```
///
/// Without the C type's name:
///
/// ```compile_fail
/// #[derive(rcffi::NativeType, Clone, Copy)]
/// #[repr(C)]
/// struct Pt { x: i32, y: i32 }
/// ```
///
/// An enum (C may hand over any integer):
///
/// ```compile_fail
/// #[derive(rcffi::NativeType, Clone, Copy)]
/// #[repr(C)]
/// #[rcffi(c = "enum color")]
/// enum Color { Red, Green }
/// ```
///
/// A member whose type has no C counterpart:
///
/// ```compile_fail
/// #[derive(rcffi::NativeType, Clone)]
/// #[repr(C)]
/// #[rcffi(c = "struct s")]
/// struct S { name: String }
/// ```
///
/// A generic type, and an unknown attribute:
///
/// ```compile_fail
/// #[derive(rcffi::NativeType, Clone, Copy)]
/// #[repr(C)]
/// #[rcffi(c = "struct w")]
/// struct W<T: Copy> { v: T }
/// ```
///
/// ```compile_fail
/// #[derive(rcffi::NativeType, Clone, Copy)]
/// #[repr(C)]
/// #[rcffi(c = "struct pt", packed)]
/// struct Pt { x: i32, y: i32 }
/// ```
///
/// A bindings field that is neither a typed function nor a view, and a safe function type
/// (C functions are only callable through `unsafe`):
///
/// ```compile_fail
/// #[derive(rcffi::Bindings)]
/// struct Lib { abs: fn(i32) -> i32 }
/// ```
///
/// ```compile_fail
/// #[derive(rcffi::Bindings)]
/// struct Lib { abs: rcffi::TypedFn<extern "C" fn(i32) -> i32> }
/// ```
///
/// The same with the right spelling compiles:
///
/// ```
/// #[derive(rcffi::NativeType, Clone, Copy)]
/// #[repr(C)]
/// #[rcffi(c = "struct pt")]
/// struct Pt { x: i32, y: i32 }
/// #[derive(rcffi::Bindings)]
/// struct Lib { abs: rcffi::TypedFn<unsafe extern "C" fn(i32) -> i32> }
/// ```
#[cfg(doctest)]
struct DeriveErrors;

/// What the borrow checker refuses of closures passed as arguments ([`closure`],
/// [`closure_mut`]): they may borrow the caller's locals, for no longer than those live.
///
/// A closure that holds a lock guard cannot outlive the mutex (dropping it unlocks):
///
/// ```compile_fail
/// let c;
/// {
///     let m = std::sync::Mutex::new(0);
///     let guard = m.lock().unwrap();
///     c = rcffi::closure_mut(move |_| { let _ = &guard; 0 });
/// }
/// drop(c);
/// ```
///
/// `closure` may run on C's threads, so what it borrows must be `Sync` (a `Cell` is not):
///
/// ```compile_fail
/// let calls = std::cell::Cell::new(0);
/// let c = rcffi::closure(|_| { calls.set(calls.get() + 1); 0 });
/// ```
///
/// `closure_mut` runs on its own thread only, so it takes a `Cell`, or mutates directly:
///
/// ```
/// let calls = std::cell::Cell::new(0);
/// let mut seen = Vec::new();
/// let c = rcffi::closure_mut(|_| { calls.set(calls.get() + 1); seen.push(1); 0 });
/// drop(c);
/// assert!(seen.is_empty());
/// ```
#[cfg(doctest)]
struct ClosureBorrows;

/// NULL as an argument: a bare `None` leaves Rust no type to infer (E0282), so the guide shows
/// `rcffi::NULL` (or a typed `None::<&CData>`):
///
/// ```compile_fail
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("long time(long *t);").unwrap();
/// let libc = unsafe { ffi.dlopen("c") }.unwrap();
/// let _ = unsafe { libc.call("time", (None,)) };
/// ```
///
/// ```
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("long time(long *t);")?;
/// let libc = unsafe { ffi.dlopen("c")? };
/// let now = unsafe { libc.call("time", (rcffi::NULL,))? };
/// let also = unsafe { libc.call("time", (None::<&rcffi::CData>,))? };
/// assert!(now.to_int()? > 0 && also.to_int()? >= now.to_int()?);
/// // A pointer result goes straight to the readers, no `.cdata()?` first.
/// ffi.cdef("char *getenv(const char *name);")?;
/// let path = unsafe { libc.call("getenv", ("PATH",))? };
/// assert!(!unsafe { ffi.string_unchecked(&path, None)? }.to_string_lossy()?.is_empty());
/// # Ok::<(), rcffi::Error>(())
/// ```
#[cfg(doctest)]
struct NullArguments;

//! The eighth floor: libraries — `dlopen`'s work (with ctypes' short names and glibc's linker
//! scripts), symbols looked up lazily and cached, global variables, calls by name, and
//! `dlclose`. Uses `base`, `mem`, `types`, `data`, `abi`, `call` (`Lib::call`) and `typed`
//! (`Lib::typed`).
//!
//! # Safety
//!
//! Opening a library runs its initialisers, and using its symbols takes the cdef's
//! declarations on trust: both are the promise of the caller of the `unsafe` `dlopen`
//! functions. From then on this module keeps one invariant: every address it hands out (a
//! global variable's memory, a function's code) belongs to a library that stays loaded as long
//! as anything holding that address does — each such cdata or [`Function`] holds the library
//! (`Arc<LibInner>`) as its keeper, and the handle is only closed when the last holder goes,
//! even after `dlclose` (which only makes the library refuse further use). One of the
//! runtime's modules with `unsafe` code.

#![allow(unsafe_code)]

use std::collections::HashMap;
use std::ffi::c_void;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use foldhash::fast::RandomState;
use libloading::os::unix::Library as RawLibrary;
use rcffi_cdef::{Decl, MacroArg, MacroValue};

use crate::abi::CallPlan;
use crate::base::lookup_cache::{Lasts, Name, Recent};
use crate::call::function::Function;
use crate::data::CData;
use crate::data::Value;
use crate::error::{Error, Result};
use crate::mem::Owner;
use crate::mem::{KeepSet, Keeper, Keeps, Mapped};
use crate::types::{Ffi, TypeRef};

mod check;
mod find;
mod globals;
mod symtab;
mod typed;

pub use check::SymbolProblem;
pub use typed::{Bindings, BindingsLoader};

use find::{find_library, linker_script_target, search_dirs};

/// A library opened by [`Ffi::dlopen`] (cffi's library object): its functions, global
/// variables and the cdef's constants.
///
/// Cheap to clone (clones share the handle and caches); `Send + Sync`. The library stays
/// loaded while the `Lib`, or anything made from it (a [`Function`], a global variable's
/// cdata), lives.
///
/// ```
/// # use rcffi_runtime as rcffi;
/// let ffi = rcffi::Ffi::default();
/// ffi.cdef("size_t strlen(const char *); extern char **environ;\n#define ANSWER 42")?;
/// // SAFETY: libc is the process's own C library, and the cdef matches it.
/// let libc = unsafe { ffi.dlopen("c")? };
/// let strlen = libc.function("strlen")?;
/// // SAFETY: strlen gets a NUL-terminated string.
/// assert_eq!(unsafe { strlen.call(("hello",))? }, 5.into());
/// assert!(!libc.get("environ")?.cdata()?.is_null());
/// assert_eq!(libc.get("ANSWER")?, 42.into());
/// # Ok::<(), rcffi::Error>(())
/// ```
#[derive(Clone)]
pub struct Lib {
    inner: Arc<LibInner>,
}

/// The shared state of a [`Lib`].
struct LibInner {
    ffi: Ffi,
    /// The name as given (`"c"`, `"./libfoo.so"`; `None` for the process).
    name: Option<String>,
    /// The file opened, when known.
    path: Option<PathBuf>,
    handle: Handle,
    closed: AtomicBool,
    /// A number no other library object of this process has: the key of the per-thread cache
    /// of functions (an address could be reused by a later library).
    id: u64,
    /// Symbol addresses by name, looked up once, with what the symbol table says of them
    /// (looked up when first needed: `dladdr1` scans the object's symbols).
    symbols: RwLock<HashMap<Box<str>, Symbol, RandomState>>,
    /// Functions by name: the universe generation they were resolved in (a later `override`
    /// cdef may change a declaration), their address, function type and pointer type. Not
    /// `Function`s: those hold the library, and the cache would keep it alive forever.
    functions: RwLock<HashMap<Box<str>, Resolved, RandomState>>,
    /// What pointers stored into the library's global variables keep alive
    /// (`lib.set("optarg", buf)`: `buf` lives while the global points into it).
    keep: KeepSet,
}

impl Keeps for LibInner {
    fn keep_set(&self) -> &KeepSet {
        &self.keep
    }
}

/// A symbol looked up once: its address, and what the symbol table says of it once asked
/// (`None` until then).
type Symbol = (usize, Option<Option<symtab::Sym>>);

/// A function looked up once: generation, address, function type, pointer type, call plan.
#[derive(Copy, Clone)]
struct Resolved {
    generation: u64,
    code: usize,
    func: TypeRef,
    ptr: TypeRef,
    plan: PlanPtr,
}

/// The call plan of a function type, by address. The plan lives in the type's realized info,
/// in the arena of the library's `ffi` object, which the library keeps alive; it is read only
/// through the library that resolved it (the per-thread cache keys entries by library id,
/// never reused), so never after that arena is gone.
#[derive(Copy, Clone)]
struct PlanPtr(NonNull<CallPlan>);

// SAFETY: a CallPlan is Send + Sync and never mutated after it is built; the pointer is only
// read as `&CallPlan`, while the arena that holds it lives (see `PlanPtr`).
unsafe impl Send for PlanPtr {}
// SAFETY: as for Send.
unsafe impl Sync for PlanPtr {}

/// Gives each library object its `id`.
static NEXT_LIB: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// The function this thread called by name last in each of a few libraries, with where it
    /// is (as below).
    static LAST_FUNCTION: Lasts<Resolved, 16> = const { Lasts::new() };
    /// The functions this thread called by name last, with where they are (keyed by library
    /// id and generation; an entry is used only while its library is open, checked first).
    static RECENT_FUNCTIONS: std::cell::RefCell<Recent<Resolved>> =
        const { std::cell::RefCell::new(Recent::new()) };
}

/// A loaded library's handle: closed when dropped, unless it was lent by the caller.
struct Handle(std::mem::ManuallyDrop<RawLibrary>, bool);

impl Drop for Handle {
    fn drop(&mut self) {
        if self.1 {
            // SAFETY: dropped once, here; nothing else holds the library (see the module docs).
            unsafe { std::mem::ManuallyDrop::drop(&mut self.0) };
        }
    }
}

impl std::fmt::Debug for Lib {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<Lib '{}'", self.name())?;
        if let Some(p) = &self.inner.path {
            write!(f, " from {}", p.display())?;
        }
        if self.is_closed() {
            f.write_str(" closed")?;
        }
        f.write_str(">")
    }
}

/// A `Lib` over an open handle.
fn wrap(ffi: &Ffi, name: Option<String>, path: Option<PathBuf>, handle: Handle) -> Lib {
    Lib {
        inner: Arc::new(LibInner {
            ffi: ffi.clone(),
            name,
            path,
            handle,
            closed: AtomicBool::new(false),
            id: NEXT_LIB.fetch_add(1, Ordering::Relaxed),
            symbols: RwLock::new(HashMap::default()),
            functions: RwLock::new(HashMap::default()),
            keep: KeepSet::default(),
        }),
    }
}
impl Lib {
    /// The name the library was opened with (`"c"`, `"./libfoo.so"`, `"<None>"` for the
    /// program itself).
    pub fn name(&self) -> &str {
        self.inner.name.as_deref().unwrap_or("<None>")
    }

    /// The file that was opened, when rcffi resolved one.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// The `ffi` object whose declarations this library is used with.
    pub fn ffi(&self) -> &Ffi {
        &self.inner.ffi
    }

    /// Whether [`Lib::close`] (or [`Ffi::dlclose`]) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Closes the library: see [`Ffi::dlclose`].
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner
            .functions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.inner
            .symbols
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn check_open(&self) -> Result<()> {
        if self.is_closed() {
            return Err(Error::Library(
                format!("library '{}' has already been closed", self.name()).into(),
            ));
        }
        Ok(())
    }

    /// A declared function, as a reusable handle: the symbol is looked up and the call plan
    /// built once, so calls through it do no name lookup.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] for a name that is no declared function (with a near name),
    /// [`Error::Symbol`] when the library does not export it,
    /// [`Error::Library`] after `dlclose`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int abs(int);")?;
    /// let abs = unsafe { ffi.dlopen("c")? }.function("abs")?;
    /// assert_eq!(format!("{abs:?}").split(' ').take(2).collect::<Vec<_>>(), ["<cdata", "'int(*)(int)'"]);
    /// assert_eq!(unsafe { abs.call((-9,))? }, 9.into());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn function(&self, name: &str) -> Result<Function> {
        let r = self.resolve(name)?;
        let ffi = &self.inner.ffi;
        Function::new(
            CData::pointer(ffi, r.ptr, r.code, self.code_owner(r.code)),
            r.func,
        )
    }

    /// Function `name`, looked up once.
    #[inline(always)]
    fn resolve(&self, name: &str) -> Result<Resolved> {
        let generation = self.inner.ffi.generation();
        let key = (self.inner.id, generation);
        // This thread's last function, then its last few: no lock (a closed library finds
        // none).
        if !self.is_closed()
            && let Some(r) = Lasts::find_in(&LAST_FUNCTION, key, name)
        {
            return Ok(r);
        }
        self.resolve_recent(key, name)
    }

    /// [`Lib::resolve`] past the thread's last function: its last few, then the library's
    /// table, then the library; the function found becomes the last one.
    #[inline(never)]
    fn resolve_recent(&self, key: (u64, u64), name: &str) -> Result<Resolved> {
        let generation = key.1;
        let looked = &Name::new(name);
        if !self.is_closed()
            // `try_with`: gone in a thread-local's destructor at thread exit (then skipped).
            && let Ok(Some(r)) = RECENT_FUNCTIONS.try_with(|c| c.borrow().find(key, looked))
        {
            Lasts::remember_in(&LAST_FUNCTION, key, looked, r);
            return Ok(r);
        }
        let shared = self
            .inner
            .functions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .filter(|r| r.generation == generation)
            .copied();
        let r = match shared {
            Some(r) => r,
            None => self.resolve_new(name, generation)?,
        };
        let _ = RECENT_FUNCTIONS.try_with(|c| c.borrow_mut().insert(key, looked, r));
        Lasts::remember_in(&LAST_FUNCTION, key, looked, r);
        Ok(r)
    }

    #[cold]
    fn resolve_new(&self, name: &str, generation: u64) -> Result<Resolved> {
        let (ty, code) = self.locate_function(name)?;
        let ffi = &self.inner.ffi;
        let func = ffi.realize(ty);
        let ptr = ffi.pointer_to(func);
        // Built now, so that an unsupported signature is reported here.
        let plan = PlanPtr(NonNull::from(crate::abi::plan_of(ffi, func)?));
        let r = Resolved {
            generation,
            code,
            func,
            ptr,
            plan,
        };
        self.inner
            .functions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.into(), r);
        Ok(r)
    }

    /// The declared function `name`: its function type and its code's address (checked to
    /// be code, when the symbol table says).
    fn locate_function(&self, name: &str) -> Result<(rcffi_cdef::CTypeId, usize)> {
        self.check_open()?;
        let (ty, symbol) = match self.decl(name)? {
            Decl::Function { ty, symbol } => (ty, symbol),
            other => {
                return Err(Error::Type(
                    format!("'{name}' is a {}, not a function", other.kind_name()).into(),
                ));
            }
        };
        let sym_name = symbol.as_deref().unwrap_or(name);
        let code = self.symbol(sym_name, "function/symbol")?;
        if let Some(s) = self.symbol_entry(sym_name, code)
            && s.kind == symtab::SymKind::Data
        {
            return Err(Error::Type(format!(
                "'{name}' is declared as a function, but symbol '{sym_name}' of library '{}' is \
                 {} ({} bytes)",
                self.name(),
                s.kind.describe(),
                s.size
            ).into()));
        }
        Ok((ty, code))
    }

    /// Calls the declared function `name` (cffi's `lib.name(args...)`); see
    /// [`Function::call`] for how arguments convert. The function is looked up once, then
    /// found by name in a cache; [`Lib::function`] gives a handle that skips even that.
    ///
    /// # Errors
    ///
    /// As [`Lib::function`], then as [`Function::call`].
    ///
    /// # Safety
    ///
    /// As for [`Function::call`]: the declaration must match the library's function, and the
    /// arguments must be what the function expects of them (valid pointers, C strings...).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int abs(int); long labs(long);")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// // SAFETY: libc's abs and labs, declared as they are.
    /// assert_eq!(unsafe { libc.call("abs", (-3,))? }, 3.into());
    /// let err = unsafe { libc.call("labs", ("text",)) }.unwrap_err();
    /// assert!(err.to_string().contains("argument 1"));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub unsafe fn call<'a, A: crate::Args<'a>>(&self, name: &str, args: A) -> Result<Value> {
        let Ok(Resolved { code, plan, .. }) = self.resolve(name) else {
            // SAFETY: the caller's promise, passed on.
            return args.with_args(|a| unsafe { self.call_macro(name, a) });
        };
        // SAFETY: the plan lives in the arena of `self`'s `ffi` object, which `self` keeps
        // alive (`PlanPtr`).
        let plan = unsafe { plan.0.as_ref() };
        // SAFETY: `code` is the library's function `name`, kept loaded by `self` (so the
        // address may be used as it is); the caller vouches for the declaration and the
        // arguments.
        unsafe { crate::call::invoke::call_args(&self.inner.ffi, plan, code, args) }
    }

    /// [`Lib::call`] of a function-like macro whose expansion calls a declared function
    /// (`deflateInit(strm, level)` calls `deflateInit_(strm, level, ZLIB_VERSION, ...)`): the
    /// function, with the caller's arguments rearranged and the macro's constants added.
    /// When `name` is no such macro, the error is the one looking it up as a function gives.
    ///
    /// # Safety
    ///
    /// As for [`Lib::call`], for the function the macro calls.
    #[cold]
    #[inline(never)]
    unsafe fn call_macro(&self, name: &str, given: &[crate::Arg<'_>]) -> Result<Value> {
        let Ok(Decl::Macro(MacroValue::Function(f))) = self.decl(name) else {
            // Not a macro: the lookup's own error (looked up again: this path is cold).
            return self.resolve(name).and(Err(Error::Symbol(
                format!("'{name}' cannot be called").into(),
            )));
        };
        let call = f.call.map_err(|why| {
            Error::Type(
                format!("'{name}' is a function-like macro that cannot be called by name: {why}")
                    .into(),
            )
        })?;
        let constants: Vec<Option<Value>> = call
            .args
            .iter()
            .map(|a| match a {
                MacroArg::Param(_) => Ok(None),
                MacroArg::Value(v) => self.macro_constant(name, v).map(Some),
            })
            .collect::<Result<_>>()?;
        if given.len() != f.params.len() {
            return Err(Error::Type(
                format!(
                    "macro '{name}' takes {} arguments ({} given)",
                    f.params.len(),
                    given.len()
                )
                .into(),
            ));
        }
        let list: Vec<crate::Arg<'_>> = call
            .args
            .iter()
            .zip(&constants)
            .map(|(a, c)| match (a, c) {
                (MacroArg::Param(n), _) => given[*n].reborrow(),
                (_, Some(v)) => crate::Arg::Ref(v),
                (_, None) => unreachable!("every constant was made above"),
            })
            .collect();
        // SAFETY: the caller's promise, for the function the macro calls.
        unsafe { self.call(&call.function, list) }
            .map_err(|e| e.context(format_args!("calling macro '{name}'")))
    }

    /// A constant a function-like macro passes, as a value.
    fn macro_constant(&self, name: &str, v: &MacroValue) -> Result<Value> {
        let ffi = &self.inner.ffi;
        Ok(match v {
            MacroValue::Int(i) => Value::Int(i.value),
            MacroValue::Float { value, .. } => Value::Float(*value),
            MacroValue::Bytes(b) => Value::Bytes(b[..].into()),
            MacroValue::Pointer { ty, addr } => Value::CData(CData::pointer(
                ffi,
                ffi.realize(*ty),
                usize::try_from(*addr).map_err(|_| {
                    Error::Overflow(
                        format!("macro '{name}': address {addr:#x} does not fit").into(),
                    )
                })?,
                Owner::Foreign,
            )),
            _ => {
                return Err(Error::Type(
                    format!("macro '{name}' passes a constant rcffi cannot make").into(),
                ));
            }
        })
    }

    /// What keeps a function's code valid: this library.
    fn code_owner(&self, addr: usize) -> Owner {
        let keeper: Keeper = self.inner.clone();
        // SAFETY: a length of 0: no byte of the code is ever read or written through it.
        Owner::Mapped(unsafe { Mapped::new(addr, 0, false, keeper) })
    }

    /// The address of symbol `name`, looked up once.
    fn symbol(&self, name: &str, what: &str) -> Result<usize> {
        if let Some(a) = self
            .inner
            .symbols
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return Ok(a.0);
        }
        // SAFETY: the symbol is only used as an address: typed by the cdef (the caller of
        // dlopen vouched for it), never as a Rust value of some type here.
        let found = unsafe { self.inner.handle.0.get::<*mut c_void>(name.as_bytes()) };
        let addr = match found {
            Ok(s) => *s as usize,
            Err(e) => {
                return Err(Error::Symbol(
                    format!(
                        "{what} '{name}' not found in library '{}': {}",
                        self.name(),
                        loader_message(&e)
                    )
                    .into(),
                ));
            }
        };
        self.inner
            .symbols
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.into(), (addr, None));
        Ok(addr)
    }
}

/// The dynamic loader's own message in a libloading error.
fn loader_message(e: &libloading::Error) -> String {
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    msg
}

/// Opens `name`: as given when it looks like a file name (following glibc's linker scripts),
/// else — and as a fallback — as a short name found the way ctypes' `find_library` does.
fn open_by_name(name: &str, flags: i32) -> Result<(RawLibrary, Option<PathBuf>)> {
    if name.trim().is_empty() {
        // dlopen("") would open the running program: that is `dlopen_self`, asked for by name.
        return Err(Error::Library(
            format!(
                "cannot load library {name:?}: the name is empty (the running program and its \
             libraries are `dlopen_self()`)"
            )
            .into(),
        ));
    }
    let looks_like_file = name.contains('/') || name.contains('.');
    let mut first_error = None;
    if looks_like_file {
        match open_file(Path::new(name), flags) {
            Ok(x) => return Ok(x),
            Err(e) => first_error = Some(e),
        }
    }
    if !name.contains('/') {
        match find_library(name) {
            Some(path) => {
                return open_file(&path, flags).map_err(|e| {
                    Error::Library(
                        format!(
                            "cannot load library '{name}' (found as {}): {e}",
                            path.display()
                        )
                        .into(),
                    )
                });
            }
            None => {
                let searched = search_dirs()
                    .iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                let not_found = format!(
                    "no library called '{name}' was found (looked for lib{name}.so* in {searched})"
                );
                return Err(Error::Library(match first_error {
                    Some(e) => {
                        format!("cannot load library '{name}': {e}.  Additionally, {not_found}")
                            .into()
                    }
                    None => format!("cannot load library '{name}': {not_found}").into(),
                }));
            }
        }
    }
    Err(Error::Library(
        format!(
            "cannot load library '{name}': {}",
            first_error.unwrap_or_default()
        )
        .into(),
    ))
}

/// Opens one file; a glibc linker script (`libc.so`) is followed to the library it names.
fn open_file(
    path: &Path,
    flags: i32,
) -> std::result::Result<(RawLibrary, Option<PathBuf>), String> {
    // SAFETY: the caller of dlopen accepted that the library's initialisers run.
    match unsafe { RawLibrary::open(Some(path), flags) } {
        Ok(l) => Ok((l, Some(path.to_path_buf()))),
        Err(e) => {
            let msg = loader_message(&e);
            if let Some(target) = linker_script_target(path) {
                // SAFETY: as above.
                return match unsafe { RawLibrary::open(Some(&target), flags) } {
                    Ok(l) => Ok((l, Some(target))),
                    Err(e2) => Err(format!(
                        "{msg}; its linker script names {}: {}",
                        target.display(),
                        loader_message(&e2)
                    )),
                };
            }
            Err(msg)
        }
    }
}

/// The work of [`Ffi::dlopen_flags`](crate::Ffi::dlopen_flags).
///
/// # Safety
///
/// As for [`Ffi::dlopen_flags`](crate::Ffi::dlopen_flags).
pub(crate) unsafe fn dlopen_flags(ffi: &Ffi, name: &str, flags: i32) -> Result<Lib> {
    let flags = if flags & (libc::RTLD_NOW | libc::RTLD_LAZY) == 0 {
        flags | libc::RTLD_NOW
    } else {
        flags
    };
    let (raw, path) = open_by_name(name, flags)?;
    Ok(wrap(
        ffi,
        Some(name.to_string()),
        path,
        Handle(std::mem::ManuallyDrop::new(raw), true),
    ))
}

/// The work of [`Ffi::dlopen_handle`](crate::Ffi::dlopen_handle).
///
/// # Safety
///
/// As for [`Ffi::dlopen_handle`](crate::Ffi::dlopen_handle).
pub(crate) unsafe fn dlopen_handle(ffi: &Ffi, handle: &CData) -> Result<Lib> {
    let info = handle.info();
    if !matches!(info.repr, crate::types::Repr::Pointer { .. })
        || !matches!(
            handle.pointee_info().map(|t| &t.repr),
            Some(crate::types::Repr::Void)
        )
    {
        return Err(Error::Type(
            format!(
                "dlopen() takes a file name or 'void *' handle, not '{}'",
                info.name
            )
            .into(),
        ));
    }
    if handle.addr() == 0 {
        return Err(Error::NullPointer("cannot call dlopen(NULL)".into()));
    }
    // SAFETY: the caller promises a live handle from dlopen; it is never closed here.
    let raw = unsafe { RawLibrary::from_raw(handle.addr() as *mut c_void) };
    Ok(wrap(
        ffi,
        Some(format!("{:#x}", handle.addr())),
        None,
        Handle(std::mem::ManuallyDrop::new(raw), false),
    ))
}

/// The work of [`Ffi::dlopen_self`](crate::Ffi::dlopen_self): the running program.
///
/// # Safety
///
/// As for [`Ffi::dlopen`](crate::Ffi::dlopen).
pub(crate) unsafe fn dlopen_self(ffi: &Ffi) -> Result<Lib> {
    let raw = RawLibrary::this();
    Ok(wrap(
        ffi,
        None,
        None,
        Handle(std::mem::ManuallyDrop::new(raw), true),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "opens libraries, which Miri cannot run")]
    fn short_names_are_found_like_ctypes() {
        let c = find_library("c").expect("libc is installed");
        assert!(c.to_string_lossy().contains("libc.so"), "{}", c.display());
        assert!(find_library("m").is_some());
        assert!(find_library("definitely-not-a-library").is_none());
    }

    #[test]
    #[cfg_attr(miri, ignore = "opens libraries, which Miri cannot run")]
    fn a_library_is_freed_when_nothing_made_from_it_is_left() {
        let ffi = Ffi::default();
        ffi.cdef("int abs(int); extern char **environ;").unwrap();
        // SAFETY: libc's abs and environ, as declared.
        let lib = unsafe { ffi.dlopen("c") }.unwrap();
        let abs = lib.function("abs").unwrap();
        let env = lib.addressof("environ").unwrap();
        // SAFETY: abs takes an int.
        assert_eq!(unsafe { lib.call("abs", (-1,)) }.unwrap(), 1.into());
        let weak = Arc::downgrade(&lib.inner);
        drop(lib);
        assert!(weak.upgrade().is_some(), "abs and env hold it");
        drop(abs);
        drop(env);
        assert!(weak.upgrade().is_none(), "the library was not freed");
    }

    #[test]
    #[cfg_attr(miri, ignore = "opens libraries, which Miri cannot run")]
    fn linker_scripts_are_followed() {
        // glibc's libc.so (with libc6-dev) is a linker script naming libc.so.6.
        if let Some(t) = search_dirs()
            .iter()
            .map(|d| d.join("libc.so"))
            .find(|p| p.is_file())
            .and_then(|p| linker_script_target(&p))
        {
            assert!(t.to_string_lossy().contains("libc.so.6"), "{}", t.display());
        }
    }
}

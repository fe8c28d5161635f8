//! What the loaded objects' symbol tables say of an address: the ELF symbol that starts there,
//! its size and its kind (data or code). `dlopen`'s `unsafe` vouches for declarations made
//! before it, not for those made after; so a global variable declared larger than its
//! symbol, or a function declared where the symbol is data (or the reverse), is refused here
//! with both sizes or kinds named, whenever the declaration is used.

use std::ffi::c_void;

/// What a symbol is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum SymKind {
    /// Data: `STT_OBJECT`, `STT_COMMON`, `STT_TLS`.
    Data,
    /// Code: `STT_FUNC`, `STT_GNU_IFUNC`.
    Code,
    /// Anything else (`STT_NOTYPE`: labels of assembly, linker symbols).
    Other,
}

impl SymKind {
    /// How messages name it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            SymKind::Data => "data",
            SymKind::Code => "a function",
            SymKind::Other => "a symbol of no type",
        }
    }
}

/// The symbol that starts at an address.
#[derive(Copy, Clone, Debug)]
pub(super) struct Sym {
    pub(crate) size: usize,
    pub(crate) kind: SymKind,
}

/// `RTLD_DL_SYMENT`: ask `dladdr1` for the `ElfW(Sym)` entry.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const RTLD_DL_SYMENT: libc::c_int = 1;

/// The symbol of a loaded object that starts exactly at `addr`, with its size and kind;
/// `None` when no symbol table entry starts there (an address inside a symbol, code reached
/// through an `IFUNC` resolver, a target without `dladdr1`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn at(addr: usize) -> Option<Sym> {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    let mut entry: *mut c_void = std::ptr::null_mut();
    // SAFETY: `dladdr1` reads only the address (any value is allowed: it looks it up in the
    // loader's tables) and writes the `Dl_info` and the entry pointer we pass.
    let found = unsafe {
        libc::dladdr1(
            addr as *const c_void,
            info.as_mut_ptr(),
            &mut entry,
            RTLD_DL_SYMENT,
        )
    };
    if found == 0 || entry.is_null() {
        return None;
    }
    // SAFETY: `dladdr1` succeeded: it filled `info`.
    let info = unsafe { info.assume_init() };
    // SAFETY: with RTLD_DL_SYMENT a successful `dladdr1` points `entry` at the symbol's
    // entry in the object's dynamic symbol table, which stays mapped while the object is
    // loaded (the caller's library keeps it loaded); it is only read here.
    let sym = unsafe { std::ptr::read_unaligned(entry.cast::<libc::Elf64_Sym>()) };
    if info.dli_saddr as usize != addr {
        return None;
    }
    let kind = match sym.st_info & 0xf {
        1 | 5 | 6 => SymKind::Data,
        2 | 10 => SymKind::Code,
        _ => SymKind::Other,
    };
    Some(Sym {
        size: usize::try_from(sym.st_size).unwrap_or(usize::MAX),
        kind,
    })
}

/// Without `dladdr1`, nothing is known.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn at(_addr: usize) -> Option<Sym> {
    None
}

/// The file of the loaded object that holds `addr`, as the loader names it (`dladdr`'s
/// `dli_fname`); `None` for an address outside every loaded object.
#[cfg(unix)]
pub(crate) fn object_of(addr: usize) -> Option<std::path::PathBuf> {
    let mut info = std::mem::MaybeUninit::<libc::Dl_info>::zeroed();
    // SAFETY: `dladdr` reads only the address (any value is allowed) and writes the
    // `Dl_info` we pass.
    let found = unsafe { libc::dladdr(addr as *const c_void, info.as_mut_ptr()) };
    if found == 0 {
        return None;
    }
    // SAFETY: `dladdr` succeeded: it filled `info`.
    let info = unsafe { info.assume_init() };
    if info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: a non-null `dli_fname` is the loader's NUL-terminated name of the object, which
    // stays loaded while the caller's library does; it is copied out here.
    let name = unsafe { std::ffi::CStr::from_ptr(info.dli_fname) };
    use std::os::unix::ffi::OsStrExt as _;
    Some(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(
        name.to_bytes(),
    )))
}

/// Without `dladdr`, nothing is known.
#[cfg(not(unix))]
pub(crate) fn object_of(_addr: usize) -> Option<std::path::PathBuf> {
    None
}

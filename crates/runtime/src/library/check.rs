//! [`Lib::check`]: the cdef's functions and variables against what the library exports — the
//! checks each use makes (issue 7), made for every declaration at once, for a test or a tool
//! that wants the whole list before anything is called.

use std::fmt;
use std::path::{Path, PathBuf};

use rcffi_cdef::Decl;

use super::Lib;
use super::symtab::{self, SymKind};
use crate::error::{Error, Result};

/// One declaration that does not match the library, found by [`Lib::check`].
///
/// Its `Display` is one line naming the declaration, the symbol and both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SymbolProblem {
    /// Neither the library nor anything it loaded has the symbol.
    Missing {
        /// The declared name.
        name: String,
        /// The symbol looked up (the name, or its `__asm__` label).
        symbol: String,
        /// Declared as a function (else as a variable).
        function: bool,
    },
    /// The symbol is found, but in another loaded object (a library this one depends on, or
    /// the program): this library does not export it.
    Elsewhere {
        /// The declared name.
        name: String,
        /// The symbol looked up.
        symbol: String,
        /// Declared as a function (else as a variable).
        function: bool,
        /// The object that has it, as the loader names it.
        object: PathBuf,
    },
    /// Declared as a function; the symbol is data.
    FunctionIsData {
        /// The declared name.
        name: String,
        /// The symbol looked up.
        symbol: String,
        /// The data's size in bytes.
        size: usize,
    },
    /// Declared as a variable; the symbol is a function.
    VariableIsFunction {
        /// The declared name.
        name: String,
        /// The symbol looked up.
        symbol: String,
        /// The declared type.
        ty: String,
    },
    /// A variable whose declared size differs from its symbol's size (larger is refused when
    /// the variable is used; smaller is allowed, and listed here).
    SizeDiffers {
        /// The declared name.
        name: String,
        /// The symbol looked up.
        symbol: String,
        /// The declared type.
        ty: String,
        /// The declared type's size in bytes.
        declared: usize,
        /// The symbol's size in bytes.
        actual: usize,
    },
}

impl SymbolProblem {
    /// The declared name the problem is about.
    pub fn name(&self) -> &str {
        match self {
            SymbolProblem::Missing { name, .. }
            | SymbolProblem::Elsewhere { name, .. }
            | SymbolProblem::FunctionIsData { name, .. }
            | SymbolProblem::VariableIsFunction { name, .. }
            | SymbolProblem::SizeDiffers { name, .. } => name,
        }
    }
}

/// `'name'`, or `'name' (symbol 'label')` when an `__asm__` label renames it.
fn named(name: &str, symbol: &str) -> String {
    if name == symbol {
        format!("'{name}'")
    } else {
        format!("'{name}' (symbol '{symbol}')")
    }
}

fn what(function: bool) -> &'static str {
    if function { "function" } else { "variable" }
}

impl fmt::Display for SymbolProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SymbolProblem::Missing {
                name,
                symbol,
                function,
            } => write!(
                f,
                "{} {} is not exported",
                what(*function),
                named(name, symbol)
            ),
            SymbolProblem::Elsewhere {
                name,
                symbol,
                function,
                object,
            } => write!(
                f,
                "{} {} is not exported by this library, but by {}",
                what(*function),
                named(name, symbol),
                object.display()
            ),
            SymbolProblem::FunctionIsData { name, symbol, size } => write!(
                f,
                "{} is declared as a function, but the symbol is data ({size} bytes)",
                named(name, symbol)
            ),
            SymbolProblem::VariableIsFunction { name, symbol, ty } => write!(
                f,
                "{} is declared as a variable of type '{ty}', but the symbol is a function",
                named(name, symbol)
            ),
            SymbolProblem::SizeDiffers {
                name,
                symbol,
                ty,
                declared,
                actual,
            } => write!(
                f,
                "variable {} is declared as '{ty}' ({declared} bytes), but the symbol has \
                 {actual} bytes",
                named(name, symbol)
            ),
        }
    }
}

impl Lib {
    /// Checks every function and variable the cdef declares against the library: each must
    /// be exported by this library (not only by one it loaded), a function must be code and a
    /// variable data of its declared size, as far as the symbol table says. Returns what
    /// does not match, in declaration order; nothing is called or read.
    ///
    /// Uses are checked on their own as well (a variable larger than its symbol, or a
    /// function whose symbol is data, is refused); this lists them all at once.
    ///
    /// # Errors
    ///
    /// [`Error::Library`] after `dlclose`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("double cos(double); double no_such_cosine(double); extern int signgam;")?;
    /// // SAFETY: libm is the system's, and nothing is called.
    /// let libm = unsafe { ffi.dlopen("m")? };
    /// let problems = libm.check()?;
    /// assert_eq!(problems.len(), 1);
    /// assert_eq!(problems[0].name(), "no_such_cosine");
    /// assert_eq!(problems[0].to_string(), "function 'no_such_cosine' is not exported");
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn check(&self) -> Result<Vec<SymbolProblem>> {
        let names: Vec<String> = self.ffi().with_registry(|r| {
            r.decls()
                .filter(|(_, d)| matches!(d, Decl::Function { .. } | Decl::Variable { .. }))
                .map(|(n, _)| n.to_string())
                .collect()
        });
        self.check_names(names.iter().map(String::as_str))
    }

    /// [`Lib::check`] for some names only (a header's own declarations, say). A name that is
    /// neither a declared function nor a declared variable is an error.
    ///
    /// # Errors
    ///
    /// [`Error::Key`] for a name that is not a declared function or variable,
    /// [`Error::Library`] after `dlclose`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("size_t strlen(const char *); int no_such_function(void);")?;
    /// // SAFETY: libc is the process's own, and nothing is called.
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// assert!(libc.check_names(["strlen"])?.is_empty());
    /// assert!(libc.check_names(["size_t"]).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn check_names<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<SymbolProblem>> {
        self.check_open()?;
        let own = self.path().and_then(|p| std::fs::canonicalize(p).ok());
        let mut problems = Vec::new();
        for name in names {
            let decl = match self.ffi().with_registry(|r| r.decl(name).cloned()) {
                Some(d @ (Decl::Function { .. } | Decl::Variable { .. })) => d,
                _ => {
                    return Err(Error::Key(
                        format!("'{name}' is not a function or variable of the cdef").into(),
                    ));
                }
            };
            if let Some(p) = self.check_one(name, &decl, own.as_deref()) {
                problems.push(p);
            }
        }
        Ok(problems)
    }

    fn check_one(&self, name: &str, decl: &Decl, own: Option<&Path>) -> Option<SymbolProblem> {
        let (function, symbol, ty) = match decl {
            Decl::Function { ty, symbol } => (true, symbol, *ty),
            Decl::Variable { ty, symbol, .. } => (false, symbol, *ty),
            _ => return None,
        };
        let sym_name = symbol.as_deref().unwrap_or(name);
        let (name_s, symbol_s) = (name.to_string(), sym_name.to_string());
        let Ok(addr) = self.symbol(sym_name, what(function)) else {
            return Some(SymbolProblem::Missing {
                name: name_s,
                symbol: symbol_s,
                function,
            });
        };
        // `dlsym` on a library's handle searches what it loaded too.
        if let Some(own) = own
            && let Some(object) = symtab::object_of(addr)
            && std::fs::canonicalize(&object).ok().as_deref() != Some(own)
        {
            return Some(SymbolProblem::Elsewhere {
                name: name_s,
                symbol: symbol_s,
                function,
                object,
            });
        }
        let entry = self.symbol_entry(sym_name, addr)?;
        let ffi = self.ffi();
        if function {
            return (entry.kind == SymKind::Data).then_some(SymbolProblem::FunctionIsData {
                name: name_s,
                symbol: symbol_s,
                size: entry.size,
            });
        }
        let t = ffi.realize(ty);
        let info = t.get(&ffi.inner);
        if entry.kind == SymKind::Code {
            return Some(SymbolProblem::VariableIsFunction {
                name: name_s,
                symbol: symbol_s,
                ty: info.name.to_string(),
            });
        }
        match info.size() {
            Some(declared) if entry.kind == SymKind::Data && declared != entry.size => {
                Some(SymbolProblem::SizeDiffers {
                    name: name_s,
                    symbol: symbol_s,
                    ty: info.name.to_string(),
                    declared,
                    actual: entry.size,
                })
            }
            _ => None,
        }
    }
}

//! Names of a library other than its functions: global variables (read, written, addressed;
//! bounded by their symbols' sizes, `symtab`), integer constants of the cdef, and `dir`.

use rcffi_cdef::{Decl, MacroValue};

use super::{Lib, symtab};
use crate::data::CData;
use crate::data::Value;
use crate::data::convert::{self, Place};
use crate::error::{Error, Result};
use crate::mem::Owner;
use crate::mem::{Keeper, Mapped};
use crate::types::TypeRef;

/// How many macros naming macros are followed before the chain is called a loop.
const MAX_ALIASES: usize = 32;

impl Lib {
    /// The value of a name (cffi's `lib.name`): a global variable's value (arrays and
    /// structs as views of the library's memory), a function as a function pointer, or a
    /// constant of the cdef: an enum value, a `static const`, or a macro's value (an integer, a
    /// float, a string's bytes, a pointer constant; a macro naming a function or variable is
    /// that function or variable).
    ///
    /// # Errors
    ///
    /// [`Error::Key`] for a name this `ffi` object does not declare (with a near
    /// name), [`Error::Symbol`] for a variable the library does not export or
    /// exports smaller than declared; [`Error::Unsupported`] for an
    /// enumerator whose value the cdef does not know.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("extern char **environ; enum e { A, B = 5 }; int abs(int);")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// assert_eq!(libc.get("B")?, 5.into());
    /// assert_eq!(libc.get("abs")?.cdata()?.type_name(), "int(*)(int)");
    /// assert!(libc.get("nope").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn get(&self, name: &str) -> Result<Value> {
        match self.decl(name)? {
            Decl::Function { .. } => Ok(Value::CData(self.function(name)?.cdata().clone())),
            Decl::Variable {
                ty,
                symbol,
                read_only,
            } => {
                let (t, owner, addr) = self.variable(name, ty, symbol.as_deref(), read_only)?;
                let ffi = &self.inner.ffi;
                if let crate::types::Repr::Array { elem, len: None } = &t.get(&ffi.inner).repr {
                    // `extern int a[];`: a pointer to the first item (cffi), bounded by the
                    // symbol's size.
                    return Ok(Value::CData(CData::pointer(
                        ffi,
                        ffi.pointer_to(*elem),
                        addr,
                        owner,
                    )));
                }
                convert::c_to_value(&Place {
                    uni: &self.inner.ffi,
                    ty: t,
                    addr,
                    owner: owner.as_ref(),
                    len: None,
                })
            }
            Decl::EnumConst { .. } if self.no_value_reason(name).is_some() => Err(
                Error::Unsupported(self.no_value_reason(name).unwrap_or_default().into()),
            ),
            Decl::Constant { value: Some(v), .. }
            | Decl::EnumConst { value: v, .. }
            | Decl::Macro(MacroValue::Int(v)) => Ok(Value::Int(v.value)),
            Decl::Constant { value: None, .. } => Err(Error::Unsupported(format!(
                "non-integer constant '{name}' cannot be accessed from a dlopen() library"
            ).into())),
            Decl::Macro(MacroValue::Float { value, .. }) => Ok(Value::Float(value)),
            Decl::Macro(MacroValue::Bytes(b)) => Ok(Value::Bytes(b.into_vec().into())),
            Decl::Macro(MacroValue::Pointer { ty, addr }) => {
                let ffi = &self.inner.ffi;
                let addr = usize::try_from(addr).map_err(|_| {
                    Error::Overflow(format!("macro '{name}': address {addr:#x} does not fit").into())
                })?;
                Ok(Value::CData(CData::pointer(
                    ffi,
                    ffi.realize(ty),
                    addr,
                    Owner::Foreign,
                )))
            }
            Decl::Macro(MacroValue::Unknown) => Err(Error::Symbol(format!(
                "'{name}' is declared with '#define {name} ...': its value is not known in ABI mode"
            ).into())),
            Decl::Macro(MacroValue::Skipped(why)) => Err(Error::Symbol(format!(
                "macro '{name}' has no value rcffi can use: {why}"
            ).into())),
            Decl::Macro(MacroValue::Undefined) => Err(Error::Symbol(format!(
                "macro '{name}' was removed by #undef"
            ).into())),
            Decl::Macro(MacroValue::Function(f)) => Err(Error::Type(match &f.call {
                Ok(c) => format!(
                    "'{name}' is a function-like macro, not a value: call it with lib.call (it calls '{}')",
                    c.function
                ).into(),
                Err(why) => format!(
                    "'{name}' is a function-like macro, not a value, and cannot be called by name: {why}"
                ).into(),
            })),
            Decl::Macro(MacroValue::Alias(_)) => {
                unreachable!("Lib::decl follows aliases")
            }
            Decl::Typedef { .. } => Err(Error::Symbol(format!(
                "'{name}' is a type, not a function, variable or constant of library '{}'",
                self.name()
            ).into())),
        }
    }

    /// Writes a global variable (cffi's `lib.name = value`), with the conversions of a
    /// member write: `lib.set("counter", 5)`, `lib.set("arr", [1, 2, 3])`.
    ///
    /// # Errors
    ///
    /// As [`Lib::get`], [`Error::Type`] for a read-only name (a constant, a `const`
    /// variable, a function), and a value's conversion error.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("extern int opterr;")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// let before = libc.get("opterr")?;
    /// libc.set("opterr", 0)?;
    /// assert_eq!(libc.get("opterr")?, 0.into());
    /// libc.set("opterr", before)?;
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn set(&self, name: &str, value: impl Into<Value>) -> Result<()> {
        match self.decl(name)? {
            Decl::Variable {
                ty,
                symbol,
                read_only,
            } => {
                if read_only {
                    return Err(Error::Type(
                        format!("cannot write to '{name}': it is declared const").into(),
                    ));
                }
                let (t, owner, addr) = self.variable(name, ty, symbol.as_deref(), false)?;
                // `extern int a[];`: as many items as the symbol holds (its size in the
                // library's symbol table), as `get` reads it.
                let len = match &t.get(&self.inner.ffi.inner).repr {
                    crate::types::Repr::Array { elem, len: None } => {
                        let item = elem.get(&self.inner.ffi.inner).size().unwrap_or(0);
                        let bytes = self
                            .symbol_entry(symbol.as_deref().unwrap_or(name), addr)
                            .map_or(0, |s| s.size);
                        bytes.checked_div(item)
                    }
                    _ => None,
                };
                convert::value_to_c(
                    &Place {
                        uni: &self.inner.ffi,
                        ty: t,
                        addr,
                        owner: owner.as_ref(),
                        len,
                    },
                    &value.into(),
                )
            }
            other => Err(Error::Type(
                format!("cannot write to {} '{name}'", other.kind_name()).into(),
            )),
        }
    }

    /// The address of a global variable as a `T *` cdata (cffi's `ffi.addressof(lib,
    /// "name")`), or a function as a function pointer.
    ///
    /// # Errors
    ///
    /// As [`Lib::get`]; constants have no address ([`Error::Type`]).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("extern int opterr;")?;
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// let p = libc.addressof("opterr")?;
    /// assert_eq!(p.type_name(), "int *");
    /// assert_eq!(p.get(0)?, libc.get("opterr")?);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn addressof(&self, name: &str) -> Result<CData> {
        match self.decl(name)? {
            Decl::Function { .. } => Ok(self.function(name)?.cdata().clone()),
            Decl::Variable {
                ty,
                symbol,
                read_only,
            } => {
                let (t, owner, addr) = self.variable(name, ty, symbol.as_deref(), read_only)?;
                let ffi = &self.inner.ffi;
                Ok(CData::pointer(ffi, ffi.pointer_to(t), addr, owner))
            }
            other => Err(Error::Type(
                format!("cannot take the address of {} '{name}'", other.kind_name()).into(),
            )),
        }
    }

    /// The names this library object offers (cffi's `dir(lib)`): the cdef's functions,
    /// variables, integer constants and enum values, sorted.
    pub fn dir(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inner.ffi.with_registry(|r| {
            r.decls()
                .filter(|(_, d)| match d {
                    Decl::Typedef { .. } => false,
                    Decl::Macro(v) => v.is_usable() && *v != MacroValue::Unknown,
                    _ => true,
                })
                .map(|(n, _)| n.to_string())
                .collect()
        });
        names.sort();
        names
    }

    /// The declaration of `name`, through macros that name other declarations
    /// (`#define mpz_init __gmpz_init`): a function or variable reached so is looked up by
    /// the name it was declared with.
    pub(super) fn decl(&self, name: &str) -> Result<Decl> {
        let reg = self.inner.ffi.registry();
        let mut current = name;
        for _ in 0..MAX_ALIASES {
            let Some(d) = reg.decl(current) else {
                return Err(Error::Symbol(if current == name {
                    let near = rcffi_cdef::did_you_mean(name, reg.decls().map(|(n, _)| n));
                    format!(
                        "'{name}' is not declared in the cdef (library '{}'){near}",
                        self.name()
                    )
                    .into()
                } else {
                    format!("macro '{name}' names '{current}', which is not declared in the cdef")
                        .into()
                }));
            };
            match d {
                Decl::Macro(MacroValue::Alias(next)) => current = next,
                Decl::Function { ty, symbol: None } if current != name => {
                    return Ok(Decl::Function {
                        ty: *ty,
                        symbol: Some(current.into()),
                    });
                }
                Decl::Variable {
                    ty,
                    symbol: None,
                    read_only,
                } if current != name => {
                    return Ok(Decl::Variable {
                        ty: *ty,
                        symbol: Some(current.into()),
                        read_only: *read_only,
                    });
                }
                other => return Ok(other.clone()),
            }
        }
        Err(Error::Symbol(
            format!("macro '{name}' names names more than {MAX_ALIASES} levels deep (a loop?)")
                .into(),
        ))
    }

    /// A global variable: its realized type, owner and address. The memory is bounded by
    /// the symbol's size in the library's symbol table: a declaration larger than the
    /// symbol, or of a variable where the symbol is code, is refused.
    fn variable(
        &self,
        name: &str,
        ty: rcffi_cdef::CTypeId,
        symbol: Option<&str>,
        read_only: bool,
    ) -> Result<(TypeRef, Owner, usize)> {
        self.check_open()?;
        let ffi = &self.inner.ffi;
        let t = ffi.realize(ty);
        let sym_name = symbol.unwrap_or(name);
        let addr = self.symbol(sym_name, "variable")?;
        let info = t.get(&ffi.inner);
        let Some(sym) = self.symbol_entry(sym_name, addr) else {
            return Err(Error::Symbol(format!(
                "variable '{name}': no symbol of library '{}' starts at its address {addr:#x}, so \
                 its size is unknown and rcffi will not read or write it",
                self.name()
            ).into()));
        };
        if sym.kind == symtab::SymKind::Code {
            return Err(Error::Type(
                format!(
                    "'{name}' is declared as a variable of type '{}', but symbol '{sym_name}' of \
                 library '{}' is a function",
                    info.name,
                    self.name()
                )
                .into(),
            ));
        }
        let size = match info.size() {
            Some(n) if n > sym.size => {
                return Err(Error::Type(format!(
                    "variable '{name}' is declared as '{}' ({n} bytes), but symbol '{sym_name}' \
                     of library '{}' is {} of {} bytes",
                    info.name,
                    self.name(),
                    sym.kind.describe(),
                    sym.size
                ).into()));
            }
            Some(n) => n,
            // `extern int a[];`: as many bytes as the symbol has.
            None => sym.size,
        };
        let keeper: Keeper = self.inner.clone();
        // SAFETY: `addr` is the start of the library's data symbol `sym_name`, whose symbol
        // table entry says it has at least `size` bytes; `keeper` keeps the library loaded
        // while the range is used. A const variable is read-only and nobody writes it.
        let owner = Owner::Mapped(unsafe { Mapped::new(addr, size, !read_only, keeper) });
        Ok((t, owner, addr))
    }

    /// Why constant `name` of the cdef has no value (`Registry::no_value_reason`).
    fn no_value_reason(&self, name: &str) -> Option<String> {
        self.inner.ffi.inner.read().no_value_reason(name)
    }

    /// What the symbol table says of the symbol `name` at `addr` (looked up once).
    pub(super) fn symbol_entry(&self, name: &str, addr: usize) -> Option<symtab::Sym> {
        if let Some((_, Some(s))) = self
            .inner
            .symbols
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return *s;
        }
        let s = symtab::at(addr);
        if let Some(entry) = self
            .inner
            .symbols
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(name)
        {
            entry.1 = Some(s);
        }
        s
    }
}

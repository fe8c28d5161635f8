//! Making an `ffi` object, `cdef`, and what the declarations tell before any library is
//! loaded: `typeof_`, `sizeof`, `alignof`, `offsetof`, `getctype`, `list_types` and integer
//! constants.

use std::sync::Arc;

use rcffi_cdef::{CdefOptions, CdefReport, HeaderReport, Headers, Registry, Target};

use crate::error::{Error, Result};
use crate::types::{CType, Ffi, TypeSpec, arena, parse_path, path_error};

/// A new `ffi` object for the host (cffi's `FFI()`), knowing cffi's built-in type names.
/// (`ffi.new` is cffi's allocation, [`Ffi::new`], so the constructor is `Ffi::default()`.)
impl Default for Ffi {
    fn default() -> Self {
        Ffi::with_target(Target::host())
    }
}

impl Ffi {
    /// [`Ffi::cdef`] with options: `override_` (a later different declaration replaces an
    /// earlier one), `packed` (as `#pragma pack(1)`), `pack` (as `#pragma pack(N)`).
    ///
    /// # Errors
    ///
    /// As [`Ffi::cdef`]: [`Error::CDef`] with the line and column, nothing declared.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::rcffi_cdef::CdefOptions;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef_with("struct s { char a; int b; };", &CdefOptions { packed: true, ..Default::default() })?;
    /// assert_eq!(ffi.sizeof("struct s")?, 5);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn cdef_with(&self, text: &str, options: &CdefOptions) -> Result<CdefReport> {
        arena::cdef_with(self, text, options)
    }

    /// Declares what installed headers declare, their macros included (cffi's ABI mode never
    /// reads headers): the system C preprocessor runs once (`-E -dD`), and its output is
    /// `cdef`'d whole. The report says what was declared, what was skipped and why (each with
    /// its header file and line), and how long each half took.
    ///
    /// # Errors
    ///
    /// [`Error::CDef`] when the preprocessor cannot run or fails (a header not
    /// found), or for what its output declares wrongly; nothing is declared then.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::{Ffi, rcffi_cdef::Headers};
    /// # if std::process::Command::new("cc").arg("--version").output().is_err() { return Ok(()); }
    /// let ffi = Ffi::default();
    /// let report = ffi.include_headers(&Headers::new(["stdlib.h", "limits.h"]))?;
    /// assert!(report.cdef.declared.iter().any(|n| &**n == "qsort"));
    /// let libc = unsafe { ffi.dlopen("c")? };
    /// assert_eq!(libc.get("INT_MAX")?, i32::MAX.into());
    /// assert_eq!(ffi.sizeof("div_t")?, 8);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn include_headers(&self, headers: &Headers) -> Result<HeaderReport> {
        headers.import(self.target(), |text, options| self.cdef_with(text, options))
    }

    /// Declares `other`'s types and constants in this `ffi` object, as cffi's
    /// `ffi.include(other)` does: its typedefs, structs, unions and enums, enumerators,
    /// `static const` integers and value macros — not its functions and variables, which are
    /// declared here with the included types. They come first: a later `cdef` here may use and
    /// complete them, and a name both declare must be declared alike (a typedef of the same
    /// type, a constant of the same value, a struct with the same members), or nothing is
    /// included and the error names the conflict. What `other` declares later is not included
    /// (include again to take it).
    ///
    /// The included types are this object's own: cdata of `other` stay `other`'s, and pass
    /// here as any other ffi object's do (numbers convert; pointers and structs go through
    /// `cast` of their address).
    ///
    /// # Errors
    ///
    /// [`Error::CDef`] on a conflict or a registry for another target, [`Error::Value`] when
    /// `other` is this object.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// use rcffi::Ffi;
    /// let base = Ffi::default();
    /// base.cdef("typedef signed char schar_t; struct pt { schar_t x, y; };\n#define ORIGIN 0")?;
    /// let ffi = Ffi::default();
    /// assert!(ffi.cast("schar_t", 142).is_err()); // unknown here
    /// ffi.include(&base)?;
    /// assert_eq!(ffi.cast("schar_t", 142)?.to_int()?, -114);
    /// ffi.cdef("struct line { struct pt a, b; };")?;
    /// assert_eq!(ffi.sizeof("struct line")?, 4);
    /// assert!(ffi.include(&ffi).is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn include(&self, other: &Ffi) -> Result<()> {
        if self.same(other) {
            return Err(Error::Value("self.include(self)".into()));
        }
        arena::include(self, other)
    }

    /// The registry (every declaration and type) as it is now, for tools and tests: a snapshot
    /// that later `cdef`s do not change. Holding it blocks nothing: this `ffi` object goes on
    /// declaring and deriving types while it is held.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("int abs(int);")?;
    /// let before = ffi.registry();
    /// ffi.cdef("long labs(long);")?;
    /// assert_eq!(before.decls().count(), 1);
    /// assert_eq!(ffi.registry().decls().count(), 2);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn registry(&self) -> Arc<Registry> {
        Arc::clone(&self.inner.read())
    }

    /// Runs `f` with [`Ffi::registry`]: `f` may use this `ffi` object in every way, `cdef`
    /// included.
    pub fn with_registry<R>(&self, f: impl FnOnce(&Registry) -> R) -> R {
        f(&self.registry())
    }

    /// The [`CType`] of a type string (cffi's `ffi.typeof`); a function type (not a pointer to
    /// one) is refused.
    ///
    /// # Errors
    ///
    /// [`Error::CDef`] for a type string that does not parse (with the position
    /// and a near name), [`Error::Type`] for a function type (cffi's rule: a
    /// pointer to one is a type of values).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("typedef struct { int x, y; } point_t;")?;
    /// let t = ffi.typeof_("point_t *")?;
    /// assert_eq!((t.kind(), t.cname()), (rcffi::Kind::Pointer, "point_t *".to_string()));
    /// assert!(ffi.typeof_("int(int)").is_err()); // a function type; "int(*)(int)" is a type of values
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn typeof_<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<CType> {
        // The realized type answers without the registry's lock (a type string's is cached).
        let (ffi, t) = ty.resolve(self)?;
        let info = t.get(&ffi.inner);
        if matches!(info.repr, crate::types::Repr::Function { .. }) {
            return Err(Error::Type(
                format!(
                    "the type '{}' is a function type, not a pointer-to-function type",
                    info.name
                )
                .into(),
            ));
        }
        Ok(CType::new(ffi, info.id))
    }

    /// `sizeof` a type.
    ///
    /// # Errors
    ///
    /// [`Error::CDef`] for a type string that does not parse, and an error for a
    /// type without a size (`void`, an opaque struct, a function).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct s { char c; double d; };")?;
    /// assert_eq!(ffi.sizeof("struct s")?, 16);
    /// let a = ffi.new("int[]", 5)?;
    /// assert_eq!(ffi.sizeof(&a)?, 20); // a cdata's own size
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn sizeof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        if let Some(size) = ty.cdata_size() {
            return size;
        }
        let (ffi, t) = ty.resolve(self)?;
        // A complete type knows its size (no lock); the registry explains why another has none.
        if let Some(size) = t.get(&ffi.inner).size() {
            return Ok(size);
        }
        let id = t.get(&ffi.inner).id;
        Ok(ffi.inner.read().layout(id)?.size as usize)
    }

    /// `_Alignof` a type.
    ///
    /// # Errors
    ///
    /// [`Error::CDef`] for a type string that does not parse, and an error for a
    /// type without a size (`void`, an opaque struct, a function).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct s { char c; double d; };")?;
    /// assert_eq!(ffi.alignof("struct s")?, 8);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn alignof<T: TypeSpec + ?Sized>(&self, ty: &T) -> Result<usize> {
        let (ffi, id) = ty.resolve_id(self)?;
        Ok(ffi.inner.read().alignof(id)? as usize)
    }

    /// The byte offset of a member path (`"b.y"`, `"pts[2].x"`, `"[51]"`), as cffi's
    /// `offsetof`.
    ///
    /// # Errors
    ///
    /// As [`Ffi::sizeof`], and [`Error::Key`] for a path naming no member (with a
    /// near name), [`Error::Type`] for a step into what is no struct or array.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("struct pt { int x, y; }; struct line { struct pt a, b; };")?;
    /// assert_eq!(ffi.offsetof("struct line", "b.y")?, 12);
    /// assert!(ffi.offsetof("struct line", "c").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn offsetof<T: TypeSpec + ?Sized>(&self, ty: &T, path: &str) -> Result<isize> {
        let (ffi, id) = ty.resolve_id(self)?;
        let steps = parse_path(path)?;
        let r = ffi.inner.read();
        let (off, _) = r.offset_path(id, &steps).map_err(path_error)?;
        isize::try_from(off).map_err(|_| {
            Error::Overflow(format!("offsetof('{path}') = {off} does not fit an isize").into())
        })
    }

    /// cffi's `getctype`: the C spelling with a declarator inserted.
    ///
    /// # Errors
    ///
    /// [`Error::CDef`] for a type string that does not parse.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// assert_eq!(ffi.getctype("int[4]", "")?, "int[4]");
    /// assert_eq!(ffi.getctype("int", "*p")?, "int *p");
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn getctype<T: TypeSpec + ?Sized>(&self, ty: &T, replace_with: &str) -> Result<String> {
        let (ffi, id) = ty.resolve_id(self)?;
        Ok(ffi.inner.read().getctype(id, replace_with))
    }

    /// cffi's `list_types()`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("typedef int myint; struct s { int a; }; union u { int b; };")?;
    /// let types = ffi.list_types();
    /// assert_eq!((types.typedefs, types.structs, types.unions), (vec!["myint".to_string()], vec!["s".to_string()], vec!["u".to_string()]));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn list_types(&self) -> TypeList {
        let (typedefs, structs, unions) = self.inner.read().list_types();
        TypeList {
            typedefs,
            structs,
            unions,
        }
    }

    /// [`Ffi::integer_const`] as the Rust integer type it is used as (no `as i32`): an
    /// [`Error::Overflow`] naming the constant when its value does not fit.
    ///
    /// # Errors
    ///
    /// As [`Ffi::integer_const`], and [`Error::Overflow`] naming the constant
    /// when its value does not fit `T`.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("#define Z_BEST 9\nenum { BIG = 300 };")?;
    /// let level: i32 = ffi.integer_const_as("Z_BEST")?;
    /// assert_eq!(level, 9);
    /// assert!(ffi.integer_const_as::<u8>("BIG").unwrap_err().to_string().contains("BIG"));
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn integer_const_as<T: crate::data::Scalar>(&self, name: &str) -> Result<T> {
        let v = self.integer_const(name)?;
        T::from_c_int(v).ok_or_else(|| {
            Error::Overflow(
                format!(
                    "the constant {name} = {v} does not fit {}",
                    std::any::type_name::<T>()
                )
                .into(),
            )
        })
    }

    /// The value of an integer constant: an enumerator, a `#define`, or a `static const`
    /// ([`Ffi::integer_const_as`] gives it as the Rust type it is used as).
    ///
    /// # Errors
    ///
    /// [`Error::Key`] when `name` is no integer constant (with a near name, if one is
    /// declared), [`Error::Unsupported`] for an enumerator of a partial enum (`...`), whose
    /// value the cdef does not know.
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::default();
    /// ffi.cdef("#define N 42\nenum { A = -1 };\nstatic const long long BIG = 1099511627776;")?;
    /// assert_eq!((ffi.integer_const("N")?, ffi.integer_const("A")?), (42, -1));
    /// assert_eq!(ffi.integer_const("BIG")?, 1 << 40);
    /// assert!(ffi.integer_const("M").is_err());
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    pub fn integer_const(&self, name: &str) -> Result<i128> {
        let r = self.inner.read();
        match r.integer_const(name) {
            Some(v) => Ok(v.value),
            None => match r.decl(name) {
                Some(_) if r.no_value_reason(name).is_some() => Err(Error::Unsupported(
                    r.no_value_reason(name).unwrap_or_default().into(),
                )),
                Some(d) => Err(Error::Key(
                    format!(
                        "'{name}' is a {} with no integer value known to the cdef",
                        d.kind_name()
                    )
                    .into(),
                )),
                None => Err(Error::Key(
                    format!("integer constant '{name}' not found").into(),
                )),
            },
        }
    }

    /// A new `ffi` object computing layouts for another target (declarations and layouts only:
    /// memory is laid out for it, but libraries can only be loaded for the host).
    ///
    /// ```
    /// # use rcffi_runtime as rcffi;
    /// let ffi = rcffi::Ffi::with_target(rcffi::rcffi_cdef::Target::aarch64_linux());
    /// assert_eq!(ffi.sizeof("long double")?, 16);
    /// # Ok::<(), rcffi::Error>(())
    /// ```
    #[inline]
    pub fn with_target(target: Target) -> Ffi {
        arena::with_target(target)
    }

    /// The target layouts are computed for.
    pub fn target(&self) -> &Target {
        &self.inner.target
    }

    /// Whether two `Ffi` values are clones of the same `ffi` object.
    pub fn same(&self, other: &Ffi) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// cffi's `list_types()`: the names of declared types, each list sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeList {
    /// Typedef names.
    pub typedefs: Vec<String>,
    /// Struct tags.
    pub structs: Vec<String>,
    /// Union tags.
    pub unions: Vec<String>,
}

//! # rcffi-derive: Rust types checked against C declarations
//!
//! Two derives, re-exported by the `rcffi` crate (use them from there):
//!
//! - `#[derive(NativeType)]` on a `#[repr(C)]` struct or union describes it to rcffi
//!   (`rcffi::NativeType`): its C type's name, size, alignment and members. rcffi compares
//!   that with the cdef once, then passes the type by value in typed calls and callbacks and
//!   reads it straight from C memory.
//! - `#[derive(Bindings)]` on a struct of typed function handles loads them all from a
//!   library at once, each checked against the cdef, every mismatch reported together.
//!
//! ```ignore
//! #[derive(rcffi::NativeType, Clone, Copy)]
//! #[repr(C)]
//! #[rcffi(c = "struct pt")]
//! struct Pt { x: i32, y: i32 }
//! ```
//!
//! The derives write code that names `::rcffi`; `#[rcffi(crate = "path")]` names another path
//! (`rcffi_runtime` for programs that use the runtime crate directly).

mod bindings;
mod native;

use proc_macro::TokenStream;

/// Describes a `#[repr(C)]` struct or union to rcffi: implements `rcffi::NativeType`.
///
/// Attributes on the type, in `#[rcffi(...)]`:
/// - `c = "struct pt"` (required): the C type it stands for (a tag or a typedef name);
/// - `opaque`: only ever used behind pointers; only the name is checked (members are C's
///   business: a handle like `sqlite3 *`);
/// - `crate = "path"`: where `NativeType` lives (default `::rcffi`).
///
/// On a member: `#[rcffi(name = "type")]` when the C member's name is not the Rust field's.
///
/// Every member's type must itself be `NativeType` (numbers, `bool`, raw pointers,
/// `extern "C"` function pointers and their `Option`s, arrays, derived types). Bitfields have
/// no Rust counterpart: a C struct with bitfields is refused by the check, naming the member.
/// Generic types, tuple structs and enums are refused here.
#[proc_macro_derive(NativeType, attributes(rcffi))]
pub fn derive_native_type(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    native::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Loads a struct of typed functions from a library: implements `rcffi::Bindings`, whose
/// `load(&lib)` looks up every field's function, checks its Rust type against the cdef and
/// reports every mismatch at once.
///
/// Fields are `rcffi::TypedFn<unsafe extern "C" fn(...) -> R>` (a required function),
/// `rcffi::View<T>` (a global variable, `T` a `NativeType`), or an `Option` of either (absent
/// from the cdef or the library: `None`). The C name is
/// the field's, or `#[rcffi(name = "zlibVersion")]`. For each function field the derive also
/// writes an `unsafe` method of the same name that calls it (`z.crc32(0, p, n)`).
#[proc_macro_derive(Bindings, attributes(rcffi))]
pub fn derive_bindings(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    bindings::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The `#[rcffi(...)]` attributes of an item: `key = "value"` pairs and bare flags.
pub(crate) struct Attrs {
    pub(crate) pairs: Vec<(String, syn::LitStr)>,
    pub(crate) flags: Vec<syn::Ident>,
}

impl Attrs {
    pub(crate) fn parse(attrs: &[syn::Attribute], allowed: &[&str]) -> syn::Result<Attrs> {
        let mut out = Attrs {
            pairs: Vec::new(),
            flags: Vec::new(),
        };
        for a in attrs.iter().filter(|a| a.path().is_ident("rcffi")) {
            a.parse_nested_meta(|m| {
                let Some(key) = m.path.get_ident().map(|i| i.to_string()) else {
                    return Err(m.error("expected a name"));
                };
                if !allowed.contains(&key.as_str()) {
                    return Err(m.error(format!(
                        "unknown rcffi attribute `{key}` here (known: {})",
                        allowed.join(", ")
                    )));
                }
                if m.input.peek(syn::Token![=]) {
                    let v: syn::LitStr = m.value()?.parse()?;
                    out.pairs.push((key, v));
                } else {
                    out.flags
                        .push(m.path.get_ident().cloned().expect("checked above"));
                }
                Ok(())
            })?;
        }
        Ok(out)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&syn::LitStr> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn flag(&self, key: &str) -> bool {
        self.flags.iter().any(|f| f == key)
    }

    /// The path of the `rcffi` crate: `crate = "..."`, else `::rcffi`.
    pub(crate) fn krate(&self) -> syn::Result<syn::Path> {
        match self.get("crate") {
            Some(p) => p.parse(),
            None => Ok(syn::parse_quote!(::rcffi)),
        }
    }
}

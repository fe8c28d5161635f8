//! `#[derive(Bindings)]`: a struct of typed functions, loaded from a library at once.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, GenericArgument, PathArguments, Type, spanned::Spanned};

use crate::Attrs;

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let attrs = Attrs::parse(&input.attrs, &["crate"])?;
    let krate = attrs.krate()?;
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "derive(Bindings) does not take generic types",
        ));
    }
    let Data::Struct(s) = &input.data else {
        return Err(syn::Error::new(
            name.span(),
            "derive(Bindings) takes a struct of typed functions",
        ));
    };
    let Fields::Named(fields) = &s.fields else {
        return Err(syn::Error::new(
            s.fields.span(),
            "derive(Bindings) needs named fields",
        ));
    };
    let mut loads = Vec::new();
    let mut inits = Vec::new();
    let mut methods = Vec::new();
    for f in &fields.named {
        let fattrs = Attrs::parse(&f.attrs, &["name"])?;
        let ident = f.ident.as_ref().expect("named fields have names");
        let c_name = match fattrs.get("name") {
            Some(n) => n.value(),
            None => ident.to_string().trim_start_matches("r#").to_string(),
        };
        let (optional, kind, fn_ty) = field_type(&f.ty)?;
        let tmp = format_ident!("__{}", ident);
        loads.push(match kind {
            Item::Function => {
                quote! { let #tmp = __loader.function::<#fn_ty>(#c_name, #optional); }
            }
            Item::Variable => {
                quote! { let #tmp = __loader.variable::<#fn_ty>(#c_name, #optional); }
            }
        });
        inits.push(if optional {
            quote! { #ident: #tmp }
        } else {
            quote! { #ident: #tmp.expect("a required function is loaded or reported") }
        });
        if !optional
            && kind == Item::Function
            && let Type::BareFn(bare) = fn_ty
            && bare.variadic.is_none()
        {
            let vis = &f.vis;
            let args: Vec<_> = (0..bare.inputs.len())
                .map(|i| format_ident!("a{}", i))
                .collect();
            let types = bare.inputs.iter().map(|a| &a.ty);
            let output = &bare.output;
            let doc = format!(
                "Calls the C function `{c_name}` (checked against the cdef by `load`).\n\n# Safety\n\nThe arguments must be what `{c_name}` expects of them (valid pointers, C strings...)."
            );
            methods.push(quote! {
                #[doc = #doc]
                #[inline(always)]
                #[allow(dead_code, clippy::too_many_arguments)]
                #vis unsafe fn #ident(&self, #(#args: #types),*) #output {
                    // SAFETY: the caller's promise, for the function `load` checked.
                    unsafe { (self.#ident.get())(#(#args),*) }
                }
            });
        }
    }
    Ok(quote! {
        impl #krate::Bindings for #name {
            fn load(lib: &#krate::Lib) -> #krate::Result<Self> {
                let mut __loader = #krate::BindingsLoader::new(lib, ::core::stringify!(#name));
                #(#loads)*
                __loader.finish()?;
                ::core::result::Result::Ok(#name { #(#inits),* })
            }
        }

        impl #name {
            #(#methods)*
        }
    })
}

/// What a field loads.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Item {
    /// `TypedFn<F>`: a function.
    Function,
    /// `View<T>`: a global variable.
    Variable,
}

/// A field's item: `TypedFn<F>` gives `(false, Function, F)`, `Option<View<T>>` gives
/// `(true, Variable, T)`.
fn field_type(ty: &Type) -> syn::Result<(bool, Item, &Type)> {
    let (optional, ty) = match single_arg(ty, "Option") {
        Some(inner) => (true, inner),
        None => (false, ty),
    };
    if let Some(f) = single_arg(ty, "TypedFn") {
        return Ok((optional, Item::Function, f));
    }
    if let Some(t) = single_arg(ty, "View") {
        return Ok((optional, Item::Variable, t));
    }
    Err(syn::Error::new(
        ty.span(),
        "derive(Bindings) fields are `TypedFn<unsafe extern \"C\" fn(...) -> R>` (a function), \
         `View<T>` (a global variable), or an `Option` of one",
    ))
}

/// `T` of a type `Name<T>` whose last path segment is `name`.
fn single_arg<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    match a.args.first()? {
        GenericArgument::Type(t) if a.args.len() == 1 => Some(t),
        _ => None,
    }
}

//! `#[derive(NativeType)]`: a `#[repr(C)]` struct or union's shape.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, spanned::Spanned};

use crate::Attrs;

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let attrs = Attrs::parse(&input.attrs, &["c", "opaque", "crate"])?;
    let krate = attrs.krate()?;
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new(
            input.generics.span(),
            "derive(NativeType) does not take generic types: a C type has one layout",
        ));
    }
    check_repr_c(input)?;
    let c_name = attrs.get("c").ok_or_else(|| {
        syn::Error::new(
            name.span(),
            "derive(NativeType) needs the C type it stands for: #[rcffi(c = \"struct name\")]",
        )
    })?;
    let opaque = attrs.flag("opaque");
    let (union, fields) = match &input.data {
        Data::Struct(s) => (false, &s.fields),
        Data::Union(u) => (true, &Fields::Named(u.fields.clone())),
        Data::Enum(e) => {
            return Err(syn::Error::new(
                e.enum_token.span(),
                "derive(NativeType) does not take enums: C may hand over any integer, which a \
                 Rust enum cannot hold; use the integer type (c_int) and match on it",
            ));
        }
    };
    let mut members = Vec::new();
    if !opaque {
        match fields {
            Fields::Named(named) => {
                for f in &named.named {
                    let fattrs = Attrs::parse(&f.attrs, &["name"])?;
                    let ident = f.ident.as_ref().expect("named fields have names");
                    let c_member = match fattrs.get("name") {
                        Some(n) => n.value(),
                        None => ident.to_string().trim_start_matches("r#").to_string(),
                    };
                    let ty = &f.ty;
                    members.push(quote! {
                        #krate::FieldShape {
                            name: #c_member,
                            offset: ::core::mem::offset_of!(Self, #ident),
                            shape: <#ty as #krate::NativeType>::shape(),
                        }
                    });
                }
            }
            Fields::Unit => {}
            Fields::Unnamed(u) => {
                return Err(syn::Error::new(
                    u.span(),
                    "derive(NativeType) needs named fields (C members have names); a tuple \
                     struct may only be #[rcffi(opaque)]",
                ));
            }
        }
    }
    Ok(quote! {
        // SAFETY: the type is `#[repr(C)]` (checked by the derive), and the shape lists its
        // size, alignment and every field with its offset and type, as the compiler lays
        // them out.
        #[allow(unsafe_code)]
        unsafe impl #krate::NativeType for #name {
            fn shape() -> #krate::Shape {
                #krate::Shape {
                    rust: ::core::any::type_name::<Self>(),
                    kind: #krate::ShapeKind::Record(::std::boxed::Box::new(#krate::RecordShape {
                        c_name: #c_name,
                        union: #union,
                        opaque: #opaque,
                        size: ::core::mem::size_of::<Self>(),
                        align: ::core::mem::align_of::<Self>(),
                        fields: ::std::vec![#(#members),*],
                    })),
                }
            }
        }
    })
}

/// `#[repr(C)]` (with `packed` or `align(N)` if wanted) is required: Rust's own layout is not
/// C's.
fn check_repr_c(input: &DeriveInput) -> syn::Result<()> {
    let mut c = false;
    for a in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        a.parse_nested_meta(|m| {
            if m.path.is_ident("C") {
                c = true;
            }
            if m.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in m.input);
                let _: TokenStream = content.parse()?;
            }
            Ok(())
        })?;
    }
    if c {
        Ok(())
    } else {
        Err(syn::Error::new(
            input.ident.span(),
            "derive(NativeType) needs #[repr(C)]: Rust's default layout is not C's",
        ))
    }
}

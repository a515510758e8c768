//! The filesystem parameter: which types `#[with_memfs]` supplies, and taking it out of the
//! signature.

use proc_macro2::{Ident, TokenTree};
use quote::ToTokens;
use syn::{FnArg, GenericParam, Pat, Signature, Type};

use crate::validate::Errors;

/// How the test receives its filesystem.
pub(crate) enum Binding {
    /// A parameter, moved out of the signature into `let #pat: #ty = #init;`.
    Param {
        pat: Box<Pat>,
        ty: Option<Box<Type>>,
        init: Init,
    },
    /// No parameter: the test calls `dmemfs_test::current()`.
    Ambient,
}

/// What a filesystem parameter is initialised with.
pub(crate) enum Init {
    /// The `MemFs` itself (`MemFs`, `impl FileSystem`).
    Owned,
    /// A reference to it (`&MemFs`, `&dyn FileSystem`).
    Borrowed,
    /// It, in a smart pointer (`Arc<dyn FileSystem>`, `Box<MemFs>`, ...).
    Pointer(Ident),
}

/// The parameter types `#[with_memfs]` supplies, for error messages.
const SUPPLIED: &str = "`MemFs`, `&MemFs`, `&dyn FileSystem`, `impl FileSystem`, or `Arc`, `Box` or `Rc` of `MemFs` or `dyn FileSystem`";

/// Finds the filesystem parameter, removes it from the signature, and says how to bind it.
/// Unless a test attribute supplies the other arguments (`supplied_elsewhere`: `#[rstest]`,
/// ...), any other parameter is an error at that parameter.
pub(crate) fn take_memfs_param(
    sig: &mut Signature,
    supplied_elsewhere: bool,
) -> syn::Result<Binding> {
    let mut found: Option<(usize, Binding)> = None;
    let mut errors = Errors::default();
    for (index, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(param) = input else { continue };
        let Some(kind) = classify(&param.ty) else {
            if !supplied_elsewhere {
                errors.push(syn::Error::new_spanned(
                    param,
                    format!(
                        "#[with_memfs] cannot supply a parameter of type `{}`: the filesystem parameter is {SUPPLIED}, and a plain test takes no other parameters (use #[rstest] below #[with_memfs] for fixtures and cases)",
                        param
                            .ty
                            .to_token_stream()
                            .to_string()
                            .replace(" :: ", "::")
                            .replace("& ", "&")
                    ),
                ));
            }
            continue;
        };
        let init = match kind {
            Kind::Mutable => {
                errors.push(syn::Error::new_spanned(
                    &param.ty,
                    "take the filesystem as `MemFs` or `&MemFs` (or `&dyn FileSystem`): every method takes `&self`, so `&mut` is never needed",
                ));
                continue;
            }
            Kind::Param(init) => init,
        };
        if found.is_some() {
            errors.push(syn::Error::new_spanned(
                param,
                "only one parameter can receive the test's filesystem; clone the `MemFs` (clones share it) to pass it around",
            ));
            continue;
        }
        let ty = match (&init, &*param.ty) {
            // `impl Trait` cannot annotate a `let`: the parameter is the `MemFs` itself.
            (_, Type::ImplTrait(_)) => None,
            (Init::Borrowed, Type::Reference(reference)) => match &*reference.elem {
                Type::ImplTrait(_) => None,
                // The reference's lifetime is elided: a named one (`&'a MemFs`) would outlive
                // the body.
                elem => Some(Box::new(Type::Reference(syn::TypeReference {
                    lifetime: None,
                    elem: Box::new(elem.clone()),
                    ..reference.clone()
                }))),
            },
            (_, ty) => Some(Box::new(ty.clone())),
        };
        let pat = param.pat.clone();
        found = Some((index, Binding::Param { pat, ty, init }));
    }
    if let Some(error) = errors.0 {
        return Err(error);
    }
    let Some((index, binding)) = found else {
        return Ok(Binding::Ambient);
    };
    let inputs = std::mem::take(&mut sig.inputs);
    sig.inputs = inputs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, arg)| arg)
        .collect();
    let binding_ty = match &binding {
        Binding::Param { ty: Some(ty), .. } => ty.to_token_stream(),
        _ => proc_macro2::TokenStream::new(),
    };
    drop_unused_lifetimes(sig, binding_ty);
    Ok(binding)
}

/// Removes the lifetime parameters nothing names any more: `fn t<'a>(fs: &'a MemFs)` loses
/// its parameter, and an unused `'a` would be a lint (or, if it had bounds, an error) in the
/// user's code. What the body's `let` binding names (`binding_ty`: `&(dyn FileSystem + 'a)`)
/// still counts.
fn drop_unused_lifetimes(sig: &mut Signature, binding_ty: proc_macro2::TokenStream) {
    let params = std::mem::take(&mut sig.generics.params);
    let kept: Vec<_> = params.iter().collect();
    let mut rest = binding_ty;
    for param in &kept {
        match param {
            GenericParam::Lifetime(def) => def.bounds.to_tokens(&mut rest),
            other => other.to_tokens(&mut rest),
        }
    }
    sig.generics.where_clause.to_tokens(&mut rest);
    sig.inputs.to_tokens(&mut rest);
    sig.output.to_tokens(&mut rest);
    sig.generics.params = params
        .into_iter()
        .filter(|param| match param {
            GenericParam::Lifetime(def) => names_lifetime(rest.clone(), &def.lifetime.ident),
            _ => true,
        })
        .collect();
}

/// Whether `tokens` name the lifetime `'ident` anywhere, inside groups included.
fn names_lifetime(tokens: proc_macro2::TokenStream, ident: &Ident) -> bool {
    let mut after_quote = false;
    tokens.into_iter().any(|token| match token {
        TokenTree::Group(group) => {
            after_quote = false;
            names_lifetime(group.stream(), ident)
        }
        TokenTree::Punct(punct) => {
            after_quote = punct.as_char() == '\'';
            false
        }
        TokenTree::Ident(name) => std::mem::take(&mut after_quote) && name == *ident,
        TokenTree::Literal(_) => {
            after_quote = false;
            false
        }
    })
}

/// What a parameter type asks of `#[with_memfs]`.
pub(crate) enum Kind {
    Param(Init),
    /// `&mut MemFs`, `&mut dyn FileSystem`: refused.
    Mutable,
}

/// Whether `ty` is a filesystem parameter `#[with_memfs]` supplies (see [`SUPPLIED`]).
pub(crate) fn classify(ty: &Type) -> Option<Kind> {
    match ty {
        Type::Paren(inner) => classify(&inner.elem),
        Type::Group(inner) => classify(&inner.elem),
        Type::ImplTrait(bounds) if names_filesystem(&bounds.bounds) => {
            Some(Kind::Param(Init::Owned))
        }
        ty if names_memfs(ty) => Some(Kind::Param(Init::Owned)),
        Type::Reference(reference) if is_filesystem(&reference.elem) => {
            Some(match reference.mutability {
                Some(_) => Kind::Mutable,
                None => Kind::Param(Init::Borrowed),
            })
        }
        Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            let pointer = &last.ident;
            if !matches!(pointer.to_string().as_str(), "Arc" | "Box" | "Rc") {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.iter().collect::<Vec<_>>()[..] {
                [syn::GenericArgument::Type(inner)] if is_filesystem(inner) => {
                    Some(Kind::Param(Init::Pointer(pointer.clone())))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `MemFs`, `dyn FileSystem` (with auto traits and lifetimes) or `impl FileSystem`.
fn is_filesystem(ty: &Type) -> bool {
    match ty {
        Type::Paren(inner) => is_filesystem(&inner.elem),
        Type::Group(inner) => is_filesystem(&inner.elem),
        Type::TraitObject(object) => names_filesystem(&object.bounds),
        Type::ImplTrait(bounds) => names_filesystem(&bounds.bounds),
        ty => names_memfs(ty),
    }
}

/// Bounds whose one trait is `FileSystem` (any path), plus `Send`, `Sync` and lifetimes.
fn names_filesystem(
    bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>,
) -> bool {
    let traits: Vec<&syn::Path> = bounds
        .iter()
        .filter_map(|bound| match bound {
            syn::TypeParamBound::Trait(bound) => Some(&bound.path),
            _ => None,
        })
        .filter(|path| !path.is_ident("Send") && !path.is_ident("Sync"))
        .collect();
    matches!(traits[..], [path] if path.segments.last().is_some_and(|s| s.ident == "FileSystem" && s.arguments.is_none()))
}

/// `MemFs`, `dmemfs_test::MemFs`, `::dmemfs_core::MemFs`, ...: a path whose last segment is
/// `MemFs`, without generic arguments.
fn names_memfs(ty: &Type) -> bool {
    match ty {
        Type::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "MemFs" && s.arguments.is_none())
        }
        Type::Paren(inner) => names_memfs(&inner.elem),
        Type::Group(inner) => names_memfs(&inner.elem),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generics_after(sig: &str) -> String {
        let mut sig: Signature = syn::parse_str(sig).unwrap();
        take_memfs_param(&mut sig, true).unwrap();
        sig.generics.to_token_stream().to_string()
    }

    #[test]
    fn a_lifetime_still_named_by_the_binding_is_kept() {
        for text in [
            "fn t<'a>(fs: &'a (dyn FileSystem + 'a))",
            "fn t<'a>(fs: Arc<dyn FileSystem + 'a>)",
            "fn t<'a>(fs: Box<dyn FileSystem + Send + 'a>)",
        ] {
            let mut sig: Signature = syn::parse_str(text).unwrap();
            let Binding::Param { ty: Some(ty), .. } = take_memfs_param(&mut sig, false).unwrap()
            else {
                panic!("{text}: expected a typed binding");
            };
            let a = Ident::new("a", proc_macro2::Span::call_site());
            let binding_names_a = names_lifetime(ty.to_token_stream(), &a);
            let declared = sig.generics.lifetimes().any(|def| def.lifetime.ident == a);
            assert!(
                !binding_names_a || declared,
                "{text}: `let fs: {}` names 'a, but the rewritten signature `{}` no longer declares it",
                ty.to_token_stream(),
                sig.to_token_stream()
            );
        }
    }

    #[test]
    fn a_lifetime_only_the_parameter_named_goes_with_it() {
        assert_eq!(generics_after("fn t<'a>(fs: &'a MemFs)"), "");
        assert_eq!(generics_after("fn t<'a, T>(fs: &'a MemFs, x: T)"), "< T >");
        // Still named elsewhere: kept.
        assert_eq!(
            generics_after("fn t<'a>(fs: &'a MemFs, x: &'a str)"),
            "< 'a >"
        );
        assert_eq!(
            generics_after("fn t<'a>(fs: &'a MemFs) -> &'a str"),
            "< 'a >"
        );
        assert_eq!(
            generics_after("fn t<'a, 'b: 'a>(fs: &'a MemFs, x: &'b str)"),
            "< 'a , 'b : 'a >"
        );
    }
}

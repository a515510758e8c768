//! Code generation: the test function, minus its `MemFs` parameter, running inside a session
//! that builds, seeds, binds and (on failure) dumps its filesystem.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ItemFn, Pat, ReturnType, Type};

use crate::validate::{Config, Dump, Errors, GuardMode, LockTimeout, Semantics};

/// How the test receives its filesystem.
enum Binding {
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
enum Init {
    /// The `MemFs` itself (`MemFs`, `impl FileSystem`).
    Owned,
    /// A reference to it (`&MemFs`, `&dyn FileSystem`).
    Borrowed,
    /// It, in a smart pointer (`Arc<dyn FileSystem>`, `Box<MemFs>`, ...).
    Pointer(Ident),
}

/// The parameter types `#[with_memfs]` supplies, for error messages.
const SUPPLIED: &str = "`MemFs`, `&MemFs`, `&dyn FileSystem`, `impl FileSystem`, or `Arc`, `Box` or `Rc` of `MemFs` or `dyn FileSystem`";

/// Rewrites `item`. Errors here concern the function itself (its parameters, a missing
/// runtime for an async test, the attribute order); argument errors were reported by
/// `validate`. On error, returns the function to emit alongside the error.
pub(crate) fn expand(
    config: &Config,
    mut item: ItemFn,
) -> Result<TokenStream, Box<(ItemFn, syn::Error)>> {
    if let Some(error) = placed_below_rstest(&item) {
        // rstest's generated body would only add errors about a fixture that does not exist.
        item.block.stmts.clear();
        return Err(Box::new((item, error)));
    }
    match rewrite(config, item.clone()) {
        Ok(tokens) => Ok(tokens),
        Err(error) => Err(Box::new((item, error))),
    }
}

/// `#[rstest]` above `#[with_memfs]` runs first: it takes the `MemFs` parameter for a
/// fixture, then re-emits this attribute on a wrapper whose body starts with the original
/// function. Recognise that shape and say what to do.
fn placed_below_rstest(item: &ItemFn) -> Option<syn::Error> {
    let Some(syn::Stmt::Item(syn::Item::Fn(inner))) = item.block.stmts.first() else {
        return None;
    };
    if inner.sig.ident != item.sig.ident {
        return None;
    }
    inner.sig.inputs.iter().find_map(|input| match input {
        FnArg::Typed(param) if classify(&param.ty).is_some() => {
            Some(syn::Error::new_spanned(
                param,
                "#[with_memfs] must come before #[rstest]: below it, rstest sees this parameter first and looks for a fixture of that name; move #[with_memfs] above #[rstest]",
            ))
        }
        _ => None,
    })
}

fn rewrite(config: &Config, mut item: ItemFn) -> syn::Result<TokenStream> {
    let binding = take_memfs_param(&mut item)?;
    ensure_test_attribute(&mut item)?;
    let krate = crate_path(config);
    let session = format_ident!("__dmemfs_session", span = Span::mixed_site());
    let result = format_ident!("__dmemfs_result", span = Span::mixed_site());
    let failure = format_ident!("__dmemfs_failure", span = Span::mixed_site());
    let owned = format_ident!("__dmemfs_fs", span = Span::mixed_site());
    let settings = settings(config, &krate, &item);
    let bind = match binding {
        Binding::Param { pat, ty, init } => {
            let annotation = ty.map(|ty| quote! { : #ty });
            let init = match init {
                Init::Owned => quote! { #owned },
                Init::Borrowed => quote! { &#owned },
                Init::Pointer(pointer) => quote! { #krate::__private::#pointer::new(#owned) },
            };
            quote! {
                let #owned = #session.memfs();
                let #pat #annotation = #init;
            }
        }
        Binding::Ambient => quote! {},
    };
    // The body's own return type, so that `return` and `?` inside it get the same coercions
    // (`Box<E>` to `Box<dyn Error>`, ...) as in the function itself.
    let declared = match &item.sig.output {
        ReturnType::Type(_, ty) if !matches!(**ty, Type::ImplTrait(_)) => Some(quote! { #ty }),
        ReturnType::Type(..) => None,
        ReturnType::Default => Some(quote! { () }),
    };
    let annotation = declared.as_ref().map(|ty| quote! { : #ty });
    let block = &item.block;
    let run = if item.sig.asyncness.is_some() {
        // An async block has no return-type syntax: an unreachable `return` of the declared
        // type fixes it for inference (the idiom tracing's #[instrument] uses).
        let stmts = &block.stmts;
        let hint = format_ident!("__dmemfs_return", span = Span::mixed_site());
        let pin_type = declared.as_ref().map(|ty| {
            quote! {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
                if false {
                    let #hint: #ty = loop {};
                    return #hint;
                }
            }
        });
        quote! { #session.scope(async move { #pin_type #(#stmts)* }).await }
    } else {
        let bound = format_ident!("__dmemfs_bound", span = Span::mixed_site());
        let returns = declared.as_ref().map(|ty| quote! { -> #ty });
        quote! {{
            let #bound = #session.bind();
            (move || #returns #block)()
        }}
    };
    // With `mount`, the session skips the test (with the reason printed) where FUSE cannot
    // be mounted; `__require_mount!` is an error at `mount` unless the feature is on.
    let (require, run) = match config.mount {
        Some((span, _)) => (
            quote_spanned! {span=> #krate::__require_mount!(); },
            quote! {
                if #session.skipped() {
                    #krate::__private::Skipped::skipped()
                } else {
                    #run
                }
            },
        ),
        None => (quote! {}, run),
    };
    // The error's `Display` form when it has one, by auto-ref specialisation on the concrete
    // result type (see `dmemfs_test::__private::Described`).
    let displayed = quote! {{
        #[allow(unused_imports)]
        use #krate::__private::{AnyFailure as _, DisplayFailure as _};
        (&#krate::__private::Described(&#result)).display_failure()
    }};
    let body = quote! {{
        #require
        let #session = #krate::__private::Session::start(#settings);
        #bind
        let #result #annotation = #run;
        #[allow(clippy::needless_borrow)]
        let #failure = #displayed;
        #session.finish(#result, #failure)
    }};
    *item.block = syn::parse2(body)?;
    Ok(quote! { #item })
}

/// Finds the filesystem parameter, removes it from the signature, and says how to bind it.
/// Under a test attribute that supplies no arguments (`#[test]`, `#[tokio::test]`, ...), any
/// other parameter is an error at that parameter.
fn take_memfs_param(item: &mut ItemFn) -> syn::Result<Binding> {
    let mut found: Option<(usize, Binding)> = None;
    let mut errors = Errors::default();
    let supplied_elsewhere = supplies_arguments(&item.attrs);
    for (index, input) in item.sig.inputs.iter().enumerate() {
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
    let inputs = std::mem::take(&mut item.sig.inputs);
    item.sig.inputs = inputs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, arg)| arg)
        .collect();
    Ok(binding)
}

/// What a parameter type asks of `#[with_memfs]`.
enum Kind {
    Param(Init),
    /// `&mut MemFs`, `&mut dyn FileSystem`: refused.
    Mutable,
}

/// Whether `ty` is a filesystem parameter `#[with_memfs]` supplies (see [`SUPPLIED`]).
fn classify(ty: &Type) -> Option<Kind> {
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

/// Whether a test attribute below `#[with_memfs]` may supply parameters (`#[rstest]`,
/// `#[test_case(..)]`, `#[proptest]`, any attribute not known to take none): only then are
/// parameters other than the filesystem left to it. `#[test]`, `#[tokio::test]` and
/// `#[async_std::test]` take none, nor does the `#[test]` added to a plain function.
fn supplies_arguments(attrs: &[Attribute]) -> bool {
    attrs.iter().filter_map(test_attribute_path).any(|path| {
        let path = path.trim_start_matches("::");
        let takes_none = matches!(path, "test" | "tokio::test" | "async_std::test")
            || (path.ends_with("::test")
                && (path.starts_with("core::prelude::") || path.starts_with("std::prelude::")));
        !takes_none
    })
}

/// A test attribute below `#[with_memfs]`: `#[test]`, `#[tokio::test]`, `#[rstest]`,
/// `#[test_case(..)]`, `#[proptest]`, ..., also inside `#[cfg_attr(.., test)]`: an attribute
/// path whose last segment names a test.
fn is_test_attribute(attr: &Attribute) -> bool {
    test_attribute_path(attr).is_some()
}

/// The path of a test attribute (the one inside `cfg_attr(cond, ...)` for a `cfg_attr`),
/// without spaces: `test`, `tokio::test`, `rstest`; `None` for other attributes.
fn test_attribute_path(attr: &Attribute) -> Option<String> {
    let path = if attr.path().is_ident("cfg_attr") {
        // The attribute after the condition: `cfg_attr(cond, test)` or `cfg_attr(cond, tokio::test)`.
        let tokens = attr.meta.require_list().ok()?.tokens.to_string();
        let last = tokens.rsplit(',').next()?;
        last.split('(').next().unwrap_or(last).replace(' ', "")
    } else {
        attr.path().to_token_stream().to_string().replace(' ', "")
    };
    let name = path.rsplit("::").next().unwrap_or(&path);
    names_a_test(name).then_some(path)
}

fn names_a_test(name: &str) -> bool {
    matches!(name, "test" | "rstest" | "proptest" | "quickcheck")
        || name.starts_with("test_")
        || name.ends_with("_test")
}

/// Adds `#[test]` to a plain function that has no test attribute; an async function needs a
/// runtime's attribute, which cannot be guessed.
fn ensure_test_attribute(item: &mut ItemFn) -> syn::Result<()> {
    if item.attrs.iter().any(is_test_attribute) {
        return Ok(());
    }
    if let Some(asyncness) = &item.sig.asyncness {
        return Err(syn::Error::new(
            asyncness.span(),
            "an async test needs a runtime's test attribute below #[with_memfs], such as #[tokio::test]",
        ));
    }
    item.attrs
        .push(syn::parse_quote!(#[::core::prelude::v1::test]));
    Ok(())
}

fn crate_path(config: &Config) -> syn::Path {
    let mut path = config
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(dmemfs_test));
    // An extern crate's name is made absolute; `crate::..`, `self::..` and `super::..` paths
    // (a re-export inside the user's crate) stay as written.
    let relative = path
        .segments
        .first()
        .is_some_and(|s| s.ident == "crate" || s.ident == "self" || s.ident == "super");
    if path.leading_colon.is_none() && !relative {
        path.leading_colon = Some(Default::default());
    }
    path
}

fn duration(krate: &syn::Path, value: std::time::Duration) -> TokenStream {
    let (secs, nanos) = (value.as_secs(), value.subsec_nanos());
    quote! { #krate::__private::Duration::new(#secs, #nanos) }
}

fn option_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(n) => quote! { ::core::option::Option::Some(#n) },
        None => quote! { ::core::option::Option::None },
    }
}

/// The `Config` literal the session starts from.
fn settings(config: &Config, krate: &syn::Path, item: &ItemFn) -> TokenStream {
    let some = quote! { ::core::option::Option::Some };
    let none = quote! { ::core::option::Option::None };
    let quota = option_u64(config.quota);
    let max_nodes = option_u64(config.max_nodes);
    let lock_timeout = match &config.lock_timeout {
        None => none.clone(),
        Some(LockTimeout::Forever) => quote! { #some(#none) },
        Some(LockTimeout::After(after)) => {
            let after = duration(krate, *after);
            quote! { #some(#some(#after)) }
        }
    };
    let semantics = match &config.semantics {
        None => none.clone(),
        Some(Semantics::Locked) => quote! { #some(#krate::__private::Semantics::Locked) },
        Some(Semantics::Posix) => quote! { #some(#krate::__private::Semantics::Posix) },
    };
    let memory_guard = match &config.memory_guard {
        None => none.clone(),
        Some(guard) => {
            let base = match guard.mode {
                GuardMode::Off => quote! { #krate::__private::MemoryGuard::OFF },
                GuardMode::Init => quote! { #krate::__private::MemoryGuard::init() },
                GuardMode::PerWrite(interval) => {
                    let interval = duration(krate, interval);
                    quote! { #krate::__private::MemoryGuard::per_write(#interval) }
                }
            };
            let action = if guard.error {
                quote! { .error() }
            } else {
                quote! {}
            };
            quote! { #some(#base #action) }
        }
    };
    let seed = match &config.seed {
        None => none.clone(),
        Some(dir) if std::path::Path::new(&dir.value()).is_absolute() => quote! { #some(#dir) },
        Some(dir) => quote_spanned! {dir.span()=>
            #some(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #dir))
        },
    };
    let should_panic = item.attrs.iter().any(|a| {
        a.path().is_ident("should_panic")
            || (a.path().is_ident("cfg_attr")
                && a.meta
                    .require_list()
                    .is_ok_and(|list| list.tokens.to_string().contains("should_panic")))
    });
    let dump = match &config.dump {
        // A test expected to panic would dump on every successful run.
        None if should_panic => quote! { #krate::__private::Dump::Off },
        None => quote! { #krate::__private::Dump::Default },
        Some(Dump::Off) => quote! { #krate::__private::Dump::Off },
        Some(Dump::On) => quote! { #krate::__private::Dump::Default },
        Some(Dump::To(dir)) if std::path::Path::new(&dir.value()).is_absolute() => {
            quote! { #krate::__private::Dump::To(#dir) }
        }
        Some(Dump::To(dir)) => quote! {
            #krate::__private::Dump::To(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #dir))
        },
    };
    let name = item.sig.ident.to_string();
    let mount = config.mount.is_some();
    let pinned = config.mount.is_some_and(|(_, pinned)| pinned);
    quote! {
        #krate::__private::Config {
            quota: #quota,
            max_nodes: #max_nodes,
            lock_timeout: #lock_timeout,
            semantics: #semantics,
            mount: #mount,
            mount_pinned: #pinned,
            memory_guard: #memory_guard,
            seed: #seed,
            dump: #dump,
            test: #krate::__private::TestId {
                module_path: ::core::module_path!(),
                name: #name,
                bin: ::core::option_env!("CARGO_BIN_NAME"),
                package: ::core::env!("CARGO_PKG_NAME"),
            },
        }
    }
}

/// What to emit when the function cannot be rewritten: the function without its test
/// attributes (so the harness adds no errors of its own about its parameters) and the error.
pub(crate) fn fallback(mut item: ItemFn, error: syn::Error) -> TokenStream {
    item.attrs.retain(|attr| !is_test_attribute(attr));
    let error = error.into_compile_error();
    quote! {
        #[allow(dead_code, unused_variables)]
        #item
        #error
    }
}

//! Code generation: the test function, minus its `MemFs` parameter, running inside a session
//! that builds, seeds, binds and (on failure) dumps its filesystem; and, on any error, the
//! function as written beside the errors.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, ReturnType, Type};

use crate::attrs::{self, TestKind};
use crate::checked;
use crate::item::TestFn;
use crate::params::{self, Binding, Init};
use crate::validate::{Config, Dump, GuardMode, LockTimeout, Semantics};

/// Rewrites `function`. Errors here concern the function itself (its parameters, a missing
/// runtime for an async test, the attribute order); argument errors come from `validate`.
/// On error, returns the function to emit alongside the error (see [`fallback`]).
pub(crate) fn expand(config: &Config, function: &TestFn) -> Result<TokenStream, Box<Failed>> {
    if let Some(error) = placed_below_rstest(function) {
        // rstest's generated body would only add errors about a fixture that does not exist.
        let mut function = function.clone();
        function.body = TokenStream::new();
        return Err(Box::new(Failed { function, error }));
    }
    rewrite(config, function).map_err(|error| {
        Box::new(Failed {
            function: function.clone(),
            error,
        })
    })
}

/// A function that could not be rewritten, and why.
pub(crate) struct Failed {
    pub(crate) function: TestFn,
    pub(crate) error: syn::Error,
}

/// `#[rstest]` above `#[with_memfs]` runs first: it takes the `MemFs` parameter for a
/// fixture, then re-emits this attribute on a wrapper whose body starts with the original
/// function. Recognise that shape and say what to do.
fn placed_below_rstest(function: &TestFn) -> Option<syn::Error> {
    let inner = function.leading_fn()?;
    if inner.ident != function.sig.ident {
        return None;
    }
    inner.inputs.iter().find_map(|input| match input {
        FnArg::Typed(param) if params::classify(&param.ty).is_some() => {
            Some(syn::Error::new_spanned(
                param,
                "#[with_memfs] must come before #[rstest]: below it, rstest sees this parameter first and looks for a fixture of that name; move #[with_memfs] above #[rstest]",
            ))
        }
        _ => None,
    })
}

fn rewrite(config: &Config, function: &TestFn) -> syn::Result<TokenStream> {
    let mut sig = function.sig.clone();
    let mut attrs = function.outer_attrs.clone();
    let supplied_elsewhere = attrs
        .iter()
        .any(|attr| attrs::test_kind(attr) == Some(TestKind::Supplying));
    let binding = params::take_memfs_param(&mut sig, supplied_elsewhere)?;
    ensure_test_attribute(&mut attrs, &sig)?;
    let krate = crate_path(config);
    let session = format_ident!("__dmemfs_session", span = Span::mixed_site());
    let result = format_ident!("__dmemfs_result", span = Span::mixed_site());
    let failure = format_ident!("__dmemfs_failure", span = Span::mixed_site());
    let owned = format_ident!("__dmemfs_fs", span = Span::mixed_site());
    let settings = settings(config, &krate, &attrs, &sig);
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
    let declared = match &sig.output {
        ReturnType::Type(_, ty) if !matches!(**ty, Type::ImplTrait(_)) => Some(quote! { #ty }),
        ReturnType::Type(..) => None,
        ReturnType::Default => Some(quote! { () }),
    };
    let annotation = declared.as_ref().map(|ty| quote! { : #ty });
    let statements = &function.body;
    let run = if sig.asyncness.is_some() {
        // An async block has no return-type syntax: an unreachable `return` of the declared
        // type fixes it for inference (the idiom tracing's #[instrument] uses).
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
        quote! { #session.scope(async move { #pin_type #statements }).await }
    } else {
        let bound = format_ident!("__dmemfs_bound", span = Span::mixed_site());
        let returns = declared.as_ref().map(|ty| quote! { -> #ty });
        // The body keeps its braces' span, so errors about its value point into it.
        let mut block = TokenStream::new();
        function
            .brace_token
            .surround(&mut block, |tokens| tokens.extend(statements.clone()));
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
    let body = quote! {
        #require
        let #session = #krate::__private::Session::start(#settings);
        #bind
        let #result #annotation = #run;
        #[allow(clippy::needless_borrow)]
        let #failure = #displayed;
        #session.finish(#result, #failure)
    };
    let inner_attrs = function.lifted_inner_attrs();
    let vis = &function.vis;
    let mut output = quote! { #(#attrs)* #(#inner_attrs)* #vis #sig };
    function
        .brace_token
        .surround(&mut output, |tokens| tokens.extend(body));
    // Only one of the two is compiled: a test function exists only with `cfg(test)`.
    output.extend(checked::standalone(
        config,
        &krate,
        quote! { #[cfg(not(test))] },
    ));
    Ok(output)
}

/// Adds `#[test]` to a plain function that has no test attribute; an async function needs a
/// runtime's attribute, which cannot be guessed.
fn ensure_test_attribute(attrs: &mut Vec<Attribute>, sig: &syn::Signature) -> syn::Result<()> {
    if attrs.iter().any(|attr| attrs::test_kind(attr).is_some()) {
        return Ok(());
    }
    if let Some(asyncness) = &sig.asyncness {
        return Err(syn::Error::new(
            asyncness.span(),
            "an async test needs a runtime's test attribute below #[with_memfs], such as #[tokio::test]",
        ));
    }
    attrs.push(syn::parse_quote!(#[::core::prelude::v1::test]));
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

fn option_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(n) => quote! { ::core::option::Option::Some(#n) },
        None => quote! { ::core::option::Option::None },
    }
}

/// The `Config` literal the session starts from.
fn settings(
    config: &Config,
    krate: &syn::Path,
    attrs: &[Attribute],
    sig: &syn::Signature,
) -> TokenStream {
    let some = quote! { ::core::option::Option::Some };
    let none = quote! { ::core::option::Option::None };
    let quota = match &config.quota {
        None => none.clone(),
        Some(quota) => {
            let bytes = checked::quota(krate, quota, config.seed.is_some());
            quote! { #some(#bytes) }
        }
    };
    let max_nodes = option_u64(config.max_nodes);
    let lock_timeout = match &config.lock_timeout {
        None => none.clone(),
        Some(LockTimeout::Forever) => quote! { #some(#none) },
        Some(LockTimeout::After(after)) => {
            let after = checked::duration(krate, "lock_timeout", after);
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
            let base = match &guard.mode {
                GuardMode::Off => quote! { #krate::__private::MemoryGuard::OFF },
                GuardMode::Init => quote! { #krate::__private::MemoryGuard::init() },
                GuardMode::PerWrite(interval) => {
                    let interval = match interval {
                        Some(interval) => {
                            checked::duration(krate, "memory_guard interval", interval)
                        }
                        // The documented default interval.
                        None => quote! { #krate::__private::Duration::from_secs(1) },
                    };
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
    let should_panic = attrs.iter().any(attrs::is_should_panic);
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
    let name = sig.ident.to_string();
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

/// What to emit on any error: the function as written, less its test attributes (with the
/// filesystem parameter still in place, they would add errors of their own), so that the
/// function still exists for the rest of the crate and for the IDE; the errors; and the
/// compile-time checks of the sizes and durations that were well-formed, so that a bad value
/// among them is reported in the same build.
pub(crate) fn fallback(
    function: Option<TestFn>,
    unparsed: TokenStream,
    config: &Config,
    error: syn::Error,
) -> TokenStream {
    let function = match function {
        Some(mut function) => {
            function
                .outer_attrs
                .retain(|attr| attrs::test_kind(attr).is_none());
            quote! {
                #[allow(dead_code, unused_variables)]
                #function
            }
        }
        // Not a function we could read: emitted as it came.
        None => unparsed,
    };
    let error = error.into_compile_error();
    let checks = checked::standalone(config, &crate_path(config), TokenStream::new());
    quote! {
        #function
        #error
        #checks
    }
}

//! Sizes and durations, checked by compile-time evaluation: each becomes a `const` that reads
//! the literal's text with dmemfs-core's parser (through `dmemfs_test::__private`) and panics
//! with the parser's message when it is wrong. The constant is spanned on the literal, so the
//! compile error points at it; the macro has no parser of its own to disagree with the runtime.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::validate::{Checked, Config, GuardMode, LockTimeout};

/// `const QUOTA: u64`, the quota in bytes. With a seed, a zero quota is refused too.
fn quota_item(krate: &syn::Path, quota: &Checked, seeded: bool) -> TokenStream {
    let Checked { text, span } = quota;
    quote_spanned! {*span=>
        const QUOTA: u64 = match #krate::__private::quota(#text, #seeded) {
            ::core::result::Result::Ok(bytes) => bytes,
            ::core::result::Result::Err(message) => ::core::panic!("{}", message.as_str()),
        };
    }
}

/// `const DURATION: Duration`; `argument` names it in the error.
fn duration_item(krate: &syn::Path, argument: &str, duration: &Checked) -> TokenStream {
    let Checked { text, span } = duration;
    quote_spanned! {*span=>
        const DURATION: #krate::__private::Duration =
            match #krate::__private::duration(#argument, #text) {
                ::core::result::Result::Ok(duration) => duration,
                ::core::result::Result::Err(message) => ::core::panic!("{}", message.as_str()),
            };
    }
}

/// A `u64` expression: the quota in bytes, evaluated at compile time.
pub(crate) fn quota(krate: &syn::Path, quota: &Checked, seeded: bool) -> TokenStream {
    let item = quota_item(krate, quota, seeded);
    quote_spanned! {quota.span=> { #item QUOTA } }
}

/// A `Duration` expression, evaluated at compile time.
pub(crate) fn duration(krate: &syn::Path, argument: &str, duration: &Checked) -> TokenStream {
    let item = duration_item(krate, argument, duration);
    quote_spanned! {duration.span=> { #item DURATION } }
}

/// An item evaluating every checked value of `config`, for where the function's own constants
/// are not compiled: beside the function emitted unchanged on other errors (so that a bad
/// value is reported in the same build), and in builds without `cfg(test)`, where a `#[test]`
/// function is left out (so that `cargo check` reports it too, as it reports the attribute's
/// other errors).
/// `cfg` (`#[cfg(not(test))]` or nothing) goes on the item.
pub(crate) fn standalone(config: &Config, krate: &syn::Path, cfg: TokenStream) -> TokenStream {
    let checks = all(config, krate);
    // Defined, not used: every constant is evaluated, and an unused one adds no "erroneous
    // constant encountered" note to its error.
    quote! {
        #(
            #cfg
            const _: () = {
                #[allow(dead_code)]
                #checks
            };
        )*
    }
}

fn all(config: &Config, krate: &syn::Path) -> Vec<TokenStream> {
    let mut checks = Vec::new();
    if let Some(checked) = &config.quota {
        checks.push(quota_item(krate, checked, config.seed.is_some()));
    }
    if let Some(LockTimeout::After(checked)) = &config.lock_timeout {
        checks.push(duration_item(krate, "lock_timeout", checked));
    }
    if let Some(guard) = &config.memory_guard
        && let GuardMode::PerWrite(Some(checked)) = &guard.mode
    {
        checks.push(duration_item(krate, "memory_guard interval", checked));
    }
    checks
}

//! Parsing `#[with_memfs(key = value, ...)]` into spanned key/value pairs. Meaning is checked
//! in `validate`.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Lit, Token};

/// One `key = value` argument, as written.
pub(crate) struct Arg {
    pub(crate) key: Ident,
    pub(crate) value: Lit,
}

impl Arg {
    pub(crate) fn key_span(&self) -> Span {
        self.key.span()
    }
}

/// The whole argument list.
pub(crate) struct Args {
    pub(crate) args: Vec<Arg>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Vec::new();
        while !input.is_empty() {
            // `crate` is a keyword; accept it (and any identifier) as a key.
            let key = Ident::parse_any(input)?;
            // A flag: `mount` alone means `mount = true`.
            if key == "mount" && (input.is_empty() || input.peek(Token![,])) {
                let value = Lit::Bool(syn::LitBool::new(true, key.span()));
                args.push(Arg { key, value });
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            if !input.peek(Token![=]) {
                return Err(syn::Error::new(
                    key.span(),
                    format!("expected `{key} = ...`: every argument is a `key = value` pair"),
                ));
            }
            input.parse::<Token![=]>()?;
            let value = input.parse::<Lit>().map_err(|err| {
                syn::Error::new(
                    err.span(),
                    format!("expected a literal value for `{key}`, such as \"32M\", 100 or true"),
                )
            })?;
            if !input.is_empty() && !input.peek(Token![,]) {
                return Err(input.error(format!(
                    "expected `,` after the value of `{key}`: values are literals, not expressions"
                )));
            }
            args.push(Arg { key, value });
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Args { args })
    }
}

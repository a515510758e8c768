//! The test function, parsed as tokio-macros parses it: attributes, visibility and signature,
//! with the body kept as tokens. The attribute never needs the body's meaning, so parsing it
//! would only cost compile time (once to parse, once to print it back), and a body that does
//! not parse would become the attribute's error instead of rustc's, at the real token.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{Parse, ParseStream, Parser};
use syn::{AttrStyle, Attribute, Signature, Visibility, braced, token};

/// `#[attrs] vis fn name(..) -> T { body }`.
#[derive(Clone)]
pub(crate) struct TestFn {
    pub(crate) outer_attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) sig: Signature,
    pub(crate) brace_token: token::Brace,
    /// `#![..]` at the top of the body; the rewritten function carries them as outer
    /// attributes, since the body moves into a closure or an async block.
    pub(crate) inner_attrs: Vec<Attribute>,
    /// The statements, unparsed.
    pub(crate) body: TokenStream,
}

impl Parse for TestFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let outer_attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        let brace_token = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let body = content.parse()?;
        Ok(TestFn {
            outer_attrs,
            vis,
            sig,
            brace_token,
            inner_attrs,
            body,
        })
    }
}

impl TestFn {
    /// The inner attributes, as outer ones.
    pub(crate) fn lifted_inner_attrs(&self) -> impl Iterator<Item = Attribute> + '_ {
        self.inner_attrs.iter().cloned().map(|mut attr| {
            attr.style = AttrStyle::Outer;
            attr
        })
    }

    /// The signature of a function the body starts with (`fn name(..) { .. } ...`), if it
    /// does: the shape `#[rstest]` leaves when it runs first. Only that much is parsed.
    pub(crate) fn leading_fn(&self) -> Option<Signature> {
        let parser = |input: ParseStream<'_>| {
            let fork = input.fork();
            let found = fork
                .call(Attribute::parse_outer)
                .and_then(|_| fork.parse::<Visibility>())
                .and_then(|_| fork.parse::<Signature>())
                .ok();
            input.parse::<TokenStream>()?;
            Ok(found)
        };
        parser.parse2(self.body.clone()).ok().flatten()
    }
}

impl ToTokens for TestFn {
    /// The function as written.
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(self.outer_attrs.iter().map(ToTokens::to_token_stream));
        self.vis.to_tokens(tokens);
        self.sig.to_tokens(tokens);
        self.brace_token.surround(tokens, |tokens| {
            tokens.extend(self.inner_attrs.iter().map(ToTokens::to_token_stream));
            self.body.to_tokens(tokens);
        });
    }
}

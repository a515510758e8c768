//! Recognising the test attribute below `#[with_memfs]`, from explicit lists of paths: a
//! guess from the name (anything ending in `_test`, say) would take a user's own attribute for
//! a test runner, or the other way round, without telling anyone.

use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Path, Token};

/// Test attributes whose test takes no arguments: every parameter but the filesystem is an
/// error. Matched on the whole path as written, with or without a leading `::`.
const PLAIN: [&str; 4] = ["test", "tokio::test", "async_std::test", "test_log::test"];

/// The prelude's `#[test]` by its full path (`::core::prelude::v1::test`, which is also what
/// `#[with_memfs]` adds, or a `rust_20xx` prelude's).
const PRELUDE_ROOTS: [&str; 2] = ["core", "std"];
const PRELUDES: [&str; 5] = ["v1", "rust_2015", "rust_2018", "rust_2021", "rust_2024"];

/// Test attributes that supply the test's arguments (cases, values, fixtures, generated
/// inputs): parameters other than the filesystem are theirs.
const SUPPLYING: [&str; 12] = [
    "rstest",
    "rstest::rstest",
    "test_case",
    "test_case::test_case",
    "test_matrix",
    "test_case::test_matrix",
    "proptest",
    "test_strategy::proptest",
    "property_test",
    "proptest::property_test",
    "quickcheck",
    "quickcheck_macros::quickcheck",
];

/// What a recognised test attribute does with the test's parameters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum TestKind {
    /// `#[test]`, `#[tokio::test]`, ...: none may remain.
    Plain,
    /// `#[rstest]`, `#[test_case(..)]`, ...: it supplies the others.
    Supplying,
}

/// The path as written, without spaces, generic arguments or a leading `::`.
fn path_text(path: &Path) -> String {
    path.segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect::<Vec<_>>()
        .join("::")
}

fn kind_of(path: &Path) -> Option<TestKind> {
    let text = path_text(path);
    if PLAIN.contains(&text.as_str()) || is_prelude_test(&text) {
        Some(TestKind::Plain)
    } else if SUPPLYING.contains(&text.as_str()) {
        Some(TestKind::Supplying)
    } else {
        None
    }
}

fn is_prelude_test(text: &str) -> bool {
    let parts: Vec<&str> = text.split("::").collect();
    matches!(parts[..], [root, "prelude", prelude, "test"]
        if PRELUDE_ROOTS.contains(&root) && PRELUDES.contains(&prelude))
}

/// The paths an attribute applies: its own, or for `cfg_attr(condition, a, b(..))` those of
/// `a` and `b` (recursively). A `cfg_attr` that does not parse applies nothing we know of.
pub(crate) fn applied_paths(attr: &Attribute) -> Vec<Path> {
    let mut paths = Vec::new();
    collect_paths(&attr.meta, &mut paths);
    paths
}

fn collect_paths(meta: &Meta, paths: &mut Vec<Path>) {
    if !meta.path().is_ident("cfg_attr") {
        paths.push(meta.path().clone());
        return;
    }
    let Meta::List(list) = meta else { return };
    let parser = |input: syn::parse::ParseStream<'_>| {
        input.parse::<Meta>()?;
        input.parse::<Token![,]>()?;
        Punctuated::<Meta, Token![,]>::parse_terminated(input)
    };
    if let Ok(applied) = parser.parse2(list.tokens.clone()) {
        for meta in &applied {
            collect_paths(meta, paths);
        }
    }
}

/// The kind of test attribute `attr` is (or applies through `cfg_attr`), if any.
pub(crate) fn test_kind(attr: &Attribute) -> Option<TestKind> {
    applied_paths(attr).iter().find_map(kind_of)
}

/// Whether `attr` is `#[should_panic]`, possibly under `cfg_attr`.
pub(crate) fn is_should_panic(attr: &Attribute) -> bool {
    applied_paths(attr)
        .iter()
        .any(|path| path.is_ident("should_panic"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(attr: Attribute) -> Option<TestKind> {
        test_kind(&attr)
    }

    #[test]
    fn recognises_listed_paths_only() {
        use TestKind::*;
        assert!(kind(syn::parse_quote!(#[test])) == Some(Plain));
        assert!(kind(syn::parse_quote!(#[::tokio::test(flavor = "multi_thread")])) == Some(Plain));
        assert!(kind(syn::parse_quote!(#[::core::prelude::v1::test])) == Some(Plain));
        assert!(kind(syn::parse_quote!(#[std::prelude::rust_2024::test])) == Some(Plain));
        assert!(kind(syn::parse_quote!(#[rstest])) == Some(Supplying));
        assert!(kind(syn::parse_quote!(#[test_case(1; "one")])) == Some(Supplying));
        assert!(kind(syn::parse_quote!(#[cfg_attr(unix, ignore, tokio::test)])) == Some(Plain));
        assert!(kind(syn::parse_quote!(#[cfg_attr(a, cfg_attr(b, rstest))])) == Some(Supplying));
        // Names that look like tests are not guessed at.
        assert!(kind(syn::parse_quote!(#[my_test])).is_none());
        assert!(kind(syn::parse_quote!(#[test_helper])).is_none());
        assert!(kind(syn::parse_quote!(#[other::test])).is_none());
        assert!(kind(syn::parse_quote!(#[ignore])).is_none());
        assert!(is_should_panic(
            &syn::parse_quote!(#[cfg_attr(unix, should_panic(expected = "x"))])
        ));
    }
}

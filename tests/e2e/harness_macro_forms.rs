//! Every supported form of `#[with_memfs]`: each argument, each parameter type, alongside
//! `#[test]`, `#[rstest]`, `#[tokio::test]` and attributes the macro does not own. These
//! compile and run here; the forms that must not compile are `tests/ui` (trybuild).

mod all_arguments;
mod async_tests;
mod borrowed_parameter;
mod no_parameter;
mod other_attributes;
mod plain_test;
mod renamed_crate;
mod returns_result;
mod rstest_forms;
mod shadowed_prelude;
mod trait_parameters;

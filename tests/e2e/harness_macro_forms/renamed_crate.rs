// `crate = "..."` for a dependency renamed in Cargo.toml (simulated with `extern crate ... as
// renamed` in main.rs: generated code names the crate by absolute path, `::renamed`).

#[renamed::with_memfs(crate = "renamed")]
#[test]
fn renamed(fs: renamed::MemFs) {
    fs.write("/a", "x").unwrap();
}

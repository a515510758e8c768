//! `glob` against a brute-force reference matcher, on random trees and patterns.

use super::*;

/// A tiny deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Shell-style matching of one name: `*`, `?`, `[set]`, `[!set]` with ranges.
fn name_matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|skip| name_matches(rest, &name[skip..])),
        Some(('?', rest)) => !name.is_empty() && name_matches(rest, &name[1..]),
        Some(('[', rest)) => {
            let Some((&c, name_rest)) = name.split_first() else {
                return false;
            };
            let (negated, set) = match rest.first() {
                Some('!') => (true, &rest[1..]),
                _ => (false, rest),
            };
            let close = 1 + set[1..]
                .iter()
                .position(|&ch| ch == ']')
                .expect("closed set");
            let (items, after) = (&set[..close], &set[close + 1..]);
            let mut hit = false;
            let mut i = 0;
            while i < items.len() {
                if i + 2 < items.len() && items[i + 1] == '-' {
                    hit |= items[i] <= c && c <= items[i + 2];
                    i += 3;
                } else {
                    hit |= items[i] == c;
                    i += 1;
                }
            }
            hit != negated && name_matches(after, name_rest)
        }
        Some((&literal, rest)) => name.first() == Some(&literal) && name_matches(rest, &name[1..]),
    }
}

/// Whether the components of a path match the pattern's segments.
fn components_match(segments: &[&str], components: &[&str]) -> bool {
    match segments.split_first() {
        None => components.is_empty(),
        Some((&"**", [])) => !components.is_empty(),
        Some((&"**", rest)) => {
            (0..=components.len()).any(|k| components_match(rest, &components[k..]))
        }
        Some((segment, rest)) => match components.split_first() {
            None => false,
            Some((first, others)) => {
                let pattern: Vec<char> = segment.chars().collect();
                let name: Vec<char> = first.chars().collect();
                name_matches(&pattern, &name) && components_match(rest, others)
            }
        },
    }
}

fn reference_glob(all_paths: &[String], pattern: &str) -> Vec<String> {
    let segments: Vec<&str> = pattern
        .split(['/', '\\'])
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    let found: BTreeSet<String> = all_paths
        .iter()
        .filter(|path| {
            let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
            components_match(&segments, &components)
        })
        .cloned()
        .collect();
    found.into_iter().collect()
}

#[test]
fn glob_agrees_with_a_brute_force_reference_matcher() {
    const NAMES: [&str; 12] = [
        "a", "b", "ab", "ba", "a.txt", "b.txt", "c.rs", ".h", "x1", "x2", "data", "A",
    ];
    let fs = MemFs::new();
    let mut rng = Lcg(0x5eed_1234);
    let mut dirs = vec!["/".to_owned()];
    let mut created = 0;
    while created < 40 {
        let parent = dirs[rng.below(dirs.len())].clone();
        let name = NAMES[rng.below(NAMES.len())];
        let path = if parent == "/" {
            format!("/{name}")
        } else {
            format!("{parent}/{name}")
        };
        if fs.exists(&path) {
            continue;
        }
        if rng.below(5) < 2 {
            fs.create_dir(&path).unwrap();
            dirs.push(path);
        } else {
            fs.write(&path, name).unwrap();
        }
        created += 1;
    }
    assert_eq!(fs.stats().nodes, 41);
    let all_paths = walk_paths(&fs, "/");
    let patterns = [
        "/",
        "/*",
        "/*/*",
        "/*/*/*",
        "/**",
        "/**/*",
        "/**/a",
        "/**/*.txt",
        "/a/**",
        "/b/**",
        "/ab/**",
        "/a/**/b",
        "/*/**/*.rs",
        "/?",
        "/??",
        "/[ab]",
        "/[!ab]*",
        "/**/[a-b]*",
        "/**/x?",
        "/a*",
        "/a**",
        "/**/.*",
        "/**/*b*",
        "/*/a/**",
        "/**/**/a.txt",
        "/a/*/**",
        "/b/**/*",
        "**/ab",
        "a/**/*",
        "\\**\\*.txt",
        "/**/a/**",
        "/x1/**",
        "/**/*.*",
        "/[a-c]*/**/[!.]*",
        "/a",
        "/a/b",
        "/.h",
        "/**/[.]h",
        "/**/data/**/x?",
        "/**/[A-Z]",
        "/*/*/**/b*",
        "/**/?.???",
    ];
    let mut non_empty = 0;
    for pattern in patterns {
        let expected = reference_glob(&all_paths, pattern);
        assert_eq!(fs.glob(pattern).unwrap(), expected, "pattern {pattern:?}");
        non_empty += usize::from(!expected.is_empty());
    }
    assert!(
        non_empty >= 30,
        "the tree is too sparse to test much: {non_empty}"
    );
}

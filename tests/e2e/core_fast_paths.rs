//! Regression tests for the fast paths: directories listing children by shared keys
//! with per-entry slots (swap_remove on removal, re-keying on moves), the process-wide cache
//! of freed chunks, the one-pass `create_or_lock` open, `create_with`'s error order, the
//! `slack` flag on writer drop, the unlocked `&mut` cursor and the sharded handle counter.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

use dmemfs_core::{Conflict, ExportOptions, ExtractMode, ExtractOptions, MemFs};

use crate::common::*;

// ------------------------------------------------------------------ namespace model check

/// Path -> `None` for a directory, `Some(contents)` for a file. Always holds "/".
type Model = BTreeMap<String, Option<Vec<u8>>>;

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "/",
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

fn is_dir(m: &Model, p: &str) -> bool {
    matches!(m.get(p), Some(None))
}

fn is_file(m: &Model, p: &str) -> bool {
    matches!(m.get(p), Some(Some(_)))
}

/// Strictly below `dir`.
fn below(p: &str, dir: &str) -> bool {
    if dir == "/" {
        p != "/"
    } else {
        p.len() > dir.len() && p.starts_with(dir) && p.as_bytes()[dir.len()] == b'/'
    }
}

fn subtree(m: &Model, root: &str) -> Vec<(String, Option<Vec<u8>>)> {
    m.iter()
        .filter(|(p, _)| p.as_str() == root || below(p, root))
        .map(|(p, v)| (p.clone(), v.clone()))
        .collect()
}

fn children(m: &Model, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = m
        .keys()
        .filter(|p| p.as_str() != "/" && parent(p) == dir)
        .map(|p| p.rsplit('/').next().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn preorder(m: &Model, dir: &str, out: &mut Vec<String>) {
    for name in children(m, dir) {
        let child = join(dir, &name);
        out.push(child.clone());
        if is_dir(m, &child) {
            preorder(m, &child, out);
        }
    }
}

fn ancestors(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = parent(p);
    while cur != "/" {
        out.push(cur.to_owned());
        cur = parent(cur);
    }
    out.reverse();
    out
}

fn rebase(p: &str, from: &str, to: &str) -> String {
    format!("{to}{}", &p[from.len()..])
}

/// Moves `from` (and everything below) to `to` in the model.
fn model_move(m: &mut Model, from: &str, to: &str) {
    for (p, v) in subtree(m, from) {
        m.remove(&p);
        m.insert(rebase(&p, from, to), v);
    }
}

/// Everything the namespace shows must agree with the model: listings (each directory's
/// children, sorted, no duplicates, none missing), the walk's pre-order, glob, counts,
/// contents, and whether each directory is empty.
#[track_caller]
fn check(fs: &MemFs, m: &Model, context: &str) {
    let mut want = vec!["/".to_owned()];
    preorder(m, "/", &mut want);
    let walked: Vec<String> = fs
        .walk("/")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(walked, want, "walk after {context}");
    for (path, value) in m {
        match value {
            None => {
                let listed: Vec<String> = fs
                    .read_dir(path)
                    .unwrap()
                    .map(|e| e.unwrap().file_name().to_owned())
                    .collect();
                assert_eq!(
                    listed,
                    children(m, path),
                    "read_dir({path}) after {context}"
                );
            }
            Some(bytes) => {
                assert_eq!(&fs.peek(path).unwrap(), bytes, "{path} after {context}");
            }
        }
    }
    let mut globbed = fs.glob("/**").unwrap();
    globbed.sort();
    let mut all: Vec<String> = m.keys().filter(|p| p.as_str() != "/").cloned().collect();
    all.sort();
    assert_eq!(globbed, all, "glob after {context}");
    let stats = fs.stats();
    let files = m.values().filter(|v| v.is_some()).count() as u64;
    let used: u64 = m.values().flatten().map(|c| c.len() as u64).sum();
    assert_eq!(
        (stats.files, stats.dirs, stats.used),
        (files, m.len() as u64 - files, used),
        "stats after {context}"
    );
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn path(&mut self) -> String {
        // "a.b" sorts between "a" and "a/..." as a full path: listings must sort by name.
        const NAMES: [&str; 4] = ["a", "b", "c", "a.b"];
        let depth = 1 + self.below(3);
        let mut p = String::new();
        for _ in 0..depth {
            p.push('/');
            p.push_str(NAMES[self.below(NAMES.len() as u64) as usize]);
        }
        p
    }
}

/// Runs one random operation on both the filesystem and the model. Where the outcome is
/// determined by the namespace alone, the model predicts success or failure, so a directory
/// whose list of children disagrees with the index (a stale or missing slot) shows up as a
/// wrong `DirectoryNotEmpty`, a lost entry, or a debug assertion in `Tree::remove`.
fn step(fs: &MemFs, m: &mut Model, rng: &mut Rng, i: usize) -> (String, Option<&'static str>) {
    let (mut a, b) = (rng.path(), rng.path());
    let data = vec![i as u8; rng.below(5) as usize];
    let op = rng.below(100);
    let (what, predicted, result) = match op {
        0..=17 => {
            let ok = !is_dir(m, &a) && is_dir(m, parent(&a));
            let r = fs.write(&a, &data);
            if r.is_ok() {
                m.insert(a.clone(), Some(data));
            }
            ("write", Some(ok), r.map(drop))
        }
        18..=31 => {
            let ok = !m.contains_key(&a) && is_dir(m, parent(&a));
            let r = fs.create_dir(&a);
            if r.is_ok() {
                m.insert(a.clone(), None);
            }
            ("create_dir", Some(ok), r)
        }
        32..=35 => {
            let chain: Vec<String> = ancestors(&a).into_iter().chain([a.clone()]).collect();
            let ok = chain.iter().all(|p| !is_file(m, p));
            let r = fs.create_dir_all(&a);
            if r.is_ok() {
                for p in chain {
                    m.entry(p).or_insert(None);
                }
            }
            ("create_dir_all", Some(ok), r)
        }
        36..=45 => {
            let ok = is_file(m, &a);
            let r = fs.remove_file(&a);
            if r.is_ok() {
                m.remove(&a);
            }
            ("remove_file", Some(ok), r)
        }
        46..=53 => {
            let ok = is_dir(m, &a) && children(m, &a).is_empty();
            let r = fs.remove_dir(&a);
            if r.is_ok() {
                m.remove(&a);
            }
            ("remove_dir", Some(ok), r)
        }
        54..=57 => {
            let ok = is_dir(m, &a);
            let r = fs.remove_dir_all(&a);
            if r.is_ok() {
                for (p, _) in subtree(m, &a) {
                    m.remove(&p);
                }
            }
            ("remove_dir_all", Some(ok), r)
        }
        58..=72 => {
            let ok = is_dir(m, parent(&a))
                && is_dir(m, parent(&b))
                && m.contains_key(&a)
                && (a == b
                    || (!below(&b, &a)
                        && !below(&a, &b)
                        && match (m.get(&a), m.get(&b)) {
                            (_, None) => true,
                            (Some(Some(_)), Some(Some(_))) => true,
                            (Some(None), Some(None)) => children(m, &b).is_empty(),
                            _ => false,
                        }));
            let r = fs.rename(&a, &b);
            if r.is_ok() && a != b {
                m.remove(&b);
                model_move(m, &a, &b);
            }
            ("rename", Some(ok), r)
        }
        73..=82 => {
            let ok = m.contains_key(&a)
                && !(is_dir(m, &a) && below(&b, &a))
                && !m.contains_key(&b)
                && ancestors(&b).iter().all(|p| !is_file(m, p));
            let r = fs.move_path(&a, &b);
            if r.is_ok() {
                for p in ancestors(&b) {
                    m.entry(p).or_insert(None);
                }
                model_move(m, &a, &b);
            }
            ("move_path", Some(ok), r)
        }
        83..=87 => {
            let ok = is_dir(m, &a) && !m.contains_key(&b) && is_dir(m, parent(&b));
            let before = subtree(m, &a);
            let r = fs.copy_dir_all(&a, &b);
            if r.is_ok() {
                for (p, v) in before {
                    m.insert(rebase(&p, &a, &b), v);
                }
            }
            ("copy_dir_all", Some(ok), r)
        }
        88..=91 => {
            // From an existing file, when there is one.
            let files: Vec<&String> = m
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(p, _)| p)
                .collect();
            if !files.is_empty() {
                a = files[rng.below(files.len() as u64) as usize].clone();
            }
            let ok = is_file(m, &a) && a != b && !is_dir(m, &b) && is_dir(m, parent(&b));
            let r = fs.copy(&a, &b);
            if r.is_ok() {
                let v = m[&a].clone();
                m.insert(b.clone(), v);
            }
            ("copy", Some(ok), r.map(drop))
        }
        92..=95 => {
            // All or nothing, several files: the outcome is taken from the filesystem.
            let r = fs.import_tree([(a.as_str(), &data[..]), (b.as_str(), b"imported")]);
            if r.is_ok() {
                for (p, v) in [(&a, data.clone()), (&b, b"imported".to_vec())] {
                    for anc in ancestors(p) {
                        m.entry(anc).or_insert(None);
                    }
                    m.insert(p.clone(), Some(v));
                }
            }
            ("import_tree", None, r)
        }
        _ => {
            // Export a directory and extract it elsewhere (both modes, replacing files).
            if !is_dir(m, &a) {
                return (format!("#{i} skip"), None);
            }
            let mut archive = Vec::new();
            fs.export_tar(&a, &mut archive, &ExportOptions::new())
                .unwrap();
            let mode = if op.is_multiple_of(2) {
                ExtractMode::Atomic
            } else {
                ExtractMode::Streaming
            };
            let options = ExtractOptions::new()
                .mode(mode)
                .conflict(Conflict::Overwrite);
            let before = subtree(m, &a);
            let r = fs.extract_tar(&archive[..], &b, &options);
            if r.is_ok() {
                for anc in ancestors(&b).into_iter().chain([b.clone()]) {
                    m.entry(anc).or_insert(None);
                }
                for (p, v) in before {
                    if p != a {
                        m.insert(rebase(&p, &a, &b), v);
                    }
                }
            }
            ("extract_tar", None, r.map(drop))
        }
    };
    let context = format!("#{i} {what}({a}, {b}) = {result:?}");
    if let Some(ok) = predicted {
        assert_eq!(result.is_ok(), ok, "unexpected outcome: {context}");
    }
    (context, result.is_ok().then_some(what))
}

/// Thousands of random namespace operations on a few crowded directories, so children are
/// removed from the middle, the end and the start of their parents' lists, directories are
/// moved and re-keyed, copied, extracted into and removed wholesale; after every operation
/// every listing is compared with a model. Debug builds also run `Tree::remove`'s slot check.
#[test]
fn namespace_listings_match_a_model_through_random_operations() {
    let mut done = BTreeMap::new();
    for seed in 1..=5u64 {
        let fs = MemFs::new();
        let mut m = Model::new();
        m.insert("/".into(), None);
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        for i in 0..1000 {
            let (context, succeeded) = step(&fs, &mut m, &mut rng, i);
            check(&fs, &m, &format!("seed {seed} {context}"));
            *done.entry(succeeded.unwrap_or("-")).or_insert(0u32) += 1;
        }
        assert_invariants(&fs);
    }
    // Every kind of operation succeeded often enough to matter.
    for op in [
        "write",
        "create_dir",
        "create_dir_all",
        "remove_file",
        "remove_dir",
        "remove_dir_all",
        "rename",
        "move_path",
        "copy_dir_all",
        "copy",
        "import_tree",
        "extract_tar",
    ] {
        assert!(done.get(op).copied().unwrap_or(0) >= 10, "{op}: {done:?}");
    }
}

/// Slots by hand: removing the first of three children moves the last into its place; a later
/// move of that child must find itself at its new position, and so must its own children
/// after their parent is re-keyed.
#[test]
fn swap_removed_slot_then_move_and_remove_children() {
    let fs = MemFs::new();
    for d in ["/d", "/d/x", "/d/y", "/d/z", "/d/z/1", "/d/z/2", "/e"] {
        fs.create_dir(d).unwrap();
    }
    fs.remove_dir("/d/x").unwrap(); // /d/z takes slot 0
    fs.rename("/d/z", "/e/z").unwrap(); // removes /d/z from slot 0, /d/y moves there
    fs.remove_dir("/e/z/1").unwrap(); // /e/z/2 takes slot 0 under the re-keyed parent
    fs.move_path("/e/z/2", "/d/y/2").unwrap();
    fs.remove_dir("/d/y/2").unwrap();
    fs.remove_dir("/d/y").unwrap();
    let names = |p: &str| -> Vec<String> {
        fs.read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_owned())
            .collect()
    };
    assert!(names("/d").is_empty());
    assert_eq!(names("/e"), ["z"]);
    assert!(names("/e/z").is_empty());
    fs.remove_dir("/d").unwrap();
    fs.remove_dir_all("/e").unwrap();
    assert_eq!(fs.stats().nodes, 1);
}

// ------------------------------------------------------------------ chunk cache

const CHUNK: usize = 64 * 1024;

/// Leaves chunks full of `byte` in the process-wide cache.
fn dirty_the_cache(byte: u8) {
    let fs = MemFs::with_quota(1 << 24);
    fs.write("/junk", vec![byte; 8 * CHUNK]).unwrap();
}

/// Copies (`copy`, `copy_dir_all`) and whole-file writes take whole chunks from the cache:
/// what a reader sees is only what the source held, holes and short tails included.
#[test]
fn copies_of_sparse_files_show_no_cached_bytes() {
    dirty_the_cache(0xEE);
    let fs = MemFs::with_quota(1 << 24);
    fs.create_dir("/src").unwrap();
    let f = fs.create("/src/f").unwrap();
    f.set_len(3 * CHUNK as u64 + 5).unwrap();
    f.write_all_at(&[7; 10], CHUNK as u64 - 5).unwrap(); // straddles chunks 0 and 1
    f.write_all_at(&[8; CHUNK], 2 * CHUNK as u64).unwrap(); // chunk 2 exactly
    drop(f);
    let mut want = vec![0u8; 3 * CHUNK + 5];
    want[CHUNK - 5..CHUNK + 5].fill(7);
    want[2 * CHUNK..3 * CHUNK].fill(8);
    dirty_the_cache(0xEF);
    fs.copy("/src/f", "/g").unwrap();
    fs.copy_dir_all("/src", "/dst").unwrap();
    for p in ["/src/f", "/g", "/dst/f"] {
        assert_eq!(fs.read(p).unwrap(), want, "{p}");
    }
    // Growing a copy in place past its end leaves a zero gap, never cached bytes.
    let g = fs.options().write(true).open("/g").unwrap();
    g.write_all_at(b"!", 4 * CHUNK as u64 + 3).unwrap();
    drop(g);
    want.resize(4 * CHUNK + 3, 0);
    want.push(b'!');
    assert_eq!(fs.read("/g").unwrap(), want);
    assert_eq!(
        fs.stats().used,
        2 * (3 * CHUNK as u64 + 5) + want.len() as u64
    );
    assert_invariants(&fs);
}

/// With `zeroize_on_free` the same holds, and the quota comes back to zero.
#[test]
fn zeroizing_filesystem_reuses_cache_without_leaks_or_drift() {
    dirty_the_cache(0x5A);
    let fs = MemFs::builder()
        .quota(1 << 24)
        .zeroize_on_free(true)
        .build()
        .unwrap();
    let mut f = fs.create("/s").unwrap();
    f.write_all(&[1; 100]).unwrap();
    f.seek(SeekFrom::Start(2 * CHUNK as u64 + 1)).unwrap();
    f.write_all(&[2; 3]).unwrap();
    f.set_len(CHUNK as u64 + 50).unwrap(); // cuts into the hole of chunk 1
    f.set_len(3 * CHUNK as u64).unwrap();
    drop(f);
    let data = fs.read("/s").unwrap();
    assert_eq!(data.len(), 3 * CHUNK);
    assert!(data[..100].iter().all(|&b| b == 1));
    assert!(data[100..].iter().all(|&b| b == 0));
    fs.remove_file("/s").unwrap();
    assert_eq!(fs.stats().used, 0);
}

// ------------------------------------------------------------------ open / create errors

/// As Linux's open(2): O_CREAT|O_EXCL on a directory is EEXIST, O_CREAT alone EISDIR; a
/// missing parent is ENOENT and a file parent ENOTDIR before any node limit.
#[test]
fn create_on_directories_and_bad_parents_reports_as_linux() {
    let fs = MemFs::builder().max_nodes(3).build().unwrap();
    fs.create_dir("/d").unwrap();
    fs.write("/f", "x").unwrap(); // the node limit is now reached
    let new = || {
        let mut o = fs.options();
        o.write(true).create_new(true);
        o
    };
    let create = || {
        let mut o = fs.options();
        o.write(true).create(true);
        o
    };
    expect_err(new().open("/d"), ErrorKind::AlreadyExists);
    expect_err(new().open("/f"), ErrorKind::AlreadyExists);
    expect_err(create().open("/d"), ErrorKind::IsADirectory);
    expect_err(new().open("/missing/x"), ErrorKind::NotFound);
    expect_err(create().open("/missing/x"), ErrorKind::NotFound);
    expect_err(create().open("/f/x"), ErrorKind::NotADirectory);
    expect_err(fs.write("/missing/x", "y"), ErrorKind::NotFound);
    expect_err(new().open("/d/x"), ErrorKind::QuotaExceeded);
    expect_err(create().open("/d/x"), ErrorKind::QuotaExceeded);
    // An existing file opens whatever the node limit, and a busy one is waited for.
    drop(create().truncate(true).open("/f").unwrap());
    assert_eq!(fs.read("/f").unwrap(), b"");
    assert_eq!(fs.stats().nodes, 3);
    assert!(fs.read_dir("/d").unwrap().next().is_none());
}

/// `write` reserves first; when the quota refuses, a missing parent and then the node limit
/// still win, and nothing is created or charged.
#[test]
fn write_quota_error_comes_after_parent_and_node_limit() {
    let fs = MemFs::builder().quota(10).max_nodes(2).build().unwrap();
    fs.create_dir("/d").unwrap();
    expect_err(fs.write("/missing/x", [0; 100]), ErrorKind::NotFound);
    expect_err(fs.write("/d/x", [0; 100]), ErrorKind::QuotaExceeded);
    fs.remove_dir("/d").unwrap();
    expect_err(fs.write("/x", [0; 100]), ErrorKind::StorageFull);
    fs.write("/x", [0; 10]).unwrap();
    assert_eq!((fs.stats().used, fs.stats().nodes), (10, 2));
}

/// A failed `create_or_lock` (node limit) leaves no half-listed child behind: the directory
/// stays empty and removable, and a create that fits later lists the file once.
#[test]
fn failed_one_pass_create_leaves_no_listed_child() {
    let fs = MemFs::builder().max_nodes(2).build().unwrap();
    fs.create_dir("/d").unwrap();
    expect_err(fs.create("/d/a"), ErrorKind::QuotaExceeded);
    assert!(fs.read_dir("/d").unwrap().next().is_none());
    fs.remove_dir("/d").unwrap();
    drop(fs.create("/a").unwrap());
    let names: Vec<_> = fs
        .read_dir("/")
        .unwrap()
        .map(|e| e.unwrap().path().to_owned())
        .collect();
    assert_eq!(names, ["/a"]);
    assert_eq!(fs.stats().nodes, 2);
}

// ------------------------------------------------------------------ handles

/// Reads and writes through `&mut MemFile` (cursor unlocked) and through `&MemFile`
/// (cursor locked), and seeks, share one cursor.
#[test]
fn owned_and_shared_cursor_paths_agree() {
    let fs = MemFs::new();
    let mut f = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/c")
        .unwrap();
    f.write_all(b"hello").unwrap(); // &mut
    (&f).write_all(b" world").unwrap(); // &
    assert_eq!(f.stream_position().unwrap(), 11);
    f.seek(SeekFrom::Start(6)).unwrap();
    let mut buf = [0; 5];
    f.read_exact(&mut buf).unwrap(); // &mut
    assert_eq!(&buf, b"world");
    assert_eq!((&f).stream_position().unwrap(), 11);
    (&f).seek(SeekFrom::Start(0)).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "hello world");
    // A write the quota refuses leaves the cursor where it was.
    let small = MemFs::with_quota(4);
    let mut g = small.create("/g").unwrap();
    g.write_all(b"abc").unwrap();
    g.write_all(b"de").unwrap_err();
    assert_eq!(g.stream_position().unwrap(), 3);
    assert_eq!(small.stats().used, 3);
}

/// A writer whose writes left no spare capacity skips compaction on drop; one that did
/// compacts. Either way the contents, the length and the quota are exact, and the handle
/// count comes back to zero even when handles are dropped on other threads.
#[test]
fn writer_drop_with_and_without_slack_and_cross_thread_handle_counts() {
    let fs = MemFs::with_quota(1 << 22);
    let mut tight = fs.create("/tight").unwrap();
    tight.write_all(&[3; CHUNK]).unwrap();
    let mut loose = fs.create("/loose").unwrap();
    for i in 0..1000u32 {
        loose.write_all(&i.to_le_bytes()[..3]).unwrap();
    }
    let handles: Vec<_> = (0..8)
        .map(|i| {
            fs.write(format!("/r{i}"), "x").unwrap();
            fs.open(format!("/r{i}")).unwrap()
        })
        .collect();
    assert_eq!(fs.stats().open_handles, 10);
    std::thread::scope(|s| {
        for h in handles {
            s.spawn(move || drop(h));
        }
        s.spawn(move || drop(tight));
        s.spawn(move || drop(loose));
    });
    assert_eq!(fs.stats().open_handles, 0);
    assert_eq!(fs.read("/tight").unwrap(), vec![3; CHUNK]);
    let loose = fs.read("/loose").unwrap();
    assert_eq!(loose.len(), 3000);
    assert_eq!(&loose[2997..], &999u32.to_le_bytes()[..3]);
    assert_invariants(&fs);
    let m = fs.metadata("/loose").unwrap();
    assert!(m.created().unwrap() <= m.modified().unwrap());
    assert!(m.modified().unwrap() <= std::time::SystemTime::now());
}

/// Set by [`cache_limit_holds_while_other_threads_free_chunks`] for the child process it runs.
const CACHE_CHILD: &str = "DMEMFS_REVIEW_CACHE_CHILD";

/// `memory_cache::set_limit` holds from the moment it returns, even while other threads
/// free chunks: `set_limit(0)` leaves nothing cached. Bug: `give` read the limit before
/// taking the cache's lock, so a thread waiting for the lock with the old limit pushed its
/// buffer after `set_limit` had trimmed. The limit is process-wide and other tests change
/// it, so the check runs alone, in a child process running only the test below.
#[test]
fn cache_limit_holds_while_other_threads_free_chunks() {
    let name = "core_fast_paths::cache_limit_child";
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--ignored", "--test-threads=1"])
        .env(CACHE_CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "run by cache_limit_holds_while_other_threads_free_chunks in its own process"]
fn cache_limit_child() {
    use std::sync::atomic::{AtomicBool, Ordering};
    if std::env::var_os(CACHE_CHILD).is_none() {
        return;
    }
    let stop = AtomicBool::new(false);
    let mut violations = 0;
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let fs = MemFs::new();
                    fs.write("/x", vec![1u8; 4 * CHUNK]).unwrap();
                }
            });
        }
        for _ in 0..20_000 {
            dmemfs_core::memory_cache::set_limit(0);
            if dmemfs_core::memory_cache::cached_bytes() != 0 {
                violations += 1;
            }
            dmemfs_core::memory_cache::set_limit(1 << 30);
        }
        stop.store(true, Ordering::Relaxed);
    });
    assert_eq!(
        violations, 0,
        "the cache held buffers right after set_limit(0)"
    );
    // A non-zero limit caps what is kept; trim empties it.
    dmemfs_core::memory_cache::set_limit(4 * CHUNK as u64);
    let fs = MemFs::new();
    fs.write("/x", vec![1u8; 16 * CHUNK]).unwrap();
    drop(fs);
    assert_eq!(dmemfs_core::memory_cache::cached_bytes(), 4 * CHUNK as u64);
    dmemfs_core::memory_cache::trim();
    assert_eq!(dmemfs_core::memory_cache::cached_bytes(), 0);
}

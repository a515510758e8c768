//! A mounted `MemFs` against `std::fs` on tmpfs (`/dev/shm`): the same workloads, driven by
//! `std::fs` from this process and by `tar` as a child, in alternating rounds, unpinned and
//! then pinned to one CPU (client, FUSE thread and child together).
//!
//! `cargo bench -p dmemfs-bench --bench mount` (as root, or with `fusermount3`);
//! `-- --quick` for a smoke run. Prints medians, ratios to tmpfs, FUSE requests per
//! operation and the share of the round trip spent in dmemfs's handlers.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use dmemfs_core::{MemFs, Semantics};
use dmemfs_fuse::{Cache, Mount, MountOptions};

struct Sizes {
    files: usize,
    stream: usize,
    rounds: usize,
}

/// One place to run a workload: tmpfs, or a mount with some options.
struct Backend {
    name: &'static str,
    dir: PathBuf,
    mount: Option<Mount>,
    _tmp: Option<tempfile::TempDir>,
}

fn backends() -> Vec<Backend> {
    let tmp = tempfile::tempdir_in("/dev/shm").expect("tmpfs at /dev/shm");
    let mut all = vec![Backend {
        name: "tmpfs",
        dir: tmp.path().to_owned(),
        mount: None,
        _tmp: Some(tmp),
    }];
    let configs: [(&'static str, MountOptions); 3] = [
        ("mount (coherent)", MountOptions::new()),
        (
            "mount (ttl 1s + keep_cache)",
            MountOptions::new().cache(Cache::Ttl(Duration::from_secs(1))),
        ),
        ("mount (direct_io)", MountOptions::new().direct_io(true)),
    ];
    for (name, options) in configs {
        let fs = MemFs::builder()
            .quota(2 << 30)
            .semantics(Semantics::Posix)
            .build()
            .expect("a 2 GiB MemFs");
        let mount = dmemfs_fuse::mount(&fs, &options.name("bench")).expect("mount");
        all.push(Backend {
            name,
            dir: mount.path().to_owned(),
            mount: Some(mount),
            _tmp: None,
        });
    }
    all
}

type Workload = fn(&Path, &Sizes, &Path) -> usize;

/// 1,000 files of 4 KiB: create + write + close. Returns the operations (files).
fn small_write(dir: &Path, sizes: &Sizes, _: &Path) -> usize {
    let data = vec![7u8; 4096];
    std::fs::create_dir(dir.join("small")).unwrap();
    for i in 0..sizes.files {
        std::fs::File::create(dir.join(format!("small/{i}")))
            .unwrap()
            .write_all(&data)
            .unwrap();
    }
    sizes.files
}

fn small_read(dir: &Path, sizes: &Sizes, _: &Path) -> usize {
    for i in 0..sizes.files {
        assert_eq!(
            std::fs::read(dir.join(format!("small/{i}"))).unwrap().len(),
            4096
        );
    }
    sizes.files
}

/// One big file in 1 MiB writes. Returns the operations (MiB).
fn stream_write(dir: &Path, sizes: &Sizes, _: &Path) -> usize {
    let chunk = vec![1u8; 1 << 20];
    let mut file = std::fs::File::create(dir.join("stream")).unwrap();
    for _ in 0..sizes.stream {
        file.write_all(&chunk).unwrap();
    }
    sizes.stream
}

fn stream_read(dir: &Path, sizes: &Sizes, _: &Path) -> usize {
    let mut chunk = vec![0u8; 1 << 20];
    let mut file = std::fs::File::open(dir.join("stream")).unwrap();
    let mut total = 0;
    loop {
        let n = std::io::Read::read(&mut file, &mut chunk).unwrap();
        if n == 0 {
            break;
        }
        total += n;
    }
    assert_eq!(total, sizes.stream << 20);
    sizes.stream
}

/// `tar -xf` of the ~400-file archive. Returns the operations (files).
fn tar_extract(dir: &Path, _: &Sizes, archive: &Path) -> usize {
    std::fs::create_dir(dir.join("x")).unwrap();
    let status = Command::new("tar")
        .arg("-xf")
        .arg(archive)
        .current_dir(dir.join("x"))
        .status()
        .unwrap();
    assert!(status.success());
    400
}

fn clean(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
}

/// 400 files (3.3 MB) in 40 directories, as a tar archive.
fn make_archive() -> (tempfile::TempDir, PathBuf) {
    let src = tempfile::tempdir_in("/dev/shm").unwrap();
    for d in 0..40 {
        std::fs::create_dir_all(src.path().join(format!("tree/d{d:02}"))).unwrap();
        for f in 0..10 {
            let len = 2_000 + (d * 10 + f) * 37 % 12_000;
            std::fs::write(
                src.path().join(format!("tree/d{d:02}/f{f}.txt")),
                vec![b'a'; len],
            )
            .unwrap();
        }
    }
    let archive = src.path().join("tree.tar");
    let status = Command::new("tar")
        .arg("-cf")
        .arg(&archive)
        .arg("tree")
        .current_dir(src.path())
        .status()
        .unwrap();
    assert!(status.success());
    (src, archive)
}

#[derive(Default)]
struct Samples {
    millis: Vec<f64>,
    requests: u64,
    handler: Duration,
    by_request: BTreeMap<&'static str, u64>,
    wall: Duration,
    ops: usize,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn run(label: &str, sizes: &Sizes, archive: &Path) {
    let backends = backends();
    let workloads: [(&str, Workload, Workload); 3] = [
        ("1,000 x 4 KiB: create+write", small_write, small_write),
        ("256 MiB stream: write", stream_write, stream_write),
        ("tar -xf, 400 files", tar_extract, tar_extract),
    ];
    // (workload name, backend) -> samples; reads run right after their writes.
    let mut results: BTreeMap<(usize, usize), Samples> = BTreeMap::new();
    for _round in 0..sizes.rounds {
        for (b, backend) in backends.iter().enumerate() {
            let mut index = 0;
            for (w, (_, write, _)) in workloads.iter().enumerate() {
                let steps: Vec<Workload> = match w {
                    0 => vec![*write, small_read],
                    1 => vec![*write, stream_read],
                    _ => vec![*write],
                };
                for step in steps {
                    let before = backend.mount.as_ref().map(Mount::serve_stats);
                    let started = Instant::now();
                    let ops = step(&backend.dir, sizes, archive);
                    let wall = started.elapsed();
                    let after = backend.mount.as_ref().map(Mount::serve_stats);
                    let entry = results.entry((index, b)).or_default();
                    entry.millis.push(wall.as_secs_f64() * 1e3);
                    entry.ops += ops;
                    entry.wall += wall;
                    if let (Some(before), Some(after)) = (before, after) {
                        entry.requests += after.requests - before.requests;
                        entry.handler += after.handler_time - before.handler_time;
                        for (kind, n) in &after.by_request {
                            let was = before.by_request.get(kind).copied().unwrap_or(0);
                            *entry.by_request.entry(kind).or_default() += n - was;
                        }
                    }
                    index += 1;
                }
                clean(&backend.dir);
            }
        }
    }
    let names = [
        "1,000 x 4 KiB create+write",
        "1,000 x 4 KiB read",
        "256 MiB stream write",
        "256 MiB stream read",
        "tar -xf of 400 files",
    ];
    println!("\n## {label} ({} rounds, median)\n", sizes.rounds);
    println!(
        "| workload | backend | ms | / tmpfs | FUSE requests per op | time in dmemfs handlers | requests per op, by kind |"
    );
    println!("|---|---|---:|---:|---:|---:|---|");
    for (index, name) in names.iter().enumerate() {
        let base = median(&mut results.get_mut(&(index, 0)).unwrap().millis.clone());
        for (b, backend) in backends.iter().enumerate() {
            let s = results.get_mut(&(index, b)).unwrap();
            let ms = median(&mut s.millis);
            let (per_op, share, kinds) = if backend.mount.is_some() {
                let kinds: Vec<String> = s
                    .by_request
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(kind, n)| format!("{kind} {:.1}", *n as f64 / s.ops as f64))
                    .collect();
                let share = 100.0 * s.handler.as_secs_f64() / s.wall.as_secs_f64();
                let per_op = s.requests as f64 / s.ops as f64;
                (
                    format!("{per_op:.1}"),
                    format!("{share:.0}%"),
                    kinds.join(", "),
                )
            } else {
                ("-".into(), "-".into(), String::new())
            };
            let ratio = ms / base;
            let backend = backend.name;
            println!(
                "| {name} | {backend} | {ms:.1} | {ratio:.2}x | {per_op} | {share} | {kinds} |"
            );
        }
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    if let Err(why) = dmemfs_fuse::available() {
        println!("mount benchmark skipped: {why}");
        return;
    }
    let sizes = if quick {
        Sizes {
            files: 100,
            stream: 16,
            rounds: 1,
        }
    } else {
        Sizes {
            files: 1000,
            stream: 256,
            rounds: 7,
        }
    };
    let (_src, archive) = make_archive();
    println!("# dmemfs mount benchmark: std::fs and tar on a mounted MemFs vs tmpfs");
    run("unpinned", &sizes, &archive);
    // Affinity is inherited by the threads and processes started after this: the FUSE
    // threads of the next mounts and every tar.
    let mut one = rustix::thread::CpuSet::new();
    one.set(0);
    rustix::thread::sched_setaffinity(None, &one).expect("pin to CPU 0");
    run("pinned to CPU 0", &sizes, &archive);
}

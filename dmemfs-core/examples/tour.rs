//! A guided tour of dmemfs: `cargo run --release --example tour`.
//!
//! Each step prints what it does and what came back.

use std::error::Error;
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};
use std::thread;
use std::time::{Duration, Instant};

use dmemfs_core::{FsError, MemFs, Reason, parse_size};

type Result<T = ()> = std::result::Result<T, Box<dyn Error>>;

fn step(title: &str) {
    println!("\n== {title}");
}

fn main() -> Result {
    println!("dmemfs tour: an in-memory filesystem with a hard byte quota");

    step("1. A filesystem with a 1 MiB quota, a 5,000-node limit and a 200 ms lock timeout");
    let fs = MemFs::builder()
        .quota(parse_size("1M")?)
        .max_nodes(5_000)
        .lock_timeout(Some(Duration::from_millis(200)))
        .build()?;
    println!("   {}", fs.stats());

    step("2. Directories and whole files, std::fs style");
    fs.create_dir_all("/app/config")?;
    fs.write(
        "/app/config/settings.toml",
        "mode = \"fast\"\nretries = 3\n",
    )?;
    fs.write("/app/README", "hello")?;
    println!(
        "   read_to_string -> {:?}",
        fs.read_to_string("/app/config/settings.toml")?
    );
    for entry in fs.read_dir("/app")? {
        let entry = entry?;
        println!(
            "   read_dir /app -> {:<8} {:?}, {} bytes",
            entry.file_name(),
            entry.file_type(),
            entry.metadata().len()
        );
    }
    println!(
        "   paths are normalised: exists(\"app//config/../README/\") = {}",
        fs.exists("app//config/../README/")
    );

    step("3. Handles: Read, Write, Seek, positional I/O");
    let mut file = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/app/data.bin")?;
    file.write_all(b"0123456789")?;
    file.seek(SeekFrom::Start(4))?;
    let mut four = [0; 4];
    file.read_exact(&mut four)?;
    file.write_at(b"XY", 0)?;
    println!(
        "   wrote 10 bytes, read [4..8] = {:?}, patched the start",
        std::str::from_utf8(&four)?
    );
    drop(file); // a writable handle holds the file's lock until dropped
    println!(
        "   contents now {:?}",
        String::from_utf8(fs.read("/app/data.bin")?)?
    );

    step("4. The quota is hard: a write that does not fit writes nothing");
    let before = fs.stats().used;
    let err = fs.write("/app/huge.bin", vec![0u8; 2 << 20]).unwrap_err();
    println!("   error kind {:?}: {err}", err.kind());
    if let Some(Reason::QuotaExceeded {
        requested,
        available,
        ..
    }) = FsError::from_io(&err).map(FsError::reason)
    {
        println!("   typed payload: requested {requested} bytes, {available} available");
    }
    println!(
        "   used before {before} B, after {} B, /app/huge.bin exists: {}",
        fs.stats().used,
        fs.exists("/app/huge.bin")
    );

    step("5. Per-file locks: many readers or one writer, waits bounded by a timeout");
    let writer = fs.create("/app/lock.txt")?;
    let other = fs.clone();
    let started = Instant::now();
    let reader = thread::spawn(move || other.open("/app/lock.txt").map(drop));
    let outcome = reader.join().expect("reader thread");
    println!(
        "   another thread's open while a writer holds the file: {:?} after {} ms",
        outcome.map_err(|e| e.kind()),
        started.elapsed().as_millis()
    );
    drop(writer);
    println!(
        "   after the writer is dropped: open -> {:?}",
        fs.open("/app/lock.txt").map(|_| "ok")
    );
    let busy = fs.open("/app/README")?;
    println!(
        "   remove_file on an open file -> {:?}",
        fs.remove_file("/app/README").map_err(|e| e.kind())
    );
    drop(busy);

    step("6. Moving and copying");
    fs.rename("/app/README", "/app/README.md")?;
    fs.move_path("/app/data.bin", "/archive/2026/data.bin")?; // creates the parents
    let copied = fs.copy("/app/config/settings.toml", "/app/settings.bak")?;
    fs.copy_dir_all("/app", "/app-backup")?;
    println!("   renamed, moved (parents created), copied {copied} bytes, copied the /app tree");

    step("7. Walk (with pruning) and glob");
    let mut walk = fs.walk("/")?;
    while let Some(entry) = walk.next() {
        let entry = entry?;
        if entry.path() == "/app-backup" {
            walk.skip_current_dir();
            println!(
                "   {}{}/  (skipped)",
                "  ".repeat(entry.depth()),
                entry.file_name()
            );
            continue;
        }
        let slash = if entry.file_type().is_dir() && entry.depth() > 0 {
            "/"
        } else {
            ""
        };
        println!(
            "   {}{}{slash}",
            "  ".repeat(entry.depth()),
            entry.file_name()
        );
    }
    println!("   glob(\"/**/*.toml\") -> {:?}", fs.glob("/**/*.toml")?);

    step("8. Whole trees in and out");
    let exported = fs.export_tree("/app")?;
    println!("   export_tree(\"/app\") -> {} files", exported.len());
    let copy = MemFs::new();
    copy.import_tree(&exported)?;
    println!(
        "   import_tree into a fresh filesystem -> {} files",
        copy.stats().files
    );
    let dump = std::env::temp_dir().join(format!("dmemfs-tour-{}", std::process::id()));
    fs.export_to_dir("/app/config", &dump)?;
    for host_file in std::fs::read_dir(&dump)? {
        println!(
            "   export_to_dir(\"/app/config\") wrote {}",
            host_file?.path().display()
        );
    }
    std::fs::remove_dir_all(&dump)?;
    let bad = fs.import_tree([("/fine.txt", "x"), ("/app/README.md/oops", "y")]);
    println!(
        "   an import with one bad entry -> {:?}; /fine.txt exists: {}",
        bad.map_err(|e| e.kind()),
        fs.exists("/fine.txt")
    );

    step("9. Speed: 10,000 files of 4 KiB written and read back");
    let payload = vec![7u8; 4096];
    let mem = MemFs::with_quota(1 << 30);
    let started = Instant::now();
    for i in 0..10_000 {
        mem.write(format!("/f{i:05}"), &payload)?;
    }
    for i in 0..10_000 {
        assert_eq!(mem.read(format!("/f{i:05}"))?.len(), 4096);
    }
    let ours = started.elapsed();
    println!(
        "   dmemfs:                {:>8.2} ms",
        ours.as_secs_f64() * 1e3
    );
    if let Some(host) = host_speed(&payload)? {
        println!(
            "   std::fs on /dev/shm:   {:>8.2} ms  ({:.1}x slower)",
            host.as_secs_f64() * 1e3,
            host.as_secs_f64() / ours.as_secs_f64()
        );
    }

    println!("   (the full comparison with std::fs, vfs and rsfs: cargo bench -p dmemfs-bench)");

    step("10. Final usage");
    println!("   {}", fs.stats());
    match fs.write("/app/config", "x") {
        Err(e) if e.kind() == ErrorKind::IsADirectory => println!("   (errors name the path: {e})"),
        other => println!("   unexpected: {other:?}"),
    }
    Ok(())
}

/// The same workload on the kernel's RAM disk, for comparison (Linux only).
fn host_speed(payload: &[u8]) -> Result<Option<Duration>> {
    let shm = std::path::Path::new("/dev/shm");
    if !shm.is_dir() {
        return Ok(None);
    }
    let dir = shm.join(format!("dmemfs-tour-{}", std::process::id()));
    std::fs::create_dir(&dir)?;
    let started = Instant::now();
    for i in 0..10_000 {
        std::fs::write(dir.join(format!("f{i:05}")), payload)?;
    }
    for i in 0..10_000 {
        assert_eq!(std::fs::read(dir.join(format!("f{i:05}")))?.len(), 4096);
    }
    let took = started.elapsed();
    std::fs::remove_dir_all(&dir)?;
    Ok(Some(took))
}

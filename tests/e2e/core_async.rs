//! `AsyncMemFs` and `AsyncMemFile` (feature `tokio`): Tokio's I/O traits, errors, and waiting
//! for a file lock without blocking the runtime.

use std::io::{ErrorKind, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering::SeqCst};
use std::time::{Duration, Instant};

use dmemfs_core::{
    AsyncMemFile, AsyncMemFs, FsError, MemFs, Op, Reason,
    fault::{Call, FaultInjector, Verdict},
};
use dmemfs_test::with_memfs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::common::expect_err;

fn async_fs(quota: u64, lock_timeout: Duration) -> AsyncMemFs {
    AsyncMemFs::new(
        MemFs::builder()
            .quota(quota)
            .lock_timeout(Some(lock_timeout))
            .build()
            .unwrap(),
    )
}

/// Counts timer ticks until told to stop: proof that the runtime's thread keeps running.
fn ticker(stop: Arc<AtomicBool>, ticks: Arc<AtomicU32>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while !stop.load(SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
            ticks.fetch_add(1, SeqCst);
        }
    })
}

#[test]
fn futures_are_send_so_tasks_can_be_spawned() {
    fn send<T: Send>(_: &T) {}
    let fs = AsyncMemFs::default();
    let contents = vec![1u8];
    send(&fs.write("/a", &contents));
    send(&fs.read("/a"));
    send(&fs.copy("/a", String::from("/b")));
    send(&fs.walk("/"));
    send(&fs.options().read(true).open("/a"));
}

#[tokio::test]
async fn round_trips_through_the_io_traits() {
    let fs = AsyncMemFs::default();
    fs.create_dir_all("/data").await.unwrap();
    let mut file = fs
        .options()
        .read(true)
        .write(true)
        .create(true)
        .open("/data/f.bin")
        .await
        .unwrap();
    file.write_all(b"hello world").await.unwrap();
    file.flush().await.unwrap();
    assert_eq!(file.seek(SeekFrom::Start(6)).await.unwrap(), 6);
    let mut word = [0; 5];
    file.read_exact(&mut word).await.unwrap();
    assert_eq!(&word, b"world");
    assert_eq!(file.seek(SeekFrom::End(-11)).await.unwrap(), 0);
    file.write_all(b"HELLO").await.unwrap();
    assert_eq!(file.stream_position().await.unwrap(), 5);
    let mut rest = String::new();
    file.read_to_string(&mut rest).await.unwrap();
    assert_eq!(rest, " world");
    // Reading at the end gives 0 bytes, as for any reader.
    assert_eq!(file.read(&mut [0; 4]).await.unwrap(), 0);
    file.shutdown().await.unwrap();
    drop(file);
    assert_eq!(fs.read("/data/f.bin").await.unwrap(), b"HELLO world");

    let mut log = fs
        .options()
        .append(true)
        .create(true)
        .open("/data/log")
        .await
        .unwrap();
    log.write_all(b"a").await.unwrap();
    log.seek(SeekFrom::Start(0)).await.unwrap();
    log.write_all(b"b").await.unwrap();
    drop(log);
    fs.append("/data/log", "c").await.unwrap();
    assert_eq!(fs.read_to_string("/data/log").await.unwrap(), "abc");
    assert_eq!(fs.stats().open_handles, 0);
}

#[tokio::test]
async fn tokio_io_copy_between_two_handles() {
    let fs = AsyncMemFs::default();
    let contents: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    fs.write("/src.bin", &contents).await.unwrap();
    let mut src = fs.open("/src.bin").await.unwrap();
    let mut dst = fs.create("/dst.bin").await.unwrap();
    let copied = tokio::io::copy(&mut src, &mut dst).await.unwrap();
    assert_eq!(copied, contents.len() as u64);
    assert_eq!(dst.metadata().await.unwrap().len(), copied);
    drop((src, dst));
    assert_eq!(fs.read("/dst.bin").await.unwrap(), contents);
    assert_eq!(fs.as_std().stats().used, 2 * copied);
}

#[tokio::test]
async fn the_filesystem_operations() {
    let fs = AsyncMemFs::default();
    fs.create_dir("/a").await.unwrap();
    fs.create_dir_all("/a/b/c").await.unwrap();
    fs.write("/a/b/one.txt", "1").await.unwrap();
    assert_eq!(fs.copy("/a/b/one.txt", "/a/two.txt").await.unwrap(), 1);
    fs.rename("/a/two.txt", "/a/2.txt").await.unwrap();
    fs.move_path("/a/2.txt", "/z/y/2.txt").await.unwrap();
    fs.copy_dir_all("/a", "/copy").await.unwrap();
    assert_eq!(
        fs.glob("/**/*.txt").await.unwrap(),
        ["/a/b/one.txt", "/copy/b/one.txt", "/z/y/2.txt"]
    );
    let walked: Vec<String> = fs
        .walk("/copy")
        .await
        .unwrap()
        .iter()
        .map(|e| e.path().to_owned())
        .collect();
    assert_eq!(walked, ["/copy", "/copy/b", "/copy/b/c", "/copy/b/one.txt"]);
    let names: Vec<String> = fs
        .read_dir("/")
        .await
        .unwrap()
        .map(|e| e.unwrap().file_name().to_owned())
        .collect();
    assert_eq!(names, ["a", "copy", "z"]);
    assert!(fs.metadata("/a/b").await.unwrap().is_dir());
    assert_eq!(fs.export_tree("/z").await.unwrap()["/z/y/2.txt"], b"1");
    fs.remove_file("/z/y/2.txt").await.unwrap();
    fs.remove_dir("/z/y").await.unwrap();
    fs.remove_dir_all("/copy").await.unwrap();
    assert!(fs.is_dir("/z").await && !fs.exists("/copy").await && fs.is_file("/a/b/one.txt").await);

    // Handles: set_len charges the quota, sync_* succeed, the MemFile is reachable.
    let file = fs.create("/len").await.unwrap();
    file.set_len(10).await.unwrap();
    file.sync_all().await.unwrap();
    file.sync_data().await.unwrap();
    file.as_std().write_at(b"!", 9).unwrap();
    assert_eq!(file.path(), "/len");
    let file: AsyncMemFile = file.into_std().into();
    assert_eq!(file.metadata().await.unwrap().len(), 10);
    drop(file);
    assert_eq!(fs.stats().used, 11);
    let sync: MemFs = fs.clone().into();
    assert_eq!(sync.read("/len").unwrap()[9], b'!');
}

#[tokio::test]
async fn errors_carry_kind_operation_and_path() {
    let fs = AsyncMemFs::new(MemFs::with_quota(8));
    let err = expect_err(fs.read("/missing.txt").await, ErrorKind::NotFound);
    assert_eq!((err.op(), err.path()), (Op::Read, "/missing.txt"));
    let err = expect_err(fs.open("/").await, ErrorKind::IsADirectory);
    assert_eq!((err.op(), err.path()), (Op::Open, "/"));
    let err = expect_err(fs.rename("/nope", "/other").await, ErrorKind::NotFound);
    assert_eq!((err.path(), err.target()), ("/nope", Some("/other")));
    expect_err(fs.create_dir("/..").await, ErrorKind::InvalidInput);
    fs.write("/a", "1234").await.unwrap();
    expect_err(
        fs.options().write(true).create_new(true).open("/a").await,
        ErrorKind::AlreadyExists,
    );

    // Through the I/O traits: wrong mode, quota, a bad seek. Failed writes write nothing.
    let mut reader = fs.open("/a").await.unwrap();
    let err = expect_err(reader.write_all(b"x").await, ErrorKind::Unsupported);
    assert_eq!((err.op(), err.path()), (Op::Write, "/a"));
    let err = expect_err(
        reader.seek(SeekFrom::Current(-1)).await,
        ErrorKind::InvalidInput,
    );
    assert_eq!(err.op(), Op::Seek);
    drop(reader);
    let mut writer = fs.options().append(true).open("/a").await.unwrap();
    let err = expect_err(writer.write_all(b"56789").await, ErrorKind::StorageFull);
    assert!(matches!(
        err.reason(),
        Reason::QuotaExceeded {
            requested: 5,
            available: 4,
            ..
        }
    ));
    drop(writer);
    assert_eq!(fs.read("/a").await.unwrap(), b"1234");
}

#[tokio::test] // current_thread: one thread runs every task
async fn a_waiting_open_leaves_the_runtime_running() {
    let fs = async_fs(1 << 20, Duration::from_secs(10));
    let mut writer = fs.create("/shared.txt").await.unwrap();
    writer
        .write_all(b"written before the reader")
        .await
        .unwrap();

    let opener = tokio::spawn({
        let fs = fs.clone();
        async move {
            let started = Instant::now();
            let mut file = fs.open("/shared.txt").await?;
            let mut text = String::new();
            file.read_to_string(&mut text).await?;
            std::io::Result::Ok((text, started.elapsed()))
        }
    });
    // A third task's timers fire, and other files can be used, while the open waits. Were the
    // open blocking this thread, neither could happen before its 10 s timeout.
    let (stop, ticks) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU32::new(0)),
    );
    let ticking = ticker(Arc::clone(&stop), Arc::clone(&ticks));
    tokio::time::sleep(Duration::from_millis(60)).await;
    fs.write("/other.txt", "meanwhile").await.unwrap();
    assert!(!opener.is_finished(), "the open must wait for the writer");
    assert!(
        ticks.load(SeqCst) >= 1,
        "the runtime must keep running tasks"
    );
    assert_eq!(fs.stats().open_handles, 1);

    drop(writer);
    let (text, waited) = opener.await.unwrap().unwrap();
    assert_eq!(text, "written before the reader");
    // It started waiting before the 60 ms sleep above ended.
    assert!(waited >= Duration::from_millis(40), "waited {waited:?}");
    stop.store(true, SeqCst);
    ticking.await.unwrap();
}

#[tokio::test]
async fn a_lock_timeout_gives_would_block_without_blocking_the_runtime() {
    let fs = async_fs(1 << 20, Duration::from_millis(100));
    let _writer = fs.create("/held").await.unwrap();
    let (stop, ticks) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU32::new(0)),
    );
    let ticking = ticker(Arc::clone(&stop), Arc::clone(&ticks));

    let started = Instant::now();
    let err = expect_err(fs.open("/held").await, ErrorKind::WouldBlock);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(100), "waited {waited:?}");
    assert_eq!((err.op(), err.path()), (Op::Open, "/held"));
    assert!(matches!(err.reason(), Reason::LockTimeout { .. }));
    // The same timeout, and the same error, for whole-file helpers.
    let err = expect_err(fs.read("/held").await, ErrorKind::WouldBlock);
    assert_eq!((err.op(), err.path()), (Op::Read, "/held"));
    let err = expect_err(fs.write("/held", "x").await, ErrorKind::WouldBlock);
    assert_eq!((err.op(), err.path()), (Op::Write, "/held"));
    let err = expect_err(fs.copy("/held", "/copy").await, ErrorKind::WouldBlock);
    assert_eq!(err.op(), Op::Copy);
    // An explicit timeout on the options wins over the filesystem's.
    let started = Instant::now();
    expect_err(
        fs.options()
            .read(true)
            .lock_timeout(Some(Duration::from_millis(20)))
            .open("/held")
            .await,
        ErrorKind::WouldBlock,
    );
    assert!(started.elapsed() < Duration::from_millis(100));

    stop.store(true, SeqCst);
    ticking.await.unwrap();
    assert!(ticks.load(SeqCst) >= 5, "ticks: {}", ticks.load(SeqCst));
    assert!(!fs.exists("/copy").await);
    assert!(fs.as_std().peek("/held").unwrap().is_empty());
}

#[tokio::test]
async fn whole_file_helpers_wait_for_the_writer_then_complete() {
    let fs = async_fs(1 << 20, Duration::from_secs(10));
    fs.write("/f", "old").await.unwrap();
    let writer = fs.options().write(true).open("/f").await.unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(40)).await;
        drop(writer);
    });
    // Each waits on the blocking pool until the writer is gone, then runs as one atomic step.
    let (written, appended, read) =
        tokio::join!(fs.write("/f", "new"), fs.append("/g", "g"), async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            fs.copy("/f", "/h").await
        });
    written.unwrap();
    appended.unwrap();
    assert_eq!(read.unwrap(), 3);
    release.await.unwrap();
    assert_eq!(fs.read_to_string("/f").await.unwrap(), "new");
    assert_eq!(fs.stats().used, 3 + 1 + 3);
}

#[derive(Debug, Default)]
struct SlowWrites {
    calls: AtomicU32,
}

impl FaultInjector for SlowWrites {
    fn on_call(&self, call: &Call<'_>) -> Verdict {
        if call.op == Op::Write && !call.handle {
            self.calls.fetch_add(1, SeqCst);
            return Verdict::Delay(Duration::from_millis(80));
        }
        Verdict::Proceed
    }
}

#[tokio::test]
async fn with_a_fault_injector_a_delay_sleeps_off_the_runtime() {
    let fs = AsyncMemFs::default();
    let injector = Arc::new(SlowWrites::default());
    fs.as_std()
        .set_fault_injector(Some(Arc::clone(&injector) as Arc<dyn FaultInjector>));
    let (stop, ticks) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU32::new(0)),
    );
    let ticking = ticker(Arc::clone(&stop), Arc::clone(&ticks));
    fs.write("/slow", "x").await.unwrap();
    stop.store(true, SeqCst);
    ticking.await.unwrap();
    assert!(ticks.load(SeqCst) >= 3, "ticks: {}", ticks.load(SeqCst));
    // Consulted once: the operation ran once, on the blocking pool.
    assert_eq!(injector.calls.load(SeqCst), 1);
    assert_eq!(fs.read("/slow").await.unwrap(), b"x");
}

#[test]
fn outside_a_tokio_runtime_a_contended_lock_is_waited_for_in_place() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    let fs = async_fs(1 << 20, Duration::from_millis(30));
    let writer = fs.as_std().create("/held").unwrap();
    let mut open = std::pin::pin!(fs.open("/held"));
    let started = Instant::now();
    let polled = open.as_mut().poll(&mut Context::from_waker(Waker::noop()));
    let Poll::Ready(result) = polled else {
        panic!("without a runtime, the operation completes in one poll");
    };
    assert!(started.elapsed() >= Duration::from_millis(30));
    expect_err(result, ErrorKind::WouldBlock);
    drop(writer);
}

#[with_memfs(quota = "1K", lock_timeout = "100ms")]
#[tokio::test]
async fn works_with_the_harness(fs: MemFs) {
    let afs = AsyncMemFs::new(fs.clone());
    let mut file = afs.create("/report.txt").await.unwrap();
    file.write_all(b"ok").await.unwrap();
    // The harness's lock timeout applies: a second writer gives up after 100 ms.
    let err = expect_err(afs.create("/report.txt").await, ErrorKind::WouldBlock);
    assert_eq!(err.path(), "/report.txt");
    drop(file);
    assert_eq!(fs.read("/report.txt").unwrap(), b"ok");
    expect_err(
        afs.write("/big", vec![0; 2048]).await,
        ErrorKind::StorageFull,
    );
}

#[with_memfs(lock_timeout = "5s")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_one_file_on_a_multi_thread_runtime(fs: MemFs) {
    let afs = AsyncMemFs::from(fs);
    afs.write("/counter", "").await.unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let afs = afs.clone();
            tokio::spawn(async move {
                let mut file = afs.options().append(true).open("/counter").await?;
                file.write_all(format!("{i};").as_bytes()).await?;
                tokio::task::yield_now().await;
                file.write_all(b"|").await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    // Each writer held the file alone: its two writes are adjacent.
    let text = afs.read_to_string("/counter").await.unwrap();
    let mut seen: Vec<u32> = text
        .split_terminator('|')
        .map(|part| part.strip_suffix(';').unwrap().parse().unwrap())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..16).collect::<Vec<_>>());
    assert!(FsError::from_io(&afs.read("/none").await.unwrap_err()).is_some());
}

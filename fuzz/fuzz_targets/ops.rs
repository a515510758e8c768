//! Arbitrary sequences of operations, handles included, on a tiny quota and node limit:
//! never a panic, the accounting exact after every step, failed steps change nothing.

#![no_main]

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use arbitrary::Arbitrary;
use dmemfs_core::{MemFile, MemFs};
use libfuzzer_sys::fuzz_target;

#[path = "check.rs"]
mod check;

#[derive(Arbitrary, Debug)]
enum Step {
    CreateDir(u8),
    CreateDirAll(u8),
    RemoveDir(u8),
    RemoveDirAll(u8),
    RemoveFile(u8),
    Write(u8, Vec<u8>),
    Append(u8, Vec<u8>),
    Read(u8),
    Rename(u8, u8),
    Move(u8, u8),
    Copy(u8, u8),
    CopyDirAll(u8, u8),
    Import(u8, Vec<u8>),
    Open { path: u8, read: bool, write: bool, append: bool, truncate: bool, create: bool, create_new: bool, preallocate: u16 },
    HandleWrite(Vec<u8>),
    HandleRead(u16),
    HandleSeek(i32, u8),
    HandleSetLen(u32),
    HandleWriteAt(u32, Vec<u8>),
    Close,
}

const PATHS: [&str; 8] = ["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z", "/c", "/a/b/c/d"];

fn path(i: u8) -> &'static str {
    PATHS[usize::from(i) % PATHS.len()]
}

fuzz_target!(|steps: Vec<Step>| {
    let fs = MemFs::builder().quota(2048).max_nodes(12).lock_timeout(Some(Duration::ZERO)).build().unwrap();
    let mut handle: Option<MemFile> = None;
    for step in steps.iter().take(64) {
        let before = check::state(&fs);
        let ok = match step {
            Step::CreateDir(p) => fs.create_dir(path(*p)).is_ok(),
            Step::CreateDirAll(p) => fs.create_dir_all(path(*p)).is_ok(),
            Step::RemoveDir(p) => fs.remove_dir(path(*p)).is_ok(),
            Step::RemoveDirAll(p) => fs.remove_dir_all(path(*p)).is_ok(),
            Step::RemoveFile(p) => fs.remove_file(path(*p)).is_ok(),
            Step::Write(p, b) => fs.write(path(*p), b).is_ok(),
            Step::Append(p, b) => fs.append(path(*p), b).is_ok(),
            Step::Read(p) => fs.read(path(*p)).is_ok(),
            Step::Rename(a, b) => fs.rename(path(*a), path(*b)).is_ok(),
            Step::Move(a, b) => fs.move_path(path(*a), path(*b)).is_ok(),
            Step::Copy(a, b) => fs.copy(path(*a), path(*b)).is_ok(),
            Step::CopyDirAll(a, b) => fs.copy_dir_all(path(*a), path(*b)).is_ok(),
            Step::Import(p, b) => fs.import_tree([(path(*p), b)]).is_ok(),
            Step::Open { path: p, read, write, append, truncate, create, create_new, preallocate } => {
                handle = None;
                let before = check::state(&fs);
                let opened = fs
                    .options()
                    .read(*read)
                    .write(*write)
                    .append(*append)
                    .truncate(*truncate)
                    .create(*create)
                    .create_new(*create_new)
                    .preallocate(u64::from(*preallocate))
                    .open(path(*p));
                match opened {
                    Ok(file) => {
                        handle = Some(file);
                        check::assert_invariants(&fs);
                        continue;
                    }
                    Err(_) => {
                        assert_eq!(check::state(&fs), before, "a failed open changed the filesystem");
                        continue;
                    }
                }
            }
            Step::Close => {
                handle = None;
                true
            }
            other => match &mut handle {
                None => true,
                Some(file) => match other {
                    Step::HandleWrite(b) => file.write(b).is_ok(),
                    Step::HandleRead(n) => file.read(&mut vec![0; usize::from(*n)]).is_ok(),
                    Step::HandleSeek(delta, whence) => {
                        let pos = match whence % 3 {
                            0 => SeekFrom::Start(delta.unsigned_abs().into()),
                            1 => SeekFrom::Current((*delta).into()),
                            _ => SeekFrom::End((*delta).into()),
                        };
                        file.seek(pos).is_ok()
                    }
                    Step::HandleSetLen(len) => file.set_len((*len).into()).is_ok(),
                    Step::HandleWriteAt(offset, b) => file.write_at(b, (*offset).into()).is_ok(),
                    _ => unreachable!(),
                },
            },
        };
        if !ok {
            assert_eq!(check::state(&fs), before, "failed step {step:?} changed the filesystem");
        }
        check::assert_invariants(&fs);
    }
});

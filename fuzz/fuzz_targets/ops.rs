//! Arbitrary sequences of operations, handles and links included, on a tiny quota and node
//! limit, in both open-file semantics: never a panic, the accounting exact after every step,
//! failed steps change nothing.

#![no_main]

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::Duration;

use arbitrary::Arbitrary;
use dmemfs_core::{MemFile, MemFs, Permissions, Semantics};
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
    HardLink(u8, u8),
    Symlink(u8, u8),
    ReadLink(u8),
    SymlinkMetadata(u8),
    SetPermissions(u8, u16),
}

const PATHS: [&str; 9] = ["/a", "/b", "/a/x", "/a/y", "/b/x", "/a/x/z", "/c", "/a/b/c/d", "/l"];

fn path(i: u8) -> &'static str {
    PATHS[usize::from(i) % PATHS.len()]
}

/// Link targets: relative, absolute, dangling, looping, climbing.
const TARGETS: [&str; 6] = ["a", "/a/x", "x", "../b", "/c", "/l"];

fuzz_target!(|input: (bool, Vec<Step>)| {
    let (posix, steps) = input;
    let semantics = if posix { Semantics::Posix } else { Semantics::Locked };
    let fs = MemFs::builder()
        .quota(2048)
        .max_nodes(12)
        .lock_timeout(Some(Duration::ZERO))
        .semantics(semantics)
        .build()
        .unwrap();
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
            Step::HardLink(a, b) => fs.hard_link(path(*a), path(*b)).is_ok(),
            Step::Symlink(t, p) => fs.symlink(TARGETS[usize::from(*t) % TARGETS.len()], path(*p)).is_ok(),
            Step::ReadLink(p) => fs.read_link(path(*p)).is_ok(),
            Step::SymlinkMetadata(p) => fs.symlink_metadata(path(*p)).is_ok(),
            Step::SetPermissions(p, mode) => fs.set_permissions(path(*p), Permissions::from_mode((*mode).into())).is_ok(),
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
                        check::assert_invariants(&fs, handle.as_ref());
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
        check::assert_invariants(&fs, handle.as_ref());
    }
});

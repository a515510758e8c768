//! The view compared after every step: the metadata of every path a sequence can create and of
//! every open handle, which of them are the same inode, and the bytes live inodes hold.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::ops::{Handle, Host, Mem, Meta, NAMES, Stamp};
use super::rules::{self, Run};

/// One side's view.
#[derive(Debug)]
pub(super) struct View {
    /// Each possible path, with its metadata if it exists.
    pub(super) paths: Vec<(String, Option<Meta>)>,
    /// Each handle slot's file, if one is open.
    pub(super) handles: Vec<Option<Meta>>,
    /// For each existing path, then each open handle: the position of the first of them with
    /// the same inode number (two objects are the same inode iff their entries are equal).
    pub(super) same_inode: Vec<usize>,
    /// The summed lengths of the distinct file inodes seen: named, or held by a handle.
    pub(super) live_bytes: u64,
    /// Distinct file inodes that have a name, and directories (the root included).
    pub(super) named_files: u64,
    pub(super) dirs: u64,
}

impl View {
    fn build(paths: Vec<(String, Option<(u64, Meta)>)>, handles: Vec<Option<(u64, Meta)>>) -> View {
        let mut first: HashMap<u64, usize> = HashMap::new();
        let mut same_inode = Vec::new();
        let mut sizes: BTreeMap<u64, u64> = BTreeMap::new();
        let (mut named_files, mut dirs) = (0, 0);
        let objects = paths
            .iter()
            .map(|(_, m)| (m, true))
            .chain(handles.iter().map(|m| (m, false)));
        for (found, named) in objects {
            let Some((ino, meta)) = found else { continue };
            let position = same_inode.len();
            let class = *first.entry(*ino).or_insert(position);
            same_inode.push(class);
            if meta.is_dir {
                dirs += u64::from(named);
            } else {
                let new = sizes.insert(*ino, meta.len.unwrap_or(0)).is_none();
                named_files += u64::from(new && named);
            }
        }
        View {
            paths: paths
                .into_iter()
                .map(|(p, m)| (p, m.map(|(_, meta)| meta)))
                .collect(),
            handles: handles
                .into_iter()
                .map(|m| m.map(|(_, meta)| meta))
                .collect(),
            same_inode,
            live_bytes: sizes.values().sum(),
            named_files,
            dirs,
        }
    }

    pub(super) fn host(host: &Host, paths: &[String]) -> View {
        use std::os::unix::fs::MetadataExt;
        let paths = paths
            .iter()
            .cloned()
            .map(|p| {
                // `lstat`: leaves access times alone.
                let found = std::fs::symlink_metadata(host.at(&p))
                    .ok()
                    .map(|m| (m.ino(), Meta::host(&m)));
                (p, found)
            })
            .collect();
        let handles = host
            .files
            .iter()
            .map(|f| f.as_ref().map(|f| f.meta_().expect("fstat")))
            .collect();
        View::build(paths, handles)
    }

    pub(super) fn mem(mem: &Mem, paths: &[String]) -> View {
        let paths = paths
            .iter()
            .cloned()
            .map(|p| {
                let found = mem.fs.metadata(&p).ok().map(|m| (m.ino(), Meta::mem(&m)));
                (p, found)
            })
            .collect();
        let handles = mem
            .files
            .iter()
            .map(|f| f.as_ref().map(|f| f.meta_().expect("handle metadata")))
            .collect();
        View::build(paths, handles)
    }
}

/// The paths the views inspect: every path dmemfs has, and each name a step can use in each of
/// its directories (where a path only the host has would show first). Listing the host's
/// directories would replace their access times.
pub(super) fn paths_to_inspect(mem: &Mem) -> Vec<String> {
    let mut paths = BTreeSet::new();
    for entry in mem.fs.walk("/").expect("walk") {
        let entry = entry.expect("walk entry");
        if entry.file_type().is_dir() {
            let prefix = entry.path().trim_end_matches('/');
            paths.extend(NAMES.iter().map(|name| format!("{prefix}/{name}")));
        }
        paths.insert(entry.path().to_owned());
    }
    paths.into_iter().collect()
}

/// Records what a dmemfs view shows that the POSIX run exists to exercise, so that a test can
/// tell that its sequences reach those states.
pub(super) fn note_coverage(run: Run, view: &View) {
    let handles: Vec<&Meta> = view.handles.iter().flatten().collect();
    let paths: Vec<&Meta> = view.paths.iter().filter_map(|(_, m)| m.as_ref()).collect();
    let named = view.same_inode.len() - handles.len();
    let handle_classes = &view.same_inode[named..];
    let seen = [
        (
            "handle on an unlinked file",
            handles.iter().any(|m| m.nlink == 0),
        ),
        (
            "two handles on one file",
            (1..handle_classes.len()).any(|i| handle_classes[..i].contains(&handle_classes[i])),
        ),
        (
            "hard-linked file",
            paths.iter().any(|m| !m.is_dir && m.nlink > 1),
        ),
        (
            "explicit modification time",
            paths
                .iter()
                .chain(&handles)
                .any(|m| matches!(m.modified, Stamp::Explicit(_))),
        ),
    ];
    for (what, yes) in seen {
        if yes {
            rules::count(run, format!("seen:{what}"));
        }
    }
}

/// Compares the two views, `NOATIME` applied; `Err` names the first difference.
pub(super) fn compare(run: Run, mem: &View, host: &View) -> Result<(), String> {
    for ((path, ours), (_, theirs)) in mem.paths.iter().zip(&host.paths) {
        if !rules::same_meta(run, ours.as_ref(), theirs.as_ref()) {
            return Err(format!(
                "metadata of {path}: dmemfs {ours:?}, Linux {theirs:?}"
            ));
        }
    }
    for (slot, (ours, theirs)) in mem.handles.iter().zip(&host.handles).enumerate() {
        if !rules::same_meta(run, ours.as_ref(), theirs.as_ref()) {
            return Err(format!(
                "metadata of handle {slot}: dmemfs {ours:?}, Linux {theirs:?}"
            ));
        }
    }
    if mem.same_inode != host.same_inode {
        return Err(format!(
            "inode identity differs (paths, then handles; each names the first object with its \
             inode):\n dmemfs: {:?}\n Linux:  {:?}",
            mem.same_inode, host.same_inode
        ));
    }
    if mem.live_bytes != host.live_bytes {
        return Err(format!(
            "live bytes: dmemfs {}, Linux {}",
            mem.live_bytes, host.live_bytes
        ));
    }
    Ok(())
}

/// The accounting invariant on the dmemfs side: `used` is the sum of the lengths of the
/// distinct live file inodes, named or held open (orphans); the counts are of named inodes.
pub(super) fn check_accounting(mem: &Mem, view: &View) -> Result<(), String> {
    let stats = mem.fs.stats();
    let expected = (view.live_bytes, view.named_files, view.dirs);
    let got = (stats.used, stats.files, stats.dirs);
    if got != expected {
        return Err(format!(
            "stats (used, files, dirs) = {got:?}, but the live inodes give {expected:?}"
        ));
    }
    if stats.used + stats.free != stats.quota || stats.peak_used < stats.used {
        return Err(format!("inconsistent stats: {stats:?}"));
    }
    if stats.nodes != stats.files + stats.dirs {
        return Err(format!("nodes != files + dirs: {stats:?}"));
    }
    let open = mem.files.iter().filter(|f| f.is_some()).count() as u64;
    if stats.open_handles != open {
        return Err(format!(
            "{} open handles reported, {open} held",
            stats.open_handles
        ));
    }
    Ok(())
}

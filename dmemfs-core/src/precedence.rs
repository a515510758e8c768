//! The order in which an operation checks its arguments, where `MemFs` and `OsFs` check them
//! separately: written once here so that both report the same kind for the same bad call
//! (when several things are wrong, the first check decides).

use crate::error::Reason;

/// `copy_dir_all`'s checks before anything is copied: the source first (missing: its
/// resolution's reason; not a directory: `NotADirectory`), then the destination (the root,
/// or anything already there: `AlreadyExists`).
///
/// `source_is_dir` is how the source resolved; `dest_exists` is asked only once the source
/// passed, and must not follow a symbolic link at the destination (a link is something there).
/// The error is the caller's own (an `OsFs` keeps the OS error behind a reason).
pub(crate) fn copy_dir_all<E: From<Reason>>(
    source_is_dir: Result<bool, E>,
    to: &str,
    dest_exists: impl FnOnce() -> bool,
) -> Result<(), E> {
    if !source_is_dir? {
        return Err(Reason::NotADirectory.into());
    }
    if to == "/" || dest_exists() {
        return Err(Reason::AlreadyExists.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_is_checked_before_the_destination() {
        let missing = || Err(Reason::NotFound);
        let never = || -> bool { panic!("the destination is asked only after the source") };
        assert_eq!(copy_dir_all(missing(), "/", never), Err(Reason::NotFound));
        assert_eq!(
            copy_dir_all(Ok(false), "/", never),
            Err(Reason::NotADirectory)
        );
        assert_eq!(
            copy_dir_all(Ok(true), "/", || false),
            Err(Reason::AlreadyExists)
        );
        assert_eq!(
            copy_dir_all(Ok(true), "/x", || true),
            Err(Reason::AlreadyExists)
        );
        assert_eq!(copy_dir_all::<Reason>(Ok(true), "/x", || false), Ok(()));
    }
}

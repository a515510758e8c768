//! Compile-time checks of `#[with_memfs]`'s sizes and durations. The attribute emits a `const`
//! that calls these on the literal as written and panics with the message on error, spanned
//! on that literal: a bad value is a compile error there, read by dmemfs-core's parsers (the
//! runtime's `parse_size` among them) rather than by a second copy inside the macro.

// The error is a message buffer, returned by value: these run in constants, which cannot
// box, and never at run time, where the size would matter.
#![allow(clippy::result_large_err)]

use core::time::Duration;

use dmemfs_core::__private::{
    DURATION_EXPECTED, DURATION_UNITS, DurationProblem, SIZE_EXPECTED, SIZE_UNITS, SizeProblem,
    parse_duration_const, parse_size_const,
};

/// Room for an error message: constants cannot allocate. A longer message is cut at a whole
/// piece and ends with `...`.
const CAPACITY: usize = 512;

/// An error message built in a constant, for `panic!("{}", message.as_str())`.
#[derive(Debug)]
pub struct Message {
    bytes: [u8; CAPACITY],
    len: usize,
    full: bool,
}

impl Message {
    const fn new() -> Message {
        Message {
            bytes: [0; CAPACITY],
            len: 0,
            full: false,
        }
    }

    /// Appends `piece` whole, or `...` once it no longer fits (never half a character).
    const fn push(mut self, piece: &str) -> Message {
        let piece = piece.as_bytes();
        if self.full {
            return self;
        }
        if self.len + piece.len() > CAPACITY - 3 {
            self.full = true;
            return self.push_bytes(b"...");
        }
        self.push_bytes(piece)
    }

    const fn push_bytes(mut self, piece: &[u8]) -> Message {
        let mut i = 0;
        while i < piece.len() {
            self.bytes[self.len] = piece[i];
            self.len += 1;
            i += 1;
        }
        self
    }

    /// The message so far.
    ///
    /// ```
    /// const MESSAGE: &str = match dmemfs_test::__private::quota("32Q", false) {
    ///     Ok(_) => "",
    ///     Err(_) => "refused",
    /// };
    /// assert_eq!(MESSAGE, "refused");
    /// let message = dmemfs_test::__private::quota("32Q", false).unwrap_err();
    /// assert!(message.as_str().starts_with("quota `32Q`: unknown unit `Q`"));
    /// ```
    pub const fn as_str(&self) -> &str {
        // Only whole `&str`s are pushed, so this never fails.
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "",
        }
    }

    /// `` argument `text`: `` the start of every message.
    const fn about(argument: &str, text: &str) -> Message {
        Message::new()
            .push(argument)
            .push(" `")
            .push(text)
            .push("`: ")
    }
}

/// The bytes `from..to` of `text` (offsets from the parsers, on character boundaries).
const fn slice(text: &str, from: usize, to: usize) -> &str {
    let (head, _) = text.as_bytes().split_at(to);
    match core::str::from_utf8(head.split_at(from).1) {
        Ok(part) => part,
        Err(_) => "",
    }
}

/// `#[with_memfs(quota = ..)]`: the size in bytes, read by `dmemfs_core::parse_size`'s parser.
/// With a `seed`, a zero quota cannot hold the seed's files.
///
/// ```
/// const QUOTA: u64 = match dmemfs_test::__private::quota("32M", false) {
///     Ok(bytes) => bytes,
///     Err(message) => panic!("{}", message.as_str()),
/// };
/// assert_eq!(QUOTA, 32 << 20);
/// ```
///
/// # Errors
/// What is wrong, naming the argument and quoting the text.
pub const fn quota(text: &str, seeded: bool) -> Result<u64, Message> {
    let problem = match parse_size_const(text) {
        Ok(0) if seeded => {
            return Err(Message::about("quota", text).push(
                "a quota of 0 bytes cannot hold the seed directory's files; raise the quota or drop `seed`",
            ));
        }
        Ok(bytes) => return Ok(bytes),
        Err(problem) => problem,
    };
    let message = Message::about("quota", text).push(problem.describe());
    Err(match problem {
        SizeProblem::UnknownUnit { at } => message
            .push(" `")
            .push(slice(text, at, text.len()).trim_ascii_end())
            .push("` (")
            .push(SIZE_UNITS)
            .push(")"),
        _ => message.push("; ").push(SIZE_EXPECTED),
    })
}

/// `#[with_memfs(lock_timeout = ..)]` and the memory guard's interval: the duration, read by
/// dmemfs-core's duration parser.
///
/// ```
/// use std::time::Duration;
///
/// const TIMEOUT: Duration = match dmemfs_test::__private::duration("lock_timeout", "250ms") {
///     Ok(timeout) => timeout,
///     Err(message) => panic!("{}", message.as_str()),
/// };
/// assert_eq!(TIMEOUT, Duration::from_millis(250));
/// ```
///
/// # Errors
/// What is wrong, naming `argument` and quoting the text.
pub const fn duration(argument: &str, text: &str) -> Result<Duration, Message> {
    let problem = match parse_duration_const(text) {
        Ok(duration) => return Ok(duration),
        Err(problem) => problem,
    };
    let message = Message::about(argument, text).push(problem.describe());
    Err(match problem {
        DurationProblem::UnknownUnit { at, end } => message
            .push(" `")
            .push(slice(text, at, end))
            .push("` (")
            .push(DURATION_UNITS)
            .push(")"),
        DurationProblem::NoNumber { at } => message
            .push(" `")
            .push(slice(text, at, text.len()))
            .push("`; ")
            .push(DURATION_EXPECTED),
        DurationProblem::NoUnit { at, end } => message
            .push(" `")
            .push(slice(text, at, end))
            .push("` (")
            .push(DURATION_UNITS)
            .push(")"),
        DurationProblem::Empty | DurationProblem::TooLarge | DurationProblem::TooPrecise => {
            message.push("; ").push(DURATION_EXPECTED)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(result: Result<impl core::fmt::Debug, Message>) -> String {
        result.unwrap_err().as_str().to_owned()
    }

    #[test]
    fn messages_name_the_argument_and_the_problem() {
        assert_eq!(
            error(quota("32Q", false)),
            format!("quota `32Q`: unknown unit `Q` ({SIZE_UNITS})")
        );
        assert!(error(quota("0.3K", false)).starts_with("quota `0.3K`: not a whole number"));
        assert!(error(quota(" 0 ", true)).contains("cannot hold the seed"));
        assert_eq!(quota("0", false).ok(), Some(0));
        assert_eq!(
            error(duration("lock_timeout", "100parsecs")),
            format!("lock_timeout `100parsecs`: unknown unit `parsecs` ({DURATION_UNITS})")
        );
        assert_eq!(
            error(duration("lock_timeout", "soon")),
            format!("lock_timeout `soon`: expected a number at `soon`; {DURATION_EXPECTED}")
        );
        assert!(error(duration("x", "100")).starts_with("x `100`: no unit after `100`"));
    }

    #[test]
    fn long_text_is_cut_at_a_whole_piece() {
        let long = "é".repeat(400);
        let message = error(quota(&long, false));
        assert!(message.len() <= CAPACITY);
        assert!(message.ends_with("..."), "{message}");
    }
}

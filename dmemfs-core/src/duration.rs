//! Human-readable durations (`"100ms"`, `"2s"`, `"1m 30s"`), read at compile time for
//! `#[with_memfs(lock_timeout = ..)]` and the memory guard's interval (through `dmemfs_test`).
//! A `const fn`, so that the attribute's check and the value it passes are one parser.

use std::time::Duration;

/// Why a duration did not parse. Byte offsets are into the text as given.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationProblem {
    /// Nothing but spaces.
    Empty,
    /// A number was expected at byte `at` (the start of a component).
    NoNumber {
        /// Where the number should start.
        at: usize,
    },
    /// A number, from byte `at` to `end`, with no unit after it.
    NoUnit {
        /// Where the number starts.
        at: usize,
        /// Where it ends.
        end: usize,
    },
    /// The unit from byte `at` to `end` is not one of [`DURATION_UNITS`].
    UnknownUnit {
        /// Where the unit starts.
        at: usize,
        /// Where it ends.
        end: usize,
    },
    /// Above `u64::MAX` seconds.
    TooLarge,
    /// A fraction finer than a nanosecond (`"1.5ns"`).
    TooPrecise,
}

impl DurationProblem {
    /// What is wrong, in a few words (the offending text is quoted by the caller).
    pub const fn describe(self) -> &'static str {
        match self {
            DurationProblem::Empty => "empty",
            DurationProblem::NoNumber { .. } => "expected a number at",
            DurationProblem::NoUnit { .. } => "no unit after",
            DurationProblem::UnknownUnit { .. } => "unknown unit",
            DurationProblem::TooLarge => "too large",
            DurationProblem::TooPrecise => "finer than a nanosecond",
        }
    }
}

/// The units a duration takes, for error messages.
#[doc(hidden)]
pub const DURATION_UNITS: &str = "use ns, us, ms, s, m, h, d, w, M or y";

/// What a duration looks like, for error messages.
#[doc(hidden)]
pub const DURATION_EXPECTED: &str = "expected a duration such as 100ms, 2s or 1m 30s";

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Units, case-sensitive (as humantime, which the attribute used before, read them), and their
/// lengths in nanoseconds.
const UNITS: [(&str, u128); 40] = {
    const S: u128 = NANOS_PER_SEC;
    // humantime's month and year: 30.44 and 365.25 days.
    const MONTH: u128 = 2_630_016 * S;
    const YEAR: u128 = 31_557_600 * S;
    [
        ("ns", 1),
        ("nsec", 1),
        ("nanos", 1),
        ("us", 1_000),
        ("µs", 1_000),
        ("usec", 1_000),
        ("ms", 1_000_000),
        ("msec", 1_000_000),
        ("millis", 1_000_000),
        ("s", S),
        ("sec", S),
        ("secs", S),
        ("second", S),
        ("seconds", S),
        ("m", 60 * S),
        ("min", 60 * S),
        ("mins", 60 * S),
        ("minute", 60 * S),
        ("minutes", 60 * S),
        ("h", 3_600 * S),
        ("hr", 3_600 * S),
        ("hrs", 3_600 * S),
        ("hour", 3_600 * S),
        ("hours", 3_600 * S),
        ("d", 86_400 * S),
        ("day", 86_400 * S),
        ("days", 86_400 * S),
        ("w", 7 * 86_400 * S),
        ("wk", 7 * 86_400 * S),
        ("wks", 7 * 86_400 * S),
        ("week", 7 * 86_400 * S),
        ("weeks", 7 * 86_400 * S),
        ("M", MONTH),
        ("month", MONTH),
        ("months", MONTH),
        ("y", YEAR),
        ("yr", YEAR),
        ("yrs", YEAR),
        ("year", YEAR),
        ("years", YEAR),
    ]
};

const fn unit_nanos(unit: &[u8]) -> Option<u128> {
    let mut i = 0;
    while i < UNITS.len() {
        let (name, nanos) = UNITS[i];
        let name = name.as_bytes();
        if name.len() == unit.len() {
            let mut j = 0;
            while j < name.len() && name[j] == unit[j] {
                j += 1;
            }
            if j == name.len() {
                return Some(nanos);
            }
        }
        i += 1;
    }
    None
}

/// Reads a duration as humantime does: one or more components, each a number (a fraction
/// allowed: `1.5s`) and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, `d`, `w`, `M` (30.44
/// days), `y` (365.25 days), and longer spellings such as `sec`, `min`, `hours`, `weeks`),
/// with optional spaces between and around them. `"1m 30s"` is 90 seconds.
///
/// ```
/// use dmemfs_core::__private::{DurationProblem, parse_duration_const};
/// use std::time::Duration;
///
/// const TIMEOUT: Duration = match parse_duration_const("1m 30s") {
///     Ok(duration) => duration,
///     Err(_) => panic!("bad duration"),
/// };
/// assert_eq!(TIMEOUT, Duration::from_secs(90));
/// assert_eq!(
///     parse_duration_const("100parsecs"),
///     Err(DurationProblem::UnknownUnit { at: 3, end: 10 })
/// );
/// ```
///
/// # Errors
/// A [`DurationProblem`] locating the offending part of the text.
pub const fn parse_duration_const(text: &str) -> Result<Duration, DurationProblem> {
    let bytes = text.as_bytes();
    let mut total: u128 = 0;
    let mut at = 0;
    let mut components = 0;
    loop {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at == bytes.len() {
            break;
        }
        let number_start = at;
        let mut number: u128 = 0;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            // Capped: anything this large is refused below anyway.
            if number < u64::MAX as u128 * NANOS_PER_SEC {
                number = number * 10 + (bytes[at] - b'0') as u128;
            }
            at += 1;
        }
        if at == number_start {
            return Err(DurationProblem::NoNumber { at });
        }
        // A fraction, as humantime reads one: "1.5s". Digits beyond 19 add nothing a
        // nanosecond could show; they are read and checked as digits only.
        let (mut fraction, mut scale): (u128, u128) = (0, 1);
        if at + 1 < bytes.len() && bytes[at] == b'.' && bytes[at + 1].is_ascii_digit() {
            at += 1;
            while at < bytes.len() && bytes[at].is_ascii_digit() {
                if scale < 10_000_000_000_000_000_000 {
                    fraction = fraction * 10 + (bytes[at] - b'0') as u128;
                    scale *= 10;
                } else if bytes[at] != b'0' {
                    return Err(DurationProblem::TooPrecise);
                }
                at += 1;
            }
        }
        let number_end = at;
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let unit_start = at;
        // A unit runs to the next digit or space: "1m30s" is "1m" then "30s".
        while at < bytes.len() && !bytes[at].is_ascii_whitespace() && !bytes[at].is_ascii_digit() {
            at += 1;
        }
        if at == unit_start {
            return Err(DurationProblem::NoUnit {
                at: number_start,
                end: number_end,
            });
        }
        let Some(nanos) = unit_nanos(bytes.split_at(at).0.split_at(unit_start).1) else {
            return Err(DurationProblem::UnknownUnit {
                at: unit_start,
                end: at,
            });
        };
        if fraction * nanos % scale != 0 {
            return Err(DurationProblem::TooPrecise);
        }
        total = match number.checked_mul(nanos) {
            Some(product) => product
                .saturating_add(fraction * nanos / scale)
                .saturating_add(total),
            None => return Err(DurationProblem::TooLarge),
        };
        if total / NANOS_PER_SEC > u64::MAX as u128 {
            return Err(DurationProblem::TooLarge);
        }
        components += 1;
    }
    if components == 0 {
        return Err(DurationProblem::Empty);
    }
    Ok(Duration::new(
        (total / NANOS_PER_SEC) as u64,
        (total % NANOS_PER_SEC) as u32,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_components() {
        let cases = [
            ("100ms", Duration::from_millis(100)),
            ("2s", Duration::from_secs(2)),
            (" 2 s ", Duration::from_secs(2)),
            ("5ns", Duration::from_nanos(5)),
            ("7us", Duration::from_micros(7)),
            ("7µs", Duration::from_micros(7)),
            ("3m", Duration::from_secs(180)),
            ("1h", Duration::from_secs(3600)),
            ("1d", Duration::from_secs(86_400)),
            ("1m 30s", Duration::from_secs(90)),
            ("1m30s", Duration::from_secs(90)),
            ("2 minutes 1sec", Duration::from_secs(121)),
            ("0s", Duration::ZERO),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration_const(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn accepts_what_humantime_accepted_before() {
        // `#[with_memfs(lock_timeout = "1week")]` and friends compiled before the change
        // (humantime 2.4); the comment on UNITS says the units are humantime's.
        let cases = [
            ("1week", Duration::from_secs(7 * 86_400)),
            ("2wk", Duration::from_secs(14 * 86_400)),
            ("500millis", Duration::from_millis(500)),
            ("10nanos", Duration::from_nanos(10)),
            ("1yr", Duration::from_secs(31_557_600)),
            ("1.5s", Duration::from_millis(1500)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration_const(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn problems_locate_the_text() {
        use DurationProblem::*;
        let cases = [
            ("", Empty),
            ("   ", Empty),
            ("soon", NoNumber { at: 0 }),
            ("1s soon", NoNumber { at: 3 }),
            ("100", NoUnit { at: 0, end: 3 }),
            ("100parsecs", UnknownUnit { at: 3, end: 10 }),
            ("5X", UnknownUnit { at: 1, end: 2 }),
            ("1.5ns", TooPrecise),
            ("1.0000000001s", TooPrecise),
            ("99999999999999999999999999s", TooLarge),
            ("18446744073709551616s", TooLarge),
        ];
        for (text, want) in cases {
            assert_eq!(parse_duration_const(text), Err(want), "{text}");
        }
        assert_eq!(
            parse_duration_const("18446744073709551615s"),
            Ok(Duration::from_secs(u64::MAX))
        );
    }
}

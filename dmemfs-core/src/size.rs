//! Human-readable byte sizes: `"32M"`, `"1.5GiB"`, `"512K"`, `"10MB"`.

use std::fmt;

/// A size string that [`parse_size`] could not read. The message quotes the input.
///
/// ```
/// let err = dmemfs_core::parse_size("12 parsecs").unwrap_err();
/// assert!(err.to_string().starts_with("invalid size `12 parsecs`: unknown unit `parsecs`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSizeError {
    input: String,
    problem: SizeProblem,
}

impl ParseSizeError {
    /// The text that was rejected.
    ///
    /// ```
    /// let err = dmemfs_core::parse_size("32Q").unwrap_err();
    /// assert_eq!(err.input(), "32Q");
    /// ```
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseSizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid size `{}`: {}",
            self.input,
            self.problem.describe()
        )?;
        // `parse_size` read the trimmed input, which the unit's offset refers to.
        match self.problem {
            SizeProblem::UnknownUnit { at } => {
                let unit = self.input.trim().get(at..).unwrap_or_default();
                write!(f, " `{unit}` ({SIZE_UNITS})")
            }
            _ => write!(f, "; {SIZE_EXPECTED}"),
        }
    }
}

impl std::error::Error for ParseSizeError {}

impl From<ParseSizeError> for std::io::Error {
    fn from(err: ParseSizeError) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, err)
    }
}

/// Why a size did not parse. Shared by [`parse_size`] and the compile-time check of
/// `#[with_memfs(quota = ..)]` (through `dmemfs_test`), which reads sizes with
/// [`parse_size_const`] so that there is one parser.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeProblem {
    /// No digits before the unit.
    NoNumber,
    /// The unit, from byte `at` of the text (to its end, less trailing spaces), is unknown.
    UnknownUnit {
        /// Where the unit starts.
        at: usize,
    },
    /// Two dots, or a dot with no digits on one side.
    MalformedNumber,
    /// Above `u64::MAX` bytes.
    TooLarge,
    /// More than 19 significant decimal places.
    TooManyDecimals,
    /// A fraction that is not a whole number of bytes (`0.3K`).
    NotWholeBytes,
}

impl SizeProblem {
    /// What is wrong, in a few words (the unit itself is quoted by the caller).
    pub const fn describe(self) -> &'static str {
        match self {
            SizeProblem::NoNumber => "no number",
            SizeProblem::UnknownUnit { .. } => "unknown unit",
            SizeProblem::MalformedNumber => "malformed number",
            SizeProblem::TooLarge => "larger than u64::MAX bytes",
            SizeProblem::TooManyDecimals => "too many decimal places",
            SizeProblem::NotWholeBytes => "not a whole number of bytes",
        }
    }
}

/// The units a size takes, for error messages.
#[doc(hidden)]
pub const SIZE_UNITS: &str = "use K, M, G, T or KiB, MiB, GiB, TiB for powers of 1024, KB, MB, GB, TB for powers of 1000, or B";

/// What a size looks like, for error messages.
#[doc(hidden)]
pub const SIZE_EXPECTED: &str =
    "expected a whole number of bytes such as \"4096\", \"512K\", \"32M\", \"1.5GiB\" or \"10MB\"";

/// Units, matched without regard to ASCII case, and their sizes in bytes.
const UNITS: [(&str, u64); 14] = {
    const K: u64 = 1024;
    [
        ("", 1),
        ("b", 1),
        ("k", K),
        ("kib", K),
        ("m", K * K),
        ("mib", K * K),
        ("g", K * K * K),
        ("gib", K * K * K),
        ("t", K * K * K * K),
        ("tib", K * K * K * K),
        ("kb", 1_000),
        ("mb", 1_000_000),
        ("gb", 1_000_000_000),
        ("tb", 1_000_000_000_000),
    ]
};

const fn multiplier(unit: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < UNITS.len() {
        let (name, bytes) = UNITS[i];
        if unit.eq_ignore_ascii_case(name.as_bytes()) {
            return Some(bytes);
        }
        i += 1;
    }
    None
}

/// The value of a run of ASCII digits, or `None` above `u64::MAX`.
const fn digits_value(digits: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    let mut i = 0;
    while i < digits.len() {
        let digit = (digits[i] - b'0') as u64;
        value = match value.checked_mul(10) {
            Some(tens) => match tens.checked_add(digit) {
                Some(sum) => sum,
                None => return None,
            },
            None => return None,
        };
        i += 1;
    }
    Some(value)
}

/// [`parse_size`]'s parser, usable in constants: `#[with_memfs(quota = "32M")]` evaluates it at
/// compile time (through `dmemfs_test`), so a bad size is a compile error at the literal.
/// Surrounding ASCII spaces are ignored.
///
/// ```
/// use dmemfs_core::__private::{SizeProblem, parse_size_const};
///
/// const QUOTA: u64 = match parse_size_const("32M") {
///     Ok(bytes) => bytes,
///     Err(_) => panic!("bad size"),
/// };
/// assert_eq!(QUOTA, 32 << 20);
/// assert_eq!(parse_size_const("32Q"), Err(SizeProblem::UnknownUnit { at: 2 }));
/// ```
///
/// # Errors
/// The [`SizeProblem`] that [`parse_size`] reports in its [`ParseSizeError`].
pub const fn parse_size_const(text: &str) -> Result<u64, SizeProblem> {
    let bytes = text.as_bytes();
    let leading = bytes.len() - bytes.trim_ascii_start().len();
    let bytes = bytes.trim_ascii();
    let mut number_end = 0;
    let mut dots = 0;
    let mut dot_at = 0;
    while number_end < bytes.len()
        && (bytes[number_end].is_ascii_digit() || bytes[number_end] == b'.')
    {
        if bytes[number_end] == b'.' {
            dots += 1;
            dot_at = number_end;
        }
        number_end += 1;
    }
    let (number, unit) = bytes.split_at(number_end);
    let unit = unit.trim_ascii_start();
    if number.is_empty() {
        return Err(SizeProblem::NoNumber);
    }
    let Some(multiplier) = multiplier(unit) else {
        let at = leading + bytes.len() - unit.len();
        return Err(SizeProblem::UnknownUnit { at });
    };
    let (whole, fraction) = match dots {
        0 => (number, &[] as &[u8]),
        1 => {
            let (whole, dot_and_fraction) = number.split_at(dot_at);
            (whole, dot_and_fraction.split_at(1).1)
        }
        _ => return Err(SizeProblem::MalformedNumber),
    };
    if whole.is_empty() || (dots == 1 && fraction.is_empty()) {
        return Err(SizeProblem::MalformedNumber);
    }
    let Some(whole) = digits_value(whole) else {
        return Err(SizeProblem::TooLarge);
    };
    let Some(mut total) = whole.checked_mul(multiplier) else {
        return Err(SizeProblem::TooLarge);
    };
    // Trailing zeros add no precision: "1.50M" is "1.5M".
    let mut significant = fraction.len();
    while significant > 0 && fraction[significant - 1] == b'0' {
        significant -= 1;
    }
    if significant > 19 {
        return Err(SizeProblem::TooManyDecimals);
    }
    if significant > 0 {
        // At most 19 digits: the numerator fits in a u64, and times a u64 multiplier in a u128.
        let Some(numerator) = digits_value(fraction.split_at(significant).0) else {
            return Err(SizeProblem::TooLarge);
        };
        let denominator = 10u128.pow(significant as u32);
        let scaled = numerator as u128 * multiplier as u128;
        if !scaled.is_multiple_of(denominator) {
            return Err(SizeProblem::NotWholeBytes);
        }
        let extra = scaled / denominator;
        if extra > u64::MAX as u128 {
            return Err(SizeProblem::TooLarge);
        }
        total = match total.checked_add(extra as u64) {
            Some(total) => total,
            None => return Err(SizeProblem::TooLarge),
        };
    }
    Ok(total)
}

/// Parses a byte size such as `"32M"`.
///
/// - `K`, `M`, `G`, `T` and `KiB`, `MiB`, `GiB`, `TiB` are binary (powers of 1024);
/// - `KB`, `MB`, `GB`, `TB` are decimal (powers of 1000);
/// - no unit, or `B`, means bytes; units are case-insensitive and may follow a space;
/// - fractions are allowed when they give a whole number of bytes: `"1.5G"` is 1,610,612,736,
///   while `"0.3K"` (307.2 bytes) is refused rather than silently rounded.
///
/// # Errors
/// Anything else, or a size above `u64::MAX`, is a [`ParseSizeError`] that quotes the input.
///
/// # Examples
/// ```
/// use dmemfs_core::parse_size;
///
/// assert_eq!(parse_size("32M")?, 32 * 1024 * 1024);
/// assert_eq!(parse_size("1.5GiB")?, 3 * 512 * 1024 * 1024);
/// assert_eq!(parse_size("512K")?, 512 * 1024);
/// assert_eq!(parse_size("10MB")?, 10_000_000);
/// assert_eq!(parse_size("4096")?, 4096);
/// assert!(parse_size("32Q").unwrap_err().to_string().contains("`32Q`"));
/// # Ok::<(), dmemfs_core::ParseSizeError>(())
/// ```
pub fn parse_size(input: &str) -> Result<u64, ParseSizeError> {
    // Unicode spaces are trimmed here; the const parser trims only ASCII ones.
    parse_size_const(input.trim()).map_err(|problem| ParseSizeError {
        input: input.to_owned(),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units() {
        let cases = [
            ("0", 0),
            ("17", 17),
            ("17B", 17),
            ("1K", 1024),
            ("1k", 1024),
            ("1KiB", 1024),
            ("1KB", 1000),
            ("2M", 2 << 20),
            ("2 MiB", 2 << 20),
            ("3G", 3 << 30),
            ("1T", 1 << 40),
            ("1TB", 1_000_000_000_000),
            ("1.5G", 1_610_612_736),
            ("0.5K", 512),
            ("1.25KB", 1250),
            ("1.50M", 1_572_864),
            (" 8M ", 8 << 20),
            ("16EiB".trim_end_matches("EiB"), 16),
        ];
        for (input, want) in cases {
            assert_eq!(parse_size(input), Ok(want), "{input}");
        }
    }

    #[test]
    fn rejects_with_the_input_quoted() {
        for bad in [
            "",
            "M",
            "32Q",
            "-1",
            "1..5M",
            "1.M",
            ".5M",
            "0.3K",
            "1.5",
            "99999999999T",
            "1e3",
            "1 2",
        ] {
            let err = parse_size(bad).unwrap_err();
            assert_eq!(err.input(), bad);
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_size("18446744073709551616").is_err());
        assert!(parse_size("16384P").is_err());
    }
}

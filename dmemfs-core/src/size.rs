//! Human-readable byte sizes: `"32M"`, `"1.5GiB"`, `"512K"`, `"10MB"`.

use std::fmt;

/// A size string that [`parse_size`] could not read. The message quotes the input.
///
/// ```
/// let err = dmemfs_core::parse_size("12 parsecs").unwrap_err();
/// assert!(err.to_string().starts_with("invalid size `12 parsecs`: unknown unit"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseSizeError {
    input: String,
    problem: &'static str,
}

impl ParseSizeError {
    fn new(input: &str, problem: &'static str) -> ParseSizeError {
        ParseSizeError {
            input: input.to_owned(),
            problem,
        }
    }

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
            "invalid size `{}`: {}; expected a whole number of bytes such as \"4096\", \"512K\", \"32M\", \"1.5GiB\" or \"10MB\"",
            self.input, self.problem
        )
    }
}

impl std::error::Error for ParseSizeError {}

impl From<ParseSizeError> for std::io::Error {
    fn from(err: ParseSizeError) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, err)
    }
}

fn multiplier(unit: &str) -> Option<u64> {
    const K: u64 = 1024;
    Some(match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => K,
        "m" | "mib" => K * K,
        "g" | "gib" => K * K * K,
        "t" | "tib" => K * K * K * K,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return None,
    })
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
    let text = input.trim();
    let number_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(number_end);
    let unit = unit.trim_start();
    if number.is_empty() {
        return Err(ParseSizeError::new(input, "no number"));
    }
    let multiplier = multiplier(unit).ok_or_else(|| ParseSizeError::new(input, "unknown unit"))?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || fraction.contains('.') || (number.contains('.') && fraction.is_empty()) {
        return Err(ParseSizeError::new(input, "malformed number"));
    }
    let overflow = || ParseSizeError::new(input, "larger than u64::MAX bytes");
    let whole: u64 = whole.parse().map_err(|_| overflow())?;
    let mut bytes = whole.checked_mul(multiplier).ok_or_else(overflow)?;
    if !fraction.is_empty() {
        let digits = fraction.trim_end_matches('0');
        if digits.len() > 19 {
            return Err(ParseSizeError::new(input, "too many decimal places"));
        }
        let numerator: u128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| overflow())?
        };
        let denominator = 10u128.pow(digits.len() as u32);
        let scaled = numerator * u128::from(multiplier);
        if !scaled.is_multiple_of(denominator) {
            return Err(ParseSizeError::new(input, "not a whole number of bytes"));
        }
        let extra = u64::try_from(scaled / denominator).map_err(|_| overflow())?;
        bytes = bytes.checked_add(extra).ok_or_else(overflow)?;
    }
    Ok(bytes)
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

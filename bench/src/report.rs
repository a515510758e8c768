//! Markdown tables and target lines.

use std::fmt::Write as _;

/// Formats milliseconds like perf-baseline.md: four significant digits, at most three
/// decimals (`0.097`, `11.09`, `262.8`, `1234`).
///
/// ```
/// use dmemfs_bench::report::ms;
/// assert_eq!([ms(0.0971), ms(11.094), ms(262.84), ms(1234.4)], ["0.097", "11.09", "262.8", "1234"]);
/// ```
pub fn ms(value: f64) -> String {
    fixed(value, 3, 0, 3)
}

/// Formats a ratio with three significant digits, between one and three decimals (`1.00`,
/// `0.054`, `18.5`, `466.6`).
///
/// ```
/// use dmemfs_bench::report::ratio;
/// assert_eq!([ratio(1.0), ratio(0.0541), ratio(18.52), ratio(466.6)], ["1.00", "0.054", "18.5", "466.6"]);
/// ```
pub fn ratio(value: f64) -> String {
    fixed(value, 2, 1, 3)
}

/// `value` with `sig - floor(log10(value))` decimals, clamped to `min..=max`.
fn fixed(value: f64, sig: i32, min: i32, max: i32) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let magnitude = if value > 0.0 {
        value.log10().floor() as i32
    } else {
        0
    };
    let decimals = (sig - magnitude).clamp(min, max) as usize;
    format!("{value:.decimals$}")
}

/// Formats a byte count with thousands separators (`536,870,912`).
///
/// ```
/// assert_eq!(dmemfs_bench::report::bytes(536870912), "536,870,912");
/// ```
pub fn bytes(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A markdown table built row by row. A column whose header ends in `:` is right-aligned.
#[derive(Debug, Clone, Default)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are left empty).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as markdown.
    ///
    /// ```
    /// let mut table = dmemfs_bench::report::Table::new(&["case", "ms:"]);
    /// table.row(vec!["a".into(), "1.0".into()]);
    /// assert_eq!(table.render(), "| case | ms |\n|---|---:|\n| a | 1.0 |\n");
    /// ```
    pub fn render(&self) -> String {
        let mut out = String::new();
        let names: Vec<&str> = self
            .headers
            .iter()
            .map(|h| h.strip_suffix(':').unwrap_or(h))
            .collect();
        let _ = writeln!(out, "| {} |", names.join(" | "));
        let rules: Vec<&str> = self
            .headers
            .iter()
            .map(|h| if h.ends_with(':') { "---:" } else { "---" })
            .collect();
        let _ = writeln!(out, "|{}|", rules.join("|"));
        for row in &self.rows {
            let cells: Vec<&str> = (0..self.headers.len())
                .map(|i| row.get(i).map_or("", String::as_str))
                .collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out
    }
}

/// Whether a target is an upper or a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The ratio must be at most the limit.
    AtMost,
    /// The ratio must be below the limit (a peer must be beaten).
    Below,
    /// The ratio must be at least the limit.
    AtLeast,
}

/// One target of issue 4, checked against a measured ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// What was compared, such as `small_files_rw dmemfs/floor`.
    pub what: String,
    /// The measured ratio.
    pub value: f64,
    /// The bound.
    pub bound: Bound,
    /// The limit.
    pub limit: f64,
}

impl Check {
    /// A check of `value` against `limit`.
    pub fn new(what: impl Into<String>, value: f64, bound: Bound, limit: f64) -> Check {
        Check {
            what: what.into(),
            value,
            bound,
            limit,
        }
    }

    /// Whether the target is met.
    pub fn passed(&self) -> bool {
        match self.bound {
            Bound::AtMost => self.value <= self.limit,
            Bound::Below => self.value < self.limit,
            Bound::AtLeast => self.value >= self.limit,
        }
    }

    /// The line printed for it.
    ///
    /// ```
    /// use dmemfs_bench::report::{Bound, Check};
    /// let check = Check::new("small_files_rw dmemfs/floor", 1.321, Bound::AtMost, 1.5);
    /// assert_eq!(check.line(), "small_files_rw dmemfs/floor = 1.32 (target <= 1.5) PASS");
    /// ```
    pub fn line(&self) -> String {
        let op = match self.bound {
            Bound::AtMost => "<=",
            Bound::Below => "<",
            Bound::AtLeast => ">=",
        };
        let verdict = if self.passed() { "PASS" } else { "FAIL" };
        format!(
            "{} = {} (target {op} {}) {verdict}",
            self.what,
            ratio(self.value),
            self.limit
        )
    }
}

//! What an import answers: the summary of a file imported (or, for a dry run, that would be),
//! or the rejection of a file with its problems by line; written as the CLI prints them.

use super::LineError;
use serde::Serialize;
use std::fmt;

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub kind: &'static str,
    pub dry_run: bool,
    pub rows_read: u64,
    pub inserted: u64,
    pub already_present: u64,
    pub updated: u64,
    pub seconds: f64,
    pub rows_per_second: u64,
    /// How long the write lock was held (none for a dry run).
    pub lock_millis: Option<u64>,
    /// The `import_runs` row (none for a dry run).
    pub import_id: Option<i64>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would be " } else { "" };
        write!(
            f,
            "{}: {} read, {} {verb}inserted, {} already present, {} {verb}updated in {:.1} s ({} rows/s)",
            self.kind,
            thousands(self.rows_read),
            thousands(self.inserted),
            thousands(self.already_present),
            thousands(self.updated),
            self.seconds,
            thousands(self.rows_per_second),
        )?;
        if let Some(ms) = self.lock_millis {
            write!(f, "; write lock held {}.{:03} s", ms / 1000, ms % 1000)?;
        }
        Ok(())
    }
}

/// A file refused as a whole: nothing was changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub kind: &'static str,
    pub rows_read: u64,
    /// At most [`super::MAX_LISTED`], by line.
    pub errors: Vec<LineError>,
    pub error_count: u64,
    pub import_id: Option<i64>,
}

impl Rejection {
    /// `… and N more errors`, when more were found than listed.
    pub fn more(&self) -> u64 {
        self.error_count.saturating_sub(self.errors.len() as u64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Imported(Summary),
    Rejected(Rejection),
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::MAX_LISTED;
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn summary_reads_like_a_sentence() {
        let s = Summary {
            kind: "transactions",
            dry_run: false,
            rows_read: 1_000_000,
            inserted: 998_000,
            already_present: 2_000,
            updated: 0,
            seconds: 8.4,
            rows_per_second: 119_047,
            lock_millis: Some(1_900),
            import_id: Some(1),
        };
        assert_eq!(
            s.to_string(),
            "transactions: 1,000,000 read, 998,000 inserted, 2,000 already present, 0 updated \
             in 8.4 s (119,047 rows/s); write lock held 1.900 s"
        );
    }

    #[test]
    fn more_counts_what_is_not_listed() {
        let r = Rejection {
            kind: "products",
            rows_read: 3000,
            errors: Vec::new(),
            error_count: u64::try_from(MAX_LISTED).unwrap_or(0),
            import_id: None,
        };
        assert_eq!(r.more(), 1000);
    }
}

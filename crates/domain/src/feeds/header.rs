//! A feed's header line checked against its kind: columns in any order, every missing,
//! unknown and duplicate column named, and where each column sits in the rows.

use super::*;

/// What is wrong with one column of a header line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderProblem {
    #[error("column {column} is missing from the header: a {kind} file needs it")]
    Missing { column: String, kind: FeedKind },
    #[error("column {column:?} is not a column of a {kind} file (extra columns are an error)")]
    Unknown { column: String, kind: FeedKind },
    #[error("column {column} appears more than once in the header")]
    Duplicate { column: String },
}

impl HeaderProblem {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "header_missing_column",
            Self::Unknown { .. } => "header_unknown_column",
            Self::Duplicate { .. } => "header_duplicate_column",
        }
    }

    /// The values its message names, for a reader's language: `(name, value)`.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::Missing { column, kind } | Self::Unknown { column, kind } => vec![
                ("column", column.clone()),
                ("kind", kind.as_str().to_owned()),
            ],
            Self::Duplicate { column } => vec![("column", column.clone())],
        }
    }

    /// The column's name as found in the header (trimmed), or the expected name if missing.
    pub fn column(&self) -> &str {
        match self {
            Self::Missing { column, .. }
            | Self::Unknown { column, .. }
            | Self::Duplicate { column } => column,
        }
    }

    /// The report line of this problem: headers are line 1.
    pub fn to_line_error(&self) -> String {
        line_error(1, self.column(), &self.to_string())
    }
}

/// Where each column of a kind sits in a file's rows, from a checked header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub(super) kind: FeedKind,
    /// For each column of `kind.columns()` (spec order), its position in the row.
    pub(super) positions: Vec<usize>,
    /// For each position in the row, its column's name (file order).
    pub(super) in_file_order: Vec<&'static str>,
}

impl ColumnMap {
    pub fn kind(&self) -> FeedKind {
        self.kind
    }

    /// The number of fields every row must have.
    pub fn width(&self) -> usize {
        self.in_file_order.len()
    }

    /// The position in the row of the column of this header name.
    pub fn position(&self, column: &str) -> Option<usize> {
        let i = self.kind.columns().iter().position(|c| *c == column)?;
        self.positions.get(i).copied()
    }

    /// The column names in the file's order.
    pub fn columns_in_file_order(&self) -> &[&'static str] {
        &self.in_file_order
    }
}

/// Checks a header line against a kind: columns in any order; every missing, unknown (extra)
/// and duplicate column is reported. Names are trimmed, and a UTF-8 byte order mark before the
/// first name (as spreadsheets write it) is ignored.
pub fn map_header(kind: FeedKind, header: &[&str]) -> Result<ColumnMap, Vec<HeaderProblem>> {
    let columns = kind.columns();
    let mut positions: Vec<Option<usize>> = vec![None; columns.len()];
    let mut in_file_order = Vec::with_capacity(header.len());
    let mut problems = Vec::new();
    for (at, raw) in header.iter().enumerate() {
        let name = if at == 0 {
            raw.strip_prefix('\u{feff}').unwrap_or(raw)
        } else {
            raw
        };
        let name = name.trim();
        match columns.iter().position(|c| *c == name) {
            None => problems.push(HeaderProblem::Unknown {
                column: excerpt(name),
                kind,
            }),
            Some(i) => {
                let duplicate = positions.get(i).copied().flatten().is_some();
                if duplicate {
                    // Reported once however often it repeats.
                    let p = HeaderProblem::Duplicate {
                        column: columns[i].to_owned(),
                    };
                    if !problems.contains(&p) {
                        problems.push(p);
                    }
                } else if let Some(slot) = positions.get_mut(i) {
                    *slot = Some(at);
                }
                in_file_order.push(columns[i]);
            }
        }
    }
    for (column, position) in columns.iter().zip(&positions) {
        if position.is_none() {
            problems.push(HeaderProblem::Missing {
                column: (*column).to_owned(),
                kind,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ColumnMap {
        kind,
        positions: positions.into_iter().flatten().collect(),
        in_file_order,
    })
}

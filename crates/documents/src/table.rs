//! What a table export is made of: the sheet's name and header, and typed cells, shared by the
//! CSV and XLSX writers.

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text; neutralised against formula injection in CSV.
    Text(String),
    /// A whole number (cents, thousandths, quantities): written as a number.
    Int(i64),
    /// A calendar day: `YYYY-MM-DD` in CSV, a date cell in XLSX.
    Date(time::Date),
    /// Nothing (a null): an empty field in CSV, a blank cell in XLSX.
    Empty,
}

impl Cell {
    /// Text, or [`Cell::Empty`] for `None`.
    pub fn opt_text(v: Option<String>) -> Cell {
        v.map_or(Cell::Empty, Cell::Text)
    }
}

/// What is exported: the XLSX sheet's name and the column names (the header row).
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub sheet: &'static str,
    pub columns: &'static [&'static str],
}

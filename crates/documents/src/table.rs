//! What a table export is made of: the API's table (sheet name and the contract's header), the
//! spreadsheet people download (headers in their language, a kind and a total per column), and
//! the typed cells both are written from.

use cs_domain::Language;

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Text; neutralised against formula injection in CSV.
    Text(String),
    /// A whole number (quantities, counts): written as a number.
    Int(i64),
    /// An amount in cents: the integer in the API's CSV, euros in a spreadsheet for people.
    Cents(i64),
    /// A unit price in thousandths of a euro: the integer in the API's CSV, euros with three
    /// decimals in a spreadsheet for people.
    Millis(i64),
    /// A calendar day: `YYYY-MM-DD` in the API's CSV, a date cell in XLSX, `dd/mm/yyyy` in
    /// the CSV for Excel.
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

/// The API's table (`format=csv`): the XLSX sheet's name and the column names (the header row).
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub sheet: &'static str,
    pub columns: &'static [&'static str],
}

/// How a column of a spreadsheet for people reads: its number format and its width (a
/// constant-memory sheet cannot measure its content, so the width comes from the kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text about this many characters wide (codes 10, ids 18, names 30).
    Text(u8),
    /// A calendar day, as the reader's language writes it.
    Date,
    /// A whole number with thousands separators.
    Count,
    /// Euros with two decimals, from [`Cell::Cents`].
    Euros,
    /// Euros with three decimals (a unit price), from [`Cell::Millis`].
    UnitEuros,
}

/// What the totals row under a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    None,
    /// The column's sum (`SUM`).
    Sum,
    /// How many cells of the column are not empty (`COUNTA`).
    Count,
}

/// One column of a spreadsheet for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header, in the reader's language.
    pub header: String,
    pub kind: Kind,
    pub total: Total,
}

/// A table as people download it (XLSX, CSV for Excel): headers in their language, dates and
/// euros as their spreadsheet shows them, and in XLSX a frozen header and a totals row whose
/// label stands in the first column (which therefore carries no total).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spreadsheet {
    /// The sheet's name (at most 31 characters, none of `[]:*?/\`).
    pub sheet: String,
    pub columns: Vec<Column>,
    /// The word of the totals row (`Total`).
    pub total_label: String,
    /// The reader's language: the date and euro formats.
    pub lang: Language,
}

/// `value` thousandths or hundredths (`decimals` 3 or 2) as a decimal number with `point`
/// before the decimals and no grouping: `-1234,56` (exact: integers only, never a float).
pub fn decimal(value: i64, decimals: u32, point: char) -> String {
    let unit = 10_i64.pow(decimals);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.unsigned_abs();
    let unit = unit.unsigned_abs();
    format!(
        "{sign}{}{point}{:0width$}",
        abs / unit,
        abs % unit,
        width = decimals as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_with_the_point_asked() {
        assert_eq!(decimal(1234, 2, ','), "12,34");
        assert_eq!(decimal(5, 2, ','), "0,05");
        assert_eq!(decimal(-5, 2, '.'), "-0.05");
        assert_eq!(decimal(985, 3, ','), "0,985");
        assert_eq!(decimal(-123_456_789, 2, ','), "-1234567,89");
        assert_eq!(decimal(0, 3, '.'), "0.000");
        assert_eq!(decimal(i64::MIN, 2, '.'), "-92233720368547758.08");
    }
}

//! CSV of a table: RFC 4180 quoting, `\n` line ends, and text cells neutralised so that a
//! spreadsheet never runs them as a formula (numbers and dates are never touched).

use crate::table::Cell;
use std::borrow::Cow;

/// A text as it may go into a CSV cell: with a leading `'` when a spreadsheet would take it
/// for a formula (`=`, `+`, `-`, `@`) or a field separator trick (tab, carriage return, NUL).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes CSV records (RFC 4180 quoting, `\n` line ends) into a buffer that is taken out
/// after each batch of rows.
pub struct CsvEncoder {
    writer: csv::Writer<Vec<u8>>,
}

impl Default for CsvEncoder {
    fn default() -> Self {
        Self::new()
    }
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

impl CsvEncoder {
    pub fn new() -> Self {
        Self {
            writer: csv_writer(),
        }
    }

    pub fn header(&mut self, columns: &[&str]) -> Result<(), csv::Error> {
        self.writer.write_record(columns)
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), csv::Error> {
        for cell in cells {
            match cell {
                Cell::Text(s) => self.writer.write_field(neutralise(s).as_bytes())?,
                Cell::Int(n) => self.writer.write_field(n.to_string())?,
                Cell::Date(d) => self.writer.write_field(iso_date(*d))?,
                Cell::Empty => self.writer.write_field("")?,
            }
        }
        self.writer.write_record(None::<&[u8]>)
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> Result<Vec<u8>, csv::Error> {
        std::mem::replace(&mut self.writer, csv_writer())
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }
}

fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Table;
    use time::macros::date;

    const TABLE: Table = Table {
        sheet: "things",
        columns: &["name", "count", "day", "note"],
    };

    fn sample() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Text("=SUM(A1:A9)".into()),
                Cell::Int(-5),
                Cell::Date(date!(2026 - 11 - 03)),
                Cell::Empty,
            ],
            vec![
                Cell::Text("Quote \"and\", comma".into()),
                Cell::Int(1_234_567),
                Cell::Date(date!(2026 - 01 - 31)),
                Cell::Text("Élodie".into()),
            ],
        ]
    }

    #[test]
    fn formulas_and_separator_tricks_are_neutralised() {
        for bad in ["=1+1", "+32", "-2", "@SUM(1)", "\tx", "\rx", "\0x"] {
            assert_eq!(neutralise(bad), format!("'{bad}"), "{bad:?}");
        }
        for fine in ["Finance", "0-50g", "a=b", "", " =x", "'quoted"] {
            assert_eq!(neutralise(fine), fine, "{fine:?}");
        }
    }

    #[test]
    fn csv_has_the_header_then_rows_with_only_text_neutralised() {
        let mut e = CsvEncoder::new();
        e.header(TABLE.columns).unwrap();
        for row in sample() {
            e.row(&row).unwrap();
        }
        let text = String::from_utf8(e.take().unwrap()).unwrap();
        assert_eq!(
            text,
            "name,count,day,note\n'=SUM(A1:A9),-5,2026-11-03,\n\"Quote \"\"and\"\", comma\",1234567,2026-01-31,Élodie\n"
        );
        assert!(e.take().unwrap().is_empty(), "taken once");
    }
}

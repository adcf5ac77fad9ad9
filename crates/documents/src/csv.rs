//! CSV of a table in two dialects: the API's (comma, `\n` line ends, integers and ISO dates,
//! SPEC §6) and Belgian Excel's (a UTF-8 byte-order mark, semicolons, CRLF, decimal commas,
//! `dd/mm/yyyy`). Both quote as RFC 4180 and neutralise text cells so that a spreadsheet never
//! runs them as a formula (numbers and dates are never touched).

use crate::table::{Cell, decimal};
use std::borrow::Cow;

/// The byte-order mark that makes Excel read a CSV file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A text as it may go into a CSV cell: with a leading `'` when a spreadsheet would take it
/// for a formula (`=`, `+`, `-`, `@`) or a field separator trick (tab, carriage return, NUL).
pub fn neutralise(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Which CSV a [`CsvEncoder`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// The API's contract: comma, `\n`, amounts as integers (cents, thousandths), ISO dates.
    Contract,
    /// What Excel set to a Belgian locale opens in columns: a byte-order mark, `;`, CRLF,
    /// euros with a decimal comma (`12,34`, unit prices `0,985`), dates `dd/mm/yyyy`.
    Excel,
}

/// Writes CSV records (RFC 4180 quoting) into a buffer that is taken out after each batch of
/// rows.
pub struct CsvEncoder {
    dialect: Dialect,
    writer: csv::Writer<Vec<u8>>,
    /// The byte-order mark still to be written (Excel's dialect, before the first byte).
    bom: bool,
}

impl Default for CsvEncoder {
    fn default() -> Self {
        Self::new()
    }
}

fn csv_writer(dialect: Dialect) -> csv::Writer<Vec<u8>> {
    let mut b = csv::WriterBuilder::new();
    match dialect {
        Dialect::Contract => b.terminator(csv::Terminator::Any(b'\n')),
        Dialect::Excel => b.delimiter(b';').terminator(csv::Terminator::CRLF),
    };
    b.from_writer(Vec::new())
}

impl CsvEncoder {
    /// The API's CSV ([`Dialect::Contract`]).
    pub fn new() -> Self {
        Self::with(Dialect::Contract)
    }

    pub fn with(dialect: Dialect) -> Self {
        Self {
            dialect,
            writer: csv_writer(dialect),
            bom: dialect == Dialect::Excel,
        }
    }

    pub fn header<S: AsRef<str>>(&mut self, columns: &[S]) -> Result<(), csv::Error> {
        self.writer
            .write_record(columns.iter().map(|c| neutralise(c.as_ref()).into_owned()))
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), csv::Error> {
        let excel = self.dialect == Dialect::Excel;
        for cell in cells {
            match cell {
                Cell::Text(s) => self.writer.write_field(neutralise(s).as_bytes())?,
                Cell::Int(n) => self.writer.write_field(n.to_string())?,
                Cell::Cents(n) if excel => self.writer.write_field(decimal(*n, 2, ','))?,
                Cell::Millis(n) if excel => self.writer.write_field(decimal(*n, 3, ','))?,
                Cell::Cents(n) | Cell::Millis(n) => self.writer.write_field(n.to_string())?,
                Cell::Date(d) if excel => self.writer.write_field(day_first(*d))?,
                Cell::Date(d) => self.writer.write_field(iso_date(*d))?,
                Cell::Empty => self.writer.write_field("")?,
            }
        }
        self.writer.write_record(None::<&[u8]>)
    }

    /// The bytes written since the last call.
    pub fn take(&mut self) -> Result<Vec<u8>, csv::Error> {
        let mut bytes = std::mem::replace(&mut self.writer, csv_writer(self.dialect))
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        if self.bom && !bytes.is_empty() {
            self.bom = false;
            bytes.splice(0..0, BOM.iter().copied());
        }
        Ok(bytes)
    }
}

fn iso_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `dd/mm/yyyy`, the order a Belgian spreadsheet reads a day in.
fn day_first(d: time::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
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

    #[test]
    fn money_cells_stay_integers_in_the_contract() {
        let mut e = CsvEncoder::new();
        e.row(&[Cell::Cents(-1234), Cell::Millis(985)]).unwrap();
        assert_eq!(e.take().unwrap(), b"-1234,985\n");
    }

    #[test]
    fn excel_csv_has_a_bom_semicolons_crlf_decimal_commas_and_day_first_dates() {
        let mut e = CsvEncoder::with(Dialect::Excel);
        e.header(&["Transaction", "Montant; TVA", "=Total"])
            .unwrap();
        let first = e.take().unwrap();
        assert!(first.starts_with(BOM), "the BOM comes first");
        assert_eq!(
            &first[BOM.len()..],
            b"Transaction;\"Montant; TVA\";'=Total\r\n"
        );
        e.row(&[
            Cell::Text("=HYPERLINK(\"x\")".into()),
            Cell::Cents(123_456),
            Cell::Millis(985),
            Cell::Date(date!(2026 - 11 - 03)),
            Cell::Int(-7),
            Cell::Empty,
            Cell::Text("a;b".into()),
            Cell::Cents(-5),
        ])
        .unwrap();
        let text = String::from_utf8(e.take().unwrap()).unwrap();
        assert_eq!(
            text, "\"'=HYPERLINK(\"\"x\"\")\";1234,56;0,985;03/11/2026;-7;;\"a;b\";-0,05\r\n",
            "only the text is neutralised, and the BOM is written once"
        );
    }
}

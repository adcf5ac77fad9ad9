//! XLSX of a spreadsheet for people, written by `rust_xlsxwriter` in constant memory mode (one
//! row in memory at a time): headers in the reader's language, dates and euros formatted, a
//! frozen header, a totals row; its temporary disk (the sheet's XML, then the zipped file)
//! counted and capped.

use crate::table::{Cell, Column, Kind, Spreadsheet, Total, decimal};
use cs_domain::Language;
use rust_xlsxwriter::{Format as XlsxFormat, Formula, Workbook, Worksheet};
use std::{io, path::PathBuf};

/// Where an XLSX export's temporary files go, and how much of that disk it may take.
#[derive(Debug, Clone)]
pub struct TempDisk {
    pub dir: PathBuf,
    pub max_bytes: u64,
}

/// Why an XLSX file could not be written; `E` is the error of the rows' source.
#[derive(Debug, thiserror::Error)]
pub enum XlsxError<E> {
    /// The rows' source failed: passed on as it came.
    #[error(transparent)]
    Rows(E),
    /// The file would need more than [`TempDisk::max_bytes`] of temporary disk.
    #[error("the XLSX file would need more than {max_bytes} bytes of temporary disk")]
    TempDiskExceeded { max_bytes: u64 },
    /// The writer failed (or the table is larger than a sheet can be).
    #[error("{0}")]
    Write(String),
}

fn xlsx_error<E>(e: &rust_xlsxwriter::XlsxError) -> XlsxError<E> {
    XlsxError::Write(format!("xlsx: {e}"))
}

impl TempDisk {
    fn exceeded<E>(&self) -> XlsxError<E> {
        XlsxError::TempDiskExceeded {
            max_bytes: self.max_bytes,
        }
    }
}

/// An upper bound of the bytes `rust_xlsxwriter` writes for `text` inside `<t>…</t>`: `&`
/// becomes `&amp;`, `<` and `>` `&lt;` and `&gt;`, a control character `_xHHHH_`, and a
/// literal `_x` may be escaped as `_x005F_x`.
fn xml_text_len(text: &str) -> u64 {
    let chars: u64 = text
        .chars()
        .map(|c| match c {
            '&' => 5,
            '<' | '>' => 4,
            c if (c as u32) < 0x20 => 7,
            c => c.len_utf8() as u64,
        })
        .sum();
    chars + 6 * text.matches("_x").count() as u64
}

/// An upper bound of the sheet XML of one row (`<row r="…">` and its `<c>` cells, each with
/// its reference, style and type attributes) as the constant-memory writer puts it in its
/// temporary file.
fn xml_row_len(cells: &[Cell]) -> u64 {
    // <row r="1048576" x14ac:dyDescent="0.25"> … </row>
    const ROW: u64 = 48;
    // <c r="XFD1048576" s="123" t="inlineStr"><is><t xml:space="preserve"> … </t></is></c>
    const TEXT: u64 = 81;
    // <c r="XFD1048576" s="123"><v> (24 characters of a double) </v></c>
    const NUMBER: u64 = 61;
    ROW + cells
        .iter()
        .map(|c| match c {
            Cell::Text(s) => TEXT + xml_text_len(s),
            Cell::Int(_) | Cell::Cents(_) | Cell::Millis(_) | Cell::Date(_) => NUMBER,
            Cell::Empty => 0,
        })
        .sum::<u64>()
}

/// A writer that refuses to go past `budget` bytes (the zipped file's share of the cap).
struct Capped<W> {
    inner: W,
    budget: u64,
    written: u64,
}

impl<W: io::Write> io::Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written + buf.len() as u64 > self.budget {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "over the export's temporary disk cap",
            ));
        }
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn column<E>(col: usize) -> Result<u16, XlsxError<E>> {
    u16::try_from(col).map_err(|_| XlsxError::Write("too many columns".into()))
}

/// The number formats of a sheet in its reader's language: a date as the language writes it
/// (the separators escaped, so that Excel does not put its locale's in their place) and euros
/// with the sign where the language puts it. Excel shows `,` and `.` of the codes as the
/// reader's locale groups and separates decimals.
struct Formats {
    header: XlsxFormat,
    date: XlsxFormat,
    count: XlsxFormat,
    euros: XlsxFormat,
    unit_euros: XlsxFormat,
    total_label: XlsxFormat,
    total_count: XlsxFormat,
    total_euros: XlsxFormat,
}

impl Formats {
    fn new(lang: Language) -> Self {
        let date = match lang {
            Language::Fr | Language::En => r"dd\/mm\/yyyy",
            Language::Nl => r"d\/mm\/yyyy",
            Language::De => r"dd\.mm\.yyyy",
        };
        let (euros, unit_euros) = match lang {
            Language::En => (r##""€"#,##0.00"##, r##""€"#,##0.000"##),
            Language::Fr | Language::Nl | Language::De => (r#"#,##0.00\ "€""#, r#"#,##0.000\ "€""#),
        };
        let bold = XlsxFormat::new().set_bold();
        Self {
            header: bold
                .clone()
                .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin),
            date: XlsxFormat::new().set_num_format(date),
            count: XlsxFormat::new().set_num_format("#,##0"),
            euros: XlsxFormat::new().set_num_format(euros),
            unit_euros: XlsxFormat::new().set_num_format(unit_euros),
            total_label: bold.clone(),
            total_count: bold.clone().set_num_format("#,##0"),
            total_euros: bold.set_num_format(euros),
        }
    }

    fn of(&self, kind: Kind) -> Option<&XlsxFormat> {
        match kind {
            Kind::Text(_) => None,
            Kind::Date => Some(&self.date),
            Kind::Count => Some(&self.count),
            Kind::Euros => Some(&self.euros),
            Kind::UnitEuros => Some(&self.unit_euros),
        }
    }
}

/// A column's width in characters: its kind's, or its header's when that is longer.
fn width(c: &Column) -> f64 {
    let kind = match c.kind {
        Kind::Text(n) => n,
        Kind::Date => 11,
        Kind::Count => 10,
        Kind::Euros => 14,
        Kind::UnitEuros => 11,
    };
    let header = u8::try_from(c.header.chars().count()).unwrap_or(u8::MAX);
    f64::from(kind.max(header.saturating_add(2)).min(60)) + 1.0
}

/// Writes a number, with the column's format when it has one.
fn number<E>(
    sheet: &mut Worksheet,
    (r, col): (u32, u16),
    n: f64,
    format: Option<&XlsxFormat>,
) -> Result<(), XlsxError<E>> {
    match format {
        Some(f) => sheet.write_number_with_format(r, col, n, f),
        None => sheet.write_number(r, col, n),
    }
    .map(|_| ())
    .map_err(|e| xlsx_error(&e))
}

/// Writes one row's cells at row `r` of the sheet, each with its column's format.
fn write_row<E>(
    sheet: &mut Worksheet,
    r: u32,
    row: &[Cell],
    columns: &[Column],
    formats: &Formats,
) -> Result<(), XlsxError<E>> {
    for (i, cell) in row.iter().enumerate() {
        let col = column(i)?;
        let format = columns.get(i).and_then(|c| formats.of(c.kind));
        match cell {
            Cell::Text(s) => {
                sheet.write_string(r, col, s).map_err(|e| xlsx_error(&e))?;
            }
            // Excel numbers are doubles: exact for whole numbers up to 2^53.
            Cell::Int(n) => number(sheet, (r, col), *n as f64, format)?,
            Cell::Cents(n) => number(sheet, (r, col), *n as f64 / 100.0, format)?,
            Cell::Millis(n) => number(sheet, (r, col), *n as f64 / 1000.0, format)?,
            Cell::Date(d) => {
                let year = u16::try_from(d.year())
                    .map_err(|_| XlsxError::Write(format!("date {d} out of range")))?;
                let day =
                    rust_xlsxwriter::ExcelDateTime::from_ymd(year, u8::from(d.month()), d.day())
                        .map_err(|e| xlsx_error(&e))?;
                sheet
                    .write_date_with_format(r, col, &day, format.unwrap_or(&formats.date))
                    .map_err(|e| xlsx_error(&e))?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

/// What the totals row adds up, column by column, as the rows go by: the sum in the cells'
/// own unit (cents, thousandths, units) and how many cells were not empty.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    sum: i64,
    /// Hundredths (cents) or thousandths: the divisor of `sum` to get the number shown.
    scale: i64,
    filled: i64,
}

impl Tally {
    fn add(&mut self, cell: &Cell) {
        let (n, scale) = match cell {
            Cell::Int(n) => (*n, 1),
            Cell::Cents(n) => (*n, 100),
            Cell::Millis(n) => (*n, 1000),
            Cell::Text(_) | Cell::Date(_) => (0, 0),
            Cell::Empty => return,
        };
        self.filled += 1;
        self.sum = self.sum.saturating_add(n);
        if scale > 0 {
            self.scale = scale;
        }
    }

    /// The value of the totals cell: as a number, and as the text of a formula's result.
    fn value(self, total: Total) -> (f64, String) {
        match (total, self.scale) {
            (Total::Count, _) => (self.filled as f64, self.filled.to_string()),
            (_, 100) => (self.sum as f64 / 100.0, decimal(self.sum, 2, '.')),
            (_, 1000) => (self.sum as f64 / 1000.0, decimal(self.sum, 3, '.')),
            _ => (self.sum as f64, self.sum.to_string()),
        }
    }
}

/// The header: bold, frozen above the rows, with a width per column.
fn write_header<E>(
    sheet: &mut Worksheet,
    spreadsheet: &Spreadsheet,
    formats: &Formats,
) -> Result<(), XlsxError<E>> {
    for (i, c) in spreadsheet.columns.iter().enumerate() {
        let col = column(i)?;
        sheet
            .set_column_width(col, width(c))
            .map_err(|e| xlsx_error(&e))?;
        sheet
            .write_string_with_format(0, col, &c.header, &formats.header)
            .map_err(|e| xlsx_error(&e))?;
    }
    sheet.set_freeze_panes(1, 0).map_err(|e| xlsx_error(&e))?;
    Ok(())
}

/// The totals row at row `r`, under `rows` rows of data: the label in the first column, then
/// under each totalled column a `SUM` (or `COUNTA`) formula with its value written beside it,
/// so that a reader which does not compute formulas shows the number too. Without rows, the
/// totals are plain zeros (a formula over no row would point at the header).
fn write_totals<E>(
    sheet: &mut Worksheet,
    (r, rows): (u32, u32),
    spreadsheet: &Spreadsheet,
    tallies: &[Tally],
    formats: &Formats,
) -> Result<(), XlsxError<E>> {
    sheet
        .write_string_with_format(r, 0, &spreadsheet.total_label, &formats.total_label)
        .map_err(|e| xlsx_error(&e))?;
    for (i, c) in spreadsheet.columns.iter().enumerate().skip(1) {
        let function = match c.total {
            Total::None => continue,
            Total::Sum => "SUM",
            Total::Count => "COUNTA",
        };
        let col = column(i)?;
        let format = match (c.total, c.kind) {
            (Total::Sum, Kind::Euros) => &formats.total_euros,
            _ => &formats.total_count,
        };
        let (value, text) = tallies.get(i).copied().unwrap_or_default().value(c.total);
        if rows == 0 {
            number(sheet, (r, col), value, Some(format))?;
            continue;
        }
        let letter = rust_xlsxwriter::utility::column_number_to_name(col);
        let formula =
            Formula::new(format!("={function}({letter}2:{letter}{})", rows + 1)).set_result(text);
        sheet
            .write_formula_with_format(r, col, formula, format)
            .map_err(|e| xlsx_error(&e))?;
    }
    Ok(())
}

/// Writes the spreadsheet as an XLSX file into `out` in constant memory mode, pulling one row
/// at a time from `rows`: a bold header row, frozen, with a width per column and a filter;
/// each cell with its column's format; a totals row at the end. The sheet's XML goes to a
/// temporary file in `disk.dir` first. The XML is counted from above as it is written and the
/// file as it is zipped: past `disk.max_bytes` together, the export fails with
/// [`XlsxError::TempDiskExceeded`]. Returns the number of rows written (the totals row not
/// counted). Blocking: run it on a blocking thread.
pub fn write_xlsx<E>(
    spreadsheet: &Spreadsheet,
    rows: impl Iterator<Item = Result<Vec<Cell>, E>>,
    out: impl io::Write + Send,
    disk: &TempDisk,
) -> Result<u32, XlsxError<E>> {
    let mut workbook = Workbook::new();
    workbook
        .set_tempdir(&disk.dir)
        .map_err(|e| xlsx_error(&e))?;
    let formats = Formats::new(spreadsheet.lang);
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|e| xlsx_error(&e))?;
    sheet
        .set_name(&spreadsheet.sheet)
        .map_err(|e| xlsx_error(&e))?;
    let header: Vec<Cell> = spreadsheet
        .columns
        .iter()
        .map(|c| Cell::Text(c.header.clone()))
        .collect();
    // The workbook's other parts (styles, content types, …) are a few kilobytes; the totals
    // row is at most a header's size plus a formula per column.
    let mut xml: u64 = 16 * 1024 + 2 * xml_row_len(&header) + 64 * header.len() as u64;
    write_header(sheet, spreadsheet, &formats)?;
    let mut tallies = vec![Tally::default(); spreadsheet.columns.len()];
    let mut written: u32 = 0;
    for row in rows {
        let row = row.map_err(XlsxError::Rows)?;
        xml += xml_row_len(&row);
        if xml > disk.max_bytes {
            return Err(disk.exceeded());
        }
        let r = written
            .checked_add(1)
            .ok_or_else(|| XlsxError::Write("too many rows".into()))?;
        write_row(sheet, r, &row, &spreadsheet.columns, &formats)?;
        for (tally, cell) in tallies.iter_mut().zip(&row) {
            tally.add(cell);
        }
        written = r;
    }
    let last_col = column(spreadsheet.columns.len().saturating_sub(1))?;
    sheet
        .autofilter(0, 0, written, last_col)
        .map_err(|e| xlsx_error(&e))?;
    let totals_row = written
        .checked_add(1)
        .ok_or_else(|| XlsxError::Write("too many rows".into()))?;
    write_totals(
        sheet,
        (totals_row, written),
        spreadsheet,
        &tallies,
        &formats,
    )?;
    let mut capped = Capped {
        inner: out,
        budget: disk.max_bytes.saturating_sub(xml),
        written: 0,
    };
    match workbook
        .save_to_writer(&mut capped)
        .and_then(|()| io::Write::flush(&mut capped).map_err(Into::into))
    {
        Ok(()) => Ok(written),
        Err(_) if capped.written + 64 * 1024 > capped.budget => Err(disk.exceeded()),
        Err(e) => Err(xlsx_error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn column(header: &str, kind: Kind, total: Total) -> Column {
        Column {
            header: header.into(),
            kind,
            total,
        }
    }

    fn spreadsheet(lang: Language) -> Spreadsheet {
        Spreadsheet {
            sheet: "Choses".into(),
            columns: vec![
                column("Nom", Kind::Text(20), Total::None),
                column("Nombre", Kind::Count, Total::Sum),
                column("Jour", Kind::Date, Total::None),
                column("Note", Kind::Text(10), Total::Count),
                column("Montant", Kind::Euros, Total::Sum),
                column("Prix unitaire", Kind::UnitEuros, Total::None),
            ],
            total_label: "Total".into(),
            lang,
        }
    }

    /// The rows' own error, as a caller's would be.
    #[derive(Debug, PartialEq, thiserror::Error)]
    #[error("gone")]
    struct Gone;

    fn sample() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::Text("=SUM(A1:A9)".into()),
                Cell::Int(-5),
                Cell::Date(date!(2026 - 11 - 03)),
                Cell::Empty,
                Cell::Cents(1234),
                Cell::Millis(985),
            ],
            vec![
                Cell::Text("Quote \"and\", comma".into()),
                Cell::Int(1_234_567),
                Cell::Date(date!(2026 - 01 - 31)),
                Cell::Text("Élodie".into()),
                Cell::Cents(-5),
                Cell::Millis(1_000),
            ],
        ]
    }

    /// The inside of the cell at `reference` (`<c r="E2" s="4"><v>12.34</v></c>` gives
    /// `<v>12.34</v>` after its attributes), or "" when the sheet has no such cell.
    fn cell<'a>(sheet: &'a str, reference: &str) -> &'a str {
        let Some(start) = sheet.find(&format!(r#"<c r="{reference}""#)) else {
            return "";
        };
        let rest = &sheet[start..];
        let open = rest.find('>').map_or(0, |i| i + 1);
        let close = rest.find("</c>").unwrap_or(rest.len());
        &rest[open..close]
    }

    /// A part of the XLSX file (a zip), as text.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
        text
    }

    fn disk(dir: &std::path::Path, max_bytes: u64) -> TempDisk {
        TempDisk {
            dir: dir.to_path_buf(),
            max_bytes,
        }
    }

    #[test]
    fn xlsx_keeps_numbers_as_numbers_and_dates_as_dates() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        let n = write_xlsx::<Gone>(
            &spreadsheet(Language::Fr),
            sample().into_iter().map(Ok),
            &mut bytes,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        assert_eq!(n, 2);
        assert!(bytes.starts_with(b"PK"), "a zip file");
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        // Numbers as numbers (euros from cents and thousandths), dates as date serials.
        assert!(cell(&sheet, "E2").ends_with("<v>12.34</v>"), "{sheet}");
        assert!(cell(&sheet, "E3").ends_with("<v>-0.05</v>"), "{sheet}");
        assert!(cell(&sheet, "F2").ends_with("<v>0.985</v>"), "{sheet}");
        assert!(cell(&sheet, "C2").ends_with("<v>46329</v>"), "{sheet}");
        assert!(
            cell(&sheet, "A2").contains("<t>=SUM(A1:A9)</t>"),
            "text stays text"
        );
        let failing = vec![Ok(sample().remove(0)), Err(Gone)];
        let e = write_xlsx(
            &spreadsheet(Language::Fr),
            failing.into_iter(),
            Vec::new(),
            &disk(dir.path(), 1 << 20),
        )
        .unwrap_err();
        assert!(matches!(e, XlsxError::Rows(Gone)), "{e:?}");
    }

    #[test]
    fn xlsx_temporary_disk_is_capped_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let many = || {
            (0..2_000).map(|i| {
                Ok::<_, Gone>(vec![
                    Cell::Text(format!("recipient & co <{i}> _x0041_")),
                    Cell::Int(i),
                    Cell::Date(date!(2026 - 11 - 03)),
                    Cell::Empty,
                ])
            })
        };
        let sheet = spreadsheet(Language::Fr);
        // 2,000 rows of about 200 bytes of XML each do not fit in 64 KiB …
        let e = write_xlsx(&sheet, many(), Vec::new(), &disk(dir.path(), 64 * 1024)).unwrap_err();
        assert!(
            matches!(e, XlsxError::TempDiskExceeded { max_bytes: 65_536 }),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("65536 bytes of temporary disk"),
            "{e}"
        );
        // … nor does a zipped file larger than what the XML left of the cap.
        let big_cap = 16 * 1024 + 1024 + 2_000 * 400;
        let mut out = Vec::new();
        write_xlsx(&sheet, many(), &mut out, &disk(dir.path(), big_cap)).unwrap();
        let needed = out.len() as u64;
        let mut estimate = 16 * 1024 + xml_row_len(&[Cell::Text("Prix unitaire".into())]) * 12;
        for row in many() {
            estimate += xml_row_len(&row.unwrap());
        }
        let tight = estimate + needed / 2;
        let e = write_xlsx(&sheet, many(), Vec::new(), &disk(dir.path(), tight)).unwrap_err();
        assert!(matches!(e, XlsxError::TempDiskExceeded { .. }), "{e:?}");
    }

    #[test]
    fn the_header_is_frozen_and_the_totals_row_has_formulas_with_their_values() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        write_xlsx::<Gone>(
            &spreadsheet(Language::Fr),
            sample().into_iter().map(Ok),
            &mut bytes,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{sheet}"
        );
        assert!(sheet.contains(r#"<autoFilter ref="A1:F3"/>"#), "{sheet}");
        // Row 4: the label, then SUM and COUNTA over rows 2 to 3 with their results.
        assert!(cell(&sheet, "A4").ends_with("<t>Total</t></is>"), "{sheet}");
        assert!(
            cell(&sheet, "B4").ends_with("<f>SUM(B2:B3)</f><v>1234562</v>"),
            "{sheet}"
        );
        assert!(
            cell(&sheet, "D4").ends_with("<f>COUNTA(D2:D3)</f><v>1</v>"),
            "{sheet}"
        );
        assert!(
            cell(&sheet, "E4").ends_with("<f>SUM(E2:E3)</f><v>12.29</v>"),
            "{sheet}"
        );
        assert!(!sheet.contains("F2:F3"), "unit prices are not added up");
        // Widths per kind (or the header's), not measured content.
        assert!(
            sheet.contains(r#"<col min="1" max="1" width="21.7"#),
            "{sheet}"
        );
        assert!(
            sheet.contains(r#"<col min="6" max="6" width="16.7"#),
            "a long header: {sheet}"
        );
        let styles = part(&bytes, "xl/styles.xml");
        for code in [
            r"dd\/mm\/yyyy",
            "#,##0.00\\ &quot;€&quot;",
            "#,##0.000\\ &quot;€&quot;",
            "#,##0",
        ] {
            assert!(styles.contains(code), "{code} in {styles}");
        }
        // The English reader has the sign first, the Dutch one a day without its zero.
        let mut en = Vec::new();
        write_xlsx::<Gone>(
            &spreadsheet(Language::En),
            sample().into_iter().map(Ok),
            &mut en,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        assert!(part(&en, "xl/styles.xml").contains("&quot;€&quot;#,##0.00"));
        let mut nl = Vec::new();
        write_xlsx::<Gone>(
            &spreadsheet(Language::Nl),
            sample().into_iter().map(Ok),
            &mut nl,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        assert!(part(&nl, "xl/styles.xml").contains(r#"formatCode="d\/mm\/yyyy""#));
        let mut de = Vec::new();
        write_xlsx::<Gone>(
            &spreadsheet(Language::De),
            sample().into_iter().map(Ok),
            &mut de,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        assert!(part(&de, "xl/styles.xml").contains(r"dd\.mm\.yyyy"));
    }

    #[test]
    fn without_rows_the_totals_are_zeros_not_formulas_over_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = Vec::new();
        let n = write_xlsx::<Gone>(
            &spreadsheet(Language::De),
            std::iter::empty(),
            &mut bytes,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        assert_eq!(n, 0);
        let sheet = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("<f>"), "{sheet}");
        assert!(cell(&sheet, "B2").ends_with("<v>0</v>"), "{sheet}");
        assert!(cell(&sheet, "E2").ends_with("<v>0</v>"), "{sheet}");
    }

    #[test]
    fn the_xml_estimate_is_never_below_what_the_writer_escapes() {
        assert_eq!(xml_text_len("plain"), 5);
        assert_eq!(xml_text_len("a&b"), 7);
        assert_eq!(xml_text_len("<>"), 8);
        assert_eq!(xml_text_len("\u{1}"), 7);
        assert!(xml_text_len("_x0041_") >= "_x005F_x0041_".len() as u64);
        assert_eq!(xml_text_len("é"), 2);
    }
}

//! XLSX of a table, written by `rust_xlsxwriter` in constant memory mode (one row in memory at
//! a time), with its temporary disk (the sheet's XML, then the zipped file) counted and capped.

use crate::table::{Cell, Table};
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
            Cell::Int(_) | Cell::Date(_) => NUMBER,
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

/// Writes one row's cells at row `r` of the sheet.
fn write_row<E>(
    sheet: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    row: &[Cell],
    date_format: &rust_xlsxwriter::Format,
) -> Result<(), XlsxError<E>> {
    for (col, cell) in row.iter().enumerate() {
        let col = column(col)?;
        match cell {
            Cell::Text(s) => {
                sheet.write_string(r, col, s).map_err(|e| xlsx_error(&e))?;
            }
            // Excel numbers are doubles: exact for whole numbers up to 2^53.
            Cell::Int(n) => {
                sheet
                    .write_number(r, col, *n as f64)
                    .map_err(|e| xlsx_error(&e))?;
            }
            Cell::Date(d) => {
                let year = u16::try_from(d.year())
                    .map_err(|_| XlsxError::Write(format!("date {d} out of range")))?;
                let day =
                    rust_xlsxwriter::ExcelDateTime::from_ymd(year, u8::from(d.month()), d.day())
                        .map_err(|e| xlsx_error(&e))?;
                sheet
                    .write_date_with_format(r, col, &day, date_format)
                    .map_err(|e| xlsx_error(&e))?;
            }
            Cell::Empty => {}
        }
    }
    Ok(())
}

/// Writes the table as an XLSX file into `out` in constant memory mode, pulling one row at
/// a time from `rows`; the sheet's XML goes to a temporary file in `disk.dir` first. The
/// XML is counted from above as it is written and the file as it is zipped: past
/// `disk.max_bytes` together, the export fails with [`XlsxError::TempDiskExceeded`].
/// Returns the number of rows written. Blocking: run it on a blocking thread.
pub fn write_xlsx<E>(
    table: Table,
    rows: impl Iterator<Item = Result<Vec<Cell>, E>>,
    out: impl io::Write + Send,
    disk: &TempDisk,
) -> Result<u32, XlsxError<E>> {
    use rust_xlsxwriter::{Format as XlsxFormat, Workbook};
    let mut workbook = Workbook::new();
    workbook
        .set_tempdir(&disk.dir)
        .map_err(|e| xlsx_error(&e))?;
    let bold = XlsxFormat::new().set_bold();
    let date_format = XlsxFormat::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(|e| xlsx_error(&e))?;
    sheet.set_name(table.sheet).map_err(|e| xlsx_error(&e))?;
    let header: Vec<Cell> = table
        .columns
        .iter()
        .map(|c| Cell::Text((*c).to_owned()))
        .collect();
    // The workbook's other parts (styles, content types, …) are a few kilobytes.
    let mut xml: u64 = 16 * 1024 + xml_row_len(&header);
    for (col, name) in table.columns.iter().enumerate() {
        let col = column(col)?;
        let width = name.len().max(10) as f64 + 2.0;
        sheet
            .set_column_width(col, width)
            .map_err(|e| xlsx_error(&e))?;
        sheet
            .write_string_with_format(0, col, *name, &bold)
            .map_err(|e| xlsx_error(&e))?;
    }
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
        write_row(sheet, r, &row, &date_format)?;
        written = r;
    }
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

    const TABLE: Table = Table {
        sheet: "things",
        columns: &["name", "count", "day", "note"],
    };

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
            ],
            vec![
                Cell::Text("Quote \"and\", comma".into()),
                Cell::Int(1_234_567),
                Cell::Date(date!(2026 - 01 - 31)),
                Cell::Text("Élodie".into()),
            ],
        ]
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
            TABLE,
            sample().into_iter().map(Ok),
            &mut bytes,
            &disk(dir.path(), 1 << 20),
        )
        .unwrap();
        assert_eq!(n, 2);
        assert!(bytes.starts_with(b"PK"), "a zip file");
        // The sheet XML is deflated inside the zip; that it opens as a workbook with the
        // right cells is checked by the HTTP tests, which read it back.
        assert!(bytes.len() > 1000);
        let failing = vec![Ok(sample().remove(0)), Err(Gone)];
        let e = write_xlsx(
            TABLE,
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
        // 2,000 rows of about 200 bytes of XML each do not fit in 64 KiB …
        let e = write_xlsx(TABLE, many(), Vec::new(), &disk(dir.path(), 64 * 1024)).unwrap_err();
        assert!(
            matches!(e, XlsxError::TempDiskExceeded { max_bytes: 65_536 }),
            "{e:?}"
        );
        assert!(
            e.to_string().contains("65536 bytes of temporary disk"),
            "{e}"
        );
        // … nor does a zipped file larger than what the XML left of the cap.
        let big_cap = 16 * 1024 + 64 + 2_000 * 400;
        let mut out = Vec::new();
        write_xlsx(TABLE, many(), &mut out, &disk(dir.path(), big_cap)).unwrap();
        let needed = out.len() as u64;
        let mut estimate = 16 * 1024 + xml_row_len(&[Cell::Text("name".into())]) * 4;
        for row in many() {
            estimate += xml_row_len(&row.unwrap());
        }
        let tight = estimate + needed / 2;
        let e = write_xlsx(TABLE, many(), Vec::new(), &disk(dir.path(), tight)).unwrap_err();
        assert!(matches!(e, XlsxError::TempDiskExceeded { .. }), "{e:?}");
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

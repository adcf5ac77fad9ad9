//! Downloads of a table as CSV or XLSX, streamed with bounded memory whatever its size: the
//! rows arrive as a stream (read from the database by the use case) and leave as the
//! response body, never collected.
//!
//! Two audiences, three formats (`format=`): `csv` is for machines, the API's contract (SPEC
//! §6: the field names as header, comma, amounts in cents, ISO dates); `xlsx` and `csv-excel`
//! are for people: headers in the reader's language, product names beside codes, euros and
//! dates as the reader's spreadsheet shows them (`csv-excel`: a byte-order mark, semicolons,
//! CRLF, decimal commas, `dd/mm/yyyy`, what Belgian Excel opens in columns).
//!
//! How a feature uses it:
//! 1. describe the table twice: the contract's [`Table`] (sheet name and column names) and the
//!    people's [`Spreadsheet`] (translated headers, a [`Kind`] and a [`Total`] per column);
//! 2. turn each of its rows into cells: `Vec<Cell>`, one per column of the layout the format
//!    asks for ([`Format::for_people`]), in the same order;
//! 3. hand the rows over as a [`Rows`] stream (see [`rows_from`] for a channel of use-case
//!    items) together with the layout ([`Format::layout`], the format read with
//!    [`Format::parse`]) and the export's [`Running`] place (from `App::begin_export`, taken
//!    by the use case) to [`download`], which returns the response with
//!    `Content-Disposition: attachment`. The place is kept inside the body until its last
//!    byte has been handed over, or the body is dropped (the client went away); then the
//!    export's audit event, if any, is written.
//!
//! CSV is written as rows arrive; text cells starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return get a leading `'` so that a spreadsheet never runs them as a formula
//! (numbers and dates are never touched). XLSX is written by `rust_xlsxwriter` in constant
//! memory mode (one row in memory at a time) on a blocking thread into a temporary file under
//! `DATA_DIR/tmp`, which is then streamed from disk and deleted; numbers stay numbers, dates
//! are real dates, the header is frozen and a totals row ends the sheet. Its temporary disk
//! (the sheet's XML, then the zipped file) is counted and capped
//! (`COLLECTSTAMP_EXPORT_TEMP_MAX_BYTES`): past it the download fails. The writers
//! themselves (cells, CSV dialects and neutralisation, XLSX) are `cs_documents`'; what is
//! HTTP (the body streams, the row counting, the export's place) is here.
//! The response starts at once in both cases, so a long export is not cut by the request
//! timeout; a failure half-way aborts the body, so a client never takes a truncated file for a
//! whole one.

use axum::{
    body::{Body, Bytes},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use cs_app::{
    AppError, FieldError,
    exports::{End, Running},
};
use cs_documents::{Dialect, XlsxError};
use futures::{Stream, StreamExt, stream::BoxStream};
use std::{
    io,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};
use tokio::sync::mpsc;

pub use cs_documents::{
    Cell, Column, CsvEncoder, Kind, Spreadsheet, Table, TempDisk, Total, neutralise,
};

/// The rows of a download, in order; an `Err` aborts the download.
pub type Rows = BoxStream<'static, Result<Vec<Cell>, AppError>>;

/// A download's file format (`format=csv|csv-excel|xlsx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The API's CSV (SPEC §6), for machines.
    Csv,
    /// CSV for Belgian Excel, for people.
    CsvExcel,
    /// XLSX, for people.
    Xlsx,
}

impl Format {
    /// The `format` parameter: `csv`, `csv-excel` or `xlsx`; anything else (or nothing) is an
    /// error on `format`.
    pub fn parse(raw: Option<&str>) -> Result<Format, FieldError> {
        match raw.map(str::trim) {
            Some("csv") => Ok(Format::Csv),
            Some("csv-excel") => Ok(Format::CsvExcel),
            Some("xlsx") => Ok(Format::Xlsx),
            None | Some("") => Err(FieldError::field(
                "format",
                "format_required",
                "format is required: csv, csv-excel or xlsx",
            )),
            Some(_) => Err(FieldError::field(
                "format",
                "format_unknown",
                "format must be csv, csv-excel or xlsx",
            )),
        }
    }

    /// True for the formats people read (translated, euros, product names); false for the
    /// API's CSV.
    pub fn for_people(self) -> bool {
        self != Format::Csv
    }

    /// What this format writes: the contract's `table`, or the people's spreadsheet (made
    /// only when it is the one asked for).
    pub fn layout(self, table: Table, people: impl FnOnce() -> Spreadsheet) -> Layout {
        match self {
            Format::Csv => Layout::Csv(table),
            Format::CsvExcel => Layout::CsvExcel(people()),
            Format::Xlsx => Layout::Xlsx(people()),
        }
    }
}

/// A download's format with the description of its columns.
#[derive(Debug, Clone)]
pub enum Layout {
    Csv(Table),
    CsvExcel(Spreadsheet),
    Xlsx(Spreadsheet),
}

impl Layout {
    /// The file name's ending: the CSV for Excel has a name of its own beside the plain one.
    fn file_suffix(&self) -> &'static str {
        match self {
            Layout::Csv(_) => ".csv",
            Layout::CsvExcel(_) => "-excel.csv",
            Layout::Xlsx(_) => ".xlsx",
        }
    }

    fn content_type(&self) -> &'static str {
        match self {
            Layout::Csv(_) | Layout::CsvExcel(_) => "text/csv; charset=utf-8",
            Layout::Xlsx(_) => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A stream of rows from a channel fed by a use case (for instance a database read running
/// on its own connection), each item turned into cells by `cells`. The channel is bounded by
/// its sender, so at most its capacity is held in memory.
pub fn rows_from<T: Send + 'static>(
    rx: mpsc::Receiver<Result<T, AppError>>,
    cells: impl FnMut(T) -> Vec<Cell> + Send + 'static,
) -> Rows {
    let mut cells = cells;
    futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
    .map(move |item| item.map(&mut cells))
    .boxed()
}

/// The response of a download: `file_stem` plus the layout's ending (`.csv`, `-excel.csv`,
/// `.xlsx`) is the file name offered to the browser (keep it to ASCII letters, digits, `-`
/// and `_`). `running` is kept in the body until it ends (see the module's documentation).
pub fn download(layout: Layout, file_stem: &str, rows: Rows, running: Running) -> Response {
    let rows = counted(rows, running.row_counter());
    let suffix = layout.file_suffix();
    let content_type = layout.content_type();
    let bytes: BoxStream<'static, Result<Bytes, io::Error>> = match layout {
        Layout::Csv(table) => csv_body(Dialect::Contract, table.columns, rows).boxed(),
        Layout::CsvExcel(sheet) => {
            let header: Vec<String> = sheet.columns.into_iter().map(|c| c.header).collect();
            csv_body(Dialect::Excel, &header, rows).boxed()
        }
        Layout::Xlsx(sheet) => {
            let disk = TempDisk {
                dir: running.temp_dir().to_path_buf(),
                max_bytes: running.limits().xlsx_temp_max_bytes,
            };
            xlsx_body(sheet, rows, disk).boxed()
        }
    };
    let body = Body::from_stream(until_end(bytes, running));
    let name: String = file_stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let disposition = format!("attachment; filename=\"{name}{suffix}\"");
    let mut r = body.into_response();
    let headers = r.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The rows, each one pulled counted on `counter` (what the export's audit event reports).
fn counted(rows: Rows, counter: Arc<AtomicU64>) -> Rows {
    rows.inspect(move |row| {
        if row.is_ok() {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    })
    .boxed()
}

/// The body's bytes with the export's place kept until they end: [`Running::finish`] runs
/// before the end is passed on (so the last chunk follows the audit event), or before a
/// failure is (the transfer is then aborted). Dropped half-way, `running` is dropped with it.
fn until_end(
    bytes: BoxStream<'static, Result<Bytes, io::Error>>,
    running: Running,
) -> impl Stream<Item = Result<Bytes, io::Error>> + Send {
    futures::stream::unfold(Some((bytes, running)), |state| async move {
        let (mut bytes, running) = state?;
        match bytes.next().await {
            Some(Ok(chunk)) => Some((Ok(chunk), Some((bytes, running)))),
            Some(Err(e)) => {
                running.finish(End::Failed(e.to_string())).await;
                Some((Err(e), None))
            }
            None => {
                running.finish(End::Complete).await;
                None
            }
        }
    })
}

/// The error a failed download's body ends with (the connection is then aborted).
fn body_error(e: &AppError) -> io::Error {
    if let AppError::Internal { what, site, .. } = e {
        let causes = crate::error::causes(e);
        tracing::error!(error = %what, %site, causes, "export failed");
    } else {
        tracing::warn!(error = %e, "export failed");
    }
    io::Error::other(e.to_string())
}

// ---------------------------------------------------------------------------------------
// CSV

/// Rows that are ready are encoded together, up to this many per chunk of the body.
const CSV_BATCH: usize = 256;

fn csv_body<S: AsRef<str>>(
    dialect: Dialect,
    header: &[S],
    rows: Rows,
) -> impl Stream<Item = Result<Bytes, io::Error>> + Send + use<S> {
    let mut encoder = CsvEncoder::with(dialect);
    let header = encoder
        .header(header)
        .and_then(|()| encoder.take())
        .map(Bytes::from)
        .map_err(|e| body_error(&AppError::internal(format!("csv: {e}"))));
    let body = rows.ready_chunks(CSV_BATCH).map(move |batch| {
        for row in batch {
            let row = row.map_err(|e| body_error(&e))?;
            encoder
                .row(&row)
                .map_err(|e| body_error(&AppError::internal(format!("csv: {e}"))))?;
        }
        encoder
            .take()
            .map(Bytes::from)
            .map_err(|e| body_error(&AppError::internal(format!("csv: {e}"))))
    });
    futures::stream::once(async move { header }).chain(body)
}

// ---------------------------------------------------------------------------------------
// XLSX

/// The XLSX writer's failure in the portal's vocabulary: a cap passed is 413 with the setting
/// that sets it, the rows' own error stays what it was, the writer's is internal.
fn xlsx_failure(e: XlsxError<AppError>) -> AppError {
    match e {
        XlsxError::Rows(e) => e,
        XlsxError::TempDiskExceeded { max_bytes } => AppError::PayloadTooLarge(format!(
            "the XLSX file would need more than {max_bytes} bytes of temporary disk \
             (COLLECTSTAMP_EXPORT_TEMP_MAX_BYTES): narrow the filter or download CSV"
        )),
        XlsxError::Write(detail) => AppError::internal(detail),
    }
}

/// Size of the chunks read back from the finished XLSX file.
const FILE_CHUNK: usize = 64 * 1024;

fn xlsx_body(
    sheet: Spreadsheet,
    rows: Rows,
    disk: TempDisk,
) -> impl Stream<Item = Result<Bytes, io::Error>> + Send {
    let built = async move {
        let handle = tokio::runtime::Handle::current();
        let file = tokio::task::spawn_blocking(move || {
            let temporary = |e: io::Error| AppError::internal(format!("temporary file: {e}"));
            std::fs::create_dir_all(&disk.dir).map_err(temporary)?;
            let file = tempfile::NamedTempFile::new_in(&disk.dir).map_err(temporary)?;
            let mut rows = rows;
            let pulled = std::iter::from_fn(|| handle.block_on(rows.next()));
            let out = io::BufWriter::new(file.as_file());
            cs_documents::write_xlsx(&sheet, pulled, out, &disk).map_err(xlsx_failure)?;
            Ok::<_, AppError>(file)
        })
        .await
        .map_err(|e| body_error(&AppError::internal(format!("xlsx task: {e}"))))?
        .map_err(|e| body_error(&e))?;
        let reader = tokio::fs::File::open(file.path()).await?;
        // The temporary file lives as long as the body reads it, then is deleted.
        Ok::<_, io::Error>((reader, file))
    };
    futures::stream::once(built)
        .map(|opened| match opened {
            Ok(state) => file_chunks(state).left_stream(),
            Err(e) => futures::stream::once(async move { Err(e) }).right_stream(),
        })
        .flatten()
}

fn file_chunks(
    state: (tokio::fs::File, tempfile::NamedTempFile),
) -> impl Stream<Item = Result<Bytes, io::Error>> + Send {
    use tokio::io::AsyncReadExt;
    futures::stream::try_unfold(state, |(mut reader, file)| async move {
        let mut buf = vec![0u8; FILE_CHUNK];
        let n = reader.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), (reader, file))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TABLE: Table = Table {
        sheet: "things",
        columns: &["name", "count", "day", "note"],
    };

    fn people() -> Spreadsheet {
        let column = |header: &str, kind, total| Column {
            header: header.into(),
            kind,
            total,
        };
        Spreadsheet {
            sheet: "Choses".into(),
            columns: vec![
                column("Nom", Kind::Text(20), Total::None),
                column("Nombre", Kind::Count, Total::Sum),
                column("Jour", Kind::Date, Total::None),
                column("Note", Kind::Text(10), Total::None),
            ],
            total_label: "Total".into(),
            lang: cs_domain::Language::Fr,
        }
    }

    fn layout(format: Format) -> Layout {
        format.layout(TABLE, people)
    }

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

    #[tokio::test]
    async fn csv_body_streams_every_row_and_fails_on_an_error() {
        let rows = futures::stream::iter(sample().into_iter().map(Ok)).boxed();
        let chunks: Vec<_> = csv_body(Dialect::Contract, TABLE.columns, rows)
            .collect()
            .await;
        let text: String = chunks
            .into_iter()
            .map(|c| String::from_utf8(c.unwrap().to_vec()).unwrap())
            .collect();
        assert_eq!(text.lines().count(), 3);
        assert!(text.starts_with("name,count,day,note\n"));

        let failing = futures::stream::iter(vec![
            Ok(sample().remove(0)),
            Err(AppError::internal("disk on fire")),
        ])
        .boxed();
        let chunks: Vec<_> = csv_body(Dialect::Contract, TABLE.columns, failing)
            .collect()
            .await;
        assert!(
            chunks.iter().any(Result::is_err),
            "the error reaches the body"
        );
    }

    #[test]
    fn formats_are_csv_csv_excel_or_xlsx() {
        assert_eq!(Format::parse(Some("csv")), Ok(Format::Csv));
        assert_eq!(Format::parse(Some("csv-excel")), Ok(Format::CsvExcel));
        assert_eq!(Format::parse(Some(" xlsx ")), Ok(Format::Xlsx));
        assert!(!Format::Csv.for_people());
        assert!(Format::CsvExcel.for_people() && Format::Xlsx.for_people());
        for bad in [None, Some(""), Some("pdf"), Some("CSV"), Some("csv_excel")] {
            let e = Format::parse(bad).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("format"), "{bad:?}");
            assert!(
                e.message.contains("csv, csv-excel or xlsx"),
                "{bad:?}: {}",
                e.message
            );
        }
    }

    #[test]
    fn xlsx_failures_keep_their_codes_and_words() {
        let dir = tempfile::tempdir().unwrap();
        let disk = TempDisk {
            dir: dir.path().to_path_buf(),
            max_bytes: 64 * 1024,
        };
        let many = (0..2_000).map(|i| Ok(vec![Cell::Text(format!("recipient {i}")); 4]));
        let e = cs_documents::write_xlsx(&people(), many, Vec::new(), &disk).unwrap_err();
        let e = xlsx_failure(e);
        assert_eq!(e.code(), "payload_too_large");
        assert_eq!(
            e.to_string(),
            "the XLSX file would need more than 65536 bytes of temporary disk \
             (COLLECTSTAMP_EXPORT_TEMP_MAX_BYTES): narrow the filter or download CSV"
        );
        let failing = vec![Ok(sample().remove(0)), Err(AppError::internal("gone"))];
        let e = cs_documents::write_xlsx(&people(), failing.into_iter(), Vec::new(), &disk);
        assert_eq!(xlsx_failure(e.unwrap_err()).code(), "internal");
        let e = xlsx_failure(XlsxError::Write("xlsx: broken".into()));
        assert!(matches!(e, AppError::Internal { ref what, .. } if what == "xlsx: broken"));
    }

    fn permit() -> Running {
        let limiter = std::sync::Arc::new(cs_app::exports::Limiter::new(
            cs_app::exports::Limits::default(),
        ));
        let dir = std::env::temp_dir().join("cs-web-export-tests");
        Running::new(
            limiter.try_acquire(cs_domain::CustomerId::new(1)).unwrap(),
            dir,
        )
    }

    fn failing_half_way() -> Rows {
        let rows = (0..300).map(|i| Ok(vec![Cell::Int(i)]));
        futures::stream::iter(rows)
            .chain(futures::stream::once(async {
                Err(AppError::internal("the database went away"))
            }))
            .boxed()
    }

    #[tokio::test]
    async fn a_failure_half_way_makes_the_body_fail_not_end() {
        for format in [Format::Csv, Format::CsvExcel, Format::Xlsx] {
            let r = download(layout(format), "x", failing_half_way(), permit());
            let mut body = r.into_body().into_data_stream();
            let mut got = 0;
            let mut failed = false;
            while let Some(chunk) = body.next().await {
                match chunk {
                    Ok(c) => got += c.len(),
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            assert!(
                failed,
                "{format:?}: the body ends with an error, not an end"
            );
            if format != Format::Xlsx {
                assert!(got > 0, "the CSV had started");
            }
        }
    }

    /// Over a real connection: a body that fails after its first bytes is cut without the
    /// final chunk of chunked encoding, so no client can take the part for a whole file.
    #[tokio::test]
    async fn a_failed_body_never_sends_the_final_chunk() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        for (format, fail) in [
            (Format::Csv, true),
            (Format::Xlsx, true),
            (Format::Csv, false),
        ] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // One handler served as it is (not a router: routes belong to the policy table).
            let app = axum::routing::get(move || async move {
                let rows = if fail {
                    failing_half_way()
                } else {
                    futures::stream::iter(sample().into_iter().map(Ok)).boxed()
                };
                download(layout(format), "x", rows, permit())
            });
            let server =
                tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
            let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
            c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .await
                .unwrap();
            let mut raw = Vec::new();
            // Read until the server closes the connection (failure) or the last chunk came.
            let mut buf = [0u8; 8192];
            loop {
                let n = c.read(&mut buf).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                raw.extend_from_slice(&buf[..n]);
                if raw.ends_with(b"\r\n0\r\n\r\n") {
                    break;
                }
            }
            server.abort();
            let text = String::from_utf8_lossy(&raw);
            let whole = raw.ends_with(b"\r\n0\r\n\r\n");
            if fail {
                // Either the connection closes before anything was flushed (the XLSX file
                // failed before its first byte) or the head and some chunks came: never the
                // end of the body.
                assert!(!whole, "{format:?}: a failed body ended normally:\n{text}");
                assert!(raw.is_empty() || text.starts_with("HTTP/1.1 200"), "{text}");
            } else {
                assert!(whole && text.starts_with("HTTP/1.1 200"), "{text}");
                assert!(text.contains("transfer-encoding: chunked"), "{text}");
            }
        }
    }

    #[tokio::test]
    async fn rows_from_a_channel_keep_their_order() {
        let (tx, rx) = mpsc::channel(2);
        tokio::spawn(async move {
            for i in 0..10_i64 {
                if tx.send(Ok(i)).await.is_err() {
                    break;
                }
            }
        });
        let rows: Vec<_> = rows_from(rx, |i| vec![Cell::Int(i)]).collect().await;
        let got: Vec<_> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(got, (0..10).map(|i| vec![Cell::Int(i)]).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn downloads_are_attachments_named_after_the_filter() {
        let rows = futures::stream::iter(sample().into_iter().map(Ok)).boxed();
        let r = download(
            layout(Format::Csv),
            "things-2026-11-01-2026-11-30",
            rows,
            permit(),
        );
        assert_eq!(
            r.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"things-2026-11-01-2026-11-30.csv\""
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let rows = futures::stream::iter(sample().into_iter().map(Ok)).boxed();
        let r = download(layout(Format::Xlsx), "x\"; evil=1", rows, permit());
        assert_eq!(
            r.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"xevil1.xlsx\""
        );
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        assert!(body.starts_with(b"PK"));
    }

    #[tokio::test]
    async fn the_csv_for_excel_has_a_name_of_its_own_and_the_translated_header() {
        let rows = futures::stream::iter(sample().into_iter().map(Ok)).boxed();
        let r = download(
            layout(Format::CsvExcel),
            "things-2026-11-01-2026-11-30",
            rows,
            permit(),
        );
        assert_eq!(
            r.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"things-2026-11-01-2026-11-30-excel.csv\""
        );
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
        let body = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        assert_eq!(
            text,
            "\u{feff}Nom;Nombre;Jour;Note\r\n'=SUM(A1:A9);-5;03/11/2026;\r\n\
             \"Quote \"\"and\"\", comma\";1234567;31/01/2026;Élodie\r\n"
        );
    }
}

//! The importer's reader thread: reads the file as CSV on a blocking thread, hashing it and
//! telling each record's line, checks the header and parses every row (`cs_domain::feeds`).

use super::{BATCH, LineError, Progress, ReadFailure};
use cs_domain::feeds::{self, ColumnMap, FeedKind, FeedRecord, FieldProblem};
use sha2::{Digest, Sha256};
use std::{collections::VecDeque, io::Read, sync::Arc};
use tokio::sync::mpsc::Sender;

#[allow(
    clippy::large_enum_variant,
    reason = "most rows are good: boxing them would cost an allocation each for the rare bad one's sake"
)]
pub(super) enum Parsed {
    Row(u64, FeedRecord),
    Bad(u64, Vec<FieldProblem>),
}

pub(super) enum FromReader {
    Header(Result<ColumnMap, Vec<LineError>>),
    Rows(Vec<Parsed>),
    End { sha256: String },
    Failed(ReadFailure),
}

/// A reader that hashes what passes through it and notes where its line feeds are, so that
/// a record's line can be told from its byte offset. (The csv reader's own line count is one
/// short after every CRLF line end, as Windows exports write them.)
struct Hashing<R> {
    inner: R,
    sha: Sha256,
    /// Bytes passed through so far.
    passed: u64,
    /// Offsets of the line feeds passed through but not yet before a record asked about:
    /// at most a read-ahead buffer's worth.
    newlines: VecDeque<u64>,
    /// Line feeds before the last record asked about.
    lines_before: u64,
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            sha: Sha256::new(),
            passed: 0,
            newlines: VecDeque::new(),
            lines_before: 0,
        }
    }

    /// The line (from 1) of a record starting at `offset`; offsets must not decrease between
    /// calls. A line feed at the offset itself counts as before it: after a CRLF the csv
    /// reader places the next record on the LF, and no record starts with a line feed.
    fn line_at(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|at| *at <= offset) {
            self.newlines.pop_front();
            self.lines_before += 1;
        }
        self.lines_before + 1
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = &buf[..n];
        self.sha.update(read);
        for (i, b) in read.iter().enumerate() {
            if *b == b'\n' {
                self.newlines.push_back(self.passed + i as u64);
            }
        }
        self.passed += n as u64;
        Ok(n)
    }
}

/// The error a [`super::Feeder`] hands the reader when the file passes its limit.
#[derive(Debug, thiserror::Error)]
#[error("the file is larger than the limit of {0} bytes")]
pub(super) struct OverLimit(pub(super) u64);

fn read_failure(e: &std::io::Error) -> ReadFailure {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<OverLimit>())
    {
        Some(OverLimit(limit)) => ReadFailure::TooLarge(*limit),
        None => ReadFailure::Io(e.to_string()),
    }
}

fn csv_failure(e: csv::Error) -> ReadFailure {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => read_failure(&io),
        other => ReadFailure::Io(format!("{other:?}")),
    }
}

type Reader = csv::Reader<Hashing<Box<dyn Read + Send>>>;

/// Reads and parses the whole file on the calling (blocking) thread, sending batches.
pub(super) fn read_file(
    kind: FeedKind,
    source: Box<dyn Read + Send>,
    tx: &Sender<FromReader>,
    progress: &Arc<dyn Progress>,
) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(Hashing::new(source));
    let mut record = csv::ByteRecord::new();
    let send = |msg| tx.blocking_send(msg).is_ok();
    let header = match reader.read_byte_record(&mut record) {
        Err(e) => {
            send(FromReader::Failed(csv_failure(e)));
            return;
        }
        Ok(false) => Err(vec![empty_file(kind)]),
        Ok(true) => header(kind, &record),
    };
    let map = match header {
        Ok(map) => map,
        Err(errors) => {
            send(FromReader::Header(Err(errors)));
            return;
        }
    };
    if !send(FromReader::Header(Ok(map.clone()))) {
        return;
    }
    if let Some(rows) = read_rows(&mut reader, &mut record, &map, &send, progress.as_ref()) {
        progress.advance(reader.position().byte(), rows);
        send(FromReader::End {
            sha256: hex::encode(reader.into_inner().sha.finalize()),
        });
    }
}

fn empty_file(kind: FeedKind) -> LineError {
    LineError {
        line: 1,
        column: "*".into(),
        code: "file_empty".into(),
        message: format!(
            "the file is empty: a header line with the columns of a {kind} file is expected"
        ),
        remedy: None,
        args: super::problems::args_of(&[("kind", kind.as_str().to_owned())]),
    }
}

/// The header line checked against the kind's columns.
fn header(kind: FeedKind, record: &csv::ByteRecord) -> Result<ColumnMap, Vec<LineError>> {
    let mut names = Vec::with_capacity(record.len());
    let mut bad = Vec::new();
    for (i, field) in record.iter().enumerate() {
        match std::str::from_utf8(field) {
            Ok(s) => names.push(s),
            Err(_) => bad.push(LineError {
                line: 1,
                column: format!("#{}", i + 1),
                code: "invalid_utf8".into(),
                message: "the header is not valid UTF-8".into(),
                remedy: None,
                args: super::problems::args_of(&[]),
            }),
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    feeds::map_header(kind, &names).map_err(|problems| {
        problems
            .iter()
            .map(|p| LineError {
                line: 1,
                column: p.column().to_owned(),
                code: p.code().to_owned(),
                message: p.to_string(),
                remedy: None,
                args: super::problems::args_of(&p.args()),
            })
            .collect()
    })
}

/// Reads the rows after the header, sending them in batches; the number of rows, or `None`
/// when the file failed or the importer stopped listening.
fn read_rows(
    reader: &mut Reader,
    record: &mut csv::ByteRecord,
    map: &ColumnMap,
    send: &impl Fn(FromReader) -> bool,
    progress: &dyn Progress,
) -> Option<u64> {
    let mut batch = Vec::with_capacity(BATCH);
    let mut rows = 0u64;
    loop {
        match reader.read_byte_record(record) {
            Err(e) => {
                send(FromReader::Failed(csv_failure(e)));
                return None;
            }
            Ok(false) => break,
            Ok(true) => {}
        }
        let offset = record.position().map_or(0, |p| p.byte());
        let line = reader.get_mut().line_at(offset);
        batch.push(parse(map, record, line));
        rows += 1;
        if batch.len() == BATCH {
            progress.advance(offset, rows);
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if !send(FromReader::Rows(full)) {
                return None;
            }
        }
    }
    if !batch.is_empty() && !send(FromReader::Rows(batch)) {
        return None;
    }
    Some(rows)
}

/// One record parsed into its kind's row, or every problem of its fields.
fn parse(map: &ColumnMap, record: &csv::ByteRecord, line: u64) -> Parsed {
    let mut fields: Vec<&str> = Vec::with_capacity(map.width());
    let mut utf8 = Vec::new();
    for (i, field) in record.iter().enumerate() {
        if let Ok(s) = std::str::from_utf8(field) {
            fields.push(s);
        } else {
            let column = map.columns_in_file_order().get(i).copied().unwrap_or("*");
            utf8.push(FieldProblem {
                column,
                message: "not valid UTF-8".into(),
                code: "invalid_utf8",
                args: Vec::new(),
            });
            fields.push("");
        }
    }
    if !utf8.is_empty() {
        return Parsed::Bad(line, utf8);
    }
    match feeds::parse_row(map.kind(), map, &fields) {
        Ok(r) => Parsed::Row(line, r),
        Err(problems) => Parsed::Bad(line, problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_told_from_byte_offsets_whatever_the_line_ends() {
        let text = b"h1,h2\r\na,\"two\r\nlines\"\r\nb,c\r\n";
        let mut r = Hashing::new(&text[..]);
        let mut sink = Vec::new();
        r.read_to_end(&mut sink).unwrap();
        assert_eq!(r.line_at(0), 1);
        assert_eq!(r.line_at(7), 2); // "a,\"two" starts after the header's CRLF
        assert_eq!(r.line_at(22), 4); // on the LF of a CRLF, as the csv reader places it
        assert_eq!(r.line_at(23), 4); // "b,c" after the quoted line break
    }
}

//! The feed importer (SPEC §4, ADR 0004), one use case for the CLI and the API: read a CSV file
//! as a stream, check it, stage it, publish it all or nothing, and record the run.
//!
//! A blocking thread reads and parses (`cs_domain::feeds`); this task resolves references,
//! stages rows on a connection of their own, runs the set checks, and only then takes the write
//! lock for one short transaction. Memory is bounded whatever the file's size.

use crate::{
    App, AppError, RequestMeta,
    audit::{self, Who},
    error::AppResult,
};
use cs_domain::feeds::{self, ColumnMap, FeedKind, FeedRecord, FieldProblem};
use cs_store::{
    repo::import_runs,
    staging::{self, StagedRow, Staging, Table, Value},
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::{
    collections::{BinaryHeap, HashMap},
    fmt,
    io::Read,
    sync::Arc,
    time::Instant,
};

/// The most errors an answer lists; the rest are counted.
pub const MAX_LISTED: usize = 1000;
/// Rows per message from the reader thread and per staging call.
const BATCH: usize = 2000;
/// Messages in flight between the reader and the stager.
const CHANNEL: usize = 4;

pub mod actions {
    pub const COMPLETED: &str = "import.completed";
    pub const REJECTED: &str = "import.rejected";
}

/// One problem of a file: `line N, column C: what is wrong`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LineError {
    pub line: u64,
    pub column: String,
    /// A stable code (`quantity_out_of_range`, `unknown_reference`, …); runs recorded before
    /// codes were kept read back as `invalid_row`.
    #[serde(default = "invalid_row")]
    pub code: String,
    pub message: String,
}

fn invalid_row() -> String {
    "invalid_row".to_owned()
}

impl LineError {
    /// The error detail a client receives: `{line, column, code, message}`.
    pub fn detail(&self) -> crate::FieldError {
        crate::FieldError {
            field: None,
            line: Some(self.line),
            column: Some(self.column.clone()),
            code: self.code.clone(),
            message: self.message.clone(),
        }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&feeds::line_error(self.line, &self.column, &self.message))
    }
}

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
            write!(f, "; write lock held {:.3} s", ms as f64 / 1000.0)?;
        }
        Ok(())
    }
}

/// A file refused as a whole: nothing was changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub kind: &'static str,
    pub rows_read: u64,
    /// At most [`MAX_LISTED`], by line.
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

/// The steps of an import, as a progress display shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Reading,
    Checking,
    /// The write lock is taken.
    Publishing,
    /// Everything is written; the commit follows.
    Committing,
    Done,
}

/// Progress reports of a running import (a terminal bar, plain lines, or nothing).
pub trait Progress: Send + Sync {
    fn phase(&self, _phase: Phase) {}
    /// Bytes of the file read so far and rows parsed so far.
    fn advance(&self, _bytes: u64, _rows: u64) {}
}

/// No progress reports.
pub struct Silent;
impl Progress for Silent {}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Check and report, change nothing.
    pub dry_run: bool,
    /// Replace stored rows whose key the file gives with other values.
    pub update: bool,
    /// Recorded with the run.
    pub file_name: String,
}

/// Why the file could not be read at all (as opposed to bad content).
#[derive(Debug, thiserror::Error)]
pub enum ReadFailure {
    #[error("the file is larger than the limit of {0} bytes")]
    TooLarge(u64),
    #[error("the file could not be read: {0}")]
    Io(String),
}

impl From<ReadFailure> for AppError {
    fn from(e: ReadFailure) -> Self {
        match e {
            ReadFailure::TooLarge(_) => AppError::PayloadTooLarge(e.to_string()),
            ReadFailure::Io(_) => {
                AppError::bad_request(crate::ErrorCode::FileUnreadable, e.to_string())
            }
        }
    }
}

/// The staging table of a kind.
pub fn table(kind: FeedKind) -> &'static Table {
    match kind {
        FeedKind::Customers => &staging::CUSTOMERS,
        FeedKind::CostCentres => &staging::COST_CENTRES,
        FeedKind::CollectionPoints => &staging::COLLECTION_POINTS,
        FeedKind::Products => &staging::PRODUCTS,
        FeedKind::Transactions => &staging::TRANSACTIONS,
        FeedKind::RegisteredItems => &staging::REGISTERED_ITEMS,
    }
}

// ---------------------------------------------------------------------------------------------
// Errors, kept as the first MAX_LISTED by (line, column position) whatever order they come in.

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    line: u64,
    position: usize,
    column: String,
    code: String,
    message: String,
}

#[derive(Default)]
struct Errors {
    kept: BinaryHeap<Ranked>,
    count: u64,
}

impl Errors {
    fn add(&mut self, line: u64, position: usize, column: &str, code: &str, message: String) {
        self.count += 1;
        if self.kept.len() == MAX_LISTED {
            match self.kept.peek() {
                Some(worst) if (line, position) < (worst.line, worst.position) => {
                    self.kept.pop();
                }
                _ => return,
            }
        }
        self.kept.push(Ranked {
            line,
            position,
            column: column.to_owned(),
            code: code.to_owned(),
            message,
        });
    }

    fn into_list(self) -> Vec<LineError> {
        self.kept
            .into_sorted_vec()
            .into_iter()
            .map(|r| LineError {
                line: r.line,
                column: r.column,
                code: r.code,
                message: r.message,
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The reader thread

// Most rows are good: boxing them would cost an allocation each for the rare bad one's sake.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Row(u64, FeedRecord),
    Bad(u64, Vec<FieldProblem>),
}

enum FromReader {
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
    newlines: std::collections::VecDeque<u64>,
    /// Line feeds before the last record asked about.
    lines_before: u64,
}

impl<R> Hashing<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            sha: Sha256::new(),
            passed: 0,
            newlines: std::collections::VecDeque::new(),
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

/// The error a [`Feeder`] hands the reader when the file passes its limit.
#[derive(Debug, thiserror::Error)]
#[error("the file is larger than the limit of {0} bytes")]
struct OverLimit(u64);

fn read_failure(e: std::io::Error) -> ReadFailure {
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
        csv::ErrorKind::Io(io) => read_failure(io),
        other => ReadFailure::Io(format!("{other:?}")),
    }
}

/// Reads and parses the whole file on the calling (blocking) thread, sending batches.
fn read_file(
    kind: FeedKind,
    source: Box<dyn Read + Send>,
    tx: tokio::sync::mpsc::Sender<FromReader>,
    progress: Arc<dyn Progress>,
) {
    let hashing = Hashing::new(source);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(hashing);
    let mut record = csv::ByteRecord::new();
    let send = |msg| tx.blocking_send(msg).is_ok();

    let header = match reader.read_byte_record(&mut record) {
        Err(e) => {
            send(FromReader::Failed(csv_failure(e)));
            return;
        }
        Ok(false) => Err(vec![LineError {
            line: 1,
            column: "*".into(),
            code: "file_empty".into(),
            message: format!(
                "the file is empty: a header line with the columns of a {kind} file is expected"
            ),
        }]),
        Ok(true) => {
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
                    }),
                }
            }
            if bad.is_empty() {
                feeds::map_header(kind, &names).map_err(|problems| {
                    problems
                        .iter()
                        .map(|p| LineError {
                            line: 1,
                            column: p.column().to_owned(),
                            code: p.code().to_owned(),
                            message: p.to_string(),
                        })
                        .collect()
                })
            } else {
                Err(bad)
            }
        }
    };
    let map = match header {
        Ok(map) => {
            if !send(FromReader::Header(Ok(map.clone()))) {
                return;
            }
            map
        }
        Err(errors) => {
            send(FromReader::Header(Err(errors)));
            return;
        }
    };

    let mut batch = Vec::with_capacity(BATCH);
    let mut rows = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Err(e) => {
                send(FromReader::Failed(csv_failure(e)));
                return;
            }
            Ok(false) => break,
            Ok(true) => {}
        }
        let offset = record.position().map_or(0, |p| p.byte());
        let line = reader.get_mut().line_at(offset);
        let mut fields: Vec<&str> = Vec::with_capacity(map.width());
        let mut utf8 = Vec::new();
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(s) => fields.push(s),
                Err(_) => {
                    let column = map.columns_in_file_order().get(i).copied().unwrap_or("*");
                    utf8.push(FieldProblem {
                        column,
                        message: "not valid UTF-8".into(),
                        code: "invalid_utf8",
                    });
                    fields.push("");
                }
            }
        }
        let parsed = if utf8.is_empty() {
            match feeds::parse_row(kind, &map, &fields) {
                Ok(r) => Parsed::Row(line, r),
                Err(problems) => Parsed::Bad(line, problems),
            }
        } else {
            Parsed::Bad(line, utf8)
        };
        batch.push(parsed);
        rows += 1;
        if batch.len() == BATCH {
            let bytes = record.position().map_or(0, |p| p.byte());
            progress.advance(bytes, rows);
            if !send(FromReader::Rows(std::mem::replace(
                &mut batch,
                Vec::with_capacity(BATCH),
            ))) {
                return;
            }
        }
    }
    if !batch.is_empty() && !send(FromReader::Rows(batch)) {
        return;
    }
    let bytes = reader.position().byte();
    progress.advance(bytes, rows);
    let hashing = reader.into_inner();
    send(FromReader::End {
        sha256: hex::encode(hashing.sha.finalize()),
    });
}

// ---------------------------------------------------------------------------------------------
// A file that arrives in chunks (an HTTP body, an upload)

/// The async side of [`channel_source`]: hands chunks to the importer's reader thread and
/// stops the file at the size limit.
pub struct Feeder {
    tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    sent: u64,
    limit: u64,
}

impl Feeder {
    /// Passes a chunk on; false when the reader wants no more (it stopped, or the limit was
    /// passed and the reader was told so).
    pub async fn send(&mut self, chunk: &[u8]) -> bool {
        self.sent = self.sent.saturating_add(chunk.len() as u64);
        if self.sent > self.limit {
            let e = std::io::Error::new(std::io::ErrorKind::FileTooLarge, OverLimit(self.limit));
            let _ = self.tx.send(Err(e)).await;
            return false;
        }
        self.tx.send(Ok(chunk.to_vec())).await.is_ok()
    }

    /// The file broke off (the client went away): the reader fails with `message`.
    pub async fn fail(&self, message: String) {
        let _ = self.tx.send(Err(std::io::Error::other(message))).await;
    }
}

/// A blocking reader over chunks sent by a [`Feeder`]; the end of the file is the feeder
/// being dropped.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.chunk.len() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Err(e)) => return Err(e),
                Some(Ok(chunk)) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A source for [`import`] fed from async code, at most `limit` bytes.
pub fn channel_source(limit: u64) -> (Feeder, Box<dyn Read + Send>) {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let reader = ChannelReader {
        rx,
        chunk: Vec::new(),
        at: 0,
    };
    (Feeder { tx, sent: 0, limit }, Box::new(reader))
}

/// The feed kind named in a path: an unknown one is a 404, like an unknown page.
pub fn kind_of_path(name: &str) -> AppResult<FeedKind> {
    name.parse().map_err(|_| AppError::NotFound)
}

/// [`import`] for a signed-in operator (the API and the upload page).
pub async fn import_as(
    app: &App,
    actor: &crate::Actor,
    meta: &RequestMeta,
    kind: FeedKind,
    source: Box<dyn Read + Send>,
    options: &Options,
) -> AppResult<Outcome> {
    actor.require_operator()?;
    import(
        app,
        &Who::actor(actor),
        meta,
        kind,
        source,
        options,
        Arc::new(Silent),
    )
    .await
}

/// One page of import runs.
#[derive(Debug, Clone)]
pub struct RunPage {
    pub items: Vec<import_runs::ImportRunRow>,
    pub next_cursor: Option<String>,
}

/// The latest import runs, newest first (the back office's list).
pub async fn runs(
    app: &App,
    actor: &crate::Actor,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<RunPage> {
    actor.require_operator()?;
    let mut errors = Vec::new();
    let limit = crate::paging::limit(limit, &mut errors);
    let before = crate::paging::id_cursor(cursor, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut conn = app.store.acquire().await?;
    let mut rows = import_runs::list(&mut conn.conn(), before, limit + 1).await?;
    let more = crate::paging::cut(&mut rows, limit);
    let next_cursor = more
        .then(|| rows.last().map(|r| r.id.to_string()))
        .flatten();
    Ok(RunPage {
        items: rows,
        next_cursor,
    })
}

/// One import run with its report.
pub async fn run(app: &App, actor: &crate::Actor, id: i64) -> AppResult<import_runs::ImportRunRow> {
    actor.require_operator()?;
    let mut conn = app.store.acquire().await?;
    import_runs::by_id(&mut conn.conn(), id)
        .await?
        .ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------------------------------------
// References

/// The keys a file's codes resolve to, loaded once: bounded by the reference data, not the file.
#[derive(Default)]
struct Refs {
    customers: HashMap<String, i64>,
    points: HashMap<(i64, String), i64>,
    centres: HashMap<(i64, String), i64>,
    products: HashMap<String, (i64, String)>,
}

impl Refs {
    async fn load(app: &App, kind: FeedKind) -> AppResult<Self> {
        let mut refs = Refs::default();
        let mut conn = app.store.acquire().await?;
        let mut c = conn.conn();
        if !matches!(kind, FeedKind::Customers | FeedKind::Products) {
            refs.customers = import_runs::customer_keys(&mut c)
                .await?
                .into_iter()
                .collect();
        }
        if matches!(kind, FeedKind::Transactions | FeedKind::RegisteredItems) {
            refs.points = import_runs::collection_point_keys(&mut c)
                .await?
                .into_iter()
                .map(|(cust, code, id)| ((cust, code), id))
                .collect();
            refs.centres = import_runs::cost_centre_keys(&mut c)
                .await?
                .into_iter()
                .map(|(cust, code, id)| ((cust, code), id))
                .collect();
            refs.products = import_runs::product_keys(&mut c)
                .await?
                .into_iter()
                .map(|(code, id, kind)| (code, (id, kind)))
                .collect();
        }
        Ok(refs)
    }

    fn customer(&self, number: &str) -> Result<i64, (&'static str, String)> {
        self.customers.get(number).copied().ok_or_else(|| {
            (
                "customer_number",
                format!("no customer {number} (import it with the customers feed first)"),
            )
        })
    }

    /// Resolves a row into the staged values of its table, or the problems of its references.
    fn stage(
        &self,
        line: u64,
        record: FeedRecord,
    ) -> Result<StagedRow, Vec<(&'static str, String)>> {
        let text = Value::Text;
        let opt = |s: Option<String>| s.map_or(Value::Null, Value::Text);
        let values = match record {
            FeedRecord::Customer(r) => vec![
                text(r.customer_number.as_str().to_owned()),
                text(r.name),
                text(r.vat_number.as_str().to_owned()),
                text(r.language.code().to_owned()),
                text(r.street),
                text(r.postcode),
                text(r.city),
                text(r.country),
            ],
            FeedRecord::CostCentre(r) => {
                let customer = self
                    .customer(r.customer_number.as_str())
                    .map_err(|e| vec![e])?;
                vec![Value::Int(customer), text(r.code), text(r.name)]
            }
            FeedRecord::CollectionPoint(r) => {
                let customer = self
                    .customer(r.customer_number.as_str())
                    .map_err(|e| vec![e])?;
                vec![
                    Value::Int(customer),
                    text(r.code),
                    text(r.name),
                    text(r.street),
                    text(r.postcode),
                    text(r.city),
                ]
            }
            FeedRecord::Product(r) => {
                let [fr, nl, de, en] = r.names;
                vec![
                    text(r.code),
                    text(r.kind.as_str().to_owned()),
                    Value::Int(i64::from(r.vat_rate)),
                    text(fr),
                    text(nl),
                    text(de),
                    text(en),
                ]
            }
            FeedRecord::Transaction(r) => {
                let (customer, point, centre, product) = self.site(
                    r.customer_number.as_str(),
                    &r.collection_point,
                    r.cost_centre.as_deref(),
                    &r.product_code,
                    None,
                )?;
                vec![
                    text(r.transaction_id),
                    Value::Int(customer),
                    Value::Date(r.date),
                    Value::Int(point),
                    centre.map_or(Value::Null, Value::Int),
                    Value::Int(product),
                    opt(r.format.map(|f| f.as_str().to_owned())),
                    opt(r.weight_class),
                    opt(r.destination.map(|d| d.as_str().to_owned())),
                    Value::Int(r.quantity),
                    Value::Int(r.unit_price.0),
                    Value::Int(r.amount.0),
                ]
            }
            FeedRecord::RegisteredItem(r) => {
                let (customer, point, centre, product) = self.site(
                    r.customer_number.as_str(),
                    &r.collection_point,
                    r.cost_centre.as_deref(),
                    &r.product_code,
                    Some("registered"),
                )?;
                vec![
                    text(r.barcode.as_str().to_owned()),
                    Value::Int(customer),
                    Value::Date(r.deposit_date),
                    Value::Int(point),
                    centre.map_or(Value::Null, Value::Int),
                    Value::Int(product),
                    Value::Bool(r.acknowledgement),
                    text(r.recipient_name),
                    text(r.recipient_street),
                    text(r.recipient_postcode),
                    text(r.recipient_city),
                    text(r.recipient_country),
                ]
            }
        };
        Ok(StagedRow {
            line: i64::try_from(line).unwrap_or(i64::MAX),
            values,
        })
    }

    /// A transaction's or item's customer, collection point, cost centre and product ids.
    #[allow(clippy::type_complexity)]
    fn site(
        &self,
        customer: &str,
        point: &str,
        centre: Option<&str>,
        product: &str,
        product_kind: Option<&str>,
    ) -> Result<(i64, i64, Option<i64>, i64), Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let product_id = match self.products.get(product) {
            None => {
                problems.push((
                    "product_code",
                    format!("no product {product} in the catalogue"),
                ));
                None
            }
            Some((id, kind)) => match product_kind {
                Some(wanted) if kind != wanted => {
                    problems.push((
                        "product_code",
                        format!("product {product} is of kind {kind}, not {wanted}"),
                    ));
                    None
                }
                _ => Some(*id),
            },
        };
        let customer_id = match self.customer(customer) {
            Ok(id) => id,
            Err(e) => {
                problems.insert(0, e);
                return Err(problems);
            }
        };
        let point_id = self.points.get(&(customer_id, point.to_owned())).copied();
        if point_id.is_none() {
            problems.push((
                "collection_point",
                format!("no collection point {point} for customer {customer}"),
            ));
        }
        let centre_id = match centre {
            None => Some(None),
            Some(code) => match self.centres.get(&(customer_id, code.to_owned())) {
                Some(id) => Some(Some(*id)),
                None => {
                    problems.push((
                        "cost_centre",
                        format!("no cost centre {code} for customer {customer}"),
                    ));
                    None
                }
            },
        };
        match (point_id, centre_id, product_id) {
            (Some(p), Some(c), Some(pr)) if problems.is_empty() => Ok((customer_id, p, c, pr)),
            _ => Err(problems),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The use case

/// Imports `source` as a file of `kind`: all or nothing. Bad content is an `Ok(Rejected)` with
/// every problem by line and column; `Err` is for what is not the file's content (unreadable,
/// too large, database down).
pub async fn import(
    app: &App,
    who: &Who<'_>,
    meta: &RequestMeta,
    kind: FeedKind,
    source: Box<dyn Read + Send>,
    options: &Options,
    progress: Arc<dyn Progress>,
) -> AppResult<Outcome> {
    let options = &Options {
        file_name: clean_file_name(&options.file_name),
        ..options.clone()
    };
    let started_at = app.now();
    let clock = Instant::now();
    let table = table(kind);
    let refs = Refs::load(app, kind).await?;
    let mut staging = Staging::open(&app.store, table).await?;

    progress.phase(Phase::Reading);
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHANNEL);
    let reader_progress = progress.clone();
    let reader = tokio::task::spawn_blocking(move || read_file(kind, source, tx, reader_progress));

    let mut errors = Errors::default();
    let mut rows_read = 0u64;
    let mut sha256 = String::new();
    let mut pending: Vec<StagedRow> = Vec::with_capacity(BATCH);
    let mut header_ok = false;
    let position = |map: &ColumnMap, column: &str| {
        map.columns_in_file_order()
            .iter()
            .position(|c| *c == column)
            .unwrap_or(usize::MAX)
    };
    let mut map: Option<ColumnMap> = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            FromReader::Header(Ok(m)) => {
                header_ok = true;
                map = Some(m);
            }
            FromReader::Header(Err(list)) => {
                for (i, e) in list.into_iter().enumerate() {
                    errors.add(e.line, i, &e.column, &e.code, e.message);
                }
            }
            FromReader::Rows(batch) => {
                let Some(map) = &map else { continue };
                for parsed in batch {
                    rows_read += 1;
                    match parsed {
                        Parsed::Row(line, record) => match refs.stage(line, record) {
                            Ok(row) => pending.push(row),
                            Err(problems) => {
                                for (column, message) in problems {
                                    errors.add(
                                        line,
                                        position(map, column),
                                        column,
                                        "unknown_reference",
                                        message,
                                    );
                                }
                            }
                        },
                        Parsed::Bad(line, problems) => {
                            for p in problems {
                                errors.add(
                                    line,
                                    position(map, p.column),
                                    p.column,
                                    p.code,
                                    p.message,
                                );
                            }
                        }
                    }
                }
                if pending.len() >= BATCH {
                    staging.stage(&pending).await?;
                    pending.clear();
                }
            }
            FromReader::End { sha256: s } => sha256 = s,
            FromReader::Failed(failure) => return Err(failure.into()),
        }
    }
    reader
        .await
        .map_err(|e| AppError::Internal(format!("the import's reader stopped: {e}")))?;
    if !pending.is_empty() {
        staging.stage(&pending).await?;
        pending.clear();
    }
    drop(pending);

    tracing::debug!(
        kind = kind.as_str(),
        rows_read,
        seconds = clock.elapsed().as_secs_f64(),
        "import: read and staged"
    );
    progress.phase(Phase::Checking);
    let mut expected = staging::Checks::default();
    if header_ok {
        expected = staging.check(options.update, MAX_LISTED as i64).await?;
        let map = map.as_ref();
        let listed = expected.problems.len() as u64;
        for p in std::mem::take(&mut expected.problems) {
            let line = u64::try_from(p.line).unwrap_or(0);
            let at = map.map_or(0, |m| position(m, p.column));
            errors.add(line, at, p.column, p.code, p.message);
        }
        // Those listed were counted once by `add`; the rest only in the total.
        errors.count += expected.problem_count.saturating_sub(listed);
    }

    tracing::debug!(
        kind = kind.as_str(),
        seconds = clock.elapsed().as_secs_f64(),
        "import: checked"
    );
    let record = RunRecord {
        kind,
        options,
        who,
        sha256: &sha256,
        started_at,
        rows_read,
    };
    if errors.count > 0 {
        let error_count = errors.count;
        let list = errors.into_list();
        let import_id = if options.dry_run {
            None
        } else {
            Some(record.rejected(app, meta, &list, error_count).await?)
        };
        progress.phase(Phase::Done);
        return Ok(Outcome::Rejected(Rejection {
            kind: kind.as_str(),
            rows_read,
            errors: list,
            error_count,
            import_id,
        }));
    }

    let mut summary = Summary {
        kind: kind.as_str(),
        dry_run: options.dry_run,
        rows_read,
        inserted: expected.expected_new,
        already_present: rows_read
            .saturating_sub(expected.expected_new)
            .saturating_sub(expected.expected_changed),
        updated: expected.expected_changed,
        seconds: 0.0,
        rows_per_second: 0,
        lock_millis: None,
        import_id: None,
    };
    if !options.dry_run {
        progress.phase(Phase::Publishing);
        let locked = Instant::now();
        let mut publish = staging.publish().await?;
        // Nothing new (a file imported again): no need to probe every key under the lock.
        let inserted = if expected.expected_new > 0 {
            publish.insert_new(app.now()).await?
        } else {
            0
        };
        let updated = if options.update {
            publish.update_changed().await?
        } else {
            0
        };
        if inserted != expected.expected_new || updated != expected.expected_changed {
            // Another writer changed the same keys since the checks: roll back (on drop).
            return Err(AppError::Conflict {
                code: crate::ErrorCode::ImportConcurrentChange,
                message: "the same rows were changed by another import meanwhile; nothing was \
                          imported, run the import again"
                    .into(),
            });
        }
        let lock_so_far = millis(locked.elapsed());
        let id = record
            .imported(&mut publish.conn(), app, meta, &summary, lock_so_far)
            .await?;
        progress.phase(Phase::Committing);
        publish.commit().await?;
        summary.lock_millis = Some(millis(locked.elapsed()));
        summary.import_id = Some(id);
    }
    drop(staging);
    let seconds = clock.elapsed().as_secs_f64();
    summary.seconds = seconds;
    summary.rows_per_second = if seconds > 0.0 {
        (rows_read as f64 / seconds) as u64
    } else {
        rows_read
    };
    progress.phase(Phase::Done);
    Ok(Outcome::Imported(summary))
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What every run records, imported or rejected.
struct RunRecord<'a> {
    kind: FeedKind,
    options: &'a Options,
    who: &'a Who<'a>,
    sha256: &'a str,
    started_at: time::OffsetDateTime,
    rows_read: u64,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl RunRecord<'_> {
    fn details(&self, extra: serde_json::Value) -> serde_json::Value {
        let mut d = serde_json::json!({
            "file_name": self.options.file_name,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "update": self.options.update,
        });
        if let (Some(d), serde_json::Value::Object(extra)) = (d.as_object_mut(), extra) {
            d.extend(extra);
        }
        d
    }

    /// The run row and `import.completed`, in the publish transaction.
    async fn imported(
        &self,
        conn: &mut cs_store::Conn<'_>,
        app: &App,
        meta: &RequestMeta,
        s: &Summary,
        lock_millis: u64,
    ) -> AppResult<i64> {
        let now = app.now();
        let id = import_runs::insert(
            conn,
            &import_runs::NewImportRun {
                kind: self.kind.as_str(),
                file_name: &self.options.file_name,
                sha256: self.sha256,
                actor: self.who.name,
                actor_user_id: self.who.user_id,
                started_at: self.started_at,
                finished_at: now,
                outcome: "imported",
                rows_read: count(s.rows_read),
                inserted: count(s.inserted),
                already_present: count(s.already_present),
                updated: count(s.updated),
                error_count: 0,
                lock_millis: Some(count(lock_millis)),
                errors: "[]",
            },
        )
        .await?;
        let details = self.details(serde_json::json!({
            "import_id": id,
            "inserted": s.inserted,
            "already_present": s.already_present,
            "updated": s.updated,
        }));
        // Last: appending locks the audit chain's head until the commit.
        audit::record(
            conn,
            now,
            self.who,
            meta,
            actions::COMPLETED,
            ("import", self.kind.as_str()),
            details,
        )
        .await?;
        Ok(id)
    }

    /// The run row and `import.rejected`, in a short transaction of their own.
    async fn rejected(
        &self,
        app: &App,
        meta: &RequestMeta,
        list: &[LineError],
        error_count: u64,
    ) -> AppResult<i64> {
        let errors = serde_json::to_string(list)
            .map_err(|e| AppError::Internal(format!("import errors as JSON: {e}")))?;
        let now = app.now();
        let mut tx = app.store.begin().await?;
        let id = import_runs::insert(
            &mut tx.conn(),
            &import_runs::NewImportRun {
                kind: self.kind.as_str(),
                file_name: &self.options.file_name,
                sha256: self.sha256,
                actor: self.who.name,
                actor_user_id: self.who.user_id,
                started_at: self.started_at,
                finished_at: now,
                outcome: "rejected",
                rows_read: count(self.rows_read),
                inserted: 0,
                already_present: 0,
                updated: 0,
                error_count: count(error_count),
                lock_millis: None,
                errors: &errors,
            },
        )
        .await?;
        let details = self.details(serde_json::json!({
            "import_id": id,
            "error_count": error_count,
        }));
        audit::record(
            &mut tx.conn(),
            now,
            self.who,
            meta,
            actions::REJECTED,
            ("import", self.kind.as_str()),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}

/// The file name recorded with a run, as the client or the command line gave it: its last
/// path component, without control characters, at most 200 characters ("upload" if nothing
/// remains). It is shown on the operator's pages and in the audit trail.
fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "upload".to_owned()
    } else {
        clean.to_owned()
    }
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

    #[test]
    fn recorded_file_names_are_short_plain_and_never_empty() {
        assert_eq!(clean_file_name("C:\\fakepath\\feed.csv"), "feed.csv");
        assert_eq!(clean_file_name("/tmp/x/feed.csv"), "feed.csv");
        assert_eq!(clean_file_name("a\u{1b}[31mb\n.csv"), "a[31mb.csv");
        assert_eq!(clean_file_name("   "), "upload");
        assert_eq!(clean_file_name(&"x".repeat(5000)).chars().count(), 200);
    }

    #[test]
    fn thousands_groups_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn errors_keep_the_first_by_line_whatever_the_order() {
        let mut e = Errors::default();
        for line in (2..=(MAX_LISTED as u64 + 500)).rev() {
            e.add(line, 0, "date", "date_format", "bad".into());
        }
        e.add(1, 3, "quantity", "quantity_format", "late but first".into());
        assert_eq!(e.count, MAX_LISTED as u64 + 500);
        let list = e.into_list();
        assert_eq!(list.len(), MAX_LISTED);
        assert_eq!(list[0].line, 1);
        assert_eq!(list[1].line, 2);
        assert_eq!(list[MAX_LISTED - 1].line, MAX_LISTED as u64);
        assert_eq!(
            list[0].to_string(),
            "line 1, column quantity: late but first"
        );
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
}

//! The import use case, step by step: read and stage the file, run the set checks, then either
//! record the rejection or publish in the one short write transaction and record the run.

use super::{
    BATCH, CHANNEL, MAX_LISTED, Options, Outcome, Phase, Progress, Rejection, Summary,
    problems::{Errors, Found, set_check_args, set_check_message},
    reader::{FromReader, Parsed, read_file},
    refs::Refs,
    runs::{RunRecord, clean_file_name},
    spec::FeedSpec,
};
use crate::{App, AppError, RequestMeta, audit::Who, error::AppResult};
use cs_domain::feeds::{ColumnMap, FeedKind};
use cs_store::staging::{Checks, StagedRow, Staging};
use std::{sync::Arc, time::Instant};

/// Imports `source` as a file of `kind`: all or nothing. Bad content is an `Ok(Rejected)` with
/// every problem by line and column; `Err` is for what is not the file's content (unreadable,
/// too large, database down).
pub async fn import(
    app: &App,
    who: &Who<'_>,
    meta: &RequestMeta,
    kind: FeedKind,
    source: Box<dyn std::io::Read + Send>,
    options: &Options,
    progress: Arc<dyn Progress>,
) -> AppResult<Outcome> {
    let options = &Options {
        file_name: clean_file_name(&options.file_name),
        ..options.clone()
    };
    let started_at = app.now();
    let clock = Instant::now();
    let spec = FeedSpec::of(kind);
    let refs = Refs::load(app, spec.references).await?;
    let mut staging = Staging::open(&app.store, spec.table).await?;

    progress.phase(Phase::Reading);
    let mut read = read_and_stage(spec, &refs, &mut staging, source, &progress).await?;
    let (rows_read, seconds) = (read.rows_read, clock.elapsed().as_secs_f64());
    tracing::debug!(
        kind = kind.as_str(),
        rows_read,
        seconds,
        "import: read and staged"
    );
    progress.phase(Phase::Checking);
    let expected = check(&mut staging, options.update, &mut read).await?;
    let seconds = clock.elapsed().as_secs_f64();
    tracing::debug!(kind = kind.as_str(), seconds, "import: checked");

    let record = RunRecord {
        kind,
        options,
        who,
        sha256: &read.sha256,
        started_at,
        rows_read,
    };
    if read.errors.count > 0 {
        let rejection = reject(app, meta, &record, read.errors).await?;
        progress.phase(Phase::Done);
        return Ok(Outcome::Rejected(rejection));
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
        let run = Publishing {
            app,
            meta,
            record: &record,
            expected: &expected,
        };
        run.publish(&mut staging, &mut summary, progress.as_ref())
            .await?;
    }
    drop(staging);
    let elapsed = clock.elapsed();
    summary.seconds = elapsed.as_secs_f64();
    summary.rows_per_second = per_second(rows_read, elapsed);
    progress.phase(Phase::Done);
    Ok(Outcome::Imported(summary))
}

/// Rows per second over `elapsed`, rounded down (all of them when no time was measured).
fn per_second(rows: u64, elapsed: std::time::Duration) -> u64 {
    match elapsed.as_nanos() {
        0 => rows,
        nanos => u64::try_from(u128::from(rows) * 1_000_000_000 / nanos).unwrap_or(u64::MAX),
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What reading a file found: its problems so far, its rows, its hash and its header's map.
#[derive(Default)]
struct Read {
    errors: Errors,
    rows_read: u64,
    sha256: String,
    /// Set when the header was right.
    map: Option<ColumnMap>,
}

/// Where `column` sits in the file's rows: problems of one line are listed in that order.
fn position(map: &ColumnMap, column: &str) -> usize {
    map.columns_in_file_order()
        .iter()
        .position(|c| *c == column)
        .unwrap_or(usize::MAX)
}

impl Read {
    /// Takes a batch of parsed rows: good ones are resolved into `pending`, every problem is
    /// kept. Rows are only taken after a good header.
    fn take_rows(
        &mut self,
        spec: &FeedSpec,
        refs: &Refs,
        batch: Vec<Parsed>,
        pending: &mut Vec<StagedRow>,
    ) {
        let Some(map) = &self.map else { return };
        for parsed in batch {
            self.rows_read += 1;
            match parsed {
                Parsed::Row(line, record) => match spec.stage(refs, record) {
                    Ok(values) => pending.push(StagedRow {
                        line: i64::try_from(line).unwrap_or(i64::MAX),
                        values,
                    }),
                    Err(problems) => {
                        for (column, message, args) in problems {
                            let at = position(map, column);
                            let what = (column, "unknown_reference");
                            self.errors.add(line, at, what, message, &args);
                        }
                    }
                },
                Parsed::Bad(line, problems) => {
                    for p in problems {
                        let at = position(map, p.column);
                        self.errors
                            .add(line, at, (p.column, p.code), p.message, &p.args);
                    }
                }
            }
        }
    }
}

/// Runs the reader thread over `source` and stages what it parses, batch by batch.
async fn read_and_stage(
    spec: &'static FeedSpec,
    refs: &Refs,
    staging: &mut Staging,
    source: Box<dyn std::io::Read + Send>,
    progress: &Arc<dyn Progress>,
) -> AppResult<Read> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHANNEL);
    let reader_progress = progress.clone();
    let kind = spec.kind;
    let reader =
        tokio::task::spawn_blocking(move || read_file(kind, source, &tx, &reader_progress));
    let mut read = Read::default();
    let mut pending: Vec<StagedRow> = Vec::with_capacity(BATCH);
    while let Some(msg) = rx.recv().await {
        match msg {
            FromReader::Header(Ok(m)) => read.map = Some(m),
            FromReader::Header(Err(list)) => {
                for (i, e) in list.into_iter().enumerate() {
                    let args: Vec<(&str, String)> = e
                        .args
                        .iter()
                        .flatten()
                        .map(|(k, v)| (k.as_str(), v.clone()))
                        .collect();
                    read.errors
                        .add(e.line, i, (&e.column, &e.code), e.message, &args);
                }
            }
            FromReader::Rows(batch) => {
                read.take_rows(spec, refs, batch, &mut pending);
                if pending.len() >= BATCH {
                    staging.stage(&pending).await?;
                    pending.clear();
                }
            }
            FromReader::End { sha256 } => read.sha256 = sha256,
            FromReader::Failed(failure) => return Err(failure.into()),
        }
    }
    reader
        .await
        .map_err(|e| AppError::internal(format!("the import's reader stopped: {e}")))?;
    if !pending.is_empty() {
        staging.stage(&pending).await?;
    }
    Ok(read)
}

/// The set checks, once the header was right: their problems join the file's.
async fn check(staging: &mut Staging, update: bool, read: &mut Read) -> AppResult<Checks> {
    let Some(map) = &read.map else {
        return Ok(Checks::default());
    };
    let limit = i64::try_from(MAX_LISTED).unwrap_or(i64::MAX);
    let mut expected = staging.check(update, limit).await?;
    let listed = expected.problems.len() as u64;
    for p in std::mem::take(&mut expected.problems) {
        let (message, remedy) = set_check_message(&p);
        let args = set_check_args(&p);
        read.errors.push(Found {
            line: u64::try_from(p.line).unwrap_or(0),
            position: position(map, p.column),
            column: p.column,
            code: p.code(),
            message,
            remedy,
            args: &args,
        });
    }
    // Those listed were counted once by `push`; the rest only in the total.
    read.errors.count += expected.problem_count.saturating_sub(listed);
    Ok(expected)
}

/// The rejection of a file with problems: recorded, unless it was a dry run.
async fn reject(
    app: &App,
    meta: &RequestMeta,
    record: &RunRecord<'_>,
    errors: Errors,
) -> AppResult<Rejection> {
    let error_count = errors.count;
    let list = errors.into_list();
    let import_id = if record.options.dry_run {
        None
    } else {
        Some(record.rejected(app, meta, &list, error_count).await?)
    };
    Ok(Rejection {
        kind: record.kind.as_str(),
        rows_read: record.rows_read,
        errors: list,
        error_count,
        import_id,
    })
}

/// What the publish step needs besides the staging area.
struct Publishing<'a> {
    app: &'a App,
    meta: &'a RequestMeta,
    record: &'a RunRecord<'a>,
    expected: &'a Checks,
}

impl Publishing<'_> {
    /// Publishes under the write lock, records the run in the same transaction and commits;
    /// a count that differs from the checks' means another writer came between: roll back.
    async fn publish(
        &self,
        staging: &mut Staging,
        summary: &mut Summary,
        progress: &dyn Progress,
    ) -> AppResult<()> {
        let expected = self.expected;
        progress.phase(Phase::Publishing);
        let locked = Instant::now();
        let mut publish = staging.publish().await?;
        // Nothing new (a file imported again): no need to probe every key under the lock.
        let inserted = if expected.expected_new > 0 {
            publish.insert_new(self.app.now()).await?
        } else {
            0
        };
        let updated = if self.record.options.update {
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
        let id = self
            .record
            .imported(
                &mut publish.conn(),
                self.app,
                self.meta,
                summary,
                lock_so_far,
            )
            .await?;
        progress.phase(Phase::Committing);
        publish.commit().await?;
        summary.lock_millis = Some(millis(locked.elapsed()));
        summary.import_id = Some(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_rows_per_second() {
        let d = std::time::Duration::from_millis(8400);
        assert_eq!(per_second(1_000_000, d), 119_047);
        assert_eq!(per_second(42, std::time::Duration::ZERO), 42);
    }
}

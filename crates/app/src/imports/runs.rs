//! The record of import runs: each run's row and audit event as the importer writes them, and
//! the runs as the operator reads them back (a page of runs, one run with its problems).

use super::{LineError, Options, Summary, action};
use crate::{
    Actor, App, AppError, RequestMeta,
    audit::{self, Who},
    error::AppResult,
    paging,
};
use cs_domain::feeds::FeedKind;
use cs_store::repo::import_runs::{self, ImportRunRow, RunsAfter};
use time::OffsetDateTime;

/// How a recorded run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// Published, all of it.
    Imported,
    /// Refused as a whole: nothing was changed.
    Rejected,
}

impl RunOutcome {
    /// The stored and shown name: `imported` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            RunOutcome::Imported => "imported",
            RunOutcome::Rejected => "rejected",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [RunOutcome::Imported, RunOutcome::Rejected]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One recorded import run, with its problems (a rejected run's first [`super::MAX_LISTED`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRun {
    pub id: i64,
    pub kind: FeedKind,
    pub file_name: String,
    pub sha256: String,
    /// The operator's username, or `cli`.
    pub actor: String,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    pub outcome: RunOutcome,
    pub rows_read: u64,
    pub inserted: u64,
    pub already_present: u64,
    pub updated: u64,
    pub error_count: u64,
    pub lock_millis: Option<u64>,
    pub errors: Vec<LineError>,
}

impl ImportRun {
    /// Problems found but not listed.
    pub fn more(&self) -> u64 {
        self.error_count.saturating_sub(self.errors.len() as u64)
    }

    fn from_row(r: ImportRunRow) -> AppResult<Self> {
        let corrupt = |what: &str| AppError::internal(format!("import run {}: bad {what}", r.id));
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        // The report is a record, not an invariant: one that no longer reads shows no lines.
        let errors: Vec<LineError> = serde_json::from_str(&r.errors).unwrap_or_else(|e| {
            tracing::warn!(run = r.id, "an import run's errors do not read back: {e}");
            Vec::new()
        });
        Ok(ImportRun {
            kind: r.kind.parse().map_err(|_| corrupt("kind"))?,
            outcome: RunOutcome::parse(&r.outcome).ok_or_else(|| corrupt("outcome"))?,
            rows_read: n(r.rows_read),
            inserted: n(r.inserted),
            already_present: n(r.already_present),
            updated: n(r.updated),
            error_count: n(r.error_count),
            lock_millis: r.lock_millis.map(n),
            errors,
            id: r.id,
            file_name: r.file_name,
            sha256: r.sha256,
            actor: r.actor,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

/// One page of import runs, newest first.
#[derive(Debug, Clone)]
pub struct RunPage {
    pub items: Vec<ImportRun>,
    /// Give it back as `cursor` for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

/// A page's end in the list of runs, as its cursor carries it: finish time (Unix seconds)
/// and id.
struct RunPosition(RunsAfter);

impl paging::Position for RunPosition {
    const LIST: &'static str = "import_runs";

    fn parts(&self) -> Vec<String> {
        vec![
            self.0.finished_at.unix_timestamp().to_string(),
            self.0.id.to_string(),
        ]
    }

    fn from_parts(parts: &[&str]) -> Option<Self> {
        let [at, id] = parts else {
            return None;
        };
        let at = OffsetDateTime::from_unix_timestamp(at.parse().ok()?).ok()?;
        Some(RunPosition(RunsAfter {
            finished_at: at,
            id: id.parse().ok().filter(|id| *id > 0)?,
        }))
    }
}

/// The latest import runs, newest first (the back office's list): by finish time, then by id.
pub async fn runs(
    app: &App,
    actor: &Actor,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> AppResult<RunPage> {
    actor.require_operator()?;
    let mut errors = Vec::new();
    let limit = paging::limit(limit, &mut errors);
    let after = paging::decode_cursor::<RunPosition>(cursor, &[], &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let mut conn = app.store.acquire().await?;
    let mut rows = import_runs::list(&mut conn.conn(), after.map(|p| p.0), limit + 1).await?;
    let more = paging::cut(&mut rows, limit);
    let next_cursor = paging::next_cursor(&rows, more, &[], |r| {
        RunPosition(RunsAfter {
            finished_at: r.finished_at,
            id: r.id,
        })
    });
    Ok(RunPage {
        items: rows
            .into_iter()
            .map(ImportRun::from_row)
            .collect::<AppResult<_>>()?,
        next_cursor,
    })
}

/// One import run with its report.
pub async fn run(app: &App, actor: &Actor, id: i64) -> AppResult<ImportRun> {
    actor.require_operator()?;
    let mut conn = app.store.acquire().await?;
    let row = import_runs::by_id(&mut conn.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    ImportRun::from_row(row)
}

/// What every run records, imported or rejected.
pub(super) struct RunRecord<'a> {
    pub kind: FeedKind,
    pub options: &'a Options,
    pub who: &'a Who<'a>,
    pub sha256: &'a str,
    pub started_at: OffsetDateTime,
    pub rows_read: u64,
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The counts of a run's row.
struct Counts {
    outcome: RunOutcome,
    rows_read: u64,
    inserted: u64,
    already_present: u64,
    updated: u64,
    error_count: u64,
    lock_millis: Option<u64>,
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

    async fn insert(
        &self,
        conn: &mut cs_store::Conn<'_>,
        now: OffsetDateTime,
        c: &Counts,
        errors: &str,
    ) -> AppResult<i64> {
        let run = import_runs::NewImportRun {
            kind: self.kind.as_str(),
            file_name: &self.options.file_name,
            sha256: self.sha256,
            actor: self.who.name,
            actor_user_id: self.who.user_id.map(cs_domain::UserId::get),
            started_at: self.started_at,
            finished_at: now,
            outcome: c.outcome.as_str(),
            rows_read: count(c.rows_read),
            inserted: count(c.inserted),
            already_present: count(c.already_present),
            updated: count(c.updated),
            error_count: count(c.error_count),
            lock_millis: c.lock_millis.map(count),
            errors,
        };
        Ok(import_runs::insert(conn, &run).await?)
    }

    /// The run row and `import.completed`, in the publish transaction.
    pub(super) async fn imported(
        &self,
        conn: &mut cs_store::Conn<'_>,
        app: &App,
        meta: &RequestMeta,
        s: &Summary,
        lock_millis: u64,
    ) -> AppResult<i64> {
        let now = app.now();
        let counts = Counts {
            outcome: RunOutcome::Imported,
            rows_read: s.rows_read,
            inserted: s.inserted,
            already_present: s.already_present,
            updated: s.updated,
            error_count: 0,
            lock_millis: Some(lock_millis),
        };
        let id = self.insert(conn, now, &counts, "[]").await?;
        let details = self.details(serde_json::json!({
            "import_id": id,
            "inserted": s.inserted,
            "already_present": s.already_present,
            "updated": s.updated,
        }));
        // Last: appending locks the audit chain's head until the commit.
        let object = ("import", self.kind.as_str());
        audit::record(
            conn,
            now,
            self.who,
            meta,
            action::COMPLETED,
            object,
            details,
        )
        .await?;
        Ok(id)
    }

    /// The run row and `import.rejected`, in a short transaction of their own.
    pub(super) async fn rejected(
        &self,
        app: &App,
        meta: &RequestMeta,
        list: &[LineError],
        error_count: u64,
    ) -> AppResult<i64> {
        let errors = serde_json::to_string(list)
            .map_err(|e| AppError::internal(format!("import errors as JSON: {e}")))?;
        let now = app.now();
        let counts = Counts {
            outcome: RunOutcome::Rejected,
            rows_read: self.rows_read,
            inserted: 0,
            already_present: 0,
            updated: 0,
            error_count,
            lock_millis: None,
        };
        let mut tx = app.store.begin().await?;
        let id = self.insert(&mut tx.conn(), now, &counts, &errors).await?;
        let details = self.details(serde_json::json!({
            "import_id": id,
            "error_count": error_count,
        }));
        let object = ("import", self.kind.as_str());
        audit::record(
            &mut tx.conn(),
            now,
            self.who,
            meta,
            action::REJECTED,
            object,
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
pub(super) fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    let clean = clean.trim();
    if clean.is_empty() {
        "upload".to_owned()
    } else {
        clean.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_file_names_are_short_plain_and_never_empty() {
        assert_eq!(clean_file_name("C:\\fakepath\\feed.csv"), "feed.csv");
        assert_eq!(clean_file_name("/tmp/x/feed.csv"), "feed.csv");
        assert_eq!(clean_file_name("a\u{1b}[31mb\n.csv"), "a[31mb.csv");
        assert_eq!(clean_file_name("   "), "upload");
        assert_eq!(clean_file_name(&"x".repeat(5000)).chars().count(), 200);
    }

    #[test]
    fn outcomes_read_back_as_they_are_stored() {
        for o in [RunOutcome::Imported, RunOutcome::Rejected] {
            assert_eq!(RunOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(RunOutcome::parse("running"), None);
    }
}

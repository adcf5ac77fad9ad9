//! The set checks of a staged file, in SQL: a key repeated in the file with other values, a
//! key stored with other values, and the counts of what publishing will insert and update.

use super::{
    Staging, Table,
    sql::{differs, first_difference, key_match, names},
};
use crate::{Conn, Result, on_conn};
use sqlx::AssertSqlSafe;

/// What is wrong with a staged row, as the set checks find it. The words a reader sees, and
/// what that reader can do about it, are the caller's: they differ between the portal and
/// the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The row's key appears on an earlier line of the file with other values.
    DuplicateInFile { first_line: i64 },
    /// The row's key is stored with another value in the problem's column: publishing with
    /// `update` would replace it.
    ConflictsWithStored,
}

/// A problem found by the set checks: a line, the feed column, the key, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: i64,
    /// The feed column the problem is reported on.
    pub column: &'static str,
    /// The feed column of the key shown (the last key column), and the row's value of it.
    pub key_column: &'static str,
    pub key: String,
    pub kind: ProblemKind,
}

impl Problem {
    /// The stable code: `duplicate_in_file` or `conflicts_with_stored`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ProblemKind::DuplicateInFile { .. } => "duplicate_in_file",
            ProblemKind::ConflictsWithStored => "conflicts_with_stored",
        }
    }
}

/// What the set checks found, and what publishing must then do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    /// At most `limit` problems, by line.
    pub problems: Vec<Problem>,
    /// All of them.
    pub problem_count: u64,
    /// Distinct keys of the file not stored yet.
    pub expected_new: u64,
    /// Distinct keys stored with other values (to update with `update`).
    pub expected_changed: u64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

async fn scalar(conn: &mut Conn<'_>, sql: String) -> Result<u64> {
    let n: i64 = on_conn!(conn, |x| sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(x)
        .await)?;
    Ok(count(n))
}

impl Staging {
    /// Runs the set checks of the staged rows: a key repeated in the file with other values,
    /// and (without `update`) a key stored with other values; counts what publishing will do.
    /// At most `limit` problems are listed, by line; all are counted.
    pub async fn check(&mut self, update: bool, limit: i64) -> Result<Checks> {
        self.finish_loading().await?;
        let t = self.table;
        let mut conn = self.conn_ref();
        let mut checks = Checks::default();
        duplicates_in_file(&mut conn, t, limit, &mut checks).await?;
        if update {
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT DISTINCT {} {}) AS k",
                names(t.key(), "s."),
                changed_where(t)
            );
            checks.expected_changed = scalar(&mut conn, sql).await?;
        } else {
            conflicts_with_stored(&mut conn, t, limit, &mut checks).await?;
        }
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT DISTINCT {} FROM {} s WHERE NOT EXISTS \
             (SELECT 1 FROM {} t WHERE {})) AS k",
            names(t.key(), "s."),
            t.staging,
            t.target,
            key_match(t, "t", "s")
        );
        checks.expected_new = scalar(&mut conn, sql).await?;

        checks.problems.sort_by_key(|p| p.line);
        checks
            .problems
            .truncate(usize::try_from(limit).unwrap_or(0));
        Ok(checks)
    }
}

/// The same key twice in the file with other values: a problem on the later line.
async fn duplicates_in_file(
    conn: &mut Conn<'_>,
    t: &Table,
    limit: i64,
    checks: &mut Checks,
) -> Result<()> {
    let s = t.staging;
    let shown = t.key_shown();
    let dup_where = format!(
        "FROM {s} a JOIN {s} b ON {} AND a.line < b.line WHERE {}",
        key_match(t, "a", "b"),
        differs(t, "a", "b")
    );
    let sql = format!(
        "SELECT b.line, MIN(a.line), CAST(b.{0} AS TEXT) {dup_where} \
         GROUP BY b.line, b.{0} ORDER BY b.line LIMIT $1",
        shown.name
    );
    let rows: Vec<(i64, i64, String)> = on_conn!(conn, |x| sqlx::query_as(AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(x)
        .await)?;
    checks
        .problems
        .extend(rows.into_iter().map(|(line, first_line, key)| Problem {
            line,
            column: shown.feed,
            key_column: shown.feed,
            key,
            kind: ProblemKind::DuplicateInFile { first_line },
        }));
    let sql = format!("SELECT COUNT(DISTINCT b.line) {dup_where}");
    checks.problem_count += scalar(conn, sql).await?;
    Ok(())
}

/// Rows of the staging table `s` whose key is stored in `t` with other values.
fn changed_where(t: &Table) -> String {
    format!(
        "FROM {} s JOIN {} t ON {} WHERE {}",
        t.staging,
        t.target,
        key_match(t, "t", "s"),
        differs(t, "t", "s")
    )
}

/// Keys stored with other values, each reported on the first column that differs.
async fn conflicts_with_stored(
    conn: &mut Conn<'_>,
    t: &Table,
    limit: i64,
    checks: &mut Checks,
) -> Result<()> {
    let shown = t.key_shown();
    let sql = format!(
        "SELECT s.line, {}, CAST(s.{} AS TEXT) {} ORDER BY s.line LIMIT $1",
        first_difference(t, "t", "s"),
        shown.name,
        changed_where(t)
    );
    let rows: Vec<(i64, String, String)> = on_conn!(conn, |x| sqlx::query_as(AssertSqlSafe(sql))
        .bind(limit)
        .fetch_all(x)
        .await)?;
    for (line, column, key) in rows {
        let column = t
            .columns
            .iter()
            .find(|c| c.feed == column)
            .map_or(shown.feed, |c| c.feed);
        checks.problems.push(Problem {
            line,
            column,
            key_column: shown.feed,
            key,
            kind: ProblemKind::ConflictsWithStored,
        });
    }
    let sql = format!("SELECT COUNT(*) {}", changed_where(t));
    checks.problem_count += scalar(conn, sql).await?;
    Ok(())
}

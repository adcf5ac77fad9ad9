//! The SQL text of staging, checking and publishing, built from a [`Table`]'s fixed names
//! (never from input): the same text on both backends except the DDL and the load.

use super::{SqlType, StagedRow, Table, Value};
use std::fmt::Write as _;

pub(super) fn names(cols: &[super::Column], prefix: &str) -> String {
    cols.iter()
        .map(|c| format!("{prefix}{}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a.k1 = b.k1 AND a.k2 = b.k2`
pub(super) fn key_match(t: &Table, a: &str, b: &str) -> String {
    t.key()
        .iter()
        .map(|c| format!("{a}.{0} = {b}.{0}", c.name))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// `(a.c IS DISTINCT FROM b.c OR …)` over the non-key columns.
pub(super) fn differs(t: &Table, a: &str, b: &str) -> String {
    let parts: Vec<String> = t
        .others()
        .iter()
        .map(|c| format!("{a}.{0} IS DISTINCT FROM {b}.{0}", c.name))
        .collect();
    if parts.is_empty() {
        "FALSE".to_owned()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// The feed column of the first non-key column that differs, as a `CASE`.
pub(super) fn first_difference(t: &Table, a: &str, b: &str) -> String {
    let mut s = String::from("CASE");
    for c in t.others() {
        let _ = write!(
            s,
            " WHEN {a}.{0} IS DISTINCT FROM {b}.{0} THEN '{1}'",
            c.name, c.feed
        );
    }
    s.push_str(" ELSE '' END");
    s
}

pub(super) fn create_sql(t: &Table, backend_pg: bool) -> String {
    let mut s = if backend_pg {
        format!("CREATE TEMP TABLE {} (line BIGINT NOT NULL", t.staging)
    } else {
        format!("CREATE TABLE staging.{} (line INTEGER NOT NULL", t.staging)
    };
    for c in t.columns {
        let ty = match (c.ty, backend_pg) {
            (SqlType::Int, true) => "BIGINT",
            (SqlType::Int, false) => "INTEGER",
            (SqlType::Text, _) => "TEXT",
            (SqlType::Date, true) => "DATE",
            (SqlType::Date, false) => "TEXT",
            (SqlType::Bool, _) => "BOOLEAN",
        };
        let _ = write!(s, ", {} {ty}", c.name);
    }
    s.push(')');
    s
}

/// The multi-row `INSERT` of the SQLite staging table. Anonymous `?` parameters, not `$N`:
/// for each numbered parameter the driver asks SQLite its name, which SQLite finds by a linear
/// scan, so thousands of `$N` in one statement cost quadratic time.
pub(super) fn insert_sql(t: &Table, rows: usize) -> String {
    let width = t.columns.len() + 1;
    let mut row = String::from("(?");
    for _ in 1..width {
        row.push_str(",?");
    }
    row.push(')');
    let mut s = format!(
        "INSERT INTO {} (line, {}) VALUES ",
        t.staging,
        names(t.columns, "")
    );
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push_str(&row);
    }
    s
}

/// Appends one row in PostgreSQL's COPY text format.
pub(super) fn copy_row(buf: &mut Vec<u8>, row: &StagedRow) {
    use std::io::Write as _;
    let _ = write!(buf, "{}", row.line);
    for v in &row.values {
        buf.push(b'\t');
        match v {
            Value::Null => buf.extend_from_slice(b"\\N"),
            Value::Int(i) => {
                let _ = write!(buf, "{i}");
            }
            Value::Bool(b) => buf.push(if *b { b't' } else { b'f' }),
            Value::Date(d) => {
                let _ = write!(
                    buf,
                    "{:04}-{:02}-{:02}",
                    d.year(),
                    u8::from(d.month()),
                    d.day()
                );
            }
            Value::Text(s) => copy_text(buf, s),
        }
    }
    buf.push(b'\n');
}

fn copy_text(buf: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::COST_CENTRES;
    use super::*;

    #[test]
    fn insert_sql_has_a_parameter_per_value() {
        let sql = insert_sql(&COST_CENTRES, 2);
        assert!(sql.starts_with("INSERT INTO import_cost_centres (line, customer_id, code, name)"));
        assert!(sql.ends_with("VALUES (?,?,?,?),(?,?,?,?)"));
    }

    #[test]
    fn copy_rows_escape_text_and_write_nulls() {
        let mut buf = Vec::new();
        copy_row(
            &mut buf,
            &StagedRow {
                line: 7,
                values: vec![
                    Value::Text("a\tb\\c\nd".into()),
                    Value::Null,
                    Value::Bool(true),
                    Value::Int(-3),
                    Value::Date(time::macros::date!(2026 - 03 - 09)),
                ],
            },
        );
        assert_eq!(buf, b"7\ta\\tb\\\\c\\nd\t\\N\tt\t-3\t2026-03-09\n");
    }

    #[test]
    fn the_first_difference_names_the_feed_column() {
        assert_eq!(
            first_difference(&COST_CENTRES, "t", "s"),
            "CASE WHEN t.name IS DISTINCT FROM s.name THEN 'name' ELSE '' END"
        );
    }
}

//! Counts and sums for the home page's blocks: small aggregate queries, one per block, each
//! bound to its tenant (and, for a user limited to cost centres, to those) by the caller.

use crate::{Conn, Result, on_conn};
use std::{ops::Range, sync::LazyLock};
use time::Date;

/// Access requests waiting for the Service Centre's decision.
pub async fn pending_access_requests(conn: &mut Conn<'_>) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM access_requests WHERE status = 'pending'";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .fetch_one(x)
        .await)?)
}

/// A customer's users by status: (active, invited, disabled).
pub async fn user_counts(conn: &mut Conn<'_>, customer_id: i64) -> Result<(i64, i64, i64)> {
    let sql = "SELECT \
        CAST(COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'invited' THEN 1 ELSE 0 END), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN status = 'disabled' THEN 1 ELSE 0 END), 0) AS BIGINT) \
        FROM users WHERE customer_id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_one(x)
        .await)?)
}

/// Whose transactions a figure counts: one customer's, and for a user limited to cost
/// centres only the rows of that user's cost centres (never rows without a cost centre).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub customer_id: i64,
    /// The user whose `user_cost_centres` limit the rows; `None` for a user without limits.
    pub limited_to_user: Option<i64>,
}

/// The rows of [`Scope`], as a condition on a `transactions` row aliased `t`; `$1` is the
/// customer and `$2` the limited user (or NULL). A macro, so that `concat!` can use it.
macro_rules! scope {
    () => {
        "t.customer_id = $1 AND ($2 IS NULL OR t.cost_centre_id IN \
         (SELECT ucc.cost_centre_id FROM user_cost_centres ucc WHERE ucc.user_id = $2))"
    };
}
const SCOPE: &str = scope!();

/// A quantity and an amount in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Totals {
    pub quantity: i64,
    pub amount_cents: i64,
}

/// How many months [`monthly_totals`] sums.
pub const MONTHS: usize = 12;

/// One query for all months: each row falls in the month whose bounds (computed by the caller,
/// `$3` … `$15`) surround its date. The bucket is found by comparing dates with bound
/// parameters rather than by formatting the date (`substr` on SQLite's text, `to_char` on
/// PostgreSQL's DATE), so the text is the same on both backends.
static MONTHLY_SQL: LazyLock<String> = LazyLock::new(|| {
    let bucket: String = (1..MONTHS)
        .map(|i| format!("WHEN t.date < ${} THEN {} ", i + 3, i - 1))
        .collect();
    format!(
        "SELECT CAST(CASE {bucket}ELSE {last} END AS BIGINT) AS month_index, \
         CAST(SUM(t.quantity) AS BIGINT), CAST(SUM(t.amount_cents) AS BIGINT) \
         FROM transactions t WHERE {SCOPE} AND t.date >= $3 AND t.date < ${end} \
         GROUP BY month_index ORDER BY month_index",
        last = MONTHS - 1,
        end = MONTHS + 3,
    )
});

/// Quantity and amount per month of a scope: `bounds` are the first days of the
/// [`MONTHS`] months, oldest first, followed by the first day after the last month. Months
/// without transactions are zero.
pub async fn monthly_totals(
    conn: &mut Conn<'_>,
    scope: Scope,
    bounds: &[Date; MONTHS + 1],
) -> Result<[Totals; MONTHS]> {
    let sql: &'static str = MONTHLY_SQL.as_str();
    let rows: Vec<(i64, i64, i64)> = on_conn!(conn, |x| {
        let mut q = sqlx::query_as(sql)
            .bind(scope.customer_id)
            .bind(scope.limited_to_user);
        for b in bounds {
            q = q.bind(*b);
        }
        q.fetch_all(x).await
    })?;
    let mut out = [Totals::default(); MONTHS];
    for (index, quantity, amount_cents) in rows {
        if let Some(slot) = usize::try_from(index).ok().and_then(|i| out.get_mut(i)) {
            *slot = Totals {
                quantity,
                amount_cents,
            };
        }
    }
    Ok(out)
}

/// One line of "this month against last month".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthChange<K> {
    pub key: K,
    pub this: Totals,
    pub last: Totals,
}

/// A product as named in the four languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductKey {
    pub code: String,
    pub name_fr: String,
    pub name_nl: String,
    pub name_de: String,
    pub name_en: String,
}

/// The sums of "this" period (`$5` ≤ date < `$6`) and "last" period (`$3` ≤ date < `$4`),
/// over rows already limited to either.
macro_rules! this_and_last {
    () => {
        "CAST(SUM(CASE WHEN t.date >= $5 THEN t.quantity ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN t.date >= $5 THEN t.amount_cents ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN t.date < $5 THEN t.quantity ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN t.date < $5 THEN t.amount_cents ELSE 0 END) AS BIGINT) "
    };
}

/// The rows of either period of [`this_and_last!`].
macro_rules! in_either {
    () => {
        " AND ((t.date >= $3 AND t.date < $4) OR (t.date >= $5 AND t.date < $6))"
    };
}

/// Two periods of days compared: `last` ends before `this` starts (half-open ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    pub last: Range<Date>,
    pub this: Range<Date>,
}

type ChangeRow = (i64, i64, i64, i64);

fn change(r: ChangeRow) -> (Totals, Totals) {
    (
        Totals {
            quantity: r.0,
            amount_cents: r.1,
        },
        Totals {
            quantity: r.2,
            amount_cents: r.3,
        },
    )
}

/// Per product, the `this` period against the `last` one, for products with transactions in
/// either; by product code.
pub async fn change_by_product(
    conn: &mut Conn<'_>,
    scope: Scope,
    periods: &Compared,
) -> Result<Vec<MonthChange<ProductKey>>> {
    const SQL: &str = concat!(
        "SELECT p.code, p.name_fr, p.name_nl, p.name_de, p.name_en, ",
        this_and_last!(),
        "FROM transactions t JOIN products p ON p.id = t.product_id WHERE ",
        scope!(),
        in_either!(),
        " GROUP BY p.code, p.name_fr, p.name_nl, p.name_de, p.name_en ORDER BY p.code"
    );
    type Row = (String, String, String, String, String, i64, i64, i64, i64);
    let rows: Vec<Row> = on_conn!(conn, |x| sqlx::query_as(SQL)
        .bind(scope.customer_id)
        .bind(scope.limited_to_user)
        .bind(periods.last.start)
        .bind(periods.last.end)
        .bind(periods.this.start)
        .bind(periods.this.end)
        .fetch_all(x)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(code, name_fr, name_nl, name_de, name_en, a, b, c, d)| {
            let (this, last) = change((a, b, c, d));
            MonthChange {
                key: ProductKey {
                    code,
                    name_fr,
                    name_nl,
                    name_de,
                    name_en,
                },
                this,
                last,
            }
        })
        .collect())
}

/// Per destination (`BE`, `EU`, `WORLD`; `None` for services), the `this` period against the
/// `last` one, like [`change_by_product`]; in that order, services last.
pub async fn change_by_destination(
    conn: &mut Conn<'_>,
    scope: Scope,
    periods: &Compared,
) -> Result<Vec<MonthChange<Option<String>>>> {
    const SQL: &str = concat!(
        "SELECT t.destination, ",
        this_and_last!(),
        "FROM transactions t WHERE ",
        scope!(),
        in_either!(),
        " GROUP BY t.destination"
    );
    type Row = (Option<String>, i64, i64, i64, i64);
    let mut rows: Vec<Row> = on_conn!(conn, |x| sqlx::query_as(SQL)
        .bind(scope.customer_id)
        .bind(scope.limited_to_user)
        .bind(periods.last.start)
        .bind(periods.last.end)
        .bind(periods.this.start)
        .bind(periods.this.end)
        .fetch_all(x)
        .await)?;
    // The backends sort NULL differently; the order is decided here instead.
    rows.sort_by_key(|r| (r.0.is_none(), r.0.clone()));
    Ok(rows
        .into_iter()
        .map(|(key, a, b, c, d)| {
            let (this, last) = change((a, b, c, d));
            MonthChange { key, this, last }
        })
        .collect())
}

/// The latest day of the transactions in `scope`: how recent the data is, whatever the
/// time of its import. `None` without any.
pub async fn latest_transaction_day(conn: &mut Conn<'_>, scope: Scope) -> Result<Option<Date>> {
    const SQL: &str = concat!("SELECT MAX(t.date) FROM transactions t WHERE ", scope!());
    let day: Option<Date> = on_conn!(conn, |x| sqlx::query_scalar(SQL)
        .bind(scope.customer_id)
        .bind(scope.limited_to_user)
        .fetch_one(x)
        .await)?;
    Ok(day)
}

/// The latest deposit day of the registered items in `scope` (same rows as the list).
pub async fn latest_registered_item_day(conn: &mut Conn<'_>, scope: Scope) -> Result<Option<Date>> {
    const SQL: &str = "SELECT MAX(ri.deposit_date) FROM registered_items ri \
         WHERE ri.customer_id = $1 AND ($2 IS NULL OR ri.cost_centre_id IN \
         (SELECT ucc.cost_centre_id FROM user_cost_centres ucc WHERE ucc.user_id = $2))";
    let day: Option<Date> = on_conn!(conn, |x| sqlx::query_scalar(SQL)
        .bind(scope.customer_id)
        .bind(scope.limited_to_user)
        .fetch_one(x)
        .await)?;
    Ok(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monthly_query_names_every_bound_once() {
        let sql = MONTHLY_SQL.as_str();
        for n in 3..=MONTHS + 3 {
            assert!(sql.contains(&format!("${n} ")), "${n} missing: {sql}");
        }
        assert!(!sql.contains(&format!("${}", MONTHS + 4)));
        assert!(sql.contains("ELSE 11 END"));
        assert!(sql.contains(SCOPE));
    }
}

//! Reading a customer's transactions (SPEC §3 journey 4): one filter shared by the page, the
//! totals and the export, so that the three always agree on which rows they cover.
//!
//! Query plan: every query starts from `transactions_customer_date (customer_id, date, id, …)`,
//! a range scan over the customer's days; the other filters are checked on the rows of that
//! range. Codes are turned into ids by uncorrelated sub-queries (evaluated once), so no join
//! is needed to filter, and an unknown code, or another customer's, matches nothing. In date
//! order the page reads the index in order and stops after `limit + 1` rows; in amount order
//! the range is sorted (a month of even a large customer is some 30,000 rows).

use crate::{
    Conn, Result, Store, on_conn,
    sqlite_read::{self, Param},
};
use futures::TryStreamExt;
use time::Date;

/// Which rows: a customer's, between two days inclusive, narrowed by codes.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    pub customer_id: i64,
    pub from: Date,
    pub to: Date,
    pub product: Option<&'a str>,
    pub collection_point: Option<&'a str>,
    pub cost_centre: Option<&'a str>,
    /// `BE`, `EU` or `WORLD`.
    pub destination: Option<&'a str>,
    /// The user whose cost-centre limits apply: only rows of the cost centres in
    /// `user_cost_centres` for that user (never rows without a cost centre). `None`: no limit.
    pub limited_to_user: Option<i64>,
}

/// The orderings of a list; each ends with the row id so that it is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    DateAsc,
    DateDesc,
    AmountAsc,
    AmountDesc,
}

/// Where a page starts: after this sort key and id (the last row of the previous page), or
/// [`After::start`] for the first page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub date: Date,
    pub amount_cents: i64,
    pub id: i64,
}

impl After {
    /// A position before every row of the filter in `order`: ids start at 1 and dates lie
    /// within `from..=to`, so the keyset condition holds for every row. One statement thus
    /// serves every page, and its keyset comparison can bound the index scan.
    pub fn start(order: Order, f: &Filter<'_>) -> After {
        match order {
            Order::DateAsc => After {
                date: f.from,
                amount_cents: 0,
                id: 0,
            },
            Order::DateDesc => After {
                date: f.to,
                amount_cents: 0,
                id: i64::MAX,
            },
            Order::AmountAsc => After {
                date: f.from,
                amount_cents: i64::MIN,
                id: 0,
            },
            Order::AmountDesc => After {
                date: f.from,
                amount_cents: i64::MAX,
                id: i64::MAX,
            },
        }
    }
}

/// A transaction with codes instead of ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TransactionRow {
    pub id: i64,
    pub transaction_id: String,
    pub date: Date,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    pub product_code: String,
    pub format: Option<String>,
    pub weight_class: Option<String>,
    pub destination: Option<String>,
    pub quantity: i64,
    pub unit_price_millis: i64,
    pub amount_cents: i64,
}

/// Quantity and amount of one product over a whole filter.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProductTotal {
    pub product_code: String,
    pub quantity: i64,
    pub amount_cents: i64,
}

// The statements are assembled from fixed pieces at compile time; binds $1..$8 are the
// filter, $9..$11 the position after which a page starts (date, amount, id), $12 the page
// size. A page statement compares only the row value of its own order.
macro_rules! select_rows {
    () => {
        "SELECT t.id, t.transaction_id, t.date, cp.code AS collection_point, cc.code AS cost_centre, \
         p.code AS product_code, t.format, t.weight_class, t.destination, t.quantity, \
         t.unit_price_millis, t.amount_cents \
         FROM transactions t \
         JOIN collection_points cp ON cp.id = t.collection_point_id \
         JOIN products p ON p.id = t.product_id \
         LEFT JOIN cost_centres cc ON cc.id = t.cost_centre_id "
    };
}

macro_rules! filter {
    () => {
        "WHERE t.customer_id = $1 AND t.date >= $2 AND t.date <= $3 \
         AND ($4 IS NULL OR t.product_id = (SELECT id FROM products WHERE code = $4)) \
         AND ($5 IS NULL OR t.collection_point_id = (SELECT id FROM collection_points WHERE customer_id = $1 AND code = $5)) \
         AND ($6 IS NULL OR t.cost_centre_id = (SELECT id FROM cost_centres WHERE customer_id = $1 AND code = $6)) \
         AND ($7 IS NULL OR t.destination = $7) \
         AND ($8 IS NULL OR t.cost_centre_id IN (SELECT cost_centre_id FROM user_cost_centres WHERE user_id = $8)) "
    };
}

const PAGE_DATE_ASC: &str = concat!(
    select_rows!(),
    filter!(),
    "AND (t.date, t.id) > ($9, $11) ORDER BY t.date, t.id LIMIT $12"
);
const PAGE_DATE_DESC: &str = concat!(
    select_rows!(),
    filter!(),
    "AND (t.date, t.id) < ($9, $11) ORDER BY t.date DESC, t.id DESC LIMIT $12"
);
const PAGE_AMOUNT_ASC: &str = concat!(
    select_rows!(),
    filter!(),
    "AND (t.amount_cents, t.id) > ($10, $11) ORDER BY t.amount_cents, t.id LIMIT $12"
);
const PAGE_AMOUNT_DESC: &str = concat!(
    select_rows!(),
    filter!(),
    "AND (t.amount_cents, t.id) < ($10, $11) ORDER BY t.amount_cents DESC, t.id DESC LIMIT $12"
);

const ALL_DATE_ASC: &str = concat!(select_rows!(), filter!(), "ORDER BY t.date, t.id");
const ALL_DATE_DESC: &str = concat!(select_rows!(), filter!(), "ORDER BY t.date DESC, t.id DESC");
const ALL_AMOUNT_ASC: &str = concat!(select_rows!(), filter!(), "ORDER BY t.amount_cents, t.id");
const ALL_AMOUNT_DESC: &str = concat!(
    select_rows!(),
    filter!(),
    "ORDER BY t.amount_cents DESC, t.id DESC"
);

const TOTALS: &str = concat!(
    "SELECT p.code AS product_code, CAST(SUM(t.quantity) AS BIGINT) AS quantity, \
     CAST(SUM(t.amount_cents) AS BIGINT) AS amount_cents \
     FROM transactions t JOIN products p ON p.id = t.product_id ",
    filter!(),
    "GROUP BY p.code ORDER BY p.code"
);

fn page_sql(order: Order) -> &'static str {
    match order {
        Order::DateAsc => PAGE_DATE_ASC,
        Order::DateDesc => PAGE_DATE_DESC,
        Order::AmountAsc => PAGE_AMOUNT_ASC,
        Order::AmountDesc => PAGE_AMOUNT_DESC,
    }
}

fn all_sql(order: Order) -> &'static str {
    match order {
        Order::DateAsc => ALL_DATE_ASC,
        Order::DateDesc => ALL_DATE_DESC,
        Order::AmountAsc => ALL_AMOUNT_ASC,
        Order::AmountDesc => ALL_AMOUNT_DESC,
    }
}

/// Binds the filter as $1..$8.
macro_rules! bind_filter {
    ($q:expr, $f:expr) => {
        $q.bind($f.customer_id)
            .bind($f.from)
            .bind($f.to)
            .bind($f.product)
            .bind($f.collection_point)
            .bind($f.cost_centre)
            .bind($f.destination)
            .bind($f.limited_to_user)
    };
}

/// Up to `limit` rows of the filter in `order`, starting after `after`.
pub async fn page(
    conn: &mut Conn<'_>,
    f: &Filter<'_>,
    order: Order,
    after: After,
    limit: i64,
) -> Result<Vec<TransactionRow>> {
    let sql = page_sql(order);
    Ok(on_conn!(conn, |x| bind_filter!(sqlx::query_as(sql), f)
        .bind(after.date)
        .bind(after.amount_cents)
        .bind(after.id)
        .bind(limit)
        .fetch_all(x)
        .await)?)
}

/// Quantity and amount per product over the whole filter, by product code.
pub async fn totals(conn: &mut Conn<'_>, f: &Filter<'_>) -> Result<Vec<ProductTotal>> {
    Ok(on_conn!(conn, |x| bind_filter!(sqlx::query_as(TOTALS), f)
        .fetch_all(x)
        .await)?)
}

/// The longest range of days whose page and totals are read on the request's own thread.
const HERE_MAX_DAYS: i64 = 31;

/// A page of the filter ([`page`]) and the filter's totals ([`totals`]), as a list shows
/// them: on a SQLite file read below sqlx, on the request's own thread and from one snapshot
/// ([`sqlite_read::Readers`]); elsewhere through a pooled connection.
pub async fn page_with_totals(
    store: &Store,
    f: &Filter<'_>,
    order: Order,
    after: After,
    limit: i64,
) -> Result<(Vec<TransactionRow>, Vec<ProductTotal>)> {
    let Some(readers) = store.readers() else {
        let mut conn = store.acquire().await?;
        let rows = page(&mut conn.conn(), f, order, after, limit).await?;
        let totals = totals(&mut conn.conn(), f).await?;
        return Ok((rows, totals));
    };
    let filter = direct_params(f);
    let mut paged = filter.clone();
    paged.extend([
        Param::Text(after.date.to_string()),
        Param::Int(after.amount_cents),
        Param::Int(after.id),
        Param::Int(limit),
    ]);
    let sql = page_sql(order);
    let read = move |c: &rusqlite::Connection| {
        let rows = sqlite_read::all(c, sql, &paged, direct_row)?;
        let totals = sqlite_read::all(c, TOTALS, &filter, |r| {
            Ok(ProductTotal {
                product_code: r.get(0)?,
                quantity: r.get(1)?,
                amount_cents: r.get(2)?,
            })
        })?;
        Ok((rows, totals))
    };
    // A month (the lists' default) of even a large customer is read in a few milliseconds at
    // most: on the request's thread. A longer range may scan far more: off it.
    if (f.to - f.from).whole_days() <= HERE_MAX_DAYS {
        readers.read_here(read)
    } else {
        readers.read(read).await
    }
}

/// Every row of the filter in `order`, read as a stream (never collected) and handed to
/// `emit` one by one; stops early, without error, when `emit` returns `false`. On a SQLite
/// file the rows are read below sqlx ([`sqlite_read`]): same statement, same rows, a fraction
/// of the hand-over cost; they are the committed rows, whatever `conn` has in progress.
pub async fn for_each<F, Fut>(
    conn: &mut Conn<'_>,
    f: &Filter<'_>,
    order: Order,
    mut emit: F,
) -> Result<()>
where
    F: FnMut(TransactionRow) -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let sql = all_sql(order);
    if let Conn::Sqlite(c) = conn
        && let Some(file) = sqlite_read::main_file(c).await?
    {
        let mut batches = sqlite_read::stream(file, sql, direct_params(f), direct_row);
        while let Some(batch) = batches.recv().await {
            for row in batch? {
                if !emit(row).await {
                    return Ok(());
                }
            }
        }
        return Ok(());
    }
    on_conn!(conn, |x| {
        let mut rows = bind_filter!(sqlx::query_as::<_, TransactionRow>(sql), f).fetch(x);
        while let Some(row) = rows.try_next().await? {
            if !emit(row).await {
                break;
            }
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}

/// The filter as the direct reader binds it: `$1..$8` as [`bind_filter!`], dates as the text
/// sqlx stores on SQLite (`YYYY-MM-DD`).
fn direct_params(f: &Filter<'_>) -> Vec<Param> {
    vec![
        Param::Int(f.customer_id),
        Param::Text(f.from.to_string()),
        Param::Text(f.to.to_string()),
        f.product.into(),
        f.collection_point.into(),
        f.cost_centre.into(),
        f.destination.into(),
        f.limited_to_user.into(),
    ]
}

/// One row of [`select_rows!`], by position.
fn direct_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TransactionRow> {
    Ok(TransactionRow {
        id: r.get(0)?,
        transaction_id: r.get(1)?,
        date: r.get(2)?,
        collection_point: r.get(3)?,
        cost_centre: r.get(4)?,
        product_code: r.get(5)?,
        format: r.get(6)?,
        weight_class: r.get(7)?,
        destination: r.get(8)?,
        quantity: r.get(9)?,
        unit_price_millis: r.get(10)?,
        amount_cents: r.get(11)?,
    })
}

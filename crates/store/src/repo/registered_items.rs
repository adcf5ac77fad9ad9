//! Reading a customer's registered items: the filtered list (keyset paged, newest deposit
//! first), the count of a whole filter, and the export stream that reads the same filter in
//! bounded chunks. The caller decides the tenant and the cost-centre scope; every filter is a
//! bound parameter and the only ordering is fixed in the SQL text.

use crate::{Conn, Result, Store, on_conn};
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use time::Date;

/// Which of the customer's items the caller may see at all: decided by the use case from the
/// actor, never from the request's input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostCentreScope {
    /// Every item, with or without a cost centre (users without limits, operators).
    All,
    /// Only items whose cost centre is one the user (this id) is limited to; items without
    /// a cost centre are left out.
    LimitsOf(i64),
}

/// The filter of a search; `None` means no filter. Codes are resolved to ids by the caller.
#[derive(Debug, Clone)]
pub struct ItemFilter {
    pub customer_id: i64,
    pub scope: CostCentreScope,
    /// The exact, normalised barcode.
    pub barcode: Option<String>,
    /// First deposit date, inclusive.
    pub from: Option<Date>,
    /// Last deposit date, inclusive.
    pub to: Option<Date>,
    /// Part of the recipient's name, compared without case; `%` and `_` are literal.
    pub recipient: Option<String>,
    pub collection_point_id: Option<i64>,
    pub cost_centre_id: Option<i64>,
    pub acknowledgement: Option<bool>,
}

/// Where a page starts: after this (deposit date, id), in the list's order (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub deposit_date: Date,
    pub id: i64,
}

/// One item, with codes instead of ids.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub barcode: String,
    pub deposit_date: Date,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    pub product_code: String,
    pub acknowledgement: bool,
    pub recipient_name: Option<String>,
    pub recipient_street: Option<String>,
    pub recipient_postcode: Option<String>,
    pub recipient_city: Option<String>,
    pub recipient_country: Option<String>,
}

impl ItemRow {
    pub fn after(&self) -> After {
        After {
            deposit_date: self.deposit_date,
            id: self.id,
        }
    }
}

/// `%part%` for `LIKE … ESCAPE '\'`, with the part's own `%`, `_` and `\` taken literally.
fn contains_pattern(part: &str) -> String {
    let escaped = part
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The WHERE clause every query here shares, parameters `$1` to `$9`. A barcode search gets
/// its own text (`ri.barcode = $2`), so that PostgreSQL never caches a plan for it that
/// ignores the barcode's unique index. Case folding is each backend's `LOWER` on both sides:
/// ASCII on SQLite, Unicode on PostgreSQL.
macro_rules! where_clause {
    ($barcode:literal) => {
        concat!(
            " WHERE ri.customer_id = $1 AND ",
            $barcode,
            " AND ($3 IS NULL OR ri.deposit_date >= $3)",
            " AND ($4 IS NULL OR ri.deposit_date <= $4)",
            " AND ($5 IS NULL OR LOWER(ri.recipient_name) LIKE LOWER($5) ESCAPE '\\')",
            " AND ($6 IS NULL OR ri.collection_point_id = $6)",
            " AND ($7 IS NULL OR ri.cost_centre_id = $7)",
            " AND ($8 IS NULL OR ri.acknowledgement = $8)",
            " AND ($9 IS NULL OR ri.cost_centre_id IN",
            " (SELECT ucc.cost_centre_id FROM user_cost_centres ucc WHERE ucc.user_id = $9))"
        )
    };
}

macro_rules! list_sql {
    ($barcode:literal) => {
        concat!(
            "SELECT ri.id, ri.barcode, ri.deposit_date, cp.code AS collection_point, cc.code AS cost_centre,",
            " p.code AS product_code, ri.acknowledgement, ri.recipient_name, ri.recipient_street,",
            " ri.recipient_postcode, ri.recipient_city, ri.recipient_country",
            " FROM registered_items ri",
            " JOIN collection_points cp ON cp.id = ri.collection_point_id",
            " LEFT JOIN cost_centres cc ON cc.id = ri.cost_centre_id",
            " JOIN products p ON p.id = ri.product_id",
            where_clause!($barcode),
            " AND ($10 IS NULL OR ri.deposit_date < $10 OR (ri.deposit_date = $10 AND ri.id < $11))",
            " ORDER BY ri.deposit_date DESC, ri.id DESC LIMIT $12"
        )
    };
}

macro_rules! count_sql {
    ($barcode:literal) => {
        concat!(
            "SELECT COUNT(*) FROM registered_items ri",
            where_clause!($barcode)
        )
    };
}

const LIST: &str = list_sql!("($2 IS NULL OR ri.barcode = $2)");
const LIST_BY_BARCODE: &str = list_sql!("ri.barcode = $2");
const COUNT: &str = count_sql!("($2 IS NULL OR ri.barcode = $2)");
const COUNT_BY_BARCODE: &str = count_sql!("ri.barcode = $2");

/// Binds `$1` to `$9` of [`where_clause!`] onto a query.
macro_rules! bind_filter {
    ($q:expr, $f:expr, $scope:expr, $pattern:expr) => {
        $q.bind($f.customer_id)
            .bind($f.barcode.as_deref())
            .bind($f.from)
            .bind($f.to)
            .bind($pattern)
            .bind($f.collection_point_id)
            .bind($f.cost_centre_id)
            .bind($f.acknowledgement)
            .bind($scope)
    };
}

fn scope_user(f: &ItemFilter) -> Option<i64> {
    match f.scope {
        CostCentreScope::All => None,
        CostCentreScope::LimitsOf(user_id) => Some(user_id),
    }
}

/// At most `limit` items of the filter after `after`, newest deposit first (then newest id).
pub async fn list(
    conn: &mut Conn<'_>,
    f: &ItemFilter,
    after: Option<After>,
    limit: i64,
) -> Result<Vec<ItemRow>> {
    let sql = if f.barcode.is_some() {
        LIST_BY_BARCODE
    } else {
        LIST
    };
    let pattern = f.recipient.as_deref().map(contains_pattern);
    let scope = scope_user(f);
    Ok(on_conn!(conn, |x| bind_filter!(
        sqlx::query_as(sql),
        f,
        scope,
        pattern.as_deref()
    )
    .bind(after.map(|a| a.deposit_date))
    .bind(after.map_or(0, |a| a.id))
    .bind(limit)
    .fetch_all(x)
    .await)?)
}

/// How many items the whole filter holds (every page together).
pub async fn count(conn: &mut Conn<'_>, f: &ItemFilter) -> Result<i64> {
    let sql = if f.barcode.is_some() {
        COUNT_BY_BARCODE
    } else {
        COUNT
    };
    let pattern = f.recipient.as_deref().map(contains_pattern);
    let scope = scope_user(f);
    Ok(on_conn!(conn, |x| bind_filter!(
        sqlx::query_scalar(sql),
        f,
        scope,
        pattern.as_deref()
    )
    .fetch_one(x)
    .await)?)
}

/// Every item of the filter in list order, read `chunk` rows at a time by keyset: memory
/// stays bounded whatever the count, and no connection is held between chunks (a long
/// download never pins a pooled connection or SQLite's read snapshot).
pub fn export(store: Store, filter: ItemFilter, chunk: i64) -> BoxStream<'static, Result<ItemRow>> {
    let chunk = chunk.max(1);
    // The state: `None` when done, else where the next chunk starts (`Some(None)`: the first).
    futures::stream::try_unfold(Some(None), move |state: Option<Option<After>>| {
        next_chunk(store.clone(), filter.clone(), state, chunk)
    })
    .map_ok(|rows| futures::stream::iter(rows.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

type Chunk = (Vec<ItemRow>, Option<Option<After>>);

async fn next_chunk(
    store: Store,
    filter: ItemFilter,
    state: Option<Option<After>>,
    chunk: i64,
) -> Result<Option<Chunk>> {
    let Some(after) = state else {
        return Ok(None);
    };
    let rows = {
        let mut c = store.acquire().await?;
        list(&mut c.conn(), &filter, after, chunk).await?
    };
    if rows.is_empty() {
        return Ok(None);
    }
    // A short chunk is the last one: no query just to learn that nothing follows.
    let next = (rows.len() as i64 == chunk)
        .then(|| rows.last().map(|r| Some(r.after())))
        .flatten();
    Ok(Some((rows, next)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("dub"), "%dub%");
        assert_eq!(contains_pattern("50%_off"), "%50\\%\\_off%");
        assert_eq!(contains_pattern("a\\b"), "%a\\\\b%");
    }

    #[test]
    fn a_barcode_search_has_its_own_text() {
        assert!(LIST_BY_BARCODE.contains("ri.barcode = $2 AND"));
        assert!(!LIST_BY_BARCODE.contains("$2 IS NULL"));
        assert!(LIST.contains("($2 IS NULL OR ri.barcode = $2)"));
        assert!(COUNT.starts_with("SELECT COUNT(*)"));
        assert!(!COUNT.contains("$10"));
    }
}

//! Customers and their cost centres and collection points.

use crate::{
    Conn, Result, Store, on_conn,
    sqlite_read::{self, Param},
};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomerRow {
    pub id: i64,
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
    pub language: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub status: String,
    pub collection_days: String,
    pub options: String,
    pub receipt_retention_days: Option<i64>,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewCustomer<'a> {
    pub customer_number: &'a str,
    pub name: &'a str,
    pub vat_number: &'a str,
    pub language: &'a str,
    pub street: &'a str,
    pub postcode: &'a str,
    pub city: &'a str,
    pub country: &'a str,
    pub collection_days: &'a str,
    pub created_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn<'_>, c: &NewCustomer<'_>) -> Result<i64> {
    let sql = "INSERT INTO customers (customer_number, name, vat_number, language, street, postcode, city, country, collection_days, created_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";
    let id = on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(c.customer_number)
        .bind(c.name)
        .bind(c.vat_number)
        .bind(c.language)
        .bind(c.street)
        .bind(c.postcode)
        .bind(c.city)
        .bind(c.country)
        .bind(c.collection_days)
        .bind(crate::instant(c.created_at))
        .fetch_one(x)
        .await)?;
    Ok(id)
}

pub async fn by_id(conn: &mut Conn<'_>, id: i64) -> Result<Option<CustomerRow>> {
    let sql = "SELECT id, customer_number, name, vat_number, language, street, postcode, city, country, status, collection_days, options, receipt_retention_days, created_at FROM customers WHERE id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(x)
        .await)?)
}

const BY_NUMBER: &str = "SELECT id, customer_number, name, vat_number, language, street, postcode, city, country, status, collection_days, options, receipt_retention_days, created_at FROM customers WHERE customer_number = $1";

pub async fn by_number(conn: &mut Conn<'_>, number: &str) -> Result<Option<CustomerRow>> {
    let sql = BY_NUMBER;
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(number)
        .fetch_optional(x)
        .await)?)
}

/// [`by_number`] on the store: on a SQLite file read below sqlx, on the request's own thread
/// (an operator's every request names its customer).
pub async fn find_by_number(store: &Store, number: &str) -> Result<Option<CustomerRow>> {
    let Some(readers) = store.readers() else {
        let mut conn = store.acquire().await?;
        return by_number(&mut conn.conn(), number).await;
    };
    let params = vec![Param::Text(number.to_owned())];
    let rows = readers.read_here(|c| {
        sqlite_read::all(c, BY_NUMBER, &params, |r| {
            Ok(CustomerRow {
                id: r.get(0)?,
                customer_number: r.get(1)?,
                name: r.get(2)?,
                vat_number: r.get(3)?,
                language: r.get(4)?,
                street: r.get(5)?,
                postcode: r.get(6)?,
                city: r.get(7)?,
                country: r.get(8)?,
                status: r.get(9)?,
                collection_days: r.get(10)?,
                options: r.get(11)?,
                receipt_retention_days: r.get(12)?,
                created_at: sqlite_read::instant_at(r, 13)?,
            })
        })
    })?;
    Ok(rows.into_iter().next())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CostCentreRow {
    pub id: i64,
    pub customer_id: i64,
    pub code: String,
    pub name: String,
}

pub async fn insert_cost_centre(
    conn: &mut Conn<'_>,
    customer_id: i64,
    code: &str,
    name: &str,
) -> Result<i64> {
    let sql = "INSERT INTO cost_centres (customer_id, code, name) VALUES ($1, $2, $3) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(customer_id)
        .bind(code)
        .bind(name)
        .fetch_one(x)
        .await)?)
}

pub async fn cost_centres(conn: &mut Conn<'_>, customer_id: i64) -> Result<Vec<CostCentreRow>> {
    let sql =
        "SELECT id, customer_id, code, name FROM cost_centres WHERE customer_id = $1 ORDER BY code";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_all(x)
        .await)?)
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CollectionPointRow {
    pub id: i64,
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

pub async fn insert_collection_point(
    conn: &mut Conn<'_>,
    customer_id: i64,
    code: &str,
    name: &str,
    (street, postcode, city): (&str, &str, &str),
) -> Result<i64> {
    let sql = "INSERT INTO collection_points (customer_id, code, name, street, postcode, city) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(customer_id)
        .bind(code)
        .bind(name)
        .bind(street)
        .bind(postcode)
        .bind(city)
        .fetch_one(x)
        .await)?)
}

pub async fn collection_points(
    conn: &mut Conn<'_>,
    customer_id: i64,
) -> Result<Vec<CollectionPointRow>> {
    let sql = "SELECT id, customer_id, code, name, street, postcode, city FROM collection_points WHERE customer_id = $1 ORDER BY code";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_all(x)
        .await)?)
}

/// The first of the provisional customer numbers the portal assigns itself (10 digits
/// starting 99: a range the operator's own numbering does not use).
pub const FIRST_PROVISIONAL_NUMBER: i64 = 9_900_000_001;

/// The next free provisional customer number (`9900000001`, `9900000002`, …). Call inside
/// the transaction that inserts the customer; a concurrent twin fails on the unique key.
pub async fn next_provisional_number(conn: &mut Conn<'_>) -> Result<String> {
    // Same-length digit strings order like numbers, so MAX over the text is the highest.
    let sql = "SELECT MAX(customer_number) FROM customers WHERE customer_number LIKE '99________' AND LENGTH(customer_number) = 10";
    let max: Option<String> = on_conn!(conn, |x| sqlx::query_scalar(sql).fetch_one(x).await)?;
    let next = max
        .and_then(|m| m.parse::<i64>().ok())
        .map_or(FIRST_PROVISIONAL_NUMBER, |m| m + 1);
    Ok(next.to_string())
}

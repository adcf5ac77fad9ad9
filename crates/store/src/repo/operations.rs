//! The operator's operational data: franking transactions and registered items.
//! (The feed importer of a later issue streams into these tables; here: single inserts and counts.)

use crate::{Conn, Result, execute, on_conn};
use time::Date;

#[derive(Debug, Clone)]
pub struct NewTransaction<'a> {
    pub transaction_id: &'a str,
    pub customer_id: i64,
    pub date: Date,
    pub collection_point_id: i64,
    pub cost_centre_id: Option<i64>,
    pub product_id: i64,
    pub format: Option<&'a str>,
    pub weight_class: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub quantity: i64,
    pub unit_price_millis: i64,
    pub amount_cents: i64,
}

pub async fn insert_transaction(conn: &mut Conn<'_>, t: &NewTransaction<'_>) -> Result<()> {
    let sql = "INSERT INTO transactions (transaction_id, customer_id, date, collection_point_id, cost_centre_id, product_id, format, weight_class, destination, quantity, unit_price_millis, amount_cents) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(t.transaction_id)
            .bind(t.customer_id)
            .bind(t.date)
            .bind(t.collection_point_id)
            .bind(t.cost_centre_id)
            .bind(t.product_id)
            .bind(t.format)
            .bind(t.weight_class)
            .bind(t.destination)
            .bind(t.quantity)
            .bind(t.unit_price_millis)
            .bind(t.amount_cents)
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewRegisteredItem<'a> {
    pub barcode: &'a str,
    pub customer_id: i64,
    pub deposit_date: Date,
    pub collection_point_id: i64,
    pub cost_centre_id: Option<i64>,
    pub product_id: i64,
    pub acknowledgement: bool,
    pub recipient_name: &'a str,
    pub recipient_street: &'a str,
    pub recipient_postcode: &'a str,
    pub recipient_city: &'a str,
    pub recipient_country: &'a str,
}

pub async fn insert_registered_item(conn: &mut Conn<'_>, r: &NewRegisteredItem<'_>) -> Result<()> {
    let sql = "INSERT INTO registered_items (barcode, customer_id, deposit_date, collection_point_id, cost_centre_id, product_id, acknowledgement, recipient_name, recipient_street, recipient_postcode, recipient_city, recipient_country) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    execute!(
        conn,
        sqlx::query(sql)
            .bind(r.barcode)
            .bind(r.customer_id)
            .bind(r.deposit_date)
            .bind(r.collection_point_id)
            .bind(r.cost_centre_id)
            .bind(r.product_id)
            .bind(r.acknowledgement)
            .bind(r.recipient_name)
            .bind(r.recipient_street)
            .bind(r.recipient_postcode)
            .bind(r.recipient_city)
            .bind(r.recipient_country)
    )?;
    Ok(())
}

/// (count, sum of amounts) of a customer's transactions: for the demo summary and checks.
pub async fn transaction_totals(conn: &mut Conn<'_>, customer_id: i64) -> Result<(i64, i64)> {
    let sql = "SELECT COUNT(*), CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM transactions WHERE customer_id = $1";
    let (n, sum): (i64, i64) = on_conn!(conn, |x| sqlx::query_as(sql)
        .bind(customer_id)
        .fetch_one(x)
        .await)?;
    Ok((n, sum))
}

pub async fn registered_item_count(conn: &mut Conn<'_>, customer_id: i64) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM registered_items WHERE customer_id = $1";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(customer_id)
        .fetch_one(x)
        .await)?)
}

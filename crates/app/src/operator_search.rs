//! The Service Centre's one search box: a customer number, a barcode or a transaction id,
//! looked up across every customer (operators only), answering with what it names.

use crate::{Actor, App, AppError, error::AppResult};
use cs_domain::{Barcode, CustomerNumber, feeds::limits};
use cs_store::repo::{backoffice as repo, customers};
use time::Date;

/// The longest text the box takes: a transaction id is the longest thing it names.
pub const MAX_QUERY_CHARS: usize = limits::TRANSACTION_ID;

/// One thing the box found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Customer {
        customer_number: String,
        name: String,
        suspended: bool,
    },
    RegisteredItem {
        barcode: String,
        deposit_date: Date,
        customer_number: String,
        customer_name: String,
    },
    Transaction(FoundTransaction),
}

/// A transaction the box found, with its customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTransaction {
    pub transaction_id: String,
    pub date: Date,
    pub customer_number: String,
    pub customer_name: String,
    pub product_code: String,
    pub quantity: i64,
    pub amount_cents: i64,
}

/// Everything the text names: a customer by its number, a registered item by its barcode, a
/// transaction by its id (one text may be more than one of them). Blank finds nothing; a
/// text longer than [`MAX_QUERY_CHARS`] is 422 on `q`.
pub async fn find(app: &App, actor: &Actor, q: &str) -> AppResult<Vec<Found>> {
    actor.require_operator()?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::invalid(
            "q",
            "search_too_long",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let mut conn = app.store.acquire().await?;
    let mut found = Vec::new();
    if let Ok(number) = CustomerNumber::parse(q)
        && let Some(c) = customers::by_number(&mut conn.conn(), number.as_str()).await?
    {
        found.push(Found::Customer {
            suspended: c.status == "suspended",
            customer_number: c.customer_number,
            name: c.name,
        });
    }
    if let Ok(barcode) = Barcode::parse(q)
        && let Some(i) =
            repo::registered_item_by_barcode(&mut conn.conn(), barcode.as_str()).await?
    {
        found.push(Found::RegisteredItem {
            barcode: i.barcode,
            deposit_date: i.deposit_date,
            customer_number: i.customer_number,
            customer_name: i.customer_name,
        });
    }
    if let Some(t) = repo::transaction_by_id(&mut conn.conn(), q).await? {
        found.push(Found::Transaction(FoundTransaction {
            transaction_id: t.transaction_id,
            date: t.date,
            customer_number: t.customer_number,
            customer_name: t.customer_name,
            product_code: t.product_code,
            quantity: t.quantity,
            amount_cents: t.amount_cents,
        }));
    }
    Ok(found)
}

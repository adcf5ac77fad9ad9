//! The product catalogue: codes, kinds, VAT rates and names in the four languages.

use crate::{Conn, Result, on_conn};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProductRow {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub vat_rate: i64,
    pub name_fr: String,
    pub name_nl: String,
    pub name_de: String,
    pub name_en: String,
}

#[derive(Debug, Clone)]
pub struct NewProduct<'a> {
    pub code: &'a str,
    pub kind: &'a str,
    pub vat_rate: i64,
    pub names: [&'a str; 4],
}

pub async fn insert(conn: &mut Conn<'_>, p: &NewProduct<'_>) -> Result<i64> {
    let sql = "INSERT INTO products (code, kind, vat_rate, name_fr, name_nl, name_de, name_en) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_conn!(conn, |x| sqlx::query_scalar(sql)
        .bind(p.code)
        .bind(p.kind)
        .bind(p.vat_rate)
        .bind(p.names[0])
        .bind(p.names[1])
        .bind(p.names[2])
        .bind(p.names[3])
        .fetch_one(x)
        .await)?)
}

pub async fn all(conn: &mut Conn<'_>) -> Result<Vec<ProductRow>> {
    let sql = "SELECT id, code, kind, vat_rate, name_fr, name_nl, name_de, name_en FROM products ORDER BY code";
    Ok(on_conn!(conn, |x| sqlx::query_as(sql).fetch_all(x).await)?)
}

//! Transactions (`/api/v1/transactions` and its CSV/XLSX export): thin handlers over
//! `cs_app::transactions`. Operators name the customer with `customer_number`.

use super::ErrorBody;
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    export::{self, Cell, Format, Table},
    params::query_value,
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::{RawQuery, State},
    response::Response,
};
use cs_app::{
    AppError,
    transactions::{self, Query, Transaction, TransactionPage},
};
use cs_domain::Module;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    let policy = Policy::Module(Module::Transactions);
    r.get("/api/v1/transactions", policy, list)
        .get("/api/v1/transactions/export", policy, export)
}

/// The columns of a transaction, in the order of the JSON item and of the export header.
pub const COLUMNS: &[&str] = &[
    "transaction_id",
    "date",
    "collection_point",
    "cost_centre",
    "product_code",
    "format",
    "weight_class",
    "destination",
    "quantity",
    "unit_price_millis",
    "amount_cents",
];

/// The exported table: the sheet `transactions` with [`COLUMNS`].
pub const TABLE: Table = Table {
    sheet: "transactions",
    columns: COLUMNS,
};

/// One exported row, cell by cell in [`COLUMNS`] order.
pub fn cells(t: Transaction) -> Vec<Cell> {
    vec![
        Cell::Text(t.transaction_id),
        Cell::Date(t.date),
        Cell::Text(t.collection_point),
        Cell::opt_text(t.cost_centre),
        Cell::Text(t.product_code),
        Cell::opt_text(t.format),
        Cell::opt_text(t.weight_class),
        Cell::opt_text(t.destination),
        Cell::Int(t.quantity),
        Cell::Int(t.unit_price.0),
        Cell::Int(t.amount.0),
    ]
}

/// Filters, sort and paging of the transaction list.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// First day, inclusive (`YYYY-MM-DD`). Without `from` and `to`: the current month
    /// (Brussels time); with only one of them, the rest of its month. At most 366 days.
    pub from: Option<String>,
    /// Last day, inclusive (`YYYY-MM-DD`), on or after `from`.
    pub to: Option<String>,
    /// A product code; an unknown code matches nothing.
    pub product: Option<String>,
    /// A collection point code of the customer.
    pub collection_point: Option<String>,
    /// A cost centre code of the customer.
    pub cost_centre: Option<String>,
    /// `BE`, `EU` or `WORLD`.
    pub destination: Option<String>,
    /// `date` (default, oldest first), `-date`, `amount` or `-amount`.
    pub sort: Option<String>,
    /// The `next_cursor` of the previous page (of the same filter and sort).
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
    /// The customer's number (PRS); operators only, and required for them.
    pub customer_number: Option<String>,
}

impl ListParams {
    fn read(raw: &Option<String>) -> Self {
        let v = |k| query_value(raw, k);
        Self {
            from: v("from"),
            to: v("to"),
            product: v("product"),
            collection_point: v("collection_point"),
            cost_centre: v("cost_centre"),
            destination: v("destination"),
            sort: v("sort"),
            cursor: v("cursor"),
            limit: v("limit"),
            customer_number: v("customer_number"),
        }
    }

    fn query(self) -> (Query, Option<String>) {
        (
            Query {
                from: self.from,
                to: self.to,
                product: self.product,
                collection_point: self.collection_point,
                cost_centre: self.cost_centre,
                destination: self.destination,
                sort: self.sort,
                cursor: self.cursor,
                limit: self.limit,
            },
            self.customer_number,
        )
    }
}

/// The export's parameters: the list's filter and sort, and the file format.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx`.
    pub format: Option<String>,
    /// As for the list.
    pub from: Option<String>,
    pub to: Option<String>,
    pub product: Option<String>,
    pub collection_point: Option<String>,
    pub cost_centre: Option<String>,
    pub destination: Option<String>,
    pub sort: Option<String>,
    /// The customer's number (PRS); operators only, and required for them.
    pub customer_number: Option<String>,
}

/// A transaction (SPEC §6); codes, not ids; empty values are null.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionBody {
    pub transaction_id: String,
    #[schema(value_type = String, format = Date)]
    pub date: String,
    pub collection_point: String,
    pub cost_centre: Option<String>,
    pub product_code: String,
    /// `small`, `large`, `cumbersome`, or null for services.
    pub format: Option<String>,
    pub weight_class: Option<String>,
    /// `BE`, `EU`, `WORLD`, or null for services.
    pub destination: Option<String>,
    pub quantity: i64,
    /// Thousandths of a euro.
    pub unit_price_millis: i64,
    /// quantity × unit price, rounded half-up to the cent.
    pub amount_cents: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductTotalBody {
    pub product_code: String,
    pub quantity: i64,
    pub amount_cents: i64,
}

/// Totals of the whole filter, not of the page.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsBody {
    pub quantity: i64,
    pub amount_cents: i64,
    /// By product code.
    pub by_product: Vec<ProductTotalBody>,
}

/// One page of transactions with the totals of the whole filter.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransactionList {
    pub items: Vec<TransactionBody>,
    /// Pass as `cursor` (with the same filter and sort) for the next page; null on the last.
    pub next_cursor: Option<String>,
    pub totals: TotalsBody,
}

fn body(t: Transaction) -> TransactionBody {
    TransactionBody {
        transaction_id: t.transaction_id,
        date: transactions::iso(t.date),
        collection_point: t.collection_point,
        cost_centre: t.cost_centre,
        product_code: t.product_code,
        format: t.format,
        weight_class: t.weight_class,
        destination: t.destination,
        quantity: t.quantity,
        unit_price_millis: t.unit_price.0,
        amount_cents: t.amount.0,
    }
}

fn list_body(page: TransactionPage) -> TransactionList {
    TransactionList {
        items: page.items.into_iter().map(body).collect(),
        next_cursor: page.next_cursor,
        totals: TotalsBody {
            quantity: page.totals.quantity,
            amount_cents: page.totals.amount.0,
            by_product: page
                .totals
                .by_product
                .into_iter()
                .map(|t| ProductTotalBody {
                    product_code: t.product_code,
                    quantity: t.quantity,
                    amount_cents: t.amount.0,
                })
                .collect(),
        },
    }
}

/// The customer's transactions, filtered, sorted and paged, with the totals of the filter.
#[utoipa::path(get, path = "/api/v1/transactions", tag = "transactions", params(ListParams),
    responses((status = 200, body = TransactionList),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer_number", body = ErrorBody),
        (status = 422, description = "a parameter is not valid (each detail names it), a cursor of another filter (`invalid_cursor`), or an operator named no customer", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Json<TransactionList>, WebError> {
    let (q, cn) = ListParams::read(&raw).query();
    let page = transactions::list(&s.app, ctx.actor()?, cn.as_deref(), &q).await?;
    Ok(Json(list_body(page)))
}

/// Every transaction of the filter (all pages, in the chosen sort) as CSV or XLSX, with the
/// columns of a transaction as header; amounts in cents, unit prices in thousandths.
#[utoipa::path(get, path = "/api/v1/transactions/export", tag = "transactions", params(ExportParams),
    responses(
        (status = 200, description = "the file, as an attachment `transactions-<from>-<to>.csv|xlsx`",
            content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer_number", body = ErrorBody),
        (status = 422, description = "a parameter is not valid, or an operator named no customer", body = ErrorBody),
        (status = 429, description = "too many exports running (`too_many_exports`), for this customer or on this instance; `Retry-After` says when to try again", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn export(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let format = Format::parse(query_value(&raw, "format").as_deref());
    let (mut q, cn) = ListParams::read(&raw).query();
    // An export is the whole filter: paging parameters play no part.
    q.cursor = None;
    q.limit = None;
    let result = transactions::export(&s.app, ctx.actor()?, cn.as_deref(), &q).await;
    let (format, exported) = match (format, result) {
        (Ok(f), Ok(e)) => (f, e),
        // Report a bad format together with the filter's own problems.
        (Err(fe), Err(AppError::Validation(mut d))) => {
            d.insert(0, fe);
            return Err(AppError::Validation(d).into());
        }
        (Err(fe), Ok(_)) => return Err(AppError::Validation(vec![fe]).into()),
        (_, Err(e)) => return Err(e.into()),
    };
    let rows = export::rows_from(exported.rows, cells);
    Ok(export::download(
        format,
        TABLE,
        &exported.filter.file_stem(),
        rows,
        exported.running,
    ))
}

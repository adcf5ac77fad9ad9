//! Transactions (`/api/v1/transactions` and its CSV/XLSX export): thin handlers over
//! `cs_app::transactions`. Operators name the customer with `customer_number`.

use super::{ErrorBody, spreadsheets};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    export::{self, Cell, Format, Table},
    params::{self, FORMAT_DOC, query_value},
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::{RawQuery, State},
    response::Response,
};
use cs_app::{
    paging::{CUSTOMER_NUMBER_DOC, PageQuery},
    transactions::{self, FilterQuery, Query, Transaction, TransactionPage},
};
use cs_domain::{Module, calendar::iso};
use serde::Serialize;
use utoipa::{
    IntoParams, ToSchema,
    openapi::path::{Parameter, ParameterIn},
};

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

/// The API's CSV: [`COLUMNS`] (the sheet's name is not written).
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

/// The list's parameters in the API's description: those [`Query`] reads.
struct ListParams;

impl IntoParams for ListParams {
    fn into_params(place: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        params::described(
            &[&FilterQuery::DOC, &PageQuery::DOC, &[CUSTOMER_NUMBER_DOC]],
            place,
        )
    }
}

/// The export's parameters: the format, and the list's filter and sort without paging.
struct ExportParams;

impl IntoParams for ExportParams {
    fn into_params(place: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        params::described(
            &[&[FORMAT_DOC], &FilterQuery::DOC, &[CUSTOMER_NUMBER_DOC]],
            place,
        )
    }
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
        date: iso(t.date),
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
        (status = 422, description = "a parameter is not valid (each detail names it), a collection point or cost centre not the caller's (`unknown_collection_point`, `unknown_cost_centre`), a cursor of another filter or sort (`invalid_cursor`), or an operator named no customer", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Json<TransactionList>, WebError> {
    let q = Query::read(raw.as_deref());
    let page = transactions::list(&s.app, ctx.actor()?, &q).await?;
    Ok(Json(list_body(page)))
}

/// Every transaction of the filter (all pages, in the chosen sort). `csv` is the contract:
/// the columns of a transaction as header, comma-separated, amounts in cents, unit prices in
/// thousandths. `xlsx` and `csv-excel` are for people, in the caller's language: translated
/// headers, the product's name beside its code, euros and dates as a spreadsheet shows them
/// (XLSX: a frozen header and a totals row; `csv-excel`: UTF-8 with a byte-order mark,
/// semicolons, decimal commas, `dd/mm/yyyy`).
#[utoipa::path(get, path = "/api/v1/transactions/export", tag = "transactions", params(ExportParams),
    responses(
        (status = 200, description = "the file, as an attachment `transactions-<from>-<to>.csv`, `…-excel.csv` or `….xlsx`",
            content(("text/csv"), ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer_number", body = ErrorBody),
        (status = 422, description = "a parameter is not valid (each detail names it), a collection point or cost centre not the caller's (`unknown_collection_point`, `unknown_cost_centre`), or an operator named no customer", body = ErrorBody),
        (status = 429, description = "too many exports running (`too_many_exports`), for this customer or on this instance; `Retry-After` says when to try again", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn export(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let q = Query::read(raw.as_deref());
    let cn = q.customer_number.as_deref();
    let format = match Format::parse(query_value(&raw, "format").as_deref()) {
        Ok(f) => f,
        Err(bad) => {
            let filter = transactions::check(&s.app, actor, cn, &q.filter).await;
            return Err(params::format_refused(bad, filter));
        }
    };
    // Read before the export takes its place, so a failure here leaves no export begun.
    let reader = spreadsheets::Reader::for_format(&s.app, format, ctx.lang).await?;
    let exported = transactions::export(&s.app, actor, cn, &q.filter).await?;
    let rows = match reader {
        Some(reader) => export::rows_from(exported.rows, move |t| {
            spreadsheets::transaction_cells(t, &reader)
        }),
        None => export::rows_from(exported.rows, cells),
    };
    Ok(export::download(
        format.layout(TABLE, || spreadsheets::transactions(ctx.lang)),
        &exported.filter.file_stem(),
        rows,
        exported.running,
    ))
}

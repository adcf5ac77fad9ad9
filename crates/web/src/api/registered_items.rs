//! Registered items over the API (`/api/v1/registered-items`): the search, paged with the
//! count of the whole filter, and its export as CSV or XLSX. Operators name the customer
//! with `customer_number`.

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
    registered_items::{self, FilterQuery, Query, RegisteredItem},
};
use cs_domain::{Module, calendar::iso};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use utoipa::{
    IntoParams, ToSchema,
    openapi::path::{Parameter, ParameterIn},
};

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/registered-items",
        Policy::Module(Module::Receipts),
        list,
    )
    .get(
        "/api/v1/registered-items/export",
        Policy::Module(Module::Receipts),
        download,
    )
}

/// The search's parameters in the API's description: those [`Query`] reads.
struct ListParams;

impl IntoParams for ListParams {
    fn into_params(place: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        params::described(
            &[&FilterQuery::DOC, &PageQuery::DOC, &[CUSTOMER_NUMBER_DOC]],
            place,
        )
    }
}

/// The export's parameters: the format, and the search's filter without paging.
struct ExportParams;

impl IntoParams for ExportParams {
    fn into_params(place: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        params::described(
            &[&[FORMAT_DOC], &FilterQuery::DOC, &[CUSTOMER_NUMBER_DOC]],
            place,
        )
    }
}

/// A registered item: the feed's column names, codes rather than ids, `null` when empty.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredItemBody {
    pub barcode: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub deposit_date: String,
    /// The collection point's code.
    pub collection_point: String,
    /// The cost centre's code.
    pub cost_centre: Option<String>,
    pub product_code: String,
    /// With acknowledgement of receipt (AR).
    pub acknowledgement: bool,
    pub recipient_name: Option<String>,
    pub recipient_street: Option<String>,
    pub recipient_postcode: Option<String>,
    pub recipient_city: Option<String>,
    pub recipient_country: Option<String>,
}

fn body(i: RegisteredItem) -> RegisteredItemBody {
    RegisteredItemBody {
        barcode: i.barcode,
        deposit_date: iso(i.deposit_date),
        collection_point: i.collection_point,
        cost_centre: i.cost_centre,
        product_code: i.product_code,
        acknowledgement: i.acknowledgement,
        recipient_name: i.recipient_name,
        recipient_street: i.recipient_street,
        recipient_postcode: i.recipient_postcode,
        recipient_city: i.recipient_city,
        recipient_country: i.recipient_country,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredItemList {
    pub items: Vec<RegisteredItemBody>,
    /// Give it back as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
    /// Items of the whole filter, every page together.
    pub total: i64,
}

/// Searches the customer's registered items, newest deposit first (then newest first within
/// a day), with the count of the whole filter. A user limited to cost centres sees only
/// their items; another customer's barcode finds nothing, like an unknown one.
#[utoipa::path(get, path = "/api/v1/registered-items", tag = "registered items",
    params(ListParams),
    responses((status = 200, body = RegisteredItemList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer (operators)", body = ErrorBody),
        (status = 422, description = "a parameter is not valid (each detail names it), a collection point or cost centre not the caller's (`unknown_collection_point`, `unknown_cost_centre`), a cursor of another filter (`invalid_cursor`), or an operator named no customer", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Json<RegisteredItemList>, WebError> {
    let q = Query::read(raw.as_deref());
    let scope = registered_items::scope(&s.app, ctx.actor()?, q.customer_number.as_deref()).await?;
    let page = registered_items::search(&s.app, &scope, &q).await?;
    Ok(Json(RegisteredItemList {
        items: page.items.into_iter().map(body).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

const TABLE: Table = Table {
    sheet: "registered items",
    columns: &registered_items::COLUMNS,
};

/// An item's cells, in the order of [`registered_items::COLUMNS`].
fn cells(i: RegisteredItem) -> Vec<Cell> {
    vec![
        Cell::Text(i.barcode),
        Cell::Date(i.deposit_date),
        Cell::Text(i.collection_point),
        Cell::opt_text(i.cost_centre),
        Cell::Text(i.product_code),
        Cell::Text(i.acknowledgement.to_string()),
        Cell::opt_text(i.recipient_name),
        Cell::opt_text(i.recipient_street),
        Cell::opt_text(i.recipient_postcode),
        Cell::opt_text(i.recipient_city),
        Cell::opt_text(i.recipient_country),
    ]
}

/// Downloads exactly what the search with the same filter lists (every page); streamed,
/// whatever the count. `csv` is for software: the list's field names as header, text cells
/// neutralised against formulas. `xlsx` and `csv-excel` are for people, in the caller's
/// language: translated headers, the product's name, dates as dates (XLSX: a frozen header
/// and a count of the items; `csv-excel`: UTF-8 with a byte-order mark, semicolons,
/// `dd/mm/yyyy`).
#[utoipa::path(get, path = "/api/v1/registered-items/export", tag = "registered items",
    params(ExportParams),
    responses(
        (status = 200, description = "the file (`text/csv` or XLSX), as an attachment `registered-items-<from>-<to>.csv`, `…-excel.csv` or `….xlsx`"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer (operators)", body = ErrorBody),
        (status = 422, description = "a parameter is not valid (each detail names it), a collection point or cost centre not the caller's (`unknown_collection_point`, `unknown_cost_centre`), or an operator named no customer", body = ErrorBody),
        (status = 429, description = "too many exports running (`too_many_exports`), for this customer or on this instance; `Retry-After` says when to try again", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn download(
    State(s): State<AppState>,
    ctx: RequestCtx,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let q = Query::read(raw.as_deref());
    let scope = registered_items::scope(&s.app, actor, q.customer_number.as_deref()).await?;
    let format = match Format::parse(query_value(&raw, "format").as_deref()) {
        Ok(f) => f,
        Err(bad) => {
            let filter = registered_items::check(&s.app, &scope, &q.filter);
            return Err(params::format_refused(bad, filter));
        }
    };
    // Read before the export takes its place, so a failure here leaves no export begun.
    let reader = spreadsheets::Reader::for_format(&s.app, format, ctx.lang).await?;
    let exported = registered_items::export(&s.app, actor, &ctx.meta, &scope, &q.filter)?;
    let rows = match reader {
        Some(reader) => exported
            .items
            .map_ok(move |i| spreadsheets::registered_item_cells(i, &reader))
            .boxed(),
        None => exported.items.map_ok(cells).boxed(),
    };
    Ok(export::download(
        format.layout(TABLE, || spreadsheets::registered_items(ctx.lang)),
        &exported.filter.file_stem(),
        rows,
        exported.running,
    ))
}

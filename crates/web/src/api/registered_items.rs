//! Registered items over the API (`/api/v1/registered-items`): the search, paged with the
//! count of the whole filter, and its export as CSV or XLSX. Operators name the customer
//! with `customer_number`.

use super::{ApiQuery, ErrorBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    export::{self, Cell, Format, Table},
    policy::{Policy, Routes},
};
use axum::{Json, extract::State, response::Response};
use cs_app::{
    AppError,
    registered_items::{self, ItemQuery, RegisteredItem},
};
use cs_domain::Module;
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

/// The filter of the search (and of its export).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    /// The exact barcode (30 digits starting `010`, or UPU S10 like `RR473124829BE`); case
    /// and spaces do not matter. Without dates, a barcode is found whatever its date.
    pub barcode: Option<String>,
    /// First deposit date, `YYYY-MM-DD`, inclusive. Without `from`, `to` and `barcode`: the
    /// current month (Brussels). Alone, it runs to the end of its month.
    pub from: Option<String>,
    /// Last deposit date, `YYYY-MM-DD`, inclusive. Alone, it runs from the start of its month.
    pub to: Option<String>,
    /// Part of the recipient's name, any case; `%` and `_` are taken literally.
    pub recipient: Option<String>,
    /// A collection point's code.
    pub collection_point: Option<String>,
    /// A cost centre's code (one of the caller's, for a user limited to cost centres).
    pub cost_centre: Option<String>,
    /// `true` (with acknowledgement of receipt) or `false`.
    pub acknowledgement: Option<String>,
    /// The customer's number (PRS); required for operators, ignored for customers' users.
    pub customer_number: Option<String>,
}

impl FilterParams {
    pub(super) fn query(&self, cursor: Option<String>, limit: Option<String>) -> ItemQuery {
        ItemQuery {
            barcode: self.barcode.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            recipient: self.recipient.clone(),
            collection_point: self.collection_point.clone(),
            cost_centre: self.cost_centre.clone(),
            acknowledgement: self.acknowledgement.clone(),
            cursor,
            limit,
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<i64>)]
    pub limit: Option<String>,
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

pub(super) fn iso_day(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn body(i: RegisteredItem) -> RegisteredItemBody {
    RegisteredItemBody {
        barcode: i.barcode,
        deposit_date: iso_day(i.deposit_date),
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
    params(FilterParams, PageParams),
    responses((status = 200, body = RegisteredItemList), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer (operators)", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn list(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(f): ApiQuery<FilterParams>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<RegisteredItemList>, WebError> {
    let scope = registered_items::scope(&s.app, ctx.actor()?, f.customer_number.as_deref()).await?;
    let page = registered_items::search(&s.app, &scope, &f.query(p.cursor, p.limit)).await?;
    Ok(Json(RegisteredItemList {
        items: page.items.into_iter().map(body).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `csv` or `xlsx`.
    pub format: Option<String>,
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

/// The file's name: what was searched (`registered-items-2026-11-01-2026-11-30`, or the
/// barcode's).
fn file_stem(f: &registered_items::Filter) -> String {
    let mut stem = "registered-items".to_owned();
    if let Some(b) = &f.barcode {
        stem.push('-');
        stem.push_str(b.as_str());
    }
    for d in [f.from, f.to].into_iter().flatten() {
        stem.push('-');
        stem.push_str(&iso_day(d));
    }
    stem
}

/// Downloads exactly what the search with the same filter lists (every page), as CSV (the
/// list's field names as header, text cells neutralised against formulas) or XLSX; streamed,
/// whatever the count.
#[utoipa::path(get, path = "/api/v1/registered-items/export", tag = "registered items",
    params(ExportParams, FilterParams),
    responses(
        (status = 200, description = "the file (`text/csv` or XLSX), as an attachment"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "unknown customer (operators)", body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "too many exports running (`too_many_exports`), for this customer or on this instance; `Retry-After` says when to try again", body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn download(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(f): ApiQuery<FilterParams>,
    ApiQuery(e): ApiQuery<ExportParams>,
) -> Result<Response, WebError> {
    let format = Format::parse(e.format.as_deref());
    let scope = registered_items::scope(&s.app, ctx.actor()?, f.customer_number.as_deref()).await?;
    let exported = registered_items::export(
        &s.app,
        ctx.actor()?,
        &ctx.meta,
        &scope,
        &f.query(None, None),
    );
    let (format, exported) = match (format, exported) {
        (Ok(format), Ok(exported)) => (format, exported),
        (Err(bad), Ok(_)) => return Err(AppError::Validation(vec![bad]).into()),
        (Err(bad), Err(AppError::Validation(mut d))) => {
            d.insert(0, bad);
            return Err(AppError::Validation(d).into());
        }
        (_, Err(e)) => return Err(e.into()),
    };
    let rows = exported.items.map_ok(cells).boxed();
    Ok(export::download(
        format,
        TABLE,
        &file_stem(&exported.filter),
        rows,
        exported.running,
    ))
}

//! Registered items over the API (`/api/v1/registered-items`): the search, paged with the
//! count of the whole filter. Operators name the customer with `customer_number`.

use super::{ApiQuery, ErrorBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use axum::{Json, extract::State};
use cs_app::registered_items::{self, ItemQuery, RegisteredItem};
use cs_domain::Module;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/registered-items",
        Policy::Module(Module::Receipts),
        list,
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
    /// current month (Brussels).
    pub from: Option<String>,
    /// Last deposit date, `YYYY-MM-DD`, inclusive.
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
    let scope =
        registered_items::scope(&s.app, ctx.actor()?, f.customer_number.as_deref()).await?;
    let page = registered_items::search(&s.app, &scope, &f.query(p.cursor, p.limit)).await?;
    Ok(Json(RegisteredItemList {
        items: page.items.into_iter().map(body).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

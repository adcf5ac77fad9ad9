//! The operator's back office over the API: customers (search, detail, suspension), the
//! Service Centre's password reset, and the audit search (also a customer's own, `/api/v1/audit`).

use super::{ApiJson, ApiQuery, ErrorBody, OptionalJson, types::UserBody};
use crate::{
    AppState,
    context::RequestCtx,
    error::WebError,
    policy::{Policy, Routes},
};
use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use cs_app::backoffice::{self, AuditQuery, AuditView, CustomerQuery, UserRef};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/operator/customers", Policy::Operator, customers)
        .get(
            "/api/v1/operator/customers/{number}",
            Policy::Operator,
            customer,
        )
        .post(
            "/api/v1/operator/customers/{number}/suspend",
            Policy::Operator,
            suspend,
        )
        .post(
            "/api/v1/operator/customers/{number}/reactivate",
            Policy::Operator,
            reactivate,
        )
        .post(
            "/api/v1/operator/password-resets",
            Policy::Operator,
            password_reset,
        )
        .get("/api/v1/operator/audit", Policy::Operator, operator_audit)
        .get("/api/v1/audit", Policy::Users, customer_audit)
}

// ---------------------------------------------------------------- customers

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerParams {
    /// Customer number (from its start), name (anywhere, any case) or VAT number.
    pub search: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerItem {
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
    /// `fr`, `nl`, `de` or `en`.
    pub language: String,
    /// `active` or `suspended`.
    pub status: String,
    /// Number of users of the customer, whatever their status.
    pub users: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    pub items: Vec<CustomerItem>,
    pub next_cursor: Option<String>,
}

/// Searches customers by number, name or VAT number, in customer-number order.
#[utoipa::path(get, path = "/api/v1/operator/customers", tag = "operator", params(CustomerParams),
    responses((status = 200, body = CustomerList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn customers(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(p): ApiQuery<CustomerParams>,
) -> Result<Json<CustomerList>, WebError> {
    let page = backoffice::search_customers(
        &s.app,
        ctx.actor()?,
        &CustomerQuery {
            search: p.search,
            status: p.status,
            cursor: p.cursor,
            limit: p.limit,
        },
    )
    .await?;
    Ok(Json(CustomerList {
        items: page
            .items
            .into_iter()
            .map(|c| CustomerItem {
                customer_number: c.customer_number,
                name: c.name,
                vat_number: c.vat_number,
                language: c.language,
                status: c.status,
                users: c.users,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContractBody {
    /// Day codes: `mon` … `sun`.
    pub collection_days: Vec<String>,
    pub options: Vec<String>,
    /// The period in force (the contract's, else 365).
    pub receipt_retention_days: i64,
    /// True when the contract sets no period of its own.
    pub receipt_retention_default: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CostCentreBody {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionPointBody {
    pub code: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// A user of the customer, with what the Service Centre needs on the phone.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerUserBody {
    #[serde(flatten)]
    pub user: UserBody,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<OffsetDateTime>,
    /// Set while the account is locked after failed sign-ins.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_until: Option<OffsetDateTime>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDetailBody {
    pub customer_number: String,
    pub name: String,
    pub vat_number: String,
    pub language: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    /// `active` or `suspended`.
    pub status: String,
    pub contract: ContractBody,
    pub cost_centres: Vec<CostCentreBody>,
    pub collection_points: Vec<CollectionPointBody>,
    /// The first 200 users; `more_users` says when there are more (see `/api/v1/users`).
    pub users: Vec<CustomerUserBody>,
    pub more_users: bool,
}

/// A customer: identity, address, status, contract, cost centres, collection points, users.
#[utoipa::path(get, path = "/api/v1/operator/customers/{number}", tag = "operator",
    params(("number" = String, Path, description = "customer number")),
    responses((status = 200, body = CustomerDetailBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn customer(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
) -> Result<Json<CustomerDetailBody>, WebError> {
    let d = backoffice::customer_detail(&s.app, ctx.actor()?, &number).await?;
    let c = d.customer;
    Ok(Json(CustomerDetailBody {
        customer_number: c.customer_number,
        name: c.name,
        vat_number: c.vat_number,
        language: c.language,
        street: c.street,
        postcode: c.postcode,
        city: c.city,
        country: c.country,
        status: c.status,
        contract: ContractBody {
            collection_days: d.contract.collection_days,
            options: d.contract.options,
            receipt_retention_days: d.contract.receipt_retention_days,
            receipt_retention_default: d.contract.receipt_retention_default,
        },
        cost_centres: d
            .cost_centres
            .into_iter()
            .map(|cc| CostCentreBody {
                code: cc.code,
                name: cc.name,
            })
            .collect(),
        collection_points: d
            .collection_points
            .into_iter()
            .map(|p| CollectionPointBody {
                code: p.code,
                name: p.name,
                street: p.street,
                postcode: p.postcode,
                city: p.city,
            })
            .collect(),
        users: d
            .users
            .into_iter()
            .map(|u| CustomerUserBody {
                user: UserBody {
                    id: u.id.get(),
                    username: u.username,
                    full_name: u.full_name,
                    email: u.email,
                    language: u.language,
                    role: u.role,
                    modules: u.modules,
                    cost_centres: u.cost_centres,
                    status: u.status,
                },
                last_login_at: u.last_login_at,
                locked_until: u.locked_until,
            })
            .collect(),
        more_users: d.more_users,
    }))
}

/// Optional body of a suspension or reactivation.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct StatusChangeRequest {
    /// Why (at most 500 characters); kept in the audit trail.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Suspends or reactivates a customer, with the reason the body may give.
async fn set_suspended(
    s: &AppState,
    ctx: &RequestCtx,
    number: &str,
    req: StatusChangeRequest,
    suspended: bool,
) -> Result<Response, WebError> {
    backoffice::set_customer_suspended(
        &s.app,
        ctx.actor()?,
        &ctx.meta,
        number,
        suspended,
        req.reason.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Suspends a customer: its users' sessions and tokens end at once, and they cannot sign
/// in (403 `customer_suspended`) until it is reactivated. Suspending a suspended customer
/// changes nothing.
#[utoipa::path(post, path = "/api/v1/operator/customers/{number}/suspend", tag = "operator",
    params(("number" = String, Path, description = "customer number")),
    request_body(content = Option<StatusChangeRequest>, description = "optional"),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn suspend(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
    OptionalJson(req): OptionalJson<StatusChangeRequest>,
) -> Result<Response, WebError> {
    set_suspended(&s, &ctx, &number, req, true).await
}

/// Reactivates a suspended customer: its users can sign in again.
#[utoipa::path(post, path = "/api/v1/operator/customers/{number}/reactivate", tag = "operator",
    params(("number" = String, Path, description = "customer number")),
    request_body(content = Option<StatusChangeRequest>, description = "optional"),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn reactivate(
    State(s): State<AppState>,
    ctx: RequestCtx,
    Path(number): Path<String>,
    OptionalJson(req): OptionalJson<StatusChangeRequest>,
) -> Result<Response, WebError> {
    set_suspended(&s, &ctx, &number, req, false).await
}

// ---------------------------------------------------------------- Service Centre reset

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    pub customer_number: String,
    pub username: String,
}

/// The Service Centre's password reset: the user gets a one-time link (1 hour, single use)
/// in its language, and its sessions and tokens end at once. An unknown customer, or a
/// username that is not of that customer, is 404.
#[utoipa::path(post, path = "/api/v1/operator/password-resets", tag = "operator",
    request_body = PasswordResetRequest,
    responses((status = 202, description = "the link is on its way"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the user is disabled", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn password_reset(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> Result<Response, WebError> {
    backoffice::service_centre_reset(
        &s.app,
        ctx.actor()?,
        &ctx.meta,
        &req.customer_number,
        UserRef::Username(&req.username),
    )
    .await?;
    Ok(StatusCode::ACCEPTED.into_response())
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// First day (`YYYY-MM-DD`, a Brussels day), inclusive.
    pub from: Option<String>,
    /// Last day (`YYYY-MM-DD`, a Brussels day), inclusive.
    pub to: Option<String>,
    /// Back office: one customer's events. `/api/v1/audit`: required for operators,
    /// ignored for customer administrators.
    pub customer_number: Option<String>,
    /// The actor's username (any case).
    pub actor: Option<String>,
    /// An action (`login.failed`), or a prefix ending in `*` (`login.*`).
    pub action: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500, default 50.
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventBody {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub actor: String,
    pub customer_number: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub ip: String,
    pub request_id: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEventBody>,
    pub next_cursor: Option<String>,
}

async fn audit(
    s: &AppState,
    ctx: &RequestCtx,
    view: AuditView,
    p: AuditParams,
) -> Result<Json<AuditList>, WebError> {
    let actor = ctx.actor()?;
    let (from, until) = cs_app::calendar::day_bounds(p.from.as_deref(), p.to.as_deref())?;
    let page = backoffice::search_audit(
        &s.app,
        actor,
        view,
        &AuditQuery {
            customer_number: p.customer_number,
            from,
            until,
            actor: p.actor,
            action: p.action,
            cursor: p.cursor,
            limit: p.limit,
        },
    )
    .await?;
    Ok(Json(AuditList {
        items: page
            .items
            .into_iter()
            .map(|e| AuditEventBody {
                id: e.id,
                at: e.at,
                actor: e.actor,
                customer_number: e.customer_number,
                action: e.action,
                object_type: e.object_type,
                object_id: e.object_id,
                ip: e.ip,
                request_id: e.request_id,
                details: e.details,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Searches the whole audit trail, newest first (operators).
#[utoipa::path(get, path = "/api/v1/operator/audit", tag = "operator", params(AuditParams),
    responses((status = 200, body = AuditList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "unknown customer", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn operator_audit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<AuditList>, WebError> {
    audit(&s, &ctx, AuditView::Operator, p).await
}

/// A customer's own audit trail, newest first: its administrators see their customer's
/// events only; operators name the customer with `customer_number`.
#[utoipa::path(get, path = "/api/v1/audit", tag = "users", params(AuditParams),
    responses((status = 200, body = AuditList), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "unknown customer", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub async fn customer_audit(
    State(s): State<AppState>,
    ctx: RequestCtx,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<AuditList>, WebError> {
    audit(&s, &ctx, AuditView::Customer, p).await
}
